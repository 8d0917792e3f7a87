#!/usr/bin/env bash
# t0508-run-config.sh - guards the driver's config file (--config, INI):
# - [paths] input, output_db, mappings, key, linkage, catalogue,
#   population; relative paths are relative to the config file's directory
#   (not the working directory); the linkage settings default to
#   MAPPINGS/linkage/linkage.ini, the catalogue and the population file to
#   MAPPINGS/indicators/indicators.ini and MAPPINGS/population/population.csv;
# - options override the file; the file's key overrides $PL_KEY_FILE, which
#   is used when neither gives one;
# - [report] lang: the report's language (t0509 runs it);
# - an unknown section or key, a key outside a section, a key given twice,
#   a bad keep_logs or lang: 78 naming the file and line, before anything
#   is run; a missing config file: 66.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
mkdir -p "$WORK/etc" "$WORK/elsewhere"
cat >"$WORK/etc/run.ini" <<'INI'
; the nightly run's settings
[paths]
input = ../input
output_db = ../output/pipeline.db
mappings = ../mappings
key = ../key/pipeline.key

[run]
keep_logs = 5

[report]
lang = en
INI

cd "$WORK/elsewhere" || exit 1
expect_exit 0 "$PL_BIN/run" -q --config ../etc/run.ini
cd "$WORK" || exit 1
expect_eq "relative to the config file: nothing made where run was started" "" \
	"$(ls "$WORK/elsewhere")"
expect_eq "the database is the config file's" 2973 "$(q 'SELECT count(*) FROM episode_person;')"
expect_true "indicators ran on the catalogue and population beside the mappings" \
	test "$(q 'SELECT count(*) FROM indicator_value;')" -gt 0
expect_true "the key is the config file's" test -s "$KEY"
expect_true "one run log" test "$(ls "$WORK/output/logs" | wc -l)" -eq 1
expect_true "[report] lang = en: the report in English beside the database" \
	grep -q '^<html lang="en">' "$WORK/output/report-en.html"
expect_true "[report] lang = en: no Swedish one" test ! -e "$WORK/output/report-sv.html"

# Options override the file: another database.
OTHER=$WORK/other/pipeline.db
expect_exit 0 "$PL_BIN/run" -q --config "$WORK/etc/run.ini" -d "$OTHER"
expect_eq "-d overrides output_db" 2973 "$(sqlite3 "$OTHER" 'SELECT count(*) FROM episode;')"
expect_true "its own lock and log next to it" test -e "$WORK/other/run.lock" -a -d "$WORK/other/logs"

# The linkage settings: from [paths] linkage, else beside the mappings.
printf '[linkage]\nthreshold = high\n' >"$WORK/etc/bad-linkage.ini"
printf 'linkage = bad-linkage.ini\n' >"$WORK/etc/linkage.ini.part"
sed '/^key = /r '"$WORK/etc/linkage.ini.part" "$WORK/etc/run.ini" >"$WORK/etc/run2.ini"
rm -f "$WORK/output/run.state"
expect_exit 78 "$PL_BIN/run" -q --config "$WORK/etc/run2.ini"
expect_grep "[paths] linkage is read by dedup" 'Z dedup E .*etc/bad-linkage\.ini:2: ' "$(cat "$ERR")"
expect_exit 0 "$PL_BIN/run" -q --config "$WORK/etc/run2.ini" --linkage "$LINKAGE"
expect_eq "--linkage overrides [paths] linkage" "" "$(cat "$ERR")"

# The catalogue and the population file: from [paths], else beside the
# mappings; the options override both.
cp "$WORK/mappings/indicators/indicators.ini" "$WORK/etc/bad-catalogue.ini"
printf '[indicator broken]\nunit = pupils\n' >>"$WORK/etc/bad-catalogue.ini"
bad_line=$(wc -l <"$WORK/etc/bad-catalogue.ini")
printf 'year,district,sex,age,population\n2024,ANGERED,F,0-4,many\n' >"$WORK/etc/bad-population.csv"
printf 'catalogue = bad-catalogue.ini\n' >"$WORK/etc/catalogue.ini.part"
sed '/^key = /r '"$WORK/etc/catalogue.ini.part" "$WORK/etc/run.ini" >"$WORK/etc/run3.ini"
expect_exit 78 "$PL_BIN/run" -q --config "$WORK/etc/run3.ini"
expect_grep "[paths] catalogue is read by indicators" \
	"Z indicators E .*etc/bad-catalogue\\.ini:$bad_line: " "$(cat "$ERR")"
expect_exit 0 "$PL_BIN/run" -q --config "$WORK/etc/run3.ini" \
	--catalogue "$WORK/mappings/indicators/indicators.ini"
expect_eq "--catalogue overrides [paths] catalogue" "" "$(cat "$ERR")"
printf 'population = bad-population.csv\n' >"$WORK/etc/population.ini.part"
sed '/^key = /r '"$WORK/etc/population.ini.part" "$WORK/etc/run.ini" >"$WORK/etc/run4.ini"
expect_exit 78 "$PL_BIN/run" -q --config "$WORK/etc/run4.ini"
expect_grep "[paths] population is read by indicators" \
	'Z indicators E .*etc/bad-population\.csv:2: ' "$(cat "$ERR")"
expect_exit 0 "$PL_BIN/run" -q --config "$WORK/etc/run4.ini" \
	--population "$WORK/mappings/population/population.csv"
expect_eq "--population overrides [paths] population" "" "$(cat "$ERR")"
expect_exit 78 "$PL_BIN/run" -q --config "$WORK/etc/run.ini" \
	--catalogue "$WORK/etc/bad-catalogue.ini"
expect_grep "--catalogue over the default" "Z indicators E .*etc/bad-catalogue\\.ini:$bad_line: " \
	"$(cat "$ERR")"
expect_exit 78 "$PL_BIN/run" -q --config "$WORK/etc/run.ini" \
	--population "$WORK/etc/bad-population.csv"
expect_grep "--population over the default" 'Z indicators E .*etc/bad-population\.csv:2: ' \
	"$(cat "$ERR")"
mkdir -p "$WORK/m2"
cp "$WORK/mappings/"*.ini "$WORK/m2/"
cp -R "$WORK/mappings/codelists" "$WORK/mappings/linkage" "$WORK/m2/" 2>/dev/null
expect_exit 78 "$PL_BIN/run" -q --config "$WORK/etc/run.ini" -m "$WORK/m2"
expect_grep "the catalogue defaults to MAPPINGS/indicators/indicators.ini" \
	'Z indicators E .*m2/indicators/indicators\.ini' "$(cat "$ERR")"
expect_exit 0 "$PL_BIN/run" -q --config "$WORK/etc/run.ini"

# $PL_KEY_FILE: used without -k and [paths] key; the file's key wins over it.
printf '[paths]\ninput = ../input\noutput_db = ../envkey/pipeline.db\nmappings = ../mappings\n' \
	>"$WORK/etc/nokey.ini"
PL_KEY_FILE=$WORK/envkey/key expect_exit 0 "$PL_BIN/run" -q --config "$WORK/etc/nokey.ini"
expect_true "\$PL_KEY_FILE used" test -s "$WORK/envkey/key"
PL_KEY_FILE=$WORK/envkey/unused.key expect_exit 0 "$PL_BIN/run" -q --config "$WORK/etc/run.ini"
expect_true "[paths] key wins over \$PL_KEY_FILE" test ! -e "$WORK/envkey/unused.key"

# Mistakes in the file: 78 with its line; nothing run.
n=$(q 'SELECT count(*) FROM stage_run;')
bad() { # bad LINE-EXPECTED MESSAGE-ERE < INI (not in a pipeline: a subshell's failures are lost)
	cat >"$WORK/etc/bad.ini"
	expect_exit 78 "$PL_BIN/run" --config "$WORK/etc/bad.ini"
	expect_grep "bad config: $2" "^[0-9T:-]+Z run E .*etc/bad\\.ini:$1: $2" "$(cat "$ERR")"
	expect_eq "bad config: one line on stderr" 1 "$(wc -l <"$ERR")"
}
bad 4 'unknown section \[nightly\]' < <(printf '[paths]\ninput = x\n[nightly]\nkeep_logs = 3\n')
bad 3 "unknown key 'output' in \\[paths\\]" < <(printf '[paths]\ninput = x\noutput = y\n')
bad 1 "key 'input' outside a section" < <(printf 'input = x\n')
bad 3 '\[paths\] input given twice' < <(printf '[paths]\ninput = x\ninput = y\n')
bad 2 "keep_logs '0' is not a whole number" < <(printf '[run]\nkeep_logs = 0\n')
bad 2 "keep_logs 'many' is not a whole number" < <(printf '[run]\nkeep_logs = many\n')
bad 2 'syntax error' < <(printf '[paths]\nthis is not INI\n')
bad 2 "lang 'de' is not sv or en" < <(printf '[report]\nlang = de\n')
bad 2 "lang '' is not sv or en" < <(printf '[report]\nlang =\n')
bad 2 "unknown key 'language' in \\[report\\] \\(known: lang\\)" < <(printf '[report]\nlanguage = sv\n')
bad 3 '\[report\] lang given twice' < <(printf '[report]\nlang = sv\nlang = en\n')
bad 2 'unknown section \[reports\] \(known: \[paths\], \[run\], \[report\]\)' < <(printf '[reports]\nlang = sv\n')
expect_eq "bad configs ran nothing" "$n" "$(q 'SELECT count(*) FROM stage_run;')"
expect_exit 66 "$PL_BIN/run" --config "$WORK/etc/missing.ini"
expect_grep "missing config named" 'etc/missing\.ini: cannot open' "$(cat "$ERR")"
finish

#!/usr/bin/env bash
# t0912-bad-input-config.sh - guards configuration errors, each by the stage
# that reads the file and mixed into a good night (the driver, after a good
# previous night):
#   a mapping file with a syntax error, a section heading without its ']'
#   (at the heading's line, not at the first key after it), an unknown key, a code not in the
#   schema, a missing code list: ingest 78 naming "angered.ini:LINE";
#   a header that no longer matches the mapping (a renamed column): ingest
#   0, map 78 naming the mapping's line and the file;
#   a population file missing an age band: indicators 78 naming the file;
#   a population file missing a district: 0, a warning, the district's
#   rates without a value (never a rate over a wrong population);
#   a world-readable key file: 78 naming it and the chmod to run;
#   a missing key file beside a database of sealed values: the driver 78
#   at ingest, which names the key file and makes no new key; restored, 0
#   and the same outputs.
# The driver exits 78 and the previous night's outputs are intact: the
# indicator tables, the episodes and persons, and output/tables/*.csv;
# once the file is put back the run exits 0.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
expect_run 0 -q
# published: what planners get; night: that and the episodes and persons
published() { indicator_tables; report_csv; }
night_state() {
	published
	q "SELECT 'episode', * FROM episode ORDER BY file_id, line;
	   SELECT 'person', * FROM person ORDER BY person_id;"
}
expect_true "the previous night's report tables" test "$(report_csv | grep -c '^== ')" -gt 10
ini=$WORK/mappings/angered.ini
cp "$ini" "$WORK/angered.ini.good"
cp "$WORK/input/angered.csv" "$WORK/angered.csv.good"
cp "$POPULATION" "$WORK/population.csv.good"
restore() {
	cp "$WORK/angered.ini.good" "$ini"
	cp "$WORK/angered.csv.good" "$WORK/input/angered.csv"
	cp "$WORK/population.csv.good" "$POPULATION"
	chmod 600 "$KEY"
}
lineof() { grep -n -e "$1" "$2" | head -n 1 | cut -d: -f1; }

# mixed WHAT STAGE ERE [STATE]: the driver exits 78 with STAGE's error
# matching ERE, the previous night's outputs ($night, taken before the file
# was broken; STATE: the function that took it, default night_state) intact;
# then, restored, 0.
mixed() {
	expect_run 78 -q
	expect_grep "$1: the driver names the stage's error" "Z $2 E $3" "$(cat "$ERR")"
	expect_grep "$1: the driver's summary" "Z run E $2 failed: exit 78 \\(configuration error\\)" \
		"$(tail -n 1 "$ERR")"
	expect_true "$1: the night's outputs are not empty" test "$(printf '%s\n' "$night" | wc -l)" -gt 1000
	if [ "$night" != "$(${4:-night_state})" ]; then
		fail "$1: the previous night's outputs intact" \
			"$(diff <(printf '%s\n' "$night") <(${4:-night_state}) | head -n 10 | cut -c1-160)"
	else
		n_checks=$((n_checks + 1))
	fi
	restore
	expect_run 0 -q
}

# ingest_case WHAT SED-EXPR ERE: angered.ini edited by SED-EXPR; ingest alone
# (on a copy of the database) exits 78 with ERE on stderr; then mixed.
ingest_case() {
	night=$(night_state)
	sed -i -e "$2" "$ini"
	cp "$DB" "$WORK/copy.db"
	expect_exit 78 "$PL_BIN/ingest" -q -i "$WORK/input" -m "$WORK/mappings" -d "$WORK/copy.db" -k "$KEY"
	expect_grep "$1: ingest names the mapping file and line" "Z ingest E $3" "$(cat "$ERR")"
	expect_eq "$1: ingest changed nothing" "$(sqlite3 "$DB" .dump)" "$(sqlite3 "$WORK/copy.db" .dump)"
	mixed "$1" ingest "$3"
}
n=$(lineof '^quote = double' "$ini")
ingest_case "syntax error" 's/^quote = double/quote double/' \
	".*mappings/angered\\.ini:$n: syntax error: expected \\[section\\] or key = value$"
n=$(lineof '^\[dialect\]$' "$ini")
ingest_case "section heading without ']'" 's/^\[dialect\]$/[dialect/' \
	".*mappings/angered\\.ini:$n: section heading without closing '\\]'$"
n=$(lineof '^quote = double' "$ini")
ingest_case "unknown key" 's/^quote = double/quote = double\nquotes = double/' \
	".*mappings/angered\\.ini:$((n + 1)): unknown key 'quotes' in \\[dialect\\]$"
n=$(awk '/^\[blank\]/ { b = 1 } b && /^sex = U$/ { print NR; exit }' "$ini")
ingest_case "code not in the schema" "${n}s/^sex = U\$/sex = X/" \
	".*mappings/angered\\.ini:$n: 'X' is not a code of the schema for sex$"
n=$(lineof 'codelists/provider_sv\.ini' "$ini")
ingest_case "missing code list" 's#codelists/provider_sv\.ini#codelists/provider_missing.ini#' \
	".*mappings/angered\\.ini:$n: code list for provider: cannot open"

# A renamed column (not a sensitive one): the changed file is ingested (it
# replaces the earlier version's rows and episodes), map refuses; what was
# published stays.
night=$(published)
n=$(lineof '^intervention = ' "$ini")
sed -i '1s/,Insats,/,Insatsform,/' "$WORK/input/angered.csv"
expect_true "the column renamed" grep -q ',Insatsform,' "$WORK/input/angered.csv"
cp "$DB" "$WORK/copy.db"
expect_exit 0 "$PL_BIN/ingest" -q -i "$WORK/input" -m "$WORK/mappings" -d "$WORK/copy.db" -k "$KEY"
expect_exit 78 "$PL_BIN/map" -q -m "$WORK/mappings" -d "$WORK/copy.db" -k "$KEY"
re=".*mappings/angered\\.ini:$n: file 'angered\\.csv' has no column for intervention \\('insats' or its aliases\\)$"
expect_grep "renamed column: map names the mapping line and the file" "Z map E $re" "$(cat "$ERR")"
expect_eq "renamed column: map wrote no episode of the file" 0 \
	"$(sqlite3 "$WORK/copy.db" "SELECT count(*) FROM episode e JOIN input_file f USING (file_id) WHERE f.name = 'angered.csv';")"
DB_SAVED=$DB; DB=$WORK/copy.db
expect_reconciled
DB=$DB_SAVED
mixed "renamed column" map "$re" published

# The population file.
night=$(night_state)
grep -v '^2024,NORRA_HISINGEN,M,20-24,' "$WORK/population.csv.good" >"$POPULATION"
cp "$DB" "$WORK/copy.db"
expect_exit 78 "$PL_BIN/indicators" -q -c "$CATALOGUE" -p "$POPULATION" -d "$WORK/copy.db"
re=".*mappings/population/population\\.csv: population 2024 NORRA_HISINGEN M: ages missing at 20"
expect_grep "population missing an age band: names the file" "Z indicators E $re" "$(cat "$ERR")"
mixed "population missing an age band" indicators "$re"

grep -v ',ANGERED,' "$WORK/population.csv.good" >"$POPULATION"
cp "$DB" "$WORK/copy.db"
expect_exit 0 "$PL_BIN/indicators" -c "$CATALOGUE" -p "$POPULATION" -d "$WORK/copy.db"
expect_grep "population missing a district: a warning" \
	'Z indicators W .*population\.csv: the population file has no 2023 for ANGERED$' "$(cat "$ERR")"
expect_eq "population missing a district: ANGERED's rates have no value" "" \
	"$(sqlite3 "$WORK/copy.db" "SELECT indicator || ' ' || period FROM indicator_value
	     WHERE indicator = 'persons_rate_21' AND district = 'ANGERED' AND value IS NOT NULL;")"
expect_true "population missing a district: ANGERED's rate rows are there" \
	test "$(sqlite3 "$WORK/copy.db" "SELECT count(*) FROM indicator_value
	     WHERE indicator = 'persons_rate_21' AND district = 'ANGERED' AND value IS NULL AND note IS NOT NULL;")" -gt 0
expect_eq "population missing a district: the other districts' rates as before" \
	"$(q "SELECT period || ' ' || district || ' ' || value FROM indicator_value
	       WHERE indicator = 'persons_rate_21' AND breakdown = 'district' AND district != 'ANGERED' ORDER BY 1;")" \
	"$(sqlite3 "$WORK/copy.db" "SELECT period || ' ' || district || ' ' || value FROM indicator_value
	       WHERE indicator = 'persons_rate_21' AND breakdown = 'district' AND district != 'ANGERED' ORDER BY 1;")"
expect_run 0 -q
expect_eq "population missing a district: the driver's persons as before" \
	"$(sqlite3 "$WORK/copy.db" "SELECT count(*) FROM person;")" "$(q 'SELECT count(*) FROM person;')"
restore
expect_run 0 -q
expect_eq "population restored: the night's outputs again" "$night" "$(night_state)"
expect_reconciled
expect_map_reconciled

# The key file.
night=$(night_state)
chmod 644 "$KEY"
expect_exit 78 "$PL_BIN/ingest" -q -i "$WORK/input" -m "$WORK/mappings" -d "$DB" -k "$KEY"
re=".*key/pipeline\\.key: key file may be read by others \\(mode 644\\); run 'chmod 600 .*key/pipeline\\.key'$"
expect_grep "world-readable key: names it" "Z ingest E $re" "$(cat "$ERR")"
chmod 644 "$KEY"
mixed "world-readable key" ingest "$re"

mv "$KEY" "$WORK/key.saved"
expect_run 78 -q
expect_grep "missing key: ingest names the key file and refuses" \
	'Z ingest E .*key/pipeline\.key: the key file is missing, but the database .* holds values sealed with a key' \
	"$(cat "$ERR")"
expect_true "missing key: no new key made" test ! -e "$KEY"
expect_grep "missing key: the driver's summary" \
	"Z run E ingest failed: exit 78 \\(configuration error\\); map, dedup, indicators and report not run" \
	"$(tail -n 1 "$ERR")"
expect_eq "missing key: the previous night's outputs intact" "$night" "$(night_state)"
mv "$WORK/key.saved" "$KEY"
expect_run 0 -q
expect_eq "key restored: the night's outputs again" "$night" "$(night_state)"
finish

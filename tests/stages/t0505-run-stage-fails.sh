#!/usr/bin/env bash
# t0505-run-stage-fails.sh - guards how the driver stops at a stage's hard
# error:
# - broken linkage settings: dedup exits 78, so does the run; what ingest and
#   map committed stays (every file mapped), no person is made; with -q
#   stderr holds dedup's errors and one summary line naming dedup and 78;
#   once the settings are fixed the next run runs dedup (it is not skipped);
# - a mapping file with a syntax error: ingest exits 78, map and dedup do
#   not run;
# - with fake stages (--bin): each hard code of map (64 66 70 73 74 75 78)
#   is the run's code and dedup does not run; an unknown code, or a stage
#   killed by a signal, is 70; 65 from ingest goes on through map and dedup
#   and the run exits 65; a failing dedup's code is the run's.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture

cp "$LINKAGE" "$WORK/linkage.good"
sed -i 's/^threshold *=.*/threshold = high/' "$LINKAGE"
expect_run 78 -q
expect_eq "-q: all but the last line on stderr are dedup's errors" "" \
	"$(sed '$d' "$ERR" | grep -v -E '^[0-9T:-]+Z dedup E ')"
expect_grep "dedup names the line" "Z dedup E .*linkage\\.ini:[0-9]+: .*'high'" "$(cat "$ERR")"
expect_grep "summary names dedup and 78" \
	'Z run E dedup failed: exit 78 \(configuration error\); the work of ingest and map is kept; [0-9.]+ s; log ' \
	"$(tail -n 1 "$ERR")"
expect_eq "every file mapped and kept" "7|2973" \
	"$(q 'SELECT count(*), sum(rows_kept) FROM mapped_file;')"
expect_eq "no persons" 0 "$(q 'SELECT count(*) FROM person;')"
expect_eq "run recorded with 78" 78 \
	"$(q "SELECT exit_code FROM stage_run WHERE stage = 'run' ORDER BY run_id DESC LIMIT 1;")"
expect_true "no run.state after a failed dedup" test ! -e "$WORK/output/run.state"

cp "$WORK/linkage.good" "$LINKAGE"
expect_run 0 -q
expect_like "fixed: dedup runs" '0 files ingested, 7 unchanged; 0 files mapped; dedup: 2973 episodes,%' \
	"$(last_summary run)"
expect_eq "fixed: every episode has a person" 2973 "$(q 'SELECT count(*) FROM episode_person;')"

# A mapping file ingest cannot read.
n_map=$(n_runs map)
n_dedup=$(n_runs dedup)
printf 'this line is not INI\n' >>"$WORK/mappings/ostra.ini"
expect_run 78 -q
expect_grep "ingest names the mapping file's line" 'Z ingest E .*ostra\.ini:[0-9]+: ' "$(cat "$ERR")"
expect_grep "summary: map and dedup not run" \
	'Z run E ingest failed: exit 78 \(configuration error\); map and dedup not run; ' "$(tail -n 1 "$ERR")"
expect_eq "map and dedup did not run" "$n_map $n_dedup" "$(n_runs map) $(n_runs dedup)"

# Fake stages: the run's code from each stage's.
fake=$WORK/fake
fake_stages "$fake"
for code in 64 66 70 73 74 75 78; do
	rm -f "$fake/ran"
	FAKE_MAP=$code expect_run "$code" -q --bin "$fake"
	expect_eq "map exits $code: stages run" "ingest map" "$(tr '\n' ' ' <"$fake/ran" | sed 's/ $//')"
	expect_grep "map exits $code: summary" "Z run E map failed: exit $code \\(.*\\); the work of ingest is kept; dedup not run; " \
		"$(tail -n 1 "$ERR")"
	expect_grep "map exits $code: its error passed on" "Z map E fake $code" "$(cat "$ERR")"
done
rm -f "$fake/ran"
FAKE_MAP=3 expect_run 70 -q --bin "$fake"
expect_grep "unknown code 3: 70" 'Z run E map failed: exit 70 \(internal error\)' "$(tail -n 1 "$ERR")"
rm -f "$fake/ran"
FAKE_INGEST=kill expect_run 70 -q --bin "$fake"
expect_eq "ingest killed: nothing after it" ingest "$(cat "$fake/ran")"
expect_grep "ingest killed: summary" 'Z run E ingest was killed by signal 9: exit 70; map and dedup not run; ' \
	"$(tail -n 1 "$ERR")"
rm -f "$fake/ran"
FAKE_INGEST=65 expect_run 65 -q --bin "$fake"
expect_eq "ingest 65: map and dedup run" "ingest map dedup" "$(tr '\n' ' ' <"$fake/ran" | sed 's/ $//')"
expect_grep "ingest 65: summary" 'Z run E exit 65: ' "$(tail -n 1 "$ERR")"
rm -f "$fake/ran" "$WORK/output/run.state"
FAKE_DEDUP=75 expect_run 75 -q --bin "$fake"
expect_grep "dedup 75: summary" \
	'Z run E dedup failed: exit 75 \(temporary failure\); the work of ingest and map is kept; ' \
	"$(tail -n 1 "$ERR")"
finish

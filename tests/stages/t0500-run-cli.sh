#!/usr/bin/env bash
# t0500-run-cli.sh - guards the driver's command line: --help on stdout with
# every option (--catalogue, --population and --lang too), the five stages,
# the config file's keys and every exit status, exit 0; misuse (unknown
# option, an argument, a bad --keep-logs or --lang) is a short usage on
# stderr and 64; stage programs missing from --bin is 70 naming the program
# (report too), before any lock or log is made.
. "$(dirname "$0")/lib.sh"
new_fixture

expect_exit 0 "$PL_BIN/run" --help
help=$(cat "$OUT")
for opt in -i --input -m --mappings -d --db -k --key --linkage --catalogue --population \
	--lang --config --keep-logs --bin -q --quiet -v --verbose -h --help; do
	expect_grep "--help lists $opt" "(^| |, )$opt( |,|$)" "$help"
done
for code in 0 64 65 66 70 73 74 75 78; do
	expect_grep "--help lists exit status $code" "^ +$code  " "$help"
done
expect_grep "--help names the config file's keys" 'input, output_db, mappings, key, linkage' "$help"
expect_grep "--help names the config file's indicators keys" 'catalogue, population; \[run\] keep_logs' "$help"
expect_grep "--help names the stages in order" 'process: ingest, map, dedup, indicators, report\.' \
	"$(printf '%s\n' "$help" | tr '\n' ' ')"
expect_grep "--help names the report's languages" '^ +--lang LANG +language of the report: sv \(default\) or en$' \
	"$help"
expect_grep "--help names the config file's report key" '\[run\] keep_logs; \[report\] +lang\.' \
	"$(printf '%s\n' "$help" | tr '\n' ' ')"
expect_grep "--help names the report's files" 'output/report-LANG\.html, +output/report\.xlsx and output/tables/\*\.csv' \
	"$(printf '%s\n' "$help" | tr '\n' ' ')"
expect_grep "--help names the lock file" 'output/run\.lock' "$help"
expect_eq "--help: nothing on stderr" "" "$(cat "$ERR")"

for args in "--no-such-option" "extra-argument" "--keep-logs 0" "--keep-logs x" \
	"--keep-logs -3" "--lang de" "--lang SV" "--lang"; do
	# shellcheck disable=SC2086
	expect_exit 64 "$PL_BIN/run" $args
	expect_eq "run $args: stdout empty" "" "$(cat "$OUT")"
	expect_grep "run $args: usage on stderr" '^usage: run ' "$(cat "$ERR")"
done

expect_exit 70 run_pipeline --bin "$WORK/no-such-dir"
expect_grep "missing stage program named" "no-such-dir/ingest.*not found" "$(cat "$ERR")"
expect_eq "one line on stderr" 1 "$(wc -l <"$ERR")"
expect_true "no lock or log made" test ! -e "$WORK/output/run.lock" -a ! -e "$WORK/output/logs"

# The report program missing beside the others.
fake_stages "$WORK/fake"
rm "$WORK/fake/report"
expect_exit 70 run_pipeline --bin "$WORK/fake"
expect_grep "missing report program named" "fake/report.*not found" "$(cat "$ERR")"
expect_true "no stage run" test ! -e "$WORK/fake/ran"
expect_exit 64 "$PL_BIN/run" --lang de
expect_grep "--lang de: says what it wants" '^run: --lang wants sv or en$' "$(cat "$ERR")"
finish

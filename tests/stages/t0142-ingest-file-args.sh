#!/usr/bin/env bash
# t0142-ingest-file-args.sh - guards FILE... arguments: only the named files
# inside the input directory are examined; the others are left for later.
. "$(dirname "$0")/lib.sh"
new_fixture
basic_fixture basic_a.csv
{ cat "$PL_DATA/basic.csv"; printf '00000000-0004;Nyfiktiv;Nyssonsson;999 94;M;LVM;\n'; } \
	>"$WORK/input/basic_b.csv"
printf 'unclaimed\n' >"$WORK/input/zz-unclaimed.txt"

expect_ingest 0 -q basic_a.csv
expect_eq "input_file after 'ingest basic_a.csv'" "basic_a.csv" "$(names)"
expect_stats basic_a.csv "ok|4|0|1|0|0|3|3|0"

expect_ingest 0 -q basic_b.csv
expect_eq "input_file after 'ingest basic_b.csv'" "basic_a.csv basic_b.csv" "$(names)"
expect_stats basic_b.csv "ok|5|0|1|0|0|4|4|0"

expect_ingest 65 -q
expect_eq "input_file after a run on all files" "basic_a.csv basic_b.csv zz-unclaimed.txt" "$(names)"
expect_reconciled
finish

#!/usr/bin/env bash
# t0950-bench-samples.sh - the benchmark's generated exports (issue 8):
#   - gen_sample without -A writes exactly the committed samples input/ and
#     tests/data/sample-truth.txt (the -A and -M modes change nothing there);
#   - gen_sample -A writes all ten districts of ../shared/SCHEMA.md, and the
#     driver run with mappings/ plus bench/mappings/ reproduces the truth
#     (bench/truth.sh: every file's rows read, ingest and map rejects, every
#     reject by file, line and cause, unique persons per district and
#     city-wide);
#   - gen_sample -M lundby_2025-12 writes one monthly file of new persons
#     that lundby's files pattern claims: after it the incremental run
#     reproduces both truth files together (no person repeated), and a run
#     with nothing new changes nothing;
#   - -M names no source, or one only -A has, without -A: exit 64.
. "$(dirname "$0")/lib.sh"
new_fixture
gen=$PL_BIN/gen_sample
run() { "$PL_BIN/run" -q -i "$WORK/input" -m "$WORK/mappings" -d "$DB" -k "$KEY" "$@"; }

expect_exit 0 "$gen" -o "$WORK/samples" -t "$WORK/sample-truth.txt"
expect_true "default gen_sample output is the committed input/" diff -r "$PL_ROOT/input" "$WORK/samples"
expect_true "default truth is tests/data/sample-truth.txt" \
	cmp "$PL_ROOT/tests/data/sample-truth.txt" "$WORK/sample-truth.txt"

expect_exit 0 "$gen" -A -s 7 -n 6000 -o "$WORK/input" -t "$WORK/truth.txt"
expect_eq "districts of the -A truth (SCHEMA.md's list)" \
	"ANGERED ASKIM_FROLUNDA_HOGSBO CENTRUM LUNDBY MAJORNA_LINNE NORRA_HISINGEN ORGRYTE_HARLANDA OSTRA VASTRA_GBG VASTRA_HISINGEN" \
	"$(awk '$1 == "persons_mapped" && $2 != "city" && $2 != "multi_district" && $3 > 0 { print $2 }' "$WORK/truth.txt" | sort | tr '\n' ' ' | sed 's/ $//')"
cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"
cp "$PL_ROOT"/bench/mappings/*.ini "$WORK/mappings/"
expect_exit 0 run
expect_grep "cold run reproduces the -A truth" '^truth: ok: 14 files, ' \
	"$(sh "$PL_ROOT/bench/truth.sh" "$DB" "$WORK/truth.txt" 2>&1)"
expect_eq "every file ingested" "14 ok" "$(q "SELECT count(*) || ' ' || group_concat(DISTINCT status) FROM input_file;")"

expect_exit 0 "$gen" -A -s 7 -b 6000 -n 60 -M lundby_2025-12 -o "$WORK/monthly" -t "$WORK/monthly-truth.txt"
expect_eq "-M writes the one monthly file" "lundby_2025-12.csv" "$(ls "$WORK/monthly")"
expect_eq "monthly rows" 60 "$(awk '$1 == "file" && $3 == "rows_read" { print $4 }' "$WORK/monthly-truth.txt")"
cp "$WORK/monthly/lundby_2025-12.csv" "$WORK/input/"
expect_exit 0 run
expect_grep "incremental run reproduces both truth files (new persons)" '^truth: ok: 15 files, ' \
	"$(sh "$PL_ROOT/bench/truth.sh" "$DB" "$WORK/truth.txt" "$WORK/monthly-truth.txt" 2>&1)"
expect_eq "the monthly file is lundby's" "lundby" \
	"$(q "SELECT source FROM input_file WHERE name = 'lundby_2025-12.csv';")"
before=$(q "SELECT count(*) FROM person;")
expect_exit 0 run
expect_eq "nothing new: the persons stay" "$before" "$(q "SELECT count(*) FROM person;")"

expect_exit 64 "$gen" -M nowhere_2025-12 -o "$WORK/x" -t "$WORK/x.txt"
expect_exit 64 "$gen" -M centrum_2025-12 -o "$WORK/x" -t "$WORK/x.txt"
finish

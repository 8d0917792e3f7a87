#!/usr/bin/env bash
# t0512-run-nothing-new-no-checkpoint.sh - guards the time of a run with
# nothing new on a large database (issue 8: 0.867 s at 10M rows, all of it
# the driver's closing checkpoint syncing the 4.8 GB database file that had
# just been copied into place): such a run leaves the database file itself
# byte for byte as it was and its stage_run rows (ingest, map, run) in the
# write-ahead log, where SQLite reads them; the next run with work
# checkpoints them into the database file and leaves no log behind.  A
# run with work has ingest, map and dedup write in bulk (lib/db: a rollback
# journal), which needs the driver to close its own connection while a
# stage runs.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
expect_run 0 -v
expect_eq "a run with work: ingest, map and dedup wrote in bulk (the driver's connection closed)" \
	"ingest map dedup" \
	"$(grep -a -E -o ' (ingest|map|dedup|indicators|report) D writing in bulk' "$ERR" |
	   awk '{ print $1 }' | paste -s -d ' ')"
expect_eq "a run with work: none wrote through the write-ahead log" "" \
	"$(grep -a 'writing through the write-ahead log' "$ERR")"
expect_eq "a run with work: no write-ahead log left" "absent" \
	"$( [ -e "$DB-wal" ] && echo present || echo absent)"
before=$(sha256sum <"$DB")
expect_run 0 -q
after=$(sha256sum <"$DB")
expect_eq "nothing new: the database file is untouched" "$before" "$after"
expect_true "nothing new: its rows are in the write-ahead log" test -s "$DB-wal"
expect_like "nothing new: run says so, its row read through the log" \
	'nothing new: 7 files unchanged, dedup, indicators and report skipped;%' \
	"$(last_summary run)"
expect_eq "nothing new: ingest, map and run recorded, twice each" "2|2|2" \
	"$(q "SELECT sum(stage = 'ingest'), sum(stage = 'map'), sum(stage = 'run') FROM stage_run;")"

# A second run with nothing new adds to the log; still the same file.
before=$(sha256sum <"$DB")
expect_run 0 -q
expect_eq "nothing new again: the database file is untouched" "$before" "$(sha256sum <"$DB")"
expect_eq "nothing new again: three runs recorded" "3" "$(n_runs run)"

# Work again: a record removed from one file.
LC_ALL=C sed -i '50d' "$WORK/input/lundby_2024.csv"
expect_run 0 -q
expect_like "changed file: ingested" '7 files: 1 ingested, 6 unchanged,%' "$(last_summary ingest)"
expect_eq "changed file: the log checkpointed, none left" "absent" \
	"$( [ -e "$DB-wal" ] && echo present || echo absent)"
expect_eq "changed file: four runs recorded" "4" "$(n_runs run)"
finish

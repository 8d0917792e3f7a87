#!/usr/bin/env bash
# t0503-run-incremental.sh - guards the driver's incremental work on the
# samples, asserted from the stages' stage_run summaries:
# - one changed input file: only it is ingested and mapped again, the other
#   files' rows stay as they were, and dedup runs again;
# - a changed mapping file (lundby, three files): that source's files are
#   ingested and mapped again, no other, and dedup runs again;
# - changed linkage settings, a key file with a new time, a deleted
#   output/run.state, or a dedup run by hand with other settings in between:
#   ingest and map do nothing, dedup runs again (and after the hand run its
#   tables are again those of the driver's settings);
# - after each of these, the next run says "nothing new" and skips dedup.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
expect_run 0 -q

# nothing_new WHAT: the next run does no work.
nothing_new() {
	local n
	n=$(n_runs dedup)
	expect_run 0 -q
	expect_like "$1, then: run says nothing new" 'nothing new: 7 files unchanged, dedup skipped;%' \
		"$(last_summary run)"
	expect_eq "$1, then: dedup not run" "$n" "$(n_runs dedup)"
}
# dedup_again WHAT N: this run ran dedup once more than N, and ingest and map
# did nothing (2972 episodes: lundby_2024.csv has lost a record by then).
dedup_again() {
	expect_eq "$1: dedup ran again" "$(($2 + 1))" "$(n_runs dedup)"
	expect_like "$1: ingest did nothing" '7 files: 0 ingested, 7 unchanged,%' "$(last_summary ingest)"
	expect_like "$1: map did nothing" '0 files mapped, 7 unchanged;%' "$(last_summary map)"
	expect_like "$1: run summary" '0 files ingested, 7 unchanged; 0 files mapped; dedup: 2972 episodes, % persons;%' \
		"$(last_summary run)"
}
others() { # the input_file rows of the files other than $1
	q "SELECT name, file_id, sha256, ingested_at FROM input_file WHERE name NOT LIKE '$1' ORDER BY name;"
}

nothing_new "first run"

# One input file changes: a record removed from lundby_2024.csv.
before=$(others lundby_2024.csv)
n=$(n_runs dedup)
LC_ALL=C sed -i '50d' "$WORK/input/lundby_2024.csv"
expect_run 0 -q
expect_like "changed file: only it ingested" '7 files: 1 ingested, 6 unchanged, 0 duplicate, 0 failed; 218 rows read,%' \
	"$(last_summary ingest)"
expect_like "changed file: only it mapped" '1 files mapped, 6 unchanged;%' "$(last_summary map)"
expect_eq "changed file: dedup ran again" "$((n + 1))" "$(n_runs dedup)"
expect_eq "changed file: the other files' rows untouched" "$before" "$(others lundby_2024.csv)"
expect_eq "changed file: its rows" 218 \
	"$(q "SELECT rows_read FROM input_file WHERE name = 'lundby_2024.csv';")"
expect_eq "changed file: episodes of the persons" "$(q 'SELECT count(*) FROM episode;')" \
	"$(q 'SELECT count(*) FROM episode_person;')"
expect_like "changed file: run summary" '1 file ingested, 6 unchanged; 1 file mapped; dedup: % episodes, % persons;%' \
	"$(last_summary run)"
nothing_new "changed file"

# A mapping file changes (a comment): its source's three files again.
before=$(q "SELECT name, mapped_at FROM mapped_file JOIN input_file USING (file_id)
             WHERE source != 'lundby' ORDER BY name;")
n=$(n_runs dedup)
sleep 1 # mapped_at has seconds: the others' must be seen not to change
printf '; a comment changes the mapping file\n' >>"$WORK/mappings/lundby.ini"
expect_run 0 -q
expect_like "mapping changed: lundby ingested again" '7 files: 3 ingested, 4 unchanged,%' \
	"$(last_summary ingest)"
expect_like "mapping changed: lundby mapped again" '3 files mapped, 4 unchanged;%' "$(last_summary map)"
expect_eq "mapping changed: lundby's files carry the new mapping" \
	"$(sha256sum <"$WORK/mappings/lundby.ini" | cut -d' ' -f1) 3" \
	"$(q "SELECT group_concat(DISTINCT m.mapping_sha256) || ' ' || count(*) FROM mapped_file m
	       JOIN input_file USING (file_id) WHERE source = 'lundby';")"
expect_eq "mapping changed: other sources not mapped again" "$before" \
	"$(q "SELECT name, mapped_at FROM mapped_file JOIN input_file USING (file_id)
	       WHERE source != 'lundby' ORDER BY name;")"
expect_eq "mapping changed: dedup ran again" "$((n + 1))" "$(n_runs dedup)"
nothing_new "mapping changed"

# The linkage settings change.
n=$(n_runs dedup)
printf '; a comment changes the linkage settings\n' >>"$LINKAGE"
expect_run 0 -q
dedup_again "linkage changed" "$n"
nothing_new "linkage changed"

# The key file gets a new time (restored from a backup, say).
n=$(n_runs dedup)
touch -d '2020-01-01 00:00:00' "$KEY"
expect_run 0 -q
dedup_again "key file touched" "$n"
nothing_new "key file touched"

# run.state is deleted.
n=$(n_runs dedup)
rm "$WORK/output/run.state"
expect_run 0 -q
dedup_again "run.state deleted" "$n"
nothing_new "run.state deleted"

# dedup by hand with another threshold, then the driver.
want=$(pipeline_tables)
cp "$LINKAGE" "$WORK/other-linkage.ini"
sed -i 's/^threshold *=.*/threshold = 30/' "$WORK/other-linkage.ini"
expect_exit 0 "$PL_BIN/dedup" -q -c "$WORK/other-linkage.ini" -d "$DB" -k "$KEY"
expect_true "dedup by hand changed the tables" test "$want" != "$(pipeline_tables)"
n=$(n_runs dedup)
expect_run 0 -q
dedup_again "dedup by hand in between" "$n"
expect_eq "dedup by hand in between: the driver's tables again" "$want" "$(pipeline_tables)"
nothing_new "dedup by hand in between"
finish

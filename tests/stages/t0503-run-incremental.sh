#!/usr/bin/env bash
# t0503-run-incremental.sh - guards the driver's incremental work on the
# samples, asserted from the stages' stage_run summaries:
# - one changed input file: only it is ingested and mapped again, the other
#   files' rows stay as they were, and dedup and indicators run again;
# - a changed mapping file (lundby, three files) outside [source], [dialect]
#   and [columns] (a comment): that source's files are mapped again, not
#   ingested (same file_ids, the new mapping digest recorded), no other;
#   dedup runs again as a night (its old episodes unchanged) and so does
#   indicators;
# - a changed [dialect] (max_field_bytes): lundby's files are ingested and
#   mapped again, no other;
# - changed linkage settings, a key file with a new time, a deleted
#   output/run.state, or a dedup run by hand with other settings in between:
#   ingest and map do nothing, dedup runs again and so does indicators (and
#   after the hand run the tables are again those of the driver's settings);
# - a changed population file (one number) or indicator catalogue, an
#   indicators run by hand with another population file in between, or a
#   run.state of the old format (dedup's lines only): indicators runs again,
#   dedup does not (and after the hand run the indicator tables are again
#   those of the driver's files);
# - report runs after every dedup or indicators run (its CSV tables then
#   those of report by hand); a run.state from before report (without its
#   lines) runs report again and nothing else;
# - after each of these, the next run says "nothing new" and skips dedup,
#   indicators and report (report-sv.html not written again).
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
expect_run 0 -q

# nothing_new WHAT: the next run does no work.
nothing_new() {
	local n ni t
	n=$(n_runs dedup)
	ni=$(n_runs indicators)
	t=$(mtime "$WORK/output/report-sv.html")
	expect_run 0 -q
	expect_like "$1, then: run says nothing new" \
		'nothing new: 7 files unchanged, dedup, indicators and report skipped;%' \
		"$(last_summary run)"
	expect_eq "$1, then: dedup not run" "$n" "$(n_runs dedup)"
	expect_eq "$1, then: indicators not run" "$ni" "$(n_runs indicators)"
	expect_eq "$1, then: report not run" "$t" "$(mtime "$WORK/output/report-sv.html")"
}
# report_of_db WHAT: the report's CSV tables are those report makes by hand
# from the database now.
report_of_db() {
	rm -rf "$WORK/hand"
	expect_exit 0 "$PL_BIN/report" -q -d "$DB" -o "$WORK/hand"
	expect_eq "$1: the report's tables are the database's" "$(report_csv "$WORK/hand")" "$(report_csv)"
}
# dedup_again WHAT N NI: this run ran dedup once more than N and indicators
# once more than NI (after a dedup, the persons may differ), and ingest and
# map did nothing (2972 episodes: lundby_2024.csv has lost a record by then).
dedup_again() {
	expect_eq "$1: dedup ran again" "$(($2 + 1))" "$(n_runs dedup)"
	expect_eq "$1: indicators ran again" "$(($3 + 1))|0" \
		"$(q "SELECT count(*), (SELECT exit_code FROM stage_run WHERE stage = 'indicators'
		        ORDER BY run_id DESC LIMIT 1) FROM stage_run WHERE stage = 'indicators';")"
	expect_like "$1: ingest did nothing" '7 files: 0 ingested, 7 unchanged,%' "$(last_summary ingest)"
	expect_like "$1: map did nothing" '0 files mapped, 7 unchanged;%' "$(last_summary map)"
	expect_like "$1: run summary" '0 files ingested, 7 unchanged; 0 files mapped; dedup: 2972 episodes, % persons; indicators: % indicators over % persons, 2972 episodes; report: % tables, % cells;%' \
		"$(last_summary run)"
	report_of_db "$1"
}
# indicators_again WHAT N NI: this run ran indicators once more than NI and
# dedup not (N runs still); ingest and map did nothing.
indicators_again() {
	expect_eq "$1: dedup not run" "$2" "$(n_runs dedup)"
	expect_eq "$1: indicators ran again, exit 0" "$(($3 + 1))|0" \
		"$(q "SELECT count(*), (SELECT exit_code FROM stage_run WHERE stage = 'indicators'
		        ORDER BY run_id DESC LIMIT 1) FROM stage_run WHERE stage = 'indicators';")"
	expect_like "$1: run summary" '0 files ingested, 7 unchanged; 0 files mapped; dedup skipped (nothing it reads changed); indicators: % indicators over % persons, 2972 episodes; report: % tables, % cells;%' \
		"$(last_summary run)"
	report_of_db "$1"
}
others() { # the input_file rows of the files other than $1
	q "SELECT name, file_id, sha256, ingested_at FROM input_file WHERE name NOT LIKE '$1' ORDER BY name;"
}

nothing_new "first run"

# One input file changes: a record removed from lundby_2024.csv.
before=$(others lundby_2024.csv)
n=$(n_runs dedup)
ni=$(n_runs indicators)
LC_ALL=C sed -i '50d' "$WORK/input/lundby_2024.csv"
expect_run 0 -q
expect_like "changed file: only it ingested" '7 files: 1 ingested, 6 unchanged, 0 duplicate, 0 failed; 218 rows read,%' \
	"$(last_summary ingest)"
expect_like "changed file: only it mapped" '1 files mapped, 6 unchanged;%' "$(last_summary map)"
expect_eq "changed file: dedup ran again" "$((n + 1))" "$(n_runs dedup)"
expect_eq "changed file: indicators ran again" "$((ni + 1))" "$(n_runs indicators)"
expect_eq "changed file: the other files' rows untouched" "$before" "$(others lundby_2024.csv)"
expect_eq "changed file: its rows" 218 \
	"$(q "SELECT rows_read FROM input_file WHERE name = 'lundby_2024.csv';")"
expect_eq "changed file: episodes of the persons" "$(q 'SELECT count(*) FROM episode;')" \
	"$(q 'SELECT count(*) FROM episode_person;')"
expect_like "changed file: run summary" '1 file ingested, 6 unchanged; 1 file mapped; dedup: % episodes, % persons; indicators: % indicators over % persons, 2972 episodes; report: % tables, % cells;%' \
	"$(last_summary run)"
report_of_db "changed file"
nothing_new "changed file"

# A mapping file changes outside what ingest reads (a comment): its
# source's three files are mapped again, not ingested.
before=$(q "SELECT name, mapped_at FROM mapped_file JOIN input_file USING (file_id)
             WHERE source != 'lundby' ORDER BY name;")
lundby_files=$(q "SELECT file_id, name, sha256, ingested_at, ingest_sha256 FROM input_file
                   WHERE source = 'lundby' ORDER BY name;")
n=$(n_runs dedup)
ni=$(n_runs indicators)
sleep 1 # mapped_at has seconds: the others' must be seen not to change
printf '; a comment changes the mapping file\n' >>"$WORK/mappings/lundby.ini"
sha=$(sha256sum <"$WORK/mappings/lundby.ini" | cut -d' ' -f1)
expect_run 0 -q
expect_like "mapping changed: lundby not ingested again" '7 files: 0 ingested, 7 unchanged,%' \
	"$(last_summary ingest)"
expect_eq "mapping changed: lundby's files keep their rows (file_id, sha256, ingested_at)" \
	"$lundby_files" "$(q "SELECT file_id, name, sha256, ingested_at, ingest_sha256 FROM input_file
	                       WHERE source = 'lundby' ORDER BY name;")"
expect_eq "mapping changed: input_file records the new mapping file" "$sha 3" \
	"$(q "SELECT group_concat(DISTINCT mapping_sha256) || ' ' || count(*) FROM input_file
	       WHERE source = 'lundby';")"
expect_like "mapping changed: lundby mapped again" '3 files mapped, 4 unchanged;%' "$(last_summary map)"
expect_eq "mapping changed: lundby's files carry the new mapping" "$sha 3" \
	"$(q "SELECT group_concat(DISTINCT m.mapping_sha256) || ' ' || count(*) FROM mapped_file m
	       JOIN input_file USING (file_id) WHERE source = 'lundby';")"
expect_eq "mapping changed: other sources not mapped again" "$before" \
	"$(q "SELECT name, mapped_at FROM mapped_file JOIN input_file USING (file_id)
	       WHERE source != 'lundby' ORDER BY name;")"
expect_eq "mapping changed: dedup ran again" "$((n + 1))" "$(n_runs dedup)"
expect_like "mapping changed: dedup ran as a night (no episode new)" \
	'%pairs scored for 0 new episodes,%written: persons 0 new, 0 changed, 0 gone;%' \
	"$(last_summary dedup)"
expect_eq "mapping changed: indicators ran again" "$((ni + 1))" "$(n_runs indicators)"
nothing_new "mapping changed"

# The mapping file's [dialect] changes: its source's files are ingested again.
n=$(n_runs dedup)
sed -i 's/^max_field_bytes = 65536$/max_field_bytes = 65537/' "$WORK/mappings/lundby.ini"
expect_eq "dialect changed: lundby.ini has the new limit" 1 \
	"$(grep -c -x 'max_field_bytes = 65537' "$WORK/mappings/lundby.ini")"
expect_run 0 -q
expect_like "dialect changed: lundby ingested again" '7 files: 3 ingested, 4 unchanged,%' \
	"$(last_summary ingest)"
expect_like "dialect changed: lundby mapped again" '3 files mapped, 4 unchanged;%' "$(last_summary map)"
expect_eq "dialect changed: dedup ran again" "$((n + 1))" "$(n_runs dedup)"
nothing_new "dialect changed"

# The linkage settings change.
n=$(n_runs dedup)
ni=$(n_runs indicators)
printf '; a comment changes the linkage settings\n' >>"$LINKAGE"
expect_run 0 -q
dedup_again "linkage changed" "$n" "$ni"
nothing_new "linkage changed"

# The key file gets a new time (restored from a backup, say).
n=$(n_runs dedup)
ni=$(n_runs indicators)
touch -d '2020-01-01 00:00:00' "$KEY"
expect_run 0 -q
dedup_again "key file touched" "$n" "$ni"
nothing_new "key file touched"

# run.state is deleted.
n=$(n_runs dedup)
ni=$(n_runs indicators)
rm "$WORK/output/run.state"
expect_run 0 -q
dedup_again "run.state deleted" "$n" "$ni"
nothing_new "run.state deleted"

# dedup by hand with another threshold, then the driver.
want=$(pipeline_tables; indicator_tables)
cp "$LINKAGE" "$WORK/other-linkage.ini"
sed -i 's/^threshold *=.*/threshold = 30/' "$WORK/other-linkage.ini"
expect_exit 0 "$PL_BIN/dedup" -q -c "$WORK/other-linkage.ini" -d "$DB" -k "$KEY"
expect_true "dedup by hand changed the tables" test "$want" != "$(pipeline_tables; indicator_tables)"
n=$(n_runs dedup)
ni=$(n_runs indicators)
expect_run 0 -q
dedup_again "dedup by hand in between" "$n" "$ni"
expect_eq "dedup by hand in between: the driver's tables again" "$want" \
	"$(pipeline_tables; indicator_tables)"
nothing_new "dedup by hand in between"

# The population file changes: one number, in the fixture's copy.
CAT=$WORK/mappings/indicators/indicators.ini
POP=$WORK/mappings/population/population.csv
persons=$(pipeline_tables)
figures=$(indicator_tables)
n=$(n_runs dedup)
ni=$(n_runs indicators)
year=$(q "SELECT max(period) FROM indicator_value WHERE period GLOB '[0-9][0-9][0-9][0-9]';")
expect_eq "population: the row to change is there" 1 \
	"$(grep -c "^$year,ANGERED,M,30-34," "$POP")"
sed -i -E "s/^($year,ANGERED,M,30-34),([0-9]+)\$/\1,\2000/" "$POP"
expect_eq "population: the number changed" 1 "$(grep -c -E "^$year,ANGERED,M,30-34,[0-9]+000\$" "$POP")"
expect_run 0 -q
indicators_again "population changed" "$n" "$ni"
expect_eq "population changed: the persons' tables as they were" "$persons" "$(pipeline_tables)"
expect_true "population changed: the figures changed" test "$figures" != "$(indicator_tables)"
nothing_new "population changed"

# The catalogue changes (a comment).
n=$(n_runs dedup)
ni=$(n_runs indicators)
figures=$(indicator_tables)
printf '; a comment changes the catalogue\n' >>"$CAT"
expect_run 0 -q
indicators_again "catalogue changed" "$n" "$ni"
expect_eq "catalogue changed: the same figures" "$figures" "$(indicator_tables)"
nothing_new "catalogue changed"

# indicators by hand with another population file, then the driver.
cp "$POP" "$WORK/other-population.csv"
sed -i -E "s/^($year,ANGERED,M,30-34),([0-9]+)000\$/\1,\2/" "$WORK/other-population.csv"
expect_exit 0 "$PL_BIN/indicators" -q -c "$CAT" -p "$WORK/other-population.csv" -d "$DB"
expect_true "indicators by hand changed the figures" test "$figures" != "$(indicator_tables)"
n=$(n_runs dedup)
ni=$(n_runs indicators)
expect_run 0 -q
indicators_again "indicators by hand in between" "$n" "$ni"
expect_eq "indicators by hand in between: the driver's figures again" "$figures" \
	"$(indicator_tables)"
nothing_new "indicators by hand in between"

# A run.state of the old format, from before indicators: dedup's lines only.
grep -E '^dedup_(inputs|run_id) = ' "$WORK/output/run.state" >"$WORK/old.state"
expect_eq "old format: two lines" 2 "$(wc -l <"$WORK/old.state")"
mv "$WORK/old.state" "$WORK/output/run.state"
n=$(n_runs dedup)
ni=$(n_runs indicators)
expect_run 0 -q
indicators_again "old run.state" "$n" "$ni"
expect_eq "old run.state: rewritten with the three stages" \
	"dedup_inputs dedup_run_id indicators_inputs indicators_run_id report_inputs report_run_id" \
	"$(grep -v '^#' "$WORK/output/run.state" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
nothing_new "old run.state"

# A run.state from before report: dedup's and indicators' lines only.
grep -E '^(dedup|indicators)_(inputs|run_id) = ' "$WORK/output/run.state" >"$WORK/old.state"
expect_eq "before report: four lines" 4 "$(wc -l <"$WORK/old.state")"
mv "$WORK/old.state" "$WORK/output/run.state"
n=$(n_runs dedup)
ni=$(n_runs indicators)
t=$(mtime "$WORK/output/report-sv.html")
expect_run 0 -q
expect_like "run.state before report: only report runs" '0 files ingested, 7 unchanged; 0 files mapped; dedup skipped (nothing it reads changed); indicators skipped (nothing it reads changed); report: % tables, % cells;%' \
	"$(last_summary run)"
expect_eq "run.state before report: dedup and indicators not run" "$n $ni" \
	"$(n_runs dedup) $(n_runs indicators)"
expect_true "run.state before report: report-sv.html written again" \
	test "$t" != "$(mtime "$WORK/output/report-sv.html")"
expect_eq "run.state before report: report keyed on the last indicators run" \
	"$(q "SELECT max(run_id) FROM stage_run WHERE stage = 'indicators';")" \
	"$(sed -n 's/^report_run_id = //p' "$WORK/output/run.state")"
nothing_new "run.state before report"
finish

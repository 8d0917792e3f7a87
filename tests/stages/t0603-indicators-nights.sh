#!/usr/bin/env bash
# t0603-indicators-nights.sh - the indicators stage keeps its sums and
# persons between runs (output/pipeline.db.indicators, schema.sql
# indicator_state) and a night counts only the persons that changed, with
# the tables a full count gives (docs/indicators.md, "Nights"), on the
# repository's samples with lundby_2025.csv held back:
# - a first run counts in full ("no sums kept yet"); the state file is
#   mode 0600 and its header's generation is the row's; dedup's first run
#   starts epoch 1 and logs nothing;
# - lundby_2025.csv added: indicators counts a night (181 episodes of new
#   files, as many moved as dedup logged: which depends on the key) and
#   empties person_change; every indicator table equals that of a full
#   count (the state file removed: "the state file is missing");
# - an episode moved by hand as dedup would (the only episode of its
#   person, to another person, logged): a night of those two persons, the
#   tables of a full count, and not those of before;
# - each reason to count in full, with the same tables: the catalogue
#   edited; the state file of an earlier run put back (another
#   generation); the state file damaged; dedup's epoch moved on; every
#   episode moved to another person (more than an eighth of the persons
#   changed); an episode logged as moved from a person the state file does
#   not have it under; a file counted replaced (its sha256 another); a
#   file read again by ingest for an edit of its [columns] (ostra2.csv,
#   added last: its row anew with the same file_id and sha256);
# - a mapping file edited: map maps lundby's files again in place; a
#   comment changes no episode (a night of no one, the same tables); a
#   recode and an [unmapped] code (18 episodes updated, one inserted) make
#   a night of those episodes with the tables of a full count;
# - map's changes in place made by hand as map logs them (episode_before,
#   person_change; old_key 0 for an insert): an episode's intervention and
#   cost updated, one's start moved inside the period, one deleted, one
#   inserted: each a night, the logs emptied, the tables of a full count
#   and not those of before; a start moved in the last or the first year,
#   an end moved off the latest date, the episode of the latest start
#   deleted: each counted in full ("an episode changed in place held the
#   first or last date counted") with the tables of a full count, then a
#   night;
# - the persons file gains a run a night; at the eighth, runs since the
#   first that weigh less than it are merged into one run appended to the
#   file (six moves by hand: the first run as it was, the merged one after
#   the eighth), and runs that outweigh it are merged with it into a whole
#   new file as large as a full count's (seven nights of 120 persons moved
#   to one, after a full count); the tables each time a full count's;
# - after each, a run with nothing changed is a night again; no temporary
#   state file is left behind, and one a killed run left is removed.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
STATE=$DB.indicators
PERSONS=$DB.indicators-persons
mv "$WORK/input/lundby_2025.csv" "$WORK/lundby_2025.csv"

# generation_of FILE: the generation in a state file's header (bytes 24..31).
generation_of() { od -An -t u8 -j 24 -N 8 "$1" | tr -d ' '; }
# runs_of FILE: the runs of the persons file it names (bytes 88..95).
runs_of() { od -An -t u8 -j 88 -N 8 "$1" | tr -d ' '; }

expect_run 0 -v
expect_grep "first run: counted in full" 'indicators I counting in full: no sums kept yet' "$(cat "$ERR")"
expect_grep "first run: dedup starts an epoch" 'dedup D person tables written anew: a new epoch for the indicators stage' \
	"$(cat "$ERR")"
expect_eq "first run: the state and persons files are the owner's only" "600 600" \
	"$(stat -c %a "$STATE") $(stat -c %a "$PERSONS")"
expect_eq "first run: the persons file holds one run" "1" "$(runs_of "$STATE")"
expect_eq "first run: the row names the file and its generation" \
	"$(basename "$STATE") $(generation_of "$STATE") 1" \
	"$(q 'SELECT state_file, generation, epoch FROM indicator_state;' | tr '|' ' ')"
expect_eq "first run: epoch 1, nothing logged" "1 0" \
	"$(q 'SELECT (SELECT epoch FROM person_epoch), (SELECT count(*) FROM person_change);' | tr '|' ' ')"

# The night.  Which episodes dedup moves depends on the key, so the count
# it logs is read from its log and must be the one indicators took in.
mv "$WORK/lundby_2025.csv" "$WORK/input/"
expect_run 0 -v
logged=$(sed -n "s/.*dedup D \([0-9]*\) episodes' persons logged for the indicators stage$/\1/p" "$ERR")
expect_true "night: dedup logged its moves" test -n "$logged"
expect_grep "night: indicators counted the changes only" \
	"indicators D a night: 181 episodes of new files, $logged moved, 0 changed in place, [0-9]+ persons changed" \
	"$(cat "$ERR")"
expect_eq "night: not counted in full" "" "$(grep 'counting in full' "$ERR")"
expect_eq "night: the log emptied, the epoch kept" "0 1" \
	"$(q 'SELECT (SELECT count(*) FROM person_change), (SELECT epoch FROM person_epoch);' | tr '|' ' ')"
expect_eq "night: the new generation recorded" "$(generation_of "$STATE")" \
	"$(q 'SELECT generation FROM indicator_state;')"
expect_eq "night: the changed persons appended to the persons file as a run" "2" \
	"$(runs_of "$STATE")"

# counted: the persons and episodes the last indicators run counted.
counted() { grep -a -o 'indicators over [0-9]* persons, [0-9]* episodes' "$ERR" | tail -n 1; }

# full_tables: $FULL, the indicator tables of this database counted in
# full (a copy without the state file), and $FULL_COUNTED, what it counted.
full_tables() {
	rm -f "$WORK/full.db" "$WORK/full.db.indicators" "$WORK/full.db.indicators-persons"
	cp "$DB" "$WORK/full.db"
	expect_exit 0 "$PL_BIN/indicators" -v -c "$CATALOGUE" -p "$POPULATION" -d "$WORK/full.db"
	expect_grep "full count: why" 'indicators I counting in full: the state file is missing' \
		"$(cat "$ERR")"
	FULL=$(indicator_tables "$WORK/full.db")
	FULL_COUNTED=$(counted)
}
# as_full_count WHAT BEFORE: after a night of changes, the logs emptied,
# the tables and what was counted those of a full count, the tables not
# BEFORE.
as_full_count() {
	local tables now_counted
	expect_eq "$1: the logs emptied" "0 0" \
		"$(q 'SELECT (SELECT count(*) FROM person_change), (SELECT count(*) FROM episode_before);' |
		   tr '|' ' ')"
	tables=$(indicator_tables)
	now_counted=$(counted)
	full_tables
	expect_eq "$1: the tables of a full count" "$FULL" "$tables"
	expect_eq "$1: the persons and episodes of a full count" "$FULL_COUNTED" "$now_counted"
	expect_eq "$1: the figures changed" "changed" \
		"$([ "$tables" != "$2" ] && echo changed || echo "the same")"
}
night=$(indicator_tables)
night_counted=$(counted)
expect_true "night: tables" test -n "$night"
full_tables
expect_eq "night: the tables of a full count" "$FULL" "$night"
expect_eq "night: the persons and episodes of a full count" "$FULL_COUNTED" "$night_counted"

# full_because WHY: indicators counts in full, saying WHY, with the night's
# tables; then again, with nothing changed, as a night.
full_because() {
	expect_indicators 0 -v
	expect_grep "$1: counted in full" "indicators I counting in full: $1" "$(cat "$ERR")"
	expect_eq "$1: the same tables" "$night" "$(indicator_tables)"
	expect_indicators 0 -v
	expect_grep "$1: then a night" 'indicators D a night: 0 episodes of new files, 0 moved, 0 changed in place, 0 persons changed' \
		"$(cat "$ERR")"
	expect_eq "$1: then the same tables" "$night" "$(indicator_tables)"
}

printf '\n; a comment\n' >>"$CATALOGUE"
full_because "the catalogue, the population or the code lists changed"

cp "$STATE" "$WORK/state.before"
expect_indicators 0 -q
cp "$WORK/state.before" "$STATE"
full_because "the state file is not the one the database records"

head -c 40 "$STATE" >"$WORK/state.cut" && cat "$WORK/state.cut" >"$STATE"
full_because "the state file is damaged or of another format"
rm "$PERSONS"
full_because "the persons file is missing"
truncate -s 100 "$PERSONS"
full_because "the persons file is not the one the state file names"

q "UPDATE person_epoch SET epoch = epoch + 1;"
full_because "dedup wrote the person tables anew"

# A mapping file edited: map maps lundby's files again in place and logs
# what it changes (person_change, episode_before); a comment changes no
# episode, so the files counted are as they were and the night changes no
# one.
printf '# a comment\n' >>"$WORK/mappings/lundby.ini"
expect_run 0 -v
expect_like "mapping edited: lundby mapped again" "3 files mapped,%" "$(last_summary map)"
expect_grep "mapping edited: a night of no one" \
	'indicators D a night: 0 episodes of new files, 0 moved, 0 changed in place, 0 persons changed' \
	"$(cat "$ERR")"
expect_eq "mapping edited: not counted in full" "" "$(grep 'counting in full' "$ERR")"
expect_eq "mapping edited: the same tables" "$night" "$(indicator_tables)"

# A mapping edit that changes episodes: Träningsboende recoded from HOUSE
# to HSUP (18 episodes of lundby's three files updated in place, their
# before-images logged) and an unmapped intervention made OTHER instead of
# a reject (lundby_2024.csv:204 inserted, old_key 0): a night of the
# persons changed, with the tables of a full count; the logs emptied.
sed -i 's/^intervention = reject$/intervention = OTHER/' "$WORK/mappings/lundby.ini"
printf '\n[recode intervention]\nTräningsboende = HSUP\n' >>"$WORK/mappings/lundby.ini"
expect_run 0 -v
expect_grep "recoded: mapped again in place" \
	' map I .*; 3 mapped again in place: 18 episodes changed, 1 added, 0 removed$' "$(cat "$ERR")"
expect_grep "recoded: a night of the episodes changed in place" \
	"indicators D a night: 0 episodes of new files, [0-9]+ moved, 19 changed in place, [0-9]+ persons changed" \
	"$(cat "$ERR")"
expect_eq "recoded: not counted in full" "" "$(grep 'counting in full' "$ERR")"
as_full_count recoded "$night"

# A file read again by ingest with its content unchanged (what ingest
# reads of its mapping file edited) gets a new row, mapped afresh with no
# log; the last file's row keeps its file_id (SQLite's next rowid) and its
# sha256.  ostra2.csv, the first ten rows of ostra.csv under a source of
# its own, added last (a night), then cost_sek dropped from its
# [columns]: counted in full, with the tables of a full count.
{ head -n 11 "$WORK/input/ostra.csv"; tail -n 2 "$WORK/input/ostra.csv"; } >"$WORK/input/ostra2.csv"
sed -e 's/^name = ostra$/name = ostra2/' -e 's/^files = ostra\.csv$/files = ostra2.csv/' \
	"$WORK/mappings/ostra.ini" >"$WORK/mappings/ostra2.ini"
expect_run 0 -v
expect_grep "ostra2 added: a night" 'indicators D a night: 10 episodes of new files, ' "$(cat "$ERR")"
ostra2=$(q "SELECT file_id, sha256 FROM input_file WHERE name = 'ostra2.csv';")
expect_eq "ostra2 added: the last file" "$(q 'SELECT max(file_id) FROM input_file;')" "${ostra2%%|*}"
added=$(indicator_tables)
sed -i 's/^cost_sek = Kostnad$//' "$WORK/mappings/ostra2.ini"
expect_run 0 -v
expect_grep "ostra2 read again" ' ingest I ostra2.csv: 10 rows read, 10 kept' "$(cat "$ERR")"
expect_eq "ostra2 read again: its file_id and sha256 kept" "$ostra2" \
	"$(q "SELECT file_id, sha256 FROM input_file WHERE name = 'ostra2.csv';")"
expect_grep "ostra2 read again: counted in full" \
	'indicators I counting in full: a file counted before was replaced or is gone' "$(cat "$ERR")"
reread=$(indicator_tables)
full_tables
expect_eq "ostra2 read again: the tables of a full count" "$FULL" "$reread"
expect_eq "ostra2 read again: the figures changed" "changed" \
	"$([ "$reread" != "$added" ] && echo changed || echo "the same")"
night=$reread

# A move as dedup logs it, made by hand: the episode of a person with no
# other goes to the person of the last episode; that person is gone.
move=$(q "SELECT ep.file_id, ep.line, ep.person_key FROM episode_person ep
	    WHERE (SELECT count(*) FROM episode_person o WHERE o.person_key = ep.person_key) = 1
	    ORDER BY 1, 2 LIMIT 1;")
expect_true "an episode alone in its person" test -n "$move"
# move_alone: that move, made by hand.
move_alone() {
	local move mf ml mk
	move=$(q "SELECT ep.file_id, ep.line, ep.person_key FROM episode_person ep
		    WHERE (SELECT count(*) FROM episode_person o
			   WHERE o.person_key = ep.person_key) = 1
		    ORDER BY 1, 2 LIMIT 1;")
	IFS='|' read -r mf ml mk <<<"$move"
	q "UPDATE episode_person SET person_key = (SELECT person_key FROM episode_person
		ORDER BY file_id DESC, line DESC LIMIT 1) WHERE file_id = $mf AND line = $ml;
	   INSERT INTO person_change (file_id, line, old_key) VALUES ($mf, $ml, $mk);"
}
move_alone
expect_indicators 0 -v
expect_grep "moved: a night of the two persons" \
	'indicators D a night: 0 episodes of new files, 1 moved, 0 changed in place, 2 persons changed' "$(cat "$ERR")"
moved=$(indicator_tables)
full_tables
expect_eq "moved: the tables of a full count" "$FULL" "$moved"
expect_true "moved: the figures changed" test "$moved" != "$night"
expect_eq "moved: the persons file's second run (ostra2 read again: counted in full)" "2" \
	"$(runs_of "$STATE")"

# run_i64 N: the persons file's run N (from 0): its offset and end, from
# the state file's header (offsets at 96, ends after the eight offsets).
run_i64() {
	printf '%s %s' "$(od -An -t u8 -j $((96 + 8 * $1)) -N 8 "$STATE" | tr -d ' ')" \
		"$(od -An -t u8 -j $((160 + 8 * $1)) -N 8 "$STATE" | tr -d ' ')"
}

# Six more such moves: a run each (3 to 7); at the eighth (move 6) the
# runs since the first weigh less than it, and are merged into one run
# appended to the file, the first as it was, the space of the merged runs
# between; a night after reads it, and each equals a full count.
first=$(run_i64 0)
for i in 1 2 3 4 5 6; do
	[ "$i" == 6 ] && end7=$(stat -c %s "$PERSONS")
	move_alone
	expect_indicators 0 -v
	expect_grep "move $i: a night" 'indicators D a night: 0 episodes of new files, 1 moved, 0 changed in place, 2 persons changed' \
		"$(cat "$ERR")"
	expect_eq "move $i: the persons file's runs" "$(( i < 6 ? i + 2 : 2 ))" "$(runs_of "$STATE")"
done
expect_grep "move 6: the runs since the first merged" \
	"indicators D the persons file's runs since the first merged into one: " "$(cat "$ERR")"
read -r m_off m_end <<<"$(run_i64 1)"
expect_eq "move 6: the first run as it was; the merged one after the eighth run, to the file's end" \
	"$first 1 $(stat -c %s "$PERSONS")" "$(run_i64 0) $((m_off > end7)) $m_end"
moved=$(indicator_tables)
moved_counted=$(counted)
full_tables
expect_eq "six moves: the tables of a full count" "$FULL" "$moved"
expect_eq "six moves: the persons and episodes of a full count" "$FULL_COUNTED" "$moved_counted"
move_alone
expect_indicators 0 -v
expect_eq "a move after the merge: the persons file's third run" "3" "$(runs_of "$STATE")"
moved=$(indicator_tables)
full_tables
expect_eq "a move after the merge: the tables of a full count" "$FULL" "$moved"

# Changes map makes in place, made by hand as it logs them (schema.sql,
# episode_before): each episode updated or deleted as it was into
# episode_before and its person into person_change, the first of each
# kept; each inserted into person_change with old_key 0.
# log_in_place WHERE: that log of the episode WHERE picks.
log_in_place() {
	q "INSERT OR IGNORE INTO episode_before SELECT * FROM episode WHERE $1;
	   INSERT OR IGNORE INTO person_change SELECT file_id, line, person_key
	     FROM episode_person WHERE $1;"
}
# the_period: the first and last year of the episodes' start dates and the
# latest date (as_of), as SQL columns lo, hi, as_of.
the_period="(SELECT min(substr(start_date, 1, 4)) AS lo, max(substr(start_date, 1, 4)) AS hi,
	       max(max(start_date), max(coalesce(end_date, ''))) AS as_of FROM episode)"
# pick_episode WHERE [N]: the Nth (from 0) episode of a counted file, in
# (file_id, line) order, that WHERE (on e and the_period y) picks, as
# "file_id line".
pick_episode() {
	q "SELECT e.file_id, e.line FROM episode e, $the_period y
	    WHERE e.file_id <= (SELECT max_file_id FROM indicator_state) AND ($1)
	    ORDER BY e.file_id, e.line LIMIT 1 OFFSET ${2:-0};" | tr '|' ' '
}
INNER="substr(e.start_date, 1, 4) > y.lo AND substr(e.start_date, 1, 4) < y.hi
       AND coalesce(e.end_date, '') < y.as_of"
# night_in_place WHAT: indicators a night of one episode changed in place
# and its one person; the logs emptied; the tables and persons of a full
# count, and tables not those of before.
night_in_place() {
	local before changed changed_counted
	before=$(indicator_tables)
	expect_indicators 0 -v
	expect_grep "$1: a night" \
		'indicators D a night: 0 episodes of new files, 0 moved, 1 changed in place, 1 persons changed' \
		"$(cat "$ERR")"
	expect_eq "$1: not counted in full" "" "$(grep 'counting in full' "$ERR")"
	as_full_count "$1" "$before"
}

# An episode of the last year (its dates held nothing, they do not change)
# with another intervention and cost, updated in place.
read -r cf cl <<<"$(pick_episode "substr(e.start_date, 1, 4) = y.hi AND e.start_date < y.as_of
				   AND coalesce(e.end_date, '') < y.as_of")"
expect_true "updated: an episode of the last year" test -n "$cl"
log_in_place "file_id = $cf AND line = $cl"
q "UPDATE episode SET intervention = CASE intervention WHEN 'OPEN' THEN 'INST' ELSE 'OPEN' END,
     cost_sek = coalesce(cost_sek, 0) + 1000 WHERE file_id = $cf AND line = $cl;"
night_in_place "updated in place"

# The only episode of its person, of a year between the first and the
# last and ongoing on 1 November, its start moved to 2 November: its
# dates held none of the period's ends, a night.
read -r cf cl <<<"$(pick_episode "$INNER AND e.start_date < substr(e.start_date, 1, 4) || '-11-01'
	AND (e.end_date IS NULL OR e.end_date > substr(e.start_date, 1, 4) || '-11-02')
	AND (SELECT count(*) FROM episode_person o JOIN episode_person p USING (person_key)
	      WHERE p.file_id = e.file_id AND p.line = e.line) = 1")"
expect_true "start moved: an episode inside the period" test -n "$cl"
log_in_place "file_id = $cf AND line = $cl"
q "UPDATE episode SET start_date = substr(start_date, 1, 4) || '-11-02'
    WHERE file_id = $cf AND line = $cl;"
night_in_place "start moved inside the period"

# An episode deleted in place (its episode_person row by the cascade).
read -r cf cl <<<"$(pick_episode "$INNER" 1)"
expect_true "deleted: an episode inside the period" test -n "$cl"
log_in_place "file_id = $cf AND line = $cl"
q "PRAGMA foreign_keys = ON; DELETE FROM episode WHERE file_id = $cf AND line = $cl;"
expect_eq "deleted: its person's row gone with it" "0" \
	"$(q "SELECT count(*) FROM episode_person WHERE file_id = $cf AND line = $cl;")"
night_in_place "deleted in place"

# An episode inserted into a file counted (a row the old mapping
# rejected), a copy of another at a new line, given that one's person.
read -r cf cl <<<"$(pick_episode "$INNER" 2)"
expect_true "inserted: an episode to copy" test -n "$cl"
nl=$(q "SELECT max(line) + 1 FROM episode WHERE file_id = $cf;")
q "CREATE TEMP TABLE t AS SELECT * FROM episode WHERE file_id = $cf AND line = $cl;
   UPDATE t SET line = $nl;
   INSERT INTO episode SELECT * FROM t;
   INSERT INTO episode_person (file_id, line, person_key, step)
     SELECT file_id, $nl, person_key, step FROM episode_person WHERE file_id = $cf AND line = $cl;
   INSERT INTO person_change (file_id, line, old_key) VALUES ($cf, $nl, 0);"
night_in_place "inserted in place"

# in_place_full WHAT: indicators counts in full, an episode changed in
# place having held the first or last date counted; the logs emptied;
# the tables of a full count; then, with nothing changed, a night.
in_place_full() {
	local changed
	expect_indicators 0 -v
	expect_grep "$1: counted in full" \
		'indicators I counting in full: an episode changed in place held the first or last date counted' \
		"$(cat "$ERR")"
	expect_eq "$1: the logs emptied" "0 0" \
		"$(q 'SELECT (SELECT count(*) FROM person_change), (SELECT count(*) FROM episode_before);' |
		   tr '|' ' ')"
	changed=$(indicator_tables)
	full_tables
	expect_eq "$1: the tables of a full count" "$FULL" "$changed"
	expect_indicators 0 -v
	expect_grep "$1: then a night" \
		'indicators D a night: 0 episodes of new files, 0 moved, 0 changed in place, 0 persons changed' \
		"$(cat "$ERR")"
}

# Its start a day earlier, an episode of the last year (not holding the
# latest date): it may have been the last year's only one.
read -r cf cl <<<"$(pick_episode "substr(e.start_date, 1, 4) = y.hi AND e.start_date < y.as_of
				   AND coalesce(e.end_date, '') < y.as_of")"
log_in_place "file_id = $cf AND line = $cl"
q "UPDATE episode SET start_date = date(start_date, '-1 day') WHERE file_id = $cf AND line = $cl;"
in_place_full "start moved in the last year"

# Its start a day later, an episode of the first year.
read -r cf cl <<<"$(pick_episode "substr(e.start_date, 1, 4) = y.lo
				   AND (e.end_date IS NULL OR e.end_date > e.start_date)")"
log_in_place "file_id = $cf AND line = $cl"
q "UPDATE episode SET start_date = date(start_date, '+1 day') WHERE file_id = $cf AND line = $cl;"
in_place_full "start moved in the first year"

# Its end a day earlier, an episode of a year inside the period that ends
# on the latest date: the latest date may be gone.
read -r cf cl <<<"$(pick_episode "substr(e.start_date, 1, 4) > y.lo AND substr(e.start_date, 1, 4) < y.hi
				   AND e.end_date = y.as_of")"
expect_true "end moved: an episode of the latest date" test -n "$cl"
log_in_place "file_id = $cf AND line = $cl"
q "UPDATE episode SET end_date = date(end_date, '-1 day') WHERE file_id = $cf AND line = $cl;"
in_place_full "end moved off the latest date"

# The episode holding the latest start date deleted in place.
read -r cf cl <<<"$(pick_episode "e.start_date = (SELECT max(start_date) FROM episode)")"
log_in_place "file_id = $cf AND line = $cl"
q "PRAGMA foreign_keys = ON; DELETE FROM episode WHERE file_id = $cf AND line = $cl;"
in_place_full "the latest start deleted"

night=$moved

# Every episode moved to the next person, as dedup would log it: more than
# an eighth of the persons changed, counted in full.
q "CREATE TEMP TABLE k AS SELECT max(person_key) AS m FROM episode_person;
   INSERT INTO person_change (file_id, line, old_key) SELECT file_id, line, person_key
     FROM episode_person;
   UPDATE episode_person SET person_key = person_key % (SELECT m FROM k) + 1;"
full_tables
night=$FULL
full_because "more than an eighth of the persons changed"

# An episode logged as moved out of a person that does not have it.
q "INSERT INTO person_change (file_id, line, old_key)
   SELECT file_id, line, person_key % (SELECT max(person_key) FROM person) + 1
     FROM episode_person ORDER BY file_id, line LIMIT 1;"
full_because "an episode dedup moved is not where the state file has it"

# Seven nights each moving the episodes of 120 persons to one (the same
# each night, so that its version grows), after a full count: the runs
# since the first come to outweigh it, and the eighth run merges all into
# a whole new file, as large as a full count's.
move_many() {
	q "CREATE TEMP TABLE m AS SELECT DISTINCT person_key AS k FROM episode_person
	     WHERE person_key < (SELECT max(person_key) FROM episode_person)
	     ORDER BY 1 LIMIT 120;
	   INSERT INTO person_change (file_id, line, old_key)
	     SELECT file_id, line, person_key FROM episode_person WHERE person_key IN (SELECT k FROM m)
	     ON CONFLICT DO NOTHING;
	   UPDATE episode_person SET person_key = (SELECT max(person_key) FROM episode_person)
	     WHERE person_key IN (SELECT k FROM m);"
}
for i in 1 2 3 4 5 6 7; do
	move_many
	expect_indicators 0 -v
	expect_grep "move many $i: a night" 'indicators D a night: 0 episodes of new files, [0-9]+ moved, 0 changed in place, 121 persons changed' \
		"$(cat "$ERR")"
	expect_eq "move many $i: the persons file's runs" "$(( i < 7 ? i + 1 : 1 ))" "$(runs_of "$STATE")"
done
expect_grep "move many 7: the runs merged into a whole new file" \
	"indicators D the persons file's runs merged into one: " "$(cat "$ERR")"
moved=$(indicator_tables)
moved_counted=$(counted)
full_tables
expect_eq "many moves: the tables of a full count" "$FULL" "$moved"
expect_eq "many moves: the persons and episodes of a full count" "$FULL_COUNTED" "$moved_counted"
expect_eq "many moves: the merged persons file as large as a full count's" \
	"$(stat -c %s "$WORK/full.db.indicators-persons")" "$(stat -c %s "$PERSONS")"

# A file counted before replaced (its content's sha256 another, as ingest
# records a corrected export): counted in full.
night=$(indicator_tables)
q "UPDATE input_file SET sha256 = CASE WHEN substr(sha256, 1, 1) = '0' THEN '1' ELSE '0' END
     || substr(sha256, 2) WHERE file_id = 1;"
full_because "a file counted before was replaced or is gone"

# What a killed run left is removed by the next.
printf 'left by a killed run' >"$STATE.Ab12Cd"
expect_indicators 0 -q
expect_eq "no temporary state file left" "$(basename "$STATE") $(basename "$PERSONS")" \
	"$(cd "$(dirname "$STATE")" && ls | grep '\.indicators' | tr '\n' ' ' | sed 's/ $//')"
finish

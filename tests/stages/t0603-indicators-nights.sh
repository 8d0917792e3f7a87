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
#   generation); the state file damaged; dedup's epoch moved on; a mapping
#   file edited so that lundby's files are mapped again; every episode
#   moved to another person (more than an eighth of the persons changed);
#   an episode logged as moved from a person the state file does not have
#   it under;
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
	"indicators D a night: 181 episodes of new files, $logged moved, [0-9]+ persons changed" \
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
	expect_grep "$1: then a night" 'indicators D a night: 0 episodes of new files, 0 moved, 0 persons changed' \
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

printf '# a comment\n' >>"$WORK/mappings/lundby.ini"
expect_run 0 -q
expect_like "mapping edited: lundby mapped again" "3 files mapped,%" "$(last_summary map)"
expect_eq "mapping edited: the same tables" "$night" "$(indicator_tables)"
expect_grep "mapping edited: counted in full" \
	'counting in full: a file counted before was mapped again or is gone' \
	"$(cat "$(last_log)")"

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
	'indicators D a night: 0 episodes of new files, 1 moved, 2 persons changed' "$(cat "$ERR")"
moved=$(indicator_tables)
full_tables
expect_eq "moved: the tables of a full count" "$FULL" "$moved"
expect_true "moved: the figures changed" test "$moved" != "$night"
expect_eq "moved: the persons file's second run (the mapping edit counted in full)" "2" \
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
	expect_grep "move $i: a night" 'indicators D a night: 0 episodes of new files, 1 moved, 2 persons changed' \
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
	expect_grep "move many $i: a night" 'indicators D a night: 0 episodes of new files, [0-9]+ moved, 121 persons changed' \
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

# What a killed run left is removed by the next.
printf 'left by a killed run' >"$STATE.Ab12Cd"
expect_indicators 0 -q
expect_eq "no temporary state file left" "$(basename "$STATE") $(basename "$PERSONS")" \
	"$(cd "$(dirname "$STATE")" && ls | grep '\.indicators' | tr '\n' ' ' | sed 's/ $//')"
finish

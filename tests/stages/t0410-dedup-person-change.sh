#!/usr/bin/env bash
# t0410-dedup-person-change.sh - guards the log dedup keeps for the
# indicators stage (schema 8, person_change and person_epoch;
# pipeline/dedup/store.h): each episode whose episode_person row dedup
# moved to another person_key or deleted since the log was last emptied,
# with the key it had before its first change; a run with no old rows to
# change (a first run) or that rebuilt the tables logs nothing, empties the
# log and counts the epoch one up.  dedup runs alone (the indicators stage
# empties the log).  On the linkage_people fixture (26 persons, 50
# episodes; t0401 says who links; keys are random, so taken as they come):
# - first run: a row left in person_change is gone, epoch 1;
# - d.csv: filler 0 again (joins a:6's person), Wilma (new) and Olof
#   Annanson without a number (links to b:5, his SINGLE episode, which
#   keeps its key and changes only its step): nothing logged;
# - e.csv: Olof with a personnummer: b:5 and d:3 move to his new person,
#   their LINKED person gone: exactly those two, with its key;
# - nothing new: log and epoch unchanged;
# - d:4 removed behind dedup's back (foreign keys off, no cascade): its
#   row deleted, logged;
# - threshold 100 unlinks the 6 probabilistic episodes (b:2-b:6, d:3): 4
#   rows more, b:5 and d:3 keep the key they had before e.csv;
# - threshold 4.3 again: they move back, the log keeps the first keys;
# - after each logging run the log is the one before plus every episode of
#   the database before the run whose key changed or row went, not logged
#   already, with its key then (computed from a copy taken before);
# - a person_id dedup would not write: tables rebuilt, log emptied, epoch
#   2; the next change is logged again; then an episode_person key dedup
#   would not write (after rows it could match): rebuilt, emptied, epoch 3.
. "$(dirname "$0")/lib.sh"
linkage_people_mapped

# change_log: person_change as "file:line old_key", sorted.
change_log() {
	q "SELECT f.name || ':' || c.line || ' ' || c.old_key FROM person_change c
	     JOIN input_file f USING (file_id) ORDER BY f.name, c.line;"
}
epoch() { q "SELECT id || '|' || epoch FROM person_epoch;"; }
# keep_before: a copy of the database for expected_log.
keep_before() { rm -f "$WORK/before.db"; q ".backup '$WORK/before.db'"; }
# expected_log: change_log as it must be after a logging run: the copy's
# log, and each episode_person row of the copy not in it whose person_key
# is now another or whose row is gone, with its key in the copy.
expected_log() {
	q "ATTACH '$WORK/before.db' AS b;
	   SELECT f.name || ':' || x.line || ' ' || x.old_key FROM (
	          SELECT file_id, line, old_key FROM b.person_change
	          UNION ALL
	          SELECT o.file_id, o.line, o.person_key FROM b.episode_person o
	            LEFT JOIN main.episode_person n ON n.file_id = o.file_id AND n.line = o.line
	           WHERE n.person_key IS NOT o.person_key
	             AND NOT EXISTS (SELECT 1 FROM b.person_change c
	                              WHERE c.file_id = o.file_id AND c.line = o.line)) x
	     JOIN main.input_file f USING (file_id) ORDER BY f.name, x.line;"
}
written() { grep -a -o 'written: .*' "$ERR"; }
max_key() { q 'SELECT max(person_key) FROM person;'; }

# First run: nothing to change against.
expect_eq "before dedup: no epoch" "0" "$(q 'SELECT count(*) FROM person_epoch;')"
q "INSERT INTO person_change VALUES (1, 1, 1);"
expect_dedup 0 -q
expect_eq "first run: the log emptied" "" "$(change_log)"
expect_eq "first run: epoch 1" "1|1" "$(epoch)"

# A new file: episodes joining old persons, b:5 only a new step.
b5=$(pkey_of b.csv 5)
a6=$(pkey_of a.csv 6)
expect_eq "b:5 alone before d.csv" "SINGLE|1|1 unlinked" "$(person_row b.csv 5) $(step_of b.csv 5)"
dedup_mapping d ANGERED | mapping d
{
	printf '%s\n' "$DEDUP_HEADER"
	filler 0 2024-05-02                                                         # 2
	printf ',Olof,Annanson,M,999 20,1966-05-05,HVB,2024-05-03\n'                # 3
	printf '%s,Wilma,Vidarsson,,999 90,,HVB,2024-05-04\n' "$(pnr 920229 - 240)" # 4
} >"$WORK/input/d.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_dedup 0
expect_eq "d.csv: rows written" \
	"written: persons 1 new, 2 changed, 0 gone; episodes' persons 3 new, 1 changed, 0 gone" \
	"$(written)"
expect_eq "d.csv: b:5 keeps its key, a new step, with d:3; d:2 joins a:6's person" \
	"$b5 probabilistic LINKED|2|2 $b5 $a6" \
	"$(pkey_of b.csv 5) $(step_of b.csv 5) $(person_row b.csv 5) $(pkey_of d.csv 3) $(pkey_of d.csv 2)"
expect_eq "d.csv: nothing logged" "" "$(change_log)"
expect_eq "d.csv: epoch unchanged" "1|1" "$(epoch)"

# A new file moving two old episodes to a new person.
max=$(max_key)
keep_before
dedup_mapping e ANGERED | mapping e
{
	printf '%s\n' "$DEDUP_HEADER"
	printf '%s,Olof,Annanson,,999 20,,HVB,2024-06-03\n' "$(pnr 660505 - 131)"   # 2
} >"$WORK/input/e.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_dedup 0
expect_eq "e.csv: rows written" \
	"written: persons 1 new, 0 changed, 1 gone; episodes' persons 1 new, 2 changed, 0 gone" \
	"$(written)"
expect_eq "e.csv: b:5 and d:3 in e:2's new person" "PNR|3|2 1 $(pkey_of e.csv 2) $(pkey_of e.csv 2)" \
	"$(person_row b.csv 5) $(($(pkey_of e.csv 2) > max)) $(pkey_of b.csv 5) $(pkey_of d.csv 3)"
expect_eq "e.csv: exactly b:5 and d:3 logged, with their old key" "b.csv:5 $b5
d.csv:3 $b5" "$(change_log)"
expect_eq "e.csv: the log computed from the copy" "$(expected_log)" "$(change_log)"
expect_eq "e.csv: epoch unchanged" "1|1" "$(epoch)"
log1=$(change_log)

# Nothing new.
expect_dedup 0
expect_eq "nothing new: rows written" \
	"written: persons 0 new, 0 changed, 0 gone; episodes' persons 0 new, 0 changed, 0 gone" \
	"$(written)"
expect_eq "nothing new: the log unchanged" "$log1" "$(change_log)"
expect_eq "nothing new: epoch unchanged" "1|1" "$(epoch)"

# An episode gone without the cascade that map's connection would make.
d4=$(pkey_of d.csv 4)
keep_before
q "PRAGMA foreign_keys = OFF; DELETE FROM episode WHERE file_id = $(fid d.csv) AND line = 4;"
expect_dedup 0
expect_eq "d:4 removed: rows written" \
	"written: persons 0 new, 0 changed, 1 gone; episodes' persons 0 new, 0 changed, 1 gone" \
	"$(written)"
expect_eq "d:4 removed: logged with its key" "$log1
d.csv:4 $d4" "$(change_log)"
expect_eq "d:4 removed: the log computed from the copy" "$(expected_log)" "$(change_log)"

# Unlinking the probabilistic links: b:5 and d:3 move again.
keys_b=$(for l in 2 3 4 6; do printf 'b.csv:%s %s\n' "$l" "$(pkey_of b.csv "$l")"; done)
expect_eq "before threshold 100: b:2-b:6 and d:3 linked probabilistically" \
	"probabilistic probabilistic probabilistic probabilistic probabilistic probabilistic" \
	"$(for e in b.csv:2 b.csv:3 b.csv:4 b.csv:5 b.csv:6 d.csv:3; do step_of "${e%:*}" "${e#*:}"
	   done | tr '\n' ' ' | sed 's/ $//')"
keep_before
linkage_set threshold 100
expect_dedup 0
expect_eq "threshold 100: rows written" \
	"written: persons 6 new, 5 changed, 0 gone; episodes' persons 0 new, 6 changed, 0 gone" \
	"$(written)"
expect_eq "threshold 100: b:2-b:6 and d:3 alone" \
	"SINGLE|1|1 SINGLE|1|1 SINGLE|1|1 SINGLE|1|1 SINGLE|1|1 SINGLE|1|1" \
	"$(for e in b.csv:2 b.csv:3 b.csv:4 b.csv:5 b.csv:6 d.csv:3; do person_row "${e%:*}" "${e#*:}"
	   done | tr '\n' ' ' | sed 's/ $//')"
expect_eq "threshold 100: b:2, b:3, b:4, b:6 logged; b:5 and d:3 keep their first old key" \
	"$(printf '%s\nb.csv:5 %s\n%s\nd.csv:3 %s\nd.csv:4 %s' "$(head -n 3 <<<"$keys_b")" "$b5" \
	   "$(tail -n 1 <<<"$keys_b")" "$b5" "$d4")" "$(change_log)"
expect_eq "threshold 100: the log computed from the copy" "$(expected_log)" "$(change_log)"
log2=$(change_log)

# And back: every episode to its person before, the log as it was.
linkage_set threshold 4.3
expect_dedup 0
expect_eq "threshold 4.3 again: rows written" \
	"written: persons 0 new, 5 changed, 6 gone; episodes' persons 0 new, 6 changed, 0 gone" \
	"$(written)"
expect_eq "threshold 4.3 again: b:2, b:3, b:4, b:6 back to their keys" "$keys_b" \
	"$(for l in 2 3 4 6; do printf 'b.csv:%s %s\n' "$l" "$(pkey_of b.csv "$l")"; done)"
expect_eq "threshold 4.3 again: the log keeps the first old keys" "$log2" "$(change_log)"
expect_eq "threshold 4.3 again: epoch unchanged" "1|1" "$(epoch)"

# Rows this program would not write: rebuilt, a new epoch.
q "UPDATE person SET person_id = 'not a pseudonym' WHERE person_key = $(pkey_of a.csv 2);"
expect_dedup 0
expect_grep "odd person_id: rebuilt (a warning)" ' dedup W .*written whole again' "$(cat "$ERR")"
expect_eq "odd person_id: the log emptied" "" "$(change_log)"
expect_eq "odd person_id: epoch 2" "1|2" "$(epoch)"

# The next change is logged again.
b2=$(pkey_of b.csv 2)
keep_before
linkage_set threshold 100
expect_dedup 0
expect_eq "after the rebuild: 6 episodes logged" "6" "$(q 'SELECT count(*) FROM person_change;')"
expect_grep "after the rebuild: b:2 with its key" "^b.csv:2 $b2\$" "$(change_log)"
expect_eq "after the rebuild: the log computed from the copy" "$(expected_log)" "$(change_log)"
expect_eq "after the rebuild: epoch 2" "1|2" "$(epoch)"

# An episode_person key this program would not write, in its last row (so
# after rows it read back): rebuilt, the log emptied, a new epoch.
q "UPDATE episode_person SET person_key = 0 WHERE (file_id, line) =
   (SELECT file_id, line FROM episode_person ORDER BY file_id DESC, line DESC LIMIT 1);"
expect_dedup 0
expect_grep "odd key: rebuilt (a warning)" ' dedup W .*written whole again' "$(cat "$ERR")"
expect_eq "odd key: the log emptied" "" "$(change_log)"
expect_eq "odd key: epoch 3" "1|3" "$(epoch)"
finish

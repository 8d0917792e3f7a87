#!/usr/bin/env bash
# t0407-dedup-writes-changes.sh - guards how dedup writes person and
# episode_person (pipeline/dedup/store.h): only the rows that changed, a
# person keeping its person_key while its person_id exists.  On the
# linkage_people fixture (26 persons, 50 episodes; t0401 says who links):
# - a first run writes every row: keys 1..n in person_id order;
# - threshold = 100 unlinks b:2, b:3, b:4 and b:6: 4 new SINGLE persons
#   (keys 27-30, after the largest), the 4 persons they left changed, the 4
#   episodes changed; every other person keeps its key and row;
# - back to threshold 4.3: the 4 SINGLE persons gone, the 4 changed back;
#   every table byte-identical to the first run's, keys included;
# - a new file (one more episode of a filler person, one new person): 1
#   person new (key 27), 1 changed, 2 episode rows new;
# - an episode removed behind dedup's back (foreign keys off, no cascade):
#   its row and its person gone;
# - after each of these, the tables equal those of a run on an empty person
#   layer (a copy), but for the keys, and a second run writes nothing;
# - a person_id this program would not write makes dedup write both tables
#   whole again (a warning), with keys 1..n.
. "$(dirname "$0")/lib.sh"
linkage_people_mapped

# canon: the person layer without its keys: each person (by person_id) with
# its episodes and their steps, and the links by episode.
canon() {
	q "SELECT p.person_id, p.basis, p.n_episodes, p.n_districts,
	          (SELECT group_concat(x, ' ') FROM (SELECT f.name || ':' || ep.line || ':' || ep.step AS x
	             FROM episode_person ep JOIN input_file f USING (file_id)
	            WHERE ep.person_key = p.person_key ORDER BY f.name, ep.line))
	     FROM person p ORDER BY 1;
	   SELECT s.person_id, fa.name, l.a_line, fb.name, l.b_line, l.weight, l.waterfall
	     FROM person_link l JOIN person s USING (person_key)
	     JOIN input_file fa ON fa.file_id = l.a_file_id JOIN input_file fb ON fb.file_id = l.b_file_id
	    ORDER BY 2, 3, 4, 5;"
}
# expect_as_fresh WHAT: canon equals canon after a run on a copy whose
# person tables were emptied; then a second run writes no row.
expect_as_fresh() {
	local fresh="$WORK/fresh.db" here
	rm -f "$fresh"
	q ".backup '$fresh'"
	sqlite3 "$fresh" "DELETE FROM person_link; DELETE FROM episode_person; DELETE FROM person;"
	here=$(canon)
	DB=$fresh expect_dedup 0 -q
	expect_eq "$1: the tables of a run on an empty person layer (but for keys)" \
		"$(DB=$fresh canon)" "$here"
	expect_eq "$1: that run's keys are 1..n in person_id order" "" "$(DB=$fresh keys_out_of_order)"
	expect_dedup 0 -q
	expect_eq "$1: a second run writes no row" "0 0" \
		"$(run_param person_rows_written) $(run_param episode_person_rows_written)"
}
keys_out_of_order() {
	q "SELECT a.person_key FROM person a JOIN person b ON b.person_key = a.person_key + 1
	    WHERE b.person_id <= a.person_id
	   UNION ALL SELECT 'keys ' || lo || '..' || hi || ' of ' || n
	     FROM (SELECT min(person_key) AS lo, max(person_key) AS hi, count(*) AS n FROM person)
	    WHERE n > 0 AND (lo != 1 OR hi != n);"
}
written() { grep -a -o 'written: .*' "$ERR"; }
keys() { q "SELECT person_id || ' ' || person_key FROM person ORDER BY 1;"; }

# First run: everything new.
expect_dedup 0
expect_dedup_reconciled
expect_eq "first run: persons and episodes" "26 50" \
	"$(q 'SELECT count(*) FROM person;') $(q 'SELECT count(*) FROM episode_person;')"
expect_eq "first run: rows written" \
	"written: persons 26 new, 0 changed, 0 gone; episodes' persons 50 new, 0 changed, 0 gone" \
	"$(written)"
expect_eq "first run: rows written (linkage_param)" "26 50" \
	"$(run_param person_rows_written) $(run_param episode_person_rows_written)"
expect_eq "first run: keys 1..n in person_id order" "" "$(keys_out_of_order)"
first=$(dedup_tables)
keys1=$(keys)

# Unlinking four episodes.
linkage_set threshold 100
expect_dedup 0
expect_dedup_reconciled
expect_eq "threshold 100: rows written" \
	"written: persons 4 new, 4 changed, 0 gone; episodes' persons 0 new, 4 changed, 0 gone" \
	"$(written)"
expect_eq "threshold 100: every person of the first run keeps its key" "" \
	"$(join <(printf '%s\n' "$keys1") <(keys) | awk '$2 != $3')"
expect_eq "threshold 100: the new persons (b:2, b:3, b:4, b:6) have keys 27-30" \
	"SINGLE 27
SINGLE 28
SINGLE 29
SINGLE 30" "$(q "SELECT s.basis || ' ' || s.person_key FROM person s WHERE s.person_key > 26
                 ORDER BY s.person_id;")"
expect_eq "threshold 100: b.csv's episodes alone" "SINGLE|1|1 SINGLE|1|1 SINGLE|1|1 SINGLE|1|1 SINGLE|1|1" \
	"$(for l in 2 3 4 5 6; do person_row b.csv $l; done | tr '\n' ' ' | sed 's/ $//')"
expect_as_fresh "threshold 100"

# And back: the first run's tables, keys included.
linkage_set threshold 4.3
expect_dedup 0
expect_eq "threshold 4.3 again: rows written" \
	"written: persons 0 new, 4 changed, 4 gone; episodes' persons 0 new, 4 changed, 0 gone" \
	"$(written)"
expect_eq "threshold 4.3 again: the first run's tables, byte for byte" "$first" "$(dedup_tables)"

# A new file: filler 0 again, and a new person.
dedup_mapping d ANGERED | mapping d
{
	printf '%s\n' "$DEDUP_HEADER"
	filler 0 2024-05-02
	printf '%s,Wilma,Vidarsson,,999 90,,HVB,2024-05-03\n' "$(pnr 920229 - 240)"
} >"$WORK/input/d.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_dedup 0
expect_dedup_reconciled
expect_eq "new file: rows written" \
	"written: persons 1 new, 1 changed, 0 gone; episodes' persons 2 new, 0 changed, 0 gone" \
	"$(written)"
expect_eq "new file: filler 0 (a:6) and d:2 one person, in three districts" "PNR|3|3 PNR|3|3" \
	"$(person_row a.csv 6) $(person_row d.csv 2)"
expect_eq "new file: the new person's key is 27" "27|PNR|1|1" \
	"$(q "SELECT s.person_key, s.basis, s.n_episodes, s.n_districts FROM person s
	       JOIN episode_person p USING (person_key) WHERE p.file_id = $(fid d.csv) AND p.line = 3;" |
	  tr -d '\n')"
expect_eq "new file: every person of the first run keeps its key" "" \
	"$(join <(printf '%s\n' "$keys1") <(keys) | awk '$2 != $3')"
expect_as_fresh "new file"

# An episode gone without the cascade that map's connection would make.
q "PRAGMA foreign_keys = OFF; DELETE FROM episode WHERE file_id = $(fid d.csv) AND line = 3;"
expect_dedup 0
expect_dedup_reconciled
expect_eq "episode removed: rows written" \
	"written: persons 0 new, 0 changed, 1 gone; episodes' persons 0 new, 0 changed, 1 gone" \
	"$(written)"
expect_eq "episode removed: persons and episode_person rows" "26 51" \
	"$(q 'SELECT count(*) FROM person;') $(q 'SELECT count(*) FROM episode_person;')"
expect_as_fresh "episode removed"

# Rows this program would not write: both tables written whole.
q "UPDATE person SET person_id = 'not a pseudonym' WHERE person_key = 3;"
expect_dedup 0
expect_grep "odd person_id: a warning" ' dedup W .*written whole again' "$(cat "$ERR")"
expect_eq "odd person_id: rows written" \
	"written: persons 26 new, 0 changed, 0 gone; episodes' persons 51 new, 0 changed, 0 gone" \
	"$(written)"
expect_eq "odd person_id: keys 1..n in person_id order" "" "$(keys_out_of_order)"
expect_dedup_reconciled
expect_as_fresh "odd person_id"
finish

#!/usr/bin/env bash
# t0206-map-incremental.sh - guards incremental mapping and the coverage
# report (two sources, inc and other, one file each):
# - a second map run changes nothing (episodes, mapped_file incl. mapped_at,
#   map rejects, map_value) and logs "0 files mapped, 2 unchanged";
# - after a recode entry is added to inc.ini, ingest + map re-map inc.csv only
#   ("1 files mapped, 1 unchanged"): its rejected rows become episodes with the
#   new code, mapping_sha256 is the new file's SHA-256, other.csv is untouched;
# - a file mapped again is mapped in place (schema version 12): only the
#   episodes that differ are written, and the episodes equal those of
#   the file mapped anew (its mapped_file row removed); the summary says
#   "1 mapped again in place: N episodes changed, N added, N removed";
#   each episode inserted is logged in person_change with old_key 0; each
#   one updated or deleted that has a person (given by hand) is logged
#   with its person and, in episode_before, its row before the first
#   change (later changes keep both); an update of a value dedup reads
#   (sex) notes episode_outside_write, one of another value does not;
# - map_value lists every distinct value (trimmed, as written) of every recoded
#   field with its count, code (NULL if unmapped) and first line, also the
#   values of a row rejected for another field (other.csv line 3: bad date);
# - `map --coverage [SOURCE]` prints a header line, then one tab-separated row
#   per value (source field value code-or-'-' n file:line), unmapped values
#   first (first row; and before every mapped value of the same field).
. "$(dirname "$0")/lib.sh"
new_fixture
mapping inc <<'INI'
[source]
name = inc
district = LUNDBY
files = inc.csv
[columns]
sex = Kön
intervention = Insats
start_date = Start
[dates]
formats = YYYY-MM-DD
[recode sex]
K = F
M = M
[recode intervention]
Öppenvård = OPEN
HVB = INST
[unmapped]
intervention = reject
INI
mapping other <<'INI'
[source]
name = other
district = OSTRA
files = other.csv
[columns]
intervention = Insats
start_date = Start
[dates]
formats = YYYY-MM-DD
[recode intervention]
Öppenvård = OPEN
INI
{
	printf 'Kön,Insats,Start\n'
	printf 'K,Öppenvård,2024-01-01\n'      # 2
	printf 'M,HVB,2024-01-02\n'            # 3
	printf 'K,Öppenvård,2024-01-03\n'      # 4
	printf 'K,Akupunktur,2024-01-04\n'     # 5
	printf 'K,Öppenvård,2024-01-05\n'      # 6
	printf 'M,"  ÖPPENVÅRD ",2024-01-07\n' # 7
	printf 'K,Akupunktur,2024-01-08\n'     # 8
} >"$WORK/input/inc.csv"
{
	printf 'Insats,Start\n'
	printf 'Öppenvård,2024-02-01\n'        # 2
	printf 'Kamratstöd,2024-13-01\n'       # 3 bad date; its value is still a value
} >"$WORK/input/other.csv"

expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_eq "inc.csv episodes (sex intervention)" \
"2: F|OPEN
3: M|INST
4: F|OPEN
6: F|OPEN
7: M|OPEN" "$(episodes inc.csv "sex, intervention")"
expect_eq "inc.csv map rejects" \
"5 Insats unmapped_code Akupunktur
8 Insats unmapped_code Akupunktur" "$(map_rejects inc.csv)"
expect_eq "other.csv map rejects" "3 Start bad_date 2024-13-01" "$(map_rejects other.csv)"
expect_map_reconciled

# map_value: every distinct value with count, code and first line.
values() { # values NAME: "field|value|code|n|first_line", NULL code as '-'
	q "SELECT field || '|' || value || '|' || coalesce(code, '-') || '|' || n || '|' || first_line
	     FROM map_value WHERE file_id = $(fid "$1") ORDER BY field, value;" # byte order
}
expect_eq "inc.csv map_value (field|value|code|n|first_line)" \
"intervention|Akupunktur|-|2|5
intervention|HVB|INST|1|3
intervention|ÖPPENVÅRD|OPEN|1|7
intervention|Öppenvård|OPEN|3|2
sex|K|F|5|2
sex|M|M|2|3" "$(values inc.csv)"
expect_eq "other.csv map_value: also the value of the row rejected for its date" \
"intervention|Kamratstöd|-|1|3
intervention|Öppenvård|OPEN|1|2" "$(values other.csv)"

# map --coverage inc
expect_map 0 --coverage inc
cov=$(cat "$OUT")
expect_eq "coverage inc: lines (header + 6 values)" "7" "$(printf '%s\n' "$cov" | grep -c '')"
expect_eq "coverage inc: the value rows (sorted)" \
"$(printf 'inc\tintervention\tAkupunktur\t-\t2\tinc.csv:5
inc\tintervention\tHVB\tINST\t1\tinc.csv:3
inc\tintervention\tÖppenvård\tOPEN\t3\tinc.csv:2
inc\tintervention\tÖPPENVÅRD\tOPEN\t1\tinc.csv:7
inc\tsex\tK\tF\t5\tinc.csv:2
inc\tsex\tM\tM\t2\tinc.csv:3' | LC_ALL=C sort)" \
	"$(printf '%s\n' "$cov" | sed 1d | LC_ALL=C sort)"
expect_eq "coverage inc: the first value row is unmapped" "Akupunktur -" \
	"$(printf '%s\n' "$cov" | sed -n 2p | cut -f 3,4 --output-delimiter=' ')"
expect_true "coverage inc: a header line, not a value row" \
	test -n "$(printf '%s\n' "$cov" | sed -n 1p)" -a \
	"$(printf '%s\n' "$cov" | sed -n 1p | cut -f1)" != inc
expect_map 0 --coverage
all=$(cat "$OUT")
expect_eq "coverage of all sources: the rows of inc are those of 'map --coverage inc'" \
	"$(printf '%s\n' "$cov" | sed 1d | LC_ALL=C sort)" \
	"$(printf '%s\n' "$all" | grep '^inc	' | LC_ALL=C sort)"
expect_eq "coverage of all sources: the header is that of 'map --coverage inc'" \
	"$(printf '%s\n' "$cov" | sed -n 1p)" "$(printf '%s\n' "$all" | sed -n 1p)"
expect_eq "coverage: values of other" \
"$(printf 'other\tintervention\tKamratstöd\t-\t1\tother.csv:3
other\tintervention\tÖppenvård\tOPEN\t1\tother.csv:2')" \
	"$(printf '%s\n' "$all" | grep '^other	' | LC_ALL=C sort)"
expect_eq "coverage: first value row is unmapped" "-" "$(printf '%s\n' "$all" | sed -n 2p | cut -f4)"
expect_eq "coverage: a mapped value listed before an unmapped one of its field" "" \
	"$(printf '%s\n' "$all" | sed 1d |
	   awk -F '\t' '$4 != "-" { seen[$1 FS $2] = 1 } $4 == "-" && seen[$1 FS $2] { print }')"

# A second run changes nothing.
state() {
	q "SELECT 'mapped_file', * FROM mapped_file ORDER BY file_id;
	   SELECT 'episode', * FROM episode ORDER BY file_id, line;
	   SELECT 'reject', * FROM reject WHERE stage = 'map' ORDER BY file_id, line;
	   SELECT 'map_value', * FROM map_value ORDER BY file_id, field, value;"
}
before=$(state)
expect_like "state holds the episodes" '%episode|%|LUNDBY|%' "$before"
sleep 1.1
expect_map 0 --today 2026-01-15
expect_grep "second run: 0 files mapped, 2 unchanged" ' map I .*\b0 files mapped, 2 unchanged\b' "$(cat "$ERR")"
expect_eq "database after a second run" "$before" "$(state)"

# A changed mapping file re-maps its source's files (and only those).
other_before=$(q "SELECT * FROM mapped_file WHERE file_id = $(fid other.csv);
                  SELECT * FROM episode WHERE file_id = $(fid other.csv) ORDER BY line;")
inc_at=$(q "SELECT mapped_at FROM mapped_file WHERE file_id = $(fid inc.csv);")
sed -i 's/^HVB = INST$/HVB = INST\nAkupunktur = OTHER/' "$WORK/mappings/inc.ini"
expect_eq "inc.ini has the new entry" "1" "$(grep -c -x 'Akupunktur = OTHER' "$WORK/mappings/inc.ini")"
sha=$(sha256sum "$WORK/mappings/inc.ini" | cut -d' ' -f1)
expect_ingest 0 -q
expect_map 0 --today 2026-01-15
expect_grep "after the edit: 1 files mapped, 1 unchanged" ' map I .*\b1 files mapped, 1 unchanged\b' "$(cat "$ERR")"
expect_eq "inc.csv episodes after the edit" \
"2: F|OPEN
3: M|INST
4: F|OPEN
5: F|OTHER
6: F|OPEN
7: M|OPEN
8: F|OTHER" "$(episodes inc.csv "sex, intervention")"
expect_eq "inc.csv map rejects after the edit" "" "$(map_rejects inc.csv)"
expect_eq "inc.csv mapped_file after the edit (mapping_sha256 read kept rejected)" \
	"$sha|7|7|0" "$(q "SELECT mapping_sha256, rows_read, rows_kept, rows_rejected
	                   FROM mapped_file WHERE file_id = $(fid inc.csv);")"
expect_eq "inc.csv episodes' mapping_sha256 (view episode_v) after the edit" "$sha 7" \
	"$(q "SELECT group_concat(DISTINCT mapping_sha256) || ' ' || count(*) FROM episode_v
	       WHERE file_id = $(fid inc.csv);")"
expect_true "inc.csv mapped_at after the edit is later than $inc_at" \
	test "$(q "SELECT mapped_at > '$inc_at' FROM mapped_file WHERE file_id = $(fid inc.csv);")" = 1
expect_eq "inc.csv map_value after the edit" \
"intervention|Akupunktur|OTHER|2|5
intervention|HVB|INST|1|3
intervention|ÖPPENVÅRD|OPEN|1|7
intervention|Öppenvård|OPEN|3|2
sex|K|F|5|2
sex|M|M|2|3" "$(values inc.csv)"
expect_eq "other.csv untouched by the edit of inc.ini" "$other_before" \
	"$(q "SELECT * FROM mapped_file WHERE file_id = $(fid other.csv);
	      SELECT * FROM episode WHERE file_id = $(fid other.csv) ORDER BY line;")"
expect_map_reconciled
expect_grep "after the edit: mapped again in place, two rows the old mapping rejected added" \
	' map I .*; 1 mapped again in place: 0 episodes changed, 2 added, 0 removed$' "$(cat "$ERR")"
expect_eq "after the edit: the two episodes added logged with old_key 0, no episode_before" \
	"5|0
8|0
before: 0" "$(q "SELECT line, old_key FROM person_change ORDER BY line;
	         SELECT 'before: ' || count(*) FROM episode_before;")"
expect_eq "after the edit: no value dedup reads changed" "0" \
	"$(q 'SELECT count(*) FROM episode_outside_write;')"

# fresh FILE: the episodes of FILE mapped anew (its mapped_file row removed,
# in a copy of the database), to compare with those mapped in place.
fresh() {
	cp "$DB" "$WORK/fresh.db"
	sqlite3 "$WORK/fresh.db" "DELETE FROM mapped_file WHERE file_id = $(fid "$1");"
	"$PL_BIN/map" -q -m "$WORK/mappings" -d "$WORK/fresh.db" -k "$KEY" --today 2026-01-15 ||
		fail "map of the copy failed"
	sqlite3 "$WORK/fresh.db" "SELECT * FROM episode WHERE file_id = $(fid "$1") ORDER BY line;"
}
in_place() { q "SELECT * FROM episode WHERE file_id = $(fid "$1") ORDER BY line;"; }
expect_eq "after the edit: the episodes mapped in place are those mapped anew" \
	"$(fresh inc.csv)" "$(in_place inc.csv)"

# Persons for lines 3 and 8 (by hand, as dedup would give them), then an
# edit of one intervention code: line 3 updated in place and logged.
q "INSERT INTO person (person_key, person_id, basis, n_episodes, n_districts)
     VALUES (7, '00000000000000000000000000000007', 'SINGLE', 1, 1),
            (8, '00000000000000000000000000000008', 'SINGLE', 1, 1);
   INSERT INTO episode_person (file_id, line, person_key, step)
     VALUES ($(fid inc.csv), 3, 7, 'unlinked'), ($(fid inc.csv), 8, 8, 'unlinked');
   DELETE FROM person_change;"
row3=$(q "SELECT * FROM episode WHERE file_id = $(fid inc.csv) AND line = 3;")
sed -i 's/^HVB = INST$/HVB = OPEN/' "$WORK/mappings/inc.ini"
expect_map 0 --today 2026-01-15
expect_grep "HVB = OPEN: one episode changed" \
	' map I .*; 1 mapped again in place: 1 episodes changed, 0 added, 0 removed$' "$(cat "$ERR")"
expect_grep "HVB = OPEN: the file's line says so" \
	' map I inc.csv: mapped again in place: 6 episodes as they were, 1 changed, 0 added, 0 removed$' \
	"$(cat "$ERR")"
expect_eq "HVB = OPEN: line 3's intervention" "3: M|OPEN" \
	"$(episodes inc.csv "sex, intervention" | grep '^3:')"
expect_eq "HVB = OPEN: line 3 logged with its person" "3|7" \
	"$(q 'SELECT line, old_key FROM person_change ORDER BY line;')"
expect_eq "HVB = OPEN: episode_before holds line 3 as it was" "$row3" \
	"$(q 'SELECT * FROM episode_before;')"
expect_eq "HVB = OPEN: an intervention is not a value dedup reads" "0" \
	"$(q 'SELECT count(*) FROM episode_outside_write;')"
expect_eq "HVB = OPEN: the episodes mapped in place are those mapped anew" \
	"$(fresh inc.csv)" "$(in_place inc.csv)"

# Akupunktur unmapped again (lines 5 and 8 rejected, removed) and K = U
# (the sex of every other K row changes: a value dedup reads).  Line 3
# keeps its first log and before-image; line 8's delete is logged with
# its person; line 5 has none.
row8=$(q "SELECT * FROM episode WHERE file_id = $(fid inc.csv) AND line = 8;")
sed -i -e '/^Akupunktur = OTHER$/d' -e 's/^K = F$/K = U/' -e 's/^HVB = OPEN$/HVB = INST/' \
	"$WORK/mappings/inc.ini"
expect_map 0 --today 2026-01-15
expect_grep "Akupunktur unmapped, K = U: 4 changed, 2 removed" \
	' map I .*; 1 mapped again in place: 4 episodes changed, 0 added, 2 removed$' "$(cat "$ERR")"
expect_eq "Akupunktur unmapped: its rows rejected again" \
"5 Insats unmapped_code Akupunktur
8 Insats unmapped_code Akupunktur" "$(map_rejects inc.csv)"
expect_eq "K = U: the episodes" \
"2: U|OPEN
3: M|INST
4: U|OPEN
6: U|OPEN
7: M|OPEN" "$(episodes inc.csv "sex, intervention")"
expect_eq "K = U: logged: line 3 (its first change), 2, 4, 6 have no person, 8 deleted" \
	"3|7
8|8" "$(q 'SELECT line, old_key FROM person_change ORDER BY line;')"
expect_eq "K = U: episode_before: line 3 as first logged, line 8 before its delete" \
	"$row3
$row8" "$(q 'SELECT * FROM episode_before ORDER BY line;')"
expect_eq "K = U: a sex changed is a value dedup reads" "1" \
	"$(q 'SELECT count(*) FROM episode_outside_write;')"
expect_eq "K = U: the episodes mapped in place are those mapped anew" \
	"$(fresh inc.csv)" "$(in_place inc.csv)"
expect_eq "other.csv untouched by the edits of inc.ini" "$other_before" \
	"$(q "SELECT * FROM mapped_file WHERE file_id = $(fid other.csv);
	      SELECT * FROM episode WHERE file_id = $(fid other.csv) ORDER BY line;")"
expect_map_reconciled
finish

#!/usr/bin/env bash
# t0206-map-incremental.sh - guards incremental mapping and the coverage
# report (two sources, inc and other, one file each):
# - a second map run changes nothing (episodes, mapped_file incl. mapped_at,
#   map rejects, map_value) and logs "0 files mapped, 2 unchanged";
# - after a recode entry is added to inc.ini, ingest + map re-map inc.csv only
#   ("1 files mapped, 1 unchanged"): its rejected rows become episodes with the
#   new code, mapping_sha256 is the new file's SHA-256, other.csv is untouched;
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
finish

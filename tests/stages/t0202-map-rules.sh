#!/usr/bin/env bash
# t0202-map-rules.sh - guards [rule NAME]: a rule whose column matches (POSIX
# ERE, case-insensitive, on the trimmed value) sets its field whatever the
# recoded text says, even a text with no mapping (no unmapped_code reject);
# rules are tried in file order and the first match wins (the first rule is
# named so that sorting by name would pick the other); a row no rule matches is
# recoded as usual.  A rule column missing from a file's header, or naming a
# sensitive (sealed) column, is exit 78 naming the mapping file and the rule's
# line (its [rule] heading or its column key), with no episode written.
. "$(dirname "$0")/lib.sh"
new_fixture
rules_ini() { # rules_ini COLUMN-OF-THE-FIRST-RULE
	cat <<INI
[source]
name = rules
district = CENTRUM
files = rules*.csv
[columns]
identity_number = Personnummer
intervention = Insats
start_date = Start
[dates]
formats = YYYY-MM-DD
[recode intervention]
Öppenvård = OPEN
HVB = INST
[unmapped]
intervention = reject

[rule zeta_lvm]
column = $1
matches = ^LVM
set = intervention
to = LVM

[rule alpha_sol]
column = Lagrum
matches = ^(SoL|LVM)
set = intervention
to = INST
INI
}
rules_ini Lagrum | mapping rules
{
	printf 'Personnummer,Insats,Lagrum,Start\n'
	printf ',Öppenvård,LVM 4 §,2024-01-02\n'         # 2 both rules match: the first wins
	printf ',Öppenvård,SoL 4 kap. 1 §,2024-01-03\n'  # 3 second rule only
	printf ',Tvångsvård,LVM 4 §,2024-01-04\n'        # 4 unmapped text, rule sets it
	printf ',Tvångsvård,,2024-01-05\n'               # 5 unmapped text, no rule: reject
	printf ',HVB,,2024-01-06\n'                      # 6 no rule: recoded
	printf ',Öppenvård,lvm 27 §,2024-01-07\n'        # 7 case-insensitive
	printf ',Öppenvård,"  LVM 13 §",2024-01-08\n'    # 8 trimmed value
	printf ',Öppenvård,Enligt LVM,2024-01-09\n'      # 9 ^ anchors: no rule
	printf ',Öppenvård,SOL,2024-01-10\n'             # 10 second rule, case-insensitive
} >"$WORK/input/rules.csv"

expect_ingest 0 -q
expect_stats rules.csv "ok|10|0|1|0|0|9|9|0"
expect_map 0 -q --today 2026-01-15
expect_eq "episodes (intervention)" \
"2: LVM
3: INST
4: LVM
6: INST
7: LVM
8: LVM
9: OPEN
10: INST" "$(episodes rules.csv intervention)"
expect_eq "map rejects: only the unmapped text no rule matched" \
	"5 Insats unmapped_code Tvångsvård" "$(map_rejects rules.csv)"
expect_map_reconciled

# A rule whose column the file lacks: exit 78 naming rules.ini and the rule's
# line, before any row (a fresh database, so nothing was mapped before).
DB=$WORK/output/missing-column.db
rules_ini Paragraf | mapping rules
heading=$(grep -n -F '[rule zeta_lvm]' "$WORK/mappings/rules.ini" | cut -d: -f1)
keyline=$(grep -n -F 'column = Paragraf' "$WORK/mappings/rules.ini" | cut -d: -f1)
expect_ingest 0 -q
expect_map 78 --today 2026-01-15
expect_grep "map names rules.ini and the line of [rule zeta_lvm] ($heading) or its column ($keyline)" \
	"(^| |/)rules\.ini:($heading|$keyline): " "$(cat "$ERR")"
expect_eq "episodes after exit 78" "0" "$(q 'SELECT count(*) FROM episode;')"
expect_eq "mapped files after exit 78" "0" "$(q 'SELECT count(*) FROM mapped_file;')"

# A rule on a sensitive column (sealed at ingest): exit 78 likewise.
DB=$WORK/output/sensitive-column.db
rules_ini Personnummer | mapping rules
keyline=$(grep -n -F 'column = Personnummer' "$WORK/mappings/rules.ini" | cut -d: -f1)
expect_ingest 0 -q
expect_eq "Personnummer is sealed" "1" \
	"$(q "SELECT sealed FROM file_column WHERE name = 'Personnummer';")"
expect_map 78 --today 2026-01-15
expect_grep "map names rules.ini and the line of [rule zeta_lvm] ($heading) or its column ($keyline)" \
	"(^| |/)rules\.ini:($heading|$keyline): " "$(cat "$ERR")"
expect_eq "episodes after exit 78" "0" "$(q 'SELECT count(*) FROM episode;')"
finish

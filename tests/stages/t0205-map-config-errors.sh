#!/usr/bin/env bash
# t0205-map-config-errors.sh - guards the map stage's configuration errors:
# each is exit 78 with "mapping.ini:LINE: " on stderr (LINE the offending
# line) and no episode or mapped_file row written.  Ingest loads the same
# file and may itself refuse load errors, so the database is ingested once with
# a valid mapping (which map then maps: the positive control) and each case
# breaks the mapping and runs map on a fresh copy of that database:
#   an INI syntax error; an unknown key ([numbers] decimals, [columns] gender);
#   an unknown section (its heading or first key); a code not in the schema in
#   [recode], [unmapped], [blank], [constants] and a rule's `to`; a mapped
#   column missing from the file's header; a coded field with a column but no
#   recode table; a missing code list file; a date column with no [dates]
#   formats; a recode table for a field without a column; a field with both a
#   column and a constant (its constant or its column line); no start_date
#   (file name only: the line of an absent key is not defined).
. "$(dirname "$0")/lib.sh"
new_fixture
mkdir -p "$WORK/mappings/codelists"
printf '[values]\nK = F\nM = M\n' >"$WORK/mappings/codelists/sex.ini"
cat >"$WORK/base.ini" <<'INI'
; a valid mapping: each case below breaks one line of it
[source]
name = cfg
district = CENTRUM
files = cfg.csv
[columns]
identity_number = Personnummer
sex = Kön
intervention = Insats
start_date = Start
cost_sek = Kostnad
[identity]
reference_date = 2026-01-15
[dates]
formats = YYYY-MM-DD
[numbers]
decimal = comma
[codelists]
sex = codelists/sex.ini
[recode intervention]
Öppenvård = OPEN
HVB = INST
[unmapped]
intervention = reject
[blank]
sex = U
[constants]
provider = NGO
[rule lvm]
column = Lagrum
matches = ^LVM
set = intervention
to = LVM
INI
{
	printf 'Personnummer,Kön,Insats,Lagrum,Start,Kostnad,Barn\n'
	printf '640823-3234,M,Öppenvård,,2024-01-02,"1 000,50",Ja\n'
	printf '811218-9876,K,HVB,LVM 4 §,2024-01-03,,Nej\n'
} >"$WORK/input/cfg.csv"
MAPPING=$WORK/mappings/mapping.ini
cp "$WORK/base.ini" "$MAPPING"
expect_ingest 0 -q
expect_stats cfg.csv "ok|3|0|1|0|0|2|2|0"
base_db=$WORK/base.db
cp "$DB" "$base_db"

# lineof TEXT: the number of the first line of mapping.ini that is exactly TEXT.
lineof() { grep -n -x -F -e "$1" "$MAPPING" | head -n 1 | cut -d: -f1; }
# insert_after LINE TEXT: write mapping.ini as base.ini with TEXT (may hold \n)
# after its first line that is exactly LINE.  replace OLD NEW likewise.
insert_after() {
	awk -v pat="$1" -v add="$2" '{ print } $0 == pat && !done { print add; done = 1 }' \
		"$WORK/base.ini" >"$MAPPING"
	expect_true "mapping.ini differs from base.ini after inserting '$2'" \
		test "$(cat "$MAPPING")" != "$(cat "$WORK/base.ini")"
}
replace() {
	awk -v pat="$1" -v new="$2" '$0 == pat && !done { print new; done = 1; next } { print }' \
		"$WORK/base.ini" >"$MAPPING"
	expect_true "mapping.ini differs from base.ini after replacing '$1'" \
		test "$(cat "$MAPPING")" != "$(cat "$WORK/base.ini")"
}
# expect_config_error WHAT LINE-ERE: map on a fresh copy of the ingested
# database exits 78, stderr names mapping.ini and a line matching LINE-ERE,
# and nothing is mapped.  An empty LINE-ERE: the file name only.
expect_config_error() {
	local ere="(^| |/)mapping\\.ini:($2): "
	[ -n "$2" ] || ere='(^| |/)mapping\.ini:'
	rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"
	cp "$base_db" "$DB"
	expect_map 78 --today 2026-01-15
	expect_grep "$1: stderr names mapping.ini:$2:" "$ere" "$(cat "$ERR")"
	expect_eq "$1: episodes" "0" "$(q 'SELECT count(*) FROM episode;')"
	expect_eq "$1: mapped files" "0" "$(q 'SELECT count(*) FROM mapped_file;')"
}

insert_after '[columns]' 'this line has no equals sign'
expect_config_error "INI syntax error" "$(lineof 'this line has no equals sign')"

insert_after '[numbers]' 'decimals = comma'
expect_config_error "unknown key in [numbers]" "$(lineof 'decimals = comma')"

insert_after '[columns]' 'gender = Kön'
expect_config_error "unknown key in [columns]" "$(lineof 'gender = Kön')"

insert_after 'decimal = comma' $'[recodes intervention]\nTvångsvård = LVM'
h=$(lineof '[recodes intervention]')
expect_config_error "unknown section [recodes intervention]" "$h|$((h + 1))"

replace 'HVB = INST' 'HVB = HOSPITAL'
expect_config_error "unknown code in [recode intervention]" "$(lineof 'HVB = HOSPITAL')"

replace 'intervention = reject' 'intervention = HOSPITAL'
expect_config_error "unknown code in [unmapped]" "$(lineof 'intervention = HOSPITAL')"

replace 'sex = U' 'sex = X'
expect_config_error "unknown code in [blank]" "$(lineof 'sex = X')"

replace 'provider = NGO' 'provider = CHARITY'
expect_config_error "unknown code in [constants]" "$(lineof 'provider = CHARITY')"

replace 'to = LVM' 'to = HOSPITAL'
expect_config_error "unknown code in [rule lvm] to" "$(lineof 'to = HOSPITAL')"

insert_after 'start_date = Start' 'end_date = Slutdatum'
expect_config_error "mapped column missing from the header" "$(lineof 'end_date = Slutdatum')"

insert_after 'start_date = Start' 'children = Barn'
expect_config_error "coded field with a column but no recode table" "$(lineof 'children = Barn')"

replace 'sex = codelists/sex.ini' 'sex = codelists/nope.ini'
expect_config_error "missing code list file" "$(lineof 'sex = codelists/nope.ini')"

replace 'formats = YYYY-MM-DD' '; no formats'
expect_config_error "date column with no [dates] formats" "$(lineof 'start_date = Start')"

insert_after 'HVB = INST' $'[recode substance]\nAlkohol = ALC'
h=$(lineof '[recode substance]')
expect_config_error "recode table for a field without a column" "$h|$((h + 1))"

insert_after '[constants]' 'intervention = OPEN'
expect_config_error "a field with both a column and a constant" \
	"$(lineof 'intervention = OPEN')|$(lineof 'intervention = Insats')"

replace 'start_date = Start' '; no start date'
expect_config_error "no start_date column or constant" ""

# Positive control: the base mapping maps the same database.
cp "$WORK/base.ini" "$MAPPING"
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"
cp "$base_db" "$DB"
expect_map 0 -q --today 2026-01-15
expect_eq "episodes with the valid mapping (line intervention provider)" \
"2: OPEN|NGO
3: LVM|NGO" "$(episodes cfg.csv "intervention, provider")"
expect_map_reconciled
finish

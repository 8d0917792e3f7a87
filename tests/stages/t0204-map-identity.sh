#!/usr/bin/env bash
# t0204-map-identity.sh - guards identity numbers in the map stage
# (reference_date = 2026-01-15 in the mapping; synthetic numbers with check
# digits computed here, plus the textbook 640823-3234 and 811218-9876):
# - every shape of ../shared/SCHEMA.md (YYMMDD-NNNC, YYMMDDNNNC, YYYYMMDDNNNC,
#   YYYYMMDD-NNNC) of one person gives id_type PNR and the same person_ref,
#   also in another source's file (city-wide linkage);
# - YYMMDD+NNNC is a centenarian (1924) and the same person as 1924MMDD...,
#   while YYMMDD-NNNC of the same digits is born 2024, another person; a
#   six-digit date after the reference date's day is last century's;
# - day + 60 is SAMNR; a value matching [identity] reserve is RESERV with a
#   person_ref keyed by source and value (same value, other source: other
#   ref); a bad check digit is NONE with id_flaw 'bad check digit'; a bad
#   shape or calendar date is NONE with a flaw; empty is NONE with NULL
#   id_flaw; NONE never has a person_ref;
# - [derive] sex and birth_date = identity_number fill them from a valid
#   number (U and NULL otherwise); birth_year follows birth_date;
# - no identity number (as written or normalised), name or postcode of the
#   fixture is in the database bytes (db, -wal, -journal) or map's -v log;
# - person_ref is 32 hex digits, identical in a second database built with the
#   same key, and different in one built with another key.
. "$(dirname "$0")/lib.sh"
new_fixture
pn() { printf '%s%s%s%s' "$1" "$2" "$3" "$(luhn "$1$3")"; } # pn YYMMDD SEP NNN
A1=640823-3234; A2=6408233234; A3=196408233234; A4=19640823-3234
B1=$(pn 850615 - 124); B2=19${B1%-*}${B1#*-}
C1=$(pn 240101 + 123); C2=19${C1%+*}${C1#*+}; C3=${C1/+/-}
E1=$(pn 260116 - 246); E2=$(pn 260115 - 246)
D1=$(pn 640883 - 357); D2=19${D1%-*}${D1#*-}
BAD=640823-3235; SHAPE=6408-23; CAL=$(pn 640230 - 123); TB=811218-9876
expect_eq "check digits computed by luhn (textbook examples)" "4 6" \
	"$(luhn 640823323) $(luhn 811218987)"

idn_ini() { # idn_ini NAME DISTRICT
	cat <<INI
[source]
name = $1
district = $2
files = $1.csv
[columns]
identity_number = Personnummer
first_name = Förnamn
last_name = Efternamn
postcode = Postnr
intervention = Insats
start_date = Start
[identity]
reserve = ^RES-[0-9]{4}\$
reference_date = 2026-01-15
[derive]
sex = identity_number
birth_date = identity_number
[dates]
formats = YYYY-MM-DD
[recode intervention]
Öppenvård = OPEN
INI
}
idn_ini idn LUNDBY | mapping idn
idn_ini idn2 OSTRA | mapping idn2
ids=("$A1" "$A2" "$A3" "$A4" "$B1" "$B2" "$C1" "$C2" "$C3" "$E1" "$E2" "$D1" "$D2"
	RES-0001 RES-0001 RES-0002 "$BAD" "" "$SHAPE" "$CAL" "$TB")
{
	printf 'Personnummer,Förnamn,Efternamn,Postnr,Insats,Start\n'
	i=0
	for id in "${ids[@]}"; do
		i=$((i + 1))
		printf '%s,Testina%s,Fiktivsson%s,999 %02d,Öppenvård,2024-01-01\n' "$id" $i $i $((i + 10))
	done
} >"$WORK/input/idn.csv"
{
	printf 'Personnummer,Förnamn,Efternamn,Postnr,Insats,Start\n'
	printf '%s,Provald,Exemplia,999 90,Öppenvård,2024-02-01\n' "$A1" RES-0001
} >"$WORK/input/idn2.csv"
secrets=("$A1" "$A2" "$A3" "$A4" "$B1" "$B2" "$C1" "$C2" "$C3" "$E1" "$E2" "$D1" "$D2"
	"$BAD" "$SHAPE" "$CAL" "$TB" 196408233234 "19${B1%-*}${B1#*-}" "19${C1%+*}${C1#*+}"
	"20${C1%+*}${C1#*+}" "19${E1%-*}${E1#*-}" "20${E2%-*}${E2#*-}" "19${D1%-*}${D1#*-}"
	198112189876 Testina Fiktivsson Provald Exemplia '999 11' '999 21' '999 31' '999 90')

expect_ingest 0 -q
expect_stats idn.csv "ok|22|0|1|0|0|21|21|0"
expect_map 0 -v --today 2026-01-15
expect_eq "map rejects" "0" "$(q "SELECT count(*) FROM reject WHERE stage = 'map';")"

cols="id_type, CASE WHEN id_flaw IS NULL THEN '-' WHEN id_flaw = 'bad check digit' THEN id_flaw ELSE 'other flaw' END, sex, birth_date, birth_year"
expect_eq "idn.csv episodes (id_type, flaw, sex, birth_date, birth_year)" \
"2: PNR|-|M|1964-08-23|1964
3: PNR|-|M|1964-08-23|1964
4: PNR|-|M|1964-08-23|1964
5: PNR|-|M|1964-08-23|1964
6: PNR|-|F|1985-06-15|1985
7: PNR|-|F|1985-06-15|1985
8: PNR|-|M|1924-01-01|1924
9: PNR|-|M|1924-01-01|1924
10: PNR|-|M|2024-01-01|2024
11: PNR|-|F|1926-01-16|1926
12: PNR|-|F|2026-01-15|2026
13: SAMNR|-|M|1964-08-23|1964
14: SAMNR|-|M|1964-08-23|1964
15: RESERV|-|U|-|-
16: RESERV|-|U|-|-
17: RESERV|-|U|-|-
18: NONE|bad check digit|U|-|-
19: NONE|-|U|-|-
20: NONE|other flaw|U|-|-
21: NONE|other flaw|U|-|-
22: PNR|-|M|1981-12-18|1981" "$(episodes idn.csv "$cols")"
expect_eq "idn.csv lines grouped by person_ref" \
"2,3,4,5
6,7
8,9
10
11
12
13,14
15,16
17
22" "$(q "SELECT group_concat(line) FROM (SELECT line, person_ref FROM episode
           WHERE person_ref IS NOT NULL AND file_id = $(fid idn.csv) ORDER BY line)
          GROUP BY person_ref ORDER BY min(line);")"
expect_eq "episodes with a person_ref iff id_type is not NONE" "" \
	"$(q "SELECT line FROM episode WHERE (person_ref IS NULL) != (id_type = 'NONE');")"
expect_eq "person_ref not 32 lower-case hex digits" "" \
	"$(q "SELECT line FROM episode WHERE person_ref IS NOT NULL
	        AND (length(person_ref) != 32 OR person_ref GLOB '*[^0-9a-f]*');")"
ref() { q "SELECT person_ref FROM episode WHERE file_id = $(fid "$1") AND line = $2;"; }
expect_eq "$A1 in idn2.csv is the same person as in idn.csv" "$(ref idn.csv 2)" "$(ref idn2.csv 2)"
expect_eq "RES-0001 in idn2.csv: RESERV" "RESERV" \
	"$(q "SELECT id_type FROM episode WHERE file_id = $(fid idn2.csv) AND line = 3;")"
expect_true "RES-0001 of another source is another person_ref" \
	test "$(ref idn.csv 15)" != "$(ref idn2.csv 3)" -a -n "$(ref idn2.csv 3)"

# Privacy: nothing identifying in the database files or the -v log.
expect_true "positive control: the raw value 'Öppenvård' is found in the database" \
	grep -a -q -s -F -e Öppenvård "$DB" "$DB-wal"
for v in "${secrets[@]}"; do
	expect_true "'$v' is in the input" grep -a -q -F -e "$v" "$WORK/input/idn.csv" \
		"$WORK/input/idn2.csv" <(printf '%s\n' 196408233234 198112189876 "19${B1%-*}${B1#*-}" \
		"19${C1%+*}${C1#*+}" "20${C1%+*}${C1#*+}" "19${E1%-*}${E1#*-}" "20${E2%-*}${E2#*-}" \
		"19${D1%-*}${D1#*-}")
	for f in "$DB" "$DB-wal" "$DB-journal"; do
		[ -e "$f" ] || continue
		expect_eq "'$v' in $(basename "$f")" "0" "$(grep -a -c -F -e "$v" "$f")"
	done
	expect_eq "'$v' in map's -v log" "0" "$(grep -a -c -F -e "$v" "$ERR")"
done

# person_ref: the same with the same key, different with another key.
refs() { q "SELECT f.name || ' ' || e.line || ' ' || e.person_ref FROM episode e
             JOIN input_file f USING (file_id) WHERE e.person_ref IS NOT NULL ORDER BY 1;"; }
first=$(refs)
expect_eq "episodes with a person_ref" "19" "$(printf '%s\n' "$first" | grep -c .)"
DB=$WORK/output/same-key.db
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_eq "person_refs in a second database with the same key" "$first" "$(refs)"
DB=$WORK/output/other-key.db
KEY=$WORK/key/other.key
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
other=$(refs)
expect_eq "episodes with a person_ref (other key)" "19" "$(printf '%s\n' "$other" | grep -c .)"
expect_eq "person_refs shared by the databases of two keys" "" \
	"$(comm -12 <(printf '%s\n' "$first" | awk '{ print $3 }' | sort -u) \
	            <(printf '%s\n' "$other" | awk '{ print $3 }' | sort -u))"
finish

#!/usr/bin/env bash
# t0405-dedup-birth-year.sh - guards the blocking keys birth_year (and so
# postcode + birth_year + sex, last_name + birth_year) for an episode whose
# export gives only a birth year (SCHEMA.md: birth_date "empty where only the
# year is known", birth_year four digits; mappings/norra_hisingen.ini maps
# Födelseår this way).  Regression: dedup took the birth year from
# birth_date only, so such an episode without an identity number had no
# birth_year key and was never compared (Norra Hisingen's episodes without a
# number stayed unlinked on the samples).
# Sources: a (LUNDBY) 20 filler persons and a:22 a person with personnummer;
# c (NORRA_HISINGEN) the fillers again; y (VASTRA_GBG) has Födelseår instead
# of a birth date: y:2 is a:22 with a one-letter typo in the first name (so
# the first_name + last_name rule does not block it) and the birth year.
# y:2 shares last_name + birth_year and postcode + birth_year + sex with a:22:
# it is a candidate pair (birth_date missing, contributing nothing) and, with
# first name in the high band and last name, sex, postcode agreeing, linked.
# y:3 is another woman with a:22's exact names, no postcode, born 1983: her
# birth year disagrees (birth_year else) and she stays apart.
# Regression: a year-only side made the birth comparison 'missing', so two
# namesakes born years apart were linked on names alone.  (The shipped
# names rule also needs the birth month and day, which y.csv lacks: this
# test adds the names alone as a rule, so that y:3 is compared.)
. "$(dirname "$0")/lib.sh"
new_fixture
linkage_fixture
printf 'rule = first_name + last_name\n' >>"$LINKAGE"
dedup_mapping a LUNDBY | mapping a
dedup_mapping c NORRA_HISINGEN | mapping c
mapping y <<'INI'
[source]
name = y
district = VASTRA_GBG
files = y.csv
[columns]
identity_number = Personnummer
first_name = Förnamn
last_name = Efternamn
sex = Kön
postcode = Postnr
birth_year = Födelseår
intervention = Insats
start_date = Start
[identity]
reference_date = 2026-01-15
[dates]
formats = YYYY-MM-DD
[recode sex]
K = F
M = M
[recode intervention]
Öppenvård = OPEN
HVB = INST
INI

G=$(pnr 750505 - 246)    # F
{
	printf '%s\n' "$DEDUP_HEADER"
	for i in $(seq 0 19); do filler "$i" 2024-01-20; done                     # 2-21
	printf '%s,Gustava,Årskullsdotter,,999 90,,Öppenvård,2024-01-10\n' "$G"   # 22
} >"$WORK/input/a.csv"
{
	printf '%s\n' "$DEDUP_HEADER"
	for i in $(seq 0 19); do filler "$i" 2024-03-20; done                     # 2-21
} >"$WORK/input/c.csv"
{
	printf 'Personnummer,Förnamn,Efternamn,Kön,Postnr,Födelseår,Insats,Start\n'
	printf ',Gustawa,Årskullsdotter,K,999 90,1975,HVB,2024-04-01\n'            # 2
	printf ',Gustava,Årskullsdotter,K,,1983,HVB,2024-05-01\n'                  # 3
} >"$WORK/input/y.csv"

expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_eq "y.csv (id_type, birth_date, birth_year, sex)" "2: NONE|-|1975|F
3: NONE|-|1983|F" \
	"$(episodes y.csv "id_type, birth_date, birth_year, sex")"
expect_eq "a.csv:22 (id_type, birth_date, birth_year, sex)" "22: PNR|1975-05-05|1975|F" \
	"$(episodes a.csv "id_type, birth_date, birth_year, sex" | tail -n 1)"
expect_dedup 0 -q
expect_dedup_reconciled

expect_eq "run candidate_pairs (y:2 ~ a:22, and y:3 ~ a:22 by first + last name)" "2" \
	"$(run_param candidate_pairs)"
expect_eq "linkage_param birth_date missing n" "2" \
	"$(q "SELECT n FROM linkage_param WHERE comparison = 'birth_date' AND level = 'missing';")"
expect_eq "linkage_param birth_year equal / else n" "1 1" \
	"$(q "SELECT group_concat(n, ' ') FROM (SELECT n FROM linkage_param WHERE comparison = 'birth_year'
	        AND level IN ('equal', 'else') ORDER BY level DESC);")"
expect_eq "person of y.csv:3 (basis|n_episodes|n_districts): born 1983, not a:22's" "SINGLE|1|1" \
	"$(person_row y.csv 3)"
expect_eq "y.csv:2 is a.csv:22's person" "$(person_of a.csv 22)" "$(person_of y.csv 2)"
expect_eq "person of y.csv:2 (basis|n_episodes|n_districts)" "PNR|2|2" "$(person_row y.csv 2)"
expect_eq "step of y.csv:2" "probabilistic" "$(step_of y.csv 2)"
wf=$(q "SELECT waterfall FROM person_link WHERE b_file_id = $(fid y.csv) OR a_file_id = $(fid y.csv);")
for c in "first_name jw>=0.92" "last_name exact" "birth_date missing" "birth_year equal" "sex equal" \
	"postcode equal"; do
	expect_like "waterfall of the y.csv:2 link names '$c'" "%$c%" "$wf"
done
finish

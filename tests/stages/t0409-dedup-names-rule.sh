#!/usr/bin/env bash
# t0409-dedup-names-rule.sh - guards the shipped names rule, first_name +
# last_name + birth_month_day (mappings/linkage/linkage.ini; docs/linkage.md,
# "Choosing blocking rules"): the month and day of the birth date survive a
# typo that changes the year, which no other rule does when the postcode is
# missing too.  Sources: a (LUNDBY) 20 filler persons and a:22 Gustava
# Årskullsdotter with a personnummer (born 1975-05-05, postcode 999 90);
# z (OSTRA) z:2 is her without a number, born "1957-05-05" (two digits of
# the year swapped) and without a postcode; z:3 a namesake born 1980-06-05
# (another month), z:4 a namesake without a birth date.
# - with the shipped rules, z:2 and a:22 are the rule's one candidate pair
#   (no other rule blocks them: birth date, year and postcode all differ or
#   are missing), and they are linked, the birth date at the typo level;
# - z:3 and z:4 share no key with a:22 and stay alone;
# - with the names rule removed, z:2 is never compared and stays alone.
. "$(dirname "$0")/lib.sh"
new_fixture
linkage_fixture
dedup_mapping a LUNDBY | mapping a
dedup_mapping z OSTRA | mapping z
{
	printf '%s\n' "$DEDUP_HEADER"
	for i in $(seq 0 19); do filler "$i" 2024-01-20; done                       # 2-21
	printf '%s,Gustava,Årskullsdotter,,999 90,,Öppenvård,2024-01-10\n' "$(pnr 750505 - 246)" # 22
} >"$WORK/input/a.csv"
{
	printf '%s\n' "$DEDUP_HEADER"
	printf ',Gustava,Årskullsdotter,K,,1957-05-05,HVB,2024-04-01\n'   # 2
	printf ',Gustava,Årskullsdotter,K,,1980-06-05,HVB,2024-04-02\n'   # 3
	printf ',Gustava,Årskullsdotter,K,,,HVB,2024-04-03\n'             # 4
} >"$WORK/input/z.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_eq "z.csv (id_type, birth_date)" "2: NONE|1957-05-05
3: NONE|1980-06-05
4: NONE|-" "$(episodes z.csv "id_type, birth_date")"

names_rule() { q "SELECT n FROM linkage_param WHERE comparison = 'blocking' AND level LIKE '%first_name + last_name%';"; }
expect_dedup 0 -q
expect_dedup_reconciled
expect_eq "the rule's text in linkage_param" "4: first_name + last_name + birth_month_day" \
	"$(q "SELECT level FROM linkage_param WHERE comparison = 'blocking' AND level LIKE '4:%';")"
expect_eq "one candidate pair, the names rule's" "1 1" "$(run_param candidate_pairs) $(names_rule)"
expect_eq "z:2 is a:22's person, linked" "$(person_of a.csv 22) probabilistic" \
	"$(person_of z.csv 2) $(step_of z.csv 2)"
expect_like "the link's birth date is at the typo level" '%birth_date typo%' \
	"$(q "SELECT waterfall FROM person_link WHERE b_file_id = $(fid z.csv) AND b_line = 2;")"
expect_eq "z:3 and z:4 alone" "SINGLE|1|1 SINGLE|1|1" "$(person_row z.csv 3) $(person_row z.csv 4)"

sed -i '/^rule = first_name + last_name + birth_month_day$/d' "$LINKAGE"
expect_dedup 0 -q
expect_eq "without the names rule: no candidate pair" "0" "$(run_param candidate_pairs)"
expect_eq "without the names rule: z:2 alone" "SINGLE|1|1" "$(person_row z.csv 2)"
finish

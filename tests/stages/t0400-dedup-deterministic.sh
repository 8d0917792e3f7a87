#!/usr/bin/env bash
# t0400-dedup-deterministic.sh - guards the deterministic step of dedup
# (docs/linkage.md step 1, "Persons"), on two sources in two districts
# (a: LUNDBY, b: OSTRA), every person with names no other person shares:
# - one personnummer written YYMMDD-NNNC (a.csv), YYYYMMDDNNNC and
#   YYYYMMDD-NNNC (b.csv) is one person: basis PNR, n_episodes 3,
#   n_districts 2, every step 'deterministic', person_id = the person_ref;
# - two different valid numbers with identical names, birth date, sex and
#   postcode (a.csv line 3, b.csv line 4) stay two persons, never linked
#   (no person_link row), each basis PNR with one episode;
# - a reserve number repeated within one source is one person, basis
#   RESERV, n_episodes 2; another reserve number of the same source is
#   another person; the same reserve string in another source is another
#   person (reserve numbers are local);
# - every episode has one episode_person row, persons add up, run totals
#   (episodes by step, links, refused links) are exact;
# - dedup -q succeeds silently with stdout empty;
# - a person_ref that is not 32 hex digits (a damaged database: map writes
#   keyed pseudonyms) makes dedup refuse with exit 65, naming the episode,
#   and leaves the persons of the previous run as they were.
. "$(dirname "$0")/lib.sh"
new_fixture
linkage_fixture
dedup_mapping a LUNDBY | mapping a
dedup_mapping b OSTRA | mapping b

P1=$(pnr 850615 - 244)            # F
P1_12=19${P1%-*}${P1#*-}
P1_dash=19$P1
P2=$(pnr 900301 - 113)            # M
P3=$(pnr 900301 - 133)            # M, same birth date as P2
expect_true "P2 and P3 are different numbers" test "$P2" != "$P3"
{
	printf '%s\n' "$DEDUP_HEADER"
	printf '%s,Pialotta,Ettansdotter,,999 01,,Öppenvård,2024-01-10\n' "$P1"        # 2
	printf '%s,Dubbelina,Tvillingsson,M,999 02,,Öppenvård,2024-01-11\n' "$P2"     # 3
	printf 'RES-0001,Reservia,Lokalsdotter,K,999 03,1977-07-07,HVB,2024-01-12\n'  # 4
	printf 'RES-0001,Reservia,Lokalsdotter,K,999 03,1977-07-07,Öppenvård,2024-03-12\n' # 5
	printf 'RES-0002,Tredjeman,Reservius,M,999 04,1955-05-05,HVB,2024-01-13\n'    # 6
} >"$WORK/input/a.csv"
{
	printf '%s\n' "$DEDUP_HEADER"
	printf '%s,Pialotta,Ettansdotter,,999 01,,HVB,2024-02-10\n' "$P1_12"          # 2
	printf '%s,Pialotta,Ettansdotter,K,999 01,,Öppenvård,2024-05-10\n' "$P1_dash" # 3
	printf '%s,Dubbelina,Tvillingsson,M,999 02,,Öppenvård,2024-02-11\n' "$P3"     # 4
	printf 'RES-0001,Annanreserv,Ostrasson,M,999 05,1960-01-20,HVB,2024-02-12\n'  # 5
} >"$WORK/input/b.csv"

expect_ingest 0 -q
expect_stats a.csv "ok|6|0|1|0|0|5|5|0"
expect_stats b.csv "ok|5|0|1|0|0|4|4|0"
expect_map 0 -q --today 2026-01-15
expect_eq "map rejects" "0" "$(q "SELECT count(*) FROM reject WHERE stage = 'map';")"
expect_eq "a.csv episodes (id_type, sex, birth_date)" \
"2: PNR|F|1985-06-15
3: PNR|M|1990-03-01
4: RESERV|F|1977-07-07
5: RESERV|F|1977-07-07
6: RESERV|M|1955-05-05" "$(episodes a.csv "id_type, sex, birth_date")"
expect_eq "b.csv episodes (id_type, sex, birth_date)" \
"2: PNR|F|1985-06-15
3: PNR|F|1985-06-15
4: PNR|M|1990-03-01
5: RESERV|M|1960-01-20" "$(episodes b.csv "id_type, sex, birth_date")"

expect_dedup 0 -q
expect_dedup_reconciled

expect_eq "persons by their episodes" \
"a.csv:2 b.csv:2 b.csv:3
a.csv:3
a.csv:4 a.csv:5
a.csv:6
b.csv:4
b.csv:5" "$(persons_by_episodes)"
expect_eq "persons" "6" "$(q 'SELECT count(*) FROM person;')"

# One personnummer in three shapes, two districts.
expect_eq "person of $P1 (basis|n_episodes|n_districts)" "PNR|3|2" "$(person_row a.csv 2)"
for e in "a.csv 2" "b.csv 2" "b.csv 3"; do
	expect_eq "step of $e" "deterministic" "$(step_of $e)"
	expect_eq "person_id of $e is its person_ref" "$(ref_of $e)" "$(person_of $e)"
done
expect_true "person_ref of a.csv:2 is set" test -n "$(ref_of a.csv 2)"

# Two valid numbers, the same names and birth date: two persons.
expect_eq "person of $P2 (a.csv:3)" "PNR|1|1" "$(person_row a.csv 3)"
expect_eq "person of $P3 (b.csv:4)" "PNR|1|1" "$(person_row b.csv 4)"
expect_true "P2 and P3 are two persons" \
	test "$(person_of a.csv 3)" != "$(person_of b.csv 4)" -a -n "$(person_of a.csv 3)"
expect_eq "person_id of a.csv:3 is its person_ref" "$(ref_of a.csv 3)" "$(person_of a.csv 3)"
expect_eq "person_id of b.csv:4 is its person_ref" "$(ref_of b.csv 4)" "$(person_of b.csv 4)"
expect_eq "step of a.csv:3, b.csv:4" "deterministic deterministic" \
	"$(step_of a.csv 3) $(step_of b.csv 4)"

# Reserve numbers: one person within a source, local to it.
expect_eq "person of RES-0001 in a.csv" "RESERV|2|1" "$(person_row a.csv 4)"
expect_eq "a.csv:4 and a.csv:5 are one person" "$(person_of a.csv 4)" "$(person_of a.csv 5)"
expect_eq "person_id of a.csv:4 is its person_ref" "$(ref_of a.csv 4)" "$(person_of a.csv 4)"
expect_eq "steps of a.csv:4, a.csv:5" "deterministic deterministic" \
	"$(step_of a.csv 4) $(step_of a.csv 5)"
expect_eq "person of RES-0002 in a.csv" "RESERV|1|1" "$(person_row a.csv 6)"
expect_eq "person of RES-0001 in b.csv" "RESERV|1|1" "$(person_row b.csv 5)"
expect_true "RES-0001 of a and of b are two persons" \
	test "$(person_of a.csv 4)" != "$(person_of b.csv 5)" -a -n "$(person_of b.csv 5)"
expect_eq "person_id of b.csv:5 is its person_ref" "$(ref_of b.csv 5)" "$(person_of b.csv 5)"

expect_eq "persons by basis" "PNR 3 5
RESERV 3 4" "$(q "SELECT basis || ' ' || count(*) || ' ' || sum(n_episodes) FROM person
                  GROUP BY basis ORDER BY basis;")"
expect_eq "steps" "deterministic 9" \
	"$(q "SELECT step || ' ' || count(*) FROM episode_person GROUP BY step ORDER BY step;")"
expect_eq "person_link rows" "0" "$(q 'SELECT count(*) FROM person_link;')"
expect_eq "run: episodes_deterministic probabilistic unlinked links refused_links" \
	"9 0 0 0 0" "$(run_param episodes_deterministic) $(run_param episodes_probabilistic) \
$(run_param episodes_unlinked) $(run_param links) $(run_param refused_links)"

# A damaged person_ref: refused, the previous run's persons kept.
persons_before=$(q "SELECT count(*) || ' ' || sum(n_episodes) FROM person;")
ref_a3=$(ref_of a.csv 3)
q "UPDATE episode SET person_ref = 'not-a-pseudonym' WHERE file_id = $(fid a.csv) AND line = 3;"
expect_dedup 65 -q
expect_grep "a damaged person_ref is named" \
	"dedup E episode $(q "SELECT $(fid a.csv);"):3: person_ref is not 32 hex digits" \
	"$(cat "$ERR")"
expect_eq "persons after the refused run" "$persons_before" \
	"$(q "SELECT count(*) || ' ' || sum(n_episodes) FROM person;")"
q "UPDATE episode SET person_ref = '$ref_a3' WHERE file_id = $(fid a.csv) AND line = 3;"
expect_dedup 0 -q
expect_eq "persons after the repair" "$persons_before" \
	"$(q "SELECT count(*) || ' ' || sum(n_episodes) FROM person;")"
finish

#!/usr/bin/env bash
# t0406-dedup-samples-truth.sh - the dedup stage reproduces the generator's
# true unique-person figures on the repository's sample exports exactly: on
# a copy of input/ and mappings/ (linkage settings from
# mappings/linkage/linkage.ini), after ingest, map and dedup,
#   persons_mapped city n            count(person) is n;
#   persons_mapped <DISTRICT> n      the persons with an episode in the
#                                    district are n, for every district of
#                                    the truth, and no other district has
#                                    episodes;
#   persons_mapped multi_district n  the persons with episodes in two or
#                                    more districts are n
# (tests/data/sample-truth.txt; persons there are the generator's true
# persons over the rows the map stage keeps).  The samples carry names, sex,
# birth date (Norra Hisingen: birth year) and postcode in every export, so
# every episode without a valid number (missing, bad check digit, reserve
# number) can be linked to its person.  A missing or repeated truth line
# fails the test.
. "$(dirname "$0")/lib.sh"
new_fixture
truth=$PL_ROOT/tests/data/sample-truth.txt
if [ ! -s "$truth" ]; then
	expect_eq "truth file $truth exists and is not empty" "present" "missing"
	finish
fi
cp -R "$PL_ROOT/input/." "$WORK/input/"
cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"
expect_true "sample input/ holds files" test -n "$(ls -A "$WORK/input")"
expect_true "the linkage settings are in the copied mappings" test -s "$LINKAGE"

# need KIND A: set $v to the value of the one truth line "KIND A <number>";
# a missing or repeated fact fails the test (and $v is -1).
need() {
	v=$(awk -v k="$1" -v a="$2" '$1 == k && $2 == a { print $3 }' "$truth")
	case $v in
	''|*[!0-9]*)
		expect_eq "truth has exactly one line '$1 $2 <number>'" "one" "${v:-none}"
		v=-1 ;;
	esac
}

expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_map_reconciled
expect_dedup 0 -q
expect_dedup_reconciled

need persons_mapped city
expect_eq "persons city-wide (persons_mapped city)" "$v" "$(q 'SELECT count(*) FROM person;')"

districts=$(awk '$1 == "persons_mapped" && $2 != "city" && $2 != "multi_district" { print $2 }' \
	"$truth" | LC_ALL=C sort)
expect_true "truth has persons_mapped lines per district" test -n "$districts"
expect_eq "districts with episodes vs the truth's persons_mapped districts" "$districts" \
	"$(q 'SELECT DISTINCT district FROM episode;' | LC_ALL=C sort)"
for d in $districts; do
	need persons_mapped "$d"
	expect_eq "persons with an episode in $d (persons_mapped $d)" "$v" \
		"$(q "SELECT count(DISTINCT p.person_key) FROM episode_person p
		        JOIN episode e USING (file_id, line) WHERE e.district = $(sql_str "$d");")"
done

need persons_mapped multi_district
expect_eq "persons with episodes in two or more districts (persons_mapped multi_district)" "$v" \
	"$(q "SELECT count(*) FROM (SELECT p.person_key FROM episode_person p
	        JOIN episode e USING (file_id, line) GROUP BY p.person_key
	       HAVING count(DISTINCT e.district) >= 2);")"

if [ "$n_failed" -gt 0 ]; then
	printf 'info: persons by basis: %s\n' \
		"$(q "SELECT group_concat(basis || ' ' || n, ', ') FROM (SELECT basis, count(*) AS n
		        FROM person GROUP BY basis ORDER BY basis);")"
	printf 'info: run %s\n' \
		"$(q "SELECT group_concat(level || ' ' || n, ', ') FROM (SELECT level, n FROM linkage_param
		        WHERE comparison = 'run' ORDER BY level);")"
fi
finish

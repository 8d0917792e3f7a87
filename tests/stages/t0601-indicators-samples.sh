#!/usr/bin/env bash
# t0601-indicators-samples.sh - the indicators stage on the repository's
# sample exports (a copy of input/ and mappings/, after ingest, map and
# dedup) reproduces the generator's true figures exactly, for every year
# of the truth (tests/data/sample-truth.txt, lines "ind KIND YEAR WHERE N"):
#   persons (total and per district), persons_intervention per code,
#   persons_nov1 (period YEAR-11-01), multi_district, ngo_persons, and the
#   numerators and denominators of women_share (women / sex_known) and
#   children_share (children_yes / children_known);
# rates equal numerator / population x 10,000, where the population is the
# reporting districts' inhabitants aged 21 and over from the population
# file, summed here independently with awk (the 20-24 band counts 4/5);
# every value, lower and upper is a finite number or NULL (never NaN);
# district rows of the rates have funnel positions and every year an
# equity row over the five districts; the output is deterministic: a second
# run gives byte-identical tables.
. "$(dirname "$0")/lib.sh"
new_fixture
truth=$PL_ROOT/tests/data/sample-truth.txt
cp -R "$PL_ROOT/input/." "$WORK/input/"
cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"
expect_true "the catalogue is in the copied mappings" test -s "$CATALOGUE"
expect_true "the population is in the copied mappings" test -s "$POPULATION"

# need KIND YEAR WHERE: $v is the number of the one truth line, or -1.
need() {
	v=$(awk -v k="$1" -v y="$2" -v w="$3" '$1 == "ind" && $2 == k && $3 == y && $4 == w { print $5 }' \
		"$truth")
	case $v in
	''|*[!0-9]*)
		expect_eq "truth has exactly one line 'ind $1 $2 $3 <number>'" "one" "${v:-none}"
		v=-1 ;;
	esac
}

expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_dedup 0 -q
expect_indicators 0 -q
expect_indicators 0
expect_grep "summary line" 'indicators I [0-9]+ indicators over 1171 persons, 2973 episodes' \
	"$(cat "$ERR")"

years=$(awk '$1 == "ind" && $2 == "persons" && $4 == "city" { print $3 }' "$truth")
expect_eq "truth years" "2023 2024 2025" "$(echo $years)"
for y in $years; do
	need persons "$y" city
	expect_eq "$y persons city-wide" "$v" "$(ind_value persons "$y" total 1 numerator)"
	for d in $(awk -v y="$y" '$1 == "ind" && $2 == "persons" && $3 == y && $4 != "city" { print $4 }' "$truth"); do
		need persons "$y" "$d"
		expect_eq "$y persons in $d" "$v" \
			"$(ind_value persons "$y" district "district = '$d'" numerator)"
	done
	for c in $(awk -v y="$y" '$1 == "ind" && $2 == "persons_intervention" && $3 == y { print $4 }' "$truth"); do
		need persons_intervention "$y" "$c"
		expect_eq "$y persons with intervention $c" "$v" \
			"$(ind_value persons_intervention "$y" intervention "intervention = '$c'" numerator)"
	done
	need persons_nov1 "$y" city
	expect_eq "$y persons on 1 November" "$v" \
		"$(ind_value persons_nov1 "$y-11-01" total 1 numerator)"
	need multi_district "$y" city
	expect_eq "$y persons in two or more districts" "$v" \
		"$(ind_value multi_district "$y" total 1 numerator)"
	need ngo_persons "$y" city
	expect_eq "$y persons with an NGO provider" "$v" \
		"$(ind_value ngo_persons "$y" total 1 numerator)"
	need women "$y" city; w=$v
	need sex_known "$y" city
	expect_eq "$y share of women: numerator|denominator" "$w|$v" \
		"$(ind_value women_share "$y" total 1 numerator,denominator)"
	need children_yes "$y" city; w=$v
	need children_known "$y" city
	expect_eq "$y share with children: numerator|denominator" "$w|$v" \
		"$(ind_value children_share "$y" total 1 numerator,denominator)"

	# the population aged 21+ of the districts with episodes in the year
	reporting=$(q "SELECT DISTINCT district FROM episode WHERE start_date <= '$y-12-31'
	               AND (end_date IS NULL OR end_date >= '$y-01-01');" | tr '\n' ' ')
	pop=$(awk -F, -v y="$y" -v ds=" $reporting" '
		NR > 1 && $1 == y && index(ds, " " $2 " ") {
			split($4, a, /[-+]/); from = a[1] + 0
			if (from >= 25) s += $5; else if (from == 20) s += $5 * 4 / 5
		} END { printf "%.6f", s }' "$POPULATION")
	expect_eq "$y rate 21+: denominator = population 21+ of the reporting districts" "$pop" \
		"$(q "SELECT printf('%.6f', denominator) FROM indicator_value WHERE
		      indicator = 'persons_rate_21' AND period = '$y' AND breakdown = 'total';")"
done

expect_eq "every rate is numerator / denominator x 10,000" "0" \
	"$(q "SELECT count(*) FROM indicator_value WHERE indicator IN ('persons_rate_21', 'lvm_rate_18')
	      AND value IS NOT NULL AND abs(value - numerator * 10000.0 / denominator) > 1e-9 * value;")"
expect_eq "rates with a value" "1" \
	"$(q "SELECT count(*) > 20 FROM indicator_value WHERE indicator = 'persons_rate_21' AND value > 0;")"
expect_eq "no value, lower or upper is NaN, infinite or text" "0" \
	"$(q "SELECT count(*) FROM indicator_value WHERE
	      (value IS NOT NULL AND (typeof(value) != 'real' OR abs(value) > 1e300 OR value != value))
	   OR (lower IS NOT NULL AND (typeof(lower) != 'real' OR abs(lower) > 1e300 OR lower != lower))
	   OR (upper IS NOT NULL AND (typeof(upper) != 'real' OR abs(upper) > 1e300 OR upper != upper))
	   OR (value IS NULL) != (lower IS NULL) OR (value IS NULL) != (upper IS NULL);")"
expect_eq "intervals hold their value" "0" \
	"$(q "SELECT count(*) FROM indicator_value WHERE value IS NOT NULL AND
	      NOT (lower <= value AND value <= upper);")"
expect_eq "figures without a value say why" "0" \
	"$(q "SELECT count(*) FROM indicator_value WHERE value IS NULL AND note IS NULL;")"
expect_eq "counts of 1-4 are marked for suppression, others not" "0" \
	"$(q "SELECT count(*) FROM indicator_value WHERE method IN ('poisson_exact', 'byar')
	      AND suppress != (numerator BETWEEN 1 AND 4);")"
expect_eq "district rows of rates have a funnel position" "0" \
	"$(q "SELECT count(*) FROM indicator_value WHERE indicator = 'persons_rate_21'
	      AND breakdown = 'district' AND (funnel IS NULL OR funnel_od IS NULL);")"
expect_eq "an equity row per year for the rate, over 5 districts, df 4" "2023|5|4.0 2024|5|4.0 2025|5|4.0" \
	"$(q "SELECT period, units, df FROM indicator_equity WHERE indicator = 'persons_rate_21'
	      ORDER BY period;" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "a trend over three years for persons city-wide" "2023|2025|3" \
	"$(q "SELECT first_period, last_period, n_periods FROM indicator_trend
	      WHERE indicator = 'persons' AND breakdown = 'total';")"
expect_eq "quartiles are ordered" "0" \
	"$(q "SELECT count(*) FROM indicator_value WHERE indicator = 'episode_length'
	      AND value IS NOT NULL AND NOT (lower <= value AND value <= upper);")"
expect_eq "hidden population estimates are at least the persons seen" "0" \
	"$(q "SELECT count(*) FROM indicator_value WHERE indicator IN ('hidden_chao', 'hidden_loglinear')
	      AND (value IS NULL OR value < numerator OR lower < numerator);")"
expect_eq "every catalogue indicator is described" \
	"$(grep -c '^\[indicator ' "$CATALOGUE")" "$(q "SELECT count(*) FROM indicator;")"

dump() {
	sqlite3 "$DB" ".dump indicator indicator_value indicator_equity indicator_trend"
}
first=$(dump | sha256sum)
expect_indicators 0 -q
expect_eq "a second run gives byte-identical tables" "$first" "$(dump | sha256sum)"
finish

#!/usr/bin/env bash
# t0602-indicators-config.sh - what the indicators stage does with bad
# configuration and missing prerequisites:
#   - a catalogue error (syntax, unknown key, unknown code, unknown method,
#     a numerator without a share method, a repeated key, a missing file)
#     is exit 78 naming the catalogue and the line, and leaves the previous
#     indicator tables as they were; threads = 1 or 3 gives the same tables;
#   - a population file with a band missing, or no men for a district, is
#     exit 78 naming the file; a bad number names the line;
#   - a population file without a district that has episodes is no error:
#     the rates of that district have no value and say why, a warning names
#     the year, and the city-wide rate has no value either;
#   - episodes without persons (dedup not run) are exit 65.
. "$(dirname "$0")/lib.sh"
new_fixture
cp -R "$PL_ROOT/input/." "$WORK/input/"
cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"
good_cat=$WORK/good.ini
good_pop=$WORK/good.csv
cp "$CATALOGUE" "$good_cat"
cp "$POPULATION" "$good_pop"

expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_indicators 65
expect_grep "no persons yet: says run dedup" 'indicators E .*episodes have no person: run dedup first' \
	"$(cat "$ERR")"
expect_dedup 0 -q
expect_indicators 0 -q
before=$(sqlite3 "$DB" ".dump indicator indicator_value indicator_equity indicator_trend" | sha256sum)

# bad_catalogue LINE-TEXT MESSAGE-ERE [AFTER-ERE]: the good catalogue with one
# more line in [indicator persons] (after its first line matching AFTER-ERE,
# by default its title_en), expecting exit 78 at that line.
bad_catalogue() {
	local at
	at=$(grep -n -E "${3:-^title_en = Unique persons with}" "$good_cat" | head -1 | cut -d: -f1)
	awk -v at="$at" -v extra="$1" '{ print } NR == at { print extra }' "$good_cat" >"$CATALOGUE"
	expect_indicators 78 -q
	expect_grep "catalogue line '$1': file, line and message" \
		"indicators E .*indicators\.ini:$((at + 1)): $2" "$(cat "$ERR")"
	cp "$good_cat" "$CATALOGUE"
}
bad_catalogue 'colour = blue' "unknown key 'colour'"
bad_catalogue 'filter = intervention = SAUNA' "code not in the field's code list: 'SAUNA'"
bad_catalogue 'filter = shoe_size >= 40' 'unknown field in condition'
bad_catalogue 'filter = age ~ 21' 'unknown operator'
bad_catalogue 'filter = intervention >= LVM' 'a code field takes = or != only'
bad_catalogue 'filter = age >= old' 'not a number in condition'
bad_catalogue 'method = rate' "repeated key 'method'" '^method = count' 
bad_catalogue 'by = district district' 'a breakdown names one dimension twice'
bad_catalogue 'by = shoe_size' 'not a breakdown dimension'
bad_catalogue 'period = day 02-30' 'period is not year'
bad_catalogue 'this line has no equals sign' ''
bad_catalogue 'threads = -1' "threads is not 0\\.\\.64" '^conf = '
# Indicators computed on one thread or three: the same tables.
for t in 1 3; do
	sed "s/^conf = .*/&\nthreads = $t/" "$good_cat" >"$CATALOGUE"
	expect_indicators 0 -q
	expect_eq "threads = $t: the same indicator tables" "$before" \
		"$(sqlite3 "$DB" ".dump indicator indicator_value indicator_equity indicator_trend" | sha256sum)"
done
cp "$good_cat" "$CATALOGUE"

# a whole-indicator error is reported at the indicator's first key
printf '\n[indicator broken]\ntitle_sv = x\ntitle_en = x\nunit = persons\nmethod = count\nnumerator = sex = F\n' \
	>>"$CATALOGUE"
at=$(grep -n '^\[indicator broken\]' "$CATALOGUE" | cut -d: -f1)
expect_indicators 78 -q
expect_grep "numerator without a share method: at the indicator" \
	"indicators E .*indicators\.ini:$((at + 1)): indicator 'broken': numerator goes with method wilson or exact" \
	"$(cat "$ERR")"
cp "$good_cat" "$CATALOGUE"
expect_exit 78 "$PL_BIN/indicators" -c "$WORK/none.ini" -p "$POPULATION" -d "$DB"
expect_grep "missing catalogue" 'none\.ini: cannot read the indicator catalogue' "$(cat "$ERR")"

# population: a band missing, men missing, a bad number
grep -v '^2024,ANGERED,F,30-34,' "$good_pop" >"$POPULATION"
expect_indicators 78 -q
expect_grep "a missing band" 'population 2024 ANGERED F: ages missing at 30' "$(cat "$ERR")"
grep -v '^2023,LUNDBY,M,' "$good_pop" >"$POPULATION"
expect_indicators 78 -q
expect_grep "no men" 'population 2023 LUNDBY: no rows for men' "$(cat "$ERR")"
sed '5s/,[0-9]*$/,many/' "$good_pop" >"$POPULATION"
expect_indicators 78 -q
expect_grep "a bad number: at its line" "population\.csv:5: population is not a whole number: 'many'" \
	"$(cat "$ERR")"
sed '1s/population/folks/' "$good_pop" >"$POPULATION"
expect_indicators 78 -q
expect_grep "a missing column" "population\.csv:1: the population file has no column 'population'" \
	"$(cat "$ERR")"
expect_eq "the failed runs left the previous tables" "$before" \
	"$(sqlite3 "$DB" ".dump indicator indicator_value indicator_equity indicator_trend" | sha256sum)"

# a district missing from the population: no error, figures without values
grep -v ',OSTRA,' "$good_pop" >"$POPULATION"
expect_indicators 0
expect_grep "a warning names the file, the year and the district" \
	'indicators W .*population\.csv: the population file has no 2024 for OSTRA$' \
	"$(cat "$ERR")"
expect_eq "Östra's rate has no value and says why" \
	"-|the population file has no 2024 for OSTRA" \
	"$(ind_value persons_rate_21 2024 district "district = 'OSTRA'" value,note)"
expect_eq "the city-wide rate includes Östra, so has no value" "-" \
	"$(ind_value persons_rate_21 2024 total 1 value)"
expect_true "Angered's rate has a value" test -n \
	"$(q "SELECT value FROM indicator_value WHERE indicator = 'persons_rate_21' AND period = '2024'
	      AND breakdown = 'district' AND district = 'ANGERED' AND value > 0;")"
expect_eq "counts do not need the population" "1" \
	"$(q "SELECT count(*) FROM indicator_value WHERE indicator = 'persons' AND period = '2024'
	      AND breakdown = 'district' AND district = 'OSTRA' AND numerator > 0;")"
finish

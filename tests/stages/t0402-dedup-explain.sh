#!/usr/bin/env bash
# t0402-dedup-explain.sh - guards `dedup --explain` (docs/linkage.md, Audit)
# on three sources: a (LUNDBY) and c (NORRA_HISINGEN) hold 20 filler persons
# with personnummer (background for u and the prior), a:2 a person with a
# personnummer; b (OSTRA) episodes without a number: b:2 the same person with
# no postcode (postcode missing: contributes nothing), b:4 the same person
# with a one-letter typo in the last name, b:3 someone else (SINGLE).
# - `--explain PERSON_ID`, `--explain a.csv:2`, `-e b.csv:4` print the same,
#   exit 0, stderr empty with -q: the person line (id, basis, episodes,
#   districts), one line per episode (file:line, district, intervention,
#   start date, id_type, step), and per person_link row, strongest first,
#   "link FILE:LINE ~ FILE:LINE, weight W" with W the row's weight to 2
#   decimals and its waterfall one item a line: the prior, then first_name,
#   last_name, birth_date, sex, postcode each with its level and signed
#   contribution, then "total W, threshold 4.30";
# - the prior is log2(prior/(1-prior)) of linkage_param run/prior, the
#   birth_date, sex and postcode contributions are log2(m/u) of their
#   linkage_param level, a missing value contributes 0.00, and the
#   contributions add up to the total (to rounding);
# - a SINGLE person prints its line and its episode, no link;
# - an unknown person id, an unknown FILE:LINE, a line of a known file with
#   no episode: exit 66, nothing on stdout;
# - no name, postcode, birth date or identity number of the fixture in any
#   output.
. "$(dirname "$0")/lib.sh"
new_fixture
linkage_fixture
linkage_sources

fillers=()
T1=$(pnr 710412 - 242)   # F
{
	printf '%s\n' "$DEDUP_HEADER"
	printf '%s,Ingrid,Exempelsdotter,,999 10,,Öppenvård,2024-01-10\n' "$T1"   # 2
	for i in $(seq 0 19); do filler "$i" 2024-01-20; done                     # 3-22
} >"$WORK/input/a.csv"
{
	printf '%s\n' "$DEDUP_HEADER"
	printf ',Ingrid,Exempelsdotter,K,,1971-04-12,HVB,2024-02-10\n'             # 2
	printf ',Olof,Annanson,M,999 20,1966-05-05,HVB,2024-02-13\n'               # 3
	printf ',Ingrid,Exempelsdoter,K,999 10,1971-04-12,Öppenvård,2024-06-01\n'  # 4
} >"$WORK/input/b.csv"
{
	printf '%s\n' "$DEDUP_HEADER"
	for i in $(seq 0 19); do filler "$i" 2024-03-20; done                     # 2-21
} >"$WORK/input/c.csv"
secrets=("$T1" "19${T1%-*}${T1#*-}" "${T1%-*}${T1#*-}" Ingrid Exempelsdotter Exempelsdoter
	Olof Annanson '999 10' 99910 '999 20' 99920 1971-04-12 1966-05-05 19710412 710412)

expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_eq "map rejects" "0" "$(q "SELECT count(*) FROM reject WHERE stage = 'map';")"
expect_dedup 0 -q
expect_dedup_reconciled

PID=$(person_of a.csv 2)
expect_eq "a.csv:2, b.csv:2, b.csv:4 are one person" "$PID $PID" \
	"$(person_of b.csv 2) $(person_of b.csv 4)"
expect_eq "person of a.csv:2" "PNR|3|2" "$(person_row a.csv 2)"
expect_eq "person_link rows of the person" "2" \
	"$(q "SELECT count(*) FROM person_link WHERE person_key = $(pkey_of a.csv 2);")"

# The expected explanation, built from the tables: exact lines for the
# person and its episodes and the link headers; the waterfall lines checked
# one by one below.
NUM='[+-][0-9]+\.[0-9]{2}'
expected_head="person $PID (PNR): 3 episodes in 2 districts
  episode a.csv:2  LUNDBY  OPEN  2024-01-10  PNR  deterministic
  episode b.csv:2  OSTRA  INST  2024-02-10  NONE  probabilistic
  episode b.csv:4  OSTRA  OPEN  2024-06-01  NONE  probabilistic"
links=$(q "SELECT fa.name || ':' || l.a_line || ' ~ ' || fb.name || ':' || l.b_line
                  || ', weight ' || printf('%.2f', l.weight)
             FROM person_link l JOIN input_file fa ON fa.file_id = l.a_file_id
             JOIN input_file fb ON fb.file_id = l.b_file_id
            WHERE l.person_key = $(pkey_of a.csv 2) ORDER BY l.weight DESC;")

check_explanation() { # check_explanation WHAT: the explanation in $OUT
	local what=$1 out head body n i link w total sum
	out=$(cat "$OUT")
	head=$(printf '%s\n' "$out" | head -n 4)
	expect_eq "$what: person and episode lines" "$expected_head" "$head"
	body=$(printf '%s\n' "$out" | tail -n +5)
	expect_eq "$what: lines after the episodes (2 links of 9 lines)" "18" \
		"$(printf '%s\n' "$body" | grep -c '')"
	for i in 1 2; do
		link=$(printf '%s\n' "$links" | sed -n "${i}p")
		w=${link##* }
		expect_eq "$what: link $i header" "  link $link" \
			"$(printf '%s\n' "$body" | sed -n "$(( (i - 1) * 9 + 1 ))p")"
		wf=$(printf '%s\n' "$body" | sed -n "$(( (i - 1) * 9 + 2 )),$(( i * 9 ))p")
		expect_grep "$what: link $i prior line" "^    prior $NUM\$" "$(printf '%s\n' "$wf" | sed -n 1p)"
		expect_grep "$what: link $i first_name line" \
			"^    first_name exact( \\(name frequency\\))? $NUM\$" "$(printf '%s\n' "$wf" | sed -n 2p)"
		expect_grep "$what: link $i last_name line" \
			"^    last_name (exact( \\(name frequency\\))?|jw>=0\\.92) $NUM\$" \
			"$(printf '%s\n' "$wf" | sed -n 3p)"
		expect_grep "$what: link $i birth_date line" "^    birth_date exact $NUM\$" \
			"$(printf '%s\n' "$wf" | sed -n 4p)"
		expect_grep "$what: link $i birth_year line (full dates on both sides)" \
			"^    birth_year missing [+-]0\\.00\$" "$(printf '%s\n' "$wf" | sed -n 5p)"
		expect_grep "$what: link $i sex line" "^    sex equal $NUM\$" "$(printf '%s\n' "$wf" | sed -n 6p)"
		expect_grep "$what: link $i postcode line" "^    postcode (equal $NUM|missing [+-]0\\.00)\$" \
			"$(printf '%s\n' "$wf" | sed -n 7p)"
		expect_eq "$what: link $i total line" "    total $w, threshold 4.30" \
			"$(printf '%s\n' "$wf" | sed -n 8p)"
		sum=$(printf '%s\n' "$wf" | sed -n 1,7p | awk '{ s += $NF } END { printf "%.2f", s }')
		expect_true "$what: link $i contributions ($sum) add up to the total ($w) to rounding" \
			awk -v a="$sum" -v b="$w" 'BEGIN { d = a - b; exit !(d <= 0.03 && d >= -0.03) }'
	done
}

expect_dedup 0 -q --explain "$PID"
check_explanation "--explain PERSON_ID"
by_id=$(cat "$OUT")
expect_dedup 0 -q --explain a.csv:2
check_explanation "--explain a.csv:2"
expect_eq "--explain a.csv:2 = --explain PERSON_ID" "$by_id" "$(cat "$OUT")"
expect_dedup 0 -q -e b.csv:4
expect_eq "-e b.csv:4 = --explain PERSON_ID" "$by_id" "$(cat "$OUT")"

# The two links: b:2 has no postcode, b:4 a typo in the last name; the
# pairs of the person's links are two of a:2~b:2, a:2~b:4, b:2~b:4.
expect_true "the links name only the person's episodes" \
	test -z "$(printf '%s\n' "$links" | grep -v -E '^(a\.csv:2 ~ b\.csv:[24]|b\.csv:2 ~ b\.csv:4|b\.csv:[24] ~ a\.csv:2|b\.csv:4 ~ b\.csv:2), ')"
expect_grep "a link with postcode missing contributing 0.00" '^    postcode missing [+-]0\.00$' "$by_id"
expect_grep "a link with last_name in the high band" '^    last_name jw>=0\.92 ' "$by_id"

# Contributions against linkage_param: prior log2(p/(1-p)); birth_date
# exact, sex equal, postcode equal log2(m/u).
l2() { awk -v x="$1" 'BEGIN { printf "%+.2f", log(x) / log(2) }'; }
p=$(q "SELECT m FROM linkage_param WHERE comparison = 'run' AND level = 'prior';")
expect_eq "prior lines = log2(prior/(1-prior)) of linkage_param run/prior" \
	"    prior $(awk -v p="$p" 'BEGIN { printf "%+.2f", log(p / (1 - p)) / log(2) }')" \
	"$(printf '%s\n' "$by_id" | grep '^    prior ' | sort -u)"
for cl in "birth_date exact" "sex equal" "postcode equal"; do
	mu=$(q "SELECT m / u FROM linkage_param WHERE comparison = '${cl% *}' AND level = '${cl#* }';")
	expect_eq "'$cl' lines = log2(m/u) of linkage_param" "    $cl $(l2 "$mu")" \
		"$(printf '%s\n' "$by_id" | grep "^    $cl " | sort -u)"
done

# A SINGLE person: its line and its episode.
expect_dedup 0 -q --explain b.csv:3
expect_eq "--explain b.csv:3 (SINGLE)" "person $(person_of b.csv 3) (SINGLE): 1 episodes in 1 districts
  episode b.csv:3  OSTRA  INST  2024-02-13  NONE  unlinked" "$(cat "$OUT")"
single=$(cat "$OUT")

# Unknown persons.
for what in 0123456789abcdef0123456789abcdef nosuch.csv:2 b.csv:99 b.csv:1; do
	expect_dedup 66 --explain "$what"
	expect_eq "--explain $what: stdout" "" "$(cat "$OUT")"
	expect_grep "--explain $what: an error naming it" " dedup E .*$what" "$(cat "$ERR")"
done

# No value of the fixture in any explanation.
for v in "${secrets[@]}"; do
	expect_eq "'$v' in the explanations" "0" \
		"$(printf '%s\n%s\n' "$by_id" "$single" | grep -c -F -e "$v")"
done
finish

#!/usr/bin/env bash
# t0203-map-dates-numbers.sh - guards [dates] and [numbers]:
# - every format token (YYYY-MM-DD, YYYY-MM-DD hh:mm:ss, DD/MM/YYYY,
#   DD.MM.YYYY, YYYYMMDD, D/M/YYYY) maps to ISO YYYY-MM-DD;
# - formats are tried in order (MM/DD/YYYY before DD/MM/YYYY: 03/04/2024 is
#   4 March, 13/04/2024 falls through to 13 April);
# - calendar checks: 2024-02-30, 2023-02-29, 31.04.2024, 0000-00-00, month 13,
#   hour 24 are bad_date (start or end, naming the column); 2024-02-29 is fine;
#   end before start is end_before_start; an empty start is missing_value;
# - cost_sek: grouping by space, U+00A0, U+202F, apostrophe, or the other of
#   . and , (in groups of three), the source's decimal comma or point; `-`,
#   `NaN`, `1,2,3`, `12 34,5` and the wrong decimal are bad_number;
# - birth_year outside the 120 years before the reference date
#   (reference_date = today, with --today 2026-01-15) is bad_birth_year.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping comma <<'INI'
[source]
name = comma
district = ANGERED
files = comma.csv
[dialect]
delimiter = semicolon
[columns]
start_date = Start
end_date = Slut
cost_sek = Kostnad
birth_year = Födelseår
[constants]
intervention = OPEN
[identity]
reference_date = today
[dates]
formats = YYYY-MM-DD | YYYY-MM-DD hh:mm:ss | DD/MM/YYYY | DD.MM.YYYY | YYYYMMDD | D/M/YYYY
[numbers]
decimal = comma
INI
mapping point <<'INI'
[source]
name = point
district = ANGERED
files = point.csv
[dialect]
delimiter = semicolon
[columns]
start_date = Start
cost_sek = Kostnad
[constants]
intervention = OPEN
[dates]
formats = MM/DD/YYYY | DD/MM/YYYY
[numbers]
decimal = point
INI
{
	printf 'Start;Slut;Kostnad;Födelseår\n'
	printf '2024-03-01;;;\n'                            # 2
	printf '2024-03-01 13:45:00;2024-03-02 00:00:00;;\n' # 3
	printf '05/03/2024;;;\n'                            # 4
	printf '06.03.2024;;;\n'                            # 5
	printf '20240307;;;\n'                              # 6
	printf '8/3/2024;9/12/2024;;\n'                     # 7
	printf '2024-02-29;2024-02-29;;\n'                  # 8 leap day; end = start
	printf '2024-02-30;;;\n'                            # 9
	printf '2023-02-29;;;\n'                            # 10
	printf '31.04.2024;;;\n'                            # 11
	printf '0000-00-00;;;\n'                            # 12
	printf '2024-03-10;2024-03-09;;\n'                  # 13
	printf '2024-03-10;31.04.2024;;\n'                  # 14
	printf '2024-13-01;;;\n'                            # 15
	printf '2024-03-01 24:00:00;;;\n'                   # 16
	printf ';2024-03-01;;\n'                            # 17
	printf '2024-03-01;;1 234,50;\n'                    # 18
	printf '2024-03-01;;1\xc2\xa0234,50;\n'             # 19
	printf '2024-03-01;;1\xe2\x80\xaf234,50;\n'         # 20
	printf "2024-03-01;;1'234,50;\n"                    # 21
	printf '2024-03-01;;1.234,5;\n'                     # 22
	printf '2024-03-01;;1 234 567,89;\n'                # 23
	printf '2024-03-01;;12345,50;\n'                    # 24
	printf '2024-03-01;;-;\n'                           # 25
	printf '2024-03-01;;NaN;\n'                         # 26
	printf '2024-03-01;;1,2,3;\n'                       # 27
	printf '2024-03-01;;12 34,5;\n'                     # 28
	printf '2024-03-01;;0;\n'                           # 29
	printf '2024-03-01;;;1950\n'                        # 30
	printf '2024-03-01;;;1899\n'                        # 31
	printf '2024-03-01;;;2027\n'                        # 32
} >"$WORK/input/comma.csv"
{
	printf 'Start;Kostnad\n'
	printf '03/04/2024;12345.50\n'  # 2
	printf '13/04/2024;1,234.50\n'  # 3
	printf '03/04/2024;1.234,5\n'   # 4
	printf '31/31/2024;\n'          # 5
	printf '04/13/2024;0.5\n'       # 6
} >"$WORK/input/point.csv"

expect_ingest 0 -q
expect_stats comma.csv "ok|32|0|1|0|0|31|31|0"
expect_stats point.csv "ok|6|0|1|0|0|5|5|0"
expect_map 0 -q --today 2026-01-15

cols="start_date, end_date, cost_sek, birth_year"
expect_eq "comma.csv episodes ($cols)" \
"2: 2024-03-01|-|-|-
3: 2024-03-01|2024-03-02|-|-
4: 2024-03-05|-|-|-
5: 2024-03-06|-|-|-
6: 2024-03-07|-|-|-
7: 2024-03-08|2024-12-09|-|-
8: 2024-02-29|2024-02-29|-|-
18: 2024-03-01|-|1234.5|-
19: 2024-03-01|-|1234.5|-
20: 2024-03-01|-|1234.5|-
21: 2024-03-01|-|1234.5|-
22: 2024-03-01|-|1234.5|-
23: 2024-03-01|-|1234567.89|-
24: 2024-03-01|-|12345.5|-
29: 2024-03-01|-|0.0|-
30: 2024-03-01|-|-|1950" "$(episodes comma.csv "$cols")"
expect_eq "comma.csv map rejects (line field code value)" \
"9 Start bad_date 2024-02-30
10 Start bad_date 2023-02-29
11 Start bad_date 31.04.2024
12 Start bad_date 0000-00-00
13 Slut end_before_start 2024-03-09
14 Slut bad_date 31.04.2024
15 Start bad_date 2024-13-01
16 Start bad_date 2024-03-01 24:00:00
17 Start missing_value 
25 Kostnad bad_number -
26 Kostnad bad_number NaN
27 Kostnad bad_number 1,2,3
28 Kostnad bad_number 12 34,5
31 Födelseår bad_birth_year 1899
32 Födelseår bad_birth_year 2027" "$(map_rejects comma.csv)"
expect_eq "point.csv episodes (start_date, cost_sek)" \
"2: 2024-03-04|12345.5
3: 2024-04-13|1234.5
6: 2024-04-13|0.5" "$(episodes point.csv "start_date, cost_sek")"
expect_eq "point.csv map rejects" \
"4 Kostnad bad_number 1.234,5
5 Start bad_date 31/31/2024" "$(map_rejects point.csv)"
expect_eq "cost_sek is stored as a real" "real" \
	"$(q "SELECT DISTINCT typeof(cost_sek) FROM episode WHERE cost_sek IS NOT NULL;")"
expect_map_reconciled
finish

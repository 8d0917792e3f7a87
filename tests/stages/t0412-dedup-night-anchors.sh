#!/usr/bin/env bash
# t0412-dedup-night-anchors.sh - guards how a night finds the old row of
# each person it writes without an index on person_id (dedup/store.h,
# "anchor"): through an old episode of the person's own number, else its
# first episode if that is old, else nowhere (a new person).  On the
# linkage_people fixture (26 persons), then two nights:
# source h (ANGERED, files h*.csv: a reserve number is its source's):
# - h1.csv: h1:2 Anna Berglund without a number, h1:3 Karin Mellansdotter
#   with the reserve number RES-0001, h1:4 Bertil Ekström without a number:
#   three new persons (SINGLE, RESERV, SINGLE), keys 27 to 29;
# - h2.csv: h2:2 Anna Berglund again, now with RES-0001 (so one person with
#   h1:3, and linked to h1:2), h2:3 Bertil Ekström again, h2:4 filler 1:
#   - h1:2, h1:3 and h2:2 are one RESERV person, under h1:3's old key,
#     though its first episode, h1:2, was another person's (now gone);
#   - h1:4 and h2:3 are one LINKED person under h1:4's old key and id;
#   - filler 1 keeps its key, now with three episodes;
#   - written: persons 0 new, 3 changed, 1 gone; episodes' persons 3 new,
#     2 changed (h1:2's person, h1:4's step, now probabilistic), 0 gone;
# - after each night the tables, kept counts and sort by person equal those
#   of dedup --rescore (which matches every person by person_id), and no
#   person_id is two persons'.
. "$(dirname "$0")/lib.sh"
linkage_people_mapped
expect_dedup 0 -q

# night N: rows (DEDUP_HEADER) from stdin into hN.csv, of source h; dedup
# compared with --rescore.
dedup_mapping h ANGERED | sed 's/^files = .*/files = h*.csv/' | mapping h
night() {
	{
		printf '%s\n' "$DEDUP_HEADER"
		cat
	} >"$WORK/input/h$1.csv"
	expect_ingest 0 -q
	expect_map 0 -q --today 2026-01-15
	dedup_vs_rescore "h$1.csv" -v
	expect_like "h$1.csv: a night" '%, pairs scored for 3 new episodes, %' "$(dedup_summary)"
	expect_dedup_reconciled
}

night 1 <<'CSV'
,Anna,Berglund,K,999 60,1975-05-05,HVB,2024-07-01
RES-0001,Karin,Mellansdotter,K,999 70,1962-03-03,HVB,2024-07-02
,Bertil,Ekström,M,999 80,1948-08-08,HVB,2024-07-03
CSV
anna=$(pkey_of h1.csv 2)
karin=$(pkey_of h1.csv 3)
bertil=$(pkey_of h1.csv 4)
expect_eq "h1.csv: three new persons, keys 27 to 29" "27 28 29 SINGLE|1|1 RESERV|1|1 SINGLE|1|1" \
	"$(printf '%s\n' "$anna" "$karin" "$bertil" | sort -n | tr '\n' ' ')$(person_row h1.csv 2) $(person_row h1.csv 3) $(person_row h1.csv 4)"
filler1=$(pkey_of a.csv 7)
bertil_id=$(person_of h1.csv 4)

night 2 <<CSV
RES-0001,Anna,Berglund,K,999 60,1975-05-05,HVB,2024-08-01
,Bertil,Ekström,M,999 80,1948-08-08,HVB,2024-08-02
$(filler 1 2024-08-03)
CSV
expect_eq "h2.csv: Anna's three episodes one RESERV person, under h1:3's old key" \
	"$karin $karin $karin RESERV|3|1 $(ref_of h1.csv 3)" \
	"$(pkey_of h1.csv 2) $(pkey_of h1.csv 3) $(pkey_of h2.csv 2) $(person_row h2.csv 2) $(person_of h2.csv 2)"
expect_eq "h2.csv: h1:2's old person gone" "0" \
	"$(q "SELECT count(*) FROM person WHERE person_key = $anna;")"
expect_eq "h2.csv: Bertil's two episodes one LINKED person, under h1:4's old key and id" \
	"$bertil $bertil LINKED|2|1 $bertil_id" \
	"$(pkey_of h1.csv 4) $(pkey_of h2.csv 3) $(person_row h2.csv 3) $(person_of h2.csv 3)"
expect_eq "h2.csv: filler 1 keeps its key" "$filler1 $filler1 PNR|3|3" \
	"$(pkey_of a.csv 7) $(pkey_of h2.csv 4) $(person_row h2.csv 4)"
expect_like "h2.csv: what was written" \
	"%written: persons 0 new, 3 changed, 1 gone; episodes' persons 3 new, 2 changed, 0 gone%" \
	"$(dedup_summary)"
expect_eq "h2.csv: 28 persons, no key given out after 29" "28 1" \
	"$(q 'SELECT count(*), max(person_key) <= 29 FROM person;' | tr '|' ' ')"
finish

#!/usr/bin/env bash
# t0201-map-recode-policies.sh - guards recoding of the coded fields: values
# match case- and white-space-insensitively (`  ÖPPENVÅRD ` = `Öppenvård`); an
# inline [recode] entry overrides the same value of a [codelists] file; a value
# found in neither rejects the row (unmapped_code, field = the column, value =
# the raw value, reason naming it) with `[unmapped] intervention = reject` and
# by default, and maps to the code `[unmapped] intervention = OTHER` names;
# blank cells take the [blank] code, else the defaults sex U, substance UNK,
# children U, provider NULL, and intervention rejects the row (missing_value).
# Two sources read the same rows (two files differing only in a comment): `rej`
# without [blank] and with `intervention = reject`, `oth` with [blank] codes and
# `intervention = OTHER`.
. "$(dirname "$0")/lib.sh"
new_fixture
mkdir -p "$WORK/mappings/codelists"
cat >"$WORK/mappings/codelists/insats.ini" <<'INI'
[values]
Öppenvård = OPEN
HVB = INST
Kontakt person = CONT
INI
common='[dialect]
encoding = utf-8
delimiter = comma
[columns]
sex = Kön
intervention = Insats
provider = Utförare
substance = Missbruk
children = Barn
start_date = Start
[dates]
formats = YYYY-MM-DD
[codelists]
intervention = codelists/insats.ini
[recode intervention]
hvb = HOUSE                 ; overrides the code list (HVB = INST), matched folded
[recode sex]
K = F
M = M
[recode provider]
Kommunal = MUNI
Privat = PRIV
IOP = NGO
[recode substance]
Alkohol = ALC
Spel = GAMB
Narkotika = DRUG
[recode children]
Ja = Y
Nej = N'
mapping rej <<INI
[source]
name = rej
district = LUNDBY
files = rej.csv
$common
[unmapped]
intervention = reject
INI
mapping oth <<INI
[source]
name = oth
district = OSTRA
files = oth.csv
$common
[unmapped]
intervention = OTHER
[blank]
intervention = OTHER
provider = MUNI
children = N
sex = U
substance = MIX
INI
for s in rej oth; do
	{
		printf 'Kön,Insats,Utförare,Missbruk,Barn,Start,Kommentar\n'
		printf 'K,Öppenvård,Kommunal,Alkohol,Ja,2024-01-10,%s\n' "$s"        # 2
		printf 'M,"  ÖPPENVÅRD ",Privat,Spel,Nej,2024-01-11,%s\n' "$s"      # 3
		printf ',HVB,,,,2024-01-12,%s\n' "$s"                               # 4
		printf 'K,Akupunktur,IOP,Narkotika,Ja,2024-01-13,%s\n' "$s"         # 5
		printf 'K,,Kommunal,Alkohol,Ja,2024-01-14,%s\n' "$s"                # 6
		printf 'm,"kontakt   PERSON",kommunal,ALKOHOL,JA,2024-01-15,%s\n' "$s" # 7
		printf 'K,Öppenvård,Stiftelse,Alkohol,Ja,2024-01-16,%s\n' "$s"      # 8
		printf 'K,"\xc2\xa0Hvb\t",Privat,Alkohol,Ja,2024-01-17,%s\n' "$s"   # 9
	} >"$WORK/input/$s.csv"
done

expect_ingest 0 -q
expect_stats rej.csv "ok|9|0|1|0|0|8|8|0"
expect_stats oth.csv "ok|9|0|1|0|0|8|8|0"
expect_map 0 -q --today 2026-01-15

cols="sex, intervention, provider, substance, children, start_date"
expect_eq "rej.csv episodes ($cols)" \
"2: F|OPEN|MUNI|ALC|Y|2024-01-10
3: M|OPEN|PRIV|GAMB|N|2024-01-11
4: U|HOUSE|-|UNK|U|2024-01-12
7: M|CONT|MUNI|ALC|Y|2024-01-15
9: F|HOUSE|PRIV|ALC|Y|2024-01-17" "$(episodes rej.csv "$cols")"
# line 6: the value is the raw (empty) cell, so the line ends in a space
expect_eq "rej.csv map rejects (line field code value)" \
"5 Insats unmapped_code Akupunktur
6 Insats missing_value 
8 Utförare unmapped_code Stiftelse" "$(map_rejects rej.csv)"
expect_like "reason of the unmapped intervention names the value" '%Akupunktur%' \
	"$(map_reason rej.csv 5)"
expect_like "reason of the unmapped provider (no [unmapped] entry) names the value" '%Stiftelse%' \
	"$(map_reason rej.csv 8)"

expect_eq "oth.csv episodes ($cols)" \
"2: F|OPEN|MUNI|ALC|Y|2024-01-10
3: M|OPEN|PRIV|GAMB|N|2024-01-11
4: U|HOUSE|MUNI|MIX|N|2024-01-12
5: F|OTHER|NGO|DRUG|Y|2024-01-13
6: F|OTHER|MUNI|ALC|Y|2024-01-14
7: M|CONT|MUNI|ALC|Y|2024-01-15
9: F|HOUSE|PRIV|ALC|Y|2024-01-17" "$(episodes oth.csv "$cols")"
expect_eq "oth.csv map rejects: only the provider with no [unmapped] code" \
	"8 Utförare unmapped_code Stiftelse" "$(map_rejects oth.csv)"
expect_eq "districts" "LUNDBY OSTRA" \
	"$(q "SELECT group_concat(district, ' ') FROM (SELECT DISTINCT district FROM episode ORDER BY 1);")"
expect_map_reconciled
finish

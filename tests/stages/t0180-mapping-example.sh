#!/bin/bash
# docs/mapping-example.ini documents every key of the mapping language; this
# guards that it stays a valid mapping for both ingest and map (a broken
# example would teach analysts a broken file), and that its rule, constant
# and derived fields do what its comments say.
. "$(dirname "$0")/lib.sh"
new_fixture
cp "$PL_ROOT/docs/mapping-example.ini" "$WORK/mappings/example.ini"
sed -i 's|\.\./mappings/codelists/|codelists/|' "$WORK/mappings/example.ini"
cp -r "$PL_ROOT/mappings/codelists" "$WORK/mappings/"
{
	printf 'Centrum stadsdel;;;;;;;;;;;;\r\n'
	printf ';;;;;;;;;;;;\r\n'
	printf 'Personnummer;F\xf6rnamn;Efternamn;Postnummer;F\xf6delse\xe5r;K\xf6n;Insats;Missbruk;Beslutsdatum;Avslutsdatum;Kostnad;Barn i hush\xe5llet;Lagrum\r\n'
	printf '640823-3234;Test;Testsson;999 99;1964;;Boendest\xf6d;Alkohol;01.02.2025;;1 200,50;Nej;SoL\r\n'
	printf '811218-9876;Prov;Provsson;999 98;1981;Kvinna;Ok\xe4nd sak;Spel;2025-03-04;2025-04-01;;;LVM 4 \xa7\r\n'
	printf 'R000123;Res;Ervsson;999 97;1970;Man;HVB;;2025-05-06 10:00:00;;;Ja;SoL\r\n'
	printf 'Summa;;;;;;;;;;1 200,50;;\r\n'
} >"$WORK/input/centrum_2025.csv"
expect_ingest 0 -q
expect_exit 0 "$PL_BIN/map" -q -m "$WORK/mappings" -d "$DB" -k "$KEY"
expect_eq "episodes: line sex intervention provider substance children birth_date id_type" \
"4|M|HSUP|MUNI|ALC|N|1964-08-23|PNR
5|F|LVM|MUNI|GAMB|U|1981-12-18|PNR
6|M|INST|MUNI|UNK|Y||RESERV" \
	"$(q "SELECT line || '|' || sex || '|' || intervention || '|' || provider || '|' ||
	             substance || '|' || children || '|' || coalesce(birth_date, '') || '|' || id_type
	        FROM episode ORDER BY line;")"
finish

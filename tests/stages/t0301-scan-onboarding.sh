#!/usr/bin/env bash
# t0301-scan-onboarding.sh - onboarding a new district with scan, in a
# dialect none of the samples uses.  tests/data/scan/centrum_2025.txt:
# ISO-8859-1 with LF line ends, pipe-delimited, a two-line title block, one
# header row on line 3 with Swedish names no mapping file knows, D/M/YYYY
# dates, decimal comma with apostrophe thousands (12'450,00), a "Summa"
# footer after an empty line; 40 rows of 14 synthetic persons (identity
# numbers with correct Luhn digits, two samordningsnummer rows, 8 rows of
# reserve numbers CEN-NNNN, 2 rows with a wrong check digit), four of them
# bad on purpose:
#   line 22  start date 31/4/2025                -> map bad_date
#   line 25  end 3/4/2025 before start 9/5/2025  -> map end_before_start
#   line 26  cost 1'23,00                        -> map bad_number
#   line 28  12 fields instead of 11             -> ingest field_count
# The figures below were computed when the fixture was written, not read
# back from the pipeline.
#
#   1. scan's draft has the dialect, columns, formats and decimal right, a
#      code for every value the shared code lists know and TODO exactly for
#      the district and the values they do not know.
#   2. The draft as it is makes ingest and map exit 78 naming the line of
#      its first TODO (the "not done" signal); with the district filled in,
#      the line of the next TODO.
#   3. tests/data/scan/centrum.ini is that draft completed by hand: every
#      line of a fresh draft without TODO is in it unchanged (so it cannot
#      drift from what scan writes), and it contains no TODO.
#   4. With it, ingest and map exit 0 with the exact episodes per
#      intervention and sex, identity types, and rejects (file, line, code).
#   5. -o writes the same draft through a temporary file, leaving no other file.
. "$(dirname "$0")/lib.sh"
new_fixture
SCAN=$PL_BIN/scan
DATA=$PL_ROOT/tests/data/scan
FILE=centrum_2025.txt
if ! expect_true "binary $SCAN exists" test -x "$SCAN"; then
	finish
fi
cp "$DATA/$FILE" "$WORK/input/"
cp -R "$PL_ROOT/mappings/codelists" "$WORK/codelists"

# ---- 1. the draft --------------------------------------------------------
expect_exit 0 "$SCAN" --today 2026-01-10 -c "$WORK/codelists" "$WORK/input/$FILE"
cp "$OUT" "$WORK/draft.ini"
D=$WORK/draft.ini
expect_like "stdout is the draft" "; DRAFT mapping file for $FILE,%" "$(head -n 1 "$D")"
expect_grep "summary on stderr" \
	'scan I centrum_2025.txt: iso-8859-1, pipe, header line 3 \(1 row\), 11 fields, 1 footer; 40 rows, 1 of which ingest will reject; 10 of 11 columns mapped; 10 TODOs to complete$' \
	"$(cat "$ERR")"

expect_eq "[source]" "name = centrum
district = TODO
files = centrum_*.txt" "$(ini_entries "$D" source)"
expect_eq "[dialect]" "encoding = iso-8859-1
delimiter = pipe
quote = double
header_line = 3
header_lines = 1
footer = ^Summa
fields = 11
max_field_bytes = 65536" "$(ini_entries "$D" dialect)"
expect_eq "[columns] (Handläggarkod not mapped)" "identity_number = Klient personnr
postcode = Postnr bostad
sex = Klientens kön
intervention = Beviljad insats
provider = Utförare (regi)
substance = Huvudsaklig problematik
start_date = Insatsen startade
end_date = Insatsen avslutad
cost_sek = Kostnad hittills (kr)
children = Minderåriga barn" "$(ini_entries "$D" columns)"
expect_grep "the unmapped column is listed in a comment" \
	"^;   column 11 'Handläggarkod': 3 distinct values: H07 \(14\), H12 \(13\), H31 \(12\)$" \
	"$(cat "$D")"
expect_eq "[identity]" "reference_date = today" "$(ini_entries "$D" identity)"
expect_grep "reserve numbers suggested in a comment" '^; reserve = \^CEN-\[0-9\]\{4\}\$$' "$(cat "$D")"
expect_grep "the title block's date is pointed out" 'the title block says 2026-01-10' "$(cat "$D")"
expect_eq "[dates]" "formats = D/M/YYYY" "$(ini_entries "$D" dates)"
expect_eq "[numbers]" "decimal = comma" "$(ini_entries "$D" numbers)"
expect_eq "[recode sex]" "man = M
kvinna = F
Ej angivet = TODO" "$(ini_entries "$D" "recode sex")"
expect_eq "[recode intervention]" "Öppenvård = OPEN
Boendestöd = HSUP
Kamratstöd = PEER
Kontaktperson = CONT
Behandlingshem = TODO
Stödsamtal = TODO
Träningslägenhet = TODO
LVM-placering = TODO" "$(ini_entries "$D" "recode intervention")"
expect_eq "[recode provider]" "Kommunal = MUNI
Ideell förening = TODO
Privat = PRIV
Köpt plats = TODO" "$(ini_entries "$D" "recode provider")"
expect_eq "[recode substance]" "Alkohol = ALC
Narkotika = DRUG
Spel om pengar = GAMB
Alkohol och narkotika = TODO" "$(ini_entries "$D" "recode substance")"
expect_eq "[recode children]" "Nej = N
Ja = Y
Okänt = TODO" "$(ini_entries "$D" "recode children")"
expect_grep "counts in the recode comments" '^Öppenvård += OPEN +; 13 rows \(intervention_sv\.ini\)$' "$(cat "$D")"
expect_eq "[unmapped]" "sex = reject
intervention = reject
provider = reject
substance = reject
children = reject" "$(ini_entries "$D" unmapped)"
expect_eq "[blank]" "sex = U
substance = UNK
children = U" "$(ini_entries "$D" blank)"
expect_eq "TODOs left, outside comments" 10 "$(grep -v '^[;#]' "$D" | grep -c 'TODO')"
expect_eq "no identity number, name or postcode in the draft" "" \
	"$(grep -n -E '[0-9]{6}-[0-9]{4}|CEN-[0-9]{4}|111 22' "$D")"

# ---- 2. the draft as it is: refused at its first TODO ----------------------
cp "$D" "$WORK/mappings/centrum.ini"
todo_line=$(grep -n '^district = TODO$' "$D" | cut -d: -f1)
expect_ingest 78
expect_grep "ingest names the district TODO line" \
	"centrum\.ini:$todo_line: district 'TODO' is not a district code" "$(cat "$ERR")"
expect_map 78
expect_grep "map names the district TODO line" \
	"centrum\.ini:$todo_line: district 'TODO' is not a district code" "$(cat "$ERR")"
sed -i 's/^district = TODO$/district = CENTRUM/' "$WORK/mappings/centrum.ini"
todo_line=$(grep -n '^Ej angivet = TODO' "$WORK/mappings/centrum.ini" | cut -d: -f1)
expect_ingest 78
expect_grep "with the district given, ingest names the next TODO line" \
	"centrum\.ini:$todo_line: 'TODO' is not a code of the schema for sex" "$(cat "$ERR")"
expect_eq "nothing ingested from an unfinished mapping" "" \
	"$(test -f "$DB" && q "SELECT name FROM input_file;")"

# ---- 3. the completed draft -----------------------------------------------
expect_eq "tests/data/scan/centrum.ini has no TODO outside comments" "" \
	"$(grep -v '^[;#]' "$DATA/centrum.ini" | grep 'TODO')"
expect_eq "every line of the draft without TODO is in centrum.ini (else regenerate it: see its header)" "" \
	"$(grep -v -e TODO -e '^reference_date = today$' -e '^; reserve = ' -e '^$' "$D" |
	   grep -v -x -F -f "$DATA/centrum.ini")"

# ---- 4. ingest and map with it ----------------------------------------------
cp "$DATA/centrum.ini" "$WORK/mappings/centrum.ini"
cp -R "$WORK/codelists" "$WORK/mappings/codelists"
expect_ingest 0 -q
expect_stats "$FILE" "ok|45|2|1|1|1|40|39|1"
expect_eq "ingest rejects" "28 -" "$(reject_lines "$FILE")"
expect_like "ingest reject reason" "expected 11 fields, found 12" "$(reason "$FILE" 28)"
expect_map 0 -q --today 2026-01-20
expect_map_reconciled
expect_eq "map rejects (line field code value)" \
	"22 Insatsen startade bad_date 31/4/2025
25 Insatsen avslutad end_before_start 3/4/2025
26 Kostnad hittills (kr) bad_number 1'23,00" "$(map_rejects "$FILE")"
expect_eq "all rejects (file, line, stage, code)" \
	"centrum_2025.txt|22|map|bad_date
centrum_2025.txt|25|map|end_before_start
centrum_2025.txt|26|map|bad_number
centrum_2025.txt|28|ingest|field_count" \
	"$(q "SELECT f.name, r.line, r.stage, r.code FROM reject r JOIN input_file f USING (file_id)
	       ORDER BY r.line;")"
expect_eq "episodes per intervention and sex" \
	"CONT|F|1
CONT|M|2
CONT|U|1
HOUSE|F|1
HOUSE|M|2
HSUP|F|3
HSUP|M|2
HSUP|U|1
INST|F|2
INST|M|1
LVM|M|1
OPEN|F|5
OPEN|M|7
OPEN|U|3
PEER|F|2
PEER|M|2" "$(q "SELECT intervention, sex, count(*) FROM episode GROUP BY 1, 2 ORDER BY 1, 2;")"
expect_eq "episodes per identity type" "NONE|2
PNR|24
RESERV|8
SAMNR|2" "$(q "SELECT id_type, count(*) FROM episode GROUP BY 1 ORDER BY 1;")"
expect_eq "episodes per provider and substance" "MUNI|ALC|11
MUNI|DRUG|7
MUNI|GAMB|3
MUNI|MIX|2
MUNI|UNK|2
NGO|ALC|2
NGO|DRUG|2
NGO|GAMB|2
PRIV|ALC|1
PRIV|DRUG|3
PRIV|MIX|1" "$(q "SELECT provider, substance, count(*) FROM episode GROUP BY 1, 2 ORDER BY 1, 2;")"
expect_eq "decimal comma and apostrophe thousands: total cost" "1120680.75" \
	"$(q "SELECT printf('%.2f', sum(cost_sek)) FROM episode;")"
expect_eq "D/M/YYYY dates" "4|2025-02-03|2025-06-30" \
	"$(q "SELECT line, start_date, end_date FROM episode WHERE line = 4;")"

# ---- 5. -o ------------------------------------------------------------------
mkdir -p "$WORK/out"
expect_exit 0 "$SCAN" -q --today 2026-01-10 -c "$WORK/codelists" -o "$WORK/out/centrum.ini" \
	"$WORK/input/$FILE"
expect_eq "-o: nothing on stdout or stderr with -q" "" "$(cat "$OUT" "$ERR")"
expect_true "-o writes the same draft as stdout" cmp -s "$D" "$WORK/out/centrum.ini"
expect_eq "-o leaves no temporary file" "centrum.ini" "$(ls -A "$WORK/out")"
finish

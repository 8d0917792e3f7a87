#!/usr/bin/env bash
# t0900-privacy-outputs.sh - guards the privacy rule on the whole pipeline:
# identity numbers, names and postcodes never reach an output table, report
# or log, and person-level files are private.
# - gen_sample regenerates the samples with -S (the list of every sensitive
#   value it wrote); they are byte-identical to the shipped input/, so the
#   list is that of the shipped samples;
# - the driver runs the whole pipeline on them into output/ (umask 022);
# - privacy-scan.py searches every byte of every file under output/ (the
#   database and any -wal/-shm/-journal, logs, run.state, run.lock, the
#   HTML report, tables/*.csv, report.xlsx unpacked, and all file names) for
#   every value in every normalised form (see the script): no hit;
# - the scanner is not blind: an identity number appended to a copy of the
#   report, a name lower-cased and ASCII-folded inside a zip member, and a
#   12-digit form of a 10-digit number are each found;
# - modes: output/ and output/logs 0700 (the driver made them), the
#   database, its -wal and -shm, the run logs, run.state and run.lock 0600;
#   the published report files 0644 (they hold no person-level data).
. "$(dirname "$0")/lib.sh"
umask 022
SCAN="python3 $PL_ROOT/tests/stages/privacy-scan.py"
SENS=$WORK/sensitive.txt

mkdir -p "$WORK/input" "$WORK/mappings" "$WORK/key"
cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"
n_checks=$((n_checks + 1))
if [ ! -x "$PL_BIN/gen_sample" ] || [ ! -x "$PL_BIN/run" ] || ! command -v python3 >/dev/null; then
	fail "gen_sample, run and python3 exist" "$PL_BIN/gen_sample, $PL_BIN/run, python3"
	finish
fi

# The samples again, with the list of what is sensitive in them.
expect_exit 0 "$PL_BIN/gen_sample" -o "$WORK/input" -t "$WORK/truth.txt" -S "$SENS"
expect_eq "regenerated samples equal the shipped ones (names)" \
	"$(cd "$PL_ROOT/input" && ls)" "$(cd "$WORK/input" && ls)"
for f in "$PL_ROOT"/input/*; do
	expect_true "regenerated $(basename "$f") is byte-identical to the shipped one" \
		cmp -s "$f" "$WORK/input/$(basename "$f")"
done
expect_true "the list is not empty" test "$(wc -l <"$SENS")" -gt 1000
expect_true "the list holds identity numbers in several forms" \
	test "$(grep -c -E '^[0-9]{6}-[0-9]{4}$' "$SENS")" -gt 0 -a \
	"$(grep -c -E '^[0-9]{8}-[0-9]{4}$' "$SENS")" -gt 0 -a \
	"$(grep -c -E '^[0-9]{10}$' "$SENS")" -gt 0 -a "$(grep -c -E '^[0-9]{12}$' "$SENS")" -gt 0
expect_true "the list holds postcodes with and without the space" \
	test "$(grep -c -E '^[0-9]{3} [0-9]{2}$' "$SENS")" -gt 0 -a \
	"$(grep -c -E '^[0-9]{5}$' "$SENS")" -gt 0
expect_true "the list holds names with non-ASCII letters" grep -q -x 'Öberg' "$SENS"

# The whole pipeline, into output/ (made by the driver).
expect_run 0 -q
out=$WORK/output
for f in pipeline.db report-sv.html report.xlsx run.state run.lock; do
	expect_true "output/$f written" test -s "$out/$f"
done
expect_true "a run log written" test -s "$(last_log)"
expect_true "CSV tables written" test "$(ls "$out"/tables/*.csv | wc -l)" -gt 5
# A reader holding the database open keeps its -wal and -shm beside it (the
# last connection to close removes them), so they are scanned and their
# modes checked too.
python3 -c '
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1])
con.execute("SELECT count(*) FROM episode").fetchall()
open(sys.argv[2], "w").close()
time.sleep(100)' "$DB" "$WORK/.holding" &
bg_pids="$bg_pids $!"
for _ in $(seq 100); do [ -e "$WORK/.holding" ] && break; sleep 0.1; done
for f in pipeline.db-wal pipeline.db-shm; do
	expect_true "output/$f is there while a reader holds the database" test -e "$out/$f"
done

expect_exit 0 $SCAN "$SENS" "$out"
if [ "$RC" != 0 ]; then
	printf '  hits (first 40):\n'
	head -n 40 "$OUT" | sed 's/^/    | /'
fi
expect_grep "the scan covered the files" \
	'privacy-scan: [0-9]+ identity numbers, [0-9]+ other needles, [0-9]+ files' "$(cat "$ERR")"
expect_true "the scan covered the workbook's members and the CSV tables" \
	test "$(sed -n 's/.*needles, \([0-9]*\) files.*/\1/p' "$ERR")" -gt \
	"$(find "$out" -type f | wc -l)"
expect_true "the scan read the database's cells" \
	test "$(sed -n 's/.* files ([^)]*), \([0-9]*\) database cells.*/\1/p' "$ERR")" -gt 10000

# The scanner finds what is planted.
mkdir -p "$WORK/planted"
id=$(grep -m 1 -E '^[0-9]{8}-[0-9]{4}$' "$SENS")
cp "$out/report-sv.html" "$WORK/planted/report-sv.html"
printf '<p>%s</p>\n' "$id" >>"$WORK/planted/report-sv.html"
expect_exit 1 $SCAN "$SENS" "$WORK/planted"
expect_eq "a planted identity number: one hit, in the report copy" 1 \
	"$(grep -c 'planted/report-sv.html: offset [0-9]*: identity number (list line' "$OUT")"
rm "$WORK/planted/report-sv.html"
id10=$(grep -m 1 -E '^[0-9]{6}-[0-9]{4}$' "$SENS")
printf 'x;19%s;y\n' "${id10/-/}" >"$WORK/planted/table.csv"
expect_exit 1 $SCAN "$SENS" "$WORK/planted"
expect_eq "a 10-digit number planted as 12 digits is found" 1 "$(grep -c 'identity number' "$OUT")"
rm "$WORK/planted/table.csv"
python3 - "$out/report.xlsx" "$WORK/planted/book.xlsx" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as a, zipfile.ZipFile(sys.argv[2], 'w') as b:
    for i in a.infolist():
        data = a.read(i)
        if i.filename == 'xl/sharedStrings.xml':
            data = data.replace(b'</sst>', b'<si><t>hos oberg</t></si></sst>')
        b.writestr(i, data)
PY
expect_exit 1 $SCAN "$SENS" "$WORK/planted"
expect_grep "a name, lower-cased and ASCII-folded, inside the workbook is found" \
	'book\.xlsx!xl/sharedStrings\.xml: offset [0-9]+: name \(list line [0-9]+, ascii-folded\)' \
	"$(cat "$OUT")"
expect_eq "and nothing else there" 1 "$(wc -l <"$OUT")"

sqlite3 -batch "$DB" ".backup '$WORK/planted/pipeline.db'"
name=$(grep -m 1 -x -E '[[:upper:]][[:lower:]]{5,}' "$SENS")
sqlite3 -batch "$WORK/planted/pipeline.db" \
	"UPDATE input_file SET message = 'ring ${name^^} om filen' WHERE file_id = 1;"
expect_exit 1 $SCAN "$SENS" "$WORK/planted/pipeline.db"
expect_grep "a name (upper case) planted in the database is found in its pages" \
	'planted/pipeline\.db: offset [0-9]+: name \(list line' "$(cat "$OUT")"
expect_grep "and in its cells" \
	'planted/pipeline\.db: table input_file row 1 column message: offset 5: name' "$(cat "$OUT")"

# Modes under umask 022: person-level data private, published files not.
mode() { stat -c %a "$1" 2>/dev/null || echo missing; }
expect_eq "output/ mode" 700 "$(mode "$out")"
expect_eq "output/logs mode" 700 "$(mode "$out/logs")"
for f in pipeline.db pipeline.db-wal pipeline.db-shm run.state run.lock; do
	expect_eq "output/$f mode" 600 "$(mode "$out/$f")"
done
for f in "$out"/logs/*; do
	expect_eq "output/logs/$(basename "$f") mode" 600 "$(mode "$f")"
done
for f in report-sv.html report.xlsx tables/persons_district_year.csv; do
	expect_eq "published output/$f mode" 644 "$(mode "$out/$f")"
done
finish

# tests/stages/lib.sh - helpers sourced by every stage test (bash).
#
# A test sources this file, builds its fixture in a fresh work directory
# ($WORK, removed on exit), runs the real binary with expect_exit or
# expect_ingest, checks the database with expect_eq / expect_like on q
# results, and ends with `finish`, which exits 1 if any expectation failed.
#
#   PL_ROOT  repository root (default: two levels above this file)
#   PL_BIN   directory of the stage binaries (default: $PL_ROOT/pipeline/build)
#
# Every expectation prints a precise message on mismatch and the test goes
# on, so one run shows all that is wrong.  No test can pass vacuously: finish
# fails a test with zero expectations or with any SQL error from q (so an
# expected "" never passes on a query that did not run), and expect_ingest
# also checks the contract every run must keep (stdout empty, stderr only
# log lines, stderr empty with -q on success).  PL_KEY_FILE is unset.

set -u
export LC_ALL=C.UTF-8 TZ=UTC
unset PL_KEY_FILE

PL_ROOT=${PL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PL_BIN=${PL_BIN:-$PL_ROOT/pipeline/build}
PL_DATA=$PL_ROOT/tests/data/ingest
TEST_NAME=$(basename "$0" .sh)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pl-$TEST_NAME.XXXXXX") || exit 1
DB=$WORK/output/pipeline.db
KEY=$WORK/key/pipeline.key
OUT=$WORK/.stdout       # stdout of the last expect_exit command
ERR=$WORK/.stderr       # stderr of the last expect_exit command
RC=                     # exit status of the last expect_exit command

n_checks=0
n_failed=0
bg_pids=                # background processes this test started

cleanup() {
	local p
	for p in $bg_pids; do kill "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 1

# Report a failed expectation: fail WHAT DETAIL-LINES...
fail() {
	n_failed=$((n_failed + 1))
	printf 'FAIL: %s\n' "$1"
	shift
	local line
	for line in "$@"; do printf '  %s\n' "$line"; done
}

# Print a value indented; with control or 8-bit bytes, also as `sed -n l`.
show() { # show LABEL VALUE
	printf '  %s\n' "$1"
	printf '%s\n' "$2" | sed 's/^/    | /'
	if printf '%s' "$2" | LC_ALL=C grep -q '[^[:print:]]'; then
		printf '%s\n' "$2" | LC_ALL=C sed -n 'l 0' | sed 's/^/    l /'
	fi
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	n_checks=$((n_checks + 1))
	[ "$2" == "$3" ] && return 0
	n_failed=$((n_failed + 1))
	printf 'FAIL: %s\n' "$1"
	show expected: "$2"
	show actual: "$3"
	return 1
}

# expect_same WHAT EXPECTED ACTUAL: as expect_eq, for long texts (whole
# tables): on a difference shows the first 20 lines of the diff, not both.
expect_same() {
	n_checks=$((n_checks + 1))
	[ "$2" == "$3" ] && return 0
	fail "$1" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -n 20)"
	return 1
}

# expect_like WHAT SQL-LIKE-PATTERN ACTUAL  (SQLite LIKE: % _, ASCII case-insensitive)
expect_like() {
	n_checks=$((n_checks + 1))
	local m
	m=$(sqlite3 -batch -noheader :memory: "SELECT $(sql_str "$3") LIKE $(sql_str "$2");")
	[ "$m" == 1 ] && return 0
	n_failed=$((n_failed + 1))
	printf 'FAIL: %s\n' "$1"
	show "expected LIKE:" "$2"
	show actual: "$3"
	return 1
}

# expect_grep WHAT ERE TEXT: some line of TEXT matches the extended regex ERE.
expect_grep() {
	n_checks=$((n_checks + 1))
	printf '%s\n' "$3" | grep -Eq -e "$2" && return 0
	n_failed=$((n_failed + 1))
	printf 'FAIL: %s\n' "$1"
	show "expected a line matching (ERE):" "$2"
	show actual: "$3"
	return 1
}

# expect_true WHAT COMMAND...  (the command's exit status is the check)
expect_true() {
	local what=$1
	shift
	n_checks=$((n_checks + 1))
	"$@" && return 0
	fail "$what" "command failed: $*"
	return 1
}

# expect_exit CODE COMMAND...: run with stdin /dev/null, stdout to $OUT, stderr to $ERR.
expect_exit() {
	local want=$1
	shift
	n_checks=$((n_checks + 1))
	"$@" </dev/null >"$OUT" 2>"$ERR"
	RC=$?
	[ "$RC" == "$want" ] && return 0
	n_failed=$((n_failed + 1))
	printf 'FAIL: exit status of: %s\n' "$*"
	printf '  expected: %s\n  actual:   %s\n' "$want" "$RC"
	if [ -s "$ERR" ]; then
		printf '  stderr (first 20 lines):\n'
		head -n 20 "$ERR" | sed 's/^/    | /'
	fi
	return 1
}

# ingest ARGS...: the ingest binary on this test's fixture.
ingest() {
	"$PL_BIN/ingest" -i "$WORK/input" -m "$WORK/mappings" -d "$DB" -k "$KEY" "$@"
}

# expect_ingest CODE ARGS...: run ingest, expect CODE, an empty stdout, every
# stderr line in the log format, and with -q and exit 0 an empty stderr.
LOG_ERE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z ingest [EWID] [^ ].*$'
expect_ingest() {
	local want=$1 arg
	shift
	expect_exit "$want" ingest "$@"
	expect_eq "ingest $*: stdout is empty (exit $RC)" "" "$(cat "$OUT")"
	expect_eq "ingest $*: stderr lines not in the log format" "" \
		"$(grep -a -v -E -e "$LOG_ERE" "$ERR")"
	for arg in "$@"; do
		if [ "$arg" == -q ] && [ "$RC" == 0 ]; then
			expect_eq "ingest $*: stderr with -q and success" "" "$(cat "$ERR")"
		fi
	done
}

# new_fixture: make input/ mappings/ key/ output/ in $WORK.
new_fixture() {
	mkdir -p "$WORK/input" "$WORK/mappings" "$WORK/key" "$WORK/output"
	n_checks=$((n_checks + 1))
	if [ ! -x "$PL_BIN/ingest" ]; then
		fail "binary $PL_BIN/ingest exists" "not found or not executable (run make)"
		finish
	fi
}

# basic_fixture [NAME]: tests/data/ingest/basic.csv as input/NAME (default basic.csv),
# basic.ini as mappings/basic.ini (it claims basic*.csv).
basic_fixture() {
	cp "$PL_DATA/basic.csv" "$WORK/input/${1:-basic.csv}"
	cp "$PL_DATA/basic.ini" "$WORK/mappings/basic.ini"
}

# mapping NAME < INI: write mappings/NAME.ini from stdin.
mapping() { cat >"$WORK/mappings/$1.ini"; }

# sql_str TEXT: TEXT as an SQL string literal.
sql_str() { printf "'%s'" "${1//\'/\'\'}"; }

# q SQL: run SQL on the test database; rows on stdout, columns joined by |.
# An SQL error (no such table, locked, ...) fails the test at finish, so an
# expectation of "" cannot pass on a query that did not run.
q() {
	sqlite3 -batch -noheader "$DB" "$1" 2>>"$WORK/.sql-errors" ||
		printf '  in: %s\n' "$1" >>"$WORK/.sql-errors"
}

# hexof STRING-WITH-ESCAPES: upper-case hex of printf's expansion of the argument.
hexof() { printf "$1" | od -An -tx1 -v | tr -d ' \n' | tr a-f A-F; }

# names: the input_file names, space-separated, sorted.
names() {
	q "SELECT group_concat(name, ' ') FROM (SELECT name FROM input_file ORDER BY name);"
}

fid() { printf '(SELECT file_id FROM input_file WHERE name = %s)' "$(sql_str "$1")"; }

# file_stats NAME: status|lines|title_lines|header_lines|footer_rows|blank_lines|
#                  rows_read|rows_kept|rows_rejected
STATS="status|lines|title|header|footer|blank|read|kept|rejected"
file_stats() {
	q "SELECT status, lines, title_lines, header_lines, footer_rows, blank_lines,
	          rows_read, rows_kept, rows_rejected
	     FROM input_file WHERE name = $(sql_str "$1");"
}
expect_stats() { # expect_stats NAME EXPECTED
	expect_eq "input_file '$1' ($STATS)" "$2" "$(file_stats "$1")"
}

# rows NAME: "line: f1|f2|..." for each raw_row of the file (U+001F shown as |).
rows() {
	q "SELECT line || ': ' || replace(fields, char(31), '|') FROM raw_row
	    WHERE file_id = $(fid "$1") ORDER BY line;"
}

# columns NAME: "idx name field sealed" for each file_column ('-' for no field).
columns() {
	q "SELECT col_idx || ' ' || name || ' ' || coalesce(field, '-') || ' ' || sealed
	     FROM file_column WHERE file_id = $(fid "$1") ORDER BY col_idx;"
}

# reject_lines NAME: "line field" for each ingest reject ('-' for a NULL field).
reject_lines() {
	q "SELECT line || ' ' || coalesce(field, '-') FROM reject
	    WHERE stage = 'ingest' AND file_id = $(fid "$1") ORDER BY line;"
}

# reason NAME LINE: reason of the ingest reject at LINE.
reason() {
	q "SELECT reason FROM reject WHERE stage = 'ingest'
	      AND file_id = $(fid "$1") AND line = $2;"
}

# snapshot: every row of input_file, file_column, raw_row, raw_sealed (the
# blobs as hex) and reject, to compare a database before and after a run.
snapshot() {
	q "SELECT 'input_file', * FROM input_file ORDER BY file_id;
	   SELECT 'file_column', * FROM file_column ORDER BY file_id, col_idx;
	   SELECT 'raw_row', file_id, line, hex(fields) FROM raw_row ORDER BY file_id, line;
	   SELECT 'raw_sealed', file_id, first_line, format, hex(blob) FROM raw_sealed
	    ORDER BY file_id, first_line;
	   SELECT 'reject', * FROM reject ORDER BY file_id, line, stage;"
}

# expect_reconciled: for every file, rows_read = rows_kept + rows_rejected,
# rows_kept = count(raw_row), rows_rejected = count(ingest rejects).
expect_reconciled() {
	local bad
	bad=$(q "SELECT name || ': read ' || rows_read || ', kept ' || rows_kept
	            || ', rejected ' || rows_rejected
	            || ', raw_row ' || (SELECT count(*) FROM raw_row r WHERE r.file_id = f.file_id)
	            || ', reject ' || (SELECT count(*) FROM reject j
	                               WHERE j.file_id = f.file_id AND j.stage = 'ingest')
	           FROM input_file f
	          WHERE rows_read != rows_kept + rows_rejected
	             OR rows_kept != (SELECT count(*) FROM raw_row r WHERE r.file_id = f.file_id)
	             OR rows_rejected != (SELECT count(*) FROM reject j
	                                  WHERE j.file_id = f.file_id AND j.stage = 'ingest')
	          ORDER BY name;" 2>&1)
	expect_eq "every input_file reconciles with raw_row and reject" "" "$bad"
}

# finish: end the test; exit 1 if any expectation failed or none was made.
# The database, if the test left one, passes PRAGMA quick_check: every row
# keeps the schema's CHECK and NOT NULL constraints (dedup writes with
# SQLite's CHECK tests off, pl_db_checks_by_writer) and the file is sound.
# A test that leaves a broken database on purpose sets NO_QUICK_CHECK.
finish() {
	if [ -z "${NO_QUICK_CHECK:-}" ] && [ -s "$DB" ]; then
		expect_eq "PRAGMA quick_check of the database" "ok" \
			"$(sqlite3 -batch "$DB" 'PRAGMA quick_check;' 2>&1)"
	fi
	if [ -s "$WORK/.sql-errors" ]; then
		n_checks=$((n_checks + 1))
		fail "queries ran without SQL errors" "$(cat "$WORK/.sql-errors")"
	fi
	if [ "$n_checks" -eq 0 ]; then
		fail "test made no expectations" "a test that cannot fail is a defect"
	fi
	if [ "$n_failed" -gt 0 ]; then
		printf '%s: %d of %d expectations failed\n' "$TEST_NAME" "$n_failed" "$n_checks"
		exit 1
	fi
	exit 0
}

# ---- map stage (tests t02NN-map-*) -----------------------------------------
# Helpers for tests that run ingest then map on the same fixture.

# map ARGS...: the map binary on this test's fixture (the same -m, -d and -k
# as ingest, so $DB and $KEY may be pointed elsewhere between runs).
map() {
	"$PL_BIN/map" -m "$WORK/mappings" -d "$DB" -k "$KEY" "$@"
}

# expect_map CODE ARGS...: run map, expect CODE, every stderr line in the log
# format, an empty stdout (unless -c/--coverage is among ARGS), and with -q and
# exit 0 an empty stderr.
MAP_LOG_ERE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z map [EWID] [^ ].*$'
expect_map() {
	local want=$1 arg cov=0
	shift
	for arg in "$@"; do
		case $arg in -c|--coverage) cov=1 ;; esac
	done
	expect_exit "$want" map "$@"
	if [ "$cov" == 0 ]; then
		expect_eq "map $*: stdout is empty (exit $RC)" "" "$(cat "$OUT")"
	fi
	expect_eq "map $*: stderr lines not in the log format" "" \
		"$(grep -a -v -E -e "$MAP_LOG_ERE" "$ERR")"
	for arg in "$@"; do
		if [ "$arg" == -q ] && [ "$RC" == 0 ]; then
			expect_eq "map $*: stderr with -q and success" "" "$(cat "$ERR")"
		fi
	done
}

# map_rejects NAME: "line field code value" for each map reject of the file
# ('-' for NULL).
map_rejects() {
	q "SELECT line || ' ' || coalesce(field, '-') || ' ' || code || ' ' || coalesce(value, '-')
	     FROM reject WHERE stage = 'map' AND file_id = $(fid "$1") ORDER BY line;"
}

# map_reason NAME LINE: reason of the map reject at LINE.
map_reason() {
	q "SELECT reason FROM reject WHERE stage = 'map'
	      AND file_id = $(fid "$1") AND line = $2;"
}

# episodes NAME COLUMNS: "line: c1|c2|..." for each episode of the file, NULL
# shown as '-'; COLUMNS is a comma-separated list of episode columns.
episodes() {
	local cols=$2
	q "SELECT line || ': ' || $(printf '%s' "$cols" |
		sed -e "s/[[:space:]]*,[[:space:]]*/, '-') || '|' || coalesce(/g" \
		    -e "s/^/coalesce(/" -e "s/\$/, '-')/")
	     FROM episode WHERE file_id = $(fid "$1") ORDER BY line;"
}

# expect_map_reconciled: for every mapped file, rows_read = rows_kept +
# rows_rejected, rows_kept = its episodes, rows_rejected = its map rejects,
# rows_read = input_file.rows_kept; and every ingested ('ok') file is mapped.
expect_map_reconciled() {
	local bad
	bad=$(q "SELECT f.name || ': read ' || m.rows_read || ', kept ' || m.rows_kept
	            || ', rejected ' || m.rows_rejected
	            || ', episodes ' || (SELECT count(*) FROM episode e WHERE e.file_id = m.file_id)
	            || ', map rejects ' || (SELECT count(*) FROM reject j
	                                    WHERE j.file_id = m.file_id AND j.stage = 'map')
	            || ', ingest kept ' || f.rows_kept
	           FROM mapped_file m JOIN input_file f USING (file_id)
	          WHERE m.rows_read != m.rows_kept + m.rows_rejected
	             OR m.rows_kept != (SELECT count(*) FROM episode e WHERE e.file_id = m.file_id)
	             OR m.rows_rejected != (SELECT count(*) FROM reject j
	                                    WHERE j.file_id = m.file_id AND j.stage = 'map')
	             OR m.rows_read != f.rows_kept
	          ORDER BY f.name;")
	expect_eq "every mapped_file reconciles with episode, reject and input_file" "" "$bad"
	expect_eq "ingested files that are not mapped" "" \
		"$(q "SELECT name FROM input_file WHERE status = 'ok'
		        AND file_id NOT IN (SELECT file_id FROM mapped_file) ORDER BY name;")"
}

# luhn DIGITS: the Luhn check digit of a personnummer's nine digits YYMMDDNNN.
luhn() {
	local d=$1 i v sum=0
	for ((i = 0; i < ${#d}; i++)); do
		v=$(( ${d:i:1} * (i % 2 == 0 ? 2 : 1) ))
		sum=$(( sum + (v > 9 ? v - 9 : v) ))
	done
	printf '%d' $(( (10 - sum % 10) % 10 ))
}

# ---- scan stage (tests t03NN-scan-*) ---------------------------------------

# ini_entries FILE SECTION: "key = value" for each entry of [SECTION] of a
# mapping file, in file order; comment lines, inline comments (" ;") and the
# blanks around key and value dropped.  Section names compare ASCII
# case-insensitively, as libinih's do.
ini_entries() {
	awk -v want="$2" '
		/^[ \t]*[;#]/ { next }
		/^[ \t]*\[/ {
			s = $0; sub(/^[ \t]*\[/, "", s); sub(/\].*$/, "", s)
			cur = tolower(s); next
		}
		cur == tolower(want) {
			i = index($0, "="); if (!i) next
			k = substr($0, 1, i - 1); v = substr($0, i + 1)
			sub(/[ \t];.*$/, "", v)
			gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
			print k " = " v
		}' "$1"
}

# ini_get FILE SECTION KEY: the value of KEY in [SECTION] of a mapping file
# (the first if given twice), nothing if absent.
ini_get() {
	ini_entries "$1" "$2" | awk -v key="$3" '
		{ i = index($0, " = "); if (tolower(substr($0, 1, i - 1)) == tolower(key)) {
			print substr($0, i + 3); exit } }'
}

# ---- dedup stage (tests t04NN-dedup-*) --------------------------------------
# Helpers for tests that run ingest, map, then dedup on the same fixture.

# LINKAGE: the linkage settings dedup reads (-c); linkage_fixture copies the
# repository's mappings/linkage/linkage.ini there.
LINKAGE=$WORK/mappings/linkage/linkage.ini
linkage_fixture() {
	mkdir -p "$(dirname "$LINKAGE")"
	cp "$PL_ROOT/mappings/linkage/linkage.ini" "$LINKAGE"
}

# linkage_set KEY VALUE: set [linkage] KEY in $LINKAGE (the line must exist).
linkage_set() {
	sed -i -e "s/^$1[[:space:]]*=.*/$1 = $2/" "$LINKAGE"
	n_checks=$((n_checks + 1))
	grep -q -x -F -e "$1 = $2" "$LINKAGE" ||
		fail "linkage_set $1 $2" "no line '$1 = ...' in $LINKAGE"
}

# dedup ARGS...: the dedup binary on this test's fixture (-c $LINKAGE, the
# same -d and -k as ingest and map).
dedup() {
	"$PL_BIN/dedup" -c "$LINKAGE" -d "$DB" -k "$KEY" "$@"
}

# expect_dedup CODE ARGS...: run dedup, expect CODE, every stderr line in the
# log format, an empty stdout (unless -e/--explain is among ARGS), and with -q
# and exit 0 an empty stderr.
DEDUP_LOG_ERE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z dedup [EWID] [^ ].*$'
expect_dedup() {
	local want=$1 arg ex=0
	shift
	for arg in "$@"; do
		case $arg in -e|--explain|--explain=*) ex=1 ;; esac
	done
	expect_exit "$want" dedup "$@"
	if [ "$ex" == 0 ]; then
		expect_eq "dedup $*: stdout is empty (exit $RC)" "" "$(cat "$OUT")"
	fi
	expect_eq "dedup $*: stderr lines not in the log format" "" \
		"$(grep -a -v -E -e "$DEDUP_LOG_ERE" "$ERR")"
	for arg in "$@"; do
		if [ "$arg" == -q ] && [ "$RC" == 0 ]; then
			expect_eq "dedup $*: stderr with -q and success" "" "$(cat "$ERR")"
		fi
	done
}

# dedup_mapping NAME DISTRICT: a mapping for a linkage fixture on stdout.
# Columns: Personnummer (reserve numbers RES-NNNN), Förnamn, Efternamn, Kön
# (K/M, blank: from the number), Postnr, Född (YYYY-MM-DD, blank: from the
# number), Insats (Öppenvård/HVB), Start; reference_date 2026-01-15.
dedup_mapping() {
	cat <<INI
[source]
name = $1
district = $2
files = $1.csv
[columns]
identity_number = Personnummer
first_name = Förnamn
last_name = Efternamn
sex = Kön
postcode = Postnr
birth_date = Född
intervention = Insats
start_date = Start
[identity]
reserve = ^RES-[0-9]{4}\$
reference_date = 2026-01-15
[dates]
formats = YYYY-MM-DD
[recode sex]
K = F
M = M
[recode intervention]
Öppenvård = OPEN
HVB = INST
[derive]
sex = identity_number
birth_date = identity_number
INI
}
DEDUP_HEADER='Personnummer,Förnamn,Efternamn,Kön,Postnr,Född,Insats,Start'

# pnr YYMMDD SEP NNN: a synthetic personnummer with its Luhn check digit.
pnr() { printf '%s%s%s%s' "$1" "$2" "$3" "$(luhn "$1$3")"; }

# fnames, lnames, filler I START: the 20 filler persons of the linkage
# fixtures (t0401-t0405, t0407); filler prints the CSV row (DEDUP_HEADER) of
# filler person I, born 19(30+I), with a personnummer.
fnames=(Alvar Birgitta Conny Dagny Evert Fredrika Gösta Hjördis Ivar Jenny
	Kennet Lovisa Melker Nanna Oskar Petra Rune Saga Torsten Ulla)
lnames=(Almblad Bergvind Carlén Dahlgren Ekholm Forsberg Grönlund Hedlund Isaksson Jonsson
	Kullberg Lindmark Mattsson Nordin Olofsson Persson Rydberg Sandberg Törnblad Ullberg)
filler() {
	local i=$1 y=$((30 + $1)) m d sexd
	m=$(printf '%02d' $((i % 12 + 1)))
	d=$(printf '%02d' $((i % 27 + 1)))
	sexd=$(( i % 2 ? 3 : 4 ))          # odd: M, even: F (9th digit)
	printf '%s,%s,%s,,998 %02d,,Öppenvård,%s\n' "$(pnr "$y$m$d" - "12$sexd")" \
		"${fnames[i]}" "${lnames[i]}" "$i" "$2"
}

# linkage_sources: the mappings of sources a (LUNDBY), b (OSTRA) and c
# (NORRA_HISINGEN), columns as DEDUP_HEADER.
linkage_sources() {
	dedup_mapping a LUNDBY | mapping a
	dedup_mapping b OSTRA | mapping b
	dedup_mapping c NORRA_HISINGEN | mapping c
}

# linkage_people: three sources for the probabilistic step (t0401, t0407):
# a (LUNDBY) and c (NORRA_HISINGEN) hold 20 filler persons with
# personnummer, one episode in each, and test persons with personnummer
# (T1, T2, T3, T5a in a; T5c in c); b (OSTRA) holds five episodes without
# an identity number: b:2-4 are T1-T3 (exact, a typo, names swapped), b:5
# shares only postcode, birth year and sex with a:3, b:6 matches T5a and
# T5c equally.  t0401's header says what dedup makes of them.
linkage_people() {
	linkage_sources
	T1=$(pnr 710412 - 242)   # F
	T2=$(pnr 660930 - 135)   # M
	T3=$(pnr 580214 - 248)   # F
	T5a=$(pnr 800707 - 113)  # M
	T5c=$(pnr 800707 - 153)  # M
	{
		printf '%s\n' "$DEDUP_HEADER"
		printf '%s,Ingrid,Exempelsdotter,,999 10,,Öppenvård,2024-01-10\n' "$T1"   # 2
		printf '%s,Gunnar,Provqvist,,999 20,,Öppenvård,2024-01-11\n' "$T2"        # 3
		printf '%s,Märta,Testlund,,999 30,,Öppenvård,2024-01-12\n' "$T3"          # 4
		printf '%s,Sven,Dubbelsson,,999 50,,Öppenvård,2024-01-13\n' "$T5a"        # 5
		for i in $(seq 0 19); do filler "$i" 2024-01-20; done                     # 6-25
	} >"$WORK/input/a.csv"
	{
		printf '%s\n' "$DEDUP_HEADER"
		printf ',Ingrid,Exempelsdotter,K,999 10,1971-04-12,HVB,2024-02-10\n'       # 2
		printf ',Gunnar,Provkvist,M,999 20,1966-09-30,HVB,2024-02-11\n'            # 3
		printf ',Testlund,Märta,K,999 30,1958-02-14,HVB,2024-02-12\n'              # 4
		printf ',Olof,Annanson,M,999 20,1966-05-05,HVB,2024-02-13\n'               # 5
		printf ',Sven,Dubbelsson,M,999 50,1980-07-07,HVB,2024-02-14\n'             # 6
	} >"$WORK/input/b.csv"
	{
		printf '%s\n' "$DEDUP_HEADER"
		for i in $(seq 0 19); do filler "$i" 2024-03-20; done                     # 2-21
		printf '%s,Sven,Dubbelsson,,999 50,,HVB,2024-03-13\n' "$T5c"              # 22
	} >"$WORK/input/c.csv"
}

# linkage_people_mapped: a fixture with linkage_people, ingested and mapped.
linkage_people_mapped() {
	new_fixture
	linkage_fixture
	linkage_people
	expect_ingest 0 -q
	expect_map 0 -q --today 2026-01-15
}

# person_of FILE LINE, step_of FILE LINE, ref_of FILE LINE: the episode's
# person_id (by its episode_person.person_key), episode_person.step,
# episode.person_ref.
person_of() {
	q "SELECT s.person_id FROM episode_person p JOIN person s USING (person_key)
	    WHERE p.file_id = $(fid "$1") AND p.line = $2;"
}
# pkey_of FILE LINE: the episode's episode_person.person_key.
pkey_of() {
	q "SELECT person_key FROM episode_person WHERE file_id = $(fid "$1") AND line = $2;"
}
step_of() {
	q "SELECT step FROM episode_person WHERE file_id = $(fid "$1") AND line = $2;"
}
ref_of() {
	q "SELECT person_ref FROM episode WHERE file_id = $(fid "$1") AND line = $2;"
}

# person_row FILE LINE: basis|n_episodes|n_districts of the episode's person.
person_row() {
	q "SELECT basis || '|' || n_episodes || '|' || n_districts FROM person
	    WHERE person_key = ($(printf 'SELECT person_key FROM episode_person WHERE file_id = %s AND line = %s' "$(fid "$1")" "$2"));"
}

# run_param LEVEL: linkage_param n of comparison 'run' at LEVEL.
run_param() { q "SELECT n FROM linkage_param WHERE comparison = 'run' AND level = '$1';"; }

# persons_by_episodes: one line per person, its episodes "file:line" in order,
# space-separated; lines sorted.
persons_by_episodes() {
	q "SELECT group_concat(ep, ' ') FROM (SELECT ep.person_key AS pid, f.name || ':' || ep.line AS ep
	     FROM episode_person ep JOIN input_file f USING (file_id) ORDER BY f.name, ep.line)
	    GROUP BY pid ORDER BY 1;"
}

# dedup_tables: every row of person, episode_person, person_link and
# linkage_param, to compare two runs.
dedup_tables() {
	q "SELECT 'person', * FROM person ORDER BY person_key;
	   SELECT 'episode_person', * FROM episode_person ORDER BY file_id, line;
	   SELECT 'person_link', * FROM person_link ORDER BY a_file_id, a_line, b_file_id, b_line;
	   SELECT 'linkage_param', * FROM linkage_param
	    WHERE level NOT LIKE '%rows_written' ORDER BY comparison, level;"
}

# dedup_summary: dedup's summary line in $ERR (the last).
dedup_summary() { grep -a -o ' dedup I .*' "$ERR" | tail -n 1; }

# state_tables: the person layer and everything dedup keeps between runs
state_tables() {
	dedup_tables
	q "SELECT 'linkage_source', * FROM linkage_source ORDER BY source;
	   SELECT 'linkage_pair', * FROM linkage_pair ORDER BY 2, 3, 4, 5;
	   SELECT 'linkage_count', * FROM linkage_count ORDER BY 2, 3;
	   SELECT 'linkage_weight', * FROM linkage_weight ORDER BY 2, 3;
	   SELECT 'linkage_name', * FROM linkage_name ORDER BY 2;
	   SELECT 'linkage_state', * FROM linkage_state;"
}

# dedup_vs_rescore WHAT ARGS...: dedup ARGS on the database, and dedup
# --rescore on a copy taken before; the same tables.  The first run's
# stderr stays in $ERR.
dedup_vs_rescore() {
	local what=$1 copy=$WORK/rescore.db saved=$WORK/night.err
	shift
	rm -f "$copy"
	q ".backup '$copy'"
	DB=$copy expect_dedup 0 -v --rescore
	expect_like "$what: --rescore scores every pair" '%, every pair scored; written: %' \
		"$(dedup_summary)"
	expect_dedup 0 "$@"
	cp "$ERR" "$saved"
	expect_eq "$what: the tables of a run scoring every pair" \
		"$(DB=$copy state_tables)" "$(state_tables)"
	expect_eq "$what: the blocks' counts kept, as a run scoring every pair counts them" \
		"$(kept_counts "$copy")" "$(kept_counts "$DB")"
	expect_eq "$what: the sort by person and the sums kept, as a run scoring every pair's" \
		"$(kept_persons "$copy")" "$(kept_persons "$DB")"
	cp "$saved" "$ERR"
}

# state_i64 DB OFFSET: the 64-bit number at OFFSET of DB.dedup-state.
state_i64() { od -An -t d8 -j "$2" -N 8 "$1.dedup-state" | tr -d ' '; }

# kept_persons DB: the sort by person that dedup keeps (the runs of
# DB.dedup-persons that the state file's header names: their count at byte
# 200, offsets from 304, lengths from 368), in one order (person_ref, then
# position), and the sums' section (offset and length at 248 and 256),
# hashed; nothing if there is no state file.
kept_persons() {
	local db=$1 i off n
	[ -f "$db.dedup-state" ] || return 0
	for ((i = 0; i < $(state_i64 "$db" 200); i++)); do
		off=$(state_i64 "$db" $((304 + 8 * i)))
		n=$(state_i64 "$db" $((368 + 8 * i)))
		tail -c +"$((off + 1))" "$db.dedup-persons" | head -c "$((n * 24))" |
			od -An -v -t x8 -w24 | awk '{ print $1, $2, substr($3, 9, 8), substr($3, 1, 8) }'
	done | LC_ALL=C sort | sha256sum | cut -c1-64
	off=$(state_i64 "$db" 248)
	n=$(state_i64 "$db" 256)
	tail -c +"$((off + 1))" "$db.dedup-state" | head -c "$n" | sha256sum | cut -c1-64
}

# kept_counts DB: the counts of the blocks that dedup keeps for the next run
# (the section of DB.dedup-state that its header places: offset and length
# at bytes 152 and 160), hashed; nothing if there is no state file.
kept_counts() {
	[ -f "$1.dedup-state" ] || return 0
	tail -c +"$(($(state_i64 "$1" 152) + 1))" "$1.dedup-state" |
		head -c "$(state_i64 "$1" 160)" | sha256sum | cut -c1-64
}

# expect_dedup_reconciled: every episode has exactly one episode_person row
# and every episode_person row an episode and a person; each person's
# n_episodes and n_districts are those of its episodes; the run's episodes
# by step add up to the episodes; no person_id is two persons'; PNR/RESERV
# persons are named by a member's person_ref; linkage_source holds per
# source its episodes, those with id_type NONE, the persons with an episode
# from it and those of them in two or more districts; linkage_param's run persons_across counts the latter
# over all sources.  (person_key order is person_id order only on a first
# run: later runs keep the keys; t0407 checks both.)
expect_dedup_reconciled() {
	expect_eq "episodes without exactly one episode_person row" "" \
		"$(q "SELECT e.file_id || ':' || e.line FROM episode e
		       WHERE (SELECT count(*) FROM episode_person p
		               WHERE p.file_id = e.file_id AND p.line = e.line) != 1;")"
	expect_eq "episode_person rows without an episode or a person" "" \
		"$(q "SELECT p.file_id || ':' || p.line FROM episode_person p
		       WHERE NOT EXISTS (SELECT 1 FROM episode e WHERE e.file_id = p.file_id AND e.line = p.line)
		          OR NOT EXISTS (SELECT 1 FROM person s WHERE s.person_key = p.person_key);")"
	expect_eq "persons whose n_episodes / n_districts are not their episodes'" "" \
		"$(q "SELECT s.person_id || ' ' || s.n_episodes || ' ' || s.n_districts FROM person s
		       WHERE s.n_episodes != (SELECT count(*) FROM episode_person p WHERE p.person_key = s.person_key)
		          OR s.n_districts != (SELECT count(DISTINCT e.district) FROM episode_person p
		                               JOIN episode e USING (file_id, line) WHERE p.person_key = s.person_key);")"
	expect_eq "linkage_source: per source its episodes, those with id_type NONE, its persons and those in two or more districts" \
		"$(q "SELECT f.source, count(*), sum(e.id_type = 'NONE'), count(DISTINCT ep.person_key),
		             count(DISTINCT CASE WHEN s.n_districts >= 2 THEN ep.person_key END)
		        FROM episode e JOIN episode_person ep USING (file_id, line)
		        JOIN input_file f USING (file_id) JOIN person s USING (person_key)
		       WHERE f.source IS NOT NULL GROUP BY f.source
		      UNION SELECT DISTINCT f.source, 0, 0, 0, 0 FROM input_file f
		       WHERE f.source IS NOT NULL AND NOT EXISTS (SELECT 1 FROM episode e
		             WHERE e.file_id IN (SELECT file_id FROM input_file g WHERE g.source = f.source))
		       ORDER BY 1;")" \
		"$(q 'SELECT source, episodes, episodes_no_id, persons, persons_across FROM linkage_source
		      ORDER BY 1;')"
	expect_eq "foreign key violations" "" "$(q 'PRAGMA foreign_key_check;')"
	expect_eq "person_ids of more than one person (dedup keeps them unique; no index does)" "" \
		"$(q 'SELECT person_id FROM person GROUP BY person_id HAVING count(*) > 1;')"
	expect_eq "run persons_across = the persons with episodes in two or more districts" \
		"$(q 'SELECT count(*) FROM person WHERE n_districts >= 2;')" "$(run_param persons_across)"
	expect_eq "run episodes_deterministic + probabilistic + unlinked = episodes" \
		"$(q 'SELECT count(*) FROM episode;')" \
		"$(q "SELECT sum(n) FROM linkage_param WHERE comparison = 'run' AND level IN
		       ('episodes_deterministic', 'episodes_probabilistic', 'episodes_unlinked');")"
	expect_eq "PNR/RESERV persons whose id is no member's person_ref" "" \
		"$(q "SELECT s.person_id FROM person s WHERE s.basis IN ('PNR', 'RESERV')
		       AND NOT EXISTS (SELECT 1 FROM episode_person p JOIN episode e USING (file_id, line)
		                        WHERE p.person_key = s.person_key AND e.person_ref = s.person_id);")"
}

# ---- the driver (tests t05NN-run-*) ----------------------------------------
# Helpers for tests that run the whole pipeline with the run driver.

# run_pipeline ARGS...: the driver on this test's fixture (-i, -m, -d, -k as
# for the stages; the linkage settings default to $LINKAGE, beside the
# mappings), with the stage programs of $PL_BIN (--bin: they may be wrappers,
# e.g. under valgrind; a later --bin in ARGS wins).
run_pipeline() {
	"$PL_BIN/run" --bin "$PL_BIN" -i "$WORK/input" -m "$WORK/mappings" -d "$DB" -k "$KEY" "$@"
}

# expect_run CODE ARGS...: run the driver, expect CODE, an empty stdout,
# every stderr line in the log format (of run or a stage), and with -q and
# exit 0 an empty stderr.
RUN_LOG_ERE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z (run|ingest|map|dedup|indicators|report) [EWID] [^ ].*$'
expect_run() {
	local want=$1 arg
	shift
	expect_exit "$want" run_pipeline "$@"
	expect_eq "run $*: stdout is empty (exit $RC)" "" "$(cat "$OUT")"
	expect_eq "run $*: stderr lines not in the log format" "" \
		"$(grep -a -v -E -e "$RUN_LOG_ERE" "$ERR")"
	for arg in "$@"; do
		if [ "$arg" == -q ] && [ "$RC" == 0 ]; then
			expect_eq "run $*: stderr with -q and success" "" "$(cat "$ERR")"
		fi
	done
}

# samples_fixture: the repository's input/ and mappings/ (with the linkage
# settings) copied into the fixture.
samples_fixture() {
	cp -R "$PL_ROOT/input/." "$WORK/input/"
	cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"
	n_checks=$((n_checks + 1))
	if [ ! -x "$PL_BIN/run" ] || [ ! -s "$LINKAGE" ]; then
		fail "run binary and sample linkage settings exist" "$PL_BIN/run, $LINKAGE"
		finish
	fi
}

# last_summary STAGE: the summary of the latest stage_run row of STAGE.
last_summary() {
	q "SELECT summary FROM stage_run WHERE stage = '$1' ORDER BY run_id DESC LIMIT 1;"
}

# n_runs STAGE: how many stage_run rows STAGE has.
n_runs() { q "SELECT count(*) FROM stage_run WHERE stage = '$1';"; }

# run_logs: the file names in output/logs, sorted, space-separated.
run_logs() { (cd "$WORK/output/logs" 2>/dev/null && ls | sort | tr '\n' ' ' | sed 's/ $//'); }

# last_log: the path of the newest run log (run-STAMP.log, run-STAMP-N.log).
last_log() {
	local name
	name=$(cd "$WORK/output/logs" 2>/dev/null && ls -p | awk '
		/^run-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z(-[1-9][0-9]*)?\.log$/ {
			stamp = substr($0, 5, 16); seq = substr($0, 21); sub(/\.log$/, "", seq)
			sub(/^-/, "", seq); print stamp, (seq == "" ? 1 : seq), $0 }' |
		sort -k1,1 -k2,2n | tail -n 1 | cut -d' ' -f3)
	[ -n "$name" ] && printf '%s/output/logs/%s\n' "$WORK" "$name"
}

# pipeline_tables [DB]: every row of the tables the pipeline makes, without
# what differs between two runs on the same data and key: input_file without
# ingested_at and mtime_ns, raw_sealed with the length of each blob (the
# nonce is random), mapped_file without mapped_at, no stage_run.
pipeline_tables() {
	sqlite3 -batch -noheader "${1:-$DB}" "
	  SELECT 'input_file', file_id, name, size, sha256, source, mapping_sha256, status,
	         message, encoding, lines, title_lines, header_lines, footer_rows, blank_lines,
	         rows_read, rows_kept, rows_rejected FROM input_file ORDER BY file_id;
	  SELECT 'file_column', * FROM file_column ORDER BY file_id, col_idx;
	  SELECT 'raw_row', file_id, line, hex(fields) FROM raw_row ORDER BY file_id, line;
	  SELECT 'raw_sealed', file_id, first_line, format, length(blob) FROM raw_sealed
	   ORDER BY file_id, first_line;
	  SELECT 'reject', * FROM reject ORDER BY file_id, line, stage;
	  SELECT 'episode', * FROM episode ORDER BY file_id, line;
	  SELECT 'mapped_file', file_id, mapping_sha256, rows_read, rows_kept, rows_rejected
	    FROM mapped_file ORDER BY file_id;
	  SELECT 'map_value', * FROM map_value ORDER BY file_id, field, value;
	  SELECT 'person', * FROM person ORDER BY person_key;
	  SELECT 'episode_person', * FROM episode_person ORDER BY file_id, line;
	  SELECT 'person_link', * FROM person_link ORDER BY a_file_id, a_line, b_file_id, b_line;
	  SELECT 'linkage_param', * FROM linkage_param
	   WHERE level NOT LIKE '%rows_written' ORDER BY comparison, level;
	  SELECT 'linkage_source', * FROM linkage_source ORDER BY source;" \
		2>>"$WORK/.sql-errors"
}

# indicator_tables [DB]: every row of the tables indicators makes (replaced
# whole by each of its runs), to compare two runs.
indicator_tables() {
	sqlite3 -batch -noheader "${1:-$DB}" "
	  SELECT 'indicator', * FROM indicator ORDER BY indicator;
	  SELECT 'indicator_value', * FROM indicator_value
	   ORDER BY indicator, period, breakdown, district, sex, age_band, intervention,
	            provider, substance, children;
	  SELECT 'indicator_equity', * FROM indicator_equity ORDER BY indicator, period;
	  SELECT 'indicator_trend', * FROM indicator_trend
	   ORDER BY indicator, breakdown, district, sex, age_band, intervention, provider,
	            substance, children;" \
		2>>"$WORK/.sql-errors"
}

# input_state: name, size, mtime and sha256 of every file in input/, to show
# that a run changed nothing there.
input_state() {
	(cd "$WORK/input" && find . -print0 | sort -z |
		xargs -0 stat -c '%n %s %Y %a' && find . -type f -print0 | sort -z |
		xargs -0 sha256sum)
}

# fake_stages DIR: stage programs that only append their name to DIR/ran,
# sleep $FAKE_INGEST_SLEEP / $FAKE_MAP_SLEEP / $FAKE_DEDUP_SLEEP /
# $FAKE_INDICATORS_SLEEP / $FAKE_REPORT_SLEEP seconds (default 0), log a
# line and exit with $FAKE_INGEST / $FAKE_MAP / $FAKE_DEDUP /
# $FAKE_INDICATORS / $FAKE_REPORT (default 0), or kill themselves with
# signal 9 when that is "kill".
fake_stages() {
	local dir=$1 s var
	mkdir -p "$dir"
	for s in ingest map dedup indicators report; do
		var=FAKE_$(printf '%s' "$s" | tr a-z A-Z)
		cat >"$dir/$s" <<SH
#!/bin/sh
echo $s >>"$dir/ran"
sleep "\${${var}_SLEEP:-0}"
code=\${$var:-0}
printf '%s $s %s fake %s\n' "\$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	"\$([ "\$code" = 0 ] && echo I || echo E)" "\$code" >&2
[ "\$code" = kill ] && kill -9 \$\$
exit "\$code"
SH
		chmod +x "$dir/$s"
	done
}

# report_csv [DIR]: every CSV table the report wrote in DIR/tables (default
# $WORK/output), each as its name and then its lines, to compare two runs
# (the tables hold no run time, unlike the HTML and the workbook).
report_csv() {
	local f
	for f in "${1:-$WORK/output}"/tables/*.csv; do
		[ -e "$f" ] || continue
		printf '== %s\n' "$(basename "$f")"
		cat "$f"
	done
}

# mtime FILE: the modification time of FILE in nanoseconds, "missing" if it
# is not there.
mtime() { stat -c '%.9Y' "$1" 2>/dev/null || echo missing; }

# ---- indicators stage (tests t06NN-indicators-*) ----------------------------
CATALOGUE=$WORK/mappings/indicators/indicators.ini
POPULATION=$WORK/mappings/population/population.csv

# indicators ARGS...: the indicators binary on this test's database, catalogue
# and population file.
indicators() {
	"$PL_BIN/indicators" -c "$CATALOGUE" -p "$POPULATION" -d "$DB" "$@"
}

# expect_indicators CODE ARGS...: run indicators, expect CODE, every stderr
# line in the log format, an empty stdout (unless --method is among ARGS),
# and with -q and exit 0 an empty stderr.
IND_LOG_ERE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z indicators [EWID] [^ ].*$'
expect_indicators() {
	local want=$1 arg calc=0
	shift
	for arg in "$@"; do
		case $arg in --method|--method=*) calc=1 ;; esac
	done
	expect_exit "$want" indicators "$@"
	if [ "$calc" == 0 ]; then
		expect_eq "indicators $*: stdout is empty (exit $RC)" "" "$(cat "$OUT")"
	fi
	expect_eq "indicators $*: stderr lines not in the log format" "" \
		"$(grep -a -v -E -e "$IND_LOG_ERE" "$ERR")"
	for arg in "$@"; do
		if [ "$arg" == -q ] && [ "$RC" == 0 ]; then
			expect_eq "indicators $*: stderr with -q and success" "" "$(cat "$ERR")"
		fi
	done
}

# ind_value INDICATOR PERIOD BREAKDOWN WHERE COLUMNS: the columns of the one
# indicator_value row (joined by |, NULL as '-') matching; WHERE is an extra
# SQL condition on the keys, e.g. "district = 'ANGERED'" or "1".
ind_value() {
	q "SELECT $(printf '%s' "$5" | sed 's/\([a-z_][a-z_]*\)/coalesce(\1, '"'-'"')/g')
	     FROM indicator_value WHERE indicator = $(sql_str "$1") AND period = $(sql_str "$2")
	      AND breakdown = $(sql_str "$3") AND ($4);"
}

#!/usr/bin/env bash
# t0171-ingest-large-file.sh - guards ingest's two threads (one reads, one
# stores) on a file of many chunks and read buffers (3 MB, 60,000 records):
# - kept rows, rejects of every kind (field count, control character, an
#   unterminated quote near the end that makes the reader go back) and
#   blank lines interleaved: the counts, every reject with its line, field
#   and reason, every row's fields, all as one thread would store them;
#   input_file.sha256 is the file's (its bytes hashed on the storing thread,
#   those read again once); the first 10 rejects logged, then the rest counted;
# - disk full in the middle of the file (tests/fault/faultwrite.c): exit 74
#   with SQLite's message, no hang (the reading thread is stopped), the
#   transaction rolled back (the database as before); then a run without
#   the fault ingests the file as above.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping big <<'INI'
[source]
name = big
district = LUNDBY
files = big*.csv
[dialect]
delimiter = semicolon
[columns]
identity_number = Personnummer
intervention = Insats
INI
N=60000
f=$WORK/big.csv     # into input/ after a first run of a small file
# Record i is on line i + 1: every 1000th line is blank, every 7th record
# has two fields, every 11th a control character in Kommentar, the rest
# are kept; the last record opens a quote never closed, then one more row.
awk -v n=$N 'BEGIN {
	print "Personnummer;Insats;Kommentar"
	for (i = 1; i <= n; i++) {
		if (i % 1000 == 0) print ""
		else if (i % 7 == 0) printf "%08d-%04d;OPEN\n", i, i % 9973
		else if (i % 11 == 0) printf "%08d-%04d;OPEN;bad\001value\n", i, i % 9973
		else printf "%08d-%04d;OPEN;row %d of a file of many chunks\n", i, i % 9973, i
	}
	printf "%08d-0000;HVB;\"never closed\n", n + 1
	printf "%08d-0000;HVB;the last row\n", n + 2
}' >"$f"
# what one thread stored: line, then fields (the sealed column empty)
expected_rows() {
	awk -v n=$N 'BEGIN {
		for (i = 1; i <= n; i++)
			if (i % 1000 != 0 && i % 7 != 0 && i % 11 != 0)
				printf "%d: |OPEN|row %d of a file of many chunks\n", i + 1, i
		printf "%d: |HVB|the last row\n", n + 3
	}'
}
expected_rejects() {
	awk -v n=$N 'BEGIN {
		for (i = 1; i <= n; i++) {
			if (i % 1000 == 0) continue
			if (i % 7 == 0) printf "%d -|field_count|expected 3 fields, found 2\n", i + 1
			else if (i % 11 == 0) printf "%d Kommentar|control_char|control character 0x01\n", i + 1
		}
		printf "%d -|unterminated_quote|unterminated quote\n", n + 2
	}'
}
rejects() {
	q "SELECT line || ' ' || coalesce(field, '-') || '|' || code || '|' || reason FROM reject
	    WHERE stage = 'ingest' AND file_id = $(fid big.csv) ORDER BY line;"
}
n_kept=$(expected_rows | wc -l)
n_rejected=$(expected_rejects | wc -l)
n_blank=$((N / 1000))
stats="ok|$((N + 3))|0|1|0|$n_blank|$((n_kept + n_rejected))|$n_kept|$n_rejected"
expect_true "the file spans many 64 KiB read buffers" test "$(stat -c %s "$f")" -gt 2000000

# 1. disk full in the middle of the file: rolled back
basic_fixture
expect_ingest 0 -q
before=$(snapshot)
cp "$f" "$WORK/input/big.csv"
SHIM=$WORK/faultwrite.so
if nm -D "$PL_BIN/ingest" 2>/dev/null | grep -q '__asan_init'; then
	echo "t0171: note: the fault shim cannot interpose under ASan: disk full tested in make test"
elif ! cc -shared -fPIC -o "$SHIM" "$PL_ROOT/tests/fault/faultwrite.c" -ldl 2>"$WORK/.cc"; then
	n_checks=$((n_checks + 1))
	fail "the shim builds" "$(cat "$WORK/.cc")"
else
	# Bytes for about a third of the file's rows.  ingest has the database
	# to itself, so it writes in bulk (lib/db): into the database file and
	# its rollback journal, not the write-ahead log; the journal rolls the
	# file back (here when sqlite3 next opens it: the shim fails even the
	# writes of ingest's own rollback).
	expect_exit 74 env LD_PRELOAD="$SHIM" FAULT_PATH=pipeline.db FAULT_AFTER=1500000 \
		"$PL_BIN/ingest" -q -i "$WORK/input" -m "$WORK/mappings" -d "$DB" -k "$KEY"
	expect_grep "disk full: the shim failed a write" \
		'^faultwrite: ENOSPC on .*pipeline\.db(-journal)?$' "$(cat "$ERR")"
	expect_eq "disk full: written in bulk (no write-ahead log)" "" \
		"$(grep -a 'ENOSPC on .*pipeline\.db-wal' "$ERR")"
	expect_grep "disk full: says so, naming the database" \
		'Z ingest E .*pipeline\.db: database: [a-z ]+: database or disk is full' "$(cat "$ERR")"
	expect_eq "disk full: the database as before (rolled back)" "$before" "$(snapshot)"
fi

# 2. the whole file
expect_ingest 0
expect_stats big.csv "$stats"
expect_eq "input_file.sha256 is the file's" "$(sha256sum <"$f" | cut -d' ' -f1)" \
	"$(q "SELECT sha256 FROM input_file WHERE name = 'big.csv';")"
got_rejects=$(rejects)   # (not piped into head: sqlite3 would fail on the closed pipe)
got_rows=$(rows big.csv)
expect_eq "every reject, in line order (line field|code|reason)" \
	"$(expected_rejects | sha256sum)" "$(printf '%s\n' "$got_rejects" | sha256sum)"
expect_eq "the rejects' first lines" "$(expected_rejects | head -n 3)" \
	"$(printf '%s\n' "$got_rejects" | head -n 3)"
expect_eq "every kept row's fields" "$(expected_rows | sha256sum)" \
	"$(printf '%s\n' "$got_rows" | sha256sum)"
expect_eq "the kept rows' last lines" "$(expected_rows | tail -n 2)" \
	"$(printf '%s\n' "$got_rows" | tail -n 2)"
# every kept row sealed: chunks close at 256 rows (these are far below the
# byte limit), each with a nonce of its own, the first at the first kept line
expect_eq "sealed chunks of 256 rows, distinct nonces, first line" \
	"$(((n_kept + 255) / 256))|$(((n_kept + 255) / 256))|2" \
	"$(q "SELECT count(*), count(DISTINCT substr(blob, 1, 24)), min(first_line)
	      FROM raw_sealed WHERE file_id = $(fid big.csv);")"
expect_eq "the first 10 rejects logged, in order" \
	"$(expected_rejects | head -n 10 | sed 's/ .*//')" \
	"$(grep -a ' ingest W big\.csv:' "$ERR" | grep -v 'more rejected' |
	   sed 's/.* big\.csv:\([0-9]*\):.*/\1/')"
expect_grep "the rest counted" \
	"Z ingest W big\.csv: $((n_rejected - 10)) more rejected rows not shown" "$(cat "$ERR")"
expect_grep "the summary" \
	"Z ingest I 2 files: 1 ingested, 1 unchanged, 0 duplicate, 0 failed; $((n_kept + n_rejected)) rows read, $n_kept kept, $n_rejected rejected" \
	"$(cat "$ERR")"
expect_reconciled
finish

#!/usr/bin/env bash
# t0152-ingest-replace-corrected.sh - guards a corrected export under the same
# name: its earlier rows, rejects and columns are replaced (no orphans left),
# input_file keeps one row with the new size, sha256 and counts.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping fix <<'INI'
[source]
name = fix
district = CENTRUM
files = centrum.csv
[dialect]
delimiter = semicolon
[columns]
identity_number = Personnummer
INI
f=$WORK/input/centrum.csv
cat >"$f" <<'CSV'
Personnummer;Insats;Kommentar
00000000-0001;OPEN;a
00000000-0002;OPEN
00000000-0003;HVB;c
CSV
touch -d '2026-11-01 02:00:00' "$f"
expect_ingest 0 -q
expect_stats centrum.csv "ok|4|0|1|0|0|3|2|1"
expect_eq "rejects of the first version" "3 -" "$(reject_lines centrum.csv)"

cat >"$f" <<'CSV'
Personnummer;Insats;Kommentar
00000000-0001;OPEN;a
00000000-0002;OPEN;b
00000000-0003;HVB;c
00000000-0005;LVM;e
00000000-0006;LVM;f
CSV
touch -d '2026-11-02 02:00:00' "$f"
expect_ingest 0 -q
expect_eq "input_file rows for centrum.csv" "1" "$(q "SELECT count(*) FROM input_file WHERE name = 'centrum.csv';")"
expect_eq "new size|mtime_ns|sha256" \
	"$(stat -c %s "$f")|$(stat -c %.9Y "$f" | tr -d .)|$(sha256sum <"$f" | cut -d' ' -f1)" \
	"$(q "SELECT size, mtime_ns, sha256 FROM input_file WHERE name = 'centrum.csv';")"
expect_stats centrum.csv "ok|6|0|1|0|0|5|5|0"
expect_eq "raw_row of the new version" "2: |OPEN|a
3: |OPEN|b
4: |HVB|c
5: |LVM|e
6: |LVM|f" "$(rows centrum.csv)"
expect_eq "rows in the whole database (raw_row|reject|file_column)" "5|0|3" \
	"$(q 'SELECT (SELECT count(*) FROM raw_row), (SELECT count(*) FROM reject),
	             (SELECT count(*) FROM file_column);')"
expect_reconciled
finish

#!/usr/bin/env bash
# t0100-ingest-cli.sh - guards the command line: -h/--help on stdout with exit 0
# and no database, misuse exit 64 with a short usage on stderr, exit 66 for a
# missing input directory, 73 for a database that cannot be created, 78 for a
# mapping file with an unknown key or section (named with file and line).
. "$(dirname "$0")/lib.sh"
new_fixture
basic_fixture

for opt in -h --help; do
	expect_exit 0 "$PL_BIN/ingest" -d "$DB" "$opt"
	expect_like "$opt: usage on stdout" 'usage: ingest%' "$(cat "$OUT")"
	expect_eq "$opt: stderr" "" "$(cat "$ERR")"
done
expect_eq "-h creates no database" "absent" "$([ -e "$DB" ] && echo present || echo absent)"

for misuse in "--no-such-option" "-x" "-i"; do
	expect_exit 64 "$PL_BIN/ingest" -d "$DB" -k "$KEY" $misuse
	expect_eq "$misuse: stdout" "" "$(cat "$OUT")"
	expect_like "$misuse: short usage on stderr" '%usage: ingest%' "$(cat "$ERR")"
done
expect_eq "misuse creates no database" "absent" "$([ -e "$DB" ] && echo present || echo absent)"

expect_exit 66 "$PL_BIN/ingest" -i "$WORK/no-such-dir" -m "$WORK/mappings" -d "$DB" -k "$KEY"
expect_eq "missing input dir: stdout" "" "$(cat "$OUT")"
expect_like "missing input dir: named on stderr" '%no-such-dir%' "$(cat "$ERR")"

: >"$WORK/not-a-dir"
expect_exit 73 "$PL_BIN/ingest" -i "$WORK/input" -m "$WORK/mappings" -d "$WORK/not-a-dir/x.db" -k "$KEY"
expect_eq "uncreatable database: stdout" "" "$(cat "$OUT")"

# A typo in a key must never silently change behaviour: exit 78, file:line.
cat >"$WORK/mappings/typo.ini" <<'INI'
[source]
name = typo
district = LUNDBY
files = typo*.csv
[dialect]
delimeter = semicolon
INI
expect_ingest 78
expect_like "unknown key: file and line on stderr" '%typo.ini:6%' "$(cat "$ERR")"
rm "$WORK/mappings/typo.ini"

cat >"$WORK/mappings/section.ini" <<'INI'
[source]
name = section
district = LUNDBY
files = section*.csv
[dialekt]
delimiter = semicolon
INI
expect_ingest 78
# inih reports a key's line, so the section's line (5) or its first key's (6).
expect_grep "unknown section: file and line on stderr" 'section\.ini:[56]([^0-9]|$)' "$(cat "$ERR")"
rm "$WORK/mappings/section.ini"

cat >"$WORK/mappings/enc.ini" <<'INI'
[source]
name = enc
district = LUNDBY
files = enc*.csv
[dialect]
encoding = utf-17
INI
expect_ingest 78
expect_like "unknown encoding: file and line on stderr" '%enc.ini:6%' "$(cat "$ERR")"
rm "$WORK/mappings/enc.ini"

# With the mapping errors gone the same fixture ingests.
expect_ingest 0 -q
expect_eq "-q success: stderr" "" "$(cat "$ERR")"
expect_stats basic.csv "ok|4|0|1|0|0|3|3|0"
finish

#!/usr/bin/env bash
# t0510-run-progress.sh - guards the driver's per-stage progress (lib/progress):
# - on a TTY (script(1)) the live line of ingest shows the rows read and a
#   percent of the input bytes, that of map the rows mapped and a percent;
#   the run's result and tables are those of a run without a TTY;
# - the stages report only through the driver's pipe: not a TTY (stderr to
#   a file), there is no progress line, no carriage return, no escape
#   sequence, and the stages never see PL_PROGRESS_FD (not even one the
#   driver inherited);
# - ingest and map run by hand with a PL_PROGRESS_FD write the documented
#   "P rows=R bytes=B total=T" lines, ending at rows = bytes = total for map.
# The input is gen_sample's 200000 rows, so that a stage takes long enough
# for reports between its first and its last; dedup, indicators and report
# are stand-ins (fake_stages) to keep the test short.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
rm -f "$WORK/input/"*
expect_exit 0 "$PL_BIN/gen_sample" -o "$WORK/input" -t "$WORK/truth.txt" -n 200000
BIN=$WORK/bin
fake_stages "$BIN"
ln -sf "$PL_BIN/ingest" "$BIN/ingest"
ln -sf "$PL_BIN/map" "$BIN/map"
total_bytes=$(cat "$WORK/input/"*.csv | wc -c)

if ! command -v script >/dev/null; then
	printf 'info: script(1) not found: TTY progress not tested\n'
	expect_true "script(1) missing: nothing more to test" true
	finish
fi

# A TTY: script(1) gives the driver one.
script -qec "$(printf '%q ' "$PL_BIN/run" --bin "$BIN" -i "$WORK/input" -m "$WORK/mappings" \
	-d "$DB" -k "$KEY")" /dev/null </dev/null >"$WORK/tty.out" 2>&1
expect_eq "on a TTY: exit 0" 0 "$?"
tty_lines=$(tr '\r' '\n' <"$WORK/tty.out")
expect_grep "on a TTY: ingest's line with rows and a percent" \
	'run: \[1/5\] ingest  [0-9][0-9,]* rows  [0-9]+ % \[[#.]{10}\]  [0-9]+\.[0-9] s' "$tty_lines"
expect_grep "on a TTY: ingest's rows grow while it reads" \
	'run: \[1/5\] ingest  [1-9][0-9,]* rows' "$tty_lines"
expect_grep "on a TTY: map's line with rows and a percent" \
	'run: \[2/5\] map  [0-9][0-9,]* rows  [0-9]+ % ' "$tty_lines"
expect_grep "on a TTY: the stages' own lines still come" 'Z map I .*rows mapped' "$tty_lines"
expect_eq "on a TTY: every row ingested" 200000 \
	"$(q "SELECT sum(rows_read) FROM input_file WHERE status = 'ok';")"
expect_true "on a TTY: no progress in the log" test "$(tr -cd '\r\033' <"$(last_log)" | wc -c)" -eq 0
expect_eq "on a TTY: the stages got no stray P lines on stderr" "" \
	"$(grep -a -E '^P rows=' "$WORK/tty.out")"

# Not a TTY: no progress, and the stages are not given the variable, even
# when the driver itself was started with one.
rm -rf "$WORK/output"
cat >"$BIN/dedup" <<SH
#!/bin/sh
printf '%s dedup I PL_PROGRESS_FD=%s\n' "\$(date -u +%Y-%m-%dT%H:%M:%SZ)" "\${PL_PROGRESS_FD-unset}" >&2
SH
PL_PROGRESS_FD=2 expect_run 0 --bin "$BIN"
expect_eq "not a TTY: no carriage return" 0 "$(tr -cd '\r' <"$ERR" | wc -c)"
expect_eq "not a TTY: no escape sequence" 0 "$(tr -cd '\033' <"$ERR" | wc -c)"
expect_eq "not a TTY: no progress line" "" "$(grep -a -E 'rows  [0-9]+ %|run: \[' "$ERR")"
expect_grep "not a TTY: the stages are not given PL_PROGRESS_FD" \
	'Z dedup I PL_PROGRESS_FD=unset$' "$(cat "$ERR")"
expect_eq "not a TTY: every row ingested" 200000 \
	"$(q "SELECT sum(rows_read) FROM input_file WHERE status = 'ok';")"

# By hand: the wire format (the progress pipe is fd 3, a file here).
rm -rf "$WORK/output"
PL_PROGRESS_FD=3 expect_exit 0 "$PL_BIN/ingest" -q -i "$WORK/input" -m "$WORK/mappings" \
	-d "$DB" -k "$KEY" 3>"$WORK/ingest.p"
PL_PROGRESS_FD=3 expect_exit 0 "$PL_BIN/map" -q -m "$WORK/mappings" -d "$DB" -k "$KEY" \
	3>"$WORK/map.p"
expect_eq "by hand: only well-formed lines" "" \
	"$(cat "$WORK/ingest.p" "$WORK/map.p" | grep -v -E '^P rows=[0-9]+ bytes=[0-9]+ total=[0-9]+$')"
expect_eq "by hand: ingest starts at 0 of the input's bytes" "P rows=0 bytes=0 total=$total_bytes" \
	"$(head -n 1 "$WORK/ingest.p")"
records=$(q "SELECT sum(rows_read + footer_rows) FROM input_file;")
expect_eq "by hand: ingest ends with every record and byte" \
	"P rows=$records bytes=$total_bytes total=$total_bytes" "$(tail -n 1 "$WORK/ingest.p")"
expect_true "by hand: ingest reports between (rate-limited)" \
	test "$(wc -l <"$WORK/ingest.p")" -gt 2 -a "$(wc -l <"$WORK/ingest.p")" -lt 1000
kept=$(q "SELECT sum(rows_kept) FROM input_file;")
expect_eq "by hand: map starts at 0 of the rows ingest kept" "P rows=0 bytes=0 total=$kept" \
	"$(head -n 1 "$WORK/map.p")"
expect_eq "by hand: map ends at rows = bytes = total" \
	"P rows=$kept bytes=$kept total=$kept" "$(tail -n 1 "$WORK/map.p")"
finish

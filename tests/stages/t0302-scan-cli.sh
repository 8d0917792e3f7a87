#!/usr/bin/env bash
# t0302-scan-cli.sh - scan's command line and exit codes: help (0), usage
# errors (64), files that cannot be read as text (65: empty, UTF-16, binary),
# a missing file or code list directory (66), an output that cannot be
# created (73) or written (74), a malformed code list (78, with its line);
# nothing on stdout unless a draft is written; errors as log lines naming
# the file; -q quiet on success; without the default code list directory a
# warning and every value a TODO.
. "$(dirname "$0")/lib.sh"
new_fixture
SCAN=$PL_BIN/scan
SCAN_LOG_ERE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z scan [EWID] [^ ].*$'
if ! expect_true "binary $SCAN exists" test -x "$SCAN"; then
	finish
fi
CL=$PL_ROOT/mappings/codelists
printf 'Personnummer;K\303\266n;Insats;Startdatum\n19850312-2387;Man;HVB;2025-01-03\n' \
	>"$WORK/input/tiny.csv"

# expect_scan_fails CODE ERE ARGS...: exit CODE, nothing on stdout, stderr
# log lines only, one of them matching ERE.
expect_scan_fails() {
	local want=$1 ere=$2
	shift 2
	expect_exit "$want" "$SCAN" "$@"
	expect_eq "scan $*: stdout is empty" "" "$(cat "$OUT")"
	expect_eq "scan $*: stderr lines not in the log format" "" \
		"$(grep -a -v -E -e "$SCAN_LOG_ERE" "$ERR")"
	expect_grep "scan $*: the error says why" "$ere" "$(cat "$ERR")"
}

# ---- help and usage ---------------------------------------------------------
expect_exit 0 "$SCAN" -h
expect_grep "-h prints the usage to stdout" '^usage: scan \[options\] FILE$' "$(cat "$OUT")"
expect_grep "-h lists the exit codes" '^  65  the file cannot be read as text' "$(cat "$OUT")"
expect_eq "-h: stderr is empty" "" "$(cat "$ERR")"
expect_exit 0 "$SCAN" --help
for args in "" "a.csv b.csv" "--bogus x.csv" "-n 0 x.csv" "-n 12x x.csv" "-o"; do
	# shellcheck disable=SC2086
	expect_exit 64 "$SCAN" $args
	expect_eq "scan $args: stdout is empty" "" "$(cat "$OUT")"
	expect_grep "scan $args: short usage on stderr" '^usage: scan ' "$(cat "$ERR")"
done
expect_exit 64 "$SCAN" --today 2026-02-30 "$WORK/input/tiny.csv"
expect_grep "a bad --today is named" "2026-02-30" "$(cat "$ERR")"
expect_eq "--today 2026-02-30: stdout is empty" "" "$(cat "$OUT")"
cp "$WORK/input/tiny.csv" "$WORK/keep.csv"
expect_exit 64 "$SCAN" -c "$CL" -o "$WORK/input/tiny.csv" "$WORK/input/tiny.csv"
expect_grep "-o onto the export is refused" "would overwrite the export" "$(cat "$ERR")"
expect_true "the export is left alone" cmp -s "$WORK/keep.csv" "$WORK/input/tiny.csv"

# ---- 66: no input -------------------------------------------------------------
expect_scan_fails 66 "scan E .*nope\.csv: cannot read: No such file" -c "$CL" "$WORK/input/nope.csv"
expect_scan_fails 66 "scan E .*input: not a regular file" -c "$CL" "$WORK/input"
expect_scan_fails 66 "scan E .*no-such-dir: cannot open code list directory" \
	-c "$WORK/no-such-dir" "$WORK/input/tiny.csv"

# ---- 65: not text -------------------------------------------------------------
: >"$WORK/input/empty.csv"
expect_scan_fails 65 "scan E .*empty\.csv: empty file" -c "$CL" "$WORK/input/empty.csv"
printf '\377\376P\000n\000r\000\n\000' >"$WORK/input/utf16.csv"
expect_scan_fails 65 "scan E .*utf16\.csv: UTF-16 text \(byte order mark FF FE\) is not supported" \
	-c "$CL" "$WORK/input/utf16.csv"
printf 'P\000n\000r\000;\000K\000\n\000' >"$WORK/input/utf16-nobom.csv"
expect_scan_fails 65 "scan E .*utf16-nobom\.csv: 6 NUL bytes in 12: not a text export" \
	-c "$CL" "$WORK/input/utf16-nobom.csv"

# ---- 78: a malformed code list --------------------------------------------------
mkdir -p "$WORK/badcl"
printf '[values]\nMan = M\nKvinna = W\n' >"$WORK/badcl/sex_sv.ini"
expect_scan_fails 78 "scan E .*badcl/sex_sv\.ini:3: 'W' is not a code of the schema for sex" \
	-c "$WORK/badcl" "$WORK/input/tiny.csv"

# ---- 73 and 74: output ----------------------------------------------------------
expect_scan_fails 73 "scan E .*no-dir/draft\.ini: cannot create a temporary file" \
	-c "$CL" -o "$WORK/no-dir/draft.ini" "$WORK/input/tiny.csv"
if [ -w /dev/full ]; then
	n_checks=$((n_checks + 1))
	"$SCAN" -c "$CL" "$WORK/input/tiny.csv" >/dev/full 2>"$ERR"
	RC=$?
	expect_eq "stdout on a full device: exit status" 74 "$RC"
	expect_grep "stdout on a full device: said so" "cannot write the draft to standard output" \
		"$(cat "$ERR")"
fi

# ---- success ------------------------------------------------------------------
expect_exit 0 "$SCAN" -q -c "$CL" "$WORK/input/tiny.csv"
expect_eq "-q: stderr is empty on success" "" "$(cat "$ERR")"
expect_eq "tiny.csv: HVB coded from the code list" "HVB = INST" \
	"$(ini_entries "$OUT" "recode intervention")"
# Without the default code list directory (mappings/codelists of the working
# directory): a warning, and every value a TODO.
expect_exit 0 "$SCAN" "$WORK/input/tiny.csv"
expect_grep "missing default code lists: a warning" \
	'scan W mappings/codelists: no code lists: every value becomes a TODO' "$(cat "$ERR")"
expect_eq "missing default code lists: TODO" "HVB = TODO" "$(ini_entries "$OUT" "recode intervention")"
expect_eq "stderr lines in the log format" "" "$(grep -a -v -E -e "$SCAN_LOG_ERE" "$ERR")"
finish

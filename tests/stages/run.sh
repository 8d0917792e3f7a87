#!/usr/bin/env bash
# tests/stages/run.sh - run every stage test: tests/stages/run.sh [BUILD_DIR]
#
# Runs each tests/stages/t[0-9][0-9][0-9][0-9]-*.sh with PL_ROOT (the
# repository) and PL_BIN (BUILD_DIR, default pipeline/build) set, prints
# "ok  tNNNN-..." or "FAIL tNNNN-..." followed by the failing test's output,
# and ends with "N passed, N failed".  Exit 1 if any test failed.
# Needs no TTY and no network.  PL_TEST_TIMEOUT: seconds per test (default 120).
set -u
here=$(cd "$(dirname "$0")" && pwd)
PL_ROOT=$(cd "$here/../.." && pwd)
PL_BIN=${1:-$PL_ROOT/pipeline/build}
case $PL_BIN in /*) ;; *) PL_BIN=$(pwd)/$PL_BIN ;; esac
export PL_ROOT PL_BIN

limit=${PL_TEST_TIMEOUT:-120}
n_pass=0
n_fail=0
log=$(mktemp "${TMPDIR:-/tmp}/pl-run.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT

for t in "$here"/t[0-9][0-9][0-9][0-9]-*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	timeout -k 5 "$limit" bash "$t" </dev/null >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		n_pass=$((n_pass + 1))
		printf 'ok  %s\n' "$name"
	else
		n_fail=$((n_fail + 1))
		printf 'FAIL %s\n' "$name"
		[ "$rc" -eq 124 ] && printf '  timed out after %ss\n' "$limit"
		sed 's/^/    /' "$log"
	fi
done

if [ $((n_pass + n_fail)) -eq 0 ]; then
	printf 'FAIL no tests found in %s\n' "$here"
	n_fail=1
fi
printf '%d passed, %d failed\n' "$n_pass" "$n_fail"
[ "$n_fail" -eq 0 ]

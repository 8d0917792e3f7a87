#!/bin/sh
# tests/run-all.sh BUILD_DIR - run every unit test binary and every stage
# test; print each suite's result and a closing "N passed, N failed" line.
# Exits 1 if anything failed or if no test ran at all.
set -u
build=${1:-pipeline/build}
root=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if "$t" >"$log" 2>&1; then status=ok; else status=FAIL; fi
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0}; f=${f:-0}
	# a crash or a binary that ran nothing counts as a failure
	if [ "$status" = FAIL ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f))
	printf '%-4s %s (%s passed, %s failed)\n' "$status" "$name" "$p" "$f"
	[ "$status" = ok ] || cat "$log"
done

if [ -x "$root/tests/stages/run.sh" ] || [ -f "$root/tests/stages/run.sh" ]; then
	sh "$root/tests/stages/run.sh" "$build" >"$log" 2>&1
	cat "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	[ -n "$p" ] || { p=0; f=1; echo "FAIL stage tests: no summary line"; }
	passed=$((passed + p)); failed=$((failed + f))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

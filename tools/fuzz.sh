#!/bin/sh
# tools/fuzz.sh - build and run the libFuzzer targets of tests/fuzz/.
#
#   tools/fuzz.sh BUILD_DIR SECONDS TARGET...      (make fuzz runs this)
#
# Expects BUILD_DIR/libpipeline.a and BUILD_DIR/libstages.a already built
# with the fuzzing flags (make fuzz does that first) and takes from the
# environment:
#   FUZZ_CC      the compiler (clang)
#   FUZZ_CFLAGS  compile flags, including -fsanitize=fuzzer-no-link,address,undefined
#   FUZZ_LIBS    the libraries libpipeline needs
#   FUZZ_JOBS    targets run at once (default 1)
#   FUZZ_ARGS    extra libFuzzer options, e.g. -max_len=8192
#
# Links BUILD_DIR/fuzz_TARGET for each target, then runs it for SECONDS on
# its corpus: new inputs go to BUILD_DIR/corpus/TARGET (scratch, not in git),
# tests/fuzz/corpus/TARGET is only read.  SECONDS 0 runs each corpus once
# (a quick regression check).  Crashes, leaks, timeouts and failed
# invariants leave BUILD_DIR/artifacts/TARGET-crash-* and make the exit
# status 1; BUILD_DIR/logs/TARGET.log holds each run's output.
set -u
build=${1:?usage: tools/fuzz.sh BUILD_DIR SECONDS TARGET...}
seconds=${2:?usage: tools/fuzz.sh BUILD_DIR SECONDS TARGET...}
shift 2
[ $# -gt 0 ] || { echo "tools/fuzz.sh: no targets" >&2; exit 64; }
root=$(cd "$(dirname "$0")/.." && pwd)
cc=${FUZZ_CC:-clang}
jobs=${FUZZ_JOBS:-1}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "tools/fuzz.sh: $cc not found; as root: apt-get install -y clang" >&2
	exit 69
fi
mkdir -p "$build/corpus" "$build/artifacts" "$build/logs" || exit 73

# Link every target first, so a build error stops before any fuzzing.
for t in "$@"; do
	src=$root/tests/fuzz/fuzz_$t.c
	[ -f "$src" ] || { echo "tools/fuzz.sh: no $src" >&2; exit 64; }
	echo "$cc ... -o $build/fuzz_$t $src"
	# shellcheck disable=SC2086  # flag lists are meant to split
	$cc ${FUZZ_CFLAGS:-} -fsanitize=fuzzer -I"$root/pipeline/lib" -I"$root/pipeline" \
	    -o "$build/fuzz_$t" "$src" "$build/libstages.a" "$build/libpipeline.a" \
	    ${FUZZ_LIBS:-} || exit 1
done

# run_one TARGET: fuzz it; prints one summary line; exit status 0 if clean.
run_one() {
	t=$1
	bin=$build/fuzz_$t
	log=$build/logs/$t.log
	seeds=$root/tests/fuzz/corpus/$t
	dict=$root/tests/fuzz/fuzz_$t.dict
	set --
	[ -f "$dict" ] && set -- "-dict=$dict"
	mkdir -p "$build/corpus/$t"
	if [ "$seconds" -eq 0 ]; then
		set -- "$@" -runs=0
	else
		set -- "$@" -max_total_time="$seconds"
	fi
	# stdin from /dev/null: a mapping file may name /dev/stdin as a code list
	# shellcheck disable=SC2086
	"$bin" "$@" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$build/artifacts/$t-" ${FUZZ_ARGS:-} \
	    "$build/corpus/$t" "$seeds" </dev/null >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -a -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1 ft \2/p')
	units=$(find "$build/corpus/$t" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		printf 'ok   fuzz_%s: %ss, %s execs, %s, scratch corpus %s inputs\n' \
		    "$t" "$seconds" "${execs:-?}" "${cov:-cov ?}" "$units"
		return 0
	fi
	printf 'FAIL fuzz_%s (exit %s): see %s\n' "$t" "$rc" "$log"
	grep -a -E 'ERROR: |invariant failed|does not load|SUMMARY|Test unit written' "$log" | sed 's/^/    /' | head -n 12
	return 1
}

failed=0
running=0
status_dir=$(mktemp -d "${TMPDIR:-/tmp}/pl-fuzz.XXXXXX") || exit 73
trap 'rm -rf "$status_dir"' EXIT
for t in "$@"; do
	( run_one "$t" >"$status_dir/$t.out"; echo $? >"$status_dir/$t.rc" ) &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait
for t in "$@"; do
	cat "$status_dir/$t.out"
	[ "$(cat "$status_dir/$t.rc")" = 0 ] || failed=$((failed + 1))
done
if [ "$failed" -gt 0 ]; then
	echo "$failed of $# fuzz targets failed; reproduce with: $build/fuzz_TARGET ARTIFACT"
	exit 1
fi
echo "all $# fuzz targets clean"

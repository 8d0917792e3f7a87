#!/bin/sh
# tools/screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT] - a PNG of the first
# screen of an HTML report, taken by headless Chromium (Debian package
# "chromium"; tools/deps.sh installs it).  The window is 1280x900 unless
# given.  Exits 0 with OUT.png written, 1 when Chromium is missing or fails
# (with a message saying why), 64 on misuse.
set -u
usage() { echo "usage: tools/screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]" >&2; exit 64; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage
report=$1
out=$2
size=${3:-1280x900}
case $size in *[!0-9x]*|x*|*x|*x*x*) usage ;; *x*) ;; *) usage ;; esac

chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
	echo "screenshot: chromium not found: install the Debian package 'chromium' (make deps, as root)" >&2
	exit 1
fi
[ -r "$report" ] || { echo "screenshot: cannot read '$report'" >&2; exit 1; }
case $report in /*) abs=$report ;; *) abs=$(pwd)/$report ;; esac

# a private profile, so that runs neither share state nor need a writable $HOME
profile=$(mktemp -d "${TMPDIR:-/tmp}/screenshot.XXXXXX") || exit 1
trap 'rm -rf "$profile"' EXIT
rm -f "$out"
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
	--no-first-run --no-default-browser-check --hide-scrollbars \
	--user-data-dir="$profile" --window-size="$(echo "$size" | tr x ,)" \
	--screenshot="$out" "file://$abs" >"$profile/log" 2>&1
rc=$?
if [ $rc -ne 0 ] || [ ! -s "$out" ]; then
	echo "screenshot: chromium failed (exit $rc) on '$report':" >&2
	tail -n 5 "$profile/log" >&2
	exit 1
fi
exit 0

#!/bin/sh
# tools/deps.sh - find missing build dependencies and install them (Debian).
#
# Checks each dependency with pkg-config or by its header, collects the Debian
# packages that are missing and, as root, installs them with apt-get.  As
# another user it prints the exact apt-get line and exits 1.
set -u

missing=""
need() { # need PACKAGE TEST-COMMAND...
	pkg=$1; shift
	"$@" >/dev/null 2>&1 || missing="$missing $pkg"
}
have_pc() { command -v pkg-config >/dev/null && pkg-config --exists "$1"; }
have_h() { printf '#include <%s>\n' "$1" | ${CC:-cc} -E -x c - >/dev/null 2>&1; }

need pkg-config        command -v pkg-config
need make              command -v make
need gcc               command -v ${CC:-cc}
need libsqlite3-dev    have_pc sqlite3
need libgsl-dev        have_pc gsl
need libcmocka-dev     have_pc cmocka
need libsodium-dev     have_pc libsodium
need libinih-dev       have_pc inih
need libcsv-dev        have_h csv.h
need libxlsxwriter-dev have_pc xlsxwriter
need sqlite3           command -v sqlite3
need chromium          command -v chromium
need python3           command -v python3

[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root:  apt-get update && $line" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null
rc=$?
[ $rc -eq 0 ] || { echo "deps: '$line' failed (exit $rc)" >&2; exit 1; }
exit 0

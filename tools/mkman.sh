#!/bin/sh
# tools/mkman.sh PROGRAM OUT - write a man page for a stage program from its
# own --help, so the page can never disagree with the program.
#
# The first line of --help is the synopsis, the next paragraph the
# description; the rest (options, exit status) is kept as preformatted text.
set -eu
prog=$1
out=$2
name=$(basename "$prog")
help=$("$prog" --help)
version=$(sed -n 's/^#define PL_VERSION "\(.*\)"/\1/p' "$(dirname "$0")/../pipeline/lib/pl.h")
# NAME: the description's first sentence
summary=$(printf '%s\n' "$help" | sed '/^usage:/d; /^       /d' | sed '/^$/q' | tr '\n' ' ' |
	sed 's/\. .*//; s/\.* *$//; s/  */ /g')
esc() { sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"; }
tmp="$out.tmp"
{
	printf '.TH %s 1 "" "caseload %s" "Caseload pipeline"\n' "$(echo "$name" | tr a-z A-Z)" "$version"
	printf '.SH NAME\n%s \\- %s\n' "$name" "$(printf '%s' "$summary" | esc)"
	printf '.SH SYNOPSIS\n.nf\n'
	printf '%s\n' "$help" | sed -n '/^usage:/,/^[^ u]/p' | sed '$d' | sed 's/^usage: //; s/^       //' | esc
	printf '.fi\n.SH DESCRIPTION\n.nf\n'
	printf '%s\n' "$help" | sed '1,/^[^ u]/{/^usage:/d;/^       /d}' | esc
	printf '.fi\n.SH SEE ALSO\nThe README and docs/ of the caseload pipeline.\n'
} >"$tmp"
mv "$tmp" "$out"

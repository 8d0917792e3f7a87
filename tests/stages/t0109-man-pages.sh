#!/bin/bash
# The man pages make install writes are generated from each program's --help
# (tools/mkman.sh), so they cannot drift from the programs: for every stage
# program the page is valid roff with a NAME and SYNOPSIS, and every option
# --help lists appears in the page.
. "$(dirname "$0")/lib.sh"
for p in ingest map dedup indicators report scan run; do
	page="$WORK/$p.1"
	expect_exit 0 sh "$PL_ROOT/tools/mkman.sh" "$PL_BIN/$p" "$page"
	expect_grep "$p.1: title line" "^\\.TH $(echo "$p" | tr a-z A-Z) 1 " "$(cat "$page")"
	expect_grep "$p.1: NAME" "^$p \\\\- [A-Z]" "$(sed -n '/^\.SH NAME/{n;p}' "$page")"
	expect_grep "$p.1: SYNOPSIS" "^$p " "$(sed -n '/^\.SH SYNOPSIS/,/^\.fi/p' "$page")"
	for opt in $("$PL_BIN/$p" --help | grep -o -E -- '--[a-z][a-z-]+' | sort -u); do
		expect_grep "$p.1 documents $opt" "$opt" "$(cat "$page")"
	done
done
finish

#!/usr/bin/env bash
# t0300-scan-samples.sh - scan's drafts of the repository's sample exports
# (input/) against the checked-in mapping files (mappings/), which analysts
# wrote and ingest reads them with:
#   - [dialect] encoding, delimiter, quote, header_line, header_lines, fields
#     and whether there is a footer are the same;
#   - every distinct intervention value that 'map --coverage' shows for the
#     source is listed under the [recode intervention] of a draft of one of
#     its files, with the code the mapping file gives it when the shared code
#     list knows it, and TODO otherwise;
#   - the rows scan says ingest will read and reject ("; ingest will read N
#     rows and reject M of them") are ingest's rows_read and rows_rejected;
#   - stdout is the draft only (it starts with the DRAFT comment) and stderr
#     only log lines.
# Which mapping a sample belongs to is what ingest claims it for
# (input_file.source); every sample must be claimed, ingested and mapped.
. "$(dirname "$0")/lib.sh"
new_fixture
SCAN=$PL_BIN/scan
SCAN_LOG_ERE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z scan [EWID] [^ ].*$'
if ! expect_true "binary $SCAN exists" test -x "$SCAN"; then
	finish
fi
cp -R "$PL_ROOT/input/." "$WORK/input/"
cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"
expect_true "sample input/ holds files" test -n "$(ls -A "$WORK/input")"

expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_map 0 --coverage
cp "$OUT" "$WORK/coverage.tsv"
expect_eq "coverage lists intervention values" yes \
	"$(awk -F '\t' '$2 == "intervention" { print "yes"; exit }' "$WORK/coverage.tsv")"

mkdir -p "$WORK/drafts"
for path in "$WORK"/input/*; do
	name=$(basename "$path")
	source=$(q "SELECT source FROM input_file WHERE name = $(sql_str "$name") AND status = 'ok';")
	if [ -z "$source" ]; then
		expect_eq "$name: ingested and claimed by a source" "a source" "none"
		continue
	fi
	ini=$WORK/mappings/$source.ini
	draft=$WORK/drafts/$name.ini
	expect_exit 0 "$SCAN" --today 2026-01-15 -c "$WORK/mappings/codelists" "$path"
	cp "$OUT" "$draft"
	expect_like "$name: stdout is the draft" "; DRAFT mapping file for $name,%" \
		"$(head -n 1 "$draft")"
	expect_eq "$name: stderr lines not in the log format" "" \
		"$(grep -a -v -E -e "$SCAN_LOG_ERE" "$ERR")"
	for key in encoding delimiter quote header_line header_lines fields; do
		expect_eq "$name: [dialect] $key as in $source.ini" \
			"$(ini_get "$ini" dialect "$key")" "$(ini_get "$draft" dialect "$key")"
	done
	expect_eq "$name: [dialect] footer given as in $source.ini" \
		"$(ini_get "$ini" dialect footer | sed 's/..*/a footer/')" \
		"$(ini_get "$draft" dialect footer | sed 's/..*/a footer/')"
	expect_eq "$name: rows ingest will read and reject" \
		"$(q "SELECT '; ingest will read ' || rows_read || ' rows and reject '
		             || rows_rejected || ' of them' FROM input_file
		       WHERE name = $(sql_str "$name");")" \
		"$(grep -E '^;   ingest +will read' "$draft" | sed 's/^;   ingest *//; s/^/; ingest /')"
	ini_entries "$draft" "recode intervention" >>"$WORK/drafts/$source.recode"
done

# Every intervention value of the coverage, per source, in some draft of
# the source's files: with the mapping file's code where the draft has a
# code, TODO where the shared code list does not know the value.
while IFS=$'\t' read -r source field value code n first; do
	[ "$field" == intervention ] || continue
	listed=$(awk -v v="$value" 'index($0, v " = ") == 1 { print substr($0, length(v) + 4); exit }' \
		"$WORK/drafts/$source.recode")
	if [ -z "$listed" ]; then
		expect_eq "$source: intervention value '$value' ($n rows, first $first) in a draft" \
			"listed" "missing"
		continue
	fi
	in_list=$(grep -c -x -F -e "$value = $code" "$PL_ROOT/mappings/codelists/intervention_sv.ini")
	if [ "$in_list" -gt 0 ]; then
		expect_eq "$source: draft's code for '$value' (from the code list)" "$code" "$listed"
	else
		expect_eq "$source: draft's code for '$value' (not in the code list)" "TODO" "$listed"
	fi
done < <(tail -n +2 "$WORK/coverage.tsv")
finish

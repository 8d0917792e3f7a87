#!/usr/bin/env bash
# t0190-ingest-samples.sh - guards ingest on the repository's sample exports
# (input/, mappings/) against tests/data/sample-truth.txt, written from the
# generator's knowledge of what it planted:
#   file <name> <key> <value>      input_file.<key> of <name> is <value>;
#                                  key `fields` is the number of file_column rows;
#                                  keys of later stages (rows_rejected_map) are
#                                  left to their tests
#   reject <name> <line> <cause>   a planted bad record; the ingest-stage causes
#                                  (field_count encoding control_char
#                                  malformed_quote unterminated_quote) must be
#                                  exactly the ingest rejects, by file, line and
#                                  cause (the cause read from the reason's phrase)
#   persons/persons_mapped/episodes/episodes_mapped/idform ...
#                                  facts for later stages, not checked here
# Lines starting with # and blank lines are ignored; any other kind of line or
# key fails the test, as does a missing truth file or an empty input/: nothing
# is skipped silently.  Every file in the database must be in the truth.
. "$(dirname "$0")/lib.sh"
new_fixture
truth=$PL_ROOT/tests/data/sample-truth.txt
if [ ! -s "$truth" ]; then
	expect_eq "truth file $truth exists and is not empty" "present" "missing"
	finish
fi
cp -R "$PL_ROOT/input/." "$WORK/input/"
cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"
expect_true "sample input/ holds files" test -n "$(ls -A "$WORK/input")"

ingest_causes=" field_count encoding control_char malformed_quote unterminated_quote "
later_keys=" rows_rejected_map "
later_kinds=" persons persons_mapped episodes episodes_mapped idform ind "
known_cols=" $({ cat "$PL_ROOT/pipeline/schema.sql"
	echo "SELECT group_concat(name, ' ') FROM pragma_table_info('input_file');"
} | sqlite3 -batch -noheader :memory:) "
want_exit=0
: >"$WORK/truth.files"
: >"$WORK/truth.checks"
: >"$WORK/truth.rejects"
n=0
while read -r kind a b c extra; do
	n=$((n + 1))
	case $kind in ''|'#'*) continue ;; esac
	case $later_kinds in *" $kind "*) continue ;; esac
	case $kind in file|reject) ;; *)
		expect_eq "truth line $n: kind of line" "file, reject or one of:$later_kinds" "$kind"
		continue ;;
	esac
	if [ -n "${extra:-}" ] || [ -z "${c:-}" ]; then
		expect_eq "truth line $n has 4 words" "4 words" "$kind $a $b $c ${extra:-}"
		continue
	fi
	case $kind in
	file)
		case $later_keys in *" $b "*) continue ;; esac
		case "$known_cols fields " in *" $b "*) ;; *)
			expect_eq "truth line $n: key '$b' is an input_file column or 'fields'" "yes" "no"
			continue ;;
		esac
		printf '%s\n' "$a" >>"$WORK/truth.files"
		printf '%s\t%s\t%s\n' "$a" "$b" "$c" >>"$WORK/truth.checks"
		[ "$b" = status ] && case $c in ok|duplicate) ;; *) want_exit=65 ;; esac
		;;
	reject)
		case $ingest_causes in *" $c "*)
			printf '%s %s %s\n' "$a" "$b" "$c" >>"$WORK/truth.rejects" ;;
		esac
		;;
	esac
done <"$truth"
expect_true "truth has file lines" test -s "$WORK/truth.checks"

expect_ingest "$want_exit" -q

# Every file in the database is described by the truth, and the other way round.
expect_eq "files in the database vs files in the truth" \
	"$(sort -u "$WORK/truth.files")" "$(q 'SELECT name FROM input_file;' | sort)"

while IFS=$'\t' read -r name key value; do
	if [ "$key" == fields ]; then
		expect_eq "file_column count (fields) of $name" "$value" \
			"$(q "SELECT count(*) FROM file_column WHERE file_id = $(fid "$name");")"
	else
		expect_eq "input_file.$key of $name" "$value" \
			"$(q "SELECT coalesce($key, 'NULL') FROM input_file WHERE name = $(sql_str "$name");")"
	fi
done <"$WORK/truth.checks"

q "SELECT f.name || ' ' || j.line || ' ' || j.code
     FROM reject j JOIN input_file f USING (file_id)
    WHERE j.stage = 'ingest';" | LC_ALL=C sort >"$WORK/db.rejects"
# the reason in words must say what the code says
expect_eq "ingest rejects whose reason disagrees with their code" "" \
	"$(q "SELECT line || ' ' || code || ' ' || reason FROM reject
	       WHERE stage = 'ingest' AND NOT (
	             (code = 'field_count' AND reason LIKE 'expected % fields, found %')
	          OR (code = 'encoding' AND reason LIKE 'invalid byte %')
	          OR (code = 'control_char' AND reason LIKE 'control character %')
	          OR (code = 'malformed_quote' AND reason LIKE 'malformed quote%')
	          OR (code = 'unterminated_quote' AND reason LIKE 'unterminated quote%')
	          OR (code = 'field_too_long' AND reason LIKE 'field longer than %'));")"
LC_ALL=C sort -o "$WORK/truth.rejects" "$WORK/truth.rejects"
expect_eq "truth's ingest rejects missing from the database (file line cause)" "" \
	"$(LC_ALL=C comm -23 "$WORK/truth.rejects" "$WORK/db.rejects")"
expect_eq "database's ingest rejects not in the truth (file line cause)" "" \
	"$(LC_ALL=C comm -13 "$WORK/truth.rejects" "$WORK/db.rejects")"
expect_reconciled
finish

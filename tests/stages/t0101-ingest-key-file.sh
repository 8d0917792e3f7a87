#!/usr/bin/env bash
# t0101-ingest-key-file.sh - guards the secret key file: created with mode 0600
# when missing (whatever the umask) and the database holds nothing sealed,
# reused unchanged, refused (exit 78) when group or other can read it or when
# it is missing but the database holds sealed values (a lost key);
# $PL_KEY_FILE and secret/pipeline.key defaults.
. "$(dirname "$0")/lib.sh"
new_fixture
basic_fixture
umask 022

expect_ingest 0 -q
expect_eq "missing key file created with mode" "600" "$(stat -c %a "$KEY" 2>&1)"
expect_true "created key file is not empty" test -s "$KEY"
sum=$(sha256sum <"$KEY")
expect_ingest 0 -q
expect_eq "existing key file reused unchanged" "$sum" "$(sha256sum <"$KEY")"

for mode in 644 640 604 660; do
	chmod "$mode" "$KEY"
	expect_ingest 78
	expect_like "key mode $mode: key file named on stderr" '%pipeline.key%' "$(cat "$ERR")"
done
chmod 600 "$KEY"
expect_ingest 0 -q
chmod 400 "$KEY"
expect_ingest 0 -q

# A missing key file with a database that holds sealed values is a lost key:
# refused (78, the key file and the database named), no new key made.
mv "$KEY" "$WORK/key/backup.key"
expect_ingest 78
expect_grep "lost key: names the key file and says what to do" \
	'pipeline\.key: the key file is missing, but the database .* holds values sealed with a key: restore' \
	"$(cat "$ERR")"
expect_true "no new key file made" test ! -e "$KEY"
mv "$WORK/key/backup.key" "$KEY"
expect_ingest 0 -q

# $PL_KEY_FILE when -k is not given (a new database: a new key is made).
expect_exit 0 env PL_KEY_FILE="$WORK/key/env.key" \
	"$PL_BIN/ingest" -q -i "$WORK/input" -m "$WORK/mappings" -d "$WORK/env.db"
expect_eq "\$PL_KEY_FILE key created with mode" "600" "$(stat -c %a "$WORK/key/env.key" 2>&1)"

# All defaults, run from a directory holding input/ mappings/ secret/ output/.
mkdir -p "$WORK/d/input" "$WORK/d/mappings" "$WORK/d/secret" "$WORK/d/output"
cp "$PL_DATA/basic.csv" "$WORK/d/input/"
cp "$PL_DATA/basic.ini" "$WORK/d/mappings/"
expect_exit 0 bash -c 'cd "$1" && exec "$2" -q' sh "$WORK/d" "$PL_BIN/ingest"
expect_eq "default key secret/pipeline.key mode" "600" "$(stat -c %a "$WORK/d/secret/pipeline.key" 2>&1)"
expect_eq "default database output/pipeline.db rows" "3" \
	"$(sqlite3 -batch -noheader "$WORK/d/output/pipeline.db" 'SELECT count(*) FROM raw_row;' 2>&1)"
finish

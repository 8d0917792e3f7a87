#!/usr/bin/env bash
# t0103-ingest-db-locked.sh - guards exit 75 when another process holds the
# database locked (e.g. a second nightly run), leaving the database unchanged.
. "$(dirname "$0")/lib.sh"
new_fixture
basic_fixture
expect_ingest 0 -q

# Hold an exclusive lock through a fifo until this test closes it.
mkfifo "$WORK/lock.fifo"
sqlite3 -batch "$DB" <"$WORK/lock.fifo" >/dev/null 2>&1 &
bg_pids="$bg_pids $!"
holder=$!
exec 3>"$WORK/lock.fifo"
echo 'BEGIN EXCLUSIVE;' >&3
for _ in $(seq 100); do
	sqlite3 -batch "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1 || break
	sleep 0.1
done
expect_true "the fifo holder has the database locked" \
	bash -c '! sqlite3 -batch "$1" "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null' sh "$DB"

cp "$PL_DATA/basic.csv" "$WORK/input/basic_more.csv"
printf '00000000-0004;Nyfiktiv;Nyssonsson;999 94;M;LVM;\n' >>"$WORK/input/basic_more.csv"
expect_ingest 75

exec 3>&-
wait "$holder"
expect_eq "locked database unchanged" "basic.csv" \
	"$(names)"
finish

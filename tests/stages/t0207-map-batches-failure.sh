#!/usr/bin/env bash
# t0207-map-batches-failure.sh - guards map's two threads (one reads and
# stores, one unseals and maps batches of 256 rows) on files of many batches
# of one source: a.csv 1500 rows with reserve numbers RES-00002.., b.csv 1200
# rows with RES-00039.. (so a number sits 37 lines further down in a.csv,
# and in another place of its batch); a number that is a multiple of ten
# has a bad date (a reject), its parity chooses the intervention:
# - every row is an episode or a reject, in the file's order, with the
#   pseudonym of its own identity number: b.csv's line N has a.csv's line
#   N + 37 person_ref and intervention; mapped_file, map_value and the
#   summary reconcile;
# - sealed values deep in b.csv that cannot be opened (the chunk of 256 rows
#   from line 770, in a batch after several stored ones): exit 78,
#   "b.csv:770: sealed values cannot be opened", b.csv left unmapped (none of its episodes, rejects or
#   values kept), a.csv mapped and committed before it, the summary "1 files
#   mapped"; no hang while batches are in flight;
# - a key file other than ingest's: exit 78 at a.csv line 2, nothing mapped.
. "$(dirname "$0")/lib.sh"
new_fixture
mapping s <<'INI'
[source]
name = s
district = LUNDBY
files = *.csv
[columns]
identity_number = Personnummer
intervention = Insats
start_date = Start
[identity]
reserve = ^RES-[0-9]{5}$
reference_date = 2026-01-15
[dates]
formats = YYYY-MM-DD
[recode intervention]
Öppenvård = OPEN
HVB = INST
INI
make_file() { # make_file NAME N_ROWS OFFSET: line i holds number i + OFFSET
	local i k
	{
		printf 'Personnummer,Insats,Start\n'
		for ((i = 2; i <= $2 + 1; i++)); do
			k=$((i + $3))
			if ((k % 10 == 0)); then
				printf 'RES-%05d,HVB,2024-13-01\n' "$k"
			elif ((k % 2)); then
				printf 'RES-%05d,Öppenvård,2024-01-%02d\n' "$k" $((k % 28 + 1))
			else
				printf 'RES-%05d,HVB,2024-01-%02d\n' "$k" $((k % 28 + 1))
			fi
		done
	} >"$WORK/input/$1.csv"
}
make_file a 1500 0
make_file b 1200 37
expect_ingest 0 -q
cp "$DB" "$WORK/ingested.db"

# A whole run: every row in its place.
expect_map 0 -q
expect_map_reconciled
expect_eq "a.csv, b.csv: episodes, rejects" "1350 150 1080 120" \
	"$(q "SELECT (SELECT count(*) FROM episode WHERE file_id = $(fid a.csv)),
	             (SELECT count(*) FROM reject WHERE stage = 'map' AND file_id = $(fid a.csv)),
	             (SELECT count(*) FROM episode WHERE file_id = $(fid b.csv)),
	             (SELECT count(*) FROM reject WHERE stage = 'map' AND file_id = $(fid b.csv));" |
	   tr '|' ' ')"
expect_eq "b.csv lines of episodes and rejects: 2..1201, each once" "1200|2|1201" \
	"$(q "SELECT count(DISTINCT line), min(line), max(line) FROM (
	        SELECT line FROM episode WHERE file_id = $(fid b.csv) UNION ALL
	        SELECT line FROM reject WHERE stage = 'map' AND file_id = $(fid b.csv));")"
expect_eq "b.csv rejects: first, last, on the lines of multiples of ten" \
	"3 Start bad_date 2024-13-01|1193 Start bad_date 2024-13-01|120" \
	"$(q "SELECT (SELECT line || ' ' || field || ' ' || code || ' ' || value FROM reject
	              WHERE stage = 'map' AND file_id = $(fid b.csv) ORDER BY line LIMIT 1),
	             (SELECT line || ' ' || field || ' ' || code || ' ' || value FROM reject
	              WHERE stage = 'map' AND file_id = $(fid b.csv) ORDER BY line DESC LIMIT 1),
	             (SELECT count(*) FROM reject WHERE stage = 'map' AND file_id = $(fid b.csv)
	              AND (line + 37) % 10 = 0);")"
expect_eq "a.csv: intervention and start date follow the line" "0" \
	"$(q "SELECT count(*) FROM episode WHERE file_id = $(fid a.csv)
	         AND (intervention != CASE line % 2 WHEN 1 THEN 'OPEN' ELSE 'INST' END
	              OR start_date != printf('2024-01-%02d', line % 28 + 1));")"
expect_eq "b.csv line N: a.csv line N + 37's person_ref, intervention, start date" "1080|1080|1080" \
	"$(q "SELECT count(*), count(DISTINCT b.person_ref),
	             sum(a.person_ref = b.person_ref AND a.intervention = b.intervention
	                 AND a.start_date = b.start_date)
	        FROM episode b JOIN episode a ON a.file_id = $(fid a.csv) AND a.line = b.line + 37
	       WHERE b.file_id = $(fid b.csv);")"
expect_eq "map_value of a.csv" "intervention|HVB|INST|750|2 intervention|Öppenvård|OPEN|750|3" \
	"$(q "SELECT field, value, code, n, first_line FROM map_value
	       WHERE file_id = $(fid a.csv) ORDER BY value;" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "summary" "0|2 files mapped, 0 unchanged; 2700 rows read, 2430 episodes, 270 rejected" \
	"$(q "SELECT exit_code, summary FROM stage_run WHERE stage = 'map';")"

# Sealed values deep in b.csv that cannot be opened: the chunk holding line
# 1000 is the fourth of 256 rows, from line 2 + 3 * 256.
cp "$WORK/ingested.db" "$DB"
chunk="SELECT max(first_line) FROM raw_sealed WHERE file_id = $(fid b.csv) AND first_line <= 1000"
expect_eq "the chunk of line 1000" "770" "$(q "$chunk;")"
q "UPDATE raw_sealed SET blob = zeroblob(64) WHERE file_id = $(fid b.csv) AND first_line = ($chunk);"
expect_map 78 -q
expect_grep "message names b.csv line 770" \
	' map E b\.csv:770: sealed values cannot be opened: the key file is not the one used at ingest$' \
	"$(cat "$ERR")"
expect_eq "b.csv: nothing kept" "0|0|0|0" \
	"$(q "SELECT (SELECT count(*) FROM episode WHERE file_id = $(fid b.csv)),
	             (SELECT count(*) FROM reject WHERE stage = 'map' AND file_id = $(fid b.csv)),
	             (SELECT count(*) FROM map_value WHERE file_id = $(fid b.csv)),
	             (SELECT count(*) FROM mapped_file WHERE file_id = $(fid b.csv));")"
expect_eq "a.csv: mapped and kept" "1500|1350|150|1350" \
	"$(q "SELECT rows_read, rows_kept, rows_rejected,
	             (SELECT count(*) FROM episode WHERE file_id = $(fid a.csv))
	        FROM mapped_file WHERE file_id = $(fid a.csv);")"
expect_eq "summary after the failure" \
	"78|1 files mapped, 0 unchanged; 1500 rows read, 1350 episodes, 150 rejected" \
	"$(q "SELECT exit_code, summary FROM stage_run WHERE stage = 'map';")"

# Another key than ingest's.
cp "$WORK/ingested.db" "$DB"
printf '%064d\n' 7 >"$WORK/other.key"
chmod 600 "$WORK/other.key"
ingest_key=$KEY
KEY=$WORK/other.key
expect_map 78 -q
KEY=$ingest_key
expect_grep "wrong key: a.csv line 2" \
	' map E a\.csv:2: sealed values cannot be opened' "$(cat "$ERR")"
expect_eq "wrong key: nothing mapped" "0|0|0" \
	"$(q "SELECT (SELECT count(*) FROM episode), (SELECT count(*) FROM mapped_file),
	             (SELECT count(*) FROM reject WHERE stage = 'map');")"
finish

#!/usr/bin/env bash
# t0411-dedup-kept-load.sh - guards what dedup's load keeps for the next
# run (dedup/keep.c; schema.sql, linkage_kept), on the linkage_people
# fixture (50 episodes):
# - a first run loads every episode and leaves <db>.dedup-records (a
#   header and 50 records) and <db>.dedup-state, both mode 0600, and the
#   row of linkage_kept (its generation, 50 records, the largest file_id,
#   a sha256 over the files);
# - the next runs begin with that load and read from the database only the
#   episodes of new files, and their tables equal those of dedup --rescore
#   (which loads every episode) on a copy: nothing new, a new file, a
#   records file with a tail a failed run appended;
# - every episode is loaded again, with the reason at DEBUG, and the tables
#   still equal --rescore's, when: the state file is gone, is an older one,
#   or is damaged in its sealed part; the records file is cut short or
#   locked by another process; an episode's value the load reads was
#   updated, or an episode deleted, by hand (the triggers; the run after
#   resumes again), but not another value; a file loaded before was mapped
#   again with another count of episodes kept (not: only its mapping
#   file's digest and time); linkage.ini changed;
# - twelve nights: the persons file gains a run each; at the eighth run
#   the runs since the first are merged into one appended (they weigh less
#   than the first), six nights later all into a whole new file (they and
#   the space left behind weigh more), the tables and the sort by person
#   each night those of --rescore;
# - neither file holds a name or postcode in clear.
. "$(dirname "$0")/lib.sh"
linkage_people_mapped

RECS=$DB.dedup-records
STATE=$DB.dedup-state
loaded() { grep -a -o 'dedup D load: .*' "$ERR" | head -n 1; }
kept_row() { q "SELECT records, max_file_id, length(files) FROM linkage_kept;" | tr '|' ' '; }

# First run: every episode loaded, both files and the row written.
expect_dedup 0 -v
expect_eq "first run: every episode (none kept)" "dedup D load: every episode (none kept)" \
	"$(loaded)"
expect_eq "first run: the files, mode 0600" "600 600" \
	"$(stat -c %a "$RECS") $(stat -c %a "$STATE")"
stride=$(( ($(stat -c %s "$RECS") - 64) / 50 ))
expect_eq "first run: the records file holds a header and 50 records" \
	"$((64 + 50 * stride))" "$(stat -c %s "$RECS")"
expect_eq "first run: linkage_kept: 50 records, files up to the last, a sha256" \
	"50 $(q 'SELECT max(file_id) FROM input_file;') 64" "$(kept_row)"
expect_eq "first run: no temporary file left" "" \
	"$(cd "$WORK/output" && ls | grep -E '\.dedup-(records|state)\.' || true)"
for name in Exempelsdotter Provqvist Dubbelsson Testlund '999 10'; do
	expect_eq "no '$name' in clear in the kept files" "0" \
		"$(cat "$RECS" "$STATE" | grep -a -c -F -e "$name" || true)"
done
gen1=$(q 'SELECT generation FROM linkage_kept;')
cp "$STATE" "$WORK/state.first"

# Nothing new: resumed, the same tables as --rescore; the temporary files
# a killed run left are removed.
touch "$RECS.AbC123" "$STATE.AbC123"
dedup_vs_rescore "nothing new" -v
expect_eq "nothing new: the temporary files of a killed run removed" "" \
	"$(cd "$WORK/output" && ls | grep -E '\.dedup-(records|state)\.' || true)"
expect_eq "nothing new: resumed" "dedup D load: 50 episodes as kept, of files up to 3" \
	"$(loaded)"
expect_true "nothing new: a new generation" test "$gen1" != "$(q 'SELECT generation FROM linkage_kept;')"

# A new file: resumed, only its 4 episodes read.
dedup_mapping d ANGERED | mapping d
{
	printf '%s\n' "$DEDUP_HEADER"
	filler 0 2024-05-02
	printf ',Olof,Annanson,M,999 20,1966-05-05,HVB,2024-05-03\n'
	printf '%s,Wilma,Vidarsson,,999 90,,HVB,2024-05-04\n' "$(pnr 920229 - 240)"
	printf ',Gunnar,Provqvist,M,999 20,1966-09-30,HVB,2024-05-05\n'
} >"$WORK/input/d.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
dedup_vs_rescore "new file" -v
expect_eq "new file: resumed" "dedup D load: 50 episodes as kept, of files up to 3" "$(loaded)"
expect_like "new file: a night of 4 new episodes" '%, pairs scored for 4 new episodes, 5 kept; %' \
	"$(dedup_summary)"
expect_eq "new file: linkage_kept: 54 records, files up to d.csv" "54 $(q "SELECT $(fid d.csv);") 64" \
	"$(kept_row)"
expect_grep "new file: the blocks' counts kept, the new ones counted" \
	"dedup D blocking: the counts of 45 blocks kept, 3 blocks new" "$(cat "$ERR")"
expect_grep "new file: the episodes of the persons it reaches gathered from the persons file" \
	"dedup D a night: 3 episodes with a valid number of the persons it reaches, from 1 runs of the persons file" \
	"$(cat "$ERR")"
expect_eq "new file: the persons file holds two runs" "2" "$(state_i64 "$DB" 200)"
expect_dedup_reconciled

# A tail that a failed run appended: cut off, resumed.
head -c 300 /dev/urandom >>"$RECS"
dedup_vs_rescore "a tail in the records file" -v
expect_eq "a tail: resumed" "dedup D load: 54 episodes as kept, of files up to 4" "$(loaded)"
expect_eq "a tail: cut off" "$((64 + 54 * stride))" "$(stat -c %s "$RECS")"

# Twelve nights of a new person with a number each, and an episode more
# of filler persons 0 and 1 (so that the persons a night reaches have
# episodes in several runs, in both orders): the persons file gains a run
# each (3 to 7); at the eighth (n6) the runs since the first are merged
# into one appended to the file (they weigh less than the first: 20 pairs
# to its 45), the space of those merged left between; six nights later
# (n12) the runs since the first and that space weigh more than the first,
# and all are merged into a whole new file of one run.
day() { date -d "$1 +$(($2 - 1)) days" +%F; }
before=$(state_i64 "$DB" 200)
for i in $(seq 1 12); do
	dedup_mapping "n$i" ANGERED | mapping "n$i"
	{
		printf '%s\n' "$DEDUP_HEADER"
		printf '%s,Nils,Nattsson,,999 9%s,,HVB,%s\n' "$(pnr "9503$((10 + i))" - 120)" \
			"$((i % 10))" "$(day 2024-06-01 "$i")"
		filler 0 "$(day 2024-07-01 "$i")"
		filler 1 "$(day 2024-07-11 "$i")"
	} >"$WORK/input/n$i.csv"
	expect_ingest 0 -q
	expect_map 0 -q --today 2026-01-15
	dedup_vs_rescore "night n$i" -v
	expect_like "night n$i: resumed" 'dedup D load: % episodes as kept, %' "$(loaded)"
	expect_grep "night n$i: gathered from the $before runs before it" \
		"dedup D a night: [0-9]+ episodes with a valid number of the persons it reaches, from $before runs of the persons file" \
		"$(cat "$ERR")"
	runs=$(state_i64 "$DB" 200)
	before=$runs
	case $i in
	6) want=2 ;;
	12) want=1 ;;
	*) want=$(( i < 6 ? i + 2 : i - 4 )) ;;
	esac
	expect_eq "night n$i: the persons file's runs" "$want" "$runs"
	if [ "$i" == 6 ]; then
		expect_grep "night n6: the runs since the first merged" \
			"dedup D the persons file's runs since the first merged into one: " "$(cat "$ERR")"
		valid=$(q "SELECT count(*) FROM episode WHERE id_type = 'PNR'")
		first=$(state_i64 "$DB" 368)
		expect_eq "night n6: the first run as it was (45 pairs), the merged one after the space of the runs it merged" \
			"45 $((64 + 24 * 45 + 24 * (valid - 45))) $((valid - 45))" \
			"$first $(state_i64 "$DB" 312) $(state_i64 "$DB" 376)"
		expect_eq "night n6: the persons file: header, first run, the space, the merged run" \
			"$((64 + 24 * 45 + 2 * 24 * (valid - 45)))" "$(stat -c %s "$DB.dedup-persons")"
	fi
done
expect_grep "night n12: the runs merged into a whole new file" \
	"dedup D the persons file's runs merged into one: " "$(cat "$ERR")"
expect_eq "night n12: the persons file holds a header and every valid episode's pair" \
	"$((64 + 24 * $(q "SELECT count(*) FROM episode WHERE id_type = 'PNR'")))" \
	"$(stat -c %s "$DB.dedup-persons")"

# expect_full WHAT WHY: dedup loads every episode, saying WHY, with the
# tables of --rescore; the run after resumes again.
expect_full() {
	dedup_vs_rescore "$1" -v
	expect_eq "$1: every episode" "dedup D load: every episode ($2)" "$(loaded)"
	expect_dedup 0 -v
	expect_like "$1: the run after resumes" 'dedup D load: % episodes as kept, %' "$(loaded)"
}

rm -f "$STATE"
expect_full "the state file gone" "the state file is missing"
cp "$WORK/state.first" "$STATE"
expect_full "an older state file" "the state file is not the one the database records"
# header_i64 OFFSET: the 64-bit number at OFFSET of the state file's header
# (136: where the sealed part begins; 152: where the counts do).
header_i64() { od -An -t d8 -j "$1" -N 8 "$STATE" | tr -d ' '; }
printf 'X' | dd of="$STATE" bs=1 seek="$(($(header_i64 136) + 100))" conv=notrunc status=none
expect_full "a byte of the sealed part changed" \
	"the state file does not open with this key, or is damaged"
printf '\377' | dd of="$STATE" bs=1 seek="$(($(header_i64 152) + 8))" conv=notrunc status=none
expect_full "a count of a block changed" "the state file's counts of the blocks are damaged"
expect_grep "a count of a block changed: every block counted" \
	"dedup D blocking: no counts kept that fit the blocks; the old episodes are counted in every block" \
	"$(cat "$WORK/night.err")"
printf '\377' | dd of="$STATE" bs=1 seek="$(($(header_i64 248) + 16))" conv=notrunc status=none
expect_full "a sum changed" "the state file's sums are damaged"
rm "$DB.dedup-persons"
expect_full "the persons file gone" "the persons file is missing"
truncate -s 100 "$DB.dedup-persons"
expect_full "the persons file cut short" "the persons file is not the one the state file names"
truncate -s 100 "$RECS"
expect_full "the records file cut short" "the records file is not the one the state file names"
flock "$RECS" sleep 30 &
locker=$!
sleep 0.3
expect_full "the records file locked" "the records file is in use"
kill "$locker" 2>/dev/null
wait "$locker" 2>/dev/null
# An update that changes no value the load reads (the same sex; another
# intervention, as a mapping edit makes in place) is no reason.
q "UPDATE episode SET sex = sex, intervention = 'OTHER' WHERE file_id = $(fid a.csv) AND line = 2;"
expect_eq "an episode's intervention updated: not noted" "0" \
	"$(q 'SELECT count(*) FROM episode_outside_write;')"
dedup_vs_rescore "an episode's intervention updated" -v
expect_like "an episode's intervention updated: resumed" 'dedup D load: % episodes as kept, %' \
	"$(loaded)"
q "UPDATE episode SET sex = CASE sex WHEN 'F' THEN 'M' ELSE 'F' END
    WHERE file_id = $(fid a.csv) AND line = 2;"
expect_full "an episode's sex updated by hand" "an episode was updated or deleted since"
expect_eq "an episode's sex updated by hand: the note gone" "0" \
	"$(q 'SELECT count(*) FROM episode_outside_write;')"
# A file mapped again in place with the same episodes kept (a new mapping
# file's digest, another time) is no reason; with another count of them
# (an insert, which no trigger sees) it is.
q "UPDATE mapped_file SET mapped_at = '2026-01-16T00:00:00Z', mapping_sha256 = 'x'
    WHERE file_id = $(fid b.csv);"
dedup_vs_rescore "a file mapped again, the same episodes kept" -v
expect_like "a file mapped again, the same episodes kept: resumed" \
	'dedup D load: % episodes as kept, %' "$(loaded)"
q "UPDATE mapped_file SET rows_kept = rows_kept + 1, rows_rejected = rows_rejected - 1
    WHERE file_id = $(fid b.csv);"
expect_full "a file mapped again with another count of episodes kept" \
	"a file loaded before was ingested, removed, or mapped with other episodes kept since"
q "UPDATE mapped_file SET rows_kept = rows_kept - 1, rows_rejected = rows_rejected + 1
    WHERE file_id = $(fid b.csv);"
# c.csv's episodes gone (a full load without them is kept), then mapped
# again: inserts into a file the kept load covers, which no trigger sees
# and the files' sha256 does.
q "DELETE FROM episode WHERE file_id = $(fid c.csv); DELETE FROM mapped_file WHERE file_id = $(fid c.csv);"
expect_full "c.csv's episodes deleted" "an episode was updated or deleted since"
expect_map 0 -q --today 2026-01-15
expect_eq "c.csv mapped again" "21" "$(q "SELECT count(*) FROM episode WHERE file_id = $(fid c.csv);")"
expect_full "c.csv mapped again: its episodes loaded" \
	"a file loaded before was ingested, removed, or mapped with other episodes kept since"

# The parameters estimated again: the label sample is needed, which a
# night's state does not keep; a second estimate resumes with the one the
# first kept, and equals an estimate that loads every episode.
expect_dedup 0 -v
expect_like "before --estimate: resumed" 'dedup D load: % episodes as kept, %' "$(loaded)"
expect_dedup 0 -v --estimate
expect_eq "--estimate after a night: every episode" \
	"dedup D load: every episode (the parameters are estimated, and the kept load has no label sample)" \
	"$(loaded)"
estimate_tables() {
	dedup_tables
	q "SELECT * FROM linkage_weight ORDER BY 1, 2; SELECT * FROM linkage_name ORDER BY 1;
	   SELECT * FROM linkage_pair ORDER BY 1, 2, 3, 4; SELECT prior, named, label_pairs,
	   m_by_em, match_share, episodes, fingerprint, pairs FROM linkage_state;"
}
# estimate_vs_full WHAT: dedup --estimate, and --estimate --rescore (every
# episode loaded) on a copy taken before; the same tables.
estimate_vs_full() {
	rm -f "$WORK/estimate.db"
	q ".backup '$WORK/estimate.db'"
	DB=$WORK/estimate.db expect_dedup 0 -v --estimate --rescore
	expect_dedup 0 -v --estimate
	expect_like "$1: estimated" '%; parameters estimated now; %' "$(dedup_summary)"
	expect_eq "$1: the tables of an estimate loading every episode" \
		"$(DB=$WORK/estimate.db estimate_tables)" "$(estimate_tables)"
}
# A count of a block changed (checked after the pools are restored): the
# pools restored from it are forgotten, and the names counted from 0.
printf '\377' | dd of="$STATE" bs=1 seek="$(($(header_i64 152) + 8))" conv=notrunc status=none
estimate_vs_full "--estimate, the state file damaged after its pools"
expect_eq "--estimate, the state file damaged after its pools: every episode" \
	"dedup D load: every episode (the state file's counts of the blocks are damaged)" \
	"$(loaded)"
estimate_vs_full "--estimate again"
expect_like "--estimate again: resumed, with the kept label sample" \
	'dedup D load: % episodes as kept, %' "$(loaded)"

# linkage.ini changed: every episode.
linkage_set max_block 40
expect_dedup 0 -v
expect_eq "linkage.ini changed: every episode" \
	"dedup D load: every episode (the linkage settings changed)" "$(loaded)"

# A new block, of keys no old episode without a number has, turns out too
# large once the scoring pass has counted its old episodes (filler person
# 0's, again without the number, with max_block 2): skipped, the new pairs
# scored again, the tables and counts those of --rescore.
linkage_set max_block 2
expect_dedup 0 -v
expect_dedup 0 -v
expect_like "max_block 2: a night" '%, pairs scored for 0 new episodes, %' "$(dedup_summary)"
dedup_mapping t ANGERED | mapping t
{
	printf '%s\n' "$DEDUP_HEADER"
	printf ',%s,%s,,998 00,1930-01-01,Öppenvård,2024-09-01\n' "${fnames[0]}" "${lnames[0]}"
} >"$WORK/input/t.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
dedup_vs_rescore "a new block too large" -v
expect_like "a new block too large: a night" '%, pairs scored for 1 new episodes, %' \
	"$(dedup_summary)"
expect_grep "a new block too large: skipped, scored again" \
	"dedup D blocking: 9 new blocks are too large with their old episodes counted, and skipped: the new pairs scored again" \
	"$(cat "$ERR")"
# Three new episodes of a new person without a number: their blocks are
# too large by themselves, skipped, and it is still a night.
dedup_mapping u ANGERED | mapping u
{
	printf '%s\n' "$DEDUP_HEADER"
	for day in 01 02 03; do
		printf ',Ulrika,Ungersdotter,K,999 77,1977-07-07,HVB,2024-10-%s\n' "$day"
	done
} >"$WORK/input/u.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
dedup_vs_rescore "a new block too large by itself" -v
expect_like "a new block too large by itself: a night" '%, pairs scored for 3 new episodes, %' \
	"$(dedup_summary)"

q "DROP TRIGGER episode_outside_delete;"
dedup_vs_rescore "a trigger dropped" -v
expect_eq "a trigger dropped: every episode" \
	"dedup D load: every episode (the triggers on episode are missing)" "$(loaded)"

finish

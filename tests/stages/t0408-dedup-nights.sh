#!/usr/bin/env bash
# t0408-dedup-nights.sh - guards what dedup keeps between runs and the
# nights it makes possible (docs/linkage.md, "Nights"; dedup/state.h), on
# the linkage_people fixture (26 persons, 50 episodes, 5 candidate pairs,
# all at or above the threshold; t0401 says who links):
# - a first run estimates the parameters and stores them: linkage_state
#   (the settings' sha256, 50 episodes, 100 names counted), linkage_weight,
#   linkage_name (keyed hashes), linkage_count and the 5 pairs;
# - a second run with nothing new is a night: 0 new episodes scored, the 5
#   pairs kept, no row written, every table as before;
# - a new file (filler 0 again, Olof Annanson and Gunnar Provqvist without
#   a number again, a new person): a night scoring the pairs of 4 new
#   episodes, among them pairs with an old open and an old numbered episode;
#   Olof's two episodes are one LINKED person, Gunnar joins T2; the weights
#   stay as stored;
# - a corrected b.csv (an old episode changed): every pair scored;
# - max_block = 2 and then a third Ingrid without a number, then T2 again
#   with one: each new episode makes blocks the last run kept too large, so
#   every pair is scored; a new episode in blocks the last run already
#   skipped is still a night;
# - a pair deleted from linkage_pair: every pair scored, the pairs whole;
# - after each run, its tables equal those of dedup --rescore (every pair
#   scored with the same stored parameters) on a copy taken before it, and
#   that run says it scored every pair;
# - the parameters are estimated again when older than refresh_days, when
#   refresh_days is 0, and with --estimate; never otherwise.
. "$(dirname "$0")/lib.sh"
linkage_people_mapped

written() { grep -a -o 'written: .*' "$ERR"; }

# First run: estimated and stored.
expect_dedup 0 -v
expect_like "first run: estimated" '%; parameters estimated now; written: %' "$(dedup_summary)"
expect_grep "first run: why (-v)" 'dedup D estimating the linkage parameters: none stored' \
	"$(cat "$ERR")"
expect_eq "first run: the state row" "$(sha256sum <"$LINKAGE" | cut -c1-64)|50|100|1" \
	"$(q "SELECT settings_sha, episodes, named, estimated_at LIKE '20__-__-__T__:__:__Z'
	        FROM linkage_state;")"
expect_eq "first run: the 5 pairs at or above the threshold, each in (file, line) order" \
	"5|5|5" "$(q "SELECT count(*), sum(weight >= 4.3),
	                     sum(a_file_id < b_file_id OR (a_file_id = b_file_id AND a_line < b_line))
	                FROM linkage_pair;")"
expect_eq "first run: the pairs are those of the links and the refused one" \
	"a.csv:2 b.csv:2
a.csv:3 b.csv:3
a.csv:4 b.csv:4
a.csv:5 b.csv:6
b.csv:6 c.csv:22" \
	"$(q "SELECT fa.name || ':' || a_line || ' ' || fb.name || ':' || b_line FROM linkage_pair
	       JOIN input_file fa ON fa.file_id = a_file_id JOIN input_file fb ON fb.file_id = b_file_id
	      ORDER BY 1;")"
expect_eq "first run: the counts add up to the candidate pairs (5)" "5 5 5" \
	"$(q "SELECT sum(n) FROM linkage_count WHERE kind = 'pattern';") $(q "SELECT sum(n) FROM
	     linkage_count WHERE kind = 'rule';") $(run_param candidate_pairs)"
expect_eq "first run: m and u of 6 comparisons, 5 levels each" "30" \
	"$(q 'SELECT count(*) FROM linkage_weight;')"
expect_true "first run: names by keyed hash (more than 20 distinct)" \
	test "$(q 'SELECT count(*) FROM linkage_name;')" -gt 20
expect_eq "first run: the name counts add up to the names counted" "100" \
	"$(q 'SELECT sum(n) FROM linkage_name;')"
first=$(dedup_tables)
weights=$(q 'SELECT * FROM linkage_weight ORDER BY 1, 2;')
estimated=$(q 'SELECT estimated_at FROM linkage_state;')

# Nothing new: a night with nothing to score.
dedup_vs_rescore "nothing new" -v
expect_like "nothing new: a night" \
	"%; parameters of $estimated, pairs scored for 0 new episodes, 5 kept; written: persons 0 new, 0 changed, 0 gone; episodes' persons 0 new, 0 changed, 0 gone" \
	"$(dedup_summary)"
expect_eq "nothing new: the tables as after the first run" "$first" "$(dedup_tables)"
expect_grep "nothing new: no person written (-v)" \
	'dedup D a night: 0 of 26 persons written \(those a new episode reaches\), with 0 episodes' \
	"$(cat "$ERR")"

# A new file: a night with 3 new episodes.
dedup_mapping d ANGERED | mapping d
{
	printf '%s\n' "$DEDUP_HEADER"
	filler 0 2024-05-02                                                   # 2
	printf ',Olof,Annanson,M,999 20,1966-05-05,HVB,2024-05-03\n'          # 3
	printf '%s,Wilma,Vidarsson,,999 90,,HVB,2024-05-04\n' "$(pnr 920229 - 240)" # 4
	printf ',Gunnar,Provqvist,M,999 20,1966-09-30,HVB,2024-05-05\n'      # 5
} >"$WORK/input/d.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
dedup_vs_rescore "new file" -v
expect_like "new file: a night" \
	"%; parameters of $estimated, pairs scored for 4 new episodes, 5 kept; written: persons 1 new, 3 changed, 0 gone; episodes' persons 4 new, 1 changed, 0 gone" \
	"$(dedup_summary)"
expect_eq "new file: Olof's two episodes one LINKED person; filler 0 in three districts" \
	"LINKED|2|2 LINKED|2|2 PNR|3|3" \
	"$(person_row b.csv 5) $(person_row d.csv 3) $(person_row d.csv 2)"
expect_eq "new file: three pairs more: Olof's, and Gunnar's with a:3 and b:3" \
	"a.csv:3 d.csv:5
b.csv:3 d.csv:5
b.csv:5 d.csv:3" \
	"$(q "SELECT fa.name || ':' || a_line || ' ' || fb.name || ':' || b_line FROM linkage_pair
	       JOIN input_file fa ON fa.file_id = a_file_id JOIN input_file fb ON fb.file_id = b_file_id
	      WHERE fb.name = 'd.csv' ORDER BY 1;")"
expect_eq "new file: Gunnar joins T2's person" "$(person_of a.csv 3)" "$(person_of d.csv 5)"
expect_grep "new file: only the persons the new episodes reach written (-v)" \
	'dedup D a night: 4 of 27 persons written \(those a new episode reaches\), with 9 episodes' \
	"$(cat "$ERR")"
expect_eq "new file: the weights as stored" "$weights" "$(q 'SELECT * FROM linkage_weight ORDER BY 1, 2;')"
expect_eq "new file: the run's prior is the stored one" \
	"$(q 'SELECT prior FROM linkage_state;')" "$(q "SELECT m FROM linkage_param WHERE level = 'prior';")"
expect_eq "new file: 54 episodes stored" "54" "$(q 'SELECT episodes FROM linkage_state;')"
expect_dedup_reconciled

# An old episode corrected: every pair scored.
sed -i 's/^,Olof,Annanson,M,999 20,/,Olof,Annanson,M,999 21,/' "$WORK/input/b.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
dedup_vs_rescore "b.csv corrected" -v
expect_like "b.csv corrected: every pair scored" \
	"%; parameters of $estimated, every pair scored; written: %" "$(dedup_summary)"
expect_grep "b.csv corrected: why (-v)" \
	'dedup D every candidate pair is scored: episodes read by the last run changed' "$(cat "$ERR")"
expect_eq "b.csv corrected: Olof still one person" "LINKED|2|2" "$(person_row d.csv 3)"

# A block the last run kept grows too large: every pair scored.
linkage_set max_block 2
expect_dedup 0 -v
expect_like "max_block 2: estimated (the settings changed)" '%; parameters estimated now; %' \
	"$(dedup_summary)"
expect_grep "max_block 2: why (-v)" \
	'dedup D estimating the linkage parameters: the linkage settings changed' "$(cat "$ERR")"
dedup_mapping e ANGERED | mapping e
{
	printf '%s\n' "$DEDUP_HEADER"
	printf ',Ingrid,Exempelsdotter,K,999 10,1971-04-12,HVB,2024-06-10\n'  # 2
} >"$WORK/input/e.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
dedup_vs_rescore "a block too large" -v
expect_like "a block too large: every pair scored" '%, every pair scored; written: %' "$(dedup_summary)"
expect_grep "a block too large: why (-v)" \
	'dedup D every candidate pair is scored: new episodes made a block too large' "$(cat "$ERR")"

# A block the last run kept grows too large by a new numbered episode (T2
# again: a:3 with a number and d:5 without share its blocks).
dedup_mapping f ANGERED | mapping f
{
	printf '%s\n' "$DEDUP_HEADER"
	printf '%s,Gunnar,Provqvist,,999 20,,HVB,2024-06-11\n' "$(pnr 660930 - 135)"  # 2
} >"$WORK/input/f.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
dedup_vs_rescore "a block too large (a numbered episode)" -v
expect_like "a block too large (a numbered episode): every pair scored" \
	'%, every pair scored; written: %' "$(dedup_summary)"
expect_grep "a block too large (a numbered episode): why (-v)" \
	'dedup D every candidate pair is scored: new episodes made a block too large' "$(cat "$ERR")"
expect_eq "f:2 is T2's person" "$(person_of a.csv 3)" "$(person_of f.csv 2)"

# A new episode only in blocks the last run already skipped (the name key
# folds the typo, so it shares Ingrid's blocks): still a night.
dedup_mapping g ANGERED | mapping g
{
	printf '%s\n' "$DEDUP_HEADER"
	printf ',Ingrid,Exempelsdoter,K,999 10,1971-04-12,HVB,2024-06-12\n'  # 2
} >"$WORK/input/g.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
dedup_vs_rescore "blocks already too large" -v
expect_like "blocks already too large: a night" '%, pairs scored for 1 new episodes, %' "$(dedup_summary)"
expect_eq "blocks already too large: g:2 alone, every block of it skipped, no pair" "SINGLE|1|1 0" \
	"$(person_row g.csv 2) $(q "SELECT count(*) FROM linkage_pair WHERE b_file_id = $(fid g.csv);")"

# linkage_pair not as the last run left it: every pair scored, and the
# pairs stored whole again.
pairs=$(q 'SELECT count(*) FROM linkage_pair;')
q "DELETE FROM linkage_pair WHERE (a_file_id, a_line, b_file_id, b_line) IN
   (SELECT a_file_id, a_line, b_file_id, b_line FROM linkage_pair ORDER BY 1, 2, 3, 4 LIMIT 1);"
expect_eq "a pair deleted behind dedup's back" "$((pairs - 1))" "$(q 'SELECT count(*) FROM linkage_pair;')"
dedup_vs_rescore "a pair deleted" -v
expect_like "a pair deleted: every pair scored" '%, every pair scored; written: %' "$(dedup_summary)"
expect_grep "a pair deleted: why (-v)" \
	'dedup D every candidate pair is scored: linkage_pair does not hold the pairs the last run stored' \
	"$(cat "$ERR")"
expect_eq "a pair deleted: the pairs whole again" "$pairs $pairs" \
	"$(q 'SELECT count(*) FROM linkage_pair;') $(q 'SELECT pairs FROM linkage_state;')"

# Estimated again: stored parameters too old, refresh_days 0, --estimate.
expect_dedup 0
expect_like "unchanged: a night" '%, pairs scored for 0 new episodes, %' "$(dedup_summary)"
# A person row written by another program (here unchanged): every person
# is written again, and the next run is a night again.
q "UPDATE person SET n_districts = n_districts WHERE person_key = (SELECT min(person_key) FROM person);"
expect_eq "a person row written by hand: noted" "1" "$(q 'SELECT count(*) FROM person_outside_write;')"
dedup_vs_rescore "a person row written by hand" -v
expect_grep "a person row written by hand: every person written (-v)" \
	'dedup D every person is written: another program wrote to person or episode_person' \
	"$(cat "$ERR")"
expect_like "a person row written by hand: still a night for the pairs" \
	'%, pairs scored for 0 new episodes, %' "$(dedup_summary)"
expect_eq "a person row written by hand: the note gone, the triggers back" "0 6" \
	"$(q "SELECT (SELECT count(*) FROM person_outside_write), (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_outside_%' AND tbl_name <> 'episode');" | tr '|' ' ')"
expect_dedup 0 -v
expect_grep "a person row written by hand: then a night again" \
	'dedup D a night: 0 of [0-9]* persons written' "$(cat "$ERR")"
q "UPDATE linkage_state SET estimated_at = '2000-01-01T00:00:00Z';"
expect_dedup 0 -v
expect_like "older than refresh_days: estimated" '%; parameters estimated now; %' "$(dedup_summary)"
expect_grep "older than refresh_days: why (-v)" \
	'dedup D estimating the linkage parameters: older than refresh_days' "$(cat "$ERR")"
expect_eq "older than refresh_days: the date renewed" "1" \
	"$(q "SELECT estimated_at > '2026' FROM linkage_state;")"
expect_dedup 0 --estimate
expect_like "--estimate: estimated" '%; parameters estimated now; %' "$(dedup_summary)"
expect_dedup 0
expect_like "after --estimate: a night" '%, pairs scored for 0 new episodes, %' "$(dedup_summary)"
linkage_set refresh_days 0
expect_dedup 0
expect_like "refresh_days 0: estimated" '%; parameters estimated now; %' "$(dedup_summary)"
expect_dedup 0
expect_like "refresh_days 0: estimated again" '%; parameters estimated now; %' "$(dedup_summary)"
expect_eq "written nothing all along since the last file" "0 0" \
	"$(run_param person_rows_written) $(run_param episode_person_rows_written)"

# A night in which a new numbered episode takes an old open one from the
# person it was linked to: b:3 (Gunnar Provkvist, linked to T2 by a typo)
# agrees exactly with h:2, a new number.  No new open episode is in that
# component, and T2's person, which loses b:3, is written all the same.
linkage_set refresh_days 7
linkage_set max_block 2000
expect_dedup 0
expect_like "settings back: estimated" '%; parameters estimated now; %' "$(dedup_summary)"
t2=$(person_of a.csv 3)
expect_eq "before h.csv: b:3 is T2's" "$t2" "$(person_of b.csv 3)"
dedup_mapping h ANGERED | mapping h
{
	printf '%s\n' "$DEDUP_HEADER"
	printf '%s,Gunnar,Provkvist,M,999 20,,HVB,2024-06-13\n' "$(pnr 660930 - 151)"  # 2
} >"$WORK/input/h.csv"
expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
dedup_vs_rescore "a new number takes b:3" -v
expect_like "a new number takes b:3: a night" '%, pairs scored for 1 new episodes, %' "$(dedup_summary)"
expect_eq "a new number takes b:3: b:3 is h:2's, T2 keeps a:3" \
	"$(person_of h.csv 2) $t2" "$(person_of b.csv 3) $(person_of a.csv 3)"
finish

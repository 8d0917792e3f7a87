#!/usr/bin/env bash
# t0404-dedup-samples.sh - guards the dedup stage on the repository's sample
# exports (a copy of input/ and mappings/, linkage settings from
# mappings/linkage/linkage.ini): ingest, map and dedup exit 0, and
# - every episode has exactly one episode_person row, every episode_person
#   row an episode and a person; sum(person.n_episodes) = count(episode);
#   each person's n_episodes / n_districts are its episodes';
# - persons with basis PNR = count(DISTINCT person_ref) over PNR and SAMNR
#   episodes (two valid numbers are never one person, one number is never
#   two persons), and each is named by its number's person_ref;
# - RESERV persons = persons holding a reserve number and no valid number
#   (reserve numbers of two sources may be linked into one person);
# - linkage_param run episodes_deterministic + episodes_probabilistic +
#   episodes_unlinked = episodes, each equal to the episode_person steps;
#   run links = person_link rows, every link at or above the threshold;
# - SINGLE persons have one episode, step 'unlinked'; LINKED persons more;
# - PRAGMA foreign_key_check finds nothing (dedup writes with foreign keys
#   off, consistent by construction);
# - threads = 1 and threads = 3 give the same person, episode_person,
#   person_link and linkage_param rows as the default;
# - label_sample = 400 (fewer than the episodes with a valid number: the
#   sample is halved, as on large data) gives fewer labelled pairs than
#   all, still reconciled, and the same tables when run again.
# It prints (does not assert) the person count against the truth's
# "persons_mapped city" line of tests/data/sample-truth.txt.
. "$(dirname "$0")/lib.sh"
new_fixture
truth=$PL_ROOT/tests/data/sample-truth.txt
cp -R "$PL_ROOT/input/." "$WORK/input/"
cp -R "$PL_ROOT/mappings/." "$WORK/mappings/"
expect_true "the linkage settings are in the copied mappings" test -s "$LINKAGE"

expect_ingest 0 -q
expect_map 0 -q --today 2026-01-15
expect_map_reconciled
expect_dedup 0 -q
expect_dedup_reconciled

n_episodes=$(q 'SELECT count(*) FROM episode;')
expect_true "there are episodes ($n_episodes)" test "${n_episodes:-0}" -gt 2000
expect_eq "sum(person.n_episodes) = count(episode)" "$n_episodes" \
	"$(q 'SELECT sum(n_episodes) FROM person;')"
expect_eq "episode_person rows = count(episode)" "$n_episodes" \
	"$(q 'SELECT count(*) FROM episode_person;')"
expect_eq "persons with basis PNR = distinct person_ref of PNR/SAMNR episodes" \
	"$(q "SELECT count(DISTINCT person_ref) FROM episode WHERE id_type IN ('PNR', 'SAMNR');")" \
	"$(q "SELECT count(*) FROM person WHERE basis = 'PNR';")"
expect_eq "PNR persons not named by a PNR/SAMNR person_ref of theirs" "" \
	"$(q "SELECT s.person_id FROM person s WHERE s.basis = 'PNR' AND NOT EXISTS
	        (SELECT 1 FROM episode_person p JOIN episode e USING (file_id, line)
	          WHERE p.person_key = s.person_key AND e.id_type IN ('PNR', 'SAMNR')
	            AND e.person_ref = s.person_id);")"
expect_eq "persons holding two distinct valid numbers" "" \
	"$(q "SELECT p.person_key FROM episode_person p JOIN episode e USING (file_id, line)
	       WHERE e.id_type IN ('PNR', 'SAMNR') GROUP BY p.person_key
	      HAVING count(DISTINCT e.person_ref) > 1;")"
expect_eq "valid numbers split over two persons" "" \
	"$(q "SELECT e.person_ref FROM episode_person p JOIN episode e USING (file_id, line)
	       WHERE e.person_ref IS NOT NULL GROUP BY e.person_ref
	      HAVING count(DISTINCT p.person_key) > 1;")"
expect_eq "RESERV persons = persons holding a reserve number and no valid one" \
	"$(q "SELECT count(DISTINCT p.person_key) FROM episode e JOIN episode_person p USING (file_id, line)
	       JOIN person s ON s.person_key = p.person_key WHERE e.id_type = 'RESERV' AND s.basis != 'PNR';")" \
	"$(q "SELECT count(*) FROM person WHERE basis = 'RESERV';")"
for s in deterministic probabilistic unlinked; do
	expect_eq "run episodes_$s = episode_person rows with step '$s'" \
		"$(q "SELECT count(*) FROM episode_person WHERE step = '$s';")" "$(run_param "episodes_$s")"
done
expect_eq "run links = person_link rows" "$(q 'SELECT count(*) FROM person_link;')" "$(run_param links)"
expect_eq "person_link rows below the threshold 4.3" "0" \
	"$(q 'SELECT count(*) FROM person_link WHERE weight < 4.3;')"
expect_eq "SINGLE persons with more than one episode or a step other than unlinked" "" \
	"$(q "SELECT s.person_id FROM person s JOIN episode_person p USING (person_key)
	       WHERE s.basis = 'SINGLE' AND (s.n_episodes != 1 OR p.step != 'unlinked');")"
expect_eq "LINKED persons with one episode" "" \
	"$(q "SELECT person_id FROM person WHERE basis = 'LINKED' AND n_episodes < 2;")"
expect_eq "episodes without a number whose step is 'deterministic'" "0" \
	"$(q "SELECT count(*) FROM episode_person p JOIN episode e USING (file_id, line)
	       WHERE e.id_type = 'NONE' AND p.step = 'deterministic';")"

expect_eq "PRAGMA foreign_key_check" "" "$(q 'PRAGMA foreign_key_check;')"

# The same tables for any number of threads.
dump_persons() {
	dedup_tables | cksum
}
default_dump=$(dump_persons)
for t in 1 3; do
	sed -i "s/^threads = .*/threads = $t/" "$LINKAGE"
	expect_dedup 0 -q
	expect_eq "threads = $t: the same tables as the default" "$default_dump" "$(dump_persons)"
	expect_eq "threads = $t: no person or episode_person row written again" "0 0" \
		"$(run_param person_rows_written) $(run_param episode_person_rows_written)"
done

# Informational: the person count against the truth (not asserted).
persons=$(q 'SELECT count(*) FROM person;')
want=$(awk '$1 == "persons_mapped" && $2 == "city" { print $3 }' "$truth" 2>/dev/null)
printf 'info: persons %s, truth persons_mapped city %s\n' "$persons" "${want:-?}"
printf 'info: persons by basis: %s\n' \
	"$(q "SELECT group_concat(basis || ' ' || n, ', ') FROM (SELECT basis, count(*) AS n
	        FROM person GROUP BY basis ORDER BY basis);")"
printf 'info: run %s\n' \
	"$(q "SELECT group_concat(level || ' ' || n, ', ') FROM (SELECT level, n FROM linkage_param
	        WHERE comparison = 'run' ORDER BY level);")"

# A label sample smaller than the episodes with a valid number.
sed -i "s/^threads = .*/threads = 0/" "$LINKAGE"
all_labels=$(run_param label_pairs)
linkage_set label_sample 400
expect_dedup 0 -q
expect_dedup_reconciled
sampled=$(run_param label_pairs)
expect_true "label_sample 400: fewer labelled pairs ($sampled) than all ($all_labels)" \
	test "$sampled" -gt 0 -a "$sampled" -lt "$all_labels"
sampled_dump=$(dump_persons)
expect_dedup 0 -q
expect_eq "label_sample 400: the same tables when run again" "$sampled_dump" "$(dump_persons)"
linkage_set label_sample 262144
finish

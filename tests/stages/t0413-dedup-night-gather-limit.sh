#!/usr/bin/env bash
# t0413-dedup-night-gather-limit.sh - guards night_gather_max (linkage.ini):
# a night gathers from the persons file the episodes with a valid number of
# the persons its new episodes reach, at most that many; beyond, it counts
# every person instead (the persons file then written whole).  On the
# linkage_people fixture (50 episodes; filler persons 0 and 1 have two
# episodes each with their personnummer, in a.csv and c.csv), with
# night_gather_max = 2, one new file a night, each night against dedup
# --rescore on a copy (tables, kept counts, sort by person):
# - d.csv, filler 0 again: its 2 old episodes gathered (at the limit), one
#   run of the persons file;
# - e.csv, filler 0 once more: 3 old episodes, over the limit: every person
#   counted, still a night (1 new episode scored);
# - f.csv, filler 1 again: 2 old episodes gathered again, from the persons
#   file the night before wrote whole (one run);
# - night_gather_max = 0 is refused (exit 78, its line named).
. "$(dirname "$0")/lib.sh"
linkage_people_mapped
sed -i '/^\[linkage\]/a night_gather_max = 2' "$LINKAGE"
expect_eq "the setting is in [linkage]" "night_gather_max = 2" \
	"$(sed -n '/^\[linkage\]/,/^\[/p' "$LINKAGE" | grep -x 'night_gather_max = 2')"
expect_dedup 0 -q

# night N FILE FILLER START: FILE holds filler person FILLER's episode of START.
night() {
	dedup_mapping "$1" ANGERED | mapping "$1"
	{
		printf '%s\n' "$DEDUP_HEADER"
		filler "$2" "$3"
	} >"$WORK/input/$1.csv"
	expect_ingest 0 -q
	expect_map 0 -q --today 2026-01-15
}
gathered() { grep -a -o 'dedup D a night: .*' "$ERR" | head -n 1; }

night d 0 2024-05-02
dedup_vs_rescore "d.csv" -v
expect_eq "d.csv: filler 0's 2 old episodes gathered" \
	"dedup D a night: 2 episodes with a valid number of the persons it reaches, from 1 runs of the persons file" \
	"$(gathered)"
expect_like "d.csv: a night of 1 new episode" '%, pairs scored for 1 new episodes, % kept; %' \
	"$(dedup_summary)"
expect_dedup_reconciled

night e 0 2024-06-02
dedup_vs_rescore "e.csv" -v
expect_eq "e.csv: over the limit, every person counted" \
	"dedup D a night: the persons it reaches have more than 2 episodes with a valid number (night_gather_max); every person is counted" \
	"$(gathered)"
expect_like "e.csv: still a night of 1 new episode" '%, pairs scored for 1 new episodes, % kept; %' \
	"$(dedup_summary)"
expect_eq "e.csv: filler 0 is one person of 4 episodes" "4" \
	"$(q "SELECT n_episodes FROM person WHERE person_id =
	       (SELECT person_ref FROM episode WHERE file_id = $(fid e.csv) AND line = 2);")"
expect_dedup_reconciled

night f 1 2024-07-02
dedup_vs_rescore "f.csv" -v
expect_eq "f.csv: filler 1's 2 old episodes gathered, from one run again" \
	"dedup D a night: 2 episodes with a valid number of the persons it reaches, from 1 runs of the persons file" \
	"$(gathered)"
expect_dedup_reconciled

sed -i 's/^night_gather_max = 2$/night_gather_max = 0/' "$LINKAGE"
expect_dedup 78 -q
expect_like "night_gather_max = 0: refused, its line named" \
	"%linkage.ini:$(grep -n '^night_gather_max' "$LINKAGE" | cut -d: -f1): night_gather_max is not 1..1e9: '0'%" \
	"$(cat "$ERR")"
finish

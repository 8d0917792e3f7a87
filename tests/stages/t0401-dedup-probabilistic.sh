#!/usr/bin/env bash
# t0401-dedup-probabilistic.sh - guards the probabilistic step of dedup
# (docs/linkage.md step 2 and 3) with the repository's linkage settings, on
# three sources: a (LUNDBY) and c (NORRA_HISINGEN) hold 20 filler persons
# with personnummer, one episode in each (so u and the prior are measured on
# a realistic background), and test persons with personnummer; b (OSTRA)
# holds episodes without an identity number:
# - b:2 agrees exactly with a:2 on first and last name, birth date, sex and
#   postcode: linked (step 'probabilistic', the PNR person, basis PNR,
#   n_districts 2), with a person_link row whose weight reaches the threshold
#   and whose waterfall names every comparison with its level and no value;
# - b:3 has a one-letter typo in the last name (Jaro-Winkler high band) and
#   b:4 has first and last name swapped (counts as the high band): linked;
# - b:5 shares only postcode, birth year and sex with a:3 (a blocking key) but
#   has other names and birth date: alone (basis SINGLE, step 'unlinked');
# - b:6 matches two persons with different valid numbers (a:5, c:22) equally:
#   joined to at most one, the two stay separate persons and the link that
#   would join them is refused (run refused_links 1);
# - the candidate pairs are exactly the 7 pairs sharing a blocking key with
#   one side without a valid number; linkage_param has m, u and n for every
#   comparison and level, n per level as those pairs' levels; run totals
#   match the tables; run prior = pairs sharing a valid number / pairs of
#   episodes with a valid number;
# - with threshold = 100 in the settings nothing is linked probabilistically;
# - with max_block = 2 the keys shared by three episodes are skipped and
#   logged (a warning): b:6 and b:5 stay alone, the pairs of two still link.
. "$(dirname "$0")/lib.sh"
linkage_people_mapped
expect_eq "map rejects" "0" "$(q "SELECT count(*) FROM reject WHERE stage = 'map';")"
expect_eq "episodes by file and id_type" "a.csv PNR 24
b.csv NONE 5
c.csv PNR 21" "$(q "SELECT f.name || ' ' || e.id_type || ' ' || count(*) FROM episode e
                    JOIN input_file f USING (file_id) GROUP BY f.name, e.id_type ORDER BY 1;")"
expect_eq "a.csv:2-5 (sex, birth_date)" "2: F|1971-04-12
3: M|1966-09-30
4: F|1958-02-14
5: M|1980-07-07" "$(episodes a.csv "sex, birth_date" | head -n 4)"

expect_dedup 0 -q
expect_dedup_reconciled

# Exact agreement: linked to the PNR person.
expect_eq "person of a.csv:2 and b.csv:2" "$(person_of a.csv 2)" "$(person_of b.csv 2)"
expect_eq "person of b.csv:2 (basis|n_episodes|n_districts)" "PNR|2|2" "$(person_row b.csv 2)"
expect_eq "person_id of b.csv:2 is a.csv:2's person_ref" "$(ref_of a.csv 2)" "$(person_of b.csv 2)"
expect_eq "steps of a.csv:2, b.csv:2" "deterministic probabilistic" \
	"$(step_of a.csv 2) $(step_of b.csv 2)"
link_of() { # link_of FILE LINE: the person_link rows naming the episode
	printf "(SELECT * FROM person_link WHERE (a_file_id = %s AND a_line = %s)
	          OR (b_file_id = %s AND b_line = %s))" "$(fid "$1")" "$2" "$(fid "$1")" "$2"
}
pair_of() { # pair_of FILE LINE: "file:line file:line person_ok" of its links
	q "SELECT min(fa, fb) || ' ' || max(fa, fb) || ' ' || (l.person_key = $(pkey_of "$1" "$2"))
	     FROM (SELECT fa.name || ':' || l.a_line AS fa, fb.name || ':' || l.b_line AS fb, l.person_key
	             FROM $(link_of "$1" "$2") l
	             JOIN input_file fa ON fa.file_id = l.a_file_id
	             JOIN input_file fb ON fb.file_id = l.b_file_id) l;"
}
weight_ok() { q "SELECT count(*), min(weight >= 4.3) FROM $(link_of "$1" "$2");"; }
waterfall_of() { q "SELECT waterfall FROM $(link_of "$1" "$2");"; }
expect_eq "person_link of b.csv:2 (pair, person_key is the person's)" "a.csv:2 b.csv:2 1" \
	"$(pair_of b.csv 2)"
expect_eq "person_link of b.csv:2: one row, weight >= threshold 4.3" "1|1" "$(weight_ok b.csv 2)"
wf=$(waterfall_of b.csv 2)
for c in "prior" "first_name exact" "last_name exact" "birth_date exact" "sex equal" \
	"postcode equal" "total" "threshold"; do
	expect_like "waterfall of b.csv:2 names '$c'" "%$c%" "$wf"
done

# Typo in the last name (high Jaro-Winkler band).
expect_eq "person of a.csv:3 and b.csv:3 (typo)" "$(person_of a.csv 3)" "$(person_of b.csv 3)"
expect_eq "person of b.csv:3 (basis|n_episodes|n_districts)" "PNR|2|2" "$(person_row b.csv 3)"
expect_eq "step of b.csv:3" "probabilistic" "$(step_of b.csv 3)"
expect_eq "person_link of b.csv:3" "a.csv:3 b.csv:3 1" "$(pair_of b.csv 3)"
expect_eq "person_link of b.csv:3: one row, weight >= 4.3" "1|1" "$(weight_ok b.csv 3)"
wf=$(waterfall_of b.csv 3)
for c in "first_name exact" "last_name jw>=0.92" "birth_date exact" "sex equal" "postcode equal"; do
	expect_like "waterfall of b.csv:3 names '$c'" "%$c%" "$wf"
done

# First and last name swapped: as the high band.
expect_eq "person of a.csv:4 and b.csv:4 (swapped)" "$(person_of a.csv 4)" "$(person_of b.csv 4)"
expect_eq "person of b.csv:4 (basis|n_episodes|n_districts)" "PNR|2|2" "$(person_row b.csv 4)"
expect_eq "step of b.csv:4" "probabilistic" "$(step_of b.csv 4)"
expect_eq "person_link of b.csv:4" "a.csv:4 b.csv:4 1" "$(pair_of b.csv 4)"
expect_eq "person_link of b.csv:4: one row, weight >= 4.3" "1|1" "$(weight_ok b.csv 4)"
wf=$(waterfall_of b.csv 4)
for c in "first_name jw>=0.92" "last_name jw>=0.92" "birth_date exact" "sex equal" "postcode equal"; do
	expect_like "waterfall of b.csv:4 names '$c'" "%$c%" "$wf"
done

# Other names and birth date: alone, though it shares a blocking key.
expect_eq "person of b.csv:5 (basis|n_episodes|n_districts)" "SINGLE|1|1" "$(person_row b.csv 5)"
expect_eq "step of b.csv:5" "unlinked" "$(step_of b.csv 5)"
expect_eq "person_link rows naming b.csv:5" "0" "$(q "SELECT count(*) FROM $(link_of b.csv 5);")"
expect_true "b.csv:5 has a person id of its own (not a person_ref)" \
	test -n "$(person_of b.csv 5)" -a "$(q "SELECT count(*) FROM episode
	           WHERE person_ref = $(sql_str "$(person_of b.csv 5)");")" == 0

# Equal matches with two different valid numbers: at most one joins.
expect_true "a.csv:5 and c.csv:22 are two persons" \
	test "$(person_of a.csv 5)" != "$(person_of c.csv 22)" -a -n "$(person_of c.csv 22)"
expect_eq "person_id of a.csv:5, c.csv:22 are their person_refs" \
	"$(ref_of a.csv 5) $(ref_of c.csv 22)" "$(person_of a.csv 5) $(person_of c.csv 22)"
expect_eq "b.csv:6 is in exactly one of the persons of a.csv:5 and c.csv:22" "1" \
	"$(q "SELECT count(*) FROM episode_person WHERE file_id = $(fid b.csv) AND line = 6
	        AND person_key IN ($(pkey_of a.csv 5), $(pkey_of c.csv 22));")"
expect_eq "episodes of the persons of a.csv:5, c.csv:22 together" "3" \
	"$(q "SELECT sum(n_episodes) FROM person WHERE person_id IN
	        ($(sql_str "$(person_of a.csv 5)"), $(sql_str "$(person_of c.csv 22)"));")"
expect_eq "step of b.csv:6" "probabilistic" "$(step_of b.csv 6)"
expect_eq "person_link rows naming b.csv:6" "1" "$(q "SELECT count(*) FROM $(link_of b.csv 6);")"
expect_eq "run refused_links" "1" "$(run_param refused_links)"

# Fillers: one person each across a and c, nothing else.
expect_eq "filler persons (PNR, 2 episodes, 2 districts)" "20" \
	"$(q "SELECT count(*) FROM person WHERE basis = 'PNR' AND n_episodes = 2 AND n_districts = 2
	        AND person_id IN (SELECT person_ref FROM episode WHERE file_id = $(fid c.csv) AND line <= 21);")"
expect_eq "persons by basis" "PNR 25 49
SINGLE 1 1" "$(q "SELECT basis || ' ' || count(*) || ' ' || sum(n_episodes) FROM person
                  GROUP BY basis ORDER BY basis;")"
expect_eq "steps" "deterministic 45
probabilistic 4
unlinked 1" "$(q "SELECT step || ' ' || count(*) FROM episode_person GROUP BY step ORDER BY step;")"
expect_eq "run: episodes_deterministic probabilistic unlinked links" "45 4 1 4" \
	"$(run_param episodes_deterministic) $(run_param episodes_probabilistic) \
$(run_param episodes_unlinked) $(run_param links)"
expect_eq "person_link rows = run links" "$(run_param links)" "$(q 'SELECT count(*) FROM person_link;')"
expect_eq "person_link rows below the threshold" "0" \
	"$(q 'SELECT count(*) FROM person_link WHERE weight < 4.3;')"

# linkage_param: every comparison and level, n adding up to the candidates.
expect_eq "linkage_param comparisons and levels" \
"birth_date else|birth_date exact|birth_date missing|birth_date same month|birth_date typo|\
birth_year else|birth_year equal|birth_year missing|\
first_name else|first_name exact|first_name jw>=0.80|first_name jw>=0.92|first_name missing|\
last_name else|last_name exact|last_name jw>=0.80|last_name jw>=0.92|last_name missing|\
postcode else|postcode equal|postcode missing|sex else|sex equal|sex missing" \
	"$(q "SELECT group_concat(comparison || ' ' || level, '|') FROM (SELECT * FROM linkage_param
	        WHERE comparison NOT IN ('run', 'blocking') ORDER BY comparison, level);")"
# (birth_year is missing wherever both sides have a full birth date.)
# The candidate pairs: a:2~b:2, a:3~b:3, a:4~b:4, a:5~b:6, c:22~b:6; never
# two valid numbers.  a:3~b:5 and b:3~b:5 share a postcode, birth year and
# sex but no initial with it: the shipped rules do not compare them.
expect_eq "run candidate_pairs" "5" "$(run_param candidate_pairs)"
expect_eq "linkage_param n by comparison and level (levels with pairs)" \
"birth_date exact 5|birth_year missing 5|first_name exact 4|first_name jw>=0.92 1|\
last_name exact 3|last_name jw>=0.92 2|postcode equal 5|sex equal 5" \
	"$(q "SELECT group_concat(comparison || ' ' || level || ' ' || n, '|') FROM (SELECT * FROM linkage_param
	        WHERE comparison NOT IN ('run', 'blocking') AND n != 0 ORDER BY comparison, level);")"
expect_eq "comparisons whose levels' n do not add up to candidate_pairs" "" \
	"$(q "SELECT comparison FROM linkage_param WHERE comparison != 'run'
	       GROUP BY comparison HAVING sum(n) != 5;")"
# Each pair is counted under the first rule that blocks it.  a:4~b:4 has
# its names swapped (Märta Testlund, Testlund Märta): only the rule of
# both initials in either order compares it.
expect_eq "linkage_param blocking rules with pairs" \
"1: birth_date + first_initial 4|3: birth_date + initials 1" \
	"$(q "SELECT group_concat(level || ' ' || n, '|') FROM (SELECT * FROM linkage_param
	        WHERE comparison = 'blocking' AND n != 0 ORDER BY level);")"
expect_eq "linkage_param blocking rules" "9" \
	"$(q "SELECT count(*) FROM linkage_param WHERE comparison = 'blocking';")"
expect_eq "levels other than missing without m and u in (0, 1]" "" \
	"$(q "SELECT comparison || ' ' || level FROM linkage_param WHERE comparison NOT IN ('run', 'blocking')
	        AND level != 'missing' AND NOT (m > 0 AND m <= 1 AND u > 0 AND u <= 1);")"
expect_eq "run label_pairs (pairs of episodes sharing a valid number)" \
	"$(q "SELECT sum(k * (k - 1) / 2) FROM (SELECT count(*) AS k FROM episode
	        WHERE id_type IN ('PNR', 'SAMNR') GROUP BY person_ref);")" "$(run_param label_pairs)"
expect_eq "run match_share: EM ran (fewer than 1000 labelled pairs)" "1" \
	"$(q "SELECT m IS NOT NULL FROM linkage_param WHERE comparison = 'run' AND level = 'match_share';")"

# The prior: among the episodes with a valid number, the share of their
# pairs that share the number (docs/linkage.md), computed here from the
# episodes themselves.
expect_eq "run prior (m) = pairs sharing a valid number / pairs of valid episodes" \
	"$(q "SELECT printf('%.12f', w * 1.0 / (n * (n - 1) / 2)) FROM
	        (SELECT sum(k * (k - 1) / 2) AS w FROM (SELECT count(*) AS k FROM episode
	          WHERE id_type IN ('PNR', 'SAMNR') GROUP BY person_ref)),
	        (SELECT count(*) AS n FROM episode WHERE id_type IN ('PNR', 'SAMNR'));")" \
	"$(q "SELECT printf('%.12f', m) FROM linkage_param WHERE comparison = 'run' AND level = 'prior';")"
expect_eq "run prior n = episodes" "50" "$(run_param prior)"

# No value in the link audit.
for v in Ingrid Exempelsdotter Gunnar Provqvist Provkvist Märta Testlund Sven Dubbelsson \
	'999 10' 99910 '999 20' 99920 '999 30' 99930 '999 50' 99950 1971-04-12 1966-09-30 1958-02-14; do
	expect_eq "person_link rows holding '$v'" "0" \
		"$(q "SELECT count(*) FROM person_link
		       WHERE instr(lower(waterfall), lower($(sql_str "$v"))) > 0;")"
done

# threshold = 100: no probabilistic link.
linkage_set threshold 100
expect_dedup 0 -q
expect_dedup_reconciled
expect_eq "threshold 100: run links, refused_links, episodes_probabilistic" "0 0 0" \
	"$(run_param links) $(run_param refused_links) $(run_param episodes_probabilistic)"
expect_eq "threshold 100: person_link rows" "0" "$(q 'SELECT count(*) FROM person_link;')"
expect_eq "threshold 100: b.csv episodes' persons" "SINGLE|1|1 unlinked
SINGLE|1|1 unlinked
SINGLE|1|1 unlinked
SINGLE|1|1 unlinked
SINGLE|1|1 unlinked" "$(for l in 2 3 4 5 6; do echo "$(person_row b.csv $l) $(step_of b.csv $l)"; done)"
expect_eq "threshold 100: persons by basis" "PNR 25 45
SINGLE 5 5" "$(q "SELECT basis || ' ' || count(*) || ' ' || sum(n_episodes) FROM person
                  GROUP BY basis ORDER BY basis;")"

# max_block = 2: the keys b:6 shares with a:5 and c:22 (three episodes each)
# are skipped and logged; so is the postcode + birth year + sex key of a:3,
# b:3, b:5.  The pairs of two still link.
linkage_set threshold 4.3
linkage_set max_block 2
expect_dedup 0
expect_dedup_reconciled
expect_grep "max_block 2: a warning that keys were skipped" ' dedup W .*skip' "$(cat "$ERR")"
expect_eq "max_block 2: run candidate_pairs, links, refused_links" "3 3 0" \
	"$(run_param candidate_pairs) $(run_param links) $(run_param refused_links)"
expect_eq "max_block 2: b.csv episodes' persons" "PNR|2|2 probabilistic
PNR|2|2 probabilistic
PNR|2|2 probabilistic
SINGLE|1|1 unlinked
SINGLE|1|1 unlinked" "$(for l in 2 3 4 5 6; do echo "$(person_row b.csv $l) $(step_of b.csv $l)"; done)"
# m_from = labels: m is the agreement among the pairs of episodes sharing a
# valid number, here the 20 fillers' pairs, which agree on everything.  The
# smoothing adds half a pair to each level: exact first name 20.5 / 22.
linkage_set max_block 2000
linkage_set m_from labels
expect_dedup 0
expect_dedup_reconciled
expect_grep "m_from labels: the summary says where m came from" \
	' dedup I .*m from 20 labelled pairs; parameters estimated now; written: ' "$(cat "$ERR")"
expect_eq "m_from labels: no match share (EM did not run)" "1" \
	"$(q "SELECT m IS NULL FROM linkage_param WHERE comparison = 'run' AND level = 'match_share';")"
expect_eq "m_from labels: m of first_name exact, birth_date exact" "0.931818 0.931818" \
	"$(q "SELECT printf('%.6f', m) FROM linkage_param WHERE comparison = 'first_name' AND level = 'exact';") \
$(q "SELECT printf('%.6f', m) FROM linkage_param WHERE comparison = 'birth_date' AND level = 'exact';")"
expect_eq "m_from labels: candidate_pairs, links, refused_links" "5 4 1" \
	"$(run_param candidate_pairs) $(run_param links) $(run_param refused_links)"
finish

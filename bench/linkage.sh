#!/bin/sh
# bench/linkage.sh BUILD_DIR - how well and how fast the dedup stage links
# episodes, on generated exports whose true persons are known.
#
# Builds nothing: expects BUILD_DIR/{ingest,map,dedup,gen_linkage,runstat}
# (make && make pipeline/build/gen_linkage).  Into bench/data/linkage/
# (ignored by git) it generates LINKAGE_RECORDS (default 10000) records with
# a share LINKAGE_DUP (default 0.3) of duplicates (tools/gen_linkage.c, seed
# LINKAGE_SEED), runs ingest and map with the mapping files of bench/linkage/,
# then dedup RUNS times (default 3; tools/runstat.c: median wall time, peak
# RSS) with bench/linkage/linkage/linkage.ini, and compares the persons it
# made with the truth using sqlite3 and awk only:
#   - pairs: precision, recall and F1 over unordered pairs of episodes
#     (predicted: dedup put both in one person; true: one true person);
#   - clusters: B-cubed precision, recall, F1 (per episode, averaged), and
#     the share of true persons reproduced exactly;
#   - candidate pairs per second of dedup (linkage_param run/candidate_pairs
#     over the median time, loading and writing included), and the marginal
#     rate of an extra blocking rule (extra pairs over extra time);
#   - missed pairs by the generator's noise kinds, and whether the blocking
#     rules let them be compared at all; false pairs by the relation of the
#     two true persons; false links by their comparison levels.
# Prints a markdown section on stdout (bench/run.sh appends it to
# bench/RESULTS.md).  LINKAGE_SETTINGS names another settings file, to try
# a change of the settings on the same data.  The generated names are
# synthetic: the evaluation reads them in clear from the generated files,
# which the pipeline itself never does.
set -eu
build=${1:-pipeline/build}
records=${LINKAGE_RECORDS:-10000}
dup=${LINKAGE_DUP:-0.3}
seed=${LINKAGE_SEED:-20261125}
runs=${RUNS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) bin=$build ;; *) bin=$root/$build ;; esac
data=$root/bench/data/linkage
maps=$root/bench/linkage
settings=${LINKAGE_SETTINGS:-$maps/linkage/linkage.ini}
case $settings in /*) ;; *) settings=$PWD/$settings ;; esac
if [ "$settings" = "$maps/linkage/linkage.ini" ]; then
	settings_note="bench/linkage/linkage/linkage.ini (a copy of mappings/linkage/linkage.ini)"
else
	settings_note="$settings (LINKAGE_SETTINGS)"
fi

for b in ingest map dedup gen_linkage runstat; do
	if [ ! -x "$bin/$b" ]; then
		echo "bench/linkage.sh: '$bin/$b' is missing: run make, and make $build/gen_linkage" >&2
		exit 1
	fi
done
rm -rf "$data"
mkdir -p "$data/input" "$data/key" "$data/db"
chmod 700 "$data/key"
cd "$data"
"$bin/gen_linkage" -q -o input -t truth.tsv -n "$records" -d "$dup" -s "$seed"

# measure SETUP CMD...: runs SETUP then CMD $runs times; prints
# "median_seconds max_rss_kib" of CMD (as bench/run.sh does).
measure() {
	setup=$1; shift
	: >times
	i=0
	while [ "$i" -lt "$runs" ]; do
		sh -c "$setup"
		"$bin/runstat" "$@" 3>>times >/dev/null 2>stderr || {
			echo "bench/linkage.sh: '$*' failed:" >&2; cat stderr >&2; exit 1; }
		i=$((i + 1))
	done
	sort -n times | awk -v n="$runs" '{ t[NR] = $1; if ($2 > m) m = $2 }
		END { printf "%.3f %d\n", t[int((n + 1) / 2)], m }'
}

opts="-q -m $maps -d db/pipeline.db -k key/pipeline.key"
"$bin/ingest" $opts -i input
"$bin/map" $opts
# --estimate: each run estimates and scores every pair, as a first run
# does; without it the runs after the first would be nights with nothing new.
dd="$bin/dedup -q --estimate -c $settings -d db/pipeline.db -k key/pipeline.key"
set -- $(measure true $dd); dedup_s=$1; dedup_rss=$2
q() { sqlite3 -bail db/pipeline.db "$@"; }
pairs=$(q "select n from linkage_param where comparison = 'run' and level = 'candidate_pairs'")

# The marginal rate: the same run with one more, broad blocking rule (every
# pair born the same year), on a copy of the database.  Only where that adds
# a sensible number of pairs (about N^2/130).
extra_s=- extra_pairs=-
if [ "$records" -le 50000 ]; then
	awk '{ print } /^\[blocking\]/ { print "rule = birth_year" }' "$settings" >wide.ini
	mkdir -p db2
	cp db/pipeline.db db2/pipeline.db
	set -- $(measure true "$bin/dedup" -q --estimate -c wide.ini -d db2/pipeline.db \
		-k key/pipeline.key)
	extra_s=$1
	extra_pairs=$(sqlite3 -bail db2/pipeline.db "select n from linkage_param
		where comparison = 'run' and level = 'candidate_pairs'")
	rm -rf db2
fi

# ---- the truth and the clear values into an evaluation database -------------
awk -F '\t' -v OFS='\t' '/^#/ { next } {
	n++
	print n, $1, $2, $3, $4, $5, $6, $7, $8 >"truth_rows.tsv"
	if ($8 != "-") { k = split($8, a, ","); for (i = 1; i <= k; i++) print n, a[i] >"noise_rows.tsv" }
}' truth.tsv
: >>noise_rows.tsv
for f in input/*.csv; do
	awk -F , -v OFS='\t' -v f="${f#input/}" 'NR > 1 { print f, NR, $2, $3, $6 }' "$f"
done >values.tsv

# Blocking rules as SQL over the key table k (a pair shares a rule's key).
block_sql=$(sed -n 's/^[[:space:]]*[Rr][Uu][Ll][Ee][[:space:]]*=[[:space:]]*//p' "$settings" |
	sed 's/[[:space:]];.*$//' | awk '{
		n = split($0, key, "+"); c = ""
		for (i = 1; i <= n; i++) {
			gsub(/[[:space:]]/, "", key[i])
			c = c (i > 1 ? " AND " : "") "a." key[i] " = b." key[i]
		}
		printf "%s(%s)", (NR > 1 ? " OR " : ""), c
	}')
[ -n "$block_sql" ] || block_sql=0
# Name key as dedup folds it (lower case, Latin-1 capitals included).
nk() { echo "lower(replace(replace(replace(replace(replace($1, 'Å', 'å'), 'Ä', 'ä'), 'Ö', 'ö'), 'É', 'é'), 'Ü', 'ü'))"; }

rm -f eval.db
sqlite3 -bail eval.db <<SQL
ATTACH 'db/pipeline.db' AS p;
CREATE TABLE truth (rid INTEGER PRIMARY KEY, file TEXT, line INTEGER, person INTEGER,
	role TEXT, id TEXT, relation TEXT, related INTEGER, noise TEXT);
CREATE TABLE noise (rid INTEGER, kind TEXT);
CREATE TABLE val (file TEXT, line INTEGER, first TEXT, last TEXT, post TEXT,
	PRIMARY KEY (file, line));
.mode tabs
.import truth_rows.tsv truth
.import noise_rows.tsv noise
.import values.tsv val
CREATE INDEX noise_rid ON noise (rid);
-- Every generated record with its true and its predicted person (an
-- episode dedup never saw is a person of its own).
CREATE TABLE rec AS
SELECT t.rid, t.person, t.id, t.relation, t.related, t.noise, f.file_id, t.line,
       coalesce(CAST(ep.person_key AS TEXT), 'unseen:' || t.rid) AS pred, e.birth_date, e.sex,
       v.first, v.last, v.post
  FROM truth t
  LEFT JOIN p.input_file f ON f.name = t.file
  LEFT JOIN p.episode_person ep ON ep.file_id = f.file_id AND ep.line = t.line
  LEFT JOIN p.episode e ON e.file_id = f.file_id AND e.line = t.line
  LEFT JOIN val v ON v.file = t.file AND v.line = t.line;
CREATE INDEX rec_person ON rec (person);
CREATE INDEX rec_pred ON rec (pred);
CREATE INDEX rec_where ON rec (file_id, line);
-- Blocking keys as dedup forms them (birth date and sex after map).
CREATE TABLE k AS
SELECT rid, nullif(birth_date, '') AS birth_date, nullif(substr(birth_date, 1, 4), '') AS birth_year,
       nullif(substr(birth_date, 6, 2) || substr(birth_date, 9, 2), '') AS birth_month_day,
       nullif(nullif(sex, 'U'), '') AS sex,
       nullif($(nk first), '') AS first_name, nullif($(nk last), '') AS last_name,
       nullif(replace(post, ' ', ''), '') AS postcode,
       nullif(substr($(nk first), 1, 1), '') AS first_initial,
       nullif(substr($(nk last), 1, 1), '') AS last_initial,
       nullif(min(substr($(nk first), 1, 1), substr($(nk last), 1, 1)) ||
              max(substr($(nk first), 1, 1), substr($(nk last), 1, 1)), '') AS initials
  FROM rec;
CREATE UNIQUE INDEX k_rid ON k (rid);
-- True pairs: found (one predicted person), blocked (shares a rule's key).
CREATE TABLE tpair AS
SELECT a.rid AS a, b.rid AS b, a.pred = b.pred AS found, NULL AS blocked
  FROM rec a JOIN rec b ON b.person = a.person AND b.rid > a.rid;
UPDATE tpair SET blocked = (SELECT coalesce($block_sql, 0) FROM k a, k b
                             WHERE a.rid = tpair.a AND b.rid = tpair.b)
 WHERE NOT found;
-- False pairs: one predicted person, two true persons.
CREATE TABLE fpair AS
SELECT a.rid AS a, b.rid AS b,
       CASE WHEN (a.relation = 'twin' AND a.related = b.person)
                 OR (b.relation = 'twin' AND b.related = a.person) THEN 'twins'
            WHEN (a.relation = 'namesake' AND a.related = b.person)
                 OR (b.relation = 'namesake' AND b.related = a.person) THEN 'namesakes (generated)'
            WHEN $(nk a.first) = $(nk b.first) AND $(nk a.last) = $(nk b.last)
                 THEN 'same first and last name (by chance)'
            WHEN $(nk a.last) = $(nk b.last) THEN 'same last name'
            ELSE 'other' END AS kind
  FROM rec a JOIN rec b ON b.pred = a.pred AND b.rid > a.rid AND b.person <> a.person;
CREATE TABLE cell AS SELECT pred, person, count(*) AS n FROM rec GROUP BY pred, person;
CREATE TABLE np AS SELECT pred, count(*) AS n FROM rec GROUP BY pred;
CREATE TABLE nt AS SELECT person, count(*) AS n FROM rec GROUP BY person;
SQL
e() { sqlite3 -bail -separator ' ' eval.db "$@"; }

# ---- figures ------------------------------------------------------------------
set -- $(e "SELECT (SELECT count(*) FROM rec), (SELECT count(*) FROM nt), (SELECT count(*) FROM np),
	(SELECT count(*) FROM rec WHERE pred LIKE 'unseen:%'),
	(SELECT count(*) FROM truth WHERE id <> 'valid'),
	(SELECT count(DISTINCT rid) FROM noise),
	(SELECT count(*) FROM truth t WHERE rid = (SELECT min(rid) FROM truth u WHERE u.person = t.person)
	    AND relation = 'namesake'),
	(SELECT count(*) FROM truth t WHERE rid = (SELECT min(rid) FROM truth u WHERE u.person = t.person)
	    AND relation = 'twin')")
n_rec=$1 n_true=$2 n_pred=$3 n_unseen=$4 n_noid=$5 n_noisy=$6 n_namesake=$7 n_twin=$8
set -- $(e "SELECT (SELECT sum(n * (n - 1) / 2) FROM np), (SELECT sum(n * (n - 1) / 2) FROM nt),
	(SELECT sum(n * (n - 1) / 2) FROM cell),
	(SELECT sum(c.n * 1.0 * c.n / np.n) FROM cell c JOIN np USING (pred)),
	(SELECT sum(c.n * 1.0 * c.n / nt.n) FROM cell c JOIN nt USING (person)),
	(SELECT count(*) FROM cell c JOIN np USING (pred) JOIN nt USING (person)
	  WHERE c.n = np.n AND c.n = nt.n),
	(SELECT count(*) FROM nt WHERE person IN (SELECT person FROM cell GROUP BY person HAVING count(*) > 1)),
	(SELECT count(*) FROM np WHERE pred IN (SELECT pred FROM cell GROUP BY pred HAVING count(*) > 1))")
p_pairs=$1 t_pairs=$2 tp=$3 b3p_sum=$4 b3r_sum=$5 exact=$6 split=$7 merged=$8
refused=$(q "select n from linkage_param where comparison = 'run' and level = 'refused_links'")
links=$(q "select n from linkage_param where comparison = 'run' and level = 'links'")
share=$(q "select printf('%.4f', m) from linkage_param where comparison = 'run' and level = 'match_share' and m is not null")
labels=$(q "select n from linkage_param where comparison = 'run' and level = 'label_pairs'")
if [ -n "$share" ]; then m_from="m by EM (match share among candidates $share)"
else m_from="m from $labels labelled pairs (episodes sharing a valid number)"; fi
prior=$(q "select printf('%.3g', m) from linkage_param where comparison = 'run' and level = 'prior'")
threshold=$(sed -n 's/^[[:space:]]*threshold[[:space:]]*=[[:space:]]*\([-0-9.]*\).*/\1/p' "$settings")

f4() { awk -v x="$1" 'BEGIN { printf "%.4f", x }'; }
f1() { awk -v p="$1" -v r="$2" 'BEGIN {
	if (p == "-" || r == "-") print "-"; else printf "%.4f", (p + r > 0 ? 2 * p * r / (p + r) : 0) }'; }
prf() { # prf PRECISION RECALL -> "P | R | F1" ("-": no pairs to judge)
	awk -v p="$1" -v r="$2" -v f="$(f1 "$1" "$2")" 'BEGIN {
		printf "%s | %s | %s", (p == "-" ? p : sprintf("%.4f", p)), (r == "-" ? r : sprintf("%.4f", r)), f }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.6f", a / b; else print "-" }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
pair_p=$(div "$tp" "$p_pairs") pair_r=$(div "$tp" "$t_pairs")
b3_p=$(div "$b3p_sum" "$n_rec") b3_r=$(div "$b3r_sum" "$n_rec")
pair_f1=$(f1 "$pair_p" "$pair_r")
verdict() { awk -v x="$1" -v aim="$2" 'BEGIN { print (x == "-" ? "not measured" : x >= aim ? "met" : "**not met**") }'; }
pps=$(rate "$pairs" "$dedup_s")
marg=-
if [ "$extra_s" != - ]; then
	marg=$(awk -v dp="$((extra_pairs - pairs))" -v ds="$extra_s" -v s="$dedup_s" \
		'BEGIN { if (ds - s > 0) printf "%.0f", dp / (ds - s); else print "-" }')
fi

echo "## Linkage (dedup) on generated data with known truth"
echo
echo "Regenerated by bench/linkage.sh on $(date -u +%Y-%m-%d).  Input: \`gen_linkage -n $records -d $dup -s $seed\`:"
echo "3 district files, $n_rec records of $n_true true persons ($((n_rec - n_true)) duplicates, $n_noisy of them"
echo "with noise; $n_noid records without a valid identity number; $n_namesake generated namesakes, $n_twin twins)."
echo "Mapping files bench/linkage/lk_*.ini."
echo "Settings $settings_note: threshold $threshold."
echo "dedup made $n_pred persons with $links links ($refused refused: two valid numbers);"
echo "$m_from, prior $prior."
[ "$n_unseen" -eq 0 ] || echo "**$n_unseen records never reached dedup** (rejected by ingest or map): each counted as a person of its own."
echo
echo "| measure | precision | recall | F1 | aim |"
echo "|---|---:|---:|---:|---|"
echo "| pairs of episodes | $(prf "$pair_p" "$pair_r") | F1 ≥ 0.99: $(verdict "$pair_f1" 0.99) |"
echo "| B-cubed (clusters) | $(prf "$b3_p" "$b3_r") | |"
echo
echo "- Pairs: every unordered pair of episodes; predicted when dedup put both in one person, true"
echo "  when the generator made both for one person.  $p_pairs predicted, $t_pairs true, $tp both:"
echo "  precision = both / predicted, recall = both / true, F1 their harmonic mean."
echo "- B-cubed: for each episode, precision = the share of its predicted person's episodes that are"
echo "  its true person's, recall = the share of its true person's episodes in its predicted person;"
echo "  each averaged over all episodes, F1 of the two averages."
echo "- Persons reproduced exactly (same episodes, no more, no fewer): $exact of $n_true true persons"
echo "  ($(f4 "$(div "$exact" "$n_true")")); $split true persons are split over several predicted persons,"
echo "  $merged predicted persons mix several true persons."
echo
echo "| dedup speed | median s | peak RSS MiB | candidate pairs | pairs/s |"
echo "|---|---:|---:|---:|---:|"
echo "| whole run: load and unseal, block, compare (and EM), cluster, write | $dedup_s | $((dedup_rss / 1024)) | $pairs | $pps |"
if [ "$extra_s" != - ]; then
	echo "| the same with one more blocking rule (\`birth_year\`) | $extra_s | | $extra_pairs | $(rate "$extra_pairs" "$extra_s") |"
	echo "| marginal: extra pairs / extra time | | | $((extra_pairs - pairs)) | $marg |"
fi
echo
echo "Median of $runs runs (tools/runstat.c); dedup is single-threaded, so pairs/s is per core."
echo "Candidate pairs are linkage_param run/candidate_pairs; the whole-run rate includes loading and"
echo "unsealing, the random pairs compared for u (u_sample_pairs) and writing, which dominate at this"
echo "size; the marginal row isolates the per-pair work (blocking, comparing, scoring, sorting)."
echo "Aim ≥ 1,000,000 pairs/s per core:"
echo "whole run $(verdict "$pps" 1000000), marginal $( [ "$marg" = - ] && echo "not measured" || verdict "$marg" 1000000)."
echo
echo "### Estimated parameters"
echo
echo "From linkage_param: m (agreement among matches: from labels or EM, as above), u (among random pairs), the level's"
echo "weight log2(m/u) before the name-frequency adjustment, and candidate pairs at the level."
echo
echo "| comparison | level | m | u | log2(m/u) | candidate pairs |"
echo "|---|---|---:|---:|---:|---:|"
q "SELECT '| ' || comparison || ' | ' || level || ' | ' || printf('%.4f', m) || ' | ' || printf('%.5f', u)
	   || ' | ' || printf('%+.1f', log(m / u) / log(2)) || ' | ' || n || ' |'
	  FROM linkage_param WHERE comparison <> 'run' AND m IS NOT NULL
	 ORDER BY CASE comparison WHEN 'first_name' THEN 1 WHEN 'last_name' THEN 2 WHEN 'birth_date' THEN 3
	          WHEN 'sex' THEN 4 ELSE 5 END,
	          CASE level WHEN 'exact' THEN 1 WHEN 'equal' THEN 1 WHEN 'jw>=0.92' THEN 2 WHEN 'typo' THEN 2
	          WHEN 'jw>=0.80' THEN 3 WHEN 'same month' THEN 3 ELSE 4 END" 2>/dev/null ||
q "SELECT '| ' || comparison || ' | ' || level || ' | ' || printf('%.4f', m) || ' | ' || printf('%.5f', u)
	   || ' | | ' || n || ' |' FROM linkage_param WHERE comparison <> 'run' AND m IS NOT NULL"
echo
echo "### Missed pairs by noise kind"
echo
echo "True pairs with the noise on either episode (a pair counts under each kind it has);"
echo "\"never compared\" are missed pairs sharing no blocking key of the settings (max_block ignored)."
echo
echo "| noise on either episode | true pairs | missed | recall | missed, never compared |"
echo "|---|---:|---:|---:|---:|"
e "WITH pk AS (SELECT DISTINCT p.a, p.b, n.kind, p.found, p.blocked FROM tpair p
	JOIN noise n ON n.rid = p.a OR n.rid = p.b)
	SELECT '| ' || kind || ' | ' || count(*) || ' | ' || sum(NOT found) || ' | ' || printf('%.4f', avg(found))
	       || ' | ' || sum(NOT found AND NOT blocked) || ' |'
	  FROM pk GROUP BY kind ORDER BY sum(NOT found) DESC, kind"
e "SELECT '| ' || w || ' | ' || count(*) || ' | ' || sum(NOT found) || ' | ' || printf('%.4f', avg(found))
	       || ' | ' || sum(NOT found AND NOT blocked) || ' |'
	  FROM (SELECT p.*, CASE WHEN EXISTS (SELECT 1 FROM noise WHERE rid IN (p.a, p.b))
	                         THEN 'any noise' ELSE 'no noise (identity number only)' END AS w FROM tpair p)
	 GROUP BY w ORDER BY w"
echo
echo "| identity numbers of the pair | true pairs | missed | recall | missed, never compared |"
echo "|---|---:|---:|---:|---:|"
e "SELECT '| ' || w || ' | ' || count(*) || ' | ' || sum(NOT found) || ' | ' || printf('%.4f', avg(found))
	       || ' | ' || sum(NOT found AND NOT blocked) || ' |'
	  FROM (SELECT p.*, CASE (ta.id = 'valid') + (tb.id = 'valid') WHEN 2 THEN 'both valid'
	                    WHEN 1 THEN 'one valid' ELSE 'neither valid' END AS w
	          FROM tpair p JOIN truth ta ON ta.rid = p.a JOIN truth tb ON tb.rid = p.b)
	 GROUP BY w ORDER BY w"
echo
echo "Most frequent noise of the two episodes of missed pairs:"
echo
echo "| noise, one episode + the other | missed | never compared |"
echo "|---|---:|---:|"
e "SELECT '| ' || combo || ' | ' || count(*) || ' | ' || sum(NOT blocked) || ' |'
	  FROM (SELECT p.blocked, CASE WHEN ta.noise <= tb.noise THEN ta.noise || ' + ' || tb.noise
	                               ELSE tb.noise || ' + ' || ta.noise END AS combo
	          FROM tpair p JOIN truth ta ON ta.rid = p.a JOIN truth tb ON tb.rid = p.b
	         WHERE NOT p.found)
	 GROUP BY combo ORDER BY count(*) DESC, combo LIMIT 12"
echo
echo "### False pairs and false links"
echo
echo "| the two true persons of a false pair | false pairs |"
echo "|---|---:|"
e "SELECT '| ' || kind || ' | ' || count(*) || ' |' FROM fpair GROUP BY kind ORDER BY count(*) DESC"
e "SELECT '| none | 0 |' WHERE NOT EXISTS (SELECT 1 FROM fpair)"
echo
# person_link: each link that joined two nodes; false when its ends are two true persons.
sqlite3 -bail eval.db "ATTACH 'db/pipeline.db' AS p;
	SELECT CASE WHEN ra.person = rb.person THEN 'T' ELSE 'F' END || char(9) || l.weight
	       || char(9) || l.waterfall
	  FROM p.person_link l
	  JOIN rec ra ON ra.file_id = l.a_file_id AND ra.line = l.a_line
	  JOIN rec rb ON rb.file_id = l.b_file_id AND rb.line = l.b_line" >links.txt
awk -F '\t' '{ n[$1]++ } END { printf "Links stored in person_link: %d true, %d false (joining two true persons).\n", n["T"], n["F"] }' links.txt
echo "False links by their comparison levels (the waterfall without figures), most frequent first:"
echo
echo "| first name | last name | birth date | sex | postcode | false links | weights |"
echo "|---|---|---|---|---|---:|---|"
awk -F '\t' '$1 == "F" {
	k = split($3, part, "; "); key = ""
	for (i = 2; i < k; i++) {
		s = part[i]; sub(/ [-+][0-9.]+$/, "", s)
		sub(/^(first_name|last_name|birth_date|sex|postcode) /, "", s)
		sub(/ \(name frequency\)/, " (tf)", s)
		key = key " | " s
	}
	n[key]++
	w = $2 + 0
	if (!(key in lo) || w < lo[key]) lo[key] = w
	if (!(key in hi) || w > hi[key]) hi[key] = w
} END {
	for (key in n) printf "%d\t%s | %d | %.1f .. %.1f |\n", n[key], key, n[key], lo[key], hi[key]
}' links.txt | sort -t "$(printf '\t')" -k1,1nr -k2 | head -n 12 | cut -f 2- | sed 's/^ | /| /'
grep -q '^F' links.txt || echo "| none | | | | | 0 | |"
echo
echo "Commands (in bench/data/linkage/):"
echo
echo '```'
echo "gen_linkage -q -o input -t truth.tsv -n $records -d $dup -s $seed"
echo "ingest $opts -i input"
echo "map $opts"
echo "dedup -q -c $settings -d db/pipeline.db -k key/pipeline.key"
echo '```'

#!/bin/sh
# bench/run.sh BUILD_DIR - the benchmark harness of `make bench` (issue 8);
# writes bench/RESULTS.md.
#
# For each size of BENCH_SIZES (default "1000000 10000000" data rows in
# total) it generates, into bench/data/<size>/ (ignored by git), the exports
# of all ten districts in their dialects with their true figures
# (gen_sample -A; mapping files: mappings/ plus bench/mappings/) and one
# district's monthly file of about 1% of the rows, new persons
# (gen_sample -M BENCH_MONTHLY, default lundby_2025-12).  Then it measures,
# each RUNS times (default 3; the median is quoted, peak RSS is the maximum),
# in this order, on the same files:
#   - cat of the files (the read limit);
#   - the cold full pipeline: the driver `run` (ingest map dedup indicators
#     report) from an empty output folder; its database is then checked
#     against the true figures (bench/truth.sh);
#   - each stage alone (ingest, map, dedup, indicators, report) from the
#     state the previous stage left: seconds, rows/s, MiB/s, peak RSS;
#   - the nightly incremental run: the cold run's state restored, the
#     monthly file added, `run` again (checked against the truth after);
#   - a run with nothing new (the cold run's state, `run` again);
#   - a run after an analyst's edit of one source's mapping file outside
#     what ingest reads (BENCH_EDIT, default lundby: a comment appended to
#     maps/lundby.ini; the cold run's state restored each time): map maps
#     that source's files again, dedup, indicators and report run; and one
#     after a recoding fixed in it (`[recode intervention]` Boendestöd =
#     HOUSE appended: the episodes of that value change in place);
#   - Debian's sqlite3 CLI `.import` of the same files (plain load, no mapping);
#   - DuckDB (bench/duckdb/job.mjs: read each dialect, recode, count unique
#     persons per district), its figures compared with ours;
#   (these two are run right after the cold run, the others after them).
# A state restored for a run (a copy of the database) is synced to disk
# before the run: writing the copy back is not the run's work, and a real
# night's database was written back long before (a stage that syncs the
# file would otherwise wait for the whole copy: seconds per GB).
# The driver runs with -v, so that its log holds every stage's steps: the
# results quote each stage's time inside the cold, incremental and edited
# runs, and dedup's steps inside the cold and incremental runs.
# Wall time and peak RSS come from tools/runstat.c (getrusage of the
# children; for `run` the largest of its stage processes).  Then the budget
# of issue 8 is judged (linkage's pairs per core also at each size, from
# `dedup` alone: its candidate pairs over its wall time and the cores it
# may use), and bench/linkage.sh's sections are appended: at
# 10,000 records (RUNS times) and at LINKAGE_RECORDS_LARGE (default 100,000,
# once), where enough pairs share a valid number for m to come from them.
#
# BENCH_SEED (default 20260115) is the generator's seed.  Prerequisites: the
# sqlite3 CLI (required: the checks use it), Node.js with npm for DuckDB
# (optional: without them, or if `npm ci` fails, DuckDB is skipped and the
# results say why).  Nothing is installed system-wide; npm installs into
# bench/duckdb/node_modules.
set -eu
build=${1:-pipeline/build}
sizes=${BENCH_SIZES:-"1000000 10000000"}
runs_list=${RUNS:-3}   # one count for every size, or one per size ("3 1")
seed=${BENCH_SEED:-20260115}
stem=${BENCH_MONTHLY:-lundby_2025-12}
edit=${BENCH_EDIT:-lundby}
root=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) bin=$build ;; *) bin=$root/$build ;; esac
out=$root/bench/RESULTS.md
runstat=$bin/runstat
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# The commit measured, before anything is written (RESULTS.md is tracked).
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$root" diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"

for b in ingest map dedup indicators report run gen_sample runstat; do
	[ -x "$bin/$b" ] || { echo "bench: '$bin/$b' is missing: run make first" >&2; exit 1; }
done
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "bench: the sqlite3 CLI is missing; as root: apt-get install -y sqlite3" >&2
	exit 1
fi
mkdir -p "$root/bench/data"

# ---- DuckDB: installed into bench/duckdb/node_modules, or skipped ------------
duck_note=
duck_dir=$root/bench/duckdb
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	duck_note="DuckDB skipped: Node.js or npm is missing (as root: apt-get install -y nodejs npm)"
elif [ ! -d "$duck_dir/node_modules/@duckdb/node-api" ] &&
	! (cd "$duck_dir" && npm ci --no-audit --no-fund >"$root/bench/data/npm.log" 2>&1); then
	duck_note="DuckDB skipped: 'npm ci' in bench/duckdb failed (see bench/data/npm.log; it needs the npm registry)"
fi
if [ -z "$duck_note" ] && ! (cd "$duck_dir" && node -e "import('@duckdb/node-api')" >/dev/null 2>&1); then
	duck_note="DuckDB skipped: @duckdb/node-api does not load (rm -rf bench/duckdb/node_modules and retry)"
fi
[ -z "$duck_note" ] || echo "bench: $duck_note" >&2
duck_ver=$(sed -n 's/.*"@duckdb\/node-api": *"\([^"]*\)".*/\1/p' "$duck_dir/package.json")

# measure SETUP CMD...: runs SETUP (sh -c) then CMD $runs times under runstat;
# sets m_s (median seconds) and m_rss (max RSS, KiB).  Stops the benchmark
# if CMD fails (not in a subshell, so that exit stops the script), or, with
# soft=1, returns 1 (m_err: the last line of its stderr).
measure() {
	setup=$1; shift
	: >"$work/times"
	i=0
	while [ "$i" -lt "$runs" ]; do
		sh -c "$setup"
		if ! "$runstat" "$@" 3>>"$work/times" >"$work/stdout" 2>"$work/stderr"; then
			echo "bench: '$*' failed:" >&2; tail -n 20 "$work/stderr" >&2
			m_err=$(tail -n 1 "$work/stderr")
			[ -n "${soft:-}" ] && return 1
			exit 1
		fi
		i=$((i + 1))
	done
	set -- $(sort -n "$work/times" | awk -v n="$runs" '{ t[NR] = $1; if ($2 > m) m = $2 }
		END { printf "%.3f %d\n", t[int((n + 1) / 2)], m }')
	m_s=$1 m_rss=$2
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b != "-" && b > 0) printf "%.2f", a / b; else print "-" }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s != "-" && s > 0) printf "%.0f", n / s; else print "-" }'; }
mib() { awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.0f", k / 1024 }'; }
verdict() { # verdict VALUE OP LIMIT
	awk -v x="$1" -v op="$2" -v l="$3" 'BEGIN {
		if (x == "-") { print "not measured"; exit }
		ok = op == "<=" ? x <= l : x >= l
		print ok ? "met" : "**not met**" }'; }
# stage_times OUT: the stages' times of the last run, from its log.
stage_times() {
	log=$(ls "$1"/logs/run-*.log 2>/dev/null | tail -n 1)
	[ -n "$log" ] || { echo "-"; return; }
	sed -n 's/.* run I \([a-z]*\): exit [0-9]* ([a-z ]*) in \([0-9.]*\) s$/\1 \2 s/p' "$log" |
		tr '\n' ',' | sed 's/,$//; s/,/, /g'
}
# dedup_steps OUT: dedup's steps in the last run, from its log (run -v).
dedup_steps() {
	log=$(ls "$1"/logs/run-*.log 2>/dev/null | tail -n 1)
	[ -n "$log" ] || { echo "-"; return; }
	sed -n 's/.* dedup D \(.*\): \([0-9.]*\) s (peak .*/\1 \2 s/p' "$log" |
		tr '\n' ';' | sed 's/;$//; s/;/; /g'
}
snap() { rm -rf "$2" && cp -a "$1" "$2"; }  # snap FROM TO: copy a state folder
# edit_run TEXT: `run` measured after the cold run's state is restored and
# TEXT (printf's format) appended to maps/$edit.ini as it was ($edit.ini.orig);
# sets m_s, m_rss, and e_stages, e_map (what map did in place) and e_dedup
# (its parameters and what it wrote) of the last run.
edit_run() {
	measure "rm -rf out && cp -a out.cold out && sync && cp $edit.ini.orig maps/$edit.ini &&
		printf '$1' >>maps/$edit.ini" $runcmd
	e_stages=$(stage_times out)
	e_map=$(sqlite3 out/pipeline.db "SELECT summary FROM stage_run WHERE stage = 'map'
		ORDER BY run_id DESC LIMIT 1" | sed -n 's/.*; \([0-9]* mapped again in place: .*\)/\1/p')
	e_dedup=$(sqlite3 out/pipeline.db "SELECT summary FROM stage_run WHERE stage = 'dedup'
		ORDER BY run_id DESC LIMIT 1" |
		sed -n 's/.*\(parameters [^;]*\); written: \([^;]*\);.*/\1; written: \2/p')
}

sections=$root/bench/data/sections.md
budget=$root/bench/data/budget.md
cores=$(nproc)                 # dedup's threads = 0: one per core
: >"$sections"
: >"$budget"
largest=
runs_of=

size_i=0
for rows in $sizes; do
	size_i=$((size_i + 1))
	runs=$(echo "$runs_list" | awk -v i="$size_i" '{ print (i <= NF) ? $i : $NF }')
	runs_of="$runs_of$rows: $runs; "
	work=$root/bench/data/$rows
	echo "bench: $rows rows: generating into $work" >&2
	rm -rf "$work"
	mkdir -p "$work/key"
	chmod 700 "$work/key"
	cd "$work"
	month_rows=$((rows / 100))
	gen="gen_sample -A -s $seed -n $rows -o input -t truth.txt"
	genm="gen_sample -A -s $seed -b $rows -n $month_rows -M $stem -o monthly -t monthly-truth.txt"
	"$bin"/$gen
	"$bin"/$genm
	cp -r "$root/mappings" maps
	cp "$root"/bench/mappings/*.ini maps/
	n_files=$(ls input | wc -l)
	bytes=$(cat input/* | wc -c)
	mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
	read_rows=$(awk '$1 == "file" && $3 == "rows_read" { n += $4 } END { print n }' truth.txt)
	month_bytes=$(wc -c <"monthly/$stem.csv")
	keyopt="-k key/pipeline.key"
	# -v: the stages' steps go to the run's log (dedup_steps)
	runcmd="$bin/run -v -i input -m maps -d out/pipeline.db $keyopt"

	echo "bench: $rows rows: cat" >&2
	measure "true" sh -c "cat input/* >/dev/null"; cat_s=$m_s

	echo "bench: $rows rows: cold full pipeline" >&2
	measure "rm -rf out && mkdir -m 700 out" $runcmd; cold_s=$m_s; cold_rss=$m_rss
	sqlite3 out/pipeline.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	truth_cold=$(sh "$root/bench/truth.sh" out/pipeline.db truth.txt 2>&1 | tail -n 1)
	echo "bench: $rows rows: cold run vs truth: $truth_cold" >&2
	kept=$(sqlite3 out/pipeline.db 'select sum(rows_kept) from input_file')
	episodes=$(sqlite3 out/pipeline.db 'select count(*) from episode')
	persons=$(sqlite3 out/pipeline.db 'select count(*) from person')
	cold_stages=$(stage_times out)
	cold_dedup=$(dedup_steps out)
	snap out out.cold

	# The comparisons next, so that the machine's drift over the bench (it is
	# shared) touches ours and theirs alike: in the fifteenth round DuckDB,
	# measured ten minutes after our cold run, took 18% longer than in the
	# fourteenth, our cold run 4%.
	echo "bench: $rows rows: sqlite3 .import" >&2
	# sqlite3 .import: each file with its source's delimiter, into one table
	# per file; CSV mode, or ascii mode (no quote handling) for the sources
	# whose mapping file says they are never quoted: in CSV mode an
	# unterminated quote would swallow the rest of the file.
	cat >import.sh <<'IMP'
rm -f imp.db
for ini in maps/*.ini; do
	pat=$(sed -n 's/^files *= *\([^ ;]*\).*/\1/p' "$ini" | cut -d, -f1)
	case $(sed -n 's/^delimiter *= *\([a-z]*\).*/\1/p' "$ini") in
	semicolon) sep=';' ;; tab) sep='\t' ;; pipe) sep='|' ;; *) sep=',' ;;
	esac
	mode=csv
	grep -qi 'never quoted\|no field is ever quoted' "$ini" && mode=ascii
	for f in input/$pat; do
		[ -f "$f" ] || continue
		t=$(basename "$f" | tr -c 'A-Za-z0-9\n' _)
		printf '.mode %s\n.separator "%s" "\\n"\n.import %s t_%s\n' "$mode" "$sep" "$f" "$t"
	done
done | sqlite3 imp.db 2>/dev/null
IMP
	measure "rm -f imp.db" sh import.sh; import_s=$m_s; import_rss=$m_rss
	imported=$(sqlite3 imp.db "select name from sqlite_schema where type = 'table'" |
		while read -r t; do sqlite3 imp.db "select count(*) from \"$t\""; done | awk '{ n += $1 } END { print n + 0 }')
	rm -f imp.db

	duck_s=- duck_rss=- duck_check= duck_fail=
	if [ -z "$duck_note" ]; then
		echo "bench: $rows rows: DuckDB" >&2
		mkdir -p duckwork
		soft=1
		if measure "true" node "$duck_dir/job.mjs" maps input duckwork; then
			duck_s=$m_s; duck_rss=$m_rss
			cp "$work/stdout" duck.txt
		else
			duck_fail="DuckDB failed: ${m_err:-see above}"
			: >duck.txt
		fi
		soft=
		# Ours per district (the cold run) next to DuckDB's: same order?
		sqlite3 -separator ' ' out.cold/pipeline.db "select 'persons', e.district, count(distinct p.person_key)
			from episode_person p join episode e using (file_id, line) group by e.district
			union all select 'persons', 'city', count(*) from person" >ours.txt
		duck_check=$(awk 'NR == FNR { ours[$2] = $3; next } $1 == "persons" { d[$2] = $3 }
			END { bad = 0; n = 0; worst = 0
			      for (k in ours) { n++; r = (k in d && ours[k] > 0) ? d[k] / ours[k] : 0
			                        dev = r > 1 ? r - 1 : 1 - r; if (dev > worst) worst = dev
			                        if (r < 0.5 || r > 2) bad++ }
			      printf "%s: %d figures, DuckDB/ours within %.1f%%", bad ? "**not plausible**" : "plausible", n, 100 * worst }' ours.txt duck.txt)
		echo "bench: $rows rows: DuckDB vs ours: $duck_check" >&2
		rm -rf duckwork
	fi

	# Each stage alone, from the state the previous one left (st/ holds it).
	echo "bench: $rows rows: stages alone" >&2
	sdb="-d st/pipeline.db"
	s_ingest="$bin/ingest -q -i input -m maps $sdb $keyopt"
	s_map="$bin/map -q -m maps $sdb $keyopt"
	s_dedup="$bin/dedup -q -c maps/linkage/linkage.ini $sdb $keyopt"
	s_indicators="$bin/indicators -q -c maps/indicators/indicators.ini -p maps/population/population.csv $sdb"
	s_report="$bin/report -q -o st $sdb --lang sv"
	prev=
	stage_rows=
	for s in ingest map dedup indicators report; do
		eval "cmd=\$s_$s"
		if [ -z "$prev" ]; then setup="rm -rf st && mkdir -m 700 st"; else setup="rm -rf st && cp -a st.$prev st && sync"; fi
		measure "$setup" $cmd
		stage_rows="$stage_rows$s $m_s $m_rss
"
		if [ "$s" = dedup ]; then
			dedup_s=$m_s
			dedup_pairs=$(sqlite3 st/pipeline.db "SELECT n FROM linkage_param
				WHERE comparison = 'run' AND level = 'candidate_pairs';")
		fi
		sqlite3 st/pipeline.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
		snap st "st.$s"
		[ -z "$prev" ] || rm -rf "st.$prev"
		prev=$s
	done
	rm -rf st "st.$prev"

	echo "bench: $rows rows: incremental run (monthly file $stem.csv)" >&2
	measure "rm -f input/$stem.csv && rm -rf out && cp -a out.cold out && sync && cp monthly/$stem.csv input/" $runcmd
	inc_s=$m_s; inc_rss=$m_rss
	inc_stages=$(stage_times out)
	inc_dedup=$(dedup_steps out)
	truth_inc=$(sh "$root/bench/truth.sh" out/pipeline.db truth.txt monthly-truth.txt 2>&1 | tail -n 1)
	echo "bench: $rows rows: incremental run vs truth: $truth_inc" >&2
	rm -f "input/$stem.csv"

	echo "bench: $rows rows: nothing new" >&2
	rm -rf out && cp -a out.cold out && sync
	measure "true" $runcmd; noop_s=$m_s; noop_rss=$m_rss

	cp "maps/$edit.ini" "$edit.ini.orig"
	echo "bench: $rows rows: $edit.ini edited" >&2
	edit_run '; an analyst edits this file\n'
	edit_s=$m_s; edit_rss=$m_rss; edit_stages=$e_stages; edit_dedup=$e_dedup
	edit_files=$(sqlite3 out/pipeline.db "SELECT count(*) FROM input_file WHERE source = '$edit'")
	echo "bench: $rows rows: $edit.ini: a recoding fixed" >&2
	edit_run '\n[recode intervention]\nBoendestöd = HOUSE   ; an analyst fixes a recoding\n'
	recode_s=$m_s; recode_rss=$m_rss; recode_stages=$e_stages; recode_dedup=$e_dedup
	recode_map=$e_map
	cp "$edit.ini.orig" "maps/$edit.ini"
	rm -f "$edit.ini.orig"

	rm -rf out

	# ---- this size's section ---------------------------------------------------
	largest=$rows
	{
		echo "## $rows rows"
		echo
		echo "Input: \`$gen\`: $n_files files of ten districts, $mb MiB, $read_rows data rows"
		echo "($kept kept by ingest, $episodes episodes after map, $persons persons after dedup)."
		echo "Monthly file: \`$genm\`: $stem.csv, $month_rows rows, $(awk -v b="$month_bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB, new persons."
		echo "Cold run vs the true figures (bench/truth.sh): $truth_cold."
		echo "Incremental run vs the true figures (with the monthly file's): $truth_inc."
		echo
		echo "| what | median s | rows/s | MiB/s | peak RSS MiB | ratio to ours cold |"
		echo "|---|---:|---:|---:|---:|---:|"
		echo "| \`cat\` of the files (read limit) | $cat_s | | $(rate "$mb" "$cat_s") | | $(ratio "$cat_s" "$cold_s") |"
		echo "| **ours: cold full pipeline** (\`run\`, empty output) | $cold_s | $(rate "$read_rows" "$cold_s") | $(rate "$mb" "$cold_s") | $(mib "$cold_rss") | 1.00 |"
		echo "$stage_rows" | while read -r s t k; do
			[ -n "$s" ] || continue
			echo "| ours: \`$s\` alone | $t | $(rate "$read_rows" "$t") | $(rate "$mb" "$t") | $(mib "$k") | $(ratio "$t" "$cold_s") |"
		done
		echo "| ours: incremental run, one monthly file ($month_rows rows) | $inc_s | | | $(mib "$inc_rss") | $(ratio "$inc_s" "$cold_s") |"
		echo "| ours: nothing new | $noop_s | | | $(mib "$noop_rss") | $(ratio "$noop_s" "$cold_s") |"
		echo "| ours: $edit.ini edited outside what ingest reads ($edit_files files mapped again) | $edit_s | | | $(mib "$edit_rss") | $(ratio "$edit_s" "$cold_s") |"
		echo "| ours: a recoding fixed in $edit.ini (\`Boendestöd = HOUSE\`: ${recode_map:-?}) | $recode_s | | | $(mib "$recode_rss") | $(ratio "$recode_s" "$cold_s") |"
		echo "| \`sqlite3\` CLI \`.import\` (plain load, no mapping; $imported rows) | $import_s | $(rate "$read_rows" "$import_s") | $(rate "$mb" "$import_s") | $(mib "$import_rss") | $(ratio "$import_s" "$cold_s") |"
		if [ -n "$duck_fail" ]; then
			echo "| DuckDB | - | | | | $duck_fail |"
		elif [ -z "$duck_note" ]; then
			echo "| DuckDB $duck_ver (\`job.mjs\`: read, recode, unique persons) | $duck_s | $(rate "$read_rows" "$duck_s") | $(rate "$mb" "$duck_s") | $(mib "$duck_rss") | $(ratio "$duck_s" "$cold_s") |"
		else
			echo "| DuckDB | - | | | | $duck_note |"
		fi
		echo
		echo "Ratios: ours/DuckDB $(ratio "$cold_s" "$duck_s"), ours/sqlite3 .import $(ratio "$cold_s" "$import_s"),"
		echo "incremental/cold $(ratio "$inc_s" "$cold_s"), nothing new $noop_s s."
		echo "Stage times inside the last cold run (its log): $cold_stages."
		echo "Stage times inside the last incremental run: $inc_stages."
		echo "dedup's steps inside the last cold run: $cold_dedup."
		echo "dedup's steps inside the last incremental run: $inc_dedup."
		echo "Stage times inside the last run after the mapping edit: $edit_stages; its dedup: $edit_dedup."
		echo "Stage times inside the last run after the recoding fixed: $recode_stages; its dedup: $recode_dedup."
		echo "Rows/s and MiB/s of every row are over the whole input ($read_rows rows, $mb MiB)."
		if [ -n "$duck_check" ] && [ -z "$duck_fail" ]; then
			echo "DuckDB's unique persons per district and city-wide against ours (cold run): $duck_check."
			echo
			echo "| persons | ours | DuckDB |"
			echo "|---|---:|---:|"
			awk 'NR == FNR { ours[$2] = $3; next } $1 == "persons" { printf "| %s | %s | %s |\n", $2, ($2 in ours ? ours[$2] : "-"), $3 }' ours.txt duck.txt
			echo
			echo "DuckDB's own counts: $(grep -v '^persons' duck.txt | tr '\n' ',' | sed 's/,$//; s/,/, /g')."
		fi
		echo
	} >>"$sections"
	max_stage_rss=$(echo "$stage_rows" | awk 'NF == 3 && $3 > m { m = $3; s = $1 } END { printf "%.0f %s", m / 1024, s }')
	{
		echo "| cold full pipeline: ours/DuckDB ≤ 0.8 | $rows | $(ratio "$cold_s" "$duck_s") ($cold_s s / $duck_s s) | $(verdict "$(ratio "$cold_s" "$duck_s")" "<=" 0.8) |"
		echo "| cold full pipeline within 2× of sqlite3 .import | $rows | $(ratio "$cold_s" "$import_s") ($cold_s s / $import_s s) | $(verdict "$(ratio "$cold_s" "$import_s")" "<=" 2) |"
		echo "| peak memory of every stage ≤ 128 MiB (aim at 10M) | $rows | ${max_stage_rss% *} MiB (${max_stage_rss#* }); cold run $(mib "$cold_rss") MiB | $(verdict "${max_stage_rss% *}" "<=" 128) |"
		echo "| incremental run ≤ 5% of cold (aim at 10M) | $rows | $(awk -v a="$inc_s" -v b="$cold_s" 'BEGIN { printf "%.1f%%", 100 * a / b }') ($inc_s s / $cold_s s) | $(verdict "$(ratio "$inc_s" "$cold_s")" "<=" 0.05) |"
		echo "| nothing new ≤ 0.5 s | $rows | $noop_s s | $(verdict "$noop_s" "<=" 0.5) |"
		# the whole of dedup alone (load, estimate, block, compare, cluster,
		# write) over every core it may use: a lower bound per core
		pps_run=$(awk -v n="${dedup_pairs:--}" -v s="$dedup_s" -v c="$cores" \
			'BEGIN { if (n != "-" && s > 0) printf "%.0f", n / s / c; else print "-" }')
		echo "| linkage ≥ 1,000,000 compared pairs/s per core (\`dedup\` alone, whole run, over $cores cores) | $rows | $pps_run pairs/s per core (${dedup_pairs:--} candidate pairs in $dedup_s s) | $(verdict "$pps_run" ">=" 1000000) |"
	} >>"$budget"
	rm -rf out.cold
	cd "$root"
done

# ---- linkage: its own section (bench/linkage.sh), and its budget line ---------
echo "bench: linkage" >&2
RUNS=$(echo "$runs_list" | awk '{ print $1 }') sh "$root/bench/linkage.sh" "$build" >"$root/bench/data/linkage.md"
# and ten times the records: enough pairs sharing a valid number (labels)
# for m_from = auto to take m from them, as on real data
echo "bench: linkage, ${LINKAGE_RECORDS_LARGE:-100000} records" >&2
LINKAGE_RECORDS=${LINKAGE_RECORDS_LARGE:-100000} RUNS=1 sh "$root/bench/linkage.sh" "$build" \
	>"$root/bench/data/linkage-large.md"
pps=$(sed -n 's/^| whole run: [^|]*| [^|]*| [^|]*| [^|]*| \([0-9-]*\) |$/\1/p' "$root/bench/data/linkage.md")
marg=$(sed -n 's/^| marginal: [^|]*| [^|]*| [^|]*| [^|]*| \([0-9-]*\) |$/\1/p' "$root/bench/data/linkage.md")
echo "| linkage ≥ 1,000,000 compared pairs/s per core (bench/linkage.sh) | 10000 records | whole run ${pps:--}, marginal ${marg:--} pairs/s | whole run $(verdict "${pps:--}" ">=" 1000000), marginal $(verdict "${marg:--}" ">=" 1000000) |" >>"$budget"

# ---- RESULTS.md -------------------------------------------------------------------
cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)
{
	echo "# Benchmark results"
	echo
	echo "Regenerated by \`make bench\` (bench/run.sh; issue 8) from $started to $(date -u +%Y-%m-%dT%H:%M:%SZ),"
	echo "commit $commit."
	echo
	echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr);"
	echo "file system of bench/data: $(df -T "$root/bench/data" | awk 'NR == 2 { print $2 }'); load average at the end $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)."
	echo "$(cc --version | head -n 1); CFLAGS of the build: see the Makefile (default -O2 -g)."
	echo "$(sqlite3 --version | cut -d' ' -f1 | sed 's/^/sqlite3 CLI /'); $(command -v node >/dev/null 2>&1 && echo "Node.js $(node --version)" || echo "no Node.js"); DuckDB: $( [ -z "$duck_note" ] && echo "@duckdb/node-api $duck_ver" || echo "$duck_note")."
	echo
	echo "Sizes: $sizes rows; each figure is the median of the runs (${runs_of% }) (tools/runstat.c: wall time;"
	echo "peak RSS from getrusage of the children, the maximum over the runs; for \`run\` the largest"
	echo "stage process).  Files are read from the page cache (\`cat\` shows the read limit)."
	echo
	echo "## Budget (issue 8)"
	echo
	echo "| aim | rows | measured | verdict |"
	echo "|---|---:|---|---|"
	cat "$budget"
	echo
	echo "The 10M-row aims are judged at each size measured; a verdict at 1M rows only"
	echo "is an indication for 10M."
	echo
	cat "$sections"
	echo "## What is compared"
	echo
	echo "- **ours**: the driver \`run\` runs ingest (decode, parse, seal, register), map (recode,"
	echo "  dates, numbers, identity numbers, pseudonyms), dedup (deterministic and probabilistic"
	echo "  linkage), indicators and report (HTML, workbook, CSVs), each a process, one SQLite database."
	echo "- **sqlite3 .import**: every file into its own table with its source's delimiter (CSV"
	echo "  mode; ascii mode, without quote handling, for the sources that never quote); no decoding,"
	echo "  no title/footer handling, no mapping (a plain load: the write limit of SQLite).  Its row"
	echo "  count includes title, header and footer lines; rows after a broken quote may be lost."
	echo "- **DuckDB** (bench/duckdb/job.mjs): read_csv per file with the dialect from the mapping"
	echo "  files (Windows-1252 files converted to UTF-8 first by Node, counted in its time), recode"
	echo "  with CASE tables made from the code lists, dates and numbers parsed, invalid rows"
	echo "  dropped, identity numbers normalised to 12 digits (Luhn checked), a row without a valid"
	echo "  number linked by exact first name, last name, birth year and postcode, then unique persons"
	echo "  per district.  It does not seal, pseudonymise, link probabilistically, record rejects"
	echo "  with lines, compute indicators or write a report.  DuckDB runs on all $(nproc) cores (its"
	echo "  default threads); our stages are single-threaded processes run one after the other."
	echo
	echo "## Commands"
	echo
	echo "In bench/data/<rows>/ (BUILD = $bin):"
	echo
	echo '```'
	echo "BUILD/gen_sample -A -s $seed -n ROWS -o input -t truth.txt"
	echo "BUILD/gen_sample -A -s $seed -b ROWS -n ROWS/100 -M $stem -o monthly -t monthly-truth.txt"
	echo "cp -r mappings maps && cp bench/mappings/*.ini maps/"
	echo "runstat sh -c 'cat input/* >/dev/null'                                   # cat"
	echo "rm -rf out && mkdir out; runstat BUILD/run -v -i input -m maps -d out/pipeline.db -k key/pipeline.key   # cold"
	echo "sh bench/truth.sh out/pipeline.db truth.txt                              # check"
	echo "runstat BUILD/ingest -q -i input -m maps -d st/pipeline.db -k key/pipeline.key"
	echo "runstat BUILD/map -q -m maps -d st/pipeline.db -k key/pipeline.key"
	echo "runstat BUILD/dedup -q -c maps/linkage/linkage.ini -d st/pipeline.db -k key/pipeline.key"
	echo "runstat BUILD/indicators -q -c maps/indicators/indicators.ini -p maps/population/population.csv -d st/pipeline.db"
	echo "runstat BUILD/report -q -o st -d st/pipeline.db --lang sv"
	echo "# incremental: the cold run's out/ restored, monthly/$stem.csv copied into input/, then"
	echo "runstat BUILD/run -v -i input -m maps -d out/pipeline.db -k key/pipeline.key"
	echo "# nothing new: the cold run's out/ restored, the same command"
	echo "runstat sh import.sh     # sqlite3: .mode csv (ascii if never quoted), .separator per source, .import per file"
	echo "runstat node bench/duckdb/job.mjs maps input duckwork"
	echo '```'
} >"$out"
{
	echo; cat "$root/bench/data/linkage.md"
	echo; cat "$root/bench/data/linkage-large.md"
	echo; cat "$root/bench/analysis.md"
} >>"$out"
cat "$out"

#!/usr/bin/env bash
# t0403-dedup-privacy-and-config.sh - guards what dedup keeps secret, its
# settings and key checks, determinism and a corrected export, on three
# sources (a LUNDBY and c NORRA_HISINGEN: 20 filler persons with
# personnummer and test persons with personnummer, samordningsnummer and a
# reserve number; b OSTRA: episodes without a number, linked by names):
# - privacy: after ingest, map and dedup, each with -v, no identity number
#   (as written, normalised to 12 digits, as 10 digits), first name, last
#   name or postcode (as written and without its space; five digits are
#   only searched outside hex digests, where they occur by chance) of the
#   fixture is in any byte of the database, its -wal, -shm or -journal (kept
#   on disk by a connection held open while map and dedup run), or the
#   stderr of the three stages; again after a corrected export
#   (docs/linkage.md: "names and postcodes unsealed in memory only");
# - settings mistakes are exit 78 with "linkage.ini:LINE: " (unknown key,
#   bad threshold, bad tf_adjust, bad name_bands, unknown blocking key, empty
#   rule; an unknown section at its heading or first key) or naming
#   linkage.ini where there is no line to name (no [blocking] section,
#   [blocking] without a rule, settings file missing), and leave the person
#   tables as they were;
# - key file: world-readable (mode 644), missing (and not created), or
#   another key than ingest's: exit 78, tables untouched;
# - a second dedup run gives identical person, episode_person, person_link
#   and linkage_param tables;
# - after a corrected b.csv (ingest + map again), dedup's tables reflect it:
#   a now numbered episode is deterministic, a dropped episode's person is
#   gone, a new episode is its own person, nothing refers to old rows.
. "$(dirname "$0")/lib.sh"
new_fixture
linkage_fixture
linkage_sources

secrets=()
for i in $(seq 0 19); do
	y=$((30 + i)); m=$(printf '%02d' $((i % 12 + 1))); d=$(printf '%02d' $((i % 27 + 1)))
	n=$(pnr "$y$m$d" - "12$(( i % 2 ? 3 : 4 ))")
	secrets+=("$n" "19${n%-*}${n#*-}" "${n%-*}${n#*-}" "${fnames[i]}" "${lnames[i]}"
		"$(printf '998 %02d' "$i")" "$(printf '998%02d' "$i")")
done
T1=$(pnr 710412 - 242)     # F
T1_12=19${T1%-*}${T1#*-}
S1=$(pnr 641183 - 357)     # samordningsnummer, M (1964-11-23)
S1_12=19${S1%-*}${S1#*-}
{
	printf '%s\n' "$DEDUP_HEADER"
	printf '%s,Ingrid,Exempelsdotter,,999 10,,Öppenvård,2024-01-10\n' "$T1"    # 2
	printf '%s,Samuel,Samordnarsson,,999 70,,HVB,2024-01-11\n' "$S1"           # 3
	printf 'RES-4711,Reservia,Lokalsdotter,K,999 80,1977-07-07,HVB,2024-01-12\n' # 4
	for i in $(seq 0 19); do filler "$i" 2024-01-20; done                      # 5-24
} >"$WORK/input/a.csv"
{
	printf '%s\n' "$DEDUP_HEADER"
	printf ',Ingrid,Exempelsdotter,K,,1971-04-12,HVB,2024-02-10\n'              # 2
	printf ',Olof,Annanson,M,999 20,1966-05-05,HVB,2024-02-13\n'                # 3
	printf ',Ingrid,Exempelsdoter,K,999 10,1971-04-12,Öppenvård,2024-06-01\n'   # 4
	printf ',Samuel,Samordnarsson,M,999 70,1964-11-23,Öppenvård,2024-06-02\n'   # 5
} >"$WORK/input/b.csv"
{
	printf '%s\n' "$DEDUP_HEADER"
	for i in $(seq 0 19); do filler "$i" 2024-03-20; done                      # 2-21
	printf '%s,Samuel,Samordnarsson,,99970,,Öppenvård,2024-03-01\n' "$S1_12"   # 22
} >"$WORK/input/c.csv"
secrets+=("$T1" "$T1_12" "${T1%-*}${T1#*-}" "$S1" "$S1_12" "${S1%-*}${S1#*-}" RES-4711
	Ingrid Exempelsdotter Exempelsdoter Olof Annanson Samuel Samordnarsson Reservia Lokalsdotter
	'999 10' 99910 '999 20' 99920 '999 70' 99970 '999 80' 99980)

# privacy_check WHEN LOGS...: no secret in the database files or the logs.
privacy_check() {
	local when=$1 v f
	shift
	expect_true "$when: positive control 'Öppenvård' is found in the database" \
		grep -a -q -s -F -e Öppenvård "$DB" "$DB-wal"
	expect_true "$when: positive control: the five-digit search finds '99970' in c.csv" \
		grep -a -q -E -e "(^|[^0-9a-fA-F])99970([^0-9a-fA-F]|\$)" "$WORK/input/c.csv"
	for v in "${secrets[@]}"; do
		for f in "$DB" "$DB-wal" "$DB-shm" "$DB-journal" "$@"; do
			[ -e "$f" ] || continue
			case $v in
			[0-9][0-9][0-9][0-9][0-9])
				# a postcode without its space: five digits occur by chance
				# inside the hex digests and pseudonyms, so only outside hex
				expect_eq "$when: '$v' (not within hex) in $(basename "$f")" "0" \
					"$(grep -a -c -E -e "(^|[^0-9a-fA-F])$v([^0-9a-fA-F]|\$)" "$f")" ;;
			*)
				expect_eq "$when: '$v' in $(basename "$f")" "0" \
					"$(grep -a -c -F -e "$v" "$f")" ;;
			esac
		done
	done
}
# in_input V: V is in an input file, or is a derived form of one that is:
# digits only (a number without separator) or a postcode without its space.
in_input() {
	local v=$1 alt
	grep -a -q -F -e "$v" "$WORK"/input/*.csv && return 0
	case $v in
	19[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9])   # 12 digits: as YYMMDD-NNNC
		alt=${v:2:6}-${v:8:4} ;;
	[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9])       # 10 digits
		alt=${v:0:6}-${v:6:4} ;;
	9[0-9][0-9][0-9][0-9])                                     # postcode without space
		alt="${v:0:3} ${v:3:2}" ;;
	*) return 1 ;;
	esac
	grep -a -q -F -e "$alt" "$WORK"/input/*.csv
}

expect_ingest 0 -v
cp "$ERR" "$WORK/ingest.log"
# Keep a connection open through a fifo, so the -wal and -shm that map and
# dedup write stay on disk to be searched (the last connection removes them).
mkfifo "$WORK/hold.fifo"
sqlite3 -batch "$DB" <"$WORK/hold.fifo" >/dev/null 2>&1 &
holder=$!
bg_pids="$bg_pids $holder"
exec 3>"$WORK/hold.fifo"
echo 'SELECT count(*) FROM input_file;' >&3
for _ in $(seq 50); do [ -e "$DB-shm" ] && break; sleep 0.1; done
expect_map 0 -v --today 2026-01-15
cp "$ERR" "$WORK/map.log"
expect_eq "episodes by file and id_type" "a.csv PNR 21
a.csv RESERV 1
a.csv SAMNR 1
b.csv NONE 4
c.csv PNR 20
c.csv SAMNR 1" "$(q "SELECT f.name || ' ' || e.id_type || ' ' || count(*) FROM episode e
                     JOIN input_file f USING (file_id) GROUP BY f.name, e.id_type ORDER BY 1;")"
expect_dedup 0 -v
cp "$ERR" "$WORK/dedup.log"
expect_dedup_reconciled
expect_true "dedup -v logged something" test -s "$WORK/dedup.log"
expect_eq "persons by their episodes (test persons)" \
"a.csv:2 b.csv:2 b.csv:4
a.csv:3 b.csv:5 c.csv:22
a.csv:4
b.csv:3" "$(persons_by_episodes | grep -v -E '^a\.csv:([5-9]|1[0-9]|2[0-4]) c\.csv:([2-9]|1[0-9]|2[01])$')"
expect_eq "filler persons" "20" "$(persons_by_episodes | grep -c -E '^a\.csv:([5-9]|1[0-9]|2[0-4]) c\.csv:([2-9]|1[0-9]|2[01])$')"
for v in "${secrets[@]}"; do
	expect_true "'$v' is in the input (or a derived form of a value that is)" in_input "$v"
done
expect_true "the -wal of map and dedup is on disk" test -s "$DB-wal"
expect_true "the -shm is on disk" test -s "$DB-shm"
expect_true "the -wal holds dedup's pages (positive control: 'probabilistic')" \
	grep -a -q -F -e probabilistic "$DB-wal"
privacy_check "after ingest, map, dedup -v" "$WORK/ingest.log" "$WORK/map.log" "$WORK/dedup.log"
exec 3>&-
wait "$holder"

# Determinism: a second run gives the same tables.
first=$(dedup_tables)
expect_true "person tables are not empty" test "$(printf '%s\n' "$first" | grep -c '^person|')" -gt 20
expect_dedup 0 -q
expect_eq "person tables after a second dedup run" "$first" "$(dedup_tables)"
expect_eq "a second dedup run writes no person or episode_person row" "0 0" \
	"$(run_param person_rows_written) $(run_param episode_person_rows_written)"

# Settings mistakes: exit 78 naming the file and line; tables untouched.
mkdir -p "$WORK/bad"
BADINI=$WORK/bad/linkage.ini
good_ini() {
	cat <<'INI'
[linkage]
threshold = 4.3
u_sample_pairs = 200000
em_iterations = 200
max_block = 2000
tf_adjust = yes
name_bands = 0.92, 0.80
[blocking]
rule = birth_date + first_initial
rule = birth_date + last_initial
rule = birth_date + initials
rule = first_name + last_name + birth_month_day
rule = last_name + birth_year + first_initial
rule = first_name + birth_year + last_initial
rule = postcode + birth_year + last_initial
rule = last_name + postcode + first_initial
rule = first_name + postcode + last_initial
INI
}
# bad_ini LINE TEXT: good_ini with line LINE replaced by TEXT.
bad_ini() { good_ini | awk -v n="$1" -v t="$2" 'NR == n { print t; next } { print }' >"$BADINI"; }
saved=$LINKAGE
LINKAGE=$BADINI
good_ini >"$BADINI"
expect_dedup 0 -q
expect_eq "the good settings file gives the same tables" "$first" "$(dedup_tables)"
for c in "4|em_iteration = 200|unknown key" \
	"2|threshold = high|bad threshold" \
	"2|threshold = 4,3|bad threshold (comma)" \
	"6|tf_adjust = maybe|bad tf_adjust" \
	"5|threads = -1|negative threads" \
	"5|threads = 1.5|fractional threads" \
	"7|name_bands = 0.80, 0.92|name_bands low above high" \
	"10|rule = last_name + shoe_size|unknown blocking key" \
	"10|rule = |empty blocking rule" \
	"4|m_from = sometimes|bad m_from"; do
	line=${c%%|*}; rest=${c#*|}; text=${rest%|*}; what=${rest#*|}
	bad_ini "$line" "$text"
	expect_dedup 78 -q
	expect_grep "$what ('$text' at line $line): error names linkage.ini:$line" \
		" dedup E .*linkage\\.ini:$line: " "$(cat "$ERR")"
	expect_eq "$what: tables untouched" "$first" "$(dedup_tables)"
done
bad_ini 8 "[linking]"
expect_dedup 78 -q
expect_grep "unknown section [linking] at line 8: error names linkage.ini:8 or :9 (its first key)" \
	' dedup E .*linkage\.ini:(8|9): ' "$(cat "$ERR")"
expect_eq "unknown section: tables untouched" "$first" "$(dedup_tables)"
good_ini | head -n 7 >"$BADINI"
expect_dedup 78 -q
expect_grep "no [blocking] section: error names linkage.ini" ' dedup E .*linkage\.ini' "$(cat "$ERR")"
expect_eq "no [blocking]: tables untouched" "$first" "$(dedup_tables)"
good_ini | head -n 8 >"$BADINI"
expect_dedup 78 -q
expect_grep "[blocking] without a rule: error names linkage.ini" ' dedup E .*linkage\.ini' "$(cat "$ERR")"
expect_eq "[blocking] without a rule: tables untouched" "$first" "$(dedup_tables)"
{ good_ini; for i in 1 2 3 4 5 6 7 8; do echo "rule = sex + birth_year"; done; } >"$BADINI"
expect_dedup 78 -q
expect_grep "17 blocking rules: error names linkage.ini:25" \
	' dedup E .*linkage\.ini:25: more than 16 blocking rules' "$(cat "$ERR")"
expect_eq "17 blocking rules: tables untouched" "$first" "$(dedup_tables)"
LINKAGE=$WORK/bad/missing/linkage.ini
expect_dedup 78 -q
expect_grep "missing settings file: error names it" ' dedup E .*bad/missing/linkage\.ini' "$(cat "$ERR")"
expect_eq "missing settings file: tables untouched" "$first" "$(dedup_tables)"
LINKAGE=$saved

# Key file mistakes: exit 78, tables untouched, no key made.
chmod 644 "$KEY"
expect_dedup 78 -q
expect_grep "world-readable key file: error names it" " dedup E .*$(basename "$KEY")" "$(cat "$ERR")"
expect_eq "world-readable key file: tables untouched" "$first" "$(dedup_tables)"
chmod 600 "$KEY"
saved=$KEY
KEY=$WORK/key/missing.key
expect_dedup 78 -q
expect_grep "missing key file: error names it" ' dedup E .*missing\.key' "$(cat "$ERR")"
expect_true "missing key file: dedup does not create it" test ! -e "$KEY"
expect_eq "missing key file: tables untouched" "$first" "$(dedup_tables)"
KEY=$WORK/key/other.key
(umask 077 && printf '%064x\n' 0 | tr 0 7 >"$KEY")
expect_dedup 78 -q
expect_grep "another key than ingest's: an error" ' dedup E ' "$(cat "$ERR")"
expect_eq "another key than ingest's: tables untouched" "$first" "$(dedup_tables)"
KEY=$saved
expect_dedup 0 -q
expect_eq "the right key again: the same tables" "$first" "$(dedup_tables)"

# A corrected b.csv: b:2 now has the number (12 digits), Olof (b:3) is gone,
# the typo line moves to 3, a new person on 4; Samuel's line is dropped.
{
	printf '%s\n' "$DEDUP_HEADER"
	printf '%s,Ingrid,Exempelsdotter,K,,1971-04-12,HVB,2024-02-10\n' "$T1_12"  # 2
	printf ',Ingrid,Exempelsdoter,K,999 10,1971-04-12,Öppenvård,2024-06-01\n'   # 3
	printf ',Nyberta,Rättelsesdotter,K,999 60,1988-08-08,HVB,2024-07-01\n'      # 4
} >"$WORK/input/b.csv"
touch -d '2026-11-02 02:00:00' "$WORK/input/b.csv"
secrets+=(Nyberta Rättelsesdotter '999 60' 99960)
expect_ingest 0 -q
expect_stats b.csv "ok|4|0|1|0|0|3|3|0"
expect_map 0 -q --today 2026-01-15
expect_dedup 0 -q
expect_dedup_reconciled
expect_eq "after the correction: persons by their episodes (test persons)" \
"a.csv:2 b.csv:2 b.csv:3
a.csv:3 c.csv:22
a.csv:4
b.csv:4" "$(persons_by_episodes | grep -v -E '^a\.csv:([5-9]|1[0-9]|2[0-4]) c\.csv:([2-9]|1[0-9]|2[01])$')"
expect_eq "after the correction: steps of b.csv:2, b.csv:3, b.csv:4" \
	"deterministic probabilistic unlinked" "$(step_of b.csv 2) $(step_of b.csv 3) $(step_of b.csv 4)"
expect_eq "after the correction: person of b.csv:2" "PNR|3|2" "$(person_row b.csv 2)"
expect_eq "after the correction: person of b.csv:4" "SINGLE|1|1" "$(person_row b.csv 4)"
expect_eq "after the correction: person of c.csv:22 (SAMNR)" "PNR|2|2" "$(person_row c.csv 22)"
expect_eq "after the correction: persons" "24" "$(q 'SELECT count(*) FROM person;')"
expect_eq "after the correction: person_link rows naming no episode" "" \
	"$(q "SELECT a_file_id || ':' || a_line || ' ' || b_file_id || ':' || b_line FROM person_link l
	       WHERE NOT EXISTS (SELECT 1 FROM episode e WHERE e.file_id = l.a_file_id AND e.line = l.a_line)
	          OR NOT EXISTS (SELECT 1 FROM episode e WHERE e.file_id = l.b_file_id AND e.line = l.b_line)
	          OR NOT EXISTS (SELECT 1 FROM person p WHERE p.person_key = l.person_key);")"
expect_eq "after the correction: person_link rows = run links" "$(run_param links)" \
	"$(q 'SELECT count(*) FROM person_link;')"
expect_eq "after the correction: episodes of b.csv in episode_person" "2 3 4" \
	"$(q "SELECT group_concat(line, ' ') FROM (SELECT line FROM episode_person
	        WHERE file_id = $(fid b.csv) ORDER BY line);")"
privacy_check "after the correction"
finish

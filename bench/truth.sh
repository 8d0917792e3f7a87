#!/bin/sh
# bench/truth.sh DB TRUTHFILE... - compare a pipeline database with the
# generator's true figures (tools/gen_sample.c truth files).
#
# Checks, for every file the truth files name: rows read, rows rejected by
# ingest and by map, and every reject (file, line, reason code); then the
# unique persons per district and city-wide against the sum of the truth
# files' persons_mapped lines (several truth files: the base export and
# monthly files, whose persons are new).  Prints one line per mismatch (20
# at most per kind) and a last line "truth: ok: ..." (exit 0) or a summary
# of what differs (exit 1): files, rejects, and persons city-wide and per
# district (a person difference is dedup's linkage merging or splitting
# true persons).
set -eu
db=$1; shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
q() { sqlite3 -bail -separator ' ' "$db" "$@"; }

cat "$@" | awk '$1 == "file" && $3 ~ /^rows_(read|rejected|rejected_map)$/ { print $2, $3, $4 }' |
	LC_ALL=C sort >"$tmp/want_files"
q "SELECT f.name, 'rows_read', f.rows_read FROM input_file f
   UNION ALL SELECT f.name, 'rows_rejected', f.rows_rejected FROM input_file f
   UNION ALL SELECT f.name, 'rows_rejected_map', m.rows_rejected
     FROM input_file f JOIN mapped_file m USING (file_id)" | LC_ALL=C sort >"$tmp/got_files"
# An unterminated quote runs to the end of the file or to max_field_bytes,
# whichever comes first: either code is right for it.
cat "$@" | awk '$1 == "reject" { print $2, $3, $4 }' | sed 's/unterminated_quote$/unterminated_or_too_long/' |
	LC_ALL=C sort >"$tmp/want_rej"
q "SELECT f.name, r.line, r.code FROM reject r JOIN input_file f USING (file_id)" |
	sed 's/\(unterminated_quote\|field_too_long\)$/unterminated_or_too_long/' | LC_ALL=C sort >"$tmp/got_rej"
cat "$@" | awk '$1 == "persons_mapped" && $2 != "multi_district" { n[$2] += $3 }
	END { for (d in n) print d, n[d] }' | LC_ALL=C sort >"$tmp/want_persons"
{ q "SELECT 'city', count(*) FROM person"
  q "SELECT e.district, count(DISTINCT p.person_key) FROM episode_person p
       JOIN episode e USING (file_id, line) GROUP BY e.district"
} | LC_ALL=C sort >"$tmp/got_persons"
# Districts without episodes have no row in the database: compare the truth's
# non-zero figures.
awk '$2 != 0' "$tmp/want_persons" >"$tmp/want_persons2"

n=0
for k in files rej persons; do
	w=$tmp/want_$k; [ "$k" = persons ] && w=$tmp/want_persons2
	if ! cmp -s "$w" "$tmp/got_$k"; then
		diff "$w" "$tmp/got_$k" | sed -n "s/^< /truth: want $k: /p; s/^> /truth: got  $k: /p" | head -n 20
		n=$((n + $(diff "$w" "$tmp/got_$k" | grep -c '^[<>]')))
	fi
done
if [ "$n" -eq 0 ]; then
	echo "truth: ok: $(wc -l <"$tmp/want_files" | awk '{ print $1 / 3 }') files, $(wc -l <"$tmp/want_rej") rejects, persons of $(($(wc -l <"$tmp/want_persons2") - 1)) districts and city-wide ($(awk '$1 == "city" { print $2 }' "$tmp/want_persons")) as generated"
	exit 0
fi
# The summary: files and rejects (the generator's and ingest/map's), then
# persons (dedup's linkage: a difference is persons merged or split).
dfiles=$(diff "$tmp/want_files" "$tmp/got_files" | grep -c '^[<>]' || true)
drej=$(diff "$tmp/want_rej" "$tmp/got_rej" | grep -c '^[<>]' || true)
persons=$(awk 'NR == FNR { w[$1] = $2; next } { g[$1] = $2 }
	END { worst = 0; wd = "-"; nd = 0
	      for (d in w) { if (d == "city" || w[d] == 0) continue
	                     x = g[d] - w[d]; if (x != 0) nd++; a = x < 0 ? -x : x
	                     if (a > worst) { worst = a; wd = d } }
	      printf "persons city-wide %d, true %d (%+d); %d districts differ, at most by %d (%s)",
	             g["city"], w["city"], g["city"] - w["city"], nd, worst, wd }' \
	"$tmp/want_persons" "$tmp/got_persons")
echo "truth: files $([ "$dfiles" -eq 0 ] && echo ok || echo "$dfiles lines differ"), rejects $([ "$drej" -eq 0 ] && echo "ok ($(wc -l <"$tmp/want_rej"))" || echo "$drej lines differ"); $persons"
exit 1

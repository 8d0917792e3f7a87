#!/usr/bin/env bash
# t0511-run-schema-upgrade.sh - guards the upgrade of a schema version 2
# database (tests/data/schema-v2.sql: person keyed by its 64-hex person_id,
# episode with a mapping_sha256 per row, a sealed blob per raw row) to
# version 13 (through 3, 4, 5, 6, 7, 8, 9, 10, 11 and 12), of a version 3 database (no
# linkage_source), a version 4 one (no linkage state), a version 5 one (no
# input_file.ingest_sha256) and a version 6 one (sealed values one blob a row
# in raw_row.sealed) and a version 7 one (no tables for the indicators'
# nights), a version 8 one (no triggers noting other programs' writes
# to the person tables), a version 9 one (no kept load for dedup) and a
# version 10 one (person_id under a UNIQUE index) and a version 11 one (no
# episode_before; the trigger on episode's updates without its WHEN) and a
# version 12 one (raw_row a table, a row a record) to 13 (every older form
# made from the new database has raw_row as version 12 had it):
# - the samples run to the end on a new database; its rows are copied into a
#   database made with the version 2 schema (episode's mapping_sha256 from
#   mapped_file, person rows by person_id, each raw row's sealed values
#   sealed on their own by tools/seal_v6.c, as ingest did before version 7)
#   and the run.state kept;
# - report refuses the version 2 database (exit 78) and leaves it as it was;
# - indicators upgrades it and stops with exit 65 "episodes have no person:
#   run dedup first" (the person tables are emptied by the upgrade, never
#   left stale); the episodes are kept, row for row; every row's sealed blob
#   is a chunk of format 1 in raw_sealed, and raw_row.sealed is gone;
# - the driver's ingest then seals them again in chunks of 256 rows (format
#   2), the chunks where a new database has them;
# - the driver, with the same programs and run.state, runs dedup, indicators
#   and report again (the upgrade records a 'dedup' stage_run row), and the
#   persons (by person_id), episode persons, links, indicator tables and
#   report CSVs equal those of the new database (dedup read the names from
#   the format 1 chunks); episode_v shows the mapping file's SHA-256; no
#   foreign key violation;
# - a version 3 database (the new one without linkage_source): report
#   refuses it; the driver upgrades it (a 'schema 4' stage_run row), runs
#   dedup again, which fills linkage_source as on the new database and
#   writes no person row, and the report tables are as new;
# - a version 4 database (no linkage_state, _weight, _name, _count, _pair):
#   report refuses it; the driver upgrades it, the tables empty, and runs
#   nothing again; dedup then estimates the parameters as on a first run,
#   stores them and writes no person row;
# - a version 5 database (input_file without ingest_sha256): report refuses
#   it; the driver upgrades it and runs nothing again; no file is ingested
#   again (same rows in input_file), and ingest records the mapping's ingest
#   digest in every file's row;
# - a version 6 database: report refuses it; the driver upgrades it, seals
#   the values again in chunks and runs nothing else again; a comment added
#   to a mapping file then maps that source's files again from those
#   chunks, to the same episodes;
# - a version 10 database: the driver upgrades it and runs nothing again;
#   person holds the same rows under the same keys, person_id without an
#   index, the triggers on person made again with no write noted; a new
#   file with the first rows of lundby_2025.csv again is a night that finds
#   the old persons of those rows through their episodes: the tables of
#   --rescore, each person_id once, the persons written those of the new
#   file's episodes (old keys changed, new keys new);
# - a version 12 database: the driver upgrades it and runs nothing again;
#   each raw row becomes a chunk of its own in raw_chunk, and the view
#   raw_row shows the same rows; a comment in lundby.ini then maps lundby's
#   files again from those chunks, to the same episodes.
. "$(dirname "$0")/lib.sh"
new_fixture
samples_fixture
V2_SCHEMA=$PL_ROOT/tests/data/schema-v2.sql

expect_run 0 -q
expect_eq "a new database has version 13" "13" "$(q 'PRAGMA user_version;')"

# persons by person_id, whatever their person_key
person_state() {
	q "SELECT 'person', person_id, basis, n_episodes, n_districts FROM person ORDER BY person_id;
	   SELECT 'episode_person', ep.file_id, ep.line, p.person_id, ep.step
	     FROM episode_person ep JOIN person p USING (person_key) ORDER BY 2, 3;
	   SELECT 'person_link', p.person_id, a_file_id, a_line, b_file_id, b_line, weight, waterfall
	     FROM person_link l JOIN person p USING (person_key) ORDER BY 3, 4, 5, 6;
	   SELECT 'linkage_param', * FROM linkage_param
	    WHERE level NOT LIKE '%rows_written' ORDER BY comparison, level;
	   SELECT 'linkage_source', * FROM linkage_source ORDER BY source;"
}
episodes=$(q 'SELECT * FROM episode ORDER BY file_id, line;')
persons=$(person_state)
indicators_before=$(indicator_tables)
report_before=$(report_csv)
n_episodes=$(q 'SELECT count(*) FROM episode;')
expect_true "the samples have episodes and persons" \
	test "$n_episodes" -gt 1000 -a "$(q 'SELECT count(*) FROM person;')" -gt 500
expect_true "the samples have links" test "$(q 'SELECT count(*) FROM person_link;')" -gt 0

# v12_rows: SQL that makes the raw rows a table again, a row a record, as
# before version 13 (every older form below starts from it).
v12_rows="CREATE TABLE raw_row_v12 (file_id INTEGER NOT NULL REFERENCES input_file(file_id)
	    ON DELETE CASCADE, line INTEGER NOT NULL, fields TEXT NOT NULL,
	    PRIMARY KEY (file_id, line)) WITHOUT ROWID;
	  INSERT INTO raw_row_v12 SELECT file_id, line, fields FROM raw_row;
	  DROP VIEW raw_row; DROP TABLE raw_chunk; ALTER TABLE raw_row_v12 RENAME TO raw_row;"

# The new database's sealed values as version 6 held them: a blob a row.
old_form=$WORK/v6-form.db
q "VACUUM INTO '$old_form';"
sqlite3 -batch "$old_form" "$v12_rows" 2>>"$WORK/.sql-errors"
expect_exit 0 "$PL_BIN/seal_v6" "$old_form" "$KEY"
n_sealed=$(sqlite3 -batch "$old_form" 'SELECT count(*) FROM raw_row WHERE sealed IS NOT NULL;')
expect_true "the samples have sealed rows" test "$n_sealed" -gt 1000
chunks_sql="SELECT file_id, first_line, format, length(blob) FROM raw_sealed ORDER BY 1, 2;"
chunks=$(q "$chunks_sql")

# The version 2 database: its schema, the new database's rows.
v2=$WORK/v2.db
sqlite3 -batch "$v2" <"$V2_SCHEMA" 2>>"$WORK/.sql-errors"
sqlite3 -batch "$v2" "
  ATTACH '$old_form' AS v3;
  BEGIN;
  INSERT INTO input_file SELECT file_id, name, size, mtime_ns, sha256, source, mapping_sha256,
         status, message, encoding, lines, title_lines, header_lines, footer_rows, blank_lines,
         rows_read, rows_kept, rows_rejected, ingested_at FROM v3.input_file;
  INSERT INTO file_column SELECT * FROM v3.file_column;
  INSERT INTO raw_row SELECT * FROM v3.raw_row;
  INSERT INTO reject SELECT * FROM v3.reject;
  INSERT INTO mapped_file SELECT * FROM v3.mapped_file;
  INSERT INTO map_value SELECT * FROM v3.map_value;
  INSERT INTO episode SELECT e.*, m.mapping_sha256
    FROM v3.episode e JOIN v3.mapped_file m USING (file_id) ORDER BY e.file_id, e.line;
  INSERT INTO person SELECT person_id, basis, n_episodes, n_districts FROM v3.person;
  INSERT INTO episode_person SELECT ep.file_id, ep.line, p.person_id, ep.step
    FROM v3.episode_person ep JOIN v3.person p USING (person_key);
  INSERT INTO person_link SELECT p.person_id, a_file_id, a_line, b_file_id, b_line, weight,
         waterfall FROM v3.person_link l JOIN v3.person p USING (person_key);
  INSERT INTO linkage_param SELECT * FROM v3.linkage_param;
  INSERT INTO stage_run SELECT * FROM v3.stage_run;
  INSERT INTO indicator SELECT * FROM v3.indicator;
  INSERT INTO indicator_value SELECT * FROM v3.indicator_value;
  INSERT INTO indicator_equity SELECT * FROM v3.indicator_equity;
  INSERT INTO indicator_trend SELECT * FROM v3.indicator_trend;
  COMMIT;" 2>>"$WORK/.sql-errors"
rm -f "$DB" "$DB-wal" "$DB-shm"
mv "$v2" "$DB"
chmod 600 "$DB"
expect_eq "the version 2 database: version, episodes, persons, one mapping_sha256 per episode" \
	"2|$n_episodes|$(printf '%s\n' "$persons" | grep -c '^person|')|$n_episodes" \
	"$(q "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM episode),
	          (SELECT count(*) FROM person),
	          (SELECT count(*) FROM episode e JOIN mapped_file m USING (file_id)
	            WHERE e.mapping_sha256 = m.mapping_sha256);")"
expect_eq "the version 2 database: episode_person keyed by person_id" "1" \
	"$(q "SELECT count(*) FROM pragma_table_info('episode_person') WHERE name = 'person_id';")"
expect_eq "the version 2 database: no foreign key violation" "" "$(q 'PRAGMA foreign_key_check;')"
v2_state=$(sha256sum <"$DB")

# report reads only: it refuses an older database and changes nothing.
expect_exit 78 "$PL_BIN/report" -q -o "$WORK/report-v2" -d "$DB"
expect_like "report names the versions" '%schema version 2, this program needs 13%' "$(cat "$ERR")"
expect_eq "report left the version 2 database as it was" "$v2_state" "$(sha256sum <"$DB")"

# indicators upgrades it, then finds no persons: dedup has to run first.
expect_indicators 65 -q
expect_like "indicators: no person, run dedup" \
	"%$n_episodes of $n_episodes episodes have no person: run dedup first%" "$(cat "$ERR")"
expect_eq "upgraded: version 13" "13" "$(q 'PRAGMA user_version;')"
expect_eq "upgraded: every episode kept, row for row" "$episodes" \
	"$(q 'SELECT * FROM episode ORDER BY file_id, line;')"
expect_eq "upgraded: episode has no mapping_sha256" "0" \
	"$(q "SELECT count(*) FROM pragma_table_info('episode') WHERE name = 'mapping_sha256';")"
expect_eq "upgraded: person tables empty, keyed by person_key" "0|0|0|1|1|1" \
	"$(q "SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM episode_person),
	          (SELECT count(*) FROM person_link),
	          (SELECT count(*) FROM pragma_table_info('person') WHERE name = 'person_key' AND pk),
	          (SELECT count(*) FROM pragma_table_info('episode_person') WHERE name = 'person_key'),
	          (SELECT count(*) FROM pragma_table_info('person_link') WHERE name = 'person_key');")"
expect_eq "upgraded: the upgrade's stage_run row" \
	"dedup|schema 3||schema upgraded to version 3: person tables emptied, dedup must run again" \
	"$(q "SELECT stage, version, exit_code, summary FROM stage_run WHERE version = 'schema 3';")"
expect_eq "upgraded: version 4's stage_run row, and linkage_source empty" \
	"dedup|schema 4||schema upgraded to version 4: linkage_source is new, dedup must run again|0" \
	"$(q "SELECT stage, version, exit_code, summary, (SELECT count(*) FROM linkage_source)
	        FROM stage_run WHERE version = 'schema 4';")"
expect_eq "upgraded: version 5's linkage state tables, empty" "0|0|0|0|0" \
	"$(q "SELECT (SELECT count(*) FROM linkage_state), (SELECT count(*) FROM linkage_weight),
	          (SELECT count(*) FROM linkage_name), (SELECT count(*) FROM linkage_count),
	          (SELECT count(*) FROM linkage_pair);")"
expect_eq "upgraded: indicator tables untouched by the failed indicators run" \
	"$indicators_before" "$(indicator_tables)"
# sealed_moved N: a database upgraded from version N holds every sealed row's
# blob as a chunk of format 1 at its line, and raw_row no sealed column.
sealed_moved() {
	expect_eq "version $1: the sealed blobs moved, one chunk of format 1 a row" \
		"$n_sealed|$n_sealed|0|0" \
		"$(q "SELECT count(*), sum(format = 1),
		          (SELECT count(*) FROM raw_sealed s LEFT JOIN raw_row r
		            ON r.file_id = s.file_id AND r.line = s.first_line WHERE r.line IS NULL),
		          (SELECT count(*) FROM pragma_table_info('raw_row') WHERE name = 'sealed')
		     FROM raw_sealed;")"
}
sealed_moved 2
# sealed_again N: after the driver's ingest, the chunks where the new
# database had them, none of format 1 left.
sealed_again() {
	expect_eq "version $1: sealed again in chunks, as new" "$chunks" "$(q "$chunks_sql")"
}

# The driver, same programs, same run.state: dedup, indicators and report run again.
expect_run 0
expect_like "run: dedup ran" '%dedup I %persons%' "$(cat "$ERR")"
expect_like "run: indicators and report ran" '%indicators I %report I %' "$(cat "$ERR")"
expect_like "run: ingest sealed the values again" \
	'%ingest I angered%.csv: the sealed values of % rows, sealed a row at a time before schema version 7, sealed again in chunks of 256 rows%' \
	"$(cat "$ERR")"
sealed_again 2
expect_eq "after the run: episodes unchanged" "$episodes" \
	"$(q 'SELECT * FROM episode ORDER BY file_id, line;')"
expect_eq "after the run: persons, episode persons, links, linkage parameters as new" \
	"$persons" "$(person_state)"
expect_dedup_reconciled
expect_eq "after the run: indicator tables as new" "$indicators_before" "$(indicator_tables)"
expect_eq "after the run: report tables as new" "$report_before" "$(report_csv)"
expect_eq "episode_v: every episode with its file's mapping_sha256" "$n_episodes" \
	"$(q "SELECT count(*) FROM episode_v v JOIN mapped_file m USING (file_id)
	       WHERE v.mapping_sha256 = m.mapping_sha256 AND v.source_file IS NOT NULL;")"
expect_eq "after the run: no foreign key violation" "" "$(q 'PRAGMA foreign_key_check;')"

# Version 3: this database as it was before linkage_source.
v6_columns="ALTER TABLE input_file DROP COLUMN ingest_sha256;"
v11_tables="DROP TABLE episode_before; DROP TRIGGER episode_outside_update;
	    CREATE TRIGGER episode_outside_update AFTER UPDATE ON episode
	    BEGIN INSERT OR IGNORE INTO episode_outside_write (id) VALUES (1); END;"
v9_tables="$v11_tables DROP TRIGGER episode_outside_update; DROP TRIGGER episode_outside_delete;
	   DROP TABLE episode_outside_write; DROP TABLE linkage_kept;"
v8_tables="$v9_tables DROP TRIGGER person_outside_insert; DROP TRIGGER person_outside_update;
	   DROP TRIGGER person_outside_delete; DROP TRIGGER episode_person_outside_insert;
	   DROP TRIGGER episode_person_outside_update; DROP TRIGGER episode_person_outside_delete;
	   DROP TABLE person_outside_write;"
v7_tables="DROP TABLE person_change; DROP TABLE person_epoch; DROP TABLE indicator_state;
	   $v8_tables"
v5_tables="DROP TABLE linkage_state; DROP TABLE linkage_weight; DROP TABLE linkage_name;
	   DROP TABLE linkage_count; DROP TABLE linkage_pair;"
# as_version N SQL: this database made a version N one (the sealed values
# a blob a row, then SQL); report refuses it, naming both versions.
as_version() {
	q "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	q "$v12_rows"
	expect_exit 0 "$PL_BIN/seal_v6" "$DB" "$KEY"
	q "$2 $v7_tables PRAGMA user_version = $1;"
	expect_exit 78 "$PL_BIN/report" -q -o "$WORK/report-v$1" -d "$DB"
	expect_like "report names the versions ($1)" "%schema version $1, this program needs 13%" \
		"$(cat "$ERR")"
}
# run_upgrades N: the driver upgrades a version N database to 13 and runs
# neither dedup nor indicators again.
run_upgrades() {
	local n ni
	n=$(n_runs dedup)
	ni=$(n_runs indicators)
	expect_run 0 -q
	expect_eq "version $1: upgraded" "13" "$(q 'PRAGMA user_version;')"
	expect_eq "version $1: dedup and indicators not run again" "$n $ni" \
		"$(n_runs dedup) $(n_runs indicators)"
	sealed_again "$1"
}
as_version 3 "DROP TABLE linkage_source; DELETE FROM stage_run WHERE version = 'schema 4';
              $v5_tables $v6_columns"
expect_run 0
expect_like "version 3: dedup ran, writing no person row" \
	'%dedup I %written: persons 0 new, 0 changed, 0 gone; episodes'"'"' persons 0 new, 0 changed, 0 gone%' \
	"$(cat "$ERR")"
sealed_again 3
expect_eq "version 3: upgraded, one 'schema 4' stage_run row" "13 1" \
	"$(q 'PRAGMA user_version;') $(q "SELECT count(*) FROM stage_run WHERE version = 'schema 4';")"
expect_eq "version 3: persons and linkage_source as new" "$persons" "$(person_state)"
expect_eq "version 3: report tables as new" "$report_before" "$(report_csv)"

# Version 4: this database as it was before the linkage state.  Nothing
# forces a run: the next dedup run estimates the parameters, as a first run.
as_version 4 "$v5_tables $v6_columns"
run_upgrades 4
expect_eq "version 4: the state tables empty" "0" "$(q 'SELECT count(*) FROM linkage_state;')"
expect_dedup 0
expect_like "version 4: dedup estimates, writing no person row" \
	'%parameters estimated now; written: persons 0 new, 0 changed, 0 gone; episodes'"'"' persons 0 new, 0 changed, 0 gone%' \
	"$(cat "$ERR")"
expect_eq "version 4: the linkage state stored" "1" "$(q 'SELECT count(*) FROM linkage_state;')"
expect_eq "version 4: persons and linkage_source as new" "$persons" "$(person_state)"

# Version 5: this database as it was before input_file.ingest_sha256.  Nothing
# forces a run, and no file is ingested again.  (The driver first catches up
# with the dedup run by hand above.)
expect_run 0 -q
files=$(q "SELECT file_id, name, sha256, mapping_sha256, ingested_at FROM input_file ORDER BY name;")
as_version 5 "$v6_columns"
run_upgrades 5
expect_like "version 5: ingest ingested nothing" '7 files: 0 ingested, 7 unchanged,%' \
	"$(last_summary ingest)"
expect_like "version 5: the run did nothing new" 'nothing new: 7 files unchanged, dedup, indicators and report skipped;%' \
	"$(last_summary run)"
expect_eq "version 5: no file ingested again" "$files" \
	"$(q "SELECT file_id, name, sha256, mapping_sha256, ingested_at FROM input_file ORDER BY name;")"
expect_eq "version 5: every ingested file's row has the ingest digest" \
	"$(q "SELECT count(*) FROM input_file WHERE status = 'ok';") 64" \
	"$(q "SELECT count(*), min(length(ingest_sha256)) FROM input_file WHERE ingest_sha256 IS NOT NULL;" | tr '|' ' ')"

# Version 6: the sealed values a blob a row.  Nothing runs again; a comment
# in lundby.ini then maps lundby's files again, from the format 1 chunks.
as_version 6 ""
run_upgrades 6
printf '# a comment\n' >>"$WORK/mappings/lundby.ini"
n_lundby=$(q "SELECT count(*) FROM input_file WHERE source = 'lundby' AND status = 'ok';")
expect_true "lundby has files" test "$n_lundby" -gt 0
expect_run 0 -q
expect_like "version 6: lundby's files mapped again" "$n_lundby files mapped,%" \
	"$(last_summary map)"
expect_eq "version 6: episodes as new" "$episodes" "$(q 'SELECT * FROM episode ORDER BY file_id, line;')"
expect_eq "version 6: persons as new" "$persons" "$(person_state)"

# made_older N SQL: this database made a version N one by SQL (no
# re-sealing); report refuses it, naming both versions; n: dedup's runs.
made_older() {
	q "$v12_rows $2 PRAGMA user_version = $1;"
	expect_exit 78 "$PL_BIN/report" -q -o "$WORK/report-v$1" -d "$DB"
	expect_like "report names the versions ($1)" "%schema version $1, this program needs 13%" \
		"$(cat "$ERR")"
	n=$(n_runs dedup)
}

# Version 7: no tables for the indicators' nights.  Nothing runs again; the
# next indicators run counts in full (no state yet) and keeps its sums.
values() { q 'SELECT * FROM indicator_value ORDER BY indicator, period, breakdown, district, sex, age_band, intervention, provider, substance, children;'; }
values_before=$(values)
made_older 7 "$v7_tables"
ni=$(n_runs indicators)
expect_run 0 -q
expect_eq "version 7: upgraded, nothing run again" "13 $n $ni" \
	"$(q 'PRAGMA user_version;') $(n_runs dedup) $(n_runs indicators)"
expect_eq "version 7: the new tables empty" "0 0 0" \
	"$(q 'SELECT (SELECT count(*) FROM person_change), (SELECT count(*) FROM person_epoch), (SELECT count(*) FROM indicator_state);' | tr '|' ' ')"
expect_indicators 0 -v
expect_like "version 7: indicators counts in full" "%no sums kept yet%" "$(cat "$ERR")"
expect_eq "version 7: the same figures" "$values_before" "$(values)"
expect_eq "version 7: the sums kept" "1" "$(q 'SELECT count(*) FROM indicator_state;')"

# Version 8: no triggers noting other programs' writes to the person
# tables.  Nothing runs again; the upgrade makes them, with no write noted,
# and the next dedup run with a new file is a night that writes only the
# persons the new file's episodes reach.
made_older 8 "$v8_tables"
expect_run 0 -q
expect_eq "version 8: upgraded, nothing run again, the triggers made, no write noted" \
	"13 $n 8 0" \
	"$(q "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM stage_run WHERE stage = 'dedup'), (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%outside%'), (SELECT count(*) FROM person_outside_write);" | tr '|' ' ')"
expect_dedup 0 -v
expect_like "version 8: then a night, writing only the persons reached" \
	"%a night: 0 of $(q 'SELECT count(*) FROM person;') persons written%" "$(cat "$ERR")"

# Version 9: no kept load for dedup.  Nothing runs again; the next dedup
# loads every episode (none kept), the one after begins with its load.
expect_run 0 -q       # after the dedup by hand above, the driver's own
made_older 9 "$v9_tables"
expect_run 0 -q
expect_eq "version 9: upgraded, nothing run again, the triggers made, nothing kept" \
	"13 $n 8 0 0" \
	"$(q "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM stage_run WHERE stage = 'dedup'), (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%outside%'), (SELECT count(*) FROM episode_outside_write), (SELECT count(*) FROM linkage_kept);" | tr '|' ' ')"
before9=$(dedup_tables)
expect_dedup 0 -v
expect_like "version 9: dedup loads every episode" "%dedup D load: every episode (none kept)%" \
	"$(cat "$ERR")"
expect_dedup 0 -v
expect_like "version 9: then begins with the load it kept" \
	"%dedup D load: $(q 'SELECT count(*) FROM episode;') episodes as kept, %" "$(cat "$ERR")"
expect_eq "version 9: the person tables as before" "$before9" "$(dedup_tables)"

# Version 10: person_id under a UNIQUE index (person as version 10 made it,
# its rows and keys, and its triggers).
expect_run 0 -q       # after the dedup by hand above, the driver's own
person_rows="SELECT person_key, person_id, basis, n_episodes, n_districts FROM person
	     ORDER BY person_key;"
person_index="SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'person'"
persons10=$(q "$person_rows")
made_older 10 "CREATE TABLE person_v10 (person_key INTEGER PRIMARY KEY,
	person_id TEXT NOT NULL UNIQUE, basis TEXT NOT NULL CHECK (basis IN ('PNR', 'RESERV',
	'LINKED', 'SINGLE')), n_episodes INTEGER NOT NULL, n_districts INTEGER NOT NULL);
	INSERT INTO person_v10 SELECT * FROM person; DROP TABLE person;
	ALTER TABLE person_v10 RENAME TO person;
	CREATE TRIGGER person_outside_insert AFTER INSERT ON person
	BEGIN INSERT OR IGNORE INTO person_outside_write (id) VALUES (1); END;
	CREATE TRIGGER person_outside_update AFTER UPDATE ON person
	BEGIN INSERT OR IGNORE INTO person_outside_write (id) VALUES (1); END;
	CREATE TRIGGER person_outside_delete AFTER DELETE ON person
	BEGIN INSERT OR IGNORE INTO person_outside_write (id) VALUES (1); END; $v11_tables"
expect_eq "version 10: person_id under an index, the same rows" "1 $persons10" \
	"$(q "$person_index;") $(q "$person_rows")"
expect_run 0 -q
expect_eq "version 10: upgraded, nothing run again, person_id without an index, the triggers made, no write noted" \
	"13 $n 0 8 0" \
	"$(q "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM stage_run WHERE stage = 'dedup'), ($person_index), (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%outside%'), (SELECT count(*) FROM person_outside_write);" | tr '|' ' ')"
expect_eq "version 10: person row for row, under the same keys" "$persons10" "$(q "$person_rows")"
expect_eq "version 10: no foreign key violation" "" "$(q 'PRAGMA foreign_key_check;')"
max_key=$(q 'SELECT max(person_key) FROM person;')
head -n 24 "$WORK/input/lundby_2025.csv" >"$WORK/input/lundby_2026.csv"
expect_ingest 0 -q
expect_map 0 -q
dedup_vs_rescore "version 10: a night" -v
expect_like "version 10: a night" "%a night: % persons written (those a new episode reaches)%" \
	"$(cat "$ERR")"
new_file="(SELECT file_id FROM input_file WHERE name = 'lundby_2026.csv')"
expect_like "version 10: the persons written those of the new episodes, old keys changed" \
	"%written: persons $(q "SELECT count(DISTINCT person_key) FROM episode_person
	   WHERE file_id = $new_file AND person_key > $max_key;") new, $(q "SELECT
	   count(DISTINCT person_key) FROM episode_person WHERE file_id = $new_file
	   AND person_key <= $max_key;") changed, 0 gone; episodes' persons $(q "SELECT count(*)
	   FROM episode WHERE file_id = $new_file;") new, 0 changed, 0 gone%" \
	"$(dedup_summary)"
expect_true "version 10: the night found old persons" \
	test "$(q "SELECT count(*) FROM episode_person WHERE file_id = $new_file
	          AND person_key <= $max_key;")" -gt 10
expect_dedup_reconciled

# Version 11: no episode_before, and the trigger on episode's updates
# notes every update.  Nothing runs again; the upgrade makes the table and
# the trigger with its WHEN, no write noted: an update of an intervention
# is then not noted, one of a sex is.
expect_run 0 -q       # after the dedup by hand above, the driver's own
made_older 11 "$v11_tables"
expect_run 0 -q
expect_eq "version 11: upgraded, nothing run again, episode_before made, the trigger with its WHEN, no write noted" \
	"13 $n 0 1 0" \
	"$(q "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM stage_run WHERE stage = 'dedup'), (SELECT count(*) FROM episode_before), (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'episode_outside_update' AND sql LIKE '%WHEN OLD.%'), (SELECT count(*) FROM episode_outside_write);" | tr '|' ' ')"
q "UPDATE episode SET intervention = 'OTHER' WHERE (file_id, line) =
     (SELECT file_id, line FROM episode ORDER BY file_id, line LIMIT 1);"
expect_eq "version 11: an intervention updated is not noted" "0" \
	"$(q 'SELECT count(*) FROM episode_outside_write;')"
q "UPDATE episode SET sex = CASE sex WHEN 'F' THEN 'M' ELSE 'F' END WHERE (file_id, line) =
     (SELECT file_id, line FROM episode ORDER BY file_id, line LIMIT 1);"
expect_eq "version 11: a sex updated is noted" "1" \
	"$(q 'SELECT count(*) FROM episode_outside_write;')"

# Version 12: the raw rows a table, a row a record.  Nothing runs again;
# the upgrade moves each record into a chunk of its own; map then reads
# lundby's files from those chunks after a comment in lundby.ini.
expect_run 0 -q       # after the updates by hand above, the driver's own
raw_rows="SELECT file_id, line, hex(fields) FROM raw_row ORDER BY file_id, line;"
rows12=$(q "$raw_rows")
n_rows12=$(q 'SELECT count(*) FROM raw_row;')
lundby_episodes="SELECT e.* FROM episode e JOIN input_file f USING (file_id)
		 WHERE f.source = 'lundby' ORDER BY e.file_id, e.line;"
lundby12=$(q "$lundby_episodes")
made_older 12 ""
expect_eq "version 12: raw_row a table, no raw_chunk" "table 0" \
	"$(q "SELECT type, (SELECT count(*) FROM sqlite_master WHERE name = 'raw_chunk')
	        FROM sqlite_master WHERE name = 'raw_row';" | tr '|' ' ')"
expect_run 0 -q
expect_eq "version 12: upgraded, nothing run again, a chunk a record, raw_row a view" \
	"13 $n $n_rows12 $n_rows12 view" \
	"$(q "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM stage_run WHERE stage = 'dedup'), (SELECT count(*) FROM raw_chunk), (SELECT sum(n_rows) FROM raw_chunk), (SELECT type FROM sqlite_master WHERE name = 'raw_row');" | tr '|' ' ')"
expect_eq "version 12: the same raw rows" "$rows12" "$(q "$raw_rows")"
printf '# another comment\n' >>"$WORK/mappings/lundby.ini"
expect_run 0 -q
n_lundby=$(q "SELECT count(*) FROM input_file WHERE source = 'lundby' AND status = 'ok';")
expect_like "version 12: lundby's files mapped again, in place, nothing changed" \
	"$n_lundby files mapped,%; $n_lundby mapped again in place: 0 episodes changed, 0 added, 0 removed" \
	"$(last_summary map)"
expect_eq "version 12: lundby's episodes as before" "$lundby12" "$(q "$lundby_episodes")"
finish

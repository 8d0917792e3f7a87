/*
 * tests/unit/test_db.c - lib/db: opening (and creating) the pipeline
 * database, the schema version check, what is not a database, the
 * constraints of schema.sql, stage runs, SQLite error classes, bulk
 * writing through a rollback journal, group commit and CHECK constraints
 * left to the writer.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>

#include "db.h"
#include "unit.h"
#include "unit_db.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int setup(void **state) { return unit_tmp_setup(state); }
static int teardown(void **state) { return unit_tmp_teardown(state); }

/* The first column of the first row as text, into out. */
static int matches(const char *s, const char *ere)
{
	regex_t re;
	int rc;

	assert_int_equal(regcomp(&re, ere, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return rc;
}

static void test_db__open_creates_file_parent_dirs_and_tables(void **state)
{
	char path[512], dir[512], text[64];
	struct pl_diag d;
	struct stat st;
	sqlite3 *db = (sqlite3 *)(uintptr_t)1;

	unit_path(state, "out/sub/pipeline.db", path, sizeof(path));
	pl_diag_clear(&d);
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_non_null(db);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unit_path(state, "out/sub", dir, sizeof(dir));
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	assert_true(pl_schema_version() > 0);
	assert_int_equal(unit_query_ll(db, "PRAGMA user_version"), pl_schema_version());
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
				  "AND name IN ('input_file', 'file_column', 'raw_chunk', 'reject', "
				  "'stage_run')"), 5);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM sqlite_master WHERE type = 'view' "
				  "AND name = 'raw_row'"), 1);
	unit_query_text(db, "PRAGMA journal_mode", text, sizeof(text));
	assert_string_equal(text, "wal");
	assert_int_equal(unit_query_ll(db, "PRAGMA foreign_keys"), 1);
	pl_db_close(db);
}

/* Regression: under umask 022 SQLite created the database (and so its -wal
 * and -shm) 0644 and make_parent the directories 0755, so person-level data
 * was readable by every local user. */
static void test_db__new_database_is_private_under_umask_022(void **state)
{
	static const char *const files[] = { "", "-wal", "-shm" };
	char path[512], file[600], dir[512];
	struct pl_diag d;
	struct stat st;
	sqlite3 *db = NULL;
	mode_t old = umask(022);
	long long run_id = 0;

	unit_path(state, "private/sub/pipeline.db", path, sizeof(path));
	pl_diag_clear(&d);
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(pl_db_run_begin(db, "test", &run_id, &d), PL_OK);
	for (size_t i = 0; i < N_OF(files); i++) {
		snprintf(file, sizeof(file), "%s%s", path, files[i]);
		assert_int_equal(stat(file, &st), 0);   /* WAL: -wal, -shm while open */
		assert_int_equal(st.st_mode & 07777, 0600);
	}
	unit_path(state, "private", dir, sizeof(dir));
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	unit_path(state, "private/sub", dir, sizeof(dir));
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	pl_db_close(db);

	/* reopened: still 0600, the data kept */
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM stage_run"), 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	pl_db_close(db);
	umask(old);
}

static void test_db__reopen_keeps_data(void **state)
{
	char path[512];
	struct pl_diag d;
	sqlite3 *db;
	long long run_id = 0;

	long long n_objects;

	unit_path(state, "pipeline.db", path, sizeof(path));
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(pl_db_run_begin(db, "ingest", &run_id, &d), PL_OK);
	n_objects = unit_query_ll(db, "SELECT count(*) FROM sqlite_master");
	pl_db_close(db);
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(unit_query_ll(db, "PRAGMA user_version"), pl_schema_version());
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM stage_run"), 1);
	/* nothing created twice, nothing dropped */
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM sqlite_master"), n_objects);
	pl_db_close(db);
}

static void test_db__empty_file_becomes_a_database(void **state)
{
	char path[512];
	struct pl_diag d;
	sqlite3 *db;

	unit_path(state, "empty.db", path, sizeof(path));
	assert_int_equal(unit_write(path, "", 0), 0);
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(unit_query_ll(db, "PRAGMA user_version"), pl_schema_version());
	pl_db_close(db);
}

/* Makes a database at path with the given user_version and one table. */
static void make_foreign_db(const char *path, int version)
{
	char sql[128];
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "CREATE TABLE other (x); PRAGMA user_version = %d", version);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_db__other_schema_version_is_config_error(void **state)
{
	static const int versions[] = { 99, 0 }; /* 0 with tables: not ours, not new */
	char path[512], want[256];

	for (size_t i = 0; i < N_OF(versions); i++) {
		struct pl_diag d;
		sqlite3 *db = (sqlite3 *)(uintptr_t)1;
		char name[32];

		snprintf(name, sizeof(name), "v%d.db", versions[i]);
		unit_path(state, name, path, sizeof(path));
		make_foreign_db(path, versions[i]);
		pl_diag_clear(&d);
		assert_int_equal(pl_db_open(path, &db, &d), PL_ECONFIG);
		assert_null(db);
		assert_string_equal(d.file, path);
		snprintf(want, sizeof(want), "database has schema version %d, this program needs %d; "
			 "move it away and rerun to rebuild it", versions[i], pl_schema_version());
		assert_string_equal(d.msg, want);
	}
}

extern const char pl_schema_sql[];

/* What versions 3, 6, 7 and 13 changed in the tables before the first
 * "-- @since" section, as it stood in versions 1 and 2: episode's
 * mapping_sha256, the view episode_v and the person tables keyed by
 * person_id (3), input_file without ingest_sha256 (6), raw_row's sealed
 * blobs (7) and raw_row a table, a row a record (13). */
static const char v1_changes[] =
	"ALTER TABLE episode ADD COLUMN mapping_sha256 TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE input_file DROP COLUMN ingest_sha256;"
	"CREATE TABLE raw_row (file_id INTEGER NOT NULL REFERENCES input_file(file_id) "
	"  ON DELETE CASCADE, line INTEGER NOT NULL, fields TEXT NOT NULL, sealed BLOB, "
	"  PRIMARY KEY (file_id, line)) WITHOUT ROWID;"
	"CREATE VIEW episode_v AS SELECT f.name AS source_file, e.line AS source_line, "
	"  f.source, e.* FROM episode e JOIN input_file f USING (file_id);"
	"CREATE TABLE person (person_id TEXT PRIMARY KEY, basis TEXT NOT NULL, "
	"  n_episodes INTEGER NOT NULL, n_districts INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE episode_person (file_id INTEGER NOT NULL, line INTEGER NOT NULL, "
	"  person_id TEXT NOT NULL REFERENCES person(person_id), step TEXT NOT NULL, "
	"  PRIMARY KEY (file_id, line), FOREIGN KEY (file_id, line) "
	"  REFERENCES episode(file_id, line) ON DELETE CASCADE) WITHOUT ROWID;"
	"CREATE TABLE person_link (person_id TEXT NOT NULL, a_file_id INTEGER NOT NULL, "
	"  a_line INTEGER NOT NULL, b_file_id INTEGER NOT NULL, b_line INTEGER NOT NULL, "
	"  weight REAL NOT NULL, waterfall TEXT NOT NULL);"
	"INSERT INTO stage_run (stage, version, started_at) VALUES ('ingest', 'x', 'now');"
	"INSERT INTO input_file (file_id, name, size, mtime_ns, source, mapping_sha256, status, "
	"  ingested_at) VALUES (1, 'a.csv', 1, 1, 'a', 'abc', 'ok', 'now');"
	"INSERT INTO mapped_file VALUES (1, 'abc', 1, 1, 0, 'now');"
	"INSERT INTO raw_row VALUES (1, 2, 'x', x'0102'), (1, 3, 'y', NULL), (1, 5, "
	"  'q\"b\\s' || char(9) || 't' || char(31) || char(31) || 'l' || char(10) || 'c' || char(13) "
	"  || '/' || char(31) || 'Ö', NULL);"
	"INSERT INTO episode (file_id, line, district, id_type, sex, intervention, substance, "
	"  start_date, children, mapping_sha256) VALUES "
	"  (1, 2, 'LUNDBY', 'NONE', 'F', 'OPEN', 'ALC', '2024-01-01', 'U', 'abc');"
	"INSERT INTO person VALUES ('p1', 'SINGLE', 1, 1);"
	"INSERT INTO episode_person VALUES (1, 2, 'p1', 'unlinked');";

/* A database of schema version 1 (the tables before the first "-- @since"
 * section, as version 1 had them) is brought up to date: the later
 * sections' tables appear, episode loses mapping_sha256 (episode_v shows
 * mapped_file's), the person tables are made anew with person_key, the
 * version is the current one, and the other data stays. */
static void test_db__older_version_is_upgraded(void **state)
{
	const char *mark = strstr(pl_schema_sql, "\n-- @since 2\n");
	char path[512], text[128], *v1, *num;
	struct pl_diag d;
	sqlite3 *db = NULL;

	assert_non_null(mark);
	v1 = strndup(pl_schema_sql, (size_t)(mark - pl_schema_sql));
	assert_non_null(v1);
	assert_non_null(strstr(v1, "PRAGMA user_version = "));
	/* the version-1 text with its version (any number of digits) set back to 1 */
	num = strstr(v1, "PRAGMA user_version = ") + strlen("PRAGMA user_version = ");
	assert_non_null(strchr(num, ';'));
	num[0] = '1';
	memmove(num + 1, strchr(num, ';'), strlen(strchr(num, ';')) + 1);
	unit_path(state, "v1.db", path, sizeof(path));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v1_changes, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(unit_query_ll(db, "PRAGMA user_version"), 1);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM sqlite_master WHERE name = "
				  "'indicator_value'"), 0);
	sqlite3_close(db);
	free(v1);

	pl_diag_clear(&d);
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(unit_query_ll(db, "PRAGMA user_version"), pl_schema_version());
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM sqlite_master WHERE name IN "
				  "('indicator', 'indicator_value', 'indicator_equity', "
				  "'indicator_trend')"), 4);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM stage_run WHERE stage = 'ingest'"), 1);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM stage_run WHERE stage = 'dedup' "
				  "AND exit_code IS NULL AND version = 'schema 3'"), 1);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM pragma_table_info('episode') "
				  "WHERE name = 'mapping_sha256'"), 0);
	unit_query_text(db, "SELECT source_file || ':' || source_line || ' ' || district || ' ' || "
		   "mapping_sha256 FROM episode_v", text, sizeof(text));
	assert_string_equal(text, "a.csv:2 LUNDBY abc");
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM person"), 0);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM episode_person"), 0);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM pragma_table_info('person') "
				  "WHERE name = 'person_key' AND pk = 1"), 1);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM pragma_table_info('episode_person') "
				  "WHERE name = 'person_key'"), 1);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM pragma_table_info('person_link') "
				  "WHERE name = 'person_key'"), 1);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM input_file WHERE ingest_sha256 IS NULL"),
			 1);
	/* 7: the sealed blob moved as it was, the column gone, the rows kept */
	unit_query_text(db, "SELECT group_concat(file_id || ' ' || first_line || ' ' || format || ' ' "
		   "|| hex(blob), ';') FROM raw_sealed", text, sizeof(text));
	assert_string_equal(text, "1 2 1 0102");
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM pragma_table_info('raw_row') "
				  "WHERE name = 'sealed'"), 0);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM raw_row"), 3);
	/* 13: each record a chunk of its own, its values as they were */
	unit_query_text(db, "SELECT group_concat(first_line || ' ' || n_rows || ' ' || rows, ';') "
		   "FROM raw_chunk", text, sizeof(text));
	assert_string_equal(text, "2 1 [[2,\"x\"]];3 1 [[3,\"y\"]];"
			    "5 1 [[5,\"q\\\"b\\\\s\\tt\",\"\",\"l\\nc\\r/\",\"Ö\"]]");
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM raw_row WHERE file_id = 1 AND "
				  "line = 5 AND fields = 'q\"b\\s' || char(9) || 't' || char(31) || "
				  "char(31) || 'l' || char(10) || 'c' || char(13) || '/' || char(31) "
				  "|| 'Ö'"), 1);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM sqlite_master WHERE "
				  "name = 'raw_row' AND type = 'view'"), 1);
	/* 8: the tables of the indicators' nights, empty */
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM person_change"), 0);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM person_epoch"), 0);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM indicator_state"), 0);
	pl_db_close(db);
	/* and opening it again changes nothing */
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE "
				  "'indicator%'"), 6);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM episode"), 1);
	pl_db_close(db);
}

/* A new database gets the current tables and never runs an "-- @upgrade"
 * section (it would fail: episode has no mapping_sha256 to drop). */
static void test_db__new_database_skips_upgrade_sections(void **state)
{
	char path[512];
	struct pl_diag d;
	sqlite3 *db = NULL;

	assert_non_null(strstr(pl_schema_sql, "\n-- @upgrade 3\n"));
	unit_path(state, "new.db", path, sizeof(path));
	pl_diag_clear(&d);
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM sqlite_master WHERE name IN "
				  "('person', 'episode_person', 'person_link', 'episode_v')"), 4);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM pragma_table_info('person') "
				  "WHERE name = 'person_key' AND pk = 1"), 1);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM pragma_table_info('episode') "
				  "WHERE name = 'mapping_sha256'"), 0);
	pl_db_close(db);
}

static void test_db__not_a_database_is_an_error_not_a_crash(void **state)
{
	char path[512], *junk;
	struct pl_diag d;
	sqlite3 *db = (sqlite3 *)(uintptr_t)1;

	unit_path(state, "notes.db", path, sizeof(path));
	junk = malloc(8192);
	assert_non_null(junk);
	for (size_t i = 0; i < 8192; i++)
		junk[i] = "this is not a database\n"[i % 23];
	assert_int_equal(unit_write(path, junk, 8192), 0);
	free(junk);
	pl_diag_clear(&d);
	assert_int_equal(pl_db_open(path, &db, &d), PL_ECONFIG);
	assert_null(db);
	assert_non_null(strstr(d.msg, "file is not a database"));
}

static void test_db__cannot_create_is_cantcreat(void **state)
{
	char file[512], path[512];
	struct pl_diag d;
	sqlite3 *db = (sqlite3 *)(uintptr_t)1;

	/* the parent "directory" is a regular file */
	unit_path(state, "plain", file, sizeof(file));
	assert_int_equal(unit_write_str(file, "x"), 0);
	unit_path(state, "plain/pipeline.db", path, sizeof(path));
	pl_diag_clear(&d);
	assert_int_equal(pl_db_open(path, &db, &d), PL_ECANTCREAT);
	assert_null(db);
	assert_string_equal(d.file, path);
	/* a directory below a regular file cannot be made either */
	unit_path(state, "plain/sub/pipeline.db", path, sizeof(path));
	assert_int_equal(pl_db_open(path, &db, &d), PL_ECANTCREAT);
	assert_null(db);
	assert_non_null(strstr(d.msg, "cannot create directory"));
}

static void test_db__rows_read_check_constraint(void **state)
{
	static const struct {
		long read, kept, rejected;
		enum pl_err err;
	} cases[] = {
		{ 3, 2, 1, PL_OK },
		{ 0, 0, 0, PL_OK },
		{ 3, 2, 0, PL_ESOFTWARE },
		{ 3, 3, 1, PL_ESOFTWARE },
		{ 0, 1, 0, PL_ESOFTWARE },
	};
	char path[512];
	struct pl_diag d;
	sqlite3 *db;

	unit_path(state, "pipeline.db", path, sizeof(path));
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	for (size_t i = 0; i < N_OF(cases); i++) {
		char sql[512];
		enum pl_err err;

		snprintf(sql, sizeof(sql),
			 "INSERT INTO input_file (name, size, mtime_ns, status, rows_read, rows_kept, "
			 "rows_rejected, ingested_at) VALUES ('f%zu.csv', 1, 1, 'ok', %ld, %ld, %ld, "
			 "'2026-11-24T02:00:03Z')", i, cases[i].read, cases[i].kept, cases[i].rejected);
		pl_diag_clear(&d);
		err = pl_db_exec(db, sql, &d);
		if (err != cases[i].err)
			fail_msg("read %ld kept %ld rejected %ld: err %d, want %d (%s)", cases[i].read,
				 cases[i].kept, cases[i].rejected, err, cases[i].err, d.msg);
		if (err)
			assert_non_null(strstr(d.msg, "CHECK constraint failed"));
	}
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM input_file"), 2);
	/* an update must keep it too */
	assert_int_equal(pl_db_exec(db, "UPDATE input_file SET rows_kept = 5 WHERE name = 'f0.csv'",
				    &d), PL_ESOFTWARE);
	pl_db_close(db);
}

static void test_db__status_check_and_cascade(void **state)
{
	char path[512];
	struct pl_diag d;
	sqlite3 *db;

	unit_path(state, "pipeline.db", path, sizeof(path));
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(pl_db_exec(db, "INSERT INTO input_file (file_id, name, size, mtime_ns, "
				    "status, ingested_at) VALUES (1, 'a.csv', 1, 1, 'weird', 'x')",
				    &d), PL_ESOFTWARE);
	assert_non_null(strstr(d.msg, "CHECK constraint failed"));
	assert_int_equal(pl_db_exec(db, "INSERT INTO input_file (file_id, name, size, mtime_ns, "
				    "status, rows_read, rows_kept, ingested_at) "
				    "VALUES (1, 'a.csv', 1, 1, 'ok', 1, 1, 'x');"
				    "INSERT INTO raw_chunk (file_id, first_line, n_rows, rows) "
				    "VALUES (1, 2, 1, '[[2,\"a\"]]');"
				    "INSERT INTO file_column (file_id, col_idx, name) "
				    "VALUES (1, 0, 'K\xC3\xB6n')", &d),
			 PL_OK);
	/* foreign keys are on: a row of an unknown file is refused */
	assert_int_equal(pl_db_exec(db, "INSERT INTO raw_chunk (file_id, first_line, n_rows, rows) "
				    "VALUES (7, 2, 1, '[[2,\"a\"]]')", &d), PL_ESOFTWARE);
	assert_non_null(strstr(d.msg, "FOREIGN KEY constraint failed"));
	/* deleting the file deletes its rows */
	assert_int_equal(pl_db_exec(db, "DELETE FROM input_file WHERE file_id = 1", &d), PL_OK);
	assert_int_equal(unit_query_ll(db, "SELECT (SELECT count(*) FROM raw_chunk) + "
				  "(SELECT count(*) FROM file_column)"), 0);
	pl_db_close(db);
}

static void test_db__run_begin_and_end(void **state)
{
	char path[512], text[128];
	struct pl_diag d;
	sqlite3 *db;
	long long id1 = 0, id2 = 0;

	unit_path(state, "pipeline.db", path, sizeof(path));
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(pl_db_run_begin(db, "ingest", &id1, &d), PL_OK);
	assert_int_equal(pl_db_run_begin(db, "map", &id2, &d), PL_OK);
	assert_int_equal(id1, 1);
	assert_int_equal(id2, 2);
	unit_query_text(db, "SELECT stage || '|' || version FROM stage_run WHERE run_id = 1", text,
		   sizeof(text));
	assert_string_equal(text, "ingest|" PL_VERSION);
	unit_query_text(db, "SELECT started_at FROM stage_run WHERE run_id = 1", text, sizeof(text));
	assert_true(matches(text, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"));
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM stage_run WHERE finished_at IS NULL "
				  "AND exit_code IS NULL AND summary IS NULL"), 2);

	assert_int_equal(pl_db_run_end(db, id1, 65, "3 files, 1200 rows kept, 4 rejected", &d),
			 PL_OK);
	unit_query_text(db, "SELECT exit_code || '|' || summary FROM stage_run WHERE run_id = 1", text,
		   sizeof(text));
	assert_string_equal(text, "65|3 files, 1200 rows kept, 4 rejected");
	unit_query_text(db, "SELECT finished_at FROM stage_run WHERE run_id = 1", text, sizeof(text));
	assert_true(matches(text, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"));
	assert_int_equal(unit_query_ll(db, "SELECT started_at <= finished_at FROM stage_run "
				  "WHERE run_id = 1"), 1);
	/* the other run is untouched */
	assert_int_equal(unit_query_ll(db, "SELECT finished_at IS NULL FROM stage_run WHERE run_id = 2"),
			 1);
	pl_db_close(db);
}

/* Regression: the record of a finished run was best effort, so a stage
 * that had nothing to write (map with every file mapped) exited 0 although
 * its run could not be recorded in a locked database, and the driver then
 * took what is keyed on stage_run for unchanged. */
static void test_db__record_run_reports_a_locked_database(void **state)
{
	char path[512];
	struct pl_diag d;
	sqlite3 *db, *other;

	unit_path(state, "pipeline.db", path, sizeof(path));
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(pl_db_record_run(db, "map", PL_OK, "fine", &d), PL_OK);
	assert_int_equal(pl_db_record_run(db, "map", PL_EDATA, "bad", &d), PL_EDATA);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM stage_run WHERE stage = 'map'"), 2);
	assert_int_equal(unit_query_ll(db, "SELECT exit_code FROM stage_run WHERE summary = 'bad'"), 65);

	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 10);
	pl_diag_clear(&d);
	assert_int_equal(pl_db_record_run(db, "map", PL_OK, "locked", &d), PL_ETEMPFAIL);
	assert_int_equal(d.err, PL_ETEMPFAIL);
	assert_string_equal(d.file, path);
	assert_non_null(strstr(d.msg, "database is locked"));
	/* the run's own error wins and leaves the diag alone */
	pl_diag_clear(&d);
	assert_int_equal(pl_db_record_run(db, "map", PL_ECONFIG, "config", &d), PL_ECONFIG);
	assert_int_equal(d.err, PL_OK);
	assert_int_equal(pl_db_record_run(db, "map", PL_ETEMPFAIL, "busy", &d), PL_ETEMPFAIL);
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(unit_query_ll(db, "SELECT count(*) FROM stage_run WHERE stage = 'map'"), 2);
	pl_db_close(db);
}

static void test_db__fail_maps_sqlite_codes(void **state)
{
	static const struct {
		int rc;
		enum pl_err err;
	} cases[] = {
		{ SQLITE_BUSY, PL_ETEMPFAIL },
		{ SQLITE_BUSY_SNAPSHOT, PL_ETEMPFAIL },
		{ SQLITE_LOCKED, PL_ETEMPFAIL },
		{ SQLITE_IOERR, PL_EIO },
		{ SQLITE_IOERR_WRITE, PL_EIO },
		{ SQLITE_FULL, PL_EIO },
		{ SQLITE_CANTOPEN, PL_ECANTCREAT },
		{ SQLITE_READONLY, PL_ECANTCREAT },
		{ SQLITE_PERM, PL_ECANTCREAT },
		{ SQLITE_NOTADB, PL_ECONFIG },
		{ SQLITE_CORRUPT, PL_ECONFIG },
		{ SQLITE_CONSTRAINT, PL_ESOFTWARE },
		{ SQLITE_CONSTRAINT_CHECK, PL_ESOFTWARE },
		{ SQLITE_ERROR, PL_ESOFTWARE },
		{ SQLITE_MISUSE, PL_ESOFTWARE },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		struct pl_diag d;
		char want[256];

		pl_diag_clear(&d);
		if (pl_db_fail(NULL, cases[i].rc, "store rows", &d) != cases[i].err)
			fail_msg("rc %d: want %d", cases[i].rc, cases[i].err);
		assert_int_equal(d.err, cases[i].err);
		snprintf(want, sizeof(want), "database: store rows: %s", sqlite3_errstr(cases[i].rc));
		assert_string_equal(d.msg, want);
		assert_string_equal(d.file, "");
	}
}

static void test_db__prepare_and_exec_errors_name_what(void **state)
{
	char path[512];
	struct pl_diag d;
	sqlite3_stmt *st = NULL;
	sqlite3 *db;

	unit_path(state, "pipeline.db", path, sizeof(path));
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	pl_diag_clear(&d);
	assert_int_equal(pl_db_prepare(db, "SELEC 1", &st, &d), PL_ESOFTWARE);
	assert_null(st);
	assert_true(matches(d.msg, "^database: prepare: .*syntax error"));
	assert_string_equal(d.file, path);
	assert_int_equal(pl_db_exec(db, "SELECT * FROM nowhere", &d), PL_ESOFTWARE);
	assert_string_equal(d.msg, "database: SELECT * FROM nowhere: no such table: nowhere");
	assert_int_equal(pl_db_prepare(db, "SELECT 1", &st, &d), PL_OK);
	assert_non_null(st);
	sqlite3_finalize(st);
	pl_db_close(db);
}

/* Rows for pl_db_insert_rows: row i is (i, "r<i>"); row dup repeats row 0's
 * key (a constraint failure), unless dup is 0. */
struct int_rows {
	size_t dup;
};

static void bind_int_row(void *rows, size_t i, sqlite3_stmt *st, int base)
{
	const struct int_rows *r = rows;
	char text[32];

	snprintf(text, sizeof(text), "r%zu", i);
	sqlite3_bind_int64(st, base + 1, r->dup && i == r->dup ? 0 : (sqlite3_int64)i);
	sqlite3_bind_text(st, base + 2, text, -1, SQLITE_TRANSIENT);
}

static void test_db__insert_rows_in_batches_and_singles(void **state)
{
	/* around the batch size: none, singles only, one batch, a batch and
	 * singles, several batches and singles */
	static const size_t counts[] = { 0, 1, PL_DB_INSERT_BATCH - 1, PL_DB_INSERT_BATCH,
					 PL_DB_INSERT_BATCH + 1, 3 * PL_DB_INSERT_BATCH + 5 };
	struct int_rows rows = { 0 };
	char path[512];
	struct pl_diag d;
	sqlite3 *db;

	unit_path(state, "rows.db", path, sizeof(path));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		sqlite3_stmt *st;
		size_t n = 0, bad = 0;

		assert_int_equal(pl_db_exec(db, "DROP TABLE IF EXISTS t; "
					    "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)",
					    &d), PL_OK);
		assert_int_equal(pl_db_insert_rows(db, "INSERT INTO t (k, v)", 2, counts[c],
						   bind_int_row, &rows, "store t", &d), PL_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT k, v FROM t ORDER BY k", -1, &st,
						    NULL), SQLITE_OK);
		for (; sqlite3_step(st) == SQLITE_ROW; n++) {
			char want[32];

			snprintf(want, sizeof(want), "r%zu", n);
			bad += sqlite3_column_int64(st, 0) != (sqlite3_int64)n ||
			       strcmp((const char *)sqlite3_column_text(st, 1), want) != 0;
		}
		sqlite3_finalize(st);
		assert_int_equal(n, counts[c]);
		assert_int_equal(bad, 0);
	}
	/* a failure inside a batch, then inside the singles: named, not hidden */
	for (size_t dup = 5; dup <= PL_DB_INSERT_BATCH + 1; dup += PL_DB_INSERT_BATCH - 4) {
		rows.dup = dup;
		assert_int_equal(pl_db_exec(db, "DELETE FROM t", &d), PL_OK);
		pl_diag_clear(&d);
		assert_int_equal(pl_db_insert_rows(db, "INSERT INTO t (k, v)", 2,
						   PL_DB_INSERT_BATCH + 2, bind_int_row, &rows,
						   "store t", &d), PL_ESOFTWARE);
		assert_true(matches(d.msg, "^database: store t: .*UNIQUE constraint failed: t\\.k"));
	}
	sqlite3_close(db);
}

/* Bulk writing (pl_db_bulk_begin): a connection of pl_db_open leaves the
 * write-ahead log when it closes; with another connection open the switch
 * is refused at once (0, still WAL); alone, the connection checkpoints the
 * log away and writes through a rollback journal (0600 like the database,
 * FULL sync), and pl_db_bulk_end brings WAL mode back, the rows kept. */
static void test_db__bulk_write_only_alone(void **state)
{
	char path[512], wal[600], journal[600], text[64];
	struct pl_diag d;
	struct stat st;
	sqlite3 *db = NULL, *other = NULL;
	long long run_id = 0;
	mode_t old = umask(022);

	unit_path(state, "bulk.db", path, sizeof(path));
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(journal, sizeof(journal), "%s-journal", path);
	pl_diag_clear(&d);
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(pl_db_run_begin(db, "test", &run_id, &d), PL_OK);
	pl_db_close(db);
	assert_int_equal(stat(wal, &st), 0);         /* no checkpoint on close */
	assert_true(st.st_size > 0);

	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(pl_db_open(path, &other, &d), PL_OK);
	assert_int_equal(pl_db_bulk_begin(db), 0);
	unit_query_text(db, "PRAGMA journal_mode", text, sizeof(text));
	assert_string_equal(text, "wal");
	assert_int_equal(unit_query_ll(other, "SELECT count(*) FROM stage_run"), 1);
	pl_db_close(other);

	assert_int_equal(pl_db_bulk_begin(db), 1);
	unit_query_text(db, "PRAGMA journal_mode", text, sizeof(text));
	assert_string_equal(text, "delete");
	assert_int_equal(unit_query_ll(db, "PRAGMA synchronous"), 2);    /* FULL */
	assert_int_not_equal(stat(wal, &st), 0);     /* checkpointed and gone */
	assert_int_equal(pl_db_exec(db, "BEGIN; UPDATE stage_run SET summary = 'bulk'", &d),
			 PL_OK);
	assert_int_equal(stat(journal, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(pl_db_exec(db, "COMMIT", &d), PL_OK);
	assert_int_not_equal(stat(journal, &st), 0);

	pl_db_bulk_end(db);
	unit_query_text(db, "PRAGMA journal_mode", text, sizeof(text));
	assert_string_equal(text, "wal");
	assert_int_equal(unit_query_ll(db, "PRAGMA synchronous"), 1);    /* NORMAL */
	pl_db_close(db);
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	unit_query_text(db, "SELECT summary FROM stage_run", text, sizeof(text));
	assert_string_equal(text, "bulk");
	pl_db_close(db);
	umask(old);
}

/* The rows of t, k ascending, as "k,k,...", seen through db. */
static void keys_of(sqlite3 *db, char *out, size_t size)
{
	unit_query_text(db, "SELECT coalesce(group_concat(k, ','), '') FROM (SELECT k FROM t ORDER BY k)",
		   out, size);
}

/* Group commit (pl_db_unit_*): a kept unit stays in the open transaction
 * until PL_DB_GROUP_ROWS rows are pending or pl_db_group_end; an undone
 * unit leaves nothing, the units before it stay; undoing after SQLite
 * rolled the whole transaction back, and ending with none open, are
 * harmless. */
static void test_db__group_commit_keeps_whole_units(void **state)
{
	char path[512], keys[64];
	struct pl_diag d;
	sqlite3 *db, *other;
	struct pl_db_group g = { 0 };

	unit_path(state, "group.db", path, sizeof(path));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(pl_db_exec(db, "CREATE TABLE t (k INTEGER PRIMARY KEY)", &d), PL_OK);
	g.db = db;
	assert_int_equal(pl_db_group_end(&g, &d), PL_OK);       /* none open */

	assert_int_equal(pl_db_unit_begin(&g, &d), PL_OK);
	assert_int_equal(pl_db_exec(db, "INSERT INTO t VALUES (1)", &d), PL_OK);
	assert_int_equal(pl_db_unit_end(&g, 1, &d), PL_OK);
	assert_int_equal(sqlite3_get_autocommit(db), 0);        /* pending, not committed */
	keys_of(other, keys, sizeof(keys));
	assert_string_equal(keys, "");

	assert_int_equal(pl_db_unit_begin(&g, &d), PL_OK);
	assert_int_equal(pl_db_exec(db, "INSERT INTO t VALUES (2); INSERT INTO t VALUES (3)", &d),
			 PL_OK);
	pl_db_unit_undo(&g);
	keys_of(db, keys, sizeof(keys));
	assert_string_equal(keys, "1");

	assert_int_equal(pl_db_unit_begin(&g, &d), PL_OK);
	assert_int_equal(pl_db_exec(db, "INSERT INTO t VALUES (4)", &d), PL_OK);
	assert_int_equal(pl_db_unit_end(&g, PL_DB_GROUP_ROWS - 1, &d), PL_OK);
	assert_int_equal(sqlite3_get_autocommit(db), 1);        /* enough pending: committed */
	keys_of(other, keys, sizeof(keys));
	assert_string_equal(keys, "1,4");

	assert_int_equal(pl_db_unit_begin(&g, &d), PL_OK);      /* a new transaction */
	assert_int_equal(pl_db_exec(db, "INSERT INTO t VALUES (5)", &d), PL_OK);
	assert_int_equal(pl_db_unit_end(&g, 1, &d), PL_OK);
	assert_int_equal(g.pending, 1);
	assert_int_equal(pl_db_group_end(&g, &d), PL_OK);
	keys_of(other, keys, sizeof(keys));
	assert_string_equal(keys, "1,4,5");

	/* the transaction rolled back under the unit (as SQLite does on a full
	 * disk): the undo finds nothing to undo, the end nothing to commit */
	assert_int_equal(pl_db_unit_begin(&g, &d), PL_OK);
	assert_int_equal(pl_db_exec(db, "INSERT INTO t VALUES (6); ROLLBACK", &d), PL_OK);
	pl_db_unit_undo(&g);
	assert_int_equal(pl_db_group_end(&g, &d), PL_OK);
	keys_of(other, keys, sizeof(keys));
	assert_string_equal(keys, "1,4,5");
	sqlite3_close(other);
	sqlite3_close(db);
}

/* pl_db_checks_by_writer: with it on, the connection writes a row against
 * a CHECK (statements prepared before are compiled again); off, SQLite
 * tests again; PRAGMA quick_check names the table of the row that breaks
 * one. */
static void test_db__checks_by_writer(void **state)
{
	char path[512], text[128];
	struct pl_diag d;
	sqlite3 *db;
	sqlite3_stmt *st = NULL;

	unit_path(state, "checks.db", path, sizeof(path));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(pl_db_exec(db, "CREATE TABLE c (x TEXT NOT NULL "
				    "CHECK (x IN ('a', 'b', 'c')))", &d), PL_OK);
	assert_int_equal(pl_db_exec(db, "INSERT INTO c VALUES ('z')", &d), PL_ESOFTWARE);
	assert_int_equal(pl_db_prepare(db, "INSERT INTO c VALUES (?1)", &st, &d), PL_OK);

	assert_int_equal(pl_db_checks_by_writer(db, 1, &d), PL_OK);
	sqlite3_bind_text(st, 1, "y", -1, SQLITE_STATIC);
	assert_int_equal(pl_db_step_done(db, st, "store c", &d), PL_OK);
	assert_int_equal(pl_db_exec(db, "INSERT INTO c VALUES ('a')", &d), PL_OK);
	/* NOT NULL is not a CHECK: still tested */
	assert_int_equal(pl_db_exec(db, "INSERT INTO c VALUES (NULL)", &d), PL_ESOFTWARE);

	assert_int_equal(pl_db_checks_by_writer(db, 0, &d), PL_OK);
	sqlite3_bind_text(st, 1, "w", -1, SQLITE_STATIC);
	pl_diag_clear(&d);
	assert_int_equal(pl_db_step_done(db, st, "store c", &d), PL_ESOFTWARE);
	assert_true(matches(d.msg, "CHECK constraint failed"));
	unit_query_text(db, "SELECT group_concat(x, ',') FROM c", text, sizeof(text));
	assert_string_equal(text, "y,a");
	unit_query_text(db, "PRAGMA quick_check", text, sizeof(text));
	assert_string_equal(text, "CHECK constraint failed in c");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* PL_LOCK_WAIT sets how long a connection waits for another's lock: unset
 * or empty 5 s, "12" 12 s (kept across a bulk write's switch, in which the
 * connection does not wait), "0" none; the read-only opening takes it too.
 * A value that is not whole seconds from 0 to 3600 is a configuration
 * error that names the variable, before any file is made. */
static void test_db__lock_wait_from_the_environment(void **state)
{
	static const char *const bad[] = { "abc", "-1", "3601", "1.5", "5s", " " };
	char path[512];
	struct pl_diag d;
	struct stat st;
	sqlite3 *db = NULL;

	unit_path(state, "wait.db", path, sizeof(path));
	pl_diag_clear(&d);
	unsetenv(PL_LOCK_WAIT_ENV);
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(unit_query_ll(db, "PRAGMA busy_timeout"), 5000);
	pl_db_close(db);
	setenv(PL_LOCK_WAIT_ENV, "", 1);
	assert_int_equal(pl_db_lock_wait(&d), 5000);
	setenv(PL_LOCK_WAIT_ENV, "12", 1);
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(unit_query_ll(db, "PRAGMA busy_timeout"), 12000);
	assert_int_equal(pl_db_bulk_begin(db), 1);
	assert_int_equal(unit_query_ll(db, "PRAGMA busy_timeout"), 12000);
	pl_db_bulk_end(db);
	pl_db_close(db);
	assert_int_equal(pl_db_open_existing(path, &db, &d), PL_OK);
	assert_int_equal(unit_query_ll(db, "PRAGMA busy_timeout"), 12000);
	pl_db_close(db);
	setenv(PL_LOCK_WAIT_ENV, "0", 1);
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(unit_query_ll(db, "PRAGMA busy_timeout"), 0);
	pl_db_close(db);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char msg[128];

		setenv(PL_LOCK_WAIT_ENV, bad[i], 1);
		pl_diag_clear(&d);
		assert_int_equal(pl_db_open(path, &db, &d), PL_ECONFIG);
		assert_null(db);
		snprintf(msg, sizeof(msg), "PL_LOCK_WAIT is '%s': it must be a whole number of "
			 "seconds from 0 to 3600", bad[i]);
		assert_string_equal(d.msg, msg);
		assert_int_equal(pl_db_open_existing(path, &db, &d), PL_ECONFIG);
	}
	unit_path(state, "never.db", path, sizeof(path));
	assert_int_equal(pl_db_open(path, &db, &d), PL_ECONFIG);
	assert_int_not_equal(stat(path, &st), 0);
	unsetenv(PL_LOCK_WAIT_ENV);
}

static void test_db__utc_now_is_iso8601(void **state)
{
	char now[32];

	(void)state;
	memset(now, 'X', sizeof(now));
	pl_utc_now(now);
	assert_int_equal(strlen(now), 20);
	assert_true(matches(now, "^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z$"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_db__open_creates_file_parent_dirs_and_tables),
		T(test_db__new_database_is_private_under_umask_022),
		T(test_db__reopen_keeps_data),
		T(test_db__empty_file_becomes_a_database),
		T(test_db__other_schema_version_is_config_error),
		T(test_db__older_version_is_upgraded),
		T(test_db__new_database_skips_upgrade_sections),
		T(test_db__not_a_database_is_an_error_not_a_crash),
		T(test_db__cannot_create_is_cantcreat),
		T(test_db__rows_read_check_constraint),
		T(test_db__status_check_and_cascade),
		T(test_db__run_begin_and_end),
		T(test_db__record_run_reports_a_locked_database),
		T(test_db__fail_maps_sqlite_codes),
		T(test_db__prepare_and_exec_errors_name_what),
		T(test_db__insert_rows_in_batches_and_singles),
		T(test_db__bulk_write_only_alone),
		T(test_db__group_commit_keeps_whole_units),
		T(test_db__checks_by_writer),
		T(test_db__lock_wait_from_the_environment),
		T(test_db__utc_now_is_iso8601),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}

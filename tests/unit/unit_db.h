/*
 * tests/unit/unit_db.h - a fresh pipeline database per test: a temporary
 * directory (unit.h) holding p.db, opened with pl_db_open (so at the
 * current schema version), and removed in teardown; the fixture of a test
 * that needs only that; a one-number query; and, for tests that run a
 * stage on a database by its path, its rows as text and a statement.
 *
 * Include after cmocka.h, unit.h and db.h.
 */
#ifndef UNIT_DB_H
#define UNIT_DB_H

/* Makes tmp and opens tmp/p.db into *db; -1 on failure (details in d). */
static inline int unit_db_open(struct unit_tmp *tmp, sqlite3 **db, struct pl_diag *d)
{
	void *t = NULL;
	char path[300];

	if (unit_tmp_setup(&t) != 0)
		return -1;
	*tmp = *(struct unit_tmp *)t;
	free(t);
	snprintf(path, sizeof(path), "%s/p.db", tmp->dir);
	return pl_db_open(path, db, d) == PL_OK ? 0 : -1;
}

/* Closes db and removes tmp. */
static inline void unit_db_close(struct unit_tmp *tmp, sqlite3 *db)
{
	sqlite3_close(db);
	unit_rm_rf(tmp->dir);
}

/* The fixture of a test that needs a database and nothing else: *state
 * points to one, made by unit_db_setup and undone by unit_db_teardown. */
struct unit_db_fx {
	struct unit_tmp tmp;
	sqlite3 *db;
	struct pl_diag d;
};

static inline int unit_db_setup(void **state)
{
	struct unit_db_fx *f = calloc(1, sizeof(*f));

	if (!f || unit_db_open(&f->tmp, &f->db, &f->d) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static inline int unit_db_teardown(void **state)
{
	struct unit_db_fx *f = *state;

	unit_db_close(&f->tmp, f->db);
	free(f);
	return 0;
}

/* The first column of sql's first row, as an integer (asserted to be there).
 * Include after cmocka.h. */
static inline long long unit_query_ll(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Runs sql on db (asserted to succeed). */
static inline void unit_db_exec(sqlite3 *db, const char *sql)
{
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* A minimal input_file row (file f<file_id>.csv), for the foreign keys of
 * the tables that hang from it. */
static inline void unit_db_add_file(sqlite3 *db, long long file_id)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO input_file (file_id, name, size, mtime_ns, status, "
		 "ingested_at) VALUES (%lld, 'f%lld.csv', 1, 1, 'ok', 'now')", file_id, file_id);
	unit_db_exec(db, sql);
}

/* The first column of sql's first row (asserted to be there) as text into
 * out, "(null)" for NULL. */
static inline void unit_query_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *t;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	t = sqlite3_column_text(st, 0);
	snprintf(out, size, "%s", t ? (const char *)t : "(null)");
	sqlite3_finalize(st);
}

/* The rows of sql on the database at db_path (opened anew: a stage's run
 * has closed its own), each row's columns joined by '|' (NULL as '-'),
 * rows by ' ', into out. */
static inline void unit_query_rows(const char *db_path, const char *sql, char *out, size_t size)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t len = 0;

	out[0] = '\0';
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const unsigned char *v = sqlite3_column_text(st, c);

			len += (size_t)snprintf(out + len, size - len, "%s%s", c ? "|" : len ? " " : "",
						v ? (const char *)v : "-");
			assert_true(len < size);
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Runs sql on the database at db_path (asserted to succeed). */
static inline void unit_exec(const char *db_path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

#endif

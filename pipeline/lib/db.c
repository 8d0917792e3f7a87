/*
 * lib/db.c - opening the pipeline database and checking its version.
 *
 * The database holds person-level data: a new one is created mode 0600 (its
 * -wal, -shm and -journal files take the database file's mode) and the
 * directories made for it mode 0700, whatever the umask.
 */
#define _POSIX_C_SOURCE 200809L
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "secret.h"

extern const char pl_schema_sql[];  /* generated from pipeline/schema.sql */

/* How long a statement waits for a lock another connection holds (SQLite's
 * busy timeout): PL_LOCK_WAIT_ENV seconds, else LOCK_WAIT_DEFAULT. */
#define LOCK_WAIT_DEFAULT 5
#define LOCK_WAIT_MAX 3600

int pl_schema_version(void)
{
	const char *p = strstr(pl_schema_sql, "PRAGMA user_version = ");

	return p ? atoi(p + strlen("PRAGMA user_version = ")) : -1;
}

enum pl_err pl_db_fail(sqlite3 *db, int rc, const char *what, struct pl_diag *d)
{
	const char *file = db ? sqlite3_db_filename(db, "main") : NULL;
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	enum pl_err err;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:   err = PL_ETEMPFAIL; break;
	case SQLITE_IOERR:
	case SQLITE_FULL:     err = PL_EIO; break;
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:     err = PL_ECANTCREAT; break;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:  err = PL_ECONFIG; break;
	default:              err = PL_ESOFTWARE; break;
	}
	return pl_diag_set(d, err, file, 0, "database: %s: %s", what, msg);
}

enum pl_err pl_db_exec(sqlite3 *db, const char *sql, struct pl_diag *d)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? PL_OK : pl_db_fail(db, rc, sql, d);
}

enum pl_err pl_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt,
			  struct pl_diag *d)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, stmt, NULL);

	return rc == SQLITE_OK ? PL_OK : pl_db_fail(db, rc, "prepare", d);
}

static int query_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

enum pl_err pl_db_query_int64(sqlite3 *db, const char *sql, int64_t *v, const char *what,
			      struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(db, sql, &st, d);
	int rc;

	*v = 0;
	if (err)
		return err;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, what, d);
	sqlite3_finalize(st);
	return err;
}

enum pl_err pl_db_digest(sqlite3 *db, const char *sql, int64_t bind1, char out[65],
			 long long *n_rows, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	struct pl_sha256 h;
	enum pl_err err = pl_db_prepare(db, sql, &st, d);
	int rc = SQLITE_DONE;

	*n_rows = 0;
	pl_sha256_init(&h);
	if (!err)
		sqlite3_bind_int64(st, 1, bind1);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const unsigned char *t = sqlite3_column_text(st, c);

			if (c)
				pl_sha256_update(&h, " ", 1);
			if (t)
				pl_sha256_update(&h, t, (size_t)sqlite3_column_bytes(st, c));
			else
				pl_sha256_update(&h, "-", 1);
		}
		pl_sha256_update(&h, "\n", 1);
		(*n_rows)++;
	}
	if (!err && rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, "read the files", d);
	sqlite3_finalize(st);
	pl_sha256_hex(&h, out);
	return err;
}

/* Makes the missing directories above path, mode 0700 (person-level data). */
static enum pl_err make_parent(const char *path, struct pl_diag *d)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return pl_diag_set(d, PL_ECANTCREAT, path, 0,
					   "cannot create directory '%s': %s", dir, strerror(errno));
		*p = '/';
	}
	return PL_OK;
}

/* Creates the database file, empty, mode 0600 unless it exists, so that SQLite
 * (which would create it 0644 under umask 022) and its -wal and -shm files,
 * which take the database's mode, are private.  An existing file is left as
 * it is. */
static enum pl_err create_private(const char *path, struct pl_diag *d)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 && errno != EEXIST)
		return pl_diag_set(d, PL_ECANTCREAT, path, 0, "cannot create database: %s",
				   strerror(errno));
	if (fd >= 0 && close(fd) != 0)
		return pl_diag_set(d, PL_ECANTCREAT, path, 0, "cannot create database: %s",
				   strerror(errno));
	return PL_OK;
}

#define SINCE_MARK "\n-- @since "
#define UPGRADE_MARK "\n-- @upgrade "

/* The first "-- @since N" or "-- @upgrade N" line at or after from, or NULL. */
static const char *next_section(const char *from)
{
	const char *since = strstr(from, SINCE_MARK);
	const char *upgrade = strstr(from, UPGRADE_MARK);

	if (!since || !upgrade)
		return since ? since : upgrade;
	return since < upgrade ? since : upgrade;
}

/* Runs the schema text from from up to to (NULL: its end). */
static enum pl_err exec_part(sqlite3 *db, const char *from, const char *to, struct pl_diag *d)
{
	char *sql = to ? pl_xstrndup(from, (size_t)(to - from)) : pl_xstrdup(from);
	enum pl_err err = pl_db_exec(db, sql, d);

	free(sql);
	return err;
}

/* Runs the schema text inside the caller's transaction: for a new database
 * (version 0) the tables before the first section and every "-- @since N"
 * section; for an older one, every section (since or upgrade) with N above
 * version, in the file's order.  Then sets the version to want. */
static enum pl_err apply_schema(sqlite3 *db, int version, int want, struct pl_diag *d)
{
	const char *p = next_section(pl_schema_sql);
	enum pl_err err = PL_OK;
	char pragma[64];

	if (version == 0)
		err = exec_part(db, pl_schema_sql, p, d);
	while (p && !err) {
		const char *next = next_section(p + 1);
		int upgrade = strncmp(p, UPGRADE_MARK, strlen(UPGRADE_MARK)) == 0;
		int since = atoi(p + strlen(upgrade ? UPGRADE_MARK : SINCE_MARK));

		if (since > version && !(upgrade && version == 0))
			err = exec_part(db, p, next, d);
		p = next;
	}
	if (!err) {
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", want);
		err = pl_db_exec(db, pragma, d);
	}
	return err;
}

static enum pl_err check_schema(sqlite3 *db, const char *path, struct pl_diag *d)
{
	int version = 0, n_tables = 0, want = pl_schema_version();
	enum pl_err err;
	int rc;

	rc = query_int(db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = query_int(db, "SELECT count(*) FROM sqlite_master", &n_tables);
	if (rc != SQLITE_OK)
		return pl_db_fail(db, rc, "read schema version", d);
	if (version == want)
		return PL_OK;
	if (version > want || version < 0 || (version == 0 && n_tables != 0))
		return pl_diag_set(d, PL_ECONFIG, path, 0,
				   "database has schema version %d, this program needs %d; "
				   "move it away and rerun to rebuild it", version, want);
	/* foreign keys off: a table an upgrade makes anew must not be checked
	 * against its children row by row when the old one is dropped */
	err = pl_db_exec(db, "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE", d);
	if (!err)
		err = apply_schema(db, version, want, d);
	if (!err)
		err = pl_db_exec(db, "COMMIT", d);
	if (err)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return err;
}

int pl_db_lock_wait(struct pl_diag *d)
{
	const char *s = getenv(PL_LOCK_WAIT_ENV);
	char *end = NULL;
	long v;

	if (!s || !*s)
		return LOCK_WAIT_DEFAULT * 1000;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > LOCK_WAIT_MAX) {
		pl_diag_set(d, PL_ECONFIG, NULL, 0, "%s is '%.40s': it must be a whole number of "
			    "seconds from 0 to %d", PL_LOCK_WAIT_ENV, s, LOCK_WAIT_MAX);
		return -1;
	}
	return (int)v * 1000;
}

enum pl_err pl_db_open(const char *path, sqlite3 **out, struct pl_diag *d)
{
	sqlite3 *db = NULL;
	int wait = pl_db_lock_wait(d);
	enum pl_err err;
	int rc;

	*out = NULL;
	if (wait < 0)
		return d->err;
	err = make_parent(path, d);
	if (err)
		return err;
	err = create_private(path, d);
	if (err)
		return err;
	/* NOMUTEX: a connection is used by one thread only (the stages have one) */
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		err = pl_diag_set(d, PL_ECANTCREAT, path, 0, "cannot open database: %s",
				  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto cleanup;
	}
	sqlite3_busy_timeout(db, wait);
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	err = pl_db_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
			 "PRAGMA foreign_keys = ON", d);
	if (!err)
		err = check_schema(db, path, d);
cleanup:
	if (err) {
		sqlite3_close(db);
		return err;
	}
	*out = db;
	return PL_OK;
}

enum pl_err pl_db_open_existing(const char *path, sqlite3 **out, struct pl_diag *d)
{
	sqlite3 *db = NULL;
	int version = 0, wait = pl_db_lock_wait(d), rc;

	*out = NULL;
	if (wait < 0)
		return d->err;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return pl_diag_set(d, PL_ENOINPUT, path, 0, "cannot open database: %s",
				   sqlite3_errstr(rc));
	}
	sqlite3_busy_timeout(db, wait);
	rc = query_int(db, "PRAGMA user_version", &version);
	if (rc != SQLITE_OK || version != pl_schema_version()) {
		enum pl_err err = rc != SQLITE_OK ? pl_db_fail(db, rc, "read schema version", d)
			: pl_diag_set(d, PL_ECONFIG, path, 0, "database has schema version %d, this "
				      "program needs %d", version, pl_schema_version());

		sqlite3_close(db);
		return err;
	}
	*out = db;
	return PL_OK;
}

void pl_db_close(sqlite3 *db)
{
	sqlite3_close(db);
}

/* The journal mode that "PRAGMA journal_mode = <mode>" leaves db in, or
 * NULL if the pragma failed (busy: another connection has the database). */
static const char *set_journal_mode(sqlite3 *db, const char *mode, char out[16])
{
	char sql[48];
	sqlite3_stmt *st = NULL;
	const char *got = NULL;

	snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", mode);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(out, 16, "%s", (const char *)sqlite3_column_text(st, 0));
		got = out;
	}
	sqlite3_finalize(st);
	return got;
}

int pl_db_bulk_begin(sqlite3 *db)
{
	char mode[16];
	const char *got;
	int wait = 0;

	/* Another connection means busy: no waiting, WAL mode will do. */
	if (query_int(db, "PRAGMA busy_timeout", &wait) != SQLITE_OK)
		wait = LOCK_WAIT_DEFAULT * 1000;
	sqlite3_busy_timeout(db, 0);
	got = set_journal_mode(db, "DELETE", mode);
	sqlite3_busy_timeout(db, wait);
	if (!got || strcmp(got, "delete") != 0) {
		pl_log(PL_LOG_DEBUG, NULL, "writing through the write-ahead log: %s",
		       got ? got : sqlite3_errmsg(db));
		return 0;
	}
	/* In rollback mode NORMAL may skip a sync that a power cut needs. */
	if (sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK) {
		pl_db_bulk_end(db);
		return 0;
	}
	pl_log(PL_LOG_DEBUG, NULL, "writing in bulk: a rollback journal, no other connection");
	return 1;
}

void pl_db_bulk_end(sqlite3 *db)
{
	char mode[16];
	const char *got = set_journal_mode(db, "WAL", mode);

	if (!got || strcmp(got, "wal") != 0)
		pl_log(PL_LOG_DEBUG, NULL, "back to WAL mode: not now (%s)",
		       got ? got : sqlite3_errmsg(db));
	sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
}

enum pl_err pl_db_checks_by_writer(sqlite3 *db, int on, struct pl_diag *d)
{
	return pl_db_exec(db, on ? "PRAGMA ignore_check_constraints = ON"
				 : "PRAGMA ignore_check_constraints = OFF", d);
}

enum pl_err pl_db_unit_begin(struct pl_db_group *g, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	if (sqlite3_get_autocommit(g->db)) {
		g->pending = 0;
		err = pl_db_exec(g->db, "BEGIN IMMEDIATE", d);
	}
	return err ? err : pl_db_exec(g->db, "SAVEPOINT pl_unit", d);
}

enum pl_err pl_db_unit_end(struct pl_db_group *g, long rows, struct pl_diag *d)
{
	enum pl_err err = pl_db_exec(g->db, "RELEASE pl_unit", d);

	if (err) {
		pl_db_unit_undo(g);
		return err;
	}
	g->pending += rows;
	return g->pending >= PL_DB_GROUP_ROWS ? pl_db_group_end(g, d) : PL_OK;
}

void pl_db_unit_undo(struct pl_db_group *g)
{
	/* an I/O error, a full disk or a busy database may have rolled the
	 * whole transaction back already: then there is nothing to undo */
	if (!sqlite3_get_autocommit(g->db))
		sqlite3_exec(g->db, "ROLLBACK TO pl_unit; RELEASE pl_unit", NULL, NULL, NULL);
}

enum pl_err pl_db_group_end(struct pl_db_group *g, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	if (!sqlite3_get_autocommit(g->db)) {
		err = pl_db_exec(g->db, "COMMIT", d);
		if (err)
			sqlite3_exec(g->db, "ROLLBACK", NULL, NULL, NULL);
	}
	g->pending = 0;
	return err;
}

void pl_utc_now(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

enum pl_err pl_db_run_begin(sqlite3 *db, const char *stage, long long *run_id,
			    struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	enum pl_err err;

	pl_utc_now(now);
	err = pl_db_prepare(db, "INSERT INTO stage_run (stage, version, started_at) "
			    "VALUES (?, ?, ?)", &st, d);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, stage, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, PL_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = pl_db_fail(db, sqlite3_errcode(db), "record stage run", d);
	*run_id = sqlite3_last_insert_rowid(db);
	sqlite3_finalize(st);
	return err;
}

enum pl_err pl_db_run_end(sqlite3 *db, long long run_id, int exit_code,
			  const char *summary, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	enum pl_err err;

	pl_utc_now(now);
	err = pl_db_prepare(db, "UPDATE stage_run SET finished_at = ?, exit_code = ?, "
			    "summary = ? WHERE run_id = ?", &st, d);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, exit_code);
	sqlite3_bind_text(st, 3, summary, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, run_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = pl_db_fail(db, sqlite3_errcode(db), "record stage run", d);
	sqlite3_finalize(st);
	return err;
}

enum pl_err pl_db_prepare_all(sqlite3 *db, const char *const *sql, size_t n,
			      sqlite3_stmt **st, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	for (size_t i = 0; !err && i < n; i++)
		err = pl_db_prepare(db, sql[i], &st[i], d);
	return err;
}

void pl_db_finalize_all(sqlite3_stmt **st, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sqlite3_finalize(st[i]);
		st[i] = NULL;
	}
}

enum pl_err pl_db_step_done(sqlite3 *db, sqlite3_stmt *st, const char *what,
			    struct pl_diag *d)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? PL_OK : pl_db_fail(db, rc, what, d);
}

/* Prepares head followed by rows groups of n_cols parameters. */
static enum pl_err prepare_rows(sqlite3 *db, const char *head, int n_cols, size_t rows,
				sqlite3_stmt **st, struct pl_diag *d)
{
	struct pl_buf sql;
	enum pl_err err;

	pl_buf_init(&sql);
	pl_buf_printf(&sql, "%s VALUES ", head);
	for (size_t r = 0; r < rows; r++) {
		pl_buf_append(&sql, r ? ",(" : "(", r ? 2 : 1);
		for (int c = 0; c < n_cols; c++)
			pl_buf_append(&sql, c ? ",?" : "?", c ? 2 : 1);
		pl_buf_append(&sql, ")", 1);
	}
	err = pl_db_prepare(db, sql.data, st, d);
	pl_buf_release(&sql);
	return err;
}

enum pl_err pl_db_insert_rows(sqlite3 *db, const char *head, int n_cols, size_t n,
			      pl_db_bind_row_fn *bind, void *rows, const char *what,
			      struct pl_diag *d)
{
	sqlite3_stmt *many = NULL, *one = NULL;
	size_t i = 0;
	enum pl_err err = PL_OK;

	if (n >= PL_DB_INSERT_BATCH)
		err = prepare_rows(db, head, n_cols, PL_DB_INSERT_BATCH, &many, d);
	for (; !err && n - i >= PL_DB_INSERT_BATCH; i += PL_DB_INSERT_BATCH) {
		for (size_t r = 0; r < PL_DB_INSERT_BATCH; r++)
			bind(rows, i + r, many, (int)r * n_cols);
		err = pl_db_step_done(db, many, what, d);
	}
	if (!err && i < n)
		err = prepare_rows(db, head, n_cols, 1, &one, d);
	for (; !err && i < n; i++) {
		bind(rows, i, one, 0);
		err = pl_db_step_done(db, one, what, d);
	}
	sqlite3_finalize(many);
	sqlite3_finalize(one);
	return err;
}

enum pl_err pl_db_record_run(sqlite3 *db, const char *stage, enum pl_err result,
			     const char *summary, struct pl_diag *d)
{
	struct pl_diag ignored;
	struct pl_diag *rd = result ? &ignored : d;
	long long run_id = 0;
	enum pl_err err;

	/* locked: recording would only wait out the busy timeout again */
	if (!db || result == PL_ETEMPFAIL)
		return result;
	err = pl_db_run_begin(db, stage, &run_id, rd);
	if (!err)
		err = pl_db_run_end(db, run_id, pl_exit_code(result), summary, rd);
	return result ? result : err;
}

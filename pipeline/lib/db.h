/*
 * lib/db.h - the pipeline database: opening it, creating its tables from
 * pipeline/schema.sql (compiled in), checking the schema version, and
 * turning SQLite errors into pl_err classes.
 */
#ifndef PL_DB_H
#define PL_DB_H

#include <sqlite3.h>
#include <stdint.h>

#include "pl.h"

/* The version schema.sql sets with PRAGMA user_version. */
int pl_schema_version(void);

/* How long a statement waits for a lock that another connection holds (an
 * analyst's reader, a backup) before it fails with PL_ETEMPFAIL: the
 * environment's PL_LOCK_WAIT, whole seconds from 0 to 3600, else 5 s.  In
 * milliseconds; -1 with *d set (PL_ECONFIG) if PL_LOCK_WAIT is not such a
 * number.  pl_db_open and pl_db_open_existing use it. */
#define PL_LOCK_WAIT_ENV "PL_LOCK_WAIT"
int pl_db_lock_wait(struct pl_diag *d);

/* Opens (creating file, parent directory and tables if missing) the
 * database at path.  PL_ECONFIG for a database of another schema version
 * or a bad PL_LOCK_WAIT, PL_ECANTCREAT if it cannot be created,
 * PL_ETEMPFAIL if locked. */
enum pl_err pl_db_open(const char *path, sqlite3 **out, struct pl_diag *d);
/* Opens an existing database read-only (reports: explain, coverage);
 * PL_ENOINPUT if there is none, PL_ECONFIG for another schema version. */
enum pl_err pl_db_open_existing(const char *path, sqlite3 **out, struct pl_diag *d);
/* Closes db.  A connection of pl_db_open leaves the write-ahead log as it
 * is (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE): the next bulk write or the
 * driver's closing checkpoint moves it into the database file. */
void pl_db_close(sqlite3 *db);

/*
 * Bulk writing.  The database lives in WAL mode, so that readers never
 * block the nightly run; but in WAL mode every new page is written twice,
 * into the log and then by the checkpoint into the database file.  A stage
 * about to write many rows (ingest and map with files to do, dedup's
 * tables) switches its connection to a rollback journal, in which a new
 * page is written once and only the pages that existed are journaled, and
 * back to WAL when it is done.  Leaving WAL mode needs the database to
 * itself: if any other connection has it open, the switch is not made and
 * the stage writes through the log as before (the same rows, slower).
 * pl_db_bulk_begin returns whether it switched; no transaction may be open.
 * pl_db_bulk_end switches back (if that fails, the next pl_db_open does).
 */
int pl_db_bulk_begin(sqlite3 *db);
void pl_db_bulk_end(sqlite3 *db);

/*
 * CHECK constraints kept by the writer.  SQLite may test a column's
 * "x IN ('a', 'b', 'c')" (three values or more; fewer become x = 'a' OR
 * x = 'b') through a temporary table made for every row: perf shows it
 * clearing a table per row, about 0.35 us (dedup's person and
 * episode_person rows; map's episodes, measured the same way, showed no
 * such cost, and map keeps SQLite's tests).  A stage whose rows take their
 * codes from its own lists turns SQLite's tests off for its connection
 * while it writes (on = 1) and on again after (on = 0).  NOT NULL is still
 * tested; other connections keep the tests; the stage tests end with
 * PRAGMA quick_check, which finds a row that breaks one.  Statements
 * prepared before are compiled again.
 */
enum pl_err pl_db_checks_by_writer(sqlite3 *db, int on, struct pl_diag *d);

/*
 * Group commit.  A stage that writes one file after another keeps each
 * file whole, a unit of its own (a savepoint: a unit undone leaves nothing
 * of it), but commits the units together, once PL_DB_GROUP_ROWS rows are
 * pending and at the end (pl_db_group_end, also after a failure: the
 * finished units stay).  In rollback mode a commit syncs four times (the
 * journal twice, its directory, the database): ingest and map committing
 * each of 14 files synced about 100 times each at 1M rows.  A crash loses
 * the units since the last commit; the next run does them again.
 */
#define PL_DB_GROUP_ROWS 2000000L

struct pl_db_group {
	sqlite3 *db;
	long pending;              /* rows of the open transaction's units */
};

/* Opens a unit (and a transaction, BEGIN IMMEDIATE, if none is open). */
enum pl_err pl_db_unit_begin(struct pl_db_group *g, struct pl_diag *d);
/* Keeps the open unit, of rows rows; commits if enough are pending. */
enum pl_err pl_db_unit_end(struct pl_db_group *g, long rows, struct pl_diag *d);
/* Undoes the open unit (whatever the transaction still holds of it). */
void pl_db_unit_undo(struct pl_db_group *g);
/* Commits the finished units, if a transaction is open. */
enum pl_err pl_db_group_end(struct pl_db_group *g, struct pl_diag *d);

/* Fills *d from the connection's last error: BUSY/LOCKED -> PL_ETEMPFAIL,
 * IOERR/FULL -> PL_EIO, CANTOPEN/READONLY -> PL_ECANTCREAT, others
 * PL_ESOFTWARE.  what says what was being done. */
enum pl_err pl_db_fail(sqlite3 *db, int rc, const char *what, struct pl_diag *d);
enum pl_err pl_db_exec(sqlite3 *db, const char *sql, struct pl_diag *d);
enum pl_err pl_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt,
			  struct pl_diag *d);

/* Prepares n statements (sql[i] -> st[i]); on failure the prepared ones
 * stay in st for pl_db_finalize_all(). */
enum pl_err pl_db_prepare_all(sqlite3 *db, const char *const *sql, size_t n,
			      sqlite3_stmt **st, struct pl_diag *d);
void pl_db_finalize_all(sqlite3_stmt **st, size_t n);
/* The integer in the first column of sql's first row into *v (0 when it
 * gives no row or NULL); what says what was being read, in an error. */
enum pl_err pl_db_query_int64(sqlite3 *db, const char *sql, int64_t *v, const char *what,
			      struct pl_diag *d);

/* A sha256 over every row sql gives with ?1 bound to bind1, in hex: each
 * row its columns as text (NULL as "-") joined by spaces, and a newline;
 * *n_rows: how many rows.  For "have these rows changed?" (the files a
 * stage's kept state counted). */
enum pl_err pl_db_digest(sqlite3 *db, const char *sql, int64_t bind1, char out[65],
			 long long *n_rows, struct pl_diag *d);

/* Steps a statement that returns no rows, then resets it and clears its
 * bindings for the next use. */
enum pl_err pl_db_step_done(sqlite3 *db, sqlite3_stmt *st, const char *what,
			    struct pl_diag *d);

/* Records a finished run of a stage (table stage_run).  A failure here does
 * not mask the run's own result: returns result when it is an error (and
 * leaves *d alone); else PL_OK, or the failure to record with *d set (e.g.
 * PL_ETEMPFAIL when another process holds the database locked), since a
 * run missing from stage_run would make the driver take later stages' inputs
 * for unchanged.  A run that failed on the database being locked is not
 * recorded (that would only wait out the busy timeout a second time). */
/* Binds row i of the caller's rows to st, its columns at parameters
 * base + 1, base + 2, ... */
typedef void pl_db_bind_row_fn(void *rows, size_t i, sqlite3_stmt *st, int base);

#define PL_DB_INSERT_BATCH 64

/* Inserts n rows held by the caller: head is "INSERT INTO t (a, b, c)" with
 * n_cols columns; bind fills row i.  Rows go PL_DB_INSERT_BATCH to a
 * statement (SQLite's per-statement work is then paid once per batch),
 * the rest one by one.  Inside the caller's transaction; what names the
 * rows in an error. */
enum pl_err pl_db_insert_rows(sqlite3 *db, const char *head, int n_cols, size_t n,
			      pl_db_bind_row_fn *bind, void *rows, const char *what,
			      struct pl_diag *d);

enum pl_err pl_db_record_run(sqlite3 *db, const char *stage, enum pl_err result,
			     const char *summary, struct pl_diag *d);

/* Runs of a stage, for the report's metadata. */
enum pl_err pl_db_run_begin(sqlite3 *db, const char *stage, long long *run_id,
			    struct pl_diag *d);
enum pl_err pl_db_run_end(sqlite3 *db, long long run_id, int exit_code,
			  const char *summary, struct pl_diag *d);

/* UTC now as ISO 8601 "2026-11-24T02:00:03Z". */
void pl_utc_now(char out[32]);

#endif

/*
 * tools/seal_v6.c - puts a database's sealed values back in the form of
 * schema version 6, for the upgrade test (tests/stages/t0511): every raw
 * row's values sealed on their own into a new column raw_row.sealed (as
 * ingest sealed them before version 7), and table raw_sealed dropped.  The
 * raw rows must be a table, as before version 13 (the test makes them one
 * first).  The user_version is left as it is; the test sets it.
 *
 * Usage: seal_v6 DATABASE KEYFILE.  Exit 0, or 1 with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "sealed.h"
#include "secret.h"

struct row {
	long long file_id;
	long line;
};

/* Every raw row's key, in (file_id, line) order. */
static struct row *raw_rows(sqlite3 *db, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct row *rows = NULL;
	size_t cap = 0;

	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT file_id, line FROM raw_row ORDER BY file_id, line",
			       -1, &st, NULL) != SQLITE_OK)
		return NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap = 2 * cap + 1024;
			rows = pl_xrealloc(rows, cap * sizeof(*rows));
		}
		rows[*n].file_id = sqlite3_column_int64(st, 0);
		rows[(*n)++].line = (long)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rows;
}

/* Seals each row's values on its own into raw_row.sealed. */
static enum pl_err reseal(sqlite3 *db, const unsigned char *key, struct pl_diag *d)
{
	struct pl_sealed_reader rd;
	sqlite3_stmt *up = NULL;
	struct pl_buf blob;
	size_t n = 0;
	struct row *rows = raw_rows(db, &n);
	enum pl_err err = pl_sealed_reader_init(&rd, db, key, d);

	pl_buf_init(&blob);
	if (!err)
		err = pl_sealed_start(&rd, 0, INT64_MAX, d);
	if (!err)
		err = pl_db_prepare(db, "UPDATE raw_row SET sealed = ?3 WHERE file_id = ?1 AND "
				    "line = ?2", &up, d);
	for (size_t i = 0; !err && i < n; i++) {
		const char *values;
		size_t len;
		int found = pl_sealed_find(&rd, rows[i].file_id, rows[i].line, &values, &len, d);

		if (found < 0)
			err = d->err;
		if (found <= 0)
			continue;
		pl_seal(key, values, len, &blob);
		sqlite3_bind_int64(up, 1, rows[i].file_id);
		sqlite3_bind_int64(up, 2, rows[i].line);
		sqlite3_bind_blob(up, 3, blob.data, (int)blob.len, SQLITE_STATIC);
		err = pl_db_step_done(db, up, "store a row's sealed values", d);
	}
	sqlite3_finalize(up);
	pl_sealed_reader_release(&rd);
	pl_buf_release(&blob);
	free(rows);
	return err;
}

int main(int argc, char **argv)
{
	unsigned char seal_key[PL_KEY_BYTES];
	struct pl_key key;
	struct pl_diag d;
	sqlite3 *db = NULL;
	enum pl_err err;

	if (argc != 3) {
		fprintf(stderr, "usage: seal_v6 DATABASE KEYFILE\n");
		return 1;
	}
	pl_diag_clear(&d);
	err = pl_secret_init(&d);
	if (!err)
		err = pl_key_load(argv[2], 0, &key, &d);
	if (err)
		goto cleanup;
	pl_key_derive(&key, PL_SUBKEY_SEAL, seal_key);
	pl_key_wipe(&key);
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		err = pl_diag_set(&d, PL_ENOINPUT, argv[1], 0, "cannot open the database");
		goto cleanup;
	}
	err = pl_db_exec(db, "BEGIN; ALTER TABLE raw_row ADD COLUMN sealed BLOB", &d);
	if (!err)
		err = reseal(db, seal_key, &d);
	if (!err)
		err = pl_db_exec(db, "DROP TABLE raw_sealed; COMMIT", &d);
cleanup:
	memset(seal_key, 0, sizeof(seal_key));
	sqlite3_close(db);
	if (err)
		fprintf(stderr, "seal_v6: %s\n", d.msg);
	return err ? 1 : 0;
}

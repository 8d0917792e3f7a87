/*
 * lib/sealed.h - the sealed values of raw rows (table raw_sealed), sealed a
 * chunk of rows at a time.
 *
 * ingest seals the values of a file's sensitive columns (identity number,
 * names, postcode); map and dedup open them.  Sealed one row at a time,
 * each of the 10M rows of the large benchmark paid a whole XChaCha20-
 * Poly1305 message (a subkey, a one-time key, a tag: ~440 ns) three times
 * a cold run, and 40 bytes of nonce and tag for ~35 bytes of values.  So
 * the values of up to PL_SEALED_ROWS consecutive rows of one file are
 * sealed as one message, a row of raw_sealed keyed by (file_id,
 * first_line), with (file_id, first_line) as associated data: a chunk
 * copied to another file or place does not open.
 *
 * The plaintext of a chunk (format PL_SEALED_FRAMED) is, for each row in
 * line order: its line, the length of its values and the values, the two
 * numbers as LEB128 varints.  The first row's line is first_line.  A
 * database upgraded from version 6 holds the former per-row blobs as
 * chunks of format PL_SEALED_ONE: one row, at first_line, its values the
 * whole plaintext, no associated data.  The reader takes both, and the
 * next ingest seals those again as chunks of format 2 (pl_sealed_reseal).
 *
 * Privacy: the writer's and the reader's buffers hold values in clear;
 * they are wiped when reset and released.
 */
#ifndef PL_SEALED_H
#define PL_SEALED_H

#include <sqlite3.h>
#include <stddef.h>

#include "pl.h"
#include "secret.h"

#define PL_SEALED_ROWS 256        /* rows a chunk holds at most */
#define PL_SEALED_BYTES 65536     /* plaintext a chunk stops growing at */

enum pl_sealed_format {
	PL_SEALED_ONE = 1,        /* one row's values, sealed before schema version 7 */
	PL_SEALED_FRAMED = 2      /* rows framed as above, (file_id, first_line) bound */
};

/* Seals the rows one file's caller adds, a chunk at a time, into raw_sealed
 * (inside the caller's transaction). */
struct pl_sealed_writer {
	sqlite3 *db;
	sqlite3_stmt *insert;
	const unsigned char *key;         /* the seal subkey, the caller's */
	struct pl_nonce_pool *nonces;     /* the caller's, or NULL */
	long long file_id;                /* of the chunk begun */
	long first_line;
	long long last_file;              /* the last row added (-1: none since a discard) */
	long last_line;
	size_t rows;                      /* in plain; 0: no chunk begun */
	struct pl_buf plain, blob;
};

enum pl_err pl_sealed_writer_init(struct pl_sealed_writer *w, sqlite3 *db,
				  const unsigned char key[PL_KEY_BYTES],
				  struct pl_nonce_pool *nonces, struct pl_diag *d);
/* Adds the values of row (file_id, line); a chunk is stored when it is full
 * and when the file changes.  Rows come in (file_id, line) order (else
 * PL_ESOFTWARE), from the last discard on. */
enum pl_err pl_sealed_add(struct pl_sealed_writer *w, long long file_id, long line,
			  const void *values, size_t len, struct pl_diag *d);
/* Stores the chunk begun, if any (at the end of a file). */
enum pl_err pl_sealed_flush(struct pl_sealed_writer *w, struct pl_diag *d);
/* Drops the chunk begun, unstored (the caller rolls back), and starts the
 * order anew. */
void pl_sealed_discard(struct pl_sealed_writer *w);
void pl_sealed_writer_release(struct pl_sealed_writer *w);

/* Opens the chunks of a range of files in key order and finds rows in
 * them.  A chunk is opened when a row at or after its first line is asked
 * for, once. */
struct pl_sealed_reader {
	sqlite3 *db;
	sqlite3_stmt *st;                 /* file_id, first_line, format, blob */
	int rc;                           /* its last step; SQLITE_ROW: a chunk not yet opened */
	const unsigned char *key;
	struct pl_buf plain;              /* the chunk opened */
	struct pl_buf row;                /* the row found, NUL-ended */
	size_t at;                        /* its next row's frame */
	long long file_id;                /* of the chunk opened; -1: none */
	long first;                       /* its first line */
	int format;
	long line;                        /* the next row of the chunk opened; -1: none */
	int broken;                       /* a chunk opened but was not framed as written */
	size_t off, len;                  /* its values in plain */
};

enum pl_err pl_sealed_reader_init(struct pl_sealed_reader *r, sqlite3 *db,
				  const unsigned char key[PL_KEY_BYTES], struct pl_diag *d);
/* Starts at the first chunk of files first..last. */
enum pl_err pl_sealed_start(struct pl_sealed_reader *r, long long first, long long last,
			    struct pl_diag *d);
/*
 * The sealed values of row (file_id, line): 1 with *values (NUL-ended,
 * valid until the next call) and *len, 0 if the row has none.  Rows are
 * asked in (file_id, line) order.  -1 with *d set: PL_ECONFIG if a chunk
 * does not open (another key, or altered), PL_EDATA if it opens but its
 * rows are not framed as written, else the database's error; once -1,
 * every later row is -1 too.
 */
int pl_sealed_find(struct pl_sealed_reader *r, long long file_id, long line,
		   const char **values, size_t *len, struct pl_diag *d);
void pl_sealed_reader_release(struct pl_sealed_reader *r);

/* Whether the database holds any sealed value: -1 on a database error. */
int pl_sealed_any(sqlite3 *db);

/*
 * Chunks of format 1 (one row each, from before schema version 7) sealed
 * again as chunks of format 2, so that an upgraded database opens a message
 * a chunk as a new one does (ingest does it once, file by file).
 * pl_sealed_legacy_file: the first file holding any, or 0 if none (-1 on a
 * database error).  pl_sealed_reseal: the file's format 1 chunks, PL_SEALED_ROWS
 * at a time, opened, deleted and written as one chunk of format 2 through
 * w, inside the caller's transaction; *rows says how many.  The values are
 * the same; the chunks hold up to PL_SEALED_ROWS rows, as ingest makes them.
 */
long long pl_sealed_legacy_file(sqlite3 *db);
enum pl_err pl_sealed_reseal(struct pl_sealed_writer *w, long long file_id, long *rows,
			     struct pl_diag *d);

#endif

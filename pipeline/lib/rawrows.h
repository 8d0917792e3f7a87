/*
 * lib/rawrows.h - the kept records of the input files (table raw_chunk,
 * seen row by row through the view raw_row), stored a chunk of records at
 * a time.
 *
 * ingest keeps every record it does not reject, its values decoded to
 * UTF-8 (a sealed column's values empty: they are in raw_sealed); map reads
 * them back, file by file in line order.  Stored a row of SQLite each, the
 * 10M records of the large benchmark cost ingest more than half of its
 * storing thread (a b-tree insert, a record and a key compared a row), and
 * map a step of a statement a row.  So up to PL_RAW_ROWS consecutive
 * records of one file are one row of raw_chunk, keyed by (file_id,
 * first_line).
 *
 * A chunk's text is JSON, so that SQL can still read the records (the view
 * raw_row, with SQLite's json_each): an array with one array per record in
 * line order, its line and then its values as strings:
 *
 *     [[2,"","K","Öppenvård","1234,50"],[3,"","M","HVB",""]]
 *
 * The writer escapes '"' and '\' and the control characters a value may
 * hold (TAB, LF, CR; ingest rejects the others) and writes no white space.
 * The reader takes any JSON of that shape (white space, every escape of
 * RFC 8259) and gives each record's values joined by U+001F, as
 * raw_row.fields has them; a value that would hold U+001F is refused.
 */
#ifndef PL_RAWROWS_H
#define PL_RAWROWS_H

#include <sqlite3.h>
#include <stddef.h>

#include "pl.h"

#define PL_RAW_ROWS 256          /* records a chunk holds at most */
#define PL_RAW_BYTES 65536       /* text a chunk stops growing at */
#define PL_RAW_SEP '\x1f'        /* between the values of raw_row.fields */

/* Stores the records one file's caller adds, a chunk at a time, into
 * raw_chunk (inside the caller's transaction). */
struct pl_raw_writer {
	sqlite3 *db;
	sqlite3_stmt *insert;
	long long file_id;           /* of the chunk begun */
	long first_line;
	long long last_file;         /* the last record added (-1: none since a discard) */
	long last_line;
	size_t rows;                 /* in text; 0: no chunk begun */
	struct pl_buf text;
};

enum pl_err pl_raw_writer_init(struct pl_raw_writer *w, sqlite3 *db, struct pl_diag *d);
/* Adds record (file_id, line), record[0..len) as pl_raw_encode wrote it
 * (ingest encodes on its reading thread, the writer only copies); a chunk
 * is stored when it is full and when the file changes.  Records come in
 * (file_id, line) order (else PL_ESOFTWARE), from the last discard on. */
enum pl_err pl_raw_add(struct pl_raw_writer *w, long long file_id, long line,
		       const char *record, size_t len, struct pl_diag *d);
/* Stores the chunk begun, if any (at the end of a file). */
enum pl_err pl_raw_flush(struct pl_raw_writer *w, struct pl_diag *d);
/* Drops the chunk begun, unstored (the caller rolls back), and starts the
 * order anew. */
void pl_raw_discard(struct pl_raw_writer *w);
void pl_raw_writer_release(struct pl_raw_writer *w);

/* Appends one record's JSON array (line, then the values of fields[0..len)
 * split at PL_RAW_SEP) to out: what the writer stores. */
void pl_raw_encode(struct pl_buf *out, long line, const char *fields, size_t len);

/* Reads one file's records in line order, a chunk at a time. */
struct pl_raw_reader {
	sqlite3 *db;
	sqlite3_stmt *st;            /* first_line, n_rows, rows of the file */
	long long file_id;
	const char *at, *end;        /* the chunk being read: its next record, its end;
					at NULL: no chunk begun */
	long first_line;             /* of that chunk */
	long n_rows, rows_read;      /* its records, as stored and as read */
	long last_line;              /* the last record given (0: none) */
	int done;
};

enum pl_err pl_raw_reader_init(struct pl_raw_reader *r, sqlite3 *db, struct pl_diag *d);
/* Starts at the first record of file_id. */
void pl_raw_start(struct pl_raw_reader *r, long long file_id);
/*
 * The next record: 1 with *line and its values, joined by PL_RAW_SEP and
 * NUL-ended (the NUL counted in out->len), appended to out; 0 after the
 * last.  -1 with *d set: PL_EDATA
 * if a chunk is not a JSON array of records as above, or its records are
 * not in line order or not as many as its n_rows, else the database's
 * error.
 */
int pl_raw_next(struct pl_raw_reader *r, long *line, struct pl_buf *out, struct pl_diag *d);
/* Ends the reading of the file begun (its statement reset). */
void pl_raw_stop(struct pl_raw_reader *r);
void pl_raw_reader_release(struct pl_raw_reader *r);

#endif

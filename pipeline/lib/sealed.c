/*
 * lib/sealed.c - the sealed values of raw rows, a chunk of rows per seal
 * (see sealed.h).
 */
#include "sealed.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "db.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define PL_SEALED_ROWS_TEXT STR(PL_SEALED_ROWS)

/* ---- framing ------------------------------------------------------------ */

static void put_varint(struct pl_buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	pl_buf_append(b, tmp, n);
}

/* The varint at *at in p[0..len), *at moved past it; -1 if it runs over
 * the end or over 64 bits. */
static int get_varint(const unsigned char *p, size_t len, size_t *at, uint64_t *v)
{
	uint64_t r = 0;

	for (unsigned shift = 0; shift < 64 && *at < len; shift += 7) {
		unsigned char c = p[(*at)++];

		r |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -1;
}

/* The associated data of a framed chunk: where it belongs. */
static void chunk_ad(long long file_id, long first_line, unsigned char ad[16])
{
	uint64_t f = (uint64_t)file_id, l = (uint64_t)first_line;

	for (int i = 0; i < 8; i++) {
		ad[i] = (unsigned char)(f >> (8 * i));
		ad[8 + i] = (unsigned char)(l >> (8 * i));
	}
}

/* ---- writing ------------------------------------------------------------ */

enum pl_err pl_sealed_writer_init(struct pl_sealed_writer *w, sqlite3 *db,
				  const unsigned char key[PL_KEY_BYTES],
				  struct pl_nonce_pool *nonces, struct pl_diag *d)
{
	memset(w, 0, sizeof(*w));
	w->db = db;
	w->key = key;
	w->nonces = nonces;
	w->last_file = -1;
	w->last_line = -1;
	pl_buf_init(&w->plain);
	pl_buf_init(&w->blob);
	return pl_db_prepare(db, "INSERT INTO raw_sealed (file_id, first_line, format, blob) "
			     "VALUES (?1, ?2, 2, ?3)", &w->insert, d);
}

enum pl_err pl_sealed_flush(struct pl_sealed_writer *w, struct pl_diag *d)
{
	unsigned char ad[16];
	enum pl_err err;

	if (!w->rows)
		return PL_OK;
	chunk_ad(w->file_id, w->first_line, ad);
	pl_seal_ad(w->key, w->nonces, w->plain.data, w->plain.len, ad, sizeof(ad), &w->blob);
	pl_buf_wipe(&w->plain);
	w->rows = 0;
	sqlite3_bind_int64(w->insert, 1, w->file_id);
	sqlite3_bind_int64(w->insert, 2, w->first_line);
	sqlite3_bind_blob(w->insert, 3, w->blob.data, (int)w->blob.len, SQLITE_STATIC);
	err = pl_db_step_done(w->db, w->insert, "store sealed values", d);
	pl_buf_reset(&w->blob);
	return err;
}

enum pl_err pl_sealed_add(struct pl_sealed_writer *w, long long file_id, long line,
			  const void *values, size_t len, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	if (file_id < w->last_file || (file_id == w->last_file && line <= w->last_line))
		return pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "sealed values of %lld:%ld after "
				   "%lld:%ld", file_id, line, w->last_file, w->last_line);
	if (w->rows && file_id != w->file_id)
		err = pl_sealed_flush(w, d);
	if (err)
		return err;
	if (!w->rows) {
		w->file_id = file_id;
		w->first_line = line;
	}
	put_varint(&w->plain, (uint64_t)line);
	put_varint(&w->plain, (uint64_t)len);
	pl_buf_append(&w->plain, values, len);
	w->last_file = file_id;
	w->last_line = line;
	w->rows++;
	if (w->rows >= PL_SEALED_ROWS || w->plain.len >= PL_SEALED_BYTES)
		err = pl_sealed_flush(w, d);
	return err;
}

void pl_sealed_discard(struct pl_sealed_writer *w)
{
	pl_buf_wipe(&w->plain);
	w->rows = 0;
	w->last_file = -1;
	w->last_line = -1;
}

void pl_sealed_writer_release(struct pl_sealed_writer *w)
{
	pl_sealed_discard(w);
	sqlite3_finalize(w->insert);
	w->insert = NULL;
	pl_buf_release(&w->plain);
	pl_buf_release(&w->blob);
}

/* ---- reading ------------------------------------------------------------ */

enum pl_err pl_sealed_reader_init(struct pl_sealed_reader *r, sqlite3 *db,
				  const unsigned char key[PL_KEY_BYTES], struct pl_diag *d)
{
	memset(r, 0, sizeof(*r));
	r->db = db;
	r->key = key;
	r->file_id = -1;
	r->line = -1;
	r->rc = SQLITE_DONE;
	pl_buf_init(&r->plain);
	pl_buf_init(&r->row);
	return pl_db_prepare(db, "SELECT file_id, first_line, format, blob FROM raw_sealed "
			     "WHERE file_id BETWEEN ?1 AND ?2 ORDER BY file_id, first_line",
			     &r->st, d);
}

enum pl_err pl_sealed_start(struct pl_sealed_reader *r, long long first, long long last,
			    struct pl_diag *d)
{
	pl_buf_wipe(&r->plain);
	r->file_id = -1;
	r->line = -1;
	r->broken = 0;
	sqlite3_reset(r->st);
	sqlite3_bind_int64(r->st, 1, first);
	sqlite3_bind_int64(r->st, 2, last);
	r->rc = sqlite3_step(r->st);
	if (r->rc != SQLITE_ROW && r->rc != SQLITE_DONE)
		return pl_db_fail(r->db, r->rc, "read sealed values", d);
	return PL_OK;
}

static int malformed(struct pl_sealed_reader *r, struct pl_diag *d)
{
	r->broken = 1;
	pl_diag_set(d, PL_EDATA, NULL, 0, "the sealed values of file %lld from line %ld are "
		    "not framed as they were written", r->file_id, r->first);
	r->line = -1;
	return -1;
}

/* Moves to the next row of the chunk opened (r->line -1 after its last). */
static int next_row(struct pl_sealed_reader *r, struct pl_diag *d)
{
	const unsigned char *p = (const unsigned char *)r->plain.data;
	uint64_t line, len;

	if (r->at >= r->plain.len) {
		r->line = -1;
		return 0;
	}
	if (r->format != PL_SEALED_FRAMED)
		return malformed(r, d);
	if (get_varint(p, r->plain.len, &r->at, &line) != 0 ||
	    get_varint(p, r->plain.len, &r->at, &len) != 0 || line > LONG_MAX ||
	    (long)line <= r->line || len > r->plain.len - r->at)
		return malformed(r, d);
	r->line = (long)line;
	r->off = r->at;
	r->len = (size_t)len;
	r->at += (size_t)len;
	return 0;
}

/* Opens the chunk the statement stands on and steps past it. */
static int open_chunk(struct pl_sealed_reader *r, struct pl_diag *d)
{
	long long file_id = sqlite3_column_int64(r->st, 0);
	long first = (long)sqlite3_column_int64(r->st, 1);
	int format = sqlite3_column_int(r->st, 2);
	const void *blob = sqlite3_column_blob(r->st, 3);
	size_t n = (size_t)sqlite3_column_bytes(r->st, 3);
	unsigned char ad[16];
	int shut;

	chunk_ad(file_id, first, ad);
	if (format == PL_SEALED_FRAMED)
		shut = pl_unseal_ad(r->key, blob, n, ad, sizeof(ad), &r->plain);
	else
		shut = format != PL_SEALED_ONE || pl_unseal(r->key, blob, n, &r->plain);
	if (shut) {
		pl_buf_wipe(&r->plain);
		pl_diag_set(d, PL_ECONFIG, NULL, 0, "sealed values cannot be opened: the key "
			    "file is not the one used at ingest");
		return -1; /* the statement stays: every later row fails too */
	}
	r->file_id = file_id;
	r->first = first;
	r->format = format;
	r->at = 0;
	r->line = first - 1;
	if (format == PL_SEALED_ONE) {
		r->line = first;
		r->off = 0;
		r->len = r->plain.len;
		r->at = r->plain.len;
	} else if (next_row(r, d) != 0) {
		return -1;
	} else if (r->line != first) {
		return malformed(r, d);
	}
	r->rc = sqlite3_step(r->st);
	if (r->rc != SQLITE_ROW && r->rc != SQLITE_DONE) {
		pl_db_fail(r->db, r->rc, "read sealed values", d);
		return -1;
	}
	return 0;
}

/* Whether (f, l) comes before (file_id, line). */
static int before(long long f, long l, long long file_id, long line)
{
	return f < file_id || (f == file_id && l < line);
}

int pl_sealed_find(struct pl_sealed_reader *r, long long file_id, long line,
		   const char **values, size_t *len, struct pl_diag *d)
{
	if (r->broken)
		return malformed(r, d);
	for (;;) {
		while (r->line >= 0 && before(r->file_id, r->line, file_id, line))
			if (next_row(r, d) != 0)
				return -1;
		if (r->line >= 0) {
			if (r->file_id != file_id || r->line != line)
				return 0; /* the chunk opened is past it, so are the others */
			if (r->row.data)
				memset(r->row.data, 0, r->row.len);
			pl_buf_reset(&r->row);
			pl_buf_append(&r->row, r->plain.data + r->off, r->len);
			*values = r->row.data ? r->row.data : "";
			*len = r->len;
			return 1;
		}
		if (r->rc == SQLITE_DONE)
			return 0;
		if (r->rc != SQLITE_ROW) {
			pl_db_fail(r->db, r->rc, "read sealed values", d);
			return -1;
		}
		if (before(file_id, line, sqlite3_column_int64(r->st, 0),
			   (long)sqlite3_column_int64(r->st, 1)))
			return 0;
		if (open_chunk(r, d) != 0)
			return -1;
	}
}

void pl_sealed_reader_release(struct pl_sealed_reader *r)
{
	pl_buf_wipe(&r->plain);
	pl_buf_wipe(&r->row);
	pl_buf_release(&r->row);
	sqlite3_finalize(r->st);
	r->st = NULL;
	pl_buf_release(&r->plain);
}

int pl_sealed_any(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int any = -1;

	if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM raw_sealed)", -1, &st,
			       NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		any = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return any;
}

/* ---- format 1 sealed again ------------------------------------------- */

long long pl_sealed_legacy_file(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	long long file_id = -1;
	int rc = sqlite3_prepare_v2(db, "SELECT file_id FROM raw_sealed WHERE format = 1 "
				    "LIMIT 1", -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		file_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : rc == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(st);
	return file_id;
}

/* Up to PL_SEALED_ROWS format 1 chunks of the file after line `after`,
 * opened and framed into group as a chunk's rows are; *n how many, *last
 * the last one's line.  The statement is reset before anything is written. */
static enum pl_err open_group(struct pl_sealed_writer *w, sqlite3_stmt *get, long long file_id,
			      long after, struct pl_buf *plain, struct pl_buf *group, size_t *n,
			      long *last, struct pl_diag *d)
{
	enum pl_err err = PL_OK;
	int rc;

	*n = 0;
	pl_buf_wipe(group);
	sqlite3_bind_int64(get, 1, file_id);
	sqlite3_bind_int64(get, 2, after);
	while (!err && (rc = sqlite3_step(get)) == SQLITE_ROW) {
		*last = (long)sqlite3_column_int64(get, 0);
		if (pl_unseal(w->key, sqlite3_column_blob(get, 1),
			      (size_t)sqlite3_column_bytes(get, 1), plain) != 0) {
			err = pl_diag_set(d, PL_ECONFIG, NULL, 0, "sealed values cannot be opened: "
					  "the key file is not the one used at ingest");
			break;
		}
		put_varint(group, (uint64_t)*last);
		put_varint(group, (uint64_t)plain->len);
		pl_buf_append(group, plain->data, plain->len);
		++*n;
	}
	if (!err && rc != SQLITE_DONE)
		err = pl_db_fail(w->db, rc, "read sealed values", d);
	sqlite3_reset(get);
	pl_buf_wipe(plain);
	return err;
}

/* The rows framed in group, to the writer. */
static enum pl_err write_group(struct pl_sealed_writer *w, long long file_id,
			       const struct pl_buf *group, struct pl_diag *d)
{
	const unsigned char *p = (const unsigned char *)group->data;
	enum pl_err err = PL_OK;
	uint64_t line, len;
	size_t at = 0;

	while (!err && at < group->len) {
		if (get_varint(p, group->len, &at, &line) != 0 ||
		    get_varint(p, group->len, &at, &len) != 0 || len > group->len - at)
			return pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "a group of sealed values "
					   "framed wrongly");
		err = pl_sealed_add(w, file_id, (long)line, p + at, (size_t)len, d);
		at += (size_t)len;
	}
	return err;
}

enum pl_err pl_sealed_reseal(struct pl_sealed_writer *w, long long file_id, long *rows,
			     struct pl_diag *d)
{
	sqlite3_stmt *get = NULL, *del = NULL;
	struct pl_buf plain, group;
	long after = -1, last = -1;
	size_t n = 1;
	enum pl_err err;

	*rows = 0;
	pl_buf_init(&plain);
	pl_buf_init(&group);
	pl_sealed_discard(w);
	err = pl_db_prepare(w->db, "SELECT first_line, blob FROM raw_sealed WHERE file_id = ?1 "
			    "AND first_line > ?2 AND format = 1 ORDER BY first_line LIMIT "
			    PL_SEALED_ROWS_TEXT, &get, d);
	if (!err)
		err = pl_db_prepare(w->db, "DELETE FROM raw_sealed WHERE file_id = ?1 AND "
				    "first_line > ?2 AND first_line <= ?3 AND format = 1", &del, d);
	while (!err && n) {
		/* opened, then deleted, then written where the first of them was */
		err = open_group(w, get, file_id, after, &plain, &group, &n, &last, d);
		if (!err && n) {
			sqlite3_bind_int64(del, 1, file_id);
			sqlite3_bind_int64(del, 2, after);
			sqlite3_bind_int64(del, 3, last);
			err = pl_db_step_done(w->db, del, "delete sealed values", d);
		}
		if (!err)
			err = write_group(w, file_id, &group, d);
		if (!err)
			err = pl_sealed_flush(w, d);
		*rows += (long)n;
		after = last;
	}
	if (err)
		pl_sealed_discard(w);
	sqlite3_finalize(get);
	sqlite3_finalize(del);
	pl_buf_wipe(&group);
	pl_buf_release(&plain);
	pl_buf_release(&group);
	return err;
}

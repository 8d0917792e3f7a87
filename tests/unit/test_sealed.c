/*
 * tests/unit/test_sealed.c - lib/sealed: the sealed values of raw rows, a
 * chunk of rows per seal in raw_sealed.  Rows read back exactly, chunks
 * close at PL_SEALED_ROWS rows, at PL_SEALED_BYTES of plaintext and when
 * the file changes; the forward-only reader finds rows with gaps, over a
 * range of files; another key, an altered blob and a chunk moved or copied
 * elsewhere do not open (and keep failing); legacy format 1 chunks are
 * read; the writer refuses rows out of order; a discarded chunk is not
 * stored.
 *
 * Every test works on a fresh database (unit_db.h), removed in the teardown.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include "db.h"
#include "unit_db.h"
#include "sealed.h"
#include "secret.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define ECONFIG_MSG "sealed values cannot be opened: the key file is not the one used at ingest"

static const unsigned char key_a[PL_KEY_BYTES] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
	0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
	0x1e, 0x1f
};
static const unsigned char key_b[PL_KEY_BYTES] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
	0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
	0x1e, 0x20
};


static int group_setup(void **state)
{
	struct pl_diag d;

	(void)state;
	return pl_secret_init(&d) == PL_OK ? 0 : -1;
}

/* The first lines of file_id's chunks in order into out (each checked to be
 * format want_format); returns how many. */
static size_t chunk_lines(sqlite3 *db, long long file_id, int want_format, long *out, size_t max)
{
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int rc;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT first_line, format FROM raw_sealed "
					    "WHERE file_id = ?1 ORDER BY first_line", -1, &st,
					    NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, file_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		assert_true(n < max);
		out[n++] = (long)sqlite3_column_int64(st, 0);
		assert_int_equal(sqlite3_column_int(st, 1), want_format);
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(st);
	return n;
}

/* A copy of the blob of chunk (file_id, first_line); *len its length. */
static unsigned char *chunk_blob(sqlite3 *db, long long file_id, long first_line, size_t *len)
{
	sqlite3_stmt *st = NULL;
	unsigned char *p;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT blob FROM raw_sealed WHERE file_id = ?1 "
					    "AND first_line = ?2", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, file_id);
	sqlite3_bind_int64(st, 2, first_line);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*len = (size_t)sqlite3_column_bytes(st, 0);
	assert_true(*len > 0);
	p = malloc(*len);
	assert_non_null(p);
	memcpy(p, sqlite3_column_blob(st, 0), *len);
	sqlite3_finalize(st);
	return p;
}

static void set_blob(sqlite3 *db, long long file_id, long first_line, const void *blob,
		     size_t len)
{
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE raw_sealed SET blob = ?3 "
					    "WHERE file_id = ?1 AND first_line = ?2", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, file_id);
	sqlite3_bind_int64(st, 2, first_line);
	sqlite3_bind_blob(st, 3, blob, (int)len, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(db), 1);
	sqlite3_finalize(st);
}

/* Inserts chunk (file_id, first_line) of the given format as it is. */
static void put_chunk(sqlite3 *db, long long file_id, long first_line, int format,
		      const struct pl_buf *blob)
{
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO raw_sealed (file_id, first_line, "
					    "format, blob) VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, file_id);
	sqlite3_bind_int64(st, 2, first_line);
	sqlite3_bind_int(st, 3, format);
	sqlite3_bind_blob(st, 4, blob->data, (int)blob->len, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* The associated data a format 2 chunk is sealed with: file_id and
 * first_line, 8 bytes each, least significant first (as lib/sealed.c). */
static void chunk_ad(long long file_id, long first_line, unsigned char ad[16])
{
	for (int i = 0; i < 8; i++) {
		ad[i] = (unsigned char)((uint64_t)file_id >> (8 * i));
		ad[8 + i] = (unsigned char)((uint64_t)first_line >> (8 * i));
	}
}

/* Whether p[0..n) holds s. */
static int holds(const unsigned char *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(p + i, s, k) == 0)
			return 1;
	return 0;
}

/* The values of row `line` in the round trip: every 7th line empty, line 100
 * with a NUL inside, the others distinct U+001F-separated fields. */
static size_t row_value(long long file_id, long line, char *buf, size_t size)
{
	if (line % 7 == 0) {
		buf[0] = '\0';
		return 0;
	}
	if (line == 100) {
		memcpy(buf, "x\0y", 4);
		return 3;
	}
	return (size_t)snprintf(buf, size, "%lld-%ld\x1f" "name%ld\x1f" "%05ld", file_id, line,
				line * 31, line % 1000);
}

/* Asserts find(file_id, line) returns 1 with exactly want[0..want_len), NUL-ended. */
static void assert_found(struct pl_sealed_reader *r, long long file_id, long line,
			 const char *want, size_t want_len, struct pl_diag *d)
{
	const char *values = NULL;
	size_t len = (size_t)-1;

	assert_int_equal(pl_sealed_find(r, file_id, line, &values, &len, d), 1);
	assert_non_null(values);
	assert_int_equal(len, want_len);
	assert_memory_equal(values, want, want_len ? want_len : 1);
	assert_int_equal(values[len], '\0');
}

static void assert_absent(struct pl_sealed_reader *r, long long file_id, long line,
			  struct pl_diag *d)
{
	const char *values = NULL;
	size_t len = 0;

	assert_int_equal(pl_sealed_find(r, file_id, line, &values, &len, d), 0);
}

/* Asserts find(file_id, line) fails with err (and, for PL_ECONFIG, its message). */
static void assert_shut(struct pl_sealed_reader *r, long long file_id, long line,
			enum pl_err err, struct pl_diag *d)
{
	const char *values = NULL;
	size_t len = 0;

	pl_diag_clear(d);
	assert_int_equal(pl_sealed_find(r, file_id, line, &values, &len, d), -1);
	assert_int_equal(d->err, err);
	if (err == PL_ECONFIG)
		assert_string_equal(d->msg, ECONFIG_MSG);
}

/* Writes rows first..last of file_id with row_value's values, then flushes. */
static void write_rows(struct unit_db_fx *f, const unsigned char *key, long long file_id, long first,
		       long last)
{
	struct pl_sealed_writer w;
	struct pl_nonce_pool pool;
	char v[128];

	pl_nonce_pool_init(&pool);
	assert_int_equal(pl_sealed_writer_init(&w, f->db, key, &pool, &f->d), PL_OK);
	for (long line = first; line <= last; line++) {
		size_t n = row_value(file_id, line, v, sizeof(v));

		assert_int_equal(pl_sealed_add(&w, file_id, line, v, n, &f->d), PL_OK);
	}
	assert_int_equal(pl_sealed_flush(&w, &f->d), PL_OK);
	pl_sealed_writer_release(&w);
	pl_nonce_pool_release(&pool);
}

/* 600 rows of one file, lines 2..601, are sealed as three format 2 chunks
 * of 256, 256 and 88 rows (first lines 2, 258, 514), none holding a value
 * in clear, and the reader gives every row back with its exact values and
 * length, NUL-ended: empty values (length 0) and a value with a NUL inside
 * included.  Lines before the first and after the last have none, and
 * pl_sealed_start begins again from the first chunk. */
static void test_sealed__round_trip_in_chunks_of_256_rows(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_sealed_reader r;
	long lines[8];
	unsigned char *blob;
	size_t blob_len;
	char v[128];

	unit_db_add_file(f->db, 1);
	write_rows(f, key_a, 1, 2, 601);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed"), 3);
	assert_int_equal(chunk_lines(f->db, 1, PL_SEALED_FRAMED, lines, N_OF(lines)), 3);
	assert_int_equal(lines[0], 2);
	assert_int_equal(lines[1], 258);
	assert_int_equal(lines[2], 514);
	blob = chunk_blob(f->db, 1, 258, &blob_len);
	assert_false(holds(blob, blob_len, "name9300")); /* line 300's */
	assert_false(holds(blob, blob_len, "1-300"));
	free(blob);

	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_a, &f->d), PL_OK);
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	assert_absent(&r, 1, 1, &f->d);
	for (long line = 2; line <= 601; line++) {
		size_t n = row_value(1, line, v, sizeof(v));

		assert_found(&r, 1, line, v, n, &f->d);
	}
	assert_absent(&r, 1, 602, &f->d);
	assert_absent(&r, 2, 2, &f->d);

	/* again from the start, skipping rows */
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	assert_found(&r, 1, 2, "1-2\x1f" "name62\x1f" "00002", 16, &f->d);
	assert_found(&r, 1, 100, "x\0y", 3, &f->d);
	assert_found(&r, 1, 105, "", 0, &f->d);
	assert_found(&r, 1, 601, "1-601\x1f" "name18631\x1f" "00601", 21, &f->d);
	pl_sealed_reader_release(&r);
}

/* Rows sealed only at lines 2, 5 and 9 (one chunk): asked in order from
 * line 1 to 12, the reader finds those three with their values and has
 * none for the lines between, before and after; nor for a later file. */
static void test_sealed__lines_without_rows_have_none(void **state)
{
	static const long have[] = { 2, 5, 9 };
	static const char *const val[] = { "two", "five", "nine" };
	struct unit_db_fx *f = *state;
	struct pl_sealed_writer w;
	struct pl_sealed_reader r;
	long lines[4];
	size_t k = 0;

	unit_db_add_file(f->db, 1);
	assert_int_equal(pl_sealed_writer_init(&w, f->db, key_a, NULL, &f->d), PL_OK);
	for (size_t i = 0; i < N_OF(have); i++)
		assert_int_equal(pl_sealed_add(&w, 1, have[i], val[i], strlen(val[i]), &f->d),
				 PL_OK);
	assert_int_equal(pl_sealed_flush(&w, &f->d), PL_OK);
	assert_int_equal(pl_sealed_flush(&w, &f->d), PL_OK); /* nothing begun: nothing stored */
	pl_sealed_writer_release(&w);
	assert_int_equal(chunk_lines(f->db, 1, PL_SEALED_FRAMED, lines, N_OF(lines)), 1);
	assert_int_equal(lines[0], 2);

	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_a, &f->d), PL_OK);
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	assert_absent(&r, 1, 1, &f->d);
	for (long line = 2; line <= 10; line++) {
		if (k < N_OF(have) && have[k] == line) {
			assert_found(&r, 1, line, val[k], strlen(val[k]), &f->d);
			k++;
		} else {
			assert_absent(&r, 1, line, &f->d);
		}
	}
	assert_int_equal(k, 3);
	assert_absent(&r, 1, 11, &f->d);
	assert_absent(&r, 1, 1000000, &f->d);
	assert_absent(&r, 2, 2, &f->d);

	/* a chunk that starts later: the lines before it have none */
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	assert_absent(&r, 1, 0, &f->d);
	assert_found(&r, 1, 5, "five", 4, &f->d);
	pl_sealed_reader_release(&r);
}

/* One writer seals rows of files 1, 2 and 4: the file change stores the
 * chunk begun, so each file has its own chunk at line 2.  A reader over
 * files 1..2 finds the rows of both in (file_id, line) order, each file's
 * own values, and none of file 4's; one over 2..2 has none of file 1's;
 * one over 1..4 passes file 3, which has none, to file 4. */
static void test_sealed__files_have_their_own_chunks(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_sealed_writer w;
	struct pl_sealed_reader r;
	long lines[4];

	for (long long id = 1; id <= 4; id++)
		unit_db_add_file(f->db, id);
	assert_int_equal(pl_sealed_writer_init(&w, f->db, key_a, NULL, &f->d), PL_OK);
	assert_int_equal(pl_sealed_add(&w, 1, 2, "a2", 2, &f->d), PL_OK);
	assert_int_equal(pl_sealed_add(&w, 1, 3, "a3", 2, &f->d), PL_OK);
	assert_int_equal(pl_sealed_add(&w, 1, 4, "a4", 2, &f->d), PL_OK);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed"), 0);
	assert_int_equal(pl_sealed_add(&w, 2, 2, "bb2", 3, &f->d), PL_OK);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed"), 1);
	assert_int_equal(pl_sealed_add(&w, 2, 3, "bb3", 3, &f->d), PL_OK);
	assert_int_equal(pl_sealed_add(&w, 4, 2, "dddd2", 5, &f->d), PL_OK);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed"), 2);
	assert_int_equal(pl_sealed_flush(&w, &f->d), PL_OK);
	pl_sealed_writer_release(&w);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed"), 3);
	for (long long id = 1; id <= 4; id++) {
		size_t n = chunk_lines(f->db, id, PL_SEALED_FRAMED, lines, N_OF(lines));

		assert_int_equal(n, id == 3 ? 0 : 1);
		if (n)
			assert_int_equal(lines[0], 2);
	}

	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_a, &f->d), PL_OK);
	assert_int_equal(pl_sealed_start(&r, 1, 2, &f->d), PL_OK);
	assert_found(&r, 1, 2, "a2", 2, &f->d);
	assert_found(&r, 1, 3, "a3", 2, &f->d);
	assert_found(&r, 1, 4, "a4", 2, &f->d);
	assert_absent(&r, 1, 5, &f->d);
	assert_absent(&r, 2, 1, &f->d);
	assert_found(&r, 2, 2, "bb2", 3, &f->d);
	assert_found(&r, 2, 3, "bb3", 3, &f->d);
	assert_absent(&r, 4, 2, &f->d);

	assert_int_equal(pl_sealed_start(&r, 2, 2, &f->d), PL_OK);
	assert_absent(&r, 1, 2, &f->d);
	assert_absent(&r, 1, 3, &f->d);
	assert_absent(&r, 1, 4, &f->d);
	assert_found(&r, 2, 2, "bb2", 3, &f->d);
	assert_found(&r, 2, 3, "bb3", 3, &f->d);

	assert_int_equal(pl_sealed_start(&r, 1, 4, &f->d), PL_OK);
	assert_found(&r, 1, 3, "a3", 2, &f->d);
	assert_absent(&r, 3, 2, &f->d);
	assert_found(&r, 4, 2, "dddd2", 5, &f->d);
	assert_absent(&r, 4, 3, &f->d);
	pl_sealed_reader_release(&r);
}

/* Rows of 1000-byte values at lines 1000..1199 (frames of 2 + 2 + 1000
 * bytes): a chunk is stored as soon as its plaintext reaches
 * PL_SEALED_BYTES, after 66 rows, so 200 rows make chunks at 1000, 1066,
 * 1132 and 1198, all read back.  A single row larger than PL_SEALED_BYTES
 * is stored alone, by pl_sealed_add itself. */
static void test_sealed__chunk_closes_at_byte_limit(void **state)
{
	enum { VLEN = 1000, FRAME = 2 + 2 + VLEN, BIG = PL_SEALED_BYTES + 4464 };
	struct unit_db_fx *f = *state;
	struct pl_sealed_writer w;
	struct pl_sealed_reader r;
	long lines[8];
	char *v = malloc(BIG);
	size_t per = (PL_SEALED_BYTES + FRAME - 1) / FRAME;

	assert_non_null(v);
	assert_int_equal(per, 66);
	unit_db_add_file(f->db, 1);
	unit_db_add_file(f->db, 2);
	assert_int_equal(pl_sealed_writer_init(&w, f->db, key_a, NULL, &f->d), PL_OK);
	for (long line = 1000; line < 1200; line++) {
		memset(v, 'a' + (int)(line % 26), VLEN);
		memcpy(v, &line, sizeof(line));
		assert_int_equal(pl_sealed_add(&w, 1, line, v, VLEN, &f->d), PL_OK);
		assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed"),
				 (line - 1000 + 1) / (long)per);
	}
	assert_int_equal(pl_sealed_flush(&w, &f->d), PL_OK);
	assert_int_equal(chunk_lines(f->db, 1, PL_SEALED_FRAMED, lines, N_OF(lines)), 4);
	assert_int_equal(lines[0], 1000);
	assert_int_equal(lines[1], 1066);
	assert_int_equal(lines[2], 1132);
	assert_int_equal(lines[3], 1198);

	memset(v, 'z', BIG);
	assert_int_equal(pl_sealed_add(&w, 2, 5, v, BIG, &f->d), PL_OK);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed WHERE file_id = 2"), 1);
	assert_int_equal(pl_sealed_add(&w, 2, 6, "s", 1, &f->d), PL_OK);
	assert_int_equal(pl_sealed_flush(&w, &f->d), PL_OK);
	pl_sealed_writer_release(&w);
	assert_int_equal(chunk_lines(f->db, 2, PL_SEALED_FRAMED, lines, N_OF(lines)), 2);
	assert_int_equal(lines[0], 5);
	assert_int_equal(lines[1], 6);

	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_a, &f->d), PL_OK);
	assert_int_equal(pl_sealed_start(&r, 1, 2, &f->d), PL_OK);
	for (long line = 1000; line < 1200; line++) {
		memset(v, 'a' + (int)(line % 26), VLEN);
		memcpy(v, &line, sizeof(line));
		assert_found(&r, 1, line, v, VLEN, &f->d);
	}
	memset(v, 'z', BIG);
	assert_found(&r, 2, 5, v, BIG, &f->d);
	assert_found(&r, 2, 6, "s", 1, &f->d);
	pl_sealed_reader_release(&r);
	free(v);
}

/* A reader with another key: a row before the first chunk has none (the
 * chunk is not opened), the first row inside one fails with PL_ECONFIG,
 * and so does every later row, of the same chunk, a later chunk or a later
 * file (it fails closed).  A legacy format 1 chunk fails the same way.  The
 * right key still reads the rows. */
static void test_sealed__another_key_fails_closed(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_sealed_reader r;
	struct pl_buf one;
	char v[128];
	size_t n;

	unit_db_add_file(f->db, 1);
	unit_db_add_file(f->db, 2);
	write_rows(f, key_a, 1, 2, 601);
	pl_buf_init(&one);
	pl_seal(key_a, "legacy", 6, &one);
	put_chunk(f->db, 2, 3, PL_SEALED_ONE, &one);
	pl_buf_release(&one);

	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_b, &f->d), PL_OK);
	assert_int_equal(pl_sealed_start(&r, 1, 2, &f->d), PL_OK);
	assert_absent(&r, 1, 1, &f->d);
	assert_shut(&r, 1, 2, PL_ECONFIG, &f->d);
	assert_shut(&r, 1, 3, PL_ECONFIG, &f->d);
	assert_shut(&r, 1, 300, PL_ECONFIG, &f->d);
	assert_shut(&r, 1, 601, PL_ECONFIG, &f->d);
	assert_shut(&r, 2, 3, PL_ECONFIG, &f->d);

	assert_int_equal(pl_sealed_start(&r, 2, 2, &f->d), PL_OK);
	assert_absent(&r, 2, 2, &f->d);
	assert_shut(&r, 2, 3, PL_ECONFIG, &f->d);
	assert_shut(&r, 2, 4, PL_ECONFIG, &f->d);
	pl_sealed_reader_release(&r);

	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_a, &f->d), PL_OK);
	assert_int_equal(pl_sealed_start(&r, 1, 2, &f->d), PL_OK);
	n = row_value(1, 300, v, sizeof(v));
	assert_found(&r, 1, 300, v, n, &f->d);
	assert_found(&r, 2, 3, "legacy", 6, &f->d);
	pl_sealed_reader_release(&r);
}

/* One byte of the second chunk's blob flipped (in the nonce, the
 * ciphertext, the tag): the first chunk's rows still read, the second's
 * fail with PL_ECONFIG, and so do the third's (the reader does not skip
 * the altered chunk).  The byte flipped back, all read again. */
static void test_sealed__altered_blob_does_not_open(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_sealed_reader r;
	unsigned char *blob;
	size_t len, at[3];
	char v[128];
	size_t n;

	unit_db_add_file(f->db, 1);
	write_rows(f, key_a, 1, 2, 601);
	blob = chunk_blob(f->db, 1, 258, &len);
	at[0] = 0;
	at[1] = len / 2;
	at[2] = len - 1;
	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_a, &f->d), PL_OK);
	for (size_t i = 0; i < N_OF(at); i++) {
		blob[at[i]] ^= 0x01;
		set_blob(f->db, 1, 258, blob, len);
		assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
		n = row_value(1, 257, v, sizeof(v));
		assert_found(&r, 1, 257, v, n, &f->d);
		assert_shut(&r, 1, 258, PL_ECONFIG, &f->d);
		assert_shut(&r, 1, 259, PL_ECONFIG, &f->d);
		assert_shut(&r, 1, 514, PL_ECONFIG, &f->d);

		blob[at[i]] ^= 0x01;
		set_blob(f->db, 1, 258, blob, len);
		assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
		n = row_value(1, 258, v, sizeof(v));
		assert_found(&r, 1, 258, v, n, &f->d);
		n = row_value(1, 514, v, sizeof(v));
		assert_found(&r, 1, 514, v, n, &f->d);
	}
	/* cut short */
	set_blob(f->db, 1, 258, blob, len - 1);
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	assert_shut(&r, 1, 258, PL_ECONFIG, &f->d);
	pl_sealed_reader_release(&r);
	free(blob);
}

/* The associated data binds a chunk to its place: moved one line on
 * (first_line + 1) it does not open at its new first line (PL_ECONFIG),
 * and its old first line now comes before any chunk (none); copied to
 * another file it does not open there, while the original still does;
 * relabelled format 1 it does not open either. */
static void test_sealed__chunk_moved_or_copied_does_not_open(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_sealed_reader r;
	char v[128];
	size_t n;

	unit_db_add_file(f->db, 1);
	unit_db_add_file(f->db, 2);
	write_rows(f, key_a, 1, 2, 4);
	unit_db_exec(f->db, "INSERT INTO raw_sealed (file_id, first_line, format, blob) "
	     "SELECT 2, first_line, format, blob FROM raw_sealed WHERE file_id = 1");
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed"), 2);

	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_a, &f->d), PL_OK);
	assert_int_equal(pl_sealed_start(&r, 2, 2, &f->d), PL_OK);
	assert_shut(&r, 2, 2, PL_ECONFIG, &f->d);
	assert_shut(&r, 2, 3, PL_ECONFIG, &f->d);
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	n = row_value(1, 2, v, sizeof(v));
	assert_found(&r, 1, 2, v, n, &f->d);

	unit_db_exec(f->db, "UPDATE raw_sealed SET first_line = first_line + 1 WHERE file_id = 1");
	assert_int_equal(unit_query_ll(f->db, "SELECT first_line FROM raw_sealed WHERE file_id = 1"), 3);
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	assert_absent(&r, 1, 2, &f->d);
	assert_shut(&r, 1, 3, PL_ECONFIG, &f->d);
	assert_shut(&r, 1, 4, PL_ECONFIG, &f->d);

	unit_db_exec(f->db, "UPDATE raw_sealed SET first_line = first_line - 1 WHERE file_id = 1");
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	n = row_value(1, 3, v, sizeof(v));
	assert_found(&r, 1, 3, v, n, &f->d);

	unit_db_exec(f->db, "UPDATE raw_sealed SET format = 1 WHERE file_id = 1");
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	assert_shut(&r, 1, 2, PL_ECONFIG, &f->d);
	pl_sealed_reader_release(&r);
}

/* Legacy format 1 chunks (one row each, sealed by pl_seal without
 * associated data, the values the whole plaintext) at lines 7 and 8 (the
 * latter empty), then a format 2 chunk at lines 10..11: each row reads
 * with its exact values and length, the lines around them have none. */
static void test_sealed__legacy_format_1_rows_read(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_sealed_writer w;
	struct pl_sealed_reader r;
	struct pl_buf one;

	unit_db_add_file(f->db, 1);
	pl_buf_init(&one);
	pl_seal(key_a, "a\x1f" "b", 3, &one);
	put_chunk(f->db, 1, 7, PL_SEALED_ONE, &one);
	pl_seal(key_a, "", 0, &one);
	put_chunk(f->db, 1, 8, PL_SEALED_ONE, &one);
	pl_buf_release(&one);
	assert_int_equal(pl_sealed_writer_init(&w, f->db, key_a, NULL, &f->d), PL_OK);
	assert_int_equal(pl_sealed_add(&w, 1, 10, "ten", 3, &f->d), PL_OK);
	assert_int_equal(pl_sealed_add(&w, 1, 11, "eleven", 6, &f->d), PL_OK);
	assert_int_equal(pl_sealed_flush(&w, &f->d), PL_OK);
	pl_sealed_writer_release(&w);

	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_a, &f->d), PL_OK);
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	assert_absent(&r, 1, 6, &f->d);
	assert_found(&r, 1, 7, "a\x1f" "b", 3, &f->d);
	assert_found(&r, 1, 8, "", 0, &f->d);
	assert_absent(&r, 1, 9, &f->d);
	assert_found(&r, 1, 10, "ten", 3, &f->d);
	assert_found(&r, 1, 11, "eleven", 6, &f->d);
	assert_absent(&r, 1, 12, &f->d);

	/* alone, skipping the rows before */
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	assert_found(&r, 1, 8, "", 0, &f->d);
	assert_absent(&r, 1, 9, &f->d);
	assert_found(&r, 1, 11, "eleven", 6, &f->d);
	pl_sealed_reader_release(&r);
}

/* Format 1 chunks (a row each, as version 6 sealed them) at lines 2..601 but
 * the multiples of 5 (480 rows), beside a format 2 chunk of file 2: file 1
 * is the first with any; sealed again, in the caller's transaction, they
 * are 2 chunks of format 2 from lines 2 and 322 (256 rows each, as the
 * writer makes them), every row with its values, file 2's chunk untouched,
 * and no file has any left.  With another key the caller's rollback leaves
 * every format 1 chunk as it was. */
static void test_sealed__format_1_sealed_again_in_chunks(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_sealed_writer w;
	struct pl_sealed_reader r;
	struct pl_buf one;
	unsigned char *before, *after;
	size_t n_before, n_after, n;
	long lines[8], rows = -1;
	char v[128];

	unit_db_add_file(f->db, 1);
	unit_db_add_file(f->db, 2);
	pl_buf_init(&one);
	for (long line = 2; line <= 601; line++) {
		if (line % 5 == 0)
			continue;
		n = row_value(1, line, v, sizeof(v));
		pl_seal(key_a, v, n, &one);
		put_chunk(f->db, 1, line, PL_SEALED_ONE, &one);
	}
	pl_buf_release(&one);
	write_rows(f, key_a, 2, 2, 3);
	before = chunk_blob(f->db, 2, 2, &n_before);
	assert_int_equal(pl_sealed_legacy_file(f->db), 1);

	assert_int_equal(pl_sealed_writer_init(&w, f->db, key_b, NULL, &f->d), PL_OK);
	unit_db_exec(f->db, "BEGIN");
	assert_int_equal(pl_sealed_reseal(&w, 1, &rows, &f->d), PL_ECONFIG);
	assert_string_equal(f->d.msg, ECONFIG_MSG);
	unit_db_exec(f->db, "ROLLBACK");
	pl_sealed_writer_release(&w);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed WHERE format = 1"),
			 480);

	assert_int_equal(pl_sealed_writer_init(&w, f->db, key_a, NULL, &f->d), PL_OK);
	unit_db_exec(f->db, "BEGIN");
	assert_int_equal(pl_sealed_reseal(&w, 1, &rows, &f->d), PL_OK);
	unit_db_exec(f->db, "COMMIT");
	pl_sealed_writer_release(&w);
	assert_int_equal(rows, 480);
	assert_int_equal(chunk_lines(f->db, 1, PL_SEALED_FRAMED, lines, N_OF(lines)), 2);
	assert_int_equal(lines[0], 2);
	assert_int_equal(lines[1], 322);   /* the 257th row: 2..321 less 64 multiples of 5 */
	assert_int_equal(pl_sealed_legacy_file(f->db), 0);
	after = chunk_blob(f->db, 2, 2, &n_after);
	assert_int_equal(n_after, n_before);
	assert_memory_equal(after, before, n_before);
	free(before);
	free(after);

	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_a, &f->d), PL_OK);
	assert_int_equal(pl_sealed_start(&r, 1, 2, &f->d), PL_OK);
	for (long line = 1; line <= 602; line++) {
		if (line < 2 || line > 601 || line % 5 == 0) {
			assert_absent(&r, 1, line, &f->d);
			continue;
		}
		n = row_value(1, line, v, sizeof(v));
		assert_found(&r, 1, line, v, n, &f->d);
	}
	n = row_value(2, 3, v, sizeof(v));
	assert_found(&r, 2, 3, v, n, &f->d);
	pl_sealed_reader_release(&r);
}

/* Chunks that open but are not framed as the writer frames them, sealed
 * here with the right associated data: a first frame whose line is not
 * first_line, a length running past the end, and a line not after the one
 * before it.  Each is PL_EDATA, not PL_ECONFIG; the rows before the bad
 * frame read, and every row asked after it is PL_EDATA too. */
static void test_sealed__badly_framed_chunk_is_data_error(void **state)
{
	/* frames: line, length (one-byte varints here), values */
	static const unsigned char wrong_first[] = { 21, 1, 'a' };
	static const unsigned char overrun[] = { 30, 5, 'a', 'b' };
	static const unsigned char not_after[] = { 40, 1, 'a', 41, 1, 'b', 41, 1, 'c' };
	static const struct {
		long long file_id;
		long first;
		const unsigned char *plain;
		size_t len;
	} bad[] = {
		{ 1, 20, wrong_first, sizeof(wrong_first) },
		{ 2, 30, overrun, sizeof(overrun) },
		{ 3, 40, not_after, sizeof(not_after) },
	};
	struct unit_db_fx *f = *state;
	struct pl_sealed_reader r;
	struct pl_buf blob;
	unsigned char ad[16];

	pl_buf_init(&blob);
	for (size_t i = 0; i < N_OF(bad); i++) {
		unit_db_add_file(f->db, bad[i].file_id);
		chunk_ad(bad[i].file_id, bad[i].first, ad);
		pl_seal_ad(key_a, NULL, bad[i].plain, bad[i].len, ad, sizeof(ad), &blob);
		put_chunk(f->db, bad[i].file_id, bad[i].first, PL_SEALED_FRAMED, &blob);
	}
	pl_buf_release(&blob);

	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_a, &f->d), PL_OK);
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	assert_shut(&r, 1, 20, PL_EDATA, &f->d);
	assert_string_equal(f->d.msg, "the sealed values of file 1 from line 20 are not framed as "
			    "they were written");
	assert_shut(&r, 1, 21, PL_EDATA, &f->d);

	assert_int_equal(pl_sealed_start(&r, 2, 2, &f->d), PL_OK);
	assert_shut(&r, 2, 30, PL_EDATA, &f->d);

	assert_int_equal(pl_sealed_start(&r, 3, 3, &f->d), PL_OK);
	assert_found(&r, 3, 40, "a", 1, &f->d);
	assert_found(&r, 3, 41, "b", 1, &f->d);
	assert_shut(&r, 3, 42, PL_EDATA, &f->d);
	assert_string_equal(f->d.msg, "the sealed values of file 3 from line 40 are not framed as "
			    "they were written");
	assert_shut(&r, 3, 43, PL_EDATA, &f->d);
	pl_sealed_reader_release(&r);
}

/* The writer refuses a line at or before the last one added (line 5 after
 * 9, line 9 again; and, once a chunk of 256 is stored, a line inside it, and
 * an earlier file) with PL_ESOFTWARE, keeping the chunk: a later line is
 * still taken, and the chunks hold 9..264 and 265..266 only. */
static void test_sealed__writer_refuses_lines_out_of_order(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_sealed_writer w;
	struct pl_sealed_reader r;

	unit_db_add_file(f->db, 1);
	assert_int_equal(pl_sealed_writer_init(&w, f->db, key_a, NULL, &f->d), PL_OK);
	assert_int_equal(pl_sealed_add(&w, 1, 9, "nine", 4, &f->d), PL_OK);
	pl_diag_clear(&f->d);
	assert_int_equal(pl_sealed_add(&w, 1, 5, "five", 4, &f->d), PL_ESOFTWARE);
	assert_int_equal(f->d.err, PL_ESOFTWARE);
	assert_string_equal(f->d.msg, "sealed values of 1:5 after 1:9");
	pl_diag_clear(&f->d);
	assert_int_equal(pl_sealed_add(&w, 1, 9, "again", 5, &f->d), PL_ESOFTWARE);
	assert_string_equal(f->d.msg, "sealed values of 1:9 after 1:9");
	assert_int_equal(pl_sealed_add(&w, 1, 10, "ten", 3, &f->d), PL_OK);
	for (long line = 11; line < 11 + PL_SEALED_ROWS; line++) /* 9..264 stored at 264 */
		assert_int_equal(pl_sealed_add(&w, 1, line, "x", 1, &f->d), PL_OK);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed"), 1);
	assert_int_equal(pl_sealed_add(&w, 1, 100, "late", 4, &f->d), PL_ESOFTWARE);
	assert_string_equal(f->d.msg, "sealed values of 1:100 after 1:266");
	assert_int_equal(pl_sealed_add(&w, 0, 500, "earlier file", 12, &f->d), PL_ESOFTWARE);
	assert_int_equal(pl_sealed_flush(&w, &f->d), PL_OK);
	pl_sealed_writer_release(&w);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed"), 2);
	assert_int_equal(unit_query_ll(f->db, "SELECT min(first_line) FROM raw_sealed"), 9);

	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_a, &f->d), PL_OK);
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	assert_absent(&r, 1, 5, &f->d);
	assert_found(&r, 1, 9, "nine", 4, &f->d);
	assert_found(&r, 1, 10, "ten", 3, &f->d);
	pl_sealed_reader_release(&r);
}

/* pl_sealed_any is 0 on a new database; rows added then discarded are not
 * stored by a later flush (still 0 chunks, pl_sealed_any 0), and the writer
 * starts a new chunk afresh, at a line it had discarded, which reads back
 * with its new values only; then pl_sealed_any is 1.  Without the table it
 * is -1. */
static void test_sealed__discarded_rows_are_not_stored(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_sealed_writer w;
	struct pl_sealed_reader r;

	unit_db_add_file(f->db, 1);
	assert_int_equal(pl_sealed_any(f->db), 0);
	assert_int_equal(pl_sealed_writer_init(&w, f->db, key_a, NULL, &f->d), PL_OK);
	assert_int_equal(pl_sealed_add(&w, 1, 2, "old2", 4, &f->d), PL_OK);
	assert_int_equal(pl_sealed_add(&w, 1, 3, "old3", 4, &f->d), PL_OK);
	pl_sealed_discard(&w);
	assert_int_equal(pl_sealed_flush(&w, &f->d), PL_OK);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed"), 0);
	assert_int_equal(pl_sealed_any(f->db), 0);

	assert_int_equal(pl_sealed_add(&w, 1, 2, "new", 3, &f->d), PL_OK);
	assert_int_equal(pl_sealed_flush(&w, &f->d), PL_OK);
	pl_sealed_writer_release(&w);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_sealed"), 1);
	assert_int_equal(pl_sealed_any(f->db), 1);

	assert_int_equal(pl_sealed_reader_init(&r, f->db, key_a, &f->d), PL_OK);
	assert_int_equal(pl_sealed_start(&r, 1, 1, &f->d), PL_OK);
	assert_found(&r, 1, 2, "new", 3, &f->d);
	assert_absent(&r, 1, 3, &f->d);
	pl_sealed_reader_release(&r);

	unit_db_exec(f->db, "DROP TABLE raw_sealed");
	assert_int_equal(pl_sealed_any(f->db), -1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, unit_db_setup, unit_db_teardown)
	const struct CMUnitTest tests[] = {
		T(test_sealed__round_trip_in_chunks_of_256_rows),
		T(test_sealed__lines_without_rows_have_none),
		T(test_sealed__files_have_their_own_chunks),
		T(test_sealed__chunk_closes_at_byte_limit),
		T(test_sealed__another_key_fails_closed),
		T(test_sealed__altered_blob_does_not_open),
		T(test_sealed__chunk_moved_or_copied_does_not_open),
		T(test_sealed__legacy_format_1_rows_read),
		T(test_sealed__badly_framed_chunk_is_data_error),
		T(test_sealed__writer_refuses_lines_out_of_order),
		T(test_sealed__discarded_rows_are_not_stored),
		T(test_sealed__format_1_sealed_again_in_chunks),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, NULL);
}

/*
 * tests/unit/test_rawrows.c - lib/rawrows: the kept records, a chunk of
 * records a row of raw_chunk.  Random records (quotes, backslashes, TAB,
 * LF, CR, other UTF-8, empty values, many values) over several files read
 * back exactly through the reader and through the view raw_row (SQLite's
 * JSON); chunks close at PL_RAW_ROWS records, at PL_RAW_BYTES of text and
 * when the file changes; the reader takes JSON white space and every
 * escape, and refuses what is not a chunk as written, leaving nothing of
 * the bad record behind; the writer refuses records out of order; a
 * discarded chunk is not stored; every control character is escaped and
 * read back the same through the view.
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
#include "rawrows.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random values joined by PL_RAW_SEP into out: what ingest's reading
 * thread builds (no control character but TAB and LF; CR too, as a value
 * of an upgraded database may hold it). */
static void random_fields(uint64_t *seed, struct pl_buf *out)
{
	static const char *const pieces[] = {
		"", "a", "Öppenvård", "1234,50", "\"", "\\", "\t", "\n", "\r", "a \"quoted\" b",
		"C:\\path", "€", "日本", "\xF0\x9F\x98\x80", "/", "{}", "[1,2]", ",", " ", "x\\u0041",
	};
	size_t n_values = 1 + next_rand(seed) % 14;

	pl_buf_reset(out);
	for (size_t v = 0; v < n_values; v++) {
		size_t n_pieces = next_rand(seed) % 4;

		if (v)
			pl_buf_putc(out, PL_RAW_SEP);
		for (size_t p = 0; p < n_pieces; p++) {
			const char *s = pieces[next_rand(seed) % N_OF(pieces)];

			pl_buf_append(out, s, strlen(s));
		}
	}
}

/* Stores record (file_id, line) of fields through w. */
static void add_record(struct pl_raw_writer *w, long long file_id, long line,
		       const struct pl_buf *fields, struct pl_buf *rec)
{
	struct pl_diag d;

	pl_buf_reset(rec);
	pl_raw_encode(rec, line, fields->data ? fields->data : "", fields->len);
	pl_diag_clear(&d);
	assert_int_equal(pl_raw_add(w, file_id, line, rec->data, rec->len, &d), PL_OK);
}

/* Records of three files, lines with gaps, stored and read back: the
 * reader and the view give the values as they went in, in line order. */
static void test_rawrows__random_records_read_back_by_reader_and_view(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_raw_writer w;
	struct pl_raw_reader r;
	struct pl_buf fields, rec, got;
	sqlite3_stmt *view = NULL;
	uint64_t seed = 0x9E3779B97F4A7C15u;
	const long n_records[] = { 1000, 1, 0, 300 };

	pl_buf_init(&fields);
	pl_buf_init(&rec);
	pl_buf_init(&got);
	for (long long file = 1; file <= 4; file++)
		unit_db_add_file(f->db, file);
	assert_int_equal(pl_raw_writer_init(&w, f->db, &f->d), PL_OK);
	for (long long file = 1; file <= 4; file++) {
		long line = 1;

		for (long i = 0; i < n_records[file - 1]; i++) {
			line += 1 + (long)(next_rand(&seed) % 3);
			random_fields(&seed, &fields);
			add_record(&w, file, line, &fields, &rec);
		}
	}
	assert_int_equal(pl_raw_flush(&w, &f->d), PL_OK);
	pl_raw_writer_release(&w);

	assert_int_equal(pl_raw_reader_init(&r, f->db, &f->d), PL_OK);
	assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT line, fields FROM raw_row WHERE "
					    "file_id = ?1 ORDER BY line", -1, &view, NULL),
			 SQLITE_OK);
	seed = 0x9E3779B97F4A7C15u;
	for (long long file = 1; file <= 4; file++) {
		long line = 1, got_line = 0;

		pl_raw_start(&r, file);
		sqlite3_bind_int64(view, 1, file);
		for (long i = 0; i < n_records[file - 1]; i++) {
			line += 1 + (long)(next_rand(&seed) % 3);
			random_fields(&seed, &fields);
			pl_buf_reset(&got);
			assert_int_equal(pl_raw_next(&r, &got_line, &got, &f->d), 1);
			assert_int_equal(got_line, line);
			assert_int_equal(got.len, fields.len + 1);   /* the NUL counted */
			assert_memory_equal(got.data, fields.data ? fields.data : "", fields.len + 1);
			assert_int_equal(sqlite3_step(view), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int64(view, 0), line);
			assert_int_equal(sqlite3_column_bytes(view, 1), (int)fields.len);
			assert_memory_equal(sqlite3_column_text(view, 1), fields.data ? fields.data : "",
					    fields.len);
		}
		assert_int_equal(pl_raw_next(&r, &got_line, &got, &f->d), 0);
		assert_int_equal(sqlite3_step(view), SQLITE_DONE);
		sqlite3_reset(view);
	}
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_chunk "
				       "WHERE json_valid(rows) = 0"), 0);
	assert_int_equal(unit_query_ll(f->db, "SELECT sum(n_rows) FROM raw_chunk"), 1301);
	sqlite3_finalize(view);
	pl_raw_reader_release(&r);
	pl_buf_release(&fields);
	pl_buf_release(&rec);
	pl_buf_release(&got);
}

/* A chunk closes at PL_RAW_ROWS records, at PL_RAW_BYTES of text, and
 * when the file changes; n_rows counts its records. */
static void test_rawrows__chunks_close_at_rows_bytes_and_file(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_raw_writer w;
	struct pl_buf fields, rec;
	char big[1000];
	char text[256];

	pl_buf_init(&fields);
	pl_buf_init(&rec);
	unit_db_add_file(f->db, 1);
	unit_db_add_file(f->db, 2);
	unit_db_add_file(f->db, 3);
	assert_int_equal(pl_raw_writer_init(&w, f->db, &f->d), PL_OK);
	pl_buf_append(&fields, "v", 1);
	for (long line = 2; line < 2 + PL_RAW_ROWS + 1; line++)   /* 257 short records */
		add_record(&w, 1, line, &fields, &rec);
	add_record(&w, 2, 2, &fields, &rec);                       /* the file changes */
	memset(big, 'b', sizeof(big));
	pl_buf_reset(&fields);
	pl_buf_append(&fields, big, sizeof(big));
	for (long line = 2; line < 2 + 70; line++)                 /* 70 records of ~1 KB */
		add_record(&w, 3, line, &fields, &rec);
	assert_int_equal(pl_raw_flush(&w, &f->d), PL_OK);
	pl_raw_writer_release(&w);
	unit_query_text(f->db, "SELECT group_concat(file_id || ':' || first_line || '+' || n_rows, "
			"' ') FROM (SELECT * FROM raw_chunk ORDER BY file_id, first_line)",
			text, sizeof(text));
	/* file 3: a record is '[' or ',' and [line,"b...b"], 1007 bytes for
	 * lines 2 to 9 and 1008 after: the 66th passes 65536 bytes; the
	 * chunk is closed by a ']' */
	assert_string_equal(text, "1:2+256 1:258+1 2:2+1 3:2+66 3:68+4");
	assert_int_equal(unit_query_ll(f->db, "SELECT length(rows) FROM raw_chunk WHERE file_id = 3 "
				       "AND first_line = 2"), 8 * 1007 + 58 * 1008 + 1);
	pl_buf_release(&fields);
	pl_buf_release(&rec);
}

struct bad_case {
	const char *rows;        /* raw_chunk.rows of file 1 at first_line 2, n_rows */
	long n_rows;
	int good_records;        /* read before the failure */
};

/* JSON white space and every escape are read; what is not a chunk as
 * written is PL_EDATA, with nothing of the bad record left in out. */
static void test_rawrows__reader_takes_json_and_refuses_other_text(void **state)
{
	struct unit_db_fx *f = *state;
	static const struct bad_case bad[] = {
		{ "{}", 1, 0 },
		{ "[[2,\"a\"]] x", 1, 1 },
		{ "[[2,\"a\"],[3,\"b\"]]", 3, 2 },           /* n_rows says 3 */
		{ "[[2,\"a\"],[2,\"b\"]]", 2, 1 },           /* line not after the last */
		{ "[[3,\"a\"]]", 1, 0 },                     /* not at first_line */
		{ "[[2,\"a\"][3,\"b\"]]", 2, 1 },            /* no ',' */
		{ "[[2,\"a\\u001fb\"]]", 1, 0 },             /* the separator inside a value */
		{ "[[2,\"a\\u0000\"]]", 1, 0 },
		{ "[[2,\"\\ud800x\"]]", 1, 0 },              /* a lone surrogate */
		{ "[[2,\"\\udc00\"]]", 1, 0 },
		{ "[[2,\"a\\q\"]]", 1, 0 },
		{ "[[2,\"a\tb\"]]", 1, 0 },                  /* a raw control character */
		{ "[[2,\"a\"]", 1, 0 },                      /* not closed */
		{ "[[2,\"a", 1, 0 },
		{ "[[02,\"a\"]]", 1, 0 },
		{ "[[2,a]]", 1, 0 },
		{ "[[0,\"a\"]]", 1, 0 },
		{ "[[99999999999999999999,\"a\"]]", 1, 0 },
	};
	struct pl_raw_reader r;
	struct pl_buf out;
	long line;
	char sql[256];

	pl_buf_init(&out);
	unit_db_add_file(f->db, 1);
	unit_db_add_file(f->db, 2);
	unit_db_exec(f->db, "INSERT INTO raw_chunk VALUES (2, 2, 3, ' [ [2 , \"a\\/\\b\\f\\n\\r\\t\\\"\\\\\" ,"
		 "\"\\u00e9\\u20AC\\ud83d\\ude00\"] ,\n[ 4 ] , [5,\"\"]]\n')");
	assert_int_equal(pl_raw_reader_init(&r, f->db, &f->d), PL_OK);
	pl_raw_start(&r, 2);
	assert_int_equal(pl_raw_next(&r, &line, &out, &f->d), 1);
	assert_int_equal(line, 2);
	assert_string_equal(out.data, "a/\b\f\n\r\t\"\\\x1f\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
	assert_int_equal(pl_raw_next(&r, &line, &out, &f->d), 1);
	assert_int_equal(line, 4);
	assert_int_equal(pl_raw_next(&r, &line, &out, &f->d), 1);
	assert_int_equal(line, 5);
	assert_int_equal(pl_raw_next(&r, &line, &out, &f->d), 0);

	for (size_t i = 0; i < N_OF(bad); i++) {
		sqlite3_stmt *st = NULL;
		int rc, n = 0;

		unit_db_exec(f->db, "DELETE FROM raw_chunk WHERE file_id = 1");
		assert_int_equal(sqlite3_prepare_v2(f->db, "INSERT INTO raw_chunk VALUES (1, 2, ?1, ?2)",
						    -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_int64(st, 1, bad[i].n_rows);
		sqlite3_bind_text(st, 2, bad[i].rows, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		pl_raw_start(&r, 1);
		pl_diag_clear(&f->d);
		pl_buf_reset(&out);
		pl_buf_append(&out, "kept", 4);
		while ((rc = pl_raw_next(&r, &line, &out, &f->d)) == 1)
			n++;
		snprintf(sql, sizeof(sql), "case %zu: %s", i, bad[i].rows);
		if (rc != -1 || n != bad[i].good_records || f->d.err != PL_EDATA)
			fail_msg("%s: rc %d after %d records, err %d", sql, rc, n, f->d.err);
		/* the good records' values stay, nothing of the bad one */
		assert_int_equal(out.len, 4 + 2 * (size_t)n);
		assert_non_null(strstr(f->d.msg, "raw_chunk of file 1 at line 2"));
		assert_int_equal(pl_raw_next(&r, &line, &out, &f->d), 0);  /* and stays done */
	}
	pl_raw_stop(&r);
	pl_raw_reader_release(&r);
	pl_buf_release(&out);
}

/* Records out of (file_id, line) order are a software error; a discarded
 * chunk is not stored, and the order starts anew after it. */
static void test_rawrows__order_and_discard(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_raw_writer w;
	struct pl_buf fields, rec;
	struct pl_diag d;

	pl_buf_init(&fields);
	pl_buf_init(&rec);
	unit_db_add_file(f->db, 1);
	unit_db_add_file(f->db, 2);
	pl_buf_append(&fields, "x", 1);
	assert_int_equal(pl_raw_writer_init(&w, f->db, &f->d), PL_OK);
	add_record(&w, 2, 5, &fields, &rec);
	pl_diag_clear(&d);
	assert_int_equal(pl_raw_add(&w, 2, 5, rec.data, rec.len, &d), PL_ESOFTWARE);
	assert_int_equal(pl_raw_add(&w, 1, 9, rec.data, rec.len, &d), PL_ESOFTWARE);
	pl_raw_discard(&w);
	add_record(&w, 1, 3, &fields, &rec);
	assert_int_equal(pl_raw_flush(&w, &f->d), PL_OK);
	assert_int_equal(pl_raw_flush(&w, &f->d), PL_OK);   /* nothing begun: nothing stored */
	pl_raw_writer_release(&w);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_chunk"), 1);
	assert_int_equal(unit_query_ll(f->db, "SELECT count(*) FROM raw_row WHERE file_id = 1 "
				       "AND line = 3 AND fields = 'x'"), 1);
	pl_buf_release(&fields);
	pl_buf_release(&rec);
}

/* Every control character a value might hold is escaped (ingest rejects
 * all but TAB and LF; CR is there in databases upgraded from version 12),
 * and what the writer makes is read back the same by the view. */
static void test_rawrows__encode_escapes_every_control_character(void **state)
{
	struct unit_db_fx *f = *state;
	struct pl_raw_writer w;
	struct pl_buf fields, rec;
	char text[400];

	pl_buf_init(&fields);
	pl_buf_init(&rec);
	for (int c = 1; c < 0x20; c++)
		pl_buf_putc(&fields, (char)c);   /* 0x1f: the separator, two values */
	pl_buf_append(&fields, "\x7f\"\\", 3);
	pl_raw_encode(&rec, 12, fields.data, fields.len);
	assert_string_equal(rec.data, "[12,\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
			    "\\u0008\\t\\n\\u000b\\u000c\\r\\u000e\\u000f\\u0010\\u0011\\u0012"
			    "\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b"
			    "\\u001c\\u001d\\u001e\",\"\x7f\\\"\\\\\"]");
	unit_db_add_file(f->db, 1);
	assert_int_equal(pl_raw_writer_init(&w, f->db, &f->d), PL_OK);
	assert_int_equal(pl_raw_add(&w, 1, 12, rec.data, rec.len, &f->d), PL_OK);
	assert_int_equal(pl_raw_flush(&w, &f->d), PL_OK);
	pl_raw_writer_release(&w);
	unit_query_text(f->db, "SELECT hex(fields) FROM raw_row WHERE file_id = 1 AND line = 12",
			text, sizeof(text));
	assert_string_equal(text, "0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E"
			    "1F7F225C");
	pl_buf_release(&fields);
	pl_buf_release(&rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, unit_db_setup, unit_db_teardown)
		T(test_rawrows__random_records_read_back_by_reader_and_view),
		T(test_rawrows__chunks_close_at_rows_bytes_and_file),
		T(test_rawrows__reader_takes_json_and_refuses_other_text),
		T(test_rawrows__order_and_discard),
		T(test_rawrows__encode_escapes_every_control_character),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * lib/rawrows.c - the kept records, a chunk of records a row of raw_chunk
 * (see rawrows.h).
 */
#include "rawrows.h"

#include <limits.h>
#include <string.h>

#include "db.h"

/* ---- the JSON of a record --------------------------------------------------- */

/* Writes the JSON escape of byte c ('"', '\\' or a control character)
 * at o; returns the position after it. */
static char *put_escape(char *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char named = c == '"' ? '"' : c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n'
		   : c == '\r' ? 'r' : 0;

	*o++ = '\\';
	if (named) {
		*o++ = named;
		return o;
	}
	memcpy(o, "u00", 3);
	o[3] = hex[c >> 4];
	o[4] = hex[c & 15];
	return o + 5;
}

/* Writes "[line," (line in decimal) at o; returns the position after it. */
static char *put_record_start(char *o, long line)
{
	char tmp[24];
	size_t n = sizeof(tmp);
	unsigned long v = line < 0 ? 0UL - (unsigned long)line : (unsigned long)line;

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (line < 0)
		tmp[--n] = '-';
	*o++ = '[';
	memcpy(o, tmp + n, sizeof(tmp) - n);
	o += sizeof(tmp) - n;
	*o++ = ',';
	return o;
}

/* One pass over the bytes, written straight into room reserved for the
 * worst case (every byte a \u escape): a record costs about a copy. */
void pl_raw_encode(struct pl_buf *out, long line, const char *fields, size_t len)
{
	const unsigned char *s = (const unsigned char *)fields;
	char *o;

	pl_buf_grow(out, 32 + 6 * len);
	o = put_record_start(out->data + out->len, line);
	*o++ = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
		} else if (c == (unsigned char)PL_RAW_SEP) {
			memcpy(o, "\",\"", 3);
			o += 3;
		} else {
			o = put_escape(o, c);
		}
	}
	*o++ = '"';
	*o++ = ']';
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
}

/* ---- writing ---------------------------------------------------------------- */

enum pl_err pl_raw_writer_init(struct pl_raw_writer *w, sqlite3 *db, struct pl_diag *d)
{
	memset(w, 0, sizeof(*w));
	w->db = db;
	w->last_file = -1;
	w->last_line = -1;
	pl_buf_init(&w->text);
	return pl_db_prepare(db, "INSERT INTO raw_chunk (file_id, first_line, n_rows, rows) "
			     "VALUES (?1, ?2, ?3, ?4)", &w->insert, d);
}

enum pl_err pl_raw_flush(struct pl_raw_writer *w, struct pl_diag *d)
{
	enum pl_err err;

	if (!w->rows)
		return PL_OK;
	pl_buf_putc(&w->text, ']');
	sqlite3_bind_int64(w->insert, 1, w->file_id);
	sqlite3_bind_int64(w->insert, 2, w->first_line);
	sqlite3_bind_int64(w->insert, 3, (sqlite3_int64)w->rows);
	sqlite3_bind_text(w->insert, 4, w->text.data, (int)w->text.len, SQLITE_STATIC);
	err = pl_db_step_done(w->db, w->insert, "store rows", d);
	pl_buf_reset(&w->text);
	w->rows = 0;
	return err;
}

enum pl_err pl_raw_add(struct pl_raw_writer *w, long long file_id, long line,
		       const char *record, size_t len, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	if (file_id < w->last_file || (file_id == w->last_file && line <= w->last_line))
		return pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "raw row %lld:%ld after %lld:%ld",
				   file_id, line, w->last_file, w->last_line);
	if (w->rows && file_id != w->file_id)
		err = pl_raw_flush(w, d);
	if (err)
		return err;
	if (!w->rows) {
		w->file_id = file_id;
		w->first_line = line;
	}
	pl_buf_putc(&w->text, w->rows ? ',' : '[');
	pl_buf_append(&w->text, record, len);
	w->last_file = file_id;
	w->last_line = line;
	w->rows++;
	if (w->rows >= PL_RAW_ROWS || w->text.len >= PL_RAW_BYTES)
		err = pl_raw_flush(w, d);
	return err;
}

void pl_raw_discard(struct pl_raw_writer *w)
{
	pl_buf_reset(&w->text);
	w->rows = 0;
	w->last_file = -1;
	w->last_line = -1;
}

void pl_raw_writer_release(struct pl_raw_writer *w)
{
	pl_raw_discard(w);
	sqlite3_finalize(w->insert);
	w->insert = NULL;
	pl_buf_release(&w->text);
}

/* ---- reading ---------------------------------------------------------------- */

enum pl_err pl_raw_reader_init(struct pl_raw_reader *r, sqlite3 *db, struct pl_diag *d)
{
	memset(r, 0, sizeof(*r));
	r->db = db;
	r->done = 1;
	return pl_db_prepare(db, "SELECT first_line, n_rows, rows FROM raw_chunk "
			     "WHERE file_id = ?1 ORDER BY first_line", &r->st, d);
}

void pl_raw_start(struct pl_raw_reader *r, long long file_id)
{
	sqlite3_reset(r->st);
	sqlite3_bind_int64(r->st, 1, file_id);
	r->file_id = file_id;
	r->at = r->end = NULL;
	r->n_rows = r->rows_read = 0;
	r->last_line = 0;
	r->done = 0;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int hex4(const char *p, const char *end, unsigned *v)
{
	*v = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		unsigned x = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;

		if (x > 15)
			return -1;
		*v = *v << 4 | x;
	}
	return 0;
}

/* Writes code point cp in UTF-8 at o; returns the position after it. */
static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3F));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* Where the reading of a record stands: the text at p, the values written
 * at o (room for the rest of the chunk reserved: a value unescaped is never
 * longer than its JSON). */
struct cursor {
	const char *p, *end;
	char *o;
};

/* The \u escape at c->p (after its backslash and 'u'), a surrogate pair
 * taken whole; -1 if it is not one, or is U+0000 or PL_RAW_SEP. */
static int take_unicode(struct cursor *c)
{
	const char *p = c->p;
	unsigned cp, lo;

	if (hex4(p, c->end, &cp) != 0)
		return -1;
	p += 4;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return -1;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (c->end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
		    hex4(p + 2, c->end, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
			return -1;
		p += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (cp == 0 || cp == (unsigned char)PL_RAW_SEP)
		return -1;
	c->o = put_utf8(c->o, cp);
	c->p = p;
	return 0;
}

/* The escape at c->p (after its backslash); -1 if it is not one. */
static int take_escape(struct cursor *c)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;

	if (c->p >= c->end)
		return -1;
	if (*c->p == 'u') {
		c->p++;
		return take_unicode(c);
	}
	hit = memchr(from, *c->p, sizeof(from) - 1);
	if (!hit)
		return -1;
	*c->o++ = to[hit - from];
	c->p++;
	return 0;
}

/* The JSON string at c->p (its opening quote), unescaped; -1 if it is not
 * a string. */
static int take_string(struct cursor *c)
{
	const char *p = c->p, *end = c->end;

	if (p >= end || *p++ != '"')
		return -1;
	for (;;) {
		const char *run = p;

		while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
			p++;
		memcpy(c->o, run, (size_t)(p - run));
		c->o += p - run;
		if (p >= end || (unsigned char)*p < 0x20)
			return -1;
		c->p = p + 1;
		if (*p == '"')
			return 0;
		if (take_escape(c) != 0)
			return -1;
		p = c->p;
	}
}

/* The line at p, a JSON number that is a whole positive long; the position
 * after it, or NULL. */
static const char *take_line(const char *p, const char *end, long *line)
{
	long v = 0;
	const char *start = p;

	while (p < end && *p >= '0' && *p <= '9') {
		if (v > (LONG_MAX - (*p - '0')) / 10)
			return NULL;
		v = v * 10 + (*p++ - '0');
	}
	if (p == start || v == 0 || (*start == '0' && p - start > 1))
		return NULL;
	*line = v;
	return p;
}

/* One record at p ('[' line (',' string)* ']'): its line, and its values
 * joined by PL_RAW_SEP appended to out; the position after it, or NULL
 * (out->len then as it was). */
static const char *take_record(const char *p, const char *end, long *line, struct pl_buf *out)
{
	struct cursor c = { p, end, NULL };
	size_t values = 0;

	if (p >= end || *p != '[')
		return NULL;
	c.p = take_line(skip_ws(p + 1, end), end, line);
	if (!c.p)
		return NULL;
	pl_buf_grow(out, (size_t)(end - c.p));
	c.o = out->data + out->len;
	while ((c.p = skip_ws(c.p, end)) < end && *c.p == ',') {
		if (values++)
			*c.o++ = PL_RAW_SEP;
		c.p = skip_ws(c.p + 1, end);
		if (take_string(&c) != 0)
			return NULL;
	}
	if (c.p >= end || *c.p != ']')
		return NULL;
	out->len = (size_t)(c.o - out->data);
	out->data[out->len] = '\0';
	return c.p + 1;
}

static int bad_chunk(struct pl_raw_reader *r, const char *why, struct pl_diag *d)
{
	r->done = 1;
	pl_diag_set(d, PL_EDATA, NULL, 0, "raw_chunk of file %lld at line %ld: %s; ingest the "
		    "file again (delete its input_file row)", r->file_id, r->first_line, why);
	return -1;
}

/* Steps to the file's next chunk: 1, 0 at the end, -1 with *d set. */
static int next_chunk(struct pl_raw_reader *r, struct pl_diag *d)
{
	int rc = sqlite3_step(r->st);
	const char *text;

	if (rc == SQLITE_DONE) {
		r->done = 1;
		return 0;
	}
	if (rc != SQLITE_ROW) {
		r->done = 1;
		pl_db_fail(r->db, rc, "read rows", d);
		return -1;
	}
	r->first_line = (long)sqlite3_column_int64(r->st, 0);
	r->n_rows = (long)sqlite3_column_int64(r->st, 1);
	r->rows_read = 0;
	text = (const char *)sqlite3_column_text(r->st, 2);
	r->end = text + sqlite3_column_bytes(r->st, 2);
	r->at = text ? skip_ws(text, r->end) : r->end;
	if (r->at >= r->end || *r->at != '[')
		return bad_chunk(r, "not a JSON array", d);
	r->at = skip_ws(r->at + 1, r->end);
	return 1;
}

/* At the end of the chunk being read (its ']'): nothing after it, and as
 * many records as it says. */
static int end_chunk(struct pl_raw_reader *r, struct pl_diag *d)
{
	if (skip_ws(r->at + 1, r->end) != r->end)
		return bad_chunk(r, "text after the array", d);
	if (r->rows_read != r->n_rows)
		return bad_chunk(r, "not as many records as n_rows", d);
	r->at = NULL;
	return 0;
}

/* The record at r->at: 1, or -1 with *d set. */
static int take_next(struct pl_raw_reader *r, long *line, struct pl_buf *out, struct pl_diag *d)
{
	const char *p;

	if (r->rows_read && *r->at++ != ',')
		return bad_chunk(r, "records not separated by ','", d);
	p = take_record(skip_ws(r->at, r->end), r->end, line, out);
	if (!p)
		return bad_chunk(r, "a record not an array of its line and its values", d);
	if (*line <= r->last_line || (!r->rows_read && *line != r->first_line))
		return bad_chunk(r, "records not in line order from first_line", d);
	r->at = skip_ws(p, r->end);
	if (r->at >= r->end)
		return bad_chunk(r, "the array not closed", d);
	pl_buf_putc(out, '\0');
	r->last_line = *line;
	r->rows_read++;
	return 1;
}

int pl_raw_next(struct pl_raw_reader *r, long *line, struct pl_buf *out, struct pl_diag *d)
{
	size_t mark = out->len;
	int rc;

	while (!r->done && (!r->at || *r->at == ']')) {
		if ((r->at ? end_chunk(r, d) : next_chunk(r, d)) < 0)
			return -1;
	}
	if (r->done)
		return 0;
	rc = take_next(r, line, out, d);
	if (rc < 0 && out->data) { /* nothing of a bad record left in out */
		out->len = mark;
		out->data[mark] = '\0';
	}
	return rc;
}

void pl_raw_stop(struct pl_raw_reader *r)
{
	sqlite3_reset(r->st);
	sqlite3_clear_bindings(r->st);
	r->at = r->end = NULL;
	r->done = 1;
}

void pl_raw_reader_release(struct pl_raw_reader *r)
{
	sqlite3_finalize(r->st);
	r->st = NULL;
}

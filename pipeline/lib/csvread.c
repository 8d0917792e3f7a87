/*
 * lib/csvread.c - streaming CSV records with their physical lines, on libcsv.
 *
 * The file is fed to libcsv one physical line (or buffer-sized piece of one)
 * at a time.  libcsv's record terminator is LF alone; CR counts as white
 * space, so CRLF ends a record like LF does and a CR before LF never reaches
 * a value of an unquoted field.  Because a record can only end at an LF, at
 * most one record completes per piece, and the reader knows at each line
 * start whether a record is open: the first line with content while none is
 * open is where the next record starts.  A whole line without a quote
 * character that starts while no record is open skips libcsv: it is split
 * at its delimiters (split_plain_line), as libcsv would have split it.
 */
#define _POSIX_C_SOURCE 200809L
#include "csvread.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define BUF_BYTES 65536

struct pl_csv_reader {
	FILE *fp;
	char *path;
	struct pl_csv_opts o;
	struct csv_parser p;
	int parser_live;

	unsigned char buf[BUF_BYTES];
	size_t buf_len;
	size_t buf_pos;
	off_t buf_off;            /* file offset of buf[0] */
	off_t hashed_to;          /* bytes [0, hashed_to) are in hash (or went to on_bytes) */
	struct pl_sha256 hash;
	void (*on_bytes)(void *user, const void *bytes, size_t len); /* NULL: hash */
	void *on_bytes_user;
	int eof;                  /* fread found the end */
	int finished;             /* csv_fini done at the end */

	long line;                /* physical line of the next byte */
	off_t line_off;           /* file offset where that line starts */
	int line_blank;           /* current line so far holds no record content */
	int last_was_nl;          /* last byte consumed was LF (or nothing read) */
	long skip_left;           /* lines still to skip unparsed */
	int skip_to_eol;          /* discard the rest of the current line */

	int row_open;             /* a record has started and not ended */
	long rec_line;            /* where it started */
	off_t rec_off;            /* offset of that line's start */
	int rec_done;             /* cb2 fired */
	int returned;             /* the record's fields were handed out */
	long rec_end_line;        /* line on which it ended */

	struct pl_buf data;       /* field bytes, each NUL-terminated */
	size_t *offs;
	size_t *lens;
	char **ptrs;
	size_t n_fields, n_kept, cap;
	int too_long;
	long too_long_idx;        /* first field over the limit */
	char reason[64];          /* text of the last PL_CSV_BAD */

	struct pl_csv_stats stats;
};

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r'; }
static int is_term(unsigned char c) { return c == '\n'; }

static void parser_start(struct pl_csv_reader *r)
{
	if (r->parser_live)
		csv_free(&r->p);
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		abort(); /* only fails on out of memory */
	csv_set_delim(&r->p, (unsigned char)r->o.delimiter);
	csv_set_quote(&r->p, (unsigned char)r->o.quote);
	csv_set_space_func(&r->p, is_space);
	csv_set_term_func(&r->p, is_term);
	r->parser_live = 1;
}

static void record_clear(struct pl_csv_reader *r)
{
	pl_buf_reset(&r->data);
	r->n_fields = 0;
	r->n_kept = 0;
	r->too_long = 0;
	r->rec_done = 0;
}

static void add_field(struct pl_csv_reader *r, const char *s, size_t len)
{
	r->n_fields++;
	if (len > r->o.max_field_bytes) {
		if (!r->too_long)
			r->too_long_idx = (long)r->n_fields - 1;
		r->too_long = 1;
		return;
	}
	if (r->n_kept >= r->o.max_fields)
		return;
	if (r->n_kept == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 32;
		r->offs = pl_xrealloc(r->offs, r->cap * sizeof(*r->offs));
		r->lens = pl_xrealloc(r->lens, r->cap * sizeof(*r->lens));
		r->ptrs = pl_xrealloc(r->ptrs, r->cap * sizeof(*r->ptrs));
	}
	r->offs[r->n_kept] = r->data.len;
	r->lens[r->n_kept] = len;
	pl_buf_append(&r->data, s ? s : "", len);
	pl_buf_putc(&r->data, '\0');
	r->n_kept++;
}

static void on_field(void *s, size_t len, void *user)
{
	add_field(user, s, len);
}

static void on_record(int c, void *user)
{
	struct pl_csv_reader *r = user;

	(void)c;
	r->rec_done = 1;
	r->row_open = 0;
	r->rec_end_line = r->line;
}

struct pl_csv_reader *pl_csv_open(const char *path, const struct pl_csv_opts *opts,
				  struct pl_diag *d)
{
	struct pl_csv_reader *r;
	FILE *fp = fopen(path, "rb");

	if (!fp) {
		pl_diag_set(d, PL_ENOINPUT, path, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	r = pl_xcalloc(1, sizeof(*r));
	r->fp = fp;
	r->path = pl_xstrdup(path);
	r->o = *opts;
	if (r->o.max_fields == 0)
		r->o.max_fields = 4096;
	pl_buf_init(&r->data);
	pl_sha256_init(&r->hash);
	r->line = 1;
	r->line_blank = 1;
	r->last_was_nl = 1;
	r->skip_left = opts->skip_lines;
	parser_start(r);
	return r;
}

void pl_csv_close(struct pl_csv_reader *r)
{
	if (!r)
		return;
	if (r->parser_live)
		csv_free(&r->p);
	if (r->fp)
		fclose(r->fp);
	pl_buf_release(&r->data);
	free(r->offs);
	free(r->lens);
	free(r->ptrs);
	free(r->path);
	free(r);
}

void pl_csv_on_bytes(struct pl_csv_reader *r,
		     void (*fn)(void *user, const void *bytes, size_t len), void *user)
{
	r->on_bytes = fn;
	r->on_bytes_user = user;
}

const struct pl_csv_stats *pl_csv_stats(const struct pl_csv_reader *r) { return &r->stats; }

int pl_csv_record_is_empty(const struct pl_csv_record *rec)
{
	if (rec->n_kept < rec->n_fields || rec->n_lines != 1)
		return 0;
	for (size_t i = 0; i < rec->n_kept; i++)
		if (rec->lens[i] != 0)
			return 0;
	return 1;
}

static void detect_bom(struct pl_csv_reader *r)
{
	const unsigned char *b = r->buf;

	if (r->buf_len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
		r->stats.bom = PL_BOM_UTF8;
		if (r->o.strip_utf8_bom)
			r->buf_pos = 3;
	} else if (r->buf_len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) ||
				       (b[0] == 0xFE && b[1] == 0xFF))) {
		r->stats.bom = PL_BOM_UTF16;
	}
}

/* Reads the next buffer; 0 at end of file, -1 on error. */
static int refill(struct pl_csv_reader *r, struct pl_diag *d)
{
	off_t start = r->buf_off + (off_t)r->buf_len;
	size_t n;

	r->buf_off = start;
	r->buf_pos = 0;
	n = fread(r->buf, 1, BUF_BYTES, r->fp);
	r->buf_len = n;
	if (n == 0) {
		if (ferror(r->fp)) {
			pl_diag_set(d, PL_EIO, r->path, r->line, "read error: %s", strerror(errno));
			return -1;
		}
		r->eof = 1;
		return 0;
	}
	if (start + (off_t)n > r->hashed_to) {
		size_t from = start >= r->hashed_to ? 0 : (size_t)(r->hashed_to - start);

		if (r->on_bytes)
			r->on_bytes(r->on_bytes_user, r->buf + from, n - from);
		else
			pl_sha256_update(&r->hash, r->buf + from, n - from);
		r->hashed_to = start + (off_t)n;
	}
	if (start == 0)
		detect_bom(r);
	return 1;
}

/* Goes back to the start of the bad record's first line and skips it. */
static enum pl_err resync(struct pl_csv_reader *r, struct pl_diag *d)
{
	if (fseeko(r->fp, r->rec_off, SEEK_SET) != 0)
		return pl_diag_set(d, PL_EIO, r->path, r->rec_line, "cannot seek: %s", strerror(errno));
	r->buf_off = r->rec_off;
	r->buf_len = 0;
	r->buf_pos = 0;
	r->eof = 0;
	r->finished = 0;
	r->line = r->rec_line;
	r->line_off = r->rec_off;
	r->line_blank = 0;
	r->skip_to_eol = 1;
	r->row_open = 0;
	parser_start(r);
	return PL_OK;
}

static enum pl_csv_event bad_record(struct pl_csv_reader *r, struct pl_csv_record *rec,
				    const char *code, const char *reason, long end_line)
{
	memset(rec, 0, sizeof(*rec));
	rec->field_idx = -1;
	rec->code = code;
	rec->line = r->rec_line;
	rec->n_lines = end_line - r->rec_line + 1;
	rec->reason = reason;
	record_clear(r);
	return PL_CSV_BAD;
}

static enum pl_csv_event good_record(struct pl_csv_reader *r, struct pl_csv_record *rec)
{
	for (size_t i = 0; i < r->n_kept; i++)
		r->ptrs[i] = r->data.data + r->offs[i];
	rec->line = r->rec_line;
	rec->n_lines = r->rec_end_line - r->rec_line + 1;
	rec->n_fields = r->n_fields;
	rec->n_kept = r->n_kept;
	rec->fields = r->ptrs;
	rec->lens = r->lens;
	rec->too_long = r->too_long;
	rec->field_idx = r->too_long ? r->too_long_idx : -1;
	rec->code = NULL;
	rec->reason = NULL;
	r->rec_done = 0;
	r->returned = 1;
	return PL_CSV_RECORD;
}

/* End of file: flush the last record, or report an unterminated quote. */
static enum pl_csv_event finish(struct pl_csv_reader *r, struct pl_csv_record *rec,
				struct pl_diag *d)
{
	long last_line = r->last_was_nl ? r->line - 1 : r->line;
	int partial = !r->last_was_nl;  /* a last line without LF */
	int skipped_tail = partial && r->skip_left > 0;
	int blank_tail = partial && !skipped_tail && !r->skip_to_eol && !r->row_open &&
			 r->line_blank;

	r->finished = 1;
	if (csv_fini(&r->p, on_field, on_record, r) != 0) {
		enum pl_csv_event ev = bad_record(r, rec, "unterminated_quote", "unterminated quote",
						      last_line);

		if (resync(r, d))
			return PL_CSV_ERROR;
		return ev;
	}
	if (blank_tail)
		r->stats.blank_lines++;
	if (skipped_tail)
		r->stats.skipped_lines++;
	r->stats.lines = last_line;
	if (!r->on_bytes)
		pl_sha256_hex(&r->hash, r->stats.sha256);
	if (r->rec_done) {
		r->rec_end_line = last_line;
		return good_record(r, rec);
	}
	return PL_CSV_END;
}

/* A whole line that holds no quote character, read into the record as
 * libcsv would read it (strict mode, the is_space and is_term above, from
 * the start of a row): split at every delimiter, each field without the
 * white space around it (no byte of a field is the delimiter, so is_space
 * alone says what is trimmed), then the record ends.  Most lines of an
 * export are such; the byte-by-byte state machine costs about a fifth of
 * ingest's time on them (perf, 2026-11-27).  len excludes the LF. */
static void split_plain_line(struct pl_csv_reader *r, const unsigned char *s, size_t len)
{
	const unsigned char *end = s + len;

	for (;;) {
		const unsigned char *delim = memchr(s, (unsigned char)r->o.delimiter,
						    (size_t)(end - s));
		const unsigned char *fe = delim ? delim : end;

		while (s < fe && is_space(*s))
			s++;
		while (fe > s && is_space(fe[-1]))
			fe--;
		add_field(r, (const char *)s, (size_t)(fe - s));
		if (!delim)
			break;
		s = delim + 1;
	}
	on_record('\n', r);
}

/* Parses one piece (feed_piece); 0 if libcsv found a malformed quote.
 * fresh: no record was open before it. */
static int parse_piece(struct pl_csv_reader *r, const unsigned char *s, size_t len,
		       int fresh, const unsigned char *nl)
{
	if (fresh && r->row_open && nl && !memchr(s, (unsigned char)r->o.quote, len)) {
		split_plain_line(r, s, len - 1);
		return 1;
	}
	return csv_parse(&r->p, s, len, on_field, on_record, r) == len;
}

/* Consumes one piece: up to and including the next LF, or to the buffer end. */
static enum pl_csv_event feed_piece(struct pl_csv_reader *r, struct pl_csv_record *rec,
				    struct pl_diag *d)
{
	const unsigned char *s = r->buf + r->buf_pos;
	size_t avail = r->buf_len - r->buf_pos;
	const unsigned char *nl = memchr(s, '\n', avail);
	size_t len = nl ? (size_t)(nl - s) + 1 : avail;
	enum pl_csv_event ev = PL_CSV_END;
	int fresh = !r->row_open;

	if (r->skip_left > 0 || r->skip_to_eol) {
		r->buf_pos += len;
		r->last_was_nl = nl != NULL;
		if (nl) {
			if (r->skip_left > 0) {
				r->skip_left--;
				r->stats.skipped_lines++;
			}
			r->skip_to_eol = 0;
			r->line++;
			r->line_off = r->buf_off + (off_t)r->buf_pos;
			r->line_blank = 1;
		}
		return PL_CSV_END; /* nothing to report yet */
	}
	if (!r->row_open) {
		for (size_t i = 0; i < len; i++) {
			unsigned char c = s[i];

			if (c == '\n' || (is_space(c) && c != (unsigned char)r->o.delimiter))
				continue;
			r->row_open = 1;
			r->line_blank = 0;
			r->rec_line = r->line;
			r->rec_off = r->line_off;
			break;
		}
	} else {
		r->line_blank = 0;
	}
	if (!parse_piece(r, s, len, fresh, nl)) {
		ev = bad_record(r, rec, "malformed_quote", "malformed quote", r->line);
		parser_start(r);
		r->row_open = 0;
		r->skip_to_eol = 1;
		return ev; /* the rest of this line is skipped on the next call */
	}
	r->buf_pos += len;
	r->last_was_nl = nl != NULL;
	/* Bound memory while a field is still open.  libcsv holds trailing
	 * white space and a closing quote in the entry until the field ends, so
	 * allow for those here; on_field() checks the exact length. */
	if (r->row_open && r->p.entry_pos > r->o.max_field_bytes + 1 +
	    (r->p.spaces < BUF_BYTES ? r->p.spaces : BUF_BYTES)) {
		snprintf(r->reason, sizeof(r->reason), "field longer than %zu bytes",
			 r->o.max_field_bytes);
		long idx = (long)r->n_fields; /* the field still being read */

		ev = bad_record(r, rec, "field_too_long", r->reason, r->line);
		rec->field_idx = idx;
		if (resync(r, d))
			return PL_CSV_ERROR;
		return ev;
	}
	if (nl) {
		if (r->line_blank && !r->rec_done)
			r->stats.blank_lines++;
		r->line++;
		r->line_off = r->buf_off + (off_t)r->buf_pos;
		r->line_blank = 1;
	}
	if (r->rec_done)
		return good_record(r, rec);
	return PL_CSV_END;
}

enum pl_csv_event pl_csv_next(struct pl_csv_reader *r, struct pl_csv_record *rec,
			      struct pl_diag *d)
{
	if (r->returned) {
		record_clear(r);
		r->returned = 0;
	}
	for (;;) {
		enum pl_csv_event ev;

		if (r->buf_pos == r->buf_len) {
			int rc;

			if (r->finished)
				return PL_CSV_END;
			rc = r->eof ? 0 : refill(r, d);
			if (rc < 0)
				return PL_CSV_ERROR;
			if (rc == 0)
				return finish(r, rec, d);
			continue;
		}
		ev = feed_piece(r, rec, d);
		if (ev != PL_CSV_END)
			return ev;
	}
}

enum pl_err pl_csv_drain(struct pl_csv_reader *r, struct pl_diag *d)
{
	struct pl_csv_record rec;
	enum pl_csv_event ev;

	while ((ev = pl_csv_next(r, &rec, d)) > 0)
		;
	return ev == PL_CSV_ERROR ? d->err : PL_OK;
}

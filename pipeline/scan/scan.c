/*
 * scan/scan.c - sniff an unknown district export and draft its mapping file.
 *
 * Three streaming passes over the export: bytes (encoding, line ends, the
 * first MiB for the delimiter and quote), the first records (title block and
 * header), then every record through lib/csvread (field counts, footer, and
 * per column bounded counters and distinct values for the type guesses).
 * The draft is built in memory and written out at the end, to stdout or to
 * a temporary file renamed into place.
 */
#define _POSIX_C_SOURCE 200809L
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csvread.h"
#include "log.h"
#include "pnr.h"
#include "schema.h"
#include "source.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define HIST_MAX 4096             /* field counts above this share one bucket */
#define MAX_VALUE_BYTES 200       /* longer values are counted, not kept */
#define MAX_PENDING 16            /* trailing footer candidates kept */
#define MAX_RECODE_LISTED 300     /* values listed under one [recode FIELD] */
#define MAX_INI_LINE 190          /* libinih refuses lines of 199 bytes and more */
#define HEAD_CELL_BYTES 512       /* header candidates keep this much of a cell */
#define MAX_QUOTED_LINES 20       /* a quoted field spanning more lines is a stray quote */

/* ======================================================================
 * Pass 1: bytes
 * ====================================================================== */

void scan_bytes_init(struct scan_bytes *b)
{
	memset(b, 0, sizeof(*b));
}

static int undefined_in_cp1252(unsigned char c)
{
	return c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D;
}

static void bytes_end_line(struct scan_bytes *b, int by_lf)
{
	if (b->need) {           /* a sequence cut by the line end */
		b->line_bad = 1;
		b->need = 0;
	}
	b->lines++;
	if (by_lf) {
		if (b->last_cr)
			b->crlf_lines++;
		else
			b->lf_lines++;
	}
	if (b->line_high)
		b->high_lines++;
	if (b->line_bad) {
		b->utf8_bad_lines++;
		if (!b->first_utf8_bad)
			b->first_utf8_bad = b->lines;
	} else if (b->line_mb) {
		b->utf8_mb_lines++;
	}
	if (b->line_c1)
		b->c1_lines++;
	if (b->line_undef) {
		b->undef_lines++;
		if (!b->first_undef)
			b->first_undef = b->lines;
	}
	b->line_open = b->line_high = b->line_mb = b->line_bad = 0;
	b->line_c1 = b->line_undef = b->last_cr = 0;
}

/* One byte through a UTF-8 well-formedness automaton (RFC 3629 table). */
static void utf8_step(struct scan_bytes *b, unsigned char c)
{
	if (b->need) {
		if (c >= b->lo && c <= b->hi) {
			b->lo = 0x80;
			b->hi = 0xBF;
			if (--b->need == 0)
				b->line_mb = 1;
			return;
		}
		b->line_bad = 1;
		b->need = 0;     /* c may start a new sequence */
	}
	if (c < 0x80)
		return;
	b->lo = 0x80;
	b->hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		b->need = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		b->need = 2;
		if (c == 0xE0)
			b->lo = 0xA0;
		else if (c == 0xED)
			b->hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		b->need = 3;
		if (c == 0xF0)
			b->lo = 0x90;
		else if (c == 0xF4)
			b->hi = 0x8F;
	} else {
		b->line_bad = 1;
	}
}

void scan_bytes_feed(struct scan_bytes *b, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (b->n_head < 3 && b->n_bytes < 3)
			b->head[b->n_head++] = c;
		b->n_bytes++;
		if (c == 0)
			b->nul_bytes++;
		if (c == '\n') {
			bytes_end_line(b, 1);
			continue;
		}
		b->line_open = 1;
		b->last_cr = c == '\r';
		if (c >= 0x80) {
			b->line_high = 1;
			if (c <= 0x9F) {
				if (undefined_in_cp1252(c))
					b->line_undef = 1;
				else
					b->line_c1 = 1;
			}
		}
		utf8_step(b, c);
	}
}

void scan_bytes_finish(struct scan_bytes *b)
{
	if (b->line_open)
		bytes_end_line(b, 0);
	if (b->n_head >= 3 && b->head[0] == 0xEF && b->head[1] == 0xBB && b->head[2] == 0xBF)
		b->bom = SCAN_BOM_UTF8;
	else if (b->n_head >= 2 && ((b->head[0] == 0xFF && b->head[1] == 0xFE) ||
				    (b->head[0] == 0xFE && b->head[1] == 0xFF)))
		b->bom = SCAN_BOM_UTF16;
}

enum pl_err scan_guess_encoding(const struct scan_bytes *b, struct scan_encoding *g,
				struct pl_diag *d)
{
	long undef, other;
	size_t n;

	memset(g, 0, sizeof(*g));
	g->enc = PL_ENC_UTF8;
	g->sure = 1;
	if (b->bom == SCAN_BOM_UTF16)
		return pl_diag_set(d, PL_EDATA, NULL, 0, "UTF-16 text (byte order mark %02X %02X) is "
				   "not supported: export it as UTF-8 or Windows-1252",
				   b->head[0], b->head[1]);
	if (b->n_bytes == 0)
		return pl_diag_set(d, PL_EDATA, NULL, 0, "empty file");
	/* A stray NUL is a bad row (ingest rejects it); many are no text at all. */
	if (b->nul_bytes * 100 > b->n_bytes)
		return pl_diag_set(d, PL_EDATA, NULL, 0, "%lld NUL bytes in %lld: not a text export "
				   "(a binary file, or UTF-16 without a byte order mark)",
				   b->nul_bytes, b->n_bytes);
	if (b->bom == SCAN_BOM_UTF8 || b->high_lines == 0 || b->utf8_bad_lines == 0 ||
	    b->utf8_bad_lines * 10 <= b->utf8_mb_lines) {
		if (b->bom == SCAN_BOM_UTF8) {
			g->enc = PL_ENC_UTF8_BOM;
			snprintf(g->why, sizeof(g->why), "starts with a UTF-8 byte order mark");
		} else if (b->high_lines == 0) {
			snprintf(g->why, sizeof(g->why), "ASCII only: every encoding reads it alike");
		} else if (b->utf8_bad_lines == 0) {
			snprintf(g->why, sizeof(g->why), "well-formed UTF-8 throughout (%ld lines with "
				 "non-ASCII characters)", b->utf8_mb_lines);
		} else {
			snprintf(g->why, sizeof(g->why), "UTF-8 on %ld lines", b->utf8_mb_lines);
		}
		if (b->utf8_bad_lines && b->high_lines) {
			g->stray_lines = b->utf8_bad_lines;
			g->first_stray = b->first_utf8_bad;
			n = strlen(g->why);
			snprintf(g->why + n, sizeof(g->why) - n, "; %ld line(s) hold bytes that are not "
				 "UTF-8 (first: line %ld): ingest rejects those rows",
				 b->utf8_bad_lines, b->first_utf8_bad);
		}
		return PL_OK;
	}
	/* A single-byte encoding.  Bytes undefined in Windows-1252 on a few
	 * lines only are stray bad bytes, not evidence of ISO-8859-1, where they
	 * would be C1 control characters that never occur in real text. */
	undef = b->undef_lines;
	other = b->high_lines - undef;
	if (undef == 0 || undef * 10 <= other) {
		if (b->c1_lines > 0) {
			g->enc = PL_ENC_CP1252;
			snprintf(g->why, sizeof(g->why), "not UTF-8; bytes 0x80-0x9F on %ld lines are "
				 "letters and signs in Windows-1252 (e.g. \xE2\x82\xAC \xE2\x80\x93 "
				 "\xE2\x80\x99), controls in ISO-8859-1", b->c1_lines);
		} else {
			g->sure = 0;
			g->enc = b->crlf_lines > b->lf_lines ? PL_ENC_CP1252 : PL_ENC_LATIN1;
			snprintf(g->why, sizeof(g->why), "not UTF-8; no byte 0x80-0x9F, so Windows-1252 "
				 "and ISO-8859-1 read it alike; %s line ends suggest %s",
				 g->enc == PL_ENC_CP1252 ? "CRLF" : "LF",
				 g->enc == PL_ENC_CP1252 ? "a Windows program" : "a Unix system");
		}
		if (undef) {
			g->stray_lines = undef;
			g->first_stray = b->first_undef;
			n = strlen(g->why);
			snprintf(g->why + n, sizeof(g->why) - n, "; %ld line(s) hold bytes undefined in "
				 "Windows-1252 (first: line %ld)%s", undef, b->first_undef,
				 g->enc == PL_ENC_CP1252 ? ": ingest rejects those rows" : "");
		}
		return PL_OK;
	}
	g->enc = PL_ENC_LATIN1;
	snprintf(g->why, sizeof(g->why), "not UTF-8; bytes undefined in Windows-1252 (0x81 0x8D "
		 "0x8F 0x90 0x9D) on %ld lines, which only ISO-8859-1 reads", undef);
	return PL_OK;
}

/* ======================================================================
 * Delimiter and quote
 * ====================================================================== */

const char *scan_delimiter_name(char delimiter)
{
	switch (delimiter) {
	case ',': return "comma";
	case ';': return "semicolon";
	case '\t': return "tab";
	case '|': return "pipe";
	default: return "?";
	}
}

/* A field being split: what it starts and ends with, for quote sniffing. */
struct fld {
	int quoted;            /* opened with the quote character */
	unsigned char first, last;
	size_t n;              /* bytes after leading white space */
};

long scan_field_mode(const char *text, size_t len, char delimiter, char quote,
		     long *n_records, long *n_mode, long *n_quoted, long *n_other_quoted)
{
	char other = quote == '"' ? '\'' : '"';
	long *hist = pl_xcalloc(HIST_MAX + 1, sizeof(long));
	long n_fields = 1, mode = 0, best = 0, quoted_lines = 0, rec_quoted = 0;
	int in_quote = 0, at_start = 1, content = 0;
	struct fld f = { 0, 0, 0, 0 };
	size_t rec_start = 0;

	*n_records = *n_mode = *n_quoted = *n_other_quoted = 0;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)text[i] : '\n';
		int end_field;

		if (in_quote && i < len) {
			if (c == '\n' && ++quoted_lines > MAX_QUOTED_LINES) {
				/* a stray quote: drop the record, go on from its second line */
				const char *nl = memchr(text + rec_start, '\n', len - rec_start);

				i = (size_t)(nl - text);
				*n_quoted -= rec_quoted;
				n_fields = 1;
				content = in_quote = 0;
				at_start = 1;
				quoted_lines = rec_quoted = 0;
				memset(&f, 0, sizeof(f));
				rec_start = i + 1;
				continue;
			}
			if (c == (unsigned char)quote) {
				if (i + 1 < len && text[i + 1] == quote) {
					i++;
					continue;
				}
				in_quote = 0;
				f.last = c;
			}
			continue;
		}
		end_field = c == '\n' || c == (unsigned char)delimiter;
		if (end_field) {
			if (f.quoted) {
				(*n_quoted)++;
				rec_quoted++;
			}
			else if (f.n >= 2 && f.first == (unsigned char)other &&
				 f.last == (unsigned char)other)
				(*n_other_quoted)++;
			memset(&f, 0, sizeof(f));
			at_start = 1;
			if (c != '\n') {
				n_fields++;
				continue;
			}
			if (content) {
				hist[n_fields < HIST_MAX ? n_fields : HIST_MAX]++;
				(*n_records)++;
			}
			n_fields = 1;
			content = 0;
			quoted_lines = rec_quoted = 0;
			rec_start = i + 1;
			continue;
		}
		if (c == '\r' || ((c == ' ' || c == '\t') && at_start))
			continue;
		content = 1;
		if (c != ' ' && c != '\t')
			f.last = c;
		if (at_start) {
			at_start = 0;
			f.first = c;
			if (c == (unsigned char)quote) {
				in_quote = 1;
				f.quoted = 1;
			}
		}
		f.n++;
	}
	for (long k = 1; k <= HIST_MAX; k++) {
		if (hist[k] >= best && hist[k] > 0) {
			best = hist[k];
			mode = k;
		}
	}
	*n_mode = best;
	free(hist);
	return mode;
}

static void sniff_delimiter(const char *text, size_t len, char quote, struct scan_dialect *out)
{
	static const char candidates[] = { ',', ';', '\t', '|' };
	long best_nr = 0, best_nm = 0, best_mode = 0, best_q = 0, best_oq = 0;
	char best = 0;

	for (size_t i = 0; i < N_OF(candidates); i++) {
		long nr, nm, nq, noq;
		long mode = scan_field_mode(text, len, candidates[i], quote, &nr, &nm, &nq, &noq);
		long long lhs, rhs;

		if (mode <= 1 || nr == 0)
			continue;
		/* more consistent (nm / nr) wins; a tie goes to more fields */
		lhs = (long long)nm * best_nr;
		rhs = (long long)best_nm * nr;
		if (!best || lhs > rhs || (lhs == rhs && mode > best_mode)) {
			best = candidates[i];
			best_nr = nr;
			best_nm = nm;
			best_mode = mode;
			best_q = nq;
			best_oq = noq;
		}
	}
	if (!best) {
		best = ',';
		best_mode = scan_field_mode(text, len, ',', quote, &best_nr, &best_nm, &best_q, &best_oq);
	}
	out->delimiter = best;
	out->quote = quote;
	out->mode = best_mode;
	out->n_records = best_nr;
	out->n_mode = best_nm;
	out->n_quoted = best_q;
	out->sure = best_mode > 1 && best_nm * 10 >= best_nr * 9;
	if (quote == '"' && best_oq >= 2 && best_q == 0)
		out->quote = '\'';  /* single quotes clearly delimit fields */
}

void scan_sniff_dialect(const char *text, size_t len, struct scan_dialect *out)
{
	memset(out, 0, sizeof(*out));
	sniff_delimiter(text, len, '"', out);
	if (out->quote == '\'')
		sniff_delimiter(text, len, '\'', out);
}

/* ======================================================================
 * Title block, header, footer
 * ====================================================================== */

static int is_letter_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0xC0;
}

int scan_cell_is_text(const char *cell)
{
	long letters = 0, digits = 0;

	for (const unsigned char *p = (const unsigned char *)cell; *p; p++) {
		if (is_letter_byte(*p))
			letters++;
		else if (*p >= '0' && *p <= '9')
			digits++;
	}
	return letters > 0 && letters >= digits;
}

static int has_digit(const char *s)
{
	return strpbrk(s, "0123456789") != NULL;
}

/* Counts a row's non-empty and text cells. */
static void count_cells(const struct scan_row *r, size_t *n_nonempty, size_t *n_text)
{
	*n_nonempty = *n_text = 0;
	for (size_t i = 0; r->cells && i < r->n_fields; i++) {
		if (!r->cells[i][0])
			continue;
		(*n_nonempty)++;
		if (scan_cell_is_text(r->cells[i]))
			(*n_text)++;
	}
}

static int looks_like_header(const struct scan_row *r, size_t mode)
{
	size_t n_nonempty, n_text;

	if (!r->cells || r->n_fields != mode)
		return 0;
	count_cells(r, &n_nonempty, &n_text);
	return n_text == n_nonempty && n_text >= (mode > 1 ? 2 : 1) && n_text * 10 >= mode * 7;
}

/* The row above a header holding merged group cells: same width, at least
 * two but fewer non-empty cells than the header, all text without digits. */
static int looks_like_group_row(const struct scan_row *above, const struct scan_row *hdr)
{
	size_t n_nonempty, n_text, h_nonempty, h_text;

	if (!above->cells || above->n_fields != hdr->n_fields ||
	    above->line + above->n_lines != hdr->line)
		return 0;
	count_cells(above, &n_nonempty, &n_text);
	count_cells(hdr, &h_nonempty, &h_text);
	if (n_nonempty < 2 || n_nonempty >= h_nonempty || n_text != n_nonempty)
		return 0;
	for (size_t i = 0; i < above->n_fields; i++)
		if (has_digit(above->cells[i]))
			return 0;
	return 1;
}

void scan_find_header(const struct scan_row *rows, size_t n_rows, size_t mode,
		      struct scan_header *out)
{
	out->idx = -1;
	out->n_rows = 1;
	out->sure = 0;
	for (size_t i = 0; i < n_rows; i++) {
		if (!looks_like_header(&rows[i], mode))
			continue;
		out->idx = (long)i;
		out->sure = 1;
		if (i > 0 && looks_like_group_row(&rows[i - 1], &rows[i])) {
			out->idx = (long)i - 1;
			out->n_rows = 2;
		}
		return;
	}
	/* No row looks like a header: the first full-width row, as a guess. */
	for (size_t i = 0; i < n_rows; i++) {
		if (rows[i].cells && rows[i].n_fields == mode) {
			out->idx = (long)i;
			return;
		}
	}
	for (size_t i = 0; i < n_rows && out->idx < 0; i++)
		if (rows[i].cells)
			out->idx = (long)i;
}

int scan_is_footer_word(const char *first)
{
	static const char *const words[] = { "summa", "totalt", "total", "antal" };

	while (*first == ' ' || *first == '\t')
		first++;
	for (size_t i = 0; i < N_OF(words); i++)
		if (strncasecmp(first, words[i], strlen(words[i])) == 0)
			return 1;
	return 0;
}

void scan_footer_prefix(const char *first, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)first;
	size_t n = 0, max = size > 41 ? 40 : size - 1;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!is_letter_byte(*p)) {
		out[0] = '\0';
		return;
	}
	while (n < max && (is_letter_byte(p[n]) || (p[n] >= 0x80 && p[n] < 0xC0) || p[n] == ' '))
		n++;
	while (n > 0 && (p[n] & 0xC0) == 0x80)
		n--;  /* cut at the limit: never inside a UTF-8 sequence */
	while (n > 0 && p[n - 1] == ' ')
		n--;
	memcpy(out, p, n);
	out[n] = '\0';
}

static void put_ere_literal(struct pl_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (strchr(".[]()*+?{}|^$\\", s[i]))
			pl_buf_putc(out, '\\');
		pl_buf_putc(out, s[i]);
	}
}

void scan_footer_pattern(char *const *prefixes, size_t n, struct pl_buf *out)
{
	size_t n_distinct = 0;

	pl_buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		int seen = 0;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcasecmp(prefixes[i], prefixes[j]) == 0;
		n_distinct += !seen && prefixes[i][0];
	}
	pl_buf_append(out, n_distinct > 1 ? "^(" : "^", n_distinct > 1 ? 2 : 1);
	for (size_t i = 0, k = 0; i < n; i++) {
		int seen = 0;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcasecmp(prefixes[i], prefixes[j]) == 0;
		if (seen || !prefixes[i][0])
			continue;
		if (k++)
			pl_buf_putc(out, '|');
		put_ere_literal(out, prefixes[i], strlen(prefixes[i]));
	}
	if (n_distinct > 1)
		pl_buf_putc(out, ')');
}

/* ======================================================================
 * Columns: counters, distinct values, type guesses
 * ====================================================================== */

const char *const scan_date_formats[SCAN_N_DATE_FORMATS] = {
	"YYYY-MM-DD", "YYYY-MM-DD hh:mm:ss", "YYYY-MM-DD hh:mm", "YYYYMMDD",
	"DD/MM/YYYY", "DD.MM.YYYY", "D/M/YYYY", "DD-MM-YYYY",
};

const char *scan_type_name(enum scan_type t)
{
	static const char *const names[] = {
		"empty", "identity numbers", "names", "dates", "years", "postcodes",
		"numbers", "categorical", "free text",
	};

	return (size_t)t < N_OF(names) ? names[t] : "?";
}

void scan_col_init(struct scan_col *c, size_t max_distinct)
{
	memset(c, 0, sizeof(*c));
	c->max_distinct = max_distinct ? max_distinct : SCAN_MAX_DISTINCT;
	c->field = -1;
	c->alias_of = -1;
	c->decimal = '.';
}

void scan_col_release(struct scan_col *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		free(c->slots[i].key);
		free(c->slots[i].raw);
	}
	free(c->slots);
	free(c->name);
	free(c->bottom);
	c->slots = NULL;
	c->name = c->bottom = NULL;
	c->cap = c->n_distinct = 0;
}

static unsigned long hash_str(const char *s)
{
	unsigned long h = 5381;

	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static void col_count_value(struct scan_col *c, const char *raw, const char *key)
{
	size_t i;

	if (!c->slots) {
		c->cap = 16;
		while (c->cap < 2 * c->max_distinct)
			c->cap *= 2;
		c->slots = pl_xcalloc(c->cap, sizeof(*c->slots));
	}
	for (i = hash_str(key) & (c->cap - 1); c->slots[i].key; i = (i + 1) & (c->cap - 1)) {
		if (strcmp(c->slots[i].key, key) == 0) {
			c->slots[i].n++;
			return;
		}
	}
	if (c->n_distinct >= c->max_distinct) {
		c->n_unkept++;
		return;
	}
	c->slots[i].key = pl_xstrdup(key);
	c->slots[i].raw = pl_xstrdup(raw);
	c->slots[i].n = 1;
	c->n_distinct++;
}

/* The shape of a value: digit runs as [0-9]{n}, the rest literal (ERE). */
static int value_shape(const char *v, size_t from, char *out, size_t size)
{
	struct pl_buf b;
	int ok;

	pl_buf_init(&b);
	pl_buf_putc(&b, '\0');
	b.len = 0;
	for (size_t i = from; v[i];) {
		if (v[i] >= '0' && v[i] <= '9') {
			size_t n = 0;

			while (v[i + n] >= '0' && v[i + n] <= '9')
				n++;
			if (n == 1)
				pl_buf_printf(&b, "[0-9]");
			else
				pl_buf_printf(&b, "[0-9]{%zu}", n);
			i += n;
		} else {
			put_ere_literal(&b, v + i, 1);
			i++;
		}
	}
	ok = b.len < size;
	if (ok)
		memcpy(out, b.data, b.len + 1);
	pl_buf_release(&b);
	return ok ? 0 : -1;
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* 1 if a value that is no identity number is no flawed one either: it fails
 * more than the check digit, or a twelve-digit form has no century 18-20. */
static int structural_flaw(const char *v, enum pl_pnr_flaw flaw)
{
	if (flaw != PL_PNR_CHECK_DIGIT)
		return 1;
	return strlen(v) >= 12 && all_digits(v, 8) &&
	       !(v[0] == '1' && (v[1] == '8' || v[1] == '9')) && !(v[0] == '2' && v[1] == '0');
}

static void col_add_shape(struct scan_col *c, const char *v, enum pl_pnr_flaw flaw)
{
	char key[sizeof(c->shapes[0].key)];
	size_t len = strlen(v);

	/* Values starting with digits are told apart by their first two, so that
	 * a series like 99NNNNNNNNNN is not lost among flawed personnummer. */
	size_t lit = len >= 2 && all_digits(v, 2) ? 2 : 0;

	if (len >= sizeof(c->shapes[0].rep) || value_shape(v, lit, key + lit, sizeof(key) - lit) != 0)
		return;
	memcpy(key, v, lit);
	for (size_t i = 0; i < c->n_shapes; i++) {
		struct scan_shape *s = &c->shapes[i];
		size_t k = 0;

		if (strcmp(s->key, key) != 0)
			continue;
		while (k < s->prefix_len && s->rep[k] == v[k])
			k++;
		s->prefix_len = k;
		s->n++;
		s->n_structural += structural_flaw(v, flaw);
		return;
	}
	if (c->n_shapes < SCAN_MAX_SHAPES) {
		struct scan_shape *s = &c->shapes[c->n_shapes++];

		memcpy(s->key, key, strlen(key) + 1);
		memcpy(s->rep, v, len + 1);
		s->prefix_len = len;
		s->n = 1;
		s->n_structural = structural_flaw(v, flaw);
	}
}

void scan_col_add(struct scan_col *c, const char *v, const struct pl_date *ref,
		  struct pl_buf *tmp)
{
	size_t len = strlen(v);
	unsigned mask = 0;
	struct pl_date dt;
	struct pl_pnr pnr;
	double x;
	int pt, cm;

	c->n_values++;
	if (len == 0) {
		c->n_empty++;
		return;
	}
	if (pl_pnr_parse(v, ref, &pnr) != PL_ID_NONE) {
		c->n_pnr++;
	} else {
		c->n_nonpnr++;
		col_add_shape(c, v, pnr.flaw);
	}
	for (int i = 0; len <= 32 && i < SCAN_N_DATE_FORMATS; i++) {
		if (pl_date_parse(v, scan_date_formats[i], &dt) == 0) {
			mask |= 1u << i;
			c->n_date[i]++;
		}
	}
	c->n_date_mask[mask]++;
	pt = pl_number_parse(v, '.', &x) == 0;
	cm = pl_number_parse(v, ',', &x) == 0;
	c->n_num_point += pt;
	c->n_num_comma += cm;
	c->n_point_only += pt && !cm;
	c->n_comma_only += cm && !pt;
	if (len == 4 && all_digits(v, 4) && atoi(v) >= 1900 && atoi(v) <= 2030)
		c->n_year++;
	if ((len == 5 && all_digits(v, 5) && v[0] != '0') ||
	    (len == 6 && all_digits(v, 3) && v[3] == ' ' && all_digits(v + 4, 2) && v[0] != '0'))
		c->n_postcode++;
	if (len > MAX_VALUE_BYTES) {
		c->n_long++;
		return;
	}
	col_count_value(c, v, pl_fold(v, len, tmp));
}

static int at_least(long n, long of, long pct)
{
	return of > 0 && n * 100 >= of * pct;
}

static int name_has(const char *name, const char *word)
{
	struct pl_buf b;
	int hit;

	if (!name)
		return 0;
	pl_buf_init(&b);
	hit = strstr(pl_fold(name, strlen(name), &b), word) != NULL;
	pl_buf_release(&b);
	return hit;
}

/* Chooses date formats greedily by the values each adds. */
static unsigned choose_date_formats(const struct scan_col *c, long *covered)
{
	long nonempty = c->n_values - c->n_empty;
	unsigned chosen = 0;

	*covered = 0;
	for (;;) {
		long best_gain = 0;
		int best = -1;

		for (int i = 0; i < SCAN_N_DATE_FORMATS; i++) {
			long gain = 0;

			if (chosen & (1u << i))
				continue;
			for (unsigned m = 0; m < (1u << SCAN_N_DATE_FORMATS); m++)
				if ((m & (1u << i)) && !(m & chosen))
					gain += c->n_date_mask[m];
			if (gain > best_gain) {
				best_gain = gain;
				best = i;
			}
		}
		if (best < 0 || best_gain * 100 < nonempty)
			break;
		chosen |= 1u << best;
		*covered += best_gain;
	}
	return chosen;
}

void scan_col_guess(struct scan_col *c)
{
	long nonempty = c->n_values - c->n_empty;
	long covered;
	unsigned formats;

	c->decimal = c->n_comma_only > c->n_point_only ? ',' : '.';
	c->date_mask = 0;
	c->n_typed = nonempty;
	if (nonempty == 0) {
		c->type = SCAN_T_EMPTY;
		return;
	}
	if (c->n_pnr * 2 > nonempty) {
		c->type = SCAN_T_IDENTITY;
		c->n_typed = c->n_pnr;
		return;
	}
	if (name_has(c->name, "namn")) {
		c->type = SCAN_T_NAME;
		return;
	}
	formats = choose_date_formats(c, &covered);
	if (at_least(covered, nonempty, 95)) {
		c->type = SCAN_T_DATE;
		c->date_mask = formats;
		c->n_typed = covered;
		return;
	}
	if (at_least(c->n_year, nonempty, 95)) {
		c->type = SCAN_T_YEAR;
		c->n_typed = c->n_year;
		return;
	}
	if (at_least(c->n_postcode, nonempty, 95)) {
		c->type = SCAN_T_POSTCODE;
		c->n_typed = c->n_postcode;
		return;
	}
	c->n_typed = c->decimal == ',' ? c->n_num_comma : c->n_num_point;
	if (at_least(c->n_typed, nonempty, 95)) {
		c->type = SCAN_T_NUMBER;
		return;
	}
	c->n_typed = nonempty;
	c->type = c->n_unkept == 0 && c->n_long == 0 && c->n_distinct <= SCAN_CATEGORICAL_MAX
		  ? SCAN_T_CATEGORICAL : SCAN_T_TEXT;
}

static int cmp_value(const void *a, const void *b)
{
	const struct scan_value *x = *(const struct scan_value *const *)a;
	const struct scan_value *y = *(const struct scan_value *const *)b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct scan_value **scan_col_values(const struct scan_col *c, size_t *n)
{
	struct scan_value **v = pl_xcalloc(c->n_distinct + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < c->cap; i++)
		if (c->slots[i].key)
			v[(*n)++] = &c->slots[i];
	qsort(v, *n, sizeof(*v), cmp_value);
	return v;
}

static int pnr_like_shape(const char *key)
{
	static const char *const shapes[] = {
		"[0-9]{6}-[0-9]{4}", "[0-9]{6}\\+[0-9]{4}", "[0-9]{10}", "[0-9]{12}",
		"[0-9]{8}-[0-9]{4}",
	};

	for (size_t i = 0; i < N_OF(shapes); i++)
		if (strcmp(key, shapes[i]) == 0)
			return 1;
	return 0;
}

/* The regular expression for a shape, or -1 if the shape is no reserve series. */
static int shape_reserve(const struct scan_shape *sh, char *out, size_t size)
{
	size_t lead = 0, lit;
	char rest[64];
	struct pl_buf b;
	int rc = -1;

	if (sh->n < 3)
		return -1;
	/* The literal part: the shared leading non-digits, or for values that
	 * start with a digit at most two shared digits (never a whole number). */
	while (lead < sh->prefix_len && !(sh->rep[lead] >= '0' && sh->rep[lead] <= '9'))
		lead++;
	lit = lead ? lead : (sh->prefix_len < 2 ? sh->prefix_len : 2);
	if (value_shape(sh->rep, 0, rest, sizeof(rest)) != 0)
		return -1;
	if (pnr_like_shape(rest) && (lit < 2 || sh->n_structural * 10 < sh->n * 9))
		return -1;  /* flawed personnummer, not a reserve series */
	if (value_shape(sh->rep, lit, rest, sizeof(rest)) != 0)
		return -1;
	pl_buf_init(&b);
	pl_buf_putc(&b, '^');
	put_ere_literal(&b, sh->rep, lit);
	pl_buf_printf(&b, "%s$", rest);
	if (b.len < size) {
		memcpy(out, b.data, b.len + 1);
		rc = 0;
	}
	pl_buf_release(&b);
	return rc;
}

void scan_col_reserve(const struct scan_col *c, char *out, size_t size, long *n)
{
	char re[96];

	out[0] = '\0';
	*n = 0;
	for (size_t i = 0; i < c->n_shapes; i++) {
		if (c->shapes[i].n > *n && shape_reserve(&c->shapes[i], re, sizeof(re)) == 0 &&
		    strlen(re) < size) {
			memcpy(out, re, strlen(re) + 1);
			*n = c->shapes[i].n;
		}
	}
}

/* ======================================================================
 * Schema fields from header keywords, confirmed by the values
 * ====================================================================== */

#define TY(t) (1u << (t))

/* Tried in this order, so a specific word wins over a general one:
 * "Insats Beslutsdatum" is a start date, "Insats Utförare" a provider. */
static const struct field_rule {
	int field;
	const char *words[8];  /* folded (lower case) substrings */
	unsigned types;        /* value types that confirm it; 0: any */
} field_rules[] = {
	{ PL_F_IDENTITY_NUMBER, { "personnummer", "personnr", "person-nr", "pnr", "id-nummer",
				  "idnummer", "samordningsnummer" }, 0 },
	{ PL_F_BIRTH_DATE, { "f\xC3\xB6" "delsedatum", "f\xC3\xB6" "delsedag", "f\xC3\xB6" "dd" },
	  TY(SCAN_T_DATE) | TY(SCAN_T_EMPTY) },
	{ PL_F_BIRTH_YEAR, { "f\xC3\xB6" "delse\xC3\xA5r", "f\xC3\xB6" "dd" }, TY(SCAN_T_YEAR) | TY(SCAN_T_EMPTY) },
	{ PL_F_FIRST_NAME, { "f\xC3\xB6rnamn", "tilltalsnamn" }, 0 },
	{ PL_F_LAST_NAME, { "efternamn" }, 0 },
	{ PL_F_POSTCODE, { "postnummer", "postnr" }, 0 },
	{ PL_F_SEX, { "k\xC3\xB6n" }, 0 },
	{ PL_F_START_DATE, { "start", "beslut", "fr\xC3\xA5n", "fr.o.m" },
	  TY(SCAN_T_DATE) | TY(SCAN_T_EMPTY) },
	{ PL_F_END_DATE, { "avslut", "slut", "till", "t.o.m" }, TY(SCAN_T_DATE) | TY(SCAN_T_EMPTY) },
	{ PL_F_COST_SEK, { "kostnad", "belopp" }, TY(SCAN_T_NUMBER) | TY(SCAN_T_EMPTY) },
	{ PL_F_CHILDREN, { "barn" }, 0 },
	{ PL_F_PROVIDER, { "utf\xC3\xB6rare", "anordnare" }, 0 },
	{ PL_F_SUBSTANCE, { "missbruk", "substans", "problematik" }, 0 },
	{ PL_F_INTERVENTION, { "insats" }, 0 },
};

static int rule_matches(const struct field_rule *r, const char *folded)
{
	for (size_t i = 0; i < N_OF(r->words) && r->words[i]; i++)
		if (strstr(folded, r->words[i]))
			return 1;
	return 0;
}

/* A column holding whole names: sealed as last_name. */
static int full_name_header(const char *folded)
{
	return strcmp(folded, "namn") == 0 || strcmp(folded, "name") == 0 ||
	       strcmp(folded, "fullst\xC3\xA4ndigt namn") == 0 ||
	       strstr(folded, "f\xC3\xB6r- och efternamn") != NULL;
}

int scan_field_by_name(const char *name)
{
	struct pl_buf b;
	int f = -1;

	pl_buf_init(&b);
	pl_fold(name, strlen(name), &b);
	for (size_t i = 0; i < N_OF(field_rules) && f < 0; i++)
		if (rule_matches(&field_rules[i], b.data))
			f = field_rules[i].field;
	if (f < 0 && full_name_header(b.data))
		f = PL_F_LAST_NAME;
	pl_buf_release(&b);
	return f;
}

/* Gives column i field f, or makes it an alias of the column holding f
 * (sensitive fields only, so both are sealed).  0 if f is taken. */
static int take_field(struct scan_col *cols, int *taken, size_t i, int f)
{
	if (taken[f] >= 0) {
		if (!pl_field_is_sensitive((enum pl_field)f))
			return 0;
		cols[i].alias_of = taken[f];
	} else {
		taken[f] = (int)i;
	}
	cols[i].field = f;
	return 1;
}

static void set_note(struct scan_col *c, const char *fmt, const char *a, const char *b)
{
	if (!c->note[0])
		snprintf(c->note, sizeof(c->note), fmt, a, b);
}

void scan_assign_fields(struct scan_col *cols, size_t n_cols)
{
	int taken[PL_F__COUNT];
	struct pl_buf b;

	pl_buf_init(&b);
	for (int f = 0; f < PL_F__COUNT; f++)
		taken[f] = -1;
	for (size_t i = 0; i < n_cols; i++) {
		struct scan_col *c = &cols[i];
		const char *names[2] = { c->bottom, c->name };
		int hit = 0, done = 0;

		c->field = c->alias_of = -1;
		c->by_type = 0;
		c->note[0] = '\0';
		for (int k = 0; k < 2 && !done && !hit; k++) {
			if (!names[k] || !names[k][0] || (k == 1 && names[0] && strcmp(names[0], names[1]) == 0))
				continue;
			pl_fold(names[k], strlen(names[k]), &b);
			for (size_t r = 0; r < N_OF(field_rules) && !done; r++) {
				const struct field_rule *rule = &field_rules[r];
				const char *fname = pl_field_name((enum pl_field)rule->field);

				if (!rule_matches(rule, b.data))
					continue;
				hit = 1;
				if (pl_field_kind((enum pl_field)rule->field) == PL_KIND_CODE &&
				    (c->type == SCAN_T_IDENTITY || c->type == SCAN_T_NAME)) {
					set_note(c, "the header suggests %s, but the values are %s", fname,
						 scan_type_name(c->type));
					continue;
				}
				if (rule->types && !(rule->types & TY(c->type))) {
					set_note(c, "the header suggests %s, but the values are %s", fname,
						 scan_type_name(c->type));
					continue;
				}
				if (take_field(cols, taken, i, rule->field))
					done = 1;
				else
					set_note(c, "the header suggests %s, which an earlier column holds%s",
						 fname, "");
			}
			if (!done && full_name_header(b.data))
				done = take_field(cols, taken, i, PL_F_LAST_NAME);
		}
		if (!done && c->type == SCAN_T_IDENTITY) {
			take_field(cols, taken, i, PL_F_IDENTITY_NUMBER);
			c->by_type = 1;
		}
	}
	pl_buf_release(&b);
}

/* ======================================================================
 * Shared code lists
 * ====================================================================== */

struct cl_ctx {
	struct scan_codelists *cl;
	int field;
	const char *file;
	char msg[300];
	struct pl_buf tmp;
};

static int cl_handler(void *user, const char *section, const char *key, const char *value)
{
	struct cl_ctx *x = user;
	struct scan_code *e;

	if (strcasecmp(section, "values") != 0) {
		if (!x->msg[0])
			snprintf(x->msg, sizeof(x->msg), "a code list has only a [values] section, "
				 "not [%s]", section);
		return 0;
	}
	if (!pl_code_valid((enum pl_codelist)pl_field_codelist((enum pl_field)x->field), value)) {
		if (!x->msg[0])
			snprintf(x->msg, sizeof(x->msg), "'%s' is not a code of the schema for %s",
				 value, pl_field_name((enum pl_field)x->field));
		return 0;
	}
	x->cl->items = pl_xrealloc(x->cl->items, (x->cl->n_items + 1) * sizeof(*x->cl->items));
	e = &x->cl->items[x->cl->n_items++];
	e->field = x->field;
	e->key = pl_xstrdup(pl_fold(key, strlen(key), &x->tmp));
	e->code = pl_xstrdup(value);
	e->file = pl_xstrdup(x->file);
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The field a code list file is for: its name up to '_' or '.'. */
static int codelist_field(const char *file)
{
	char prefix[64];
	size_t n = strcspn(file, "_.");
	int f;

	if (n >= sizeof(prefix))
		return -1;
	memcpy(prefix, file, n);
	prefix[n] = '\0';
	f = pl_field_lookup(prefix);
	return f >= 0 && pl_field_kind((enum pl_field)f) == PL_KIND_CODE ? f : -1;
}

enum pl_err scan_codelists_load(const char *dir, struct scan_codelists *cl, struct pl_diag *d)
{
	char **names = NULL;
	size_t n_names = 0;
	enum pl_err err = PL_OK;
	struct pl_buf path;
	struct dirent *de;
	DIR *dp;

	memset(cl, 0, sizeof(*cl));
	dp = opendir(dir);
	if (!dp)
		return pl_diag_set(d, PL_ENOINPUT, dir, 0, "cannot open code list directory: %s",
				   strerror(errno));
	while ((de = readdir(dp)) != NULL) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || n < 5 || strcmp(de->d_name + n - 4, ".ini") != 0)
			continue;
		names = pl_xrealloc(names, (n_names + 1) * sizeof(*names));
		names[n_names++] = pl_xstrdup(de->d_name);
	}
	closedir(dp);
	if (n_names)
		qsort(names, n_names, sizeof(*names), cmp_str);
	pl_buf_init(&path);
	for (size_t i = 0; i < n_names && !err; i++) {
		struct cl_ctx x;
		int rc;

		memset(&x, 0, sizeof(x));
		x.cl = cl;
		x.file = names[i];
		x.field = codelist_field(names[i]);
		if (x.field < 0) {
			pl_log(PL_LOG_DEBUG, names[i], "not a code list of a coded field: skipped");
			continue;
		}
		pl_buf_reset(&path);
		pl_buf_printf(&path, "%s/%s", dir, names[i]);
		pl_buf_init(&x.tmp);
		rc = ini_parse(path.data, cl_handler, &x);
		pl_buf_release(&x.tmp);
		if (rc < 0)
			err = pl_diag_set(d, PL_EIO, path.data, 0, "cannot read code list");
		else if (rc > 0)
			err = pl_diag_set(d, PL_ECONFIG, path.data, rc, "%s",
					  x.msg[0] ? x.msg : "syntax error: expected [values] or value = CODE");
	}
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	pl_buf_release(&path);
	if (err)
		scan_codelists_release(cl);
	return err;
}

void scan_codelists_release(struct scan_codelists *cl)
{
	for (size_t i = 0; i < cl->n_items; i++) {
		free(cl->items[i].key);
		free(cl->items[i].code);
		free(cl->items[i].file);
	}
	free(cl->items);
	cl->items = NULL;
	cl->n_items = 0;
}

const char *scan_codelists_find(const struct scan_codelists *cl, int field, const char *folded,
				const char **file)
{
	for (size_t i = 0; i < cl->n_items; i++) {
		if (cl->items[i].field == field && strcmp(cl->items[i].key, folded) == 0) {
			if (file)
				*file = cl->items[i].file;
			return cl->items[i].code;
		}
	}
	return NULL;
}

/* ======================================================================
 * Source name and files glob from the file name
 * ====================================================================== */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* ASCII for a Latin-1 letter U+00C0..U+00FF, '_' for the signs among them. */
static char translit(unsigned cp)
{
	static const char map[] = "aaaaaaaceeeeiiiidnooooo_ouuuuy_s"   /* C0-DF */
				  "aaaaaaaceeeeiiiidnooooo_ouuuuy_y";  /* E0-FF */

	return cp >= 0xC0 && cp <= 0xFF ? map[cp - 0xC0] : '_';
}

void scan_source_name(const char *file_name, char *out, size_t size)
{
	const char *base = base_name(file_name);
	const unsigned char *p = (const unsigned char *)base;
	const unsigned char *dot = (const unsigned char *)strrchr(base, '.');
	int utf8 = pl_utf8_valid(base, strlen(base), NULL);
	size_t n = 0, max = size - 1 < 64 ? size - 1 : 64;

	if (dot == p)
		dot = NULL;
	for (; *p && p != dot && n < max; p++) {
		char c;

		if (*p >= 'A' && *p <= 'Z')
			c = (char)(*p + 32);
		else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			c = (char)*p;
		else if (utf8 && *p == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF)
			c = translit(0x40u + *++p);
		else if (utf8 && *p >= 0xC0)
			c = '_';
		else if (utf8 && *p >= 0x80)
			continue;  /* continuation of a skipped sequence */
		else
			c = translit(*p);
		if (c == '_' && (n == 0 || out[n - 1] == '_'))
			continue;
		out[n++] = c;
	}
	while (n > 0 && out[n - 1] == '_')
		n--;
	/* drop trailing _2025, _2025_01, ... but keep something */
	for (;;) {
		size_t k = n;

		while (k > 0 && out[k - 1] >= '0' && out[k - 1] <= '9')
			k--;
		if (k < n && k > 1 && out[k - 1] == '_')
			n = k - 1;
		else
			break;
	}
	if (n == 0) {
		snprintf(out, size, "source");
		return;
	}
	out[n] = '\0';
}

void scan_files_glob(const char *file_name, char *out, size_t size)
{
	const char *base = base_name(file_name);
	const char *dot = strrchr(base, '.');
	int utf8 = pl_utf8_valid(base, strlen(base), NULL);
	size_t letters = 0, n = 0;
	int generalise;

	if (!dot || dot == base)
		dot = base + strlen(base);
	for (const char *p = base; p < dot; p++)
		letters += is_letter_byte((unsigned char)*p);
	/* digits become '*' only when enough of the name is left to claim it */
	generalise = letters >= 3 && strpbrk(base, "0123456789") != NULL;
	for (const unsigned char *p = (const unsigned char *)base; *p && n + 1 < size; p++) {
		if (generalise && p < (const unsigned char *)dot && *p >= '0' && *p <= '9') {
			while (p[1] >= '0' && p[1] <= '9' && p + 1 < (const unsigned char *)dot)
				p++;
			out[n++] = '*';
		} else if (strchr("*?[],;", *p) || *p < 0x20 || (!utf8 && *p >= 0x80)) {
			out[n++] = '?';
		} else {
			out[n++] = (char)*p;
		}
	}
	out[n] = '\0';
}

/* ======================================================================
 * The run
 * ====================================================================== */

/* A record at the end that may be a footer, kept until a data record
 * follows it (then it is data) or the file ends (then it is a footer). */
struct pending {
	long line;
	size_t n_fields;
	char *first;           /* decoded first field, "" if it cannot be decoded */
	char **cells;          /* decoded cells when it has the data's width, else NULL */
};

struct scan {
	const struct scan_opts *o;
	const char *base;              /* the export's file name */
	struct pl_date ref;            /* today: draft date and identity reference */
	char today[11];
	long sample_limit;
	struct scan_bytes bytes;
	struct scan_encoding enc;
	struct scan_dialect dia;
	struct pl_buf sample;          /* first bytes, for the dialect */
	struct pl_decoder dec;
	int dec_live;
	struct scan_row *rows;         /* the first records */
	size_t n_rows;
	struct scan_header hdr;
	long header_line, header_lines, header_end;  /* header_end: start line of its last row */
	char title_date[11];           /* a YYYY-MM-DD date seen in the title block */
	struct scan_col *cols;
	size_t n_cols;
	size_t mode;                   /* width of the data, as sniffed (the header's) */
	long fields;                   /* modal width of the records after the header */
	long *hist;
	long lines, n_data, n_sampled, n_blank, n_bad, first_bad;
	long n_wrong, first_wrong, n_undecodable, first_undecodable;
	struct pending pend[MAX_PENDING];
	size_t n_pend;
	char **foot;                   /* footer prefixes */
	size_t n_foot;
	long n_footer, first_footer;
	struct pl_buf footer;          /* the footer ERE, "" for none */
	int footer_refused;            /* it would match data rows */
	struct scan_codelists cl;
	struct pl_buf tmp, cellbuf;
	size_t *celloff;               /* cells of the record in cellbuf */
	char **cellptr;
	long n_todo;
};

static enum pl_err set_today(struct scan *s, struct pl_diag *d)
{
	if (s->o->today) {
		if (pl_date_parse(s->o->today, "YYYY-MM-DD", &s->ref) != 0)
			return pl_diag_set(d, PL_EUSAGE, NULL, 0, "--today '%s' is not a date YYYY-MM-DD",
					   s->o->today);
	} else {
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		s->ref.year = tm.tm_year + 1900;
		s->ref.month = tm.tm_mon + 1;
		s->ref.day = tm.tm_mday;
	}
	pl_date_iso(&s->ref, s->today);
	return PL_OK;
}

/* Pass 1: byte statistics of the whole file and its first MiB. */
static enum pl_err pass_bytes(struct scan *s, struct pl_diag *d)
{
	unsigned char chunk[65536];
	enum pl_err err = PL_OK;
	struct stat st;
	FILE *fp;
	size_t n;

	if (stat(s->o->path, &st) != 0)
		return pl_diag_set(d, PL_ENOINPUT, s->o->path, 0, "cannot read: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return pl_diag_set(d, PL_ENOINPUT, s->o->path, 0, "not a regular file");
	fp = fopen(s->o->path, "rb");
	if (!fp)
		return pl_diag_set(d, PL_ENOINPUT, s->o->path, 0, "cannot open: %s", strerror(errno));
	scan_bytes_init(&s->bytes);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		scan_bytes_feed(&s->bytes, chunk, n);
		if (s->sample.len < (size_t)SCAN_SNIFF_BYTES) {
			size_t take = (size_t)SCAN_SNIFF_BYTES - s->sample.len;

			pl_buf_append(&s->sample, chunk, n < take ? n : take);
		}
	}
	if (ferror(fp))
		err = pl_diag_set(d, PL_EIO, s->o->path, 0, "read error: %s", strerror(errno));
	fclose(fp);
	scan_bytes_finish(&s->bytes);
	/* a cut sample ends at its last whole line */
	if (!err && (long long)s->sample.len < s->bytes.n_bytes) {
		char *nl = s->sample.len ? memchr(s->sample.data, '\n', s->sample.len) : NULL;

		if (nl) {
			while (s->sample.data[s->sample.len - 1] != '\n')
				s->sample.len--;
			s->sample.data[s->sample.len] = '\0';
		}
	}
	return err;
}

static struct pl_csv_opts reader_opts(const struct scan *s)
{
	struct pl_csv_opts ro;

	memset(&ro, 0, sizeof(ro));
	ro.delimiter = s->dia.delimiter;
	ro.quote = s->dia.quote;
	ro.max_field_bytes = PL_DEFAULT_MAX_FIELD_BYTES;
	ro.max_fields = HIST_MAX;
	ro.strip_utf8_bom = s->enc.enc == PL_ENC_UTF8 || s->enc.enc == PL_ENC_UTF8_BOM;
	return ro;
}

/* Decodes and trims one field into s->tmp; NULL if it is not valid in the encoding. */
static const char *decode(struct scan *s, const char *raw, size_t len)
{
	size_t out_len, bad;
	const char *v = pl_decode(&s->dec, raw, len, &out_len, &bad);

	if (!v)
		return NULL;
	while (out_len && strchr(" \t\r\n", *v))
		v++, out_len--;
	while (out_len && strchr(" \t\r\n", v[out_len - 1]))
		out_len--;
	pl_buf_reset(&s->tmp);
	pl_buf_append(&s->tmp, v, out_len);
	return s->tmp.data;
}

static void rows_release(struct scan *s)
{
	for (size_t i = 0; i < s->n_rows; i++) {
		for (size_t k = 0; s->rows[i].cells && k < s->rows[i].n_fields; k++)
			free(s->rows[i].cells[k]);
		free(s->rows[i].cells);
	}
	free(s->rows);
	s->rows = NULL;
	s->n_rows = 0;
}

/* Pass 2: the first records, decoded, for the title block and header. */
/* A header cell as the draft may name it: at most HEAD_CELL_BYTES, cut at a
 * character, line breaks and other control characters as spaces (so a name
 * never breaks a comment or a key line, and still matches: names are
 * compared folded, white space collapsed). */
static char *head_cell(const char *v)
{
	size_t n = strlen(v);
	char *cell;

	if (n > HEAD_CELL_BYTES) {
		n = HEAD_CELL_BYTES;
		while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
			n--;
	}
	cell = pl_xstrndup(v, n);
	for (char *p = cell; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			*p = ' ';
	return cell;
}

static enum pl_err pass_head(struct scan *s, struct pl_diag *d)
{
	struct pl_csv_opts ro = reader_opts(s);
	struct pl_csv_reader *r = pl_csv_open(s->o->path, &ro, d);
	struct pl_csv_record rec;
	enum pl_err err = PL_OK;

	if (!r)
		return d->err;
	s->rows = pl_xcalloc(SCAN_HEAD_RECORDS, sizeof(*s->rows));
	while (s->n_rows < SCAN_HEAD_RECORDS) {
		enum pl_csv_event ev = pl_csv_next(r, &rec, d);
		struct scan_row *row;

		if (ev == PL_CSV_END)
			break;
		if (ev == PL_CSV_ERROR) {
			err = d->err ? d->err : PL_EIO;
			break;
		}
		row = &s->rows[s->n_rows++];
		row->line = rec.line;
		row->n_lines = rec.n_lines;
		row->n_fields = ev == PL_CSV_RECORD ? rec.n_fields : 0;
		if (ev != PL_CSV_RECORD || rec.too_long || rec.n_kept < rec.n_fields)
			continue;
		row->cells = pl_xcalloc(rec.n_fields + 1, sizeof(char *));
		for (size_t k = 0; k < rec.n_fields; k++) {
			const char *v = decode(s, rec.fields[k], rec.lens[k]);

			if (!v) {
				for (size_t j = 0; j < k; j++)
					free(row->cells[j]);
				free(row->cells);
				row->cells = NULL;
				break;
			}
			row->cells[k] = head_cell(v);
		}
	}
	pl_csv_close(r);
	return err;
}

/* A YYYY-MM-DD date inside text, into out; 0 if found. */
static int find_iso_date(const char *text, char out[11])
{
	struct pl_date dt;
	char buf[11];

	for (const char *p = text; strlen(p) >= 10; p++) {
		memcpy(buf, p, 10);
		buf[10] = '\0';
		if (pl_date_parse(buf, "YYYY-MM-DD", &dt) == 0) {
			pl_date_iso(&dt, out);
			return 0;
		}
	}
	return -1;
}

/* Chooses the header and names the columns as ingest will. */
static enum pl_err decide_header(struct scan *s, struct pl_diag *d)
{
	const struct scan_row *last;
	const struct scan_row *upper = NULL;
	char *left = NULL;

	scan_find_header(s->rows, s->n_rows, (size_t)s->dia.mode, &s->hdr);
	if (s->hdr.idx < 0)
		return pl_diag_set(d, PL_EDATA, s->o->path, 0, "none of the first %d records can be "
				   "read as text (bad bytes, broken quotes, or more than %d fields)",
				   SCAN_HEAD_RECORDS, HIST_MAX);
	if (s->hdr.n_rows == 2)
		upper = &s->rows[s->hdr.idx];
	last = &s->rows[s->hdr.idx + s->hdr.n_rows - 1];
	s->header_line = s->rows[s->hdr.idx].line;
	s->header_lines = s->hdr.n_rows;
	s->header_end = last->line;
	s->mode = last->n_fields;
	for (long i = 0; i < s->hdr.idx && !s->title_date[0]; i++)
		for (size_t k = 0; s->rows[i].cells && k < s->rows[i].n_fields; k++)
			if (find_iso_date(s->rows[i].cells[k], s->title_date) == 0)
				break;
	s->n_cols = last->n_fields;
	s->cols = pl_xcalloc(s->n_cols ? s->n_cols : 1, sizeof(*s->cols));
	left = pl_xstrdup("");
	for (size_t k = 0; k < s->n_cols; k++) {
		struct scan_col *c = &s->cols[k];
		const char *bottom = last->cells[k];

		scan_col_init(c, s->o->max_distinct);
		c->bottom = pl_xstrdup(bottom);
		if (upper) {
			const char *top = upper->cells[k];

			if (*top) {
				free(left);
				left = pl_xstrdup(top);
			}
			pl_buf_reset(&s->tmp);
			pl_buf_printf(&s->tmp, "%s%s%s", left, *left && *bottom ? " " : "", bottom);
			c->name = pl_xstrdup(s->tmp.data);
		} else {
			c->name = pl_xstrdup(bottom);
		}
	}
	free(left);
	return PL_OK;
}

/* Decodes every field of a record into s->cellbuf (offsets in s->celloff); -1 if one is invalid. */
static int decode_record(struct scan *s, const struct pl_csv_record *rec)
{
	pl_buf_reset(&s->cellbuf);
	for (size_t k = 0; k < rec->n_fields && k < s->n_cols; k++) {
		const char *v = decode(s, rec->fields[k], rec->lens[k]);

		if (!v || pl_find_control(v, strlen(v)) >= 0 || strlen(v) != s->tmp.len)
			return -1;
		s->celloff[k] = s->cellbuf.len;
		pl_buf_append(&s->cellbuf, v, strlen(v) + 1);
	}
	return 0;
}

static void add_cells(struct scan *s, char *const *cells)
{
	for (size_t k = 0; k < s->n_cols; k++)
		scan_col_add(&s->cols[k], cells[k], &s->ref, &s->tmp);
	s->n_sampled++;
}

static void note_undecodable(struct scan *s, long line)
{
	s->n_undecodable++;
	if (!s->first_undecodable)
		s->first_undecodable = line;
}

/* A data record of the data's width: every one is checked as ingest will,
 * the sampled ones feed the guesses. */
static void take_data(struct scan *s, const struct pl_csv_record *rec)
{
	s->n_data++;
	if (decode_record(s, rec) != 0) {
		note_undecodable(s, rec->line);
		return;
	}
	if (s->n_sampled >= s->sample_limit)
		return;
	for (size_t k = 0; k < s->n_cols; k++)
		s->cellptr[k] = s->cellbuf.data + s->celloff[k];
	add_cells(s, s->cellptr);
}

static void pending_free(struct pending *p)
{
	for (size_t k = 0; p->cells && k < p->n_fields; k++)
		free(p->cells[k]);
	free(p->cells);
	free(p->first);
	memset(p, 0, sizeof(*p));
}

/* A pending record turned out to be data (or a record of the wrong width). */
static void pending_as_data(struct scan *s, struct pending *p)
{
	if (p->n_fields != s->mode) {
		s->n_wrong++;
		if (!s->first_wrong || p->line < s->first_wrong)
			s->first_wrong = p->line;
	} else {
		s->n_data++;
		if (!p->cells)
			note_undecodable(s, p->line);
		else if (s->n_sampled < s->sample_limit)
			add_cells(s, p->cells);
	}
	pending_free(p);
}

static void flush_pending(struct scan *s)
{
	for (size_t i = 0; i < s->n_pend; i++)
		pending_as_data(s, &s->pend[i]);
	s->n_pend = 0;
}

static void push_pending(struct scan *s, const struct pl_csv_record *rec, const char *first)
{
	struct pending *p;

	if (s->n_pend == MAX_PENDING) {
		pending_as_data(s, &s->pend[0]);
		memmove(&s->pend[0], &s->pend[1], (MAX_PENDING - 1) * sizeof(s->pend[0]));
		s->n_pend--;
	}
	p = &s->pend[s->n_pend++];
	memset(p, 0, sizeof(*p));
	p->line = rec->line;
	p->n_fields = rec->n_fields;
	p->first = pl_xstrdup(first ? first : "");
	if (rec->n_fields == s->mode && decode_record(s, rec) == 0) {
		p->cells = pl_xcalloc(s->n_cols + 1, sizeof(char *));
		for (size_t k = 0; k < s->n_cols; k++)
			p->cells[k] = pl_xstrdup(s->cellbuf.data + s->celloff[k]);
	}
}

static void take_record(struct scan *s, const struct pl_csv_record *rec)
{
	const char *first = NULL;
	char *first_copy = NULL;

	if (pl_csv_record_is_empty(rec)) {
		s->n_blank++;
		return;
	}
	if (rec->too_long) {
		flush_pending(s);
		s->n_bad++;
		if (!s->first_bad)
			s->first_bad = rec->line;
		return;
	}
	s->hist[rec->n_fields < HIST_MAX ? rec->n_fields : HIST_MAX]++;
	if (rec->n_kept > 0) {
		first = decode(s, rec->fields[0], rec->lens[0]);
		first_copy = first ? pl_xstrdup(first) : NULL;
	}
	if (rec->n_fields != s->mode || (first_copy && scan_is_footer_word(first_copy))) {
		push_pending(s, rec, first_copy);
	} else {
		flush_pending(s);
		take_data(s, rec);
	}
	free(first_copy);
}

/* Pass 3: every record after the header. */
static enum pl_err pass_data(struct scan *s, struct pl_diag *d)
{
	struct pl_csv_opts ro = reader_opts(s);
	struct pl_csv_reader *r = pl_csv_open(s->o->path, &ro, d);
	struct pl_csv_record rec;
	enum pl_err err = PL_OK;
	long best = 0;

	if (!r)
		return d->err;
	s->hist = pl_xcalloc(HIST_MAX + 1, sizeof(long));
	s->celloff = pl_xcalloc(s->n_cols + 1, sizeof(size_t));
	s->cellptr = pl_xcalloc(s->n_cols + 1, sizeof(char *));
	for (;;) {
		enum pl_csv_event ev = pl_csv_next(r, &rec, d);

		if (ev == PL_CSV_END)
			break;
		if (ev == PL_CSV_ERROR) {
			err = d->err ? d->err : PL_EIO;
			break;
		}
		if (rec.line <= s->header_end)
			continue;
		if (ev == PL_CSV_BAD) {
			flush_pending(s);
			s->n_bad++;
			if (!s->first_bad)
				s->first_bad = rec.line;
			continue;
		}
		take_record(s, &rec);
	}
	if (!err)
		s->lines = pl_csv_stats(r)->lines;
	pl_csv_close(r);
	s->fields = (long)s->mode;
	for (long k = 1; k <= HIST_MAX; k++) {
		if (s->hist[k] > best) {
			best = s->hist[k];
			s->fields = k;
		}
	}
	return err;
}

/* The trailing pending records: a footer if they start with words that no
 * data row's first field matches. */
static void decide_footer(struct scan *s)
{
	regex_t re;
	int refused = 0;

	for (size_t i = 0; i < s->n_pend; i++) {
		char prefix[48];

		scan_footer_prefix(s->pend[i].first, prefix, sizeof(prefix));
		if (!prefix[0])
			continue;
		s->foot = pl_xrealloc(s->foot, (s->n_foot + 1) * sizeof(*s->foot));
		s->foot[s->n_foot++] = pl_xstrdup(prefix);
	}
	if (s->n_foot == 0) {
		flush_pending(s);
		return;
	}
	scan_footer_pattern(s->foot, s->n_foot, &s->footer);
	if (s->footer.len + strlen("footer = ") > MAX_INI_LINE) {
		/* too long for one line of the draft: the first words will do */
		for (size_t i = 0; i < s->n_foot; i++)
			s->foot[i][strcspn(s->foot[i], " ")] = '\0';
		scan_footer_pattern(s->foot, s->n_foot, &s->footer);
	}
	if (s->footer.len + strlen("footer = ") > MAX_INI_LINE ||
	    regcomp(&re, s->footer.data, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
		refused = 1;
	} else {
		const struct scan_col *c = &s->cols[0];

		for (size_t i = 0; s->n_cols && i < c->cap && !refused; i++)
			if (c->slots[i].raw && regexec(&re, c->slots[i].raw, 0, NULL, 0) == 0)
				refused = 1;
		regfree(&re);
	}
	if (refused) {
		s->footer_refused = 1;
		flush_pending(s);
		return;
	}
	for (size_t i = 0; i < s->n_pend; i++) {
		char prefix[48];

		scan_footer_prefix(s->pend[i].first, prefix, sizeof(prefix));
		if (prefix[0]) {
			s->n_footer++;
			if (!s->first_footer)
				s->first_footer = s->pend[i].line;
			pending_free(&s->pend[i]);
		} else {
			pending_as_data(s, &s->pend[i]);
		}
	}
	s->n_pend = 0;
}

static void scan_release(struct scan *s)
{
	rows_release(s);
	for (size_t k = 0; k < s->n_cols; k++)
		scan_col_release(&s->cols[k]);
	free(s->cols);
	free(s->hist);
	free(s->celloff);
	free(s->cellptr);
	for (size_t i = 0; i < s->n_pend; i++)
		pending_free(&s->pend[i]);
	for (size_t i = 0; i < s->n_foot; i++)
		free(s->foot[i]);
	free(s->foot);
	if (s->dec_live)
		pl_decoder_release(&s->dec);
	scan_codelists_release(&s->cl);
	pl_buf_release(&s->sample);
	pl_buf_release(&s->footer);
	pl_buf_release(&s->tmp);
	pl_buf_release(&s->cellbuf);
}

/* ======================================================================
 * The draft
 * ====================================================================== */

/* Appends str with control characters shown as spaces (comments stay one line). */
static void put_clean(struct pl_buf *o, const char *str)
{
	for (const unsigned char *p = (const unsigned char *)str; *p; p++)
		pl_buf_putc(o, *p < 0x20 || *p == 0x7F ? ' ' : (char)*p);
}

/* Appends at most max bytes of str, cut at a character, with "..." if cut. */
static void put_short(struct pl_buf *o, const char *str, size_t max)
{
	size_t n = strlen(str);

	if (n <= max) {
		put_clean(o, str);
		return;
	}
	while (n > max || (n > 0 && ((unsigned char)str[n] & 0xC0) == 0x80))
		n--;
	{
		char *cut = pl_xstrndup(str, n);

		put_clean(o, cut);
		free(cut);
	}
	pl_buf_printf(o, "...");
}

static size_t display_width(const char *str)
{
	size_t w = 0;

	for (const unsigned char *p = (const unsigned char *)str; *p; p++)
		w += (*p & 0xC0) != 0x80;
	return w;
}

static void pad_to(struct pl_buf *o, size_t from, size_t width)
{
	size_t w = display_width(o->data + from);

	for (; w < width; w++)
		pl_buf_putc(o, ' ');
}

/* Why text cannot be a key of a mapping file, or NULL. */
static const char *key_problem(const char *text)
{
	if (strlen(text) > 150)
		return "too long for a key";
	if (strpbrk(text, "=:"))
		return "holds '=' or ':', which end a key";
	if (text[0] == '[' || text[0] == ';' || text[0] == '#')
		return "starts with '[', ';' or '#'";
	for (const char *p = text; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			return "holds a line break or control character";
		if ((p[0] == ' ' || p[0] == '\t') && p[1] == ';')
			return "holds ' ;', which starts a comment";
	}
	return NULL;
}

/* Why a header name cannot be given in [columns], or NULL. */
static const char *name_problem(const char *name)
{
	if (!name[0])
		return "the column has no name in the header";
	if (strlen(name) > 120)
		return "the name is too long for a mapping file line";
	if (strchr(name, '|'))
		return "the name holds '|', which separates aliases";
	if (name[0] == ';' || name[0] == '#')
		return "the name starts with ';' or '#'";
	for (const char *p = name; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			return "the name holds a line break or control character";
		if ((p[0] == ' ' || p[0] == '\t') && p[1] == ';')
			return "the name holds ' ;', which starts a comment";
	}
	return NULL;
}

static void put_codes(struct pl_buf *o, int list)
{
	const char *const *codes = pl_codes((enum pl_codelist)list);

	for (size_t i = 0; codes && codes[i]; i++)
		pl_buf_printf(o, "%s%s", i ? " " : "", codes[i]);
}

static const char *col_label(const struct scan_col *c)
{
	return c->name && c->name[0] ? c->name : "(no name)";
}

static void put_formats(struct pl_buf *o, unsigned mask)
{
	int k = 0;

	for (int i = 0; i < SCAN_N_DATE_FORMATS; i++)
		if (mask & (1u << i))
			pl_buf_printf(o, "%s%s", k++ ? " | " : "", scan_date_formats[i]);
}

static void describe_col(const struct scan_col *c, struct pl_buf *o)
{
	long nonempty = c->n_values - c->n_empty;

	switch (c->type) {
	case SCAN_T_EMPTY:
		pl_buf_printf(o, "always empty");
		break;
	case SCAN_T_IDENTITY:
		pl_buf_printf(o, "identity numbers (%ld of %ld values are personnummer or "
			      "samordningsnummer)", c->n_pnr, nonempty);
		break;
	case SCAN_T_NAME:
		pl_buf_printf(o, "names (by the header)");
		break;
	case SCAN_T_DATE:
		pl_buf_printf(o, "dates ");
		put_formats(o, c->date_mask);
		pl_buf_printf(o, " (%ld of %ld values)", c->n_typed, nonempty);
		break;
	case SCAN_T_YEAR:
		pl_buf_printf(o, "years (%ld of %ld values)", c->n_typed, nonempty);
		break;
	case SCAN_T_POSTCODE:
		pl_buf_printf(o, "postcodes (%ld of %ld values)", c->n_typed, nonempty);
		break;
	case SCAN_T_NUMBER:
		if (c->n_comma_only + c->n_point_only == 0)
			pl_buf_printf(o, "whole numbers (%ld of %ld values)", c->n_typed, nonempty);
		else
			pl_buf_printf(o, "numbers with a decimal %s (%ld of %ld values)",
				      c->decimal == ',' ? "comma" : "point", c->n_typed, nonempty);
		break;
	case SCAN_T_CATEGORICAL:
		pl_buf_printf(o, "%zu distinct value%s", c->n_distinct, c->n_distinct == 1 ? "" : "s");
		break;
	case SCAN_T_TEXT:
		pl_buf_printf(o, "free text, %s%zu distinct values",
			      c->n_unkept || c->n_long ? "more than " : "", c->n_distinct);
		break;
	}
	if (c->n_empty)
		pl_buf_printf(o, ", %ld empty", c->n_empty);
}

/* Non-sensitive columns of few values: some examples help the analyst. */
static void put_examples(struct pl_buf *o, const struct scan_col *c)
{
	struct scan_value **v;
	size_t n;

	if (c->type != SCAN_T_CATEGORICAL)
		return;
	v = scan_col_values(c, &n);
	pl_buf_printf(o, ": ");
	for (size_t i = 0; i < n && i < 5; i++) {
		pl_buf_printf(o, "%s", i ? ", " : "");
		put_short(o, v[i]->raw, 30);
		pl_buf_printf(o, " (%ld)", v[i]->n);
	}
	if (n > 5)
		pl_buf_printf(o, ", ...");
	free(v);
}

static int col_of_field(const struct scan *s, int f)
{
	for (size_t k = 0; k < s->n_cols; k++)
		if (s->cols[k].field == f && s->cols[k].alias_of < 0)
			return (int)k;
	return -1;
}

static void put_header_comment(struct scan *s, struct pl_buf *o, const char *name)
{
	pl_buf_printf(o, "; DRAFT mapping file for ");
	put_clean(o, s->base);
	pl_buf_printf(o, ", written by `scan ");
	put_clean(o, s->base);
	pl_buf_printf(o, "` on %s.\n", s->today);
	pl_buf_printf(o,
		"; Everything below is guessed from the file itself.  To finish it:\n"
		";   1. Replace every TODO with a code of the schema (../shared/SCHEMA.md):\n"
		";      the district under [source] and, under each [recode FIELD], every\n"
		";      source value that is not in the shared code lists.\n"
		";   2. Check the guesses, above all those marked (guess) below, and the\n"
		";      columns scan did not map.\n"
		";   3. Save it as mappings/%s.ini, then run ingest and map.\n"
		"; While a TODO is left, ingest and map refuse this file with exit status 78\n"
		"; naming the line of the first TODO: the signal that the draft is not done\n"
		"; (TODO is no code of the schema, so it can never be taken for one).\n"
		";\n", name);
	pl_buf_printf(o, "; What scan found in %ld lines:\n", s->lines);
	pl_buf_printf(o, ";   encoding   %s%s: ", pl_encoding_name(s->enc.enc), s->enc.sure ? "" : " (guess)");
	put_clean(o, s->enc.why);
	pl_buf_printf(o, "\n;   delimiter  %s%s: %ld fields in %ld of the %ld first records\n",
		      scan_delimiter_name(s->dia.delimiter), s->dia.sure ? "" : " (guess)",
		      s->dia.mode, s->dia.n_mode, s->dia.n_records);
	if (s->dia.n_quoted)
		pl_buf_printf(o, ";   quote      %s: %ld quoted fields in the first records\n",
			      s->dia.quote == '"' ? "double" : "single", s->dia.n_quoted);
	else
		pl_buf_printf(o, ";   quote      %s: no quoted field in the first records\n",
			      s->dia.quote == '"' ? "double (the default)" : "single");
	pl_buf_printf(o, ";   header     line %ld, %ld row%s%s", s->header_line, s->header_lines,
		      s->header_lines > 1 ? "s (group cells above the names, joined)" : "",
		      s->hdr.sure ? "" : " (guess: no row looked like a header)");
	if (s->header_line > 1)
		pl_buf_printf(o, "; line%s 1%s%ld %s a title block", s->header_line > 2 ? "s" : "",
			      s->header_line > 2 ? "-" : "", s->header_line > 2 ? s->header_line - 1 : 0L,
			      s->header_line > 2 ? "are" : "is");
	pl_buf_printf(o, "\n");
	if (s->n_footer)
		pl_buf_printf(o, ";   footer     %ld record%s at the end (first: line %ld): %s\n",
			      s->n_footer, s->n_footer == 1 ? "" : "s", s->first_footer, s->footer.data);
	else if (s->footer_refused)
		pl_buf_printf(o, ";   footer     none: the last records start with %s, but so do data "
			      "rows\n", s->footer.data);
	else
		pl_buf_printf(o, ";   footer     none seen\n");
	pl_buf_printf(o, ";   records    %ld data records of %ld fields", s->n_data, s->fields);
	if (s->n_sampled >= s->sample_limit)
		pl_buf_printf(o, " (the first %ld looked at)", s->n_sampled);
	if (s->n_blank)
		pl_buf_printf(o, "; %ld empty", s->n_blank);
	pl_buf_printf(o, "\n");
	if (s->n_wrong)
		pl_buf_printf(o, ";              %ld with another number of fields (first: line %ld): "
			      "ingest rejects them\n", s->n_wrong, s->first_wrong);
	if (s->n_bad)
		pl_buf_printf(o, ";              %ld that cannot be parsed (first: line %ld): ingest "
			      "rejects them\n", s->n_bad, s->first_bad);
	if (s->n_undecodable)
		pl_buf_printf(o, ";              %ld with bytes invalid in %s or control characters "
			      "(first: line %ld): ingest rejects them\n", s->n_undecodable,
			      pl_encoding_name(s->enc.enc),
			      s->first_undecodable);
	pl_buf_printf(o, ";   ingest     will read %ld rows and reject %ld of them\n",
		      s->n_data + s->n_wrong + s->n_bad, s->n_wrong + s->n_bad + s->n_undecodable);
	pl_buf_printf(o, ";\n; Columns (what their values look like, and the schema field):\n");
	for (size_t k = 0; k < s->n_cols; k++) {
		const struct scan_col *c = &s->cols[k];

		pl_buf_printf(o, ";   %2zu ", k + 1);
		put_short(o, col_label(c), 40);
		pl_buf_printf(o, ": ");
		describe_col(c, o);
		if (c->field >= 0) {
			pl_buf_printf(o, " -> %s", pl_field_name((enum pl_field)c->field));
			if (c->alias_of >= 0)
				pl_buf_printf(o, " (as well, so that it is sealed too)");
			if (c->by_type)
				pl_buf_printf(o, " (by its values)");
		} else {
			pl_buf_printf(o, " -> not mapped");
		}
		pl_buf_printf(o, "\n");
	}
	pl_buf_printf(o, "\n");
}

static void put_source(struct scan *s, struct pl_buf *o, const char *name)
{
	const char *const *codes = pl_codes(PL_CL_DISTRICT);
	char glob[300];
	size_t line_start;

	scan_files_glob(s->base, glob, sizeof(glob));
	pl_buf_printf(o, "[source]\nname = %s\n", name);
	pl_buf_printf(o, "; district: the district code, one of\n;  ");
	line_start = o->len;
	for (size_t i = 0; codes && codes[i]; i++) {
		if (o->len - line_start + strlen(codes[i]) > 72) {
			pl_buf_printf(o, "\n;  ");
			line_start = o->len;
		}
		pl_buf_printf(o, " %s", codes[i]);
	}
	pl_buf_printf(o, "\ndistrict = TODO\n");
	s->n_todo++;
	pl_buf_printf(o, "; files: a glob matching this export%s\n",
		      strcmp(glob, s->base) ? " and later ones named alike" : "");
	pl_buf_printf(o, "files = %s\n\n", glob);
}

static void put_dialect(struct scan *s, struct pl_buf *o)
{
	pl_buf_printf(o, "[dialect]\nencoding = %s\ndelimiter = %s\nquote = %s\n",
		      pl_encoding_name(s->enc.enc), scan_delimiter_name(s->dia.delimiter),
		      s->dia.quote == '"' ? "double" : "single");
	pl_buf_printf(o, "header_line = %ld\nheader_lines = %ld\n", s->header_line, s->header_lines);
	if (s->n_footer)
		pl_buf_printf(o, "footer = %s\n", s->footer.data);
	else
		pl_buf_printf(o, "; no footer key: no total line was seen at the end\n");
	pl_buf_printf(o, "fields = %ld\nmax_field_bytes = %d\n\n", s->fields, PL_DEFAULT_MAX_FIELD_BYTES);
}

static void put_columns(struct scan *s, struct pl_buf *o)
{
	int any_unmapped = 0;

	pl_buf_printf(o, "[columns]\n");
	for (int f = 0; f < PL_F__COUNT; f++) {
		int ci = col_of_field(s, f);
		const struct scan_col *c;
		const char *why;
		size_t start;

		if (ci < 0) {
			if (f == PL_F_START_DATE || f == PL_F_INTERVENTION) {
				pl_buf_printf(o, "; no column looks like %s, which every episode needs: "
					      "name it here\n%s = TODO\n", pl_field_name((enum pl_field)f),
					      pl_field_name((enum pl_field)f));
				s->n_todo++;
			}
			continue;
		}
		c = &s->cols[ci];
		why = name_problem(c->name);
		if (why) {
			pl_buf_printf(o, "; %s: column %d cannot be named here (%s)%s\n",
				      pl_field_name((enum pl_field)f), ci + 1, why,
				      pl_field_is_sensitive((enum pl_field)f)
				      ? ": rename it in the export, or it is stored in clear text" : "");
			continue;
		}
		start = o->len;
		pl_buf_printf(o, "%s = %s", pl_field_name((enum pl_field)f), c->name);
		if (c->bottom && strcmp(c->bottom, c->name) != 0 && !name_problem(c->bottom))
			pl_buf_printf(o, " | %s", c->bottom);
		for (size_t k = 0; k < s->n_cols; k++) {
			const struct scan_col *a = &s->cols[k];

			if (a->field == f && a->alias_of == ci && !name_problem(a->name))
				pl_buf_printf(o, " | %s", a->name);
		}
		if (o->len - start > MAX_INI_LINE) {
			o->len = start;
			o->data[o->len] = '\0';
			pl_buf_printf(o, "%s = %s", pl_field_name((enum pl_field)f), c->name);
		}
		pl_buf_printf(o, "\n");
	}
	for (size_t k = 0; k < s->n_cols; k++) {
		const struct scan_col *c = &s->cols[k];

		if (c->field >= 0)
			continue;
		if (!any_unmapped++)
			pl_buf_printf(o, "; Not mapped (no schema field recognised; map them above if they "
				      "hold one):\n");
		pl_buf_printf(o, ";   column %zu '", k + 1);
		put_short(o, col_label(c), 60);
		pl_buf_printf(o, "': ");
		describe_col(c, o);
		if (c->note[0])
			pl_buf_printf(o, "; %s", c->note);
		else if (c->type != SCAN_T_IDENTITY && c->type != SCAN_T_NAME &&
			 c->type != SCAN_T_POSTCODE)
			put_examples(o, c);
		pl_buf_printf(o, "\n");
		if (c->type == SCAN_T_NAME || c->type == SCAN_T_POSTCODE)
			pl_buf_printf(o, ";     if it holds names or postcodes of persons, map it to "
				      "first_name, last_name or postcode: otherwise ingest stores it in "
				      "clear text\n");
	}
	pl_buf_printf(o, "\n");
}

static void put_identity(struct scan *s, struct pl_buf *o)
{
	int ci = col_of_field(s, PL_F_IDENTITY_NUMBER);
	const struct scan_col *c;
	char reserve[96];
	long n_reserve;

	if (ci < 0) {
		pl_buf_printf(o, "; [identity]: no column of identity numbers was recognised\n\n");
		return;
	}
	c = &s->cols[ci];
	pl_buf_printf(o, "[identity]\n; reference_date: the export's date (YYYY-MM-DD) is better than "
		      "today: it fixes\n; the century of six-digit birth dates");
	if (s->title_date[0])
		pl_buf_printf(o, " (the title block says %s)", s->title_date);
	pl_buf_printf(o, "\nreference_date = today\n");
	scan_col_reserve(c, reserve, sizeof(reserve), &n_reserve);
	if (c->n_nonpnr)
		pl_buf_printf(o, "; %ld of %ld values of '%s' are no personnummer or samordningsnummer\n",
			      c->n_nonpnr, c->n_values - c->n_empty, col_label(c));
	if (reserve[0])
		pl_buf_printf(o, "; %ld of them look alike; if they are the district's reserve numbers:\n"
			      "; reserve = %s\n", n_reserve, reserve);
	pl_buf_printf(o, "\n");
}

static void put_dates_numbers(struct scan *s, struct pl_buf *o)
{
	static const int date_fields[] = { PL_F_BIRTH_DATE, PL_F_START_DATE, PL_F_END_DATE };
	unsigned mask = 0;
	int cost = col_of_field(s, PL_F_COST_SEK);

	for (size_t i = 0; i < N_OF(date_fields); i++) {
		int ci = col_of_field(s, date_fields[i]);

		if (ci >= 0)
			mask |= s->cols[ci].date_mask;
	}
	if (mask) {
		pl_buf_printf(o, "[dates]\n");
		for (size_t i = 0; i < N_OF(date_fields); i++) {
			int ci = col_of_field(s, date_fields[i]);
			const struct scan_col *c = ci >= 0 ? &s->cols[ci] : NULL;

			if (!c || c->type != SCAN_T_DATE)
				continue;
			pl_buf_printf(o, "; '%s': ", col_label(c));
			put_formats(o, c->date_mask);
			pl_buf_printf(o, " read %ld of %ld values\n", c->n_typed, c->n_values - c->n_empty);
		}
		pl_buf_printf(o, "formats = ");
		put_formats(o, mask);
		pl_buf_printf(o, "\n\n");
	} else {
		pl_buf_printf(o, "; [dates] formats = ...: no date column was recognised; tokens YYYY MM M "
			      "DD D hh mm ss\n\n");
	}
	if (cost >= 0) {
		const struct scan_col *c = &s->cols[cost];

		pl_buf_printf(o, "[numbers]\n");
		if (c->n_comma_only + c->n_point_only)
			pl_buf_printf(o, "; '%s': %ld values with a decimal comma, %ld with a decimal point\n",
				      col_label(c), c->n_comma_only, c->n_point_only);
		else
			pl_buf_printf(o, "; '%s': no value shows its decimal separator (guess)\n",
				      col_label(c));
		pl_buf_printf(o, "decimal = %s\n\n", c->decimal == ',' ? "comma" : "point");
	}
}

static void put_recode(struct scan *s, struct pl_buf *o, int f, int ci)
{
	const struct scan_col *c = &s->cols[ci];
	int list = pl_field_codelist((enum pl_field)f);
	struct scan_value **v;
	size_t n, width = 0;

	v = scan_col_values(c, &n);
	for (size_t i = 0; i < n && i < MAX_RECODE_LISTED; i++) {
		size_t w = display_width(v[i]->raw);

		if (!key_problem(v[i]->raw) && w > width)
			width = w;
	}
	if (width > 28)
		width = 28;
	pl_buf_printf(o, "; %s from column '%s': %zu distinct value%s; codes: ",
		      pl_field_name((enum pl_field)f), col_label(c), n, n == 1 ? "" : "s");
	put_codes(o, list);
	pl_buf_printf(o, "\n[recode %s]\n", pl_field_name((enum pl_field)f));
	for (size_t i = 0; i < n && i < MAX_RECODE_LISTED; i++) {
		const char *file = NULL;
		const char *code = scan_codelists_find(&s->cl, f, v[i]->key, &file);
		const char *why = key_problem(v[i]->raw);
		size_t start = o->len, mid;

		if (why) {
			pl_buf_printf(o, "; a value that %s, %ld row%s: map it with a [rule NAME] or "
				      "[unmapped]: ", why, v[i]->n, v[i]->n == 1 ? "" : "s");
			put_short(o, v[i]->raw, 60);
			pl_buf_printf(o, "\n");
			continue;
		}
		pl_buf_printf(o, "%s", v[i]->raw);
		pad_to(o, start, width);
		pl_buf_printf(o, " = %s", code ? code : "TODO");
		mid = o->len;
		pad_to(o, mid - strlen(code ? code : "TODO"), 5);
		pl_buf_printf(o, " ; %ld row%s", v[i]->n, v[i]->n == 1 ? "" : "s");
		if (code)
			pl_buf_printf(o, " (%s)", file);
		if (o->len - start > MAX_INI_LINE) {
			o->len = mid;
			o->data[o->len] = '\0';
		}
		pl_buf_printf(o, "\n");
		s->n_todo += !code;
	}
	if (n > MAX_RECODE_LISTED || c->n_unkept || c->n_long)
		pl_buf_printf(o, "; more values than listed here: give the rest a code under "
			      "[unmapped]\n");
	if (c->n_empty)
		pl_buf_printf(o, "; %ld row%s %s no value: see [blank]\n", c->n_empty,
			      c->n_empty == 1 ? "" : "s", c->n_empty == 1 ? "has" : "have");
	pl_buf_printf(o, "\n");
	free(v);
}

static void put_coded(struct scan *s, struct pl_buf *o)
{
	static const int coded[] = { PL_F_SEX, PL_F_INTERVENTION, PL_F_PROVIDER, PL_F_SUBSTANCE,
				     PL_F_CHILDREN };
	int any = 0;

	for (size_t i = 0; i < N_OF(coded); i++) {
		int ci = col_of_field(s, coded[i]);

		if (ci >= 0 && name_problem(s->cols[ci].name) == NULL)
			put_recode(s, o, coded[i], ci);
	}
	pl_buf_printf(o, "; A value with no entry above rejects its row (unmapped_code), so a new\n"
		      "; word in a later export shows up in the rejects and in 'map --coverage'.\n"
		      "; To give all such values one code instead, write that code here.\n[unmapped]\n");
	for (size_t i = 0; i < N_OF(coded); i++) {
		int ci = col_of_field(s, coded[i]);

		if (ci >= 0 && name_problem(s->cols[ci].name) == NULL)
			pl_buf_printf(o, "%s = reject\n", pl_field_name((enum pl_field)coded[i]));
	}
	pl_buf_printf(o, "\n; What an empty cell means.\n[blank]\n");
	for (size_t i = 0; i < N_OF(coded); i++) {
		int f = coded[i], ci = col_of_field(s, f);
		long n_empty;

		if (ci < 0 || name_problem(s->cols[ci].name))
			continue;
		n_empty = s->cols[ci].n_empty;
		any = 1;
		if (f == PL_F_SEX || f == PL_F_CHILDREN || f == PL_F_SUBSTANCE)
			pl_buf_printf(o, "%s = %s", pl_field_name((enum pl_field)f),
				      f == PL_F_SUBSTANCE ? "UNK" : "U");
		else if (f == PL_F_INTERVENTION)
			pl_buf_printf(o, "; intervention = OTHER   ; else an empty intervention rejects "
				      "its row");
		else
			pl_buf_printf(o, "; provider = MUNI   ; else an empty provider stays empty");
		if (n_empty)
			pl_buf_printf(o, "%s %ld empty", f == PL_F_SEX || f == PL_F_CHILDREN ||
				      f == PL_F_SUBSTANCE ? "   ;" : ";", n_empty);
		pl_buf_printf(o, "\n");
	}
	if (!any)
		pl_buf_printf(o, "; (no coded column)\n");
	if (col_of_field(s, PL_F_IDENTITY_NUMBER) >= 0 &&
	    (col_of_field(s, PL_F_SEX) < 0 || (col_of_field(s, PL_F_BIRTH_DATE) < 0 &&
					       col_of_field(s, PL_F_BIRTH_YEAR) < 0))) {
		pl_buf_printf(o, "\n; Fields the export lacks can come from valid identity numbers:\n"
			      "; [derive]\n");
		if (col_of_field(s, PL_F_SEX) < 0)
			pl_buf_printf(o, "; sex = identity_number\n");
		if (col_of_field(s, PL_F_BIRTH_DATE) < 0 && col_of_field(s, PL_F_BIRTH_YEAR) < 0)
			pl_buf_printf(o, "; birth_date = identity_number\n");
	}
}

static void write_draft(struct scan *s, struct pl_buf *o)
{
	char name[80];

	scan_source_name(s->base, name, sizeof(name));
	pl_buf_reset(o);
	put_header_comment(s, o, name);
	put_source(s, o, name);
	put_dialect(s, o);
	put_columns(s, o);
	put_identity(s, o);
	put_dates_numbers(s, o);
	put_coded(s, o);
}

/* ======================================================================
 * Entry points
 * ====================================================================== */

static void log_findings(struct scan *s)
{
	if (s->enc.stray_lines)
		pl_log(PL_LOG_WARN, s->base, "%ld line(s) hold bytes invalid in %s (first: line %ld)",
		       s->enc.stray_lines, pl_encoding_name(s->enc.enc), s->enc.first_stray);
	if (!s->enc.sure)
		pl_log(PL_LOG_INFO, s->base, "encoding %s is a guess: %s", pl_encoding_name(s->enc.enc),
		       s->enc.why);
	if (!s->dia.sure)
		pl_log(PL_LOG_WARN, s->base, "delimiter %s is a guess: %ld fields in only %ld of %ld "
		       "records", scan_delimiter_name(s->dia.delimiter), s->dia.mode, s->dia.n_mode,
		       s->dia.n_records);
	if (!s->hdr.sure)
		pl_log(PL_LOG_WARN, s->base, "no row looks like a header: line %ld taken", s->header_line);
	if (s->fields != (long)s->mode)
		pl_log(PL_LOG_WARN, s->base, "the header has %zu fields but most records have %ld",
		       s->mode, s->fields);
	if (s->n_wrong)
		pl_log(PL_LOG_WARN, s->base, "%ld record(s) with another number of fields than %zu "
		       "(first: line %ld)", s->n_wrong, s->mode, s->first_wrong);
	if (s->n_bad)
		pl_log(PL_LOG_WARN, s->base, "%ld record(s) cannot be parsed (first: line %ld)",
		       s->n_bad, s->first_bad);
	if (s->footer_refused)
		pl_log(PL_LOG_WARN, s->base, "the last records start like a footer (%s) but so do data "
		       "rows: no footer", s->footer.data);
	for (size_t k = 0; k < s->n_cols && pl_log_enabled(PL_LOG_DEBUG); k++) {
		struct pl_buf b;

		pl_buf_init(&b);
		describe_col(&s->cols[k], &b);
		pl_log(PL_LOG_DEBUG, s->base, "column %zu '%s': %s -> %s", k + 1, col_label(&s->cols[k]),
		       b.data, s->cols[k].field >= 0 ? pl_field_name((enum pl_field)s->cols[k].field)
		       : "not mapped");
		pl_buf_release(&b);
	}
}

static void fill_summary(const struct scan *s, struct scan_summary *sum)
{
	memset(sum, 0, sizeof(*sum));
	snprintf(sum->encoding, sizeof(sum->encoding), "%s", pl_encoding_name(s->enc.enc));
	snprintf(sum->delimiter, sizeof(sum->delimiter), "%s", scan_delimiter_name(s->dia.delimiter));
	sum->lines = s->lines;
	sum->header_line = s->header_line;
	sum->header_lines = s->header_lines;
	sum->fields = s->fields;
	sum->data_records = s->n_data;
	sum->footer_records = s->n_footer;
	sum->rows_read = s->n_data + s->n_wrong + s->n_bad;
	sum->rows_rejected = s->n_wrong + s->n_bad + s->n_undecodable;
	sum->n_cols = (long)s->n_cols;
	for (size_t k = 0; k < s->n_cols; k++)
		sum->n_mapped += s->cols[k].field >= 0;
	sum->n_todo = s->n_todo;
}

enum pl_err scan_draft(const struct scan_opts *opts, struct pl_buf *out,
		       struct scan_summary *sum, struct pl_diag *d)
{
	struct scan s;
	enum pl_err err;

	memset(&s, 0, sizeof(s));
	memset(sum, 0, sizeof(*sum));
	s.o = opts;
	s.base = base_name(opts->path);
	s.sample_limit = opts->sample_records > 0 ? opts->sample_records : SCAN_SAMPLE_RECORDS;
	pl_buf_init(&s.sample);
	pl_buf_init(&s.footer);
	pl_buf_init(&s.tmp);
	pl_buf_init(&s.cellbuf);
	err = set_today(&s, d);
	if (!err && opts->codelist_dir) {
		err = scan_codelists_load(opts->codelist_dir, &s.cl, d);
		if (err == PL_ENOINPUT && !opts->codelists_required) {
			pl_log(PL_LOG_WARN, opts->codelist_dir, "no code lists: every value becomes a TODO "
			       "(%s)", d->msg);
			pl_diag_clear(d);
			err = PL_OK;
		}
	}
	if (!err)
		err = pass_bytes(&s, d);
	if (!err) {
		err = scan_guess_encoding(&s.bytes, &s.enc, d);
		if (err && !d->file[0])
			snprintf(d->file, sizeof(d->file), "%s", opts->path);
	}
	if (!err) {
		scan_sniff_dialect(s.sample.data ? s.sample.data : "", s.sample.len, &s.dia);
		err = pl_decoder_init(&s.dec, s.enc.enc, d);
		s.dec_live = !err;
	}
	if (!err)
		err = pass_head(&s, d);
	if (!err)
		err = decide_header(&s, d);
	if (!err)
		err = pass_data(&s, d);
	if (!err) {
		decide_footer(&s);
		for (size_t k = 0; k < s.n_cols; k++)
			scan_col_guess(&s.cols[k]);
		scan_assign_fields(s.cols, s.n_cols);
		write_draft(&s, out);
		fill_summary(&s, sum);
		log_findings(&s);
	}
	scan_release(&s);
	return err;
}

/* Writes text to path through a temporary file in the same directory. */
static enum pl_err write_file(const char *path, const struct pl_buf *text, struct pl_diag *d)
{
	struct pl_buf tmp;
	enum pl_err err = PL_OK;
	mode_t mask;
	FILE *fp = NULL;
	int fd;

	pl_buf_init(&tmp);
	pl_buf_printf(&tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp.data);
	if (fd < 0) {
		err = pl_diag_set(d, PL_ECANTCREAT, path, 0, "cannot create a temporary file: %s",
				  strerror(errno));
		goto cleanup;
	}
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	fp = fdopen(fd, "wb");
	if (!fp) {
		close(fd);
		err = pl_diag_set(d, PL_EIO, path, 0, "cannot write: %s", strerror(errno));
	} else {
		if (text->len && fwrite(text->data, 1, text->len, fp) != text->len)
			err = pl_diag_set(d, PL_EIO, path, 0, "cannot write: %s", strerror(errno));
		if (fclose(fp) != 0 && !err)
			err = pl_diag_set(d, PL_EIO, path, 0, "cannot write: %s", strerror(errno));
	}
	if (!err && rename(tmp.data, path) != 0)
		err = pl_diag_set(d, PL_ECANTCREAT, path, 0, "cannot rename the temporary file into "
				  "place: %s", strerror(errno));
	if (err)
		unlink(tmp.data);
cleanup:
	pl_buf_release(&tmp);
	return err;
}

enum pl_err scan_run(const struct scan_opts *opts, struct scan_summary *sum, struct pl_diag *d)
{
	struct pl_buf draft;
	enum pl_err err;

	pl_buf_init(&draft);
	if (opts->output) {
		struct stat in, out;

		if (stat(opts->path, &in) == 0 && stat(opts->output, &out) == 0 &&
		    in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
			err = pl_diag_set(d, PL_EUSAGE, opts->output, 0, "the draft would overwrite the "
					  "export itself");
			goto cleanup;
		}
	}
	err = scan_draft(opts, &draft, sum, d);
	if (err)
		goto cleanup;
	if (opts->output) {
		err = write_file(opts->output, &draft, d);
	} else if ((draft.len && fwrite(draft.data, 1, draft.len, stdout) != draft.len) ||
		   fflush(stdout) != 0 || ferror(stdout)) {
		err = pl_diag_set(d, PL_EIO, NULL, 0, "cannot write the draft to standard output");
	}
	if (!err)
		pl_log(PL_LOG_INFO, base_name(opts->path), "%s, %s, header line %ld (%ld row%s), %ld "
		       "fields, %ld footer; %ld rows, %ld of which ingest will reject; %ld of %ld columns "
		       "mapped; %ld TODO%s to complete", sum->encoding, sum->delimiter, sum->header_line,
		       sum->header_lines, sum->header_lines == 1 ? "" : "s", sum->fields,
		       sum->footer_records, sum->rows_read, sum->rows_rejected, sum->n_mapped,
		       sum->n_cols, sum->n_todo, sum->n_todo == 1 ? "" : "s");
cleanup:
	pl_buf_release(&draft);
	return err;
}

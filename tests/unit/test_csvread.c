/*
 * tests/unit/test_csvread.c - lib/csvread, the streaming CSV reader.
 *
 * Table-driven: each case is a small file written to a temporary directory
 * and the exact sequence of events it must give (record or bad record, its
 * start line, lines spanned, fields and their lengths), then the file's
 * statistics (lines, skipped and blank lines, BOM) and its SHA-256, which
 * must equal pl_sha256_file() of the same file.  Cases built in code cover
 * the 64 KiB read buffer: fields and records across it, a 200 KB field, a
 * bad record found right after it.  pl_csv_on_bytes hands every byte once,
 * also those read again after an unterminated quote.  A property test feeds
 * random small files from a fixed seed; another holds the records of random
 * well-formed files to those libcsv itself gives for the whole file (the
 * reader splits lines without a quote on its own).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <csv.h>

#include "csvread.h"
#include "unit.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define BUF_BYTES 65536 /* csvread.c's read buffer */

static int setup(void **state) { return unit_tmp_setup(state); }
static int teardown(void **state) { return unit_tmp_teardown(state); }

/* ---- the table ---------------------------------------------------------- */

struct fld {
	const char *s;
	size_t len;
};
#define F(lit) { lit, sizeof(lit) - 1 }
#define MAX_F 4

struct want {
	enum pl_csv_event ev;     /* PL_CSV_END ends the list */
	long line, n_lines;
	size_t n_fields, n_kept;
	int too_long;
	const char *reason;       /* PL_CSV_BAD */
	struct fld f[MAX_F];      /* the first n_kept fields (at most MAX_F checked) */
};
/* a record of n fields, all kept */
#define R(ln, nl, n, ...) { PL_CSV_RECORD, ln, nl, n, n, 0, NULL, { __VA_ARGS__ } }
/* a record with n_fields, n_kept and too_long given */
#define RX(ln, nl, nf, nk, tl, ...) { PL_CSV_RECORD, ln, nl, nf, nk, tl, NULL, { __VA_ARGS__ } }
#define BAD(ln, nl, why) { PL_CSV_BAD, ln, nl, 0, 0, 0, why, { { NULL, 0 } } }

struct csv_case {
	const char *what;
	const char *in;
	size_t len;
	struct pl_csv_opts o;
	struct want w[8];
	long lines, skipped, blank;
	enum pl_csv_bom bom;
};
#define IN(lit) lit, sizeof(lit) - 1
/* delimiter, quote, max_field_bytes, max_fields, skip_lines, strip_utf8_bom */
#define O(delim, quote, maxb, maxf, skip, strip) { delim, quote, maxb, maxf, skip, strip }
#define STD O(',', '"', 65536, 0, 0, 1)

static const char *ev_name(enum pl_csv_event ev)
{
	switch (ev) {
	case PL_CSV_ERROR: return "ERROR";
	case PL_CSV_END: return "END";
	case PL_CSV_RECORD: return "RECORD";
	case PL_CSV_BAD: return "BAD";
	}
	return "?";
}

/* Checks one event against w; what names the case in messages. */
static void check_event(const char *what, size_t i, enum pl_csv_event ev,
			const struct pl_csv_record *rec, const struct want *w)
{
	if (ev != w->ev)
		fail_msg("%s: event %zu is %s at line %ld, want %s at line %ld", what, i,
			 ev_name(ev), ev > 0 ? rec->line : 0L, ev_name(w->ev), w->line);
	if (ev == PL_CSV_END)
		return;
	if (rec->line != w->line || rec->n_lines != w->n_lines)
		fail_msg("%s: event %zu at line %ld spanning %ld, want line %ld spanning %ld", what,
			 i, rec->line, rec->n_lines, w->line, w->n_lines);
	if (ev == PL_CSV_BAD) {
		if (!rec->reason || strcmp(rec->reason, w->reason) != 0)
			fail_msg("%s: event %zu reason '%s', want '%s'", what, i,
				 rec->reason ? rec->reason : "(null)", w->reason);
		return;
	}
	assert_null(rec->reason);
	if (rec->n_fields != w->n_fields || rec->n_kept != w->n_kept || rec->too_long != w->too_long)
		fail_msg("%s: event %zu has %zu fields, %zu kept, too_long %d; want %zu, %zu, %d",
			 what, i, rec->n_fields, rec->n_kept, rec->too_long, w->n_fields, w->n_kept,
			 w->too_long);
	for (size_t k = 0; k < rec->n_kept && k < MAX_F; k++) {
		if (rec->lens[k] != w->f[k].len || memcmp(rec->fields[k], w->f[k].s, w->f[k].len) != 0)
			fail_msg("%s: event %zu field %zu is '%.*s' (%zu bytes), want '%s' (%zu)", what,
				 i, k, (int)rec->lens[k], rec->fields[k], rec->lens[k], w->f[k].s,
				 w->f[k].len);
		assert_int_equal(rec->fields[k][rec->lens[k]], '\0');
	}
}

/* Checks the statistics after the end, and the digest against the file's. */
static void check_stats(const char *what, const char *path, const struct pl_csv_stats *st,
			long lines, long skipped, long blank, enum pl_csv_bom bom)
{
	char hex[PL_SHA256_HEX];
	struct pl_diag d;

	if (st->lines != lines || st->skipped_lines != skipped || st->blank_lines != blank ||
	    st->bom != bom)
		fail_msg("%s: lines %ld, skipped %ld, blank %ld, bom %d; want %ld, %ld, %ld, %d",
			 what, st->lines, st->skipped_lines, st->blank_lines, st->bom, lines,
			 skipped, blank, bom);
	assert_int_equal(pl_sha256_file(path, hex, &d), PL_OK);
	if (strcmp(st->sha256, hex) != 0)
		fail_msg("%s: sha256 %s, want %s", what, st->sha256, hex);
}

static void write_input(void **state, const char *data, size_t len, char path[512])
{
	unit_path(state, "in.csv", path, 512);
	assert_int_equal(unit_write(path, data, len), 0);
}

static void run_case(void **state, const struct csv_case *c)
{
	struct pl_csv_reader *r;
	struct pl_csv_record rec;
	struct pl_diag d;
	char path[512];
	size_t i = 0;

	write_input(state, c->in, c->len, path);
	pl_diag_clear(&d);
	r = pl_csv_open(path, &c->o, &d);
	assert_non_null(r);
	for (;; i++) {
		enum pl_csv_event ev;

		assert_true(i < N_OF(c->w));
		memset(&rec, 0x5A, sizeof(rec));
		ev = pl_csv_next(r, &rec, &d);
		check_event(c->what, i, ev, &rec, &c->w[i]);
		if (ev == PL_CSV_END)
			break;
	}
	/* the end is sticky */
	assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_END);
	check_stats(c->what, path, pl_csv_stats(r), c->lines, c->skipped, c->blank, c->bom);
	pl_csv_close(r);
}

static void run_cases(void **state, const struct csv_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_case(state, &cases[i]);
}

/* ---- line ends, blank lines, white space -------------------------------- */

static void test_csvread__line_ends_and_blank_lines(void **state)
{
	static const struct csv_case cases[] = {
		{ "LF", IN("a,b\nc,d\n"), STD,
		  { R(1, 1, 2, F("a"), F("b")), R(2, 1, 2, F("c"), F("d")) }, 2, 0, 0, PL_BOM_NONE },
		{ "CRLF", IN("a,b\r\nc,d\r\n"), STD,
		  { R(1, 1, 2, F("a"), F("b")), R(2, 1, 2, F("c"), F("d")) }, 2, 0, 0, PL_BOM_NONE },
		{ "mixed LF and CRLF", IN("a,b\r\nc,d\ne,f\r\n"), STD,
		  { R(1, 1, 2, F("a"), F("b")), R(2, 1, 2, F("c"), F("d")),
		    R(3, 1, 2, F("e"), F("f")) }, 3, 0, 0, PL_BOM_NONE },
		{ "no final newline", IN("a,b\nc,d"), STD,
		  { R(1, 1, 2, F("a"), F("b")), R(2, 1, 2, F("c"), F("d")) }, 2, 0, 0, PL_BOM_NONE },
		{ "no final newline after CR", IN("a,b\r\nc,d\r"), STD,
		  { R(1, 1, 2, F("a"), F("b")), R(2, 1, 2, F("c"), F("d")) }, 2, 0, 0, PL_BOM_NONE },
		{ "one field, no newline", IN("a"), STD,
		  { R(1, 1, 1, F("a")) }, 1, 0, 0, PL_BOM_NONE },
		{ "blank lines between records", IN("a\n\nb\n\n\nc\n"), STD,
		  { R(1, 1, 1, F("a")), R(3, 1, 1, F("b")), R(6, 1, 1, F("c")) }, 6, 0, 3, PL_BOM_NONE },
		{ "white-space-only lines", IN("a\n  \n\t\r\nb\n \t "), STD,
		  { R(1, 1, 1, F("a")), R(4, 1, 1, F("b")) }, 5, 0, 3, PL_BOM_NONE },
		{ "blank lines before", IN("\n\r\na,b\n"), STD,
		  { R(3, 1, 2, F("a"), F("b")) }, 3, 0, 2, PL_BOM_NONE },
		{ "blank lines after", IN("a\n\n\r\n"), STD,
		  { R(1, 1, 1, F("a")) }, 3, 0, 2, PL_BOM_NONE },
		{ "record indented by spaces", IN("x\n   a,b\n"), STD,
		  { R(1, 1, 1, F("x")), R(2, 1, 2, F("a"), F("b")) }, 2, 0, 0, PL_BOM_NONE },
		{ "empty file", IN(""), STD, { { PL_CSV_END, 0, 0, 0, 0, 0, NULL, { { NULL, 0 } } } },
		  0, 0, 0, PL_BOM_NONE },
		{ "one newline", IN("\n"), STD, { { PL_CSV_END, 0, 0, 0, 0, 0, NULL, { { NULL, 0 } } } },
		  1, 0, 1, PL_BOM_NONE },
		{ "only spaces, no newline", IN("   "), STD,
		  { { PL_CSV_END, 0, 0, 0, 0, 0, NULL, { { NULL, 0 } } } }, 1, 0, 1, PL_BOM_NONE },
		{ "a lone CR is no line end", IN("a\rb\n"), STD,
		  { R(1, 1, 1, F("a\rb")) }, 1, 0, 0, PL_BOM_NONE },
	};

	run_cases(state, cases, N_OF(cases));
}

/* ---- fields, quoting, dialects ------------------------------------------ */

static void test_csvread__fields_and_quoting(void **state)
{
	static const struct csv_case cases[] = {
		{ "spaces around unquoted fields trimmed", IN("  a , b  ,c\n"), STD,
		  { R(1, 1, 3, F("a"), F("b"), F("c")) }, 1, 0, 0, PL_BOM_NONE },
		{ "inner spaces kept", IN("Anna Maria,x y\n"), STD,
		  { R(1, 1, 2, F("Anna Maria"), F("x y")) }, 1, 0, 0, PL_BOM_NONE },
		{ "empty fields", IN(",,\na,\n,b\n"), STD,
		  { R(1, 1, 3, F(""), F(""), F("")), R(2, 1, 2, F("a"), F("")),
		    R(3, 1, 2, F(""), F("b")) }, 3, 0, 0, PL_BOM_NONE },
		{ "quoted delimiter", IN("\"a,b\",c\n"), STD,
		  { R(1, 1, 2, F("a,b"), F("c")) }, 1, 0, 0, PL_BOM_NONE },
		{ "doubled quotes", IN("\"say \"\"hi\"\"\",x\n\"\"\"\"\n"), STD,
		  { R(1, 1, 2, F("say \"hi\""), F("x")), R(2, 1, 1, F("\"")) }, 2, 0, 0, PL_BOM_NONE },
		{ "quoted empty field", IN("\"\",x\n"), STD,
		  { R(1, 1, 2, F(""), F("x")) }, 1, 0, 0, PL_BOM_NONE },
		{ "spaces inside quotes kept, outside dropped", IN(" \" a \" , b\n"), STD,
		  { R(1, 1, 2, F(" a "), F("b")) }, 1, 0, 0, PL_BOM_NONE },
		{ "quoted field, CRLF after the quote", IN("\"a\",\"b\"\r\nc\r\n"), STD,
		  { R(1, 1, 2, F("a"), F("b")), R(2, 1, 1, F("c")) }, 2, 0, 0, PL_BOM_NONE },
		{ "quoted line break", IN("id,text\n1,\"two\nlines\"\n2,x\n"), STD,
		  { R(1, 1, 2, F("id"), F("text")), R(2, 2, 2, F("1"), F("two\nlines")),
		    R(4, 1, 2, F("2"), F("x")) }, 4, 0, 0, PL_BOM_NONE },
		{ "quoted CRLF line break", IN("1,\"a\r\nb\"\r\n2,x\r\n"), STD,
		  { R(1, 2, 2, F("1"), F("a\r\nb")), R(3, 1, 2, F("2"), F("x")) }, 3, 0, 0,
		  PL_BOM_NONE },
		{ "quoted blank lines are not blank lines", IN("\"a\n\n\nb\",c\nd\n"), STD,
		  { R(1, 4, 2, F("a\n\n\nb"), F("c")), R(5, 1, 1, F("d")) }, 5, 0, 0, PL_BOM_NONE },
		{ "quoted line breaks up to the end, no newline", IN("x\n\"a\nb\""), STD,
		  { R(1, 1, 1, F("x")), R(2, 2, 1, F("a\nb")) }, 3, 0, 0, PL_BOM_NONE },
		{ "TAB delimiter with empty fields", IN("a\t\tc\n\t\t\n\tb\nx\t \ty\n\n  \n"),
		  O('\t', '"', 65536, 0, 0, 1),
		  { R(1, 1, 3, F("a"), F(""), F("c")), R(2, 1, 3, F(""), F(""), F("")),
		    R(3, 1, 2, F(""), F("b")), R(4, 1, 3, F("x"), F(""), F("y")) }, 6, 0, 2,
		  PL_BOM_NONE },
		{ "semicolon delimiter, commas are data", IN("1,5;2,0\n"), O(';', '"', 65536, 0, 0, 1),
		  { R(1, 1, 2, F("1,5"), F("2,0")) }, 1, 0, 0, PL_BOM_NONE },
		{ "pipe delimiter", IN("a|b|\n"), O('|', '"', 65536, 0, 0, 1),
		  { R(1, 1, 3, F("a"), F("b"), F("")) }, 1, 0, 0, PL_BOM_NONE },
		{ "single quote", IN("'a;b';c\"d;'it''s'\n"), O(';', '\'', 65536, 0, 0, 1),
		  { R(1, 1, 3, F("a;b"), F("c\"d"), F("it's")) }, 1, 0, 0, PL_BOM_NONE },
		{ "NUL bytes are data", IN("a\0b,c\n"), STD,
		  { R(1, 1, 2, F("a\0b"), F("c")) }, 1, 0, 0, PL_BOM_NONE },
		{ "max_fields caps the kept fields, not the count", IN("a,b,c,d\ne\n"),
		  O(',', '"', 65536, 2, 0, 1),
		  { RX(1, 1, 4, 2, 0, F("a"), F("b")), R(2, 1, 1, F("e")) }, 2, 0, 0, PL_BOM_NONE },
	};

	run_cases(state, cases, N_OF(cases));
}

/* ---- title block and byte-order marks ----------------------------------- */

static void test_csvread__skip_lines_and_bom(void **state)
{
	static const struct csv_case cases[] = {
		{ "title block skipped unparsed", IN("Rapport \"2026\nExport, \"x\n\nh1,h2\nv1,v2\n"),
		  O(',', '"', 65536, 0, 2, 1),
		  { R(4, 1, 2, F("h1"), F("h2")), R(5, 1, 2, F("v1"), F("v2")) }, 5, 2, 1,
		  PL_BOM_NONE },
		{ "title block with CRLF", IN("T\r\n\r\nh\r\n"), O(',', '"', 65536, 0, 2, 1),
		  { R(3, 1, 1, F("h")) }, 3, 2, 0, PL_BOM_NONE },
		{ "more lines to skip than the file has", IN("t1\nt2\n"), O(',', '"', 65536, 0, 5, 1),
		  { { PL_CSV_END, 0, 0, 0, 0, 0, NULL, { { NULL, 0 } } } }, 2, 2, 0, PL_BOM_NONE },
		{ "UTF-8 BOM stripped", IN("\xEF\xBB\xBF" "a,b\n"), STD,
		  { R(1, 1, 2, F("a"), F("b")) }, 1, 0, 0, PL_BOM_UTF8 },
		{ "UTF-8 BOM kept", IN("\xEF\xBB\xBF" "a,b\n"), O(',', '"', 65536, 0, 0, 0),
		  { R(1, 1, 2, F("\xEF\xBB\xBF" "a"), F("b")) }, 1, 0, 0, PL_BOM_UTF8 },
		{ "UTF-8 BOM before a quoted field", IN("\xEF\xBB\xBF\"a,b\"\n"), STD,
		  { R(1, 1, 1, F("a,b")) }, 1, 0, 0, PL_BOM_UTF8 },
		{ "UTF-8 BOM stripped, then a title block", IN("\xEF\xBB\xBFTitel\nh\n"),
		  O(',', '"', 65536, 0, 1, 1), { R(2, 1, 1, F("h")) }, 2, 1, 0, PL_BOM_UTF8 },
		{ "BOM bytes later in the file are data", IN("a\n\xEF\xBB\xBF" "b\n"), STD,
		  { R(1, 1, 1, F("a")), R(2, 1, 1, F("\xEF\xBB\xBF" "b")) }, 2, 0, 0, PL_BOM_NONE },
		{ "UTF-16 LE BOM detected", IN("\xFF\xFE" "a\0\n\0"), STD,
		  { R(1, 1, 1, F("\xFF\xFE" "a\0")), R(2, 1, 1, F("\0")) }, 2, 0, 0, PL_BOM_UTF16 },
		{ "UTF-16 BE BOM detected", IN("\xFE\xFF\0a\0\n"), STD,
		  { R(1, 1, 1, F("\xFE\xFF\0a\0")) }, 1, 0, 0, PL_BOM_UTF16 },
		{ "half a BOM", IN("\xEF\xBB" "a\n"), STD,
		  { R(1, 1, 1, F("\xEF\xBB" "a")) }, 1, 0, 0, PL_BOM_NONE },
	};

	run_cases(state, cases, N_OF(cases));
}

/* ---- bad records and recovery ------------------------------------------- */

static void test_csvread__malformed_quote(void **state)
{
	static const struct csv_case cases[] = {
		{ "quote inside an unquoted field", IN("a,b\nc,d\"e,f\ng,h\n"), STD,
		  { R(1, 1, 2, F("a"), F("b")), BAD(2, 1, "malformed quote"),
		    R(3, 1, 2, F("g"), F("h")) }, 3, 0, 0, PL_BOM_NONE },
		{ "a,b\"c,d", IN("h\na,b\"c,d\nx,y\n"), STD,
		  { R(1, 1, 1, F("h")), BAD(2, 1, "malformed quote"), R(3, 1, 2, F("x"), F("y")) },
		  3, 0, 0, PL_BOM_NONE },
		{ "text after the closing quote", IN("\"a\"b,c\nd\n"), STD,
		  { BAD(1, 1, "malformed quote"), R(2, 1, 1, F("d")) }, 2, 0, 0, PL_BOM_NONE },
		{ "after a multi-line quoted field", IN("\"a\nb\"x,c\nd\n"), STD,
		  { BAD(1, 2, "malformed quote"), R(3, 1, 1, F("d")) }, 3, 0, 0, PL_BOM_NONE },
		{ "rest of the line skipped, quotes and all", IN("a\"b,\"c\nd\n"), STD,
		  { BAD(1, 1, "malformed quote"), R(2, 1, 1, F("d")) }, 2, 0, 0, PL_BOM_NONE },
		{ "on the last line, no newline", IN("a\nb\"c"), STD,
		  { R(1, 1, 1, F("a")), BAD(2, 1, "malformed quote") }, 2, 0, 0, PL_BOM_NONE },
		{ "two in a row", IN("x\"\ny\"\r\nz\n"), STD,
		  { BAD(1, 1, "malformed quote"), BAD(2, 1, "malformed quote"), R(3, 1, 1, F("z")) },
		  3, 0, 0, PL_BOM_NONE },
		{ "an open quote closed lines later by a stray one", IN("a\n\"x\nb\nc\"d\ne\n"), STD,
		  { R(1, 1, 1, F("a")), BAD(2, 3, "malformed quote"), R(5, 1, 1, F("e")) }, 5, 0, 0,
		  PL_BOM_NONE },
	};

	run_cases(state, cases, N_OF(cases));
}

static void test_csvread__unterminated_quote_recovers_later_rows(void **state)
{
	static const struct csv_case cases[] = {
		{ "line 3 opens a quote never closed",
		  IN("h1,h2\nr1,x\nr2,\"open\nr3,a\nr4,b\nr5,c\n"), STD,
		  { R(1, 1, 2, F("h1"), F("h2")), R(2, 1, 2, F("r1"), F("x")),
		    BAD(3, 4, "unterminated quote"), R(4, 1, 2, F("r3"), F("a")),
		    R(5, 1, 2, F("r4"), F("b")), R(6, 1, 2, F("r5"), F("c")) }, 6, 0, 0, PL_BOM_NONE },
		{ "blank line after the open quote counted once", IN("a\n\"x\n\nb\n"), STD,
		  { R(1, 1, 1, F("a")), BAD(2, 3, "unterminated quote"), R(4, 1, 1, F("b")) }, 4, 0,
		  1, PL_BOM_NONE },
		{ "no final newline", IN("a\n\"x\nb"), STD,
		  { R(1, 1, 1, F("a")), BAD(2, 2, "unterminated quote"), R(3, 1, 1, F("b")) }, 3, 0,
		  0, PL_BOM_NONE },
		{ "on the last line only", IN("a\n\"x\n"), STD,
		  { R(1, 1, 1, F("a")), BAD(2, 1, "unterminated quote") }, 2, 0, 0, PL_BOM_NONE },
		{ "CRLF", IN("a\r\n\"x\r\nb\r\n"), STD,
		  { R(1, 1, 1, F("a")), BAD(2, 2, "unterminated quote"), R(3, 1, 1, F("b")) }, 3, 0,
		  0, PL_BOM_NONE },
		{ "on line 1 with a stripped BOM", IN("\xEF\xBB\xBF\"x\ny\n"), STD,
		  { BAD(1, 2, "unterminated quote"), R(2, 1, 1, F("y")) }, 2, 0, 0, PL_BOM_UTF8 },
		{ "after a title block", IN("T \"\n\"x\ny\n"), O(',', '"', 65536, 0, 1, 1),
		  { BAD(2, 2, "unterminated quote"), R(3, 1, 1, F("y")) }, 3, 1, 0, PL_BOM_NONE },
	};

	run_cases(state, cases, N_OF(cases));
}

static void test_csvread__field_too_long_in_one_buffer(void **state)
{
	static const struct csv_case cases[] = {
		{ "over the limit in one line: flagged, not kept", IN("abc,abcdef,g\nok\n"),
		  O(',', '"', 5, 0, 0, 1),
		  { RX(1, 1, 3, 2, 1, F("abc"), F("g")), R(2, 1, 1, F("ok")) }, 2, 0, 0, PL_BOM_NONE },
		{ "exactly the limit is accepted", IN("abcde\n\"abcde\"\n  abcde  \n"),
		  O(',', '"', 5, 0, 0, 1),
		  { R(1, 1, 1, F("abcde")), R(2, 1, 1, F("abcde")), R(3, 1, 1, F("abcde")) }, 3, 0, 0,
		  PL_BOM_NONE },
		{ "quoted field over the limit across its lines", IN("\"abcdefgh\nij\",x\nok\n"),
		  O(',', '"', 5, 0, 0, 1),
		  { BAD(1, 1, "field longer than 5 bytes"), BAD(2, 1, "malformed quote"),
		    R(3, 1, 1, F("ok")) }, 3, 0, 0, PL_BOM_NONE },
	};

	run_cases(state, cases, N_OF(cases));
}

/*
 * Regression: a title block whose last line has no newline (a file of only a
 * title, e.g. an export that failed) counted that line as blank instead of
 * skipped, because the skip path decrements skip_left only at an LF and
 * never marks the line as non-blank.
 */
static void test_csvread__skipped_title_without_final_newline_is_skipped(void **state)
{
	static const struct csv_case cases[] = {
		{ "one title line, no newline", IN("Rapport"), O(',', '"', 65536, 0, 1, 1),
		  { { PL_CSV_END, 0, 0, 0, 0, 0, NULL, { { NULL, 0 } } } }, 1, 1, 0, PL_BOM_NONE },
		{ "two title lines, no newline", IN("Rapport\nStadsdel"), O(',', '"', 65536, 0, 3, 1),
		  { { PL_CSV_END, 0, 0, 0, 0, 0, NULL, { { NULL, 0 } } } }, 2, 2, 0, PL_BOM_NONE },
	};

	run_cases(state, cases, N_OF(cases));
}

/* ---- across the 64 KiB read buffer -------------------------------------- */

/* n lines "x\n": 2n bytes. */
static size_t put_x_lines(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		memcpy(p + 2 * i, "x\n", 2);
	return 2 * n;
}

/* Reads all events of path into a compact log: checks each against want
 * where given, and that lines 1..n_x are "x" records. */
static void expect_after_x_lines(void **state, const char *data, size_t len,
				 const struct pl_csv_opts *o, size_t n_x,
				 const struct want *w, size_t n_w,
				 long lines, long blank)
{
	struct pl_csv_reader *r;
	struct pl_csv_record rec;
	struct pl_diag d;
	char path[512];

	write_input(state, data, len, path);
	r = pl_csv_open(path, o, &d);
	assert_non_null(r);
	for (size_t i = 0; i < n_x; i++) {
		static const struct want x = R(0, 1, 1, F("x"));
		struct want wx = x;

		wx.line = (long)i + 1;
		check_event("x lines", i, pl_csv_next(r, &rec, &d), &rec, &wx);
	}
	for (size_t i = 0; i < n_w; i++)
		check_event("after the x lines", i, pl_csv_next(r, &rec, &d), &rec, &w[i]);
	assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_END);
	check_stats("buffer", path, pl_csv_stats(r), lines, 0, blank, PL_BOM_NONE);
	pl_csv_close(r);
}

static void test_csvread__record_starting_on_the_buffer_edge(void **state)
{
	/* 32768 lines "x\n" fill the first buffer exactly; line 32769 starts at
	 * offset 65536 and opens a quote never closed. */
	static const struct pl_csv_opts o = STD;
	static const struct want w[] = {
		BAD(32769, 2, "unterminated quote"), R(32770, 1, 1, F("b")),
	};
	size_t len = 0;
	char *data = malloc(BUF_BYTES + 64);

	assert_non_null(data);
	len = put_x_lines(data, BUF_BYTES / 2);
	memcpy(data + len, "a,\"open\nb\n", 10);
	len += 10;
	expect_after_x_lines(state, data, len, &o, BUF_BYTES / 2, w, N_OF(w), 32770, 0);
	free(data);
}

static void test_csvread__quoted_line_breaks_across_the_buffer(void **state)
{
	/* the record starts at offset 65530 and ends past 65536 */
	static const struct pl_csv_opts o = STD;
	static const struct want w[] = {
		R(32766, 5, 2, F("1\n2\n3\n4\n5"), F("y")), R(32771, 1, 1, F("z")),
	};
	size_t len;
	char *data = malloc(BUF_BYTES + 64);

	assert_non_null(data);
	len = put_x_lines(data, (BUF_BYTES - 6) / 2);
	assert_int_equal(len, 65530);
	memcpy(data + len, "\"1\n2\n3\n4\n5\",y\nz\n", 16);
	len += 16;
	expect_after_x_lines(state, data, len, &o, (BUF_BYTES - 6) / 2, w, N_OF(w), 32771, 0);
	free(data);
}

static void test_csvread__field_split_by_the_buffer_is_whole(void **state)
{
	/* "abcdef" straddles offset 65536: read in two pieces */
	static const struct pl_csv_opts o6 = O(',', '"', 6, 0, 0, 1);
	static const struct pl_csv_opts o5 = O(',', '"', 5, 0, 0, 1);
	static const struct want w6[] = { R(32768, 1, 2, F("abcdef"), F("gh")) };
	static const struct want w5[] = { RX(32768, 1, 2, 1, 1, F("gh")) };
	size_t len;
	char *data = malloc(BUF_BYTES + 64);

	assert_non_null(data);
	len = put_x_lines(data, (BUF_BYTES - 2) / 2);
	memcpy(data + len, "abcdef,gh\n", 10);
	len += 10;
	expect_after_x_lines(state, data, len, &o6, (BUF_BYTES - 2) / 2, w6, N_OF(w6), 32768, 0);
	expect_after_x_lines(state, data, len, &o5, (BUF_BYTES - 2) / 2, w5, N_OF(w5), 32768, 0);
	free(data);
}

/*
 * Regression: the in-progress check (libcsv's entry_pos > max_field_bytes)
 * counts bytes libcsv later drops - the trailing white space (CR of CRLF) of
 * an unquoted field, the closing quote of a quoted one - so a field of
 * exactly max_field_bytes whose CR or closing quote is the last byte of the
 * 64 KiB buffer was rejected as "field longer than N bytes".
 */
static void test_csvread__field_at_the_limit_ending_on_the_buffer_edge(void **state)
{
	static const struct pl_csv_opts o3 = O(',', '"', 3, 0, 0, 1);
	static const struct pl_csv_opts o2 = O(',', '"', 2, 0, 0, 1);
	static const struct want w_cr[] = { R(32767, 1, 1, F("abc")), R(32768, 1, 1, F("nx")) };
	static const struct want w_q[] = { R(32767, 1, 1, F("ab")), R(32768, 1, 1, F("nx")) };
	size_t len, base;
	char *data = malloc(BUF_BYTES + 64);

	assert_non_null(data);
	base = put_x_lines(data, (BUF_BYTES - 4) / 2);
	/* "abc" at 65532..65534, CR at 65535 (the buffer's last byte), LF at 65536 */
	memcpy(data + base, "abc\r\nnx\n", 8);
	len = base + 8;
	expect_after_x_lines(state, data, len, &o3, (BUF_BYTES - 4) / 2, w_cr, N_OF(w_cr), 32768, 0);
	/* "\"ab\"": the closing quote at 65535 */
	memcpy(data + base, "\"ab\"\nnx\n", 8);
	expect_after_x_lines(state, data, len, &o2, (BUF_BYTES - 4) / 2, w_q, N_OF(w_q), 32768, 0);
	free(data);
}

enum { BIG = 200000 };

/* "h\n" + [quote] BIG x's [quote] + ",y\n" + "next,row\n" into a new buffer. */
static char *big_field_file(int quoted, size_t *len)
{
	char *data = malloc(BIG + 64), *p = data;

	assert_non_null(data);
	memcpy(p, "h\n", 2);
	p += 2;
	if (quoted)
		*p++ = '"';
	memset(p, 'x', BIG);
	p += BIG;
	if (quoted)
		*p++ = '"';
	memcpy(p, ",y\nnext,row\n", 12);
	p += 12;
	*len = (size_t)(p - data);
	return data;
}

static void test_csvread__field_too_long_across_buffers(void **state)
{
	static const struct want w[] = {
		R(1, 1, 1, F("h")), BAD(2, 1, "field longer than 65536 bytes"),
		R(3, 1, 2, F("next"), F("row")),
	};
	static const struct pl_csv_opts o = STD;

	for (int quoted = 0; quoted <= 1; quoted++) {
		struct pl_csv_reader *r;
		struct pl_csv_record rec;
		struct pl_diag d;
		char path[512];
		size_t len;
		char *data = big_field_file(quoted, &len);

		write_input(state, data, len, path);
		free(data);
		r = pl_csv_open(path, &o, &d);
		assert_non_null(r);
		for (size_t i = 0; i < N_OF(w); i++)
			check_event(quoted ? "200 KB quoted" : "200 KB", i, pl_csv_next(r, &rec, &d),
				    &rec, &w[i]);
		assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_END);
		check_stats("200 KB", path, pl_csv_stats(r), 3, 0, 0, PL_BOM_NONE);
		pl_csv_close(r);
	}
}

static void test_csvread__long_field_under_a_high_limit_is_whole(void **state)
{
	static const struct pl_csv_opts o = O(',', '"', 300000, 0, 0, 1);

	for (int quoted = 0; quoted <= 1; quoted++) {
		struct pl_csv_reader *r;
		struct pl_csv_record rec;
		struct pl_diag d;
		char path[512];
		size_t len;
		char *data = big_field_file(quoted, &len);

		write_input(state, data, len, path);
		free(data);
		r = pl_csv_open(path, &o, &d);
		assert_non_null(r);
		assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_RECORD);
		assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_RECORD);
		assert_int_equal(rec.line, 2);
		assert_int_equal(rec.n_lines, 1);
		assert_int_equal(rec.n_kept, 2);
		assert_int_equal(rec.too_long, 0);
		assert_int_equal(rec.lens[0], BIG);
		for (size_t i = 0; i < BIG; i++)
			if (rec.fields[0][i] != 'x')
				fail_msg("byte %zu of the long field is 0x%02x", i,
					 (unsigned char)rec.fields[0][i]);
		assert_string_equal(rec.fields[1], "y");
		assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_RECORD);
		assert_int_equal(rec.line, 3);
		assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_END);
		check_stats("long field", path, pl_csv_stats(r), 3, 0, 0, PL_BOM_NONE);
		pl_csv_close(r);
	}
}

/* ---- open, drain, errors ------------------------------------------------ */

static void test_csvread__open_missing_file(void **state)
{
	static const struct pl_csv_opts o = STD;
	struct pl_diag d;
	char path[512];

	unit_path(state, "absent.csv", path, sizeof(path));
	pl_diag_clear(&d);
	assert_null(pl_csv_open(path, &o, &d));
	assert_int_equal(d.err, PL_ENOINPUT);
	assert_string_equal(d.file, path);
	assert_non_null(strstr(d.msg, "cannot open"));
	pl_csv_close(NULL);
}

static void test_csvread__read_error_is_reported(void **state)
{
	static const struct pl_csv_opts o = STD;
	const struct unit_tmp *t = *state;
	struct pl_csv_reader *r;
	struct pl_csv_record rec;
	struct pl_diag d;

	/* a directory opens, then fails to read */
	pl_diag_clear(&d);
	r = pl_csv_open(t->dir, &o, &d);
	assert_non_null(r);
	assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_ERROR);
	assert_int_equal(d.err, PL_EIO);
	assert_string_equal(d.file, t->dir);
	assert_non_null(strstr(d.msg, "read error"));
	pl_csv_close(r);

	r = pl_csv_open(t->dir, &o, &d);
	assert_non_null(r);
	assert_int_equal(pl_csv_drain(r, &d), PL_EIO);
	pl_csv_close(r);
}

static void test_csvread__drain_counts_and_hashes_the_rest(void **state)
{
	static const char in[] = "h1,h2\na,\"b\nc\"\n\nx\"y\nlast";
	static const struct pl_csv_opts o = STD;
	struct pl_csv_reader *r;
	struct pl_csv_record rec;
	struct pl_diag d;
	char path[512];

	write_input(state, in, sizeof(in) - 1, path);
	r = pl_csv_open(path, &o, &d);
	assert_non_null(r);
	assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_RECORD);
	assert_int_equal(pl_csv_drain(r, &d), PL_OK);
	assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_END);
	check_stats("drain", path, pl_csv_stats(r), 6, 0, 1, PL_BOM_NONE);
	pl_csv_close(r);
}

/* pl_csv_on_bytes' callback: appends the bytes to a pl_buf. */
static void collect_bytes(void *user, const void *bytes, size_t len)
{
	pl_buf_append(user, bytes, len);
}

/* Reads to the end, counting records and bad records. */
static void count_events(struct pl_csv_reader *r, size_t *n_records, size_t *n_bad)
{
	struct pl_csv_record rec;
	struct pl_diag d;
	enum pl_csv_event ev;

	*n_records = *n_bad = 0;
	while ((ev = pl_csv_next(r, &rec, &d)) > 0) {
		if (ev == PL_CSV_RECORD)
			(*n_records)++;
		else
			(*n_bad)++;
	}
	assert_int_equal(ev, PL_CSV_END);
}

static void test_csvread__on_bytes_hands_every_byte_once(void **state)
{
	/* a BOM, 32768 lines "x
" past the first buffer's end, then a quote
	 * never closed: the reader reads to the end, goes back to line 32769
	 * and reads those bytes again; they are handed over once. */
	static const struct pl_csv_opts o = STD;
	size_t len = 0, n_rec, n_bad, n_rec_hashed, n_bad_hashed;
	char *data = malloc(3 + BUF_BYTES + 64);
	struct pl_csv_reader *r;
	struct pl_buf got;
	struct pl_diag d;
	char path[512];

	assert_non_null(data);
	memcpy(data, "\xEF\xBB\xBF", 3);
	len = 3 + put_x_lines(data + 3, BUF_BYTES / 2);
	memcpy(data + len, "a,\"open\nb\n", 10);
	len += 10;
	write_input(state, data, len, path);
	pl_buf_init(&got);

	r = pl_csv_open(path, &o, &d);
	assert_non_null(r);
	pl_csv_on_bytes(r, collect_bytes, &got);
	count_events(r, &n_rec, &n_bad);
	assert_int_equal(got.len, len);
	assert_memory_equal(got.data, data, len);
	assert_string_equal(pl_csv_stats(r)->sha256, "");  /* the caller hashes */
	assert_int_equal(pl_csv_stats(r)->lines, BUF_BYTES / 2 + 2);
	pl_csv_close(r);

	/* the same events as a reader that hashes */
	r = pl_csv_open(path, &o, &d);
	assert_non_null(r);
	count_events(r, &n_rec_hashed, &n_bad_hashed);
	check_stats("hashed", path, pl_csv_stats(r), BUF_BYTES / 2 + 2, 0, 0, PL_BOM_UTF8);
	pl_csv_close(r);
	assert_int_equal(n_rec, n_rec_hashed);
	assert_int_equal(n_bad, n_bad_hashed);
	assert_int_equal(n_bad, 1);
	assert_int_equal(n_rec, BUF_BYTES / 2 + 1);
	pl_buf_release(&got);
	free(data);
}

/* ---- property: random small files from a fixed seed --------------------- */

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: the same sequence on every platform */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static void test_csvread__property_random_files(void **state)
{
	static const char alphabet[] = "aaaabbbc,,,;\t  \n\n\n\r\"\"'";
	static const size_t maxbs[] = { 1, 3, 10, 65536 };
	char *data = malloc(200000);
	size_t n_files = 0, n_bad = 0, n_records = 0;

	assert_non_null(data);
	rng_state = 0x9E3779B97F4A7C15ULL;
	for (int iter = 0; iter < 600; iter++) {
		struct pl_csv_opts o = STD;
		struct pl_csv_reader *r;
		struct pl_csv_record rec;
		struct pl_diag d;
		char path[512], what[64];
		size_t len = rng() % 120, n_events = 0, n_lf = 0, span_sum = 0;
		long want_lines, last_line = 0;
		int has_quote = 0;
		enum pl_csv_event ev;

		if (iter % 50 == 49)
			len = 60000 + rng() % 100000; /* across the read buffer */
		o.delimiter = ",;\t"[rng() % 3];
		o.quote = rng() % 4 ? '"' : '\'';
		o.max_field_bytes = maxbs[rng() % N_OF(maxbs)];
		o.max_fields = rng() % 3;
		o.skip_lines = rng() % 4 == 0 ? (long)(rng() % 3) : 0;
		o.strip_utf8_bom = (int)(rng() % 2);
		for (size_t i = 0; i < len; i++) {
			data[i] = alphabet[rng() % (sizeof(alphabet) - 1)];
			n_lf += data[i] == '\n';
			has_quote |= data[i] == o.quote;
		}
		want_lines = (long)n_lf + (len > 0 && data[len - 1] != '\n');
		snprintf(what, sizeof(what), "random file %d", iter);
		write_input(state, data, len, path);
		r = pl_csv_open(path, &o, &d);
		assert_non_null(r);
		while ((ev = pl_csv_next(r, &rec, &d)) > 0) {
			if (++n_events > len + 2)
				fail_msg("%s: more events than bytes", what);
			/* records come in file order, inside the file */
			if (rec.line <= last_line || rec.n_lines < 1 ||
			    rec.line + rec.n_lines - 1 > want_lines)
				fail_msg("%s: event at line %ld spanning %ld after line %ld of %ld",
					 what, rec.line, rec.n_lines, last_line, want_lines);
			last_line = rec.line;
			span_sum += (size_t)rec.n_lines;
			if (ev == PL_CSV_BAD) {
				n_bad++;
				continue;
			}
			n_records++;
			assert_true(rec.n_kept <= rec.n_fields);
			assert_true(rec.n_kept <= (o.max_fields ? o.max_fields : 4096));
			for (size_t k = 0; k < rec.n_kept; k++) {
				assert_true(rec.lens[k] <= o.max_field_bytes);
				assert_int_equal(rec.fields[k][rec.lens[k]], '\0');
			}
		}
		if (ev != PL_CSV_END)
			fail_msg("%s: ended with %s: %s", what, ev_name(ev), d.msg);
		{
			const struct pl_csv_stats *st = pl_csv_stats(r);
			char hex[PL_SHA256_HEX];

			if (st->lines != want_lines)
				fail_msg("%s: %ld lines, want %ld", what, st->lines, want_lines);
			assert_int_equal(pl_sha256_file(path, hex, &d), PL_OK);
			if (strcmp(st->sha256, hex) != 0)
				fail_msg("%s: every byte not hashed once", what);
			/* without quotes each line is skipped, blank or in one record */
			if (!has_quote &&
			    (long)span_sum + st->skipped_lines + st->blank_lines != want_lines)
				fail_msg("%s: %zu record lines + %ld skipped + %ld blank != %ld", what,
					 span_sum, st->skipped_lines, st->blank_lines, want_lines);
		}
		pl_csv_close(r);
		n_files++;
	}
	free(data);
	/* the generator does reach the interesting paths */
	assert_int_equal(n_files, 600);
	assert_true(n_bad > 50);
	assert_true(n_records > 1000);
}

/* ---- property: the same records as libcsv itself ----------------------- */

/* The oracle: libcsv over the whole file at once, with the reader's
 * settings (strict, white space ' ', TAB and CR, LF alone ends a record);
 * each record as its fields joined by '|' and a newline after it. */
struct oracle {
	struct pl_buf out;
	int first;
};

static int oracle_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r'; }
static int oracle_term(unsigned char c) { return c == '\n'; }

static void oracle_field(void *s, size_t len, void *user)
{
	struct oracle *o = user;

	if (!o->first)
		pl_buf_putc(&o->out, '|');
	pl_buf_append(&o->out, s ? s : "", len);
	o->first = 0;
}

static void oracle_record(int c, void *user)
{
	struct oracle *o = user;

	(void)c;
	pl_buf_putc(&o->out, '\n');
	o->first = 1;
}

static void oracle_parse(const char *data, size_t len, char delim, char quote,
			 struct pl_buf *out)
{
	struct oracle o = { *out, 1 };
	struct csv_parser p;

	assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
	csv_set_delim(&p, (unsigned char)delim);
	csv_set_quote(&p, (unsigned char)quote);
	csv_set_space_func(&p, oracle_space);
	csv_set_term_func(&p, oracle_term);
	assert_int_equal(csv_parse(&p, data, len, oracle_field, oracle_record, &o), len);
	assert_int_equal(csv_fini(&p, oracle_field, oracle_record, &o), 0);
	csv_free(&p);
	*out = o.out;
}

/* Appends one random field: plain (bytes that are neither the delimiter,
 * the quote nor LF, white space around it at random) or quoted (anything,
 * the quote doubled). */
static size_t put_random_field(char *at, char delim, char quote)
{
	static const char plain[] = "abcå \t\r,;'";
	static const char any[] = "ab ,;\t\r\n\"'";
	size_t n = 0, len = rng() % 7;
	int quoted = rng() % 4 == 0;

	if (rng() % 3 == 0)
		at[n++] = " \t"[rng() % 2];
	if (quoted)
		at[n++] = quote;
	for (size_t i = 0; i < len; i++) {
		char c = quoted ? any[rng() % (sizeof(any) - 1)] : plain[rng() % (sizeof(plain) - 1)];

		if (!quoted && (c == delim || c == quote))
			c = 'x';
		if (quoted && c == quote)
			at[n++] = quote;
		at[n++] = c;
	}
	if (quoted)
		at[n++] = quote;
	if (rng() % 3 == 0)
		at[n++] = " \r"[rng() % 2];
	return n;
}

static void test_csvread__property_same_records_as_libcsv(void **state)
{
	char *data = malloc(400000);
	size_t n_records = 0, n_plain_lines = 0;

	assert_non_null(data);
	rng_state = 0x2545F4914F6CDD1DULL;
	for (int iter = 0; iter < 300; iter++) {
		struct pl_csv_opts o = STD;
		struct pl_buf want, got;
		struct pl_csv_reader *r;
		struct pl_csv_record rec;
		struct pl_diag d;
		enum pl_csv_event ev;
		char path[512];
		size_t len = 0, n_lines = iter % 30 == 29 ? 6000 : rng() % 40;

		o.delimiter = ",;\t"[rng() % 3];
		o.quote = rng() % 4 ? '"' : '\'';
		for (size_t l = 0; l < n_lines; l++) {
			size_t n_fields = 1 + rng() % 6;
			size_t from = len;

			if (rng() % 10 == 0) { /* a blank line, or white space only */
				if (rng() % 2)
					data[len++] = rng() % 2 ? ' ' : '\r';
			} else {
				for (size_t f = 0; f < n_fields; f++) {
					if (f)
						data[len++] = o.delimiter;
					len += put_random_field(data + len, o.delimiter, o.quote);
				}
			}
			if (l + 1 < n_lines || rng() % 2)
				data[len++] = '\n';
			n_plain_lines += len - from > 2 && !memchr(data + from, o.quote, len - from);
		}
		pl_buf_init(&want);
		pl_buf_init(&got);
		oracle_parse(data, len, o.delimiter, o.quote, &want);
		write_input(state, data, len, path);
		r = pl_csv_open(path, &o, &d);
		assert_non_null(r);
		while ((ev = pl_csv_next(r, &rec, &d)) == PL_CSV_RECORD) {
			for (size_t k = 0; k < rec.n_kept; k++) {
				if (k)
					pl_buf_putc(&got, '|');
				pl_buf_append(&got, rec.fields[k], rec.lens[k]);
			}
			pl_buf_putc(&got, '\n');
			n_records++;
		}
		if (ev != PL_CSV_END)
			fail_msg("file %d: ended with %s: %s", iter, ev_name(ev), d.msg);
		if (got.len != want.len || (got.len && memcmp(got.data, want.data, got.len) != 0))
			fail_msg("file %d (delimiter %d, quote %c): the reader's records differ "
				 "from libcsv's:\n%.*s\n--- libcsv:\n%.*s", iter, o.delimiter, o.quote,
				 (int)(got.len < 2000 ? got.len : 2000), got.data,
				 (int)(want.len < 2000 ? want.len : 2000), want.data);
		pl_csv_close(r);
		pl_buf_release(&want);
		pl_buf_release(&got);
	}
	free(data);
	/* both paths are taken: lines without a quote, and with one */
	assert_true(n_records > 20000);
	assert_true(n_plain_lines > 10000);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_csvread__line_ends_and_blank_lines),
		T(test_csvread__fields_and_quoting),
		T(test_csvread__skip_lines_and_bom),
		T(test_csvread__malformed_quote),
		T(test_csvread__unterminated_quote_recovers_later_rows),
		T(test_csvread__field_too_long_in_one_buffer),
		T(test_csvread__skipped_title_without_final_newline_is_skipped),
		T(test_csvread__record_starting_on_the_buffer_edge),
		T(test_csvread__quoted_line_breaks_across_the_buffer),
		T(test_csvread__field_split_by_the_buffer_is_whole),
		T(test_csvread__field_at_the_limit_ending_on_the_buffer_edge),
		T(test_csvread__field_too_long_across_buffers),
		T(test_csvread__long_field_under_a_high_limit_is_whole),
		T(test_csvread__open_missing_file),
		T(test_csvread__read_error_is_reported),
		T(test_csvread__drain_counts_and_hashes_the_rest),
		T(test_csvread__on_bytes_hands_every_byte_once),
		T(test_csvread__property_random_files),
		T(test_csvread__property_same_records_as_libcsv),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}

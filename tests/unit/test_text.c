/*
 * tests/unit/test_text.c - lib/text: encoding names, UTF-8 validation with
 * the offset of the first bad byte, decoding Windows-1252 and ISO-8859-1,
 * folding for matching, and finding control characters.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iconv.h>

#include "text.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
/* A string literal with its length, embedded NULs included. */
#define S(lit) lit, sizeof(lit) - 1

/* Encodes code point cp as UTF-8 into out; returns the length. */
static size_t utf8_put(unsigned long cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	o[0] = (unsigned char)(0xE0 | (cp >> 12));
	o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp & 0x3F));
	return 3;
}

/* ---- encoding names ---------------------------------------------------- */

static void test_encoding__parse_and_name(void **state)
{
	static const struct {
		const char *name;
		int rc;
		enum pl_encoding enc;
		const char *canonical;
	} cases[] = {
		{ "utf-8", 0, PL_ENC_UTF8, "utf-8" },
		{ "UTF-8", 0, PL_ENC_UTF8, "utf-8" },
		{ "utf-8-bom", 0, PL_ENC_UTF8_BOM, "utf-8-bom" },
		{ "windows-1252", 0, PL_ENC_CP1252, "windows-1252" },
		{ "Windows-1252", 0, PL_ENC_CP1252, "windows-1252" },
		{ "iso-8859-1", 0, PL_ENC_LATIN1, "iso-8859-1" },
		{ "utf8", -1, PL_ENC_UTF8, NULL },
		{ "latin1", -1, PL_ENC_UTF8, NULL },
		{ "cp1252", -1, PL_ENC_UTF8, NULL },
		{ "utf-16", -1, PL_ENC_UTF8, NULL },
		{ "", -1, PL_ENC_UTF8, NULL },
		{ " utf-8", -1, PL_ENC_UTF8, NULL },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		enum pl_encoding enc = (enum pl_encoding)99;
		int rc = pl_encoding_parse(cases[i].name, &enc);

		assert_int_equal(rc, cases[i].rc);
		if (rc == 0) {
			assert_int_equal(enc, cases[i].enc);
			assert_string_equal(pl_encoding_name(enc), cases[i].canonical);
		} else {
			assert_int_equal(enc, 99); /* untouched */
		}
	}
	assert_string_equal(pl_encoding_name((enum pl_encoding)42), "?");
}

/* ---- pl_utf8_valid ------------------------------------------------------ */

static void test_utf8_valid__table(void **state)
{
	static const struct {
		const char *what;
		const char *s;
		size_t len;
		int valid;
		size_t bad_off;       /* when !valid */
	} cases[] = {
		{ "empty", S(""), 1, 0 },
		{ "ascii", S("Personnummer;Namn"), 1, 0 },
		{ "embedded NUL", S("a\0b"), 1, 0 },
		{ "DEL", S("\x7F"), 1, 0 },
		{ "å ä ö", S("\xC3\xA5\xC3\xA4\xC3\xB6"), 1, 0 },
		{ "U+0080 smallest 2-byte", S("\xC2\x80"), 1, 0 },
		{ "U+07FF largest 2-byte", S("\xDF\xBF"), 1, 0 },
		{ "U+0800 smallest 3-byte", S("\xE0\xA0\x80"), 1, 0 },
		{ "euro sign", S("\xE2\x82\xAC"), 1, 0 },
		{ "U+D7FF before surrogates", S("\xED\x9F\xBF"), 1, 0 },
		{ "U+E000 after surrogates", S("\xEE\x80\x80"), 1, 0 },
		{ "U+FFFF", S("\xEF\xBF\xBF"), 1, 0 },
		{ "U+10000 smallest 4-byte", S("\xF0\x90\x80\x80"), 1, 0 },
		{ "emoji", S("ok \xF0\x9F\x98\x80"), 1, 0 },
		{ "U+10FFFF largest", S("\xF4\x8F\xBF\xBF"), 1, 0 },
		/* overlongs */
		{ "overlong NUL C0 80", S("\xC0\x80"), 0, 0 },
		{ "overlong C1 BF", S("ab\xC1\xBF"), 0, 2 },
		{ "overlong '/' E0 80 AF", S("xy\xE0\x80\xAF"), 0, 2 },
		{ "overlong U+07FF E0 9F BF", S("\xE0\x9F\xBF"), 0, 0 },
		{ "overlong '/' F0 80 80 AF", S("\xF0\x80\x80\xAF"), 0, 0 },
		{ "overlong U+FFFF F0 8F BF BF", S("z\xF0\x8F\xBF\xBF"), 0, 1 },
		/* surrogates */
		{ "U+D800", S("\xED\xA0\x80"), 0, 0 },
		{ "U+DBFF", S("\xED\xAF\xBF"), 0, 0 },
		{ "U+DC00 after text", S("\xC3\xA5\xED\xB0\x80"), 0, 2 },
		{ "U+DFFF", S("abc\xED\xBF\xBF"), 0, 3 },
		/* beyond U+10FFFF */
		{ "U+110000 F4 90 80 80", S("\xF4\x90\x80\x80"), 0, 0 },
		{ "F5 lead", S("a\xF5\x80\x80\x80"), 0, 1 },
		{ "F7 BF BF BF", S("\xF7\xBF\xBF\xBF"), 0, 0 },
		{ "5-byte F8", S("\xF8\x88\x80\x80\x80"), 0, 0 },
		{ "6-byte FC", S("\xFC\x84\x80\x80\x80\x80"), 0, 0 },
		{ "FE", S("\xFE"), 0, 0 },
		{ "FF", S("ok\xFF"), 0, 2 },
		/* stray continuation bytes */
		{ "lone 80", S("\x80"), 0, 0 },
		{ "BF after ascii", S("abc\xBF"), 0, 3 },
		{ "extra continuation", S("\xC3\xA5\x80"), 0, 2 },
		/* truncated sequences */
		{ "C3 at end", S("a\xC3"), 0, 1 },
		{ "E2 82 at end", S("\xE2\x82"), 0, 0 },
		{ "F0 9F 98 at end", S("hej \xF0\x9F\x98"), 0, 4 },
		{ "truncated then ascii", S("\xE2\x82" "A"), 0, 0 },
		{ "2-byte cut by ascii", S("\xC3" "A"), 0, 0 },
		{ "4-byte cut by ascii", S("\xF0\x9F\x98" "A"), 0, 0 },
		{ "Windows-1252 o-umlaut in UTF-8", S("G\xF6teborg"), 0, 1 },
		{ "first bad of two", S("\xC3\xA4\xE4\xFF"), 0, 2 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		size_t bad = 12345;
		int valid = pl_utf8_valid(cases[i].s, cases[i].len, &bad);

		if (valid != cases[i].valid)
			fail_msg("%s: valid %d, want %d", cases[i].what, valid, cases[i].valid);
		if (!valid && bad != cases[i].bad_off)
			fail_msg("%s: bad offset %zu, want %zu", cases[i].what, bad, cases[i].bad_off);
		if (valid && bad != 12345)
			fail_msg("%s: bad offset written for valid text", cases[i].what);
		/* bad_off may be NULL */
		assert_int_equal(pl_utf8_valid(cases[i].s, cases[i].len, NULL), cases[i].valid);
	}
}

static void test_utf8_valid__length_bounds_the_scan(void **state)
{
	size_t bad = 0;

	(void)state;
	/* the bad byte lies past len: not looked at */
	assert_int_equal(pl_utf8_valid("abc\xFF", 3, &bad), 1);
	/* a sequence cut by len is truncated even if the bytes follow in memory */
	assert_int_equal(pl_utf8_valid("x\xC3\xA5", 2, &bad), 0);
	assert_int_equal(bad, 1);
}

/* ---- pl_decode ---------------------------------------------------------- */

struct dec_case {
	const char *what;
	const char *in;
	size_t in_len;
	const char *out;          /* NULL: invalid */
	size_t out_len;
	size_t bad_off;
};

static void run_decode(enum pl_encoding enc, const struct dec_case *cases, size_t n)
{
	struct pl_decoder dec;
	struct pl_diag d;

	pl_diag_clear(&d);
	assert_int_equal(pl_decoder_init(&dec, enc, &d), PL_OK);
	for (size_t i = 0; i < n; i++) {
		size_t out_len = 777, bad = 777;
		const char *out = pl_decode(&dec, cases[i].in, cases[i].in_len, &out_len, &bad);

		if (!cases[i].out) {
			if (out)
				fail_msg("%s: decoded, want invalid at %zu", cases[i].what,
					 cases[i].bad_off);
			if (bad != cases[i].bad_off)
				fail_msg("%s: bad offset %zu, want %zu", cases[i].what, bad,
					 cases[i].bad_off);
			continue;
		}
		if (!out)
			fail_msg("%s: invalid at %zu, want decoded", cases[i].what, bad);
		if (out_len != cases[i].out_len)
			fail_msg("%s: out_len %zu, want %zu", cases[i].what, out_len,
				 cases[i].out_len);
		assert_memory_equal(out, cases[i].out, cases[i].out_len);
		assert_int_equal(out[out_len], '\0');
	}
	pl_decoder_release(&dec);
}

static void test_decode__utf8_passes_valid_and_rejects_invalid(void **state)
{
	static const struct dec_case cases[] = {
		{ "empty", S(""), S(""), 0 },
		{ "ascii", S("Lundby"), S("Lundby"), 0 },
		{ "swedish", S("F\xC3\xB6rnamn"), S("F\xC3\xB6rnamn"), 0 },
		{ "embedded NUL", S("a\0b"), S("a\0b"), 0 },
		{ "latin-1 byte", S("F\xF6rnamn"), NULL, 0, 1 },
		{ "surrogate", S("ab\xED\xA0\x80"), NULL, 0, 2 },
		{ "overlong", S("\xC0\xAF"), NULL, 0, 0 },
		{ "truncated", S("abc\xE2\x82"), NULL, 0, 3 },
		{ "after a failure, the next field decodes", S("ok"), S("ok"), 0 },
	};

	(void)state;
	run_decode(PL_ENC_UTF8, cases, N_OF(cases));
	run_decode(PL_ENC_UTF8_BOM, cases, N_OF(cases));
}

static void test_decode__utf8_has_no_iconv(void **state)
{
	struct pl_decoder dec;
	struct pl_diag d;

	(void)state;
	assert_int_equal(pl_decoder_init(&dec, PL_ENC_UTF8, &d), PL_OK);
	assert_null(dec.cd);
	pl_decoder_release(&dec);
	pl_decoder_release(&dec); /* twice is harmless */
	assert_int_equal(pl_decoder_init(&dec, PL_ENC_CP1252, &d), PL_OK);
	assert_non_null(dec.cd);
	pl_decoder_release(&dec);
	assert_null(dec.cd);
}

static void test_decode__cp1252_examples(void **state)
{
	static const struct dec_case cases[] = {
		{ "euro 0x80", S("\x80"), S("\xE2\x82\xAC"), 0 },
		{ "amount", S("1 200 \x80"), S("1 200 \xE2\x82\xAC"), 0 },
		{ "Goteborg", S("G\xF6teborg"), S("G\xC3\xB6teborg"), 0 },
		{ "AAO", S("\xC5\xC4\xD6"), S("\xC3\x85\xC3\x84\xC3\x96"), 0 },
		{ "en dash, ellipsis", S("a\x96" "b\x85"), S("a\xE2\x80\x93" "b\xE2\x80\xA6"), 0 },
		{ "curly quotes", S("\x93x\x94"), S("\xE2\x80\x9Cx\xE2\x80\x9D"), 0 },
		{ "s caron, Y diaeresis", S("\x9A\x9F"), S("\xC5\xA1\xC5\xB8"), 0 },
		{ "NBSP", S("a\xA0" "b"), S("a\xC2\xA0" "b"), 0 },
		{ "empty", S(""), S(""), 0 },
		{ "undefined 0x81", S("ab\x81" "c"), NULL, 0, 2 },
		{ "undefined 0x8D", S("\x8D"), NULL, 0, 0 },
		{ "undefined 0x8F", S("x\x8F"), NULL, 0, 1 },
		{ "undefined 0x90", S("\x80\x80\x90"), NULL, 0, 2 },
		{ "undefined 0x9D", S("\xE5\xE4\xF6 \x9D!"), NULL, 0, 4 },
		{ "decodes again after a failure", S("\xE9t\xE9"), S("\xC3\xA9t\xC3\xA9"), 0 },
	};

	(void)state;
	run_decode(PL_ENC_CP1252, cases, N_OF(cases));
}

static void test_decode__cp1252_every_byte(void **state)
{
	/* Unicode code points of 0x80..0x9F; 0 where the byte is undefined. */
	static const unsigned long c1[32] = {
		0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
		0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
		0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
	};
	struct pl_decoder dec;
	struct pl_diag d;
	size_t n_undefined = 0;

	(void)state;
	assert_int_equal(pl_decoder_init(&dec, PL_ENC_CP1252, &d), PL_OK);
	for (unsigned b = 0; b < 256; b++) {
		char in[3] = { 'x', (char)b, 'y' }, want[8];
		unsigned long cp = b >= 0x80 && b < 0xA0 ? c1[b - 0x80] : b;
		size_t out_len = 0, bad = 0, want_len;
		const char *out = pl_decode(&dec, in, 3, &out_len, &bad);

		if (cp == 0 && b != 0) {
			n_undefined++;
			if (out)
				fail_msg("byte 0x%02X decoded, want invalid", b);
			assert_int_equal(bad, 1);
			continue;
		}
		if (!out)
			fail_msg("byte 0x%02X invalid, want U+%04lX", b, cp);
		want[0] = 'x';
		want_len = 1 + utf8_put(cp, want + 1);
		want[want_len++] = 'y';
		assert_int_equal(out_len, want_len);
		assert_memory_equal(out, want, want_len);
	}
	assert_int_equal(n_undefined, 5);
	pl_decoder_release(&dec);
}

static void test_decode__latin1_every_byte_is_valid(void **state)
{
	struct pl_decoder dec;
	struct pl_diag d;
	char in[256], want[512];
	size_t want_len = 0, out_len = 0, bad = 0;
	const char *out;

	(void)state;
	for (unsigned b = 0; b < 256; b++) {
		in[b] = (char)b;
		want_len += utf8_put(b, want + want_len);
	}
	assert_int_equal(want_len, 384);
	assert_int_equal(pl_decoder_init(&dec, PL_ENC_LATIN1, &d), PL_OK);
	out = pl_decode(&dec, in, sizeof(in), &out_len, &bad);
	assert_non_null(out);
	assert_int_equal(out_len, 384);
	assert_memory_equal(out, want, 384);
	/* 0x80 is a C1 control in ISO-8859-1, not the euro sign */
	out = pl_decode(&dec, "\x80", 1, &out_len, &bad);
	assert_non_null(out);
	assert_int_equal(out_len, 2);
	assert_memory_equal(out, "\xC2\x80", 2);
	pl_decoder_release(&dec);
}

/* pl_decode_str hands back the field itself where nothing needs decoding,
 * and otherwise what pl_decode gives. */
static void test_decode__str_returns_the_field_when_nothing_changes(void **state)
{
	static const char utf8[] = "Öppenvård", ascii[] = "Boendestod", cp[] = "\xD6ppen";
	struct pl_decoder dec;
	struct pl_diag d;
	size_t out_len = 0, bad = 0;
	const char *out;

	(void)state;
	assert_int_equal(pl_decoder_init(&dec, PL_ENC_UTF8, &d), PL_OK);
	assert_ptr_equal(pl_decode_str(&dec, utf8, strlen(utf8), &out_len, &bad), utf8);
	assert_int_equal(out_len, strlen(utf8));
	assert_null(pl_decode_str(&dec, cp, strlen(cp), &out_len, &bad));
	assert_int_equal(bad, 0);
	pl_decoder_release(&dec);

	assert_int_equal(pl_decoder_init(&dec, PL_ENC_CP1252, &d), PL_OK);
	assert_ptr_equal(pl_decode_str(&dec, ascii, strlen(ascii), &out_len, &bad), ascii);
	assert_int_equal(out_len, strlen(ascii));
	out = pl_decode_str(&dec, cp, strlen(cp), &out_len, &bad);
	assert_ptr_not_equal(out, cp);
	assert_string_equal(out, "Öppen");
	assert_int_equal(out_len, strlen("Öppen"));
	/* 0x81 is no character in Windows-1252 */
	assert_null(pl_decode_str(&dec, "ab\x81", 3, &out_len, &bad));
	assert_int_equal(bad, 2);
	pl_decoder_release(&dec);
}

/* The single-byte decoders use a table built from iconv: on random values
 * they must give exactly what iconv gives, output and bad offset. */
static void test_decode__table_agrees_with_iconv(void **state)
{
	static const struct { enum pl_encoding enc; const char *name; } encs[] = {
		{ PL_ENC_CP1252, "CP1252" }, { PL_ENC_LATIN1, "ISO-8859-1" },
	};

	(void)state;
	srand(20261125);
	for (size_t e = 0; e < N_OF(encs); e++) {
		struct pl_decoder dec;
		struct pl_diag d;
		iconv_t cd = iconv_open("UTF-8", encs[e].name);

		assert_true(cd != (iconv_t)-1);
		assert_int_equal(pl_decoder_init(&dec, encs[e].enc, &d), PL_OK);
		assert_true(dec.has_table);
		for (int i = 0; i < 2000; i++) {
			char in[40], want[200], *ip = in, *op = want;
			size_t len = (size_t)(rand() % 40), in_left = len, out_left = sizeof(want);
			size_t out_len = 0, bad = 0, rc;
			const char *out;

			for (size_t k = 0; k < len; k++) /* mostly ASCII, some high bytes */
				in[k] = (char)(rand() % 4 ? 'a' + rand() % 26 : rand() % 256);
			iconv(cd, NULL, NULL, NULL, NULL);
			rc = iconv(cd, &ip, &in_left, &op, &out_left);
			out = pl_decode(&dec, in, len, &out_len, &bad);
			if (rc == (size_t)-1) {
				assert_null(out);
				assert_int_equal(bad, (size_t)(ip - in));
				continue;
			}
			assert_non_null(out);
			assert_int_equal(out_len, (size_t)(op - want));
			assert_memory_equal(out, want, out_len);
			assert_int_equal(out[out_len], '\0');
		}
		pl_decoder_release(&dec);
		iconv_close(cd);
	}
}

static void test_decode__long_field_and_buffer_reuse(void **state)
{
	enum { N = 100000 };
	static char in[N];
	struct pl_decoder dec;
	struct pl_diag d;
	size_t out_len = 0, bad = 0;
	const char *out;

	(void)state;
	memset(in, 0x80, sizeof(in)); /* the euro sign: 3 bytes out for each byte in */
	assert_int_equal(pl_decoder_init(&dec, PL_ENC_CP1252, &d), PL_OK);
	out = pl_decode(&dec, in, N, &out_len, &bad);
	assert_non_null(out);
	assert_int_equal(out_len, 3 * N);
	for (size_t i = 0; i < 3 * (size_t)N; i += 3)
		assert_memory_equal(out + i, "\xE2\x82\xAC", 3);
	out = pl_decode(&dec, "kort", 4, &out_len, &bad);
	assert_non_null(out);
	assert_int_equal(out_len, 4);
	assert_string_equal(out, "kort");
	/* an undefined byte far into a long field */
	in[N - 7] = (char)0x81;
	assert_null(pl_decode(&dec, in, N, &out_len, &bad));
	assert_int_equal(bad, N - 7);
	pl_decoder_release(&dec);
}

/* ---- pl_fold ------------------------------------------------------------ */

static void test_fold__table(void **state)
{
	static const struct {
		const char *what;
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "empty", S(""), "" },
		{ "only spaces", S(" \t\r\n "), "" },
		{ "only NBSP", S("\xC2\xA0\xC2\xA0"), "" },
		{ "ascii case", S("PersonNummer"), "personnummer" },
		{ "punctuation kept", S("@[`{A-Z_0]"), "@[`{a-z_0]" },
		{ "trim", S("  Kommun  "), "kommun" },
		{ "collapse", S("Insats \t  typ"), "insats typ" },
		{ "line breaks", S("Start\r\ndatum"), "start datum" },
		{ "NBSP between words", S("F\xC3\xB6" "dd\xC2\xA0" "datum"), "f\xC3\xB6" "dd datum" },
		{ "NBSP and spaces mixed", S("a \xC2\xA0\t\xC2\xA0 b"), "a b" },
		{ "NBSP trimmed", S("\xC2\xA0x\xC2\xA0"), "x" },
		{ "A-ring A-umlaut O-umlaut", S("\xC3\x85\xC3\x84\xC3\x96"), "\xC3\xA5\xC3\xA4\xC3\xB6" },
		{ "E-acute", S("\xC3\x89TAT"), "\xC3\xA9tat" },
		{ "U-umlaut", S("M\xC3\x9CNCHEN"), "m\xC3\xBCnchen" },
		{ "A-grave first of range", S("\xC3\x80"), "\xC3\xA0" },
		{ "Thorn last of range", S("\xC3\x9E"), "\xC3\xBE" },
		{ "multiplication sign kept", S("2\xC3\x97" "3"), "2\xC3\x97" "3" },
		{ "sharp s kept", S("STRA\xC3\x9F" "E"), "stra\xC3\x9F" "e" },
		{ "lower case kept", S("\xC3\xA5r"), "\xC3\xA5r" },
		{ "Omega not folded", S("\xCE\xA9"), "\xCE\xA9" },
		{ "lone C3 at end", S("A\xC3"), "a\xC3" },
		{ "lone C2 at end is not NBSP", S("a\xC2"), "a\xC2" },
		{ "all together", S(" \xC2\xA0" "F\xC3\x96RNAMN\xC2\xA0\xC2\xA0(\xC3\x85R) \r\n"),
		  "f\xC3\xB6rnamn (\xC3\xA5r)" },
	};
	struct pl_buf out;

	(void)state;
	pl_buf_init(&out);
	pl_buf_append(&out, "stale", 5); /* a used buffer: see the fresh-buffer test below */
	for (size_t i = 0; i < N_OF(cases); i++) {
		const char *r = pl_fold(cases[i].in, cases[i].len, &out);

		assert_ptr_equal(r, out.data);
		if (strcmp(r, cases[i].out) != 0)
			fail_msg("%s: '%s', want '%s'", cases[i].what, r, cases[i].out);
		assert_int_equal(out.len, strlen(cases[i].out));
	}
	pl_buf_release(&out);
}

static void test_fold__respects_len_and_resets_out(void **state)
{
	struct pl_buf out;

	(void)state;
	pl_buf_init(&out);
	pl_buf_append(&out, "old", 3);
	assert_string_equal(pl_fold("ABCDEF", 3, &out), "abc");
	assert_int_equal(out.len, 3);
	/* a NBSP cut in half by len is not white space */
	assert_string_equal(pl_fold("x\xC2\xA0", 2, &out), "x\xC2");
	pl_buf_release(&out);
}

/*
 * Regression: folding to nothing (an empty or all-blank header cell, an
 * alias of only NBSP) into a buffer that has never held anything returned
 * unterminated heap bytes, because pl_buf_grow() allocates without writing
 * the terminating NUL and pl_fold() then appends nothing.
 */
static void test_fold__blank_input_on_fresh_buffer_is_empty_string(void **state)
{
	static const struct {
		const char *in;
		size_t len;
	} cases[] = {
		{ S("") }, { S("   ") }, { S("\t\r\n") }, { S("\xC2\xA0") },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		struct pl_buf out;
		void *prime = malloc(64);

		/* leave non-zero bytes where the buffer will be allocated */
		assert_non_null(prime);
		memset(prime, 'x', 64);
		free(prime);
		char first;

		pl_buf_init(&out);
		pl_fold(cases[i].in, cases[i].len, &out);
		assert_int_equal(out.len, 0);
		assert_non_null(out.data);
		first = out.data[0];
		pl_buf_release(&out);
		if (first != '\0')
			fail_msg("case %zu: fold of a blank string is not terminated", i);
	}
}

/* ---- pl_find_control ---------------------------------------------------- */

/* The byte-by-byte definitions the word-at-a-time scans must agree with. */
static long ref_find_control(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') || s[i] == 0x7F)
			return (long)i;
	return -1;
}

/* pl_utf8_valid as it was, one byte at a time. */
static int ref_utf8_valid(const unsigned char *s, size_t len, size_t *bad_off)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned long cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			n = 1; cp = c & 0x1F; min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2; cp = c & 0x0F; min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			break;
		}
		if (len - i <= n)
			break;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			break;
		i += n + 1;
	}
	if (i == len)
		return 1;
bad:
	*bad_off = i;
	return 0;
}

/* pl_find_control and pl_utf8_valid look at 8 bytes at a time: on random
 * strings (mostly ASCII, every offset and length) they must give the same
 * answers as the byte loops they replace. */
static void test_scans__word_at_a_time_agree_with_bytes(void **state)
{
	static const unsigned char special[] = {
		0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xBF, 0xC3, 0xA5,
		0xE2, 0x82, 0xAC, 0xED, 0xF0, 0x9F, 0xFF,
	};
	unsigned char buf[64];

	(void)state;
	srand(7);
	for (int t = 0; t < 20000; t++) {
		size_t len = (size_t)(rand() % 40), off = (size_t)(rand() % 8), bad = 0;
		const unsigned char *s = buf + off;
		long want;

		for (size_t k = 0; k < len; k++)
			buf[off + k] = rand() % 6 ? (unsigned char)(' ' + rand() % 95)
				     : special[rand() % (int)N_OF(special)];
		want = ref_find_control(s, len);
		if (pl_find_control((const char *)s, len) != want)
			fail_msg("find_control: %ld, want %ld (len %zu)",
				 pl_find_control((const char *)s, len), want, len);
		{
			size_t ref_bad = 0;
			int ref = ref_utf8_valid(s, len, &ref_bad);

			bad = 0;
			assert_int_equal(pl_utf8_valid((const char *)s, len, &bad), ref);
			if (!ref)
				assert_int_equal(bad, ref_bad);
		}
	}
}

static void test_find_control__table(void **state)
{
	static const struct {
		const char *what;
		const char *s;
		size_t len;
		long off;
	} cases[] = {
		{ "empty", S(""), -1 },
		{ "plain", S("Lundby 12"), -1 },
		{ "tab lf cr allowed", S("a\tb\r\nc"), -1 },
		{ "NUL", S("\0"), 0 },
		{ "SOH", S("ab\x01"), 2 },
		{ "vertical tab", S("x\x0By"), 1 },
		{ "form feed", S("\x0C"), 0 },
		{ "ESC", S("\x1B[0m"), 0 },
		{ "unit separator", S("a\x1F"), 1 },
		{ "DEL", S("abc\x7F"), 3 },
		{ "first of two", S("a\x02\x03"), 1 },
		{ "after UTF-8", S("\xC3\xA5\x07"), 2 },
		{ "UTF-8 bytes are not controls", S("\xC3\xA5\xE2\x82\xAC\xC2\x85\xFF"), -1 },
		{ "space is not", S(" "), -1 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		long off = pl_find_control(cases[i].s, cases[i].len);

		if (off != cases[i].off)
			fail_msg("%s: %ld, want %ld", cases[i].what, off, cases[i].off);
	}
	/* only len bytes are looked at */
	assert_int_equal(pl_find_control("ab\x01", 2), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding__parse_and_name),
		cmocka_unit_test(test_utf8_valid__table),
		cmocka_unit_test(test_utf8_valid__length_bounds_the_scan),
		cmocka_unit_test(test_decode__utf8_passes_valid_and_rejects_invalid),
		cmocka_unit_test(test_decode__utf8_has_no_iconv),
		cmocka_unit_test(test_decode__cp1252_examples),
		cmocka_unit_test(test_decode__cp1252_every_byte),
		cmocka_unit_test(test_decode__latin1_every_byte_is_valid),
		cmocka_unit_test(test_decode__long_field_and_buffer_reuse),
		cmocka_unit_test(test_decode__table_agrees_with_iconv),
		cmocka_unit_test(test_decode__str_returns_the_field_when_nothing_changes),
		cmocka_unit_test(test_scans__word_at_a_time_agree_with_bytes),
		cmocka_unit_test(test_fold__table),
		cmocka_unit_test(test_fold__respects_len_and_resets_out),
		cmocka_unit_test(test_fold__blank_input_on_fresh_buffer_is_empty_string),
		cmocka_unit_test(test_find_control__table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

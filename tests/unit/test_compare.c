/*
 * tests/unit/test_compare.c - lib/compare: Jaro-Winkler against published
 * values and on UTF-8, name keys, and every level of every comparison with
 * its boundaries, missing values and symmetry.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "text.h"
#include "value.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- pl_jaro_winkler ------------------------------------------------------ */

static void test_jaro_winkler__reference_values(void **state)
{
	/* want: the exact value to 1e-9 (Python reference of the same
	 * definition); published: rounded as published, where one is. */
	static const struct {
		const char *a, *b;
		double want;
		double published;   /* < 0: none */
	} cases[] = {
		/* Winkler (1990) and the usual textbook examples */
		{ "MARTHA", "MARHTA", 0.9611111111, 0.961 },
		{ "DWAYNE", "DUANE", 0.84, 0.84 },
		{ "DIXON", "DICKSONX", 0.8133333333, 0.813 },
		{ "JELLYFISH", "SMELLYFISH", 0.8962962963, 0.896 },
		/* identical, empty */
		{ "MARTHA", "MARTHA", 1.0, 1.0 },
		{ "", "", 1.0, -1 },
		{ "", "a", 0.0, -1 },
		{ "anna", "", 0.0, -1 },
		/* no matches at all: window 0 for two characters */
		{ "ab", "ba", 0.0, -1 },
		{ "ab", "b", 0.0, -1 },
		{ "anna", "bo", 0.0, -1 },
		{ "abc", "abd", 0.8222222222, -1 },
		/* half the out-of-order matches, rounded down (3 -> 1) */
		{ "åäö", "åöä", 0.6, -1 },
		{ "crate", "trace", 0.7333333333, -1 },
		/* the Winkler bonus also below a Jaro of 0.7 (jaro 2/3) */
		{ "abcdxyzw", "abcdefgh", 0.8, -1 },
		/* the prefix counts up to four characters, not seven */
		{ "abcdefgh", "abcdefgx", 0.95, -1 },
		/* names */
		{ "johansson", "johanson", 0.9777777778, -1 },
		{ "andersson", "andersen", 0.9305555556, -1 },
		{ "nilsson", "nielsen", 0.8476190476, -1 },
		{ "kristina", "christina", 0.8842592593, -1 },
		{ "fredrik", "fredrika", 0.975, -1 },
		{ "maria", "marie", 0.92, -1 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		double ab = pl_jaro_winkler(cases[i].a, cases[i].b);
		double ba = pl_jaro_winkler(cases[i].b, cases[i].a);

		if (fabs(ab - cases[i].want) > 1e-9)
			fail_msg("%s/%s: %.10f, want %.10f", cases[i].a, cases[i].b, ab,
				 cases[i].want);
		if (cases[i].published >= 0 && fabs(ab - cases[i].published) >= 0.0005)
			fail_msg("%s/%s: %.10f, published %.3f", cases[i].a, cases[i].b, ab,
				 cases[i].published);
		if (ab != ba)
			fail_msg("%s/%s: %.17g one way, %.17g the other", cases[i].a,
				 cases[i].b, ab, ba);
	}
}

static void test_jaro_winkler__utf8_by_code_point(void **state)
{
	static const struct {
		const char *what, *a, *b;
		double want;
	} cases[] = {
		/* byte-wise, Å (C3 85) vs A would leave 85 unmatched */
		{ "Å is one character", "Åström", "Aström", 0.8888888889 },
		{ "ö twice", "Söderström", "Soderstrom", 0.88 },
		{ "ö in the prefix", "Jönsson", "Jönson", 0.9714285714 },
		{ "å ä ö are not a a o", "ÅÄÖ", "AAO", 0.0 },
		{ "å vs a", "åsa", "asa", 0.7777777778 },
		{ "same letters", "Åsa Öberg", "Åsa Öberg", 1.0 },
		/* three-byte € and four-byte emoji are one character each */
		{ "euro", "a\xE2\x82\xAC" "b", "a\xE2\x82\xAC" "c", 0.7777777778 + 0.2 * (1 - 0.7777777778) },
		{ "emoji", "\xF0\x9F\x98\x80x", "\xF0\x9F\x98\x80y", 0.7 },
		/* malformed: a lone byte is its Latin-1 character */
		{ "Latin-1 å byte", "\xE5sa", "åsa", 1.0 },
		{ "cut sequence", "ab\xC3", "ab\xC3\xA5", 0.8222222222 },
		{ "stray continuation", "\x85" "ab", "\xC2\x85" "ab", 1.0 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		double ab = pl_jaro_winkler(cases[i].a, cases[i].b);

		if (fabs(ab - cases[i].want) > 1e-9)
			fail_msg("%s: %.10f, want %.10f", cases[i].what, ab, cases[i].want);
		if (ab != pl_jaro_winkler(cases[i].b, cases[i].a))
			fail_msg("%s: not symmetric", cases[i].what);
	}
}

static void test_jaro_winkler__long_input_truncated_at_64_code_points(void **state)
{
	char a[1001], b[1001], c[200];

	(void)state;
	memset(a, 'x', 1000);
	a[1000] = '\0';
	memcpy(b, a, sizeof(b));
	b[64] = 'y'; /* the 65th character: not looked at */
	assert_true(pl_jaro_winkler(a, b) == 1.0);
	b[63] = 'y'; /* the 64th: looked at */
	assert_true(pl_jaro_winkler(a, b) < 1.0);
	/* 64 two-byte characters (128 bytes) and a difference after them */
	for (int i = 0; i < 64; i++)
		memcpy(c + 2 * i, "\xC3\xB6", 2);
	strcpy(c + 128, "abc");
	assert_true(pl_jaro_winkler(c, a) == 0.0);
	memcpy(a, c, 128);
	strcpy(a + 128, "zzz");
	assert_true(pl_jaro_winkler(c, a) == 1.0);
	assert_true(pl_jaro_winkler(NULL, "") == 1.0);
	assert_true(pl_jaro_winkler("a", NULL) == 0.0);
}

/* Every pair of strings over {a, b, c} of length 0..5 (131769 pairs):
 * symmetric to the last bit, within [0, 1], 1 only when equal. */
static void test_jaro_winkler__symmetric_on_all_short_strings(void **state)
{
	enum { MAX_LEN = 5, N_STR = 1 + 3 + 9 + 27 + 81 + 243 };
	static char str[N_STR][MAX_LEN + 1];
	size_t n = 0;

	(void)state;
	for (int len = 0; len <= MAX_LEN; len++) {
		int count = 1;

		for (int k = 0; k < len; k++)
			count *= 3;
		for (int v = 0; v < count; v++, n++) {
			int x = v;

			for (int k = 0; k < len; k++, x /= 3)
				str[n][k] = (char)('a' + x % 3);
			str[n][len] = '\0';
		}
	}
	assert_int_equal(n, N_STR);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i; j < n; j++) {
			double ab = pl_jaro_winkler(str[i], str[j]);
			double ba = pl_jaro_winkler(str[j], str[i]);

			if (ab != ba || ab < 0.0 || ab > 1.0 || (ab == 1.0) != (i == j))
				fail_msg("'%s' '%s': %.17g, %.17g", str[i], str[j], ab, ba);
		}
	}
}

/* Not a timing test (timings are measured by hand, see the report of the
 * change that added this): 1e6 calls on ten-character names must run, and
 * return the same as single calls. */
static void test_jaro_winkler__million_calls(void **state)
{
	static const char *const names[][2] = {
		{ "johanssonx", "johansonxy" },
		{ "anderssonx", "andersenxy" },
		{ "karlsson_a", "carlsson_a" },
		{ "lindqvistx", "lindkvistx" },
		{ "söderström", "soderstrom" },
		{ "abcdefghij", "klmnopqrst" },
		{ "eriksson_k", "eriksson_k" },
		{ "gustafsson", "gustavsson" },
	};
	double want = 0.0, sum = 0.0;

	(void)state;
	for (size_t k = 0; k < N_OF(names); k++)
		want += pl_jaro_winkler(names[k][0], names[k][1]);
	want *= 1000000 / N_OF(names);
	for (long i = 0; i < 1000000; i++) {
		size_t k = (size_t)i % N_OF(names);

		sum += pl_jaro_winkler(names[k][0], names[k][1]);
	}
	assert_true(fabs(sum - want) < 1e-6 * want);
}

/* ---- pl_name_key ---------------------------------------------------------- */

static void test_name_key__table(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "  ANNA-KARIN ", "anna karin" },
		{ "anna  karin", "anna karin" },
		{ "Anna - Karin", "anna karin" },
		{ "--anna--", "anna" },
		{ "D'Ascenzo", "d ascenzo" },
		{ "O\xE2\x80\x99" "Brien", "o brien" },        /* U+2019 */
		{ "O\xE2\x80\x98" "Hara", "o hara" },          /* U+2018 */
		{ "N\xCA\xBC" "Diaye", "n diaye" },            /* U+02BC */
		{ "Ma\xC2\xB4ria", "ma ria" },                 /* U+00B4 */
		{ "Mc`Kay", "mc kay" },
		{ "Jean\xE2\x80\x90Luc", "jean luc" },         /* U+2010 */
		{ "Jean\xE2\x80\x91Luc", "jean luc" },         /* U+2011 */
		{ "\xC3\x84rlig\xE2\x80\x93\xC3\x96st", "\xC3\xA4rlig \xC3\xB6st" }, /* en dash */
		{ "Nils\xE2\x80\x94" "Erik", "nils erik" },       /* em dash */
		{ "\xC3\x85ke\xE2\x88\x92\xC3\x96" "berg", "\xC3\xA5ke \xC3\xB6" "berg" }, /* minus */
		{ "a'-'b", "a b" },
		/* Swedish letters are lower-cased and kept */
		{ "\xC3\x85SA", "\xC3\xA5sa" },
		{ "\xC3\x96STERLUND", "\xC3\xB6sterlund" },
		{ "\xC3\xA4lmhult", "\xC3\xA4lmhult" },
		{ "\xC3\x89mile", "\xC3\xA9mile" },
		{ "M\xC3\x9CLLER", "m\xC3\xBCller" },
		/* white space as pl_fold sees it, NBSP included */
		{ "\t Lars \xC2\xA0 Erik\n", "lars erik" },
		/* other punctuation stays */
		{ "St. Clair", "st. clair" },
		{ "", "" },
		{ "   ", "" },
		{ "-", "" },
		{ "' - '", "" },
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		pl_name_key(cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("'%s': '%s', want '%s'", cases[i].in, out, cases[i].want);
	}
	memset(out, 'x', sizeof(out));
	pl_name_key(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

/* Without hyphens or apostrophes the key is pl_fold's output. */
static void test_name_key__is_pl_fold_without_separators(void **state)
{
	static const char *const in[] = {
		"Anna", "  KARL  GUSTAV ", "\xC3\x85\xC3\x84\xC3\x96 \xC3\xA5\xC3\xA4\xC3\xB6",
		"\xC3\x80\xC3\x9E\xC3\x97", "x\xC2\xA0\xC2\xA0y", "a\tb\r\nc", "\xC3",
	};
	struct pl_buf buf;
	char out[64];

	(void)state;
	pl_buf_init(&buf);
	for (size_t i = 0; i < N_OF(in); i++) {
		pl_name_key(in[i], out, sizeof(out));
		assert_string_equal(out, pl_fold(in[i], strlen(in[i]), &buf));
	}
	pl_buf_release(&buf);
}

static void test_name_key__cut_at_character_boundary(void **state)
{
	static const struct {
		const char *in;
		size_t size;
		const char *want;
	} cases[] = {
		{ "\xC3\x85SA", 1, "" },
		{ "\xC3\x85SA", 2, "" },                 /* å needs 2 bytes + NUL */
		{ "\xC3\x85SA", 3, "\xC3\xA5" },
		{ "\xC3\x85SA", 4, "\xC3\xA5s" },
		{ "\xC3\x85SA", 5, "\xC3\xA5sa" },
		{ "anna-karin", 5, "anna" },
		{ "anna-karin", 6, "anna" },              /* no trailing space */
		{ "anna-karin", 7, "anna k" },
		{ "a\xE2\x82\xAC", 4, "a" },              /* € is three bytes */
		{ "a\xE2\x82\xAC", 5, "a\xE2\x82\xAC" },
	};
	char out[16];

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		memset(out, 'x', sizeof(out));
		pl_name_key(cases[i].in, out, cases[i].size);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("'%s' in %zu: '%s', want '%s'", cases[i].in, cases[i].size,
				 out, cases[i].want);
		assert_true(out[cases[i].size] == 'x'); /* nothing written past size */
	}
	out[0] = 'x';
	pl_name_key("anna", out, 0);
	assert_true(out[0] == 'x');
}

/* ---- pl_cmp_name ---------------------------------------------------------- */

static void test_cmp_name__levels(void **state)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{ "anna", "anna", PL_CMP_NAME_EXACT },
		{ "\xC3\xA5sa", "\xC3\xA5sa", PL_CMP_NAME_EXACT },
		/* the 0.92 boundary: exactly 0.92 is in, 0.911 and 0.867 are not */
		{ "maria", "marie", PL_CMP_NAME_JW92 },
		{ "abcdefghij", "abcdefghyz", PL_CMP_NAME_JW92 },
		{ "andersson", "andersen", PL_CMP_NAME_JW92 },      /* 0.931 */
		{ "anna", "hanna", PL_CMP_NAME_JW92 },              /* 0.933 */
		{ "martha", "marhta", PL_CMP_NAME_JW92 },
		{ "ab", "abc", PL_CMP_NAME_JW80 },                  /* 0.911 */
		{ "abcdefghij", "abcdefgxyzw", PL_CMP_NAME_JW80 },  /* 0.867 */
		/* the 0.80 boundary: exactly 0.80 is in, 0.779 is not */
		{ "abcdefghij", "xbcdefghyz", PL_CMP_NAME_JW80 },   /* Jaro alone */
		{ "abcdxyzw", "abcdefgh", PL_CMP_NAME_JW80 },       /* with prefix */
		{ "a", "a b", PL_CMP_NAME_JW80 },
		{ "dwayne", "duane", PL_CMP_NAME_JW80 },
		{ "dixon", "dicksonx", PL_CMP_NAME_JW80 },
		{ "erik", "eric", PL_CMP_NAME_JW80 },
		{ "karl", "carl", PL_CMP_NAME_JW80 },
		{ "g\xC3\xB6ran", "goran", PL_CMP_NAME_JW80 },
		{ "abcdefghij", "xbcdefghyzw", PL_CMP_ELSE },       /* 0.779 */
		{ "\xC3\xA5sa", "asa", PL_CMP_ELSE },               /* 0.778 */
		{ "lars", "nils", PL_CMP_ELSE },
		{ "anna", "bo", PL_CMP_ELSE },
		/* missing */
		{ "", "anna", PL_CMP_MISSING },
		{ "", "", PL_CMP_MISSING },
		{ NULL, "anna", PL_CMP_MISSING },
		{ NULL, NULL, PL_CMP_MISSING },
	};

	(void)state;
	assert_int_equal(PL_CMP_NAME_EXACT, 3);
	assert_int_equal(PL_CMP_NAME_JW92, 2);
	assert_int_equal(PL_CMP_NAME_JW80, 1);
	for (size_t i = 0; i < N_OF(cases); i++) {
		int ab = pl_cmp_name(cases[i].a, cases[i].b);
		int ba = pl_cmp_name(cases[i].b, cases[i].a);

		if (ab != cases[i].want || ba != cases[i].want)
			fail_msg("%s/%s: %d and %d, want %d", cases[i].a ? cases[i].a : "NULL",
				 cases[i].b ? cases[i].b : "NULL", ab, ba, cases[i].want);
	}
}

/* Keys, not raw names, are compared: the caller normalises once per record. */
static void test_cmp_name__on_name_keys(void **state)
{
	char a[64], b[64];

	(void)state;
	assert_int_equal(pl_cmp_name("ANNA", "anna"), PL_CMP_ELSE);
	pl_name_key("  ANNA-KARIN", a, sizeof(a));
	pl_name_key("anna karin ", b, sizeof(b));
	assert_int_equal(pl_cmp_name(a, b), PL_CMP_NAME_EXACT);
	pl_name_key("   ", a, sizeof(a));
	assert_int_equal(pl_cmp_name(a, b), PL_CMP_MISSING);
}

/* ---- pl_cmp_names_swapped ------------------------------------------------- */

static void test_cmp_names_swapped__table(void **state)
{
	static const struct {
		const char *fa, *la, *fb, *lb;
		int want;
	} cases[] = {
		{ "anna", "svensson", "svensson", "anna", 1 },
		{ "lars erik", "\xC3\xB6" "berg", "\xC3\xB6" "berg", "lars erik", 1 },
		{ "anna", "svensson", "anna", "svensson", 0 },   /* agree: no swap */
		{ "anna", "anna", "anna", "anna", 0 },
		{ "anna", "svensson", "svensson", "berg", 0 },   /* half a swap */
		{ "anna", "svensson", "karin", "anna", 0 },
		{ "anna", "svensson", "svenson", "anna", 0 },    /* exact only */
		{ "anna", "", "", "anna", 0 },
		{ "", "", "", "", 0 },
		{ NULL, "svensson", "svensson", NULL, 0 },
		{ "anna", "svensson", "svensson", NULL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		int ab = pl_cmp_names_swapped(cases[i].fa, cases[i].la, cases[i].fb, cases[i].lb);
		int ba = pl_cmp_names_swapped(cases[i].fb, cases[i].lb, cases[i].fa, cases[i].la);

		if (ab != cases[i].want || ba != cases[i].want)
			fail_msg("row %zu: %d and %d, want %d", i, ab, ba, cases[i].want);
	}
}

/* ---- pl_cmp_date ---------------------------------------------------------- */

#define D(y, m, d) { y, m, d }

static void test_cmp_date__levels(void **state)
{
	static const struct {
		const char *what;
		struct pl_date a, b;
		int want;
	} cases[] = {
		{ "same day", D(1980, 3, 14), D(1980, 3, 14), PL_CMP_DATE_EXACT },
		{ "next day", D(1980, 3, 14), D(1980, 3, 15), PL_CMP_DATE_TYPO },
		{ "over a month end", D(1980, 3, 31), D(1980, 4, 1), PL_CMP_DATE_TYPO },
		{ "over a year end", D(1979, 12, 31), D(1980, 1, 1), PL_CMP_DATE_TYPO },
		{ "leap day before", D(1980, 2, 28), D(1980, 2, 29), PL_CMP_DATE_TYPO },
		{ "leap day after", D(1980, 2, 29), D(1980, 3, 1), PL_CMP_DATE_TYPO },
		{ "no leap day", D(1981, 2, 28), D(1981, 3, 1), PL_CMP_DATE_TYPO },
		{ "two days", D(1980, 3, 14), D(1980, 3, 16), PL_CMP_DATE_MONTH },
		{ "two days over a month end", D(1980, 3, 31), D(1980, 4, 2), PL_CMP_ELSE },
		{ "day and month swapped", D(1980, 3, 4), D(1980, 4, 3), PL_CMP_DATE_TYPO },
		{ "day and month swapped 2", D(1980, 12, 11), D(1980, 11, 12), PL_CMP_DATE_TYPO },
		{ "swapped, other year", D(1980, 3, 4), D(1981, 4, 3), PL_CMP_ELSE },
		{ "digits of the day", D(1980, 3, 12), D(1980, 3, 21), PL_CMP_DATE_TYPO },
		{ "digits of the month", D(1980, 1, 23), D(1980, 10, 23), PL_CMP_DATE_TYPO },
		{ "digits of the year", D(1980, 3, 12), D(1908, 3, 12), PL_CMP_DATE_TYPO },
		{ "century digits", D(1980, 3, 12), D(9180, 3, 12), PL_CMP_DATE_TYPO },
		{ "month|day digits", D(1980, 1, 31), D(1980, 3, 11), PL_CMP_DATE_TYPO },
		{ "year|month digits", D(1981, 1, 5), D(1980, 11, 5), PL_CMP_DATE_TYPO },
		{ "digits two apart", D(1980, 3, 12), D(1980, 2, 13), PL_CMP_ELSE },
		{ "two transpositions", D(1980, 3, 12), D(1908, 3, 21), PL_CMP_ELSE },
		{ "same month", D(1980, 3, 1), D(1980, 3, 28), PL_CMP_DATE_MONTH },
		{ "one digit of the month", D(1980, 3, 14), D(1980, 8, 14), PL_CMP_ELSE },
		{ "one digit of the year", D(1980, 3, 14), D(1981, 3, 14), PL_CMP_ELSE },
		{ "same month, other year", D(1980, 3, 14), D(1990, 3, 14), PL_CMP_ELSE },
		{ "far apart", D(1950, 6, 1), D(2001, 11, 30), PL_CMP_ELSE },
		{ "missing a", D(0, 0, 0), D(1980, 3, 14), PL_CMP_MISSING },
		{ "missing a, month set", D(0, 3, 14), D(1980, 3, 14), PL_CMP_MISSING },
		{ "missing both", D(0, 0, 0), D(0, 0, 0), PL_CMP_MISSING },
	};
	static const struct pl_date some = D(1980, 3, 14);

	(void)state;
	assert_int_equal(PL_CMP_DATE_EXACT, 3);
	assert_int_equal(PL_CMP_DATE_TYPO, 2);
	assert_int_equal(PL_CMP_DATE_MONTH, 1);
	for (size_t i = 0; i < N_OF(cases); i++) {
		int ab = pl_cmp_date(&cases[i].a, &cases[i].b);
		int ba = pl_cmp_date(&cases[i].b, &cases[i].a);

		if (ab != cases[i].want || ba != cases[i].want)
			fail_msg("%s: %d and %d, want %d", cases[i].what, ab, ba, cases[i].want);
	}
	assert_int_equal(pl_cmp_date(NULL, &some), PL_CMP_MISSING);
	assert_int_equal(pl_cmp_date(&some, NULL), PL_CMP_MISSING);
}

/* Every pair of days of 1979-12-01 .. 1981-01-31: symmetric; exact only on
 * the same day; neighbours always at least PL_CMP_DATE_TYPO. */
static void test_cmp_date__all_pairs_over_a_year(void **state)
{
	enum { MAX_DAYS = 500 };
	static struct pl_date day[MAX_DAYS];
	struct pl_date d = D(1979, 12, 1);
	size_t n = 0;

	(void)state;
	while (!(d.year == 1981 && d.month == 2)) {
		assert_true(n < MAX_DAYS);
		day[n++] = d;
		if (++d.day > pl_days_in_month(d.year, d.month)) {
			d.day = 1;
			if (++d.month > 12) {
				d.month = 1;
				d.year++;
			}
		}
	}
	assert_int_equal(n, 31 + 366 + 31);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			int ab = pl_cmp_date(&day[i], &day[j]);

			if (ab != pl_cmp_date(&day[j], &day[i]))
				fail_msg("%zu/%zu: not symmetric", i, j);
			if ((ab == PL_CMP_DATE_EXACT) != (i == j))
				fail_msg("%zu/%zu: exact is %d", i, j, ab);
			if ((i + 1 == j || j + 1 == i) && ab != PL_CMP_DATE_TYPO)
				fail_msg("%zu/%zu: neighbours at %d", i, j, ab);
			if (ab < PL_CMP_ELSE || ab > PL_CMP_DATE_EXACT)
				fail_msg("%zu/%zu: level %d", i, j, ab);
		}
	}
}

/* ---- pl_cmp_exact, pl_cmp_sex --------------------------------------------- */

static void test_cmp_exact__table(void **state)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{ "41319", "41319", PL_CMP_EQUAL },
		{ " 413 19 ", "413 19", PL_CMP_EQUAL },
		{ "413  19", "413\t19", PL_CMP_EQUAL },
		{ "413 19", "41319", PL_CMP_ELSE },      /* pl_fold keeps inner space */
		{ "F", "f", PL_CMP_EQUAL },
		{ "M", "F", PL_CMP_ELSE },
		{ "\xC3\x85SA", "\xC3\xA5sa", PL_CMP_EQUAL },
		{ "\xC3\x85", "\xC3\xA5", PL_CMP_EQUAL },
		{ "\xC3\xA0", "\xC3\x80", PL_CMP_EQUAL },
		{ "\xC3\x97", "\xC3\xB7", PL_CMP_ELSE }, /* U+00D7 is not a capital */
		{ "a", "ab", PL_CMP_ELSE },
		{ "ab", "a b", PL_CMP_ELSE },
		{ "a ", "a", PL_CMP_EQUAL },
		{ "a\xC2\xA0" "b", "A B", PL_CMP_EQUAL },
		{ "", "F", PL_CMP_MISSING },
		{ "  ", "F", PL_CMP_MISSING },
		{ "\xC2\xA0", "x", PL_CMP_MISSING },
		{ "", "", PL_CMP_MISSING },
		{ NULL, "F", PL_CMP_MISSING },
		{ NULL, NULL, PL_CMP_MISSING },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		int ab = pl_cmp_exact(cases[i].a, cases[i].b);
		int ba = pl_cmp_exact(cases[i].b, cases[i].a);

		if (ab != cases[i].want || ba != cases[i].want)
			fail_msg("row %zu: %d and %d, want %d", i, ab, ba, cases[i].want);
	}
}

/* pl_cmp_exact folds without a buffer; it must agree with pl_fold on every
 * pair of these. */
static void test_cmp_exact__agrees_with_pl_fold(void **state)
{
	static const char *const s[] = {
		"", " ", "\t\r\n", "\xC2\xA0", " \xC2\xA0 ", "a", "A", " a", "a ", "ab", "a b",
		"a  b", "A\tB", ("a\xC2\xA0" "b"), "\xC3", "a\xC3", "\xC3\x80", "\xC3\xA0",
		"\xC3\x9E", "\xC3\xBE", "\xC3\x9F", "\xC3\x97", "\xC3\xB7", "\xC3\x85sa",
		"\xC3\xA5SA", "\xC3\xA5sa ", "\xC2", "\xC2\xA1", "Z", "z", "[", "@", "`",
		"\xE2\x82\xAC", "x\xC3\xC3\x80", "x\xC3\xC3\xA0",
	};
	struct pl_buf fa, fb;

	(void)state;
	pl_buf_init(&fa);
	pl_buf_init(&fb);
	for (size_t i = 0; i < N_OF(s); i++) {
		for (size_t j = 0; j < N_OF(s); j++) {
			const char *x = pl_fold(s[i], strlen(s[i]), &fa);
			const char *y = pl_fold(s[j], strlen(s[j]), &fb);
			int want = !*x || !*y ? PL_CMP_MISSING : strcmp(x, y) == 0;
			int got = pl_cmp_exact(s[i], s[j]);

			if (got != want)
				fail_msg("%zu/%zu: %d, pl_fold says %d", i, j, got, want);
		}
	}
	pl_buf_release(&fa);
	pl_buf_release(&fb);
}

static void test_cmp_sex__unknown_is_missing(void **state)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{ "F", "F", PL_CMP_EQUAL },
		{ "f", "F", PL_CMP_EQUAL },
		{ "M", "m ", PL_CMP_EQUAL },
		{ "F", "M", PL_CMP_ELSE },
		{ "U", "F", PL_CMP_MISSING },
		{ "u", "M", PL_CMP_MISSING },
		{ " U ", "F", PL_CMP_MISSING },
		{ "U", "U", PL_CMP_MISSING },
		{ "", "F", PL_CMP_MISSING },
		{ NULL, "F", PL_CMP_MISSING },
		{ "UU", "UU", PL_CMP_EQUAL },   /* only "U" itself is unknown */
		{ "U X", "F", PL_CMP_ELSE },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		int ab = pl_cmp_sex(cases[i].a, cases[i].b);
		int ba = pl_cmp_sex(cases[i].b, cases[i].a);

		if (ab != cases[i].want || ba != cases[i].want)
			fail_msg("row %zu: %d and %d, want %d", i, ab, ba, cases[i].want);
	}
}

/* ---- pl_cmp_level_name ---------------------------------------------------- */

static void test_cmp_level_name__every_level(void **state)
{
	static const struct {
		enum pl_cmp_kind kind;
		int level;
		const char *want;
	} cases[] = {
		{ PL_CMP_KIND_NAME, PL_CMP_MISSING, "missing" },
		{ PL_CMP_KIND_NAME, PL_CMP_ELSE, "else" },
		{ PL_CMP_KIND_NAME, PL_CMP_NAME_JW80, "jw>=0.80" },
		{ PL_CMP_KIND_NAME, PL_CMP_NAME_JW92, "jw>=0.92" },
		{ PL_CMP_KIND_NAME, PL_CMP_NAME_EXACT, "exact" },
		{ PL_CMP_KIND_NAME, 4, "?" },
		{ PL_CMP_KIND_SWAP, PL_CMP_MISSING, "?" },
		{ PL_CMP_KIND_SWAP, PL_CMP_ELSE, "else" },
		{ PL_CMP_KIND_SWAP, PL_CMP_SWAPPED, "swapped" },
		{ PL_CMP_KIND_SWAP, 2, "?" },
		{ PL_CMP_KIND_DATE, PL_CMP_MISSING, "missing" },
		{ PL_CMP_KIND_DATE, PL_CMP_ELSE, "else" },
		{ PL_CMP_KIND_DATE, PL_CMP_DATE_MONTH, "same month" },
		{ PL_CMP_KIND_DATE, PL_CMP_DATE_TYPO, "typo" },
		{ PL_CMP_KIND_DATE, PL_CMP_DATE_EXACT, "exact" },
		{ PL_CMP_KIND_DATE, 4, "?" },
		{ PL_CMP_KIND_EXACT, PL_CMP_MISSING, "missing" },
		{ PL_CMP_KIND_EXACT, PL_CMP_ELSE, "else" },
		{ PL_CMP_KIND_EXACT, PL_CMP_EQUAL, "equal" },
		{ PL_CMP_KIND_EXACT, 2, "?" },
		{ PL_CMP_KIND_EXACT, -2, "?" },
		{ (enum pl_cmp_kind)42, 0, "?" },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++)
		assert_string_equal(pl_cmp_level_name(cases[i].kind, cases[i].level),
				    cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jaro_winkler__reference_values),
		cmocka_unit_test(test_jaro_winkler__utf8_by_code_point),
		cmocka_unit_test(test_jaro_winkler__long_input_truncated_at_64_code_points),
		cmocka_unit_test(test_jaro_winkler__symmetric_on_all_short_strings),
		cmocka_unit_test(test_jaro_winkler__million_calls),
		cmocka_unit_test(test_name_key__table),
		cmocka_unit_test(test_name_key__is_pl_fold_without_separators),
		cmocka_unit_test(test_name_key__cut_at_character_boundary),
		cmocka_unit_test(test_cmp_name__levels),
		cmocka_unit_test(test_cmp_name__on_name_keys),
		cmocka_unit_test(test_cmp_names_swapped__table),
		cmocka_unit_test(test_cmp_date__levels),
		cmocka_unit_test(test_cmp_date__all_pairs_over_a_year),
		cmocka_unit_test(test_cmp_exact__table),
		cmocka_unit_test(test_cmp_exact__agrees_with_pl_fold),
		cmocka_unit_test(test_cmp_sex__unknown_is_missing),
		cmocka_unit_test(test_cmp_level_name__every_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

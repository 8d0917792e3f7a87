/*
 * tests/unit/test_pnr.c - lib/pnr: the five accepted shapes of personnummer
 * and samordningsnummer, the Luhn check digit, the century of six-digit
 * dates around the 100th birthday and with '+', leap days, samordningsnummer
 * day bounds, future twelve-digit dates, the order of the checks, and a
 * property test over thousands of generated numbers in every shape.
 *
 * Every identity number here is synthetic: built in code, or a textbook
 * Luhn example.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pnr.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- independent reference helpers (no lib code) ----------------------- */

/* Luhn check digit for nine digits, walking from the right and doubling
 * every other digit starting with the rightmost. */
static int ref_luhn_digit(const char *d9)
{
	int sum = 0, dbl = 1;

	for (int i = 8; i >= 0; i--, dbl = !dbl) {
		int v = (d9[i] - '0') * (dbl ? 2 : 1);

		sum += v / 10 + v % 10;
	}
	return (10 - sum % 10) % 10;
}

static int ref_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int ref_dim(int y, int m)
{
	static const int dim[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && ref_leap(y) ? 29 : dim[m];
}

static int ref_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= ref_dim(y, m);
}

/* <0, 0, >0 as a is before, on, after b. */
static int ref_cmp(const struct pl_date *a, const struct pl_date *b)
{
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	return a->day < b->day ? -1 : a->day > b->day;
}

/* xorshift64*: deterministic, seeded per test. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int rng_int(uint64_t *s, int lo, int hi)
{
	return lo + (int)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

static struct pl_date rng_date(uint64_t *s, int year_lo, int year_hi)
{
	struct pl_date dt;

	dt.year = rng_int(s, year_lo, year_hi);
	dt.month = rng_int(s, 1, 12);
	dt.day = rng_int(s, 1, ref_dim(dt.year, dt.month));
	return dt;
}

/* Compares *got with what the case expects; fail_msg names the input. */
static void check_parse(const char *in, const struct pl_date *ref,
			enum pl_id_type type, enum pl_pnr_flaw flaw, const char *norm,
			const struct pl_date *birth, char sex, const char *what)
{
	struct pl_pnr got;
	enum pl_id_type rc;

	memset(&got, 0x5a, sizeof(got)); /* every field must be written */
	rc = pl_pnr_parse(in, ref, &got);
	if (!memchr(got.norm, '\0', sizeof(got.norm)) || rc != type || got.type != type || got.flaw != flaw ||
	    strcmp(got.norm, norm) != 0 || got.birth.year != birth->year ||
	    got.birth.month != birth->month || got.birth.day != birth->day || got.sex != sex)
		fail_msg("%s: \"%s\" on %04d-%02d-%02d: got %s/%s \"%.12s\" %04d-%02d-%02d '%c'; "
			 "want %s/%s \"%s\" %04d-%02d-%02d '%c'",
			 what, in ? in : "(null)", ref->year, ref->month, ref->day,
			 pl_id_type_code(got.type), pl_pnr_flaw_text(got.flaw), got.norm,
			 got.birth.year, got.birth.month, got.birth.day, got.sex ? got.sex : '0',
			 pl_id_type_code(type), pl_pnr_flaw_text(flaw), norm,
			 birth->year, birth->month, birth->day, sex ? sex : '0');
}

/* ---- pl_luhn_ok --------------------------------------------------------- */

static void test_luhn_ok__textbook_examples(void **state)
{
	(void)state;
	assert_true(pl_luhn_ok("6408233234"));
	assert_true(pl_luhn_ok("8112189876"));
	assert_true(pl_luhn_ok("0000000000"));
	assert_false(pl_luhn_ok("6408233235"));
	assert_false(pl_luhn_ok("8112189875"));
	/* adjacent transposition 34 -> 43 is caught */
	assert_false(pl_luhn_ok("6408233243"));
}

static void test_luhn_ok__every_single_digit_change_fails(void **state)
{
	static const char *const good[] = { "6408233234", "8112189876" };

	(void)state;
	for (size_t g = 0; g < N_OF(good); g++) {
		for (int pos = 0; pos < 10; pos++) {
			for (char c = '0'; c <= '9'; c++) {
				char d[10];

				memcpy(d, good[g], 10);
				if (d[pos] == c)
					continue;
				d[pos] = c;
				if (pl_luhn_ok(d))
					fail_msg("%.10s accepted", d);
			}
		}
	}
}

static void test_luhn_ok__non_digits_fail(void **state)
{
	(void)state;
	assert_false(pl_luhn_ok("640823323X"));
	assert_false(pl_luhn_ok("640823-323"));
	assert_false(pl_luhn_ok("64082 3234"));
	/* with c - '0' taken as the value, '=' (13 -> 4), 'G' (23 -> 14) and
	 * '*' (-6) would each complete the Luhn sum of 640823323 */
	assert_false(pl_luhn_ok("640823323="));
	assert_false(pl_luhn_ok("640823323G"));
	assert_false(pl_luhn_ok("640823323*"));
	assert_false(pl_luhn_ok("/408233234"));
}

static void test_luhn_ok__agrees_with_reference(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (int n = 0; n < 20000; n++) {
		char d[10];
		int n_ok = 0;

		for (int i = 0; i < 9; i++)
			d[i] = (char)('0' + rng_int(&seed, 0, 9));
		for (int c = 0; c <= 9; c++) {
			int ok;

			d[9] = (char)('0' + c);
			ok = pl_luhn_ok(d);
			n_ok += ok;
			if (ok != (c == ref_luhn_digit(d)))
				fail_msg("%.10s: %d, reference says %d", d, ok, c == ref_luhn_digit(d));
		}
		assert_int_equal(n_ok, 1);
	}
}

/* ---- pl_pnr_parse: the table --------------------------------------------- */

struct pnr_case {
	const char *in;
	struct pl_date ref;
	enum pl_id_type type;
	enum pl_pnr_flaw flaw;
	const char *norm;
	struct pl_date birth;
	char sex;
};

#define D(y, m, d) { y, m, d }
#define R D(2024, 6, 15)
#define PNR(in, ref, norm, y, m, d, sex) \
	{ in, ref, PL_ID_PNR, PL_PNR_OK, norm, { y, m, d }, sex }
#define SAM(in, ref, norm, y, m, d, sex) \
	{ in, ref, PL_ID_SAMNR, PL_PNR_OK, norm, { y, m, d }, sex }
#define BAD(in, ref, flaw) { in, ref, PL_ID_NONE, flaw, "", { 0, 0, 0 }, 0 }

static const struct pnr_case cases[] = {
	/* textbook Luhn examples */
	PNR("640823-3234", R, "196408233234", 1964, 8, 23, 'M'),
	PNR("811218-9876", R, "198112189876", 1981, 12, 18, 'M'),

	/* the five accepted shapes of one number */
	PNR("6408233234", R, "196408233234", 1964, 8, 23, 'M'),
	PNR("196408233234", R, "196408233234", 1964, 8, 23, 'M'),
	PNR("19640823-3234", R, "196408233234", 1964, 8, 23, 'M'),
	PNR("640823+3234", R, "186408233234", 1864, 8, 23, 'M'),
	PNR("18640823-3234", R, "186408233234", 1864, 8, 23, 'M'),
	PNR("186408233234", R, "186408233234", 1864, 8, 23, 'M'),

	/* sex from the last serial digit */
	PNR("640823-3226", R, "196408233226", 1964, 8, 23, 'F'),
	PNR("640823-3200", R, "196408233200", 1964, 8, 23, 'F'),
	PNR("640823-3291", R, "196408233291", 1964, 8, 23, 'M'),
	PNR("811218-9801", R, "198112189801", 1981, 12, 18, 'F'),

	/* surrounding white space is ignored */
	PNR("  640823-3234", R, "196408233234", 1964, 8, 23, 'M'),
	PNR("640823-3234\t\n", R, "196408233234", 1964, 8, 23, 'M'),
	PNR(" \t 196408233234 \r\n", R, "196408233234", 1964, 8, 23, 'M'),
	PNR("\v6408233234\f", R, "196408233234", 1964, 8, 23, 'M'),

	/* empty */
	BAD(NULL, R, PL_PNR_EMPTY),
	BAD("", R, PL_PNR_EMPTY),
	BAD(" ", R, PL_PNR_EMPTY),
	BAD("     ", R, PL_PNR_EMPTY),
	BAD(" \t\r\n", R, PL_PNR_EMPTY),

	/* malformed: lengths */
	BAD("6", R, PL_PNR_SHAPE),
	BAD("640823", R, PL_PNR_SHAPE),
	BAD("640823-", R, PL_PNR_SHAPE),
	BAD("640823323", R, PL_PNR_SHAPE),          /* 9 digits */
	BAD("64082332341", R, PL_PNR_SHAPE),        /* 11 digits */
	BAD("1964082332341", R, PL_PNR_SHAPE),      /* 13 digits */
	BAD("19640823323", R, PL_PNR_SHAPE),        /* 11 digits */
	BAD("640823-323", R, PL_PNR_SHAPE),
	BAD("640823-32345", R, PL_PNR_SHAPE),
	BAD("64082-3234", R, PL_PNR_SHAPE),
	BAD("19640823-323", R, PL_PNR_SHAPE),
	BAD("19640823-32345", R, PL_PNR_SHAPE),
	BAD("1964082-3234", R, PL_PNR_SHAPE),
	BAD("64082332341234567890", R, PL_PNR_SHAPE),
	/* malformed: separators in the wrong place or of the wrong kind */
	BAD("6408233-234", R, PL_PNR_SHAPE),
	BAD("64082-33234", R, PL_PNR_SHAPE),
	BAD("640823/3234", R, PL_PNR_SHAPE),
	BAD("640823 3234", R, PL_PNR_SHAPE),
	BAD("640823_3234", R, PL_PNR_SHAPE),
	BAD("640823.3234", R, PL_PNR_SHAPE),
	BAD("640823:3234", R, PL_PNR_SHAPE),
	BAD("640823--3234", R, PL_PNR_SHAPE),
	BAD("640823+-3234", R, PL_PNR_SHAPE),
	BAD("640823\t3234", R, PL_PNR_SHAPE),
	BAD("19640823+3234", R, PL_PNR_SHAPE),      /* '+' only with six-digit dates */
	BAD("19640823/3234", R, PL_PNR_SHAPE),
	BAD("19640823 3234", R, PL_PNR_SHAPE),
	BAD("1964-08-23-3234", R, PL_PNR_SHAPE),
	BAD("1964082-33234", R, PL_PNR_SHAPE),
	BAD("-640823-3234", R, PL_PNR_SHAPE),
	BAD("+6408233234", R, PL_PNR_SHAPE),
	BAD("6408233234-", R, PL_PNR_SHAPE),
	BAD("640823-3234-", R, PL_PNR_SHAPE),
	BAD("6408 233234", R, PL_PNR_SHAPE),        /* inner space */
	BAD("640823 - 3234", R, PL_PNR_SHAPE),
	/* U+2011 non-breaking hyphen and U+2212 minus: 13 bytes, not a shape */
	BAD("640823\xe2\x80\x91" "3234", R, PL_PNR_SHAPE),
	BAD("640823\xe2\x88\x92" "3234", R, PL_PNR_SHAPE),
	/* malformed: letters */
	BAD("64o823-3234", R, PL_PNR_SHAPE),
	BAD("640823-323X", R, PL_PNR_SHAPE),
	BAD("640823-323x", R, PL_PNR_SHAPE),
	BAD("A40823-3234", R, PL_PNR_SHAPE),
	BAD("64082332 4", R, PL_PNR_SHAPE),
	BAD("19640823323A", R, PL_PNR_SHAPE),
	BAD("abcdefghij", R, PL_PNR_SHAPE),
	/* shape is checked before the check digit */
	BAD("640823/3235", R, PL_PNR_SHAPE),
	BAD("19640823+3235", R, PL_PNR_SHAPE),

	/* check digit: wrong in every shape */
	BAD("640823-3235", R, PL_PNR_CHECK_DIGIT),
	BAD("640823+3235", R, PL_PNR_CHECK_DIGIT),
	BAD("6408233235", R, PL_PNR_CHECK_DIGIT),
	BAD("196408233235", R, PL_PNR_CHECK_DIGIT),
	BAD("19640823-3235", R, PL_PNR_CHECK_DIGIT),
	BAD("811218-9875", R, PL_PNR_CHECK_DIGIT),
	BAD("640823-3243", R, PL_PNR_CHECK_DIGIT),   /* transposed 34 */
	BAD("460823-3234", R, PL_PNR_CHECK_DIGIT),   /* transposed 64 */
	/* the century digits are not in the check */
	PNR("176408233234", R, "176408233234", 1764, 8, 23, 'M'),
	/* check digit before calendar and future */
	BAD("641323-3238", R, PL_PNR_CHECK_DIGIT),
	BAD("640800-3232", R, PL_PNR_CHECK_DIGIT),
	BAD("202406161239", R, PL_PNR_CHECK_DIGIT),
	BAD("230229-1239", R, PL_PNR_CHECK_DIGIT),

	/* century of six-digit dates, ref 2024-06-15 */
	PNR("240614-1230", R, "202406141230", 2024, 6, 14, 'M'),
	PNR("240615-1239", R, "202406151239", 2024, 6, 15, 'M'), /* born on ref: age 0 */
	PNR("240616-1238", R, "192406161238", 1924, 6, 16, 'M'), /* 100 tomorrow: 99 */
	PNR("2406161246", R, "192406161246", 1924, 6, 16, 'F'),
	PNR("240614+1230", R, "192406141230", 1924, 6, 14, 'M'),
	PNR("240615+1239", R, "192406151239", 1924, 6, 15, 'M'), /* 100 today */
	PNR("240616+1238", R, "182406161238", 1824, 6, 16, 'M'),
	PNR("240701-1234", R, "192407011234", 1924, 7, 1, 'M'),
	PNR("240531-1230", R, "202405311230", 2024, 5, 31, 'M'),
	PNR("250101-1239", R, "192501011239", 1925, 1, 1, 'M'),
	PNR("231231-1232", R, "202312311232", 2023, 12, 31, 'M'),
	PNR("991231-1231", R, "199912311231", 1999, 12, 31, 'M'),
	PNR("991231+1231", R, "189912311231", 1899, 12, 31, 'M'),
	PNR("000101-1238", R, "200001011238", 2000, 1, 1, 'M'),
	/* one person born 1924-06-15 around the 100th birthday */
	PNR("240615-5552", D(2024, 6, 14), "192406155552", 1924, 6, 15, 'M'),
	PNR("240615+5552", D(2024, 6, 14), "182406155552", 1824, 6, 15, 'M'),
	PNR("240615-5552", D(2024, 6, 15), "202406155552", 2024, 6, 15, 'M'),
	PNR("240615+5552", D(2024, 6, 15), "192406155552", 1924, 6, 15, 'M'),
	PNR("240615-5552", D(2024, 6, 16), "202406155552", 2024, 6, 15, 'M'),
	PNR("240615+5552", D(2024, 6, 16), "192406155552", 1924, 6, 15, 'M'),
	PNR("2406155552", D(2024, 6, 14), "192406155552", 1924, 6, 15, 'M'),
	PNR("2406155552", D(2024, 6, 16), "202406155552", 2024, 6, 15, 'M'),
	/* the twelve-digit forms do not depend on the age */
	PNR("192406155552", D(2024, 6, 14), "192406155552", 1924, 6, 15, 'M'),
	PNR("19240615-5552", D(2024, 6, 16), "192406155552", 1924, 6, 15, 'M'),
	/* year ends and century ends */
	PNR("241231-1231", D(2024, 12, 31), "202412311231", 2024, 12, 31, 'M'),
	PNR("240101-1230", D(2024, 1, 1), "202401011230", 2024, 1, 1, 'M'),
	PNR("240102-1239", D(2024, 1, 1), "192401021239", 1924, 1, 2, 'M'),
	PNR("231231-1232", D(2024, 1, 1), "202312311232", 2023, 12, 31, 'M'),
	PNR("000101-1238", D(2000, 1, 1), "200001011238", 2000, 1, 1, 'M'),
	PNR("000102-1237", D(2000, 1, 1), "190001021237", 1900, 1, 2, 'M'),
	PNR("991231-1231", D(2000, 1, 1), "199912311231", 1999, 12, 31, 'M'),
	PNR("991231+1231", D(2000, 1, 1), "189912311231", 1899, 12, 31, 'M'),
	PNR("000101+1238", D(2000, 1, 1), "190001011238", 1900, 1, 1, 'M'),
	PNR("991231-1231", D(1999, 12, 31), "199912311231", 1999, 12, 31, 'M'),
	PNR("000101-1238", D(1999, 12, 31), "190001011238", 1900, 1, 1, 'M'),
	PNR("050505-1235", D(2100, 6, 1), "200505051235", 2005, 5, 5, 'M'),

	/* leap days */
	PNR("000229-2464", R, "200002292464", 2000, 2, 29, 'F'),
	PNR("200002292464", R, "200002292464", 2000, 2, 29, 'F'),
	PNR("20000229-2464", R, "200002292464", 2000, 2, 29, 'F'),
	BAD("000229+2464", R, PL_PNR_CALENDAR),       /* 1900 */
	BAD("190002292464", R, PL_PNR_CALENDAR),
	BAD("19000229-2464", R, PL_PNR_CALENDAR),
	PNR("240229-2466", R, "202402292466", 2024, 2, 29, 'F'),
	PNR("202402292466", R, "202402292466", 2024, 2, 29, 'F'),
	BAD("230229-2467", R, PL_PNR_CALENDAR),
	BAD("230229-2468", R, PL_PNR_CHECK_DIGIT),
	BAD("202302292467", R, PL_PNR_CALENDAR),
	PNR("230228-2468", R, "202302282468", 2023, 2, 28, 'F'),
	PNR("960229-2469", R, "199602292469", 1996, 2, 29, 'F'),
	BAD("970229-2468", R, PL_PNR_CALENDAR),
	/* the century decides: 1924 is a leap year, 2100 is not */
	PNR("240229-2466", D(2024, 2, 28), "192402292466", 1924, 2, 29, 'F'),
	PNR("240229-2466", D(2024, 2, 29), "202402292466", 2024, 2, 29, 'F'),
	BAD("000229-2464", D(2100, 3, 1), PL_PNR_CALENDAR),
	PNR("000229-2464", D(2100, 2, 28), "200002292464", 2000, 2, 29, 'F'),
	PNR("000229+2464", D(2100, 3, 1), "200002292464", 2000, 2, 29, 'F'),

	/* samordningsnummer */
	SAM("640883-1235", R, "196408831235", 1964, 8, 23, 'M'),
	SAM("6408831235", R, "196408831235", 1964, 8, 23, 'M'),
	SAM("196408831235", R, "196408831235", 1964, 8, 23, 'M'),
	SAM("19640883-1235", R, "196408831235", 1964, 8, 23, 'M'),
	SAM("640883+1235", R, "186408831235", 1864, 8, 23, 'M'),
	SAM(" 640883-1243 ", R, "196408831243", 1964, 8, 23, 'F'),
	BAD("640883-1236", R, PL_PNR_CHECK_DIGIT),
	BAD("196408831236", R, PL_PNR_CHECK_DIGIT),
	/* day bounds: 60 is day 0, 61 day 1, 91 day 31, 92 day 32 */
	BAD("640860-1232", R, PL_PNR_CALENDAR),
	SAM("640861-1231", R, "196408611231", 1964, 8, 1, 'M'),
	SAM("640891-1235", R, "196408911235", 1964, 8, 31, 'M'),
	BAD("640892-1234", R, PL_PNR_CALENDAR),
	BAD("640899-1237", R, PL_PNR_CALENDAR),
	SAM("640191-1232", R, "196401911232", 1964, 1, 31, 'M'),
	SAM("641291-1239", R, "196412911239", 1964, 12, 31, 'M'),
	BAD("640991-1234", R, PL_PNR_CALENDAR),       /* September has 30 */
	SAM("640990-1235", R, "196409901235", 1964, 9, 30, 'M'),
	BAD("640491-1239", R, PL_PNR_CALENDAR),
	BAD("641191-1230", R, PL_PNR_CALENDAR),
	BAD("196409911234", R, PL_PNR_CALENDAR),
	/* no day 32..60 at all */
	BAD("640832-1237", R, PL_PNR_CALENDAR),
	BAD("640840-1237", R, PL_PNR_CALENDAR),
	BAD("640859-1235", R, PL_PNR_CALENDAR),
	/* Feb 29 + 60 = 89 in leap years only; Feb 30 + 60 never */
	SAM("000289-1232", R, "200002891232", 2000, 2, 29, 'M'),
	SAM("240289-1234", R, "202402891234", 2024, 2, 29, 'M'),
	SAM("202402891234", R, "202402891234", 2024, 2, 29, 'M'),
	BAD("230289-1235", R, PL_PNR_CALENDAR),
	BAD("202302891235", R, PL_PNR_CALENDAR),
	BAD("190002891232", R, PL_PNR_CALENDAR),
	BAD("000289+1232", R, PL_PNR_CALENDAR),
	SAM("230288-1236", R, "202302881236", 2023, 2, 28, 'M'),
	BAD("240290-1231", R, PL_PNR_CALENDAR),
	/* the century uses the real day: 75 is the 15th, 76 the 16th */
	SAM("240675-1236", R, "202406751236", 2024, 6, 15, 'M'),
	SAM("240676-1235", R, "192406761235", 1924, 6, 16, 'M'),
	SAM("240676+1235", R, "182406761235", 1824, 6, 16, 'M'),
	SAM("240675+1236", R, "192406751236", 1924, 6, 15, 'M'),

	/* month 00 and 13, day 00 and 32 */
	BAD("640023-1236", R, PL_PNR_CALENDAR),
	BAD("641323-1231", R, PL_PNR_CALENDAR),
	BAD("649923-1238", R, PL_PNR_CALENDAR),
	BAD("640800-1235", R, PL_PNR_CALENDAR),
	BAD("640832-1237", R, PL_PNR_CALENDAR),
	BAD("640431-1232", R, PL_PNR_CALENDAR),
	PNR("640430-1233", R, "196404301233", 1964, 4, 30, 'M'),
	PNR("640101-1231", R, "196401011231", 1964, 1, 1, 'M'),
	PNR("641231-1232", R, "196412311232", 1964, 12, 31, 'M'),
	BAD("6400231237", R, PL_PNR_CHECK_DIGIT),
	BAD("6400231236", R, PL_PNR_CALENDAR),
	BAD("196400231236", R, PL_PNR_CALENDAR),
	BAD("19641323-1231", R, PL_PNR_CALENDAR),
	BAD("196408001235", R, PL_PNR_CALENDAR),
	BAD("19640832-1237", R, PL_PNR_CALENDAR),
	BAD("000001011238", R, PL_PNR_CALENDAR),      /* year 0 */
	PNR("000101011237", R, "000101011237", 1, 1, 1, 'M'),

	/* future twelve-digit dates; six-digit dates go a century back instead */
	PNR("202406151239", R, "202406151239", 2024, 6, 15, 'M'),
	PNR("20240615-1239", R, "202406151239", 2024, 6, 15, 'M'),
	BAD("202406161238", R, PL_PNR_FUTURE),
	BAD("20240616-1238", R, PL_PNR_FUTURE),
	BAD("202501011239", R, PL_PNR_FUTURE),
	BAD("999912311231", R, PL_PNR_FUTURE),
	BAD("202406761235", R, PL_PNR_FUTURE),        /* samordningsnummer */
	SAM("20240675-1236", R, "202406751236", 2024, 6, 15, 'M'),
	PNR("2406161238", R, "192406161238", 1924, 6, 16, 'M'),
	/* calendar before future */
	BAD("202502301233", R, PL_PNR_CALENDAR),
	BAD("202513011235", R, PL_PNR_CALENDAR),
	BAD("20250292-1238", R, PL_PNR_CALENDAR),
};

static void test_pnr_parse__table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		const struct pnr_case *c = &cases[i];
		char what[32];

		snprintf(what, sizeof(what), "case %zu", i);
		check_parse(c->in, &c->ref, c->type, c->flaw, c->norm, &c->birth, c->sex, what);
	}
}

/* The table's valid rows are Luhn-valid by the reference and its check
 * digit rows are not: a typo in the table shows here, not as a pass. */
static void test_pnr_parse__table_agrees_with_reference_luhn(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		const struct pnr_case *c = &cases[i];
		char d[16];
		size_t n = 0, len;
		int ok;

		if (c->flaw != PL_PNR_OK && c->flaw != PL_PNR_CHECK_DIGIT)
			continue;
		len = strlen(c->in);
		for (size_t j = 0; j < len; j++)
			if (c->in[j] >= '0' && c->in[j] <= '9' && n < sizeof(d))
				d[n++] = c->in[j];
		assert_true(n == 10 || n == 12);
		ok = ref_luhn_digit(d + n - 10) == d[n - 1] - '0';
		if (ok != (c->flaw == PL_PNR_OK))
			fail_msg("case %zu \"%s\": reference Luhn %d", i, c->in, ok);
	}
}

static void test_pnr_parse__returns_the_type(void **state)
{
	static const struct pl_date ref = R;
	struct pl_pnr p;

	(void)state;
	assert_int_equal(pl_pnr_parse("640823-3234", &ref, &p), PL_ID_PNR);
	assert_int_equal(pl_pnr_parse("640883-1235", &ref, &p), PL_ID_SAMNR);
	assert_int_equal(p.type, PL_ID_SAMNR);
	assert_int_equal(pl_pnr_parse("640823-3235", &ref, &p), PL_ID_NONE);
	assert_int_equal(p.flaw, PL_PNR_CHECK_DIGIT);
}

static void test_pnr_parse__sex_from_the_ninth_digit(void **state)
{
	static const struct pl_date ref = R;

	(void)state;
	for (int d = 0; d <= 9; d++) {
		char d9[10] = "64082332", check, in[16], norm[16];
		struct pl_date birth = D(1964, 8, 23);

		d9[8] = (char)('0' + d);
		check = (char)('0' + ref_luhn_digit(d9));
		snprintf(in, sizeof(in), "640823-32%c%c", d9[8], check);
		snprintf(norm, sizeof(norm), "1964082332%c%c", d9[8], check);
		check_parse(in, &ref, PL_ID_PNR, PL_PNR_OK, norm, &birth, d % 2 ? 'M' : 'F',
			    "sex");
	}
}

/* ---- pl_id_type_code, pl_pnr_flaw_text ---------------------------------- */

static void test_id_type_code__schema_codes(void **state)
{
	(void)state;
	assert_string_equal(pl_id_type_code(PL_ID_PNR), "PNR");
	assert_string_equal(pl_id_type_code(PL_ID_SAMNR), "SAMNR");
	assert_string_equal(pl_id_type_code(PL_ID_RESERV), "RESERV");
	assert_string_equal(pl_id_type_code(PL_ID_NONE), "NONE");
	assert_string_equal(pl_id_type_code((enum pl_id_type)42), "NONE");
}

static void test_pnr_flaw_text__short_distinct_lower_case(void **state)
{
	static const enum pl_pnr_flaw flaws[] = {
		PL_PNR_OK, PL_PNR_EMPTY, PL_PNR_SHAPE, PL_PNR_CHECK_DIGIT,
		PL_PNR_CALENDAR, PL_PNR_FUTURE,
	};

	(void)state;
	assert_string_equal(pl_pnr_flaw_text(PL_PNR_CHECK_DIGIT), "bad check digit");
	for (size_t i = 0; i < N_OF(flaws); i++) {
		const char *t = pl_pnr_flaw_text(flaws[i]);

		assert_non_null(t);
		assert_true(strlen(t) > 0 && strlen(t) < 40);
		for (const char *p = t; *p; p++)
			assert_false(*p >= 'A' && *p <= 'Z');
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(t, pl_pnr_flaw_text(flaws[j]));
	}
	assert_non_null(pl_pnr_flaw_text((enum pl_pnr_flaw)42));
}

/* ---- property: every shape of a generated number agrees ------------------ */

/* What a six-digit date yy-m-d with separator sep means on ref, found by
 * walking centuries from a year ending in yy (not the library's arithmetic). */
static int ref_six_digit_year(int year, int m, int d, char sep, const struct pl_date *ref)
{
	struct pl_date t = { year, m, d };

	for (;;) {
		struct pl_date u = { t.year + 100, m, d };

		if (ref_cmp(&u, ref) > 0)
			break;
		t = u;
	}
	while (ref_cmp(&t, ref) > 0)
		t.year -= 100;
	return sep == '+' ? t.year - 100 : t.year;
}

/* One generated number, and how each shape of it should parse. */
struct gen {
	struct pl_date birth; /* real */
	int dd;               /* day as written: day or day + 60 */
	char serial[4];
	char check;
	int samnr;
};

/* Formats g in shape k with check digit c: 0 YYMMDD-NNNC, 1 YYMMDD+NNNC,
 * 2 YYMMDDNNNC, 3 YYYYMMDDNNNC, 4 YYYYMMDD-NNNC. */
static void gen_format(const struct gen *g, int k, char c, char *out, size_t size)
{
	static const char *const fmt[5] = {
		"%02d%02d%02d-%s%c", "%02d%02d%02d+%s%c", "%02d%02d%02d%s%c",
		"%04d%02d%02d%s%c", "%04d%02d%02d-%s%c",
	};
	int y = k < 3 ? g->birth.year % 100 : g->birth.year;

	snprintf(out, size, fmt[k], y, g->birth.month, g->dd, g->serial, c);
}

static void gen_expect_and_check(const struct gen *g, int k, const struct pl_date *ref)
{
	static const char seps[5] = { '-', '+', 0, 0, 0 };
	struct pl_date birth = g->birth;
	enum pl_id_type type = g->samnr ? PL_ID_SAMNR : PL_ID_PNR;
	enum pl_pnr_flaw flaw = PL_PNR_OK;
	char in[64], norm[64];

	gen_format(g, k, g->check, in, sizeof(in));
	if (k < 3)
		birth.year = ref_six_digit_year(g->birth.year, birth.month, birth.day, seps[k], ref);
	if (!ref_valid(birth.year, birth.month, birth.day))
		flaw = PL_PNR_CALENDAR;
	else if (k >= 3 && ref_cmp(&birth, ref) > 0)
		flaw = PL_PNR_FUTURE;
	if (flaw != PL_PNR_OK) {
		static const struct pl_date zero = { 0, 0, 0 };

		check_parse(in, ref, PL_ID_NONE, flaw, "", &zero, 0, "property");
		return;
	}
	snprintf(norm, sizeof(norm), "%04d%02d%02d%s%c", birth.year, birth.month, g->dd,
		 g->serial, g->check);
	check_parse(in, ref, type, PL_PNR_OK, norm, &birth,
		    (g->serial[2] - '0') % 2 ? 'M' : 'F', "property");
}

static void test_pnr_parse__property_all_shapes_agree(void **state)
{
	uint64_t seed = 20240615;
	long n_same = 0, n_checked = 0;

	(void)state;
	for (int n = 0; n < 5000; n++) {
		struct pl_date ref = rng_date(&seed, 1950, 2060);
		struct gen g;
		char d9[16], in[64];
		struct pl_pnr p[5];
		int age_ok, centenarian;

		/* mostly the living (0..119 years), some born after ref */
		g.birth = rng_date(&seed, ref.year - 119, ref.year + (n % 8 == 0 ? 30 : 0));
		g.samnr = rng_int(&seed, 0, 3) == 0;
		g.dd = g.birth.day + (g.samnr ? 60 : 0);
		snprintf(g.serial, sizeof(g.serial), "%03d", rng_int(&seed, 0, 999));
		snprintf(d9, sizeof(d9), "%02d%02d%02d%s", g.birth.year % 100, g.birth.month,
			 g.dd, g.serial);
		g.check = (char)('0' + ref_luhn_digit(d9));

		for (int k = 0; k < 5; k++) {
			gen_expect_and_check(&g, k, &ref);
			n_checked++;
		}

		/* the shape that fits the age, and both twelve-digit shapes,
		 * give one norm, birth and sex */
		{
			struct pl_date c100 = { g.birth.year + 100, g.birth.month, g.birth.day };

			age_ok = ref_cmp(&g.birth, &ref) <= 0;
			centenarian = ref_cmp(&c100, &ref) <= 0;
		}
		if (age_ok) {
			int shapes[4] = { centenarian ? 1 : 0, 3, 4, centenarian ? 3 : 2 };

			for (int i = 0; i < 4; i++) {
				gen_format(&g, shapes[i], g.check, in, sizeof(in));
				pl_pnr_parse(in, &ref, &p[i]);
				assert_int_not_equal(p[i].type, PL_ID_NONE);
				if (i > 0) {
					assert_string_equal(p[i].norm, p[0].norm);
					assert_memory_equal(&p[i].birth, &p[0].birth, sizeof(p[0].birth));
					assert_int_equal(p[i].sex, p[0].sex);
					assert_int_equal(p[i].type, p[0].type);
				}
			}
			assert_int_equal(p[0].birth.year, g.birth.year);
			n_same++;
		}

		/* surrounding white space changes nothing */
		gen_format(&g, 3, g.check, in + 2, sizeof(in) - 2);
		in[0] = ' ';
		in[1] = '\t';
		strcat(in, " \n");
		pl_pnr_parse(in, &ref, &p[0]);
		pl_pnr_parse(in + 2, &ref, &p[1]);
		assert_int_equal(p[0].type, p[1].type);
		assert_int_equal(p[0].flaw, p[1].flaw);
		assert_string_equal(p[0].norm, p[1].norm);

		/* any other check digit is a check digit error in every shape */
		for (char c = '0'; c <= '9'; c++) {
			if (c == g.check)
				continue;
			for (int k = 0; k < 5; k++) {
				gen_format(&g, k, c, in, sizeof(in));
				if (pl_pnr_parse(in, &ref, &p[0]) != PL_ID_NONE ||
				    p[0].flaw != PL_PNR_CHECK_DIGIT)
					fail_msg("\"%s\" on %04d-%02d-%02d: %s, want bad check digit", in,
						 ref.year, ref.month, ref.day, pl_pnr_flaw_text(p[0].flaw));
			}
		}
	}
	/* the sample really covers the living */
	assert_true(n_same > 4000);
	assert_int_equal(n_checked, 25000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_luhn_ok__textbook_examples),
		cmocka_unit_test(test_luhn_ok__every_single_digit_change_fails),
		cmocka_unit_test(test_luhn_ok__non_digits_fail),
		cmocka_unit_test(test_luhn_ok__agrees_with_reference),
		cmocka_unit_test(test_pnr_parse__table),
		cmocka_unit_test(test_pnr_parse__table_agrees_with_reference_luhn),
		cmocka_unit_test(test_pnr_parse__returns_the_type),
		cmocka_unit_test(test_pnr_parse__sex_from_the_ninth_digit),
		cmocka_unit_test(test_id_type_code__schema_codes),
		cmocka_unit_test(test_pnr_flaw_text__short_distinct_lower_case),
		cmocka_unit_test(test_pnr_parse__property_all_shapes_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

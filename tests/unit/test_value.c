/*
 * tests/unit/test_value.c - lib/value: ISO dates as the map stage writes
 * them, and the date formats it parses with.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "value.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* pl_date_iso writes without printf; it must give what
 * "%04u-%02u-%02u" of the values modulo 10000, 100, 100 gives. */
static void test_date_iso__same_as_printf(void **state)
{
	static const struct pl_date dates[] = {
		{ 2025, 1, 31 }, { 1, 1, 1 }, { 9999, 12, 31 }, { 1900, 2, 28 },
		{ 2000, 2, 29 }, { 987, 10, 5 }, { 0, 0, 0 }, { 12345, 123, 456 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(dates); i++) {
		char got[11], want[11];

		memset(got, 'x', sizeof(got));
		pl_date_iso(&dates[i], got);
		snprintf(want, sizeof(want), "%04u-%02u-%02u", (unsigned)dates[i].year % 10000u,
			 (unsigned)dates[i].month % 100u, (unsigned)dates[i].day % 100u);
		assert_string_equal(got, want);
	}
}

/* match_token looks at the first letter first: every token, and the
 * longest one before a shorter one with the same letter. */
/* pl_date_parse_iso accepts what pl_date_parse(s, "YYYY-MM-DD") accepts,
 * with the same date: every day of 2023 and 2024 (and the days after each
 * month's last), and strings that are almost dates. */
static void test_date_parse_iso__same_as_the_format(void **state)
{
	static const char *const odd[] = {
		"", "2024-1-05", "2024-01-5", "24-01-05", "2024/01/05", "2024-01-05 ",
		" 2024-01-05", "2024-01-050", "2024-13-01", "2024-00-10", "0000-01-01",
		"9999-12-31", "2024-02-30", "2023-02-29", "2024-02-29", "2024-O1-05",
		"+024-01-05", "2024-01-0a", "20240105", "2024--1-05",
	};
	struct pl_date a, b;
	char s[48];               /* room for any three ints, for -Wformat-truncation */

	(void)state;
	for (int y = 2023; y <= 2024; y++)
		for (int m = 0; m <= 13; m++)
			for (int d = 0; d <= 32; d++) {
				int ra, rb;

				snprintf(s, sizeof(s), "%04d-%02d-%02d", y, m, d);
				memset(&a, 0, sizeof(a));
				memset(&b, 0, sizeof(b));
				ra = pl_date_parse_iso(s, &a);
				rb = pl_date_parse(s, "YYYY-MM-DD", &b);
				if (ra != rb || memcmp(&a, &b, sizeof(a)) != 0)
					fail_msg("'%s': iso %d, format %d", s, ra, rb);
			}
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		if (pl_date_parse_iso(odd[i], &a) != pl_date_parse(odd[i], "YYYY-MM-DD", &b) ||
		    memcmp(&a, &b, sizeof(a)) != 0)
			fail_msg("'%s': pl_date_parse_iso differs", odd[i]);
	}
	assert_int_equal(pl_date_parse_iso(NULL, &a), -1);
}

static void test_date_parse__formats(void **state)
{
	static const struct {
		const char *s, *fmt;
		int ok, y, m, d;
	} cases[] = {
		{ "2025-03-07", "YYYY-MM-DD", 1, 2025, 3, 7 },
		{ "7.3.2025", "D.M.YYYY", 1, 2025, 3, 7 },
		{ "07/03/2025", "DD/MM/YYYY", 1, 2025, 3, 7 },
		{ "20250307", "YYYYMMDD", 1, 2025, 3, 7 },
		{ "2025-03-07 23:59:59", "YYYY-MM-DD hh:mm:ss", 1, 2025, 3, 7 },
		{ "2025-03-07 24:00:00", "YYYY-MM-DD hh:mm:ss", 0, 0, 0, 0 },
		{ "2025-02-29", "YYYY-MM-DD", 0, 0, 0, 0 },
		{ "2025-3-7", "YYYY-MM-DD", 0, 0, 0, 0 },
		{ "2025-03-07x", "YYYY-MM-DD", 0, 0, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		struct pl_date dt = { 0, 0, 0 };
		int rc = pl_date_parse(cases[i].s, cases[i].fmt, &dt);

		assert_int_equal(rc == 0, cases[i].ok);
		if (!cases[i].ok)
			continue;
		assert_int_equal(dt.year, cases[i].y);
		assert_int_equal(dt.month, cases[i].m);
		assert_int_equal(dt.day, cases[i].d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_iso__same_as_printf),
		cmocka_unit_test(test_date_parse__formats),
		cmocka_unit_test(test_date_parse_iso__same_as_the_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

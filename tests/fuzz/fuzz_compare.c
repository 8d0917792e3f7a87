/*
 * tests/fuzz/fuzz_compare.c - libFuzzer target for lib/compare (record
 * linkage comparisons), against the contract compare.h states.
 *
 * Input: eight bytes that make two valid dates, then up to four strings
 * separated by NUL bytes (first and last name of records a and b).
 * Invariants (abort()):
 *   - pl_jaro_winkler is in [0, 1], symmetric, 1 for equal strings;
 *     pl_cmp_name and pl_cmp_names_swapped agree both ways round
 *   - pl_name_key fits its buffer, is a prefix of the key a larger buffer
 *     gets (cut at a character boundary), is valid UTF-8 when the name is,
 *     has no leading, trailing or doubled space, and is a fixed point
 *   - pl_cmp_exact and pl_cmp_sex agree with comparing pl_fold outputs
 *   - pl_cmp_date is symmetric and EXACT exactly for equal dates
 *   - every level has a name
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "pl.h"
#include "text.h"
#include "value.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_compare: invariant failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pl_buf fa, fb;

static void make_date(const uint8_t *p, struct pl_date *d)
{
	d->year = 1 + (int)((p[0] | p[1] << 8) % 9999);
	d->month = 1 + p[2] % 12;
	d->day = 1 + p[3] % pl_days_in_month(d->year, d->month);
}

static void check_key(const char *s)
{
	static const size_t sizes[] = { 1, 2, 5, 16, 64, 1024 };
	char keys[6][1024], again[1024];
	size_t n;

	for (size_t i = 0; i < 6; i++) {
		memset(keys[i], 'Z', sizes[i]);
		pl_name_key(s, keys[i], sizes[i]);
		n = strlen(keys[i]);
		CHECK(n < sizes[i]);
		if (i > 0)
			CHECK(strncmp(keys[i - 1], keys[i], strlen(keys[i - 1])) == 0);
	}
	n = strlen(keys[5]);
	if (pl_utf8_valid(s, strlen(s), NULL)) {
		for (size_t i = 0; i < 6; i++)
			CHECK(pl_utf8_valid(keys[i], strlen(keys[i]), NULL));
	}
	if (n > 0)
		CHECK(keys[5][0] != ' ' && keys[5][n - 1] != ' ');
	CHECK(strstr(keys[5], "  ") == NULL);
	if (strlen(s) < 256 && pl_utf8_valid(s, strlen(s), NULL)) {
		pl_name_key(keys[5], again, sizeof(again));
		CHECK(strcmp(again, keys[5]) == 0);
	}
	memset(again, 'Z', 4);
	pl_name_key(s, again, 0);
	CHECK(again[0] == 'Z');
}

static int blank_after_fold(const char *s, struct pl_buf *b)
{
	pl_fold(s, strlen(s), b);
	return b->len == 0;
}

static void check_pair(const char *a, const char *b)
{
	double ab = pl_jaro_winkler(a, b), ba = pl_jaro_winkler(b, a);
	int lvl, want;

	CHECK(ab >= 0.0 && ab <= 1.0);
	CHECK(ab == ba);
	CHECK(pl_jaro_winkler(a, a) == 1.0);
	lvl = pl_cmp_name(a, b);
	CHECK(lvl == pl_cmp_name(b, a));
	CHECK(lvl >= PL_CMP_MISSING && lvl <= PL_CMP_NAME_EXACT);
	CHECK(strcmp(pl_cmp_level_name(PL_CMP_KIND_NAME, lvl), "?") != 0);
	CHECK(pl_cmp_name_bands(a, b, 1.0, 0.0) == pl_cmp_name_bands(b, a, 1.0, 0.0));

	/* pl_cmp_exact against pl_fold */
	if (blank_after_fold(a, &fa) | blank_after_fold(b, &fb))
		want = PL_CMP_MISSING;
	else
		want = strcmp(fa.data, fb.data) == 0 ? PL_CMP_EQUAL : PL_CMP_ELSE;
	CHECK(pl_cmp_exact(a, b) == want);
	CHECK(pl_cmp_exact(b, a) == want);
	if (fa.len == 0 || fb.len == 0 || strcmp(fa.data, "u") == 0 || strcmp(fb.data, "u") == 0)
		want = PL_CMP_MISSING;
	CHECK(pl_cmp_sex(a, b) == want);
	CHECK(pl_cmp_exact(a, NULL) == PL_CMP_MISSING && pl_cmp_sex(NULL, b) == PL_CMP_MISSING);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_date da, db;
	char *buf, *s[4] = { "", "", "", "" };
	size_t n = 0;
	int lvl;

	if (size < 8 || size > 1024)
		return 0;
	make_date(data, &da);
	make_date(data + 4, &db);
	lvl = pl_cmp_date(&da, &db);
	CHECK(lvl == pl_cmp_date(&db, &da));
	CHECK((lvl == PL_CMP_DATE_EXACT) ==
	      (da.year == db.year && da.month == db.month && da.day == db.day));
	CHECK(lvl >= PL_CMP_ELSE && lvl <= PL_CMP_DATE_EXACT);
	CHECK(strcmp(pl_cmp_level_name(PL_CMP_KIND_DATE, lvl), "?") != 0);
	CHECK(pl_cmp_date(&da, NULL) == PL_CMP_MISSING);

	buf = malloc(size - 8 + 1);
	if (!buf)
		abort();
	memcpy(buf, data + 8, size - 8);
	buf[size - 8] = '\0';
	for (char *p = buf; n < 4 && p <= buf + (size - 8); p += strlen(p) + 1)
		s[n++] = p;

	for (size_t i = 0; i < 4; i++)
		check_key(s[i]);
	check_pair(s[0], s[1]);
	check_pair(s[0], s[2]);
	check_pair(s[1], s[3]);
	{
		char k[4][256];

		for (size_t i = 0; i < 4; i++)
			pl_name_key(s[i], k[i], sizeof(k[i]));
		CHECK(pl_cmp_names_swapped(k[0], k[1], k[2], k[3]) ==
		      pl_cmp_names_swapped(k[2], k[3], k[0], k[1]));
		check_pair(k[0], k[2]);
		check_pair(k[1], k[3]);
	}
	free(buf);
	return 0;
}

/*
 * tests/fuzz/fuzz_pnr.c - libFuzzer target for lib/pnr (identity numbers).
 *
 * Input: the value as an export holds it (cut at a NUL byte, as a C string
 * would be).  It is parsed against several reference dates; invariants
 * (abort() on a violation):
 *   - the return value is out.type; PL_ID_RESERV never comes back
 *   - not a number: a flaw other than OK, and norm, birth and sex zeroed
 *   - a number: flaw OK; norm is twelve digits whose last ten pass Luhn;
 *     norm's year, month and day (day - 60 for a samordningsnummer, which
 *     it is exactly when norm's day is above 60) are the birth date, a real
 *     day not after the reference date; sex follows the serial's last digit
 *   - reparsing norm, and norm as YYYYMMDD-NNNC, gives the same result;
 *     YYMMDD-NNNC gives it too when the person is under 100 on the
 *     reference date, and YYMMDD+NNNC when 100 to 199
 *   - a NULL or blank value is PL_PNR_EMPTY
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pnr.h"
#include "value.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_pnr: invariant failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pl_date refs[] = {
	{ 2026, 1, 15 }, { 2000, 2, 29 }, { 1999, 12, 31 }, { 1900, 1, 1 },
	{ 100, 3, 1 }, { 1, 1, 1 }, { 9999, 12, 31 }, { 2199, 12, 31 },
};

static int num(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int same(const struct pl_pnr *a, const struct pl_pnr *b)
{
	return a->type == b->type && a->flaw == b->flaw && strcmp(a->norm, b->norm) == 0 &&
	       a->birth.year == b->birth.year && a->birth.month == b->birth.month &&
	       a->birth.day == b->birth.day && a->sex == b->sex;
}

/* 1 if (y, m, d) is after ref, lexicographically (y may exceed 9999). */
static int after(int y, int m, int d, const struct pl_date *ref)
{
	if (y != ref->year)
		return y > ref->year;
	if (m != ref->month)
		return m > ref->month;
	return d > ref->day;
}

static void check_one(const char *s, const struct pl_date *ref)
{
	struct pl_pnr p, q;
	enum pl_id_type t;
	char buf[16];
	int day;

	memset(&p, 0x5A, sizeof(p));
	t = pl_pnr_parse(s, ref, &p);
	CHECK(t == p.type);
	CHECK(t == PL_ID_NONE || t == PL_ID_PNR || t == PL_ID_SAMNR);
	CHECK(strcmp(pl_id_type_code(t), "?") != 0);
	CHECK(pl_pnr_flaw_text(p.flaw) && strcmp(pl_pnr_flaw_text(p.flaw), "unknown flaw") != 0);
	if (t == PL_ID_NONE) {
		CHECK(p.flaw != PL_PNR_OK);
		CHECK(p.norm[0] == '\0' && p.sex == 0);
		CHECK(p.birth.year == 0 && p.birth.month == 0 && p.birth.day == 0);
		return;
	}
	CHECK(p.flaw == PL_PNR_OK);
	CHECK(strlen(p.norm) == 12 && strspn(p.norm, "0123456789") == 12);
	CHECK(pl_luhn_ok(p.norm + 2));
	day = num(p.norm + 6, 2);
	CHECK((t == PL_ID_SAMNR) == (day > 60));
	CHECK(p.birth.year == num(p.norm, 4) && p.birth.month == num(p.norm + 4, 2));
	CHECK(p.birth.day == (t == PL_ID_SAMNR ? day - 60 : day));
	CHECK(pl_date_valid(p.birth.year, p.birth.month, p.birth.day));
	CHECK(pl_date_days(&p.birth) <= pl_date_days(ref));
	CHECK(p.sex == ((p.norm[10] - '0') % 2 ? 'M' : 'F'));

	CHECK(pl_pnr_parse(p.norm, ref, &q) == t && same(&p, &q));
	snprintf(buf, sizeof(buf), "%.8s-%.4s", p.norm, p.norm + 8);
	CHECK(pl_pnr_parse(buf, ref, &q) == t && same(&p, &q));
	if (after(p.birth.year + 100, p.birth.month, p.birth.day, ref)) {
		snprintf(buf, sizeof(buf), "%.6s-%.4s", p.norm + 2, p.norm + 8);
		CHECK(pl_pnr_parse(buf, ref, &q) == t && same(&p, &q));
		snprintf(buf, sizeof(buf), "%.10s", p.norm + 2);
		CHECK(pl_pnr_parse(buf, ref, &q) == t && same(&p, &q));
	} else if (after(p.birth.year + 200, p.birth.month, p.birth.day, ref)) {
		snprintf(buf, sizeof(buf), "%.6s+%.4s", p.norm + 2, p.norm + 8);
		CHECK(pl_pnr_parse(buf, ref, &q) == t && same(&p, &q));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	struct pl_pnr p;
	int blank = 1;

	if (size > 256)
		return 0;
	s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	for (const char *c = s; *c; c++)
		if (!strchr(" \t\n\r\v\f", *c))
			blank = 0;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		check_one(s, &refs[i]);
		if (blank)
			CHECK(pl_pnr_parse(s, &refs[i], &p) == PL_ID_NONE && p.flaw == PL_PNR_EMPTY);
	}
	CHECK(pl_pnr_parse(NULL, &refs[0], &p) == PL_ID_NONE && p.flaw == PL_PNR_EMPTY);
	free(s);
	return 0;
}

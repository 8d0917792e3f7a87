/*
 * lib/pnr.c - Swedish identity numbers: split the five accepted shapes into
 * ten digits YYMMDDNNNC (plus the year when written with four digits), then
 * check digit, calendar and reference date, in the order pnr.h lists.
 */
#include "pnr.h"

#include <string.h>

/* A value split into its parts, before any check but the shape. */
struct pnr_parts {
	char d10[10]; /* YYMMDDNNNC */
	int year;     /* four-digit year as written, or -1 for a six-digit date */
	char sep;     /* '-', '+', or 0 */
};

static int pnr_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int pnr_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int pnr_all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!pnr_is_digit(s[i]))
			return 0;
	return 1;
}

/* Value of the two digits at s. */
static int pnr_num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/*
 * Splits s[0..len) into *p.  Returns 0, or -1 if it is none of
 * YYMMDDNNNC, YYMMDD-NNNC, YYMMDD+NNNC, YYYYMMDDNNNC, YYYYMMDD-NNNC.
 */
static int pnr_split(const char *s, size_t len, struct pnr_parts *p)
{
	size_t n_date;

	switch (len) {
	case 10: /* YYMMDDNNNC */
	case 12: /* YYYYMMDDNNNC */
		if (!pnr_all_digits(s, len))
			return -1;
		n_date = len - 4;
		p->sep = 0;
		break;
	case 11: /* YYMMDD-NNNC, YYMMDD+NNNC */
	case 13: /* YYYYMMDD-NNNC */
		n_date = len - 5;
		p->sep = s[n_date];
		if (!(p->sep == '-' || (p->sep == '+' && n_date == 6)))
			return -1;
		if (!pnr_all_digits(s, n_date) || !pnr_all_digits(s + n_date + 1, 4))
			return -1;
		break;
	default:
		return -1;
	}
	p->year = -1;
	if (n_date == 8) {
		p->year = pnr_num2(s) * 100 + pnr_num2(s + 2);
		s += 2;
		n_date = 6;
	}
	memcpy(p->d10, s, 6);
	memcpy(p->d10 + 6, s + n_date + (p->sep != 0), 4);
	return 0;
}

int pl_luhn_ok(const char digits10[10])
{
	int sum = 0;

	for (int i = 0; i < 10; i++) {
		int v;

		if (!pnr_is_digit(digits10[i]))
			return 0;
		v = (digits10[i] - '0') * (i % 2 == 0 ? 2 : 1);
		sum += v > 9 ? v - 9 : v;
	}
	return sum % 10 == 0;
}

/*
 * The year for a six-digit date yy-month-day: the latest year <= ref->year
 * ending in yy whose month-day is not after ref, a century earlier if
 * centenarian.  May be < 1 for very early ref; the calendar check rejects it.
 */
static int pnr_century(int yy, int month, int day, int centenarian,
		       const struct pl_date *ref)
{
	int year = ref->year - (ref->year % 100 - yy + 100) % 100;

	if (year == ref->year &&
	    (month > ref->month || (month == ref->month && day > ref->day)))
		year -= 100;
	return centenarian ? year - 100 : year;
}

static enum pl_id_type pnr_fail(struct pl_pnr *out, enum pl_pnr_flaw flaw)
{
	memset(out, 0, sizeof(*out));
	out->type = PL_ID_NONE;
	out->flaw = flaw;
	return PL_ID_NONE;
}

/* Writes YYYY then MMDDNNNC from d10 into norm (13 bytes with NUL). */
static void pnr_norm(char norm[13], int year, const char d10[10])
{
	norm[0] = (char)('0' + year / 1000);
	norm[1] = (char)('0' + year / 100 % 10);
	norm[2] = (char)('0' + year / 10 % 10);
	norm[3] = (char)('0' + year % 10);
	memcpy(norm + 4, d10 + 2, 8);
	norm[12] = '\0';
}

enum pl_id_type pl_pnr_parse(const char *s, const struct pl_date *ref, struct pl_pnr *out)
{
	struct pnr_parts p;
	size_t len;
	int month, day, samnr, year;

	if (!s)
		return pnr_fail(out, PL_PNR_EMPTY);
	while (pnr_is_space(*s))
		s++;
	len = strlen(s);
	while (len > 0 && pnr_is_space(s[len - 1]))
		len--;
	if (len == 0)
		return pnr_fail(out, PL_PNR_EMPTY);
	if (pnr_split(s, len, &p) != 0)
		return pnr_fail(out, PL_PNR_SHAPE);
	if (!pl_luhn_ok(p.d10))
		return pnr_fail(out, PL_PNR_CHECK_DIGIT);

	month = pnr_num2(p.d10 + 2);
	day = pnr_num2(p.d10 + 4);
	samnr = day > 60;
	if (samnr)
		day -= 60;
	year = p.year >= 0 ? p.year
			   : pnr_century(pnr_num2(p.d10), month, day, p.sep == '+', ref);
	if (!pl_date_valid(year, month, day))
		return pnr_fail(out, PL_PNR_CALENDAR);

	memset(out, 0, sizeof(*out));
	out->birth.year = year;
	out->birth.month = month;
	out->birth.day = day;
	if (p.year >= 0 && pl_date_days(&out->birth) > pl_date_days(ref))
		return pnr_fail(out, PL_PNR_FUTURE);
	out->type = samnr ? PL_ID_SAMNR : PL_ID_PNR;
	out->flaw = PL_PNR_OK;
	pnr_norm(out->norm, year, p.d10);
	out->sex = (p.d10[8] - '0') % 2 ? 'M' : 'F';
	return out->type;
}

const char *pl_id_type_code(enum pl_id_type t)
{
	switch (t) {
	case PL_ID_PNR:
		return "PNR";
	case PL_ID_SAMNR:
		return "SAMNR";
	case PL_ID_RESERV:
		return "RESERV";
	case PL_ID_NONE:
		break;
	}
	return "NONE";
}

const char *pl_pnr_flaw_text(enum pl_pnr_flaw f)
{
	switch (f) {
	case PL_PNR_OK:
		return "ok";
	case PL_PNR_EMPTY:
		return "empty";
	case PL_PNR_SHAPE:
		return "not an identity number shape";
	case PL_PNR_CHECK_DIGIT:
		return "bad check digit";
	case PL_PNR_CALENDAR:
		return "no such birth date";
	case PL_PNR_FUTURE:
		return "born after the reference date";
	}
	return "unknown flaw";
}

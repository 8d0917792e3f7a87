/*
 * lib/value.c - dates and numbers as exports write them.
 */
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pl_is_leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int pl_days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	return days[m - 1] + (m == 2 && pl_is_leap_year(y));
}

int pl_date_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && d >= 1 && d <= pl_days_in_month(y, m);
}

enum token { T_LIT, T_YYYY, T_MM, T_M, T_DD, T_D, T_HH, T_MI, T_SS };

static const struct {
	const char *text;
	enum token tok;
	int min_digits, max_digits;
} tokens[] = {
	/* longest first */
	{ "YYYY", T_YYYY, 4, 4 }, { "MM", T_MM, 2, 2 }, { "DD", T_DD, 2, 2 },
	{ "hh", T_HH, 2, 2 }, { "mm", T_MI, 2, 2 }, { "ss", T_SS, 2, 2 },
	{ "M", T_M, 1, 2 }, { "D", T_D, 1, 2 },
};
#define N_TOKENS (sizeof(tokens) / sizeof(tokens[0]))

/* Tokens are at most 4 letters, all alike ("YYYY", "MM", "M"). */
static size_t match_token(const char *fmt, size_t *idx)
{
	for (size_t i = 0; i < N_TOKENS; i++) {
		const char *t = tokens[i].text;
		size_t n = 0;

		if (*fmt != t[0])
			continue;
		while (t[n] && fmt[n] == t[n])
			n++;
		if (!t[n]) {
			*idx = i;
			return n;
		}
	}
	return 0;
}

int pl_date_format_check(const char *fmt, char *why, size_t why_size)
{
	unsigned seen = 0;

	for (const char *p = fmt; *p;) {
		size_t idx, n = match_token(p, &idx);

		if (!n) {
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
				snprintf(why, why_size, "unknown letter '%c' in date format '%s'", *p, fmt);
				return -1;
			}
			p++;
			continue;
		}
		if (seen & (1u << tokens[idx].tok)) {
			snprintf(why, why_size, "'%s' twice in date format '%s'", tokens[idx].text, fmt);
			return -1;
		}
		seen |= 1u << tokens[idx].tok;
		p += n;
	}
	if (!(seen & (1u << T_YYYY)) || !(seen & ((1u << T_MM) | (1u << T_M))) ||
	    !(seen & ((1u << T_DD) | (1u << T_D)))) {
		snprintf(why, why_size, "date format '%s' needs YYYY, MM (or M) and DD (or D)", fmt);
		return -1;
	}
	return 0;
}

static int take_digits(const char **s, int min, int max, int *out)
{
	int v = 0, n = 0;

	while (n < max && **s >= '0' && **s <= '9') {
		v = v * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	*out = v;
	return n >= min ? 0 : -1;
}

int pl_date_parse(const char *s, const char *fmt, struct pl_date *out)
{
	int y = 0, m = 0, d = 0, hh = 0, mi = 0, ss = 0;

	for (const char *p = fmt; *p;) {
		size_t idx, n = match_token(p, &idx);
		int v;

		if (!n) {
			if (*s != *p)
				return -1;
			s++;
			p++;
			continue;
		}
		if (take_digits(&s, tokens[idx].min_digits, tokens[idx].max_digits, &v))
			return -1;
		switch (tokens[idx].tok) {
		case T_YYYY: y = v; break;
		case T_MM: case T_M: m = v; break;
		case T_DD: case T_D: d = v; break;
		case T_HH: hh = v; break;
		case T_MI: mi = v; break;
		case T_SS: ss = v; break;
		case T_LIT: break;
		}
		p += n;
	}
	if (*s || !pl_date_valid(y, m, d) || hh > 23 || mi > 59 || ss > 59)
		return -1;
	out->year = y;
	out->month = m;
	out->day = d;
	return 0;
}

/* The n decimal digits at s as a number; -1 if one is not a digit. */
static int fixed_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int pl_date_parse_iso(const char *s, struct pl_date *out)
{
	int y, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	y = fixed_digits(s, 4);
	m = fixed_digits(s + 5, 2);
	d = fixed_digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0 || !pl_date_valid(y, m, d))
		return -1;
	out->year = y;
	out->month = m;
	out->day = d;
	return 0;
}

static char *put_digits(char *out, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
	return out + n;
}

/* As snprintf("%04u-%02u-%02u") of the values modulo 10000, 100, 100, without
 * the cost of printf (the map stage writes three dates a row). */
void pl_date_iso(const struct pl_date *dt, char out[11])
{
	char *p = put_digits(out, (unsigned)dt->year % 10000u, 4);

	*p++ = '-';
	p = put_digits(p, (unsigned)dt->month % 100u, 2);
	*p++ = '-';
	p = put_digits(p, (unsigned)dt->day % 100u, 2);
	*p = '\0';
}

long pl_date_days(const struct pl_date *dt)
{
	/* days from civil, after H. Hinnant */
	long y = dt->year - (dt->month <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long mp = (dt->month + 9) % 12;
	long doy = (153 * mp + 2) / 5 + dt->day - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* Length of a thousands separator at s (0 if none). */
static size_t group_sep(const char *s, char dec)
{
	const unsigned char *u = (const unsigned char *)s;

	if (*s == ' ' || *s == '\'' || (*s == '.' && dec == ',') || (*s == ',' && dec == '.'))
		return 1;
	if (u[0] == 0xC2 && u[1] == 0xA0)
		return 2;
	if (u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0xAF)
		return 3;
	return 0;
}

int pl_number_parse(const char *s, char dec, double *out)
{
	char buf[64];
	size_t n = 0;
	int digits = 0, group = -1, sep_char = 0;
	const char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (s < end && (*s == '-' || *s == '+'))
		buf[n++] = *s++;
	for (; s < end; s++) {
		size_t sep;

		if (*s >= '0' && *s <= '9') {
			if (n >= sizeof(buf) - 2)
				return -1;
			buf[n++] = *s;
			digits++;
			if (group >= 0)
				group++;
			continue;
		}
		if (*s == dec)
			break;
		sep = group_sep(s, dec);
		if (!sep || digits == 0 || (group >= 0 && group != 3) || (group < 0 && digits > 3))
			return -1;
		if (sep_char && sep_char != (unsigned char)*s)
			return -1; /* one kind of separator per number */
		sep_char = (unsigned char)*s;
		group = 0;
		s += sep - 1;
	}
	if (group >= 0 && group != 3)
		return -1;
	if (s < end) { /* fraction */
		int frac = 0;

		buf[n++] = '.';
		for (s++; s < end; s++) {
			if (*s < '0' || *s > '9' || n >= sizeof(buf) - 1)
				return -1;
			buf[n++] = *s;
			frac++;
		}
		if (frac == 0 && digits == 0)
			return -1;
	}
	if (digits == 0 && (n == 0 || buf[n - 1] == '.' || buf[n - 1] == '-' || buf[n - 1] == '+'))
		return -1;
	buf[n] = '\0';
	*out = strtod(buf, NULL);
	return 0;
}

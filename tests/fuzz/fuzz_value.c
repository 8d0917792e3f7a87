/*
 * tests/fuzz/fuzz_value.c - libFuzzer target for lib/value (dates in listed
 * formats, numbers with decimal commas).
 *
 * Input: FORMAT NUL VALUE, or just VALUE when there is no NUL byte (VALUE
 * is cut at a second NUL, as a C string would be).  VALUE is parsed as a
 * date with each format of a fixed list (the formats mappings/ use and a few
 * more) and with FORMAT when pl_date_format_check() accepts it, and as a
 * number with either decimal separator.  Invariants (abort()):
 *   - a parsed date is pl_date_valid(); pl_date_iso() writes "YYYY-MM-DD",
 *     which parses back with "YYYY-MM-DD" to the same date; pl_date_days()
 *     of the next day is one more
 *   - a format pl_date_format_check() accepts round-trips a date written in
 *     it, unless it is ambiguous (a one-or-two-digit M or D directly
 *     followed by a digit); a rejected format has a reason
 *   - a parsed number is finite; a plain [-+]digits[.digits] string parses
 *     with '.' to what strtod() gives, and with ',' written as a comma
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_value: invariant failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const formats[] = {
	"YYYY-MM-DD", "DD.MM.YYYY", "DD/MM/YYYY", "YYYY-MM-DD hh:mm:ss", "YYYYMMDD",
	"D/M/YYYY", "M/D/YYYY", "D.M.YYYY", "YYYY-M-D", "DD-MM-YYYY hh:mm", "YYYY/MM/DD",
};

static void next_day(const struct pl_date *a, struct pl_date *b)
{
	*b = *a;
	if (++b->day > pl_days_in_month(b->year, b->month)) {
		b->day = 1;
		if (++b->month > 12) {
			b->month = 1;
			b->year++;
		}
	}
}

static void check_date(const struct pl_date *dt)
{
	char iso[11];
	struct pl_date back, nd;

	CHECK(pl_date_valid(dt->year, dt->month, dt->day));
	memset(iso, 'X', sizeof(iso));
	pl_date_iso(dt, iso);
	CHECK(strlen(iso) == 10 && iso[4] == '-' && iso[7] == '-');
	CHECK(pl_date_parse(iso, "YYYY-MM-DD", &back) == 0);
	CHECK(back.year == dt->year && back.month == dt->month && back.day == dt->day);
	next_day(dt, &nd);
	CHECK(pl_date_days(&nd) == pl_date_days(dt) + 1);
}

/* Writes dt in fmt (time as 00); 1 if fmt is ambiguous for round trips. */
static int write_date(const char *fmt, const struct pl_date *dt, char *out, size_t size)
{
	size_t n = 0;
	int var_before = 0, ambiguous = 0;

	for (const char *p = fmt; *p && n + 8 < size;) {
		int is_var = 0;

		if (strncmp(p, "YYYY", 4) == 0) {
			n += (size_t)snprintf(out + n, size - n, "%04d", dt->year);
			p += 4;
		} else if (strncmp(p, "MM", 2) == 0) {
			n += (size_t)snprintf(out + n, size - n, "%02d", dt->month);
			p += 2;
		} else if (strncmp(p, "DD", 2) == 0) {
			n += (size_t)snprintf(out + n, size - n, "%02d", dt->day);
			p += 2;
		} else if (strncmp(p, "hh", 2) == 0 || strncmp(p, "mm", 2) == 0 ||
			   strncmp(p, "ss", 2) == 0) {
			n += (size_t)snprintf(out + n, size - n, "00");
			p += 2;
		} else if (*p == 'M') {
			n += (size_t)snprintf(out + n, size - n, "%d", dt->month);
			p++;
			is_var = 1;
		} else if (*p == 'D') {
			n += (size_t)snprintf(out + n, size - n, "%d", dt->day);
			p++;
			is_var = 1;
		} else {
			if (var_before && *p >= '0' && *p <= '9')
				ambiguous = 1;
			out[n++] = *p++;
			var_before = 0;
			continue;
		}
		if (var_before)
			ambiguous = 1; /* a digit token right after M or D */
		var_before = is_var;
	}
	out[n] = '\0';
	return ambiguous || strlen(fmt) > size / 2;
}

static void check_format(const char *fmt, const char *value)
{
	static const struct pl_date samples[] = {
		{ 2024, 1, 5 }, { 1999, 12, 31 }, { 1, 1, 1 }, { 9999, 12, 31 }, { 2000, 2, 29 },
	};
	char why[200], text[512];
	struct pl_date dt;

	why[0] = '\0';
	if (pl_date_format_check(fmt, why, sizeof(why)) != 0) {
		CHECK(why[0] != '\0');
		return;
	}
	if (pl_date_parse(value, fmt, &dt) == 0)
		check_date(&dt);
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		if (write_date(fmt, &samples[i], text, sizeof(text)))
			continue;
		CHECK(pl_date_parse(text, fmt, &dt) == 0);
		CHECK(dt.year == samples[i].year && dt.month == samples[i].month &&
		      dt.day == samples[i].day);
	}
}

static int plain_number(const char *s)
{
	size_t i = 0, digits = 0;

	if (s[i] == '-' || s[i] == '+')
		i++;
	while (s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (digits == 0 || digits > 15)
		return 0;
	if (s[i] == '.') {
		size_t f = 0;

		i++;
		while (s[i] >= '0' && s[i] <= '9')
			i++, f++;
		if (f == 0 || f > 15)
			return 0;
	}
	return s[i] == '\0';
}

static void check_number(const char *s)
{
	double v, w;

	if (pl_number_parse(s, '.', &v) == 0)
		CHECK(isfinite(v));
	if (pl_number_parse(s, ',', &w) == 0)
		CHECK(isfinite(w));
	if (plain_number(s)) {
		char *comma = strdup(s), *dot;

		if (!comma)
			abort();
		CHECK(pl_number_parse(s, '.', &v) == 0 && v == strtod(s, NULL));
		if ((dot = strchr(comma, '.')) != NULL)
			*dot = ',';
		CHECK(pl_number_parse(comma, ',', &w) == 0 && w == v);
		free(comma);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul;
	char *buf, *fmt = NULL, *value;
	struct pl_date dt;

	if (size > 512)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	nul = memchr(data, '\0', size);
	if (nul) {
		fmt = buf;
		value = buf + (nul - data) + 1;
	} else {
		value = buf;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char why[200];

		CHECK(pl_date_format_check(formats[i], why, sizeof(why)) == 0);
		if (pl_date_parse(value, formats[i], &dt) == 0)
			check_date(&dt);
	}
	if (fmt)
		check_format(fmt, value);
	check_number(value);
	free(buf);
	return 0;
}

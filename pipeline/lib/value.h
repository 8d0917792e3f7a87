/*
 * lib/value.h - parsing the values exports hold: calendar dates in a list of
 * formats, and numbers with decimal commas and thousands separators.
 */
#ifndef PL_VALUE_H
#define PL_VALUE_H

#include <stddef.h>

struct pl_date {
	int year;   /* 1..9999 */
	int month;  /* 1..12 */
	int day;    /* 1..days in month */
};

int pl_is_leap_year(int year);
int pl_days_in_month(int year, int month);
/* 1 if y-m-d is a real calendar day (years 1..9999). */
int pl_date_valid(int year, int month, int day);

/* Checks a date format: tokens YYYY MM DD M D (month and day with one or
 * two digits) hh mm ss (time, checked then ignored) and literal characters.
 * Returns 0, or -1 with a reason in why. */
int pl_date_format_check(const char *fmt, char *why, size_t why_size);
/* Parses s (whole string, no surrounding space) with fmt; returns 0 and
 * fills *out if s matches and is a real calendar day, else -1. */
int pl_date_parse(const char *s, const char *fmt, struct pl_date *out);
/* pl_date_parse(s, "YYYY-MM-DD", out) without reading the format: the
 * same strings accepted (the stages that read the episode table's dates,
 * millions of them, use it). */
int pl_date_parse_iso(const char *s, struct pl_date *out);
/* Writes YYYY-MM-DD (11 bytes with NUL). */
void pl_date_iso(const struct pl_date *dt, char out[11]);
/* Days since 1970-01-01 (negative before). */
long pl_date_days(const struct pl_date *dt);

/* Parses a number written with decimal separator dec ('.' or ','): an
 * optional sign, digits optionally grouped by thousands separators (space,
 * NBSP U+00A0, narrow NBSP U+202F, and the other of '.' / ','; groups of
 * three), an optional fraction.  Surrounding white space is ignored.
 * Returns 0 and sets *out, or -1 ("", "-", "NaN", "1,2,3", ...). */
int pl_number_parse(const char *s, char dec, double *out);

#endif

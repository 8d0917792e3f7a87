/*
 * lib/compare.h - the comparison functions of record linkage: Jaro-Winkler
 * similarity on UTF-8, the name key names are compared by, and the
 * comparison levels (Fellegi-Sunter "gamma" values, as in Splink) for names,
 * dates, and codes such as sex and postcode.
 *
 * Everything here is pure: no global state, and the per-pair functions
 * (pl_jaro_winkler, pl_cmp_*) never allocate, so they can run inside the
 * pair loop.  pl_name_key is per record: compute keys once, compare many
 * times.
 *
 * A level is a small int.  PL_CMP_MISSING (-1) means a value was missing on
 * either side, so the comparison carries no evidence; PL_CMP_ELSE (0) means
 * the values disagree; higher levels agree more closely.
 */
#ifndef PL_COMPARE_H
#define PL_COMPARE_H

#include <stddef.h>

#include "value.h"

/* Code points of each string pl_jaro_winkler looks at; the rest is ignored. */
#define PL_JW_MAX_CP 64

/* Inclusive thresholds of the name levels, on Jaro-Winkler similarity.  A
 * similarity within 1e-9 below a threshold counts as reaching it, so that
 * exact rational values such as 23/25 are not lost to rounding. */
#define PL_CMP_NAME_HIGH 0.92
#define PL_CMP_NAME_LOW  0.80

enum pl_cmp_level {
	PL_CMP_MISSING = -1,        /* every kind: a value is missing */
	PL_CMP_ELSE = 0,            /* every kind: none of the levels below */

	/* pl_cmp_name */
	PL_CMP_NAME_JW80 = 1,       /* Jaro-Winkler >= PL_CMP_NAME_LOW */
	PL_CMP_NAME_JW92 = 2,       /* Jaro-Winkler >= PL_CMP_NAME_HIGH */
	PL_CMP_NAME_EXACT = 3,      /* same name key */

	/* pl_cmp_names_swapped */
	PL_CMP_SWAPPED = 1,         /* first and last name trade places */

	/* pl_cmp_date */
	PL_CMP_DATE_MONTH = 1,      /* same year and month, other day */
	PL_CMP_DATE_TYPO = 2,       /* one day apart, day and month swapped, or
	                               two adjacent digits of YYYYMMDD transposed */
	PL_CMP_DATE_EXACT = 3,      /* same day */

	/* pl_cmp_exact, pl_cmp_sex */
	PL_CMP_EQUAL = 1            /* equal after pl_fold */
};

/* What a level compares, for pl_cmp_level_name. */
enum pl_cmp_kind {
	PL_CMP_KIND_NAME,           /* pl_cmp_name */
	PL_CMP_KIND_SWAP,           /* pl_cmp_names_swapped */
	PL_CMP_KIND_DATE,           /* pl_cmp_date */
	PL_CMP_KIND_EXACT           /* pl_cmp_exact, pl_cmp_sex */
};

/*
 * Jaro-Winkler similarity of two UTF-8 strings, in [0, 1], comparing code
 * points (so Å, Ä, Ö are one character each; no case folding: pass name
 * keys).  Only the first PL_JW_MAX_CP code points of each string count.  A
 * byte that does not start a well-formed UTF-8 sequence counts as one
 * character, the one it stands for in Latin-1.
 *
 * Jaro as defined by Jaro (1989): characters match when equal and at most
 * max(|a|, |b|) / 2 - 1 positions apart; t is half the number of matched
 * characters out of order, rounded down (as in Winkler's strcmp95).  The
 * Winkler bonus l * 0.1 * (1 - jaro), l the common prefix of up to four
 * characters, is added whatever the Jaro value.  Defined: "" vs "" is 1.0,
 * "" vs a non-empty string 0.0; NULL counts as "".  Symmetric:
 * f(a, b) == f(b, a).
 */
double pl_jaro_winkler(const char *a, const char *b);

/*
 * Writes the key a name is compared by into out (at most size bytes with the
 * NUL; a longer key is cut at a character boundary): pl_fold (trimmed,
 * white space collapsed, lower case), then hyphens and apostrophes become
 * spaces and spaces collapse again.  "  ANNA-KARIN " and "anna  karin" give
 * "anna karin"; "D'Ascenzo" gives "d ascenzo".  Å Ä Ö É are lower-cased but
 * kept: å, ä, ö and é are letters of their own in Swedish names, not
 * decorated a, o and e.  Hyphens: - U+2010 U+2011 U+2013 U+2014 U+2212;
 * apostrophes: ' ` U+00B4 U+2018 U+2019 U+02BC.  NULL gives "".
 * Per record, not per pair: it allocates a temporary buffer.
 */
void pl_name_key(const char *s, char *out, size_t size);

/* Level of two name keys (from pl_name_key): PL_CMP_NAME_EXACT if equal,
 * else by pl_jaro_winkler PL_CMP_NAME_JW92 or PL_CMP_NAME_JW80, else
 * PL_CMP_ELSE; PL_CMP_MISSING if either is NULL or "". */
int pl_cmp_name(const char *a, const char *b);
/* pl_cmp_name with other Jaro-Winkler bands (high >= low): the levels keep
 * their names, PL_CMP_NAME_JW92 meaning "at least high". */
int pl_cmp_name_bands(const char *a, const char *b, double high, double low);

/* PL_CMP_SWAPPED (1) if record a's first name key equals record b's last
 * name key and a's last equals b's first, and the two records do not
 * simply agree (first != last); else 0, also when any of the four is NULL
 * or "".  Meant as an extra level when pl_cmp_name disagrees on both. */
int pl_cmp_names_swapped(const char *first_a, const char *last_a,
			 const char *first_b, const char *last_b);

/*
 * Level of two dates (valid calendar days, as from pl_date_parse):
 * PL_CMP_DATE_EXACT; PL_CMP_DATE_TYPO if one day apart (across month and
 * year ends too), day and month swapped (1980-03-04 vs 1980-04-03), or the
 * YYYYMMDD spellings differ by one swap of two adjacent digits (19800312 vs
 * 19800321, 19800312 vs 19080312); PL_CMP_DATE_MONTH if the same year and
 * month; else PL_CMP_ELSE.  PL_CMP_MISSING if either is NULL or has year 0.
 */
int pl_cmp_date(const struct pl_date *a, const struct pl_date *b);

/* PL_CMP_EQUAL (1) if a and b are equal after pl_fold (case, surrounding and
 * repeated white space do not count), else PL_CMP_ELSE; PL_CMP_MISSING if
 * either is NULL or blank.  For codes such as postcode. */
int pl_cmp_exact(const char *a, const char *b);

/* pl_cmp_exact for sex codes, where "U" (unknown) also counts as missing. */
int pl_cmp_sex(const char *a, const char *b);

/* Short lower-case name of a level, for logs and linkage_param ("exact",
 * "jw>=0.92", "missing", ...); "?" for a level the kind does not have. */
const char *pl_cmp_level_name(enum pl_cmp_kind kind, int level);

#endif

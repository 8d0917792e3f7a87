/*
 * lib/compare.c - comparison functions and levels of record linkage.
 *
 * The per-pair functions work on the stack only: Jaro-Winkler decodes at
 * most PL_JW_MAX_CP code points per string into fixed arrays and keeps the
 * matched positions in 64-bit masks.
 */
#include "compare.h"

#include <stdint.h>
#include <string.h>

#include "pl.h"
#include "text.h"

_Static_assert(PL_JW_MAX_CP <= 64, "matched positions are kept in 64-bit masks");

/* Slack on the inclusive name thresholds (see compare.h). */
#define JW_EPS 1e-9

/* ---- Jaro-Winkler -------------------------------------------------------- */

/* Decodes up to PL_JW_MAX_CP code points of s into cp; returns how many.
 * A byte that starts no well-formed sequence is taken as its Latin-1
 * character.  Overlong forms are not refused: they only have to compare. */
static int utf8_decode(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	int n = 0;

	while (*s && n < PL_JW_MAX_CP) {
		unsigned c = *s;
		uint32_t v;
		int k, ok = 1;

		if (c < 0x80) {
			cp[n++] = c;
			s++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			k = 1;
			v = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			v = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			v = c & 0x07;
		} else {
			cp[n++] = c;
			s++;
			continue;
		}
		/* a NUL is no continuation byte, so this stops at the end */
		for (int i = 1; i <= k && ok; i++)
			ok = (s[i] & 0xC0) == 0x80;
		if (!ok) {
			cp[n++] = c;
			s++;
			continue;
		}
		for (int i = 1; i <= k; i++)
			v = (v << 6) | (s[i] & 0x3F);
		cp[n++] = v;
		s += k + 1;
	}
	return n;
}

static int lowest_bit(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
	return __builtin_ctzll(x);
#else
	int i = 0;

	while (!(x & 1)) {
		x >>= 1;
		i++;
	}
	return i;
#endif
}

/* Jaro similarity of a[0..la) and b[0..lb); both non-empty. */
static double jaro(const uint32_t *a, int la, const uint32_t *b, int lb)
{
	int window = (la > lb ? la : lb) / 2 - 1;
	uint64_t a_hit = 0, b_hit = 0;
	int m = 0, half_t = 0;

	if (window < 0)
		window = 0;
	for (int i = 0; i < la; i++) {
		int lo = i > window ? i - window : 0;
		int hi = i + window + 1 < lb ? i + window + 1 : lb;

		for (int j = lo; j < hi; j++) {
			if (a[i] == b[j] && !(b_hit >> j & 1)) {
				a_hit |= (uint64_t)1 << i;
				b_hit |= (uint64_t)1 << j;
				m++;
				break;
			}
		}
	}
	if (m == 0)
		return 0.0;
	/* matched characters of a and of b, each in order: count mismatches */
	while (a_hit) {
		if (a[lowest_bit(a_hit)] != b[lowest_bit(b_hit)])
			half_t++;
		a_hit &= a_hit - 1;
		b_hit &= b_hit - 1;
	}
	half_t /= 2;
	return ((double)m / la + (double)m / lb + (double)(m - half_t) / m) / 3.0;
}

double pl_jaro_winkler(const char *a, const char *b)
{
	uint32_t ca[PL_JW_MAX_CP], cb[PL_JW_MAX_CP];
	int la, lb, prefix = 0;
	double j;

	if (!a)
		a = "";
	if (!b)
		b = "";
	if (strcmp(a, b) == 0)
		return 1.0;
	la = utf8_decode(a, ca);
	lb = utf8_decode(b, cb);
	if (la == 0 || lb == 0)
		return la == lb ? 1.0 : 0.0;
	/* The greedy matching scans a, yet m and t come out the same either
	 * way round: test_compare checks every pair of short strings. */
	j = jaro(ca, la, cb, lb);
	while (prefix < 4 && prefix < la && prefix < lb && ca[prefix] == cb[prefix])
		prefix++;
	return j + prefix * 0.1 * (1.0 - j);
}

/* ---- name keys ------------------------------------------------------------ */

/* Length of a word separator at s in pl_fold output: a space, a hyphen or an
 * apostrophe (see compare.h); 0 if none. */
static size_t name_sep_len(const unsigned char *s)
{
	if (s[0] == ' ' || s[0] == '-' || s[0] == '\'' || s[0] == '`')
		return 1;
	if ((s[0] == 0xC2 && s[1] == 0xB4) || (s[0] == 0xCA && s[1] == 0xBC))
		return 2;
	if (s[0] == 0xE2 && s[1] == 0x80 &&
	    (s[2] == 0x90 || s[2] == 0x91 || s[2] == 0x93 || s[2] == 0x94 ||
	     s[2] == 0x98 || s[2] == 0x99))
		return 3;
	if (s[0] == 0xE2 && s[1] == 0x88 && s[2] == 0x92)
		return 3;
	return 0;
}

void pl_name_key(const char *s, char *out, size_t size)
{
	struct pl_buf buf;
	const unsigned char *f;
	size_t i = 0, o = 0;
	int pending_space = 0;

	if (size == 0)
		return;
	out[0] = '\0';
	if (!s)
		return;
	pl_buf_init(&buf);
	f = (const unsigned char *)pl_fold(s, strlen(s), &buf);
	while (f[i]) {
		size_t sep = name_sep_len(f + i), char_len = 1;

		if (sep) {
			pending_space = o > 0;
			i += sep;
			continue;
		}
		while (char_len < 4 && (f[i + char_len] & 0xC0) == 0x80)
			char_len++;
		if (o + (size_t)pending_space + char_len >= size)
			break; /* cut before a character that does not fit */
		if (pending_space)
			out[o++] = ' ';
		pending_space = 0;
		memcpy(out + o, f + i, char_len);
		o += char_len;
		i += char_len;
	}
	out[o] = '\0';
	pl_buf_release(&buf);
}

/* ---- levels --------------------------------------------------------------- */

int pl_cmp_name_bands(const char *a, const char *b, double high, double low)
{
	double jw;

	if (!a || !b || !*a || !*b)
		return PL_CMP_MISSING;
	if (strcmp(a, b) == 0)
		return PL_CMP_NAME_EXACT;
	jw = pl_jaro_winkler(a, b);
	if (jw >= high - JW_EPS)
		return PL_CMP_NAME_JW92;
	if (jw >= low - JW_EPS)
		return PL_CMP_NAME_JW80;
	return PL_CMP_ELSE;
}

int pl_cmp_name(const char *a, const char *b)
{
	return pl_cmp_name_bands(a, b, PL_CMP_NAME_HIGH, PL_CMP_NAME_LOW);
}

int pl_cmp_names_swapped(const char *first_a, const char *last_a,
			 const char *first_b, const char *last_b)
{
	if (!first_a || !last_a || !first_b || !last_b ||
	    !*first_a || !*last_a || !*first_b || !*last_b)
		return 0;
	return strcmp(first_a, last_b) == 0 && strcmp(last_a, first_b) == 0 &&
	       strcmp(first_a, last_a) != 0;
}

/* The eight digits of YYYYMMDD. */
static void date_digits(const struct pl_date *d, char out[8])
{
	int y = d->year;

	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = (char)('0' + d->month / 10 % 10);
	out[5] = (char)('0' + d->month % 10);
	out[6] = (char)('0' + d->day / 10 % 10);
	out[7] = (char)('0' + d->day % 10);
}

/* 1 if x and y differ by exactly one swap of two adjacent, unequal digits. */
static int adjacent_transposition(const char x[8], const char y[8])
{
	int i = 0;

	while (i < 8 && x[i] == y[i])
		i++;
	if (i >= 7 || x[i] != y[i + 1] || x[i + 1] != y[i])
		return 0;
	for (i += 2; i < 8; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

int pl_cmp_date(const struct pl_date *a, const struct pl_date *b)
{
	char da[8], db[8];
	long diff;

	if (!a || !b || a->year == 0 || b->year == 0)
		return PL_CMP_MISSING;
	if (a->year == b->year && a->month == b->month && a->day == b->day)
		return PL_CMP_DATE_EXACT;
	diff = pl_date_days(a) - pl_date_days(b);
	if (diff == 1 || diff == -1)
		return PL_CMP_DATE_TYPO;
	if (a->year == b->year && a->month == b->day && a->day == b->month)
		return PL_CMP_DATE_TYPO;
	date_digits(a, da);
	date_digits(b, db);
	if (adjacent_transposition(da, db))
		return PL_CMP_DATE_TYPO;
	if (a->year == b->year && a->month == b->month)
		return PL_CMP_DATE_MONTH;
	return PL_CMP_ELSE;
}

/*
 * Reads a string folded as pl_fold folds it, one byte at a time and without
 * a buffer.  The two must agree: test_compare checks pl_cmp_exact against
 * pl_fold.
 */
struct fold_iter {
	const unsigned char *s;
	int pending_space; /* white space seen after output: emit one ' ' */
	int emitted;       /* anything emitted yet (leading space is dropped) */
	int held;          /* second byte of a folded Latin-1 letter, or -1 */
};

static void fold_iter_init(struct fold_iter *it, const char *s)
{
	it->s = (const unsigned char *)s;
	it->pending_space = 0;
	it->emitted = 0;
	it->held = -1;
}

/* The next byte of the folded string, or -1 at its end. */
static int fold_iter_next(struct fold_iter *it)
{
	const unsigned char *s;

	if (it->held >= 0) {
		int c = it->held;

		it->held = -1;
		return c;
	}
	for (;;) {
		s = it->s;
		if (!*s)
			return -1; /* trailing white space is dropped */
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			it->pending_space = it->emitted;
			it->s++;
			continue;
		}
		if (s[0] == 0xC2 && s[1] == 0xA0) {
			it->pending_space = it->emitted;
			it->s += 2;
			continue;
		}
		break;
	}
	if (it->pending_space) {
		it->pending_space = 0;
		return ' ';
	}
	it->emitted = 1;
	if (s[0] == 0xC3 && s[1] >= 0x80 && s[1] <= 0x9E && s[1] != 0x97) {
		it->held = s[1] + 0x20;
		it->s += 2;
		return 0xC3;
	}
	it->s++;
	return s[0] >= 'A' && s[0] <= 'Z' ? s[0] + 32 : s[0];
}

/* Compares a and b folded: 1 equal, 0 not, -1 if either is blank. */
static int folded_equal(const char *a, const char *b)
{
	struct fold_iter ia, ib;
	int ca, cb;

	fold_iter_init(&ia, a);
	fold_iter_init(&ib, b);
	ca = fold_iter_next(&ia);
	cb = fold_iter_next(&ib);
	if (ca < 0 || cb < 0)
		return -1;
	while (ca == cb && ca >= 0) {
		ca = fold_iter_next(&ia);
		cb = fold_iter_next(&ib);
	}
	return ca == cb;
}

int pl_cmp_exact(const char *a, const char *b)
{
	int eq;

	if (!a || !b)
		return PL_CMP_MISSING;
	eq = folded_equal(a, b);
	return eq < 0 ? PL_CMP_MISSING : eq ? PL_CMP_EQUAL : PL_CMP_ELSE;
}

/* 1 if s is blank or folds to "u". */
static int sex_unknown(const char *s)
{
	struct fold_iter it;
	int c;

	fold_iter_init(&it, s);
	c = fold_iter_next(&it);
	return c < 0 || (c == 'u' && fold_iter_next(&it) < 0);
}

int pl_cmp_sex(const char *a, const char *b)
{
	if (!a || !b || sex_unknown(a) || sex_unknown(b))
		return PL_CMP_MISSING;
	return pl_cmp_exact(a, b);
}

const char *pl_cmp_level_name(enum pl_cmp_kind kind, int level)
{
	static const char *const name[] = { "else", "jw>=0.80", "jw>=0.92", "exact" };
	static const char *const swap[] = { "else", "swapped" };
	static const char *const date[] = { "else", "same month", "typo", "exact" };
	static const char *const exact[] = { "else", "equal" };

	if (level == PL_CMP_MISSING)
		return kind == PL_CMP_KIND_SWAP ? "?" : "missing";
	if (level < 0)
		return "?";
	switch (kind) {
	case PL_CMP_KIND_NAME:
		return level < 4 ? name[level] : "?";
	case PL_CMP_KIND_SWAP:
		return level < 2 ? swap[level] : "?";
	case PL_CMP_KIND_DATE:
		return level < 4 ? date[level] : "?";
	case PL_CMP_KIND_EXACT:
		return level < 2 ? exact[level] : "?";
	}
	return "?";
}

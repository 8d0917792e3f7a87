/*
 * lib/text.c - decoding to UTF-8 and folding for matching.
 */
#include "text.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	enum pl_encoding enc;
	const char *iconv_name;
} encodings[] = {
	{ "utf-8",        PL_ENC_UTF8,     NULL },
	{ "utf-8-bom",    PL_ENC_UTF8_BOM, NULL },
	{ "windows-1252", PL_ENC_CP1252,   "CP1252" },
	{ "iso-8859-1",   PL_ENC_LATIN1,   "ISO-8859-1" },
};
#define N_ENCODINGS (sizeof(encodings) / sizeof(encodings[0]))

int pl_encoding_parse(const char *name, enum pl_encoding *enc)
{
	for (size_t i = 0; i < N_ENCODINGS; i++) {
		if (strcasecmp(name, encodings[i].name) == 0) {
			*enc = encodings[i].enc;
			return 0;
		}
	}
	return -1;
}

const char *pl_encoding_name(enum pl_encoding enc)
{
	for (size_t i = 0; i < N_ENCODINGS; i++)
		if (encodings[i].enc == enc)
			return encodings[i].name;
	return "?";
}

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* The 8 bytes at s as one word (any alignment). */
static uint64_t word_at(const unsigned char *s)
{
	uint64_t w;

	memcpy(&w, s, sizeof(w));
	return w;
}

/* Length of the run of ASCII bytes (below 0x80) that s starts with, looked
 * at 8 bytes a time; values are mostly ASCII. */
static size_t ascii_run(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i + 8 <= len && !(word_at(s + i) & HIGHS))
		i += 8;
	while (i < len && s[i] < 0x80)
		i++;
	return i;
}

int pl_utf8_valid(const char *str, size_t len, size_t *bad_off)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned long cp, min;

		if (c < 0x80) {
			i += ascii_run(s + i, len - i);
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			n = 1; cp = c & 0x1F; min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2; cp = c & 0x0F; min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			goto bad;
		}
		if (len - i <= n)
			goto bad;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		i += n + 1;
	}
	return 1;
bad:
	if (bad_off)
		*bad_off = i;
	return 0;
}

/* Asks iconv for each byte alone.  The encodings here are stateless and one
 * byte a character, so a value decodes to the concatenation of its bytes'
 * results, and a byte iconv refuses makes iconv refuse the value there.  If
 * any byte gives more than 3 bytes of UTF-8 (or iconv says something else),
 * no table is used and every value goes through iconv. */
static void build_table(struct pl_decoder *dec)
{
	dec->has_table = 1;
	for (int b = 0; b < 256 && dec->has_table; b++) {
		char in_byte = (char)b, out[8];
		char *in = &in_byte, *o = out;
		size_t in_left = 1, out_left = sizeof(out);

		iconv((iconv_t)dec->cd, NULL, NULL, NULL, NULL);
		if (iconv((iconv_t)dec->cd, &in, &in_left, &o, &out_left) != (size_t)-1 &&
		    in_left == 0 && o - out >= 1 && o - out <= 3) {
			dec->table[b].len = (unsigned char)(o - out);
			memcpy(dec->table[b].utf8, out, (size_t)(o - out));
		} else if (errno == EILSEQ) {
			dec->table[b].len = 0;
		} else {
			dec->has_table = 0;
		}
	}
	iconv((iconv_t)dec->cd, NULL, NULL, NULL, NULL);
	dec->ascii_same = dec->has_table;
	for (int b = 0; b < 0x80 && dec->ascii_same; b++)
		dec->ascii_same = dec->table[b].len == 1 && dec->table[b].utf8[0] == (char)b;
}

/* Decodes through the table; NULL with *bad_off at a byte iconv refuses. */
static const char *decode_table(struct pl_decoder *dec, const char *src, size_t len,
				size_t *out_len, size_t *bad_off)
{
	const unsigned char *s = (const unsigned char *)src;
	char *out;

	pl_buf_reset(&dec->out);
	pl_buf_grow(&dec->out, len * 3);
	out = dec->out.data;
	for (size_t i = 0; i < len; i++) {
		unsigned char n;

		if (dec->ascii_same && s[i] < 0x80) {
			size_t run = ascii_run(s + i, len - i);

			memcpy(out, s + i, run);
			out += run;
			i += run - 1;
			continue;
		}
		n = dec->table[s[i]].len;

		if (n == 1) {
			*out++ = dec->table[s[i]].utf8[0];
			continue;
		}
		if (n == 0) {
			*bad_off = i;
			return NULL;
		}
		memcpy(out, dec->table[s[i]].utf8, n);
		out += n;
	}
	*out = '\0';
	dec->out.len = (size_t)(out - dec->out.data);
	*out_len = dec->out.len;
	return dec->out.data;
}

enum pl_err pl_decoder_init(struct pl_decoder *dec, enum pl_encoding enc,
			    struct pl_diag *d)
{
	const char *from = NULL;

	dec->enc = enc;
	dec->cd = NULL;
	dec->has_table = 0;
	dec->ascii_same = 0;
	pl_buf_init(&dec->out);
	for (size_t i = 0; i < N_ENCODINGS; i++)
		if (encodings[i].enc == enc)
			from = encodings[i].iconv_name;
	if (!from)
		return PL_OK;
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return pl_diag_set(d, PL_ESOFTWARE, NULL, 0,
				   "iconv cannot convert from %s: %s", from, strerror(errno));
	dec->cd = cd;
	build_table(dec);
	return PL_OK;
}

void pl_decoder_release(struct pl_decoder *dec)
{
	if (dec->cd)
		iconv_close((iconv_t)dec->cd);
	dec->cd = NULL;
	pl_buf_release(&dec->out);
}

const char *pl_decode_str(struct pl_decoder *dec, const char *src, size_t len,
			  size_t *out_len, size_t *bad_off)
{
	const unsigned char *s = (const unsigned char *)src;
	int same = !dec->cd ? pl_utf8_valid(src, len, bad_off) :
		   dec->has_table && dec->ascii_same && ascii_run(s, len) == len;

	if (!same && !dec->cd)
		return NULL;
	if (!same)
		return pl_decode(dec, src, len, out_len, bad_off);
	*out_len = len;
	return src;
}

const char *pl_decode(struct pl_decoder *dec, const char *src, size_t len,
		      size_t *out_len, size_t *bad_off)
{
	char *in = (char *)src;
	size_t in_left = len;

	if (!dec->cd) {
		if (!pl_utf8_valid(src, len, bad_off))
			return NULL;
		pl_buf_reset(&dec->out);
		pl_buf_append(&dec->out, src, len);
		*out_len = len;
		return dec->out.data;
	}
	if (dec->has_table)
		return decode_table(dec, src, len, out_len, bad_off);
	pl_buf_reset(&dec->out);
	pl_buf_grow(&dec->out, len * 3);
	iconv((iconv_t)dec->cd, NULL, NULL, NULL, NULL);
	while (in_left > 0) {
		char *out = dec->out.data + dec->out.len;
		size_t out_left = dec->out.cap - dec->out.len - 1;
		size_t rc = iconv((iconv_t)dec->cd, &in, &in_left, &out, &out_left);

		dec->out.len = (size_t)(out - dec->out.data);
		if (rc != (size_t)-1)
			break;
		if (errno == E2BIG) {
			pl_buf_grow(&dec->out, in_left * 3 + 16);
			continue;
		}
		*bad_off = (size_t)(in - src);
		return NULL;
	}
	dec->out.data[dec->out.len] = '\0';
	*out_len = dec->out.len;
	return dec->out.data;
}

/* Latin-1 supplement capitals U+00C0..U+00DE (but U+00D7) are C3 80..C3 9E. */
static int fold_latin1(const unsigned char *s, size_t len, size_t i, struct pl_buf *out)
{
	if (s[i] == 0xC3 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9E &&
	    s[i + 1] != 0x97) {
		pl_buf_putc(out, (char)0xC3);
		pl_buf_putc(out, (char)(s[i + 1] + 0x20));
		return 2;
	}
	return 0;
}

static size_t space_len(const unsigned char *s, size_t len, size_t i)
{
	if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')
		return 1;
	if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0xA0)
		return 2;
	return 0;
}

const char *pl_fold(const char *str, size_t len, struct pl_buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	int pending_space = 0;
	size_t i = 0;

	pl_buf_reset(out);
	pl_buf_grow(out, len);
	while (i < len) {
		size_t sp = space_len(s, len, i);
		int n;

		if (sp) {
			pending_space = out->len > 0;
			i += sp;
			continue;
		}
		if (pending_space)
			pl_buf_putc(out, ' ');
		pending_space = 0;
		n = fold_latin1(s, len, i, out);
		if (n) {
			i += (size_t)n;
			continue;
		}
		pl_buf_putc(out, (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]));
		i++;
	}
	return out->data;
}

/* Whether any byte of w is below 0x20 or is 0x7F (exact: no false alarms
 * or misses for the word as a whole; "hasless" and "haszero" of Sean
 * Anderson's bit hacks). */
static int word_may_control(uint64_t w)
{
	uint64_t del = w ^ (0x7F * ONES);

	return (((w - 0x20 * ONES) & ~w) | ((del - ONES) & ~del)) & HIGHS ? 1 : 0;
}

long pl_find_control(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i + 8 <= len && !word_may_control(word_at(s + i)))
		i += 8;
	for (; i < len; i++) {
		if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') || s[i] == 0x7F)
			return (long)i;
	}
	return -1;
}

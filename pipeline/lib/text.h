/*
 * lib/text.h - text encodings and comparison: decoding exports to UTF-8
 * (UTF-8 validated, Windows-1252 and ISO-8859-1 through iconv) and the
 * case/whitespace folding used wherever analysts' words are matched.
 */
#ifndef PL_TEXT_H
#define PL_TEXT_H

#include <stddef.h>

#include "pl.h"

enum pl_encoding {
	PL_ENC_UTF8 = 0,  /* a leading BOM is tolerated and stripped */
	PL_ENC_UTF8_BOM,  /* a leading BOM is expected and stripped */
	PL_ENC_CP1252,
	PL_ENC_LATIN1
};

/* Parses "utf-8", "windows-1252", ...; returns -1 if unknown. */
int pl_encoding_parse(const char *name, enum pl_encoding *enc);
const char *pl_encoding_name(enum pl_encoding enc);

/* Returns 1 if s[0..len) is well-formed UTF-8 (no overlongs, surrogates or
 * code points above U+10FFFF); else 0 with *bad_off at the first bad byte. */
int pl_utf8_valid(const char *s, size_t len, size_t *bad_off);

/* Converts one field to UTF-8.  Holds an iconv descriptor and an output
 * buffer reused across calls; _init/_release. */
struct pl_decoder {
	enum pl_encoding enc;
	void *cd;              /* iconv_t, or NULL for UTF-8 input */
	struct pl_buf out;
	/* Single-byte encodings: each byte's UTF-8 as iconv gives it, built once
	 * at init (len 0: iconv refuses the byte).  utf8[b] holds len bytes. */
	struct {
		unsigned char len;
		char utf8[3];
	} table[256];
	int has_table;
	int ascii_same;        /* the table maps every byte below 0x80 to itself */
};

enum pl_err pl_decoder_init(struct pl_decoder *dec, enum pl_encoding enc,
			    struct pl_diag *d);
void pl_decoder_release(struct pl_decoder *dec);
/* Decodes src; on success returns a pointer to NUL-terminated UTF-8 valid
 * until the next call and sets *out_len.  On an invalid byte returns NULL and
 * sets *bad_off to its offset in src. */
const char *pl_decode(struct pl_decoder *dec, const char *src, size_t len,
		      size_t *out_len, size_t *bad_off);
/* The same for a src that is NUL-terminated at len (a field of lib/csvread):
 * a value that needs no conversion (valid UTF-8 read as UTF-8; ASCII in an
 * encoding that maps ASCII to itself) comes back as src itself, not copied. */
const char *pl_decode_str(struct pl_decoder *dec, const char *src, size_t len,
			  size_t *out_len, size_t *bad_off);

/* Folds s for matching: trims, collapses runs of white space (incl. NBSP) to
 * one space and lower-cases ASCII and Latin-1 letters (Å, Ä, Ö, É, ...).
 * Writes into out (reset first); returns out->data. */
const char *pl_fold(const char *s, size_t len, struct pl_buf *out);

/* Returns the offset of the first C0 control character other than TAB, LF
 * and CR (or DEL) in s, or -1 if there is none. */
long pl_find_control(const char *s, size_t len);

#endif

/*
 * lib/csvread.h - a streaming CSV record reader on libcsv (strict mode)
 * that knows where each record starts.
 *
 * A whole line that holds no quote character (most lines of an export) is
 * split at its delimiters here, with what libcsv gives for it; the rest go
 * through libcsv.
 *
 * Records come out one at a time with the 1-based physical line where they
 * start and the number of lines they span, whatever the line ends (LF, CRLF)
 * and however many quoted line breaks they hold.  Memory is bounded by the
 * longest accepted field (max_field_bytes), never by the file.
 *
 * A record that cannot be parsed (a malformed or unterminated quote, a field
 * over the limit) comes out as PL_CSV_BAD with its start line and a reason;
 * reading then resumes on the line after the bad record's first line (for an
 * unterminated quote or an over-long field) or after the line where the
 * error was seen (for a malformed quote), so one stray quote never swallows
 * the rest of a file.  Every byte of the file is hashed exactly once, or
 * handed to the caller exactly once (on_bytes) for it to hash.
 */
#ifndef PL_CSVREAD_H
#define PL_CSVREAD_H

#include <stddef.h>

#include "pl.h"
#include "secret.h"

struct pl_csv_opts {
	char delimiter;
	char quote;
	size_t max_field_bytes;   /* longer fields make the record bad */
	size_t max_fields;        /* fields beyond this are counted, not kept */
	long skip_lines;          /* physical lines skipped unparsed (title block) */
	int strip_utf8_bom;       /* drop a leading EF BB BF */
};

enum pl_csv_event {
	PL_CSV_ERROR = -1,        /* I/O error, see diag */
	PL_CSV_END = 0,
	PL_CSV_RECORD = 1,        /* a record */
	PL_CSV_BAD = 2            /* a record that could not be parsed */
};

enum pl_csv_bom { PL_BOM_NONE = 0, PL_BOM_UTF8, PL_BOM_UTF16 };

struct pl_csv_record {
	long line;                /* physical line where the record starts */
	long n_lines;             /* physical lines it spans */
	size_t n_fields;          /* fields in the record (may exceed n_kept) */
	size_t n_kept;            /* fields available in fields[] */
	char **fields;            /* NUL-terminated raw bytes, valid until next call */
	size_t *lens;
	int too_long;             /* a field exceeded max_field_bytes */
	long field_idx;           /* 0-based field to blame (too long), -1 if none */
	const char *code;         /* PL_CSV_BAD: reason code, e.g. "malformed_quote" */
	const char *reason;       /* PL_CSV_BAD: why, in words */
};

struct pl_csv_stats {
	long lines;               /* physical lines in the file */
	long skipped_lines;       /* lines skipped by skip_lines */
	long blank_lines;         /* empty lines outside records */
	enum pl_csv_bom bom;
	char sha256[PL_SHA256_HEX]; /* valid after PL_CSV_END (unless pl_csv_on_bytes) */
};

struct pl_csv_reader;

/* Opens path; NULL with PL_ENOINPUT in *d if it cannot be opened. */
struct pl_csv_reader *pl_csv_open(const char *path, const struct pl_csv_opts *opts,
				  struct pl_diag *d);
void pl_csv_close(struct pl_csv_reader *r);
/* Hands each byte of the file to fn(user, bytes, len) instead of hashing
 * it: once, in file order, as it is read, on the thread that calls
 * pl_csv_next; stats.sha256 then stays "".  For a caller that hashes
 * elsewhere, e.g. on another thread.  Call it before the first
 * pl_csv_next. */
void pl_csv_on_bytes(struct pl_csv_reader *r,
		     void (*fn)(void *user, const void *bytes, size_t len), void *user);
/* The next record or event; rec's pointers stay valid until the next call. */
enum pl_csv_event pl_csv_next(struct pl_csv_reader *r, struct pl_csv_record *rec,
			      struct pl_diag *d);
const struct pl_csv_stats *pl_csv_stats(const struct pl_csv_reader *r);
/* 1 if the record is one line of empty fields only (";;;;"): what Excel
 * writes for an empty row. */
int pl_csv_record_is_empty(const struct pl_csv_record *rec);
/* Reads the rest of the file only to count and hash it. */
enum pl_err pl_csv_drain(struct pl_csv_reader *r, struct pl_diag *d);

#endif

/*
 * scan/scan.h - sniff an unknown district export and draft its mapping file.
 *
 * Reads: one export, the shared code lists (the *.ini files of mappings/codelists).
 * Writes: a draft mapping file (docs/mapping.md) that an analyst completes
 * by hand; nothing in the database.
 *
 * The export is read three times, streaming, with bounded memory: once as
 * bytes (encoding, line ends, a sample of the first lines for the
 * delimiter and quote), once for the first records (title block and
 * header), and once record by record through the CSV reader ingest uses
 * (field counts, footer, and per column a bounded table of distinct values
 * and counters for the type guesses).  The pieces are exposed for the unit
 * tests.
 */
#ifndef SCAN_H
#define SCAN_H

#include <stdio.h>

#include "pl.h"
#include "text.h"
#include "value.h"

#define SCAN_SAMPLE_RECORDS 200000L  /* data records the guesses look at */
#define SCAN_MAX_DISTINCT 1000       /* distinct values kept per column */
#define SCAN_HEAD_RECORDS 64         /* records searched for the header */
#define SCAN_SNIFF_BYTES (1L << 20)  /* leading bytes the delimiter is sniffed on */
#define SCAN_N_DATE_FORMATS 8
#define SCAN_MAX_SHAPES 8            /* value shapes kept per column (reserve numbers) */
#define SCAN_CATEGORICAL_MAX 50      /* a column with at most this many values is coded */

/* ---- encoding --------------------------------------------------------- */

enum scan_bom { SCAN_BOM_NONE = 0, SCAN_BOM_UTF8, SCAN_BOM_UTF16 };

/* Byte statistics of a whole file, fed in pieces (pass 1). */
struct scan_bytes {
	long long n_bytes;
	long lines;            /* physical lines (a last line without LF counts) */
	long crlf_lines;       /* ended by CR LF */
	long lf_lines;         /* ended by LF alone */
	enum scan_bom bom;
	long long nul_bytes;
	long high_lines;       /* lines holding a byte >= 0x80 */
	long utf8_mb_lines;    /* ... all of them in well-formed UTF-8 sequences */
	long utf8_bad_lines;   /* lines that are not well-formed UTF-8 */
	long c1_lines;         /* lines with a byte 0x80-0x9F defined in Windows-1252 */
	long undef_lines;      /* lines with 0x81 0x8D 0x8F 0x90 0x9D (undefined there) */
	long first_utf8_bad;   /* line of the first of each, 0 if none */
	long first_undef;
	/* state between pieces */
	unsigned char head[3]; /* first bytes, for the BOM */
	int n_head;
	int need;              /* UTF-8 continuation bytes still expected */
	unsigned char lo, hi;  /* range of the next continuation byte */
	int line_open, line_high, line_mb, line_bad, line_c1, line_undef, last_cr;
};

void scan_bytes_init(struct scan_bytes *b);
void scan_bytes_feed(struct scan_bytes *b, const void *data, size_t len);
/* Ends the last line; call once after the last piece. */
void scan_bytes_finish(struct scan_bytes *b);

struct scan_encoding {
	enum pl_encoding enc;
	int sure;              /* 0: a guess between encodings that read the file alike */
	long stray_lines;      /* lines holding bytes invalid in enc (ingest rejects them) */
	long first_stray;
	char why[240];         /* one line for the draft's header comment */
};

/* Chooses the encoding from the byte statistics.  PL_EDATA with a message
 * in *d for a file that cannot be read as text (empty, UTF-16, NUL bytes). */
enum pl_err scan_guess_encoding(const struct scan_bytes *b, struct scan_encoding *out,
				struct pl_diag *d);

/* ---- delimiter and quote ------------------------------------------------ */

struct scan_dialect {
	char delimiter;        /* ',' ';' '\t' '|' */
	char quote;            /* '"' or '\'' */
	long mode;             /* modal field count of the sampled records */
	long n_records;        /* sampled records (empty ones left out) */
	long n_mode;           /* ... with the modal count */
	long n_quoted;         /* fields enclosed in the quote character */
	int sure;              /* mode > 1 and at least 90% of records have it */
};

/* Sniffs delimiter and quote on text (the first lines of the file). */
void scan_sniff_dialect(const char *text, size_t len, struct scan_dialect *out);
/* Field counts of text split with delimiter and quote: the modal count
 * (0 for no records), the records and how many have the modal count. */
long scan_field_mode(const char *text, size_t len, char delimiter, char quote,
		     long *n_records, long *n_mode, long *n_quoted, long *n_other_quoted);
const char *scan_delimiter_name(char delimiter);

/* ---- title block, header, footer ---------------------------------------- */

/* One of the first records, decoded. */
struct scan_row {
	long line;             /* physical line where it starts */
	long n_lines;          /* lines it spans */
	size_t n_fields;
	char **cells;          /* n_fields decoded, trimmed cells; NULL if undecodable */
};

struct scan_header {
	long idx;              /* index into rows of the first header row, -1 if none */
	long n_rows;           /* 1 or 2 */
	int sure;              /* 0: no row looked like a header, first full-width row taken */
};

/* 1 if the cell is text (has a letter and is no number, date or identity number). */
int scan_cell_is_text(const char *cell);
/* Finds the header among rows: the first row with mode fields whose cells
 * are mostly non-empty text; with a two-row header when the row just above
 * has the same width and a few non-empty text cells (merged group cells). */
void scan_find_header(const struct scan_row *rows, size_t n_rows, size_t mode,
		      struct scan_header *out);

/* 1 if the first field of a record starts with Summa, Totalt, Total or Antal. */
int scan_is_footer_word(const char *first_field);
/* The leading words of a footer's first field ("Totalt antal: 599" ->
 * "Totalt antal"), at most size - 1 bytes; "" if it does not start with a letter. */
void scan_footer_prefix(const char *first_field, char *out, size_t size);
/* ERE matching every prefix: "^Summa" or "^(Summa|Totalt antal)". */
void scan_footer_pattern(char *const *prefixes, size_t n, struct pl_buf *out);

/* ---- columns ------------------------------------------------------------ */

enum scan_type {
	SCAN_T_EMPTY = 0,      /* no value at all */
	SCAN_T_IDENTITY,       /* identity numbers */
	SCAN_T_NAME,           /* names (by the header) */
	SCAN_T_DATE,
	SCAN_T_YEAR,
	SCAN_T_POSTCODE,
	SCAN_T_NUMBER,
	SCAN_T_CATEGORICAL,    /* at most SCAN_CATEGORICAL_MAX distinct values */
	SCAN_T_TEXT            /* free text */
};
const char *scan_type_name(enum scan_type t);

extern const char *const scan_date_formats[SCAN_N_DATE_FORMATS];

/* A distinct value: folded key (pl_fold), first spelling seen, count. */
struct scan_value {
	char *key;
	char *raw;
	long n;
};

/* A shape of values that are not identity numbers, e.g. RES-[0-9]{6}. */
struct scan_shape {
	char key[40];          /* the shape: digits as 'D' runs, the rest literal */
	char rep[33];          /* first value of the shape */
	size_t prefix_len;     /* bytes of rep all values of the shape share */
	long n;
	long n_structural;     /* values failing shape, calendar or future, not the check digit */
};

struct scan_col {
	char *name;            /* header name (rows joined by a space) */
	char *bottom;          /* last header row's cell */
	long n_values;         /* sampled values, empty ones included */
	long n_empty;
	long n_pnr;            /* parse as personnummer or samordningsnummer */
	long n_date[SCAN_N_DATE_FORMATS];
	long n_date_mask[1 << SCAN_N_DATE_FORMATS];
	long n_num_point, n_num_comma;
	long n_point_only, n_comma_only;
	long n_year, n_postcode;
	long n_long;           /* values too long to keep */
	struct scan_value *slots; /* open addressing on key */
	size_t cap, n_distinct, max_distinct;
	long n_unkept;         /* occurrences of values not kept (table full) */
	struct scan_shape shapes[SCAN_MAX_SHAPES];
	size_t n_shapes;
	long n_nonpnr;         /* non-empty values that are no identity number */
	/* guesses (scan_col_guess) */
	enum scan_type type;
	char decimal;          /* '.' or ',' for numbers */
	unsigned date_mask;    /* formats chosen, bit i = scan_date_formats[i] */
	long n_typed;          /* non-empty values fitting the type */
	int field;             /* schema field, -1 for none (scan_assign_fields) */
	int alias_of;          /* column whose field this one also holds (sealed), -1 */
	int by_type;           /* mapped for its values, not its header */
	char note[160];        /* why not mapped, if a keyword matched */
};

void scan_col_init(struct scan_col *c, size_t max_distinct);
void scan_col_release(struct scan_col *c);
/* Adds one trimmed, decoded value; ref is the reference date for identity numbers. */
void scan_col_add(struct scan_col *c, const char *value, const struct pl_date *ref,
		  struct pl_buf *tmp);
/* Sets type, decimal, date_mask and n_typed from what was added. */
void scan_col_guess(struct scan_col *c);
/* Distinct values, most frequent first (then by key); caller frees the array. */
struct scan_value **scan_col_values(const struct scan_col *c, size_t *n);
/* A reserve-number ERE for the column's most common non-identity shape, or
 * "" when there is none worth suggesting; n receives how many values fit. */
void scan_col_reserve(const struct scan_col *c, char *out, size_t size, long *n);

/* The schema field a header name suggests, -1 for none (keywords only). */
int scan_field_by_name(const char *name);
/* Assigns schema fields to columns by header keywords confirmed by type,
 * and identity numbers by type; sets field, alias_of, by_type and note. */
void scan_assign_fields(struct scan_col *cols, size_t n_cols);

/* ---- shared code lists ---------------------------------------------------- */

struct scan_code {
	int field;
	char *key;             /* folded source value */
	char *code;
	char *file;            /* code list file name */
};

struct scan_codelists {
	struct scan_code *items;
	size_t n_items;
};

/* Loads every *.ini of dir (file name prefix before '_' names the field,
 * e.g. intervention_sv.ini).  A missing directory is PL_ENOINPUT;
 * a malformed file PL_ECONFIG with file and line. */
enum pl_err scan_codelists_load(const char *dir, struct scan_codelists *cl, struct pl_diag *d);
void scan_codelists_release(struct scan_codelists *cl);
/* The code for a folded value of field, or NULL; *file gets the list's name. */
const char *scan_codelists_find(const struct scan_codelists *cl, int field, const char *folded,
				const char **file);

/* ---- names --------------------------------------------------------------- */

/* Source name from a file name: lower case [a-z0-9_], Swedish letters
 * transliterated, a trailing year or date dropped ("Centrum_2025.txt" -> "centrum"). */
void scan_source_name(const char *file_name, char *out, size_t size);
/* files glob from a file name: digit runs become '*' ("centrum_2025.txt" -> "centrum_*.txt"). */
void scan_files_glob(const char *file_name, char *out, size_t size);

/* ---- the run -------------------------------------------------------------- */

struct scan_opts {
	const char *path;          /* the export */
	const char *output;        /* the draft's file; NULL: stdout */
	const char *codelist_dir;  /* NULL: no code lists */
	int codelists_required;    /* a missing code list directory is an error */
	const char *today;         /* YYYY-MM-DD for the draft's date and reference; NULL: clock */
	long sample_records;       /* 0: SCAN_SAMPLE_RECORDS */
	size_t max_distinct;       /* 0: SCAN_MAX_DISTINCT */
};

struct scan_summary {
	char encoding[16];
	char delimiter[12];
	long lines;
	long header_line, header_lines;
	long fields;
	long data_records;         /* records after the header, footer and empty ones left out */
	long footer_records;
	long rows_read;            /* what ingest will count: data + wrong width + unparsable */
	long rows_rejected;        /* ... and reject: wrong width, unparsable, bad bytes */
	long n_cols, n_mapped;
	long n_todo;               /* TODOs left for the analyst */
};

/* Scans opts->path and writes the draft mapping file into out (reset
 * first).  PL_ENOINPUT if the file (or a required code list directory) is
 * missing, PL_EDATA if it cannot be read as text, PL_EIO on a read error,
 * PL_ECONFIG for a malformed code list.  Logs warnings and a summary. */
enum pl_err scan_draft(const struct scan_opts *opts, struct pl_buf *out,
		       struct scan_summary *sum, struct pl_diag *d);
/* scan_draft(), then the draft to opts->output (a temporary file in its
 * directory, renamed into place: PL_ECANTCREAT, PL_EIO) or to stdout (PL_EIO). */
enum pl_err scan_run(const struct scan_opts *opts, struct scan_summary *sum, struct pl_diag *d);

#endif

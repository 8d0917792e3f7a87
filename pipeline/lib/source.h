/*
 * lib/source.h - a source's mapping file (mappings/<source>.ini): which
 * files the source claims, their CSV dialect, and which columns hold which
 * schema fields.  See docs/mapping.md for the format.
 */
#ifndef PL_SOURCE_H
#define PL_SOURCE_H

#include <regex.h>
#include <stddef.h>

#include "pl.h"
#include "schema.h"
#include "secret.h"
#include "text.h"

#define PL_MAX_HEADER_LINES 4
#define PL_DEFAULT_MAX_FIELD_BYTES 65536
#define PL_LIMIT_MAX_FIELD_BYTES (64L * 1024 * 1024)

/* Header names that may hold one schema field, folded with pl_fold(). */
struct pl_aliases {
	char **names;
	size_t n_names;
	long line;             /* line in the mapping file, for diagnostics */
};

/* One entry of a recoding table: a folded source value and its code. */
struct pl_recode {
	char *from;            /* folded with pl_fold() */
	char *code;
	long line;             /* where it was given (mapping or code list file) */
};

/* How the map stage makes one schema field ([recode F], [unmapped],
 * [blank], [constants], [derive], [codelists]). */
struct pl_field_spec {
	struct pl_recode *recode;   /* sorted by from after loading */
	size_t n_recode;
	char *unmapped;        /* code for a value not in recode; NULL = reject */
	char *blank;           /* code for an empty value; NULL = reject if required */
	char *constant;        /* every row gets this value; no column */
	long constant_line;
	int derive;            /* take it from the identity number when missing */
	long line;             /* first line that configured the field */
};

/* A conditional rule ([rule NAME]): when a source column's value matches,
 * set a field to a code, whatever the recoding gave.  First match wins. */
struct pl_rule {
	char *name;
	long line;
	char *column;          /* folded header name */
	char *pattern;         /* ERE source */
	regex_t re;            /* valid when pattern != NULL */
	int field;             /* the field it sets, -1 until given */
	char *to;              /* the code */
	long to_line;
};

#define PL_MAX_DATE_FORMATS 8

struct pl_source {
	char *path;                     /* the mapping file */
	char sha256[PL_SHA256_HEX];     /* of its bytes: a change re-maps */
	char ingest_sha256[PL_SHA256_HEX]; /* of what ingest reads, [source],
					 * [dialect] and [columns]: a change
					 * re-ingests (pl_source_load) */
	char *name;                     /* [source] name */
	char *district;                 /* [source] district, a district code */
	char **patterns;                /* [source] files, glob patterns */
	size_t n_patterns;
	enum pl_encoding encoding;      /* [dialect] ... */
	char delimiter;
	char quote;
	long header_line;               /* 1-based physical line of the header */
	long header_lines;              /* rows forming the header */
	char *footer;                   /* ERE source, NULL if none */
	regex_t footer_re;              /* compiled, valid when footer != NULL */
	long n_fields;                  /* expected fields; 0 = header width */
	size_t max_field_bytes;
	struct pl_aliases columns[PL_F__COUNT]; /* [columns] */
	struct pl_field_spec fields[PL_F__COUNT];
	struct pl_rule *rules;          /* [rule NAME], in file order */
	size_t n_rules;
	char *date_formats[PL_MAX_DATE_FORMATS]; /* [dates] formats */
	size_t n_date_formats;
	char decimal;                   /* [numbers] decimal: '.' or ',' */
	char *reserve;                  /* [identity] reserve: ERE of reserve numbers */
	regex_t reserve_re;
	char reference_date[11];        /* [identity] reference_date, "" = today */
};

/* Checks what the map stage needs beyond what loading checks: required
 * fields have a column (or constant), coded fields with a column have a
 * recoding table, dates have formats.  PL_ECONFIG with file and line. */
enum pl_err pl_source_check_mapping(const struct pl_source *src, struct pl_diag *d);

/* Looks up a folded value in a field's recoding table; NULL if absent. */
const char *pl_recode_lookup(const struct pl_field_spec *spec, const char *folded);

/* Loads and validates one mapping file.  On error returns PL_ECONFIG (or
 * PL_ENOINPUT if unreadable) with the file and line in *d.  Caller frees
 * *out with pl_source_free(). */
enum pl_err pl_source_load(const char *path, struct pl_source **out,
			   struct pl_diag *d);
void pl_source_free(struct pl_source *src);

/* Returns 1 if one of the source's patterns matches file_name. */
int pl_source_claims(const struct pl_source *src, const char *file_name);

/* All sources of a mapping directory (its *.ini files, by name). */
struct pl_source_set {
	struct pl_source **items;
	size_t n_items;
};

enum pl_err pl_source_set_load(const char *dir, struct pl_source_set *set,
			       struct pl_diag *d);
void pl_source_set_release(struct pl_source_set *set);

#endif

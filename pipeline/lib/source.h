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

struct pl_source {
	char *path;                     /* the mapping file */
	char sha256[PL_SHA256_HEX];     /* of its bytes: a change re-ingests */
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
};

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

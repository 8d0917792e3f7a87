/*
 * lib/schema.h - the common schema of ../shared/SCHEMA.md as data: the
 * fields a mapping file may name, which of them are sensitive, and the code
 * lists stages validate against.
 */
#ifndef PL_SCHEMA_H
#define PL_SCHEMA_H

/* Fields a source column can be mapped to ([columns] keys). */
enum pl_field {
	PL_F_IDENTITY_NUMBER = 0,
	PL_F_FIRST_NAME,
	PL_F_LAST_NAME,
	PL_F_POSTCODE,
	PL_F_BIRTH_DATE,
	PL_F_BIRTH_YEAR,
	PL_F_SEX,
	PL_F_INTERVENTION,
	PL_F_PROVIDER,
	PL_F_SUBSTANCE,
	PL_F_START_DATE,
	PL_F_END_DATE,
	PL_F_COST_SEK,
	PL_F_CHILDREN,
	PL_F__COUNT
};

const char *pl_field_name(enum pl_field f);
/* Returns the field named name (case-insensitive), or -1. */
int pl_field_lookup(const char *name);
/* Identity number and linkage-only fields: sealed at ingest, never output. */
int pl_field_is_sensitive(enum pl_field f);

/* What kind of value a field holds. */
enum pl_field_kind {
	PL_KIND_TEXT = 0,   /* identity number, names, postcode: sealed, never output */
	PL_KIND_CODE,       /* a code from the field's code list */
	PL_KIND_DATE,
	PL_KIND_YEAR,
	PL_KIND_NUMBER
};
enum pl_field_kind pl_field_kind(enum pl_field f);

/* Code lists. */
enum pl_codelist {
	PL_CL_DISTRICT = 0,
	PL_CL_ID_TYPE,
	PL_CL_SEX,
	PL_CL_INTERVENTION,
	PL_CL_PROVIDER,
	PL_CL_SUBSTANCE,
	PL_CL_CHILDREN,
	PL_CL__COUNT
};

/* The code list of a PL_KIND_CODE field, or -1. */
int pl_field_codelist(enum pl_field f);
/* Returns 1 if code is in the list (exact, upper case ASCII). */
int pl_code_valid(enum pl_codelist list, const char *code);
/* The list's codes, NULL-terminated. */
const char *const *pl_codes(enum pl_codelist list);

#endif

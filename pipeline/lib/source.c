/*
 * lib/source.c - loading and validating mapping files (through inifile.c,
 * which gives every key its line for the diagnostics).
 */
#define _GNU_SOURCE
#include "source.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inifile.h"
#include "value.h"

struct parse_state {
	struct pl_source *src;
	const char *path;              /* file being parsed: mapping or code list */
	int codelist_field;            /* >= 0 when parsing a code list file */
	long line;                     /* line of the key being handled */
	struct pl_diag *d;
	enum pl_err err;
	unsigned seen;                 /* bit per [source]/[dialect] key given */
	struct pl_sha256 ingest;       /* of the keys ingest reads (src->ingest_sha256) */
};

static int fail(struct parse_state *st, const char *fmt, const char *a, const char *b)
{
	if (!st->err)
		st->err = pl_diag_set(st->d, PL_ECONFIG, st->path, st->line, fmt, a, b);
	return 0;
}

/* Compiles a mapping file's regular expression, refusing one with many
 * repetition operators first: glibc's regcomp copies the operand of each
 * repetition, so stacked ones ("a++++...", "((a+)+)+...") need memory
 * exponential in their number.  Returns 0, or -1 with the reason in why. */
#define MAX_REPETITIONS 8
#define MAX_COPIES 1000

static int compile_regex(regex_t *re, const char *value, char *why, size_t why_size)
{
	double copies = 1;   /* product of the counted repetitions' bounds */
	int n = 0, rc;

	for (const char *p = value; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		n += *p == '*' || *p == '+' || *p == '?' || *p == '{';
		if (*p == '{') {
			char *end;
			double bound = strtod(p + 1, &end);

			if (*end == ',' && end[1] != '}')
				bound = strtod(end + 1, &end);
			copies *= bound > 1 ? bound : 1;
		}
	}
	if (n > MAX_REPETITIONS || copies > MAX_COPIES) {
		snprintf(why, why_size, "more than %d repetition operators or %d repeated copies",
			 MAX_REPETITIONS, MAX_COPIES);
		return -1;
	}
	rc = regcomp(re, value, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, re, why, why_size);
		return -1;
	}
	return 0;
}

static int parse_long(const char *value, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Splits "a | b" (sep '|') or "a, b" (sep ',') into trimmed, non-empty items. */
static char **split_list(const char *value, char sep, size_t *n_out)
{
	char **items = NULL;
	size_t n = 0;
	const char *p = value;

	while (*p) {
		const char *end = strchr(p, sep);
		const char *b = p, *e = end ? end : p + strlen(p);

		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > b) {
			items = pl_xrealloc(items, (n + 1) * sizeof(*items));
			items[n++] = pl_xstrndup(b, (size_t)(e - b));
		}
		if (!end)
			break;
		p = end + 1;
	}
	*n_out = n;
	return items;
}

static void free_list(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

static int valid_source_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static const struct {
	const char *name;
	char c;
} delimiters[] = {
	{ "comma", ',' }, { "semicolon", ';' }, { "tab", '\t' }, { "pipe", '|' },
}, quotes[] = {
	{ "double", '"' }, { "single", '\'' },
};

static int lookup_char(const char *value, const void *table, size_t n, char *out)
{
	const struct { const char *name; char c; } *t = table;

	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(value, t[i].name) == 0) {
			*out = t[i].c;
			return 0;
		}
	}
	return -1;
}

enum key_bit {
	K_NAME = 1u << 0, K_DISTRICT = 1u << 1, K_FILES = 1u << 2,
	K_ENCODING = 1u << 3, K_DELIMITER = 1u << 4, K_QUOTE = 1u << 5,
	K_HEADER_LINE = 1u << 6, K_HEADER_LINES = 1u << 7, K_FOOTER = 1u << 8,
	K_FIELDS = 1u << 9, K_MAX_FIELD = 1u << 10
};

static int once(struct parse_state *st, unsigned bit, const char *section, const char *key)
{
	if (st->seen & bit)
		return fail(st, "key '%s' given twice in [%s]", key, section);
	st->seen |= bit;
	return 1;
}

static int handle_source(struct parse_state *st, const char *key, const char *value)
{
	struct pl_source *src = st->src;

	if (strcasecmp(key, "name") == 0) {
		if (!once(st, K_NAME, "source", key))
			return 0;
		if (!valid_source_name(value))
			return fail(st, "source name '%s' must be 1-64 of a-z, 0-9 and _%s", value, "");
		src->name = pl_xstrdup(value);
	} else if (strcasecmp(key, "district") == 0) {
		if (!once(st, K_DISTRICT, "source", key))
			return 0;
		if (!pl_code_valid(PL_CL_DISTRICT, value))
			return fail(st, "district '%s' is not a district code of the schema%s", value, "");
		src->district = pl_xstrdup(value);
	} else if (strcasecmp(key, "files") == 0) {
		if (!once(st, K_FILES, "source", key))
			return 0;
		src->patterns = split_list(value, ',', &src->n_patterns);
		if (src->n_patterns == 0)
			return fail(st, "files: no pattern given%s%s", "", "");
	} else {
		return fail(st, "unknown key '%s' in [%s]", key, "source");
	}
	return 1;
}

static int handle_dialect_num(struct parse_state *st, const char *key, const char *value)
{
	struct pl_source *src = st->src;
	long v;

	if (strcasecmp(key, "header_line") == 0) {
		if (!once(st, K_HEADER_LINE, "dialect", key))
			return 0;
		if (parse_long(value, 1, 1000, &src->header_line))
			return fail(st, "header_line '%s' is not a line number 1-1000%s", value, "");
	} else if (strcasecmp(key, "header_lines") == 0) {
		if (!once(st, K_HEADER_LINES, "dialect", key))
			return 0;
		if (parse_long(value, 1, PL_MAX_HEADER_LINES, &src->header_lines))
			return fail(st, "header_lines '%s' must be 1-4%s", value, "");
	} else if (strcasecmp(key, "fields") == 0) {
		if (!once(st, K_FIELDS, "dialect", key))
			return 0;
		if (parse_long(value, 1, 4096, &src->n_fields))
			return fail(st, "fields '%s' must be 1-4096%s", value, "");
	} else if (strcasecmp(key, "max_field_bytes") == 0) {
		if (!once(st, K_MAX_FIELD, "dialect", key))
			return 0;
		if (parse_long(value, 1, PL_LIMIT_MAX_FIELD_BYTES, &v))
			return fail(st, "max_field_bytes '%s' must be 1-67108864%s", value, "");
		src->max_field_bytes = (size_t)v;
	} else {
		return fail(st, "unknown key '%s' in [%s]", key, "dialect");
	}
	return 1;
}

static int handle_dialect(struct parse_state *st, const char *key, const char *value)
{
	struct pl_source *src = st->src;

	if (strcasecmp(key, "encoding") == 0) {
		if (!once(st, K_ENCODING, "dialect", key))
			return 0;
		if (pl_encoding_parse(value, &src->encoding))
			return fail(st, "encoding '%s' is not one of utf-8, utf-8-bom, "
				    "windows-1252, iso-8859-1%s", value, "");
	} else if (strcasecmp(key, "delimiter") == 0) {
		if (!once(st, K_DELIMITER, "dialect", key))
			return 0;
		if (lookup_char(value, delimiters, sizeof(delimiters) / sizeof(delimiters[0]),
				&src->delimiter))
			return fail(st, "delimiter '%s' is not one of comma, semicolon, tab, pipe%s",
				    value, "");
	} else if (strcasecmp(key, "quote") == 0) {
		if (!once(st, K_QUOTE, "dialect", key))
			return 0;
		if (lookup_char(value, quotes, sizeof(quotes) / sizeof(quotes[0]), &src->quote))
			return fail(st, "quote '%s' is not one of double, single%s", value, "");
	} else if (strcasecmp(key, "footer") == 0) {
		char msg[128];

		if (!once(st, K_FOOTER, "dialect", key))
			return 0;
		if (!*value)
			return fail(st, "footer is empty (it would match every row); "
				    "leave the key out for no footer%s%s", "", "");
		if (compile_regex(&src->footer_re, value, msg, sizeof(msg)) != 0)
			return fail(st, "footer '%s' is not a valid regular expression: %s", value, msg);
		src->footer = pl_xstrdup(value);
	} else {
		return handle_dialect_num(st, key, value);
	}
	return 1;
}

static int handle_columns(struct parse_state *st, const char *key, const char *value)
{
	struct pl_buf folded;
	struct pl_aliases *a;
	int f = pl_field_lookup(key);

	if (f < 0)
		return fail(st, "unknown schema field '%s' in [%s]", key, "columns");
	a = &st->src->columns[f];
	if (a->n_names)
		return fail(st, "key '%s' given twice in [%s]", key, "columns");
	a->names = split_list(value, '|', &a->n_names);
	a->line = st->line;
	if (a->n_names == 0)
		return fail(st, "%s: no column name given%s", key, "");
	pl_buf_init(&folded);
	for (size_t i = 0; i < a->n_names; i++) {
		pl_fold(a->names[i], strlen(a->names[i]), &folded);
		free(a->names[i]);
		a->names[i] = pl_xstrdup(folded.data);
	}
	pl_buf_release(&folded);
	return 1;
}

static int field_of(struct parse_state *st, const char *name, const char *section)
{
	int f = pl_field_lookup(name);

	if (f < 0)
		return fail(st, "unknown schema field '%s' in [%s]", name, section), -1;
	return f;
}

static int check_code(struct parse_state *st, int f, const char *code)
{
	int cl = pl_field_codelist((enum pl_field)f);

	if (cl < 0)
		return fail(st, "field '%s' takes no codes%s", pl_field_name((enum pl_field)f), "");
	if (!pl_code_valid((enum pl_codelist)cl, code))
		return fail(st, "'%s' is not a code of the schema for %s", code,
			    pl_field_name((enum pl_field)f));
	return 1;
}

static void note_line(struct parse_state *st, struct pl_field_spec *spec)
{
	if (!spec->line)
		spec->line = st->line;
}

/* Adds value -> code; an inline entry overrides a code list's. */
static int add_recode(struct parse_state *st, int f, const char *value, const char *code)
{
	struct pl_field_spec *spec = &st->src->fields[f];
	struct pl_buf folded;
	int inline_entry = st->codelist_field < 0;

	if (!check_code(st, f, code))
		return 0;
	pl_buf_init(&folded);
	pl_fold(value, strlen(value), &folded);
	for (size_t i = 0; i < spec->n_recode; i++) {
		struct pl_recode *e = &spec->recode[i];

		if (strcmp(e->from, folded.data) != 0)
			continue;
		pl_buf_release(&folded);
		if (inline_entry && e->line < 0) { /* code list entry: replace */
			free(e->code);
			e->code = pl_xstrdup(code);
			e->line = st->line;
			return 1;
		}
		if (!inline_entry && e->line > 0)
			return 1; /* the mapping file's own entry wins */
		return fail(st, "value '%s' given twice for %s", value, pl_field_name((enum pl_field)f));
	}
	spec->recode = pl_xrealloc(spec->recode, (spec->n_recode + 1) * sizeof(*spec->recode));
	spec->recode[spec->n_recode].from = pl_xstrdup(folded.data);
	spec->recode[spec->n_recode].code = pl_xstrdup(code);
	/* code list entries carry a negative line: theirs is in another file */
	spec->recode[spec->n_recode].line = inline_entry ? st->line : -st->line;
	spec->n_recode++;
	note_line(st, spec);
	pl_buf_release(&folded);
	return 1;
}

static int codelist_handler(void *user, const char *section, const char *key,
			    const char *value, long line);

static int load_codelist(struct parse_state *st, int f, const char *rel)
{
	struct parse_state sub;
	struct pl_buf path;
	const char *slash = strrchr(st->src->path, '/');
	enum pl_err err;

	pl_buf_init(&path);
	if (rel[0] == '/' || !slash)
		pl_buf_printf(&path, "%s", rel);
	else
		pl_buf_printf(&path, "%.*s/%s", (int)(slash - st->src->path), st->src->path, rel);
	sub = *st;
	sub.path = path.data;
	sub.codelist_field = f;
	sub.err = PL_OK;
	err = pl_ini_parse(path.data, codelist_handler, &sub, NULL, st->d);
	if (err == PL_ENOINPUT) {
		char why[sizeof(st->d->msg)];

		snprintf(why, sizeof(why), "%s", st->d->msg);
		err = pl_diag_set(st->d, PL_ECONFIG, st->path, st->line, "code list for %s: %s",
				  pl_field_name((enum pl_field)f), why);
	}
	st->err = err;
	pl_buf_release(&path);
	return err ? 0 : 1;
}

static int codelist_handler(void *user, const char *section, const char *key,
			    const char *value, long line)
{
	struct parse_state *st = user;

	st->line = line;
	if (st->err)
		return 0;
	if (strcasecmp(section, "values") != 0)
		return fail(st, "a code list has only a [values] section, not [%s]%s", section, "");
	return add_recode(st, st->codelist_field, key, value);
}

static int handle_field_section(struct parse_state *st, const char *section,
				const char *key, const char *value)
{
	int f = field_of(st, key, section);
	struct pl_field_spec *spec;

	if (f < 0)
		return 0;
	spec = &st->src->fields[f];
	if (strcasecmp(section, "codelists") == 0)
		return load_codelist(st, f, value);
	if (strcasecmp(section, "unmapped") == 0) {
		if (spec->unmapped || (strcasecmp(value, "reject") != 0 && !check_code(st, f, value)))
			return spec->unmapped ? fail(st, "key '%s' given twice in [%s]", key, section) : 0;
		if (strcasecmp(value, "reject") != 0)
			spec->unmapped = pl_xstrdup(value);
		note_line(st, spec);
		return 1;
	}
	if (strcasecmp(section, "blank") == 0) {
		if (spec->blank)
			return fail(st, "key '%s' given twice in [%s]", key, section);
		if (!check_code(st, f, value))
			return 0;
		spec->blank = pl_xstrdup(value);
		note_line(st, spec);
		return 1;
	}
	if (strcasecmp(section, "constants") == 0) {
		if (spec->constant)
			return fail(st, "key '%s' given twice in [%s]", key, section);
		if (pl_field_kind((enum pl_field)f) != PL_KIND_CODE)
			return fail(st, "only coded fields take a constant, not '%s'%s", key, "");
		if (!check_code(st, f, value))
			return 0;
		spec->constant = pl_xstrdup(value);
		spec->constant_line = st->line;
		note_line(st, spec);
		return 1;
	}
	/* [derive] */
	if (f != PL_F_BIRTH_DATE && f != PL_F_BIRTH_YEAR && f != PL_F_SEX)
		return fail(st, "only birth_date, birth_year and sex can be derived, not '%s'%s", key, "");
	if (strcasecmp(value, "identity_number") != 0)
		return fail(st, "%s can only be derived from identity_number, not '%s'", key, value);
	spec->derive = 1;
	note_line(st, spec);
	return 1;
}

static int handle_rule(struct parse_state *st, const char *name, const char *key,
		       const char *value)
{
	struct pl_source *src = st->src;
	struct pl_rule *r = src->n_rules ? &src->rules[src->n_rules - 1] : NULL;
	struct pl_buf folded;

	if (!r || strcmp(r->name, name) != 0) {
		for (size_t i = 0; i < src->n_rules; i++)
			if (strcmp(src->rules[i].name, name) == 0)
				return fail(st, "[rule %s] given twice%s", name, "");
		src->rules = pl_xrealloc(src->rules, (src->n_rules + 1) * sizeof(*src->rules));
		r = &src->rules[src->n_rules++];
		memset(r, 0, sizeof(*r));
		r->name = pl_xstrdup(name);
		r->line = st->line;
		r->field = -1;
	}
	if (strcasecmp(key, "column") == 0 && !r->column) {
		pl_buf_init(&folded);
		r->column = pl_xstrdup(pl_fold(value, strlen(value), &folded));
		pl_buf_release(&folded);
	} else if (strcasecmp(key, "matches") == 0 && !r->pattern) {
		char msg[128];

		if (compile_regex(&r->re, value, msg, sizeof(msg)) != 0)
			return fail(st, "matches '%s' is not a valid regular expression: %s", value, msg);
		r->pattern = pl_xstrdup(value);
	} else if (strcasecmp(key, "set") == 0 && r->field < 0) {
		r->field = field_of(st, value, "rule");
		if (r->field < 0)
			return 0;
		if (pl_field_kind((enum pl_field)r->field) != PL_KIND_CODE)
			return fail(st, "a rule can only set a coded field, not '%s'%s", value, "");
	} else if (strcasecmp(key, "to") == 0 && !r->to) {
		r->to = pl_xstrdup(value);
		r->to_line = st->line;
	} else {
		return fail(st, "unknown or repeated key '%s' in [rule %s]", key, name);
	}
	return 1;
}

static int handle_misc(struct parse_state *st, const char *section, const char *key,
		       const char *value)
{
	struct pl_source *src = st->src;

	if (strcasecmp(section, "dates") == 0 && strcasecmp(key, "formats") == 0 &&
	    src->n_date_formats == 0) {
		size_t n = 0;
		char **fmts = split_list(value, '|', &n);
		char why[160];
		int ok = n > 0 && n <= PL_MAX_DATE_FORMATS;

		for (size_t i = 0; i < n; i++) {
			if (ok && pl_date_format_check(fmts[i], why, sizeof(why)) != 0) {
				ok = 0;
				fail(st, "%s%s", why, "");
			}
			if (i < PL_MAX_DATE_FORMATS)
				src->date_formats[src->n_date_formats++] = fmts[i];
			else
				free(fmts[i]);
		}
		free(fmts);
		if (!ok && !st->err)
			fail(st, "formats: give 1 to 8 date formats separated by |%s%s", "", "");
		return ok;
	}
	if (strcasecmp(section, "numbers") == 0 && strcasecmp(key, "decimal") == 0) {
		if (strcasecmp(value, "comma") == 0)
			src->decimal = ',';
		else if (strcasecmp(value, "point") == 0)
			src->decimal = '.';
		else
			return fail(st, "decimal '%s' is not comma or point%s", value, "");
		return 1;
	}
	if (strcasecmp(section, "identity") == 0 && strcasecmp(key, "reserve") == 0 && !src->reserve) {
		char msg[128];

		if (compile_regex(&src->reserve_re, value, msg, sizeof(msg)) != 0)
			return fail(st, "reserve '%s' is not a valid regular expression: %s", value, msg);
		src->reserve = pl_xstrdup(value);
		return 1;
	}
	if (strcasecmp(section, "identity") == 0 && strcasecmp(key, "reference_date") == 0) {
		struct pl_date dt;

		if (strcasecmp(value, "today") == 0) {
			src->reference_date[0] = '\0';
			return 1;
		}
		if (pl_date_parse(value, "YYYY-MM-DD", &dt) != 0)
			return fail(st, "reference_date '%s' is not a date YYYY-MM-DD or today%s", value, "");
		pl_date_iso(&dt, src->reference_date);
		return 1;
	}
	return fail(st, "unknown or repeated key '%s' in [%s]", key, section);
}

/* s in lower case (ASCII), with its terminating NUL, into h. */
static void hash_lower(struct pl_sha256 *h, const char *s)
{
	do {
		char c = (char)tolower((unsigned char)*s);

		pl_sha256_update(h, &c, 1);
	} while (*s++);
}

/* The keys ingest reads go into the ingest digest as section, key and
 * value, each with its terminating NUL (so that no two lists of them hash
 * alike), section and key in lower case as they are read: comments, blank
 * lines and the other sections do not count, so that an edit of the
 * recoding, the rules, the dates or the identity section re-maps the files
 * without ingesting them again. */
static void hash_ingest_key(struct parse_state *st, const char *section, const char *key,
			    const char *value)
{
	hash_lower(&st->ingest, section);
	hash_lower(&st->ingest, key);
	pl_sha256_update(&st->ingest, value, strlen(value) + 1);
}

static int handler(void *user, const char *section, const char *key, const char *value,
		   long line)
{
	static const char *const field_sections[] = {
		"codelists", "unmapped", "blank", "constants", "derive"
	};
	struct parse_state *st = user;

	st->line = line;
	if (st->err)
		return 0;
	if (strcasecmp(section, "source") == 0 || strcasecmp(section, "dialect") == 0 ||
	    strcasecmp(section, "columns") == 0)
		hash_ingest_key(st, section, key, value);
	if (strcasecmp(section, "source") == 0)
		return handle_source(st, key, value);
	if (strcasecmp(section, "dialect") == 0)
		return handle_dialect(st, key, value);
	if (strcasecmp(section, "columns") == 0)
		return handle_columns(st, key, value);
	for (size_t i = 0; i < sizeof(field_sections) / sizeof(field_sections[0]); i++)
		if (strcasecmp(section, field_sections[i]) == 0)
			return handle_field_section(st, section, key, value);
	if (strncasecmp(section, "recode ", 7) == 0) {
		int f = field_of(st, section + 7, "recode");

		return f >= 0 && add_recode(st, f, key, value);
	}
	if (strncasecmp(section, "rule ", 5) == 0 && section[5])
		return handle_rule(st, section + 5, key, value);
	if (strcasecmp(section, "dates") == 0 || strcasecmp(section, "numbers") == 0 ||
	    strcasecmp(section, "identity") == 0)
		return handle_misc(st, section, key, value);
	if (!*section)
		return fail(st, "key '%s' outside any [section]%s", key, "");
	return fail(st, "unknown section [%s]%s", section, "");
}

static int cmp_recode(const void *a, const void *b)
{
	return strcmp(((const struct pl_recode *)a)->from, ((const struct pl_recode *)b)->from);
}

const char *pl_recode_lookup(const struct pl_field_spec *spec, const char *folded)
{
	struct pl_recode key = { (char *)folded, NULL, 0 };
	const struct pl_recode *e;

	if (!spec->n_recode)
		return NULL;
	e = bsearch(&key, spec->recode, spec->n_recode, sizeof(key), cmp_recode);
	return e ? e->code : NULL;
}

static enum pl_err check_complete(struct pl_source *src, unsigned seen, struct pl_diag *d)
{
	static const struct { unsigned bit; const char *key; } required[] = {
		{ K_NAME, "[source] name" }, { K_DISTRICT, "[source] district" },
		{ K_FILES, "[source] files" },
	};

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(seen & required[i].bit))
			return pl_diag_set(d, PL_ECONFIG, src->path, 0, "missing %s", required[i].key);
	for (size_t i = 0; i < src->n_rules; i++) {
		const struct pl_rule *r = &src->rules[i];

		if (!r->column || !r->pattern || r->field < 0 || !r->to)
			return pl_diag_set(d, PL_ECONFIG, src->path, r->line,
					   "[rule %s] needs column, matches, set and to", r->name);
		if (!pl_code_valid((enum pl_codelist)pl_field_codelist((enum pl_field)r->field), r->to))
			return pl_diag_set(d, PL_ECONFIG, src->path, r->to_line,
					   "[rule %s]: '%s' is not a code of the schema for %s",
					   r->name, r->to, pl_field_name((enum pl_field)r->field));
	}
	for (int f = 0; f < PL_F__COUNT; f++)
		if (src->fields[f].n_recode)
			qsort(src->fields[f].recode, src->fields[f].n_recode,
			      sizeof(struct pl_recode), cmp_recode);
	return PL_OK;
}

static void set_defaults(struct pl_source *src)
{
	src->encoding = PL_ENC_UTF8;
	src->delimiter = ',';
	src->quote = '"';
	src->header_line = 1;
	src->header_lines = 1;
	src->max_field_bytes = PL_DEFAULT_MAX_FIELD_BYTES;
	src->decimal = '.';
}

enum pl_err pl_source_load(const char *path, struct pl_source **out, struct pl_diag *d)
{
	struct pl_source *src = pl_xcalloc(1, sizeof(*src));
	struct parse_state st = { 0 };
	enum pl_err err;

	src->path = pl_xstrdup(path);
	set_defaults(src);
	st.src = src;
	st.path = src->path;
	st.codelist_field = -1;
	st.d = d;
	pl_sha256_init(&st.ingest);
	err = pl_ini_parse(path, handler, &st, src->sha256, d);
	pl_sha256_hex(&st.ingest, src->ingest_sha256);
	if (!err)
		err = check_complete(src, st.seen, d);
	if (err) {
		pl_source_free(src);
		src = NULL;
	}
	*out = src;
	return err;
}

void pl_source_free(struct pl_source *src)
{
	if (!src)
		return;
	free(src->path);
	free(src->name);
	free(src->district);
	free_list(src->patterns, src->n_patterns);
	if (src->footer)
		regfree(&src->footer_re);
	free(src->footer);
	for (int f = 0; f < PL_F__COUNT; f++) {
		struct pl_field_spec *spec = &src->fields[f];

		free_list(src->columns[f].names, src->columns[f].n_names);
		for (size_t i = 0; i < spec->n_recode; i++) {
			free(spec->recode[i].from);
			free(spec->recode[i].code);
		}
		free(spec->recode);
		free(spec->unmapped);
		free(spec->blank);
		free(spec->constant);
	}
	for (size_t i = 0; i < src->n_rules; i++) {
		free(src->rules[i].name);
		free(src->rules[i].column);
		if (src->rules[i].pattern)
			regfree(&src->rules[i].re);
		free(src->rules[i].pattern);
		free(src->rules[i].to);
	}
	free(src->rules);
	for (size_t i = 0; i < src->n_date_formats; i++)
		free(src->date_formats[i]);
	if (src->reserve)
		regfree(&src->reserve_re);
	free(src->reserve);
	free(src);
}

int pl_source_claims(const struct pl_source *src, const char *file_name)
{
	for (size_t i = 0; i < src->n_patterns; i++)
		if (fnmatch(src->patterns[i], file_name, FNM_CASEFOLD | FNM_PERIOD) == 0)
			return 1;
	return 0;
}

static int is_ini(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".ini") == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum pl_err list_ini(const char *dir, char ***names, size_t *n_names, struct pl_diag *d)
{
	DIR *dp = opendir(dir);
	struct dirent *de;

	*names = NULL;
	*n_names = 0;
	if (!dp)
		return pl_diag_set(d, PL_ECONFIG, dir, 0, "cannot open mapping directory: %s",
				   strerror(errno));
	while ((de = readdir(dp)) != NULL) {
		if (!is_ini(de->d_name))
			continue;
		*names = pl_xrealloc(*names, (*n_names + 1) * sizeof(**names));
		(*names)[(*n_names)++] = pl_xstrdup(de->d_name);
	}
	closedir(dp);
	if (*n_names)
		qsort(*names, *n_names, sizeof(**names), cmp_str);
	return PL_OK;
}

static enum pl_err check_unique(const struct pl_source_set *set, struct pl_diag *d)
{
	for (size_t i = 0; i < set->n_items; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(set->items[i]->name, set->items[j]->name) == 0)
				return pl_diag_set(d, PL_ECONFIG, set->items[i]->path, 0,
						   "source name '%s' is also used by '%s'",
						   set->items[i]->name, set->items[j]->path);
	return PL_OK;
}

enum pl_err pl_source_set_load(const char *dir, struct pl_source_set *set, struct pl_diag *d)
{
	struct pl_buf path;
	char **names = NULL;
	size_t n_names = 0;
	enum pl_err err;

	set->items = NULL;
	set->n_items = 0;
	pl_buf_init(&path);
	err = list_ini(dir, &names, &n_names, d);
	for (size_t i = 0; !err && i < n_names; i++) {
		struct pl_source *src = NULL;

		pl_buf_reset(&path);
		pl_buf_printf(&path, "%s/%s", dir, names[i]);
		err = pl_source_load(path.data, &src, d);
		if (err)
			break;
		set->items = pl_xrealloc(set->items, (set->n_items + 1) * sizeof(*set->items));
		set->items[set->n_items++] = src;
	}
	if (!err && set->n_items == 0)
		err = pl_diag_set(d, PL_ECONFIG, dir, 0, "no mapping files (*.ini) found");
	if (!err)
		err = check_unique(set, d);
	free_list(names, n_names);
	pl_buf_release(&path);
	if (err)
		pl_source_set_release(set);
	return err;
}

void pl_source_set_release(struct pl_source_set *set)
{
	for (size_t i = 0; i < set->n_items; i++)
		pl_source_free(set->items[i]);
	free(set->items);
	set->items = NULL;
	set->n_items = 0;
}

static int has_column(const struct pl_source *src, int f)
{
	return src->columns[f].n_names > 0;
}

enum pl_err pl_source_check_mapping(const struct pl_source *src, struct pl_diag *d)
{
	static const int required[] = { PL_F_START_DATE, PL_F_INTERVENTION };

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		int f = required[i];

		if (!has_column(src, f) && !src->fields[f].constant)
			return pl_diag_set(d, PL_ECONFIG, src->path, 0,
					   "[columns] has no %s, which every episode needs",
					   pl_field_name((enum pl_field)f));
	}
	for (int f = 0; f < PL_F__COUNT; f++) {
		const struct pl_field_spec *spec = &src->fields[f];
		const char *name = pl_field_name((enum pl_field)f);

		if (spec->constant && has_column(src, f))
			return pl_diag_set(d, PL_ECONFIG, src->path, spec->constant_line,
					   "%s has both a column and a constant", name);
		if (spec->n_recode && !has_column(src, f))
			return pl_diag_set(d, PL_ECONFIG, src->path, spec->line,
					   "%s is recoded but has no column in [columns]", name);
		if (pl_field_kind((enum pl_field)f) == PL_KIND_CODE && has_column(src, f) &&
		    !spec->n_recode && !spec->unmapped)
			return pl_diag_set(d, PL_ECONFIG, src->path, src->columns[f].line,
					   "%s has a column but no [recode %s] table or code list",
					   name, name);
		if (pl_field_kind((enum pl_field)f) == PL_KIND_DATE && has_column(src, f) &&
		    src->n_date_formats == 0)
			return pl_diag_set(d, PL_ECONFIG, src->path, src->columns[f].line,
					   "%s has a column but [dates] gives no formats", name);
	}
	return PL_OK;
}

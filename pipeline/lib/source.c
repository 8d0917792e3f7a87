/*
 * lib/source.c - loading and validating mapping files with libinih.
 *
 * libinih reports no line numbers to its handler in Debian's build, so the
 * file is read into memory and fed through ini_parse_stream() by a reader
 * that counts lines: the handler's diagnostics then name the line.
 */
#define _GNU_SOURCE
#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_MAPPING_BYTES (1024 * 1024)

struct parse_state {
	struct pl_source *src;
	const char *text;              /* whole file, NUL-terminated */
	const char *pos;               /* reader position */
	long line;                     /* line last handed to libinih */
	struct pl_diag *d;
	enum pl_err err;
	unsigned seen;                 /* bit per [source]/[dialect] key given */
};

static char *stream_reader(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	const char *nl;
	size_t len;

	if (!*st->pos)
		return NULL;
	nl = strchr(st->pos, '\n');
	len = nl ? (size_t)(nl - st->pos) + 1 : strlen(st->pos);
	if (len >= (size_t)num)
		len = (size_t)num - 1;
	memcpy(str, st->pos, len);
	str[len] = '\0';
	st->pos += len;
	if (len && str[len - 1] == '\n')
		st->line++;
	else if (!*st->pos)
		st->line++;
	return str;
}

static int fail(struct parse_state *st, const char *fmt, const char *a, const char *b)
{
	if (!st->err)
		st->err = pl_diag_set(st->d, PL_ECONFIG, st->src->path, st->line, fmt, a, b);
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
		int rc;

		if (!once(st, K_FOOTER, "dialect", key))
			return 0;
		if (!*value)
			return fail(st, "footer is empty (it would match every row); "
				    "leave the key out for no footer%s%s", "", "");
		rc = regcomp(&src->footer_re, value, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, &src->footer_re, msg, sizeof(msg));
			return fail(st, "footer '%s' is not a valid regular expression: %s", value, msg);
		}
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

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *st = user;

	if (st->err)
		return 0;
	if (strcasecmp(section, "source") == 0)
		return handle_source(st, key, value);
	if (strcasecmp(section, "dialect") == 0)
		return handle_dialect(st, key, value);
	if (strcasecmp(section, "columns") == 0)
		return handle_columns(st, key, value);
	if (!*section)
		return fail(st, "key '%s' outside any [section]%s", key, "");
	return fail(st, "unknown section [%s]%s", section, "");
}

static enum pl_err read_text(const char *path, struct pl_buf *text, struct pl_diag *d)
{
	char chunk[8192];
	enum pl_err err = PL_OK;
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (!fp)
		return pl_diag_set(d, PL_ENOINPUT, path, 0, "cannot open mapping file: %s",
				   strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (text->len + n > MAX_MAPPING_BYTES) {
			err = pl_diag_set(d, PL_ECONFIG, path, 0, "mapping file larger than 1 MiB");
			break;
		}
		pl_buf_append(text, chunk, n);
	}
	if (!err && ferror(fp))
		err = pl_diag_set(d, PL_EIO, path, 0, "read error: %s", strerror(errno));
	fclose(fp);
	if (!err && text->len != strlen(text->data ? text->data : ""))
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "mapping file holds a NUL byte");
	return err;
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
}

enum pl_err pl_source_load(const char *path, struct pl_source **out, struct pl_diag *d)
{
	struct pl_source *src = pl_xcalloc(1, sizeof(*src));
	struct parse_state st = { 0 };
	struct pl_sha256 h;
	struct pl_buf text;
	enum pl_err err;
	int rc;

	pl_buf_init(&text);
	src->path = pl_xstrdup(path);
	set_defaults(src);
	err = read_text(path, &text, d);
	if (err)
		goto cleanup;
	if (!pl_utf8_valid(text.data ? text.data : "", text.len, NULL)) {
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "mapping file is not valid UTF-8");
		goto cleanup;
	}
	pl_sha256_init(&h);
	pl_sha256_update(&h, text.data ? text.data : "", text.len);
	pl_sha256_hex(&h, src->sha256);

	st.src = src;
	st.text = st.pos = text.data ? text.data : "";
	st.d = d;
	rc = ini_parse_stream(stream_reader, &st, handler, &st);
	if (st.err) {
		err = st.err;
		goto cleanup;
	}
	if (rc != 0) {
		err = pl_diag_set(d, PL_ECONFIG, path, rc > 0 ? rc : 0,
				  "syntax error: expected [section] or key = value");
		goto cleanup;
	}
	err = check_complete(src, st.seen, d);
cleanup:
	pl_buf_release(&text);
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
	for (int f = 0; f < PL_F__COUNT; f++)
		free_list(src->columns[f].names, src->columns[f].n_names);
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

/*
 * report/csv.c - the published tables as CSV, two files per table:
 *
 *   <id>.csv           for programs: UTF-8 without BOM, comma, point
 *                      decimal, LF, English labels, numbers at full
 *                      precision (%.10g; whole counts as integers)
 *   <id>-excel-sv.csv  for Swedish Excel: UTF-8 with BOM, semicolon,
 *                      decimal comma, CRLF, Swedish labels, the report's
 *                      decimals but no thousands separator ("1234,5")
 *
 * Both: a header row (the row heading, then a column per column key, with
 * "<label> lower" / "<label> upper" ("nedre" / "övre") after each for
 * tables with intervals), fields quoted as RFC 4180 says (when they hold
 * the separator, a quote or a line break; quotes doubled).  A suppressed
 * cell is ".." in its value and interval columns; a cell without a value
 * (REP_NO_VALUE, or a value that is not finite) is an empty field in both
 * flavours, as is an interval bound that is not finite.  Unreliable cells
 * are not marked (CSV has no fonts).
 *
 * Every file is written to a temporary name in dir (".<name>.tmp.XXXXXX")
 * and only when all of them have been written are they renamed into place,
 * so a failure leaves the previous files as they were.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

struct flavour {
	const char *suffix;          /* file name after the id */
	enum rep_lang lang;          /* labels */
	char sep;                    /* field separator */
	char dec;                    /* decimal mark */
	const char *eol;             /* record terminator */
	int bom;                     /* starts with EF BB BF */
	int report_decimals;         /* 1: the format's decimals; 0: full precision */
};

static const struct flavour flavours[] = {
	{ ".csv", REP_EN, ',', '.', "\n", 0, 0 },
	{ "-excel-sv.csv", REP_SV, ';', ',', "\r\n", 1, 1 },
};
#define N_FLAVOURS (sizeof(flavours) / sizeof(flavours[0]))

/* ---- names ----------------------------------------------------------------- */

/* 1 if id is a usable file stem: 1..47 characters of [a-z0-9_]. */
static int id_ok(const char *id, size_t size)
{
	size_t n = 0;

	for (; n < size && id[n]; n++)
		if (!((id[n] >= 'a' && id[n] <= 'z') || (id[n] >= '0' && id[n] <= '9') ||
		      id[n] == '_'))
			return 0;
	return n > 0 && n < size;
}

/* PL_ESOFTWARE for a table id that is no file stem or is used twice. */
static enum pl_err check_ids(const struct rep_tables *ts, struct pl_diag *d)
{
	for (size_t i = 0; i < ts->n; i++) {
		const char *id = ts->t[i].id;

		if (!id_ok(id, sizeof(ts->t[i].id)))
			return pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "table %zu: id '%.*s' is not "
					   "a file name of [a-z0-9_]", i, (int)sizeof(ts->t[i].id),
					   id);
		for (size_t j = 0; j < i; j++)
			if (strcmp(ts->t[j].id, id) == 0)
				return pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "two tables with "
						   "the id '%s'", id);
	}
	return PL_OK;
}

/* mkdir -p dir, each new directory 0755 (less the umask). */
static enum pl_err make_dir(const char *dir, struct pl_diag *d)
{
	char *p, *buf = pl_xstrdup(dir);
	enum pl_err err = PL_OK;
	struct stat st;

	for (p = buf + 1; !err; p++) {
		int last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			err = pl_diag_set(d, PL_ECANTCREAT, dir, 0, "cannot create directory "
					  "'%s': %s", buf, strerror(errno));
		if (last)
			break;
		*p = '/';
	}
	if (!err && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		err = pl_diag_set(d, PL_ECANTCREAT, dir, 0, "not a directory");
	free(buf);
	return err;
}

/* ---- fields ---------------------------------------------------------------- */

/* s as one field: quoted when it holds sep, a quote or a line break. */
static void put_field(struct pl_buf *b, const char *s, char sep)
{
	if (!strchr(s, sep) && !strpbrk(s, "\"\r\n")) {
		pl_buf_append(b, s, strlen(s));
		return;
	}
	pl_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			pl_buf_putc(b, '"');
		pl_buf_putc(b, *s);
	}
	pl_buf_putc(b, '"');
}

/* The label of entry i of an axis in lang; its key when the label is empty. */
static const char *label_of(const struct rep_axis *a, size_t i, enum rep_lang lang)
{
	const char *s = a->label[lang] ? a->label[lang][i] : NULL;

	if (!s || !*s)
		s = a->key ? a->key[i] : NULL;
	return s ? s : "";
}

/* Decimals to show v with in a format of the reports: whole numbers for
 * counts, days, SEK and estimates; one for rates and shares; three
 * significant digits (never an exponent) for statistics. */
static int report_decimals(enum rep_fmt fmt, double v)
{
	int dec;

	switch (fmt) {
	case REP_F_RATE:
	case REP_F_SHARE:
		return 1;
	case REP_F_STAT:
		if (v == 0)
			return 0;
		dec = 2 - (int)floor(log10(fabs(v)));
		return dec < 0 ? 0 : dec > 12 ? 12 : dec;
	default:
		return 0;
	}
}

/* v (finite) into out as the flavour writes it, without thousands
 * separators, with fl->dec as the decimal mark whatever the locale. */
static void format_number(const struct flavour *fl, enum rep_fmt fmt, double v, char *out,
			  size_t size)
{
	char raw[352];
	size_t o = 0;
	int neg_zero = 1;

	v += 0.0; /* -0 -> 0 */
	if (fl->report_decimals)
		snprintf(raw, sizeof(raw), "%.*f", report_decimals(fmt, v), v);
	else if (fmt == REP_F_COUNT && v == floor(v) && fabs(v) < 1e15)
		snprintf(raw, sizeof(raw), "%.0f", v);
	else
		snprintf(raw, sizeof(raw), "%.10g", v);
	/* a negative value rounded to zero is shown as zero */
	for (const char *p = raw + (raw[0] == '-'); *p; p++)
		if (*p >= '1' && *p <= '9')
			neg_zero = 0;
	for (const char *p = raw + (raw[0] == '-' && neg_zero); *p && o + 1 < size; ) {
		if ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == 'e') {
			out[o++] = *p++;
			continue;
		}
		/* the locale's decimal mark, which may take several bytes */
		out[o++] = fl->dec;
		while (*p && !((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == 'e'))
			p++;
	}
	out[o] = '\0';
}

/* A number field: empty when v is not finite. */
static void put_number(struct pl_buf *b, const struct flavour *fl, enum rep_fmt fmt, double v)
{
	char num[384];

	if (!isfinite(v))
		return;
	format_number(fl, fmt, v, num, sizeof(num));
	pl_buf_append(b, num, strlen(num));
}

/* ---- a table ------------------------------------------------------------- */

/* The whole file of table t in flavour fl into b. */
static void table_text(const struct rep_table *t, const struct flavour *fl, struct pl_buf *b)
{
	struct pl_buf h;

	pl_buf_init(&h);
	if (fl->bom)
		pl_buf_append(b, "\xEF\xBB\xBF", 3);
	put_field(b, rep_str(fl->lang, "col_row"), fl->sep);
	for (size_t c = 0; c < t->cols.n; c++) {
		const char *label = label_of(&t->cols, c, fl->lang);

		pl_buf_putc(b, fl->sep);
		put_field(b, label, fl->sep);
		if (!t->has_interval)
			continue;
		pl_buf_reset(&h);
		pl_buf_printf(&h, "%s %s", label, rep_str(fl->lang, "col_lower"));
		pl_buf_putc(b, fl->sep);
		put_field(b, h.data, fl->sep);
		pl_buf_reset(&h);
		pl_buf_printf(&h, "%s %s", label, rep_str(fl->lang, "col_upper"));
		pl_buf_putc(b, fl->sep);
		put_field(b, h.data, fl->sep);
	}
	pl_buf_append(b, fl->eol, strlen(fl->eol));

	for (size_t r = 0; r < t->rows.n; r++) {
		put_field(b, label_of(&t->rows, r, fl->lang), fl->sep);
		for (size_t c = 0; c < t->cols.n; c++) {
			const struct rep_cell *cell = &t->cells[r * t->cols.n + c];
			enum rep_fmt fmt = t->col_fmt ? t->col_fmt[c] : t->fmt;
			int n_fields = t->has_interval ? 3 : 1;

			if (cell->flags & REP_SUPPRESSED) {
				for (int k = 0; k < n_fields; k++) {
					pl_buf_putc(b, fl->sep);
					pl_buf_append(b, "..", 2);
				}
				continue;
			}
			pl_buf_putc(b, fl->sep);
			if (cell->flags & REP_NO_VALUE) {
				for (int k = 1; k < n_fields; k++)
					pl_buf_putc(b, fl->sep);
				continue;
			}
			put_number(b, fl, fmt, cell->value);
			if (!t->has_interval)
				continue;
			pl_buf_putc(b, fl->sep);
			put_number(b, fl, fmt, cell->lower);
			pl_buf_putc(b, fl->sep);
			put_number(b, fl, fmt, cell->upper);
		}
		pl_buf_append(b, fl->eol, strlen(fl->eol));
	}
	pl_buf_release(&h);
}

/* ---- files ----------------------------------------------------------------- */

/* Writes text to a new temporary file beside path (its name into tmp) and
 * flushes it to disk.  On failure the temporary file is gone and tmp is
 * empty. */
static enum pl_err write_tmp(const char *path, const char *name, const struct pl_buf *text,
			     mode_t mode, struct pl_buf *tmp, struct pl_diag *d)
{
	enum pl_err err = PL_OK;
	FILE *fp;
	int fd;

	pl_buf_reset(tmp);
	pl_buf_append(tmp, path, (size_t)(strrchr(path, '/') + 1 - path));
	pl_buf_printf(tmp, ".%s.tmp.XXXXXX", name);
	fd = mkstemp(tmp->data);
	if (fd < 0) {
		err = pl_diag_set(d, PL_ECANTCREAT, path, 0, "cannot create a temporary file: %s",
				  strerror(errno));
		pl_buf_reset(tmp);
		return err;
	}
	if (fchmod(fd, mode) != 0 || !(fp = fdopen(fd, "wb"))) {
		err = pl_diag_set(d, PL_EIO, path, 0, "cannot write: %s", strerror(errno));
		close(fd);
		goto cleanup;
	}
	if ((text->len && fwrite(text->data, 1, text->len, fp) != text->len) ||
	    fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0)
		err = pl_diag_set(d, PL_EIO, path, 0, "cannot write: %s", strerror(errno));
	if (fclose(fp) != 0 && !err)
		err = pl_diag_set(d, PL_EIO, path, 0, "cannot write: %s", strerror(errno));
cleanup:
	if (err) {
		unlink(tmp->data);
		pl_buf_reset(tmp);
	}
	return err;
}

enum pl_err rep_write_csv(const struct rep_tables *ts, const char *dir, struct pl_diag *d)
{
	size_t n_files = ts->n * N_FLAVOURS, done = 0;
	struct pl_buf *tmp = NULL, *path = NULL, text;
	enum pl_err err;
	mode_t mask;

	pl_buf_init(&text);
	err = check_ids(ts, d);
	if (!err && (!dir || !*dir))
		err = pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "no directory for the CSV tables");
	if (!err)
		err = make_dir(dir, d);
	if (err)
		goto cleanup;
	mask = umask(0);
	umask(mask);

	tmp = pl_xcalloc(n_files ? n_files : 1, sizeof(*tmp));
	path = pl_xcalloc(n_files ? n_files : 1, sizeof(*path));
	for (size_t i = 0; i < n_files; i++) {
		pl_buf_init(&tmp[i]);
		pl_buf_init(&path[i]);
	}
	/* every file to its temporary name ... */
	for (size_t i = 0; !err && i < n_files; i++) {
		const struct rep_table *t = &ts->t[i / N_FLAVOURS];
		const struct flavour *fl = &flavours[i % N_FLAVOURS];

		pl_buf_printf(&path[i], "%s/%s%s", dir, t->id, fl->suffix);
		pl_buf_reset(&text);
		table_text(t, fl, &text);
		err = write_tmp(path[i].data, strrchr(path[i].data, '/') + 1, &text,
				0666 & ~mask, &tmp[i], d);
	}
	/* ... and only then into place */
	while (!err && done < n_files) {
		if (rename(tmp[done].data, path[done].data) == 0)
			done++;
		else
			err = pl_diag_set(d, PL_ECANTCREAT, path[done].data, 0, "cannot rename the "
					  "temporary file into place: %s", strerror(errno));
	}
cleanup:
	for (size_t i = 0; tmp && i < n_files; i++) {
		if (i >= done && tmp[i].len)
			unlink(tmp[i].data);
		pl_buf_release(&tmp[i]);
		pl_buf_release(&path[i]);
	}
	free(tmp);
	free(path);
	pl_buf_release(&text);
	return err;
}

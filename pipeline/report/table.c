/*
 * report/table.c - published tables: making them, their axes and texts,
 * and formatting their values as the reports show them.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static void axis_init(struct rep_axis *a, size_t n)
{
	a->n = n;
	a->total = -1;
	a->key = pl_xcalloc(n ? n : 1, sizeof(*a->key));
	for (int l = 0; l < REP_N_LANGS; l++)
		a->label[l] = pl_xcalloc(n ? n : 1, sizeof(*a->label[l]));
	for (size_t i = 0; i < n; i++)
		rep_axis_set(a, i, "", "", "");
}

static void axis_release(struct rep_axis *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->key[i]);
		for (int l = 0; l < REP_N_LANGS; l++)
			free(a->label[l][i]);
	}
	free(a->key);
	for (int l = 0; l < REP_N_LANGS; l++)
		free(a->label[l]);
	memset(a, 0, sizeof(*a));
}

void rep_axis_set(struct rep_axis *a, size_t i, const char *key, const char *label_sv,
		  const char *label_en)
{
	if (i >= a->n)
		return;
	free(a->key[i]);
	free(a->label[REP_SV][i]);
	free(a->label[REP_EN][i]);
	a->key[i] = pl_xstrdup(key);
	a->label[REP_SV][i] = pl_xstrdup(label_sv);
	a->label[REP_EN][i] = pl_xstrdup(label_en);
}

void rep_table_text(struct rep_table *t, const char *title_sv, const char *title_en,
		    const char *note_sv, const char *note_en)
{
	const char *v[2][2] = { { title_sv, title_en }, { note_sv, note_en } };

	for (int l = 0; l < REP_N_LANGS; l++) {
		free(t->title[l]);
		free(t->note[l]);
		t->title[l] = pl_xstrdup(v[0][l] ? v[0][l] : "");
		t->note[l] = pl_xstrdup(v[1][l] ? v[1][l] : "");
	}
}

struct rep_table *rep_tables_add(struct rep_tables *ts, const char *id, size_t n_rows,
				 size_t n_cols)
{
	struct rep_table *t;

	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? 2 * ts->cap : 16;
		ts->t = pl_xrealloc(ts->t, ts->cap * sizeof(*ts->t));
	}
	t = &ts->t[ts->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", id);
	rep_table_text(t, "", "", "", "");
	axis_init(&t->rows, n_rows);
	axis_init(&t->cols, n_cols);
	t->cells = pl_xcalloc(n_rows * n_cols > 0 ? n_rows * n_cols : 1, sizeof(*t->cells));
	for (size_t i = 0; i < n_rows * n_cols; i++) {
		struct rep_cell *c = &t->cells[i];

		c->value = c->lower = c->upper = c->count = c->den = NAN;
		c->flags = REP_NO_VALUE;
	}
	return t;
}

void rep_tables_release(struct rep_tables *ts)
{
	for (size_t i = 0; i < ts->n; i++) {
		struct rep_table *t = &ts->t[i];

		for (int l = 0; l < REP_N_LANGS; l++) {
			free(t->title[l]);
			free(t->note[l]);
		}
		axis_release(&t->rows);
		axis_release(&t->cols);
		free(t->cells);
		free(t->col_fmt);
	}
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}

/* digits with a thousands separator sep (may be empty) every three. */
static void group(const char *digits, const char *sep, char *out, size_t size)
{
	size_t n = strlen(digits), o = 0;

	for (size_t i = 0; i < n && o + 4 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			for (const char *s = sep; *s && o + 1 < size; s++)
				out[o++] = *s;
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

void rep_format(const struct rep_table *t, const struct rep_cell *c, double v,
		enum rep_lang lang, char *out, size_t size)
{
	enum rep_fmt fmt = t->fmt;
	char raw[64], whole[64], grouped[96];
	const char *frac, *sep = lang == REP_SV ? "\xC2\xA0" : ",";
	int decimals;

	if (c && t->col_fmt && c >= t->cells && c < t->cells + t->rows.n * t->cols.n)
		fmt = t->col_fmt[(size_t)(c - t->cells) % t->cols.n];
	if (c && (c->flags & REP_SUPPRESSED)) {
		snprintf(out, size, "..");
		return;
	}
	if ((c && (c->flags & REP_NO_VALUE)) || !isfinite(v)) {
		snprintf(out, size, "\xE2\x80\x93");   /* en dash */
		return;
	}
	if (fmt == REP_F_STAT) {
		int mag = v != 0 ? (int)floor(log10(fabs(v))) : 0;
		int dec = 2 - mag < 0 ? 0 : 2 - mag > 15 ? 15 : 2 - mag;

		snprintf(raw, sizeof(raw), "%.*f", dec, v);
		if (strchr(raw, '.')) {     /* as %g: no trailing zeros */
			size_t n = strlen(raw);

			while (raw[n - 1] == '0')
				raw[--n] = '\0';
			if (raw[n - 1] == '.')
				raw[n - 1] = '\0';
		}
		for (char *p = raw; *p; p++)
			if (*p == '.' && lang == REP_SV)
				*p = ',';
		snprintf(out, size, "%s", raw);
		return;
	}
	decimals = fmt == REP_F_RATE || fmt == REP_F_SHARE ? 1 : 0;
	snprintf(raw, sizeof(raw), "%.*f", decimals, fabs(v) < 1e15 ? fabs(v) : 1e15);
	frac = strchr(raw, '.');
	snprintf(whole, sizeof(whole), "%.*s", frac ? (int)(frac - raw) : (int)strlen(raw), raw);
	group(whole, sep, grouped, sizeof(grouped));
	snprintf(out, size, "%s%s%s%s", v < 0 && strcmp(raw, "0") && strcmp(raw, "0.0") ? "-" : "",
		 grouped, frac ? (lang == REP_SV ? "," : ".") : "", frac ? frac + 1 : "");
}

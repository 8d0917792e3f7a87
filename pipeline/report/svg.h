/*
 * report/svg.h - internal to report/: the HTML writer's output (a buffer
 * and a language), its one lookup of user-visible strings, HTML escaping,
 * and the charts it draws as inline SVG (svg.c).
 *
 * Disclosure: a chart draws a cell only when rep_svg_drawable() says so
 * (not suppressed, not "no value", a finite value); scales and positions
 * are computed from drawn cells only, so a suppressed figure leaves no
 * trace (no mark, coordinate, label or title).
 */
#ifndef REPORT_SVG_H
#define REPORT_SVG_H

#include <math.h>
#include <stddef.h>

#include "pl.h"
#include "report.h"

struct rep_out {
	struct pl_buf buf;            /* the page being written */
	enum rep_lang lang;
	unsigned n_charts;            /* charts so far: unique ids for clip paths */
};

/* The one lookup of a user-visible string for the page: rep_str(o->lang,
 * key), reported to the probe when one is set. */
const char *rep_html_str(struct rep_out *o, const char *key);
/* The same for a code label: rep_code_label(o->lang, field, code). */
const char *rep_html_code(struct rep_out *o, const char *field, const char *code);

/* A test hook: called with every key (field NULL) or code (field set) the
 * HTML writer looks up and the string it got; NULL to remove.  Not thread
 * safe; for tests only. */
typedef void rep_str_probe(void *arg, enum rep_lang lang, const char *field, const char *key,
			   const char *value);
void rep_html_set_probe(rep_str_probe *fn, void *arg);

/* The keys of the strings table in table order, NULL past the end; the
 * code-label table (strings.c).  For tests. */
const char *rep_str_key_at(size_t i);
size_t rep_code_count(void);
void rep_code_at(size_t i, const char **field, const char **code);

/* Appends s with & < > " ' escaped for text and attribute values. */
void rep_html_esc(struct rep_out *o, const char *s);
/* Appends fmt, with each %1 .. %9 replaced by args[i-1], all escaped. */
void rep_html_fill(struct rep_out *o, const char *fmt, const char *const *args, size_t n_args);

static inline const struct rep_cell *rep_ccell(const struct rep_table *t, size_t r, size_t c)
{
	return &t->cells[r * t->cols.n + c];
}

/* 1 if a chart may draw the cell: not suppressed, a value, finite. */
static inline int rep_svg_drawable(const struct rep_cell *c)
{
	return !(c->flags & (REP_SUPPRESSED | REP_NO_VALUE)) && isfinite(c->value);
}

/* 1 for a whole-city or total row ("total", "city", the axis total). */
int rep_svg_is_city(const struct rep_table *t, size_t r);

/* The charts named in t->chart, each an <svg role="img" data-chart=...>
 * in a <figure> with its legend; a chart with nothing to draw writes a
 * sentence instead.  Unknown chart names are ignored. */
void rep_svg_charts(struct rep_out *o, const struct rep_table *t);

#endif

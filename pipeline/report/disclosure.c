/*
 * report/disclosure.c - disclosure control over the published tables:
 * primary suppression of small person counts, secondary suppression so
 * that no suppressed cell can be computed by subtraction from a row or
 * column total (within a table, and across tables through linked cells),
 * and the audit that proves it by solving the sum equations.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* A cell of the whole set: table and index. */
struct ref {
	struct rep_table *t;
	size_t i;
};

static int small_count(const struct rep_cell *c)
{
	return isfinite(c->count) && c->count >= 1 && c->count < REP_MIN_COUNT;
}

/* Suppresses every cell linked to c (c included) with flag; returns how
 * many were newly suppressed. */
static size_t suppress_linked(struct rep_tables *ts, struct rep_cell *c, unsigned flag)
{
	size_t n = 0;

	if (!(c->flags & REP_SUPPRESSED)) {
		c->flags |= flag;
		n++;
	}
	if (c->link <= 0)
		return n;
	for (size_t k = 0; k < ts->n; k++) {
		struct rep_table *t = &ts->t[k];

		for (size_t i = 0; i < t->rows.n * t->cols.n; i++)
			if (t->cells[i].link == c->link && !(t->cells[i].flags & REP_SUPPRESSED)) {
				t->cells[i].flags |= flag;
				n++;
			}
	}
	return n;
}

/* The equations of a table: along the rows axis (one per column, when
 * the rows have a total) and along the columns axis (one per row).  Calls
 * fn with the cell indexes of each, the total's position in it. */
typedef size_t (*equation_fn)(void *user, struct rep_table *t, const size_t *cells, size_t n,
			      size_t total_pos);

static size_t each_equation(struct rep_table *t, equation_fn fn, void *user)
{
	size_t idx[256], got = 0;

	if (t->rows.total >= 0 && t->rows.n <= 256)
		for (size_t c = 0; c < t->cols.n; c++) {
			for (size_t r = 0; r < t->rows.n; r++)
				idx[r] = r * t->cols.n + c;
			got += fn(user, t, idx, t->rows.n, (size_t)t->rows.total);
		}
	if (t->cols.total >= 0 && t->cols.n <= 256)
		for (size_t r = 0; r < t->rows.n; r++) {
			for (size_t c = 0; c < t->cols.n; c++)
				idx[c] = r * t->cols.n + c;
			got += fn(user, t, idx, t->cols.n, (size_t)t->cols.total);
		}
	return got;
}

static double count_of(const struct rep_cell *c)
{
	return isfinite(c->count) ? c->count : 0;
}

/* Secondary suppression in one equation: with exactly one cell suppressed,
 * suppress the smallest other (counts > 0 before zeros; the first on a
 * tie). */
static size_t protect_equation(void *user, struct rep_table *t, const size_t *cells, size_t n,
			       size_t total_pos)
{
	struct rep_tables *ts = user;
	size_t n_supp = 0, best = n;

	(void)total_pos;
	for (size_t i = 0; i < n; i++)
		n_supp += (t->cells[cells[i]].flags & REP_SUPPRESSED) != 0;
	if (n_supp != 1 || n < 2)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct rep_cell *c = &t->cells[cells[i]], *b;

		if (c->flags & REP_SUPPRESSED)
			continue;
		if (best == n) {
			best = i;
			continue;
		}
		b = &t->cells[cells[best]];
		if ((count_of(c) > 0) != (count_of(b) > 0) ? count_of(c) > 0 :
		    count_of(c) < count_of(b))
			best = i;
	}
	return best == n ? 0 : suppress_linked(ts, &t->cells[cells[best]], REP_SUPP_SECONDARY);
}

static size_t find_derivable(const struct rep_tables *ts, struct ref *first);

/* Suppresses the shown cell with the smallest count in the row or column
 * of cell (its table's equations); 0 if every one is suppressed. */
static size_t suppress_neighbour(struct rep_tables *ts, struct ref cell)
{
	struct rep_table *t = cell.t;
	size_t r0 = cell.i / t->cols.n, c0 = cell.i % t->cols.n, best = SIZE_MAX;

	for (size_t i = 0; i < t->rows.n * t->cols.n; i++) {
		const struct rep_cell *c = &t->cells[i];

		if ((c->flags & REP_SUPPRESSED) || (i / t->cols.n != r0 && i % t->cols.n != c0))
			continue;
		if (best == SIZE_MAX || ((count_of(c) > 0) != (count_of(&t->cells[best]) > 0) ?
		    count_of(c) > 0 : count_of(c) < count_of(&t->cells[best])))
			best = i;
	}
	return best == SIZE_MAX ? 0 : suppress_linked(ts, &t->cells[best], REP_SUPP_SECONDARY);
}

size_t rep_disclosure(struct rep_tables *ts)
{
	size_t n = 0, changed;

	for (size_t k = 0; k < ts->n; k++) {
		struct rep_table *t = &ts->t[k];

		for (size_t i = 0; i < t->rows.n * t->cols.n; i++) {
			struct rep_cell *c = &t->cells[i];

			if (small_count(c) || (c->flags & REP_SUPP_PRIMARY)) {
				c->flags &= ~(unsigned)REP_SUPP_PRIMARY;
				n += suppress_linked(ts, c, REP_SUPP_PRIMARY);
			}
		}
	}
	for (;;) {
		struct ref cell;

		do {
			changed = 0;
			for (size_t k = 0; k < ts->n; k++)
				changed += each_equation(&ts->t[k], protect_equation, ts);
			n += changed;
		} while (changed);
		/* one suppressed cell per equation is not always enough in two
		 * dimensions: while the equations still fix a cell, suppress
		 * the smallest shown cell of its row or column */
		if (find_derivable(ts, &cell) == 0)
			break;
		changed = suppress_neighbour(ts, cell);
		if (changed == 0)
			break;          /* cannot happen: a fixed cell has a shown neighbour */
		n += changed;
	}
	return n;
}

/* ---- the audit ---------------------------------------------------------------- */

/* The unknowns: suppressed cells, one unknown per link (or per cell when
 * unlinked), and the equations over them as rows of a dense matrix. */
struct system {
	const struct rep_tables *ts;
	struct ref *unknown;          /* the first cell of each unknown */
	size_t n_unknown, cap_unknown;
	double *rows;                 /* n_eq x n_unknown */
	size_t n_eq, cap_eq;
};

static size_t unknown_of(struct system *s, struct rep_table *t, size_t i)
{
	const struct rep_cell *c = &t->cells[i];

	for (size_t u = 0; u < s->n_unknown; u++) {
		const struct rep_cell *o = &s->unknown[u].t->cells[s->unknown[u].i];

		if (o == c || (c->link > 0 && o->link == c->link))
			return u;
	}
	if (s->n_unknown == s->cap_unknown) {
		s->cap_unknown = s->cap_unknown ? 2 * s->cap_unknown : 64;
		s->unknown = pl_xrealloc(s->unknown, s->cap_unknown * sizeof(*s->unknown));
	}
	s->unknown[s->n_unknown].t = t;
	s->unknown[s->n_unknown].i = i;
	return s->n_unknown++;
}

static size_t collect_unknowns(void *user, struct rep_table *t, const size_t *cells, size_t n,
			       size_t total_pos)
{
	(void)total_pos;
	for (size_t i = 0; i < n; i++)
		if (t->cells[cells[i]].flags & REP_SUPPRESSED)
			unknown_of(user, t, cells[i]);
	return 0;
}

static size_t add_equation(void *user, struct rep_table *t, const size_t *cells, size_t n,
			   size_t total_pos)
{
	struct system *s = user;
	double *row;
	int any = 0;

	if (s->n_eq == s->cap_eq) {
		s->cap_eq = s->cap_eq ? 2 * s->cap_eq : 64;
		s->rows = pl_xrealloc(s->rows, s->cap_eq * s->n_unknown * sizeof(*s->rows));
	}
	row = s->rows + s->n_eq * s->n_unknown;
	memset(row, 0, s->n_unknown * sizeof(*row));
	for (size_t i = 0; i < n; i++)
		if (t->cells[cells[i]].flags & REP_SUPPRESSED) {
			row[unknown_of(s, t, cells[i])] += i == total_pos ? -1 : 1;
			any = 1;
		}
	s->n_eq += any;
	return 0;
}

#define EPS 1e-9

/* Rank of the m x n matrix a (destroyed). */
static size_t rank_of(double *a, size_t m, size_t n)
{
	size_t rank = 0;

	for (size_t col = 0; col < n && rank < m; col++) {
		size_t piv = rank;

		for (size_t r = rank + 1; r < m; r++)
			if (fabs(a[r * n + col]) > fabs(a[piv * n + col]))
				piv = r;
		if (fabs(a[piv * n + col]) < EPS)
			continue;
		for (size_t k = 0; k < n; k++) {
			double tmp = a[piv * n + k];

			a[piv * n + k] = a[rank * n + k];
			a[rank * n + k] = tmp;
		}
		for (size_t r = rank + 1; r < m; r++) {
			double f = a[r * n + col] / a[rank * n + col];

			for (size_t k = col; k < n; k++)
				a[r * n + k] -= f * a[rank * n + k];
		}
		rank++;
	}
	return rank;
}

/* Whether unknown u is fixed by the equations: e_u lies in their row
 * space, i.e. adding it does not raise the rank. */
static int derivable(const struct system *s, size_t u, size_t base_rank)
{
	size_t m = s->n_eq + 1, n = s->n_unknown;
	double *a = pl_xmalloc(m * n * sizeof(*a));
	int fixed;

	memcpy(a, s->rows, s->n_eq * n * sizeof(*a));
	memset(a + s->n_eq * n, 0, n * sizeof(*a));
	a[s->n_eq * n + u] = 1;
	fixed = rank_of(a, m, n) == base_rank;
	free(a);
	return fixed;
}

/* The number of suppressed cells whose value follows from the equations;
 * the first of them in *first. */
static size_t find_derivable(const struct rep_tables *ts, struct ref *first)
{
	struct system s = { ts, NULL, 0, 0, NULL, 0, 0 };
	struct rep_tables *mts = (struct rep_tables *)ts;  /* each_equation takes non-const */
	size_t n_derivable = 0, base;
	double *a;

	for (size_t k = 0; k < ts->n; k++)
		each_equation(&mts->t[k], collect_unknowns, &s);
	if (s.n_unknown == 0)
		goto cleanup;
	for (size_t k = 0; k < ts->n; k++)
		each_equation(&mts->t[k], add_equation, &s);
	if (s.n_eq == 0)
		goto cleanup;
	a = pl_xmalloc(s.n_eq * s.n_unknown * sizeof(*a));
	memcpy(a, s.rows, s.n_eq * s.n_unknown * sizeof(*a));
	base = rank_of(a, s.n_eq, s.n_unknown);
	free(a);
	for (size_t u = 0; u < s.n_unknown; u++)
		if (derivable(&s, u, base) && n_derivable++ == 0)
			*first = s.unknown[u];
cleanup:
	free(s.unknown);
	free(s.rows);
	return n_derivable;
}

size_t rep_audit(const struct rep_tables *ts, char *msg, size_t size)
{
	struct ref first = { NULL, 0 };
	size_t n = find_derivable(ts, &first);

	if (size)
		msg[0] = '\0';
	if (n && size) {
		const struct rep_table *t = first.t;
		size_t r = first.i / t->cols.n, c = first.i % t->cols.n;

		snprintf(msg, size, "table '%s', row '%s', column '%s': a suppressed cell follows "
			 "from the totals", t->id, t->rows.key[r], t->cols.key[c]);
	}
	return n;
}

/*
 * tests/unit/test_report_disclosure.c - report/disclosure and report/table:
 * primary suppression of counts 1-4, secondary suppression along totals
 * (smallest cell first), across linked tables, and the audit that solves
 * the sum equations: it finds a derivable cell in a table protected by
 * primary suppression only, and none after rep_disclosure, on hand-made
 * tables and on thousands of random ones; value formatting per language.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/report.h"

/* A count table rows x cols from counts (row-major, the last column the
 * row total when col_total, the last row the column total when row_total). */
static struct rep_table *count_table(struct rep_tables *ts, const char *id, size_t rows,
				     size_t cols, const double *counts, int row_total, int col_total)
{
	struct rep_table *t = rep_tables_add(ts, id, rows, cols);
	char key[32];

	for (size_t r = 0; r < rows; r++) {
		snprintf(key, sizeof(key), "r%zu", r);
		rep_axis_set(&t->rows, r, key, key, key);
	}
	for (size_t c = 0; c < cols; c++) {
		snprintf(key, sizeof(key), "c%zu", c);
		rep_axis_set(&t->cols, c, key, key, key);
	}
	t->rows.total = row_total ? (int)rows - 1 : -1;
	t->cols.total = col_total ? (int)cols - 1 : -1;
	for (size_t i = 0; i < rows * cols; i++) {
		t->cells[i].value = t->cells[i].count = counts[i];
		t->cells[i].flags = 0;
	}
	return t;
}

static unsigned flags_at(struct rep_table *t, size_t r, size_t c)
{
	return rep_cell_at(t, r, c)->flags & REP_SUPPRESSED;
}

static void test_disclosure__primary_then_smallest_secondary(void **state)
{
	/* F M U total, per district; district 0 has 3 women */
	static const double counts[] = {
		3, 40, 0, 43,
		20, 30, 0, 50,
		9, 12, 0, 21,
	};
	struct rep_tables ts = { NULL, 0, 0 };
	struct rep_table *t;
	char msg[256];

	(void)state;
	t = count_table(&ts, "sex", 3, 4, counts, 0, 1);
	/* primary only: 3 follows from 43 - 40 - 0 */
	rep_cell_at(t, 0, 0)->flags |= REP_SUPP_PRIMARY;
	assert_int_equal(rep_audit(&ts, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "table 'sex', row 'r0', column 'c0'"));
	rep_cell_at(t, 0, 0)->flags = 0;

	assert_int_equal(rep_disclosure(&ts), 2);
	assert_int_equal(flags_at(t, 0, 0), REP_SUPP_PRIMARY);
	/* the smallest other cell with a count > 0 is the total 43?  No: 40 */
	assert_int_equal(flags_at(t, 0, 1), REP_SUPP_SECONDARY);
	assert_int_equal(flags_at(t, 0, 2), 0);
	assert_int_equal(flags_at(t, 0, 3), 0);
	assert_int_equal(flags_at(t, 1, 0), 0);
	assert_int_equal(rep_audit(&ts, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	rep_tables_release(&ts);
}

static void test_disclosure__two_way_table_needs_four_cells(void **state)
{
	/* rows r0 r1 r2 + total row; columns c0 c1 + total column */
	static const double counts[] = {
		2, 10, 12,
		8, 15, 23,
		30, 40, 70,
		40, 65, 105,
	};
	struct rep_tables ts = { NULL, 0, 0 };
	struct rep_table *t;
	size_t n_supp = 0;

	(void)state;
	t = count_table(&ts, "two_way", 4, 3, counts, 1, 1);
	rep_disclosure(&ts);
	for (size_t i = 0; i < 12; i++)
		n_supp += (t->cells[i].flags & REP_SUPPRESSED) != 0;
	/* 2 primary; 10 (its row) and 8 (its column) secondary; then 15 closes
	 * the rectangle */
	assert_int_equal(n_supp, 4);
	assert_int_equal(flags_at(t, 0, 0), REP_SUPP_PRIMARY);
	assert_true(flags_at(t, 0, 1) && flags_at(t, 1, 0) && flags_at(t, 1, 1));
	assert_int_equal(rep_audit(&ts, NULL, 0), 0);
	rep_tables_release(&ts);
}

static void test_disclosure__links_spread_across_tables(void **state)
{
	/* table A: persons by district (no total); table B: by district and
	 * sex with a total column linked to A's cells */
	static const double a_counts[] = { 43, 50 };
	static const double b_counts[] = { 3, 40, 43, 20, 30, 50 };
	struct rep_tables ts = { NULL, 0, 0 };
	struct rep_table *a, *b;

	(void)state;
	a = count_table(&ts, "a", 2, 1, a_counts, 0, 0);
	b = count_table(&ts, "b", 2, 3, b_counts, 0, 1);
	a = &ts.t[0];     /* rep_tables_add may have moved the first table */
	rep_cell_at(a, 0, 0)->link = 1;
	rep_cell_at(a, 1, 0)->link = 2;
	rep_cell_at(b, 0, 2)->link = 1;
	rep_cell_at(b, 1, 2)->link = 2;
	/* make 40 > 43? no: make the total the smallest candidate */
	rep_cell_at(b, 0, 1)->count = 45;
	rep_disclosure(&ts);
	assert_int_equal(flags_at(b, 0, 0), REP_SUPP_PRIMARY);
	assert_int_equal(flags_at(b, 0, 2), REP_SUPP_SECONDARY);
	/* the same figure in table A is suppressed too: 43 - 40 would give 3 */
	assert_int_equal(flags_at(a, 0, 0), REP_SUPP_SECONDARY);
	assert_int_equal(flags_at(a, 1, 0), 0);
	assert_int_equal(rep_audit(&ts, NULL, 0), 0);
	rep_tables_release(&ts);
}

static void test_disclosure__zeros_are_known(void **state)
{
	/* F=4, M=0, U=0, total=4: the total goes too (itself a count of 4) */
	static const double counts[] = { 4, 0, 0, 4, 30, 20, 1, 51 };
	struct rep_tables ts = { NULL, 0, 0 };
	struct rep_table *t;

	(void)state;
	t = count_table(&ts, "z", 2, 4, counts, 0, 1);
	rep_disclosure(&ts);
	assert_int_equal(flags_at(t, 0, 0), REP_SUPP_PRIMARY);
	assert_int_equal(flags_at(t, 0, 3), REP_SUPP_PRIMARY);
	assert_int_equal(flags_at(t, 1, 2), REP_SUPP_PRIMARY);
	assert_true(flags_at(t, 1, 1) || flags_at(t, 1, 0) || flags_at(t, 1, 3));
	assert_int_equal(rep_audit(&ts, NULL, 0), 0);
	rep_tables_release(&ts);
}

/* xorshift for the random tables */
static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_disclosure__random_tables_never_derivable(void **state)
{
	size_t n_with_primary = 0;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		size_t rows = 2 + next() % 6, cols = 2 + next() % 5;
		double counts[8 * 7] = { 0 };
		struct rep_tables ts = { NULL, 0, 0 };
		int row_total = (int)(next() % 2), col_total = !row_total || next() % 2;

		for (size_t r = 0; r + (size_t)row_total < rows; r++)
			for (size_t c = 0; c + (size_t)col_total < cols; c++)
				counts[r * cols + c] = next() % 3 == 0 ? (double)(next() % 6) :
					(double)(next() % 60);
		if (col_total)
			for (size_t r = 0; r + (size_t)row_total < rows; r++)
				for (size_t c = 0; c + 1 < cols; c++)
					counts[r * cols + cols - 1] += counts[r * cols + c];
		if (row_total)
			for (size_t c = 0; c < cols; c++)
				for (size_t r = 0; r + 1 < rows; r++)
					counts[(rows - 1) * cols + c] += counts[r * cols + c];
		count_table(&ts, "random", rows, cols, counts, row_total, col_total);
		n_with_primary += rep_disclosure(&ts) > 0;
		if (rep_audit(&ts, NULL, 0) != 0)
			fail_msg("round %d: a suppressed cell is derivable (%zu x %zu)", round, rows,
				 cols);
		for (size_t i = 0; i < rows * cols; i++)
			if (counts[i] >= 1 && counts[i] <= 4)
				assert_true(ts.t[0].cells[i].flags & REP_SUPPRESSED);
		rep_tables_release(&ts);
	}
	assert_true(n_with_primary > 1000);   /* the test exercised suppression */
}

static void test_format__languages_and_marks(void **state)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct rep_table *t = rep_tables_add(&ts, "f", 1, 1);
	struct rep_cell *c = rep_cell_at(t, 0, 0);
	char out[64];

	(void)state;
	c->flags = 0;
	t->fmt = REP_F_SEK;
	rep_format(t, c, 1234567.4, REP_SV, out, sizeof(out));
	assert_string_equal(out, "1\xC2\xA0" "234\xC2\xA0" "567");
	rep_format(t, c, 1234567.4, REP_EN, out, sizeof(out));
	assert_string_equal(out, "1,234,567");
	t->fmt = REP_F_RATE;
	rep_format(t, c, 46.56, REP_SV, out, sizeof(out));
	assert_string_equal(out, "46,6");
	rep_format(t, c, 46.56, REP_EN, out, sizeof(out));
	assert_string_equal(out, "46.6");
	rep_format(t, c, 999.96, REP_EN, out, sizeof(out));
	assert_string_equal(out, "1,000.0");
	t->fmt = REP_F_STAT;
	rep_format(t, c, 2.39e-8, REP_SV, out, sizeof(out));
	assert_string_equal(out, "0,0000000239");
	rep_format(t, c, 0.001, REP_EN, out, sizeof(out));
	assert_string_equal(out, "0.001");
	rep_format(t, c, 21.456, REP_EN, out, sizeof(out));
	assert_string_equal(out, "21.5");
	t->fmt = REP_F_COUNT;
	rep_format(t, c, 0, REP_SV, out, sizeof(out));
	assert_string_equal(out, "0");
	rep_format(t, c, 123, REP_SV, out, sizeof(out));
	assert_string_equal(out, "123");
	c->flags = REP_SUPP_SECONDARY;
	rep_format(t, c, 123, REP_SV, out, sizeof(out));
	assert_string_equal(out, "..");
	c->flags = REP_NO_VALUE;
	rep_format(t, c, NAN, REP_EN, out, sizeof(out));
	assert_string_equal(out, "\xE2\x80\x93");
	rep_tables_release(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disclosure__primary_then_smallest_secondary),
		cmocka_unit_test(test_disclosure__two_way_table_needs_four_cells),
		cmocka_unit_test(test_disclosure__links_spread_across_tables),
		cmocka_unit_test(test_disclosure__zeros_are_known),
		cmocka_unit_test(test_disclosure__random_tables_never_derivable),
		cmocka_unit_test(test_format__languages_and_marks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

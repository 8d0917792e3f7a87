/*
 * tests/unit/test_dedup_state.c - dedup/state: what dedup keeps between
 * runs.  A database without a state reads as none; the state row, the
 * weights, the name frequencies, the counts and the pairs read back as
 * written (hashes above 2^63 included, which SQLite stores signed); a
 * comparison this program does not know makes the state unusable; counts
 * are added to the caller's; pairs are added, or replaced when whole.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include "db.h"
#include "unit_db.h"
#include "dedup/state.h"

static const char *const cmps[STATE_CMPS] = {
	"first_name", "last_name", "birth_date", "birth_year", "sex", "postcode"
};


static struct dedup_state sample_state(void)
{
	struct dedup_state s;

	memset(&s, 0, sizeof(s));
	snprintf(s.settings_sha, sizeof(s.settings_sha), "%064d", 7);
	s.key_check = 0xfedcba9876543210ULL;
	snprintf(s.estimated_at, sizeof(s.estimated_at), "2026-11-20T03:00:00Z");
	s.prior = 0.0123456789;
	s.named = 98765;
	s.label_pairs = 4321;
	s.m_by_em = 1;
	s.match_share = 0.25;
	for (int k = 0; k < STATE_CMPS; k++)
		for (int l = 0; l < STATE_LEVELS; l++) {
			s.m[k][l] = 1.0 / (3 + k * STATE_LEVELS + l);
			s.u[k][l] = 1.0 / (101 + k * STATE_LEVELS + l);
		}
	s.episodes = 5000000;
	s.fingerprint = 0x8000000000000001ULL;
	s.pairs = 415722;
	return s;
}

static void test_state__none_then_round_trip(void **state)
{
	struct unit_db_fx *f = *state;
	struct dedup_state w = sample_state(), r;

	assert_int_equal(state_read(f->db, cmps, &r, &f->d), PL_OK);
	assert_int_equal(r.have, 0);
	assert_int_equal(state_write(f->db, cmps, &w, &f->d), PL_OK);
	assert_int_equal(state_read(f->db, cmps, &r, &f->d), PL_OK);
	assert_int_equal(r.have, 1);
	assert_string_equal(r.settings_sha, w.settings_sha);
	assert_true(r.key_check == w.key_check);
	assert_string_equal(r.estimated_at, w.estimated_at);
	assert_true(r.prior == w.prior);
	assert_int_equal(r.named, w.named);
	assert_int_equal(r.label_pairs, w.label_pairs);
	assert_int_equal(r.m_by_em, 1);
	assert_true(r.match_share == 0.25);
	assert_memory_equal(r.m, w.m, sizeof(w.m));
	assert_memory_equal(r.u, w.u, sizeof(w.u));
	assert_int_equal(r.episodes, w.episodes);
	assert_true(r.fingerprint == w.fingerprint);
	assert_int_equal(r.pairs, 415722);
	/* written again: still one row, the new values */
	w.episodes = 7;
	assert_int_equal(state_write(f->db, cmps, &w, &f->d), PL_OK);
	assert_int_equal(state_read(f->db, cmps, &r, &f->d), PL_OK);
	assert_int_equal(r.episodes, 7);
}

static void test_state__unknown_comparison_is_no_state(void **state)
{
	struct unit_db_fx *f = *state;
	struct dedup_state w = sample_state(), r;

	assert_int_equal(state_write(f->db, cmps, &w, &f->d), PL_OK);
	assert_int_equal(pl_db_exec(f->db, "UPDATE linkage_weight SET comparison = 'shoe_size' "
				    "WHERE comparison = 'sex' AND level = 1", &f->d), PL_OK);
	assert_int_equal(state_read(f->db, cmps, &r, &f->d), PL_OK);
	assert_int_equal(r.have, 0);
}

static void test_state__names_sorted_by_hash(void **state)
{
	struct unit_db_fx *f = *state;
	struct state_name w[] = { { 0x9000000000000000ULL, 3 }, { 5, 1 }, { UINT64_MAX, 2 },
				  { 0x7fffffffffffffffULL, 8 } };
	struct state_name *r = NULL;
	size_t n = 0;

	assert_int_equal(state_write_names(f->db, w, 4, &f->d), PL_OK);
	assert_int_equal(state_read_names(f->db, &r, &n, &f->d), PL_OK);
	assert_int_equal(n, 4);
	assert_true(r[0].hash == 5 && r[0].n == 1);
	assert_true(r[1].hash == 0x7fffffffffffffffULL && r[1].n == 8);
	assert_true(r[2].hash == 0x9000000000000000ULL && r[2].n == 3);
	assert_true(r[3].hash == UINT64_MAX && r[3].n == 2);
	free(r);
	/* written again: replaced */
	assert_int_equal(state_write_names(f->db, w + 1, 1, &f->d), PL_OK);
	assert_int_equal(state_read_names(f->db, &r, &n, &f->d), PL_OK);
	assert_int_equal(n, 1);
	free(r);
}

static void test_state__counts_are_added(void **state)
{
	struct unit_db_fx *f = *state;
	long pattern[10] = { 0 }, rule[3] = { 0 }, wp[10] = { 0, 4, 0, 0, 0, 0, 0, 0, 0, 9 };
	long wr[3] = { 13, 0, 1 };

	assert_int_equal(state_add_counts(f->db, pattern, 10, rule, 3, &f->d), PL_OK);
	assert_int_equal(pattern[1] + pattern[9] + rule[0] + rule[2], 0);
	assert_int_equal(state_write_counts(f->db, wp, 10, wr, 3, &f->d), PL_OK);
	pattern[1] = 100;
	rule[2] = 5;
	assert_int_equal(state_add_counts(f->db, pattern, 10, rule, 3, &f->d), PL_OK);
	assert_int_equal(pattern[0], 0);
	assert_int_equal(pattern[1], 104);
	assert_int_equal(pattern[9], 9);
	assert_int_equal(rule[0], 13);
	assert_int_equal(rule[1], 0);
	assert_int_equal(rule[2], 6);
	/* only counts above 0 are rows */
	{
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT count(*) FROM linkage_count", -1,
						    &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 4);
		sqlite3_finalize(st);
	}
	/* a count beyond the caller's arrays (other settings) is left out */
	assert_int_equal(state_add_counts(f->db, pattern, 5, rule, 1, &f->d), PL_OK);
	assert_int_equal(pattern[1], 108);
	assert_int_equal(rule[0], 26);
}

static void pair_from_array(void *ctx, size_t i, struct state_pair *out)
{
	*out = ((const struct state_pair *)ctx)[i];
}

struct got {
	struct state_pair p[4];
	size_t n;
};

static void pair_to_array(void *ctx, const struct state_pair *p)
{
	struct got *g = ctx;

	assert_true(g->n < 4);
	g->p[g->n++] = *p;
}

static void test_state__pairs_added_or_replaced(void **state)
{
	struct unit_db_fx *f = *state;
	struct state_pair w[3] = {
		{ 1, 2, 3, 4, 7.5, 15624 },
		{ 1, 3, 1, 9, 4.25, 0 },
		{ 2, 2, 5, 1, 12.0, 777 },
	};
	struct got g = { .n = 0 };
	struct state_pair *r = g.p;
	size_t n;

	assert_int_equal(state_write_pairs(f->db, pair_from_array, w, 2, 1, &f->d), PL_OK);
	assert_int_equal(state_write_pairs(f->db, pair_from_array, w + 2, 1, 0, &f->d), PL_OK);
	assert_int_equal(state_read_pairs(f->db, pair_to_array, &g, &f->d), PL_OK);
	n = g.n;
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		const struct state_pair *p = &r[i], *q = NULL;

		for (size_t j = 0; j < 3; j++)
			if (w[j].a_file == p->a_file && w[j].a_line == p->a_line)
				q = &w[j];
		assert_non_null(q);
		assert_true(p->b_file == q->b_file && p->b_line == q->b_line);
		assert_true(p->weight == q->weight);
		assert_int_equal(p->pattern, q->pattern);
	}
	/* the same pair twice is refused (the caller writes new pairs only) */
	assert_int_equal(state_write_pairs(f->db, pair_from_array, w, 1, 0, &f->d), PL_ESOFTWARE);
	assert_int_equal(state_write_pairs(f->db, pair_from_array, w + 1, 1, 1, &f->d), PL_OK);
	g.n = 0;
	assert_int_equal(state_read_pairs(f->db, pair_to_array, &g, &f->d), PL_OK);
	assert_int_equal(g.n, 1);
	assert_true(g.p[0].weight == 4.25);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, unit_db_setup, unit_db_teardown)
	const struct CMUnitTest tests[] = {
		T(test_state__none_then_round_trip),
		T(test_state__unknown_comparison_is_no_state),
		T(test_state__names_sorted_by_hash),
		T(test_state__counts_are_added),
		T(test_state__pairs_added_or_replaced),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}

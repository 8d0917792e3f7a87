/*
 * tests/unit/test_uf.c - lib/uf: unions and the set count, transitive
 * closure against a naive relabelling, a million elements in a chain and a
 * star (and a million-deep path for find), and a deterministic forest.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "uf.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MILLION 1000000

static void test_uf__init_gives_singletons(void **state)
{
	struct pl_uf uf;

	(void)state;
	pl_uf_init(&uf, 5);
	assert_int_equal(pl_uf_count(&uf), 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(pl_uf_find(&uf, i), i);
	pl_uf_release(&uf);
	assert_null(uf.parent);
	assert_int_equal(uf.n, 0);
	pl_uf_release(&uf); /* again: no-op */

	pl_uf_init(&uf, 0);
	assert_int_equal(pl_uf_count(&uf), 0);
	pl_uf_release(&uf);
}

static void test_uf__unions_table(void **state)
{
	static const struct {
		size_t a, b;
		int merged;      /* pl_uf_union's result */
		size_t n_sets;   /* after it */
	} steps[] = {
		{ 0, 1, 1, 9 },
		{ 1, 0, 0, 9 },   /* same set, either way round */
		{ 2, 2, 0, 9 },   /* with itself */
		{ 2, 3, 1, 8 },
		{ 1, 3, 1, 7 },   /* two pairs */
		{ 0, 2, 0, 7 },   /* already joined through 1-3 */
		{ 9, 8, 1, 6 },
		{ 7, 9, 1, 5 },
		{ 4, 5, 1, 4 },
		{ 5, 6, 1, 3 },
		{ 6, 4, 0, 3 },
		{ 8, 0, 1, 2 },
		{ 4, 3, 1, 1 },
		{ 9, 6, 0, 1 },
	};
	struct pl_uf uf;

	(void)state;
	pl_uf_init(&uf, 10);
	for (size_t i = 0; i < N_OF(steps); i++) {
		int merged = pl_uf_union(&uf, steps[i].a, steps[i].b);

		if (merged != steps[i].merged || pl_uf_count(&uf) != steps[i].n_sets)
			fail_msg("step %zu (%zu, %zu): merged %d with %zu sets, want %d with %zu",
				 i, steps[i].a, steps[i].b, merged, pl_uf_count(&uf),
				 steps[i].merged, steps[i].n_sets);
	}
	pl_uf_release(&uf);
}

static void test_uf__transitive_closure(void **state)
{
	/* 0-1, 1-2, 3-4, 2-4 link 0..4; 5-6; 7 alone; 8-9 */
	static const size_t pairs[][2] = { { 0, 1 }, { 1, 2 }, { 3, 4 }, { 2, 4 }, { 6, 5 }, { 9, 8 } };
	static const int set_of[10] = { 0, 0, 0, 0, 0, 1, 1, 2, 3, 3 };
	struct pl_uf uf;

	(void)state;
	pl_uf_init(&uf, 10);
	for (size_t i = 0; i < N_OF(pairs); i++)
		pl_uf_union(&uf, pairs[i][0], pairs[i][1]);
	assert_int_equal(pl_uf_count(&uf), 4);
	for (size_t i = 0; i < 10; i++) {
		for (size_t j = 0; j < 10; j++) {
			int same = pl_uf_find(&uf, i) == pl_uf_find(&uf, j);

			if (same != (set_of[i] == set_of[j]))
				fail_msg("%zu and %zu: same %d", i, j, same);
		}
	}
	pl_uf_release(&uf);
}

/* Random unions (fixed seed) against relabelling every member of the
 * absorbed set, after each step. */
static void test_uf__matches_naive_relabelling(void **state)
{
	enum { N = 300, STEPS = 400 };
	static size_t label[N];
	struct pl_uf uf;
	size_t n_labels = N;
	uint32_t rng = 12345;

	(void)state;
	pl_uf_init(&uf, N);
	for (size_t i = 0; i < N; i++)
		label[i] = i;
	for (int step = 0; step < STEPS; step++) {
		size_t a, b, from, to;
		int want;

		rng = rng * 1103515245u + 12345u;
		a = (rng >> 8) % N;
		rng = rng * 1103515245u + 12345u;
		b = (rng >> 8) % N;
		from = label[b];
		to = label[a];
		want = from != to;
		if (want) {
			for (size_t i = 0; i < N; i++)
				if (label[i] == from)
					label[i] = to;
			n_labels--;
		}
		assert_int_equal(pl_uf_union(&uf, a, b), want);
		assert_int_equal(pl_uf_count(&uf), n_labels);
	}
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < N; j++)
			if ((pl_uf_find(&uf, i) == pl_uf_find(&uf, j)) != (label[i] == label[j]))
				fail_msg("%zu and %zu disagree with the relabelling", i, j);
	assert_true(n_labels < N); /* the random steps did merge */
	pl_uf_release(&uf);
}

static void test_uf__million_chain(void **state)
{
	struct pl_uf uf;
	size_t root;

	(void)state;
	pl_uf_init(&uf, MILLION);
	for (size_t i = 0; i + 1 < MILLION; i++)
		assert_int_equal(pl_uf_union(&uf, i + 1, i), 1);
	assert_int_equal(pl_uf_count(&uf), 1);
	root = pl_uf_find(&uf, MILLION - 1);
	for (size_t i = 0; i < MILLION; i++)
		if (pl_uf_find(&uf, i) != root)
			fail_msg("%zu is not in the chain's set", i);
	assert_int_equal(pl_uf_union(&uf, 0, MILLION - 1), 0);
	pl_uf_release(&uf);
}

static void test_uf__million_star(void **state)
{
	struct pl_uf uf;

	(void)state;
	pl_uf_init(&uf, MILLION);
	for (size_t i = 1; i < MILLION; i++)
		assert_int_equal(pl_uf_union(&uf, i % 2 ? i : 0, i % 2 ? 0 : i), 1);
	assert_int_equal(pl_uf_count(&uf), 1);
	/* the first union ties and keeps 0; every later root has rank 0 */
	for (size_t i = 0; i < MILLION; i++)
		if (uf.parent[i] != 0)
			fail_msg("%zu hangs from %zu, not the centre", i, uf.parent[i]);
	assert_int_equal(uf.rank[0], 1);
	pl_uf_release(&uf);
}

/* Union by rank never builds a deep tree, so make one by hand: a path of a
 * million nodes, which a recursive find would take a million frames for.
 * One find compresses all of it. */
static void test_uf__find_on_million_deep_path(void **state)
{
	struct pl_uf uf;

	(void)state;
	pl_uf_init(&uf, MILLION);
	for (size_t i = 0; i + 1 < MILLION; i++)
		uf.parent[i] = i + 1;
	uf.n_sets = 1;
	assert_int_equal(pl_uf_find(&uf, 0), MILLION - 1);
	for (size_t i = 0; i < MILLION; i++)
		if (uf.parent[i] != MILLION - 1)
			fail_msg("%zu not compressed: parent %zu", i, uf.parent[i]);
	pl_uf_release(&uf);
}

/* The same unions give the same forest, whichever way round each pair is
 * given; the partition does not depend on the order of the unions. */
static void test_uf__deterministic(void **state)
{
	enum { N = 1000, STEPS = 700 };
	static size_t pa[STEPS], pb[STEPS];
	struct pl_uf x, y, z;
	uint32_t rng = 7;

	(void)state;
	for (int s = 0; s < STEPS; s++) {
		rng = rng * 1664525u + 1013904223u;
		pa[s] = (rng >> 4) % N;
		rng = rng * 1664525u + 1013904223u;
		pb[s] = (rng >> 4) % N;
	}
	pl_uf_init(&x, N);
	pl_uf_init(&y, N);
	pl_uf_init(&z, N);
	for (int s = 0; s < STEPS; s++) {
		pl_uf_union(&x, pa[s], pb[s]);
		pl_uf_union(&y, pb[s], pa[s]);
		pl_uf_union(&z, pa[STEPS - 1 - s], pb[STEPS - 1 - s]);
	}
	assert_memory_equal(x.parent, y.parent, N * sizeof(*x.parent));
	assert_memory_equal(x.rank, y.rank, N * sizeof(*x.rank));
	assert_int_equal(pl_uf_count(&x), pl_uf_count(&z));
	for (size_t i = 0; i < N; i++)
		for (size_t j = i + 1; j < N; j++)
			if ((pl_uf_find(&x, i) == pl_uf_find(&x, j)) !=
			    (pl_uf_find(&z, i) == pl_uf_find(&z, j)))
				fail_msg("%zu and %zu: partition depends on order", i, j);
	pl_uf_release(&x);
	pl_uf_release(&y);
	pl_uf_release(&z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uf__init_gives_singletons),
		cmocka_unit_test(test_uf__unions_table),
		cmocka_unit_test(test_uf__transitive_closure),
		cmocka_unit_test(test_uf__matches_naive_relabelling),
		cmocka_unit_test(test_uf__million_chain),
		cmocka_unit_test(test_uf__million_star),
		cmocka_unit_test(test_uf__find_on_million_deep_path),
		cmocka_unit_test(test_uf__deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * tests/unit/test_extsort.c - lib/extsort and lib/spill: the radix sort
 * against a stable qsort reference (random keys with many repeats, keys
 * whose high digits are all equal, empty and one-element input); the
 * external sort with tiny runs against the same reference (and stability
 * across runs); a sorted run adopted from another file, merged before the
 * pairs added (in and out of order); an empty sorter; the spill file leaves no name behind and
 * reads back at an offset, failing with EIO past its end.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include "extsort.h"
#include "spill.h"

static int setup(void **state) { return unit_tmp_setup(state); }
static int teardown(void **state) { return unit_tmp_teardown(state); }

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The reference order: by key, key2, then by the order added (kept in a). */
static int cmp_stable(const void *x, const void *y)
{
	const struct pl_kv *a = x, *b = y;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->key2 != b->key2)
		return a->key2 < b->key2 ? -1 : 1;
	return a->a < b->a ? -1 : a->a > b->a;
}

/* n records numbered in a, with keys drawn by shape: 0 few distinct keys,
 * 1 full 64-bit keys, 2 (file << 32 | line) keys, 3 few distinct keys
 * with key2 deciding among them (128-bit keys, as person_refs). */
static struct pl_kv *make_pairs(size_t n, int shape, uint64_t seed)
{
	struct pl_kv *kv = calloc(n + 1, sizeof(*kv));

	for (size_t i = 0; i < n; i++) {
		uint64_t r = next_random(&seed);

		kv[i].key = shape == 0 || shape == 3 ? r % 37 * 0x0101010101010101ULL
			  : shape == 1 ? r : (r % 5) << 32 | (r >> 40);
		kv[i].key2 = shape == 3 ? (r >> 3) % 11 * 0x9E3779B97F4A7C15ULL : 0;
		kv[i].a = (uint32_t)i;
		kv[i].b = (uint32_t)(r >> 7);
	}
	return kv;
}

static void assert_same_pairs(const struct pl_kv *x, const struct pl_kv *y, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(x[i].key, y[i].key);
		assert_int_equal(x[i].key2, y[i].key2);
		assert_int_equal(x[i].a, y[i].a);
		assert_int_equal(x[i].b, y[i].b);
	}
}

static void test_extsort__radix_matches_stable_qsort(void **state)
{
	(void)state;
	for (int shape = 0; shape < 4; shape++) {
		size_t n = 50000;
		struct pl_kv *kv = make_pairs(n, shape, 0x9E3779B97F4A7C15ULL + (uint64_t)shape);
		struct pl_kv *ref = calloc(n + 1, sizeof(*ref));

		memcpy(ref, kv, n * sizeof(*kv));
		qsort(ref, n, sizeof(*ref), cmp_stable);
		pl_kv_sort(kv, n);
		assert_same_pairs(kv, ref, n);
		free(kv);
		free(ref);
	}
}

static void test_extsort__radix_small_inputs(void **state)
{
	struct pl_kv one = { 42, 0, 1, 2 };
	struct pl_kv two[2] = { { 7, 0, 0, 0 }, { 3, 0, 1, 0 } };

	(void)state;
	pl_kv_sort(NULL, 0);
	pl_kv_sort(&one, 1);
	assert_int_equal(one.key, 42);
	pl_kv_sort(two, 2);
	assert_int_equal(two[0].key, 3);
	assert_int_equal(two[1].key, 7);
	assert_int_equal(two[0].a, 1);
}

/* Merges s, expecting want_runs runs and then ref[0..n) in order; releases s. */
static void expect_merge(struct pl_extsort *s, const struct pl_kv *ref, size_t n,
			 size_t want_runs)
{
	struct pl_diag d;
	struct pl_kv got;
	size_t i = 0;
	int rc;

	assert_int_equal(pl_extsort_merge(s, &d), PL_OK);
	assert_int_equal(s->n_runs, want_runs);
	while ((rc = pl_extsort_next(s, &got, &d)) == 1) {
		assert_true(i < n);
		assert_same_pairs(&got, &ref[i], 1);
		i++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(i, n);
	pl_extsort_release(s);
}

/* Feeds kv to a sorter with runs of run_len and checks the merge. */
static void check_external(const char *dir, const struct pl_kv *kv, size_t n, size_t run_len)
{
	struct pl_extsort s;
	struct pl_diag d;
	struct pl_kv *ref = calloc(n + 1, sizeof(*ref));
	size_t ordered = 1;

	for (size_t k = 1; k < n; k++)
		ordered &= cmp_stable(&kv[k - 1], &kv[k]) <= 0;

	memcpy(ref, kv, n * sizeof(*kv));
	qsort(ref, n, sizeof(*ref), cmp_stable);
	assert_int_equal(pl_extsort_init(&s, dir, run_len, &d), PL_OK);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(pl_extsort_add(&s, &kv[k], &d), PL_OK);
	/* input in key order is read back as one run */
	expect_merge(&s, ref, n, ordered ? n > 0 : (n + run_len - 1) / run_len);
	free(ref);
}

static void test_extsort__runs_merge_stably(void **state)
{
	struct unit_tmp *t = *state;

	for (int shape = 0; shape < 4; shape++) {
		size_t n = 20000;
		struct pl_kv *kv = make_pairs(n, shape, 12345 + (uint64_t)shape);

		check_external(t->dir, kv, n, 7);      /* many runs, a short last one */
		check_external(t->dir, kv, n, 5000);   /* runs that end with the input */
		check_external(t->dir, kv, n, 100000); /* one run */
		free(kv);
	}
}

/* Input already in key order (a table read in its key order), with equal
 * keys, over many runs; and input whose runs are each in order but overlap
 * one another, which must still be merged. */
static void test_extsort__ordered_input(void **state)
{
	struct unit_tmp *t = *state;
	size_t n = 10000;
	struct pl_kv *kv = make_pairs(n, 2, 777);

	qsort(kv, n, sizeof(*kv), cmp_stable);
	check_external(t->dir, kv, n, 7);
	check_external(t->dir, kv, n, 100000);
	for (size_t i = 0; i < n; i++) {        /* runs of 100, each in order */
		kv[i].key = i % 100;
		kv[i].key2 = 0;
		kv[i].a = (uint32_t)i;
	}
	check_external(t->dir, kv, n, 100);
	check_external(t->dir, kv, n, 1000);    /* unordered within a run too */
	free(kv);
}

/* kv[0..n_old) in n_adopt runs (each sorted) in a file of their own after
 * some other bytes, adopted in turn; kv[n_old..n) added with runs of
 * run_len: the merge gives all n in stable order, adopted ones first among
 * equal keys, the earlier run's first; unadopted (mode 1), only the added
 * ones, in stable order. */
static void check_adopted(const char *dir, struct pl_kv *kv, size_t n_old, size_t n,
			  size_t n_adopt, size_t run_len, size_t want_runs, int unadopt)
{
	struct pl_extsort s;
	struct pl_diag d;
	struct pl_kv *ref = calloc(n + 1, sizeof(*ref));
	size_t from = unadopt ? n_old : 0;
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(fwrite("header..", 1, 8, f), 8);
	for (size_t j = 0; j < n_adopt; j++) {
		size_t lo = n_old * j / n_adopt, hi = n_old * (j + 1) / n_adopt;

		qsort(kv + lo, hi - lo, sizeof(*kv), cmp_stable);
		assert_int_equal(fwrite(kv + lo, sizeof(*kv), hi - lo, f), hi - lo);
	}
	assert_int_equal(fflush(f), 0);
	memcpy(ref, kv + from, (n - from) * sizeof(*kv));
	qsort(ref, n - from, sizeof(*ref), cmp_stable);
	assert_int_equal(pl_extsort_init(&s, dir, run_len, &d), PL_OK);
	for (size_t j = 0; j < n_adopt; j++) {
		size_t lo = n_old * j / n_adopt, hi = n_old * (j + 1) / n_adopt;

		pl_extsort_adopt(&s, f, 8 + (long long)(lo * sizeof(*kv)), hi - lo);
	}
	for (size_t k = n_old; k < n; k++)
		assert_int_equal(pl_extsort_add(&s, &kv[k], &d), PL_OK);
	if (unadopt)
		pl_extsort_unadopt(&s);
	expect_merge(&s, ref, n - from, want_runs);
	fclose(f);
	free(ref);
}

static void test_extsort__adopted_run(void **state)
{
	struct unit_tmp *t = *state;
	size_t n = 5000;
	struct pl_kv *kv = make_pairs(n, 3, 4242);    /* few keys: many ties */

	check_adopted(t->dir, kv, 4000, n, 1, 7, 1 + (1000 + 6) / 7, 0);
	check_adopted(t->dir, kv, 4000, 4000, 1, 7, 1, 0); /* nothing added */
	check_adopted(t->dir, kv, 0, 0, 1, 7, 0, 0);       /* an empty run: none */
	check_adopted(t->dir, kv, 4000, n, 3, 7, 3 + (1000 + 6) / 7, 0); /* three in turn */
	check_adopted(t->dir, kv, 4000, n, 3, 7, (1000 + 6) / 7, 1);     /* let go of */
	qsort(kv + 4000, 1000, sizeof(*kv), cmp_stable);
	check_adopted(t->dir, kv, 4000, n, 1, 7, 2, 0);    /* added in order: one run more */
	check_adopted(t->dir, kv, 4000, n, 2, 7, 1, 1);    /* and only it, let go of */
	free(kv);
}

static void test_extsort__empty_sorter(void **state)
{
	struct unit_tmp *t = *state;
	struct pl_extsort s;
	struct pl_diag d;
	struct pl_kv kv;

	assert_int_equal(pl_extsort_init(&s, t->dir, 0, &d), PL_OK);
	assert_int_equal(s.run_len, (size_t)1 << 20);
	assert_int_equal(pl_extsort_merge(&s, &d), PL_OK);
	assert_int_equal(pl_extsort_next(&s, &kv, &d), 0);
	pl_extsort_release(&s);
	pl_extsort_release(&s); /* again: no-op */
}

static void test_extsort__spill_leaves_no_name(void **state)
{
	struct unit_tmp *t = *state;
	struct pl_diag d;
	FILE *f = pl_spill_open(t->dir, &d);
	char buf[6] = { 0 };
	DIR *dir;
	struct dirent *e;
	int names = 0;

	assert_non_null(f);
	assert_int_equal(fwrite("spill", 1, 5, f), 5);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	assert_int_equal(fread(buf, 1, 5, f), 5);
	assert_string_equal(buf, "spill");
	dir = opendir(t->dir);
	assert_non_null(dir);
	while ((e = readdir(dir)))
		names += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(dir);
	assert_int_equal(names, 0);
	assert_int_equal(fflush(f), 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(pl_spill_read(f, buf, 3, 2), 0);
	assert_string_equal(buf, "ill");
	errno = 0;
	assert_int_equal(pl_spill_read(f, buf, 4, 2), -1); /* past the end */
	assert_int_equal(errno, EIO);
	fclose(f);
	assert_null(pl_spill_open("/nonexistent/dir", &d));
	assert_int_equal(d.err, PL_EIO);
}

static void test_extsort__dir_of(void **state)
{
	char *s;

	(void)state;
	s = pl_dir_of("out/pipeline.db");
	assert_string_equal(s, "out");
	free(s);
	s = pl_dir_of("pipeline.db");
	assert_string_equal(s, ".");
	free(s);
	s = pl_dir_of("/pipeline.db");
	assert_string_equal(s, "/");
	free(s);
	s = pl_dir_of(NULL);
	assert_string_equal(s, "");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extsort__radix_matches_stable_qsort),
		cmocka_unit_test(test_extsort__radix_small_inputs),
		cmocka_unit_test_setup_teardown(test_extsort__runs_merge_stably, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extsort__ordered_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extsort__adopted_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extsort__empty_sorter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extsort__spill_leaves_no_name, setup,
						teardown),
		cmocka_unit_test(test_extsort__dir_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

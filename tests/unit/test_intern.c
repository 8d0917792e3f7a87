/*
 * tests/unit/test_intern.c - lib/intern: ids in order of first sight, the
 * same id for the same string, copies owned by the table, find of unknown
 * strings, growth over many strings checked against a naive list, the empty
 * string, and release of an empty or released table.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"

static void test_intern__ids_in_order_of_first_sight(void **state)
{
	struct pl_intern t;
	char buf[16];

	(void)state;
	pl_intern_init(&t);
	assert_int_equal(pl_intern_add(&t, "anna"), 0);
	assert_int_equal(pl_intern_add(&t, "bo"), 1);
	snprintf(buf, sizeof(buf), "%s", "anna");
	assert_int_equal(pl_intern_add(&t, buf), 0);  /* equal text, other pointer */
	assert_int_equal(pl_intern_add(&t, ""), 2);
	assert_int_equal(pl_intern_add(&t, "Anna"), 3); /* case matters */
	assert_int_equal(pl_intern_count(&t), 4);
	buf[0] = 'X';                                    /* the table owns a copy */
	assert_string_equal(pl_intern_str(&t, 0), "anna");
	assert_string_equal(pl_intern_str(&t, 2), "");
	assert_null(pl_intern_str(&t, 4));
	assert_int_equal(pl_intern_find(&t, "bo"), 1);
	assert_int_equal(pl_intern_find(&t, "b"), UINT32_MAX);
	assert_int_equal(pl_intern_find(&t, "bob"), UINT32_MAX);
	{
		const char *kept = pl_intern_str(&t, 1);

		pl_intern_wipe(&t);
		assert_int_equal(kept[0], '\0');  /* "bo" zeroed in place */
		assert_int_equal(kept[1], '\0');
	}
	pl_intern_release(&t);
	assert_int_equal(pl_intern_count(&t), 0);
	pl_intern_release(&t); /* again: no-op */
}

static void test_intern__find_in_an_empty_table(void **state)
{
	struct pl_intern t;

	(void)state;
	pl_intern_init(&t);
	assert_int_equal(pl_intern_find(&t, "x"), UINT32_MAX);
	assert_int_equal(pl_intern_count(&t), 0);
	pl_intern_release(&t);
}

/* 200,000 strings, each added three times in a shuffled order: the ids
 * equal a naive first-sight numbering, through many growths. */
static void test_intern__many_strings_against_naive(void **state)
{
	enum { N = 200000 };
	struct pl_intern t;
	uint32_t *want = malloc(N * sizeof(*want));
	uint32_t next = 0, x = 12345;
	char buf[32];

	(void)state;
	assert_non_null(want);
	for (size_t i = 0; i < N; i++)
		want[i] = UINT32_MAX;
	pl_intern_init(&t);
	for (size_t k = 0; k < 3 * (size_t)N; k++) {
		uint32_t v;

		x = x * 1103515245u + 12345u;  /* a fixed pseudo-random order */
		v = (x >> 8) % N;
		snprintf(buf, sizeof(buf), "name-%u", v);
		if (want[v] == UINT32_MAX)
			want[v] = next++;
		if (pl_intern_add(&t, buf) != want[v])
			fail_msg("'%s': id %u, want %u", buf, pl_intern_add(&t, buf), want[v]);
	}
	assert_int_equal(pl_intern_count(&t), next);
	for (uint32_t v = 0; v < N; v++) {
		snprintf(buf, sizeof(buf), "name-%u", v);
		assert_int_equal(pl_intern_find(&t, buf), want[v]);
		if (want[v] != UINT32_MAX)
			assert_string_equal(pl_intern_str(&t, want[v]), buf);
	}
	pl_intern_release(&t);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intern__ids_in_order_of_first_sight),
		cmocka_unit_test(test_intern__find_in_an_empty_table),
		cmocka_unit_test(test_intern__many_strings_against_naive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

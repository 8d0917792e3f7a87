/*
 * tests/unit/test_pl.c - lib/pl: diagnostics, exit codes, allocation, the
 * growable byte buffer and sorting items each once.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sysexits.h>

#include "pl.h"

static void fill_junk(struct pl_diag *d)
{
	d->err = PL_EIO;
	memset(d->file, 'f', sizeof(d->file) - 1);
	d->file[sizeof(d->file) - 1] = '\0';
	d->line = 99;
	memset(d->msg, 'm', sizeof(d->msg) - 1);
	d->msg[sizeof(d->msg) - 1] = '\0';
}

static void test_diag__clear_empties_every_field(void **state)
{
	struct pl_diag d;

	(void)state;
	fill_junk(&d);
	pl_diag_clear(&d);
	assert_int_equal(d.err, PL_OK);
	assert_string_equal(d.file, "");
	assert_int_equal(d.line, 0);
	assert_string_equal(d.msg, "");
}

static void test_diag__set_fills_and_returns_err(void **state)
{
	struct pl_diag d;
	enum pl_err err;

	(void)state;
	pl_diag_clear(&d);
	err = pl_diag_set(&d, PL_ECONFIG, "mappings/lundby.ini", 12,
			  "unknown key '%s' in [%s]", "nmae", "source");
	assert_int_equal(err, PL_ECONFIG);
	assert_int_equal(d.err, PL_ECONFIG);
	assert_string_equal(d.file, "mappings/lundby.ini");
	assert_int_equal(d.line, 12);
	assert_string_equal(d.msg, "unknown key 'nmae' in [source]");
}

static void test_diag__set_null_file_is_empty_string(void **state)
{
	struct pl_diag d;

	(void)state;
	fill_junk(&d);
	assert_int_equal(pl_diag_set(&d, PL_ESOFTWARE, NULL, 0, "%d%%", 50), PL_ESOFTWARE);
	assert_string_equal(d.file, "");
	assert_int_equal(d.line, 0);
	assert_string_equal(d.msg, "50%");
}

static void test_diag__set_null_diag_only_returns_err(void **state)
{
	(void)state;
	assert_int_equal(pl_diag_set(NULL, PL_ETEMPFAIL, "x", 1, "locked"), PL_ETEMPFAIL);
}

static void test_diag__set_truncates_long_file_and_message(void **state)
{
	char file[600], msg[1200];
	struct pl_diag d;

	(void)state;
	memset(file, 'a', sizeof(file) - 1);
	file[sizeof(file) - 1] = '\0';
	memset(msg, 'b', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	pl_diag_set(&d, PL_EDATA, file, 3, "%s", msg);
	assert_int_equal(strlen(d.file), sizeof(d.file) - 1);
	assert_int_equal(strlen(d.msg), sizeof(d.msg) - 1);
	assert_memory_equal(d.file, file, sizeof(d.file) - 1);
	assert_memory_equal(d.msg, msg, sizeof(d.msg) - 1);
}

static void test_exit_code__maps_each_error_to_sysexits(void **state)
{
	static const struct {
		enum pl_err err;
		int code;
	} cases[] = {
		{ PL_OK, 0 },          { PL_EUSAGE, 64 },    { PL_EDATA, 65 },
		{ PL_ENOINPUT, 66 },   { PL_ESOFTWARE, 70 }, { PL_ECANTCREAT, 73 },
		{ PL_EIO, 74 },        { PL_ETEMPFAIL, 75 }, { PL_ECONFIG, 78 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(pl_exit_code(cases[i].err), cases[i].code);
	/* the same numbers as <sysexits.h> */
	assert_int_equal(pl_exit_code(PL_EUSAGE), EX_USAGE);
	assert_int_equal(pl_exit_code(PL_ECONFIG), EX_CONFIG);
}

static void test_exit_code__unknown_error_is_software(void **state)
{
	(void)state;
	assert_int_equal(pl_exit_code((enum pl_err)(PL_ECONFIG + 1)), 70);
	assert_int_equal(pl_exit_code((enum pl_err)1000), 70);
}

static void test_alloc__zero_sizes_give_usable_pointers(void **state)
{
	void *a = pl_xmalloc(0);
	void *b = pl_xcalloc(0, 0);
	void *c = pl_xrealloc(NULL, 0);

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	free(a);
	free(b);
	free(c);
}

static void test_alloc__calloc_zeroes_and_realloc_keeps_bytes(void **state)
{
	unsigned char *p = pl_xcalloc(100, 3);

	(void)state;
	for (size_t i = 0; i < 300; i++)
		assert_int_equal(p[i], 0);
	memcpy(p, "keep", 4);
	p = pl_xrealloc(p, 100000);
	assert_memory_equal(p, "keep", 4);
	free(p);
}

static void test_alloc__strdup_and_strndup(void **state)
{
	char *a = pl_xstrdup("Göteborg");
	char *b = pl_xstrndup("Lundby,Angered", 6);
	char *c = pl_xstrndup("", 0);

	(void)state;
	assert_string_equal(a, "Göteborg");
	assert_string_equal(b, "Lundby");
	assert_string_equal(c, "");
	free(a);
	free(b);
	free(c);
}

static void test_buf__init_is_empty(void **state)
{
	struct pl_buf b;

	(void)state;
	memset(&b, 0x55, sizeof(b));
	pl_buf_init(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	pl_buf_release(&b); /* release of an empty buffer is fine */
	assert_null(b.data);
}

static void test_buf__append_nothing_still_terminates(void **state)
{
	struct pl_buf b;

	(void)state;
	pl_buf_init(&b);
	pl_buf_append(&b, NULL, 0);
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 64);
	assert_string_equal(b.data, "");
	pl_buf_release(&b);
}

/*
 * Regression: pl.h promises a buffer "always NUL-terminated after pl_buf_*
 * calls", but pl_buf_grow() on a never-used buffer allocated without writing
 * the NUL, so a caller that grew and then appended nothing (pl_fold of a
 * blank string) handed out unterminated heap bytes.
 */
static void test_buf__grow_on_fresh_buffer_terminates(void **state)
{
	struct pl_buf b;
	void *prime = malloc(64);

	(void)state;
	assert_non_null(prime);
	memset(prime, 'x', 64); /* leave non-zero bytes where the buffer will land */
	free(prime);
	char first;

	pl_buf_init(&b);
	pl_buf_grow(&b, 10);
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 64);
	first = b.data[0];
	pl_buf_release(&b);
	assert_int_equal(first, '\0');
}

static void test_buf__append_grows_by_doubling(void **state)
{
	static const struct {
		size_t total;   /* bytes appended so far */
		size_t cap;     /* capacity expected after it */
	} steps[] = {
		{ 1, 64 }, { 63, 64 }, { 64, 128 }, { 127, 128 }, { 128, 256 }, { 1000, 1024 },
		{ 5000, 8192 },
	};
	struct pl_buf b;
	size_t done = 0;

	(void)state;
	pl_buf_init(&b);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		while (done < steps[i].total) {
			pl_buf_putc(&b, (char)('a' + done % 26));
			done++;
		}
		assert_int_equal(b.len, steps[i].total);
		assert_int_equal(b.cap, steps[i].cap);
		assert_int_equal(b.data[b.len], '\0');
	}
	for (size_t i = 0; i < done; i++)
		assert_int_equal(b.data[i], 'a' + i % 26);
	pl_buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void test_buf__append_keeps_binary_bytes(void **state)
{
	static const char bin[] = { 'a', '\0', 'b', (char)0xFF, '\n' };
	struct pl_buf b;

	(void)state;
	pl_buf_init(&b);
	pl_buf_append(&b, bin, sizeof(bin));
	pl_buf_append(&b, bin, sizeof(bin));
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, bin, sizeof(bin));
	assert_memory_equal(b.data + 5, bin, sizeof(bin));
	assert_int_equal(b.data[10], '\0');
	pl_buf_release(&b);
}

static void test_buf__reset_keeps_capacity(void **state)
{
	struct pl_buf b;

	(void)state;
	pl_buf_init(&b);
	pl_buf_reset(&b); /* on a buffer never grown */
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	pl_buf_printf(&b, "%0200d", 7);
	assert_int_equal(b.cap, 256);
	pl_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 256);
	assert_string_equal(b.data, "");
	pl_buf_append(&b, "xy", 2);
	assert_string_equal(b.data, "xy");
	pl_buf_release(&b);
}

/* pl_buf_wipe zeroes every byte the buffer has room for (also what a longer
 * earlier content left beyond the current length), keeps the room, and
 * empties it; on a fresh buffer it does nothing. */
static void test_buf__wipe_zeroes_all_the_room(void **state)
{
	struct pl_buf b;
	size_t cap;

	(void)state;
	pl_buf_init(&b);
	pl_buf_wipe(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	pl_buf_append(&b, "19900101-1234 Testina", 21);
	pl_buf_reset(&b);
	pl_buf_append(&b, "ab", 2);
	cap = b.cap;
	assert_memory_equal(b.data + 3, "00101-", 6);    /* the earlier value is still there */
	pl_buf_wipe(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);
	for (size_t i = 0; i < cap; i++)
		assert_int_equal(b.data[i], 0);
	pl_buf_release(&b);
}

static void test_buf__printf_appends_formatted(void **state)
{
	struct pl_buf b;
	char want[1100];

	(void)state;
	pl_buf_init(&b);
	pl_buf_append(&b, "rows: ", 6);
	pl_buf_printf(&b, "%d kept, %s", 12, "3 rejected");
	assert_string_equal(b.data, "rows: 12 kept, 3 rejected");
	assert_int_equal(b.len, strlen("rows: 12 kept, 3 rejected"));
	pl_buf_printf(&b, "%s", "");
	assert_int_equal(b.len, strlen("rows: 12 kept, 3 rejected"));
	/* longer than the free space: grows, no truncation */
	pl_buf_reset(&b);
	pl_buf_printf(&b, "%1000s|", "end");
	snprintf(want, sizeof(want), "%1000s|", "end");
	assert_int_equal(b.len, 1001);
	assert_string_equal(b.data, want);
	pl_buf_release(&b);
}

/* pl_buf_putc is inline: it must grow a fresh buffer and keep the NUL. */
static void test_buf__putc_grows_and_terminates(void **state)
{
	struct pl_buf b;
	char want[300];

	(void)state;
	pl_buf_init(&b);
	for (int i = 0; i < 299; i++) {
		pl_buf_putc(&b, (char)('a' + i % 26));
		want[i] = (char)('a' + i % 26);
		assert_int_equal(b.len, (size_t)i + 1);
		assert_true(b.cap > b.len);
		assert_int_equal(b.data[b.len], '\0');
	}
	want[299] = '\0';
	assert_string_equal(b.data, want);
	pl_buf_reset(&b);
	pl_buf_putc(&b, '\0');  /* a NUL byte is a byte */
	assert_int_equal(b.len, 1);
	pl_buf_release(&b);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* Items of 8 bytes compared on their first 4: the first of equal ones is
 * kept (qsort is not stable, so only the key is checked), none lost. */
static void test_sort_unique__sorts_and_keeps_each_once(void **state)
{
	int v[] = { 5, 3, 9, 3, 3, 1, 9, 5 };
	int one[] = { 7 };
	struct { int key, tag; } w[] = { { 2, 0 }, { 1, 1 }, { 2, 2 }, { 0, 3 } };

	(void)state;
	assert_int_equal(pl_sort_unique(v, 8, sizeof(int), cmp_int), 4);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 3);
	assert_int_equal(v[2], 5);
	assert_int_equal(v[3], 9);
	assert_int_equal(pl_sort_unique(one, 1, sizeof(int), cmp_int), 1);
	assert_int_equal(one[0], 7);
	assert_int_equal(pl_sort_unique(NULL, 0, sizeof(int), cmp_int), 0);
	assert_int_equal(pl_sort_unique(w, 4, sizeof(w[0]), cmp_int), 3);
	assert_int_equal(w[0].key, 0);
	assert_int_equal(w[0].tag, 3);
	assert_int_equal(w[1].key, 1);
	assert_int_equal(w[1].tag, 1);
	assert_int_equal(w[2].key, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_unique__sorts_and_keeps_each_once),
		cmocka_unit_test(test_diag__clear_empties_every_field),
		cmocka_unit_test(test_diag__set_fills_and_returns_err),
		cmocka_unit_test(test_diag__set_null_file_is_empty_string),
		cmocka_unit_test(test_diag__set_null_diag_only_returns_err),
		cmocka_unit_test(test_diag__set_truncates_long_file_and_message),
		cmocka_unit_test(test_exit_code__maps_each_error_to_sysexits),
		cmocka_unit_test(test_exit_code__unknown_error_is_software),
		cmocka_unit_test(test_alloc__zero_sizes_give_usable_pointers),
		cmocka_unit_test(test_alloc__calloc_zeroes_and_realloc_keeps_bytes),
		cmocka_unit_test(test_alloc__strdup_and_strndup),
		cmocka_unit_test(test_buf__init_is_empty),
		cmocka_unit_test(test_buf__append_nothing_still_terminates),
		cmocka_unit_test(test_buf__grow_on_fresh_buffer_terminates),
		cmocka_unit_test(test_buf__append_grows_by_doubling),
		cmocka_unit_test(test_buf__append_keeps_binary_bytes),
		cmocka_unit_test(test_buf__reset_keeps_capacity),
		cmocka_unit_test(test_buf__wipe_zeroes_all_the_room),
		cmocka_unit_test(test_buf__printf_appends_formatted),
		cmocka_unit_test(test_buf__putc_grows_and_terminates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

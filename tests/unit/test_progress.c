/*
 * tests/unit/test_progress.c - lib/progress: the lines a stage writes to
 * PL_PROGRESS_FD, their rate limit, and that nothing a reader does (no
 * variable, a bad one, a full pipe, a closed reader) blocks or kills it.
 *
 * Each test makes a pipe, names its write end in PL_PROGRESS_FD, resets the
 * module, and reads back what was written from the (non-blocking) read end.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

struct pipe_fixture {
	int rd, wr;
	char text[1 << 16];       /* what was read back */
	size_t len;
};

static int fixture_setup(void **state)
{
	struct pipe_fixture *f = calloc(1, sizeof(*f));
	int fds[2];
	char num[16];

	if (!f || pipe(fds) != 0)
		return -1;
	f->rd = fds[0];
	f->wr = fds[1];
	fcntl(f->rd, F_SETFL, fcntl(f->rd, F_GETFL) | O_NONBLOCK);
	snprintf(num, sizeof(num), "%d", f->wr);
	setenv(PL_PROGRESS_ENV, num, 1);
	pl_progress_reset();
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct pipe_fixture *f = *state;

	if (f->rd >= 0)
		close(f->rd);
	if (f->wr >= 0)
		close(f->wr);
	free(f);
	unsetenv(PL_PROGRESS_ENV);
	pl_progress_reset();
	return 0;
}

/* Everything in the pipe so far, appended to f->text. */
static void drain(struct pipe_fixture *f)
{
	ssize_t n;

	while (f->len < sizeof(f->text) - 1 &&
	       (n = read(f->rd, f->text + f->len, sizeof(f->text) - 1 - f->len)) > 0)
		f->len += (size_t)n;
	f->text[f->len] = '\0';
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Every line is "P rows=R bytes=B total=T"; the last one's values. */
static void check_lines(const char *s, uint64_t *rows, uint64_t *bytes, uint64_t *total)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		char tail[2];
		int used = 0;

		assert_non_null(nl);
		assert_int_equal(sscanf(s, "P rows=%" SCNu64 " bytes=%" SCNu64 " total=%" SCNu64
					"%n%1[^\n]", rows, bytes, total, &used, tail), 3);
		assert_ptr_equal(s + used, nl);
		s = nl + 1;
	}
}

static double ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

static void test_progress__begin_update_end_lines(void **state)
{
	struct pipe_fixture *f = *state;
	uint64_t rows = 99, bytes = 99, total = 99;

	assert_true(pl_progress_active());
	pl_progress_begin(1000000);
	drain(f);
	assert_string_equal(f->text, "P rows=0 bytes=0 total=1000000\n");
	pl_progress_update(12345, 456789);
	pl_progress_end();
	drain(f);
	assert_int_equal(count_lines(f->text), 2);
	check_lines(f->text, &rows, &bytes, &total);
	assert_string_equal(strrchr(f->text, 'P'), "P rows=12345 bytes=456789 total=1000000\n");
	/* the descriptor was made non-blocking */
	assert_true(fcntl(f->wr, F_GETFL) & O_NONBLOCK);
}

static void test_progress__rate_limited(void **state)
{
	struct pipe_fixture *f = *state;
	struct timespec t0;
	uint64_t rows = 0, bytes = 0, total = 0;
	double ms;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pl_progress_begin(2000000);
	for (uint64_t i = 1; i <= 1000000; i++)
		pl_progress_update(i, 2 * i);
	ms = ms_since(&t0);
	pl_progress_end();
	drain(f);
	n = count_lines(f->text);
	/* begin, end, and at most one per 100 ms between (plus one for rounding) */
	assert_true(n >= 2);
	assert_true(n <= 3 + (int)(ms / PL_PROGRESS_MIN_MS));
	assert_true(n < 50);
	check_lines(f->text, &rows, &bytes, &total);
	assert_true(rows == 1000000 && bytes == 2000000 && total == 2000000);
}

/* The limit does not starve: updates for 350 ms give reports between. */
static void test_progress__reports_while_working(void **state)
{
	struct pipe_fixture *f = *state;
	struct timespec t0;
	uint64_t i = 0, rows = 0, bytes = 0, total = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pl_progress_begin(0);
	while (ms_since(&t0) < 350) {
		i++;
		pl_progress_update(i, i);
	}
	drain(f);
	assert_true(count_lines(f->text) >= 1 + 2); /* begin, and at 100, 200, 300 ms */
	check_lines(f->text, &rows, &bytes, &total);
	assert_true(rows > 0 && rows <= i && total == 0);
}

static void test_progress__no_variable_writes_nothing(void **state)
{
	struct pipe_fixture *f = *state;

	unsetenv(PL_PROGRESS_ENV);
	pl_progress_reset();
	assert_false(pl_progress_active());
	pl_progress_begin(10);
	for (int i = 0; i < 100000; i++)
		pl_progress_update((uint64_t)i, (uint64_t)i);
	pl_progress_end();
	drain(f);
	assert_int_equal(f->len, 0);
}

/* Not a number, stdin..stderr, a closed or read-only descriptor: ignored. */
static void test_progress__bad_variable_ignored(void **state)
{
	struct pipe_fixture *f = *state;
	char num[16];
	const char *bad[] = { "", "x", "3x", "-1", "0", "1", "2", "99999999999", "1000000" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv(PL_PROGRESS_ENV, bad[i], 1);
		pl_progress_reset();
		assert_false(pl_progress_active());
		pl_progress_begin(1);
		pl_progress_end();
	}
	snprintf(num, sizeof(num), "%d", f->rd); /* the read end */
	setenv(PL_PROGRESS_ENV, num, 1);
	pl_progress_reset();
	assert_false(pl_progress_active());
	drain(f);
	assert_int_equal(f->len, 0);
}

/* The reader gone: no SIGPIPE death (SIGPIPE at its default), no pending
 * SIGPIPE left behind, and reporting turns itself off. */
static void test_progress__closed_reader_no_sigpipe(void **state)
{
	struct pipe_fixture *f = *state;
	void (*old)(int) = signal(SIGPIPE, SIG_DFL);
	sigset_t pending;

	close(f->rd);
	f->rd = -1;
	pl_progress_begin(100);
	assert_false(pl_progress_active());
	for (int i = 0; i < 1000; i++)
		pl_progress_update((uint64_t)i, (uint64_t)i);
	pl_progress_end();
	sigemptyset(&pending);
	sigpending(&pending);
	assert_int_equal(sigismember(&pending, SIGPIPE), 0);
	signal(SIGPIPE, old);
}

/* A full pipe (a driver that does not read): reports are dropped, the
 * stage goes on, and reporting resumes once there is room. */
static void test_progress__full_pipe_never_blocks(void **state)
{
	struct pipe_fixture *f = *state;
	char junk[4096];
	struct timespec t0;

	memset(junk, 'x', sizeof(junk));
	fcntl(f->wr, F_SETFL, fcntl(f->wr, F_GETFL) | O_NONBLOCK);
	while (write(f->wr, junk, sizeof(junk)) > 0)
		;
	while (write(f->wr, junk, 1) > 0)
		;
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pl_progress_begin(10);
	pl_progress_end();
	assert_true(pl_progress_active());
	while (read(f->rd, junk, sizeof(junk)) > 0)
		;
	pl_progress_end();
	assert_true(ms_since(&t0) < 1000);
	f->len = 0;
	drain(f);
	assert_string_equal(f->text, "P rows=0 bytes=0 total=10\n");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)
	const struct CMUnitTest tests[] = {
		T(test_progress__begin_update_end_lines),
		T(test_progress__rate_limited),
		T(test_progress__reports_while_working),
		T(test_progress__no_variable_writes_nothing),
		T(test_progress__bad_variable_ignored),
		T(test_progress__closed_reader_no_sigpipe),
		T(test_progress__full_pipe_never_blocks),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}

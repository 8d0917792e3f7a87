/*
 * tests/unit/test_log.c - lib/log: the format of an event line, verbosity
 * filtering, and the logger reset by pl_log_setup().
 *
 * Lines are captured with open_memstream(); the default stream (stderr) with
 * a temporary file dup2()ed over fd 2.  The time stamp is checked for its
 * shape and for lying between two readings of the clock.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* A capture stream, reset around each test. */
struct capture {
	char *text;
	size_t len;
	FILE *fp;
};

static int capture_setup(void **state)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->fp = open_memstream(&c->text, &c->len);
	if (!c->fp) {
		free(c);
		return -1;
	}
	*state = c;
	return 0;
}

static int capture_teardown(void **state)
{
	struct capture *c = *state;

	pl_log_setup(NULL, PL_LOG_INFO, NULL); /* never leave the logger on a closed stream */
	fclose(c->fp);
	free(c->text);
	free(c);
	return 0;
}

/* The text written so far. */
static const char *captured(struct capture *c)
{
	fflush(c->fp);
	return c->text ? c->text : "";
}

static void utc_stamp(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Asserts line is "STAMP rest" with STAMP a well-formed UTC time in [lo, hi]. */
static void assert_event(const char *line, const char *lo, const char *hi, const char *rest)
{
	regex_t re;
	char stamp[32];

	assert_int_equal(regcomp(&re, "^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z ",
				 REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regexec(&re, line, 0, NULL, 0), 0);
	regfree(&re);
	assert_true(strlen(line) >= 21);
	memcpy(stamp, line, 20);
	stamp[20] = '\0';
	assert_true(strcmp(lo, stamp) <= 0);
	assert_true(strcmp(stamp, hi) <= 0);
	assert_string_equal(line + 21, rest);
}

static void test_log__line_is_stamp_stage_level_where_message(void **state)
{
	struct capture *c = *state;
	char lo[32], hi[32];

	pl_log_setup("ingest", PL_LOG_INFO, c->fp);
	utc_stamp(lo);
	pl_log(PL_LOG_WARN, "lundby.csv:812", "unterminated quote");
	utc_stamp(hi);
	assert_event(captured(c), lo, hi, "ingest W lundby.csv:812: unterminated quote\n");
}

static void test_log__where_null_has_no_location(void **state)
{
	struct capture *c = *state;
	char lo[32], hi[32];

	pl_log_setup("ingest", PL_LOG_INFO, c->fp);
	utc_stamp(lo);
	pl_log(PL_LOG_INFO, NULL, "%d files, %ld rows kept, %s", 3, 1200L, "0 rejected");
	utc_stamp(hi);
	assert_event(captured(c), lo, hi, "ingest I 3 files, 1200 rows kept, 0 rejected\n");
}

static void test_log__where_may_be_a_file_name(void **state)
{
	struct capture *c = *state;
	char lo[32], hi[32];

	pl_log_setup("map", PL_LOG_INFO, c->fp);
	utc_stamp(lo);
	pl_log(PL_LOG_ERROR, "mappings/lundby.ini", "cannot open '%s'", "x");
	utc_stamp(hi);
	assert_event(captured(c), lo, hi, "map E mappings/lundby.ini: cannot open 'x'\n");
}

static void test_log__one_line_per_event_with_level_letters(void **state)
{
	struct capture *c = *state;
	const char *text, *p;
	char lo[32], hi[32], line[128];
	static const char *const want[] = {
		"dedup E f: error\n", "dedup W f: warn\n", "dedup I f: info\n", "dedup D f: debug\n",
	};

	pl_log_setup("dedup", PL_LOG_DEBUG, c->fp);
	utc_stamp(lo);
	pl_log(PL_LOG_ERROR, "f", "error");
	pl_log(PL_LOG_WARN, "f", "warn");
	pl_log(PL_LOG_INFO, "f", "info");
	pl_log(PL_LOG_DEBUG, "f", "debug");
	utc_stamp(hi);
	text = captured(c);
	p = text;
	for (size_t i = 0; i < 4; i++) {
		const char *nl = strchr(p, '\n');

		assert_non_null(nl);
		assert_true((size_t)(nl - p) + 2 <= sizeof(line));
		memcpy(line, p, (size_t)(nl - p) + 1);
		line[nl - p + 1] = '\0';
		assert_event(line, lo, hi, want[i]);
		p = nl + 1;
	}
	assert_string_equal(p, "");
}

static void test_log__verbosity_filters_levels(void **state)
{
	/* printed[v][l]: is level l printed at verbosity v? */
	static const int printed[4][4] = {
		/* E  W  I  D */
		{ 1, 0, 0, 0 }, /* PL_LOG_ERROR (-q -q) */
		{ 1, 1, 0, 0 }, /* PL_LOG_WARN  (-q) */
		{ 1, 1, 1, 0 }, /* PL_LOG_INFO  (default) */
		{ 1, 1, 1, 1 }, /* PL_LOG_DEBUG (-v) */
	};
	struct capture *c = *state;

	for (int v = PL_LOG_ERROR; v <= PL_LOG_DEBUG; v++) {
		for (int l = PL_LOG_ERROR; l <= PL_LOG_DEBUG; l++) {
			size_t before;

			pl_log_setup("ingest", (enum pl_log_level)v, c->fp);
			assert_int_equal(pl_log_enabled((enum pl_log_level)l) != 0, printed[v][l]);
			before = strlen(captured(c));
			pl_log((enum pl_log_level)l, NULL, "v%d l%d", v, l);
			assert_int_equal(strlen(captured(c)) > before, printed[v][l]);
		}
	}
}

static void test_log__setup_resets_stage_and_verbosity(void **state)
{
	struct capture *c = *state;
	char lo[32], hi[32];

	pl_log_setup("first", PL_LOG_DEBUG, c->fp);
	pl_log_setup("second", PL_LOG_ERROR, c->fp);
	assert_false(pl_log_enabled(PL_LOG_WARN));
	utc_stamp(lo);
	pl_log(PL_LOG_DEBUG, NULL, "hidden");
	pl_log(PL_LOG_WARN, NULL, "hidden");
	pl_log(PL_LOG_ERROR, NULL, "shown");
	utc_stamp(hi);
	assert_event(captured(c), lo, hi, "second E shown\n");
}

static void test_log__setup_null_stage_is_pipeline(void **state)
{
	struct capture *c = *state;
	char lo[32], hi[32];

	pl_log_setup(NULL, PL_LOG_INFO, c->fp);
	utc_stamp(lo);
	pl_log(PL_LOG_INFO, NULL, "x");
	utc_stamp(hi);
	assert_event(captured(c), lo, hi, "pipeline I x\n");
}

static void test_log__long_stage_name_is_cut_to_31_bytes(void **state)
{
	struct capture *c = *state;
	char lo[32], hi[32], want[64];

	pl_log_setup("abcdefghijklmnopqrstuvwxyz0123456789", PL_LOG_INFO, c->fp);
	utc_stamp(lo);
	pl_log(PL_LOG_INFO, NULL, "x");
	utc_stamp(hi);
	snprintf(want, sizeof(want), "%.31s I x\n", "abcdefghijklmnopqrstuvwxyz0123456789");
	assert_event(captured(c), lo, hi, want);
}

static void test_log__null_stream_means_stderr(void **state)
{
	struct capture *c = *state;
	FILE *tmp = tmpfile();
	char lo[32], hi[32], buf[256];
	size_t n;
	int saved;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fileno(tmp), 2), 2);
	pl_log_setup("ingest", PL_LOG_INFO, c->fp);
	pl_log_setup("ingest", PL_LOG_INFO, NULL); /* back to stderr */
	utc_stamp(lo);
	pl_log(PL_LOG_WARN, "a.csv:2", "to stderr");
	utc_stamp(hi);
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	assert_string_equal(captured(c), "");
	assert_event(buf, lo, hi, "ingest W a.csv:2: to stderr\n");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, capture_setup, capture_teardown)
	const struct CMUnitTest tests[] = {
		T(test_log__line_is_stamp_stage_level_where_message),
		T(test_log__where_null_has_no_location),
		T(test_log__where_may_be_a_file_name),
		T(test_log__one_line_per_event_with_level_letters),
		T(test_log__verbosity_filters_levels),
		T(test_log__setup_resets_stage_and_verbosity),
		T(test_log__setup_null_stage_is_pipeline),
		T(test_log__long_stage_name_is_cut_to_31_bytes),
		T(test_log__null_stream_means_stderr),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}

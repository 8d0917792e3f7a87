/*
 * tests/unit/test_keepfile.c - lib/keepfile: the path beside the database
 * and a generation below 2^63, new for each run; a temporary file, mode
 * 0600, with the header's room; the header written at the start on
 * finish; the rename over the old file on install; a file not installed
 * removed on release, the old one left as it was; temporary files of runs
 * that did not end removed, and no other file; a file that cannot be made
 * is an error naming it; a file kept in place reopened only with its
 * header, unlocked and as long as asked, cut to that length and at its end.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "keepfile.h"

static int setup(void **state) { return unit_tmp_setup(state); }
static int teardown(void **state) { return unit_tmp_teardown(state); }

static void test_keepfile__written_then_installed(void **state)
{
	struct pl_keepfile k, k2;
	struct pl_diag d;
	struct stat sb;
	char db[512], want[560], *got;
	size_t len;

	unit_path(state, "p.db", db, sizeof(db));
	pl_keepfile_init(&k, db, ".state");
	snprintf(want, sizeof(want), "%s.state", db);
	assert_string_equal(k.path, want);
	assert_true(k.generation < ((uint64_t)1 << 63));
	pl_keepfile_init(&k2, db, ".state");
	assert_true(k.generation != k2.generation);
	pl_keepfile_release(&k2);
	assert_int_equal(pl_keepfile_create(&k, 8, &d), PL_OK);
	assert_int_equal(strncmp(k.tmp, want, strlen(want)), 0);
	assert_int_equal(strlen(k.tmp), strlen(want) + 7);   /* .XXXXXX */
	assert_int_equal(stat(k.tmp, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(fwrite("body", 1, 4, k.out), 4);
	assert_int_equal(pl_keepfile_finish(&k, "HEADER!!", 8, &d), PL_OK);
	assert_int_equal(stat(want, &sb), -1);                /* not yet in place */
	assert_int_equal(pl_keepfile_install(&k, &d), PL_OK);
	assert_null(k.tmp);
	got = unit_read(want, &len);
	assert_non_null(got);
	assert_int_equal(len, 12);
	assert_memory_equal(got, "HEADER!!body", 12);
	free(got);
	pl_keepfile_release(&k);
	pl_keepfile_release(&k);                              /* again: nothing */
}

static void test_keepfile__released_unfinished_leaves_the_old(void **state)
{
	struct pl_keepfile k;
	struct pl_diag d;
	char db[512], path[560], tmp[600], *got;
	size_t len;

	unit_path(state, "p.db", db, sizeof(db));
	snprintf(path, sizeof(path), "%s.state", db);
	assert_int_equal(unit_write_str(path, "old"), 0);
	pl_keepfile_init(&k, db, ".state");
	assert_int_equal(pl_keepfile_create(&k, 4, &d), PL_OK);
	snprintf(tmp, sizeof(tmp), "%s", k.tmp);
	pl_keepfile_release(&k);
	assert_int_equal(access(tmp, F_OK), -1);
	got = unit_read(path, &len);
	assert_non_null(got);
	assert_int_equal(len, 3);
	assert_memory_equal(got, "old", 3);
	free(got);
}

static void test_keepfile__stale_temporaries_removed(void **state)
{
	struct pl_keepfile k;
	char db[512], stale[600], other[600], longer[600];

	unit_path(state, "p.db", db, sizeof(db));
	snprintf(stale, sizeof(stale), "%s.state.AbC123", db);
	snprintf(other, sizeof(other), "%s.other.AbC123", db);
	snprintf(longer, sizeof(longer), "%s.state.AbC1234", db);
	assert_int_equal(unit_write_str(stale, "x"), 0);
	assert_int_equal(unit_write_str(other, "x"), 0);
	assert_int_equal(unit_write_str(longer, "x"), 0);
	pl_keepfile_init(&k, db, ".state");
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(access(other, F_OK), 0);
	assert_int_equal(access(longer, F_OK), 0);
	pl_keepfile_release(&k);
}

static void test_keepfile__no_directory_names_the_file(void **state)
{
	struct pl_keepfile k;
	struct pl_diag d;
	char file[512], db[600];

	/* a "directory" that is a file: no one can make a file in it */
	unit_path(state, "plain", file, sizeof(file));
	assert_int_equal(unit_write_str(file, "x"), 0);
	snprintf(db, sizeof(db), "%s/p.db", file);
	pl_keepfile_init(&k, db, ".state");
	memset(&d, 0, sizeof(d));
	assert_int_equal(pl_keepfile_create(&k, 4, &d), PL_EIO);
	assert_non_null(strstr(d.file, "p.db.state"));
	assert_non_null(strstr(d.msg, "cannot make the state file"));
	assert_null(k.tmp);
	pl_keepfile_release(&k);
}

static void test_keepfile__reopened_in_place(void **state)
{
	char path[512];
	enum pl_keep_why why = PL_KEEP_UNWRITABLE;
	struct stat sb;
	FILE *f, *w;
	int fd;

	unit_path(state, "p.db.kept", path, sizeof(path));
	assert_null(pl_keepfile_reopen(path, "HEAD", 4, 4, &why));
	assert_int_equal(why, PL_KEEP_MISSING);
	w = fopen(path, "wb");
	assert_non_null(w);
	assert_int_equal(fwrite("HEADrecords+tail", 1, 16, w), 16);
	assert_int_equal(fclose(w), 0);
	assert_null(pl_keepfile_reopen(path, "HEAX", 4, 11, &why));
	assert_int_equal(why, PL_KEEP_OTHER);                  /* another header */
	assert_null(pl_keepfile_reopen(path, "HEAD", 4, 17, &why));
	assert_int_equal(why, PL_KEEP_OTHER);                  /* shorter than asked */
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_null(pl_keepfile_reopen(path, "HEAD", 4, 11, &why));
	assert_int_equal(why, PL_KEEP_IN_USE);
	close(fd);
	f = pl_keepfile_reopen(path, "HEAD", 4, 11, &why);   /* the tail cut off */
	assert_non_null(f);
	assert_int_equal(ftello(f), 11);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 11);
	fd = open(path, O_RDONLY);                             /* locked while open */
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	close(fd);
	assert_int_equal(fwrite("!", 1, 1, f), 1);             /* appended in place */
	assert_int_equal(fclose(f), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keepfile__written_then_installed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keepfile__released_unfinished_leaves_the_old,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepfile__stale_temporaries_removed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keepfile__reopened_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepfile__no_directory_names_the_file,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

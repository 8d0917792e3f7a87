/*
 * tests/unit/test_report_writers.c - report/csv.c and report/xlsx.c on three
 * tables built by hand:
 *
 *   persons_district_sex  counts, a total column, one primary (true value
 *                         3, the only digit 3 in its files) and one
 *                         secondary suppression (8765), a row label with a
 *                         comma and quotes
 *   rate_district_year    rates with intervals: an unreliable cell, a cell
 *                         without a value, a missing upper bound, a
 *                         secondary suppression (987.654 in [955.125,
 *                         1019.875])
 *   equity_year           statistics with a count column (col_fmt), a row
 *                         label with a semicolon
 *
 * The CSV files are compared byte for byte in both flavours (BOM, separator,
 * decimal comma, CRLF, "..", quoting, empty fields); no byte of a suppressed
 * value reaches any file.  Failures are atomic: a directory where no file
 * can be created, a write that fails half way (RLIMIT_FSIZE) and a rename
 * that fails all give an error, leave no temporary file and leave the
 * previous files as they were.  Ids that are no file names are refused
 * before anything is created.  The workbook is checked through `unzip -p`
 * (skipped without unzip): sheet names, numbers as numbers, ".." as a
 * shared string, the frozen pane, grey unreliable cells, no suppressed
 * value; sheet names of long ids are cut and made unique.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/resource.h>

#include "report/report.h"
#include "unit.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int setup(void **state)
{
	umask(022);
	return unit_tmp_setup(state);
}

static int teardown(void **state) { return unit_tmp_teardown(state); }

/* ---- the tables ------------------------------------------------------------ */

static void set(struct rep_table *t, size_t r, size_t c, double v, double lo, double hi,
		double count, unsigned flags)
{
	struct rep_cell *cell = rep_cell_at(t, r, c);

	cell->value = v;
	cell->lower = lo;
	cell->upper = hi;
	cell->count = count;
	cell->flags = flags;
}

static void build(struct rep_tables *ts)
{
	struct rep_table *t;

	t = rep_tables_add(ts, "persons_district_sex", 2, 3);
	rep_table_text(t, "Personer efter k\xC3\xB6n", "Persons by sex", "Antal personer.",
		       "Number of persons.");
	t->fmt = REP_F_COUNT;
	rep_axis_set(&t->rows, 0, "ANGERED", "Angered", "Angered");
	rep_axis_set(&t->rows, 1, "NH", "Norra Hisingen, \"NH\"", "North Hisingen, \"NH\"");
	rep_axis_set(&t->cols, 0, "F", "Kvinnor", "Women");
	rep_axis_set(&t->cols, 1, "M", "M\xC3\xA4n", "Men");
	rep_axis_set(&t->cols, 2, "total", "Totalt", "Total");
	t->cols.total = 2;
	set(t, 0, 0, 10, NAN, NAN, 10, 0);
	set(t, 0, 1, 15, NAN, NAN, 15, 0);
	set(t, 0, 2, 25, NAN, NAN, 25, 0);
	set(t, 1, 0, 3, NAN, NAN, 3, REP_SUPP_PRIMARY);
	set(t, 1, 1, 8765, NAN, NAN, 8765, REP_SUPP_SECONDARY);
	set(t, 1, 2, 8768, NAN, NAN, 8768, 0);

	t = rep_tables_add(ts, "rate_district_year", 3, 2);
	rep_table_text(t, "Personer per 10 000", "Persons per 10,000", "Per 10 000 inv\xC3\xA5nare.",
		       "Per 10,000 inhabitants.");
	t->fmt = REP_F_RATE;
	t->has_interval = 1;
	rep_axis_set(&t->rows, 0, "ANGERED", "Angered", "Angered");
	rep_axis_set(&t->rows, 1, "MAJORNA_LINNE", "Majorna-Linn\xC3\xA9", "Majorna-Linn\xC3\xA9");
	rep_axis_set(&t->rows, 2, "total", "Hela staden", "Whole city");
	rep_axis_set(&t->cols, 0, "2023", "2023", "2023");
	rep_axis_set(&t->cols, 1, "2024", "2024", "2024");
	set(t, 0, 0, 12.56, 10.15, 15.17, 42, 0);
	set(t, 0, 1, 7.04, 5.51, NAN, 25, 0);               /* no upper bound */
	set(t, 1, 0, 0.97, 0.47, 1.86, 6, REP_UNRELIABLE);
	/* (1, 1) stays as rep_tables_add made it: NAN, REP_NO_VALUE */
	set(t, 2, 0, 1235.5, 1200.26, 1271.04, 1500, 0);
	set(t, 2, 1, 987.654, 955.125, 1019.875, 1200, REP_SUPP_SECONDARY | REP_UNRELIABLE);

	t = rep_tables_add(ts, "equity_year", 1, 3);
	rep_table_text(t, "J\xC3\xA4mlikhet", "Equity", "", "");
	t->fmt = REP_F_STAT;
	t->col_fmt = pl_xcalloc(3, sizeof(*t->col_fmt));
	t->col_fmt[0] = REP_F_STAT;
	t->col_fmt[1] = REP_F_COUNT;
	t->col_fmt[2] = REP_F_STAT;
	rep_axis_set(&t->rows, 0, "2023", "2023; prel.", "2023; prel.");
	rep_axis_set(&t->cols, 0, "chi2", "chi2", "chi2");
	rep_axis_set(&t->cols, 1, "df", "fg", "df");
	rep_axis_set(&t->cols, 2, "p", "p", "p");
	set(t, 0, 0, 12345.678, NAN, NAN, NAN, 0);
	set(t, 0, 1, 4, NAN, NAN, NAN, 0);
	set(t, 0, 2, 0.000123456, NAN, NAN, NAN, 0);
}

/* The expected files, with the row heading of strings.c spliced in. */
#define BOM "\xEF\xBB\xBF"
static const struct expect {
	const char *name;
	enum rep_lang lang;
	const char *body;   /* after the row heading */
} expected[] = {
	{ "persons_district_sex.csv", REP_EN,
	  ",Women,Men,Total\n"
	  "Angered,10,15,25\n"
	  "\"North Hisingen, \"\"NH\"\"\",..,..,8768\n" },
	{ "persons_district_sex-excel-sv.csv", REP_SV,
	  ";Kvinnor;M\xC3\xA4n;Totalt\r\n"
	  "Angered;10;15;25\r\n"
	  "\"Norra Hisingen, \"\"NH\"\"\";..;..;8768\r\n" },
	{ "rate_district_year.csv", REP_EN,
	  ",2023,2023 lower,2023 upper,2024,2024 lower,2024 upper\n"
	  "Angered,12.56,10.15,15.17,7.04,5.51,\n"
	  "Majorna-Linn\xC3\xA9,0.97,0.47,1.86,,,\n"
	  "Whole city,1235.5,1200.26,1271.04,..,..,..\n" },
	{ "rate_district_year-excel-sv.csv", REP_SV,
	  ";2023;2023 nedre;2023 \xC3\xB6vre;2024;2024 nedre;2024 \xC3\xB6vre\r\n"
	  "Angered;12,6;10,2;15,2;7,0;5,5;\r\n"
	  "Majorna-Linn\xC3\xA9;1,0;0,5;1,9;;;\r\n"
	  "Hela staden;1235,5;1200,3;1271,0;..;..;..\r\n" },
	{ "equity_year.csv", REP_EN,
	  ",chi2,df,p\n"
	  "2023; prel.,12345.678,4,0.000123456\n" },
	{ "equity_year-excel-sv.csv", REP_SV,
	  ";chi2;fg;p\r\n"
	  "\"2023; prel.\";12346;4;0,000123\r\n" },
};
#define ALL_FILES "equity_year-excel-sv.csv equity_year.csv persons_district_sex-excel-sv.csv " \
	"persons_district_sex.csv rate_district_year-excel-sv.csv rate_district_year.csv"

/* The whole expected file i. */
static char *expected_file(size_t i)
{
	const char *head = rep_str(expected[i].lang, "col_row");
	int sv = expected[i].lang == REP_SV;
	size_t n = strlen(head) + strlen(expected[i].body) + 4;
	char *s = malloc(n);

	assert_non_null(s);
	/* the expectations assume a heading that needs no quotes */
	assert_null(strpbrk(head, ",;\"\r\n"));
	assert_string_not_equal(head, "col_row");
	snprintf(s, n, "%s%s%s", sv ? BOM : "", head, expected[i].body);
	return s;
}

/* ---- helpers ---------------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir (with dot files), sorted, space-separated, into out. */
static const char *list_dir(const char *dir, char *out, size_t size)
{
	char *names[64];
	size_t n = 0, o = 0;
	struct dirent *de;
	DIR *dp = opendir(dir);

	assert_non_null(dp);
	while ((de = readdir(dp)) != NULL && n < N_OF(names))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			names[n++] = strdup(de->d_name);
	closedir(dp);
	qsort(names, n, sizeof(names[0]), by_name);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%s", i ? " " : "", names[i]);
		free(names[i]);
	}
	return out;
}

static char *read_in(const char *dir, const char *name, size_t *len)
{
	char path[640];
	char *s;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	s = unit_read(path, len);
	if (!s)
		fail_msg("cannot read %s", path);
	return s;
}

static void write_in(const char *dir, const char *name, const char *text)
{
	char path[640];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(unit_write_str(path, text), 0);
}

/* "old <name>\n" as each file of the CSV output, and report.xlsx. */
static void previous_files(const char *dir)
{
	char text[128];

	for (size_t i = 0; i < N_OF(expected); i++) {
		snprintf(text, sizeof(text), "old %s\n", expected[i].name);
		write_in(dir, expected[i].name, text);
	}
	write_in(dir, "report.xlsx", "old report.xlsx\n");
}

static void assert_previous_files(const char *dir)
{
	char text[128], *got;

	for (size_t i = 0; i < N_OF(expected); i++) {
		snprintf(text, sizeof(text), "old %s\n", expected[i].name);
		got = read_in(dir, expected[i].name, NULL);
		assert_string_equal(got, text);
		free(got);
	}
	got = read_in(dir, "report.xlsx", NULL);
	assert_string_equal(got, "old report.xlsx\n");
	free(got);
}

/* Makes creating files in dir fail: chmod 0555 where that is enough, else
 * (root) a descriptor limit that makes every open() fail with EMFILE.
 * Under valgrind (make check-valgrind) the limit cannot stand for a
 * directory that refuses files: valgrind enforces RLIMIT_NOFILE itself,
 * after the kernel's open() has created the file, so mkstemp() fails with a
 * file left behind that no program could have removed; the test is skipped
 * there (before it allocates anything).  Call it before anything the test
 * must free. */
/* 1 when the test runs under valgrind (its preload is in LD_PRELOAD). */
static int under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p && strstr(p, "vgpreload") != NULL;
}

struct blocked {
	const char *dir;
	int by_limit;
	struct rlimit saved;
};

static void block_creation(const char *dir, struct blocked *b)
{
	char probe[512];
	int fd;

	b->dir = dir;
	b->by_limit = 0;
	assert_int_equal(chmod(dir, 0555), 0);
	snprintf(probe, sizeof(probe), "%s/.probe", dir);
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return;
	close(fd);
	assert_int_equal(unlink(probe), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	if (under_valgrind())
		skip();
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &b->saved), 0);
	{
		struct rlimit lim = b->saved;

		lim.rlim_cur = (rlim_t)fd;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	}
	b->by_limit = 1;
}

static void unblock_creation(struct blocked *b)
{
	if (b->by_limit)
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &b->saved), 0);
	else
		assert_int_equal(chmod(b->dir, 0755), 0);
}

/* Runs cmd and returns its stdout (malloc'd), or NULL if it failed. */
static char *run_out(const char *cmd)
{
	FILE *fp = popen(cmd, "r");
	char *buf = NULL;
	size_t len = 0, n;

	if (!fp)
		return NULL;
	do {
		char *p = realloc(buf, len + 4096 + 1);

		assert_non_null(p);
		buf = p;
		n = fread(buf + len, 1, 4096, fp);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	if (pclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The member of the zip at path, or NULL. */
static char *zip_member(const char *path, const char *member)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "unzip -p '%s' '%s' 2>/dev/null", path, member);
	return run_out(cmd);
}

static int have_unzip(void)
{
	return system("command -v unzip >/dev/null 2>&1") == 0;
}

/* The element <c r="ref" ...>...</c> of sheet XML (malloc'd), or NULL. */
static char *cell_xml(const char *xml, const char *ref)
{
	char pat[32];
	const char *p, *end;

	snprintf(pat, sizeof(pat), "<c r=\"%s\"", ref);
	p = strstr(xml, pat);
	if (!p)
		return NULL;
	end = strchr(p, '>');
	assert_non_null(end);
	if (end[-1] != '/') {
		end = strstr(p, "</c>");
		assert_non_null(end);
		end += 3;
	}
	return strndup(p, (size_t)(end + 1 - p));
}

/* The style index of cell ref, -1 if there is no such cell. */
static long style_of(const char *xml, const char *ref)
{
	char *c = cell_xml(xml, ref);
	const char *s;
	long n;

	if (!c)
		return -1;
	s = strstr(c, " s=\"");
	n = s && s < strchr(c, '>') ? strtol(s + 4, NULL, 10) : 0;
	free(c);
	return n;
}

/* 1 if sheet XML has a number cell (no t attribute) of value v. */
static int has_number(const char *xml, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = strstr(xml, "<c "); p; p = strstr(p + 1, "<c ")) {
		const char *gt = strchr(p, '>');
		int typed = 0;

		if (!gt)
			break;
		for (const char *q = p; q < gt; q++)
			typed |= strncmp(q, " t=\"", 4) == 0;
		if (!typed && strncmp(gt + 1, "<v>", 3) == 0 && strncmp(gt + 4, v, n) == 0 &&
		    strncmp(gt + 4 + n, "</v>", 4) == 0)
			return 1;
	}
	return 0;
}

/* The index of shared string text in sharedStrings.xml, -1 if none. */
static long sst_index(const char *sst, const char *text)
{
	char pat[256];
	const char *at, *p = sst;
	long i = 0;

	snprintf(pat, sizeof(pat), "<si><t>%s</t></si>", text);
	at = strstr(sst, pat);
	if (!at)
		return -1;
	while ((p = strstr(p, "<si>")) != NULL && p < at) {
		i++;
		p++;
	}
	return i;
}

/* 1 if cell ref of sheet XML is the shared string of index idx. */
static int is_shared(const char *xml, const char *ref, long idx)
{
	char *c = cell_xml(xml, ref), want[48];
	int ok;

	if (!c)
		return 0;
	snprintf(want, sizeof(want), "t=\"s\"><v>%ld</v>", idx);
	ok = strstr(c, want) != NULL;
	free(c);
	return ok;
}

/* ---- CSV ------------------------------------------------------------------- */

static void test_csv__exact_bytes(void **state)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct pl_diag d;
	char dir[512], list[2048];

	build(&ts);
	unit_path(state, "out/tables", dir, sizeof(dir)); /* neither exists yet */
	pl_diag_clear(&d);
	assert_int_equal(rep_write_csv(&ts, dir, &d), PL_OK);
	assert_string_equal(list_dir(dir, list, sizeof(list)), ALL_FILES);
	for (size_t i = 0; i < N_OF(expected); i++) {
		char *want = expected_file(i), *got = read_in(dir, expected[i].name, NULL);
		char path[640];
		struct stat st;

		assert_string_equal(got, want);
		snprintf(path, sizeof(path), "%s/%s", dir, expected[i].name);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0644);
		free(want);
		free(got);
	}
	/* a second run replaces the files with the same bytes */
	assert_int_equal(rep_write_csv(&ts, dir, &d), PL_OK);
	assert_string_equal(list_dir(dir, list, sizeof(list)), ALL_FILES);
	rep_tables_release(&ts);
}

/* Regression guard: a suppressed cell's value or interval in any byte. */
static void test_csv__no_suppressed_value(void **state)
{
	static const char *const secret[] = { "8765", "987", "955", "1019" };
	struct rep_tables ts = { NULL, 0, 0 };
	struct pl_diag d;
	char dir[512];

	build(&ts);
	unit_path(state, "tables", dir, sizeof(dir));
	assert_int_equal(rep_write_csv(&ts, dir, &d), PL_OK);
	for (size_t i = 0; i < N_OF(expected); i++) {
		size_t len;
		char *got = read_in(dir, expected[i].name, &len);

		for (size_t k = 0; k < N_OF(secret); k++)
			if (strstr(got, secret[k]))
				fail_msg("%s holds the suppressed %s", expected[i].name, secret[k]);
		/* the primary's true value 3 is the only 3 of its table */
		if (strncmp(expected[i].name, "persons_district_sex", 20) == 0 &&
		    memchr(got, '3', len))
			fail_msg("%s holds a 3", expected[i].name);
		free(got);
	}
	rep_tables_release(&ts);
}

static void test_csv__bad_ids_refused(void **state)
{
	static const char *const bad[] = { "", "Persons", "a-b", "../x", "a/b", "a b", "x.csv",
					   "dup" };
	struct pl_diag d;
	char dir[512], list[2048];

	unit_path(state, "tables", dir, sizeof(dir));
	for (size_t i = 0; i <= N_OF(bad); i++) {
		struct rep_tables ts = { NULL, 0, 0 };

		build(&ts);
		if (i < N_OF(bad))
			rep_tables_add(&ts, bad[i], 1, 1);
		else /* 48 characters: no NUL in id[48] */
			memset(rep_tables_add(&ts, "x", 1, 1)->id, 'a', 48);
		if (i < N_OF(bad) && strcmp(bad[i], "dup") == 0)
			rep_tables_add(&ts, "dup", 1, 1);
		pl_diag_clear(&d);
		assert_int_equal(rep_write_csv(&ts, dir, &d), PL_ESOFTWARE);
		assert_true(d.msg[0] != '\0');
		pl_diag_clear(&d);
		assert_int_equal(rep_write_xlsx(&ts, dir, &d), PL_ESOFTWARE);
		rep_tables_release(&ts);
		/* nothing made, not even the directory */
		assert_int_equal(access(dir, F_OK), -1);
	}
	assert_string_equal(list_dir(((struct unit_tmp *)*state)->dir, list, sizeof(list)), "");
}

static void test_csv__cannot_create_keeps_previous(void **state)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct blocked blk;
	struct pl_diag d;
	enum pl_err err;
	char dir[512], list[2048], before[2048];

	unit_path(state, "tables", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
	previous_files(dir);
	list_dir(dir, before, sizeof(before));
	block_creation(dir, &blk);
	build(&ts);
	pl_diag_clear(&d);
	err = rep_write_csv(&ts, dir, &d);
	unblock_creation(&blk);
	assert_int_equal(err, PL_ECANTCREAT);
	assert_non_null(strstr(d.msg, "temporary"));
	assert_string_equal(list_dir(dir, list, sizeof(list)), before);
	assert_previous_files(dir);
	rep_tables_release(&ts);
}

/* A write that fails on the third file: the first two were written to
 * temporary files, none is renamed, all are removed. */
static void test_csv__write_error_keeps_previous(void **state)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct rlimit saved, lim;
	struct pl_diag d;
	enum pl_err err;
	size_t len0, len1, len2;
	char dir[512], list[2048], before[2048], *f;
	void (*old)(int);

	build(&ts);
	f = expected_file(0); len0 = strlen(f); free(f);
	f = expected_file(1); len1 = strlen(f); free(f);
	f = expected_file(2); len2 = strlen(f); free(f);
	assert_true(len2 > len0 && len2 > len1);
	unit_path(state, "tables", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
	previous_files(dir);
	list_dir(dir, before, sizeof(before));

	old = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	lim = saved;
	lim.rlim_cur = (rlim_t)(len0 > len1 ? len0 : len1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	pl_diag_clear(&d);
	err = rep_write_csv(&ts, dir, &d);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, old);

	assert_int_equal(err, PL_EIO);
	assert_non_null(strstr(d.file, "rate_district_year.csv"));
	assert_string_equal(list_dir(dir, list, sizeof(list)), before);
	assert_previous_files(dir);
	rep_tables_release(&ts);
}

/* The first rename fails (a directory has the name): nothing is replaced. */
static void test_csv__rename_error_keeps_previous(void **state)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct pl_diag d;
	char dir[512], sub[600], list[2048], before[2048];

	build(&ts);
	unit_path(state, "tables", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
	previous_files(dir);
	snprintf(sub, sizeof(sub), "%s/persons_district_sex.csv", dir);
	assert_int_equal(unlink(sub), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/persons_district_sex.csv/x", dir);
	assert_int_equal(unit_write_str(sub, "x"), 0);
	list_dir(dir, before, sizeof(before));
	pl_diag_clear(&d);
	assert_int_equal(rep_write_csv(&ts, dir, &d), PL_ECANTCREAT);
	assert_non_null(strstr(d.file, "persons_district_sex.csv"));
	assert_string_equal(list_dir(dir, list, sizeof(list)), before);
	for (size_t i = 1; i < N_OF(expected); i++) {
		char text[128], *got = read_in(dir, expected[i].name, NULL);

		snprintf(text, sizeof(text), "old %s\n", expected[i].name);
		assert_string_equal(got, text);
		free(got);
	}
	rep_tables_release(&ts);
}

static void test_csv__no_directory(void **state)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct pl_diag d;
	char file[512], dir[600];

	build(&ts);
	unit_path(state, "file", file, sizeof(file));
	assert_int_equal(unit_write_str(file, "x"), 0);
	snprintf(dir, sizeof(dir), "%s/tables", file);
	pl_diag_clear(&d);
	assert_int_equal(rep_write_csv(&ts, dir, &d), PL_ECANTCREAT);
	assert_int_equal(rep_write_csv(&ts, file, &d), PL_ECANTCREAT);
	rep_tables_release(&ts);
}

/* ---- workbook -------------------------------------------------------------- */

static void test_xlsx__contents(void **state)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct pl_diag d;
	char path[512], list[2048];
	static const char *const rate_dots[] = { "E5", "F5", "G5" };
	char *wbx, *s1, *s2, *s3, *s4, *sst, *sty, *head;
	long grey, plain, dots;

	build(&ts);
	unit_path(state, "report.xlsx", path, sizeof(path));
	pl_diag_clear(&d);
	assert_int_equal(rep_write_xlsx(&ts, path, &d), PL_OK);
	assert_string_equal(list_dir(((struct unit_tmp *)*state)->dir, list, sizeof(list)),
			    "report.xlsx");
	head = unit_read(path, NULL);
	assert_non_null(head);
	assert_memory_equal(head, "PK\x03\x04", 4);
	free(head);
	if (!have_unzip()) {
		rep_tables_release(&ts);
		skip();
	}
	wbx = zip_member(path, "xl/workbook.xml");
	s1 = zip_member(path, "xl/worksheets/sheet1.xml");
	s2 = zip_member(path, "xl/worksheets/sheet2.xml");
	s3 = zip_member(path, "xl/worksheets/sheet3.xml");
	s4 = zip_member(path, "xl/worksheets/sheet4.xml");
	sst = zip_member(path, "xl/sharedStrings.xml");
	sty = zip_member(path, "xl/styles.xml");
	assert_non_null(wbx); assert_non_null(s1); assert_non_null(s2); assert_non_null(s3);
	assert_non_null(s4); assert_non_null(sst); assert_non_null(sty);
	assert_null(zip_member(path, "xl/worksheets/sheet5.xml"));

	/* sheets in order, definitions last */
	assert_non_null(strstr(wbx, "<sheet name=\"persons_district_sex\" sheetId=\"1\""));
	assert_non_null(strstr(wbx, "<sheet name=\"rate_district_year\" sheetId=\"2\""));
	assert_non_null(strstr(wbx, "<sheet name=\"equity_year\" sheetId=\"3\""));
	assert_non_null(strstr(wbx, "<sheet name=\"definitions\" sheetId=\"4\""));
	/* frozen below the header (title, header) and right of the labels */
	assert_non_null(strstr(s1, "<pane xSplit=\"1\" ySplit=\"2\" topLeftCell=\"B3\""));
	assert_non_null(strstr(s1, "state=\"frozen\""));
	assert_non_null(strstr(s2, "state=\"frozen\""));
	assert_non_null(strstr(s4, "<pane ySplit=\"1\" topLeftCell=\"A2\""));
	/* numbers as numbers, the suppressed as the shared string ".." */
	dots = sst_index(sst, "..");
	assert_true(dots >= 0);
	assert_true(has_number(s1, "10"));
	assert_true(has_number(s1, "8768"));
	assert_true(has_number(s2, "1235.5"));
	assert_true(has_number(s2, "12.56"));
	assert_true(has_number(s2, "10.15"));
	assert_true(has_number(s3, "12345.678"));
	assert_true(has_number(s3, "0.000123456"));
	assert_true(is_shared(s1, "B4", dots)); /* the primary */
	assert_true(is_shared(s1, "C4", dots)); /* the secondary */
	for (size_t i = 0; i < N_OF(rate_dots); i++)
		assert_true(is_shared(s2, rate_dots[i], dots));
	assert_false(has_number(s1, "3"));
	assert_false(has_number(s1, "8765"));
	assert_null(strstr(s2, "987"));
	assert_null(strstr(s2, "955"));
	assert_null(strstr(s2, "1019"));
	assert_null(strstr(sst, "8765"));
	assert_null(strstr(sst, "987"));
	/* a suppressed cell is never grey, even when flagged unreliable */
	assert_int_equal(style_of(s1, "B4"), style_of(s2, "E5"));
	/* the cell without a value and the missing bound are not written */
	assert_null(strstr(s2, "<c r=\"E4\""));
	assert_null(strstr(s2, "<c r=\"G3\""));
	assert_non_null(strstr(s2, "<c r=\"F3\""));
	/* unreliable: grey font; the number formats of the table's fmt */
	grey = style_of(s2, "B4");
	plain = style_of(s2, "B3");
	assert_true(grey > 0 && plain > 0 && grey != plain);
	assert_non_null(strstr(sty, "<color rgb=\"FF808080\"/>"));
	assert_non_null(strstr(sty, "formatCode=\"#,##0.0\""));
	assert_non_null(strstr(sty, "formatCode=\"#,##0\""));
	/* titles and labels in Swedish, both titles in the definitions */
	assert_non_null(strstr(sst, "<t>Personer efter k\xC3\xB6n</t>"));
	assert_non_null(strstr(sst, "<t>Persons by sex</t>"));
	assert_non_null(strstr(sst, "<t>2023 \xC3\xB6vre</t>"));
	assert_non_null(strstr(sst, "<t>Norra Hisingen, &quot;NH&quot;</t>") ||
			strstr(sst, "<t>Norra Hisingen, \"NH\"</t>"));
	assert_non_null(strstr(sst, "<t>Antal personer.</t>"));

	free(wbx); free(s1); free(s2); free(s3); free(s4); free(sst); free(sty);
	rep_tables_release(&ts);
}

static void test_xlsx__long_ids_unique_sheets(void **state)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct pl_diag d;
	char path[512], *wbx;

	rep_tables_add(&ts, "a_table_with_a_very_long_id_number_1", 1, 1);
	rep_tables_add(&ts, "a_table_with_a_very_long_id_number_2", 1, 1);
	rep_tables_add(&ts, "definitions", 1, 1);
	unit_path(state, "report.xlsx", path, sizeof(path));
	pl_diag_clear(&d);
	assert_int_equal(rep_write_xlsx(&ts, path, &d), PL_OK);
	rep_tables_release(&ts);
	if (!have_unzip())
		skip();
	wbx = zip_member(path, "xl/workbook.xml");
	assert_non_null(wbx);
	assert_non_null(strstr(wbx, "<sheet name=\"a_table_with_a_very_long_id_num\" sheetId=\"1\""));
	assert_non_null(strstr(wbx, "<sheet name=\"a_table_with_a_very_long_id_n~2\" sheetId=\"2\""));
	assert_non_null(strstr(wbx, "<sheet name=\"definitions~2\" sheetId=\"3\""));
	assert_non_null(strstr(wbx, "<sheet name=\"definitions\" sheetId=\"4\""));
	free(wbx);
}

static void test_xlsx__cannot_create_keeps_previous(void **state)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct blocked blk;
	struct pl_diag d;
	enum pl_err err;
	char dir[512], path[600], list[2048], before[2048];

	unit_path(state, "out", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
	previous_files(dir);
	list_dir(dir, before, sizeof(before));
	snprintf(path, sizeof(path), "%s/report.xlsx", dir);
	block_creation(dir, &blk);
	build(&ts);
	pl_diag_clear(&d);
	err = rep_write_xlsx(&ts, path, &d);
	unblock_creation(&blk);
	assert_int_equal(err, PL_ECANTCREAT);
	assert_string_equal(d.file, path);
	assert_string_equal(list_dir(dir, list, sizeof(list)), before);
	assert_previous_files(dir);

	/* a directory that does not exist */
	snprintf(path, sizeof(path), "%s/missing/report.xlsx", dir);
	assert_int_equal(rep_write_xlsx(&ts, path, &d), PL_ECANTCREAT);
	assert_string_equal(list_dir(dir, list, sizeof(list)), before);
	rep_tables_release(&ts);
}

static void test_xlsx__write_error_keeps_previous(void **state)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct rlimit saved, lim;
	struct pl_diag d;
	enum pl_err err;
	char dir[512], path[600], list[2048], before[2048];
	void (*old)(int);

	build(&ts);
	unit_path(state, "out", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
	previous_files(dir);
	list_dir(dir, before, sizeof(before));
	snprintf(path, sizeof(path), "%s/report.xlsx", dir);

	old = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	lim = saved;
	lim.rlim_cur = 1000; /* the workbook is several kB */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	pl_diag_clear(&d);
	err = rep_write_xlsx(&ts, path, &d);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, old);

	assert_true(err == PL_EIO || err == PL_ECANTCREAT);
	assert_string_equal(d.file, path);
	assert_string_equal(list_dir(dir, list, sizeof(list)), before);
	assert_previous_files(dir);
	rep_tables_release(&ts);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_csv__exact_bytes),
		T(test_csv__no_suppressed_value),
		T(test_csv__bad_ids_refused),
		T(test_csv__cannot_create_keeps_previous),
		T(test_csv__write_error_keeps_previous),
		T(test_csv__rename_error_keeps_previous),
		T(test_csv__no_directory),
		T(test_xlsx__contents),
		T(test_xlsx__long_ids_unique_sheets),
		T(test_xlsx__cannot_create_keeps_previous),
		T(test_xlsx__write_error_keeps_previous),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}

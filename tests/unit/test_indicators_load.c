/*
 * tests/unit/test_indicators_load.c - the indicators stage's load: the
 * grouping of records by person (ind_group: persons at the buckets' edges
 * and outside the expected keys, a person of many blocks, a crowded bucket
 * read in passes, one bucket, no records, a block file cut short) and ind_data_load on a small linked
 * database (persons in key order, episodes in (file_id, line) order, codes
 * as indexes, episodes without a person); and a night's changes
 * (ind_changes_read: dedup's moves and map's changes in place, each taken
 * out as the load wrote it).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <unistd.h>

#include "db.h"
#include "indicators/indicators.h"
#include "schema.h"
#include "unit.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int setup(void **state) { return unit_tmp_setup(state); }
static int teardown(void **state) { return unit_tmp_teardown(state); }

/* ---- ind_group ------------------------------------------------------------- */

/* Adds keys[0..n) (record i: start day i, birth year i % 7) to a grouping
 * sized for max_key and bucket_recs. */
static void group_keys(void **state, struct ind_group *g, int64_t max_key, size_t bucket_recs,
		       const int64_t *keys, size_t n)
{
	struct pl_diag d;
	char dir[512];

	unit_path(state, ".", dir, sizeof(dir));
	assert_int_equal(ind_group_init(g, dir, max_key, n, bucket_recs, 0, &d), PL_OK);
	for (size_t i = 0; i < n; i++) {
		struct ind_load_rec r;

		memset(&r, 0, sizeof(r));
		r.person_key = keys[i];
		r.birth_year = (int32_t)(i % 7);
		r.ep.start = (int32_t)i;
		assert_int_equal(ind_group_add(g, &r, &d), PL_OK);
	}
}

static const int64_t *sort_keys;

static int by_key_then_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (sort_keys[x] != sort_keys[y])
		return sort_keys[x] < sort_keys[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Reads g back: persons in increasing key order, each with every record of
 * its key, in the order added (record i: keys[i]). */
static void check_groups(struct ind_group *g, const int64_t *keys, size_t n)
{
	size_t *order = pl_xmalloc((n + 1) * sizeof(*order)), at = 0, m;
	struct ind_load_rec *recs;
	struct pl_diag d;
	int rc;

	for (size_t i = 0; i < n; i++)
		order[i] = i;
	sort_keys = keys;
	if (n)
		qsort(order, n, sizeof(*order), by_key_then_index);
	while ((rc = ind_group_next(g, &recs, &m, &d)) == 1) {
		assert_true(m > 0);
		assert_true(at == 0 || keys[order[at - 1]] < recs[0].person_key);
		for (size_t j = 0; j < m; j++, at++) {
			assert_true(at < n);
			assert_int_equal(recs[j].person_key, keys[order[at]]);
			assert_int_equal(recs[j].ep.start, (int32_t)order[at]);
			assert_int_equal(recs[j].birth_year, (int32_t)(order[at] % 7));
		}
		assert_true(at == n || keys[order[at]] != recs[0].person_key);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(at, n);
	assert_int_equal(ind_group_next(g, &recs, &m, &d), 0);
	free(order);
}

/* Keys 1..12 in 6 buckets of 2 keys, each bucket's first and last key, in
 * reverse order and again; keys below 1 and above 12 go to the first and
 * last bucket and still come out in order. */
static void test_group__persons_at_bucket_edges(void **state)
{
	static const int64_t keys[] = { 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -3, 13, 100,
					 1, 12, 6, 7, 2, 3, 100, -3, 13, 0, 5 };
	struct ind_group g;

	group_keys(state, &g, 12, 5, keys, N_OF(keys));
	assert_int_equal(g.width, 2);
	assert_int_equal(g.n_b, 6);
	check_groups(&g, keys, N_OF(keys));
	ind_group_release(&g);
}

/* Keys from a fixed pseudo-random sequence, plus person 500 with two
 * thousand episodes: its bucket spans many blocks, the others one block
 * and the block in memory. */
static void test_group__many_buckets_and_a_person_of_many_blocks(void **state)
{
	enum { N = 60000, MAX_KEY = 20000 };
	int64_t *keys = pl_xmalloc(N * sizeof(*keys));
	uint32_t x = 12345;
	struct ind_group g;

	for (size_t i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		keys[i] = i % 30 == 0 ? 500 : 1 + (int64_t)((x >> 8) % MAX_KEY);
	}
	group_keys(state, &g, MAX_KEY, 100, keys, N);
	assert_true(g.n_b > 500);
	assert_true(g.b[500 / g.width].n_blocks >= 10);
	check_groups(&g, keys, N);
	ind_group_release(&g);
	free(keys);
}

/* Regression guard (keys kept across dedup runs leave gaps): 3,000
 * records crowd the first bucket's keys while the others are nearly
 * empty; that bucket is read in passes over its sub-ranges, none holding
 * more than twice the bucket size, and keys outside 1..max_key (in the
 * first and last sub-range) come out in order all the same. */
static void test_group__crowded_bucket_read_in_passes(void **state)
{
	enum { N = 3100, MAX_KEY = 100000 };
	int64_t keys[N];
	struct ind_group g;

	for (size_t i = 0; i < N; i++)
		keys[i] = i < 3000 ? 1 + (int64_t)((i * 7919) % 1500) : 2000 + (int64_t)i * 31;
	keys[10] = 0;
	keys[20] = -1;
	keys[3050] = 2 * MAX_KEY;
	keys[3060] = 2 * MAX_KEY;
	group_keys(state, &g, MAX_KEY, 50, keys, N);
	assert_int_equal(g.width, 1588);
	assert_true(g.b[0].n > 2 * g.limit);
	check_groups(&g, keys, N);
	assert_true(g.cap_recs <= g.limit);
	ind_group_release(&g);
}

/* The default bucket size takes a small set in one bucket, all in memory. */
static void test_group__one_bucket(void **state)
{
	static const int64_t keys[] = { 3, 1, 2, 3, 3, 1, 7 };
	struct ind_group g;

	group_keys(state, &g, 7, 0, keys, N_OF(keys));
	assert_int_equal(g.n_b, 1);
	check_groups(&g, keys, N_OF(keys));
	ind_group_release(&g);
}

/* No records, no persons (and no person table: max_key 0). */
static void test_group__empty(void **state)
{
	struct ind_group g;

	group_keys(state, &g, 0, 0, NULL, 0);
	check_groups(&g, NULL, 0);
	ind_group_release(&g);
}

/* Regression guard: a block file cut short (disk trouble under the stage)
 * is an I/O error, not persons missing episodes. */
static void test_group__short_block_file_is_an_io_error(void **state)
{
	enum { N = 5000 };
	int64_t keys[N];
	struct ind_load_rec *recs;
	struct ind_group g;
	struct pl_diag d;
	size_t m;

	for (size_t i = 0; i < N; i++)
		keys[i] = 1;
	group_keys(state, &g, 1000, 10, keys, N);
	assert_true(g.b[0].n_blocks > 0);
	assert_int_equal(fflush(g.f), 0);
	assert_int_equal(ftruncate(fileno(g.f), 100), 0);
	pl_diag_clear(&d);
	assert_int_equal(ind_group_next(&g, &recs, &m, &d), -1);
	assert_int_equal(d.err, PL_EIO);
	assert_string_equal(d.msg, "cannot read a temporary file: Input/output error");
	ind_group_release(&g);
}

/* ---- ind_data_load ----------------------------------------------------------- */

/* Six episodes in two files of three persons, keys not in (file_id, line)
 * order; the start date's day of month numbers the episode. */
static const char linked_sql[] =
	"INSERT INTO input_file (file_id, name, size, mtime_ns, status, ingested_at) VALUES "
	"  (1, 'a.csv', 1, 1, 'ok', 'now'), (2, 'b.csv', 1, 1, 'ok', 'now');"
	"INSERT INTO episode (file_id, line, district, id_type, birth_year, sex, intervention, "
	"  provider, substance, start_date, end_date, cost_sek, children) VALUES "
	"  (1, 2, 'LUNDBY', 'PNR', 1980, 'F', 'OPEN', NULL, 'ALC', '2021-01-01', NULL, 10, 'U'),"
	"  (1, 3, 'ANGERED', 'NONE', NULL, 'M', 'INST', 'NGO', 'DRUG', '2022-01-02', "
	"   '2022-02-01', -5, 'Y'),"
	"  (1, 4, 'NORRA_HISINGEN', 'PNR', 1981, 'M', 'LVM', 'PRIV', 'MIX', '2023-01-03', "
	"   NULL, NULL, 'N'),"
	"  (2, 2, 'ELSEWHERE', 'SAMNR', 1990, 'U', 'OTHER', 'MUNI', 'UNK', '2020-01-04', "
	"   '2024-06-30', 1.5, 'U'),"
	"  (2, 5, 'OSTRA', 'RESERV', 1975, 'F', 'HOUSE', 'XX', 'GAMB', '2024-01-05', NULL, "
	"   0, 'N'),"
	"  (2, 7, 'LUNDBY', 'PNR', 1981, 'M', 'OPEN', NULL, 'ALC', '2022-01-06', NULL, 7, 'U');"
	"INSERT INTO person (person_key, person_id, basis, n_episodes, n_districts) VALUES "
	"  (1, 'a', 'PNR', 2, 2), (2, 'b', 'SINGLE', 1, 1), (3, 'c', 'PNR', 3, 2);"
	"INSERT INTO episode_person (file_id, line, person_key, step) VALUES "
	"  (1, 2, 3, 'deterministic'), (1, 3, 1, 'deterministic'), "
	"  (1, 4, 3, 'deterministic'), (2, 2, 2, 'unlinked'), (2, 5, 1, 'deterministic'), "
	"  (2, 7, 3, 'deterministic');";

static sqlite3 *open_linked(void **state, const char *more_sql)
{
	struct pl_diag d;
	sqlite3 *db = NULL;
	char path[512];

	unit_path(state, "pipeline.db", path, sizeof(path));
	assert_int_equal(pl_db_open(path, &db, &d), PL_OK);
	assert_int_equal(pl_db_exec(db, linked_sql, &d), PL_OK);
	if (more_sql)
		assert_int_equal(pl_db_exec(db, more_sql, &d), PL_OK);
	return db;
}

static int code_of(enum pl_codelist list, const char *code)
{
	const char *const *c = pl_codes(list);
	int i;

	for (i = 0; c[i]; i++)
		if (code && strcmp(c[i], code) == 0)
			return i;
	return i;     /* MISSING */
}

struct want_ep {
	int mday;                     /* of the start date: the episode */
	const char *code[IND_N_CODE_DIMS]; /* sex: the person's */
	double cost;
};

static const enum pl_codelist lists[IND_N_CODE_DIMS] = {
	PL_CL_DISTRICT, PL_CL_SEX, PL_CL_INTERVENTION, PL_CL_PROVIDER, PL_CL_SUBSTANCE,
	PL_CL_CHILDREN, PL_CL_ID_TYPE,
};

static void check_episode(const struct ind_episode *e, const struct want_ep *w)
{
	char iso[16];

	ind_day_iso(e->start, iso);
	assert_int_equal(atoi(iso + 8), w->mday);
	for (int k = 0; k < IND_N_CODE_DIMS; k++)
		assert_int_equal(e->code[k], code_of(lists[k], w->code[k]));
	assert_true(e->cost == w->cost);
}

/* Persons 1, 2, 3 in key order, each with its episodes in (file_id, line)
 * order; codes not in the lists (ELSEWHERE, XX) and NULL are MISSING, a
 * negative or NULL cost -1; sex and birth year are the person's. */
static void test_load__persons_in_key_order(void **state)
{
	static const struct want_ep want[] = {
		{ 2, { "ANGERED", "U", "INST", "NGO", "DRUG", "Y", "NONE" }, -1 },
		{ 5, { "OSTRA", "U", "HOUSE", NULL, "GAMB", "N", "RESERV" }, 0 },
		{ 4, { NULL, "U", "OTHER", "MUNI", "UNK", "U", "SAMNR" }, 1.5 },
		{ 1, { "LUNDBY", "M", "OPEN", NULL, "ALC", "U", "PNR" }, 10 },
		{ 3, { "NORRA_HISINGEN", "M", "LVM", "PRIV", "MIX", "N", "PNR" }, -1 },
		{ 6, { "LUNDBY", "M", "OPEN", NULL, "ALC", "U", "PNR" }, 7 },
	};
	static const size_t n_eps[] = { 2, 1, 3 };
	static const int years[] = { 1975, 1990, 1981 };
	sqlite3 *db = open_linked(state, NULL);
	struct ind_data data;
	struct ind_cursor c;
	struct ind_person p;
	const struct ind_episode *eps;
	struct pl_diag d;
	size_t k = 0;
	char iso[16];

	assert_int_equal(ind_data_load(db, &data, &d), PL_OK);
	assert_int_equal(data.n_p, 3);
	assert_int_equal(data.n_ep, 6);
	assert_int_equal(data.first_year, 2020);
	assert_int_equal(data.last_year, 2024);
	ind_day_iso(data.as_of, iso);
	assert_string_equal(iso, "2024-06-30");
	assert_int_equal(ind_cursor_open(&c, &data, &d), PL_OK);
	for (size_t i = 0; i < N_OF(n_eps); i++) {
		assert_int_equal(ind_cursor_next(&c, &p, &eps, &d), 1);
		assert_int_equal(p.n, n_eps[i]);
		assert_int_equal(p.birth_year, years[i]);
		for (size_t j = 0; j < p.n; j++)
			check_episode(&eps[j], &want[k++]);
	}
	assert_int_equal(ind_cursor_next(&c, &p, &eps, &d), 0);
	ind_cursor_close(&c);
	ind_data_release(&data);
	pl_db_close(db);
}

/* Data errors: episodes without a person are counted in the error, which
 * comes before a bad date read earlier (the check ran before the load
 * once); a bad date of a linked episode is an error of its own. */
static void test_load__data_errors(void **state)
{
	static const struct {
		const char *sql, *msg;
	} cases[] = {
		{ "DELETE FROM episode_person WHERE file_id = 2;"
		  "UPDATE episode SET start_date = 'x' WHERE line = 3;",
		  "3 of 6 episodes have no person: run dedup first" },
		{ "UPDATE episode SET end_date = '2000-01-01' WHERE file_id = 2 AND line = 5;",
		  "an episode's end date is not a date after its start: run map again" },
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		sqlite3 *db = open_linked(state, cases[i].sql);
		struct ind_data data;
		struct pl_diag d;
		char path[512];

		pl_diag_clear(&d);
		assert_int_equal(ind_data_load(db, &data, &d), PL_EDATA);
		assert_string_equal(d.msg, cases[i].msg);
		ind_data_release(&data);
		pl_db_close(db);
		assert_int_equal(unlink(unit_path(state, "pipeline.db", path, sizeof(path))), 0);
	}
}

/* No episodes: no persons, and an empty spill file to read. */
static void test_load__no_episodes(void **state)
{
	sqlite3 *db = open_linked(state, "DELETE FROM episode_person; DELETE FROM episode;");
	struct ind_data data;
	struct ind_cursor c;
	struct ind_person p;
	const struct ind_episode *eps;
	struct pl_diag d;

	assert_int_equal(ind_data_load(db, &data, &d), PL_OK);
	assert_int_equal(data.n_p, 0);
	assert_int_equal(data.n_ep, 0);
	assert_int_equal(ind_cursor_open(&c, &data, &d), PL_OK);
	assert_int_equal(ind_cursor_next(&c, &p, &eps, &d), 0);
	ind_cursor_close(&c);
	ind_data_release(&data);
	pl_db_close(db);
}

/* ---- a night's changes: ind_changes_read -------------------------------------- */

/* A record of the persons as the load writes them (what a night finds in
 * the persons file). */
struct kept {
	uint32_t key;
	struct ind_kept_ep k;
};

/* The persons of db as ind_data_load_to writes them: their records into
 * out[0..cap), how many. */
static size_t load_kept(sqlite3 *db, struct kept *out, size_t cap)
{
	FILE *f = tmpfile();
	struct ind_data data;
	struct ind_kept_head h;
	struct pl_diag d;
	size_t n = 0;

	assert_non_null(f);
	assert_int_equal(ind_data_load_to(db, f, &data, &d), PL_OK);
	ind_data_release(&data);
	rewind(f);
	while (fread(&h, sizeof(h), 1, f) == 1)
		for (uint32_t i = 0; i < h.n; i++, n++) {
			assert_true(n < cap);
			out[n].key = h.key;
			assert_int_equal(fread(&out[n].k, sizeof(out[n].k), 1, f), 1);
		}
	fclose(f);
	return n;
}

/* What map logs for its changes in place, and dedup for a move, made by
 * hand on linked_sql's database (both files counted): (1, 2) of person 3
 * updated (another intervention and cost, the same dates), (1, 3) of
 * person 1 its start moved (day 12), (2, 5) of person 1 deleted: each
 * as it was into episode_before and its person into person_change;
 * (2, 8) inserted for person 2 (old_key 0); (2, 7) moved by dedup from
 * person 3 to 2 (no before-image). */
static const char logged_sql[] =
	"INSERT INTO episode_before SELECT * FROM episode "
	"  WHERE (file_id, line) IN (VALUES (1, 2), (1, 3), (2, 5));"
	"INSERT INTO person_change (file_id, line, old_key) "
	"  SELECT file_id, line, person_key FROM episode_person "
	"  WHERE (file_id, line) IN (VALUES (1, 2), (1, 3), (2, 5), (2, 7));"
	"UPDATE episode SET intervention = 'INST', cost_sek = 20 WHERE file_id = 1 AND line = 2;"
	"UPDATE episode SET start_date = '2022-01-12' WHERE file_id = 1 AND line = 3;"
	"DELETE FROM episode_person WHERE file_id = 2 AND line = 5;"
	"DELETE FROM episode WHERE file_id = 2 AND line = 5;"
	"INSERT INTO episode (file_id, line, district, id_type, birth_year, sex, intervention, "
	"  provider, substance, start_date, end_date, cost_sek, children) VALUES "
	"  (2, 8, 'OSTRA', 'SAMNR', 1990, 'U', 'CONT', 'MUNI', 'ALC', '2025-03-07', NULL, 3, 'N');"
	"INSERT INTO episode_person (file_id, line, person_key, step) VALUES (2, 8, 2, 'unlinked');"
	"INSERT INTO person_change (file_id, line, old_key) VALUES (2, 8, 0);"
	"UPDATE episode_person SET person_key = 2 WHERE file_id = 2 AND line = 7;";

/* Each change: taken out of the person it had as it was counted (the
 * before-image for map's, the episode for dedup's move; the same record,
 * byte for byte, as the load wrote), added to the one it has as it is
 * (none for the deleted); the inserted only added.  Only what is added
 * widens the period; the before-images whose dates changed or whose
 * episode is gone are kept apart (out_stats), the updated one not. */
static void test_changes__in_place_taken_out_as_counted(void **state)
{
	static const struct {
		uint32_t key;
		int add, mday;
		const char *intervention;
		double cost;
	} want[] = {
		{ 1, 0, 2, "INST", -1 },      /* (1, 3) as it was */
		{ 1, 0, 5, "HOUSE", 0 },      /* (2, 5), deleted */
		{ 1, 1, 12, "INST", -1 },     /* (1, 3) as it is */
		{ 2, 1, 7, "CONT", 3 },       /* (2, 8), inserted */
		{ 2, 1, 6, "OPEN", 7 },       /* (2, 7), moved */
		{ 3, 0, 1, "OPEN", 10 },      /* (1, 2) as it was */
		{ 3, 0, 6, "OPEN", 7 },       /* (2, 7), moved */
		{ 3, 1, 1, "INST", 20 },      /* (1, 2) as it is */
	};
	sqlite3 *db = open_linked(state, NULL);
	struct kept kept[16];
	size_t n_kept = load_kept(db, kept, N_OF(kept));
	int matched[N_OF(want)] = { 0 };
	struct ind_changes ch;
	struct pl_diag d;
	char iso[16];

	assert_int_equal(n_kept, 6);
	assert_int_equal(pl_db_exec(db, logged_sql, &d), PL_OK);
	assert_int_equal(ind_changes_read(db, 2, &ch, &d), PL_OK);
	assert_int_equal(ch.usable, 1);
	assert_int_equal(ch.n, N_OF(want));
	for (size_t i = 0; i < ch.n; i++) {
		const struct ind_change *c = &ch.c[i];
		size_t j = 0;

		assert_true(i == 0 || c[-1].key < c->key ||
			    (c[-1].key == c->key && c[-1].add <= c->add));
		ind_day_iso(c->k.ep.start, iso);
		while (j < N_OF(want) && (matched[j] || want[j].key != c->key ||
					  want[j].add != c->add || want[j].mday != atoi(iso + 8) ||
					  c->k.ep.code[IND_D_INTERVENTION] !=
					  code_of(PL_CL_INTERVENTION, want[j].intervention) ||
					  c->k.ep.cost != want[j].cost))
			j++;
		assert_true(j < N_OF(want));
		matched[j] = 1;
		if (!c->add) {        /* what change_person looks for: the load's record */
			size_t k = 0;

			while (k < n_kept && (kept[k].key != c->key ||
					      memcmp(&kept[k].k, &c->k, sizeof(c->k)) != 0))
				k++;
			assert_true(k < n_kept);
		}
	}
	assert_int_equal(ch.n_new, 0);
	assert_int_equal(ch.n_moved, 1);
	assert_int_equal(ch.n_in_place, 4);
	assert_int_equal(ch.n_stats, 4);
	assert_int_equal(ch.stats.first_year, 2021);
	assert_int_equal(ch.stats.last_year, 2025);
	ind_day_iso(ch.stats.as_of, iso);
	assert_string_equal(iso, "2025-03-07");
	assert_int_equal(ch.n_out_stats, 2);
	assert_int_equal(ch.out_stats.first_year, 2022);
	assert_int_equal(ch.out_stats.last_year, 2024);
	ind_day_iso(ch.out_stats.as_of, iso);
	assert_string_equal(iso, "2024-01-05");
	ind_changes_release(&ch);
	pl_db_close(db);
}

/* Which logged rows a night can use: old_key 0 (none) but not a negative
 * one or one beyond 32 bits; an episode taken out needs its before-image
 * or its row; one added, its person.  An episode inserted and gone again
 * is nothing; a before-image of one inserted (old_key 0) is not taken out. */
static void test_changes__logged_rows_usable_or_not(void **state)
{
	static const struct {
		const char *sql;
		int usable;
		size_t n;
	} cases[] = {
		{ "INSERT INTO person_change VALUES (1, 2, 0);", 1, 1 },
		{ "INSERT INTO person_change VALUES (1, 2, -1);", 0, 0 },
		{ "INSERT INTO person_change VALUES (1, 2, 4294967296);", 0, 0 },
		{ "INSERT INTO person_change VALUES (1, 2, 4294967295);", 1, 2 },
		{ "INSERT INTO person_change VALUES (1, 9, 3);", 0, 0 },
		{ "INSERT INTO person_change VALUES (1, 9, 0);", 1, 0 },
		{ "INSERT INTO person_change VALUES (1, 2, 3);"
		  "DELETE FROM episode_person WHERE file_id = 1 AND line = 2;", 0, 0 },
		{ "INSERT INTO person_change VALUES (1, 2, 0);"
		  "INSERT INTO episode_before SELECT * FROM episode WHERE file_id = 1 AND line = 2;",
		  1, 1 },
		{ "INSERT INTO person_change VALUES (1, 9, 3);"
		  "INSERT INTO episode_before SELECT * FROM episode WHERE file_id = 1 AND line = 2;"
		  "UPDATE episode_before SET line = 9;", 1, 1 },
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		sqlite3 *db = open_linked(state, cases[i].sql);
		struct ind_changes ch;
		struct pl_diag d;
		char path[512];

		assert_int_equal(ind_changes_read(db, 2, &ch, &d), PL_OK);
		if (ch.usable != cases[i].usable || (ch.usable && ch.n != cases[i].n))
			fail_msg("case %zu: usable %d, %zu changes", i, ch.usable, ch.n);
		assert_int_equal(ch.n_in_place + ch.n_moved, cases[i].usable);
		ind_changes_release(&ch);
		pl_db_close(db);
		assert_int_equal(unlink(unit_path(state, "pipeline.db", path, sizeof(path))), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_group__persons_at_bucket_edges),
		T(test_group__many_buckets_and_a_person_of_many_blocks),
		T(test_group__crowded_bucket_read_in_passes),
		T(test_group__one_bucket),
		T(test_group__empty),
		T(test_group__short_block_file_is_an_io_error),
		T(test_load__persons_in_key_order),
		T(test_load__data_errors),
		T(test_load__no_episodes),
		T(test_changes__in_place_taken_out_as_counted),
		T(test_changes__logged_rows_usable_or_not),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

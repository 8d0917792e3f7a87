/*
 * tests/unit/test_dedup_store.c - dedup/store: person and episode_person
 * written as changes.  On an empty person layer every row is inserted with
 * keys 1..n; against old rows a kept person keeps its key and is updated
 * only when its counts or basis changed, a new one gets the next key after
 * the largest, and the rows not met again are deleted; an episode row is
 * updated only when its key or step changed; counts too large for the
 * fingerprint are always rewritten; a person_id this program would not
 * write makes it empty both tables and write them whole.
 *
 * And the log for the indicators stage (schema 8): an episode row updated
 * to another person_key or deleted goes into person_change with the key it
 * had before its first change (a step-only update and an insert do not);
 * a run with no old episode rows, or one that rebuilt the tables, logs
 * nothing, empties person_change and counts person_epoch one up.
 *
 * With no old rows the inserts go in batches, each written on a thread
 * while the next fills: many batches give the rows of one at a time, and a
 * batch that fails fails store_finish with SQLite's message.
 *
 * A night (store_open_touched) is given only some persons with all their
 * episodes and looks each row up, a person through its anchor episode: the
 * persons and episodes not given stay as they are, an old person of an
 * episode given that is not given again is deleted, one given again keeps
 * its key (found when its anchor's person has its id; no anchor, or
 * another person there: new); changes are logged as above; an anchor
 * without a row stops it.
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
#include "dedup/store.h"

struct fx {
	struct unit_tmp tmp;
	sqlite3 *db;
	struct store st;
	struct pl_diag d;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || unit_db_open(&f->tmp, &f->db, &f->d) != 0 ||
	    pl_db_exec(f->db, "PRAGMA foreign_keys = OFF", &f->d) != PL_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	store_release(&f->st);
	unit_db_close(&f->tmp, f->db);
	free(f);
	return 0;
}

static void exec(struct fx *f, const char *sql)
{
	assert_int_equal(pl_db_exec(f->db, sql, &f->d), PL_OK);
}

/* The id made of the number n: 31 zeros and n in hex (n < 16). */
static const char *id_of(unsigned n, char out[33])
{
	snprintf(out, 33, "%032x", n);
	return out;
}

/* Every row of sql, columns joined by '|', rows by ' '. */
static char *rows(struct fx *f, const char *sql)
{
	static char buf[2048];
	sqlite3_stmt *st = NULL;
	size_t len = 0;

	buf[0] = 0;
	assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const char *v = (const char *)sqlite3_column_text(st, c);

			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
						c ? "|" : len ? " " : "", v ? v : "NULL");
		}
	}
	sqlite3_finalize(st);
	return buf;
}

static char *persons(struct fx *f)
{
	/* ids shortened to their last digit */
	return rows(f, "SELECT person_key, substr(person_id, 32), basis, n_episodes, n_districts "
		    "FROM person ORDER BY person_key");
}

static char *episodes(struct fx *f)
{
	return rows(f, "SELECT file_id, line, person_key, step FROM episode_person "
		    "ORDER BY file_id, line");
}

/* Gives person n (by id) with its counts, a night's anchored at episode
 * (file, line) unless file is 0; its key into *key. */
static void give_anchored(struct fx *f, unsigned n, const char *basis, long n_ep, int n_d,
			  int64_t file, int64_t line, int64_t *key)
{
	struct store_person p = { .lo = n, .basis = basis, .anchored = file != 0,
				  .anchor_file = file, .anchor_line = line };

	assert_int_equal(store_person_begin(&f->st, &p, &f->d), PL_OK);
	p.n_episodes = n_ep;
	p.n_districts = n_d;
	assert_int_equal(store_person_end(&f->st, &p, &f->d), PL_OK);
	if (key)
		*key = p.key;
}

static void give_person(struct fx *f, unsigned n, const char *basis, long n_ep, int n_d,
			int64_t *key)
{
	give_anchored(f, n, basis, n_ep, n_d, 0, 0, key);
}

static void give_episode(struct fx *f, int64_t file, int64_t line, int64_t key, enum step s)
{
	assert_int_equal(store_episode(&f->st, file, line, key, s, &f->d), PL_OK);
}

static void assert_counts(const struct store_counts *c, long ins, long upd, long del)
{
	assert_int_equal(c->inserted, ins);
	assert_int_equal(c->updated, upd);
	assert_int_equal(c->deleted, del);
}

static void test_store__empty_layer_gets_keys_1_to_n(void **state)
{
	struct fx *f = *state;
	int64_t k1, k2, k3;

	exec(f, "BEGIN");
	assert_int_equal(store_open(&f->st, f->db, f->tmp.dir, &f->d), PL_OK);
	give_person(f, 2, "PNR", 2, 1, &k1);
	give_person(f, 5, "LINKED", 1, 1, &k2);
	give_person(f, 9, "SINGLE", 1, 1, &k3);
	give_episode(f, 1, 2, k1, STEP_DETERMINISTIC);
	give_episode(f, 1, 3, k2, STEP_PROBABILISTIC);
	give_episode(f, 2, 2, k1, STEP_DETERMINISTIC);
	give_episode(f, 2, 7, k3, STEP_UNLINKED);
	assert_int_equal(store_finish(&f->st, &f->d), PL_OK);
	exec(f, "COMMIT");
	assert_int_equal(f->st.rebuilt, 0);
	assert_string_equal(persons(f), "1|2|PNR|2|1 2|5|LINKED|1|1 3|9|SINGLE|1|1");
	assert_string_equal(episodes(f), "1|2|1|deterministic 1|3|2|probabilistic "
			    "2|2|1|deterministic 2|7|3|unlinked");
	assert_counts(&f->st.persons, 3, 0, 0);
	assert_counts(&f->st.episodes, 4, 0, 0);
}

/* Old: persons 3 (key 5), 6 (key 2), 8 (key 9); episodes (1,1) (1,3) (2,1). */
static void old_rows(struct fx *f)
{
	char a[33], b[33], c[33], sql[600];

	snprintf(sql, sizeof(sql), "INSERT INTO person VALUES (5, '%s', 'PNR', 2, 1), "
		 "(2, '%s', 'LINKED', 1, 1), (9, '%s', 'SINGLE', 1, 1); "
		 "INSERT INTO episode_person VALUES (1, 1, 5, 'deterministic'), "
		 "(1, 3, 2, 'probabilistic'), (2, 1, 5, 'deterministic')",
		 id_of(3, a), id_of(6, b), id_of(8, c));
	exec(f, sql);
}

static void test_store__only_changes_are_written(void **state)
{
	struct fx *f = *state;
	int64_t k;

	old_rows(f);
	exec(f, "BEGIN");
	assert_int_equal(store_open(&f->st, f->db, f->tmp.dir, &f->d), PL_OK);
	give_person(f, 1, "SINGLE", 1, 1, &k);   /* new, before every old id */
	assert_int_equal(k, 10);
	give_person(f, 3, "PNR", 2, 1, &k);      /* kept, unchanged */
	assert_int_equal(k, 5);
	give_person(f, 7, "RESERV", 1, 1, &k);   /* new; 6 is gone */
	assert_int_equal(k, 11);
	give_person(f, 8, "LINKED", 2, 2, &k);   /* kept, changed */
	assert_int_equal(k, 9);
	give_episode(f, 1, 1, 5, STEP_DETERMINISTIC);   /* unchanged */
	give_episode(f, 1, 2, 10, STEP_UNLINKED);       /* new */
	give_episode(f, 2, 1, 9, STEP_PROBABILISTIC);   /* changed; (1,3) is gone */
	give_episode(f, 3, 1, 11, STEP_DETERMINISTIC);  /* new, after every old one */
	assert_int_equal(store_finish(&f->st, &f->d), PL_OK);
	exec(f, "COMMIT");
	assert_string_equal(persons(f), "5|3|PNR|2|1 9|8|LINKED|2|2 10|1|SINGLE|1|1 "
			    "11|7|RESERV|1|1");
	assert_string_equal(episodes(f), "1|1|5|deterministic 1|2|10|unlinked "
			    "2|1|9|probabilistic 3|1|11|deterministic");
	assert_counts(&f->st.persons, 2, 1, 1);
	assert_counts(&f->st.episodes, 2, 1, 1);
}

static void test_store__old_rows_left_over_are_deleted(void **state)
{
	struct fx *f = *state;

	old_rows(f);
	exec(f, "BEGIN");
	assert_int_equal(store_open(&f->st, f->db, f->tmp.dir, &f->d), PL_OK);
	give_person(f, 3, "PNR", 1, 1, NULL);   /* changed; 6 and 8 gone */
	give_episode(f, 1, 1, 5, STEP_DETERMINISTIC);
	assert_int_equal(store_finish(&f->st, &f->d), PL_OK);
	exec(f, "COMMIT");
	assert_string_equal(persons(f), "5|3|PNR|1|1");
	assert_string_equal(episodes(f), "1|1|5|deterministic");
	assert_counts(&f->st.persons, 0, 1, 2);
	assert_counts(&f->st.episodes, 0, 0, 2);
}

static void test_store__counts_beyond_the_fingerprint_are_rewritten(void **state)
{
	struct fx *f = *state;
	char a[33], sql[300];

	snprintf(sql, sizeof(sql), "INSERT INTO person VALUES (1, '%s', 'PNR', 16777215, 70); "
		 "INSERT INTO episode_person VALUES (1, 1, 1, 'guessed')", id_of(4, a));
	exec(f, "PRAGMA ignore_check_constraints = ON");
	exec(f, sql);
	exec(f, "PRAGMA ignore_check_constraints = OFF");
	exec(f, "BEGIN");
	assert_int_equal(store_open(&f->st, f->db, f->tmp.dir, &f->d), PL_OK);
	give_person(f, 4, "PNR", 16777215, 70, NULL);  /* the same, but too large to compare */
	give_episode(f, 1, 1, 1, STEP_DETERMINISTIC); /* a step text it does not write */
	assert_int_equal(store_finish(&f->st, &f->d), PL_OK);
	exec(f, "COMMIT");
	assert_counts(&f->st.persons, 0, 1, 0);
	assert_counts(&f->st.episodes, 0, 1, 0);
	assert_string_equal(episodes(f), "1|1|1|deterministic");
}

static void test_store__odd_rows_mean_written_whole(void **state)
{
	struct fx *f = *state;
	int64_t k;

	old_rows(f);
	exec(f, "UPDATE person SET person_id = 'NOT-HEX' WHERE person_key = 9");
	exec(f, "BEGIN");
	assert_int_equal(store_open(&f->st, f->db, f->tmp.dir, &f->d), PL_OK);
	assert_int_equal(f->st.rebuilt, 1);
	give_person(f, 3, "PNR", 2, 1, &k);
	assert_int_equal(k, 1);                   /* keys start again */
	give_episode(f, 1, 1, 1, STEP_DETERMINISTIC);
	assert_int_equal(store_finish(&f->st, &f->d), PL_OK);
	exec(f, "COMMIT");
	assert_string_equal(persons(f), "1|3|PNR|2|1");
	assert_string_equal(episodes(f), "1|1|1|deterministic");
	assert_counts(&f->st.persons, 1, 0, 0);
	assert_counts(&f->st.episodes, 1, 0, 0);
}

/* ---- the log for the indicators stage (person_change, person_epoch) ---- */

static char *changes(struct fx *f)
{
	return rows(f, "SELECT file_id, line, old_key FROM person_change ORDER BY file_id, line");
}

/* Every row of person_epoch ("id|epoch"), so that two rows would show. */
static char *epoch(struct fx *f)
{
	return rows(f, "SELECT id, epoch FROM person_epoch ORDER BY id");
}

/* Opens the store in a transaction; the last run's store released first. */
static void start(struct fx *f)
{
	store_release(&f->st);
	exec(f, "BEGIN");
	assert_int_equal(store_open(&f->st, f->db, f->tmp.dir, &f->d), PL_OK);
}

static void finish(struct fx *f)
{
	assert_int_equal(store_finish(&f->st, &f->d), PL_OK);
	exec(f, "COMMIT");
}

/* A run on an empty person layer: persons 2 and 5, three episodes. */
static void fresh_run(struct fx *f)
{
	int64_t k1, k2;

	start(f);
	assert_null(f->st.log);
	give_person(f, 2, "PNR", 2, 1, &k1);
	give_person(f, 5, "SINGLE", 1, 1, &k2);
	give_episode(f, 1, 2, k1, STEP_DETERMINISTIC);
	give_episode(f, 1, 3, k2, STEP_UNLINKED);
	give_episode(f, 2, 2, k1, STEP_DETERMINISTIC);
	finish(f);
	assert_int_equal(f->st.rebuilt, 0);
	assert_counts(&f->st.episodes, 3, 0, 0);
}

static void test_store__first_run_logs_nothing_and_starts_an_epoch(void **state)
{
	struct fx *f = *state;

	exec(f, "INSERT INTO person_change VALUES (4, 4, 4)");   /* left from before */
	fresh_run(f);
	assert_string_equal(changes(f), "");
	assert_int_equal(f->st.logged, 0);
	assert_string_equal(epoch(f), "1|1");

	/* The person tables emptied: a first run again, the next epoch. */
	exec(f, "DELETE FROM episode_person; DELETE FROM person; "
	     "INSERT INTO person_change VALUES (5, 5, 5)");
	fresh_run(f);
	assert_string_equal(changes(f), "");
	assert_string_equal(epoch(f), "1|2");
	assert_string_equal(episodes(f), "1|2|1|deterministic 1|3|2|unlinked 2|2|1|deterministic");
}

/* Against old_rows and (2,4) of key 9, with epoch 4 and a change (9,9) an
 * earlier run logged: (1,1) unchanged, (1,3) moves from key 2 to 9, (2,1)
 * is gone, (2,4) changes only its step, (3,1) is new. */
static void second_run(struct fx *f)
{
	int64_t k;

	old_rows(f);
	exec(f, "INSERT INTO episode_person VALUES (2, 4, 9, 'probabilistic'); "
	     "INSERT INTO person_change VALUES (9, 9, 1); INSERT INTO person_epoch VALUES (1, 4)");
	start(f);
	assert_non_null(f->st.log);
	give_person(f, 3, "PNR", 2, 1, &k);     /* kept; 6 (key 2) is gone */
	assert_int_equal(k, 5);
	give_person(f, 8, "LINKED", 2, 1, &k);  /* kept */
	assert_int_equal(k, 9);
	give_episode(f, 1, 1, 5, STEP_DETERMINISTIC);
	give_episode(f, 1, 3, 9, STEP_PROBABILISTIC);
	give_episode(f, 2, 4, 9, STEP_UNLINKED);
	give_episode(f, 3, 1, 5, STEP_DETERMINISTIC);
	finish(f);
}

static void test_store__changed_and_deleted_episodes_are_logged(void **state)
{
	struct fx *f = *state;

	second_run(f);
	/* the run did what the log is to reflect: 1 new, 2 updated, 1 deleted */
	assert_string_equal(episodes(f), "1|1|5|deterministic 1|3|9|probabilistic "
			    "2|4|9|unlinked 3|1|5|deterministic");
	assert_counts(&f->st.episodes, 1, 2, 1);
	/* (1,3) of key 2 and (2,1) of key 5; not (2,4) nor (3,1); (9,9) kept */
	assert_string_equal(changes(f), "1|3|2 2|1|5 9|9|1");
	assert_int_equal(f->st.logged, 2);
	assert_string_equal(epoch(f), "1|4");
}

static void test_store__a_second_change_keeps_the_first_old_key(void **state)
{
	struct fx *f = *state;

	second_run(f);
	start(f);
	assert_non_null(f->st.log);
	give_person(f, 3, "PNR", 3, 1, NULL);
	give_person(f, 8, "LINKED", 2, 1, NULL);
	give_episode(f, 1, 1, 9, STEP_DETERMINISTIC);   /* moves from 5: logged */
	give_episode(f, 1, 3, 5, STEP_PROBABILISTIC);   /* moves again, from 9 */
	give_episode(f, 2, 1, 5, STEP_DETERMINISTIC);   /* back, as an insert */
	give_episode(f, 2, 4, 9, STEP_UNLINKED);
	give_episode(f, 3, 1, 5, STEP_DETERMINISTIC);
	finish(f);
	assert_counts(&f->st.episodes, 1, 2, 0);
	assert_int_equal(f->st.logged, 1);   /* (1,1); (1,3) was logged before */
	/* (1,3) still with key 2, the key it had before its first change */
	assert_string_equal(changes(f), "1|1|5 1|3|2 2|1|5 9|9|1");
	assert_string_equal(epoch(f), "1|4");
}

/* Old rows made odd by odd_sql: the tables are rebuilt, nothing is logged,
 * the log emptied and the epoch (4) counted up. */
static void assert_rebuilt_starts_an_epoch(struct fx *f, const char *odd_sql)
{
	old_rows(f);
	exec(f, odd_sql);
	exec(f, "INSERT INTO person_change VALUES (9, 9, 1); INSERT INTO person_epoch VALUES (1, 4)");
	start(f);
	assert_int_equal(f->st.rebuilt, 1);
	assert_null(f->st.log);
	give_person(f, 3, "PNR", 1, 1, NULL);
	give_person(f, 8, "SINGLE", 1, 1, NULL);
	give_episode(f, 1, 1, 1, STEP_DETERMINISTIC);   /* key 5 before */
	give_episode(f, 2, 1, 2, STEP_UNLINKED);        /* key 5 before; (1,3) gone */
	finish(f);
	assert_string_equal(episodes(f), "1|1|1|deterministic 2|1|2|unlinked");
	assert_string_equal(changes(f), "");
	assert_int_equal(f->st.logged, 0);
	assert_string_equal(epoch(f), "1|5");
}

static void test_store__odd_person_id_starts_an_epoch(void **state)
{
	assert_rebuilt_starts_an_epoch(*state, "UPDATE person SET person_id = 'NOT-HEX' "
				       "WHERE person_key = 9");
}

/* The odd row comes after three episode rows read back: the log must
 * not be started for them. */
static void test_store__odd_episode_key_starts_an_epoch(void **state)
{
	struct fx *f = *state;

	assert_rebuilt_starts_an_epoch(f, "INSERT INTO episode_person VALUES "
				       "(9, 1, 4294967296, 'unlinked')");
	assert_int_equal(f->st.n_old_e, 3);
}

/* 40,000 persons of one episode each on an empty layer: more than one batch
 * of each table, written while the next fills; the same rows as in turn. */
static void test_store__batches_on_a_thread(void **state)
{
	struct fx *f = *state;
	const long n = 40000;

	exec(f, "BEGIN");
	assert_int_equal(store_open(&f->st, f->db, f->tmp.dir, &f->d), PL_OK);
	assert_non_null(f->st.bg);
	for (long i = 0; i < n; i++) {
		struct store_person p = { .lo = (uint64_t)i + 1, .basis = "SINGLE" };

		assert_int_equal(store_person_begin(&f->st, &p, &f->d), PL_OK);
		assert_int_equal(p.key, i + 1);
		p.n_episodes = 1;
		p.n_districts = 1;
		assert_int_equal(store_person_end(&f->st, &p, &f->d), PL_OK);
	}
	for (long i = 0; i < n; i++)
		give_episode(f, 1, i + 2, i + 1, STEP_UNLINKED);
	assert_int_equal(store_finish(&f->st, &f->d), PL_OK);
	exec(f, "COMMIT");
	assert_counts(&f->st.persons, n, 0, 0);
	assert_counts(&f->st.episodes, n, 0, 0);
	/* every row as given: key i + 1 for id i + 1 and episode line i + 2 */
	assert_string_equal(rows(f, "SELECT count(*), sum(person_id = printf('%032x', "
				 "person_key)), min(person_key), max(person_key) FROM person"),
			    "40000|40000|1|40000");
	assert_string_equal(rows(f, "SELECT count(*), sum(line = person_key + 1), "
				 "sum(step = 'unlinked') FROM episode_person"), "40000|40000|40000");
}

/* A batch that fails (a basis against person's CHECK constraint) fails
 * store_finish, with SQLite's message. */
static void test_store__a_failed_batch_fails_the_finish(void **state)
{
	struct fx *f = *state;

	exec(f, "BEGIN");
	assert_int_equal(store_open(&f->st, f->db, f->tmp.dir, &f->d), PL_OK);
	assert_non_null(f->st.bg);
	give_person(f, 4, "PNR", 1, 1, NULL);
	give_person(f, 5, "NUMBER", 1, 1, NULL);
	give_episode(f, 1, 1, 1, STEP_DETERMINISTIC);
	assert_int_not_equal(store_finish(&f->st, &f->d), PL_OK);
	assert_non_null(strstr(f->d.msg, "store persons"));
	assert_non_null(strstr(f->d.msg, "CHECK"));
	exec(f, "ROLLBACK");
}

/* A night against old_rows and person 8's episode (4,4), each person found
 * through its anchor: person 3 (at (1,1), key 5) unchanged, person 8 (at
 * (4,4), key 9) changed; person 7 new (no anchor); person 12 new though
 * anchored, at (1,3), whose person (key 2) had id 6, which is not given
 * again and so gone; (2,1) not given: as it was. */
static void test_store__a_night_writes_what_it_is_given(void **state)
{
	struct fx *f = *state;
	int64_t k;

	old_rows(f);
	exec(f, "INSERT INTO episode_person VALUES (4, 4, 9, 'unlinked'); "
	     "INSERT INTO person_epoch VALUES (1, 4)");
	exec(f, "BEGIN");
	assert_int_equal(store_open_touched(&f->st, f->db, &f->d), PL_OK);
	assert_non_null(f->st.log);
	give_anchored(f, 3, "PNR", 2, 1, 1, 1, &k);       /* found, unchanged */
	assert_int_equal(k, 5);
	give_person(f, 7, "SINGLE", 1, 1, &k);            /* new: the key after the largest */
	assert_int_equal(k, 10);
	give_anchored(f, 8, "LINKED", 1, 1, 4, 4, &k);    /* found, changed */
	assert_int_equal(k, 9);
	give_anchored(f, 12, "SINGLE", 1, 1, 1, 3, &k);   /* its anchor's person is another */
	assert_int_equal(k, 11);
	give_episode(f, 1, 1, 5, STEP_DETERMINISTIC);
	give_episode(f, 1, 3, 11, STEP_UNLINKED);
	give_episode(f, 3, 1, 10, STEP_UNLINKED);
	give_episode(f, 4, 4, 9, STEP_UNLINKED);
	assert_int_equal(store_finish(&f->st, &f->d), PL_OK);
	exec(f, "COMMIT");
	assert_string_equal(persons(f), "5|3|PNR|2|1 9|8|LINKED|1|1 10|7|SINGLE|1|1 "
			    "11|c|SINGLE|1|1");
	assert_string_equal(episodes(f), "1|1|5|deterministic 1|3|11|unlinked "
			    "2|1|5|deterministic 3|1|10|unlinked 4|4|9|unlinked");
	assert_counts(&f->st.persons, 2, 1, 1);
	assert_counts(&f->st.episodes, 1, 1, 0);
	assert_string_equal(changes(f), "1|3|2");
	assert_string_equal(epoch(f), "1|4");
	/* the old persons of the episodes given, for their links (not of the
	 * anchors looked up) */
	assert_int_equal(f->st.n_met, 3);
	assert_int_equal(f->st.met[0], 2);
	assert_int_equal(f->st.met[1], 5);
	assert_int_equal(f->st.met[2], 9);
}

/* A night that meets a key this program does not write (the triggers
 * would have made the run write every person), or an anchor without a
 * row, stops, naming the fix. */
static void test_store__a_night_refuses_odd_keys(void **state)
{
	struct fx *f = *state;
	struct store_person p = { .lo = 3, .basis = "PNR", .anchored = 1, .anchor_file = 1,
				  .anchor_line = 2 };
	char a[33], sql[200];

	snprintf(sql, sizeof(sql), "INSERT INTO person VALUES (8589934592, '%s', 'PNR', 1, 1); "
		 "INSERT INTO episode_person VALUES (1, 1, 0, 'deterministic'), "
		 "(1, 2, 8589934592, 'deterministic')", id_of(3, a));
	exec(f, sql);
	exec(f, "BEGIN");
	assert_int_equal(store_open_touched(&f->st, f->db, &f->d), PL_OK);
	assert_int_equal(store_person_begin(&f->st, &p, &f->d), PL_EDATA);
	assert_non_null(strstr(f->d.msg, "person_key 8589934592"));
	assert_non_null(strstr(f->d.msg, "dedup --rescore"));
	assert_int_equal(store_episode(&f->st, 1, 1, 1, STEP_DETERMINISTIC, &f->d), PL_EDATA);
	assert_non_null(strstr(f->d.msg, "person_key 0 "));
	p.anchor_line = 5;
	assert_int_equal(store_person_begin(&f->st, &p, &f->d), PL_EDATA);
	assert_non_null(strstr(f->d.msg, "no row for the episode at file_id 1, line 5"));
	assert_non_null(strstr(f->d.msg, "dedup --rescore"));
	exec(f, "ROLLBACK");
}

static void test_store__id_bits(void **state)
{
	uint64_t hi = 0, lo = 0;

	(void)state;
	assert_int_equal(store_id_bits("0123456789abcdef00000000000000ff", &hi, &lo), 1);
	assert_true(hi == 0x0123456789abcdefULL && lo == 0xff);
	assert_int_equal(store_id_bits("0123456789ABCDEF00000000000000ff", &hi, &lo), 0);
	assert_int_equal(store_id_bits("0123456789abcdef00000000000000f", &hi, &lo), 0);
	assert_int_equal(store_id_bits("0123456789abcdef00000000000000fff", &hi, &lo), 0);
	assert_int_equal(store_id_bits(NULL, &hi, &lo), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store__empty_layer_gets_keys_1_to_n, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store__only_changes_are_written, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store__old_rows_left_over_are_deleted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store__counts_beyond_the_fingerprint_are_rewritten,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_store__odd_rows_mean_written_whole, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store__first_run_logs_nothing_and_starts_an_epoch,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_store__changed_and_deleted_episodes_are_logged,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_store__a_second_change_keeps_the_first_old_key,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_store__odd_person_id_starts_an_epoch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store__odd_episode_key_starts_an_epoch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store__batches_on_a_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store__a_failed_batch_fails_the_finish, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store__a_night_writes_what_it_is_given, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store__a_night_refuses_odd_keys, setup,
						teardown),
		cmocka_unit_test(test_store__id_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

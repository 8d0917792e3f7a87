/*
 * dedup/store.c - writing person and episode_person as changes (store.h).
 *
 * The old rows are kept as struct pl_kv in two external sorts:
 * - person: key, key2 = person_id as 128 bits; a = person_key; b = a
 *   fingerprint of basis, n_episodes and n_districts (FP_ALWAYS when they
 *   do not fit in 32 bits: such a row is always rewritten);
 * - episode_person: key = file_id, key2 = line; a = person_key; b = step
 *   (N_STEPS for a text this program does not write).
 * episode_person is read in its key order, so its sort only spools; person
 * is read in rowid order and sorted by id.  A night (s->touched) looks each
 * row up instead: an episode by episode_person's key, a person by the key
 * its anchor episode had (store.h).  person_id has no index: the persons a
 * night adds have random ids, and an index of them would be rewritten
 * nearly whole every night (176 MB at 4M persons, half the night's writes).
 */
#define _POSIX_C_SOURCE 200809L
#include "store.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define ROW_CHUNK 16384            /* inserts batched through pl_db_insert_rows */
#define OLD_RUN ((size_t)1 << 16)  /* 2 MiB a sort while reading the old rows */
#define N_STEPS 3
#define FP_ALWAYS UINT32_MAX

const char *const store_step_names[] = { "deterministic", "probabilistic", "unlinked" };
static const char *const bases[] = { "PNR", "RESERV", "LINKED", "SINGLE" };

struct store_row {
	int64_t key;
	char id[33];
	const char *text;          /* basis or step */
	int64_t file_id, line;     /* episode_person */
	long n;                    /* person: n_episodes */
	int n_districts;
};

/* A batch of inserts written on a thread of its own (store.h). */
struct store_batch {
	sqlite3 *db;
	struct store_row *rows;
	size_t n;
	int table;
	int busy, threaded;
	pthread_t tid;
	enum pl_err err;
	struct pl_diag diag;
};

static uint32_t fingerprint(const char *basis, long n_episodes, long n_districts)
{
	uint32_t b = 4;

	for (uint32_t i = 0; i < 4; i++)
		if (basis && strcmp(basis, bases[i]) == 0)
			b = i;
	if (b == 4 || n_episodes < 0 || n_episodes > 0xfffffe || n_districts < 0 ||
	    n_districts > 63)
		return FP_ALWAYS;
	return b << 30 | (uint32_t)n_districts << 24 | (uint32_t)n_episodes;
}

static uint32_t step_of(const char *text)
{
	for (uint32_t i = 0; i < N_STEPS; i++)
		if (text && strcmp(text, store_step_names[i]) == 0)
			return i;
	return N_STEPS;
}

/* A lower-case hex digit's value + 1; 0 for any other byte (dedup parses
 * a person_ref for every episode). */
static const unsigned char hex_value[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
	['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
	['e'] = 15, ['f'] = 16,
};

int store_id_bits(const char *id, uint64_t *hi, uint64_t *lo)
{
	uint64_t v[2] = { 0, 0 };

	if (!id)
		return 0;
	for (int i = 0; i < 32; i++) {
		unsigned x = hex_value[(unsigned char)id[i]];

		if (!x)
			return 0;
		v[i / 16] = v[i / 16] << 4 | (uint64_t)(x - 1);
	}
	if (id[32])
		return 0;
	*hi = v[0];
	*lo = v[1];
	return 1;
}

/* ---- reading the old rows ---------------------------------------------- */

/* The fingerprint of a person row's basis, n_episodes and n_districts,
 * columns col.. of st. */
static uint32_t row_fingerprint(sqlite3_stmt *st, int col)
{
	return fingerprint((const char *)sqlite3_column_text(st, col),
			   (long)sqlite3_column_int64(st, col + 1),
			   (long)sqlite3_column_int64(st, col + 2));
}

/* One old row as a pair; 0 if this program would not have written it. */
static int old_person(sqlite3_stmt *st, struct pl_kv *kv)
{
	sqlite3_int64 key = sqlite3_column_int64(st, 0);

	if (key < 1 || key > (sqlite3_int64)UINT32_MAX ||
	    !store_id_bits((const char *)sqlite3_column_text(st, 1), &kv->key, &kv->key2))
		return 0;
	kv->a = (uint32_t)key;
	kv->b = row_fingerprint(st, 2);
	return 1;
}

static int old_episode(sqlite3_stmt *st, struct pl_kv *kv)
{
	sqlite3_int64 file_id = sqlite3_column_int64(st, 0), line = sqlite3_column_int64(st, 1);
	sqlite3_int64 key = sqlite3_column_int64(st, 2);

	if (file_id < 0 || line < 0 || key < 1 || key > (sqlite3_int64)UINT32_MAX)
		return 0;
	kv->key = (uint64_t)file_id;
	kv->key2 = (uint64_t)line;
	kv->a = (uint32_t)key;
	kv->b = step_of((const char *)sqlite3_column_text(st, 3));
	return 1;
}

/* Every row of sql into sort, through fn; *odd is set (and the reading
 * stops) at a row fn refuses.  s->max_key becomes the largest person_key
 * met (in either table, so that a new key can never be one in use). */
static enum pl_err read_old(struct store *s, const char *sql, int (*fn)(sqlite3_stmt *,
			    struct pl_kv *), struct pl_extsort *sort, int *odd, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(s->db, sql, &st, d);
	struct pl_kv kv;
	int rc = SQLITE_DONE;

	while (!err && !*odd && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!fn(st, &kv)) {
			*odd = 1;
			break;
		}
		if ((int64_t)kv.a > s->max_key)
			s->max_key = kv.a;
		s->n_old_e += sort == &s->old_e;
		err = pl_extsort_add(sort, &kv, d);
	}
	if (!err && !*odd && rc != SQLITE_DONE)
		err = pl_db_fail(s->db, rc, "read the persons written before", d);
	sqlite3_finalize(st);
	return err;
}

static enum pl_err next_old(struct pl_extsort *sort, struct pl_kv *kv, int *rc,
			    struct pl_diag *d)
{
	*rc = pl_extsort_next(sort, kv, d);
	if (*rc < 0) {
		*rc = 0;
		return d->err ? d->err : PL_EIO;
	}
	return PL_OK;
}

/* Both sorts empty, on spill files in dir. */
static enum pl_err init_sorts(struct store *s, const char *dir, struct pl_diag *d)
{
	enum pl_err err = pl_extsort_init(&s->old_p, dir, OLD_RUN, d);

	if (!err)
		err = pl_extsort_init(&s->old_e, dir, OLD_RUN, d);
	return err;
}

static enum pl_err prepare_all(struct store *s, struct pl_diag *d)
{
	enum pl_err err = pl_db_prepare(s->db, "UPDATE person SET basis = ?2, n_episodes = ?3, "
					"n_districts = ?4 WHERE person_key = ?1", &s->p_update, d);

	if (!err)
		err = pl_db_prepare(s->db, "DELETE FROM person WHERE person_key = ?1",
				    &s->p_delete, d);
	if (!err)
		err = pl_db_prepare(s->db, "UPDATE episode_person SET person_key = ?3, step = ?4 "
				    "WHERE file_id = ?1 AND line = ?2", &s->e_update, d);
	if (!err)
		err = pl_db_prepare(s->db, "DELETE FROM episode_person WHERE file_id = ?1 AND "
				    "line = ?2", &s->e_delete, d);
	return err;
}

/* Logging for the indicators stage when there are rows to change, else a
 * new epoch with an empty log (store.h). */
static enum pl_err start_log(struct store *s, struct pl_diag *d)
{
	if (s->n_old_e > 0 && !s->rebuilt)
		return pl_db_prepare(s->db, "INSERT INTO person_change (file_id, line, old_key) "
				     "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING", &s->log, d);
	return pl_db_exec(s->db, "DELETE FROM person_change; DELETE FROM episode_before; "
			  "INSERT INTO person_epoch (id, epoch) VALUES (1, 1) "
			  "ON CONFLICT (id) DO UPDATE SET epoch = epoch + 1", d);
}

/* Logs that the episode (file_id, line) of person old_key changes. */
static enum pl_err log_change(struct store *s, uint64_t file_id, uint64_t line,
			      uint32_t old_key, struct pl_diag *d)
{
	enum pl_err err;

	if (!s->log)
		return PL_OK;
	sqlite3_bind_int64(s->log, 1, (sqlite3_int64)file_id);
	sqlite3_bind_int64(s->log, 2, (sqlite3_int64)line);
	sqlite3_bind_int64(s->log, 3, old_key);
	err = pl_db_step_done(s->db, s->log, "log a changed person", d);
	s->logged += err ? 0 : sqlite3_changes(s->db);   /* not those logged before */
	return err;
}

enum pl_err store_open(struct store *s, sqlite3 *db, const char *dir, struct pl_diag *d)
{
	enum pl_err err;
	int odd = 0;

	memset(s, 0, sizeof(*s));
	s->db = db;
	s->rows = pl_xmalloc(ROW_CHUNK * sizeof(*s->rows));
	err = init_sorts(s, dir, d);
	if (!err)
		err = read_old(s, "SELECT person_key, person_id, basis, n_episodes, n_districts "
			       "FROM person", old_person, &s->old_p, &odd, d);
	if (!err)
		err = read_old(s, "SELECT file_id, line, person_key, step FROM episode_person",
			       old_episode, &s->old_e, &odd, d);
	if (!err && odd) {
		pl_extsort_release(&s->old_p);
		pl_extsort_release(&s->old_e);
		s->max_key = 0;
		s->rebuilt = 1;
		err = pl_db_exec(db, "DELETE FROM episode_person; DELETE FROM person", d);
		if (!err)
			err = init_sorts(s, dir, d);
	}
	if (!err)
		err = pl_extsort_merge(&s->old_p, d);
	if (!err)
		err = pl_extsort_merge(&s->old_e, d);
	if (!err)
		err = next_old(&s->old_p, &s->p_at, &s->p_rc, d);
	if (!err)
		err = next_old(&s->old_e, &s->e_at, &s->e_rc, d);
	if (!err)
		err = prepare_all(s, d);
	if (!err)
		err = start_log(s, d);
	if (!err && s->p_rc == 0 && s->e_rc == 0) {
		s->bg = pl_xcalloc(1, sizeof(*s->bg));
		s->bg->rows = pl_xmalloc(ROW_CHUNK * sizeof(*s->rows));
	}
	return err;
}

/* ---- a night: rows looked up ------------------------------------------ */

static enum pl_err delete_person(struct store *s, uint32_t key, struct pl_diag *d);

static void push_key(int64_t **keys, size_t *n, size_t *cap, int64_t key)
{
	if (*n == *cap) {
		*cap = 2 * *cap + 256;
		*keys = pl_xrealloc(*keys, *cap * sizeof(**keys));
	}
	(*keys)[(*n)++] = key;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

enum pl_err store_open_touched(struct store *s, sqlite3 *db, struct pl_diag *d)
{
	enum pl_err err;

	memset(s, 0, sizeof(*s));
	s->db = db;
	s->touched = 1;
	s->rows = pl_xmalloc(ROW_CHUNK * sizeof(*s->rows));
	s->n_old_e = 1; /* there are rows to change: changes are logged */
	err = pl_db_query_int64(db, "SELECT max(person_key) FROM person", &s->max_key,
				"read the largest person key", d);
	if (!err)
		err = pl_db_prepare(db, "SELECT person_id, basis, n_episodes, n_districts FROM "
				    "person WHERE person_key = ?1", &s->p_get, d);
	if (!err)
		err = pl_db_prepare(db, "SELECT person_key, step FROM episode_person WHERE "
				    "file_id = ?1 AND line = ?2", &s->e_find, d);
	if (!err)
		err = prepare_all(s, d);
	if (!err)
		err = start_log(s, d);
	return err;
}

/* A key this program writes (1 to 2^32 - 1); a night that meets another
 * (a table written behind its back, with the triggers gone) stops. */
static enum pl_err key_fits(int64_t key, struct pl_diag *d)
{
	if (key >= 1 && key <= (int64_t)UINT32_MAX)
		return PL_OK;
	return pl_diag_set(d, PL_EDATA, NULL, 0, "person_key %" PRId64 " is not one this "
			   "program writes: run dedup --rescore to write the person tables again",
			   key);
}

/* A night: the row of episode (f, l) into *old (found: 1). */
static enum pl_err look_episode(struct store *s, uint64_t f, uint64_t l, struct pl_kv *old,
				int *found, struct pl_diag *d)
{
	int64_t key;
	int rc;

	sqlite3_bind_int64(s->e_find, 1, (sqlite3_int64)f);
	sqlite3_bind_int64(s->e_find, 2, (sqlite3_int64)l);
	rc = sqlite3_step(s->e_find);
	*found = rc == SQLITE_ROW;
	key = *found ? sqlite3_column_int64(s->e_find, 0) : 1;
	if (*found)
		*old = (struct pl_kv){ f, l, (uint32_t)key,
				       step_of((const char *)sqlite3_column_text(s->e_find, 1)) };
	sqlite3_reset(s->e_find);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pl_db_fail(s->db, rc, "find an episode's person", d);
	return key_fits(key, d);
}

/* A night: the row of episode (f, l) into *old (found: 1), and its key
 * among those met. */
static enum pl_err find_episode(struct store *s, uint64_t f, uint64_t l, struct pl_kv *old,
				int *found, struct pl_diag *d)
{
	enum pl_err err = look_episode(s, f, l, old, found, d);

	if (!err && *found)
		push_key(&s->met, &s->n_met, &s->cap_met, old->a);
	return err;
}

/* A night: whether the person keyed key has p's id (its fingerprint then
 * into s->found_fp). */
static enum pl_err same_person(struct store *s, int64_t key, const struct store_person *p,
			       struct pl_diag *d)
{
	uint64_t hi, lo;
	int rc;

	sqlite3_bind_int64(s->p_get, 1, key);
	rc = sqlite3_step(s->p_get);
	s->found = rc == SQLITE_ROW &&
		   store_id_bits((const char *)sqlite3_column_text(s->p_get, 0), &hi, &lo) &&
		   hi == p->hi && lo == p->lo;
	s->found_fp = s->found ? row_fingerprint(s->p_get, 1) : FP_ALWAYS;
	sqlite3_reset(s->p_get);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pl_db_fail(s->db, rc, "find a person", d);
	return PL_OK;
}

/* A night: person p's old row through its anchor (its key and
 * fingerprint), else a new key. */
static enum pl_err find_person(struct store *s, struct store_person *p, struct pl_diag *d)
{
	struct pl_kv old;
	int found = 0;
	enum pl_err err = PL_OK;

	s->found = 0;
	if (p->anchored)
		err = look_episode(s, (uint64_t)p->anchor_file, (uint64_t)p->anchor_line, &old,
				   &found, d);
	if (!err && p->anchored && !found)
		err = pl_diag_set(d, PL_EDATA, NULL, 0, "episode_person has no row for the "
				  "episode at file_id %" PRId64 ", line %" PRId64 ", which the last "
				  "run wrote: run dedup --rescore to write the person tables again",
				  p->anchor_file, p->anchor_line);
	if (!err && found)
		err = same_person(s, old.a, p, d);
	if (err)
		return err;
	p->key = s->found ? (int64_t)old.a : ++s->max_key;
	if (s->found)
		push_key(&s->kept, &s->n_kept, &s->cap_kept, p->key);
	return key_fits(p->key, d);
}

/* A night: the old persons of the episodes given that were not given
 * again are gone. */
static enum pl_err end_touched(struct store *s, struct pl_diag *d)
{
	enum pl_err err = PL_OK;
	size_t k = 0;

	s->n_met = pl_sort_unique(s->met, s->n_met, sizeof(*s->met), cmp_i64);
	s->n_kept = pl_sort_unique(s->kept, s->n_kept, sizeof(*s->kept), cmp_i64);
	for (size_t i = 0; !err && i < s->n_met; i++) {
		while (k < s->n_kept && s->kept[k] < s->met[i])
			k++;
		if (k == s->n_kept || s->kept[k] != s->met[i])
			err = delete_person(s, (uint32_t)s->met[i], d);
	}
	return err;
}

/* ---- writing ------------------------------------------------------------ */

static void bind_person(void *rows, size_t i, sqlite3_stmt *st, int base)
{
	const struct store_row *r = (const struct store_row *)rows + i;

	sqlite3_bind_int64(st, base + 1, r->key);
	sqlite3_bind_text(st, base + 2, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 3, r->text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, base + 4, r->n);
	sqlite3_bind_int(st, base + 5, r->n_districts);
}

static void bind_episode(void *rows, size_t i, sqlite3_stmt *st, int base)
{
	const struct store_row *r = (const struct store_row *)rows + i;

	sqlite3_bind_int64(st, base + 1, r->file_id);
	sqlite3_bind_int64(st, base + 2, r->line);
	sqlite3_bind_int64(st, base + 3, r->key);
	sqlite3_bind_text(st, base + 4, r->text, -1, SQLITE_STATIC);
}

static enum pl_err insert_rows(sqlite3 *db, int table, struct store_row *rows, size_t n,
			       struct pl_diag *d)
{
	if (table == 0)
		return pl_db_insert_rows(db, "INSERT INTO person (person_key, person_id, basis, "
					 "n_episodes, n_districts)", 5, n, bind_person, rows,
					 "store persons", d);
	return pl_db_insert_rows(db, "INSERT INTO episode_person (file_id, line, person_key, "
				 "step)", 4, n, bind_episode, rows, "store episode persons", d);
}

static void *batch_main(void *arg)
{
	struct store_batch *b = arg;

	b->err = insert_rows(b->db, b->table, b->rows, b->n, &b->diag);
	return NULL;
}

/* Waits for the batch being written; its failure into d. */
static enum pl_err wait_batch(struct store *s, struct pl_diag *d)
{
	struct store_batch *b = s->bg;

	if (!b || !b->busy)
		return PL_OK;
	if (b->threaded)
		pthread_join(b->tid, NULL);
	b->busy = 0;
	if (b->err)
		*d = b->diag;
	return b->err;
}

static enum pl_err flush_rows(struct store *s, struct pl_diag *d)
{
	struct store_batch *b = s->bg;
	struct store_row *full = s->rows;
	enum pl_err err;

	if (!s->n_rows)
		return PL_OK;
	if (!b) {
		err = insert_rows(s->db, s->rows_table, s->rows, s->n_rows, d);
		s->n_rows = 0;
		return err;
	}
	err = wait_batch(s, d);
	if (err)
		return err;
	s->rows = b->rows;         /* the batch written before fills next */
	*b = (struct store_batch){ s->db, full, s->n_rows, s->rows_table, 1, 0, 0, PL_OK,
				   { 0 } };
	s->n_rows = 0;
	b->threaded = pthread_create(&b->tid, NULL, batch_main, b) == 0;
	if (!b->threaded)
		batch_main(b);
	return PL_OK;              /* a failure shows at the next wait */
}

/* A row slot for an insert into table (0 person, 1 episode_person). */
static enum pl_err new_row(struct store *s, int table, struct store_row **r, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	if (s->n_rows == ROW_CHUNK || (s->n_rows && s->rows_table != table))
		err = flush_rows(s, d);
	s->rows_table = table;
	*r = &s->rows[s->n_rows++];
	return err;
}

static enum pl_err delete_person(struct store *s, uint32_t key, struct pl_diag *d)
{
	sqlite3_bind_int64(s->p_delete, 1, key);
	s->persons.deleted++;
	return pl_db_step_done(s->db, s->p_delete, "delete a person", d);
}

static enum pl_err delete_episode(struct store *s, const struct pl_kv *old, struct pl_diag *d)
{
	enum pl_err err = log_change(s, old->key, old->key2, old->a, d);

	if (err)
		return err;
	sqlite3_bind_int64(s->e_delete, 1, (sqlite3_int64)old->key);
	sqlite3_bind_int64(s->e_delete, 2, (sqlite3_int64)old->key2);
	s->episodes.deleted++;
	return pl_db_step_done(s->db, s->e_delete, "delete an episode's person", d);
}

/* Whether the pair (hi, lo) comes before (key, key2). */
static int before(uint64_t hi, uint64_t lo, uint64_t key, uint64_t key2)
{
	return hi < key || (hi == key && lo < key2);
}

enum pl_err store_person_begin(struct store *s, struct store_person *p, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	if (s->touched)
		return find_person(s, p, d);
	while (!err && s->p_rc == 1 && before(s->p_at.key, s->p_at.key2, p->hi, p->lo)) {
		err = delete_person(s, s->p_at.a, d);
		if (!err)
			err = next_old(&s->old_p, &s->p_at, &s->p_rc, d);
	}
	s->found = !err && s->p_rc == 1 && s->p_at.key == p->hi && s->p_at.key2 == p->lo;
	p->key = s->found ? (int64_t)s->p_at.a : ++s->max_key;
	s->found_fp = s->found ? s->p_at.b : FP_ALWAYS;
	if (!err && s->found)
		err = next_old(&s->old_p, &s->p_at, &s->p_rc, d);
	return err;
}

enum pl_err store_person_end(struct store *s, const struct store_person *p, struct pl_diag *d)
{
	uint32_t fp = fingerprint(p->basis, p->n_episodes, p->n_districts);
	struct store_row *r;
	enum pl_err err;

	if (s->found) {
		if (fp == s->found_fp && fp != FP_ALWAYS)
			return PL_OK;
		sqlite3_bind_int64(s->p_update, 1, p->key);
		sqlite3_bind_text(s->p_update, 2, p->basis, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s->p_update, 3, p->n_episodes);
		sqlite3_bind_int(s->p_update, 4, p->n_districts);
		s->persons.updated++;
		return pl_db_step_done(s->db, s->p_update, "update a person", d);
	}
	err = new_row(s, 0, &r, d);
	r->key = p->key;
	snprintf(r->id, sizeof(r->id), "%016" PRIx64 "%016" PRIx64, p->hi, p->lo);
	r->text = p->basis;
	r->n = p->n_episodes;
	r->n_districts = p->n_districts;
	s->persons.inserted++;
	return err;
}

/* The persons not met again are gone. */
static enum pl_err end_persons(struct store *s, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	while (!err && s->p_rc == 1) {
		err = delete_person(s, s->p_at.a, d);
		if (!err)
			err = next_old(&s->old_p, &s->p_at, &s->p_rc, d);
	}
	return err;
}

/* The episode (f, l) had the row old: logged and updated unless the same. */
static enum pl_err change_episode(struct store *s, const struct pl_kv *old, int64_t key,
				  enum step step, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	if ((int64_t)old->a == key && old->b == (uint32_t)step)
		return PL_OK;
	if ((int64_t)old->a != key)
		err = log_change(s, old->key, old->key2, old->a, d);
	if (err)
		return err;
	sqlite3_bind_int64(s->e_update, 1, (sqlite3_int64)old->key);
	sqlite3_bind_int64(s->e_update, 2, (sqlite3_int64)old->key2);
	sqlite3_bind_int64(s->e_update, 3, key);
	sqlite3_bind_text(s->e_update, 4, store_step_names[step], -1, SQLITE_STATIC);
	s->episodes.updated++;
	return pl_db_step_done(s->db, s->e_update, "update an episode's person", d);
}

/* The old row of episode (f, l), if any, in *old; the old rows before it
 * are gone (a night looks the row up instead). */
static enum pl_err old_episode_at(struct store *s, uint64_t f, uint64_t l, struct pl_kv *old,
				  int *found, struct pl_diag *d)
{
	enum pl_err err;

	if (s->touched)
		return find_episode(s, f, l, old, found, d);
	err = end_persons(s, d);
	while (!err && s->e_rc == 1 && before(s->e_at.key, s->e_at.key2, f, l)) {
		err = delete_episode(s, &s->e_at, d);
		if (!err)
			err = next_old(&s->old_e, &s->e_at, &s->e_rc, d);
	}
	*found = !err && s->e_rc == 1 && s->e_at.key == f && s->e_at.key2 == l;
	if (*found) {
		*old = s->e_at;
		err = next_old(&s->old_e, &s->e_at, &s->e_rc, d);
	}
	return err;
}

enum pl_err store_episode(struct store *s, int64_t file_id, int64_t line, int64_t key,
			  enum step step, struct pl_diag *d)
{
	struct store_row *r;
	struct pl_kv old;
	int found = 0;
	enum pl_err err = old_episode_at(s, (uint64_t)file_id, (uint64_t)line, &old, &found, d);

	s->last_old_key = !err && found ? (int64_t)old.a : 0;
	if (err || found)
		return err ? err : change_episode(s, &old, key, step, d);
	err = new_row(s, 1, &r, d);
	r->file_id = file_id;
	r->line = line;
	r->key = key;
	r->text = store_step_names[step];
	s->episodes.inserted++;
	return err;
}

enum pl_err store_finish(struct store *s, struct pl_diag *d)
{
	enum pl_err err = s->touched ? end_touched(s, d) : end_persons(s, d);

	while (!err && s->e_rc == 1) {
		err = delete_episode(s, &s->e_at, d);
		if (!err)
			err = next_old(&s->old_e, &s->e_at, &s->e_rc, d);
	}
	if (!err)
		err = flush_rows(s, d);
	if (!err)
		err = wait_batch(s, d);
	return err;
}

void store_release(struct store *s)
{
	struct pl_diag ignored;

	if (s->bg) {
		(void)wait_batch(s, &ignored);
		free(s->bg->rows);
		free(s->bg);
	}
	pl_extsort_release(&s->old_p);
	pl_extsort_release(&s->old_e);
	sqlite3_finalize(s->p_update);
	sqlite3_finalize(s->p_delete);
	sqlite3_finalize(s->e_update);
	sqlite3_finalize(s->e_delete);
	sqlite3_finalize(s->log);
	sqlite3_finalize(s->p_get);
	sqlite3_finalize(s->e_find);
	free(s->met);
	free(s->kept);
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

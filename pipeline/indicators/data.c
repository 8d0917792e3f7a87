/*
 * indicators/data.c - the linked episodes: one compact record per episode,
 * grouped by person, with codes as code-list indexes and dates as day
 * numbers.  A person's sex is resolved over all their episodes (the more
 * frequent of F and M; U when neither or a tie) and so is the birth year
 * (the most frequent known year; the earliest on a tie).
 *
 * Loading reads episode and episode_person each in primary key order
 * (file_id, line), which SQLite does without a sort, and merges the two:
 * every episode must have a person.  It does so in two parts, the keys
 * before the middle link's and the rest, on two threads (see struct
 * part).  The records go through ind_group (group.c), a distribution sort
 * on the person key, one grouping a part, and come back person by person
 * in key order, the parts merged, each person's episodes in (file_id,
 * line) order (as ORDER BY person_key, file_id, line gave them); each
 * person is resolved and written to an unnamed spill file that
 * ind_cursor_next reads.
 *
 * Memory does not grow with the rows: the groupings' block buffers (about
 * 4 MiB together), their block offsets (8 bytes a block of 64 to 4096
 * records: 120 KiB at 10M episodes), the episodes of one bucket of each
 * part at a time (2^15 on average, 2^16 at the most: 40 bytes each and 48
 * more to sort, about 6 MiB for the two and 12 at the most), the second
 * connection's page cache (256 KiB) and the largest person.  The buckets
 * are as many as the episodes / 2^15 (about 160 a part at 10M), each a
 * range of person keys: dedup gives the keys out in person_id order (keyed
 * hashes) on a first run and after the largest to new persons later,
 * whatever their episodes, so a range holds about its share of them; a
 * bucket over 2^16 (keys crowded in its range) is read in passes over its
 * sub-ranges, each of 1/64 of its keys, and only a sub-range over 2^16
 * episodes can take more memory.  Past about 10^8 episodes the block
 * buffers grow (one block of 64 records, 2.5 KiB, a bucket).  On disk, next
 * to the database: the groupings' blocks (40 bytes an episode) until the
 * spill file (24 bytes an episode, 8 a person) is written.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "indicators.h"
#include "schema.h"
#include "spill.h"
#include "value.h"

static const enum pl_codelist lists[IND_N_CODE_DIMS] = {
	PL_CL_DISTRICT, PL_CL_SEX, PL_CL_INTERVENTION, PL_CL_PROVIDER, PL_CL_SUBSTANCE,
	PL_CL_CHILDREN, PL_CL_ID_TYPE,
};

/* The episodes and their persons, each in primary key order, which SQLite
 * reads without sorting; ind_data_load merges them.  %s: a part's range
 * (part_where). */
static const char episode_sql[] =
	"SELECT file_id, line, district, sex, intervention, provider, substance, children, "
	"       id_type, birth_year, start_date, end_date, cost_sek "
	"  FROM episode %s ORDER BY file_id, line";
static const char person_sql[] =
	"SELECT file_id, line, person_key FROM episode_person %s ORDER BY file_id, line";

/* Column of the code dims in episode_sql: 2 + dim. */
#define COL_CODE 2
#define COL_BIRTH_YEAR 9
#define COL_START 10
#define COL_END 11
#define COL_COST 12

/* A code list's texts by hash, for a lookup that is one hash and one
 * comparison: slot holds code index + 1, 0 when empty (open addressing). */
#define CODE_SLOTS 64
struct code_map {
	const char *const *codes;
	int n;                        /* codes: the index of MISSING */
	int8_t slot[CODE_SLOTS];
};

static unsigned hash_code(const char *s)
{
	unsigned h = 2166136261u;     /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % CODE_SLOTS;
}

/* A code dimension has at most IND_MAX_VALUES values, MISSING included. */
static void code_map_init(struct code_map *m, enum pl_codelist list)
{
	memset(m, 0, sizeof(*m));
	m->codes = pl_codes(list);
	for (; m->codes[m->n] && m->n < IND_MAX_VALUES - 1; m->n++) {
		unsigned h = hash_code(m->codes[m->n]);

		while (m->slot[h])
			h = (h + 1) % CODE_SLOTS;
		m->slot[h] = (int8_t)(m->n + 1);
	}
}

/* The index of code in the list (its first), or n (MISSING) for NULL or a
 * code not in it. */
static int8_t code_map_find(const struct code_map *m, const char *code)
{
	if (!code)
		return (int8_t)m->n;
	for (unsigned h = hash_code(code); m->slot[h]; h = (h + 1) % CODE_SLOTS)
		if (strcmp(m->codes[m->slot[h] - 1], code) == 0)
			return (int8_t)(m->slot[h] - 1);
	return (int8_t)m->n;
}

/* Day number of "YYYY-MM-DD", or -1 when it is not one (two dates an
 * episode: pl_date_parse_iso). */
static int parse_day(const char *s, int32_t *out)
{
	struct pl_date dt;

	if (pl_date_parse_iso(s, &dt) != 0)
		return -1;
	*out = (int32_t)pl_date_days(&dt);
	return 0;
}

static int year_of_day(int32_t day)
{
	/* civil-from-days (H. Hinnant), year only */
	long z = (long)day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	return (int)(yoe + era * 400 + (mp >= 10));
}

int ind_year_of_day(int32_t day)
{
	return year_of_day(day);
}

void ind_day_iso(int32_t day, char out[16])
{
	long z = (long)day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	long mday = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;

	char buf[64];

	snprintf(buf, sizeof(buf), "%04ld-%02ld-%02ld", yoe + era * 400 + (month <= 2), month,
		 mday);
	snprintf(out, 16, "%.15s", buf);
}

/* The person of the kept episodes k[0..n): ep[0..n) their episodes with
 * the person's sex (the more frequent of F and M; U when neither or a
 * tie), *birth_year the most frequent known year (the earliest on a
 * tie; 0 if none). */
void ind_resolve(const struct ind_kept_ep *k, size_t n, struct ind_episode *ep, int *birth_year)
{
	size_t f = 0, m = 0, best_n = 0;
	int8_t sex;

	for (size_t i = 0; i < n; i++) {
		f += k[i].ep.code[IND_D_SEX] == 0;
		m += k[i].ep.code[IND_D_SEX] == 1;
	}
	sex = (int8_t)(f > m ? 0 : m > f ? 1 : 2);
	for (size_t i = 0; i < n; i++) {
		ep[i] = k[i].ep;
		ep[i].code[IND_D_SEX] = sex;
	}
	*birth_year = 0;
	for (size_t i = 0; i < n; i++) {
		size_t c = 0;

		if (!k[i].birth_year)
			continue;
		for (size_t j = 0; j < n; j++)
			c += k[j].birth_year == k[i].birth_year;
		if (c > best_n || (c == best_n && k[i].birth_year < *birth_year)) {
			best_n = c;
			*birth_year = k[i].birth_year;
		}
	}
}

/* ---- the persons file: per person a header, then its episodes --------- */

enum pl_err ind_write_person(FILE *f, uint32_t key, const struct ind_kept_ep *k, size_t n,
			     struct pl_diag *d)
{
	struct ind_kept_head h;

	memset(&h, 0, sizeof(h));
	h.key = key;
	h.n = (uint32_t)n;
	if (fwrite(&h, sizeof(h), 1, f) != 1 || (n && fwrite(k, sizeof(*k), n, f) != n))
		return pl_diag_set(d, PL_EIO, NULL, 0, "cannot write the persons' file: %s",
				   strerror(errno));
	return PL_OK;
}

/* Flushes the persons' file: its persons end at data->end. */
static enum pl_err spill_finish(struct ind_data *data, struct pl_diag *d)
{
	off_t end;

	if (fflush(data->spill) != 0 || ferror(data->spill) ||
	    (end = ftello(data->spill)) < 0)
		return pl_diag_set(d, PL_EIO, NULL, 0, "cannot write the persons' file: %s",
				   strerror(errno));
	data->end = (long long)end;
	return PL_OK;
}

/* The kept episodes of resolved ones: each the person's birth year. */
static void keep_resolved(const struct ind_episode *ep, size_t n, int birth_year,
			  struct ind_kept_ep *k)
{
	memset(k, 0, n * sizeof(*k));
	for (size_t i = 0; i < n; i++) {
		k[i].ep = ep[i];
		k[i].birth_year = birth_year;
	}
}

enum pl_err ind_data_spill(struct ind_data *data, const char *dir, struct pl_diag *d)
{
	enum pl_err err = PL_OK;
	FILE *f = pl_spill_open(dir, d);
	struct ind_kept_ep *k = NULL;
	size_t cap = 0;

	if (!f)
		return PL_EIO;
	data->spill = f;
	data->base = 0;
	for (size_t i = 0; i < data->n_p && !err; i++) {
		const struct ind_person *p = &data->p[i];

		if (p->n > cap) {
			cap = p->n;
			k = pl_xrealloc(k, cap * sizeof(*k));
		}
		keep_resolved(data->ep + p->first, p->n, p->birth_year, k);
		err = ind_write_person(f, (uint32_t)(i + 1), k, p->n, d);
	}
	free(k);
	if (!err)
		err = spill_finish(data, d);
	if (err) {
		fclose(f);
		data->spill = NULL;
		return err;
	}
	free(data->ep);
	free(data->p);
	data->ep = NULL;
	data->p = NULL;
	return PL_OK;
}

/* The episode links (to size the grouping) and the largest person key. */
static enum pl_err count_links(sqlite3 *db, long long *n_links, sqlite3_int64 *max_key,
			       struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err;
	int rc;

	*n_links = 0;
	*max_key = 0;
	err = pl_db_prepare(db, "SELECT (SELECT count(*) FROM episode_person), "
			    "(SELECT max(person_key) FROM person)", &st, d);
	if (err)
		return err;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n_links = sqlite3_column_int64(st, 0);
		*max_key = sqlite3_column_int64(st, 1);
	} else {
		err = pl_db_fail(db, rc, "count persons", d);
	}
	sqlite3_finalize(st);
	return err;
}

/* The key (file_id, line) of the link that n_before links come before, in
 * split; split[0] is -1 when there is none. */
static enum pl_err find_split(sqlite3 *db, long long n_before, sqlite3_int64 split[2],
			      struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err;
	int rc;

	split[0] = split[1] = -1;
	err = pl_db_prepare(db, "SELECT file_id, line FROM episode_person "
			    "ORDER BY file_id, line LIMIT 1 OFFSET ?1", &st, d);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, n_before);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		split[0] = sqlite3_column_int64(st, 0);
		split[1] = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		err = pl_db_fail(db, rc, "count persons", d);
	}
	sqlite3_finalize(st);
	return err;
}

/* Episode e's dates into the data's years and as_of (first: e is the
 * first episode noted; only those three fields of data). */
static void note_dates(struct ind_data *data, const struct ind_episode *e, int first)
{
	int year = year_of_day(e->start);

	if (e->start > data->as_of)
		data->as_of = e->start;
	if (e->end != IND_ONGOING && e->end > data->as_of)
		data->as_of = e->end;
	if (first || year < data->first_year)
		data->first_year = year;
	if (year > data->last_year)
		data->last_year = year;
}

/* The dates of episode e from the row, its columns from base on as
 * episode_sql's; the data's years and as_of (note_dates). */
static enum pl_err read_dates(sqlite3 *db, sqlite3_stmt *st, int base, struct ind_data *data,
			      struct ind_episode *e, int first, struct pl_diag *d)
{
	if (parse_day((const char *)sqlite3_column_text(st, base + COL_START), &e->start) != 0)
		return pl_diag_set(d, PL_EDATA, sqlite3_db_filename(db, "main"), 0,
				   "an episode's start date is not a date: run map again");
	if (sqlite3_column_type(st, base + COL_END) == SQLITE_NULL)
		e->end = IND_ONGOING;
	else if (parse_day((const char *)sqlite3_column_text(st, base + COL_END), &e->end) != 0 ||
		 e->end < e->start)
		return pl_diag_set(d, PL_EDATA, sqlite3_db_filename(db, "main"), 0,
				   "an episode's end date is not a date after its start: "
				   "run map again");
	note_dates(data, e, first);
	return PL_OK;
}

/* The merge of the two scans: the episode row and its person's. */
struct scan {
	sqlite3 *db;
	sqlite3_stmt *ep, *link;
	int rc_ep, rc_link;           /* of their last step */
	long long n_ep, n_unlinked;
	size_t n_made;                /* records made */
	struct code_map codes[IND_N_CODE_DIMS];
};

/*
 * The episodes are read in two parts when there are two links or more:
 * the links before the middle one's key (find_split) and the rest, each
 * range of (file_id, line) on a thread and database connection of its own
 * into a grouping of its own; spill_groups then merges the two groupings'
 * persons by key, each person's records of the first part first, so that
 * the persons come out as from one reading.  The connections read in
 * transactions of their own; they see the same commit because ind_run
 * holds the database's write lock (BEGIN IMMEDIATE) from before the load
 * until its tables are written.
 */
#define N_PARTS 2

struct part {
	int idx;                      /* 0: keys below split, 1: from split on */
	const char *path;             /* the database, for a part's own connection */
	sqlite3_int64 split[2];       /* (file_id, line) of the first of part 1 */
	int n_parts;
	struct scan s;
	struct ind_group g;
	struct ind_data stats;        /* first_year, last_year, as_of of its episodes */
	int read_all;                 /* its rows were all read (err: a record's) */
	enum pl_err err;
	struct pl_diag d;
};

/* The WHERE clause of a part's range. */
static const char *part_where(const struct part *pt)
{
	if (pt->n_parts == 1)
		return "";
	return pt->idx == 0 ? "WHERE (file_id, line) < (?1, ?2)" :
		"WHERE (file_id, line) >= (?1, ?2)";
}

/* Steps the link scan up to the episode row's (file_id, line): whether
 * they are the same. */
static int find_link(struct scan *s)
{
	sqlite3_int64 file_id = sqlite3_column_int64(s->ep, 0);
	sqlite3_int64 line = sqlite3_column_int64(s->ep, 1);

	while (s->rc_link == SQLITE_ROW) {
		sqlite3_int64 f = sqlite3_column_int64(s->link, 0);
		sqlite3_int64 l = sqlite3_column_int64(s->link, 1);

		if (f > file_id || (f == file_id && l > line))
			return 0;
		if (f == file_id && l == line)
			return 1;
		s->rc_link = sqlite3_step(s->link);
	}
	return 0;
}

/* The episode of the row st (its columns from base on as episode_sql's)
 * with its own sex and birth year, padding zeroed; dates into stats
 * (first: the first episode read into them).  Every record of an episode,
 * the load's and a night's (a before-image too), is made here, so that
 * one taken out compares equal, byte for byte, to the one counted. */
static enum pl_err episode_of(sqlite3 *db, sqlite3_stmt *st, int base,
			      const struct code_map *codes, struct ind_data *stats, int first,
			      struct ind_kept_ep *k, struct pl_diag *d)
{
	memset(k, 0, sizeof(*k));     /* padding too: records are written and compared whole */
	for (int i = 0; i < IND_N_CODE_DIMS; i++)
		k->ep.code[i] = code_map_find(&codes[i], (const char *)
					      sqlite3_column_text(st, base + COL_CODE + i));
	k->birth_year = sqlite3_column_type(st, base + COL_BIRTH_YEAR) == SQLITE_NULL ? 0 :
		sqlite3_column_int(st, base + COL_BIRTH_YEAR);
	k->ep.cost = sqlite3_column_type(st, base + COL_COST) == SQLITE_NULL ? -1 :
		sqlite3_column_double(st, base + COL_COST);
	if (k->ep.cost < 0)
		k->ep.cost = -1;
	return read_dates(db, st, base, stats, &k->ep, first, d);
}

/* The record of the episode row, for the person of the link row. */
static enum pl_err make_record(struct scan *s, struct ind_data *data, struct ind_load_rec *r,
			       struct pl_diag *d)
{
	struct ind_kept_ep k;
	enum pl_err err = episode_of(s->db, s->ep, 0, s->codes, data, s->n_made++ == 0, &k,
				     d);

	memset(r, 0, sizeof(*r));
	memcpy(&r->ep, &k.ep, sizeof(r->ep));
	r->person_key = sqlite3_column_int64(s->link, 2);
	r->birth_year = k.birth_year;
	return err;
}

/* Reads every episode with its person into g.  An episode without a
 * person is PL_EDATA with the count of them, before any other error; past
 * the first error the rows are only counted. */
static enum pl_err scan_episodes(struct scan *s, struct ind_data *data, struct ind_group *g,
				 struct pl_diag *d)
{
	enum pl_err err = PL_OK;
	struct ind_load_rec r;

	s->rc_link = sqlite3_step(s->link);
	while ((s->rc_ep = sqlite3_step(s->ep)) == SQLITE_ROW) {
		int linked = find_link(s);

		s->n_ep++;
		s->n_unlinked += !linked;
		if (!err && linked)
			err = make_record(s, data, &r, d);
		if (!err && linked)
			err = ind_group_add(g, &r, d);
	}
	if (s->rc_ep != SQLITE_DONE)
		return pl_db_fail(s->db, s->rc_ep, "read episodes", d);
	if (s->rc_link != SQLITE_ROW && s->rc_link != SQLITE_DONE)
		return pl_db_fail(s->db, s->rc_link, "read episodes", d);
	return err;
}

/* Prepares a statement of the part's range: sql with its WHERE clause. */
static enum pl_err prepare_part(sqlite3 *db, const struct part *pt, const char *sql,
				sqlite3_stmt **st, struct pl_diag *d)
{
	char text[512];
	enum pl_err err;

	snprintf(text, sizeof(text), sql, part_where(pt));
	err = pl_db_prepare(db, text, st, d);
	if (!err && pt->n_parts > 1) {
		sqlite3_bind_int64(*st, 1, pt->split[0]);
		sqlite3_bind_int64(*st, 2, pt->split[1]);
	}
	return err;
}

/* Reads the part's episodes into its grouping, on db: the stage's
 * connection for part 0, else one of its own.  Sets pt->err and pt->d. */
static void read_part(struct part *pt, sqlite3 *db)
{
	sqlite3 *own = NULL;

	pt->stats.as_of = INT32_MIN;
	for (int k = 0; k < IND_N_CODE_DIMS; k++)
		code_map_init(&pt->s.codes[k], lists[k]);
	if (!db) {
		pt->err = pl_db_open_existing(pt->path, &own, &pt->d);
		db = own;
	}
	if (own && !pt->err)      /* a scan in key order: few pages are read twice */
		pt->err = pl_db_exec(own, "PRAGMA cache_size = -256", &pt->d);
	pt->s.db = db;
	if (!pt->err)
		pt->err = prepare_part(db, pt, episode_sql, &pt->s.ep, &pt->d);
	if (!pt->err)
		pt->err = prepare_part(db, pt, person_sql, &pt->s.link, &pt->d);
	if (!pt->err)
		pt->err = scan_episodes(&pt->s, &pt->stats, &pt->g, &pt->d);
	pt->read_all = pt->s.rc_ep == SQLITE_DONE &&
		(pt->s.rc_link == SQLITE_ROW || pt->s.rc_link == SQLITE_DONE);
	sqlite3_finalize(pt->s.ep);
	sqlite3_finalize(pt->s.link);
	pt->s.ep = pt->s.link = NULL;
	pl_db_close(own);
}

static void *read_part_thread(void *arg)
{
	read_part(arg, NULL);
	return NULL;
}

/* The data's years and as_of from the parts'. */
static void join_stats(struct ind_data *data, const struct part *pt, int n)
{
	int seen = 0;

	for (int i = 0; i < n; i++) {
		if (!pt[i].s.n_made)
			continue;
		if (!seen || pt[i].stats.first_year < data->first_year)
			data->first_year = pt[i].stats.first_year;
		if (pt[i].stats.last_year > data->last_year)
			data->last_year = pt[i].stats.last_year;
		if (pt[i].stats.as_of > data->as_of)
			data->as_of = pt[i].stats.as_of;
		seen = 1;
	}
}

/* The first error of the parts pt[0..n) that could not be read whole (want
 * 0) or of one that could (want 1) into d; PL_OK if none. */
static enum pl_err part_error(const struct part *pt, int n, int want, struct pl_diag *d)
{
	for (int i = 0; i < n; i++)
		if (pt[i].err && pt[i].read_all == want) {
			if (d)
				*d = pt[i].d;
			return pt[i].err;
		}
	return PL_OK;
}

/* Reads the parts pt[0..n), part 0 on db and this thread, the other on a
 * thread of its own (or after part 0 if none can be made), and sets the
 * data's years and as_of from theirs.  Errors as from one reading: a part
 * that could not be read; else episodes without a person (PL_EDATA with
 * the count of them in all parts); else a bad record of the first part
 * that has one. */
static enum pl_err read_parts(sqlite3 *db, struct part *pt, int n, struct ind_data *data,
			      struct pl_diag *d)
{
	pthread_t tid;
	int threaded = n > 1 && pthread_create(&tid, NULL, read_part_thread, &pt[1]) == 0;
	long long n_ep = 0, n_unlinked = 0;
	enum pl_err err;

	read_part(&pt[0], db);
	if (threaded)
		pthread_join(tid, NULL);
	else if (n > 1)
		read_part(&pt[1], NULL);
	join_stats(data, pt, n);
	err = part_error(pt, n, 0, d);
	if (err)
		return err;
	for (int i = 0; i < n; i++) {
		n_ep += pt[i].s.n_ep;
		n_unlinked += pt[i].s.n_unlinked;
	}
	if (n_unlinked)
		return pl_diag_set(d, PL_EDATA, sqlite3_db_filename(db, "main"), 0,
				   "%lld of %lld episodes have no person: run dedup first",
				   n_unlinked, n_ep);
	return part_error(pt, n, 1, d);
}

/* One person's episodes while writing. */
struct person_buf {
	int64_t key;
	struct ind_kept_ep *k;
	size_t n, cap;
};

static void person_buf_add(struct person_buf *pb, const struct ind_load_rec *r)
{
	if (pb->n == pb->cap) {
		pb->cap = pb->cap ? 2 * pb->cap : 64;
		pb->k = pl_xrealloc(pb->k, pb->cap * sizeof(*pb->k));
	}
	memset(&pb->k[pb->n], 0, sizeof(pb->k[pb->n]));
	pb->k[pb->n].ep = r->ep;
	pb->k[pb->n].birth_year = r->birth_year;
	pb->key = r->person_key;
	pb->n++;
}

/* Writes the person in pb to the persons' file, as read: the episodes'
 * own sexes and birth years (the cursor resolves them). */
static enum pl_err flush_person(struct ind_data *data, struct person_buf *pb,
				struct pl_diag *d)
{
	size_t n = pb->n;

	if (n == 0)
		return PL_OK;
	if (pb->key < 1 || pb->key > (int64_t)UINT32_MAX)
		return pl_diag_set(d, PL_EDATA, NULL, 0, "a person_key beyond 32 bits (%lld): "
				   "run dedup again", (long long)pb->key);
	data->n_p++;
	data->n_ep += n;
	pb->n = 0;
	return ind_write_person(data->spill, (uint32_t)pb->key, pb->k, n, d);
}

/* Writes the persons of the parts' groupings, merged by person key (each
 * person's records of part 0 first), resolved, to the data's spill file. */
static enum pl_err spill_groups(struct ind_data *data, struct part *pt, int n_parts,
				struct pl_diag *d)
{
	struct person_buf pb = { 0 };
	struct ind_load_rec *head[N_PARTS];   /* each part's next person: */
	size_t n[N_PARTS];                    /* its records, */
	int rc[N_PARTS];                      /* 1, 0 after the last, -1 error */
	enum pl_err err = PL_OK;

	for (int i = 0; i < n_parts; i++)
		rc[i] = ind_group_next(&pt[i].g, &head[i], &n[i], d);
	for (;;) {
		int64_t key = INT64_MAX;
		int any = 0;

		for (int i = 0; i < n_parts; i++) {
			if (rc[i] < 0)
				err = PL_EIO;
			if (rc[i] == 1 && (!any || head[i][0].person_key < key)) {
				key = head[i][0].person_key;
				any = 1;
			}
		}
		if (err || !any)
			break;
		for (int i = 0; i < n_parts; i++) {
			if (rc[i] != 1 || head[i][0].person_key != key)
				continue;
			for (size_t j = 0; j < n[i]; j++)
				person_buf_add(&pb, &head[i][j]);
			rc[i] = ind_group_next(&pt[i].g, &head[i], &n[i], d);
		}
		err = flush_person(data, &pb, d);
		if (err)
			break;
	}
	if (!err)
		err = spill_finish(data, d);
	free(pb.k);
	return err;
}

enum pl_err ind_data_load(sqlite3 *db, struct ind_data *data, struct pl_diag *d)
{
	return ind_data_load_to(db, NULL, data, d);
}

enum pl_err ind_data_load_to(sqlite3 *db, FILE *out, struct ind_data *data, struct pl_diag *d)
{
	struct part pt[N_PARTS];
	const char *path = sqlite3_db_filename(db, "main");
	sqlite3_int64 max_key, split[2] = { -1, -1 };
	long long n_links;
	char *dir = NULL;
	int n_parts = 1;
	enum pl_err err;

	memset(data, 0, sizeof(*data));
	memset(pt, 0, sizeof(pt));
	data->as_of = INT32_MIN;
	data->spill = out;
	data->spill_borrowed = out != NULL;
	if (out && (data->base = (long long)ftello(out)) < 0)
		return pl_diag_set(d, PL_EIO, NULL, 0, "cannot write the persons' file: %s",
				   strerror(errno));
	dir = pl_dir_of(path);
	err = count_links(db, &n_links, &max_key, d);
	if (!err && n_links >= N_PARTS && path && path[0])
		err = find_split(db, n_links / N_PARTS, split, d);
	if (!err && n_links >= N_PARTS && path && path[0] && split[0] >= 0)
		n_parts = N_PARTS;            /* a database file: one more connection */
	for (int i = 0; i < n_parts && !err; i++) {
		size_t share = n_links > 0 ? (size_t)n_links / (size_t)n_parts : 0;

		pt[i].idx = i;
		pt[i].n_parts = n_parts;
		pt[i].path = path;
		memcpy(pt[i].split, split, sizeof(split));
		err = ind_group_init(&pt[i].g, dir, max_key, share,
				     IND_GROUP_BUCKET_RECS / (size_t)n_parts,
				     IND_GROUP_BUFFER_BYTES / (size_t)n_parts, d);
	}
	if (!err)
		err = read_parts(db, pt, n_parts, data, d);
	if (!err && !data->spill && !(data->spill = pl_spill_open(dir, d)))
		err = PL_EIO;
	if (!err)
		err = spill_groups(data, pt, n_parts, d);
	for (int i = 0; i < n_parts; i++)
		ind_group_release(&pt[i].g);
	free(dir);
	return err;
}

void ind_data_release(struct ind_data *data)
{
	if (data->spill && !data->spill_borrowed)
		fclose(data->spill);
	free(data->ep);
	free(data->p);
	memset(data, 0, sizeof(*data));
}

/* ---- reading the persons back ---------------------------------------------- */

enum pl_err ind_cursor_open(struct ind_cursor *c, const struct ind_data *data,
			    struct pl_diag *d)
{
	struct stat st;

	memset(c, 0, sizeof(*c));
	c->data = data;
	if (!data->spill)
		return PL_OK;
	if (fflush(data->spill) != 0 || fstat(fileno(data->spill), &st) != 0)
		return pl_diag_set(d, PL_EIO, NULL, 0, "cannot read a temporary file: %s",
				   strerror(errno));
	c->at = data->base;
	c->size = data->end < (long long)st.st_size ? data->end : (long long)st.st_size;
	c->cap = data->chunk_bytes ? data->chunk_bytes : IND_CHUNK_BYTES;
	c->buf = pl_xmalloc(c->cap);
	return PL_OK;
}

/* Makes need bytes from pos on available in buf: -1 on a read error or a
 * short file.  Reads at the cursor's own offset (pread), so that cursors
 * on several threads may read one file. */
static int cursor_fill(struct ind_cursor *c, size_t need, struct pl_diag *d)
{
	size_t want;

	if (c->len - c->pos >= need)
		return 0;
	memmove(c->buf, c->buf + c->pos, c->len - c->pos);
	c->len -= c->pos;
	c->pos = 0;
	if (need > c->cap) {
		c->cap = need;
		c->buf = pl_xrealloc(c->buf, c->cap);
	}
	want = c->cap - c->len;
	if ((long long)want > c->size - c->at)
		want = (size_t)(c->size - c->at);
	errno = 0;
	if (want && pl_spill_read(c->data->spill, c->buf + c->len, want, c->at) != 0)
		want = 0;
	else {
		c->len += want;
		c->at += (long long)want;
	}
	if (c->len >= need)
		return 0;
	pl_diag_set(d, PL_EIO, NULL, 0, "cannot read a temporary file: %s",
		    errno ? strerror(errno) : "it ended early");
	return -1;
}

int ind_cursor_next(struct ind_cursor *c, struct ind_person *p,
		    const struct ind_episode **eps, struct pl_diag *d)
{
	struct ind_kept_head h;
	size_t size;
	int birth_year;

	if (c->next == c->data->n_p)
		return 0;
	if (!c->data->spill) {
		*p = c->data->p[c->next++];
		*eps = c->data->ep + p->first;
		p->first = 0;
		return 1;
	}
	if (cursor_fill(c, sizeof(h), d) != 0)
		return -1;
	memcpy(&h, c->buf + c->pos, sizeof(h));
	size = sizeof(h) + (size_t)h.n * sizeof(struct ind_kept_ep);
	if (cursor_fill(c, size, d) != 0)
		return -1;
	if (h.n > c->cap_ep) {
		c->cap_ep = h.n;
		c->ep = pl_xrealloc(c->ep, c->cap_ep * sizeof(*c->ep));
	}
	ind_resolve((const struct ind_kept_ep *)(const void *)(c->buf + c->pos + sizeof(h)), h.n,
		    c->ep, &birth_year);
	*eps = c->ep;
	c->pos += size;
	p->first = 0;
	p->n = h.n;
	p->birth_year = birth_year;
	c->next++;
	return 1;
}

void ind_cursor_close(struct ind_cursor *c)
{
	free(c->buf);
	free(c->ep);
	memset(c, 0, sizeof(*c));
}

/* ---- a night's changes (state.c) ------------------------------------------- */

/* The episodes of the files after the state's, with their persons; and
 * the episodes logged in person_change (schema.sql) of the files before:
 * those dedup moved to another person and those map changed in place,
 * each with the person it had (old_key; 0: none, an episode map
 * inserted), the one it has, and as it was before map's first change
 * (episode_before, b; none for dedup's moves, which change no content).
 * Columns as episode_sql's, then person_key and old_key, then b's as
 * episode_sql's. */
#define COLS_OF(t) t ".file_id, " t ".line, " t ".district, " t ".sex, " t ".intervention, " \
	t ".provider, " t ".substance, " t ".children, " t ".id_type, " t ".birth_year, " \
	t ".start_date, " t ".end_date, " t ".cost_sek"
#define EPISODE_COLS COLS_OF("e")
static const char new_sql[] =
	"SELECT " EPISODE_COLS ", p.person_key, NULL FROM episode e "
	"  JOIN episode_person p USING (file_id, line) WHERE e.file_id > ?1";
static const char unlinked_sql[] =
	"SELECT count(*) FROM episode e WHERE e.file_id > ?1 AND NOT EXISTS "
	"  (SELECT 1 FROM episode_person p WHERE p.file_id = e.file_id AND p.line = e.line)";
static const char moved_sql[] =
	"SELECT " EPISODE_COLS ", p.person_key, c.old_key, " COLS_OF("b") " FROM person_change c "
	"  LEFT JOIN episode e ON e.file_id = c.file_id AND e.line = c.line "
	"  LEFT JOIN episode_person p ON p.file_id = c.file_id AND p.line = c.line "
	"  LEFT JOIN episode_before b ON b.file_id = c.file_id AND b.line = c.line "
	" WHERE c.file_id <= ?1";
#define COL_KEY 13
#define COL_OLD_KEY 14
#define COL_BEFORE 15

static void change_add(struct ind_changes *ch, int64_t key, int add, const struct ind_kept_ep *k)
{
	if (ch->n == ch->cap) {
		ch->cap = ch->cap ? 2 * ch->cap : 1024;
		ch->c = pl_xrealloc(ch->c, ch->cap * sizeof(*ch->c));
	}
	memset(&ch->c[ch->n], 0, sizeof(ch->c[ch->n]));
	ch->c[ch->n].key = (uint32_t)key;
	ch->c[ch->n].add = add;
	ch->c[ch->n].k = *k;
	ch->n++;
}

/* Whether column col is a person key: an integer from min (0: none too)
 * to UINT32_MAX. */
static int key_ok(sqlite3_stmt *st, int col, sqlite3_int64 min)
{
	sqlite3_int64 v = sqlite3_column_int64(st, col);

	return sqlite3_column_type(st, col) == SQLITE_INTEGER && v >= min &&
		v <= (sqlite3_int64)UINT32_MAX;
}

/* An episode of a new file (new_sql's row), added to its person. */
static enum pl_err new_row(sqlite3 *db, sqlite3_stmt *st, const struct code_map *codes,
			   struct ind_changes *ch, struct pl_diag *d)
{
	struct ind_kept_ep k;
	enum pl_err err;

	if (sqlite3_column_type(st, 0) == SQLITE_NULL || !key_ok(st, COL_KEY, 1)) {
		ch->usable = 0;
		return PL_OK;
	}
	err = episode_of(db, st, 0, codes, &ch->stats, ch->n_stats == 0, &k, d);
	if (err)
		return err;
	change_add(ch, sqlite3_column_int64(st, COL_KEY), 1, &k);
	ch->n_stats++;
	ch->n_new++;
	return PL_OK;
}

/* A logged episode (moved_sql's row): taken out of the person it had
 * (none if old_key is 0) as it was counted, its before-image b if map
 * logged one, else e (dedup changes no content); and added to the person
 * it has as it is now (none if map deleted it).  A row with neither b nor
 * e to take out, or with e and no person, makes the changes unusable.
 * Only what is added goes into ch->stats; a before-image taken out whose
 * dates are not e's (or whose e is gone) into ch->out_stats. */
static enum pl_err logged_row(sqlite3 *db, sqlite3_stmt *st, const struct code_map *codes,
			      struct ind_changes *ch, struct pl_diag *d)
{
	int has_e = sqlite3_column_type(st, 0) != SQLITE_NULL;
	int has_b = sqlite3_column_type(st, COL_BEFORE) != SQLITE_NULL;
	sqlite3_int64 old_key = sqlite3_column_int64(st, COL_OLD_KEY);
	struct ind_kept_ep now, before;
	struct ind_data scratch;
	enum pl_err err = PL_OK;

	if (!key_ok(st, COL_OLD_KEY, 0) || (has_e && !key_ok(st, COL_KEY, 1)) ||
	    (old_key && !has_e && !has_b)) {
		ch->usable = 0;
		return PL_OK;
	}
	memset(&scratch, 0, sizeof(scratch));
	if (has_e)
		err = episode_of(db, st, 0, codes, &ch->stats, ch->n_stats == 0, &now, d);
	if (!err && has_b && old_key)
		err = episode_of(db, st, COL_BEFORE, codes, &scratch, 1, &before, d);
	if (err)
		return err;
	if (has_e) {
		change_add(ch, sqlite3_column_int64(st, COL_KEY), 1, &now);
		ch->n_stats++;
	}
	if (old_key && has_b) {
		change_add(ch, old_key, 0, &before);
		if (!has_e || before.ep.start != now.ep.start || before.ep.end != now.ep.end)
			note_dates(&ch->out_stats, &before.ep, ch->n_out_stats++ == 0);
	} else if (old_key) {
		change_add(ch, old_key, 0, &now);
	}
	if (has_b || !old_key || !has_e)
		ch->n_in_place++;
	else
		ch->n_moved++;
	return PL_OK;
}

/* The changes of new_sql (logged 0) or moved_sql (1); a row that does not
 * make one leaves them unusable. */
static enum pl_err read_changes(sqlite3 *db, int logged, int64_t max_file_id,
				struct ind_changes *ch, struct pl_diag *d)
{
	struct code_map codes[IND_N_CODE_DIMS];
	sqlite3_stmt *st = NULL;
	enum pl_err err;
	int rc = SQLITE_DONE;

	for (int i = 0; i < IND_N_CODE_DIMS; i++)
		code_map_init(&codes[i], lists[i]);
	err = pl_db_prepare(db, logged ? moved_sql : new_sql, &st, d);
	if (!err)
		sqlite3_bind_int64(st, 1, max_file_id);
	while (!err && ch->usable && (rc = sqlite3_step(st)) == SQLITE_ROW)
		err = logged ? logged_row(db, st, codes, ch, d) : new_row(db, st, codes, ch, d);
	if (!err && ch->usable && rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, "read the changed episodes", d);
	sqlite3_finalize(st);
	return err;
}

static int cmp_change(const void *a, const void *b)
{
	const struct ind_change *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->add - y->add;       /* what is taken out before what is added */
}

enum pl_err ind_changes_read(sqlite3 *db, int64_t max_file_id, struct ind_changes *ch,
			     struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err;

	memset(ch, 0, sizeof(*ch));
	ch->usable = 1;
	ch->stats.as_of = INT32_MIN;
	ch->out_stats.as_of = INT32_MIN;
	err = pl_db_prepare(db, unlinked_sql, &st, d);
	if (!err) {
		sqlite3_bind_int64(st, 1, max_file_id);
		if (sqlite3_step(st) != SQLITE_ROW)
			err = pl_db_fail(db, sqlite3_errcode(db), "read the changed episodes", d);
		else
			ch->usable = sqlite3_column_int64(st, 0) == 0;
	}
	sqlite3_finalize(st);
	if (!err && ch->usable)
		err = read_changes(db, 0, max_file_id, ch, d);
	if (!err && ch->usable)
		err = read_changes(db, 1, max_file_id, ch, d);
	if (!err && ch->n)
		qsort(ch->c, ch->n, sizeof(*ch->c), cmp_change);
	return err;
}

void ind_changes_release(struct ind_changes *ch)
{
	free(ch->c);
	memset(ch, 0, sizeof(*ch));
}

void ind_delta_add(struct ind_delta *dl, const struct ind_kept_ep *k, size_t n, int sign)
{
	struct ind_person *p;
	int birth_year;

	if (dl->n_p == dl->cap_p) {
		dl->cap_p = dl->cap_p ? 2 * dl->cap_p : 1024;
		dl->p = pl_xrealloc(dl->p, dl->cap_p * sizeof(*dl->p));
		dl->sign = pl_xrealloc(dl->sign, dl->cap_p * sizeof(*dl->sign));
	}
	if (dl->n_ep + n > dl->cap_ep) {
		dl->cap_ep = 2 * (dl->n_ep + n);
		dl->ep = pl_xrealloc(dl->ep, dl->cap_ep * sizeof(*dl->ep));
	}
	ind_resolve(k, n, dl->ep + dl->n_ep, &birth_year);
	p = &dl->p[dl->n_p];
	p->first = dl->n_ep;
	p->n = n;
	p->birth_year = birth_year;
	dl->sign[dl->n_p++] = (signed char)sign;
	dl->n_ep += n;
}

void ind_delta_release(struct ind_delta *dl)
{
	free(dl->ep);
	free(dl->p);
	free(dl->sign);
	memset(dl, 0, sizeof(*dl));
}

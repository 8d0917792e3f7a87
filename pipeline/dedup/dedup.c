/*
 * dedup/dedup.c - link the episodes of one person across districts.
 *
 * 1. Deterministic: episodes sharing a person_ref (a valid personnummer or
 *    samordningsnummer, or a source's reserve number) are one node.
 * 2. Probabilistic, Fellegi-Sunter: pairs of episodes that share a blocking
 *    key, one of them without a valid identity number, are compared on first
 *    and last name (Jaro-Winkler bands, swapped names), birth date (exact,
 *    typo, same month), sex and postcode.  u (chance agreement) comes from
 *    random pairs; m from the pairs of episodes that share a valid number
 *    (or from EM over the candidate pairs, with the match share); exact name
 *    agreement is adjusted for the name's frequency.
 * 3. Clustering: union-find over the nodes, strongest links first; a link
 *    that would join two different valid identity numbers is refused.
 *
 * Memory holds only the episodes without a valid identity number (the
 * "open" ones, a few percent): every pair compared has one of them.  All
 * episodes go once through an unnamed spill file of packed comparison
 * records with their blocking keys, which the pair passes stream; the
 * episodes with a valid number are persons by their number, grouped and
 * written through external sorts (write_persons).  So memory grows with
 * the open episodes and the distinct names, not with the data.
 *
 * Linkage fields are unsealed in memory only and never written: the tables
 * and the spill file hold levels, weights, pool ids, hashes and
 * pseudonymous ids.  The person layer is computed whole in one transaction
 * and only its changes are written (dedup/store.c).
 *
 * Nights (dedup/state.h, "nights" below): the estimated parameters are
 * stored and reused for refresh_days; a run with them whose first episodes
 * are exactly the last run's scores only the pairs with a new episode and
 * takes the others from linkage_pair, which gives the tables of a run
 * scoring every pair with the same parameters (--rescore).
 */
#define _POSIX_C_SOURCE 200809L
#include "dedup.h"
#include "dedup_int.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "compare.h"
#include "db.h"
#include "extsort.h"
#include "intern.h"
#include "log.h"
#include "queue.h"
#include "secret.h"
#include "spill.h"
#include "state.h"
#include "store.h"
#include "text.h"
#include "uf.h"
#include "value.h"

/* ---- clustering --------------------------------------------------------- */

static int cmp_weight_desc(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return x->b < y->b ? -1 : x->b > y->b;
}

/* The open record at spill position idx; SIZE_MAX if it has a valid number
 * (by_idx lists the open records in spill order). */
static size_t open_at(const struct dedup *dd, uint32_t idx)
{
	size_t lo = 0, hi = dd->n_open;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (view_at(dd, dd->by_idx[mid])->idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < dd->n_open && view_at(dd, dd->by_idx[lo])->idx == idx ? dd->by_idx[lo]
									   : SIZE_MAX;
}

/* The valid record at spill position idx among those the pairs name. */
static const struct vrec *vrec_at(const struct dedup *dd, uint32_t idx)
{
	size_t lo = 0, hi = dd->n_vrecs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (dd->vrecs[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < dd->n_vrecs && dd->vrecs[lo].idx == idx ? &dd->vrecs[lo] : NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The records with a valid number that the pairs name, one node per
 * person_ref (read back from the database by file and line). */
enum pl_err dd_valid_nodes(struct dedup *dd, struct pl_diag *d)
{
	uint32_t *idx = pl_xmalloc((2 * dd->n_pairs + 1) * sizeof(*idx));
	struct srec *s = pl_xmalloc(sizeof(*s));
	sqlite3_stmt *st = NULL;
	size_t n = 0, u = 0;
	enum pl_err err;

	for (size_t i = 0; i < dd->n_pairs; i++) {
		if (open_at(dd, dd->pairs[i].a) == SIZE_MAX)
			idx[n++] = dd->pairs[i].a;
		if (open_at(dd, dd->pairs[i].b) == SIZE_MAX)
			idx[n++] = dd->pairs[i].b;
	}
	if (n)
		qsort(idx, n, sizeof(*idx), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (!u || idx[u - 1] != idx[i])
			idx[u++] = idx[i];
	dd->vrecs = pl_xmalloc((u + 1) * sizeof(*dd->vrecs));
	err = pl_db_prepare(dd->db, "SELECT person_ref FROM episode WHERE file_id = ?1 AND "
			    "line = ?2", &st, d);
	for (size_t i = 0; !err && i < u; i++) {
		struct vrec *v = &dd->vrecs[dd->n_vrecs];
		int rc;

		if (spill_get(dd, idx[i], 1, s) != 0) {
			err = pl_diag_set(d, PL_EIO, NULL, 0, "cannot read a temporary file: %s",
					  strerror(errno));
			break;
		}
		sqlite3_bind_int64(st, 1, s->file_id);
		sqlite3_bind_int64(st, 2, s->line);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW || !sqlite3_column_text(st, 0)) {
			err = pl_db_fail(dd->db, rc == SQLITE_ROW ? SQLITE_CORRUPT : rc,
					 "read an episode's person_ref again", d);
			break;
		}
		v->idx = idx[i];
		v->file_id = s->file_id;
		v->line = s->line;
		v->node = (uint32_t)(dd->n_open_nodes +
				     pl_intern_add(&dd->vrefs, (const char *)sqlite3_column_text(st, 0)));
		sqlite3_reset(st);
		dd->n_vrecs++;
	}
	sqlite3_finalize(st);
	dd->n_nodes = dd->n_open_nodes + pl_intern_count(&dd->vrefs);
	dd->node_valid = pl_xcalloc(dd->n_nodes + 1, 1);
	for (size_t i = 0; i < dd->n_vrecs; i++)
		dd->node_valid[dd->vrecs[i].node] = 1;
	free(idx);
	free(s);
	return err;
}

static size_t node_of(const struct dedup *dd, uint32_t idx)
{
	size_t o = open_at(dd, idx);

	return o != SIZE_MAX ? view_at(dd, o)->c.node : vrec_at(dd, idx)->node;
}

/* Unions nodes along the links, strongest first; marks the links that
 * joined two persons. */
void dd_cluster(struct dedup *dd, struct pl_uf *uf)
{
	pl_uf_init(uf, dd->n_nodes ? dd->n_nodes : 1);
	qsort(dd->pairs, dd->n_pairs, sizeof(*dd->pairs), cmp_weight_desc);
	for (size_t i = 0; i < dd->n_pairs; i++) {
		struct pair *p = &dd->pairs[i];
		size_t ra, rb;
		unsigned char valid;

		if (p->weight < dd->cfg.threshold)
			continue;
		ra = pl_uf_find(uf, node_of(dd, p->a));
		rb = pl_uf_find(uf, node_of(dd, p->b));
		if (ra == rb)
			continue; /* already joined by stronger links */
		if (dd->node_valid[ra] && dd->node_valid[rb]) {
			dd->sum->refused++;
			continue;
		}
		valid = dd->node_valid[ra] | dd->node_valid[rb];
		pl_uf_union(uf, ra, rb);
		dd->node_valid[pl_uf_find(uf, ra)] = valid;
		p->linked = 1;
		dd->sum->links++;
	}
}

/* ---- persons ------------------------------------------------------------ */

/*
 * The persons are written without holding the episodes with a valid
 * number:
 * 1. the open records' persons are named in memory (the valid number a
 *    link joined them to, else their reserve number or a pseudonym), with
 *    each open record's step, and sorted by person_id;
 * 2. load_records gave every episode with a valid number to an external
 *    sort by person_ref (lib/extsort; person_refs are 32 hex digits, 128
 *    bits); merged with the open persons, each run of one id is a person,
 *    in person_id order, matched against the rows person held (dedup/store:
 *    its old key, else the next one); each episode's key and step go to a
 *    second external sort, by position in the spill file;
 * 3. episode_person is matched from that sort, reading the spill file
 *    alongside for file and line: (file_id, line) order, the table's own,
 *    and only its changes are written.
 */

/* A person with open records (32 bytes: there may be as many as open
 * records). */
struct operson {
	uint64_t hi, lo;           /* its id as 128 bits */
	const char *basis;
	uint32_t first, n;         /* its records: members first..first+n */
};

struct member {
	size_t root;
	uint32_t pos;              /* its position in the spill */
	uint32_t idx;              /* an open record */
};

struct writer {
	struct dedup *dd;
	char **file_names;          /* by position in file_ids */
	long long *file_ids;
	size_t n_files;
	struct pl_intern made_ids;  /* ids of persons without a number (pseudonyms) */
	struct member *m;           /* the open records, grouped by person */
	unsigned char *step;        /* by open record */
	struct operson *op;         /* the persons with open records, by id */
	size_t n_op;
	uint32_t *open_key;         /* by open record: its person's key */
	struct store st;            /* the rows written as changes */
	uint32_t *seen;             /* by district: the person key that last had it */
	uint32_t *src_seen;         /* by source: likewise */
	size_t *p_src, n_p_src;     /* the sources of the person being written */
	long *src_persons;          /* by source: persons with an episode from it, */
	long *src_across;           /* and of those in two or more districts */
	struct pl_extsort by_pos;   /* (position, person_key, step) of every episode */
	unsigned char *buf;         /* spill records, read alongside by_pos */
};

static const char *file_name(const struct writer *w, long long file_id)
{
	size_t lo = 0, hi = w->n_files;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (w->file_ids[mid] < file_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->n_files && w->file_ids[lo] == file_id ? w->file_names[lo] : "?";
}

static enum pl_err load_file_names(struct writer *w, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(w->dd->db, "SELECT file_id, name FROM input_file "
					"ORDER BY file_id", &st, d);
	int rc;

	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		w->file_ids = pl_xrealloc(w->file_ids, (w->n_files + 1) * sizeof(long long));
		w->file_names = pl_xrealloc(w->file_names, (w->n_files + 1) * sizeof(char *));
		w->file_ids[w->n_files] = sqlite3_column_int64(st, 0);
		w->file_names[w->n_files++] = pl_xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	if (!err && rc != SQLITE_DONE)
		err = pl_db_fail(w->dd->db, rc, "read file names", d);
	sqlite3_finalize(st);
	return err;
}

static int cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_operson(const void *a, const void *b)
{
	const struct operson *x = a, *y = b;

	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The id and basis of the person made of the open records g[0..n) and,
 * if vnode is not SIZE_MAX, that valid number's episodes. */
static void name_person(struct writer *w, const struct member *g, size_t n, size_t vnode,
			const char **id, const char **basis)
{
	struct dedup *dd = w->dd;
	const char *best = NULL;
	const struct orec *first = &dd->open[g[0].idx];
	char msg[600], made[PL_PSEUDONYM_HEX];
	int len;

	if (vnode != SIZE_MAX) {
		*id = pl_intern_str(&dd->vrefs, (uint32_t)(vnode - dd->n_open_nodes));
		*basis = "PNR";
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct orec *o = &dd->open[g[i].idx];
		const char *ref = o->ref_id == ID_BLANK ? NULL : pl_intern_str(&dd->refs, o->ref_id);

		if (ref && (!best || strcmp(ref, best) < 0))
			best = ref;
	}
	if (best) {
		*id = best;
		*basis = "RESERV";
		return;
	}
	len = snprintf(msg, sizeof(msg), "E|%s|%ld", file_name(w, first->file_id),
		       (long)first->line);
	pl_pseudonym(dd->ref_key, msg, (size_t)len, made);
	*id = pl_intern_str(&w->made_ids, pl_intern_add(&w->made_ids, made));
	*basis = n > 1 ? "LINKED" : "SINGLE";
}

/* Step 1: the persons with open records, sorted by id, and each open
 * record's step. */
static enum pl_err name_open_persons(struct writer *w, struct pl_uf *uf, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	size_t *vnode_of = pl_xmalloc((dd->n_nodes + 1) * sizeof(*vnode_of));
	struct member *m = pl_xmalloc((dd->n_open + 1) * sizeof(*m));
	enum pl_err err = PL_OK;

	w->m = m;
	w->step = pl_xmalloc(dd->n_open + 1);
	for (size_t i = 0; i < dd->n_nodes; i++)
		vnode_of[i] = SIZE_MAX;
	for (size_t i = 0; i < dd->n_vrecs; i++)
		vnode_of[pl_uf_find(uf, dd->vrecs[i].node)] = dd->vrecs[i].node;
	for (size_t i = 0; i < dd->n_open; i++) {
		m[i].idx = dd->by_idx[i];
		m[i].pos = view_at(dd, m[i].idx)->idx;
		m[i].root = pl_uf_find(uf, view_at(dd, m[i].idx)->c.node);
	}
	if (dd->n_open)
		qsort(m, dd->n_open, sizeof(*m), cmp_member);
	for (size_t i = 0; i < dd->n_open; i++)
		w->n_op += i == 0 || m[i].root != m[i - 1].root;
	w->op = pl_xmalloc((w->n_op + 1) * sizeof(*w->op));
	w->n_op = 0;
	for (size_t lo = 0, hi; lo < dd->n_open && !err; lo = hi) {
		size_t vnode = vnode_of[m[lo].root], n;
		struct operson *p = &w->op[w->n_op++];
		const char *id;

		for (hi = lo + 1; hi < dd->n_open && m[hi].root == m[lo].root; hi++)
			;
		n = hi - lo + (vnode != SIZE_MAX);
		name_person(w, m + lo, hi - lo, vnode, &id, &p->basis);
		p->first = (uint32_t)lo;
		p->n = (uint32_t)(hi - lo);
		if (!store_id_bits(id, &p->hi, &p->lo))
			err = pl_diag_set(d, PL_EDATA, NULL, 0, "a person_ref is not 32 hex digits");
		for (size_t i = lo; i < hi; i++) {
			const struct orec *o = &dd->open[m[i].idx];
			int own = o->ref_id != ID_BLANK &&
				  strcmp(pl_intern_str(&dd->refs, o->ref_id), id) == 0;
			enum step s = own ? STEP_DETERMINISTIC : n > 1 ? STEP_PROBABILISTIC
								    : STEP_UNLINKED;

			w->step[m[i].idx] = (unsigned char)s;
			dd->sum->deterministic += s == STEP_DETERMINISTIC;
			dd->sum->probabilistic += s == STEP_PROBABILISTIC;
			dd->sum->unlinked += s == STEP_UNLINKED;
		}
	}
	if (w->n_op)
		qsort(w->op, w->n_op, sizeof(*w->op), cmp_operson);
	free(vnode_of);
	return err;
}

/* Whether the person keyed key is new at seen[i] (and marks it there). */
static int mark(uint32_t *seen, size_t i, uint32_t key)
{
	if (seen[i] == key)
		return 0;
	seen[i] = key;
	return 1;
}

/* One episode of the person p: its district and source (place, as
 * pack_place) and, to the sort by position, its key and step. */
static enum pl_err add_episode(struct writer *w, struct store_person *p, uint32_t place,
			       uint32_t pos, enum step s, struct pl_diag *d)
{
	struct pl_kv e = { pos, 0, (uint32_t)p->key, (uint32_t)s };
	size_t source = place >> 16;

	p->n_episodes++;
	p->n_districts += mark(w->seen, place & 0xffff, (uint32_t)p->key);
	if (source != 0xffff && mark(w->src_seen, source, (uint32_t)p->key))
		w->p_src[w->n_p_src++] = source;
	return pl_extsort_add(&w->by_pos, &e, d);
}

/* The person p, complete, in the counts by source. */
static void count_sources(struct writer *w, const struct store_person *p)
{
	for (size_t i = 0; i < w->n_p_src; i++) {
		w->src_persons[w->p_src[i]]++;
		w->src_across[w->p_src[i]] += p->n_districts >= 2;
	}
	w->n_p_src = 0;
}

/* Whether the 128-bit id (hi, lo) comes before (or is) the open person op. */
static int id_before(uint64_t hi, uint64_t lo, const struct operson *op, int *same)
{
	*same = hi == op->hi && lo == op->lo;
	return hi < op->hi || (hi == op->hi && lo <= op->lo);
}

/* Step 2: person, merging the episodes with a valid number (sorted by
 * person_ref) with the open persons (sorted by id). */
static enum pl_err write_person_rows(struct writer *w, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	struct pl_kv v;
	size_t at = 0;
	enum pl_err err = PL_OK;
	int rc = pl_extsort_next(&dd->by_person, &v, d);

	while (!err && (rc == 1 || at < w->n_op)) {
		const struct operson *op = at < w->n_op ? &w->op[at] : NULL;
		int same = 0, valid = rc == 1 && (!op || id_before(v.key, v.key2, op, &same));
		struct store_person p;

		memset(&p, 0, sizeof(p));
		p.hi = valid ? v.key : op->hi;
		p.lo = valid ? v.key2 : op->lo;
		p.basis = valid ? "PNR" : op->basis;
		err = store_person_begin(&w->st, &p, d);
		dd->sum->persons++;
		while (!err && rc == 1 && v.key == p.hi && v.key2 == p.lo) {
			err = add_episode(w, &p, v.b, v.a, STEP_DETERMINISTIC, d);
			rc = err ? -1 : pl_extsort_next(&dd->by_person, &v, d);
		}
		if (op && (same || !valid)) {
			for (size_t i = op->first; !err && i < op->first + op->n; i++) {
				const struct orec *o = &dd->open[w->m[i].idx];

				w->open_key[w->m[i].idx] = (uint32_t)p.key;
				err = add_episode(w, &p, pack_place(o->district, o->source),
						  w->m[i].pos, (enum step)w->step[w->m[i].idx], d);
			}
			at++;
		}
		count_sources(w, &p);
		if (!err)
			err = store_person_end(&w->st, &p, d);
	}
	if (!err && rc < 0)
		err = d->err ? d->err : PL_EIO;
	return err;
}

/* Step 3: episode_person from the sort by position, with file and line
 * from the spill file read alongside. */
static enum pl_err write_episode_persons(struct writer *w, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	enum pl_err err = pl_extsort_merge(&w->by_pos, d);
	size_t chunk_at = 0, chunk_n = 0, expect = 0;
	struct pl_kv e;
	int rc = 0;

	while (!err && (rc = pl_extsort_next(&w->by_pos, &e, d)) == 1) {
		const struct srec *s;

		if (e.key != expect++) {
			err = pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "episode %" PRIu64 " has no "
					  "person or two", e.key);
			break;
		}
		if (e.key >= chunk_at + chunk_n) {
			chunk_at = (size_t)e.key;
			chunk_n = dd->n_recs - chunk_at < SPILL_CHUNK ? dd->n_recs - chunk_at
								      : SPILL_CHUNK;
			if (spill_get(dd, chunk_at, chunk_n, w->buf) != 0) {
				err = pl_diag_set(d, PL_EIO, NULL, 0, "cannot read a temporary "
						  "file: %s", strerror(errno));
				break;
			}
		}
		s = (const struct srec *)(w->buf + (e.key - chunk_at) * dd->stride);
		err = store_episode(&w->st, s->file_id, s->line, e.a, (enum step)e.b, d);
	}
	if (!err && rc < 0)
		err = d->err ? d->err : PL_EIO;
	if (!err && expect != dd->n_recs)
		err = pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "%zu of %zu episodes have a person",
				  expect, dd->n_recs);
	if (!err)
		err = store_finish(&w->st, d);
	dd->sum->persons_new = w->st.persons.inserted;
	dd->sum->persons_changed = w->st.persons.updated;
	dd->sum->persons_gone = w->st.persons.deleted;
	dd->sum->episodes_new = w->st.episodes.inserted;
	dd->sum->episodes_changed = w->st.episodes.updated;
	dd->sum->episodes_gone = w->st.episodes.deleted;
	return err;
}

/* Steps 1 to 3. */
static enum pl_err write_persons(struct writer *w, struct pl_uf *uf, struct timespec *t,
				 struct pl_diag *d)
{
	char *dir = pl_dir_of(sqlite3_db_filename(w->dd->db, "main"));
	enum pl_err err;

	err = store_open(&w->st, w->dd->db, dir, d);
	if (!err)
		err = pl_extsort_init(&w->by_pos, dir, EP_SORT_RUN, d);
	free(dir);
	if (!err && w->st.rebuilt)
		pl_log(PL_LOG_WARN, NULL, "person and episode_person held rows this program does "
		       "not write (a person_id that is not 32 hex digits, or a key beyond 32 "
		       "bits): written whole again, with new person keys");
	pl_log_step(t, "write: the persons written before");
	if (!err)
		err = name_open_persons(w, uf, d);
	w->dd->sum->deterministic += w->dd->n_valid;
	pl_log_step(t, "write: the open records' persons");
	if (!err)
		err = write_person_rows(w, d);
	pl_log_step(t, "write: person, by person_id");
	if (!err)
		err = write_episode_persons(w, d);
	return err;
}

/* The comparison record of the episode at spill position idx. */
static enum pl_err crec_of(const struct dedup *dd, uint32_t idx, struct crec *c,
			   struct pl_diag *d)
{
	size_t o = open_at(dd, idx);

	if (o != SIZE_MAX) {
		*c = view_at(dd, o)->c;
		return PL_OK;
	}
	if (crec_at(dd, idx, c) != 0)
		return pl_diag_set(d, PL_EIO, NULL, 0, "cannot read a temporary file: %s",
				   strerror(errno));
	return PL_OK;
}

/* The file and line of the episode at spill position idx; the open
 * record's number in *o, or SIZE_MAX. */
void dd_place_of(const struct dedup *dd, uint32_t idx, int64_t *file_id, int64_t *line,
		 size_t *o)
{
	const struct vrec *v;

	*o = open_at(dd, idx);
	v = *o == SIZE_MAX ? vrec_at(dd, idx) : NULL;
	*file_id = v ? v->file_id : *o != SIZE_MAX ? dd->open[*o].file_id : 0;
	*line = v ? v->line : *o != SIZE_MAX ? dd->open[*o].line : 0;
}

/* person_link: every pair that joined two nodes.  One side of a pair is
 * always open, and its person's key is known from write_person_rows. */
static enum pl_err write_links(struct writer *w, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	sqlite3_stmt *st = NULL;
	struct pl_buf text;
	enum pl_err err;

	pl_buf_init(&text);
	err = pl_db_prepare(dd->db, "INSERT INTO person_link (person_key, a_file_id, a_line, "
			    "b_file_id, b_line, weight, waterfall) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			    &st, d);
	for (size_t i = 0; !err && i < dd->n_pairs; i++) {
		const struct pair *p = &dd->pairs[i];
		int64_t af, al, bf, bl;
		size_t ao, bo;
		struct crec ca;

		if (!p->linked)
			continue;
		dd_place_of(dd, p->a, &af, &al, &ao);
		dd_place_of(dd, p->b, &bf, &bl, &bo);
		if (ao == SIZE_MAX && bo == SIZE_MAX) {
			err = pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "a link between two episodes "
					  "with a valid number");
			break;
		}
		err = crec_of(dd, p->a, &ca, d);
		if (err)
			break;
		dd_waterfall(dd, p, &ca, &text);
		sqlite3_bind_int64(st, 1, w->open_key[ao != SIZE_MAX ? ao : bo]);
		sqlite3_bind_int64(st, 2, af);
		sqlite3_bind_int64(st, 3, al);
		sqlite3_bind_int64(st, 4, bf);
		sqlite3_bind_int64(st, 5, bl);
		sqlite3_bind_double(st, 6, p->weight);
		sqlite3_bind_text(st, 7, text.data, -1, SQLITE_STATIC);
		err = pl_db_step_done(dd->db, st, "store link", d);
	}
	sqlite3_finalize(st);
	pl_buf_release(&text);
	return err;
}

/* linkage_source: per source of the files read, its episodes, those
 * without a valid identity number, its persons and those of them in two or
 * more districts. */
static enum pl_err write_sources(struct writer *w, struct pl_diag *d)
{
	const struct dedup *dd = w->dd;
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(dd->db, "INSERT INTO linkage_source (source, episodes, "
					"episodes_no_id, persons, persons_across) VALUES (?1, ?2, ?3, "
					"?4, ?5)", &st, d);

	for (size_t i = 0; !err && i < dd->n_sources; i++) {
		sqlite3_bind_text(st, 1, dd->sources[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, dd->src_episodes[i]);
		sqlite3_bind_int64(st, 3, dd->src_no_id[i]);
		sqlite3_bind_int64(st, 4, w->src_persons[i]);
		sqlite3_bind_int64(st, 5, w->src_across[i]);
		err = pl_db_step_done(dd->db, st, "store the linkage by source", d);
	}
	sqlite3_finalize(st);
	return err;
}

static enum pl_err write_param(sqlite3 *db, sqlite3_stmt *st, const char *cmp,
			       const char *level, double m, double u, long n, struct pl_diag *d)
{
	sqlite3_bind_text(st, 1, cmp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, level, -1, SQLITE_STATIC);
	if (!isnan(m))
		sqlite3_bind_double(st, 3, m);
	if (!isnan(u))
		sqlite3_bind_double(st, 4, u);
	sqlite3_bind_int64(st, 5, n);
	return pl_db_step_done(db, st, "store linkage parameters", d);
}

static enum pl_err write_params(struct dedup *dd, struct pl_diag *d)
{
	const struct dedup_summary *s = dd->sum;
	long n[C__COUNT][N_LEVELS] = { { 0 } };
	sqlite3_stmt *st = NULL;
	char label[16];
	enum pl_err err = pl_db_prepare(dd->db, "INSERT INTO linkage_param (comparison, level, m, "
					"u, n) VALUES (?1, ?2, ?3, ?4, ?5)", &st, d);

	for (size_t p = 0; p < N_PATTERNS; p++) {
		size_t q = p;

		for (int k = C__COUNT - 1; k >= 0; k--, q /= N_LEVELS)
			n[k][q % N_LEVELS] += dd->pattern_n[p];
	}

	for (int k = 0; !err && k < C__COUNT; k++)
		for (int l = 0; !err && l <= cmp_max_level[k] + 1; l++)
			err = write_param(dd->db, st, cmp_names[k], dd_level_label(dd, k, l - 1, label),
					  l ? dd->m[k][l] : NAN, l ? dd->u[k][l] : NAN, n[k][l], d);
	if (!err)
		err = write_param(dd->db, st, "run", "match_share", s->m_by_em ? dd->lambda : NAN, NAN,
				  s->candidate_pairs, d);
	if (!err)
		err = write_param(dd->db, st, "run", "label_pairs", NAN, NAN, s->label_pairs, d);
	for (size_t r = 0; !err && r < dd->cfg.n_rules; r++) {
		char rule[128];

		dedup_rule_text(&dd->cfg, r, rule, sizeof(rule));
		err = write_param(dd->db, st, "blocking", rule, NAN, NAN, dd->rule_pairs[r], d);
	}
	if (!err)
		err = write_param(dd->db, st, "run", "prior", dd->prior, NAN, (long)dd->n_recs, d);
	if (!err)
		err = write_param(dd->db, st, "run", "candidate_pairs", NAN, NAN, s->candidate_pairs, d);
	if (!err)
		err = write_param(dd->db, st, "run", "links", NAN, NAN, s->links, d);
	if (!err)
		err = write_param(dd->db, st, "run", "refused_links", NAN, NAN, s->refused, d);
	if (!err)
		err = write_param(dd->db, st, "run", "episodes_deterministic", NAN, NAN, s->deterministic, d);
	if (!err)
		err = write_param(dd->db, st, "run", "episodes_probabilistic", NAN, NAN, s->probabilistic, d);
	if (!err)
		err = write_param(dd->db, st, "run", "episodes_unlinked", NAN, NAN, s->unlinked, d);
	if (!err)
		err = write_param(dd->db, st, "run", "person_rows_written", NAN, NAN,
				  s->persons_new + s->persons_changed + s->persons_gone, d);
	if (!err)
		err = write_param(dd->db, st, "run", "episode_person_rows_written", NAN, NAN,
				  s->episodes_new + s->episodes_changed + s->episodes_gone, d);
	sqlite3_finalize(st);
	return err;
}

static void writer_release(struct writer *w)
{
	for (size_t i = 0; i < w->n_files; i++)
		free(w->file_names[i]);
	free(w->file_names);
	free(w->file_ids);
	pl_intern_release(&w->made_ids);
	free(w->m);
	free(w->step);
	free(w->op);
	free(w->open_key);
	store_release(&w->st);
	free(w->seen);
	free(w->src_seen);
	free(w->p_src);
	free(w->src_persons);
	free(w->src_across);
	free(w->buf);
	pl_extsort_release(&w->by_pos);
}

enum pl_err dd_write_all(struct dedup *dd, struct pl_uf *uf, struct timespec *t,
			 struct pl_diag *d)
{
	struct writer w;
	enum pl_err err;

	memset(&w, 0, sizeof(w));
	w.dd = dd;
	w.buf = pl_xmalloc(SPILL_CHUNK * dd->stride);
	w.seen = pl_xcalloc(dd->n_districts + 1, sizeof(*w.seen));
	w.open_key = pl_xcalloc(dd->n_open + 1, sizeof(*w.open_key));
	w.src_seen = pl_xcalloc(dd->n_sources + 1, sizeof(*w.src_seen));
	w.p_src = pl_xcalloc(dd->n_sources + 1, sizeof(*w.p_src));
	w.src_persons = pl_xcalloc(dd->n_sources + 1, sizeof(*w.src_persons));
	w.src_across = pl_xcalloc(dd->n_sources + 1, sizeof(*w.src_across));
	err = pl_db_exec(dd->db, "DELETE FROM person_link; DELETE FROM linkage_param; "
			 "DELETE FROM linkage_source", d);
	if (!err)
		err = load_file_names(&w, d);
	if (!err)
		err = write_persons(&w, uf, t, d);
	pl_log_step(t, "write: episode_person");
	if (!err)
		err = write_sources(&w, d);
	if (!err)
		err = write_links(&w, d);
	if (!err)
		err = write_params(dd, d);
	if (!err)
		err = dd_write_state(dd, d);
	writer_release(&w);
	return err;
}

/* ---- the run ------------------------------------------------------------ */

static enum pl_err open_run(struct dedup *dd, struct pl_diag *d)
{
	struct pl_key key;
	char *dir;
	enum pl_err err;

	err = pl_secret_init(d);
	if (!err)
		err = dedup_config_load(dd->o->config_path, &dd->cfg, d);
	if (!err)
		err = pl_key_load(dd->o->key_path, 0, &key, d);
	if (err)
		return err;
	pl_key_derive(&key, PL_SUBKEY_SEAL, dd->seal_key);
	pl_key_derive(&key, PL_SUBKEY_PSEUDONYM, dd->ref_key);
	pl_key_derive(&key, PL_SUBKEY_LINKAGE, dd->link_key);
	pl_key_wipe(&key);
	dd->stride = SREC_HEAD + dd->cfg.n_rules * sizeof(uint64_t);
	dd->vstride = sizeof(struct oview) + dd->cfg.n_rules * sizeof(uint32_t);
	dd->labels.limit = UINT64_MAX;
	dd->labels.max = (size_t)dd->cfg.label_sample;
	err = pl_db_open(dd->o->db_path, &dd->db, d);
	if (err)
		return err;
	/* beside the database: the system's /tmp may be small */
	dir = pl_dir_of(sqlite3_db_filename(dd->db, "main"));
	dd->spill = pl_spill_open(dir, d);
	err = dd->spill ? pl_extsort_init(&dd->by_person, dir, PERSON_SORT_RUN, d) : PL_EIO;
	free(dir);
	return err;
}

static void close_run(struct dedup *dd)
{
	for (size_t i = 0; i < dd->n_districts; i++)
		free(dd->districts[i]);
	free(dd->districts);
	for (size_t i = 0; i < dd->n_sources; i++)
		free(dd->sources[i]);
	free(dd->sources);
	free(dd->src_episodes);
	free(dd->src_no_id);
	if (dd->spill)
		fclose(dd->spill);
	pl_extsort_release(&dd->by_person);
	free(dd->open);
	free(dd->view);
	for (size_t k = 0; k < DEDUP_MAX_RULES; k++)
		free(dd->okey[k]);
	free(dd->by_idx);
	free(dd->labels.l);
	free(dd->node_valid);
	free(dd->vrecs);
	free(dd->pairs);
	free(dd->pattern_n);
	pl_intern_wipe(&dd->names); /* names and postcodes leave memory zeroed */
	pl_intern_wipe(&dd->posts);
	pl_intern_release(&dd->names);
	pl_intern_release(&dd->refs);
	pl_intern_release(&dd->vrefs);
	free(dd->name_n);
	dd_caches_release(&dd->cache);
	pl_intern_release(&dd->posts);
	free(dd->tf_w[0]);
	free(dd->tf_w[1]);
	pl_db_close(dd->db);
	memset(dd->seal_key, 0, sizeof(dd->seal_key));
	memset(dd->ref_key, 0, sizeof(dd->ref_key));
	memset(dd->link_key, 0, sizeof(dd->link_key));
	free(dd->name_h);
	free(dd->post_h);
	free(dd->kept);
	free(dd->ends);
}

void dedup_summary_line(const struct dedup_summary *s, char *out, size_t size)
{
	char m_from[64], params[160];

	if (s->m_by_em)
		snprintf(m_from, sizeof(m_from), "m by EM, match share %.4f", s->lambda);
	else
		snprintf(m_from, sizeof(m_from), "m from %ld labelled pairs", s->label_pairs);
	if (!s->frozen)
		snprintf(params, sizeof(params), "parameters estimated now");
	else if (s->new_episodes < 0)
		snprintf(params, sizeof(params), "parameters of %s, every pair scored",
			 s->estimated_at);
	else
		snprintf(params, sizeof(params), "parameters of %s, pairs scored for %ld new "
			 "episodes, %ld kept", s->estimated_at, s->new_episodes, s->pairs_kept);
	snprintf(out, size, "%ld episodes, %ld persons: %ld episodes by identity or reserve "
		 "number, %ld by probabilistic links, %ld unlinked; %ld candidate pairs, %ld links "
		 "(%ld refused), %s; %s; written: persons %ld new, %ld changed, %ld gone; "
		 "episodes' persons %ld new, %ld changed, %ld gone", s->episodes, s->persons,
		 s->deterministic, s->probabilistic, s->unlinked, s->candidate_pairs, s->links,
		 s->refused, m_from, params, s->persons_new, s->persons_changed, s->persons_gone,
		 s->episodes_new, s->episodes_changed, s->episodes_gone);
}

/* ---- nights: what the last run left (state.c) ------------------------- */

static const char key_check_text[] = "dedup: which key";

/* The time days ago (0: now), as linkage_state.estimated_at says it. */
static void utc_days_ago(long days, char out[24])
{
	time_t t = time(NULL) - (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Why the parameters must be estimated; NULL if the stored ones serve. */
static const char *estimate_reason(const struct dedup *dd)
{
	const struct dedup_state *st = &dd->st;
	char cutoff[24];

	if (dd->o->estimate)
		return "--estimate";
	if (!st->have)
		return "none stored";
	if (dd->cfg.refresh_days == 0)
		return "refresh_days is 0";
	if (strcmp(st->settings_sha, dd->cfg.sha256) != 0)
		return "the linkage settings changed";
	if (st->key_check != pl_hash64(dd->link_key, key_check_text, strlen(key_check_text)))
		return "the key changed";
	utc_days_ago(dd->cfg.refresh_days, cutoff);
	if (strcmp(st->estimated_at, cutoff) < 0)
		return "older than refresh_days";
	return NULL;
}

static int end_before(const void *a, const void *b)
{
	const struct pair_end *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

static uint64_t end_at(int64_t file_id, int64_t line)
{
	if (file_id < 0 || file_id > UINT32_MAX || line < 0 || line > UINT32_MAX)
		return UINT64_MAX; /* load_records refuses such an episode */
	return (uint64_t)file_id << 32 | (uint64_t)line;
}

/* A stored pair, as the pair it will be once its ends are found, and its
 * ends (24 + 32 bytes a pair: 23 MiB for the 415,722 pairs of 10M rows). */
static void keep_pair(void *ctx, const struct state_pair *s)
{
	struct dedup *dd = ctx;
	struct pair *p;
	int pattern = s->pattern;

	if (dd->n_kept == dd->cap_kept) {
		dd->cap_kept = 2 * dd->cap_kept + 1024;
		dd->kept = pl_xrealloc(dd->kept, dd->cap_kept * sizeof(*dd->kept));
		dd->ends = pl_xrealloc(dd->ends, 2 * dd->cap_kept * sizeof(*dd->ends));
	}
	p = &dd->kept[dd->n_kept];
	memset(p, 0, sizeof(*p));
	p->a = p->b = UINT32_MAX;
	p->weight = s->weight;
	for (int c = C__COUNT - 1; c >= 0; c--, pattern /= N_LEVELS)
		p->lv[c] = (signed char)(pattern % N_LEVELS - 1);
	p->kept = 1;
	dd->ends[dd->n_ends++] = (struct pair_end){ end_at(s->a_file, s->a_line),
						    (uint32_t)dd->n_kept << 1 };
	dd->ends[dd->n_ends++] = (struct pair_end){ end_at(s->b_file, s->b_line),
						    (uint32_t)dd->n_kept << 1 | 1 };
	dd->n_kept++;
}

/* The stored pairs, and their ends in load order for resolve_ends. */
static enum pl_err read_kept(struct dedup *dd, struct pl_diag *d)
{
	enum pl_err err = state_read_pairs(dd->db, keep_pair, dd, d);

	if (!err && dd->n_kept >= REC_LIMIT)
		err = pl_diag_set(d, PL_EDATA, NULL, 0, "linkage_pair holds more than %ld pairs",
				  (long)REC_LIMIT);
	if (!err && dd->n_ends)
		qsort(dd->ends, dd->n_ends, sizeof(*dd->ends), end_before);
	return err;
}

/* Reads what the last run left, and decides: estimate the parameters, or
 * reuse them (frozen), and then, unless --rescore, read the stored pairs
 * for a night. */
enum pl_err dd_read_state(struct dedup *dd, struct pl_diag *d)
{
	const char *why;
	enum pl_err err = state_read(dd->db, cmp_names, &dd->st, d);

	if (err)
		return err;
	why = estimate_reason(dd);
	dd->frozen = !why;
	dd->sum->frozen = dd->frozen;
	dd->sum->new_episodes = -1;
	if (why) {
		pl_log(PL_LOG_DEBUG, NULL, "estimating the linkage parameters: %s", why);
		dd->st.episodes = 0; /* nothing to compare the episodes with */
		return PL_OK;
	}
	snprintf(dd->sum->estimated_at, sizeof(dd->sum->estimated_at), "%s", dd->st.estimated_at);
	return dd->o->rescore || !dd->st.episodes ? PL_OK : read_kept(dd, d);
}

static void free_kept(struct dedup *dd)
{
	free(dd->kept);
	free(dd->ends);
	dd->kept = NULL;
	dd->ends = NULL;
	dd->n_kept = dd->cap_kept = dd->n_ends = 0;
}

/* No night after all: every pair is scored. */
void dd_drop_kept(struct dedup *dd, const char *why)
{
	pl_log(PL_LOG_DEBUG, NULL, "every candidate pair is scored: %s", why);
	free_kept(dd);
	dd->n_old = 0;
	dd->sum->new_episodes = -1;
}

/* After the load: a night if the first st.episodes records are the last
 * run's, unchanged, and every stored pair lies among them. */
void dd_check_night(struct dedup *dd)
{
	size_t n_old = (size_t)dd->st.episodes;

	if (!dd->frozen || dd->o->rescore || !n_old)
		return;
	if (dd->n_recs < n_old || dd->fp_old != dd->st.fingerprint) {
		dd_drop_kept(dd, "episodes read by the last run changed or are gone");
		return;
	}
	if (dd->n_kept != (size_t)dd->st.pairs) {
		dd_drop_kept(dd, "linkage_pair does not hold the pairs the last run stored");
		return;
	}
	for (size_t i = 0; i < dd->n_kept; i++) {
		const struct pair *p = &dd->kept[i];

		if (p->a >= p->b || p->b >= n_old) {
			dd_drop_kept(dd, "linkage_pair does not match the episodes");
			return;
		}
	}
	free(dd->ends);
	dd->ends = NULL;
	dd->n_ends = 0;
	dd->n_old = n_old;
	dd->sum->new_episodes = (long)(dd->n_recs - n_old);
}

static int cmp_name_hash(const void *a, const void *b)
{
	const struct state_name *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* The stored parameters in place of estimates: m, u, the prior, and the
 * name frequencies (a name not stored counts as seen once). */
enum pl_err dd_use_frozen(struct dedup *dd, struct pl_diag *d)
{
	struct state_name *names = NULL;
	size_t n_names = 0;
	enum pl_err err = state_read_names(dd->db, &names, &n_names, d);

	memcpy(dd->m, dd->st.m, sizeof(dd->m));
	memcpy(dd->u, dd->st.u, sizeof(dd->u));
	dd->prior = dd->st.prior;
	dd->lambda = dd->st.match_share;
	dd->sum->label_pairs = dd->st.label_pairs;
	dd->sum->m_by_em = dd->st.m_by_em;
	dd->sum->lambda = dd->st.match_share;
	for (size_t i = 0; !err && i < pl_intern_count(&dd->names); i++) {
		struct state_name key = { dd->name_h[i], 0 };
		const struct state_name *f = bsearch(&key, names, n_names, sizeof(*names),
						     cmp_name_hash);

		dd->name_n[i] = f ? f->n : 1;
	}
	dd->n_named = dd->st.named;
	free(names);
	return err;
}

/* The stored pairs and counts join this run's (a night). */
enum pl_err dd_add_kept(struct dedup *dd, struct pl_diag *d)
{
	enum pl_err err = state_add_counts(dd->db, dd->pattern_n, N_PATTERNS, dd->rule_pairs,
					   DEDUP_MAX_RULES, d);

	dd->sum->candidate_pairs = 0; /* every candidate pair has one pattern */
	for (size_t p = 0; p < N_PATTERNS; p++)
		dd->sum->candidate_pairs += dd->pattern_n[p];
	dd->pairs = pl_xrealloc(dd->pairs, (dd->n_pairs + dd->n_kept + 1) * sizeof(*dd->pairs));
	if (dd->n_kept)
		memcpy(dd->pairs + dd->n_pairs, dd->kept, dd->n_kept * sizeof(*dd->kept));
	dd->n_pairs += dd->n_kept;
	dd->sum->pairs_kept = (long)dd->n_kept;
	free_kept(dd);
	return err;
}

/* The name frequencies as stored: by hash, a hash met twice counted once
 * with both counts. */
static struct state_name *name_table(const struct dedup *dd, size_t *n)
{
	size_t count = pl_intern_count(&dd->names), u = 0;
	struct state_name *t = pl_xmalloc((count + 1) * sizeof(*t));

	for (size_t i = 0; i < count; i++)
		t[i] = (struct state_name){ dd->name_h[i], dd->name_n[i] };
	qsort(t, count, sizeof(*t), cmp_name_hash);
	for (size_t i = 0; i < count; i++) {
		if (u && t[u - 1].hash == t[i].hash)
			t[u - 1].n += t[i].n;
		else
			t[u++] = t[i];
	}
	*n = u;
	return t;
}

/* The pairs this run scored, for state_write_pairs: their positions in
 * dd->pairs. */
struct scored {
	struct dedup *dd;
	uint32_t *at;
};

static void scored_pair(void *ctx, size_t i, struct state_pair *o)
{
	const struct scored *s = ctx;
	const struct pair *p = &s->dd->pairs[s->at[i]];
	size_t oa, ob;

	dd_place_of(s->dd, p->a, &o->a_file, &o->a_line, &oa);
	dd_place_of(s->dd, p->b, &o->b_file, &o->b_line, &ob);
	o->weight = p->weight;
	o->pattern = (int)dd_pattern_of(p->lv);
}

/* What the next run needs: the parameters (if estimated now), the episodes
 * read and their fingerprint, and the pairs this run scored (a night adds
 * them to the stored ones; any other run replaces those). */
enum pl_err dd_write_state(struct dedup *dd, struct pl_diag *d)
{
	struct dedup_state *st = &dd->st;
	struct scored scored = { dd, pl_xmalloc((dd->n_pairs + 1) * sizeof(uint32_t)) };
	size_t n = 0;
	enum pl_err err = PL_OK;

	if (!dd->frozen) {
		struct state_name *names;
		size_t n_names;

		snprintf(st->settings_sha, sizeof(st->settings_sha), "%s", dd->cfg.sha256);
		st->key_check = pl_hash64(dd->link_key, key_check_text, strlen(key_check_text));
		utc_days_ago(0, st->estimated_at);
		st->prior = dd->prior;
		st->named = dd->n_named;
		st->label_pairs = dd->sum->label_pairs;
		st->m_by_em = dd->sum->m_by_em;
		st->match_share = dd->lambda;
		memcpy(st->m, dd->m, sizeof(st->m));
		memcpy(st->u, dd->u, sizeof(st->u));
		names = name_table(dd, &n_names);
		err = state_write_names(dd->db, names, n_names, d);
		free(names);
	}
	st->episodes = (long)dd->n_recs;
	st->fingerprint = dd->fp;
	st->pairs = (long)dd->n_pairs;
	if (!err)
		err = state_write(dd->db, cmp_names, st, d);
	if (!err)
		err = state_write_counts(dd->db, dd->pattern_n, N_PATTERNS, dd->rule_pairs,
					 dd->cfg.n_rules, d);
	for (size_t i = 0; i < dd->n_pairs; i++)
		if (!dd->pairs[i].kept)
			scored.at[n++] = (uint32_t)i;
	if (!err)
		err = state_write_pairs(dd->db, scored_pair, &scored, n, dd->n_old == 0, d);
	free(scored.at);
	return err;
}

/* From the spill file to the pairs above the threshold. */
static enum pl_err link_pairs(struct dedup *dd, struct timespec *t, struct pl_diag *d)
{
	struct blocking blocks;
	enum pl_err err;

	memset(&blocks, 0, sizeof(blocks));
	dd_fit_open(dd);
	dd_make_nodes(dd);
	if (dd->frozen) {
		err = dd_use_frozen(dd, d);
	} else {
		dd_estimate_prior(dd);
		dd_caches_init(&dd->cache);
		err = dd_estimate_u(dd, d);
		dd_init_m(dd);
		/* what the pair passes do not need leaves memory before blocking */
		dd_caches_release(&dd->cache);
	}
	free(dd->labels.l);
	memset(&dd->labels, 0, sizeof(dd->labels));
	pl_log_step(t, dd->frozen ? "parameters (stored)" : "estimate u, m (labels)");
	if (!err)
		err = dd_blocking_init(dd, &blocks, d);
	pl_log_step(t, "blocking");
	if (!err && !dd->frozen) {
		dd->sum->m_by_em = dd_m_by_em(dd);
		if (dd->sum->m_by_em) {
			err = dd_count_patterns(dd, &blocks, d);
			pl_log_step(t, "compare candidate pairs (for EM)");
			dd_estimate_m(dd);
			pl_log_step(t, "estimate m (EM)");
		}
	}
	if (!err)
		err = dd_score(dd, &blocks, d);
	if (!err && dd->n_old)
		err = dd_add_kept(dd, d);
	dd_blocking_release(&blocks);
	pl_log_step(t, "score candidate pairs");
	return err;
}

enum pl_err dedup_run(const struct dedup_opts *opts, struct dedup_summary *sum,
		      struct pl_diag *d)
{
	struct dedup dd;
	struct timespec t;
	struct pl_uf uf;
	enum pl_err err;

	memset(&dd, 0, sizeof(dd));
	memset(&uf, 0, sizeof(uf));
	memset(sum, 0, sizeof(*sum));
	dd.o = opts;
	dd.sum = sum;
	clock_gettime(CLOCK_MONOTONIC, &t);
	err = open_run(&dd, d);
	/*
	 * One transaction from reading the episodes to writing the persons: a
	 * snapshot, so that the persons describe the episodes as read; a writer
	 * that changed them meanwhile makes the write fail (busy, exit 75)
	 * rather than link stale episodes.  Foreign keys are not enforced in
	 * it: the rows are consistent by construction (the stage tests run
	 * PRAGMA foreign_key_check) and the checks cost 40% of the write.
	 */
	if (!err)
		err = pl_db_exec(dd.db, "PRAGMA foreign_keys = OFF; BEGIN", d);
	if (!err)
		err = dd_read_state(&dd, d);
	if (!err)
		err = dd_load_records(&dd, d);
	if (!err) {
		dd_check_night(&dd);
		sum->episodes = (long)dd.n_recs;
		pl_log_step(&t, "load, unseal and spill");
		err = link_pairs(&dd, &t, d);
	}
	if (!err)
		err = dd_valid_nodes(&dd, d);
	if (!err) {
		dd_cluster(&dd, &uf);
		pl_log_step(&t, "cluster");
		err = dd_write_all(&dd, &uf, &t, d);
		pl_log_step(&t, "write links and parameters");
	}
	if (!err) {
		err = pl_db_exec(dd.db, "COMMIT", d);
		pl_log_step(&t, "commit");
	}
	if (dd.db) {
		char line[DEDUP_SUMMARY_MAX];

		if (err)
			sqlite3_exec(dd.db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(dd.db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
		dedup_summary_line(sum, line, sizeof(line));
		err = pl_db_record_run(dd.db, "dedup", err, line, d);
	}
	pl_uf_release(&uf);
	close_run(&dd);
	return err;
}

/* ---- explain ------------------------------------------------------------ */

static enum pl_err find_person(sqlite3 *db, const char *what, char *id, size_t size,
			       struct pl_diag *d)
{
	const char *colon = strrchr(what, ':');
	sqlite3_stmt *st = NULL;
	enum pl_err err;
	int rc;

	if (colon)
		err = pl_db_prepare(db, "SELECT p.person_id FROM episode_person ep JOIN person p "
				    "USING (person_key) JOIN input_file f USING (file_id) "
				    "WHERE f.name = substr(?1, 1, ?2) AND ep.line = ?3",
				    &st, d);
	else
		err = pl_db_prepare(db, "SELECT person_id FROM person WHERE person_id = ?1", &st, d);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, what, -1, SQLITE_STATIC);
	if (colon) {
		sqlite3_bind_int(st, 2, (int)(colon - what));
		sqlite3_bind_int64(st, 3, atol(colon + 1));
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(id, size, "%s", (const char *)sqlite3_column_text(st, 0));
	else if (rc == SQLITE_DONE)
		err = pl_diag_set(d, PL_ENOINPUT, NULL, 0, "no person '%s' (give a person id or "
				  "FILE:LINE of an episode)", what);
	else
		err = pl_db_fail(db, rc, "find person", d);
	sqlite3_finalize(st);
	return err;
}

static enum pl_err print_rows(sqlite3 *db, const char *sql, const char *id, FILE *out,
			      struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(db, sql, &st, d);
	int rc;

	if (err)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fprintf(out, "%s\n", (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, "explain", d);
	sqlite3_finalize(st);
	return err;
}

enum pl_err dedup_explain(const char *db_path, const char *what, FILE *out, struct pl_diag *d)
{
	sqlite3 *db = NULL;
	char id[PL_PSEUDONYM_HEX + 8];
	enum pl_err err;

	err = pl_db_open_existing(db_path, &db, d);
	if (!err)
		err = find_person(db, what, id, sizeof(id), d);
	if (!err)
		err = print_rows(db, "SELECT 'person ' || person_id || ' (' || basis || '): ' || "
				 "n_episodes || ' episodes in ' || n_districts || ' districts' "
				 "FROM person WHERE person_id = ?1", id, out, d);
	if (!err)
		err = print_rows(db, "SELECT '  episode ' || f.name || ':' || ep.line || '  ' || "
				 "e.district || '  ' || e.intervention || '  ' || e.start_date || '  ' || "
				 "e.id_type || '  ' || ep.step FROM person p JOIN episode_person ep "
				 "USING (person_key) JOIN episode e USING (file_id, line) "
				 "JOIN input_file f USING (file_id) "
				 "WHERE p.person_id = ?1 ORDER BY f.name, ep.line", id, out, d);
	if (!err)
		err = print_rows(db, "SELECT '  link ' || fa.name || ':' || l.a_line || ' ~ ' || "
				 "fb.name || ':' || l.b_line || ', weight ' || printf('%.2f', l.weight) "
				 "|| char(10) || '    ' || replace(l.waterfall, '; ', char(10) || '    ') "
				 "FROM person p JOIN person_link l USING (person_key) "
				 "JOIN input_file fa ON fa.file_id = l.a_file_id "
				 "JOIN input_file fb ON fb.file_id = l.b_file_id WHERE p.person_id = ?1 "
				 "ORDER BY l.weight DESC", id, out, d);
	if (!err && (fflush(out) != 0 || ferror(out)))
		err = pl_diag_set(d, PL_EIO, NULL, 0, "cannot write the explanation");
	pl_db_close(db);
	return err;
}

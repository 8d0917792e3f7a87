/*
 * dedup/persons.c - cluster the linked records and write the persons.
 *
 * Union-find over the nodes along the pairs at or above the threshold, then
 * person and episode_person (as changes, dedup/store.c), person_link,
 * linkage_source and linkage_param.
 */
#define _POSIX_C_SOURCE 200809L
#include "dedup_int.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "store.h"
#include "uf.h"

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

static int cmp_place(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return x->b < y->b ? -1 : x->b > y->b;
}

/* The open record at spill position idx; SIZE_MAX if it has a valid number
 * (by_idx lists the open records in spill order, open_idx their positions:
 * 4 bytes each, so that the search stays in cache). */
static size_t open_at(const struct dedup *dd, uint32_t idx)
{
	size_t k = dd_find_u32(dd->open_idx, dd->n_open, idx);

	return k == SIZE_MAX ? SIZE_MAX : dd->by_idx[k];
}

/* The valid record at spill position idx among those the pairs name. */
static const struct vrec *vrec_at(const struct dedup *dd, uint32_t idx)
{
	size_t k = dd_find_u32(dd->vrec_idx, dd->n_vrecs, idx);

	return k == SIZE_MAX ? NULL : &dd->vrecs[k];
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The records with a valid number that the pairs name, one node per
 * person_ref (from the spill file); each pair's nodes. */
enum pl_err dd_valid_nodes(struct dedup *dd, struct pl_diag *d)
{
	uint32_t *idx = pl_xmalloc((2 * dd->n_pairs + 1) * sizeof(*idx));
	uint32_t *open = pl_xmalloc((2 * dd->n_pairs + 1) * sizeof(*open)); /* each end's */
	struct srec *s = pl_xmalloc(sizeof(*s));
	size_t n = 0, u = 0;
	enum pl_err err = PL_OK;

	for (size_t i = 0; i < 2 * dd->n_pairs; i++) {
		uint32_t at = i % 2 ? dd->pairs[i / 2].b : dd->pairs[i / 2].a;
		size_t o = open_at(dd, at);

		open[i] = o == SIZE_MAX ? UINT32_MAX : (uint32_t)o;
		if (o == SIZE_MAX)
			idx[n++] = at;
	}
	u = pl_sort_unique(idx, n, sizeof(*idx), cmp_u32);
	dd->vrecs = pl_xmalloc((u + 1) * sizeof(*dd->vrecs));
	dd->vrec_idx = pl_xrealloc(idx, (u + 1) * sizeof(*idx)); /* the vrecs' positions */
	dd->vref_bits = pl_xmalloc((u + 1) * sizeof(*dd->vref_bits));
	for (size_t i = 0; i < u; i++) {
		struct vrec *v = &dd->vrecs[dd->n_vrecs++];
		char ref[PL_PSEUDONYM_HEX];
		uint32_t id;

		if (!dd_keep_vrec(dd, dd->vrec_idx[i], s) &&
		    spill_get(dd, dd->vrec_idx[i], 1, s) != 0) {
			err = pl_diag_set(d, PL_EIO, NULL, 0, "cannot read a temporary file: %s",
					  strerror(errno));
			break;
		}
		snprintf(ref, sizeof(ref), "%016" PRIx64 "%016" PRIx64, s->ref.hi, s->ref.lo);
		id = pl_intern_add(&dd->vrefs, ref);
		if (id == pl_intern_count(&dd->vrefs) - 1) /* new: its bits beside it */
			dd->vref_bits[id] = s->ref;
		v->file_id = s->file_id;
		v->line = s->line;
		v->node = (uint32_t)(dd->n_open_nodes + id);
	}
	dd->n_nodes = dd->n_open_nodes + pl_intern_count(&dd->vrefs);
	dd->node_valid = pl_xcalloc(dd->n_nodes + 1, 1);
	for (size_t i = 0; i < dd->n_vrecs; i++)
		dd->node_valid[dd->vrecs[i].node] = 1;
	for (size_t i = 0; !err && i < dd->n_pairs; i++) {
		struct pair *p = &dd->pairs[i];

		p->na = open[2 * i] != UINT32_MAX ? view_at(dd, open[2 * i])->c.node
						  : vrec_at(dd, p->a)->node;
		p->nb = open[2 * i + 1] != UINT32_MAX ? view_at(dd, open[2 * i + 1])->c.node
						      : vrec_at(dd, p->b)->node;
	}
	free(open);
	free(s);
	return err;
}

/* Unions nodes along the links, strongest first; marks the links that
 * joined two persons.  The pairs stand by place after it: linkage_pair's
 * key is their place, so that its rows are appended, not inserted at
 * random (which put a page into the statement journal for nearly every
 * row: 39,974 pages for 40,798 rows at 1M), and the links read their
 * records in file order. */
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
		ra = pl_uf_find(uf, p->na);
		rb = pl_uf_find(uf, p->nb);
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
	qsort(dd->pairs, dd->n_pairs, sizeof(*dd->pairs), cmp_place);
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
 *
 * A night writes only the persons a new episode reaches (touched): those of
 * the components, the nodes joined by every pair at or above the threshold
 * (refused or not), that hold a new episode.  Clustering decides within a
 * component, and a night's old records and stored pairs are the last run's,
 * so every other component clusters as it did and its persons are as
 * written.  Their rows are looked up rather than read back (store.h); the
 * other persons are still counted (the summary, linkage_source).
 */

/* A person with open records (40 bytes: there may be as many as open
 * records). */
struct operson {
	uint64_t hi, lo;           /* its id as 128 bits */
	const char *basis;
	uint32_t first, n;         /* its records: members first..first+n */
	int touched;               /* a night: a new episode reaches it */
};

/* An episode of the person being written, held until its key is known. */
struct held {
	uint32_t pos;              /* its position in the spill */
	uint32_t place;            /* as pack_place */
	uint32_t idx;              /* its open record; NOT_OPEN: one with a valid number */
	uint32_t step;
};
#define NOT_OPEN UINT32_MAX

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
	long across;                /* persons in two or more districts */
	struct pl_extsort by_pos;   /* (position, person_key, step) of every episode written */
	size_t n_by_pos;
	unsigned char *buf;         /* spill records, read alongside by_pos */
	uint32_t serial;            /* the person being counted, from 1 (for mark) */
	struct held *held;          /* its episodes, */
	size_t n_held, cap_held;
	size_t anchor;              /* the first old one of its own number (SIZE_MAX: none) */
	int own;                    /* whether it has an episode of its own number */
	/* a night: only the touched persons are written */
	int night;
	struct pl_uf cc;            /* the components: nodes joined by every pair */
	unsigned char *hit;         /* by component root: it holds a new episode */
	struct ref128 *tref;        /* the valid numbers of the touched persons, sorted */
	size_t n_tref, at_tref;
	long n_touched;             /* persons written */
	/* a night that resumed and gathered: the touched persons' pairs of the
	 * sort by person from the persons file (old_t) merged with the new ones
	 * (by_person, its kept runs let go of); the other persons are counted
	 * from the sums kept, less the old persons of the episodes written
	 * (was: their keys and places) */
	int gathered;
	struct pl_kv *old_t;
	size_t n_old_t, at_old_t;
	struct pl_kv fresh;         /* the next new pair, if fresh_rc is 1 */
	int fresh_rc;
	struct pl_kv *was;
	size_t n_was, cap_was;
	/* the triggers that note another program's writes (schema.sql) */
	char **outside_sql;
	size_t n_outside;
	int64_t outside_rows;       /* person_outside_write's rows: 1 if one wrote */
};

#define OUTSIDE_TRIGGERS 6          /* on person and episode_person, three each */

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

/* The members m[0..n) (in position order) grouped by root, still in
 * position order within one: a counting sort over the n_nodes roots. */
static struct member *members_by_root(struct member *m, size_t n, size_t n_nodes)
{
	uint32_t *at = pl_xcalloc(n_nodes + 1, sizeof(*at)), sum = 0;
	struct member *out = pl_xmalloc((n + 1) * sizeof(*out));

	for (size_t i = 0; i < n; i++)
		at[m[i].root]++;
	for (size_t r = 0; r < n_nodes; r++) {
		uint32_t c = at[r];

		at[r] = sum;
		sum += c;
	}
	for (size_t i = 0; i < n; i++)
		out[at[m[i].root]++] = m[i];
	free(at);
	free(m);
	return out;
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
	m = members_by_root(m, dd->n_open, dd->n_nodes);  /* by_idx: in position order */
	w->m = m;
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
		p->touched = w->night && w->hit[pl_uf_find(&w->cc, m[lo].root)];
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

/* An episode of the person being counted (w->serial) at place (as
 * pack_place): its source among the person's (p_src); 1 if its district
 * is new to the person. */
static int note_place(struct writer *w, uint32_t place)
{
	size_t source = place >> 16;

	if (source != 0xffff && mark(w->src_seen, source, w->serial))
		w->p_src[w->n_p_src++] = source;
	return mark(w->seen, place & 0xffff, w->serial);
}

/* One episode of the person p: its district and source (place, as
 * pack_place) and, if p is written (its key set), to the sort by
 * position, its key, step and place. */
static enum pl_err add_episode(struct writer *w, struct store_person *p, uint32_t place,
			       uint32_t pos, enum step s, struct pl_diag *d)
{
	struct pl_kv e = { pos, place, (uint32_t)p->key, (uint32_t)s };

	p->n_episodes++;
	p->n_districts += note_place(w, place);
	if (!p->key)
		return PL_OK;
	w->n_by_pos++;
	return pl_extsort_add(&w->by_pos, &e, d);
}

/* A person of n_districts, complete, in (sign 1) or out of (-1) the
 * counts of persons across districts, in all and by source. */
static void count_sources(struct writer *w, int n_districts, long sign)
{
	w->across += sign * (n_districts >= 2);
	for (size_t i = 0; i < w->n_p_src; i++) {
		w->src_persons[w->p_src[i]] += sign;
		w->src_across[w->p_src[i]] += sign * (n_districts >= 2);
	}
	w->n_p_src = 0;
}

/* Whether the 128-bit id (hi, lo) comes before (or is) the open person op. */
static int id_before(uint64_t hi, uint64_t lo, const struct operson *op, int *same)
{
	*same = hi == op->hi && lo == op->lo;
	return hi < op->hi || (hi == op->hi && lo <= op->lo);
}

static int cmp_ref(const void *a, const void *b)
{
	const struct ref128 *x = a, *y = b;

	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* A night: whether the valid number (hi, lo) is a touched person's (the
 * numbers are asked in order). */
static int ref_touched(struct writer *w, uint64_t hi, uint64_t lo)
{
	struct ref128 r = { hi, lo };

	while (w->at_tref < w->n_tref && cmp_ref(&w->tref[w->at_tref], &r) < 0)
		w->at_tref++;
	return w->at_tref < w->n_tref && cmp_ref(&w->tref[w->at_tref], &r) == 0;
}

/* The next of the sort by person, kept for the next run too (keep.c). */
static int next_person(struct dedup *dd, struct pl_kv *v, struct pl_diag *d)
{
	int rc = pl_extsort_next(&dd->by_person, v, d);

	if (rc == 1)
		dd_keep_person(dd, v);
	return rc;
}

static int kv_before(const struct pl_kv *a, const struct pl_kv *b)
{
	return a->key < b->key || (a->key == b->key && a->key2 < b->key2);
}

/* The next pair of the sort by person: all of it (next_person), or, a
 * night that gathered, the touched persons' old pairs merged with the new
 * ones (the old first among one person's, as in the whole sort), which go
 * to the persons file as its new run. */
static int next_valid(struct writer *w, struct pl_kv *v, struct pl_diag *d)
{
	const struct pl_kv *o = w->at_old_t < w->n_old_t ? &w->old_t[w->at_old_t] : NULL;

	if (!w->gathered)
		return next_person(w->dd, v, d);
	if (o && (w->fresh_rc != 1 || !kv_before(&w->fresh, o))) {
		*v = *o;
		w->at_old_t++;
		return 1;
	}
	if (w->fresh_rc != 1)
		return w->fresh_rc;
	*v = w->fresh;
	dd_keep_person(w->dd, v);
	w->fresh_rc = pl_extsort_next(&w->dd->by_person, &w->fresh, d);
	return 1;
}

/* Holds an episode of the person being written (hold_start begins one);
 * one of its own number (step deterministic) is an anchor if old. */
static void hold(struct writer *w, uint32_t pos, uint32_t place, uint32_t idx, enum step s)
{
	if (w->n_held == w->cap_held) {
		w->cap_held = 2 * w->cap_held + 64;
		w->held = pl_xrealloc(w->held, w->cap_held * sizeof(*w->held));
	}
	if (s == STEP_DETERMINISTIC) {
		w->own = 1;
		if (pos < w->dd->n_old && w->anchor == SIZE_MAX)
			w->anchor = w->n_held;
	}
	w->held[w->n_held++] = (struct held){ pos, place, idx, (uint32_t)s };
}

static void hold_start(struct writer *w)
{
	w->n_held = 0;
	w->anchor = SIZE_MAX;
	w->own = 0;
}

/* The anchor of the person held into p (store.h): an old episode of its
 * own number, else, for a person named after its first episode (it has no
 * number), that one if it is old. */
static enum pl_err anchor(struct writer *w, struct store_person *p, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	const struct held *h;
	struct srec *sr = (struct srec *)w->buf;

	if (!w->own && w->n_held && w->held[0].pos < dd->n_old)
		w->anchor = 0;
	if (w->anchor == SIZE_MAX)
		return PL_OK;
	h = &w->held[w->anchor];
	p->anchored = 1;
	if (h->idx != NOT_OPEN) {
		p->anchor_file = dd->open[h->idx].file_id;
		p->anchor_line = dd->open[h->idx].line;
		return PL_OK;
	}
	if (spill_get(dd, h->pos, 1, w->buf) != 0)
		return pl_diag_set(d, PL_EIO, NULL, 0, "cannot read a temporary file: %s",
				   strerror(errno));
	p->anchor_file = sr->file_id;
	p->anchor_line = sr->line;
	return PL_OK;
}

/* Step 2: person, merging the episodes with a valid number (sorted by
 * person_ref) with the open persons (sorted by id); a night that gathered
 * meets only the touched ones.  Each person's episodes are held until its
 * key is known. */
static enum pl_err write_person_rows(struct writer *w, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	struct pl_kv v;
	size_t at = 0;
	enum pl_err err = PL_OK;
	int rc = next_valid(w, &v, d);

	for (;;) {
		const struct operson *op;

		while (w->gathered && at < w->n_op && !w->op[at].touched)
			at++;
		if (err || rc < 0 || (rc != 1 && at >= w->n_op))
			break;
		op = at < w->n_op ? &w->op[at] : NULL;
		int same = 0, valid = rc == 1 && (!op || id_before(v.key, v.key2, op, &same));
		int touched = !w->night || (valid && ref_touched(w, v.key, v.key2)) ||
			      ((same || !valid) && op->touched);
		struct store_person p;

		memset(&p, 0, sizeof(p));
		p.hi = valid ? v.key : op->hi;
		p.lo = valid ? v.key2 : op->lo;
		p.basis = valid ? "PNR" : op->basis;
		hold_start(w);
		while (rc == 1 && v.key == p.hi && v.key2 == p.lo) {
			hold(w, v.a, v.b, NOT_OPEN, STEP_DETERMINISTIC);
			rc = next_valid(w, &v, d);
		}
		if (op && (same || !valid)) {
			for (size_t i = op->first; i < op->first + op->n; i++) {
				const struct orec *o = &dd->open[w->m[i].idx];

				hold(w, w->m[i].pos, pack_place(o->district, o->source),
				     w->m[i].idx, (enum step)w->step[w->m[i].idx]);
			}
			at++;
		}
		w->serial++;
		w->n_touched += touched;
		if (touched && w->night)
			err = anchor(w, &p, d);
		if (!err && touched)
			err = store_person_begin(&w->st, &p, d);
		dd->sum->persons++;
		for (size_t i = 0; !err && i < w->n_held; i++) {
			const struct held *h = &w->held[i];

			if (h->idx != NOT_OPEN)
				w->open_key[h->idx] = (uint32_t)p.key;
			err = add_episode(w, &p, h->place, h->pos, (enum step)h->step, d);
		}
		count_sources(w, p.n_districts, 1);
		if (!err && touched)
			err = store_person_end(&w->st, &p, d);
	}
	if (!err && rc < 0)
		err = d->err ? d->err : PL_EIO;
	return err;
}

/* A night that gathered: the old episode written at place had the person
 * keyed key. */
static void note_was(struct writer *w, int64_t key, uint32_t place)
{
	if (w->n_was == w->cap_was) {
		w->cap_was = 2 * w->cap_was + 1024;
		w->was = pl_xrealloc(w->was, w->cap_was * sizeof(*w->was));
	}
	w->was[w->n_was++] = (struct pl_kv){ (uint64_t)key, 0, place, 0 };
}

/* A night that gathered: the counts of every person from those of the
 * touched ones (counted as written), the sums kept, and the old persons of
 * the old episodes written taken out.  Each old person the night reaches
 * has all its episodes written (clustering decides within a component),
 * so its districts and sources are those of was. */
static void count_untouched(struct writer *w)
{
	struct dedup *dd = w->dd;
	struct person_sums kept = { 0, 0 };
	long old = 0;

	pl_kv_sort(w->was, w->n_was);
	for (size_t lo = 0, hi; lo < w->n_was; lo = hi) {
		int n_districts = 0;

		w->serial++;
		for (hi = lo; hi < w->n_was && w->was[hi].key == w->was[lo].key; hi++)
			n_districts += note_place(w, w->was[hi].a);
		count_sources(w, n_districts, -1);
		old++;
	}
	dd_keep_kept_sums(dd, &kept, w->src_persons, w->src_across);
	dd->sum->persons += kept.persons - old;
	w->across += kept.across;
}

/* Step 3: episode_person from the sort by position, with file and line
 * from the spill file read alongside. */
static enum pl_err write_episode_persons(struct writer *w, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	enum pl_err err = pl_extsort_merge(&w->by_pos, d);
	size_t chunk_at = 0, chunk_n = 0, expect = 0, n = 0;
	size_t chunk = w->night ? NIGHT_CHUNK : SPILL_CHUNK; /* a night's are sparse */
	struct pl_kv e;
	int rc = 0;

	while (!err && (rc = pl_extsort_next(&w->by_pos, &e, d)) == 1) {
		const struct srec *s;

		if (w->night ? e.key < expect : e.key != expect) {
			err = pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "episode %" PRIu64 " has no "
					  "person or two", e.key);
			break;
		}
		expect = (size_t)e.key + 1;
		n++;
		if (e.key >= chunk_at + chunk_n) {
			chunk_at = (size_t)e.key;
			chunk_n = dd->n_recs - chunk_at < chunk ? dd->n_recs - chunk_at : chunk;
			if (spill_get(dd, chunk_at, chunk_n, w->buf) != 0) {
				err = pl_diag_set(d, PL_EIO, NULL, 0, "cannot read a temporary "
						  "file: %s", strerror(errno));
				break;
			}
		}
		s = (const struct srec *)(w->buf + (e.key - chunk_at) * dd->stride);
		err = store_episode(&w->st, s->file_id, s->line, e.a, (enum step)e.b, d);
		if (!err && w->gathered && w->st.last_old_key)
			note_was(w, w->st.last_old_key, (uint32_t)e.key2);
	}
	if (!err && rc < 0)
		err = d->err ? d->err : PL_EIO;
	if (!err && (w->night ? n != w->n_by_pos : n != dd->n_recs))
		err = pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "%zu of %zu episodes have a person",
				  n, w->night ? w->n_by_pos : dd->n_recs);
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

/* ---- a night: the touched persons -------------------------------------- */

/* Drops the triggers that note another program's writes to the person
 * tables (this run's are not), keeping their text for outside_on, and
 * reads whether one wrote since the last run. */
static enum pl_err outside_off(struct writer *w, struct pl_diag *d)
{
	sqlite3 *db = w->dd->db;
	sqlite3_stmt *st = NULL;
	char **names = NULL;
	enum pl_err err = pl_db_prepare(db, "SELECT name, sql FROM sqlite_master WHERE type = "
					"'trigger' AND sql LIKE '%person_outside_write%' ORDER BY name",
					&st, d);
	int rc = SQLITE_DONE;

	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		names = pl_xrealloc(names, (w->n_outside + 1) * sizeof(*names));
		w->outside_sql = pl_xrealloc(w->outside_sql, (w->n_outside + 1) * sizeof(char *));
		names[w->n_outside] = pl_xstrdup((const char *)sqlite3_column_text(st, 0));
		w->outside_sql[w->n_outside++] = pl_xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	if (!err && rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, "read the triggers", d);
	sqlite3_finalize(st);
	for (size_t i = 0; !err && i < w->n_outside; i++) {
		char *sql = sqlite3_mprintf("DROP TRIGGER \"%w\"", names[i]);

		err = pl_db_exec(db, sql, d);
		sqlite3_free(sql);
	}
	for (size_t i = 0; i < w->n_outside; i++)
		free(names[i]);
	free(names);
	if (!err)
		err = pl_db_query_int64(db, "SELECT count(*) FROM person_outside_write",
					&w->outside_rows, "read person_outside_write", d);
	return err;
}

/* The triggers again, and no other program's write noted. */
static enum pl_err outside_on(struct writer *w, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	for (size_t i = 0; !err && i < w->n_outside; i++)
		err = pl_db_exec(w->dd->db, w->outside_sql[i], d);
	if (!err)
		err = pl_db_exec(w->dd->db, "DELETE FROM person_outside_write", d);
	return err;
}

/* Whether this run may write only the touched persons: a night whose new
 * records' numbers were kept, on tables that only the last run wrote and
 * that hold a row for each of its episodes. */
static enum pl_err decide_night(struct writer *w, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	const char *why = NULL;
	char over[80];
	int64_t n = 0;
	enum pl_err err = PL_OK;

	if (!dd->n_old)
		return PL_OK;
	snprintf(over, sizeof(over), "more than %zu new episodes with a valid number",
		 NEW_REFS_MAX);
	if (dd->new_refs_over)
		why = over;
	else if (w->n_outside != OUTSIDE_TRIGGERS)
		why = "the triggers that note other programs' writes to the person tables are "
		      "missing";
	else if (w->outside_rows)
		why = "another program wrote to person or episode_person";
	else if (!(err = pl_db_query_int64(dd->db, "SELECT count(*) FROM episode_person", &n,
					   "count episode_person", d)) && (size_t)n != dd->n_old)
		why = "episode_person does not hold a row for each episode the last run read";
	if (!err && why)
		pl_log(PL_LOG_DEBUG, NULL, "every person is written: %s", why);
	w->night = !err && !why;
	return err;
}

/* A night: the components (cc) that hold a new episode (hit), and the
 * valid numbers of the persons in them or with a new episode (tref). */
static void find_touched(struct writer *w)
{
	struct dedup *dd = w->dd;
	size_t n_vrefs = pl_intern_count(&dd->vrefs), n = 0;

	pl_uf_init(&w->cc, dd->n_nodes ? dd->n_nodes : 1);
	w->hit = pl_xcalloc(dd->n_nodes + 1, 1);
	for (size_t i = 0; i < dd->n_pairs; i++)
		if (dd->pairs[i].weight >= dd->cfg.threshold)
			pl_uf_union(&w->cc, dd->pairs[i].na, dd->pairs[i].nb);
	for (size_t i = 0; i < dd->n_open; i++)
		if (view_at(dd, i)->idx >= dd->n_old)
			w->hit[pl_uf_find(&w->cc, view_at(dd, i)->c.node)] = 1;
	dd->n_new_refs = pl_sort_unique(dd->new_refs, dd->n_new_refs, sizeof(*dd->new_refs),
					cmp_ref);
	w->tref = pl_xmalloc((dd->n_new_refs + n_vrefs + 1) * sizeof(*w->tref));
	for (size_t j = 0; j < n_vrefs; j++)
		if (dd->n_new_refs && bsearch(&dd->vref_bits[j], dd->new_refs, dd->n_new_refs,
					      sizeof(*dd->new_refs), cmp_ref))
			w->hit[pl_uf_find(&w->cc, dd->n_open_nodes + j)] = 1;
	for (size_t j = 0; j < n_vrefs; j++)
		if (w->hit[pl_uf_find(&w->cc, dd->n_open_nodes + j)])
			w->tref[n++] = dd->vref_bits[j];
	if (dd->n_new_refs)
		memcpy(w->tref + n, dd->new_refs, dd->n_new_refs * sizeof(*w->tref));
	w->n_tref = pl_sort_unique(w->tref, n + dd->n_new_refs, sizeof(*w->tref), cmp_ref);
}

/* The sort by person, merged: a night that resumed gathers the touched
 * persons' pairs from the persons file and merges only the new ones,
 * which become its new run; any other run merges it whole, and writes a
 * whole new persons file. */
static enum pl_err sort_by_person(struct writer *w, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	struct person_sums kept;
	enum pl_err err;
	int rc = 1;

	if (w->night && dd_keep_kept_sums(dd, &kept, NULL, NULL)) {
		rc = dd_keep_gather(dd, w->tref, w->n_tref, (size_t)dd->cfg.gather_max, &w->old_t,
				    &w->n_old_t, d);
		if (rc < 0)
			return d->err ? d->err : PL_EIO;
		if (rc)
			pl_log(PL_LOG_DEBUG, NULL, "a night: the persons it reaches have more than %ld "
			       "episodes with a valid number (night_gather_max); every person is "
			       "counted", dd->cfg.gather_max);
	}
	w->gathered = rc == 0;
	if (w->gathered) {
		pl_log(PL_LOG_DEBUG, NULL, "a night: %zu episodes with a valid number of the persons "
		       "it reaches, from %zu runs of the persons file", w->n_old_t, dd->keep.n_runs);
		pl_extsort_unadopt(&dd->by_person);
	}
	err = w->gathered ? dd_keep_persons_append(dd, d) : dd_keep_persons_whole(dd, d);
	if (!err)
		err = pl_extsort_merge(&dd->by_person, d);
	if (!err && w->gathered) {
		w->fresh_rc = pl_extsort_next(&dd->by_person, &w->fresh, d);
		if (w->fresh_rc < 0)
			err = d->err ? d->err : PL_EIO;
	}
	return err;
}

/* Steps 1 to 3. */
static enum pl_err write_persons(struct writer *w, struct pl_uf *uf, struct timespec *t,
				 struct pl_diag *d)
{
	char *dir = pl_dir_of(sqlite3_db_filename(w->dd->db, "main"));
	enum pl_err err;

	err = w->night ? store_open_touched(&w->st, w->dd->db, d)
		       : store_open(&w->st, w->dd->db, dir, d);
	if (!err && w->night)
		find_touched(w);
	if (!err)
		err = sort_by_person(w, d);
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
	if (!err && w->gathered)
		count_untouched(w);
	if (!err) {
		struct person_sums sums = { w->dd->sum->persons, w->across };

		w->dd->sum->persons_across = w->across;
		dd_keep_sums(w->dd, &sums, w->src_persons, w->src_across);
	}
	if (!err && w->night)
		pl_log(PL_LOG_DEBUG, NULL, "a night: %ld of %ld persons written (those a new "
		       "episode reaches), with %zu episodes", w->n_touched, w->dd->sum->persons,
		       w->n_by_pos);
	if (!err)
		pl_log(PL_LOG_DEBUG, NULL, w->st.log ? "%ld episodes' persons logged for the "
		       "indicators stage" : "person tables written anew: a new epoch for the "
		       "indicators stage", w->st.logged);
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

static void bind_key(void *rows, size_t i, sqlite3_stmt *st, int base)
{
	sqlite3_bind_int64(st, base + 1, ((const int64_t *)rows)[i]);
}

/* A night: the links of the old persons of the episodes written go (their
 * persons' links are written again). */
static enum pl_err drop_stale_links(struct writer *w, struct pl_diag *d)
{
	sqlite3 *db = w->dd->db;
	enum pl_err err = pl_db_exec(db, "CREATE TEMP TABLE stale_key (person_key INTEGER "
				     "PRIMARY KEY)", d);

	if (!err)
		err = pl_db_insert_rows(db, "INSERT INTO temp.stale_key (person_key)", 1,
					w->st.n_met, bind_key, w->st.met, "note stale links", d);
	if (!err)
		err = pl_db_exec(db, "DELETE FROM person_link WHERE person_key IN "
				 "(SELECT person_key FROM temp.stale_key)", d);
	if (!err)
		err = pl_db_exec(db, "DROP TABLE temp.stale_key", d);
	return err;
}

/* person_link: every pair that joined two nodes (a night: of the persons
 * written).  One side of a pair is always open, and its person's key is
 * known from write_person_rows (0: not written). */
static enum pl_err write_links(struct writer *w, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	sqlite3_stmt *st = NULL;
	struct pl_buf text;
	enum pl_err err = w->night ? drop_stale_links(w, d) : PL_OK;

	pl_buf_init(&text);
	if (!err)
		err = pl_db_prepare(dd->db, "INSERT INTO person_link (person_key, a_file_id, a_line, "
			    "b_file_id, b_line, weight, waterfall) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			    &st, d);
	for (size_t i = 0; !err && i < dd->n_pairs; i++) {
		const struct pair *p = &dd->pairs[i];
		int64_t af, al, bf, bl;
		size_t ao, bo;
		struct crec ca;
		uint32_t key;

		if (!p->linked)
			continue;
		dd_place_of(dd, p->a, &af, &al, &ao);
		dd_place_of(dd, p->b, &bf, &bl, &bo);
		if (ao == SIZE_MAX && bo == SIZE_MAX) {
			err = pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "a link between two episodes "
					  "with a valid number");
			break;
		}
		key = w->open_key[ao != SIZE_MAX ? ao : bo];
		if (!key)
			continue;
		err = crec_of(dd, p->a, &ca, d);
		if (err)
			break;
		dd_waterfall(dd, p, &ca, &text);
		sqlite3_bind_int64(st, 1, key);
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
		err = write_param(dd->db, st, "run", "persons_across", NAN, NAN, s->persons_across, d);
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
	free(w->held);
	pl_extsort_release(&w->by_pos);
	pl_uf_release(&w->cc);
	free(w->hit);
	free(w->tref);
	free(w->old_t);
	free(w->was);
	for (size_t i = 0; i < w->n_outside; i++)
		free(w->outside_sql[i]);
	free(w->outside_sql);
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
	err = outside_off(&w, d);
	if (!err)
		err = decide_night(&w, d);
	if (!err)
		err = pl_db_exec(dd->db, w.night ? "DELETE FROM linkage_param; DELETE FROM "
				 "linkage_source" : "DELETE FROM person_link; DELETE FROM "
				 "linkage_param; DELETE FROM linkage_source", d);
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
	if (!err)
		err = outside_on(&w, d);
	writer_release(&w);
	return err;
}

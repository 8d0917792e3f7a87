/*
 * dedup/load.c - read every episode once, into the spill file and memory.
 *
 * Two threads: one reads episode and raw_sealed and unseals the names and
 * postcode (in memory only), the other packs each episode's comparison
 * record and blocking keys into the spill file, pools and counts its names
 * and postcode, and keeps it in memory if it has no valid identity number
 * (an open record), else in the label sample and the sort by person.
 */
#define _POSIX_C_SOURCE 200809L
#include "dedup_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "db.h"
#include "queue.h"
#include "sealed.h"
#include "store.h"
#include "text.h"
#include "value.h"

#define FIELD_SEP '\x1f'

enum id_kind { ID_NONE = 0, ID_VALID, ID_RESERV };

/* One episode as read, while it is being packed (load_records). */
struct rec {
	long long file_id;
	long line;
	int district;              /* index into the run's district list */
	int source;                /* index into the run's source list, -1: none */
	enum id_kind id;
	const char *ref;           /* person_ref, NULL if none */
	int ref_hex;               /* it is 32 hex digits: ref_bits hold them */
	struct ref128 ref_bits;
	struct pl_date birth;      /* year 0: unknown */
	int birth_year;            /* from the birth date, or the export's year alone */
	char sex[2];
	uint32_t first_id, last_id; /* name keys' ids in dedup.names; ID_BLANK if blank */
	uint32_t post_id;          /* id in dedup.posts; ID_BLANK if blank */
};

/* ---- loading ------------------------------------------------------------ */

/* A file's source, and where its sealed values put the linkage fields. */
struct sealed_layout {
	long long file_id;
	int source;                 /* index into dedup.sources; -1: none */
	int first, last, post;      /* position among the sealed values, -1 */
};

/* The index of name in the list names[0..*n), added if new. */
static int name_index(char ***names, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*names)[i], name) == 0)
			return (int)i;
	*names = pl_xrealloc(*names, (*n + 1) * sizeof(char *));
	(*names)[*n] = pl_xstrdup(name);
	return (int)(*n)++;
}

static enum pl_err load_layouts(struct dedup *dd, struct sealed_layout **out, size_t *n_out,
				struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	struct sealed_layout *ls = NULL;
	size_t n = 0;
	long long cur = -1;
	int pos = 0, rc;
	enum pl_err err;

	err = pl_db_prepare(dd->db, "SELECT f.file_id, f.source, c.field FROM input_file f "
			    "LEFT JOIN file_column c ON c.file_id = f.file_id AND c.sealed = 1 "
			    "ORDER BY f.file_id, c.col_idx", &st, d);
	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long fid = sqlite3_column_int64(st, 0);
		const char *source = (const char *)sqlite3_column_text(st, 1);
		const char *field = (const char *)sqlite3_column_text(st, 2);
		struct sealed_layout *l;

		if (fid != cur) {
			ls = pl_xrealloc(ls, (n + 1) * sizeof(*ls));
			ls[n].file_id = cur = fid;
			ls[n].source = source ? name_index(&dd->sources, &dd->n_sources, source)
					      : -1;
			ls[n].first = ls[n].last = ls[n].post = -1;
			n++;
			pos = 0;
		}
		l = &ls[n - 1];
		if (field && strcmp(field, "first_name") == 0 && l->first < 0)
			l->first = pos;
		else if (field && strcmp(field, "last_name") == 0 && l->last < 0)
			l->last = pos;
		else if (field && strcmp(field, "postcode") == 0 && l->post < 0)
			l->post = pos;
		pos++;
	}
	if (rc != SQLITE_DONE)
		err = pl_db_fail(dd->db, rc, "read sealed columns", d);
	sqlite3_finalize(st);
	*out = ls;
	*n_out = n;
	return err;
}

static const struct sealed_layout *layout_of(const struct sealed_layout *ls, size_t n,
					     long long file_id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ls[mid].file_id < file_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ls[lo].file_id == file_id ? &ls[lo] : NULL;
}

/* The i-th value of a U+001F-separated list into out ("" if absent). */
static void nth_value(const char *list, int i, char *out, size_t size)
{
	const char *p = list, *end;
	size_t len;

	out[0] = '\0';
	if (i < 0)
		return;
	for (; i > 0 && p; i--) {
		p = strchr(p, FIELD_SEP);
		if (p)
			p++;
	}
	if (!p)
		return;
	end = strchr(p, FIELD_SEP);
	len = end ? (size_t)(end - p) : strlen(p);
	if (len >= size)
		len = size - 1;
	memcpy(out, p, len);
	out[len] = '\0';
}

static uint32_t add_name(struct dedup *dd, const char *name);

/* (*h)[id] = the keyed hash of s, if id is new in its pool (had fewer than
 * id + 1 entries before): what the fingerprint and the stored name
 * frequencies know of a name or postcode. */
static void hash_new(const struct dedup *dd, uint64_t **h, size_t *cap, uint32_t id,
		     size_t before, const char *s)
{
	if (id < before)
		return;
	if (id >= *cap) {
		*cap = 2 * (size_t)id + 64;
		*h = pl_xrealloc(*h, *cap * sizeof(**h));
	}
	(*h)[id] = pl_hash64(dd->link_key, s, strlen(s));
}

/* The name key of a first or last name as written: its id in the names
 * pool, ID_BLANK for none. */
static uint32_t name_id(struct dedup *dd, const char *raw)
{
	char key[48];
	uint32_t id;

	pl_name_key(raw, key, sizeof(key));
	id = add_name(dd, key);
	memset(key, 0, sizeof(key));
	return id;
}

/* A postcode as written, folded and without spaces: its id in the
 * postcodes pool, ID_BLANK for none.  tmp: a buffer to fold in. */
static uint32_t post_id(struct dedup *dd, const char *raw, struct pl_buf *tmp)
{
	char post[16];
	size_t o = 0;

	pl_buf_reset(tmp);
	pl_fold(raw, strlen(raw), tmp);
	for (size_t i = 0; i < tmp->len && o + 1 < sizeof(post); i++)
		if (tmp->data[i] != ' ')
			post[o++] = tmp->data[i];
	post[o] = '\0';
	pl_buf_wipe(tmp);
	if (o) {
		size_t before = pl_intern_count(&dd->posts);
		uint32_t id = pl_intern_add(&dd->posts, post);

		hash_new(dd, &dd->post_h, &dd->post_h_cap, id, before, post);
		memset(post, 0, sizeof(post));
		return id;
	}
	return ID_BLANK;
}

/* ---- name frequencies --------------------------------------------------- */

/* The id of a name key in the pool, counted; ID_BLANK for a blank one. */
static uint32_t add_name(struct dedup *dd, const char *name)
{
	size_t before = pl_intern_count(&dd->names);
	uint32_t id;

	if (!name[0])
		return ID_BLANK;
	id = pl_intern_add(&dd->names, name);
	hash_new(dd, &dd->name_h, &dd->name_h_cap, id, before, name);
	if (id >= dd->name_cap) {
		size_t old = dd->name_cap;

		dd->name_cap = 2 * (size_t)id + 64;
		dd->name_n = pl_xrealloc(dd->name_n, dd->name_cap * sizeof(*dd->name_n));
		memset(dd->name_n + old, 0, (dd->name_cap - old) * sizeof(*dd->name_n));
	}
	dd->name_n[id]++;
	dd->n_named++;
	return id;
}

/* The packed comparison record of r. */
static struct crec make_crec(const struct rec *r)
{
	struct crec c;

	memset(&c, 0, sizeof(c));
	c.first = r->first_id;
	c.last = r->last_id;
	c.post = r->post_id;
	c.birth = r->birth.year ? r->birth.year * 10000 + r->birth.month * 100 + r->birth.day : 0;
	c.node = NODE_VALID;
	c.birth_year = (int16_t)r->birth_year;
	c.sex = r->sex[0];
	c.valid = r->id == ID_VALID;
	return c;
}

/* ---- blocking keys ------------------------------------------------------ */

static const char *pooled(const struct pl_intern *pool, uint32_t id)
{
	return id == ID_BLANK ? "" : pl_intern_str(pool, id);
}

/* The first character (UTF-8 sequence, at most 4 bytes, none of them 0)
 * of the pooled name id, as a number that is one to one with it; 0 for
 * none. */
static uint32_t initial_of(const struct dedup *dd, uint32_t id)
{
	const unsigned char *s = (const unsigned char *)pooled(&dd->names, id);
	uint32_t v = s[0];

	for (size_t n = 1; s[0] && n < 4 && (s[n] & 0xC0) == 0x80; n++)
		v = v << 8 | s[n];
	return v;
}

/* A key component's value (one to one with what it stands for: a pool id,
 * a date as yyyymmdd, packed initials); 0 when it is missing. */
static uint64_t component(const struct dedup *dd, const struct rec *r, int k)
{
	uint64_t a, b;

	switch (k) {
	case DK_BIRTH_DATE:
		return r->birth.year ? (uint64_t)r->birth.year * 10000 + (uint64_t)r->birth.month *
			100 + (uint64_t)r->birth.day : 0;
	case DK_BIRTH_YEAR: return r->birth_year ? (uint64_t)(uint32_t)r->birth_year : 0;
	case DK_SEX: return r->sex[0] == 'U' ? 0 : (unsigned char)r->sex[0];
	case DK_FIRST_NAME: return r->first_id == ID_BLANK ? 0 : (uint64_t)r->first_id + 1;
	case DK_LAST_NAME: return r->last_id == ID_BLANK ? 0 : (uint64_t)r->last_id + 1;
	case DK_POSTCODE: return r->post_id == ID_BLANK ? 0 : (uint64_t)r->post_id + 1;
	case DK_FIRST_INITIAL: return initial_of(dd, r->first_id);
	case DK_LAST_INITIAL: return initial_of(dd, r->last_id);
	case DK_INITIALS:         /* unordered, so that swapped names give one key */
		a = initial_of(dd, r->first_id);
		b = initial_of(dd, r->last_id);
		return a && b ? (a < b ? a << 32 | b : b << 32 | a) : 0;
	case DK_BIRTH_MONTH_DAY:
		return r->birth.year ? (uint64_t)r->birth.month * 100 + (uint64_t)r->birth.day : 0;
	default: return 0;
	}
}

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ (unsigned char)FIELD_SEP) * 0x100000001b3ULL;
}

/* The record's key for a rule, hashed into *hash from its components'
 * values (keys live only in this run's spill file, so any hash that is
 * one to one but for collisions serves); 0 if a component is missing. */
static int block_key(const struct dedup *dd, const struct rec *r, const int *rule,
		     uint64_t *hash)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int i = 0; i < DEDUP_MAX_KEYS && rule[i] >= 0; i++) {
		uint64_t v = component(dd, r, rule[i]);

		if (!v)
			return 0;
		h = mix64(h + v + 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1));
	}
	*hash = h;
	return 1;
}

/* The record's keys under the rules into key[] (0: none). */
static void block_keys(const struct dedup *dd, const struct rec *r, uint64_t *key)
{
	for (size_t k = 0; k < dd->cfg.n_rules; k++) {
		uint64_t h;

		key[k] = block_key(dd, r, dd->cfg.rules[k], &h) ? (h >> 16 ? h >> 16 : 1) : 0;
	}
}

/* ---- loading the records ------------------------------------------------ */

/* A 64-bit hash of a person_ref (the label sample's node). */
static uint64_t ref_hash(const char *ref)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *ref; ref++)
		h = (h ^ (unsigned char)*ref) * 0x100000001b3ULL;
	h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
	h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
	return h ^ (h >> 31);
}

/* Halves the sample: only the nodes hashing to at most limit / 2 stay. */
static void labels_halve(struct label_sample *s)
{
	size_t kept = 0;

	s->limit >>= 1;
	for (size_t i = 0; i < s->n; i++)
		if (s->l[i].node <= s->limit)
			s->l[kept++] = s->l[i];
	s->n = kept;
}

static void labels_add(struct label_sample *s, const char *ref, uint32_t idx,
		       const struct crec *c)
{
	uint64_t node = ref_hash(ref);

	while (node <= s->limit && s->limit && s->n >= s->max)
		labels_halve(s);
	if (node > s->limit)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->l = pl_xrealloc(s->l, s->cap * sizeof(*s->l));
	}
	s->l[s->n].node = node;
	s->l[s->n].idx = idx;
	s->l[s->n++].c = *c;
}

/* The share of the valid numbers in the sample. */
double dd_labels_fraction(const struct label_sample *s)
{
	return ((double)s->limit + 1.0) / 18446744073709551616.0;
}

static enum pl_err spill_put(struct dedup *dd, const struct srec *s, struct pl_diag *d)
{
	if (fwrite(s, dd->stride, 1, dd->spill) != 1)
		return pl_diag_set(d, PL_EIO, NULL, 0, "cannot write a temporary file: %s",
				   strerror(errno));
	return PL_OK;
}


/* The fingerprint f with record r (packed as c) folded in: what linking
 * reads of it, names and postcode by keyed hash.  The same records in the
 * same order give the same fingerprint; a change almost surely another. */
static uint64_t fold_record(const struct dedup *dd, uint64_t f, const struct rec *r,
			    const struct crec *c)
{
	uint64_t v[7] = { 0 };

	if (r->ref_hex) {
		v[1] = r->ref_bits.hi;
		v[2] = r->ref_bits.lo;
	} else if (r->ref) {
		v[1] = fnv1a(1469598103934665603ULL, r->ref);
	}
	v[0] = (uint64_t)r->file_id << 32 ^ (uint64_t)r->line;
	v[3] = (uint64_t)r->id << 56 ^ (uint64_t)(uint32_t)c->birth << 24 ^
	       (uint64_t)(uint16_t)c->birth_year << 8 ^ (unsigned char)c->sex;
	v[4] = c->first == ID_BLANK ? 0 : dd->name_h[c->first];
	v[5] = c->last == ID_BLANK ? 0 : dd->name_h[c->last];
	v[6] = c->post == ID_BLANK ? 0 : dd->post_h[c->post];
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		f = mix64(f + v[i]);
	return f;
}

/* Gives the stored pairs' ends at (file_id, line) of r the position idx
 * (the ends and the records come in the same order). */
static void resolve_ends(struct dedup *dd, const struct rec *r, uint32_t idx)
{
	uint64_t at = (uint64_t)r->file_id << 32 | (uint64_t)r->line;

	while (dd->ends_at < dd->n_ends && dd->ends[dd->ends_at].at <= at) {
		const struct pair_end *e = &dd->ends[dd->ends_at++];
		struct pair *p = &dd->kept[e->which >> 1];

		if (e->at == at)
			*(e->which & 1 ? &p->b : &p->a) = idx;
	}
}

/* A night may write only the persons its new records reach (persons.c):
 * the person_refs of the new records with a valid number, kept. */
static void note_new_ref(struct dedup *dd, const struct rec *r)
{
	if (dd->new_refs_over)
		return;
	if (dd->n_new_refs == NEW_REFS_MAX) {
		free(dd->new_refs);
		dd->new_refs = NULL;
		dd->n_new_refs = dd->cap_new_refs = 0;
		dd->new_refs_over = 1;
		return;
	}
	if (dd->n_new_refs == dd->cap_new_refs) {
		dd->cap_new_refs = 2 * dd->cap_new_refs + 1024;
		dd->new_refs = pl_xrealloc(dd->new_refs, dd->cap_new_refs * sizeof(*dd->new_refs));
	}
	dd->new_refs[dd->n_new_refs++] = r->ref_bits;
}

/* The record r, packed, to the spill file; an open one also to memory,
 * a valid one to the label sample and the sort by person. */
static enum pl_err keep_record(struct dedup *dd, const struct rec *r, struct pl_diag *d)
{
	struct srec s;
	uint32_t idx = (uint32_t)dd->n_recs;

	memset(&s, 0, sizeof(s));
	s.c = make_crec(r);
	s.file_id = (uint32_t)r->file_id;
	s.line = (uint32_t)r->line;
	if (r->id == ID_VALID)
		s.ref = r->ref_bits;
	block_keys(dd, r, s.key);
	dd->fp = fold_record(dd, dd->fp, r, &s.c);
	if ((size_t)idx + 1 == (size_t)dd->st.episodes)
		dd->fp_old = dd->fp;
	if (dd->n_ends)
		resolve_ends(dd, r, idx);
	if (r->id == ID_VALID) {
		struct pl_kv kv = { r->ref_bits.hi, r->ref_bits.lo, idx,
				    pack_place(r->district, r->source) };
		enum pl_err err;

		if (!r->ref_hex)
			return pl_diag_set(d, PL_EDATA, NULL, 0, "episode %lld:%ld: person_ref "
					   "is not 32 hex digits", r->file_id, r->line);
		dd->n_valid++;
		if (dd->st.episodes > 0 && idx >= (size_t)dd->st.episodes)
			note_new_ref(dd, r);
		if (!dd->frozen) /* stored parameters: no labels needed */
			labels_add(&dd->labels, r->ref, idx, &s.c);
		err = pl_extsort_add(&dd->by_person, &kv, d);
		if (err)
			return err;
	} else {
		struct orec *o;

		if (dd->n_open == dd->cap_open) {
			dd->cap_open = dd->cap_open ? 2 * dd->cap_open : 1024;
			dd->open = pl_xrealloc(dd->open, dd->cap_open * sizeof(*dd->open));
			dd->view = pl_xrealloc(dd->view, dd->cap_open * dd->vstride);
			for (size_t k = 0; k < dd->cfg.n_rules; k++)
				dd->okey[k] = pl_xrealloc(dd->okey[k], dd->cap_open *
							  sizeof(*dd->okey[k]));
		}
		view_at(dd, dd->n_open)->c = s.c;
		view_at(dd, dd->n_open)->idx = idx;
		o = &dd->open[dd->n_open];
		o->file_id = (uint32_t)r->file_id;
		o->line = (uint32_t)r->line;
		o->ref_id = r->ref ? pl_intern_add(&dd->refs, r->ref) : ID_BLANK;
		o->district = (int16_t)r->district;
		o->source = (int16_t)r->source;
		for (size_t k = 0; k < dd->cfg.n_rules; k++)
			dd->okey[k][dd->n_open] = s.key[k];
		dd->n_open++;
	}
	dd->n_recs++;
	return spill_put(dd, &s, d);
}

/*
 * Loading runs on two threads: this one reads the episodes (SQLite),
 * unseals their sealed values and picks out the names and the postcode
 * (unseal_row: no shared state), into batches; a second one packs them
 * (pack_batch: name keys and folded postcodes, pools, spill file, open
 * records, samples, the sort by person), in order, so that a record's
 * position is the same as on one thread.  That split balances the two: at
 * 1M rows the load took 2.4 s with all the unsealing on the packing side,
 * 1.7 s with the name keys made on the reading side too, 1.4 s as now, and
 * 1.2 s with episode and the sealed values read side by side instead of
 * joined (10M rows: 17.8, 16.8, 15.3, 12.3 s).  With the keys made
 * without printf the packing side is ~3 s of CPU lighter at 10M and waits
 * for the reading side; moving the unsealing over to it again measured no
 * faster (2026-11-26).  Batches go round between two queues (lib/queue),
 * so memory holds LOAD_BATCHES of them.
 */
#define LOAD_BATCH 512
#define LOAD_BATCHES 4
#define NO_TEXT SIZE_MAX

/* An episode as read: its texts are offsets into the batch's text. */
struct load_row {
	long long file_id;
	long line;
	int birth_year;
	size_t district, ref, type, birth, sex; /* NO_TEXT: NULL */
	size_t first, last, post;  /* unsealed names and postcode as written; NO_TEXT: blank */
};

struct load_batch {
	struct load_row row[LOAD_BATCH];
	size_t n;
	struct pl_buf text;
};

struct loader {
	struct dedup *dd;
	struct sealed_layout *ls;
	size_t n_ls;
	struct pl_queue full, empty;
	struct pl_sealed_reader sealed; /* in key order beside the episodes (reading thread) */
	struct pl_buf fold;        /* a postcode being folded (the packing thread's) */
	int district;              /* the last row's district (rows come file by file) */
	enum pl_err err;           /* the packing thread's, with diag */
	struct pl_diag diag;
};

static size_t keep_text(struct pl_buf *text, const void *s, size_t len)
{
	size_t at = text->len;

	if (!s)
		return NO_TEXT;
	pl_buf_append(text, s, len);
	pl_buf_putc(text, '\0');
	return at;
}

static const char *text_at(const struct load_batch *b, size_t at)
{
	return at == NO_TEXT ? NULL : b->text.data + at;
}

/* The episode's sealed values unsealed, and its names and postcode as
 * written into batch b (the work of a row that needs no shared state, done
 * by the reading thread so that the packing thread keeps up).  The sealed
 * values hold every raw row, episode only those mapped, both in key order:
 * merging the two in C is half the time of SQLite's join, which looked
 * each episode up (0.69 s against 0.33 s for the two scans at 1M rows). */
static enum pl_err unseal_row(struct loader *ld, struct load_batch *b, struct load_row *r,
			      struct pl_diag *d)
{
	const struct sealed_layout *l = layout_of(ld->ls, ld->n_ls, r->file_id);
	const char *plain = NULL;
	size_t len = 0;
	int pos[3];
	size_t *at[3] = { &r->first, &r->last, &r->post };
	char v[256];

	r->first = r->last = r->post = NO_TEXT;
	if (!l)
		return PL_OK;
	switch (pl_sealed_find(&ld->sealed, r->file_id, r->line, &plain, &len, d)) {
	case 0: return PL_OK;
	case 1: break;
	default: return d->err;
	}
	pos[0] = l->first;
	pos[1] = l->last;
	pos[2] = l->post;
	for (int i = 0; i < 3; i++) {
		nth_value(plain, pos[i], v, sizeof(v));
		*at[i] = v[0] ? keep_text(&b->text, v, strlen(v)) : NO_TEXT;
	}
	memset(v, 0, sizeof(v));
	return PL_OK;
}

/* Row st of the query into batch b. */
static enum pl_err read_row(struct loader *ld, sqlite3_stmt *st, struct load_batch *b,
			    struct pl_diag *d)
{
	struct load_row *r = &b->row[b->n++];
	int col[] = { 2, 3, 4, 5, 6 };
	size_t *at[] = { &r->district, &r->ref, &r->type, &r->birth, &r->sex };

	r->file_id = sqlite3_column_int64(st, 0);
	r->line = (long)sqlite3_column_int64(st, 1);
	r->birth_year = sqlite3_column_int(st, 7);
	for (size_t i = 0; i < sizeof(col) / sizeof(col[0]); i++) {
		const unsigned char *t = sqlite3_column_text(st, col[i]);

		*at[i] = keep_text(&b->text, t, (size_t)sqlite3_column_bytes(st, col[i]));
	}
	return unseal_row(ld, b, r, d);
}

/* Keeps one episode read: the work that needs the shared pools and lists. */
static enum pl_err pack_row(struct loader *ld, const struct load_batch *b,
			    const struct load_row *lr, struct pl_diag *d)
{
	struct dedup *dd = ld->dd;
	const char *ref = text_at(b, lr->ref), *type = text_at(b, lr->type);
	const char *birth = text_at(b, lr->birth), *sex = text_at(b, lr->sex);
	const struct sealed_layout *layout;
	struct rec r;

	memset(&r, 0, sizeof(r));
	r.file_id = lr->file_id;
	r.line = lr->line;
	if (ld->district < 0 || strcmp(dd->districts[ld->district], text_at(b, lr->district)) != 0)
		ld->district = name_index(&dd->districts, &dd->n_districts,
					  text_at(b, lr->district));
	r.district = ld->district;
	layout = layout_of(ld->ls, ld->n_ls, r.file_id);
	r.source = layout ? layout->source : -1;
	/* positions and open records' numbers are 30 bits (REC_SKIPPED, REC_FRESH) */
	if (dd->n_recs >= REC_LIMIT || r.file_id < 0 || r.file_id > UINT32_MAX ||
	    r.line < 0 || (unsigned long)r.line > UINT32_MAX || r.district > INT16_MAX ||
	    r.source > INT16_MAX)
		return pl_diag_set(d, PL_EDATA, NULL, 0, "episode %lld:%ld: more than %ld "
				   "episodes, files, lines, districts or sources to link",
				   r.file_id, r.line, (long)REC_LIMIT);
	if (r.source >= 0) {
		dd->src_episodes[r.source]++;
		dd->src_no_id[r.source] += type && strcmp(type, "NONE") == 0;
	}
	r.ref = ref && *ref ? ref : NULL;
	r.ref_hex = r.ref && store_id_bits(r.ref, &r.ref_bits.hi, &r.ref_bits.lo);
	r.id = !r.ref ? ID_NONE : strcmp(type, "RESERV") == 0 ? ID_RESERV : ID_VALID;
	if (!birth || pl_date_parse_iso(birth, &r.birth) != 0)
		memset(&r.birth, 0, sizeof(r.birth));
	r.birth_year = r.birth.year ? r.birth.year : lr->birth_year;
	r.sex[0] = sex ? sex[0] : '\0';   /* F, M or U: one letter */
	r.sex[1] = '\0';
	r.first_id = lr->first == NO_TEXT ? ID_BLANK : name_id(dd, text_at(b, lr->first));
	r.last_id = lr->last == NO_TEXT ? ID_BLANK : name_id(dd, text_at(b, lr->last));
	r.post_id = lr->post == NO_TEXT ? ID_BLANK : post_id(dd, text_at(b, lr->post), &ld->fold);
	return keep_record(dd, &r, d);
}

static enum pl_err pack_batch(struct loader *ld, struct load_batch *b, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	for (size_t i = 0; i < b->n && !err; i++)
		err = pack_row(ld, b, &b->row[i], d);
	b->n = 0;
	pl_buf_reset(&b->text);
	return err;
}

/* The packing thread: batches from full, back to empty; on an error both
 * queues close, which stops the reading thread. */
static void *packer(void *arg)
{
	struct loader *ld = arg;
	struct load_batch *b;

	while ((b = pl_queue_get(&ld->full))) {
		if (!ld->err && (ld->err = pack_batch(ld, b, &ld->diag)) != PL_OK) {
			pl_queue_close(&ld->full);
			pl_queue_close(&ld->empty);
		}
		b->n = 0;
		pl_buf_reset(&b->text);
		/* refused once closed: the batch stays in load_records' array */
		(void)pl_queue_put(&ld->empty, b);
	}
	return NULL;
}

/* Reads every episode into batches for the packer (a thread, or this one
 * if there is no thread). */
static enum pl_err read_batches(struct loader *ld, sqlite3_stmt *st, int threaded,
				struct load_batch *batch, struct pl_diag *d)
{
	struct load_batch *cur = NULL;
	enum pl_err err = PL_OK;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!cur && !(cur = threaded ? pl_queue_get(&ld->empty) : batch))
			break; /* the packer stopped */
		if ((err = read_row(ld, st, cur, d)) != PL_OK)
			break;
		if (cur->n < LOAD_BATCH)
			continue;
		if (!threaded)
			err = pack_batch(ld, cur, d);
		else if (pl_queue_put(&ld->full, cur) != 0)
			break;
		cur = NULL;
		if (err)
			break;
	}
	if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = pl_db_fail(ld->dd->db, rc, "read episodes", d);
	if (!err && cur && cur->n && !threaded)
		err = pack_batch(ld, cur, d);
	else if (!err && cur && cur->n)
		(void)pl_queue_put(&ld->full, cur); /* refused: the packer failed */
	return err;
}

enum pl_err dd_load_records(struct dedup *dd, struct pl_diag *d)
{
	struct load_batch *batch = pl_xcalloc(LOAD_BATCHES, sizeof(*batch));
	struct loader ld;
	sqlite3_stmt *st = NULL;
	pthread_t tid;
	int threaded = 0;
	enum pl_err err;

	memset(&ld, 0, sizeof(ld));
	ld.dd = dd;
	ld.district = -1;
	pl_buf_init(&ld.fold);
	pl_queue_init(&ld.full, LOAD_BATCHES);
	pl_queue_init(&ld.empty, LOAD_BATCHES);
	for (size_t i = 0; i < LOAD_BATCHES; i++) {
		pl_buf_init(&batch[i].text);
		pl_queue_put(&ld.empty, &batch[i]);
	}
	err = load_layouts(dd, &ld.ls, &ld.n_ls, d);
	dd->src_episodes = pl_xcalloc(dd->n_sources + 1, sizeof(*dd->src_episodes));
	dd->src_no_id = pl_xcalloc(dd->n_sources + 1, sizeof(*dd->src_no_id));
	if (dd->keep.resumed)
		dd_keep_add_sources(dd);
	/* resumed: only the files above those kept (keep.c) */
	if (!err)
		err = pl_db_prepare(dd->db, "SELECT file_id, line, district, person_ref, id_type, "
				    "birth_date, sex, birth_year FROM episode WHERE file_id > ?1 "
				    "ORDER BY file_id, line", &st, d);
	if (!err) {
		sqlite3_bind_int64(st, 1, dd->keep.from_file);
		err = pl_sealed_reader_init(&ld.sealed, dd->db, dd->seal_key, d);
	}
	if (!err)
		err = pl_sealed_start(&ld.sealed, dd->keep.resumed ? dd->keep.from_file + 1 : 0,
				      INT64_MAX, d);
	if (!err) {
		threaded = pthread_create(&tid, NULL, packer, &ld) == 0;
		err = read_batches(&ld, st, threaded, &batch[0], d);
		if (threaded) {
			pl_queue_close(&ld.full);
			pthread_join(tid, NULL);
		}
		if (!err && ld.err)
			err = pl_diag_set(d, ld.err, ld.diag.file[0] ? ld.diag.file : NULL,
					  ld.diag.line, "%s", ld.diag.msg);
	}
	if (!err && fflush(dd->spill) != 0)
		err = pl_diag_set(d, PL_EIO, NULL, 0, "cannot write a temporary file: %s",
				  strerror(errno));
	/* the sort by person is merged only when the persons are written
	 * (persons.c), but its run buffer leaves memory now */
	if (!err)
		err = pl_extsort_end(&dd->by_person, d);
	sqlite3_finalize(st);
	pl_sealed_reader_release(&ld.sealed);  /* names leave memory with it */
	free(ld.ls);
	pl_queue_release(&ld.full);
	pl_queue_release(&ld.empty);
	for (size_t i = 0; i < LOAD_BATCHES; i++) {
		pl_buf_wipe(&batch[i].text);
		pl_buf_release(&batch[i].text);
	}
	free(batch);
	pl_buf_release(&ld.fold);
	return err;
}

/* Gives back the room the open records' arrays grew by (a large block
 * shrinks in place). */
void dd_fit_open(struct dedup *dd)
{
	dd->cap_open = dd->n_open + 1;
	dd->open = pl_xrealloc(dd->open, dd->cap_open * sizeof(*dd->open));
	dd->view = pl_xrealloc(dd->view, dd->cap_open * dd->vstride);
	for (size_t k = 0; k < dd->cfg.n_rules; k++)
		dd->okey[k] = pl_xrealloc(dd->okey[k], dd->cap_open * sizeof(*dd->okey[k]));
}

/*
 * dedup/dedup.c - link the episodes of one person across districts.
 *
 * 1. Deterministic: episodes sharing a person_ref (a valid personnummer or
 *    samordningsnummer, or a source's reserve number) are one node.
 * 2. Probabilistic, Fellegi-Sunter: pairs of episodes that share a blocking
 *    key, one of them without a valid identity number, are compared on first
 *    and last name (Jaro-Winkler bands, swapped names), birth date (exact,
 *    typo, same month), sex and postcode.  u (chance agreement) comes from
 *    random pairs, m and the match share from EM over the candidate pairs;
 *    exact name agreement is adjusted for the name's frequency.
 * 3. Clustering: union-find over the nodes, strongest links first; a link
 *    that would join two different valid identity numbers is refused.
 *
 * Linkage fields are unsealed in memory only and never written: the tables
 * hold levels, weights and pseudonymous ids.  The whole person layer is
 * rebuilt in one transaction.
 */
#define _POSIX_C_SOURCE 200809L
#include "dedup.h"

#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compare.h"
#include "db.h"
#include "intern.h"
#include "log.h"
#include "secret.h"
#include "text.h"
#include "uf.h"
#include "value.h"

#define FIELD_SEP '\x1f'
#define M_PRIOR_PAIRS 100.0  /* weight of EM's starting m, in pairs */

/* The comparisons, in the order of a comparison vector. */
enum cmp { C_FIRST, C_LAST, C_BIRTH, C_YEAR, C_SEX, C_POST, C__COUNT };
#define N_LEVELS 5                 /* levels -1..3 stored as 0..4 */
#define N_PATTERNS (5 * 5 * 5 * 5 * 5 * 5)

static const char *const cmp_names[C__COUNT] = {
	"first_name", "last_name", "birth_date", "birth_year", "sex", "postcode"
};
static const enum pl_cmp_kind cmp_kinds[C__COUNT] = {
	PL_CMP_KIND_NAME, PL_CMP_KIND_NAME, PL_CMP_KIND_DATE, PL_CMP_KIND_EXACT, PL_CMP_KIND_EXACT,
	PL_CMP_KIND_EXACT
};
static const int cmp_max_level[C__COUNT] = { 3, 3, 3, 1, 1, 1 };

enum id_kind { ID_NONE = 0, ID_VALID, ID_RESERV };

struct rec {
	long long file_id;
	long line;
	int district;              /* index into the run's district list */
	enum id_kind id;
	uint32_t ref_id;           /* person_ref's id in dedup.refs; ID_BLANK if none */
	struct pl_date birth;      /* year 0: unknown */
	int birth_year;            /* from the birth date, or the export's year alone */
	char sex[2];
	uint32_t first_id, last_id; /* name keys' ids in dedup.names; ID_BLANK if blank */
	uint32_t post_id;          /* id in dedup.posts; ID_BLANK if blank */
	size_t node;               /* deterministic node */
};

#define ID_BLANK UINT32_MAX

/* What the comparisons read of a record, packed (24 bytes) so that the
 * pair loops stay in cache: names and postcodes as ids of their pools,
 * the birth date as yyyymmdd. */
struct crec {
	uint32_t first, last, post;
	int32_t birth;             /* yyyymmdd, 0: unknown */
	uint32_t node;
	int16_t birth_year;        /* 0: unknown */
	char sex;                  /* F, M, U */
	unsigned char valid;       /* the node holds a valid identity number */
};

#define LEVEL_CACHE_BITS 18
#define MAX_THREADS 8

/* Comparison levels already computed, by the pair of values (ids or
 * dates): the same names and dates meet again and again across pairs. */
struct level_cache {
	uint64_t key[1u << LEVEL_CACHE_BITS];   /* a << 32 | b; UINT64_MAX: empty */
	signed char level[1u << LEVEL_CACHE_BITS];
};

/* One thread's caches (compare writes to them). */
struct caches {
	struct level_cache *names, *dates;
};

struct pair {
	uint32_t a, b;
	double weight;
	signed char lv[C__COUNT];
	unsigned char linked;      /* this link joined two persons */
};

struct dedup {
	const struct dedup_opts *o;
	struct dedup_summary *sum;
	struct dedup_config cfg;
	sqlite3 *db;
	unsigned char seal_key[PL_KEY_BYTES];
	unsigned char ref_key[PL_KEY_BYTES];
	struct rec *recs;
	size_t n_recs;
	char **districts;
	size_t n_districts;
	size_t n_nodes;
	unsigned char *node_valid;  /* node holds a valid identity number */
	struct pair *pairs;         /* candidate pairs at or above the threshold */
	size_t n_pairs;
	long *pattern_n;            /* candidate pairs by comparison pattern */
	long rule_pairs[DEDUP_MAX_RULES]; /* candidate pairs by the first rule blocking them */
	double m[C__COUNT][N_LEVELS], u[C__COUNT][N_LEVELS];
	double m0[C__COUNT][N_LEVELS]; /* EM's starting m, also its prior */
	double lambda;              /* match share among candidate pairs (EM) */
	double prior;               /* chance that two random episodes match */
	/* name frequencies for the term-frequency adjustment */
	struct pl_intern refs;      /* person_refs */
	struct pl_intern names;     /* first and last name keys, one pool */
	long *name_n;               /* by name id: first and last names so spelt */
	size_t name_cap;            /* room in name_n */
	long n_named;               /* non-blank first and last names */
	struct pl_intern posts;     /* postcodes, folded, without spaces */
	struct crec *cr;            /* by record */
	struct caches cache;        /* of the main thread */
	/* the weights, once m and u are known (prepare_weights) */
	double w[C__COUNT][N_LEVELS];  /* log2(m/u) of each level */
	double *tf_w[2];               /* exact first / last name, by name id */
	double prior_w;                /* prior_weight() */
};

/* ---- loading ------------------------------------------------------------ */

/* Where a file's sealed values put the linkage fields. */
struct sealed_layout {
	long long file_id;
	int first, last, post;      /* position among the sealed values, -1 */
};

static enum pl_err load_layouts(struct dedup *dd, struct sealed_layout **out, size_t *n_out,
				struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	struct sealed_layout *ls = NULL;
	size_t n = 0;
	long long cur = -1;
	int pos = 0, rc;
	enum pl_err err;

	err = pl_db_prepare(dd->db, "SELECT file_id, field FROM file_column WHERE sealed = 1 "
			    "ORDER BY file_id, col_idx", &st, d);
	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long fid = sqlite3_column_int64(st, 0);
		const char *field = (const char *)sqlite3_column_text(st, 1);
		struct sealed_layout *l;

		if (fid != cur) {
			ls = pl_xrealloc(ls, (n + 1) * sizeof(*ls));
			ls[n].file_id = cur = fid;
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

static int district_index(struct dedup *dd, const char *name)
{
	for (size_t i = 0; i < dd->n_districts; i++)
		if (strcmp(dd->districts[i], name) == 0)
			return (int)i;
	dd->districts = pl_xrealloc(dd->districts, (dd->n_districts + 1) * sizeof(char *));
	dd->districts[dd->n_districts] = pl_xstrdup(name);
	return (int)dd->n_districts++;
}

/* The i-th value of a U+001F-separated list into out ("" if absent). */
static void nth_value(const char *list, int i, char *out, size_t size)
{
	const char *p = list, *end;

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
	snprintf(out, size, "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
}

static uint32_t add_name(struct dedup *dd, const char *name);

/* The record's name keys and postcode from its unsealed values, as ids of
 * their pools (the plain text lives only in the pools). */
static void fill_linkage(struct dedup *dd, struct rec *r, const struct sealed_layout *l,
			 const char *plain)
{
	char v[256], key[48], post[16];
	struct pl_buf tmp;
	size_t o = 0;

	if (!l)
		return;
	nth_value(plain, l->first, v, sizeof(v));
	pl_name_key(v, key, sizeof(key));
	r->first_id = add_name(dd, key);
	nth_value(plain, l->last, v, sizeof(v));
	pl_name_key(v, key, sizeof(key));
	r->last_id = add_name(dd, key);
	nth_value(plain, l->post, v, sizeof(v));
	pl_buf_init(&tmp);
	pl_fold(v, strlen(v), &tmp);
	for (size_t i = 0; i < tmp.len && o + 1 < sizeof(post); i++)
		if (tmp.data[i] != ' ')
			post[o++] = tmp.data[i];
	post[o] = '\0';
	pl_buf_release(&tmp);
	r->post_id = o ? pl_intern_add(&dd->posts, post) : ID_BLANK;
	memset(v, 0, sizeof(v));
	memset(key, 0, sizeof(key));
}

static enum pl_err load_records(struct dedup *dd, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	struct sealed_layout *ls = NULL;
	size_t n_ls = 0, cap = 0;
	struct pl_buf plain;
	enum pl_err err;
	int rc;

	pl_buf_init(&plain);
	err = load_layouts(dd, &ls, &n_ls, d);
	if (!err)
		err = pl_db_prepare(dd->db, "SELECT e.file_id, e.line, e.district, e.person_ref, "
				    "e.id_type, e.birth_date, e.sex, r.sealed, e.birth_year FROM episode e "
				    "JOIN raw_row r USING (file_id, line) ORDER BY e.file_id, e.line",
				    &st, d);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(st, 3);
		const char *type = (const char *)sqlite3_column_text(st, 4);
		const char *birth = (const char *)sqlite3_column_text(st, 5);
		const void *blob = sqlite3_column_blob(st, 7);
		struct rec *r;

		if (dd->n_recs == cap) {
			cap = cap ? 2 * cap : 1024;
			dd->recs = pl_xrealloc(dd->recs, cap * sizeof(*dd->recs));
		}
		r = &dd->recs[dd->n_recs++];
		memset(r, 0, sizeof(*r));
		r->file_id = sqlite3_column_int64(st, 0);
		r->line = (long)sqlite3_column_int64(st, 1);
		r->district = district_index(dd, (const char *)sqlite3_column_text(st, 2));
		r->id = !ref ? ID_NONE : strcmp(type, "RESERV") == 0 ? ID_RESERV : ID_VALID;
		r->ref_id = ref && *ref ? pl_intern_add(&dd->refs, ref) : ID_BLANK;
		r->first_id = r->last_id = r->post_id = ID_BLANK;
		if (!birth || pl_date_parse(birth, "YYYY-MM-DD", &r->birth) != 0)
			memset(&r->birth, 0, sizeof(r->birth));
		r->birth_year = r->birth.year ? r->birth.year : sqlite3_column_int(st, 8);
		snprintf(r->sex, sizeof(r->sex), "%s", (const char *)sqlite3_column_text(st, 6));
		if (blob) {
			if (pl_unseal(dd->seal_key, blob, (size_t)sqlite3_column_bytes(st, 7), &plain)) {
				err = pl_diag_set(d, PL_ECONFIG, NULL, 0, "sealed values cannot be "
						  "opened: the key file is not the one used at ingest");
				break;
			}
			fill_linkage(dd, r, layout_of(ls, n_ls, r->file_id), plain.data);
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = pl_db_fail(dd->db, rc, "read episodes", d);
	sqlite3_finalize(st);
	free(ls);
	if (plain.data)
		memset(plain.data, 0, plain.cap); /* names leave memory with the buffer */
	pl_buf_release(&plain);
	return err;
}

/* ---- step 1: deterministic nodes ---------------------------------------- */

/* Records sharing a non-empty person_ref become one node (the ref's id);
 * every other record is a node of its own. */
static void make_nodes(struct dedup *dd)
{
	size_t node = pl_intern_count(&dd->refs);

	dd->node_valid = pl_xcalloc(dd->n_recs + 1, 1);
	for (size_t i = 0; i < dd->n_recs; i++) {
		struct rec *r = &dd->recs[i];

		r->node = r->ref_id != ID_BLANK ? r->ref_id : node++;
		if (r->id == ID_VALID)
			dd->node_valid[r->node] = 1;
	}
	dd->n_nodes = node;
}

/* The prior of the match weights: the chance that two episodes drawn at
 * random are one person, estimated without labels from the episodes with a
 * valid identity number, where the deterministic nodes are the persons:
 * pairs within nodes over all pairs of such episodes. */
static void estimate_prior(struct dedup *dd)
{
	size_t *size = pl_xcalloc(dd->n_nodes + 1, sizeof(size_t));
	double within = 0, n_valid = 0, all;

	for (size_t i = 0; i < dd->n_recs; i++) {
		if (dd->recs[i].id != ID_VALID)
			continue;
		size[dd->recs[i].node]++;
		n_valid++;
	}
	for (size_t n = 0; n < dd->n_nodes; n++)
		within += (double)size[n] * ((double)size[n] - 1) / 2;
	all = n_valid * (n_valid - 1) / 2;
	dd->prior = all > 0 && within > 0 ? fmin(fmax(within / all, 1e-9), 0.5) : 1e-4;
	free(size);
}

/* ---- name frequencies --------------------------------------------------- */

static struct level_cache *level_cache_new(void)
{
	struct level_cache *c = pl_xmalloc(sizeof(*c));

	memset(c->key, 0xff, sizeof(c->key));
	return c;
}

/* The id of a name key in the pool, counted; ID_BLANK for a blank one. */
static uint32_t add_name(struct dedup *dd, const char *name)
{
	uint32_t id;

	if (!name[0])
		return ID_BLANK;
	id = pl_intern_add(&dd->names, name);
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

static void caches_init(struct caches *c)
{
	c->names = level_cache_new();
	c->dates = level_cache_new();
}

static void caches_release(struct caches *c)
{
	free(c->names);
	free(c->dates);
	c->names = c->dates = NULL;
}

/* The packed comparison records (after make_nodes and count_names). */
static void make_crecs(struct dedup *dd)
{
	dd->cr = pl_xcalloc(dd->n_recs + 1, sizeof(*dd->cr));
	for (size_t i = 0; i < dd->n_recs; i++) {
		const struct rec *r = &dd->recs[i];
		struct crec *c = &dd->cr[i];

		c->first = r->first_id;
		c->last = r->last_id;
		c->post = r->post_id;
		c->birth = r->birth.year ? r->birth.year * 10000 + r->birth.month * 100 + r->birth.day
					 : 0;
		c->node = (uint32_t)r->node;
		c->birth_year = (int16_t)r->birth_year;
		c->sex = r->sex[0];
		c->valid = dd->node_valid[r->node];
	}
}

/* Share of name values equal to name id (at least one in n_named). */
static double name_share(const struct dedup *dd, uint32_t id)
{
	if (id != ID_BLANK && dd->n_named > 0)
		return (double)dd->name_n[id] / (double)dd->n_named;
	return dd->n_named > 0 ? 1.0 / (double)dd->n_named : 1.0;
}

/* ---- comparisons -------------------------------------------------------- */

static int cache_find(const struct level_cache *c, uint64_t key, size_t *slot)
{
	*slot = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> (64 - LEVEL_CACHE_BITS));
	return c->key[*slot] == key;
}

/* pl_cmp_name_bands of two names given by id, through the cache. */
static int name_level(const struct dedup *dd, struct level_cache *c, uint32_t a, uint32_t b)
{
	uint64_t key = (uint64_t)a << 32 | b;
	size_t slot;
	int lv;

	if (a == ID_BLANK || b == ID_BLANK)
		return PL_CMP_MISSING;
	if (a == b)
		return PL_CMP_NAME_EXACT;
	if (cache_find(c, key, &slot))
		return c->level[slot];
	lv = pl_cmp_name_bands(pl_intern_str(&dd->names, a), pl_intern_str(&dd->names, b),
			       dd->cfg.name_high, dd->cfg.name_low);
	c->key[slot] = key;
	c->level[slot] = (signed char)lv;
	return lv;
}

static struct pl_date unpack_date(int32_t ymd)
{
	struct pl_date d = { ymd / 10000, ymd / 100 % 100, ymd % 100 };

	return d;
}

/* pl_cmp_date of two packed dates, through the cache. */
static int date_level(struct level_cache *c, int32_t a, int32_t b)
{
	uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
	struct pl_date da, db;
	size_t slot;
	int lv;

	if (!a || !b)
		return PL_CMP_MISSING;
	if (a == b)
		return PL_CMP_DATE_EXACT;
	if (cache_find(c, key, &slot))
		return c->level[slot];
	da = unpack_date(a);
	db = unpack_date(b);
	lv = pl_cmp_date(&da, &db);
	c->key[slot] = key;
	c->level[slot] = (signed char)lv;
	return lv;
}

/* pl_cmp_exact of two values given by id (postcodes folded at load). */
static int id_level(uint32_t a, uint32_t b)
{
	if (a == ID_BLANK || b == ID_BLANK)
		return PL_CMP_MISSING;
	return a == b ? PL_CMP_EQUAL : PL_CMP_ELSE;
}

static void compare(const struct dedup *dd, struct caches *c, const struct crec *a,
		    const struct crec *b, signed char lv[C__COUNT])
{
	lv[C_FIRST] = (signed char)name_level(dd, c->names, a->first, b->first);
	lv[C_LAST] = (signed char)name_level(dd, c->names, a->last, b->last);
	if (lv[C_FIRST] < PL_CMP_NAME_JW92 && lv[C_LAST] < PL_CMP_NAME_JW92) {
		/* first and last name swapped (typos allowed): as near matches */
		int cf = name_level(dd, c->names, a->first, b->last);
		int cl = name_level(dd, c->names, a->last, b->first);

		if (cf >= PL_CMP_NAME_JW92 && cl >= PL_CMP_NAME_JW92)
			lv[C_FIRST] = lv[C_LAST] = PL_CMP_NAME_JW92;
	}
	lv[C_BIRTH] = (signed char)date_level(c->dates, a->birth, b->birth);
	/* birth years speak only where a full date is missing on a side */
	lv[C_YEAR] = (signed char)(a->birth && b->birth ? PL_CMP_MISSING
				  : a->birth_year && b->birth_year ? a->birth_year == b->birth_year
				  : PL_CMP_MISSING);
	/* pl_cmp_sex of two codes */
	lv[C_SEX] = (signed char)(a->sex == 'U' || b->sex == 'U' || !a->sex || !b->sex
				  ? PL_CMP_MISSING : a->sex == b->sex ? PL_CMP_EQUAL : PL_CMP_ELSE);
	lv[C_POST] = (signed char)id_level(a->post, b->post);
}

static size_t pattern_of(const signed char lv[C__COUNT])
{
	size_t p = 0;

	for (int k = 0; k < C__COUNT; k++)
		p = p * N_LEVELS + (size_t)(lv[k] + 1);
	return p;
}

/* ---- blocking ----------------------------------------------------------- */

/*
 * Each rule puts every record with all of the rule's components in a block:
 * blk[r][i] is the block of record i under rule r, BLK_NONE when a
 * component is missing or the block is larger than max_block (skipped).
 * order[r] lists the records of kept blocks, block by block.  Keys are
 * 64-bit FNV-1a hashes of the components (a collision merges two blocks:
 * a few more pairs compared, nothing linked that the comparison would not
 * link).  A pair is generated by the first rule that blocks it, so every
 * candidate pair is met exactly once, without a list of all pairs: the two
 * passes over the pairs (counting comparison patterns for EM, then scoring)
 * hold only the pairs that score above the threshold.
 */
#define BLK_NONE UINT32_MAX

struct blocking {
	size_t n_rules;
	uint32_t *blk;              /* blk[i * n_rules + r]: record i's block under rule r */
	uint32_t *order[DEDUP_MAX_RULES];
	size_t n_order[DEDUP_MAX_RULES];
};

struct key_idx {
	uint64_t hash;
	uint32_t idx;
};

/* Sorts keys by hash, stably: they come in idx order, so equal hashes stay
 * in idx order.  LSD radix sort, 16 bits a pass (qsort took 9 rules times
 * N log N comparisons: most of the blocking step). */
static void sort_keys(struct key_idx *keys, size_t n)
{
	enum { DIGITS = 1 << 16 };
	struct key_idx *tmp = pl_xmalloc((n + 1) * sizeof(*tmp)), *from = keys, *to = tmp;
	size_t *at = pl_xmalloc(DIGITS * sizeof(*at));

	for (int shift = 0; shift < 64; shift += 16) {
		struct key_idx *swap = from;

		memset(at, 0, DIGITS * sizeof(*at));
		for (size_t i = 0; i < n; i++)
			at[(from[i].hash >> shift) & (DIGITS - 1)]++;
		for (size_t d = 0, sum = 0; d < DIGITS; d++) {
			size_t c = at[d];

			at[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			to[at[(from[i].hash >> shift) & (DIGITS - 1)]++] = from[i];
		from = to;
		to = swap;
	}
	/* four passes: the result is back in keys */
	free(tmp);
	free(at);
}

static const char *pooled(const struct pl_intern *pool, uint32_t id)
{
	return id == ID_BLANK ? "" : pl_intern_str(pool, id);
}

/* The first character (UTF-8 sequence) of s into buf. */
static const char *initial(const char *s, char buf[16])
{
	size_t n = 1;

	if (!*s) {
		buf[0] = '\0';
		return buf;
	}
	while (n < 4 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n++;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/* Both initials of a record, the smaller first, so that swapped first and
 * last names give one key; "" unless both names are there. */
static const char *initials(const struct dedup *dd, const struct rec *r, char buf[32])
{
	char a[16], b[16];

	initial(pooled(&dd->names, r->first_id), a);
	initial(pooled(&dd->names, r->last_id), b);
	if (!*a || !*b)
		buf[0] = '\0';
	else if (strcmp(a, b) <= 0)
		snprintf(buf, 32, "%s%s", a, b);
	else
		snprintf(buf, 32, "%s%s", b, a);
	return buf;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ (unsigned char)FIELD_SEP) * 0x100000001b3ULL;
}

/* The record's key for a rule, hashed into *hash; 0 if a component is
 * missing. */
static int block_key(const struct dedup *dd, const struct rec *r, const int *rule,
		     uint64_t *hash)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int i = 0; i < DEDUP_MAX_KEYS && rule[i] >= 0; i++) {
		char tmp[32];
		const char *v = "";

		switch (rule[i]) {
		case DK_BIRTH_DATE:
			if (r->birth.year)
				pl_date_iso(&r->birth, tmp), v = tmp;
			break;
		case DK_BIRTH_YEAR:
			if (r->birth_year)
				snprintf(tmp, sizeof(tmp), "%d", r->birth_year), v = tmp;
			break;
		case DK_SEX: v = strcmp(r->sex, "U") == 0 ? "" : r->sex; break;
		case DK_FIRST_NAME: v = pooled(&dd->names, r->first_id); break;
		case DK_LAST_NAME: v = pooled(&dd->names, r->last_id); break;
		case DK_POSTCODE: v = pooled(&dd->posts, r->post_id); break;
		case DK_FIRST_INITIAL:
			v = initial(pooled(&dd->names, r->first_id), tmp);
			break;
		case DK_LAST_INITIAL:
			v = initial(pooled(&dd->names, r->last_id), tmp);
			break;
		case DK_INITIALS: v = initials(dd, r, tmp); break;
		}
		if (!*v)
			return 0;
		h = fnv1a(h, v);
	}
	*hash = h;
	return 1;
}

/* Rule r's blocks: blk[r] and order[r]. */
static void block_rule(struct dedup *dd, struct blocking *b, size_t r)
{
	struct key_idx *keys = pl_xmalloc((dd->n_recs + 1) * sizeof(*keys));
	uint32_t *blk = b->blk + r, n_rules = (uint32_t)b->n_rules;
	uint32_t *order = pl_xmalloc((dd->n_recs + 1) * sizeof(*order));
	size_t n_keys = 0, n_order = 0, skipped = 0;
	uint32_t next = 0;

	for (size_t i = 0; i < dd->n_recs; i++) {
		blk[i * n_rules] = BLK_NONE;
		if (block_key(dd, &dd->recs[i], dd->cfg.rules[r], &keys[n_keys].hash))
			keys[n_keys++].idx = (uint32_t)i;
	}
	sort_keys(keys, n_keys);
	for (size_t lo = 0, hi; lo < n_keys; lo = hi) {
		for (hi = lo + 1; hi < n_keys && keys[hi].hash == keys[lo].hash; hi++)
			;
		if ((long)(hi - lo) > dd->cfg.max_block) {
			skipped++;
			continue;
		}
		for (size_t i = lo; i < hi; i++) {
			blk[keys[i].idx * n_rules] = next;
			order[n_order++] = keys[i].idx;
		}
		next++;
	}
	if (skipped)
		pl_log(PL_LOG_WARN, NULL, "blocking rule %zu: %zu keys shared by more than %ld "
		       "episodes were skipped", r + 1, skipped, dd->cfg.max_block);
	free(keys);
	b->order[r] = order;
	b->n_order[r] = n_order;
}

static void blocking_init(struct dedup *dd, struct blocking *b)
{
	memset(b, 0, sizeof(*b));
	b->n_rules = dd->cfg.n_rules ? dd->cfg.n_rules : 1;
	b->blk = pl_xmalloc((dd->n_recs + 1) * b->n_rules * sizeof(*b->blk));
	for (size_t r = 0; r < dd->cfg.n_rules; r++)
		block_rule(dd, b, r);
}

static void blocking_release(struct blocking *b)
{
	for (size_t r = 0; r < DEDUP_MAX_RULES; r++)
		free(b->order[r]);
	free(b->blk);
	memset(b, 0, sizeof(*b));
}

/* A pair worth comparing: not already one node, and not two valid numbers. */
static int candidate(const struct crec *a, const struct crec *b)
{
	return a->node != b->node && !(a->valid && b->valid);
}

/* Whether a rule before r already puts two records, given by their rows
 * of blk, in one kept block. */
static int blocked_before(const uint32_t *x, const uint32_t *y, size_t r)
{
	for (size_t q = 0; q < r; q++)
		if (x[q] != BLK_NONE && x[q] == y[q])
			return 1;
	return 0;
}

struct worker;
typedef void pair_fn(struct worker *w, uint32_t a, const struct crec *ca, uint32_t b,
		     const struct crec *cb);

/* One thread of a pass over the candidate pairs: it takes every n-th block
 * (from the id-th) of every rule and keeps its results apart; the results
 * are merged in a fixed way, so that they do not depend on the threads. */
struct worker {
	const struct dedup *dd;
	const struct blocking *b;
	size_t id, n;
	pair_fn *fn;
	struct caches cache;
	uint32_t *m_idx, *m_blk;    /* one block's members, gathered */
	struct crec *m_cr;
	long *pattern_n;            /* candidate pairs by pattern */
	long seen;                  /* candidate pairs */
	long rule_pairs[DEDUP_MAX_RULES]; /* candidate pairs by the rule they belong to */
	struct pair *pairs;         /* pass 2: pairs at or above the threshold */
	size_t n_pairs, cap_pairs;
};

static void gather_one(struct worker *w, size_t at, uint32_t idx)
{
	size_t n_rules = w->b->n_rules;

	w->m_idx[at] = idx;
	w->m_cr[at] = w->dd->cr[idx];
	memcpy(w->m_blk + at * n_rules, w->b->blk + (size_t)idx * n_rules,
	       n_rules * sizeof(*w->m_blk));
}

/* Gathers the members ord[0..n) of one block, those without a valid
 * identity number first (two members with valid numbers are never a
 * candidate pair, so the pair loop starts from the others); returns how
 * many those are. */
static size_t gather(struct worker *w, const uint32_t *ord, size_t n)
{
	const struct crec *cr = w->dd->cr;
	size_t n_open = 0, at = 0;

	for (size_t i = 0; i < n; i++)
		n_open += !cr[ord[i]].valid;
	if (!n_open)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!cr[ord[i]].valid)
			gather_one(w, at++, ord[i]);
	for (size_t i = 0; i < n; i++)
		if (cr[ord[i]].valid)
			gather_one(w, at++, ord[i]);
	return n_open;
}

/* The pairs of one gathered block of rule r with n members, the first
 * n_open of them without a valid identity number. */
static void block_pairs(struct worker *w, size_t r, size_t n, size_t n_open)
{
	size_t n_rules = w->b->n_rules;

	for (size_t i = 0; i < n_open; i++) {
		for (size_t j = i + 1; j < n; j++) {
			size_t x = w->m_idx[i] < w->m_idx[j] ? i : j, y = x == i ? j : i;

			if (candidate(&w->m_cr[i], &w->m_cr[j]) &&
			    !blocked_before(w->m_blk + i * n_rules, w->m_blk + j * n_rules, r)) {
				w->rule_pairs[r]++;
				w->fn(w, w->m_idx[x], &w->m_cr[x], w->m_idx[y], &w->m_cr[y]);
			}
		}
	}
}

/* Calls w->fn once for every candidate pair (a < b) of the worker's
 * blocks, rule by rule. */
static void *for_each_pair(void *arg)
{
	struct worker *w = arg;
	const struct blocking *b = w->b;
	size_t k = 0;

	for (size_t r = 0; r < w->dd->cfg.n_rules; r++) {
		const uint32_t *ord = b->order[r], *blk = b->blk + r;
		size_t n = b->n_order[r];

		for (size_t lo = 0, hi; lo < n; lo = hi, k++) {
			uint32_t this = blk[(size_t)ord[lo] * b->n_rules];
			size_t n_open;

			for (hi = lo + 1; hi < n && blk[(size_t)ord[hi] * b->n_rules] == this; hi++)
				;
			if (k % w->n != w->id)
				continue;
			n_open = gather(w, ord + lo, hi - lo);
			if (n_open)
				block_pairs(w, r, hi - lo, n_open);
		}
	}
	return NULL;
}

static size_t n_threads(const struct dedup *dd)
{
	long n = dd->cfg.threads > 0 ? dd->cfg.threads : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (size_t)n;
}

/* Runs fn over every candidate pair in n_threads(dd) workers w[]; returns
 * how many ran (the caller merges and releases them). */
static size_t run_workers(struct dedup *dd, const struct blocking *b, pair_fn *fn,
			  struct worker w[MAX_THREADS])
{
	size_t n = n_threads(dd), max = (size_t)dd->cfg.max_block + 1, started;
	pthread_t tid[MAX_THREADS];

	for (size_t i = 0; i < n; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].dd = dd;
		w[i].b = b;
		w[i].id = i;
		w[i].n = n;
		w[i].fn = fn;
		caches_init(&w[i].cache);
		w[i].m_idx = pl_xmalloc(max * sizeof(*w[i].m_idx));
		w[i].m_blk = pl_xmalloc(max * b->n_rules * sizeof(*w[i].m_blk));
		w[i].m_cr = pl_xmalloc(max * sizeof(*w[i].m_cr));
		w[i].pattern_n = pl_xcalloc(N_PATTERNS, sizeof(*w[i].pattern_n));
	}
	/* a thread that cannot start leaves its share to the main thread */
	for (started = 1; started < n; started++)
		if (pthread_create(&tid[started], NULL, for_each_pair, &w[started]) != 0)
			break;
	for_each_pair(&w[0]);
	for (size_t i = started; i < n; i++)
		for_each_pair(&w[i]);
	for (size_t i = 1; i < started; i++)
		pthread_join(tid[i], NULL);
	return n;
}

static void worker_release(struct worker *w)
{
	caches_release(&w->cache);
	free(w->m_idx);
	free(w->m_blk);
	free(w->m_cr);
	free(w->pattern_n);
	free(w->pairs);
}

/* Pass 1: the comparison pattern of every candidate pair, counted. */
static void count_pattern(struct worker *w, uint32_t a, const struct crec *ca, uint32_t b,
			  const struct crec *cb)
{
	signed char lv[C__COUNT];

	(void)a, (void)b;
	compare(w->dd, &w->cache, ca, cb, lv);
	w->pattern_n[pattern_of(lv)]++;
	w->seen++;
}

/* The candidate pairs by pattern, and in all, from the workers of a pass
 * (each pass meets the same pairs). */
static void merge_patterns(struct dedup *dd, const struct worker *w, size_t n)
{
	if (!dd->pattern_n)
		dd->pattern_n = pl_xmalloc(N_PATTERNS * sizeof(*dd->pattern_n));
	memset(dd->pattern_n, 0, N_PATTERNS * sizeof(*dd->pattern_n));
	memset(dd->rule_pairs, 0, sizeof(dd->rule_pairs));
	dd->sum->candidate_pairs = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t p = 0; p < N_PATTERNS; p++)
			dd->pattern_n[p] += w[i].pattern_n[p];
		for (size_t r = 0; r < DEDUP_MAX_RULES; r++)
			dd->rule_pairs[r] += w[i].rule_pairs[r];
		dd->sum->candidate_pairs += w[i].seen;
	}
}

/* Pass 1, for EM only: the patterns before any pair is scored. */
static void count_patterns(struct dedup *dd, const struct blocking *b)
{
	struct worker w[MAX_THREADS];
	size_t n = run_workers(dd, b, count_pattern, w);

	merge_patterns(dd, w, n);
	for (size_t i = 0; i < n; i++)
		worker_release(&w[i]);
}

/* ---- estimating u and m ------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Turns level counts into probabilities (a little smoothing). */
static void normalise(double count[C__COUNT][N_LEVELS], double out[C__COUNT][N_LEVELS])
{
	for (int k = 0; k < C__COUNT; k++) {
		double total = 0;

		for (int l = 1; l <= cmp_max_level[k] + 1; l++)
			total += count[k][l] + 0.5;
		for (int l = 1; l <= cmp_max_level[k] + 1; l++)
			out[k][l] = (count[k][l] + 0.5) / total;
	}
}

/* u from random pairs (fixed seed: the same data gives the same figures). */
static void estimate_u(struct dedup *dd)
{
	double count[C__COUNT][N_LEVELS] = { { 0 } };
	uint64_t seed = 20261125;

	for (long s = 0; dd->n_recs > 1 && s < dd->cfg.u_sample_pairs; s++) {
		size_t a = splitmix64(&seed) % dd->n_recs, b = splitmix64(&seed) % dd->n_recs;
		signed char lv[C__COUNT];

		if (a == b)
			continue;
		compare(dd, &dd->cache, &dd->cr[a], &dd->cr[b], lv);
		for (int k = 0; k < C__COUNT; k++)
			count[k][lv[k] + 1] += 1;
	}
	normalise(count, dd->u);
}

struct node_idx {
	size_t node;
	size_t idx;
};

static int cmp_node(const void *a, const void *b)
{
	const struct node_idx *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The starting m of EM: agreement among pairs of episodes sharing a valid
 * identity number, the matches the data already holds (at most 64 episodes
 * a person).  Without any, textbook values. */
static void init_m(struct dedup *dd)
{
	static const double name[4] = { 0.03, 0.04, 0.08, 0.85 };
	static const double date[4] = { 0.02, 0.03, 0.05, 0.90 };
	static const double exact[2] = { 0.02, 0.98 };
	double count[C__COUNT][N_LEVELS] = { { 0 } };
	struct node_idx *ni = pl_xmalloc((dd->n_recs + 1) * sizeof(*ni));
	size_t n = 0;
	long pairs = 0;

	for (size_t i = 0; i < dd->n_recs; i++)
		if (dd->recs[i].id == ID_VALID)
			ni[n].node = dd->recs[i].node, ni[n++].idx = i;
	qsort(ni, n, sizeof(*ni), cmp_node);
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && ni[hi].node == ni[lo].node; hi++)
			;
		for (size_t i = lo; i < hi && i < lo + 64; i++) {
			for (size_t j = i + 1; j < hi && j < lo + 64; j++) {
				signed char lv[C__COUNT];

				compare(dd, &dd->cache, &dd->cr[ni[i].idx], &dd->cr[ni[j].idx], lv);
				for (int k = 0; k < C__COUNT; k++)
					count[k][lv[k] + 1] += 1;
				pairs++;
			}
		}
	}
	free(ni);
	dd->sum->label_pairs = pairs;
	dd->lambda = 0.3;
	for (int l = 0; l < 4; l++) {
		dd->m[C_FIRST][l + 1] = dd->m[C_LAST][l + 1] = name[l];
		dd->m[C_BIRTH][l + 1] = date[l];
	}
	for (int l = 0; l < 2; l++)
		dd->m[C_YEAR][l + 1] = dd->m[C_SEX][l + 1] = dd->m[C_POST][l + 1] = exact[l];
	if (pairs >= 10) {
		double seen[C__COUNT][N_LEVELS];

		normalise(count, seen);
		for (int k = 0; k < C__COUNT; k++) {
			double n_k = 0;

			for (int l = 1; l <= cmp_max_level[k] + 1; l++)
				n_k += count[k][l];
			if (n_k >= 10) /* else keep the textbook values */
				memcpy(dd->m[k], seen[k], sizeof(seen[k]));
		}
	}
	memcpy(dd->m0, dd->m, sizeof(dd->m));
}

/* Whether m is to be estimated by EM (see enum dedup_m_from).  The labels
 * are preferred: on large data EM's match class drifts to whatever
 * agreement dominates the candidates (e.g. one birth date), while the
 * pairs that share a valid identity number are true matches. */
static int m_by_em(const struct dedup *dd)
{
	switch (dd->cfg.m_from) {
	case DM_LABELS:
		return 0;
	case DM_EM:
		return 1;
	case DM_AUTO:
		break;
	}
	return dd->sum->label_pairs < DEDUP_MIN_LABEL_PAIRS;
}

/* EM over the distinct comparison vectors of the candidate pairs: m, the
 * candidates' own u and the match share are estimated together (the
 * candidates agree on their blocking keys, so the random pairs' u would not
 * describe their non-matches).  The weights use m from here and u from the
 * random pairs. */
static void estimate_m(struct dedup *dd)
{
	const long *count = dd->pattern_n;
	double n_pairs = (double)dd->sum->candidate_pairs;
	double u[C__COUNT][N_LEVELS];

	memcpy(u, dd->u, sizeof(u));
	for (long it = 0; n_pairs > 0 && it < dd->cfg.em_iterations; it++) {
		double mnum[C__COUNT][N_LEVELS] = { { 0 } }, unum[C__COUNT][N_LEVELS] = { { 0 } };
		double matched = 0, change = 0, m_new[C__COUNT][N_LEVELS], u_new[C__COUNT][N_LEVELS];

		for (size_t p = 0; p < N_PATTERNS; p++) {
			signed char lv[C__COUNT];
			double pm = dd->lambda, pu = 1 - dd->lambda, post;
			size_t q = p;

			if (!count[p])
				continue;
			for (int k = C__COUNT - 1; k >= 0; k--, q /= N_LEVELS)
				lv[k] = (signed char)(q % N_LEVELS) - 1;
			for (int k = 0; k < C__COUNT; k++) {
				if (lv[k] < 0)
					continue;
				pm *= dd->m[k][lv[k] + 1];
				pu *= u[k][lv[k] + 1];
			}
			post = pm / (pm + pu);
			matched += post * (double)count[p];
			for (int k = 0; k < C__COUNT; k++) {
				mnum[k][lv[k] + 1] += post * (double)count[p];
				unum[k][lv[k] + 1] += (1 - post) * (double)count[p];
			}
		}
		/* MAP estimate: the starting m weighs as M_PRIOR_PAIRS pairs, so a
		 * handful of candidates cannot overturn it, many can */
		for (int k = 0; k < C__COUNT; k++)
			for (int l = 1; l <= cmp_max_level[k] + 1; l++)
				mnum[k][l] += M_PRIOR_PAIRS * dd->m0[k][l];
		normalise(mnum, m_new);
		normalise(unum, u_new);
		for (int k = 0; k < C__COUNT; k++)
			for (int l = 1; l <= cmp_max_level[k] + 1; l++)
				change = fmax(change, fabs(m_new[k][l] - dd->m[k][l]));
		memcpy(dd->m, m_new, sizeof(m_new));
		memcpy(u, u_new, sizeof(u_new));
		matched /= n_pairs;
		change = fmax(change, fabs(matched - dd->lambda));
		dd->lambda = fmin(fmax(matched, 1e-6), 1 - 1e-6);
		if (change < 1e-7)
			break;
	}
	dd->sum->lambda = dd->lambda;
}

/* ---- scoring ------------------------------------------------------------ */

static double prior_weight(const struct dedup *dd)
{
	return log2(dd->prior / (1 - dd->prior));
}

/* Contribution of comparison k at level lv for the pair; the exact name
 * agreement is weighed by how common the name is. */
static double tf_weight(const struct dedup *dd, int k, uint32_t name)
{
	double u = fmax(name_share(dd, name), 1e-9);

	/* however common the name, agreeing exactly says no less than
	 * agreeing nearly */
	return fmax(log2(dd->m[k][PL_CMP_NAME_EXACT + 1] / u),
		    log2(dd->m[k][PL_CMP_NAME_JW92 + 1] / dd->u[k][PL_CMP_NAME_JW92 + 1]));
}

/* The weight tables, once m and u are final. */
static void prepare_weights(struct dedup *dd)
{
	dd->prior_w = prior_weight(dd);
	for (int k = 0; k < C__COUNT; k++)
		for (int l = 1; l <= cmp_max_level[k] + 1; l++)
			dd->w[k][l] = log2(dd->m[k][l] / dd->u[k][l]);
	for (int t = 0; t < 2; t++) {
		dd->tf_w[t] = pl_xmalloc((pl_intern_count(&dd->names) + 1) * sizeof(double));
		for (size_t i = 0; i < pl_intern_count(&dd->names); i++)
			dd->tf_w[t][i] = tf_weight(dd, t ? C_LAST : C_FIRST, (uint32_t)i);
	}
}

static double contribution(const struct dedup *dd, const struct pair *p, int k, int *tf)
{
	int lv = p->lv[k];

	*tf = 0;
	if (lv < 0)
		return 0;
	if (dd->cfg.tf_adjust && (k == C_FIRST || k == C_LAST) && lv == PL_CMP_NAME_EXACT) {
		const struct crec *a = &dd->cr[p->a];

		*tf = 1;
		return dd->tf_w[k == C_LAST][k == C_FIRST ? a->first : a->last];
	}
	return dd->w[k][lv + 1];
}

/* Pass 2 (the only one when m is from labels): scores a candidate pair,
 * counts its pattern, and keeps it if it may link. */
static void score_pair(struct worker *w, uint32_t a, const struct crec *ca, uint32_t b,
		       const struct crec *cb)
{
	const struct dedup *dd = w->dd;
	struct pair p;
	int tf;

	memset(&p, 0, sizeof(p));
	p.a = a;
	p.b = b;
	compare(dd, &w->cache, ca, cb, p.lv);
	w->pattern_n[pattern_of(p.lv)]++;
	w->seen++;
	p.weight = dd->prior_w;
	for (int k = 0; k < C__COUNT; k++)
		p.weight += contribution(dd, &p, k, &tf);
	if (p.weight < dd->cfg.threshold)
		return;
	if (w->n_pairs == w->cap_pairs) {
		w->cap_pairs = w->cap_pairs ? 2 * w->cap_pairs : 1024;
		w->pairs = pl_xrealloc(w->pairs, w->cap_pairs * sizeof(*w->pairs));
	}
	w->pairs[w->n_pairs++] = p;
}

/* The pairs that may link, from all workers (cluster sorts them). */
static void score(struct dedup *dd, const struct blocking *b)
{
	struct worker w[MAX_THREADS];
	size_t n;

	prepare_weights(dd);
	n = run_workers(dd, b, score_pair, w);
	merge_patterns(dd, w, n);
	for (size_t r = 0; r < dd->cfg.n_rules; r++) {
		char rule[128];

		dedup_rule_text(&dd->cfg, r, rule, sizeof(rule));
		pl_log(PL_LOG_DEBUG, NULL, "blocking rule %s: %ld candidate pairs", rule,
		       dd->rule_pairs[r]);
	}
	for (size_t i = 0; i < n; i++)
		dd->n_pairs += w[i].n_pairs;
	dd->pairs = pl_xmalloc((dd->n_pairs + 1) * sizeof(*dd->pairs));
	for (size_t i = 0, at = 0; i < n; i++) {
		if (w[i].n_pairs)
			memcpy(dd->pairs + at, w[i].pairs, w[i].n_pairs * sizeof(*dd->pairs));
		at += w[i].n_pairs;
		worker_release(&w[i]);
	}
}

/* The name of a level; name bands say the configured Jaro-Winkler bound. */
static const char *level_label(const struct dedup *dd, int k, int lv, char buf[16])
{
	if (cmp_kinds[k] == PL_CMP_KIND_NAME && (lv == PL_CMP_NAME_JW92 || lv == PL_CMP_NAME_JW80)) {
		snprintf(buf, 16, "jw>=%.2f", lv == PL_CMP_NAME_JW92 ? dd->cfg.name_high
									 : dd->cfg.name_low);
		return buf;
	}
	return pl_cmp_level_name(cmp_kinds[k], lv);
}

/* The pair's weight in words: each comparison's level and contribution. */
static void waterfall(const struct dedup *dd, const struct pair *p, struct pl_buf *out)
{
	pl_buf_reset(out);
	pl_buf_printf(out, "prior %+.2f", prior_weight(dd));
	for (int k = 0; k < C__COUNT; k++) {
		char label[16];
		int tf;
		double c = contribution(dd, p, k, &tf);

		pl_buf_printf(out, "; %s %s%s %+.2f", cmp_names[k], level_label(dd, k, p->lv[k], label),
			      tf ? " (name frequency)" : "", c);
	}
	pl_buf_printf(out, "; total %.2f, threshold %.2f", p->weight, dd->cfg.threshold);
}

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

/* Unions nodes along the links, strongest first; marks the links that
 * joined two persons. */
static void cluster(struct dedup *dd, struct pl_uf *uf)
{
	pl_uf_init(uf, dd->n_nodes ? dd->n_nodes : 1);
	qsort(dd->pairs, dd->n_pairs, sizeof(*dd->pairs), cmp_weight_desc);
	for (size_t i = 0; i < dd->n_pairs; i++) {
		struct pair *p = &dd->pairs[i];
		size_t ra, rb;
		unsigned char valid;

		if (p->weight < dd->cfg.threshold)
			continue;
		ra = pl_uf_find(uf, dd->recs[p->a].node);
		rb = pl_uf_find(uf, dd->recs[p->b].node);
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

/* Logs (at -v) the time since *t for a step, and restarts *t. */
static void step_done(struct timespec *t, const char *step)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pl_log(PL_LOG_DEBUG, NULL, "%s: %.2f s", step,
	       (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9);
	*t = now;
}

/* ---- persons ------------------------------------------------------------ */

struct member {
	size_t root;
	size_t idx;
};

static int cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

struct person {
	const char *id;            /* a person_ref in dd->refs, or a pseudonym in made_ids */
	const char *basis;
	size_t lo, n;              /* its records: the members m[lo..lo+n) */
	int n_districts;
};

/* person_id order: the order of person_key. */
static int cmp_person_id(const void *a, const void *b)
{
	return strcmp(((const struct person *)a)->id, ((const struct person *)b)->id);
}

/* The stable id and basis of the person made of recs idx[0..n). */
static void name_person(struct dedup *dd, const struct member *g, size_t n,
			const char *first_file, struct pl_intern *made_ids, struct person *out)
{
	const char *best_valid = NULL, *best_reserv = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct rec *r = &dd->recs[g[i].idx];
		const char *ref = pooled(&dd->refs, r->ref_id);

		if (r->id == ID_VALID && (!best_valid || strcmp(ref, best_valid) < 0))
			best_valid = ref;
		if (r->id == ID_RESERV && (!best_reserv || strcmp(ref, best_reserv) < 0))
			best_reserv = ref;
	}
	if (best_valid || best_reserv) {
		out->id = best_valid ? best_valid : best_reserv;
		out->basis = best_valid ? "PNR" : "RESERV";
		return;
	}
	{
		char msg[600], id[PL_PSEUDONYM_HEX];
		int len = snprintf(msg, sizeof(msg), "E|%s|%ld", first_file, dd->recs[g[0].idx].line);

		pl_pseudonym(dd->ref_key, msg, (size_t)len, id);
		out->id = pl_intern_str(made_ids, pl_intern_add(made_ids, id));
	}
	out->basis = n > 1 ? "LINKED" : "SINGLE";
}

enum stmt_id { S_LINK, S_PARAM, S__COUNT };

static const char *const stmt_sql[S__COUNT] = {
	[S_LINK] = "INSERT INTO person_link (person_key, a_file_id, a_line, b_file_id, b_line, weight, "
		   "waterfall) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_PARAM] = "INSERT INTO linkage_param (comparison, level, m, u, n) VALUES (?1, ?2, ?3, ?4, ?5)",
};

struct writer {
	struct dedup *dd;
	sqlite3_stmt *st[S__COUNT];
	char **file_names;          /* by position in file_ids */
	long long *file_ids;
	size_t n_files;
	sqlite3_int64 *key_of;      /* person_key of each record */
	struct pl_intern made_ids;  /* ids of persons without a number (pseudonyms) */
	const char **step_of;       /* and the step that put it there */
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

static const char *step_of(const struct dedup *dd, const struct rec *r, const struct person *p,
			   size_t n)
{
	if (r->ref_id != ID_BLANK && strcmp(pl_intern_str(&dd->refs, r->ref_id), p->id) == 0)
		return "deterministic";
	return n > 1 ? "probabilistic" : "unlinked";
}

/* Names the person made of the members m[lo..lo+n) into *p and records
 * the step that put each record there. */
static void make_person(struct writer *w, const struct member *m, size_t lo, size_t n,
			struct person *p)
{
	struct dedup *dd = w->dd;
	const struct member *g = m + lo;
	unsigned char seen[256] = { 0 };

	name_person(dd, g, n, file_name(w, dd->recs[g[0].idx].file_id), &w->made_ids, p);
	p->lo = lo;
	p->n = n;
	p->n_districts = 0;
	for (size_t i = 0; i < n; i++) {
		const char *step = step_of(dd, &dd->recs[g[i].idx], p, n);
		int di = dd->recs[g[i].idx].district & 0xff;

		p->n_districts += !seen[di];
		seen[di] = 1;
		dd->sum->deterministic += step[0] == 'd';
		dd->sum->probabilistic += step[0] == 'p';
		dd->sum->unlinked += step[0] == 'u';
		w->step_of[g[i].idx] = step;
	}
	dd->sum->persons++;
}

static void bind_person(void *rows, size_t i, sqlite3_stmt *st, int base)
{
	const struct person *p = (const struct person *)rows + i;

	sqlite3_bind_int64(st, base + 1, (sqlite3_int64)i + 1);
	sqlite3_bind_text(st, base + 2, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 3, p->basis, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, base + 4, (sqlite3_int64)p->n);
	sqlite3_bind_int(st, base + 5, p->n_districts);
}

static void bind_member(void *rows, size_t i, sqlite3_stmt *st, int base)
{
	const struct writer *w = rows;
	const struct rec *r = &w->dd->recs[i];

	sqlite3_bind_int64(st, base + 1, r->file_id);
	sqlite3_bind_int64(st, base + 2, r->line);
	sqlite3_bind_int64(st, base + 3, w->key_of[i]);
	sqlite3_bind_text(st, base + 4, w->step_of[i], -1, SQLITE_STATIC);
}

/* The records grouped by their union-find root, sorted by root then record:
 * an array of n_recs members the caller frees. */
static struct member *group_members(const struct dedup *dd, struct pl_uf *uf)
{
	struct member *m = pl_xmalloc((dd->n_recs + 1) * sizeof(*m));

	for (size_t i = 0; i < dd->n_recs; i++) {
		m[i].root = pl_uf_find(uf, dd->recs[i].node);
		m[i].idx = i;
	}
	qsort(m, dd->n_recs, sizeof(*m), cmp_member);
	return m;
}

/* person in person_id order, keyed 1..n in that order (the table and its
 * UNIQUE index both grow at their end), then episode_person. */
static enum pl_err write_persons(struct writer *w, struct pl_uf *uf, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	struct member *m = group_members(dd, uf);
	struct person *p = NULL;
	size_t n_p = 0, cap = 0;
	enum pl_err err = PL_OK;

	for (size_t lo = 0, hi; lo < dd->n_recs; lo = hi) {
		for (hi = lo + 1; hi < dd->n_recs && m[hi].root == m[lo].root; hi++)
			;
		if (n_p == cap) {
			cap = cap ? 2 * cap : 1024;
			p = pl_xrealloc(p, cap * sizeof(*p));
		}
		make_person(w, m, lo, hi - lo, &p[n_p++]);
	}
	if (n_p)
		qsort(p, n_p, sizeof(*p), cmp_person_id);
	for (size_t i = 0; i < n_p; i++)
		for (size_t j = 0; j < p[i].n; j++)
			w->key_of[m[p[i].lo + j].idx] = (sqlite3_int64)i + 1;
	err = pl_db_insert_rows(dd->db, "INSERT INTO person (person_key, person_id, basis, "
				"n_episodes, n_districts)", 5, n_p, bind_person, p, "store persons", d);
	free(p);
	free(m);
	/* episode_person in the records' (file_id, line) order: appends to the
	 * table's key order instead of inserting all over it */
	if (!err)
		err = pl_db_insert_rows(dd->db, "INSERT INTO episode_person (file_id, line, "
					"person_key, step)", 4, dd->n_recs, bind_member, w,
					"store episode persons", d);
	return err;
}

static enum pl_err write_links(struct writer *w, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	sqlite3_stmt *st = w->st[S_LINK];
	struct pl_buf text;
	enum pl_err err = PL_OK;

	pl_buf_init(&text);
	for (size_t i = 0; !err && i < dd->n_pairs; i++) {
		const struct pair *p = &dd->pairs[i];

		if (!p->linked)
			continue;
		waterfall(dd, p, &text);
		sqlite3_bind_int64(st, 1, w->key_of[p->a]);
		sqlite3_bind_int64(st, 2, dd->recs[p->a].file_id);
		sqlite3_bind_int64(st, 3, dd->recs[p->a].line);
		sqlite3_bind_int64(st, 4, dd->recs[p->b].file_id);
		sqlite3_bind_int64(st, 5, dd->recs[p->b].line);
		sqlite3_bind_double(st, 6, p->weight);
		sqlite3_bind_text(st, 7, text.data, -1, SQLITE_STATIC);
		err = pl_db_step_done(dd->db, st, "store link", d);
	}
	pl_buf_release(&text);
	return err;
}

static enum pl_err write_param(struct writer *w, const char *cmp, const char *level,
			       double m, double u, long n, struct pl_diag *d)
{
	sqlite3_stmt *st = w->st[S_PARAM];

	sqlite3_bind_text(st, 1, cmp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, level, -1, SQLITE_STATIC);
	if (!isnan(m))
		sqlite3_bind_double(st, 3, m);
	if (!isnan(u))
		sqlite3_bind_double(st, 4, u);
	sqlite3_bind_int64(st, 5, n);
	return pl_db_step_done(w->dd->db, st, "store linkage parameters", d);
}

static enum pl_err write_params(struct writer *w, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	const struct dedup_summary *s = dd->sum;
	enum pl_err err = PL_OK;
	long n[C__COUNT][N_LEVELS] = { { 0 } };

	char label[16];

	for (size_t p = 0; p < N_PATTERNS; p++) {
		size_t q = p;

		for (int k = C__COUNT - 1; k >= 0; k--, q /= N_LEVELS)
			n[k][q % N_LEVELS] += dd->pattern_n[p];
	}

	for (int k = 0; !err && k < C__COUNT; k++)
		for (int l = 0; !err && l <= cmp_max_level[k] + 1; l++)
			err = write_param(w, cmp_names[k], level_label(dd, k, l - 1, label),
					  l ? dd->m[k][l] : NAN, l ? dd->u[k][l] : NAN, n[k][l], d);
	if (!err)
		err = write_param(w, "run", "match_share", s->m_by_em ? dd->lambda : NAN, NAN,
				  s->candidate_pairs, d);
	if (!err)
		err = write_param(w, "run", "label_pairs", NAN, NAN, s->label_pairs, d);
	for (size_t r = 0; !err && r < dd->cfg.n_rules; r++) {
		char rule[128];

		dedup_rule_text(&dd->cfg, r, rule, sizeof(rule));
		err = write_param(w, "blocking", rule, NAN, NAN, dd->rule_pairs[r], d);
	}
	if (!err)
		err = write_param(w, "run", "prior", dd->prior, NAN, (long)dd->n_recs, d);
	if (!err)
		err = write_param(w, "run", "candidate_pairs", NAN, NAN, s->candidate_pairs, d);
	if (!err)
		err = write_param(w, "run", "links", NAN, NAN, s->links, d);
	if (!err)
		err = write_param(w, "run", "refused_links", NAN, NAN, s->refused, d);
	if (!err)
		err = write_param(w, "run", "episodes_deterministic", NAN, NAN, s->deterministic, d);
	if (!err)
		err = write_param(w, "run", "episodes_probabilistic", NAN, NAN, s->probabilistic, d);
	if (!err)
		err = write_param(w, "run", "episodes_unlinked", NAN, NAN, s->unlinked, d);
	return err;
}

static void writer_release(struct writer *w)
{
	pl_db_finalize_all(w->st, S__COUNT);
	for (size_t i = 0; i < w->n_files; i++)
		free(w->file_names[i]);
	free(w->file_names);
	free(w->file_ids);
	free(w->key_of);
	pl_intern_release(&w->made_ids);
	free(w->step_of);
}

static enum pl_err write_all(struct dedup *dd, struct pl_uf *uf, struct pl_diag *d)
{
	struct writer w;
	enum pl_err err;

	memset(&w, 0, sizeof(w));
	w.dd = dd;
	w.key_of = pl_xcalloc(dd->n_recs + 1, sizeof(*w.key_of));
	w.step_of = pl_xcalloc(dd->n_recs + 1, sizeof(*w.step_of));
	err = pl_db_exec(dd->db, "DELETE FROM person_link; DELETE FROM episode_person; "
			 "DELETE FROM person; DELETE FROM linkage_param", d);
	if (!err)
		err = pl_db_prepare_all(dd->db, stmt_sql, S__COUNT, w.st, d);
	if (!err)
		err = load_file_names(&w, d);
	if (!err)
		err = write_persons(&w, uf, d);
	if (!err)
		err = write_links(&w, d);
	if (!err)
		err = write_params(&w, d);
	writer_release(&w);
	return err;
}

/* ---- the run ------------------------------------------------------------ */

static enum pl_err open_run(struct dedup *dd, struct pl_diag *d)
{
	struct pl_key key;
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
	pl_key_wipe(&key);
	return pl_db_open(dd->o->db_path, &dd->db, d);
}

static void close_run(struct dedup *dd)
{
	if (dd->recs)
		memset(dd->recs, 0, dd->n_recs * sizeof(*dd->recs)); /* names */
	free(dd->recs);
	for (size_t i = 0; i < dd->n_districts; i++)
		free(dd->districts[i]);
	free(dd->districts);
	free(dd->node_valid);
	free(dd->pairs);
	free(dd->pattern_n);
	pl_intern_wipe(&dd->names); /* names and postcodes leave memory zeroed */
	pl_intern_wipe(&dd->posts);
	pl_intern_release(&dd->names);
	pl_intern_release(&dd->refs);
	free(dd->name_n);
	caches_release(&dd->cache);
	pl_intern_release(&dd->posts);
	free(dd->cr);
	free(dd->tf_w[0]);
	free(dd->tf_w[1]);
	pl_db_close(dd->db);
	memset(dd->seal_key, 0, sizeof(dd->seal_key));
	memset(dd->ref_key, 0, sizeof(dd->ref_key));
}

void dedup_summary_line(const struct dedup_summary *s, char *out, size_t size)
{
	char m_from[64];

	if (s->m_by_em)
		snprintf(m_from, sizeof(m_from), "m by EM, match share %.4f", s->lambda);
	else
		snprintf(m_from, sizeof(m_from), "m from %ld labelled pairs", s->label_pairs);
	snprintf(out, size, "%ld episodes, %ld persons: %ld episodes by identity or reserve "
		 "number, %ld by probabilistic links, %ld unlinked; %ld candidate pairs, %ld links "
		 "(%ld refused), %s", s->episodes, s->persons, s->deterministic,
		 s->probabilistic, s->unlinked, s->candidate_pairs, s->links, s->refused, m_from);
}

enum pl_err dedup_run(const struct dedup_opts *opts, struct dedup_summary *sum,
		      struct pl_diag *d)
{
	struct dedup dd;
	struct blocking blocks;
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
		err = load_records(&dd, d);
	if (!err) {
		sum->episodes = (long)dd.n_recs;
		step_done(&t, "load and unseal");
		make_nodes(&dd);
		estimate_prior(&dd);
		make_crecs(&dd);
		caches_init(&dd.cache);
		step_done(&t, "nodes, name and postcode pools");
		blocking_init(&dd, &blocks);
		step_done(&t, "blocking");
		estimate_u(&dd);
		init_m(&dd);
		sum->m_by_em = m_by_em(&dd);
		if (sum->m_by_em) {
			count_patterns(&dd, &blocks);
			step_done(&t, "compare candidate pairs (for EM)");
			estimate_m(&dd);
		}
		step_done(&t, "estimate u, m");
		score(&dd, &blocks);
		blocking_release(&blocks);
		step_done(&t, "score candidate pairs");
		cluster(&dd, &uf);
		step_done(&t, "cluster");
		err = write_all(&dd, &uf, d);
		step_done(&t, "write");
		if (!err)
			err = pl_db_exec(dd.db, "COMMIT", d);
		step_done(&t, "commit");
	}
	if (dd.db) {
		char line[512];

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

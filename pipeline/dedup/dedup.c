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
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "db.h"
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
	char ref[PL_PSEUDONYM_HEX];
	struct pl_date birth;      /* year 0: unknown */
	int birth_year;            /* from the birth date, or the export's year alone */
	char sex[2];
	char first[48], last[48], post[16];
	size_t node;               /* deterministic node */
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
	struct pair *pairs;
	size_t n_pairs;
	double m[C__COUNT][N_LEVELS], u[C__COUNT][N_LEVELS];
	double m0[C__COUNT][N_LEVELS]; /* EM's starting m, also its prior */
	double lambda;              /* match share among candidate pairs (EM) */
	double prior;               /* chance that two random episodes match */
	/* name frequencies for the term-frequency adjustment */
	char **names;               /* sorted distinct name keys */
	long *name_n;
	size_t n_names;
	long n_named;
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

static void fill_linkage(struct dedup *dd, struct rec *r, const struct sealed_layout *l,
			 const char *plain)
{
	char v[256];

	if (!l)
		return;
	nth_value(plain, l->first, v, sizeof(v));
	pl_name_key(v, r->first, sizeof(r->first));
	nth_value(plain, l->last, v, sizeof(v));
	pl_name_key(v, r->last, sizeof(r->last));
	nth_value(plain, l->post, v, sizeof(v));
	{
		struct pl_buf tmp;
		size_t o = 0;

		pl_buf_init(&tmp);
		pl_fold(v, strlen(v), &tmp);
		for (size_t i = 0; i < tmp.len && o + 1 < sizeof(r->post); i++)
			if (tmp.data[i] != ' ')
				r->post[o++] = tmp.data[i];
		r->post[o] = '\0';
		pl_buf_release(&tmp);
	}
	(void)dd;
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
		snprintf(r->ref, sizeof(r->ref), "%s", ref ? ref : "");
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

struct ref_idx {
	const char *ref;
	size_t idx;
};

static int cmp_ref(const void *a, const void *b)
{
	return strcmp(((const struct ref_idx *)a)->ref, ((const struct ref_idx *)b)->ref);
}

/* Records sharing a non-empty person_ref become one node; every other
 * record is a node of its own. */
static void make_nodes(struct dedup *dd)
{
	struct ref_idx *idx = pl_xmalloc((dd->n_recs + 1) * sizeof(*idx));
	size_t node = 0;

	for (size_t i = 0; i < dd->n_recs; i++) {
		idx[i].ref = dd->recs[i].ref;
		idx[i].idx = i;
	}
	qsort(idx, dd->n_recs, sizeof(*idx), cmp_ref);
	dd->node_valid = pl_xcalloc(dd->n_recs + 1, 1);
	for (size_t k = 0; k < dd->n_recs; k++) {
		struct rec *r = &dd->recs[idx[k].idx];

		if (!(k > 0 && r->ref[0] && strcmp(r->ref, idx[k - 1].ref) == 0))
			node++;
		r->node = node - 1;
		if (r->id == ID_VALID)
			dd->node_valid[r->node] = 1;
	}
	dd->n_nodes = node;
	free(idx);
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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void count_names(struct dedup *dd)
{
	char **all = pl_xmalloc((2 * dd->n_recs + 1) * sizeof(char *));
	size_t n = 0;

	for (size_t i = 0; i < dd->n_recs; i++) {
		if (dd->recs[i].first[0])
			all[n++] = dd->recs[i].first;
		if (dd->recs[i].last[0])
			all[n++] = dd->recs[i].last;
	}
	qsort(all, n, sizeof(char *), cmp_str);
	dd->names = pl_xmalloc((n + 1) * sizeof(char *));
	dd->name_n = pl_xmalloc((n + 1) * sizeof(long));
	for (size_t i = 0; i < n; i++) {
		if (dd->n_names && strcmp(dd->names[dd->n_names - 1], all[i]) == 0) {
			dd->name_n[dd->n_names - 1]++;
			continue;
		}
		dd->names[dd->n_names] = all[i]; /* points into recs: owned there */
		dd->name_n[dd->n_names++] = 1;
	}
	dd->n_named = (long)n;
	free(all);
}

/* Share of name values equal to name (at least one in n_named). */
static double name_share(const struct dedup *dd, const char *name)
{
	size_t lo = 0, hi = dd->n_names;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(dd->names[mid], name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < dd->n_names && strcmp(dd->names[lo], name) == 0 && dd->n_named > 0)
		return (double)dd->name_n[lo] / (double)dd->n_named;
	return dd->n_named > 0 ? 1.0 / (double)dd->n_named : 1.0;
}

/* ---- comparisons -------------------------------------------------------- */

static int name_level(const struct dedup_config *cfg, const char *a, const char *b)
{
	return pl_cmp_name_bands(a, b, cfg->name_high, cfg->name_low);
}

static void compare(const struct dedup *dd, const struct rec *a, const struct rec *b,
		    signed char lv[C__COUNT])
{
	const struct pl_date *ba = a->birth.year ? &a->birth : NULL;
	const struct pl_date *bb = b->birth.year ? &b->birth : NULL;

	lv[C_FIRST] = (signed char)name_level(&dd->cfg, a->first, b->first);
	lv[C_LAST] = (signed char)name_level(&dd->cfg, a->last, b->last);
	if (lv[C_FIRST] < PL_CMP_NAME_JW92 && lv[C_LAST] < PL_CMP_NAME_JW92) {
		/* first and last name swapped (typos allowed): as near matches */
		int cf = name_level(&dd->cfg, a->first, b->last);
		int cl = name_level(&dd->cfg, a->last, b->first);

		if (cf >= PL_CMP_NAME_JW92 && cl >= PL_CMP_NAME_JW92)
			lv[C_FIRST] = lv[C_LAST] = PL_CMP_NAME_JW92;
	}
	lv[C_BIRTH] = (signed char)pl_cmp_date(ba, bb);
	/* birth years speak only where a full date is missing on a side */
	lv[C_YEAR] = (signed char)(ba && bb ? PL_CMP_MISSING
				  : a->birth_year && b->birth_year ? a->birth_year == b->birth_year
				  : PL_CMP_MISSING);
	lv[C_SEX] = (signed char)pl_cmp_sex(a->sex, b->sex);
	lv[C_POST] = (signed char)pl_cmp_exact(a->post, b->post);
}

static size_t pattern_of(const signed char lv[C__COUNT])
{
	size_t p = 0;

	for (int k = 0; k < C__COUNT; k++)
		p = p * N_LEVELS + (size_t)(lv[k] + 1);
	return p;
}

/* ---- blocking ----------------------------------------------------------- */

struct key_idx {
	char *key;
	uint32_t idx;
};

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct key_idx *)a)->key, ((const struct key_idx *)b)->key);
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

/* The record's key for a rule into out; 0 if a component is missing. */
static int block_key(const struct rec *r, const int *rule, struct pl_buf *out)
{
	pl_buf_reset(out);
	for (int i = 0; i < DEDUP_MAX_KEYS && rule[i] >= 0; i++) {
		char tmp[16];
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
		case DK_FIRST_NAME: v = r->first; break;
		case DK_LAST_NAME: v = r->last; break;
		case DK_POSTCODE: v = r->post; break;
		case DK_FIRST_INITIAL:
			v = initial(r->first, tmp);
			break;
		case DK_LAST_INITIAL:
			v = initial(r->last, tmp);
			break;
		}
		if (!*v)
			return 0;
		pl_buf_printf(out, "%s%c", v, FIELD_SEP);
	}
	return 1;
}

/* A pair worth comparing: not already one node, and not two valid numbers. */
static int candidate(const struct dedup *dd, uint32_t a, uint32_t b)
{
	size_t na = dd->recs[a].node, nb = dd->recs[b].node;

	return na != nb && !(dd->node_valid[na] && dd->node_valid[nb]);
}

static void add_pair(uint64_t **pairs, size_t *n, size_t *cap, uint32_t a, uint32_t b)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		*pairs = pl_xrealloc(*pairs, *cap * sizeof(**pairs));
	}
	(*pairs)[(*n)++] = a < b ? ((uint64_t)a << 32 | b) : ((uint64_t)b << 32 | a);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void block_rule(struct dedup *dd, size_t r, uint64_t **pairs, size_t *n, size_t *cap)
{
	struct key_idx *keys = pl_xmalloc((dd->n_recs + 1) * sizeof(*keys));
	struct pl_buf key;
	size_t n_keys = 0, skipped = 0;

	pl_buf_init(&key);
	for (size_t i = 0; i < dd->n_recs; i++) {
		if (!block_key(&dd->recs[i], dd->cfg.rules[r], &key))
			continue;
		keys[n_keys].key = pl_xstrdup(key.data);
		keys[n_keys++].idx = (uint32_t)i;
	}
	qsort(keys, n_keys, sizeof(*keys), cmp_key);
	for (size_t lo = 0, hi; lo < n_keys; lo = hi) {
		for (hi = lo + 1; hi < n_keys && strcmp(keys[hi].key, keys[lo].key) == 0; hi++)
			;
		if ((long)(hi - lo) > dd->cfg.max_block) {
			skipped++;
			continue;
		}
		for (size_t i = lo; i < hi; i++)
			for (size_t j = i + 1; j < hi; j++)
				if (candidate(dd, keys[i].idx, keys[j].idx))
					add_pair(pairs, n, cap, keys[i].idx, keys[j].idx);
	}
	if (skipped)
		pl_log(PL_LOG_WARN, NULL, "blocking rule %zu: %zu keys shared by more than %ld "
		       "episodes were skipped", r + 1, skipped, dd->cfg.max_block);
	for (size_t i = 0; i < n_keys; i++)
		free(keys[i].key);
	free(keys);
	pl_buf_release(&key);
}

static void make_pairs(struct dedup *dd)
{
	uint64_t *pairs = NULL;
	size_t n = 0, cap = 0, u = 0;

	for (size_t r = 0; r < dd->cfg.n_rules; r++)
		block_rule(dd, r, &pairs, &n, &cap);
	if (n)
		qsort(pairs, n, sizeof(*pairs), cmp_u64);
	dd->pairs = pl_xcalloc(n + 1, sizeof(*dd->pairs));
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && pairs[i] == pairs[i - 1])
			continue;
		dd->pairs[u].a = (uint32_t)(pairs[i] >> 32);
		dd->pairs[u].b = (uint32_t)(pairs[i] & 0xffffffffu);
		compare(dd, &dd->recs[dd->pairs[u].a], &dd->recs[dd->pairs[u].b], dd->pairs[u].lv);
		u++;
	}
	dd->n_pairs = u;
	dd->sum->candidate_pairs = (long)u;
	free(pairs);
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
		compare(dd, &dd->recs[a], &dd->recs[b], lv);
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

				compare(dd, &dd->recs[ni[i].idx], &dd->recs[ni[j].idx], lv);
				for (int k = 0; k < C__COUNT; k++)
					count[k][lv[k] + 1] += 1;
				pairs++;
			}
		}
	}
	free(ni);
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

/* EM over the distinct comparison vectors of the candidate pairs: m, the
 * candidates' own u and the match share are estimated together (the
 * candidates agree on their blocking keys, so the random pairs' u would not
 * describe their non-matches).  The weights use m from here and u from the
 * random pairs. */
static void estimate_m(struct dedup *dd)
{
	long *count = pl_xcalloc(N_PATTERNS, sizeof(long));
	double u[C__COUNT][N_LEVELS];

	memcpy(u, dd->u, sizeof(u));
	for (size_t i = 0; i < dd->n_pairs; i++)
		count[pattern_of(dd->pairs[i].lv)]++;
	for (long it = 0; dd->n_pairs && it < dd->cfg.em_iterations; it++) {
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
		matched /= (double)dd->n_pairs;
		change = fmax(change, fabs(matched - dd->lambda));
		dd->lambda = fmin(fmax(matched, 1e-6), 1 - 1e-6);
		if (change < 1e-7)
			break;
	}
	dd->sum->lambda = dd->lambda;
	free(count);
}

/* ---- scoring ------------------------------------------------------------ */

static double prior_weight(const struct dedup *dd)
{
	return log2(dd->prior / (1 - dd->prior));
}

/* Contribution of comparison k at level lv for the pair; the exact name
 * agreement is weighed by how common the name is. */
static double contribution(const struct dedup *dd, const struct pair *p, int k, int *tf)
{
	int lv = p->lv[k];
	double u = dd->u[k][lv + 1];

	*tf = 0;
	if (lv < 0)
		return 0;
	if (dd->cfg.tf_adjust && (k == C_FIRST || k == C_LAST) && lv == PL_CMP_NAME_EXACT) {
		const struct rec *a = &dd->recs[p->a];

		u = fmax(name_share(dd, k == C_FIRST ? a->first : a->last), 1e-9);
		*tf = 1;
		/* however common the name, agreeing exactly says no less than
		 * agreeing nearly */
		return fmax(log2(dd->m[k][lv + 1] / u),
			    log2(dd->m[k][PL_CMP_NAME_JW92 + 1] / dd->u[k][PL_CMP_NAME_JW92 + 1]));
	}
	return log2(dd->m[k][lv + 1] / u);
}

static void score(struct dedup *dd)
{
	for (size_t i = 0; i < dd->n_pairs; i++) {
		struct pair *p = &dd->pairs[i];
		int tf;

		p->weight = prior_weight(dd);
		for (int k = 0; k < C__COUNT; k++)
			p->weight += contribution(dd, p, k, &tf);
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
	char id[PL_PSEUDONYM_HEX];
	const char *basis;
};

/* The stable id and basis of the person made of recs idx[0..n). */
static void name_person(struct dedup *dd, const struct member *g, size_t n,
			const char *first_file, struct person *out)
{
	const char *best_valid = NULL, *best_reserv = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct rec *r = &dd->recs[g[i].idx];

		if (r->id == ID_VALID && (!best_valid || strcmp(r->ref, best_valid) < 0))
			best_valid = r->ref;
		if (r->id == ID_RESERV && (!best_reserv || strcmp(r->ref, best_reserv) < 0))
			best_reserv = r->ref;
	}
	if (best_valid || best_reserv) {
		snprintf(out->id, sizeof(out->id), "%s", best_valid ? best_valid : best_reserv);
		out->basis = best_valid ? "PNR" : "RESERV";
		return;
	}
	{
		char msg[600];
		int len = snprintf(msg, sizeof(msg), "E|%s|%ld", first_file, dd->recs[g[0].idx].line);

		pl_pseudonym(dd->ref_key, msg, (size_t)len, out->id);
	}
	out->basis = n > 1 ? "LINKED" : "SINGLE";
}

enum stmt_id { S_PERSON, S_MEMBER, S_LINK, S_PARAM, S__COUNT };

static const char *const stmt_sql[S__COUNT] = {
	[S_PERSON] = "INSERT INTO person (person_id, basis, n_episodes, n_districts) VALUES (?1, ?2, ?3, ?4)",
	[S_MEMBER] = "INSERT INTO episode_person (file_id, line, person_id, step) VALUES (?1, ?2, ?3, ?4)",
	[S_LINK] = "INSERT INTO person_link (person_id, a_file_id, a_line, b_file_id, b_line, weight, "
		   "waterfall) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_PARAM] = "INSERT INTO linkage_param (comparison, level, m, u, n) VALUES (?1, ?2, ?3, ?4, ?5)",
};

struct writer {
	struct dedup *dd;
	sqlite3_stmt *st[S__COUNT];
	char **file_names;          /* by position in file_ids */
	long long *file_ids;
	size_t n_files;
	char (*person_of)[PL_PSEUDONYM_HEX]; /* person id of each record */
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

static const char *step_of(const struct rec *r, const struct person *p, size_t n)
{
	if (r->ref[0] && strcmp(r->ref, p->id) == 0)
		return "deterministic";
	return n > 1 ? "probabilistic" : "unlinked";
}

static enum pl_err write_group(struct writer *w, const struct member *g, size_t n,
			       struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	const struct rec *r0 = &dd->recs[g[0].idx];
	unsigned char seen[256] = { 0 };
	struct person p;
	int n_districts = 0;
	enum pl_err err;

	name_person(dd, g, n, file_name(w, r0->file_id), &p);
	for (size_t i = 0; i < n; i++) {
		int di = dd->recs[g[i].idx].district & 0xff;

		n_districts += !seen[di];
		seen[di] = 1;
	}
	sqlite3_bind_text(w->st[S_PERSON], 1, p.id, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->st[S_PERSON], 2, p.basis, -1, SQLITE_STATIC);
	sqlite3_bind_int64(w->st[S_PERSON], 3, (sqlite3_int64)n);
	sqlite3_bind_int(w->st[S_PERSON], 4, n_districts);
	err = pl_db_step_done(dd->db, w->st[S_PERSON], "store person", d);
	for (size_t i = 0; !err && i < n; i++) {
		const struct rec *r = &dd->recs[g[i].idx];
		const char *step = step_of(r, &p, n);

		dd->sum->deterministic += step[0] == 'd';
		dd->sum->probabilistic += step[0] == 'p';
		dd->sum->unlinked += step[0] == 'u';
		memcpy(w->person_of[g[i].idx], p.id, sizeof(p.id));
		sqlite3_bind_int64(w->st[S_MEMBER], 1, r->file_id);
		sqlite3_bind_int64(w->st[S_MEMBER], 2, r->line);
		sqlite3_bind_text(w->st[S_MEMBER], 3, p.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(w->st[S_MEMBER], 4, step, -1, SQLITE_STATIC);
		err = pl_db_step_done(dd->db, w->st[S_MEMBER], "store episode person", d);
	}
	dd->sum->persons++;
	return err;
}

static enum pl_err write_persons(struct writer *w, struct pl_uf *uf, struct pl_diag *d)
{
	struct dedup *dd = w->dd;
	struct member *m = pl_xmalloc((dd->n_recs + 1) * sizeof(*m));
	enum pl_err err = PL_OK;

	for (size_t i = 0; i < dd->n_recs; i++) {
		m[i].root = pl_uf_find(uf, dd->recs[i].node);
		m[i].idx = i;
	}
	qsort(m, dd->n_recs, sizeof(*m), cmp_member);
	for (size_t lo = 0, hi; !err && lo < dd->n_recs; lo = hi) {
		for (hi = lo + 1; hi < dd->n_recs && m[hi].root == m[lo].root; hi++)
			;
		err = write_group(w, m + lo, hi - lo, d);
	}
	free(m);
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
		sqlite3_bind_text(st, 1, w->person_of[p->a], -1, SQLITE_STATIC);
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

	for (size_t i = 0; i < dd->n_pairs; i++)
		for (int k = 0; k < C__COUNT; k++)
			n[k][dd->pairs[i].lv[k] + 1]++;
	char label[16];

	for (int k = 0; !err && k < C__COUNT; k++)
		for (int l = 0; !err && l <= cmp_max_level[k] + 1; l++)
			err = write_param(w, cmp_names[k], level_label(dd, k, l - 1, label),
					  l ? dd->m[k][l] : NAN, l ? dd->u[k][l] : NAN, n[k][l], d);
	if (!err)
		err = write_param(w, "run", "match_share", dd->lambda, NAN, s->candidate_pairs, d);
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
	free(w->person_of);
}

static enum pl_err write_all(struct dedup *dd, struct pl_uf *uf, struct pl_diag *d)
{
	struct writer w;
	enum pl_err err;

	memset(&w, 0, sizeof(w));
	w.dd = dd;
	w.person_of = pl_xcalloc(dd->n_recs + 1, sizeof(*w.person_of));
	err = pl_db_exec(dd->db, "BEGIN IMMEDIATE", d);
	if (!err)
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
	if (!err)
		err = pl_db_exec(dd->db, "COMMIT", d);
	if (err)
		sqlite3_exec(dd->db, "ROLLBACK", NULL, NULL, NULL);
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
	free(dd->names);
	free(dd->name_n);
	pl_db_close(dd->db);
	memset(dd->seal_key, 0, sizeof(dd->seal_key));
	memset(dd->ref_key, 0, sizeof(dd->ref_key));
}

void dedup_summary_line(const struct dedup_summary *s, char *out, size_t size)
{
	snprintf(out, size, "%ld episodes, %ld persons: %ld episodes by identity or reserve "
		 "number, %ld by probabilistic links, %ld unlinked; %ld candidate pairs, %ld links "
		 "(%ld refused), match share %.4f", s->episodes, s->persons, s->deterministic,
		 s->probabilistic, s->unlinked, s->candidate_pairs, s->links, s->refused, s->lambda);
}

enum pl_err dedup_run(const struct dedup_opts *opts, struct dedup_summary *sum,
		      struct pl_diag *d)
{
	struct dedup dd;
	struct pl_uf uf;
	enum pl_err err;

	memset(&dd, 0, sizeof(dd));
	memset(&uf, 0, sizeof(uf));
	memset(sum, 0, sizeof(*sum));
	dd.o = opts;
	dd.sum = sum;
	err = open_run(&dd, d);
	if (!err)
		err = load_records(&dd, d);
	if (!err) {
		sum->episodes = (long)dd.n_recs;
		make_nodes(&dd);
		estimate_prior(&dd);
		count_names(&dd);
		make_pairs(&dd);
		estimate_u(&dd);
		init_m(&dd);
		estimate_m(&dd);
		score(&dd);
		cluster(&dd, &uf);
		err = write_all(&dd, &uf, d);
	}
	if (dd.db) {
		char line[512];

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
		err = pl_db_prepare(db, "SELECT ep.person_id FROM episode_person ep JOIN input_file f "
				    "USING (file_id) WHERE f.name = substr(?1, 1, ?2) AND ep.line = ?3",
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
				 "e.id_type || '  ' || ep.step FROM episode_person ep "
				 "JOIN episode e USING (file_id, line) JOIN input_file f USING (file_id) "
				 "WHERE ep.person_id = ?1 ORDER BY f.name, ep.line", id, out, d);
	if (!err)
		err = print_rows(db, "SELECT '  link ' || fa.name || ':' || l.a_line || ' ~ ' || "
				 "fb.name || ':' || l.b_line || ', weight ' || printf('%.2f', l.weight) "
				 "|| char(10) || '    ' || replace(l.waterfall, '; ', char(10) || '    ') "
				 "FROM person_link l JOIN input_file fa ON fa.file_id = l.a_file_id "
				 "JOIN input_file fb ON fb.file_id = l.b_file_id WHERE l.person_id = ?1 "
				 "ORDER BY l.weight DESC", id, out, d);
	if (!err && (fflush(out) != 0 || ferror(out)))
		err = pl_diag_set(d, PL_EIO, NULL, 0, "cannot write the explanation");
	pl_db_close(db);
	return err;
}

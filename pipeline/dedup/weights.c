/*
 * dedup/weights.c - compare two records, estimate u and m, score the pairs.
 *
 * Comparison levels (through per-thread caches), u from random pairs, m from
 * the labels or by EM over the candidate pairs' patterns, and the match
 * weights: the pass that keeps the pairs at or above the threshold.
 */
#define _POSIX_C_SOURCE 200809L
#include "dedup_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "log.h"
#include "value.h"

#define M_PRIOR_PAIRS 100.0  /* weight of EM's starting m, in pairs */

static const enum pl_cmp_kind cmp_kinds[C__COUNT] = {
	PL_CMP_KIND_NAME, PL_CMP_KIND_NAME, PL_CMP_KIND_DATE, PL_CMP_KIND_EXACT, PL_CMP_KIND_EXACT,
	PL_CMP_KIND_EXACT
};

#define LEVEL_CACHE_BITS 18

/* Comparison levels already computed, by the pair of values (ids or
 * dates): the same names and dates meet again and again across pairs. */
struct level_cache {
	uint64_t key[1u << LEVEL_CACHE_BITS];   /* a << 32 | b; UINT64_MAX: empty */
	signed char level[1u << LEVEL_CACHE_BITS];
};

/* ---- comparisons -------------------------------------------------------- */

static struct level_cache *level_cache_new(void)
{
	struct level_cache *c = pl_xmalloc(sizeof(*c));

	memset(c->key, 0xff, sizeof(c->key));
	return c;
}

void dd_caches_init(struct caches *c)
{
	c->names = level_cache_new();
	c->dates = level_cache_new();
}

void dd_caches_release(struct caches *c)
{
	free(c->names);
	free(c->dates);
	c->names = c->dates = NULL;
}

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

void dd_compare(const struct dedup *dd, struct caches *c, const struct crec *a,
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

size_t dd_pattern_of(const signed char lv[C__COUNT])
{
	size_t p = 0;

	for (int k = 0; k < C__COUNT; k++)
		p = p * N_LEVELS + (size_t)(lv[k] + 1);
	return p;
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
	/* the missing level and those above a comparison's last are 0, not
	 * whatever the caller's stack held (they reached linkage_weight) */
	memset(out, 0, C__COUNT * sizeof(out[0]));
	for (int k = 0; k < C__COUNT; k++) {
		double total = 0;

		for (int l = 1; l <= cmp_max_level[k] + 1; l++)
			total += count[k][l] + 0.5;
		for (int l = 1; l <= cmp_max_level[k] + 1; l++)
			out[k][l] = (count[k][l] + 0.5) / total;
	}
}

#define U_ROUND 65536          /* random pairs dd_estimate_u reads at once */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The comparison records at the positions in pos[0..n) (each position << 32
 * | its slot; sorted here) into c[slot], in file order: records that lie
 * within NIGHT_CHUNK of each other in one read (at 1M rows a round's
 * 131,072 records take about 16,000 reads). */
static int read_sample(const struct dedup *dd, uint64_t *pos, size_t n, struct crec *c,
		       unsigned char *buf)
{
	qsort(pos, n, sizeof(*pos), cmp_u64);
	for (size_t i = 0, j; i < n; i = j) {
		size_t first = (size_t)(pos[i] >> 32), last = first;

		for (j = i; j < n && (size_t)(pos[j] >> 32) - first < NIGHT_CHUNK; j++)
			last = (size_t)(pos[j] >> 32);
		if (spill_get(dd, first, last - first + 1, buf) != 0)
			return -1;
		for (size_t k = i; k < j; k++)
			memcpy(&c[(uint32_t)pos[k]], buf + ((size_t)(pos[k] >> 32) - first) * dd->stride,
			       sizeof(*c));
	}
	return 0;
}

/* u from random pairs (fixed seed: the same data gives the same figures),
 * read U_ROUND pairs at a time. */
enum pl_err dd_estimate_u(struct dedup *dd, struct pl_diag *d)
{
	double count[C__COUNT][N_LEVELS] = { { 0 } };
	uint64_t seed = 20261125;
	long left = dd->n_recs > 1 ? dd->cfg.u_sample_pairs : 0;
	uint64_t *pos = pl_xmalloc(2 * U_ROUND * sizeof(*pos));
	struct crec *c = pl_xmalloc(2 * U_ROUND * sizeof(*c));
	unsigned char *buf = pl_xmalloc(NIGHT_CHUNK * dd->stride);
	enum pl_err err = PL_OK;

	while (!err && left > 0) {
		size_t n = 0;

		for (; left > 0 && n < 2 * U_ROUND; left--) {
			size_t a = splitmix64(&seed) % dd->n_recs, b = splitmix64(&seed) % dd->n_recs;

			if (a == b)
				continue;
			pos[n] = (uint64_t)a << 32 | n;
			n++;
			pos[n] = (uint64_t)b << 32 | n;
			n++;
		}
		if (read_sample(dd, pos, n, c, buf) != 0) {
			err = pl_diag_set(d, PL_EIO, NULL, 0, "cannot read a temporary file: %s",
					  strerror(errno));
			break;
		}
		for (size_t i = 0; i < n; i += 2) {
			signed char lv[C__COUNT];

			dd_compare(dd, &dd->cache, &c[i], &c[i + 1], lv);
			for (int k = 0; k < C__COUNT; k++)
				count[k][lv[k] + 1] += 1;
		}
	}
	free(pos);
	free(c);
	free(buf);
	if (!err)
		normalise(count, dd->u);
	return err;
}

/* The starting m of EM: agreement among pairs of episodes sharing a valid
 * identity number, the matches the data already holds (at most 64 episodes
 * a person), from the label sample (sorted by node: estimate_prior).
 * Without any, textbook values. */
void dd_init_m(struct dedup *dd)
{
	static const double name[4] = { 0.03, 0.04, 0.08, 0.85 };
	static const double date[4] = { 0.02, 0.03, 0.05, 0.90 };
	static const double exact[2] = { 0.02, 0.98 };
	double count[C__COUNT][N_LEVELS] = { { 0 } };
	const struct label *lab = dd->labels.l;
	size_t n = dd->labels.n;
	long pairs = 0;

	for (size_t lo = 0, hi; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && lab[hi].node == lab[lo].node; hi++)
			;
		for (size_t i = lo; i < hi && i < lo + 64; i++) {
			for (size_t j = i + 1; j < hi && j < lo + 64; j++) {
				signed char lv[C__COUNT];

				dd_compare(dd, &dd->cache, &lab[i].c, &lab[j].c, lv);
				for (int k = 0; k < C__COUNT; k++)
					count[k][lv[k] + 1] += 1;
				pairs++;
			}
		}
	}
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
int dd_m_by_em(const struct dedup *dd)
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
void dd_estimate_m(struct dedup *dd)
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

/* Share of name values equal to name id (at least one in n_named). */
static double name_share(const struct dedup *dd, uint32_t id)
{
	if (id != ID_BLANK && dd->n_named > 0)
		return (double)dd->name_n[id] / (double)dd->n_named;
	return dd->n_named > 0 ? 1.0 / (double)dd->n_named : 1.0;
}

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
		dd->tf_w[t] = pl_xrealloc(dd->tf_w[t],   /* a pass run again prepares again */
					  (pl_intern_count(&dd->names) + 1) * sizeof(double));
		for (size_t i = 0; i < pl_intern_count(&dd->names); i++)
			dd->tf_w[t][i] = tf_weight(dd, t ? C_LAST : C_FIRST, (uint32_t)i);
	}
}

/* Comparison k's contribution to the weight of a pair with levels lv, one
 * of whose records is a (the name-frequency weight of an exact name). */
static double contribution(const struct dedup *dd, const signed char lv_of[C__COUNT], int k,
			   const struct crec *a, int *tf)
{
	int lv = lv_of[k];

	*tf = 0;
	if (lv < 0)
		return 0;
	if (dd->cfg.tf_adjust && (k == C_FIRST || k == C_LAST) && lv == PL_CMP_NAME_EXACT) {
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
	dd_compare(dd, &w->cache, ca, cb, p.lv);
	w->pattern_n[dd_pattern_of(p.lv)]++;
	w->seen++;
	p.weight = dd->prior_w;
	for (int k = 0; k < C__COUNT; k++)
		p.weight += contribution(dd, p.lv, k, ca, &tf);
	if (p.weight < dd->cfg.threshold)
		return;
	if (w->n_pairs == w->cap_pairs) {
		w->cap_pairs += w->cap_pairs / 2 + 1024;
		w->pairs = pl_xrealloc(w->pairs, w->cap_pairs * sizeof(*w->pairs));
	}
	w->pairs[w->n_pairs++] = p;
}

/* The pairs that may link, from all workers (cluster sorts them). */
enum pl_err dd_score(struct dedup *dd, const struct blocking *b, struct pl_diag *d)
{
	struct worker w[MAX_THREADS];
	size_t n;
	enum pl_err err;

	prepare_weights(dd);
	n = dd_run_workers(dd, b, score_pair, w);
	err = dd_workers_failed(w, n, d);
	dd_merge_patterns(dd, w, n);
	for (size_t r = 0; r < dd->cfg.n_rules; r++) {
		char rule[128];

		dedup_rule_text(&dd->cfg, r, rule, sizeof(rule));
		pl_log(PL_LOG_DEBUG, NULL, "blocking rule %s: %ld candidate pairs", rule,
		       dd->rule_pairs[r]);
	}
	for (size_t i = 0; i < n; i++)
		dd->n_pairs += w[i].n_pairs;
	pl_log(PL_LOG_DEBUG, NULL, "%zu pairs at or above the threshold", dd->n_pairs);
	/* the first worker's pairs grow in place (a large block is remapped,
	 * not copied), the others are moved in and freed one by one */
	dd->pairs = pl_xrealloc(w[0].pairs, (dd->n_pairs + 1) * sizeof(*dd->pairs));
	w[0].pairs = NULL;
	for (size_t i = 0, at = 0; i < n; i++) {
		if (i && w[i].n_pairs)
			memcpy(dd->pairs + at, w[i].pairs, w[i].n_pairs * sizeof(*dd->pairs));
		at += w[i].n_pairs;
		dd_worker_release(&w[i]);
	}
	return err;
}

/* The name of a level; name bands say the configured Jaro-Winkler bound. */
const char *dd_level_label(const struct dedup *dd, int k, int lv, char buf[16])
{
	if (cmp_kinds[k] == PL_CMP_KIND_NAME && (lv == PL_CMP_NAME_JW92 || lv == PL_CMP_NAME_JW80)) {
		snprintf(buf, 16, "jw>=%.2f", lv == PL_CMP_NAME_JW92 ? dd->cfg.name_high
									 : dd->cfg.name_low);
		return buf;
	}
	return pl_cmp_level_name(cmp_kinds[k], lv);
}

/* The pair's weight in words: each comparison's level and contribution. */
void dd_waterfall(const struct dedup *dd, const struct pair *p, const struct crec *a,
		  struct pl_buf *out)
{
	pl_buf_reset(out);
	pl_buf_printf(out, "prior %+.2f", prior_weight(dd));
	for (int k = 0; k < C__COUNT; k++) {
		char label[16];
		int tf;
		double c = contribution(dd, p->lv, k, a, &tf);

		pl_buf_printf(out, "; %s %s%s %+.2f", cmp_names[k], dd_level_label(dd, k, p->lv[k], label),
			      tf ? " (name frequency)" : "", c);
	}
	pl_buf_printf(out, "; total %.2f, threshold %.2f", p->weight, dd->cfg.threshold);
}

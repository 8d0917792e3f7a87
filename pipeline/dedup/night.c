/*
 * dedup/night.c - what the last run left, and what this one leaves.
 *
 * Decides whether the stored parameters serve (frozen) and whether this run
 * is a night (only the pairs with a new episode scored, the others taken
 * from linkage_pair); writes the state the next run reads (dedup/state.c).
 */
#define _POSIX_C_SOURCE 200809L
#include "dedup_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

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
 * reuse them (frozen). */
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
	return PL_OK;
}

enum pl_err dd_read_kept(struct dedup *dd, struct pl_diag *d)
{
	if (!dd->frozen || dd->o->rescore || !dd->st.episodes || dd->keep.resumed)
		return PL_OK;
	return read_kept(dd, d);
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

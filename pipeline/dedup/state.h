/*
 * dedup/state.h - what dedup keeps between runs (schema version 5).
 *
 * A run that estimates the linkage parameters stores them: m and u of every
 * comparison level, the prior, and the name frequencies by keyed hash of the
 * name (never the name).  Later runs reuse them, frozen, until refresh_days
 * have passed, linkage.ini or the key changed, or dedup --estimate.  Every
 * run also stores how many episodes it read and a keyed fingerprint of them
 * in (file_id, line) order, and the pairs at or above the threshold.  A run
 * with frozen parameters whose first episodes are exactly the last run's
 * scores only the pairs with a new episode and takes the others from
 * linkage_pair: the same pairs a run scoring all of them would keep.  The
 * candidate pairs' counts (by comparison pattern and by blocking rule) are
 * kept too, so that a night's linkage_param is a full run's.
 *
 * This file only reads and writes the tables; dedup.c decides.
 */
#ifndef DEDUP_STATE_H
#define DEDUP_STATE_H

#include <sqlite3.h>
#include <stdint.h>

#include "pl.h"
#include "secret.h"

#define STATE_CMPS 6               /* comparisons (dedup.c's enum cmp) */
#define STATE_LEVELS 5             /* levels -1..3 stored as 0..4 */

struct dedup_state {
	int have;                  /* the tables held a state */
	char settings_sha[PL_SHA256_HEX];
	uint64_t key_check;        /* pl_hash64 of a constant under the linkage subkey */
	char estimated_at[24];     /* UTC, YYYY-MM-DDTHH:MM:SSZ */
	double prior;
	long named;                /* first and last names counted for the frequencies */
	long label_pairs;
	int m_by_em;
	double match_share;
	double m[STATE_CMPS][STATE_LEVELS], u[STATE_CMPS][STATE_LEVELS];
	long episodes;             /* the episodes the run read */
	uint64_t fingerprint;      /* over them, in (file_id, line) order */
	long pairs;                /* rows of linkage_pair */
};

/* A name key's frequency: its keyed hash and count. */
struct state_name {
	uint64_t hash;
	long n;
};

/* A pair at or above the threshold, as linkage_pair holds it. */
struct state_pair {
	int64_t a_file, a_line, b_file, b_line;
	double weight;
	int pattern;               /* the levels, one base-5 digit each, first_name first */
};

/* Reads the state; s->have is 0 if the tables hold none.  cmp_names[k]
 * names comparison k in linkage_weight. */
enum pl_err state_read(sqlite3 *db, const char *const cmp_names[STATE_CMPS],
		       struct dedup_state *s, struct pl_diag *d);

/* Replaces the stored state with s. */
enum pl_err state_write(sqlite3 *db, const char *const cmp_names[STATE_CMPS],
			const struct dedup_state *s, struct pl_diag *d);

/* The name frequencies, sorted by hash (*out malloc'd, the caller frees). */
enum pl_err state_read_names(sqlite3 *db, struct state_name **out, size_t *n,
			     struct pl_diag *d);

/* Replaces the name frequencies with names[0..n). */
enum pl_err state_write_names(sqlite3 *db, const struct state_name *names, size_t n,
			      struct pl_diag *d);

/* The candidate pairs counted by comparison pattern (n_patterns of them)
 * and by blocking rule (n_rules), added to pattern_n and rule_n. */
enum pl_err state_add_counts(sqlite3 *db, long *pattern_n, size_t n_patterns, long *rule_n,
			     size_t n_rules, struct pl_diag *d);

/* Replaces the stored counts. */
enum pl_err state_write_counts(sqlite3 *db, const long *pattern_n, size_t n_patterns,
			       const long *rule_n, size_t n_rules, struct pl_diag *d);

/* Gives each stored pair to put, one at a time. */
typedef void state_pair_put(void *ctx, const struct state_pair *p);
enum pl_err state_read_pairs(sqlite3 *db, state_pair_put *put, void *ctx, struct pl_diag *d);

/* Fills *out with pair i of the caller's (a, b, pattern and weight). */
typedef void state_pair_fn(void *ctx, size_t i, struct state_pair *out);

/* Adds the caller's pairs 0..n-1 (from get) to the stored pairs; whole:
 * replaces them instead.  One at a time, so the caller need not hold them
 * all as rows. */
enum pl_err state_write_pairs(sqlite3 *db, state_pair_fn *get, void *ctx, size_t n, int whole,
			      struct pl_diag *d);

#endif

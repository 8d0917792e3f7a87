/*
 * dedup/dedup.h - link the episodes of one person across districts.
 *
 * Reads: episode, raw_sealed (sealed linkage fields, unsealed in memory only),
 * file_column, input_file, mappings/linkage/linkage.ini, key file.
 * Writes: person, episode_person, person_link, linkage_param, linkage_source,
 * and what the next run reuses (dedup/state.h): linkage_state, _weight,
 * _name, _count, _pair.
 */
#ifndef DEDUP_H
#define DEDUP_H

#include <stdio.h>

#include "pl.h"
#include "secret.h"

#define DEDUP_MAX_RULES 16
#define DEDUP_MAX_KEYS 4

/* What can make up a blocking key. */
enum dedup_key {
	DK_BIRTH_DATE, DK_BIRTH_YEAR, DK_SEX, DK_FIRST_NAME, DK_LAST_NAME, DK_POSTCODE,
	DK_FIRST_INITIAL, DK_LAST_INITIAL,
	DK_INITIALS,               /* both initials, in either order (swapped names) */
	DK_BIRTH_MONTH_DAY,        /* month and day of the birth date (MMDD): survives a
				      typo in the year */
	DK__COUNT
};

/* Where m (agreement among true matches) comes from: the pairs of episodes
 * sharing a valid identity number (labels), EM over the candidate pairs, or
 * labels when there are at least DEDUP_MIN_LABEL_PAIRS of them (auto). */
enum dedup_m_from { DM_AUTO, DM_LABELS, DM_EM };
#define DEDUP_MIN_LABEL_PAIRS 1000
#define DEDUP_LABEL_SAMPLE 262144   /* default of label_sample */
#define DEDUP_GATHER_MAX 524288     /* default of night_gather_max (16 B each: 8 MiB) */

/* mappings/linkage/linkage.ini */
struct dedup_config {
	double threshold;          /* match weight (log2 Bayes factor) to link */
	long u_sample_pairs;
	long label_sample;         /* episodes with a valid number drawn for m, at most */
	enum dedup_m_from m_from;
	long em_iterations;
	long max_block;
	int tf_adjust;
	long threads;              /* for the pair passes; 0: one per core */
	long refresh_days;         /* estimated parameters are reused this long; 0: never */
	long gather_max;           /* a night gathers at most this many episodes with a
				    * valid number of the persons it reaches; beyond,
				    * it counts every person */
	double name_high, name_low; /* Jaro-Winkler bands */
	int rules[DEDUP_MAX_RULES][DEDUP_MAX_KEYS]; /* -1 terminated */
	size_t n_rules;
	char sha256[PL_SHA256_HEX]; /* of the settings file's bytes */
};

/* The name of a blocking key, e.g. "birth_date". */
const char *dedup_key_name(int k);

/* Blocking rule r as "N: key + key" (N from 1), for logs and linkage_param. */
void dedup_rule_text(const struct dedup_config *cfg, size_t r, char *out, size_t size);

/* Loads the linkage configuration; PL_ECONFIG with file and line. */
enum pl_err dedup_config_load(const char *path, struct dedup_config *cfg, struct pl_diag *d);

struct dedup_opts {
	const char *config_path;
	const char *db_path;
	const char *key_path;
	int estimate;              /* estimate the parameters even if stored ones are fresh */
	int rescore;               /* score every pair even on a night */
};

struct dedup_summary {
	long episodes;
	long persons;
	long persons_across;       /* persons with episodes in two or more districts */
	long deterministic;        /* episodes placed by a shared identity or reserve number */
	long probabilistic;        /* episodes placed by a probabilistic link */
	long unlinked;             /* episodes alone with nothing to link by */
	long candidate_pairs;
	long links;                /* probabilistic links accepted */
	long refused;              /* links above threshold refused: they would join two
				      persons with different valid identity numbers */
	long label_pairs;          /* pairs of episodes sharing a valid identity number
				      (at most 64 episodes a number) */
	long persons_new, persons_changed, persons_gone;    /* person rows written */
	long episodes_new, episodes_changed, episodes_gone; /* episode_person rows */
	int m_by_em;               /* m was estimated by EM, not from the labels */
	double lambda;             /* EM: estimated share of matches among candidate pairs */
	int frozen;                /* the parameters were the stored ones, of estimated_at */
	char estimated_at[24];
	long new_episodes;         /* a night: the episodes new since the last run, the only
				      ones whose pairs were scored; -1: every pair was */
	long pairs_kept;           /* a night: pairs taken from the last run */
};

/* The run's one-line summary; DEDUP_SUMMARY_MAX holds the longest. */
#define DEDUP_SUMMARY_MAX 768
void dedup_summary_line(const struct dedup_summary *sum, char *out, size_t size);

/* Rebuilds the person tables from the current episodes in one transaction. */
enum pl_err dedup_run(const struct dedup_opts *opts, struct dedup_summary *sum,
		      struct pl_diag *d);

/* Prints why a person's episodes are linked: what is a person id or
 * FILE:LINE of one of its episodes.  Levels only, never values. */
enum pl_err dedup_explain(const char *db_path, const char *what, FILE *out, struct pl_diag *d);

#endif

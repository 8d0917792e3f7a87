/*
 * dedup/dedup_int.h - what the files of dedup share; private to pipeline/dedup/.
 *
 * The run (struct dedup) and what it holds: the packed records, the open
 * records and their views, the label sample, the pairs, the blocking index
 * and the pair passes' workers; a few one-line accessors; and the functions
 * that one file of dedup calls in another, prefixed dd_.  dedup.h is the
 * stage's interface: nothing outside pipeline/dedup/ but its unit tests
 * includes this file.
 */
#ifndef DEDUP_INT_H
#define DEDUP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sodium.h>
#include <sqlite3.h>

#include "dedup.h"
#include "extsort.h"
#include "intern.h"
#include "keepfile.h"
#include "pl.h"
#include "secret.h"
#include "spill.h"
#include "state.h"

struct pl_uf;
struct timespec;

/* The comparisons, in the order of a comparison vector. */
enum cmp { C_FIRST, C_LAST, C_BIRTH, C_YEAR, C_SEX, C_POST, C__COUNT };
#define N_LEVELS 5                 /* levels -1..3 stored as 0..4 */
#define N_PATTERNS (5 * 5 * 5 * 5 * 5 * 5)

static const char *const cmp_names[C__COUNT] = {
	"first_name", "last_name", "birth_date", "birth_year", "sex", "postcode"
};

static const int cmp_max_level[C__COUNT] = { 3, 3, 3, 1, 1, 1 };

#define ID_BLANK UINT32_MAX
/* Flags at the first entry of a block in an index (struct oindex): the
 * block is skipped; it holds a record new since the last run (a night).
 * Positions and open records' numbers stay below REC_LIMIT. */
#define REC_SKIPPED 0x80000000u
#define REC_FRESH 0x40000000u
#define REC_LIMIT 0x40000000L
#define NODE_VALID UINT32_MAX      /* crec.node of an episode with a valid number */

/* A person_ref of 32 hex digits as 128 bits (store_id_bits). */
struct ref128 {
	uint64_t hi, lo;
};

/* What the comparisons read of a record, packed (24 bytes) so that the
 * pair loops stay in cache: names and postcodes as ids of their pools,
 * the birth date as yyyymmdd. */
struct crec {
	uint32_t first, last, post;
	int32_t birth;             /* yyyymmdd, 0: unknown */
	uint32_t node;             /* open records: their node; else NODE_VALID */
	int16_t birth_year;        /* 0: unknown */
	char sex;                  /* F, M, U */
	unsigned char valid;       /* the record holds a valid identity number */
};

/* A record in the spill file: every episode, in (file_id, line) order, so
 * that its position there is its index.  Only n_rules keys are stored
 * (dedup.stride bytes); a key of 0 means none (a component is missing).
 * A record with a valid number holds its person_ref as 128 bits, so that
 * the records the links name find their person_ref here (dd_valid_nodes),
 * not in the database. */
struct srec {
	struct crec c;
	uint32_t file_id, line;    /* load_records checks that they fit */
	struct ref128 ref;         /* a valid number's person_ref; else 0 */
	uint64_t key[DEDUP_MAX_RULES];
};
#define SREC_HEAD offsetof(struct srec, key)

/* An episode without a valid identity number, held in memory; what the
 * pair loops read of it is in its struct oview. */
struct orec {
	uint32_t file_id, line;    /* load_records checks that they fit */
	uint32_t ref_id;           /* its reserve number's person_ref in dedup.refs, ID_BLANK */
	int16_t district, source;
};

/* What the pair loops read of an open record, together (dedup.vstride
 * bytes: one or two cache lines instead of two or three apart): its
 * comparison record, position, and block under each rule (blocking). */
struct oview {
	struct crec c;
	uint32_t idx;              /* position in the spill file */
	uint32_t blk[];            /* n_rules of them */
};

/* A record with a valid identity number that a pair above the threshold
 * names: its node is its person_ref's (cluster).  Its position is in
 * dedup.vrec_idx. */
struct vrec {
	uint32_t node;
	uint32_t file_id, line;    /* load_records checks that they fit */
};

/* The pairs of episodes sharing a valid number are drawn from a sample of
 * the numbers: those whose hash is at most limit, halved whenever the
 * sample is full (all of them while it is not). */
struct label {
	uint64_t node;             /* hash of the person_ref */
	uint32_t idx;
	struct crec c;
};
struct label_sample {
	struct label *l;
	size_t n, cap, max;        /* max: cfg.label_sample */
	uint64_t limit;
};

/* Records a run of the external sorts holds (24 bytes each, and as much
 * again while it is sorted): memory against the number of runs merged. */
#define PERSON_SORT_RUN ((size_t)1 << 18)
#define EP_SORT_RUN ((size_t)1 << 18)

#define MAX_THREADS 8

/* One thread's caches (compare writes to them). */
struct caches {
	struct level_cache *names, *dates;
};

struct pair {
	uint32_t a, b;             /* spill positions, a < b */
	uint32_t na, nb;           /* their nodes (set by dd_valid_nodes) */
	double weight;
	signed char lv[C__COUNT];
	unsigned char linked;      /* this link joined two persons */
	unsigned char kept;        /* from linkage_pair, not scored by this run */
};

_Static_assert(C__COUNT == STATE_CMPS && N_LEVELS == STATE_LEVELS, "state.h's dimensions");

/* A night keeps at most this many person_refs of new records with a
 * valid number (16 bytes each); beyond, every person is written. */
#define NEW_REFS_MAX ((size_t)1 << 19)

/* An end of a stored pair, given its spill position by the load: the
 * episode (file_id << 32 | line; UINT64_MAX: none of this program's) and
 * which (the pair's index in dedup.kept << 1, | 1 for its end b). */
struct pair_end {
	uint64_t at;
	uint32_t which;
};

/* The open records' keys under one rule, sorted: a block is a run of equal
 * keys.  Keys are 48 bits (block_keys): dir[d] is the first entry whose key's
 * top 16 bits are d, and an entry stores the low 32 (fp). */
struct oindex {
	uint32_t *fp;
	uint32_t *rec;              /* the open record of each entry; REC_SKIPPED set at
				     * a run's first entry if the block is skipped */
	uint32_t *n_valid;          /* until skip_blocks, at a run's first entry: the
				     * valid records with its key */
	uint32_t *n_old_valid;      /* a night, likewise: of those, the last run's */
	uint64_t *fresh_bits;       /* a night: a filter of the REC_FRESH blocks' keys */
	uint64_t *need, *need_bits; /* a night: the blocks with a new record (a bit at a
				     * run's first entry), and a filter of their keys */
	uint64_t *tally, *tally_bits; /* a night with the last run's counts: the blocks
				     * it did not have, whose old valid records the
				     * scoring pass counts (likewise) */
	uint32_t *tally_e, *tally_run, *tally_open; /* each tally block's first entry,
				     * run number and open records, by entry */
	uint32_t *tally_c;          /* and its old valid records, counted */
	size_t n_tally;
	size_t n;
	uint32_t *dir;              /* 65537 entries */
	uint32_t base;              /* block id of entry 0: a block's id is base + its
				     * first entry */
};

struct blocking {
	size_t n_rules;
	struct oindex ix[DEDUP_MAX_RULES];
	int tallying;               /* a night: the scoring pass counts the tally blocks'
				     * old valid records (the others' counts were kept) */
	uint32_t *counts[DEDUP_MAX_RULES]; /* every block's count, by run, held (held) */
	size_t n_counts[DEDUP_MAX_RULES];  /* until dd_blocking_settle keeps them */
	int held;
};

struct worker;
typedef void pair_fn(struct worker *w, uint32_t a, const struct crec *ca, uint32_t b,
		     const struct crec *cb);

/* One thread of a pass over the candidate pairs: it takes every n-th block
 * of open records and the n-th share of the spill file, and keeps its
 * results apart; they are merged in a fixed way, so that they do not depend
 * on the threads. */
struct worker {
	const struct dedup *dd;
	const struct blocking *b;
	size_t id, n;
	pair_fn *fn;
	struct caches cache;
	unsigned char *buf;         /* spill records read */
	int read_errno;             /* a read of the spill file failed */
	long *pattern_n;            /* candidate pairs by pattern */
	long seen;                  /* candidate pairs */
	long rule_pairs[DEDUP_MAX_RULES]; /* candidate pairs by the rule they belong to */
	struct pair *pairs;         /* pairs at or above the threshold (score_pair) */
	size_t n_pairs, cap_pairs;
};

/* What the load keeps for the next run (keep.c): the records file (the
 * spill file, KEEP_HEAD bytes of header first) and the state file. */
#define KEEP_HEAD 64
#define KEEP_KV 2048               /* persons written to the persons file at once */
#define KEEP_RUNS 8                /* sorted runs in the persons file, at most */
#define KEEP_VRECS 256             /* kept linked records read at once */
#define KEEP_GATHER 8192           /* persons file pairs read at once (a night) */

/* A record with a valid number that a pair names, as kept (dedup.vrecs,
 * by position), so that a night need not read it from the records file. */
struct kept_vrec {
	uint32_t pos, file_id, line, zero;
	uint64_t hi, lo;
};

/* Counts of every person, kept for a night that writes only some. */
struct person_sums {
	long persons;
	long across;               /* with episodes in two or more districts */
};

struct keep {
	int on;                    /* a database in a file: this run keeps its load */
	int resumed;               /* the load began with the kept one */
	int write_failed;          /* a person could not be written to the state file */
	struct pl_keepfile recs;   /* <database>.dedup-records; a full load's new one
				    * until installed */
	struct pl_keepfile aux;    /* the new state file, until installed */
	FILE *rec;                 /* resumed: the records file kept, appended to */
	FILE *old;                 /* the state file kept */
	struct pl_keepfile pers;   /* <database>.dedup-persons: the sort by person; a
				    * whole new one until installed */
	FILE *pers_old;            /* resumed: the persons file kept, its runs adopted */
	FILE *pers_out;            /* this run's persons go to pers.out or pers_old */
	int pers_whole;            /* this run writes a whole new persons file */
	uint64_t pers_generation;  /* of the persons file this run leaves */
	size_t n_runs;             /* its runs: resumed, the kept ones; then this run's */
	int64_t run_off[KEEP_RUNS], run_n[KEEP_RUNS];
	int64_t run_at;            /* where the run being written begins */
	struct person_sums k_sums; /* resumed: the persons the last run counted, and by */
	long *k_src_persons, *k_src_across; /* source (as sources) */
	struct person_sums s_sums; /* this run's, for the next (dd_keep_sums) */
	long *s_src_persons, *s_src_across;
	uint64_t generation;       /* linkage_kept's */
	uint64_t rec_generation;   /* of the records file this run leaves */
	size_t records;            /* linkage_kept's */
	int64_t from_file;         /* the episodes of files above it are read */
	int64_t max_file_id;       /* of the files this run loaded */
	char files[PL_SHA256_HEX]; /* sha256 over the files up to it */
	char **sources;            /* resumed: the kept sources and their counts */
	size_t n_sources;
	long *src_episodes, *src_no_id;
	int64_t sealed_len;
	int64_t counts_len;        /* the blocks' counts, written after the sealed part */
	crypto_generichash_state counts_hash; /* of those written */
	uint32_t *counts;          /* resumed: the kept blocks' counts section, */
	size_t count_at[DEDUP_MAX_RULES], n_counts[DEDUP_MAX_RULES]; /* each rule's */
	size_t n_persons;          /* written to the persons file by this run */
	struct pl_kv kv[KEEP_KV];  /* gathered before they are written */
	size_t n_kv;
	int64_t vk_at, vk_end;     /* resumed: the kept linked records unread */
	struct kept_vrec vk[KEEP_VRECS]; /* those read */
	size_t vk_n, vk_i;
};

#define SPILL_CHUNK 2048
#define NIGHT_CHUNK 64             /* records read at once where they are sparse */

struct dedup {
	const struct dedup_opts *o;
	struct dedup_summary *sum;
	struct dedup_config cfg;
	sqlite3 *db;
	unsigned char seal_key[PL_KEY_BYTES];
	unsigned char ref_key[PL_KEY_BYTES];
	char **districts;
	size_t n_districts;
	char **sources;             /* input_file.source of the files read */
	size_t n_sources;
	long *src_episodes;         /* by source: episodes read, */
	long *src_no_id;            /* and of those with id_type NONE */
	FILE *spill;                /* every record as a struct srec (keep.c's) */
	long long spill_base;       /* where the first record is in it */
	struct keep keep;           /* what the load keeps for the next run */
	size_t stride;              /* bytes of one record there */
	size_t n_recs;
	long n_valid;               /* records with a valid identity number */
	struct orec *open;          /* the others, by position in the spill */
	unsigned char *view;        /* and their struct oview, vstride bytes each */
	size_t vstride;
	size_t n_open, cap_open;
	uint64_t *okey[DEDUP_MAX_RULES]; /* okey[r][i]: open i's key under rule r (to blocking) */
	uint32_t *by_idx;           /* the open records in spill order (blocking_init) */
	uint32_t *open_idx;         /* and their positions, ascending */
	struct label_sample labels;
	struct pl_extsort by_person; /* (person_ref, position, district) of the valid records */
	size_t n_open_nodes;        /* nodes of the open records: reserve numbers, singles */
	size_t n_nodes;             /* and then the valid numbers met in links */
	unsigned char *node_valid;  /* node holds a valid identity number */
	struct vrec *vrecs;         /* valid records in pairs, by position */
	uint32_t *vrec_idx;         /* and their positions, ascending */
	size_t n_vrecs;
	struct ref128 *vref_bits;   /* by id in vrefs: the person_ref as 128 bits */
	struct pair *pairs;         /* candidate pairs at or above the threshold */
	size_t n_pairs;
	long *pattern_n;            /* candidate pairs by comparison pattern */
	long rule_pairs[DEDUP_MAX_RULES]; /* candidate pairs by the first rule blocking them */
	double m[C__COUNT][N_LEVELS], u[C__COUNT][N_LEVELS];
	double m0[C__COUNT][N_LEVELS]; /* EM's starting m, also its prior */
	double lambda;              /* match share among candidate pairs (EM) */
	double prior;               /* chance that two random episodes match */
	struct pl_intern refs;      /* person_refs of the open records (reserve numbers) */
	struct pl_intern vrefs;     /* person_refs of the valid records in pairs */
	/* name frequencies for the term-frequency adjustment */
	struct pl_intern names;     /* first and last name keys, one pool */
	long *name_n;               /* by name id: first and last names so spelt */
	size_t name_cap;            /* room in name_n */
	long n_named;               /* non-blank first and last names */
	struct pl_intern posts;     /* postcodes, folded, without spaces */
	struct caches cache;        /* of the main thread */
	/* the weights, once m and u are known (prepare_weights) */
	double w[C__COUNT][N_LEVELS];  /* log2(m/u) of each level */
	double *tf_w[2];               /* exact first / last name, by name id */
	double prior_w;                /* prior_weight() */
	/* between runs (state.c, night.c) */
	unsigned char link_key[PL_KEY_BYTES]; /* keyed hashes of names and records */
	struct dedup_state st;      /* as stored by the last run */
	int frozen;                 /* the parameters are st's, not estimated */
	size_t n_old;               /* a night: the first n_old records are the last
				     * run's, unchanged; only pairs with a later one are
				     * scored.  0: every pair is */
	struct pair *kept;          /* a night: the stored pairs */
	size_t n_kept, cap_kept;
	struct pair_end *ends;      /* their ends by (file_id, line), resolved by the load */
	size_t n_ends, ends_at;
	uint64_t fp, fp_old;        /* fingerprint of the records so far, and of the
				     * first st.episodes */
	struct ref128 *new_refs;    /* a night: the person_refs of the records after the
				     * first st.episodes that have a valid number */
	size_t n_new_refs, cap_new_refs;
	int new_refs_over;          /* more than NEW_REFS_MAX: not kept */
	uint64_t *name_h, *post_h;  /* keyed hash by name and postcode id */
	size_t name_h_cap, post_h_cap;
};

/* Reads n records from position first into buf; -1 (errno set) if it
 * cannot. */
static inline int spill_get(const struct dedup *dd, size_t first, size_t n, void *buf)
{
	return pl_spill_read(dd->spill, buf, n * dd->stride,
			     dd->spill_base + (long long)(first * dd->stride));
}

/* Where v is in the ascending a[0..n): its index, or SIZE_MAX. */
static inline size_t dd_find_u32(const uint32_t *a, size_t n, uint32_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo] == v ? lo : SIZE_MAX;
}

static inline struct oview *view_at(const struct dedup *dd, size_t i)
{
	return (struct oview *)(void *)(dd->view + i * dd->vstride);
}

/* An episode's district and source (both at most INT16_MAX; source -1:
 * none) in 32 bits, for the sort by person. */
static inline uint32_t pack_place(int district, int source)
{
	return (uint32_t)district | (uint32_t)(source & 0xffff) << 16;
}

/* The packed comparison record at position idx of the spill file. */
static inline int crec_at(const struct dedup *dd, size_t idx, struct crec *c)
{
	return pl_spill_read(dd->spill, c, sizeof(*c), dd->spill_base + (long long)(idx * dd->stride));
}

/* load.c */

/* The share of the valid numbers in the label sample. */
double dd_labels_fraction(const struct label_sample *s);

/* Reads every episode: the spill file, the open records, the labels, the sort by person. */
enum pl_err dd_load_records(struct dedup *dd, struct pl_diag *d);

/* Gives back the room the open records' arrays grew by. */
void dd_fit_open(struct dedup *dd);

/* block.c */

/* The open records' nodes: one per reserve number, else one each. */
void dd_make_nodes(struct dedup *dd);

/* The prior of the match weights, from the label sample (sorted by node). */
void dd_estimate_prior(struct dedup *dd);

/* The blocks of every rule; the open records renumbered for the heaviest. */
enum pl_err dd_blocking_init(struct dedup *dd, struct blocking *b, struct pl_diag *d);

/* After the scoring pass: the tally blocks' counts complete, every block's
 * count kept for the next run; 1 if a tally block turned out too large and
 * is now skipped (the pass must be run again), else 0. */
int dd_blocking_settle(struct dedup *dd, struct blocking *b);
/* Frees what dd_blocking_init made. */
void dd_blocking_release(struct blocking *b);

/* Runs fn over every candidate pair in worker threads; returns how many ran. */
size_t dd_run_workers(struct dedup *dd, const struct blocking *b, pair_fn *fn,
		      struct worker w[MAX_THREADS]);

/* PL_EIO if a worker could not read the spill file. */
enum pl_err dd_workers_failed(const struct worker *w, size_t n, struct pl_diag *d);

/* Frees what dd_run_workers gave a worker. */
void dd_worker_release(struct worker *w);

/* The candidate pairs by pattern and by rule, from the workers of a pass. */
void dd_merge_patterns(struct dedup *dd, const struct worker *w, size_t n);

/* Pass 1, for EM only: the patterns of the candidate pairs, counted. */
enum pl_err dd_count_patterns(struct dedup *dd, const struct blocking *b, struct pl_diag *d);

/* weights.c */

/* A thread's level caches, empty. */
void dd_caches_init(struct caches *c);

/* Frees a thread's level caches. */
void dd_caches_release(struct caches *c);

/* The comparison levels of two records into lv, through the caches c. */
void dd_compare(const struct dedup *dd, struct caches *c, const struct crec *a,
		const struct crec *b, signed char lv[C__COUNT]);

/* The levels as one number, a base-5 digit each, first_name first. */
size_t dd_pattern_of(const signed char lv[C__COUNT]);

/* u from random pairs of the spill file. */
enum pl_err dd_estimate_u(struct dedup *dd, struct pl_diag *d);

/* The starting m of EM, from the label sample (else textbook values). */
void dd_init_m(struct dedup *dd);

/* Whether m is to be estimated by EM rather than taken from the labels. */
int dd_m_by_em(const struct dedup *dd);

/* EM over the candidate pairs' patterns: m and the match share. */
void dd_estimate_m(struct dedup *dd);

/* Pass 2: scores the candidate pairs; the pairs that may link into dd->pairs. */
enum pl_err dd_score(struct dedup *dd, const struct blocking *b, struct pl_diag *d);

/* The name of comparison k's level lv, for linkage_param and waterfalls. */
const char *dd_level_label(const struct dedup *dd, int k, int lv, char buf[16]);

/* A pair's weight in words, as person_link.waterfall holds it. */
void dd_waterfall(const struct dedup *dd, const struct pair *p, const struct crec *a,
		  struct pl_buf *out);

/* persons.c */

/* Nodes for the records with a valid number that the pairs name. */
enum pl_err dd_valid_nodes(struct dedup *dd, struct pl_diag *d);

/* Unions the nodes along the links, strongest first, into uf. */
void dd_cluster(struct dedup *dd, struct pl_uf *uf);

/* The file and line of the episode at spill position idx (open record in *o). */
void dd_place_of(const struct dedup *dd, uint32_t idx, int64_t *file_id, int64_t *line,
		 size_t *o);

/* Writes person, episode_person, person_link, linkage_source, _param, the state. */
enum pl_err dd_write_all(struct dedup *dd, struct pl_uf *uf, struct timespec *t,
			 struct pl_diag *d);

/* keep.c */

/* Resumes the kept load if it serves (else says why at DEBUG), and opens
 * the spill file: the kept records file, or a new one. */
enum pl_err dd_keep_start(struct dedup *dd, struct pl_diag *d);

/* Resumed: the kept sources' counts into dd's (after the load's layouts). */
void dd_keep_add_sources(struct dedup *dd);

/* After the load: its result into the new state file. */
enum pl_err dd_keep_save_load(struct dedup *dd, struct pl_diag *d);

/* A night: the record at pos (ascending from call to call) as the last
 * run kept it, if it was a linked one: its person_ref, file and line
 * into *s, 1; else 0 (read it from the records file). */
int dd_keep_vrec(struct dedup *dd, uint32_t pos, struct srec *s);

/* The valid records' count of each block of rule r (block.c), in the order
 * of its index, for the next run: once for each rule, in order, after
 * dd_keep_save_load.  dd_keep_counts gives rule r's kept ones (NULL if
 * none were kept: a full load); dd_keep_counts_drop frees them. */
void dd_keep_put_counts(struct dedup *dd, const uint32_t *v, size_t n);
const uint32_t *dd_keep_counts(const struct dedup *dd, size_t r, size_t *n);
void dd_keep_counts_drop(struct dedup *dd);

/* The write's stream of the sort by person, into the new state file. */
void dd_keep_person(struct dedup *dd, const struct pl_kv *v);

/* Where dd_keep_person writes: a whole new persons file (every person's
 * pairs, in order), or one run more at the end of the kept one (a night:
 * the new pairs, in order). */
enum pl_err dd_keep_persons_whole(struct dedup *dd, struct pl_diag *d);
enum pl_err dd_keep_persons_append(struct dedup *dd, struct pl_diag *d);

/* A night that resumed: the pairs of the persons file (struct pl_kv: the
 * sort by person) whose person_ref is one of ref[0..n_ref) (sorted), in
 * order, into *out (n_out); 1 if more than max are, 0, or -1 on a read
 * error (d set). */
int dd_keep_gather(struct dedup *dd, const struct ref128 *ref, size_t n_ref, size_t max,
		   struct pl_kv **out, size_t *n_out, struct pl_diag *d);

/* The last run's counts of persons (into *sums) and, by source (as
 * dd->sources), of persons and those in two or more districts added to
 * src_persons and src_across (unless NULL); 0 if none were kept (not
 * resumed). */
int dd_keep_kept_sums(const struct dedup *dd, struct person_sums *sums, long *src_persons,
		      long *src_across);
/* This run's, kept for the next. */
void dd_keep_sums(struct dedup *dd, const struct person_sums *sums, const long *src_persons,
		  const long *src_across);

/* Before the commit: the pairs, the headers, synced; linkage_kept. */
enum pl_err dd_keep_finish(struct dedup *dd, struct pl_diag *d);

/* After the commit: the new files in place (a failure is a warning: the
 * next run loads every episode). */
void dd_keep_install(struct dedup *dd);

/* Closes and frees; the sort by person and the spill file go with it. */
void dd_keep_release(struct dedup *dd);

/* night.c */

/* Reads what the last run left and decides: estimate, or reuse (a night?). */
enum pl_err dd_read_state(struct dedup *dd, struct pl_diag *d);

/* A run that may be a night and did not resume: the stored pairs from
 * linkage_pair, their ends found by the load. */
enum pl_err dd_read_kept(struct dedup *dd, struct pl_diag *d);

/* No night after all: every pair is scored (why goes to the log). */
void dd_drop_kept(struct dedup *dd, const char *why);

/* After the load: whether this run is a night. */
void dd_check_night(struct dedup *dd);

/* The stored parameters in place of estimates. */
enum pl_err dd_use_frozen(struct dedup *dd, struct pl_diag *d);

/* A night: the stored pairs and counts join this run's. */
enum pl_err dd_add_kept(struct dedup *dd, struct pl_diag *d);

/* What the next run needs: parameters, episodes read, pairs scored. */
enum pl_err dd_write_state(struct dedup *dd, struct pl_diag *d);

#endif

/*
 * indicators/indicators.h - indicators from the linked episodes: the
 * catalogue (mappings/indicators/indicators.ini), the population table
 * (mappings/population/), the computation and the calculator.
 *
 * Reads: episode, episode_person (after dedup), the catalogue, the
 * population file.  Writes: indicator, indicator_value, indicator_equity,
 * indicator_trend, replaced whole in one transaction.
 */
#ifndef INDICATORS_H
#define INDICATORS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "keepfile.h"
#include "pl.h"
#include "secret.h"
#include "stats.h"

/* ---- dimensions: what an indicator filters or breaks down on ----------- */

enum ind_dim {
	IND_D_DISTRICT = 0,   /* code dimensions: values are code-list indexes */
	IND_D_SEX,
	IND_D_INTERVENTION,
	IND_D_PROVIDER,
	IND_D_SUBSTANCE,
	IND_D_CHILDREN,
	IND_D_ID_TYPE,
	IND_D_AGE_BAND,       /* the catalogue's age bands */
	IND_D_AGE,            /* numeric: age reached in the period's year */
	IND_D_BIRTH_YEAR,
	IND_D_DISTRICTS,      /* numeric: districts of the person within the filter */
	IND_D__COUNT
};
#define IND_N_CODE_DIMS 7     /* IND_D_DISTRICT .. IND_D_ID_TYPE */
#define IND_MAX_VALUES 31     /* values of a dimension, "missing" included */

struct ind_catalogue;

const char *ind_dim_name(enum ind_dim dim);
/* Values of a code or band dimension, "MISSING" (an empty field) last:
 * the code list's or bands' count + 1; 0 for numeric dims. */
size_t ind_dim_n_values(enum ind_dim dim, const struct ind_catalogue *cat);
/* The label of value idx of a code or band dimension. */
const char *ind_dim_value(enum ind_dim dim, const struct ind_catalogue *cat, int idx);

/* ---- the catalogue ------------------------------------------------------- */

enum ind_op { IND_OP_IN, IND_OP_NOT_IN, IND_OP_LT, IND_OP_LE, IND_OP_GT, IND_OP_GE,
	      IND_OP_EQ, IND_OP_NE };

struct ind_cond {
	enum ind_dim dim;
	enum ind_op op;
	uint32_t set;         /* code and band dims: bit per value index */
	double num;           /* numeric dims */
};

enum ind_unit { IND_PERSONS = 0, IND_EPISODES };
enum ind_period { IND_P_YEAR = 0, IND_P_START_YEAR, IND_P_END_YEAR, IND_P_DAY };
enum ind_method { IND_M_COUNT = 0, IND_M_RATE, IND_M_DSR, IND_M_WILSON, IND_M_EXACT,
		  IND_M_QUARTILES, IND_M_MEAN, IND_M_CHAO, IND_M_LOGLINEAR };
enum ind_measure { IND_MEAS_NONE = 0, IND_MEAS_LENGTH_DAYS, IND_MEAS_COST_SEK };

#define IND_MAX_COND 8
#define IND_MAX_BY 8
#define IND_MAX_BANDS 16

struct ind_def {
	char id[64];
	char *title_sv, *title_en;
	enum ind_unit unit;
	enum ind_period period;
	int day_month, day_mday;      /* IND_P_DAY */
	struct ind_cond filter[IND_MAX_COND];
	size_t n_filter;
	struct ind_cond numer[IND_MAX_COND];  /* shares: the counted part */
	size_t n_numer;
	enum ind_method method;
	enum ind_measure measure;
	enum ind_dim sources;         /* loglinear */
	double multiplier;
	int by[IND_MAX_BY][2];        /* breakdowns: one or two dims, -1 for none */
	size_t n_by;
	char *definition;             /* filter, numerator and by lines as written */
	long line;                    /* of the section's first key */
	unsigned seen;                /* keys given once only, while reading */
};

struct ind_band { int from, to; char label[16]; };  /* to = INT_MAX: open */

struct ind_catalogue {
	struct ind_def *defs;
	size_t n_defs;
	struct ind_band bands[IND_MAX_BANDS];
	size_t n_bands;
	double conf;
	long threads;                 /* indicators computed at once; 0: one per core */
	char sha256[PL_SHA256_HEX];
};

/* Loads and checks the catalogue; PL_ECONFIG with file and line. */
enum pl_err ind_catalogue_load(const char *path, struct ind_catalogue *cat, struct pl_diag *d);
void ind_catalogue_release(struct ind_catalogue *cat);

const char *ind_method_name(enum ind_method m);
const char *ind_unit_name(enum ind_unit u);
const char *ind_measure_name(enum ind_measure m);
/* "year", "start_year", "end_year" or "day MM-DD" into out. */
void ind_period_name(const struct ind_def *def, char *out, size_t size);
/* The band index of an age, or n_bands (missing) if none. */
size_t ind_band_of(const struct ind_catalogue *cat, int age);

/* ---- the population ------------------------------------------------------ */

struct ind_pop_cell {
	int year;
	int district;         /* code-list index */
	int sex;              /* 0 F, 1 M */
	int age_from, age_to; /* age_to = INT_MAX: open band */
	double n;
};

struct ind_population {
	struct ind_pop_cell *cells;
	size_t n_cells;
	char sha256[PL_SHA256_HEX];
	char path[256];
};

/* Loads a population CSV (see docs/indicators.md): a header naming year,
 * district, sex, age and population (Swedish names too), comma, semicolon
 * or tab separated.  PL_ECONFIG with file and line for a bad row. */
enum pl_err ind_population_load(const char *path, struct ind_population *pop,
				struct pl_diag *d);
void ind_population_release(struct ind_population *pop);

/* Inhabitants of a year in the districts of district_set, the sexes of
 * sex_set (bit 0 F, bit 1 M), aged age_lo..age_hi (inclusive, whole
 * years): a band only partly inside counts in proportion to the years
 * inside (ages spread evenly within a band; an open band counts as ten
 * years).  Returns -1 when the year has no row for one of the districts
 * asked for. */
double ind_population_sum(const struct ind_population *pop, int year, uint32_t district_set,
			  unsigned sex_set, int age_lo, int age_hi);

/* ---- the linked episodes -------------------------------------------------- */

#define IND_ONGOING INT32_MAX

struct ind_episode {
	int32_t start, end;           /* days since 1970-01-01; end IND_ONGOING */
	double cost;                  /* SEK; < 0 when not reported */
	int8_t code[IND_N_CODE_DIMS]; /* value index; sex is the person's */
};

struct ind_person {
	size_t first, n;              /* its episodes: ep[first .. first + n) */
	int birth_year;               /* 0 when unknown */
};

/* The episodes, grouped by person, either in memory (ep and p; tests and
 * fuzz targets build them so) or spilled (ind_data_load): then ep and p
 * are NULL and the persons, each a header and its episodes, are in an
 * unlinked temporary file that each pass of ind_compute reads in order, so
 * that memory does not grow with the rows. */
struct ind_data {
	struct ind_episode *ep;
	size_t n_ep;
	struct ind_person *p;
	size_t n_p;
	int first_year, last_year;    /* of the start dates */
	int32_t as_of;                /* latest date in the data */
	FILE *spill;                  /* NULL: in memory */
	int spill_borrowed;           /* the caller's file: not closed here */
	long long base, end;          /* spilled: the persons' bytes in it */
	size_t chunk_bytes;           /* spill read buffer; 0: IND_CHUNK_BYTES */
	size_t table_budget;          /* quartiles: bytes of distinct-value tables
				       * a sweep holds; 0: IND_TABLE_BUDGET */
};
#define IND_CHUNK_BYTES (1u << 20)
#define IND_TABLE_BUDGET ((size_t)4 << 20)

/* Reads the episodes and their persons, in person order, into a spill
 * file in the database's directory; a database file is read in two parts,
 * the second on a connection of its own, so the caller holds the write
 * lock (BEGIN IMMEDIATE) if another writer could commit meanwhile.
 * PL_EDATA when episodes have no person (dedup has not run since map);
 * PL_EIO when the spill file cannot be written.  Release with
 * ind_data_release either way. */
enum pl_err ind_data_load(sqlite3 *db, struct ind_data *data, struct pl_diag *d);
/* The same into the caller's file out (the state file, state.c), from its
 * position on; out stays open after ind_data_release. */
enum pl_err ind_data_load_to(sqlite3 *db, FILE *out, struct ind_data *data, struct pl_diag *d);
/* Moves in-memory data (ep, p) to a spill file in directory dir; PL_EIO
 * when it cannot be written. */
enum pl_err ind_data_spill(struct ind_data *data, const char *dir, struct pl_diag *d);
void ind_data_release(struct ind_data *data);

/*
 * The persons' file: per person a struct ind_kept_head, then its episodes
 * as read (struct ind_kept_ep: the episode's own sex and birth year; the
 * person's are resolved on reading, ind_resolve), in person key order.
 */
struct ind_kept_head {
	uint32_t key;                 /* person_key */
	uint32_t n;                   /* episodes that follow */
};
struct ind_kept_ep {
	struct ind_episode ep;        /* code[IND_D_SEX]: the episode's */
	int32_t birth_year;           /* the episode's; 0 when unknown */
	int32_t zero;                 /* 0: records compare whole */
};
enum pl_err ind_write_person(FILE *f, uint32_t key, const struct ind_kept_ep *k, size_t n,
			     struct pl_diag *d);
/* The person of kept episodes k[0..n): its episodes (with the person's
 * sex: the more frequent of F and M, U on a tie) into ep[0..n), its birth
 * year (the most frequent known, the earliest on a tie; 0 if none). */
void ind_resolve(const struct ind_kept_ep *k, size_t n, struct ind_episode *ep, int *birth_year);

/* Grouping the episodes by person while loading (group.c): records added
 * in any order come back person by person, in person key order, each
 * person's records in the order they were added, with one bucket of
 * records in memory at a time. */
struct ind_load_rec {
	int64_t person_key;
	int32_t birth_year;           /* of the episode; 0 when unknown */
	struct ind_episode ep;
};

struct pl_kv;

#define IND_GROUP_SUBS 64         /* sub-ranges of a bucket's keys */

struct ind_group_bucket {
	struct ind_load_rec *buf;     /* the block being filled */
	size_t n_buf;
	size_t n;                     /* records in the bucket */
	long long *blocks;            /* offsets of its full blocks in the file */
	size_t n_blocks, cap_blocks;
	size_t sub_n[IND_GROUP_SUBS]; /* records by sub-range of its keys */
};

struct ind_group {
	FILE *f;                      /* the full blocks, unnamed */
	long long size;               /* bytes written to f */
	struct ind_group_bucket *b;   /* bucket i: keys 1 + i * width .. */
	size_t n_b;
	uint64_t width, sub_width;    /* keys of a bucket, of a sub-range */
	size_t block_recs;            /* records in a block */
	size_t limit;                 /* records a pass loads at most (but one sub-range) */
	int reading;
	size_t cur_b, next_sub;       /* reading: the bucket, its next sub-range */
	struct ind_load_rec *recs;    /* the records loaded, as added */
	struct ind_load_rec *block;   /* a block read, to pick sub-ranges from */
	struct pl_kv *kv;             /* its order by person key */
	size_t n, at, cap_recs;       /* records loaded, handed out, room */
	struct ind_load_rec *person;  /* the person handed out */
	size_t cap_person;
};
#define IND_GROUP_BUCKET_RECS ((size_t)1 << 16)
#define IND_GROUP_BUFFER_BYTES ((size_t)4 << 20)

/* An empty grouping for about n_recs records of person keys 1..max_key (others
 * are grouped too), in buckets of about bucket_recs records (0: the default,
 * IND_GROUP_BUCKET_RECS), with block buffers of buffer_bytes together (0:
 * IND_GROUP_BUFFER_BYTES; one block of 64 records a bucket at least), whose
 * blocks go to a spill file in dir (see pl_spill_open): PL_EIO if it cannot
 * be made.  Release either way. */
enum pl_err ind_group_init(struct ind_group *g, const char *dir, int64_t max_key,
			   size_t n_recs, size_t bucket_recs, size_t buffer_bytes,
			   struct pl_diag *d);
/* PL_EIO when a block cannot be written. */
enum pl_err ind_group_add(struct ind_group *g, const struct ind_load_rec *r, struct pl_diag *d);
/* Ends the adding on the first call.  The next person's records (valid,
 * and the caller's to change, until the next call): 1, 0 after the last,
 * or -1 with PL_EIO in d. */
int ind_group_next(struct ind_group *g, struct ind_load_rec **recs, size_t *n,
		   struct pl_diag *d);
void ind_group_release(struct ind_group *g);

/* Reads the persons of data in order, in memory or spilled. */
struct ind_cursor {
	const struct ind_data *data;
	size_t next;                  /* persons returned */
	char *buf;                    /* spilled: read buffer */
	size_t cap, len, pos;
	long long at, size;           /* spilled: the next read's offset; the persons' end */
	struct ind_episode *ep;       /* spilled: the person's, resolved */
	size_t cap_ep;
};
enum pl_err ind_cursor_open(struct ind_cursor *c, const struct ind_data *data,
			    struct pl_diag *d);
/* The next person and its episodes (valid until the next call): 1, 0 after
 * the last, or -1 with PL_EIO in d. */
int ind_cursor_next(struct ind_cursor *c, struct ind_person *p,
		    const struct ind_episode **eps, struct pl_diag *d);
void ind_cursor_close(struct ind_cursor *c);

/* The calendar year of a day number; the day as YYYY-MM-DD. */
int ind_year_of_day(int32_t day);
void ind_day_iso(int32_t day, char out[16]);

/* ---- a night's changes ------------------------------------------------------- */

struct ind_delta;

/* An episode to take out of person key (add 0) or to add to it (add 1). */
struct ind_change {
	uint32_t key;
	int add;
	struct ind_kept_ep k;
};

struct ind_changes {
	struct ind_change *c;         /* by key, what is taken out first */
	size_t n, cap;
	long long n_new, n_moved;     /* episodes of new files; logged ones dedup moved */
	long long n_in_place;         /* logged ones map changed in place (a
				       * before-image, inserted, or deleted) */
	struct ind_data stats;        /* first_year, last_year, as_of of those added */
	long long n_stats;            /* episodes added (they only widen the period) */
	struct ind_data out_stats;    /* the same of the before-images taken out */
	long long n_out_stats;        /* whose dates changed or episode is gone */
	int usable;                   /* 0: an episode or person missing: count in full */
};

/* The episodes of the files above max_file_id (each added to its person)
 * and those of person_change of the files up to it: each taken out of the
 * person it had (old_key; none if 0) as it was counted (its row of
 * episode_before, else as it is: a move by dedup), and added to the one it
 * has as it is (none when map deleted it). */
enum pl_err ind_changes_read(sqlite3 *db, int64_t max_file_id, struct ind_changes *ch,
			     struct pl_diag *d);
void ind_changes_release(struct ind_changes *ch);

/* Appends a person of kept episodes k[0..n), resolved, with sign. */
void ind_delta_add(struct ind_delta *dl, const struct ind_kept_ep *k, size_t n, int sign);
void ind_delta_release(struct ind_delta *dl);

/* ---- the computation -------------------------------------------------------- */

#define IND_N_KEYS (IND_D_AGE_BAND + 1)   /* dims a row can be keyed by */

struct ind_row {
	size_t def;                   /* index into the catalogue */
	int year;
	char period[16];              /* "2024" or "2024-11-01" */
	int by;                       /* index into def->by, -1 for the total */
	int key[IND_N_KEYS];          /* value index per dim, -1 when not broken down */
	double num, den;              /* NAN for NULL */
	int has_value;                /* est holds finite numbers */
	struct pl_est est;
	const char *method;           /* what was computed, e.g. "byar" */
	const char *funnel, *funnel_od;
	const char *reliability;      /* "ok", "unreliable", "not_shown" */
	int suppress;
	char note[128];
};

struct ind_equity {
	size_t def;
	char period[16];
	size_t units;
	struct pl_hetero h;
};

struct ind_trend {
	size_t def;
	int by;
	int key[IND_N_KEYS];
	char first[16], last[16];
	size_t n;
	struct pl_est slope;
};

struct ind_result {
	struct ind_row *rows;
	size_t n_rows, cap_rows;
	struct ind_equity *equity;
	size_t n_equity, cap_equity;
	struct ind_trend *trends;
	size_t n_trends, cap_trends;
	size_t n_warnings;            /* data problems logged, e.g. missing population */
	int stale;                    /* a night: the sums kept do not fit the data */
};

/*
 * The sums every figure is made from, kept between runs (state.c): per
 * indicator, the sums of each of its periods, as bytes (compute.c writes
 * and reads them; native byte order).  A night takes out the persons
 * that changed as they were counted and adds them as they are now
 * (struct ind_delta), and ends with the sums a full count would give.
 */
struct ind_sums {
	struct pl_buf *by_def;        /* n_defs */
	size_t n_defs;
};
void ind_sums_init(struct ind_sums *s, size_t n_defs);
void ind_sums_release(struct ind_sums *s);

/* A night's persons, resolved, in memory: p[i] with its episodes
 * ep[p[i].first ..], counted with sign[i]: -1 takes the person out as it
 * was counted, +1 adds it as it is now. */
struct ind_delta {
	struct ind_episode *ep;
	size_t n_ep, cap_ep;
	struct ind_person *p;
	signed char *sign;
	size_t n_p, cap_p;
};

/* Computes every indicator of the catalogue over the data.  Figures that
 * are undefined for the data (no population, too few events) are rows
 * without a value and with a note, never errors; only a read error of
 * the spill file stops it (PL_EIO; res is then released), and out of
 * memory (abort). */
enum pl_err ind_compute(const struct ind_catalogue *cat, const struct ind_data *data,
			const struct ind_population *pop, struct ind_result *res,
			struct pl_diag *d);
void ind_result_release(struct ind_result *res);
/* ind_compute, with sums: with old NULL every person of data is counted
 * from nothing; else each period starts from old's sums and takes in the
 * delta (data gives only the periods: first_year, last_year, as_of), and
 * res->stale is set (with no rows) when old does not fit: the caller
 * counts in full then.  out, if not NULL, receives the sums made
 * (release with ind_sums_release). */
enum pl_err ind_compute_sums(const struct ind_catalogue *cat, const struct ind_data *data,
			     const struct ind_population *pop, const struct ind_sums *old,
			     const struct ind_delta *delta, struct ind_sums *out,
			     struct ind_result *res, struct pl_diag *d);

/* ---- the state kept between runs (state.c) -------------------------------- */

struct timespec;

/* One run's state: the file it writes (<database>.indicators) and what the
 * database's row will say of it. */
#define IND_RUNS 8                    /* runs in the persons file, fewer */

struct ind_keep {
	struct pl_keepfile f;         /* f.path NULL: a database in memory keeps none */
	struct pl_keepfile pers;      /* <database>.indicators-persons; a whole new one
				       * (pers_whole) until installed */
	FILE *pers_old;               /* a night: the one kept, appended to */
	FILE *pers_out;               /* where the persons go: pers.out or pers_old */
	int pers_whole;
	uint64_t pers_generation;     /* pers_old's */
	size_t n_runs;                /* its runs (then with this run's) */
	int64_t run_off[IND_RUNS], run_end[IND_RUNS];
	int64_t run_at;               /* where the run being written begins */
	char fingerprint[PL_SHA256_HEX];
	char files[PL_SHA256_HEX];
	long long n_files;
	int64_t max_file_id, epoch;
	int night;                    /* the run counted only what changed */
};

/* Computes res over the linked episodes: from the kept state and the
 * changes since (a night) when the state is the database's and fits
 * (else in full, saying why at INFO), writing the state for the next run
 * to a temporary file.  data: the persons counted (for the summary).
 * Steps timed from *t.  Release kp with ind_keep_release either way. */
enum pl_err ind_keep_compute(sqlite3 *db, const struct ind_catalogue *cat,
			     const struct ind_population *pop, struct ind_keep *kp,
			     struct ind_data *data, struct ind_result *res, struct timespec *t,
			     struct pl_diag *d);
/* In the caller's transaction: the state's row, and person_change and
 * episode_before emptied. */
enum pl_err ind_keep_record(sqlite3 *db, const struct ind_keep *kp, const struct ind_data *data,
			    struct pl_diag *d);
/* After the commit: the new state file in place of the old. */
enum pl_err ind_keep_install(struct ind_keep *kp, struct pl_diag *d);
/* Closes, and removes a state file not installed. */
void ind_keep_release(struct ind_keep *kp);

/* ---- the stage ------------------------------------------------------------- */

struct ind_opts {
	const char *db_path;
	const char *catalogue_path;
	const char *population_path;
};

struct ind_summary {
	size_t indicators, rows, shown, suppressed, equity, trends, warnings;
	size_t persons, episodes;
};

void ind_summary_line(const struct ind_summary *sum, char *out, size_t size);

/* Recomputes the indicator tables in one transaction. */
enum pl_err ind_run(const struct ind_opts *opts, struct ind_summary *sum, struct pl_diag *d);

/* The calculator: one method on one figure. */
struct ind_calc_args {
	const char *method;   /* wilson, exact, poisson, poisson_exact, byar, rate,
			       * chao */
	double num;           /* successes, events; chao: persons seen */
	double den;           /* NAN when not given */
	double conf;
	double multiplier;
	double target;        /* NAN, or funnel limits around it (per 1) */
	double f1, f2;        /* chao */
};
/* Prints "value lower upper" on one line (%.10g), then, with a target, the
 * funnel limits as "funnel95 lower upper", "funnel99.8 lower upper" and
 * "position NAME" of num/den.  PL_EUSAGE for an unknown method or missing
 * argument, PL_EDATA when the figure is undefined. */
enum pl_err ind_calc(const struct ind_calc_args *a, FILE *out, struct pl_diag *d);

#endif

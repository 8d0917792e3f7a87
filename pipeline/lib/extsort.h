/*
 * lib/extsort.h - sorting records of a 128-bit key (key, key2) and two 32-bit values, in
 * memory (pl_kv_sort) or, for more than memory may hold, in runs written to
 * an unnamed spill file and merged (pl_extsort).  Both are stable: equal
 * keys keep the order they were added in.
 */
#ifndef PL_EXTSORT_H
#define PL_EXTSORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pl.h"

struct pl_kv {
	uint64_t key, key2;        /* sorted by key, then key2 */
	uint32_t a, b;             /* carried along */
};

/* Sorts kv[0..n) by (key, key2), stably: LSD radix sort, 16 bits a pass (a
 * pass whose digit is the same for all records is skipped, so a key2 that
 * is always 0 costs one counting pass a digit). */
void pl_kv_sort(struct pl_kv *kv, size_t n);
/* The same with the caller's room for n records in tmp (sorts of one size
 * in turn reuse it instead of faulting in fresh pages each). */
void pl_kv_sort_with(struct pl_kv *kv, size_t n, struct pl_kv *tmp);

/* Runs of run_len records; the merge reads each run through a small buffer
 * (1.5 MiB for all of them, up to 256 runs). */
struct pl_extsort_run {
	FILE *f;                   /* an adopted run's file; NULL: the sorter's */
	long long base;            /* where its pairs begin in f */
	size_t first, n;           /* pairs in the file */
	size_t at;                 /* pairs read */
	struct pl_kv *buf;
	size_t buf_n, buf_i;
};

struct pl_extsort {
	FILE *f;
	size_t run_len;
	struct pl_kv *run;         /* the run being filled */
	size_t n;                  /* pairs in it */
	int run_unsorted;          /* the run being filled is out of order */
	int unordered;             /* some pair was added before a smaller one */
	struct pl_kv last;         /* the pair added last */
	size_t written;            /* pairs in the file */
	struct pl_extsort_run *runs;
	size_t n_runs;
	size_t n_adopted;          /* runs[0..n_adopted): sorted runs of other files */
	size_t read_buf;           /* records a run's merge buffer holds */
	size_t *heap;              /* runs by their next key (the merge) */
	size_t n_heap;
};

/* An empty sorter whose runs go to a spill file in dir (see pl_spill_open);
 * run_len 0: a default of 2^20 records (24 MiB, and as much again to sort). */
enum pl_err pl_extsort_init(struct pl_extsort *s, const char *dir, size_t run_len,
			    struct pl_diag *d);
/* Takes n pairs that another file f holds sorted, from offset at, as a
 * run that comes before every pair added (ties: the adopted run's pair
 * first), as if they had been added first; runs adopted in turn come in
 * that order (ties: the earlier's).  Only before the first add;
 * f stays the caller's and must stay open until the sorter is released. */
void pl_extsort_adopt(struct pl_extsort *s, FILE *f, long long at, size_t n);
/* Lets go of the adopted runs (before the merge): the merge gives only the
 * pairs added. */
void pl_extsort_unadopt(struct pl_extsort *s);
enum pl_err pl_extsort_add(struct pl_extsort *s, const struct pl_kv *kv, struct pl_diag *d);
/* Ends the adding: the run being filled goes to the spill file, and its
 * buffer leaves memory.  The merge may come later (it ends the adding
 * itself when this was not called); runs may still be let go of. */
enum pl_err pl_extsort_end(struct pl_extsort *s, struct pl_diag *d);
/* Ends the adding and starts the merge.  Pairs added in key order (a
 * table read in its key order) are neither sorted nor merged: the file is
 * read back as one run. */
enum pl_err pl_extsort_merge(struct pl_extsort *s, struct pl_diag *d);
/* The next record in key order into *kv: 1, or 0 at the end, or -1 with d set. */
int pl_extsort_next(struct pl_extsort *s, struct pl_kv *kv, struct pl_diag *d);
void pl_extsort_release(struct pl_extsort *s);

#endif

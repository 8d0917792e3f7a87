/*
 * lib/keepfile.h - a state file that a stage keeps beside the database for
 * its next run (indicators' sums, dedup's load), replaced atomically.
 *
 * The new file is written under a temporary name (<path>.XXXXXX, mode
 * 0600), its header last, synced, and renamed over the old one after the
 * database's commit.  The database's row names the file's generation (a
 * random number the header holds too), so a file that is not the one the
 * row describes (a crash between commit and rename, a database copied
 * without it) is never read.
 */
#ifndef PL_KEEPFILE_H
#define PL_KEEPFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "pl.h"

struct pl_keepfile {
	char *path;                /* <database><suffix>; NULL: none kept */
	char *tmp;                 /* the new file, until installed */
	FILE *out;                 /* open on tmp, for reading and writing */
	uint64_t generation;       /* random, below 2^63 (an SQLite integer) */
};

/* The path <db_path><suffix> and a new generation, without a file yet;
 * temporary files left beside it by runs that did not end are removed. */
void pl_keepfile_init(struct pl_keepfile *k, const char *db_path, const char *suffix);

/* The temporary file, with header zero bytes written (the header's room). */
enum pl_err pl_keepfile_create(struct pl_keepfile *k, size_t header, struct pl_diag *d);

/* Writes the header at the start and syncs the file: it is then complete. */
enum pl_err pl_keepfile_finish(struct pl_keepfile *k, const void *header, size_t len,
			       struct pl_diag *d);

/* Closes the new file and renames it over path (after the commit). */
enum pl_err pl_keepfile_install(struct pl_keepfile *k, struct pl_diag *d);

/* Closes and removes a file not installed; frees; may be called again. */
void pl_keepfile_release(struct pl_keepfile *k);

/* A file kept and appended to in place instead (not replaced): opened
 * for reading and writing, locked (flock, exclusive, not waiting), its
 * first head_len bytes compared with head, cut to len (what the state
 * that names it counts: a failed run's tail goes) and positioned at its
 * end.  NULL if it cannot be, with *why. */
enum pl_keep_why {
	PL_KEEP_MISSING,           /* no such file */
	PL_KEEP_IN_USE,            /* another process holds it */
	PL_KEEP_OTHER,             /* another header, or shorter than len */
	PL_KEEP_UNWRITABLE
};
FILE *pl_keepfile_reopen(const char *path, const void *head, size_t head_len, off_t len,
			 enum pl_keep_why *why);
/* PL_EIO with path and what was being done, and errno's words. */
enum pl_err pl_keepfile_error(struct pl_diag *d, const char *path, const char *what);

#endif

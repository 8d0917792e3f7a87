/*
 * lib/spill.h - unnamed temporary files for stages that stream more than
 * they may hold in memory (indicators' episodes in person order, dedup's
 * comparison records).
 */
#ifndef PL_SPILL_H
#define PL_SPILL_H

#include <stdio.h>

#include "pl.h"

/* An unnamed temporary file, open for reading and writing, in dir (TMPDIR,
 * else /tmp, if dir is NULL or empty): O_TMPFILE where the file system has
 * it, so that no name is ever seen, else mkstemp and unlink at once.  Mode
 * 0600.  NULL with PL_EIO in d. */
FILE *pl_spill_open(const char *dir, struct pl_diag *d);

/* Reads len bytes at offset at of the spill file f (what was written must
 * have been flushed): 0, or -1 with errno set (EIO if the file ends
 * early).  pread, so threads may read one file at once. */
int pl_spill_read(FILE *f, void *buf, size_t len, long long at);

/* The directory of path: "." if it has none, "" if path is NULL or empty;
 * the caller frees. */
char *pl_dir_of(const char *path);

#endif

/*
 * lib/inifile.h - INI files (mapping files, code lists, the linkage settings)
 * read with libinih, with the line number of every key.
 */
#ifndef PL_INIFILE_H
#define PL_INIFILE_H

#include "pl.h"
#include "secret.h"

#define PL_INI_MAX_BYTES (1024 * 1024)

/* Called for each key; returns 1 to go on, or 0 after filling the diag
 * with pl_diag_set() (no further keys are handed over then). */
typedef int (*pl_ini_handler)(void *user, const char *section, const char *key,
			      const char *value, long line);

/* Parses the file at path (UTF-8, at most 1 MiB).  Comment lines may be of
 * any length; another line longer than libinih's buffer is an error at its
 * line.  sha256, if not NULL, receives the digest of the file's bytes.
 * Returns PL_ENOINPUT if the file cannot be read, PL_ECONFIG for a syntax
 * error, or the error the handler set in *d. */
enum pl_err pl_ini_parse(const char *path, pl_ini_handler handler, void *user,
			 char sha256[PL_SHA256_HEX], struct pl_diag *d);

#endif

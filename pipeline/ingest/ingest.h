/*
 * ingest/ingest.h - read district exports into the pipeline database.
 *
 * Reads: input/ files, mapping files.  Writes: input_file, file_column,
 * raw_chunk (the kept records, lib/rawrows), raw_sealed, reject (stage
 * 'ingest').
 */
#ifndef INGEST_H
#define INGEST_H

#include "pl.h"

struct ingest_opts {
	const char *input_dir;
	const char *mapping_dir;
	const char *db_path;
	const char *key_path;
	char *const *only;     /* file names to consider; NULL = all in input_dir */
	size_t n_only;
};

/* What a run did, for the summary line and the exit code. */
struct ingest_summary {
	long files_seen;
	long files_ingested;   /* read this run */
	long files_unchanged;  /* skipped: same size, mtime and mapping */
	long files_failed;     /* failed, unclaimed or ambiguous */
	long files_duplicate;
	long rows_read;
	long rows_kept;
	long rows_rejected;
};

/* One line saying what the run did. */
void ingest_summary_line(const struct ingest_summary *sum, char *out, size_t size);

/* Runs the stage.  Returns PL_OK when every file was ingested (rows may be
 * rejected), PL_EDATA when one or more files could not be (the others
 * were), or the error that stopped the run, with details in *d. */
enum pl_err ingest_run(const struct ingest_opts *opts, struct ingest_summary *sum,
		       struct pl_diag *d);

#endif

/*
 * map/map.h - map ingested rows onto the common schema through each
 * source's mapping file.
 *
 * Reads: input_file, file_column, raw_chunk, raw_sealed, mapping files, key file.
 * Writes: episode, mapped_file, map_value, reject (stage 'map'); for a file
 * mapped again (in place), person_change and episode_before.
 */
#ifndef MAP_H
#define MAP_H

#include <stdio.h>

#include "pl.h"

struct map_opts {
	const char *mapping_dir;
	const char *db_path;
	const char *key_path;
	const char *today;     /* YYYY-MM-DD for reference_date = today; NULL: the clock */
};

struct map_summary {
	long files_mapped;     /* mapped this run */
	long files_unchanged;  /* already mapped with the same mapping file */
	long rows_read;
	long rows_kept;
	long rows_rejected;
	long files_again;      /* of those mapped, mapped before: in place */
	long episodes_changed; /* of their episodes: updated, */
	long episodes_added;   /* inserted (rows the mapping before rejected), */
	long episodes_removed; /* deleted (rows rejected now) */
};

void map_summary_line(const struct map_summary *sum, char *out, size_t size);

/* Maps every ingested file not yet mapped with its source's current mapping
 * file.  PL_ECONFIG (78) for a mapping the map stage cannot apply, with file
 * and line in *d; rows that cannot be mapped are rejects, not errors. */
enum pl_err map_run(const struct map_opts *opts, struct map_summary *sum, struct pl_diag *d);

/* Writes the mapping coverage (source, field, value, code, n, first file
 * and line) as tab-separated lines to out; source NULL for all. */
enum pl_err map_coverage(const char *db_path, const char *source, FILE *out,
			 struct pl_diag *d);

#endif

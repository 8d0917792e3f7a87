/*
 * run/run.h - the nightly driver: runs ingest, map, dedup, indicators and
 * report in order, each as its own process, under a lock, with a log file
 * per run.
 *
 * Reads: the stage programs (next to its own executable or --bin), the
 * optional config file, stage_run (the stages' summaries), input_file and
 * mapped_file (what dedup and report would read), the linkage settings,
 * the indicator catalogue and the population file (digests only), whether
 * the report's files are in output/.  Writes: output/run.lock,
 * output/run.state (what the last successful dedup, indicators and report
 * read), output/logs/run-YYYYMMDDTHHMMSSZ.log, a stage_run row with stage
 * 'run'.  Never writes anything in the input directory.
 */
#ifndef RUN_H
#define RUN_H

#include <stddef.h>
#include <stdio.h>

#include <sqlite3.h>

#include "log.h"
#include "pl.h"
#include "secret.h"

#define RUN_KEEP_LOGS_DEFAULT 30
#define RUN_KEEP_LOGS_MAX 100000

/* Where everything is, and how loud to be. */
struct run_opts {
	const char *input_dir;
	const char *mapping_dir;
	const char *db_path;
	const char *key_path;
	const char *linkage_path;  /* dedup -c */
	const char *catalogue_path;  /* indicators -c */
	const char *population_path; /* indicators -p */
	const char *bin_dir;       /* the stage programs */
	const char *report_lang;   /* report --lang: "sv" or "en" */
	long keep_logs;            /* run logs kept, >= 1 */
	enum pl_log_level verbosity; /* of stderr: ERROR (-q), INFO, DEBUG (-v) */
	int progress;              /* stderr is a TTY: a live line per stage */
};

/* The optional config file (--config): [paths] input, output_db, mappings,
 * key, linkage, catalogue, population; [run] keep_logs; [report] lang.
 * Unset values are NULL / -1.  Relative paths are taken relative to the
 * config file's directory. */
struct run_config {
	char *input_dir;
	char *db_path;
	char *mapping_dir;
	char *key_path;
	char *linkage_path;
	char *catalogue_path;
	char *population_path;
	long keep_logs;
	const char *report_lang;  /* "sv", "en" (static strings), NULL if unset */
};

void run_config_init(struct run_config *cfg);
void run_config_release(struct run_config *cfg);
/* PL_ENOINPUT if the file cannot be read, PL_ECONFIG (with the line) for an
 * unknown section or key or a bad value. */
enum pl_err run_config_load(const char *path, struct run_config *cfg, struct pl_diag *d);

/* Parses a keep_logs value: 1 to RUN_KEEP_LOGS_MAX; -1 if it is not one. */
long run_parse_keep_logs(const char *s);

/* Parses a report language: the static string "sv" or "en", NULL if s is
 * neither. */
const char *run_parse_lang(const char *s);

/* The level of a log line "2026-11-24T02:00:03Z STAGE L ...", or -1 if the
 * line is not in that format. */
int run_line_level(const char *line, size_t len);

/* Whether name is a run log "run-YYYYMMDDTHHMMSSZ.log" or, for a second run
 * in the same second, "run-YYYYMMDDTHHMMSSZ-N.log" (N 2..999); if so, fills
 * stamp (the 16 characters YYYYMMDDTHHMMSSZ and NUL) and seq (1, or N). */
int run_log_name(const char *name, char stamp[17], int *seq);

/* Deletes the oldest run logs in dir so that keep remain; other files are
 * never touched.  Sets *n_deleted.  PL_ENOINPUT if dir cannot be read;
 * a log that cannot be deleted is logged and skipped. */
enum pl_err run_rotate_logs(const char *dir, long keep, long *n_deleted, struct pl_diag *d);

/* What the ingest and map stages said they did (their stage_run summary). */
struct run_ingest_counts {
	long files, ingested, unchanged, duplicate, failed;
};
struct run_map_counts {
	long mapped, unchanged;
};
/* 0, or -1 if the summary is not in the stage's format. */
int run_parse_ingest_summary(const char *s, struct run_ingest_counts *c);
int run_parse_map_summary(const char *s, struct run_map_counts *c);

/* What a stage's exit status means for the run. */
enum run_verdict {
	RUN_GO_ON,     /* 0 */
	RUN_GO_ON_65,  /* 65: some input could not be processed; the rest was */
	RUN_STOP       /* a hard error: stop here */
};
/* status as from waitpid(); *code is the exit code the run takes from it
 * (the stage's own sysexits code, 70 for a crash, a signal or an unknown
 * code). */
enum run_verdict run_stage_verdict(int status, int *code);
/* enum pl_err of a sysexits code (PL_ESOFTWARE for an unknown one). */
enum pl_err run_err_of_code(int code);

/* ---- stages skipped when nothing they read changed ------------------------
 *
 * dedup, indicators and report redo their work whole each time, so the
 * driver runs them only when something they read changed.  Each has a
 * digest function: the digest of what it reads, and the latest run_id in
 * stage_run of the stage it is keyed on: dedup's and indicators' own; for
 * report, which writes no stage_run row, the indicators run it publishes.
 * output/run.state keeps both, per stage, from its last successful run; the
 * stage is skipped when both are the same now (a run of dedup or
 * indicators by hand in between makes it run again; report by hand writes
 * the same figures, so it needs no record of its own) and, for report,
 * its files are all there. */

enum run_skippable { RUN_SKIP_DEDUP, RUN_SKIP_INDICATORS, RUN_SKIP_REPORT, RUN_SKIP__COUNT };

/* "dedup", "indicators", "report": the stage, and its keys' prefix in
 * run.state. */
const char *run_skippable_name(enum run_skippable s);

/* The digest functions, one per skippable stage, alike: each fills hex (the
 * digest of what the stage reads) and *last_run (the latest run_id in
 * stage_run of the stage it is keyed on, 0 if none); the *_bin argument is
 * the stage program.  A missing file is part of the digest as missing, and
 * so is the database file's name.  They fail only when the database cannot
 * be read (hex is then "").
 *
 * What dedup reads: the ingested files and the mapped files (from the
 * database), the linkage settings' content (o->linkage_path), the key
 * file's identity (o->key_path: device, inode, size, mtime; never its
 * content) and the dedup program's. */
enum pl_err run_dedup_inputs(sqlite3 *db, const struct run_opts *o, const char *dedup_bin,
			     char hex[PL_SHA256_HEX], long long *last_run, struct pl_diag *d);
/* What indicators reads: the linked episodes (episode, episode_person:
 * they change only by map, after which dedup runs, and by dedup; so the
 * latest dedup run_id stands for them), the catalogue's and the population
 * file's content (o->catalogue_path, o->population_path) and the
 * indicators program's identity. */
enum pl_err run_indicators_inputs(sqlite3 *db, const struct run_opts *o,
				  const char *indicators_bin, char hex[PL_SHA256_HEX],
				  long long *last_run, struct pl_diag *d);
/* What report reads: the indicator tables (they change only by indicators,
 * so the latest indicators run_id stands for them, and is *last_run), the
 * data-quality tables (the ingested and mapped files, as for dedup; the
 * files ingest could not process, by name, status and counts; the rest
 * changes only by map and dedup, after which indicators runs), the report
 * program's identity and the language (o->report_lang). */
enum pl_err run_report_inputs(sqlite3 *db, const struct run_opts *o, const char *report_bin,
			      char hex[PL_SHA256_HEX], long long *last_run, struct pl_diag *d);
/* Whether a file report writes is gone from the database's directory
 * (report-LANG.html, report.xlsx, the directory tables/): 1 with its path
 * in path, else 0 and "".  Not part of the digest: that is taken before the
 * stage runs, when the files may be missing for the very reason it runs. */
int run_report_missing(const struct run_opts *o, char *path, size_t size);

/* output/run.state: per skippable stage, the digest and its run_id after its
 * last successful run. */
struct run_state {
	struct run_state_stage {
		char inputs[PL_SHA256_HEX];   /* "" when not recorded */
		long long run_id;             /* the stage_run run_id it is keyed on then */
	} stage[RUN_SKIP__COUNT];
};

/* Reads path into *st: a stage whose two lines ("NAME_inputs = HEX",
 * "NAME_run_id = N") are both there and well-formed is recorded, any other
 * is left "" / 0 (a file from before indicators had only dedup's, one from
 * before report no report's).  Returns how many stages are recorded: 0 for
 * a missing or unusable file. */
int run_state_read(const char *path, struct run_state *st);
/* Writes the recorded stages of *st to a temporary file, then renames it. */
enum pl_err run_state_write(const char *path, const struct run_state *st, struct pl_diag *d);

/* Runs the pipeline.  Returns PL_OK when every stage succeeded (or was
 * skipped), PL_EDATA when ingest could not process a file (the later stages
 * still ran), or the error of the first stage that failed (or of the driver
 * itself), with details in *d.  PL_ETEMPFAIL when another run holds the
 * lock. */
enum pl_err run_run(const struct run_opts *opts, struct pl_diag *d);

#endif

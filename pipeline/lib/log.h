/*
 * lib/log.h - one event a line on stderr, grep-able and cron-mail friendly:
 *
 *     2026-11-24T02:00:03Z ingest W lundby.csv:812: unterminated quote
 *
 * The logger's state (stage name, verbosity, stream) is one struct that
 * pl_log_setup() resets, so tests can capture and reset it.
 */
#ifndef PL_LOG_H
#define PL_LOG_H

#include <stdio.h>
#include <time.h>

#include "pl.h"

enum pl_log_level {
	PL_LOG_ERROR = 0, /* E: something failed */
	PL_LOG_WARN,      /* W: data problem, the run goes on */
	PL_LOG_INFO,      /* I: progress and summaries (hidden by -q) */
	PL_LOG_DEBUG      /* D: detail (-v) */
};

/* verbosity: highest level printed; fp NULL means stderr. */
void pl_log_setup(const char *stage, enum pl_log_level verbosity, FILE *fp);
int pl_log_enabled(enum pl_log_level level);
/* where: "file:line", "file" or NULL. */
void pl_log(enum pl_log_level level, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Logs (at -v) the time since *t for a step, the peak memory of the
 * process so far and its resident memory now (MiB; -1 if unknown), and
 * restarts *t (CLOCK_MONOTONIC). */
void pl_log_step(struct timespec *t, const char *step);

/* Logs the error in d, if err is set, as "file:line: message". */
void pl_log_diag(enum pl_err err, const struct pl_diag *d);

#endif

/*
 * lib/progress.h - a stage tells the driver how far it has come.
 *
 * The driver (run), when it shows a live progress line (stderr is a TTY and
 * no -q), gives each stage the write end of a pipe and names it in the
 * environment variable PL_PROGRESS_FD.  Without that variable (a stage run
 * by hand, from cron, or a driver without a TTY) every call here is a cheap
 * no-op.
 *
 * Wire format: one line per report, written with one write() (shorter than
 * PIPE_BUF, so it is never torn):
 *
 *     P rows=12345 bytes=456789 total=1000000\n
 *
 * rows: records handled so far.  bytes/total: how far along out of how much,
 * in the stage's own unit: ingest counts bytes of its input files; map
 * counts rows (bytes = rows mapped, total = rows to map).  The driver shows
 * rows and bytes/total as a percent; total 0 means "unknown".
 *
 * Reporting never blocks nor kills the stage: the descriptor is made
 * non-blocking (a full pipe drops the report), SIGPIPE is blocked around the
 * write (a pending one it caused is taken back), and any other write error
 * turns reporting off for the rest of the process.
 */
#ifndef PL_PROGRESS_H
#define PL_PROGRESS_H

#include <stdint.h>

#define PL_PROGRESS_ENV "PL_PROGRESS_FD"
#define PL_PROGRESS_MIN_MS 100     /* at most one report per this many ms */
#define PL_PROGRESS_CHECK_EVERY 256 /* updates between looks at the clock */

/* Starts a piece of work of total units (see above); reports rows=0. */
void pl_progress_begin(uint64_t total);
/* Where the work is: reported if PL_PROGRESS_MIN_MS have passed since the
 * last report (the clock is read only every PL_PROGRESS_CHECK_EVERY calls). */
void pl_progress_update(uint64_t rows, uint64_t done);
/* The work is over: reports the last values given, whatever the time. */
void pl_progress_end(void);
/* Forgets all state: the next call reads PL_PROGRESS_FD again (tests). */
void pl_progress_reset(void);
/* 1 if reports are being written (PL_PROGRESS_FD valid, no error yet). */
int pl_progress_active(void);

#endif

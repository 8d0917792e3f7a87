/*
 * lib/log.c - the stderr event log.
 */
#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <stdarg.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static struct {
	char stage[32];
	enum pl_log_level verbosity;
	FILE *fp;
} logger = { "pipeline", PL_LOG_INFO, NULL };

void pl_log_setup(const char *stage, enum pl_log_level verbosity, FILE *fp)
{
	snprintf(logger.stage, sizeof(logger.stage), "%s", stage ? stage : "pipeline");
	logger.verbosity = verbosity;
	logger.fp = fp;
}

int pl_log_enabled(enum pl_log_level level) { return level <= logger.verbosity; }

void pl_log(enum pl_log_level level, const char *where, const char *fmt, ...)
{
	static const char letters[] = "EWID";
	FILE *fp = logger.fp ? logger.fp : stderr;
	char stamp[32];
	time_t now;
	struct tm tm;
	va_list ap;

	if (!pl_log_enabled(level))
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	flockfile(fp);                /* one line whole among threads (indicators logs from its workers) */
	fprintf(fp, "%s %s %c ", stamp, logger.stage, letters[level]);
	if (where)
		fprintf(fp, "%s: ", where);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
	fflush(fp);
	funlockfile(fp);
}

void pl_log_diag(enum pl_err err, const struct pl_diag *d)
{
	if (!err)
		return;
	if (d->line)
		pl_log(PL_LOG_ERROR, NULL, "%s:%ld: %s", d->file, d->line, d->msg);
	else if (d->file[0])
		pl_log(PL_LOG_ERROR, NULL, "%s: %s", d->file, d->msg);
	else
		pl_log(PL_LOG_ERROR, NULL, "%s", d->msg);
}

/* The resident memory now, in MiB (Linux: /proc/self/statm); -1 if unknown. */
static long resident_mib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, pages = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &pages) != 2)
		pages = -1;
	fclose(f);
	return pages < 0 ? -1 : pages * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

void pl_log_step(struct timespec *t, const char *step)
{
	struct timespec now;
	struct rusage ru;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		ru.ru_maxrss = 0;
	pl_log(PL_LOG_DEBUG, NULL, "%s: %.2f s (peak %ld MiB, now %ld)", step,
	       (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9,
	       ru.ru_maxrss / 1024, resident_mib());
	*t = now;
}

/*
 * lib/progress.c - progress reports to the driver through PL_PROGRESS_FD
 * (see progress.h for the wire format and the guarantees).
 */
#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The whole state: zero is "not yet looked at the environment". */
static struct {
	int looked;               /* PL_PROGRESS_FD was read */
	int fd;                   /* where reports go, -1 if nowhere */
	uint64_t total;           /* of the current work */
	uint64_t rows, done;      /* last values given */
	uint64_t sent_rows, sent_done; /* last values written */
	unsigned calls;           /* updates since the clock was last read */
	struct timespec last;     /* when the last report was written */
} st;

void pl_progress_reset(void)
{
	memset(&st, 0, sizeof(st));
	st.fd = -1;
}

/* The descriptor named by PL_PROGRESS_FD if it is a valid open one above
 * stderr, made non-blocking; -1 otherwise. */
static int fd_from_env(void)
{
	const char *s = getenv(PL_PROGRESS_ENV);
	char *end;
	long v;
	int flags;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 2 || v > INT_MAX)
		return -1;
	flags = fcntl((int)v, F_GETFL);
	if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
		return -1;
	if (!(flags & O_NONBLOCK) && fcntl((int)v, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	return (int)v;
}

static int ready(void)
{
	if (!st.looked) {
		pl_progress_reset();
		st.looked = 1;
		st.fd = fd_from_env();
	}
	return st.fd >= 0;
}

int pl_progress_active(void)
{
	return ready();
}

/* One write() of buf with SIGPIPE blocked; a SIGPIPE it raised is taken
 * back unless one was pending already.  Returns write()'s result. */
static ssize_t write_nosigpipe(int fd, const char *buf, size_t len)
{
	sigset_t pipe_set, old, pending;
	int was_pending, saved;
	ssize_t n;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigemptyset(&pending);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE) == 1;
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	n = write(fd, buf, len);
	saved = errno;
	if (n < 0 && saved == EPIPE && !was_pending) {
		static const struct timespec zero = { 0, 0 };

		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return n;
}

static void report(void)
{
	char line[128];
	int len = snprintf(line, sizeof(line), "P rows=%" PRIu64 " bytes=%" PRIu64
			   " total=%" PRIu64 "\n", st.rows, st.done, st.total);
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &st.last);
	st.calls = 0;
	do
		n = write_nosigpipe(st.fd, line, (size_t)len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return; /* the driver is behind: drop this one */
	if (n != len) {
		st.fd = -1; /* gone or broken: report no more */
		return;
	}
	st.sent_rows = st.rows;
	st.sent_done = st.done;
}

void pl_progress_begin(uint64_t total)
{
	if (!ready())
		return;
	st.total = total;
	st.rows = st.done = 0;
	report();
}

void pl_progress_update(uint64_t rows, uint64_t done)
{
	struct timespec now;
	int64_t ms;

	if (st.looked && st.fd < 0)
		return; /* the common case without a driver: one test */
	if (!ready())
		return;
	st.rows = rows;
	st.done = done;
	if (++st.calls < PL_PROGRESS_CHECK_EVERY)
		return;
	st.calls = 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(now.tv_sec - st.last.tv_sec) * 1000 +
	     (now.tv_nsec - st.last.tv_nsec) / 1000000;
	if (ms >= PL_PROGRESS_MIN_MS && (rows != st.sent_rows || done != st.sent_done))
		report();
}

void pl_progress_end(void)
{
	if (!ready())
		return;
	report();
}

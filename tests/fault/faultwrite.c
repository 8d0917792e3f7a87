/*
 * tests/fault/faultwrite.c - an LD_PRELOAD shim that makes writes fail with
 * ENOSPC ("disk full") for chosen files, for the write-fault stage tests.
 *
 *   FAULT_PATH   a string; a write fails when the path of its file (read
 *                from /proc/self/fd/N) contains it.  Unset or empty: the
 *                shim does nothing.
 *   FAULT_AFTER  optional byte budget: writes to matching files succeed
 *                until this many bytes have been written to them (summed
 *                over all such files, per process); the write that crosses
 *                the budget is short, every later one fails.  Default 0.
 *
 * Wrapped: write, writev, pwrite, pwrite64 (SQLite's unix VFS on Linux) and
 * fwrite, fputs (stdio; glibc's own flushes call its internal write, which
 * no preload can wrap, so the stdio calls are wrapped where the caller makes
 * them: a failing fwrite writes nothing, sets the stream's error flag and
 * errno ENOSPC).  Writes to anything else (stderr, pipes, other files) pass
 * through untouched.  Every refused write is logged once per fd on stderr
 * as "faultwrite: ENOSPC on PATH" (so a test can tell the fault happened).
 *
 * Build: cc -shared -fPIC -o faultwrite.so faultwrite.c -ldl
 * Use:   LD_PRELOAD=./faultwrite.so FAULT_PATH=/out/ report -o /out
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long long budget = -1;   /* bytes matching files may still take; -1 unread */
static unsigned char warned[1024]; /* fds already logged */

/* 1 if fd's file path contains FAULT_PATH. */
static int matches(int fd)
{
	const char *want = getenv("FAULT_PATH");
	char link[64], path[4096];
	ssize_t n;

	if (!want || !*want || fd < 0)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return strstr(path, want) != NULL;
}

/* Logs the first refused write to fd on stderr, once per fd. */
static void report(int fd)
{
	char link[64], path[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	path[n < 0 ? 0 : n] = '\0';
	if (fd < (int)sizeof(warned) && !warned[fd]) {
		char msg[4200];
		int len = snprintf(msg, sizeof(msg), "faultwrite: ENOSPC on %s\n", path);
		ssize_t (*real_write)(int, const void *, size_t) =
			(ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");

		warned[fd] = 1;
		if (len > 0 && real_write)
			(void)!real_write(2, msg, (size_t)len < sizeof(msg) ? (size_t)len : sizeof(msg) - 1);
	}
}

/* How many of n bytes to fd may be written: n for other files; for matching
 * files what is left of the budget (0: fail with ENOSPC). */
static size_t allowed(int fd, size_t n)
{
	size_t ok;

	if (n == 0 || !matches(fd))
		return n;
	if (budget < 0) {
		const char *s = getenv("FAULT_AFTER");

		budget = s && *s ? atoll(s) : 0;
		if (budget < 0)
			budget = 0;
	}
	ok = (unsigned long long)budget < n ? (size_t)budget : n;
	budget -= (long long)ok;
	if (ok < n)
		report(fd);
	return ok;
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void *, size_t, off64_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef size_t (*fwrite_fn)(const void *, size_t, size_t, FILE *);

/* REAL(name, type): the next definition of name (libc's), in `real`. */
#define REAL(name, type) static type real; if (!real) real = (type)dlsym(RTLD_NEXT, name)

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL("write", write_fn);
	size_t ok = allowed(fd, n);

	if (ok == 0 && n > 0) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, buf, ok);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL("pwrite", pwrite_fn);
	size_t ok = allowed(fd, n);

	if (ok == 0 && n > 0) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, buf, ok, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	REAL("pwrite64", pwrite64_fn);
	size_t ok = allowed(fd, n);

	if (ok == 0 && n > 0) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, buf, ok, off);
}

/* writev: all or nothing (a short budget fails the whole call). */
ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	REAL("writev", writev_fn);
	size_t n = 0;

	for (int i = 0; i < cnt; i++)
		n += iov[i].iov_len;
	if (allowed(fd, n) < n) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, iov, cnt);
}

size_t fwrite(const void *buf, size_t size, size_t nmemb, FILE *fp)
{
	REAL("fwrite", fwrite_fn);
	size_t n = size * nmemb, ok;

	if (n == 0)
		return real(buf, size, nmemb, fp);
	ok = allowed(fileno(fp), n) / size; /* whole items only */
	if (ok < nmemb) {
		size_t done = ok ? real(buf, size, ok, fp) : 0;

		fp->_flags |= _IO_ERR_SEEN; /* glibc: what ferror() reads */
		errno = ENOSPC;
		return done;
	}
	return real(buf, size, nmemb, fp);
}

int fputs(const char *s, FILE *fp)
{
	size_t n = strlen(s);

	return fwrite(s, 1, n, fp) == n ? 1 : EOF;
}

/*
 * lib/spill.c - unnamed temporary files (see spill.h).
 */
#define _POSIX_C_SOURCE 200809L
#define _GNU_SOURCE     /* O_TMPFILE */
#include "spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

FILE *pl_spill_open(const char *dir, struct pl_diag *d)
{
	const char *tmp = getenv("TMPDIR");
	const char *base = dir && *dir ? dir : tmp && *tmp ? tmp : "/tmp";
	struct pl_buf path;
	FILE *f = NULL;
	int fd;

	pl_buf_init(&path);
	pl_buf_printf(&path, "%s/.pipeline-spill-XXXXXX", base);
	fd = open(base, O_TMPFILE | O_RDWR, 0600);
	if (fd < 0) {
		fd = mkstemp(path.data);
		if (fd >= 0)
			unlink(path.data);
	}
	if (fd < 0) {
		pl_diag_set(d, PL_EIO, base, 0, "cannot create a temporary file: %s",
			    strerror(errno));
		goto cleanup;
	}
	f = fdopen(fd, "w+b");
	if (!f) {
		pl_diag_set(d, PL_EIO, base, 0, "cannot open a temporary file: %s",
			    strerror(errno));
		close(fd);
	}
cleanup:
	pl_buf_release(&path);
	return f;
}

int pl_spill_read(FILE *f, void *buf, size_t len, long long at)
{
	int fd = fileno(f);
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(at + (long long)got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

char *pl_dir_of(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	char *dir;

	if (!path || !*path)
		return pl_xstrdup("");
	if (!slash)
		return pl_xstrdup(".");
	if (slash == path)
		return pl_xstrdup("/");
	dir = pl_xstrdup(path);
	dir[slash - path] = '\0';
	return dir;
}

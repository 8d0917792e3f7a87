/*
 * lib/keepfile.c - a state file beside the database (see keepfile.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "keepfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "spill.h"

enum pl_err pl_keepfile_error(struct pl_diag *d, const char *path, const char *what)
{
	return pl_diag_set(d, PL_EIO, path, 0, "cannot %s: %s", what,
			   errno ? strerror(errno) : "it ended early");
}

/* Removes path.XXXXXX, left by runs that did not end (the caller holds
 * the database's write lock, so no live run is writing one). */
static void remove_stale(const char *path)
{
	char *dir = pl_dir_of(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = strlen(base);
	struct dirent *e;
	DIR *dh = opendir(dir);

	while (dh && (e = readdir(dh)) != NULL) {
		char *full;

		if (strncmp(e->d_name, base, len) != 0 || e->d_name[len] != '.' ||
		    strlen(e->d_name + len + 1) != 6)
			continue;
		full = pl_xmalloc(strlen(dir) + strlen(e->d_name) + 2);
		sprintf(full, "%s/%s", dir, e->d_name);
		if (unlink(full) == 0)
			pl_log(PL_LOG_DEBUG, NULL, "%s: removed, left by a run that did not end", full);
		free(full);
	}
	if (dh)
		closedir(dh);
	free(dir);
}

void pl_keepfile_init(struct pl_keepfile *k, const char *db_path, const char *suffix)
{
	memset(k, 0, sizeof(*k));
	k->path = pl_xmalloc(strlen(db_path) + strlen(suffix) + 1);
	sprintf(k->path, "%s%s", db_path, suffix);
	randombytes_buf(&k->generation, sizeof(k->generation));
	k->generation &= INT64_MAX;
	remove_stale(k->path);
}

enum pl_err pl_keepfile_create(struct pl_keepfile *k, size_t header, struct pl_diag *d)
{
	size_t len = strlen(k->path) + 16;
	unsigned char zero[256];
	int fd;

	k->tmp = pl_xmalloc(len);
	snprintf(k->tmp, len, "%s.XXXXXX", k->path);
	fd = mkstemp(k->tmp);
	if (fd < 0) {
		free(k->tmp);
		k->tmp = NULL;
		return pl_keepfile_error(d, k->path, "make the state file");
	}
	k->out = fdopen(fd, "w+b");
	if (!k->out) {
		close(fd);
		return pl_keepfile_error(d, k->tmp, "make the state file");
	}
	memset(zero, 0, sizeof(zero));
	for (size_t left = header; left;) {
		size_t n = left < sizeof(zero) ? left : sizeof(zero);

		if (fwrite(zero, 1, n, k->out) != n)
			return pl_keepfile_error(d, k->tmp, "write the state file");
		left -= n;
	}
	return PL_OK;
}

enum pl_err pl_keepfile_finish(struct pl_keepfile *k, const void *header, size_t len,
			       struct pl_diag *d)
{
	errno = 0;
	if (fflush(k->out) != 0 || pwrite(fileno(k->out), header, len, 0) != (ssize_t)len ||
	    fsync(fileno(k->out)) != 0)
		return pl_keepfile_error(d, k->tmp, "write the state file");
	return PL_OK;
}

enum pl_err pl_keepfile_install(struct pl_keepfile *k, struct pl_diag *d)
{
	if (!k->tmp)
		return PL_OK;
	if (fclose(k->out) != 0) {
		k->out = NULL;
		return pl_keepfile_error(d, k->tmp, "write the state file");
	}
	k->out = NULL;
	if (rename(k->tmp, k->path) != 0)
		return pl_keepfile_error(d, k->path, "put the state file in place");
	free(k->tmp);
	k->tmp = NULL;
	return PL_OK;
}

void pl_keepfile_release(struct pl_keepfile *k)
{
	if (k->out)
		fclose(k->out);
	if (k->tmp)
		unlink(k->tmp);
	free(k->tmp);
	free(k->path);
	memset(k, 0, sizeof(*k));
}

FILE *pl_keepfile_reopen(const char *path, const void *head, size_t head_len, off_t len,
			 enum pl_keep_why *why)
{
	unsigned char *got = malloc(head_len + 1);
	struct stat sb;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	FILE *f = NULL;

	*why = PL_KEEP_MISSING;
	if (fd < 0 || !got)
		goto cleanup;
	*why = PL_KEEP_IN_USE;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		goto cleanup;
	*why = PL_KEEP_OTHER;
	if (pread(fd, got, head_len, 0) != (ssize_t)head_len || memcmp(got, head, head_len) != 0 ||
	    fstat(fd, &sb) != 0 || sb.st_size < len || len < (off_t)head_len)
		goto cleanup;
	*why = PL_KEEP_UNWRITABLE;
	if (ftruncate(fd, len) != 0 || !(f = fdopen(fd, "r+b")))
		goto cleanup;
	fd = -1;
	if (fseeko(f, 0, SEEK_END) != 0) {
		fclose(f);
		f = NULL;
	}
cleanup:
	if (fd >= 0)
		close(fd);
	free(got);
	return f;
}

/*
 * tests/unit/unit.h - helpers shared by the cmocka unit tests: a fresh
 * temporary directory per test (made in setup, removed in teardown) and
 * small file helpers.  Everything is static inline so that a test binary
 * using only some of it stays warning-free.
 *
 * Include after the feature-test macro and the cmocka prerequisites.
 */
#ifndef UNIT_H
#define UNIT_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The per-test fixture: a mkdtemp directory. */
struct unit_tmp {
	char dir[256];
};

static inline int unit_tmp_setup(void **state)
{
	struct unit_tmp *t = calloc(1, sizeof(*t));
	const char *base = getenv("TMPDIR");

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "%s/pl-unit-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

/* rm -rf of a tree we made; follows no symbolic links. */
static inline int unit_rm_rf(const char *path)
{
	struct stat st;
	int rc = 0;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(st.st_mode)) {
		DIR *dp;
		struct dirent *de;

		chmod(path, 0700); /* a test may have made it unreadable */
		dp = opendir(path);
		if (!dp)
			return -1;
		while ((de = readdir(dp)) != NULL) {
			size_t n = strlen(path) + strlen(de->d_name) + 2;
			char *child;

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			child = malloc(n);
			if (!child) {
				rc = -1;
				continue;
			}
			memcpy(child, path, strlen(path));
			child[strlen(path)] = '/';
			memcpy(child + strlen(path) + 1, de->d_name, strlen(de->d_name) + 1);
			if (unit_rm_rf(child) != 0)
				rc = -1;
			free(child);
		}
		closedir(dp);
		if (rmdir(path) != 0)
			rc = -1;
	} else if (unlink(path) != 0) {
		rc = -1;
	}
	return rc;
}

static inline int unit_tmp_teardown(void **state)
{
	struct unit_tmp *t = *state;
	int rc;

	if (!t)
		return 0;
	rc = unit_rm_rf(t->dir);
	free(t);
	*state = NULL;
	return rc;
}

/* dir/name into out; returns out. */
static inline const char *unit_path(void **state, const char *name, char *out, size_t size)
{
	const struct unit_tmp *t = *state;

	snprintf(out, size, "%s/%s", t->dir, name);
	return out;
}

/* Writes len bytes to path (mode 0644 less the umask); 0 or -1. */
static inline int unit_write(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	int rc = 0;

	if (!fp)
		return -1;
	if (len && fwrite(data, 1, len, fp) != len)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

static inline int unit_write_str(const char *path, const char *s)
{
	return unit_write(path, s, strlen(s));
}

/* Reads a whole (small) file into a malloc'd NUL-terminated buffer; NULL on error. */
static inline char *unit_read(const char *path, size_t *len_out)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!fp)
		return NULL;
	do {
		if (cap - len < 4096) {
			char *p = realloc(buf, cap + 4096 + 1);

			if (!p) {
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = p;
			cap += 4096;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	fclose(fp);
	buf[len] = '\0';
	if (len_out)
		*len_out = len;
	return buf;
}

#endif

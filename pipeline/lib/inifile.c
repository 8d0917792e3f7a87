/*
 * lib/inifile.c - INI parsing with line numbers on libinih.
 *
 * Debian's libinih gives its handler no line numbers, so the file is read
 * into memory and fed through ini_parse_stream() by a reader that counts
 * lines; the handler then knows the line of every key.
 */
#include "inifile.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

struct ini_state {
	const char *path;
	const char *pos;        /* reader position in the text */
	long line;              /* line last handed to libinih */
	pl_ini_handler handler;
	void *user;
	struct pl_diag *d;
	int failed;             /* the handler or the reader set *d */
};

/* Hands libinih one line at a time, counting lines.  A comment line is
 * handed over as an empty line, so comments may be any length. */
static char *reader(char *str, int num, void *stream)
{
	struct ini_state *st = stream;
	const char *start = st->pos, *nl, *p;
	size_t len;

	if (!*start)
		return NULL;
	nl = strchr(start, '\n');
	len = nl ? (size_t)(nl - start) + 1 : strlen(start);
	st->line++;
	st->pos += len;
	for (p = start; p < start + len && (*p == ' ' || *p == '\t'); p++)
		;
	if (*p == ';' || *p == '#') {
		snprintf(str, (size_t)num, "\n");
		return str;
	}
	if (len >= (size_t)num - 1 && !st->failed) {
		pl_diag_set(st->d, PL_ECONFIG, st->path, st->line,
			    "line longer than %d characters", num - 3);
		st->failed = 1;
	}
	if (len >= (size_t)num)
		len = (size_t)num - 1;
	memcpy(str, start, len);
	str[len] = '\0';
	return str;
}

static int trampoline(void *user, const char *section, const char *key, const char *value)
{
	struct ini_state *st = user;

	if (st->failed)
		return 0;
	if (!st->handler(st->user, section, key, value, st->line))
		st->failed = 1;
	return !st->failed;
}

static enum pl_err read_text(const char *path, struct pl_buf *text, struct pl_diag *d)
{
	char chunk[8192];
	enum pl_err err = PL_OK;
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (!fp)
		return pl_diag_set(d, PL_ENOINPUT, path, 0, "cannot open: %s", strerror(errno));
	pl_buf_append(text, "", 0);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (text->len + n > PL_INI_MAX_BYTES) {
			err = pl_diag_set(d, PL_ECONFIG, path, 0, "file larger than 1 MiB");
			break;
		}
		pl_buf_append(text, chunk, n);
	}
	if (!err && ferror(fp))
		err = pl_diag_set(d, PL_EIO, path, 0, "read error: %s", strerror(errno));
	fclose(fp);
	if (!err && text->len != strlen(text->data))
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "file holds a NUL byte");
	if (!err && !pl_utf8_valid(text->data, text->len, NULL))
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "file is not valid UTF-8");
	return err;
}

enum pl_err pl_ini_parse(const char *path, pl_ini_handler handler, void *user,
			 char sha256[PL_SHA256_HEX], struct pl_diag *d)
{
	struct ini_state st = { 0 };
	struct pl_buf text;
	enum pl_err err;
	int rc;

	pl_buf_init(&text);
	err = read_text(path, &text, d);
	if (err)
		goto cleanup;
	if (sha256) {
		struct pl_sha256 h;

		pl_sha256_init(&h);
		pl_sha256_update(&h, text.data, text.len);
		pl_sha256_hex(&h, sha256);
	}
	st.path = path;
	st.pos = text.data;
	st.handler = handler;
	st.user = user;
	st.d = d;
	rc = ini_parse_stream(reader, &st, trampoline, &st);
	if (st.failed)
		err = d->err ? d->err : PL_ECONFIG;
	else if (rc != 0)
		err = pl_diag_set(d, PL_ECONFIG, path, rc > 0 ? rc : 0,
				  "syntax error: expected [section] or key = value");
cleanup:
	pl_buf_release(&text);
	return err;
}

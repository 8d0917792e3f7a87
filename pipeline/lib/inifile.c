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
	long failed_line;       /* the line *d was set at */
};

/* Sets *d for the first failure only: later keys are not handed over. */
static void fail_at(struct ini_state *st, const char *msg)
{
	if (st->failed)
		return;
	pl_diag_set(st->d, PL_ECONFIG, st->path, st->line, "%s", msg);
	st->failed = 1;
	st->failed_line = st->line;
}

/* 1 if the line of len bytes is a section heading without its ']': it starts
 * with '[' (after a UTF-8 BOM on line 1; an indented line may continue a
 * value instead) and no ']' comes before the end or an inline comment, as
 * libinih reads it.  libinih flags that line but goes on parsing, handing
 * the following keys over in the section before, so the first error
 * reported would be a misleading one at a later line. */
static int heading_unclosed(const char *line, size_t len, long line_no)
{
	const char *p = line, *end = line + len;

	if (line_no == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	if (p >= end || *p != '[')
		return 0;
	for (p++; p < end && *p != '\n'; p++) {
		if (*p == ']')
			return 0;
		if (*p == ';' && (p[-1] == ' ' || p[-1] == '\t'))
			return 1;
	}
	return 1;
}

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
		char msg[64];

		snprintf(msg, sizeof(msg), "line longer than %d characters", num - 3);
		fail_at(st, msg);
	}
	if (heading_unclosed(start, len, st->line))
		fail_at(st, "section heading without closing ']'");
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
	if (!st->handler(st->user, section, key, value, st->line)) {
		st->failed = 1;
		st->failed_line = st->line;
	}
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
	/* libinih returns the first line it found wrong but goes on parsing:
	 * a syntax error before the line the handler or reader failed at is
	 * the one to report. */
	if (st.failed && !(rc > 0 && rc < st.failed_line))
		err = d->err ? d->err : PL_ECONFIG;
	else if (rc != 0)
		err = pl_diag_set(d, PL_ECONFIG, path, rc > 0 ? rc : 0,
				  "syntax error: expected [section] or key = value");
cleanup:
	pl_buf_release(&text);
	return err;
}

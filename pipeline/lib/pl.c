/*
 * lib/pl.c - errors, diagnostics, allocation and byte buffers.
 */
#include "pl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

void pl_diag_clear(struct pl_diag *d)
{
	d->err = PL_OK;
	d->file[0] = '\0';
	d->line = 0;
	d->msg[0] = '\0';
}

enum pl_err pl_diag_set(struct pl_diag *d, enum pl_err err, const char *file,
			long line, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return err;
	d->err = err;
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
	d->line = line;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return err;
}

int pl_exit_code(enum pl_err err)
{
	switch (err) {
	case PL_OK:         return EX_OK;
	case PL_EUSAGE:     return EX_USAGE;
	case PL_EDATA:      return EX_DATAERR;
	case PL_ENOINPUT:   return EX_NOINPUT;
	case PL_ESOFTWARE:  return EX_SOFTWARE;
	case PL_ECANTCREAT: return EX_CANTCREAT;
	case PL_EIO:        return EX_IOERR;
	case PL_ETEMPFAIL:  return EX_TEMPFAIL;
	case PL_ECONFIG:    return EX_CONFIG;
	}
	return EX_SOFTWARE;
}

static void *check_alloc(void *p)
{
	if (!p) {
		fputs("out of memory\n", stderr);
		abort();
	}
	return p;
}

void *pl_xmalloc(size_t len) { return check_alloc(malloc(len ? len : 1)); }
void *pl_xcalloc(size_t n, size_t len) { return check_alloc(calloc(n ? n : 1, len ? len : 1)); }
void *pl_xrealloc(void *p, size_t len) { return check_alloc(realloc(p, len ? len : 1)); }

char *pl_xstrndup(const char *s, size_t len)
{
	char *d = pl_xmalloc(len + 1);

	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *pl_xstrdup(const char *s) { return pl_xstrndup(s, strlen(s)); }

void pl_free_strings(char **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
}

size_t pl_sort_unique(void *base, size_t n, size_t size,
		      int (*cmp)(const void *, const void *))
{
	unsigned char *b = base;
	size_t u = 0;

	if (n > 1)
		qsort(base, n, size, cmp);
	for (size_t i = 0; i < n; i++) {
		if (u && cmp(b + (u - 1) * size, b + i * size) == 0)
			continue;
		if (u != i)
			memcpy(b + u * size, b + i * size, size);
		u++;
	}
	return u;
}

void pl_buf_init(struct pl_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void pl_buf_release(struct pl_buf *b)
{
	free(b->data);
	pl_buf_init(b);
}

void pl_buf_reset(struct pl_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void pl_buf_wipe(struct pl_buf *b)
{
	if (b->data)
		memset(b->data, 0, b->cap);
	b->len = 0;
}

void pl_buf_grow(struct pl_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (need < b->len)
		abort(); /* overflow */
	b->cap = b->cap ? b->cap : 64;
	while (b->cap < need)
		b->cap *= 2;
	b->data = pl_xrealloc(b->data, b->cap);
	b->data[b->len] = '\0';
}

void pl_buf_append(struct pl_buf *b, const void *data, size_t len)
{
	pl_buf_grow(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void pl_buf_printf(struct pl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	pl_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

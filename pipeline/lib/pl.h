/*
 * lib/pl.h - basics shared by every module of libpipeline: errors and their
 * diagnostics, allocation that aborts on exhaustion, a growable byte buffer.
 */
#ifndef PL_H
#define PL_H

#include <stdarg.h>
#include <stddef.h>

#define PL_VERSION "0.1.0"

/* Error classes; main() maps them to sysexits codes with pl_exit_code(). */
enum pl_err {
	PL_OK = 0,
	PL_EUSAGE,     /* 64: bad command line */
	PL_EDATA,      /* 65: input data could not be processed */
	PL_ENOINPUT,   /* 66: input missing or unreadable */
	PL_ESOFTWARE,  /* 70: internal error */
	PL_ECANTCREAT, /* 73: cannot create an output */
	PL_EIO,        /* 74: I/O error */
	PL_ETEMPFAIL,  /* 75: temporary failure, e.g. database locked */
	PL_ECONFIG     /* 78: configuration error */
};

/* Caller-owned details of the last error: what failed and where. */
struct pl_diag {
	enum pl_err err;
	char file[256];   /* file the error is about, "" if none */
	long line;        /* 1-based line in that file, 0 if none */
	char msg[512];    /* lower case, says what failed */
};

void pl_diag_clear(struct pl_diag *d);
/* Fills *d (file may be NULL, line 0) and returns err, for `return pl_diag_set(...)`. */
enum pl_err pl_diag_set(struct pl_diag *d, enum pl_err err, const char *file,
			long line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int pl_exit_code(enum pl_err err);

/* Allocation: out of memory aborts, so these never return NULL. */
void *pl_xmalloc(size_t len);
void *pl_xcalloc(size_t n, size_t len);
void *pl_xrealloc(void *p, size_t len);
char *pl_xstrdup(const char *s);
char *pl_xstrndup(const char *s, size_t len);
/* Frees the n strings of list and list itself (NULL: nothing). */
void pl_free_strings(char **list, size_t n);

/* Sorts the n items of size bytes at base by cmp and keeps each once (the
 * first of equal ones), at the front; returns how many are left. */
size_t pl_sort_unique(void *base, size_t n, size_t size,
		      int (*cmp)(const void *, const void *));

/* A growable byte buffer, always NUL-terminated after pl_buf_* calls. */
struct pl_buf {
	char *data;
	size_t len;
	size_t cap;
};

void pl_buf_init(struct pl_buf *b);
void pl_buf_release(struct pl_buf *b);
void pl_buf_reset(struct pl_buf *b);
/* Zeroes all the room b has and empties it: values in clear (identity
 * numbers, names) leave memory before the buffer is reused or released. */
void pl_buf_wipe(struct pl_buf *b);
void pl_buf_grow(struct pl_buf *b, size_t extra);
void pl_buf_append(struct pl_buf *b, const void *data, size_t len);
/* One byte: inline, as the readers and decoders call it per byte. */
static inline void pl_buf_putc(struct pl_buf *b, char c)
{
	if (b->len + 2 > b->cap)
		pl_buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}
void pl_buf_printf(struct pl_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

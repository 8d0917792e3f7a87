/*
 * lib/extsort.c - stable sorts of (key, a, b) pairs, in memory and in runs
 * on disk (see extsort.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "extsort.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spill.h"

#define DEFAULT_RUN ((size_t)1 << 20)
/* The merge's read buffers: READ_BUF records a run, but at most
 * MERGE_BUF records for all runs together (at least MIN_READ_BUF a run), so
 * that memory does not grow with the runs. */
#define READ_BUF 4096
#define MERGE_BUF ((size_t)1 << 16)
#define MIN_READ_BUF 256

/* The 16-bit digit d (0..7, least significant first) of kv's 128-bit key. */
static size_t digit(const struct pl_kv *kv, int d)
{
	return (size_t)((d < 4 ? kv->key2 >> (16 * d) : kv->key >> (16 * (d - 4))) & 0xffff);
}

void pl_kv_sort(struct pl_kv *kv, size_t n)
{
	struct pl_kv *tmp = pl_xmalloc((n + 1) * sizeof(*tmp));

	pl_kv_sort_with(kv, n, tmp);
	free(tmp);
}

void pl_kv_sort_with(struct pl_kv *kv, size_t n, struct pl_kv *tmp)
{
	enum { DIGITS = 1 << 16 };
	struct pl_kv *from = kv, *to = tmp;
	size_t *at = pl_xmalloc(DIGITS * sizeof(*at));

	for (int dg = 0; dg < 8; dg++) {
		struct pl_kv *swap = from;
		int same = 0;

		memset(at, 0, DIGITS * sizeof(*at));
		for (size_t i = 0; i < n; i++)
			at[digit(&from[i], dg)]++;
		for (size_t d = 0, sum = 0; d < DIGITS; d++) {
			size_t c = at[d];

			same |= c == n;
			at[d] = sum;
			sum += c;
		}
		if (same)
			continue; /* one digit for all: this pass would not move anything */
		for (size_t i = 0; i < n; i++)
			to[at[digit(&from[i], dg)]++] = from[i];
		from = to;
		to = swap;
	}
	if (from != kv)
		memcpy(kv, from, n * sizeof(*kv));
	free(at);
}

enum pl_err pl_extsort_init(struct pl_extsort *s, const char *dir, size_t run_len,
			    struct pl_diag *d)
{
	memset(s, 0, sizeof(*s));
	s->run_len = run_len ? run_len : DEFAULT_RUN;
	s->f = pl_spill_open(dir, d);
	if (!s->f)
		return PL_EIO;
	s->run = pl_xmalloc(s->run_len * sizeof(*s->run));
	return PL_OK;
}

static enum pl_err io_error(const char *what, struct pl_diag *d)
{
	return pl_diag_set(d, PL_EIO, NULL, 0, "cannot %s a temporary file: %s", what,
			   errno ? strerror(errno) : "it ended early");
}

/* Sorts the run being filled and appends it to the file. */
static enum pl_err flush_run(struct pl_extsort *s, struct pl_diag *d)
{
	struct pl_extsort_run *r;

	if (!s->n)
		return PL_OK;
	if (s->run_unsorted)
		pl_kv_sort(s->run, s->n);
	s->run_unsorted = 0;
	errno = 0;
	if (fwrite(s->run, sizeof(*s->run), s->n, s->f) != s->n)
		return io_error("write", d);
	s->runs = pl_xrealloc(s->runs, (s->n_runs + 1) * sizeof(*s->runs));
	r = &s->runs[s->n_runs++];
	memset(r, 0, sizeof(*r));
	r->first = s->written;
	r->n = s->n;
	s->written += s->n;
	s->n = 0;
	return PL_OK;
}

static int kv_before(const struct pl_kv *a, const struct pl_kv *b)
{
	return a->key != b->key ? a->key < b->key : a->key2 < b->key2;
}

void pl_extsort_adopt(struct pl_extsort *s, FILE *f, long long at, size_t n)
{
	struct pl_extsort_run *r;

	if (!n)
		return;
	s->runs = pl_xrealloc(s->runs, (s->n_runs + 1) * sizeof(*s->runs));
	r = &s->runs[s->n_runs++];
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->base = at;
	r->n = n;
	s->n_adopted++;
}

void pl_extsort_unadopt(struct pl_extsort *s)
{
	memmove(s->runs, s->runs + s->n_adopted, (s->n_runs - s->n_adopted) * sizeof(*s->runs));
	s->n_runs -= s->n_adopted;
	s->n_adopted = 0;
}

enum pl_err pl_extsort_add(struct pl_extsort *s, const struct pl_kv *kv, struct pl_diag *d)
{
	if ((s->n || s->written) && kv_before(kv, &s->last)) {
		s->run_unsorted = 1;
		s->unordered = 1;
	}
	s->last = *kv;
	s->run[s->n++] = *kv;
	return s->n == s->run_len ? flush_run(s, d) : PL_OK;
}

/* Refills run r's buffer; -1 on a read error. */
static int refill(struct pl_extsort *s, struct pl_extsort_run *r)
{
	size_t want = r->n - r->at < s->read_buf ? r->n - r->at : s->read_buf;

	if (pl_spill_read(r->f ? r->f : s->f, r->buf, want * sizeof(*r->buf),
			  r->base + (long long)((r->first + r->at) * sizeof(*r->buf))) != 0)
		return -1;
	r->at += want;
	r->buf_n = want;
	r->buf_i = 0;
	return 0;
}

/* Whether run x's next pair comes before run y's (ties: the earlier run). */
static int before(const struct pl_extsort *s, size_t x, size_t y)
{
	const struct pl_kv *a = &s->runs[x].buf[s->runs[x].buf_i];
	const struct pl_kv *b = &s->runs[y].buf[s->runs[y].buf_i];

	return kv_before(a, b) || (!kv_before(b, a) && x < y);
}

static void sift_down(struct pl_extsort *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i, tmp;

		if (l < s->n_heap && before(s, s->heap[l], s->heap[m]))
			m = l;
		if (r < s->n_heap && before(s, s->heap[r], s->heap[m]))
			m = r;
		if (m == i)
			return;
		tmp = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = tmp;
		i = m;
	}
}

enum pl_err pl_extsort_end(struct pl_extsort *s, struct pl_diag *d)
{
	enum pl_err err;

	if (!s->run)
		return PL_OK;
	err = flush_run(s, d);
	free(s->run);
	s->run = NULL;
	if (!err && fflush(s->f) != 0)
		err = io_error("write", d);
	return err;
}

enum pl_err pl_extsort_merge(struct pl_extsort *s, struct pl_diag *d)
{
	enum pl_err err = pl_extsort_end(s, d);

	if (err)
		return err;
	if (!s->unordered && s->n_runs > s->n_adopted + 1) {
		s->runs[s->n_adopted].n = s->written;    /* in order as added: one run */
		s->n_runs = s->n_adopted + 1;
	}
	s->heap = pl_xmalloc((s->n_runs + 1) * sizeof(*s->heap));
	s->read_buf = s->n_runs ? MERGE_BUF / s->n_runs : READ_BUF;
	s->read_buf = s->read_buf > READ_BUF ? READ_BUF :
		s->read_buf < MIN_READ_BUF ? MIN_READ_BUF : s->read_buf;
	for (size_t i = 0; i < s->n_runs; i++) {
		s->runs[i].buf = pl_xmalloc(s->read_buf * sizeof(*s->runs[i].buf));
		if (refill(s, &s->runs[i]) != 0)
			return io_error("read", d);
		s->heap[s->n_heap++] = i;
	}
	for (size_t i = s->n_heap / 2; i-- > 0;)
		sift_down(s, i);
	return PL_OK;
}

int pl_extsort_next(struct pl_extsort *s, struct pl_kv *kv, struct pl_diag *d)
{
	struct pl_extsort_run *r;

	if (!s->n_heap)
		return 0;
	r = &s->runs[s->heap[0]];
	*kv = r->buf[r->buf_i++];
	if (r->buf_i == r->buf_n) {
		if (r->at < r->n) {
			if (refill(s, r) != 0) {
				io_error("read", d);
				return -1;
			}
		} else {
			s->heap[0] = s->heap[--s->n_heap];
		}
	}
	sift_down(s, 0);
	return 1;
}

void pl_extsort_release(struct pl_extsort *s)
{
	if (s->f)
		fclose(s->f);
	for (size_t i = 0; i < s->n_runs; i++)
		free(s->runs[i].buf);
	free(s->runs);
	free(s->run);
	free(s->heap);
	memset(s, 0, sizeof(*s));
}

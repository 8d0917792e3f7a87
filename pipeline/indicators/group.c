/*
 * indicators/group.c - the loaded episodes grouped by person without
 * holding them all: a distribution sort on the person key.
 *
 * The records come in any order (ind_data_load: the episodes' (file_id,
 * line) order) and go to one of n_b buckets by person key range, each
 * bucket a list of fixed-size blocks in one unnamed spill file (the block
 * being filled stays in memory).  Reading back loads one bucket at a time,
 * sorts it stably by person key (pl_kv_sort on key and record index), and
 * hands out its persons in key order, each person's records in the order
 * they were added.
 *
 * Memory: the block buffers, GROUP_BUFFER_BYTES together (at least one
 * block of MIN_BLOCK_RECS a bucket), the block offsets (8 bytes a block),
 * and one bucket being read: 40 bytes a record, 48 more to sort it, and
 * 512 KiB of radix counts.  The buckets are as many as make bucket_recs
 * records each on average, if the records are spread over the key range
 * about evenly (see data.c); the default of 2^16 makes a bucket ~6 MiB to
 * sort.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "extsort.h"
#include "indicators.h"
#include "spill.h"

#define GROUP_BUFFER_BYTES ((size_t)4 << 20)
#define MIN_BLOCK_RECS ((size_t)64)
#define MAX_BLOCK_RECS ((size_t)4096)

static enum pl_err io_error(const char *what, struct pl_diag *d)
{
	return pl_diag_set(d, PL_EIO, NULL, 0, "cannot %s a temporary file: %s", what,
			   strerror(errno ? errno : EIO));
}

/* Buckets of width keys from key 1 on, so that n_recs records make about
 * bucket_recs a bucket. */
static void size_buckets(struct ind_group *g, int64_t max_key, size_t n_recs,
			 size_t bucket_recs)
{
	uint64_t keys = max_key > 1 ? (uint64_t)max_key : 1;
	uint64_t n_b = n_recs / bucket_recs + 1;

	if (n_b > keys)
		n_b = keys;
	g->width = (keys + n_b - 1) / n_b;
	g->n_b = (size_t)((keys + g->width - 1) / g->width);
	g->block_recs = GROUP_BUFFER_BYTES / sizeof(struct ind_load_rec) / g->n_b;
	if (g->block_recs < MIN_BLOCK_RECS)
		g->block_recs = MIN_BLOCK_RECS;
	if (g->block_recs > MAX_BLOCK_RECS)
		g->block_recs = MAX_BLOCK_RECS;
}

enum pl_err ind_group_init(struct ind_group *g, const char *dir, int64_t max_key,
			   size_t n_recs, size_t bucket_recs, struct pl_diag *d)
{
	memset(g, 0, sizeof(*g));
	size_buckets(g, max_key, n_recs, bucket_recs ? bucket_recs : IND_GROUP_BUCKET_RECS);
	g->b = pl_xcalloc(g->n_b, sizeof(*g->b));
	g->f = pl_spill_open(dir, d);
	return g->f ? PL_OK : PL_EIO;
}

/* The bucket of a key: keys below 1 go to the first, keys above the
 * largest expected to the last. */
static size_t bucket_of(const struct ind_group *g, int64_t key)
{
	uint64_t i;

	if (key <= 1)
		return 0;
	i = ((uint64_t)key - 1) / g->width;
	return i < g->n_b ? (size_t)i : g->n_b - 1;
}

/* Appends bucket b's full block to the file. */
static enum pl_err write_block(struct ind_group *g, struct ind_group_bucket *b,
			       struct pl_diag *d)
{
	errno = 0;
	if (fwrite(b->buf, sizeof(*b->buf), b->n_buf, g->f) != b->n_buf)
		return io_error("write", d);
	if (b->n_blocks == b->cap_blocks) {
		b->cap_blocks = b->cap_blocks ? 2 * b->cap_blocks : 16;
		b->blocks = pl_xrealloc(b->blocks, b->cap_blocks * sizeof(*b->blocks));
	}
	b->blocks[b->n_blocks++] = g->size;
	g->size += (long long)(b->n_buf * sizeof(*b->buf));
	b->n_buf = 0;
	return PL_OK;
}

enum pl_err ind_group_add(struct ind_group *g, const struct ind_load_rec *r, struct pl_diag *d)
{
	struct ind_group_bucket *b = &g->b[bucket_of(g, r->person_key)];

	if (!b->buf)
		b->buf = pl_xmalloc(g->block_recs * sizeof(*b->buf));
	b->buf[b->n_buf++] = *r;
	b->n++;
	return b->n_buf == g->block_recs ? write_block(g, b, d) : PL_OK;
}

/* Reads bucket b (its blocks, then the block in memory) into g->recs and
 * sorts it into g->kv; frees its buffers. */
static enum pl_err load_bucket(struct ind_group *g, struct ind_group_bucket *b,
			       struct pl_diag *d)
{
	size_t block_bytes = g->block_recs * sizeof(*g->recs);

	if (b->n > g->cap_recs) {
		g->cap_recs = b->n;
		free(g->recs);
		free(g->kv);
		g->recs = pl_xmalloc(g->cap_recs * sizeof(*g->recs));
		g->kv = pl_xmalloc(g->cap_recs * sizeof(*g->kv));
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		errno = 0;
		if (pl_spill_read(g->f, g->recs + i * g->block_recs, block_bytes, b->blocks[i]) != 0)
			return io_error("read", d);
	}
	if (b->n_buf)
		memcpy(g->recs + b->n_blocks * g->block_recs, b->buf, b->n_buf * sizeof(*b->buf));
	for (size_t i = 0; i < b->n; i++) {
		g->kv[i].key = (uint64_t)g->recs[i].person_key ^ ((uint64_t)1 << 63);
		g->kv[i].key2 = 0;
		g->kv[i].a = (uint32_t)i;
		g->kv[i].b = 0;
	}
	pl_kv_sort(g->kv, b->n);
	g->n = b->n;
	g->at = 0;
	free(b->buf);
	free(b->blocks);
	memset(b, 0, sizeof(*b));
	return PL_OK;
}

int ind_group_next(struct ind_group *g, struct ind_load_rec **recs, size_t *n,
		   struct pl_diag *d)
{
	size_t k = 0;
	uint64_t key;

	if (!g->reading) {
		g->reading = 1;
		errno = 0;
		if (fflush(g->f) != 0 || ferror(g->f)) {
			io_error("write", d);
			return -1;
		}
	}
	while (g->at == g->n) {
		if (g->next_b == g->n_b)
			return 0;
		if (load_bucket(g, &g->b[g->next_b++], d) != PL_OK)
			return -1;
	}
	key = g->kv[g->at].key;
	for (; g->at < g->n && g->kv[g->at].key == key; g->at++) {
		if (k == g->cap_person) {
			g->cap_person = g->cap_person ? 2 * g->cap_person : 64;
			g->person = pl_xrealloc(g->person, g->cap_person * sizeof(*g->person));
		}
		g->person[k++] = g->recs[g->kv[g->at].a];
	}
	*recs = g->person;
	*n = k;
	return 1;
}

void ind_group_release(struct ind_group *g)
{
	if (g->f)
		fclose(g->f);
	for (size_t i = 0; g->b && i < g->n_b; i++) {
		free(g->b[i].buf);
		free(g->b[i].blocks);
	}
	free(g->b);
	free(g->recs);
	free(g->kv);
	free(g->person);
	memset(g, 0, sizeof(*g));
}

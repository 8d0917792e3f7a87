/*
 * indicators/group.c - the loaded episodes grouped by person without
 * holding them all: a distribution sort on the person key.
 *
 * The records come in any order (ind_data_load: the episodes' (file_id,
 * line) order) and go to one of n_b buckets by person key range, each
 * bucket a list of fixed-size blocks in one unnamed spill file (the block
 * being filled stays in memory); a count per sub-range (1/64 of the
 * bucket's keys) is kept as they come.  Reading back loads one bucket at
 * a time, sorts it stably by person key (pl_kv_sort on key and record
 * index), and hands out its persons in key order, each person's records in
 * the order they were added.  A bucket of more than twice bucket_recs
 * (keys crowded in its range) is read in passes instead, each over its
 * blocks for the records of as many sub-ranges as make no more than that.
 *
 * Memory: the block buffers, buffer_bytes together (at least one
 * block of MIN_BLOCK_RECS a bucket), the block offsets (8 bytes a block),
 * the sub-range counts (512 bytes a bucket), and the records loaded: up
 * to 2 * bucket_recs (or one sub-range, if it holds more), 40 bytes each,
 * 48 more to sort them, and 512 KiB of radix counts.  The buckets are as
 * many as make bucket_recs records each on average; the default of 2^16
 * makes a bucket ~6 MiB to sort, 12 MiB at the most but for a crowded
 * sub-range.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "extsort.h"
#include "indicators.h"
#include "spill.h"

#define MIN_BLOCK_RECS ((size_t)64)
#define MAX_BLOCK_RECS ((size_t)4096)

static enum pl_err io_error(const char *what, struct pl_diag *d)
{
	return pl_diag_set(d, PL_EIO, NULL, 0, "cannot %s a temporary file: %s", what,
			   strerror(errno ? errno : EIO));
}

/* Buckets of width keys from key 1 on, so that n_recs records make about
 * bucket_recs a bucket, and their blocks buffer_bytes together. */
static void size_buckets(struct ind_group *g, int64_t max_key, size_t n_recs,
			 size_t bucket_recs, size_t buffer_bytes)
{
	uint64_t keys = max_key > 1 ? (uint64_t)max_key : 1;
	uint64_t n_b = n_recs / bucket_recs + 1;

	if (n_b > keys)
		n_b = keys;
	g->width = (keys + n_b - 1) / n_b;
	g->n_b = (size_t)((keys + g->width - 1) / g->width);
	g->block_recs = buffer_bytes / sizeof(struct ind_load_rec) / g->n_b;
	if (g->block_recs < MIN_BLOCK_RECS)
		g->block_recs = MIN_BLOCK_RECS;
	if (g->block_recs > MAX_BLOCK_RECS)
		g->block_recs = MAX_BLOCK_RECS;
}

enum pl_err ind_group_init(struct ind_group *g, const char *dir, int64_t max_key,
			   size_t n_recs, size_t bucket_recs, size_t buffer_bytes,
			   struct pl_diag *d)
{
	memset(g, 0, sizeof(*g));
	bucket_recs = bucket_recs ? bucket_recs : IND_GROUP_BUCKET_RECS;
	buffer_bytes = buffer_bytes ? buffer_bytes : IND_GROUP_BUFFER_BYTES;
	size_buckets(g, max_key, n_recs, bucket_recs, buffer_bytes);
	g->sub_width = (g->width + IND_GROUP_SUBS - 1) / IND_GROUP_SUBS;
	g->limit = 2 * bucket_recs;
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

/* The sub-range of a key within its bucket bi: keys outside the bucket's
 * range (below 1, above the largest expected) go to the first or last. */
static size_t sub_of(const struct ind_group *g, int64_t key, size_t bi)
{
	uint64_t off;

	if (key <= 1)
		return 0;
	off = (uint64_t)key - 1 - (uint64_t)bi * g->width;
	return off >= g->width ? IND_GROUP_SUBS - 1 : (size_t)(off / g->sub_width);
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
	size_t bi = bucket_of(g, r->person_key);
	struct ind_group_bucket *b = &g->b[bi];

	b->sub_n[sub_of(g, r->person_key, bi)]++;
	if (!b->buf)
		b->buf = pl_xmalloc(g->block_recs * sizeof(*b->buf));
	b->buf[b->n_buf++] = *r;
	b->n++;
	return b->n_buf == g->block_recs ? write_block(g, b, d) : PL_OK;
}

/* Makes room for n records loaded. */
static void reserve(struct ind_group *g, size_t n)
{
	if (n <= g->cap_recs)
		return;
	g->cap_recs = n;
	free(g->recs);
	free(g->kv);
	g->recs = pl_xmalloc(g->cap_recs * sizeof(*g->recs));
	g->kv = pl_xmalloc(g->cap_recs * sizeof(*g->kv));
}

/* Reads all of bucket b (its blocks, then the block in memory) into g->recs. */
static enum pl_err read_all(struct ind_group *g, const struct ind_group_bucket *b,
			    struct pl_diag *d)
{
	size_t block_bytes = g->block_recs * sizeof(*g->recs);

	for (size_t i = 0; i < b->n_blocks; i++) {
		errno = 0;
		if (pl_spill_read(g->f, g->recs + i * g->block_recs, block_bytes, b->blocks[i]) != 0)
			return io_error("read", d);
	}
	if (b->n_buf)
		memcpy(g->recs + b->n_blocks * g->block_recs, b->buf, b->n_buf * sizeof(*b->buf));
	return PL_OK;
}

/* Appends the records of r[0..n) in sub-ranges s0..s1 of bucket bi to
 * g->recs (g->n of them so far, want at most). */
static void keep_subs(struct ind_group *g, const struct ind_load_rec *r, size_t n, size_t bi,
		      size_t s0, size_t s1, size_t want)
{
	for (size_t i = 0; i < n && g->n < want; i++) {
		size_t sub = sub_of(g, r[i].person_key, bi);

		if (sub >= s0 && sub < s1)
			g->recs[g->n++] = r[i];
	}
}

/* Reads the records of sub-ranges s0..s1 of bucket bi into g->recs, a
 * block at a time. */
static enum pl_err read_subs(struct ind_group *g, size_t bi, size_t s0, size_t s1,
			     size_t want, struct pl_diag *d)
{
	const struct ind_group_bucket *b = &g->b[bi];

	if (!g->block)
		g->block = pl_xmalloc(g->block_recs * sizeof(*g->block));
	for (size_t i = 0; i < b->n_blocks; i++) {
		errno = 0;
		if (pl_spill_read(g->f, g->block, g->block_recs * sizeof(*g->block),
				  b->blocks[i]) != 0)
			return io_error("read", d);
		keep_subs(g, g->block, g->block_recs, bi, s0, s1, want);
	}
	keep_subs(g, b->buf, b->n_buf, bi, s0, s1, want);
	return PL_OK;
}

/* Loads the next pass of bucket g->cur_b into g->recs, sorted into g->kv:
 * the bucket whole if it has no more than g->limit records, else as many
 * of its sub-ranges as that many records hold (one at least). */
static enum pl_err load_pass(struct ind_group *g, struct pl_diag *d)
{
	const struct ind_group_bucket *b = &g->b[g->cur_b];
	size_t s0 = g->next_sub, s1 = s0, want = 0;
	enum pl_err err;

	while (s1 < IND_GROUP_SUBS && (s1 == s0 || want + b->sub_n[s1] <= g->limit))
		want += b->sub_n[s1++];
	g->next_sub = s1;
	reserve(g, want);
	g->n = 0;
	g->at = 0;
	if (s0 == 0 && s1 == IND_GROUP_SUBS) {
		err = read_all(g, b, d);
		g->n = b->n;
	} else {
		err = read_subs(g, g->cur_b, s0, s1, want, d);
	}
	if (err)
		return err;
	for (size_t i = 0; i < g->n; i++) {
		g->kv[i].key = (uint64_t)g->recs[i].person_key ^ ((uint64_t)1 << 63);
		g->kv[i].key2 = 0;
		g->kv[i].a = (uint32_t)i;
		g->kv[i].b = 0;
	}
	pl_kv_sort(g->kv, g->n);
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
		if (g->cur_b == g->n_b)
			return 0;
		if (g->next_sub == IND_GROUP_SUBS) {
			free(g->b[g->cur_b].buf);
			free(g->b[g->cur_b].blocks);
			memset(&g->b[g->cur_b], 0, sizeof(g->b[g->cur_b]));
			g->cur_b++;
			g->next_sub = 0;
		} else if (load_pass(g, d) != PL_OK) {
			return -1;
		}
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
	free(g->block);
	memset(g, 0, sizeof(*g));
}

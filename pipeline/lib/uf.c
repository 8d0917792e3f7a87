/*
 * lib/uf.c - union-find by rank with path compression.
 */
#include "uf.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "pl.h"

void pl_uf_init(struct pl_uf *uf, size_t n)
{
	if (n > SIZE_MAX / sizeof(*uf->parent))
		abort(); /* cannot be allocated: as out of memory */
	uf->parent = pl_xmalloc(n * sizeof(*uf->parent));
	uf->rank = pl_xcalloc(n, sizeof(*uf->rank));
	uf->n = n;
	uf->n_sets = n;
	for (size_t i = 0; i < n; i++)
		uf->parent[i] = i;
}

void pl_uf_release(struct pl_uf *uf)
{
	free(uf->parent);
	free(uf->rank);
	uf->parent = NULL;
	uf->rank = NULL;
	uf->n = 0;
	uf->n_sets = 0;
}

size_t pl_uf_find(struct pl_uf *uf, size_t x)
{
	size_t root = x;

	assert(x < uf->n);
	while (uf->parent[root] != root)
		root = uf->parent[root];
	/* second pass: point every node on the path straight at the root */
	while (uf->parent[x] != root) {
		size_t next = uf->parent[x];

		uf->parent[x] = root;
		x = next;
	}
	return root;
}

int pl_uf_union(struct pl_uf *uf, size_t a, size_t b)
{
	size_t ra = pl_uf_find(uf, a), rb = pl_uf_find(uf, b);

	if (ra == rb)
		return 0;
	/* ra becomes the new root: higher rank, or the smaller index on a tie */
	if (uf->rank[ra] < uf->rank[rb] ||
	    (uf->rank[ra] == uf->rank[rb] && rb < ra)) {
		size_t t = ra;

		ra = rb;
		rb = t;
	}
	uf->parent[rb] = ra;
	if (uf->rank[ra] == uf->rank[rb])
		uf->rank[ra]++;
	uf->n_sets--;
	return 1;
}

size_t pl_uf_count(const struct pl_uf *uf)
{
	return uf->n_sets;
}

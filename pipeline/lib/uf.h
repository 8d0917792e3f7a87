/*
 * lib/uf.h - union-find (disjoint sets) over 0..n-1, for clustering linked
 * records into persons: union by rank, full path compression, iterative
 * throughout so that millions of elements never deepen the C stack.
 *
 * Deterministic: the same unions in the same order give the same forest.
 * Ties of rank go to the smaller root index, so pl_uf_union(a, b) and
 * pl_uf_union(b, a) leave the same forest too.
 */
#ifndef PL_UF_H
#define PL_UF_H

#include <stddef.h>

struct pl_uf {
	size_t *parent;        /* parent[x] == x for a root */
	unsigned char *rank;   /* upper bound on a root's tree height (< 64) */
	size_t n;              /* elements 0..n-1 */
	size_t n_sets;         /* disjoint sets; n after init */
};

/* n singletons; n may be 0.  Out of memory aborts. */
void pl_uf_init(struct pl_uf *uf, size_t n);
/* Frees the arrays and zeroes *uf; a zeroed or released uf may be released
 * again. */
void pl_uf_release(struct pl_uf *uf);

/* The root of x's set (x < n), compressing the path to it. */
size_t pl_uf_find(struct pl_uf *uf, size_t x);
/* Merges the sets of a and b (< n); returns 1 if they were two, 0 if one. */
int pl_uf_union(struct pl_uf *uf, size_t a, size_t b);
/* Number of disjoint sets. */
size_t pl_uf_count(const struct pl_uf *uf);

#endif

/*
 * lib/intern.h - string interning: each distinct string gets a small
 * integer id (0, 1, 2, ... in order of first sight), kept with a copy of
 * the string.  For pools of names, postcodes and pseudonyms that millions
 * of records share: a record keeps 4 bytes instead of a string, and two
 * values are equal exactly when their ids are.
 *
 * Open addressing with linear probing over FNV-1a hashes, grown at half
 * load.  Deterministic: the same strings in the same order get the same
 * ids.  Out of memory aborts (pl_xmalloc).
 */
#ifndef PL_INTERN_H
#define PL_INTERN_H

#include <stddef.h>
#include <stdint.h>

struct pl_intern {
	char **str;            /* str[id]: the id's string (owned) */
	uint64_t *hash;        /* hash[id] */
	size_t n, cap;         /* strings; room in str and hash */
	uint32_t *slot;        /* id + 1, 0: empty */
	size_t n_slots;        /* a power of two */
};

/* An empty table (so is a zeroed struct). */
void pl_intern_init(struct pl_intern *t);
/* Frees everything and zeroes *t; may be called again. */
void pl_intern_release(struct pl_intern *t);
/* Overwrites every string with zero bytes (before release, for pools of
 * sensitive values); the table is then only fit for release. */
void pl_intern_wipe(struct pl_intern *t);

/* The id of s, adding it if new. */
uint32_t pl_intern_add(struct pl_intern *t, const char *s);
/* The id of s, or UINT32_MAX if it was never added. */
uint32_t pl_intern_find(const struct pl_intern *t, const char *s);
/* The string of an id (< pl_intern_count). */
const char *pl_intern_str(const struct pl_intern *t, uint32_t id);
size_t pl_intern_count(const struct pl_intern *t);

#endif

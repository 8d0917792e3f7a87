/*
 * lib/intern.c - string interning (see intern.h).
 */
#include "intern.h"

#include <stdlib.h>
#include <string.h>

#include "pl.h"

static uint64_t hash_of(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

void pl_intern_init(struct pl_intern *t)
{
	memset(t, 0, sizeof(*t));
}

void pl_intern_release(struct pl_intern *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->str[i]);
	free(t->str);
	free(t->hash);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

void pl_intern_wipe(struct pl_intern *t)
{
	for (size_t i = 0; i < t->n; i++)
		memset(t->str[i], 0, strlen(t->str[i]));
}

/* The slot holding s, or the empty slot where it would go. */
static size_t probe(const struct pl_intern *t, const char *s, uint64_t h)
{
	size_t mask = t->n_slots - 1, i = (size_t)h & mask;

	while (t->slot[i]) {
		uint32_t id = t->slot[i] - 1;

		if (t->hash[id] == h && strcmp(t->str[id], s) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static void grow(struct pl_intern *t)
{
	size_t n_slots = t->n_slots ? 2 * t->n_slots : 64;

	free(t->slot);
	t->slot = pl_xcalloc(n_slots, sizeof(*t->slot));
	t->n_slots = n_slots;
	for (size_t id = 0; id < t->n; id++)
		t->slot[probe(t, t->str[id], t->hash[id])] = (uint32_t)id + 1;
}

uint32_t pl_intern_add(struct pl_intern *t, const char *s)
{
	uint64_t h = hash_of(s);
	size_t i;

	if (2 * (t->n + 1) > t->n_slots)
		grow(t);
	i = probe(t, s, h);
	if (t->slot[i])
		return t->slot[i] - 1;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->str = pl_xrealloc(t->str, t->cap * sizeof(*t->str));
		t->hash = pl_xrealloc(t->hash, t->cap * sizeof(*t->hash));
	}
	t->str[t->n] = pl_xstrdup(s);
	t->hash[t->n] = h;
	t->slot[i] = (uint32_t)++t->n;
	return (uint32_t)(t->n - 1);
}

uint32_t pl_intern_find(const struct pl_intern *t, const char *s)
{
	size_t i;

	if (!t->n_slots)
		return UINT32_MAX;
	i = probe(t, s, hash_of(s));
	return t->slot[i] ? t->slot[i] - 1 : UINT32_MAX;
}

const char *pl_intern_str(const struct pl_intern *t, uint32_t id)
{
	return id < t->n ? t->str[id] : NULL;
}

size_t pl_intern_count(const struct pl_intern *t)
{
	return t->n;
}

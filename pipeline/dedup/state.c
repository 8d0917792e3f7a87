/*
 * dedup/state.c - what dedup keeps between runs: the tables linkage_state,
 * linkage_weight, linkage_name and linkage_pair (see state.h).
 */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

static int cmp_by_hash(const void *a, const void *b)
{
	const struct state_name *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

static enum pl_err read_weights(sqlite3 *db, const char *const cmp_names[STATE_CMPS],
				struct dedup_state *s, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(db, "SELECT comparison, level, m, u FROM linkage_weight",
					&st, d);
	int rc;

	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cmp = (const char *)sqlite3_column_text(st, 0);
		int level = sqlite3_column_int(st, 1), k = 0;

		while (k < STATE_CMPS && (!cmp || strcmp(cmp, cmp_names[k]) != 0))
			k++;
		if (k == STATE_CMPS || level < 0 || level >= STATE_LEVELS) {
			s->have = 0; /* not what this program writes: estimate again */
			break;
		}
		s->m[k][level] = sqlite3_column_double(st, 2);
		s->u[k][level] = sqlite3_column_double(st, 3);
	}
	if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, "read the linkage weights", d);
	sqlite3_finalize(st);
	return err;
}

enum pl_err state_read(sqlite3 *db, const char *const cmp_names[STATE_CMPS],
		       struct dedup_state *s, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err;
	int rc = SQLITE_DONE;

	memset(s, 0, sizeof(*s));
	err = pl_db_prepare(db, "SELECT settings_sha, key_check, estimated_at, prior, named, "
			    "label_pairs, m_by_em, match_share, episodes, fingerprint, pairs "
			    "FROM linkage_state", &st, d);
	if (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *sha = sqlite3_column_text(st, 0), *at = sqlite3_column_text(st, 2);

		snprintf(s->settings_sha, sizeof(s->settings_sha), "%s", sha ? (const char *)sha : "");
		s->key_check = (uint64_t)sqlite3_column_int64(st, 1);
		snprintf(s->estimated_at, sizeof(s->estimated_at), "%s", at ? (const char *)at : "");
		s->prior = sqlite3_column_double(st, 3);
		s->named = (long)sqlite3_column_int64(st, 4);
		s->label_pairs = (long)sqlite3_column_int64(st, 5);
		s->m_by_em = sqlite3_column_int(st, 6);
		s->match_share = sqlite3_column_double(st, 7);
		s->episodes = (long)sqlite3_column_int64(st, 8);
		s->fingerprint = (uint64_t)sqlite3_column_int64(st, 9);
		s->pairs = (long)sqlite3_column_int64(st, 10);
		s->have = 1;
	} else if (!err && rc != SQLITE_DONE) {
		err = pl_db_fail(db, rc, "read the linkage state", d);
	}
	sqlite3_finalize(st);
	if (!err && s->have)
		err = read_weights(db, cmp_names, s, d);
	return err;
}

enum pl_err state_write(sqlite3 *db, const char *const cmp_names[STATE_CMPS],
			const struct dedup_state *s, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_exec(db, "DELETE FROM linkage_state; DELETE FROM linkage_weight",
				     d);

	if (!err)
		err = pl_db_prepare(db, "INSERT INTO linkage_state (id, settings_sha, key_check, "
				    "estimated_at, prior, named, label_pairs, m_by_em, match_share, "
				    "episodes, fingerprint, pairs) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, "
				    "?8, ?9, ?10, ?11)", &st, d);
	if (!err) {
		sqlite3_bind_text(st, 1, s->settings_sha, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)s->key_check);
		sqlite3_bind_text(st, 3, s->estimated_at, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 4, s->prior);
		sqlite3_bind_int64(st, 5, s->named);
		sqlite3_bind_int64(st, 6, s->label_pairs);
		sqlite3_bind_int(st, 7, s->m_by_em);
		if (s->m_by_em)
			sqlite3_bind_double(st, 8, s->match_share);
		sqlite3_bind_int64(st, 9, s->episodes);
		sqlite3_bind_int64(st, 10, (sqlite3_int64)s->fingerprint);
		sqlite3_bind_int64(st, 11, s->pairs);
		err = pl_db_step_done(db, st, "store the linkage state", d);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!err)
		err = pl_db_prepare(db, "INSERT INTO linkage_weight (comparison, level, m, u) "
				    "VALUES (?1, ?2, ?3, ?4)", &st, d);
	for (int k = 0; !err && k < STATE_CMPS; k++)
		for (int l = 0; !err && l < STATE_LEVELS; l++) {
			sqlite3_bind_text(st, 1, cmp_names[k], -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 2, l);
			sqlite3_bind_double(st, 3, s->m[k][l]);
			sqlite3_bind_double(st, 4, s->u[k][l]);
			err = pl_db_step_done(db, st, "store the linkage weights", d);
		}
	sqlite3_finalize(st);
	return err;
}

enum pl_err state_read_names(sqlite3 *db, struct state_name **out, size_t *n,
			     struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	enum pl_err err = pl_db_prepare(db, "SELECT name_hash, n FROM linkage_name", &st, d);
	int rc = SQLITE_DONE;

	*out = NULL;
	*n = 0;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = 2 * cap + 1024;
			*out = pl_xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[*n].hash = (uint64_t)sqlite3_column_int64(st, 0);
		(*out)[(*n)++].n = (long)sqlite3_column_int64(st, 1);
	}
	if (!err && rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, "read the name frequencies", d);
	sqlite3_finalize(st);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_by_hash); /* stored signed */
	return err;
}

static void bind_name(void *rows, size_t i, sqlite3_stmt *st, int base)
{
	const struct state_name *r = (const struct state_name *)rows + i;

	sqlite3_bind_int64(st, base + 1, (sqlite3_int64)r->hash);
	sqlite3_bind_int64(st, base + 2, r->n);
}

enum pl_err state_write_names(sqlite3 *db, const struct state_name *names, size_t n,
			      struct pl_diag *d)
{
	enum pl_err err = pl_db_exec(db, "DELETE FROM linkage_name", d);

	if (!err)
		err = pl_db_insert_rows(db, "INSERT INTO linkage_name (name_hash, n)", 2, n,
					bind_name, (void *)names, "store the name frequencies", d);
	return err;
}

enum pl_err state_add_counts(sqlite3 *db, long *pattern_n, size_t n_patterns, long *rule_n,
			     size_t n_rules, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(db, "SELECT kind, id, n FROM linkage_count", &st, d);
	int rc = SQLITE_DONE;

	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		sqlite3_int64 id = sqlite3_column_int64(st, 1);
		int pattern = kind && strcmp(kind, "pattern") == 0;

		if (id < 0 || (size_t)id >= (pattern ? n_patterns : n_rules))
			continue; /* none written so: state_read's settings check fails first */
		(pattern ? pattern_n : rule_n)[id] += (long)sqlite3_column_int64(st, 2);
	}
	if (!err && rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, "read the candidate pair counts", d);
	sqlite3_finalize(st);
	return err;
}

enum pl_err state_write_counts(sqlite3 *db, const long *pattern_n, size_t n_patterns,
			       const long *rule_n, size_t n_rules, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_exec(db, "DELETE FROM linkage_count", d);

	if (!err)
		err = pl_db_prepare(db, "INSERT INTO linkage_count (kind, id, n) VALUES (?1, ?2, ?3)",
				    &st, d);
	for (size_t i = 0; !err && i < n_patterns + n_rules; i++) {
		int pattern = i < n_patterns;
		long n = pattern ? pattern_n[i] : rule_n[i - n_patterns];

		if (!n)
			continue;
		sqlite3_bind_text(st, 1, pattern ? "pattern" : "rule", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)(pattern ? i : i - n_patterns));
		sqlite3_bind_int64(st, 3, n);
		err = pl_db_step_done(db, st, "store the candidate pair counts", d);
	}
	sqlite3_finalize(st);
	return err;
}

enum pl_err state_read_pairs(sqlite3 *db, state_pair_put *put, void *ctx, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(db, "SELECT a_file_id, a_line, b_file_id, b_line, weight, "
					"pattern FROM linkage_pair", &st, d);
	int rc = SQLITE_DONE;

	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct state_pair p;

		p.a_file = sqlite3_column_int64(st, 0);
		p.a_line = sqlite3_column_int64(st, 1);
		p.b_file = sqlite3_column_int64(st, 2);
		p.b_line = sqlite3_column_int64(st, 3);
		p.weight = sqlite3_column_double(st, 4);
		p.pattern = sqlite3_column_int(st, 5);
		put(ctx, &p);
	}
	if (!err && rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, "read the linkage pairs", d);
	sqlite3_finalize(st);
	return err;
}

struct pair_source {
	state_pair_fn *get;
	void *ctx;
};

static void bind_pair(void *rows, size_t i, sqlite3_stmt *st, int base)
{
	const struct pair_source *src = rows;
	struct state_pair pair, *p = &pair;

	src->get(src->ctx, i, p);
	sqlite3_bind_int64(st, base + 1, p->a_file);
	sqlite3_bind_int64(st, base + 2, p->a_line);
	sqlite3_bind_int64(st, base + 3, p->b_file);
	sqlite3_bind_int64(st, base + 4, p->b_line);
	sqlite3_bind_double(st, base + 5, p->weight);
	sqlite3_bind_int(st, base + 6, p->pattern);
}

enum pl_err state_write_pairs(sqlite3 *db, state_pair_fn *get, void *ctx, size_t n, int whole,
			      struct pl_diag *d)
{
	struct pair_source src = { get, ctx };
	enum pl_err err = whole ? pl_db_exec(db, "DELETE FROM linkage_pair", d) : PL_OK;

	if (!err)
		err = pl_db_insert_rows(db, "INSERT INTO linkage_pair (a_file_id, a_line, b_file_id, "
					"b_line, weight, pattern)", 6, n, bind_pair, &src,
					"store the linkage pairs", d);
	return err;
}

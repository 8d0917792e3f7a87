/*
 * dedup/dedup.c - link the episodes of one person across districts.
 *
 * 1. Deterministic: episodes sharing a person_ref (a valid personnummer or
 *    samordningsnummer, or a source's reserve number) are one node.
 * 2. Probabilistic, Fellegi-Sunter: pairs of episodes that share a blocking
 *    key, one of them without a valid identity number, are compared on first
 *    and last name (Jaro-Winkler bands, swapped names), birth date (exact,
 *    typo, same month), sex and postcode.  u (chance agreement) comes from
 *    random pairs; m from the pairs of episodes that share a valid number
 *    (or from EM over the candidate pairs, with the match share); exact name
 *    agreement is adjusted for the name's frequency.
 * 3. Clustering: union-find over the nodes, strongest links first; a link
 *    that would join two different valid identity numbers is refused.
 *
 * Memory holds only the episodes without a valid identity number (the
 * "open" ones, a few percent): every pair compared has one of them.  All
 * episodes go once through an unnamed spill file of packed comparison
 * records with their blocking keys, which the pair passes stream; the
 * episodes with a valid number are persons by their number, grouped and
 * written through external sorts (write_persons).  So memory grows with
 * the open episodes and the distinct names, not with the data.
 *
 * Linkage fields are unsealed in memory only and never written: the tables
 * and the spill file hold levels, weights, pool ids, hashes and
 * pseudonymous ids.  The person layer is computed whole in one transaction
 * and only its changes are written (dedup/store.c).
 *
 * Nights (dedup/state.h, night.c): the estimated parameters are
 * stored and reused for refresh_days; a run with them whose first episodes
 * are exactly the last run's scores only the pairs with a new episode and
 * takes the others from linkage_pair, which gives the tables of a run
 * scoring every pair with the same parameters (--rescore).  It writes only
 * the persons of the components its new episodes reach (persons.c), unless
 * another program wrote the person tables since (schema.sql's triggers).
 *
 * The files: load.c reads every episode into the spill file and memory;
 * block.c makes the nodes (1), the blocks and the passes over the candidate
 * pairs; weights.c compares, estimates u and m, and scores (2); persons.c
 * clusters (3) and writes the person tables; night.c reads and writes what
 * one run leaves the next; keep.c keeps the load for the next run, which
 * begins with it and reads only the new files' episodes; dedup_int.h is
 * what they share.  This file runs them (dedup_run) and explains a
 * person's links (dedup_explain).
 */
#define _POSIX_C_SOURCE 200809L
#include "dedup.h"
#include "dedup_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "uf.h"

/* ---- the run ------------------------------------------------------------ */

static enum pl_err open_run(struct dedup *dd, struct pl_diag *d)
{
	struct pl_key key;
	char *dir;
	enum pl_err err;

	err = pl_secret_init(d);
	if (!err)
		err = dedup_config_load(dd->o->config_path, &dd->cfg, d);
	if (!err)
		err = pl_key_load(dd->o->key_path, 0, &key, d);
	if (err)
		return err;
	pl_key_derive(&key, PL_SUBKEY_SEAL, dd->seal_key);
	pl_key_derive(&key, PL_SUBKEY_PSEUDONYM, dd->ref_key);
	pl_key_derive(&key, PL_SUBKEY_LINKAGE, dd->link_key);
	pl_key_wipe(&key);
	dd->stride = SREC_HEAD + dd->cfg.n_rules * sizeof(uint64_t);
	dd->vstride = sizeof(struct oview) + dd->cfg.n_rules * sizeof(uint32_t);
	dd->labels.limit = UINT64_MAX;
	dd->labels.max = (size_t)dd->cfg.label_sample;
	err = pl_db_open(dd->o->db_path, &dd->db, d);
	if (err)
		return err;
	/* beside the database: the system's /tmp may be small */
	dir = pl_dir_of(sqlite3_db_filename(dd->db, "main"));
	err = pl_extsort_init(&dd->by_person, dir, PERSON_SORT_RUN, d);
	free(dir);
	return err;
}

static void close_run(struct dedup *dd)
{
	pl_free_strings(dd->districts, dd->n_districts);
	pl_free_strings(dd->sources, dd->n_sources);
	free(dd->src_episodes);
	free(dd->src_no_id);
	dd_keep_release(dd);
	free(dd->open);
	free(dd->view);
	for (size_t k = 0; k < DEDUP_MAX_RULES; k++)
		free(dd->okey[k]);
	free(dd->by_idx);
	free(dd->open_idx);
	free(dd->labels.l);
	free(dd->node_valid);
	free(dd->vrecs);
	free(dd->vrec_idx);
	free(dd->vref_bits);
	free(dd->pairs);
	free(dd->pattern_n);
	pl_intern_wipe(&dd->names); /* names and postcodes leave memory zeroed */
	pl_intern_wipe(&dd->posts);
	pl_intern_release(&dd->names);
	pl_intern_release(&dd->refs);
	pl_intern_release(&dd->vrefs);
	free(dd->name_n);
	dd_caches_release(&dd->cache);
	pl_intern_release(&dd->posts);
	free(dd->tf_w[0]);
	free(dd->tf_w[1]);
	pl_db_close(dd->db);
	memset(dd->seal_key, 0, sizeof(dd->seal_key));
	memset(dd->ref_key, 0, sizeof(dd->ref_key));
	memset(dd->link_key, 0, sizeof(dd->link_key));
	free(dd->name_h);
	free(dd->post_h);
	free(dd->kept);
	free(dd->ends);
	free(dd->new_refs);
}

void dedup_summary_line(const struct dedup_summary *s, char *out, size_t size)
{
	char m_from[64], params[160];

	if (s->m_by_em)
		snprintf(m_from, sizeof(m_from), "m by EM, match share %.4f", s->lambda);
	else
		snprintf(m_from, sizeof(m_from), "m from %ld labelled pairs", s->label_pairs);
	if (!s->frozen)
		snprintf(params, sizeof(params), "parameters estimated now");
	else if (s->new_episodes < 0)
		snprintf(params, sizeof(params), "parameters of %s, every pair scored",
			 s->estimated_at);
	else
		snprintf(params, sizeof(params), "parameters of %s, pairs scored for %ld new "
			 "episodes, %ld kept", s->estimated_at, s->new_episodes, s->pairs_kept);
	snprintf(out, size, "%ld episodes, %ld persons: %ld episodes by identity or reserve "
		 "number, %ld by probabilistic links, %ld unlinked; %ld candidate pairs, %ld links "
		 "(%ld refused), %s; %s; written: persons %ld new, %ld changed, %ld gone; "
		 "episodes' persons %ld new, %ld changed, %ld gone", s->episodes, s->persons,
		 s->deterministic, s->probabilistic, s->unlinked, s->candidate_pairs, s->links,
		 s->refused, m_from, params, s->persons_new, s->persons_changed, s->persons_gone,
		 s->episodes_new, s->episodes_changed, s->episodes_gone);
}

/* From the spill file to the pairs above the threshold. */
static enum pl_err link_pairs(struct dedup *dd, struct timespec *t, struct pl_diag *d)
{
	struct blocking blocks;
	enum pl_err err;

	memset(&blocks, 0, sizeof(blocks));
	dd_fit_open(dd);
	dd_make_nodes(dd);
	if (dd->frozen) {
		err = dd_use_frozen(dd, d);
	} else {
		dd_estimate_prior(dd);
		dd_caches_init(&dd->cache);
		err = dd_estimate_u(dd, d);
		dd_init_m(dd);
		/* what the pair passes do not need leaves memory before blocking */
		dd_caches_release(&dd->cache);
	}
	free(dd->labels.l);
	memset(&dd->labels, 0, sizeof(dd->labels));
	pl_log_step(t, dd->frozen ? "parameters (stored)" : "estimate u, m (labels)");
	if (!err)
		err = dd_blocking_init(dd, &blocks, d);
	pl_log_step(t, "blocking");
	if (!err && !dd->frozen) {
		dd->sum->m_by_em = dd_m_by_em(dd);
		if (dd->sum->m_by_em) {
			err = dd_count_patterns(dd, &blocks, d);
			pl_log_step(t, "compare candidate pairs (for EM)");
			dd_estimate_m(dd);
			pl_log_step(t, "estimate m (EM)");
		}
	}
	if (!err)
		err = dd_score(dd, &blocks, d);
	if (!err && dd_blocking_settle(dd, &blocks)) {
		free(dd->pairs);
		dd->pairs = NULL;
		dd->n_pairs = 0;
		err = dd_score(dd, &blocks, d);
	}
	if (!err && dd->n_old)
		err = dd_add_kept(dd, d);
	dd_blocking_release(&blocks);
	pl_log_step(t, "score candidate pairs");
	return err;
}

enum pl_err dedup_run(const struct dedup_opts *opts, struct dedup_summary *sum,
		      struct pl_diag *d)
{
	struct dedup dd;
	struct timespec t;
	struct pl_uf uf;
	int bulk = 0;
	enum pl_err err;

	memset(&dd, 0, sizeof(dd));
	memset(&uf, 0, sizeof(uf));
	memset(sum, 0, sizeof(*sum));
	dd.o = opts;
	dd.sum = sum;
	clock_gettime(CLOCK_MONOTONIC, &t);
	err = open_run(&dd, d);
	/*
	 * One transaction from reading the episodes to writing the persons: a
	 * snapshot, so that the persons describe the episodes as read; a writer
	 * that changed them meanwhile makes the write fail (busy, exit 75)
	 * rather than link stale episodes.  Foreign keys are not enforced in
	 * it: the rows are consistent by construction (the stage tests run
	 * PRAGMA foreign_key_check) and the checks cost 40% of the write.
	 * Nor are CHECK constraints: basis and step are the writer's own codes
	 * (pl_db_checks_by_writer).
	 */
	if (!err)
		bulk = pl_db_bulk_begin(dd.db);
	if (!err)
		err = pl_db_checks_by_writer(dd.db, 1, d);
	if (!err)
		err = pl_db_exec(dd.db, "PRAGMA foreign_keys = OFF; BEGIN", d);
	if (!err)
		err = dd_read_state(&dd, d);
	if (!err)
		err = dd_keep_start(&dd, d);
	if (!err)
		err = dd_read_kept(&dd, d);
	if (!err)
		err = dd_load_records(&dd, d);
	if (!err)
		err = dd_keep_save_load(&dd, d);
	if (!err) {
		dd_check_night(&dd);
		sum->episodes = (long)dd.n_recs;
		pl_log_step(&t, "load, unseal and spill");
		err = link_pairs(&dd, &t, d);
	}
	if (!err) {
		err = dd_valid_nodes(&dd, d);
		pl_log_step(&t, "the linked records' numbers");
	}
	if (!err) {
		dd_cluster(&dd, &uf);
		pl_log_step(&t, "cluster");
		err = dd_write_all(&dd, &uf, &t, d);
		pl_log_step(&t, "write links and parameters");
	}
	if (!err) {
		err = dd_keep_finish(&dd, d);
		pl_log_step(&t, "the load kept for the next run");
	}
	if (!err) {
		err = pl_db_exec(dd.db, "COMMIT", d);
		if (!err)
			dd_keep_install(&dd);
		pl_log_step(&t, "commit");
	}
	if (dd.db) {
		char line[DEDUP_SUMMARY_MAX];
		struct pl_diag ignored;

		if (err)
			sqlite3_exec(dd.db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(dd.db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
		pl_db_checks_by_writer(dd.db, 0, &ignored);
		if (bulk)
			pl_db_bulk_end(dd.db);
		dedup_summary_line(sum, line, sizeof(line));
		err = pl_db_record_run(dd.db, "dedup", err, line, d);
	}
	pl_uf_release(&uf);
	close_run(&dd);
	return err;
}

/* ---- explain ------------------------------------------------------------ */

/* The key of the person what names (a person_id, which person does not
 * index, or FILE:LINE of one of its episodes). */
static enum pl_err find_person(sqlite3 *db, const char *what, int64_t *key, struct pl_diag *d)
{
	const char *colon = strrchr(what, ':');
	sqlite3_stmt *st = NULL;
	enum pl_err err;
	int rc;

	if (colon)
		err = pl_db_prepare(db, "SELECT ep.person_key FROM episode_person ep "
				    "JOIN input_file f USING (file_id) "
				    "WHERE f.name = substr(?1, 1, ?2) AND ep.line = ?3",
				    &st, d);
	else
		err = pl_db_prepare(db, "SELECT person_key FROM person WHERE person_id = ?1", &st, d);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, what, -1, SQLITE_STATIC);
	if (colon) {
		sqlite3_bind_int(st, 2, (int)(colon - what));
		sqlite3_bind_int64(st, 3, atol(colon + 1));
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*key = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		err = pl_diag_set(d, PL_ENOINPUT, NULL, 0, "no person '%s' (give a person id or "
				  "FILE:LINE of an episode)", what);
	else
		err = pl_db_fail(db, rc, "find person", d);
	sqlite3_finalize(st);
	return err;
}

static enum pl_err print_rows(sqlite3 *db, const char *sql, int64_t key, FILE *out,
			      struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(db, sql, &st, d);
	int rc;

	if (err)
		return err;
	sqlite3_bind_int64(st, 1, key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fprintf(out, "%s\n", (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, "explain", d);
	sqlite3_finalize(st);
	return err;
}

enum pl_err dedup_explain(const char *db_path, const char *what, FILE *out, struct pl_diag *d)
{
	sqlite3 *db = NULL;
	int64_t key = 0;
	enum pl_err err;

	err = pl_db_open_existing(db_path, &db, d);
	if (!err)
		err = find_person(db, what, &key, d);
	if (!err)
		err = print_rows(db, "SELECT 'person ' || person_id || ' (' || basis || '): ' || "
				 "n_episodes || ' episodes in ' || n_districts || ' districts' "
				 "FROM person WHERE person_key = ?1", key, out, d);
	if (!err)
		err = print_rows(db, "SELECT '  episode ' || f.name || ':' || ep.line || '  ' || "
				 "e.district || '  ' || e.intervention || '  ' || e.start_date || '  ' || "
				 "e.id_type || '  ' || ep.step FROM person p JOIN episode_person ep "
				 "USING (person_key) JOIN episode e USING (file_id, line) "
				 "JOIN input_file f USING (file_id) "
				 "WHERE p.person_key = ?1 ORDER BY f.name, ep.line", key, out, d);
	if (!err)
		err = print_rows(db, "SELECT '  link ' || fa.name || ':' || l.a_line || ' ~ ' || "
				 "fb.name || ':' || l.b_line || ', weight ' || printf('%.2f', l.weight) "
				 "|| char(10) || '    ' || replace(l.waterfall, '; ', char(10) || '    ') "
				 "FROM person p JOIN person_link l USING (person_key) "
				 "JOIN input_file fa ON fa.file_id = l.a_file_id "
				 "JOIN input_file fb ON fb.file_id = l.b_file_id WHERE p.person_key = ?1 "
				 "ORDER BY l.weight DESC", key, out, d);
	if (!err && (fflush(out) != 0 || ferror(out)))
		err = pl_diag_set(d, PL_EIO, NULL, 0, "cannot write the explanation");
	pl_db_close(db);
	return err;
}

/*
 * indicators/indicators.c - the indicators stage: load the catalogue, the
 * population and the linked episodes, compute, and replace the indicator
 * tables in one transaction.  Also the calculator (ind_calc).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "indicators.h"
#include "log.h"

enum stmt_id {
	S_DEF, S_VALUE, S_EQUITY, S_TREND, S__COUNT
};

static const char *const stmt_sql[S__COUNT] = {
	[S_DEF] = "INSERT INTO indicator (indicator, seq, title_sv, title_en, unit, period, "
		  "method, measure, multiplier, definition) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
		  "?8, ?9, ?10)",
	[S_VALUE] = "INSERT INTO indicator_value (indicator, period, breakdown, district, sex, "
		    "age_band, intervention, provider, substance, children, numerator, denominator, "
		    "value, lower, upper, method, funnel, funnel_od, reliability, suppress, note) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
		    "?17, ?18, ?19, ?20, ?21)",
	[S_EQUITY] = "INSERT INTO indicator_equity (indicator, period, units, target, chi2, df, "
		     "p_value, phi, tau2) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_TREND] = "INSERT INTO indicator_trend (indicator, breakdown, district, sex, age_band, "
		    "intervention, provider, substance, children, first_period, last_period, "
		    "n_periods, slope, lower, upper) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		    "?10, ?11, ?12, ?13, ?14, ?15)",
};

/* Key columns in the order of the tables: district .. children. */
static const enum ind_dim key_cols[] = {
	IND_D_DISTRICT, IND_D_SEX, IND_D_AGE_BAND, IND_D_INTERVENTION, IND_D_PROVIDER,
	IND_D_SUBSTANCE, IND_D_CHILDREN,
};
#define N_KEY_COLS (sizeof(key_cols) / sizeof(key_cols[0]))

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_real(sqlite3_stmt *st, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* "total", "district" or "district sex". */
static void breakdown_name(const struct ind_def *def, int by, char *out, size_t size)
{
	if (by < 0) {
		snprintf(out, size, "total");
		return;
	}
	snprintf(out, size, "%s%s%s", ind_dim_name((enum ind_dim)def->by[by][0]),
		 def->by[by][1] >= 0 ? " " : "",
		 def->by[by][1] >= 0 ? ind_dim_name((enum ind_dim)def->by[by][1]) : "");
}

/* Binds breakdown and key columns from index first on. */
static void bind_keys(sqlite3_stmt *st, int first, const struct ind_catalogue *cat,
		      const struct ind_def *def, int by, const int *key)
{
	char name[64];

	breakdown_name(def, by, name, sizeof(name));
	bind_text(st, first, name);
	for (size_t c = 0; c < N_KEY_COLS; c++)
		bind_text(st, first + 1 + (int)c, ind_dim_value(key_cols[c], cat, key[key_cols[c]]));
}

static enum pl_err write_defs(sqlite3 *db, sqlite3_stmt *st, const struct ind_catalogue *cat,
			      struct pl_diag *d)
{
	enum pl_err err = PL_OK;
	char period[32];

	for (size_t i = 0; i < cat->n_defs && !err; i++) {
		const struct ind_def *def = &cat->defs[i];

		ind_period_name(def, period, sizeof(period));
		bind_text(st, 1, def->id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		bind_text(st, 3, def->title_sv);
		bind_text(st, 4, def->title_en);
		bind_text(st, 5, ind_unit_name(def->unit));
		bind_text(st, 6, period);
		bind_text(st, 7, ind_method_name(def->method));
		bind_text(st, 8, def->measure ? ind_measure_name(def->measure) : NULL);
		bind_real(st, 9, def->multiplier);
		bind_text(st, 10, def->definition);
		err = pl_db_step_done(db, st, "insert indicator", d);
	}
	return err;
}

static enum pl_err write_values(sqlite3 *db, sqlite3_stmt *st, const struct ind_catalogue *cat,
				const struct ind_result *res, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	for (size_t i = 0; i < res->n_rows && !err; i++) {
		const struct ind_row *r = &res->rows[i];
		const struct ind_def *def = &cat->defs[r->def];

		bind_text(st, 1, def->id);
		bind_text(st, 2, r->period);
		bind_keys(st, 3, cat, def, r->by, r->key);
		bind_real(st, 11, r->num);
		bind_real(st, 12, r->den);
		bind_real(st, 13, r->has_value ? r->est.value : NAN);
		bind_real(st, 14, r->has_value ? r->est.lower : NAN);
		bind_real(st, 15, r->has_value ? r->est.upper : NAN);
		bind_text(st, 16, r->method);
		bind_text(st, 17, r->funnel);
		bind_text(st, 18, r->funnel_od);
		bind_text(st, 19, r->reliability);
		sqlite3_bind_int(st, 20, r->suppress);
		bind_text(st, 21, r->note[0] ? r->note : NULL);
		err = pl_db_step_done(db, st, "insert indicator_value", d);
	}
	return err;
}

static enum pl_err write_equity(sqlite3 *db, sqlite3_stmt *st, const struct ind_catalogue *cat,
				const struct ind_result *res, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	for (size_t i = 0; i < res->n_equity && !err; i++) {
		const struct ind_equity *q = &res->equity[i];

		bind_text(st, 1, cat->defs[q->def].id);
		bind_text(st, 2, q->period);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)q->units);
		bind_real(st, 4, q->h.target);
		bind_real(st, 5, q->h.chi2);
		bind_real(st, 6, q->h.df);
		bind_real(st, 7, q->h.p_value);
		bind_real(st, 8, q->h.phi);
		bind_real(st, 9, q->h.tau2);
		err = pl_db_step_done(db, st, "insert indicator_equity", d);
	}
	return err;
}

static enum pl_err write_trends(sqlite3 *db, sqlite3_stmt *st, const struct ind_catalogue *cat,
				const struct ind_result *res, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	for (size_t i = 0; i < res->n_trends && !err; i++) {
		const struct ind_trend *t = &res->trends[i];
		const struct ind_def *def = &cat->defs[t->def];

		bind_text(st, 1, def->id);
		bind_keys(st, 2, cat, def, t->by, t->key);
		bind_text(st, 10, t->first);
		bind_text(st, 11, t->last);
		sqlite3_bind_int64(st, 12, (sqlite3_int64)t->n);
		bind_real(st, 13, t->slope.value);
		bind_real(st, 14, t->slope.lower);
		bind_real(st, 15, t->slope.upper);
		err = pl_db_step_done(db, st, "insert indicator_trend", d);
	}
	return err;
}

/* Replaces the four tables' rows, in the caller's transaction. */
static enum pl_err write_all(sqlite3 *db, const struct ind_catalogue *cat,
			     const struct ind_result *res, struct pl_diag *d)
{
	sqlite3_stmt *st[S__COUNT] = { NULL };
	enum pl_err err;

	err = pl_db_exec(db, "DELETE FROM indicator_trend; DELETE FROM indicator_equity; "
			 "DELETE FROM indicator_value; DELETE FROM indicator;", d);
	if (!err)
		err = pl_db_prepare_all(db, stmt_sql, S__COUNT, st, d);
	if (!err)
		err = write_defs(db, st[S_DEF], cat, d);
	if (!err)
		err = write_values(db, st[S_VALUE], cat, res, d);
	if (!err)
		err = write_equity(db, st[S_EQUITY], cat, res, d);
	if (!err)
		err = write_trends(db, st[S_TREND], cat, res, d);
	pl_db_finalize_all(st, S__COUNT);
	return err;
}

/* Logs each distinct note about a missing population once. */
static void log_population_notes(const struct ind_result *res, const char *path)
{
	for (size_t i = 0; i < res->n_rows; i++) {
		const char *note = res->rows[i].note;
		int seen = 0;

		if (strncmp(note, "the population file", 19) != 0)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(res->rows[j].note, note) == 0;
		if (!seen)
			pl_log(PL_LOG_WARN, path, "%s", note);
	}
}

static void summarise(const struct ind_catalogue *cat, const struct ind_data *data,
		      const struct ind_result *res, struct ind_summary *sum)
{
	sum->indicators = cat->n_defs;
	sum->rows = res->n_rows;
	sum->equity = res->n_equity;
	sum->trends = res->n_trends;
	sum->warnings = res->n_warnings;
	sum->persons = data->n_p;
	sum->episodes = data->n_ep;
	for (size_t i = 0; i < res->n_rows; i++) {
		sum->shown += res->rows[i].has_value && !res->rows[i].suppress;
		sum->suppressed += (size_t)res->rows[i].suppress;
	}
}

void ind_summary_line(const struct ind_summary *sum, char *out, size_t size)
{
	snprintf(out, size, "%zu indicators over %zu persons, %zu episodes: %zu figures "
		 "(%zu with a value, %zu to suppress), %zu equity tests, %zu trends%s",
		 sum->indicators, sum->persons, sum->episodes, sum->rows, sum->shown,
		 sum->suppressed, sum->equity, sum->trends,
		 sum->warnings ? "; population missing for some figures" : "");
}

enum pl_err ind_run(const struct ind_opts *opts, struct ind_summary *sum, struct pl_diag *d)
{
	struct ind_catalogue cat = { 0 };
	struct ind_population pop = { 0 };
	struct ind_data data = { 0 };
	struct ind_result res = { 0 };
	struct ind_keep keep = { 0 };
	struct pl_diag install;
	sqlite3 *db = NULL;
	char line[512];
	struct timespec t;
	int in_txn = 0;
	enum pl_err err;

	memset(sum, 0, sizeof(*sum));
	clock_gettime(CLOCK_MONOTONIC, &t);
	err = ind_catalogue_load(opts->catalogue_path, &cat, d);
	if (!err)
		err = ind_population_load(opts->population_path, &pop, d);
	if (!err)
		err = pl_db_open(opts->db_path, &db, d);
	/* One write transaction from reading the episodes to writing the
	 * tables: no other writer can commit in between, so the load's parts,
	 * on connections of their own, read the same episodes, and the tables
	 * describe them (a writer waiting meanwhile fails busy, exit 75). */
	if (!err)
		err = pl_db_exec(db, "BEGIN IMMEDIATE", d);
	if (!err)
		in_txn = 1;
	if (!err)
		err = ind_keep_compute(db, &cat, &pop, &keep, &data, &res, &t, d);
	if (err)
		goto cleanup;
	log_population_notes(&res, opts->population_path);
	err = write_all(db, &cat, &res, d);
	if (!err)
		err = ind_keep_record(db, &keep, &data, d);
	if (!err)
		err = pl_db_exec(db, "COMMIT", d);
	if (!err)
		in_txn = 0;
	if (!err && ind_keep_install(&keep, &install) != PL_OK)
		pl_log(PL_LOG_WARN, NULL, "%s: the next run counts in full", install.msg);
	pl_log_step(&t, "write");
	summarise(&cat, &data, &res, sum);
cleanup:
	if (in_txn)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (db) {
		ind_summary_line(sum, line, sizeof(line));
		err = pl_db_record_run(db, "indicators", err, err ? d->msg : line, d);
	}
	pl_db_close(db);
	ind_result_release(&res);
	ind_data_release(&data);
	ind_keep_release(&keep);
	ind_population_release(&pop);
	ind_catalogue_release(&cat);
	return err;
}

/*
 * report/build.c - the published tables, built from the indicator tables
 * (and the data-quality figures of ingest, map and dedup).  Which tables
 * there are is listed in report.h (rep_build).  Titles and notes come from
 * the strings table (keys "title_<id>" and "note_<id>").
 *
 * The same figure published in two tables (persons of a district in the
 * latest year, by year and by sex) carries one link id, so that
 * disclosure control suppresses both or neither.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "report.h"

#define MAX_KEYS 64

/* A list of keys (codes or periods) and its query. */
struct keys {
	char *k[MAX_KEYS];
	size_t n;
};

static void keys_release(struct keys *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		free(ks->k[i]);
	ks->n = 0;
}

/* The first column of every row of sql (bound ?1 = a1 when not NULL). */
static enum pl_err query_keys(sqlite3 *db, const char *sql, const char *a1, struct keys *ks,
			      struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(db, sql, &st, d);
	int rc;

	ks->n = 0;
	if (err)
		return err;
	if (a1)
		sqlite3_bind_text(st, 1, a1, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (ks->n < MAX_KEYS && sqlite3_column_text(st, 0))
			ks->k[ks->n++] = pl_xstrdup((const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, "read report keys", d);
	sqlite3_finalize(st);
	return err;
}

/* ---- links: one id per published figure ------------------------------------ */

struct links {
	char **key;
	size_t n, cap;
};

static long long link_id(struct links *l, const char *indicator, const char *period,
			 const char *breakdown, const char *keys)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s|%s|%s|%s", indicator, period, breakdown, keys);
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->key[i], buf) == 0)
			return (long long)i + 1;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->key = pl_xrealloc(l->key, l->cap * sizeof(*l->key));
	}
	l->key[l->n++] = pl_xstrdup(buf);
	return (long long)l->n;
}

static void links_release(struct links *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->key[i]);
	free(l->key);
	memset(l, 0, sizeof(*l));
}

/* ---- cells from indicator_value --------------------------------------------- */

struct builder {
	sqlite3 *db;
	struct rep_tables *ts;
	struct links links;
	sqlite3_stmt *cell;           /* one indicator_value row */
	struct keys districts;        /* with episodes, code-list order */
	struct keys years;            /* periods of the persons total */
	struct pl_diag *d;
};

static const char cell_sql[] =
	"SELECT numerator, denominator, value, lower, upper, suppress, reliability "
	"  FROM indicator_value WHERE indicator = ?1 AND period = ?2 AND breakdown = ?3 "
	"   AND coalesce(district, '') = ?4 AND coalesce(sex, '') = ?5 "
	"   AND coalesce(intervention, '') = ?6 AND coalesce(provider, '') = ?7";

static double col_real(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* Fills c from the indicator_value row of the given keys ("" for none).
 * A share or rate keeps its denominator in den; count is the numerator
 * for person figures. */
static enum pl_err fill_cell(struct builder *b, struct rep_cell *c, const char *indicator,
			     const char *period, const char *breakdown, const char *district,
			     const char *sex, const char *intervention, const char *provider)
{
	sqlite3_stmt *st = b->cell;
	const char *v[7] = { indicator, period, breakdown, district, sex, intervention, provider };
	char keys[160];
	int rc;

	for (int i = 0; i < 7; i++)
		sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		c->count = col_real(st, 0);
		c->den = col_real(st, 1);
		c->value = col_real(st, 2);
		c->lower = col_real(st, 3);
		c->upper = col_real(st, 4);
		c->flags = 0;
		if (isnan(c->value))
			c->flags |= REP_NO_VALUE;
		if (sqlite3_column_int(st, 5))
			c->flags |= REP_SUPP_PRIMARY;
		if (sqlite3_column_text(st, 6) &&
		    strcmp((const char *)sqlite3_column_text(st, 6), "ok") != 0)
			c->flags |= REP_UNRELIABLE;
		rc = sqlite3_step(st);
	} else if (rc == SQLITE_DONE) {
		/* no row: no unit in the group, a count of 0 */
		c->count = 0;
	}
	sqlite3_reset(st);
	snprintf(keys, sizeof(keys), "%s,%s,%s,%s", district, sex, intervention, provider);
	c->link = link_id(&b->links, indicator, period, breakdown, keys);
	if (rc != SQLITE_DONE)
		return pl_db_fail(b->db, rc, "read indicator_value", b->d);
	return PL_OK;
}

static void set_text(struct rep_table *t)
{
	char title[80], note[80];

	snprintf(title, sizeof(title), "title_%s", t->id);
	snprintf(note, sizeof(note), "note_%s", t->id);
	rep_table_text(t, rep_str(REP_SV, title), rep_str(REP_EN, title), rep_str(REP_SV, note),
		       rep_str(REP_EN, note));
}

static void set_code_axis(struct rep_axis *a, const char *field, const struct keys *ks,
			  int with_city)
{
	for (size_t i = 0; i < ks->n; i++)
		rep_axis_set(a, i, ks->k[i], rep_code_label(REP_SV, field, ks->k[i]),
			     rep_code_label(REP_EN, field, ks->k[i]));
	if (with_city)
		rep_axis_set(a, ks->n, "total", rep_code_label(REP_SV, field, "total"),
			     rep_code_label(REP_EN, field, "total"));
}

static void set_period_axis(struct rep_axis *a, const struct keys *periods)
{
	for (size_t i = 0; i < periods->n; i++)
		rep_axis_set(a, i, periods->k[i], periods->k[i], periods->k[i]);
}

/* Districts (+ city) x periods of one indicator. */
static enum pl_err district_by_period(struct builder *b, const char *id, const char *indicator,
				      enum rep_fmt fmt, int interval, const char *chart)
{
	struct keys periods = { { NULL }, 0 };
	struct rep_table *t;
	enum pl_err err;

	err = query_keys(b->db, "SELECT DISTINCT period FROM indicator_value WHERE indicator = ?1 "
			 "AND breakdown = 'total' ORDER BY period", indicator, &periods, b->d);
	if (err)
		return err;
	t = rep_tables_add(b->ts, id, b->districts.n + 1, periods.n);
	t->fmt = fmt;
	t->has_interval = interval;
	t->chart = chart;
	set_text(t);
	set_code_axis(&t->rows, "district", &b->districts, 1);
	set_period_axis(&t->cols, &periods);
	for (size_t r = 0; r <= b->districts.n && !err; r++)
		for (size_t c = 0; c < periods.n && !err; c++)
			err = r < b->districts.n ?
				fill_cell(b, rep_cell_at(t, r, c), indicator, periods.k[c], "district",
					  b->districts.k[r], "", "", "") :
				fill_cell(b, rep_cell_at(t, r, c), indicator, periods.k[c], "total",
					  "", "", "", "");
	keys_release(&periods);
	return err;
}

/* One row (the city) x the periods of an indicator without breakdowns. */
static enum pl_err total_by_period(struct builder *b, const char *id, const char *indicator,
				   enum rep_fmt fmt)
{
	struct rep_table *t = rep_tables_add(b->ts, id, 1, b->years.n);
	enum pl_err err = PL_OK;

	t->fmt = fmt;
	t->has_interval = 1;
	set_text(t);
	rep_axis_set(&t->rows, 0, "total", rep_code_label(REP_SV, "district", "total"),
		     rep_code_label(REP_EN, "district", "total"));
	set_period_axis(&t->cols, &b->years);
	for (size_t c = 0; c < b->years.n && !err; c++)
		err = fill_cell(b, rep_cell_at(t, 0, c), indicator, b->years.k[c], "total", "", "",
				"", "");
	return err;
}

/* Districts (+ city) x the codes of field, in the latest year. */
static enum pl_err district_by_code(struct builder *b, const char *id, const char *indicator,
				    const char *field, const char *chart)
{
	struct keys codes = { { NULL }, 0 };
	const char *latest = b->years.n ? b->years.k[b->years.n - 1] : "";
	char breakdown[64], sql[256];
	struct rep_table *t;
	enum pl_err err;

	snprintf(breakdown, sizeof(breakdown), "district %s", field);
	snprintf(sql, sizeof(sql), "SELECT DISTINCT %s FROM indicator_value WHERE indicator = ?1 "
		 "AND breakdown = '%s' AND %s IS NOT NULL ORDER BY %s", field, field, field, field);
	err = query_keys(b->db, sql, indicator, &codes, b->d);
	if (err)
		return err;
	t = rep_tables_add(b->ts, id, b->districts.n + 1, codes.n);
	t->fmt = REP_F_COUNT;
	t->chart = chart;
	set_text(t);
	set_code_axis(&t->rows, "district", &b->districts, 1);
	set_code_axis(&t->cols, field, &codes, 0);
	for (size_t r = 0; r <= b->districts.n && !err; r++)
		for (size_t c = 0; c < codes.n && !err; c++) {
			const char *dist = r < b->districts.n ? b->districts.k[r] : "";
			const char *by = r < b->districts.n ? breakdown : field;
			int is_iv = strcmp(field, "intervention") == 0;

			err = fill_cell(b, rep_cell_at(t, r, c), indicator, latest, by, dist, "",
					is_iv ? codes.k[c] : "", is_iv ? "" : codes.k[c]);
		}
	keys_release(&codes);
	return err;
}

/* Persons by district and sex in the latest year, with a total column (a
 * sum: every person has one sex) linked to persons_district_year. */
static enum pl_err persons_by_sex(struct builder *b)
{
	static const char *const sexes[] = { "F", "M", "U" };
	const char *latest = b->years.n ? b->years.k[b->years.n - 1] : "";
	struct rep_table *t = rep_tables_add(b->ts, "persons_district_sex", b->districts.n, 4);
	enum pl_err err = PL_OK;

	t->fmt = REP_F_COUNT;
	set_text(t);
	set_code_axis(&t->rows, "district", &b->districts, 0);
	for (size_t c = 0; c < 3; c++)
		rep_axis_set(&t->cols, c, sexes[c], rep_code_label(REP_SV, "sex", sexes[c]),
			     rep_code_label(REP_EN, "sex", sexes[c]));
	rep_axis_set(&t->cols, 3, "total", rep_code_label(REP_SV, "sex", "total"),
		     rep_code_label(REP_EN, "sex", "total"));
	t->cols.total = 3;
	for (size_t r = 0; r < b->districts.n && !err; r++) {
		for (size_t c = 0; c < 3 && !err; c++)
			err = fill_cell(b, rep_cell_at(t, r, c), "persons", latest, "district sex",
					b->districts.k[r], sexes[c], "", "");
		if (!err)
			err = fill_cell(b, rep_cell_at(t, r, 3), "persons", latest, "district",
					b->districts.k[r], "", "", "");
	}
	return err;
}

/* Rows of one breakdown field (+ total) x periods. */
static enum pl_err code_by_period(struct builder *b, const char *id, const char *indicator,
				  const char *field, enum rep_fmt fmt)
{
	struct keys codes = { { NULL }, 0 }, periods = { { NULL }, 0 };
	char sql[256];
	struct rep_table *t;
	enum pl_err err;

	snprintf(sql, sizeof(sql), "SELECT DISTINCT %s FROM indicator_value WHERE indicator = ?1 "
		 "AND breakdown = '%s' ORDER BY %s", field, field, field);
	err = query_keys(b->db, sql, indicator, &codes, b->d);
	if (!err)
		err = query_keys(b->db, "SELECT DISTINCT period FROM indicator_value WHERE "
				 "indicator = ?1 AND breakdown = 'total' ORDER BY period", indicator,
				 &periods, b->d);
	if (err)
		goto cleanup;
	t = rep_tables_add(b->ts, id, codes.n + 1, periods.n);
	t->fmt = fmt;
	t->has_interval = 1;
	set_text(t);
	set_code_axis(&t->rows, field, &codes, 1);
	set_period_axis(&t->cols, &periods);
	for (size_t r = 0; r <= codes.n && !err; r++)
		for (size_t c = 0; c < periods.n && !err; c++)
			err = fill_cell(b, rep_cell_at(t, r, c), indicator, periods.k[c],
					r < codes.n ? field : "total", "", "",
					r < codes.n && strcmp(field, "intervention") == 0 ? codes.k[r] : "",
					"");
cleanup:
	keys_release(&codes);
	keys_release(&periods);
	return err;
}

/* Persons seen, Chao's and the log-linear estimate, per year. */
static enum pl_err hidden(struct builder *b)
{
	static const char *const rows[] = { "seen", "hidden_chao", "hidden_loglinear" };
	struct rep_table *t = rep_tables_add(b->ts, "hidden_population_year", 3, b->years.n);
	enum pl_err err = PL_OK;

	t->fmt = REP_F_ESTIMATE;
	t->has_interval = 1;
	set_text(t);
	set_period_axis(&t->cols, &b->years);
	for (size_t r = 0; r < 3; r++) {
		char key[32];

		snprintf(key, sizeof(key), "row_%s", rows[r]);
		rep_axis_set(&t->rows, r, rows[r], rep_str(REP_SV, key), rep_str(REP_EN, key));
	}
	for (size_t c = 0; c < b->years.n && !err; c++) {
		err = fill_cell(b, rep_cell_at(t, 0, c), "persons", b->years.k[c], "total", "", "",
				"", "");
		for (size_t r = 1; r < 3 && !err; r++)
			err = fill_cell(b, rep_cell_at(t, r, c), rows[r], b->years.k[c], "total", "",
					"", "", "");
	}
	/* the seen persons are a count: its interval is not the estimate's */
	for (size_t c = 0; c < b->years.n; c++) {
		rep_cell_at(t, 0, c)->lower = NAN;
		rep_cell_at(t, 0, c)->upper = NAN;
	}
	/* an estimate is no person count: only the seen row is suppressed when small */
	for (size_t r = 1; r < 3; r++)
		for (size_t c = 0; c < b->years.n; c++)
			rep_cell_at(t, r, c)->link = 0;
	return err;
}

/* Chi-square, df, p, phi and tau2 of the rate per year. */
static enum pl_err equity(struct builder *b)
{
	static const char *const cols[] = { "chi2", "df", "p_value", "phi", "tau2" };
	struct keys periods = { { NULL }, 0 };
	sqlite3_stmt *st = NULL;
	struct rep_table *t;
	enum pl_err err;
	int rc;

	err = query_keys(b->db, "SELECT period FROM indicator_equity WHERE indicator = ?1 "
			 "ORDER BY period", "persons_rate_21", &periods, b->d);
	if (!err)
		err = pl_db_prepare(b->db, "SELECT chi2, df, p_value, phi, tau2 FROM indicator_equity "
				    "WHERE indicator = 'persons_rate_21' AND period = ?1", &st, b->d);
	if (err)
		goto cleanup;
	t = rep_tables_add(b->ts, "equity_year", periods.n, 5);
	t->fmt = REP_F_STAT;
	t->col_fmt = pl_xcalloc(5, sizeof(*t->col_fmt));
	for (size_t c = 0; c < 5; c++)
		t->col_fmt[c] = c == 1 ? REP_F_COUNT : REP_F_STAT;
	set_text(t);
	set_period_axis(&t->rows, &periods);
	for (size_t c = 0; c < 5; c++) {
		char key[32];

		snprintf(key, sizeof(key), "col_%s", cols[c]);
		rep_axis_set(&t->cols, c, cols[c], rep_str(REP_SV, key), rep_str(REP_EN, key));
	}
	for (size_t r = 0; r < periods.n; r++) {
		sqlite3_bind_text(st, 1, periods.k[r], -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			for (int c = 0; c < 5; c++) {
				struct rep_cell *cell = rep_cell_at(t, r, (size_t)c);

				cell->value = col_real(st, c);
				cell->flags = isnan(cell->value) ? REP_NO_VALUE : 0;
			}
		sqlite3_reset(st);
	}
cleanup:
	sqlite3_finalize(st);
	keys_release(&periods);
	return err;
}

/* ---- data quality -------------------------------------------------------------- */

/* Per source; the share without a valid identity number and the persons
 * linked across districts come from linkage_source, which dedup writes with
 * the persons (reading episode and episode_person for them took 10 s of the
 * report's 11 s at 10M rows). */
static const char quality_sql[] =
	"WITH f AS (SELECT file_id, source FROM input_file WHERE source IS NOT NULL) "
	"SELECT * FROM (SELECT s.source AS src, "
	"  (SELECT count(*) FROM input_file i WHERE i.source = s.source), "
	"  (SELECT coalesce(sum(rows_read), 0) FROM input_file i WHERE i.source = s.source), "
	"  (SELECT coalesce(sum(rows_kept), 0) FROM input_file i WHERE i.source = s.source), "
	"  (SELECT coalesce(sum(rows_rejected), 0) FROM input_file i WHERE i.source = s.source), "
	"  (SELECT coalesce(sum(m.rows_rejected), 0) FROM mapped_file m JOIN f USING (file_id) "
	"    WHERE f.source = s.source), "
	"  (SELECT count(*) FROM map_value v JOIN f USING (file_id) WHERE f.source = s.source "
	"    AND v.code IS NULL), "
	"  (SELECT 100.0 * episodes_no_id / episodes FROM linkage_source l "
	"    WHERE l.source = s.source), "
	"  coalesce((SELECT persons_across FROM linkage_source l WHERE l.source = s.source), 0) "
	"FROM (SELECT DISTINCT source FROM input_file WHERE source IS NOT NULL) s "
	"UNION ALL SELECT 'total', "
	"  (SELECT count(*) FROM input_file), "
	"  (SELECT coalesce(sum(rows_read), 0) FROM input_file), "
	"  (SELECT coalesce(sum(rows_kept), 0) FROM input_file), "
	"  (SELECT coalesce(sum(rows_rejected), 0) FROM input_file), "
	"  (SELECT coalesce(sum(rows_rejected), 0) FROM mapped_file), "
	"  (SELECT count(*) FROM map_value WHERE code IS NULL), "
	"  (SELECT 100.0 * sum(episodes_no_id) / sum(episodes) FROM linkage_source), "
	"  coalesce((SELECT n FROM linkage_param WHERE comparison = 'run' "
	"            AND level = 'persons_across'), "       /* dedup's count; older runs: */
	"           (SELECT count(*) FROM person WHERE n_districts >= 2))) "
	"ORDER BY src = 'total', src";

static enum pl_err quality(struct builder *b)
{
	static const char *const cols[] = {
		"files", "rows_read", "rows_kept", "rejected_ingest", "rejected_map",
		"unmapped_values", "no_valid_id_pct", "persons_linked_across",
	};
	struct keys sources = { { NULL }, 0 };
	struct rep_table *t;
	sqlite3_stmt *st = NULL;
	enum pl_err err;
	size_t n = 0, cap;
	int rc;

	err = query_keys(b->db, "SELECT DISTINCT source FROM input_file WHERE source IS NOT NULL",
			 NULL, &sources, b->d);
	cap = sources.n + 1;
	keys_release(&sources);
	if (!err)
		err = pl_db_prepare(b->db, quality_sql, &st, b->d);
	if (err)
		return err;
	t = rep_tables_add(b->ts, "quality_district", cap, 8);
	t->fmt = REP_F_COUNT;
	t->col_fmt = pl_xcalloc(8, sizeof(*t->col_fmt));
	t->col_fmt[6] = REP_F_SHARE;
	set_text(t);
	for (size_t c = 0; c < 8; c++) {
		char key[40];

		snprintf(key, sizeof(key), "col_%s", cols[c]);
		rep_axis_set(&t->cols, c, cols[c], rep_str(REP_SV, key), rep_str(REP_EN, key));
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap) {
		const char *src = (const char *)sqlite3_column_text(st, 0);

		rep_axis_set(&t->rows, n, src, strcmp(src, "total") ? src : rep_str(REP_SV, "row_total"),
			     strcmp(src, "total") ? src : rep_str(REP_EN, "row_total"));
		for (int c = 0; c < 8; c++) {
			struct rep_cell *cell = rep_cell_at(t, n, (size_t)c);

			cell->value = col_real(st, c + 1);
			cell->flags = isnan(cell->value) ? REP_NO_VALUE : 0;
			if (c == 7)
				cell->count = cell->value;   /* persons: disclosure applies */
		}
		n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = pl_db_fail(b->db, rc, "read data quality", b->d);
	sqlite3_finalize(st);
	return err;
}

/* The index of key in ks, or ks->n. */
static size_t key_at(const struct keys *ks, const char *key)
{
	size_t i = 0;

	while (i < ks->n && (!key || strcmp(ks->k[i], key) != 0))
		i++;
	return i;
}

/* Rejected rows by reason (stage: code) and source, with a total column
 * (which counts the files no source claimed too): one grouped pass over
 * reject (a query a cell scanned it 88 times, about 1 s at 10M rows). */
static enum pl_err rejects(struct builder *b)
{
	struct keys reasons = { { NULL }, 0 }, sources = { { NULL }, 0 };
	sqlite3_stmt *st = NULL;
	struct rep_table *t;
	enum pl_err err;
	int rc;

	err = query_keys(b->db, "SELECT DISTINCT stage || ':' || code FROM reject ORDER BY 1", NULL,
			 &reasons, b->d);
	if (!err)
		err = query_keys(b->db, "SELECT DISTINCT source FROM input_file WHERE source IS NOT "
				 "NULL ORDER BY 1", NULL, &sources, b->d);
	if (!err)
		err = pl_db_prepare(b->db, "SELECT r.stage || ':' || r.code, i.source, count(*) "
				    "FROM reject r JOIN input_file i USING (file_id) GROUP BY 1, 2",
				    &st, b->d);
	if (err)
		goto cleanup;
	t = rep_tables_add(b->ts, "quality_rejects", reasons.n, sources.n + 1);
	t->fmt = REP_F_COUNT;
	set_text(t);
	for (size_t r = 0; r < reasons.n; r++)
		rep_axis_set(&t->rows, r, reasons.k[r], rep_code_label(REP_SV, "reject", reasons.k[r]),
			     rep_code_label(REP_EN, "reject", reasons.k[r]));
	for (size_t c = 0; c < sources.n; c++)
		rep_axis_set(&t->cols, c, sources.k[c], sources.k[c], sources.k[c]);
	rep_axis_set(&t->cols, sources.n, "total", rep_str(REP_SV, "row_total"),
		     rep_str(REP_EN, "row_total"));
	t->cols.total = (int)sources.n;
	for (size_t i = 0; i < reasons.n * (sources.n + 1); i++) {
		t->cells[i].value = 0;
		t->cells[i].flags = 0;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t r = key_at(&reasons, (const char *)sqlite3_column_text(st, 0));
		size_t c = key_at(&sources, (const char *)sqlite3_column_text(st, 1));
		double n = sqlite3_column_double(st, 2);

		if (r == reasons.n)
			continue;       /* a reason that came after the list was read */
		if (c < sources.n)
			rep_cell_at(t, r, c)->value += n;
		rep_cell_at(t, r, sources.n)->value += n;
	}
	if (rc != SQLITE_DONE)
		err = pl_db_fail(b->db, rc, "count rejects", b->d);
cleanup:
	sqlite3_finalize(st);
	keys_release(&reasons);
	keys_release(&sources);
	return err;
}

/* In tables of counts, a group without an indicator row had no one in it:
 * its cell is 0, not "no value". */
static void zero_counts(struct rep_tables *ts)
{
	for (size_t k = 0; k < ts->n; k++) {
		struct rep_table *t = &ts->t[k];

		if (t->fmt != REP_F_COUNT || t->col_fmt)
			continue;
		for (size_t i = 0; i < t->rows.n * t->cols.n; i++)
			if ((t->cells[i].flags & REP_NO_VALUE) && t->cells[i].count == 0) {
				t->cells[i].value = 0;
				t->cells[i].flags &= ~(unsigned)REP_NO_VALUE;
			}
	}
}

enum pl_err rep_build(sqlite3 *db, struct rep_tables *ts, struct pl_diag *d)
{
	struct builder b = { db, ts, { NULL, 0, 0 }, NULL, { { NULL }, 0 }, { { NULL }, 0 }, d };
	enum pl_err err;

	err = query_keys(db, "SELECT DISTINCT period FROM indicator_value WHERE indicator = "
			 "'persons' AND breakdown = 'total' ORDER BY period", NULL, &b.years, d);
	if (!err && b.years.n == 0)
		err = pl_diag_set(d, PL_EDATA, sqlite3_db_filename(db, "main"), 0, "no indicator "
				  "figures: run the indicators stage first");
	if (!err)
		err = query_keys(db, "SELECT DISTINCT district FROM indicator_value WHERE indicator = "
				 "'persons' AND breakdown = 'district' ORDER BY district", NULL,
				 &b.districts, d);
	if (!err)
		err = pl_db_prepare(db, cell_sql, &b.cell, d);
	if (!err)
		err = district_by_period(&b, "persons_district_year", "persons", REP_F_COUNT, 1,
					 "bars trend");
	if (!err)
		err = district_by_period(&b, "rate_district_year", "persons_rate_21", REP_F_RATE, 1,
					 "bars funnel");
	if (!err)
		err = district_by_period(&b, "dsr_district_year", "persons_dsr_21", REP_F_RATE, 1, NULL);
	if (!err)
		err = persons_by_sex(&b);
	if (!err)
		err = district_by_code(&b, "intervention_district", "persons_intervention",
				       "intervention", "stack");
	if (!err)
		err = district_by_code(&b, "provider_district", "persons_provider", "provider", "stack");
	if (!err)
		err = district_by_period(&b, "women_share_district_year", "women_share", REP_F_SHARE,
					 1, "bars");
	if (!err)
		err = district_by_period(&b, "children_share_district_year", "children_share",
					 REP_F_SHARE, 1, "bars");
	if (!err)
		err = district_by_period(&b, "ngo_share_district_year", "ngo_share", REP_F_SHARE, 1,
					 "bars");
	if (!err)
		err = district_by_period(&b, "nov1_district_year", "persons_nov1", REP_F_COUNT, 0, NULL);
	if (!err)
		err = total_by_period(&b, "multi_district_year", "multi_district", REP_F_COUNT);
	if (!err)
		err = code_by_period(&b, "episode_length_intervention", "episode_length",
				     "intervention", REP_F_DAYS);
	if (!err)
		err = district_by_period(&b, "cost_per_person_district_year", "cost_per_person",
					 REP_F_SEK, 1, NULL);
	if (!err)
		err = hidden(&b);
	if (!err)
		err = equity(&b);
	if (!err)
		err = quality(&b);
	if (!err)
		err = rejects(&b);
	if (!err)
		zero_counts(ts);
	sqlite3_finalize(b.cell);
	links_release(&b.links);
	keys_release(&b.years);
	keys_release(&b.districts);
	return err;
}

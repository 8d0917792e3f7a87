/*
 * indicators/data.c - the linked episodes in memory: one compact record per
 * episode, grouped by person, with codes as code-list indexes and dates as
 * day numbers.  A person's sex is resolved over all their episodes (the
 * more frequent of F and M; U when neither or a tie) and so is the birth
 * year (the most frequent known year; the earliest on a tie).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "indicators.h"
#include "schema.h"
#include "value.h"

static const enum pl_codelist lists[IND_N_CODE_DIMS] = {
	PL_CL_DISTRICT, PL_CL_SEX, PL_CL_INTERVENTION, PL_CL_PROVIDER, PL_CL_SUBSTANCE,
	PL_CL_CHILDREN, PL_CL_ID_TYPE,
};

static const char load_sql[] =
	"SELECT p.person_key, e.district, e.sex, e.intervention, e.provider, e.substance, "
	"       e.children, e.id_type, e.birth_year, e.start_date, e.end_date, e.cost_sek "
	"  FROM episode e JOIN episode_person p USING (file_id, line) "
	" ORDER BY p.person_key, e.file_id, e.line";

/* Column of the code dims in load_sql: 1 + dim. */

static int code_index(enum pl_codelist list, const char *code)
{
	const char *const *c = pl_codes(list);
	int i;

	if (!code)
		return -1;
	for (i = 0; c[i]; i++)
		if (strcmp(c[i], code) == 0)
			return i;
	return -1;
}

/* Day number of "YYYY-MM-DD", or -1 when it is not one. */
static int parse_day(const char *s, int32_t *out)
{
	struct pl_date dt;

	if (!s || pl_date_parse(s, "YYYY-MM-DD", &dt) != 0)
		return -1;
	*out = (int32_t)pl_date_days(&dt);
	return 0;
}

static int year_of_day(int32_t day)
{
	/* civil-from-days (H. Hinnant), year only */
	long z = (long)day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	return (int)(yoe + era * 400 + (mp >= 10));
}

int ind_year_of_day(int32_t day)
{
	return year_of_day(day);
}

void ind_day_iso(int32_t day, char out[16])
{
	long z = (long)day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	long mday = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;

	char buf[64];

	snprintf(buf, sizeof(buf), "%04ld-%02ld-%02ld", yoe + era * 400 + (month <= 2), month,
		 mday);
	snprintf(out, 16, "%.15s", buf);
}

/* Resolves sex and birth year of person p over its episodes. */
static void resolve_person(struct ind_data *data, struct ind_person *p, const int *years)
{
	size_t f = 0, m = 0, best_n = 0;
	int8_t sex;

	for (size_t i = p->first; i < p->first + p->n; i++) {
		f += data->ep[i].code[IND_D_SEX] == 0;
		m += data->ep[i].code[IND_D_SEX] == 1;
	}
	sex = (int8_t)(f > m ? 0 : m > f ? 1 : 2);
	for (size_t i = p->first; i < p->first + p->n; i++)
		data->ep[i].code[IND_D_SEX] = sex;
	p->birth_year = 0;
	for (size_t i = p->first; i < p->first + p->n; i++) {
		size_t n = 0;

		if (!years[i])
			continue;
		for (size_t j = p->first; j < p->first + p->n; j++)
			n += years[j] == years[i];
		if (n > best_n || (n == best_n && years[i] < p->birth_year)) {
			best_n = n;
			p->birth_year = years[i];
		}
	}
}

static enum pl_err check_linked(sqlite3 *db, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err;
	long long n_ep = 0, n_linked = 0;

	err = pl_db_prepare(db, "SELECT (SELECT count(*) FROM episode), (SELECT count(*) FROM "
			    "episode e JOIN episode_person USING (file_id, line))", &st, d);
	if (err)
		return err;
	if (sqlite3_step(st) == SQLITE_ROW) {
		n_ep = sqlite3_column_int64(st, 0);
		n_linked = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (n_ep != n_linked)
		return pl_diag_set(d, PL_EDATA, sqlite3_db_filename(db, "main"), 0,
				   "%lld of %lld episodes have no person: run dedup first",
				   n_ep - n_linked, n_ep);
	return PL_OK;
}

static void add_episode(struct ind_data *data, sqlite3_stmt *st, size_t *cap, int **years)
{
	struct ind_episode *e;

	if (data->n_ep == *cap) {
		*cap = *cap ? 2 * *cap : 4096;
		data->ep = pl_xrealloc(data->ep, *cap * sizeof(*data->ep));
		*years = pl_xrealloc(*years, *cap * sizeof(**years));
	}
	e = &data->ep[data->n_ep];
	for (int k = 0; k < IND_N_CODE_DIMS; k++) {
		int idx = code_index(lists[k], (const char *)sqlite3_column_text(st, 1 + k));
		size_t n = 0;

		for (const char *const *c = pl_codes(lists[k]); *c; c++)
			n++;
		e->code[k] = (int8_t)(idx < 0 ? (int)n : idx);   /* n: MISSING */
	}
	(*years)[data->n_ep] = sqlite3_column_type(st, 8) == SQLITE_NULL ? 0 :
		sqlite3_column_int(st, 8);
	e->cost = sqlite3_column_type(st, 11) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 11);
	if (e->cost < 0)
		e->cost = -1;
	data->n_ep++;
}

/* Starts a person whose episodes follow from the next one on. */
static void add_person(struct ind_data *data, size_t *cap)
{
	if (data->n_p == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		data->p = pl_xrealloc(data->p, *cap * sizeof(*data->p));
	}
	data->p[data->n_p].first = data->n_ep;
	data->p[data->n_p].n = 0;
	data->n_p++;
}

enum pl_err ind_data_load(sqlite3 *db, struct ind_data *data, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 prev = 0;
	size_t cap_ep = 0, cap_p = 0;
	int *years = NULL, rc;
	enum pl_err err;

	memset(data, 0, sizeof(*data));
	err = check_linked(db, d);
	if (!err)
		err = pl_db_prepare(db, load_sql, &st, d);
	if (err)
		goto cleanup;
	data->as_of = INT32_MIN;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 key = sqlite3_column_int64(st, 0);
		struct ind_episode *e;

		if (data->n_p == 0 || key != prev)
			add_person(data, &cap_p);
		prev = key;
		add_episode(data, st, &cap_ep, &years);
		e = &data->ep[data->n_ep - 1];
		if (parse_day((const char *)sqlite3_column_text(st, 9), &e->start) != 0) {
			err = pl_diag_set(d, PL_EDATA, sqlite3_db_filename(db, "main"), 0,
					  "an episode's start date is not a date: run map again");
			goto cleanup;
		}
		if (sqlite3_column_type(st, 10) == SQLITE_NULL)
			e->end = IND_ONGOING;
		else if (parse_day((const char *)sqlite3_column_text(st, 10), &e->end) != 0 ||
			 e->end < e->start) {
			err = pl_diag_set(d, PL_EDATA, sqlite3_db_filename(db, "main"), 0,
					  "an episode's end date is not a date after its start: "
					  "run map again");
			goto cleanup;
		}
		if (e->start > data->as_of)
			data->as_of = e->start;
		if (e->end != IND_ONGOING && e->end > data->as_of)
			data->as_of = e->end;
		if (data->n_ep == 1 || year_of_day(e->start) < data->first_year)
			data->first_year = year_of_day(e->start);
		if (year_of_day(e->start) > data->last_year)
			data->last_year = year_of_day(e->start);
		data->p[data->n_p - 1].n++;
	}
	if (rc != SQLITE_DONE) {
		err = pl_db_fail(db, rc, "read episodes", d);
		goto cleanup;
	}
	for (size_t i = 0; i < data->n_p; i++)
		resolve_person(data, &data->p[i], years);
cleanup:
	sqlite3_finalize(st);
	free(years);
	if (err)
		ind_data_release(data);
	return err;
}

void ind_data_release(struct ind_data *data)
{
	free(data->ep);
	free(data->p);
	memset(data, 0, sizeof(*data));
}

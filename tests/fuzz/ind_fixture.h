/*
 * tests/fuzz/ind_fixture.h - what the indicator fuzz targets (fuzz_catalogue,
 * fuzz_population) share: a fixed, synthetic set of linked episodes (seven
 * persons in two districts, 2023-2024, no identities), a fixed catalogue
 * that uses every method, a fixed population, and the checks on what
 * ind_compute() returns.  Include once, after fixture.h.
 */
#ifndef FUZZ_IND_FIXTURE_H
#define FUZZ_IND_FIXTURE_H

#include <math.h>

#include "indicators/indicators.h"
#include "schema.h"
#include "value.h"

/* The target's two files (the catalogue, the population) in its fixture
 * directory: one holds the fixed fixture, the other each fuzz input. */
static char fuzz_ind_cat_path[300], fuzz_ind_pop_path[300];

static void fuzz_ind_remove_files(void)
{
	unlink(fuzz_ind_cat_path);
	unlink(fuzz_ind_pop_path);
}

/* Makes the fixture directory for target name and the two file names;
 * removes the files at exit, before the directory. */
static void fuzz_ind_make_paths(const char *name)
{
	fuzz_make_dir(name);
	atexit(fuzz_ind_remove_files);
	snprintf(fuzz_ind_cat_path, sizeof(fuzz_ind_cat_path), "%s/cat.ini", fuzz_dir);
	snprintf(fuzz_ind_pop_path, sizeof(fuzz_ind_pop_path), "%s/population.csv", fuzz_dir);
}

/* Every method, filters, numerators, breakdowns, each period kind. */
static const char fuzz_ind_catalogue[] =
	"[catalogue]\nage_bands = 0-20 21-64 65+\nconf = 0.9\n"
	"[indicator c]\ntitle_sv = c\ntitle_en = c\nmethod = count\nby = district sex\n"
	"by = age_band\nby = provider\n"
	"[indicator d]\ntitle_sv = d\ntitle_en = d\nperiod = day 11-01\nmethod = count\n"
	"filter = districts >= 2\n"
	"[indicator r]\ntitle_sv = r\ntitle_en = r\nmethod = rate\nmultiplier = 10000\n"
	"filter = age >= 21\nby = district\nby = age_band\nby = sex\n"
	"[indicator s]\ntitle_sv = s\ntitle_en = s\nmethod = dsr\nmultiplier = 10000\n"
	"by = district\n"
	"[indicator w]\ntitle_sv = w\ntitle_en = w\nmethod = wilson\nfilter = sex = F M\n"
	"numerator = sex = F\nby = district\n"
	"[indicator x]\ntitle_sv = x\ntitle_en = x\nmethod = exact\nnumerator = intervention = LVM\n"
	"by = district\n"
	"[indicator q]\ntitle_sv = q\ntitle_en = q\nunit = episodes\nperiod = start_year\n"
	"method = quartiles\nmeasure = length_days\nby = district\n"
	"[indicator m]\ntitle_sv = m\ntitle_en = m\nperiod = end_year\nmethod = mean\n"
	"measure = cost_sek\n"
	"[indicator h]\ntitle_sv = h\ntitle_en = h\nmethod = chao\n"
	"[indicator l]\ntitle_sv = l\ntitle_en = l\nmethod = loglinear\nsources = provider\n";

/* Angered and Lundby, 2023 and 2024, three bands. */
static const char fuzz_ind_population[] =
	"year,district,sex,age,population\n"
	"2023,ANGERED,F,0-19,2000\n2023,ANGERED,F,20-64,5000\n2023,ANGERED,F,65+,900\n"
	"2023,ANGERED,M,0-19,2100\n2023,ANGERED,M,20-64,5100\n2023,ANGERED,M,65+,800\n"
	"2024,ANGERED,F,0-19,2010\n2024,ANGERED,F,20-64,5010\n2024,ANGERED,F,65+,910\n"
	"2024,ANGERED,M,0-19,2110\n2024,ANGERED,M,20-64,5110\n2024,ANGERED,M,65+,810\n"
	"2023,LUNDBY,F,0-19,1000\n2023,LUNDBY,F,20-64,3000\n2023,LUNDBY,F,65+,500\n"
	"2023,LUNDBY,M,0-19,1100\n2023,LUNDBY,M,20-64,3100\n2023,LUNDBY,M,65+,400\n"
	"2024,LUNDBY,F,0-19,1010\n2024,LUNDBY,F,20-64,3010\n2024,LUNDBY,F,65+,510\n"
	"2024,LUNDBY,M,0-19,1110\n2024,LUNDBY,M,20-64,3110\n2024,LUNDBY,M,65+,410\n";

struct fuzz_ind_ep {
	size_t person;
	const char *district, *sex, *intervention, *provider, *start, *end;
	double cost;
};

/* Synthetic episodes; a NULL code is the "missing" value. */
static const struct fuzz_ind_ep fuzz_ind_episodes[] = {
	{ 0, "ANGERED", "F", "OPEN", "NGO", "2024-01-10", "2024-03-01", 100 },
	{ 0, "LUNDBY", "F", "LVM", "MUNI", "2024-10-01", NULL, 300 },
	{ 1, "ANGERED", "M", "OPEN", "MUNI", "2023-05-01", "2024-02-01", -1 },
	{ 2, "ANGERED", "F", "INST", NULL, "2024-11-01", "2024-11-30", 50 },
	{ 3, "LUNDBY", "M", "OPEN", "PRIV", "2024-06-01", "2024-12-31", -1 },
	{ 4, "LUNDBY", "F", "OPEN", "NGO", "2023-01-01", "2023-12-31", -1 },
	{ 5, "ANGERED", NULL, "LVM", "MUNI", "2023-03-01", "2023-03-01", 0 },
	{ 5, "ANGERED", NULL, "OPEN", "PRIV", "2023-04-01", "2024-04-01", 1e7 },
	{ 6, NULL, "M", NULL, "NGO", "2024-02-29", NULL, -1 },
};
static const int fuzz_ind_birth_years[] = { 1980, 2010, 0, 1950, 1990, 2023, 1900 };

static int8_t fuzz_ind_code(enum pl_codelist list, const char *code)
{
	const char *const *codes = pl_codes(list);
	int i;

	for (i = 0; codes[i]; i++)
		if (code && strcmp(codes[i], code) == 0)
			return (int8_t)i;
	if (code)
		abort();
	return (int8_t)i;   /* missing */
}

static int32_t fuzz_ind_day(const char *iso)
{
	struct pl_date dt;

	if (pl_date_parse(iso, "YYYY-MM-DD", &dt) != 0)
		abort();
	return (int32_t)pl_date_days(&dt);
}

static void fuzz_ind_make_data(struct ind_data *data)
{
	size_t n_ep = sizeof(fuzz_ind_episodes) / sizeof(fuzz_ind_episodes[0]);
	size_t n_p = sizeof(fuzz_ind_birth_years) / sizeof(fuzz_ind_birth_years[0]);

	memset(data, 0, sizeof(*data));
	data->n_ep = n_ep;
	data->n_p = n_p;
	data->ep = pl_xcalloc(n_ep, sizeof(*data->ep));
	data->p = pl_xcalloc(n_p, sizeof(*data->p));
	for (size_t i = 0; i < n_ep; i++) {
		const struct fuzz_ind_ep *m = &fuzz_ind_episodes[i];
		struct ind_episode *e = &data->ep[i];

		e->start = fuzz_ind_day(m->start);
		e->end = m->end ? fuzz_ind_day(m->end) : IND_ONGOING;
		e->cost = m->cost;
		e->code[IND_D_DISTRICT] = fuzz_ind_code(PL_CL_DISTRICT, m->district);
		e->code[IND_D_SEX] = fuzz_ind_code(PL_CL_SEX, m->sex);
		e->code[IND_D_INTERVENTION] = fuzz_ind_code(PL_CL_INTERVENTION, m->intervention);
		e->code[IND_D_PROVIDER] = fuzz_ind_code(PL_CL_PROVIDER, m->provider);
		e->code[IND_D_SUBSTANCE] = fuzz_ind_code(PL_CL_SUBSTANCE, "ALC");
		e->code[IND_D_CHILDREN] = fuzz_ind_code(PL_CL_CHILDREN, i % 2 ? "Y" : NULL);
		e->code[IND_D_ID_TYPE] = fuzz_ind_code(PL_CL_ID_TYPE, "PNR");
		if (data->p[m->person].n == 0)
			data->p[m->person].first = i;
		data->p[m->person].n++;
	}
	for (size_t i = 0; i < n_p; i++)
		data->p[i].birth_year = fuzz_ind_birth_years[i];
	data->first_year = 2023;
	data->last_year = 2024;
	data->as_of = fuzz_ind_day("2024-12-31");
}

/* Prints what is wrong with row i to stderr; returns 0. */
static int fuzz_ind_bad_row(const struct ind_catalogue *cat, const struct ind_row *r,
			    const char *why)
{
	fprintf(stderr, "ind_compute: %s: indicator %s period %s by %d method %s: value %g "
		"[%g, %g] num %g den %g note '%s'\n", why,
		r->def < cat->n_defs ? cat->defs[r->def].id : "?", r->period, r->by,
		r->method ? r->method : "(null)", r->est.value, r->est.lower, r->est.upper,
		r->num, r->den, r->note);
	return 0;
}

/* 1 if every row, equity and trend ind_compute() returned is sound: within
 * the catalogue, a value with a finite interval around it, or a note. */
static int fuzz_ind_result_ok(const struct ind_catalogue *cat, const struct ind_result *res)
{
	for (size_t i = 0; i < res->n_rows; i++) {
		const struct ind_row *r = &res->rows[i];

		if (r->def >= cat->n_defs || r->by < -1 || r->by >= (int)cat->defs[r->def].n_by)
			return fuzz_ind_bad_row(cat, r, "not a breakdown of the catalogue");
		if (!r->reliability || !r->method)
			return fuzz_ind_bad_row(cat, r, "no reliability or method");
		if (r->has_value && (!isfinite(r->est.value) || !isfinite(r->est.lower) ||
		    !isfinite(r->est.upper) || r->est.lower > r->est.value ||
		    r->est.value > r->est.upper))
			return fuzz_ind_bad_row(cat, r, "value outside its interval");
		if (!r->has_value && !r->note[0])
			return fuzz_ind_bad_row(cat, r, "neither a value nor a note");
		if (!(isnan(r->num) || isfinite(r->num)) || !(isnan(r->den) || isfinite(r->den)))
			return fuzz_ind_bad_row(cat, r, "infinite numerator or denominator");
		for (int k = 0; k < IND_N_KEYS; k++)
			if (r->key[k] != -1 && (r->key[k] < 0 || (size_t)r->key[k] >=
			    ind_dim_n_values((enum ind_dim)k, cat)))
				return fuzz_ind_bad_row(cat, r, "a key outside its dimension");
	}
	for (size_t i = 0; i < res->n_equity; i++)
		if (res->equity[i].def >= cat->n_defs)
			return 0;
	for (size_t i = 0; i < res->n_trends; i++)
		if (res->trends[i].def >= cat->n_defs || res->trends[i].n < 2)
			return 0;
	return 1;
}

#endif

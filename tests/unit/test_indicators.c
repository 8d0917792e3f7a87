/*
 * tests/unit/test_indicators.c - the indicators stage's modules: the
 * catalogue (every key, each configuration error with its line), the
 * population file (headers in Swedish, bands, pro-rating of partial bands,
 * coverage errors) and the computation on a small hand-made set of persons
 * and episodes whose every figure is counted by hand in the comments.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <unistd.h>

#include "indicators/indicators.h"
#include "schema.h"
#include "unit.h"
#include "value.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int setup(void **state) { return unit_tmp_setup(state); }
static int teardown(void **state) { return unit_tmp_teardown(state); }

static enum pl_err load_catalogue(void **state, const char *text, struct ind_catalogue *cat,
				  struct pl_diag *d)
{
	char path[512];

	unit_path(state, "cat.ini", path, sizeof(path));
	assert_int_equal(unit_write_str(path, text), 0);
	pl_diag_clear(d);
	return ind_catalogue_load(path, cat, d);
}

static enum pl_err load_population(void **state, const char *text, struct ind_population *pop,
				   struct pl_diag *d)
{
	char path[512];

	unit_path(state, "pop.csv", path, sizeof(path));
	assert_int_equal(unit_write_str(path, text), 0);
	pl_diag_clear(d);
	return ind_population_load(path, pop, d);
}

static int code_of(enum pl_codelist list, const char *code)
{
	const char *const *c = pl_codes(list);

	for (int i = 0; c[i]; i++)
		if (strcmp(c[i], code) == 0)
			return i;
	fail_msg("no code %s", code);
	return -1;
}

#define CAT_HEAD "[catalogue]\nage_bands = 0-20 21-64 65+\nconf = 0.9\n"

/* ---- catalogue ------------------------------------------------------------ */

static void test_catalogue__every_key(void **state)
{
	static const char text[] =
		CAT_HEAD
		"[indicator lvm]\n"
		"title_sv = LVM\n"
		"title_en = LVM care\n"
		"unit = persons\n"
		"period = day 11-01\n"
		"filter = intervention = LVM INST\n"
		"filter = age >= 18\n"
		"filter = districts > 1\n"
		"numerator = sex != M\n"
		"method = exact\n"
		"multiplier = 100\n"
		"by = district\n"
		"by = sex age_band\n";
	struct ind_catalogue cat;
	struct pl_diag d;
	const struct ind_def *def;
	char period[32];

	assert_int_equal(load_catalogue(state, text, &cat, &d), PL_OK);
	assert_int_equal(cat.n_defs, 1);
	assert_int_equal(cat.n_bands, 3);
	assert_string_equal(cat.bands[2].label, "65+");
	assert_int_equal(cat.bands[2].to, INT_MAX);
	assert_true(cat.conf == 0.9);
	def = &cat.defs[0];
	assert_string_equal(def->id, "lvm");
	assert_string_equal(def->title_en, "LVM care");
	assert_int_equal(def->period, IND_P_DAY);
	ind_period_name(def, period, sizeof(period));
	assert_string_equal(period, "day 11-01");
	assert_int_equal(def->n_filter, 3);
	assert_int_equal(def->filter[0].dim, IND_D_INTERVENTION);
	assert_int_equal(def->filter[0].op, IND_OP_IN);
	assert_int_equal(def->filter[0].set, (1u << code_of(PL_CL_INTERVENTION, "LVM")) |
			 (1u << code_of(PL_CL_INTERVENTION, "INST")));
	assert_int_equal(def->filter[1].dim, IND_D_AGE);
	assert_int_equal(def->filter[1].op, IND_OP_GE);
	assert_true(def->filter[1].num == 18);
	assert_int_equal(def->filter[2].op, IND_OP_GT);
	assert_int_equal(def->n_numer, 1);
	assert_int_equal(def->numer[0].op, IND_OP_NOT_IN);
	assert_int_equal(def->method, IND_M_EXACT);
	assert_true(def->multiplier == 100);
	assert_int_equal(def->n_by, 2);
	assert_int_equal(def->by[0][0], IND_D_DISTRICT);
	assert_int_equal(def->by[0][1], -1);
	assert_int_equal(def->by[1][0], IND_D_SEX);
	assert_int_equal(def->by[1][1], IND_D_AGE_BAND);
	assert_string_equal(def->definition, "filter = intervention = LVM INST; filter = age >= 18; "
			    "filter = districts > 1; numerator = sex != M; by = district; "
			    "by = sex age_band");
	ind_catalogue_release(&cat);
	assert_null(cat.defs);
}

static void test_catalogue__errors_name_their_line(void **state)
{
	static const struct {
		const char *body;      /* after CAT_HEAD (3 lines) and a good start */
		long line;
		const char *msg;
	} cases[] = {
		{ "colour = red\n", 7, "unknown key 'colour'" },
		{ "filter = district = NOWHERE\n", 7, "code not in the field's code list" },
		{ "filter = age >= 1e999\n", 7, "not a number" },
		{ "filter = age >= 18 19\n", 7, "a numeric field takes one number" },
		{ "filter = sex\n", 7, "condition is not FIELD OP VALUE" },
		{ "unit = households\n", 7, "unit is not persons or episodes" },
		{ "period = day 13-01\n", 7, "period is not" },
		{ "method = median\n", 7, "unknown method 'median'" },
		{ "multiplier = -1\n", 7, "multiplier is not a number" },
		{ "measure = weight\n", 7, "measure is not" },
		{ "sources = age\n", 7, "sources is not a code field" },
		{ "by = age\n", 7, "not a breakdown dimension" },
		{ "by = a b c\n", 7, "a breakdown is one or two dimensions" },
		{ "method = count\nmethod = rate\n", 8, "repeated key 'method'" },
		{ "title_sv = again\n", 7, "repeated key 'title_sv'" },
		/* whole-indicator checks: at the section's first key */
		{ "method = wilson\n", 5, "numerator goes with method wilson or exact" },
		{ "method = quartiles\n", 5, "measure goes with method quartiles or mean" },
		{ "method = chao\nby = district\n", 5, "a hidden-population estimate is city-wide" },
		{ "unit = episodes\nmethod = rate\n", 5, "this method counts persons" },
		{ "method = dsr\nby = age_band\n", 5, "is not broken down by age_band" },
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		char text[1024];
		struct ind_catalogue cat;
		struct pl_diag d;

		snprintf(text, sizeof(text), CAT_HEAD "[indicator x]\ntitle_sv = x\ntitle_en = x\n%s",
			 cases[i].body);
		assert_int_equal(load_catalogue(state, text, &cat, &d), PL_ECONFIG);
		if (d.line != cases[i].line || !strstr(d.msg, cases[i].msg))
			fail_msg("case %zu: got line %ld '%s', want line %ld '%s'", i, d.line, d.msg,
				 cases[i].line, cases[i].msg);
		assert_null(cat.defs);
	}
}

static void test_catalogue__file_level_errors(void **state)
{
	struct ind_catalogue cat;
	struct pl_diag d;

	assert_int_equal(load_catalogue(state, CAT_HEAD, &cat, &d), PL_ECONFIG);
	assert_non_null(strstr(d.msg, "declares no indicator"));
	assert_int_equal(load_catalogue(state, "[indicator a]\ntitle_sv = a\ntitle_en = a\n", &cat,
					&d), PL_ECONFIG);
	assert_non_null(strstr(d.msg, "no age_bands"));
	assert_int_equal(load_catalogue(state, CAT_HEAD "[indicator a]\ntitle_sv = a\n"
					"title_en = a\n[indicator b]\ntitle_sv = b\ntitle_en = b\n"
					"[indicator a]\ntitle_sv = b\n", &cat, &d), PL_ECONFIG);
	assert_int_equal(d.line, 11);
	assert_non_null(strstr(d.msg, "declared twice"));
	assert_int_equal(load_catalogue(state, "[catalogue]\nage_bands = 0-20 30-40\n", &cat, &d),
			 PL_ECONFIG);
	assert_non_null(strstr(d.msg, "without gaps"));
	assert_int_equal(load_catalogue(state, "[catalogue]\nage_bands = 0-20 21+ 30-40\n", &cat,
					&d), PL_ECONFIG);
	assert_non_null(strstr(d.msg, "only the last age band may be open"));
	assert_int_equal(load_catalogue(state, "[other]\nx = 1\n", &cat, &d), PL_ECONFIG);
	assert_non_null(strstr(d.msg, "unknown section [other]"));
	assert_int_equal(load_catalogue(state, CAT_HEAD "[indicator Bad-Id]\ntitle_sv = a\n", &cat,
					&d), PL_ECONFIG);
	assert_non_null(strstr(d.msg, "indicator id is not"));
}

/* ---- population ------------------------------------------------------------ */

/* Ages 0-19, 20-24, 25+ for Angered and Lundby 2024, F and M. */
static const char pop_text[] =
	"\xEF\xBB\xBF" "År;Stadsområde;Kön;Ålder;Folkmängd\n"
	"2024;Angered;kvinnor;0-19 år;200\n"
	"2024;Angered;kvinnor;20–24 år;50\n"
	"2024;Angered;kvinnor;25+ år;100\n"
	"2024;Angered;män;0-19;210\n"
	"2024;Angered;män;20-24;60\n"
	"2024;Angered;män;25+;1 000\n"
	"2024;LUNDBY;F;0-19;1\n"
	"2024;LUNDBY;F;20-24;5\n"
	"2024;LUNDBY;F;25+;10\n"
	"2024;LUNDBY;M;0-19;1\n"
	"2024;LUNDBY;M;20-24;5\n"
	"2024;LUNDBY;M;25+;10\n";

static void test_population__sums_and_partial_bands(void **state)
{
	struct ind_population pop;
	struct pl_diag d;
	uint32_t ang = 1u << code_of(PL_CL_DISTRICT, "ANGERED");
	uint32_t lun = 1u << code_of(PL_CL_DISTRICT, "LUNDBY");
	uint32_t ost = 1u << code_of(PL_CL_DISTRICT, "OSTRA");

	assert_int_equal(load_population(state, pop_text, &pop, &d), PL_OK);
	assert_int_equal(pop.n_cells, 12);
	assert_true(ind_population_sum(&pop, 2024, ang, 3, 0, INT_MAX) == 1620);
	assert_true(ind_population_sum(&pop, 2024, ang, 1, 0, INT_MAX) == 350);
	/* 21+: 4/5 of 20-24, all of 25+: 40 + 100 women, 48 + 1000 men */
	assert_true(fabs(ind_population_sum(&pop, 2024, ang, 3, 21, INT_MAX) - 1188) < 1e-9);
	/* 25-29 of the open band 25+ (counted as ten years): half */
	assert_true(fabs(ind_population_sum(&pop, 2024, ang, 1, 25, 29) - 50) < 1e-9);
	/* 10-22: 10/20 of 0-19, 3/5 of 20-24 */
	assert_true(fabs(ind_population_sum(&pop, 2024, ang, 1, 10, 22) - 130) < 1e-9);
	assert_true(ind_population_sum(&pop, 2024, ang | lun, 3, 0, INT_MAX) == 1652);
	assert_true(ind_population_sum(&pop, 2024, ang | ost, 3, 0, INT_MAX) == -1);
	assert_true(ind_population_sum(&pop, 2023, ang, 3, 0, INT_MAX) == -1);
	assert_true(ind_population_sum(&pop, 2024, ang, 3, 200, INT_MAX) == 0);
	ind_population_release(&pop);
}

static void test_population__errors(void **state)
{
	static const struct {
		const char *text;
		long line;
		const char *msg;
	} cases[] = {
		{ "year,district,sex,age\n", 1, "no column 'population'" },
		{ "year,district,sex,age,population\n2024,NOWHERE,F,0+,1\n", 2, "not a district" },
		{ "year,district,sex,age,population\n2024,ANGERED,X,0+,1\n", 2, "sex is not F or M" },
		{ "year,district,sex,age,population\n2024,ANGERED,F,old,1\n", 2, "age is not" },
		{ "year,district,sex,age,population\n2024,ANGERED,F,0+,-3\n", 2, "not a whole number" },
		{ "year,district,sex,age,population\n24,ANGERED,F,0+,3\n", 2, "year is not a year" },
		{ "year,district,sex,age,population\n", 0, "has no rows" },
		{ "year,district,sex,age,population\n2024,ANGERED,F,0+,3\n", 0, "no rows for men" },
		{ "year,district,sex,age,population\n2024,ANGERED,M,0+,3\n", 0, "no rows for women" },
		{ "year,district,sex,age,population\n2024,ANGERED,F,0-9,3\n2024,ANGERED,F,20+,3\n"
		  "2024,ANGERED,M,0+,3\n", 0, "ages missing at 10" },
		{ "year,district,sex,age,population\n2024,ANGERED,F,0-9,3\n2024,ANGERED,F,5+,3\n"
		  "2024,ANGERED,M,0+,3\n", 0, "ages overlap at 10" },
		{ "year,district,sex,age,population\n2024,ANGERED,F,0-9,3\n"
		  "2024,ANGERED,M,0+,3\n", 0, "must end in one open band" },
		{ "year,district,sex,age,population\n2024,ANGERED,F,0+,3\n2024,ANGERED,F,0+,3\n"
		  "2024,ANGERED,M,0+,3\n", 0, "ages overlap at 0" },
		{ "", 1, "not a header" },
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		struct ind_population pop;
		struct pl_diag d;

		assert_int_equal(load_population(state, cases[i].text, &pop, &d), PL_ECONFIG);
		if (d.line != cases[i].line || !strstr(d.msg, cases[i].msg))
			fail_msg("case %zu: got line %ld '%s', want line %ld '%s'", i, d.line, d.msg,
				 cases[i].line, cases[i].msg);
		assert_null(pop.cells);
	}
}

/* ---- the computation ---------------------------------------------------------- */

static int32_t day(const char *iso)
{
	struct pl_date dt;

	assert_int_equal(pl_date_parse(iso, "YYYY-MM-DD", &dt), 0);
	return (int32_t)pl_date_days(&dt);
}

struct mk_ep {
	size_t person;
	const char *district, *sex, *intervention, *provider, *start, *end;
	double cost;
};

/*
 * Five persons in 2024 (and one episode in 2023):
 *   p0 F born 1980: Angered OPEN NGO 2024-01-10..2024-03-01 (cost 100),
 *                   Lundby LVM MUNI 2024-10-01..ongoing (cost 300)
 *   p1 M born 2010: Angered OPEN MUNI 2023-05-01..2024-02-01
 *   p2 F born ?:    Angered INST (no provider) 2024-11-01..2024-11-30 (cost 50)
 *   p3 M born 1950: Lundby OPEN PRIV 2024-06-01..2024-12-31
 *   p4 F born 1990: Lundby OPEN NGO 2023-01-01..2023-12-31 (2023 only)
 */
static const struct mk_ep episodes[] = {
	{ 0, "ANGERED", "F", "OPEN", "NGO", "2024-01-10", "2024-03-01", 100 },
	{ 0, "LUNDBY", "F", "LVM", "MUNI", "2024-10-01", NULL, 300 },
	{ 1, "ANGERED", "M", "OPEN", "MUNI", "2023-05-01", "2024-02-01", -1 },
	{ 2, "ANGERED", "F", "INST", NULL, "2024-11-01", "2024-11-30", 50 },
	{ 3, "LUNDBY", "M", "OPEN", "PRIV", "2024-06-01", "2024-12-31", -1 },
	{ 4, "LUNDBY", "F", "OPEN", "NGO", "2023-01-01", "2023-12-31", -1 },
};
static const int birth_years[] = { 1980, 2010, 0, 1950, 1990 };

static int8_t code_or_missing(enum pl_codelist list, const char *code)
{
	size_t n = 0;

	for (const char *const *c = pl_codes(list); *c; c++)
		n++;
	return (int8_t)(code ? code_of(list, code) : (int)n);
}

static void make_data(struct ind_data *data)
{
	memset(data, 0, sizeof(*data));
	data->n_ep = N_OF(episodes);
	data->n_p = N_OF(birth_years);
	data->ep = calloc(data->n_ep, sizeof(*data->ep));
	data->p = calloc(data->n_p, sizeof(*data->p));
	assert_non_null(data->ep);
	assert_non_null(data->p);
	for (size_t i = 0; i < data->n_ep; i++) {
		const struct mk_ep *m = &episodes[i];
		struct ind_episode *e = &data->ep[i];

		e->start = day(m->start);
		e->end = m->end ? day(m->end) : IND_ONGOING;
		e->cost = m->cost;
		e->code[IND_D_DISTRICT] = code_or_missing(PL_CL_DISTRICT, m->district);
		e->code[IND_D_SEX] = code_or_missing(PL_CL_SEX, m->sex);
		e->code[IND_D_INTERVENTION] = code_or_missing(PL_CL_INTERVENTION, m->intervention);
		e->code[IND_D_PROVIDER] = code_or_missing(PL_CL_PROVIDER, m->provider);
		e->code[IND_D_SUBSTANCE] = code_or_missing(PL_CL_SUBSTANCE, "ALC");
		e->code[IND_D_CHILDREN] = code_or_missing(PL_CL_CHILDREN, "N");
		e->code[IND_D_ID_TYPE] = code_or_missing(PL_CL_ID_TYPE, "PNR");
		if (data->p[m->person].n == 0)
			data->p[m->person].first = i;
		data->p[m->person].n++;
	}
	for (size_t i = 0; i < data->n_p; i++)
		data->p[i].birth_year = birth_years[i];
	data->first_year = 2023;
	data->last_year = 2024;
	data->as_of = day("2024-12-31");
}

/* The row of indicator id, period and breakdown whose keys match the
 * dimension/value pairs given (dim, code, ..., -1); fails if none. */
static const struct ind_row *find_row(const struct ind_catalogue *cat,
				      const struct ind_result *res, const char *id,
				      const char *period, int by, ...)
{
	for (size_t i = 0; i < res->n_rows; i++) {
		const struct ind_row *r = &res->rows[i];
		va_list ap;
		int dim, ok = 1;

		if (strcmp(cat->defs[r->def].id, id) != 0 || strcmp(r->period, period) != 0 ||
		    r->by != by)
			continue;
		va_start(ap, by);
		while ((dim = va_arg(ap, int)) >= 0) {
			const char *v = va_arg(ap, const char *);

			ok &= strcmp(ind_dim_value((enum ind_dim)dim, cat, r->key[dim]) ?
				     ind_dim_value((enum ind_dim)dim, cat, r->key[dim]) : "", v) == 0;
		}
		va_end(ap);
		if (ok)
			return r;
	}
	fail_msg("no row %s %s by %d", id, period, by);
	return NULL;
}

static const char compute_cat[] =
	CAT_HEAD
	"[indicator persons]\ntitle_sv = p\ntitle_en = p\nmethod = count\n"
	"by = district\nby = provider\nby = age_band\n"
	"[indicator multi]\ntitle_sv = m\ntitle_en = m\nmethod = count\nfilter = districts >= 2\n"
	"[indicator adults]\ntitle_sv = a\ntitle_en = a\nmethod = rate\nmultiplier = 1000\n"
	"filter = age >= 21\nby = district\n"
	"[indicator women]\ntitle_sv = w\ntitle_en = w\nmethod = wilson\nmultiplier = 100\n"
	"filter = sex = F M\nnumerator = sex = F\n"
	"[indicator nov1]\ntitle_sv = n\ntitle_en = n\nperiod = day 11-01\nmethod = count\n"
	"[indicator episodes]\ntitle_sv = e\ntitle_en = e\nunit = episodes\nmethod = count\n"
	"by = intervention\n"
	"[indicator cost]\ntitle_sv = c\ntitle_en = c\nperiod = start_year\nmethod = mean\n"
	"measure = cost_sek\n";

/* The compute tests' catalogue (compute_cat) and population (pop_text). */
static void load_compute_fixture(void **state, struct ind_catalogue *cat,
				 struct ind_population *pop)
{
	struct pl_diag d;

	assert_int_equal(load_catalogue(state, compute_cat, cat, &d), PL_OK);
	assert_int_equal(load_population(state, pop_text, pop, &d), PL_OK);
}

static void test_compute__figures_counted_by_hand(void **state)
{
	struct ind_catalogue cat;
	struct ind_population pop;
	struct ind_data data;
	struct ind_result res;
	struct pl_diag d;
	const struct ind_row *r;

	load_compute_fixture(state, &cat, &pop);
	make_data(&data);
	assert_int_equal(ind_compute(&cat, &data, &pop, &res, &d), PL_OK);

	/* persons 2024: p0, p1, p2, p3; 2023: p1, p4 */
	r = find_row(&cat, &res, "persons", "2024", -1, -1);
	assert_true(r->num == 4);
	assert_string_equal(r->method, "poisson_exact");
	assert_int_equal(r->suppress, 1);
	assert_true(r->has_value && r->est.value == 4);
	assert_true(find_row(&cat, &res, "persons", "2023", -1, -1)->num == 2);
	/* per district 2024: Angered p0 p1 p2, Lundby p0 p3 (p0 in both) */
	assert_true(find_row(&cat, &res, "persons", "2024", 0, IND_D_DISTRICT, "ANGERED", -1)->num == 3);
	assert_true(find_row(&cat, &res, "persons", "2024", 0, IND_D_DISTRICT, "LUNDBY", -1)->num == 2);
	/* per provider: NGO p0, MUNI p0 p1, PRIV p3, MISSING p2 */
	assert_true(find_row(&cat, &res, "persons", "2024", 1, IND_D_PROVIDER, "MUNI", -1)->num == 2);
	assert_true(find_row(&cat, &res, "persons", "2024", 1, IND_D_PROVIDER, "MISSING", -1)->num == 1);
	/* age bands in 2024: p1 14 -> 0-20, p0 44 -> 21-64, p3 74 -> 65+, p2 unknown */
	assert_true(find_row(&cat, &res, "persons", "2024", 2, IND_D_AGE_BAND, "0-20", -1)->num == 1);
	assert_true(find_row(&cat, &res, "persons", "2024", 2, IND_D_AGE_BAND, "65+", -1)->num == 1);
	assert_true(find_row(&cat, &res, "persons", "2024", 2, IND_D_AGE_BAND, "MISSING", -1)->num == 1);
	/* two or more districts: p0 only */
	assert_true(find_row(&cat, &res, "multi", "2024", -1, -1)->num == 1);
	assert_true(find_row(&cat, &res, "multi", "2023", -1, -1)->num == 0);
	/* adults 21+ 2024: p0 (44), p3 (74); p2 unknown age not counted; population
	 * 21+ of Angered and Lundby: 1188 + (4 + 10) * 2 = 1216 */
	r = find_row(&cat, &res, "adults", "2024", -1, -1);
	assert_true(r->num == 2);
	assert_true(fabs(r->den - 1216) < 1e-9);
	assert_true(fabs(r->est.value - 2000.0 / 1216) < 1e-12);
	assert_string_equal(r->reliability, "unreliable");
	assert_non_null(strstr(r->note, "1 persons without a known age"));
	r = find_row(&cat, &res, "adults", "2024", 0, IND_D_DISTRICT, "LUNDBY", -1);
	assert_true(r->num == 2 && fabs(r->den - 28) < 1e-9);
	assert_non_null(r->funnel);
	/* women 2024: p0, p2 of 4 */
	r = find_row(&cat, &res, "women", "2024", -1, -1);
	assert_true(r->num == 2 && r->den == 4);
	assert_true(fabs(r->est.value - 50) < 1e-12);
	assert_string_equal(r->method, "wilson");
	/* 1 November 2024: p0 (ongoing), p2 (starts that day); p3 too (to 12-31) */
	assert_true(find_row(&cat, &res, "nov1", "2024-11-01", -1, -1)->num == 3);
	/* episodes 2024: 5 (p4's is 2023 only); OPEN: p0 p1 p3 */
	assert_true(find_row(&cat, &res, "episodes", "2024", -1, -1)->num == 5);
	assert_true(find_row(&cat, &res, "episodes", "2024", 0, IND_D_INTERVENTION, "OPEN", -1)->num == 3);
	/* cost per person, episodes started in 2024: p0 100 + 300, p2 50; p3 none */
	r = find_row(&cat, &res, "cost", "2024", -1, -1);
	assert_true(r->den == 2 && r->num == 450);
	assert_true(fabs(r->est.value - 225) < 1e-12);
	assert_non_null(strstr(r->note, "1 of 3 without a value"));
	/* every row: finite or no value */
	for (size_t i = 0; i < res.n_rows; i++)
		if (res.rows[i].has_value)
			assert_true(isfinite(res.rows[i].est.value) && isfinite(res.rows[i].est.lower) &&
				    isfinite(res.rows[i].est.upper));
	ind_result_release(&res);
	ind_data_release(&data);
	ind_population_release(&pop);
	ind_catalogue_release(&cat);
}

/* Every method on data that leaves figures undefined or degenerate: one
 * district, zero populations, no ages, huge counts of nothing.  No row may
 * hold a non-finite number; undefined figures carry a note. */
static void test_compute__extreme_inputs_never_nan(void **state)
{
	static const char cat_text[] =
		CAT_HEAD
		"[indicator c]\ntitle_sv = c\ntitle_en = c\nmethod = count\nby = district sex\n"
		"[indicator r]\ntitle_sv = r\ntitle_en = r\nmethod = rate\nby = district\n"
		"by = age_band\nby = sex\n"
		"[indicator a]\ntitle_sv = a\ntitle_en = a\nmethod = rate\nfilter = age >= 200\n"
		"[indicator s]\ntitle_sv = s\ntitle_en = s\nmethod = dsr\nby = district\n"
		"[indicator w]\ntitle_sv = w\ntitle_en = w\nmethod = wilson\nfilter = sex = F\n"
		"numerator = sex = F\nby = district\n"
		"[indicator x]\ntitle_sv = x\ntitle_en = x\nmethod = exact\nnumerator = sex = M\n"
		"by = district\n"
		"[indicator q]\ntitle_sv = q\ntitle_en = q\nunit = episodes\nmethod = quartiles\n"
		"measure = length_days\n"
		"[indicator m]\ntitle_sv = m\ntitle_en = m\nmethod = mean\nmeasure = cost_sek\n"
		"[indicator h]\ntitle_sv = h\ntitle_en = h\nmethod = chao\n"
		"[indicator l]\ntitle_sv = l\ntitle_en = l\nmethod = loglinear\n";
	static const char zero_pop[] =
		"year,district,sex,age,population\n"
		"2024,ANGERED,F,0+,0\n2024,ANGERED,M,0+,0\n"
		"2023,ANGERED,F,0+,100000000\n2023,ANGERED,M,0+,0\n";
	struct ind_catalogue cat;
	struct ind_population pop;
	struct ind_data data;
	struct ind_result res;
	struct pl_diag d;

	assert_int_equal(load_catalogue(state, cat_text, &cat, &d), PL_OK);
	assert_int_equal(load_population(state, zero_pop, &pop, &d), PL_OK);
	make_data(&data);
	for (size_t i = 0; i < data.n_ep; i++) {   /* one district, no ages, no costs */
		data.ep[i].code[IND_D_DISTRICT] = (int8_t)code_of(PL_CL_DISTRICT, "ANGERED");
		data.ep[i].cost = -1;
	}
	for (size_t i = 0; i < data.n_p; i++)
		data.p[i].birth_year = 0;
	assert_int_equal(ind_compute(&cat, &data, &pop, &res, &d), PL_OK);
	assert_true(res.n_rows > 20);
	for (size_t i = 0; i < res.n_rows; i++) {
		const struct ind_row *r = &res.rows[i];

		if (r->has_value) {
			if (!isfinite(r->est.value) || !isfinite(r->est.lower) ||
			    !isfinite(r->est.upper) || r->est.lower > r->est.value ||
			    r->est.value > r->est.upper)
				fail_msg("row %zu (%s %s): %g [%g, %g]", i, cat.defs[r->def].id,
					 r->period, r->est.value, r->est.lower, r->est.upper);
		} else if (!r->note[0]) {
			fail_msg("row %zu (%s %s) has neither a value nor a note", i,
				 cat.defs[r->def].id, r->period);
		}
		assert_true(isnan(r->num) || isfinite(r->num));
		assert_true(isnan(r->den) || isfinite(r->den));
	}
	/* 2024 rates over a population of 0: no value, said so */
	assert_string_equal(find_row(&cat, &res, "r", "2024", -1, -1)->note, "population is 0");
	assert_false(find_row(&cat, &res, "r", "2024", -1, -1)->has_value);
	/* 2023: 2 persons in 100 million women and 0 men */
	assert_true(find_row(&cat, &res, "r", "2023", -1, -1)->has_value);
	assert_false(find_row(&cat, &res, "r", "2023", 2, IND_D_SEX, "M", -1)->has_value);
	/* counts need no population: the total has a value */
	assert_true(find_row(&cat, &res, "c", "2024", -1, -1)->has_value);
	assert_int_equal(res.n_equity, 0);   /* one district: nothing to compare */
	ind_result_release(&res);
	ind_data_release(&data);
	ind_population_release(&pop);
	ind_catalogue_release(&cat);
}

static void test_compute__no_episodes_no_rows(void **state)
{
	struct ind_catalogue cat;
	struct ind_population pop;
	struct ind_data data;
	struct ind_result res;
	struct pl_diag d;

	load_compute_fixture(state, &cat, &pop);
	memset(&data, 0, sizeof(data));
	assert_int_equal(ind_compute(&cat, &data, &pop, &res, &d), PL_OK);
	assert_int_equal(res.n_rows, 0);
	ind_result_release(&res);
	ind_population_release(&pop);
	ind_catalogue_release(&cat);
}

/* Quartiles sweep as many periods at once as keep their distinct-value
 * tables within the budget, starting the later ones over when the tables
 * outgrow it: whatever the budget (one period a sweep, a few, all), the
 * very same rows, in the same order.  Three years of episodes with
 * distinct costs and lengths, two districts; the middle budget holds two
 * periods' tables but not three, so the third starts over mid-sweep. */
static void test_compute__quartiles_same_under_any_budget(void **state)
{
	static const char cat_text[] =
		CAT_HEAD
		"[indicator len]\ntitle_sv = l\ntitle_en = l\nunit = episodes\n"
		"period = end_year\nmethod = quartiles\nmeasure = length_days\nby = district\n"
		"[indicator cost]\ntitle_sv = c\ntitle_en = c\nperiod = start_year\n"
		"method = quartiles\nmeasure = cost_sek\nby = district\n";
	static const size_t budgets[] = { 150000, 0, (size_t)-1 };
	struct ind_catalogue cat;
	struct ind_population pop;
	struct ind_data data;
	struct ind_result want, got;
	struct pl_diag d;
	size_t n_ep = 3000;

	assert_int_equal(load_catalogue(state, cat_text, &cat, &d), PL_OK);
	assert_int_equal(load_population(state, pop_text, &pop, &d), PL_OK);
	memset(&data, 0, sizeof(data));
	data.n_ep = data.n_p = n_ep;
	data.ep = calloc(n_ep, sizeof(*data.ep));
	data.p = calloc(n_ep, sizeof(*data.p));
	assert_non_null(data.ep);
	assert_non_null(data.p);
	for (size_t i = 0; i < n_ep; i++) {
		struct ind_episode *e = &data.ep[i];

		e->start = day("2022-01-01") + (int32_t)(i % 3) * 366 + (int32_t)(i / 3 % 200);
		e->end = e->start + (int32_t)(i / 3 % 150);
		e->cost = 10.0 + (double)i;
		e->code[IND_D_DISTRICT] = (int8_t)code_of(PL_CL_DISTRICT, i % 2 ? "ANGERED" : "LUNDBY");
		data.p[i].first = i;
		data.p[i].n = 1;
		data.p[i].birth_year = 1980;
	}
	data.first_year = 2022;
	data.last_year = 2024;
	data.as_of = day("2024-12-31");
	cat.threads = 1;
	data.table_budget = 1;            /* one period a sweep */
	assert_int_equal(ind_compute(&cat, &data, &pop, &want, &d), PL_OK);
	assert_int_equal(want.n_rows, 2 * 3 * 3);
	for (size_t b = 0; b < N_OF(budgets); b++) {
		data.table_budget = budgets[b];
		assert_int_equal(ind_compute(&cat, &data, &pop, &got, &d), PL_OK);
		assert_int_equal(got.n_rows, want.n_rows);
		assert_memory_equal(got.rows, want.rows, want.n_rows * sizeof(*want.rows));
		ind_result_release(&got);
	}
	ind_result_release(&want);
	ind_data_release(&data);
	ind_population_release(&pop);
	ind_catalogue_release(&cat);
}

/* Field by field: the period strings' bytes after their end are not set. */
static int same_equity(const struct ind_equity *a, const struct ind_equity *b)
{
	return a->def == b->def && strcmp(a->period, b->period) == 0 && a->units == b->units &&
		memcmp(&a->h, &b->h, sizeof(a->h)) == 0;
}

static int same_trend(const struct ind_trend *a, const struct ind_trend *b)
{
	return a->def == b->def && a->by == b->by && memcmp(a->key, b->key, sizeof(a->key)) == 0 &&
		strcmp(a->first, b->first) == 0 && strcmp(a->last, b->last) == 0 &&
		a->n == b->n && memcmp(&a->slope, &b->slope, sizeof(a->slope)) == 0;
}

/* Regression (issue 8: indicators held every episode in memory, 412 MiB at
 * 10M rows): the persons spilled to a file, read back through read buffers
 * smaller than a person (8 and 40 bytes: persons straddle refills and the
 * buffer grows) or the default, give the very rows, equity rows and trends
 * of the data in memory, computed on one thread, whether on one thread
 * per core or 1, 2 or 3 (indicators on threads, each with its own cursor on
 * the file); the spill file has no name left in the directory. */
static void test_compute__spilled_same_as_in_memory(void **state)
{
	static const size_t chunks[] = { 0, 8, 40 };
	struct ind_catalogue cat;
	struct ind_population pop;
	struct ind_data mem;
	struct ind_result want;
	struct pl_diag d;
	char dir[512];

	unit_path(state, ".", dir, sizeof(dir));
	load_compute_fixture(state, &cat, &pop);
	make_data(&mem);
	cat.threads = 1;
	assert_int_equal(ind_compute(&cat, &mem, &pop, &want, &d), PL_OK);
	cat.threads = 0;
	assert_true(want.n_rows > 20 && want.n_equity > 0);
	for (size_t c = 0; c < N_OF(chunks); c++) {
		struct ind_data sp;
		struct ind_result got;
		DIR *dp;
		struct dirent *de;

		make_data(&sp);
		sp.chunk_bytes = chunks[c];
		assert_int_equal(ind_data_spill(&sp, dir, &d), PL_OK);
		assert_null(sp.ep);
		assert_null(sp.p);
		assert_non_null(sp.spill);
		dp = opendir(dir);
		assert_non_null(dp);
		while ((de = readdir(dp)) != NULL)
			assert_null(strstr(de->d_name, "spill"));
		closedir(dp);
		for (long t = 0; t <= 3; t++) {   /* one per core, 1, 2, 3 threads */
			cat.threads = t;
			assert_int_equal(ind_compute(&cat, &sp, &pop, &got, &d), PL_OK);
			assert_int_equal(got.n_rows, want.n_rows);
			assert_int_equal(got.n_equity, want.n_equity);
			assert_int_equal(got.n_trends, want.n_trends);
			assert_int_equal(got.n_warnings, want.n_warnings);
			assert_memory_equal(got.rows, want.rows, want.n_rows * sizeof(*want.rows));
			for (size_t i = 0; i < want.n_equity; i++)
				assert_true(same_equity(&got.equity[i], &want.equity[i]));
			for (size_t i = 0; i < want.n_trends; i++)
				assert_true(same_trend(&got.trends[i], &want.trends[i]));
			ind_result_release(&got);
		}
		cat.threads = 0;
		ind_data_release(&sp);
	}
	ind_result_release(&want);
	ind_data_release(&mem);
	ind_population_release(&pop);
	ind_catalogue_release(&cat);
}

/* A spill file cut short (disk trouble under the stage) is an I/O error,
 * not figures from part of the persons. */
static void test_compute__short_spill_file_is_an_io_error(void **state)
{
	struct ind_catalogue cat;
	struct ind_population pop;
	struct ind_data sp;
	struct ind_result res;
	struct pl_diag d;
	char dir[512];

	unit_path(state, ".", dir, sizeof(dir));
	load_compute_fixture(state, &cat, &pop);
	make_data(&sp);
	assert_int_equal(ind_data_spill(&sp, dir, &d), PL_OK);
	assert_int_equal(ftruncate(fileno(sp.spill), 40), 0);
	pl_diag_clear(&d);
	assert_int_equal(ind_compute(&cat, &sp, &pop, &res, &d), PL_EIO);
	assert_string_equal(d.msg, "cannot read a temporary file: it ended early");
	assert_int_equal(res.n_rows, 0);
	assert_null(res.rows);
	ind_data_release(&sp);
	ind_population_release(&pop);
	ind_catalogue_release(&cat);
}


/* ---- the sums a night starts from ------------------------------------------- */

/* The data in memory without person skip (the same periods). */
static void data_without(const struct ind_data *all, size_t skip, struct ind_data *out)
{
	*out = *all;
	out->ep = calloc(all->n_ep, sizeof(*out->ep));
	out->p = calloc(all->n_p, sizeof(*out->p));
	assert_non_null(out->ep);
	assert_non_null(out->p);
	out->n_ep = out->n_p = 0;
	for (size_t i = 0; i < all->n_p; i++) {
		if (i == skip)
			continue;
		out->p[out->n_p] = all->p[i];
		out->p[out->n_p].first = out->n_ep;
		memcpy(out->ep + out->n_ep, all->ep + all->p[i].first, all->p[i].n * sizeof(*out->ep));
		out->n_ep += all->p[i].n;
		out->n_p++;
	}
}

/* n_p persons of 1 to 3 episodes each over 2022..2024 (a fixed
 * pseudo-random sequence): districts, sexes, interventions, providers,
 * costs (some in öre, some missing), lengths, ongoing ones and birth
 * years (some unknown), so that every figure of the catalogue has values
 * enough to show. */
static void make_many(struct ind_data *data, size_t n_p)
{
	static const char *const districts[] = { "ANGERED", "LUNDBY", "OSTRA" };
	static const char *const interventions[] = { "OPEN", "INST", "LVM" };
	static const char *const providers[] = { "MUNI", "PRIV", "NGO" };
	uint32_t x = 12345;

	memset(data, 0, sizeof(*data));
	data->ep = calloc(3 * n_p, sizeof(*data->ep));
	data->p = calloc(n_p, sizeof(*data->p));
	assert_non_null(data->ep);
	assert_non_null(data->p);
	for (size_t i = 0; i < n_p; i++) {
		size_t n = 1 + (x = x * 1103515245u + 12345u) % 3;

		data->p[i].first = data->n_ep;
		data->p[i].n = n;
		data->p[i].birth_year = (x >> 8) % 7 ? 1940 + (int)((x >> 12) % 70) : 0;
		for (size_t j = 0; j < n; j++) {
			struct ind_episode *e = &data->ep[data->n_ep++];

			x = x * 1103515245u + 12345u;
			e->start = day("2022-01-01") + (int32_t)((x >> 4) % 1090);
			e->end = (x >> 16) % 5 ? e->start + (int32_t)((x >> 20) % 400) : IND_ONGOING;
			e->cost = (x >> 9) % 4 ? (double)((x >> 11) % 100000) / 100 : -1;
			e->code[IND_D_DISTRICT] = code_or_missing(PL_CL_DISTRICT, districts[(x >> 24) % 3]);
			e->code[IND_D_SEX] = code_or_missing(PL_CL_SEX, i % 2 ? "M" : "F");
			e->code[IND_D_INTERVENTION] = code_or_missing(PL_CL_INTERVENTION,
								      interventions[(x >> 26) % 3]);
			e->code[IND_D_PROVIDER] = code_or_missing(PL_CL_PROVIDER, providers[(x >> 28) % 3]);
			e->code[IND_D_SUBSTANCE] = code_or_missing(PL_CL_SUBSTANCE, "ALC");
			e->code[IND_D_CHILDREN] = code_or_missing(PL_CL_CHILDREN, "N");
			e->code[IND_D_ID_TYPE] = code_or_missing(PL_CL_ID_TYPE, "PNR");
		}
	}
	data->n_p = n_p;
	data->first_year = 2022;
	data->last_year = 2024;
	data->as_of = day("2024-12-31");
}

/* Person i of data as a delta with sign. */
static void delta_of(const struct ind_data *data, size_t i, int sign, struct ind_delta *dl)
{
	struct ind_kept_ep k[8];

	assert_true(data->p[i].n <= N_OF(k));
	memset(k, 0, sizeof(k));
	for (size_t j = 0; j < data->p[i].n; j++) {
		k[j].ep = data->ep[data->p[i].first + j];
		k[j].birth_year = data->p[i].birth_year;
	}
	ind_delta_add(dl, k, data->p[i].n, sign);
}

static void expect_same_result(const struct ind_result *got, const struct ind_result *want)
{
	assert_false(got->stale);
	assert_int_equal(got->n_rows, want->n_rows);
	assert_memory_equal(got->rows, want->rows, want->n_rows * sizeof(*want->rows));
	assert_int_equal(got->n_equity, want->n_equity);
	for (size_t i = 0; i < want->n_equity; i++)
		assert_true(same_equity(&got->equity[i], &want->equity[i]));
	assert_int_equal(got->n_trends, want->n_trends);
	for (size_t i = 0; i < want->n_trends; i++)
		assert_true(same_trend(&got->trends[i], &want->trends[i]));
}

/* Issue 8, nights: for persons of 200 made up (make_many) and of the
 * compute fixture, under the compute catalogue with quartiles and a
 * hidden-population estimate besides: counting the others and then adding
 * the person as a night's delta gives the very rows, equity rows and
 * trends of counting everyone, and the sums it ends with give them again
 * after a night with nothing in it; taking the person out of everyone's
 * sums gives those of counting the others; on one thread and on three. */
static void test_sums__a_night_equals_a_full_count(void **state)
{
	static const char extra[] =
		"[indicator len]\ntitle_sv = l\ntitle_en = l\nunit = episodes\n"
		"period = end_year\nmethod = quartiles\nmeasure = length_days\nby = district\n"
		"[indicator hidden]\ntitle_sv = h\ntitle_en = h\nmethod = chao\n";
	char text[sizeof(compute_cat) + sizeof(extra)];
	struct ind_catalogue cat;
	struct ind_population pop;
	struct ind_data all, some;
	struct ind_sums s_all, s_some, s_out, s_again;
	struct ind_result want_all, want_some, got;
	struct ind_delta none = { 0 };
	struct pl_diag d;

	snprintf(text, sizeof(text), "%s%s", compute_cat, extra);
	assert_int_equal(load_catalogue(state, text, &cat, &d), PL_OK);
	assert_int_equal(load_population(state, pop_text, &pop, &d), PL_OK);
	for (int round = 0; round < 4; round++) {
		size_t step = round < 2 ? 23 : 1;

		if (round < 2)
			make_many(&all, 200);
		else
			make_data(&all);
		cat.threads = round % 2 ? 3 : 1;
		assert_int_equal(ind_compute_sums(&cat, &all, &pop, NULL, NULL, &s_all, &want_all, &d),
				 PL_OK);
		assert_true(want_all.n_rows > 0);
		for (size_t i = 0; i < all.n_p; i += step) {
			struct ind_delta in = { 0 }, out = { 0 };

			data_without(&all, i, &some);
			assert_int_equal(ind_compute_sums(&cat, &some, &pop, NULL, NULL, &s_some,
							  &want_some, &d), PL_OK);
			delta_of(&all, i, 1, &in);
			assert_int_equal(ind_compute_sums(&cat, &all, &pop, &s_some, &in, &s_out, &got,
							  &d), PL_OK);
			expect_same_result(&got, &want_all);
			ind_result_release(&got);
			assert_int_equal(ind_compute_sums(&cat, &all, &pop, &s_out, &none, &s_again,
							  &got, &d), PL_OK);
			expect_same_result(&got, &want_all);
			ind_result_release(&got);
			delta_of(&all, i, -1, &out);
			assert_int_equal(ind_compute_sums(&cat, &some, &pop, &s_all, &out, NULL, &got,
							  &d), PL_OK);
			expect_same_result(&got, &want_some);
			ind_result_release(&got);
			ind_delta_release(&in);
			ind_delta_release(&out);
			ind_sums_release(&s_again);
			ind_sums_release(&s_out);
			ind_sums_release(&s_some);
			ind_result_release(&want_some);
			ind_data_release(&some);
		}
		ind_sums_release(&s_all);
		ind_result_release(&want_all);
		ind_data_release(&all);
	}
	ind_population_release(&pop);
	ind_catalogue_release(&cat);
}

/* Sums that do not fit the data are stale, with no rows: a period the
 * data have that the sums lack (a year more), the sums of a period the
 * data no longer have (a year less), of another catalogue (one indicator
 * fewer), or a person taken out of a group it was never counted in. */
static void test_sums__stale_when_they_do_not_fit(void **state)
{
	struct ind_catalogue cat;
	struct ind_population pop;
	struct ind_data data;
	struct ind_sums sums, fewer;
	struct ind_result res, got;
	struct ind_delta none = { 0 }, twice = { 0 };
	struct pl_diag d;

	load_compute_fixture(state, &cat, &pop);
	make_data(&data);
	assert_int_equal(ind_compute_sums(&cat, &data, &pop, NULL, NULL, &sums, &res, &d), PL_OK);
	data.last_year = 2025;
	assert_int_equal(ind_compute_sums(&cat, &data, &pop, &sums, &none, NULL, &got, &d), PL_OK);
	assert_true(got.stale);
	assert_int_equal(got.n_rows, 0);
	data.last_year = 2024;
	data.first_year = 2024;
	assert_int_equal(ind_compute_sums(&cat, &data, &pop, &sums, &none, NULL, &got, &d), PL_OK);
	assert_true(got.stale);
	data.first_year = 2023;
	fewer = sums;
	fewer.n_defs--;
	assert_int_equal(ind_compute_sums(&cat, &data, &pop, &fewer, &none, NULL, &got, &d), PL_OK);
	assert_true(got.stale);
	delta_of(&data, 3, -1, &twice);   /* p3: the only one in Lundby's PRIV group */
	delta_of(&data, 3, -1, &twice);
	assert_int_equal(ind_compute_sums(&cat, &data, &pop, &sums, &twice, NULL, &got, &d), PL_OK);
	assert_true(got.stale);
	assert_int_equal(ind_compute_sums(&cat, &data, &pop, &sums, &none, NULL, &got, &d), PL_OK);
	assert_false(got.stale);
	expect_same_result(&got, &res);
	ind_result_release(&got);
	ind_delta_release(&twice);
	ind_sums_release(&sums);
	ind_result_release(&res);
	ind_data_release(&data);
	ind_population_release(&pop);
	ind_catalogue_release(&cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_catalogue__every_key),
		T(test_catalogue__errors_name_their_line),
		T(test_catalogue__file_level_errors),
		T(test_population__sums_and_partial_bands),
		T(test_population__errors),
		T(test_compute__figures_counted_by_hand),
		T(test_compute__extreme_inputs_never_nan),
		T(test_compute__no_episodes_no_rows),
		T(test_compute__quartiles_same_under_any_budget),
		T(test_compute__spilled_same_as_in_memory),
		T(test_compute__short_spill_file_is_an_io_error),
		T(test_sums__a_night_equals_a_full_count),
		T(test_sums__stale_when_they_do_not_fit),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

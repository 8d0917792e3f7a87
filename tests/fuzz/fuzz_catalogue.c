/*
 * tests/fuzz/fuzz_catalogue.c - libFuzzer target for the indicator
 * catalogue (indicators/catalogue.c, mappings/indicators/indicators.ini)
 * and lib/inifile beneath it, then the computation (indicators/compute.c)
 * of whatever catalogue loads over fixed synthetic episodes and population
 * (ind_fixture.h).
 *
 * Input: a catalogue file, written to cat.ini in a private temporary
 * directory.  ind_catalogue_load(); invariants (abort()):
 *   - failure: PL_ECONFIG with a message and the file, a line >= 0; the
 *     catalogue is left empty (no definitions, no bands)
 *   - success: 1..16 age bands following each other from their first age,
 *     only the last one open, labels as FROM-TO or FROM+, ind_band_of()
 *     finds each band's ages; conf in [0.5, 1); at least one indicator,
 *     each with a valid unique id, both titles, a definition, a multiplier
 *     in (0, 1e9], its method, measure, unit, numerator and breakdowns
 *     consistent as the catalogue language requires, conditions on valid
 *     dimensions with value sets inside the dimension's values
 *   - ind_compute() over the fixture: every row belongs to an indicator and
 *     breakdown of the catalogue, keys are values of their dimension, a
 *     value has a finite interval around it, a row without one has a note
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "ind_fixture.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_catalogue: invariant failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static struct ind_population pop;
static struct ind_data data;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pl_diag d;

	(void)argc;
	(void)argv;
	fuzz_ind_make_paths("fuzz_catalogue");
	fuzz_write_file(fuzz_ind_pop_path, fuzz_ind_population, strlen(fuzz_ind_population));
	pl_diag_clear(&d);
	if (ind_population_load(fuzz_ind_pop_path, &pop, &d) != PL_OK) {
		fprintf(stderr, "fuzz_catalogue: fixture population: %s\n", d.msg);
		abort();
	}
	fuzz_ind_make_data(&data);
	return 0;
}

static void check_cond(const struct ind_catalogue *cat, const struct ind_cond *c)
{
	size_t n = ind_dim_n_values(c->dim, cat);

	CHECK((unsigned)c->dim < IND_D__COUNT && c->dim != IND_D_AGE_BAND);
	if (c->dim < IND_N_CODE_DIMS) {
		CHECK(c->op == IND_OP_IN || c->op == IND_OP_NOT_IN);
		CHECK(c->set != 0 && n >= 2 && n <= 32);
		CHECK((c->set >> (n - 1)) == 0);   /* never "missing" or beyond */
	} else {
		CHECK(c->op >= IND_OP_LT && c->op <= IND_OP_NE && isfinite(c->num));
	}
}

static void check_bands(const struct ind_catalogue *cat)
{
	CHECK(cat->n_bands >= 1 && cat->n_bands <= IND_MAX_BANDS);
	for (size_t i = 0; i < cat->n_bands; i++) {
		const struct ind_band *b = &cat->bands[i];
		char label[32];

		CHECK(b->from >= 0 && b->from <= 150 && b->to >= b->from);
		CHECK(b->to == INT_MAX ? i + 1 == cat->n_bands : b->to <= 150);
		if (i > 0)
			CHECK(b->from == cat->bands[i - 1].to + 1);
		if (b->to == INT_MAX)
			snprintf(label, sizeof(label), "%d+", b->from);
		else
			snprintf(label, sizeof(label), "%d-%d", b->from, b->to);
		CHECK(strcmp(label, b->label) == 0);
		CHECK(ind_band_of(cat, b->from) == i);
		if (b->to != INT_MAX)
			CHECK(ind_band_of(cat, b->to) == i);
		CHECK(strcmp(ind_dim_value(IND_D_AGE_BAND, cat, (int)i), b->label) == 0);
	}
	CHECK(ind_band_of(cat, -1) == cat->n_bands);
	CHECK(strcmp(ind_dim_value(IND_D_AGE_BAND, cat, (int)cat->n_bands), "MISSING") == 0);
	CHECK(ind_dim_value(IND_D_AGE_BAND, cat, (int)cat->n_bands + 1) == NULL);
}

static void check_def(const struct ind_catalogue *cat, size_t idx)
{
	const struct ind_def *def = &cat->defs[idx];
	enum ind_method m = def->method;
	char period[32];

	CHECK(def->id[0] && strspn(def->id, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
	      strlen(def->id));
	for (size_t i = 0; i < idx; i++)
		CHECK(strcmp(cat->defs[i].id, def->id) != 0);
	CHECK(def->title_sv && def->title_en && def->definition && def->line > 0);
	CHECK(def->multiplier > 0 && def->multiplier <= 1e9);
	CHECK(strcmp(ind_method_name(m), "?") != 0);
	CHECK(strcmp(ind_measure_name(def->measure), "?") != 0);
	CHECK((m == IND_M_WILSON || m == IND_M_EXACT) == (def->n_numer > 0));
	CHECK((m == IND_M_QUARTILES || m == IND_M_MEAN) == (def->measure != IND_MEAS_NONE));
	if (m == IND_M_CHAO || m == IND_M_LOGLINEAR || m == IND_M_RATE || m == IND_M_DSR)
		CHECK(def->unit == IND_PERSONS);
	if (m == IND_M_CHAO || m == IND_M_LOGLINEAR)
		CHECK(def->n_by == 0);
	CHECK((unsigned)def->sources < IND_N_CODE_DIMS);
	CHECK(def->n_filter <= IND_MAX_COND && def->n_numer <= IND_MAX_COND);
	for (size_t i = 0; i < def->n_filter; i++)
		check_cond(cat, &def->filter[i]);
	for (size_t i = 0; i < def->n_numer; i++)
		check_cond(cat, &def->numer[i]);
	CHECK(def->n_by <= IND_MAX_BY);
	for (size_t i = 0; i < def->n_by; i++) {
		CHECK(def->by[i][0] >= 0 && def->by[i][0] <= IND_D_AGE_BAND);
		CHECK(def->by[i][1] >= -1 && def->by[i][1] <= IND_D_AGE_BAND);
		CHECK(def->by[i][0] != def->by[i][1]);
		if (m == IND_M_DSR)
			CHECK(def->by[i][0] != IND_D_AGE_BAND && def->by[i][1] != IND_D_AGE_BAND);
	}
	if (def->period == IND_P_DAY)
		CHECK(def->day_month >= 1 && def->day_month <= 12 && def->day_mday >= 1 &&
		      def->day_mday <= 31);
	ind_period_name(def, period, sizeof(period));
	CHECK(period[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	struct ind_catalogue cat;
	struct ind_result res;
	struct pl_diag d;
	enum pl_err err;

	fuzz_write_file(fuzz_ind_cat_path, bytes, size);
	pl_diag_clear(&d);
	err = ind_catalogue_load(fuzz_ind_cat_path, &cat, &d);
	if (err != PL_OK) {
		CHECK(err == PL_ECONFIG && d.err == err && d.msg[0] && d.line >= 0);
		CHECK(strcmp(d.file, fuzz_ind_cat_path) == 0);
		CHECK(cat.defs == NULL && cat.n_defs == 0 && cat.n_bands == 0);
		return 0;
	}
	CHECK(cat.conf >= 0.5 && cat.conf < 1);
	CHECK(cat.n_defs >= 1 && cat.sha256[0]);
	check_bands(&cat);
	for (size_t i = 0; i < cat.n_defs; i++)
		check_def(&cat, i);
	CHECK(ind_compute(&cat, &data, &pop, &res, &d) == PL_OK);
	CHECK(fuzz_ind_result_ok(&cat, &res));
	ind_result_release(&res);
	ind_catalogue_release(&cat);
	return 0;
}

/*
 * tests/fuzz/fuzz_population.c - libFuzzer target for the population table
 * (indicators/population.c, mappings/population/population.csv) and the
 * CSV reader beneath it, then the computation (indicators/compute.c) of a
 * fixed catalogue using every method over fixed synthetic episodes
 * (ind_fixture.h) divided by whatever population loads.
 *
 * Input: a population CSV, written to population.csv in a private
 * temporary directory.  ind_population_load(); invariants (abort()):
 *   - failure: PL_ECONFIG with a message and the file, a line >= 0; no
 *     cells are left
 *   - success: cells sorted by year, district, sex and age; years in
 *     1900..2200, district and sex codes valid, populations whole numbers
 *     in 0..1e8; each year, district and sex covers ages 0 to one open band
 *     without gap or overlap, with both sexes; ind_population_sum() is -1
 *     (a district without the year) or a finite sum no greater than the
 *     whole year's, and the whole year of a district equals its cells' sum
 *   - ind_compute(): as in fuzz_catalogue
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
	fprintf(stderr, "fuzz_population: invariant failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static struct ind_catalogue cat;
static struct ind_data data;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pl_diag d;

	(void)argc;
	(void)argv;
	fuzz_ind_make_paths("fuzz_population");
	fuzz_write_file(fuzz_ind_cat_path, fuzz_ind_catalogue, strlen(fuzz_ind_catalogue));
	pl_diag_clear(&d);
	if (ind_catalogue_load(fuzz_ind_cat_path, &cat, &d) != PL_OK) {
		fprintf(stderr, "fuzz_population: fixture catalogue: %s\n", d.msg);
		abort();
	}
	fuzz_ind_make_data(&data);
	return 0;
}

static int cell_before(const struct ind_pop_cell *a, const struct ind_pop_cell *b)
{
	if (a->year != b->year)
		return a->year < b->year;
	if (a->district != b->district)
		return a->district < b->district;
	if (a->sex != b->sex)
		return a->sex < b->sex;
	return a->age_from < b->age_from;
}

/* The sums of one district's year against its cells. */
static void check_sums(const struct ind_population *pop, const struct ind_pop_cell *c)
{
	uint32_t set = 1u << c->district;
	double whole = 0, s;

	for (size_t i = 0; i < pop->n_cells; i++)
		if (pop->cells[i].year == c->year && pop->cells[i].district == c->district)
			whole += pop->cells[i].n;
	s = ind_population_sum(pop, c->year, set, 3, 0, INT_MAX);
	CHECK(s == whole);
	s = ind_population_sum(pop, c->year, set, 1, 21, INT_MAX);
	CHECK(isfinite(s) && s >= 0 && s <= whole * (1 + 1e-12));
	s = ind_population_sum(pop, c->year, set, 2, 20, 24);
	CHECK(isfinite(s) && s >= 0 && s <= whole * (1 + 1e-12));
	s = ind_population_sum(pop, c->year, set, 3, 200, INT_MAX);
	CHECK(s == 0);
	CHECK(ind_population_sum(pop, c->year + 1000, set, 3, 0, INT_MAX) == -1);
}

static void check_population(const struct ind_population *pop)
{
	size_t n_districts = 0;

	for (const char *const *c = pl_codes(PL_CL_DISTRICT); *c; c++)
		n_districts++;
	CHECK(pop->n_cells > 0 && pop->sha256[0] && strcmp(pop->path, fuzz_ind_pop_path) == 0);
	for (size_t i = 0; i < pop->n_cells; i++) {
		const struct ind_pop_cell *c = &pop->cells[i];
		const struct ind_pop_cell *p = i ? &pop->cells[i - 1] : NULL;
		int first = !p || p->year != c->year || p->district != c->district ||
			    p->sex != c->sex;

		CHECK(c->year >= 1900 && c->year <= 2200);
		CHECK(c->district >= 0 && (size_t)c->district < n_districts);
		CHECK(c->sex == 0 || c->sex == 1);
		CHECK(c->n >= 0 && c->n <= 1e8 && c->n == floor(c->n));
		CHECK(c->age_from >= 0 && c->age_to >= c->age_from);
		CHECK(c->age_to == INT_MAX || c->age_to <= 150);
		if (p)
			CHECK(cell_before(p, c));
		if (first)
			CHECK(c->age_from == 0);
		else
			CHECK(p->age_to != INT_MAX && c->age_from == p->age_to + 1);
		if (i + 1 == pop->n_cells || pop->cells[i + 1].year != c->year ||
		    pop->cells[i + 1].district != c->district || pop->cells[i + 1].sex != c->sex)
			CHECK(c->age_to == INT_MAX);
		if (first && c->sex == 0)
			check_sums(pop, c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	struct ind_population pop;
	struct ind_result res;
	struct pl_diag d;
	enum pl_err err;

	fuzz_write_file(fuzz_ind_pop_path, bytes, size);
	pl_diag_clear(&d);
	err = ind_population_load(fuzz_ind_pop_path, &pop, &d);
	if (err != PL_OK) {
		CHECK(err == PL_ECONFIG && d.err == err && d.msg[0] && d.line >= 0);
		CHECK(strcmp(d.file, fuzz_ind_pop_path) == 0);
		CHECK(pop.cells == NULL && pop.n_cells == 0);
		return 0;
	}
	check_population(&pop);
	CHECK(ind_compute(&cat, &data, &pop, &res, &d) == PL_OK);
	CHECK(fuzz_ind_result_ok(&cat, &res));
	ind_result_release(&res);
	ind_population_release(&pop);
	return 0;
}

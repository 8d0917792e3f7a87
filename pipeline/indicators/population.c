/*
 * indicators/population.c - the population table the rates divide by:
 * inhabitants by year, district, sex and age band, from a CSV file such as
 * mappings/population/population.csv (format in docs/indicators.md).
 *
 * The header names the columns, in any order: year (år), district
 * (stadsområde, område, region), sex (kön), age (ålder) and population
 * (folkmängd, antal); comma, semicolon or tab separated, UTF-8.  Ages are
 * bands "20-24", "95+" or single years "21", optionally followed by "år".
 * Every year, district and sex must cover ages 0 to an open band without
 * gaps or overlaps, so that no age range is silently short.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "indicators.h"
#include "schema.h"
#include "text.h"

enum { COL_YEAR, COL_DISTRICT, COL_SEX, COL_AGE, COL_POP, N_COLS };

static const char *const col_names[N_COLS][5] = {
	[COL_YEAR] = { "year", "år", NULL },
	[COL_DISTRICT] = { "district", "stadsområde", "område", "region", NULL },
	[COL_SEX] = { "sex", "kön", NULL },
	[COL_AGE] = { "age", "ålder", NULL },
	[COL_POP] = { "population", "folkmängd", "antal", NULL },
};

#define OPEN_BAND_YEARS 10    /* an open band counts as this many years */
#define MAX_POP_ROWS 10000000
#define MAX_LINE 4096

/* The delimiter of the header line: the most frequent of , ; and tab. */
static enum pl_err sniff_delimiter(const char *path, char *delim, struct pl_diag *d)
{
	char line[MAX_LINE];
	size_t n[3] = { 0, 0, 0 };
	const char cand[3] = { ',', ';', '\t' };
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return pl_diag_set(d, PL_ECONFIG, path, 0, "cannot read the population file: %s",
				   strerror(errno));
	if (!fgets(line, sizeof(line), fp))
		line[0] = '\0';
	fclose(fp);
	for (const char *p = line; *p; p++)
		for (int i = 0; i < 3; i++)
			n[i] += *p == cand[i];
	*delim = n[1] > n[0] ? (n[2] > n[1] ? '\t' : ';') : (n[2] > n[0] ? '\t' : ',');
	if (n[0] + n[1] + n[2] == 0)
		return pl_diag_set(d, PL_ECONFIG, path, 1, "the population file's first line is "
				   "not a header of year, district, sex, age and population");
	return PL_OK;
}

static enum pl_err map_header(const struct pl_csv_record *rec, const char *path, int col[N_COLS],
			      struct pl_diag *d)
{
	struct pl_buf fold;
	enum pl_err err = PL_OK;

	pl_buf_init(&fold);
	for (int c = 0; c < N_COLS; c++)
		col[c] = -1;
	for (size_t i = 0; i < rec->n_kept; i++) {
		pl_fold(rec->fields[i], rec->lens[i], &fold);
		for (int c = 0; c < N_COLS; c++)
			for (const char *const *n = col_names[c]; *n; n++)
				if (strcmp(fold.data, *n) == 0 && col[c] < 0)
					col[c] = (int)i;
	}
	for (int c = 0; c < N_COLS && !err; c++)
		if (col[c] < 0)
			err = pl_diag_set(d, PL_ECONFIG, path, rec->line, "the population file has "
					  "no column '%s'", col_names[c][0]);
	pl_buf_release(&fold);
	return err;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char digits[32];
	size_t n = 0;
	char *end;

	for (; *s; s++) {             /* digits, thousands spaces dropped */
		if (*s == ' ')
			continue;
		if (n + 1 == sizeof(digits))
			return -1;
		digits[n++] = *s;
	}
	digits[n] = '\0';
	if (n == 0 || digits[0] < '0' || digits[0] > '9')
		return -1;
	errno = 0;
	*out = strtol(digits, &end, 10);
	return *end || errno || *out < min || *out > max ? -1 : 0;
}

/* "20-24", "20–24 år", "95+", "21", "21 år". */
static int parse_age(const char *s, int *from, int *to)
{
	char buf[64], *p, *end;
	long a, b;

	snprintf(buf, sizeof(buf), "%s", s);
	p = strstr(buf, " år");
	if (p && p[strlen(" år")] == '\0')
		*p = '\0';
	a = strtol(buf, &end, 10);
	if (end == buf || a < 0 || a > 150)
		return -1;
	if (strcmp(end, "+") == 0 || strcmp(end, "-w") == 0) {
		*from = (int)a;
		*to = INT_MAX;
		return 0;
	}
	if (*end == '\0') {
		*from = *to = (int)a;
		return 0;
	}
	if (*end == '-')
		end++;
	else if (strncmp(end, "\xe2\x80\x93", 3) == 0)   /* en dash */
		end += 3;
	else
		return -1;
	p = end;
	b = strtol(p, &end, 10);
	if (end == p || *end || b < a || b > 150)
		return -1;
	*from = (int)a;
	*to = (int)b;
	return 0;
}

static int parse_sex(const char *s)
{
	static const char *const f[] = { "f", "k", "kvinna", "kvinnor", "2", "female", NULL };
	static const char *const m[] = { "m", "man", "män", "1", "male", NULL };
	struct pl_buf fold;
	int sex = -1;

	pl_buf_init(&fold);
	pl_fold(s, strlen(s), &fold);
	for (const char *const *p = f; *p; p++)
		if (strcmp(fold.data, *p) == 0)
			sex = 0;
	for (const char *const *p = m; *p; p++)
		if (strcmp(fold.data, *p) == 0)
			sex = 1;
	pl_buf_release(&fold);
	return sex;
}

/* A district code, case-insensitive: "Angered", "ANGERED", "majorna_linne". */
static int parse_district(const char *s)
{
	const char *const *codes = pl_codes(PL_CL_DISTRICT);
	char buf[64];
	size_t i;

	for (i = 0; s[i] && i + 1 < sizeof(buf); i++)
		buf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' :
				s[i] == ' ' || s[i] == '-' ? '_' : s[i]);
	buf[i] = '\0';
	for (int k = 0; codes[k]; k++)
		if (strcmp(buf, codes[k]) == 0)
			return k;
	return -1;
}

static enum pl_err parse_row(const struct pl_csv_record *rec, const int col[N_COLS],
			     const char *path, struct ind_pop_cell *cell, struct pl_diag *d)
{
	const char *v[N_COLS];
	long year, n;

	for (int c = 0; c < N_COLS; c++) {
		if ((size_t)col[c] >= rec->n_kept)
			return pl_diag_set(d, PL_ECONFIG, path, rec->line, "population row has %zu "
					   "fields, the header more", rec->n_fields);
		v[c] = rec->fields[col[c]];
	}
	if (parse_long(v[COL_YEAR], 1900, 2200, &year))
		return pl_diag_set(d, PL_ECONFIG, path, rec->line, "year is not a year: '%s'",
				   v[COL_YEAR]);
	cell->year = (int)year;
	cell->district = parse_district(v[COL_DISTRICT]);
	if (cell->district < 0)
		return pl_diag_set(d, PL_ECONFIG, path, rec->line, "not a district code: '%s'",
				   v[COL_DISTRICT]);
	cell->sex = parse_sex(v[COL_SEX]);
	if (cell->sex < 0)
		return pl_diag_set(d, PL_ECONFIG, path, rec->line, "sex is not F or M: '%s'",
				   v[COL_SEX]);
	if (parse_age(v[COL_AGE], &cell->age_from, &cell->age_to))
		return pl_diag_set(d, PL_ECONFIG, path, rec->line, "age is not an age band such "
				   "as 20-24 or 95+: '%s'", v[COL_AGE]);
	if (parse_long(v[COL_POP], 0, 100000000, &n))
		return pl_diag_set(d, PL_ECONFIG, path, rec->line, "population is not a whole "
				   "number: '%s'", v[COL_POP]);
	cell->n = (double)n;
	return PL_OK;
}

static int cell_cmp(const void *a, const void *b)
{
	const struct ind_pop_cell *x = a, *y = b;

	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	if (x->district != y->district)
		return x->district < y->district ? -1 : 1;
	if (x->sex != y->sex)
		return x->sex < y->sex ? -1 : 1;
	return x->age_from < y->age_from ? -1 : x->age_from > y->age_from;
}

/* Every year, district and sex: ages 0.. open band, no gap, no overlap;
 * and both sexes present. */
static enum pl_err check_cover(const struct ind_population *pop, const char *path,
			       struct pl_diag *d)
{
	const char *const *codes = pl_codes(PL_CL_DISTRICT);
	static const char sexes[2] = { 'F', 'M' };

	for (size_t i = 0; i < pop->n_cells; ) {
		const struct ind_pop_cell *g = &pop->cells[i];
		int next = 0;
		size_t j = i;

		for (; j < pop->n_cells && pop->cells[j].year == g->year &&
		     pop->cells[j].district == g->district && pop->cells[j].sex == g->sex; j++) {
			const struct ind_pop_cell *c = &pop->cells[j];

			if (next == INT_MAX || c->age_from != next)
				return pl_diag_set(d, PL_ECONFIG, path, 0, "population %d %s %c: ages "
						   "%s at %d (a band missing or repeated)", g->year,
						   codes[g->district], sexes[g->sex],
						   next != INT_MAX && c->age_from > next ? "missing" :
						   "overlap", next == INT_MAX ? c->age_from : next);
			next = c->age_to == INT_MAX ? INT_MAX : c->age_to + 1;
		}
		if (next != INT_MAX)
			return pl_diag_set(d, PL_ECONFIG, path, 0, "population %d %s %c: the ages "
					   "must end in one open band such as 95+", g->year,
					   codes[g->district], sexes[g->sex]);
		if (g->sex == 0 && (j == pop->n_cells || pop->cells[j].sex != 1 ||
		    pop->cells[j].district != g->district || pop->cells[j].year != g->year))
			return pl_diag_set(d, PL_ECONFIG, path, 0, "population %d %s: no rows for "
					   "men", g->year, codes[g->district]);
		if (g->sex == 1 && (i == 0 || pop->cells[i - 1].sex != 0 ||
		    pop->cells[i - 1].district != g->district || pop->cells[i - 1].year != g->year))
			return pl_diag_set(d, PL_ECONFIG, path, 0, "population %d %s: no rows for "
					   "women", g->year, codes[g->district]);
		i = j;
	}
	return PL_OK;
}

enum pl_err ind_population_load(const char *path, struct ind_population *pop,
				struct pl_diag *d)
{
	struct pl_csv_opts opts = { ',', '"', 256, 64, 0, 1 };
	struct pl_csv_reader *r = NULL;
	struct pl_csv_record rec;
	enum pl_csv_event ev;
	enum pl_err err;
	int col[N_COLS], have_header = 0;
	size_t cap = 0;

	memset(pop, 0, sizeof(*pop));
	snprintf(pop->path, sizeof(pop->path), "%s", path);
	err = sniff_delimiter(path, &opts.delimiter, d);
	if (err)
		goto cleanup;
	r = pl_csv_open(path, &opts, d);
	if (!r) {
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "cannot read the population file");
		goto cleanup;
	}
	while ((ev = pl_csv_next(r, &rec, d)) != PL_CSV_END) {
		if (ev == PL_CSV_ERROR) {
			err = d->err;
			goto cleanup;
		}
		if (ev == PL_CSV_BAD) {
			err = pl_diag_set(d, PL_ECONFIG, path, rec.line, "%s", rec.reason);
			goto cleanup;
		}
		if (pl_csv_record_is_empty(&rec))
			continue;
		for (size_t i = 0; i < rec.n_kept; i++)
			if (!pl_utf8_valid(rec.fields[i], rec.lens[i], NULL)) {
				err = pl_diag_set(d, PL_ECONFIG, path, rec.line, "not UTF-8");
				goto cleanup;
			}
		if (!have_header) {
			err = map_header(&rec, path, col, d);
			if (err)
				goto cleanup;
			have_header = 1;
			continue;
		}
		if (pop->n_cells == MAX_POP_ROWS) {
			err = pl_diag_set(d, PL_ECONFIG, path, rec.line, "more than %d population "
					  "rows", MAX_POP_ROWS);
			goto cleanup;
		}
		if (pop->n_cells == cap) {
			cap = cap ? 2 * cap : 1024;
			pop->cells = pl_xrealloc(pop->cells, cap * sizeof(*pop->cells));
		}
		err = parse_row(&rec, col, path, &pop->cells[pop->n_cells], d);
		if (err)
			goto cleanup;
		pop->n_cells++;
	}
	snprintf(pop->sha256, sizeof(pop->sha256), "%s", pl_csv_stats(r)->sha256);
	if (pop->n_cells == 0) {
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "the population file has no rows");
		goto cleanup;
	}
	qsort(pop->cells, pop->n_cells, sizeof(*pop->cells), cell_cmp);
	err = check_cover(pop, path, d);
cleanup:
	pl_csv_close(r);
	if (err)
		ind_population_release(pop);
	return err;
}

void ind_population_release(struct ind_population *pop)
{
	free(pop->cells);
	memset(pop, 0, sizeof(*pop));
}

/* Years of [lo, hi] inside a cell's band, over the band's years. */
static double overlap(const struct ind_pop_cell *c, int lo, int hi)
{
	long to = c->age_to == INT_MAX ? (long)c->age_from + OPEN_BAND_YEARS - 1 : c->age_to;
	long a = lo > c->age_from ? lo : c->age_from;
	long b = hi == INT_MAX || hi >= to ? to : hi;

	if (c->age_to == INT_MAX && hi == INT_MAX && lo <= c->age_from)
		return 1;
	return b < a ? 0 : (double)(b - a + 1) / (double)(to - c->age_from + 1);
}

double ind_population_sum(const struct ind_population *pop, int year, uint32_t district_set,
			  unsigned sex_set, int age_lo, int age_hi)
{
	uint32_t seen = 0;
	double sum = 0;

	for (size_t i = 0; i < pop->n_cells; i++) {
		const struct ind_pop_cell *c = &pop->cells[i];

		if (c->year != year || !(district_set >> c->district & 1))
			continue;
		seen |= 1u << c->district;
		if (sex_set >> c->sex & 1)
			sum += c->n * overlap(c, age_lo, age_hi);
	}
	return seen == district_set ? sum : -1;
}

/*
 * indicators/catalogue.c - the indicator catalogue,
 * mappings/indicators/indicators.ini: sections [catalogue] and
 * [indicator ID].  The language is in docs/indicators.md.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "indicators.h"
#include "inifile.h"
#include "schema.h"

static const char *const dim_names[IND_D__COUNT] = {
	[IND_D_DISTRICT] = "district", [IND_D_SEX] = "sex",
	[IND_D_INTERVENTION] = "intervention", [IND_D_PROVIDER] = "provider",
	[IND_D_SUBSTANCE] = "substance", [IND_D_CHILDREN] = "children",
	[IND_D_ID_TYPE] = "id_type", [IND_D_AGE_BAND] = "age_band", [IND_D_AGE] = "age",
	[IND_D_BIRTH_YEAR] = "birth_year", [IND_D_DISTRICTS] = "districts",
};

static const enum pl_codelist dim_lists[IND_N_CODE_DIMS] = {
	PL_CL_DISTRICT, PL_CL_SEX, PL_CL_INTERVENTION, PL_CL_PROVIDER, PL_CL_SUBSTANCE,
	PL_CL_CHILDREN, PL_CL_ID_TYPE,
};

static const char *const method_names[] = {
	[IND_M_COUNT] = "count", [IND_M_RATE] = "rate", [IND_M_DSR] = "dsr",
	[IND_M_WILSON] = "wilson", [IND_M_EXACT] = "exact", [IND_M_QUARTILES] = "quartiles",
	[IND_M_MEAN] = "mean", [IND_M_CHAO] = "chao", [IND_M_LOGLINEAR] = "loglinear",
};
#define N_METHODS (sizeof(method_names) / sizeof(method_names[0]))

static const char *const measure_names[] = {
	[IND_MEAS_NONE] = "", [IND_MEAS_LENGTH_DAYS] = "length_days",
	[IND_MEAS_COST_SEK] = "cost_sek",
};

static const char *const period_names[] = {
	[IND_P_YEAR] = "year", [IND_P_START_YEAR] = "start_year",
	[IND_P_END_YEAR] = "end_year", [IND_P_DAY] = "day",
};

const char *ind_dim_name(enum ind_dim dim)
{
	return (unsigned)dim < IND_D__COUNT ? dim_names[dim] : "?";
}

static int dim_lookup(const char *name)
{
	for (int i = 0; i < IND_D__COUNT; i++)
		if (strcasecmp(name, dim_names[i]) == 0)
			return i;
	return -1;
}

static size_t count_codes(enum pl_codelist list)
{
	size_t n = 0;

	for (const char *const *c = pl_codes(list); *c; c++)
		n++;
	return n;
}

size_t ind_dim_n_values(enum ind_dim dim, const struct ind_catalogue *cat)
{
	if ((unsigned)dim < IND_N_CODE_DIMS)
		return count_codes(dim_lists[dim]) + 1;
	if (dim == IND_D_AGE_BAND)
		return cat->n_bands + 1;
	return 0;
}

const char *ind_dim_value(enum ind_dim dim, const struct ind_catalogue *cat, int idx)
{
	size_t n = ind_dim_n_values(dim, cat);

	if (idx < 0 || (size_t)idx + 1 > n)
		return NULL;
	if ((size_t)idx + 1 == n)
		return "MISSING";
	if (dim == IND_D_AGE_BAND)
		return cat->bands[idx].label;
	return pl_codes(dim_lists[dim])[idx];
}

const char *ind_method_name(enum ind_method m)
{
	return (size_t)m < N_METHODS ? method_names[m] : "?";
}

const char *ind_unit_name(enum ind_unit u)
{
	return u == IND_EPISODES ? "episodes" : "persons";
}

const char *ind_measure_name(enum ind_measure m)
{
	return (size_t)m <= IND_MEAS_COST_SEK ? measure_names[m] : "?";
}

void ind_period_name(const struct ind_def *def, char *out, size_t size)
{
	if (def->period == IND_P_DAY)
		snprintf(out, size, "day %02d-%02d", def->day_month, def->day_mday);
	else
		snprintf(out, size, "%s", period_names[def->period]);
}

size_t ind_band_of(const struct ind_catalogue *cat, int age)
{
	for (size_t i = 0; i < cat->n_bands; i++)
		if (age >= cat->bands[i].from && age <= cat->bands[i].to)
			return i;
	return cat->n_bands;
}

/* ---- parsing ---------------------------------------------------------- */

struct cat_state {
	struct ind_catalogue *cat;
	const char *path;
	struct pl_diag *d;
	struct ind_def *cur;          /* the indicator being read, or NULL */
	struct pl_buf definition;
	size_t cap_defs;
};

static int bad(struct cat_state *st, long line, const char *fmt, const char *what)
{
	pl_diag_set(st->d, PL_ECONFIG, st->path, line, fmt, what);
	return 0;
}

/* Splits s (modified) into space-separated words; returns their number. */
static size_t words(char *s, char **w, size_t max)
{
	size_t n = 0;

	for (char *tok = strtok(s, " \t,"); tok; tok = strtok(NULL, " \t,")) {
		if (n == max)
			return max + 1;
		w[n++] = tok;
	}
	return n;
}

static int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s) && *s != '-')
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_bands(struct cat_state *st, const char *value, long line)
{
	struct ind_catalogue *cat = st->cat;
	char buf[512], *w[IND_MAX_BANDS + 1];
	size_t n;

	snprintf(buf, sizeof(buf), "%s", value);
	n = words(buf, w, IND_MAX_BANDS);
	if (n == 0 || n > IND_MAX_BANDS)
		return bad(st, line, "age_bands needs 1 to 16 bands: '%s'", value);
	for (size_t i = 0; i < n; i++) {
		struct ind_band *b = &cat->bands[i];
		char *dash = strchr(w[i], '-'), *plus = strchr(w[i], '+');
		long from, to = INT_MAX;

		if (plus && plus[1] == '\0' && !dash) {
			*plus = '\0';
		} else if (dash) {
			*dash = '\0';
			if (parse_int(dash + 1, 0, 150, &to))
				return bad(st, line, "age band is not FROM-TO or FROM+: '%s'", value);
		} else {
			return bad(st, line, "age band is not FROM-TO or FROM+: '%s'", value);
		}
		if (parse_int(w[i], 0, 150, &from) || to < from)
			return bad(st, line, "age band is not FROM-TO or FROM+: '%s'", value);
		if (i > 0 && from != cat->bands[i - 1].to + 1)
			return bad(st, line, "age bands must follow each other without gaps: '%s'",
				   value);
		b->from = (int)from;
		b->to = (int)to;
		if (to == INT_MAX)
			snprintf(b->label, sizeof(b->label), "%ld+", from);
		else
			snprintf(b->label, sizeof(b->label), "%ld-%ld", from, to);
		if (to == INT_MAX && i + 1 < n)
			return bad(st, line, "only the last age band may be open: '%s'", value);
	}
	cat->n_bands = n;
	return 1;
}

static int catalogue_key(struct cat_state *st, const char *key, const char *value, long line)
{
	char *end;
	double v;

	if (strcasecmp(key, "age_bands") == 0)
		return parse_bands(st, value, line);
	if (strcasecmp(key, "conf") == 0) {
		v = strtod(value, &end);
		if (end == value || *end || !(v >= 0.5 && v < 1))
			return bad(st, line, "conf is not a coverage between 0.5 and 1: '%s'", value);
		st->cat->conf = v;
		return 1;
	}
	if (strcasecmp(key, "threads") == 0) {
		long n = strtol(value, &end, 10);

		if (end == value || *end || n < 0 || n > 64)
			return bad(st, line, "threads is not 0..64 (0: one per core): '%s'", value);
		st->cat->threads = n;
		return 1;
	}
	return bad(st, line, "unknown key '%s' in [catalogue]", key);
}

/* The value index of code (or band label) in a code or band dimension. */
static int value_index(const struct ind_catalogue *cat, enum ind_dim dim, const char *code)
{
	size_t n = ind_dim_n_values(dim, cat);

	for (size_t i = 0; i + 1 < n; i++)
		if (strcmp(ind_dim_value(dim, cat, (int)i), code) == 0)
			return (int)i;
	return -1;
}

static int parse_cond(struct cat_state *st, const char *value, long line, struct ind_cond *c)
{
	static const struct { const char *s; enum ind_op code_op, num_op; } ops[] = {
		{ "!=", IND_OP_NOT_IN, IND_OP_NE }, { "<=", IND_OP_LT, IND_OP_LE },
		{ ">=", IND_OP_GT, IND_OP_GE }, { "=", IND_OP_IN, IND_OP_EQ },
		{ "<", IND_OP_LT, IND_OP_LT }, { ">", IND_OP_GT, IND_OP_GT },
	};
	char buf[512], *w[IND_MAX_VALUES + 2], *end;
	size_t n, o;
	int dim;

	snprintf(buf, sizeof(buf), "%s", value);
	n = words(buf, w, IND_MAX_VALUES + 1);
	if (n < 3 || n > IND_MAX_VALUES + 1)
		return bad(st, line, "condition is not FIELD OP VALUE...: '%s'", value);
	dim = dim_lookup(w[0]);
	if (dim < 0 || dim == IND_D_AGE_BAND)
		return bad(st, line, "unknown field in condition: '%s'", value);
	for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
		if (strcmp(w[1], ops[o].s) == 0)
			break;
	if (o == sizeof(ops) / sizeof(ops[0]))
		return bad(st, line, "unknown operator in condition (= != < <= > >=): '%s'", value);
	c->dim = (enum ind_dim)dim;
	c->set = 0;
	c->num = 0;
	if (dim < IND_N_CODE_DIMS) {
		c->op = ops[o].code_op;
		if (c->op != IND_OP_IN && c->op != IND_OP_NOT_IN)
			return bad(st, line, "a code field takes = or != only: '%s'", value);
		for (size_t i = 2; i < n; i++) {
			int idx = value_index(st->cat, c->dim, w[i]);

			if (idx < 0)
				return bad(st, line, "code not in the field's code list: '%s'", w[i]);
			c->set |= 1u << idx;
		}
		return 1;
	}
	if (n != 3)
		return bad(st, line, "a numeric field takes one number: '%s'", value);
	c->op = ops[o].num_op;
	c->num = strtod(w[2], &end);
	if (end == w[2] || *end || !isfinite(c->num))
		return bad(st, line, "not a number in condition: '%s'", value);
	return 1;
}

static int parse_by(struct cat_state *st, const char *value, long line)
{
	struct ind_def *def = st->cur;
	char buf[256], *w[3];
	size_t n;

	snprintf(buf, sizeof(buf), "%s", value);
	n = words(buf, w, 2);
	if (n == 0 || n > 2)
		return bad(st, line, "a breakdown is one or two dimensions: '%s'", value);
	if (def->n_by == IND_MAX_BY)
		return bad(st, line, "more than 8 breakdowns at '%s'", value);
	for (size_t i = 0; i < 2; i++) {
		int dim = i < n ? dim_lookup(w[i]) : -1;

		if (i < n && (dim < 0 || dim > IND_D_AGE_BAND || dim == IND_D_ID_TYPE))
			return bad(st, line, "not a breakdown dimension (district, sex, age_band, "
				   "intervention, provider, substance, children): '%s'", w[i]);
		def->by[def->n_by][i] = dim;
	}
	if (n == 2 && def->by[def->n_by][0] == def->by[def->n_by][1])
		return bad(st, line, "a breakdown names one dimension twice: '%s'", value);
	def->n_by++;
	return 1;
}

static int parse_period(struct cat_state *st, const char *value, long line)
{
	struct ind_def *def = st->cur;
	int month, mday, used = 0;

	for (size_t i = 0; i < sizeof(period_names) / sizeof(period_names[0]); i++)
		if (i != IND_P_DAY && strcasecmp(value, period_names[i]) == 0) {
			def->period = (enum ind_period)i;
			return 1;
		}
	if (sscanf(value, "day %2d-%2d%n", &month, &mday, &used) != 2 || value[used] ||
	    month < 1 || month > 12 || mday < 1 || mday > 28 + (month != 2) * 3 -
	    (month == 4 || month == 6 || month == 9 || month == 11))
		return bad(st, line, "period is not year, start_year, end_year or day MM-DD: '%s'",
			   value);
	def->period = IND_P_DAY;
	def->day_month = month;
	def->day_mday = mday;
	return 1;
}

static int parse_method(struct cat_state *st, const char *value, long line)
{
	for (size_t i = 0; i < N_METHODS; i++)
		if (strcasecmp(value, method_names[i]) == 0) {
			st->cur->method = (enum ind_method)i;
			return 1;
		}
	return bad(st, line, "unknown method '%s' (count, rate, dsr, wilson, exact, quartiles, "
		   "mean, chao, loglinear)", value);
}

/* 1 (diag set) if a key that takes one value is given a second time. */
static int scalar_repeated(struct cat_state *st, const char *key, long line)
{
	static const char *const scalars[] = {
		"unit", "period", "method", "measure", "sources", "multiplier",
	};

	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (strcasecmp(key, scalars[i]) == 0) {
			if (st->cur->seen & (1u << i))
				return !bad(st, line, "repeated key '%s'", key);
			st->cur->seen |= 1u << i;
		}
	return 0;
}

static int indicator_key(struct cat_state *st, const char *key, const char *value, long line)
{
	struct ind_def *def = st->cur;
	char *end;

	if (strcasecmp(key, "filter") == 0 || strcasecmp(key, "numerator") == 0) {
		int numer = strcasecmp(key, "numerator") == 0;
		size_t *n = numer ? &def->n_numer : &def->n_filter;

		if (*n == IND_MAX_COND)
			return bad(st, line, "more than 8 conditions at '%s'", value);
		if (!parse_cond(st, value, line, numer ? &def->numer[*n] : &def->filter[*n]))
			return 0;
		(*n)++;
		pl_buf_printf(&st->definition, "%s%s = %s", st->definition.len ? "; " : "", key,
			      value);
		return 1;
	}
	if (strcasecmp(key, "by") == 0) {
		if (!parse_by(st, value, line))
			return 0;
		pl_buf_printf(&st->definition, "%sby = %s", st->definition.len ? "; " : "", value);
		return 1;
	}
	if (strcasecmp(key, "title_sv") == 0 || strcasecmp(key, "title_en") == 0) {
		char **t = key[6] == 's' || key[6] == 'S' ? &def->title_sv : &def->title_en;

		if (*t)
			return bad(st, line, "repeated key '%s'", key);
		*t = pl_xstrdup(value);
		return 1;
	}
	if (scalar_repeated(st, key, line))
		return 0;
	if (strcasecmp(key, "unit") == 0) {
		if (strcasecmp(value, "persons") && strcasecmp(value, "episodes"))
			return bad(st, line, "unit is not persons or episodes: '%s'", value);
		def->unit = strcasecmp(value, "episodes") == 0 ? IND_EPISODES : IND_PERSONS;
		return 1;
	}
	if (strcasecmp(key, "period") == 0)
		return parse_period(st, value, line);
	if (strcasecmp(key, "method") == 0)
		return parse_method(st, value, line);
	if (strcasecmp(key, "measure") == 0) {
		if (strcasecmp(value, "length_days") == 0)
			def->measure = IND_MEAS_LENGTH_DAYS;
		else if (strcasecmp(value, "cost_sek") == 0)
			def->measure = IND_MEAS_COST_SEK;
		else
			return bad(st, line, "measure is not length_days or cost_sek: '%s'", value);
		return 1;
	}
	if (strcasecmp(key, "sources") == 0) {
		int dim = dim_lookup(value);

		if (dim < 0 || dim >= IND_N_CODE_DIMS)
			return bad(st, line, "sources is not a code field such as district or "
				   "provider: '%s'", value);
		def->sources = (enum ind_dim)dim;
		return 1;
	}
	if (strcasecmp(key, "multiplier") == 0) {
		def->multiplier = strtod(value, &end);
		if (end == value || *end || !(def->multiplier > 0 && def->multiplier <= 1e9))
			return bad(st, line, "multiplier is not a number in 0..1e9: '%s'", value);
		return 1;
	}
	return bad(st, line, "unknown key '%s' in an indicator", key);
}

/* Checks the indicator just read as a whole; 0 (diag set) if unusable. */
static int finish_indicator(struct cat_state *st)
{
	struct ind_def *def = st->cur;
	enum ind_method m;

	if (!def)
		return 1;
	m = def->method;
	def->definition = pl_xstrdup(st->definition.len ? st->definition.data : "");
	pl_buf_reset(&st->definition);
	st->cur = NULL;
	if (!def->title_sv || !def->title_en)
		return bad(st, def->line, "indicator '%s' needs title_sv and title_en", def->id);
	if ((m == IND_M_WILSON || m == IND_M_EXACT) != (def->n_numer > 0))
		return bad(st, def->line, "indicator '%s': numerator goes with method wilson or "
			   "exact (a share), and they need one", def->id);
	if ((m == IND_M_QUARTILES || m == IND_M_MEAN) != (def->measure != IND_MEAS_NONE))
		return bad(st, def->line, "indicator '%s': measure goes with method quartiles or "
			   "mean, and they need one", def->id);
	if ((m == IND_M_CHAO || m == IND_M_LOGLINEAR || m == IND_M_RATE || m == IND_M_DSR) &&
	    def->unit != IND_PERSONS)
		return bad(st, def->line, "indicator '%s': this method counts persons", def->id);
	if ((m == IND_M_CHAO || m == IND_M_LOGLINEAR) && def->n_by)
		return bad(st, def->line, "indicator '%s': a hidden-population estimate is "
			   "city-wide (no by)", def->id);
	if (m == IND_M_DSR)
		for (size_t i = 0; i < def->n_by; i++)
			if (def->by[i][0] == IND_D_AGE_BAND || def->by[i][1] == IND_D_AGE_BAND)
				return bad(st, def->line, "indicator '%s': an age-standardised rate "
					   "is not broken down by age_band", def->id);
	if (def->multiplier == 0)
		def->multiplier = 1;
	return 1;
}

static int start_indicator(struct cat_state *st, const char *id, long line)
{
	struct ind_catalogue *cat = st->cat;
	struct ind_def *def;

	if (!*id || strlen(id) >= sizeof(def->id) || strspn(id,
	    "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(id))
		return bad(st, line, "indicator id is not lower case letters, digits and _: '%s'",
			   id);
	for (size_t i = 0; i < cat->n_defs; i++)
		if (strcmp(cat->defs[i].id, id) == 0)
			return bad(st, line, "indicator '%s' is declared twice", id);
	if (cat->n_defs == st->cap_defs) {
		st->cap_defs = st->cap_defs ? 2 * st->cap_defs : 16;
		cat->defs = pl_xrealloc(cat->defs, st->cap_defs * sizeof(*cat->defs));
	}
	def = &cat->defs[cat->n_defs++];
	memset(def, 0, sizeof(*def));
	snprintf(def->id, sizeof(def->id), "%s", id);
	def->line = line;
	def->sources = IND_D_DISTRICT;
	st->cur = def;
	return 1;
}

/* The ID of a section [indicator ID], or NULL for another section. */
static const char *section_id(const char *section)
{
	size_t len = strlen("indicator");

	if (strncasecmp(section, "indicator", len) != 0 || !section[len] ||
	    !strchr(" \t", section[len]))
		return NULL;
	return section + len + strspn(section + len, " \t");
}

static int handle(void *user, const char *section, const char *key, const char *value,
		  long line)
{
	struct cat_state *st = user;
	const char *id = section_id(section);

	if (st->cur && (!id || strcmp(id, st->cur->id) != 0) && !finish_indicator(st))
		return 0;
	if (strcasecmp(section, "catalogue") == 0)
		return catalogue_key(st, key, value, line);
	if (!id)
		return bad(st, line, "unknown section [%s]", section);
	if (!st->cur && !start_indicator(st, id, line))
		return 0;
	return indicator_key(st, key, value, line);
}

enum pl_err ind_catalogue_load(const char *path, struct ind_catalogue *cat, struct pl_diag *d)
{
	struct cat_state st = { cat, path, d, NULL, { 0 }, 0 };
	enum pl_err err;

	memset(cat, 0, sizeof(*cat));
	cat->conf = 0.95;
	pl_buf_init(&st.definition);
	err = pl_ini_parse(path, handle, &st, cat->sha256, d);
	if (err == PL_ENOINPUT)
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "cannot read the indicator catalogue");
	if (!err && !finish_indicator(&st))
		err = d->err;
	if (!err && cat->n_defs == 0)
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "the catalogue declares no indicator");
	if (!err && cat->n_bands == 0)
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "[catalogue] gives no age_bands");
	pl_buf_release(&st.definition);
	if (err)
		ind_catalogue_release(cat);
	return err;
}

void ind_catalogue_release(struct ind_catalogue *cat)
{
	for (size_t i = 0; i < cat->n_defs; i++) {
		free(cat->defs[i].title_sv);
		free(cat->defs[i].title_en);
		free(cat->defs[i].definition);
	}
	free(cat->defs);
	memset(cat, 0, sizeof(*cat));
}

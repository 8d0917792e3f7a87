/*
 * indicators/compute.c - the indicators of the catalogue over the linked
 * episodes: units (persons or episodes) selected by period and filter,
 * counted per breakdown group, then turned into figures by the method
 * (lib/stats); funnel positions and heterogeneity for district
 * breakdowns; trends over the years.
 *
 * A person counts once per group: in every district, intervention, ... of
 * the episodes that pass the filter in the period (so groups of a
 * breakdown by an episode field may add up to more than the total).
 * Person fields (sex, age, birth year, districts) are the person's.
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "indicators.h"
#include "log.h"
#include "value.h"

#define N_SLOTS (IND_MAX_VALUES * IND_MAX_VALUES)   /* groups of one breakdown */
#define MIN_SHOWN 10          /* DSR events, quartile values: fewer are not shown */
#define MIN_RELIABLE 10       /* rate numerators, share denominators */
#define SUPPRESS_BELOW 5      /* person counts 1..4 */
#define MEASURE_MAX ((int64_t)1 << 40)  /* a unit's measure in measure units, at most */

__extension__ typedef unsigned __int128 u128;

/* A distinct value and how many times it is counted now; NAN: an empty
 * slot (a value taken out again keeps its slot with n = 0). */
struct vcount {
	double v;
	int64_t n;
};

/*
 * What one group of one breakdown gathers: sums only, every one of them
 * exact (counts, and measures as whole days or öre), so that a person can
 * be taken out again (sign -1) as exactly as it was counted, and a night
 * that takes out and adds the persons that changed ends with the sums a
 * full count would give, bit for bit.
 */
struct acc_sums {
	double units;             /* persons or episodes in the group */
	double num;               /* shares: of those, the counted part */
	double events[PL_ESP2013_BANDS];  /* dsr: units by ESP age band */
	int64_t n_vals;           /* values (quartiles, mean) */
	int64_t sum;              /* mean: of the values, in measure units */
	int64_t not_finite;       /* values beyond MEASURE_MAX */
	u128 sum2;                /* mean: of their squares */
};
struct acc {
	struct acc_sums s;        /* kept as they are (pass_save) */
	struct vcount *cnt;       /* quartiles: the distinct values, a hash table */
	size_t n_cnt, cap_cnt;    /* slots taken, slots (a power of 2) */
};

/* What a period gathers besides its groups, kept as it is. */
struct pass_sums {
	int64_t reporting[IND_MAX_VALUES];  /* episodes in the period by district */
	double f1, f2;            /* chao: persons with 1 and 2 episodes */
	int64_t excluded;         /* persons or episodes without the age a filter needs */
};

/* The state of one indicator in one period. */
struct pass {
	const struct ind_catalogue *cat;
	const struct ind_data *data;
	const struct ind_population *pop;
	const struct ind_def *def;
	size_t def_idx;
	int year;
	int32_t lo, hi;           /* days of the period */
	struct acc **acc;         /* (n_by + 1) * N_SLOTS, made when first met; block 0: the total */
	struct pass_sums p;
	double *cells;            /* loglinear: 2^(values of sources) */
	size_t n_cells;
	size_t table_bytes;       /* quartiles: of the acc's distinct-value tables */
	int by_age_band;          /* a breakdown is by age band */
	int inconsistent;         /* a sum taken out was not there: the sums are not these data's */
	/* per unit scratch */
	uint8_t mark[N_SLOTS];
	int64_t msum[N_SLOTS];
	int mhas[N_SLOTS];
	int touched[N_SLOTS];
	size_t n_touched;
};

static int32_t day_of(int year, int month, int mday)
{
	struct pl_date dt = { year, month, mday };

	return (int32_t)pl_date_days(&dt);
}

static int code_in(const struct ind_cond *c, int value)
{
	int in = (c->set >> value) & 1;

	return c->op == IND_OP_IN ? in : !in;
}

static int num_ok(const struct ind_cond *c, double v)
{
	switch (c->op) {
	case IND_OP_LT: return v < c->num;
	case IND_OP_LE: return v <= c->num;
	case IND_OP_GT: return v > c->num;
	case IND_OP_GE: return v >= c->num;
	case IND_OP_EQ: return v == c->num;
	case IND_OP_NE: return v != c->num;
	default: return 0;
	}
}

/* 1 if the episode passes the code conditions of conds. */
static int episode_ok(const struct ind_cond *conds, size_t n, const struct ind_episode *e)
{
	for (size_t i = 0; i < n; i++)
		if (conds[i].dim < IND_N_CODE_DIMS && !code_in(&conds[i], e->code[conds[i].dim]))
			return 0;
	return 1;
}

/* 1 if the person passes the numeric conditions of conds; -1 if one needs
 * an age or birth year the person lacks. */
static int person_ok(const struct ind_cond *conds, size_t n, const struct ind_person *p,
		     int year, int n_districts)
{
	for (size_t i = 0; i < n; i++) {
		const struct ind_cond *c = &conds[i];
		double v;

		if (c->dim < IND_N_CODE_DIMS)
			continue;
		if ((c->dim == IND_D_AGE || c->dim == IND_D_BIRTH_YEAR) && p->birth_year == 0)
			return -1;
		v = c->dim == IND_D_AGE ? year - p->birth_year :
			c->dim == IND_D_BIRTH_YEAR ? p->birth_year : n_districts;
		if (!num_ok(c, v))
			return 0;
	}
	return 1;
}

static int in_period(const struct pass *ps, const struct ind_episode *e)
{
	switch (ps->def->period) {
	case IND_P_START_YEAR: return e->start >= ps->lo && e->start <= ps->hi;
	case IND_P_END_YEAR:   return e->end != IND_ONGOING && e->end >= ps->lo && e->end <= ps->hi;
	default:               return e->start <= ps->hi && e->end >= ps->lo;
	}
}

static int age_band(const struct pass *ps, const struct ind_person *p)
{
	return p->birth_year ? (int)ind_band_of(ps->cat, ps->year - p->birth_year)
		: (int)ps->cat->n_bands;
}

/* The slot of a unit in breakdown b (-1: the total); band: the person's
 * age band. */
static int slot(const struct pass *ps, int b, const struct ind_episode *e, int band)
{
	int s = 0;

	if (b < 0)
		return 0;
	for (int i = 0; i < 2; i++) {
		int dim = ps->def->by[b][i], v;

		if (dim < 0)
			continue;
		v = dim == IND_D_AGE_BAND ? band : e->code[dim];
		s = s * IND_MAX_VALUES + v;
	}
	return s;
}

/* Measure units a value of the measure is counted in: whole days, or öre
 * (a cost is counted to the öre, so that sums of costs are exact). */
static double measure_scale(const struct ind_def *def)
{
	return def->measure == IND_MEAS_COST_SEK ? 100 : 1;
}

/* The episode's measure in measure units; -1: none. */
static int64_t measure_of(const struct ind_def *def, const struct ind_episode *e)
{
	if (def->measure == IND_MEAS_COST_SEK) {
		if (!(e->cost >= 0))
			return -1;
		return e->cost * 100 < (double)MEASURE_MAX ? llround(e->cost * 100) : MEASURE_MAX;
	}
	return e->end == IND_ONGOING ? -1 : (int64_t)e->end - e->start + 1;
}

/* The acc of slot s of block b (b = -1: the total), made when first met. */
static struct acc *acc_at(struct pass *ps, int b, int s)
{
	struct acc **a = &ps->acc[(size_t)(b + 1) * N_SLOTS + (size_t)s];

	if (!*a)
		*a = pl_xcalloc(1, sizeof(**a));
	return *a;
}

/* A value of a mean figure (x in measure units), counted with sign. */
static void acc_mean(struct acc *a, int64_t x, int sign)
{
	a->s.n_vals += sign;
	if (x >= MEASURE_MAX) {
		a->s.not_finite += sign;
		return;
	}
	a->s.sum += sign * x;
	if (sign > 0)
		a->s.sum2 += (u128)x * (u128)x;
	else
		a->s.sum2 -= (u128)x * (u128)x;
}

/* The bits of a double, mixed (MurmurHash3's finaliser): whole numbers,
 * e.g. lengths in days, differ only in their high bits, which a slot index
 * taken from the low bits would not see. */
static uint64_t mix_bits(double v)
{
	uint64_t x;

	memcpy(&x, &v, sizeof(x));
	x ^= x >> 33;
	x *= 0xFF51AFD7ED558CCDu;
	x ^= x >> 33;
	x *= 0xC4CEB9FE1A85EC53u;
	x ^= x >> 33;
	return x;
}

static size_t vcount_slot(const struct vcount *t, size_t cap, double v)
{
	size_t i = (size_t)mix_bits(v) & (cap - 1);

	while (!isnan(t[i].v) && t[i].v != v)
		i = (i + 1) & (cap - 1);
	return i;
}

/* An empty table of cap slots. */
static struct vcount *vcount_table(size_t cap)
{
	struct vcount *t = pl_xmalloc(cap * sizeof(*t));

	for (size_t i = 0; i < cap; i++) {
		t[i].v = NAN;
		t[i].n = 0;
	}
	return t;
}

/* Room for one more distinct value in a's table.  Returns the bytes it
 * grew by. */
static size_t vcount_room(struct acc *a)
{
	size_t cap = a->cap_cnt ? 2 * a->cap_cnt : 64, grown;
	struct vcount *t;

	if (2 * (a->n_cnt + 1) <= a->cap_cnt)
		return 0;
	t = vcount_table(cap);
	for (size_t j = 0; j < a->cap_cnt; j++)
		if (!isnan(a->cnt[j].v))
			t[vcount_slot(t, cap, a->cnt[j].v)] = a->cnt[j];
	free(a->cnt);
	grown = (cap - a->cap_cnt) * sizeof(*t);
	a->cnt = t;
	a->cap_cnt = cap;
	return grown;
}

/* Counts v n times more (n < 0: fewer) in a's distinct values (quartiles
 * need their order only).  Returns the bytes its table grew by; sets
 * *bad when fewer are taken out than were counted. */
static size_t vcount_add(struct acc *a, double v, int64_t n, int *bad)
{
	size_t i, grown = vcount_room(a);

	i = vcount_slot(a->cnt, a->cap_cnt, v);
	if (isnan(a->cnt[i].v)) {
		a->cnt[i].v = v;
		a->n_cnt++;
	}
	a->cnt[i].n += n;
	if (a->cnt[i].n < 0)
		*bad = 1;
	return grown;
}

/* A value of a quartiles figure (x in measure units), counted with sign.
 * Returns the bytes its table grew by. */
static size_t acc_count(struct pass *ps, struct acc *a, int64_t x, int sign)
{
	a->s.n_vals += sign;
	if (x >= MEASURE_MAX) {
		a->s.not_finite += sign;
		return 0;
	}
	return vcount_add(a, (double)x / measure_scale(ps->def), sign, &ps->inconsistent);
}

static int esp_band(int age)
{
	int b = age / 5;

	return b < 0 ? 0 : b >= PL_ESP2013_BANDS ? PL_ESP2013_BANDS - 1 : b;
}

/* A passing episode of a unit, with what every breakdown takes of it. */
struct unit_ep {
	const struct ind_episode *e;
	int numer;                /* it counts the unit in the numerator */
	int64_t m;                /* its measure; < 0: none */
};

/* Adds one unit (a person with its passing episodes, or one episode) to
 * every breakdown with sign (+1, or -1 to take it out): u[0..n) are the
 * unit's passing episodes. */
static void add_unit(struct pass *ps, const struct ind_person *p, const struct unit_ep *u,
		     size_t n, int sign)
{
	const struct ind_def *def = ps->def;
	int band = ps->by_age_band ? age_band(ps, p) : -1;

	for (int b = -1; b < (int)def->n_by; b++) {
		ps->n_touched = 0;
		for (size_t i = 0; i < n; i++) {
			int s = slot(ps, b, u[i].e, band);

			if (!ps->mark[s]) {
				ps->touched[ps->n_touched++] = s;
				ps->mark[s] = 1;
				ps->msum[s] = 0;
				ps->mhas[s] = 0;
			}
			if (u[i].numer)
				ps->mark[s] = 3;
			if (u[i].m >= 0) {
				ps->msum[s] += u[i].m;
				ps->mhas[s] = 1;
			}
		}
		for (size_t t = 0; t < ps->n_touched; t++) {
			int s = ps->touched[t];
			struct acc *a = acc_at(ps, b, s);
			int64_t m = ps->msum[s] < MEASURE_MAX ? ps->msum[s] : MEASURE_MAX;

			a->s.units += sign;
			a->s.num += sign * (ps->mark[s] == 3);
			if (def->method == IND_M_DSR)
				a->s.events[esp_band(ps->year - p->birth_year)] += sign;
			if (ps->mhas[s] && def->method == IND_M_QUARTILES)
				ps->table_bytes += acc_count(ps, a, m, sign);
			else if (ps->mhas[s])
				acc_mean(a, m, sign);
			ps->inconsistent |= a->s.units < 0;
			ps->mark[s] = 0;
		}
	}
}

static size_t n_codes(enum ind_dim dim, const struct ind_catalogue *cat)
{
	return ind_dim_n_values(dim, cat);
}

/* Loglinear: the person's sources as a bit mask over source values. */
static void add_sources(struct pass *ps, const struct unit_ep *u, size_t n, int sign)
{
	uint32_t mask = 0;

	for (size_t i = 0; i < n; i++)
		mask |= 1u << u[i].e->code[ps->def->sources];
	ps->cells[mask] += sign;
}

/* One person, its episodes ep[0..p->n), counted with sign (+1; -1 takes
 * it out again): its passing episodes, its person conditions, then the
 * units.  u: room for p->n episodes. */
static void add_person(struct pass *ps, const struct ind_person *p,
		       const struct ind_episode *ep, struct unit_ep *u, int sign)
{
	const struct ind_def *def = ps->def;
	uint32_t districts = 0;
	size_t n = 0;
	int ok, numer, n_districts;

	for (size_t i = 0; i < p->n; i++) {
		const struct ind_episode *e = &ep[i];

		if (!in_period(ps, e))
			continue;
		ps->p.reporting[e->code[IND_D_DISTRICT]] += sign;
		if (episode_ok(def->filter, def->n_filter, e)) {
			u[n++].e = e;
			districts |= 1u << e->code[IND_D_DISTRICT];
		}
	}
	if (n == 0)
		return;
	n_districts = __builtin_popcount(districts);
	ok = person_ok(def->filter, def->n_filter, p, ps->year, n_districts);
	if (ok > 0 && def->method == IND_M_DSR && p->birth_year == 0)
		ok = -1;                /* standardising needs every age */
	if (ok < 0)
		ps->p.excluded += sign * (def->unit == IND_PERSONS ? 1 : (int64_t)n);
	if (ok <= 0)
		return;
	numer = person_ok(def->numer, def->n_numer, p, ps->year, n_districts) > 0;
	for (size_t i = 0; i < n; i++) {
		u[i].numer = numer && episode_ok(def->numer, def->n_numer, u[i].e);
		u[i].m = def->measure ? measure_of(def, u[i].e) : -1;
	}
	if (def->unit == IND_EPISODES) {
		for (size_t i = 0; i < n; i++)
			add_unit(ps, p, &u[i], 1, sign);
		return;
	}
	add_unit(ps, p, u, n, sign);
	ps->p.f1 += sign * (n == 1);
	ps->p.f2 += sign * (n == 2);
	if (ps->cells)
		add_sources(ps, u, n, sign);
}

/* ---- figures ------------------------------------------------------------- */

static struct ind_row *new_row(struct ind_result *res)
{
	struct ind_row *r;

	if (res->n_rows == res->cap_rows) {
		res->cap_rows = res->cap_rows ? 2 * res->cap_rows : 256;
		res->rows = pl_xrealloc(res->rows, res->cap_rows * sizeof(*res->rows));
	}
	r = &res->rows[res->n_rows++];
	memset(r, 0, sizeof(*r));
	r->num = r->den = NAN;
	r->reliability = "ok";
	return r;
}

static void period_label(const struct pass *ps, char *out, size_t size)
{
	if (ps->def->period == IND_P_DAY)
		snprintf(out, size, "%d-%02d-%02d", ps->year, ps->def->day_month,
			 ps->def->day_mday);
	else
		snprintf(out, size, "%d", ps->year);
}

static void set_keys(const struct pass *ps, int b, int s, struct ind_row *r)
{
	for (int k = 0; k < IND_N_KEYS; k++)
		r->key[k] = -1;
	if (b < 0)
		return;
	if (ps->def->by[b][1] >= 0) {
		r->key[ps->def->by[b][1]] = s % IND_MAX_VALUES;
		s /= IND_MAX_VALUES;
	}
	r->key[ps->def->by[b][0]] = s;
}

static int count_suppressed(double n)
{
	return n >= 1 && n < SUPPRESS_BELOW;
}

/* "the population file has no 2024 for OSTRA, LUNDBY": the districts of
 * the set that the file lacks for the period's year. */
static void missing_note(const struct pass *ps, uint32_t districts, char *note, size_t size)
{
	size_t len;

	snprintf(note, size, "the population file has no %d for", ps->year);
	for (int v = 0; v < 31; v++) {
		if (!(districts >> v & 1) ||
		    ind_population_sum(ps->pop, ps->year, 1u << v, 3, 0, INT_MAX) >= 0)
			continue;
		len = strlen(note);
		snprintf(note + len, size - len, "%s %s", note[len - 1] == 'r' ? "" : ",",
			 ind_dim_value(IND_D_DISTRICT, ps->cat, v));
	}
}

/* The districts with any episode in the period. */
static uint32_t reporting_mask(const struct pass *ps)
{
	uint32_t m = 0;

	for (int v = 0; v < IND_MAX_VALUES; v++)
		if (ps->p.reporting[v] > 0)
			m |= 1u << v;
	return m;
}

/* The population of a row's group: districts, sexes and ages from the
 * filter and the group's keys.  -1 when undefined; why in note. */
static double row_population(const struct pass *ps, const struct ind_row *r, int age_lo,
			     int age_hi, char *note, size_t size)
{
	uint32_t districts = reporting_mask(ps);
	unsigned sexes = 3;
	double n;

	for (size_t i = 0; i < ps->def->n_filter; i++) {
		const struct ind_cond *c = &ps->def->filter[i];

		if (c->dim == IND_D_DISTRICT) {
			uint32_t set = 0;

			for (int v = 0; v < 31; v++)
				set |= (uint32_t)code_in(c, v) << v;
			districts &= set;
		} else if (c->dim == IND_D_SEX) {
			sexes &= (unsigned)code_in(c, 0) | (unsigned)code_in(c, 1) << 1;
		}
	}
	if (r->key[IND_D_DISTRICT] >= 0)
		districts &= 1u << r->key[IND_D_DISTRICT];
	if (r->key[IND_D_SEX] >= 0)
		sexes &= r->key[IND_D_SEX] <= 1 ? 1u << r->key[IND_D_SEX] : 0;
	if (r->key[IND_D_AGE_BAND] >= 0) {
		const struct ind_band *b = &ps->cat->bands[r->key[IND_D_AGE_BAND]];

		if ((size_t)r->key[IND_D_AGE_BAND] == ps->cat->n_bands) {
			snprintf(note, size, "no population for an unknown age");
			return -1;
		}
		age_lo = age_lo > b->from ? age_lo : b->from;
		age_hi = age_hi < b->to ? age_hi : b->to;
	}
	if (sexes == 0 || districts == 0) {
		snprintf(note, size, "no population for this group");
		return -1;
	}
	n = age_lo > age_hi ? 0 : ind_population_sum(ps->pop, ps->year, districts, sexes,
						      age_lo, age_hi);
	if (n < 0)
		missing_note(ps, districts, note, size);
	else if (n == 0)
		snprintf(note, size, "population is 0");
	return n > 0 ? n : -1;
}

/* The age range of the filter's age and birth-year conditions. */
static void filter_ages(const struct pass *ps, int *lo, int *hi)
{
	*lo = 0;
	*hi = INT_MAX;
	for (size_t i = 0; i < ps->def->n_filter; i++) {
		const struct ind_cond *c = &ps->def->filter[i];
		double a;
		int age_scale = c->dim == IND_D_AGE;

		if (c->dim != IND_D_AGE && c->dim != IND_D_BIRTH_YEAR)
			continue;
		a = age_scale ? c->num : ps->year - c->num;  /* birth year -> age */
		if (a < -1)
			a = -1;
		if (a > 1000)
			a = 1000;
		/* for birth years the comparison turns round */
		switch (age_scale ? c->op : c->op == IND_OP_GE ? IND_OP_LE : c->op == IND_OP_LE ?
			IND_OP_GE : c->op == IND_OP_GT ? IND_OP_LT : c->op == IND_OP_LT ? IND_OP_GT :
			c->op) {
		case IND_OP_GE: if (ceil(a) > *lo) *lo = (int)ceil(a); break;
		case IND_OP_GT: if (floor(a) + 1 > *lo) *lo = (int)floor(a) + 1; break;
		case IND_OP_LE: if (floor(a) < *hi) *hi = (int)floor(a); break;
		case IND_OP_LT: if (ceil(a) - 1 < *hi) *hi = (int)ceil(a) - 1; break;
		case IND_OP_EQ:
			if (a > *lo) *lo = (int)a;
			if (a < *hi) *hi = (int)a;
			break;
		default: break;
		}
	}
}

static const char *count_method(double x)
{
	return x < 10 ? "poisson_exact" : "byar";
}

static void figure_count(struct ind_row *r, const struct acc *a, double conf)
{
	r->num = a->s.units;
	r->method = count_method(a->s.units);
	r->has_value = pl_count_auto(a->s.units, conf, &r->est, NULL) == PL_OK;
	r->suppress = count_suppressed(a->s.units);
}

static void figure_rate(const struct pass *ps, struct ind_row *r, const struct acc *a)
{
	int lo, hi;
	double pop;

	filter_ages(ps, &lo, &hi);
	r->num = a->s.units;
	r->method = count_method(a->s.units);
	r->suppress = count_suppressed(a->s.units);
	r->reliability = a->s.units < MIN_RELIABLE ? "unreliable" : "ok";
	pop = row_population(ps, r, lo, hi, r->note, sizeof(r->note));
	if (pop < 0)
		return;
	r->den = pop;
	r->has_value = pl_rate(a->s.units, pop, ps->def->multiplier, ps->cat->conf, &r->est,
			       NULL) == PL_OK;
}

static void figure_dsr(const struct pass *ps, struct ind_row *r, const struct acc *a)
{
	double pop[PL_ESP2013_BANDS], w[PL_ESP2013_BANDS], total = 0;
	int lo, hi;

	filter_ages(ps, &lo, &hi);
	r->num = a->s.units;
	r->method = "dsr_dobson";
	r->suppress = count_suppressed(a->s.units);
	for (int i = 0; i < PL_ESP2013_BANDS; i++) {
		int b_lo = 5 * i, b_hi = i + 1 == PL_ESP2013_BANDS ? INT_MAX : 5 * i + 4;
		int l = lo > b_lo ? lo : b_lo, h = hi < b_hi ? hi : b_hi;

		pop[i] = 0;
		w[i] = 0;
		if (l > h)
			continue;
		pop[i] = row_population(ps, r, l, h, r->note, sizeof(r->note));
		if (pop[i] < 0 && a->s.events[i] > 0)
			return;
		if (pop[i] < 0)
			pop[i] = 0;
		r->note[0] = '\0';
		w[i] = pl_esp2013[i];
		total += pop[i];
	}
	r->den = total;
	if (a->s.units < MIN_SHOWN) {
		r->reliability = "not_shown";
		snprintf(r->note, sizeof(r->note), "fewer than %d events", MIN_SHOWN);
		return;
	}
	r->has_value = pl_dsr(a->s.events, pop, w, PL_ESP2013_BANDS, ps->def->multiplier,
			      ps->cat->conf, &r->est, NULL) == PL_OK;
	if (!r->has_value)
		snprintf(r->note, sizeof(r->note), "not defined for these populations");
}

static void figure_share(const struct pass *ps, struct ind_row *r, const struct acc *a)
{
	double m = ps->def->multiplier;
	struct pl_diag d;
	enum pl_err err;

	r->num = a->s.num;
	r->den = a->s.units;
	r->method = ps->def->method == IND_M_WILSON ? "wilson" : "clopper_pearson";
	r->suppress = count_suppressed(a->s.num) || count_suppressed(a->s.units) ||
		count_suppressed(a->s.units - a->s.num);
	r->reliability = a->s.units < MIN_RELIABLE ? "unreliable" : "ok";
	pl_diag_clear(&d);
	err = ps->def->method == IND_M_WILSON ?
		pl_prop_wilson(a->s.num, a->s.units, ps->cat->conf, &r->est, &d) :
		pl_prop_exact(a->s.num, a->s.units, ps->cat->conf, &r->est, &d);
	r->has_value = err == PL_OK;
	if (!r->has_value && a->s.units == 0)
		snprintf(r->note, sizeof(r->note), "no %s to take a share of",
			 ind_unit_name(ps->def->unit));
	else if (!r->has_value)
		snprintf(r->note, sizeof(r->note), "%.120s", d.msg[0] ? d.msg : "not estimable");
	r->est.value *= m;
	r->est.lower *= m;
	r->est.upper *= m;
}

static int cmp_vcount(const void *a, const void *b)
{
	double x = ((const struct vcount *)a)->v, y = ((const struct vcount *)b)->v;

	return (x > y) - (x < y);
}

/* The quartiles of a's counted values; -1 when they are not defined. */
static int counted_quartiles(const struct acc *a, double q[3])
{
	struct vcount *t = pl_xmalloc((a->n_cnt + 1) * sizeof(*t));
	double *v = pl_xmalloc((a->n_cnt + 1) * sizeof(*v));
	size_t *n = pl_xmalloc((a->n_cnt + 1) * sizeof(*n)), k = 0;
	int rc;

	for (size_t i = 0; i < a->cap_cnt; i++)
		if (!isnan(a->cnt[i].v) && a->cnt[i].n > 0)
			t[k++] = a->cnt[i];
	qsort(t, k, sizeof(*t), cmp_vcount);
	for (size_t i = 0; i < k; i++) {
		v[i] = t[i].v;
		n[i] = (size_t)t[i].n;
	}
	rc = a->s.not_finite || pl_quartiles_counted(v, n, k, q, NULL) != PL_OK ? -1 : 0;
	free(t);
	free(v);
	free(n);
	return rc;
}

static void figure_quartiles(struct ind_row *r, struct acc *a)
{
	double q[3];

	r->num = (double)a->s.n_vals;
	r->method = "quartiles";
	r->suppress = count_suppressed(r->num);
	if (a->s.n_vals < MIN_SHOWN) {
		r->reliability = "not_shown";
		snprintf(r->note, sizeof(r->note), "fewer than %d values", MIN_SHOWN);
		return;
	}
	if (counted_quartiles(a, q) != 0)
		return;
	r->has_value = 1;
	r->est.lower = q[0];
	r->est.value = q[1];
	r->est.upper = q[2];
}

/* The mean and its interval from the exact sums: the same bits however
 * the values were counted. */
static void figure_mean(const struct pass *ps, struct ind_row *r, const struct acc *a)
{
	double scale = measure_scale(ps->def);
	long double n = (long double)a->s.n_vals, sum = (long double)a->s.sum, var = 0;

	r->num = (double)a->s.sum / scale;
	r->den = (double)a->s.n_vals;
	r->method = "mean_t";
	r->suppress = count_suppressed(r->den);
	r->reliability = a->s.n_vals < MIN_RELIABLE ? "unreliable" : "ok";
	if (a->s.n_vals <= 0) {
		snprintf(r->note, sizeof(r->note), "no values reported");
		return;
	}
	if (a->s.n_vals >= 2)
		var = ((long double)a->s.sum2 - sum * sum / n) / (n - 1) / ((long double)scale * scale);
	if (var < 0)
		var = 0;
	r->has_value = !a->s.not_finite && pl_mean_var_t((size_t)a->s.n_vals, (double)(sum / n /
						       scale), (double)var, ps->cat->conf,
						       &r->est, NULL) == PL_OK;
	if (a->s.units > (double)a->s.n_vals)
		snprintf(r->note, sizeof(r->note), "%.0f of %.0f without a value", a->s.units -
			 (double)a->s.n_vals, a->s.units);
}

static void figure_hidden(const struct pass *ps, struct ind_row *r, const struct acc *a)
{
	struct pl_diag d;

	r->num = a->s.units;
	r->suppress = count_suppressed(a->s.units);
	pl_diag_clear(&d);
	if (ps->def->method == IND_M_CHAO) {
		r->method = "chao1";
		r->has_value = pl_chao1(a->s.units, ps->p.f1, ps->p.f2, ps->cat->conf, &r->est,
					&d) == PL_OK;
	} else {
		size_t nv = n_codes(ps->def->sources, ps->cat), k = 0;
		uint32_t present = 0;
		struct pl_loglin ll;
		double *cells;

		for (uint32_t m = 1; m < (1u << nv); m++)
			if (ps->cells[m] > 0)
				present |= m;
		k = (size_t)__builtin_popcount(present);
		r->method = "loglinear";
		if (k < 3 || k > 8) {
			snprintf(r->note, sizeof(r->note), "%zu sources (%s) seen; the model needs "
				 "3 to 8", k, ind_dim_name(ps->def->sources));
			return;
		}
		cells = pl_xcalloc((size_t)1 << k, sizeof(*cells));
		for (uint32_t m = 1; m < (1u << nv); m++) {
			uint32_t c = 0;
			int bit = 0;

			if (ps->cells[m] == 0)
				continue;
			for (size_t v = 0; v < nv; v++)
				if (present >> v & 1)
					c |= (uint32_t)(m >> v & 1) << bit++;
			cells[c] += ps->cells[m];
		}
		r->has_value = pl_loglinear(cells, (unsigned)k, ps->cat->conf, &ll, &d) == PL_OK;
		free(cells);
		if (r->has_value) {
			r->est = ll.n;
			r->method = strcmp(ll.model, "two-way") == 0 ? "loglinear_two_way" :
				"loglinear_independence";
		}
	}
	if (!r->has_value)
		snprintf(r->note, sizeof(r->note), "%.120s", d.msg[0] ? d.msg : "not estimable");
}

static void make_row(struct pass *ps, struct ind_result *res, int b, int s, struct acc *a)
{
	struct ind_row *r = new_row(res);

	r->def = ps->def_idx;
	r->year = ps->year;
	r->by = b;
	period_label(ps, r->period, sizeof(r->period));
	set_keys(ps, b, s, r);
	switch (ps->def->method) {
	case IND_M_COUNT:     figure_count(r, a, ps->cat->conf); break;
	case IND_M_RATE:      figure_rate(ps, r, a); break;
	case IND_M_DSR:       figure_dsr(ps, r, a); break;
	case IND_M_WILSON:
	case IND_M_EXACT:     figure_share(ps, r, a); break;
	case IND_M_QUARTILES: figure_quartiles(r, a); break;
	case IND_M_MEAN:      figure_mean(ps, r, a); break;
	case IND_M_CHAO:
	case IND_M_LOGLINEAR: figure_hidden(ps, r, a); break;
	}
	if (!r->has_value)
		r->est.value = r->est.lower = r->est.upper = NAN;
	if (b < 0 && ps->p.excluded && !r->note[0])
		snprintf(r->note, sizeof(r->note), "%lld %s without a known age not counted",
			 (long long)ps->p.excluded, ind_unit_name(ps->def->unit));
	if (ps->def->period != IND_P_DAY && !r->note[0] &&
	    day_of(ps->year, 12, 31) > ps->data->as_of)
	{
		char iso[16];

		ind_day_iso(ps->data->as_of, iso);
		snprintf(r->note, sizeof(r->note), "part of the year: data up to %s", iso);
	}
}

/* ---- equity: funnel positions and heterogeneity of district rows ---------- */

static int funnel_kind(enum ind_method m, enum pl_funnel_kind *kind)
{
	if (m == IND_M_RATE)
		*kind = PL_FUNNEL_RATE;
	else if (m == IND_M_WILSON || m == IND_M_EXACT)
		*kind = PL_FUNNEL_PROP;
	else
		return 0;
	return 1;
}

static const char *position_od(enum pl_funnel_kind kind, double target, double tau2,
			       double x, double den)
{
	double lo95, hi95, lo998, hi998, v = x / den;

	if (pl_funnel_limits_od(kind, target, tau2, den, 0.95, &lo95, &hi95, NULL) != PL_OK ||
	    pl_funnel_limits_od(kind, target, tau2, den, 0.998, &lo998, &hi998, NULL) != PL_OK)
		return NULL;
	return v > hi998 ? "above99.8" : v > hi95 ? "above95" : v < lo998 ? "below99.8" :
		v < lo95 ? "below95" : "inside";
}

/* rows[first..] are one indicator-period; the district breakdown's rows get
 * funnel positions, the period a heterogeneity row. */
static void equity(struct pass *ps, struct ind_result *res, size_t first)
{
	enum pl_funnel_kind kind;
	double target, x[IND_MAX_VALUES] = { 0 }, den[IND_MAX_VALUES] = { 0 };
	struct ind_row *rows[IND_MAX_VALUES] = { NULL };
	struct ind_row *total = &res->rows[first];
	size_t k = 0;
	int b = -1;
	struct pl_hetero h;

	if (!funnel_kind(ps->def->method, &kind) || isnan(total->den) || total->den <= 0)
		return;
	for (size_t i = 0; i < ps->def->n_by; i++)
		if (ps->def->by[i][0] == IND_D_DISTRICT && ps->def->by[i][1] < 0)
			b = (int)i;
	if (b < 0)
		return;
	target = total->num / total->den;
	for (size_t i = first; i < res->n_rows; i++) {
		struct ind_row *r = &res->rows[i];
		enum pl_funnel_pos pos;

		if (r->by != b || isnan(r->den) || r->den <= 0 ||
		    (size_t)r->key[IND_D_DISTRICT] + 1 == n_codes(IND_D_DISTRICT, ps->cat))
			continue;
		if (pl_funnel_position(kind, target, r->num, r->den, &pos, NULL) == PL_OK)
			r->funnel = pl_funnel_pos_name(pos);
		rows[k] = r;
		x[k] = r->num;
		den[k++] = r->den;
	}
	if (pl_heterogeneity(kind, x, den, k, 0.1, &h, NULL) != PL_OK)
		return;
	for (size_t i = 0; i < k; i++)
		rows[i]->funnel_od = position_od(kind, target, h.tau2, x[i], den[i]);
	if (res->n_equity == res->cap_equity) {
		res->cap_equity = res->cap_equity ? 2 * res->cap_equity : 32;
		res->equity = pl_xrealloc(res->equity, res->cap_equity * sizeof(*res->equity));
	}
	res->equity[res->n_equity].def = ps->def_idx;
	snprintf(res->equity[res->n_equity].period, sizeof(res->equity[0].period), "%s",
		 total->period);
	res->equity[res->n_equity].units = k;
	res->equity[res->n_equity++].h = h;
}

static void trends(struct ind_result *res, size_t first, double conf);

/* ---- one indicator, one period ------------------------------------------- */

static void period_begin(struct pass *ps)
{
	ps->acc = pl_xcalloc((ps->def->n_by + 1) * N_SLOTS, sizeof(*ps->acc));
	if (ps->def->method == IND_M_LOGLINEAR) {
		ps->n_cells = (size_t)1 << n_codes(ps->def->sources, ps->cat);
		ps->cells = pl_xcalloc(ps->n_cells, sizeof(*ps->cells));
	}
}

/* The rows of the period (the total always; a group while it has units),
 * then its equity row. */
static void period_end(struct pass *ps, struct ind_result *res)
{
	size_t n_blocks = ps->def->n_by + 1, first = res->n_rows;

	acc_at(ps, -1, 0);
	for (size_t b = 0; b < n_blocks; b++)
		for (size_t s = 0; s < N_SLOTS; s++) {
			struct acc *a = ps->acc[b * N_SLOTS + s];

			if (a && (a->s.units > 0 || (b == 0 && s == 0)))
				make_row(ps, res, (int)b - 1, (int)s, a);
		}
	equity(ps, res, first);
}

static void pass_free(struct pass *ps)
{
	if (!ps)
		return;
	if (ps->acc)
		for (size_t i = 0; i < (ps->def->n_by + 1) * N_SLOTS; i++) {
			if (ps->acc[i])
				free(ps->acc[i]->cnt);
			free(ps->acc[i]);
		}
	free(ps->acc);
	free(ps->cells);
	free(ps);
}

/* ---- the sums of a pass as bytes (struct ind_sums) ----------------------- */

/* A pass's sums: this head, its loglinear cells (n_cells doubles), then
 * n_acc groups, each a struct sums_acc and its distinct values (struct
 * vcount, n_values).  Native byte order: the state file's header says
 * whose (state.c). */
struct sums_head {
	uint64_t bytes;           /* of the whole, this head included */
	uint32_t def;
	int32_t year;
	uint64_t n_acc, n_cells;
	struct pass_sums p;
};

struct sums_acc {
	uint32_t block, slot;
	uint64_t n_values;
	struct acc_sums s;
};

/* Appends the sums of ps to out. */
static void pass_save(const struct pass *ps, struct pl_buf *out)
{
	size_t n_blocks = ps->def->n_by + 1, start = out->len;
	struct sums_head h;

	memset(&h, 0, sizeof(h));
	h.def = (uint32_t)ps->def_idx;
	h.year = ps->year;
	h.n_cells = ps->n_cells;
	h.p = ps->p;
	pl_buf_append(out, &h, sizeof(h));
	if (ps->n_cells)
		pl_buf_append(out, ps->cells, ps->n_cells * sizeof(*ps->cells));
	for (size_t i = 0; i < n_blocks * N_SLOTS; i++) {
		const struct acc *a = ps->acc[i];
		struct sums_acc sa;

		if (!a || a->s.units == 0)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.block = (uint32_t)(i / N_SLOTS);
		sa.slot = (uint32_t)(i % N_SLOTS);
		sa.s = a->s;
		for (size_t j = 0; j < a->cap_cnt; j++)
			sa.n_values += !isnan(a->cnt[j].v) && a->cnt[j].n > 0;
		pl_buf_append(out, &sa, sizeof(sa));
		for (size_t j = 0; j < a->cap_cnt; j++)
			if (!isnan(a->cnt[j].v) && a->cnt[j].n > 0)
				pl_buf_append(out, &a->cnt[j], sizeof(a->cnt[j]));
		h.n_acc++;
	}
	h.bytes = out->len - start;
	memcpy(out->data + start, &h, sizeof(h));
}

/* The sums of indicator k for year in sums (a run of struct sums_head
 * blobs), or NULL; *n_blobs: how many the run holds. */
static const char *find_sums(const struct pl_buf *sums, size_t k, int year, size_t *n_blobs)
{
	const char *found = NULL;
	size_t at = 0;

	*n_blobs = 0;
	while (at + sizeof(struct sums_head) <= sums->len) {
		struct sums_head h;

		memcpy(&h, sums->data + at, sizeof(h));
		if (h.bytes < sizeof(h) || h.bytes > sums->len - at)
			return NULL;
		if (h.def == k && h.year == year)
			found = sums->data + at;
		(*n_blobs)++;
		at += h.bytes;
	}
	return found;
}

/* Sets the fresh pass ps to the sums of blob: 0, or -1 when they do not
 * fit its indicator (a stale or damaged state). */
static int pass_load(struct pass *ps, const char *blob)
{
	size_t n_blocks = ps->def->n_by + 1, at = sizeof(struct sums_head);
	struct sums_head h;

	memcpy(&h, blob, sizeof(h));
	if (h.n_cells != ps->n_cells || h.bytes < at + h.n_cells * sizeof(double))
		return -1;
	ps->p = h.p;
	if (h.n_cells)
		memcpy(ps->cells, blob + at, h.n_cells * sizeof(double));
	at += h.n_cells * sizeof(double);
	for (uint64_t i = 0; i < h.n_acc; i++) {
		struct sums_acc sa;
		struct acc *a;

		if (h.bytes - at < sizeof(sa))
			return -1;
		memcpy(&sa, blob + at, sizeof(sa));
		at += sizeof(sa);
		if (sa.block >= n_blocks || sa.slot >= N_SLOTS || ps->acc[sa.block * N_SLOTS + sa.slot] ||
		    sa.n_values > (h.bytes - at) / sizeof(struct vcount))
			return -1;
		a = acc_at(ps, (int)sa.block - 1, (int)sa.slot);
		a->s = sa.s;
		for (uint64_t j = 0; j < sa.n_values; j++) {
			struct vcount vc;
			int bad = 0;

			memcpy(&vc, blob + at, sizeof(vc));
			at += sizeof(vc);
			if (isnan(vc.v) || vc.n <= 0)
				return -1;
			ps->table_bytes += vcount_add(a, vc.v, vc.n, &bad);
		}
	}
	return at == h.bytes ? 0 : -1;
}

/* ---- one indicator: its periods in one or more sweeps over the persons ---- */

/* The pass of indicator k for the period of year y, begun; NULL when the
 * period has no data (a day after the latest date). */
static struct pass *make_pass(const struct ind_catalogue *cat, const struct ind_data *data,
			      const struct ind_population *pop, size_t k, int y)
{
	const struct ind_def *def = &cat->defs[k];
	int32_t lo = day_of(y, 1, 1), hi = day_of(y, 12, 31);
	struct pass *ps;

	if (def->period == IND_P_DAY)
		lo = hi = day_of(y, def->day_month, def->day_mday);
	if (def->period == IND_P_DAY && lo > data->as_of)
		return NULL;
	ps = pl_xcalloc(1, sizeof(*ps));
	ps->cat = cat;
	ps->data = data;
	ps->pop = pop;
	ps->def = def;
	ps->def_idx = k;
	ps->year = y;
	ps->lo = lo;
	ps->hi = hi;
	for (size_t b = 0; b < def->n_by; b++)
		ps->by_age_band |= def->by[b][0] == IND_D_AGE_BAND || def->by[b][1] == IND_D_AGE_BAND;
	period_begin(ps);
	return ps;
}

/* The pass ps made again: what it gathered is dropped. */
static struct pass *pass_restart(struct pass *ps)
{
	struct pass *fresh = make_pass(ps->cat, ps->data, ps->pop, ps->def_idx, ps->year);

	pass_free(ps);
	return fresh;
}

/* Keeps the distinct-value tables of the passes ps[0..n) within budget
 * bytes: while they take more, the last pass but the first starts over (to
 * be swept again).  Returns the passes left, the first n of ps. */
static size_t fit_budget(struct pass **ps, size_t n, size_t budget)
{
	size_t bytes = 0;

	for (size_t i = 0; i < n; i++)
		bytes += ps[i] ? ps[i]->table_bytes : 0;
	while (bytes > budget && n > 1) {
		n--;
		if (!ps[n])
			continue;
		bytes -= ps[n]->table_bytes;
		ps[n] = pass_restart(ps[n]);
	}
	return n;
}

/* Room for n episodes in the scratch *u of *cap. */
static void unit_room(struct unit_ep **u, size_t *cap, size_t n)
{
	if (n > *cap) {
		*cap = n;
		*u = pl_xrealloc(*u, *cap * sizeof(**u));
	}
}

/* Adds every person to the passes ps[0..*n) (NULL ones skipped).  With a
 * budget (bytes; 0: none), the passes that do not fit it are started
 * over and left out (fit_budget): *n becomes the passes swept to the end.
 * PL_EIO when the spill file cannot be read. */
static enum pl_err sweep(const struct ind_data *data, struct pass **ps, size_t *n,
			 size_t budget, struct pl_diag *d)
{
	struct ind_cursor c;
	struct ind_person p;
	const struct ind_episode *ep;
	struct unit_ep *u = NULL;
	size_t cap = 0;
	enum pl_err err;
	int rc;

	err = ind_cursor_open(&c, data, d);
	if (err)
		goto cleanup;
	while ((rc = ind_cursor_next(&c, &p, &ep, d)) > 0) {
		unit_room(&u, &cap, p.n);
		for (size_t i = 0; i < *n; i++)
			if (ps[i])
				add_person(ps[i], &p, ep, u, 1);
		if (budget)
			*n = fit_budget(ps, *n, budget);
	}
	if (rc < 0)
		err = PL_EIO;
cleanup:
	ind_cursor_close(&c);
	free(u);
	return err;
}

/* Takes out and adds the persons of a night's delta in ps. */
static void sweep_delta(const struct ind_delta *dl, struct pass *ps)
{
	struct unit_ep *u = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < dl->n_p; i++) {
		unit_room(&u, &cap, dl->p[i].n);
		add_person(ps, &dl->p[i], dl->ep + dl->p[i].first, u, dl->sign[i]);
	}
	free(u);
}

/* Ends pass ps into res and its sums into out (if any), and frees it. */
static void pass_done(struct pass *ps, struct ind_result *res, struct pl_buf *out)
{
	period_end(ps, res);
	if (out)
		pass_save(ps, out);
	pass_free(ps);
}

/* Sweeps the passes ps[0..n) as many at a time, in order, as keep their
 * distinct-value tables within budget bytes (one at least, however large
 * its tables), and ends each sweep's passes into res (and out) before the
 * next. */
static enum pl_err sweep_in_budget(const struct ind_data *data, struct pass **ps, size_t n,
				   size_t budget, struct ind_result *res, struct pl_buf *out,
				   struct pl_diag *d)
{
	size_t done = 0;
	enum pl_err err = PL_OK;

	while (done < n && !err) {
		size_t m = n - done;

		if (!ps[done]) {
			done++;
			continue;
		}
		err = sweep(data, ps + done, &m, budget, d);
		for (size_t i = done; i < done + m && !err; i++) {
			if (ps[i])
				pass_done(ps[i], res, out);
			ps[i] = NULL;
		}
		done += m;
	}
	return err;
}

/* A night: each period of indicator k from its sums in old, with the
 * delta's persons taken out and added, one period at a time.  Sets
 * res->stale (and stops) when old does not hold exactly the periods the
 * data have, or a sum taken out was not there. */
static void apply_delta(const struct ind_catalogue *cat, const struct ind_data *data,
			const struct ind_population *pop, size_t k, const struct ind_sums *old,
			const struct ind_delta *delta, struct ind_result *res,
			struct pl_buf *out)
{
	size_t n_blobs = 0, used = 0;

	for (int y = data->first_year; y <= data->last_year && !res->stale; y++) {
		struct pass *ps = make_pass(cat, data, pop, k, y);
		const char *blob = find_sums(&old->by_def[k], k, y, &n_blobs);

		if (!ps && !blob)
			continue;
		used++;
		if (!ps || !blob || pass_load(ps, blob) != 0) {
			res->stale = 1;
			pass_free(ps);
			break;
		}
		sweep_delta(delta, ps);
		res->stale = ps->inconsistent;
		if (res->stale)
			pass_free(ps);
		else
			pass_done(ps, res, out);
	}
	if (used != n_blobs)
		res->stale = 1;
}

/* Indicator k's rows, equity rows and trends (and its sums into out, if
 * any): counted over the data, or with old, from old's sums and the
 * delta (apply_delta).  No figure keeps its values: quartiles count the
 * distinct values, which may be as many as the units, so they sweep as
 * many periods at once as keep those tables within a budget
 * (sweep_in_budget); the others sweep all periods at once. */
static enum pl_err compute_def(const struct ind_catalogue *cat, const struct ind_data *data,
			       const struct ind_population *pop, size_t k,
			       const struct ind_sums *old, const struct ind_delta *delta,
			       struct pl_buf *out, struct ind_result *res, struct pl_diag *d)
{
	const struct ind_def *def = &cat->defs[k];
	size_t n = (size_t)(data->last_year - data->first_year + 1), first = res->n_rows;
	size_t budget = data->table_budget ? data->table_budget : IND_TABLE_BUDGET;
	struct pass **ps;
	enum pl_err err = PL_OK;

	if (old) {
		apply_delta(cat, data, pop, k, old, delta, res, out);
		if (!res->stale)
			trends(res, first, cat->conf);
		return PL_OK;
	}
	ps = pl_xcalloc(n, sizeof(*ps));
	for (size_t i = 0; i < n; i++)
		ps[i] = make_pass(cat, data, pop, k, data->first_year + (int)i);
	if (def->method == IND_M_QUARTILES)
		err = sweep_in_budget(data, ps, n, budget, res, out, d);
	else
		err = sweep(data, ps, &n, 0, d);
	for (size_t i = 0; i < n && !err; i++) {
		if (ps[i])
			pass_done(ps[i], res, out);
		ps[i] = NULL;
	}
	if (!err)
		trends(res, first, cat->conf);
	for (size_t i = 0; i < n; i++)
		pass_free(ps[i]);
	free(ps);
	return err;
}

/* ---- trends ------------------------------------------------------------------ */

static int same_group(const struct ind_row *a, const struct ind_row *b)
{
	return a->def == b->def && a->by == b->by &&
		memcmp(a->key, b->key, sizeof(a->key)) == 0;
}

/* A line through the yearly values of each group of rows[first..], the
 * variances from the intervals' widths. */
static void trends(struct ind_result *res, size_t first, double conf)
{
	double z = gsl_cdf_ugaussian_Pinv(1 - (1 - conf) / 2);
	size_t n_years = 0;

	for (size_t i = first; i < res->n_rows; i++)
		n_years += res->rows[i].by == -1;
	if (n_years < 2)
		return;
	for (size_t i = first; i < res->n_rows; i++) {
		const struct ind_row *g = &res->rows[i];
		double t[64], y[64], var[64];
		struct ind_trend *tr;
		size_t n = 0, last = i;
		int seen_before = 0;

		for (size_t j = first; j < i && !seen_before; j++)
			seen_before = same_group(&res->rows[j], g);
		if (seen_before)
			continue;
		for (size_t j = i; j < res->n_rows && n < 64; j++) {
			const struct ind_row *r = &res->rows[j];

			if (!same_group(r, g) || !r->has_value || strcmp(r->method, "quartiles") == 0 ||
			    !(r->est.upper > r->est.lower))
				continue;
			t[n] = r->year;
			y[n] = r->est.value;
			var[n] = pow((r->est.upper - r->est.lower) / (2 * z), 2);
			n++;
			last = j;
		}
		if (n < 2)
			continue;
		if (res->n_trends == res->cap_trends) {
			res->cap_trends = res->cap_trends ? 2 * res->cap_trends : 64;
			res->trends = pl_xrealloc(res->trends, res->cap_trends * sizeof(*res->trends));
		}
		tr = &res->trends[res->n_trends];
		if (pl_trend(t, y, var, n, conf, &tr->slope, NULL) != PL_OK)
			continue;
		tr->def = g->def;
		tr->by = g->by;
		memcpy(tr->key, g->key, sizeof(tr->key));
		snprintf(tr->first, sizeof(tr->first), "%s", g->period);
		snprintf(tr->last, sizeof(tr->last), "%s", res->rows[last].period);
		tr->n = n;
		res->n_trends++;
	}
}

/* ---- the indicators on threads ------------------------------------------- */

/*
 * Each indicator sweeps the persons on its own (compute_def), so they are
 * computed on threads, each taking the next indicator into that
 * indicator's own result; the results are then joined in catalogue order,
 * so the tables are the same on any number of threads.  Each sweep reads
 * the spill file through its own cursor (pread); lib/stats serialises its
 * GSL calls.
 */
struct workers {
	const struct ind_catalogue *cat;
	const struct ind_data *data;
	const struct ind_population *pop;
	const struct ind_sums *old;   /* a night's: the sums it starts from */
	const struct ind_delta *delta;
	struct ind_sums *out;         /* the sums made, if kept */
	struct ind_result *res;       /* by indicator */
	enum pl_err *err;             /* by indicator */
	struct pl_diag *diag;         /* by indicator */
	size_t next;                  /* the next indicator to take */
	pthread_mutex_t lock;
};

static void *work(void *arg)
{
	struct workers *w = arg;

	for (;;) {
		struct timespec t;
		char step[96];
		size_t k;

		pthread_mutex_lock(&w->lock);
		k = w->next++;
		pthread_mutex_unlock(&w->lock);
		if (k >= w->cat->n_defs)
			return NULL;
		clock_gettime(CLOCK_MONOTONIC, &t);
		w->err[k] = compute_def(w->cat, w->data, w->pop, k, w->old, w->delta,
					w->out ? &w->out->by_def[k] : NULL, &w->res[k],
					&w->diag[k]);
		snprintf(step, sizeof(step), "indicator %s", w->cat->defs[k].id);
		pl_log_step(&t, step);
	}
}

/* Appends n items of size each from src to the array *dst of *n_dst (and
 * sets its *cap); src may be NULL when n is 0. */
static void append_items(void **dst, size_t *n_dst, size_t *cap, const void *src, size_t n,
			 size_t size)
{
	*dst = pl_xrealloc(*dst, (*n_dst + n + 1) * size);
	if (n)
		memcpy((char *)*dst + *n_dst * size, src, n * size);
	*n_dst += n;
	*cap = *n_dst + 1;
}

/* Moves the rows, equity tests and trends of from to the end of to. */
static void join_result(struct ind_result *to, struct ind_result *from)
{
	void *rows = to->rows, *equity = to->equity, *trends = to->trends;

	append_items(&rows, &to->n_rows, &to->cap_rows, from->rows, from->n_rows,
		     sizeof(*to->rows));
	append_items(&equity, &to->n_equity, &to->cap_equity, from->equity, from->n_equity,
		     sizeof(*to->equity));
	append_items(&trends, &to->n_trends, &to->cap_trends, from->trends, from->n_trends,
		     sizeof(*to->trends));
	to->rows = rows;
	to->equity = equity;
	to->trends = trends;
	to->stale |= from->stale;
	ind_result_release(from);
}

/* Threads for n indicators: the catalogue's, else one per core, at most 8. */
static size_t n_threads(const struct ind_catalogue *cat)
{
	long n = cat->threads ? cat->threads : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > 8 && !cat->threads)
		n = 8;
	return (size_t)n < cat->n_defs ? (size_t)n : cat->n_defs;
}

void ind_sums_init(struct ind_sums *s, size_t n_defs)
{
	s->n_defs = n_defs;
	s->by_def = pl_xcalloc(n_defs ? n_defs : 1, sizeof(*s->by_def));
	for (size_t k = 0; k < n_defs; k++)
		pl_buf_init(&s->by_def[k]);
}

void ind_sums_release(struct ind_sums *s)
{
	for (size_t k = 0; s->by_def && k < s->n_defs; k++)
		pl_buf_release(&s->by_def[k]);
	free(s->by_def);
	memset(s, 0, sizeof(*s));
}

enum pl_err ind_compute(const struct ind_catalogue *cat, const struct ind_data *data,
			const struct ind_population *pop, struct ind_result *res,
			struct pl_diag *d)
{
	return ind_compute_sums(cat, data, pop, NULL, NULL, NULL, res, d);
}

enum pl_err ind_compute_sums(const struct ind_catalogue *cat, const struct ind_data *data,
			     const struct ind_population *pop, const struct ind_sums *old,
			     const struct ind_delta *delta, struct ind_sums *out,
			     struct ind_result *res, struct pl_diag *d)
{
	struct workers w;
	pthread_t *tid;
	size_t n_tid = 0, want;
	enum pl_err err = PL_OK;

	memset(res, 0, sizeof(*res));
	if (out)
		ind_sums_init(out, cat->n_defs);
	if (old && old->n_defs != cat->n_defs)
		res->stale = 1;
	if (res->stale || (!old && data->n_ep == 0) || cat->n_defs == 0)
		return PL_OK;
	memset(&w, 0, sizeof(w));
	w.cat = cat;
	w.data = data;
	w.pop = pop;
	w.old = old;
	w.delta = delta;
	w.out = out;
	w.res = pl_xcalloc(cat->n_defs, sizeof(*w.res));
	w.err = pl_xcalloc(cat->n_defs, sizeof(*w.err));
	w.diag = pl_xcalloc(cat->n_defs, sizeof(*w.diag));
	pthread_mutex_init(&w.lock, NULL);
	want = n_threads(cat);
	tid = pl_xcalloc(want, sizeof(*tid));
	for (size_t i = 1; i < want; i++)     /* this thread is the first worker */
		n_tid += pthread_create(&tid[n_tid], NULL, work, &w) == 0;
	work(&w);
	for (size_t i = 0; i < n_tid; i++)
		pthread_join(tid[i], NULL);
	for (size_t k = 0; k < cat->n_defs; k++) {
		if (w.err[k] && !err) {
			err = w.err[k];
			if (d)
				*d = w.diag[k];
		}
		join_result(res, &w.res[k]);
	}
	pthread_mutex_destroy(&w.lock);
	free(tid);
	free(w.res);
	free(w.err);
	free(w.diag);
	if (err || res->stale) {
		int stale = res->stale;

		ind_result_release(res);
		res->stale = stale && !err;
		return err;
	}
	for (size_t i = 0; i < res->n_rows; i++)
		if (res->rows[i].note[0] && strncmp(res->rows[i].note, "the population", 14) == 0)
			res->n_warnings++;
	return PL_OK;
}

void ind_result_release(struct ind_result *res)
{
	free(res->rows);
	free(res->equity);
	free(res->trends);
	memset(res, 0, sizeof(*res));
}

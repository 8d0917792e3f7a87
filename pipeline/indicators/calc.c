/*
 * indicators/calc.c - the calculator: one method of lib/stats on one
 * figure, for checking a published figure by hand.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "indicators.h"

static enum pl_err need_den(const struct ind_calc_args *a, struct pl_diag *d)
{
	if (isnan(a->den))
		return pl_diag_set(d, PL_EUSAGE, "", 0, "method '%s' needs --den", a->method);
	return PL_OK;
}

static enum pl_err estimate(const struct ind_calc_args *a, struct pl_est *e, struct pl_diag *d)
{
	const char *m = a->method;
	enum pl_err err = PL_OK;

	if (strcmp(m, "wilson") == 0 || strcmp(m, "exact") == 0) {
		err = need_den(a, d);
		if (!err)
			err = m[0] == 'w' ? pl_prop_wilson(a->num, a->den, a->conf, e, d) :
				pl_prop_exact(a->num, a->den, a->conf, e, d);
		if (!err) {
			e->value *= a->multiplier;
			e->lower *= a->multiplier;
			e->upper *= a->multiplier;
		}
	} else if (strcmp(m, "poisson") == 0) {
		err = pl_count_auto(a->num, a->conf, e, d);
	} else if (strcmp(m, "poisson_exact") == 0) {
		err = pl_count_exact(a->num, a->conf, e, d);
	} else if (strcmp(m, "byar") == 0) {
		err = pl_count_byar(a->num, a->conf, e, d);
	} else if (strcmp(m, "rate") == 0) {
		err = need_den(a, d);
		if (!err)
			err = pl_rate(a->num, a->den, a->multiplier, a->conf, e, d);
	} else if (strcmp(m, "chao") == 0) {
		err = pl_chao1(a->num, a->f1, a->f2, a->conf, e, d);
	} else {
		err = pl_diag_set(d, PL_EUSAGE, "", 0, "unknown method '%s' (wilson, exact, "
				  "poisson, poisson_exact, byar, rate, chao)", m);
	}
	return err;
}

static enum pl_err funnel(const struct ind_calc_args *a, FILE *out, struct pl_diag *d)
{
	enum pl_funnel_kind kind = strcmp(a->method, "rate") == 0 ? PL_FUNNEL_RATE :
		PL_FUNNEL_PROP;
	static const double confs[2] = { 0.95, 0.998 };
	enum pl_funnel_pos pos;
	double lo, hi;
	enum pl_err err;

	if (strcmp(a->method, "rate") != 0 && strcmp(a->method, "wilson") != 0 &&
	    strcmp(a->method, "exact") != 0)
		return pl_diag_set(d, PL_EUSAGE, "", 0, "--target goes with rate, wilson or exact");
	for (int i = 0; i < 2; i++) {
		err = pl_funnel_limits(kind, a->target, a->den, confs[i], &lo, &hi, d);
		if (err)
			return err;
		fprintf(out, "funnel%s %.10g %.10g\n", i ? "99.8" : "95", lo, hi);
	}
	err = pl_funnel_position(kind, a->target, a->num, a->den, &pos, d);
	if (!err)
		fprintf(out, "position %s\n", pl_funnel_pos_name(pos));
	return err;
}

enum pl_err ind_calc(const struct ind_calc_args *a, FILE *out, struct pl_diag *d)
{
	struct pl_est e;
	enum pl_err err = estimate(a, &e, d);

	if (err)
		return err;
	fprintf(out, "%.10g %.10g %.10g\n", e.value, e.lower, e.upper);
	if (!isnan(a->target))
		err = funnel(a, out, d);
	return err;
}

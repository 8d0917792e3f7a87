/*
 * lib/stats.h - the statistical methods of the indicators stage, on GSL:
 * intervals for proportions, counts and rates, directly standardised rates,
 * funnel-plot limits, heterogeneity across units, trends and
 * capture-recapture estimates of a hidden population.
 *
 * Conventions, for every function here:
 *   - conf is the two-sided coverage, 0 < conf < 1 (0.95 for 95 %);
 *   - counts are doubles holding whole numbers >= 0 (they may be large);
 *   - a function returns PL_OK and fills its result with finite numbers, or
 *     PL_EDATA (with a reason in *d when d is not NULL) when the figure is
 *     undefined for the input (a denominator of 0, a count above its
 *     denominator, conf out of range, a non-finite input, too few units):
 *     never NaN or an infinity, never an abort.  The caller stores NULL;
 *   - GSL's error handler is replaced for the duration of each call and the
 *     caller's handler restored before return (no lasting global state);
 *     the calls hold a lock meanwhile, so they may come from several threads
 *     (they then run one at a time);
 *     where a GSL inverse fails or returns NaN, a bracketed root-finder on
 *     the distribution function takes over.
 *
 * Methods follow the public-health observatories' technical guidance
 * (APHO / PHE "Technical Guide: Confidence Intervals", 2008 and later
 * updates; Spiegelhalter 2005 for funnel plots and over-dispersion; Chao
 * 1987 for the lower bound; Fienberg 1972 / Cormack 1989 for log-linear
 * capture-recapture models).
 */
#ifndef PL_STATS_H
#define PL_STATS_H

#include <stddef.h>

#include "pl.h"

/* An estimate with its interval. */
struct pl_est {
	double value;
	double lower;
	double upper;
};

/* ---- proportions (value = x / n, between 0 and 1) ---------------------- */

/* Wilson score interval for x successes out of n (n > 0, 0 <= x <= n). */
enum pl_err pl_prop_wilson(double x, double n, double conf, struct pl_est *out,
			   struct pl_diag *d);
/* Exact Clopper-Pearson interval from beta quantiles; lower is 0 at x = 0
 * and upper is 1 at x = n. */
enum pl_err pl_prop_exact(double x, double n, double conf, struct pl_est *out,
			  struct pl_diag *d);

/* ---- counts (value = x; the interval is for the Poisson mean) ---------- */

/* Exact Poisson limits from chi-square quantiles: lower = chi2(a/2, 2x)/2
 * (0 at x = 0), upper = chi2(1-a/2, 2x+2)/2. */
enum pl_err pl_count_exact(double x, double conf, struct pl_est *out, struct pl_diag *d);
/* Byar's approximation to the exact limits. */
enum pl_err pl_count_byar(double x, double conf, struct pl_est *out, struct pl_diag *d);
/* The observatories' rule: exact below 10 events, Byar's from 10. */
enum pl_err pl_count_auto(double x, double conf, struct pl_est *out, struct pl_diag *d);

/* A crude rate: the count interval of pl_count_auto scaled by
 * multiplier / den (den > 0, e.g. person-years or population). */
enum pl_err pl_rate(double x, double den, double multiplier, double conf,
		    struct pl_est *out, struct pl_diag *d);

/* ---- directly standardised rate (Dobson et al. 1991) ------------------- */

/* n_bands age bands: events x[i], population pop[i] (> 0 where x[i] > 0;
 * a band of population 0 and no events contributes nothing), standard
 * population weight w[i] (e.g. the European Standard Population 2013).
 * value = sum(w x/pop) / sum(w) * multiplier; Dobson's interval from the
 * exact Poisson limits of the total count.  PL_EDATA when the total count is
 * below 10 (the method is not shown then) or sum(w) over the bands is 0. */
enum pl_err pl_dsr(const double *x, const double *pop, const double *w, size_t n_bands,
		   double multiplier, double conf, struct pl_est *out, struct pl_diag *d);

/* The European Standard Population 2013: 20 bands of five years, 0-4 to
 * 90-94 and 95+, weights summing to 100,000.  Band i covers ages 5i to
 * 5i+4 (the last: 95 and over). */
#define PL_ESP2013_BANDS 20
extern const double pl_esp2013[PL_ESP2013_BANDS];

/* ---- funnel plots (Spiegelhalter 2005) --------------------------------- */

enum pl_funnel_kind {
	PL_FUNNEL_RATE,       /* x events in a population den, Poisson */
	PL_FUNNEL_PROP        /* x of n, binomial */
};

/* Exact control limits around target (a rate per 1 for PL_FUNNEL_RATE, a
 * proportion for PL_FUNNEL_PROP) for a unit of size den, at two-sided
 * coverage conf (0.95, 0.998): the quantiles of Poisson(target * den) or
 * Binomial(den, target), interpolated between integers as in
 * Spiegelhalter 2005 (appendix A.1.1), divided by den.  Limits are clamped
 * to >= 0 (and <= 1 for proportions). */
enum pl_err pl_funnel_limits(enum pl_funnel_kind kind, double target, double den, double conf,
			     double *lower, double *upper, struct pl_diag *d);

/* Where a unit's observed value x / den lies against the limits. */
enum pl_funnel_pos {
	PL_FUNNEL_INSIDE = 0,
	PL_FUNNEL_ABOVE95,    /* above the 95 % limit, not the 99.8 % one */
	PL_FUNNEL_ABOVE998,
	PL_FUNNEL_BELOW95,
	PL_FUNNEL_BELOW998
};
/* Position of a whole count x in a unit of size den against the 95 % and
 * 99.8 % limits, by exact tail probabilities: above when P(X >= x) <
 * 0.025 (0.001), below when P(X <= x) is, with X ~ Poisson(target * den)
 * or Binomial(den, target).  (The interpolated limits above are for
 * drawing; comparing x / den with them would flag the top of a small
 * discrete distribution as above.) */
enum pl_err pl_funnel_position(enum pl_funnel_kind kind, double target, double x, double den,
			       enum pl_funnel_pos *pos, struct pl_diag *d);
/* "inside", "above95", "above99.8", "below95", "below99.8". */
const char *pl_funnel_pos_name(enum pl_funnel_pos pos);

/* ---- heterogeneity across k units (districts) -------------------------- */

struct pl_hetero {
	double target;        /* pooled value: sum x / sum den */
	double chi2;          /* Pearson chi-square of homogeneity */
	double df;            /* k - 1 */
	double p_value;       /* upper tail of chi-square(df) */
	double phi;           /* over-dispersion: mean of squared z-scores
			       * (winsorised, see below) */
	double tau2;          /* additive random-effects variance on the
			       * value scale (DerSimonian-Laird form of
			       * Spiegelhalter 2005); 0 when phi <= (k-1)/k */
};
/* x[i] events (or successes) in den[i] for k >= 2 units with den[i] > 0.
 * For PL_FUNNEL_RATE the chi-square is sum (x - E)^2 / E with E = den *
 * target; for PL_FUNNEL_PROP it is the Pearson statistic of the 2 x k table.
 * z-scores z_i = (x_i/den_i - target) / s_i with s_i^2 = target/den_i (rate)
 * or target(1-target)/den_i (proportion), winsorised: the lowest and
 * highest floor(winsor * k) z-scores are set to the nearest remaining one
 * (winsor 0.1 as Spiegelhalter; 0 for none).  PL_EDATA when k < 2, the
 * target is 0 (or 1 for proportions) so that no variance exists. */
enum pl_err pl_heterogeneity(enum pl_funnel_kind kind, const double *x, const double *den,
			     size_t k, double winsor, struct pl_hetero *out, struct pl_diag *d);
/* Over-dispersed limits for a unit of size den: target +- z * sqrt(s^2 +
 * tau2), clamped as pl_funnel_limits. */
enum pl_err pl_funnel_limits_od(enum pl_funnel_kind kind, double target, double tau2,
				double den, double conf, double *lower, double *upper,
				struct pl_diag *d);

/* ---- quantiles and means ------------------------------------------------ */

/* Quartiles of n values (n >= 1; sorted in place): q[0] first quartile,
 * q[1] median, q[2] third quartile, by gsl_stats_quantile_from_sorted_data
 * (R's type 7).  The caller decides whether n is enough to show them. */
enum pl_err pl_quartiles(double *v, size_t n, double q[3], struct pl_diag *d);
/* The same quartiles, bit for bit, of values given as k distinct values
 * v[0] < v[1] < ... < v[k-1], value v[i] count[i] > 0 times: memory by the
 * distinct values, not by how many there are. */
enum pl_err pl_quartiles_counted(const double *v, const size_t *count, size_t k, double q[3],
				 struct pl_diag *d);
/* A mean without the values in memory: the values go through
 * pl_mean_acc_add, then the very same values in the same order through
 * pl_mean_acc_add2; pl_mean_acc_t then gives the mean with a Student-t
 * interval (the same recurrences as gsl_stats_mean and gsl_stats_sd_m).
 * pl_mean_t is the same for values in memory. */
struct pl_mean_acc {
	long double mean;     /* running mean (first pass) */
	long double var;      /* running variance about the mean (second pass) */
	size_t n, n2;         /* values of the first and second pass */
	int not_finite;
};
void pl_mean_acc_add(struct pl_mean_acc *m, double x);
void pl_mean_acc_add2(struct pl_mean_acc *m, double x);
enum pl_err pl_mean_acc_t(const struct pl_mean_acc *m, double conf, struct pl_est *out,
			  struct pl_diag *d);
/* The same interval from n values' mean and sample variance (divisor
 * n - 1; unused at n = 1), for sums kept elsewhere. */
enum pl_err pl_mean_var_t(size_t n, double mean, double variance, double conf,
			  struct pl_est *out, struct pl_diag *d);
/* Mean with a Student-t interval (n >= 2; at n = 1 lower = upper = value). */
enum pl_err pl_mean_t(const double *v, size_t n, double conf, struct pl_est *out,
		      struct pl_diag *d);

/* ---- trend --------------------------------------------------------------- */

/* Weighted least-squares line through (t[i], y[i]) with known variances
 * var[i] > 0 (weights 1/var), n >= 2 distinct t: out->value is the slope
 * (change per unit of t), its interval slope +- z * se from the fit's
 * covariance (variances taken as known, so normal z, not t). */
enum pl_err pl_trend(const double *t, const double *y, const double *var, size_t n,
		     double conf, struct pl_est *out, struct pl_diag *d);

/* ---- hidden population: capture-recapture -------------------------------- */

/* Chao's lower bound from contact frequencies: s_obs units seen, f1 seen
 * once, f2 seen twice.  N = s_obs + f1^2 / (2 f2); with f2 = 0 the
 * bias-corrected f1 (f1 - 1) / 2.  Chao's (1987) variance, and a
 * log-normal interval N = s_obs + f0 / C .. s_obs + f0 * C with
 * C = exp(z sqrt(log(1 + var / f0^2))); with f0 = 0 the interval is
 * [s_obs, s_obs]. */
enum pl_err pl_chao1(double s_obs, double f1, double f2, double conf, struct pl_est *out,
		     struct pl_diag *d);

/* Log-linear capture-recapture over k sources (3 <= k <= 8).  cells has
 * 2^k entries: cells[m] is the number of units seen by exactly the sources
 * whose bits are set in m (bit j = source j); cells[0] is ignored (that is
 * the unknown).  Poisson GLM with log link, fitted by iteratively
 * reweighted least squares (GSL multifit): the model of independent
 * sources and the model with all two-way interactions; the one with the
 * lower AIC among those that converge with finite estimates is used.  The
 * unseen cell is exp(intercept); out->value = seen + unseen, interval
 * seen + exp(intercept +- z se).  model gets "independence" or "two-way". */
struct pl_loglin {
	struct pl_est n;      /* total units, seen and unseen */
	double unseen;        /* the estimated cell 0 */
	double deviance;      /* of the chosen model */
	double df;            /* residual degrees of freedom */
	const char *model;    /* "independence" or "two-way" */
};
enum pl_err pl_loglinear(const double *cells, unsigned k, double conf, struct pl_loglin *out,
			 struct pl_diag *d);

#endif

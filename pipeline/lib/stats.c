/*
 * lib/stats.c - the statistical methods of the indicators stage (see
 * stats.h): intervals for proportions, counts and rates, directly
 * standardised rates, funnel-plot limits, heterogeneity, quartiles and
 * means, weighted trends, and capture-recapture estimates.
 *
 * Every public function swaps GSL's error handler for one that only notes
 * the failure, and puts the caller's back before it returns.  A GSL inverse
 * distribution function that fails (error, NaN, out of range) is replaced
 * by Brent's method on the distribution function.
 *
 * GSL's distribution functions lose accuracy for large parameters, and
 * that decides where they are used:
 *   - gsl_cdf_beta_P computes log(x^a (1-x)^b / B(a, b)) as a sum of terms
 *     of size a + b, so its relative error grows like (a + b) * 1e-16 (7e-4
 *     seen at 1e12); its continued fraction stops after 512 terms and gives NaN
 *     from a + b of a few million, and gsl_cdf_beta_Pinv then loops for ever
 *     in its bisection.  Above BETA_GSL_MAX the beta function is our own
 *     continued fraction with the prefactor in Loader's saddle-point form,
 *     and GSL's beta inverse is not called;
 *   - gsl_cdf_gamma_P/Q (so chi-square and Poisson) stop their series after
 *     a few thousand terms (GSL_EMAXITER, and a wrong value) beyond one
 *     standard deviation from the mean for large shapes (seen at 1e8).  Above
 *     GAMMA_GSL_MAX, or when GSL reports an error, Temme's uniform asymptotic
 *     expansion is used instead;
 *   - gsl_cdf_gamma_Qinv can return an unconverged value without an error
 *     (1.78e9 for the 0.9999995 quantile of chi-square(2e9 + 2)), so every
 *     GSL inverse is checked against the distribution function.
 *
 * On PL_EDATA the outputs are set to 0 (never left as NaN).
 */
#include "stats.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_log.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

#include "pl.h"

const double pl_esp2013[PL_ESP2013_BANDS] = {
	5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
	7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 800, 200
};

/* gsl_cdf_beta_Pinv and _Qinv are only called for a + b up to this; GSL's
 * beta distribution function has been checked finite over [0, 1] up to
 * a + b = 4e5 and first fails near 2.4e6. */
#define BETA_GSL_MAX 1e5
/* GSL's incomplete gamma function is used for shapes up to this. */
#define GAMMA_GSL_MAX 1e5
/* Terms of our own beta continued fraction, a bound far above need (near
 * the mean about 1100 terms at a + b = 1e12). */
#define BETA_CF_MAX_ITER 10000000L
/* The largest Poisson mean or binomial size for exact funnel limits: the
 * integer quantile is stepped in doubles, exact up to 2^53. */
#define FUNNEL_MAX_MEAN 1e13
#define ROOT_MAX_ITER 400
#define LL_MAX_ITER 100
#define LL_MAX_BETA 30.0
#define LN_SQRT_2PI 0.91893853320467274178

/* ---- GSL's error handler ------------------------------------------------- */

static int gsl_failed; /* set by on_gsl_error; cleared before each GSL call that is checked */
/* GSL's handler is one for the process: the functions here take this lock
 * while theirs is in place, so that they may run on several threads. */
static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_gsl_error(const char *reason, const char *file, int line, int gsl_errno)
{
	(void)reason;
	(void)file;
	(void)line;
	(void)gsl_errno;
	gsl_failed = 1;
}

/* Takes the lock and puts on_gsl_error in place: the caller's handler. */
static gsl_error_handler_t *enter(void)
{
	pthread_mutex_lock(&handler_lock);
	return gsl_set_error_handler(on_gsl_error);
}

/* Puts the caller's handler back and gives the lock up. */
static void leave(gsl_error_handler_t *prev)
{
	gsl_set_error_handler(prev);
	pthread_mutex_unlock(&handler_lock);
}

static void est_zero(struct pl_est *e);

/* leave, for a figure: err, with the estimate zeroed when it failed. */
static enum pl_err leave_est(gsl_error_handler_t *prev, enum pl_err err, struct pl_est *out)
{
	if (err)
		est_zero(out);
	leave(prev);
	return err;
}

/* ---- small helpers -------------------------------------------------------- */

static enum pl_err edata(struct pl_diag *d, const char *msg)
{
	return pl_diag_set(d, PL_EDATA, "", 0, "%s", msg);
}

static void est_zero(struct pl_est *out)
{
	out->value = 0;
	out->lower = 0;
	out->upper = 0;
}

static int est_finite(const struct pl_est *e)
{
	return isfinite(e->value) && isfinite(e->lower) && isfinite(e->upper);
}

static int conf_ok(double conf)
{
	return conf > 0 && conf < 1; /* false for NaN */
}

static int count_ok(double x)
{
	return isfinite(x) && x >= 0;
}

/* The two-sided normal quantile for conf: z with P(|Z| <= z) = conf. */
static double z_of(double conf)
{
	return gsl_cdf_ugaussian_Qinv((1 - conf) / 2);
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* ---- the regularised incomplete beta function, for large a and b --------- */

/* lgamma(z) - ((z - 1/2) log z - z + log sqrt(2 pi)), z > 0. */
static double stirling_err(double z)
{
	if (z > 15) {
		double z2 = 1 / (z * z);

		return (1.0 / 12 - z2 * (1.0 / 360 - z2 * (1.0 / 1260 - z2 * (1.0 / 1680 -
			z2 / 1188)))) / z;
	}
	return lgamma(z) - (z - 0.5) * log(z) + z - LN_SQRT_2PI;
}

/* x log(x / m) + m - x, accurately when x is close to m (Loader 2000). */
static double bd0(double x, double m)
{
	if (x == 0)
		return m;
	if (fabs(x - m) < 0.1 * (x + m)) {
		double v = (x - m) / (x + m), s = (x - m) * v, ej = 2 * x * v;

		v *= v;
		for (int j = 1; j < 1000; j++) {
			double s1;

			ej *= v;
			s1 = s + ej / (2 * j + 1);
			if (s1 == s)
				break;
			s = s1;
		}
		return s;
	}
	return x * log(x / m) + m - x;
}

/* log(x^a y^b / B(a, b)) for 0 < x < 1, y = 1 - x (given apart, so that
 * neither loses digits), a, b > 0: the large terms a log x and log B(a, b)
 * cancel inside bd0 instead of in the sum. */
static double beta_log_prefactor(double x, double y, double a, double b)
{
	double s = a + b;

	return -bd0(a, x * s) - bd0(b, y * s) + 0.5 * (log(a) + log(b) - log(s)) -
	       LN_SQRT_2PI - (stirling_err(a) + stirling_err(b) - stirling_err(s));
}

/* I_x(a, b) by the continued fraction (modified Lentz), for x below the
 * mean where it converges fast, y = 1 - x; 0 if it does not converge. */
static int beta_cf(double x, double y, double a, double b, double *out)
{
	const double tiny = 1e-300;
	/* 1 - (a + b) x / (a + 1), without cancelling when x is near 1 */
	double c = 1, dd = ((1 - b) * x + (a + 1) * y) / (a + 1), h;

	if (fabs(dd) < tiny)
		dd = tiny;
	dd = 1 / dd;
	h = dd;
	for (long m = 1; m <= BETA_CF_MAX_ITER; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
		dd = 1 + aa * dd;
		if (fabs(dd) < tiny)
			dd = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		dd = 1 / dd;
		h *= dd * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
		dd = 1 + aa * dd;
		if (fabs(dd) < tiny)
			dd = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		dd = 1 / dd;
		del = dd * c;
		h *= del;
		if (fabs(del - 1) < 1e-15) {
			*out = exp(beta_log_prefactor(x, y, a, b)) * h / a;
			return isfinite(*out);
		}
	}
	return 0;
}

/* I_x(a, b), or 1 - I_x(a, b) when upper, without GSL; 0 on failure.
 * Near x = 1, y = 1 - x is rounded, but x is the variable that the
 * root-finders vary, so all digits of the answer are kept in x's terms. */
static int beta_inc_cf(double x, double a, double b, int upper, double *out)
{
	double v;

	if (x <= 0 || x >= 1) {
		*out = (x <= 0) == !upper ? 0 : 1;
		return 1;
	}
	if (x < (a + 1) / (a + b + 2)) {
		if (!beta_cf(x, 1 - x, a, b, &v))
			return 0;
		*out = upper ? 1 - v : v;
	} else {
		if (!beta_cf(1 - x, x, b, a, &v))
			return 0;
		*out = upper ? v : 1 - v;
	}
	*out = clamp(*out, 0, 1);
	return 1;
}

/* ---- distribution functions that do not fail silently ------------------- */

/* P(a, x), or Q(a, x) when upper, by Temme's uniform asymptotic expansion
 * (DLMF 8.12.3-8.12.9) with the terms c0 and c1: the relative error of the
 * remainder is about 0.004 / a^2, so this is for large a only. */
static double gamma_temme(double x, double a, int upper)
{
	double eps = (x - a) / a, lmx, eta, c0, c1, r, e;
	gsl_sf_result res;

	if (gsl_sf_log_1plusx_mx_e(eps, &res) != GSL_SUCCESS)
		return GSL_NAN;
	lmx = res.val; /* log(1 + eps) - eps <= 0 */
	eta = (eps < 0 ? -1 : 1) * sqrt(-2 * lmx);
	if (fabs(eps) < GSL_ROOT5_DBL_EPSILON) {
		c0 = -1.0 / 3 + eps * (1.0 / 12 - eps * (23.0 / 540 - eps * (353.0 / 12960 -
			eps * 589.0 / 30240)));
		c1 = -1.0 / 540 - eps / 288;
	} else {
		c0 = 1 / eps - 1 / eta;
		c1 = 1 / (eta * eta * eta) - 1 / (eps * eps * eps) - 1 / (eps * eps) -
		     1 / (12 * eps);
	}
	r = exp(-0.5 * a * eta * eta) / sqrt(2 * M_PI * a) * (c0 + c1 / a);
	e = 0.5 * erfc((upper ? 1 : -1) * eta * sqrt(a / 2));
	return clamp(upper ? e + r : e - r, 0, 1);
}

/* The regularised incomplete gamma P(a, x), or Q(a, x) when upper; 0 if it
 * could not be computed. */
static int gamma_tail(double x, double a, int upper, double *out)
{
	double v;

	if (x <= 0) {
		*out = upper ? 1 : 0;
		return 1;
	}
	if (a > GAMMA_GSL_MAX) {
		*out = gamma_temme(x, a, upper);
		return isfinite(*out);
	}
	gsl_failed = 0;
	v = upper ? gsl_cdf_gamma_Q(x, a, 1) : gsl_cdf_gamma_P(x, a, 1);
	if (gsl_failed || !isfinite(v)) {
		if (a >= 100)
			v = gamma_temme(x, a, upper);
		else if (!(v >= 0 && v <= 1))
			return 0; /* an underflow is reported too; its value stands */
	}
	*out = v;
	return isfinite(v);
}

/* I_x(a, b), or 1 - I_x(a, b) when upper; 0 if it could not be computed. */
static int beta_tail(double x, double a, double b, int upper, double *out)
{
	double v;

	if (x <= 0 || x >= 1 || a + b > BETA_GSL_MAX)
		return beta_inc_cf(x, a, b, upper, out);
	gsl_failed = 0;
	v = upper ? gsl_cdf_beta_Q(x, a, b) : gsl_cdf_beta_P(x, a, b);
	if (gsl_failed || !isfinite(v))
		return beta_inc_cf(x, a, b, upper, out);
	*out = v;
	return 1;
}

/* Beta(a, b), chi-square(a), or Student's t(a). */
enum dist { DIST_BETA, DIST_CHISQ, DIST_T };

/* P(X <= x), or P(X > x) when upper; 0 if it could not be computed. */
static int dist_tail(enum dist dist, double x, double a, double b, int upper, double *out)
{
	switch (dist) {
	case DIST_BETA:
		return beta_tail(x, a, b, upper, out);
	case DIST_CHISQ:
		return gamma_tail(x / 2, a / 2, upper, out);
	case DIST_T:
		*out = upper ? gsl_cdf_tdist_Q(x, a) : gsl_cdf_tdist_P(x, a);
		return isfinite(*out) && *out >= 0 && *out <= 1;
	}
	return 0;
}

/* The equation for Brent: increasing in x, zero at the quantile. */
struct quantile_eq {
	enum dist dist;
	double a, b;
	int upper;          /* p is an upper-tail probability */
	double p;
	int failed;         /* the distribution function failed somewhere */
};

static double quantile_fn(double x, void *params)
{
	struct quantile_eq *q = params;
	double v;

	if (!dist_tail(q->dist, x, q->a, q->b, q->upper, &v)) {
		q->failed = 1;
		return GSL_NAN; /* makes the solver stop with GSL_EBADFUNC */
	}
	return q->upper ? q->p - v : v - q->p;
}

/* Brent's method on [lo, hi], where f(lo) <= 0 <= f(hi); 0 on failure. */
static int brent(struct quantile_eq *q, double lo, double hi, double *root)
{
	gsl_function f = { quantile_fn, q };
	gsl_root_fsolver *s;
	double flo, fhi;
	int ok = 1;

	flo = quantile_fn(lo, q);
	fhi = quantile_fn(hi, q);
	if (q->failed || flo > 0 || fhi < 0)
		return 0;
	if (flo == 0 || fhi == 0) {
		*root = flo == 0 ? lo : hi;
		return 1;
	}
	s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	if (!s)
		abort(); /* out of memory */
	gsl_failed = 0;
	if (gsl_root_fsolver_set(s, &f, lo, hi) != GSL_SUCCESS)
		ok = 0;
	for (int i = 0; ok && i < ROOT_MAX_ITER; i++) {
		if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS) {
			ok = 0;
			break;
		}
		if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
					   0, 4 * DBL_EPSILON) == GSL_SUCCESS)
			break;
	}
	*root = gsl_root_fsolver_root(s);
	gsl_root_fsolver_free(s);
	return ok && !q->failed && isfinite(*root);
}

/* Widens [lo, hi] (keeping lo >= lo_min) until f(lo) <= 0 <= f(hi), by
 * steps that double; 0 if it cannot. */
static int bracket(struct quantile_eq *q, double lo_min, double *lo, double *hi)
{
	double width = *hi - *lo;

	for (int i = 0;; i++) {
		double v = quantile_fn(*hi, q);

		if (q->failed || i > 2100 || !isfinite(*hi))
			return 0;
		if (v >= 0)
			break;
		*lo = *hi;
		*hi += width;
		width *= 2;
	}
	for (int i = 0;; i++) {
		double v = quantile_fn(*lo, q);

		if (q->failed || i > 2100 || !isfinite(*lo))
			return 0;
		if (v <= 0)
			return 1;
		if (*lo <= lo_min)
			return 0;
		*hi = *lo;
		*lo = *lo - width < lo_min ? lo_min : *lo - width;
		width *= 2;
	}
}

/* Whether v, from a GSL inverse, is the quantile: GSL's inverses can stop
 * short without saying so (gsl_cdf_gamma_Qinv has no final check). */
static int quantile_checks(struct quantile_eq *q, double v)
{
	double f;

	if (gsl_failed || !isfinite(v))
		return 0;
	f = quantile_fn(v, q);
	return !q->failed && fabs(f) <= 1e-8 * q->p;
}

/* The quantile x with P(X <= x) = p (or P(X > x) = p when upper), 0 < p < 1:
 * GSL's inverse first, then Brent's method on the distribution function. */
static int quantile(enum dist dist, double p, double a, double b, int upper, double *x)
{
	struct quantile_eq q = { dist, a, b, upper, p, 0 };
	double v = GSL_NAN, lo, hi;

	gsl_failed = 0;
	switch (dist) {
	case DIST_BETA:
		if (a + b <= BETA_GSL_MAX) {
			v = upper ? gsl_cdf_beta_Qinv(p, a, b) : gsl_cdf_beta_Pinv(p, a, b);
			if (v >= 0 && v <= 1 && quantile_checks(&q, v)) {
				*x = v;
				return 1;
			}
		}
		q.failed = 0;
		return brent(&q, 0, 1, x);
	case DIST_CHISQ:
		v = upper ? gsl_cdf_chisq_Qinv(p, a) : gsl_cdf_chisq_Pinv(p, a);
		if (v >= 0 && quantile_checks(&q, v)) {
			*x = v;
			return 1;
		}
		q.failed = 0;
		lo = a > 100 ? a - 10 * sqrt(2 * a) : 0;
		hi = a + 10 * sqrt(2 * a) + 100;
		return bracket(&q, 0, &lo, &hi) && brent(&q, lo, hi, x);
	case DIST_T:
		v = upper ? gsl_cdf_tdist_Qinv(p, a) : gsl_cdf_tdist_Pinv(p, a);
		if (quantile_checks(&q, v)) {
			*x = v;
			return 1;
		}
		q.failed = 0;
		lo = -10;
		hi = 10;
		return bracket(&q, -DBL_MAX, &lo, &hi) && brent(&q, lo, hi, x);
	}
	return 0;
}

/* ---- proportions ----------------------------------------------------------- */

static enum pl_err check_prop(double x, double n, double conf, struct pl_diag *d)
{
	if (!conf_ok(conf))
		return edata(d, "confidence level not between 0 and 1");
	if (!count_ok(x) || !isfinite(n))
		return edata(d, "count is negative or not finite");
	if (n <= 0)
		return edata(d, "denominator is not positive");
	if (x > n)
		return edata(d, "count is above its denominator");
	return PL_OK;
}

static enum pl_err prop_wilson(double x, double n, double conf, struct pl_est *out,
			       struct pl_diag *d)
{
	enum pl_err err = check_prop(x, n, conf, d);
	double p, z, z2, denom, centre, half;

	if (err)
		return err;
	p = x / n;
	z = z_of(conf);
	z2 = z * z;
	denom = 1 + z2 / n;
	centre = (p + z2 / (2 * n)) / denom;
	half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;
	out->value = p;
	out->lower = x == 0 ? 0 : clamp(centre - half, 0, p);
	out->upper = x == n ? 1 : clamp(centre + half, p, 1);
	return PL_OK;
}

enum pl_err pl_prop_wilson(double x, double n, double conf, struct pl_est *out,
			   struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();

	return leave_est(prev, prop_wilson(x, n, conf, out, d), out);
}

static enum pl_err prop_exact(double x, double n, double conf, struct pl_est *out,
			      struct pl_diag *d)
{
	enum pl_err err = check_prop(x, n, conf, d);
	double a2 = (1 - conf) / 2;

	if (err)
		return err;
	out->value = x / n;
	out->lower = 0;
	out->upper = 1;
	if (x > 0 && !quantile(DIST_BETA, a2, x, n - x + 1, 0, &out->lower))
		return edata(d, "beta quantile for the lower limit failed");
	if (x < n && !quantile(DIST_BETA, a2, x + 1, n - x, 1, &out->upper))
		return edata(d, "beta quantile for the upper limit failed");
	out->lower = clamp(out->lower, 0, out->value);
	out->upper = clamp(out->upper, out->value, 1);
	return PL_OK;
}

enum pl_err pl_prop_exact(double x, double n, double conf, struct pl_est *out,
			  struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();

	return leave_est(prev, prop_exact(x, n, conf, out, d), out);
}

/* ---- counts and rates ------------------------------------------------------ */

static enum pl_err check_count(double x, double conf, struct pl_diag *d)
{
	if (!conf_ok(conf))
		return edata(d, "confidence level not between 0 and 1");
	if (!count_ok(x))
		return edata(d, "count is negative or not finite");
	return PL_OK;
}

/* Exact Poisson limits of the mean for x events, conf checked. */
static enum pl_err poisson_exact(double x, double conf, struct pl_est *out, struct pl_diag *d)
{
	double a2 = (1 - conf) / 2;

	out->value = x;
	out->lower = 0;
	if (x > 0 && !quantile(DIST_CHISQ, a2, 2 * x, 0, 0, &out->lower))
		return edata(d, "chi-square quantile for the lower limit failed");
	if (!quantile(DIST_CHISQ, a2, 2 * x + 2, 0, 1, &out->upper))
		return edata(d, "chi-square quantile for the upper limit failed");
	out->lower = clamp(out->lower / 2, 0, x);
	out->upper = out->upper / 2 < x ? x : out->upper / 2;
	return PL_OK;
}

static enum pl_err poisson_byar(double x, double conf, struct pl_est *out, struct pl_diag *d)
{
	double z = z_of(conf), lo = 0, t;

	(void)d;
	if (x > 0) {
		t = 1 - 1 / (9 * x) - z / (3 * sqrt(x));
		lo = t > 0 ? x * t * t * t : 0;
	}
	t = 1 - 1 / (9 * (x + 1)) + z / (3 * sqrt(x + 1));
	out->value = x;
	out->lower = clamp(lo, 0, x);
	out->upper = (x + 1) * t * t * t;
	return PL_OK;
}

/* Exact below 10 events, Byar's from 10; conf and x unchecked. */
static enum pl_err count_auto(double x, double conf, struct pl_est *out, struct pl_diag *d)
{
	return x < 10 ? poisson_exact(x, conf, out, d) : poisson_byar(x, conf, out, d);
}

/* The interval of a count by method, x and conf checked, under the lock. */
static enum pl_err count_interval(enum pl_err (*method)(double, double, struct pl_est *,
							   struct pl_diag *),
				  double x, double conf, struct pl_est *out, struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();
	enum pl_err err = check_count(x, conf, d);

	if (!err)
		err = method(x, conf, out, d);
	if (!err && !est_finite(out))
		err = edata(d, "count interval is not finite");
	return leave_est(prev, err, out);
}

enum pl_err pl_count_exact(double x, double conf, struct pl_est *out, struct pl_diag *d)
{
	return count_interval(poisson_exact, x, conf, out, d);
}

enum pl_err pl_count_byar(double x, double conf, struct pl_est *out, struct pl_diag *d)
{
	return count_interval(poisson_byar, x, conf, out, d);
}

enum pl_err pl_count_auto(double x, double conf, struct pl_est *out, struct pl_diag *d)
{
	return count_interval(count_auto, x, conf, out, d);
}

static enum pl_err rate(double x, double den, double multiplier, double conf,
			struct pl_est *out, struct pl_diag *d)
{
	enum pl_err err = check_count(x, conf, d);
	double scale;

	if (err)
		return err;
	if (!isfinite(den) || den <= 0)
		return edata(d, "denominator is not positive");
	if (!isfinite(multiplier) || multiplier <= 0)
		return edata(d, "multiplier is not positive");
	err = count_auto(x, conf, out, d);
	if (err)
		return err;
	scale = multiplier / den;
	out->value = x * scale;
	out->lower *= scale;
	out->upper *= scale;
	if (!est_finite(out))
		return edata(d, "rate is not finite");
	return PL_OK;
}

enum pl_err pl_rate(double x, double den, double multiplier, double conf,
		    struct pl_est *out, struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();

	return leave_est(prev, rate(x, den, multiplier, conf, out, d), out);
}

/* ---- directly standardised rate ------------------------------------------- */

/* Dobson et al. 1991: DSR +- sqrt(var(DSR) / O) (O_limit - O), O the
 * total count and O_limit its exact Poisson limits.  A band of population
 * 0 (and no events) keeps its weight in sum(w): its rate is taken as 0. */
static enum pl_err dsr(const double *x, const double *pop, const double *w, size_t n_bands,
		       double multiplier, double conf, struct pl_est *out, struct pl_diag *d)
{
	double total = 0, sum_w = 0, sum_r = 0, sum_v = 0, value, se_per_event;
	struct pl_est o;
	enum pl_err err;

	if (!conf_ok(conf))
		return edata(d, "confidence level not between 0 and 1");
	if (!isfinite(multiplier) || multiplier <= 0)
		return edata(d, "multiplier is not positive");
	for (size_t i = 0; i < n_bands; i++) {
		if (!count_ok(x[i]) || !count_ok(pop[i]) || !count_ok(w[i]))
			return edata(d, "band count, population or weight is negative or not finite");
		if (pop[i] == 0 && x[i] > 0)
			return edata(d, "band with events has a population of 0");
		total += x[i];
		sum_w += w[i];
		if (pop[i] > 0) {
			sum_r += w[i] * x[i] / pop[i];
			sum_v += w[i] * w[i] * x[i] / (pop[i] * pop[i]);
		}
	}
	if (!(sum_w > 0))
		return edata(d, "standard population weights sum to 0");
	if (total < 10)
		return edata(d, "fewer than 10 events: the standardised rate is not shown");
	err = poisson_exact(total, conf, &o, d);
	if (err)
		return err;
	value = sum_r / sum_w;
	se_per_event = sqrt(sum_v / total) / sum_w;
	out->value = value * multiplier;
	out->lower = fmax(0, value + se_per_event * (o.lower - total)) * multiplier;
	out->upper = (value + se_per_event * (o.upper - total)) * multiplier;
	if (!est_finite(out))
		return edata(d, "standardised rate is not finite");
	return PL_OK;
}

enum pl_err pl_dsr(const double *x, const double *pop, const double *w, size_t n_bands,
		   double multiplier, double conf, struct pl_est *out, struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();

	return leave_est(prev, dsr(x, pop, w, n_bands, multiplier, conf, out, d), out);
}

/* ---- funnel plots ----------------------------------------------------------- */

/* Poisson(mean) or Binomial(n, mean). */
struct discrete {
	enum pl_funnel_kind kind;
	double mean;          /* Poisson mean, or binomial probability */
	double n;             /* binomial size */
};

/* P(X <= r), or P(X > r) when upper, for a whole r; 0 on failure. */
static int discrete_tail(const struct discrete *X, double r, int upper, double *out)
{
	if (r < 0 || (X->kind == PL_FUNNEL_PROP && r >= X->n)) {
		*out = (r < 0) == !upper ? 0 : 1;
		return 1;
	}
	if (X->kind == PL_FUNNEL_RATE) {
		/* P(X <= r) = Q(r + 1, mean), the upper regularised gamma */
		return gamma_tail(X->mean, r + 1, !upper, out);
	}
	/* P(X <= r) = 1 - I_p(r + 1, n - r) */
	return beta_tail(X->mean, r + 1, X->n - r, !upper, out);
}

/* Spiegelhalter's interpolated quantile: for the lower tail (upper = 0)
 * r_p is the smallest r with F(r) >= p and the result r_p - alpha, alpha =
 * (F(r_p) - p) / (F(r_p) - F(r_p - 1)); for the upper tail p is 1 - P, and
 * the same is done with the survival function S = 1 - F to keep its
 * precision.  The search starts at the normal approximation and steps,
 * doubling, then bisects; 0 on failure. */
static int funnel_quantile(const struct discrete *X, double p, int upper, double *out)
{
	double m, sd, z, r0, lo, hi, step, v, v_lo, hi_max;
	int i;

	/* "ok" means F(r) >= p, i.e. S(r) <= p for the upper tail */
#define AT(r, v) (discrete_tail(X, (r), upper, &(v)))
#define OK(v) (upper ? (v) <= p : (v) >= p)
	if (X->kind == PL_FUNNEL_RATE) {
		m = X->mean;
		sd = sqrt(m);
		hi_max = DBL_MAX;
	} else {
		m = X->n * X->mean;
		sd = sqrt(m * (1 - X->mean));
		hi_max = X->n;
	}
	z = upper ? gsl_cdf_ugaussian_Qinv(p) : gsl_cdf_ugaussian_Pinv(p);
	r0 = floor(m + z * sd);
	r0 = clamp(r0, 0, hi_max);
	if (!AT(r0, v))
		return 0;
	if (OK(v)) {
		hi = r0;
		lo = -1;
		for (step = 1, i = 0; hi > 0 && i < 200; i++, step *= 2) {
			double t = hi - step < 0 ? -1 : hi - step;

			if (!AT(t, v))
				return 0;
			if (!OK(v)) {
				lo = t;
				break;
			}
			hi = t;
		}
	} else {
		lo = r0;
		hi = -1;
		for (step = 1, i = 0; i < 200; i++, step *= 2) {
			double t = lo + step > hi_max ? hi_max : lo + step;

			if (!AT(t, v))
				return 0;
			if (OK(v)) {
				hi = t;
				break;
			}
			if (t >= hi_max)
				return 0;
			lo = t;
		}
		if (hi < 0)
			return 0;
	}
	/* F(lo) < p <= F(hi): bisect on the integers */
	for (i = 0; hi - lo > 1 && i < 200; i++) {
		double mid = floor(lo + (hi - lo) / 2);

		if (!AT(mid, v))
			return 0;
		if (OK(v))
			hi = mid;
		else
			lo = mid;
	}
	if (hi - lo > 1 || !AT(hi, v) || !AT(hi - 1, v_lo))
		return 0;
	/* v = tail at r_p, v_lo at r_p - 1; both forms give the same alpha */
	*out = hi - (upper ? (p - v) / (v_lo - v) : (v - p) / (v - v_lo));
	return isfinite(*out);
#undef AT
#undef OK
}

static enum pl_err check_funnel(enum pl_funnel_kind kind, double target, double den,
				struct pl_diag *d)
{
	if (kind != PL_FUNNEL_RATE && kind != PL_FUNNEL_PROP)
		return edata(d, "unknown funnel kind");
	if (!isfinite(target) || target < 0)
		return edata(d, "target is negative or not finite");
	if (kind == PL_FUNNEL_PROP && target > 1)
		return edata(d, "target proportion is above 1");
	if (!isfinite(den) || den <= 0)
		return edata(d, "denominator is not positive");
	return PL_OK;
}

/* The distribution of a unit of size den around target, checked. */
static enum pl_err funnel_unit(enum pl_funnel_kind kind, double target, double den,
			       struct discrete *X, struct pl_diag *d)
{
	enum pl_err err = check_funnel(kind, target, den, d);

	if (err)
		return err;
	if (kind == PL_FUNNEL_PROP && den != floor(den))
		return edata(d, "binomial denominator is not a whole number");
	X->kind = kind;
	X->mean = kind == PL_FUNNEL_RATE ? target * den : target;
	X->n = den;
	if ((kind == PL_FUNNEL_RATE ? X->mean : den) > FUNNEL_MAX_MEAN)
		return edata(d, "unit too large for exact funnel limits");
	return PL_OK;
}

static enum pl_err funnel_limits(enum pl_funnel_kind kind, double target, double den,
				 double conf, double *lower, double *upper, struct pl_diag *d)
{
	struct discrete X;
	double a2 = (1 - conf) / 2, hi = kind == PL_FUNNEL_PROP ? 1 : DBL_MAX, lo_q, hi_q;
	enum pl_err err = funnel_unit(kind, target, den, &X, d);

	if (err)
		return err;
	if (!conf_ok(conf))
		return edata(d, "confidence level not between 0 and 1");
	if (!funnel_quantile(&X, a2, 0, &lo_q) || !funnel_quantile(&X, a2, 1, &hi_q))
		return edata(d, "funnel limit could not be computed");
	*lower = clamp(lo_q / den, 0, hi);
	*upper = clamp(hi_q / den, 0, hi);
	return PL_OK;
}

enum pl_err pl_funnel_limits(enum pl_funnel_kind kind, double target, double den, double conf,
			     double *lower, double *upper, struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();
	enum pl_err err = funnel_limits(kind, target, den, conf, lower, upper, d);

	if (err) {
		*lower = 0;
		*upper = 0;
	}
	leave(prev);
	return err;
}

/* Positions by exact tail probabilities of the whole count x: above the
 * 95 % (99.8 %) limit when P(X >= x) < 0.025 (0.001), below when P(X <= x)
 * is.  Comparing x / den with the interpolated limits instead would flag
 * a count that sits at the top of a small discrete distribution (20 of 20
 * against 95 %: P = 0.36) as above. */
static enum pl_err funnel_position(enum pl_funnel_kind kind, double target, double x,
				   double den, enum pl_funnel_pos *pos, struct pl_diag *d)
{
	struct discrete X;
	double p_hi, p_lo;
	enum pl_err err = funnel_unit(kind, target, den, &X, d);

	if (err)
		return err;
	if (!count_ok(x) || x != floor(x))
		return edata(d, "count is negative, not whole or not finite");
	if (kind == PL_FUNNEL_PROP && x > den)
		return edata(d, "count is above its denominator");
	if (!discrete_tail(&X, x - 1, 1, &p_hi) || !discrete_tail(&X, x, 0, &p_lo))
		return edata(d, "tail probability could not be computed");
	if (p_hi < 0.001)
		*pos = PL_FUNNEL_ABOVE998;
	else if (p_hi < 0.025)
		*pos = PL_FUNNEL_ABOVE95;
	else if (p_lo < 0.001)
		*pos = PL_FUNNEL_BELOW998;
	else if (p_lo < 0.025)
		*pos = PL_FUNNEL_BELOW95;
	else
		*pos = PL_FUNNEL_INSIDE;
	return PL_OK;
}

enum pl_err pl_funnel_position(enum pl_funnel_kind kind, double target, double x, double den,
			       enum pl_funnel_pos *pos, struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();
	enum pl_err err = funnel_position(kind, target, x, den, pos, d);

	if (err)
		*pos = PL_FUNNEL_INSIDE;
	leave(prev);
	return err;
}

const char *pl_funnel_pos_name(enum pl_funnel_pos pos)
{
	switch (pos) {
	case PL_FUNNEL_INSIDE:   return "inside";
	case PL_FUNNEL_ABOVE95:  return "above95";
	case PL_FUNNEL_ABOVE998: return "above99.8";
	case PL_FUNNEL_BELOW95:  return "below95";
	case PL_FUNNEL_BELOW998: return "below99.8";
	}
	return "unknown";
}

/* ---- heterogeneity ----------------------------------------------------------- */

/* s^2 of one unit's value x / den around target. */
static double unit_var(enum pl_funnel_kind kind, double target, double den)
{
	return (kind == PL_FUNNEL_RATE ? target : target * (1 - target)) / den;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Spiegelhalter 2005: phi from winsorised z-scores, tau2 in the
 * DerSimonian-Laird form. */
static enum pl_err heterogeneity(enum pl_funnel_kind kind, const double *x, const double *den,
				 size_t k, double winsor, struct pl_hetero *out,
				 struct pl_diag *d)
{
	double sum_x = 0, sum_den = 0, t, chi2 = 0, sum_z2 = 0, sum_w = 0, sum_w2 = 0;
	double *z = NULL;
	size_t g;
	enum pl_err err = PL_OK;

	if (kind != PL_FUNNEL_RATE && kind != PL_FUNNEL_PROP)
		return edata(d, "unknown funnel kind");
	if (k < 2)
		return edata(d, "fewer than 2 units");
	if (!(winsor >= 0 && winsor < 0.5))
		return edata(d, "winsorising fraction not in [0, 0.5)");
	for (size_t i = 0; i < k; i++) {
		if (!count_ok(x[i]) || !isfinite(den[i]) || den[i] <= 0)
			return edata(d, "unit count negative or denominator not positive");
		if (kind == PL_FUNNEL_PROP && x[i] > den[i])
			return edata(d, "unit count is above its denominator");
		sum_x += x[i];
		sum_den += den[i];
	}
	t = sum_x / sum_den;
	if (!isfinite(t) || t <= 0 || (kind == PL_FUNNEL_PROP && t >= 1))
		return edata(d, "pooled value leaves no variance (0, or 1 for a proportion)");
	z = pl_xmalloc(k * sizeof(*z));
	for (size_t i = 0; i < k; i++) {
		double s2 = unit_var(kind, t, den[i]), w = 1 / s2;

		/* Pearson: (x - E)^2 / E (+ the same for failures): z^2 unwinsorised */
		z[i] = (x[i] / den[i] - t) / sqrt(s2);
		chi2 += z[i] * z[i];
		sum_w += w;
		sum_w2 += w * w;
	}
	qsort(z, k, sizeof(*z), cmp_double);
	g = (size_t)floor(winsor * (double)k);
	for (size_t i = 0; i < k; i++) {
		double zi = i < g ? z[g] : i >= k - g ? z[k - g - 1] : z[i];

		sum_z2 += zi * zi;
	}
	out->target = t;
	out->chi2 = chi2;
	out->df = (double)(k - 1);
	out->phi = sum_z2 / (double)k;
	out->tau2 = 0;
	if ((double)k * out->phi > (double)(k - 1))
		out->tau2 = ((double)k * out->phi - (double)(k - 1)) / (sum_w - sum_w2 / sum_w);
	if (!isfinite(out->chi2) || !isfinite(out->phi) || !isfinite(out->tau2))
		err = edata(d, "heterogeneity statistics are not finite");
	else if (!dist_tail(DIST_CHISQ, chi2, out->df, 0, 1, &out->p_value))
		err = edata(d, "chi-square p-value could not be computed");
	free(z);
	return err;
}

enum pl_err pl_heterogeneity(enum pl_funnel_kind kind, const double *x, const double *den,
			     size_t k, double winsor, struct pl_hetero *out, struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();
	enum pl_err err = heterogeneity(kind, x, den, k, winsor, out, d);

	if (err) {
		out->target = out->chi2 = out->df = out->p_value = 0;
		out->phi = out->tau2 = 0;
	}
	leave(prev);
	return err;
}

static enum pl_err funnel_limits_od(enum pl_funnel_kind kind, double target, double tau2,
				    double den, double conf, double *lower, double *upper,
				    struct pl_diag *d)
{
	enum pl_err err = check_funnel(kind, target, den, d);
	double half;

	if (err)
		return err;
	if (!conf_ok(conf))
		return edata(d, "confidence level not between 0 and 1");
	if (!isfinite(tau2) || tau2 < 0)
		return edata(d, "tau2 is negative or not finite");
	half = z_of(conf) * sqrt(unit_var(kind, target, den) + tau2);
	*lower = clamp(target - half, 0, kind == PL_FUNNEL_PROP ? 1 : DBL_MAX);
	*upper = clamp(target + half, 0, kind == PL_FUNNEL_PROP ? 1 : DBL_MAX);
	if (!isfinite(half))
		return edata(d, "over-dispersed limits are not finite");
	return PL_OK;
}

enum pl_err pl_funnel_limits_od(enum pl_funnel_kind kind, double target, double tau2,
				double den, double conf, double *lower, double *upper,
				struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();
	enum pl_err err = funnel_limits_od(kind, target, tau2, den, conf, lower, upper, d);

	if (err) {
		*lower = 0;
		*upper = 0;
	}
	leave(prev);
	return err;
}

/* ---- quantiles and means ------------------------------------------------------ */

static enum pl_err check_values(const double *v, size_t n, struct pl_diag *d)
{
	if (n == 0)
		return edata(d, "no values");
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return edata(d, "a value is not finite");
	return PL_OK;
}

enum pl_err pl_quartiles(double *v, size_t n, double q[3], struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();
	enum pl_err err = check_values(v, n, d);

	if (!err) {
		gsl_sort(v, 1, n);
		q[0] = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.25);
		q[1] = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.5);
		q[2] = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.75);
		if (!isfinite(q[0]) || !isfinite(q[1]) || !isfinite(q[2]))
			err = edata(d, "quartiles are not finite");
	}
	if (err)
		q[0] = q[1] = q[2] = 0;
	leave(prev);
	return err;
}

/* The value at rank i (0-based) of the counted values. */
static double counted_at(const double *v, const size_t *count, size_t k, size_t i)
{
	size_t j = 0, below = 0;

	while (j + 1 < k && below + count[j] <= i)
		below += count[j++];
	return v[j];
}

/* gsl_stats_quantile_from_sorted_data over the counted values: the same
 * arithmetic on the same two order statistics. */
static double counted_quantile(const double *v, const size_t *count, size_t k, size_t n,
			       double f)
{
	const double index = f * (double)(n - 1);
	const size_t lhs = (size_t)(int)index;
	const double delta = index - (double)lhs;

	if (lhs == n - 1)
		return counted_at(v, count, k, lhs);
	return (1 - delta) * counted_at(v, count, k, lhs) +
		delta * counted_at(v, count, k, lhs + 1);
}

enum pl_err pl_quartiles_counted(const double *v, const size_t *count, size_t k, double q[3],
				 struct pl_diag *d)
{
	enum pl_err err = check_values(v, k, d);
	size_t n = 0;

	for (size_t i = 0; i < k && !err; i++)
		n += count[i];
	if (!err && n == 0)
		err = edata(d, "no values");
	if (!err) {
		q[0] = counted_quantile(v, count, k, n, 0.25);
		q[1] = counted_quantile(v, count, k, n, 0.5);
		q[2] = counted_quantile(v, count, k, n, 0.75);
		if (!isfinite(q[0]) || !isfinite(q[1]) || !isfinite(q[2]))
			err = edata(d, "quartiles are not finite");
	}
	if (err)
		q[0] = q[1] = q[2] = 0;
	return err;
}

void pl_mean_acc_add(struct pl_mean_acc *m, double x)
{
	if (!isfinite(x))
		m->not_finite = 1;
	m->mean += (x - m->mean) / (m->n + 1);
	m->n++;
}

void pl_mean_acc_add2(struct pl_mean_acc *m, double x)
{
	const long double delta = (x - (double)m->mean);

	m->var += (delta * delta - m->var) / (m->n2 + 1);
	m->n2++;
}

/* The mean with a Student-t interval from n values' mean and sample
 * variance (n - 1 divisor; unused below n = 2). */
static enum pl_err mean_var_t(size_t n, double mean, double variance, double conf,
			      struct pl_est *out, struct pl_diag *d)
{
	double t, half;

	if (n == 0)
		return edata(d, "no values");
	if (!conf_ok(conf))
		return edata(d, "confidence level not between 0 and 1");
	out->value = out->lower = out->upper = mean;
	if (n >= 2) {
		if (!quantile(DIST_T, (1 - conf) / 2, (double)(n - 1), 0, 1, &t))
			return edata(d, "t quantile failed");
		half = t * sqrt(variance) / sqrt((double)n);
		out->lower = mean - half;
		out->upper = mean + half;
	}
	if (!est_finite(out))
		return edata(d, "mean or its interval is not finite");
	return PL_OK;
}

static enum pl_err mean_acc_t(const struct pl_mean_acc *m, double conf, struct pl_est *out,
			      struct pl_diag *d)
{
	if (m->n == 0)
		return edata(d, "no values");
	if (m->not_finite)
		return edata(d, "a value is not finite");
	return mean_var_t(m->n, (double)m->mean, m->n >= 2 ? (double)m->var * ((double)m->n /
			  (double)(m->n - 1)) : 0, conf, out, d);
}

enum pl_err pl_mean_var_t(size_t n, double mean, double variance, double conf,
			  struct pl_est *out, struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();

	return leave_est(prev, mean_var_t(n, mean, variance, conf, out, d), out);
}

enum pl_err pl_mean_acc_t(const struct pl_mean_acc *m, double conf, struct pl_est *out,
			  struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();

	return leave_est(prev, mean_acc_t(m, conf, out, d), out);
}

/* The values in memory go through the same two passes as a figure that
 * cannot keep them: one mechanism, the same bits either way. */
enum pl_err pl_mean_t(const double *v, size_t n, double conf, struct pl_est *out,
		      struct pl_diag *d)
{
	struct pl_mean_acc m = { 0 };

	for (size_t i = 0; i < n; i++)
		pl_mean_acc_add(&m, v[i]);
	for (size_t i = 0; i < n && !m.not_finite; i++)
		pl_mean_acc_add2(&m, v[i]);
	return pl_mean_acc_t(&m, conf, out, d);
}

/* ---- trend ------------------------------------------------------------------------ */

static enum pl_err trend(const double *t, const double *y, const double *var, size_t n,
			 double conf, struct pl_est *out, struct pl_diag *d)
{
	double *w = NULL, c0, c1, cov00, cov01, cov11, chisq, half;
	enum pl_err err = PL_OK;
	int distinct = 0;

	if (!conf_ok(conf))
		return edata(d, "confidence level not between 0 and 1");
	if (n < 2)
		return edata(d, "fewer than 2 points");
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(t[i]) || !isfinite(y[i]) || !isfinite(var[i]) || var[i] <= 0)
			return edata(d, "point not finite or variance not positive");
		if (t[i] != t[0])
			distinct = 1;
	}
	if (!distinct)
		return edata(d, "fewer than 2 distinct times");
	w = pl_xmalloc(n * sizeof(*w));
	for (size_t i = 0; i < n; i++)
		w[i] = 1 / var[i];
	gsl_failed = 0;
	if (gsl_fit_wlinear(t, 1, w, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &chisq) ||
	    gsl_failed || !(cov11 >= 0)) {
		err = edata(d, "weighted least squares failed");
		goto cleanup;
	}
	half = z_of(conf) * sqrt(cov11);
	out->value = c1;
	out->lower = c1 - half;
	out->upper = c1 + half;
	if (!est_finite(out))
		err = edata(d, "trend is not finite");
cleanup:
	free(w);
	return err;
}

enum pl_err pl_trend(const double *t, const double *y, const double *var, size_t n,
		     double conf, struct pl_est *out, struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();

	return leave_est(prev, trend(t, y, var, n, conf, out, d), out);
}

/* ---- Chao's lower bound ------------------------------------------------------- */

static enum pl_err chao1(double s_obs, double f1, double f2, double conf, struct pl_est *out,
			 struct pl_diag *d)
{
	double f0, n, var, c;

	if (!conf_ok(conf))
		return edata(d, "confidence level not between 0 and 1");
	if (!count_ok(s_obs) || !count_ok(f1) || !count_ok(f2))
		return edata(d, "frequency is negative or not finite");
	if (f1 + f2 > s_obs)
		return edata(d, "more units seen once or twice than seen at all");
	if (f2 > 0) {
		double r = f1 / f2;

		f0 = f1 * f1 / (2 * f2);
		n = s_obs + f0;
		var = f2 * (r * r * r * r / 4 + r * r * r + r * r / 2);
	} else {
		f0 = f1 * (f1 - 1) / 2;
		n = s_obs + f0;
		var = n > 0 ? f1 * (f1 - 1) / 2 + f1 * (2 * f1 - 1) * (2 * f1 - 1) / 4 -
			      f1 * f1 * f1 * f1 / (4 * n) : 0;
	}
	out->value = n;
	out->lower = out->upper = s_obs;
	if (f0 > 0) {
		c = exp(z_of(conf) * sqrt(log1p(fmax(var, 0) / (f0 * f0))));
		out->lower = s_obs + f0 / c;
		out->upper = s_obs + f0 * c;
	}
	if (!est_finite(out))
		return edata(d, "estimate is not finite");
	return PL_OK;
}

enum pl_err pl_chao1(double s_obs, double f1, double f2, double conf, struct pl_est *out,
		     struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();

	return leave_est(prev, chao1(s_obs, f1, f2, conf, out, d), out);
}

/* ---- log-linear capture-recapture --------------------------------------------- */

struct ll_fit {
	double intercept;     /* log of the unseen cell */
	double se;            /* its standard error */
	double deviance;
	double aic;           /* deviance + 2 parameters */
	size_t n_par;
	int usable;           /* converged with finite, bounded estimates */
};

/* The design over the 2^k - 1 observed cells (row m - 1 for cell m):
 * intercept, the k sources, and with twoway their k(k-1)/2 products. */
static void ll_design(gsl_matrix *X, unsigned k, int twoway)
{
	for (size_t m = 1; m < (size_t)1 << k; m++) {
		size_t col = 0;

		gsl_matrix_set(X, m - 1, col++, 1);
		for (unsigned j = 0; j < k; j++)
			gsl_matrix_set(X, m - 1, col++, (double)((m >> j) & 1));
		for (unsigned i = 0; twoway && i < k; i++)
			for (unsigned j = i + 1; j < k; j++)
				gsl_matrix_set(X, m - 1, col++, (double)((m >> i) & (m >> j) & 1));
	}
}

static double poisson_deviance(const gsl_vector *y, const gsl_vector *mu)
{
	double dev = 0;

	for (size_t i = 0; i < y->size; i++) {
		double yi = gsl_vector_get(y, i), mi = gsl_vector_get(mu, i);

		dev += (yi > 0 ? yi * log(yi / mi) : 0) - (yi - mi);
	}
	return 2 * dev;
}

/* Poisson GLM with log link by IRLS; fit->usable says whether it
 * converged (deviance and coefficients both settled) with |beta| <= 30.
 * Zero cells can send an interaction to -infinity: the coefficient then
 * moves by about 1 an iteration and never settles. */
static void ll_fit(const gsl_vector *y, unsigned k, int twoway, struct ll_fit *fit)
{
	size_t n_obs = y->size, p = 1 + k + (twoway ? (size_t)k * (k - 1) / 2 : 0);
	gsl_matrix *X = gsl_matrix_alloc(n_obs, p), *cov = gsl_matrix_alloc(p, p);
	gsl_vector *w = gsl_vector_alloc(n_obs), *z = gsl_vector_alloc(n_obs);
	gsl_vector *eta = gsl_vector_alloc(n_obs), *mu = gsl_vector_alloc(n_obs);
	gsl_vector *c = gsl_vector_calloc(p), *c_old = gsl_vector_calloc(p);
	gsl_multifit_linear_workspace *work = gsl_multifit_linear_alloc(n_obs, p);
	double dev, dev_old, chisq, mean_y = 0;
	int converged = 0;

	if (!X || !cov || !w || !z || !eta || !mu || !c || !c_old || !work)
		abort(); /* out of memory */
	fit->usable = 0;
	fit->n_par = p;
	ll_design(X, k, twoway);
	for (size_t i = 0; i < n_obs; i++)
		mean_y += gsl_vector_get(y, i) / (double)n_obs;
	for (size_t i = 0; i < n_obs; i++) {
		double m = (gsl_vector_get(y, i) + mean_y) / 2;

		gsl_vector_set(mu, i, m);
		gsl_vector_set(eta, i, log(m));
	}
	dev_old = poisson_deviance(y, mu);
	for (int iter = 0; iter < LL_MAX_ITER && !converged; iter++) {
		double step = 0;

		for (size_t i = 0; i < n_obs; i++) {
			double m = gsl_vector_get(mu, i);

			gsl_vector_set(w, i, m);
			gsl_vector_set(z, i, gsl_vector_get(eta, i) + (gsl_vector_get(y, i) - m) / m);
		}
		gsl_vector_memcpy(c_old, c);
		gsl_failed = 0;
		if (gsl_multifit_wlinear(X, w, z, c, cov, &chisq, work) || gsl_failed)
			goto cleanup;
		gsl_blas_dgemv(CblasNoTrans, 1, X, c, 0, eta);
		for (size_t i = 0; i < n_obs; i++) {
			double e = gsl_vector_get(eta, i);

			if (!isfinite(e) || fabs(e) > 700)
				goto cleanup;
			gsl_vector_set(mu, i, exp(e));
		}
		for (size_t j = 0; j < p; j++)
			step = fmax(step, fabs(gsl_vector_get(c, j) - gsl_vector_get(c_old, j)));
		dev = poisson_deviance(y, mu);
		if (!isfinite(dev))
			goto cleanup;
		converged = iter > 0 && fabs(dev - dev_old) <= 1e-10 * (fabs(dev) + 0.1) &&
			    step < 1e-8;
		dev_old = dev;
	}
	if (!converged)
		goto cleanup;
	for (size_t j = 0; j < p; j++)
		if (!isfinite(gsl_vector_get(c, j)) || fabs(gsl_vector_get(c, j)) > LL_MAX_BETA)
			goto cleanup;
	fit->intercept = gsl_vector_get(c, 0);
	fit->se = sqrt(gsl_matrix_get(cov, 0, 0));
	fit->deviance = fmax(dev_old, 0);
	fit->aic = fit->deviance + 2 * (double)p;
	fit->usable = isfinite(fit->se) && isfinite(fit->deviance);
cleanup:
	gsl_matrix_free(X);
	gsl_matrix_free(cov);
	gsl_vector_free(w);
	gsl_vector_free(z);
	gsl_vector_free(eta);
	gsl_vector_free(mu);
	gsl_vector_free(c);
	gsl_vector_free(c_old);
	gsl_multifit_linear_free(work);
}

static enum pl_err loglinear(const double *cells, unsigned k, double conf,
			     struct pl_loglin *out, struct pl_diag *d)
{
	struct ll_fit fits[2];
	const struct ll_fit *best = NULL;
	gsl_vector *y = NULL;
	double seen = 0, z;
	size_t n_obs;
	enum pl_err err = PL_OK;

	if (k < 3 || k > 8)
		return edata(d, "number of sources not between 3 and 8");
	if (!conf_ok(conf))
		return edata(d, "confidence level not between 0 and 1");
	n_obs = ((size_t)1 << k) - 1;
	for (size_t m = 1; m <= n_obs; m++) {
		if (!count_ok(cells[m]))
			return edata(d, "cell count is negative or not finite");
		seen += cells[m];
	}
	if (!(seen > 0))
		return edata(d, "no units seen");
	y = gsl_vector_alloc(n_obs);
	if (!y)
		abort(); /* out of memory */
	for (size_t m = 1; m <= n_obs; m++)
		gsl_vector_set(y, m - 1, cells[m]);
	ll_fit(y, k, 0, &fits[0]);
	ll_fit(y, k, 1, &fits[1]);
	for (int i = 0; i < 2; i++)
		if (fits[i].usable && (!best || fits[i].aic < best->aic))
			best = &fits[i];
	if (!best) {
		err = edata(d, "no log-linear model converged with finite estimates");
		goto cleanup;
	}
	z = z_of(conf);
	out->unseen = exp(best->intercept);
	out->n.value = seen + out->unseen;
	out->n.lower = seen + exp(best->intercept - z * best->se);
	out->n.upper = seen + exp(best->intercept + z * best->se);
	out->deviance = best->deviance;
	out->df = (double)(n_obs - best->n_par);
	out->model = best == &fits[0] ? "independence" : "two-way";
	if (!est_finite(&out->n))
		err = edata(d, "capture-recapture estimate is not finite");
cleanup:
	gsl_vector_free(y);
	return err;
}

enum pl_err pl_loglinear(const double *cells, unsigned k, double conf, struct pl_loglin *out,
			 struct pl_diag *d)
{
	gsl_error_handler_t *prev = enter();
	enum pl_err err = loglinear(cells, k, conf, out, d);

	if (err) {
		est_zero(&out->n);
		out->unseen = out->deviance = out->df = 0;
		out->model = "";
	}
	leave(prev);
	return err;
}

/*
 * tests/unit/test_stats.c - lib/stats against reference values computed
 * with other tools, the PL_EDATA cases, and GSL's error handler.
 *
 * Every expected number in the tables below was printed by
 * tests/unit/ref/stats_ref.py with SciPy 1.10.1, statsmodels 0.13.5 and
 * NumPy 1.24.2 (Debian 12 python3-scipy, python3-statsmodels); mpmath 1.2.1
 * checks SciPy where a parameter passes 1e7 and replaced one SciPy value
 * that is wrong there (see the note under the count table).  Regenerate:
 *
 *     apt-get install -y python3-scipy python3-statsmodels python3-mpmath
 *     /usr/bin/python3 tests/unit/ref/stats_ref.py > /tmp/stats_ref.txt
 *
 * and paste its rows.  Proportions: statsmodels proportion_confint
 * (wilson, beta); counts: scipy chi2.ppf/isf; funnel limits: scipy
 * poisson/binom ppf and cdf with Spiegelhalter's interpolation; chi-square
 * tests: scipy chisquare and chi2_contingency; winsorising: scipy mstats;
 * quartiles: numpy.quantile; mean: scipy t.interval; trend: statsmodels
 * WLS; log-linear models: statsmodels GLM Poisson.  Byar, Dobson, Chao1 and
 * the over-dispersed limits are closed formulas, evaluated in NumPy.
 *
 * Values agree when the relative error is at most 1e-6, or the absolute
 * error at most 1e-12 where the reference is itself within 1e-12 of 0.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_statistics_double.h>

#include "pl.h"
#include "stats.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define REL_TOL 1e-6
#define ABS_TOL 1e-12

static int close_to(double got, double want)
{
	double diff = fabs(got - want);

	return isfinite(got) &&
	       (diff <= REL_TOL * fabs(want) || (fabs(want) <= ABS_TOL && diff <= ABS_TOL));
}

static void expect_close(double got, double want, const char *what, size_t row)
{
	if (!close_to(got, want))
		fail_msg("%s, row %zu: got %.17g, want %.17g (relative error %.3g)", what, row, got,
			 want, want != 0 ? fabs(got - want) / fabs(want) : fabs(got));
}

static void expect_est(const struct pl_est *e, double value, double lower, double upper,
		       const char *what, size_t row)
{
	expect_close(e->value, value, what, row);
	expect_close(e->lower, lower, what, row);
	expect_close(e->upper, upper, what, row);
}

static void expect_ok(enum pl_err err, const struct pl_diag *d, const char *what, size_t row)
{
	if (err != PL_OK)
		fail_msg("%s, row %zu: error %d: %s", what, row, err, d->msg);
}

/* ---- proportions ------------------------------------------------------------ */

struct prop_case {
	double x, n, conf;
	double value, lower, upper;
};

static const struct prop_case wilson_cases[] = {
	{ 0, 1, 0.95, 0, 0, 0.7934506856227626 },
	{ 1, 1, 0.95, 1, 0.20654931437723745, 1 },
	{ 0, 1, 0.999999, 0, 0, 0.9598846716029854 },
	{ 1, 1, 0.999999, 1, 0.040115328397014594, 1 },
	{ 0, 10, 0.95, 0, 0, 0.2775327998628892 },
	{ 10, 10, 0.998, 1, 0.5115210995465377, 0.9999999999999999 },
	{ 3, 10, 0.95, 0.3, 0.10779126740630099, 0.6032218525388546 },
	{ 30, 120, 0.95, 0.25, 0.18109821656809566, 0.33441136664125615 },
	{ 37, 1000, 0.999999, 0.037, 0.017002171842693405, 0.07863747746160851 },
	{ 1, 2, 0.998, 0.5, 0.0453482470719585, 0.9546517529280415 },
	{ 0, 1000000000, 0.95, 0, -4.1359030627651384e-25, 3.841458805937319e-09 },
	{ 1000000000, 1000000000, 0.95, 1, 0.9999999961585411, 0.9999999999999998 },
	{ 1000000000, 1000000001, 0.95, 0.999999999, 0.9999999943350659, 0.9999999998234756 },
	{ 1000000000, 1000000001, 0.999999, 0.999999999, 0.9999999741104992, 0.9999999999613742 },
	{ 500000000, 1000000000, 0.95, 0.5, 0.4999690102484443, 0.5000309897515557 },
	{ 500000000, 1000000000, 0.998, 0.5, 0.49995113913730066, 0.5000488608626993 },
	{ 123456, 1000000000, 0.95, 0.000123456, 0.00012276930114666216, 0.0001241465393636415 },
	{ 50000, 50001, 0.999999, 0.999980000399992, 0.9994824683665045, 0.9999992275009821 },
	{ 30000, 60000, 0.999999, 0.5, 0.490016975200937, 0.509983024799063 },
	{ 1, 50000, 0.999999, 2e-05, 7.725144676973511e-07, 0.000517541979169538 },
};

/* 5e8 of 1e9 at 0.95 guards against gsl_cdf_beta_Pinv(0.025, 5e8, 5e8 + 1),
 * which loops for ever: GSL's beta distribution function gives NaN once a + b
 * reaches a few million, and its bisection then never moves.  5e4/50001 and
 * 3e4/6e4 at 0.999999 make GSL's inverse report failure, so the fallback
 * (Brent on the distribution function) is what those rows check. */
static const struct prop_case exact_cases[] = {
	{ 0, 1, 0.95, 0, 0, 0.975 },
	{ 1, 1, 0.95, 1, 0.025000000000000022, 1 },
	{ 0, 1, 0.999999, 0, 0, 0.9999994999999999 },
	{ 1, 1, 0.999999, 1, 5.000000000143778e-07, 1 },
	{ 0, 10, 0.95, 0, 0, 0.3084971078187608 },
	{ 10, 10, 0.998, 1, 0.5011872336272724, 1 },
	{ 3, 10, 0.95, 0.3, 0.0667395111777345, 0.6524528500599973 },
	{ 30, 120, 0.95, 0.25, 0.1754646190300566, 0.33726921629199613 },
	{ 37, 1000, 0.999999, 0.037, 0.01460000610607545, 0.074632080368798 },
	{ 1, 2, 0.998, 0.5, 0.0005001250625390903, 0.999499874937461 },
	{ 0, 1000000000, 0.95, 0, 0, 3.6888794473100194e-09 },
	{ 1000000000, 1000000000, 0.95, 1, 0.9999999963111206, 1 },
	{ 1000000000, 1000000001, 0.95, 0.999999999, 0.9999999944283566, 0.9999999999746821 },
	{ 1000000000, 1000000001, 0.999999, 0.999999999, 0.9999999825777851, 0.9999999999999994 },
	{ 500000000, 1000000000, 0.95, 0.5, 0.49996900974827113, 0.5000309902517288 },
	{ 500000000, 1000000000, 0.998, 0.5, 0.4999511386370913, 0.5000488613629087 },
	{ 123456, 1000000000, 0.95, 0.000123456, 0.0001227683308530174, 0.00012414656552568975 },
	{ 50000, 50001, 0.999999, 0.999980000399992, 0.9996516198824905, 0.9999999999900002 },
	{ 30000, 60000, 0.999999, 0.5, 0.49000769072496003, 0.50999230927504 },
	{ 1, 50000, 0.999999, 2e-05, 1.0000002500238389e-11, 0.00034838708396764184 },
};

static void test_stats__prop_wilson_matches_statsmodels(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(wilson_cases); i++) {
		const struct prop_case *c = &wilson_cases[i];
		struct pl_diag d = { 0 };
		struct pl_est e;

		expect_ok(pl_prop_wilson(c->x, c->n, c->conf, &e, &d), &d, "wilson", i);
		expect_est(&e, c->value, c->lower, c->upper, "wilson", i);
	}
}

static void test_stats__prop_exact_matches_statsmodels(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(exact_cases); i++) {
		const struct prop_case *c = &exact_cases[i];
		struct pl_diag d = { 0 };
		struct pl_est e;

		expect_ok(pl_prop_exact(c->x, c->n, c->conf, &e, &d), &d, "exact", i);
		expect_est(&e, c->value, c->lower, c->upper, "exact", i);
	}
}

/* The header's promise at the ends: lower exactly 0 at x = 0, upper exactly 1 at x = n. */
static void test_stats__prop_exact_ends_are_0_and_1(void **state)
{
	static const double ns[] = { 1, 2, 7, 1000, 1e9 };
	struct pl_est e;

	(void)state;
	for (size_t i = 0; i < N_OF(ns); i++) {
		assert_int_equal(pl_prop_exact(0, ns[i], 0.95, &e, NULL), PL_OK);
		assert_true(e.lower == 0 && e.upper > 0 && e.upper < 1);
		assert_int_equal(pl_prop_exact(ns[i], ns[i], 0.95, &e, NULL), PL_OK);
		assert_true(e.upper == 1 && e.lower > 0 && e.lower < 1);
	}
}

/* ---- counts and rates ---------------------------------------------------------- */

struct count_case {
	double x, conf;
	double value, lower, upper;
};

/* x = 1e9 at 0.999999: SciPy 1.10's chi2.ppf(5e-7, 2e9) is 1999702911.75,
 * but its own chi2.cdf there is 1.3e-6, not 5e-7; mpmath (40 digits) and
 * the Wilson-Hilferty approximation agree on 1999690640.90, used below. */
static const struct count_case count_exact_cases[] = {
	{ 0, 0.95, 0, 0, 3.6888794541139354 },
	{ 0, 0.999999, 0, 0, 14.508657738495463 },
	{ 1, 0.95, 1, 0.025317807984289897, 5.571643390938898 },
	{ 1, 0.999999, 1, 5.000001250144195e-07, 17.422215012500306 },
	{ 2, 0.998, 2, 0.045402017769489565, 11.228872242412661 },
	{ 9, 0.95, 9, 4.115373097378334, 17.084803451419166 },
	{ 10, 0.95, 10, 4.7953886961324335, 18.39035604201778 },
	{ 25, 0.998, 25, 12.336952635938632, 44.63607541715224 },
	{ 100, 0.95, 100, 81.36399125092315, 121.62679379242638 },
	{ 1000, 0.999999, 1000, 852.8804296754108, 1163.4776633117208 },
	{ 10000, 0.95, 10000, 9804.952467260184, 10197.951624661473 },
	{ 1000000000, 0.95, 1000000000, 999938021.4439279, 1000061981.4504089 },
	{ 1000000000, 0.998, 1000000000, 999902281.123973, 1000097725.5757663 },
	{ 1000000000, 0.999999, 1000000000, 999845320.4519032, 1000154695.833592 },
};

static const struct count_case count_byar_cases[] = {
	{ 0, 0.95, 0, 0, 3.6680118321737507 },
	{ 0, 0.999999, 0, 0, 15.992247388795715 },
	{ 1, 0.95, 1, 0.013072132901504331, 5.5637555824752605 },
	{ 1, 0.999999, 1, 0, 18.453676884427388 },
	{ 2, 0.998, 2, 0.02017491116187831, 11.338476062608647 },
	{ 9, 0.95, 9, 4.106885024013133, 17.085780688536683 },
	{ 10, 0.95, 10, 4.787449913967563, 18.391458605756473 },
	{ 25, 0.998, 25, 12.30445928640525, 44.67478017757808 },
	{ 100, 0.95, 100, 81.36210549052788, 121.6279375792065 },
	{ 1000, 0.999999, 1000, 852.8519541361593, 1163.5090392624943 },
	{ 10000, 0.95, 10000, 9804.952310850305, 10197.951773636616 },
	{ 1000000000, 0.95, 1000000000, 999938021.4439275, 1000061981.4504097 },
	{ 1000000000, 0.998, 1000000000, 999902281.123967, 1000097725.5757725 },
	{ 1000000000, 0.999999, 1000000000, 999845320.4518731, 1000154695.8336223 },
};

static void test_stats__count_exact_matches_scipy_chi2(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(count_exact_cases); i++) {
		const struct count_case *c = &count_exact_cases[i];
		struct pl_diag d = { 0 };
		struct pl_est e;

		expect_ok(pl_count_exact(c->x, c->conf, &e, &d), &d, "count exact", i);
		expect_est(&e, c->value, c->lower, c->upper, "count exact", i);
	}
}

static void test_stats__count_byar_matches_formula(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(count_byar_cases); i++) {
		const struct count_case *c = &count_byar_cases[i];
		struct pl_diag d = { 0 };
		struct pl_est e;

		expect_ok(pl_count_byar(c->x, c->conf, &e, &d), &d, "count byar", i);
		expect_est(&e, c->value, c->lower, c->upper, "count byar", i);
	}
}

/* pl_count_auto is exact below 10 and Byar's from 10: every row of both
 * tables is checked against the table its rule picks, and on the rows
 * below 100 the two methods differ by more than the tolerance, so picking
 * the wrong one fails. */
static void test_stats__count_auto_exact_below_10_byar_from_10(void **state)
{
	size_t n_small_differ = 0;

	(void)state;
	assert_int_equal(N_OF(count_exact_cases), N_OF(count_byar_cases));
	for (size_t i = 0; i < N_OF(count_exact_cases); i++) {
		const struct count_case *ex = &count_exact_cases[i], *by = &count_byar_cases[i];
		const struct count_case *want = ex->x < 10 ? ex : by;
		struct pl_est e;

		assert_true(ex->x == by->x && ex->conf == by->conf);
		assert_int_equal(pl_count_auto(ex->x, ex->conf, &e, NULL), PL_OK);
		expect_est(&e, want->value, want->lower, want->upper, "count auto", i);
		if (ex->x < 100 && !close_to(ex->upper, by->upper))
			n_small_differ++;
	}
	assert_true(n_small_differ >= 5);
}

struct rate_case {
	double x, den, multiplier, conf;
	double value, lower, upper;
};

static const struct rate_case rate_cases[] = {
	{ 0, 1, 1000, 0.95, 0, 0, 3688.8794541139355 },
	{ 3, 2000, 100000, 0.95, 150, 30.933606144780075, 438.36365348711615 },
	{ 9, 1000000, 100000, 0.998, 0.9, 0.24524244043637752, 2.265737330906293 },
	{ 10, 1000000, 100000, 0.998, 1, 0.2916318374695686, 2.419372492788055 },
	{ 250, 123456, 100000, 0.95, 202.50129600829445, 178.17431655628184, 229.22216718833207 },
	{ 1000000000, 1000000000, 1, 0.999999, 1, 0.9998453204518731, 1.0001546958336225 },
	{ 7, 0.5, 1, 0.95, 14, 5.628726103039734, 28.845350723404753 },
};

static void test_stats__rate_is_the_scaled_count_interval(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(rate_cases); i++) {
		const struct rate_case *c = &rate_cases[i];
		struct pl_diag d = { 0 };
		struct pl_est e;

		expect_ok(pl_rate(c->x, c->den, c->multiplier, c->conf, &e, &d), &d, "rate", i);
		expect_est(&e, c->value, c->lower, c->upper, "rate", i);
	}
}

/* ---- directly standardised rates ------------------------------------------------- */

struct dsr_case {
	double x[PL_ESP2013_BANDS];
	double pop[PL_ESP2013_BANDS];
	double conf, value, lower, upper;   /* per 100,000 */
};

/* Weights pl_esp2013; the second case has 10 events (the least shown) and
 * a 95+ band without people, whose weight still counts in sum(w). */
static const struct dsr_case dsr_cases[] = {
	{ { 0, 0, 1, 2, 3, 5, 4, 6, 8, 9, 12, 15, 14, 18, 20, 22, 19, 12, 6, 2 },
	  { 3100, 3300, 3200, 3600, 4100, 4500, 4800, 4700, 4400, 4200, 4300, 4100, 3900, 3600, 3200, 2600, 1700, 1100, 500, 120 },
	  0.95, 272.59945880934816, 233.9662374463772, 315.7830596845844 },
	{ { 0, 0, 0, 1, 0, 2, 0, 1, 0, 2, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0 },
	  { 900, 950, 1000, 1100, 1200, 1250, 1300, 1200, 1100, 1000, 1000, 950, 900, 850, 800, 600, 400, 250, 90, 0 },
	  0.998, 60.349999999999994, 17.437184253597312, 146.51098513586894 },
	{ { 120, 90, 85, 110, 160, 210, 260, 300, 350, 420, 500, 560, 640, 700, 760, 820, 700, 520, 300, 90 },
	  { 51000, 52000, 50500, 56000, 61000, 64000, 66000, 63000, 60000, 59000, 61000, 60000, 57000, 52000, 47000, 38000, 26000, 16000, 7000, 1500 },
	  0.999999, 815.3342328230316, 770.5562330797453, 861.8452758727665 },
};

static void test_stats__dsr_matches_dobson(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(dsr_cases); i++) {
		const struct dsr_case *c = &dsr_cases[i];
		struct pl_diag d = { 0 };
		struct pl_est e;

		expect_ok(pl_dsr(c->x, c->pop, pl_esp2013, PL_ESP2013_BANDS, 1e5, c->conf, &e, &d),
			  &d, "dsr", i);
		expect_est(&e, c->value, c->lower, c->upper, "dsr", i);
	}
}

static void test_stats__esp2013_weights(void **state)
{
	static const double want[PL_ESP2013_BANDS] = {
		5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
		7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 800, 200
	};
	double sum = 0;

	(void)state;
	for (size_t i = 0; i < PL_ESP2013_BANDS; i++) {
		assert_true(pl_esp2013[i] == want[i]);
		sum += pl_esp2013[i];
	}
	assert_true(sum == 100000);
}

/* ---- funnel plots ------------------------------------------------------------------ */

struct funnel_case {
	enum pl_funnel_kind kind;
	double target, den, conf;
	double lower, upper;
};

/* Poisson and binomial, unit sizes 1 to 1e9, targets 0 to 0.999. */
static const struct funnel_case funnel_cases[] = {
	{ PL_FUNNEL_RATE, 0.1, 1, 0.95, 0, 0.7754164512375645 },
	{ PL_FUNNEL_RATE, 0.05, 1, 0.998, 0, 1.1758602237183804 },
	{ PL_FUNNEL_RATE, 3.5, 1, 0.95, 0, 7.103106722058354 },
	{ PL_FUNNEL_RATE, 0.1, 10, 0.95, 0, 0.29019486964854146 },
	{ PL_FUNNEL_RATE, 0.002, 1000, 0.95, 0, 0.004766236361715188 },
	{ PL_FUNNEL_RATE, 0.002, 12345, 0.998, 0.0008338070435552909, 0.00331378634689676 },
	{ PL_FUNNEL_RATE, 1.5, 200, 0.95, 1.3301674223870794, 1.6695824983570648 },
	{ PL_FUNNEL_RATE, 0.0005, 1000000, 0.999999, 0.0003940220533426126, 0.0006126509197165261 },
	{ PL_FUNNEL_RATE, 0.1, 1000000000, 0.95, 0.09998040033372518, 0.1000195996134292 },
	{ PL_FUNNEL_RATE, 0.05, 1000000000, 0.998, 0.04997814968275406, 0.050021852167074256 },
	{ PL_FUNNEL_RATE, 0, 100, 0.95, 0, 0 },
	{ PL_FUNNEL_PROP, 0.2, 1, 0.95, 0, 0.8749999999999999 },
	{ PL_FUNNEL_PROP, 0.5, 1, 0.998, 0, 0.998 },
	{ PL_FUNNEL_PROP, 0.3, 10, 0.95, 0, 0.5608021403540759 },
	{ PL_FUNNEL_PROP, 0.02, 500, 0.998, 0.0025070258478685323, 0.04101726078595216 },
	{ PL_FUNNEL_PROP, 0.9, 1000, 0.95, 0.8805170734694902, 0.9177213432553397 },
	{ PL_FUNNEL_PROP, 0.999, 5000, 0.95, 0.9979253763273291, 0.9996913238805654 },
	{ PL_FUNNEL_PROP, 0.1, 1000000, 0.999999, 0.09853507157779987, 0.10147004241394479 },
	{ PL_FUNNEL_PROP, 0.1, 1000000000, 0.95, 0.0999814060279346, 0.10001859372982165 },
	{ PL_FUNNEL_PROP, 0.35, 1000000000, 0.998, 0.3499533896348226, 0.3500466102201248 },
	{ PL_FUNNEL_PROP, 0, 10, 0.95, 0, 0 },
};

static void test_stats__funnel_limits_match_spiegelhalter_in_scipy(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(funnel_cases); i++) {
		const struct funnel_case *c = &funnel_cases[i];
		struct pl_diag d = { 0 };
		double lo, hi;

		expect_ok(pl_funnel_limits(c->kind, c->target, c->den, c->conf, &lo, &hi, &d), &d,
			  "funnel", i);
		expect_close(lo, c->lower, "funnel lower", i);
		expect_close(hi, c->upper, "funnel upper", i);
	}
}

struct position_case {
	enum pl_funnel_kind kind;
	double target, x, den;
	enum pl_funnel_pos pos;
};

/* For each unit, the whole counts on either side of each change of
 * position by SciPy's exact tails (poisson/binom sf and cdf: above when
 * P(X >= x) < 0.025 or 0.001, below when P(X <= x) is); 20 of 20 against
 * 95 % is inside (P = 0.36). */
static const struct position_case position_cases[] = {
	{ PL_FUNNEL_RATE, 0.01, 7, 2000, PL_FUNNEL_BELOW998 },
	{ PL_FUNNEL_RATE, 0.01, 8, 2000, PL_FUNNEL_BELOW95 },
	{ PL_FUNNEL_RATE, 0.01, 11, 2000, PL_FUNNEL_BELOW95 },
	{ PL_FUNNEL_RATE, 0.01, 12, 2000, PL_FUNNEL_INSIDE },
	{ PL_FUNNEL_RATE, 0.01, 29, 2000, PL_FUNNEL_INSIDE },
	{ PL_FUNNEL_RATE, 0.01, 30, 2000, PL_FUNNEL_ABOVE95 },
	{ PL_FUNNEL_RATE, 0.01, 35, 2000, PL_FUNNEL_ABOVE95 },
	{ PL_FUNNEL_RATE, 0.01, 36, 2000, PL_FUNNEL_ABOVE998 },
	{ PL_FUNNEL_RATE, 0.0002, 157, 1000000, PL_FUNNEL_BELOW998 },
	{ PL_FUNNEL_RATE, 0.0002, 158, 1000000, PL_FUNNEL_BELOW95 },
	{ PL_FUNNEL_RATE, 0.0002, 172, 1000000, PL_FUNNEL_BELOW95 },
	{ PL_FUNNEL_RATE, 0.0002, 173, 1000000, PL_FUNNEL_INSIDE },
	{ PL_FUNNEL_RATE, 0.0002, 228, 1000000, PL_FUNNEL_INSIDE },
	{ PL_FUNNEL_RATE, 0.0002, 229, 1000000, PL_FUNNEL_ABOVE95 },
	{ PL_FUNNEL_RATE, 0.0002, 245, 1000000, PL_FUNNEL_ABOVE95 },
	{ PL_FUNNEL_RATE, 0.0002, 246, 1000000, PL_FUNNEL_ABOVE998 },
	{ PL_FUNNEL_PROP, 0.3, 91, 400, PL_FUNNEL_BELOW998 },
	{ PL_FUNNEL_PROP, 0.3, 92, 400, PL_FUNNEL_BELOW95 },
	{ PL_FUNNEL_PROP, 0.3, 101, 400, PL_FUNNEL_BELOW95 },
	{ PL_FUNNEL_PROP, 0.3, 102, 400, PL_FUNNEL_INSIDE },
	{ PL_FUNNEL_PROP, 0.3, 138, 400, PL_FUNNEL_INSIDE },
	{ PL_FUNNEL_PROP, 0.3, 139, 400, PL_FUNNEL_ABOVE95 },
	{ PL_FUNNEL_PROP, 0.3, 149, 400, PL_FUNNEL_ABOVE95 },
	{ PL_FUNNEL_PROP, 0.3, 150, 400, PL_FUNNEL_ABOVE998 },
	{ PL_FUNNEL_PROP, 0.05, 905, 20000, PL_FUNNEL_BELOW998 },
	{ PL_FUNNEL_PROP, 0.05, 906, 20000, PL_FUNNEL_BELOW95 },
	{ PL_FUNNEL_PROP, 0.05, 939, 20000, PL_FUNNEL_BELOW95 },
	{ PL_FUNNEL_PROP, 0.05, 940, 20000, PL_FUNNEL_INSIDE },
	{ PL_FUNNEL_PROP, 0.05, 1061, 20000, PL_FUNNEL_INSIDE },
	{ PL_FUNNEL_PROP, 0.05, 1062, 20000, PL_FUNNEL_ABOVE95 },
	{ PL_FUNNEL_PROP, 0.05, 1097, 20000, PL_FUNNEL_ABOVE95 },
	{ PL_FUNNEL_PROP, 0.05, 1098, 20000, PL_FUNNEL_ABOVE998 },
	{ PL_FUNNEL_PROP, 0.95, 14, 20, PL_FUNNEL_BELOW998 },
	{ PL_FUNNEL_PROP, 0.95, 15, 20, PL_FUNNEL_BELOW95 },
	{ PL_FUNNEL_PROP, 0.95, 16, 20, PL_FUNNEL_BELOW95 },
	{ PL_FUNNEL_PROP, 0.95, 17, 20, PL_FUNNEL_INSIDE },
	{ PL_FUNNEL_PROP, 0.95, 19, 20, PL_FUNNEL_INSIDE },
	{ PL_FUNNEL_PROP, 0.95, 20, 20, PL_FUNNEL_INSIDE },
};

static void test_stats__funnel_position_either_side_of_limits(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(position_cases); i++) {
		const struct position_case *c = &position_cases[i];
		struct pl_diag d = { 0 };
		enum pl_funnel_pos pos;

		expect_ok(pl_funnel_position(c->kind, c->target, c->x, c->den, &pos, &d), &d,
			  "position", i);
		if (pos != c->pos)
			fail_msg("position, row %zu (x %g of %g): got %s, want %s", i, c->x, c->den,
				 pl_funnel_pos_name(pos), pl_funnel_pos_name(c->pos));
	}
}

static void test_stats__funnel_pos_names(void **state)
{
	(void)state;
	assert_string_equal(pl_funnel_pos_name(PL_FUNNEL_INSIDE), "inside");
	assert_string_equal(pl_funnel_pos_name(PL_FUNNEL_ABOVE95), "above95");
	assert_string_equal(pl_funnel_pos_name(PL_FUNNEL_ABOVE998), "above99.8");
	assert_string_equal(pl_funnel_pos_name(PL_FUNNEL_BELOW95), "below95");
	assert_string_equal(pl_funnel_pos_name(PL_FUNNEL_BELOW998), "below99.8");
}

/* ---- heterogeneity ---------------------------------------------------------------------- */

struct hetero_case {
	enum pl_funnel_kind kind;
	size_t k;
	double winsor;
	double x[12], den[12];
	double target, chi2, df, p_value, phi, tau2;
};

/* The first two rows are the same districts with and without winsorising
 * (tau2 0 with it, > 0 without); the third is homogeneous (chi2 0); the
 * last two have p-values of 1.8e-219 and (underflowing) 0. */
static const struct hetero_case hetero_cases[] = {
	{ PL_FUNNEL_RATE, 10, 0.1,
	  { 12, 30, 8, 45, 19, 60, 7, 25, 33, 14 },
	  { 10000, 21000, 9000, 26000, 15000, 30000, 8000, 20000, 22000, 12000 },
	  0.0014624277456647399, 13.35700157330592, 9, 0.14710642773195295, 0.8572298573504907, 0 },
	{ PL_FUNNEL_RATE, 10, 0,
	  { 12, 30, 8, 45, 19, 60, 7, 25, 33, 14 },
	  { 10000, 21000, 9000, 26000, 15000, 30000, 8000, 20000, 22000, 12000 },
	  0.0014624277456647399, 13.35700157330592, 9, 0.14710642773195295, 1.335700157330592, 4.173246755684099e-08 },
	{ PL_FUNNEL_RATE, 10, 0.1,
	  { 10, 21, 9, 26, 15, 30, 8, 20, 22, 12 },
	  { 10000, 21000, 9000, 26000, 15000, 30000, 8000, 20000, 22000, 12000 },
	  0.001, 0, 9, 1, 0, 0 },
	{ PL_FUNNEL_PROP, 12, 0.1,
	  { 40, 55, 12, 80, 33, 90, 21, 64, 47, 30, 5, 70 },
	  { 200, 240, 90, 300, 180, 320, 150, 260, 230, 160, 60, 250 },
	  0.22418032786885245, 35.723872851674685, 11, 0.00018808561927531378, 2.7898440805303237, 0.0017703064231885017 },
	{ PL_FUNNEL_PROP, 2, 0,
	  { 0, 3 },
	  { 10, 10 },
	  0.15, 3.5294117647058822, 1, 0.06028917399060221, 1.764705882352941, 0.032249999999999994 },
	{ PL_FUNNEL_RATE, 2, 0,
	  { 1000, 0 },
	  { 1000, 1000 },
	  0.5, 1000, 1, 1.7958327848007363e-219, 500.00000000000006, 0.49950000000000006 },
	{ PL_FUNNEL_RATE, 3, 0,
	  { 1000000, 0, 3 },
	  { 1000, 1000, 1000 },
	  333.33433333333335, 1999988.0000539997, 2, 0, 666662.6666846665, 333332.000002 },
};

static void test_stats__heterogeneity_matches_scipy(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(hetero_cases); i++) {
		const struct hetero_case *c = &hetero_cases[i];
		struct pl_diag d = { 0 };
		struct pl_hetero h;

		expect_ok(pl_heterogeneity(c->kind, c->x, c->den, c->k, c->winsor, &h, &d), &d,
			  "heterogeneity", i);
		expect_close(h.target, c->target, "heterogeneity target", i);
		expect_close(h.chi2, c->chi2, "heterogeneity chi2", i);
		expect_close(h.df, c->df, "heterogeneity df", i);
		expect_close(h.p_value, c->p_value, "heterogeneity p", i);
		expect_close(h.phi, c->phi, "heterogeneity phi", i);
		expect_close(h.tau2, c->tau2, "heterogeneity tau2", i);
	}
}

struct od_case {
	enum pl_funnel_kind kind;
	double target, tau2, den, conf;
	double lower, upper;
};

static const struct od_case od_cases[] = {
	{ PL_FUNNEL_RATE, 0.0012, 2e-08, 20000, 0.95, 0.0006456384702601287, 0.0017543615297398712 },
	{ PL_FUNNEL_RATE, 0.0012, 0, 20000, 0.998, 0.00044305076632247353, 0.0019569492336775265 },
	{ PL_FUNNEL_RATE, 0.5, 0.01, 3, 0.95, 0, 1.3238068493216693 },
	{ PL_FUNNEL_PROP, 0.25, 0.001, 300, 0.95, 0.17099132589627924, 0.32900867410372076 },
	{ PL_FUNNEL_PROP, 0.97, 0.002, 100, 0.998, 0.8220879102215214, 1 },
	{ PL_FUNNEL_PROP, 0.02, 0.0004, 50, 0.95, 0, 0.07515827577063797 },
};

static void test_stats__funnel_limits_od_match_formula(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(od_cases); i++) {
		const struct od_case *c = &od_cases[i];
		struct pl_diag d = { 0 };
		double lo, hi;

		expect_ok(pl_funnel_limits_od(c->kind, c->target, c->tau2, c->den, c->conf, &lo, &hi,
					      &d), &d, "od", i);
		expect_close(lo, c->lower, "od lower", i);
		expect_close(hi, c->upper, "od upper", i);
	}
}

/* ---- quartiles, means, trend ---------------------------------------------------------------- */

struct quartile_case {
	size_t n;
	double v[17];
	double q[3];
};

static const struct quartile_case quartile_cases[] = {
	{ 1, { 42 }, { 42, 42, 42 } },
	{ 2, { 3, 1 }, { 1.5, 2, 2.5 } },
	{ 5, { 5, 1, 4, 2, 3 }, { 2, 3, 4 } },
	{ 10, { 7.5, -2, 7.5, 0, 13.25, 0.001, 100, 7.5, -50, 3 }, { 0.00025, 5.25, 7.5 } },
	{ 17, { 0, 0.1, 0.4, 0.9000000000000001, 1.6, 2.5, 3.6000000000000005, 4.9, 6.4, 8.1, 10, 12.100000000000001, 14.400000000000002, 16.900000000000002, 19.6, 22.5, 25.6 }, { 1.6, 6.4, 14.400000000000002 } },
};

static void test_stats__quartiles_match_numpy(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(quartile_cases); i++) {
		const struct quartile_case *c = &quartile_cases[i];
		double v[17], q[3];

		memcpy(v, c->v, sizeof(v));
		expect_ok(pl_quartiles(v, c->n, q, NULL), &(struct pl_diag){ 0 }, "quartiles", i);
		for (int j = 0; j < 3; j++)
			expect_close(q[j], c->q[j], "quartile", i);
		for (size_t j = 1; j < c->n; j++)
			assert_true(v[j - 1] <= v[j]); /* sorted in place */
	}
}

/* Regression guard for issue 8 (indicators kept every value of a mean
 * figure): the two passes of pl_mean_acc give GSL's mean and standard
 * deviation bit for bit (gsl_stats_mean, gsl_stats_sd_m, as pl_mean_t
 * used before it went through the accumulator too), pl_mean_t the same
 * estimate as the accumulator, and the errors. */
static void test_stats__mean_acc_same_bits(void **state)
{
	static double v[700];
	uint64_t x = 8;

	(void)state;
	for (size_t trial = 0; trial < 300; trial++) {
		size_t n = 1 + trial * 7 % 700;
		struct pl_mean_acc m = { 0 };
		struct pl_est want, got;
		double gsl_mean, acc_mean;

		for (size_t i = 0; i < n; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			v[i] = trial % 3 == 0 ? (double)(500 + (x >> 33) % 2500000) :
				(double)(x >> 11) / 9007199254740992.0 * 1e7 * (trial % 3);
		}
		for (size_t i = 0; i < n; i++)
			pl_mean_acc_add(&m, v[i]);
		for (size_t i = 0; i < n; i++)
			pl_mean_acc_add2(&m, v[i]);
		gsl_mean = gsl_stats_mean(v, 1, n);
		acc_mean = (double)m.mean;
		assert_memory_equal(&gsl_mean, &acc_mean, sizeof(double));
		if (n >= 2) {
			double gsl_sd = gsl_stats_sd_m(v, 1, n, gsl_mean);
			double acc_sd = sqrt((double)m.var * ((double)n / (double)(n - 1)));

			assert_memory_equal(&gsl_sd, &acc_sd, sizeof(double));
		}
		assert_int_equal(pl_mean_t(v, n, 0.95, &want, NULL), PL_OK);
		assert_int_equal(pl_mean_acc_t(&m, 0.95, &got, NULL), PL_OK);
		assert_memory_equal(&want, &got, sizeof(want));
	}
	{
		struct pl_mean_acc none = { 0 }, bad = { 0 };
		struct pl_est e;
		struct pl_diag d;

		assert_int_equal(pl_mean_acc_t(&none, 0.95, &e, &d), PL_EDATA);
		assert_string_equal(d.msg, "no values");
		pl_mean_acc_add(&bad, 1);
		pl_mean_acc_add(&bad, INFINITY);
		assert_int_equal(pl_mean_acc_t(&bad, 0.95, &e, &d), PL_EDATA);
		assert_string_equal(d.msg, "a value is not finite");
		assert_true(e.value == 0 && e.lower == 0 && e.upper == 0);
	}
}

static double *q_unused(void)
{
	static double q[3];

	return q;
}

/* Regression guard for issue 8 (indicators kept every value of a quartile
 * figure, 8 bytes per episode): the counted form gives pl_quartiles' very
 * bits, on sets with many repeats (day lengths) and with none, small and
 * large, built by a fixed linear congruential generator. */
static void test_stats__quartiles_counted_same_bits(void **state)
{
	static double v[600], dv[600];
	static size_t count[600];
	uint64_t x = 20260115;

	(void)state;
	for (size_t trial = 0; trial < 400; trial++) {
		size_t n = 1 + trial % 600 * (trial % 7 + 1) % 600, k = 0;
		double q[3], qc[3];

		for (size_t i = 0; i < n; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			v[i] = trial % 2 ? (double)(1 + (x >> 33) % 40) :   /* repeats */
				(double)(x >> 11) / 9007199254740992.0 * 1e6 - 5e5;
		}
		assert_int_equal(pl_quartiles(v, n, q, NULL), PL_OK);  /* sorts v */
		for (size_t i = 0; i < n; i++) {
			if (k && dv[k - 1] == v[i]) {
				count[k - 1]++;
				continue;
			}
			dv[k] = v[i];
			count[k++] = 1;
		}
		assert_int_equal(pl_quartiles_counted(dv, count, k, qc, NULL), PL_OK);
		assert_memory_equal(q, qc, sizeof(q));
	}
	count[0] = 1;
	dv[0] = NAN;
	assert_int_equal(pl_quartiles_counted(dv, count, 1, q_unused(), NULL), PL_EDATA);
	assert_int_equal(pl_quartiles_counted(dv, count, 0, q_unused(), NULL), PL_EDATA);
}

struct mean_case {
	size_t n;
	double v[10];
	double conf, value, lower, upper;
};

static const struct mean_case mean_cases[] = {
	{ 1, { 42 }, 0.95, 42, 42, 42 },
	{ 2, { 1, 2 }, 0.95, 1.5, -4.853102368216048, 7.853102368216048 },
	{ 10, { 12.5, 9, 14.25, 11, 10.5, 13, 8.75, 12, 15.5, 10 }, 0.95, 11.65, 10.065592558968225, 13.234407441031776 },
	{ 10, { 12.5, 9, 14.25, 11, 10.5, 13, 8.75, 12, 15.5, 10 }, 0.999999, 11.65, 3.499636118294582, 19.800363881598834 },
	{ 3, { 1000000.5, 999999.75, 1000001 }, 0.998, 1000000.4166666666, 999992.3065266189, 1000008.5268067144 },
};

static void test_stats__mean_t_matches_scipy(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(mean_cases); i++) {
		const struct mean_case *c = &mean_cases[i];
		struct pl_diag d = { 0 };
		struct pl_est e;

		expect_ok(pl_mean_t(c->v, c->n, c->conf, &e, &d), &d, "mean", i);
		expect_est(&e, c->value, c->lower, c->upper, "mean", i);
	}
}

struct trend_case {
	size_t n;
	double t[6], y[6], var[6];
	double conf, value, lower, upper;
};

static const struct trend_case trend_cases[] = {
	{ 5, { 2019, 2020, 2021, 2022, 2023 }, { 41, 43.5, 44, 47.25, 49 }, { 4, 3.5, 5, 4.5, 6 }, 0.95, 1.9588124723576028, 0.6150782849425327, 3.302546659772673 },
	{ 2, { 0, 1 }, { 1, 3 }, { 1, 1 }, 0.998, 2.000000000000001, -2.3702484382660094, 6.370248438266011 },
	{ 6, { 1, 2, 2, 4, 7, 8 }, { 0.31, 0.28, 0.3, 0.26, 0.22, 0.21 }, { 0.0001, 0.0002, 0.00015, 0.0001, 0.0003, 0.0002 }, 0.999999, -0.014380214541120408, -0.024512901420964555, -0.00424752766127626 },
};

static void test_stats__trend_matches_statsmodels_wls(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(trend_cases); i++) {
		const struct trend_case *c = &trend_cases[i];
		struct pl_diag d = { 0 };
		struct pl_est e;

		expect_ok(pl_trend(c->t, c->y, c->var, c->n, c->conf, &e, &d), &d, "trend", i);
		expect_est(&e, c->value, c->lower, c->upper, "trend", i);
	}
}

/* ---- capture-recapture ------------------------------------------------------------------------- */

struct chao_case {
	double s_obs, f1, f2, conf;
	double value, lower, upper;
};

/* f2 = 0 takes the bias-corrected form; f0 = 0 gives [s_obs, s_obs]. */
static const struct chao_case chao_cases[] = {
	{ 100, 20, 10, 0.95, 120, 106.83480997088768, 158.52393873476632 },
	{ 50, 30, 2, 0.95, 275, 106.79550630953372, 941.3557302244185 },
	{ 12, 5, 0, 0.95, 22, 13.909464802377478, 64.37069563968386 },
	{ 10, 1, 0, 0.95, 10, 10, 10 },
	{ 10, 0, 3, 0.95, 10, 10, 10 },
	{ 40, 25, 1, 0.998, 352.5, 60.70014719215688, 4757.659690700227 },
	{ 1000000, 100000, 50000, 0.999999, 1100000, 1095990.0479017594, 1104177.4665039699 },
	{ 3, 3, 0, 0.998, 6, 3.115247241500504, 81.09297543976902 },
};

static void test_stats__chao1_matches_formula(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(chao_cases); i++) {
		const struct chao_case *c = &chao_cases[i];
		struct pl_diag d = { 0 };
		struct pl_est e;

		expect_ok(pl_chao1(c->s_obs, c->f1, c->f2, c->conf, &e, &d), &d, "chao1", i);
		expect_est(&e, c->value, c->lower, c->upper, "chao1", i);
	}
}

struct loglin_case {
	unsigned k;
	double cells[32];
	double conf, n, lower, upper, unseen, deviance, df;
	const char *model;
};

/* 3 sources with a zero cell (the saturated two-way model has no finite
 * estimate, so independence); 3 sources without (two-way, saturated:
 * checked in stats_ref.py against the closed form m1 m2 m4 m7 / (m3 m5 m6));
 * 4 sources of which two never share anyone (the two-way fit diverges:
 * statsmodels' interaction reaches -37); 5 sources with zero cells, where
 * both converge and independence has the lower AIC. */
static const struct loglin_case loglin_cases[] = {
	{ 3, { 0, 120, 95, 30, 80, 25, 0, 6 },
	  0.95, 823.0640121192939, 696.9629702547113, 995.8020032908768, 467.0640121192939, 32.664356560637614, 3, "independence" },
	{ 3, { 0, 60, 45, 40, 70, 8, 30, 12 },
	  0.95, 501.25, 342.9792309935309, 980.7554875686106, 236.25000000000003, 2.4424906541752765e-15, 0, "two-way" },
	{ 4, { 0, 300, 270, 243, 240, 120, 173, 156, 210, 0, 94, 0, 84, 0, 60, 0 },
	  0.95, 2509.5809335108625, 2451.4171877487192, 2574.491598612314, 559.5809335108627, 466.7042623592341, 10, "independence" },
	{ 5, { 0, 90, 70, 14, 55, 9, 8, 2, 64, 12, 10, 3, 7, 1, 2, 0, 48, 8, 7, 1, 6, 2, 0, 1, 5, 1, 1, 0, 1, 0, 0, 0 },
	  0.998, 891.9731324635934, 739.9295104033729, 1118.1272898793725, 463.97313246359346, 8.0979175271361, 25, "independence" },
};

static void test_stats__loglinear_matches_statsmodels_glm(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(loglin_cases); i++) {
		const struct loglin_case *c = &loglin_cases[i];
		struct pl_diag d = { 0 };
		struct pl_loglin ll;

		expect_ok(pl_loglinear(c->cells, c->k, c->conf, &ll, &d), &d, "loglinear", i);
		expect_est(&ll.n, c->n, c->lower, c->upper, "loglinear n", i);
		expect_close(ll.unseen, c->unseen, "loglinear unseen", i);
		expect_close(ll.deviance, c->deviance, "loglinear deviance", i);
		expect_close(ll.df, c->df, "loglinear df", i);
		if (strcmp(ll.model, c->model) != 0)
			fail_msg("loglinear, row %zu: model %s, want %s", i, ll.model, c->model);
	}
}

/* cells[0] is the unknown: whatever it holds, even NaN, changes nothing. */
static void test_stats__loglinear_ignores_cell_0(void **state)
{
	const struct loglin_case *c = &loglin_cases[N_OF(loglin_cases) - 1];
	double cells[32];
	struct pl_loglin a, b;

	(void)state;
	memcpy(cells, c->cells, sizeof(cells));
	assert_int_equal(pl_loglinear(cells, c->k, c->conf, &a, NULL), PL_OK);
	cells[0] = NAN;
	assert_int_equal(pl_loglinear(cells, c->k, c->conf, &b, NULL), PL_OK);
	assert_true(a.n.value == b.n.value && a.n.lower == b.n.lower && a.n.upper == b.n.upper);
	cells[0] = -5;
	assert_int_equal(pl_loglinear(cells, c->k, c->conf, &b, NULL), PL_OK);
	assert_true(a.n.value == b.n.value);
}

/* ---- undefined inputs ------------------------------------------------------------------------------ */

/* Outputs start as NaN, so a function that leaves one unset fails too. */
struct outputs {
	struct pl_est e;
	double lo, hi, q[3];
	enum pl_funnel_pos pos;
	struct pl_hetero h;
	struct pl_loglin ll;
};

static void poison(struct outputs *o, struct pl_diag *d)
{
	o->e.value = o->e.lower = o->e.upper = NAN;
	o->lo = o->hi = o->q[0] = o->q[1] = o->q[2] = NAN;
	o->pos = (enum pl_funnel_pos)77;
	o->h.target = o->h.chi2 = o->h.df = o->h.p_value = o->h.phi = o->h.tau2 = NAN;
	o->ll.n.value = o->ll.n.lower = o->ll.n.upper = NAN;
	o->ll.unseen = o->ll.deviance = o->ll.df = NAN;
	o->ll.model = NULL;
	pl_diag_clear(d);
}

static void expect_edata(enum pl_err err, const struct pl_diag *d, const struct outputs *o,
			 const char *call, int line)
{
	if (err != PL_EDATA || d->err != PL_EDATA || d->msg[0] == '\0')
		fail_msg("line %d: %s gave %d, diag %d \"%s\"", line, call, err, d->err, d->msg);
	if ((unsigned)o->pos > PL_FUNNEL_BELOW998 && o->pos != (enum pl_funnel_pos)77)
		fail_msg("line %d: %s wrote position %d", line, call, (int)o->pos);
}

/* Runs call with poisoned outputs and a fresh diag: it must give PL_EDATA
 * with a message, and the outputs listed after it must be finite. */
#define EDATA(call, ...)                                                          \
	do {                                                                      \
		poison(&o, &d);                                                   \
		expect_edata((call), &d, &o, #call, __LINE__);                    \
		const double outs_[] = { __VA_ARGS__ };                           \
		for (size_t j_ = 0; j_ < N_OF(outs_); j_++)                       \
			if (!isfinite(outs_[j_]))                                 \
				fail_msg("line %d: %s: output %zu is not finite", \
					 __LINE__, #call, j_);                    \
	} while (0)
#define EST o.e.value, o.e.lower, o.e.upper
#define LIMS o.lo, o.hi
#define POS ((unsigned)o.pos <= PL_FUNNEL_BELOW998 ? 0.0 : NAN) /* a valid position */
#define POS ((unsigned)o.pos <= PL_FUNNEL_BELOW998 ? 0.0 : NAN) /* a valid position */
#define POS ((unsigned)o.pos <= PL_FUNNEL_BELOW998 ? 0.0 : NAN) /* a valid position */
#define HET o.h.target, o.h.chi2, o.h.df, o.h.p_value, o.h.phi, o.h.tau2
#define LL o.ll.n.value, o.ll.n.lower, o.ll.n.upper, o.ll.unseen, o.ll.deviance, o.ll.df

static void test_stats__undefined_inputs_give_edata(void **state)
{
	struct outputs o;
	struct pl_diag d;
	double x20[PL_ESP2013_BANDS], p20[PL_ESP2013_BANDS], w0[PL_ESP2013_BANDS] = { 0 };
	double hx[3] = { 5, 7, 9 }, hd[3] = { 100, 120, 90 }, zeros[8] = { 0 };
	double v[4] = { 1, 2, 3, 4 }, t[3] = { 1, 2, 3 }, y[3] = { 1, 2, 4 }, var[3] = { 1, 1, 1 };
	double cells[256] = { 0 };

	(void)state;
	/* proportions: den 0, count above it, conf 0 / 1 / NaN / out of range, negative, NaN */
	EDATA(pl_prop_wilson(0, 0, 0.95, &o.e, &d), EST);
	EDATA(pl_prop_wilson(3, 2, 0.95, &o.e, &d), EST);
	EDATA(pl_prop_wilson(1, 2, 0, &o.e, &d), EST);
	EDATA(pl_prop_wilson(1, 2, 1, &o.e, &d), EST);
	EDATA(pl_prop_wilson(1, 2, NAN, &o.e, &d), EST);
	EDATA(pl_prop_wilson(-1, 2, 0.95, &o.e, &d), EST);
	EDATA(pl_prop_wilson(NAN, 2, 0.95, &o.e, &d), EST);
	EDATA(pl_prop_wilson(1, INFINITY, 0.95, &o.e, &d), EST);
	EDATA(pl_prop_exact(0, 0, 0.95, &o.e, &d), EST);
	EDATA(pl_prop_exact(1e9 + 1, 1e9, 0.95, &o.e, &d), EST);
	EDATA(pl_prop_exact(1, 2, 1, &o.e, &d), EST);
	EDATA(pl_prop_exact(1, 2, -0.95, &o.e, &d), EST);
	EDATA(pl_prop_exact(1, NAN, 0.95, &o.e, &d), EST);
	EDATA(pl_prop_exact(1, -2, 0.95, &o.e, &d), EST);
	/* counts */
	EDATA(pl_count_exact(-1, 0.95, &o.e, &d), EST);
	EDATA(pl_count_exact(NAN, 0.95, &o.e, &d), EST);
	EDATA(pl_count_exact(INFINITY, 0.95, &o.e, &d), EST);
	EDATA(pl_count_exact(5, 0, &o.e, &d), EST);
	EDATA(pl_count_exact(5, 1, &o.e, &d), EST);
	EDATA(pl_count_byar(-1, 0.95, &o.e, &d), EST);
	EDATA(pl_count_byar(5, NAN, &o.e, &d), EST);
	EDATA(pl_count_byar(5, 1.5, &o.e, &d), EST);
	EDATA(pl_count_auto(NAN, 0.95, &o.e, &d), EST);
	EDATA(pl_count_auto(20, 1, &o.e, &d), EST);
	/* rates */
	EDATA(pl_rate(5, 0, 1e5, 0.95, &o.e, &d), EST);
	EDATA(pl_rate(5, -10, 1e5, 0.95, &o.e, &d), EST);
	EDATA(pl_rate(5, NAN, 1e5, 0.95, &o.e, &d), EST);
	EDATA(pl_rate(5, 100, 0, 0.95, &o.e, &d), EST);
	EDATA(pl_rate(5, 100, NAN, 0.95, &o.e, &d), EST);
	EDATA(pl_rate(-5, 100, 1e5, 0.95, &o.e, &d), EST);
	EDATA(pl_rate(5, 100, 1e5, 0, &o.e, &d), EST);
	EDATA(pl_rate(5, 1e-300, 1e300, 0.95, &o.e, &d), EST); /* overflows */
	/* dsr: too few events, weights summing to 0, events without people, bad numbers */
	for (size_t i = 0; i < PL_ESP2013_BANDS; i++) {
		x20[i] = i < 9 ? 1 : 0;
		p20[i] = 1000;
	}
	EDATA(pl_dsr(x20, p20, pl_esp2013, PL_ESP2013_BANDS, 1e5, 0.95, &o.e, &d), EST);
	x20[19] = 1;
	EDATA(pl_dsr(x20, p20, w0, PL_ESP2013_BANDS, 1e5, 0.95, &o.e, &d), EST);
	EDATA(pl_dsr(x20, p20, pl_esp2013, 0, 1e5, 0.95, &o.e, &d), EST);
	p20[19] = 0;
	EDATA(pl_dsr(x20, p20, pl_esp2013, PL_ESP2013_BANDS, 1e5, 0.95, &o.e, &d), EST);
	p20[19] = NAN;
	EDATA(pl_dsr(x20, p20, pl_esp2013, PL_ESP2013_BANDS, 1e5, 0.95, &o.e, &d), EST);
	p20[19] = 1000;
	x20[3] = -1;
	EDATA(pl_dsr(x20, p20, pl_esp2013, PL_ESP2013_BANDS, 1e5, 0.95, &o.e, &d), EST);
	x20[3] = 1;
	EDATA(pl_dsr(x20, p20, pl_esp2013, PL_ESP2013_BANDS, 1e5, NAN, &o.e, &d), EST);
	EDATA(pl_dsr(x20, p20, pl_esp2013, PL_ESP2013_BANDS, 0, 0.95, &o.e, &d), EST);
	/* funnels */
	EDATA(pl_funnel_limits(PL_FUNNEL_RATE, 0.1, 0, 0.95, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits(PL_FUNNEL_RATE, -0.1, 10, 0.95, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits(PL_FUNNEL_RATE, NAN, 10, 0.95, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits(PL_FUNNEL_RATE, 0.1, INFINITY, 0.95, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits(PL_FUNNEL_RATE, 0.1, 10, 1, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits(PL_FUNNEL_RATE, 0.1, 10, NAN, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits(PL_FUNNEL_RATE, 1, 1e14, 0.95, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits(PL_FUNNEL_PROP, 1.5, 10, 0.95, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits(PL_FUNNEL_PROP, 0.5, 10.5, 0.95, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits(PL_FUNNEL_PROP, 0.5, 10, 0, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits((enum pl_funnel_kind)9, 0.5, 10, 0.95, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_position(PL_FUNNEL_PROP, 0.5, 11, 10, &o.pos, &d), POS);
	EDATA(pl_funnel_position(PL_FUNNEL_RATE, 0.5, -1, 10, &o.pos, &d), POS);
	EDATA(pl_funnel_position(PL_FUNNEL_RATE, 0.5, NAN, 10, &o.pos, &d), POS);
	EDATA(pl_funnel_position(PL_FUNNEL_RATE, 0.5, 3, 0, &o.pos, &d), POS);
	EDATA(pl_funnel_position(PL_FUNNEL_RATE, 0.5, 2.5, 10, &o.pos, &d), POS);
	EDATA(pl_funnel_limits_od(PL_FUNNEL_RATE, 0.1, -1e-6, 10, 0.95, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits_od(PL_FUNNEL_RATE, 0.1, NAN, 10, 0.95, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits_od(PL_FUNNEL_RATE, 0.1, 0, 0, 0.95, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits_od(PL_FUNNEL_PROP, 0.1, 0, 10, 1, &o.lo, &o.hi, &d), LIMS);
	EDATA(pl_funnel_limits_od(PL_FUNNEL_PROP, 1.1, 0, 10, 0.95, &o.lo, &o.hi, &d), LIMS);
	/* heterogeneity: k < 2, no variance at target 0 or 1, bad units */
	EDATA(pl_heterogeneity(PL_FUNNEL_RATE, hx, hd, 1, 0.1, &o.h, &d), HET);
	EDATA(pl_heterogeneity(PL_FUNNEL_RATE, hx, hd, 0, 0.1, &o.h, &d), HET);
	EDATA(pl_heterogeneity(PL_FUNNEL_RATE, zeros, hd, 3, 0.1, &o.h, &d), HET);
	EDATA(pl_heterogeneity(PL_FUNNEL_PROP, hd, hd, 3, 0.1, &o.h, &d), HET);
	EDATA(pl_heterogeneity(PL_FUNNEL_PROP, hd, hx, 3, 0.1, &o.h, &d), HET);
	EDATA(pl_heterogeneity(PL_FUNNEL_RATE, hx, zeros, 3, 0.1, &o.h, &d), HET);
	EDATA(pl_heterogeneity(PL_FUNNEL_RATE, hx, hd, 3, 0.5, &o.h, &d), HET);
	EDATA(pl_heterogeneity(PL_FUNNEL_RATE, hx, hd, 3, NAN, &o.h, &d), HET);
	hx[1] = NAN;
	EDATA(pl_heterogeneity(PL_FUNNEL_RATE, hx, hd, 3, 0.1, &o.h, &d), HET);
	hx[1] = -7;
	EDATA(pl_heterogeneity(PL_FUNNEL_RATE, hx, hd, 3, 0.1, &o.h, &d), HET);
	/* quartiles and means */
	EDATA(pl_quartiles(v, 0, o.q, &d), o.q[0], o.q[1], o.q[2]);
	v[2] = NAN;
	EDATA(pl_quartiles(v, 4, o.q, &d), o.q[0], o.q[1], o.q[2]);
	EDATA(pl_mean_t(v, 4, 0.95, &o.e, &d), EST);
	v[2] = -INFINITY;
	EDATA(pl_quartiles(v, 4, o.q, &d), o.q[0], o.q[1], o.q[2]);
	v[2] = 3;
	EDATA(pl_mean_t(v, 0, 0.95, &o.e, &d), EST);
	EDATA(pl_mean_t(v, 4, 0, &o.e, &d), EST);
	v[0] = 1e308;
	v[1] = -1e308;
	EDATA(pl_mean_t(v, 4, 0.95, &o.e, &d), EST); /* the spread overflows */
	/* trend */
	EDATA(pl_trend(t, y, var, 1, 0.95, &o.e, &d), EST);
	EDATA(pl_trend(t, y, var, 0, 0.95, &o.e, &d), EST);
	EDATA(pl_trend(t, y, var, 3, NAN, &o.e, &d), EST);
	t[1] = t[2] = t[0];
	EDATA(pl_trend(t, y, var, 3, 0.95, &o.e, &d), EST);
	t[1] = 2;
	t[2] = 3;
	var[1] = 0;
	EDATA(pl_trend(t, y, var, 3, 0.95, &o.e, &d), EST);
	var[1] = -1;
	EDATA(pl_trend(t, y, var, 3, 0.95, &o.e, &d), EST);
	var[1] = 1;
	y[2] = NAN;
	EDATA(pl_trend(t, y, var, 3, 0.95, &o.e, &d), EST);
	/* Chao1 */
	EDATA(pl_chao1(10, 8, 3, 0.95, &o.e, &d), EST);
	EDATA(pl_chao1(10, -1, 3, 0.95, &o.e, &d), EST);
	EDATA(pl_chao1(NAN, 1, 3, 0.95, &o.e, &d), EST);
	EDATA(pl_chao1(10, 1, 3, 1, &o.e, &d), EST);
	/* log-linear: k out of 3..8, nobody seen, bad cells, no usable model */
	cells[1] = 10;
	cells[2] = 12;
	cells[3] = 5;
	EDATA(pl_loglinear(cells, 2, 0.95, &o.ll, &d), LL);
	EDATA(pl_loglinear(cells, 9, 0.95, &o.ll, &d), LL);
	EDATA(pl_loglinear(cells, 0, 0.95, &o.ll, &d), LL);
	EDATA(pl_loglinear(zeros, 3, 0.95, &o.ll, &d), LL);
	EDATA(pl_loglinear(cells, 3, 0, &o.ll, &d), LL);
	cells[5] = -2;
	EDATA(pl_loglinear(cells, 3, 0.95, &o.ll, &d), LL);
	cells[5] = NAN;
	EDATA(pl_loglinear(cells, 3, 0.95, &o.ll, &d), LL);
	/* source 0 saw nobody: its main effect runs to -infinity in both models */
	memset(cells, 0, sizeof(cells));
	cells[2] = 50;
	cells[4] = 40;
	cells[6] = 30;
	EDATA(pl_loglinear(cells, 3, 0.95, &o.ll, &d), LL);
	assert_non_null(o.ll.model);
}

/* d may be NULL: the same result without the message. */
static void test_stats__diag_may_be_null(void **state)
{
	struct pl_est e;
	double lo, hi, q[3], x = 1;
	enum pl_funnel_pos pos;
	struct pl_hetero h;
	struct pl_loglin ll;
	double cells[8] = { 0 };

	(void)state;
	assert_int_equal(pl_prop_wilson(1, 0, 0.95, &e, NULL), PL_EDATA);
	assert_int_equal(pl_prop_exact(2, 1, 0.95, &e, NULL), PL_EDATA);
	assert_int_equal(pl_count_exact(-1, 0.95, &e, NULL), PL_EDATA);
	assert_int_equal(pl_count_byar(1, 1, &e, NULL), PL_EDATA);
	assert_int_equal(pl_count_auto(NAN, 0.95, &e, NULL), PL_EDATA);
	assert_int_equal(pl_rate(1, 0, 1, 0.95, &e, NULL), PL_EDATA);
	assert_int_equal(pl_dsr(&x, &x, &x, 1, 1, 0.95, &e, NULL), PL_EDATA);
	assert_int_equal(pl_funnel_limits(PL_FUNNEL_RATE, 1, 0, 0.95, &lo, &hi, NULL), PL_EDATA);
	assert_int_equal(pl_funnel_position(PL_FUNNEL_PROP, 0.5, 2, 1, &pos, NULL), PL_EDATA);
	assert_int_equal(pl_heterogeneity(PL_FUNNEL_RATE, &x, &x, 1, 0, &h, NULL), PL_EDATA);
	assert_int_equal(pl_funnel_limits_od(PL_FUNNEL_RATE, 1, -1, 1, 0.95, &lo, &hi, NULL),
			 PL_EDATA);
	assert_int_equal(pl_quartiles(q, 0, q, NULL), PL_EDATA);
	assert_int_equal(pl_mean_t(&x, 0, 0.95, &e, NULL), PL_EDATA);
	assert_int_equal(pl_trend(&x, &x, &x, 1, 0.95, &e, NULL), PL_EDATA);
	assert_int_equal(pl_chao1(1, 2, 0, 0.95, &e, NULL), PL_EDATA);
	assert_int_equal(pl_loglinear(cells, 3, 0.95, &ll, NULL), PL_EDATA);
}

/* ---- GSL's error handler ----------------------------------------------------------------------------- */

static int n_gsl_errors;

static void count_gsl_error(const char *reason, const char *file, int line, int gsl_errno)
{
	(void)reason;
	(void)file;
	(void)line;
	(void)gsl_errno;
	n_gsl_errors++;
}

static void abort_on_gsl_error(const char *reason, const char *file, int line, int gsl_errno)
{
	(void)reason;
	(void)file;
	(void)line;
	(void)gsl_errno;
	abort();
}

/* Every public function under a caller's handler that aborts, and under
 * GSL's default one (which aborts too): none may reach it, and the
 * caller's handler must be in place afterwards. */
static void run_everything(gsl_error_handler_t *caller)
{
	static const double cells4[16] = { 0, 300, 270, 243, 240, 120, 173, 156, 210, 0, 94, 0,
					   84, 0, 60, 0 };
	static const double hx[4] = { 60, 2, 80, 9 }, hd[4] = { 1000, 900, 1100, 1000 };
	double v[5] = { 3, 1, 4, 1, 5 }, lo, hi, q[3];
	double t[3] = { 1, 2, 3 }, y[3] = { 1, 2, 4 }, var[3] = { 1, 2, 1 };
	struct pl_est e;
	struct pl_hetero h;
	struct pl_loglin ll;
	enum pl_funnel_pos pos;

	/* these make GSL report errors inside (checked in the test below) */
	assert_int_equal(pl_count_exact(1e9, 0.999999, &e, NULL), PL_OK);
	assert_true(isfinite(e.lower) && e.lower < 1e9);
	assert_int_equal(pl_prop_exact(50000, 50001, 0.999999, &e, NULL), PL_OK);
	assert_int_equal(pl_prop_exact(30000, 60000, 0.999999, &e, NULL), PL_OK);
	assert_true(e.lower > 0.49 && e.upper < 0.51);
	/* and everything else, including the error paths */
	assert_int_equal(pl_prop_exact(1e9, 1e9 + 1, 0.999999, &e, NULL), PL_OK);
	assert_int_equal(pl_prop_wilson(1, 0, 0.95, &e, NULL), PL_EDATA);
	assert_int_equal(pl_count_byar(1e9, 0.95, &e, NULL), PL_OK);
	assert_int_equal(pl_count_auto(3, 0.999999, &e, NULL), PL_OK);
	assert_int_equal(pl_rate(1e9, 1e9, 1, 0.999999, &e, NULL), PL_OK);
	assert_int_equal(pl_funnel_limits(PL_FUNNEL_RATE, 0.05, 1e9, 0.998, &lo, &hi, NULL), PL_OK);
	assert_int_equal(pl_funnel_limits(PL_FUNNEL_PROP, 0.35, 1e9, 0.998, &lo, &hi, NULL), PL_OK);
	assert_int_equal(pl_funnel_limits(PL_FUNNEL_RATE, 1, 1e14, 0.95, &lo, &hi, NULL), PL_EDATA);
	assert_int_equal(pl_funnel_position(PL_FUNNEL_PROP, 0.3, 149, 400, &pos, NULL), PL_OK);
	assert_int_equal(pl_heterogeneity(PL_FUNNEL_RATE, hx, hd, 4, 0, &h, NULL), PL_OK);
	assert_true(h.p_value < 1e-20 && h.p_value >= 0); /* a far tail */
	assert_int_equal(pl_funnel_limits_od(PL_FUNNEL_PROP, 0.3, 0.01, 50, 0.998, &lo, &hi, NULL),
			 PL_OK);
	assert_int_equal(pl_quartiles(v, 5, q, NULL), PL_OK);
	assert_int_equal(pl_mean_t(v, 5, 1 - 1e-15, &e, NULL), PL_OK);
	assert_int_equal(pl_trend(t, y, var, 3, 0.95, &e, NULL), PL_OK);
	assert_int_equal(pl_chao1(100, 20, 0, 0.999999, &e, NULL), PL_OK);
	assert_int_equal(pl_loglinear(cells4, 4, 0.95, &ll, NULL), PL_OK);
	assert_ptr_equal(gsl_set_error_handler(caller), caller);
}

static void test_stats__gsl_errors_never_abort_and_handler_is_restored(void **state)
{
	gsl_error_handler_t *outer;
	double a2 = (1 - 0.999999) / 2;

	(void)state;
	/* the test can fail: these GSL calls, made inside the functions above
	 * with these arguments, do report errors */
	outer = gsl_set_error_handler(count_gsl_error);
	n_gsl_errors = 0;
	(void)gsl_cdf_chisq_Pinv(a2, 2e9);
	assert_true(n_gsl_errors > 0);
	n_gsl_errors = 0;
	(void)gsl_cdf_beta_Pinv(a2, 50000, 2);
	assert_true(n_gsl_errors > 0);
	n_gsl_errors = 0;
	(void)gsl_cdf_beta_Qinv(a2, 30001, 30000);
	assert_true(n_gsl_errors > 0);

	gsl_set_error_handler(abort_on_gsl_error);
	run_everything(abort_on_gsl_error);
	assert_ptr_equal(gsl_set_error_handler(NULL), abort_on_gsl_error);
	run_everything(NULL); /* GSL's default handler */
	assert_null(gsl_set_error_handler(outer));
}

/* Calls that make GSL report errors inside, over and over: run on several
 * threads at once under a caller's handler that aborts, none may reach it
 * (a thread putting the caller's handler back while another is inside GSL
 * would). */
static void *gsl_errors_again(void *arg)
{
	struct pl_est e;
	int *ok = arg;

	for (int i = 0; i < 300; i++) {
		*ok &= pl_count_exact(1e9, 0.999999, &e, NULL) == PL_OK;
		*ok &= pl_prop_exact(50000, 50001, 0.999999, &e, NULL) == PL_OK;
		*ok &= pl_prop_exact(30000, 60000, 0.999999, &e, NULL) == PL_OK;
	}
	return NULL;
}

static void test_stats__threads_at_once_never_abort(void **state)
{
	enum { N = 4 };
	pthread_t t[N];
	int ok[N], started = 0;
	gsl_error_handler_t *outer;

	(void)state;
	outer = gsl_set_error_handler(abort_on_gsl_error);
	for (int i = 0; i < N; i++) {
		ok[i] = 1;
		started += pthread_create(&t[i], NULL, gsl_errors_again, &ok[i]) == 0;
	}
	assert_int_equal(started, N);
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		assert_true(ok[i]);
	}
	assert_ptr_equal(gsl_set_error_handler(outer), abort_on_gsl_error);
}

/* ---- never NaN --------------------------------------------------------------------------------------- */

/* A sweep of edge values: each call either fails with PL_EDATA or returns
 * finite numbers in order (lower <= value <= upper). */
static void test_stats__edge_sweep_gives_finite_ordered_results(void **state)
{
	static const double ns[] = { 1, 2, 3, 1e5, 1e5 + 1, 1e9, 1e9 + 1, 1e12 };
	static const double confs[] = { 1e-9, 0.5, 0.95, 0.998, 0.999999, 1 - 1e-13 };
	size_t n_ok = 0;

	(void)state;
	for (size_t i = 0; i < N_OF(ns); i++) {
		double n = ns[i];
		double xs[] = { 0, 1, floor(n / 3), n - 1, n };

		for (size_t j = 0; j < N_OF(xs); j++) {
			for (size_t c = 0; c < N_OF(confs); c++) {
				enum pl_err (*fn[])(double, double, double, struct pl_est *,
						    struct pl_diag *) = { pl_prop_wilson, pl_prop_exact };
				struct pl_est e;
				double lo, hi;
				enum pl_err err;

				for (size_t f = 0; f < N_OF(fn); f++) {
					err = fn[f](xs[j], n, confs[c], &e, NULL);
					if (err == PL_OK && !(e.lower >= 0 && e.lower <= e.value &&
							      e.value <= e.upper && e.upper <= 1))
						fail_msg("prop %zu %g/%g conf %g: %.17g %.17g %.17g", f,
							 xs[j], n, confs[c], e.value, e.lower, e.upper);
					n_ok += err == PL_OK;
				}
				err = pl_count_exact(xs[j], confs[c], &e, NULL);
				if (err == PL_OK && !(e.lower >= 0 && e.lower <= e.value &&
						      e.value <= e.upper && isfinite(e.upper)))
					fail_msg("count %g conf %g: %.17g %.17g", xs[j], confs[c], e.lower,
						 e.upper);
				n_ok += err == PL_OK;
				for (int k = 0; k < 2; k++) {
					enum pl_funnel_kind kind = k ? PL_FUNNEL_PROP : PL_FUNNEL_RATE;
					double target = xs[j] / n;

					err = pl_funnel_limits(kind, target, n, confs[c], &lo, &hi, NULL);
					if (err == PL_OK && !(lo >= 0 && lo <= hi && isfinite(hi) &&
							      (kind == PL_FUNNEL_RATE || hi <= 1)))
						fail_msg("funnel %d %g of %g conf %g: %.17g %.17g", k, target,
							 n, confs[c], lo, hi);
					n_ok += err == PL_OK;
				}
			}
		}
	}
	assert_true(n_ok > 1000); /* the sweep did run the methods */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats__prop_wilson_matches_statsmodels),
		cmocka_unit_test(test_stats__quartiles_counted_same_bits),
		cmocka_unit_test(test_stats__mean_acc_same_bits),
		cmocka_unit_test(test_stats__prop_exact_matches_statsmodels),
		cmocka_unit_test(test_stats__prop_exact_ends_are_0_and_1),
		cmocka_unit_test(test_stats__count_exact_matches_scipy_chi2),
		cmocka_unit_test(test_stats__count_byar_matches_formula),
		cmocka_unit_test(test_stats__count_auto_exact_below_10_byar_from_10),
		cmocka_unit_test(test_stats__rate_is_the_scaled_count_interval),
		cmocka_unit_test(test_stats__dsr_matches_dobson),
		cmocka_unit_test(test_stats__esp2013_weights),
		cmocka_unit_test(test_stats__funnel_limits_match_spiegelhalter_in_scipy),
		cmocka_unit_test(test_stats__funnel_position_either_side_of_limits),
		cmocka_unit_test(test_stats__funnel_pos_names),
		cmocka_unit_test(test_stats__heterogeneity_matches_scipy),
		cmocka_unit_test(test_stats__funnel_limits_od_match_formula),
		cmocka_unit_test(test_stats__quartiles_match_numpy),
		cmocka_unit_test(test_stats__mean_t_matches_scipy),
		cmocka_unit_test(test_stats__trend_matches_statsmodels_wls),
		cmocka_unit_test(test_stats__chao1_matches_formula),
		cmocka_unit_test(test_stats__loglinear_matches_statsmodels_glm),
		cmocka_unit_test(test_stats__loglinear_ignores_cell_0),
		cmocka_unit_test(test_stats__undefined_inputs_give_edata),
		cmocka_unit_test(test_stats__diag_may_be_null),
		cmocka_unit_test(test_stats__gsl_errors_never_abort_and_handler_is_restored),
		cmocka_unit_test(test_stats__threads_at_once_never_abort),
		cmocka_unit_test(test_stats__edge_sweep_gives_finite_ordered_results),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * indicators/main.c - command line of the indicators stage: options, then
 * ind_run() or the calculator, then the result as an exit code.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "indicators.h"
#include "log.h"

static const char usage_text[] =
	"usage: indicators [options]\n"
	"       indicators --method NAME --num X [--den N] [--conf C] [--multiplier M]\n"
	"                  [--target T] [--f1 F1 --f2 F2]\n"
	"Computes the indicators of the catalogue from the linked episodes (after\n"
	"dedup) into tables indicator, indicator_value, indicator_equity and\n"
	"indicator_trend, replaced whole: counts, rates per population, age-\n"
	"standardised rates, shares, quartiles, means, funnel positions of districts,\n"
	"heterogeneity, trends and hidden-population estimates (docs/indicators.md).\n"
	"Each run keeps the persons it read and every figure's sums in DB.indicators\n"
	"beside the database; the next counts only the persons that changed since\n"
	"(dedup logs them), with the same tables, or in full when it cannot (-v\n"
	"says why).\n"
	"\n"
	"  -c, --catalogue FILE  indicator catalogue\n"
	"                        (default: mappings/indicators/indicators.ini)\n"
	"  -p, --population FILE population by year, district, sex and age\n"
	"                        (default: mappings/population/population.csv)\n"
	"  -d, --db FILE         database (default: output/pipeline.db)\n"
	"  -q, --quiet           print errors only\n"
	"  -v, --verbose         print more detail\n"
	"  -h, --help            print this help and exit\n"
	"\n"
	"The calculator prints 'value lower upper' for one figure and exits:\n"
	"  --method NAME         wilson, exact (Clopper-Pearson), poisson (exact below\n"
	"                        10, Byar from 10), poisson_exact, byar, rate, chao\n"
	"  --num X               successes or events (chao: persons seen)\n"
	"  --den N               trials (wilson, exact) or population (rate)\n"
	"  --conf C              coverage of the interval (default 0.95)\n"
	"  --multiplier M        scale of value and interval (default 1)\n"
	"  --target T            also print the 95 % and 99.8 % funnel limits around\n"
	"                        T (per 1) for a unit of size --den, and where X/N lies\n"
	"  --f1 F1, --f2 F2      chao: persons seen once and twice\n"
	"\n"
	"exit status:\n"
	"   0  done\n"
	"  64  usage error\n"
	"  65  the figures cannot be computed: episodes without persons (run dedup\n"
	"      first); calculator: the figure is not defined for the numbers given\n"
	"  70  internal error\n"
	"  73  cannot create the database\n"
	"  74  I/O error\n"
	"  75  database locked by another run: try again later\n"
	"  78  configuration error: the catalogue or population file (with the\n"
	"      line), a database of another version\n";

static int usage_error(void)
{
	fputs("usage: indicators [-qv] [-c FILE] [-p FILE] [-d FILE]\n"
	      "       indicators --method NAME --num X [--den N] [--conf C] [--multiplier M]\n"
	      "try 'indicators --help' for more\n", stderr);
	return EX_USAGE;
}

/* A finite number, or -1. */
static int number(const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	return end == s || *end || !isfinite(*out) ? -1 : 0;
}

enum { O_METHOD = 256, O_NUM, O_DEN, O_CONF, O_MULT, O_TARGET, O_F1, O_F2 };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "catalogue", required_argument, NULL, 'c' },
		{ "population", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ "method", required_argument, NULL, O_METHOD },
		{ "num", required_argument, NULL, O_NUM },
		{ "den", required_argument, NULL, O_DEN },
		{ "conf", required_argument, NULL, O_CONF },
		{ "multiplier", required_argument, NULL, O_MULT },
		{ "target", required_argument, NULL, O_TARGET },
		{ "f1", required_argument, NULL, O_F1 },
		{ "f2", required_argument, NULL, O_F2 },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ind_opts o = { "output/pipeline.db", "mappings/indicators/indicators.ini",
			      "mappings/population/population.csv" };
	struct ind_calc_args a = { NULL, NAN, NAN, 0.95, 1, NAN, 0, 0 };
	enum pl_log_level verbosity = PL_LOG_INFO;
	struct ind_summary sum;
	struct pl_diag d;
	enum pl_err err;
	char line[512];
	int c, bad = 0;

	while ((c = getopt_long(argc, argv, "c:p:d:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o.catalogue_path = optarg; break;
		case 'p': o.population_path = optarg; break;
		case 'd': o.db_path = optarg; break;
		case O_METHOD: a.method = optarg; break;
		case O_NUM: bad |= number(optarg, &a.num); break;
		case O_DEN: bad |= number(optarg, &a.den); break;
		case O_CONF: bad |= number(optarg, &a.conf); break;
		case O_MULT: bad |= number(optarg, &a.multiplier); break;
		case O_TARGET: bad |= number(optarg, &a.target); break;
		case O_F1: bad |= number(optarg, &a.f1); break;
		case O_F2: bad |= number(optarg, &a.f2); break;
		case 'q': verbosity = PL_LOG_ERROR; break;
		case 'v': verbosity = PL_LOG_DEBUG; break;
		case 'h': fputs(usage_text, stdout); return EX_OK;
		default: return usage_error();
		}
	}
	if (optind < argc || bad || (a.method && isnan(a.num)) || (!a.method && !isnan(a.num)))
		return usage_error();
	pl_log_setup("indicators", verbosity, NULL);
	pl_diag_clear(&d);
	if (a.method) {
		err = ind_calc(&a, stdout, &d);
		pl_log_diag(err, &d);
		return err == PL_EUSAGE ? usage_error() : pl_exit_code(err);
	}
	err = ind_run(&o, &sum, &d);
	pl_log_diag(err, &d);
	if (!err) {
		ind_summary_line(&sum, line, sizeof(line));
		pl_log(PL_LOG_INFO, NULL, "%s", line);
	}
	return pl_exit_code(err);
}

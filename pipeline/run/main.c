/*
 * run/main.c - command line of the driver: options over the config file
 * over the defaults, then run_run(), then its result as an exit code.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"
#include "run.h"

static const char usage_text[] =
	"usage: run [options]\n"
	"Runs the pipeline's stages in order, each as its own process: ingest, map,\n"
	"dedup, indicators, report.  Stops at the first stage that fails with a hard\n"
	"error; what earlier stages committed stays.  ingest and map skip unchanged\n"
	"work themselves; dedup, indicators and report each run only when something\n"
	"they read changed since their last successful run (output/run.state), and\n"
	"report also when its files are gone.  report writes output/report-LANG.html,\n"
	"output/report.xlsx and output/tables/*.csv.  One run at a time: a second one\n"
	"while the first holds output/run.lock exits at once with 75.  Every run\n"
	"writes its own log, output/logs/run-YYYYMMDDTHHMMSSZ.log, with everything the\n"
	"stages said, and is recorded in table stage_run (stage 'run').  Nothing in\n"
	"the input directory is ever changed.  (output/ is the database's directory.)\n"
	"\n"
	"  -i, --input DIR      input directory (default: input)\n"
	"  -m, --mappings DIR   directory of mapping files *.ini (default: mappings)\n"
	"  -d, --db FILE        database (default: output/pipeline.db)\n"
	"  -k, --key FILE       secret key file (default: the config file's, else\n"
	"                       $PL_KEY_FILE, else secret/pipeline.key); ingest creates\n"
	"                       it if missing\n"
	"      --linkage FILE   linkage settings for dedup (default:\n"
	"                       MAPPINGS/linkage/linkage.ini)\n"
	"      --catalogue FILE\n"
	"                       indicator catalogue for indicators (default:\n"
	"                       MAPPINGS/indicators/indicators.ini)\n"
	"      --population FILE\n"
	"                       population by year, district, sex and age for\n"
	"                       indicators (default: MAPPINGS/population/population.csv)\n"
	"      --lang LANG      language of the report: sv (default) or en\n"
	"      --config FILE    read these settings from an INI file first:\n"
	"                       [paths] input, output_db, mappings, key, linkage,\n"
	"                       catalogue, population; [run] keep_logs; [report]\n"
	"                       lang.  Relative paths there are relative to the\n"
	"                       file's directory; options given here override it\n"
	"      --keep-logs N    run logs to keep in output/logs (default: 30); older\n"
	"                       run-*.log files are deleted, nothing else\n"
	"      --bin DIR        directory of the stage programs (default: the one this\n"
	"                       program is in)\n"
	"  -q, --quiet          print nothing on success; on failure the stages' errors\n"
	"                       and one summary line\n"
	"  -v, --verbose        print more detail (the stages run with -v)\n"
	"  -h, --help           print this help and exit\n"
	"\n"
	"exit status:\n"
	"   0  every stage succeeded (rows may have been rejected: see table reject)\n"
	"  64  usage error (of run, or of a stage)\n"
	"  65  ingest could not process a file (named in the summary line); the\n"
	"      others were, and the later stages ran; or indicators found episodes\n"
	"      without persons, or report found no indicator figures\n"
	"  66  input directory or config file missing\n"
	"  70  internal error, a stage program missing, crashed or killed; or the\n"
	"      report's disclosure audit failed (nothing published)\n"
	"  73  cannot create an output (database, key file, log, lock file, report)\n"
	"  74  I/O error\n"
	"  75  another run holds output/run.lock, or the database is locked: try\n"
	"      again later\n"
	"  78  configuration error: config file, mapping file, linkage settings,\n"
	"      indicator catalogue, population file (missing, or with the line), key\n"
	"      file, database version\n"
	"A stage's own code stops the run there; that stage and the codes above are\n"
	"named in the last line on stderr and in the run's log.\n";

static int usage_error(const char *msg)
{
	if (msg)
		fprintf(stderr, "run: %s\n", msg);
	fputs("usage: run [-qv] [-i DIR] [-m DIR] [-d FILE] [-k FILE] [--linkage FILE]\n"
	      "           [--catalogue FILE] [--population FILE] [--config FILE]\n"
	      "           [--lang sv|en] [--keep-logs N] [--bin DIR]\n"
	      "try 'run --help' for more\n", stderr);
	return EX_USAGE;
}

enum { OPT_LINKAGE = 256, OPT_CATALOGUE, OPT_POPULATION, OPT_CONFIG, OPT_KEEP_LOGS, OPT_BIN,
       OPT_LANG };

static const char *pick(const char *option, const char *from_file, const char *fallback)
{
	return option ? option : from_file ? from_file : fallback;
}

/* "DIR/REL", malloc'd: a default beside the mappings. */
static char *beside(const char *dir, const char *rel)
{
	size_t n = strlen(dir) + strlen(rel) + 2;
	char *path = malloc(n);

	if (!path)
		abort();
	snprintf(path, n, "%s/%s", dir, rel);
	return path;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "mappings", required_argument, NULL, 'm' },
		{ "db", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "linkage", required_argument, NULL, OPT_LINKAGE },
		{ "catalogue", required_argument, NULL, OPT_CATALOGUE },
		{ "population", required_argument, NULL, OPT_POPULATION },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "keep-logs", required_argument, NULL, OPT_KEEP_LOGS },
		{ "bin", required_argument, NULL, OPT_BIN },
		{ "lang", required_argument, NULL, OPT_LANG },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o;
	struct run_config cfg;
	const char *opt_input = NULL, *opt_mappings = NULL, *opt_db = NULL, *opt_key = NULL;
	const char *opt_linkage = NULL, *config = NULL, *env_key = getenv("PL_KEY_FILE");
	const char *opt_catalogue = NULL, *opt_population = NULL, *opt_lang = NULL;
	char *linkage = NULL, *catalogue = NULL, *population = NULL;
	long keep_logs = -1;
	struct pl_diag d;
	enum pl_err err = PL_OK;
	int c;

	memset(&o, 0, sizeof(o));
	o.verbosity = PL_LOG_INFO;
	while ((c = getopt_long(argc, argv, "i:m:d:k:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': opt_input = optarg; break;
		case 'm': opt_mappings = optarg; break;
		case 'd': opt_db = optarg; break;
		case 'k': opt_key = optarg; break;
		case OPT_LINKAGE: opt_linkage = optarg; break;
		case OPT_CATALOGUE: opt_catalogue = optarg; break;
		case OPT_POPULATION: opt_population = optarg; break;
		case OPT_CONFIG: config = optarg; break;
		case OPT_BIN: o.bin_dir = optarg; break;
		case OPT_LANG:
			opt_lang = run_parse_lang(optarg);
			if (!opt_lang)
				return usage_error("--lang wants sv or en");
			break;
		case OPT_KEEP_LOGS:
			keep_logs = run_parse_keep_logs(optarg);
			if (keep_logs < 0)
				return usage_error("--keep-logs wants a whole number from 1 to 100000");
			break;
		case 'q': o.verbosity = PL_LOG_ERROR; break;
		case 'v': o.verbosity = PL_LOG_DEBUG; break;
		case 'h': fputs(usage_text, stdout); return EX_OK;
		default: return usage_error(NULL);
		}
	}
	if (optind < argc)
		return usage_error("no arguments expected besides the options");
	pl_log_setup("run", o.verbosity, NULL);
	pl_diag_clear(&d);
	run_config_init(&cfg);
	if (config)
		err = run_config_load(config, &cfg, &d);
	if (err) {
		pl_log_diag(err, &d);
		run_config_release(&cfg);
		return pl_exit_code(err);
	}
	o.input_dir = pick(opt_input, cfg.input_dir, "input");
	o.mapping_dir = pick(opt_mappings, cfg.mapping_dir, "mappings");
	o.db_path = pick(opt_db, cfg.db_path, "output/pipeline.db");
	o.key_path = pick(opt_key, cfg.key_path, env_key && *env_key ? env_key
			  : "secret/pipeline.key");
	if (!opt_linkage && !cfg.linkage_path)
		linkage = beside(o.mapping_dir, "linkage/linkage.ini");
	if (!opt_catalogue && !cfg.catalogue_path)
		catalogue = beside(o.mapping_dir, "indicators/indicators.ini");
	if (!opt_population && !cfg.population_path)
		population = beside(o.mapping_dir, "population/population.csv");
	o.linkage_path = pick(opt_linkage, cfg.linkage_path, linkage);
	o.catalogue_path = pick(opt_catalogue, cfg.catalogue_path, catalogue);
	o.population_path = pick(opt_population, cfg.population_path, population);
	o.report_lang = pick(opt_lang, cfg.report_lang, "sv");
	o.keep_logs = keep_logs > 0 ? keep_logs : cfg.keep_logs > 0 ? cfg.keep_logs
		      : RUN_KEEP_LOGS_DEFAULT;
	o.progress = o.verbosity >= PL_LOG_INFO && isatty(STDERR_FILENO);
	err = run_run(&o, &d); /* reports its errors itself */
	free(linkage);
	free(catalogue);
	free(population);
	run_config_release(&cfg);
	return pl_exit_code(err);
}

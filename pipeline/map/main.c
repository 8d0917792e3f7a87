/*
 * map/main.c - command line of the map stage: options, then map_run() (or
 * the coverage report), then its result as an exit code.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "log.h"
#include "map.h"

static const char usage_text[] =
	"usage: map [options]\n"
	"Maps the rows ingest stored onto the common schema (table episode), through\n"
	"each source's mapping file: columns, recoding, dates, numbers, derived fields\n"
	"and rules.  A row that cannot be mapped goes to table reject (stage 'map')\n"
	"with its file, line, field, value and reason.  Files already mapped with the\n"
	"same mapping file are skipped; a changed mapping file re-maps its files.\n"
	"\n"
	"  -m, --mappings DIR   directory of mapping files *.ini (default: mappings)\n"
	"  -d, --db FILE        database (default: output/pipeline.db)\n"
	"  -k, --key FILE       secret key file (default: $PL_KEY_FILE, else\n"
	"                       secret/pipeline.key); must exist (ingest creates it)\n"
	"      --today DATE     the date 'reference_date = today' means (YYYY-MM-DD)\n"
	"  -c, --coverage [SOURCE]\n"
	"                       print the mapping coverage (every value of every\n"
	"                       recoded field, its code or '-', count, first line)\n"
	"                       as tab-separated lines on stdout, and exit\n"
	"  -q, --quiet          print errors only\n"
	"  -v, --verbose        print more detail\n"
	"  -h, --help           print this help and exit\n"
	"\n"
	"exit status:\n"
	"   0  every file mapped (rows may have been rejected: see table reject)\n"
	"  64  usage error\n"
	"  70  internal error\n"
	"  73  cannot create the database\n"
	"  74  I/O error\n"
	"  75  database locked by another run: try again later\n"
	"  78  configuration error: a mapping file (with its line) the map stage cannot\n"
	"      apply, a missing or unreadable key file, a database of another version\n";

static int usage_error(void)
{
	fputs("usage: map [-qv] [-m DIR] [-d FILE] [-k FILE] [--today DATE] [-c [SOURCE]]\n"
	      "try 'map --help' for more\n", stderr);
	return EX_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mappings", required_argument, NULL, 'm' },
		{ "db", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "today", required_argument, NULL, 't' },
		{ "coverage", no_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct map_opts o = { "mappings", "output/pipeline.db", NULL, NULL };
	enum pl_log_level verbosity = PL_LOG_INFO;
	struct map_summary sum;
	struct pl_diag d;
	enum pl_err err;
	int coverage = 0;
	char line[256];
	int c;

	o.key_path = getenv("PL_KEY_FILE");
	if (!o.key_path || !*o.key_path)
		o.key_path = "secret/pipeline.key";
	while ((c = getopt_long(argc, argv, "m:d:k:cqvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o.mapping_dir = optarg; break;
		case 'd': o.db_path = optarg; break;
		case 'k': o.key_path = optarg; break;
		case 't': o.today = optarg; break;
		case 'c': coverage = 1; break;
		case 'q': verbosity = PL_LOG_ERROR; break;
		case 'v': verbosity = PL_LOG_DEBUG; break;
		case 'h': fputs(usage_text, stdout); return EX_OK;
		default: return usage_error();
		}
	}
	if (optind < argc - (coverage ? 1 : 0))
		return usage_error();
	pl_log_setup("map", verbosity, NULL);
	pl_diag_clear(&d);
	if (coverage) {
		err = map_coverage(o.db_path, optind < argc ? argv[optind] : NULL, stdout, &d);
		pl_log_diag(err, &d);
		return pl_exit_code(err);
	}
	err = map_run(&o, &sum, &d);
	map_summary_line(&sum, line, sizeof(line));
	pl_log_diag(err, &d);
	pl_log(err ? PL_LOG_ERROR : PL_LOG_INFO, NULL, "%s", line);
	return pl_exit_code(err);
}

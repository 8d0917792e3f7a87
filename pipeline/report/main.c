/*
 * report/main.c - command line of the report stage: options, then
 * rep_run(), then its result as an exit code.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "log.h"
#include "report.h"

static const char usage_text[] =
	"usage: report [options]\n"
	"Publishes the indicators for planners: one self-contained HTML report with\n"
	"charts (report-sv.html, or report-en.html with --lang en), a workbook\n"
	"(report.xlsx, a sheet per table) and CSV tables (tables/<table>.csv, and\n"
	"tables/<table>-excel-sv.csv for Swedish Excel), all under the output\n"
	"directory, each written to a temporary name and renamed into place.\n"
	"Disclosure control applies to every output: person counts 1-4 are shown\n"
	"as '..', and further cells are suppressed so that none can be computed\n"
	"from totals; an audit checks this before anything is written.\n"
	"\n"
	"  -d, --db FILE        database (default: output/pipeline.db)\n"
	"  -o, --output DIR     output directory (default: output)\n"
	"  -l, --lang LANG      sv (default) or en\n"
	"  -q, --quiet          print errors only\n"
	"  -v, --verbose        print more detail\n"
	"  -h, --help           print this help and exit\n"
	"\n"
	"exit status:\n"
	"   0  done\n"
	"  64  usage error\n"
	"  65  no indicator figures in the database: run the indicators stage first\n"
	"  66  no database\n"
	"  70  internal error, or the disclosure audit failed (nothing written)\n"
	"  73  cannot create an output file\n"
	"  74  I/O error\n"
	"  75  database locked by another process: try again later (another\n"
	"      stage writing does not stop the report, which reads the figures\n"
	"      last committed)\n"
	"  78  a database of another version\n";

static int usage_error(void)
{
	fputs("usage: report [-qv] [-d FILE] [-o DIR] [-l sv|en]\n"
	      "try 'report --help' for more\n", stderr);
	return EX_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "lang", required_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rep_opts o = { "output/pipeline.db", "output", REP_SV };
	enum pl_log_level verbosity = PL_LOG_INFO;
	struct rep_summary sum;
	struct pl_diag d;
	enum pl_err err;
	char line[256];
	int c;

	while ((c = getopt_long(argc, argv, "d:o:l:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.db_path = optarg; break;
		case 'o': o.out_dir = optarg; break;
		case 'l':
			if (strcmp(optarg, "sv") == 0)
				o.lang = REP_SV;
			else if (strcmp(optarg, "en") == 0)
				o.lang = REP_EN;
			else
				return usage_error();
			break;
		case 'q': verbosity = PL_LOG_ERROR; break;
		case 'v': verbosity = PL_LOG_DEBUG; break;
		case 'h': fputs(usage_text, stdout); return EX_OK;
		default: return usage_error();
		}
	}
	if (optind < argc)
		return usage_error();
	pl_log_setup("report", verbosity, NULL);
	pl_diag_clear(&d);
	err = rep_run(&o, &sum, &d);
	pl_log_diag(err, &d);
	if (!err) {
		rep_summary_line(&sum, line, sizeof(line));
		pl_log(PL_LOG_INFO, NULL, "%s", line);
	}
	return pl_exit_code(err);
}

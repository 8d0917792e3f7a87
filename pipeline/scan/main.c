/*
 * scan/main.c - command line of the scan stage: options, then scan_run(),
 * then its result as an exit code.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "log.h"
#include "scan.h"

static const char usage_text[] =
	"usage: scan [options] FILE\n"
	"Sniffs an unknown district export and writes a DRAFT mapping file for it\n"
	"(docs/mapping.md) to standard output: encoding, delimiter, quote, title block,\n"
	"header, footer and field count; the schema field of each column, guessed from\n"
	"its header and confirmed by its values; date formats and decimal separator; and\n"
	"for every coded field each distinct value with its count, coded from the shared\n"
	"code lists where they know it and TODO where not.  The analyst replaces the\n"
	"TODOs and checks the guesses; until then ingest and map refuse the draft with\n"
	"exit status 78 naming the line of the first TODO.  A short summary goes to\n"
	"standard error.  The file is read in a stream; memory stays bounded.\n"
	"\n"
	"  -o, --output FILE    write the draft to FILE (through a temporary file renamed\n"
	"                       into place) instead of standard output\n"
	"  -c, --codelists DIR  shared code lists (default: mappings/codelists; without\n"
	"                       it every value is a TODO)\n"
	"      --today DATE     the date of the draft, and the reference date of identity\n"
	"                       numbers (YYYY-MM-DD; default: today, UTC)\n"
	"  -n, --sample N       data records the guesses look at (default: 200000);\n"
	"                       all records are counted\n"
	"  -q, --quiet          print errors only\n"
	"  -v, --verbose        print more detail (each column's guess)\n"
	"  -h, --help           print this help and exit\n"
	"\n"
	"exit status:\n"
	"   0  draft written\n"
	"  64  usage error\n"
	"  65  the file cannot be read as text (empty, UTF-16, binary, no records)\n"
	"  66  no such file, or the code list directory given with -c is missing\n"
	"  70  internal error\n"
	"  73  cannot create the output file\n"
	"  74  I/O error reading the file or writing the draft\n"
	"  78  a code list is malformed\n";

static int usage_error(const char *msg)
{
	if (msg)
		fprintf(stderr, "scan: %s\n", msg);
	fputs("usage: scan [-qv] [-o FILE] [-c DIR] [--today DATE] [-n N] FILE\n"
	      "try 'scan --help' for more\n", stderr);
	return EX_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "codelists", required_argument, NULL, 'c' },
		{ "today", required_argument, NULL, 't' },
		{ "sample", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_opts o = { NULL, NULL, "mappings/codelists", 0, NULL, 0, 0 };
	enum pl_log_level verbosity = PL_LOG_INFO;
	struct scan_summary sum;
	struct pl_diag d;
	enum pl_err err;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "o:c:n:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o.output = optarg; break;
		case 'c': o.codelist_dir = optarg; o.codelists_required = 1; break;
		case 't': o.today = optarg; break;
		case 'n':
			errno = 0;
			o.sample_records = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || o.sample_records < 1)
				return usage_error("--sample takes a positive number of records");
			break;
		case 'q': verbosity = PL_LOG_ERROR; break;
		case 'v': verbosity = PL_LOG_DEBUG; break;
		case 'h': fputs(usage_text, stdout); return EX_OK;
		default: return usage_error(NULL);
		}
	}
	if (optind != argc - 1)
		return usage_error(optind < argc ? "give one file" : "no file given");
	o.path = argv[optind];
	pl_log_setup("scan", verbosity, NULL);
	pl_diag_clear(&d);
	err = scan_run(&o, &sum, &d);
	if (err == PL_EUSAGE)
		return usage_error(d.msg);
	if (err && d.line)
		pl_log(PL_LOG_ERROR, NULL, "%s:%ld: %s", d.file, d.line, d.msg);
	else if (err && d.file[0])
		pl_log(PL_LOG_ERROR, NULL, "%s: %s", d.file, d.msg);
	else if (err)
		pl_log(PL_LOG_ERROR, NULL, "%s", d.msg);
	return pl_exit_code(err);
}

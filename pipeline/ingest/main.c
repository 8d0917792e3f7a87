/*
 * ingest/main.c - command line of the ingest stage: options, then
 * ingest_run(), then its result as an exit code.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "ingest.h"
#include "log.h"

static const char usage_text[] =
	"usage: ingest [options] [FILE...]\n"
	"Reads the district exports in the input directory into the pipeline database.\n"
	"Each file is claimed by the one source whose mapping file's [source] files\n"
	"pattern matches its name, decoded and split by that source's [dialect], and\n"
	"registered with its SHA-256 and row counts (rows read = kept + rejected).\n"
	"Unchanged files are skipped; a changed file replaces its earlier version.\n"
	"A file is unchanged while its bytes are, and what ingest reads of its\n"
	"mapping file: [source], [dialect] and [columns] (map takes other edits).\n"
	"\n"
	"  -i, --input DIR      input directory (default: input)\n"
	"  -m, --mappings DIR   directory of mapping files *.ini (default: mappings)\n"
	"  -d, --db FILE        database (default: output/pipeline.db), created if missing\n"
	"  -k, --key FILE       secret key file (default: $PL_KEY_FILE, else\n"
	"                       secret/pipeline.key); created with mode 0600 if missing,\n"
	"                       refused if group or others may read it\n"
	"  -q, --quiet          print errors only\n"
	"  -v, --verbose        print more detail\n"
	"  -h, --help           print this help and exit\n"
	"  FILE...              only these names inside the input directory\n"
	"\n"
	"exit status:\n"
	"   0  every file ingested (rows may have been rejected: see table reject)\n"
	"  64  usage error\n"
	"  65  one or more files could not be ingested (the others were)\n"
	"  66  input directory or a named file missing\n"
	"  70  internal error\n"
	"  73  cannot create the database or key file\n"
	"  74  I/O error\n"
	"  75  database locked by another run: try again later\n"
	"  78  configuration error (mapping file, key file, database version)\n";

static int usage_error(const char *msg)
{
	if (msg)
		fprintf(stderr, "ingest: %s\n", msg);
	fputs("usage: ingest [-qv] [-i DIR] [-m DIR] [-d FILE] [-k FILE] [FILE...]\n"
	      "try 'ingest --help' for more\n", stderr);
	return EX_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "mappings", required_argument, NULL, 'm' },
		{ "db", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ingest_opts o = { "input", "mappings", "output/pipeline.db", NULL, NULL, 0 };
	enum pl_log_level verbosity = PL_LOG_INFO;
	struct ingest_summary sum;
	struct pl_diag d;
	enum pl_err err;
	char line[256];
	int c;

	o.key_path = getenv("PL_KEY_FILE");
	if (!o.key_path || !*o.key_path)
		o.key_path = "secret/pipeline.key";
	while ((c = getopt_long(argc, argv, "i:m:d:k:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o.input_dir = optarg; break;
		case 'm': o.mapping_dir = optarg; break;
		case 'd': o.db_path = optarg; break;
		case 'k': o.key_path = optarg; break;
		case 'q': verbosity = PL_LOG_ERROR; break;
		case 'v': verbosity = PL_LOG_DEBUG; break;
		case 'h': fputs(usage_text, stdout); return EX_OK;
		default: return usage_error(NULL);
		}
	}
	if (optind < argc) {
		o.only = argv + optind;
		o.n_only = (size_t)(argc - optind);
	}
	pl_log_setup("ingest", verbosity, NULL);
	pl_diag_clear(&d);
	err = ingest_run(&o, &sum, &d);
	ingest_summary_line(&sum, line, sizeof(line));
	pl_log_diag(err, &d);
	pl_log(err ? PL_LOG_ERROR : PL_LOG_INFO, NULL, "%s", line);
	return pl_exit_code(err);
}

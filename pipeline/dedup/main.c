/*
 * dedup/main.c - command line of the dedup stage: options, then dedup_run()
 * (or an explanation), then its result as an exit code.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "dedup.h"
#include "log.h"

static const char usage_text[] =
	"usage: dedup [options]\n"
	"       dedup [options] --explain PERSON_ID|FILE:LINE\n"
	"Links the episodes of one person across districts (tables person,\n"
	"episode_person, person_link, linkage_param): episodes sharing a valid\n"
	"identity number or reserve number first, then Fellegi-Sunter matching on\n"
	"names, birth date, sex and postcode for the rest (settings in the linkage\n"
	"file).  Names and postcodes are used in memory only, never written.\n"
	"\n"
	"  -c, --config FILE    linkage settings (default: mappings/linkage/linkage.ini)\n"
	"  -d, --db FILE        database (default: output/pipeline.db)\n"
	"  -k, --key FILE       secret key file (default: $PL_KEY_FILE, else\n"
	"                       secret/pipeline.key); must be the one ingest used\n"
	"  -e, --explain WHAT   print why a person's episodes are linked: the person,\n"
	"                       its episodes and every probabilistic link with each\n"
	"                       comparison's contribution; WHAT is a person id or\n"
	"                       FILE:LINE of one of its episodes\n"
	"      --estimate       estimate the linkage parameters again, even if the\n"
	"                       stored ones are younger than refresh_days\n"
	"      --rescore        score every candidate pair and write every person,\n"
	"                       even on a night when only the new episodes' pairs and\n"
	"                       the persons they reach need it (the same result)\n"
	"  -q, --quiet          print errors only\n"
	"  -v, --verbose        print more detail\n"
	"  -h, --help           print this help and exit\n"
	"\n"
	"exit status:\n"
	"   0  done\n"
	"  64  usage error\n"
	"  66  --explain: no such person or episode\n"
	"  70  internal error\n"
	"  73  cannot create the database\n"
	"  74  I/O error\n"
	"  75  database locked by another run: try again later\n"
	"  78  configuration error: linkage settings (with the line), key file,\n"
	"      database version\n";

static int usage_error(void)
{
	fputs("usage: dedup [-qv] [-c FILE] [-d FILE] [-k FILE] [--estimate] [--rescore]\n"
	      "             [--explain WHAT]\n"
	      "try 'dedup --help' for more\n", stderr);
	return EX_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "explain", required_argument, NULL, 'e' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "estimate", no_argument, NULL, 'E' },
		{ "rescore", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct dedup_opts o = { "mappings/linkage/linkage.ini", "output/pipeline.db", NULL, 0, 0 };
	enum pl_log_level verbosity = PL_LOG_INFO;
	const char *explain = NULL;
	struct dedup_summary sum;
	struct pl_diag d;
	enum pl_err err;
	char line[DEDUP_SUMMARY_MAX];
	int c;

#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
	/* Blocks of 128 KiB and more from mmap, so that freeing one gives its
	 * memory back.  glibc otherwise raises the threshold to the size of
	 * each mapped block freed (a rule's keys, a sort run), and then keeps
	 * the next such blocks in its heap, whose freed space stays resident:
	 * at 10M rows the peak grew by a quarter.  That fixed threshold also
	 * fixes the trim threshold at 128 KiB, and SQLite's statement savepoint
	 * of each multi-row INSERT mallocs and frees a page bitmap: the heap's
	 * top went back to the kernel and faulted in again with every batch
	 * written (44k brk calls at 1M rows; at 10M the person and
	 * episode_person writes took 16.4 s instead of 12.6).  Up to 8 MiB of
	 * free top stays: the peak at 10M grew by 0.5 MiB. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
#if defined(__GLIBC__) && defined(M_TRIM_THRESHOLD)
	mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
#endif
	o.key_path = getenv("PL_KEY_FILE");
	if (!o.key_path || !*o.key_path)
		o.key_path = "secret/pipeline.key";
	while ((c = getopt_long(argc, argv, "c:d:k:e:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config_path = optarg; break;
		case 'd': o.db_path = optarg; break;
		case 'k': o.key_path = optarg; break;
		case 'e': explain = optarg; break;
		case 'E': o.estimate = 1; break;
		case 'R': o.rescore = 1; break;
		case 'q': verbosity = PL_LOG_ERROR; break;
		case 'v': verbosity = PL_LOG_DEBUG; break;
		case 'h': fputs(usage_text, stdout); return EX_OK;
		default: return usage_error();
		}
	}
	if (optind < argc)
		return usage_error();
	pl_log_setup("dedup", verbosity, NULL);
	pl_diag_clear(&d);
	if (explain) {
		err = dedup_explain(o.db_path, explain, stdout, &d);
		pl_log_diag(err, &d);
		return pl_exit_code(err);
	}
	err = dedup_run(&o, &sum, &d);
	dedup_summary_line(&sum, line, sizeof(line));
	pl_log_diag(err, &d);
	if (!err)
		pl_log(PL_LOG_INFO, NULL, "%s", line);
	return pl_exit_code(err);
}

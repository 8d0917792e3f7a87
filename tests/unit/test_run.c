/*
 * tests/unit/test_run.c - run/run: log line levels, run log names and
 * rotation, the stages' summary lines, what a stage's exit status means for
 * the run, the config file (with the report's language), run.state (old
 * and new formats), the digests of what dedup, indicators and report read,
 * and whether the report's files are there.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>

#include "db.h"
#include "log.h"
#include "run/run.h"
#include "unit.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int setup(void **state) { return unit_tmp_setup(state); }
static int teardown(void **state) { return unit_tmp_teardown(state); }

/* ---- log lines and log names -------------------------------------------- */

static void test_run_line_level__table(void **state)
{
	static const struct { const char *line; int level; } cases[] = {
		{ "2026-11-24T02:00:03Z ingest W lundby.csv:812: unterminated quote", PL_LOG_WARN },
		{ "2026-11-24T02:00:03Z map E boom", PL_LOG_ERROR },
		{ "2026-11-24T02:00:03Z dedup I 10 episodes", PL_LOG_INFO },
		{ "2026-11-24T02:00:03Z run D detail", PL_LOG_DEBUG },
		{ "2026-11-24T02:00:03Z x I ", PL_LOG_INFO },
		{ "2026-11-24T02:00:03Z ingest X what", -1 },       /* no such level */
		{ "2026-11-24T02:00:03Z ingest Wrong", -1 },        /* no blank after the level */
		{ "2026-11-24T02:00:03Z  I two blanks", -1 },       /* no stage */
		{ "2026-11-24 02:00:03Z ingest W x", -1 },          /* not ISO 8601 */
		{ "2026-11-24T02:00:03 ingest W x", -1 },           /* no Z */
		{ "out of memory", -1 },
		{ "==123==ERROR: AddressSanitizer: heap-use-after-free", -1 },
		{ "", -1 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		int got = run_line_level(cases[i].line, strlen(cases[i].line));

		if (got != cases[i].level)
			fail_msg("'%s': level %d, want %d", cases[i].line, got, cases[i].level);
	}
}

static void test_run_log_name__table(void **state)
{
	static const struct { const char *name; int ok; const char *stamp; int seq; } cases[] = {
		{ "run-20261124T020003Z.log", 1, "20261124T020003Z", 1 },
		{ "run-20261124T020003Z-2.log", 1, "20261124T020003Z", 2 },
		{ "run-20261124T020003Z-999.log", 1, "20261124T020003Z", 999 },
		{ "run-20261124T020003Z-1.log", 0, NULL, 0 },    /* the first has no number */
		{ "run-20261124T020003Z-0.log", 0, NULL, 0 },
		{ "run-20261124T020003Z-02.log", 0, NULL, 0 },
		{ "run-20261124T020003Z-1000.log", 0, NULL, 0 },
		{ "run-20261124T020003Z.log.gz", 0, NULL, 0 },
		{ "run-20261124T020003Z.txt", 0, NULL, 0 },
		{ "run-20261124T0200Z.log", 0, NULL, 0 },
		{ "run-latest.log", 0, NULL, 0 },
		{ "ingest-20261124T020003Z.log", 0, NULL, 0 },
		{ "run-20261124T020003Z-.log", 0, NULL, 0 },
		{ "run-20261124X020003Z.log", 0, NULL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		char stamp[17] = "";
		int seq = 0, ok = run_log_name(cases[i].name, stamp, &seq);

		if (ok != cases[i].ok)
			fail_msg("'%s': %d, want %d", cases[i].name, ok, cases[i].ok);
		if (ok && (strcmp(stamp, cases[i].stamp) != 0 || seq != cases[i].seq))
			fail_msg("'%s': stamp %s seq %d", cases[i].name, stamp, seq);
	}
}

static void test_run_rotate_logs__keeps_the_newest_run_logs_only(void **state)
{
	static const char *const files[] = {
		"run-20250101T000000Z.log", "run-20250101T000000Z-2.log",
		"run-20250101T000000Z-10.log", "run-20250102T000000Z.log",
		"run-20241231T235959Z-3.log", "notes.txt", "run-latest.log",
		"run-20200101T000000Z.log.gz", "run-20200101T000000Z-0.log",
	};
	static const char *const gone[] = {
		"run-20241231T235959Z-3.log", "run-20250101T000000Z.log",
		"run-20250101T000000Z-2.log",
	};
	char dir[512], path[600];
	struct pl_diag d;
	long n_deleted = -1;

	unit_path(state, "logs", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
	for (size_t i = 0; i < N_OF(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_int_equal(unit_write_str(path, "x\n"), 0);
	}
	snprintf(path, sizeof(path), "%s/run-19990101T000000Z.log", dir);
	assert_int_equal(mkdir(path, 0755), 0); /* a directory named like a log */
	pl_diag_clear(&d);
	assert_int_equal(run_rotate_logs(dir, 2, &n_deleted, &d), PL_OK);
	assert_int_equal(n_deleted, 3);
	for (size_t i = 0; i < N_OF(files); i++) {
		int should_be_gone = 0;
		struct stat st;

		for (size_t j = 0; j < N_OF(gone); j++)
			should_be_gone |= strcmp(files[i], gone[j]) == 0;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if ((stat(path, &st) != 0) != should_be_gone)
			fail_msg("%s: %s", files[i], should_be_gone ? "kept" : "deleted");
	}
	snprintf(path, sizeof(path), "%s/run-19990101T000000Z.log", dir);
	assert_int_equal(access(path, F_OK), 0);
	/* nothing more to delete */
	assert_int_equal(run_rotate_logs(dir, 2, &n_deleted, &d), PL_OK);
	assert_int_equal(n_deleted, 0);
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(run_rotate_logs(path, 2, &n_deleted, &d), PL_ENOINPUT);
}

/* ---- the stages' summaries and exit statuses ------------------------------ */

static void test_run_parse_summary__ingest_and_map(void **state)
{
	struct run_ingest_counts ic;
	struct run_map_counts mc;

	(void)state;
	assert_int_equal(run_parse_ingest_summary("8 files: 1 ingested, 6 unchanged, 0 duplicate, "
						  "1 failed; 218 rows read, 218 kept, 0 rejected",
						  &ic), 0);
	assert_int_equal(ic.files, 8);
	assert_int_equal(ic.ingested, 1);
	assert_int_equal(ic.unchanged, 6);
	assert_int_equal(ic.duplicate, 0);
	assert_int_equal(ic.failed, 1);
	assert_int_equal(run_parse_ingest_summary("7 files mapped, 0 unchanged", &ic), -1);
	assert_int_equal(run_parse_ingest_summary(NULL, &ic), -1);
	assert_int_equal(run_parse_ingest_summary("", &ic), -1);
	assert_int_equal(run_parse_map_summary("3 files mapped, 4 unchanged; 586 rows read, "
					       "584 episodes, 2 rejected", &mc), 0);
	assert_int_equal(mc.mapped, 3);
	assert_int_equal(mc.unchanged, 4);
	assert_int_equal(run_parse_map_summary("7 files: 0 ingested, 7 unchanged", &mc), -1);
}

/* The wait status of a child that exits with code, or kills itself with sig. */
static int status_of(int code, int sig)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (sig)
			raise(sig);
		_exit(code);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_run_stage_verdict__table(void **state)
{
	static const struct { int code, sig; enum run_verdict v; int run_code; } cases[] = {
		{ 0, 0, RUN_GO_ON, 0 },
		{ 65, 0, RUN_GO_ON_65, 65 },
		{ 64, 0, RUN_STOP, 64 },
		{ 66, 0, RUN_STOP, 66 },
		{ 70, 0, RUN_STOP, 70 },
		{ 73, 0, RUN_STOP, 73 },
		{ 74, 0, RUN_STOP, 74 },
		{ 75, 0, RUN_STOP, 75 },
		{ 78, 0, RUN_STOP, 78 },
		{ 1, 0, RUN_STOP, 70 },    /* a code no stage uses */
		{ 127, 0, RUN_STOP, 70 },
		{ 0, SIGKILL, RUN_STOP, 70 },
		{ 0, SIGTERM, RUN_STOP, 70 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		int code = -1;
		enum run_verdict v = run_stage_verdict(status_of(cases[i].code, cases[i].sig), &code);

		if (v != cases[i].v || code != cases[i].run_code)
			fail_msg("exit %d signal %d: verdict %d code %d", cases[i].code, cases[i].sig,
				 (int)v, code);
	}
	assert_int_equal(run_err_of_code(78), PL_ECONFIG);
	assert_int_equal(run_err_of_code(75), PL_ETEMPFAIL);
	assert_int_equal(run_err_of_code(65), PL_EDATA);
	assert_int_equal(run_err_of_code(3), PL_ESOFTWARE);
	for (int c = 0; c < 100; c++)
		if (run_err_of_code(c) != PL_ESOFTWARE || c == EX_SOFTWARE)
			assert_int_equal(pl_exit_code(run_err_of_code(c)), c);
}

/* ---- the config file ------------------------------------------------------- */

static void test_run_config__paths_relative_to_the_file(void **state)
{
	char path[512];
	struct run_config cfg;
	struct pl_diag d;
	const struct unit_tmp *t = *state;
	char want[600];

	unit_path(state, "run.ini", path, sizeof(path));
	assert_int_equal(unit_write_str(path, "; comment\n[paths]\ninput = in\n"
					"output_db = /abs/pipeline.db\nmappings = ../m\n"
					"key = k/pipeline.key\nlinkage = l.ini\n"
					"catalogue = ind/c.ini\npopulation = /abs/pop.csv\n"
					"[run]\nkeep_logs = 7\n[report]\nlang = en\n"), 0);
	run_config_init(&cfg);
	pl_diag_clear(&d);
	assert_int_equal(run_config_load(path, &cfg, &d), PL_OK);
	snprintf(want, sizeof(want), "%s/in", t->dir);
	assert_string_equal(cfg.input_dir, want);
	assert_string_equal(cfg.db_path, "/abs/pipeline.db");
	snprintf(want, sizeof(want), "%s/../m", t->dir);
	assert_string_equal(cfg.mapping_dir, want);
	snprintf(want, sizeof(want), "%s/k/pipeline.key", t->dir);
	assert_string_equal(cfg.key_path, want);
	snprintf(want, sizeof(want), "%s/l.ini", t->dir);
	assert_string_equal(cfg.linkage_path, want);
	snprintf(want, sizeof(want), "%s/ind/c.ini", t->dir);
	assert_string_equal(cfg.catalogue_path, want);
	assert_string_equal(cfg.population_path, "/abs/pop.csv");
	assert_int_equal(cfg.keep_logs, 7);
	assert_string_equal(cfg.report_lang, "en");
	run_config_release(&cfg);
	run_config_release(&cfg); /* released twice: harmless */

	/* unset values stay unset */
	assert_int_equal(unit_write_str(path, "[run]\nkeep_logs = 2\n"), 0);
	assert_int_equal(run_config_load(path, &cfg, &d), PL_OK);
	assert_null(cfg.input_dir);
	assert_null(cfg.linkage_path);
	assert_null(cfg.catalogue_path);
	assert_null(cfg.population_path);
	assert_null(cfg.report_lang);
	assert_int_equal(cfg.keep_logs, 2);
	run_config_release(&cfg);
	assert_int_equal(cfg.keep_logs, -1);

	/* the section and key as libinih compares them: case-insensitively */
	assert_int_equal(unit_write_str(path, "[Report]\nLANG = sv\n"), 0);
	assert_int_equal(run_config_load(path, &cfg, &d), PL_OK);
	assert_string_equal(cfg.report_lang, "sv");
	run_config_release(&cfg);
	assert_null(cfg.report_lang);
}

static void test_run_config__errors_name_the_line(void **state)
{
	static const struct { const char *text; enum pl_err err; long line; const char *msg; } cases[] = {
		{ "[paths]\ninput = a\n[other]\nx = 1\n", PL_ECONFIG, 4, "unknown section [other]" },
		{ "[paths]\ninputs = a\n", PL_ECONFIG, 2, "unknown key 'inputs' in [paths]" },
		{ "[run]\nkeep = 1\n", PL_ECONFIG, 2, "unknown key 'keep' in [run]" },
		{ "input = a\n", PL_ECONFIG, 1, "key 'input' outside a section" },
		{ "[paths]\nkey = a\nkey = b\n", PL_ECONFIG, 3, "[paths] key given twice" },
		{ "[paths]\nkey =\n", PL_ECONFIG, 2, "[paths] key is empty" },
		{ "[paths]\ncatalogue = a\ncatalogue = b\n", PL_ECONFIG, 3,
		  "[paths] catalogue given twice" },
		{ "[paths]\npopulation =\n", PL_ECONFIG, 2, "[paths] population is empty" },
		{ "[paths]\npopulations = p.csv\n", PL_ECONFIG, 2,
		  "unknown key 'populations' in [paths] (known: input, output_db, mappings, key, "
		  "linkage, catalogue, population)" },
		{ "[run]\nkeep_logs = 1\nkeep_logs = 2\n", PL_ECONFIG, 3, "[run] keep_logs given twice" },
		{ "[run]\nkeep_logs = 100001\n", PL_ECONFIG, 2, "keep_logs '100001' is not" },
		{ "[run]\nkeep_logs = 3x\n", PL_ECONFIG, 2, "keep_logs '3x' is not" },
		{ "[paths\n", PL_ECONFIG, 1, "section heading without closing ']'" },
		{ "[report]\nlang = de\n", PL_ECONFIG, 2, "lang 'de' is not sv or en" },
		{ "[report]\nlang = SV\n", PL_ECONFIG, 2, "lang 'SV' is not sv or en" },
		{ "[report]\nlang =\n", PL_ECONFIG, 2, "lang '' is not sv or en" },
		{ "[report]\nlang = sv\nlang = sv\n", PL_ECONFIG, 3, "[report] lang given twice" },
		{ "[report]\nlanguage = sv\n", PL_ECONFIG, 2,
		  "unknown key 'language' in [report] (known: lang)" },
		{ "[run]\nlang = sv\n", PL_ECONFIG, 2, "unknown key 'lang' in [run]" },
		{ "[reports]\nlang = sv\n", PL_ECONFIG, 2,
		  "unknown section [reports] (known: [paths], [run], [report])" },
		{ "lang = sv\n", PL_ECONFIG, 1,
		  "key 'lang' outside a section ([paths], [run] or [report])" },
	};
	char path[512];
	struct run_config cfg;
	struct pl_diag d;

	unit_path(state, "bad.ini", path, sizeof(path));
	for (size_t i = 0; i < N_OF(cases); i++) {
		enum pl_err err;

		assert_int_equal(unit_write_str(path, cases[i].text), 0);
		run_config_init(&cfg);
		pl_diag_clear(&d);
		err = run_config_load(path, &cfg, &d);
		run_config_release(&cfg);
		if (err != cases[i].err || d.line != cases[i].line || !strstr(d.msg, cases[i].msg) ||
		    strcmp(d.file, path) != 0)
			fail_msg("case %zu: err %d line %ld msg '%s'", i, (int)err, d.line, d.msg);
	}
	unit_path(state, "missing.ini", path, sizeof(path));
	run_config_init(&cfg);
	assert_int_equal(run_config_load(path, &cfg, &d), PL_ENOINPUT);
	run_config_release(&cfg);
}

static void test_run_parse_keep_logs__table(void **state)
{
	(void)state;
	assert_int_equal(run_parse_keep_logs("1"), 1);
	assert_int_equal(run_parse_keep_logs("30"), 30);
	assert_int_equal(run_parse_keep_logs("100000"), 100000);
	assert_int_equal(run_parse_keep_logs("0"), -1);
	assert_int_equal(run_parse_keep_logs("-1"), -1);
	assert_int_equal(run_parse_keep_logs("100001"), -1);
	assert_int_equal(run_parse_keep_logs(""), -1);
	assert_int_equal(run_parse_keep_logs(NULL), -1);
	assert_int_equal(run_parse_keep_logs("5 "), -1);
	assert_int_equal(run_parse_keep_logs("99999999999999999999"), -1);
}

static void test_run_parse_lang__table(void **state)
{
	static const struct { const char *s; const char *lang; } cases[] = {
		{ "sv", "sv" }, { "en", "en" },
		{ "SV", NULL }, { "de", NULL }, { "", NULL }, { "sv ", NULL }, { "svenska", NULL },
		{ "e", NULL }, { NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		const char *got = run_parse_lang(cases[i].s);

		if (cases[i].lang ? !got || strcmp(got, cases[i].lang) != 0 : got != NULL)
			fail_msg("'%s': %s", cases[i].s ? cases[i].s : "(null)", got ? got : "(null)");
	}
}

/* ---- run.state and what dedup and indicators read --------------------------- */

#define HEX_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static void test_run_state__write_then_read(void **state)
{
	char path[512], tmp[520], *text;
	struct run_state st, got;
	struct pl_diag d;

	assert_string_equal(run_skippable_name(RUN_SKIP_DEDUP), "dedup");
	assert_string_equal(run_skippable_name(RUN_SKIP_INDICATORS), "indicators");
	assert_string_equal(run_skippable_name(RUN_SKIP_REPORT), "report");
	assert_string_equal(run_skippable_name(RUN_SKIP__COUNT), "?");
	unit_path(state, "run.state", path, sizeof(path));
	memset(&got, 0x55, sizeof(got));
	assert_int_equal(run_state_read(path, &got), 0); /* no file: nothing recorded */
	assert_string_equal(got.stage[RUN_SKIP_DEDUP].inputs, "");
	assert_string_equal(got.stage[RUN_SKIP_INDICATORS].inputs, "");
	assert_string_equal(got.stage[RUN_SKIP_REPORT].inputs, "");

	/* the three stages recorded; report keyed on the indicators run */
	memset(&st, 0, sizeof(st));
	memcpy(st.stage[RUN_SKIP_DEDUP].inputs, HEX_A, PL_SHA256_HEX);
	st.stage[RUN_SKIP_DEDUP].run_id = 42;
	memcpy(st.stage[RUN_SKIP_INDICATORS].inputs, HEX_B, PL_SHA256_HEX);
	st.stage[RUN_SKIP_INDICATORS].run_id = 43;
	memcpy(st.stage[RUN_SKIP_REPORT].inputs, HEX_A, PL_SHA256_HEX);
	st.stage[RUN_SKIP_REPORT].run_id = 43;
	pl_diag_clear(&d);
	assert_int_equal(run_state_write(path, &st, &d), PL_OK);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_not_equal(access(tmp, F_OK), 0);
	assert_int_equal(run_state_read(path, &got), 3);
	assert_string_equal(got.stage[RUN_SKIP_DEDUP].inputs, HEX_A);
	assert_int_equal(got.stage[RUN_SKIP_DEDUP].run_id, 42);
	assert_string_equal(got.stage[RUN_SKIP_INDICATORS].inputs, HEX_B);
	assert_int_equal(got.stage[RUN_SKIP_INDICATORS].run_id, 43);
	assert_string_equal(got.stage[RUN_SKIP_REPORT].inputs, HEX_A);
	assert_int_equal(got.stage[RUN_SKIP_REPORT].run_id, 43);
	text = unit_read(path, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "\nreport_inputs = " HEX_A "\nreport_run_id = 43\n"));
	free(text);

	/* a stage not recorded is not written, the others are */
	st.stage[RUN_SKIP_DEDUP].inputs[0] = '\0';
	st.stage[RUN_SKIP_REPORT].inputs[0] = '\0';
	assert_int_equal(run_state_write(path, &st, &d), PL_OK);
	text = unit_read(path, NULL);
	assert_non_null(text);
	assert_null(strstr(text, "dedup_"));
	assert_null(strstr(text, "report_"));
	assert_non_null(strstr(text, "\nindicators_inputs = " HEX_B "\nindicators_run_id = 43\n"));
	free(text);
	assert_int_equal(run_state_read(path, &got), 1);
	assert_string_equal(got.stage[RUN_SKIP_DEDUP].inputs, "");
	assert_int_equal(got.stage[RUN_SKIP_DEDUP].run_id, 0);
	assert_string_equal(got.stage[RUN_SKIP_INDICATORS].inputs, HEX_B);

	/* the old format (before indicators): dedup's lines only */
	assert_int_equal(unit_write_str(path, "# run.state - written by the run driver\n"
					"dedup_inputs = " HEX_A "\ndedup_run_id = 7\n"), 0);
	assert_int_equal(run_state_read(path, &got), 1);
	assert_string_equal(got.stage[RUN_SKIP_DEDUP].inputs, HEX_A);
	assert_int_equal(got.stage[RUN_SKIP_DEDUP].run_id, 7);
	assert_string_equal(got.stage[RUN_SKIP_INDICATORS].inputs, "");
	assert_string_equal(got.stage[RUN_SKIP_REPORT].inputs, "");

	/* the format before report: dedup's and indicators' lines */
	assert_int_equal(unit_write_str(path, "dedup_inputs = " HEX_A "\ndedup_run_id = 7\n"
					"indicators_inputs = " HEX_B "\nindicators_run_id = 8\n"), 0);
	assert_int_equal(run_state_read(path, &got), 2);
	assert_string_equal(got.stage[RUN_SKIP_INDICATORS].inputs, HEX_B);
	assert_int_equal(got.stage[RUN_SKIP_INDICATORS].run_id, 8);
	assert_string_equal(got.stage[RUN_SKIP_REPORT].inputs, "");
	assert_int_equal(got.stage[RUN_SKIP_REPORT].run_id, 0);

	/* a damaged state is no state, stage by stage */
	assert_int_equal(unit_write_str(path, "dedup_inputs = 0123\ndedup_run_id = 4\n"), 0);
	assert_int_equal(run_state_read(path, &got), 0);
	assert_string_equal(got.stage[RUN_SKIP_DEDUP].inputs, "");
	assert_int_equal(unit_write_str(path, "dedup_inputs = " HEX_A "\n"), 0);
	assert_int_equal(run_state_read(path, &got), 0);
	assert_int_equal(unit_write_str(path, "dedup_inputs = " HEX_A "\ndedup_run_id = 4\n"
					"indicators_inputs = " HEX_B "\n"
					"indicators_run_id = x5\n"), 0);
	assert_int_equal(run_state_read(path, &got), 1);
	assert_string_equal(got.stage[RUN_SKIP_DEDUP].inputs, HEX_A);
	assert_string_equal(got.stage[RUN_SKIP_INDICATORS].inputs, "");
	assert_int_equal(unit_write_str(path, "indicators_inputs = " HEX_B "\n"
					"indicators_run_id = 9\n"
					"dedup_inputs = 0123456789ABCDEF0123456789ABCDEF"
					"0123456789ABCDEF0123456789ABCDEF\ndedup_run_id = 4\n"), 0);
	assert_int_equal(run_state_read(path, &got), 1);
	assert_string_equal(got.stage[RUN_SKIP_DEDUP].inputs, ""); /* not our hex */
	assert_string_equal(got.stage[RUN_SKIP_INDICATORS].inputs, HEX_B);
	assert_int_equal(got.stage[RUN_SKIP_INDICATORS].run_id, 9);

	unit_path(state, "no-dir/run.state", path, sizeof(path));
	assert_int_equal(run_state_write(path, &st, &d), PL_ECANTCREAT);
}

struct digest_fixture {
	char db_path[512], linkage[512], key[512], dedup[512];
	char catalogue[512], population[512], indicators[512], report[512];
	struct run_opts o;
	sqlite3 *db;
};

/* Files and a database for the digests: an ingested and mapped file, an
 * unclaimed one. */
static void digest_fixture_init(void **state, struct digest_fixture *f)
{
	struct pl_diag d;

	memset(f, 0, sizeof(*f));
	unit_path(state, "pipeline.db", f->db_path, sizeof(f->db_path));
	unit_path(state, "linkage.ini", f->linkage, sizeof(f->linkage));
	unit_path(state, "pipeline.key", f->key, sizeof(f->key));
	unit_path(state, "dedup", f->dedup, sizeof(f->dedup));
	unit_path(state, "indicators.ini", f->catalogue, sizeof(f->catalogue));
	unit_path(state, "population.csv", f->population, sizeof(f->population));
	unit_path(state, "indicators", f->indicators, sizeof(f->indicators));
	unit_path(state, "report", f->report, sizeof(f->report));
	assert_int_equal(unit_write_str(f->linkage, "[linkage]\nthreshold = 4.3\n"), 0);
	assert_int_equal(unit_write_str(f->key, "k\n"), 0);
	assert_int_equal(unit_write_str(f->dedup, "#!/bin/sh\n"), 0);
	assert_int_equal(unit_write_str(f->catalogue, "[indicator a]\nmethod = count\n"), 0);
	assert_int_equal(unit_write_str(f->population, "year,district,sex,age,n\n"
					"2024,A,F,30,100\n"), 0);
	assert_int_equal(unit_write_str(f->indicators, "#!/bin/sh\n"), 0);
	assert_int_equal(unit_write_str(f->report, "#!/bin/sh\n"), 0);
	f->o.db_path = f->db_path;
	f->o.linkage_path = f->linkage;
	f->o.key_path = f->key;
	f->o.catalogue_path = f->catalogue;
	f->o.population_path = f->population;
	f->o.report_lang = "sv";
	pl_diag_clear(&d);
	assert_int_equal(pl_db_open(f->db_path, &f->db, &d), PL_OK);
}

static void digest_of(struct digest_fixture *f, char hex[PL_SHA256_HEX], long long *last_run)
{
	struct pl_diag d;

	pl_diag_clear(&d);
	if (run_dedup_inputs(f->db, &f->o, f->dedup, hex, last_run, &d) != PL_OK)
		fail_msg("run_dedup_inputs: %s", d.msg);
	assert_int_equal(strlen(hex), PL_SHA256_HEX - 1);
}

static void ind_digest_of(struct digest_fixture *f, char hex[PL_SHA256_HEX], long long *last_run)
{
	struct pl_diag d;

	pl_diag_clear(&d);
	if (run_indicators_inputs(f->db, &f->o, f->indicators, hex, last_run, &d) != PL_OK)
		fail_msg("run_indicators_inputs: %s", d.msg);
	assert_int_equal(strlen(hex), PL_SHA256_HEX - 1);
}

static void rep_digest_of(struct digest_fixture *f, char hex[PL_SHA256_HEX], long long *last_run)
{
	struct pl_diag d;

	pl_diag_clear(&d);
	if (run_report_inputs(f->db, &f->o, f->report, hex, last_run, &d) != PL_OK)
		fail_msg("run_report_inputs: %s", d.msg);
	assert_int_equal(strlen(hex), PL_SHA256_HEX - 1);
}

static void exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* Each change dedup would see changes the digest; others do not. */
static void test_run_dedup_inputs__changes_that_count(void **state)
{
	struct digest_fixture f;
	char base[PL_SHA256_HEX], hex[PL_SHA256_HEX];
	long long last_run = -1;
	const struct timespec times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

	digest_fixture_init(state, &f);
	exec_sql(f.db, "INSERT INTO input_file (file_id, name, size, mtime_ns, sha256, source, "
		 "mapping_sha256, status, ingested_at) VALUES "
		 "(1, 'a.csv', 10, 1, 'aa', 's', 'm1', 'ok', '2026-01-01T00:00:00Z'), "
		 "(2, 'x.txt', 10, 1, NULL, NULL, NULL, 'unclaimed', '2026-01-01T00:00:00Z');"
		 "INSERT INTO mapped_file VALUES (1, 'm1', 3, 3, 0, '2026-01-01T00:00:01Z');");

	digest_of(&f, base, &last_run);
	assert_int_equal(last_run, 0);
	digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base); /* stable */

	/* not read by dedup: an unclaimed file registered again, stage runs */
	exec_sql(f.db, "DELETE FROM input_file WHERE file_id = 2;"
		 "INSERT INTO input_file (file_id, name, size, mtime_ns, status, ingested_at) "
		 "VALUES (3, 'x.txt', 10, 2, 'unclaimed', '2026-01-02T00:00:00Z');"
		 "INSERT INTO stage_run (stage, version, started_at) VALUES ('map', '1', 'x');");
	digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);
	exec_sql(f.db, "INSERT INTO stage_run (stage, version, started_at) VALUES ('dedup', '1', 'x');");
	digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);
	assert_int_equal(last_run, 2); /* but the last dedup run is reported */

	/* read by dedup: a file mapped again, even with the same counts */
	exec_sql(f.db, "UPDATE mapped_file SET mapped_at = '2026-01-01T00:00:02Z';");
	digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	exec_sql(f.db, "UPDATE mapped_file SET mapped_at = '2026-01-01T00:00:01Z';");
	digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);
	/* a file ingested again with other content, mapped in the same second */
	exec_sql(f.db, "UPDATE input_file SET sha256 = 'bb' WHERE file_id = 1;");
	digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	exec_sql(f.db, "UPDATE input_file SET sha256 = 'aa' WHERE file_id = 1;");
	/* an ok file gone */
	exec_sql(f.db, "UPDATE input_file SET status = 'failed' WHERE file_id = 1;");
	digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	exec_sql(f.db, "UPDATE input_file SET status = 'ok' WHERE file_id = 1;");
	digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);

	/* the linkage settings' content */
	assert_int_equal(unit_write_str(f.linkage, "[linkage]\nthreshold = 5\n"), 0);
	digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	assert_int_equal(unit_write_str(f.linkage, "[linkage]\nthreshold = 4.3\n"), 0);
	digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);
	unlink(f.linkage);
	digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	assert_int_equal(unit_write_str(f.linkage, "[linkage]\nthreshold = 4.3\n"), 0);

	/* the key file's time; the dedup program's */
	assert_int_equal(utimensat(AT_FDCWD, f.key, times, 0), 0);
	digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	memcpy(base, hex, sizeof(base));
	assert_int_equal(utimensat(AT_FDCWD, f.dedup, times, 0), 0);
	digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	memcpy(base, hex, sizeof(base));
	/* not read by dedup: the indicators' files, an indicators run */
	assert_int_equal(unit_write_str(f.catalogue, "[indicator b]\nmethod = rate\n"), 0);
	assert_int_equal(unit_write_str(f.population, "year,district,sex,age,n\n"), 0);
	exec_sql(f.db, "INSERT INTO stage_run (stage, version, started_at) "
		 "VALUES ('indicators', '1', 'x');");
	digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);
	assert_int_equal(last_run, 2);
	pl_db_close(f.db);
}

/* The indicators digest changes with the catalogue, the population file,
 * the last dedup run and the indicators program, and with nothing else
 * dedup reads; its own last run is reported, not digested. */
static void test_run_indicators_inputs__changes_that_count(void **state)
{
	struct digest_fixture f;
	char base[PL_SHA256_HEX], hex[PL_SHA256_HEX], dedup_hex[PL_SHA256_HEX];
	long long last_run = -1, last_dedup = -1;
	const struct timespec times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

	digest_fixture_init(state, &f);
	exec_sql(f.db, "INSERT INTO input_file (file_id, name, size, mtime_ns, sha256, source, "
		 "mapping_sha256, status, ingested_at) VALUES "
		 "(1, 'a.csv', 10, 1, 'aa', 's', 'm1', 'ok', '2026-01-01T00:00:00Z');"
		 "INSERT INTO mapped_file VALUES (1, 'm1', 3, 3, 0, '2026-01-01T00:00:01Z');"
		 "INSERT INTO stage_run (stage, version, started_at) VALUES ('dedup', '1', 'x');");
	ind_digest_of(&f, base, &last_run);
	assert_int_equal(last_run, 0);
	ind_digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base); /* stable */
	digest_of(&f, dedup_hex, &last_dedup);
	assert_string_not_equal(hex, dedup_hex); /* a digest of its own */

	/* not read by indicators: stage runs other than dedup's, what only dedup
	 * reads (mapped files: dedup runs after them), the linkage settings, the
	 * key file, the dedup program; the catalogue rewritten as it was */
	exec_sql(f.db, "INSERT INTO stage_run (stage, version, started_at) VALUES ('map', '1', 'x');"
		 "INSERT INTO stage_run (stage, version, started_at) VALUES ('run', '1', 'x');"
		 "UPDATE mapped_file SET mapped_at = '2026-01-01T00:00:02Z';"
		 "UPDATE input_file SET sha256 = 'bb';");
	assert_int_equal(unit_write_str(f.linkage, "[linkage]\nthreshold = 5\n"), 0);
	assert_int_equal(utimensat(AT_FDCWD, f.key, times, 0), 0);
	assert_int_equal(utimensat(AT_FDCWD, f.dedup, times, 0), 0);
	assert_int_equal(unit_write_str(f.catalogue, "[indicator a]\nmethod = count\n"), 0);
	ind_digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);
	digest_of(&f, dedup_hex, &last_dedup);
	assert_int_equal(last_dedup, 1);
	/* an indicators run: reported, not digested (run.state keeps it apart) */
	exec_sql(f.db, "INSERT INTO stage_run (stage, version, started_at) "
		 "VALUES ('indicators', '1', 'x');");
	ind_digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);
	assert_int_equal(last_run, 4);

	/* a dedup run since: the persons may have changed */
	exec_sql(f.db, "INSERT INTO stage_run (stage, version, started_at) VALUES ('dedup', '1', 'x');");
	ind_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	assert_int_equal(last_run, 4);
	memcpy(base, hex, sizeof(base));
	ind_digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);

	/* the catalogue's content, and the catalogue missing */
	assert_int_equal(unit_write_str(f.catalogue, "[indicator a]\nmethod = rate\n"), 0);
	ind_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	assert_int_equal(unit_write_str(f.catalogue, "[indicator a]\nmethod = count\n"), 0);
	ind_digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);
	unlink(f.catalogue);
	ind_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	assert_int_equal(unit_write_str(f.catalogue, "[indicator a]\nmethod = count\n"), 0);

	/* the population file's content (one number), and it missing */
	assert_int_equal(unit_write_str(f.population, "year,district,sex,age,n\n"
					"2024,A,F,30,101\n"), 0);
	ind_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	assert_int_equal(unit_write_str(f.population, "year,district,sex,age,n\n"
					"2024,A,F,30,100\n"), 0);
	ind_digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);
	unlink(f.population);
	ind_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	assert_int_equal(unit_write_str(f.population, "year,district,sex,age,n\n"
					"2024,A,F,30,100\n"), 0);
	ind_digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);

	/* the indicators program's */
	assert_int_equal(utimensat(AT_FDCWD, f.indicators, times, 0), 0);
	ind_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	pl_db_close(f.db);
}

/* The report digest changes with the last indicators run, the ingested and
 * mapped files (dedup's queries), the files ingest could not process, the
 * report program and the language; not with what only dedup or indicators
 * read, a dedup run, a failed file registered again, or its own files. */
static void test_run_report_inputs__changes_that_count(void **state)
{
	struct digest_fixture f;
	char base[PL_SHA256_HEX], hex[PL_SHA256_HEX], other[PL_SHA256_HEX], path[600];
	long long last_run = -1, other_run = -1;
	const struct timespec times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	const struct unit_tmp *t = *state;

	digest_fixture_init(state, &f);
	exec_sql(f.db, "INSERT INTO input_file (file_id, name, size, mtime_ns, sha256, source, "
		 "mapping_sha256, status, ingested_at) VALUES "
		 "(1, 'a.csv', 10, 1, 'aa', 's', 'm1', 'ok', '2026-01-01T00:00:00Z');"
		 "INSERT INTO input_file (file_id, name, size, mtime_ns, status, message, "
		 "ingested_at) VALUES (2, 'x.txt', 10, 1, 'unclaimed', 'no source claims this "
		 "file', '2026-01-01T00:00:00Z');"
		 "INSERT INTO mapped_file VALUES (1, 'm1', 3, 3, 0, '2026-01-01T00:00:01Z');"
		 "INSERT INTO stage_run (stage, version, started_at) VALUES ('dedup', '1', 'x');"
		 "INSERT INTO stage_run (stage, version, started_at) "
		 "VALUES ('indicators', '1', 'x');");
	rep_digest_of(&f, base, &last_run);
	assert_int_equal(last_run, 2); /* keyed on the indicators run */
	rep_digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base); /* stable */
	digest_of(&f, other, &other_run);
	assert_string_not_equal(other, base); /* not dedup's */
	ind_digest_of(&f, other, &other_run);
	assert_string_not_equal(other, base); /* nor indicators' */

	/* not read by report: what only dedup and indicators read; a dedup run
	 * (indicators runs after it); the unclaimed file registered again; its
	 * own files, there or not */
	assert_int_equal(unit_write_str(f.linkage, "[linkage]\nthreshold = 5\n"), 0);
	assert_int_equal(utimensat(AT_FDCWD, f.key, times, 0), 0);
	assert_int_equal(utimensat(AT_FDCWD, f.dedup, times, 0), 0);
	assert_int_equal(utimensat(AT_FDCWD, f.indicators, times, 0), 0);
	assert_int_equal(unit_write_str(f.catalogue, "[indicator b]\nmethod = rate\n"), 0);
	assert_int_equal(unit_write_str(f.population, "year,district,sex,age,n\n"), 0);
	exec_sql(f.db, "INSERT INTO stage_run (stage, version, started_at) VALUES ('dedup', '1', 'x');"
		 "INSERT INTO stage_run (stage, version, started_at) VALUES ('run', '1', 'x');"
		 "DELETE FROM input_file WHERE file_id = 2;"
		 "INSERT INTO input_file (file_id, name, size, mtime_ns, status, message, "
		 "ingested_at) VALUES (3, 'x.txt', 10, 2, 'unclaimed', 'no source claims this "
		 "file', '2026-01-02T00:00:00Z');");
	snprintf(path, sizeof(path), "%s/report-sv.html", t->dir);
	assert_int_equal(unit_write_str(path, "<html>\n"), 0);
	rep_digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);
	assert_int_equal(last_run, 2);

	/* a new indicators run: new figures */
	exec_sql(f.db, "INSERT INTO stage_run (stage, version, started_at) "
		 "VALUES ('indicators', '1', 'x');");
	rep_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	assert_int_equal(last_run, 5);
	memcpy(base, hex, sizeof(base));

	/* the files as dedup sees them: a file mapped again, ingested again */
	exec_sql(f.db, "UPDATE mapped_file SET mapped_at = '2026-01-01T00:00:02Z';");
	rep_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	exec_sql(f.db, "UPDATE mapped_file SET mapped_at = '2026-01-01T00:00:01Z';");
	exec_sql(f.db, "UPDATE input_file SET sha256 = 'bb' WHERE file_id = 1;");
	rep_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	exec_sql(f.db, "UPDATE input_file SET sha256 = 'aa' WHERE file_id = 1;");
	rep_digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);

	/* the files ingest could not process: the report lists and counts them */
	exec_sql(f.db, "INSERT INTO input_file (file_id, name, size, mtime_ns, status, message, "
		 "ingested_at) VALUES (4, 'y.txt', 10, 2, 'unclaimed', 'no source claims this "
		 "file', '2026-01-02T00:00:00Z');");
	rep_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	exec_sql(f.db, "DELETE FROM input_file WHERE file_id = 4;");
	rep_digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);
	exec_sql(f.db, "UPDATE input_file SET status = 'failed', message = 'empty file' "
		 "WHERE file_id = 3;");
	rep_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	exec_sql(f.db, "UPDATE input_file SET status = 'unclaimed', message = 'no source claims "
		 "this file' WHERE file_id = 3;");
	rep_digest_of(&f, hex, &last_run);
	assert_string_equal(hex, base);

	/* the language */
	f.o.report_lang = "en";
	rep_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	f.o.report_lang = "sv";

	/* the report program's identity */
	assert_int_equal(utimensat(AT_FDCWD, f.report, times, 0), 0);
	rep_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	memcpy(base, hex, sizeof(base));
	unlink(f.report);
	rep_digest_of(&f, hex, &last_run);
	assert_string_not_equal(hex, base);
	pl_db_close(f.db);
}

/* The report's files in the database's directory: the first one missing. */
static void test_run_report_missing__first_missing_file(void **state)
{
	const struct unit_tmp *t = *state;
	char db_path[512], file[600], path[600];
	struct run_opts o;

	memset(&o, 0, sizeof(o));
	unit_path(state, "out/pipeline.db", db_path, sizeof(db_path));
	o.db_path = db_path;
	o.report_lang = "sv";
	snprintf(file, sizeof(file), "%s/out", t->dir);
	assert_int_equal(mkdir(file, 0755), 0);

	assert_int_equal(run_report_missing(&o, path, sizeof(path)), 1);
	snprintf(file, sizeof(file), "%s/out/report-sv.html", t->dir);
	assert_string_equal(path, file);
	assert_int_equal(unit_write_str(file, "<html>\n"), 0);
	assert_int_equal(run_report_missing(&o, path, sizeof(path)), 1);
	snprintf(file, sizeof(file), "%s/out/report.xlsx", t->dir);
	assert_string_equal(path, file);
	assert_int_equal(unit_write_str(file, "PK\n"), 0);
	/* tables/ must be a directory */
	snprintf(file, sizeof(file), "%s/out/tables", t->dir);
	assert_int_equal(unit_write_str(file, "x\n"), 0);
	assert_int_equal(run_report_missing(&o, path, sizeof(path)), 1);
	assert_string_equal(path, file);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(mkdir(file, 0755), 0);
	assert_int_equal(run_report_missing(&o, path, sizeof(path)), 0);
	assert_string_equal(path, "");

	/* the language's file; a directory in its place is no file */
	o.report_lang = "en";
	assert_int_equal(run_report_missing(&o, path, sizeof(path)), 1);
	snprintf(file, sizeof(file), "%s/out/report-en.html", t->dir);
	assert_string_equal(path, file);
	assert_int_equal(mkdir(file, 0755), 0);
	assert_int_equal(run_report_missing(&o, path, sizeof(path)), 1);
	assert_int_equal(rmdir(file), 0);
	assert_int_equal(unit_write_str(file, "<html>\n"), 0);
	assert_int_equal(run_report_missing(&o, path, sizeof(path)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_run_line_level__table),
		T(test_run_log_name__table),
		T(test_run_rotate_logs__keeps_the_newest_run_logs_only),
		T(test_run_parse_summary__ingest_and_map),
		T(test_run_stage_verdict__table),
		T(test_run_config__paths_relative_to_the_file),
		T(test_run_config__errors_name_the_line),
		T(test_run_parse_keep_logs__table),
		T(test_run_parse_lang__table),
		T(test_run_state__write_then_read),
		T(test_run_dedup_inputs__changes_that_count),
		T(test_run_indicators_inputs__changes_that_count),
		T(test_run_report_inputs__changes_that_count),
		T(test_run_report_missing__first_missing_file),
#undef T
	};

	pl_log_setup("test", PL_LOG_ERROR, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

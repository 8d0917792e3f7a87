/*
 * run/run.c - the nightly driver: ingest, map, dedup, indicators and report
 * in order, each as its own process, under a lock, with a log file per run.
 *
 * The lock is flock() on output/run.lock: it dies with its holder, so a
 * killed run never blocks the next one.  The lock descriptor is inherited
 * by the stage processes (which die with the driver: PR_SET_PDEATHSIG), so
 * the lock is free only when no process of the run is left.
 *
 * Each stage's stderr (and stdout) comes through a pipe: every line goes
 * into the run's log file and, if its level is within the verbosity, on to
 * stderr.  A stage's exit status decides what happens next: 0 goes on, 65
 * (ingest could not process a file; the others were) goes on and the run
 * ends with 65, anything else stops the run with that code (70 for a crash,
 * a signal or a code no stage uses).
 *
 * ingest and map skip unchanged work themselves.  dedup, indicators and
 * report redo their work whole each time, so the driver runs each only when
 * something it reads changed: one mechanism for the three (a table of the
 * skippable stages below).  Each has a digest function of what it reads
 * (dedup: the ingested and mapped files, the linkage settings, the key
 * file's identity and the dedup program; indicators: the last dedup run,
 * the catalogue, the population file and the indicators program; report:
 * the last indicators run, the files as dedup sees them and those ingest
 * could not process, the report program and the language); the digest and
 * the run_id the stage is keyed on (its own last one; report, which writes
 * no stage_run row: the last indicators run) are kept per stage in
 * output/run.state after each successful run of it.  report also runs when
 * one of its files is gone (an analyst deleted it).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE  /* flock(), realpath() */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "inifile.h"
#include "progress.h"

#define LINE_MAX_BYTES 16384    /* a longer stage line is passed on in pieces */
#define MAX_NAMED_FILES 5       /* failed files named in the summary line */
#define PROGRESS_MS 250

/* ---- config file --------------------------------------------------------- */

void run_config_init(struct run_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->keep_logs = -1;
}

void run_config_release(struct run_config *cfg)
{
	free(cfg->input_dir);
	free(cfg->db_path);
	free(cfg->mapping_dir);
	free(cfg->key_path);
	free(cfg->linkage_path);
	free(cfg->catalogue_path);
	free(cfg->population_path);
	run_config_init(cfg); /* report_lang is a static string */
}

long run_parse_keep_logs(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > RUN_KEEP_LOGS_MAX)
		return -1;
	return v;
}

const char *run_parse_lang(const char *s)
{
	static const char *const langs[] = { "sv", "en" };

	for (size_t i = 0; s && i < sizeof(langs) / sizeof(langs[0]); i++)
		if (strcmp(s, langs[i]) == 0)
			return langs[i];
	return NULL;
}

struct cfg_state {
	struct run_config *cfg;
	const char *path;
	size_t dir_len;           /* of path's directory part, 0 if none */
	struct pl_diag *d;
};

/* A path from the config file: relative ones are relative to its directory. */
static char *config_path(const struct cfg_state *st, const char *value)
{
	struct pl_buf b;

	if (value[0] == '/' || st->dir_len == 0)
		return pl_xstrdup(value);
	pl_buf_init(&b);
	pl_buf_append(&b, st->path, st->dir_len);
	pl_buf_printf(&b, "/%s", value);
	return b.data;
}

static int config_key(void *user, const char *section, const char *key, const char *value,
		      long line)
{
	static const struct { const char *key; size_t off; } paths[] = {
		{ "input", offsetof(struct run_config, input_dir) },
		{ "output_db", offsetof(struct run_config, db_path) },
		{ "mappings", offsetof(struct run_config, mapping_dir) },
		{ "key", offsetof(struct run_config, key_path) },
		{ "linkage", offsetof(struct run_config, linkage_path) },
		{ "catalogue", offsetof(struct run_config, catalogue_path) },
		{ "population", offsetof(struct run_config, population_path) },
	};
	struct cfg_state *st = user;

	if (strcasecmp(section, "paths") == 0) {
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			char **slot = (char **)((char *)st->cfg + paths[i].off);

			if (strcasecmp(key, paths[i].key) != 0)
				continue;
			if (*slot) {
				pl_diag_set(st->d, PL_ECONFIG, st->path, line,
					    "[paths] %s given twice", paths[i].key);
				return 0;
			}
			if (!*value) {
				pl_diag_set(st->d, PL_ECONFIG, st->path, line,
					    "[paths] %s is empty", paths[i].key);
				return 0;
			}
			*slot = config_path(st, value);
			return 1;
		}
		pl_diag_set(st->d, PL_ECONFIG, st->path, line, "unknown key '%s' in [paths] "
			    "(known: input, output_db, mappings, key, linkage, catalogue, "
			    "population)", key);
		return 0;
	}
	if (strcasecmp(section, "run") == 0) {
		if (strcasecmp(key, "keep_logs") != 0) {
			pl_diag_set(st->d, PL_ECONFIG, st->path, line,
				    "unknown key '%s' in [run] (known: keep_logs)", key);
			return 0;
		}
		if (st->cfg->keep_logs != -1) {
			pl_diag_set(st->d, PL_ECONFIG, st->path, line, "[run] keep_logs given twice");
			return 0;
		}
		st->cfg->keep_logs = run_parse_keep_logs(value);
		if (st->cfg->keep_logs < 0) {
			pl_diag_set(st->d, PL_ECONFIG, st->path, line, "keep_logs '%s' is not a "
				    "whole number from 1 to %d", value, RUN_KEEP_LOGS_MAX);
			return 0;
		}
		return 1;
	}
	if (strcasecmp(section, "report") == 0) {
		if (strcasecmp(key, "lang") != 0) {
			pl_diag_set(st->d, PL_ECONFIG, st->path, line,
				    "unknown key '%s' in [report] (known: lang)", key);
			return 0;
		}
		if (st->cfg->report_lang) {
			pl_diag_set(st->d, PL_ECONFIG, st->path, line, "[report] lang given twice");
			return 0;
		}
		st->cfg->report_lang = run_parse_lang(value);
		if (!st->cfg->report_lang) {
			pl_diag_set(st->d, PL_ECONFIG, st->path, line,
				    "lang '%s' is not sv or en", value);
			return 0;
		}
		return 1;
	}
	if (!*section)
		pl_diag_set(st->d, PL_ECONFIG, st->path, line,
			    "key '%s' outside a section ([paths], [run] or [report])", key);
	else
		pl_diag_set(st->d, PL_ECONFIG, st->path, line,
			    "unknown section [%s] (known: [paths], [run], [report])", section);
	return 0;
}

enum pl_err run_config_load(const char *path, struct run_config *cfg, struct pl_diag *d)
{
	struct cfg_state st;
	const char *slash = strrchr(path, '/');

	st.cfg = cfg;
	st.path = path;
	st.dir_len = slash ? (size_t)(slash - path) : 0;
	if (slash == path)
		st.dir_len = 1; /* "/run.ini": the root */
	st.d = d;
	return pl_ini_parse(path, config_key, &st, NULL, d);
}

/* ---- small parsers -------------------------------------------------------- */

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int run_line_level(const char *line, size_t len)
{
	static const char letters[] = "EWID";
	const char *p, *end = line + len;

	/* 2026-11-24T02:00:03Z: 20 characters */
	if (len < 24 || !all_digits(line, 4) || line[4] != '-' || !all_digits(line + 5, 2) ||
	    line[7] != '-' || !all_digits(line + 8, 2) || line[10] != 'T' ||
	    !all_digits(line + 11, 2) || line[13] != ':' || !all_digits(line + 14, 2) ||
	    line[16] != ':' || !all_digits(line + 17, 2) || line[19] != 'Z' || line[20] != ' ')
		return -1;
	p = line + 21;
	if (p >= end || *p == ' ')
		return -1;
	while (p < end && *p != ' ')
		p++;
	if (end - p < 3 || p[2] != ' ' || !p[1])
		return -1;
	for (int i = 0; letters[i]; i++)
		if (p[1] == letters[i])
			return i;
	return -1;
}

int run_log_name(const char *name, char stamp[17], int *seq)
{
	size_t len = strlen(name);
	const char *s = name + 4;

	if (len < 24 || strncmp(name, "run-", 4) != 0 || !all_digits(s, 8) || s[8] != 'T' ||
	    !all_digits(s + 9, 6) || s[15] != 'Z')
		return 0;
	if (strcmp(s + 16, ".log") == 0) {
		*seq = 1;
	} else {
		const char *n = s + 17, *dot = strchr(n, '.');
		size_t digits = dot ? (size_t)(dot - n) : 0;

		if (s[16] != '-' || digits < 1 || digits > 3 || !all_digits(n, digits) ||
		    n[0] == '0' || strcmp(dot, ".log") != 0)
			return 0;
		*seq = atoi(n);
		if (*seq < 2)
			return 0;
	}
	memcpy(stamp, s, 16);
	stamp[16] = '\0';
	return 1;
}

int run_parse_ingest_summary(const char *s, struct run_ingest_counts *c)
{
	memset(c, 0, sizeof(*c));
	if (!s || sscanf(s, "%ld files: %ld ingested, %ld unchanged, %ld duplicate, %ld failed",
			 &c->files, &c->ingested, &c->unchanged, &c->duplicate, &c->failed) != 5)
		return -1;
	return 0;
}

int run_parse_map_summary(const char *s, struct run_map_counts *c)
{
	memset(c, 0, sizeof(*c));
	if (!s || sscanf(s, "%ld files mapped, %ld unchanged", &c->mapped, &c->unchanged) != 2)
		return -1;
	return 0;
}

enum pl_err run_err_of_code(int code)
{
	switch (code) {
	case EX_OK:        return PL_OK;
	case EX_USAGE:     return PL_EUSAGE;
	case EX_DATAERR:   return PL_EDATA;
	case EX_NOINPUT:   return PL_ENOINPUT;
	case EX_SOFTWARE:  return PL_ESOFTWARE;
	case EX_CANTCREAT: return PL_ECANTCREAT;
	case EX_IOERR:     return PL_EIO;
	case EX_TEMPFAIL:  return PL_ETEMPFAIL;
	case EX_CONFIG:    return PL_ECONFIG;
	default:           return PL_ESOFTWARE;
	}
}

enum run_verdict run_stage_verdict(int status, int *code)
{
	int c;

	if (!WIFEXITED(status)) {
		*code = EX_SOFTWARE;
		return RUN_STOP;
	}
	c = WEXITSTATUS(status);
	switch (c) {
	case EX_OK:
		*code = c;
		return RUN_GO_ON;
	case EX_DATAERR:
		*code = c;
		return RUN_GO_ON_65;
	case EX_USAGE: case EX_NOINPUT: case EX_SOFTWARE: case EX_CANTCREAT:
	case EX_IOERR: case EX_TEMPFAIL: case EX_CONFIG:
		*code = c;
		return RUN_STOP;
	default:
		*code = EX_SOFTWARE;
		return RUN_STOP;
	}
}

static const char *code_meaning(int code)
{
	switch (code) {
	case EX_OK:        return "success";
	case EX_USAGE:     return "usage error";
	case EX_DATAERR:   return "data error";
	case EX_NOINPUT:   return "input missing";
	case EX_SOFTWARE:  return "internal error";
	case EX_CANTCREAT: return "cannot create an output";
	case EX_IOERR:     return "I/O error";
	case EX_TEMPFAIL:  return "temporary failure";
	case EX_CONFIG:    return "configuration error";
	default:           return "unknown exit status";
	}
}

/* ---- log rotation ---------------------------------------------------------- */

struct log_entry {
	char *name;
	char stamp[17];
	int seq;
};

static int cmp_log(const void *a, const void *b)
{
	const struct log_entry *x = a, *y = b;
	int c = strcmp(x->stamp, y->stamp);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

enum pl_err run_rotate_logs(const char *dir, long keep, long *n_deleted, struct pl_diag *d)
{
	struct log_entry *logs = NULL;
	size_t n = 0;
	struct pl_buf path;
	struct dirent *de;
	DIR *dp = opendir(dir);

	*n_deleted = 0;
	if (!dp)
		return pl_diag_set(d, PL_ENOINPUT, dir, 0, "cannot open log directory: %s",
				   strerror(errno));
	pl_buf_init(&path);
	while ((de = readdir(dp)) != NULL) {
		struct log_entry e;
		struct stat st;

		if (!run_log_name(de->d_name, e.stamp, &e.seq))
			continue;
		pl_buf_reset(&path);
		pl_buf_printf(&path, "%s/%s", dir, de->d_name);
		if (lstat(path.data, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		e.name = pl_xstrdup(de->d_name);
		logs = pl_xrealloc(logs, (n + 1) * sizeof(*logs));
		logs[n++] = e;
	}
	closedir(dp);
	if (n)
		qsort(logs, n, sizeof(*logs), cmp_log);
	for (size_t i = 0; i < n; i++) {
		if ((long)(n - i) > keep) {
			pl_buf_reset(&path);
			pl_buf_printf(&path, "%s/%s", dir, logs[i].name);
			if (unlink(path.data) == 0)
				(*n_deleted)++;
			else
				pl_log(PL_LOG_WARN, path.data, "cannot delete old run log: %s",
				       strerror(errno));
		}
		free(logs[i].name);
	}
	free(logs);
	pl_buf_release(&path);
	return PL_OK;
}

/* ---- what dedup, indicators and report read ------------------------------------ */

static void hash_str(struct pl_sha256 *h, const char *s)
{
	if (s)
		pl_sha256_update(h, s, strlen(s));
	else
		pl_sha256_update(h, "\x01", 1); /* NULL differs from "" */
	pl_sha256_update(h, "\x1f", 1);
}

static void hash_file_id(struct pl_sha256 *h, const char *what, const char *path)
{
	struct stat st;
	char buf[160];

	if (!path || stat(path, &st) != 0) {
		snprintf(buf, sizeof(buf), "%s missing", what);
	} else {
		snprintf(buf, sizeof(buf), "%s %llu %llu %lld %lld.%09ld", what,
			 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
			 (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			 (long)st.st_mtim.tv_nsec);
	}
	hash_str(h, buf);
}

static enum pl_err hash_query(sqlite3 *db, struct pl_sha256 *h, const char *sql,
			      struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(db, sql, &st, d);
	int rc;

	if (err)
		return err;
	hash_str(h, sql);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++)
			hash_str(h, (const char *)sqlite3_column_text(st, i));
		pl_sha256_update(h, "\x1e", 1);
	}
	if (rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, "read what a stage reads", d);
	sqlite3_finalize(st);
	return err;
}

/* The content of a file: its SHA-256, or "missing" if it cannot be read. */
static void hash_file_content(struct pl_sha256 *h, const char *what, const char *path)
{
	char digest[PL_SHA256_HEX];
	struct pl_diag ignored;

	if (!path || pl_sha256_file(path, digest, &ignored) != PL_OK)
		snprintf(digest, sizeof(digest), "missing");
	hash_str(h, what);
	hash_str(h, digest);
}

/* The latest run_id of stage in stage_run, 0 if none. */
static enum pl_err last_stage_run(sqlite3 *db, const char *stage, long long *run_id,
				  struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(db, "SELECT coalesce(max(run_id), 0) FROM stage_run "
					"WHERE stage = ?1", &st, d);
	int rc;

	*run_id = 0;
	if (err)
		return err;
	sqlite3_bind_text(st, 1, stage, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*run_id = sqlite3_column_int64(st, 0);
	else
		err = pl_db_fail(db, rc, "read the last run of a stage", d);
	sqlite3_finalize(st);
	return err;
}

/* The ingested and mapped files, into h: what dedup reads, and report's
 * data-quality tables but for the files ingest could not process.  Only
 * ingested files hold rows; failed, unclaimed and duplicate files are
 * registered again (with a new file_id) by every run. */
static enum pl_err hash_files(sqlite3 *db, struct pl_sha256 *h, struct pl_diag *d)
{
	enum pl_err err;

	err = hash_query(db, h, "SELECT file_id, name, sha256, mapping_sha256, rows_kept, "
			 "ingested_at FROM input_file WHERE status = 'ok' ORDER BY file_id", d);
	if (!err)
		err = hash_query(db, h, "SELECT file_id, mapping_sha256, rows_read, rows_kept, "
				 "rows_rejected, mapped_at FROM mapped_file ORDER BY file_id", d);
	return err;
}

enum pl_err run_dedup_inputs(sqlite3 *db, const struct run_opts *o, const char *dedup_bin,
			     char hex[PL_SHA256_HEX], long long *last_run, struct pl_diag *d)
{
	struct pl_sha256 h;
	enum pl_err err;

	hex[0] = '\0';
	pl_sha256_init(&h);
	hash_str(&h, "run dedup inputs 1");
	hash_str(&h, sqlite3_db_filename(db, "main"));
	err = hash_files(db, &h, d);
	if (!err)
		err = last_stage_run(db, "dedup", last_run, d);
	if (err)
		return err;
	hash_file_content(&h, "linkage", o->linkage_path);
	hash_file_id(&h, "key", o->key_path);
	hash_file_id(&h, "dedup", dedup_bin);
	pl_sha256_hex(&h, hex);
	return PL_OK;
}

enum pl_err run_indicators_inputs(sqlite3 *db, const struct run_opts *o,
				  const char *indicators_bin, char hex[PL_SHA256_HEX],
				  long long *last_run, struct pl_diag *d)
{
	struct pl_sha256 h;
	char buf[64];
	long long last_dedup = 0;
	enum pl_err err;

	hex[0] = '\0';
	pl_sha256_init(&h);
	hash_str(&h, "run indicators inputs 1");
	hash_str(&h, sqlite3_db_filename(db, "main"));
	err = last_stage_run(db, "dedup", &last_dedup, d);
	if (!err)
		err = last_stage_run(db, "indicators", last_run, d);
	if (err)
		return err;
	snprintf(buf, sizeof(buf), "dedup run %lld", last_dedup);
	hash_str(&h, buf);
	hash_file_content(&h, "catalogue", o->catalogue_path);
	hash_file_content(&h, "population", o->population_path);
	hash_file_id(&h, "indicators", indicators_bin);
	pl_sha256_hex(&h, hex);
	return PL_OK;
}

enum pl_err run_report_inputs(sqlite3 *db, const struct run_opts *o, const char *report_bin,
			      char hex[PL_SHA256_HEX], long long *last_run, struct pl_diag *d)
{
	struct pl_sha256 h;
	char buf[64];
	enum pl_err err;

	hex[0] = '\0';
	pl_sha256_init(&h);
	hash_str(&h, "run report inputs 1");
	hash_str(&h, sqlite3_db_filename(db, "main"));
	err = hash_files(db, &h, d);
	/* The report lists every file and counts them by source: those ingest
	 * could not process too, without what changes at each registration. */
	if (!err)
		err = hash_query(db, &h, "SELECT name, status, sha256, source, mapping_sha256, "
				 "message, rows_read, rows_kept, rows_rejected FROM input_file "
				 "WHERE status != 'ok' ORDER BY name", d);
	if (!err)
		err = last_stage_run(db, "indicators", last_run, d);
	if (err)
		return err;
	snprintf(buf, sizeof(buf), "indicators run %lld", *last_run);
	hash_str(&h, buf);
	hash_file_id(&h, "report", report_bin);
	hash_str(&h, o->report_lang);
	pl_sha256_hex(&h, hex);
	return PL_OK;
}

static char *dir_of(const char *path);

int run_report_missing(const struct run_opts *o, char *path, size_t size)
{
	char html[32], *dir = dir_of(o->db_path);
	const char *const names[] = { html, "report.xlsx", "tables" };
	int missing = 0;

	snprintf(html, sizeof(html), "report-%s.html", o->report_lang ? o->report_lang : "sv");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !missing; i++) {
		struct stat st;

		snprintf(path, size, "%s/%s", dir, names[i]);
		missing = stat(path, &st) != 0 ||
			  (i == 2 ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode));
	}
	if (!missing && size)
		path[0] = '\0';
	free(dir);
	return missing;
}

/* ---- run.state ---------------------------------------------------------------- */

const char *run_skippable_name(enum run_skippable s)
{
	static const char *const names[RUN_SKIP__COUNT] = { "dedup", "indicators", "report" };

	return (unsigned)s < RUN_SKIP__COUNT ? names[s] : "?";
}

int run_state_read(const char *path, struct run_state *st)
{
	char line[256];
	int got_run[RUN_SKIP__COUNT] = { 0 }, n = 0;
	FILE *fp = fopen(path, "r");

	memset(st, 0, sizeof(*st));
	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		char key[40], v[100], *end;

		if (sscanf(line, " %39[a-z_] = %99s", key, v) != 2)
			continue;
		for (int i = 0; i < RUN_SKIP__COUNT; i++) {
			const char *name = run_skippable_name(i);
			size_t len = strlen(name);
			struct run_state_stage *s = &st->stage[i];

			if (strncmp(key, name, len) != 0)
				continue;
			if (strcmp(key + len, "_inputs") == 0 && strlen(v) == PL_SHA256_HEX - 1 &&
			    strspn(v, "0123456789abcdef") == PL_SHA256_HEX - 1) {
				memcpy(s->inputs, v, PL_SHA256_HEX);
			} else if (strcmp(key + len, "_run_id") == 0) {
				errno = 0;
				s->run_id = strtoll(v, &end, 10);
				got_run[i] = !errno && !*end && end != v && s->run_id >= 0;
			}
		}
	}
	fclose(fp);
	for (int i = 0; i < RUN_SKIP__COUNT; i++) {
		if (st->stage[i].inputs[0] && got_run[i]) {
			n++;
		} else {
			st->stage[i].inputs[0] = '\0';
			st->stage[i].run_id = 0;
		}
	}
	return n;
}

enum pl_err run_state_write(const char *path, const struct run_state *st, struct pl_diag *d)
{
	struct pl_buf tmp;
	enum pl_err err = PL_OK;
	FILE *fp = NULL;
	int fd;

	pl_buf_init(&tmp);
	pl_buf_printf(&tmp, "%s.tmp", path);
	/* 0600 like everything beside the database; a stale temporary file is
	 * replaced, not reused with its old mode. */
	unlink(tmp.data);
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		fp = fdopen(fd, "w");
		if (!fp)
			close(fd);
	}
	if (!fp) {
		err = pl_diag_set(d, PL_ECANTCREAT, tmp.data, 0, "cannot create: %s",
				  strerror(errno));
		goto cleanup;
	}
	fprintf(fp, "# run.state - written by the run driver after each successful dedup,\n"
		"# indicators and report: a digest of what the stage read and the run_id\n"
		"# it is keyed on (report: the indicators run it published), so that the\n"
		"# next run skips the stage when nothing it reads changed.\n"
		"# Delete this file to make the next run run all three.\n");
	for (int i = 0; i < RUN_SKIP__COUNT; i++)
		if (st->stage[i].inputs[0])
			fprintf(fp, "%s_inputs = %s\n%s_run_id = %lld\n", run_skippable_name(i),
				st->stage[i].inputs, run_skippable_name(i), st->stage[i].run_id);
	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0)
		err = pl_diag_set(d, PL_EIO, tmp.data, 0, "cannot write: %s", strerror(errno));
	if (fclose(fp) != 0 && !err)
		err = pl_diag_set(d, PL_EIO, tmp.data, 0, "cannot write: %s", strerror(errno));
	if (!err && rename(tmp.data, path) != 0)
		err = pl_diag_set(d, PL_EIO, path, 0, "cannot rename '%s' to it: %s", tmp.data,
				  strerror(errno));
	if (err)
		unlink(tmp.data);
cleanup:
	pl_buf_release(&tmp);
	return err;
}

/* ---- the run ------------------------------------------------------------------ */

enum stage_id { ST_INGEST, ST_MAP, ST_DEDUP, ST_INDICATORS, ST_REPORT, ST__COUNT };
static const char *const stage_names[ST__COUNT] = { "ingest", "map", "dedup", "indicators",
						    "report" };

/* The stages run only when something they read changed (see run.h). */
static const struct skippable {
	enum stage_id stage;
	enum run_skippable slot;   /* its entry in run.state */
	enum pl_err (*inputs)(sqlite3 *db, const struct run_opts *o, const char *bin,
			      char hex[PL_SHA256_HEX], long long *last_run, struct pl_diag *d);
	const char *keyed_on;      /* the stage whose last run_id is recorded with it */
	/* 1 (and the path) if a file it writes is gone; NULL: it writes tables only */
	int (*missing)(const struct run_opts *o, char *path, size_t size);
} skippables[] = {
	{ ST_DEDUP, RUN_SKIP_DEDUP, run_dedup_inputs, "dedup", NULL },
	{ ST_INDICATORS, RUN_SKIP_INDICATORS, run_indicators_inputs, "indicators", NULL },
	/* report writes no stage_run row: the indicators run it published */
	{ ST_REPORT, RUN_SKIP_REPORT, run_report_inputs, "indicators", run_report_missing },
};

static const struct skippable *skippable_of(int idx)
{
	for (size_t i = 0; i < sizeof(skippables) / sizeof(skippables[0]); i++)
		if ((int)skippables[i].stage == idx)
			return &skippables[i];
	return NULL;
}

/* One run of the driver: what the stages share. */
struct run {
	const struct run_opts *o;
	char *out_dir;             /* directory of the database */
	char *bin[ST__COUNT];      /* stage programs */
	char *log_path;            /* this run's log file */
	FILE *log;                 /* NULL until opened */
	int log_failed;            /* a write to the log file failed */
	int lock_fd;
	sqlite3 *db;               /* opened once the database exists */
	struct timespec t0;        /* start of the run */
	/* TTY progress line */
	const char *cur_stage;
	int cur_idx;
	struct timespec stage_t0;
	int progress_shown;
	int have_report;           /* a progress report came from the stage */
	unsigned long long p_rows, p_done, p_total; /* its latest (progress.h) */
	char pbuf[256];            /* the stage's progress pipe: a partial line */
	size_t pbuf_len;
	/* what happened */
	int ran[ST__COUNT];        /* the stage was started */
	int code[ST__COUNT];       /* the exit code the run takes from it */
	int sig[ST__COUNT];        /* the signal that killed it, 0 if none */
	char summary[ST__COUNT][512]; /* its stage_run summary (report: its last info
				       * line), "" if none */
	char last_info[512];       /* the running stage's last info line's message */
	int skipped[ST__COUNT];    /* not run: nothing it reads changed */
	int nothing_new;           /* no file ingested or mapped, every skippable skipped */
	struct run_state state;    /* output/run.state as read, then as updated */
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void progress_clear(struct run *r)
{
	if (r->progress_shown) {
		fputs("\r\033[K", stderr);
		r->progress_shown = 0;
	}
}

/* "12,345" */
static void group_digits(unsigned long long v, char out[32])
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%llu", v), o = 0;

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* "run: [1/5] ingest 1.2 s", or with the stage's report
 * "run: [1/5] ingest  12,345 rows  45 % [####......]  1.2 s". */
static void progress_show(struct run *r)
{
	char rows[32], bar[16];

	if (!r->o->progress || !r->cur_stage)
		return;
	if (!r->have_report) {
		fprintf(stderr, "\r\033[Krun: [%d/%d] %s %.1f s", r->cur_idx + 1, ST__COUNT,
			r->cur_stage, seconds_since(&r->stage_t0));
	} else {
		group_digits(r->p_rows, rows);
		fprintf(stderr, "\r\033[Krun: [%d/%d] %s  %s rows", r->cur_idx + 1, ST__COUNT,
			r->cur_stage, rows);
		if (r->p_total) {
			unsigned long long done = r->p_done < r->p_total ? r->p_done : r->p_total;
			int pct = (int)(done * 100 / r->p_total), filled = pct / 10;

			memset(bar, '.', 10);
			memset(bar, '#', (size_t)filled);
			bar[10] = '\0';
			fprintf(stderr, "  %d %% [%s]", pct, bar);
		}
		fprintf(stderr, "  %.1f s", seconds_since(&r->stage_t0));
	}
	fflush(stderr);
	r->progress_shown = 1;
}

/* Takes the complete lines of the stage's progress pipe in r->pbuf: keeps
 * the values of the last well-formed "P" line (progress.h). */
static void take_reports(struct run *r)
{
	size_t start = 0;

	for (size_t i = 0; i < r->pbuf_len; i++) {
		unsigned long long rows, done, total;
		char line[sizeof(r->pbuf)];

		if (r->pbuf[i] != '\n')
			continue;
		memcpy(line, r->pbuf + start, i - start);
		line[i - start] = '\0';
		if (sscanf(line, "P rows=%llu bytes=%llu total=%llu", &rows, &done, &total) == 3) {
			r->p_rows = rows;
			r->p_done = done;
			r->p_total = total;
			r->have_report = 1;
		}
		start = i + 1;
	}
	if (start == 0 && r->pbuf_len == sizeof(r->pbuf))
		start = r->pbuf_len; /* no line that long: drop it */
	memmove(r->pbuf, r->pbuf + start, r->pbuf_len - start);
	r->pbuf_len -= start;
}

/* One line (without its newline) of the given level: into the log file
 * always (it was made at the log's verbosity), to stderr if the level is
 * within the run's verbosity. */
static void emit(struct run *r, int level, const char *line, size_t len)
{
	if (r->log && !r->log_failed) {
		if (fwrite(line, 1, len, r->log) != len || fputc('\n', r->log) == EOF ||
		    fflush(r->log) != 0)
			r->log_failed = 1;
	}
	if (level <= (int)r->o->verbosity) {
		progress_clear(r);
		fwrite(line, 1, len, stderr);
		fputc('\n', stderr);
		progress_show(r);
	}
}

/* The driver's own log line, in the stages' format. */
static void say(struct run *r, enum pl_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct run *r, enum pl_log_level level, const char *fmt, ...)
{
	static const char letters[] = "EWID";
	char line[2048], stamp[32];
	int n;
	va_list ap;

	if (level == PL_LOG_DEBUG && r->o->verbosity < PL_LOG_DEBUG)
		return;
	pl_utc_now(stamp);
	n = snprintf(line, sizeof(line), "%s run %c ", stamp, letters[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	emit(r, (int)level, line, strlen(line));
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return pl_xstrdup(".");
	if (slash == path)
		return pl_xstrdup("/");
	return pl_xstrndup(path, (size_t)(slash - path));
}

/* Makes dir and its missing parents, mode 0700: output/ and output/logs hold
 * person-level data (the database, the logs). */
static enum pl_err mkdir_p(const char *dir, struct pl_diag *d)
{
	char *p, *buf = pl_xstrdup(dir);
	enum pl_err err = PL_OK;

	for (p = buf + 1; ; p++) {
		int end = *p == '\0';

		if (*p != '/' && !end)
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
			err = pl_diag_set(d, PL_ECANTCREAT, dir, 0, "cannot create directory '%s': %s",
					  buf, strerror(errno));
			break;
		}
		if (end)
			break;
		*p = '/';
	}
	free(buf);
	return err;
}

static enum pl_err find_programs(struct run *r, struct pl_diag *d)
{
	char *dir = NULL;
	enum pl_err err = PL_OK;

	if (r->o->bin_dir) {
		dir = pl_xstrdup(r->o->bin_dir);
	} else {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n <= 0)
			return pl_diag_set(d, PL_ESOFTWARE, "/proc/self/exe", 0, "cannot find the "
					   "driver's own directory (%s); give --bin DIR",
					   strerror(errno));
		self[n] = '\0';
		dir = dir_of(self);
	}
	for (int i = 0; i < ST__COUNT; i++) {
		struct pl_buf b;

		pl_buf_init(&b);
		pl_buf_printf(&b, "%s/%s", dir, stage_names[i]);
		r->bin[i] = b.data;
		if (!err && access(r->bin[i], X_OK) != 0)
			err = pl_diag_set(d, PL_ESOFTWARE, r->bin[i], 0, "stage program not found "
					  "or not executable: %s (the stages are installed together "
					  "with run; or give --bin DIR)", strerror(errno));
	}
	free(dir);
	return err;
}

/* Takes output/run.lock.  PL_ETEMPFAIL if another run holds it. */
static enum pl_err take_lock(struct run *r, struct pl_diag *d)
{
	struct pl_buf path;
	enum pl_err err = PL_OK;
	char pid[32];
	int n;

	pl_buf_init(&path);
	pl_buf_printf(&path, "%s/run.lock", r->out_dir);
	/* Not O_CLOEXEC: the stages inherit the lock, so it outlives the driver
	 * only as long as one of them does. */
	r->lock_fd = open(path.data, O_RDWR | O_CREAT, 0600);
	if (r->lock_fd < 0) {
		err = pl_diag_set(d, PL_ECANTCREAT, path.data, 0, "cannot open the lock file: %s",
				  strerror(errno));
		goto cleanup;
	}
	if (flock(r->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			char holder[32] = "";
			ssize_t got = pread(r->lock_fd, holder, sizeof(holder) - 1, 0);

			holder[got > 0 ? got : 0] = '\0';
			holder[strcspn(holder, "\n")] = '\0';
			err = pl_diag_set(d, PL_ETEMPFAIL, path.data, 0, "another run holds the lock%s%s%s;"
					  " try again later", holder[0] ? " (pid " : "", holder,
					  holder[0] ? ")" : "");
		} else {
			err = pl_diag_set(d, PL_EIO, path.data, 0, "cannot lock: %s", strerror(errno));
		}
		close(r->lock_fd);
		r->lock_fd = -1;
		goto cleanup;
	}
	/* The holder's pid, for the operator; the lock itself is the flock. */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(r->lock_fd, 0) != 0 || pwrite(r->lock_fd, pid, (size_t)n, 0) != n)
		pl_log(PL_LOG_DEBUG, path.data, "cannot write the pid into the lock file");
cleanup:
	pl_buf_release(&path);
	return err;
}

/* The highest seq of the run logs of this stamp in dir, 0 if none. */
static int last_seq(const char *dir, const char *stamp)
{
	struct dirent *de;
	DIR *dp = opendir(dir);
	int max = 0;

	if (!dp)
		return 0;
	while ((de = readdir(dp)) != NULL) {
		char s[17];
		int seq;

		if (run_log_name(de->d_name, s, &seq) && strcmp(s, stamp) == 0 && seq > max)
			max = seq;
	}
	closedir(dp);
	return max;
}

/* Creates output/logs/run-YYYYMMDDTHHMMSSZ.log (-N.log for a second run in
 * the same second), then deletes the oldest run logs beyond keep_logs. */
static enum pl_err open_log(struct run *r, struct pl_diag *d)
{
	struct pl_buf dir, path;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	enum pl_err err;
	long n_deleted = 0;
	int fd = -1;

	pl_buf_init(&dir);
	pl_buf_init(&path);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	pl_buf_printf(&dir, "%s/logs", r->out_dir);
	err = mkdir_p(dir.data, d);
	/* After the newest log of this second, never in a gap rotation left. */
	for (int seq = err ? 0 : last_seq(dir.data, stamp) + 1; !err && seq < 1000; seq++) {
		pl_buf_reset(&path);
		if (seq == 1)
			pl_buf_printf(&path, "%s/run-%s.log", dir.data, stamp);
		else
			pl_buf_printf(&path, "%s/run-%s-%d.log", dir.data, stamp, seq);
		fd = open(path.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (!err && fd < 0)
		err = pl_diag_set(d, PL_ECANTCREAT, path.data, 0, "cannot create the run log: %s",
				  strerror(errno));
	if (!err) {
		r->log = fdopen(fd, "w");
		if (!r->log) {
			close(fd);
			err = pl_diag_set(d, PL_ECANTCREAT, path.data, 0, "cannot open the run log: %s",
					  strerror(errno));
		}
	}
	if (!err) {
		r->log_path = pl_xstrdup(path.data);
		if (run_rotate_logs(dir.data, r->o->keep_logs, &n_deleted, d) == PL_OK && n_deleted)
			say(r, PL_LOG_DEBUG, "deleted %ld old run log%s (keeping %ld)", n_deleted,
			    n_deleted == 1 ? "" : "s", r->o->keep_logs);
	}
	pl_buf_release(&dir);
	pl_buf_release(&path);
	return err;
}

static void open_db(struct run *r)
{
	struct pl_diag d;
	struct stat st;

	if (r->db || stat(r->o->db_path, &st) != 0)
		return;
	pl_diag_clear(&d);
	if (pl_db_open(r->o->db_path, &r->db, &d) != PL_OK)
		say(r, PL_LOG_DEBUG, "cannot open the database to read the stages' results: %s",
		    d.msg);
}

/* Closes the driver's connection, leaving the write-ahead log as it is
 * (lib/db): while a stage runs, it alone has the database open, so that it
 * can write in bulk (pl_db_bulk_begin). */
static void close_db(struct run *r)
{
	pl_db_close(r->db);
	r->db = NULL;
}

static long long max_run_id(struct run *r)
{
	sqlite3_stmt *st = NULL;
	long long id = 0;

	open_db(r);
	if (r->db && sqlite3_prepare_v2(r->db, "SELECT coalesce(max(run_id), 0) FROM stage_run",
					-1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* The stage_run summary the stage wrote this run (after run_id since); of
 * a stage that writes none (report), its last info line. */
static void read_summary(struct run *r, int idx, long long since)
{
	sqlite3_stmt *st = NULL;

	r->summary[idx][0] = '\0';
	open_db(r);
	if (r->db && sqlite3_prepare_v2(r->db, "SELECT summary FROM stage_run WHERE stage = ?1 "
					"AND run_id > ?2 ORDER BY run_id DESC LIMIT 1", -1, &st,
					NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, stage_names[idx], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, since);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(r->summary[idx], sizeof(r->summary[idx]), "%s",
				 (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (!r->summary[idx][0])
		memcpy(r->summary[idx], r->last_info, sizeof(r->summary[idx]));
}

/* Keeps the message of a stage's info line (after "STAMP STAGE I "). */
static void keep_info(struct run *r, const char *line, size_t len)
{
	const char *p = memchr(line + 21, ' ', len - 21); /* run_line_level checked it */
	size_t n = p ? len - (size_t)(p + 3 - line) : 0;

	if (!p || !r->cur_stage)
		return;
	if (n >= sizeof(r->last_info))
		n = sizeof(r->last_info) - 1;
	memcpy(r->last_info, p + 3, n);
	r->last_info[n] = '\0';
}

/* Passes on the complete lines in buf (and, at eof or when full, the rest). */
static size_t pass_lines(struct run *r, char *buf, size_t len, int flush)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		size_t end = i;
		int level;

		if (buf[i] != '\n')
			continue;
		if (end > start && buf[end - 1] == '\r')
			end--;
		level = run_line_level(buf + start, end - start);
		if (level == PL_LOG_INFO)
			keep_info(r, buf + start, end - start);
		emit(r, level < 0 ? PL_LOG_ERROR : level, buf + start, end - start);
		start = i + 1;
	}
	if (start < len && (flush || (start == 0 && len == LINE_MAX_BYTES))) {
		emit(r, PL_LOG_ERROR, buf + start, len - start);
		start = len;
	}
	memmove(buf, buf + start, len - start);
	return len - start;
}

static void child_exec(const struct run *r, int idx, int out_fd, int prog_fd, pid_t parent)
{
	const struct run_opts *o = r->o;
	const char *argv[16];
	int n = 0, devnull;
	char msg[512];

	/* Die with the driver, so that a killed run leaves no stage behind. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(EX_SOFTWARE);
	signal(SIGPIPE, SIG_DFL);
	/* the progress pipe: above stderr, kept across exec, named in the env */
	if (prog_fd >= 0 && prog_fd <= STDERR_FILENO)
		prog_fd = fcntl(prog_fd, F_DUPFD, STDERR_FILENO + 1);
	if (prog_fd >= 0) {
		char num[16];

		snprintf(num, sizeof(num), "%d", prog_fd);
		fcntl(prog_fd, F_SETFD, 0);
		setenv(PL_PROGRESS_ENV, num, 1);
	} else {
		unsetenv(PL_PROGRESS_ENV);
	}
	devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0 && devnull != STDIN_FILENO) {
		dup2(devnull, STDIN_FILENO);
		close(devnull);
	}
	dup2(out_fd, STDOUT_FILENO);
	dup2(out_fd, STDERR_FILENO);
	if (out_fd > STDERR_FILENO)
		close(out_fd);
	argv[n++] = r->bin[idx];
	switch (idx) {
	case ST_INGEST:
		argv[n++] = "-i";
		argv[n++] = o->input_dir;
		argv[n++] = "-m";
		argv[n++] = o->mapping_dir;
		break;
	case ST_MAP:
		argv[n++] = "-m";
		argv[n++] = o->mapping_dir;
		break;
	case ST_DEDUP:
		argv[n++] = "-c";
		argv[n++] = o->linkage_path;
		break;
	case ST_INDICATORS:
		argv[n++] = "-c";
		argv[n++] = o->catalogue_path;
		argv[n++] = "-p";
		argv[n++] = o->population_path;
		break;
	default:
		argv[n++] = "-o";
		argv[n++] = r->out_dir;
		argv[n++] = "--lang";
		argv[n++] = o->report_lang ? o->report_lang : "sv";
		break;
	}
	argv[n++] = "-d";
	argv[n++] = o->db_path;
	if (idx < ST_INDICATORS) { /* indicators and report read nothing sealed */
		argv[n++] = "-k";
		argv[n++] = o->key_path;
	}
	if (o->verbosity >= PL_LOG_DEBUG)
		argv[n++] = "-v";
	argv[n] = NULL;
	execv(argv[0], (char *const *)argv);
	n = snprintf(msg, sizeof(msg), "run: cannot execute '%s': %s\n", argv[0], strerror(errno));
	if (write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(EX_SOFTWARE);
	_exit(EX_SOFTWARE);
}

/* Runs one stage, passing its output on; sets r->code[idx] and returns
 * what it means for the run.  PL_ESOFTWARE in *err if it cannot be started. */
static enum run_verdict run_stage(struct run *r, int idx, enum pl_err *err, struct pl_diag *d)
{
	char *buf = pl_xmalloc(LINE_MAX_BYTES);
	size_t len = 0;
	long long since = max_run_id(r);
	enum run_verdict verdict;
	int fds[2] = { -1, -1 }, pfds[2] = { -1, -1 }, status = 0, eof = 0;
	pid_t pid, self = getpid();

	*err = PL_OK;
	/* the progress pipe only for a live line (progress.h) */
	if (pipe(fds) != 0 || (r->o->progress && pipe(pfds) != 0)) {
		*err = pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "cannot make a pipe: %s",
				   strerror(errno));
		for (int i = 0; i < 2; i++) {
			if (fds[i] >= 0)
				close(fds[i]);
			if (pfds[i] >= 0)
				close(pfds[i]);
		}
		free(buf);
		return RUN_STOP;
	}
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	if (pfds[0] >= 0) {
		fcntl(pfds[0], F_SETFD, FD_CLOEXEC);
		fcntl(pfds[0], F_SETFL, fcntl(pfds[0], F_GETFL) | O_NONBLOCK);
	}
	r->have_report = 0;
	r->pbuf_len = 0;
	say(r, PL_LOG_DEBUG, "%s: starting %s", stage_names[idx], r->bin[idx]);
	clock_gettime(CLOCK_MONOTONIC, &r->stage_t0);
	r->cur_stage = stage_names[idx];
	r->cur_idx = idx;
	r->last_info[0] = '\0';
	close_db(r);
	pid = fork();
	if (pid == 0)
		child_exec(r, idx, fds[1], pfds[1], self);
	close(fds[1]);
	if (pfds[1] >= 0)
		close(pfds[1]);
	if (pid < 0) {
		close(fds[0]);
		if (pfds[0] >= 0)
			close(pfds[0]);
		free(buf);
		r->cur_stage = NULL;
		*err = pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "cannot start %s: %s",
				   stage_names[idx], strerror(errno));
		return RUN_STOP;
	}
	r->ran[idx] = 1;
	progress_show(r);
	while (!eof) {
		struct pollfd pfd[2] = { { fds[0], POLLIN, 0 }, { pfds[0], POLLIN, 0 } };
		int rc = poll(pfd, 2, r->o->progress ? PROGRESS_MS : -1);
		ssize_t got;

		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0) {
			progress_show(r);
			continue;
		}
		if (pfd[1].revents) {
			got = read(pfds[0], r->pbuf + r->pbuf_len, sizeof(r->pbuf) - r->pbuf_len);
			if (got > 0) {
				r->pbuf_len += (size_t)got;
				take_reports(r);
				progress_show(r);
			} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(pfds[0]); /* the stage closed it: poll only stderr */
				pfds[0] = -1;
			}
		}
		if (!pfd[0].revents)
			continue;
		got = read(fds[0], buf + len, LINE_MAX_BYTES - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			eof = 1;
		else
			len += (size_t)got;
		len = pass_lines(r, buf, len, eof);
	}
	close(fds[0]);
	if (pfds[0] >= 0)
		close(pfds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	progress_clear(r);
	r->cur_stage = NULL;
	free(buf);
	verdict = run_stage_verdict(status, &r->code[idx]);
	read_summary(r, idx, since);
	if (WIFSIGNALED(status))
		r->sig[idx] = WTERMSIG(status);
	if (WIFSIGNALED(status))
		say(r, PL_LOG_WARN, "%s: killed by signal %d after %.2f s", stage_names[idx],
		    WTERMSIG(status), seconds_since(&r->stage_t0));
	else
		say(r, verdict == RUN_STOP ? PL_LOG_WARN : PL_LOG_INFO, "%s: exit %d (%s) in %.2f s",
		    stage_names[idx], WEXITSTATUS(status), code_meaning(WEXITSTATUS(status)),
		    seconds_since(&r->stage_t0));
	return verdict;
}

/* Whether the skippable stage has anything new to read; fills hex (what it
 * would read) for run.state, "" when that cannot be told. */
static int stage_needed(struct run *r, const struct skippable *sk, char hex[PL_SHA256_HEX])
{
	const struct run_state_stage *old = &r->state.stage[sk->slot];
	const char *name = stage_names[sk->stage];
	long long last_run;
	struct pl_diag d;
	char path[PATH_MAX];

	hex[0] = '\0';
	open_db(r);
	if (!r->db)
		return 1;
	pl_diag_clear(&d);
	if (sk->inputs(r->db, r->o, r->bin[sk->stage], hex, &last_run, &d) != PL_OK) {
		say(r, PL_LOG_DEBUG, "cannot tell what %s would read (%s): running it", name, d.msg);
		hex[0] = '\0';
		return 1;
	}
	if (!old->inputs[0]) {
		say(r, PL_LOG_DEBUG, "no record of %s's last run in run.state: running it", name);
		return 1;
	}
	if (strcmp(old->inputs, hex) != 0 || old->run_id != last_run) {
		say(r, PL_LOG_DEBUG, "%s inputs changed since its last run (after %s run %lld)",
		    name, sk->keyed_on, old->run_id);
		return 1;
	}
	if (sk->missing && sk->missing(r->o, path, sizeof(path))) {
		say(r, PL_LOG_DEBUG, "'%s' is gone: running %s", path, name);
		return 1;
	}
	return 0;
}

/* After a successful run of a skippable stage: what it read (hex) and its
 * new run_id into run.state.  A failure only costs a rerun next time. */
static void after_stage(struct run *r, const struct skippable *sk, const char *state_path,
			const char *hex)
{
	struct run_state_stage *rec = &r->state.stage[sk->slot];
	long long last_run = 0;
	struct pl_diag d;

	pl_diag_clear(&d);
	rec->inputs[0] = '\0';
	if (hex[0] && r->db && last_stage_run(r->db, sk->keyed_on, &last_run, &d) == PL_OK) {
		memcpy(rec->inputs, hex, PL_SHA256_HEX);
		rec->run_id = last_run;
	}
	if (!rec->inputs[0] || run_state_write(state_path, &r->state, &d) != PL_OK)
		say(r, PL_LOG_WARN, "cannot record what %s read (%s); the next run runs %s again",
		    stage_names[sk->stage], d.msg[0] ? d.msg : "database not readable",
		    stage_names[sk->stage]);
}

/* "'a.csv' (unclaimed), 'b.csv' (failed)" for the files ingest could not
 * process that are still in the input directory. */
static void failed_files(struct run *r, struct pl_buf *out)
{
	sqlite3_stmt *st = NULL;
	struct pl_buf path;
	long n = 0;

	pl_buf_init(&path);
	open_db(r);
	if (r->db && sqlite3_prepare_v2(r->db, "SELECT name, status FROM input_file WHERE status "
					"IN ('failed', 'unclaimed', 'ambiguous') ORDER BY name",
					-1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			struct stat sb;

			pl_buf_reset(&path);
			pl_buf_printf(&path, "%s/%s", r->o->input_dir, name);
			if (stat(path.data, &sb) != 0)
				continue;
			if (n < MAX_NAMED_FILES)
				pl_buf_printf(out, "%s'%s' (%s)", n ? ", " : "", name,
					      (const char *)sqlite3_column_text(st, 1));
			n++;
		}
	}
	if (n > MAX_NAMED_FILES)
		pl_buf_printf(out, " and %ld more", n - MAX_NAMED_FILES);
	sqlite3_finalize(st);
	pl_buf_release(&path);
}

/* "a", "a and b", "a, b and c": the stages from..to-1 with want[i] set. */
static void stage_list(struct pl_buf *out, int from, int to, const int *want)
{
	int n = 0, total = 0;

	for (int i = from; i < to; i++)
		total += want[i] != 0;
	for (int i = from; i < to; i++) {
		if (!want[i])
			continue;
		n++;
		pl_buf_printf(out, "%s%s", n == 1 ? "" : n == total ? " and " : ", ", stage_names[i]);
	}
}

/* What the stages did, for the summary line. */
static void describe_work(struct run *r, struct pl_buf *out)
{
	struct run_ingest_counts ic;
	struct run_map_counts mc;
	int ic_ok = run_parse_ingest_summary(r->summary[ST_INGEST], &ic) == 0;
	int mc_ok = run_parse_map_summary(r->summary[ST_MAP], &mc) == 0;
	int nothing_new = ic_ok && mc_ok && ic.ingested == 0 && mc.mapped == 0;

	for (size_t i = 0; i < sizeof(skippables) / sizeof(skippables[0]); i++)
		nothing_new &= r->skipped[skippables[i].stage];
	r->nothing_new = nothing_new;
	if (nothing_new) {
		pl_buf_printf(out, "nothing new: %ld file%s unchanged, ", ic.unchanged,
			      ic.unchanged == 1 ? "" : "s");
		stage_list(out, ST_MAP + 1, ST__COUNT, r->skipped);
		pl_buf_printf(out, " skipped");
		return;
	}
	if (ic_ok && ic.duplicate)
		pl_buf_printf(out, "%ld duplicate%s, ", ic.duplicate, ic.duplicate == 1 ? "" : "s");
	if (ic_ok)
		pl_buf_printf(out, "%ld file%s ingested, %ld unchanged", ic.ingested,
			      ic.ingested == 1 ? "" : "s", ic.unchanged);
	else
		pl_buf_printf(out, "ingest %s", r->ran[ST_INGEST] ? "ran" : "not run");
	if (mc_ok)
		pl_buf_printf(out, "; %ld file%s mapped", mc.mapped, mc.mapped == 1 ? "" : "s");
	else
		pl_buf_printf(out, "; map %s", r->ran[ST_MAP] ? "ran" : "not run");
	/* the others' summaries up to the first ':' ("2973 episodes, 1171 persons") */
	for (int i = ST_MAP + 1; i < ST__COUNT; i++) {
		const char *s = r->summary[i];
		size_t n = strcspn(s, ":");

		if (r->skipped[i])
			pl_buf_printf(out, "; %s skipped (nothing it reads changed)", stage_names[i]);
		else if (r->ran[i] && r->code[i] == 0 && n)
			pl_buf_printf(out, "; %s: %.*s", stage_names[i], (int)n, s);
		else if (r->ran[i] && r->code[i] == 0)
			pl_buf_printf(out, "; %s ran", stage_names[i]);
		else
			pl_buf_printf(out, "; %s %s", stage_names[i], r->ran[i] ? "failed" : "not run");
	}
}

static void close_run(struct run *r)
{
	for (int i = 0; i < ST__COUNT; i++)
		free(r->bin[i]);
	if (r->log && fclose(r->log) != 0)
		r->log_failed = 1;
	r->log = NULL;
	/* A run with work leaves no write-ahead log: its last connection
	 * checkpoints it into the database file and syncs that file, which
	 * waits for every dirty page of it in the page cache (after a restore
	 * or copy of the database, seconds per GB).  A run with nothing new
	 * wrote only its stage_run rows; they stay in the log (SQLite reads
	 * them from there; a later run's writes checkpoint them). */
	if (!r->nothing_new)
		open_db(r);
	if (r->db && !r->nothing_new)
		sqlite3_db_config(r->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, (int *)NULL);
	close_db(r);
	if (r->lock_fd >= 0)
		close(r->lock_fd); /* releases the lock */
	r->lock_fd = -1;
}

/* The error in d as one line: "file:line: message". */
static void say_diag(struct run *r, const struct pl_diag *d)
{
	if (d->line)
		say(r, PL_LOG_ERROR, "%s:%ld: %s", d->file, d->line, d->msg);
	else if (d->file[0])
		say(r, PL_LOG_ERROR, "%s: %s", d->file, d->msg);
	else
		say(r, PL_LOG_ERROR, "%s", d->msg);
}

enum pl_err run_run(const struct run_opts *opts, struct pl_diag *d)
{
	struct run r;
	struct pl_buf state_path, summary;
	char hex[PL_SHA256_HEX] = "";
	int kept[ST__COUNT] = { 0 }, not_run[ST__COUNT] = { 0 }, any_kept = 0, any_skipped = 0;
	enum pl_err err;
	int stopped = -1, code = EX_OK, got_65 = 0, reported = 0;

	memset(&r, 0, sizeof(r));
	r.o = opts;
	r.lock_fd = -1;
	pl_buf_init(&state_path);
	pl_buf_init(&summary);
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	signal(SIGPIPE, SIG_IGN); /* a closed stderr must not kill the run */
	r.out_dir = dir_of(opts->db_path);
	pl_buf_printf(&state_path, "%s/run.state", r.out_dir);
	err = find_programs(&r, d);
	if (!err)
		err = mkdir_p(r.out_dir, d);
	if (!err)
		err = take_lock(&r, d);
	if (!err)
		err = open_log(&r, d);
	if (err)
		goto cleanup;
	say(&r, PL_LOG_INFO, "started: input '%s', mappings '%s', database '%s', log '%s'",
	    opts->input_dir, opts->mapping_dir, opts->db_path, r.log_path);
	run_state_read(state_path.data, &r.state); /* under the lock: ours alone */
	for (int i = 0; i < ST__COUNT && stopped < 0; i++) {
		const struct skippable *sk = skippable_of(i);
		enum run_verdict v;

		if (sk && !stage_needed(&r, sk, hex)) {
			r.skipped[i] = 1;
			say(&r, PL_LOG_INFO, "%s: skipped, nothing it reads changed since its "
			    "last run", stage_names[i]);
			continue;
		}
		v = run_stage(&r, i, &err, d);
		if (err)
			goto cleanup;
		/* 65 from indicators (episodes without persons) computed nothing,
		 * from report (no indicator figures) published nothing */
		if (v == RUN_GO_ON_65 && i >= ST_INDICATORS)
			v = RUN_STOP;
		if (v == RUN_STOP) {
			stopped = i;
			code = r.code[i];
		} else if (v == RUN_GO_ON_65) {
			got_65 = 1;
		} else if (sk) {
			after_stage(&r, sk, state_path.data, hex);
		}
	}
	if (stopped >= 0) {
		if (r.sig[stopped])
			pl_buf_printf(&summary, "%s was killed by signal %d: exit %d",
				      stage_names[stopped], r.sig[stopped], code);
		else
			pl_buf_printf(&summary, "%s failed: exit %d (%s)", stage_names[stopped],
				      code, code_meaning(code));
		for (int i = 0; i < ST__COUNT; i++) {
			kept[i] = i < stopped && r.ran[i];
			any_kept |= kept[i];
			any_skipped |= i < stopped && r.skipped[i];
			not_run[i] = i > stopped;
		}
		if (any_kept) {
			pl_buf_printf(&summary, "; the work of ");
			stage_list(&summary, 0, stopped, kept);
			pl_buf_printf(&summary, " is kept");
		}
		if (any_skipped) {
			pl_buf_printf(&summary, "; ");
			stage_list(&summary, 0, stopped, r.skipped);
			pl_buf_printf(&summary, " skipped");
		}
		if (stopped < ST__COUNT - 1) {
			pl_buf_printf(&summary, "; ");
			stage_list(&summary, stopped + 1, ST__COUNT, not_run);
			pl_buf_printf(&summary, " not run");
		}
		err = run_err_of_code(code);
	} else if (got_65) {
		struct pl_buf files;
		struct run_ingest_counts ic;

		pl_buf_init(&files);
		failed_files(&r, &files);
		if (run_parse_ingest_summary(r.summary[ST_INGEST], &ic) == 0 && ic.failed)
			pl_buf_printf(&summary, "exit 65: ingest could not process %ld of %ld "
				      "file%s", ic.failed, ic.files, ic.files == 1 ? "" : "s");
		else
			pl_buf_printf(&summary, "exit 65: a stage could not process some input");
		if (files.len)
			pl_buf_printf(&summary, ": %s", files.data);
		pl_buf_printf(&summary, "; the others: ");
		describe_work(&r, &summary);
		pl_buf_release(&files);
		err = PL_EDATA;
	} else {
		describe_work(&r, &summary);
	}
	pl_buf_printf(&summary, "; %.2f s", seconds_since(&r.t0));
	if (err) {
		pl_diag_set(d, err, NULL, 0, "%s; log %s", summary.data, r.log_path);
		say(&r, PL_LOG_ERROR, "%s", d->msg);
	} else {
		say(&r, PL_LOG_INFO, "%s", summary.data);
	}
	reported = 1;
	open_db(&r);
	{
		/* The driver's own row is the night's metadata: its summary is
		 * logged already and every stage recorded its own run.  Best
		 * effort. */
		struct pl_diag ignored;

		(void)pl_db_record_run(r.db, "run", err, summary.data, &ignored);
	}
cleanup:
	if (err && !reported)
		say_diag(&r, d);
	close_run(&r);
	if (r.log_failed && !err) {
		err = pl_diag_set(d, PL_EIO, r.log_path, 0, "cannot write the run log");
		say_diag(&r, d);
	}
	free(r.log_path);
	free(r.out_dir);
	pl_buf_release(&state_path);
	pl_buf_release(&summary);
	return err;
}

/*
 * report/report.c - the report stage: tables from the database, disclosure
 * control and its audit, then every output (CSV, workbook, HTML).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "log.h"
#include "report.h"

void rep_meta_release(struct rep_meta *m)
{
	for (size_t i = 0; i < m->n_files; i++) {
		free(m->file_name[i]);
		free(m->file_sha256[i]);
		free(m->file_status[i]);
		free(m->file_message[i]);
	}
	for (size_t i = 0; i < m->n_mappings; i++) {
		free(m->mapping_source[i]);
		free(m->mapping_sha256[i]);
	}
	free(m->file_name);
	free(m->file_sha256);
	free(m->file_status);
	free(m->file_message);
	free(m->mapping_source);
	free(m->mapping_sha256);
	memset(m, 0, sizeof(*m));
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return pl_xstrdup(s ? (const char *)s : "");
}

enum pl_err rep_meta_load(sqlite3 *db, struct rep_meta *m, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err;
	size_t cap = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	pl_utc_now(m->run_at);
	snprintf(m->version, sizeof(m->version), "%s", PL_VERSION);
	err = pl_db_prepare(db, "SELECT name, coalesce(sha256, ''), status, coalesce(message, '') "
			    "FROM input_file ORDER BY name", &st, d);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (m->n_files == cap) {
			cap = cap ? 2 * cap : 16;
			m->file_name = pl_xrealloc(m->file_name, cap * sizeof(char *));
			m->file_sha256 = pl_xrealloc(m->file_sha256, cap * sizeof(char *));
			m->file_status = pl_xrealloc(m->file_status, cap * sizeof(char *));
			m->file_message = pl_xrealloc(m->file_message, cap * sizeof(char *));
		}
		m->file_name[m->n_files] = col_dup(st, 0);
		m->file_sha256[m->n_files] = col_dup(st, 1);
		m->file_status[m->n_files] = col_dup(st, 2);
		m->file_message[m->n_files++] = col_dup(st, 3);
	}
	sqlite3_finalize(st);
	st = NULL;
	cap = 0;
	if (!err)
		err = pl_db_prepare(db, "SELECT DISTINCT source, mapping_sha256 FROM input_file WHERE "
				    "source IS NOT NULL AND mapping_sha256 IS NOT NULL ORDER BY 1, 2",
				    &st, d);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (m->n_mappings == cap) {
			cap = cap ? 2 * cap : 16;
			m->mapping_source = pl_xrealloc(m->mapping_source, cap * sizeof(char *));
			m->mapping_sha256 = pl_xrealloc(m->mapping_sha256, cap * sizeof(char *));
		}
		m->mapping_source[m->n_mappings] = col_dup(st, 0);
		m->mapping_sha256[m->n_mappings++] = col_dup(st, 1);
	}
	sqlite3_finalize(st);
	if (err)
		rep_meta_release(m);
	return err;
}

void rep_summary_line(const struct rep_summary *sum, char *out, size_t size)
{
	snprintf(out, size, "%zu tables, %zu cells: %zu suppressed (%zu primary, %zu secondary)",
		 sum->tables, sum->cells, sum->suppressed_primary + sum->suppressed_secondary,
		 sum->suppressed_primary, sum->suppressed_secondary);
}

static void count_cells(const struct rep_tables *ts, struct rep_summary *sum)
{
	sum->tables = ts->n;
	for (size_t k = 0; k < ts->n; k++)
		for (size_t i = 0; i < ts->t[k].rows.n * ts->t[k].cols.n; i++) {
			unsigned f = ts->t[k].cells[i].flags;

			sum->cells++;
			sum->suppressed_primary += (f & REP_SUPP_PRIMARY) != 0;
			sum->suppressed_secondary += (f & REP_SUPP_PRIMARY) == 0 &&
				(f & REP_SUPP_SECONDARY) != 0;
		}
}

#define STALE_SECONDS 3600

/* Removes the staging directory dir: its files, those of dir/tables, then
 * both directories.  Best effort. */
static void remove_staging(const char *dir)
{
	const char *const subs[] = { "/tables", "" };
	struct pl_buf sub, path;

	pl_buf_init(&sub);
	pl_buf_init(&path);
	for (size_t k = 0; k < 2; k++) {
		struct dirent *de;
		DIR *dp;

		pl_buf_reset(&sub);
		pl_buf_printf(&sub, "%s%s", dir, subs[k]);
		if (!(dp = opendir(sub.data)))
			continue;
		while ((de = readdir(dp)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			pl_buf_reset(&path);
			pl_buf_printf(&path, "%s/%s", sub.data, de->d_name);
			unlink(path.data);
		}
		closedir(dp);
		rmdir(sub.data);
	}
	pl_buf_release(&sub);
	pl_buf_release(&path);
}

/* Removes temporary files a killed report run left in dir (the writers'
 * names, older than an hour, so that a report writing right now is left
 * alone).  Best effort. */
static void remove_stale_temps(const char *dir)
{
	static const char *const patterns[] = {
		"report-*.html.tmp-*", ".report.xlsx.tmp.*", ".*.csv.tmp.*", ".report.tmp.*",
	};
	struct pl_buf path;
	struct dirent *de;
	DIR *dp = opendir(dir);
	time_t now = time(NULL);

	if (!dp)
		return;
	pl_buf_init(&path);
	while ((de = readdir(dp)) != NULL) {
		struct stat st;

		for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
			if (fnmatch(patterns[i], de->d_name, FNM_PERIOD) != 0)
				continue;
			pl_buf_reset(&path);
			pl_buf_printf(&path, "%s/%s", dir, de->d_name);
			if (lstat(path.data, &st) == 0 && S_ISREG(st.st_mode) &&
			    now - st.st_mtime > STALE_SECONDS && unlink(path.data) == 0)
				pl_log(PL_LOG_INFO, path.data, "removed a temporary file a killed run "
				       "left");
			else if (i == 3 && lstat(path.data, &st) == 0 && S_ISDIR(st.st_mode) &&
				 now - st.st_mtime > STALE_SECONDS) {
				remove_staging(path.data);
				pl_log(PL_LOG_INFO, path.data, "removed a temporary directory a "
				       "killed run left");
			}
			break;
		}
	}
	closedir(dp);
	pl_buf_release(&path);
}

/* Moves every file of the staging directory into out_dir: the CSV tables
 * first, then the workbook, the HTML report last.  PL_ECANTCREAT naming the
 * file that could not be renamed. */
static enum pl_err publish(const char *staging, const char *out_dir, const char *html,
			   struct pl_diag *d)
{
	struct pl_buf from, to;
	enum pl_err err = PL_OK;
	struct dirent *de;
	DIR *dp;

	pl_buf_init(&from);
	pl_buf_init(&to);
	pl_buf_printf(&to, "%s/tables", out_dir);
	if (mkdir(to.data, 0755) != 0 && errno != EEXIST)
		err = pl_diag_set(d, PL_ECANTCREAT, to.data, 0, "cannot create directory: %s",
				  strerror(errno));
	pl_buf_reset(&from);
	pl_buf_printf(&from, "%s/tables", staging);
	if (!err && !(dp = opendir(from.data)))
		err = pl_diag_set(d, PL_EIO, from.data, 0, "cannot read: %s", strerror(errno));
	else if (!err) {
		while (!err && (de = readdir(dp)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			pl_buf_reset(&from);
			pl_buf_reset(&to);
			pl_buf_printf(&from, "%s/tables/%s", staging, de->d_name);
			pl_buf_printf(&to, "%s/tables/%s", out_dir, de->d_name);
			if (rename(from.data, to.data) != 0)
				err = pl_diag_set(d, PL_ECANTCREAT, to.data, 0, "cannot rename the "
						  "temporary file into place: %s", strerror(errno));
		}
		closedir(dp);
	}
	for (int k = 0; !err && k < 2; k++) {
		const char *name = k == 0 ? "report.xlsx" : html;

		pl_buf_reset(&from);
		pl_buf_reset(&to);
		pl_buf_printf(&from, "%s/%s", staging, name);
		pl_buf_printf(&to, "%s/%s", out_dir, name);
		if (rename(from.data, to.data) != 0)
			err = pl_diag_set(d, PL_ECANTCREAT, to.data, 0, "cannot rename the "
					  "temporary file into place: %s", strerror(errno));
	}
	pl_buf_release(&from);
	pl_buf_release(&to);
	return err;
}

/* The outputs are written into a staging directory in out_dir
 * (".report.tmp.XXXXXX") and renamed into place only when all of them were
 * written, so that a full disk or a write error leaves the previous report,
 * workbook and tables as they were (none replaced). */
enum pl_err rep_run(const struct rep_opts *opts, struct rep_summary *sum, struct pl_diag *d)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct rep_meta meta;
	struct pl_buf path, staging;
	sqlite3 *db = NULL;
	enum pl_err err;
	char msg[256], html[32];

	memset(sum, 0, sizeof(*sum));
	memset(&meta, 0, sizeof(meta));
	pl_buf_init(&path);
	pl_buf_init(&staging);
	snprintf(html, sizeof(html), "report-%s.html", opts->lang == REP_EN ? "en" : "sv");
	err = pl_db_open_existing(opts->db_path, &db, d);
	if (!err)
		err = rep_build(db, &ts, d);
	if (!err)
		err = rep_meta_load(db, &meta, d);
	if (err)
		goto cleanup;
	rep_disclosure(&ts);
	count_cells(&ts, sum);
	if (rep_audit(&ts, msg, sizeof(msg)) > 0) {
		err = pl_diag_set(d, PL_ESOFTWARE, opts->db_path, 0, "disclosure audit failed, "
				  "nothing published: %s", msg);
		goto cleanup;
	}
	if (mkdir(opts->out_dir, 0755) != 0 && errno != EEXIST) {
		err = pl_diag_set(d, PL_ECANTCREAT, opts->out_dir, 0, "cannot create the output "
				  "directory: %s", strerror(errno));
		goto cleanup;
	}
	pl_buf_printf(&path, "%s/tables", opts->out_dir);
	remove_stale_temps(opts->out_dir);
	remove_stale_temps(path.data);
	pl_buf_printf(&staging, "%s/.report.tmp.XXXXXX", opts->out_dir);
	if (!mkdtemp(staging.data)) {
		err = pl_diag_set(d, PL_ECANTCREAT, opts->out_dir, 0, "cannot create a temporary "
				  "directory in the output directory: %s", strerror(errno));
		pl_buf_reset(&staging);
		goto cleanup;
	}
	pl_buf_reset(&path);
	pl_buf_printf(&path, "%s/tables", staging.data);
	err = rep_write_csv(&ts, path.data, d);
	pl_buf_reset(&path);
	pl_buf_printf(&path, "%s/report.xlsx", staging.data);
	if (!err)
		err = rep_write_xlsx(&ts, path.data, d);
	pl_buf_reset(&path);
	pl_buf_printf(&path, "%s/%s", staging.data, html);
	if (!err)
		err = rep_write_html(&ts, &meta, opts->lang, path.data, d);
	if (!err)
		err = publish(staging.data, opts->out_dir, html, d);
cleanup:
	if (staging.len)
		remove_staging(staging.data);
	pl_db_close(db);
	rep_meta_release(&meta);
	rep_tables_release(&ts);
	pl_buf_release(&path);
	pl_buf_release(&staging);
	return err;
}

/*
 * tests/unit/unit_stage.h - the fixture of a test that runs a stage
 * through its entry (ingest_run, map_run, ...): a temporary directory
 * with input/ and maps/, the paths of the database and key file in it
 * (made by the stage), the stage's log in a temporary file at a chosen
 * level; and the rows of a query asserted as text.
 *
 * Include after cmocka.h, unit.h, db.h, log.h and unit_db.h.
 */
#ifndef UNIT_STAGE_H
#define UNIT_STAGE_H

struct unit_stage {
	struct unit_tmp tmp;
	char input[300], maps[300], db[300], key[300];
	struct pl_diag d;
	FILE *log;                    /* what the stage logs at the level asked */
};

/* Makes the directories and starts the log of stage at level into a
 * temporary file; -1 on failure. */
static inline int unit_stage_open(struct unit_stage *f, const char *stage,
				  enum pl_log_level level)
{
	void *t = NULL;

	if (unit_tmp_setup(&t) != 0)
		return -1;
	f->tmp = *(struct unit_tmp *)t;
	free(t);
	snprintf(f->input, sizeof(f->input), "%s/input", f->tmp.dir);
	snprintf(f->maps, sizeof(f->maps), "%s/maps", f->tmp.dir);
	snprintf(f->db, sizeof(f->db), "%s/p.db", f->tmp.dir);
	snprintf(f->key, sizeof(f->key), "%s/key/p.key", f->tmp.dir);
	if (mkdir(f->input, 0700) != 0 || mkdir(f->maps, 0700) != 0)
		return -1;
	f->log = tmpfile();
	if (!f->log)
		return -1;
	pl_log_setup(stage, level, f->log);
	return 0;
}

/* The log back to stderr, errors only, and the directory removed. */
static inline void unit_stage_close(struct unit_stage *f)
{
	pl_log_setup("test", PL_LOG_ERROR, NULL);
	if (f->log)
		fclose(f->log);
	unit_rm_rf(f->tmp.dir);
}

/* Writes dir/name (dir: f->input or f->maps) with text. */
static inline void unit_stage_put(const char *dir, const char *name, const char *text)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(unit_write_str(path, text), 0);
}

/* What the stage logged since the last call, into out (then forgotten). */
static inline const char *unit_stage_log(struct unit_stage *f, char *out, size_t size)
{
	size_t n;

	fflush(f->log);
	rewind(f->log);
	n = fread(out, 1, size - 1, f->log);
	out[n] = '\0';
	rewind(f->log);
	assert_int_equal(ftruncate(fileno(f->log), 0), 0);
	return out;
}

/* Asserts that the rows of sql (unit_query_rows) are want. */
static inline void unit_assert_rows(const char *db_path, const char *sql, const char *want)
{
	char got[2048];

	unit_query_rows(db_path, sql, got, sizeof(got));
	assert_string_equal(got, want);
}

#endif

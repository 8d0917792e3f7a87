/*
 * tests/unit/unit_db.h - a fresh pipeline database per test: a temporary
 * directory (unit.h) holding p.db, opened with pl_db_open (so at the
 * current schema version), and removed in teardown.
 *
 * Include after unit.h and db.h.
 */
#ifndef UNIT_DB_H
#define UNIT_DB_H

/* Makes tmp and opens tmp/p.db into *db; -1 on failure (details in d). */
static inline int unit_db_open(struct unit_tmp *tmp, sqlite3 **db, struct pl_diag *d)
{
	void *t = NULL;
	char path[300];

	if (unit_tmp_setup(&t) != 0)
		return -1;
	*tmp = *(struct unit_tmp *)t;
	free(t);
	snprintf(path, sizeof(path), "%s/p.db", tmp->dir);
	return pl_db_open(path, db, d) == PL_OK ? 0 : -1;
}

/* Closes db and removes tmp. */
static inline void unit_db_close(struct unit_tmp *tmp, sqlite3 *db)
{
	sqlite3_close(db);
	unit_rm_rf(tmp->dir);
}

#endif

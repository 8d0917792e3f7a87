/*
 * dedup/store.h - writing person and episode_person as changes.
 *
 * A run of dedup computes every person again, but from one night to the
 * next few of them change.  So the rows the two tables hold are read back
 * first (through external sorts, in person_id and in (file_id, line)
 * order), the new rows are matched against them as they come in the same
 * orders, and only the differences are written: new rows inserted, changed
 * rows updated, rows that are no longer there deleted.
 *
 * With no old rows (a first run, or tables rebuilt) there is nothing to
 * look up or change: each batch of inserts is written on a thread of its
 * own while the caller fills the next, and the caller must not use the
 * connection between store_open and store_finish.
 *
 * A person keeps its person_key while its person_id exists; a new person
 * gets the next key after the largest the table had.  On an empty table
 * that is 1..n in person_id order.  Memory is a few MiB whatever the size.
 *
 * The caller gives the persons in person_id order and then the episodes in
 * (file_id, line) order, each once, inside its own transaction.
 *
 * A night (store_open_touched) reads nothing back: the caller gives only
 * the persons a new episode reaches and all their episodes, old and new,
 * and each is looked up: an episode by (file_id, line), a person through
 * its anchor (store_person_begin), for person_id has no index.  That serves
 * because clustering decides within a component (dedup/persons.c): every
 * other person is as it was, and an old person whose component a new
 * episode reaches has all its episodes given.  So an old person whose
 * episodes all went to other persons, and whose id is not given again, is
 * gone.
 *
 * What changed is also logged for the indicators stage (schema.sql,
 * person_change): every episode whose row is updated or deleted, with the
 * person it had, unless the episode is logged already.  When there was no
 * row to change (a first run, or tables rebuilt) nothing is logged: the
 * log is emptied and person_epoch counts one more, so that a state built
 * on the rows before is known to be stale.
 */
#ifndef DEDUP_STORE_H
#define DEDUP_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "extsort.h"
#include "pl.h"

enum step { STEP_DETERMINISTIC, STEP_PROBABILISTIC, STEP_UNLINKED };
extern const char *const store_step_names[];   /* by enum step */

struct store_person {
	uint64_t hi, lo;           /* person_id as 128 bits (32 hex digits) */
	int64_t key;               /* set by store_person_begin */
	const char *basis;         /* PNR, RESERV, LINKED or SINGLE */
	long n_episodes;
	int n_districts;
	/* a night: an old episode of the person that the old person with this
	 * id, had there been one, held (store_person_begin); none: a new id */
	int anchored;
	int64_t anchor_file, anchor_line;
};

/* Rows written to one table. */
struct store_counts {
	long inserted, updated, deleted;
};

struct store_row;              /* a row waiting for a batched insert */
struct store_batch;            /* rows being inserted on a thread of their own */

struct store {
	sqlite3 *db;
	struct pl_extsort old_p;   /* person: (id, key, fingerprint) by id */
	struct pl_extsort old_e;   /* episode_person: ((file_id, line), key, step) */
	struct pl_kv p_at, e_at;   /* the next old row of each */
	int p_rc, e_rc;            /* 1: *_at holds a row; 0: no more */
	int found;                 /* the person begun had a row, with fingerprint found_fp */
	uint32_t found_fp;
	int64_t max_key;           /* the largest person_key given out */
	sqlite3_stmt *p_update, *p_delete, *e_update, *e_delete;
	sqlite3_stmt *log;         /* into person_change; NULL: not logging */
	struct store_row *rows;    /* inserts waiting, of one table at a time */
	size_t n_rows;
	int rows_table;            /* 0 person, 1 episode_person */
	struct store_batch *bg;    /* no old rows: only inserts, each batch written on a
				    * thread while the next fills (NULL: in turn) */
	struct store_counts persons, episodes;
	int rebuilt;               /* the old rows could not be matched: written whole */
	long n_old_e;              /* episode_person rows read back */
	long logged;               /* rows added to person_change */
	/* a night (store_open_touched): rows looked up, not read back */
	int touched;
	sqlite3_stmt *p_get, *e_find;  /* person by key, episode_person by (file_id, line) */
	int64_t *met;              /* the old person keys of the episodes given (sorted and
				    * unique after store_finish: their links are stale) */
	size_t n_met, cap_met;
	int64_t *kept;             /* the keys of the persons given that had a row */
	size_t n_kept, cap_kept;
	int64_t last_old_key;      /* the person key the episode given last had, 0: none */
};

/* A person_id or person_ref (32 hex digits, as pl_pseudonym writes them)
 * as 128 bits; 0 if it is not one. */
int store_id_bits(const char *id, uint64_t *hi, uint64_t *lo);

/* Reads the rows the tables hold (runs go to spill files in dir).  Rows
 * this program would not have written (a person_id that is not 32 hex
 * digits, a key beyond 32 bits) make it empty both tables and write them
 * whole instead; s->rebuilt says so. */
enum pl_err store_open(struct store *s, sqlite3 *db, const char *dir, struct pl_diag *d);

/* A night's store: only the persons a new episode reaches, and all their
 * episodes, are given (see above). */
enum pl_err store_open_touched(struct store *s, sqlite3 *db, struct pl_diag *d);

/* The next person, by person_id: deletes the persons before it that are
 * gone and sets p->key (its old key, else a new one).  A night finds the
 * old key through p's anchor: the person its anchor episode had, if that
 * person's id is p's.  The old person with p's id, if any, held every old
 * episode of p's valid or reserve number (one number, one person), else
 * the episode it was named after, p's first; so the caller anchors p at an
 * old episode of its own number, else at its first episode if that is
 * old, else nowhere (p is new).  An anchor without a row is an error. */
enum pl_err store_person_begin(struct store *s, struct store_person *p, struct pl_diag *d);
/* Writes person p (now with its counts) if it is new or changed. */
enum pl_err store_person_end(struct store *s, const struct store_person *p,
			     struct pl_diag *d);

/* The next episode, by (file_id, line), and its person's key and step
 * (s->last_old_key then says its person before). */
enum pl_err store_episode(struct store *s, int64_t file_id, int64_t line, int64_t key,
			  enum step step, struct pl_diag *d);

/* Deletes the old rows not met again and writes what is waiting. */
enum pl_err store_finish(struct store *s, struct pl_diag *d);
void store_release(struct store *s);

#endif

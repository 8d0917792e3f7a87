/*
 * map/map.c - the map stage: raw rows onto the common schema.
 *
 * For each ingested file not yet mapped with its source's current mapping
 * file, in one transaction: resolve the mapping's columns in the file's
 * header, then turn every raw row (raw_chunk, lib/rawrows) into an
 * episode or a reject (stage 'map'), count every distinct value of every
 * recoded field (map_value), and record
 * the file in mapped_file.  A file mapped before (a mapping edit) is mapped
 * again in place: only the episodes that differ are written ("a file mapped
 * again", below).  Every mapping problem that does not depend on a
 * row's values is found before any row is mapped, and is a configuration
 * error (exit 78).
 *
 * Two threads share the work of a file.  This one reads the raw rows and
 * opens their sealed values, hands them in batches of BATCH_ROWS to the
 * mapping thread (recoding, pseudonyms: map_batch), takes the mapped
 * batches back in the same order and stores them, all on its one
 * connection.  Opening the sealed values moved to this side once bulk
 * writes (lib/db) had made storing cheaper than mapping: map at 1M rows
 * 1.78 -> 1.64 s; at 10M, where storing costs more a row, about even.  N_BATCHES batches in all go
 * round between the two, so memory does not grow with the input; what is
 * stored, and in which order, is what one thread would have stored.
 *
 * The connection runs with PRAGMA ignore_check_constraints: SQLite tests a
 * CHECK (x IN ('a', 'b', 'c')) through a temporary b-tree it builds anew for
 * every row inserted, which cost more than the rest of the row's insert.  The
 * CHECK constraints of the tables this stage writes (episode, mapped_file) are
 * tested here instead, before each insert, with the same result: the file's
 * transaction is rolled back and the stage fails (exit 70).
 */
#define _POSIX_C_SOURCE 200809L
#include "map.h"

#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "pnr.h"
#include "progress.h"
#include "queue.h"
#include "rawrows.h"
#include "schema.h"
#include "sealed.h"
#include "secret.h"
#include "source.h"
#include "text.h"
#include "value.h"

#define FIELD_SEP PL_RAW_SEP
#define MAX_LOGGED_REJECTS 10
/* Episodes per INSERT statement: one statement execution (its start, its
 * statement transaction for the foreign key, its end) for many rows.  64 rows
 * x 16 values stay far below the limit on bound parameters (32766). */
#define EPISODE_BATCH 64
#define EPISODE_COLS 16
/* Raw rows per batch handed to the mapping thread, and batches in all: one
 * being read, one stored, two for the mapping thread (a few hundred KiB). */
#define BATCH_ROWS 256
#define N_BATCHES 4

enum stmt_id {
	S_CLEAR_EPISODES, S_CLEAR_REJECTS, S_CLEAR_VALUES, S_CLEAR_MAPPED,
	S_COLUMNS, S_INSERT_EPISODE, S_INSERT_REJECT, S_INSERT_VALUE,
	S_INSERT_MAPPED, S_OLD_RANGE, S_UPDATE_EPISODE, S_DELETE_EPISODE, S_LOG_BEFORE,
	S_LOG_CHANGE, S_LOG_NEW, S__COUNT
};

/* episode's columns (EPISODE_COLS), in table order: bind_episode's. */
#define EPISODE_KEY "file_id, line"
#define EPISODE_VALUE_COLS "district, person_ref, id_type, id_flaw, birth_date, birth_year, " \
	"sex, intervention, provider, substance, start_date, end_date, cost_sek, children"
#define EPISODE_INSERT "INSERT INTO episode (" EPISODE_KEY ", " EPISODE_VALUE_COLS ") VALUES "
#define EPISODE_VALUES "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"   /* EPISODE_COLS */

static const char *const stmt_sql[S__COUNT] = {
	[S_CLEAR_EPISODES] = "DELETE FROM episode WHERE file_id = ?1",
	[S_CLEAR_REJECTS] = "DELETE FROM reject WHERE file_id = ?1 AND stage = 'map'",
	[S_CLEAR_VALUES] = "DELETE FROM map_value WHERE file_id = ?1",
	[S_CLEAR_MAPPED] = "DELETE FROM mapped_file WHERE file_id = ?1",
	[S_COLUMNS] = "SELECT name, sealed FROM file_column WHERE file_id = ?1 ORDER BY col_idx",
	[S_INSERT_EPISODE] = EPISODE_INSERT EPISODE_VALUES,
	[S_INSERT_REJECT] = "INSERT INTO reject (file_id, line, stage, field, code, reason, value) "
			    "VALUES (?1, ?2, 'map', ?3, ?4, ?5, ?6)",
	[S_INSERT_VALUE] = "INSERT INTO map_value (file_id, field, value, code, n, first_line) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_INSERT_MAPPED] = "INSERT INTO mapped_file (file_id, mapping_sha256, rows_read, rows_kept, "
			    "rows_rejected, mapped_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/* a file mapped again in place (see "mapped again" below): */
	[S_OLD_RANGE] = "SELECT line, " EPISODE_VALUE_COLS " FROM episode WHERE file_id = ?1 "
			"AND line > ?2 AND line <= ?3 ORDER BY line",
	[S_UPDATE_EPISODE] = "UPDATE episode SET district = ?3, person_ref = ?4, id_type = ?5, "
			     "id_flaw = ?6, birth_date = ?7, birth_year = ?8, sex = ?9, "
			     "intervention = ?10, provider = ?11, substance = ?12, start_date = ?13, "
			     "end_date = ?14, cost_sek = ?15, children = ?16 "
			     "WHERE file_id = ?1 AND line = ?2",
	[S_DELETE_EPISODE] = "DELETE FROM episode WHERE file_id = ?1 AND line = ?2",
	[S_LOG_BEFORE] = "INSERT OR IGNORE INTO episode_before (" EPISODE_KEY ", " EPISODE_VALUE_COLS
			 ") SELECT " EPISODE_KEY ", " EPISODE_VALUE_COLS " FROM episode "
			 "WHERE file_id = ?1 AND line = ?2 AND EXISTS (SELECT 1 FROM "
			 "episode_person p WHERE p.file_id = ?1 AND p.line = ?2)",
	[S_LOG_CHANGE] = "INSERT OR IGNORE INTO person_change (file_id, line, old_key) "
			 "SELECT file_id, line, person_key FROM episode_person "
			 "WHERE file_id = ?1 AND line = ?2",
	[S_LOG_NEW] = "INSERT OR IGNORE INTO person_change (file_id, line, old_key) "
		      "VALUES (?1, ?2, 0)",
};

/* Distinct values of recoded fields in one file: open addressing. */
struct cov_entry {
	char *value;           /* NULL: free slot */
	int field;
	const char *code;      /* NULL: unmapped */
	long n;
	long first_line;
};

struct coverage {
	struct cov_entry *slots;
	size_t cap, len;
};

/* One file to map, with its mapping resolved against its header. */
struct mfile {
	long long file_id;
	char *name;
	const struct pl_source *src;
	size_t n_cols;
	char **col_names;
	int col[PL_F__COUNT];          /* column of each field, -1 if none */
	int sealed_pos[PL_F__COUNT];   /* its place among the sealed values, -1 */
	int *rule_col;                 /* column of each rule */
	struct pl_date ref;            /* reference date for identity numbers */
	long rows_read, rows_kept, rows_rejected;
	struct coverage cov;
	int again;                     /* mapped before: in place (see "mapped again") */
	long old_upto;                 /* its stored episodes read up to this line */
	long n_same, n_changed, n_added, n_removed;   /* of its episodes, in place */
};

/* The stored episodes of a file mapped again, for the lines of a batch:
 * each one's line and its values encoded (encode_old) in data. */
struct old_rows {
	size_t n, cap, next;           /* next: the first not yet met */
	long *line;
	size_t *off, *len;
	struct pl_buf data;
	struct pl_buf enc;             /* a new episode encoded, to compare */
};

struct map {
	const struct map_opts *o;
	struct map_summary *sum;
	struct pl_source_set sources;
	sqlite3 *db;
	sqlite3_stmt *st[S__COUNT];
	unsigned char seal_key[PL_KEY_BYTES];
	unsigned char ref_key[PL_KEY_BYTES];
	struct pl_date today;
	struct mfile *files;
	size_t n_files;
	struct pl_buf scratch;         /* for this thread's log lines */
	struct pl_raw_reader raw;      /* the file's raw rows (read_batch) */
	struct pl_sealed_reader sealed; /* the file's sealed values, opened (read_batch) */
	uint64_t rows_to_map;          /* raw rows of the files to map (progress) */
	uint64_t rows_done;            /* of those, mapped so far (progress) */
	sqlite3_stmt *batch_st;        /* INSERT of EPISODE_BATCH episodes */
	struct episode *batch;         /* episodes mapped, not yet stored */
	size_t n_batch;
	struct pl_db_group group;      /* the files' units, committed together */
	struct old_rows old;
};

/* What a row maps to. */
struct episode {
	long line;                      /* source line */
	char person_ref[PL_PSEUDONYM_HEX];
	const char *id_type;
	const char *id_flaw;
	char birth_date[11];
	int birth_year;
	const char *code[PL_F__COUNT];  /* coded fields */
	char start[11], end[11];
	int has_cost;
	double cost;
};

/* One value of an episode row as it is bound. */
struct ep_value {
	int type;                       /* SQLITE_INTEGER, _FLOAT, _TEXT or _NULL */
	sqlite3_int64 i;
	double r;
	const char *text;
};

/* What a row maps to, or why it cannot be mapped. */
struct outcome {
	struct episode ep;
	int field;                      /* field to blame, -1 for the row */
	const char *reject_code;
	char reason[200];
	const char *value;              /* NULL or value_copy */
	char value_copy[512];           /* the value blamed (values are trimmed to 511) */
};

static uint64_t hash_str(int field, const char *s)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)field;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void cov_grow(struct coverage *c);

static void cov_add(struct coverage *c, int field, const char *value, const char *code, long line)
{
	size_t i;

	if ((c->len + 1) * 10 > c->cap * 7)
		cov_grow(c);
	for (i = hash_str(field, value) & (c->cap - 1); c->slots[i].value; i = (i + 1) & (c->cap - 1)) {
		if (c->slots[i].field == field && strcmp(c->slots[i].value, value) == 0) {
			c->slots[i].n++;
			return;
		}
	}
	c->slots[i].value = pl_xstrdup(value);
	c->slots[i].field = field;
	c->slots[i].code = code;
	c->slots[i].n = 1;
	c->slots[i].first_line = line;
	c->len++;
}

static void cov_grow(struct coverage *c)
{
	struct coverage bigger = { NULL, c->cap ? 2 * c->cap : 64, 0 };

	bigger.slots = pl_xcalloc(bigger.cap, sizeof(*bigger.slots));
	for (size_t i = 0; i < c->cap; i++) {
		struct cov_entry *e = &c->slots[i];
		size_t j;

		if (!e->value)
			continue;
		for (j = hash_str(e->field, e->value) & (bigger.cap - 1); bigger.slots[j].value;
		     j = (j + 1) & (bigger.cap - 1))
			;
		bigger.slots[j] = *e;
		bigger.len++;
	}
	free(c->slots);
	*c = bigger;
}

static void cov_release(struct coverage *c)
{
	for (size_t i = 0; i < c->cap; i++)
		free(c->slots[i].value);
	free(c->slots);
	c->slots = NULL;
	c->cap = c->len = 0;
}

static void mfile_release(struct mfile *mf)
{
	for (size_t c = 0; c < mf->n_cols; c++)
		free(mf->col_names[c]);
	free(mf->col_names);
	free(mf->rule_col);
	free(mf->name);
	cov_release(&mf->cov);
}

/* Index of the first column whose folded name is one of the aliases. */
static int find_column(char **folded, size_t n_cols, const struct pl_aliases *a)
{
	for (size_t k = 0; k < a->n_names; k++)
		for (size_t c = 0; c < n_cols; c++)
			if (strcmp(folded[c], a->names[k]) == 0)
				return (int)c;
	return -1;
}

static enum pl_err resolve_columns(struct map *m, struct mfile *mf, int *sealed, char **folded,
				   struct pl_diag *d)
{
	const struct pl_source *src = mf->src;

	for (int f = 0; f < PL_F__COUNT; f++) {
		const struct pl_aliases *a = &src->columns[f];

		mf->col[f] = a->n_names ? find_column(folded, mf->n_cols, a) : -1;
		mf->sealed_pos[f] = -1;
		if (a->n_names && mf->col[f] < 0)
			return pl_diag_set(d, PL_ECONFIG, src->path, a->line,
					   "file '%s' has no column for %s ('%s' or its aliases)",
					   mf->name, pl_field_name((enum pl_field)f), a->names[0]);
		if (mf->col[f] >= 0 && sealed[mf->col[f]]) {
			int pos = 0;

			for (int c = 0; c < mf->col[f]; c++)
				pos += sealed[c];
			mf->sealed_pos[f] = pos;
		}
	}
	mf->rule_col = pl_xcalloc(src->n_rules ? src->n_rules : 1, sizeof(int));
	for (size_t r = 0; r < src->n_rules; r++) {
		int c = -1;

		for (size_t k = 0; k < mf->n_cols && c < 0; k++)
			if (strcmp(folded[k], src->rules[r].column) == 0)
				c = (int)k;
		if (c < 0)
			return pl_diag_set(d, PL_ECONFIG, src->path, src->rules[r].line,
					   "[rule %s]: file '%s' has no column '%s'",
					   src->rules[r].name, mf->name, src->rules[r].column);
		if (sealed[c])
			return pl_diag_set(d, PL_ECONFIG, src->path, src->rules[r].line,
					   "[rule %s]: column '%s' is sensitive and cannot be tested",
					   src->rules[r].name, src->rules[r].column);
		mf->rule_col[r] = c;
	}
	(void)m;
	return PL_OK;
}

/* Loads the file's header and resolves the mapping in it. */
static enum pl_err load_columns(struct map *m, struct mfile *mf, struct pl_diag *d)
{
	sqlite3_stmt *st = m->st[S_COLUMNS];
	int *sealed = NULL;
	char **folded = NULL;
	enum pl_err err = PL_OK;
	int rc;

	sqlite3_bind_int64(st, 1, mf->file_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		mf->col_names = pl_xrealloc(mf->col_names, (mf->n_cols + 1) * sizeof(char *));
		sealed = pl_xrealloc(sealed, (mf->n_cols + 1) * sizeof(int));
		folded = pl_xrealloc(folded, (mf->n_cols + 1) * sizeof(char *));
		mf->col_names[mf->n_cols] = pl_xstrdup(name ? name : "");
		sealed[mf->n_cols] = sqlite3_column_int(st, 1);
		folded[mf->n_cols] = pl_xstrdup(pl_fold(mf->col_names[mf->n_cols],
							strlen(mf->col_names[mf->n_cols]), &m->scratch));
		mf->n_cols++;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		err = pl_db_fail(m->db, rc, "read header", d);
	if (!err)
		err = resolve_columns(m, mf, sealed, folded, d);
	for (size_t c = 0; c < mf->n_cols; c++)
		free(folded[c]);
	free(folded);
	free(sealed);
	return err;
}

/* Splits s in place at FIELD_SEP into at most max values; returns count. */
static size_t split_values(char *s, const char **vals, size_t max)
{
	size_t n = 0;

	vals[n++] = s;
	while (n < max && (s = strchr(s, FIELD_SEP)) != NULL) {
		*s++ = '\0';
		vals[n++] = s;
	}
	return n;
}

static int reject_row(struct outcome *o, int field, const char *code, const char *value,
		      const char *fmt, const char *a, const char *b)
{
	o->field = field;
	o->reject_code = code;
	o->value = NULL;
	if (value) {
		snprintf(o->value_copy, sizeof(o->value_copy), "%s", value);
		o->value = o->value_copy;
	}
	snprintf(o->reason, sizeof(o->reason), fmt, a, b);
	return -1;
}

/* Trimmed copy of a value into a small buffer set (values are short). */
struct row {
	const char *val[PL_F__COUNT];  /* trimmed value of each field's column, "" if none */
	char store[PL_F__COUNT][512];
	const char **cols;             /* all values of the row (for rules) */
	size_t n_cols;
	const char **secret;           /* the unsealed values */
	size_t cap;                    /* of cols and secret */
	struct pl_pnr pnr;
	int pnr_valid;
	const char *recoded[PL_F__COUNT]; /* recode table's code of a non-empty value (cover_row) */
};

/* The mapping thread's own state: the key is the run's, read only. */
struct mapper {
	const unsigned char *ref_key;
	struct pl_buf plain;           /* a value being folded */
	struct pl_buf scratch;
	struct row r;
};

static const char *trim_into(const char *s, char *out, size_t size)
{
	size_t len;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n'))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(out, s, len);
	out[len] = '\0';
	return out;
}

static const char *unknown_code(int f)
{
	switch (f) {
	case PL_F_SEX: return "U";
	case PL_F_SUBSTANCE: return "UNK";
	case PL_F_CHILDREN: return "U";
	default: return NULL;
	}
}

static const char *derived_sex(const struct row *r)
{
	return r->pnr_valid ? (r->pnr.sex == 'M' ? "M" : "F") : NULL;
}

/* Sets o->ep.code[f] for a coded field; -1 with the reject in o. */
static int map_code(struct mfile *mf, struct row *r, int f, struct outcome *o)
{
	struct episode *ep = &o->ep;
	const struct pl_source *src = mf->src;
	const struct pl_field_spec *spec = &src->fields[f];
	const char *v = r->val[f];
	const char *code;

	for (size_t i = 0; i < src->n_rules; i++) {
		const struct pl_rule *rule = &src->rules[i];
		int c = mf->rule_col[i];
		char tested[512];

		if (rule->field == f && (size_t)c < r->n_cols &&
		    regexec(&rule->re, trim_into(r->cols[c], tested, sizeof(tested)),
			    0, NULL, 0) == 0) {
			ep->code[f] = rule->to;
			return 0;
		}
	}
	if (mf->col[f] < 0) {
		code = spec->constant ? spec->constant
		     : spec->derive && derived_sex(r) ? derived_sex(r) : unknown_code(f);
		if (!code && f == PL_F_INTERVENTION)
			return reject_row(o, f, "missing_value", "", "no intervention%s%s", "", "");
		ep->code[f] = code;
		return 0;
	}
	if (!*v) {
		code = f == PL_F_SEX && spec->derive && derived_sex(r) ? derived_sex(r)
		     : spec->blank ? spec->blank : unknown_code(f);
		if (!code && f == PL_F_INTERVENTION)
			return reject_row(o, f, "missing_value", v, "%s is empty%s",
					  mf->col_names[mf->col[f]], "");
		ep->code[f] = code; /* provider may stay unknown (NULL) */
		return 0;
	}
	code = r->recoded[f]; /* cover_row looked the value up */
	if (!code)
		code = spec->unmapped;
	if (!code)
		return reject_row(o, f, "unmapped_code", v, "no mapping for '%s' in [recode %s]",
				  v, pl_field_name((enum pl_field)f));
	ep->code[f] = code;
	return 0;
}

/* Parses a date with the source's formats; "" stays "". */
static int map_date(const struct pl_source *src, const char *v, char out[11])
{
	struct pl_date dt;

	out[0] = '\0';
	if (!*v)
		return 0;
	for (size_t i = 0; i < src->n_date_formats; i++) {
		if (pl_date_parse(v, src->date_formats[i], &dt) == 0) {
			pl_date_iso(&dt, out);
			return 0;
		}
	}
	return -1;
}

static void map_identity(struct mapper *w, struct mfile *mf, struct row *r, struct episode *ep)
{
	const char *v = r->val[PL_F_IDENTITY_NUMBER];

	ep->id_type = "NONE";
	ep->id_flaw = NULL;
	ep->person_ref[0] = '\0';
	r->pnr_valid = 0;
	if (!*v)
		return;
	if (mf->src->reserve && regexec(&mf->src->reserve_re, v, 0, NULL, 0) == 0) {
		pl_buf_reset(&w->scratch);
		pl_buf_append(&w->scratch, "R|", 2);
		pl_buf_append(&w->scratch, mf->src->name, strlen(mf->src->name));
		pl_buf_putc(&w->scratch, '|');
		pl_fold(v, strlen(v), &w->plain);
		pl_buf_append(&w->scratch, w->plain.data, w->plain.len);
		pl_pseudonym(w->ref_key, w->scratch.data, w->scratch.len, ep->person_ref);
		ep->id_type = "RESERV";
		return;
	}
	if (pl_pnr_parse(v, &mf->ref, &r->pnr) == PL_ID_NONE) {
		ep->id_flaw = pl_pnr_flaw_text(r->pnr.flaw);
		return;
	}
	r->pnr_valid = 1;
	ep->id_type = pl_id_type_code(r->pnr.type);
	pl_buf_reset(&w->scratch);
	pl_buf_append(&w->scratch, "P|", 2);
	pl_buf_append(&w->scratch, r->pnr.norm, strlen(r->pnr.norm));
	pl_pseudonym(w->ref_key, w->scratch.data, w->scratch.len, ep->person_ref);
}

static int map_birth(struct mfile *mf, struct row *r, struct outcome *o)
{
	struct episode *ep = &o->ep;
	const struct pl_source *src = mf->src;
	const char *v = r->val[PL_F_BIRTH_DATE];
	const char *y = r->val[PL_F_BIRTH_YEAR];

	ep->birth_year = 0;
	if (map_date(src, v, ep->birth_date) != 0)
		return reject_row(o, PL_F_BIRTH_DATE, "bad_date", v, "'%s' is not a date in %s",
				  v, "the [dates] formats");
	if (!ep->birth_date[0] && src->fields[PL_F_BIRTH_DATE].derive && r->pnr_valid)
		pl_date_iso(&r->pnr.birth, ep->birth_date);
	if (*y) {
		char *end;
		long year = strtol(y, &end, 10);

		if (*end || strlen(y) != 4 || year < mf->ref.year - 120 || year > mf->ref.year)
			return reject_row(o, PL_F_BIRTH_YEAR, "bad_birth_year", y,
					  "birth year '%s' is not a plausible year%s", y, "");
		ep->birth_year = (int)year;
	} else if (ep->birth_date[0]) {
		ep->birth_year = atoi(ep->birth_date);
	} else if (src->fields[PL_F_BIRTH_YEAR].derive && r->pnr_valid) {
		ep->birth_year = r->pnr.birth.year;
	}
	if (ep->birth_date[0] && (atoi(ep->birth_date) < mf->ref.year - 120 ||
				  atoi(ep->birth_date) > mf->ref.year))
		return reject_row(o, PL_F_BIRTH_DATE, "bad_birth_year", v,
				  "birth date '%s' is not plausible%s", v, "");
	return 0;
}

static int map_period_and_cost(struct mfile *mf, struct row *r, struct outcome *o)
{
	struct episode *ep = &o->ep;
	const struct pl_source *src = mf->src;
	const char *s = r->val[PL_F_START_DATE], *e = r->val[PL_F_END_DATE];
	const char *c = r->val[PL_F_COST_SEK];

	if (!*s)
		return reject_row(o, PL_F_START_DATE, "missing_value", s, "no start date%s%s", "", "");
	if (map_date(src, s, ep->start) != 0)
		return reject_row(o, PL_F_START_DATE, "bad_date", s, "'%s' is not a date in %s",
				  s, "the [dates] formats");
	if (map_date(src, e, ep->end) != 0)
		return reject_row(o, PL_F_END_DATE, "bad_date", e, "'%s' is not a date in %s",
				  e, "the [dates] formats");
	if (ep->end[0] && strcmp(ep->end, ep->start) < 0)
		return reject_row(o, PL_F_END_DATE, "end_before_start", e,
				  "end date '%s' is before the start date '%s'", e, s);
	ep->has_cost = 0;
	if (*c) {
		if (pl_number_parse(c, src->decimal, &ep->cost) != 0)
			return reject_row(o, PL_F_COST_SEK, "bad_number", c,
					  "'%s' is not a number (decimal %s)", c,
					  src->decimal == ',' ? "comma" : "point");
		ep->has_cost = 1;
	}
	return 0;
}

static const int coded_fields[] = {
	PL_F_SEX, PL_F_INTERVENTION, PL_F_PROVIDER, PL_F_SUBSTANCE, PL_F_CHILDREN
};

/* Fills the row's field values from the stored and the opened sealed
 * values (plain, NULL if none). */
static void gather(struct mfile *mf, struct row *r, char *fields, char *plain)
{
	const char **cols = r->cols, **secret = r->secret;
	size_t n_secret = 0;

	r->n_cols = split_values(fields, cols, r->cap);
	if (plain)
		n_secret = split_values(plain, secret, r->cap);
	for (int f = 0; f < PL_F__COUNT; f++) {
		const char *v = "";

		if (mf->sealed_pos[f] >= 0 && (size_t)mf->sealed_pos[f] < n_secret)
			v = secret[mf->sealed_pos[f]];
		else if (mf->sealed_pos[f] < 0 && mf->col[f] >= 0 && (size_t)mf->col[f] < r->n_cols)
			v = cols[mf->col[f]];
		r->val[f] = trim_into(v, r->store[f], sizeof(r->store[f]));
	}
}

/* Counts every non-empty value of every recoded field, whether or not the
 * row maps: coverage is what an analyst completes a mapping from. */
static void cover_row(struct mapper *w, struct mfile *mf, struct row *r, long line)
{
	for (size_t i = 0; i < sizeof(coded_fields) / sizeof(coded_fields[0]); i++) {
		int f = coded_fields[i];
		const char *v = r->val[f];

		r->recoded[f] = NULL;
		if (mf->col[f] < 0 || !*v)
			continue;
		pl_fold(v, strlen(v), &w->scratch);
		r->recoded[f] = pl_recode_lookup(&mf->src->fields[f], w->scratch.data);
		cov_add(&mf->cov, f, v, r->recoded[f], line);
	}
}

static int map_row(struct mapper *w, struct mfile *mf, struct row *r, long line, struct outcome *o)
{
	cover_row(w, mf, r, line);
	o->field = -1;
	o->reject_code = NULL;
	o->value = NULL;
	map_identity(w, mf, r, &o->ep);
	if (map_birth(mf, r, o) != 0 || map_period_and_cost(mf, r, o) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(coded_fields) / sizeof(coded_fields[0]); i++)
		if (map_code(mf, r, coded_fields[i], o) != 0)
			return -1;
	return 0;
}

static void bind_text_or_null(sqlite3_stmt *st, int idx, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

static struct ep_value text_value(const char *s, int empty_is_null)
{
	struct ep_value v = { SQLITE_NULL, 0, 0, NULL };

	if (s && (*s || !empty_is_null)) {
		v.type = SQLITE_TEXT;
		v.text = s;
	}
	return v;
}

/* Column c (0 .. EPISODE_COLS - 1, table order) of the episode ep of mf, as
 * stored: the one place an episode becomes a row. */
static struct ep_value episode_value(const struct mfile *mf, const struct episode *ep, int c)
{
	struct ep_value v = { SQLITE_INTEGER, 0, 0, NULL };

	switch (c) {
	case 0: v.i = mf->file_id; return v;
	case 1: v.i = ep->line; return v;
	case 2: return text_value(mf->src->district, 0);
	case 3: return text_value(ep->person_ref, 1);
	case 4: return text_value(ep->id_type, 0);
	case 5: return text_value(ep->id_flaw, 1);
	case 6: return text_value(ep->birth_date, 1);
	case 7: v.i = ep->birth_year; v.type = ep->birth_year ? SQLITE_INTEGER : SQLITE_NULL;
		return v;
	case 8: return text_value(ep->code[PL_F_SEX], 0);
	case 9: return text_value(ep->code[PL_F_INTERVENTION], 0);
	case 10: return text_value(ep->code[PL_F_PROVIDER], 1);
	case 11: return text_value(ep->code[PL_F_SUBSTANCE], 0);
	case 12: return text_value(ep->start, 0);
	case 13: return text_value(ep->end, 1);
	case 14: v.r = ep->cost; v.type = ep->has_cost ? SQLITE_FLOAT : SQLITE_NULL; return v;
	default: return text_value(ep->code[PL_F_CHILDREN], 0);
	}
}

/* Binds one episode to the EPISODE_COLS parameters after base of an
 * episode INSERT (or S_UPDATE_EPISODE, whose parameters are numbered so). */
static void bind_episode(sqlite3_stmt *st, int base, const struct mfile *mf,
			 const struct episode *ep)
{
	for (int c = 0; c < EPISODE_COLS; c++) {
		struct ep_value v = episode_value(mf, ep, c);

		if (v.type == SQLITE_INTEGER)
			sqlite3_bind_int64(st, base + c + 1, v.i);
		else if (v.type == SQLITE_FLOAT)
			sqlite3_bind_double(st, base + c + 1, v.r);
		else if (v.type == SQLITE_TEXT)
			sqlite3_bind_text(st, base + c + 1, v.text, -1, SQLITE_STATIC);
	}
}

static int in_set(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

/* The CHECK constraints of table episode (schema.sql): NULL if the episode
 * meets them, else the one it breaks. */
static const char *episode_check_failed(const struct episode *ep)
{
	static const char *const id_types[] = { "PNR", "SAMNR", "RESERV", "NONE", NULL };
	static const char *const sexes[] = { "F", "M", "U", NULL };
	static const char *const children[] = { "Y", "N", "U", NULL };

	if (!in_set(ep->id_type, id_types))
		return "id_type IN ('PNR', 'SAMNR', 'RESERV', 'NONE')";
	if (!in_set(ep->code[PL_F_SEX], sexes))
		return "sex IN ('F', 'M', 'U')";
	if (!in_set(ep->code[PL_F_CHILDREN], children))
		return "children IN ('Y', 'N', 'U')";
	return NULL;
}

/* Stores the queued episodes: a full batch in one statement, fewer one by
 * one (only at the end of a file). */
static enum pl_err flush_episodes(struct map *m, struct mfile *mf, struct pl_diag *d)
{
	size_t n = m->n_batch;
	enum pl_err err = PL_OK;

	m->n_batch = 0;
	if (n == EPISODE_BATCH) {
		for (size_t i = 0; i < n; i++)
			bind_episode(m->batch_st, (int)i * EPISODE_COLS, mf, &m->batch[i]);
		return pl_db_step_done(m->db, m->batch_st, "store episodes", d);
	}
	for (size_t i = 0; !err && i < n; i++) {
		bind_episode(m->st[S_INSERT_EPISODE], 0, mf, &m->batch[i]);
		err = pl_db_step_done(m->db, m->st[S_INSERT_EPISODE], "store episode", d);
	}
	return err;
}

/* Keeps the episode m->batch[m->n_batch] (filled by map_row); stores the
 * batch when it is full. */
static enum pl_err queue_episode(struct map *m, struct mfile *mf, struct pl_diag *d)
{
	const char *broken = episode_check_failed(&m->batch[m->n_batch]);

	if (broken)
		return pl_diag_set(d, PL_ESOFTWARE, mf->name, m->batch[m->n_batch].line,
				   "database: store episode: CHECK constraint failed: %s", broken);
	mf->rows_kept++;
	if (++m->n_batch < EPISODE_BATCH)
		return PL_OK;
	return flush_episodes(m, mf, d);
}

/* ---- a file mapped again: in place ---------------------------------------------
 *
 * A file mapped before (a mapping edit) is mapped again in place: each
 * row's new episode is compared with the one stored at its line, and only
 * what differs is written: an episode updated, inserted (a row the old
 * mapping rejected) or deleted (a row it kept that is rejected now).  The
 * stored episodes of a batch's lines are read just before the batch is
 * stored (read_old: one range, its statement done before any write), so
 * memory stays that of a batch.  For the indicators stage, each update or
 * delete of an episode with a person is logged in person_change (that
 * person) and episode_before (the row before its first change since that
 * stage last counted), each insert in person_change with old_key 0
 * (schema.sql, version 12).  An edit that changes none of the values dedup
 * reads leaves its kept load as it was (the trigger on episode looks at
 * those values only): the next dedup run is a night with nothing new.
 */

/* Appends one value, typed, to b: what encode_new and encode_old compare. */
static void encode_value(struct pl_buf *b, int type, sqlite3_int64 i, double r, const char *text)
{
	pl_buf_putc(b, (char)type);
	if (type == SQLITE_INTEGER)
		pl_buf_append(b, &i, sizeof(i));
	else if (type == SQLITE_FLOAT)
		pl_buf_append(b, &r, sizeof(r));
	else if (type == SQLITE_TEXT)
		pl_buf_append(b, text, strlen(text) + 1);
}

/* The values of ep (its columns after the key) as encode_value writes them. */
static void encode_new(struct pl_buf *b, const struct mfile *mf, const struct episode *ep)
{
	pl_buf_reset(b);
	for (int c = 2; c < EPISODE_COLS; c++) {
		struct ep_value v = episode_value(mf, ep, c);

		encode_value(b, v.type, v.i, v.r, v.text);
	}
}

/* The values of the row of S_OLD_RANGE (line, then the columns after the
 * key), appended to b. */
static void encode_old(struct pl_buf *b, sqlite3_stmt *st)
{
	for (int c = 1; c < EPISODE_COLS - 1; c++) {
		int type = sqlite3_column_type(st, c);

		encode_value(b, type, type == SQLITE_INTEGER ? sqlite3_column_int64(st, c) : 0,
			     type == SQLITE_FLOAT ? sqlite3_column_double(st, c) : 0,
			     type == SQLITE_TEXT ? (const char *)sqlite3_column_text(st, c) : NULL);
	}
}

/* Reads the stored episodes of mf after mf->old_upto up to line upto
 * (LONG_MAX: the rest) into m->old. */
static enum pl_err read_old(struct map *m, struct mfile *mf, long upto, struct pl_diag *d)
{
	struct old_rows *o = &m->old;
	sqlite3_stmt *st = m->st[S_OLD_RANGE];
	int rc;

	o->n = o->next = 0;
	pl_buf_reset(&o->data);
	sqlite3_bind_int64(st, 1, mf->file_id);
	sqlite3_bind_int64(st, 2, mf->old_upto);
	sqlite3_bind_int64(st, 3, upto);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (o->n == o->cap) {
			o->cap = o->cap ? 2 * o->cap : BATCH_ROWS;
			o->line = pl_xrealloc(o->line, o->cap * sizeof(*o->line));
			o->off = pl_xrealloc(o->off, o->cap * sizeof(*o->off));
			o->len = pl_xrealloc(o->len, o->cap * sizeof(*o->len));
		}
		o->line[o->n] = (long)sqlite3_column_int64(st, 0);
		o->off[o->n] = o->data.len;
		encode_old(&o->data, st);
		o->len[o->n] = o->data.len - o->off[o->n];
		o->n++;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	mf->old_upto = upto;
	return rc == SQLITE_DONE ? PL_OK : pl_db_fail(m->db, rc, "read the episodes stored", d);
}

/* Runs statement id of the in-place writes with the episode's key. */
static enum pl_err step_key(struct map *m, int id, const struct mfile *mf, long line,
			    struct pl_diag *d)
{
	sqlite3_bind_int64(m->st[id], 1, mf->file_id);
	sqlite3_bind_int64(m->st[id], 2, line);
	return pl_db_step_done(m->db, m->st[id], "map again in place", d);
}

/* Logs the stored episode at line, about to change or go, for the
 * indicators stage (if it has a person). */
static enum pl_err log_before(struct map *m, const struct mfile *mf, long line, struct pl_diag *d)
{
	enum pl_err err = step_key(m, S_LOG_BEFORE, mf, line, d);

	return err ? err : step_key(m, S_LOG_CHANGE, mf, line, d);
}

/* Deletes the stored episodes before line that no row of this mapping
 * kept (all that are left: LONG_MAX). */
static enum pl_err remove_old(struct map *m, struct mfile *mf, long line, struct pl_diag *d)
{
	struct old_rows *o = &m->old;
	enum pl_err err = PL_OK;

	for (; !err && o->next < o->n && o->line[o->next] < line; o->next++) {
		err = log_before(m, mf, o->line[o->next], d);
		if (!err)
			err = step_key(m, S_DELETE_EPISODE, mf, o->line[o->next], d);
		mf->n_removed++;
	}
	return err;
}

/* The episode m->batch[m->n_batch] of a file mapped again: as stored,
 * updated, or queued as new. */
static enum pl_err place_episode(struct map *m, struct mfile *mf, struct pl_diag *d)
{
	const struct episode *ep = &m->batch[m->n_batch];
	struct old_rows *o = &m->old;
	enum pl_err err = remove_old(m, mf, ep->line, d);
	const char *broken = err ? NULL : episode_check_failed(ep);
	int stored = o->next < o->n && o->line[o->next] == ep->line;

	if (err || broken)
		return err ? err : pl_diag_set(d, PL_ESOFTWARE, mf->name, ep->line, "database: "
					       "store episode: CHECK constraint failed: %s", broken);
	if (!stored) {
		mf->n_added++;
		err = step_key(m, S_LOG_NEW, mf, ep->line, d);
		return err ? err : queue_episode(m, mf, d);
	}
	encode_new(&o->enc, mf, ep);
	mf->rows_kept++;
	if (o->enc.len == o->len[o->next] &&
	    memcmp(o->enc.data, o->data.data + o->off[o->next], o->enc.len) == 0) {
		o->next++;
		mf->n_same++;
		return PL_OK;
	}
	o->next++;
	mf->n_changed++;
	err = log_before(m, mf, ep->line, d);
	if (err)
		return err;
	bind_episode(m->st[S_UPDATE_EPISODE], 0, mf, ep);
	return pl_db_step_done(m->db, m->st[S_UPDATE_EPISODE], "map again in place", d);
}

/* A row of a file mapped again that is rejected now: its stored episode,
 * and those before it that no row kept, go. */
static enum pl_err unplace_row(struct map *m, struct mfile *mf, long line, struct pl_diag *d)
{
	return remove_old(m, mf, line + 1, d);
}

static void old_rows_release(struct old_rows *o)
{
	free(o->line);
	free(o->off);
	free(o->len);
	pl_buf_release(&o->data);
	pl_buf_release(&o->enc);
	memset(o, 0, sizeof(*o));
}

static enum pl_err store_reject(struct map *m, struct mfile *mf, long line,
				const struct outcome *o, struct pl_diag *d)
{
	sqlite3_stmt *st = m->st[S_INSERT_REJECT];
	const char *field = NULL;

	if (o->field >= 0)
		field = mf->col[o->field] >= 0 ? mf->col_names[mf->col[o->field]]
						: pl_field_name((enum pl_field)o->field);
	mf->rows_rejected++;
	if (mf->rows_rejected <= MAX_LOGGED_REJECTS && pl_log_enabled(PL_LOG_WARN)) {
		pl_buf_reset(&m->scratch);
		pl_buf_printf(&m->scratch, "%s:%ld", mf->name, line);
		pl_log(PL_LOG_WARN, m->scratch.data, "%s%s%s%s", field ? "field '" : "",
		       field ? field : "", field ? "': " : "", o->reason);
	}
	sqlite3_bind_int64(st, 1, mf->file_id);
	sqlite3_bind_int64(st, 2, line);
	bind_text_or_null(st, 3, field);
	sqlite3_bind_text(st, 4, o->reject_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, o->reason, -1, SQLITE_STATIC);
	if (o->value && o->field >= 0 && !pl_field_is_sensitive((enum pl_field)o->field))
		sqlite3_bind_text(st, 6, o->value, -1, SQLITE_STATIC);
	return pl_db_step_done(m->db, st, "store reject", d);
}

/* One raw row of a batch, and what the mapping thread made of it. */
#define SEALED_SHUT (-2)

struct slot {
	long line;
	size_t fields_off;             /* in the batch's data: the stored values, NUL-ended */
	size_t blob_off;               /* in the batch's data: the sealed values, opened */
	int blob_len;                  /* -1: none; SEALED_SHUT: cannot be opened */
	enum { SLOT_EPISODE, SLOT_REJECT, SLOT_SEALED } kind; /* SEALED: cannot be opened */
	struct outcome out;
};

struct batch {
	size_t n_rows;
	struct pl_buf data;            /* the rows' values and sealed values */
	struct slot slot[BATCH_ROWS];
};

/* What the two threads share while a file is mapped.  A batch belongs to
 * whoever took it last from a queue (or, for this thread, the free list). */
struct pipeline {
	struct mfile *mf;              /* the mapping thread writes only mf->cov */
	struct pl_queue todo;         /* read, to map */
	struct pl_queue done;         /* mapped, to store */
	struct mapper w;
	struct batch *batches;         /* N_BATCHES */
};

/* Maps the rows of b; a row whose sealed values cannot be opened is marked
 * and not mapped. */
static void map_batch(struct mapper *w, struct mfile *mf, struct batch *b)
{
	for (size_t i = 0; i < b->n_rows; i++) {
		struct slot *s = &b->slot[i];
		memset(&s->out.ep, 0, sizeof(s->out.ep));
		s->out.ep.line = s->line;
		if (s->blob_len == SEALED_SHUT) {
			s->kind = SLOT_SEALED;
			continue;
		}
		gather(mf, &w->r, b->data.data + s->fields_off,
		       s->blob_len >= 0 ? b->data.data + s->blob_off : NULL);
		s->kind = map_row(w, mf, &w->r, s->line, &s->out) == 0 ? SLOT_EPISODE : SLOT_REJECT;
	}
}

/* The mapping thread: maps batches until the todo queue is closed and
 * empty, or the done queue is closed. */
static void *mapper_main(void *arg)
{
	struct pipeline *p = arg;
	struct batch *b;

	while ((b = pl_queue_get(&p->todo)) != NULL) {
		map_batch(&p->w, p->mf, b);
		if (pl_queue_put(&p->done, b) != 0)
			break;
	}
	pl_queue_close(&p->done);
	return NULL;
}

static void pipeline_init(struct pipeline *p, const struct map *m, struct mfile *mf)
{
	memset(p, 0, sizeof(*p));
	p->mf = mf;
	pl_queue_init(&p->todo, N_BATCHES);
	pl_queue_init(&p->done, N_BATCHES);
	p->w.ref_key = m->ref_key;
	pl_buf_init(&p->w.plain);
	pl_buf_init(&p->w.scratch);
	p->w.r.cap = mf->n_cols + 1;
	p->w.r.cols = pl_xcalloc(p->w.r.cap, sizeof(char *));
	p->w.r.secret = pl_xcalloc(p->w.r.cap, sizeof(char *));
	p->batches = pl_xcalloc(N_BATCHES, sizeof(*p->batches));
	for (size_t i = 0; i < N_BATCHES; i++)
		pl_buf_init(&p->batches[i].data);
}

static void pipeline_release(struct pipeline *p)
{
	for (size_t i = 0; i < N_BATCHES; i++) {
		pl_buf_wipe(&p->batches[i].data); /* opened sealed values leave memory */
		pl_buf_release(&p->batches[i].data);
	}
	free(p->batches);
	free(p->w.r.cols);
	free(p->w.r.secret);
	pl_buf_release(&p->w.plain);
	pl_buf_release(&p->w.scratch);
	pl_queue_release(&p->todo);
	pl_queue_release(&p->done);
}

/* Reads up to BATCH_ROWS raw rows of mf into b, their sealed values opened
 * (a row whose values cannot be opened is marked SEALED_SHUT).  *more = 0
 * at the end of the rows or on a failure, whose error it returns with
 * details in *d. */
static enum pl_err read_batch(struct map *m, const struct mfile *mf, struct batch *b,
			      int *more, struct pl_diag *d)
{
	int rc = 1;

	b->n_rows = 0;
	pl_buf_reset(&b->data);
	while (b->n_rows < BATCH_ROWS) {
		struct slot *s = &b->slot[b->n_rows];
		const char *values;
		size_t len;
		int found;

		s->fields_off = b->data.len;
		rc = pl_raw_next(&m->raw, &s->line, &b->data, d);
		if (rc <= 0)
			break;
		b->n_rows++;
		s->blob_off = b->data.len;
		s->blob_len = -1;
		found = pl_sealed_find(&m->sealed, mf->file_id, s->line, &values, &len, d);
		if (found < 0 && d->err != PL_ECONFIG) {
			*more = 0;
			return d->err;
		}
		if (found < 0)
			s->blob_len = SEALED_SHUT;
		else if (found) {
			s->blob_len = (int)len;
			pl_buf_append(&b->data, values, len + 1);
		}
	}
	if (rc > 0)
		return PL_OK;
	*more = 0;
	return rc == 0 ? PL_OK : d->err;
}

/* Stores the mapped rows of b in order, as episodes (queued EPISODE_BATCH
 * to a statement) and rejects. */
static enum pl_err store_batch(struct map *m, struct mfile *mf, const struct batch *b,
			       struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	if (mf->again && b->n_rows)
		err = read_old(m, mf, b->slot[b->n_rows - 1].line, d);
	for (size_t i = 0; !err && i < b->n_rows; i++) {
		const struct slot *s = &b->slot[i];

		mf->rows_read++;
		m->rows_done++;
		pl_progress_update(m->rows_done, m->rows_done);
		if (s->kind == SLOT_SEALED)
			return pl_diag_set(d, PL_ECONFIG, mf->name, s->line, "sealed values cannot be "
					   "opened: the key file is not the one used at ingest");
		if (s->kind == SLOT_EPISODE) {
			m->batch[m->n_batch] = s->out.ep;
			err = mf->again ? place_episode(m, mf, d) : queue_episode(m, mf, d);
		} else {
			err = mf->again ? unplace_row(m, mf, s->line, d) : PL_OK;
			if (!err)
				err = store_reject(m, mf, s->line, &s->out, d);
		}
	}
	return err;
}

/* Maps and stores the file's raw rows: reads batches while a free one is
 * left and rows remain, else stores the oldest batch the mapping thread has
 * done (without that thread, if it cannot be started, maps each batch here
 * as it is read).  A failure to read rows is reported once the rows read
 * before it are stored, as a failure there comes first. */
static enum pl_err map_rows(struct map *m, struct mfile *mf, struct pl_diag *d)
{
	struct pipeline p;
	struct batch *idle[N_BATCHES];
	struct pl_diag read_d;
	enum pl_err err = PL_OK, read_err = PL_OK;
	size_t n_idle = 0, in_flight = 0;
	int more = 1, started = 0;
	pthread_t thread;

	pipeline_init(&p, m, mf);
	for (size_t i = 0; i < N_BATCHES; i++)
		idle[n_idle++] = &p.batches[N_BATCHES - 1 - i];
	pl_diag_clear(&read_d);
	started = pthread_create(&thread, NULL, mapper_main, &p) == 0;
	if (!started)
		pl_log(PL_LOG_DEBUG, mf->name, "mapping on one thread: a second one could not "
		       "be started");
	pl_raw_start(&m->raw, mf->file_id);
	read_err = pl_sealed_start(&m->sealed, mf->file_id, mf->file_id, &read_d);
	more = !read_err;
	while (!err && (more || in_flight)) {
		struct batch *b;

		if (more && n_idle) {
			b = idle[--n_idle];
			read_err = read_batch(m, mf, b, &more, &read_d);
			if (b->n_rows && started && pl_queue_put(&p.todo, b) == 0) {
				in_flight++;
				continue;
			}
			if (b->n_rows && !started) {   /* no mapping thread: here */
				map_batch(&p.w, mf, b);
				err = store_batch(m, mf, b, d);
			}
			idle[n_idle++] = b;
		} else {
			b = pl_queue_get(&p.done); /* not NULL: todo is open */
			in_flight--;
			err = store_batch(m, mf, b, d);
			idle[n_idle++] = b;
		}
	}
	if (!err && read_err) {
		*d = read_d;
		err = read_err;
	}
	if (!err && mf->again)     /* the stored episodes after the last row */
		err = read_old(m, mf, LONG_MAX, d);
	if (!err && mf->again)
		err = remove_old(m, mf, LONG_MAX, d);
	if (!err)
		err = flush_episodes(m, mf, d);
	m->n_batch = 0;
	pl_raw_stop(&m->raw);
	if (started) {
		pl_queue_close(&p.todo);
		while (pl_queue_get(&p.done) != NULL)
			;
		pthread_join(thread, NULL);
	}
	pipeline_release(&p);
	return err;
}

static enum pl_err store_coverage(struct map *m, struct mfile *mf, struct pl_diag *d)
{
	sqlite3_stmt *st = m->st[S_INSERT_VALUE];
	enum pl_err err = PL_OK;

	for (size_t i = 0; !err && i < mf->cov.cap; i++) {
		const struct cov_entry *e = &mf->cov.slots[i];

		if (!e->value)
			continue;
		sqlite3_bind_int64(st, 1, mf->file_id);
		sqlite3_bind_text(st, 2, pl_field_name((enum pl_field)e->field), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, e->value, -1, SQLITE_STATIC);
		bind_text_or_null(st, 4, e->code);
		sqlite3_bind_int64(st, 5, e->n);
		sqlite3_bind_int64(st, 6, e->first_line);
		err = pl_db_step_done(m->db, st, "store coverage", d);
	}
	return err;
}

static enum pl_err clear_and_record(struct map *m, struct mfile *mf, int record, struct pl_diag *d)
{
	enum pl_err err = PL_OK;

	if (!record) {   /* the episodes of a file mapped again stay, to compare */
		for (int i = mf->again ? S_CLEAR_REJECTS : S_CLEAR_EPISODES;
		     !err && i <= S_CLEAR_MAPPED; i++) {
			sqlite3_bind_int64(m->st[i], 1, mf->file_id);
			err = pl_db_step_done(m->db, m->st[i], "clear earlier mapping", d);
		}
		return err;
	}
	sqlite3_stmt *st = m->st[S_INSERT_MAPPED];
	char now[32];

	if (mf->rows_read != mf->rows_kept + mf->rows_rejected) /* mapped_file's CHECK */
		return pl_diag_set(d, PL_ESOFTWARE, mf->name, 0, "database: record mapped file: "
				   "CHECK constraint failed: rows_read = rows_kept + rows_rejected");
	pl_utc_now(now);
	sqlite3_bind_int64(st, 1, mf->file_id);
	sqlite3_bind_text(st, 2, mf->src->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, mf->rows_read);
	sqlite3_bind_int64(st, 4, mf->rows_kept);
	sqlite3_bind_int64(st, 5, mf->rows_rejected);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
	return pl_db_step_done(m->db, st, "record mapped file", d);
}

/* A file in a unit of its own (lib/db's group commit). */
static enum pl_err map_file(struct map *m, struct mfile *mf, struct pl_diag *d)
{
	enum pl_err err = pl_db_unit_begin(&m->group, d);

	if (err)
		return err;
	err = clear_and_record(m, mf, 0, d);
	if (!err)
		err = map_rows(m, mf, d);
	if (!err)
		err = store_coverage(m, mf, d);
	if (!err)
		err = clear_and_record(m, mf, 1, d);
	if (err) {
		pl_db_unit_undo(&m->group);
		return err;
	}
	err = pl_db_unit_end(&m->group, mf->rows_read, d);
	if (err)
		return err;
	m->sum->files_mapped++;
	m->sum->rows_read += mf->rows_read;
	m->sum->rows_kept += mf->rows_kept;
	m->sum->rows_rejected += mf->rows_rejected;
	m->sum->files_again += mf->again;
	m->sum->episodes_changed += mf->n_changed;
	m->sum->episodes_added += mf->n_added;
	m->sum->episodes_removed += mf->n_removed;
	if (mf->rows_rejected > MAX_LOGGED_REJECTS)
		pl_log(PL_LOG_WARN, mf->name, "%ld more rejected rows not shown (see table reject)",
		       mf->rows_rejected - MAX_LOGGED_REJECTS);
	pl_log(PL_LOG_INFO, mf->name, "%ld rows mapped: %ld episodes, %ld rejected (source %s)",
	       mf->rows_read, mf->rows_kept, mf->rows_rejected, mf->src->name);
	if (mf->again)
		pl_log(PL_LOG_INFO, mf->name, "mapped again in place: %ld episodes as they were, "
		       "%ld changed, %ld added, %ld removed", mf->n_same, mf->n_changed,
		       mf->n_added, mf->n_removed);
	return PL_OK;
}

static const struct pl_source *source_named(const struct map *m, const char *name)
{
	for (size_t i = 0; name && i < m->sources.n_items; i++)
		if (strcmp(m->sources.items[i]->name, name) == 0)
			return m->sources.items[i];
	return NULL;
}

/* Files whose mapping is missing or was made by another mapping file. */
static enum pl_err list_pending(struct map *m, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err;
	int rc;

	err = pl_db_prepare(m->db, "SELECT f.file_id, f.name, f.source, m.mapping_sha256, "
			    "f.rows_kept "
			    "FROM input_file f LEFT JOIN mapped_file m USING (file_id) "
			    "WHERE f.status = 'ok' ORDER BY f.name", &st, d);
	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct pl_source *src = source_named(m, (const char *)sqlite3_column_text(st, 2));
		const char *done = (const char *)sqlite3_column_text(st, 3);
		struct mfile *mf;

		if (!src) {
			pl_log(PL_LOG_WARN, (const char *)sqlite3_column_text(st, 1),
			       "its source has no mapping file any more; run ingest first");
			continue;
		}
		if (done && strcmp(done, src->sha256) == 0) {
			m->sum->files_unchanged++;
			continue;
		}
		m->files = pl_xrealloc(m->files, (m->n_files + 1) * sizeof(*m->files));
		mf = &m->files[m->n_files++];
		memset(mf, 0, sizeof(*mf));
		mf->file_id = sqlite3_column_int64(st, 0);
		mf->name = pl_xstrdup((const char *)sqlite3_column_text(st, 1));
		mf->src = src;
		mf->again = done != NULL;
		mf->old_upto = LONG_MIN;
		if (sqlite3_column_int64(st, 4) > 0)
			m->rows_to_map += (uint64_t)sqlite3_column_int64(st, 4);
	}
	if (rc != SQLITE_DONE)
		err = pl_db_fail(m->db, rc, "list files to map", d);
	sqlite3_finalize(st);
	return err;
}

static enum pl_err reference_date(const struct map *m, const struct pl_source *src,
				  struct pl_date *out, struct pl_diag *d)
{
	if (!src->reference_date[0]) {
		*out = m->today;
		return PL_OK;
	}
	if (pl_date_parse(src->reference_date, "YYYY-MM-DD", out) != 0)
		return pl_diag_set(d, PL_ECONFIG, src->path, 0, "bad reference_date");
	return PL_OK;
}

static enum pl_err set_today(struct map *m, struct pl_diag *d)
{
	char now[32];

	if (m->o->today) {
		if (pl_date_parse(m->o->today, "YYYY-MM-DD", &m->today) != 0)
			return pl_diag_set(d, PL_EUSAGE, NULL, 0, "--today '%s' is not YYYY-MM-DD",
					   m->o->today);
		return PL_OK;
	}
	pl_utc_now(now);
	now[10] = '\0';
	pl_date_parse(now, "YYYY-MM-DD", &m->today);
	return PL_OK;
}

/* Prepares the INSERT of EPISODE_BATCH episodes and the room for them. */
static enum pl_err prepare_batch(struct map *m, struct pl_diag *d)
{
	struct pl_buf sql;
	enum pl_err err;

	pl_buf_init(&sql);
	pl_buf_append(&sql, EPISODE_INSERT, strlen(EPISODE_INSERT));
	for (int i = 0; i < EPISODE_BATCH; i++)
		pl_buf_printf(&sql, "%s" EPISODE_VALUES, i ? "," : "");
	err = pl_db_prepare(m->db, sql.data, &m->batch_st, d);
	pl_buf_release(&sql);
	m->batch = pl_xcalloc(EPISODE_BATCH, sizeof(*m->batch));
	return err;
}

static enum pl_err open_run(struct map *m, struct pl_diag *d)
{
	struct pl_key key;
	enum pl_err err;

	err = pl_secret_init(d);
	if (!err)
		err = set_today(m, d);
	if (!err)
		err = pl_source_set_load(m->o->mapping_dir, &m->sources, d);
	for (size_t i = 0; !err && i < m->sources.n_items; i++)
		err = pl_source_check_mapping(m->sources.items[i], d);
	if (!err)
		err = pl_key_load(m->o->key_path, 0, &key, d);
	if (err)
		return err;
	pl_key_derive(&key, PL_SUBKEY_SEAL, m->seal_key);
	pl_key_derive(&key, PL_SUBKEY_PSEUDONYM, m->ref_key);
	pl_key_wipe(&key);
	err = pl_db_open(m->o->db_path, &m->db, d);
	if (!err) /* the CHECKs are tested in C (see the top of this file) */
		err = pl_db_exec(m->db, "PRAGMA ignore_check_constraints = ON", d);
	/* The statement journal of a multi-row INSERT (a few pages) in memory:
	 * on disk, SQLite moves it to a temporary file once one statement's
	 * journal passes 64 KiB, and keeps writing there.  Nothing this stage
	 * runs sorts or builds temporary tables of a size to matter. */
	if (!err)
		err = pl_db_exec(m->db, "PRAGMA temp_store = MEMORY", d);
	if (!err)
		err = pl_db_prepare_all(m->db, stmt_sql, S__COUNT, m->st, d);
	if (!err)
		err = prepare_batch(m, d);
	if (!err)
		err = pl_sealed_reader_init(&m->sealed, m->db, m->seal_key, d);
	if (!err)
		err = pl_raw_reader_init(&m->raw, m->db, d);
	return err;
}

static void close_run(struct map *m)
{
	for (size_t i = 0; i < m->n_files; i++)
		mfile_release(&m->files[i]);
	free(m->files);
	pl_db_finalize_all(m->st, S__COUNT);
	pl_db_finalize_all(&m->batch_st, 1);
	pl_sealed_reader_release(&m->sealed);
	pl_raw_reader_release(&m->raw);
	old_rows_release(&m->old);
	free(m->batch);
	pl_db_close(m->db);
	pl_source_set_release(&m->sources);
	pl_buf_release(&m->scratch);
	memset(m->seal_key, 0, sizeof(m->seal_key));
	memset(m->ref_key, 0, sizeof(m->ref_key));
}

void map_summary_line(const struct map_summary *sum, char *out, size_t size)
{
	int n = snprintf(out, size, "%ld files mapped, %ld unchanged; %ld rows read, %ld episodes, "
			 "%ld rejected", sum->files_mapped, sum->files_unchanged, sum->rows_read,
			 sum->rows_kept, sum->rows_rejected);

	if (sum->files_again && n >= 0 && (size_t)n < size)
		snprintf(out + n, size - (size_t)n, "; %ld mapped again in place: %ld episodes "
			 "changed, %ld added, %ld removed", sum->files_again, sum->episodes_changed,
			 sum->episodes_added, sum->episodes_removed);
}

enum pl_err map_run(const struct map_opts *opts, struct map_summary *sum, struct pl_diag *d)
{
	struct map m;
	int bulk = 0;
	enum pl_err err;

	memset(&m, 0, sizeof(m));
	memset(sum, 0, sizeof(*sum));
	m.o = opts;
	m.sum = sum;
	err = open_run(&m, d);
	if (!err)
		err = list_pending(&m, d);
	/* every mapping problem before any row: */
	for (size_t i = 0; !err && i < m.n_files; i++) {
		err = load_columns(&m, &m.files[i], d);
		if (!err)
			err = reference_date(&m, m.files[i].src, &m.files[i].ref, d);
	}
	/* progress in rows: "bytes" are rows mapped of input_file.rows_kept */
	if (!err)
		pl_progress_begin(m.rows_to_map);
	if (!err && m.n_files)
		bulk = pl_db_bulk_begin(m.db);
	m.group.db = m.db;
	for (size_t i = 0; !err && i < m.n_files; i++)
		err = map_file(&m, &m.files[i], d);
	if (m.db) {
		/* the files mapped before a failure are kept */
		struct pl_diag cd;
		enum pl_err cerr = pl_db_group_end(&m.group, err ? &cd : d);

		err = err ? err : cerr;
	}
	pl_progress_end();
	if (bulk)
		pl_db_bulk_end(m.db);
	if (m.db) {
		char line[256];

		map_summary_line(sum, line, sizeof(line));
		err = pl_db_record_run(m.db, "map", err, line, d);
	}
	close_run(&m);
	return err;
}

enum pl_err map_coverage(const char *db_path, const char *source, FILE *out, struct pl_diag *d)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	enum pl_err err;
	int rc;

	err = pl_db_open_existing(db_path, &db, d);
	if (!err)
		err = pl_db_prepare(db, "SELECT f.source, v.field, v.value, coalesce(v.code, '-') AS mapped, "
				    "sum(v.n) AS n, min(f.name || ':' || v.first_line) FROM map_value v "
				    "JOIN input_file f USING (file_id) WHERE ?1 IS NULL OR f.source = ?1 "
				    "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, mapped = '-' DESC, n DESC, 3",
				    &st, d);
	if (err)
		goto cleanup;
	if (source)
		sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	fputs("source\tfield\tvalue\tcode\tn\tfirst\n", out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fprintf(out, "%s\t%s\t%s\t%s\t%lld\t%s\n", sqlite3_column_text(st, 0),
			sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
			sqlite3_column_text(st, 3), sqlite3_column_int64(st, 4),
			sqlite3_column_text(st, 5));
	if (rc != SQLITE_DONE)
		err = pl_db_fail(db, rc, "read coverage", d);
	if (!err && (fflush(out) != 0 || ferror(out)))
		err = pl_diag_set(d, PL_EIO, NULL, 0, "cannot write the coverage report");
cleanup:
	sqlite3_finalize(st);
	pl_db_close(db);
	return err;
}

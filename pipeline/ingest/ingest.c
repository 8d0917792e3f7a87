/*
 * ingest/ingest.c - read district exports into the pipeline database.
 *
 * For every file in the input directory: find the one source that claims
 * it, skip it if it is unchanged since the last run (its bytes, and the
 * [source], [dialect] and [columns] of its mapping file: another edit of
 * the mapping file only re-maps it, keeping its file_id), else read it through
 * the source's dialect in one transaction that replaces any earlier version:
 * the header into file_column, every data record into raw_chunk, a chunk
 * of records at a time (lib/rawrows; its sensitive columns' values sealed
 * into raw_sealed, also a chunk at a time) or reject, and the file's counts
 * into input_file.
 *
 * A file's data records are read on two threads: a reading thread parses
 * and decodes them into chunks, and the calling thread, which alone uses
 * the database (and logs and reports progress), hashes the file's bytes,
 * seals the records' sensitive values and stores the chunks in the order
 * read.  N_CHUNKS chunks go round
 * between the two through a pair of bounded queues, so memory stays flat
 * whatever the file's size.
 */
#define _POSIX_C_SOURCE 200809L
#include "ingest.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvread.h"
#include "db.h"
#include "log.h"
#include "progress.h"
#include "queue.h"
#include "rawrows.h"
#include "schema.h"
#include "sealed.h"
#include "secret.h"
#include "source.h"
#include "text.h"

#define FIELD_SEP PL_RAW_SEP   /* between values in raw_row.fields and sealed ones */
#define MAX_LOGGED_REJECTS 10  /* per file; the rest are in table reject */
/* Chunks between the reading and the storing thread: a chunk is handed
 * over when it holds CHUNK_ITEMS items or CHUNK_BYTES bytes (plus the last
 * row's), so a hand-over costs little against the work in a chunk, and the
 * chunks hold a few MiB at most. */
#define N_CHUNKS 4
#define CHUNK_ITEMS 1024
#define CHUNK_BYTES (256 * 1024)

enum stmt_id {
	S_FIND, S_DELETE, S_INSERT_FILE, S_FINISH_FILE, S_TOUCH, S_FIND_DUP,
	S_INSERT_COLUMN, S_INSERT_REJECT, S__COUNT
};

static const char *const stmt_sql[S__COUNT] = {
	[S_FIND] = "SELECT size, mtime_ns, sha256, mapping_sha256, status, ingest_sha256 "
		   "FROM input_file WHERE name = ?1",
	[S_DELETE] = "DELETE FROM input_file WHERE name = ?1",
	[S_INSERT_FILE] = "INSERT INTO input_file (name, size, mtime_ns, source, mapping_sha256, "
			  "status, message, encoding, ingested_at, ingest_sha256) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_FINISH_FILE] = "UPDATE input_file SET sha256 = ?2, lines = ?3, title_lines = ?4, "
			  "header_lines = ?5, footer_rows = ?6, blank_lines = ?7, rows_read = ?8, "
			  "rows_kept = ?9, rows_rejected = ?10 WHERE file_id = ?1",
	[S_TOUCH] = "UPDATE input_file SET size = ?2, mtime_ns = ?3, mapping_sha256 = ?4, "
		    "ingest_sha256 = ?5 WHERE name = ?1",
	[S_FIND_DUP] = "SELECT name FROM input_file WHERE sha256 = ?1 AND status = 'ok' "
		       "AND file_id != ?2 ORDER BY name LIMIT 1",
	[S_INSERT_COLUMN] = "INSERT INTO file_column (file_id, col_idx, name, field, sealed) "
			    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_INSERT_REJECT] = "INSERT INTO reject (file_id, line, stage, field, code, reason) "
			    "VALUES (?1, ?2, 'ingest', ?3, ?4, ?5)",
};

/* What the reading thread hands to the storing thread: kept rows, rejects
 * and the file's bytes (for its digest), in the order read.  Their text is
 * in the chunk's bytes, a row's sensitive values still in clear (the
 * storing thread seals them). */
enum item_kind { I_ROW, I_REJECT, I_BYTES };

struct item {
	enum item_kind kind;
	long line;                /* I_ROW, I_REJECT: where the record starts */
	size_t off, len;          /* I_ROW: the record as raw_chunk holds it (pl_raw_encode);
				     I_REJECT: reason (NUL-terminated);
				     I_BYTES: the file's next bytes */
	size_t off2, len2;        /* I_ROW: the values to seal, if secret;
				     I_REJECT: field name (NUL-terminated), len2 0: none */
	int secret;               /* I_ROW: values to seal (possibly all empty) */
	const char *code;         /* I_REJECT: reason code, a string constant */
};

struct chunk {
	struct pl_buf bytes;
	size_t n_items;
	struct item items[CHUNK_ITEMS];
	uint64_t n_records;       /* records read for it, rows or not (progress) */
};

/* One run: what every file shares. */
struct ingest {
	const struct ingest_opts *o;
	struct ingest_summary *sum;
	struct pl_source_set sources;
	sqlite3 *db;
	sqlite3_stmt *st[S__COUNT];
	struct pl_buf scratch;
	struct chunk *chunks;     /* N_CHUNKS of them */
	uint64_t rows_seen;       /* records read over all files (progress) */
	uint64_t bytes_done;      /* sizes of the files done (progress) */
	int bulk;                 /* 1: writing through a rollback journal (lib/db) */
	int bulk_tried;
	struct pl_db_group group; /* the files' units, committed together */
	/* the storing thread's */
	unsigned char seal_key[PL_KEY_BYTES];
	struct pl_nonce_pool nonces;  /* for the seals */
	struct pl_sealed_writer sealer; /* into raw_sealed */
	struct pl_raw_writer rows;      /* into raw_chunk */
	/* the reading thread's alone while it runs */
	struct pl_buf fields;     /* raw_row.fields being built */
	struct pl_buf secret;     /* values to seal, being built */
	struct pl_buf colname;    /* col_name() of an unnamed column */
};

/* One file being read. */
struct job {
	const char *name;
	char *path;
	struct stat st;
	const struct pl_source *src;
	long long file_id;
	struct pl_decoder dec;
	size_t n_cols;
	char **col_names;         /* decoded header names */
	int *col_field;           /* schema field or -1 */
	int *col_sealed;          /* named by any alias of a sensitive field */
	size_t n_expected;        /* fields a record must have */
	long header_lines;
	long footer_rows;
	long empty_records;       /* all fields empty, e.g. ";;;;": counted as blank lines */
	long rows_read, rows_kept, rows_rejected;
	char message[256];        /* why the file failed */
	struct pl_sha256 hash;    /* of the bytes read (csvread's on_bytes) */
	struct reader *reader;    /* set while the rows are read: the bytes go through it */
	/* While the rows are read, dec, rows_read, footer_rows, empty_records
	 * and message are the reading thread's; the rest is read-only to it. */
};

/* The reading thread of one file, and what it shares with the storing one. */
struct reader {
	struct ingest *in;
	struct job *job;
	struct pl_csv_reader *r;
	struct pl_queue filled;   /* chunks to store, in the order read */
	struct pl_queue empty;    /* chunks to fill; closed when storing failed */
	struct chunk *cur;        /* being filled, NULL if none */
	uint64_t n_records;       /* records read */
	uint64_t n_handed;        /* of those, the ones counted in chunks handed over */
	size_t n_chunks;          /* chunks handed over */
	int stopped;              /* the storing thread stopped taking chunks */
	enum pl_err err;          /* PL_EDATA (job->message) when reading failed */
	struct pl_diag diag;      /* what the CSV reader said */
};

/* The previous version of a file, from input_file. */
struct registered {
	int found;
	long long size, mtime_ns;
	char sha256[PL_SHA256_HEX];
	char mapping_sha256[PL_SHA256_HEX];
	char ingest_sha256[PL_SHA256_HEX];  /* "" in a row from before schema 6 */
	char status[16];
};

static long long mtime_ns(const struct stat *st)
{
	return (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

static void copy_col(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(out, size, "%s", t ? (const char *)t : "");
}

static enum pl_err find_registered(struct ingest *in, const char *name,
				   struct registered *reg, struct pl_diag *d)
{
	sqlite3_stmt *st = in->st[S_FIND];
	int rc;

	memset(reg, 0, sizeof(*reg));
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		reg->found = 1;
		reg->size = sqlite3_column_int64(st, 0);
		reg->mtime_ns = sqlite3_column_int64(st, 1);
		copy_col(st, 2, reg->sha256, sizeof(reg->sha256));
		copy_col(st, 3, reg->mapping_sha256, sizeof(reg->mapping_sha256));
		copy_col(st, 4, reg->status, sizeof(reg->status));
		copy_col(st, 5, reg->ingest_sha256, sizeof(reg->ingest_sha256));
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? PL_OK : pl_db_fail(in->db, rc, "look up input file", d);
}

/* Replaces any earlier row for the file with a fresh one; sets job->file_id. */
static enum pl_err insert_file(struct ingest *in, struct job *job, const char *status,
			       const char *message, struct pl_diag *d)
{
	sqlite3_stmt *st = in->st[S_INSERT_FILE];
	char now[32];
	enum pl_err err;

	sqlite3_bind_text(in->st[S_DELETE], 1, job->name, -1, SQLITE_STATIC);
	err = pl_db_step_done(in->db, in->st[S_DELETE], "delete earlier version", d);
	if (err)
		return err;
	pl_utc_now(now);
	sqlite3_bind_text(st, 1, job->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)job->st.st_size);
	sqlite3_bind_int64(st, 3, mtime_ns(&job->st));
	if (job->src) {
		sqlite3_bind_text(st, 4, job->src->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, job->src->sha256, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, pl_encoding_name(job->src->encoding), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, job->src->ingest_sha256, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 6, status, -1, SQLITE_STATIC);
	if (message)
		sqlite3_bind_text(st, 7, message, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, now, -1, SQLITE_TRANSIENT);
	err = pl_db_step_done(in->db, st, "register input file", d);
	job->file_id = sqlite3_last_insert_rowid(in->db);
	return err;
}

/* Opens a unit (lib/db's group commit), switched to bulk writing first:
 * the journal mode cannot change while a transaction is open. */
static enum pl_err unit_begin(struct ingest *in, struct pl_diag *d)
{
	if (!in->bulk_tried) {
		in->bulk_tried = 1;
		in->bulk = pl_db_bulk_begin(in->db);
	}
	return pl_db_unit_begin(&in->group, d);
}

/* Registers a file that was not read (unclaimed, ambiguous, failed,
 * duplicate), in a unit of its own. */
static enum pl_err register_status(struct ingest *in, struct job *job, const char *status,
				   const char *message, const char *sha256, struct pl_diag *d)
{
	enum pl_err err = unit_begin(in, d);

	if (err)
		return err;
	err = insert_file(in, job, status, message, d);
	if (!err && sha256) {
		sqlite3_stmt *st = in->st[S_FINISH_FILE];

		sqlite3_bind_int64(st, 1, job->file_id);
		sqlite3_bind_text(st, 2, sha256, -1, SQLITE_STATIC);
		for (int i = 3; i <= 10; i++)
			sqlite3_bind_int(st, i, 0);
		err = pl_db_step_done(in->db, st, "register input file", d);
	}
	if (!err)
		return pl_db_unit_end(&in->group, 0, d);
	pl_db_unit_undo(&in->group);
	return err;
}

static enum pl_err add_reject(struct ingest *in, struct job *job, long line,
			      const char *field, const char *code, const char *reason,
			      struct pl_diag *d)
{
	sqlite3_stmt *st = in->st[S_INSERT_REJECT];

	job->rows_rejected++;
	if (job->rows_rejected <= MAX_LOGGED_REJECTS && pl_log_enabled(PL_LOG_WARN)) {
		pl_buf_reset(&in->scratch);
		pl_buf_printf(&in->scratch, "%s:%ld", job->name, line);
		if (field)
			pl_log(PL_LOG_WARN, in->scratch.data, "field '%s': %s", field, reason);
		else
			pl_log(PL_LOG_WARN, in->scratch.data, "%s", reason);
	}
	sqlite3_bind_int64(st, 1, job->file_id);
	sqlite3_bind_int64(st, 2, line);
	if (field)
		sqlite3_bind_text(st, 3, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, reason, -1, SQLITE_TRANSIENT);
	return pl_db_step_done(in->db, st, "record reject", d);
}

static const char *col_name(struct job *job, size_t idx, struct pl_buf *tmp)
{
	if (idx < job->n_cols && job->col_names[idx][0])
		return job->col_names[idx];
	pl_buf_reset(tmp);
	pl_buf_printf(tmp, "column %zu", idx + 1);
	return tmp->data;
}

/* Normalises line breaks inside a value (CRLF or CR to LF) into out. */
static void append_value(struct pl_buf *out, const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		const char *cr = memchr(s, '\r', (size_t)(end - s));

		if (!cr) {
			pl_buf_append(out, s, (size_t)(end - s));
			return;
		}
		pl_buf_append(out, s, (size_t)(cr - s));
		if (cr + 1 == end || cr[1] != '\n')
			pl_buf_putc(out, '\n');
		s = cr + 1;
	}
}

/* Decodes one field; on failure sets *code and writes the reason into why. */
static const char *decode_field(struct job *job, const char *raw, size_t raw_len,
				size_t *len, const char **code, char *why, size_t why_size)
{
	size_t bad = 0;
	const char *s = pl_decode_str(&job->dec, raw, raw_len, len, &bad);
	long ctl;

	if (!s) {
		*code = "encoding";
		snprintf(why, why_size, "invalid byte 0x%02X for encoding %s",
			 (unsigned char)raw[bad], pl_encoding_name(job->src->encoding));
		return NULL;
	}
	ctl = pl_find_control(s, *len);
	if (ctl >= 0) {
		*code = "control_char";
		snprintf(why, why_size, "control character 0x%02X", (unsigned char)s[ctl]);
		return NULL;
	}
	return s;
}

/* Stores a chunk's rows and rejects in order. */
static enum pl_err store_chunk(struct ingest *in, struct job *job, const struct chunk *c,
			       struct pl_diag *d)
{
	const char *bytes = c->bytes.data;
	enum pl_err err = PL_OK;

	for (size_t i = 0; !err && i < c->n_items; i++) {
		const struct item *it = &c->items[i];

		if (it->kind == I_ROW && it->secret)
			err = pl_sealed_add(&in->sealer, job->file_id, it->line, bytes + it->off2,
					    it->len2, d);
		if (it->kind == I_ROW && !err) {
			err = pl_raw_add(&in->rows, job->file_id, it->line, bytes + it->off, it->len, d);
			job->rows_kept++;
		}
		else if (it->kind == I_REJECT)
			err = add_reject(in, job, it->line, it->len2 ? bytes + it->off2 : NULL,
					 it->code, bytes + it->off, d);
		else if (it->kind == I_BYTES)
			pl_sha256_update(&job->hash, bytes + it->off, it->len);
	}
	return err;
}

/* The reading thread's side.  Its functions return 0, or -1 when the
 * storing thread has stopped (it has the error to report). */

/* Hands the chunk being filled, if any, to the storing thread. */
static int hand_over(struct reader *rd)
{
	struct chunk *c = rd->cur;

	if (!c)
		return 0;
	rd->cur = NULL;
	c->n_records = rd->n_records - rd->n_handed;
	rd->n_handed = rd->n_records;
	rd->n_chunks++;
	if (pl_queue_put(&rd->filled, c) != 0)
		rd->stopped = 1;
	return rd->stopped ? -1 : 0;
}

/* A new item at the end of the chunk being filled, taking an empty chunk
 * first if need be; NULL when the storing thread has stopped. */
static struct item *new_item(struct reader *rd, enum item_kind kind, long line)
{
	struct item *it;

	if (rd->stopped)
		return NULL;
	if (!rd->cur) {
		rd->cur = pl_queue_get(&rd->empty);
		if (!rd->cur) {
			rd->stopped = 1;
			return NULL;
		}
		rd->cur->n_items = 0;
		pl_buf_reset(&rd->cur->bytes);
	}
	it = &rd->cur->items[rd->cur->n_items++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->line = line;
	return it;
}

/* Hands the chunk over once the item just added has filled it. */
static int item_done(struct reader *rd)
{
	if (rd->cur->n_items < CHUNK_ITEMS && rd->cur->bytes.len < CHUNK_BYTES)
		return 0;
	return hand_over(rd);
}

/* Appends s and a NUL to the chunk's bytes; returns where s starts. */
static size_t put_text(struct chunk *c, const char *s, size_t len)
{
	size_t off = c->bytes.len;

	pl_buf_append(&c->bytes, s, len);
	pl_buf_putc(&c->bytes, '\0');
	return off;
}

/* A reject for the storing thread (field NULL: the whole record; a column
 * name is never empty, see col_name()). */
static int read_reject(struct reader *rd, long line, const char *field, const char *code,
		       const char *reason)
{
	struct item *it = new_item(rd, I_REJECT, line);

	if (!it)
		return -1;
	it->code = code;
	it->len = strlen(reason);
	it->off = put_text(rd->cur, reason, it->len);
	if (field) {
		it->len2 = strlen(field);
		it->off2 = put_text(rd->cur, field, it->len2);
	}
	return item_done(rd);
}

/* csvread's on_bytes: the file's bytes to hash, in order.  Those of the
 * header are hashed here, before the reading thread starts; later ones go
 * through the chunks, so that the storing thread hashes them while the
 * reading thread parses.  (Which side hashes follows the balance of the
 * two: with a seal a row, the storing side sealed and the reading side
 * hashed; with a seal a chunk of rows, the reading side had 62% of the
 * work at 1M rows, and hashing is moved back.) */
static void take_bytes(void *user, const void *bytes, size_t len)
{
	struct job *job = user;
	struct reader *rd = job->reader;
	struct item *it;

	if (!rd) {
		pl_sha256_update(&job->hash, bytes, len);
		return;
	}
	it = new_item(rd, I_BYTES, 0);
	if (!it)
		return; /* stopped: the next row finds out */
	it->off = rd->cur->bytes.len;
	it->len = len;
	pl_buf_append(&rd->cur->bytes, bytes, len);
	item_done(rd);
}

static int keep_record(struct reader *rd, const struct pl_csv_record *rec)
{
	struct ingest *in = rd->in;
	struct job *job = rd->job;
	struct item *it;
	int any_sealed = 0;
	const char *code = NULL;
	char why[96];

	pl_buf_reset(&in->fields);
	pl_buf_reset(&in->secret);
	for (size_t i = 0; i < rec->n_kept; i++) {
		int sealed = i < job->n_cols && job->col_sealed[i];
		size_t len;
		const char *v = decode_field(job, rec->fields[i], rec->lens[i], &len, &code,
					     why, sizeof(why));

		if (!v)
			return read_reject(rd, rec->line, col_name(job, i, &in->colname), code, why);
		if (i > 0)
			pl_buf_putc(&in->fields, FIELD_SEP);
		if (sealed) {
			if (any_sealed)
				pl_buf_putc(&in->secret, FIELD_SEP);
			append_value(&in->secret, v, len);
			any_sealed = 1;
		} else {
			append_value(&in->fields, v, len);
		}
	}
	it = new_item(rd, I_ROW, rec->line);
	if (!it)
		return -1;
	it->off = rd->cur->bytes.len;
	pl_raw_encode(&rd->cur->bytes, rec->line, in->fields.data ? in->fields.data : "",
		      in->fields.len);
	it->len = rd->cur->bytes.len - it->off;
	if (any_sealed) {
		it->secret = 1;
		it->off2 = rd->cur->bytes.len;
		it->len2 = in->secret.len;
		pl_buf_append(&rd->cur->bytes, in->secret.data ? in->secret.data : "",
			      in->secret.len);
	}
	return item_done(rd);
}

static int is_footer(struct job *job, const struct pl_csv_record *rec)
{
	size_t len;
	size_t bad;
	const char *first;

	if (!job->src->footer || rec->n_kept == 0)
		return 0;
	first = pl_decode_str(&job->dec, rec->fields[0], rec->lens[0], &len, &bad);
	return first && regexec(&job->src->footer_re, first, 0, NULL, 0) == 0;
}

static int take_record(struct reader *rd, const struct pl_csv_record *rec)
{
	struct job *job = rd->job;
	char why[96];

	if (is_footer(job, rec)) {
		job->footer_rows++;
		return PL_OK;
	}
	if (pl_csv_record_is_empty(rec)) {
		job->empty_records++;
		return PL_OK;
	}
	job->rows_read++;
	if (rec->too_long) {
		snprintf(why, sizeof(why), "field longer than %zu bytes", job->src->max_field_bytes);
		return read_reject(rd, rec->line,
				   col_name(job, (size_t)rec->field_idx, &rd->in->colname),
				   "field_too_long", why);
	}
	if (rec->n_fields != job->n_expected) {
		snprintf(why, sizeof(why), "expected %zu fields, found %zu",
			 job->n_expected, rec->n_fields);
		return read_reject(rd, rec->line, NULL, "field_count", why);
	}
	return keep_record(rd, rec);
}

/* Marks the file failed: the caller rolls back and registers the reason. */
static enum pl_err file_fails(struct job *job, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum pl_err file_fails(struct job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(job->message, sizeof(job->message), fmt, ap);
	va_end(ap);
	return PL_EDATA;
}

static char *trimmed_copy(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
		       s[len - 1] == '\n'))
		len--;
	return pl_xstrndup(s, len);
}

/* Adds one header row's decoded cells to the column names.  Upper rows fill
 * an empty cell from its left neighbour (merged cells); the last row not. */
static enum pl_err add_header_row(struct job *job, const struct pl_csv_record *rec,
				  int fill_right, struct pl_buf *tmp)
{
	enum pl_err err = PL_OK;
	char *left = pl_xstrdup("");

	if (rec->n_kept < rec->n_fields) {
		err = file_fails(job, "header at line %ld has more than %zu fields",
				 rec->line, rec->n_kept);
		goto cleanup;
	}
	if (rec->n_fields > job->n_cols) {
		job->col_names = pl_xrealloc(job->col_names, rec->n_fields * sizeof(char *));
		for (size_t i = job->n_cols; i < rec->n_fields; i++)
			job->col_names[i] = pl_xstrdup("");
		job->n_cols = rec->n_fields;
	}
	for (size_t i = 0; i < rec->n_kept; i++) {
		const char *code = NULL;
		char why[96];
		size_t len;
		const char *v = decode_field(job, rec->fields[i], rec->lens[i], &len, &code,
					     why, sizeof(why));
		char *cell;

		if (!v) {
			err = file_fails(job, "header at line %ld, column %zu: %s", rec->line, i + 1, why);
			goto cleanup;
		}
		cell = trimmed_copy(v, len);
		if (!*cell && fill_right) {
			free(cell);
			cell = pl_xstrdup(left);
		} else {
			free(left);
			left = pl_xstrdup(cell);
		}
		pl_buf_reset(tmp);
		pl_buf_printf(tmp, "%s%s%s", job->col_names[i],
			      *job->col_names[i] && *cell ? " " : "", cell);
		free(job->col_names[i]);
		job->col_names[i] = pl_xstrdup(tmp->data);
		free(cell);
	}
cleanup:
	free(left);
	return err;
}

/* Finds each mapped field's column: the first alias present wins.  Every
 * column named by any alias of a sensitive field is sealed, so an export
 * carrying the identity number twice never stores it in clear; a sensitive
 * field's column must exist.  A header naming a mapped field's column twice
 * is logged as a warning (the first is used), so an ambiguous export is not
 * mapped from the wrong column in silence. */
static enum pl_err match_columns(struct job *job, struct pl_buf *tmp)
{
	char **folded = pl_xcalloc(job->n_cols, sizeof(char *));
	enum pl_err err = PL_OK;
	char where[512];

	job->col_field = pl_xmalloc(job->n_cols * sizeof(int));
	job->col_sealed = pl_xcalloc(job->n_cols, sizeof(int));
	for (size_t c = 0; c < job->n_cols; c++) {
		job->col_field[c] = -1;
		folded[c] = pl_xstrdup(pl_fold(job->col_names[c], strlen(job->col_names[c]), tmp));
	}
	for (int f = 0; f < PL_F__COUNT && !err; f++) {
		const struct pl_aliases *a = &job->src->columns[f];
		int sensitive = pl_field_is_sensitive((enum pl_field)f);
		int found = 0;

		for (size_t k = 0; k < a->n_names; k++) {
			for (size_t c = 0; c < job->n_cols; c++) {
				if (strcmp(folded[c], a->names[k]) != 0)
					continue;
				job->col_sealed[c] |= sensitive;
				if (!found && job->col_field[c] < 0) {
					job->col_field[c] = f;
					found = 1;
				}
			}
		}
		for (size_t c = 0; found && c < job->n_cols; c++) {
			if (job->col_field[c] != f)
				continue;
			for (size_t c2 = c + 1; c2 < job->n_cols; c2++) {
				if (job->col_field[c2] >= 0 || strcmp(folded[c2], folded[c]) != 0)
					continue;
				snprintf(where, sizeof(where), "%s:%ld", job->name, job->src->header_line);
				pl_log(PL_LOG_WARN, where,
				       "header names column '%s' twice (columns %zu and %zu): "
				       "%s is read from column %zu, column %zu is ignored",
				       job->col_names[c2], c + 1, c2 + 1,
				       pl_field_name((enum pl_field)f), c + 1, c2 + 1);
			}
			break;
		}
		if (a->n_names && !found && sensitive)
			err = file_fails(job, "no column for %s ('%s', %s line %ld) in the header; "
					 "a renamed column would be stored in clear text",
					 pl_field_name((enum pl_field)f), a->names[0],
					 job->src->path, a->line);
	}
	for (size_t c = 0; c < job->n_cols; c++)
		free(folded[c]);
	free(folded);
	return err;
}

static enum pl_err store_columns(struct ingest *in, struct job *job, struct pl_diag *d)
{
	sqlite3_stmt *st = in->st[S_INSERT_COLUMN];
	enum pl_err err = PL_OK;

	for (size_t c = 0; c < job->n_cols && !err; c++) {
		int f = job->col_field[c];

		sqlite3_bind_int64(st, 1, job->file_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)c);
		sqlite3_bind_text(st, 3, job->col_names[c], -1, SQLITE_STATIC);
		if (f >= 0)
			sqlite3_bind_text(st, 4, pl_field_name((enum pl_field)f), -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, job->col_sealed[c]);
		err = pl_db_step_done(in->db, st, "store header", d);
	}
	return err;
}

static enum pl_err read_header(struct ingest *in, struct job *job, struct pl_csv_reader *r,
			       struct pl_diag *d)
{
	struct pl_csv_record rec;
	enum pl_err err = PL_OK;

	for (long k = 0; k < job->src->header_lines && !err; k++) {
		enum pl_csv_event ev = pl_csv_next(r, &rec, d);

		if (ev == PL_CSV_ERROR)
			return file_fails(job, "%s", d->msg);
		if (ev == PL_CSV_END)
			return file_fails(job, k == 0 && pl_csv_stats(r)->lines == 0 ? "empty file"
					  : "no header: the file ends before header row %ld (line %ld)",
					  k + 1, job->src->header_line);
		if (ev == PL_CSV_BAD)
			return file_fails(job, "header at line %ld: %s", rec.line, rec.reason);
		err = add_header_row(job, &rec, k + 1 < job->src->header_lines, &in->scratch);
		job->header_lines++;
	}
	if (!err)
		err = match_columns(job, &in->scratch);
	job->n_expected = job->src->n_fields ? (size_t)job->src->n_fields : job->n_cols;
	if (!err)
		err = store_columns(in, job, d);
	return err;
}

/* Reads the file's next data record into the chunks; nonzero at its end, a
 * read error (rd->err) or when the storing side has stopped. */
static int read_next(struct reader *rd)
{
	struct job *job = rd->job;
	struct pl_csv_record rec;
	enum pl_csv_event ev = pl_csv_next(rd->r, &rec, &rd->diag);

	if (ev == PL_CSV_END)
		return 1;
	if (ev == PL_CSV_ERROR) {
		rd->err = file_fails(job, "%s", rd->diag.msg);
		return 1;
	}
	rd->n_records++;
	if (ev == PL_CSV_BAD) {
		job->rows_read++;
		return read_reject(rd, rec.line,
				   rec.field_idx >= 0 ? col_name(job, (size_t)rec.field_idx,
								 &rd->in->colname) : NULL,
				   rec.code, rec.reason);
	}
	return take_record(rd, &rec);
}

/* The reading thread: reads the file's data records into chunks until
 * read_next stops; then hands over what it holds and closes rd->filled. */
static void *read_rows_thread(void *arg)
{
	struct reader *rd = arg;

	while (!read_next(rd))
		;
	hand_over(rd);
	pl_queue_close(&rd->filled);
	return NULL;
}

/* Stores a chunk the reading side handed over, and gives it back. */
static enum pl_err store_handed(struct ingest *in, struct job *job, struct reader *rd,
				struct chunk *c, struct pl_diag *d)
{
	enum pl_err err = store_chunk(in, job, c, d);

	/* an update a record, as before the threads: the rate limit looks at
	 * the clock every so many calls */
	for (uint64_t k = 0; k < c->n_records; k++)
		pl_progress_update(++in->rows_seen, in->bytes_done);
	pl_queue_put(&rd->empty, c);
	return err;
}

/* Without a second thread: reads and stores in turn on this one, each chunk
 * as soon as it is handed over (the queues then never wait). */
static enum pl_err read_rows_here(struct ingest *in, struct job *job, struct reader *rd,
				  struct pl_diag *d)
{
	enum pl_err err = PL_OK;
	size_t stored = 0;
	int end = 0;

	while (!err && !end) {
		end = read_next(rd);
		if (end)
			hand_over(rd);
		while (!err && stored < rd->n_chunks) {
			stored++;
			err = store_handed(in, job, rd, pl_queue_get(&rd->filled), d);
		}
	}
	return err;
}

/* Reads the file's data records on a second thread while this one stores
 * them (on this one alone if no thread can be started).  When storing fails
 * the reading thread is stopped; when reading fails (PL_EDATA,
 * job->message) what was read before is stored first, as one thread would
 * have, so the failure returned is the first in the file's order. */
static enum pl_err read_rows(struct ingest *in, struct job *job, struct pl_csv_reader *r,
			     struct pl_diag *d)
{
	struct reader rd;
	struct chunk *c;
	uint64_t seen = in->rows_seen;
	pthread_t tid;
	enum pl_err err = PL_OK;
	int rc;

	memset(&rd, 0, sizeof(rd));
	rd.in = in;
	rd.job = job;
	rd.r = r;
	pl_diag_clear(&rd.diag);
	pl_queue_init(&rd.filled, N_CHUNKS);
	pl_queue_init(&rd.empty, N_CHUNKS);
	for (size_t i = 0; i < N_CHUNKS; i++)
		pl_queue_put(&rd.empty, &in->chunks[i]);
	job->reader = &rd;
	rc = pthread_create(&tid, NULL, read_rows_thread, &rd);
	if (rc != 0) {
		pl_log(PL_LOG_DEBUG, job->name, "reading on one thread: a second one could not "
		       "be started: %s", strerror(rc));
		err = read_rows_here(in, job, &rd, d);
	} else {
		while (!err && (c = pl_queue_get(&rd.filled)) != NULL)
			err = store_handed(in, job, &rd, c, d);
		if (err) {
			pl_queue_close(&rd.empty);
			pl_queue_close(&rd.filled);
		}
		pthread_join(tid, NULL);
	}
	job->reader = NULL;
	in->rows_seen = seen + rd.n_records;
	if (!err && rd.err) {
		*d = rd.diag;
		err = rd.err;
	}
	pl_queue_release(&rd.filled);
	pl_queue_release(&rd.empty);
	return err;
}

static enum pl_err finish_file(struct ingest *in, struct job *job,
			       const struct pl_csv_stats *stats, struct pl_diag *d)
{
	sqlite3_stmt *st = in->st[S_FINISH_FILE];

	sqlite3_bind_int64(st, 1, job->file_id);
	sqlite3_bind_text(st, 2, stats->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, stats->lines);
	sqlite3_bind_int64(st, 4, stats->skipped_lines);
	sqlite3_bind_int64(st, 5, job->header_lines);
	sqlite3_bind_int64(st, 6, job->footer_rows);
	sqlite3_bind_int64(st, 7, stats->blank_lines + job->empty_records);
	sqlite3_bind_int64(st, 8, job->rows_read);
	sqlite3_bind_int64(st, 9, job->rows_kept);
	sqlite3_bind_int64(st, 10, job->rows_rejected);
	return pl_db_step_done(in->db, st, "register file counts", d);
}

/* Another file already holding this content, or "" (name into out). */
static enum pl_err find_duplicate(struct ingest *in, struct job *job, const char *sha256,
				  char *out, size_t size, struct pl_diag *d)
{
	sqlite3_stmt *st = in->st[S_FIND_DUP];
	int rc;

	out[0] = '\0';
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, job->file_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		copy_col(st, 0, out, size);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? PL_OK : pl_db_fail(in->db, rc, "look for duplicates", d);
}

static void job_release(struct job *job)
{
	for (size_t c = 0; c < job->n_cols; c++)
		free(job->col_names[c]);
	free(job->col_names);
	free(job->col_field);
	free(job->col_sealed);
	pl_decoder_release(&job->dec);
	free(job->path);
}

static struct pl_csv_opts reader_opts(const struct pl_source *src)
{
	struct pl_csv_opts o = { 0 };

	o.delimiter = src->delimiter;
	o.quote = src->quote;
	o.max_field_bytes = src->max_field_bytes;
	o.skip_lines = src->header_line - 1;
	o.strip_utf8_bom = src->encoding == PL_ENC_UTF8 || src->encoding == PL_ENC_UTF8_BOM;
	return o;
}

/* Reads the file inside the open transaction.  PL_EDATA with job->message
 * when the file cannot be ingested; other errors stop the run. */
static enum pl_err read_file(struct ingest *in, struct job *job, struct pl_csv_stats *stats,
			     struct pl_diag *d)
{
	struct pl_csv_opts ro = reader_opts(job->src);
	struct pl_csv_reader *r = NULL;
	enum pl_err err;

	err = insert_file(in, job, "ok", NULL, d);
	if (err)
		goto cleanup;
	pl_sha256_init(&job->hash);
	r = pl_csv_open(job->path, &ro, d);
	if (!r) {
		err = file_fails(job, "%s", d->msg);
		goto cleanup;
	}
	pl_csv_on_bytes(r, take_bytes, job);
	err = read_header(in, job, r, d);
	if (!err && pl_csv_stats(r)->bom == PL_BOM_UTF16)
		err = file_fails(job, "UTF-16 text is not supported: export as UTF-8 or Windows-1252");
	pl_raw_discard(&in->rows);       /* what a failed file left */
	pl_sealed_discard(&in->sealer);
	if (!err)
		err = read_rows(in, job, r, d);
	if (!err)
		err = pl_raw_flush(&in->rows, d);
	if (!err)
		err = pl_sealed_flush(&in->sealer, d);
	if (err == PL_EDATA)
		goto cleanup;
	if (!err) {
		*stats = *pl_csv_stats(r);
		pl_sha256_hex(&job->hash, stats->sha256);
		err = finish_file(in, job, stats, d);
	}
cleanup:
	pl_csv_close(r);
	return err;
}

/* Whether what ingest reads of the mapping file ([source], [dialect],
 * [columns]) is what the file was ingested under: the same ingest digest,
 * or the same mapping file (a row from before schema 6 holds only that).
 * Another edit of the mapping file re-maps the file but keeps its rows. */
static int same_for_ingest(const struct job *job, const struct registered *reg)
{
	return strcmp(reg->mapping_sha256, job->src->sha256) == 0 ||
	       (reg->ingest_sha256[0] && strcmp(reg->ingest_sha256, job->src->ingest_sha256) == 0);
}

/* Records the file's new time stamp and its mapping file's digests: its
 * content and rows stay. */
static enum pl_err touch(struct ingest *in, struct job *job, struct pl_diag *d)
{
	sqlite3_stmt *st = in->st[S_TOUCH];

	sqlite3_bind_text(st, 1, job->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)job->st.st_size);
	sqlite3_bind_int64(st, 3, mtime_ns(&job->st));
	sqlite3_bind_text(st, 4, job->src->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, job->src->ingest_sha256, -1, SQLITE_STATIC);
	return pl_db_step_done(in->db, st, "update file time", d);
}

/* A file read and stored in a unit of its own (lib/db's group commit). */
static enum pl_err ingest_file(struct ingest *in, struct job *job, const struct registered *reg,
			       struct pl_diag *d)
{
	struct pl_csv_stats stats;
	char dup[256];
	enum pl_err err;

	memset(&stats, 0, sizeof(stats));
	err = pl_decoder_init(&job->dec, job->src->encoding, d);
	if (!err)
		err = unit_begin(in, d);
	if (err)
		return err;
	err = read_file(in, job, &stats, d);
	if (!err)
		err = find_duplicate(in, job, stats.sha256, dup, sizeof(dup), d);
	if (!err && reg->found && strcmp(reg->status, "ok") == 0 &&
	    strcmp(reg->sha256, stats.sha256) == 0 && same_for_ingest(job, reg)) {
		/* Only the time stamp changed: keep the rows we have. */
		pl_db_unit_undo(&in->group);
		in->sum->files_unchanged++;
		return touch(in, job, d);
	}
	if (!err && dup[0]) {
		char msg[300];

		pl_db_unit_undo(&in->group);
		snprintf(msg, sizeof(msg), "same content as '%s'", dup);
		pl_log(PL_LOG_WARN, job->name, "%s: not ingested again", msg);
		in->sum->files_duplicate++;
		return register_status(in, job, "duplicate", msg, stats.sha256, d);
	}
	if (err) {
		pl_db_unit_undo(&in->group);
		if (err != PL_EDATA)
			return err;
		pl_log(PL_LOG_ERROR, job->name, "%s", job->message);
		in->sum->files_failed++;
		return register_status(in, job, "failed", job->message, NULL, d);
	}
	err = pl_db_unit_end(&in->group, job->rows_read, d);
	if (err)
		return err;
	in->sum->files_ingested++;
	in->sum->rows_read += job->rows_read;
	in->sum->rows_kept += job->rows_kept;
	in->sum->rows_rejected += job->rows_rejected;
	if (job->rows_rejected > MAX_LOGGED_REJECTS)
		pl_log(PL_LOG_WARN, job->name, "%ld more rejected rows not shown (see table reject)",
		       job->rows_rejected - MAX_LOGGED_REJECTS);
	pl_log(PL_LOG_INFO, job->name, "%ld rows read, %ld kept, %ld rejected (source %s)",
	       job->rows_read, job->rows_kept, job->rows_rejected, job->src->name);
	return PL_OK;
}

/* Finds the one source claiming the file, or registers why there is none. */
static enum pl_err claim(struct ingest *in, struct job *job, struct pl_diag *d)
{
	const struct pl_source *first = NULL, *second = NULL;
	char msg[300];

	for (size_t i = 0; i < in->sources.n_items; i++) {
		if (!pl_source_claims(in->sources.items[i], job->name))
			continue;
		if (!first)
			first = in->sources.items[i];
		else if (!second)
			second = in->sources.items[i];
	}
	if (first && !second) {
		job->src = first;
		return PL_OK;
	}
	if (first)
		snprintf(msg, sizeof(msg), "claimed by two sources: '%s' (%s) and '%s' (%s)",
			 first->name, first->path, second->name, second->path);
	else
		snprintf(msg, sizeof(msg), "no source claims this file; add its name to the "
			 "files pattern of a mapping file");
	pl_log(PL_LOG_ERROR, job->name, "%s", msg);
	in->sum->files_failed++;
	return register_status(in, job, first ? "ambiguous" : "unclaimed", msg, NULL, d);
}

static int unchanged(const struct job *job, const struct registered *reg)
{
	return reg->found && (strcmp(reg->status, "ok") == 0 || strcmp(reg->status, "duplicate") == 0) &&
	       reg->size == (long long)job->st.st_size && reg->mtime_ns == mtime_ns(&job->st) &&
	       same_for_ingest(job, reg);
}

/* Whether the row's digests of the mapping file are not the current ones
 * (touch records them). */
static int restamp(const struct job *job, const struct registered *reg)
{
	return strcmp(reg->mapping_sha256, job->src->sha256) != 0 ||
	       strcmp(reg->ingest_sha256, job->src->ingest_sha256) != 0;
}

/* Same size and mapping, new time, same bytes (e.g. copied again or
 * checked out): not worth reading, nor its rejects worth logging again. */
static int touched_only(const struct job *job, const struct registered *reg)
{
	char hex[PL_SHA256_HEX];
	struct pl_diag ignored;

	return reg->found && strcmp(reg->status, "ok") == 0 &&
	       reg->size == (long long)job->st.st_size && same_for_ingest(job, reg) &&
	       pl_sha256_file(job->path, hex, &ignored) == PL_OK && strcmp(hex, reg->sha256) == 0;
}

static enum pl_err process(struct ingest *in, const char *name, struct pl_diag *d)
{
	struct registered reg;
	struct job job;
	enum pl_err err;

	memset(&job, 0, sizeof(job));
	job.name = name;
	pl_buf_reset(&in->scratch);
	pl_buf_printf(&in->scratch, "%s/%s", in->o->input_dir, name);
	job.path = pl_xstrdup(in->scratch.data);
	in->sum->files_seen++;
	if (stat(job.path, &job.st) != 0) {
		err = pl_diag_set(d, PL_ENOINPUT, job.path, 0, "cannot read: %s", strerror(errno));
		goto cleanup;
	}
	err = find_registered(in, name, &reg, d);
	if (!err)
		err = claim(in, &job, d);
	if (err || !job.src)
		goto cleanup;
	if (unchanged(&job, &reg)) {
		pl_log(PL_LOG_DEBUG, name, "unchanged since the last run%s",
		       strcmp(reg.mapping_sha256, job.src->sha256) != 0 ?
		       " (its mapping file changed where ingest does not read it: map maps it "
		       "again)" : "");
		in->sum->files_unchanged++;
		if (restamp(&job, &reg))
			err = touch(in, &job, d);
		goto cleanup;
	}
	if (touched_only(&job, &reg)) {
		pl_log(PL_LOG_DEBUG, name, "only its time changed since the last run");
		in->sum->files_unchanged++;
		err = touch(in, &job, d);
		goto cleanup;
	}
	err = ingest_file(in, &job, &reg, d);
cleanup:
	job_release(&job);
	return err;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular files of the input directory not starting with '.', sorted. */
static enum pl_err list_inputs(const char *dir, char ***names, size_t *n, struct pl_diag *d)
{
	struct pl_buf path;
	struct dirent *de;
	DIR *dp = opendir(dir);

	*names = NULL;
	*n = 0;
	if (!dp)
		return pl_diag_set(d, PL_ENOINPUT, dir, 0, "cannot open input directory: %s",
				   strerror(errno));
	pl_buf_init(&path);
	while ((de = readdir(dp)) != NULL) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		pl_buf_reset(&path);
		pl_buf_printf(&path, "%s/%s", dir, de->d_name);
		if (stat(path.data, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		*names = pl_xrealloc(*names, (*n + 1) * sizeof(**names));
		(*names)[(*n)++] = pl_xstrdup(de->d_name);
	}
	closedir(dp);
	pl_buf_release(&path);
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_name);
	return PL_OK;
}

/* The size of input_dir/name, 0 if it cannot be told (progress only). */
static uint64_t file_size(const char *input_dir, const char *name)
{
	struct pl_buf path;
	struct stat st;
	uint64_t size = 0;

	pl_buf_init(&path);
	pl_buf_printf(&path, "%s/%s", input_dir, name);
	if (stat(path.data, &st) == 0 && st.st_size > 0)
		size = (uint64_t)st.st_size;
	pl_buf_release(&path);
	return size;
}

/* The bytes this run will read: the progress total.  The bytes done are
 * those of the files finished (csvread tells no offset within a file). */
static uint64_t input_bytes(const struct ingest_opts *opts, char **names, size_t n_names)
{
	uint64_t total = 0;

	if (!pl_progress_active())
		return 0;
	for (size_t i = 0; i < (opts->only ? opts->n_only : n_names); i++)
		total += file_size(opts->input_dir, opts->only ? opts->only[i] : names[i]);
	return total;
}

/* A new key is made only for a database that holds nothing sealed: with
 * sealed rows, a missing key file is a lost key (restore it from its
 * backup), and a new one would seal tonight's files under another key. */
static enum pl_err check_new_key(struct ingest *in, struct pl_diag *d)
{
	int sealed;

	if (access(in->o->key_path, F_OK) == 0 || errno != ENOENT)
		return PL_OK;
	sealed = pl_sealed_any(in->db);
	if (sealed < 0)
		return pl_db_fail(in->db, sqlite3_errcode(in->db), "look for sealed values", d);
	if (sealed)
		return pl_diag_set(d, PL_ECONFIG, in->o->key_path, 0, "the key file is missing, "
				   "but the database '%s' holds values sealed with a key: restore "
				   "the key file from its backup (docs/operations.md), or move the "
				   "database away to start afresh", in->o->db_path);
	return PL_OK;
}

/* The chunks between the two threads, and the writer of the kept records.
 * A statement journal (a few pages) is kept in memory: on disk SQLite
 * moves it to a temporary file once one statement's journal passes 64 KiB. */
static enum pl_err prepare_chunks(struct ingest *in, struct pl_diag *d)
{
	enum pl_err err;

	in->chunks = pl_xcalloc(N_CHUNKS, sizeof(*in->chunks));
	for (size_t i = 0; i < N_CHUNKS; i++)
		pl_buf_init(&in->chunks[i].bytes);
	err = pl_db_exec(in->db, "PRAGMA temp_store = MEMORY", d);
	if (!err)
		err = pl_raw_writer_init(&in->rows, in->db, d);
	return err;
}

static enum pl_err open_run(struct ingest *in, struct pl_diag *d)
{
	struct pl_key key;
	enum pl_err err;

	err = pl_secret_init(d);
	if (!err)
		err = pl_source_set_load(in->o->mapping_dir, &in->sources, d);
	if (!err)
		err = pl_db_open(in->o->db_path, &in->db, d);
	if (!err)
		err = check_new_key(in, d);
	if (!err)
		err = pl_key_load(in->o->key_path, 1, &key, d);
	if (err)
		return err;
	pl_key_derive(&key, PL_SUBKEY_SEAL, in->seal_key);
	pl_key_wipe(&key);
	pl_nonce_pool_init(&in->nonces);
	err = pl_db_prepare_all(in->db, stmt_sql, S__COUNT, in->st, d);
	if (!err)
		err = prepare_chunks(in, d);
	if (!err)
		err = pl_sealed_writer_init(&in->sealer, in->db, in->seal_key, &in->nonces, d);
	return err;
}

static void close_run(struct ingest *in)
{
	pl_db_finalize_all(in->st, S__COUNT);
	pl_sealed_writer_release(&in->sealer);
	pl_raw_writer_release(&in->rows);
	for (size_t i = 0; in->chunks && i < N_CHUNKS; i++) {
		pl_buf_wipe(&in->chunks[i].bytes);   /* values to seal, in clear */
		pl_buf_release(&in->chunks[i].bytes);
	}
	free(in->chunks);
	pl_db_close(in->db);
	pl_source_set_release(&in->sources);
	pl_buf_release(&in->fields);
	pl_buf_wipe(&in->secret);
	pl_buf_release(&in->secret);
	pl_buf_release(&in->scratch);
	pl_buf_release(&in->colname);
	memset(in->seal_key, 0, sizeof(in->seal_key));
	pl_nonce_pool_release(&in->nonces);
}

void ingest_summary_line(const struct ingest_summary *sum, char *out, size_t size)
{
	snprintf(out, size, "%ld files: %ld ingested, %ld unchanged, %ld duplicate, %ld failed; "
		 "%ld rows read, %ld kept, %ld rejected", sum->files_seen, sum->files_ingested,
		 sum->files_unchanged, sum->files_duplicate, sum->files_failed, sum->rows_read,
		 sum->rows_kept, sum->rows_rejected);
}

static void log_resealed(struct ingest *in, long long file_id, long rows)
{
	sqlite3_stmt *st = NULL;
	char name[256] = "";

	if (sqlite3_prepare_v2(in->db, "SELECT name FROM input_file WHERE file_id = ?1", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, file_id);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(name, sizeof(name), "%s", (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	pl_log(PL_LOG_INFO, name[0] ? name : NULL, "the sealed values of %ld rows, sealed a row "
	       "at a time before schema version 7, sealed again in chunks of %d rows", rows,
	       PL_SEALED_ROWS);
}

/* A database upgraded from version 6 holds its sealed values a row at a
 * time (format 1): sealed again a chunk of rows at a time, a file per
 * unit (lib/db's group commit), once (lib/sealed.h), so that map and dedup
 * open them as fast as new ones.  A run killed meanwhile leaves whole files
 * done. */
static enum pl_err reseal_legacy(struct ingest *in, struct pl_diag *d)
{
	enum pl_err err = PL_OK;
	long long file_id;

	while (!err && (file_id = pl_sealed_legacy_file(in->db)) != 0) {
		long rows = 0;

		if (file_id < 0)
			return pl_db_fail(in->db, sqlite3_errcode(in->db), "look for sealed values", d);
		err = unit_begin(in, d);
		if (!err)
			err = pl_sealed_reseal(&in->sealer, file_id, &rows, d);
		if (!err)
			err = pl_db_unit_end(&in->group, rows, d);
		else
			pl_db_unit_undo(&in->group);
		if (!err)
			log_resealed(in, file_id, rows);
	}
	return err;
}

enum pl_err ingest_run(const struct ingest_opts *opts, struct ingest_summary *sum,
		       struct pl_diag *d)
{
	struct ingest in;
	char **names = NULL;
	size_t n_names = 0;
	enum pl_err err;

	memset(&in, 0, sizeof(in));
	memset(sum, 0, sizeof(*sum));
	in.o = opts;
	in.sum = sum;
	err = list_inputs(opts->input_dir, &names, &n_names, d);
	if (!err)
		err = open_run(&in, d);
	in.group.db = in.db;
	if (!err)
		err = reseal_legacy(&in, d);
	for (size_t i = 0; !err && opts->only && i < opts->n_only; i++) {
		if (!bsearch(&opts->only[i], names, n_names, sizeof(*names), cmp_name))
			err = pl_diag_set(d, PL_ENOINPUT, opts->only[i], 0,
					  "no such file in '%s'", opts->input_dir);
	}
	if (!err)
		pl_progress_begin(input_bytes(opts, names, n_names));
	for (size_t i = 0; !err && i < (opts->only ? opts->n_only : n_names); i++) {
		err = process(&in, opts->only ? opts->only[i] : names[i], d);
		if (pl_progress_active()) {
			in.bytes_done += file_size(opts->input_dir,
						   opts->only ? opts->only[i] : names[i]);
			pl_progress_update(in.rows_seen, in.bytes_done);
		}
	}
	if (in.db) {
		/* the files done before a failure are kept */
		struct pl_diag cd;
		enum pl_err cerr = pl_db_group_end(&in.group, err ? &cd : d);

		err = err ? err : cerr;
	}
	pl_progress_end();
	if (!err && sum->files_failed)
		err = pl_diag_set(d, PL_EDATA, NULL, 0, "%ld of %ld files could not be ingested",
				  sum->files_failed, sum->files_seen);
	if (in.bulk)
		pl_db_bulk_end(in.db);
	if (in.db) {
		char line[256];

		ingest_summary_line(sum, line, sizeof(line));
		err = pl_db_record_run(in.db, "ingest", err, line, d);
	}
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	close_run(&in);
	return err;
}

/*
 * dedup/keep.c - what dedup's load keeps for the next run (schema.sql,
 * linkage_kept; docs/linkage.md, "Nights").
 *
 * Loading every episode (reading episode and raw_sealed, opening the
 * sealed values, keying and pooling the names) was most of a night's time
 * at scale, and its result for the episodes read before does not change
 * while they do not.  So every run keeps its load for the next:
 *
 * - <database>.dedup-records: the spill file itself, a header and then
 *   the struct srec of every episode in (file_id, line) order.  A run that
 *   resumes appends its new episodes to it in place (the database says
 *   how many of its records count); any other run writes a new one under
 *   a temporary name and renames it after the commit.  The records hold
 *   pool ids, birth dates, sexes, keyed person_refs and hashed blocking
 *   keys: no more than the episode table holds in clear, and no name.
 * - <database>.dedup-state (lib/keepfile.h): a header; the load's
 *   pools and lists (names, postcodes, reserve numbers, districts,
 *   sources, the open records and the label sample), sealed with the seal
 *   subkey as one secretstream bound to the file's generation; the count
 *   of valid records in each block of the open records (block.c: a night
 *   counts only the blocks it adds); the sort by
 *   person as one sorted run (written as the persons are); the pairs at or
 *   above the threshold by position; the records with a valid number that
 *   they name (position, person_ref, file and line: dd_keep_vrec).
 *
 * linkage_kept names the state file's generation, the records kept, the
 * largest file_id among the files then and a sha256 over those files.  A
 * run resumes when all of it holds, the episode triggers saw no update or
 * delete, the settings are the same and it is not --rescore: it reads from
 * the database only the episodes of the files above max_file_id and ends
 * with the load a full one gives (t0408 compares every night with a
 * --rescore run, which loads in full).  Else it says why at DEBUG and
 * loads every episode.
 */
#define _POSIX_C_SOURCE 200809L
#include "dedup_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "db.h"
#include "log.h"

#define KEEP_FORMAT 4
#define ENDIAN_MARK 0x01020304u
#define REC_SUFFIX ".dedup-records"
#define AUX_SUFFIX ".dedup-state"
#define PER_SUFFIX ".dedup-persons"
#define SEAL_CHUNK 65536
#define COUNTS_SUM 32              /* bytes of the counts' checksum */

static const char rec_magic[8] = { 'P', 'L', 'D', 'D', 'R', 'E', 'C', '\n' };
static const char aux_magic[8] = { 'P', 'L', 'D', 'D', 'S', 'T', 'A', '\n' };
static const char per_magic[8] = { 'P', 'L', 'D', 'D', 'P', 'E', 'R', '\n' };

/* The header of the records file and of the persons file: KEEP_HEAD bytes
 * before the first record (a struct srec, or a struct pl_kv). */
struct rec_header {
	char magic[8];
	uint32_t format, endian;
	uint64_t generation;       /* of the run that made the file */
	uint32_t stride, srec_head;
	uint64_t zero[4];
};
_Static_assert(sizeof(struct rec_header) == KEEP_HEAD, "the records file's header");

struct aux_header {
	char magic[8];
	uint32_t format, endian;
	uint64_t generation, rec_generation;
	uint64_t records;
	int64_t max_file_id;
	uint32_t stride, vstride;
	uint32_t n_rules;
	uint32_t labels;           /* the label sample is whole (parameters estimated) */
	char settings[72];         /* linkage.ini's sha256 */
	int64_t sealed_off, sealed_len;
	int64_t counts_off, counts_len;
	unsigned char counts_sum[COUNTS_SUM]; /* BLAKE2b of the counts' section */
	int64_t n_runs, n_persons;            /* the persons file's runs, and their pairs */
	int64_t pairs_off, n_pairs;
	int64_t vrecs_off, n_vrecs;
	int64_t sums_off, sums_len;
	unsigned char sums_sum[COUNTS_SUM];   /* BLAKE2b of the sums' section */
	uint64_t pers_generation;             /* the persons file's */
	int64_t run_off[KEEP_RUNS], run_n[KEEP_RUNS];
};

/* The sums' section: persons, those in two or more districts, sources (in
 * the order of the sealed list), and for each source its persons and those
 * in two or more districts. */
struct kept_sums {
	int64_t persons, across, n_sources;
};

/* A pair at or above the threshold as kept. */
struct kept_pair {
	uint32_t a, b;
	double weight;
	signed char lv[8];
};

/* ---- the sealed stream --------------------------------------------------- */

struct seal_io {
	FILE *f;
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char plain[SEAL_CHUNK];
	unsigned char cipher[SEAL_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES];
	size_t n, at;              /* bytes in plain; read so far (reading) */
	uint64_t ad;               /* the state file's generation */
	int final;                 /* the last chunk was read */
	int bad;                   /* a write failed, or a read found the stream short,
				    * forged or of another key */
	int64_t len;               /* bytes written */
};

static void seal_chunk(struct seal_io *s, unsigned char tag)
{
	unsigned long long clen;
	uint32_t n32;

	crypto_secretstream_xchacha20poly1305_push(&s->st, s->cipher, &clen, s->plain, s->n,
						   (const unsigned char *)&s->ad, sizeof(s->ad),
						   tag);
	n32 = (uint32_t)clen;
	if (fwrite(&n32, sizeof(n32), 1, s->f) != 1 || fwrite(s->cipher, 1, clen, s->f) != clen)
		s->bad = 1;
	s->len += (int64_t)(sizeof(n32) + clen);
	sodium_memzero(s->plain, s->n);
	s->n = 0;
}

static void seal_begin(struct seal_io *s, FILE *f, const unsigned char key[PL_KEY_BYTES],
		       uint64_t ad)
{
	unsigned char head[crypto_secretstream_xchacha20poly1305_HEADERBYTES];

	memset(s, 0, sizeof(*s));
	s->f = f;
	s->ad = ad;
	crypto_secretstream_xchacha20poly1305_init_push(&s->st, head, key);
	if (fwrite(head, sizeof(head), 1, f) != 1)
		s->bad = 1;
	s->len = sizeof(head);
}

static void put(struct seal_io *s, const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len) {
		size_t n = SEAL_CHUNK - s->n < len ? SEAL_CHUNK - s->n : len;

		memcpy(s->plain + s->n, c, n);
		s->n += n;
		c += n;
		len -= n;
		if (s->n == SEAL_CHUNK)
			seal_chunk(s, 0);
	}
}

static void put_u64(struct seal_io *s, uint64_t v)
{
	put(s, &v, sizeof(v));
}

static void put_str(struct seal_io *s, const char *str)
{
	uint32_t len = (uint32_t)strlen(str);

	put(s, &len, sizeof(len));
	put(s, str, len);
}

static void seal_end(struct seal_io *s)
{
	seal_chunk(s, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
	sodium_memzero(&s->st, sizeof(s->st));
}

static int open_begin(struct seal_io *s, FILE *f, const unsigned char key[PL_KEY_BYTES],
		      uint64_t ad)
{
	unsigned char head[crypto_secretstream_xchacha20poly1305_HEADERBYTES];

	memset(s, 0, sizeof(*s));
	s->f = f;
	s->ad = ad;
	if (fread(head, sizeof(head), 1, f) != 1 ||
	    crypto_secretstream_xchacha20poly1305_init_pull(&s->st, head, key) != 0)
		s->bad = 1;
	return s->bad ? -1 : 0;
}

static int open_chunk(struct seal_io *s)
{
	unsigned long long plen;
	unsigned char tag = 0;
	uint32_t n32;

	if (s->final || fread(&n32, sizeof(n32), 1, s->f) != 1 || n32 > sizeof(s->cipher) ||
	    fread(s->cipher, 1, n32, s->f) != n32 ||
	    crypto_secretstream_xchacha20poly1305_pull(&s->st, s->plain, &plen, &tag, s->cipher,
						       n32, (const unsigned char *)&s->ad,
						       sizeof(s->ad)) != 0)
		return -1;
	s->final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
	s->n = (size_t)plen;
	s->at = 0;
	return 0;
}

static void get(struct seal_io *s, void *p, size_t len)
{
	unsigned char *c = p;

	while (len && !s->bad) {
		size_t n;

		if (s->at == s->n && open_chunk(s) != 0) {
			s->bad = 1;
			break;
		}
		n = s->n - s->at < len ? s->n - s->at : len;
		memcpy(c, s->plain + s->at, n);
		s->at += n;
		c += n;
		len -= n;
	}
	if (s->bad)
		memset(c, 0, len);
}

static uint64_t get_u64(struct seal_io *s)
{
	uint64_t v;

	get(s, &v, sizeof(v));
	return v;
}

/* A string of the stream, in buf (NULL once the stream is bad). */
static char *get_str(struct seal_io *s, char *buf, size_t size)
{
	uint32_t len = 0;

	get(s, &len, sizeof(len));
	if (s->bad || len >= size) {
		s->bad = 1;
		return NULL;
	}
	get(s, buf, len);
	buf[len] = '\0';
	return s->bad ? NULL : buf;
}

/* The stream ended exactly where its last chunk did. */
static int open_end(struct seal_io *s)
{
	int ok = !s->bad && s->final && s->at == s->n;

	sodium_memzero(s->plain, sizeof(s->plain));
	sodium_memzero(&s->st, sizeof(s->st));
	return ok ? 0 : -1;
}

/* ---- what the load leaves, in and out of the stream ---------------------- */

static void put_list(struct seal_io *s, char **names, size_t n)
{
	put_u64(s, n);
	for (size_t i = 0; i < n; i++)
		put_str(s, names[i]);
}

static void put_counts(struct seal_io *s, const long *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_u64(s, (uint64_t)(int64_t)v[i]);
}

/* The load's result: the sealed section of the state file. */
static void put_load(struct seal_io *s, const struct dedup *dd)
{
	size_t n_names = pl_intern_count(&dd->names), n_posts = pl_intern_count(&dd->posts);

	put_u64(s, dd->n_recs);
	put_u64(s, (uint64_t)dd->n_valid);
	put_u64(s, (uint64_t)dd->n_named);
	put_u64(s, dd->fp);
	put_list(s, dd->districts, dd->n_districts);
	put_list(s, dd->sources, dd->n_sources);
	put_counts(s, dd->src_episodes, dd->n_sources);
	put_counts(s, dd->src_no_id, dd->n_sources);
	put_u64(s, n_names);
	for (uint32_t i = 0; i < n_names; i++) {
		put_str(s, pl_intern_str(&dd->names, i));
		put_u64(s, (uint64_t)dd->name_n[i]);
		put_u64(s, dd->name_h[i]);
	}
	put_u64(s, n_posts);
	for (uint32_t i = 0; i < n_posts; i++) {
		put_str(s, pl_intern_str(&dd->posts, i));
		put_u64(s, dd->post_h[i]);
	}
	put_u64(s, pl_intern_count(&dd->refs));
	for (uint32_t i = 0; i < pl_intern_count(&dd->refs); i++)
		put_str(s, pl_intern_str(&dd->refs, i));
	/* with stored parameters the sample is not drawn: none is kept */
	put_u64(s, dd->frozen ? 0 : dd->labels.n);
	put_u64(s, dd->labels.limit);
	for (size_t i = 0; !dd->frozen && i < dd->labels.n; i++) {
		put_u64(s, dd->labels.l[i].node);
		put(s, &dd->labels.l[i].idx, sizeof(uint32_t));
		put(s, &dd->labels.l[i].c, sizeof(struct crec));
	}
	put_u64(s, dd->n_open);
	put(s, dd->open, dd->n_open * sizeof(struct orec));
	for (size_t i = 0; i < dd->n_open; i++)   /* its comparison record and position */
		put(s, view_at(dd, i), offsetof(struct oview, blk));
	for (size_t k = 0; k < dd->cfg.n_rules; k++)
		put(s, dd->okey[k], dd->n_open * sizeof(*dd->okey[k]));
}

static void get_list(struct seal_io *s, char ***names, size_t *n, char *buf, size_t size)
{
	size_t count = (size_t)get_u64(s);

	if (count > REC_LIMIT)
		s->bad = 1;
	for (size_t i = 0; i < count && !s->bad; i++) {
		const char *name = get_str(s, buf, size);

		if (name) {
			*names = pl_xrealloc(*names, (*n + 1) * sizeof(char *));
			(*names)[(*n)++] = pl_xstrdup(name);
		}
	}
}

static uint32_t get_pooled(struct seal_io *s, struct pl_intern *pool, char *buf, size_t size)
{
	const char *str = get_str(s, buf, size);

	return str ? pl_intern_add(pool, str) : ID_BLANK;
}

/* Grows a hash array to hold n. */
static void fit(uint64_t **h, size_t *cap, size_t n)
{
	if (n > *cap) {
		*cap = n;
		*h = pl_xrealloc(*h, n * sizeof(**h));
	}
}

static void get_pools(struct seal_io *s, struct dedup *dd, char *buf, size_t size)
{
	size_t n = (size_t)get_u64(s);

	if (n > REC_LIMIT)
		s->bad = 1;
	if (!s->bad) {
		fit(&dd->name_h, &dd->name_h_cap, n + 64);
		dd->name_cap = n + 64;
		dd->name_n = pl_xrealloc(dd->name_n, dd->name_cap * sizeof(*dd->name_n));
		memset(dd->name_n, 0, dd->name_cap * sizeof(*dd->name_n));
	}
	for (size_t i = 0; i < n && !s->bad; i++) {
		uint32_t id = get_pooled(s, &dd->names, buf, size);

		dd->name_n[i] = (long)get_u64(s);
		dd->name_h[i] = get_u64(s);
		s->bad |= id != i;
	}
	n = s->bad ? 0 : (size_t)get_u64(s);
	if (n > REC_LIMIT)
		s->bad = 1;
	if (!s->bad)
		fit(&dd->post_h, &dd->post_h_cap, n + 64);
	for (size_t i = 0; i < n && !s->bad; i++) {
		uint32_t id = get_pooled(s, &dd->posts, buf, size);

		dd->post_h[i] = get_u64(s);
		s->bad |= id != i;
	}
	n = s->bad ? 0 : (size_t)get_u64(s);
	for (size_t i = 0; i < n && !s->bad; i++)
		s->bad |= get_pooled(s, &dd->refs, buf, size) != i;
}

static void get_open(struct seal_io *s, struct dedup *dd)
{
	size_t n = (size_t)get_u64(s);

	if (s->bad || n > REC_LIMIT) {
		s->bad = 1;
		return;
	}
	dd->cap_open = n + 1;
	dd->open = pl_xrealloc(dd->open, dd->cap_open * sizeof(*dd->open));
	dd->view = pl_xrealloc(dd->view, dd->cap_open * dd->vstride);
	memset(dd->view, 0, dd->cap_open * dd->vstride);
	for (size_t k = 0; k < dd->cfg.n_rules; k++)
		dd->okey[k] = pl_xrealloc(dd->okey[k], dd->cap_open * sizeof(*dd->okey[k]));
	get(s, dd->open, n * sizeof(struct orec));
	for (size_t i = 0; i < n && !s->bad; i++)
		get(s, view_at(dd, i), offsetof(struct oview, blk));
	for (size_t k = 0; k < dd->cfg.n_rules; k++)
		get(s, dd->okey[k], n * sizeof(*dd->okey[k]));
	dd->n_open = s->bad ? 0 : n;
}

static void get_labels(struct seal_io *s, struct dedup *dd)
{
	struct label_sample *l = &dd->labels;
	size_t n = (size_t)get_u64(s);

	l->limit = get_u64(s);
	if (s->bad || n > l->max) {
		s->bad = 1;
		return;
	}
	if (dd->frozen) {     /* stored parameters: the sample is not needed */
		struct crec c;

		for (size_t i = 0; i < n && !s->bad; i++) {
			get_u64(s);
			get(s, &c, sizeof(uint32_t));
			get(s, &c, sizeof(c));
		}
		return;
	}
	l->cap = n + 1;
	l->l = pl_xrealloc(l->l, l->cap * sizeof(*l->l));
	for (size_t i = 0; i < n && !s->bad; i++) {
		memset(&l->l[i], 0, sizeof(l->l[i]));
		l->l[i].node = get_u64(s);
		get(s, &l->l[i].idx, sizeof(uint32_t));
		get(s, &l->l[i].c, sizeof(struct crec));
	}
	l->n = s->bad ? 0 : n;
}

/* The load's result from the sealed section into dd; -1 if it does not
 * open or parse (dd then holds a part of it, which forget drops). */
static int get_load(struct seal_io *s, struct dedup *dd, struct keep *kp)
{
	char buf[1024];

	dd->n_recs = (size_t)get_u64(s);
	dd->n_valid = (long)get_u64(s);
	dd->n_named = (long)get_u64(s);
	dd->fp = get_u64(s);
	get_list(s, &dd->districts, &dd->n_districts, buf, sizeof(buf));
	get_list(s, &kp->sources, &kp->n_sources, buf, sizeof(buf));
	if (!s->bad) {
		kp->src_episodes = pl_xcalloc(kp->n_sources + 1, sizeof(long));
		kp->src_no_id = pl_xcalloc(kp->n_sources + 1, sizeof(long));
		for (size_t i = 0; i < kp->n_sources; i++)
			kp->src_episodes[i] = (long)get_u64(s);
		for (size_t i = 0; i < kp->n_sources; i++)
			kp->src_no_id[i] = (long)get_u64(s);
	}
	get_pools(s, dd, buf, sizeof(buf));
	get_labels(s, dd);
	get_open(s, dd);
	sodium_memzero(buf, sizeof(buf));
	return open_end(s) == 0 && dd->n_recs == kp->records ? 0 : -1;
}

/* ---- deciding ------------------------------------------------------------ */

/* The persons file's runs follow each other from its header, in order
 * (with the space of runs merged before between them) and hold n_persons
 * pairs. */
static int runs_ok(const struct aux_header *h)
{
	int64_t at = KEEP_HEAD, n = 0;

	if (h->n_runs < 0 || h->n_runs >= KEEP_RUNS || (h->n_runs && h->run_off[0] != at))
		return 0;
	for (int64_t i = 0; i < h->n_runs; i++) {
		if (h->run_off[i] < at || h->run_n[i] <= 0)
			return 0;
		at += h->run_n[i] * (int64_t)sizeof(struct pl_kv);
		n += h->run_n[i];
	}
	return n == h->n_persons;
}

static int header_ok(const struct aux_header *h, const struct dedup *dd)
{
	return memcmp(h->magic, aux_magic, sizeof(aux_magic)) == 0 && h->format == KEEP_FORMAT &&
		h->endian == ENDIAN_MARK && h->stride == dd->stride && h->vstride == dd->vstride &&
		h->n_rules == dd->cfg.n_rules && h->sealed_off == (int64_t)sizeof(*h) &&
		h->counts_off == h->sealed_off + h->sealed_len && h->counts_len >= 0 &&
		h->pairs_off == h->counts_off + h->counts_len && h->n_pairs >= 0 &&
		h->vrecs_off == h->pairs_off + h->n_pairs * (int64_t)sizeof(struct kept_pair) &&
		h->n_vrecs >= 0 &&
		h->sums_off == h->vrecs_off + h->n_vrecs * (int64_t)sizeof(struct kept_vrec) &&
		runs_ok(h);
}

/* The end of the persons file's last run. */
static int64_t runs_end(const int64_t *off, const int64_t *n, size_t n_runs)
{
	return n_runs ? off[n_runs - 1] + n[n_runs - 1] * (int64_t)sizeof(struct pl_kv) : KEEP_HEAD;
}

/* What makes a file's episodes (schema.sql, linkage_kept): not the mapping
 * file's digest nor when it was mapped, since map maps a file again in
 * place (schema version 12), and the triggers on episode see what it
 * changes that the load reads, but for an insert with no delete, which
 * changes rows_kept. */
static const char files_sql[] =
	"SELECT i.file_id, i.sha256, i.source, i.status, i.ingest_sha256, m.file_id, "
	"m.rows_kept FROM input_file i "
	"LEFT JOIN mapped_file m USING (file_id) WHERE i.file_id <= ?1 ORDER BY i.file_id";

/* The row of linkage_kept: 1, 0 if none, -1 on an error. */
static int read_row(sqlite3 *db, struct keep *kp, char files[PL_SHA256_HEX], struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (pl_db_prepare(db, "SELECT generation, records, max_file_id, files FROM linkage_kept "
			  "WHERE id = 1", &st, d))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		kp->generation = (uint64_t)sqlite3_column_int64(st, 0);
		kp->records = (size_t)sqlite3_column_int64(st, 1);
		kp->from_file = sqlite3_column_int64(st, 2);
		snprintf(files, PL_SHA256_HEX, "%s", (const char *)sqlite3_column_text(st, 3));
	} else if (rc != SQLITE_DONE) {
		pl_db_fail(db, rc, "read linkage_kept", d);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Why the kept load does not serve, from the database's side; NULL if it
 * may (kp->generation, records and from_file then set). */
static const char *row_unusable(struct dedup *dd, struct keep *kp, enum pl_err *err,
				struct pl_diag *d)
{
	char files[PL_SHA256_HEX], now[PL_SHA256_HEX];
	long long n_files;
	int64_t triggers = 0, outside = 0;
	int found;

	if (dd->o->rescore)
		return "--rescore";
	found = read_row(dd->db, kp, files, d);
	if (found < 0) {
		*err = d->err;
		return "";
	}
	if (!found)
		return "none kept";
	*err = pl_db_query_int64(dd->db, "SELECT count(*) FROM sqlite_master WHERE type = "
				 "'trigger' AND name IN ('episode_outside_update', "
				 "'episode_outside_delete')", &triggers, "read the triggers", d);
	if (!*err)
		*err = pl_db_query_int64(dd->db, "SELECT count(*) FROM episode_outside_write",
					 &outside, "read episode_outside_write", d);
	if (!*err)
		*err = pl_db_digest(dd->db, files_sql, kp->from_file, now, &n_files, d);
	if (*err)
		return "";
	if (triggers != 2)
		return "the triggers on episode are missing";
	if (outside)
		return "an episode was updated or deleted since";
	if (strcmp(files, now) != 0)
		return "a file loaded before was ingested, removed, or mapped with other episodes "
			"kept since";
	return NULL;
}

/* Why the records or the persons file does not open (pl_keepfile_reopen). */
static const char *const rec_why[] = {
	[PL_KEEP_MISSING] = "the records file is missing",
	[PL_KEEP_IN_USE] = "the records file is in use",
	[PL_KEEP_OTHER] = "the records file is not the one the state file names",
	[PL_KEEP_UNWRITABLE] = "the records file cannot be written",
};

static const char *const per_why[] = {
	[PL_KEEP_MISSING] = "the persons file is missing",
	[PL_KEEP_IN_USE] = "the persons file is in use",
	[PL_KEEP_OTHER] = "the persons file is not the one the state file names",
	[PL_KEEP_UNWRITABLE] = "the persons file cannot be written",
};

/* The header of a file kept in place. */
static void inplace_header(struct rec_header *r, const char magic[8], uint64_t gen,
			   uint32_t stride, uint32_t srec_head)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->magic, magic, sizeof(r->magic));
	r->format = KEEP_FORMAT;
	r->endian = ENDIAN_MARK;
	r->generation = gen;
	r->stride = stride;
	r->srec_head = srec_head;
}

/* Opens a file kept and appended to in place (the records or the persons
 * file: magic, records of stride bytes after its header), cut to len; NULL
 * with *why (from whys) if it is not the one of generation gen. */
static FILE *open_inplace(const char *path, const char magic[8], uint64_t gen, uint32_t stride,
			  uint32_t srec_head, off_t len, const char *const *whys, const char **why)
{
	struct rec_header h;
	enum pl_keep_why w;
	FILE *f;

	inplace_header(&h, magic, gen, stride, srec_head);
	f = pl_keepfile_reopen(path, &h, sizeof(h), len, &w);
	if (!f)
		*why = whys[w];
	return f;
}

/* A run that may be a night: the pairs the last run left, by position,
 * into dd->kept; why not (as resume) or NULL.  When linkage_pair holds
 * fewer (a row deleted) none is kept, and dd_check_night scores every
 * pair. */
static const char *read_pairs(struct dedup *dd, struct keep *kp, const struct aux_header *h,
			      struct pl_diag *d)
{
	int64_t rows = 0;

	if (!h->n_pairs || !dd->frozen || dd->st.episodes <= 0)
		return NULL;
	if (pl_db_query_int64(dd->db, "SELECT count(*) FROM linkage_pair", &rows,
			      "read linkage_pair", d) != PL_OK)
		return "";
	if (rows != h->n_pairs)
		return NULL;
	if (fseeko(kp->old, (off_t)h->pairs_off, SEEK_SET) != 0)
		return "the state file is damaged or of another format";
	dd->kept = pl_xmalloc((size_t)h->n_pairs * sizeof(*dd->kept));
	dd->cap_kept = (size_t)h->n_pairs;
	for (int64_t i = 0; i < h->n_pairs; i++) {
		struct pair *q = &dd->kept[dd->n_kept];
		struct kept_pair p;

		if (fread(&p, sizeof(p), 1, kp->old) != 1)
			return "the state file is damaged or of another format";
		memset(q, 0, sizeof(*q));
		q->a = p.a;
		q->b = p.b;
		q->weight = p.weight;
		memcpy(q->lv, p.lv, sizeof(q->lv));
		q->kept = 1;
		dd->n_kept++;
	}
	return NULL;
}

/* The blocks' counts kept: rule by rule, its number of counts (8 bytes)
 * and the counts (4 bytes each), under a checksum; -1 if they do not
 * read, sum or fill their section. */
static int read_counts(struct dedup *dd, struct keep *kp, const struct aux_header *h)
{
	size_t words = (size_t)h->counts_len / sizeof(uint32_t), at = 0;
	unsigned char sum[sizeof(h->counts_sum)];

	kp->counts = pl_xmalloc(words * sizeof(uint32_t) + 1);
	if (h->counts_len % sizeof(uint32_t) ||
	    pl_spill_read(kp->old, kp->counts, (size_t)h->counts_len, h->counts_off) != 0)
		return -1;
	crypto_generichash(sum, sizeof(sum), (const unsigned char *)kp->counts,
			   (size_t)h->counts_len, NULL, 0);
	if (sodium_memcmp(sum, h->counts_sum, sizeof(sum)) != 0)
		return -1;
	for (size_t r = 0; r < dd->cfg.n_rules; r++) {
		uint64_t n;

		if (words - at < 2)
			return -1;
		memcpy(&n, kp->counts + at, sizeof(n));
		at += 2;
		if (n > words - at)
			return -1;
		kp->count_at[r] = at;
		kp->n_counts[r] = (size_t)n;
		at += (size_t)n;
	}
	return at == words ? 0 : -1;
}

/* The sums kept (struct kept_sums, then each source's two counts), under
 * a checksum; -1 if they do not read, sum or fit the sources kept. */
static int read_sums(struct keep *kp, const struct aux_header *h)
{
	unsigned char sum[COUNTS_SUM];
	struct kept_sums ks;
	int64_t *v;
	int rc = -1;

	if (h->sums_len < (int64_t)sizeof(ks) ||
	    h->sums_len != (int64_t)(sizeof(ks) + 2 * kp->n_sources * sizeof(int64_t)))
		return -1;
	v = pl_xmalloc((size_t)h->sums_len);
	if (pl_spill_read(kp->old, v, (size_t)h->sums_len, h->sums_off) != 0)
		goto cleanup;
	crypto_generichash(sum, sizeof(sum), (const unsigned char *)v, (size_t)h->sums_len, NULL, 0);
	memcpy(&ks, v, sizeof(ks));
	if (sodium_memcmp(sum, h->sums_sum, sizeof(sum)) != 0 ||
	    ks.n_sources != (int64_t)kp->n_sources || ks.persons < 0 || ks.across < 0)
		goto cleanup;
	kp->k_sums.persons = (long)ks.persons;
	kp->k_sums.across = (long)ks.across;
	kp->k_src_persons = pl_xcalloc(kp->n_sources + 1, sizeof(long));
	kp->k_src_across = pl_xcalloc(kp->n_sources + 1, sizeof(long));
	for (size_t i = 0; i < kp->n_sources; i++) {
		kp->k_src_persons[i] = (long)v[sizeof(ks) / sizeof(*v) + 2 * i];
		kp->k_src_across[i] = (long)v[sizeof(ks) / sizeof(*v) + 2 * i + 1];
	}
	rc = 0;
cleanup:
	free(v);
	return rc;
}

/* Why the kept state file does not serve; NULL if it does, and then
 * dd holds the kept load (resumed); "" on a database error (in d). */
static const char *resume(struct dedup *dd, struct keep *kp, struct pl_diag *d)
{
	struct aux_header h;
	struct seal_io s;
	const char *why;

	kp->old = fopen(kp->aux.path, "rb");
	if (!kp->old)
		return "the state file is missing";
	if (fread(&h, sizeof(h), 1, kp->old) != 1 || !header_ok(&h, dd))
		return "the state file is damaged or of another format";
	if (h.generation != kp->generation)
		return "the state file is not the one the database records";
	if (strcmp(h.settings, dd->cfg.sha256) != 0)
		return "the linkage settings changed";
	if (!dd->frozen && !h.labels)
		return "the parameters are estimated, and the kept load has no label sample";
	if (h.records != kp->records || h.max_file_id != kp->from_file)
		return "the state file is damaged or of another format";
	kp->rec = open_inplace(kp->recs.path, rec_magic, h.rec_generation, (uint32_t)dd->stride,
			       SREC_HEAD, (off_t)(KEEP_HEAD + kp->records * dd->stride), rec_why,
			       &why);
	if (!kp->rec)
		return why;
	kp->rec_generation = h.rec_generation;
	kp->n_runs = (size_t)h.n_runs;
	memcpy(kp->run_off, h.run_off, sizeof(h.run_off));
	memcpy(kp->run_n, h.run_n, sizeof(h.run_n));
	kp->pers_old = open_inplace(kp->pers.path, per_magic, h.pers_generation,
				    sizeof(struct pl_kv), 0,
				    (off_t)runs_end(kp->run_off, kp->run_n, kp->n_runs), per_why,
				    &why);
	if (!kp->pers_old)
		return why;
	kp->pers_generation = h.pers_generation;
	if (open_begin(&s, kp->old, dd->seal_key, h.generation) != 0 || get_load(&s, dd, kp) != 0)
		return "the state file does not open with this key, or is damaged";
	if ((int64_t)dd->n_valid != h.n_persons)
		return "the state file's sort by person does not fit its load";
	if (read_counts(dd, kp, &h) != 0)
		return "the state file's counts of the blocks are damaged";
	if (read_sums(kp, &h) != 0)
		return "the state file's sums are damaged";
	why = read_pairs(dd, kp, &h, d);
	if (!why) {
		for (size_t i = 0; i < kp->n_runs; i++)
			pl_extsort_adopt(&dd->by_person, kp->pers_old, kp->run_off[i],
					 (size_t)kp->run_n[i]);
		kp->vk_at = h.vrecs_off;
		kp->vk_end = h.vrecs_off + h.n_vrecs * (int64_t)sizeof(struct kept_vrec);
	}
	return why;
}

/* Forgets what a resume that failed half way restored. */
static void forget(struct dedup *dd, struct keep *kp)
{
	pl_free_strings(dd->districts, dd->n_districts);
	dd->districts = NULL;
	dd->n_districts = 0;
	pl_intern_wipe(&dd->names);
	pl_intern_release(&dd->names);
	pl_intern_wipe(&dd->posts);
	pl_intern_release(&dd->posts);
	pl_intern_release(&dd->refs);
	free(dd->name_n);           /* a full load counts the names from 0 */
	free(dd->name_h);
	free(dd->post_h);
	dd->name_n = NULL;
	dd->name_h = dd->post_h = NULL;
	dd->name_cap = dd->name_h_cap = dd->post_h_cap = 0;
	dd->n_recs = dd->n_open = 0;
	dd->n_valid = dd->n_named = 0;
	dd->fp = 0;
	dd->labels.n = 0;
	dd->labels.limit = UINT64_MAX;
	free(dd->kept);
	dd->kept = NULL;
	dd->n_kept = dd->cap_kept = 0;
	dd_keep_counts_drop(dd);
	pl_free_strings(kp->sources, kp->n_sources);
	free(kp->src_episodes);
	free(kp->src_no_id);
	free(kp->k_src_persons);
	free(kp->k_src_across);
	kp->sources = NULL;
	kp->src_episodes = kp->src_no_id = kp->k_src_persons = kp->k_src_across = NULL;
	kp->n_sources = 0;
	if (kp->rec)
		fclose(kp->rec);
	kp->rec = NULL;
	if (kp->pers_old)
		fclose(kp->pers_old);
	kp->pers_old = NULL;
	kp->n_runs = 0;
}

/* A new records file (a full load), or an unnamed spill file for a
 * database in memory. */
static enum pl_err new_records(struct dedup *dd, struct keep *kp, const char *db_path,
			       struct pl_diag *d)
{
	enum pl_err err;

	if (!kp->on) {
		char *dir = pl_dir_of(db_path);

		dd->spill = pl_spill_open(dir, d);
		free(dir);
		return dd->spill ? PL_OK : PL_EIO;
	}
	kp->rec_generation = kp->recs.generation;
	err = pl_keepfile_create(&kp->recs, KEEP_HEAD, d);
	dd->spill = kp->recs.out;
	dd->spill_base = KEEP_HEAD;
	return err;
}

enum pl_err dd_keep_start(struct dedup *dd, struct pl_diag *d)
{
	struct keep *kp = &dd->keep;
	const char *db_path = sqlite3_db_filename(dd->db, "main"), *why = NULL;
	enum pl_err err = PL_OK;

	kp->on = db_path && db_path[0];
	kp->from_file = INT64_MIN;
	if (kp->on) {
		/* both remove the temporary files of runs that did not end */
		pl_keepfile_init(&kp->recs, db_path, REC_SUFFIX);
		pl_keepfile_init(&kp->aux, db_path, AUX_SUFFIX);
		pl_keepfile_init(&kp->pers, db_path, PER_SUFFIX);
		why = row_unusable(dd, kp, &err, d);
		if (!err && !why) {
			why = resume(dd, kp, d);
			if (why && !why[0])
				err = d->err;
		}
		if (!err && !why) {
			kp->resumed = 1;
			dd->spill = kp->rec;
			dd->spill_base = KEEP_HEAD;
			if ((size_t)dd->st.episodes == dd->n_recs)
				dd->fp_old = dd->fp;
			pl_log(PL_LOG_DEBUG, NULL, "load: %zu episodes as kept, of files up to %lld",
			       dd->n_recs, (long long)kp->from_file);
			return PL_OK;
		}
		if (err)
			return err;
		pl_log(PL_LOG_DEBUG, NULL, "load: every episode (%s)", why);
		forget(dd, kp);
		if (kp->old)
			fclose(kp->old);
		kp->old = NULL;
		kp->from_file = INT64_MIN;
	}
	return new_records(dd, kp, db_path, d);
}

void dd_keep_add_sources(struct dedup *dd)
{
	const struct keep *kp = &dd->keep;

	for (size_t i = 0; i < kp->n_sources; i++)
		for (size_t j = 0; j < dd->n_sources; j++)
			if (strcmp(kp->sources[i], dd->sources[j]) == 0) {
				dd->src_episodes[j] += kp->src_episodes[i];
				dd->src_no_id[j] += kp->src_no_id[i];
				break;
			}
}

/* ---- what this run keeps ------------------------------------------------- */

enum pl_err dd_keep_save_load(struct dedup *dd, struct pl_diag *d)
{
	struct keep *kp = &dd->keep;
	struct seal_io s;
	long long n_files;
	enum pl_err err;

	if (!kp->on)
		return PL_OK;
	err = pl_db_query_int64(dd->db, "SELECT coalesce(max(file_id), 0) FROM input_file",
				&kp->max_file_id, "read the files", d);
	if (!err)
		err = pl_db_digest(dd->db, files_sql, kp->max_file_id, kp->files, &n_files, d);
	if (!err)
		err = pl_keepfile_create(&kp->aux, sizeof(struct aux_header), d);
	if (err)
		return err;
	seal_begin(&s, kp->aux.out, dd->seal_key, kp->aux.generation);
	put_load(&s, dd);
	seal_end(&s);
	kp->sealed_len = s.len;
	return s.bad ? pl_keepfile_error(d, kp->aux.tmp, "write the state file") : PL_OK;
}

void dd_keep_put_counts(struct dedup *dd, const uint32_t *v, size_t n)
{
	struct keep *kp = &dd->keep;
	uint64_t n64 = n;

	if (!kp->aux.out)
		return;
	if (fwrite(&n64, sizeof(n64), 1, kp->aux.out) != 1 ||
	    (n && fwrite(v, sizeof(*v), n, kp->aux.out) != n))
		kp->write_failed = 1;
	if (!kp->counts_len)
		crypto_generichash_init(&kp->counts_hash, NULL, 0, COUNTS_SUM);
	crypto_generichash_update(&kp->counts_hash, (const unsigned char *)&n64, sizeof(n64));
	if (n)
		crypto_generichash_update(&kp->counts_hash, (const unsigned char *)v,
					  n * sizeof(*v));
	kp->counts_len += (int64_t)(sizeof(n64) + n * sizeof(*v));
}

const uint32_t *dd_keep_counts(const struct dedup *dd, size_t r, size_t *n)
{
	const struct keep *kp = &dd->keep;

	if (!kp->counts)
		return NULL;
	*n = kp->n_counts[r];
	return kp->counts + kp->count_at[r];
}

void dd_keep_counts_drop(struct dedup *dd)
{
	free(dd->keep.counts);
	dd->keep.counts = NULL;
	memset(dd->keep.n_counts, 0, sizeof(dd->keep.n_counts));
	memset(dd->keep.count_at, 0, sizeof(dd->keep.count_at));
}

/* ---- the persons file ---------------------------------------------------- */

/* The persons gathered, to the persons file. */
static void flush_persons(struct keep *kp)
{
	if (kp->n_kv && fwrite(kp->kv, sizeof(kp->kv[0]), kp->n_kv, kp->pers_out) != kp->n_kv)
		kp->write_failed = 1;
	kp->n_kv = 0;
}

enum pl_err dd_keep_persons_whole(struct dedup *dd, struct pl_diag *d)
{
	struct keep *kp = &dd->keep;
	enum pl_err err;

	if (!kp->on)
		return PL_OK;
	err = pl_keepfile_create(&kp->pers, KEEP_HEAD, d);
	kp->pers_out = kp->pers.out;
	kp->pers_whole = 1;
	kp->pers_generation = kp->pers.generation;
	kp->n_runs = 0;
	kp->n_persons = 0;
	kp->run_at = KEEP_HEAD;
	return err;
}

enum pl_err dd_keep_persons_append(struct dedup *dd, struct pl_diag *d)
{
	struct keep *kp = &dd->keep;

	if (!kp->pers_old)
		return pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "no persons file kept to append to");
	kp->pers_out = kp->pers_old;
	kp->n_persons = 0;
	kp->run_at = runs_end(kp->run_off, kp->run_n, kp->n_runs);
	if (fseeko(kp->pers_old, kp->run_at, SEEK_SET) != 0)
		return pl_keepfile_error(d, kp->pers.path, "write the persons file");
	return PL_OK;
}

/* Whether the pair v's person_ref comes before ref's. */
static int kv_ref_before(const struct pl_kv *v, const struct ref128 *ref)
{
	return v->key < ref->hi || (v->key == ref->hi && v->key2 < ref->lo);
}

int dd_keep_gather(struct dedup *dd, const struct ref128 *ref, size_t n_ref, size_t max,
		   struct pl_kv **out, size_t *n_out, struct pl_diag *d)
{
	struct keep *kp = &dd->keep;
	struct pl_kv *buf = pl_xmalloc(KEEP_GATHER * sizeof(*buf)), *got = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	for (size_t r = 0; r < kp->n_runs && rc == 0; r++) {
		size_t at_ref = 0, left = (size_t)kp->run_n[r];
		int64_t at = kp->run_off[r];

		while (left && at_ref < n_ref && rc == 0) {
			size_t want = left < KEEP_GATHER ? left : KEEP_GATHER;

			if (pl_spill_read(kp->pers_old, buf, want * sizeof(*buf), at) != 0) {
				pl_keepfile_error(d, kp->pers.path, "read the persons file");
				rc = -1;
				break;
			}
			for (size_t i = 0; i < want && at_ref < n_ref; i++) {
				while (at_ref < n_ref && (ref[at_ref].hi < buf[i].key ||
							  (ref[at_ref].hi == buf[i].key &&
							   ref[at_ref].lo < buf[i].key2)))
					at_ref++;
				if (at_ref == n_ref || kv_ref_before(&buf[i], &ref[at_ref]))
					continue;
				if (n == max) {
					rc = 1;
					break;
				}
				if (n == cap) {
					cap = 2 * cap + 1024;
					got = pl_xrealloc(got, cap * sizeof(*got));
				}
				got[n++] = buf[i];
			}
			left -= want;
			at += (int64_t)(want * sizeof(*buf));
		}
	}
	free(buf);
	if (rc == 0 && kp->n_runs > 1)
		pl_kv_sort(got, n);  /* stable: the earlier run's first among one person's */
	if (rc != 0) {
		free(got);
		got = NULL;
		n = 0;
	}
	*out = got;
	*n_out = n;
	return rc;
}

int dd_keep_kept_sums(const struct dedup *dd, struct person_sums *sums, long *src_persons,
		      long *src_across)
{
	const struct keep *kp = &dd->keep;

	if (!kp->resumed || !kp->k_src_persons)
		return 0;
	*sums = kp->k_sums;
	for (size_t i = 0; src_persons && i < kp->n_sources; i++)
		for (size_t j = 0; j < dd->n_sources; j++)
			if (strcmp(kp->sources[i], dd->sources[j]) == 0) {
				src_persons[j] += kp->k_src_persons[i];
				src_across[j] += kp->k_src_across[i];
				break;
			}
	return 1;
}

void dd_keep_sums(struct dedup *dd, const struct person_sums *sums, const long *src_persons,
		  const long *src_across)
{
	struct keep *kp = &dd->keep;

	kp->s_sums = *sums;
	kp->s_src_persons = pl_xrealloc(kp->s_src_persons, (dd->n_sources + 1) * sizeof(long));
	kp->s_src_across = pl_xrealloc(kp->s_src_across, (dd->n_sources + 1) * sizeof(long));
	if (dd->n_sources) {
		memcpy(kp->s_src_persons, src_persons, dd->n_sources * sizeof(long));
		memcpy(kp->s_src_across, src_across, dd->n_sources * sizeof(long));
	}
}

void dd_keep_person(struct dedup *dd, const struct pl_kv *v)
{
	struct keep *kp = &dd->keep;

	if (!kp->pers_out)
		return;
	kp->kv[kp->n_kv++] = *v;
	if (kp->n_kv == KEEP_KV)
		flush_persons(kp);
	kp->n_persons++;
}

/* The pairs, after the persons.  In the order they stand: a night's
 * clustering sorts them by weight and place (a total order), so the
 * order they are read back in decides nothing. */
static int write_pairs(const struct dedup *dd, FILE *f)
{
	for (size_t i = 0; i < dd->n_pairs; i++) {
		struct kept_pair p;

		memset(&p, 0, sizeof(p));
		p.a = dd->pairs[i].a;
		p.b = dd->pairs[i].b;
		p.weight = dd->pairs[i].weight;
		memcpy(p.lv, dd->pairs[i].lv, sizeof(dd->pairs[i].lv));
		if (fwrite(&p, sizeof(p), 1, f) != 1)
			return -1;
	}
	return 0;
}

/* The records with a valid number that the pairs name, by position,
 * after the pairs. */
static int write_vrecs(const struct dedup *dd, FILE *f)
{
	for (size_t i = 0; i < dd->n_vrecs; i++) {
		const struct ref128 *r = &dd->vref_bits[dd->vrecs[i].node - dd->n_open_nodes];
		struct kept_vrec v;

		memset(&v, 0, sizeof(v));
		v.pos = dd->vrec_idx[i];
		v.file_id = dd->vrecs[i].file_id;
		v.line = dd->vrecs[i].line;
		v.hi = r->hi;
		v.lo = r->lo;
		if (fwrite(&v, sizeof(v), 1, f) != 1)
			return -1;
	}
	return 0;
}

int dd_keep_vrec(struct dedup *dd, uint32_t pos, struct srec *s)
{
	struct keep *kp = &dd->keep;

	for (;;) {
		const struct kept_vrec *v;

		if (kp->vk_i == kp->vk_n) {
			int64_t left = (kp->vk_end - kp->vk_at) / (int64_t)sizeof(*kp->vk);
			size_t want = left < KEEP_VRECS ? (size_t)left : KEEP_VRECS;

			if (!want || pl_spill_read(kp->old, kp->vk, want * sizeof(*kp->vk),
						   kp->vk_at) != 0) {
				kp->vk_end = kp->vk_at; /* unread: the records file serves */
				return 0;
			}
			kp->vk_at += (int64_t)(want * sizeof(*kp->vk));
			kp->vk_n = want;
			kp->vk_i = 0;
		}
		v = &kp->vk[kp->vk_i];
		if (v->pos > pos)
			return 0;
		kp->vk_i++;
		if (v->pos == pos) {
			s->ref.hi = v->hi;
			s->ref.lo = v->lo;
			s->file_id = v->file_id;
			s->line = v->line;
			return 1;
		}
	}
}

static enum pl_err record_row(struct dedup *dd, struct pl_diag *d)
{
	struct keep *kp = &dd->keep;
	sqlite3_stmt *st = NULL;
	enum pl_err err = pl_db_prepare(dd->db, "INSERT OR REPLACE INTO linkage_kept (id, "
					"generation, records, max_file_id, files, written_at) "
					"VALUES (1, ?1, ?2, ?3, ?4, "
					"strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", &st, d);

	if (err)
		return err;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)kp->aux.generation);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)dd->n_recs);
	sqlite3_bind_int64(st, 3, kp->max_file_id);
	sqlite3_bind_text(st, 4, kp->files, -1, SQLITE_STATIC);
	err = pl_db_step_done(dd->db, st, "record linkage_kept", d);
	sqlite3_finalize(st);
	if (!err)
		err = pl_db_exec(dd->db, "DELETE FROM episode_outside_write", d);
	return err;
}

/* The sums' section, and its checksum into sum; its length, -1 if it
 * could not be written. */
static int64_t write_sums(const struct dedup *dd, FILE *f, unsigned char sum[COUNTS_SUM])
{
	const struct keep *kp = &dd->keep;
	struct kept_sums ks = { kp->s_sums.persons, kp->s_sums.across, (int64_t)dd->n_sources };
	crypto_generichash_state st;
	int failed = fwrite(&ks, sizeof(ks), 1, f) != 1;

	crypto_generichash_init(&st, NULL, 0, COUNTS_SUM);
	crypto_generichash_update(&st, (const unsigned char *)&ks, sizeof(ks));
	for (size_t i = 0; i < dd->n_sources; i++) {
		int64_t v[2] = { kp->s_src_persons[i], kp->s_src_across[i] };

		failed |= fwrite(v, sizeof(v), 1, f) != 1;
		crypto_generichash_update(&st, (const unsigned char *)v, sizeof(v));
	}
	crypto_generichash_final(&st, sum, COUNTS_SUM);
	return failed ? -1 : (int64_t)(sizeof(ks) + 2 * dd->n_sources * sizeof(int64_t));
}

/* This run's persons, as the persons file's last run. */
static void end_run(struct keep *kp)
{
	flush_persons(kp);
	if (!kp->n_persons)
		return;
	kp->run_off[kp->n_runs] = kp->run_at;
	kp->run_n[kp->n_runs++] = (int64_t)kp->n_persons;
	kp->run_at += (int64_t)(kp->n_persons * sizeof(struct pl_kv));
	kp->n_persons = 0;
}

/* Whether the persons file's runs are merged into a whole new file rather
 * than all but the first into one run appended: when the other runs and
 * the space that merges left behind them weigh as much as the first. */
static int compact_whole(const struct keep *kp)
{
	int64_t first = kp->run_n[0] * (int64_t)sizeof(struct pl_kv);

	return runs_end(kp->run_off, kp->run_n, kp->n_runs) - KEEP_HEAD - first >= first;
}

/* The persons file's runs merged (a night's run made them KEEP_RUNS):
 * into a whole new file of one run, or, most nights, all but the first
 * into one run appended to the file (reads and writes: the runs since the
 * first, not the whole file). */
static enum pl_err compact_persons(struct dedup *dd, struct pl_diag *d)
{
	struct keep *kp = &dd->keep;
	struct pl_extsort s;
	struct pl_kv v;
	char *dir = pl_dir_of(kp->pers.path);
	enum pl_err err = pl_extsort_init(&s, dir, 1, d);
	size_t from = compact_whole(kp) ? 0 : 1;
	int rc = 0;

	free(dir);
	if (!err && fflush(kp->pers_old) != 0)
		err = pl_keepfile_error(d, kp->pers.path, "write the persons file");
	for (size_t i = from; !err && i < kp->n_runs; i++)
		pl_extsort_adopt(&s, kp->pers_old, kp->run_off[i], (size_t)kp->run_n[i]);
	if (!err)
		err = pl_extsort_merge(&s, d);
	if (!err && from == 0) {
		err = dd_keep_persons_whole(dd, d);
	} else if (!err) {
		kp->n_runs = from;  /* reads are pread: writing on at run_at is safe */
		if (fseeko(kp->pers_old, kp->run_at, SEEK_SET) != 0)
			err = pl_keepfile_error(d, kp->pers.path, "write the persons file");
	}
	while (!err && (rc = pl_extsort_next(&s, &v, d)) == 1)
		dd_keep_person(dd, &v);
	if (!err && rc < 0)
		err = d->err ? d->err : PL_EIO;
	pl_extsort_release(&s);
	if (!err)
		end_run(kp);
	return err;
}

/* The persons file complete: its runs in *h. */
static enum pl_err finish_persons(struct dedup *dd, struct aux_header *h, struct pl_diag *d)
{
	struct keep *kp = &dd->keep;
	struct rec_header r;
	enum pl_err err = PL_OK;

	if (!kp->pers_out)
		return pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "no persons kept for the next run");
	end_run(kp);
	if (!kp->pers_whole && kp->n_runs == KEEP_RUNS) {
		struct timespec t;

		clock_gettime(CLOCK_MONOTONIC, &t);
		err = compact_persons(dd, d);
		pl_log_step(&t, kp->n_runs == 1 ? "the persons file's runs merged into one"
			    : "the persons file's runs since the first merged into one");
	}
	h->n_runs = (int64_t)kp->n_runs;
	for (size_t i = 0; i < kp->n_runs; i++) {
		h->run_off[i] = kp->run_off[i];
		h->run_n[i] = kp->run_n[i];
		h->n_persons += kp->run_n[i];
	}
	h->pers_generation = kp->pers_generation;
	if (!err && (kp->write_failed || h->n_persons != (int64_t)dd->n_valid))
		err = pl_keepfile_error(d, kp->pers.path, "write the persons file");
	if (!err && kp->pers_whole) {
		inplace_header(&r, per_magic, kp->pers_generation, sizeof(struct pl_kv), 0);
		err = pl_keepfile_finish(&kp->pers, &r, sizeof(r), d);
	} else if (!err && (fflush(kp->pers_old) != 0 || fsync(fileno(kp->pers_old)) != 0)) {
		err = pl_keepfile_error(d, kp->pers.path, "write the persons file");
	}
	return err;
}

enum pl_err dd_keep_finish(struct dedup *dd, struct pl_diag *d)
{
	struct keep *kp = &dd->keep;
	struct aux_header h;
	struct rec_header r;
	enum pl_err err;

	if (!kp->on)
		return PL_OK;
	memset(&h, 0, sizeof(h));
	err = finish_persons(dd, &h, d);
	if (err)
		return err;
	memcpy(h.magic, aux_magic, sizeof(aux_magic));
	h.format = KEEP_FORMAT;
	h.endian = ENDIAN_MARK;
	h.generation = kp->aux.generation;
	h.rec_generation = kp->rec_generation;
	h.records = dd->n_recs;
	h.max_file_id = kp->max_file_id;
	h.stride = (uint32_t)dd->stride;
	h.vstride = (uint32_t)dd->vstride;
	h.n_rules = (uint32_t)dd->cfg.n_rules;
	h.labels = !dd->frozen;
	snprintf(h.settings, sizeof(h.settings), "%s", dd->cfg.sha256);
	h.sealed_off = sizeof(h);
	h.sealed_len = kp->sealed_len;
	h.counts_off = h.sealed_off + h.sealed_len;
	h.counts_len = kp->counts_len;
	if (kp->counts_len)
		crypto_generichash_final(&kp->counts_hash, h.counts_sum, sizeof(h.counts_sum));
	h.pairs_off = h.counts_off + h.counts_len;
	h.n_pairs = (int64_t)dd->n_pairs;
	h.vrecs_off = h.pairs_off + h.n_pairs * (int64_t)sizeof(struct kept_pair);
	h.n_vrecs = (int64_t)dd->n_vrecs;
	h.sums_off = h.vrecs_off + h.n_vrecs * (int64_t)sizeof(struct kept_vrec);
	if (write_pairs(dd, kp->aux.out) != 0 || write_vrecs(dd, kp->aux.out) != 0 ||
	    (h.sums_len = write_sums(dd, kp->aux.out, h.sums_sum)) < 0)
		return pl_keepfile_error(d, kp->aux.tmp, "write the state file");
	err = pl_keepfile_finish(&kp->aux, &h, sizeof(h), d);
	if (!err && kp->resumed) {
		errno = 0;
		if (fflush(kp->rec) != 0 || fsync(fileno(kp->rec)) != 0)
			err = pl_keepfile_error(d, kp->recs.path, "write the records file");
	} else if (!err) {
		inplace_header(&r, rec_magic, kp->rec_generation, (uint32_t)dd->stride, SREC_HEAD);
		err = pl_keepfile_finish(&kp->recs, &r, sizeof(r), d);
	}
	return err ? err : record_row(dd, d);
}

void dd_keep_install(struct dedup *dd)
{
	struct keep *kp = &dd->keep;
	struct pl_diag d;

	if (!kp->on)
		return;
	memset(&d, 0, sizeof(d));
	if (!kp->resumed) {
		dd->spill = NULL;
		if (pl_keepfile_install(&kp->recs, &d) != PL_OK)
			pl_log(PL_LOG_WARN, d.file, "%s (the next run loads every episode)", d.msg);
	}
	if (kp->pers_whole && pl_keepfile_install(&kp->pers, &d) != PL_OK)
		pl_log(PL_LOG_WARN, d.file, "%s (the next run loads every episode)", d.msg);
	if (pl_keepfile_install(&kp->aux, &d) != PL_OK)
		pl_log(PL_LOG_WARN, d.file, "%s (the next run loads every episode)", d.msg);
}

void dd_keep_release(struct dedup *dd)
{
	struct keep *kp = &dd->keep;

	if (!kp->on && dd->spill)
		fclose(dd->spill);
	dd->spill = NULL;
	if (kp->rec)
		fclose(kp->rec);
	pl_keepfile_release(&kp->recs);
	pl_keepfile_release(&kp->aux);
	pl_keepfile_release(&kp->pers);
	/* the sort by person may read the old persons file until released */
	pl_extsort_release(&dd->by_person);
	if (kp->old)
		fclose(kp->old);
	if (kp->pers_old)
		fclose(kp->pers_old);
	pl_free_strings(kp->sources, kp->n_sources);
	free(kp->src_episodes);
	free(kp->src_no_id);
	free(kp->k_src_persons);
	free(kp->k_src_across);
	free(kp->s_src_persons);
	free(kp->s_src_across);
	free(kp->counts);
	memset(kp, 0, sizeof(*kp));
}

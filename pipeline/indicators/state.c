/*
 * indicators/state.c - what an indicators run keeps for the next, so that
 * a night counts only the persons that changed (schema.sql,
 * indicator_state; docs/indicators.md, "Nights").
 *
 * The state file, beside the database (<database>.indicators, mode 0600):
 * a header (struct state_header), the persons as the load wrote them
 * (struct ind_kept_head and the episodes as read, in person key order),
 * then the sums of every indicator and period (per indicator its length
 * and its bytes, compute.c).  It is written under a temporary name,
 * synced, and renamed over the old one after the database's commit; the
 * database's row names its generation, so a file that is not the one the
 * row describes (a crash between the two, a database copied without it)
 * is never read: the run counts in full then, as it does when the
 * catalogue, population or code lists changed, dedup rewrote the person
 * tables, or a file counted before was replaced or is gone.
 *
 * A night reads the episodes of the new files and those logged in
 * person_change: moved to another person by dedup, or changed in place by
 * map (updated, deleted or inserted by a mapping edit, with the episode as
 * it was counted in episode_before).  It appends to the persons' file,
 * taking each changed person out of the sums as it was counted and adding
 * it as it is now (struct ind_delta), and ends with the sums, tables and
 * file a full count would give.  What is added can only widen the period
 * a night counts (the first and last year, as_of); a before-image taken
 * out whose dates changed (or whose episode is gone) may narrow it when it
 * held one of its ends, and the run counts in full then.  The file holds
 * no identity number or name: codes, dates, costs and birth years by
 * person key, as the episode table does.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "db.h"
#include "indicators.h"
#include "log.h"
#include "schema.h"
#include "spill.h"

#define STATE_FORMAT 2
#define STATE_SUFFIX ".indicators"
#define PERS_SUFFIX ".indicators-persons"
#define PERS_HEAD 64
#define ENDIAN_MARK 0x01020304u

static const char magic[8] = { 'P', 'L', 'I', 'N', 'D', 'S', 'T', '\n' };
static const char pers_magic[8] = { 'P', 'L', 'I', 'N', 'D', 'P', 'R', '\n' };

struct state_header {
	char magic[8];
	uint32_t format, endian;
	uint32_t head_size, ep_size;  /* sizeof struct ind_kept_head, ind_kept_ep */
	uint64_t generation;
	int64_t sums_off, sums_len;
	uint64_t n_p, n_ep;           /* the persons counted, and their episodes */
	int32_t first_year, last_year, as_of, zero;
	uint64_t pers_generation;     /* the persons file's */
	int64_t n_runs;               /* its runs, in order from PERS_HEAD (runs_ok) */
	int64_t run_off[IND_RUNS], run_end[IND_RUNS];
};

/* The persons file's header: PERS_HEAD bytes before the first run. */
struct pers_header {
	char magic[8];
	uint32_t format, endian;
	uint64_t generation;
	uint32_t head_size, ep_size;
	uint64_t zero[4];
};
_Static_assert(sizeof(struct pers_header) == PERS_HEAD, "the persons file's header");

/* What indicator_state records. */
struct state_row {
	char file[256];
	uint64_t generation;
	char fingerprint[PL_SHA256_HEX];
	int64_t epoch;
	char files[PL_SHA256_HEX];
	long long n_files;
	int64_t max_file_id;
};

/* ---- the facts a state is checked against --------------------------------- */

/* The state format, catalogue, population and code lists, hashed. */
static void fingerprint(const struct ind_catalogue *cat, const struct ind_population *pop,
			char out[PL_SHA256_HEX])
{
	struct pl_sha256 h;
	char line[64];

	pl_sha256_init(&h);
	snprintf(line, sizeof(line), "format %d\n", STATE_FORMAT);
	pl_sha256_update(&h, line, strlen(line));
	pl_sha256_update(&h, cat->sha256, strlen(cat->sha256));
	pl_sha256_update(&h, "\n", 1);
	pl_sha256_update(&h, pop->sha256, strlen(pop->sha256));
	for (int l = 0; l < PL_CL__COUNT; l++) {
		const char *const *codes = pl_codes((enum pl_codelist)l);

		pl_sha256_update(&h, "\n", 1);
		for (size_t i = 0; codes[i]; i++)
			pl_sha256_update(&h, codes[i], strlen(codes[i]) + 1);
	}
	pl_sha256_hex(&h, out);
}

/* The mapped files up to max_file_id (file_id, content, and the ingest
 * that made the row), hashed, and their count: a file replaced or gone
 * changes it.  A file read again by ingest (its content changed, or what
 * ingest reads of its mapping file) gets a new row, mapped afresh without
 * a log; the row of the last file keeps its file_id (SQLite's next rowid)
 * and, for a mapping edit, its content's sha256, hence the ingest's
 * digest and time.  A file mapped again changes nothing here: map logs
 * every episode it changes in place, inserts too, in person_change
 * (schema.sql, episode_before), which a night reads. */
static enum pl_err files_digest(sqlite3 *db, int64_t max_file_id, char out[PL_SHA256_HEX],
				long long *n, struct pl_diag *d)
{
	return pl_db_digest(db, "SELECT m.file_id, i.sha256, i.ingest_sha256, i.ingested_at "
			    "FROM mapped_file m JOIN input_file i USING (file_id) "
			    "WHERE m.file_id <= ?1 ORDER BY m.file_id", max_file_id, out, n, d);
}

/* The row of indicator_state: 1, 0 if none. */
static int read_row(sqlite3 *db, struct state_row *r, enum pl_err *err, struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	int rc, found = 0;

	memset(r, 0, sizeof(*r));
	*err = pl_db_prepare(db, "SELECT state_file, generation, fingerprint, epoch, files, "
			     "n_files, max_file_id FROM indicator_state WHERE id = 1", &st, d);
	if (*err)
		return 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(r->file, sizeof(r->file), "%s", (const char *)sqlite3_column_text(st, 0));
		r->generation = (uint64_t)sqlite3_column_int64(st, 1);
		snprintf(r->fingerprint, sizeof(r->fingerprint), "%s",
			 (const char *)sqlite3_column_text(st, 2));
		r->epoch = sqlite3_column_int64(st, 3);
		snprintf(r->files, sizeof(r->files), "%s", (const char *)sqlite3_column_text(st, 4));
		r->n_files = sqlite3_column_int64(st, 5);
		r->max_file_id = sqlite3_column_int64(st, 6);
		found = 1;
	} else if (rc != SQLITE_DONE) {
		*err = pl_db_fail(db, rc, "read the indicators' state", d);
	}
	sqlite3_finalize(st);
	return found;
}

/* ---- the state file ----------------------------------------------------------- */

/* The persons file's runs follow each other from its header, in order
 * (with the space of runs merged before between them). */
static int runs_ok(const struct state_header *h)
{
	if (h->n_runs < 0 || h->n_runs >= IND_RUNS)
		return 0;
	for (int64_t i = 0; i < h->n_runs; i++)
		if ((i ? h->run_off[i] < h->run_end[i - 1] : h->run_off[i] != PERS_HEAD) ||
		    h->run_end[i] <= h->run_off[i])
			return 0;
	return 1;
}

static int header_ok(const struct state_header *h)
{
	return memcmp(h->magic, magic, sizeof(magic)) == 0 && h->format == STATE_FORMAT &&
		h->endian == ENDIAN_MARK && h->head_size == sizeof(struct ind_kept_head) &&
		h->ep_size == sizeof(struct ind_kept_ep) &&
		h->sums_off == (int64_t)sizeof(*h) && h->sums_len >= 0 && runs_ok(h);
}

/* Opens the state file at path and reads its header: NULL (with why) if
 * it is missing or not the one of generation. */
static FILE *open_state(const char *path, uint64_t generation, struct state_header *h,
			const char **why)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		*why = "the state file is missing";
		return NULL;
	}
	if (fread(h, sizeof(*h), 1, f) != 1 || !header_ok(h)) {
		*why = "the state file is damaged or of another format";
	} else if (h->generation != generation) {
		*why = "the state file is not the one the database records";
	} else {
		return f;
	}
	fclose(f);
	return NULL;
}

/* The sums of the file's n_defs indicators into s (ind_sums_init'ed): 0,
 * or -1 when they are not as many or cut short. */
static int read_sums(FILE *f, const struct state_header *h, size_t n_defs, struct ind_sums *s)
{
	long long at = h->sums_off, end = h->sums_off + h->sums_len;

	ind_sums_init(s, n_defs);
	if (fseeko(f, (off_t)at, SEEK_SET) != 0)
		return -1;
	for (size_t k = 0; k < n_defs; k++) {
		uint64_t len;

		if (fread(&len, sizeof(len), 1, f) != 1 || len > (uint64_t)(end - at))
			return -1;
		at += (long long)sizeof(len);
		pl_buf_grow(&s->by_def[k], (size_t)len);
		if (len && fread(s->by_def[k].data, 1, (size_t)len, f) != len)
			return -1;
		s->by_def[k].len = (size_t)len;
		at += (long long)len;
	}
	return at == end ? 0 : -1;
}

/* The persons file's header for generation gen. */
static void pers_header(struct pers_header *h, uint64_t gen)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, pers_magic, sizeof(pers_magic));
	h->format = STATE_FORMAT;
	h->endian = ENDIAN_MARK;
	h->generation = gen;
	h->head_size = sizeof(struct ind_kept_head);
	h->ep_size = sizeof(struct ind_kept_ep);
}

/* The end of the persons file's last run. */
static int64_t runs_end(const struct ind_keep *kp)
{
	return kp->n_runs ? kp->run_end[kp->n_runs - 1] : PERS_HEAD;
}

/* A whole new persons file, for a full count or the runs merged. */
static enum pl_err pers_whole(struct ind_keep *kp, struct pl_diag *d)
{
	enum pl_err err = pl_keepfile_create(&kp->pers, PERS_HEAD, d);

	kp->pers_out = kp->pers.out;
	kp->pers_whole = 1;
	kp->n_runs = 0;
	kp->run_at = PERS_HEAD;
	return err;
}

/* The persons written since the last run began, as the file's last run. */
static enum pl_err end_run(struct ind_keep *kp, struct pl_diag *d)
{
	off_t end;

	if (fflush(kp->pers_out) != 0 || (end = ftello(kp->pers_out)) < 0)
		return pl_keepfile_error(d, kp->pers_whole ? kp->pers.tmp : kp->pers.path,
					 "write the persons file");
	if (end > kp->run_at) {
		kp->run_off[kp->n_runs] = kp->run_at;
		kp->run_end[kp->n_runs++] = (int64_t)end;
		kp->run_at = (int64_t)end;
	}
	return PL_OK;
}

/* Writes the sums after the header, and the header: the state file is
 * then complete, and synced; so is the persons file. */
static enum pl_err finish_file(struct ind_keep *kp, const struct ind_data *data,
			       const struct ind_sums *sums, struct pl_diag *d)
{
	struct state_header h;
	struct pers_header ph;
	int64_t len = 0;
	enum pl_err err;

	if (fseeko(kp->f.out, (off_t)sizeof(h), SEEK_SET) != 0)
		return pl_keepfile_error(d, kp->f.tmp, "write the state file");
	for (size_t k = 0; k < sums->n_defs; k++) {
		uint64_t n = sums->by_def[k].len;

		if (fwrite(&n, sizeof(n), 1, kp->f.out) != 1 ||
		    (n && fwrite(sums->by_def[k].data, 1, n, kp->f.out) != n))
			return pl_keepfile_error(d, kp->f.tmp, "write the state file");
		len += (int64_t)(sizeof(n) + n);
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, magic, sizeof(magic));
	h.format = STATE_FORMAT;
	h.endian = ENDIAN_MARK;
	h.head_size = sizeof(struct ind_kept_head);
	h.ep_size = sizeof(struct ind_kept_ep);
	h.generation = kp->f.generation;
	h.sums_off = sizeof(h);
	h.sums_len = len;
	h.n_p = data->n_p;
	h.n_ep = data->n_ep;
	h.first_year = data->first_year;
	h.last_year = data->last_year;
	h.as_of = data->as_of;
	h.pers_generation = kp->pers_whole ? kp->pers.generation : kp->pers_generation;
	h.n_runs = (int64_t)kp->n_runs;
	memcpy(h.run_off, kp->run_off, sizeof(h.run_off));
	memcpy(h.run_end, kp->run_end, sizeof(h.run_end));
	pers_header(&ph, h.pers_generation);
	err = kp->pers_whole ? pl_keepfile_finish(&kp->pers, &ph, sizeof(ph), d) : PL_OK;
	if (!err && !kp->pers_whole &&
	    (fflush(kp->pers_old) != 0 || fsync(fileno(kp->pers_old)) != 0))
		err = pl_keepfile_error(d, kp->pers.path, "write the persons file");
	return err ? err : pl_keepfile_finish(&kp->f, &h, sizeof(h), d);
}

/* ---- the persons file's runs -------------------------------------------------- */

/* One run of the persons file, read in order through a buffer. */
struct run_reader {
	FILE *f;
	int64_t at, end;              /* the next byte not buffered; the run's end */
	unsigned char *buf;
	size_t cap, lo, hi;           /* bytes buffered: buf[lo, hi) */
};

static void run_open(struct run_reader *r, FILE *f, int64_t off, int64_t end)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->at = off;
	r->end = end;
	r->cap = IND_CHUNK_BYTES;
	r->buf = pl_xmalloc(r->cap);
}

/* need bytes buffered from lo on: 0, or -1 when the run ends before. */
static int run_fill(struct run_reader *r, size_t need)
{
	size_t have = r->hi - r->lo, want;

	if (have >= need)
		return 0;
	memmove(r->buf, r->buf + r->lo, have);   /* records are 8-byte multiples */
	r->lo = 0;
	r->hi = have;
	if (need > r->cap) {
		r->cap = need;
		r->buf = pl_xrealloc(r->buf, r->cap);
	}
	want = r->end - r->at < (int64_t)(r->cap - have) ? (size_t)(r->end - r->at) : r->cap - have;
	if (want && pl_spill_read(r->f, r->buf + have, want, r->at) != 0)
		return -1;
	r->at += (int64_t)want;
	r->hi += want;
	return r->hi >= need ? 0 : -1;
}

/* The next person of the run (its episodes in the buffer until the next
 * call): 1, 0 after the last, -1 when the run is cut short. */
static int run_next(struct run_reader *r, struct ind_kept_head *h, const struct ind_kept_ep **k)
{
	size_t need;

	if (r->lo == r->hi && r->at == r->end)
		return 0;
	if (run_fill(r, sizeof(*h)) != 0)
		return -1;
	memcpy(h, r->buf + r->lo, sizeof(*h));
	need = sizeof(*h) + (size_t)h->n * sizeof(**k);
	if (run_fill(r, need) != 0)
		return -1;
	*k = (const struct ind_kept_ep *)(const void *)(r->buf + r->lo + sizeof(*h));
	r->lo += need;
	return 1;
}

/* Whether the persons file's runs are merged into a whole new file rather
 * than all but the first into one run appended: when the other runs and
 * the space that merges left behind them weigh as much as the first. */
static int merge_whole(const struct ind_keep *kp)
{
	int64_t first = kp->run_end[0] - kp->run_off[0];

	return runs_end(kp) - PERS_HEAD - first >= first;
}

/* The persons file's runs merged (a night's run made them IND_RUNS), each
 * person as its last run has it: into a whole new file of one run,
 * leaving out those a night emptied, or, most nights, all but the first
 * into one run appended to the file, keeping them (the first may hold
 * them still); reads are pread, so writing on at its end is safe. */
static enum pl_err merge_runs(struct ind_keep *kp, struct pl_diag *d)
{
	struct run_reader rd[IND_RUNS];
	struct ind_kept_head h[IND_RUNS];
	const struct ind_kept_ep *k[IND_RUNS];
	int rc[IND_RUNS];
	size_t n = kp->n_runs, from = merge_whole(kp) ? 0 : 1;
	enum pl_err err = PL_OK;

	for (size_t i = from; i < n; i++) {
		run_open(&rd[i], kp->pers_old, kp->run_off[i], kp->run_end[i]);
		rc[i] = run_next(&rd[i], &h[i], &k[i]);
	}
	if (from == 0)
		err = pers_whole(kp, d);
	else
		kp->n_runs = from;
	for (;;) {
		size_t last = SIZE_MAX;
		uint32_t key = UINT32_MAX;

		for (size_t i = from; i < n; i++) {
			if (rc[i] < 0 && !err)
				err = pl_keepfile_error(d, kp->pers.path, "read the persons file");
			if (rc[i] == 1 && (last == SIZE_MAX || h[i].key <= key)) {
				last = i;
				key = h[i].key;
			}
		}
		if (err || last == SIZE_MAX)
			break;
		if (h[last].n || from)
			err = ind_write_person(kp->pers_out, key, k[last], h[last].n, d);
		for (size_t i = from; i < n; i++)
			if (rc[i] == 1 && h[i].key == key)
				rc[i] = run_next(&rd[i], &h[i], &k[i]);
	}
	for (size_t i = from; i < n; i++)
		free(rd[i].buf);
	return err ? err : end_run(kp, d);
}

/* ---- a night ------------------------------------------------------------------ */

/* The changed persons as the persons file has them: their keys (sorted,
 * each once) and, by key, the last run's version (found; its episodes
 * in pool, n of them; none if n is 0). */
struct old_persons {
	uint32_t *key;
	size_t n_key;
	unsigned char *found;
	size_t *first;
	uint32_t *n;
	struct ind_kept_ep *pool;
	size_t n_pool, cap_pool;
};

static void old_persons_release(struct old_persons *o)
{
	free(o->key);
	free(o->found);
	free(o->first);
	free(o->n);
	free(o->pool);
	memset(o, 0, sizeof(*o));
}

/* Reads the changed persons' versions from every run, the later ones
 * replacing the earlier; -1 when a run is cut short. */
static int read_old(FILE *f, const struct ind_keep *kp, const struct ind_changes *ch,
		    struct old_persons *o)
{
	o->key = pl_xmalloc((ch->n + 1) * sizeof(*o->key));
	for (size_t i = 0; i < ch->n; i++)
		if (i == 0 || ch->c[i].key != ch->c[i - 1].key)
			o->key[o->n_key++] = ch->c[i].key;
	o->found = pl_xcalloc(o->n_key + 1, 1);
	o->first = pl_xcalloc(o->n_key + 1, sizeof(*o->first));
	o->n = pl_xcalloc(o->n_key + 1, sizeof(*o->n));
	for (size_t r = 0; r < kp->n_runs; r++) {
		struct run_reader rd;
		struct ind_kept_head h;
		const struct ind_kept_ep *k;
		size_t j = 0;
		int rc = 0;

		run_open(&rd, f, kp->run_off[r], kp->run_end[r]);
		while (j < o->n_key && (rc = run_next(&rd, &h, &k)) == 1) {
			while (j < o->n_key && o->key[j] < h.key)
				j++;
			if (j == o->n_key || o->key[j] != h.key)
				continue;
			if (o->n_pool + h.n > o->cap_pool) {
				o->cap_pool = 2 * (o->n_pool + h.n) + 1024;
				o->pool = pl_xrealloc(o->pool, o->cap_pool * sizeof(*o->pool));
			}
			if (h.n)
				memcpy(o->pool + o->n_pool, k, h.n * sizeof(*k));
			o->found[j] = 1;
			o->first[j] = o->n_pool;
			o->n[j] = h.n;
			o->n_pool += h.n;
		}
		free(rd.buf);
		if (j < o->n_key && rc < 0)
			return -1;
	}
	return 0;
}

/* A changed person: old[0..n_old) as counted, the changes c[0..n_c) of its
 * key applied (each episode taken out must be there) into *nw; both into
 * the delta, the new one appended to the persons file (with no episodes
 * left, a person the file had is written empty: gone).  -1 when an
 * episode taken out is not the person's. */
static int change_person(struct ind_keep *kp, uint32_t key, const struct ind_kept_ep *old,
			 size_t n_old, const struct ind_change *c, size_t n_c,
			 struct ind_data *data, struct ind_delta *delta, enum pl_err *err,
			 struct pl_diag *d)
{
	struct ind_kept_ep *nw = pl_xmalloc((n_old + n_c + 1) * sizeof(*nw));
	size_t n = n_old;
	int rc = 0;

	if (n_old)
		memcpy(nw, old, n_old * sizeof(*nw));
	for (size_t i = 0; i < n_c && rc == 0; i++) {
		size_t j = 0;

		if (c[i].add) {
			nw[n++] = c[i].k;
			continue;
		}
		while (j < n && memcmp(&nw[j], &c[i].k, sizeof(nw[j])) != 0)
			j++;
		if (j == n)
			rc = -1;
		else
			nw[j] = nw[--n];
	}
	if (rc == 0 && n_old) {
		ind_delta_add(delta, old, n_old, -1);
		data->n_p--;
		data->n_ep -= n_old;
	}
	if (rc == 0 && n) {
		ind_delta_add(delta, nw, n, 1);
		data->n_p++;
		data->n_ep += n;
	}
	if (rc == 0 && (n || n_old))
		*err = ind_write_person(kp->pers_out, key, nw, n, d);
	free(nw);
	return rc;
}

/* Applies the changes to the persons the file has, building the delta and
 * appending the changed persons to the persons file as one run more;
 * *why set when the changes do not fit the file. */
static enum pl_err apply_changes(struct ind_keep *kp, const struct ind_changes *ch,
				 struct ind_data *data, struct ind_delta *delta, const char **why,
				 struct pl_diag *d)
{
	struct old_persons o = { 0 };
	enum pl_err err = PL_OK;

	if (read_old(kp->pers_old, kp, ch, &o) != 0)
		*why = "the persons file is cut short";
	kp->pers_out = kp->pers_old;
	kp->run_at = runs_end(kp);
	if (!*why && fseeko(kp->pers_old, (off_t)kp->run_at, SEEK_SET) != 0)
		err = pl_keepfile_error(d, kp->pers.path, "write the persons file");
	for (size_t ci = 0, j = 0; !err && !*why && ci < ch->n; j++) {
		uint32_t key = ch->c[ci].key;
		size_t c0 = ci, n_old = o.found[j] ? o.n[j] : 0;

		while (ci < ch->n && ch->c[ci].key == key)
			ci++;
		if (change_person(kp, key, n_old ? o.pool + o.first[j] : NULL, n_old, ch->c + c0,
				  ci - c0, data, delta, &err, d) != 0)
			*why = "an episode dedup moved is not where the state file has it";
	}
	old_persons_release(&o);
	if (!err && !*why)
		err = end_run(kp, d);
	if (!err && !*why && kp->n_runs == IND_RUNS) {
		struct timespec t;

		clock_gettime(CLOCK_MONOTONIC, &t);
		err = merge_runs(kp, d);
		pl_log_step(&t, kp->n_runs == 1 ? "the persons file's runs merged into one"
			    : "the persons file's runs since the first merged into one");
	}
	return err;
}

/* The touched persons of the changes. */
static size_t n_touched(const struct ind_changes *ch)
{
	size_t n = 0;

	for (size_t i = 0; i < ch->n; i++)
		n += i == 0 || ch->c[i].key != ch->c[i - 1].key;
	return n;
}

/* Joins the periods of the episodes added to the state's: they can only
 * widen them (narrows says when they may narrow). */
static void join_periods(struct ind_data *data, const struct state_header *h,
			 const struct ind_changes *ch)
{
	data->first_year = h->first_year;
	data->last_year = h->last_year;
	data->as_of = h->as_of;
	if (!ch->n_stats)
		return;
	if (h->n_ep == 0 || ch->stats.first_year < data->first_year)
		data->first_year = ch->stats.first_year;
	if (h->n_ep == 0 || ch->stats.last_year > data->last_year)
		data->last_year = ch->stats.last_year;
	if (ch->stats.as_of > data->as_of)
		data->as_of = ch->stats.as_of;
}

/* Whether a before-image taken out whose dates changed (or whose episode
 * map deleted) may have held the state's first or last year or its as_of:
 * without it the period of a full count could be narrower than the
 * state's, which the sums do not show.  An episode whose dates did not
 * change leaves them as they were. */
static int narrows(const struct state_header *h, const struct ind_changes *ch)
{
	return ch->n_out_stats && (ch->out_stats.first_year <= h->first_year ||
				   ch->out_stats.last_year >= h->last_year ||
				   ch->out_stats.as_of >= h->as_of);
}

/* The persons file the state names, opened to be appended to; NULL with
 * why if it is not there as the state has it. */
static FILE *open_persons(struct ind_keep *kp, const struct state_header *h, const char **why)
{
	static const char *const whys[] = {
		[PL_KEEP_MISSING] = "the persons file is missing",
		[PL_KEEP_IN_USE] = "the persons file is in use",
		[PL_KEEP_OTHER] = "the persons file is not the one the state file names",
		[PL_KEEP_UNWRITABLE] = "the persons file cannot be written",
	};
	struct pers_header ph;
	enum pl_keep_why w;
	FILE *f;

	kp->n_runs = (size_t)h->n_runs;
	memcpy(kp->run_off, h->run_off, sizeof(kp->run_off));
	memcpy(kp->run_end, h->run_end, sizeof(kp->run_end));
	kp->pers_generation = h->pers_generation;
	pers_header(&ph, h->pers_generation);
	f = pl_keepfile_reopen(kp->pers.path, &ph, sizeof(ph), (off_t)runs_end(kp), &w);
	if (!f)
		*why = whys[w];
	return f;
}

/* A night from the state of row: res and the persons' counts in data, the
 * sums in sums; *why set (and nothing made) when it cannot be one. */
static enum pl_err night(sqlite3 *db, const struct ind_catalogue *cat,
			 const struct ind_population *pop, struct ind_keep *kp,
			 const struct state_row *row, struct ind_data *data, struct ind_sums *sums,
			 struct ind_result *res, const char **why, struct pl_diag *d)
{
	struct state_header h;
	struct ind_sums old = { 0 };
	struct ind_changes ch = { 0 };
	struct ind_delta delta = { 0 };
	FILE *f = open_state(kp->f.path, row->generation, &h, why);
	enum pl_err err = PL_OK;

	if (!f)
		return PL_OK;
	if (read_sums(f, &h, cat->n_defs, &old) != 0) {
		*why = "the state file's sums are cut short";
		goto cleanup;
	}
	err = ind_changes_read(db, row->max_file_id, &ch, d);
	if (err)
		goto cleanup;
	if (!ch.usable) {
		*why = "an episode changed has no row or no person";
		goto cleanup;
	}
	if (narrows(&h, &ch)) {
		*why = "an episode changed in place held the first or last date counted";
		goto cleanup;
	}
	if (n_touched(&ch) > h.n_p / 8 + 1000) {   /* the delta's memory: 1/8 of a full count's */
		*why = "more than an eighth of the persons changed";
		goto cleanup;
	}
	kp->pers_old = open_persons(kp, &h, why);
	if (!kp->pers_old)
		goto cleanup;
	memset(data, 0, sizeof(*data));
	data->n_p = h.n_p;
	data->n_ep = h.n_ep;
	join_periods(data, &h, &ch);
	err = apply_changes(kp, &ch, data, &delta, why, d);
	if (err || *why)
		goto cleanup;
	err = ind_compute_sums(cat, data, pop, &old, &delta, sums, res, d);
	if (!err && res->stale)
		*why = "the sums kept do not fit the persons";
	pl_log(PL_LOG_DEBUG, NULL, "a night: %lld episodes of new files, %lld moved, %lld changed "
	       "in place, %zu persons changed", ch.n_new, ch.n_moved, ch.n_in_place,
	       n_touched(&ch));
cleanup:
	if (*why)
		ind_sums_release(sums);
	ind_delta_release(&delta);
	ind_changes_release(&ch);
	ind_sums_release(&old);
	fclose(f);
	return err;
}

/* ---- the stage's use ----------------------------------------------------------- */

/* Empties the temporary file for a full count. */
/* A whole new persons file for a full count, empty (one a night began
 * when it merged the runs, emptied). */
static enum pl_err pers_for_full(struct ind_keep *kp, struct pl_diag *d)
{
	if (!kp->pers_whole)
		return pers_whole(kp, d);
	kp->n_runs = 0;
	if (fflush(kp->pers.out) != 0 || ftruncate(fileno(kp->pers.out), PERS_HEAD) != 0 ||
	    fseeko(kp->pers.out, PERS_HEAD, SEEK_SET) != 0)
		return pl_keepfile_error(d, kp->pers.tmp, "write the persons file");
	return PL_OK;
}

/* Why the state cannot be a night's start, or NULL when it can. */
static const char *state_unusable(sqlite3 *db, const struct ind_keep *kp, struct state_row *row,
				  enum pl_err *err, struct pl_diag *d)
{
	char files[PL_SHA256_HEX];
	long long n_files = 0;

	if (!read_row(db, row, err, d))
		return *err ? NULL : "no sums kept yet";
	if (strcmp(row->fingerprint, kp->fingerprint) != 0)
		return "the catalogue, the population or the code lists changed";
	if (row->epoch != kp->epoch)
		return "dedup wrote the person tables anew";
	*err = files_digest(db, row->max_file_id, files, &n_files, d);
	if (*err)
		return NULL;
	if (strcmp(files, row->files) != 0 || n_files != row->n_files)
		return "a file counted before was replaced or is gone";
	return NULL;
}

enum pl_err ind_keep_compute(sqlite3 *db, const struct ind_catalogue *cat,
			     const struct ind_population *pop, struct ind_keep *kp,
			     struct ind_data *data, struct ind_result *res, struct timespec *t,
			     struct pl_diag *d)
{
	const char *path = sqlite3_db_filename(db, "main"), *why = NULL;
	struct ind_sums sums = { 0 };
	struct state_row row;
	enum pl_err err;

	memset(kp, 0, sizeof(*kp));
	if (!path || !path[0]) {              /* a database in memory keeps nothing */
		err = ind_data_load(db, data, d);
		pl_log_step(t, "load and group by person");
		return err ? err : ind_compute(cat, data, pop, res, d);
	}
	pl_keepfile_init(&kp->f, path, STATE_SUFFIX);
	pl_keepfile_init(&kp->pers, path, PERS_SUFFIX);
	fingerprint(cat, pop, kp->fingerprint);
	err = pl_db_query_int64(db, "SELECT epoch FROM person_epoch WHERE id = 1", &kp->epoch,
				"read the indicators' state", d);
	if (!err)
		err = pl_keepfile_create(&kp->f, sizeof(struct state_header), d);
	if (!err)
		why = state_unusable(db, kp, &row, &err, d);
	if (!err && !why)
		err = night(db, cat, pop, kp, &row, data, &sums, res, &why, d);
	if (!err && why) {
		pl_log(PL_LOG_INFO, NULL, "counting in full: %s", why);
		ind_data_release(data);
		ind_result_release(res);
		err = pers_for_full(kp, d);
		if (!err)
			err = ind_data_load_to(db, kp->pers.out, data, d);
		if (!err)
			err = end_run(kp, d);
		pl_log_step(t, "load and group by person");
		if (!err)
			err = ind_compute_sums(cat, data, pop, NULL, NULL, &sums, res, d);
	} else if (!err) {
		kp->night = 1;
	}
	if (!err)
		err = pl_db_query_int64(db, "SELECT coalesce(max(file_id), 0) FROM mapped_file",
					&kp->max_file_id, "read the indicators' state", d);
	if (!err)
		err = files_digest(db, kp->max_file_id, kp->files, &kp->n_files, d);
	pl_log_step(t, kp->night ? "a night: the persons that changed" : "compute");
	if (!err)
		err = finish_file(kp, data, &sums, d);
	if (err == PL_EIO && d && !d->file[0] && kp->pers_out)   /* the persons' writes name no file */
		snprintf(d->file, sizeof(d->file), "%s", kp->pers_whole ? kp->pers.tmp : kp->pers.path);
	ind_sums_release(&sums);
	return err;
}

enum pl_err ind_keep_record(sqlite3 *db, const struct ind_keep *kp, const struct ind_data *data,
			    struct pl_diag *d)
{
	sqlite3_stmt *st = NULL;
	const char *base;
	char as_of[16] = "";
	enum pl_err err;

	if (!kp->f.path)
		return PL_OK;
	base = strrchr(kp->f.path, '/') ? strrchr(kp->f.path, '/') + 1 : kp->f.path;
	if (data->n_ep)
		ind_day_iso(data->as_of, as_of);
	err = pl_db_prepare(db, "INSERT OR REPLACE INTO indicator_state (id, state_file, "
			    "generation, fingerprint, epoch, files, n_files, max_file_id, as_of, "
			    "written_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
			    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", &st, d);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, base, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)kp->f.generation);
	sqlite3_bind_text(st, 3, kp->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, kp->epoch);
	sqlite3_bind_text(st, 5, kp->files, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, kp->n_files);
	sqlite3_bind_int64(st, 7, kp->max_file_id);
	sqlite3_bind_text(st, 8, as_of, -1, SQLITE_STATIC);
	err = pl_db_step_done(db, st, "record the indicators' state", d);
	sqlite3_finalize(st);
	if (!err)
		err = pl_db_exec(db, "DELETE FROM person_change; DELETE FROM episode_before", d);
	return err;
}

enum pl_err ind_keep_install(struct ind_keep *kp, struct pl_diag *d)
{
	enum pl_err err = kp->pers_whole ? pl_keepfile_install(&kp->pers, d) : PL_OK;

	return err ? err : pl_keepfile_install(&kp->f, d);
}

void ind_keep_release(struct ind_keep *kp)
{
	pl_keepfile_release(&kp->f);
	pl_keepfile_release(&kp->pers);
	if (kp->pers_old)
		fclose(kp->pers_old);
	memset(kp, 0, sizeof(*kp));
}

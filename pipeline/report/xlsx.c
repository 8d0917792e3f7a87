/*
 * report/xlsx.c - the published tables as one workbook (report.xlsx), with
 * libxlsxwriter.
 *
 * A sheet per table, named by its id (cut to 31 characters, made unique
 * with "~2", "~3", ... if two cut ids meet): row 1 the Swedish title, row 2
 * the header (the row heading, a column per column key and, for tables
 * with intervals, "<label> nedre" / "<label> övre" after each), frozen
 * below the header and right of the label column; then a row per row key.
 * Values are numbers at full precision with a number format of the table's
 * rep_fmt ("#,##0", "#,##0.0", three significant digits for statistics);
 * a suppressed cell is the text ".." in its value and interval columns and
 * is never greyed; a cell without a value is left empty; an unreliable
 * cell is in a grey font.  Below the table: its note and what ".." and
 * grey mean.  The last sheet, "definitions", lists each table's id (a link
 * to its sheet), Swedish title, English title and Swedish note.
 *
 * The workbook is written to a temporary name beside path
 * (".<name>.tmp.XXXXXX"), checked (workbook_close), then renamed into place.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "report.h"

#define DEFS_SHEET "definitions"
#define MAX_DECIMALS 12

/* The workbook's own texts are in strings.c ("book_*", "col_lower",
 * "col_upper"), in Swedish, the report's language. */
#define TXT(key) rep_str(REP_SV, key)

static const char *const defs_head[] = {
	"book_defs_table", "book_defs_title", "book_defs_title_en", "book_defs_note",
};

struct book {
	lxw_workbook *wb;
	lxw_format *num[2][2][MAX_DECIMALS + 1]; /* [grey][grouped][decimals], made on use */
	lxw_format *title, *head, *head_num, *dots, *note;
	lxw_error err;                           /* the first failed write, or 0 */
	const char *err_sheet;                   /* its sheet */
};

/* ---- cells ------------------------------------------------------------------ */

static int in_range(struct book *b, const char *sheet, size_t r, size_t c)
{
	if (r < LXW_ROW_MAX && c < LXW_COL_MAX)
		return 1;
	if (!b->err) {
		b->err = LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE;
		b->err_sheet = sheet;
	}
	return 0;
}

static void failed(struct book *b, const char *sheet, lxw_error e)
{
	if (e && !b->err) {
		b->err = e;
		b->err_sheet = sheet;
	}
}

static void put_str(struct book *b, lxw_worksheet *ws, const char *sheet, size_t r, size_t c,
		    const char *s, lxw_format *f)
{
	if (in_range(b, sheet, r, c))
		failed(b, sheet, worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, s, f));
}

static void put_num(struct book *b, lxw_worksheet *ws, const char *sheet, size_t r, size_t c,
		    double v, lxw_format *f)
{
	if (in_range(b, sheet, r, c))
		failed(b, sheet, worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, v, f));
}

/* The number format of v in fmt, grey or not: whole numbers grouped for
 * counts, days, SEK and estimates, one decimal for rates and shares, three
 * significant digits for statistics. */
static lxw_format *num_format(struct book *b, enum rep_fmt fmt, double v, int grey)
{
	int grouped = fmt != REP_F_STAT, dec = 0;
	lxw_format **f;

	if (fmt == REP_F_RATE || fmt == REP_F_SHARE)
		dec = 1;
	else if (fmt == REP_F_STAT && v != 0) {
		dec = 2 - (int)floor(log10(fabs(v)));
		dec = dec < 0 ? 0 : dec > MAX_DECIMALS ? MAX_DECIMALS : dec;
	}
	f = &b->num[grey][grouped][dec];
	if (!*f) {
		char code[32];

		snprintf(code, sizeof(code), "%s%s%.*s", grouped ? "#,##0" : "0", dec ? "." : "",
			 dec, "000000000000");
		*f = workbook_add_format(b->wb);
		format_set_num_format(*f, code);
		if (grey)
			format_set_font_color(*f, LXW_COLOR_GRAY);
	}
	return *f;
}

/* Characters of UTF-8 s (for column widths). */
static size_t n_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static const char *label_of(const struct rep_axis *a, size_t i, enum rep_lang lang)
{
	const char *s = a->label[lang] ? a->label[lang][i] : NULL;

	if (!s || !*s)
		s = a->key ? a->key[i] : NULL;
	return s ? s : "";
}

/* ---- sheets ---------------------------------------------------------------- */

/* Sheet names: ids cut to 31 characters, unique (also against the
 * definitions sheet); names is n x 32. */
static void sheet_names(const struct rep_tables *ts, char (*names)[LXW_SHEETNAME_MAX + 1])
{
	for (size_t i = 0; i < ts->n; i++) {
		for (unsigned k = 1;; k++) {
			int clash = 0;

			if (k == 1) {
				snprintf(names[i], LXW_SHEETNAME_MAX + 1, "%.*s", LXW_SHEETNAME_MAX,
					 ts->t[i].id);
			} else {
				char suffix[16];
				int n = snprintf(suffix, sizeof(suffix), "~%u", k);

				snprintf(names[i], LXW_SHEETNAME_MAX + 1, "%.*s%s",
					 LXW_SHEETNAME_MAX - n, ts->t[i].id, suffix);
			}
			clash = strcmp(names[i], DEFS_SHEET) == 0;
			for (size_t j = 0; j < i && !clash; j++)
				clash = strcmp(names[i], names[j]) == 0;
			if (!clash)
				break;
		}
	}
}

static void table_sheet(struct book *b, const struct rep_table *t, const char *name)
{
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
	size_t per_col = t->has_interval ? 3 : 1, w0, r;
	struct pl_buf h;

	if (!ws) {
		failed(b, name, LXW_ERROR_SHEETNAME_ALREADY_USED);
		return;
	}
	pl_buf_init(&h);
	put_str(b, ws, name, 0, 0, t->title[REP_SV] && *t->title[REP_SV] ? t->title[REP_SV] : t->id,
		b->title);
	put_str(b, ws, name, 1, 0, rep_str(REP_SV, "col_row"), b->head);
	w0 = n_chars(rep_str(REP_SV, "col_row"));
	for (size_t c = 0; c < t->cols.n; c++) {
		const char *label = label_of(&t->cols, c, REP_SV);
		size_t col = 1 + c * per_col, w = n_chars(label);

		put_str(b, ws, name, 1, col, label, b->head_num);
		if (t->has_interval) {
			pl_buf_reset(&h);
			pl_buf_printf(&h, "%s %s", label, TXT("col_lower"));
			put_str(b, ws, name, 1, col + 1, h.data, b->head_num);
			pl_buf_reset(&h);
			pl_buf_printf(&h, "%s %s", label, TXT("col_upper"));
			put_str(b, ws, name, 1, col + 2, h.data, b->head_num);
			w += 6;
		}
		if (in_range(b, name, 0, col + per_col - 1))
			failed(b, name, worksheet_set_column(ws, (lxw_col_t)col,
				(lxw_col_t)(col + per_col - 1), w < 8 ? 10 : w > 30 ? 32 : (double)w + 2,
				NULL));
	}
	for (r = 0; r < t->rows.n; r++) {
		const char *label = label_of(&t->rows, r, REP_SV);

		if (n_chars(label) > w0)
			w0 = n_chars(label);
		put_str(b, ws, name, 2 + r, 0, label, NULL);
		for (size_t c = 0; c < t->cols.n; c++) {
			const struct rep_cell *cell = &t->cells[r * t->cols.n + c];
			enum rep_fmt fmt = t->col_fmt ? t->col_fmt[c] : t->fmt;
			int grey = (cell->flags & REP_UNRELIABLE) != 0;
			size_t col = 1 + c * per_col;

			if (cell->flags & REP_SUPPRESSED) {
				for (size_t k = 0; k < per_col; k++)
					put_str(b, ws, name, 2 + r, col + k, "..", b->dots);
				continue;
			}
			if ((cell->flags & REP_NO_VALUE) || !isfinite(cell->value))
				continue;
			put_num(b, ws, name, 2 + r, col, cell->value,
				num_format(b, fmt, cell->value, grey));
			if (t->has_interval && isfinite(cell->lower))
				put_num(b, ws, name, 2 + r, col + 1, cell->lower,
					num_format(b, fmt, cell->lower, grey));
			if (t->has_interval && isfinite(cell->upper))
				put_num(b, ws, name, 2 + r, col + 2, cell->upper,
					num_format(b, fmt, cell->upper, grey));
		}
	}
	r += 3; /* a blank row after the table */
	if (t->note[REP_SV] && *t->note[REP_SV])
		put_str(b, ws, name, r++, 0, t->note[REP_SV], b->note);
	put_str(b, ws, name, r++, 0, TXT("book_dots"), b->note);
	put_str(b, ws, name, r, 0, TXT("book_grey"), b->note);
	failed(b, name, worksheet_set_column(ws, 0, 0, w0 < 12 ? 14 : w0 > 60 ? 62 : (double)w0 + 2,
					     NULL));
	worksheet_freeze_panes(ws, 2, 1);
	pl_buf_release(&h);
}

static void defs_sheet(struct book *b, const struct rep_tables *ts,
		       char (*names)[LXW_SHEETNAME_MAX + 1])
{
	static const double widths[] = { 34, 50, 50, 80 };
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, DEFS_SHEET);
	struct pl_buf url;
	size_t r = 1;

	if (!ws) {
		failed(b, DEFS_SHEET, LXW_ERROR_SHEETNAME_ALREADY_USED);
		return;
	}
	pl_buf_init(&url);
	for (size_t c = 0; c < 4; c++) {
		put_str(b, ws, DEFS_SHEET, 0, c, TXT(defs_head[c]), b->head);
		failed(b, DEFS_SHEET, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
							   widths[c], NULL));
	}
	for (size_t i = 0; i < ts->n; i++, r++) {
		const struct rep_table *t = &ts->t[i];

		pl_buf_reset(&url);
		pl_buf_printf(&url, "internal:'%s'!A1", names[i]);
		if (in_range(b, DEFS_SHEET, r, 0))
			failed(b, DEFS_SHEET, worksheet_write_url_opt(ws, (lxw_row_t)r, 0, url.data,
								      NULL, t->id, NULL));
		put_str(b, ws, DEFS_SHEET, r, 1, t->title[REP_SV] ? t->title[REP_SV] : "", NULL);
		put_str(b, ws, DEFS_SHEET, r, 2, t->title[REP_EN] ? t->title[REP_EN] : "", NULL);
		put_str(b, ws, DEFS_SHEET, r, 3, t->note[REP_SV] ? t->note[REP_SV] : "", NULL);
	}
	r++;
	put_str(b, ws, DEFS_SHEET, r++, 0, TXT("book_dots"), b->note);
	put_str(b, ws, DEFS_SHEET, r, 0, TXT("book_grey"), b->note);
	worksheet_freeze_panes(ws, 1, 0);
	pl_buf_release(&url);
}

/* ---- the file ------------------------------------------------------------- */

/* PL_ESOFTWARE for a table id that is no file stem of [a-z0-9_] or is used twice. */
static enum pl_err check_ids(const struct rep_tables *ts, struct pl_diag *d)
{
	for (size_t i = 0; i < ts->n; i++) {
		const char *id = ts->t[i].id;
		size_t n = strnlen(id, sizeof(ts->t[i].id));

		if (n == 0 || n == sizeof(ts->t[i].id) || strspn(id,
		    "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
			return pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "table %zu: id '%.*s' is not "
					   "a sheet name of [a-z0-9_]", i, (int)n, id);
		for (size_t j = 0; j < i; j++)
			if (strcmp(ts->t[j].id, id) == 0)
				return pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "two tables with "
						   "the id '%s'", id);
	}
	return PL_OK;
}

static enum pl_err close_error(lxw_error e, const char *path, struct pl_diag *d)
{
	enum pl_err err = e == LXW_ERROR_CREATING_XLSX_FILE || e == LXW_ERROR_CREATING_TMPFILE
		? PL_ECANTCREAT : PL_EIO;

	return pl_diag_set(d, err, path, 0, "cannot write the workbook: %s", lxw_strerror(e));
}

enum pl_err rep_write_xlsx(const struct rep_tables *ts, const char *path, struct pl_diag *d)
{
	char (*names)[LXW_SHEETNAME_MAX + 1] = NULL;
	const char *slash = path ? strrchr(path, '/') : NULL;
	struct book b;
	struct pl_buf tmp;
	enum pl_err err;
	lxw_error e;
	mode_t mask;
	int fd = -1;

	memset(&b, 0, sizeof(b));
	pl_buf_init(&tmp);
	err = check_ids(ts, d);
	if (!err && (!path || !*path || (slash && !slash[1])))
		err = pl_diag_set(d, PL_ESOFTWARE, path, 0, "no file name for the workbook");
	if (err)
		goto cleanup;

	/* the temporary file: made here, so that a directory we cannot write
	 * to is our error message, not libxlsxwriter's */
	if (slash)
		pl_buf_append(&tmp, path, (size_t)(slash + 1 - path));
	pl_buf_printf(&tmp, ".%s.tmp.XXXXXX", slash ? slash + 1 : path);
	fd = mkstemp(tmp.data);
	if (fd < 0) {
		err = pl_diag_set(d, PL_ECANTCREAT, path, 0, "cannot create a temporary file: %s",
				  strerror(errno));
		pl_buf_reset(&tmp);
		goto cleanup;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		err = pl_diag_set(d, PL_EIO, path, 0, "cannot write: %s", strerror(errno));
		goto cleanup;
	}
	close(fd);
	fd = -1;

	b.wb = workbook_new(tmp.data);
	if (!b.wb) {
		err = pl_diag_set(d, PL_ESOFTWARE, path, 0, "cannot start a workbook");
		goto cleanup;
	}
	b.title = workbook_add_format(b.wb);
	format_set_bold(b.title);
	format_set_font_size(b.title, 13);
	b.head = workbook_add_format(b.wb);
	format_set_bold(b.head);
	format_set_bottom(b.head, LXW_BORDER_THIN);
	b.head_num = workbook_add_format(b.wb);
	format_set_bold(b.head_num);
	format_set_bottom(b.head_num, LXW_BORDER_THIN);
	format_set_align(b.head_num, LXW_ALIGN_RIGHT);
	b.dots = workbook_add_format(b.wb);
	format_set_align(b.dots, LXW_ALIGN_RIGHT);
	b.note = workbook_add_format(b.wb);
	format_set_italic(b.note);

	names = pl_xcalloc(ts->n ? ts->n : 1, sizeof(*names));
	sheet_names(ts, names);
	for (size_t i = 0; i < ts->n; i++)
		table_sheet(&b, &ts->t[i], names[i]);
	defs_sheet(&b, ts, names);

	e = workbook_close(b.wb); /* frees the workbook, whatever it returns */
	b.wb = NULL;
	if (b.err)
		err = pl_diag_set(d, PL_ESOFTWARE, path, 0, "cannot write sheet '%s': %s",
				  b.err_sheet ? b.err_sheet : "?", lxw_strerror(b.err));
	else if (e != LXW_NO_ERROR)
		err = close_error(e, path, d);
	if (err)
		goto cleanup;
	fd = open(tmp.data, O_RDONLY);
	if (fd < 0 || fsync(fd) != 0)
		err = pl_diag_set(d, PL_EIO, path, 0, "cannot write: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = -1;
	if (!err && rename(tmp.data, path) != 0)
		err = pl_diag_set(d, PL_ECANTCREAT, path, 0, "cannot rename the temporary file "
				  "into place: %s", strerror(errno));
	if (!err)
		pl_buf_reset(&tmp); /* nothing to remove */
cleanup:
	if (fd >= 0)
		close(fd);
	if (b.wb)
		workbook_close(b.wb);
	if (tmp.len)
		unlink(tmp.data);
	free(names);
	pl_buf_release(&tmp);
	return err;
}

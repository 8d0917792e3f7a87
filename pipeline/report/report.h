/*
 * report/report.h - what the planners read: the published tables built from
 * the indicator tables, disclosure control over them, and the writers (CSV
 * in two flavours, one .xlsx workbook, one self-contained HTML report).
 *
 * Reads: indicator, indicator_value, indicator_equity, indicator_trend,
 * input_file, reject, mapped_file, map_value, episode, person, stage_run.
 * Writes files only, under the output directory, each to a temporary name
 * first and renamed into place: report-sv.html (or -en), report.xlsx,
 * tables/<table>.csv and tables/<table>-excel-sv.csv.
 *
 * Every writer gets the same tables after disclosure control: a cell with
 * REP_SUPPRESSED set is written as ".." (never its value, interval or
 * count) everywhere, charts included.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>
#include <stdio.h>

#include <sqlite3.h>

#include "pl.h"

/* ---- languages and strings ------------------------------------------------ */

enum rep_lang { REP_SV = 0, REP_EN = 1 };
#define REP_N_LANGS 2

/* A user-visible string by key, in lang: every string of every output
 * lives in one table (report/strings.c).  An unknown key returns the key
 * itself (a test checks that every key used exists). */
const char *rep_str(enum rep_lang lang, const char *key);
/* The name of a code of a schema code list for display: ("district",
 * "MAJORNA_LINNE") -> "Majorna-Linné"; ("intervention", "LVM") -> "LVM-vård"
 * / "Compulsory care (LVM)"; "MISSING" -> "Uppgift saknas" / "Not
 * reported"; "total" -> "Hela staden" / "Whole city" for districts,
 * "Totalt" / "Total" otherwise.  An unknown code returns the code. */
const char *rep_code_label(enum rep_lang lang, const char *field, const char *code);

/* ---- published tables -------------------------------------------------------- */

/* How a table's values are written (decimals; units in the table's note). */
enum rep_fmt {
	REP_F_COUNT = 0,      /* whole number: persons, episodes, rows */
	REP_F_RATE,           /* one decimal: per 10,000 */
	REP_F_SHARE,          /* one decimal: per cent */
	REP_F_DAYS,           /* whole number */
	REP_F_SEK,            /* whole number, thousands grouped */
	REP_F_ESTIMATE,       /* whole number: estimated persons */
	REP_F_STAT            /* three significant digits, no exponent: test
			       * statistics, p-values */
};

/* cell flags */
#define REP_SUPP_PRIMARY   0x01   /* a person count of 1..4, or derived from one */
#define REP_SUPP_SECONDARY 0x02   /* suppressed so that no primary can be derived */
#define REP_SUPPRESSED     (REP_SUPP_PRIMARY | REP_SUPP_SECONDARY)
#define REP_UNRELIABLE     0x04   /* shown greyed: numerator or denominator < 10 */
#define REP_NO_VALUE       0x08   /* no figure (not defined, not shown): "–" in the
				   * report, an empty cell in CSV and workbook */

struct rep_cell {
	double value;         /* NAN with REP_NO_VALUE */
	double lower, upper;  /* the interval (quartiles for medians); NAN if none */
	double count;         /* the person or episode count behind the figure, the
			       * one disclosure control looks at; NAN if none (e.g.
			       * data-quality counts of rows, not persons) */
	double den;           /* the denominator behind a rate or share (population,
			       * persons), for funnel plots; NAN if none */
	unsigned flags;
	long long link;       /* cells with the same link > 0 are the same figure in
			       * different tables (e.g. persons of Angered 2024 in the
			       * table by sex and in the table by year): suppressing
			       * one suppresses all; 0: not linked */
};

/* One axis of a table: keys (codes, years) and their labels per language. */
struct rep_axis {
	size_t n;
	char **key;                   /* "ANGERED", "2024", "total" */
	char **label[REP_N_LANGS];
	int total;                    /* index of the entry that is the sum of the
				       * others along this axis (e.g. a column
				       * "total" = F + M + U in each row), -1 if
				       * none.  A "whole city" row of unique persons
				       * is not a sum (a person helped in two
				       * districts counts in both) and is no total. */
};

struct rep_table {
	char id[48];                  /* file stem: "persons_district_year" */
	char *title[REP_N_LANGS];
	char *note[REP_N_LANGS];      /* unit and definition, one sentence */
	enum rep_fmt fmt;
	enum rep_fmt *col_fmt;        /* per column, or NULL: fmt for all */
	int has_interval;             /* writers add lower/upper columns */
	const char *chart;            /* what the HTML report draws from it, NULL
				       * for none: "bars" (last column per row, with
				       * whiskers), "funnel" (last column: value
				       * against den), "trend" (rows as lines over
				       * the columns), "stack" (columns as parts of
				       * each row) */
	struct rep_axis rows, cols;
	struct rep_cell *cells;       /* rows.n * cols.n, row-major */
};

/* The cell at row r, column c. */
static inline struct rep_cell *rep_cell_at(struct rep_table *t, size_t r, size_t c)
{
	return &t->cells[r * t->cols.n + c];
}

struct rep_tables {
	struct rep_table *t;
	size_t n, cap;
};

/* Adds an empty table of n_rows x n_cols (cells NAN, flags REP_NO_VALUE,
 * totals -1, keys and labels "") and returns it; the caller fills keys,
 * labels (rep_axis_set) and cells.  The pointer stays valid until the next
 * rep_tables_add. */
struct rep_table *rep_tables_add(struct rep_tables *ts, const char *id, size_t n_rows,
				 size_t n_cols);
void rep_tables_release(struct rep_tables *ts);
/* Sets entry i of an axis: its key and its label in each language. */
void rep_axis_set(struct rep_axis *a, size_t i, const char *key, const char *label_sv,
		  const char *label_en);
/* Sets a table's title or note in both languages. */
void rep_table_text(struct rep_table *t, const char *title_sv, const char *title_en,
		    const char *note_sv, const char *note_en);

/* Writes a value of the table's format as the reports show it, in lang:
 * Swedish with decimal comma and a space as thousands separator; English
 * with a point and a comma.  Suppressed: "..", no value: "–". */
void rep_format(const struct rep_table *t, const struct rep_cell *c, double v,
		enum rep_lang lang, char *out, size_t size);

/* ---- disclosure control ----------------------------------------------------- */

#define REP_MIN_COUNT 5       /* person counts 1..4 are suppressed */

/* Primary suppression of every cell whose count is 1..4 (and of cells the
 * builder already flagged REP_SUPP_PRIMARY, e.g. a share whose complement
 * is 1..4); then secondary suppression along every axis with a total:
 * while a row or column equation (total = sum of the others) has exactly
 * one suppressed cell, the smallest other cell of it (by count, cells with
 * a count > 0 first) is suppressed too; suppression spreads to linked
 * cells in other tables, and the loop runs until nothing changes.  Returns
 * the number of cells suppressed. */
size_t rep_disclosure(struct rep_tables *ts);

/* The audit: for every table with totals, whether the value of a suppressed
 * cell can be derived from the shown cells through the row and column sum
 * equations (Gaussian elimination over the unknowns: a suppressed cell is
 * derivable when its value is fixed by the equations).  Returns the number
 * of derivable cells, each described in msg (first only). */
size_t rep_audit(const struct rep_tables *ts, char *msg, size_t size);

/* ---- building the tables from the database ------------------------------------ */

/* Builds every published table from the indicator and data-quality tables
 * of db.  PL_EDATA when the indicators have not been computed.  The tables,
 * in this order (Y = the years, L = the latest year; districts are those
 * with episodes; "city" rows are whole-city unique persons, not sums):
 *   persons_district_year     persons, districts + city x Y, interval;
 *                             chart "bars trend"
 *   rate_district_year        persons per 10,000 aged 21+, districts + city x
 *                             Y, interval, den = population; chart "bars funnel"
 *   dsr_district_year         age-standardised rate, districts + city x Y
 *   persons_district_sex      persons in L, districts x F M U total (total =
 *                             sum: secondary suppression; linked to
 *                             persons_district_year)
 *   intervention_district     persons in L, districts + city x interventions;
 *                             chart "stack"
 *   provider_district         persons in L, districts + city x MUNI NGO PRIV;
 *                             chart "stack"
 *   women_share_district_year, children_share_district_year,
 *   ngo_share_district_year   shares (%), districts + city x Y, interval,
 *                             den = persons; chart "bars"
 *   nov1_district_year        persons on 1 November, districts + city x Y
 *   multi_district_year       persons helped in two or more districts, 1 x Y
 *   episode_length_intervention  median days (quartiles as interval),
 *                             interventions + all x Y
 *   cost_per_person_district_year  mean SEK, interval
 *   hidden_population_year    rows seen, chao, loglinear x Y, interval
 *   equity_year               rows Y x chi2, df, p, phi, tau2 (REP_F_STAT) for
 *                             the rate of persons per 10,000
 *   quality_district          rows sources + total (sum) x files, rows_read,
 *                             rows_kept, rejected_ingest, rejected_map,
 *                             unmapped_values, no_valid_id_pct,
 *                             persons_linked_across (counts of rows, not
 *                             persons: count NAN, never suppressed)
 *   quality_rejects           rows reject reason codes x sources, total column */
enum pl_err rep_build(sqlite3 *db, struct rep_tables *ts, struct pl_diag *d);

/* ---- writers (each writes to a temporary file, then renames) ------------------ */

/* tables/<id>.csv: UTF-8, comma, point decimal, a header row; and
 * tables/<id>-excel-sv.csv: UTF-8 with BOM, semicolon, decimal comma.  The
 * first column is the row label; then one column per column key (with
 * "<key> lower" and "<key> upper" after it for has_interval tables). */
enum pl_err rep_write_csv(const struct rep_tables *ts, const char *dir, struct pl_diag *d);

/* report.xlsx: a sheet per table (name from id, at most 31 characters), the
 * header row frozen, numbers as numbers, suppressed cells as the text "..",
 * and a sheet "definitions" with each table's title and note. */
enum pl_err rep_write_xlsx(const struct rep_tables *ts, const char *path, struct pl_diag *d);

/* Everything the HTML report shows besides the tables. */
struct rep_meta {
	char run_at[32];              /* UTC, ISO 8601 */
	char version[32];             /* pipeline version */
	size_t n_files;
	char **file_name, **file_sha256, **file_status;  /* input files */
	char **file_message;          /* why a file is not 'ok', "" if it is */
	size_t n_mappings;
	char **mapping_source, **mapping_sha256;
};
void rep_meta_release(struct rep_meta *m);
enum pl_err rep_meta_load(sqlite3 *db, struct rep_meta *m, struct pl_diag *d);

/* report-<lang>.html: one self-contained file (inline CSS and SVG, no
 * script, font or image from elsewhere). */
enum pl_err rep_write_html(const struct rep_tables *ts, const struct rep_meta *meta,
			   enum rep_lang lang, const char *path, struct pl_diag *d);

/* ---- the stage ----------------------------------------------------------------- */

struct rep_opts {
	const char *db_path;
	const char *out_dir;          /* report files go here, tables in out_dir/tables */
	enum rep_lang lang;
};

struct rep_summary {
	size_t tables, cells, suppressed_primary, suppressed_secondary;
};

void rep_summary_line(const struct rep_summary *sum, char *out, size_t size);

/* Builds the tables, applies disclosure control, audits it (PL_ESOFTWARE
 * and nothing written if a suppressed cell could be derived) and writes
 * every output. */
enum pl_err rep_run(const struct rep_opts *opts, struct rep_summary *sum, struct pl_diag *d);

#endif

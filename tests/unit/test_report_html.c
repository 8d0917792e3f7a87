/*
 * tests/unit/test_report_html.c - report/html, report/svg and
 * report/strings: the HTML report is self-contained (no script, nothing
 * from elsewhere), every chart is an accessible image with marks of its
 * kind, suppressed figures leave no trace (not their value, interval or
 * denominator in any format, not a mark), every string the writer looks up
 * exists in both languages, the output is deterministic, data are
 * escaped, and the file is written atomically.
 *
 * The fixture holds suppressed cells with distinctive figures (value
 * 4.375, interval 1.234-9.876, population 6857) that no shown figure,
 * tick or text formats to; a negative control renders the same fixture
 * with suppression lifted and finds them, so the search cannot pass
 * vacuously.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "report/svg.h"
#include "schema.h"
#include "unit.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int setup(void **state) { return unit_tmp_setup(state); }
static int teardown(void **state) { return unit_tmp_teardown(state); }

/* ---- the fixture ------------------------------------------------------------ */

enum variant {
	V_UP = 0,         /* persons city-wide 1000 -> 1100 */
	V_DOWN,           /* 1000 -> 900 */
	V_SAME,           /* 1000 -> 1000 */
	V_CITY_SUPP,      /* city-wide persons and rate of 2025 suppressed; no funnel */
	V_NO_PERSONS,     /* no persons table; an empty bars chart */
	V_UNSUPPRESSED    /* V_UP with every suppression flag cleared: the control */
};

static void put_cell(struct rep_table *t, size_t r, size_t c, double v, double lo, double hi,
		     double count, double den, unsigned flags)
{
	struct rep_cell *cell = rep_cell_at(t, r, c);

	cell->value = v;
	cell->lower = lo;
	cell->upper = hi;
	cell->count = count;
	cell->den = den;
	cell->flags = flags;
}

static const char *const esc_sv = "R\xC3\xB6" "d <&\"'> stad";
static const char *const esc_en = "Red <&\"'> town";

/* Rows ANGERED, CENTRUM, LUNDBY, ESC (a label to escape), total. */
static void district_rows(struct rep_table *t)
{
	rep_axis_set(&t->rows, 0, "ANGERED", "Angered", "Angered");
	rep_axis_set(&t->rows, 1, "CENTRUM", "Centrum", "Centrum");
	rep_axis_set(&t->rows, 2, "LUNDBY", "Lundby", "Lundby");
	rep_axis_set(&t->rows, 3, "ESC", esc_sv, esc_en);
	rep_axis_set(&t->rows, 4, "total", "Hela staden", "Whole city");
}

static void years(struct rep_table *t)
{
	rep_axis_set(&t->cols, 0, "2024", "2024", "2024");
	rep_axis_set(&t->cols, 1, "2025", "2025", "2025");
}

static void fixture(struct rep_tables *ts, enum variant v)
{
	const unsigned S = v == V_UNSUPPRESSED ? 0 : REP_SUPP_PRIMARY;
	const unsigned S2 = v == V_UNSUPPRESSED ? 0 : REP_SUPP_SECONDARY;
	struct rep_table *t;
	double city25 = v == V_DOWN ? 900 : v == V_SAME ? 1000 : 1100;

	if (v != V_NO_PERSONS) {
		t = rep_tables_add(ts, "persons_district_year", 5, 2);
		rep_table_text(t, "Personer per stadsdel", "Persons by district",
			       "Unika personer.", "Unique persons.");
		t->fmt = REP_F_COUNT;
		t->has_interval = 1;
		t->chart = "bars trend";
		district_rows(t);
		years(t);
		put_cell(t, 0, 0, 250, 221, 282, 250, NAN, 0);
		put_cell(t, 0, 1, 275, 244, 309, 275, NAN, 0);
		put_cell(t, 1, 0, 180, 155, 208, 180, NAN, 0);
		put_cell(t, 1, 1, 190, 164, 219, 190, NAN, 0);
		put_cell(t, 2, 0, 37, 26, 51, 37, NAN, 0);
		put_cell(t, 2, 1, 3, 1.234, 9.876, 3, NAN, S);
		put_cell(t, 3, 0, 60, 46, 77, 60, NAN, 0);
		put_cell(t, 3, 1, 65, 50, 83, 65, NAN, 0);
		put_cell(t, 4, 0, 1000, 939, 1063, 1000, NAN, 0);
		put_cell(t, 4, 1, city25, city25 - 64, city25 + 67, city25, NAN,
			 v == V_CITY_SUPP ? S : 0);
	}

	t = rep_tables_add(ts, "rate_district_year", 5, 2);
	rep_table_text(t, "Personer per 10 000", "Persons per 10,000", "Per 10 000 invånare.",
		       "Per 10,000 inhabitants.");
	t->fmt = REP_F_RATE;
	t->has_interval = 1;
	t->chart = "bars funnel";
	district_rows(t);
	years(t);
	put_cell(t, 0, 0, 50.0, 44.1, 56.5, 250, 50000, 0);
	put_cell(t, 0, 1, 55.0, 48.7, 61.8, 275, 50000, 0);
	put_cell(t, 1, 0, 30.0, 25.8, 34.7, 180, 60000, 0);
	put_cell(t, 1, 1, 31.7, 27.4, 36.5, 190, 60000, 0);
	put_cell(t, 2, 0, 53.6, 37.8, 73.9, 37, 6900, 0);
	put_cell(t, 2, 1, 4.375, 1.234, 9.876, 3, 6857, S);
	put_cell(t, 3, 0, 20.0, 15.3, 25.7, 60, 30000, REP_UNRELIABLE);
	put_cell(t, 3, 1, 21.7, 16.7, 27.7, 65, 30000, REP_UNRELIABLE);
	put_cell(t, 4, 0, 34.1, 32.0, 36.3, 1000, 293333, 0);
	put_cell(t, 4, 1, 37.5, 35.3, 39.8, 1100, 293333, v == V_CITY_SUPP ? S : 0);

	t = rep_tables_add(ts, "equity_year", 2, 5);
	rep_table_text(t, "Test av lika hjälp", "Equity test", "Chi-två.", "Chi-square.");
	t->fmt = REP_F_STAT;
	rep_axis_set(&t->rows, 0, "2024", "2024", "2024");
	rep_axis_set(&t->rows, 1, "2025", "2025", "2025");
	{
		static const char *const k[] = { "chi2", "df", "p_value", "phi", "tau2" };
		const double val[2][5] = {
			{ 12.9, 3, 0.0118, 3.1, 0.000056 },
			{ 87.3, 3, v == V_SAME ? 0.31 : 0.000123, 7.85, 0.00021 },
		};

		for (size_t c = 0; c < 5; c++) {
			rep_axis_set(&t->cols, c, k[c], k[c], k[c]);
			put_cell(t, 0, c, val[0][c], NAN, NAN, NAN, NAN, 0);
			put_cell(t, 1, c, val[1][c], NAN, NAN, NAN, NAN, 0);
		}
	}

	t = rep_tables_add(ts, "intervention_district", 4, 3);
	rep_table_text(t, "Personer per insats", "Persons by intervention", "Unika personer.",
		       "Unique persons.");
	t->fmt = REP_F_COUNT;
	t->chart = "stack";
	rep_axis_set(&t->rows, 0, "ANGERED", "Angered", "Angered");
	rep_axis_set(&t->rows, 1, "CENTRUM", "Centrum", "Centrum");
	rep_axis_set(&t->rows, 2, "LUNDBY", "Lundby", "Lundby");
	rep_axis_set(&t->rows, 3, "total", "Hela staden", "Whole city");
	rep_axis_set(&t->cols, 0, "OPEN", "Öppenvård", "Outpatient care");
	rep_axis_set(&t->cols, 1, "INST", "Institutionsvård", "Institutional care");
	rep_axis_set(&t->cols, 2, "LVM", "LVM-vård", "Compulsory care");
	{
		static const double val[4][3] = {
			{ 150, 80, 25 }, { 120, 50, 15 }, { 20, 8, 2 }, { 300, 150, 45 }
		};

		for (size_t r = 0; r < 4; r++)
			for (size_t c = 0; c < 3; c++)
				put_cell(t, r, c, val[r][c], NAN, NAN, val[r][c], NAN, 0);
		rep_cell_at(t, 2, 2)->flags = S;
		rep_cell_at(t, 2, 1)->flags = REP_UNRELIABLE;
	}

	t = rep_tables_add(ts, "children_share_district_year", 4, 2);
	rep_table_text(t, "Andel med barn", "Share with children", "Procent.", "Per cent.");
	t->fmt = REP_F_SHARE;
	t->has_interval = 1;
	t->chart = "bars";
	rep_axis_set(&t->rows, 0, "ANGERED", "Angered", "Angered");
	rep_axis_set(&t->rows, 1, "CENTRUM", "Centrum", "Centrum");
	rep_axis_set(&t->rows, 2, "LUNDBY", "Lundby", "Lundby");
	rep_axis_set(&t->rows, 3, "total", "Hela staden", "Whole city");
	years(t);
	put_cell(t, 0, 0, 25.0, 20.3, 30.4, 62, 248, 0);
	put_cell(t, 0, 1, 27.3, 22.1, 33.2, 75, 275, 0);
	put_cell(t, 1, 0, 17.0, 12.3, 23.0, 30, 176, 0);
	put_cell(t, 1, 1, 18.6, 13.5, 25.0, 35, 188, 0);
	put_cell(t, 2, 0, 30.8, 18.6, 46.6, 11, 36, 0);
	put_cell(t, 2, 1, 4.375, 1.234, 9.876, 3, 6857, S);
	put_cell(t, 3, 0, 21.0, 18.6, 23.6, 210, 1000, 0);
	put_cell(t, 3, 1, 22.5, 19.8, 25.5, 247, 1100, 0);
	if (v == V_NO_PERSONS)
		for (size_t r = 0; r < 3; r++)
			rep_cell_at(t, r, 1)->flags = REP_NO_VALUE;

	t = rep_tables_add(ts, "hidden_population_year", 3, 2);
	rep_table_text(t, "Sedda och skattade", "Seen and estimated", "Personer.", "Persons.");
	t->fmt = REP_F_ESTIMATE;
	t->has_interval = 1;
	rep_axis_set(&t->rows, 0, "seen", "Sedda", "Seen");
	rep_axis_set(&t->rows, 1, "hidden_chao", "Chao", "Chao");
	rep_axis_set(&t->rows, 2, "hidden_loglinear", "Log-linjär", "Log-linear");
	years(t);
	put_cell(t, 0, 0, 1000, NAN, NAN, 1000, NAN, 0);
	put_cell(t, 0, 1, 1100, NAN, NAN, 1100, NAN, 0);
	put_cell(t, 1, 0, 1330, 1300, 1390, NAN, NAN, 0);
	put_cell(t, 1, 1, 1350, 1310, 1440, NAN, NAN, 0);
	put_cell(t, 2, 0, 1450, 1350, 1580, NAN, NAN, 0);
	put_cell(t, 2, 1, 1500, 1390, 1650, NAN, NAN, 0);

	t = rep_tables_add(ts, "quality_district", 3, 3);
	rep_table_text(t, "Datakvalitet", "Data quality", "Rader.", "Rows.");
	t->fmt = REP_F_COUNT;
	t->col_fmt = pl_xcalloc(3, sizeof(*t->col_fmt));
	t->col_fmt[2] = REP_F_SHARE;
	rep_axis_set(&t->rows, 0, "angered", "angered", "angered");
	rep_axis_set(&t->rows, 1, "lundby", "lundby", "lundby");
	rep_axis_set(&t->rows, 2, "total", "Totalt", "Total");
	t->rows.total = 2;
	rep_axis_set(&t->cols, 0, "files", "Filer", "Files");
	rep_axis_set(&t->cols, 1, "rows_read", "Lästa rader", "Rows read");
	rep_axis_set(&t->cols, 2, "no_valid_id_pct", "Utan id (%)", "Without id (%)");
	put_cell(t, 0, 0, 1, NAN, NAN, NAN, NAN, 0);
	put_cell(t, 0, 1, 812, NAN, NAN, NAN, NAN, 0);
	put_cell(t, 0, 2, 2.5, NAN, NAN, NAN, NAN, 0);
	put_cell(t, 1, 0, 3, NAN, NAN, NAN, NAN, 0);
	put_cell(t, 1, 1, 650, NAN, NAN, NAN, NAN, 0);
	put_cell(t, 1, 2, 0.5, NAN, NAN, NAN, NAN, 0);
	put_cell(t, 2, 0, 4, NAN, NAN, NAN, NAN, 0);
	put_cell(t, 2, 1, 1462, NAN, NAN, NAN, NAN, 0);
	put_cell(t, 2, 2, 1.6, NAN, NAN, NAN, NAN, 0);

	/* a table no section knows: it goes to "other tables" */
	t = rep_tables_add(ts, "mystery_table", 2, 1);
	rep_table_text(t, "Okänd tabell", "Unknown table", "Antal.", "Count.");
	t->fmt = REP_F_COUNT;
	rep_axis_set(&t->rows, 0, "a", "Alfa", "Alpha");
	rep_axis_set(&t->rows, 1, "b", "Beta", "Beta");
	rep_axis_set(&t->cols, 0, "x", "X", "X");
	put_cell(t, 0, 0, 17, NAN, NAN, 17, NAN, 0);
	put_cell(t, 1, 0, 23, NAN, NAN, 23, NAN, S2);
}

static void meta_fixture(struct rep_meta *m)
{
	static char *names[2], *shas[2], *status[2], *srcs[1], *msha[1];

	memset(m, 0, sizeof(*m));
	snprintf(m->run_at, sizeof(m->run_at), "2026-01-15T02:00:00Z");
	snprintf(m->version, sizeof(m->version), "0.1.0");
	names[0] = "angered.csv";
	names[1] = "lundby <2025>.csv";
	shas[0] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	shas[1] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	status[0] = "ok";
	status[1] = "duplicate";
	srcs[0] = "angered";
	msha[0] = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
	m->n_files = 2;
	m->file_name = names;
	m->file_sha256 = shas;
	m->file_status = status;
	m->n_mappings = 1;
	m->mapping_source = srcs;
	m->mapping_sha256 = msha;
}

/* Renders variant v in lang to dir/name and returns the file's text. */
static char *render(void **state, enum variant v, enum rep_lang lang, const char *name)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct rep_meta meta;
	struct pl_diag d;
	char path[512];
	char *html;

	fixture(&ts, v);
	meta_fixture(&meta);
	unit_path(state, name, path, sizeof(path));
	pl_diag_clear(&d);
	assert_int_equal(rep_write_html(&ts, &meta, lang, path, &d), PL_OK);
	rep_tables_release(&ts);
	html = unit_read(path, NULL);
	assert_non_null(html);
	return html;
}

/* The text without its <style> element (constant CSS, not data). */
static char *without_style(const char *html)
{
	const char *a = strstr(html, "<style>"), *b = strstr(html, "</style>");
	char *out;

	assert_non_null(a);
	assert_non_null(b);
	out = pl_xmalloc(strlen(html) + 1);
	memcpy(out, html, (size_t)(a - html));
	strcpy(out + (a - html), b + strlen("</style>"));
	return out;
}

static size_t count_of(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

/* ---- self-contained ------------------------------------------------------------ */

static void test_html__self_contained(void **state)
{
	static const char *const banned[] = {
		"http", "HTTP", "<script", "<SCRIPT", "<link", "@import", "url(", "<img", "<iframe",
		"<object", "<embed", "src=", "xlink:href", "onload", "onclick", "javascript:",
	};

	for (int lang = 0; lang < REP_N_LANGS; lang++) {
		char *html = render(state, V_UP, (enum rep_lang)lang, "r.html");

		assert_true(strncmp(html, "<!DOCTYPE html>\n<html lang=\"", 28) == 0);
		assert_non_null(strstr(html, lang == REP_SV ? "<html lang=\"sv\">" :
				       "<html lang=\"en\">"));
		assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
		assert_non_null(strstr(html, "name=\"viewport\""));
		assert_non_null(strstr(html, "@media print"));
		assert_non_null(strstr(html, "overflow-x:auto"));
		for (size_t i = 0; i < N_OF(banned); i++)
			if (strstr(html, banned[i]))
				fail_msg("'%s' found in the %s report", banned[i],
					 lang == REP_SV ? "Swedish" : "English");
		/* Swedish by default with Swedish section titles, English with REP_EN */
		assert_non_null(strstr(html, lang == REP_SV ? "Metoder och definitioner" :
				       "Methods and definitions"));
		assert_non_null(strstr(html, "</html>\n"));
		free(html);
	}
}

/* ---- charts ---------------------------------------------------------------------- */

static void test_html__charts_are_accessible_images_with_marks(void **state)
{
	static const struct { const char *chart, *mark; } kinds[] = {
		{ "data-chart=\"bars\"", "class=\"mark bar" },
		{ "data-chart=\"bars\"", "class=\"mark whisker\"" },
		{ "data-chart=\"funnel\"", "class=\"mark point" },
		{ "data-chart=\"trend\"", "class=\"mark line" },
		{ "data-chart=\"trend\"", "class=\"mark point" },
		{ "data-chart=\"stack\"", "class=\"mark bar seg" },
	};
	char *html = render(state, V_UP, REP_SV, "r.html");
	size_t n_svg = 0;

	for (const char *p = strstr(html, "<svg"); p; p = strstr(p + 1, "<svg")) {
		const char *end = strstr(p, "</svg>"), *tag_end = strchr(p, '>');
		const char *title = strstr(p, "<title>");
		char *svg;

		assert_non_null(end);
		assert_non_null(tag_end);
		svg = pl_xstrndup(p, (size_t)(end - p));
		n_svg++;
		/* the opening tag: role, label, kind */
		assert_true(strstr(p, "role=\"img\"") && strstr(p, "role=\"img\"") < tag_end);
		assert_true(strstr(p, "aria-label=\"") && strstr(p, "aria-label=\"") < tag_end);
		assert_true(strstr(p, "data-chart=\"") && strstr(p, "data-chart=\"") < tag_end);
		/* its <title> comes first inside it */
		assert_non_null(title);
		assert_true(title == tag_end + 1);
		/* the table alternative follows the figure */
		assert_non_null(strstr(end, "</figure>\n<div class=\"table-wrap\"") ||
				strstr(end, "</figure>\n<figure"));
		assert_true(strstr(svg, "class=\"mark") != NULL);
		free(svg);
	}
	/* bars x3 (persons, rate, children), trend, funnel, stack */
	assert_int_equal(n_svg, 6);
	for (size_t i = 0; i < N_OF(kinds); i++) {
		const char *p = strstr(html, kinds[i].chart);
		int found = 0;

		for (; p && !found; p = strstr(p + 1, kinds[i].chart)) {
			const char *end = strstr(p, "</svg>"), *m = strstr(p, kinds[i].mark);

			found = m && m < end;
		}
		if (!found)
			fail_msg("no %s in a chart %s", kinds[i].mark, kinds[i].chart);
	}
	/* the funnel has both pairs of limits, drawn, and the city target line */
	assert_non_null(strstr(html, "<path class=\"limit l95\" d=\"M"));
	assert_non_null(strstr(html, "<path class=\"limit l998\" d=\"M"));
	assert_non_null(strstr(html, "<line class=\"target\""));
	/* bars of a rate draw the city as a reference line, of a count not */
	assert_int_equal(count_of(html, "class=\"mark ref\""), 2);
	/* unreliable figures: marked in the chart and in the table */
	assert_non_null(strstr(html, "class=\"mark bar unrel\""));
	assert_non_null(strstr(html, "<td data-col=\"2025\" class=\"unrel\">21,7*<span"));
	free(html);
}

/* ---- disclosure ------------------------------------------------------------------ */

/* Every way a suppressed figure of the fixture could be written. */
static const char *const secrets[] = {
	"4,375", "4.375", "4,38", "4.38", "4,4", "4.4",       /* the value */
	"1,234", "1.234", "1,23", "1.23", "1,2", "1.2",       /* the lower limit */
	"9,876", "9.876", "9,88", "9.88", "9,9", "9.9",       /* the upper limit */
	"6857", "6,857", "6\xC2\xA0" "857", "6 857",          /* the denominator */
};

static void test_html__suppressed_figures_leave_no_trace(void **state)
{
	for (int lang = 0; lang < REP_N_LANGS; lang++) {
		char *html = render(state, V_UP, (enum rep_lang)lang, "r.html");
		char *body = without_style(html);

		for (size_t i = 0; i < N_OF(secrets); i++)
			if (strstr(body, secrets[i]))
				fail_msg("suppressed figure as '%s' in the %s report: ...%.60s",
					 secrets[i], lang == REP_SV ? "Swedish" : "English",
					 strstr(body, secrets[i]) - 30);
		/* the cells say "..", alone */
		assert_non_null(strstr(body, "<tr data-row=\"LUNDBY\"><th scope=\"row\">Lundby</th>"
				       "<td data-col=\"2024\">37<span class=\"ci\">26\xE2\x80\x93"
				       "51</span></td><td data-col=\"2025\" class=\"supp\">..</td>"));
		assert_non_null(strstr(body, "<td data-col=\"LVM\" class=\"supp\">..</td>"));
		assert_non_null(strstr(body, "<td data-col=\"x\" class=\"supp\">..</td>"));
		/* no mark for a suppressed cell, while shown cells have theirs */
		assert_null(strstr(body, "data-row=\"LUNDBY\" data-col=\"2025\""));
		assert_null(strstr(body, "data-row=\"LUNDBY\" data-col=\"LVM\""));
		assert_non_null(strstr(body, "data-row=\"LUNDBY\" data-col=\"2024\""));
		assert_non_null(strstr(body, "data-row=\"LUNDBY\" data-col=\"INST\""));
		assert_non_null(strstr(body, "data-row=\"ANGERED\" data-col=\"2025\""));
		/* the legend says so */
		assert_non_null(strstr(body, lang == REP_SV ?
				       "Värden som visas som .. eller – i tabellen ritas inte." :
				       "Values shown as .. or – in the table are not drawn."));
		free(body);
		free(html);
	}
}

/* The control: with suppression lifted the same figures are found, so the
 * search above is able to fail. */
static void test_html__control_unsuppressed_figures_are_found(void **state)
{
	char *html = render(state, V_UNSUPPRESSED, REP_SV, "r.html");
	char *body = without_style(html);

	assert_non_null(strstr(body, "4,4"));
	assert_non_null(strstr(body, "1,2"));
	assert_non_null(strstr(body, "9,9"));
	assert_non_null(strstr(body, "6\xC2\xA0" "857"));
	assert_non_null(strstr(body, "data-row=\"LUNDBY\" data-col=\"2025\""));
	assert_non_null(strstr(body, "data-row=\"LUNDBY\" data-col=\"LVM\""));
	free(body);
	free(html);
	html = render(state, V_UNSUPPRESSED, REP_EN, "r.html");
	body = without_style(html);
	assert_non_null(strstr(body, "4.4"));
	assert_non_null(strstr(body, "6,857"));
	free(body);
	free(html);
}

/* ---- tables ----------------------------------------------------------------------- */

static void test_html__every_table_with_caption_and_scopes(void **state)
{
	static const char *const ids[] = {
		"persons_district_year", "rate_district_year", "equity_year",
		"intervention_district", "children_share_district_year", "hidden_population_year",
		"quality_district", "mystery_table",
	};
	char *html = render(state, V_UP, REP_EN, "r.html");
	char want[128];

	for (size_t i = 0; i < N_OF(ids); i++) {
		snprintf(want, sizeof(want), "data-table=\"%s\">\n<caption", ids[i]);
		if (count_of(html, want) != 1)
			fail_msg("table '%s' appears %zu times", ids[i], count_of(html, want));
	}
	/* plus the two tables of the run and, in data quality, the files that
	 * could not be processed (one, a duplicate) */
	assert_int_equal(count_of(html, "<table"), N_OF(ids) + 3);
	assert_int_equal(count_of(html, "<caption"), N_OF(ids) + 3);
	assert_int_equal(count_of(html, "id=\"quality-files\""), 1);
	assert_int_equal(count_of(html, "<th>"), 0);
	assert_int_equal(count_of(html, "<th "), count_of(html, "<th scope=\"col\"") +
			 count_of(html, "<th scope=\"row\""));
	/* English formats, the interval, the unknown table among the others */
	assert_non_null(strstr(html, "<td data-col=\"2025\">1,100<span class=\"ci\">1,036"));
	assert_non_null(strstr(html, "<section id=\"other\""));
	assert_true(strstr(html, "<section id=\"other\"") < strstr(html, "mystery_table"));
	/* sections in order */
	{
		static const char *const order[] = {
			"id=\"summary\"", "id=\"districts\"", "id=\"interventions\"", "id=\"family\"",
			"id=\"hidden\"", "id=\"quality\"", "id=\"other\"", "id=\"methods\"",
			"id=\"run\"",
		};
		const char *prev = html;

		for (size_t i = 0; i < N_OF(order); i++) {
			const char *p = strstr(html, order[i]);

			assert_non_null(p);
			assert_true(p > prev);
			prev = p;
		}
	}
	/* the run: files and mappings with their digests */
	assert_non_null(strstr(html, "<code>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_non_null(strstr(html, "<code>cccccccccccccccccccccccccccccccccccccccccccccccccccccc"));
	assert_non_null(strstr(html, "2026-01-15T02:00:00Z"));
	assert_non_null(strstr(html, ">Duplicate<"));
	free(html);
}

static void test_html__summary_in_plain_words(void **state)
{
	char *html = render(state, V_UP, REP_SV, "r.html");

	assert_non_null(strstr(html, "Under 2025 fick 1\xC2\xA0" "100 personer insatser för "
			       "missbruk eller beroende i Göteborg (95 % konfidensintervall "
			       "1\xC2\xA0" "036–1\xC2\xA0" "167). Det är 100 fler än 2024 (+10,0 %)."));
	assert_non_null(strstr(html, "Det motsvarar 37,5 personer per 10 000 invånare 21 år "
			       "och äldre (35,3–39,8)."));
	assert_non_null(strstr(html, "Stadsdelarna skiljer sig mer än slumpen kan förklara "
			       "(p &lt; 0,001 i testet av lika hjälp)."));
	free(html);
	html = render(state, V_DOWN, REP_EN, "r.html");
	assert_non_null(strstr(html, "That is 100 fewer than in 2024 (−10.0 %)."));
	free(html);
	html = render(state, V_SAME, REP_SV, "r.html");
	assert_non_null(strstr(html, "Det är lika många som 2024."));
	assert_non_null(strstr(html, "Skillnaderna mellan stadsdelarna är inte större än slumpen "
			       "kan förklara (p = 0,31 i testet av lika hjälp)."));
	free(html);
	html = render(state, V_CITY_SUPP, REP_EN, "r.html");
	assert_non_null(strstr(html, "The number of persons city-wide in 2025 is not shown"));
	assert_null(strstr(html, "fewer than in 2024"));
	assert_null(strstr(html, "more than in 2024"));
	assert_null(strstr(html, "data-chart=\"funnel\""));
	free(html);
}

/* ---- strings ------------------------------------------------------------------------ */

#define MAX_PROBED 512

struct probed {
	char key[MAX_PROBED][96];
	size_t n, n_calls;
	char missing[256];
};

static void probe_fn(void *arg, enum rep_lang lang, const char *field, const char *key,
		     const char *value)
{
	struct probed *p = arg;
	char k[96];

	p->n_calls++;
	snprintf(k, sizeof(k), "%s%s%s", field ? field : "", field ? "/" : "", key);
	/* rep_str returns its key when it has no string: that must never happen */
	if ((value == key || strcmp(value, key) == 0 || !*value) && !p->missing[0])
		snprintf(p->missing, sizeof(p->missing), "'%s' in %s", k,
			 lang == REP_SV ? "Swedish" : "English");
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->key[i], k) == 0)
			return;
	if (p->n < MAX_PROBED)
		snprintf(p->key[p->n++], sizeof(p->key[0]), "%s", k);
}

static int probed_has(const struct probed *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->key[i], key) == 0)
			return 1;
	return 0;
}

static void test_html__every_string_used_exists_in_both_languages(void **state)
{
	static const char *const must[] = {
		"doc_title", "sec_summary", "sec_districts", "sec_interventions", "sec_family",
		"sec_hidden", "sec_quality", "sec_other", "sec_methods", "sec_run", "col_row",
		"col_district", "col_year", "col_source", "col_estimate", "chart_bars_title",
		"chart_funnel_title", "chart_trend_title", "chart_stack_title", "chart_not_drawn",
		"chart_empty", "funnel_no_target", "legend_supp", "legend_novalue", "legend_unrel",
		"sum_persons", "sum_up", "sum_down", "sum_same", "sum_persons_supp",
		"sum_persons_none", "sum_rate", "sum_funnel", "sum_equity_diff", "sum_equity_same",
		"m_wilson",
		"m_poisson", "m_dsr", "m_funnel", "m_overdisp", "m_chao", "m_loglin", "m_suppress",
		"m_secondary", "m_reliability", "hidden_a1", "run_files", "run_mappings", "table_ci",
		"file_status/ok", "file_status/duplicate",
	};
	static const enum variant variants[] = { V_UP, V_DOWN, V_SAME, V_CITY_SUPP, V_NO_PERSONS };
	struct probed *p = calloc(1, sizeof(*p));
	char name[32];

	assert_non_null(p);
	/* the detection works: an unknown key comes back unchanged */
	assert_string_equal(rep_str(REP_SV, "no_such_key_xyz"), "no_such_key_xyz");
	assert_string_equal(rep_code_label(REP_EN, "district", "NOWHERE"), "NOWHERE");

	rep_html_set_probe(probe_fn, p);
	for (size_t v = 0; v < N_OF(variants); v++)
		for (int lang = 0; lang < REP_N_LANGS; lang++) {
			snprintf(name, sizeof(name), "r%zu-%d.html", v, lang);
			free(render(state, variants[v], (enum rep_lang)lang, name));
		}
	rep_html_set_probe(NULL, NULL);
	if (p->missing[0])
		fail_msg("the report looked up a string the table does not have: %s", p->missing);
	/* not vacuous: the writer went through the probe for all it shows */
	assert_true(p->n_calls > 500);
	assert_true(p->n >= 90);
	for (size_t i = 0; i < N_OF(must); i++)
		if (!probed_has(p, must[i]))
			fail_msg("the report never looked up '%s'", must[i]);
	/* every key seen exists in the other language too */
	for (size_t i = 0; i < p->n; i++) {
		if (strchr(p->key[i], '/'))
			continue;
		for (int lang = 0; lang < REP_N_LANGS; lang++) {
			const char *s = rep_str((enum rep_lang)lang, p->key[i]);

			if (strcmp(s, p->key[i]) == 0 || !*s)
				fail_msg("'%s' missing in language %d", p->key[i], lang);
		}
	}
	free(p);
}

/* The keys the table builder (report/build.c) and the CSV writer use. */
static void test_strings__builder_keys_exist(void **state)
{
	static const char *const ids[] = {
		"persons_district_year", "rate_district_year", "dsr_district_year",
		"persons_district_sex", "intervention_district", "provider_district",
		"women_share_district_year", "children_share_district_year",
		"ngo_share_district_year", "nov1_district_year", "multi_district_year",
		"episode_length_intervention", "cost_per_person_district_year",
		"hidden_population_year", "equity_year", "quality_district", "quality_rejects",
	};
	static const char *const keys[] = {
		"row_seen", "row_hidden_chao", "row_hidden_loglinear", "col_chi2", "col_df",
		"col_p_value", "col_phi", "col_tau2", "col_files", "col_rows_read", "col_rows_kept",
		"col_rejected_ingest", "col_rejected_map", "col_unmapped_values",
		"col_no_valid_id_pct", "col_persons_linked_across", "row_total", "col_row",
		"table_quartiles",
	};
	char key[96];

	(void)state;
	for (size_t i = 0; i < N_OF(ids); i++)
		for (int k = 0; k < 2; k++)
			for (int lang = 0; lang < REP_N_LANGS; lang++) {
				snprintf(key, sizeof(key), "%s_%s", k ? "note" : "title", ids[i]);
				if (strcmp(rep_str((enum rep_lang)lang, key), key) == 0)
					fail_msg("no string '%s' in language %d", key, lang);
			}
	for (size_t i = 0; i < N_OF(keys); i++)
		for (int lang = 0; lang < REP_N_LANGS; lang++)
			if (strcmp(rep_str((enum rep_lang)lang, keys[i]), keys[i]) == 0)
				fail_msg("no string '%s' in language %d", keys[i], lang);
}

/* The table itself: unique keys, both languages, placeholders alike. */
static void test_strings__table_complete_and_unique(void **state)
{
	size_t n = 0;

	(void)state;
	for (const char *k; (k = rep_str_key_at(n)) != NULL; n++) {
		const char *sv = rep_str(REP_SV, k), *en = rep_str(REP_EN, k);

		assert_true(*sv && *en);
		for (size_t j = 0; j < n; j++)
			if (strcmp(rep_str_key_at(j), k) == 0)
				fail_msg("key '%s' twice", k);
		for (char d = '1'; d <= '9'; d++) {
			char ph[3] = { '%', d, '\0' };

			if ((strstr(sv, ph) == NULL) != (strstr(en, ph) == NULL))
				fail_msg("'%s': placeholder %s in one language only", k, ph);
		}
	}
	assert_true(n > 150);
}

static void test_strings__code_labels(void **state)
{
	static const struct { int list; const char *field; } lists[] = {
		{ PL_CL_DISTRICT, "district" }, { PL_CL_SEX, "sex" },
		{ PL_CL_INTERVENTION, "intervention" }, { PL_CL_PROVIDER, "provider" },
		{ PL_CL_SUBSTANCE, "substance" }, { PL_CL_CHILDREN, "children" },
		{ PL_CL_ID_TYPE, "id_type" },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(lists); i++)
		for (const char *const *c = pl_codes((enum pl_codelist)lists[i].list); *c; c++)
			for (int lang = 0; lang < REP_N_LANGS; lang++)
				if (strcmp(rep_code_label((enum rep_lang)lang, lists[i].field, *c),
					   *c) == 0)
					fail_msg("no label for %s %s", lists[i].field, *c);
	assert_string_equal(rep_code_label(REP_SV, "district", "OSTRA"), "Östra Göteborg");
	assert_string_equal(rep_code_label(REP_SV, "district", "ORGRYTE_HARLANDA"),
			    "Örgryte-Härlanda");
	assert_string_equal(rep_code_label(REP_EN, "district", "MAJORNA_LINNE"), "Majorna-Linné");
	assert_string_equal(rep_code_label(REP_SV, "intervention", "LVM"), "LVM-vård");
	assert_string_equal(rep_code_label(REP_EN, "intervention", "LVM"), "Compulsory care (LVM)");
	assert_string_equal(rep_code_label(REP_EN, "intervention", "OPEN"),
			    "Structured outpatient care");
	assert_string_equal(rep_code_label(REP_SV, "provider", "NGO"), "Idéburen");
	assert_string_equal(rep_code_label(REP_EN, "sex", "F"), "Women");
	assert_string_equal(rep_code_label(REP_SV, "sex", "MISSING"), "Uppgift saknas");
	assert_string_equal(rep_code_label(REP_EN, "intervention", "MISSING"), "Not reported");
	assert_string_equal(rep_code_label(REP_SV, "district", "total"), "Hela staden");
	assert_string_equal(rep_code_label(REP_EN, "district", "total"), "Whole city");
	assert_string_equal(rep_code_label(REP_SV, "sex", "total"), "Totalt");
	assert_string_equal(rep_code_label(REP_EN, "intervention", "total"), "Total");
	assert_string_equal(rep_code_label(REP_EN, "provider", "city"), "Whole city");
	assert_string_equal(rep_code_label(REP_EN, "reject", "map:bad_date"), "Invalid date");
	for (size_t i = 0; i < rep_code_count(); i++) {
		const char *field, *code;

		rep_code_at(i, &field, &code);
		assert_true(*rep_code_label(REP_SV, field, code) && *rep_code_label(REP_EN, field, code));
	}
}

/* ---- determinism, escaping, atomic output --------------------------------------------- */

static void test_html__deterministic(void **state)
{
	for (int lang = 0; lang < REP_N_LANGS; lang++) {
		char *a = render(state, V_UP, (enum rep_lang)lang, "a.html");
		char *b = render(state, V_UP, (enum rep_lang)lang, "b.html");

		assert_true(strlen(a) > 20000);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
}

static void test_html__escapes_data(void **state)
{
	char *html = render(state, V_UP, REP_SV, "r.html");
	char *body = without_style(html);

	assert_non_null(strstr(body, "R\xC3\xB6" "d &lt;&amp;&quot;&#39;&gt; stad"));
	assert_non_null(strstr(body, "lundby &lt;2025&gt;.csv"));
	assert_null(strstr(body, "<&"));
	assert_null(strstr(body, "&\"'"));
	assert_null(strstr(body, "<2025>"));
	free(body);
	free(html);
	html = render(state, V_UP, REP_EN, "r.html");
	assert_non_null(strstr(html, "Red &lt;&amp;&quot;&#39;&gt; town"));
	free(html);
}

static size_t dir_entries(void **state)
{
	const struct unit_tmp *t = *state;
	DIR *dp = opendir(t->dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(dp);
	while ((de = readdir(dp)) != NULL)
		n += de->d_name[0] != '.';
	closedir(dp);
	return n;
}

static void test_html__atomic_output(void **state)
{
	struct rep_tables ts = { NULL, 0, 0 };
	struct rep_meta meta;
	struct pl_diag d;
	char path[512];

	free(render(state, V_UP, REP_SV, "report-sv.html"));
	assert_int_equal(dir_entries(state), 1);      /* no temporary file left */

	fixture(&ts, V_UP);
	meta_fixture(&meta);
	unit_path(state, "no-such-dir/report-sv.html", path, sizeof(path));
	pl_diag_clear(&d);
	assert_int_equal(rep_write_html(&ts, &meta, REP_SV, path, &d), PL_ECANTCREAT);
	assert_int_equal(d.err, PL_ECANTCREAT);
	assert_non_null(strstr(d.msg, "cannot create"));
	assert_string_equal(d.file, path);
	/* a directory in the way of the rename: the temporary file is removed */
	unit_path(state, "in-the-way", path, sizeof(path));
	assert_int_equal(mkdir(path, 0755), 0);
	unit_path(state, "in-the-way/x", path, sizeof(path));
	assert_int_equal(unit_write_str(path, "x"), 0);
	unit_path(state, "in-the-way", path, sizeof(path));
	assert_int_equal(rep_write_html(&ts, &meta, REP_SV, path, &d), PL_ECANTCREAT);
	assert_non_null(strstr(d.msg, "cannot rename"));
	assert_int_equal(dir_entries(state), 2);      /* report-sv.html, in-the-way */
	rep_tables_release(&ts);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_html__self_contained),
		T(test_html__charts_are_accessible_images_with_marks),
		T(test_html__suppressed_figures_leave_no_trace),
		T(test_html__control_unsuppressed_figures_are_found),
		T(test_html__every_table_with_caption_and_scopes),
		T(test_html__summary_in_plain_words),
		T(test_html__every_string_used_exists_in_both_languages),
		T(test_strings__builder_keys_exist),
		T(test_strings__table_complete_and_unique),
		T(test_strings__code_labels),
		T(test_html__deterministic),
		T(test_html__escapes_data),
		T(test_html__atomic_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

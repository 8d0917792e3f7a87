/*
 * report/html.c - the HTML report: one self-contained HTML5 file per
 * language (inline CSS, inline SVG charts from svg.c, no script, nothing
 * loaded from elsewhere), readable on a phone and printable to PDF.
 *
 * The page, in order: summary in plain words and how to read the figures;
 * district comparison; interventions and providers; family perspective;
 * hidden population; data quality; any other tables; methods and
 * definitions; the run (time, version, input and mapping files with their
 * SHA-256).  Every table of ts appears once as an HTML table; charts come
 * before the table they draw.  Every user-visible string is looked up
 * through rep_html_str() (strings.c holds them).
 *
 * Disclosure: cells are written with rep_format(), so a suppressed cell is
 * ".." with no interval; the summary uses only figures that are shown.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats.h"
#include "svg.h"

/* ---- strings and escaping ------------------------------------------------------ */

static rep_str_probe *probe;
static void *probe_arg;

void rep_html_set_probe(rep_str_probe *fn, void *arg)
{
	probe = fn;
	probe_arg = arg;
}

const char *rep_html_str(struct rep_out *o, const char *key)
{
	const char *s = rep_str(o->lang, key);

	if (probe)
		probe(probe_arg, o->lang, NULL, key, s);
	return s;
}

const char *rep_html_code(struct rep_out *o, const char *field, const char *code)
{
	const char *s = rep_code_label(o->lang, field, code);

	if (probe)
		probe(probe_arg, o->lang, field, code, s);
	return s;
}

static void put(struct rep_out *o, const char *s)
{
	pl_buf_append(&o->buf, s, strlen(s));
}

static void esc_char(struct rep_out *o, char ch)
{
	switch (ch) {
	case '&': put(o, "&amp;"); break;
	case '<': put(o, "&lt;"); break;
	case '>': put(o, "&gt;"); break;
	case '"': put(o, "&quot;"); break;
	case '\'': put(o, "&#39;"); break;
	default: pl_buf_putc(&o->buf, ch); break;
	}
}

void rep_html_esc(struct rep_out *o, const char *s)
{
	for (; s && *s; s++)
		esc_char(o, *s);
}

void rep_html_fill(struct rep_out *o, const char *fmt, const char *const *args, size_t n_args)
{
	for (const char *p = fmt; p && *p; p++) {
		if (p[0] == '%' && p[1] >= '1' && p[1] <= '9') {
			size_t i = (size_t)(p[1] - '1');

			if (i < n_args)
				rep_html_esc(o, args[i]);
			p++;
			continue;
		}
		esc_char(o, *p);
	}
}

/* A string of the strings table, escaped. */
static void text(struct rep_out *o, const char *key)
{
	rep_html_esc(o, rep_html_str(o, key));
}

/* <tag>string</tag> */
static void elem(struct rep_out *o, const char *tag, const char *key)
{
	pl_buf_printf(&o->buf, "<%s>", tag);
	text(o, key);
	pl_buf_printf(&o->buf, "</%s>\n", tag);
}

/* ---- the style sheet ------------------------------------------------------------ */

static const char css[] =
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,"
	"sans-serif;color:#1a1a1a;background:#ffffff}\n"
	"header,main,footer{max-width:64rem;margin:0 auto;padding:0 1rem}\n"
	"header{padding-top:1rem;padding-bottom:.5rem;border-bottom:4px solid #1f4e79}\n"
	"h1{font-size:1.75rem;line-height:1.25;margin:.5rem 0;color:#1f4e79}\n"
	"h2{font-size:1.4rem;margin:2.5rem 0 .5rem;padding-top:.75rem;"
	"border-top:1px solid #767676;color:#1f4e79}\n"
	"#summary h2{border-top:0}\n"
	"h3{font-size:1.15rem;margin:2rem 0 .5rem}\n"
	"a{color:#1f4e79}\n"
	"p,li,dd{max-width:48rem}\n"
	".produced{color:#595959;font-size:.9rem}\n"
	"nav ol{columns:2 16rem;padding-left:1.5rem}\n"
	".summary p{font-size:1.1rem}\n"
	".howto{border-left:4px solid #1f4e79;background:#f3f6fa;padding:.25rem 1rem;"
	"margin:1.5rem 0}\n"
	".howto h3{margin-top:.5rem}\n"
	".table-wrap{overflow-x:auto;margin:.5rem 0 1.5rem}\n"
	"table{border-collapse:collapse;font-size:.9rem;min-width:min(100%,36rem)}\n"
	"caption{text-align:left;padding:.25rem 0 .5rem}\n"
	".cap-title{font-weight:600}\n"
	".note{display:block;color:#595959;font-size:.85rem}\n"
	"th,td{padding:.3rem .6rem;border-bottom:1px solid #cccccc;vertical-align:top}\n"
	"thead th{border-bottom:2px solid #1a1a1a;text-align:right}\n"
	"thead th:first-child,tbody th{text-align:left}\n"
	"td{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
	"td.text{text-align:left;white-space:normal}\n"
	"tr.city th,tr.city td,td.total,th.total{font-weight:600}\n"
	".ci{display:block;font-size:.8rem;color:#595959}\n"
	"td.unrel{color:#595959}\n"
	".chart{margin:1rem 0}\n"
	".chart-scroll{overflow-x:auto}\n"
	".chart svg{display:block;min-width:540px;max-width:50rem;height:auto}\n"
	"svg text{font-size:12px;fill:#1a1a1a}\n"
	"svg .grid{stroke:#dddddd}\n"
	"svg .axis{stroke:#1a1a1a}\n"
	"svg[data-chart=bars] .bar{fill:#1f4e79}\n"
	"svg[data-chart=bars] .bar.unrel{fill:#767676}\n"
	"svg .seg{stroke:#ffffff}\n"
	"svg .seg.unrel{fill-opacity:.55}\n"
	"svg .whisker{stroke:#1a1a1a;stroke-width:1.5;fill:none}\n"
	"svg .ref,svg .target{stroke:#c62828;stroke-width:2}\n"
	"svg .ref{stroke-dasharray:6 4}\n"
	"svg .val.unrel,svg .na{fill:#595959}\n"
	"svg .limit{fill:none;stroke:#4d4d4d;stroke-width:1.25}\n"
	"svg .l95{stroke-dasharray:5 4}\n"
	"svg[data-chart=funnel] .point{fill:#1f4e79;stroke:#ffffff;stroke-width:1.5}\n"
	"svg[data-chart=funnel] .point.unrel{fill:#ffffff;stroke:#595959;stroke-width:2}\n"
	"svg .line{fill:none;stroke-width:2.5}\n"
	"svg .line.city{stroke-width:4}\n"
	"svg .plab{font-size:11px}\n"
	"figcaption{font-size:.85rem;color:#333333}\n"
	".key-label{font-weight:600}\n"
	".key{list-style:none;padding:0;margin:.25rem 0;display:flex;flex-wrap:wrap;"
	"gap:.25rem 1rem}\n"
	".sw{display:inline-block;width:1.5em;border-top:4px solid;vertical-align:middle;"
	"margin-right:.35em}\n"
	".sw.thick{border-top-width:6px}\n"
	".methods dt{font-weight:600;margin-top:1rem}\n"
	".methods dd{margin:0}\n"
	".meta dt{font-weight:600}\n"
	".meta dd{margin:0 0 .5rem}\n"
	"code{font-size:.8rem;word-break:break-all}\n"
	"footer{margin-top:3rem;padding-top:1rem;padding-bottom:1rem;"
	"border-top:1px solid #767676;color:#595959;font-size:.9rem}\n"
	"@media (max-width:40rem){body{font-size:15px}h1{font-size:1.4rem}nav ol{columns:1}"
	"th,td{padding:.25rem .4rem}}\n"
	"@media print{@page{margin:15mm}body{font-size:10pt}nav{display:none}"
	"header,main,footer{max-width:none}"
	".table-wrap,.chart-scroll{overflow:visible}"
	".chart svg{min-width:0;max-width:100%}"
	"h2,h3{break-after:avoid}figure,tr,.howto{break-inside:avoid}"
	"a{color:inherit;text-decoration:none}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

/* ---- tables ---------------------------------------------------------------------- */

static const struct rep_table *find_table(const struct rep_tables *ts, const char *id)
{
	for (size_t i = 0; i < ts->n; i++)
		if (strcmp(ts->t[i].id, id) == 0)
			return &ts->t[i];
	return NULL;
}

static int is_period(const char *s)
{
	size_t n = strlen(s);

	if (n != 4 && n != 10)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && !(n == 10 && (i == 4 || i == 7) && s[i] == '-'))
			return 0;
	return 1;
}

/* The heading of the row-label column, from what the row keys are. */
static const char *row_head_key(const struct rep_table *t)
{
	if (strncmp(t->id, "quality_district", 16) == 0)
		return "col_source";
	if (strncmp(t->id, "hidden_population", 17) == 0)
		return "col_estimate";
	for (size_t r = 0; r < t->rows.n; r++) {
		const char *k = t->rows.key[r];

		if (rep_svg_is_city(t, r))
			continue;
		if (strcmp(rep_code_label(REP_SV, "district", k), k) != 0)
			return "col_district";
		if (strcmp(rep_code_label(REP_SV, "intervention", k), k) != 0)
			return "col_intervention";
		if (is_period(k))
			return "col_year";
		if (strchr(k, ':'))
			return "col_reason";
		break;
	}
	return "col_row";
}

static void attr_key(struct rep_out *o, const char *name, const char *value)
{
	pl_buf_printf(&o->buf, " %s=\"", name);
	rep_html_esc(o, value);
	put(o, "\"");
}

static void write_cell(struct rep_out *o, const struct rep_table *t, size_t r, size_t c)
{
	const struct rep_cell *cell = rep_ccell(t, r, c);
	char v[64], lo[64], hi[64];
	const char *cls = "";
	int shown = !(cell->flags & (REP_SUPPRESSED | REP_NO_VALUE)) && isfinite(cell->value);

	rep_format(t, cell, cell->value, o->lang, v, sizeof(v));
	if (cell->flags & REP_SUPPRESSED)
		cls = "supp";
	else if (!shown)
		cls = "na";
	else if (cell->flags & REP_UNRELIABLE)
		cls = "unrel";
	put(o, "<td");
	attr_key(o, "data-col", t->cols.key[c]);
	if (*cls || (int)c == t->cols.total || (int)r == t->rows.total)
		pl_buf_printf(&o->buf, " class=\"%s%s%s\"", cls,
			      *cls && ((int)c == t->cols.total || (int)r == t->rows.total) ? " " : "",
			      (int)c == t->cols.total || (int)r == t->rows.total ? "total" : "");
	put(o, ">");
	rep_html_esc(o, v);
	if (shown && (cell->flags & REP_UNRELIABLE))
		put(o, "*");
	if (shown && t->has_interval && isfinite(cell->lower) && isfinite(cell->upper)) {
		rep_format(t, cell, cell->lower, o->lang, lo, sizeof(lo));
		rep_format(t, cell, cell->upper, o->lang, hi, sizeof(hi));
		put(o, "<span class=\"ci\">");
		rep_html_esc(o, lo);
		put(o, "\xE2\x80\x93");
		rep_html_esc(o, hi);
		put(o, "</span>");
	}
	put(o, "</td>");
}

static void write_table(struct rep_out *o, const struct rep_table *t)
{
	put(o, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-labelledby=\"cap-");
	rep_html_esc(o, t->id);
	put(o, "\">\n<table");
	attr_key(o, "id", t->id);
	attr_key(o, "data-table", t->id);
	put(o, ">\n<caption id=\"cap-");
	rep_html_esc(o, t->id);
	put(o, "\"><span class=\"cap-title\">");
	text(o, "table_prefix");
	rep_html_esc(o, t->title[o->lang]);
	put(o, "</span> <span class=\"note\">");
	rep_html_esc(o, t->note[o->lang]);
	if (t->has_interval) {
		put(o, " ");
		text(o, strncmp(t->id, "episode_length", 14) == 0 ? "table_quartiles" : "table_ci");
	}
	put(o, "</span></caption>\n<thead><tr><th scope=\"col\">");
	text(o, row_head_key(t));
	put(o, "</th>");
	for (size_t c = 0; c < t->cols.n; c++) {
		put(o, "<th scope=\"col\"");
		attr_key(o, "data-col", t->cols.key[c]);
		if ((int)c == t->cols.total)
			put(o, " class=\"total\"");
		put(o, ">");
		rep_html_esc(o, t->cols.label[o->lang][c]);
		put(o, "</th>");
	}
	put(o, "</tr></thead>\n<tbody>\n");
	for (size_t r = 0; r < t->rows.n; r++) {
		put(o, "<tr");
		attr_key(o, "data-row", t->rows.key[r]);
		if (rep_svg_is_city(t, r))
			put(o, " class=\"city\"");
		put(o, "><th scope=\"row\">");
		rep_html_esc(o, t->rows.label[o->lang][r]);
		put(o, "</th>");
		for (size_t c = 0; c < t->cols.n; c++)
			write_cell(o, t, r, c);
		put(o, "</tr>\n");
	}
	put(o, "</tbody>\n</table>\n</div>\n");
}

/* A table with its heading, its introduction if it has one, its charts. */
static void write_block(struct rep_out *o, const struct rep_table *t)
{
	put(o, "<div class=\"block\"");
	pl_buf_printf(&o->buf, " id=\"b-");
	rep_html_esc(o, t->id);
	put(o, "\">\n<h3>");
	rep_html_esc(o, t->title[o->lang]);
	put(o, "</h3>\n");
	if (strcmp(t->id, "equity_year") == 0)
		elem(o, "p", "intro_equity_year");
	rep_svg_charts(o, t);
	write_table(o, t);
	put(o, "</div>\n");
}

/* ---- sections ------------------------------------------------------------------- */

#define MAX_SECTION_TABLES 10

struct section {
	const char *id, *title, *intro;
	const char *tables[MAX_SECTION_TABLES];
};

static const struct section sections[] = {
	{ "districts", "sec_districts", "intro_districts",
	  { "persons_district_year", "rate_district_year", "dsr_district_year", "equity_year",
	    "persons_district_sex", "women_share_district_year", "nov1_district_year",
	    "multi_district_year", NULL } },
	{ "interventions", "sec_interventions", "intro_interventions",
	  { "intervention_district", "provider_district", "ngo_share_district_year",
	    "episode_length_intervention", "cost_per_person_district_year", NULL } },
	{ "family", "sec_family", "intro_family", { "children_share_district_year", NULL } },
	{ "hidden", "sec_hidden", "intro_hidden", { "hidden_population_year", NULL } },
	{ "quality", "sec_quality", "intro_quality", { "quality_district", "quality_rejects", NULL } },
};
#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

static int section_present(const struct rep_tables *ts, const struct section *s)
{
	for (size_t i = 0; i < MAX_SECTION_TABLES && s->tables[i]; i++)
		if (find_table(ts, s->tables[i]))
			return 1;
	return 0;
}

/* 1 if the table is placed in one of the sections. */
static int table_placed(const struct rep_table *t)
{
	for (size_t s = 0; s < N_SECTIONS; s++)
		for (size_t i = 0; i < MAX_SECTION_TABLES && sections[s].tables[i]; i++)
			if (strcmp(sections[s].tables[i], t->id) == 0)
				return 1;
	return 0;
}

static int others_present(const struct rep_tables *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		if (!table_placed(&ts->t[i]))
			return 1;
	return 0;
}

static void section_open(struct rep_out *o, const char *id, const char *title_key)
{
	pl_buf_printf(&o->buf, "<section id=\"%s\" aria-labelledby=\"h-%s\">\n<h2 id=\"h-%s\">",
		      id, id, id);
	text(o, title_key);
	put(o, "</h2>\n");
}

static const char *nz(const char *s);

/* The data-quality section's list of the files that could not be processed,
 * with their reasons (the same as the run's summary names). */
static void write_failed_files(struct rep_out *o, const struct rep_meta *m)
{
	size_t n = 0;

	for (size_t i = 0; m && i < m->n_files; i++)
		n += strcmp(nz(m->file_status[i]), "ok") != 0;
	if (n == 0) {
		elem(o, "p", "quality_failed_none");
		return;
	}
	put(o, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-labelledby=\"cap-"
	       "quality-files\">\n<table id=\"quality-files\">\n<caption id=\"cap-quality-files\">"
	       "<span class=\"cap-title\">");
	text(o, "quality_failed");
	put(o, "</span></caption>\n<thead><tr><th scope=\"col\">");
	text(o, "col_file");
	put(o, "</th><th scope=\"col\">");
	text(o, "col_status");
	put(o, "</th><th scope=\"col\">");
	text(o, "col_reason");
	put(o, "</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < m->n_files; i++) {
		if (strcmp(nz(m->file_status[i]), "ok") == 0)
			continue;
		put(o, "<tr><th scope=\"row\">");
		rep_html_esc(o, nz(m->file_name[i]));
		put(o, "</th><td class=\"text\">");
		rep_html_esc(o, rep_html_code(o, "file_status", nz(m->file_status[i])));
		put(o, "</td><td class=\"text\">");
		rep_html_esc(o, m->file_message ? nz(m->file_message[i]) : "");
		put(o, "</td></tr>\n");
	}
	put(o, "</tbody>\n</table>\n</div>\n");
}

static void write_section(struct rep_out *o, const struct rep_tables *ts,
			  const struct section *s, const struct rep_meta *m)
{
	section_open(o, s->id, s->title);
	elem(o, "p", s->intro);
	if (strcmp(s->id, "hidden") == 0) {
		put(o, "<ul class=\"assumptions\">\n");
		elem(o, "li", "hidden_a1");
		elem(o, "li", "hidden_a2");
		elem(o, "li", "hidden_a3");
		elem(o, "li", "hidden_a4");
		put(o, "</ul>\n");
	}
	for (size_t i = 0; i < MAX_SECTION_TABLES && s->tables[i]; i++) {
		const struct rep_table *t = find_table(ts, s->tables[i]);

		if (t)
			write_block(o, t);
	}
	if (strcmp(s->id, "quality") == 0)
		write_failed_files(o, m);
	put(o, "</section>\n");
}

/* ---- the summary in plain words -------------------------------------------------- */

static int shown(const struct rep_cell *c)
{
	return rep_svg_drawable(c);
}

static long city_row(const struct rep_table *t)
{
	for (size_t r = 0; r < t->rows.n; r++)
		if (rep_svg_is_city(t, r) && (int)r != t->rows.total)
			return (long)r;
	return -1;
}

static void fill_para(struct rep_out *o, const char *key, const char *const *args, size_t n)
{
	put(o, "<p>");
	rep_html_fill(o, rep_html_str(o, key), args, n);
	put(o, "</p>\n");
}

static void summary_persons(struct rep_out *o, const struct rep_table *t)
{
	long city = t ? city_row(t) : -1;
	size_t last;
	const struct rep_cell *c, *p;
	char v[64], lo[64], hi[64], diff[64], pct[64];

	if (city < 0 || t->cols.n == 0) {
		elem(o, "p", "sum_persons_none");
		return;
	}
	last = t->cols.n - 1;
	c = rep_ccell(t, (size_t)city, last);
	if (!shown(c)) {
		const char *args[1] = { t->cols.label[o->lang][last] };

		fill_para(o, (c->flags & REP_SUPPRESSED) ? "sum_persons_supp" : "sum_persons_none",
			  args, 1);
		return;
	}
	rep_format(t, c, c->value, o->lang, v, sizeof(v));
	put(o, "<p>");
	if (isfinite(c->lower) && isfinite(c->upper)) {
		const char *args[4] = { t->cols.label[o->lang][last], v, lo, hi };

		rep_format(t, c, c->lower, o->lang, lo, sizeof(lo));
		rep_format(t, c, c->upper, o->lang, hi, sizeof(hi));
		rep_html_fill(o, rep_html_str(o, "sum_persons"), args, 4);
	} else {
		const char *args[2] = { t->cols.label[o->lang][last], v };

		rep_html_fill(o, rep_html_str(o, "sum_persons_noci"), args, 2);
	}
	p = last > 0 ? rep_ccell(t, (size_t)city, last - 1) : NULL;
	if (p && shown(p) && p->value > 0) {
		struct rep_table share;
		double d = c->value - p->value;
		const char *args[3] = { diff, t->cols.label[o->lang][last - 1], pct };

		memset(&share, 0, sizeof(share));
		share.fmt = REP_F_SHARE;
		rep_format(t, NULL, fabs(d), o->lang, diff, sizeof(diff));
		rep_format(&share, NULL, fabs(d) / p->value * 100, o->lang, pct, sizeof(pct));
		put(o, " ");
		if (d == 0) {
			args[0] = t->cols.label[o->lang][last - 1];
			rep_html_fill(o, rep_html_str(o, "sum_same"), args, 1);
		} else {
			rep_html_fill(o, rep_html_str(o, d > 0 ? "sum_up" : "sum_down"), args, 3);
		}
	}
	put(o, "</p>\n");
}

static void summary_rate(struct rep_out *o, const struct rep_table *t)
{
	long city = t ? city_row(t) : -1;
	const struct rep_cell *c;
	char v[64], lo[64], hi[64];
	const char *args[3] = { v, lo, hi };
	size_t last, n_shown = 0, n_out = 0;

	if (city < 0 || t->cols.n == 0)
		return;
	last = t->cols.n - 1;
	c = rep_ccell(t, (size_t)city, last);
	if (!shown(c) || !isfinite(c->lower) || !isfinite(c->upper))
		return;
	rep_format(t, c, c->value, o->lang, v, sizeof(v));
	rep_format(t, c, c->lower, o->lang, lo, sizeof(lo));
	rep_format(t, c, c->upper, o->lang, hi, sizeof(hi));
	fill_para(o, "sum_rate", args, 3);
	/* districts outside the 99.8 % funnel limits, among those drawn */
	if (t->fmt != REP_F_RATE || !(c->value > 0))
		return;
	for (size_t r = 0; r < t->rows.n; r++) {
		const struct rep_cell *dc = rep_ccell(t, r, last);
		double lower, upper;

		if (rep_svg_is_city(t, r) || !shown(dc) || !(dc->den > 0) || !isfinite(dc->den))
			continue;
		if (pl_funnel_limits(PL_FUNNEL_RATE, c->value / 10000, dc->den, 0.998, &lower,
				     &upper, NULL) != PL_OK)
			continue;
		n_shown++;
		n_out += dc->value / 10000 > upper || dc->value / 10000 < lower;
	}
	if (n_shown > 0) {
		char a[32], b[32];
		const char *args2[2] = { a, b };

		snprintf(a, sizeof(a), "%zu", n_out);
		snprintf(b, sizeof(b), "%zu", n_shown);
		fill_para(o, "sum_funnel", args2, 2);
	}
}

static void summary_equity(struct rep_out *o, const struct rep_table *t)
{
	const struct rep_cell *c = NULL;
	char v[80], num[64];
	const char *args[1] = { v };

	if (!t || t->rows.n == 0)
		return;
	for (size_t k = 0; k < t->cols.n; k++)
		if (strcmp(t->cols.key[k], "p_value") == 0 || strcmp(t->cols.key[k], "p") == 0)
			c = rep_ccell(t, t->rows.n - 1, k);
	if (!c || !shown(c))
		return;
	/* "= 0,012", or "< 0,001" for smaller p */
	rep_format(t, NULL, c->value < 0.001 ? 0.001 : c->value, o->lang, num, sizeof(num));
	snprintf(v, sizeof(v), "%s %s", c->value < 0.001 ? "<" : "=", num);
	fill_para(o, c->value < 0.05 ? "sum_equity_diff" : "sum_equity_same", args, 1);
}

static void write_summary(struct rep_out *o, const struct rep_tables *ts)
{
	section_open(o, "summary", "sec_summary");
	put(o, "<div class=\"summary\">\n");
	summary_persons(o, find_table(ts, "persons_district_year"));
	summary_rate(o, find_table(ts, "rate_district_year"));
	summary_equity(o, find_table(ts, "equity_year"));
	put(o, "</div>\n<aside class=\"howto\" aria-labelledby=\"h-howto\">\n<h3 id=\"h-howto\">");
	text(o, "legend_title");
	put(o, "</h3>\n<ul>\n");
	elem(o, "li", "legend_supp");
	elem(o, "li", "legend_novalue");
	elem(o, "li", "legend_unrel");
	elem(o, "li", "legend_ci");
	put(o, "</ul>\n</aside>\n</section>\n");
}

/* ---- methods and the run ------------------------------------------------------- */

static void write_methods(struct rep_out *o)
{
	static const char *const methods[] = {
		"persons", "wilson", "poisson", "dsr", "funnel", "overdisp", "chao", "loglin",
		"suppress", "secondary", "reliability", "quartiles",
	};

	section_open(o, "methods", "sec_methods");
	elem(o, "p", "methods_intro");
	put(o, "<dl class=\"methods\">\n");
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		char key[32];

		snprintf(key, sizeof(key), "mt_%s", methods[i]);
		elem(o, "dt", key);
		snprintf(key, sizeof(key), "m_%s", methods[i]);
		put(o, "<dd>");
		elem(o, "p", key);
		put(o, "</dd>\n");
	}
	put(o, "</dl>\n</section>\n");
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

static void write_run(struct rep_out *o, const struct rep_meta *m)
{
	section_open(o, "run", "sec_run");
	elem(o, "p", "run_intro");
	put(o, "<dl class=\"meta\">\n<dt>");
	text(o, "run_at");
	put(o, "</dt><dd>");
	rep_html_esc(o, m ? m->run_at : "");
	put(o, "</dd>\n<dt>");
	text(o, "run_version");
	put(o, "</dt><dd>");
	rep_html_esc(o, m ? m->version : "");
	put(o, "</dd>\n</dl>\n");

	put(o, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-labelledby=\"cap-"
	       "run-files\">\n<table id=\"run-files\">\n<caption id=\"cap-run-files\">"
	       "<span class=\"cap-title\">");
	text(o, "run_files");
	put(o, "</span></caption>\n<thead><tr><th scope=\"col\">");
	text(o, "col_file");
	put(o, "</th><th scope=\"col\">");
	text(o, "col_status");
	put(o, "</th><th scope=\"col\">");
	text(o, "col_sha256");
	put(o, "</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; m && i < m->n_files; i++) {
		put(o, "<tr><th scope=\"row\">");
		rep_html_esc(o, nz(m->file_name[i]));
		put(o, "</th><td class=\"text\">");
		rep_html_esc(o, rep_html_code(o, "file_status", nz(m->file_status[i])));
		put(o, "</td><td class=\"text\"><code>");
		rep_html_esc(o, nz(m->file_sha256[i]));
		put(o, "</code></td></tr>\n");
	}
	if (!m || m->n_files == 0) {
		put(o, "<tr><td class=\"text\" colspan=\"3\">");
		text(o, "run_none");
		put(o, "</td></tr>\n");
	}
	put(o, "</tbody>\n</table>\n</div>\n");

	put(o, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-labelledby=\"cap-"
	       "run-mappings\">\n<table id=\"run-mappings\">\n<caption id=\"cap-run-mappings\">"
	       "<span class=\"cap-title\">");
	text(o, "run_mappings");
	put(o, "</span></caption>\n<thead><tr><th scope=\"col\">");
	text(o, "col_mapping");
	put(o, "</th><th scope=\"col\">");
	text(o, "col_sha256");
	put(o, "</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; m && i < m->n_mappings; i++) {
		put(o, "<tr><th scope=\"row\">");
		rep_html_esc(o, nz(m->mapping_source[i]));
		put(o, "</th><td class=\"text\"><code>");
		rep_html_esc(o, nz(m->mapping_sha256[i]));
		put(o, "</code></td></tr>\n");
	}
	if (!m || m->n_mappings == 0) {
		put(o, "<tr><td class=\"text\" colspan=\"2\">");
		text(o, "run_none");
		put(o, "</td></tr>\n");
	}
	put(o, "</tbody>\n</table>\n</div>\n</section>\n");
}

/* ---- the page --------------------------------------------------------------------- */

static void nav_item(struct rep_out *o, const char *id, const char *title_key)
{
	pl_buf_printf(&o->buf, "<li><a href=\"#%s\">", id);
	text(o, title_key);
	put(o, "</a></li>\n");
}

static void write_page(struct rep_out *o, const struct rep_tables *ts, const struct rep_meta *m)
{
	pl_buf_printf(&o->buf, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<title>", o->lang == REP_EN ? "en" : "sv");
	text(o, "doc_title");
	put(o, "</title>\n<style>\n");
	put(o, css);
	put(o, "</style>\n</head>\n<body>\n<header>\n<h1>");
	text(o, "doc_title");
	put(o, "</h1>\n");
	elem(o, "p", "doc_subtitle");
	if (m) {
		const char *args[2] = { m->run_at, m->version };

		put(o, "<p class=\"produced\">");
		rep_html_fill(o, rep_html_str(o, "doc_produced"), args, 2);
		put(o, "</p>\n");
	}
	put(o, "<nav aria-label=\"");
	text(o, "nav_label");
	put(o, "\"><ol>\n");
	nav_item(o, "summary", "sec_summary");
	for (size_t s = 0; s < N_SECTIONS; s++)
		if (section_present(ts, &sections[s]))
			nav_item(o, sections[s].id, sections[s].title);
	if (others_present(ts))
		nav_item(o, "other", "sec_other");
	nav_item(o, "methods", "sec_methods");
	nav_item(o, "run", "sec_run");
	put(o, "</ol></nav>\n</header>\n<main>\n");

	write_summary(o, ts);
	for (size_t s = 0; s < N_SECTIONS; s++)
		if (section_present(ts, &sections[s]))
			write_section(o, ts, &sections[s], m);
	if (others_present(ts)) {
		section_open(o, "other", "sec_other");
		for (size_t i = 0; i < ts->n; i++)
			if (!table_placed(&ts->t[i]))
				write_block(o, &ts->t[i]);
		put(o, "</section>\n");
	}
	write_methods(o);
	write_run(o, m);
	put(o, "</main>\n<footer>\n");
	elem(o, "p", "footer");
	put(o, "</footer>\n</body>\n</html>\n");
}

/* ---- writing the file -------------------------------------------------------------- */

enum pl_err rep_write_html(const struct rep_tables *ts, const struct rep_meta *meta,
			   enum rep_lang lang, const char *path, struct pl_diag *d)
{
	struct rep_out o;
	enum pl_err err = PL_OK;
	char *tmp = NULL;
	FILE *fp = NULL;
	int fd = -1, created = 0;

	memset(&o, 0, sizeof(o));
	pl_buf_init(&o.buf);
	o.lang = lang == REP_EN ? REP_EN : REP_SV;
	write_page(&o, ts, meta);

	tmp = pl_xmalloc(strlen(path) + 16);
	sprintf(tmp, "%s.tmp-XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = pl_diag_set(d, PL_ECANTCREAT, path, 0, "cannot create '%s': %s", tmp,
				  strerror(errno));
		goto cleanup;
	}
	created = 1;
	if (fchmod(fd, 0644) != 0 || !(fp = fdopen(fd, "wb"))) {
		err = pl_diag_set(d, PL_ECANTCREAT, path, 0, "cannot create '%s': %s", tmp,
				  strerror(errno));
		close(fd);
		goto cleanup;
	}
	if (fwrite(o.buf.data, 1, o.buf.len, fp) != o.buf.len || fflush(fp) != 0 || ferror(fp) ||
	    fsync(fileno(fp)) != 0) {
		err = pl_diag_set(d, PL_EIO, path, 0, "cannot write '%s': %s", tmp, strerror(errno));
		fclose(fp);
		goto cleanup;
	}
	if (fclose(fp) != 0) {
		err = pl_diag_set(d, PL_EIO, path, 0, "cannot write '%s': %s", tmp, strerror(errno));
		goto cleanup;
	}
	if (rename(tmp, path) != 0) {
		err = pl_diag_set(d, PL_ECANTCREAT, path, 0, "cannot rename '%s' to '%s': %s", tmp,
				  path, strerror(errno));
		goto cleanup;
	}
	created = 0;
cleanup:
	if (created)
		unlink(tmp);
	free(tmp);
	pl_buf_release(&o.buf);
	return err;
}

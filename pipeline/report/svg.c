/*
 * report/svg.c - the charts of the HTML report, written as inline SVG:
 * bars with interval whiskers, a funnel plot with exact limits, lines over
 * time and stacked bars.
 *
 * Every chart is an <svg role="img" aria-label=... data-chart=KIND
 * data-table=ID> with a <title> and <desc>, inside a <figure> whose
 * caption is the legend; the table with the figures follows the figure.
 * Data marks carry class="mark KIND" and data-row/data-col (the cell's
 * keys).  Coordinates are whole pixels written with %ld, so the output
 * does not depend on the locale.  Only drawable cells (rep_svg_drawable)
 * enter scales, positions, labels and titles.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "svg.h"

#define W 720                          /* viewBox width */

static const char *const palette[] = {
	"#1f4e79", "#d55e00", "#2e7d32", "#7b1fa2", "#a6761d", "#0277bd",
	"#5d4037", "#c2185b", "#00796b", "#616161", "#827717",
};
#define N_PALETTE (sizeof(palette) / sizeof(palette[0]))

static void put(struct rep_out *o, const char *s)
{
	pl_buf_append(&o->buf, s, strlen(s));
}

static long px(double v)
{
	return lround(v);
}

int rep_svg_is_city(const struct rep_table *t, size_t r)
{
	return (int)r == t->rows.total || strcmp(t->rows.key[r], "total") == 0 ||
	       strcmp(t->rows.key[r], "city") == 0;
}

/* Whether the city row is drawn with the districts: for rates and shares
 * it is a comparable value; a count of the whole city is not. */
static int city_comparable(const struct rep_table *t)
{
	return t->fmt == REP_F_RATE || t->fmt == REP_F_SHARE;
}

static long find_city(const struct rep_table *t)
{
	for (size_t r = 0; r < t->rows.n; r++)
		if (rep_svg_is_city(t, r) && (int)r != t->rows.total)
			return (long)r;
	return -1;
}

/* A step of 1, 2 or 5 times a power of ten giving about n ticks up to max. */
static double nice_step(double max, int n, int whole)
{
	double raw = max / n, mag, norm, step;

	if (!(raw > 0) || !isfinite(raw))
		return 1;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
	if (whole && step != floor(step))
		step = step < 1 ? 1 : 5;   /* 2.5 of whole numbers */
	return step;
}

/* The value of a cell as the table shows it, with "*" when unreliable. */
static void fmt_value(struct rep_out *o, const struct rep_table *t, const struct rep_cell *c,
		      char *out, size_t size)
{
	char v[64];

	rep_format(t, c, c->value, o->lang, v, sizeof(v));
	snprintf(out, size, "%s%s", v, (c->flags & REP_UNRELIABLE) ? "*" : "");
}

/* "label: value (lower–upper)" for a <title>, escaped into the page. */
static void mark_title(struct rep_out *o, const struct rep_table *t, const struct rep_cell *c,
		       const char *label, const char *label2)
{
	char v[80], lo[64], hi[64];

	fmt_value(o, t, c, v, sizeof(v));
	put(o, "<title>");
	rep_html_esc(o, label);
	if (label2) {
		put(o, ", ");
		rep_html_esc(o, label2);
	}
	put(o, ": ");
	rep_html_esc(o, v);
	if (t->has_interval && isfinite(c->lower) && isfinite(c->upper)) {
		rep_format(t, c, c->lower, o->lang, lo, sizeof(lo));
		rep_format(t, c, c->upper, o->lang, hi, sizeof(hi));
		put(o, " (");
		rep_html_esc(o, lo);
		put(o, "\xE2\x80\x93");
		rep_html_esc(o, hi);
		put(o, ")");
	}
	put(o, "</title>");
}

static void data_keys(struct rep_out *o, const struct rep_table *t, size_t r, long c)
{
	put(o, " data-row=\"");
	rep_html_esc(o, t->rows.key[r]);
	put(o, "\"");
	if (c >= 0) {
		put(o, " data-col=\"");
		rep_html_esc(o, t->cols.key[c]);
		put(o, "\"");
	}
}

/* <figure><svg ...><title/><desc/> ; returns the chart number. */
static unsigned chart_open(struct rep_out *o, const struct rep_table *t, const char *kind,
			   const char *title_key, const char *desc_key, const char *arg2, long h)
{
	const char *args[2] = { t->title[o->lang], arg2 ? arg2 : "" };
	unsigned n = ++o->n_charts;
	size_t at;

	pl_buf_printf(&o->buf, "<figure class=\"chart\" id=\"chart%u\">\n"
		      "<div class=\"chart-scroll\"><svg role=\"img\" data-chart=\"%s\" data-table=\"",
		      n, kind);
	rep_html_esc(o, t->id);
	pl_buf_printf(&o->buf, "\" viewBox=\"0 0 %d %ld\" width=\"100%%\" "
		      "aria-describedby=\"chart%u-d\" aria-label=\"", W, h, n);
	at = o->buf.len;
	rep_html_fill(o, rep_html_str(o, title_key), args, 2);
	/* the same text again as the <title> */
	{
		size_t len = o->buf.len - at;
		char *copy = pl_xstrndup(o->buf.data + at, len);

		pl_buf_printf(&o->buf, "\"><title>%s</title><desc id=\"chart%u-d\">", copy, n);
		free(copy);
	}
	rep_html_esc(o, rep_html_str(o, desc_key));
	put(o, " ");
	rep_html_esc(o, rep_html_str(o, "chart_table_after"));
	put(o, "</desc>\n");
	return n;
}

static void chart_close_svg(struct rep_out *o)
{
	put(o, "</svg></div>\n<figcaption><span class=\"key-label\">");
	rep_html_esc(o, rep_html_str(o, "legend_label"));
	put(o, ":</span> ");
}

static void chart_close(struct rep_out *o)
{
	rep_html_esc(o, rep_html_str(o, "chart_not_drawn"));
	put(o, " ");
	rep_html_esc(o, rep_html_str(o, "chart_table_after"));
	put(o, "</figcaption>\n</figure>\n");
}

static void legend_text(struct rep_out *o, const char *key)
{
	rep_html_esc(o, rep_html_str(o, key));
	put(o, " ");
}

/* A colour swatch and a label in a legend list. */
static void legend_item(struct rep_out *o, const char *colour, const char *label, int thick)
{
	pl_buf_printf(&o->buf, "<li><span class=\"sw%s\" style=\"border-color:%s\"></span>",
		      thick ? " thick" : "", colour);
	rep_html_esc(o, label);
	put(o, "</li>");
}

static void chart_empty(struct rep_out *o, const struct rep_table *t, const char *key)
{
	put(o, "<p class=\"chart-empty\">");
	rep_html_esc(o, t->title[o->lang]);
	put(o, ": ");
	rep_html_esc(o, rep_html_str(o, key));
	put(o, "</p>\n");
}

/* Ticks and vertical grid lines of a horizontal value axis. */
/* The format of tick labels: whole numbers when the step is whole. */
static const struct rep_table *tick_fmt(const struct rep_table *t, double step,
					struct rep_table *whole)
{
	if (step >= 1 && step == floor(step)) {
		memset(whole, 0, sizeof(*whole));
		whole->fmt = REP_F_COUNT;
		return whole;
	}
	return t;
}

static void x_ticks(struct rep_out *o, const struct rep_table *t, double max, double step,
		    double x0, double x1, double y0, double y1)
{
	struct rep_table whole;
	char lab[64];

	t = tick_fmt(t, step, &whole);

	for (int i = 0; i * step <= max * (1 + 1e-9); i++) {
		double v = i * step, x = x0 + (x1 - x0) * v / max;

		rep_format(t, NULL, v, o->lang, lab, sizeof(lab));
		pl_buf_printf(&o->buf, "<line class=\"grid\" x1=\"%ld\" x2=\"%ld\" y1=\"%ld\" "
			      "y2=\"%ld\"/><text class=\"tick\" x=\"%ld\" y=\"%ld\" "
			      "text-anchor=\"middle\">", px(x), px(x), px(y0), px(y1), px(x),
			      px(y1 + 16));
		rep_html_esc(o, lab);
		put(o, "</text>\n");
	}
}

/* Ticks and horizontal grid lines of a vertical value axis. */
static void y_ticks(struct rep_out *o, const struct rep_table *t, double max, double step,
		    double x0, double x1, double y0, double y1)
{
	struct rep_table whole;
	char lab[64];

	t = tick_fmt(t, step, &whole);

	for (int i = 0; i * step <= max * (1 + 1e-9); i++) {
		double v = i * step, y = y0 - (y0 - y1) * v / max;

		rep_format(t, NULL, v, o->lang, lab, sizeof(lab));
		pl_buf_printf(&o->buf, "<line class=\"grid\" x1=\"%ld\" x2=\"%ld\" y1=\"%ld\" "
			      "y2=\"%ld\"/><text class=\"tick\" x=\"%ld\" y=\"%ld\" "
			      "text-anchor=\"end\">", px(x0), px(x1), px(y), px(y), px(x0 - 6),
			      px(y + 4));
		rep_html_esc(o, lab);
		put(o, "</text>\n");
	}
}

static int whole_fmt(const struct rep_table *t)
{
	return t->fmt != REP_F_RATE && t->fmt != REP_F_SHARE && t->fmt != REP_F_STAT;
}

/* ---- bars: the last column per row, with whiskers ------------------------------- */

static void chart_bars(struct rep_out *o, const struct rep_table *t)
{
	const double left = 190, right = W - 80, top = 8, rowh = 26, barh = 16;
	size_t c, n = 0, n_drawn = 0;
	long city = find_city(t);
	int city_line = 0;
	double max = 0, step, y;
	long h;

	if (t->cols.n == 0)
		return;
	c = t->cols.n - 1;
	for (size_t r = 0; r < t->rows.n; r++) {
		const struct rep_cell *cell = rep_ccell(t, r, c);

		if (rep_svg_is_city(t, r))
			continue;
		n++;
		if (!rep_svg_drawable(cell))
			continue;
		n_drawn++;
		max = fmax(max, cell->value);
		if (t->has_interval && isfinite(cell->upper))
			max = fmax(max, cell->upper);
	}
	if (n_drawn == 0) {
		chart_empty(o, t, "chart_empty");
		return;
	}
	if (city >= 0 && city_comparable(t) && rep_svg_drawable(rep_ccell(t, (size_t)city, c))) {
		city_line = 1;
		max = fmax(max, rep_ccell(t, (size_t)city, c)->value);
	}
	if (!(max > 0))
		max = 1;
	step = nice_step(max, 6, whole_fmt(t));
	max = ceil(max / step * (1 - 1e-12)) * step;
	h = px(top + n * rowh + 30);
	chart_open(o, t, "bars", "chart_bars_title", "chart_bars_desc", t->cols.label[o->lang][c],
		   h);
	x_ticks(o, t, max, step, left, right, top, top + n * rowh);
	y = top;
	for (size_t r = 0; r < t->rows.n; r++) {
		const struct rep_cell *cell = rep_ccell(t, r, c);
		const char *label = t->rows.label[o->lang][r];
		double yc = y + rowh / 2, xe;
		char v[80];

		if (rep_svg_is_city(t, r))
			continue;
		pl_buf_printf(&o->buf, "<text class=\"lab\" x=\"%ld\" y=\"%ld\" text-anchor=\"end\">",
			      px(left - 8), px(yc + 4));
		rep_html_esc(o, label);
		put(o, "</text>");
		if (!rep_svg_drawable(cell)) {
			pl_buf_printf(&o->buf, "<text class=\"val na\" x=\"%ld\" y=\"%ld\">%s</text>\n",
				      px(left + 4), px(yc + 4),
				      (cell->flags & REP_SUPPRESSED) ? ".." : "\xE2\x80\x93");
			y += rowh;
			continue;
		}
		xe = left + (right - left) * fmax(cell->value, 0) / max;
		pl_buf_printf(&o->buf, "<rect class=\"mark bar%s\"",
			      (cell->flags & REP_UNRELIABLE) ? " unrel" : "");
		data_keys(o, t, r, (long)c);
		pl_buf_printf(&o->buf, " x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%ld\">",
			      px(left), px(yc - barh / 2), px(xe) - px(left), px(barh));
		mark_title(o, t, cell, label, NULL);
		put(o, "</rect>");
		if (t->has_interval && isfinite(cell->lower) && isfinite(cell->upper)) {
			long a = px(left + (right - left) * fmax(cell->lower, 0) / max);
			long b = px(left + (right - left) * cell->upper / max);

			put(o, "<path class=\"mark whisker\"");
			data_keys(o, t, r, (long)c);
			pl_buf_printf(&o->buf, " d=\"M%ld %ldH%ldM%ld %ldV%ldM%ld %ldV%ld\"/>", a,
				      px(yc), b, a, px(yc - 5), px(yc + 5), b, px(yc - 5),
				      px(yc + 5));
			xe = fmax(xe, left + (right - left) * cell->upper / max);
		}
		fmt_value(o, t, cell, v, sizeof(v));
		pl_buf_printf(&o->buf, "<text class=\"val%s\" x=\"%ld\" y=\"%ld\">",
			      (cell->flags & REP_UNRELIABLE) ? " unrel" : "", px(xe + 5), px(yc + 4));
		rep_html_esc(o, v);
		put(o, "</text>\n");
		y += rowh;
	}
	pl_buf_printf(&o->buf, "<line class=\"axis\" x1=\"%ld\" x2=\"%ld\" y1=\"%ld\" y2=\"%ld\"/>\n",
		      px(left), px(left), px(top), px(top + n * rowh));
	if (city_line) {
		const struct rep_cell *cc = rep_ccell(t, (size_t)city, c);
		long x = px(left + (right - left) * cc->value / max);

		put(o, "<line class=\"mark ref\"");
		data_keys(o, t, (size_t)city, (long)c);
		pl_buf_printf(&o->buf, " x1=\"%ld\" x2=\"%ld\" y1=\"%ld\" y2=\"%ld\">", x, x,
			      px(top - 4), px(top + n * rowh + 4));
		mark_title(o, t, cc, t->rows.label[o->lang][city], NULL);
		put(o, "</line>\n");
	}
	chart_close_svg(o);
	if (t->has_interval)
		legend_text(o, "chart_whisker");
	legend_text(o, city_line ? "chart_city_line" : "chart_city_omitted");
	legend_text(o, "chart_unrel");
	chart_close(o);
}

/* ---- funnel: the last column against its denominator ----------------------------- */

struct fpoint {
	size_t r;                     /* row */
	long x, y, w, ly;             /* point, label width, label baseline */
};

/* Points by y, then row: labels are placed top down. */
static int fpoint_cmp(const void *a, const void *b)
{
	const struct fpoint *p = a, *q = b;

	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	return p->r < q->r ? -1 : p->r > q->r;
}

/* About how wide a label of 11 px text is: 6 px a character (UTF-8 aware). */
static long label_width(const char *s)
{
	long n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return 8 + 6 * n;
}

#define FUNNEL_SAMPLES 160

static void chart_funnel(struct rep_out *o, const struct rep_table *t)
{
	const double left = 78, right = W - 130, top = 12, bottom = 360;
	static const double confs[2] = { 0.95, 0.998 };
	struct rep_table xfmt;
	enum pl_funnel_kind kind;
	double mult, target, dmax = 0, dmin = INFINITY, ymax = 0, xmax, xstep, ystep;
	double dens[FUNNEL_SAMPLES + 1], lim[2][2][FUNNEL_SAMPLES + 1];
	int ok[2][FUNNEL_SAMPLES + 1];
	size_t c, n_pts = 0;
	long city = find_city(t);
	const struct rep_cell *cc;
	struct fpoint *pts;
	char lab[64];

	if (t->cols.n == 0)
		return;
	c = t->cols.n - 1;
	if (t->fmt == REP_F_RATE) {
		kind = PL_FUNNEL_RATE;
		mult = 10000;
	} else if (t->fmt == REP_F_SHARE) {
		kind = PL_FUNNEL_PROP;
		mult = 100;
	} else {
		return;
	}
	cc = city >= 0 ? rep_ccell(t, (size_t)city, c) : NULL;
	if (!cc || !rep_svg_drawable(cc) || !(cc->value > 0)) {
		chart_empty(o, t, "funnel_no_target");
		return;
	}
	target = cc->value / mult;
	for (size_t r = 0; r < t->rows.n; r++) {
		const struct rep_cell *cell = rep_ccell(t, r, c);

		if (rep_svg_is_city(t, r) || !rep_svg_drawable(cell) || !(cell->den > 0) ||
		    !isfinite(cell->den))
			continue;
		n_pts++;
		dmax = fmax(dmax, cell->den);
		dmin = fmin(dmin, cell->den);
		ymax = fmax(ymax, cell->value);
	}
	if (n_pts == 0) {
		chart_empty(o, t, "chart_empty");
		return;
	}
	xstep = nice_step(dmax * 1.05, 5, 1);
	xmax = ceil(dmax * 1.05 / xstep) * xstep;
	ymax = fmax(ymax, cc->value);
	for (int i = 0; i <= FUNNEL_SAMPLES; i++) {
		double lo_d = fmax(xmax / 200, 1);

		dens[i] = lo_d * pow(xmax / lo_d, (double)i / FUNNEL_SAMPLES);
		for (int k = 0; k < 2; k++) {
			ok[k][i] = pl_funnel_limits(kind, target, dens[i], confs[k], &lim[k][0][i],
						    &lim[k][1][i], NULL) == PL_OK;
			if (ok[k][i]) {
				lim[k][0][i] *= mult;
				lim[k][1][i] *= mult;
				if (dens[i] >= 0.5 * dmin)
					ymax = fmax(ymax, lim[k][1][i]);
			}
		}
	}
	ystep = nice_step(ymax * 1.05, 5, 0);
	ymax = ceil(ymax * 1.05 / ystep) * ystep;

	chart_open(o, t, "funnel", "chart_funnel_title", "chart_funnel_desc",
		   t->cols.label[o->lang][c], 420);
	memset(&xfmt, 0, sizeof(xfmt));
	xfmt.fmt = REP_F_COUNT;
	x_ticks(o, &xfmt, xmax, xstep, left, right, top, bottom);
	y_ticks(o, t, ymax, ystep, left, right, bottom, top);
	pl_buf_printf(&o->buf, "<text class=\"axis-title\" x=\"%ld\" y=\"%ld\" "
		      "text-anchor=\"middle\">", px((left + right) / 2), px(bottom + 40));
	rep_html_esc(o, rep_html_str(o, "funnel_x"));
	pl_buf_printf(&o->buf, "</text><text class=\"axis-title\" transform=\"rotate(-90)\" "
		      "x=\"%ld\" y=\"16\" text-anchor=\"middle\">", -px((top + bottom) / 2));
	rep_html_esc(o, rep_html_str(o, t->fmt == REP_F_RATE ? "axis_rate" : "axis_share"));
	put(o, "</text>\n");
	/* the limits: upper curves from where they enter the plot, lower ones whole */
	for (int k = 0; k < 2; k++)
		for (int side = 0; side < 2; side++) {
			int open = 0;

			pl_buf_printf(&o->buf, "<path class=\"limit %s\" d=\"", k ? "l998" : "l95");
			for (int i = 0; i <= FUNNEL_SAMPLES; i++) {
				double y = lim[k][side][i];

				if (!ok[k][i] || y > ymax || y < 0) {
					open = 0;
					continue;
				}
				pl_buf_printf(&o->buf, "%s%ld %ld", open ? "L" : "M",
					      px(left + (right - left) * dens[i] / xmax),
					      px(bottom - (bottom - top) * y / ymax));
				open = 1;
			}
			put(o, "\"/>\n");
		}
	{
		long y = px(bottom - (bottom - top) * cc->value / ymax);

		pl_buf_printf(&o->buf, "<line class=\"target\" x1=\"%ld\" x2=\"%ld\" y1=\"%ld\" "
			      "y2=\"%ld\">", px(left), px(right), y, y);
		mark_title(o, t, cc, rep_html_str(o, "funnel_target"), NULL);
		put(o, "</line>\n");
	}
	pl_buf_printf(&o->buf, "<line class=\"axis\" x1=\"%ld\" x2=\"%ld\" y1=\"%ld\" y2=\"%ld\"/>"
		      "<line class=\"axis\" x1=\"%ld\" x2=\"%ld\" y1=\"%ld\" y2=\"%ld\"/>\n",
		      px(left), px(right), px(bottom), px(bottom), px(left), px(left), px(top),
		      px(bottom));
	pts = pl_xcalloc(n_pts, sizeof(*pts));
	n_pts = 0;
	for (size_t r = 0; r < t->rows.n; r++) {
		const struct rep_cell *cell = rep_ccell(t, r, c);
		struct fpoint *p = &pts[n_pts];

		if (rep_svg_is_city(t, r) || !rep_svg_drawable(cell) || !(cell->den > 0) ||
		    !isfinite(cell->den))
			continue;
		p->r = r;
		p->x = px(left + (right - left) * cell->den / xmax);
		p->y = px(bottom - (bottom - top) * cell->value / ymax);
		p->w = label_width(t->rows.label[o->lang][r]);
		n_pts++;
		pl_buf_printf(&o->buf, "<circle class=\"mark point%s\"",
			      (cell->flags & REP_UNRELIABLE) ? " unrel" : "");
		data_keys(o, t, r, (long)c);
		pl_buf_printf(&o->buf, " cx=\"%ld\" cy=\"%ld\" r=\"5\">", p->x, p->y);
		rep_format(&xfmt, NULL, cell->den, o->lang, lab, sizeof(lab));
		mark_title(o, t, cell, t->rows.label[o->lang][r], lab);
		put(o, "</circle>\n");
	}
	/* labels right of their points, moved down past labels placed above them */
	qsort(pts, n_pts, sizeof(*pts), fpoint_cmp);
	for (size_t i = 0; i < n_pts; i++) {
		long ly = pts[i].y + 4;

		for (size_t j = 0; j < i; j++) {
			int x_overlap = pts[j].x < pts[i].x + pts[i].w && pts[i].x < pts[j].x + pts[j].w;

			if (x_overlap && labs(ly - pts[j].ly) < 13) {
				ly = pts[j].ly + 13;
				j = (size_t)-1;   /* check all placed labels again */
			}
		}
		pts[i].ly = ly;
		pl_buf_printf(&o->buf, "<text class=\"plab\" x=\"%ld\" y=\"%ld\">", pts[i].x + 8, ly);
		rep_html_esc(o, t->rows.label[o->lang][pts[i].r]);
		put(o, "</text>\n");
	}
	free(pts);
	chart_close_svg(o);
	legend_text(o, "funnel_point");
	put(o, "\xE2\x80\x94 ");
	legend_text(o, "funnel_target");
	put(o, "\xE2\x80\x94 ");
	legend_text(o, "funnel_l95");
	put(o, "\xE2\x80\x94 ");
	legend_text(o, "funnel_l998");
	put(o, "\xE2\x80\x94 ");
	legend_text(o, "chart_unrel");
	chart_close(o);
}

/* ---- trend: rows as lines over the columns --------------------------------------- */

static void chart_trend(struct rep_out *o, const struct rep_table *t)
{
	const double left = 78, right = W - 20, top = 12, bottom = 300;
	size_t cols[64], m = 0, n_drawn = 0, k;
	int with_city = city_comparable(t);
	double max = 0, step;

	for (size_t c = 0; c < t->cols.n && m < 64; c++)
		if ((int)c != t->cols.total)
			cols[m++] = c;
	for (size_t r = 0; r < t->rows.n; r++) {
		if (rep_svg_is_city(t, r) && !with_city)
			continue;
		for (size_t i = 0; i < m; i++) {
			const struct rep_cell *cell = rep_ccell(t, r, cols[i]);

			if (rep_svg_drawable(cell)) {
				n_drawn++;
				max = fmax(max, cell->value);
			}
		}
	}
	if (n_drawn == 0) {
		chart_empty(o, t, "chart_empty");
		return;
	}
	if (!(max > 0))
		max = 1;
	step = nice_step(max * 1.05, 5, whole_fmt(t));
	max = ceil(max * 1.05 / step) * step;
	chart_open(o, t, "trend", "chart_trend_title", "chart_trend_desc", NULL, 340);
	y_ticks(o, t, max, step, left, right, bottom, top);
	for (size_t i = 0; i < m; i++) {
		double x = m == 1 ? (left + right) / 2 : left + 20 + (right - left - 40) * i / (m - 1);

		pl_buf_printf(&o->buf, "<text class=\"tick\" x=\"%ld\" y=\"%ld\" "
			      "text-anchor=\"middle\">", px(x), px(bottom + 18));
		rep_html_esc(o, t->cols.label[o->lang][cols[i]]);
		put(o, "</text>");
	}
	pl_buf_printf(&o->buf, "\n<line class=\"axis\" x1=\"%ld\" x2=\"%ld\" y1=\"%ld\" "
		      "y2=\"%ld\"/>\n", px(left), px(right), px(bottom), px(bottom));
	k = 0;
	for (size_t r = 0; r < t->rows.n; r++) {
		int city = rep_svg_is_city(t, r);
		const char *colour = city ? "#000000" : palette[k % N_PALETTE];
		const char *label = t->rows.label[o->lang][r];
		int open = 0, started = 0;

		if (city && !with_city)
			continue;
		if (!city)
			k++;
		/* the line: segments through consecutive drawable cells */
		for (size_t i = 0; i < m; i++) {
			const struct rep_cell *cell = rep_ccell(t, r, cols[i]);
			const struct rep_cell *next = i + 1 < m ? rep_ccell(t, r, cols[i + 1]) : NULL;
			double x = m == 1 ? (left + right) / 2 :
				left + 20 + (right - left - 40) * i / (m - 1);
			long y;

			if (!rep_svg_drawable(cell)) {
				if (open)
					put(o, "\"/>\n");
				open = 0;
				continue;
			}
			y = px(bottom - (bottom - top) * cell->value / max);
			if (!open && next && rep_svg_drawable(next)) {
				pl_buf_printf(&o->buf, "<path class=\"mark line%s\" stroke=\"%s\"",
					      city ? " city" : "", colour);
				data_keys(o, t, r, -1);
				pl_buf_printf(&o->buf, " d=\"M%ld %ld", px(x), y);
				open = started = 1;
			} else if (open) {
				pl_buf_printf(&o->buf, "L%ld %ld", px(x), y);
			}
		}
		if (open)
			put(o, "\"/>\n");
		(void)started;
		for (size_t i = 0; i < m; i++) {
			const struct rep_cell *cell = rep_ccell(t, r, cols[i]);
			double x = m == 1 ? (left + right) / 2 :
				left + 20 + (right - left - 40) * i / (m - 1);

			if (!rep_svg_drawable(cell))
				continue;
			pl_buf_printf(&o->buf, "<circle class=\"mark point%s\" stroke=\"%s\" fill=\"%s\"",
				      (cell->flags & REP_UNRELIABLE) ? " unrel" : "", colour,
				      (cell->flags & REP_UNRELIABLE) ? "#ffffff" : colour);
			data_keys(o, t, r, (long)cols[i]);
			pl_buf_printf(&o->buf, " cx=\"%ld\" cy=\"%ld\" r=\"4\">", px(x),
				      px(bottom - (bottom - top) * cell->value / max));
			mark_title(o, t, cell, label, t->cols.label[o->lang][cols[i]]);
			put(o, "</circle>");
		}
		put(o, "\n");
	}
	chart_close_svg(o);
	put(o, "<ul class=\"key\">");
	k = 0;
	for (size_t r = 0; r < t->rows.n; r++) {
		int city = rep_svg_is_city(t, r);

		if (city && !with_city)
			continue;
		legend_item(o, city ? "#000000" : palette[k % N_PALETTE], t->rows.label[o->lang][r],
			    city);
		if (!city)
			k++;
	}
	put(o, "</ul> ");
	legend_text(o, with_city ? "chart_city_trend" : "chart_city_omitted");
	legend_text(o, "chart_unrel");
	chart_close(o);
}

/* ---- stack: the columns as parts of each row ------------------------------------- */

static void chart_stack(struct rep_out *o, const struct rep_table *t)
{
	const double left = 190, right = W - 20, top = 8, rowh = 26, barh = 18;
	size_t n = 0, n_drawn = 0;
	double max = 0, step, y;

	for (size_t r = 0; r < t->rows.n; r++) {
		double sum = 0;

		if (rep_svg_is_city(t, r))
			continue;
		n++;
		for (size_t c = 0; c < t->cols.n; c++) {
			const struct rep_cell *cell = rep_ccell(t, r, c);

			if ((int)c == t->cols.total || !rep_svg_drawable(cell) || !(cell->value > 0))
				continue;
			n_drawn++;
			sum += cell->value;
		}
		max = fmax(max, sum);
	}
	if (n_drawn == 0) {
		chart_empty(o, t, "chart_empty");
		return;
	}
	step = nice_step(max, 6, whole_fmt(t));
	max = ceil(max / step * (1 - 1e-12)) * step;
	chart_open(o, t, "stack", "chart_stack_title", "chart_stack_desc", NULL,
		   px(top + n * rowh + 30));
	x_ticks(o, t, max, step, left, right, top, top + n * rowh);
	y = top;
	for (size_t r = 0; r < t->rows.n; r++) {
		const char *label = t->rows.label[o->lang][r];
		double x = left, yc = y + rowh / 2;

		if (rep_svg_is_city(t, r))
			continue;
		pl_buf_printf(&o->buf, "<text class=\"lab\" x=\"%ld\" y=\"%ld\" text-anchor=\"end\">",
			      px(left - 8), px(yc + 4));
		rep_html_esc(o, label);
		put(o, "</text>");
		for (size_t c = 0; c < t->cols.n; c++) {
			const struct rep_cell *cell = rep_ccell(t, r, c);
			double w;

			if ((int)c == t->cols.total || !rep_svg_drawable(cell) || !(cell->value > 0))
				continue;
			w = (right - left) * cell->value / max;
			pl_buf_printf(&o->buf, "<rect class=\"mark bar seg%s\" fill=\"%s\"",
				      (cell->flags & REP_UNRELIABLE) ? " unrel" : "",
				      palette[c % N_PALETTE]);
			data_keys(o, t, r, (long)c);
			pl_buf_printf(&o->buf, " x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%ld\">",
				      px(x), px(yc - barh / 2), px(x + w) - px(x), px(barh));
			mark_title(o, t, cell, label, t->cols.label[o->lang][c]);
			put(o, "</rect>");
			x += w;
		}
		put(o, "\n");
		y += rowh;
	}
	pl_buf_printf(&o->buf, "<line class=\"axis\" x1=\"%ld\" x2=\"%ld\" y1=\"%ld\" y2=\"%ld\"/>\n",
		      px(left), px(left), px(top), px(top + n * rowh));
	chart_close_svg(o);
	put(o, "<ul class=\"key\">");
	for (size_t c = 0; c < t->cols.n; c++)
		if ((int)c != t->cols.total)
			legend_item(o, palette[c % N_PALETTE], t->cols.label[o->lang][c], 0);
	put(o, "</ul> ");
	legend_text(o, "chart_city_omitted");
	legend_text(o, "chart_unrel");
	chart_close(o);
}

void rep_svg_charts(struct rep_out *o, const struct rep_table *t)
{
	const char *p = t->chart;

	while (p && *p) {
		size_t len = strcspn(p, " ");

		if (len == 4 && strncmp(p, "bars", 4) == 0)
			chart_bars(o, t);
		else if (len == 6 && strncmp(p, "funnel", 6) == 0)
			chart_funnel(o, t);
		else if (len == 5 && strncmp(p, "trend", 5) == 0)
			chart_trend(o, t);
		else if (len == 5 && strncmp(p, "stack", 5) == 0)
			chart_stack(o, t);
		p += len;
		p += strspn(p, " ");
	}
}

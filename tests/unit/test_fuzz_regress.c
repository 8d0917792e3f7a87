/*
 * tests/unit/test_fuzz_regress.c - inputs found by the fuzz targets of
 * tests/fuzz/, fed back to the library so that what was learnt stays
 * learnt.  Each test names the input (as the fuzzer wrote it, base64 where
 * it holds bytes) and what it guards against.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "csvread.h"
#include "indicators/indicators.h"
#include "scan/scan.h"
#include "secret.h"
#include "source.h"
#include "text.h"
#include "unit.h"
#include "value.h"

static int setup(void **state) { return unit_tmp_setup(state); }
static int teardown(void **state) { return unit_tmp_teardown(state); }

/*
 * fuzz_csvread input CAeAAO+7vw== (dialect bytes 08 07 80 00: comma,
 * double quote, strip the BOM; then the file EF BB BF).  A file holding only
 * a UTF-8 BOM is no line and no record once the BOM is stripped, the BOM is
 * reported, and the digest is still over all three bytes.  Guards the
 * counting the harness's line invariant is built on: stats.lines is the
 * number of LF, plus one for a last line without LF, counted after a
 * stripped BOM.
 */
static void test_fuzz_regress__csvread_bom_only_file_is_no_line(void **state)
{
	static const char bytes[] = "\xEF\xBB\xBF";
	struct pl_csv_opts o = { ',', '"', 65536, 0, 0, 1 };
	struct pl_csv_reader *r;
	struct pl_csv_record rec;
	struct pl_diag d;
	char path[512], want[PL_SHA256_HEX];
	const struct pl_csv_stats *st;

	assert_int_equal(pl_secret_init(&d), PL_OK);
	unit_path(state, "bom.csv", path, sizeof(path));
	assert_int_equal(unit_write(path, bytes, 3), 0);
	pl_diag_clear(&d);
	r = pl_csv_open(path, &o, &d);
	assert_non_null(r);
	assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_END);
	st = pl_csv_stats(r);
	assert_int_equal(st->lines, 0);
	assert_int_equal(st->blank_lines, 0);
	assert_int_equal(st->bom, PL_BOM_UTF8);
	assert_int_equal(pl_sha256_file(path, want, &d), PL_OK);
	assert_string_equal(st->sha256, want);
	pl_csv_close(r);

	/* without stripping, the three bytes are a line of their own */
	o.strip_utf8_bom = 0;
	r = pl_csv_open(path, &o, &d);
	assert_non_null(r);
	assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_RECORD);
	assert_int_equal(rec.line, 1);
	assert_int_equal(rec.n_fields, 1);
	assert_int_equal(rec.lens[0], 3);
	assert_int_equal(pl_csv_next(r, &rec, &d), PL_CSV_END);
	assert_int_equal(pl_csv_stats(r)->lines, 1);
	pl_csv_close(r);
}

/*
 * fuzz_scan input (minimised, 318 bytes; a header of one 500-odd byte cell
 * in ISO-8859-1): scan keeps HEAD_CELL_BYTES (512) bytes of a header cell
 * and cut the decoded UTF-8 inside a character, so the draft named the
 * column with half a character in a comment line ("; 1 of 1 values of
 * 'Pnr x...\xC3' are no personnummer ...").  ingest and map then refuse
 * the whole draft, TODOs filled or not: "file is not valid UTF-8", no line.
 * Guards that a long header cell is cut at a character boundary.
 */
static void test_fuzz_regress__scan_long_header_cell_cut_inside_a_character(void **state)
{
	struct scan_opts o = { 0 };
	struct scan_summary sum;
	struct pl_buf text, draft;
	struct pl_diag d;
	char path[512];
	size_t bad = 0;

	/* "Pnr x" then 300 x U+00F6: the 512-byte cut falls inside an ö */
	pl_buf_init(&text);
	pl_buf_append(&text, "Pnr x", 5);
	for (int i = 0; i < 300; i++)
		pl_buf_append(&text, "\xC3\xB6", 2);
	pl_buf_printf(&text, ",Insats\nabc,HVB\ndef,LVM\n");
	unit_path(state, "long_2025.csv", path, sizeof(path));
	assert_int_equal(unit_write(path, text.data, text.len), 0);
	pl_buf_release(&text);

	o.path = path;
	o.today = "2026-01-15";
	pl_buf_init(&draft);
	pl_diag_clear(&d);
	assert_int_equal(scan_draft(&o, &draft, &sum, &d), PL_OK);
	if (!pl_utf8_valid(draft.data, draft.len, &bad)) {
		char around[41];

		snprintf(around, sizeof(around), "%s", draft.data + (bad > 30 ? bad - 30 : 0));
		pl_buf_release(&draft); /* fail_msg does not return */
		fail_msg("draft not valid UTF-8 at byte %zu: ...%s", bad, around);
	}
	pl_buf_release(&draft);
}

/*
 * fuzz_mapping input (base64 W3NyCltzb3VlcnVsZW51bWJlcgpbcnVsZSBsbm50cnVt
 * XQptYXRjaGVzID1fCgpbcnVsZSBsdm1fYnlfbGVnYWFsYl9zaXNdZGljb2xndW0KbWF0Y2hl
 * cyA9IF5vYmVyCltydWxlIGxybV0KY24gXQptYXRjaGVzID1fKlZ1bW4gPSBMICsrKysrKysr
 * KysrKysrKysrKysrKysrKysrKysrKysrKysrKysrKysrKysrKysrKysrKysrKyt0Y2hlcyA9
 * TGFn, "[rule lrm] matches = _*Vumn = L +++...+" with 55 '+'): out of
 * memory in regcomp.  glibc copies the operand of each repetition, so a
 * footer, matches or reserve expression with stacked repetitions needs
 * memory exponential in their number: 20 take 700 MB, 30 more than the
 * machine has, and the stage is killed instead of exiting 78.  Counted
 * repetitions multiply the same way: "(R{32767}){32767}" has only two
 * operators and exhausts 4 GB.  Guards that such an expression (as footer,
 * reserve or rule) is refused with PL_ECONFIG at its line before regcomp;
 * each case here costs at most some 45 MB until then.
 */
static void test_fuzz_regress__mapping_stacked_repetition_is_refused(void **state)
{
	static const struct {
		const char *text;
		long line;                /* of the expression */
	} cases[] = {
		{ "[dialect]\nfooter = ^Summa++++++++++++++++\n", 6 },
		{ "[identity]\nreserve = ^(((((((((((((((((R+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)$\n", 6 },
		{ "[rule lvm]\ncolumn = Lagrum\nmatches = ^LVM*+*+*+*+*+*+*+*+\nset = intervention\n"
		  "to = LVM\n", 7 },
		/* counted repetitions multiply too, with few operators: this one
		 * makes 216000 copies (45 MB); "(R{32767}){32767}" takes more
		 * than 4 GB with two */
		{ "[identity]\nreserve = ^((R{60}){60}){60}$\n", 6 },
	};
	char path[512];

	unit_path(state, "m.ini", path, sizeof(path));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pl_source *src = NULL;
		struct pl_diag d;
		struct pl_buf text;
		enum pl_err err;

		pl_buf_init(&text);
		pl_buf_printf(&text, "[source]\nname = x\ndistrict = LUNDBY\nfiles = x.csv\n%s",
			      cases[i].text);
		assert_int_equal(unit_write(path, text.data, text.len), 0);
		pl_buf_release(&text);
		pl_diag_clear(&d);
		err = pl_source_load(path, &src, &d);
		pl_source_free(src);
		if (err != PL_ECONFIG || d.line != cases[i].line)
			fail_msg("case %zu: expected PL_ECONFIG at line %ld, got %d at line %ld: %s",
				 i, cases[i].line, err, d.line, d.msg);
	}
}

/*
 * fuzz_scan input (a header cell with a quoted line break in an identity
 * column's name; the filled draft failed with "syntax error" at line 76).
 * The same with an everyday export: Excel writes a header cell typed with
 * Alt+Enter as "Kostnad\n(kr)".  scan printed column names into comment
 * lines as they are, so the line break ended the comment and "(kr)': 2
 * values with a decimal comma, ..." became a line of the draft: ingest and
 * map refuse it (exit 78, "unknown or repeated key '(kr)'' in [numbers]")
 * after the analyst filled in every TODO.  Guards that every comment stays
 * one line: the draft, its TODOs filled, loads.
 */
static void test_fuzz_regress__scan_header_line_break_stays_in_its_comment(void **state)
{
	static const char export[] =
		"Personnummer,Startdatum,\"Kostnad\n(kr)\"\n"
		",2025-01-02,\"1 234,50\"\n"
		",2025-02-03,\"99,00\"\n";
	struct scan_opts o = { 0 };
	struct scan_summary sum;
	struct pl_source *src = NULL;
	struct pl_buf draft, filled;
	struct pl_diag d;
	char path[512], ini[512], *todo;

	unit_path(state, "kostnad_2025.csv", path, sizeof(path));
	assert_int_equal(unit_write_str(path, export), 0);
	o.path = path;
	o.today = "2026-01-15";
	pl_buf_init(&draft);
	pl_diag_clear(&d);
	assert_int_equal(scan_draft(&o, &draft, &sum, &d), PL_OK);
	/* the analyst's part: the district (intervention = TODO names a column) */
	todo = strstr(draft.data, "district = TODO\n");
	assert_non_null(todo);
	pl_buf_init(&filled);
	pl_buf_append(&filled, draft.data, (size_t)(todo - draft.data));
	pl_buf_printf(&filled, "district = OSTRA\n%s", todo + 16);
	unit_path(state, "kostnad.ini", ini, sizeof(ini));
	assert_int_equal(unit_write_str(ini, filled.data), 0);
	pl_buf_release(&filled);
	pl_buf_release(&draft);
	pl_diag_clear(&d);
	if (pl_source_load(ini, &src, &d) != PL_OK)
		fail_msg("the filled draft does not load: line %ld: %s", d.line, d.msg);
	assert_true(pl_source_claims(src, "kostnad_2025.csv"));
	pl_source_free(src);
}

/*
 * fuzz_scan input (14 footer records with different words; the filled
 * draft failed with "line longer than 197 characters" at its footer line).
 * The same with an everyday export: six total lines, "Summa kostnad för
 * öppenvård och boende", "Totalt antal klienter under perioden", ...  scan
 * joins the footers' leading words (up to 40 bytes each) into one
 * "footer = ^(...|...)" line, which grew past what libinih reads, so ingest
 * and map refuse the draft (exit 78 at that line).  Guards that the footer
 * line of a draft fits, e.g. by falling back to the first words
 * ("^(Summa|Totalt|Antal)") or leaving the footer out.
 */
static void test_fuzz_regress__scan_many_footer_words_fit_one_line(void **state)
{
	static const char export[] =
		"Personnummer,Insats,Startdatum\n"
		",HVB,2025-01-02\n,LVM,2025-02-03\n,HVB,2025-03-04\n"
		"Summa kostnad f\xC3\xB6r \xC3\xB6ppenv\xC3\xA5rd och boende,,\n"
		"Summa kostnad f\xC3\xB6r institutionsv\xC3\xA5rd,,\n"
		"Totalt antal klienter under perioden,,\n"
		"Totalt antal insatser under perioden,,\n"
		"Antal avslutade insatser under \xC3\xA5ret,,\n"
		"Antal p\xC3\xA5g\xC3\xA5" "ende insatser vid \xC3\xA5rets slut,,\n";
	struct scan_opts o = { 0 };
	struct scan_summary sum;
	struct pl_buf draft;
	struct pl_diag d;
	char path[512];

	unit_path(state, "totals_2025.csv", path, sizeof(path));
	assert_int_equal(unit_write_str(path, export), 0);
	o.path = path;
	o.today = "2026-01-15";
	pl_buf_init(&draft);
	pl_diag_clear(&d);
	assert_int_equal(scan_draft(&o, &draft, &sum, &d), PL_OK);
	for (const char *line = draft.data; *line;) {
		size_t len = strcspn(line, "\n");

		/* comment lines may be of any length; other lines as libinih reads them */
		if (line[0] != ';' && len > 197) {
			char start[61];

			snprintf(start, sizeof(start), "%s", line);
			pl_buf_release(&draft); /* fail_msg does not return */
			fail_msg("a draft line of %zu bytes: %s...", len, start);
		}
		line += len + (line[len] == '\n');
	}
	pl_buf_release(&draft);
}

/*
 * fuzz_catalogue input (the seed bands-and-periods.ini with "period = day
 * 01-28"), minimised by hand: a share (method exact or wilson) on a day of
 * the year no one was in care.  The row had no value (a share of 0 of 0 is
 * not defined) and no note, so the report could not say why the cell is
 * empty.  Guards: every row without a value says why.
 */
static int32_t regress_day(const char *iso)
{
	struct pl_date dt;

	assert_int_equal(pl_date_parse(iso, "YYYY-MM-DD", &dt), 0);
	return (int32_t)pl_date_days(&dt);
}

static void test_fuzz_regress__catalogue_share_of_nobody_has_a_note(void **state)
{
	static const char *const methods[] = { "exact", "wilson" };
	struct ind_episode ep = { 0, 0, -1, { 0 } };
	struct ind_person person = { 0, 1, 1980 };
	struct ind_data data = { 0 };
	struct ind_population pop = { 0 };
	char path[512], text[512];

	ep.start = regress_day("2024-06-01");
	ep.end = regress_day("2024-06-30");
	data.ep = &ep;
	data.n_ep = 1;
	data.p = &person;
	data.n_p = 1;
	data.first_year = data.last_year = 2024;
	data.as_of = regress_day("2024-12-31");
	unit_path(state, "cat.ini", path, sizeof(path));
	for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		struct ind_catalogue cat;
		struct ind_result res;
		struct pl_diag d;
		size_t n_shares = 0;

		snprintf(text, sizeof(text), "[catalogue]\nage_bands = 0+\n[indicator s]\n"
			 "title_sv = s\ntitle_en = s\nperiod = day 01-28\nmethod = %s\n"
			 "numerator = sex = F\n", methods[m]);
		assert_int_equal(unit_write_str(path, text), 0);
		pl_diag_clear(&d);
		assert_int_equal(ind_catalogue_load(path, &cat, &d), PL_OK);
		assert_int_equal(ind_compute(&cat, &data, &pop, &res, &d), PL_OK);
		for (size_t i = 0; i < res.n_rows; i++) {
			const struct ind_row *r = &res.rows[i];

			assert_false(r->has_value);
			assert_true(r->den == 0);
			assert_string_equal(r->note, "no persons to take a share of");
			n_shares++;
		}
		assert_true(n_shares > 0);
		ind_result_release(&res);
		ind_catalogue_release(&cat);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_fuzz_regress__csvread_bom_only_file_is_no_line),
		T(test_fuzz_regress__scan_long_header_cell_cut_inside_a_character),
		T(test_fuzz_regress__mapping_stacked_repetition_is_refused),
		T(test_fuzz_regress__scan_header_line_break_stays_in_its_comment),
		T(test_fuzz_regress__scan_many_footer_words_fit_one_line),
		T(test_fuzz_regress__catalogue_share_of_nobody_has_a_note),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}

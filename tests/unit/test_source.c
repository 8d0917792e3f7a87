/*
 * tests/unit/test_source.c - lib/source: mapping files (docs/mapping.md)
 * written to a temporary directory: every key of a full file, the defaults,
 * each configuration error with the line it names, alias folding, which
 * file names a source claims, and loading a directory of mapping files.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>

#include "source.h"
#include "unit.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int setup(void **state) { return unit_tmp_setup(state); }
static int teardown(void **state) { return unit_tmp_teardown(state); }

/* Writes text to <tmp>/name and loads it; path receives the file's path. */
static enum pl_err load_text(void **state, const char *name, const char *text, size_t len,
			     struct pl_source **src, struct pl_diag *d, char path[512])
{
	unit_path(state, name, path, 512);
	assert_int_equal(unit_write(path, text, len), 0);
	pl_diag_clear(d);
	*src = (struct pl_source *)(uintptr_t)1; /* must be overwritten */
	return pl_source_load(path, src, d);
}

#define SOURCE_OK "[source]\nname = lundby\ndistrict = LUNDBY\nfiles = lundby_*.csv\n"

static const char full_file[] =
	"; Lundby, Treserva export\n"                                           /*  1 */
	"# the other comment style\n"                                          /*  2 */
	"[source]\n"                                                           /*  3 */
	"name = lundby_treserva\n"                                             /*  4 */
	"district = LUNDBY\n"                                                  /*  5 */
	"files = Lundby_*.csv, lundby-export-??.CSV ; monthly and yearly\n"    /*  6 */
	"\n"                                                                   /*  7 */
	"[Dialect]\n"                                                          /*  8 */
	"Encoding = windows-1252\n"                                            /*  9 */
	"delimiter = semicolon\n"                                              /* 10 */
	"quote = single\n"                                                     /* 11 */
	"header_line = 3\n"                                                    /* 12 */
	"header_lines = 2\n"                                                   /* 13 */
	"footer = ^(Summa|Totalt)\n"                                           /* 14 */
	"fields = 12\n"                                                        /* 15 */
	"max_field_bytes = 1000\n"                                             /* 16 */
	"\n"                                                                   /* 17 */
	"[columns]\n"                                                          /* 18 */
	"identity_number = Personnummer | PNR\n"                               /* 19 */
	"first_name = F\xC3\xB6rnamn\n"                                        /* 20 */
	"last_name = Efternamn\n"                                              /* 21 */
	"postcode = Postnummer\n"                                              /* 22 */
	"birth_year = F\xC3\xB6" "delse\xC3\xA5r\n"                            /* 23 */
	"sex = K\xC3\xB6n\n"                                                   /* 24 */
	"intervention = Insats\n"                                              /* 25 */
	"provider = Utf\xC3\xB6rare\n"                                         /* 26 */
	"substance = Missbruk\n"                                               /* 27 */
	"start_date = Startdatum\n"                                            /* 28 */
	"end_date = Slutdatum\n"                                               /* 29 */
	"cost_sek = Kostnad (kr)\n"                                            /* 30 */
	"children = Barn i hush\xC3\xA5llet\n";                                /* 31 */

static void assert_names(const struct pl_aliases *a, const char *const *want, size_t n, long line)
{
	assert_int_equal(a->n_names, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(a->names[i], want[i]);
	assert_int_equal(a->line, line);
}

static void test_source__full_file_every_field(void **state)
{
	static const struct {
		enum pl_field f;
		const char *names[2];
		size_t n;
		long line;
	} cols[] = {
		{ PL_F_IDENTITY_NUMBER, { "personnummer", "pnr" }, 2, 19 },
		{ PL_F_FIRST_NAME, { "f\xC3\xB6rnamn" }, 1, 20 },
		{ PL_F_LAST_NAME, { "efternamn" }, 1, 21 },
		{ PL_F_POSTCODE, { "postnummer" }, 1, 22 },
		{ PL_F_BIRTH_DATE, { NULL }, 0, 0 },
		{ PL_F_BIRTH_YEAR, { "f\xC3\xB6" "delse\xC3\xA5r" }, 1, 23 },
		{ PL_F_SEX, { "k\xC3\xB6n" }, 1, 24 },
		{ PL_F_INTERVENTION, { "insats" }, 1, 25 },
		{ PL_F_PROVIDER, { "utf\xC3\xB6rare" }, 1, 26 },
		{ PL_F_SUBSTANCE, { "missbruk" }, 1, 27 },
		{ PL_F_START_DATE, { "startdatum" }, 1, 28 },
		{ PL_F_END_DATE, { "slutdatum" }, 1, 29 },
		{ PL_F_COST_SEK, { "kostnad (kr)" }, 1, 30 },
		{ PL_F_CHILDREN, { "barn i hush\xC3\xA5llet" }, 1, 31 },
	};
	struct pl_source *src;
	struct pl_diag d;
	char path[512], hex[PL_SHA256_HEX];

	assert_int_equal(load_text(state, "lundby.ini", full_file, sizeof(full_file) - 1,
				   &src, &d, path), PL_OK);
	assert_non_null(src);
	assert_string_equal(src->path, path);
	assert_int_equal(pl_sha256_file(path, hex, &d), PL_OK);
	assert_string_equal(src->sha256, hex);
	assert_string_equal(src->name, "lundby_treserva");
	assert_string_equal(src->district, "LUNDBY");
	assert_int_equal(src->n_patterns, 2);
	assert_string_equal(src->patterns[0], "Lundby_*.csv");
	assert_string_equal(src->patterns[1], "lundby-export-??.CSV"); /* inline comment cut */
	assert_int_equal(src->encoding, PL_ENC_CP1252);
	assert_int_equal(src->delimiter, ';');
	assert_int_equal(src->quote, '\'');
	assert_int_equal(src->header_line, 3);
	assert_int_equal(src->header_lines, 2);
	assert_string_equal(src->footer, "^(Summa|Totalt)");
	assert_int_equal(regexec(&src->footer_re, "SUMMA kostnad", 0, NULL, 0), 0);
	assert_int_equal(regexec(&src->footer_re, "totalt", 0, NULL, 0), 0);
	assert_int_equal(regexec(&src->footer_re, "Delsumma", 0, NULL, 0), REG_NOMATCH);
	assert_int_equal(src->n_fields, 12);
	assert_int_equal(src->max_field_bytes, 1000);
	assert_int_equal(N_OF(cols), PL_F__COUNT);
	for (size_t i = 0; i < N_OF(cols); i++)
		assert_names(&src->columns[cols[i].f], cols[i].names, cols[i].n, cols[i].line);
	pl_source_free(src);
}

static void test_source__defaults(void **state)
{
	struct pl_source *src;
	struct pl_diag d;
	char path[512];

	assert_int_equal(load_text(state, "min.ini", SOURCE_OK, strlen(SOURCE_OK), &src, &d, path),
			 PL_OK);
	assert_string_equal(src->name, "lundby");
	assert_int_equal(src->n_patterns, 1);
	assert_string_equal(src->patterns[0], "lundby_*.csv");
	assert_int_equal(src->encoding, PL_ENC_UTF8);
	assert_int_equal(src->delimiter, ',');
	assert_int_equal(src->quote, '"');
	assert_int_equal(src->header_line, 1);
	assert_int_equal(src->header_lines, 1);
	assert_null(src->footer);
	assert_int_equal(src->n_fields, 0);
	assert_int_equal(src->max_field_bytes, PL_DEFAULT_MAX_FIELD_BYTES);
	assert_int_equal(src->max_field_bytes, 65536);
	for (int f = 0; f < PL_F__COUNT; f++) {
		assert_int_equal(src->columns[f].n_names, 0);
		assert_null(src->columns[f].names);
	}
	pl_source_free(src);
}

static void test_source__dialect_names_and_limits_accepted(void **state)
{
	static const struct {
		const char *line;
		enum pl_encoding enc;
		char delim, quote;
		long header_line, header_lines, n_fields;
		size_t max_field_bytes;
	} cases[] = {
		{ "encoding = utf-8-bom", PL_ENC_UTF8_BOM, ',', '"', 1, 1, 0, 65536 },
		{ "encoding = ISO-8859-1", PL_ENC_LATIN1, ',', '"', 1, 1, 0, 65536 },
		{ "delimiter = tab", PL_ENC_UTF8, '\t', '"', 1, 1, 0, 65536 },
		{ "delimiter = Pipe", PL_ENC_UTF8, '|', '"', 1, 1, 0, 65536 },
		{ "delimiter = comma", PL_ENC_UTF8, ',', '"', 1, 1, 0, 65536 },
		{ "quote = double", PL_ENC_UTF8, ',', '"', 1, 1, 0, 65536 },
		{ "header_line = 1000", PL_ENC_UTF8, ',', '"', 1000, 1, 0, 65536 },
		{ "header_lines = 4", PL_ENC_UTF8, ',', '"', 1, 4, 0, 65536 },
		{ "fields = 4096", PL_ENC_UTF8, ',', '"', 1, 1, 4096, 65536 },
		{ "fields = 1", PL_ENC_UTF8, ',', '"', 1, 1, 1, 65536 },
		{ "max_field_bytes = 1", PL_ENC_UTF8, ',', '"', 1, 1, 0, 1 },
		{ "max_field_bytes = 67108864", PL_ENC_UTF8, ',', '"', 1, 1, 0, 67108864 },
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		char text[512], path[512];
		struct pl_source *src;
		struct pl_diag d;
		enum pl_err err;

		snprintf(text, sizeof(text), SOURCE_OK "[dialect]\n%s\n", cases[i].line);
		err = load_text(state, "d.ini", text, strlen(text), &src, &d, path);
		if (err)
			fail_msg("'%s': %s", cases[i].line, d.msg);
		assert_int_equal(src->encoding, cases[i].enc);
		assert_int_equal(src->delimiter, cases[i].delim);
		assert_int_equal(src->quote, cases[i].quote);
		assert_int_equal(src->header_line, cases[i].header_line);
		assert_int_equal(src->header_lines, cases[i].header_lines);
		assert_int_equal(src->n_fields, cases[i].n_fields);
		assert_int_equal(src->max_field_bytes, cases[i].max_field_bytes);
		pl_source_free(src);
	}
}

static void test_source__names_are_case_insensitive(void **state)
{
	static const char text[] =
		"[SOURCE]\nNAME = angered\nDistrict = ANGERED\nFILES = *.csv\n"
		"[DIALECT]\nDELIMITER = Semicolon\n[Columns]\nSEX = K\xC3\xB6n\n";
	struct pl_source *src;
	struct pl_diag d;
	char path[512];

	assert_int_equal(load_text(state, "a.ini", text, sizeof(text) - 1, &src, &d, path), PL_OK);
	assert_string_equal(src->name, "angered");
	assert_int_equal(src->delimiter, ';');
	assert_int_equal(src->columns[PL_F_SEX].n_names, 1);
	assert_string_equal(src->columns[PL_F_SEX].names[0], "k\xC3\xB6n");
	pl_source_free(src);
}

static void test_source__aliases_folded_and_split(void **state)
{
	static const char text[] =
		SOURCE_OK
		"[columns]\n"
		"identity_number =   PERSON  NUMMER | pnr ||  F\xC3\xB6" "delse\xC2\xA0" "Datum |"
		" \xC3\x85\xC3\x84\xC3\x96\t X \n"
		"sex=K\xC3\x96N\n";
	static const char *const want[] = {
		"person nummer", "pnr", "f\xC3\xB6" "delse datum", "\xC3\xA5\xC3\xA4\xC3\xB6 x",
	};
	static const char *const want_sex[] = { "k\xC3\xB6n" };
	struct pl_source *src;
	struct pl_diag d;
	char path[512];

	assert_int_equal(load_text(state, "a.ini", text, sizeof(text) - 1, &src, &d, path), PL_OK);
	assert_names(&src->columns[PL_F_IDENTITY_NUMBER], want, N_OF(want), 6);
	assert_names(&src->columns[PL_F_SEX], want_sex, 1, 7);
	pl_source_free(src);
}

/* ---- errors ------------------------------------------------------------- */

struct err_case {
	const char *what;
	const char *text;
	long line;
	const char *msg;         /* exact, or a prefix when prefix is set */
	int prefix;
};

static void run_errors(void **state, const struct err_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct pl_source *src;
		struct pl_diag d;
		char path[512];
		enum pl_err err;

		err = load_text(state, "bad.ini", cases[i].text, strlen(cases[i].text), &src, &d,
				path);
		if (err != PL_ECONFIG)
			fail_msg("%s: err %d, want PL_ECONFIG", cases[i].what, err);
		assert_null(src);
		assert_int_equal(d.err, PL_ECONFIG);
		assert_string_equal(d.file, path);
		if (d.line != cases[i].line)
			fail_msg("%s: line %ld, want %ld (%s)", cases[i].what, d.line,
				 cases[i].line, d.msg);
		if (cases[i].prefix ? strncmp(d.msg, cases[i].msg, strlen(cases[i].msg)) != 0
				    : strcmp(d.msg, cases[i].msg) != 0)
			fail_msg("%s: message '%s', want '%s'", cases[i].what, d.msg, cases[i].msg);
	}
}

static void test_source__unknown_section_key_or_field(void **state)
{
	static const struct err_case cases[] = {
		{ "unknown section (reported at its first key)",
		  SOURCE_OK "\n[dialekt]\nencoding = utf-8\n", 7, "unknown section [dialekt]", 0 },
		{ "unknown key in [source]",
		  "[source]\nname = lundby\nnmae = x\ndistrict = LUNDBY\nfiles = x\n", 3,
		  "unknown key 'nmae' in [source]", 0 },
		{ "unknown key in [dialect]",
		  SOURCE_OK "[dialect]\n; a comment\n\nseparator = tab\n", 8,
		  "unknown key 'separator' in [dialect]", 0 },
		{ "unknown schema field in [columns]",
		  SOURCE_OK "[columns]\nsex = K\nPersonnummer = PNR\n", 7,
		  "unknown schema field 'Personnummer' in [columns]", 0 },
		{ "district is not a column",
		  SOURCE_OK "[columns]\ndistrict = Stadsdel\n", 6,
		  "unknown schema field 'district' in [columns]", 0 },
		{ "key outside any section",
		  "name = lundby\n" SOURCE_OK, 1, "key 'name' outside any [section]", 0 },
	};

	run_errors(state, cases, N_OF(cases));
}

static void test_source__duplicated_keys(void **state)
{
	static const struct err_case cases[] = {
		{ "name twice", "[source]\nname = a\ndistrict = LUNDBY\nname = b\nfiles = x\n", 4,
		  "key 'name' given twice in [source]", 0 },
		{ "name twice, other case", "[source]\nname = a\nNAME = a\n", 3,
		  "key 'NAME' given twice in [source]", 0 },
		{ "files twice", SOURCE_OK "files = y\n", 5, "key 'files' given twice in [source]", 0 },
		{ "district twice", SOURCE_OK "district = LUNDBY\n", 5,
		  "key 'district' given twice in [source]", 0 },
		{ "section given again",
		  SOURCE_OK "[dialect]\nquote = double\n[source]\nname = b\n", 8,
		  "key 'name' given twice in [source]", 0 },
		{ "encoding twice", SOURCE_OK "[dialect]\nencoding = utf-8\nencoding = utf-8\n", 7,
		  "key 'encoding' given twice in [dialect]", 0 },
		{ "delimiter twice", SOURCE_OK "[dialect]\ndelimiter = tab\ndelimiter = tab\n", 7,
		  "key 'delimiter' given twice in [dialect]", 0 },
		{ "quote twice", SOURCE_OK "[dialect]\nquote = single\nquote = double\n", 7,
		  "key 'quote' given twice in [dialect]", 0 },
		{ "header_line twice", SOURCE_OK "[dialect]\nheader_line = 2\nheader_line = 2\n", 7,
		  "key 'header_line' given twice in [dialect]", 0 },
		{ "header_lines twice", SOURCE_OK "[dialect]\nheader_lines = 2\nheader_lines = 2\n",
		  7, "key 'header_lines' given twice in [dialect]", 0 },
		{ "footer twice", SOURCE_OK "[dialect]\nfooter = ^a\nfooter = ^b\n", 7,
		  "key 'footer' given twice in [dialect]", 0 },
		{ "fields twice", SOURCE_OK "[dialect]\nfields = 3\nfields = 3\n", 7,
		  "key 'fields' given twice in [dialect]", 0 },
		{ "max_field_bytes twice",
		  SOURCE_OK "[dialect]\nmax_field_bytes = 9\nmax_field_bytes = 9\n", 7,
		  "key 'max_field_bytes' given twice in [dialect]", 0 },
		{ "column twice", SOURCE_OK "[columns]\nsex = K\nsex = Sex\n", 7,
		  "key 'sex' given twice in [columns]", 0 },
		{ "indented line continues the previous key",
		  SOURCE_OK "[columns]\nsex = K\n  | Sex\n", 7, "key 'sex' given twice in [columns]", 0 },
	};

	run_errors(state, cases, N_OF(cases));
}

static void test_source__bad_values(void **state)
{
	static const struct err_case cases[] = {
		{ "district lower case", "[source]\nname = a\ndistrict = Lundby\n", 3,
		  "district 'Lundby' is not a district code of the schema", 0 },
		{ "district unknown", "[source]\nname = a\n\ndistrict = MOLNDAL\n", 4,
		  "district 'MOLNDAL' is not a district code of the schema", 0 },
		{ "source name upper case", "[source]\nname = Lundby\n", 2,
		  "source name 'Lundby' must be 1-64 of a-z, 0-9 and _", 0 },
		{ "source name with dash", "[source]\nname = lundby-2\n", 2,
		  "source name 'lundby-2' must be 1-64 of a-z, 0-9 and _", 0 },
		{ "source name of 65", "[source]\nname = "
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 2,
		  "source name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' "
		  "must be 1-64 of a-z, 0-9 and _", 0 },
		{ "no file pattern", "[source]\nname = a\ndistrict = LUNDBY\nfiles = ,  ,\n", 4,
		  "files: no pattern given", 0 },
		{ "encoding utf8", SOURCE_OK "[dialect]\nencoding = utf8\n", 6,
		  "encoding 'utf8' is not one of utf-8, utf-8-bom, windows-1252, iso-8859-1", 0 },
		{ "encoding latin1", SOURCE_OK "[dialect]\nencoding = latin1\n", 6,
		  "encoding 'latin1' is not one of utf-8, utf-8-bom, windows-1252, iso-8859-1", 0 },
		{ "delimiter as a character", SOURCE_OK "[dialect]\ndelimiter = |\n", 6,
		  "delimiter '|' is not one of comma, semicolon, tab, pipe", 0 },
		{ "delimiter space", SOURCE_OK "[dialect]\ndelimiter = space\n", 6,
		  "delimiter 'space' is not one of comma, semicolon, tab, pipe", 0 },
		{ "quote backtick", SOURCE_OK "[dialect]\nquote = backtick\n", 6,
		  "quote 'backtick' is not one of double, single", 0 },
		{ "quote as a character", SOURCE_OK "[dialect]\nquote = \"\n", 6,
		  "quote '\"' is not one of double, single", 0 },
		{ "header_line 0", SOURCE_OK "[dialect]\nheader_line = 0\n", 6,
		  "header_line '0' is not a line number 1-1000", 0 },
		{ "header_line 1001", SOURCE_OK "[dialect]\nheader_line = 1001\n", 6,
		  "header_line '1001' is not a line number 1-1000", 0 },
		{ "header_line -1", SOURCE_OK "[dialect]\nheader_line = -1\n", 6,
		  "header_line '-1' is not a line number 1-1000", 0 },
		{ "header_line 3x", SOURCE_OK "[dialect]\nheader_line = 3x\n", 6,
		  "header_line '3x' is not a line number 1-1000", 0 },
		{ "header_line empty", SOURCE_OK "[dialect]\nheader_line =\n", 6,
		  "header_line '' is not a line number 1-1000", 0 },
		{ "header_line huge", SOURCE_OK "[dialect]\nheader_line = 99999999999999999999\n", 6,
		  "header_line '99999999999999999999' is not a line number 1-1000", 0 },
		{ "header_lines 0", SOURCE_OK "[dialect]\nheader_lines = 0\n", 6,
		  "header_lines '0' must be 1-4", 0 },
		{ "header_lines 5", SOURCE_OK "[dialect]\nheader_lines = 5\n", 6,
		  "header_lines '5' must be 1-4", 0 },
		{ "fields 0", SOURCE_OK "[dialect]\nfields = 0\n", 6, "fields '0' must be 1-4096", 0 },
		{ "fields 4097", SOURCE_OK "[dialect]\nfields = 4097\n", 6,
		  "fields '4097' must be 1-4096", 0 },
		{ "max_field_bytes 0", SOURCE_OK "[dialect]\nmax_field_bytes = 0\n", 6,
		  "max_field_bytes '0' must be 1-67108864", 0 },
		{ "max_field_bytes over 64 MiB", SOURCE_OK "[dialect]\nmax_field_bytes = 67108865\n", 6,
		  "max_field_bytes '67108865' must be 1-67108864", 0 },
		{ "footer regex", SOURCE_OK "[dialect]\nfooter = ^(Summa\n", 6,
		  "footer '^(Summa' is not a valid regular expression: ", 1 },
		{ "footer regex bracket", SOURCE_OK "[dialect]\n\nfooter = [a-\n", 7,
		  "footer '[a-' is not a valid regular expression: ", 1 },
		{ "column without a name", SOURCE_OK "[columns]\nsex = | |\n", 6,
		  "sex: no column name given", 0 },
	};

	run_errors(state, cases, N_OF(cases));
}

static void test_source__missing_required_keys(void **state)
{
	static const struct err_case cases[] = {
		{ "empty file", "", 0, "missing [source] name", 0 },
		{ "only comments", "; nothing\n# here\n", 0, "missing [source] name", 0 },
		{ "no name", "[source]\ndistrict = LUNDBY\nfiles = x\n", 0, "missing [source] name", 0 },
		{ "no district", "[source]\nname = a\nfiles = x\n", 0, "missing [source] district", 0 },
		{ "no files", "[source]\nname = a\ndistrict = LUNDBY\n", 0, "missing [source] files", 0 },
		{ "all in another section", "[dialect]\nquote = single\n", 0, "missing [source] name", 0 },
	};

	run_errors(state, cases, N_OF(cases));
}

static void test_source__line_numbers_survive_comments_crlf_and_no_final_newline(void **state)
{
	static const struct err_case cases[] = {
		{ "syntax error", SOURCE_OK "[dialect\n", 5,
		  "section heading without closing ']'", 0 },
		{ "line without =", SOURCE_OK "; fine\n\njust words\n", 7,
		  "syntax error: expected [section] or key = value", 0 },
		{ "CRLF", "[source]\r\nname = a\r\n\r\n; c\r\nbogus = 1\r\n", 5,
		  "unknown key 'bogus' in [source]", 0 },
		{ "no final newline", "[source]\nname = a\n\nbogus = 1", 4,
		  "unknown key 'bogus' in [source]", 0 },
		{ "after an inline comment", "[source]\nname = a ; comment = x\nbogus = 1\n", 3,
		  "unknown key 'bogus' in [source]", 0 },
		{ "after a long comment line",
		  "; 0123456789012345678901234567890123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789012345678901234567890123456789\n"
		  "[source]\nbogus = 1\n", 3, "unknown key 'bogus' in [source]", 0 },
	};

	run_errors(state, cases, N_OF(cases));
}

/* Regression: a heading without its ']' was reported at the first key after
 * it ("unknown key 'encoding' in [source]"), since libinih goes on parsing
 * and hands the keys over in the section before. */
static void test_source__unclosed_section_heading_reported_at_its_line(void **state)
{
	static const struct err_case cases[] = {
		{ "keys follow", SOURCE_OK "[dialect\nencoding = utf-8\nquote = double\n", 5,
		  "section heading without closing ']'", 0 },
		{ "after comments and CRLF",
		  "[source]\r\nname = a\r\n; c\r\n\r\n[dialect\r\nencoding = utf-8\r\n", 5,
		  "section heading without closing ']'", 0 },
		{ "']' only in an inline comment", SOURCE_OK "\n[dialect ; ]\nquote = double\n", 6,
		  "section heading without closing ']'", 0 },
		{ "first line, after a BOM", "\xEF\xBB\xBF[source\nname = a\n", 1,
		  "section heading without closing ']'", 0 },
		{ "a line without '=' before a bad key",
		  SOURCE_OK "just words\nbogus = 1\n", 5,
		  "syntax error: expected [section] or key = value", 0 },
	};

	run_errors(state, cases, N_OF(cases));
}

static void test_source__file_level_errors(void **state)
{
	static const char nul[] = "[source]\nname = a\0b\n";
	static const char latin1[] = "[source]\nname = a\n[columns]\nsex = K\xF6n\n";
	struct pl_source *src;
	struct pl_diag d;
	char path[512];

	assert_int_equal(load_text(state, "nul.ini", nul, sizeof(nul) - 1, &src, &d, path),
			 PL_ECONFIG);
	assert_null(src);
	assert_int_equal(d.line, 0);
	assert_string_equal(d.msg, "file holds a NUL byte");

	assert_int_equal(load_text(state, "l1.ini", latin1, sizeof(latin1) - 1, &src, &d, path),
			 PL_ECONFIG);
	assert_null(src);
	assert_string_equal(d.file, path);
	assert_string_equal(d.msg, "file is not valid UTF-8");

	unit_path(state, "absent.ini", path, sizeof(path));
	pl_diag_clear(&d);
	src = (struct pl_source *)(uintptr_t)1;
	assert_int_equal(pl_source_load(path, &src, &d), PL_ENOINPUT);
	assert_null(src);
	assert_string_equal(d.file, path);
}

/* ---- claims ------------------------------------------------------------- */

static void test_source__claims_globs_case_insensitively(void **state)
{
	static const char text[] =
		"[source]\nname = a\ndistrict = LUNDBY\n"
		"files = Lundby_*.csv, export-??.CSV, [ab]x.txt, *.tsv\n";
	static const struct {
		const char *name;
		int claimed;
	} cases[] = {
		{ "Lundby_2026-11.csv", 1 },
		{ "LUNDBY_2026-11.CSV", 1 },
		{ "lundby_.csv", 1 },
		{ "Lundby_2026.csv.bak", 0 },
		{ "Lundby2026.csv", 0 },
		{ "export-01.csv", 1 },
		{ "EXPORT-AB.csv", 1 },
		{ "export-1.csv", 0 },
		{ "export-001.csv", 0 },
		{ "Ax.TXT", 1 },
		{ "bx.txt", 1 },
		{ "cx.txt", 0 },
		{ "data.TSV", 1 },
		{ ".hidden.tsv", 0 },   /* a leading dot is matched only by a dot */
		{ "", 0 },
	};
	struct pl_source *src;
	struct pl_diag d;
	char path[512];

	assert_int_equal(load_text(state, "a.ini", text, sizeof(text) - 1, &src, &d, path), PL_OK);
	assert_int_equal(src->n_patterns, 4);
	for (size_t i = 0; i < N_OF(cases); i++)
		if (pl_source_claims(src, cases[i].name) != cases[i].claimed)
			fail_msg("'%s': want %d", cases[i].name, cases[i].claimed);
	pl_source_free(src);
}

/* ---- directories -------------------------------------------------------- */

static void write_in(void **state, const char *name, const char *text)
{
	char path[512];

	unit_path(state, name, path, sizeof(path));
	assert_int_equal(unit_write_str(path, text), 0);
}

static void test_source_set__sorted_by_file_name(void **state)
{
	const struct unit_tmp *t = *state;
	struct pl_source_set set;
	struct pl_diag d;
	char want[512];

	/* written in another order; the source names sort the other way round */
	write_in(state, "c_lundby.ini", "[source]\nname = a_lundby\ndistrict = LUNDBY\nfiles = l*\n");
	write_in(state, "a_angered.ini", "[source]\nname = c_angered\ndistrict = ANGERED\nfiles = a*\n");
	write_in(state, "b_ostra.ini", "[source]\nname = b_ostra\ndistrict = OSTRA\nfiles = o*\n");
	write_in(state, "notes.txt", "not a mapping\n");
	write_in(state, ".hidden.ini", "[bogus]\nx = y\n");
	write_in(state, "upper.INI", "[bogus]\nx = y\n");
	write_in(state, ".ini", "[bogus]\nx = y\n");
	pl_diag_clear(&d);
	assert_int_equal(pl_source_set_load(t->dir, &set, &d), PL_OK);
	assert_int_equal(set.n_items, 3);
	assert_string_equal(set.items[0]->name, "c_angered");
	assert_string_equal(set.items[1]->name, "b_ostra");
	assert_string_equal(set.items[2]->name, "a_lundby");
	snprintf(want, sizeof(want), "%s/a_angered.ini", t->dir);
	assert_string_equal(set.items[0]->path, want);
	pl_source_set_release(&set);
	assert_null(set.items);
	assert_int_equal(set.n_items, 0);
	pl_source_set_release(&set); /* twice is harmless */
}

static void test_source_set__duplicate_source_name_refused(void **state)
{
	const struct unit_tmp *t = *state;
	struct pl_source_set set;
	struct pl_diag d;
	char want_file[512], want_msg[1024];

	write_in(state, "b.ini", "[source]\nname = lundby\ndistrict = LUNDBY\nfiles = l*\n");
	write_in(state, "a.ini", "[source]\nname = lundby\ndistrict = LUNDBY\nfiles = m*\n");
	pl_diag_clear(&d);
	assert_int_equal(pl_source_set_load(t->dir, &set, &d), PL_ECONFIG);
	snprintf(want_file, sizeof(want_file), "%s/b.ini", t->dir);
	snprintf(want_msg, sizeof(want_msg), "source name 'lundby' is also used by '%s/a.ini'",
		 t->dir);
	assert_string_equal(d.file, want_file);
	assert_string_equal(d.msg, want_msg);
	assert_null(set.items);
	assert_int_equal(set.n_items, 0);
}

static void test_source_set__empty_or_missing_dir_refused(void **state)
{
	const struct unit_tmp *t = *state;
	struct pl_source_set set;
	struct pl_diag d;
	char path[512];

	pl_diag_clear(&d);
	assert_int_equal(pl_source_set_load(t->dir, &set, &d), PL_ECONFIG);
	assert_string_equal(d.file, t->dir);
	assert_string_equal(d.msg, "no mapping files (*.ini) found");
	assert_int_equal(set.n_items, 0);

	write_in(state, "readme.txt", "x\n");
	assert_int_equal(pl_source_set_load(t->dir, &set, &d), PL_ECONFIG);
	assert_string_equal(d.msg, "no mapping files (*.ini) found");

	unit_path(state, "absent", path, sizeof(path));
	assert_int_equal(pl_source_set_load(path, &set, &d), PL_ECONFIG);
	assert_string_equal(d.file, path);
	assert_non_null(strstr(d.msg, "cannot open mapping directory"));
	assert_int_equal(set.n_items, 0);
}

static void test_source_set__one_bad_file_fails_the_set(void **state)
{
	const struct unit_tmp *t = *state;
	struct pl_source_set set;
	struct pl_diag d;
	char want[512];

	write_in(state, "a.ini", "[source]\nname = a\ndistrict = LUNDBY\nfiles = l*\n");
	write_in(state, "b.ini", "[source]\nname = b\ndistrict = LUNDBY\nfiles = m*\nfoo = 1\n");
	write_in(state, "c.ini", "[source]\nname = c\ndistrict = LUNDBY\nfiles = n*\n");
	pl_diag_clear(&d);
	assert_int_equal(pl_source_set_load(t->dir, &set, &d), PL_ECONFIG);
	snprintf(want, sizeof(want), "%s/b.ini", t->dir);
	assert_string_equal(d.file, want);
	assert_int_equal(d.line, 5);
	assert_string_equal(d.msg, "unknown key 'foo' in [source]");
	assert_null(set.items);
	assert_int_equal(set.n_items, 0);
}

/*
 * Regression: libinih (Debian: INI_MAX_LINE 200, no realloc) hands the
 * reader a buffer of 200 bytes, so the rest of a longer line came back as a
 * line of its own: a valid file with a long comment failed with "syntax
 * error" naming the wrong line, and a long value was cut and its tail read
 * as a line.  A comment, however long, must never fail a file.
 */
static void test_source__long_comment_line_is_ignored(void **state)
{
	char text[1024], path[512];
	struct pl_source *src;
	struct pl_diag d;
	size_t n;
	enum pl_err err;

	n = (size_t)snprintf(text, sizeof(text), "; ");
	memset(text + n, 'c', 300);
	n += 300;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\n" SOURCE_OK);
	err = load_text(state, "long-comment.ini", text, n, &src, &d, path);
	if (err)
		fail_msg("long comment: line %ld: %s", d.line, d.msg);
	assert_string_equal(src->name, "lundby");
	pl_source_free(src);
}

/* Same cause: a value line over the limit cannot be read whole by libinih;
 * it must at least be refused at its own line, saying why. */
static void test_source__overlong_value_line_is_refused_at_its_line(void **state)
{
	char text[1024], path[512];
	struct pl_source *src;
	struct pl_diag d;
	size_t n;

	/* line 6: 30 aliases of 8 bytes, a value of 300 bytes */
	n = (size_t)snprintf(text, sizeof(text), SOURCE_OK "[columns]\nsex = ");
	for (int i = 0; i < 30; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%sKolumn%02d", i ? " | " : "", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\nbirth_year = Ar\n");
	assert_int_equal(load_text(state, "long-aliases.ini", text, n, &src, &d, path), PL_ECONFIG);
	if (d.line != 6 || !strstr(d.msg, "longer than"))
		fail_msg("line %ld: '%s', want line 6 and 'longer than'", d.line, d.msg);
}

/* The ingest digest of full_file with extra appended (or, with at and to,
 * the first occurrence of at replaced by to), and its whole-file digest. */
static void digests_of(void **state, const char *at, const char *to, const char *extra,
		       char ingest[PL_SHA256_HEX], char whole[PL_SHA256_HEX])
{
	char text[4096], path[512];
	const char *p = at ? strstr(full_file, at) : NULL;
	struct pl_source *src;
	struct pl_diag d;
	int n;

	if (at)
		assert_non_null(p);
	n = p ? snprintf(text, sizeof(text), "%.*s%s%s%s", (int)(p - full_file), full_file, to,
			 p + strlen(at), extra)
	      : snprintf(text, sizeof(text), "%s%s", full_file, extra);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	assert_int_equal(load_text(state, "digest.ini", text, (size_t)n, &src, &d, path), PL_OK);
	assert_int_equal(strlen(src->ingest_sha256), 64);
	memcpy(ingest, src->ingest_sha256, PL_SHA256_HEX);
	memcpy(whole, src->sha256, PL_SHA256_HEX);
	pl_source_free(src);
}

/* The ingest digest covers [source], [dialect] and [columns] only: an edit
 * elsewhere (comments, recoding, dates) keeps it, and re-maps without
 * re-ingesting; an edit of what ingest reads changes it. */
static void test_source__ingest_digest_covers_what_ingest_reads(void **state)
{
	static const char *const same[][3] = {
		{ NULL, NULL, "; a comment at the end\n" },
		{ NULL, NULL, "\n[recode intervention]\nHVB = INST\n" },
		{ NULL, NULL, "\n[dates]\nformats = YYYY-MM-DD\n" },
		{ "# the other comment style\n", "# another comment\n\n", "" },
		{ "[Dialect]\n", "[DIALECT]\n", "" },
		{ "quote = single\n", "quote =   single\n", "" },
		{ "Encoding = windows-1252\n", "encoding = windows-1252\n", "" },
	};
	static const char *const other[][3] = {
		{ "max_field_bytes = 1000\n", "max_field_bytes = 1001\n", "" },
		{ "sex = K\xC3\xB6n\n", "sex = K\xC3\xB6n | Sex\n", "" },
		{ "name = lundby_treserva\n", "name = lundby\n", "" },
		{ "cost_sek = Kostnad (kr)\n", "", "" },
	};
	char base[PL_SHA256_HEX], base_whole[PL_SHA256_HEX];
	char ingest[PL_SHA256_HEX], whole[PL_SHA256_HEX];

	digests_of(state, NULL, NULL, "", base, base_whole);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		digests_of(state, same[i][0], same[i][1], same[i][2], ingest, whole);
		if (strcmp(ingest, base) != 0 || strcmp(whole, base_whole) == 0)
			fail_msg("same case %zu: the ingest digest must stay, the file's change", i);
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		digests_of(state, other[i][0], other[i][1], other[i][2], ingest, whole);
		if (strcmp(ingest, base) == 0)
			fail_msg("other case %zu: the ingest digest must change", i);
	}
}

static void test_source__free_null_is_noop(void **state)
{
	(void)state;
	pl_source_free(NULL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_source__full_file_every_field),
		T(test_source__defaults),
		T(test_source__dialect_names_and_limits_accepted),
		T(test_source__names_are_case_insensitive),
		T(test_source__aliases_folded_and_split),
		T(test_source__unknown_section_key_or_field),
		T(test_source__duplicated_keys),
		T(test_source__bad_values),
		T(test_source__missing_required_keys),
		T(test_source__line_numbers_survive_comments_crlf_and_no_final_newline),
		T(test_source__unclosed_section_heading_reported_at_its_line),
	T(test_source__file_level_errors),
		T(test_source__claims_globs_case_insensitively),
		T(test_source_set__sorted_by_file_name),
		T(test_source_set__duplicate_source_name_refused),
		T(test_source_set__empty_or_missing_dir_refused),
		T(test_source_set__one_bad_file_fails_the_set),
		T(test_source__long_comment_line_is_ignored),
		T(test_source__overlong_value_line_is_refused_at_its_line),
		T(test_source__ingest_digest_covers_what_ingest_reads),
		T(test_source__free_null_is_noop),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}

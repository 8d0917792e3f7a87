/*
 * tests/fuzz/fuzz_mapping.c - libFuzzer target for lib/source (mapping
 * files) and lib/inifile beneath it.
 *
 * Input: a mapping file, optionally followed by a line "%%" and a code list
 * file.  A private temporary directory holds the mapping as m.ini, the code
 * list (if any) as codelists/fuzz.ini, and small copies of the shared code
 * lists as codelists/{sex,intervention,provider,substance,children}_sv.ini,
 * so "[codelists] sex = codelists/sex_sv.ini" resolves as in mappings/.
 *
 * pl_source_load() then pl_source_check_mapping(); invariants (abort()):
 *   - failure: *out is NULL, the diag has an error class, a message and a
 *     file; the class is a configuration error (or an I/O error about a
 *     code list path that is not a readable file)
 *   - success: name, district and at least one file pattern; every recode
 *     entry's code is in the field's code list, its value is folded (a fixed
 *     point of pl_fold), the table is sorted without duplicates, and
 *     pl_recode_lookup() finds every entry and returns that entry's code;
 *     date formats pass pl_date_format_check(); numbers within their limits
 *   - pl_source_check_mapping(), pl_source_claims(), the footer, reserve and
 *     rule expressions and the date formats run on sample values
 */
#define _POSIX_C_SOURCE 200809L
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"
#include "source.h"
#include "value.h"
#include "fixture.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_mapping: invariant failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static char ini_path[300], cl_path[300];
static struct pl_buf fold;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The target's own files, at exit before the fixture's directory. */
static void remove_files(void)
{
	unlink(ini_path);
	unlink(cl_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_make_dir("fuzz_mapping");
	atexit(remove_files);
	snprintf(ini_path, sizeof(ini_path), "%s/m.ini", fuzz_dir);
	snprintf(cl_path, sizeof(cl_path), "%s/fuzz.ini", fuzz_cl_dir);
	pl_buf_init(&fold);
	return 0;
}

static void check_source(const struct pl_source *src)
{
	static const char *const names[] = {
		"lundby_2024.csv", "x.csv", ".hidden.csv", "A.CSV", "", "dir/x.csv"
	};
	static const char *const dates[] = {
		"2024-01-31", "31.01.2024", "20240131", "31/01/2024", "2024-01-31 12:00:00", "1/2/2024"
	};
	struct pl_diag d;

	CHECK(src->name && *src->name && src->district && *src->district);
	CHECK(pl_code_valid(PL_CL_DISTRICT, src->district));
	CHECK(src->n_patterns > 0);
	for (size_t i = 0; i < src->n_patterns; i++)
		CHECK(src->patterns[i] && *src->patterns[i]);
	CHECK(src->header_line >= 1 && src->header_line <= 1000);
	CHECK(src->header_lines >= 1 && src->header_lines <= PL_MAX_HEADER_LINES);
	CHECK(src->n_fields >= 0 && src->n_fields <= 4096);
	CHECK(src->max_field_bytes >= 1 && src->max_field_bytes <= (size_t)PL_LIMIT_MAX_FIELD_BYTES);
	CHECK(src->decimal == '.' || src->decimal == ',');
	CHECK(src->delimiter == ',' || src->delimiter == ';' || src->delimiter == '\t' ||
	      src->delimiter == '|');
	CHECK(src->quote == '"' || src->quote == '\'');
	CHECK(src->n_date_formats <= PL_MAX_DATE_FORMATS);
	for (size_t i = 0; i < src->n_date_formats; i++) {
		char why[160];
		struct pl_date dt;

		CHECK(pl_date_format_check(src->date_formats[i], why, sizeof(why)) == 0);
		for (size_t k = 0; k < sizeof(dates) / sizeof(dates[0]); k++)
			if (pl_date_parse(dates[k], src->date_formats[i], &dt) == 0)
				CHECK(pl_date_valid(dt.year, dt.month, dt.day));
	}
	CHECK(strlen(src->reference_date) == 0 || strlen(src->reference_date) == 10);
	for (int f = 0; f < PL_F__COUNT; f++) {
		const struct pl_field_spec *spec = &src->fields[f];
		int cl = pl_field_codelist((enum pl_field)f);

		for (size_t i = 0; i < src->columns[f].n_names; i++) {
			const char *n = src->columns[f].names[i];

			pl_fold(n, strlen(n), &fold);
			CHECK(strcmp(fold.data, n) == 0);
		}
		if (spec->n_recode)
			CHECK(cl >= 0);
		for (size_t i = 0; i < spec->n_recode; i++) {
			const struct pl_recode *e = &spec->recode[i];

			CHECK(pl_code_valid((enum pl_codelist)cl, e->code));
			CHECK(e->line != 0);
			pl_fold(e->from, strlen(e->from), &fold);
			CHECK(strcmp(fold.data, e->from) == 0);
			if (i > 0)
				CHECK(strcmp(spec->recode[i - 1].from, e->from) < 0);
			CHECK(pl_recode_lookup(spec, e->from) == e->code);
		}
		if (spec->unmapped)
			CHECK(cl >= 0 && pl_code_valid((enum pl_codelist)cl, spec->unmapped));
		if (spec->blank)
			CHECK(cl >= 0 && pl_code_valid((enum pl_codelist)cl, spec->blank));
		if (spec->constant)
			CHECK(cl >= 0 && pl_code_valid((enum pl_codelist)cl, spec->constant));
		(void)pl_recode_lookup(spec, "");
		(void)pl_recode_lookup(spec, "zzz");
	}
	for (size_t i = 0; i < src->n_rules; i++) {
		const struct pl_rule *r = &src->rules[i];

		CHECK(r->name && r->column && r->pattern && r->to && r->field >= 0);
		CHECK(pl_field_kind((enum pl_field)r->field) == PL_KIND_CODE);
		(void)regexec(&r->re, "LVM", 0, NULL, 0);
	}
	if (src->footer)
		(void)regexec(&src->footer_re, "Summa;;;12 345,50", 0, NULL, 0);
	if (src->reserve)
		(void)regexec(&src->reserve_re, "LR-123456", 0, NULL, 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)pl_source_claims(src, names[i]);
	pl_diag_clear(&d);
	if (pl_source_check_mapping(src, &d) != PL_OK)
		CHECK(d.err == PL_ECONFIG && d.msg[0] && d.line >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n%%\n";
	const uint8_t *cl = NULL;
	size_t map_len = size, cl_len = 0;
	struct pl_source *src = (struct pl_source *)(uintptr_t)1;
	struct pl_diag d;
	enum pl_err err;

	for (size_t i = 0; i + sizeof(sep) - 1 <= size; i++) {
		if (memcmp(data + i, sep, sizeof(sep) - 1) == 0) {
			map_len = i + 1;
			cl = data + i + sizeof(sep) - 1;
			cl_len = size - (i + sizeof(sep) - 1);
			break;
		}
	}
	fuzz_write_file(ini_path, data, map_len);
	if (cl)
		fuzz_write_file(cl_path, cl, cl_len);
	else
		unlink(cl_path);

	pl_diag_clear(&d);
	err = pl_source_load(ini_path, &src, &d);
	if (err != PL_OK) {
		CHECK(src == NULL);
		CHECK(d.err == err && d.msg[0] && d.file[0] && d.line >= 0);
		CHECK(err == PL_ECONFIG || (err == PL_EIO && strcmp(d.file, ini_path) != 0));
		return 0;
	}
	CHECK(src && src != (struct pl_source *)(uintptr_t)1);
	CHECK(strcmp(src->path, ini_path) == 0);
	check_source(src);
	pl_source_free(src);
	return 0;
}

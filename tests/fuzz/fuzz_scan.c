/*
 * tests/fuzz/fuzz_scan.c - libFuzzer target for the scan stage's work
 * (scan/scan.c): sniffing an unknown export and drafting its mapping file.
 *
 * Input: the export's bytes, written to export_2025.csv in a private
 * temporary directory that also holds small copies of the shared code lists.
 * scan_draft() runs on it; invariants (abort()):
 *   - it returns PL_OK or PL_EDATA (a file that cannot be read as text),
 *     with a message for PL_EDATA
 *   - PL_OK: the draft is valid UTF-8 without NUL bytes; its TODOs (values
 *     that are TODO; an export's header may say TODO too) number the
 *     summary's n_todo; and once every TODO is
 *     filled in as the draft's header tells the analyst to (district, and
 *     codes in [recode F]; a [columns] TODO is a column name and may stay),
 *     pl_source_load() accepts it and the source claims the export
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "scan/scan.h"
#include "schema.h"
#include "source.h"
#include "fixture.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_scan: invariant failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static char csv_path[300], ini_path[300];
static struct pl_buf draft, filled;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The target's own files, at exit before the fixture's directory. */
static void remove_files(void)
{
	unlink(ini_path);
	unlink(csv_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_make_dir("fuzz_scan");
	atexit(remove_files);
	snprintf(csv_path, sizeof(csv_path), "%s/export_2025.csv", fuzz_dir);
	snprintf(ini_path, sizeof(ini_path), "%s/draft.ini", fuzz_dir);
	pl_buf_init(&draft);
	pl_buf_init(&filled);
	pl_log_setup("scan", PL_LOG_ERROR, NULL);
	return 0;
}

/* The TODO a draft line leaves for the analyst, or NULL: the value after
 * the line's first '=' is TODO, alone or before a comment.  In [columns] only
 * after scan's "; no column looks like" comment: otherwise a TODO there is
 * the export's own header name. */
static const char *todo_of(const char *line, size_t len, const char *section, int after_hint)
{
	const char *eq = memchr(line, '=', len), *v;

	if (line[0] == ';' || line[0] == '[' || !eq)
		return NULL;
	if (strcmp(section, "columns") == 0 && !after_hint)
		return NULL;
	for (v = eq + 1; v < line + len && *v == ' '; v++)
		;
	if ((size_t)(line + len - v) < 4 || memcmp(v, "TODO", 4) != 0)
		return NULL;
	if (v + 4 < line + len && v[4] != '\n' && v[4] != ' ')
		return NULL;
	return v;
}

/* Copies the draft into filled with its TODOs filled in; returns the number
 * of TODOs. */
static long fill_todos(const char *text)
{
	char section[128] = "";
	long n_todo = 0;
	int after_hint = 0;

	pl_buf_reset(&filled);
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		const char *todo = todo_of(line, len, section, after_hint);

		if (line[0] == '[') {
			const char *end = memchr(line, ']', len);

			if (end && (size_t)(end - line - 1) < sizeof(section)) {
				memcpy(section, line + 1, (size_t)(end - line - 1));
				section[end - line - 1] = '\0';
			}
		}
		after_hint = strncmp(line, "; no column looks like", 22) == 0;
		if (!todo) {
			pl_buf_append(&filled, line, len);
			line += len;
			continue;
		}
		n_todo++;
		pl_buf_append(&filled, line, (size_t)(todo - line));
		if (strcmp(section, "source") == 0) {
			pl_buf_append(&filled, "LUNDBY", 6);
		} else if (strncmp(section, "recode ", 7) == 0) {
			int f = pl_field_lookup(section + 7);
			int cl = f >= 0 ? pl_field_codelist((enum pl_field)f) : -1;

			CHECK(cl >= 0);
			pl_buf_printf(&filled, "%s", pl_codes((enum pl_codelist)cl)[0]);
		} else {
			CHECK(strcmp(section, "columns") == 0);
			pl_buf_append(&filled, "TODO", 4);
		}
		pl_buf_append(&filled, todo + 4, len - (size_t)(todo + 4 - line));
		line += len;
	}
	return n_todo;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_opts o = { 0 };
	struct scan_summary sum;
	struct pl_source *src = NULL;
	struct pl_diag d;
	enum pl_err err;

	fuzz_write_file(csv_path, data, size);
	o.path = csv_path;
	o.codelist_dir = fuzz_cl_dir;
	o.codelists_required = 1;
	o.today = "2199-12-31"; /* identity numbers of the seeds: born after 2100 */
	memset(&sum, 0, sizeof(sum));
	pl_diag_clear(&d);
	err = scan_draft(&o, &draft, &sum, &d);
	if (err) {
		CHECK(err == PL_EDATA);
		CHECK(d.msg[0]);
		return 0;
	}
	CHECK(strlen(draft.data) == draft.len);
	CHECK(pl_utf8_valid(draft.data, draft.len, NULL));
	CHECK(fill_todos(draft.data) == sum.n_todo);
	fuzz_write_file(ini_path, filled.data, filled.len);
	pl_diag_clear(&d);
	err = pl_source_load(ini_path, &src, &d);
	if (err) {
		fprintf(stderr, "fuzz_scan: the filled draft does not load: %s:%ld: %s\n",
			d.file, d.line, d.msg);
		CHECK(err == PL_OK);
	}
	CHECK(pl_source_claims(src, "export_2025.csv"));
	pl_source_free(src);
	return 0;
}

/*
 * tests/fuzz/fuzz_csvread.c - libFuzzer target for lib/csvread (and the
 * decoding and folding ingest applies to every field, lib/text).
 *
 * Input: four header bytes choose the dialect, then the file's bytes.
 *   byte 0  bits 0-1 delimiter , ; TAB |   bit 2 quote " or '
 *           bit 3 strip the UTF-8 BOM       bits 4-5 skip_lines 0 1 2 4
 *           bits 6-7 reserved
 *   byte 1  bits 0-2 max_field_bytes   bits 3-4 max_fields 0(=4096) 1 2 3
 *           bits 5-7 drain: after that many events call pl_csv_drain (0 never)
 *   byte 2  where the boundary falls in the fuzzed bytes (padding only)
 *   byte 3  padding, when its top six bits are 101001 (0xA4..0xA7): bits
 *           0-1 choose none, one long line, an open quoted field, or blank
 *           lines -- put in front of the fuzzed bytes so that they straddle
 *           the reader's 64 KiB buffer boundary.  (Rare, as padded runs are
 *           slow; the fuzzer finds the value through its comparison hints.)
 *
 * The bytes are written to a file (the reader takes a path), read record
 * by record, and every invariant below is checked; a violation abort()s.
 *   - no PL_CSV_ERROR on a regular file; events end
 *   - every record: line >= 1, strictly after the previous one, n_lines >= 1,
 *     line + n_lines - 1 <= stats.lines; n_kept <= n_fields and max_fields;
 *     each kept field NUL-terminated at lens[i] <= max_field_bytes;
 *     too_long <=> field_idx in [0, n_fields)
 *   - bad records name one of the three reason codes and a reason
 *   - stats.lines = number of LF, + 1 if the file does not end with LF
 *     (the file without a stripped BOM: a lone BOM is no line);
 *     skipped_lines = min(skip_lines, lines); blank_lines fit;
 *     the BOM is reported as it is in the bytes
 *   - stats.sha256 equals pl_sha256_file() of the same file
 *   - decoding every kept field in each encoding: UTF-8 succeeds exactly
 *     when the bytes are valid UTF-8 and gives them back unchanged;
 *     ISO-8859-1 always succeeds; any output is valid UTF-8, NUL-terminated
 *     at out_len; a failure's offset lies inside the field
 *   - pl_fold of decoded text is valid UTF-8 and a fixed point of pl_fold
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvread.h"
#include "secret.h"
#include "text.h"

#define PAD_BASE (65536 - 128)
#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_csvread: invariant failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static char path[256];
static struct pl_decoder decoders[4];
static struct pl_buf fold1, fold2, file;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void remove_file(void) { unlink(path); }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const enum pl_encoding encs[4] = {
		PL_ENC_UTF8, PL_ENC_UTF8_BOM, PL_ENC_CP1252, PL_ENC_LATIN1
	};
	const char *tmp = getenv("TMPDIR");
	struct pl_diag d;

	(void)argc;
	(void)argv;
	if (pl_secret_init(&d) != PL_OK)
		abort();
	snprintf(path, sizeof(path), "%s/fuzz_csvread.%ld.csv", tmp && *tmp ? tmp : "/tmp",
		 (long)getpid());
	atexit(remove_file);
	for (int i = 0; i < 4; i++)
		if (pl_decoder_init(&decoders[i], encs[i], &d) != PL_OK)
			abort();
	pl_buf_init(&fold1);
	pl_buf_init(&fold2);
	pl_buf_init(&file);
	return 0;
}

static void check_text(const char *s, size_t len)
{
	CHECK(pl_utf8_valid(s, len, NULL));
	pl_fold(s, len, &fold1);
	CHECK(pl_utf8_valid(fold1.data, fold1.len, NULL));
	pl_fold(fold1.data, fold1.len, &fold2);
	CHECK(fold1.len == fold2.len && memcmp(fold1.data, fold2.data, fold1.len) == 0);
}

static void check_field(const char *f, size_t len)
{
	size_t utf8_bad = 0;
	int utf8_ok = pl_utf8_valid(f, len, &utf8_bad);
	long ctl = pl_find_control(f, len);

	CHECK(ctl >= -1 && ctl < (long)len);
	CHECK(utf8_ok || utf8_bad < len);
	for (int i = 0; i < 4; i++) {
		size_t out_len = (size_t)-1, bad = (size_t)-1;
		const char *out = pl_decode(&decoders[i], f, len, &out_len, &bad);

		if (!out) {
			CHECK(bad < len);
			CHECK(decoders[i].enc != PL_ENC_LATIN1);
			if (decoders[i].enc == PL_ENC_UTF8 || decoders[i].enc == PL_ENC_UTF8_BOM)
				CHECK(!utf8_ok && bad == utf8_bad);
			continue;
		}
		CHECK(out[out_len] == '\0');
		CHECK(out_len <= 3 * len);
		if (decoders[i].enc == PL_ENC_UTF8 || decoders[i].enc == PL_ENC_UTF8_BOM) {
			CHECK(utf8_ok);
			CHECK(out_len == len && memcmp(out, f, len) == 0);
		}
		if (decoders[i].enc == PL_ENC_LATIN1)
			CHECK(out_len >= len && out_len <= 2 * len);
		check_text(out, out_len);
	}
}

static void build_file(const uint8_t *data, size_t size, int pad_mode, size_t pad_len,
		       char quote)
{
	pl_buf_reset(&file);
	switch (pad_mode) {
	case 1: /* one long unquoted field, ending the line */
		pl_buf_grow(&file, pad_len);
		memset(file.data, 'x', pad_len - 1);
		file.data[pad_len - 1] = '\n';
		file.len = pad_len;
		break;
	case 2: /* a quoted field left open: the fuzzed bytes continue it */
		pl_buf_grow(&file, pad_len);
		file.data[0] = quote;
		memset(file.data + 1, 'x', pad_len - 1);
		file.len = pad_len;
		break;
	case 3: /* blank lines */
		pl_buf_grow(&file, pad_len);
		memset(file.data, '\n', pad_len);
		file.len = pad_len;
		break;
	default:
		break;
	}
	pl_buf_append(&file, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[4] = { ',', ';', '\t', '|' };
	static const long skips[4] = { 0, 1, 2, 4 };
	static const size_t max_bytes[8] = { 1, 2, 3, 8, 64, 1000, 65535, 65536 };
	struct pl_csv_opts o = { 0 };
	struct pl_csv_reader *r;
	struct pl_csv_record rec;
	struct pl_diag d;
	const struct pl_csv_stats *st;
	char want_sha[PL_SHA256_HEX];
	enum pl_csv_event ev;
	long prev_line = 0, max_end = 0, n_events = 0, n_lf = 0, want_lines;
	size_t eff_max_fields, bom_len;
	int pad_mode, drain_after;
	FILE *fp;

	if (size < 4)
		return 0;
	o.delimiter = delims[data[0] & 3];
	o.quote = (data[0] & 4) ? '\'' : '"';
	o.strip_utf8_bom = (data[0] >> 3) & 1;
	o.skip_lines = skips[(data[0] >> 4) & 3];
	pad_mode = (data[3] & 0xFC) == 0xA4 ? data[3] & 3 : 0;
	o.max_field_bytes = max_bytes[data[1] & 7];
	o.max_fields = (data[1] >> 3) & 3;
	drain_after = data[1] >> 5;
	eff_max_fields = o.max_fields ? o.max_fields : 4096;
	build_file(data + 4, size - 4, pad_mode, PAD_BASE + data[2], o.quote);

	fp = fopen(path, "wb");
	if (!fp || (file.len && fwrite(file.data, 1, file.len, fp) != file.len) || fclose(fp) != 0)
		abort();
	for (size_t i = 0; i < file.len; i++)
		n_lf += file.data[i] == '\n';
	bom_len = o.strip_utf8_bom && file.len >= 3 && memcmp(file.data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	want_lines = n_lf + (file.len > bom_len && file.data[file.len - 1] != '\n');

	pl_diag_clear(&d);
	r = pl_csv_open(path, &o, &d);
	CHECK(r != NULL);
	while ((ev = pl_csv_next(r, &rec, &d)) != PL_CSV_END) {
		CHECK(ev == PL_CSV_RECORD || ev == PL_CSV_BAD);
		n_events++;
		CHECK(n_events <= want_lines + 1);
		CHECK(rec.line >= 1 && rec.line > prev_line);
		CHECK(rec.n_lines >= 1);
		prev_line = rec.line;
		if (rec.line + rec.n_lines - 1 > max_end)
			max_end = rec.line + rec.n_lines - 1;
		if (ev == PL_CSV_BAD) {
			CHECK(rec.code && rec.reason && *rec.reason);
			CHECK(strcmp(rec.code, "malformed_quote") == 0 ||
			      strcmp(rec.code, "unterminated_quote") == 0 ||
			      strcmp(rec.code, "field_too_long") == 0);
		} else {
			CHECK(rec.n_kept <= rec.n_fields && rec.n_kept <= eff_max_fields);
			CHECK(rec.n_fields >= 1);
			CHECK(rec.too_long ? rec.field_idx >= 0 && (size_t)rec.field_idx < rec.n_fields
					   : rec.field_idx == -1);
			for (size_t i = 0; i < rec.n_kept; i++) {
				CHECK(rec.lens[i] <= o.max_field_bytes);
				CHECK(rec.fields[i][rec.lens[i]] == '\0');
				check_field(rec.fields[i], rec.lens[i]);
			}
			(void)pl_csv_record_is_empty(&rec);
		}
		if (drain_after && n_events == drain_after) {
			CHECK(pl_csv_drain(r, &d) == PL_OK);
			break;
		}
	}
	st = pl_csv_stats(r);
	CHECK(st->lines == want_lines);
	CHECK(max_end <= st->lines);
	CHECK(st->skipped_lines == (o.skip_lines < want_lines ? o.skip_lines : want_lines));
	CHECK(st->blank_lines >= 0 && st->blank_lines + st->skipped_lines <= st->lines);
	if (file.len >= 3 && memcmp(file.data, "\xEF\xBB\xBF", 3) == 0)
		CHECK(st->bom == PL_BOM_UTF8);
	else if (file.len >= 2 && (memcmp(file.data, "\xFF\xFE", 2) == 0 ||
				   memcmp(file.data, "\xFE\xFF", 2) == 0))
		CHECK(st->bom == PL_BOM_UTF16);
	else
		CHECK(st->bom == PL_BOM_NONE);
	CHECK(pl_sha256_file(path, want_sha, &d) == PL_OK);
	CHECK(strcmp(st->sha256, want_sha) == 0);
	/* after the end, the reader stays at the end */
	CHECK(pl_csv_next(r, &rec, &d) == PL_CSV_END);
	pl_csv_close(r);
	return 0;
}

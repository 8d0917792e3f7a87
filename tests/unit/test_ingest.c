/*
 * tests/unit/test_ingest.c - the ingest stage through its entry,
 * ingest_run (one source, "count": files count*.csv, semicolons, the
 * identity number sealed):
 *
 * - every row accounted for: rows read = kept + rejected, in the summary
 *   and in input_file; a row with too few or too many fields is a reject
 *   (field_count) with its line; the kept rows in raw_row, the sealed
 *   column empty there, its values in raw_sealed;
 * - a run with nothing changed reads nothing (unchanged); a file whose
 *   content changed is read again and its rows replaced, under the name's
 *   row;
 * - a file no source claims is registered 'unclaimed' and the run returns
 *   PL_EDATA, the other files ingested; a byte-identical copy of an
 *   ingested file under another name is a 'duplicate' and adds no row;
 * - each run's counts, through ingest_summary_line.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include "db.h"
#include "log.h"
#include "unit_db.h"
#include "unit_stage.h"
#include "ingest/ingest.h"

static const char mapping[] =
	"[source]\nname = count\ndistrict = CENTRUM\nfiles = count*.csv\n"
	"[dialect]\ndelimiter = semicolon\n"
	"[columns]\nidentity_number = Personnummer\n";

static const char first_csv[] =
	"Personnummer;Insats;Kommentar\n"
	"00000000-0001;OPEN;ok\n"          /* 2 */
	"00000000-0002;OPEN\n"             /* 3: too few fields */
	"00000000-0003;INST;x;extra\n"     /* 4: too many */
	"00000000-0004;HVB;fine\n";        /* 5 */

static int setup(void **state)
{
	struct unit_stage *f = calloc(1, sizeof(*f));

	if (!f || unit_stage_open(f, "ingest", PL_LOG_ERROR) != 0)
		return -1;
	unit_stage_put(f->maps, "count.ini", mapping);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	unit_stage_close(*state);
	free(*state);
	return 0;
}

static enum pl_err run_ingest(struct unit_stage *f, struct ingest_summary *s)
{
	struct ingest_opts o = { f->input, f->maps, f->db, f->key, NULL, 0 };

	return ingest_run(&o, s, &f->d);
}

/* Asserts every count of the summary s, through the line the stage logs. */
static void expect_summary(const struct ingest_summary *s, const char *want)
{
	char line[256];

	ingest_summary_line(s, line, sizeof(line));
	assert_string_equal(line, want);
}

static void test_ingest__every_row_accounted_for(void **state)
{
	struct unit_stage *f = *state;
	struct ingest_summary s;

	unit_stage_put(f->input, "count.csv", first_csv);
	assert_int_equal(run_ingest(f, &s), PL_OK);
	expect_summary(&s, "1 files: 1 ingested, 0 unchanged, 0 duplicate, 0 failed; "
		       "4 rows read, 2 kept, 2 rejected");
	unit_assert_rows(f->db, "SELECT name, status, rows_read, rows_kept, rows_rejected "
			 "FROM input_file", "count.csv|ok|4|2|2");
	unit_assert_rows(f->db, "SELECT line, stage, code FROM reject ORDER BY line",
			 "3|ingest|field_count 4|ingest|field_count");
	/* the sealed column is empty in raw_row; its values are in raw_sealed */
	unit_assert_rows(f->db, "SELECT line, replace(fields, char(31), '|') FROM raw_row "
			 "ORDER BY line", "2||OPEN|ok 5||HVB|fine");
	unit_assert_rows(f->db, "SELECT count(*) > 0, sum(instr(CAST(blob AS TEXT), "
			 "'00000000-0001')) FROM raw_sealed", "1|0");
}

static void test_ingest__unchanged_then_replaced(void **state)
{
	struct unit_stage *f = *state;
	struct ingest_summary s;
	char got[512], before[512];

	unit_stage_put(f->input, "count.csv", first_csv);
	assert_int_equal(run_ingest(f, &s), PL_OK);
	unit_query_rows(f->db, "SELECT file_id, sha256 FROM input_file", before, sizeof(before));
	assert_int_equal(run_ingest(f, &s), PL_OK);
	expect_summary(&s, "1 files: 0 ingested, 1 unchanged, 0 duplicate, 0 failed; "
		       "0 rows read, 0 kept, 0 rejected");
	/* a corrected export under the same name: its rows replaced */
	unit_stage_put(f->input, "count.csv", "Personnummer;Insats;Kommentar\n"
		       "00000000-0001;OPEN;ok\n00000000-0002;OPEN;now whole\n"
		       "00000000-0009;LVM;new\n");
	assert_int_equal(run_ingest(f, &s), PL_OK);
	expect_summary(&s, "1 files: 1 ingested, 0 unchanged, 0 duplicate, 0 failed; "
		       "3 rows read, 3 kept, 0 rejected");
	unit_assert_rows(f->db, "SELECT count(*), min(name), min(rows_kept), min(rows_rejected) "
			 "FROM input_file", "1|count.csv|3|0");
	unit_assert_rows(f->db, "SELECT line, replace(fields, char(31), '|') FROM raw_row "
			 "ORDER BY line", "2||OPEN|ok 3||OPEN|now whole 4||LVM|new");
	unit_assert_rows(f->db, "SELECT count(*) FROM reject", "0");
	unit_query_rows(f->db, "SELECT file_id, sha256 FROM input_file", got, sizeof(got));
	assert_string_not_equal(got, before);     /* another content */
}

static void test_ingest__unclaimed_and_duplicate(void **state)
{
	struct unit_stage *f = *state;
	struct ingest_summary s;
	unit_stage_put(f->input, "count.csv", first_csv);
	unit_stage_put(f->input, "count_copy.csv", first_csv);
	unit_stage_put(f->input, "other.csv", "a;b\n1;2\n");
	assert_int_equal(run_ingest(f, &s), PL_EDATA);
	expect_summary(&s, "3 files: 1 ingested, 0 unchanged, 1 duplicate, 1 failed; "
		       "4 rows read, 2 kept, 2 rejected");
	unit_assert_rows(f->db, "SELECT name, status FROM input_file ORDER BY name",
			 "count.csv|ok count_copy.csv|duplicate other.csv|unclaimed");
	unit_assert_rows(f->db, "SELECT count(*) FROM raw_row", "2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ingest__every_row_accounted_for, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ingest__unchanged_then_replaced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ingest__unclaimed_and_duplicate, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

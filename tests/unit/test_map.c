/*
 * tests/unit/test_map.c - the map stage through its entry, map_run, on a
 * file ingested by ingest_run (one source, "inc", eight data rows):
 *
 * - a first mapping: every row an episode or a reject, the summary's
 *   counts and line, nothing mapped "again";
 * - a file mapped again is mapped in place (schema version 12): triggers
 *   the test puts on episode see exactly the rows map writes: only the
 *   episodes whose values changed are updated, the rows the old mapping
 *   rejected inserted, the rows rejected now deleted, and none of the
 *   others touched; the summary counts them, and its line says so;
 * - what map logs for the indicators stage: an episode updated or deleted
 *   that has a person, its person in person_change and its row before the
 *   change in episode_before (a second change keeps the first); an
 *   episode inserted, old_key 0; an episode with no person, nothing;
 * - map_summary_line with and without files mapped again.
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
#include "map/map.h"

static const char mapping_head[] =
	"[source]\nname = inc\ndistrict = LUNDBY\nfiles = inc.csv\n"
	"[columns]\nsex = Kon\nintervention = Insats\nstart_date = Start\n"
	"[dates]\nformats = YYYY-MM-DD\n"
	"[recode sex]\nK = F\nM = M\n";

static const char rows[] =
	"Kon,Insats,Start\n"
	"K,Open,2024-01-01\n"      /* 2 */
	"M,Inst,2024-01-02\n"      /* 3 */
	"K,Open,2024-01-03\n"      /* 4 */
	"K,Aku,2024-01-04\n"       /* 5: unmapped at first */
	"K,Open,2024-01-05\n"      /* 6 */
	"M,Open,2024-01-07\n"      /* 7 */
	"K,Aku,2024-01-08\n"       /* 8: unmapped at first */
	"M,Inst,2024-01-09\n";     /* 9 */

struct fx {
	struct unit_stage st;         /* first: the stage's fixture */
	char ini[320];
};

/* The mapping file: the head, then the [recode intervention] entries. */
static void write_mapping(struct fx *f, const char *recode)
{
	FILE *out = fopen(f->ini, "w");

	assert_non_null(out);
	fprintf(out, "%s[recode intervention]\n%s", mapping_head, recode);
	assert_int_equal(fclose(out), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || unit_stage_open(&f->st, "map", PL_LOG_INFO) != 0)
		return -1;
	snprintf(f->ini, sizeof(f->ini), "%s/inc.ini", f->st.maps);
	unit_stage_put(f->st.input, "inc.csv", rows);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	unit_stage_close(&f->st);
	free(f);
	return 0;
}

static void run_ingest(struct fx *f)
{
	struct ingest_opts o = { f->st.input, f->st.maps, f->st.db, f->st.key, NULL, 0 };
	struct ingest_summary s;

	assert_int_equal(ingest_run(&o, &s, &f->st.d), PL_OK);
}

static void run_map(struct fx *f, struct map_summary *s)
{
	struct map_opts o = { f->st.maps, f->st.db, f->st.key, "2026-01-15" };

	assert_int_equal(map_run(&o, s, &f->st.d), PL_OK);
}

/* Triggers that note every row map writes to episode, by kind and line. */
static const char watch_sql[] =
	"CREATE TABLE written (kind TEXT, line INTEGER);"
	"CREATE TRIGGER w_ins AFTER INSERT ON episode BEGIN "
	"  INSERT INTO written VALUES ('ins', NEW.line); END;"
	"CREATE TRIGGER w_upd AFTER UPDATE ON episode BEGIN "
	"  INSERT INTO written VALUES ('upd', NEW.line); END;"
	"CREATE TRIGGER w_del AFTER DELETE ON episode BEGIN "
	"  INSERT INTO written VALUES ('del', OLD.line); END;";

static const char written_sql[] = "SELECT kind, line FROM written ORDER BY line, kind";
static const char episodes_sql[] =
	"SELECT line, sex, intervention FROM episode ORDER BY line";

/* The file ingested and mapped first: Open and Inst mapped, Aku not. */
static void map_first(struct fx *f, struct map_summary *s)
{
	write_mapping(f, "Open = OPEN\nInst = INST\n");
	run_ingest(f);
	run_map(f, s);
}

/* map_run after the mapping's [recode intervention] is made recode, with
 * the rows it wrote to episode (the triggers of watch_sql) into written;
 * the number of them changed, added and removed, as "c a r". */
static const char *remap(struct fx *f, const char *recode, struct map_summary *s,
			 char *written, size_t size)
{
	static char counts[64];

	unit_exec(f->st.db, "DELETE FROM written");
	write_mapping(f, recode);
	run_map(f, s);
	unit_query_rows(f->st.db, written_sql, written, size);
	snprintf(counts, sizeof(counts), "%ld %ld %ld", s->episodes_changed, s->episodes_added,
		 s->episodes_removed);
	return counts;
}

static void test_map__first_mapping(void **state)
{
	struct fx *f = *state;
	struct map_summary s;
	char line[256], log[4096];

	map_first(f, &s);
	assert_int_equal(s.files_mapped, 1);
	assert_int_equal(s.rows_read, 8);
	assert_int_equal(s.rows_kept, 6);
	assert_int_equal(s.rows_rejected, 2);
	assert_int_equal(s.files_again, 0);
	unit_stage_log(&f->st, log, sizeof(log));
	assert_non_null(strstr(log, " map I inc.csv: 8 rows mapped: 6 episodes, 2 rejected "
			       "(source inc)\n"));
	assert_null(strstr(log, "mapped again"));
	unit_assert_rows(f->st.db, episodes_sql,
			 "2|F|OPEN 3|M|INST 4|F|OPEN 6|F|OPEN 7|M|OPEN 9|M|INST");
	map_summary_line(&s, line, sizeof(line));
	assert_string_equal(line, "1 files mapped, 0 unchanged; 8 rows read, 6 episodes, "
			    "2 rejected");
	/* a second run: nothing to map */
	run_map(f, &s);
	assert_int_equal(s.files_mapped, 0);
	assert_int_equal(s.files_unchanged, 1);
}

static void test_map__again_writes_only_what_differs(void **state)
{
	struct fx *f = *state;
	struct map_summary s;
	char got[512], line[256], log[4096];

	map_first(f, &s);
	unit_exec(f->st.db, watch_sql);
	/* Inst recoded (lines 3 and 9 change), Aku mapped (5 and 8 kept now) */
	assert_string_equal(remap(f, "Open = OPEN\nInst = HOUSE\nAku = OTHER\n", &s, got,
				  sizeof(got)), "2 2 0");
	assert_string_equal(got, "upd|3 ins|5 ins|8 upd|9");
	assert_int_equal(s.files_mapped, 1);
	assert_int_equal(s.files_again, 1);
	assert_int_equal(s.rows_kept, 8);
	assert_non_null(strstr(unit_stage_log(&f->st, log, sizeof(log)), " map I inc.csv: mapped again in "
			       "place: 4 episodes as they were, 2 changed, 2 added, 0 removed\n"));
	unit_assert_rows(f->st.db, episodes_sql, "2|F|OPEN 3|M|HOUSE 4|F|OPEN 5|F|OTHER 6|F|OPEN 7|M|OPEN "
			    "8|F|OTHER 9|M|HOUSE");
	map_summary_line(&s, line, sizeof(line));
	assert_string_equal(line, "1 files mapped, 0 unchanged; 8 rows read, 8 episodes, "
			    "0 rejected; 1 mapped again in place: 2 episodes changed, 2 added, "
			    "0 removed");
	/* Open unmapped (2, 4, 6, 7 rejected: deleted), nothing else changes */
	assert_string_equal(remap(f, "Inst = HOUSE\nAku = OTHER\n", &s, got, sizeof(got)),
			    "0 0 4");
	assert_string_equal(got, "del|2 del|4 del|6 del|7");
	assert_int_equal(s.rows_rejected, 4);
	assert_non_null(strstr(unit_stage_log(&f->st, log, sizeof(log)), " map I inc.csv: mapped again in "
			       "place: 4 episodes as they were, 0 changed, 0 added, 4 removed\n"));
	/* the same mapping, a comment added: nothing written */
	assert_string_equal(remap(f, "Inst = HOUSE\nAku = OTHER\n; a comment\n", &s, got,
				  sizeof(got)), "0 0 0");
	assert_string_equal(got, "");
	assert_int_equal(s.files_again, 1);
}

static void test_map__again_logs_for_the_indicators(void **state)
{
	struct fx *f = *state;
	struct map_summary s;
	char line3[256], line7[256], both[520];

	map_first(f, &s);
	/* persons for lines 3 and 7 (as dedup would give them); 9 has none */
	unit_exec(f->st.db, "PRAGMA foreign_keys = OFF;"
		  "INSERT INTO person (person_key, person_id, basis, n_episodes, n_districts) "
		  "VALUES (1, '00000000000000000000000000000001', 'SINGLE', 1, 1),"
		  "  (2, '00000000000000000000000000000002', 'SINGLE', 1, 1);"
		  "INSERT INTO episode_person (file_id, line, person_key, step) VALUES "
		  "  (1, 3, 1, 'unlinked'), (1, 7, 2, 'unlinked');");
	unit_query_rows(f->st.db, "SELECT * FROM episode WHERE line = 3", line3, sizeof(line3));
	unit_query_rows(f->st.db, "SELECT * FROM episode WHERE line = 7", line7, sizeof(line7));
	/* Inst recoded: 3 (a person) and 9 (none) change; Aku mapped: 5, 8 added */
	write_mapping(f, "Open = OPEN\nInst = HOUSE\nAku = OTHER\n");
	run_map(f, &s);
	unit_assert_rows(f->st.db, "SELECT line, old_key FROM person_change ORDER BY line",
			 "3|1 5|0 8|0");
	unit_assert_rows(f->st.db, "SELECT * FROM episode_before ORDER BY line", line3);
	/* Inst back (3 changes again: its first before-image stays) and Open
	 * unmapped (7, a person, deleted: logged before it goes) */
	write_mapping(f, "Inst = INST\nAku = OTHER\n");
	run_map(f, &s);
	assert_int_equal(s.episodes_removed, 4);
	unit_assert_rows(f->st.db, "SELECT line, old_key FROM person_change ORDER BY line",
			 "3|1 5|0 7|2 8|0");
	snprintf(both, sizeof(both), "%s %s", line3, line7);
	unit_assert_rows(f->st.db, "SELECT * FROM episode_before ORDER BY line", both);
	/* an intervention is no value dedup reads; the deletes are noted */
	unit_assert_rows(f->st.db, "SELECT count(*) FROM episode_outside_write", "1");
}

static void test_map_summary_line__again_only_when_mapped_again(void **state)
{
	struct map_summary s = { 3, 11, 100, 90, 10, 0, 0, 0, 0 };
	char line[256];

	(void)state;
	map_summary_line(&s, line, sizeof(line));
	assert_string_equal(line, "3 files mapped, 11 unchanged; 100 rows read, 90 episodes, "
			    "10 rejected");
	s.files_again = 2;
	s.episodes_changed = 5;
	s.episodes_added = 1;
	s.episodes_removed = 7;
	map_summary_line(&s, line, sizeof(line));
	assert_string_equal(line, "3 files mapped, 11 unchanged; 100 rows read, 90 episodes, "
			    "10 rejected; 2 mapped again in place: 5 episodes changed, 1 added, "
			    "7 removed");
	map_summary_line(&s, line, 20);   /* cut, still a string */
	assert_int_equal(strlen(line), 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_map__first_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map__again_writes_only_what_differs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_map__again_logs_for_the_indicators, setup,
						teardown),
		cmocka_unit_test(test_map_summary_line__again_only_when_mapped_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

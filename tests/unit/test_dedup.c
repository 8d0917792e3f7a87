/*
 * tests/unit/test_dedup.c - dedup's settings (config.c): defaults, m_from,
 * the blocking keys including initials, the rule limit and the rule text
 * of linkage_param; and the summary line, which says where m came from.
 * The linking itself is tested on real binaries (tests/stages/t040x).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dedup/dedup.h"
#include "unit.h"

/* Writes text to linkage.ini in the test's directory and loads it. */
static enum pl_err load(void **state, const char *text, struct dedup_config *cfg,
			struct pl_diag *d)
{
	char path[512];

	unit_path(state, "linkage.ini", path, sizeof(path));
	assert_int_equal(unit_write(path, text, strlen(text)), 0);
	memset(d, 0, sizeof(*d));
	return dedup_config_load(path, cfg, d);
}

static void test_dedup__defaults_and_m_from(void **state)
{
	static const struct {
		const char *line;
		enum dedup_m_from want;
	} cases[] = {
		{ "", DM_AUTO },
		{ "m_from = auto\n", DM_AUTO },
		{ "m_from = labels\n", DM_LABELS },
		{ "m_from = EM\n", DM_EM },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dedup_config cfg;
		struct pl_diag d;
		char text[256];

		snprintf(text, sizeof(text), "[linkage]\n%s[blocking]\nrule = birth_date\n",
			 cases[i].line);
		assert_int_equal(load(state, text, &cfg, &d), PL_OK);
		assert_int_equal(cfg.m_from, cases[i].want);
		assert_int_equal(cfg.em_iterations, 200);
		assert_int_equal(cfg.label_sample, DEDUP_LABEL_SAMPLE);
		assert_int_equal(cfg.max_block, 2000);
		assert_int_equal(cfg.n_rules, 1);
	}
}

static void test_dedup__bad_m_from_names_the_line(void **state)
{
	struct dedup_config cfg;
	struct pl_diag d;

	assert_int_equal(load(state, "[linkage]\nthreshold = 4\nm_from = sometimes\n"
			      "[blocking]\nrule = sex\n", &cfg, &d), PL_ECONFIG);
	assert_int_equal(d.line, 3);
	assert_non_null(strstr(d.msg, "m_from is not auto, labels or em"));
}

static void test_dedup__label_sample(void **state)
{
	struct dedup_config cfg;
	struct pl_diag d;

	assert_int_equal(load(state, "[linkage]\nlabel_sample = 400\n[blocking]\nrule = sex\n",
			      &cfg, &d), PL_OK);
	assert_int_equal(cfg.label_sample, 400);
	assert_int_equal(load(state, "[linkage]\nlabel_sample = 1\n[blocking]\nrule = sex\n",
			      &cfg, &d), PL_ECONFIG);
	assert_int_equal(d.line, 2);
	assert_non_null(strstr(d.msg, "label_sample is not 2..1e9"));
}

static void test_dedup__rules_and_their_text(void **state)
{
	struct dedup_config cfg;
	struct pl_diag d;
	char text[128];

	assert_int_equal(load(state, "[blocking]\nrule = birth_date + initials\n"
			      "rule = last_name+birth_year+first_initial\n"
			      "rule = postcode + sex + first_name + last_initial\n", &cfg, &d), PL_OK);
	assert_int_equal(cfg.n_rules, 3);
	assert_int_equal(cfg.rules[0][0], DK_BIRTH_DATE);
	assert_int_equal(cfg.rules[0][1], DK_INITIALS);
	assert_int_equal(cfg.rules[0][2], -1);
	assert_int_equal(cfg.rules[1][2], DK_FIRST_INITIAL);
	dedup_rule_text(&cfg, 0, text, sizeof(text));
	assert_string_equal(text, "1: birth_date + initials");
	dedup_rule_text(&cfg, 1, text, sizeof(text));
	assert_string_equal(text, "2: last_name + birth_year + first_initial");
	dedup_rule_text(&cfg, 2, text, sizeof(text));
	assert_string_equal(text, "3: postcode + sex + first_name + last_initial");
	dedup_rule_text(&cfg, 2, text, 12); /* cut short, still a string */
	assert_string_equal(text, "3: postcode");
	assert_string_equal(dedup_key_name(DK_INITIALS), "initials");
	assert_int_equal(load(state, "[blocking]\nrule = first_name + last_name + Birth_Month_Day\n",
			      &cfg, &d), PL_OK);
	assert_int_equal(cfg.rules[0][2], DK_BIRTH_MONTH_DAY);
	dedup_rule_text(&cfg, 0, text, sizeof(text));
	assert_string_equal(text, "1: first_name + last_name + birth_month_day");
	assert_string_equal(dedup_key_name(DK__COUNT), "?");
}

static void test_dedup__at_most_16_rules(void **state)
{
	struct dedup_config cfg;
	struct pl_diag d;
	char text[1024] = "[blocking]\n";

	for (int i = 0; i < DEDUP_MAX_RULES; i++)
		strcat(text, "rule = sex\n");
	assert_int_equal(load(state, text, &cfg, &d), PL_OK);
	assert_int_equal(cfg.n_rules, DEDUP_MAX_RULES);
	strcat(text, "rule = birth_year\n");
	assert_int_equal(load(state, text, &cfg, &d), PL_ECONFIG);
	assert_int_equal(d.line, DEDUP_MAX_RULES + 2);
	assert_non_null(strstr(d.msg, "more than 16 blocking rules"));
}

static void test_dedup__summary_says_where_m_came_from(void **state)
{
	struct dedup_summary s = { .episodes = 10, .persons = 7, .deterministic = 6,
				   .probabilistic = 3, .unlinked = 1, .candidate_pairs = 12,
				   .links = 3, .refused = 1, .label_pairs = 4500, .lambda = 0.25,
				   .persons_new = 2, .persons_changed = 1, .persons_gone = 3,
				   .episodes_new = 4, .episodes_changed = 5, .episodes_gone = 0 };
	char line[DEDUP_SUMMARY_MAX];

	(void)state;
	dedup_summary_line(&s, line, sizeof(line));
	assert_string_equal(line, "10 episodes, 7 persons: 6 episodes by identity or reserve "
			    "number, 3 by probabilistic links, 1 unlinked; 12 candidate pairs, "
			    "3 links (1 refused), m from 4500 labelled pairs; parameters estimated "
			    "now; written: persons 2 new, 1 changed, 3 gone; episodes' persons 4 "
			    "new, 5 changed, 0 gone");
	s.m_by_em = 1;
	dedup_summary_line(&s, line, sizeof(line));
	assert_non_null(strstr(line, "3 links (1 refused), m by EM, match share 0.2500; "));
	/* the stored parameters: every pair scored, or a night's */
	s.frozen = 1;
	s.new_episodes = -1;
	snprintf(s.estimated_at, sizeof(s.estimated_at), "2026-11-20T03:00:00Z");
	dedup_summary_line(&s, line, sizeof(line));
	assert_non_null(strstr(line, "match share 0.2500; parameters of 2026-11-20T03:00:00Z, "
			       "every pair scored; written: "));
	s.new_episodes = 2000000000;
	s.pairs_kept = 1999999999;
	s.episodes = s.persons = s.deterministic = s.probabilistic = s.candidate_pairs = LONG_MAX;
	s.unlinked = s.links = s.refused = s.label_pairs = s.persons_gone = LONG_MAX;
	s.persons_new = s.persons_changed = s.episodes_new = s.episodes_gone = LONG_MAX;
	dedup_summary_line(&s, line, sizeof(line));
	assert_non_null(strstr(line, "parameters of 2026-11-20T03:00:00Z, pairs scored for "
			       "2000000000 new episodes, 1999999999 kept; written: "));
	assert_non_null(strstr(line, "episodes' persons 9223372036854775807 new, 5 changed, "
			       "9223372036854775807 gone"));
}

/* refresh_days: 7 by default, 0 allowed (estimate every run), not
 * negative; the settings' sha256 is the file's. */
static void test_dedup__refresh_days_and_sha(void **state)
{
	static const char text[] = "[linkage]\nrefresh_days = 0\n[blocking]\nrule = sex\n";
	struct dedup_config cfg;
	struct pl_diag d;
	char path[512], want[PL_SHA256_HEX];

	assert_int_equal(load(state, "[blocking]\nrule = sex\n", &cfg, &d), PL_OK);
	assert_int_equal(cfg.refresh_days, 7);
	assert_int_equal(load(state, text, &cfg, &d), PL_OK);
	assert_int_equal(cfg.refresh_days, 0);
	unit_path(state, "linkage.ini", path, sizeof(path));
	assert_int_equal(pl_sha256_file(path, want, &d), PL_OK);
	assert_string_equal(cfg.sha256, want);
	assert_int_equal(load(state, "[linkage]\nrefresh_days = -1\n[blocking]\nrule = sex\n",
			      &cfg, &d), PL_ECONFIG);
	assert_int_equal(d.line, 2);
	assert_non_null(strstr(d.msg, "refresh_days is not 0..3650"));
	assert_int_equal(load(state, "[linkage]\nrefresh_days = 1.5\n[blocking]\nrule = sex\n",
			      &cfg, &d), PL_ECONFIG);
}

/* night_gather_max: 524288 by default, a whole number from 1 to 1e9,
 * else a configuration error that names it and its line. */
static void test_dedup__night_gather_max(void **state)
{
	static const char *const bad[] = { "0", "-5", "1.5", "2e9", "many" };
	struct dedup_config cfg;
	struct pl_diag d;

	assert_int_equal(load(state, "[blocking]\nrule = sex\n", &cfg, &d), PL_OK);
	assert_int_equal(cfg.gather_max, DEDUP_GATHER_MAX);
	assert_int_equal(load(state, "[linkage]\nnight_gather_max = 3\n[blocking]\nrule = sex\n",
			      &cfg, &d), PL_OK);
	assert_int_equal(cfg.gather_max, 3);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128];

		snprintf(text, sizeof(text), "[linkage]\n\nnight_gather_max = %s\n[blocking]\n"
			 "rule = sex\n", bad[i]);
		assert_int_equal(load(state, text, &cfg, &d), PL_ECONFIG);
		assert_int_equal(d.line, 3);
		assert_non_null(strstr(d.msg, "night_gather_max is not 1..1e9"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dedup__defaults_and_m_from, unit_tmp_setup,
						unit_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dedup__bad_m_from_names_the_line,
						unit_tmp_setup, unit_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dedup__label_sample, unit_tmp_setup,
						unit_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dedup__rules_and_their_text, unit_tmp_setup,
						unit_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dedup__at_most_16_rules, unit_tmp_setup,
						unit_tmp_teardown),
		cmocka_unit_test(test_dedup__summary_says_where_m_came_from),
		cmocka_unit_test_setup_teardown(test_dedup__refresh_days_and_sha, unit_tmp_setup,
						unit_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dedup__night_gather_max, unit_tmp_setup,
						unit_tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

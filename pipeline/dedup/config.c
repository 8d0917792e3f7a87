/*
 * dedup/config.c - the linkage settings, mappings/linkage/linkage.ini.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dedup.h"
#include "inifile.h"

static const char *const key_names[DK__COUNT] = {
	[DK_BIRTH_DATE] = "birth_date", [DK_BIRTH_YEAR] = "birth_year", [DK_SEX] = "sex",
	[DK_FIRST_NAME] = "first_name", [DK_LAST_NAME] = "last_name", [DK_POSTCODE] = "postcode",
	[DK_FIRST_INITIAL] = "first_initial", [DK_LAST_INITIAL] = "last_initial",
	[DK_INITIALS] = "initials", [DK_BIRTH_MONTH_DAY] = "birth_month_day",
};

struct cfg_state {
	struct dedup_config *cfg;
	const char *path;
	struct pl_diag *d;
};

static int bad(struct cfg_state *st, long line, const char *what, const char *value)
{
	pl_diag_set(st->d, PL_ECONFIG, st->path, line, "%s '%s'", what, value);
	return 0;
}

static int number(const char *value, double min, double max, double *out)
{
	char *end;
	double v = strtod(value, &end);

	if (end == value || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_rule(struct cfg_state *st, const char *value, long line)
{
	struct dedup_config *cfg = st->cfg;
	char buf[256];
	size_t n = 0;
	int *rule;

	if (cfg->n_rules == DEDUP_MAX_RULES)
		return bad(st, line, "more than 16 blocking rules at", value);
	rule = cfg->rules[cfg->n_rules];
	snprintf(buf, sizeof(buf), "%s", value);
	for (char *tok = strtok(buf, "+ \t"); tok; tok = strtok(NULL, "+ \t")) {
		int k = -1;

		for (int i = 0; i < DK__COUNT; i++)
			if (strcasecmp(tok, key_names[i]) == 0)
				k = i;
		if (k < 0)
			return bad(st, line, "unknown blocking key", tok);
		if (n == DEDUP_MAX_KEYS)
			return bad(st, line, "more than 4 keys in blocking rule", value);
		rule[n++] = k;
	}
	if (n == 0)
		return bad(st, line, "empty blocking rule", value);
	if (n < DEDUP_MAX_KEYS)
		rule[n] = -1;
	cfg->n_rules++;
	return 1;
}

static int handle(void *user, const char *section, const char *key, const char *value, long line)
{
	struct cfg_state *st = user;
	struct dedup_config *cfg = st->cfg;
	double v, w;

	if (strcasecmp(section, "blocking") == 0 && strcasecmp(key, "rule") == 0)
		return parse_rule(st, value, line);
	if (strcasecmp(section, "linkage") != 0)
		return bad(st, line, "unknown section or key", section);
	if (strcasecmp(key, "threshold") == 0) {
		if (number(value, -50, 100, &cfg->threshold))
			return bad(st, line, "threshold is not a weight between -50 and 100:", value);
	} else if (strcasecmp(key, "u_sample_pairs") == 0) {
		if (number(value, 1000, 1e9, &v))
			return bad(st, line, "u_sample_pairs is not 1000..1e9:", value);
		cfg->u_sample_pairs = (long)v;
	} else if (strcasecmp(key, "label_sample") == 0) {
		if (number(value, 2, 1e9, &v))
			return bad(st, line, "label_sample is not 2..1e9:", value);
		cfg->label_sample = (long)v;
	} else if (strcasecmp(key, "em_iterations") == 0) {
		if (number(value, 1, 10000, &v))
			return bad(st, line, "em_iterations is not 1..10000:", value);
		cfg->em_iterations = (long)v;
	} else if (strcasecmp(key, "m_from") == 0) {
		if (strcasecmp(value, "auto") == 0)
			cfg->m_from = DM_AUTO;
		else if (strcasecmp(value, "labels") == 0)
			cfg->m_from = DM_LABELS;
		else if (strcasecmp(value, "em") == 0)
			cfg->m_from = DM_EM;
		else
			return bad(st, line, "m_from is not auto, labels or em:", value);
	} else if (strcasecmp(key, "max_block") == 0) {
		if (number(value, 2, 1e7, &v))
			return bad(st, line, "max_block is not 2..1e7:", value);
		cfg->max_block = (long)v;
	} else if (strcasecmp(key, "threads") == 0) {
		if (number(value, 0, 64, &v) || v != (long)v)
			return bad(st, line, "threads is not 0..64 (0: one per core):", value);
		cfg->threads = (long)v;
	} else if (strcasecmp(key, "refresh_days") == 0) {
		if (number(value, 0, 3650, &v) || v != (long)v)
			return bad(st, line, "refresh_days is not 0..3650 (0: estimate every run):",
				   value);
		cfg->refresh_days = (long)v;
	} else if (strcasecmp(key, "night_gather_max") == 0) {
		if (number(value, 1, 1e9, &v) || v != (long)v)
			return bad(st, line, "night_gather_max is not 1..1e9:", value);
		cfg->gather_max = (long)v;
	} else if (strcasecmp(key, "tf_adjust") == 0) {
		if (strcasecmp(value, "yes") != 0 && strcasecmp(value, "no") != 0)
			return bad(st, line, "tf_adjust is not yes or no:", value);
		cfg->tf_adjust = strcasecmp(value, "yes") == 0;
	} else if (strcasecmp(key, "name_bands") == 0) {
		const char *comma = strchr(value, ',');
		char hi[64];

		snprintf(hi, sizeof(hi), "%.*s", comma ? (int)(comma - value) : 0, value);
		if (!comma || number(hi, 0, 1, &v) || number(comma + 1 + strspn(comma + 1, " "), 0, 1, &w) ||
		    w > v)
			return bad(st, line, "name_bands is not 'high, low' within 0..1:", value);
		cfg->name_high = v;
		cfg->name_low = w;
	} else {
		return bad(st, line, "unknown key", key);
	}
	return 1;
}

enum pl_err dedup_config_load(const char *path, struct dedup_config *cfg, struct pl_diag *d)
{
	struct cfg_state st = { cfg, path, d };
	enum pl_err err;

	memset(cfg, 0, sizeof(*cfg));
	cfg->threshold = 4.3;
	cfg->u_sample_pairs = 200000;
	cfg->label_sample = DEDUP_LABEL_SAMPLE;
	cfg->em_iterations = 200;
	cfg->max_block = 2000;
	cfg->tf_adjust = 1;
	cfg->refresh_days = 7;
	cfg->gather_max = DEDUP_GATHER_MAX;
	cfg->name_high = 0.92;
	cfg->name_low = 0.80;
	err = pl_ini_parse(path, handle, &st, cfg->sha256, d);
	if (err == PL_ENOINPUT)
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "cannot read the linkage settings");
	if (!err && cfg->n_rules == 0)
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "[blocking] gives no rule");
	return err;
}

const char *dedup_key_name(int k)
{
	return k >= 0 && k < DK__COUNT ? key_names[k] : "?";
}

void dedup_rule_text(const struct dedup_config *cfg, size_t r, char *out, size_t size)
{
	size_t at = (size_t)snprintf(out, size, "%zu:", r + 1);

	for (size_t k = 0; k < DEDUP_MAX_KEYS && cfg->rules[r][k] >= 0 && at < size; k++)
		at += (size_t)snprintf(out + at, size - at, "%s%s", k ? " + " : " ",
				       dedup_key_name(cfg->rules[r][k]));
}

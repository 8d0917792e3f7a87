/*
 * tests/unit/test_schema.c - lib/schema against ../shared/SCHEMA.md: field
 * names and lookup, which fields are sensitive, and the code lists.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "schema.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	enum pl_field f;
	const char *name;
	int sensitive;
} fields[] = {
	{ PL_F_IDENTITY_NUMBER, "identity_number", 1 },
	{ PL_F_FIRST_NAME, "first_name", 1 },
	{ PL_F_LAST_NAME, "last_name", 1 },
	{ PL_F_POSTCODE, "postcode", 1 },
	{ PL_F_BIRTH_DATE, "birth_date", 0 },
	{ PL_F_BIRTH_YEAR, "birth_year", 0 },
	{ PL_F_SEX, "sex", 0 },
	{ PL_F_INTERVENTION, "intervention", 0 },
	{ PL_F_PROVIDER, "provider", 0 },
	{ PL_F_SUBSTANCE, "substance", 0 },
	{ PL_F_START_DATE, "start_date", 0 },
	{ PL_F_END_DATE, "end_date", 0 },
	{ PL_F_COST_SEK, "cost_sek", 0 },
	{ PL_F_CHILDREN, "children", 0 },
};

static void test_field__every_field_named_and_found(void **state)
{
	(void)state;
	assert_int_equal(N_OF(fields), PL_F__COUNT);
	for (size_t i = 0; i < N_OF(fields); i++) {
		assert_string_equal(pl_field_name(fields[i].f), fields[i].name);
		assert_int_equal(pl_field_lookup(fields[i].name), fields[i].f);
	}
}

static void test_field__lookup_is_case_insensitive_and_exact(void **state)
{
	static const struct {
		const char *name;
		int f;
	} cases[] = {
		{ "Identity_Number", PL_F_IDENTITY_NUMBER },
		{ "POSTCODE", PL_F_POSTCODE },
		{ "Cost_SEK", PL_F_COST_SEK },
		{ "identity", -1 },
		{ "identity number", -1 },
		{ " sex", -1 },
		{ "sex ", -1 },
		{ "district", -1 },       /* from the file's source, not a column */
		{ "person_ref", -1 },     /* derived, never mapped */
		{ "", -1 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++)
		if (pl_field_lookup(cases[i].name) != cases[i].f)
			fail_msg("'%s': %d, want %d", cases[i].name, pl_field_lookup(cases[i].name),
				 cases[i].f);
}

static void test_field__exactly_the_linkage_fields_are_sensitive(void **state)
{
	int n = 0;

	(void)state;
	for (size_t i = 0; i < N_OF(fields); i++) {
		assert_int_equal(pl_field_is_sensitive(fields[i].f) != 0, fields[i].sensitive);
		n += pl_field_is_sensitive(fields[i].f) != 0;
	}
	assert_int_equal(n, 4);
}

static void test_field__out_of_range(void **state)
{
	(void)state;
	assert_string_equal(pl_field_name(PL_F__COUNT), "?");
	assert_string_equal(pl_field_name((enum pl_field)(PL_F__COUNT + 100)), "?");
	assert_int_equal(pl_field_is_sensitive(PL_F__COUNT), 0);
	assert_int_equal(pl_field_is_sensitive((enum pl_field)(PL_F__COUNT + 100)), 0);
}

static const char *const want_districts[] = {
	"ANGERED", "OSTRA", "CENTRUM", "MAJORNA_LINNE", "ORGRYTE_HARLANDA",
	"ASKIM_FROLUNDA_HOGSBO", "VASTRA_GBG", "VASTRA_HISINGEN", "LUNDBY", "NORRA_HISINGEN", NULL
};
static const char *const want_id_types[] = { "PNR", "SAMNR", "RESERV", "NONE", NULL };
static const char *const want_sexes[] = { "F", "M", "U", NULL };
static const char *const want_interventions[] = {
	"OPEN", "INST", "LVM", "HOUSE", "HSUP", "CONT", "OUTR", "PEER", "WORK", "OTHER", NULL
};
static const char *const want_providers[] = { "MUNI", "NGO", "PRIV", NULL };
static const char *const want_substances[] = { "ALC", "DRUG", "GAMB", "MIX", "UNK", NULL };
static const char *const want_children[] = { "Y", "N", "U", NULL };

static const struct {
	enum pl_codelist list;
	const char *const *codes;
	size_t n;
} lists[] = {
	{ PL_CL_DISTRICT, want_districts, 10 },
	{ PL_CL_ID_TYPE, want_id_types, 4 },
	{ PL_CL_SEX, want_sexes, 3 },
	{ PL_CL_INTERVENTION, want_interventions, 10 },
	{ PL_CL_PROVIDER, want_providers, 3 },
	{ PL_CL_SUBSTANCE, want_substances, 5 },
	{ PL_CL_CHILDREN, want_children, 3 },
};

static void test_codes__lists_match_schema_md(void **state)
{
	(void)state;
	assert_int_equal(N_OF(lists), PL_CL__COUNT);
	for (size_t i = 0; i < N_OF(lists); i++) {
		const char *const *got = pl_codes(lists[i].list);
		size_t n = 0;

		assert_non_null(got);
		for (; got[n]; n++) {
			assert_true(n < lists[i].n);
			assert_string_equal(got[n], lists[i].codes[n]);
			assert_int_equal(pl_code_valid(lists[i].list, got[n]), 1);
		}
		assert_int_equal(n, lists[i].n);
	}
}

static void test_codes__valid_is_exact_upper_case(void **state)
{
	static const struct {
		enum pl_codelist list;
		const char *code;
		int valid;
	} cases[] = {
		{ PL_CL_DISTRICT, "LUNDBY", 1 },
		{ PL_CL_DISTRICT, "lundby", 0 },
		{ PL_CL_DISTRICT, "Lundby", 0 },
		{ PL_CL_DISTRICT, "LUNDBY ", 0 },
		{ PL_CL_DISTRICT, "LUND", 0 },
		{ PL_CL_DISTRICT, "ÖSTRA", 0 },
		{ PL_CL_DISTRICT, "", 0 },
		{ PL_CL_SEX, "F", 1 },
		{ PL_CL_SEX, "K", 0 },
		{ PL_CL_SEX, "U", 1 },
		{ PL_CL_CHILDREN, "U", 1 },
		{ PL_CL_CHILDREN, "F", 0 },
		{ PL_CL_PROVIDER, "NGO", 1 },
		{ PL_CL_SUBSTANCE, "NGO", 0 },
		{ PL_CL_ID_TYPE, "SAMNR", 1 },
		{ PL_CL_INTERVENTION, "OTHER", 1 },
		{ PL_CL_INTERVENTION, "HVB", 0 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++)
		if (pl_code_valid(cases[i].list, cases[i].code) != cases[i].valid)
			fail_msg("list %d '%s': want %d", cases[i].list, cases[i].code,
				 cases[i].valid);
}

static void test_codes__unknown_list(void **state)
{
	(void)state;
	assert_null(pl_codes(PL_CL__COUNT));
	assert_int_equal(pl_code_valid(PL_CL__COUNT, "LUNDBY"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field__every_field_named_and_found),
		cmocka_unit_test(test_field__lookup_is_case_insensitive_and_exact),
		cmocka_unit_test(test_field__exactly_the_linkage_fields_are_sensitive),
		cmocka_unit_test(test_field__out_of_range),
		cmocka_unit_test(test_codes__lists_match_schema_md),
		cmocka_unit_test(test_codes__valid_is_exact_upper_case),
		cmocka_unit_test(test_codes__unknown_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * lib/schema.c - field names and code lists of the common schema.
 */
#include "schema.h"

#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	int sensitive;
	enum pl_field_kind kind;
	int codelist;
} fields[PL_F__COUNT] = {
	[PL_F_IDENTITY_NUMBER] = { "identity_number", 1, PL_KIND_TEXT, -1 },
	[PL_F_FIRST_NAME]      = { "first_name", 1, PL_KIND_TEXT, -1 },
	[PL_F_LAST_NAME]       = { "last_name", 1, PL_KIND_TEXT, -1 },
	[PL_F_POSTCODE]        = { "postcode", 1, PL_KIND_TEXT, -1 },
	[PL_F_BIRTH_DATE]      = { "birth_date", 0, PL_KIND_DATE, -1 },
	[PL_F_BIRTH_YEAR]      = { "birth_year", 0, PL_KIND_YEAR, -1 },
	[PL_F_SEX]             = { "sex", 0, PL_KIND_CODE, PL_CL_SEX },
	[PL_F_INTERVENTION]    = { "intervention", 0, PL_KIND_CODE, PL_CL_INTERVENTION },
	[PL_F_PROVIDER]        = { "provider", 0, PL_KIND_CODE, PL_CL_PROVIDER },
	[PL_F_SUBSTANCE]       = { "substance", 0, PL_KIND_CODE, PL_CL_SUBSTANCE },
	[PL_F_START_DATE]      = { "start_date", 0, PL_KIND_DATE, -1 },
	[PL_F_END_DATE]        = { "end_date", 0, PL_KIND_DATE, -1 },
	[PL_F_COST_SEK]        = { "cost_sek", 0, PL_KIND_NUMBER, -1 },
	[PL_F_CHILDREN]        = { "children", 0, PL_KIND_CODE, PL_CL_CHILDREN },
};

enum pl_field_kind pl_field_kind(enum pl_field f)
{
	return (unsigned)f < PL_F__COUNT ? fields[f].kind : PL_KIND_TEXT;
}

int pl_field_codelist(enum pl_field f)
{
	return (unsigned)f < PL_F__COUNT ? fields[f].codelist : -1;
}

const char *pl_field_name(enum pl_field f)
{
	return (unsigned)f < PL_F__COUNT ? fields[f].name : "?";
}

int pl_field_lookup(const char *name)
{
	for (int f = 0; f < PL_F__COUNT; f++)
		if (strcasecmp(name, fields[f].name) == 0)
			return f;
	return -1;
}

int pl_field_is_sensitive(enum pl_field f)
{
	return (unsigned)f < PL_F__COUNT && fields[f].sensitive;
}

static const char *const districts[] = {
	"ANGERED", "OSTRA", "CENTRUM", "MAJORNA_LINNE", "ORGRYTE_HARLANDA",
	"ASKIM_FROLUNDA_HOGSBO", "VASTRA_GBG", "VASTRA_HISINGEN", "LUNDBY",
	"NORRA_HISINGEN", NULL
};
static const char *const id_types[] = { "PNR", "SAMNR", "RESERV", "NONE", NULL };
static const char *const sexes[] = { "F", "M", "U", NULL };
static const char *const interventions[] = {
	"OPEN", "INST", "LVM", "HOUSE", "HSUP", "CONT", "OUTR", "PEER", "WORK", "OTHER", NULL
};
static const char *const providers[] = { "MUNI", "NGO", "PRIV", NULL };
static const char *const substances[] = { "ALC", "DRUG", "GAMB", "MIX", "UNK", NULL };
static const char *const children[] = { "Y", "N", "U", NULL };

static const char *const *const lists[PL_CL__COUNT] = {
	[PL_CL_DISTRICT] = districts,
	[PL_CL_ID_TYPE] = id_types,
	[PL_CL_SEX] = sexes,
	[PL_CL_INTERVENTION] = interventions,
	[PL_CL_PROVIDER] = providers,
	[PL_CL_SUBSTANCE] = substances,
	[PL_CL_CHILDREN] = children,
};

const char *const *pl_codes(enum pl_codelist list)
{
	return (unsigned)list < PL_CL__COUNT ? lists[list] : NULL;
}

int pl_code_valid(enum pl_codelist list, const char *code)
{
	const char *const *c = pl_codes(list);

	for (; c && *c; c++)
		if (strcmp(*c, code) == 0)
			return 1;
	return 0;
}

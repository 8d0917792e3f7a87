/*
 * lib/pnr.h - Swedish identity numbers: personnummer and samordningsnummer
 * in the five shapes exports write them, checked and normalised to twelve
 * digits so that every spelling of the same number compares equal.
 *
 * Checks run in this order and the first failure is the flaw:
 *   1. empty       nothing but white space
 *   2. shape       one of YYMMDD-NNNC, YYMMDD+NNNC, YYMMDDNNNC,
 *                  YYYYMMDDNNNC, YYYYMMDD-NNNC (nothing else: no other
 *                  separators, no inner space, no '+' after a 4-digit year)
 *   3. check digit Luhn over the ten digits YYMMDDNNNC
 *   4. calendar    the birth date exists (month 01..12; day 01..31, or
 *                  61..91 for a samordningsnummer, checked as day - 60),
 *                  after the century is chosen for six-digit dates
 *   5. future      a twelve-digit birth date is not after the reference
 *                  date (six-digit dates never are, by the century rule)
 */
#ifndef PL_PNR_H
#define PL_PNR_H

#include "value.h"

/* The schema's id_type; codes from pl_id_type_code(). */
enum pl_id_type {
	PL_ID_NONE = 0, /* not an identity number: see the flaw */
	PL_ID_PNR,      /* personnummer */
	PL_ID_SAMNR,    /* samordningsnummer: day + 60 */
	PL_ID_RESERV    /* local reserve number: never returned by pl_pnr_parse */
};

/* Why a value is not an identity number, in the order they are checked. */
enum pl_pnr_flaw {
	PL_PNR_OK = 0,
	PL_PNR_EMPTY,       /* NULL, "" or only white space */
	PL_PNR_SHAPE,       /* not one of the five accepted shapes */
	PL_PNR_CHECK_DIGIT, /* Luhn check digit wrong */
	PL_PNR_CALENDAR,    /* birth date does not exist */
	PL_PNR_FUTURE       /* twelve-digit birth date after the reference date */
};

struct pl_pnr {
	enum pl_id_type type;  /* PL_ID_PNR, PL_ID_SAMNR, or PL_ID_NONE */
	enum pl_pnr_flaw flaw; /* why PL_ID_NONE; PL_PNR_OK otherwise */
	char norm[13];         /* YYYYMMDDNNNC (SAMNR keeps day + 60); "" if NONE */
	struct pl_date birth;  /* real birth date (day - 60 for SAMNR); zero if NONE */
	char sex;              /* 'M' if the serial's last digit is odd, else 'F'; 0 if NONE */
};

/*
 * Parses s (white space around it ignored; NULL counts as empty) against
 * ref, the export's reference date, which must be a valid date.  A six-digit
 * date gets the latest year ending in YY whose birth date is not after ref
 * (so the person is 0..99 on ref), one century earlier with a '+'.
 * Always fills *out, zeroed apart from type and flaw when not an identity
 * number; returns out->type.
 */
enum pl_id_type pl_pnr_parse(const char *s, const struct pl_date *ref, struct pl_pnr *out);

/* "PNR", "SAMNR", "RESERV", "NONE" (also for values outside the enum). */
const char *pl_id_type_code(enum pl_id_type t);
/* Short lower-case reason, e.g. "bad check digit"; "ok" for PL_PNR_OK. */
const char *pl_pnr_flaw_text(enum pl_pnr_flaw f);
/* 1 if digits10 holds ten ASCII digits whose Luhn sum is a multiple of 10. */
int pl_luhn_ok(const char digits10[10]);

#endif

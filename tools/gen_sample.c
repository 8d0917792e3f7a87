/*
 * tools/gen_sample.c - deterministic generator of synthetic district exports.
 *
 * Writes one or more CSV exports per source (five Gothenburg districts, or
 * with -A all ten, each in its own dialect: encoding, delimiter, line ends,
 * title block, two-row header, footer, date/number/identity formats, code
 * words) into OUTDIR, and
 * the ground truth about them (line counts, every deliberately bad row and
 * why, unique persons, identity forms, per-year indicator counts) into
 * TRUTHFILE.  The mapping files
 * that read the exports are mappings/<source>.ini; keep them in step with
 * the source table below.
 *
 * Every person, identity number and name is synthetic: identity numbers are
 * built from a permutation of the person's ordinal, never copied.  The run is
 * fully deterministic (own splitmix64 PRNG, no clock): the same arguments
 * give byte-identical files.
 *
 * Every export carries first and last name, sex, a birth date (Norra
 * Hisingen: the birth year only) and the home postcode, as case systems do,
 * so the person of every row is recoverable by linkage where its identity
 * number is missing, fails the check digit or is a reserve number (local to
 * its source: a person has a different one in each).  Those values are the
 * person's own in every row, never altered (noise belongs to the linkage
 * benchmark, not here); sex is left blank only in a few rows whose valid
 * number gives it.  The truth's persons are true persons: the dedup stage
 * must reproduce them exactly.
 *
 * Build and run (the Makefile builds pipeline/build/gen_sample from this file
 * and `make samples` runs it with the default paths):
 *   cc -std=c11 -O2 -Wall -Wextra -Wpedantic -o pipeline/build/gen_sample tools/gen_sample.c
 *   pipeline/build/gen_sample -o input -t tests/data/sample-truth.txt
 *
 * Usage: gen_sample [-A] [-o OUTDIR] [-t TRUTHFILE] [-s SEED] [-n ROWS] [-S SENSFILE]
 *        gen_sample [-A] -M STEM [-b BASE_ROWS] [-o OUTDIR] [-t TRUTHFILE] [-s SEED] [-n ROWS]
 *   ROWS is the number of episode rows over all files (bad rows included).
 *   -A adds the five districts only the benchmark has (mapping files in
 *   bench/mappings/); without it the output is that of earlier versions,
 *   byte for byte, so the samples and tests do not change.  -M writes one
 *   source's monthly file STEM.csv (the source whose name STEM starts with):
 *   ROWS rows of new persons, those after the persons of BASE_ROWS rows with
 *   the same seed, episodes starting in December 2025 (make bench's nightly
 *   increment); its truth file describes that file alone.
 *   SENSFILE gets every sensitive value put into the exports (identity
 *   numbers as written, first names, last names, postcodes as written), one
 *   per line, UTF-8, sorted and unique: the list a privacy test searches the
 *   pipeline's outputs for.  It changes no random stream: the exports are
 *   the same with or without it.
 *
 * Design: one row of `sources[]` describes a source completely; adding a
 * district is adding a row (and its mapping file).  Persons are generated one
 * at a time and their episodes streamed straight into the open output files,
 * so memory is O(1) per person; only the list of bad rows (about 1% of rows)
 * is kept for the truth file.  Outputs are written to hidden temporary names
 * and renamed into place only when all of them are complete.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_OUTDIR "input"
#define DEFAULT_TRUTH "tests/data/sample-truth.txt"
#define DEFAULT_SEED UINT64_C(20260115)
#define DEFAULT_ROWS UINT64_C(3000)
#define MAX_ROWS UINT64_C(100000000)

#define MAX_COLS 16
#define FIELD_CAP 512
#define MAX_FILES 64
#define MAX_DISTRICTS 32
#define FIRST_YEAR 2023                 /* episodes start FIRST_YEAR..LAST_YEAR */
#define LAST_YEAR 2025
#define N_YEARS (LAST_YEAR - FIRST_YEAR + 1)

#define EX_USAGE 64
#define EX_SOFTWARE 70
#define EX_CANTCREAT 73
#define EX_IOERR 74

/* ---------------------------------------------------------------- tables */

enum encoding { ENC_UTF8, ENC_UTF8_BOM, ENC_CP1252, ENC_LATIN1 };
enum date_fmt { DATE_ISO, DATE_DOT_DMY, DATE_COMPACT, DATE_SLASH_DMY, DATE_DATETIME };
enum id_fmt { ID_PNR12_DASH, ID_PNR10_DASH, ID_PNR12, ID_PNR10, ID_MIXED };
enum cost_fmt { COST_POINT, COST_COMMA_SPACE, COST_COMMA_NBSP, COST_INTEGER };
enum footer_kind { FOOTER_NONE, FOOTER_SUM, FOOTER_COUNT };

enum col_kind {
	COL_ID, COL_FIRST, COL_LAST, COL_POSTCODE, COL_BIRTH_DATE, COL_BIRTH_YEAR,
	COL_SEX, COL_INTERVENTION, COL_PROVIDER, COL_SUBSTANCE, COL_START, COL_END,
	COL_COST, COL_CHILDREN, COL_NOTE, COL_UNIT
};

/* Schema intervention codes: plausible costs, and the indicator truth. */
enum icode { I_OPEN, I_INST, I_LVM, I_HOUSE, I_HSUP, I_CONT, I_OUTR, I_PEER, I_WORK, I_OTHER,
	     N_ICODE };
static const char *const icode_names[N_ICODE] = {
	"OPEN", "INST", "LVM", "HOUSE", "HSUP", "CONT", "OUTR", "PEER", "WORK", "OTHER"
};

/* Schema provider codes (codelists/provider_sv.ini); for the indicator truth. */
enum pcode { P_MUNI, P_NGO, P_PRIV };

enum substance { SUB_ALC, SUB_DRUG, SUB_GAMB, SUB_MIX, N_SUB };
enum children { CH_YES, CH_NO, CH_UNKNOWN, N_CH };
enum id_kind { KIND_PNR, KIND_SAMNR, KIND_RESERVE };

/* Identity forms as counted in the truth file (idform lines). */
enum id_form {
	IDF_PNR12_DASH, IDF_PNR12, IDF_PNR10_DASH, IDF_PNR10_PLUS, IDF_PNR10,
	IDF_SAMNR, IDF_RESERVE, IDF_BAD_CHECK, IDF_MISSING, N_IDF
};
static const char *const id_form_names[N_IDF] = {
	"pnr12_dash", "pnr12", "pnr10_dash", "pnr10_plus", "pnr10",
	"samnr", "reserve", "bad_check", "missing"
};

/* Deliberately bad rows.  The first group is rejected by ingest. */
enum bad_kind {
	BAD_NONE, BAD_FEW_FIELDS, BAD_MANY_FIELDS, BAD_ENCODING, BAD_CONTROL,
	BAD_QUOTE_INSIDE, BAD_QUOTE_AFTER, BAD_UNTERMINATED,
	BAD_DATE, BAD_UNMAPPED, BAD_END_BEFORE_START, BAD_END_OF_LIST
};
static const char *const bad_causes[] = {
	"", "field_count", "field_count", "encoding", "control_char",
	"malformed_quote", "malformed_quote", "unterminated_quote",
	"bad_date", "unmapped_code", "end_before_start", ""
};

static int bad_is_ingest(enum bad_kind k)
{
	return k >= BAD_FEW_FIELDS && k <= BAD_UNTERMINATED;
}

static int bad_has_quote(enum bad_kind k)
{
	return k == BAD_QUOTE_INSIDE || k == BAD_QUOTE_AFTER || k == BAD_UNTERMINATED;
}

struct column {
	enum col_kind kind;
	const char *group;              /* upper header row (two-row headers); NULL: none */
	const char *name;               /* (lower) header row */
};

struct word {
	const char *text;               /* UTF-8, as the export writes it */
	int code;                       /* enum icode for interventions, enum pcode for
					 * providers; never drawn on (weights only) */
	unsigned weight;
};

struct reserve_style {
	const char *prefix;
	int n_digits;                   /* digits after the prefix, 1..12 */
};

struct source {
	const char *name;               /* mapping [source] name and file stem */
	const char *district;           /* district code */
	unsigned weight;                /* share of episodes, relative */
	enum encoding enc;
	char delim;
	const char *eol;
	int split_by_year;              /* one file per start year: <name>_<year>.csv */
	const char *const *title;       /* title block lines (NULL-terminated); "" = empty line */
	int two_row_header;
	const struct column *cols;
	size_t n_cols;
	enum date_fmt date;
	enum id_fmt id;
	enum cost_fmt cost;
	unsigned cost_permille;         /* rows with a cost */
	int postcode_space;             /* "415 02" rather than "41502" */
	struct reserve_style reserve;
	const char *sex_words[2];       /* female, male */
	const struct word *interventions;
	const struct word *providers;
	const char *substance_words[N_SUB];
	const char *children_words[N_CH];
	const char *const *notes;       /* free-text pool for COL_NOTE (NULL-terminated) */
	unsigned note_permille;
	const char *const *units;       /* pool for COL_UNIT */
	enum footer_kind footer;
	const char *footer_label;       /* first field of the footer record */
	int blank_before_footer;
	unsigned blank_every;           /* an empty line after every n-th data row; 0: never */
	int quotes_ok;                  /* fields may be quoted (else a quote never appears) */
	const enum bad_kind *bad_kinds; /* rotation of bad-row kinds, BAD_END_OF_LIST-terminated */
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ vocabulary */

/* Names are drawn uniformly; the pools are large enough that two different
 * persons rarely share first name, last name and birth date (the truth counts
 * true persons, whatever they share).  First names of women and men are
 * disjoint.  Only characters of Latin-1 (all encodings of the sources). */
static const char *const first_names_f[] = {
	"Anna", "Maria", "Åsa", "Karin", "Eva", "Linnéa", "Märta", "Ingrid",
	"Kristina", "Sofia", "Elin", "Malin", "Helén", "Britt", "Agneta", "Birgitta",
	"Lena", "Susanne", "Jenny", "Emma", "Fatima", "Leila", "Amira", "Zeynep",
	"Solveig", "Görel", "Ulla", "Ebba", "Frida", "Irén", "Åse", "Renée",
	"Margareta", "Elisabeth", "Johanna", "Sara", "Ida", "Hanna", "Camilla", "Therese",
	"Jessica", "Annika", "Monica", "Marie", "Cecilia", "Louise", "Ulrika", "Petra",
	"Gunilla", "Yvonne", "Carina", "Ann-Sofie", "Lotta", "Maja", "Alva", "Tove",
	"Nathalie", "Rebecka", "Josefin", "Sanna", "Madeleine", "Gunnel", "Kerstin", "Siv",
	"Inger", "Marianne", "Anneli", "Helena", "Paulina", "Noor", "Hiba", "Ayan",
	"Samira", "Yasmin", "Dragana", "Jelena", "Agnieszka", "Mirjam", "Chloé", "Inés"
};
static const char *const first_names_m[] = {
	"Björn", "Göran", "Jörgen", "Håkan", "Sören", "André", "Lars", "Anders",
	"Per", "Mikael", "Johan", "Peter", "Stefan", "Thomas", "Jonas", "Mats",
	"Örjan", "Åke", "Bengt", "Leif", "Kjell", "Rolf", "Ali", "Mohammed",
	"Ahmed", "Mehmet", "Dragan", "José", "René", "Joel", "Oskar", "Östen",
	"Erik", "Karl", "Nils", "Olof", "Hans", "Jan", "Sven", "Gunnar",
	"Magnus", "Fredrik", "Daniel", "Marcus", "Niklas", "Christer", "Ulf", "Tommy",
	"Kent", "Roger", "Patrik", "Henrik", "Robert", "Martin", "Andreas", "Kristoffer",
	"Viktor", "Emil", "Linus", "Hampus", "Måns", "Pär", "Göte", "Bo",
	"Tord", "Sture", "Yusuf", "Omar", "Hassan", "Abdi", "Mustafa", "Nikola",
	"Zoran", "Milan", "Tomasz", "Piotr", "Juan", "Ricardo", "Jean-Luc", "Mattias"
};
static const char *const last_names[] = {
	"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson",
	"Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson",
	"Öberg", "Ekström", "Åberg", "Bäckström", "Sjögren", "Håkansson",
	"Löfgren", "Grönlund", "Andrén", "Sandén", "Lindqvist", "Nyström",
	"Holmström", "Engström", "Fröberg", "Åkesson", "Hägg", "Strömberg",
	"Ali", "Hussein", "Mohamed", "Yilmaz", "Nguyen", "Kovacevic",
	"Müller", "Lindén", "Forsén", "Wennerström", "Lundberg", "Berg",
	"Lindberg", "Axelsson", "Bergström", "Lundgren", "Jakobsson", "Berglund",
	"Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin",
	"Danielsson", "Lindström", "Lundqvist", "Mattsson", "Hedlund", "Holm",
	"Björk", "Bergqvist", "Nyberg", "Sundberg", "Isaksson", "Blom",
	"Dahlberg", "Hermansson", "Lund", "Söderberg", "Norberg", "Ström",
	"Samuelsson", "Abrahamsson", "Ågren", "Östlund", "Björklund", "Eklund",
	"Nordström", "Jönsson", "Mårtensson", "Påhlsson", "Sjöstrand", "Rydén",
	"Hellström", "Wikström", "Dahlén", "Törnqvist", "Nordlund", "Ahmed",
	"Hassan", "Abdullahi", "Rahimi", "Karimi", "Haddad", "Demir",
	"Kaya", "Öztürk", "Petrovic", "Jovanovic", "Nowak", "Kowalski",
	"Virtanen", "Korhonen", "Tran", "Pham", "Silva", "García",
	"Rodríguez", "Schmidt", "Jensen", "Hansen", "af Klinteberg", "Ekelund-Berg"
};

/* ----------------------------------------------------------- the sources */

static const char *const lundby_title[] = {
	"Lundby stadsdelsförvaltning", "Uttag 2026-01-15", "", NULL
};
static const char *const no_title[] = { NULL };

static const char *const angered_notes[] = {
	"Bytt boende, \"Gården\" i Angered", "Avbrott, återupptagen",
	"Remiss från beroendevården", "Samverkan med psykiatrin",
	"SIP upprättad", "Flyttat till \"Lärjeholm\", Angered", NULL
};
static const char *const majorna_notes[] = {
	"Återfall under perioden", "Avbrott; återupptagen",
	"Påbörjad i Majorna.\nFlyttat till Linné.",
	"Samordnad individuell plan (SIP).\nUppföljning var tredje månad.\nKontakt med \"Gården\".",
	"Kontakt via uppsökarteamet", "Ansökan om LVM avslogs.\nFrivillig placering i stället.",
	"Ny handläggare", NULL
};
static const char *const ostra_units[] = {
	"Beroendeenheten Östra", "Boendeteamet", "Uppsökarteamet Gamlestan",
	"Mottagningen", NULL
};

static const struct word angered_interventions[] = {
	{ "Öppenvård", I_OPEN, 30 }, { "HVB", I_INST, 10 }, { "LVM", I_LVM, 4 },
	{ "Jourboende", I_HOUSE, 6 }, { "Stödboende", I_HOUSE, 6 },
	{ "Boendestöd", I_HSUP, 15 }, { "Kontaktperson", I_CONT, 8 },
	{ "Uppsökande", I_OUTR, 8 }, { "Kamratstöd", I_PEER, 6 },
	{ "Arbetsträning", I_WORK, 7 }, { NULL, 0, 0 }
};
static const struct word lundby_interventions[] = {
	{ "Strukturerad öppenvård", I_OPEN, 30 }, { "Institutionsvård", I_INST, 10 },
	{ "LVM-vård", I_LVM, 4 }, { "Stödboende", I_HOUSE, 8 },
	{ "Träningsboende", I_HOUSE, 4 }, { "Boendestöd", I_HSUP, 15 },
	{ "Kontaktperson", I_CONT, 8 }, { "Arbetsträning", I_WORK, 8 },
	{ "Sysselsättning", I_WORK, 4 }, { "Övrig insats", I_OTHER, 3 }, { NULL, 0, 0 }
};
static const struct word ostra_interventions[] = {
	{ "Öppenvård", I_OPEN, 28 }, { "Strukturerad öppenvård", I_OPEN, 6 },
	{ "HVB", I_INST, 8 }, { "Familjehem", I_INST, 3 }, { "LVM", I_LVM, 4 },
	{ "Jourboende", I_HOUSE, 8 }, { "Boendestöd", I_HSUP, 14 },
	{ "Uppsökande", I_OUTR, 12 }, { "Kamratstöd", I_PEER, 7 }, { NULL, 0, 0 }
};
static const struct word majorna_interventions[] = {
	{ "Öppenvård", I_OPEN, 30 }, { "HVB-placering", I_INST, 10 }, { "LVM", I_LVM, 4 },
	{ "Stödboende", I_HOUSE, 8 }, { "Boendestöd", I_HSUP, 14 },
	{ "Kontaktperson", I_CONT, 7 }, { "Uppsökande", I_OUTR, 6 },
	{ "Kamratstöd", I_PEER, 5 }, { "Arbetsträning", I_WORK, 6 }, { NULL, 0, 0 }
};
static const struct word norra_interventions[] = {
	{ "Öppenvård", I_OPEN, 30 }, { "Institutionsvård", I_INST, 10 }, { "LVM", I_LVM, 4 },
	{ "Jourboende", I_HOUSE, 6 }, { "Stödboende", I_HOUSE, 5 },
	{ "Boendestöd", I_HSUP, 15 }, { "Kontaktperson", I_CONT, 6 },
	{ "Kamratstöd", I_PEER, 6 }, { "Arbetsträning", I_WORK, 8 },
	{ "Övrigt", I_OTHER, 3 }, { NULL, 0, 0 }
};

/* The five districts written only with -A (read by the mapping files in bench/mappings/):
 * the same building blocks in other combinations. */
static const struct word centrum_interventions[] = {
	{ "Öppenvård", I_OPEN, 30 }, { "Strukturerad öppenvård", I_OPEN, 5 },
	{ "HVB", I_INST, 10 }, { "LVM", I_LVM, 4 }, { "Jourboende", I_HOUSE, 6 },
	{ "Boendestöd", I_HSUP, 15 }, { "Kontaktperson", I_CONT, 8 },
	{ "Uppsökande", I_OUTR, 10 }, { "Kamratstöd", I_PEER, 6 },
	{ "Övrigt", I_OTHER, 3 }, { NULL, 0, 0 }
};
static const struct word orgryte_interventions[] = {
	{ "Öppenvård", I_OPEN, 30 }, { "Institutionsvård", I_INST, 10 },
	{ "Familjehem", I_INST, 3 }, { "LVM-vård", I_LVM, 4 }, { "Stödboende", I_HOUSE, 7 },
	{ "Boendestöd", I_HSUP, 15 }, { "Kontaktperson", I_CONT, 8 },
	{ "Arbetsträning", I_WORK, 7 }, { "Sysselsättning", I_WORK, 4 }, { NULL, 0, 0 }
};
static const struct word askim_interventions[] = {
	{ "Strukturerad öppenvård", I_OPEN, 25 }, { "HVB-placering", I_INST, 10 },
	{ "LVM", I_LVM, 4 }, { "Träningsboende", I_HOUSE, 5 }, { "Stödboende", I_HOUSE, 5 },
	{ "Boendestöd", I_HSUP, 14 }, { "Uppsökande", I_OUTR, 6 },
	{ "Kamratstöd", I_PEER, 6 }, { "Arbetsträning", I_WORK, 7 },
	{ "Övrig insats", I_OTHER, 3 }, { NULL, 0, 0 }
};
static const struct word vastra_gbg_interventions[] = {
	{ "Öppenvård", I_OPEN, 30 }, { "HVB", I_INST, 8 }, { "Familjehem", I_INST, 3 },
	{ "LVM", I_LVM, 4 }, { "Jourboende", I_HOUSE, 6 }, { "Stödboende", I_HOUSE, 6 },
	{ "Boendestöd", I_HSUP, 15 }, { "Kontaktperson", I_CONT, 7 },
	{ "Kamratstöd", I_PEER, 5 }, { "Sysselsättning", I_WORK, 6 }, { NULL, 0, 0 }
};
static const struct word vastra_hisingen_interventions[] = {
	{ "Öppenvård", I_OPEN, 30 }, { "Institutionsvård", I_INST, 10 }, { "LVM", I_LVM, 4 },
	{ "Stödboende", I_HOUSE, 8 }, { "Boendestöd", I_HSUP, 15 },
	{ "Kontaktperson", I_CONT, 7 }, { "Uppsökande", I_OUTR, 7 },
	{ "Arbetsträning", I_WORK, 8 }, { "Övrigt", I_OTHER, 3 }, { NULL, 0, 0 }
};

static const struct word providers_egen[] = {
	{ "Egen regi", P_MUNI, 60 }, { "Idéburen", P_NGO, 25 }, { "Privat", P_PRIV, 15 },
	{ NULL, 0, 0 }
};
static const struct word providers_kommunal[] = {
	{ "Kommunal", P_MUNI, 60 }, { "Idéburen", P_NGO, 22 }, { "Privat", P_PRIV, 18 },
	{ NULL, 0, 0 }
};
static const struct word providers_lundby[] = {
	{ "Kommunal", P_MUNI, 60 }, { "IOP", P_NGO, 15 }, { "Idéburen", P_NGO, 10 },
	{ "Privat", P_PRIV, 15 }, { NULL, 0, 0 }
};
static const struct word providers_majorna[] = {
	{ "Egen regi", P_MUNI, 55 }, { "IOP", P_NGO, 20 }, { "Idéburen", P_NGO, 10 },
	{ "Privat", P_PRIV, 15 }, { NULL, 0, 0 }
};

/* Column layouts.  Order is the order in the file. */
static const struct column angered_cols[] = {
	{ COL_ID, NULL, "Personnummer" }, { COL_FIRST, NULL, "Förnamn" },
	{ COL_LAST, NULL, "Efternamn" }, { COL_BIRTH_DATE, NULL, "Födelsedatum" },
	{ COL_SEX, NULL, "Kön" }, { COL_POSTCODE, NULL, "Postnummer" },
	{ COL_INTERVENTION, NULL, "Insats" }, { COL_PROVIDER, NULL, "Utförare" },
	{ COL_SUBSTANCE, NULL, "Missbruk" },
	{ COL_START, NULL, "Startdatum" }, { COL_END, NULL, "Slutdatum" },
	{ COL_COST, NULL, "Kostnad (kr)" }, { COL_CHILDREN, NULL, "Barn i hushållet" },
	{ COL_NOTE, NULL, "Kommentar" }
};
static const struct column lundby_cols[] = {
	{ COL_ID, "Person", "Personnummer" }, { COL_FIRST, NULL, "Förnamn" },
	{ COL_LAST, NULL, "Efternamn" }, { COL_BIRTH_DATE, NULL, "Födelsedatum" },
	{ COL_SEX, NULL, "Kön" }, { COL_POSTCODE, NULL, "Postnr" },
	{ COL_SUBSTANCE, NULL, "Missbruk" },
	{ COL_INTERVENTION, "Insats", "Insatstyp" }, { COL_PROVIDER, NULL, "Utförare" },
	{ COL_START, NULL, "Beslutsdatum" }, { COL_END, NULL, "Avslutsdatum" },
	{ COL_COST, "Kostnad", "Belopp" }, { COL_CHILDREN, "Hushåll", "Barn under 18" }
};
static const struct column ostra_cols[] = {
	{ COL_ID, NULL, "Personnummer" }, { COL_FIRST, NULL, "Förnamn" },
	{ COL_LAST, NULL, "Efternamn" }, { COL_BIRTH_DATE, NULL, "Födelsedatum" },
	{ COL_SEX, NULL, "Kön" }, { COL_POSTCODE, NULL, "Postnummer" },
	{ COL_INTERVENTION, NULL, "Typ av insats" }, { COL_PROVIDER, NULL, "Utförare" },
	{ COL_SUBSTANCE, NULL, "Substans" }, { COL_START, NULL, "Startdatum" },
	{ COL_END, NULL, "Slutdatum" }, { COL_COST, NULL, "Kostnad" },
	{ COL_CHILDREN, NULL, "Barn" }, { COL_UNIT, NULL, "Enhet" }
};
static const struct column majorna_cols[] = {
	{ COL_ID, NULL, "Pnr" }, { COL_FIRST, NULL, "Förnamn" },
	{ COL_LAST, NULL, "Efternamn" }, { COL_BIRTH_DATE, NULL, "Födelsedatum" },
	{ COL_SEX, NULL, "Kön" }, { COL_POSTCODE, NULL, "Postnummer" },
	{ COL_INTERVENTION, NULL, "Insats" }, { COL_PROVIDER, NULL, "Utförare" },
	{ COL_SUBSTANCE, NULL, "Missbruksområde" }, { COL_START, NULL, "Från" },
	{ COL_END, NULL, "Till" }, { COL_COST, NULL, "Kostnad" },
	{ COL_CHILDREN, NULL, "Barn" }, { COL_NOTE, NULL, "Anteckning" }
};
static const struct column norra_cols[] = {
	{ COL_ID, NULL, "Id-nummer" }, { COL_LAST, NULL, "Efternamn" },
	{ COL_FIRST, NULL, "Förnamn" }, { COL_BIRTH_YEAR, NULL, "Födelseår" },
	{ COL_SEX, NULL, "Kön" }, { COL_POSTCODE, NULL, "Postnummer" },
	{ COL_INTERVENTION, NULL, "Insatskategori" },
	{ COL_PROVIDER, NULL, "Utförare" }, { COL_SUBSTANCE, NULL, "Problematik" },
	{ COL_START, NULL, "Start" }, { COL_END, NULL, "Slut" },
	{ COL_COST, NULL, "Kostnad" }, { COL_CHILDREN, NULL, "Barn under 18 år" }
};

static const struct column centrum_cols[] = {
	{ COL_ID, NULL, "Personnummer" }, { COL_FIRST, NULL, "Förnamn" },
	{ COL_LAST, NULL, "Efternamn" }, { COL_BIRTH_DATE, NULL, "Födelsedatum" },
	{ COL_SEX, NULL, "Kön" }, { COL_POSTCODE, NULL, "Postnummer" },
	{ COL_INTERVENTION, NULL, "Insats" }, { COL_PROVIDER, NULL, "Utförare" },
	{ COL_SUBSTANCE, NULL, "Missbruk" }, { COL_START, NULL, "Startdatum" },
	{ COL_END, NULL, "Slutdatum" }, { COL_COST, NULL, "Kostnad" },
	{ COL_CHILDREN, NULL, "Barn" }, { COL_NOTE, NULL, "Kommentar" }
};
static const struct column orgryte_cols[] = {
	{ COL_ID, "Klient", "Personnummer" }, { COL_LAST, NULL, "Efternamn" },
	{ COL_FIRST, NULL, "Förnamn" }, { COL_BIRTH_DATE, NULL, "Födelsedatum" },
	{ COL_SEX, NULL, "Kön" }, { COL_POSTCODE, NULL, "Postnr" },
	{ COL_CHILDREN, NULL, "Barn" }, { COL_SUBSTANCE, NULL, "Missbruk" },
	{ COL_INTERVENTION, "Beslut", "Insats" }, { COL_PROVIDER, NULL, "Utförare" },
	{ COL_START, NULL, "Start" }, { COL_END, NULL, "Slut" },
	{ COL_COST, "Ekonomi", "Kostnad" }
};
static const struct column askim_cols[] = {
	{ COL_ID, NULL, "Personnr" }, { COL_FIRST, NULL, "Förnamn" },
	{ COL_LAST, NULL, "Efternamn" }, { COL_BIRTH_DATE, NULL, "Födelsedatum" },
	{ COL_SEX, NULL, "Kön" }, { COL_POSTCODE, NULL, "Postnummer" },
	{ COL_UNIT, NULL, "Enhet" }, { COL_INTERVENTION, NULL, "Insats" },
	{ COL_PROVIDER, NULL, "Utförare" }, { COL_SUBSTANCE, NULL, "Substans" },
	{ COL_START, NULL, "Från" }, { COL_END, NULL, "Till" },
	{ COL_COST, NULL, "Kostnad" }, { COL_CHILDREN, NULL, "Barn i hushållet" }
};
static const struct column vastra_gbg_cols[] = {
	{ COL_ID, NULL, "Id-nummer" }, { COL_FIRST, NULL, "Förnamn" },
	{ COL_LAST, NULL, "Efternamn" }, { COL_BIRTH_DATE, NULL, "Födelsedatum" },
	{ COL_SEX, NULL, "Kön" }, { COL_POSTCODE, NULL, "Postnummer" },
	{ COL_INTERVENTION, NULL, "Insatstyp" }, { COL_PROVIDER, NULL, "Utförare" },
	{ COL_SUBSTANCE, NULL, "Missbruk" }, { COL_START, NULL, "Startdatum" },
	{ COL_END, NULL, "Slutdatum" }, { COL_COST, NULL, "Kostnad" },
	{ COL_CHILDREN, NULL, "Barn" }, { COL_NOTE, NULL, "Anteckning" }
};
static const struct column vastra_hisingen_cols[] = {
	{ COL_ID, NULL, "Personnummer" }, { COL_LAST, NULL, "Efternamn" },
	{ COL_FIRST, NULL, "Förnamn" }, { COL_BIRTH_YEAR, NULL, "Födelseår" },
	{ COL_SEX, NULL, "Kön" }, { COL_POSTCODE, NULL, "Postnr" },
	{ COL_INTERVENTION, NULL, "Insats" }, { COL_PROVIDER, NULL, "Utförare" },
	{ COL_SUBSTANCE, NULL, "Problematik" }, { COL_START, NULL, "Start" },
	{ COL_END, NULL, "Slut" }, { COL_COST, NULL, "Kostnad" },
	{ COL_CHILDREN, NULL, "Barn under 18 år" }
};

static const char *const centrum_title[] = {
	"Stadsdelsförvaltningen Centrum", "Individ- och familjeomsorg, uttag 2026-01-15", "",
	NULL
};
static const char *const vastra_gbg_title[] = { "Västra Göteborg, IFO vuxen", "", NULL };
static const char *const askim_units[] = {
	"Beroendeenheten Frölunda", "Boendeteamet Askim", "Mottagningen Högsbo", NULL
};

/* Bad-row rotations.  Sources that never quote may take one unterminated
 * quote per file; after it no quote character may follow in that file. */
static const enum bad_kind angered_bad[] = {
	BAD_ENCODING, BAD_QUOTE_AFTER, BAD_DATE, BAD_MANY_FIELDS, BAD_CONTROL,
	BAD_UNMAPPED, BAD_FEW_FIELDS, BAD_END_BEFORE_START, BAD_END_OF_LIST
};
static const enum bad_kind lundby_bad[] = {
	BAD_ENCODING, BAD_UNTERMINATED, BAD_DATE, BAD_FEW_FIELDS, BAD_UNMAPPED,
	BAD_CONTROL, BAD_END_BEFORE_START, BAD_MANY_FIELDS, BAD_END_OF_LIST
};
static const enum bad_kind ostra_bad[] = {
	BAD_QUOTE_INSIDE, BAD_ENCODING, BAD_END_BEFORE_START, BAD_MANY_FIELDS,
	BAD_DATE, BAD_CONTROL, BAD_UNMAPPED, BAD_FEW_FIELDS, BAD_END_OF_LIST
};
static const enum bad_kind majorna_bad[] = {
	BAD_FEW_FIELDS, BAD_ENCODING, BAD_UNMAPPED, BAD_QUOTE_AFTER, BAD_DATE,
	BAD_CONTROL, BAD_END_BEFORE_START, BAD_MANY_FIELDS, BAD_END_OF_LIST
};
static const enum bad_kind norra_bad[] = {
	BAD_CONTROL, BAD_UNTERMINATED, BAD_DATE, BAD_MANY_FIELDS, BAD_UNMAPPED,
	BAD_END_BEFORE_START, BAD_FEW_FIELDS, BAD_END_OF_LIST
};

static const enum bad_kind centrum_bad[] = {
	BAD_ENCODING, BAD_QUOTE_INSIDE, BAD_DATE, BAD_FEW_FIELDS, BAD_CONTROL,
	BAD_UNMAPPED, BAD_MANY_FIELDS, BAD_END_BEFORE_START, BAD_END_OF_LIST
};
static const enum bad_kind orgryte_bad[] = {
	BAD_ENCODING, BAD_UNTERMINATED, BAD_DATE, BAD_MANY_FIELDS, BAD_UNMAPPED,
	BAD_CONTROL, BAD_FEW_FIELDS, BAD_END_BEFORE_START, BAD_END_OF_LIST
};
static const enum bad_kind askim_bad[] = {
	BAD_FEW_FIELDS, BAD_ENCODING, BAD_UNMAPPED, BAD_UNTERMINATED, BAD_DATE,
	BAD_CONTROL, BAD_END_BEFORE_START, BAD_MANY_FIELDS, BAD_END_OF_LIST
};
static const enum bad_kind vastra_gbg_bad[] = {
	BAD_QUOTE_AFTER, BAD_DATE, BAD_MANY_FIELDS, BAD_CONTROL, BAD_UNMAPPED,
	BAD_FEW_FIELDS, BAD_END_BEFORE_START, BAD_QUOTE_INSIDE, BAD_END_OF_LIST
};
static const enum bad_kind vastra_hisingen_bad[] = {
	BAD_ENCODING, BAD_UNTERMINATED, BAD_DATE, BAD_MANY_FIELDS, BAD_CONTROL,
	BAD_UNMAPPED, BAD_FEW_FIELDS, BAD_END_BEFORE_START, BAD_END_OF_LIST
};

static const struct source sources[] = {
	{
		.name = "angered", .district = "ANGERED", .weight = 25,
		.enc = ENC_UTF8_BOM, .delim = ',', .eol = "\r\n", .title = no_title,
		.cols = angered_cols, .n_cols = N_OF(angered_cols),
		.date = DATE_ISO, .id = ID_PNR12_DASH, .cost = COST_POINT,
		.cost_permille = 650, .postcode_space = 1,
		.reserve = { "RES-", 6 }, .sex_words = { "Kvinna", "Man" },
		.interventions = angered_interventions, .providers = providers_egen,
		.substance_words = { "Alkohol", "Narkotika", "Spel", "Blandmissbruk" },
		.children_words = { "Ja", "Nej", "" },
		.notes = angered_notes, .note_permille = 120,
		.footer = FOOTER_NONE, .quotes_ok = 1, .bad_kinds = angered_bad,
	},
	{
		.name = "lundby", .district = "LUNDBY", .weight = 20,
		.enc = ENC_CP1252, .delim = ';', .eol = "\r\n", .split_by_year = 1,
		.title = lundby_title, .two_row_header = 1,
		.cols = lundby_cols, .n_cols = N_OF(lundby_cols),
		.date = DATE_DOT_DMY, .id = ID_PNR10_DASH, .cost = COST_COMMA_SPACE,
		.cost_permille = 700, .postcode_space = 1,
		.reserve = { "LR-", 6 }, .sex_words = { "K", "M" },
		.interventions = lundby_interventions, .providers = providers_lundby,
		.substance_words = { "Alkohol", "Narkotika", "Spel", "Blandmissbruk" },
		.children_words = { "Ja", "Nej", "" },
		.footer = FOOTER_SUM, .footer_label = "Summa", .blank_before_footer = 1,
		.bad_kinds = lundby_bad,
	},
	{
		.name = "ostra", .district = "OSTRA", .weight = 20,
		.enc = ENC_UTF8, .delim = '\t', .eol = "\n", .title = no_title,
		.cols = ostra_cols, .n_cols = N_OF(ostra_cols),
		.date = DATE_COMPACT, .id = ID_PNR12, .cost = COST_COMMA_NBSP,
		.cost_permille = 600, .postcode_space = 1,
		.reserve = { "99", 10 }, .sex_words = { "Kvinna", "Man" },
		.interventions = ostra_interventions, .providers = providers_kommunal,
		.substance_words = { "Alkohol", "Narkotika", "Spel om pengar", "Blandmissbruk" },
		.children_words = { "Ja", "Nej", "" },
		.units = ostra_units,
		.footer = FOOTER_COUNT, .footer_label = "Totalt antal:", .blank_before_footer = 1,
		.bad_kinds = ostra_bad,
	},
	{
		.name = "majorna_linne", .district = "MAJORNA_LINNE", .weight = 15,
		.enc = ENC_CP1252, .delim = ';', .eol = "\r\n", .title = no_title,
		.cols = majorna_cols, .n_cols = N_OF(majorna_cols),
		.date = DATE_SLASH_DMY, .id = ID_PNR10, .cost = COST_COMMA_NBSP,
		.cost_permille = 650, .postcode_space = 0,
		.reserve = { "RN", 6 }, .sex_words = { "K", "M" },
		.interventions = majorna_interventions, .providers = providers_majorna,
		.substance_words = { "Alkohol", "Narkotika", "Spel", "Blandmissbruk" },
		.children_words = { "Ja", "Nej", "Uppgift saknas" },
		.notes = majorna_notes, .note_permille = 250,
		.footer = FOOTER_NONE, .blank_every = 200, .quotes_ok = 1,
		.bad_kinds = majorna_bad,
	},
	{
		.name = "norra_hisingen", .district = "NORRA_HISINGEN", .weight = 20,
		.enc = ENC_LATIN1, .delim = ',', .eol = "\n", .title = no_title,
		.cols = norra_cols, .n_cols = N_OF(norra_cols),
		.date = DATE_DATETIME, .id = ID_MIXED, .cost = COST_INTEGER,
		.cost_permille = 550, .postcode_space = 1,
		.reserve = { "NH-", 6 }, .sex_words = { "kvinna", "man" },
		.interventions = norra_interventions, .providers = providers_kommunal,
		.substance_words = { "Alkohol", "Droger", "Spelberoende", "Blandmissbruk" },
		.children_words = { "Ja", "Nej", "Vet ej" },
		.footer = FOOTER_NONE, .bad_kinds = norra_bad,
	},
	/* ---- -A only (N_BASE_SOURCES above): bench/mappings/<name>.ini ---- */
	{
		.name = "centrum", .district = "CENTRUM", .weight = 15,
		.enc = ENC_UTF8, .delim = '|', .eol = "\n", .title = centrum_title,
		.cols = centrum_cols, .n_cols = N_OF(centrum_cols),
		.date = DATE_ISO, .id = ID_PNR12, .cost = COST_POINT,
		.cost_permille = 600, .postcode_space = 0,
		.reserve = { "C-", 7 }, .sex_words = { "Kvinna", "Man" },
		.interventions = centrum_interventions, .providers = providers_egen,
		.substance_words = { "Alkohol", "Narkotika", "Spel", "Blandmissbruk" },
		.children_words = { "Ja", "Nej", "Uppgift saknas" },
		.notes = angered_notes, .note_permille = 150,
		.footer = FOOTER_COUNT, .footer_label = "Antal rader:", .quotes_ok = 1,
		.bad_kinds = centrum_bad,
	},
	{
		.name = "orgryte_harlanda", .district = "ORGRYTE_HARLANDA", .weight = 15,
		.enc = ENC_CP1252, .delim = '\t', .eol = "\r\n", .title = no_title,
		.two_row_header = 1,
		.cols = orgryte_cols, .n_cols = N_OF(orgryte_cols),
		.date = DATE_DOT_DMY, .id = ID_PNR12_DASH, .cost = COST_COMMA_SPACE,
		.cost_permille = 650, .postcode_space = 1,
		.reserve = { "OH", 6 }, .sex_words = { "K", "M" },
		.interventions = orgryte_interventions, .providers = providers_kommunal,
		.substance_words = { "Alkohol", "Droger", "Spelberoende", "Blandmissbruk" },
		.children_words = { "Ja", "Nej", "Vet ej" },
		.footer = FOOTER_SUM, .footer_label = "Totalt", .blank_before_footer = 1,
		.bad_kinds = orgryte_bad,
	},
	{
		.name = "askim_frolunda_hogsbo", .district = "ASKIM_FROLUNDA_HOGSBO", .weight = 20,
		.enc = ENC_UTF8_BOM, .delim = ';', .eol = "\r\n", .title = no_title,
		.cols = askim_cols, .n_cols = N_OF(askim_cols),
		.date = DATE_SLASH_DMY, .id = ID_PNR10_DASH, .cost = COST_COMMA_NBSP,
		.cost_permille = 600, .postcode_space = 1,
		.reserve = { "AFH-", 6 }, .sex_words = { "Kvinna", "Man" },
		.interventions = askim_interventions, .providers = providers_majorna,
		.substance_words = { "Alkohol", "Narkotika", "Spel om pengar", "Blandmissbruk" },
		.children_words = { "Ja", "Nej", "" },
		.units = askim_units,
		.footer = FOOTER_NONE, .blank_every = 500, .bad_kinds = askim_bad,
	},
	{
		.name = "vastra_gbg", .district = "VASTRA_GBG", .weight = 15,
		.enc = ENC_LATIN1, .delim = '|', .eol = "\r\n", .title = vastra_gbg_title,
		.cols = vastra_gbg_cols, .n_cols = N_OF(vastra_gbg_cols),
		.date = DATE_COMPACT, .id = ID_MIXED, .cost = COST_INTEGER,
		.cost_permille = 550, .postcode_space = 0,
		.reserve = { "VG", 8 }, .sex_words = { "kvinna", "man" },
		.interventions = vastra_gbg_interventions, .providers = providers_lundby,
		.substance_words = { "Alkohol", "Narkotika", "Spel om pengar", "Blandmissbruk" },
		.children_words = { "Ja", "Nej", "Uppgift saknas" },
		.notes = majorna_notes, .note_permille = 200,
		.footer = FOOTER_SUM, .footer_label = "Summa", .quotes_ok = 1,
		.bad_kinds = vastra_gbg_bad,
	},
	{
		.name = "vastra_hisingen", .district = "VASTRA_HISINGEN", .weight = 20,
		.enc = ENC_UTF8, .delim = ',', .eol = "\n", .split_by_year = 1, .title = no_title,
		.cols = vastra_hisingen_cols, .n_cols = N_OF(vastra_hisingen_cols),
		.date = DATE_DATETIME, .id = ID_PNR10, .cost = COST_POINT,
		.cost_permille = 600, .postcode_space = 1,
		.reserve = { "VH-", 6 }, .sex_words = { "Kvinna", "Man" },
		.interventions = vastra_hisingen_interventions, .providers = providers_egen,
		.substance_words = { "Alkohol", "Narkotika", "Spel", "Blandmissbruk" },
		.children_words = { "Ja", "Nej", "" },
		.footer = FOOTER_COUNT, .footer_label = "Antal:", .bad_kinds = vastra_hisingen_bad,
	},
};
#define N_SOURCES N_OF(sources)
#define N_BASE_SOURCES 5                /* written without -A: the samples */

/* The sources written: N_BASE_SOURCES, or N_SOURCES with -A. */
static size_t g_n_sources = N_BASE_SOURCES;

/* -M STEM: one monthly file, STEM.csv, of the one source whose name STEM
 * starts with; its persons are new (they follow the persons of the -b rows
 * generated with the same seed, so no identity number repeats) and their
 * episodes start in MONTH_FIRST..MONTH_LAST.  SIZE_MAX: not in this mode. */
static size_t g_month_src = SIZE_MAX;
static const char *g_month_stem;
#define MONTH_FIRST_YMD 2025, 12, 1
#define MONTH_LAST_YMD 2025, 12, 31

/* Home postcodes (five digits) per district, in district order of sources[]. */
static const char *const postcodes[][8] = {
	{ "42430", "42431", "42435", "42437", "42441", "42447", "42465", "42470" },
	{ "41705", "41715", "41721", "41729", "41742", "41749", "41763", "41766" },
	{ "41502", "41505", "41514", "41522", "41540", "41652", "41664", "41672" },
	{ "41301", "41310", "41314", "41451", "41463", "41471", "41474", "41476" },
	{ "42241", "42246", "42249", "42530", "42535", "42541", "42543", "42547" },
	{ "41101", "41104", "41120", "41126", "41133", "41136", "41252", "41258" },
	{ "41260", "41266", "41271", "41276", "41655", "41658", "41667", "41680" },
	{ "42130", "42137", "42143", "42150", "42160", "42166", "43630", "43640" },
	{ "42650", "42655", "42658", "42668", "42671", "42674", "42676", "43082" },
	{ "41830", "41834", "41838", "41870", "41874", "41878", "42353", "42356" },
};

static const char *const unmapped_words[] = {
	"Okänd insats X", "Okänd insats Y", "Insats utan kod"
};

/* ------------------------------------------------------------------ util */

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;

	fputs("gen_sample: internal error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EX_SOFTWARE);
}

static void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size);

	if (q == NULL && size != 0)
		abort();                /* out of memory */
	return q;
}

static char *xstrdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		die("vsnprintf failed");
	s = xrealloc(NULL, (size_t)len + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* splitmix64 */
struct rng {
	uint64_t state;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static struct rng rng_derive(uint64_t seed, uint64_t stream)
{
	struct rng r = { seed ^ (stream * UINT64_C(0xD1B54A32D192ED03)) };

	rng_next(&r);
	return r;
}

/* Uniform in [0, n); n > 0.  The modulo bias is below 2^-40 for our n. */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

static int rng_permille(struct rng *r, unsigned permille)
{
	return rng_below(r, 1000) < permille;
}

static const struct word *pick_word(struct rng *r, const struct word *words)
{
	unsigned total = 0, x;
	const struct word *w;

	for (w = words; w->text != NULL; w++)
		total += w->weight;
	x = (unsigned)rng_below(r, total);
	for (w = words; x >= w->weight; w++)
		x -= w->weight;
	return w;
}

static const char *pick_str(struct rng *r, const char *const *pool)
{
	size_t n = 0;

	while (pool[n] != NULL)
		n++;
	return pool[rng_below(r, n)];
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* ----------------------------------------------------------------- dates */

struct date {
	int y, m, d;
};

/* Days since 1970-01-01 (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static struct date civil_from_days(int64_t z)
{
	struct date dt;
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	dt.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	dt.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	dt.y = (int)(yoe + era * 400 + (dt.m <= 2));
	return dt;
}

/* ------------------------------------------------------------ byte buffer */

struct buf {
	char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

static void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* --------------------------------------------------------------- encoding */

/*
 * Append UTF-8 text (len bytes, may hold NUL) to b in encoding enc, doubling
 * quote characters when dbl_quote is set.  Our texts only hold characters of
 * U+0000..U+00FF outside the C1 range, which all three encodings represent.
 */
static void encode_text(struct buf *b, const char *text, size_t len,
			enum encoding enc, int dbl_quote)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x80) {
			buf_addc(b, (char)c);
			if (c == '"' && dbl_quote)
				buf_addc(b, (char)c);
			continue;
		}
		if ((c & 0xE0) != 0xC0 || i + 1 >= len)
			die("text outside U+0000..U+00FF: \"%s\"", text);
		if (enc == ENC_UTF8 || enc == ENC_UTF8_BOM) {
			buf_add(b, text + i, 2);
		} else {
			unsigned cp = ((c & 0x1Fu) << 6) | ((unsigned char)text[i + 1] & 0x3Fu);
			if (cp < 0xA0)
				die("C1 character in \"%s\"", text);
			buf_addc(b, (char)cp);
		}
		i++;
	}
}

/* ------------------------------------------------------------------ rows */

struct field {
	char text[FIELD_CAP];
	size_t len;
	int raw;                        /* text is already bytes of the file: no encoding, no quoting */
};

struct row {
	struct field f[MAX_COLS + 1];
	size_t n;
};

static void field_set(struct field *f, const char *s)
{
	size_t len = strlen(s);

	if (len >= FIELD_CAP)
		die("field too long: \"%s\"", s);
	memcpy(f->text, s, len + 1);
	f->len = len;
	f->raw = 0;
}

static void field_setf(struct field *f, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(f->text, FIELD_CAP, fmt, ap);
	va_end(ap);
	if (len < 0 || len >= FIELD_CAP)
		die("formatted field too long");
	f->len = (size_t)len;
	f->raw = 0;
}

static void field_set_raw(struct field *f, const struct buf *b)
{
	if (b->len >= FIELD_CAP)
		die("raw field too long");
	memcpy(f->text, b->data, b->len);
	f->text[b->len] = '\0';
	f->len = b->len;
	f->raw = 1;
}

static int field_needs_quotes(const struct field *f, char delim)
{
	size_t i;

	for (i = 0; i < f->len; i++) {
		char c = f->text[i];
		if (c == delim || c == '"' || c == '\n' || c == '\r')
			return 1;
	}
	return 0;
}

/* Serialise a record (fields, delimiters, line end) into b. */
static void row_serialise(struct buf *b, const struct source *s, const struct row *row)
{
	size_t i;

	for (i = 0; i < row->n; i++) {
		const struct field *f = &row->f[i];
		if (i > 0)
			buf_addc(b, s->delim);
		if (f->raw) {
			buf_add(b, f->text, f->len);
		} else if (field_needs_quotes(f, s->delim)) {
			if (!s->quotes_ok)
				die("source %s never quotes, but a field needs it: \"%s\"", s->name, f->text);
			buf_addc(b, '"');
			encode_text(b, f->text, f->len, s->enc, 1);
			buf_addc(b, '"');
		} else {
			encode_text(b, f->text, f->len, s->enc, 0);
		}
	}
	buf_adds(b, s->eol);
}

/* ------------------------------------------------------------ districts */

struct districts {
	const char *code[MAX_DISTRICTS];
	size_t n;
};

static struct districts g_districts;
static size_t g_src_district[N_SOURCES];
static unsigned g_src_rot[N_SOURCES];  /* bad-kind rotation position per source */

static size_t district_of_source(size_t src)
{
	return g_src_district[src];
}

static void districts_init(void)
{
	size_t i, j;

	for (i = 0; i < g_n_sources; i++) {
		for (j = 0; j < g_districts.n; j++)
			if (strcmp(g_districts.code[j], sources[i].district) == 0)
				break;
		if (j == g_districts.n) {
			if (j == MAX_DISTRICTS)
				die("too many districts");
			g_districts.code[g_districts.n++] = sources[i].district;
		}
		g_src_district[i] = j;
	}
	if (g_districts.n > N_OF(postcodes))
		die("a district without postcodes");
}

/* ---------------------------------------------------------------- persons */

#define BIRTH_FIRST_DAY days_from_civil(1940, 1, 1)
#define BIRTH_LAST_DAY days_from_civil(2004, 12, 31)
#define CENT_FIRST_DAY days_from_civil(1920, 1, 1)
#define CENT_LAST_DAY days_from_civil(1923, 12, 31)
#define SERIAL_SLOTS 499                /* serial = 2*j + male, j in 1..499 */
#define CENTENARIAN_EVERY 5000          /* person idx % this == CENTENARIAN_AT */
#define CENTENARIAN_AT 7
#define EXPORT_DAY days_from_civil(2026, 1, 15)

/* An affine permutation of [0, m): ordinal k -> (a*k + b) mod m. */
struct perm {
	uint64_t a, b, m;
};

static struct perm perm_make(struct rng *r, uint64_t m)
{
	struct perm p;

	p.m = m;
	p.b = rng_below(r, m);
	p.a = (rng_below(r, m - 2) + 2) | 1;
	while (gcd_u64(p.a, m) != 1)
		p.a += 2;
	return p;
}

static uint64_t perm_apply(const struct perm *p, uint64_t k)
{
	if (k >= p->m)
		die("more persons than identity numbers: %" PRIu64, k);
	/* a, k < 2^25 here, so the product fits */
	return (p->a % p->m * (k % p->m) + p->b) % p->m;
}

struct person {
	uint64_t idx;
	int male;
	int centenarian;
	struct date birth;
	unsigned serial;                /* NNN: third digit odd = man */
	enum id_kind kind;
	uint64_t reserve_k;             /* ordinal among reserve-number persons */
	const char *first, *last;
	unsigned postcode_idx;
	enum substance substance;
	enum children children;
	size_t home_src, other_src;     /* index in sources[] */
	int multi;                      /* has episodes in two districts */
	unsigned n_episodes;
};

struct population {
	uint64_t seed;
	struct perm perm_f, perm_m, perm_cent;
	uint64_t n_f, n_m, n_cent, n_reserve;
	unsigned src_weight_total;
};

static void population_init(struct population *pop, uint64_t seed)
{
	struct rng r = rng_derive(seed, UINT64_C(0xB1B1));
	uint64_t n_days = (uint64_t)(BIRTH_LAST_DAY - BIRTH_FIRST_DAY + 1);
	uint64_t n_cdays = (uint64_t)(CENT_LAST_DAY - CENT_FIRST_DAY + 1);
	size_t i;

	memset(pop, 0, sizeof(*pop));
	pop->seed = seed;
	pop->perm_f = perm_make(&r, n_days * SERIAL_SLOTS);
	pop->perm_m = perm_make(&r, n_days * SERIAL_SLOTS);
	pop->perm_cent = perm_make(&r, n_cdays * SERIAL_SLOTS);
	for (i = 0; i < g_n_sources; i++)
		pop->src_weight_total += sources[i].weight;
}

static size_t pick_source(struct rng *r, const struct population *pop)
{
	unsigned x = (unsigned)rng_below(r, pop->src_weight_total);
	size_t i;

	for (i = 0; x >= sources[i].weight; i++)
		x -= sources[i].weight;
	return i;
}

/* A source in a district other than that of source `not`. */
static size_t pick_other_source(struct rng *r, const struct population *pop, size_t not)
{
	for (;;) {
		size_t i = pick_source(r, pop);
		if (strcmp(sources[i].district, sources[not].district) != 0)
			return i;
	}
}

static size_t centenarian_source(void)
{
	size_t i;

	for (i = 0; i < g_n_sources; i++)
		if (sources[i].id == ID_PNR10_DASH)
			return i;
	die("no source writes YYMMDD+NNNC");
}

/* Birth date and serial from the person's ordinal: unique by construction. */
static void person_identity(struct population *pop, struct person *p)
{
	uint64_t slot;
	int64_t first_day;

	if (p->centenarian) {
		slot = perm_apply(&pop->perm_cent, pop->n_cent++);
		first_day = CENT_FIRST_DAY;
	} else if (p->male) {
		slot = perm_apply(&pop->perm_m, pop->n_m++);
		first_day = BIRTH_FIRST_DAY;
	} else {
		slot = perm_apply(&pop->perm_f, pop->n_f++);
		first_day = BIRTH_FIRST_DAY;
	}
	p->birth = civil_from_days(first_day + (int64_t)(slot / SERIAL_SLOTS));
	p->serial = 2 * (unsigned)(slot % SERIAL_SLOTS + 1) + (unsigned)p->male;
}

static enum substance pick_substance(struct rng *r)
{
	uint64_t x = rng_below(r, 100);

	if (x < 45)
		return SUB_ALC;
	if (x < 75)
		return SUB_DRUG;
	if (x < 82)
		return SUB_GAMB;
	return SUB_MIX;
}

static enum children pick_children(struct rng *r)
{
	uint64_t x = rng_below(r, 100);

	return x < 25 ? CH_YES : x < 85 ? CH_NO : CH_UNKNOWN;
}

static void person_make(struct population *pop, uint64_t idx, struct person *p)
{
	struct rng r = rng_derive(pop->seed, idx);
	uint64_t x;

	memset(p, 0, sizeof(*p));
	p->idx = idx;
	p->centenarian = idx % CENTENARIAN_EVERY == CENTENARIAN_AT;
	p->male = rng_permille(&r, 680);
	person_identity(pop, p);
	x = rng_below(&r, 1000);
	p->kind = p->centenarian || x >= 50 ? KIND_PNR : x < 30 ? KIND_SAMNR : KIND_RESERVE;
	if (p->kind == KIND_RESERVE)
		p->reserve_k = pop->n_reserve++;
	p->first = p->male ? first_names_m[rng_below(&r, N_OF(first_names_m))]
			   : first_names_f[rng_below(&r, N_OF(first_names_f))];
	p->last = last_names[rng_below(&r, N_OF(last_names))];
	p->postcode_idx = (unsigned)rng_below(&r, N_OF(postcodes[0]));
	p->substance = pick_substance(&r);
	p->children = pick_children(&r);
	p->n_episodes = 1 + (unsigned)rng_below(&r, 4);
	p->home_src = pick_source(&r, pop);
	p->multi = g_districts.n >= 2 && rng_permille(&r, 150);
	if (p->multi) {
		p->other_src = pick_other_source(&r, pop, p->home_src);
		if (p->n_episodes < 2)
			p->n_episodes = 2;
	}
	if (p->centenarian) {
		p->home_src = centenarian_source();
		p->multi = 0;
		p->n_episodes = 2;
	}
}

/* ------------------------------------------------------ identity numbers */

static int luhn_check(const char *digits9)
{
	int sum = 0, i;

	for (i = 0; i < 9; i++) {
		int v = (digits9[i] - '0') * (i % 2 == 0 ? 2 : 1);
		sum += v / 10 + v % 10;
	}
	return (10 - sum % 10) % 10;
}

enum id_variant { IDV_NORMAL, IDV_MISSING, IDV_BAD_CHECK };

/*
 * Write the identity as the source writes it into out (FIELD_CAP bytes) and
 * return its form.  form_sel picks the layout for ID_MIXED sources.
 */
static enum id_form identity_format(const struct person *p, const struct source *s,
				    enum id_variant v, uint64_t form_sel, char *out)
{
	char d9[40];
	enum id_fmt fmt = s->id;
	int check, samnr = p->kind == KIND_SAMNR, century = p->birth.y / 100;
	char sep;

	if (v == IDV_MISSING) {
		out[0] = '\0';
		return IDF_MISSING;
	}
	if (p->kind == KIND_RESERVE) {
		uint64_t mod = 1, off = 0, num;
		int i;
		for (i = 0; i < s->reserve.n_digits; i++)
			mod *= 10;
		for (i = 0; s->name[i] != '\0'; i++)
			off = off * 31 + (unsigned char)s->name[i];
		num = (p->reserve_k * UINT64_C(7919) + off) % mod;
		snprintf(out, FIELD_CAP, "%s%0*" PRIu64, s->reserve.prefix, s->reserve.n_digits, num);
		return IDF_RESERVE;
	}
	if (snprintf(d9, sizeof(d9), "%02d%02d%02d%03u", p->birth.y % 100, p->birth.m,
		     p->birth.d + (samnr ? 60 : 0), p->serial) != 9)
		die("identity digits out of range");
	check = luhn_check(d9);
	if (v == IDV_BAD_CHECK)
		check = (check + 1 + (int)(form_sel % 9)) % 10;
	if (fmt == ID_MIXED) {
		static const enum id_fmt mix[] = {
			ID_PNR12_DASH, ID_PNR12_DASH, ID_PNR12_DASH, ID_PNR12, ID_PNR12,
			ID_PNR10_DASH, ID_PNR10_DASH, ID_PNR10_DASH, ID_PNR10
		};
		fmt = mix[form_sel % N_OF(mix)];
	}
	sep = days_from_civil(p->birth.y + 100, p->birth.m, p->birth.d) <= EXPORT_DAY ? '+' : '-';
	switch (fmt) {
	case ID_PNR12_DASH:
		snprintf(out, FIELD_CAP, "%02d%.6s-%.3s%d", century, d9, d9 + 6, check);
		break;
	case ID_PNR12:
		snprintf(out, FIELD_CAP, "%02d%s%d", century, d9, check);
		break;
	case ID_PNR10_DASH:
		snprintf(out, FIELD_CAP, "%.6s%c%.3s%d", d9, sep, d9 + 6, check);
		break;
	case ID_PNR10:
	case ID_MIXED:
		if (sep == '+')
			die("a centenarian in a source without a separator");
		snprintf(out, FIELD_CAP, "%s%d", d9, check);
		fmt = ID_PNR10;
		break;
	}
	if (v == IDV_BAD_CHECK)
		return IDF_BAD_CHECK;
	if (samnr)
		return IDF_SAMNR;
	switch (fmt) {
	case ID_PNR12_DASH: return IDF_PNR12_DASH;
	case ID_PNR12: return IDF_PNR12;
	case ID_PNR10_DASH: return sep == '+' ? IDF_PNR10_PLUS : IDF_PNR10_DASH;
	default: return IDF_PNR10;
	}
}

/* --------------------------------------------------------------- episodes */

struct episode {
	size_t src;                     /* index in sources[] */
	const struct word *intervention;
	const struct word *provider;
	int64_t start;                  /* days since epoch */
	int64_t end;                    /* -1: ongoing */
	int start_minutes, end_minutes; /* time of day, for DATE_DATETIME */
	int64_t cost_ore;               /* -1: not reported */
	enum id_variant id_variant;
	uint64_t form_sel;
	int sex_blank, substance_blank, children_blank;
	const char *note, *unit;
};

static int64_t cost_kronor(struct rng *r, int code)
{
	static const int64_t lo[] = { 2000, 80000, 200000, 10000, 5000, 1000, 500, 500, 2000, 1000 };
	static const int64_t hi[] = { 90000, 1800000, 2500000, 400000, 150000, 30000, 8000, 6000, 50000, 40000 };

	return lo[code] + (int64_t)rng_below(r, (uint64_t)(hi[code] - lo[code]));
}

static int pick_minutes(struct rng *r)
{
	if (rng_permille(r, 600))
		return 0;
	return 8 * 60 + 15 * (int)rng_below(r, 36);
}

static void episode_make(struct rng *r, const struct person *p, unsigned e, struct episode *ep)
{
	const struct source *s;
	int64_t first = days_from_civil(FIRST_YEAR, 1, 1);
	int64_t last = days_from_civil(LAST_YEAR, 12, 31);

	if (g_month_src != SIZE_MAX) {
		first = days_from_civil(MONTH_FIRST_YMD);
		last = days_from_civil(MONTH_LAST_YMD);
	}
	memset(ep, 0, sizeof(*ep));
	if (p->multi && (e == 1 || (e > 1 && rng_permille(r, 500))))
		ep->src = p->other_src;
	else
		ep->src = p->home_src;
	s = &sources[ep->src];
	ep->intervention = pick_word(r, s->interventions);
	ep->provider = pick_word(r, s->providers);
	ep->start = first + (int64_t)rng_below(r, (uint64_t)(last - first + 1));
	ep->end = ep->start + 14 + (int64_t)rng_below(r, 600);
	if (ep->end > EXPORT_DAY || rng_permille(r, 120))
		ep->end = -1;
	ep->start_minutes = pick_minutes(r);
	ep->end_minutes = pick_minutes(r);
	ep->cost_ore = -1;
	if (rng_permille(r, s->cost_permille)) {
		ep->cost_ore = cost_kronor(r, ep->intervention->code) * 100;
		if (rng_permille(r, 300))
			ep->cost_ore += (int64_t)rng_below(r, 100);
	}
	if (!p->centenarian) {
		uint64_t x = rng_below(r, 1000);
		if (x < 10)
			ep->id_variant = IDV_MISSING;
		else if (x < 20 && p->kind != KIND_RESERVE)
			ep->id_variant = IDV_BAD_CHECK;
	}
	ep->form_sel = rng_next(r);
	ep->sex_blank = rng_permille(r, 10);
	/* Without a valid number the row's names, birth date, sex and postcode
	 * are all that say whose it is: they are the person's own, never blank.
	 * (A blank sex is taken from a valid number.)  The draw above is kept
	 * so the rest of the episode does not change. */
	if (ep->id_variant != IDV_NORMAL || p->kind == KIND_RESERVE)
		ep->sex_blank = 0;
	ep->substance_blank = rng_permille(r, 20);
	ep->children_blank = rng_permille(r, 50);
	if (s->notes != NULL && rng_permille(r, s->note_permille))
		ep->note = pick_str(r, s->notes);
	if (s->units != NULL)
		ep->unit = pick_str(r, s->units);
}

/* ------------------------------------------------------------- formatting */

static void format_date(struct field *f, enum date_fmt fmt, struct date d, int minutes)
{
	switch (fmt) {
	case DATE_ISO:
		field_setf(f, "%04d-%02d-%02d", d.y, d.m, d.d);
		break;
	case DATE_DOT_DMY:
		field_setf(f, "%02d.%02d.%04d", d.d, d.m, d.y);
		break;
	case DATE_COMPACT:
		field_setf(f, "%04d%02d%02d", d.y, d.m, d.d);
		break;
	case DATE_SLASH_DMY:
		field_setf(f, "%02d/%02d/%04d", d.d, d.m, d.y);
		break;
	case DATE_DATETIME:
		field_setf(f, "%04d-%02d-%02d %02d:%02d:00", d.y, d.m, d.d, minutes / 60, minutes % 60);
		break;
	}
}

/* Thousands-grouped kronor with decimal comma; sep is the group separator. */
static void format_grouped(struct field *f, int64_t ore, const char *sep)
{
	char digits[32], out[FIELD_CAP];
	size_t n, i, o = 0, sep_len = strlen(sep);

	snprintf(digits, sizeof(digits), "%" PRId64, ore / 100);
	n = strlen(digits);
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0) {
			memcpy(out + o, sep, sep_len);
			o += sep_len;
		}
		out[o++] = digits[i];
	}
	out[o] = '\0';
	field_setf(f, "%s,%02d", out, (int)(ore % 100));
}

static void format_cost(struct field *f, enum cost_fmt fmt, int64_t ore)
{
	if (ore < 0) {
		field_set(f, "");
		return;
	}
	switch (fmt) {
	case COST_POINT:
		field_setf(f, "%" PRId64 ".%02d", ore / 100, (int)(ore % 100));
		break;
	case COST_COMMA_SPACE:
		format_grouped(f, ore, " ");
		break;
	case COST_COMMA_NBSP:
		format_grouped(f, ore, "\xC2\xA0");
		break;
	case COST_INTEGER:
		field_setf(f, "%" PRId64, (ore + 50) / 100);
		break;
	}
}

static void format_postcode(struct field *f, const char *pc, int space)
{
	if (space)
		field_setf(f, "%.3s %.2s", pc, pc + 3);
	else
		field_set(f, pc);
}

/* Fill one field of an episode row; returns the identity form for COL_ID. */
static void fill_field(struct field *f, enum col_kind kind, const struct person *p,
		       const struct episode *ep, enum id_form *form)
{
	const struct source *s = &sources[ep->src];

	switch (kind) {
	case COL_ID:
		*form = identity_format(p, s, ep->id_variant, ep->form_sel, f->text);
		f->len = strlen(f->text);
		f->raw = 0;
		break;
	case COL_FIRST: field_set(f, p->first); break;
	case COL_LAST: field_set(f, p->last); break;
	case COL_POSTCODE:
		format_postcode(f, postcodes[district_of_source(p->home_src)][p->postcode_idx],
				s->postcode_space);
		break;
	case COL_BIRTH_DATE: format_date(f, s->date, p->birth, 0); break;
	case COL_BIRTH_YEAR: field_setf(f, "%04d", p->birth.y); break;
	case COL_SEX: field_set(f, ep->sex_blank ? "" : s->sex_words[p->male]); break;
	case COL_INTERVENTION: field_set(f, ep->intervention->text); break;
	case COL_PROVIDER: field_set(f, ep->provider->text); break;
	case COL_SUBSTANCE:
		field_set(f, ep->substance_blank ? "" : s->substance_words[p->substance]);
		break;
	case COL_START:
		format_date(f, s->date, civil_from_days(ep->start), ep->start_minutes);
		break;
	case COL_END:
		if (ep->end < 0)
			field_set(f, "");
		else
			format_date(f, s->date, civil_from_days(ep->end), ep->end_minutes);
		break;
	case COL_COST: format_cost(f, s->cost, ep->cost_ore); break;
	case COL_CHILDREN:
		field_set(f, ep->children_blank ? "" : s->children_words[p->children]);
		break;
	case COL_NOTE: field_set(f, ep->note ? ep->note : ""); break;
	case COL_UNIT: field_set(f, ep->unit ? ep->unit : ""); break;
	}
}

static size_t col_index(const struct source *s, enum col_kind kind)
{
	size_t i;

	for (i = 0; i < s->n_cols; i++)
		if (s->cols[i].kind == kind)
			return i;
	return SIZE_MAX;
}

/* ------------------------------------------------------------ bad rows */

/* Encode the field's UTF-8 text into b in the source's encoding. */
static void field_encoded(struct buf *b, const struct field *f, const struct source *s)
{
	b->len = 0;
	encode_text(b, f->text, f->len, s->enc, 0);
}

static void bad_encoding(struct row *row, const struct source *s, struct rng *r, size_t col)
{
	struct buf b = { 0 };
	struct field *f = &row->f[col];
	size_t i;
	int high = 0;

	if (s->enc == ENC_UTF8 || s->enc == ENC_UTF8_BOM) {
		/* the text as Latin-1 bytes: a mis-encoded cell */
		struct source latin = *s;
		latin.enc = ENC_LATIN1;
		field_encoded(&b, f, &latin);
		for (i = 0; i < b.len; i++)
			high |= (unsigned char)b.data[i] >= 0x80;
		if (!high)
			buf_addc(&b, '\xF6');
	} else if (s->enc == ENC_CP1252) {
		/* bytes undefined in Windows-1252 */
		const char bad = rng_below(r, 2) ? '\x81' : '\x8D';
		field_encoded(&b, f, s);
		if (b.len == 0)
			die("empty field for an encoding error");
		buf_addc(&b, '\0');
		memmove(b.data + 2, b.data + 1, b.len - 2);
		b.data[1] = bad;
	} else {
		die("source %s: no byte is invalid in its encoding", s->name);
	}
	field_set_raw(f, &b);
	free(b.data);
}

/* A NUL byte after the first character (at an ASCII boundary). */
static void bad_control(struct field *f)
{
	size_t i = 1;

	while (i < f->len && ((unsigned char)f->text[i] & 0xC0) == 0x80)
		i++;
	if (f->len + 1 >= FIELD_CAP)
		die("field too long for a NUL");
	memmove(f->text + i + 1, f->text + i, f->len - i + 1);
	f->text[i] = '\0';
	f->len++;
}

static void bad_quote(struct field *f, const struct source *s, enum bad_kind kind)
{
	struct buf b = { 0 }, w = { 0 };

	field_encoded(&w, f, s);
	if (kind == BAD_QUOTE_INSIDE) {                 /* Öppenvård "Gården" */
		buf_add(&b, w.data, w.len);
		buf_adds(&b, " \"G");
		encode_text(&b, "å", 2, s->enc, 0);
		buf_adds(&b, "rden\"");
	} else if (kind == BAD_QUOTE_AFTER) {           /* "Öppenvård"-forts */
		buf_addc(&b, '"');
		buf_add(&b, w.data, w.len);
		buf_adds(&b, "\"-forts");
	} else {                                        /* "Öppenvård, never closed */
		buf_addc(&b, '"');
		buf_add(&b, w.data, w.len);
	}
	field_set_raw(f, &b);
	free(b.data);
	free(w.data);
}

/* One field too many: the cost with a decimal comma in a comma file, else a
 * delimiter typed into the intervention cell. */
static void bad_many_fields(struct row *row, const struct source *s, const struct episode *ep)
{
	struct buf b = { 0 };
	size_t cost = col_index(s, COL_COST), ins = col_index(s, COL_INTERVENTION);

	if (s->delim == ',' && cost != SIZE_MAX && s->cost == COST_POINT && ep->cost_ore >= 0) {
		char num[64];
		snprintf(num, sizeof(num), "%" PRId64 ",%02d", ep->cost_ore / 100, (int)(ep->cost_ore % 100));
		buf_adds(&b, num);
		field_set_raw(&row->f[cost], &b);
	} else {
		field_encoded(&b, &row->f[ins], s);
		buf_addc(&b, s->delim);
		buf_adds(&b, "forts");
		field_set_raw(&row->f[ins], &b);
	}
	free(b.data);
}

/* An impossible calendar date in the start (or end) column. */
static void bad_date(struct row *row, const struct source *s, struct rng *r,
		     const struct episode *ep)
{
	static const struct date impossible[] = {
		{ 2024, 2, 30 }, { 2024, 4, 31 }, { 2023, 2, 29 }, { 2024, 6, 31 },
		{ 2025, 9, 31 }, { 2025, 2, 29 }, { 2023, 11, 31 }, { 2024, 2, 31 }
	};
	struct date d = impossible[rng_below(r, N_OF(impossible))];
	enum col_kind kind = ep->end >= 0 && rng_below(r, 3) == 0 ? COL_END : COL_START;

	format_date(&row->f[col_index(s, kind)], s->date, d, ep->start_minutes);
}

static void bad_end_before_start(struct row *row, const struct source *s, struct rng *r,
				 const struct episode *ep)
{
	int64_t end = ep->start - 1 - (int64_t)rng_below(r, 90);

	format_date(&row->f[col_index(s, COL_END)], s->date, civil_from_days(end), ep->end_minutes);
}

/* The first sealed text column (last name, first name, postcode), else SIZE_MAX. */
static size_t sealed_text_col(const struct source *s)
{
	size_t i = col_index(s, COL_LAST);

	if (i == SIZE_MAX)
		i = col_index(s, COL_FIRST);
	if (i == SIZE_MAX)
		i = col_index(s, COL_POSTCODE);
	return i;
}

static void bad_apply(struct row *row, const struct source *s, struct rng *r,
		      const struct episode *ep, enum bad_kind kind, unsigned ordinal)
{
	size_t ins = col_index(s, COL_INTERVENTION), col;

	switch (kind) {
	case BAD_NONE:
	case BAD_END_OF_LIST:
		break;
	case BAD_FEW_FIELDS:
		row->n--;
		break;
	case BAD_MANY_FIELDS:
		bad_many_fields(row, s, ep);
		break;
	case BAD_ENCODING:
		col = ordinal % 2 ? sealed_text_col(s) : ins;
		bad_encoding(row, s, r, col == SIZE_MAX ? ins : col);
		break;
	case BAD_CONTROL:
		bad_control(&row->f[ins]);
		break;
	case BAD_QUOTE_INSIDE:
	case BAD_QUOTE_AFTER:
	case BAD_UNTERMINATED:
		bad_quote(&row->f[ins], s, kind);
		break;
	case BAD_DATE:
		bad_date(row, s, r, ep);
		break;
	case BAD_UNMAPPED:
		field_set(&row->f[ins], unmapped_words[rng_below(r, N_OF(unmapped_words))]);
		break;
	case BAD_END_BEFORE_START:
		bad_end_before_start(row, s, r, ep);
		break;
	}
}

/* ------------------------------------------------------------ out files */

struct reject {
	uint64_t line;
	enum bad_kind kind;
};

struct out_file {
	const struct source *src;
	size_t src_idx;
	size_t district;                /* index into the district list */
	int year;                       /* split files: start year; else 0 */
	char *name, *path, *tmp_path;
	FILE *fp;
	struct rng rng;                 /* for bad-row choices */
	uint64_t lines;                 /* LFs written so far */
	uint64_t title_lines, header_lines, footer_rows, blank_lines;
	uint64_t rows_read, rows_rejected, rows_rejected_map;
	int64_t cost_total_ore;
	uint64_t rows_until_bad;
	int unterminated_done;          /* no quote character may follow */
	struct reject *rejects;
	size_t n_rejects, cap_rejects;
};

/* Write bytes to the file, counting LFs; refuse quotes after an unterminated one. */
static int out_write(struct out_file *of, const struct buf *b)
{
	size_t i;

	if (of->unterminated_done && memchr(b->data, '"', b->len) != NULL)
		die("%s: a quote after the unterminated quote", of->name);
	for (i = 0; i < b->len; i++)
		of->lines += b->data[i] == '\n';
	if (fwrite(b->data, 1, b->len, of->fp) != b->len) {
		fprintf(stderr, "gen_sample: cannot write '%s': %s\n", of->tmp_path, strerror(errno));
		return -1;
	}
	return 0;
}

static int out_write_row(struct out_file *of, struct buf *b, const struct row *row)
{
	b->len = 0;
	row_serialise(b, of->src, row);
	return out_write(of, b);
}

static void row_padded(struct row *row, const struct source *s, const char *first)
{
	size_t i;

	row->n = s->n_cols;
	field_set(&row->f[0], first);
	for (i = 1; i < row->n; i++)
		field_set(&row->f[i], "");
}

static int out_write_head(struct out_file *of, struct buf *b)
{
	const struct source *s = of->src;
	struct row row;
	size_t i;

	b->len = 0;
	if (s->enc == ENC_UTF8_BOM)
		buf_adds(b, "\xEF\xBB\xBF");
	for (i = 0; s->title[i] != NULL; i++) {
		if (s->title[i][0] == '\0') {
			buf_adds(b, s->eol);
		} else {
			row_padded(&row, s, s->title[i]);
			row_serialise(b, s, &row);
		}
		of->title_lines++;
	}
	row.n = s->n_cols;
	if (s->two_row_header) {
		for (i = 0; i < s->n_cols; i++)
			field_set(&row.f[i], s->cols[i].group ? s->cols[i].group : "");
		row_serialise(b, s, &row);
		of->header_lines++;
	}
	for (i = 0; i < s->n_cols; i++)
		field_set(&row.f[i], s->cols[i].name);
	row_serialise(b, s, &row);
	of->header_lines++;
	return out_write(of, b);
}

static int out_write_blank(struct out_file *of, struct buf *b)
{
	b->len = 0;
	buf_adds(b, of->src->eol);
	of->blank_lines++;
	return out_write(of, b);
}

static int out_write_footer(struct out_file *of, struct buf *b)
{
	const struct source *s = of->src;
	struct row row;

	if (s->footer == FOOTER_NONE)
		return 0;
	if (s->blank_before_footer && out_write_blank(of, b) != 0)
		return -1;
	if (s->footer == FOOTER_SUM) {
		row_padded(&row, s, s->footer_label);
		format_cost(&row.f[col_index(s, COL_COST)], s->cost, of->cost_total_ore);
	} else {
		char label[128];
		snprintf(label, sizeof(label), "%s %" PRIu64, s->footer_label, of->rows_read);
		row_padded(&row, s, label);
	}
	of->footer_rows++;
	return out_write_row(of, b, &row);
}

static void out_add_reject(struct out_file *of, uint64_t line, enum bad_kind kind)
{
	if (of->n_rejects == of->cap_rejects) {
		of->cap_rejects = of->cap_rejects ? 2 * of->cap_rejects : 16;
		of->rejects = xrealloc(of->rejects, of->cap_rejects * sizeof(*of->rejects));
	}
	of->rejects[of->n_rejects].line = line;
	of->rejects[of->n_rejects].kind = kind;
	of->n_rejects++;
}

static uint64_t next_bad_gap(struct rng *r)
{
	return 50 + rng_below(r, 100);          /* about 1% of rows */
}

struct out_set {
	struct out_file f[MAX_FILES];
	size_t n;
	size_t first_of_src[N_SOURCES];
};

static int out_open(struct out_file *of, const char *outdir)
{
	of->path = xstrdup_printf("%s/%s", outdir, of->name);
	of->tmp_path = xstrdup_printf("%s/.%s.tmp", outdir, of->name);
	of->fp = fopen(of->tmp_path, "wb");
	if (of->fp == NULL) {
		fprintf(stderr, "gen_sample: cannot create '%s': %s\n", of->tmp_path, strerror(errno));
		return -1;
	}
	return 0;
}

static int out_set_open(struct out_set *set, const char *outdir, uint64_t seed)
{
	struct buf b = { 0 };
	size_t i;
	int y, rc = -1;

	memset(set, 0, sizeof(*set));
	if (g_month_src != SIZE_MAX) {
		struct out_file *of = &set->f[0];
		i = g_month_src;
		set->first_of_src[i] = 0;
		of->src = &sources[i];
		of->src_idx = i;
		of->district = g_src_district[i];
		of->name = xstrdup_printf("%s.csv", g_month_stem);
		of->rng = rng_derive(seed, UINT64_C(0xF11E1000));
		of->rows_until_bad = 10 + rng_below(&of->rng, 60);
		set->n = 1;
		if (out_open(of, outdir) == 0 && out_write_head(of, &b) == 0)
			rc = 0;
		goto cleanup;
	}
	for (i = 0; i < g_n_sources; i++) {
		int n_files = sources[i].split_by_year ? N_YEARS : 1;
		set->first_of_src[i] = set->n;
		for (y = 0; y < n_files; y++) {
			struct out_file *of = &set->f[set->n];
			if (set->n == MAX_FILES)
				die("too many files");
			of->src = &sources[i];
			of->src_idx = i;
			of->district = g_src_district[i];
			of->year = sources[i].split_by_year ? FIRST_YEAR + y : 0;
			of->name = of->year ? xstrdup_printf("%s_%d.csv", sources[i].name, of->year)
					    : xstrdup_printf("%s.csv", sources[i].name);
			of->rng = rng_derive(seed, UINT64_C(0xF11E0000) + set->n);
			of->rows_until_bad = 10 + rng_below(&of->rng, 60);
			set->n++;
			if (out_open(of, outdir) != 0)
				goto cleanup;
			if (out_write_head(of, &b) != 0)
				goto cleanup;
		}
	}
	rc = 0;
cleanup:
	free(b.data);
	return rc;
}

/* Close every file (after its footer); on failure remove the temporaries. */
static int out_set_finish(struct out_set *set, int ok)
{
	struct buf b = { 0 };
	size_t i;
	int rc = ok ? 0 : -1;

	for (i = 0; i < set->n; i++) {
		struct out_file *of = &set->f[i];
		if (of->fp == NULL)
			continue;
		if (rc == 0 && out_write_footer(of, &b) != 0)
			rc = -1;
		if (ferror(of->fp) && rc == 0) {
			fprintf(stderr, "gen_sample: write error on '%s'\n", of->tmp_path);
			rc = -1;
		}
		if (fclose(of->fp) != 0 && rc == 0) {
			fprintf(stderr, "gen_sample: cannot close '%s': %s\n", of->tmp_path, strerror(errno));
			rc = -1;
		}
		of->fp = NULL;
	}
	free(b.data);
	return rc;
}

static int out_set_rename(struct out_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		if (rename(set->f[i].tmp_path, set->f[i].path) != 0) {
			fprintf(stderr, "gen_sample: cannot rename '%s': %s\n",
				set->f[i].tmp_path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void out_set_release(struct out_set *set, int remove_tmp)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		struct out_file *of = &set->f[i];
		if (of->fp != NULL)
			fclose(of->fp);
		if (remove_tmp && of->tmp_path != NULL)
			unlink(of->tmp_path);
		free(of->name);
		free(of->path);
		free(of->tmp_path);
		free(of->rejects);
	}
}

/* ---------------------------------------------------------------- stats */

/* Indicator truth of one calendar year: unique persons over the rows that
 * pass the map stage, with the values as the map stage sees them. */
struct year_stats {
	uint64_t persons;               /* an episode ongoing some day of the year */
	uint64_t persons_d[MAX_DISTRICTS];      /* ... in district d */
	uint64_t persons_i[N_ICODE];    /* ... with intervention code i */
	uint64_t persons_nov1;          /* an episode ongoing on YYYY-11-01 */
	uint64_t multi;                 /* ongoing episodes in two or more districts */
	uint64_t women, sex_known;      /* of persons: sex F; sex F or M */
	uint64_t ngo;                   /* an ongoing episode with provider NGO */
	uint64_t children_yes, children_known;  /* ... with children Y; Y or N */
};

struct stats {
	uint64_t persons, persons_mapped;
	uint64_t multi, multi_mapped;
	uint64_t persons_d[MAX_DISTRICTS], persons_mapped_d[MAX_DISTRICTS];
	uint64_t episodes_d[MAX_DISTRICTS], episodes_mapped_d[MAX_DISTRICTS];
	uint64_t idform[N_IDF];
	struct year_stats year[N_YEARS];        /* index: year - FIRST_YEAR */
	int first_start_year, last_start_year;  /* over mapped rows; 0: none yet */
};

/* One person's facts of one calendar year, over their mapped rows. */
struct person_year {
	int ongoing, nov1, ngo, children_yes, children_known;
	uint32_t districts;             /* bit d: an ongoing episode in district d */
	uint32_t interventions;         /* bit i: ... with intervention code i */
};

/* One person's mapped rows, summed up for the indicator truth. */
struct person_acc {
	struct person_year year[N_YEARS];
	char sex;                       /* as the map stage sees it: F, M, U; 0: no row */
	int first_start_year, last_start_year;  /* 0: no mapped row */
};

static unsigned popcount32(uint32_t x)
{
	unsigned n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

static void stats_add_person(struct stats *st, uint32_t kept, uint32_t mapped)
{
	size_t d;

	st->persons += kept != 0;
	st->persons_mapped += mapped != 0;
	st->multi += popcount32(kept) >= 2;
	st->multi_mapped += popcount32(mapped) >= 2;
	for (d = 0; d < g_districts.n; d++) {
		st->persons_d[d] += (kept >> d) & 1;
		st->persons_mapped_d[d] += (mapped >> d) & 1;
	}
}

/* Sex of a row as the map stage sees it: the sex word (codelists/sex_sv.ini:
 * F or M), or, for a blank cell, the sex a valid identity number gives
 * ([derive] sex = identity_number, which is the person's own), else U. */
static char row_sex(const struct person *p, const struct episode *ep)
{
	int valid_number = ep->id_variant == IDV_NORMAL && p->kind != KIND_RESERVE;

	if (ep->sex_blank && !valid_number)
		return 'U';
	return p->male ? 'M' : 'F';
}

/* Children of a row as the map stage sees it: a blank cell is U ([blank]
 * children = U), as are the sources' words for unknown. */
static enum children row_children(const struct person *p, const struct episode *ep)
{
	return ep->children_blank ? CH_UNKNOWN : p->children;
}

/* Is the episode ongoing some day of first..last (days since epoch)? */
static int ongoing_between(const struct episode *ep, int64_t first, int64_t last)
{
	return ep->start <= last && (ep->end < 0 || ep->end >= first);
}

/* Add one row that passes the map stage (in district d) to the person's
 * per-year facts.  A person's rows must agree on sex, or "women" would not
 * be a fact about persons. */
static void acc_add_row(struct person_acc *acc, const struct person *p,
			const struct episode *ep, size_t d)
{
	int y, start_year = civil_from_days(ep->start).y;
	char sex = row_sex(p, ep);
	enum children ch = row_children(p, ep);

	if (acc->sex != 0 && acc->sex != sex)
		die("person %" PRIu64 ": mapped rows disagree on sex", p->idx);
	acc->sex = sex;
	if (acc->first_start_year == 0 || start_year < acc->first_start_year)
		acc->first_start_year = start_year;
	if (start_year > acc->last_start_year)
		acc->last_start_year = start_year;
	for (y = FIRST_YEAR; y <= LAST_YEAR; y++) {
		struct person_year *py = &acc->year[y - FIRST_YEAR];
		int64_t nov1 = days_from_civil(y, 11, 1);
		if (!ongoing_between(ep, days_from_civil(y, 1, 1), days_from_civil(y, 12, 31)))
			continue;
		py->ongoing = 1;
		py->nov1 |= ongoing_between(ep, nov1, nov1);
		py->districts |= UINT32_C(1) << d;
		py->interventions |= UINT32_C(1) << ep->intervention->code;
		py->ngo |= ep->provider->code == P_NGO;
		py->children_yes |= ch == CH_YES;
		py->children_known |= ch != CH_UNKNOWN;
	}
}

static void stats_add_years(struct stats *st, const struct person_acc *acc)
{
	size_t d;
	int y, i;

	if (acc->first_start_year == 0)
		return;
	if (st->first_start_year == 0 || acc->first_start_year < st->first_start_year)
		st->first_start_year = acc->first_start_year;
	if (acc->last_start_year > st->last_start_year)
		st->last_start_year = acc->last_start_year;
	for (y = 0; y < N_YEARS; y++) {
		const struct person_year *py = &acc->year[y];
		struct year_stats *ys = &st->year[y];
		if (!py->ongoing)
			continue;
		ys->persons++;
		for (d = 0; d < g_districts.n; d++)
			ys->persons_d[d] += (py->districts >> d) & 1;
		for (i = 0; i < N_ICODE; i++)
			ys->persons_i[i] += (py->interventions >> i) & 1;
		ys->persons_nov1 += py->nov1 != 0;
		ys->multi += popcount32(py->districts) >= 2;
		ys->women += acc->sex == 'F';
		ys->sex_known += acc->sex == 'F' || acc->sex == 'M';
		ys->ngo += py->ngo != 0;
		ys->children_yes += py->children_yes != 0;
		ys->children_known += py->children_known != 0;
	}
}

/* ------------------------------------------------------------ generation */

static struct out_file *episode_file(struct out_set *set, const struct episode *ep)
{
	size_t i = set->first_of_src[ep->src];

	if (g_month_src != SIZE_MAX)
		return &set->f[0];
	if (sources[ep->src].split_by_year)
		i += (size_t)(civil_from_days(ep->start).y - FIRST_YEAR);
	return &set->f[i];
}

/* The kind of bad row due in this file now, or BAD_NONE. */
static enum bad_kind choose_bad(struct out_file *of, const struct person *p)
{
	const enum bad_kind *kinds = of->src->bad_kinds;
	unsigned *rot = &g_src_rot[of->src_idx];
	size_t n = 0, tries;

	if (of->rows_until_bad > 0)
		of->rows_until_bad--;
	if (of->rows_until_bad > 0 || p->centenarian)
		return BAD_NONE;        /* a centenarian's row stays good: wait for the next */
	while (kinds[n] != BAD_END_OF_LIST)
		n++;
	for (tries = 0; tries < n; tries++) {
		enum bad_kind k = kinds[(*rot)++ % n];
		if (of->unterminated_done && bad_has_quote(k))
			continue;
		if (k == BAD_UNTERMINATED && of->src->quotes_ok)
			die("source %s quotes fields: no unterminated quote there", of->src->name);
		of->rows_until_bad = next_bad_gap(&of->rng);
		return k;
	}
	die("source %s: no usable bad-row kind", of->src->name);
}

/* A bad row stays on one physical line: after a parse error ingest resumes on
 * the next line, which must then be a record of its own. */
static void single_line(struct row *row)
{
	size_t i;

	for (i = 0; i < row->n; i++)
		if (memchr(row->f[i].text, '\n', row->f[i].len) != NULL)
			field_set(&row->f[i], "");
}

/* ------------------------------------------------------ sensitive values */

/* The distinct sensitive values written (-S), an open-addressing hash set;
 * NULL when -S is not given.  Touches no random stream. */
struct sens_set {
	char **slot;
	size_t n, cap;                  /* cap: a power of two, n < cap / 2 */
};
static struct sens_set *g_sens;

static uint64_t sens_hash(const char *s, size_t len)
{
	uint64_t h = UINT64_C(14695981039346656037);   /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return h;
}

static void sens_add(struct sens_set *set, const char *text, size_t len)
{
	size_t i;

	if (len == 0)
		return;
	if (2 * (set->n + 1) >= set->cap) {
		size_t old_cap = set->cap, j;
		char **old = set->slot;

		set->cap = old_cap ? 2 * old_cap : 1024;
		set->slot = xrealloc(NULL, set->cap * sizeof(*set->slot));
		memset(set->slot, 0, set->cap * sizeof(*set->slot));
		for (j = 0; j < old_cap; j++) {
			if (old[j] == NULL)
				continue;
			i = sens_hash(old[j], strlen(old[j])) & (set->cap - 1);
			while (set->slot[i] != NULL)
				i = (i + 1) & (set->cap - 1);
			set->slot[i] = old[j];
		}
		free(old);
	}
	i = sens_hash(text, len) & (set->cap - 1);
	for (; set->slot[i] != NULL; i = (i + 1) & (set->cap - 1))
		if (strlen(set->slot[i]) == len && memcmp(set->slot[i], text, len) == 0)
			return;
	set->slot[i] = xrealloc(NULL, len + 1);
	memcpy(set->slot[i], text, len);
	set->slot[i][len] = '\0';
	set->n++;
}

/* The sensitive fields of a row as generated, before any bad-row change (a
 * mis-encoded cell is the same value in other bytes). */
static void sens_add_row(struct sens_set *set, const struct source *s, const struct row *row)
{
	size_t i;

	for (i = 0; i < s->n_cols; i++) {
		enum col_kind k = s->cols[i].kind;

		if (k == COL_ID || k == COL_FIRST || k == COL_LAST || k == COL_POSTCODE)
			sens_add(set, row->f[i].text, row->f[i].len);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Write the set sorted, one a line, into fp (opened on a temporary name) and
 * close it.  Returns 0 or -1 (reported). */
static int sens_write(FILE *fp, const char *tmp, struct sens_set *set)
{
	size_t i, n = 0;
	int rc = 0;

	for (i = 0; i < set->cap; i++)
		if (set->slot[i] != NULL)
			set->slot[n++] = set->slot[i];
	for (i = n; i < set->cap; i++)
		set->slot[i] = NULL;
	if (n > 0)
		qsort(set->slot, n, sizeof(*set->slot), cmp_str);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s\n", set->slot[i]);
	if (ferror(fp)) {
		fprintf(stderr, "gen_sample: write error on '%s'\n", tmp);
		rc = -1;
	}
	if (fclose(fp) != 0 && rc == 0) {
		fprintf(stderr, "gen_sample: cannot close '%s': %s\n", tmp, strerror(errno));
		rc = -1;
	}
	return rc;
}

static void sens_free(struct sens_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
	free(set);
}

static int write_episode(struct out_set *set, struct buf *b, const struct person *p,
			 const struct episode *ep, struct stats *st, uint32_t *kept, uint32_t *mapped,
			 struct person_acc *acc)
{
	struct out_file *of = episode_file(set, ep);
	const struct source *s = of->src;
	struct row row;
	enum id_form form = IDF_MISSING;
	enum bad_kind bad;
	uint64_t line = of->lines + 1;
	size_t i;

	row.n = s->n_cols;
	for (i = 0; i < s->n_cols; i++)
		fill_field(&row.f[i], s->cols[i].kind, p, ep, &form);
	if (g_sens != NULL)
		sens_add_row(g_sens, s, &row);
	bad = choose_bad(of, p);
	if (bad != BAD_NONE)
		single_line(&row);
	bad_apply(&row, s, &of->rng, ep, bad, (unsigned)of->n_rejects);
	if (out_write_row(of, b, &row) != 0)
		return -1;
	if (bad == BAD_UNTERMINATED)
		of->unterminated_done = 1;
	if (ep->cost_ore > 0)
		of->cost_total_ore += ep->cost_ore;
	of->rows_read++;
	if (bad != BAD_NONE)
		out_add_reject(of, line, bad);
	if (bad_is_ingest(bad)) {
		of->rows_rejected++;
	} else {
		st->episodes_d[of->district]++;
		st->idform[form]++;
		*kept |= UINT32_C(1) << of->district;
		if (bad == BAD_NONE) {
			st->episodes_mapped_d[of->district]++;
			*mapped |= UINT32_C(1) << of->district;
			acc_add_row(acc, p, ep, of->district);
		} else {
			of->rows_rejected_map++;
		}
	}
	if (s->blank_every && of->rows_read % s->blank_every == 0)
		return out_write_blank(of, b);
	return 0;
}

/* The person ordinal after the persons of n_rows rows (as generate() makes
 * them with pop's seed), with pop's identity counters advanced past them. */
static uint64_t skip_persons(struct population *pop, uint64_t n_rows)
{
	struct person p;
	uint64_t done = 0, idx;

	for (idx = 0; done < n_rows; idx++) {
		person_make(pop, idx, &p);
		done += p.n_episodes < n_rows - done ? p.n_episodes : n_rows - done;
	}
	return idx;
}

/* Write n_rows episode rows; in monthly mode (-M) new persons after those of
 * base_rows rows, all in the monthly file's source, no centenarians. */
static int generate(struct out_set *set, uint64_t seed, uint64_t n_rows, uint64_t base_rows,
		    struct stats *st)
{
	struct population pop;
	struct person p;
	struct episode ep;
	struct buf b = { 0 };
	uint64_t done = 0, idx = 0;
	int rc = -1;

	population_init(&pop, seed);
	if (g_month_src != SIZE_MAX)
		idx = skip_persons(&pop, base_rows);
	for (; done < n_rows; idx++) {
		struct rng r;
		struct person_acc acc;
		uint32_t kept = 0, mapped = 0;
		unsigned e;

		person_make(&pop, idx, &p);
		if (g_month_src != SIZE_MAX) {
			if (p.centenarian)
				continue;
			p.home_src = g_month_src;
			p.multi = 0;
		}
		memset(&acc, 0, sizeof(acc));
		r = rng_derive(seed ^ UINT64_C(0xE915), idx);
		if (p.n_episodes > n_rows - done)
			p.n_episodes = (unsigned)(n_rows - done);
		for (e = 0; e < p.n_episodes; e++) {
			episode_make(&r, &p, e, &ep);
			if (write_episode(set, &b, &p, &ep, st, &kept, &mapped, &acc) != 0)
				goto cleanup;
		}
		done += p.n_episodes;
		stats_add_person(st, kept, mapped);
		stats_add_years(st, &acc);
	}
	rc = 0;
cleanup:
	free(b.data);
	return rc;
}

/* ------------------------------------------------------------- the truth */

static void truth_files(FILE *fp, const struct out_set *set)
{
	size_t i, j;

	for (i = 0; i < set->n; i++) {
		const struct out_file *of = &set->f[i];
		const char *n = of->name;
		fprintf(fp, "file %s source %s\n", n, of->src->name);
		fprintf(fp, "file %s lines %" PRIu64 "\n", n, of->lines);
		fprintf(fp, "file %s title_lines %" PRIu64 "\n", n, of->title_lines);
		fprintf(fp, "file %s header_lines %" PRIu64 "\n", n, of->header_lines);
		fprintf(fp, "file %s footer_rows %" PRIu64 "\n", n, of->footer_rows);
		fprintf(fp, "file %s blank_lines %" PRIu64 "\n", n, of->blank_lines);
		fprintf(fp, "file %s fields %zu\n", n, of->src->n_cols);
		fprintf(fp, "file %s rows_read %" PRIu64 "\n", n, of->rows_read);
		fprintf(fp, "file %s rows_kept %" PRIu64 "\n", n, of->rows_read - of->rows_rejected);
		fprintf(fp, "file %s rows_rejected %" PRIu64 "\n", n, of->rows_rejected);
		fprintf(fp, "file %s rows_rejected_map %" PRIu64 "\n", n, of->rows_rejected_map);
	}
	fputs("\n# reject <file> <line> <cause>\n", fp);
	for (i = 0; i < set->n; i++)
		for (j = 0; j < set->f[i].n_rejects; j++)
			fprintf(fp, "reject %s %" PRIu64 " %s\n", set->f[i].name,
				set->f[i].rejects[j].line, bad_causes[set->f[i].rejects[j].kind]);
}

static void truth_counts(FILE *fp, const struct stats *st)
{
	size_t d;
	int k;

	fprintf(fp, "\n# unique persons over the rows ingest keeps\n");
	fprintf(fp, "persons city %" PRIu64 "\n", st->persons);
	for (d = 0; d < g_districts.n; d++)
		fprintf(fp, "persons %s %" PRIu64 "\n", g_districts.code[d], st->persons_d[d]);
	fprintf(fp, "persons multi_district %" PRIu64 "\n", st->multi);
	fprintf(fp, "\n# episodes: rows ingest keeps, per district\n");
	for (d = 0; d < g_districts.n; d++)
		fprintf(fp, "episodes %s %" PRIu64 "\n", g_districts.code[d], st->episodes_d[d]);
	fprintf(fp, "\n# the same over the rows that also pass the map stage (what dedup sees)\n");
	fprintf(fp, "persons_mapped city %" PRIu64 "\n", st->persons_mapped);
	for (d = 0; d < g_districts.n; d++)
		fprintf(fp, "persons_mapped %s %" PRIu64 "\n", g_districts.code[d], st->persons_mapped_d[d]);
	fprintf(fp, "persons_mapped multi_district %" PRIu64 "\n", st->multi_mapped);
	for (d = 0; d < g_districts.n; d++)
		fprintf(fp, "episodes_mapped %s %" PRIu64 "\n", g_districts.code[d],
			st->episodes_mapped_d[d]);
	fprintf(fp, "\n# identity forms over the rows ingest keeps\n");
	for (k = 0; k < N_IDF; k++)
		fprintf(fp, "idform %s %" PRIu64 "\n", id_form_names[k], st->idform[k]);
}

/* Indicator truth per calendar year, from the first to the last start year
 * of the mapped rows.  District lines for every district of the samples
 * (0 included); intervention lines only for codes with persons. */
static void truth_indicators(FILE *fp, const struct stats *st)
{
	size_t d;
	int y, i;

	fprintf(fp, "\n# indicator truth per calendar year Y, over the rows that pass the map stage\n"
		"# (ongoing in Y: start <= Y-12-31 and end empty or >= Y-01-01; nov1: ongoing\n"
		"# on Y-11-01; values as the map stage recodes them; persons are true persons)\n");
	for (y = st->first_start_year; y != 0 && y <= st->last_start_year; y++) {
		const struct year_stats *ys = &st->year[y - FIRST_YEAR];
		fprintf(fp, "ind persons %d city %" PRIu64 "\n", y, ys->persons);
		for (d = 0; d < g_districts.n; d++)
			fprintf(fp, "ind persons %d %s %" PRIu64 "\n", y, g_districts.code[d],
				ys->persons_d[d]);
		for (i = 0; i < N_ICODE; i++)
			if (ys->persons_i[i] > 0)
				fprintf(fp, "ind persons_intervention %d %s %" PRIu64 "\n", y,
					icode_names[i], ys->persons_i[i]);
		fprintf(fp, "ind persons_nov1 %d city %" PRIu64 "\n", y, ys->persons_nov1);
		fprintf(fp, "ind multi_district %d city %" PRIu64 "\n", y, ys->multi);
		fprintf(fp, "ind women %d city %" PRIu64 "\n", y, ys->women);
		fprintf(fp, "ind sex_known %d city %" PRIu64 "\n", y, ys->sex_known);
		fprintf(fp, "ind ngo_persons %d city %" PRIu64 "\n", y, ys->ngo);
		fprintf(fp, "ind children_yes %d city %" PRIu64 "\n", y, ys->children_yes);
		fprintf(fp, "ind children_known %d city %" PRIu64 "\n", y, ys->children_known);
	}
}

/* Write the truth into fp (opened on a temporary name) and close it.  The
 * caller renames it into place last.  Returns 0 or -1 (reported). */
static int truth_write(FILE *fp, const char *tmp, const struct out_set *set,
		       const struct stats *st, uint64_t seed, uint64_t n_rows, uint64_t base_rows)
{
	int rc = 0;

	if (g_month_src != SIZE_MAX)
		fprintf(fp, "# Ground truth for the monthly file %s.csv alone: tools/gen_sample.c\n"
			"# -M %s -b %" PRIu64 " -s %" PRIu64 " -n %" PRIu64 "%s; new persons.\n",
			g_month_stem, g_month_stem, base_rows, seed, n_rows,
			g_n_sources == N_SOURCES ? " -A" : "");
	fprintf(fp, "# sample-truth.txt - ground truth for the synthetic exports in input/.\n"
		"# Generated by tools/gen_sample.c -s %" PRIu64 " -n %" PRIu64 "; do not edit,\n"
		"# regenerate (make samples).  One fact a line, whitespace-separated.\n"
		"# Lines are physical lines (LF-terminated); a record's line is where it starts.\n"
		"# rows_read counts data records after the header, footer excluded;\n"
		"# rows_kept/rows_rejected are after ingest; rows_rejected_map are the rows\n"
		"# ingest keeps and the map stage rejects.  Persons are true persons.\n\n",
		seed, n_rows);
	truth_files(fp, set);
	truth_counts(fp, st);
	truth_indicators(fp, st);
	if (ferror(fp)) {
		fprintf(stderr, "gen_sample: write error on '%s'\n", tmp);
		rc = -1;
	}
	if (fclose(fp) != 0 && rc == 0) {
		fprintf(stderr, "gen_sample: cannot close '%s': %s\n", tmp, strerror(errno));
		rc = -1;
	}
	return rc;
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *fp)
{
	fprintf(fp, "usage: gen_sample [-A] [-o OUTDIR] [-t TRUTHFILE] [-s SEED] [-n ROWS] [-S SENSFILE]\n"
		"       gen_sample [-A] -M STEM [-b BASE_ROWS] [-o OUTDIR] [-t TRUTHFILE] [-s SEED] [-n ROWS]\n"
		"  -o OUTDIR     where the exports go (default %s)\n"
		"  -t TRUTHFILE  ground truth about them (default %s)\n"
		"  -s SEED       PRNG seed (default %" PRIu64 ")\n"
		"  -n ROWS       episode rows over all files (default %" PRIu64 ")\n"
		"  -S SENSFILE   also list every identity number, name and postcode written,\n"
		"                one a line (for privacy tests; none by default)\n"
		"  -A            all ten districts: also centrum, orgryte_harlanda,\n"
		"                askim_frolunda_hogsbo, vastra_gbg, vastra_hisingen (their\n"
		"                mapping files are in bench/mappings/); without -A the five\n"
		"                sample districts, byte-identical to earlier versions\n"
		"  -M STEM       write only OUTDIR/STEM.csv, a monthly file of the source whose\n"
		"                name STEM starts with (e.g. lundby_2025-12): ROWS rows of new\n"
		"                persons, after those of BASE_ROWS rows made with the same\n"
		"                seed, their episodes starting in December 2025\n"
		"  -b BASE_ROWS  the rows of the generation the monthly file follows\n"
		"                (default %" PRIu64 ")\n",
		DEFAULT_OUTDIR, DEFAULT_TRUTH, DEFAULT_SEED, DEFAULT_ROWS, DEFAULT_ROWS);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *outdir = DEFAULT_OUTDIR, *truth = DEFAULT_TRUTH, *sens = NULL;
	uint64_t seed = DEFAULT_SEED, n_rows = DEFAULT_ROWS, base_rows = DEFAULT_ROWS;
	int all = 0;
	struct out_set *set = NULL;
	struct stats *st = NULL;
	char *truth_tmp = NULL, *sens_tmp = NULL;
	FILE *truth_fp = NULL, *sens_fp = NULL, *fp;
	int opt, rc = EX_SOFTWARE, ok;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	while ((opt = getopt(argc, argv, "ho:t:s:n:S:AM:b:")) != -1) {
		switch (opt) {
		case 'h': usage(stdout); return 0;
		case 'A': all = 1; break;
		case 'M': g_month_stem = optarg; break;
		case 'b':
			if (parse_u64(optarg, &base_rows) != 0 || base_rows > MAX_ROWS)
				goto bad_usage;
			break;
		case 'o': outdir = optarg; break;
		case 't': truth = optarg; break;
		case 'S': sens = optarg; break;
		case 's':
			if (parse_u64(optarg, &seed) != 0)
				goto bad_usage;
			break;
		case 'n':
			if (parse_u64(optarg, &n_rows) != 0 || n_rows == 0 || n_rows > MAX_ROWS)
				goto bad_usage;
			break;
		default:
			goto bad_usage;
		}
	}
	if (optind != argc)
		goto bad_usage;
	if (all)
		g_n_sources = N_SOURCES;
	if (g_month_stem != NULL) {
		size_t i, best = 0, len;
		if (sens != NULL || strchr(g_month_stem, '/') != NULL)
			goto bad_usage;
		for (i = 0; i < g_n_sources; i++) {
			len = strlen(sources[i].name);
			if (len > best && strncmp(g_month_stem, sources[i].name, len) == 0 &&
			    (g_month_stem[len] == '\0' || g_month_stem[len] == '_')) {
				best = len;
				g_month_src = i;
			}
		}
		if (g_month_src == SIZE_MAX) {
			fprintf(stderr, "gen_sample: -M %s: no source%s is named by its start\n",
				g_month_stem, all ? "" : " (without -A)");
			return EX_USAGE;
		}
	}
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen_sample: cannot create '%s': %s\n", outdir, strerror(errno));
		return EX_CANTCREAT;
	}
	districts_init();
	set = xrealloc(NULL, sizeof(*set));
	memset(set, 0, sizeof(*set));
	st = xrealloc(NULL, sizeof(*st));
	memset(st, 0, sizeof(*st));
	rc = EX_CANTCREAT;
	truth_tmp = xstrdup_printf("%s.tmp", truth);
	truth_fp = fopen(truth_tmp, "wb");
	if (truth_fp == NULL) {
		fprintf(stderr, "gen_sample: cannot create '%s': %s\n", truth_tmp, strerror(errno));
		goto cleanup;
	}
	if (sens != NULL) {
		sens_tmp = xstrdup_printf("%s.tmp", sens);
		sens_fp = fopen(sens_tmp, "wb");
		if (sens_fp == NULL) {
			fprintf(stderr, "gen_sample: cannot create '%s': %s\n", sens_tmp,
				strerror(errno));
			goto cleanup;
		}
		g_sens = xrealloc(NULL, sizeof(*g_sens));
		memset(g_sens, 0, sizeof(*g_sens));
	}
	if (out_set_open(set, outdir, seed) != 0)
		goto cleanup;
	rc = EX_IOERR;
	ok = generate(set, seed, n_rows, base_rows, st) == 0;
	if (out_set_finish(set, ok) != 0 || !ok)
		goto cleanup;
	fp = truth_fp;
	truth_fp = NULL;
	if (truth_write(fp, truth_tmp, set, st, seed, n_rows, base_rows) != 0)
		goto cleanup;
	if (sens_fp != NULL) {
		fp = sens_fp;
		sens_fp = NULL;
		if (sens_write(fp, sens_tmp, g_sens) != 0)
			goto cleanup;
	}
	if (out_set_rename(set) != 0)
		goto cleanup;
	if (sens_tmp != NULL && rename(sens_tmp, sens) != 0) {
		fprintf(stderr, "gen_sample: cannot rename '%s': %s\n", sens_tmp, strerror(errno));
		goto cleanup;
	}
	if (rename(truth_tmp, truth) != 0) {
		fprintf(stderr, "gen_sample: cannot rename '%s': %s\n", truth_tmp, strerror(errno));
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (truth_fp != NULL)
		fclose(truth_fp);
	if (sens_fp != NULL)
		fclose(sens_fp);
	if (rc != 0 && truth_tmp != NULL)
		unlink(truth_tmp);
	if (rc != 0 && sens_tmp != NULL)
		unlink(sens_tmp);
	sens_free(g_sens);
	g_sens = NULL;
	free(sens_tmp);
	if (set != NULL)
		out_set_release(set, rc != 0);
	free(truth_tmp);
	free(set);
	free(st);
	return rc;
bad_usage:
	usage(stderr);
	return EX_USAGE;
}

/*
 * tools/gen_linkage.c - synthetic district exports with known persons, for
 * measuring how well the dedup stage links episodes (bench/linkage.sh).
 *
 * Writes one CSV export per district (three districts) into OUTDIR and a
 * truth file naming, for every data line of every export, the true person
 * and the noise put on that line.  The mapping files that read the exports
 * are bench/linkage/<source>.ini; keep them in step with `districts[]`.
 *
 * Usage: gen_linkage [-q] [-o OUTDIR] [-t TRUTH] [-n RECORDS] [-d DUP_SHARE] [-s SEED]
 *
 * The exports (one dialect, simple on purpose: linkage is measured, not
 * parsing): UTF-8 without BOM, comma, LF, a header on line 1, no quotes
 * (no value holds a comma or a quote), no footer.  Columns:
 *   Personnummer  YYYYMMDD-NNNC, or empty
 *   Förnamn, Efternamn
 *   Födelsedatum  YYYY-MM-DD, or empty
 *   Kön           K, M, or empty (unknown)
 *   Postnummer    NNN NN, or empty
 *   Insats        Öppenvård, Boendestöd, HVB, ... (a few code words)
 *   Startdatum    YYYY-MM-DD, 2023..2025
 *
 * Records.  RECORDS lines in all; a share DUP_SHARE of them are duplicates:
 * further episodes of a person generated earlier, drawn uniformly from the
 * persons so far, in the person's home district (half of them) or in one of
 * the other two.  The rest are each the first record of a new person.
 * New and duplicate records are interleaved at random with exact counts.
 *
 * Persons.  Sex (68 % men, as in substance-abuse caseloads), birth date
 * (1940..2005) and the serial NNN come from an affine permutation of the
 * person's ordinal, so two persons never share an identity number.  First
 * and last names are drawn from frequency-weighted lists of common Swedish
 * names (Andersson, Johansson, Karlsson ... ; Lars, Anna, Erik ...: 40 % of
 * last names) and a long tail of compound surnames (Sjöholm, Almgren ...:
 * 60 %), so different persons often share a name.  Besides these chance
 * namesakes:
 *   namesake  2 % of persons copy the full name and sex of an earlier person
 *             but have their own birth date, postcode and number;
 *   twin      0.5 % of persons are the twin of the person generated just
 *             before: same last name, birth date, postcode and district,
 *             another first name, own sex and number.
 * (Only a plain person is copied: a draw that names another namesake or
 * twin leaves the person plain.)
 * Postcodes: 40 codes per district; a person has one of the home district.
 *
 * Identity number, on every record (first records too):
 *   valid 40 %, missing 45 %, bad check digit 15 % (the Luhn digit replaced
 *   by another), so 60 % of the records have no valid number and most
 *   duplicates must be linked probabilistically.
 *
 * Noise on duplicate records only (first records carry the true values),
 * each drawn independently with this probability:
 *   first_typo / last_typo   12 %  one edit in the first or last name (half
 *                                  each): a character substituted, deleted,
 *                                  inserted, or two adjacent ones transposed
 *   names_swapped             5 %  first and last name in each other's column
 *   birth_missing             5 %  no birth date
 *   birth_transposed          4 %  two adjacent unequal digits of YYYYMMDD
 *                                  swapped (the result a date of 1920..2010;
 *                                  where no swap gives one: birth_day_off)
 *   birth_day_off             4 %  the birth date one day early or late
 *   postcode_missing          8 %  no postcode
 *   postcode_moved            8 %  another postcode of the record's district
 *   sex_unknown               5 %  Kön empty
 * (birth_missing excludes the two date errors; postcode_missing excludes
 * postcode_moved; the two date errors exclude each other.)
 *
 * Truth file: '#' comment lines, then one tab-separated line per data line:
 *   file line person role id relation related noise
 * role: first (the person's first record) or dup; id: valid, missing or
 * bad_check; relation: plain, namesake or twin, with related the earlier
 * person (-1 for plain); noise: comma-separated kinds above, or '-'.
 *
 * Deterministic (own splitmix64 PRNG, no clock): the same arguments give
 * byte-identical files.  Streaming: a person is regenerated from its ordinal
 * when it gets a duplicate, so memory is O(1).  Outputs are written under
 * hidden temporary names and renamed into place when all are complete.
 *
 * Build: make pipeline/build/gen_linkage (or cc -std=c11 -O2 tools/gen_linkage.c)
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_OUTDIR "bench/data/linkage/input"
#define DEFAULT_TRUTH "bench/data/linkage/truth.tsv"
#define DEFAULT_SEED UINT64_C(20261125)
#define DEFAULT_RECORDS UINT64_C(10000)
#define DEFAULT_DUP_PPM 300000        /* parts per million */
#define MAX_RECORDS UINT64_C(5000000)

#define EX_USAGE 64
#define EX_SOFTWARE 70
#define EX_CANTCREAT 73
#define EX_IOERR 74

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define NAME_CAP 64                     /* bytes of a name, UTF-8, NUL included */
#define MAX_CP 40                       /* code points of a name */

/* Probabilities, per mille.  Keep in step with the comment above. */
enum {
	P_MALE = 680,
	P_NAMESAKE = 20, P_TWIN = 5,
	P_ID_VALID = 400, P_ID_MISSING = 450,   /* the rest: bad check digit */
	P_SAME_DISTRICT = 500,
	P_TYPO = 120, P_SWAP = 50, P_BIRTH_MISSING = 50, P_BIRTH_TRANSPOSED = 40,
	P_BIRTH_DAY_OFF = 40, P_POST_MISSING = 80, P_POST_MOVED = 80, P_SEX_UNKNOWN = 50,
	P_TOP_SURNAME = 400
};

/* ------------------------------------------------------------ vocabulary */

struct wname {
	const char *text;               /* UTF-8, Latin-1 letters only */
	unsigned weight;
};

/* Common Swedish surnames, weight about the number of bearers in thousands. */
static const struct wname top_surnames[] = {
	{ "Andersson", 224 }, { "Johansson", 222 }, { "Karlsson", 200 }, { "Nilsson", 154 },
	{ "Eriksson", 134 }, { "Larsson", 111 }, { "Olsson", 103 }, { "Persson", 95 },
	{ "Svensson", 88 }, { "Gustafsson", 82 }, { "Pettersson", 81 }, { "Jonsson", 62 },
	{ "Jansson", 44 }, { "Hansson", 40 }, { "Bengtsson", 35 }, { "Jönsson", 32 },
	{ "Lindberg", 27 }, { "Jakobsson", 27 }, { "Magnusson", 26 }, { "Olofsson", 25 },
	{ "Lindström", 25 }, { "Lindqvist", 24 }, { "Lindgren", 24 }, { "Axelsson", 23 },
	{ "Berg", 23 }, { "Bergström", 22 }, { "Lundberg", 22 }, { "Lind", 21 },
	{ "Lundgren", 21 }, { "Lundqvist", 21 }, { "Mattsson", 20 }, { "Berglund", 20 },
	{ "Fredriksson", 19 }, { "Sandberg", 19 }, { "Henriksson", 19 }, { "Forsberg", 18 },
	{ "Sjöberg", 18 }, { "Ali", 18 }, { "Wallin", 17 }, { "Mohammed", 17 },
	{ "Engström", 17 }, { "Eklund", 16 }, { "Danielsson", 16 }, { "Lundin", 16 },
	{ "Håkansson", 16 }, { "Björk", 15 }, { "Bergman", 15 }, { "Gunnarsson", 15 },
	{ "Holm", 15 }, { "Wikström", 15 }, { "Samuelsson", 15 }, { "Isaksson", 15 },
	{ "Fransson", 14 }, { "Bergqvist", 14 }, { "Nyström", 14 }, { "Holmberg", 14 },
	{ "Arvidsson", 14 }, { "Löfgren", 14 }, { "Söderberg", 13 }, { "Nyberg", 13 },
	{ "Blomqvist", 13 }, { "Claesson", 13 }, { "Nordström", 13 }, { "Ahmed", 13 },
	{ "Mårtensson", 12 }, { "Lundström", 12 }, { "Viklund", 12 }, { "Björklund", 12 },
	{ "Eliasson", 12 }, { "Pålsson", 12 }, { "Berggren", 12 }, { "Hassan", 11 },
	{ "Sandström", 11 }, { "Lund", 11 }, { "Nordin", 11 }, { "Ström", 11 },
	{ "Åberg", 11 }, { "Falk", 10 }, { "Ekström", 10 }, { "Hermansson", 10 },
	{ "Holmgren", 10 }, { "Hellström", 10 }, { "Dahlberg", 10 }, { "Hedlund", 10 },
	{ "Sundberg", 10 }, { "Sjögren", 10 }, { "Ek", 9 }, { "Öberg", 9 },
	{ "Martinsson", 9 }, { "Strömberg", 9 }, { "Månsson", 9 }, { "Abrahamsson", 9 },
	{ "Hussein", 8 }, { "Åkesson", 8 }, { "Jonasson", 8 }, { "Omar", 6 },
	{ "Nguyen", 6 }, { "Yilmaz", 5 }, { "Kaya", 3 }, { "Said", 3 },
	{ "Müller", 2 }, { "Kovacevic", 2 }, { "Nowak", 2 }, { "Rodríguez", 1 },
};

/* The long tail: compound surnames prefix + suffix, uniform. */
static const char *const sur_prefix[] = {
	"Al", "Alm", "Ask", "Berg", "Björk", "Blom", "Bränn", "Dahl", "Ek", "Eng",
	"Fors", "Gran", "Hag", "Hed", "Holm", "Hult", "Kull", "Lager", "Lind", "Ljung",
	"Löv", "Malm", "Nord", "Ny", "Ros", "Sand", "Sjö", "Sten", "Ström", "Sund",
	"Tall", "Vall", "Vik", "Wester", "Öst", "Åker", "Ång", "Borg", "Asp", "Rask"
};
static const char *const sur_suffix[] = {
	"berg", "ström", "lund", "qvist", "gren", "holm", "dahl", "man", "blad", "bäck",
	"by", "borg", "kvist", "ling", "stedt", "ander", "ius", "én", "ell", "hagen",
	"näs", "vall", "strand", "sten", "fors", "mark", "stam", "wall", "gård", "lin"
};

static const struct wname first_f[] = {
	{ "Anna", 30 }, { "Eva", 25 }, { "Maria", 25 }, { "Karin", 22 }, { "Kristina", 22 },
	{ "Lena", 20 }, { "Kerstin", 18 }, { "Sara", 16 }, { "Emma", 15 }, { "Ingrid", 15 },
	{ "Marie", 14 }, { "Malin", 14 }, { "Jenny", 13 }, { "Hanna", 13 }, { "Linda", 13 },
	{ "Annika", 12 }, { "Susanne", 12 }, { "Elin", 12 }, { "Monica", 11 }, { "Birgitta", 11 },
	{ "Sofia", 11 }, { "Johanna", 11 }, { "Carina", 10 }, { "Elisabeth", 10 }, { "Ulla", 10 },
	{ "Camilla", 9 }, { "Helena", 9 }, { "Åsa", 9 }, { "Ida", 9 }, { "Therese", 8 },
	{ "Jessica", 8 }, { "Frida", 8 }, { "Inger", 8 }, { "Margareta", 8 }, { "Ann", 8 },
	{ "Christina", 8 }, { "Linnéa", 7 }, { "Agneta", 7 }, { "Katarina", 7 }, { "Fatima", 6 },
	{ "Julia", 6 }, { "Petra", 6 }, { "Gunilla", 6 }, { "Sandra", 6 }, { "Josefin", 6 },
	{ "Lisa", 6 }, { "Marianne", 6 }, { "Ebba", 5 }, { "Maja", 5 }, { "Matilda", 5 },
	{ "Amanda", 5 }, { "Anneli", 5 }, { "Elsa", 4 }, { "Alice", 4 }, { "Wilma", 4 },
	{ "Sanna", 4 }, { "Madeleine", 4 }, { "Amira", 3 }, { "Leila", 3 }, { "Solveig", 3 },
	{ "Moa", 3 }, { "Nora", 3 }, { "Ylva", 3 }, { "Zeynep", 2 }, { "Märta", 2 },
	{ "Görel", 2 }, { "Ronja", 2 }, { "Irén", 1 }, { "Renée", 1 }, { "Hélène", 1 },
};
static const struct wname first_m[] = {
	{ "Lars", 30 }, { "Mikael", 28 }, { "Anders", 27 }, { "Johan", 26 }, { "Erik", 26 },
	{ "Per", 24 }, { "Karl", 22 }, { "Peter", 22 }, { "Thomas", 21 }, { "Jan", 21 },
	{ "Daniel", 20 }, { "Fredrik", 18 }, { "Hans", 18 }, { "Andreas", 18 }, { "Stefan", 17 },
	{ "Mats", 16 }, { "Magnus", 16 }, { "Mattias", 15 }, { "Jonas", 15 }, { "Bengt", 14 },
	{ "Niklas", 14 }, { "Martin", 14 }, { "Björn", 13 }, { "Göran", 13 }, { "Marcus", 12 },
	{ "Patrik", 12 }, { "Håkan", 12 }, { "Christer", 12 }, { "Oskar", 11 }, { "Sven", 11 },
	{ "Alexander", 11 }, { "Robert", 11 }, { "Leif", 10 }, { "Kjell", 10 }, { "Joakim", 10 },
	{ "Henrik", 10 }, { "Rolf", 9 }, { "Ulf", 9 }, { "Jörgen", 8 }, { "Tommy", 8 },
	{ "Roger", 8 }, { "Emil", 8 }, { "Simon", 8 }, { "Viktor", 8 }, { "Sebastian", 8 },
	{ "Gustav", 8 }, { "Nils", 8 }, { "Tobias", 8 }, { "Kenneth", 7 }, { "Anton", 7 },
	{ "Jesper", 7 }, { "Kent", 7 }, { "Mohammed", 7 }, { "Joel", 6 }, { "Ali", 6 },
	{ "Åke", 6 }, { "Olof", 6 }, { "Axel", 6 }, { "Ahmed", 5 }, { "Rasmus", 5 },
	{ "William", 5 }, { "Filip", 5 }, { "Adam", 5 }, { "Dennis", 5 }, { "Sören", 4 },
	{ "Hassan", 4 }, { "Hampus", 4 }, { "Ludvig", 4 }, { "Lukas", 4 }, { "Isak", 4 },
	{ "Örjan", 3 }, { "Mehmet", 3 }, { "Omar", 3 }, { "André", 3 }, { "Östen", 2 },
	{ "Dragan", 2 }, { "José", 2 }, { "René", 1 },
};

struct wword {
	const char *text;
	unsigned weight;
};

/* Intervention code words (the mapping files in bench/linkage/ recode them). */
static const struct wword interventions[] = {
	{ "Öppenvård", 30 }, { "Boendestöd", 15 }, { "HVB", 10 }, { "Stödboende", 8 },
	{ "Kontaktperson", 8 }, { "Uppsökande", 8 }, { "Arbetsträning", 7 },
	{ "Kamratstöd", 6 }, { "LVM", 4 },
};

/* ------------------------------------------------------------- districts */

struct pc_range {
	unsigned first, n;              /* postcodes first .. first+n-1 */
};

struct district {
	const char *file;               /* export file name */
	unsigned weight;                /* share of persons' home districts */
	struct pc_range pc[2];
};

static const struct district districts[] = {
	{ "centrum.csv", 40, { { 41101, 30 }, { 41301, 10 } } },
	{ "orgryte_harlanda.csv", 30, { { 41251, 20 }, { 41650, 20 } } },
	{ "vastra_hisingen.csv", 30, { { 41830, 25 }, { 42330, 15 } } },
};
#define N_DISTRICTS N_OF(districts)

static const char header[] =
	"Personnummer,Förnamn,Efternamn,Födelsedatum,Kön,Postnummer,Insats,Startdatum\n";

/* ------------------------------------------------------------------ util */

static void die(const char *msg)
{
	fprintf(stderr, "gen_linkage: internal error: %s\n", msg);
	exit(EX_SOFTWARE);
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		abort();                /* out of memory */
	return p;
}

static char *xstrcat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = xmalloc(la + lb + lc + 1);

	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
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

/* An independent stream for (seed, purpose, ordinal). */
static struct rng rng_for(uint64_t seed, uint64_t purpose, uint64_t k)
{
	struct rng r = { seed ^ (purpose * UINT64_C(0xD1B54A32D192ED03)) };

	r.state += rng_next(&r) ^ (k * UINT64_C(0x9E3779B97F4A7C15));
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

static const char *pick_wname(struct rng *r, const struct wname *w, size_t n)
{
	uint64_t total = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		total += w[i].weight;
	x = rng_below(r, total);
	for (i = 0; x >= w[i].weight; i++)
		x -= w[i].weight;
	return w[i].text;
}

static const char *pick_intervention(struct rng *r)
{
	uint64_t total = 0, x;
	size_t i;

	for (i = 0; i < N_OF(interventions); i++)
		total += interventions[i].weight;
	x = rng_below(r, total);
	for (i = 0; x >= interventions[i].weight; i++)
		x -= interventions[i].weight;
	return interventions[i].text;
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

static int date_valid(struct date d)
{
	struct date back;

	if (d.m < 1 || d.m > 12 || d.d < 1 || d.d > 31)
		return 0;
	back = civil_from_days(days_from_civil(d.y, d.m, d.d));
	return back.y == d.y && back.m == d.m && back.d == d.d;
}

#define BIRTH_FIRST_DAY days_from_civil(1940, 1, 1)
#define BIRTH_LAST_DAY days_from_civil(2005, 12, 31)
#define START_FIRST_DAY days_from_civil(2023, 1, 1)
#define START_LAST_DAY days_from_civil(2025, 12, 31)
#define NOISY_YEAR_MIN 1920             /* a transposed birth date stays plausible */
#define NOISY_YEAR_MAX 2010

/* ------------------------------------------------------------- persons */

/*
 * Identity slots: birth day x 249 serial slots.  A person's slot is
 * an affine permutation of its ordinal; serial NNN = 2*j + male with j in
 * 1..249, so (birth date, serial) is unique.  A twin takes its sibling's
 * birth date and j + 249, which no other person uses (a person has at most
 * one twin).
 */
#define SERIAL_SLOTS 249

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
		die("more persons than identity slots");
	return (p->a % p->m * k + p->b) % p->m;    /* a, k < 2^23: fits */
}

enum relation { REL_PLAIN, REL_NAMESAKE, REL_TWIN };
static const char *const relation_names[] = { "plain", "namesake", "twin" };

struct person {
	uint64_t idx;
	int male;
	struct date birth;
	unsigned serial;                /* NNN: odd for men */
	char first[NAME_CAP], last[NAME_CAP];
	size_t home;                    /* index in districts[] */
	unsigned postcode;              /* five digits */
	enum relation rel;
	int64_t related;                /* the earlier person of a namesake or twin; -1 */
};

struct population {
	uint64_t seed;
	struct perm perm;
	unsigned district_weight_total;
};

static void population_init(struct population *pop, uint64_t seed)
{
	struct rng r = rng_for(seed, 1, 0);
	uint64_t n_days = (uint64_t)(BIRTH_LAST_DAY - BIRTH_FIRST_DAY + 1);
	size_t i;

	memset(pop, 0, sizeof(*pop));
	pop->seed = seed;
	pop->perm = perm_make(&r, n_days * SERIAL_SLOTS);
	for (i = 0; i < N_DISTRICTS; i++)
		pop->district_weight_total += districts[i].weight;
}

static size_t pick_district(struct rng *r, const struct population *pop)
{
	unsigned x = (unsigned)rng_below(r, pop->district_weight_total);
	size_t i;

	for (i = 0; x >= districts[i].weight; i++)
		x -= districts[i].weight;
	return i;
}

static unsigned pick_postcode(struct rng *r, size_t district)
{
	const struct district *d = &districts[district];
	uint64_t x = rng_below(r, d->pc[0].n + d->pc[1].n);

	return x < d->pc[0].n ? d->pc[0].first + (unsigned)x
			      : d->pc[1].first + (unsigned)(x - d->pc[0].n);
}

static void copy_name(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n >= NAME_CAP)
		die("name too long");
	memcpy(dst, src, n + 1);
}

static void pick_surname(struct rng *r, char *out)
{
	if (rng_permille(r, P_TOP_SURNAME)) {
		copy_name(out, pick_wname(r, top_surnames, N_OF(top_surnames)));
	} else {
		const char *p = sur_prefix[rng_below(r, N_OF(sur_prefix))];
		const char *s = sur_suffix[rng_below(r, N_OF(sur_suffix))];

		if (strlen(p) + strlen(s) >= NAME_CAP)
			die("surname too long");
		memcpy(out, p, strlen(p));
		memcpy(out + strlen(p), s, strlen(s) + 1);
	}
}

static const char *pick_first(struct rng *r, int male)
{
	return male ? pick_wname(r, first_m, N_OF(first_m)) : pick_wname(r, first_f, N_OF(first_f));
}

/* Whether person idx is a namesake or twin, and of whom: a pure function of
 * (seed, idx) on a stream of its own, so it is cheap to ask of any person. */
static enum relation relation_draw(const struct population *pop, uint64_t idx, uint64_t *base)
{
	struct rng r = rng_for(pop->seed, 6, idx);
	uint64_t x = rng_below(&r, 1000);

	if (idx == 0 || x >= P_NAMESAKE + P_TWIN)
		return REL_PLAIN;
	if (x < P_NAMESAKE) {
		*base = rng_below(&r, idx);
		return REL_NAMESAKE;
	}
	*base = idx - 1;                /* so a person has at most one twin */
	return REL_TWIN;
}

/* Person idx, a pure function of (seed, idx).  A namesake or twin copies
 * from an earlier plain person (else it stays plain), so the recursion is
 * one level deep. */
static void person_make(const struct population *pop, uint64_t idx, struct person *p)
{
	struct rng r = rng_for(pop->seed, 2, idx);
	uint64_t slot, b = 0, unused;
	enum relation rel;
	struct person base;

	memset(p, 0, sizeof(*p));
	p->idx = idx;
	p->related = -1;
	p->male = rng_permille(&r, P_MALE);
	slot = perm_apply(&pop->perm, idx);
	p->birth = civil_from_days(BIRTH_FIRST_DAY + (int64_t)(slot / SERIAL_SLOTS));
	p->serial = 2 * (unsigned)(slot % SERIAL_SLOTS + 1) + (unsigned)p->male;
	copy_name(p->first, pick_first(&r, p->male));
	pick_surname(&r, p->last);
	p->home = pick_district(&r, pop);
	p->postcode = pick_postcode(&r, p->home);
	rel = relation_draw(pop, idx, &b);
	if (rel == REL_PLAIN || relation_draw(pop, b, &unused) != REL_PLAIN)
		return;
	person_make(pop, b, &base);
	if (rel == REL_NAMESAKE) {
		if (base.birth.y == p->birth.y && base.birth.m == p->birth.m &&
		    base.birth.d == p->birth.d)
			return;         /* same birth date too: keep the person plain */
		p->male = base.male;
		p->serial = (p->serial & ~1u) + (unsigned)p->male;
		copy_name(p->first, base.first);
		copy_name(p->last, base.last);
	} else {
		unsigned tries;

		p->birth = base.birth;
		p->serial = 2 * ((base.serial >> 1) + SERIAL_SLOTS) + (unsigned)p->male;
		copy_name(p->last, base.last);
		p->home = base.home;
		p->postcode = base.postcode;
		for (tries = 0; strcmp(p->first, base.first) == 0 && tries < 100; tries++)
			copy_name(p->first, pick_first(&r, p->male));
		if (strcmp(p->first, base.first) == 0)
			die("cannot find another first name for a twin");
	}
	p->rel = rel;
	p->related = (int64_t)base.idx;
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

enum id_state { ID_VALID, ID_MISSING, ID_BAD_CHECK };
static const char *const id_names[] = { "valid", "missing", "bad_check" };

/* YYYYMMDD-NNNC into out (32 bytes), or "" when missing. */
static void format_pnr(const struct person *p, enum id_state st, struct rng *r, char *out)
{
	char d9[16];
	int check;

	out[0] = '\0';
	if (st == ID_MISSING)
		return;
	if (p->serial < 2 || p->serial > 999)
		die("serial out of range");
	snprintf(d9, sizeof(d9), "%02d%02d%02d%03u", p->birth.y % 100, p->birth.m, p->birth.d,
		 p->serial);
	check = luhn_check(d9);
	if (st == ID_BAD_CHECK)
		check = (check + 1 + (int)rng_below(r, 9)) % 10;
	snprintf(out, 32, "%02d%.6s-%.3s%d", p->birth.y / 100, d9, d9 + 6, check);
}

/* ----------------------------------------------------------------- noise */

enum noise {
	N_FIRST_TYPO, N_LAST_TYPO, N_NAMES_SWAPPED, N_BIRTH_MISSING, N_BIRTH_TRANSPOSED,
	N_BIRTH_DAY_OFF, N_POST_MISSING, N_POST_MOVED, N_SEX_UNKNOWN, N__COUNT
};
static const char *const noise_names[N__COUNT] = {
	"first_typo", "last_typo", "names_swapped", "birth_missing", "birth_transposed",
	"birth_day_off", "postcode_missing", "postcode_moved", "sex_unknown"
};

/* UTF-8 (Latin-1 letters) to code points and back. */
static size_t decode(const char *s, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = 0;

	while (*u) {
		if (n == MAX_CP)
			die("name too long to edit");
		if (*u < 0x80) {
			cp[n++] = *u++;
		} else if ((*u & 0xE0) == 0xC0 && (u[1] & 0xC0) == 0x80) {
			cp[n++] = ((unsigned)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
			u += 2;
		} else {
			die("name outside Latin-1");
		}
	}
	return n;
}

static void encode(const unsigned *cp, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (o + 3 > NAME_CAP)
			die("edited name too long");
		if (cp[i] < 0x80) {
			out[o++] = (char)cp[i];
		} else {
			out[o++] = (char)(0xC0 | (cp[i] >> 6));
			out[o++] = (char)(0x80 | (cp[i] & 0x3F));
		}
	}
	out[o] = '\0';
}

static int cp_is_upper(unsigned c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7);
}

static unsigned cp_upper(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7) ? c - 32 : c;
}

static unsigned cp_lower(unsigned c)
{
	return cp_is_upper(c) ? c + 32 : c;
}

/* A letter a keyboard typo might give: a-z, å, ä, ö. */
static unsigned random_letter(struct rng *r)
{
	static const unsigned extra[] = { 0xE5, 0xE4, 0xF6 };
	uint64_t x = rng_below(r, 29);

	return x < 26 ? (unsigned)('a' + x) : extra[x - 26];
}

/* One edit of name (substitution, deletion, insertion, adjacent
 * transposition) at a random place; capitalisation follows position 0. */
static void typo(struct rng *r, char *name)
{
	unsigned cp[MAX_CP + 1];
	size_t n = decode(name, cp), i;
	int cap = n > 0 && cp_is_upper(cp[0]);
	unsigned kind = (unsigned)rng_below(r, 4);

	if (n < 2)
		die("name too short to edit");
	if (n < 3 && kind == 1)
		kind = 0;               /* keep at least two letters */
	if (kind == 3) {
		size_t tries;

		for (tries = 0; tries < 16; tries++) {
			i = (size_t)rng_below(r, n - 1);
			if (cp_lower(cp[i]) != cp_lower(cp[i + 1]))
				break;
		}
		if (tries == 16)
			kind = 0;       /* "Ann"-like: substitute instead */
		else {
			unsigned t = cp[i];

			cp[i] = cp[i + 1];
			cp[i + 1] = t;
		}
	}
	if (kind == 0) {
		unsigned c;

		i = (size_t)rng_below(r, n);
		do
			c = random_letter(r);
		while (c == cp_lower(cp[i]));
		cp[i] = c;
	} else if (kind == 1) {
		i = (size_t)rng_below(r, n);
		memmove(cp + i, cp + i + 1, (n - i - 1) * sizeof(*cp));
		n--;
	} else if (kind == 2) {
		i = (size_t)rng_below(r, n + 1);
		memmove(cp + i + 1, cp + i, (n - i) * sizeof(*cp));
		cp[i] = random_letter(r);
		n++;
	}
	for (i = 0; i < n; i++)
		cp[i] = i == 0 && cap ? cp_upper(cp[i]) : cp_lower(cp[i]);
	encode(cp, n, name);
}

static struct date day_off(struct rng *r, struct date d)
{
	return civil_from_days(days_from_civil(d.y, d.m, d.d) + (rng_permille(r, 500) ? 1 : -1));
}

/* Two adjacent unequal digits of YYYYMMDD swapped, giving a valid date of
 * NOISY_YEAR_MIN..MAX; 0 if no swap does. */
static int transpose_date(struct rng *r, struct date d, struct date *out)
{
	char dig[9];
	size_t start = (size_t)rng_below(r, 7), k;

	snprintf(dig, sizeof(dig), "%04d%02d%02d", d.y, d.m, d.d);
	for (k = 0; k < 7; k++) {
		size_t i = (start + k) % 7;
		char t[9];
		struct date e;

		if (dig[i] == dig[i + 1])
			continue;
		memcpy(t, dig, sizeof(t));
		t[i] = dig[i + 1];
		t[i + 1] = dig[i];
		e.y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
		e.m = (t[4] - '0') * 10 + (t[5] - '0');
		e.d = (t[6] - '0') * 10 + (t[7] - '0');
		if (e.y >= NOISY_YEAR_MIN && e.y <= NOISY_YEAR_MAX && date_valid(e)) {
			*out = e;
			return 1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------- records */

struct record {
	size_t district;
	enum id_state id;
	char pnr[32];
	char first[NAME_CAP], last[NAME_CAP];
	int has_birth;
	struct date birth;
	const char *sex;                /* "K", "M", "" */
	unsigned postcode;              /* 0: missing */
	const char *intervention;
	struct date start;
	unsigned noise;                 /* bit set of enum noise */
};

static enum id_state pick_id(struct rng *r)
{
	uint64_t x = rng_below(r, 1000);

	return x < P_ID_VALID ? ID_VALID : x < P_ID_VALID + P_ID_MISSING ? ID_MISSING
									 : ID_BAD_CHECK;
}

static size_t other_district(struct rng *r, size_t not)
{
	size_t d = (size_t)rng_below(r, N_DISTRICTS - 1);

	return d >= not ? d + 1 : d;
}

static void record_make(struct rng *r, const struct person *p, int dup, struct record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->district = !dup || rng_permille(r, P_SAME_DISTRICT) ? p->home
								 : other_district(r, p->home);
	rec->id = pick_id(r);
	format_pnr(p, rec->id, r, rec->pnr);
	copy_name(rec->first, p->first);
	copy_name(rec->last, p->last);
	rec->has_birth = 1;
	rec->birth = p->birth;
	rec->sex = p->male ? "M" : "K";
	rec->postcode = p->postcode;
	rec->intervention = pick_intervention(r);
	rec->start = civil_from_days(START_FIRST_DAY +
				     (int64_t)rng_below(r, (uint64_t)(START_LAST_DAY - START_FIRST_DAY + 1)));
	if (!dup)
		return;
	/* Every draw is made whatever the earlier ones gave, so one kind's
	 * probability never shifts the stream of another. */
	{
		int t = rng_permille(r, P_TYPO), t_last = rng_permille(r, 500);
		int sw = rng_permille(r, P_SWAP);
		int bm = rng_permille(r, P_BIRTH_MISSING);
		uint64_t bx = rng_below(r, 1000);
		int pm = rng_permille(r, P_POST_MISSING), pv = rng_permille(r, P_POST_MOVED);
		int su = rng_permille(r, P_SEX_UNKNOWN);
		struct rng er = rng_for(rng_next(r), 3, 0);     /* for the edits themselves */

		if (t) {
			typo(&er, t_last ? rec->last : rec->first);
			rec->noise |= 1u << (t_last ? N_LAST_TYPO : N_FIRST_TYPO);
		}
		if (sw) {
			char tmp[NAME_CAP];

			memcpy(tmp, rec->first, NAME_CAP);
			memcpy(rec->first, rec->last, NAME_CAP);
			memcpy(rec->last, tmp, NAME_CAP);
			rec->noise |= 1u << N_NAMES_SWAPPED;
		}
		if (bm) {
			rec->has_birth = 0;
			rec->noise |= 1u << N_BIRTH_MISSING;
		} else if (bx < P_BIRTH_TRANSPOSED) {
			if (transpose_date(&er, p->birth, &rec->birth)) {
				rec->noise |= 1u << N_BIRTH_TRANSPOSED;
			} else {
				rec->birth = day_off(&er, p->birth);
				rec->noise |= 1u << N_BIRTH_DAY_OFF;
			}
		} else if (bx < P_BIRTH_TRANSPOSED + P_BIRTH_DAY_OFF) {
			rec->birth = day_off(&er, p->birth);
			rec->noise |= 1u << N_BIRTH_DAY_OFF;
		}
		if (pm) {
			rec->postcode = 0;
			rec->noise |= 1u << N_POST_MISSING;
		} else if (pv) {
			unsigned pc, tries = 0;

			do
				pc = pick_postcode(&er, rec->district);
			while (pc == p->postcode && ++tries < 100);
			if (pc != p->postcode) {
				rec->postcode = pc;
				rec->noise |= 1u << N_POST_MOVED;
			}
		}
		if (su) {
			rec->sex = "";
			rec->noise |= 1u << N_SEX_UNKNOWN;
		}
	}
}

/* ------------------------------------------------------------- output */

struct out_file {
	char *path, *tmp_path;
	FILE *fp;
	uint64_t line;                  /* last line written */
};

struct output {
	struct out_file f[N_DISTRICTS];
	struct out_file truth;
};

static int out_open(struct out_file *of, const char *path, const char *tmp_path)
{
	of->path = xstrcat3(path, "", "");
	of->tmp_path = xstrcat3(tmp_path, "", "");
	of->fp = fopen(of->tmp_path, "wb");
	if (of->fp == NULL) {
		fprintf(stderr, "gen_linkage: cannot create '%s': %s\n", of->tmp_path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Close; on a write error report it and return -1. */
static int out_close(struct out_file *of)
{
	int rc = 0;

	if (of->fp == NULL)
		return 0;
	if (ferror(of->fp)) {
		fprintf(stderr, "gen_linkage: write error on '%s'\n", of->tmp_path);
		rc = -1;
	}
	if (fclose(of->fp) != 0 && rc == 0) {
		fprintf(stderr, "gen_linkage: cannot close '%s': %s\n", of->tmp_path, strerror(errno));
		rc = -1;
	}
	of->fp = NULL;
	return rc;
}

static void out_release(struct out_file *of, int remove_tmp)
{
	if (of->fp != NULL)
		fclose(of->fp);
	if (remove_tmp && of->tmp_path != NULL)
		unlink(of->tmp_path);
	free(of->path);
	free(of->tmp_path);
	of->fp = NULL;
	of->path = of->tmp_path = NULL;
}

static int out_rename(struct out_file *of)
{
	if (rename(of->tmp_path, of->path) != 0) {
		fprintf(stderr, "gen_linkage: cannot rename '%s': %s\n", of->tmp_path, strerror(errno));
		return -1;
	}
	return 0;
}

static void write_record(struct out_file *of, const struct record *rec)
{
	char birth[32] = "", post[24] = "";

	if (rec->has_birth)
		snprintf(birth, sizeof(birth), "%04d-%02d-%02d", rec->birth.y, rec->birth.m,
			 rec->birth.d);
	if (rec->postcode)
		snprintf(post, sizeof(post), "%03u %02u", rec->postcode / 100, rec->postcode % 100);
	if (strpbrk(rec->first, ",\"\n") || strpbrk(rec->last, ",\"\n"))
		die("a name needs quoting");
	fprintf(of->fp, "%s,%s,%s,%s,%s,%s,%s,%04d-%02d-%02d\n", rec->pnr, rec->first, rec->last,
		birth, rec->sex, post, rec->intervention, rec->start.y, rec->start.m, rec->start.d);
	of->line++;
}

static void write_truth(struct output *o, const struct record *rec, const struct person *p,
			int dup)
{
	FILE *fp = o->truth.fp;
	int any = 0, k;

	fprintf(fp, "%s\t%" PRIu64 "\t%" PRIu64 "\t%s\t%s\t%s\t%" PRId64 "\t",
		districts[rec->district].file, o->f[rec->district].line, p->idx,
		dup ? "dup" : "first", id_names[rec->id], relation_names[p->rel], p->related);
	for (k = 0; k < N__COUNT; k++) {
		if (rec->noise >> k & 1) {
			fprintf(fp, "%s%s", any ? "," : "", noise_names[k]);
			any = 1;
		}
	}
	fputs(any ? "\n" : "-\n", fp);
}

struct stats {
	uint64_t records, persons, dups;
	uint64_t id[3], rel[3], noise[N__COUNT], noisy_dups;
};

/* Streams n_records records: n_dup duplicates among them. */
static void generate(struct output *o, const struct population *pop, uint64_t n_records,
		     uint64_t n_dup, struct stats *st)
{
	struct rng sched = rng_for(pop->seed, 4, 0);
	uint64_t i, left_new = n_records - n_dup, left_dup = n_dup;
	struct person p;
	struct record rec;
	int k;

	for (i = 0; i < n_records; i++) {
		struct rng r = rng_for(pop->seed, 5, i);
		int dup = st->persons > 0 &&
			  (left_new == 0 || rng_below(&sched, left_new + left_dup) < left_dup);

		if (dup) {
			person_make(pop, rng_below(&r, st->persons), &p);
			left_dup--;
			st->dups++;
		} else {
			person_make(pop, st->persons, &p);
			st->rel[p.rel]++;
			st->persons++;
			left_new--;
		}
		record_make(&r, &p, dup, &rec);
		write_record(&o->f[rec.district], &rec);
		write_truth(o, &rec, &p, dup);
		st->records++;
		st->id[rec.id]++;
		st->noisy_dups += rec.noise != 0;
		for (k = 0; k < N__COUNT; k++)
			st->noise[k] += rec.noise >> k & 1;
	}
}

static void truth_head(FILE *fp, uint64_t seed, uint64_t n_records, unsigned dup_ppm)
{
	fprintf(fp, "# truth of the exports written by tools/gen_linkage.c -s %" PRIu64
		" -n %" PRIu64 " -d 0.%06u\n"
		"# One tab-separated line per data line of every export:\n"
		"#   file line person role id relation related noise\n"
		"# person: true person (ordinal); role: first | dup; id: valid | missing |\n"
		"# bad_check; relation: plain | namesake | twin, of person related (-1: none);\n"
		"# noise: comma-separated kinds (see tools/gen_linkage.c) or '-'.\n",
		seed, n_records, dup_ppm);
}

static void truth_tail(FILE *fp, const struct stats *st)
{
	int k;

	fprintf(fp, "# records %" PRIu64 " persons %" PRIu64 " duplicates %" PRIu64
		" noisy_duplicates %" PRIu64 "\n", st->records, st->persons, st->dups, st->noisy_dups);
	fprintf(fp, "# id valid %" PRIu64 " missing %" PRIu64 " bad_check %" PRIu64 "\n",
		st->id[ID_VALID], st->id[ID_MISSING], st->id[ID_BAD_CHECK]);
	fprintf(fp, "# persons plain %" PRIu64 " namesake %" PRIu64 " twin %" PRIu64 "\n",
		st->rel[REL_PLAIN], st->rel[REL_NAMESAKE], st->rel[REL_TWIN]);
	for (k = 0; k < N__COUNT; k++)
		fprintf(fp, "# noise %s %" PRIu64 "\n", noise_names[k], st->noise[k]);
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *fp)
{
	fprintf(fp, "usage: gen_linkage [-q] [-o OUTDIR] [-t TRUTH] [-n RECORDS] [-d DUP_SHARE] [-s SEED]\n"
		"Writes synthetic exports of three districts (one CSV each) with known\n"
		"persons and noisy duplicates, and a truth file of every line's person.\n"
		"  -o OUTDIR     where the exports go (default %s)\n"
		"  -t TRUTH      truth file (default %s)\n"
		"  -n RECORDS    data lines over all files (default %" PRIu64 ", at most %" PRIu64 ")\n"
		"  -d DUP_SHARE  share of the records that are further episodes of a person\n"
		"                already generated, 0 <= DUP_SHARE < 1 (default 0.%06d)\n"
		"  -s SEED       PRNG seed (default %" PRIu64 ")\n"
		"  -q            no summary on stderr\n"
		"  -h, --help    print this help and exit\n",
		DEFAULT_OUTDIR, DEFAULT_TRUTH, DEFAULT_RECORDS, MAX_RECORDS, DEFAULT_DUP_PPM,
		DEFAULT_SEED);
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

/* "0.3", ".25", "0" -> parts per million (at most six decimals); -1 if not
 * a fraction in [0, 1). */
static int parse_share(const char *s, unsigned *ppm)
{
	unsigned v = 0, digits = 0;

	if (s[0] == '0')
		s++;
	if (s[0] == '\0') {
		*ppm = 0;
		return 0;
	}
	if (s[0] != '.' || s[1] == '\0')
		return -1;
	for (s++; *s; s++, digits++) {
		if (*s < '0' || *s > '9' || digits == 6)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	for (; digits < 6; digits++)
		v *= 10;
	*ppm = v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *outdir = DEFAULT_OUTDIR, *truth = DEFAULT_TRUTH;
	uint64_t seed = DEFAULT_SEED, n_records = DEFAULT_RECORDS, n_dup;
	unsigned dup_ppm = DEFAULT_DUP_PPM;
	struct output o;
	struct population pop;
	struct stats st;
	int opt, rc = EX_CANTCREAT, quiet = 0;
	size_t i;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	while ((opt = getopt(argc, argv, "ho:t:n:d:s:q")) != -1) {
		switch (opt) {
		case 'h': usage(stdout); return 0;
		case 'o': outdir = optarg; break;
		case 't': truth = optarg; break;
		case 'q': quiet = 1; break;
		case 'n':
			if (parse_u64(optarg, &n_records) != 0 || n_records == 0 ||
			    n_records > MAX_RECORDS)
				goto bad_usage;
			break;
		case 'd':
			if (parse_share(optarg, &dup_ppm) != 0)
				goto bad_usage;
			break;
		case 's':
			if (parse_u64(optarg, &seed) != 0)
				goto bad_usage;
			break;
		default:
			goto bad_usage;
		}
	}
	if (optind != argc)
		goto bad_usage;
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen_linkage: cannot create '%s': %s\n", outdir, strerror(errno));
		return EX_CANTCREAT;
	}
	n_dup = (n_records * dup_ppm + 500000) / 1000000;
	if (n_dup >= n_records)
		n_dup = n_records - 1;          /* the first record is a new person */
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	{
		char *tmp = xstrcat3(truth, ".tmp", "");
		int bad = out_open(&o.truth, truth, tmp);

		free(tmp);
		if (bad)
			goto cleanup;
	}
	for (i = 0; i < N_DISTRICTS; i++) {
		char *dir = xstrcat3(outdir, "/", "");
		char *path = xstrcat3(dir, districts[i].file, "");
		char *tmp = xstrcat3(dir, ".", districts[i].file);
		char *tmp2 = xstrcat3(tmp, ".tmp", "");
		int bad = out_open(&o.f[i], path, tmp2);

		free(dir);
		free(path);
		free(tmp);
		free(tmp2);
		if (bad)
			goto cleanup;
		fputs(header, o.f[i].fp);
		o.f[i].line = 1;
	}
	rc = EX_IOERR;
	truth_head(o.truth.fp, seed, n_records, dup_ppm);
	population_init(&pop, seed);
	generate(&o, &pop, n_records, n_dup, &st);
	truth_tail(o.truth.fp, &st);
	for (i = 0; i < N_DISTRICTS; i++)
		if (out_close(&o.f[i]) != 0)
			goto cleanup;
	if (out_close(&o.truth) != 0)
		goto cleanup;
	for (i = 0; i < N_DISTRICTS; i++)
		if (out_rename(&o.f[i]) != 0)
			goto cleanup;
	if (out_rename(&o.truth) != 0)
		goto cleanup;
	if (!quiet)
		fprintf(stderr, "gen_linkage: %" PRIu64 " records, %" PRIu64 " persons, %" PRIu64
			" duplicates (%" PRIu64 " with noise), %" PRIu64 " without a valid number\n",
			st.records, st.persons, st.dups, st.noisy_dups,
			st.id[ID_MISSING] + st.id[ID_BAD_CHECK]);
	rc = 0;
cleanup:
	for (i = 0; i < N_DISTRICTS; i++)
		out_release(&o.f[i], rc != 0);
	out_release(&o.truth, rc != 0);
	return rc;
bad_usage:
	fputs("usage: gen_linkage [-q] [-o OUTDIR] [-t TRUTH] [-n RECORDS] [-d DUP_SHARE] [-s SEED]\n"
	      "try 'gen_linkage -h' for more\n", stderr);
	return EX_USAGE;
}

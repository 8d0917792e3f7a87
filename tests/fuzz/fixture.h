/*
 * tests/fuzz/fixture.h - what the file-reading fuzz targets (fuzz_mapping,
 * fuzz_scan, fuzz_catalogue, fuzz_population) share: a private temporary
 * directory holding small copies of the shared code lists in codelists/,
 * made at initialisation and removed at exit (not after a crash).  Include
 * once, after the C headers.
 */
#ifndef FUZZ_FIXTURE_H
#define FUZZ_FIXTURE_H

static const struct {
	const char *name;
	const char *text;
} fuzz_codelists[] = {
	{ "sex_sv.ini", "; sex\n[values]\nKvinna = F\nK = F\nMan = M\nM = M\nOk\xC3\xA4nt = U\n" },
	{ "intervention_sv.ini", "[values]\n\xC3\x96ppenv\xC3\xA5rd = OPEN\nHVB = INST\n"
				 "LVM = LVM\nSt\xC3\xB6" "dboende = HOUSE\n\xC3\x96vrigt = OTHER\n" },
	{ "provider_sv.ini", "[values]\nKommunal = MUNI\nId\xC3\xA9" "buren = NGO\nPrivat = PRIV\n" },
	{ "substance_sv.ini", "[values]\nAlkohol = ALC\nNarkotika = DRUG\nSpel = GAMB\n"
			      "Blandmissbruk = MIX\nOk\xC3\xA4nt = UNK\n" },
	{ "children_sv.ini", "[values]\nJa = Y\nNej = N\nVet ej = U\n" },
};
#define FUZZ_N_CODELISTS (sizeof(fuzz_codelists) / sizeof(fuzz_codelists[0]))

static char fuzz_dir[256], fuzz_cl_dir[300];

static void fuzz_write_file(const char *p, const void *bytes, size_t len)
{
	FILE *fp = fopen(p, "wb");

	if (!fp || (len && fwrite(bytes, 1, len, fp) != len) || fclose(fp) != 0)
		abort();
}

/* The code lists, codelists/ and the directory; the target removes its own
 * files first (its atexit handler, registered after this one, runs first). */
static void fuzz_remove_dir(void)
{
	char p[400];

	for (size_t i = 0; i < FUZZ_N_CODELISTS; i++) {
		snprintf(p, sizeof(p), "%s/%s", fuzz_cl_dir, fuzz_codelists[i].name);
		unlink(p);
	}
	rmdir(fuzz_cl_dir);
	rmdir(fuzz_dir);
}

/* Makes $TMPDIR/<name>.XXXXXX with codelists/ in it. */
static void fuzz_make_dir(const char *name)
{
	const char *tmp = getenv("TMPDIR");
	char p[400];

	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	if (!mkdtemp(fuzz_dir))
		abort();
	atexit(fuzz_remove_dir);
	snprintf(fuzz_cl_dir, sizeof(fuzz_cl_dir), "%s/codelists", fuzz_dir);
	if (mkdir(fuzz_cl_dir, 0700) != 0)
		abort();
	for (size_t i = 0; i < FUZZ_N_CODELISTS; i++) {
		snprintf(p, sizeof(p), "%s/%s", fuzz_cl_dir, fuzz_codelists[i].name);
		fuzz_write_file(p, fuzz_codelists[i].text, strlen(fuzz_codelists[i].text));
	}
}

#endif

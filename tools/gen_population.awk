# tools/gen_population.awk - writes the synthetic population table shipped
# as mappings/population/population.csv (plausible, not real figures):
#   awk -f tools/gen_population.awk > mappings/population/population.csv
# Ten districts of about 45,000-75,000 inhabitants, 5-year age bands with a
# Swedish-looking age profile, slightly more women among the old, a growth
# of about 0.8 % a year, and a deterministic wobble per cell.
BEGIN {
	split("ANGERED OSTRA CENTRUM MAJORNA_LINNE ORGRYTE_HARLANDA " \
	      "ASKIM_FROLUNDA_HOGSBO VASTRA_GBG VASTRA_HISINGEN LUNDBY NORRA_HISINGEN", d, " ")
	split("52000 48000 65000 62000 50000 72000 54000 56000 52000 44000", size, " ")
	# share of a district per 5-year band, per mille (0-4 .. 90-94, 95+)
	split("60 58 56 55 66 82 84 76 68 64 62 60 56 52 46 36 22 11 4 1", prof, " ")
	seed = 20261125
	print "year,district,sex,age,population"
	for (y = 2020; y <= 2026; y++)
		for (i = 1; i <= 10; i++)
			for (s = 0; s < 2; s++)
				for (b = 1; b <= 20; b++) {
					seed = (seed * 1103515245 + 12345) % 2147483648
					wob = 0.94 + 0.12 * (seed / 2147483648)
					old = (b >= 15) ? (s == 0 ? 1.12 : 0.88) : 1
					n = size[i] * (1 + 0.008 * (y - 2020)) * prof[b] / 1000 / 2 * old * wob
					age = (b == 20) ? "95+" : (5 * (b - 1)) "-" (5 * (b - 1) + 4)
					printf "%d,%s,%s,%s,%d\n", y, d[i], s == 0 ? "F" : "M", age, n + 0.5
				}
}

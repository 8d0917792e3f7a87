#!/usr/bin/env bash
# t0600-indicators-calculator.sh - the calculator, `indicators --method
# NAME --num X ...`, prints "value lower upper" (and funnel limits and the
# position with --target) that agree with values computed independently
# with SciPy 1.10.1 / statsmodels 0.13.5 (the numbers below; relative error
# at most 1e-6):
#   statsmodels proportion_confint(0, 10, method='wilson'), (7, 20) x 100,
#   proportion_confint(7, 20, alpha=0.01, method='beta');
#   scipy chi2.ppf(0.025, 10) / 2 and chi2.ppf(0.975, 12) / 2 (exact
#   Poisson, 5 events), Byar's formula with norm.ppf(0.975) for 37;
#   the rate 5 / 20,000 x 10,000; Chao 1987 for 100 seen, f1 20, f2 10;
#   binom(120, 0.2) ppf/cdf with Spiegelhalter's interpolation for the
#   funnel limits, and binom.sf(29) = 0.107 (inside) for the position.
# And its misuse: an unknown method or a missing --den is 64, an undefined
# figure (7 of 5) is 65 with a message, never NaN.
. "$(dirname "$0")/lib.sh"
new_fixture

# close WHAT EXPECTED-NUMBERS ACTUAL-NUMBERS: same count, each within 1e-6.
close() {
	expect_eq "$1" "ok" "$(awk -v e="$2" -v a="$3" 'BEGIN {
		n = split(e, x, " "); m = split(a, y, " ")
		if (n != m) { print "got " m " numbers: " a; exit }
		for (i = 1; i <= n; i++) {
			d = x[i] - y[i]; if (d < 0) d = -d
			s = x[i] < 0 ? -x[i] : x[i]
			if (d > 1e-6 * s && d > 1e-12) { print "number " i ": " y[i] " vs " x[i]; exit }
		}
		print "ok" }')"
}

calc() { expect_indicators 0 "$@"; tr '\n' ' ' <"$OUT"; }

close "wilson 0 of 10" "0 0 0.27753279986288926" "$(calc --method wilson --num 0 --den 10)"
close "wilson 7 of 20, per cent" "35 18.119182410108202 56.714572331476376" \
	"$(calc --method wilson --num 7 --den 20 --multiplier 100)"
close "Clopper-Pearson 7 of 20 at 99 %" "0.35 0.11387976326673241 0.6565685842319211" \
	"$(calc --method exact --num 7 --den 20 --conf 0.99)"
close "exact Poisson, 5 events" "5 1.6234863901184207 11.66833207932267" \
	"$(calc --method poisson_exact --num 5)"
close "poisson below 10 is exact" "5 1.6234863901184207 11.66833207932267" \
	"$(calc --method poisson --num 5)"
close "Byar, 37 events" "37 26.04796451440657 51.00109659326506" "$(calc --method byar --num 37)"
close "poisson from 10 is Byar" "37 26.04796451440657 51.00109659326506" \
	"$(calc --method poisson --num 37)"
close "rate 5 per 20,000, per 10,000" "2.5 0.8117431950592103 5.834166039661335" \
	"$(calc --method rate --num 5 --den 20000 --multiplier 10000)"
close "Chao: 100 seen, f1 20, f2 10" "120 106.8348 158.5239" \
	"$(calc --method chao --num 100 --f1 20 --f2 10 | cut -c1-40 | awk '{ printf "%s %.4f %.4f", $1, $2, $3 }')"
calc --method wilson --num 30 --den 120 --target 0.2 >/dev/null
close "funnel 95 % around 0.2 for 120" "0.1265761285045147 0.2699440597961496" \
	"$(awk '$1 == "funnel95" { print $2, $3 }' "$OUT")"
close "funnel 99.8 % around 0.2 for 120" "0.09109212089116765 0.3152929908881236" \
	"$(awk '$1 == "funnel99.8" { print $2, $3 }' "$OUT")"
expect_eq "30 of 120 against 0.2 is inside" "position inside" "$(grep '^position' "$OUT")"
calc --method wilson --num 20 --den 20 --target 0.95 >/dev/null
expect_eq "20 of 20 against 0.95 is inside (P = 0.36)" "position inside" "$(grep '^position' "$OUT")"
calc --method rate --num 36 --den 2000 --target 0.01 >/dev/null
expect_eq "36 in 2000 against 1 % is above 99.8 % (scipy poisson(20).sf(35) < 0.001)" \
	"position above99.8" "$(grep '^position' "$OUT")"

expect_exit 64 indicators --method median --num 3
expect_grep "unknown method" "unknown method 'median'" "$(cat "$ERR")"
expect_exit 64 indicators --method wilson --num 3
expect_exit 64 indicators --method wilson --num three --den 4
expect_exit 64 indicators --num 3 --den 4
expect_indicators 65 --method wilson --num 7 --den 5
expect_grep "an undefined figure says why" 'indicators E .*' "$(cat "$ERR")"
expect_eq "and prints no numbers" "" "$(cat "$OUT")"
expect_indicators 65 --method rate --num 1 --den 0
finish

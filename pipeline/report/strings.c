/*
 * report/strings.c - every user-visible string of every report output, in
 * Swedish and English: one table of texts by key (section titles, table
 * titles and notes, chart titles and legends, the methods text, the
 * plain-words summary templates) and one of code labels (districts,
 * interventions, providers, ...).
 *
 * Templates hold placeholders %1 .. %9 (a '%' not followed by a digit 1-9
 * is a literal per cent sign); the HTML writer fills them with formatted
 * figures and escapes the result.
 */
#include <string.h>

#include "report.h"
#include "svg.h"

struct str_entry {
	const char *key;
	const char *s[REP_N_LANGS];   /* REP_SV, REP_EN */
};

static const struct str_entry strs[] = {
	/* ---- the page ------------------------------------------------------- */
	{ "doc_title", { "Missbruks- och beroendevård i Göteborgs stadsdelar",
			 "Substance abuse care in Gothenburg's districts" } },
	{ "doc_subtitle", { "Personer som fått insatser för missbruk och beroende av alkohol, "
			    "narkotika eller spel: per stadsdel, per insats och över tid, med "
			    "osäkerhetsintervall.",
			    "Persons who received help for abuse of or dependence on alcohol, "
			    "narcotics or gambling: by district, by intervention and over time, "
			    "with uncertainty intervals." } },
	{ "doc_produced", { "Framtagen %1 (UTC) med pipelineversion %2.",
			    "Produced %1 (UTC) with pipeline version %2." } },
	{ "nav_label", { "Innehåll", "Contents" } },
	{ "footer", { "Rapporten tas fram automatiskt ur stadsdelarnas exporter. Uppgifter om "
		      "färre än 5 personer visas inte.",
		      "This report is produced automatically from the districts' exports. "
		      "Figures about fewer than 5 persons are not shown." } },

	/* ---- sections ---------------------------------------------------------- */
	{ "sec_summary", { "Sammanfattning", "Summary" } },
	{ "sec_districts", { "Jämförelse mellan stadsdelar", "District comparison" } },
	{ "sec_interventions", { "Insatser och utförare", "Interventions and providers" } },
	{ "sec_family", { "Familjeperspektiv", "Family perspective" } },
	{ "sec_hidden", { "Dold population", "Hidden population" } },
	{ "sec_quality", { "Datakvalitet per stadsdel", "Data quality by district" } },
	{ "sec_other", { "Övriga tabeller", "Other tables" } },
	{ "sec_methods", { "Metoder och definitioner", "Methods and definitions" } },
	{ "sec_run", { "Om körningen", "About this run" } },

	{ "intro_districts", { "Får en person samma hjälp oavsett var i staden hen bor? Här "
			       "jämförs stadsdelarna: antal personer, antal per 10 000 invånare "
			       "21 år och äldre, hur det har förändrats över åren och ett test "
			       "av om skillnaderna är större än slumpen kan förklara.",
			       "Does a person get the same help wherever in the city they live? "
			       "This section compares the districts: numbers of persons, persons "
			       "per 10,000 inhabitants aged 21 and over, the change over the years, "
			       "and a test of whether the differences are larger than chance "
			       "explains." } },
	{ "intro_interventions", { "Vilken hjälp ges, och av vem? Insatserna och utförarna "
				   "(kommunala, idéburna och privata) per stadsdel det senaste "
				   "året, vårdtider och kostnad per person.",
				   "Which help is given, and by whom? Interventions and providers "
				   "(municipal, non-profit and private) by district in the latest "
				   "year, lengths of care and cost per person." } },
	{ "intro_family", { "Planen mot missbruk sätter barnen och familjen i fokus. Andelen "
			    "personer som har barn i hushållet, bland dem där uppgiften finns.",
			    "The city's plan puts the children and family of the person in view. "
			    "The share of persons with children in the household, among those for "
			    "whom this is recorded." } },
	{ "intro_hidden", { "Alla med missbruk syns inte i statistiken. Med fångst–återfångst-"
			    "metoder skattas hur många personer gruppen omfattar, även de som "
			    "ingen källa har sett. Skattningarna vilar på dessa antaganden:",
			    "Not everyone with substance abuse appears in the statistics. "
			    "Capture-recapture methods estimate how many persons the group "
			    "comprises, including those no source has seen. The estimates rest "
			    "on these assumptions:" } },
	{ "hidden_a1", { "Gruppen är sluten under året: ingen tillkommer eller försvinner "
			 "mellan källornas registreringar.",
			 "The population is closed during the year: no one enters or leaves "
			 "between the sources' records." } },
	{ "hidden_a2", { "Personerna kopplas rätt mellan källorna: samma person känns igen och "
			 "två personer slås inte ihop.",
			 "Persons are linked correctly across sources: the same person is "
			 "recognised and two persons are not merged." } },
	{ "hidden_a3", { "Källorna (stadsdelarnas exporter) behandlas som fångsttillfällen. "
			 "Chaos skattning är en nedre gräns som tål att personer har olika "
			 "sannolikhet att synas; den log-linjära modellen antar att beroendet "
			 "mellan källorna fångas av modellens parvisa samband.",
			 "The sources (the districts' exports) are treated as capture "
			 "occasions. Chao's estimate is a lower bound that allows persons to "
			 "differ in how likely they are to be seen; the log-linear model assumes "
			 "that the dependence between sources is captured by its pairwise "
			 "interactions." } },
	{ "hidden_a4", { "Skattningen gäller personer som socialtjänstens insatser kan nå, inte "
			 "alla med missbruk i Göteborg.",
			 "The estimate concerns persons within reach of the social services' "
			 "help, not everyone with substance abuse in Gothenburg." } },
	{ "intro_quality", { "Hur bra är underlaget? Per källa: inlästa och avvisade rader, "
			     "värden utan mappning, rader utan giltigt id-nummer och personer som "
			     "finns i flera stadsdelar. Antalen gäller rader, inte personer.",
			     "How good are the data? By source: rows read and rejected, values "
			     "without a mapping, rows without a valid identity number and persons "
			     "found in several districts. The counts are of rows, not persons." } },
	{ "intro_equity_year", { "Testet av lika hjälp gäller antalet personer per 10 000 "
				 "invånare. Ett litet p (under 0,05) betyder att skillnaderna "
				 "mellan stadsdelarna är större än slumpen kan förklara; phi över 1 "
				 "betyder överspridning.",
				 "The equity test concerns persons per 10,000 inhabitants. A small "
				 "p (below 0.05) means that the districts differ more than chance "
				 "explains; phi above 1 means over-dispersion." } },

	/* ---- how to read ------------------------------------------------------- */
	{ "legend_title", { "Så läser du tabeller och diagram", "How to read the tables and charts" } },
	{ "legend_supp", { ".. visas i stället för uppgifter om 1–4 personer och för uppgifter som "
			   "annars skulle kunna räknas fram ur dem. Diagrammen ritar inte dessa "
			   "värden.",
			   ".. stands for figures about 1–4 persons and for figures from which "
			   "those could be worked out. The charts do not draw these values." } },
	{ "legend_novalue", { "– betyder att det inte finns något värde: det är inte definierat "
			      "eller inte beräknat (t.ex. för få värden).",
			      "– means there is no value: it is not defined or not computed (for "
			      "example too few values)." } },
	{ "legend_unrel", { "* och grå text: osäker siffra, täljaren eller nämnaren är under 10.",
			    "* and grey text: unreliable figure, the numerator or denominator is "
			    "below 10." } },
	{ "legend_ci", { "Under ett värde står dess 95 % konfidensintervall: det spann som "
			 "med stor sannolikhet innehåller det sanna värdet.",
			 "Below a value is its 95 % confidence interval: the range that very "
			 "probably holds the true value." } },

	/* ---- summary templates ------------------------------------------------- */
	{ "sum_persons", { "Under %1 fick %2 personer insatser för missbruk eller beroende i "
			   "Göteborg (95 % konfidensintervall %3–%4).",
			   "In %1, %2 persons received help for substance abuse or dependence in "
			   "Gothenburg (95 % confidence interval %3–%4)." } },
	{ "sum_persons_noci", { "Under %1 fick %2 personer insatser för missbruk eller beroende "
				"i Göteborg.",
				"In %1, %2 persons received help for substance abuse or "
				"dependence in Gothenburg." } },
	{ "sum_persons_supp", { "Antalet personer i hela staden %1 visas inte (färre än 5).",
				"The number of persons city-wide in %1 is not shown (fewer than "
				"5)." } },
	{ "sum_persons_none", { "Det finns inga uppgifter om antalet personer i hela staden.",
				"There are no figures on the number of persons city-wide." } },
	{ "sum_up", { "Det är %1 fler än %2 (+%3 %).", "That is %1 more than in %2 (+%3 %)." } },
	{ "sum_down", { "Det är %1 färre än %2 (−%3 %).", "That is %1 fewer than in %2 (−%3 %)." } },
	{ "sum_same", { "Det är lika många som %1.", "That is as many as in %1." } },
	{ "sum_rate", { "Det motsvarar %1 personer per 10 000 invånare 21 år och äldre (%2–%3).",
			"That is %1 persons per 10,000 inhabitants aged 21 and over (%2–%3)." } },
	{ "sum_equity_diff", { "Stadsdelarna skiljer sig mer än slumpen kan förklara (p %1 i "
			       "testet av lika hjälp).",
			       "The districts differ more than chance explains (p %1 in the "
			       "equity test)." } },
	{ "sum_equity_same", { "Skillnaderna mellan stadsdelarna är inte större än slumpen kan "
			       "förklara (p %1 i testet av lika hjälp).",
			       "The differences between the districts are no larger than chance "
			       "explains (p %1 in the equity test)." } },
	{ "sum_funnel", { "I trattdiagrammet ligger %1 av %2 visade stadsdelar utanför "
			  "99,8 %-gränserna kring hela stadens värde.",
			  "In the funnel plot, %1 of the %2 districts shown lie outside the "
			  "99.8 % limits around the city-wide value." } },

	/* ---- tables ------------------------------------------------------------ */
	{ "col_row", { "Grupp", "Group" } },
	{ "col_lower", { "nedre", "lower" } },
	{ "col_upper", { "övre", "upper" } },
	{ "book_dots", { "..: uppgiften visas inte, för att ingen enskild person ska kunna "
			 "identifieras (röjandekontroll).",
			 "..: the figure is not shown, so that no individual can be identified "
			 "(disclosure control)." } },
	{ "book_grey", { "Grå siffror: osäkra, färre än 10 i täljare eller nämnare.",
			 "Grey figures: uncertain, fewer than 10 in numerator or denominator." } },
	{ "book_defs_table", { "Tabell", "Table" } },
	{ "book_defs_title", { "Titel", "Title" } },
	{ "book_defs_title_en", { "Titel (engelska)", "Title (English)" } },
	{ "book_defs_note", { "Förklaring", "Explanation" } },
	{ "col_district", { "Stadsdel", "District" } },
	{ "col_intervention", { "Insats", "Intervention" } },
	{ "col_year", { "År", "Year" } },
	{ "col_source", { "Källa", "Source" } },
	{ "col_reason", { "Orsak", "Reason" } },
	{ "col_estimate", { "Skattning", "Estimate" } },
	{ "col_file", { "Fil", "File" } },
	{ "col_status", { "Status", "Status" } },
	{ "quality_failed", { "Filer som inte kunde läsas in", "Files that could not be processed" } },
	{ "quality_failed_none", { "Alla filer i input/ kunde läsas in.",
				   "Every file in input/ could be processed." } },
	{ "col_sha256", { "SHA-256", "SHA-256" } },
	{ "col_mapping", { "Mappning (källa)", "Mapping (source)" } },
	{ "row_total", { "Totalt", "Total" } },
	{ "table_ci", { "Under värdet: 95 % konfidensintervall.",
			"Below the value: 95 % confidence interval." } },
	{ "table_quartiles", { "Under värdet: första och tredje kvartilen.",
			       "Below the value: first and third quartiles." } },
	{ "table_prefix", { "Tabell: ", "Table: " } },

	{ "title_persons_district_year", { "Personer med insatser per stadsdel och år",
					   "Persons receiving help by district and year" } },
	{ "note_persons_district_year", { "Unika personer med minst en insats under året; hela "
					  "staden räknar varje person en gång och är därför "
					  "inte summan av stadsdelarna.",
					  "Unique persons with at least one intervention in the "
					  "year; the whole city counts each person once and is "
					  "therefore not the sum of the districts." } },
	{ "title_rate_district_year", { "Personer per 10 000 invånare 21 år och äldre",
					"Persons per 10,000 inhabitants aged 21 and over" } },
	{ "note_rate_district_year", { "Unika personer per 10 000 invånare 21 år och äldre i "
				       "stadsdelen.",
				       "Unique persons per 10,000 inhabitants of the district "
				       "aged 21 and over." } },
	{ "title_dsr_district_year", { "Åldersstandardiserat antal per 10 000 invånare",
				       "Age-standardised rate per 10,000 inhabitants" } },
	{ "note_dsr_district_year", { "Personer per 10 000 invånare 21 år och äldre, "
				      "standardiserat till den europeiska standardbefolkningen "
				      "2013.",
				      "Persons per 10,000 inhabitants aged 21 and over, "
				      "standardised to the European Standard Population 2013." } },
	{ "title_persons_district_sex", { "Personer per stadsdel och kön, senaste året",
					  "Persons by district and sex, latest year" } },
	{ "note_persons_district_sex", { "Unika personer med minst en insats; totalt är summan "
					 "av kvinnor, män och okänt kön.",
					 "Unique persons with at least one intervention; the total "
					 "is the sum of women, men and unknown sex." } },
	{ "title_intervention_district", { "Personer per insats och stadsdel, senaste året",
					   "Persons by intervention and district, latest year" } },
	{ "note_intervention_district", { "Unika personer per insats; en person med flera "
					  "insatser räknas under var och en.",
					  "Unique persons per intervention; a person with several "
					  "interventions counts under each of them." } },
	{ "title_provider_district", { "Personer per utförare och stadsdel, senaste året",
				       "Persons by provider and district, latest year" } },
	{ "note_provider_district", { "Unika personer per slag av utförare; en person kan ha "
				      "flera utförare.",
				      "Unique persons per kind of provider; a person may have "
				      "several providers." } },
	{ "title_women_share_district_year", { "Andel kvinnor per stadsdel och år",
					       "Share of women by district and year" } },
	{ "note_women_share_district_year", { "Procent kvinnor bland personerna med känt kön.",
					      "Per cent women among the persons of known sex." } },
	{ "title_children_share_district_year", { "Andel med barn i hushållet per stadsdel och "
						  "år",
						  "Share with children in the household by "
						  "district and year" } },
	{ "note_children_share_district_year", { "Procent med barn i hushållet bland personerna "
						 "där uppgiften finns.",
						 "Per cent with children in the household among "
						 "the persons for whom this is recorded." } },
	{ "title_ngo_share_district_year", { "Andel med idéburen utförare per stadsdel och år",
					     "Share with a non-profit provider by district and "
					     "year" } },
	{ "note_ngo_share_district_year", { "Procent av personerna som fått minst en insats av en "
					    "idéburen organisation.",
					    "Per cent of the persons who received at least one "
					    "intervention from a non-profit organisation." } },
	{ "title_nov1_district_year", { "Personer med pågående insats den 1 november",
					"Persons with an ongoing intervention on 1 November" } },
	{ "note_nov1_district_year", { "Unika personer med en insats som pågick den 1 november.",
				       "Unique persons with an intervention ongoing on 1 "
				       "November." } },
	{ "title_multi_district_year", { "Personer med insatser i två eller flera stadsdelar",
					 "Persons helped in two or more districts" } },
	{ "note_multi_district_year", { "Unika personer som under året fått insatser i mer än en "
					"stadsdel.",
					"Unique persons who received help in more than one "
					"district during the year." } },
	{ "title_episode_length_intervention", { "Vårdtid per insats", "Length of care by "
						 "intervention" } },
	{ "note_episode_length_intervention", { "Median i dagar för insatser som avslutats under "
						"året.",
						"Median days of interventions ended in the "
						"year." } },
	{ "title_cost_per_person_district_year", { "Kostnad per person och stadsdel",
						   "Cost per person by district" } },
	{ "note_cost_per_person_district_year", { "Medelkostnad i kronor per person med "
						  "kostnadsuppgift.",
						  "Mean cost in SEK per person with a recorded "
						  "cost." } },
	{ "title_hidden_population_year", { "Sedda och skattade personer i hela staden",
					    "Persons seen and estimated, whole city" } },
	{ "note_hidden_population_year", { "Antal personer som syns i exporterna och skattat "
					   "antal inklusive dem som ingen källa har sett.",
					   "Persons seen in the exports and the estimated number "
					   "including those no source has seen." } },
	{ "row_seen", { "Sedda personer", "Persons seen" } },
	{ "row_hidden_chao", { "Skattning enligt Chao (nedre gräns)",
			       "Chao's estimate (lower bound)" } },
	{ "row_hidden_loglinear", { "Log-linjär skattning", "Log-linear estimate" } },
	{ "title_equity_year", { "Test av lika hjälp mellan stadsdelarna",
				 "Test of equal help across districts" } },
	{ "note_equity_year", { "Chi-två-test av om stadsdelarnas antal per 10 000 invånare är "
				"lika, med mått på överspridning.",
				"Chi-square test of whether the districts' rates per 10,000 "
				"inhabitants are equal, with measures of over-dispersion." } },
	{ "col_chi2", { "Chi-två", "Chi-square" } },
	{ "col_df", { "Frihetsgrader", "Degrees of freedom" } },
	{ "col_p_value", { "p-värde", "p-value" } },
	{ "col_phi", { "Överspridning (phi)", "Over-dispersion (phi)" } },
	{ "col_tau2", { "Varians mellan stadsdelar (tau²)", "Between-district variance (tau²)" } },
	{ "title_quality_district", { "Datakvalitet per källa", "Data quality by source" } },
	{ "note_quality_district", { "Antal filer och rader per källa (stadsdelens export); "
				     "andelen utan giltigt id-nummer i procent.",
				     "Numbers of files and rows by source (the district's export); "
				     "the share without a valid identity number in per cent." } },
	{ "col_files", { "Filer", "Files" } },
	{ "col_rows_read", { "Lästa rader", "Rows read" } },
	{ "col_rows_kept", { "Behållna rader", "Rows kept" } },
	{ "col_rejected_ingest", { "Avvisade vid inläsning", "Rejected when read" } },
	{ "col_rejected_map", { "Avvisade vid mappning", "Rejected when mapped" } },
	{ "col_unmapped_values", { "Värden utan mappning", "Unmapped values" } },
	{ "col_no_valid_id_pct", { "Utan giltigt id-nummer (%)", "Without a valid identity "
				   "number (%)" } },
	{ "col_persons_linked_across", { "Personer i flera stadsdelar", "Persons in several "
					 "districts" } },
	{ "title_quality_rejects", { "Avvisade rader per orsak och källa",
				     "Rejected rows by reason and source" } },
	{ "note_quality_rejects", { "Antal rader som inte kunde läsas eller mappas; filen och "
				    "raden står i pipelinens avvisningslista.",
				    "Rows that could not be read or mapped; the file and line of "
				    "each are in the pipeline's list of rejects." } },

	/* ---- charts ------------------------------------------------------------ */
	{ "chart_bars_title", { "Stapeldiagram: %1, %2", "Bar chart: %1, %2" } },
	{ "chart_bars_desc", { "En liggande stapel per stadsdel; linjen genom stapeln visar 95 % "
			       "konfidensintervall.",
			       "One horizontal bar per district; the line through the bar shows "
			       "the 95 % confidence interval." } },
	{ "chart_funnel_title", { "Trattdiagram: %1, %2", "Funnel plot: %1, %2" } },
	{ "chart_funnel_desc", { "Varje punkt är en stadsdel: värdet mot befolkningen. Kurvorna "
				 "är 95 %- och 99,8 %-gränser kring hela stadens värde.",
				 "Each point is a district: its value against its population. The "
				 "curves are 95 % and 99.8 % limits around the city-wide value." } },
	{ "chart_trend_title", { "Linjediagram: %1 över tid", "Line chart: %1 over time" } },
	{ "chart_trend_desc", { "En linje per stadsdel över åren.",
				"One line per district over the years." } },
	{ "chart_stack_title", { "Staplat diagram: %1", "Stacked bar chart: %1" } },
	{ "chart_stack_desc", { "En stapel per stadsdel, uppdelad i delar; en person kan "
				"finnas i flera delar.",
				"One bar per district, split into parts; a person may appear in "
				"several parts." } },
	{ "chart_not_drawn", { "Värden som visas som .. eller – i tabellen ritas inte.",
			       "Values shown as .. or – in the table are not drawn." } },
	{ "chart_empty", { "Det finns inga värden att rita.", "There are no values to draw." } },
	{ "chart_table_after", { "Siffrorna finns i tabellen nedan.",
				 "The figures are in the table below." } },
	{ "chart_unrel", { "Grå stapel eller ring och *: osäker siffra.",
			   "Grey bar or ring and *: unreliable figure." } },
	{ "chart_whisker", { "Linje: 95 % konfidensintervall.",
			     "Line: 95 % confidence interval." } },
	{ "chart_city_line", { "Streckad lodrät linje: hela staden.",
			       "Dashed vertical line: whole city." } },
	{ "chart_city_trend", { "Tjock svart linje: hela staden.",
				"Thick black line: whole city." } },
	{ "chart_city_omitted", { "Hela staden visas bara i tabellen.",
				  "The whole city is shown in the table only." } },
	{ "funnel_x", { "Befolkning (nämnare)", "Population (denominator)" } },
	{ "axis_rate", { "Per 10 000 invånare", "Per 10,000 inhabitants" } },
	{ "axis_share", { "Procent", "Per cent" } },
	{ "funnel_target", { "Hela stadens värde", "City-wide value" } },
	{ "funnel_l95", { "95 %-gränser (streckade)", "95 % limits (dashed)" } },
	{ "funnel_l998", { "99,8 %-gränser (heldragna)", "99.8 % limits (solid)" } },
	{ "funnel_point", { "Punkt: stadsdel", "Point: district" } },
	{ "funnel_no_target", { "Trattdiagrammet kan inte ritas: hela stadens värde saknas.",
				"The funnel plot cannot be drawn: the city-wide value is "
				"missing." } },
	{ "legend_label", { "Teckenförklaring", "Key" } },

	/* ---- methods ----------------------------------------------------------- */
	{ "methods_intro", { "Metoderna följer de brittiska folkhälsoobservatoriernas tekniska "
			     "vägledning om konfidensintervall (APHO/PHE) och Spiegelhalter "
			     "(2005) för trattdiagram. Alla intervall är 95 % om inget annat "
			     "sägs.",
			     "The methods follow the public health observatories' technical "
			     "guidance on confidence intervals (APHO/PHE) and Spiegelhalter (2005) "
			     "for funnel plots. All intervals are 95 % unless stated." } },
	{ "mt_persons", { "Personer", "Persons" } },
	{ "m_persons", { "En person räknas en gång per år och område även om hen har flera "
			 "insatser eller finns i flera stadsdelars exporter. Exporterna kopplas "
			 "samman med personnummer, samordningsnummer eller reservnummer och, när "
			 "sådant saknas, med namn, födelsedatum och postnummer. Hela staden räknar "
			 "unika personer och är därför inte summan av stadsdelarna.",
			 "A person counts once per year and area even with several "
			 "interventions or in several districts' exports. Exports are linked by "
			 "personal identity, coordination or reserve number and, where there is "
			 "none, by name, date of birth and postcode. The whole city counts unique "
			 "persons and is therefore not the sum of the districts." } },
	{ "mt_wilson", { "Andelar: Wilsons intervall", "Shares: Wilson's interval" } },
	{ "m_wilson", { "Andelar (kvinnor, personer med barn, idéburen utförare) har Wilsons "
			"konfidensintervall (score-intervallet), som håller sig mellan 0 och 100 % "
			"och fungerar även för små antal.",
			"Shares (women, persons with children, non-profit provider) have "
			"Wilson's score confidence interval, which stays between 0 and 100 % and "
			"works for small numbers too." } },
	{ "mt_poisson", { "Antal och takter: exakt Poisson och Byar",
			  "Counts and rates: exact Poisson and Byar" } },
	{ "m_poisson", { "Antal personer och antal per 10 000 invånare har exakta "
			 "Poisson-intervall (från chi-två-fördelningen) när antalet är under 10, "
			 "och Byars approximation av de exakta gränserna från 10 och uppåt.",
			 "Counts of persons and rates per 10,000 inhabitants have exact Poisson "
			 "intervals (from the chi-square distribution) when the count is below 10, "
			 "and Byar's approximation to the exact limits from 10 upwards." } },
	{ "mt_dsr", { "Åldersstandardisering: Dobson, ESP 2013",
		      "Age standardisation: Dobson, ESP 2013" } },
	{ "m_dsr", { "Det åldersstandardiserade antalet per 10 000 är en direkt standardisering "
		     "till den europeiska standardbefolkningen 2013 (ESP 2013, femårsgrupper) "
		     "och visar hur stadsdelarna hade jämförts om de haft samma "
		     "åldersfördelning. Intervallet följer Dobson m.fl. (1991). Det visas inte "
		     "när antalet är under 10.",
		     "The age-standardised rate per 10,000 is directly standardised to the "
		     "European Standard Population 2013 (ESP 2013, five-year bands) and shows "
		     "how the districts would compare with the same age structure. The interval "
		     "follows Dobson et al. (1991). It is not shown when the count is below "
		     "10." } },
	{ "mt_funnel", { "Trattdiagram", "Funnel plots" } },
	{ "m_funnel", { "Trattdiagrammet visar varje stadsdels antal per 10 000 invånare mot "
			"dess befolkning. Gränserna kring hela stadens värde är exakta "
			"Poisson-kvantiler (Spiegelhalter 2005) för 95 % och 99,8 %; de är vida "
			"för små stadsdelar och smalnar av för stora. En stadsdel utanför "
			"99,8 %-gränserna skiljer sig mer än slumpen rimligen kan förklara.",
			"The funnel plot shows each district's rate per 10,000 against its "
			"population. The limits around the city-wide value are exact Poisson "
			"quantiles (Spiegelhalter 2005) for 95 % and 99.8 %; they are wide for "
			"small districts and narrow for large ones. A district outside the "
			"99.8 % limits differs more than chance can reasonably explain." } },
	{ "mt_overdisp", { "Överspridning och lika hjälp", "Over-dispersion and equal help" } },
	{ "m_overdisp", { "Ett chi-två-test av homogenitet prövar om stadsdelarnas takter kan "
			  "vara lika. När de skiljer sig mer än Poisson-variationen medger (phi "
			  "över 1, phi är medelvärdet av kvadrerade och winsoriserade z-värden) "
			  "skattas variansen mellan stadsdelarna (tau², DerSimonian–Laird) och "
			  "gränserna vidgas därefter.",
			  "A chi-square test of homogeneity asks whether the districts' rates "
			  "could be equal. When they differ more than Poisson variation allows "
			  "(phi above 1, phi being the mean of squared winsorised z-scores) the "
			  "between-district variance is estimated (tau², DerSimonian-Laird) and "
			  "the limits are widened accordingly." } },
	{ "mt_chao", { "Chaos skattning", "Chao's estimate" } },
	{ "m_chao", { "Chaos skattning (1987) är en nedre gräns för antalet personer: de sedda "
		      "plus f1²/(2 f2), där f1 är antalet personer som syns i exakt en källa och "
		      "f2 i exakt två.",
		      "Chao's estimate (1987) is a lower bound for the number of persons: those "
		      "seen plus f1²/(2 f2), where f1 is the number of persons seen in exactly "
		      "one source and f2 in exactly two." } },
	{ "mt_loglin", { "Log-linjär fångst–återfångst", "Log-linear capture-recapture" } },
	{ "m_loglin", { "Den log-linjära modellen (Fienberg 1972, Cormack 1989) anpassas till "
			"antalet personer i varje kombination av källor, med parvisa samband "
			"mellan källor, och skattar den tomma cellen: de personer ingen källa "
			"har sett.",
			"The log-linear model (Fienberg 1972, Cormack 1989) is fitted to the "
			"numbers of persons in each combination of sources, with pairwise "
			"interactions between sources, and estimates the empty cell: the persons "
			"no source has seen." } },
	{ "mt_suppress", { "Röjandeskydd", "Disclosure control" } },
	{ "m_suppress", { "Rapporten publiceras, så ingen enskild person får kunna pekas ut. Antal "
			  "personer från 1 till 4 visas som \"..\", liksom takter och andelar som "
			  "bygger på sådana antal. Diagrammen ritar inte dessa värden.",
			  "The report is published, so no individual must be identifiable. "
			  "Counts of 1 to 4 persons are shown as \"..\", as are rates and shares "
			  "based on such counts. The charts do not draw these values." } },
	{ "mt_secondary", { "Sekundärt röjandeskydd", "Secondary suppression" } },
	{ "m_secondary", { "I tabeller med en summa döljs fler celler så att ett dolt värde inte "
			   "kan räknas fram som skillnaden mellan summan och de visade cellerna. "
			   "Samma uppgift döljs i alla tabeller där den förekommer. Innan något "
			   "publiceras kontrolleras att inget dolt värde kan härledas ur rad- och "
			   "kolumnsummorna.",
			   "In tables with a total, further cells are hidden so that no hidden "
			   "value can be worked out as the difference between the total and the "
			   "cells shown. The same figure is hidden in every table it appears in. "
			   "Before anything is published, a check makes sure that no hidden value "
			   "can be derived from the row and column sums." } },
	{ "mt_reliability", { "Osäkra siffror", "Unreliable figures" } },
	{ "m_reliability", { "När täljaren eller nämnaren är under 10 är siffran osäker: den "
			     "visas i grått med en asterisk (*) och intervallet är brett. Dra inga "
			     "slutsatser av skillnader mellan sådana siffror.",
			     "When the numerator or denominator is below 10 the figure is "
			     "unreliable: it is shown in grey with an asterisk (*) and its "
			     "interval is wide. Draw no conclusions from differences between such "
			     "figures." } },
	{ "mt_quartiles", { "Vårdtid och kostnad", "Length of care and cost" } },
	{ "m_quartiles", { "Vårdtiden är medianen i dagar med första och tredje kvartilen som "
			   "spann; den visas inte för färre än 10 insatser. Kostnad per person är "
			   "ett medelvärde i kronor med t-intervall.",
			   "The length of care is the median in days with the first and third "
			   "quartiles as its range; it is not shown for fewer than 10 "
			   "interventions. The cost per person is a mean in SEK with a t "
			   "interval." } },

	/* ---- run metadata ------------------------------------------------------ */
	{ "run_intro", { "Rapporten kan återskapas ur samma indatafiler och mappningsfiler. "
			 "Kontrollsummorna (SHA-256) visar exakt vilka filer som användes.",
			 "The report can be reproduced from the same input and mapping files. "
			 "The checksums (SHA-256) show exactly which files were used." } },
	{ "run_at", { "Körningen gjordes (UTC)", "Run at (UTC)" } },
	{ "run_version", { "Pipelineversion", "Pipeline version" } },
	{ "run_files", { "Indatafiler", "Input files" } },
	{ "run_mappings", { "Mappningsfiler", "Mapping files" } },
	{ "run_none", { "Inga", "None" } },
};

#define N_STRS (sizeof(strs) / sizeof(strs[0]))

static int lang_idx(enum rep_lang lang)
{
	return lang == REP_EN ? REP_EN : REP_SV;
}

const char *rep_str(enum rep_lang lang, const char *key)
{
	if (!key)
		return "";
	for (size_t i = 0; i < N_STRS; i++)
		if (strcmp(strs[i].key, key) == 0)
			return strs[i].s[lang_idx(lang)];
	return key;
}

const char *rep_str_key_at(size_t i)
{
	return i < N_STRS ? strs[i].key : NULL;
}

/* ---- code labels ------------------------------------------------------------- */

struct code_entry {
	const char *field, *code;
	const char *s[REP_N_LANGS];
};

static const struct code_entry codes[] = {
	{ "district", "ANGERED", { "Angered", "Angered" } },
	{ "district", "OSTRA", { "Östra Göteborg", "Östra Göteborg" } },
	{ "district", "CENTRUM", { "Centrum", "Centrum" } },
	{ "district", "MAJORNA_LINNE", { "Majorna-Linné", "Majorna-Linné" } },
	{ "district", "ORGRYTE_HARLANDA", { "Örgryte-Härlanda", "Örgryte-Härlanda" } },
	{ "district", "ASKIM_FROLUNDA_HOGSBO", { "Askim-Frölunda-Högsbo", "Askim-Frölunda-Högsbo" } },
	{ "district", "VASTRA_GBG", { "Västra Göteborg", "Västra Göteborg" } },
	{ "district", "VASTRA_HISINGEN", { "Västra Hisingen", "Västra Hisingen" } },
	{ "district", "LUNDBY", { "Lundby", "Lundby" } },
	{ "district", "NORRA_HISINGEN", { "Norra Hisingen", "Norra Hisingen" } },

	{ "intervention", "OPEN", { "Öppenvård", "Structured outpatient care" } },
	{ "intervention", "INST", { "Institutionsvård (HVB, familjehem)", "Institutional care" } },
	{ "intervention", "LVM", { "LVM-vård", "Compulsory care (LVM)" } },
	{ "intervention", "HOUSE", { "Boende", "Housing" } },
	{ "intervention", "HSUP", { "Boendestöd", "Housing support" } },
	{ "intervention", "CONT", { "Kontaktperson/-familj", "Contact person or family" } },
	{ "intervention", "OUTR", { "Uppsökande", "Outreach" } },
	{ "intervention", "PEER", { "Kamratstöd", "Peer support" } },
	{ "intervention", "WORK", { "Arbetsträning", "Work training" } },
	{ "intervention", "OTHER", { "Annat", "Other" } },

	{ "provider", "MUNI", { "Kommunal", "Municipal" } },
	{ "provider", "NGO", { "Idéburen", "Non-profit" } },
	{ "provider", "PRIV", { "Privat", "Private" } },

	{ "sex", "F", { "Kvinnor", "Women" } },
	{ "sex", "M", { "Män", "Men" } },
	{ "sex", "U", { "Okänt", "Unknown" } },

	{ "substance", "ALC", { "Alkohol", "Alcohol" } },
	{ "substance", "DRUG", { "Narkotika", "Narcotics" } },
	{ "substance", "GAMB", { "Spel", "Gambling" } },
	{ "substance", "MIX", { "Blandmissbruk", "Mixed" } },
	{ "substance", "UNK", { "Okänt", "Unknown" } },

	{ "children", "Y", { "Har barn", "Has children" } },
	{ "children", "N", { "Har inte barn", "Has no children" } },
	{ "children", "U", { "Okänt", "Unknown" } },

	{ "id_type", "PNR", { "Personnummer", "Personal identity number" } },
	{ "id_type", "SAMNR", { "Samordningsnummer", "Coordination number" } },
	{ "id_type", "RESERV", { "Reservnummer", "Reserve number" } },
	{ "id_type", "NONE", { "Saknas", "None" } },

	{ "file_status", "ok", { "Inläst", "Read" } },
	{ "file_status", "failed", { "Kunde inte läsas", "Could not be read" } },
	{ "file_status", "unclaimed", { "Ingen mappning", "No mapping" } },
	{ "file_status", "ambiguous", { "Flera mappningar", "Several mappings" } },
	{ "file_status", "duplicate", { "Dubblett", "Duplicate" } },

	/* reject reasons, as stage:code (quality_rejects rows) */
	{ "reject", "ingest:field_count", { "Fel antal fält", "Wrong number of fields" } },
	{ "reject", "ingest:encoding", { "Ogiltig teckenkodning", "Invalid character encoding" } },
	{ "reject", "ingest:control_char", { "Otillåtet styrtecken", "Control character" } },
	{ "reject", "ingest:malformed_quote", { "Felaktigt citattecken", "Malformed quote" } },
	{ "reject", "ingest:unterminated_quote", { "Citat utan slut", "Unterminated quote" } },
	{ "reject", "ingest:field_too_long", { "För långt fält", "Field too long" } },
	{ "reject", "map:bad_date", { "Ogiltigt datum", "Invalid date" } },
	{ "reject", "map:bad_number", { "Ogiltigt tal", "Invalid number" } },
	{ "reject", "map:bad_birth_year", { "Ogiltigt födelseår", "Invalid birth year" } },
	{ "reject", "map:unmapped_code", { "Värde utan mappning", "Unmapped value" } },
	{ "reject", "map:missing_value", { "Obligatorisk uppgift saknas", "Required value "
					   "missing" } },
	{ "reject", "map:end_before_start", { "Slutdatum före startdatum", "End before start" } },
};

#define N_CODES (sizeof(codes) / sizeof(codes[0]))

const char *rep_code_label(enum rep_lang lang, const char *field, const char *code)
{
	int l = lang_idx(lang);

	if (!code)
		return "";
	if (strcmp(code, "MISSING") == 0)
		return l == REP_SV ? "Uppgift saknas" : "Not reported";
	if (strcmp(code, "city") == 0 ||
	    (strcmp(code, "total") == 0 && field && strcmp(field, "district") == 0))
		return l == REP_SV ? "Hela staden" : "Whole city";
	if (strcmp(code, "total") == 0)
		return l == REP_SV ? "Totalt" : "Total";
	if (!field)
		return code;
	for (size_t i = 0; i < N_CODES; i++)
		if (strcmp(codes[i].field, field) == 0 && strcmp(codes[i].code, code) == 0)
			return codes[i].s[l];
	return code;
}

size_t rep_code_count(void)
{
	return N_CODES;
}

void rep_code_at(size_t i, const char **field, const char **code)
{
	*field = i < N_CODES ? codes[i].field : NULL;
	*code = i < N_CODES ? codes[i].code : NULL;
}

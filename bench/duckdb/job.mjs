// bench/duckdb/job.mjs - the pipeline's job as far as SQL can do it, in DuckDB.
//
//     node bench/duckdb/job.mjs MAPPINGS_DIR INPUT_DIR
//
// The comparison of `make bench` (bench/run.sh times it with tools/runstat).
// For every mapping file MAPPINGS_DIR/*.ini it reads the files its `files`
// pattern claims in INPUT_DIR with DuckDB's read_csv and the dialect of the
// mapping file (delimiter, encoding, the lines before the data, footer),
// every column as VARCHAR, and recodes each row to the schema as the map
// stage does, with SQL generated from the mapping files:
//   - coded fields (sex, intervention, provider, substance, children) through
//     CASE expressions made from [recode FIELD] and the [codelists] tables
//     (words folded to lower case), [blank] for empty cells; a word with no
//     code rejects the row ([unmapped] = reject);
//   - dates with strptime in the [dates] formats (a bad date rejects the row,
//     as does an end before the start), cost_sek as a number ([numbers]);
//   - the identity number normalised to 12 digits (YYYYMMDDNNNC; the century
//     of YYMMDD from the reference date and the "+" separator) when it has a
//     valid Luhn check digit; a reserve number ([identity] reserve) is local
//     to its district.
// Then it counts unique persons per district and city-wide.  A person is the
// normalised identity number; a row without a valid number takes the number
// of another row with the same first name, last name, birth year and
// postcode (one exact-match join, the deterministic part of linkage), else
// that name key itself.  What SQL does not do here: probabilistic linkage,
// sealing the sensitive columns, keyed pseudonyms, per-row reject reasons
// with lines, and the indicators and report.
//
// Encodings: DuckDB reads UTF-8 and ISO-8859-1 ('latin-1') itself.
// Windows-1252 needs its `encodings` extension (a download at run time), and
// reading those files as latin-1 fails the whole file on the first byte in
// 0x80-0x9F (planted bad rows have 0x81, 0x8D).  So windows-1252 files are
// first converted to UTF-8 in WORKDIR (default: the system's temporary
// folder) by Node's TextDecoderStream, all at once, and that time is part
// of the job's.  Rows with a wrong number of fields or a broken quote are
// skipped (ignore_errors, strict_mode off), as ingest rejects them.
// Quotes: after an unterminated quote DuckDB reads the rest of the file as
// one field (ingest resumes on the next line), so for the sources whose
// mapping file says they are never quoted ("never quoted" or "No field is
// ever quoted" in its comments) quoting is off (quote = ''), as an analyst
// would set it.
//
// Prints on stdout: "files N", "converted N" (windows-1252 files), "rows N"
// (data rows read), "episodes N" (rows that recode), "persons DISTRICT N" per
// district and "persons city N"; on stderr the SQL with -v.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, readdirSync, openSync, readSync, closeSync, createReadStream,
	createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';

const [mapDir, inDir, workArg] = process.argv.slice(2).filter((a) => a !== '-v');
const verbose = process.argv.includes('-v');
if (!mapDir || !inDir) {
	process.stderr.write('usage: node job.mjs [-v] MAPPINGS_DIR INPUT_DIR [WORKDIR]\n');
	process.exit(64);
}
const workDir = mkdtempSync(join(workArg || tmpdir(), 'duckdb-job-'));
const conversions = [];           // [from, to] of windows-1252 files

async function toUtf8(from, to) {
	await Readable.toWeb(createReadStream(from, { highWaterMark: 1 << 20 }))
		.pipeThrough(new TextDecoderStream('windows-1252'))
		.pipeThrough(new TextEncoderStream())
		.pipeTo(Writable.toWeb(createWriteStream(to)));
}

// ---- INI files (the subset the mapping files use) ---------------------------
function readIni(path) {
	const sections = new Map();
	let cur = null;
	for (let line of readFileSync(path, 'utf8').split(/\r?\n/)) {
		line = line.replace(/(^|\s);.*$/, '').trim();
		if (line === '') continue;
		const m = line.match(/^\[(.+)\]$/);
		if (m) {
			cur = m[1].trim();
			if (!sections.has(cur)) sections.set(cur, []);
			continue;
		}
		const eq = line.indexOf('=');
		if (eq < 0 || cur === null) continue;
		sections.get(cur).push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
	}
	return sections;
}
const sect = (ini, name) => new Map(ini.get(name) || []);

const sqlStr = (s) => "'" + String(s).replace(/'/g, "''") + "'";
const fold = (s) => s.normalize('NFC').toLowerCase().trim();

// ---- dialect -------------------------------------------------------------------
const DELIM = { comma: ',', semicolon: ';', tab: '\t', pipe: '|' };
const ENC = { 'utf-8': 'utf-8', 'utf-8-bom': 'utf-8', 'iso-8859-1': 'latin-1', 'windows-1252': 'utf-8' };
const DECODER = { 'utf-8': 'utf-8', 'utf-8-bom': 'utf-8', 'iso-8859-1': 'latin1', 'windows-1252': 'windows-1252' };

function globRe(pattern) {
	const alts = pattern.split(',').map((p) => p.trim()).filter(Boolean).map((p) =>
		p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.'));
	return new RegExp('^(' + alts.join('|') + ')$');
}

// The file's header names as ingest builds them: one row, or two rows whose
// upper cells (merged groups) carry forward: "Group Name".
function headerNames(path, dialect) {
	const fd = openSync(path, 'r');
	const buf = Buffer.alloc(65536);
	const n = readSync(fd, buf, 0, buf.length, 0);
	closeSync(fd);
	let text = new TextDecoder(DECODER[dialect.encoding] || 'utf-8').decode(buf.subarray(0, n));
	text = text.replace(/^\uFEFF/, '');
	const lines = text.split(/\r?\n/);
	const first = dialect.headerLine - 1;
	const rows = lines.slice(first, first + dialect.headerLines).map((l) =>
		l.split(dialect.delim).map((c) => c.replace(/^"(.*)"$/, '$1').trim()));
	const lower = rows[rows.length - 1];
	if (rows.length === 1) return lower.map((n) => [n]);
	let group = '';
	return lower.map((n, i) => {
		if (rows[0][i]) group = rows[0][i];
		return group ? [group + ' ' + n, n] : [n];
	});
}

// ---- recoding -------------------------------------------------------------------
const CODED = ['sex', 'intervention', 'provider', 'substance', 'children'];

function codeTable(ini, iniDir, field) {
	const table = new Map();
	const cl = sect(ini, 'codelists').get(field);
	if (cl) for (const [k, v] of sect(readIni(join(iniDir, cl)), 'values')) table.set(fold(k), v);
	for (const [k, v] of sect(ini, 'recode ' + field)) table.set(fold(k), v);
	return table;
}

function caseExpr(col, table, blank) {
	const v = `lower(trim(${col}))`;
	const whens = [...table].map(([k, c]) => `WHEN ${sqlStr(k)} THEN ${sqlStr(c)}`).join(' ');
	const b = blank ? sqlStr(blank) : 'NULL';
	return `CASE WHEN ${col} IS NULL OR trim(${col}) = '' THEN ${b} ELSE (CASE ${v} ${whens} ELSE NULL END) END`;
}

function strptimeFormat(f) {
	const tok = { YYYY: '%Y', MM: '%m', DD: '%d', M: '%-m', D: '%-d', hh: '%H', mm: '%M', ss: '%S' };
	return f.replace(/%/g, '%%').replace(/YYYY|MM|DD|hh|mm|ss|M|D/g, (t) => tok[t]);
}

function dateExpr(col, formats) {
	if (!col) return 'NULL::DATE';
	const f = formats.map((x) => sqlStr(strptimeFormat(x)));
	return `CAST(try_strptime(trim(${col}), [${f.join(', ')}]) AS DATE)`;
}

function numberExpr(col, decimal) {
	if (!col) return 'NULL::DOUBLE';
	let e = `regexp_replace(trim(${col}), '[ \u00a0\u202f'']', '', 'g')`;
	e = decimal === 'comma' ? `replace(replace(${e}, '.', ''), ',', '.')` : `replace(${e}, ',', '')`;
	return `try_cast(${e} AS DOUBLE)`;
}

// ---- one source ------------------------------------------------------------------
function sourceSql(iniPath) {
	const ini = readIni(iniPath);
	const noQuotes = /never quoted|no field is ever quoted/i.test(readFileSync(iniPath, 'utf8'));
	const iniDir = dirname(iniPath);
	const src = sect(ini, 'source');
	const dia = sect(ini, 'dialect');
	if (!src.get('files') || !src.get('district')) return null;
	const dialect = {
		encoding: dia.get('encoding') || 'utf-8',
		delim: DELIM[dia.get('delimiter') || 'comma'],
		headerLine: Number(dia.get('header_line') || 1),
		headerLines: Number(dia.get('header_lines') || 1),
		footer: dia.get('footer'),
	};
	const re = globRe(src.get('files'));
	const files = readdirSync(inDir).filter((f) => re.test(f)).sort();
	if (files.length === 0) return null;
	const columns = sect(ini, 'columns');
	const ident = sect(ini, 'identity');
	const dates = (sect(ini, 'dates').get('formats') || 'YYYY-MM-DD').split('|').map((s) => s.trim());
	const decimal = sect(ini, 'numbers').get('decimal') || 'point';
	const blank = sect(ini, 'blank');
	const ref = (ident.get('reference_date') || '2026-01-15').replace(/-/g, '').slice(2);
	const reserve = ident.get('reserve');
	const selects = files.map((file) => {
		const names = headerNames(join(inDir, file), dialect);
		const col = (field) => {
			const want = columns.get(field);
			if (!want) return null;
			for (const alt of want.split('|').map((s) => s.trim())) {
				const i = names.findIndex((ns) => ns.includes(alt));
				if (i >= 0) return `c${i}`;
			}
			throw new Error(`${iniPath}: ${file}: no column ${want}`);
		};
		const cols = '{' + names.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ') + '}';
		const skip = dialect.headerLine - 1 + dialect.headerLines;
		let path = join(inDir, file);
		if (dialect.encoding === 'windows-1252') {
			const to = join(workDir, file);
			conversions.push([path, to]);
			path = to;
		}
		const read = `read_csv(${sqlStr(path)}, columns = ${cols}, header = false,
			skip = ${skip}, delim = ${sqlStr(dialect.delim)}, ${noQuotes ? "quote = ''" : `quote = '"', escape = '"'`},
			encoding = ${sqlStr(ENC[dialect.encoding] || 'utf-8')}, auto_detect = false,
			ignore_errors = true, strict_mode = false, null_padding = false)`;
		const coded = CODED.map((f) => {
			const c = col(f);
			return c ? `${caseExpr(c, codeTable(ini, iniDir, f), blank.get(f))} AS ${f}`
				: `${blank.get(f) ? sqlStr(blank.get(f)) : 'NULL'} AS ${f}`;
		});
		const id = col('identity_number') || 'NULL';
		const footer = dialect.footer ? `AND NOT regexp_matches(coalesce(c0, ''), ${sqlStr(dialect.footer)}, 'i')` : '';
		const by = col('birth_year'), bd = col('birth_date');
		return `SELECT ${sqlStr(src.get('district'))} AS district,
			trim(${id}) AS id_raw,
			${reserve ? `regexp_full_match(trim(coalesce(${id}, '')), ${sqlStr(reserve)})` : 'false'} AS is_reserve,
			${sqlStr(ref)} AS ref6,
			lower(trim(${col('first_name') || "''"})) || '|' || lower(trim(${col('last_name') || "''"})) || '|'
			  || coalesce(${by ? `trim(${by})` : 'NULL'},
			              CAST(year(${dateExpr(bd, dates)}) AS VARCHAR), '') || '|'
			  || replace(coalesce(${col('postcode') || "''"}, ''), ' ', '') AS name_key,
			${coded.join(',\n\t\t\t')},
			${dateExpr(col('start_date'), dates)} AS start_date,
			${dateExpr(col('end_date'), dates)} AS end_date,
			${col('start_date')} AS start_raw, ${col('end_date') || 'NULL'} AS end_raw,
			${numberExpr(col('cost_sek'), decimal)} AS cost_sek
		  FROM ${read}
		 WHERE NOT (c0 IS NULL AND c1 IS NULL) ${footer}`;
	});
	return { files: files.length, sql: selects.join('\nUNION ALL\n') };
}

// ---- the job -------------------------------------------------------------------
const parts = readdirSync(mapDir).filter((f) => f.endsWith('.ini')).sort()
	.map((f) => sourceSql(join(mapDir, f))).filter(Boolean);
const nFiles = parts.reduce((a, p) => a + p.files, 0);
const sql = `
-- Luhn over 10 digits: every other digit doubled (minus 9 above 9), sum % 10 = 0
CREATE MACRO dg(d, i) AS ascii(substr(d, i, 1)) - 48;
CREATE MACRO luhn_ok(d) AS
  (${[1, 3, 5, 7, 9].map((i) => `2 * dg(d, ${i}) - 9 * (dg(d, ${i}) >= 5)::INT`).join(' + ')}
   + ${[2, 4, 6, 8, 10].map((i) => `dg(d, ${i})`).join(' + ')}) % 10 = 0;
CREATE TABLE raw AS
${parts.map((p) => p.sql).join('\nUNION ALL\n')};
-- normalise the identity number: 12 digits, or NULL
CREATE TABLE ep AS
SELECT *,
  CASE
    WHEN regexp_full_match(id_raw, '(19|20)[0-9]{6}-?[0-9]{4}') AND luhn_ok(substr(replace(id_raw, '-', ''), 3))
      THEN replace(id_raw, '-', '')
    WHEN regexp_full_match(id_raw, '[0-9]{6}[-+]?[0-9]{4}') AND luhn_ok(regexp_replace(id_raw, '[-+]', ''))
      THEN (CASE WHEN substr(id_raw, 1, 4) || lpad(CAST(CAST(substr(id_raw, 5, 2) AS INT) % 60 AS VARCHAR), 2, '0') <= ref6
                 THEN (CASE WHEN contains(id_raw, '+') THEN '19' ELSE '20' END)
                 ELSE (CASE WHEN contains(id_raw, '+') THEN '18' ELSE '19' END) END)
           || regexp_replace(id_raw, '[-+]', '')
    ELSE NULL END AS pnr
FROM raw
WHERE sex IS NOT NULL AND intervention IS NOT NULL AND provider IS NOT NULL
  AND substance IS NOT NULL AND children IS NOT NULL
  AND start_date IS NOT NULL
  AND (end_date IS NOT NULL OR coalesce(trim(end_raw), '') = '')
  AND (end_date IS NULL OR end_date >= start_date);
-- a person: the number; else the number of a row with the same name key; else the key
-- (an equi-join on the key alone: DuckDB plans a hash join for it)
CREATE TABLE keyed AS
WITH k AS (SELECT name_key, min(pnr) AS pnr FROM ep WHERE pnr IS NOT NULL GROUP BY name_key)
SELECT e.district,
       coalesce(e.pnr, CASE WHEN e.is_reserve THEN e.district || ':' || e.id_raw END, k.pnr, 'name:' || e.name_key) AS person
  FROM ep e LEFT JOIN k USING (name_key);
`;
if (verbose) process.stderr.write(sql + '\n');

await Promise.all(conversions.map(([from, to]) => toUtf8(from, to)));
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
await con.run(sql);
const one = async (q) => (await con.runAndReadAll(q)).getRows();
const out = [];
out.push(`files ${nFiles}`);
out.push(`converted ${conversions.length}`);
out.push(`rows ${(await one('SELECT count(*) FROM raw'))[0][0]}`);
out.push(`episodes ${(await one('SELECT count(*) FROM ep'))[0][0]}`);
for (const [d, n] of await one('SELECT district, count(DISTINCT person) FROM keyed GROUP BY district ORDER BY district'))
	out.push(`persons ${d} ${n}`);
out.push(`persons city ${(await one('SELECT count(DISTINCT person) FROM keyed'))[0][0]}`);
process.stdout.write(out.join('\n') + '\n');
con.closeSync();
instance.closeSync();
rmSync(workDir, { recursive: true, force: true });

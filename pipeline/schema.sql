-- pipeline/schema.sql - the database contract between the stages.
--
-- One SQLite file (output/pipeline.db by default).  Every stage opens it,
-- checks PRAGMA user_version against the version it was built for, and
-- creates these tables when the file is new.  Changing a table means
-- raising the version below; a stage refuses a database of another version
-- (exit 78) rather than guessing.  Tables added later stand after a line
-- "-- @since N": a database of an older version is brought up to date by
-- running the sections of every later version.  A change to an existing
-- table stands after a line "-- @upgrade N": such a section runs only when
-- a database older than version N is upgraded, never on a new database, so
-- that the tables above always show the current columns.  Sections run in
-- the order they stand in this file.
--
-- Privacy: identity numbers, names and postcodes never appear here in clear
-- text.  Columns a source maps to identity_number, first_name, last_name or
-- postcode are removed from the raw rows and kept only in raw_sealed,
-- encrypted with a key derived from the secret key file.

PRAGMA user_version = 13;

-- One row per file name ever seen in input/.  A changed file under the same
-- name replaces its earlier version: the old rows are deleted and this row is
-- rewritten, all in one transaction.
CREATE TABLE input_file (
    file_id        INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,   -- file name inside input/
    size           INTEGER NOT NULL,       -- bytes
    mtime_ns       INTEGER NOT NULL,       -- modification time, for the cheap "unchanged?" test
    sha256         TEXT,                   -- hex digest of the content; NULL if never read
    source         TEXT,                   -- claiming source (mapping [source] name); NULL if none
    mapping_sha256 TEXT,                   -- hex digest of the mapping file the rows stand under
    status         TEXT NOT NULL CHECK (status IN
                     ('ok',          -- ingested; rows in raw_row, rejects in reject
                      'failed',      -- could not be ingested (see message); no rows kept
                      'unclaimed',   -- no source's files pattern matches the name
                      'ambiguous',   -- two or more sources claim it
                      'duplicate')), -- same content as another file (see message)
    message        TEXT,                   -- why, for any status but 'ok'
    encoding       TEXT,                   -- as declared by the source
    lines          INTEGER NOT NULL DEFAULT 0,  -- physical lines in the file
    title_lines    INTEGER NOT NULL DEFAULT 0,  -- lines before the header
    header_lines   INTEGER NOT NULL DEFAULT 0,
    footer_rows    INTEGER NOT NULL DEFAULT 0,  -- records matching the footer pattern
    blank_lines    INTEGER NOT NULL DEFAULT 0,  -- empty lines, and records of empty fields only (";;;;")
    rows_read      INTEGER NOT NULL DEFAULT 0,  -- data records after the header, footer excluded
    rows_kept      INTEGER NOT NULL DEFAULT 0,  -- records in raw_row
    rows_rejected  INTEGER NOT NULL DEFAULT 0,  -- records in reject (stage 'ingest')
    ingested_at    TEXT NOT NULL,          -- UTC, ISO 8601
    ingest_sha256  TEXT,                   -- digest of what ingest reads of that mapping file:
                                           -- [source], [dialect], [columns] (lib/source.c);
                                           -- NULL in rows from before version 6
    CHECK (rows_read = rows_kept + rows_rejected)
);

-- The header of each ingested file, as decoded names (two-row headers joined).
CREATE TABLE file_column (
    file_id  INTEGER NOT NULL REFERENCES input_file(file_id) ON DELETE CASCADE,
    col_idx  INTEGER NOT NULL,             -- 0-based position in the record
    name     TEXT NOT NULL,                -- header name, UTF-8, trimmed
    field    TEXT,                         -- schema field the mapping gives it, if any
    sealed   INTEGER NOT NULL DEFAULT 0,   -- 1: values live only in raw_sealed
    PRIMARY KEY (file_id, col_idx)
) WITHOUT ROWID;

-- Every kept record is in raw_chunk, a chunk of records a row, and is seen
-- a row a record through the view raw_row (file_id, line, fields): both
-- stand after "-- @since 13" below.

-- Every rejected record, by any stage: where, which field, why.  value holds
-- the offending raw value where one field is to blame; never for identity
-- numbers, names and postcodes (NULL there).
CREATE TABLE reject (
    file_id  INTEGER NOT NULL REFERENCES input_file(file_id) ON DELETE CASCADE,
    line     INTEGER NOT NULL,             -- 1-based physical line where the record starts
    stage    TEXT NOT NULL,                -- 'ingest', 'map', ...
    field    TEXT,                         -- column name, or NULL for the whole record
    code     TEXT NOT NULL,                -- reason code: field_count, encoding, control_char,
                                           -- malformed_quote, unterminated_quote, field_too_long,
                                           -- (map:) bad_date, bad_number, unmapped_code, ...
    reason   TEXT NOT NULL,                -- the same in words, with details
    value    TEXT,                         -- the raw value, masked if sensitive
    PRIMARY KEY (file_id, line, stage)
) WITHOUT ROWID;

-- One harmonised episode per kept raw_row that the map stage could map: the
-- common schema of ../shared/SCHEMA.md.  source_file / source_line are
-- input_file.name and line, and the mapping file that made it is
-- mapped_file.mapping_sha256 (see view episode_v; version 2 kept a copy of
-- it in every episode row).
CREATE TABLE episode (
    file_id        INTEGER NOT NULL REFERENCES input_file(file_id) ON DELETE CASCADE,
    line           INTEGER NOT NULL,       -- source_line
    district       TEXT NOT NULL,
    person_ref     TEXT,                   -- keyed hash of the normalised identity number; NULL if none
    id_type        TEXT NOT NULL CHECK (id_type IN ('PNR', 'SAMNR', 'RESERV', 'NONE')),
    id_flaw        TEXT,                   -- why a non-empty number is NONE (data quality)
    birth_date     TEXT,                   -- YYYY-MM-DD
    birth_year     INTEGER,
    sex            TEXT NOT NULL CHECK (sex IN ('F', 'M', 'U')),
    intervention   TEXT NOT NULL,
    provider       TEXT,
    substance      TEXT NOT NULL,
    start_date     TEXT NOT NULL,
    end_date       TEXT,                   -- NULL while the intervention goes on
    cost_sek       REAL,
    children       TEXT NOT NULL CHECK (children IN ('Y', 'N', 'U')),
    PRIMARY KEY (file_id, line)
) WITHOUT ROWID;

-- Which files the map stage has mapped, with which mapping file; a changed
-- mapping file (other sha256) makes the next run map the file again.
CREATE TABLE mapped_file (
    file_id        INTEGER PRIMARY KEY REFERENCES input_file(file_id) ON DELETE CASCADE,
    mapping_sha256 TEXT NOT NULL,
    rows_read      INTEGER NOT NULL,       -- raw_row records of the file
    rows_kept      INTEGER NOT NULL,       -- episodes
    rows_rejected  INTEGER NOT NULL,       -- rejects of stage 'map'
    mapped_at      TEXT NOT NULL,
    CHECK (rows_read = rows_kept + rows_rejected)
);

-- Mapping coverage: every distinct source value of every recoded field, per
-- file, with what it became (NULL: unmapped) and how often.
CREATE TABLE map_value (
    file_id    INTEGER NOT NULL REFERENCES input_file(file_id) ON DELETE CASCADE,
    field      TEXT NOT NULL,
    value      TEXT NOT NULL,              -- as in the export, trimmed
    code       TEXT,                       -- the schema code, NULL if unmapped
    n          INTEGER NOT NULL,
    first_line INTEGER NOT NULL,
    PRIMARY KEY (file_id, field, value)
) WITHOUT ROWID;

-- The person tables (person, episode_person, person_link) and the view
-- episode_v: see "-- @since 3" below.

-- The linkage run: what was estimated and what came of it.
CREATE TABLE linkage_param (
    comparison TEXT NOT NULL,              -- e.g. 'first_name', or 'run' for totals
    level      TEXT NOT NULL,
    m          REAL,
    u          REAL,
    n          INTEGER,                    -- pairs at this level (or a total)
    PRIMARY KEY (comparison, level)
) WITHOUT ROWID;

-- One row per stage run, for the report's run metadata and the driver.
CREATE TABLE stage_run (
    run_id      INTEGER PRIMARY KEY,
    stage       TEXT NOT NULL,
    version     TEXT NOT NULL,             -- pipeline version
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    exit_code   INTEGER,
    summary     TEXT                       -- one line, as logged
);

-- @since 2
-- The indicators stage: the catalogue as computed (mappings/indicators/) and
-- its figures.  Rebuilt whole, in one transaction, by every indicators run.

CREATE TABLE indicator (
    indicator   TEXT PRIMARY KEY,          -- catalogue id
    seq         INTEGER NOT NULL,          -- order in the catalogue
    title_sv    TEXT NOT NULL,
    title_en    TEXT NOT NULL,
    unit        TEXT NOT NULL,             -- 'persons' or 'episodes'
    period      TEXT NOT NULL,             -- 'year', 'start_year', 'end_year', 'day MM-DD'
    method      TEXT NOT NULL,             -- as declared: count, rate, dsr, wilson, ...
    measure     TEXT,                      -- length_days, cost_sek for quartiles and mean
    multiplier  REAL NOT NULL,
    definition  TEXT NOT NULL              -- filters, numerator and breakdowns as declared
);

CREATE TABLE indicator_value (
    indicator    TEXT NOT NULL REFERENCES indicator(indicator),
    period       TEXT NOT NULL,            -- '2024', or '2024-11-01' for a day
    breakdown    TEXT NOT NULL,            -- 'total', or the dimensions: 'district', 'district sex'
    district     TEXT,                     -- the group's keys; NULL: not broken down by it
    sex          TEXT,                     -- a key of 'MISSING': the field was empty
    age_band     TEXT,
    intervention TEXT,
    provider     TEXT,
    substance    TEXT,
    children     TEXT,
    numerator    NUMERIC,                   -- persons or episodes counted (sum of costs: mean)
    denominator  NUMERIC,                   -- population, units of a share, persons of a mean
    value        REAL,                     -- NULL when not defined or not shown (see note)
    lower        REAL,                     -- interval; quartiles: the first quartile
    upper        REAL,                     -- quartiles: the third quartile
    method       TEXT NOT NULL,            -- what was computed: wilson, poisson_exact, byar, ...
    funnel       TEXT,                     -- district rows: inside, above95, above99.8, below95, below99.8
    funnel_od    TEXT,                     -- the same against over-dispersed limits
    reliability  TEXT NOT NULL CHECK (reliability IN ('ok', 'unreliable', 'not_shown')),
    suppress     INTEGER NOT NULL,         -- 1: a person count of 1-4 (primary disclosure control)
    note         TEXT                      -- why a value is missing or flagged
);
CREATE INDEX indicator_value_ix ON indicator_value (indicator, period, breakdown);

CREATE TABLE indicator_equity (
    indicator  TEXT NOT NULL,
    period     TEXT NOT NULL,
    units      INTEGER NOT NULL,           -- districts compared
    target     REAL NOT NULL,              -- city-wide value (per 1)
    chi2       REAL NOT NULL,              -- homogeneity across districts
    df         REAL NOT NULL,
    p_value    REAL NOT NULL,
    phi        REAL NOT NULL,              -- over-dispersion (winsorised z-scores)
    tau2       REAL NOT NULL,              -- random-effects variance (per 1, squared)
    PRIMARY KEY (indicator, period)
) WITHOUT ROWID;

CREATE TABLE indicator_trend (
    indicator    TEXT NOT NULL,
    breakdown    TEXT NOT NULL,
    district     TEXT,
    sex          TEXT,
    age_band     TEXT,
    intervention TEXT,
    provider     TEXT,
    substance    TEXT,
    children     TEXT,
    first_period TEXT NOT NULL,
    last_period  TEXT NOT NULL,
    n_periods    INTEGER NOT NULL,
    slope        REAL NOT NULL,            -- change of value per year
    lower        REAL NOT NULL,
    upper        REAL NOT NULL
);

-- @upgrade 3
-- From version 2 (or 1): the person layer gets an integer key, and episode
-- loses its per-row copy of mapping_sha256 (mapped_file holds it per file;
-- episode_v shows it by join).  person, episode_person and person_link are
-- rebuilt whole by every dedup run, so they are dropped here and made anew
-- below, empty: run dedup before indicators.  The stage_run row recorded
-- here under stage 'dedup' (exit_code NULL) makes the driver see a new dedup
-- run, so that it runs dedup, indicators and report again even when nothing
-- else changed.  Episodes are kept: ALTER TABLE ... DROP COLUMN rewrites
-- the table in place.
DROP VIEW episode_v;
DROP TABLE person_link;
DROP TABLE episode_person;
DROP TABLE person;
ALTER TABLE episode DROP COLUMN mapping_sha256;
INSERT INTO stage_run (stage, version, started_at, finished_at, summary)
    VALUES ('dedup', 'schema 3', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
            strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
            'schema upgraded to version 3: person tables emptied, dedup must run again');

-- @since 3
-- The person layer, keyed by an integer, and episode_v.  The dedup stage
-- computes person, episode_person and person_link again in every run, in one
-- transaction, and writes what changed.

CREATE VIEW episode_v AS
    SELECT f.name AS source_file, e.line AS source_line, f.source, e.*,
           m.mapping_sha256
      FROM episode e JOIN input_file f USING (file_id)
      LEFT JOIN mapped_file m USING (file_id);

-- Persons: the episodes the dedup stage links together, across districts.
-- person_key is the integer other tables refer to a person by: kept while
-- the person_id exists, the next after the largest for a new person (1..n
-- in person_id order after a first run; docs/linkage.md, "Persons").  person_id is stable across runs with the same key: the person_ref
-- of the person's personnummer (or reserve number), else a keyed hash of the
-- first episode's file and line.
CREATE TABLE person (
    person_key  INTEGER PRIMARY KEY,
    person_id   TEXT NOT NULL,             -- unique, kept so by dedup; not indexed (@upgrade 11)
    basis       TEXT NOT NULL CHECK (basis IN ('PNR', 'RESERV', 'LINKED', 'SINGLE')),
                                       -- PNR: a valid identity number; RESERV: a reserve
                                       -- number; LINKED: probabilistic links only; SINGLE: one
                                       -- episode with nothing to link by
    n_episodes  INTEGER NOT NULL,
    n_districts INTEGER NOT NULL
);

-- Which person each episode belongs to, and by which step.
CREATE TABLE episode_person (
    file_id    INTEGER NOT NULL,
    line       INTEGER NOT NULL,
    person_key INTEGER NOT NULL REFERENCES person(person_key),
    step       TEXT NOT NULL CHECK (step IN ('deterministic', 'probabilistic', 'unlinked')),
    PRIMARY KEY (file_id, line),
    FOREIGN KEY (file_id, line) REFERENCES episode(file_id, line) ON DELETE CASCADE
) WITHOUT ROWID;

-- Every link the probabilistic step made: the two episodes, the total match
-- weight and each comparison's contribution in words (levels, never values).
CREATE TABLE person_link (
    person_key INTEGER NOT NULL REFERENCES person(person_key),
    a_file_id  INTEGER NOT NULL,
    a_line     INTEGER NOT NULL,
    b_file_id  INTEGER NOT NULL,
    b_line     INTEGER NOT NULL,
    weight     REAL NOT NULL,              -- log2 Bayes factor incl. the prior
    waterfall  TEXT NOT NULL
);

-- @upgrade 4
-- From version 3: linkage_source is new (below), empty until dedup runs.
-- The stage_run row recorded here under stage 'dedup' (exit_code NULL) makes
-- the driver run dedup, indicators and report again even when nothing else
-- changed, as for version 3.
INSERT INTO stage_run (stage, version, started_at, finished_at, summary)
    VALUES ('dedup', 'schema 4', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
            strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
            'schema upgraded to version 4: linkage_source is new, dedup must run again');

-- @since 4
-- Per source (input_file.source) of the files dedup read, for the report's
-- data-quality table, so that the report need not read the episodes: the
-- episodes, those with id_type NONE, the persons with an episode from the
-- source, and of those the persons with episodes in two or more districts.
-- Written whole by every dedup run, with the persons.
CREATE TABLE linkage_source (
    source         TEXT PRIMARY KEY,
    episodes       INTEGER NOT NULL,
    episodes_no_id INTEGER NOT NULL,
    persons        INTEGER NOT NULL,
    persons_across INTEGER NOT NULL
) WITHOUT ROWID;

-- @since 5
-- What dedup keeps between runs (docs/linkage.md, "Nights"), so that a
-- night scores only the pairs with a new episode.  Rewritten by dedup only.
-- The parameters of the last estimate, reused (frozen) until refresh_days
-- have passed, linkage.ini or the key changed, or dedup --estimate; and the
-- episodes the last run read, with a keyed fingerprint of them in
-- (file_id, line) order.  One row.
CREATE TABLE linkage_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    settings_sha  TEXT NOT NULL,           -- sha256 of linkage.ini at the estimate
    key_check     INTEGER NOT NULL,        -- keyed hash of a constant: which key
    estimated_at  TEXT NOT NULL,           -- UTC, ISO 8601
    prior         REAL NOT NULL,
    named         INTEGER NOT NULL,        -- first and last names counted (linkage_name)
    label_pairs   INTEGER NOT NULL,
    m_by_em       INTEGER NOT NULL,
    match_share   REAL,                    -- EM's, if m_by_em
    episodes      INTEGER NOT NULL,        -- episodes the last run read
    fingerprint   INTEGER NOT NULL,        -- keyed hash over them
    pairs         INTEGER NOT NULL         -- rows of linkage_pair
);

-- m and u of each comparison level as estimated (level 0: missing, then
-- the levels from the lowest agreement up).
CREATE TABLE linkage_weight (
    comparison TEXT NOT NULL,
    level      INTEGER NOT NULL,
    m          REAL NOT NULL,
    u          REAL NOT NULL,
    PRIMARY KEY (comparison, level)
) WITHOUT ROWID;

-- Name frequencies for the term-frequency adjustment, by a keyed hash of
-- the name key (never the name: a plain hash could be reversed by hashing
-- a list of names).
CREATE TABLE linkage_name (
    name_hash INTEGER PRIMARY KEY,
    n         INTEGER NOT NULL
);

-- The candidate pairs counted by comparison pattern (kind 'pattern', id:
-- the levels as in linkage_pair.pattern) and by the first blocking rule that
-- blocks them (kind 'rule', id: the rule's number from 0); only counts above 0.
CREATE TABLE linkage_count (
    kind TEXT NOT NULL,
    id   INTEGER NOT NULL,
    n    INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;

-- The pairs of episodes at or above the threshold, as scored (a before b in
-- (file_id, line) order).  Clustering reads them all again every run.
CREATE TABLE linkage_pair (
    a_file_id INTEGER NOT NULL,
    a_line    INTEGER NOT NULL,
    b_file_id INTEGER NOT NULL,
    b_line    INTEGER NOT NULL,
    weight    REAL NOT NULL,               -- log2 Bayes factor incl. the prior
    pattern   INTEGER NOT NULL,            -- levels, one base-5 digit each (0: missing)
    PRIMARY KEY (a_file_id, a_line, b_file_id, b_line)
) WITHOUT ROWID;

-- @upgrade 6
-- From version 5: input_file.ingest_sha256 is new, so that an edit of a
-- mapping file outside [source], [dialect] and [columns] re-maps its files
-- without ingesting them again.  Rows from before keep NULL there and count
-- as unchanged while their mapping file is; no stage must run again.
ALTER TABLE input_file ADD COLUMN ingest_sha256 TEXT;

-- @since 7
-- The sealed columns' values of the raw rows (lib/sealed.h): for each kept
-- record of a file whose source seals any column, its sealed values (in
-- column order, U+001F-separated), sealed a chunk of up to 256 consecutive
-- records at a time.  blob: nonce || XChaCha20-Poly1305 ciphertext || tag.
-- Format 2: the plaintext frames each record as its line, the length of its
-- values (LEB128 varints) and the values, the first at first_line; the
-- associated data is (file_id, first_line), so a chunk moved elsewhere does
-- not open.  Format 1: one record's values, at first_line, as version 6
-- sealed them row by row in raw_row.sealed (no associated data).
CREATE TABLE raw_sealed (
    file_id    INTEGER NOT NULL REFERENCES input_file(file_id) ON DELETE CASCADE,
    first_line INTEGER NOT NULL,
    format     INTEGER NOT NULL CHECK (format IN (1, 2)),
    blob       BLOB NOT NULL,
    PRIMARY KEY (file_id, first_line)
) WITHOUT ROWID;
-- The chunks of format 1, which the next ingest seals again as format 2:
-- empty but for a database upgraded from version 6, so that looking for
-- them costs nothing on every run.
CREATE INDEX raw_sealed_format1 ON raw_sealed (file_id) WHERE format = 1;

-- @upgrade 7
-- From version 6: the sealed values move from raw_row.sealed, one blob a
-- row, to raw_sealed, where ingest now seals a chunk of rows at a time (one
-- message to open per chunk instead of per row, and 40 bytes less a row).  The blobs
-- are moved as they are (format 1); nothing must run again.  Dropping the
-- column rewrites raw_row once.
INSERT INTO raw_sealed (file_id, first_line, format, blob)
    SELECT file_id, line, 1, sealed FROM raw_row WHERE sealed IS NOT NULL;
ALTER TABLE raw_row DROP COLUMN sealed;

-- @since 8
-- What a night of the indicators stage needs to count only what changed
-- (docs/indicators.md, "Nights").
--
-- person_change: the episodes whose person dedup changed (or whose
-- episode_person row it deleted), and from version 12 those map changed in
-- place (see episode_before), since the indicators stage last read this
-- table, each with the person it belonged to before the first such change.
-- dedup and map write it, indicators empties it in the transaction that
-- writes its tables.  person_epoch counts the dedup runs that wrote the person
-- tables without logging here (a first run, or tables it had to rebuild):
-- person_change holds every change since the last of them.
CREATE TABLE person_change (
    file_id INTEGER NOT NULL,
    line    INTEGER NOT NULL,
    old_key INTEGER NOT NULL,              -- person_key before the first change logged
    PRIMARY KEY (file_id, line)
) WITHOUT ROWID;

CREATE TABLE person_epoch (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    epoch INTEGER NOT NULL
);

-- indicator_state: what the last indicators run counted, kept in the file
-- beside the database named by state_file (the persons' episodes as the
-- indicators read them, and every figure's sums); a night whose checks pass
-- takes the sums out for the persons that changed and adds them back as
-- they are now.  One row.
CREATE TABLE indicator_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    state_file  TEXT NOT NULL,             -- file name, in the database's directory
    generation  INTEGER NOT NULL,          -- random; the file's header holds it too
    fingerprint TEXT NOT NULL,             -- sha256 of the state format, catalogue, population
    epoch       INTEGER NOT NULL,          -- person_epoch.epoch when counted
    files       TEXT NOT NULL,             -- sha256 over the files counted (file_id,
                                           -- content, ingest_sha256, ingested_at;
                                           -- until version 12 mapping, mapped_at)
    n_files     INTEGER NOT NULL,
    max_file_id INTEGER NOT NULL,          -- files above it are new to the state
    as_of       TEXT NOT NULL,             -- latest date in the data counted
    written_at  TEXT NOT NULL
);

-- @since 9
-- person and episode_person are dedup's.  A night of dedup writes only the
-- persons its new episodes reach and takes the others as its last run left
-- them (docs/linkage.md, "Nights"), so a write by any other program (a row
-- edited by hand, or deleted by the cascade of map's connection) must be
-- known: these triggers put the one row of person_outside_write, and the
-- next dedup run writes every person again.  dedup drops them while it
-- writes and makes them again, from sqlite_master, in its transaction.
CREATE TABLE person_outside_write (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);
CREATE TRIGGER person_outside_insert AFTER INSERT ON person
BEGIN INSERT OR IGNORE INTO person_outside_write (id) VALUES (1); END;
CREATE TRIGGER person_outside_update AFTER UPDATE ON person
BEGIN INSERT OR IGNORE INTO person_outside_write (id) VALUES (1); END;
CREATE TRIGGER person_outside_delete AFTER DELETE ON person
BEGIN INSERT OR IGNORE INTO person_outside_write (id) VALUES (1); END;
CREATE TRIGGER episode_person_outside_insert AFTER INSERT ON episode_person
BEGIN INSERT OR IGNORE INTO person_outside_write (id) VALUES (1); END;
CREATE TRIGGER episode_person_outside_update AFTER UPDATE ON episode_person
BEGIN INSERT OR IGNORE INTO person_outside_write (id) VALUES (1); END;
CREATE TRIGGER episode_person_outside_delete AFTER DELETE ON episode_person
BEGIN INSERT OR IGNORE INTO person_outside_write (id) VALUES (1); END;

-- @since 10
-- What dedup's load keeps for the next run (docs/linkage.md, "Nights"):
-- every episode it read as a packed comparison record with its blocking
-- keys (<database>.dedup-records, appended to by each run that loads only
-- the new files), and its pools, open records, sort by person and pairs
-- (<database>.dedup-state, the names and postcodes sealed).  This row
-- names the state file's generation and what it holds: the records of the
-- files up to max_file_id, and a sha256 over those files (input_file and
-- mapped_file), so that a file ingested, mapped again or removed makes the
-- next run read every episode.  Rewritten by dedup only.
CREATE TABLE linkage_kept (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    generation   INTEGER NOT NULL,         -- random; the state file's header holds it too
    records      INTEGER NOT NULL,         -- episodes kept
    max_file_id  INTEGER NOT NULL,         -- files above it are new to the kept load
    files        TEXT NOT NULL,            -- sha256 over the files up to max_file_id
    written_at   TEXT NOT NULL
);
-- episode is map's.  A delete of an episode, or an update that changes a
-- value dedup reads (its key, district, person_ref, id_type, birth_date,
-- birth_year or sex), by anything (map, when a mapping edit changes such a
-- value or rejects a row it kept; a hand edit) puts the one row of
-- episode_outside_write, and the next dedup run reads every episode again
-- instead of its kept load.  (No trigger on insert: one would cost map 1.4
-- s at 10M rows; an insert into a file already loaded changes its
-- mapped_file.rows_kept, which the files' sha256 covers, unless a delete
-- came with it or it was made by hand.)  Version 12 added the WHEN.
CREATE TABLE episode_outside_write (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);
CREATE TRIGGER episode_outside_update AFTER UPDATE ON episode
WHEN OLD.file_id IS NOT NEW.file_id OR OLD.line IS NOT NEW.line
  OR OLD.district IS NOT NEW.district OR OLD.person_ref IS NOT NEW.person_ref
  OR OLD.id_type IS NOT NEW.id_type OR OLD.birth_date IS NOT NEW.birth_date
  OR OLD.birth_year IS NOT NEW.birth_year OR OLD.sex IS NOT NEW.sex
BEGIN INSERT OR IGNORE INTO episode_outside_write (id) VALUES (1); END;
CREATE TRIGGER episode_outside_delete AFTER DELETE ON episode
BEGIN INSERT OR IGNORE INTO episode_outside_write (id) VALUES (1); END;

-- @upgrade 11
-- From version 10: person.person_id loses its UNIQUE index.  A night of
-- dedup adds persons with random ids (keyed hashes), and their index was
-- rewritten nearly whole every night (176 MB at 4M persons, more than half
-- the night's writes); dedup now finds a person's old row through one of
-- its episodes (dedup/store.h) and keeps person_id unique itself.  Look a
-- person up by person_key, or by person_id with a scan (dedup --explain
-- does).  The rows are copied as they are, keys and all, and the triggers
-- on person made again; nothing must run again.  (Upgrades run with
-- foreign keys off, so that dropping person does not scan its children.)
CREATE TABLE person_v11 (
    person_key  INTEGER PRIMARY KEY,
    person_id   TEXT NOT NULL,
    basis       TEXT NOT NULL CHECK (basis IN ('PNR', 'RESERV', 'LINKED', 'SINGLE')),
    n_episodes  INTEGER NOT NULL,
    n_districts INTEGER NOT NULL
);
INSERT INTO person_v11 (person_key, person_id, basis, n_episodes, n_districts)
    SELECT person_key, person_id, basis, n_episodes, n_districts FROM person;
DROP TABLE person;
ALTER TABLE person_v11 RENAME TO person;
CREATE TRIGGER person_outside_insert AFTER INSERT ON person
BEGIN INSERT OR IGNORE INTO person_outside_write (id) VALUES (1); END;
CREATE TRIGGER person_outside_update AFTER UPDATE ON person
BEGIN INSERT OR IGNORE INTO person_outside_write (id) VALUES (1); END;
CREATE TRIGGER person_outside_delete AFTER DELETE ON person
BEGIN INSERT OR IGNORE INTO person_outside_write (id) VALUES (1); END;

-- @since 12
-- A mapping edit re-maps its source's files in place: map compares each
-- row's new episode with the one stored and writes only the episodes that
-- differ (updated), appear (inserted) or go (deleted), so that an edit
-- that changes nothing dedup reads leaves the persons as they are
-- (docs/mapping.md, "Mapping again").  For each episode it updates or
-- deletes that has a person, map logs in person_change the person
-- (old_key) and here the episode as it was before its first change since
-- the indicators stage last read person_change: what that stage counted,
-- which it takes out of its sums before it adds the episode as it is now.
-- An episode it inserts into such a file is logged in person_change with
-- old_key 0 (no person before).  The indicators stage empties this table
-- with person_change.
CREATE TABLE episode_before (
    file_id        INTEGER NOT NULL,
    line           INTEGER NOT NULL,
    district       TEXT NOT NULL,
    person_ref     TEXT,
    id_type        TEXT NOT NULL,
    id_flaw        TEXT,
    birth_date     TEXT,
    birth_year     INTEGER,
    sex            TEXT NOT NULL,
    intervention   TEXT NOT NULL,
    provider       TEXT,
    substance      TEXT NOT NULL,
    start_date     TEXT NOT NULL,
    end_date       TEXT,
    cost_sek       REAL,
    children       TEXT NOT NULL,
    PRIMARY KEY (file_id, line)
) WITHOUT ROWID;

-- @upgrade 12
-- From version 11: the trigger on updates of episode fires only when a
-- value dedup reads changes (see "-- @since 10"), so that map's updates of
-- other values keep dedup's kept load.  Nothing must run again.
DROP TRIGGER episode_outside_update;
CREATE TRIGGER episode_outside_update AFTER UPDATE ON episode
WHEN OLD.file_id IS NOT NEW.file_id OR OLD.line IS NOT NEW.line
  OR OLD.district IS NOT NEW.district OR OLD.person_ref IS NOT NEW.person_ref
  OR OLD.id_type IS NOT NEW.id_type OR OLD.birth_date IS NOT NEW.birth_date
  OR OLD.birth_year IS NOT NEW.birth_year OR OLD.sex IS NOT NEW.sex
BEGIN INSERT OR IGNORE INTO episode_outside_write (id) VALUES (1); END;

-- @since 13
-- Every kept record, decoded to UTF-8, a chunk of up to 256 consecutive
-- records of one file a row (lib/rawrows.h): one b-tree insert for a chunk
-- instead of one a record, at ingest, and one step at map.  rows is a JSON
-- array with an array per record in line order: its line, then its values
-- in column order as strings; a sealed column's values are empty here,
-- they are in raw_sealed.  The view raw_row below shows the records one a
-- row.  A rowid table with its key in an index: in a WITHOUT ROWID table
-- the key is the whole record, and SQLite read a chunk's overflow pages
-- back for every comparison of an insert (at 1M rows, 105,515 reads of
-- 1,545 pages; 642 reads this way).
CREATE TABLE raw_chunk (
    file_id    INTEGER NOT NULL REFERENCES input_file(file_id) ON DELETE CASCADE,
    first_line INTEGER NOT NULL,           -- the line of its first record
    n_rows     INTEGER NOT NULL,           -- records in rows
    rows       TEXT NOT NULL,              -- [[line, "value", ...], ...]
    PRIMARY KEY (file_id, first_line)
);

-- @upgrade 13
-- From version 12: raw_row was a table, a row a record.  Each record moves
-- as it is, a chunk of its own (the JSON escapes of ingest: the values hold
-- no control character but TAB, LF and CR); the next ingest of a changed
-- file writes chunks of many.  Nothing must run again.
INSERT INTO raw_chunk (file_id, first_line, n_rows, rows)
    SELECT file_id, line, 1, '[[' || line || ',"' ||
           replace(replace(replace(replace(replace(replace(fields,
               '\', '\\'), '"', '\"'), char(9), '\t'), char(10), '\n'), char(13), '\r'),
               char(31), '","') || '"]]'
    FROM raw_row;
DROP TABLE raw_row;

-- @since 13
-- Every kept record, one a row: line, the line where the record starts
-- (1-based), and fields, its values in column order separated by U+001F
-- (unit separator).  A view for reading by hand and in tests: it takes each
-- chunk's JSON apart (map reads raw_chunk itself).
CREATE VIEW raw_row (file_id, line, fields) AS
    SELECT c.file_id, r.value ->> 0,
           (SELECT group_concat(v.value, char(31)) FROM json_each(r.value) v WHERE v.key > 0)
    FROM raw_chunk c, json_each(c.rows) r;

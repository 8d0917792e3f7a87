#!/usr/bin/env python3
# tests/stages/privacy-scan.py - search every byte of every file under some
# directories for the sensitive values gen_sample wrote (gen_sample -S).
#
#   privacy-scan.py SENSFILE PATH...
#
# SENSFILE: one value a line (UTF-8): identity numbers as written, first and
# last names, postcodes.  PATH: files or directories (walked).  A zip file
# (report.xlsx) is unpacked and each member scanned; file names are scanned
# too.  Exit 0: no hit; 1: hits, one line each on stdout; 2: usage or an
# unusable list.  Hits name the list line, never the value itself (the
# values are personal data in kind, if synthetic), with the context around
# the match masked.
#
# Forms searched, case-insensitively (the haystack is lower-cased, so as
# written, lower and upper case are all covered):
# - identity numbers: any YYMMDD[-+]?NNNC with or without a century in
#   front whose 10 digits are those of a listed number (so as written,
#   digits only, 10 and 12 digits, with and without '-' or '+'); other
#   listed identifiers (reserve numbers such as LR-439886) as written and
#   as their digits only;
# - names of 4 or more characters: as written, ASCII-folded (å -> a) and
#   decomposed (NFD); shorter names are skipped (they match by accident);
# - postcodes: with and without the space.
# In the database (SQLite files and their -wal/-shm/-journal: binary pages)
# any occurrence is a hit; in every other file (text) a match must stand
# between word boundaries (no letter, digit, underscore or 8-bit byte either side), and
# HTML/XML text is also searched after unescaping entities.
import html
import io
import os
import re
import sqlite3
import sys
import unicodedata
import zipfile

WORD = re.compile(rb'[0-9A-Za-z_\x80-\xff]')
ID10 = re.compile(rb'(?=([0-9]{6})([-+]?)([0-9]{4}))')
ID_TEXT = re.compile(rb'(?<![0-9A-Za-z\x80-\xff])(?:[0-9]{2})?([0-9]{6})[-+]?([0-9]{4})'
                     rb'(?![0-9A-Za-z\x80-\xff])')
PNR = re.compile(r'^(?:[0-9]{2})?([0-9]{6})[-+]?([0-9]{4})$')
POSTCODE = re.compile(r'^([0-9]{3}) ?([0-9]{2})$')

# Words of the outputs that are also listed names, each allowed only in its
# exact context (a match elsewhere is a hit).  Each was looked at:
ALLOW = [
    # the Office theme libxlsxwriter writes: ISO 15924 script code "Hans"
    (r'\.xlsx!xl/theme/theme1\.xml$', b'<a:font script="hans" typeface='),
    # the report's note on rounding: "... innehåller det sanna värdet" (true)
    (r'report-sv\.html( \(entities unescaped\))?$',
     'innehåller det sanna värdet'.encode()),
]


def fold(s):
    return ''.join(c for c in unicodedata.normalize('NFKD', s)
                   if not unicodedata.combining(c))


def load(path):
    """d10 -> list line; needle bytes -> (list line, kind, form)."""
    d10, needles = {}, {}
    with open(path, encoding='utf-8') as fp:
        lines = fp.read().split('\n')
    for n, v in enumerate(lines, 1):
        if v == '':
            continue
        m = PNR.match(v)
        if m:
            d10.setdefault((m.group(1) + m.group(2)).encode(), n)
            continue
        m = POSTCODE.match(v)
        if m:
            for form in (m.group(1) + ' ' + m.group(2), m.group(1) + m.group(2)):
                needles.setdefault(form.encode(), (n, 'postcode', form == v and 'as written'
                                                   or 'other spacing'))
            continue
        if any(c.isdigit() for c in v):     # another identifier (reserve number)
            needles.setdefault(v.lower().encode(), (n, 'identifier', 'as written'))
            digits = ''.join(c for c in v if c.isdigit())
            if len(digits) >= 5:
                needles.setdefault(digits.encode(), (n, 'identifier', 'digits only'))
            continue
        if len(v) < 4:
            continue
        low = v.lower()
        for form, text in (('as written/any case', low), ('ascii-folded', fold(low)),
                           ('nfd', unicodedata.normalize('NFD', low))):
            needles.setdefault(text.encode(), (n, 'name', form))
    return d10, needles


def lower_bytes(data):
    return data.decode('utf-8', 'surrogateescape').lower().encode('utf-8', 'surrogateescape')


def context(data, start, end):
    a = data[max(0, start - 30):start].decode('utf-8', 'replace')
    b = data[end:end + 30].decode('utf-8', 'replace')
    return repr(a + '***' + b)


def bounded(data, start, end, numeric):
    """No letter, digit, underscore or 8-bit byte either side; for a number also no
    decimal part or separator and digit (41301.00 is an amount)."""
    if start > 0 and WORD.match(data, start - 1):
        return False
    if end < len(data) and WORD.match(data, end):
        return False
    if numeric:
        if start >= 2 and data[start - 1:start] in (b'.', b',') and data[start - 2:start - 1].isdigit():
            return False
        if data[end:end + 1] in (b'.', b',') and data[end + 1:end + 2].isdigit():
            return False
    return True


def allowed(name, hay, start, needle):
    for path_re, lit in ALLOW:
        if not re.search(path_re, name):
            continue
        k = lit.find(needle)
        if k >= 0 and hay[start - k:start - k + len(lit)] == lit:
            return True
    return False


class Scan:
    def __init__(self, d10, needles):
        self.d10, self.needles = d10, needles
        self.hits, self.notes, self.n_files, self.n_cells = [], [], 0, 0
        self.sealed = {}                # database path -> its blobs

    def in_sealed(self, db, raw, start, end):
        """Whether raw[start-1:end+1] lies inside a blob (ciphertext) of db."""
        piece = raw[max(0, start - 1):end + 1]
        return any(piece in b for b in self.blobs(db))

    def blobs(self, db):
        if db not in self.sealed:
            self.sealed[db] = []
            try:
                con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
                for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
                    for row in con.execute('SELECT * FROM "%s"' % t.replace('"', '""')):
                        self.sealed[db].extend(v for v in row if isinstance(v, bytes))
                con.close()
            except sqlite3.Error as e:
                self.notes.append('%s: cannot read as a database: %s' % (db, e))
        return self.sealed[db]

    def scan(self, name, data, db=None):
        """Search data; db: the database path when data is a page file of it
        (identity numbers then count anywhere, not only between boundaries)."""
        views = [('', lower_bytes(data))]
        if db is None and b'&' in data:
            views.append((' (entities unescaped)', lower_bytes(
                html.unescape(data.decode('utf-8', 'surrogateescape')).encode(
                    'utf-8', 'surrogateescape'))))
        for label, hay in views:
            where = name + label
            if db is not None:
                for m in ID10.finditer(hay):
                    key = m.group(1) + m.group(3)
                    if key in self.d10:
                        s = m.start()
                        self.hit(where, s, 'identity number (list line %d)' % self.d10[key],
                                 context(hay, s, s + 10 + len(m.group(2))))
            else:
                for m in ID_TEXT.finditer(hay):
                    key = m.group(1) + m.group(2)
                    if key in self.d10:
                        self.hit(where, m.start(), 'identity number (list line %d)'
                                 % self.d10[key], context(hay, m.start(), m.end()))
            for needle, (n, kind, form) in self.needles.items():
                numeric = needle[:1].isdigit()
                i = hay.find(needle)
                while i >= 0:
                    end = i + len(needle)
                    what = '%s (list line %d, %s)' % (kind, n, form)
                    if not bounded(hay, i, end, numeric):
                        pass
                    elif allowed(where, hay, i, needle):
                        self.notes.append('%s: offset %d: %s: allowed context' % (where, i, what))
                    elif db is not None and hay is views[0][1] and len(hay) == len(data) \
                            and self.in_sealed(db, data, i, end):
                        self.notes.append('%s: offset %d: %s: inside a sealed ciphertext, '
                                          'by chance' % (where, i, what))
                    else:
                        self.hit(where, i, what, context(hay, i, end))
                    i = hay.find(needle, i + 1)

    def hit(self, where, offset, what, ctx):
        self.hits.append('%s: offset %d: %s: %s' % (where, offset, what, ctx))

    def cells(self, db):
        """Every text and number cell of every table, each on its own (the
        pages put a record's values side by side, with no boundary)."""
        try:
            con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
            tables = [t for (t,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            for t in tables:
                cur = con.execute('SELECT * FROM "%s"' % t.replace('"', '""'))
                cols = [c[0] for c in cur.description]
                for r, row in enumerate(cur, 1):
                    for c, v in zip(cols, row):
                        if v is None or isinstance(v, bytes):
                            continue        # blobs: in the page scan
                        self.n_cells += 1
                        self.scan('%s: table %s row %d column %s' % (db, t, r, c),
                                  str(v).encode('utf-8', 'surrogatepass'))
            con.close()
        except sqlite3.Error as e:
            self.hit(db, 0, 'cannot read as a database', str(e))

    def file(self, path):
        with open(path, 'rb') as fp:
            data = fp.read()
        self.scan(path + ' (file name)', os.path.basename(path).encode())
        self.n_files += 1
        if data.startswith(b'PK\x03\x04'):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for info in z.infolist():
                    self.scan('%s!%s (member name)' % (path, info.filename),
                              info.filename.encode())
                    self.scan('%s!%s' % (path, info.filename), z.read(info))
                    self.n_files += 1
            return
        db = database_of(path, data)
        self.scan(path, data, db)
        if db == path:
            self.cells(db)


def database_of(path, data):
    """The database a page file belongs to (itself or the file its -wal,
    -shm or -journal name extends), None for other files."""
    m = re.match(r'^(.*?)(-wal|-shm|-journal)$', path)
    if m:
        return m.group(1)
    if data.startswith(b'SQLite format 3\0') or path.endswith('.db'):
        return path
    return None


def main(argv):
    if len(argv) < 3:
        sys.stderr.write('usage: privacy-scan.py SENSFILE PATH...\n')
        return 2
    d10, needles = load(argv[1])
    if not d10 or not needles:
        sys.stderr.write('privacy-scan: no identity numbers or no names in %s\n' % argv[1])
        return 2
    sc = Scan(d10, needles)
    for top in argv[2:]:
        if os.path.isfile(top):
            sc.file(top)
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for d in dirnames:
                sc.scan(os.path.join(dirpath, d) + ' (directory name)', d.encode())
            for f in sorted(filenames):
                sc.file(os.path.join(dirpath, f))
    for h in sc.hits:
        print(h)
    for n in sc.notes:
        sys.stderr.write('privacy-scan: note: %s\n' % n)
    sys.stderr.write('privacy-scan: %d identity numbers, %d other needles, %d files '
                     '(zip members counted), %d database cells, %d hits\n'
                     % (len(d10), len(needles), sc.n_files, sc.n_cells, len(sc.hits)))
    return 1 if sc.hits else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

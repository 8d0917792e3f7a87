#!/usr/bin/env python3
"""tools/browser-check.py DOM.html [SUPPRESSED.tsv] [--charts KIND,...]

Checks the DOM of the HTML report as a browser built it (chromium
--headless --dump-dom), with the standard library only:

  - nothing from elsewhere: no script, link, img, iframe, object, embed
    element, no "http" anywhere, no event-handler attribute;
  - every chart (<svg data-chart=KIND>) is an image with a name: role="img",
    a non-empty aria-label and a non-empty <title> child, and holds at least
    one data mark of its kind (class "mark" plus bar, point, line or bar for
    bars, funnel, trend, stack); with --charts, each listed kind is there;
  - every <table> has a non-empty <caption>, every <th> a scope, and every
    published table (data-table) appears once;
  - disclosure: SUPPRESSED.tsv has lines TABLE<TAB>ROW<TAB>COLUMN<TAB>NUMERATOR
    (the figures the database marks for suppression); for each, the cell of
    that table, row and column must exist and read exactly "..", must not
    contain the numerator, and no chart mark of that table may carry the
    cell's row and column.

Prints one line per failure and a summary line; exits 0 when all checks
pass, 1 otherwise, 64 on misuse.
"""
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
MARK_KIND = {"bars": "bar", "funnel": "point", "trend": "line", "stack": "bar"}
BANNED = {"script", "link", "img", "iframe", "object", "embed", "frame", "audio", "video"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []
        self.parts = []               # text and child nodes, in order

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def all_text(self):
        return "".join(p if isinstance(p, str) else p.all_text() for p in self.parts)


class Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        self.cur.parts.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        self.cur.parts.append(node)

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.parts.append(data)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    charts_wanted = []
    for i, a in enumerate(argv):
        if a == "--charts" and i + 1 < len(argv):
            charts_wanted = [k for k in argv[i + 1].split(",") if k]
            args = [x for x in args if x != argv[i + 1]]
    if not 1 <= len(args) <= 2:
        sys.stderr.write(__doc__.split("\n")[0] + "\n")
        return 64
    src = open(args[0], encoding="utf-8").read()
    b = Builder()
    b.feed(src)
    b.close()
    nodes = list(b.root.iter())
    fails = []

    # ---- nothing from elsewhere
    if "http" in src.lower():
        i = src.lower().index("http")
        fails.append("'http' in the document: ...%s..." % src[max(0, i - 40):i + 40])
    for n in nodes:
        if n.tag in BANNED:
            fails.append("element <%s> in the document" % n.tag)
        for k in n.attrs:
            if k.startswith("on"):
                fails.append("event handler %s= on <%s>" % (k, n.tag))
    html = [n for n in nodes if n.tag == "html"]
    if not html or html[0].attrs.get("lang") not in ("sv", "en"):
        fails.append("<html> has no lang sv or en")
    if not any(n.tag == "meta" and n.attrs.get("name") == "viewport" for n in nodes):
        fails.append("no viewport meta element")

    # ---- charts
    svgs = [n for n in nodes if n.tag == "svg"]
    kinds_seen = set()
    for s in svgs:
        kind = s.attrs.get("data-chart")
        name = "chart %s of %s" % (kind, s.attrs.get("data-table"))
        if kind not in MARK_KIND:
            fails.append("<svg> without a known data-chart: %r" % kind)
            continue
        if s.attrs.get("role") != "img":
            fails.append(name + ": role is not img")
        if not (s.attrs.get("aria-label") or "").strip():
            fails.append(name + ": no aria-label")
        titles = [c for c in s.children if c.tag == "title"]
        if not titles or not titles[0].all_text().strip():
            fails.append(name + ": no <title>")
        marks = [n for n in s.iter() if "mark" in n.classes() and MARK_KIND[kind] in n.classes()]
        if not marks:
            fails.append(name + ": no mark of its kind (class 'mark %s')" % MARK_KIND[kind])
        else:
            kinds_seen.add(kind)
    for k in charts_wanted:
        if k not in kinds_seen:
            fails.append("no %s chart with marks" % k)

    # ---- tables
    tables = [n for n in nodes if n.tag == "table"]
    by_id = {}
    for t in tables:
        caps = [c for c in t.children if c.tag == "caption"]
        tid = t.attrs.get("data-table") or t.attrs.get("id") or "?"
        if not caps or not caps[0].all_text().strip():
            fails.append("table %s has no caption" % tid)
        for th in t.iter():
            if th.tag == "th" and th.attrs.get("scope") not in ("col", "row", "colgroup",
                                                                 "rowgroup"):
                fails.append("table %s: <th> %r without a scope" % (tid, th.all_text()))
        if "data-table" in t.attrs:
            if tid in by_id:
                fails.append("table %s appears twice" % tid)
            by_id[tid] = t

    # ---- disclosure
    n_cells = 0
    if len(args) == 2:
        for lineno, line in enumerate(open(args[1], encoding="utf-8"), 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 4:
                fails.append("%s:%d: not TABLE ROW COLUMN NUMERATOR" % (args[1], lineno))
                continue
            tid, row, col, num = parts
            what = "%s row %s column %s (numerator %s)" % (tid, row, col, num)
            t = by_id.get(tid)
            if t is None:
                fails.append("%s: no such table in the report" % what)
                continue
            trs = [n for n in t.iter() if n.tag == "tr" and n.attrs.get("data-row") == row]
            if len(trs) != 1:
                fails.append("%s: %d rows with that key" % (what, len(trs)))
                continue
            tds = [n for n in trs[0].children if n.tag == "td" and n.attrs.get("data-col") == col]
            if len(tds) != 1:
                fails.append("%s: %d cells with that column" % (what, len(tds)))
                continue
            text = tds[0].all_text().strip()
            n_cells += 1
            if text != "..":
                fails.append("%s: the cell reads %r, not '..'" % (what, text))
            if num and num in text:
                fails.append("%s: the cell shows the numerator: %r" % (what, text))
            for s in svgs:
                if s.attrs.get("data-table") != tid:
                    continue
                for m in s.iter():
                    if ("mark" in m.classes() and m.attrs.get("data-row") == row
                            and m.attrs.get("data-col") == col):
                        fails.append("%s: drawn in the %s chart as <%s class=%r>"
                                     % (what, s.attrs.get("data-chart"), m.tag,
                                        m.attrs.get("class")))

    for f in fails:
        print("FAIL: " + f)
    print("browser-check: %d charts (%s), %d tables, %d suppressed cells checked, %d failures"
          % (len(svgs), ",".join(sorted(kinds_seen)), len(tables), n_cells, len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

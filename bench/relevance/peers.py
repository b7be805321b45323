#!/usr/bin/python3
"""The peers of the relevance benchmark: rank a judged collection with
SQLite FTS5 (porter tokenizer, bm25(), query words OR-ed) and with Xapian
(BM25Weight defaults, QueryParser default OR), and write TREC runs.

The set-ups are the ones the collection's README measured outside the
project, so the figures can be checked against it.

usage: peers.py fts5|xapian COLLECTION_DIR WORK_DIR > RUN   (DEPTH=100)
"""
import os
import re
import sqlite3
import sys

DEPTH = int(os.environ.get('DEPTH', '100'))  # documents per query


def documents(coll):
    """Yield (docid, title, body) from COLLECTION/docs/<docid>.txt."""
    folder = os.path.join(coll, 'docs')
    for name in sorted(os.listdir(folder)):
        if not name.endswith('.txt'):
            continue
        with open(os.path.join(folder, name), encoding='utf-8') as f:
            text = f.read()
        title, _, body = text.partition('\n')
        yield name[:-4], title.strip(), body.lstrip('\n')


def queries(coll):
    with open(os.path.join(coll, 'queries.tsv'), encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if '\t' in line:
                qid, text = line.split('\t', 1)
                yield qid, text


def write(qid, ranked, tag):
    """ranked: (docid, score) best first."""
    for i, (docid, score) in enumerate(ranked[:DEPTH]):
        sys.stdout.write('%s Q0 %s %d %.6f %s\n' % (qid, docid, i + 1, score, tag))


def run_fts5(coll, work):
    path = os.path.join(work, 'fts5.db')
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE d USING fts5(docid UNINDEXED, title, body, "
               "tokenize='porter unicode61 remove_diacritics 2')")
    with db:
        db.executemany('INSERT INTO d(docid, title, body) VALUES (?, ?, ?)',
                       documents(coll))
    for qid, text in queries(coll):
        words = re.findall(r'[A-Za-z0-9]+', text.lower())
        if not words:
            continue
        match = ' OR '.join('"%s"' % w for w in words)
        rows = db.execute('SELECT docid, bm25(d) FROM d WHERE d MATCH ? '
                          'ORDER BY bm25(d) LIMIT ?', (match, DEPTH)).fetchall()
        write(qid, [(docid, -score) for docid, score in rows], 'fts5-porter-bm25')
    db.close()


def run_xapian(coll, work):
    import xapian
    path = os.path.join(work, 'xapian.db')
    db = xapian.WritableDatabase(path, xapian.DB_CREATE_OR_OVERWRITE)
    stem = xapian.Stem('english')
    tg = xapian.TermGenerator()
    tg.set_stemmer(stem)
    for docid, title, body in documents(coll):
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(title)
        tg.increase_termpos()
        tg.index_text(body)
        doc.set_data(docid)
        db.add_document(doc)
    db.commit()
    qp = xapian.QueryParser()
    qp.set_stemmer(stem)
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_default_op(xapian.Query.OP_OR)
    qp.set_database(db)
    enquire = xapian.Enquire(db)
    enquire.set_weighting_scheme(xapian.BM25Weight())
    for qid, text in queries(coll):
        enquire.set_query(qp.parse_query(text.lower()))
        ranked = [(m.document.get_data().decode(), m.weight)
                  for m in enquire.get_mset(0, DEPTH)]
        write(qid, ranked, 'xapian-bm25')
    db.close()


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ('fts5', 'xapian'):
        sys.exit(__doc__.strip().splitlines()[-1])
    os.makedirs(sys.argv[3], exist_ok=True)
    (run_fts5 if sys.argv[1] == 'fts5' else run_xapian)(sys.argv[2], sys.argv[3])


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Score TREC runs with the collection's score.py and print the relevance
table of bench/relevance.sh: one row per system, for all queries and for
the two halves the ranking was tuned and checked on (odd qids: tuning,
even qids: held out).

usage: table.py SCORE_PY QRELS WORK_DIR NAME=RUN [NAME=RUN ...]
"""
import json
import os
import subprocess
import sys

MEASURES = ('map', 'ndcg@10', 'P@10', 'R@100')
HALVES = (('all', lambda q: True),
          ('odd (tuning)', lambda q: int(q) % 2 == 1),
          ('even (held out)', lambda q: int(q) % 2 == 0))


def split_qrels(qrels, work):
    """Write one qrels file per half; return [(label, path)]."""
    with open(qrels, encoding='utf-8') as f:
        lines = [l for l in f if l.split()]
    out = []
    for label, keep in HALVES:
        path = os.path.join(work, 'qrels.%s' % label.split()[0])
        with open(path, 'w', encoding='utf-8') as f:
            f.writelines(l for l in lines if keep(l.split()[0]))
        out.append((label, path))
    return out


def score(score_py, qrels, run):
    res = subprocess.run([sys.executable, score_py, '--json', qrels, run],
                         check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__.strip().splitlines()[-1])
    score_py, qrels, work = sys.argv[1:4]
    runs = [a.split('=', 1) for a in sys.argv[4:]]
    for label, path in split_qrels(qrels, work):
        nq = None
        print('%s queries' % label)
        print()
        print('| system | MAP | nDCG@10 | P@10 | R@100 |')
        print('| --- | --- | --- | --- | --- |')
        for name, run in runs:
            r = score(score_py, path, run)
            nq = r['num_q']
            print('| %s | %s |' % (name, ' | '.join('%.4f' % r[m] for m in MEASURES)))
        print()
        print('(%d queries)' % nq)
        print()


if __name__ == '__main__':
    main()

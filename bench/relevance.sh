#!/bin/sh
# Relevance benchmark (make bench-relevance): rank the judged Cranfield
# collection with fsearch and with two peers, SQLite FTS5 (porter, bm25(),
# words OR-ed) and Xapian (BM25), in the same run, and print MAP, nDCG@10,
# P@10 and R@100 for all queries and for the odd (tuning) and even (held
# out) halves. Not part of make test or CI.
#
# fsearch answers each query exactly as a user's `fsearch -l QUERY` would:
# the default query path (free words, stop words dropped, no OR typed) and
# files ranked from their passages. Every system returns its top DEPTH
# documents, the depth of the published baselines in the collection README.
#
# Environment: FSEARCH_EVAL (default ../shared/eval beside the repository),
# DEPTH (default 100), KEEP=1 keeps the work folder.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
# The shared folder sits beside the main checkout; a git worktree lives
# elsewhere, so its main checkout (the common git folder's parent) is tried
# too.
eval_dir=${FSEARCH_EVAL:-}
if [ -z "$eval_dir" ]; then
    common=$(cd "$top" && git rev-parse --git-common-dir 2>/dev/null) || common=
    for d in "$top/../shared/eval" \
             ${common:+"$(cd "$top" && cd "$common/.." && pwd)/../shared/eval"} \
             /work/shared/eval; do
        [ -d "$d" ] && { eval_dir=$d; break; }
    done
fi
eval_dir=${eval_dir:-$top/../shared/eval}
coll=$eval_dir/cranfield
depth=${DEPTH:-100}
bin=$top/build/fsearch
py=/usr/bin/python3          # Debian's python3-xapian is built for it

for f in "$coll/queries.tsv" "$coll/qrels.txt" "$eval_dir/score.py"; do
    [ -f "$f" ] || {
        echo "relevance: missing $f (set FSEARCH_EVAL)" >&2
        exit 2
    }
done

# Peers' dependencies: the sqlite3 module comes with python3; Xapian's
# bindings are a Debian package.
if ! "$py" -c 'import sqlite3, xapian' 2>/dev/null; then
    sudo=
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "relevance: installing python3-xapian" >&2
    $sudo apt-get install -y -q python3 python3-xapian >&2
fi
[ -x "$bin" ] || make -C "$top" -s all

work=$(mktemp -d "${TMPDIR:-/tmp}/fsearch-relevance.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT INT TERM

# fsearch: one index, then each query as a user would type it.
"$bin" index --corpus "$coll/docs" --index "$work/fsearch.db" -q >/dev/null
tab=$(printf '\t')
while IFS="$tab" read -r qid text; do
    [ -n "$qid" ] || continue
    "$bin" --corpus "$coll/docs" --index "$work/fsearch.db" -q -l \
        -n "$depth" --color=never -- "$text" >"$work/hits" || true
    # The rank restated as a score keeps fsearch's order under score.py.
    sed -e 's,.*/,,' -e 's,\.[^.]*$,,' "$work/hits" |
        awk -v q="$qid" -v d="$depth" \
            '{ printf "%s Q0 %s %d %d fsearch\n", q, $0, NR, d - NR + 1 }'
done <"$coll/queries.tsv" >"$work/run.fsearch"

DEPTH=$depth "$py" "$top/bench/relevance/peers.py" fts5 "$coll" "$work" \
    >"$work/run.fts5"
DEPTH=$depth "$py" "$top/bench/relevance/peers.py" xapian "$coll" "$work" \
    >"$work/run.xapian"

echo "Cranfield (1400 documents, 225 queries), top $depth per query;"
echo "fsearch $("$bin" --version | sed 's/^fsearch //'), SQLite" \
     "$("$py" -c 'import sqlite3; print(sqlite3.sqlite_version)')," \
     "Xapian $("$py" -c 'import xapian; print(xapian.version_string())')"
echo
"$py" "$top/bench/relevance/table.py" "$eval_dir/score.py" "$coll/qrels.txt" \
    "$work" \
    "fsearch -l (default query)=$work/run.fsearch" \
    "SQLite FTS5 porter bm25(), words OR-ed=$work/run.fts5" \
    "Xapian BM25 (k1 1, b 0.5), OR=$work/run.xapian"

#!/bin/sh
# Crash test: kill -9 `fsearch index` at many different moments while the
# corpus keeps changing, and check after every kill that the index opens,
# answers, and holds only whole documents; then let one run finish and check
# that the index equals a fresh rebuild of the same folder, row for row.
# A killed --rebuild must leave the previous index exactly as it was.
# Usage: sh tests/crash/kill_test.sh [BIN]   (SEED=n to replay a run)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${FSEARCH_BIN:-$top/build/fsearch}}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
bin_dir=$(dirname "$bin")
rounds=${ROUNDS:-24}
seed=${SEED:-$(date +%s)}
passed=0
failed=0

if ! command -v sqlite3 >/dev/null; then
    echo "crash: sqlite3 shell missing; cannot compare indexes" >&2
    echo "crash: 0 passed, 1 failed"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/fsearch-crash.XXXXXX")
# KEEP=1 keeps the work folder for a look after a failure.
[ -n "${KEEP:-}" ] && echo "crash: work folder $work" >&2 ||
    trap 'rm -rf "$work"' EXIT INT TERM
cd "$work" || exit 1
# Our own copy: a rebuild of the tree meanwhile must not swap the binary.
cp "$bin" ./fsearch || exit 1
bin=$work/fsearch

fail() {
    echo "FAIL [crash seed=$seed round=$round] $*" >&2
    failed=$((failed + 1))
}
ok() { passed=$((passed + 1)); }

# rand N: set $R to a pseudo-random number in [0, N) from a seeded sequence
# (not in a subshell, so that the sequence advances).
rng_state=$((seed % 2147483648))
rand() {
    rng_state=$(( (rng_state * 1103515245 + 12345) % 2147483648 ))
    R=$(( (rng_state / 65536) % $1 ))
}

# The corpus: real texts, a few hundred files in a few folders; a reserve of
# more texts feeds the additions and changes made between kills.
mkdir -p c/lic c/doc/a c/doc/b pool
cp /usr/share/common-licenses/* c/lic/ 2>/dev/null
cp -R "$top/corpus" c/corpus
n=0
for f in /usr/share/doc/*/copyright; do
    [ -f "$f" ] || continue
    name=$(basename "$(dirname "$f")").txt
    n=$((n + 1))
    case $((n % 4)) in
        0|1) cp "$f" "c/doc/a/$name" ;;
        2) cp "$f" "c/doc/b/$name" ;;
        3) cp "$f" "pool/$name" ;;
    esac
done
nfiles=$(find c -type f | wc -l)
if [ "$nfiles" -lt 100 ]; then
    echo "crash: too few texts to build a corpus ($nfiles)" >&2
    echo "crash: 0 passed, 1 failed"
    exit 1
fi

idx=idx/f.db
fsx() { "$bin" --corpus c --index "$idx" "$@"; }

# Rows that must agree between two indexes of the same folder.
dump() {
    sqlite3 "$1" "SELECT path, size, hash, npassages, title FROM doc ORDER BY path;
                  SELECT d.path, p.line, p.end_line, p.off, p.hash
                  FROM passage p JOIN doc d ON d.id = p.doc_id
                  ORDER BY d.path, p.off;"
}

# Every document whole: its passage range full, no passage without a doc.
check_whole() {
    r=$(sqlite3 "$idx" "PRAGMA integrity_check;
        SELECT count(*) FROM doc d WHERE npassages != (SELECT count(*)
          FROM passage p WHERE p.doc_id = d.id AND p.id BETWEEN
          d.first_passage AND d.first_passage + d.npassages - 1);
        SELECT count(*) FROM passage p WHERE NOT EXISTS
          (SELECT 1 FROM doc d WHERE d.id = p.doc_id);" 2>&1)
    [ "$(echo $r)" = "ok 0 0" ] ||
        fail "index not whole after kill: $(printf '%s' "$r" | tr '\n' ' ')"
}

# The full-text index itself, read through the SQLite extension (our
# tokenizer): every term with its passage and occurrence counts, and for a
# few queries the matching passages named by file and offset. Passage ids
# differ between an updated index and a fresh one; these do not.
ext=""
for e in "$bin_dir/fsearch_ext" "$top/build/fsearch_ext"; do
    if [ -f "$e.so" ] && sqlite3 :memory: ".load $e" "SELECT 1" >/dev/null 2>&1; then
        ext=$e
        break
    fi
done
fts_dump() {
    sqlite3 "$1" ".load $ext" \
        "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, row);" \
        "SELECT term, doc, cnt FROM temp.v ORDER BY term;"
    for q in license warranty quokkarevised '"free software"' gnu; do
        sqlite3 "$1" ".load $ext" \
            "SELECT d.path || ':' || p.off FROM fts
             JOIN passage p ON p.id = fts.rowid JOIN doc d ON d.id = p.doc_id
             WHERE fts MATCH '$q' ORDER BY 1;"
        sqlite3 "$1" ".load $ext" "SELECT count(*) FROM fts WHERE fts MATCH '$q';"
    done
}

# Change the corpus a little: add, change, touch, rename and remove files.
pool_next=1
mutate() {
    i=0
    for f in $(ls pool | sed -n "${pool_next},$((pool_next + 3))p"); do
        mv "pool/$f" "c/doc/a/new_$f"
    done
    pool_next=$((pool_next + 4))
    for i in $(seq 1 20); do
        rand 150; victim=$(ls c/doc/b | sed -n "$((R + 1))p")
        [ -n "$victim" ] &&
            printf '\nrevision%s quokkarevised\n' "$round" >> "c/doc/b/$victim"
    done
    for i in 1 2 3; do
        rand 150; victim=$(ls c/doc/a | sed -n "$((R + 1))p")
        [ -n "$victim" ] && touch "c/doc/a/$victim"
    done
    rand 150; victim=$(ls c/doc/b | sed -n "$((R + 1))p")
    if [ -n "$victim" ]; then
        mkdir -p c/moved
        mv "c/doc/b/$victim" "c/moved/r${round}_$victim"
    fi
    rand 150; victim=$(ls c/doc/a | sed -n "$((R + 1))p")
    [ -n "$victim" ] && rm -f "c/doc/a/$victim"
}

round=0
t_start=$(date +%s)
kills=0
for round in $(seq 1 "$rounds"); do
    [ "$round" -gt 1 ] && [ $((round % 3)) -ne 0 ] && mutate
    # Random delays: long ones while the first build is under way, short
    # ones once runs are small, so kills land in the walk, in a batch and
    # around commits.
    if [ "$round" -le 8 ]; then rand 1500; else rand 300; fi
    ms=$R
    "$bin" --corpus c --index "$idx" index -q >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2>/dev/null
    [ -f "$idx" ] || continue
    fsx status >/dev/null 2>&1
    st=$?
    [ "$st" -eq 0 ] && ok || fail "status after kill at ${ms} ms: exit $st"
    fsx -q license warranty >/dev/null 2>err
    st=$?
    if [ "$st" -eq 0 ] || [ "$st" -eq 1 ]; then ok
    else fail "search after kill at ${ms} ms: exit $st: $(cat err)"; fi
    check_whole
    [ -n "${VERBOSE:-}" ] && echo "round $round: killed at $ms ms," \
        "$(sqlite3 "$idx" 'SELECT count(*) FROM doc') documents" >&2
done

# A killed --rebuild leaves the index it started from untouched.
fsx index -q >/dev/null 2>err || fail "index after the kills failed: $(cat err)"
dump "$idx" > before.txt
for ms in 30 150 400 800; do
    round="rebuild-$ms"
    "$bin" --corpus c --index "$idx" index --rebuild -q >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
    wait "$pid" 2>/dev/null
    dump "$idx" > after.txt
    cmp -s before.txt after.txt && ok ||
        fail "a killed rebuild changed the index"
done

# Finish, then compare with a fresh index of the same folder.
round=final
fsx index -q >/dev/null 2>err || fail "final index run failed: $(cat err)"
"$bin" --corpus c --index idx2/f.db index -q >/dev/null 2>&1 ||
    fail "fresh index failed"
# A first build killed before its end has no hash index yet; a run that
# finishes makes it.
[ "$(sqlite3 "$idx" "SELECT count(*) FROM sqlite_schema
      WHERE name = 'passage_hash'")" = 1 ] && ok ||
    fail "no passage_hash index after the final run"
dump "$idx" > a.txt
dump idx2/f.db > b.txt
if [ ! -s a.txt ]; then
    fail "empty index"
elif cmp -s a.txt b.txt; then ok
else fail "index differs from a fresh rebuild: $(diff a.txt b.txt | head -5)"; fi
if [ -n "$ext" ]; then
    fts_dump "$idx" > fa.txt
    fts_dump idx2/f.db > fb.txt
    if [ "$(wc -l < fa.txt)" -gt 1000 ] && cmp -s fa.txt fb.txt; then ok
    else fail "full-text index differs from a fresh rebuild:" \
        "$(diff fa.txt fb.txt | head -4 | tr '\n' ' ')"; fi
else
    echo "crash: no loadable fsearch_ext.so: full-text comparison skipped" >&2
fi
sa=$(fsx status | grep -E '^(documents|passages|stale)')
sb=$("$bin" --corpus c --index idx2/f.db status | grep -E '^(documents|passages|stale)')
[ "$sa" = "$sb" ] && ok || fail "status differs: $sa / $sb"
printf '%s\n' "$sa" | grep -q '^stale files: 0$' && ok || fail "stale after final run"

echo "crash: $kills kills in $(( $(date +%s) - t_start )) s (seed $seed)" >&2
echo "crash: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# many_files.sh [N]: a million (or N) tiny files in one folder, as issue 8
# asks of the benchmark (too slow for CI). Each file holds one line of real
# text taken in order from the bench corpus ($BENCH_CACHE/corpus/full, else
# corpus/ of the repository, cycled). It times a first index, a second run
# that finds nothing changed, a count and a search, each with its peak
# memory (/usr/bin/time, Debian's package time).
#
#   sh bench/many_files.sh 1000000      (needs build/fsearch: make)
#   MANY_DIR=/tmp/x keeps the files there (default /tmp/fsearch-many.N,
#   removed at the end unless MANY_KEEP=1).
set -eu
n=${1:-1000000}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/fsearch
[ -x "$bin" ] || { echo "many_files.sh: build first (make)" >&2; exit 2; }
cache=${BENCH_CACHE:-$top/bench/cache}
src=$cache/corpus/full
[ -d "$src" ] || src=$top/corpus
dir=${MANY_DIR:-/tmp/fsearch-many.$n}
db=$dir.db
cleanup() { rm -rf "$dir" "$db" "$db-wal" "$db-shm" "$db.lock"; }
cleanup
[ "${MANY_KEEP:-0}" = 1 ] || trap cleanup EXIT INT TERM
mkdir -p "$dir/files"

# Lines of at least 20 bytes with a letter, in the corpus's order, repeated
# when the corpus has fewer than N of them.
lines=$dir/lines
find "$src" -type f | LC_ALL=C sort | { xargs -d '\n' cat 2>/dev/null || :; } |
    LC_ALL=C awk -v n="$n" 'length($0) >= 20 && /[A-Za-z]/ {
        print
        if (++k >= n)
            exit
    }' > "$lines"
have=$(wc -l < "$lines")
[ "$have" -gt 0 ] || { echo "many_files.sh: no text in $src" >&2; exit 2; }
t0=$(date +%s.%N)
# One line per file: split(1) writes them far faster than a shell loop.
awk -v n="$n" -v have="$have" '
    { line[NR] = $0 }
    END { for (i = 0; i < n; i++) print line[i % have + 1] }' "$lines" |
    (cd "$dir/files" && split -l 1 -d -a 7 --additional-suffix=.txt - f)
t1=$(date +%s.%N)
rm -f "$lines"
printf 'files:   %d tiny files (%s lines from %s) in %s, written in %.1f s\n' \
    "$n" "$have" "$src" "$dir/files" "$(awk "BEGIN { print $t1 - $t0 }")"

# run LABEL ARGS...: time fsearch, print wall seconds and peak RSS.
run() {
    label=$1
    shift
    /usr/bin/time -f '%e %M' -o "$dir/time" "$bin" --corpus "$dir/files" \
        --index "$db" "$@" > "$dir/out" 2> "$dir/err" || {
        st=$?
        [ "$st" -eq 1 ] || { echo "$label: exit $st" >&2; cat "$dir/err" >&2; exit 2; }
    }
    # (time(1) puts "Command exited with non-zero status 1" first.)
    read -r secs kb <<EOF
$(tail -n 1 "$dir/time")
EOF
    note=$(grep -h '^indexed' "$dir/out" "$dir/err" | head -1)
    [ -n "$note" ] || note="$(wc -l < "$dir/out") lines: $(head -c 60 "$dir/out" | head -1)"
    printf '%-8s %8.2f s  %7d KB peak RSS  %s\n' "$label:" "$secs" "$kb" "$note"
}
run index index
run again index
run count -c the
run search -n 10 system file
du -sh "$db" | awk '{ print "index:   " $1 }'

#!/bin/sh
# bench/run.sh - `make bench`: install the peers, build the corpus (once,
# cached), build the timing programs, then measure fsearch and the peers on
# every slice and write bench/RESULTS.md. Takes tens of minutes the first
# time (the corpus) and about as long again for the full slice.
#
#   BENCH_QUICK=1 make bench   only the 5 MB and 50 MB slices, fewer runs;
#                              the report goes to bench/cache/RESULTS-quick.md
#   BENCH_SLICES="50M"         pick slices; BENCH_CACHE=DIR moves the cache
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
CACHE=${BENCH_CACHE:-$here/cache}
export BENCH_CACHE=$CACHE
BIN=$CACHE/bin
export BENCH_BIN=$BIN
mkdir -p "$BIN"

# The peers and the tools that measure them, from Debian's packages.
PKGS="sqlite3 libsqlite3-dev xapian-omega xapian-tools libxapian-dev ripgrep
      time g++"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
command -v python3 >/dev/null || missing="$missing python3"
if [ -n "$missing" ]; then
    echo "bench: installing:$missing" >&2
    SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

sh "$here/corpus.sh"

# The timing programs; query_bench links the library as built by `make`.
CFLAGS_B="-std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE"
LIBS=$(pkg-config --libs sqlite3 libutf8proc libzstd 2>/dev/null || echo -lsqlite3 -lutf8proc -lzstd)
cc $CFLAGS_B -I"$root/include" -o "$BIN/query_bench" "$here/query_bench.c" \
    "$root/build/libfsearch.a" $LIBS -lstemmer -lm -lpthread
cc $CFLAGS_B -o "$BIN/fts5_bench" "$here/fts5_bench.c" -lsqlite3
cc $CFLAGS_B -o "$BIN/spawn_bench" "$here/spawn_bench.c"
c++ -O2 -Wall -Wextra -Werror -o "$BIN/xapian_bench" "$here/xapian_bench.cc" -lxapian

FSEARCH=${FSEARCH:-$root/fsearch} exec python3 "$here/bench.py"

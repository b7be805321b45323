#!/bin/sh
# Install test: `make install` into a temporary prefix, then build the
# programs of examples/ and the README's "Embedding" example against the
# installed library with pkg-config alone, shared and static, run them on a
# copy of corpus/ and check what they print. Also checks what the shared
# library exports, the installed command, man page and SQLite extension,
# and that `make uninstall` (with and without DESTDIR) leaves nothing.
# Usage (from make installtest): B=build MAKE=make CC=cc SAN= sh tests/install.sh
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
MAKE=${MAKE:-make}
CC=${CC:-cc}
SAN=${SAN:-}
EXFLAGS="-std=c99 -pedantic -Wall -Wextra -Werror $SAN"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fsearch-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT HUP INT PIPE TERM
prefix=$tmp/prefix
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() { echo "FAIL [install] $*" >&2; failed=$((failed + 1)); }
# check NAME COMMAND...: run a test command quietly; count the result.
check() {
    check_what=$1
    shift
    if "$@" >"$tmp/check.out" 2>&1; then ok; else
        fail "$check_what"
        sed 's/^/    /' "$tmp/check.out" | head -20 >&2
    fi
}
# expect FILE REGEX: FILE has a line matching REGEX.
expect() {
    if grep -q -e "$2" "$1"; then ok; else
        fail "$(basename "$1") lacks /$2/"
        sed 's/^/    /' "$1" | head -20 >&2
    fi
}
finish() {
    echo "installtest: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

version=$(sed -n 's/^#define FSEARCH_VERSION "\(.*\)"/\1/p' "$top/include/fsearch.h")
major=$(sed -n 's/^#define FSEARCH_VERSION_MAJOR \([0-9]*\)/\1/p' "$top/include/fsearch.h")

# ---- install ------------------------------------------------------------
if ! $MAKE -s -C "$top" install B="$B" PREFIX="$prefix" >"$tmp/install.log" 2>&1; then
    fail "make install"
    cat "$tmp/install.log" >&2
    finish
fi
for f in bin/fsearch include/fsearch.h lib/libfsearch.a \
         "lib/libfsearch.so.$version" "lib/libfsearch.so.$major" \
         lib/libfsearch.so lib/pkgconfig/fsearch.pc share/man/man1/fsearch.1 \
         lib/fsearch/fsearch_ext.so; do
    if [ -e "$prefix/$f" ]; then ok; else fail "not installed: $f"; fi
done
[ "$(readlink "$prefix/lib/libfsearch.so")" = "libfsearch.so.$major" ] && ok ||
    fail "libfsearch.so does not link to libfsearch.so.$major"
[ "$(readlink "$prefix/lib/libfsearch.so.$major")" = "libfsearch.so.$version" ] && ok ||
    fail "libfsearch.so.$major does not link to libfsearch.so.$version"
if command -v readelf >/dev/null; then
    readelf -d "$prefix/lib/libfsearch.so.$version" >"$tmp/dyn"
    expect "$tmp/dyn" "SONAME.*\[libfsearch\.so\.$major\]"
fi

# The shared library exports exactly the calls the header marks FSEARCH_API.
if command -v nm >/dev/null; then
    sed -n 's/^FSEARCH_API [^(]*[ *]\(fsearch_[a-z_0-9]*\)(.*/\1/p' \
        "$prefix/include/fsearch.h" | sort >"$tmp/api"
    nm -D --defined-only "$prefix/lib/libfsearch.so.$version" |
        awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort >"$tmp/exported"
    if [ -s "$tmp/api" ] && cmp -s "$tmp/api" "$tmp/exported"; then ok; else
        fail "exported symbols differ from the header's API"
        diff "$tmp/api" "$tmp/exported" | sed 's/^/    /' >&2
    fi
    nm -D --defined-only "$prefix/lib/fsearch/fsearch_ext.so" |
        awk '{ print $3 }' | sort >"$tmp/ext_exported"
    printf 'sqlite3_extension_init\nsqlite3_fsearchext_init\n' >"$tmp/ext_api"
    cmp -s "$tmp/ext_api" "$tmp/ext_exported" && ok ||
        fail "the extension exports more than its entry points"
fi

"$prefix/bin/fsearch" --version >"$tmp/version" 2>&1
expect "$tmp/version" "^fsearch $version\$"
if command -v man >/dev/null; then
    MANWIDTH=80 man -l "$prefix/share/man/man1/fsearch.1" >"$tmp/man" 2>&1
    expect "$tmp/man" "EXIT STATUS"
fi

# ---- pkg-config -----------------------------------------------------------
PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_PATH
[ "$(pkg-config --modversion fsearch)" = "$version" ] && ok ||
    fail "pkg-config --modversion fsearch"
pkg-config --static --libs fsearch >"$tmp/static_libs"
for l in -lfsearch -lsqlite3 -lutf8proc -lzstd -lstemmer -lm; do
    expect "$tmp/static_libs" "[[:space:]]$l\([[:space:]]\|\$\)"
done

cflags=$(pkg-config --cflags fsearch)
libs=$(pkg-config --libs fsearch)
# The static build names the archive: -lfsearch would pick the .so beside it.
static_libs=$(pkg-config --static --libs fsearch | sed 's/-lfsearch\b/-l:libfsearch.a/')
sed -n '/^## Embedding/,/^## /p' "$top/README.md" |
    sed -n '/^```c$/,/^```$/p' | sed '1d;$d' >"$tmp/readme_embed.c"
[ -s "$tmp/readme_embed.c" ] && ok || fail "no C example in README's Embedding section"

for src in "$top"/examples/*.c "$tmp/readme_embed.c"; do
    name=$(basename "$src" .c)
    # shellcheck disable=SC2086
    check "build $name (shared)" $CC $EXFLAGS -o "$tmp/$name-shared" "$src" $cflags $libs
    # shellcheck disable=SC2086
    check "build $name (static)" $CC $EXFLAGS -o "$tmp/$name-static" "$src" $cflags $static_libs
done
if command -v ldd >/dev/null; then
    LD_LIBRARY_PATH=$prefix/lib ldd "$tmp/search-shared" >"$tmp/ldd_shared"
    expect "$tmp/ldd_shared" "libfsearch\.so\.$major => $prefix/lib/"
    ldd "$tmp/search-static" >"$tmp/ldd_static"
    grep -q libfsearch "$tmp/ldd_static" && fail "static example needs libfsearch.so" || ok
fi

# ---- run the examples, each build ---------------------------------------
# run KIND NAME ARGS...: run an example of kind shared or static, in $tmp/run;
# sets $status; output in $tmp/out.
run() {
    run_prog=$tmp/$2-$1
    shift 2
    (cd "$tmp/run" && LD_LIBRARY_PATH=$prefix/lib "$run_prog" "$@" \
        >"$tmp/out" 2>"$tmp/err")
    status=$?
}

for kind in shared static; do
    rm -rf "$tmp/run"
    mkdir -p "$tmp/run"
    cp -R "$top/corpus" "$tmp/run/corpus"
    nfiles=$(ls "$tmp/run/corpus" | wc -l)
    first=$(ls "$tmp/run/corpus" | head -1)

    # index: every file is reported through the progress callback.
    run $kind index idx/fsearch.db corpus
    [ "$status" -eq 0 ] && ok || fail "$kind index: exit $status: $(cat "$tmp/err")"
    for f in $(ls "$tmp/run/corpus"); do
        expect "$tmp/out" "^added $f\$"
    done
    expect "$tmp/out" "^$nfiles added, 0 updated, 0 renamed, 0 removed, 0 unchanged, 0 skipped\$"
    expect "$tmp/out" "^index: $nfiles documents, [1-9][0-9]* passages, language english\$"
    expect "$tmp/out" "^progress calls: [1-9]"

    # Change one file, remove another: the callback names exactly those.
    last=$(ls "$tmp/run/corpus" | tail -1)
    printf '\nA new closing paragraph about xylophones.\n' >>"$tmp/run/corpus/$first"
    rm "$tmp/run/corpus/$last"
    run $kind index idx/fsearch.db corpus
    [ "$status" -eq 0 ] && ok || fail "$kind re-index: exit $status"
    expect "$tmp/out" "^updated $first\$"
    expect "$tmp/out" "^removed $last\$"
    expect "$tmp/out" "^0 added, 1 updated, 0 renamed, 1 removed, $((nfiles - 2)) unchanged, 0 skipped\$"
    grep -q '^added ' "$tmp/out" && fail "$kind re-index re-added files" || ok

    # search: ranked hits with marked words; grep's exit statuses.
    run $kind search idx/fsearch.db "safety zone" 3
    [ "$status" -eq 0 ] && ok || fail "$kind search: exit $status: $(cat "$tmp/err")"
    expect "$tmp/out" '^1\. [0-9a-f_]*\.txt:[0-9][0-9]*-[0-9][0-9]*  score [0-9.]*$'
    expect "$tmp/out" '^3\. '
    expect "$tmp/out" '\[Safety\] \[Zone\]'
    grep -q '^4\. ' "$tmp/out" && fail "$kind search: limit 3 gave a 4th hit" || ok
    cp "$tmp/out" "$tmp/search-$kind.out"
    run $kind search idx/fsearch.db "xylophones"
    expect "$tmp/out" "^1\. $first:"
    expect "$tmp/out" '\[xylophones\]'
    run $kind search idx/fsearch.db "qqqzzzxxy"
    [ "$status" -eq 1 ] && ok || fail "$kind search without hits: exit $status"
    [ -s "$tmp/out" ] && fail "$kind search without hits printed something" || ok
    run $kind search idx/none.db "safety"
    [ "$status" -eq 2 ] && ok || fail "$kind search of a missing index: exit $status"
    expect "$tmp/err" "no index at .*none\.db.*(not found)"
    run $kind search idx/fsearch.db '"unclosed'
    [ "$status" -le 2 ] && ok || fail "$kind odd query: exit $status (crash?)"

    # The README's example indexes ./corpus into ./index and searches.
    run $kind readme_embed
    [ "$status" -eq 0 ] && ok || fail "$kind README example: exit $status: $(cat "$tmp/err")"
    expect "$tmp/out" '^[0-9a-f_]*\.txt:[0-9][0-9]*  .*Safety Zone'
    [ -f "$tmp/run/index/fsearch.db" ] && ok || fail "README example made no index"
done
cmp -s "$tmp/search-shared.out" "$tmp/search-static.out" && ok ||
    fail "shared and static builds print different hits"

# ---- the installed SQLite extension ----------------------------------------
# An ASan-built extension cannot be loaded by the plain sqlite3 shell.
if command -v sqlite3 >/dev/null && [ -z "$SAN" ]; then
    sqlite3 "$tmp/run/idx/fsearch.db" ".load $prefix/lib/fsearch/fsearch_ext" \
        "SELECT count(*) FROM fts WHERE fts MATCH 'xylophones';" \
        >"$tmp/sql" 2>&1
    expect "$tmp/sql" '^1$'
fi

# ---- uninstall ----------------------------------------------------------------
$MAKE -s -C "$top" uninstall B="$B" PREFIX="$prefix" >"$tmp/uninstall.log" 2>&1 &&
    ok || fail "make uninstall: $(cat "$tmp/uninstall.log")"
left=$(find "$prefix" ! -type d)
[ -z "$left" ] && ok || fail "make uninstall left: $left"

# DESTDIR stages under another root; the .pc still names PREFIX.
stage=$tmp/stage
$MAKE -s -C "$top" install B="$B" PREFIX=/opt/fs DESTDIR="$stage" >"$tmp/install.log" 2>&1 &&
    ok || fail "make install DESTDIR: $(cat "$tmp/install.log")"
[ -x "$stage/opt/fs/bin/fsearch" ] && ok || fail "DESTDIR install: no bin/fsearch"
expect "$stage/opt/fs/lib/pkgconfig/fsearch.pc" '^prefix=/opt/fs$'
expect "$stage/opt/fs/lib/pkgconfig/fsearch.pc" '^libdir=/opt/fs/lib$'
$MAKE -s -C "$top" uninstall B="$B" PREFIX=/opt/fs DESTDIR="$stage" >"$tmp/uninstall.log" 2>&1 &&
    ok || fail "make uninstall DESTDIR: $(cat "$tmp/uninstall.log")"
left=$(find "$stage" ! -type d)
[ -z "$left" ] && ok || fail "make uninstall DESTDIR left: $left"

finish

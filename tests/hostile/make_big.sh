#!/bin/sh
# make_big.sh FILE MB [WORD]: one line of about MB megabytes of real text
# (the repository's corpus with newlines turned into spaces, repeated), with
# WORD (default "needlemarker") once in the middle and once at the very end.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mb=$2
word=${3:-needlemarker}
chunk=$(mktemp "${TMPDIR:-/tmp}/fsearch-big.XXXXXX")
trap 'rm -f "$chunk" "$chunk.2"' EXIT
cat "$here"/../../corpus/*.txt | tr '\n\r' '  ' > "$chunk"
# Double the chunk up to 1 MiB or more, then repeat it: few processes.
while [ "$(wc -c < "$chunk")" -lt 1048576 ]; do
    cat "$chunk" "$chunk" > "$chunk.2"
    mv "$chunk.2" "$chunk"
done
size=$(wc -c < "$chunk")
n=$(((mb * 1048576 + size - 1) / size))
half=$(((n - 1) / 2))
{
    i=0
    while [ "$i" -lt "$n" ]; do
        cat "$chunk"
        [ "$i" -eq "$half" ] && printf ' %s ' "$word"
        i=$((i + 1))
    done
    printf ' %s' "$word"
} > "$out"

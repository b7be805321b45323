#!/bin/sh
# make_text.sh SEED PARAGRAPHS [TAG]: print made-up text, PARAGRAPHS
# paragraphs of words drawn at random (seeded) from the repository's corpus,
# so that files made with different seeds share no passage and no 3-word run
# (the search folds near-copies, which would make answers depend on the
# order of ties). TAG, if given, starts the first line.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cat "$here"/../../corpus/*.txt | awk -v seed="$1" -v paras="$2" -v tag="${3:-}" '
{ for (i = 1; i <= NF; i++) if ($i ~ /^[A-Za-z]+[,.]?$/) w[n++] = $i }
END {
    srand(seed * 7 + 13)  # mawk: srand(0) and srand(1) are alike
    if (tag != "") print tag "\n"
    for (p = 0; p < paras; p++) {
        len = 15 + int(rand() * 60)
        line = ""
        for (k = 0; k < len; k++) {
            line = line w[int(rand() * n)] " "
            if (k % 12 == 11) { print line; line = "" }
        }
        if (line != "") print line
        print ""
    }
}'

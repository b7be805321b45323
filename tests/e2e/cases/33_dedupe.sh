# A paragraph found in several files is shown once, with the other places
# under it: also when one copy has a heading merged into its passage
# (001:13 and 003:5) or differs by a word (001:21 "an", 003:16 "and").
fresh
fs index -q
fs -n 20 "China's capital"
expect_status 0
expect_out "^corpus/001_82aa8027c5d96db3.txt:13$"
expect_no_out "^corpus/003_6813c49a55c0ba3d.txt:5$"
after13=$(printf '%s\n' "$out" | sed -n '/^corpus\/001_82aa8027c5d96db3.txt:13$/,/^$/p')
printf '%s' "$after13" | grep -q "^    also in: corpus/003_6813c49a55c0ba3d.txt:5$" || fail "001:13 lacks also in 003:5"
fs -n 50 "textbooks incident"
expect_out "^corpus/001_82aa8027c5d96db3.txt:21$"
expect_no_out "^corpus/003_6813c49a55c0ba3d.txt:16$"
expect_out "^    also in: corpus/003_6813c49a55c0ba3d.txt:16$"
# Over a long list no place is shown twice, as a hit or as "also in".
fs -n 100000 the
places=$(printf '%s\n' "$out" | sed -n -e 's/^\(corpus\/[^ ]*:[0-9]*\)$/\1/p' -e 's/^    also in: //p')
[ -n "$places" ] || fail "no places"
dups=$(printf '%s\n' "$places" | sort | uniq -d)
[ -z "$dups" ] || fail "shown twice: $dups"
# Distinct paragraphs that merely share words are not folded: the two
# different paragraphs about the capital in 001 are both hits.
fs -n 20 "China's capital"
expect_out "^corpus/001_82aa8027c5d96db3.txt:6$"
# The --json also_in agrees, and a copy of a whole file is listed too.
cp "$work/corpus/002_840e2ab5d48e820c.txt" "$work/corpus/copy.txt"
fs index -q
fs --json -n 1 "stately parasol trees"
printf '%s\n' "$out" | head -1 | python3 -c '
import json, sys
h = json.load(sys.stdin)
places = sorted([(h["path"], h["line"])] + [(a["path"], a["line"]) for a in h["also_in"]])
assert places == [("002_840e2ab5d48e820c.txt", 3), ("copy.txt", 3)], places
' || fail "also_in of a copied file"
fresh

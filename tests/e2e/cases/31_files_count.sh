# -l lists files, best first, once each; -c counts passages (files with
# -l) and agrees with what a long listing shows.
fresh
fs index -q
fs -l nanking
expect_status 0
[ "$(printf '%s\n' "$out" | sort -u | wc -l)" -eq 4 ] || fail "-l: not 4 distinct files"
printf '%s\n' "$out" | grep -v -q '^corpus/[0-9a-f_]*\.txt$' && fail "-l: not one path per line"
first=$(printf '%s\n' "$out" | head -1)
# The best file of -l is the file of the best hit of --json -l.
fs --json -l nanking
expect_status 0
best=$(printf '%s\n' "$out" | head -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["path"])')
[ "corpus/$best" = "$first" ] || fail "-l first $first, json -l first $best"
# -l skips the highlights (FSEARCH_SEARCH_NO_SNIPPET) but lists the same
# files in the same order as --json -l, which computes them.
fs -l "rabe safety zone nanking refugees"
plain=$out
fs --json -l "rabe safety zone nanking refugees"
paths=$(printf '%s\n' "$out" | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["type"] == "hit":
        assert o["snippet"] and o["matches"], o
        print("corpus/" + o["path"])')
[ "$plain" = "$paths" ] || fail "-l and --json -l differ: $plain / $paths"
# -c equals the number of hits of an unlimited listing.
fs -c nanking
expect_status 0
count=$out
[ "$count" -gt 10 ] || fail "-c nanking: $count"
fs -n 100000 nanking
listed=$(printf '%s\n' "$out" | grep -c '^corpus/')
[ "$count" -eq "$listed" ] || fail "-c says $count, the listing has $listed"
fs -c -l nanking
expect_status 0
[ "$out" = 4 ] || fail "-c -l nanking: $out"
fs -c -l "path:000_* nanking"
[ "$out" = 1 ] || fail "-c -l with path: $out"
fs -c xylophonequartz
expect_status 1
[ "$out" = 0 ] || fail "-c with no hits: $out"
fs --json -c nanking
expect_status 0
expect_out "^{\"type\":\"summary\",\"hits\":$count,"
# -n and --offset page through the same list.
fs -n 6 nanking
all=$(printf '%s\n' "$out" | grep '^corpus/')
fs -n 3 --offset 3 nanking
page=$(printf '%s\n' "$out" | grep '^corpus/')
[ "$page" = "$(printf '%s\n' "$all" | tail -3)" ] || fail "offset 3 is not hits 4-6"
fs -n 2 -l nanking
[ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] || fail "-n 2 -l"

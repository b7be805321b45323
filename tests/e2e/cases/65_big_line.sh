# One file that is a single line of many megabytes (real text, newlines
# turned into spaces): indexed in bounded memory and time, and a word in
# the middle and one at the very end are found, at line 1.
# FSEARCH_HOSTILE_MB sets the size: 20 by default, 100 for the full test;
# under a RUNNER (valgrind) 2.
mb=${FSEARCH_HOSTILE_MB:-20}
[ -n "$runner" ] && mb=2
rm -rf "$work/big" "$work/bidx"
mkdir -p "$work/big"
sh "$top/tests/hostile/make_big.sh" "$work/big/line.txt" "$mb" needlemarker ||
    fail "make_big.sh failed"
[ "$(wc -l < "$work/big/line.txt")" -eq 0 ] || fail "the big file has a newline"
# Memory is measured only in a plain build (ASan's shadow memory and
# quarantine, which check-asan sets ASAN_OPTIONS for, would dwarf it).
if [ -z "$runner" ] && [ -z "${ASAN_OPTIONS:-}" ] && [ -x /usr/bin/time ]; then
    (cd "$work" && /usr/bin/time -f '%M' -o "$work/rss" timeout 600 "$bin" \
        --corpus big --index bidx/b.db index >"$work/out" 2>"$work/err")
    status=$?
    rss=$(tail -1 "$work/rss")
    # The file is read in windows: memory must not grow with its size.
    [ "$rss" -lt 200000 ] || fail "indexing $mb MB took $rss KB of memory"
else
    (cd "$work" && timeout 600 $runner "$bin" --corpus big --index bidx/b.db \
        index >"$work/out" 2>"$work/err")
    status=$?
fi
out=$(cat "$work/out")
err=$(cat "$work/err")
[ "$status" -eq 124 ] && fail "indexing $mb MB took more than 10 minutes"
expect_status 0
expect_out "1 added"
fs --corpus big --index bidx/b.db --color=always -n 5 needlemarker
expect_status 0
esc=$(printf '\033')
n=$(printf '%s\n' "$out" | sed "s/${esc}\[[0-9;]*m//g" | grep -c '^big/line.txt:1$')
[ "$n" -eq 2 ] || fail "needlemarker: $n hits at line 1, expected 2"
n=$(printf '%s\n' "$out" | grep -c "${esc}\[1;31mneedlemarker${esc}\[0m")
[ "$n" -eq 2 ] || fail "needlemarker highlighted in $n snippets, expected 2"
# Snippets stay short however long the line.
long=$(printf '%s\n' "$out" | awk 'length($0) > 600' | wc -l)
[ "$long" -eq 0 ] || fail "$long output lines longer than 600 bytes"
fs --corpus big --index bidx/b.db -n 3 '"Nanking War Trials"'
expect_status 0
rm -rf "$work/big" "$work/bidx"
true

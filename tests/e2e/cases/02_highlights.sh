# The top hits hold both words, highlighted on a terminal (forced here).
fs --color=always -n 3 "safety zone"
expect_status 0
esc=$(printf '\033')
for i in 1 2 3; do
    snip=$(printf '%s\n' "$out" | grep -v '^$' | grep -v 'also in' | sed -n "$((i * 2))p")
    printf '%s' "$snip" | grep -qi "${esc}\[1;31msafety${esc}\[0m" || fail "hit $i: 'safety' not highlighted"
    printf '%s' "$snip" | grep -qi "${esc}\[1;31mzone${esc}\[0m" || fail "hit $i: 'zone' not highlighted"
done
# Piped output has no escape codes; NO_COLOR is honoured with auto.
fs -n 3 "safety zone"
printf '%s' "$out" | grep -q "$esc" && fail "escape codes in piped output"
out_plain=$out
(cd "$work" && NO_COLOR=1 $runner "$bin" --color=auto -n 3 "safety zone" >"$work/out" 2>&1)
[ "$(cat "$work/out")" = "$out_plain" ] || fail "NO_COLOR output differs from plain"

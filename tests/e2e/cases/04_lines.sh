# path:line points at the line where the passage starts.
fs -n 1 '"John Rabe wires Hitler"'
expect_status 0
expect_out "^corpus/003_6813c49a55c0ba3d.txt:[0-9]*$"
line=$(printf '%s\n' "$out" | head -1 | sed 's/.*://')
want=$(grep -n "John Rabe wires Hitler" "$work/corpus/003_6813c49a55c0ba3d.txt" | cut -d: -f1)
# The passage may start a few lines before the phrase (merged short lines),
# but its first line must be the first non-blank line of the passage.
[ "$line" -le "$want" ] || fail "line $line is after the phrase's line $want"
[ $((want - line)) -le 12 ] || fail "line $line is far from the phrase's line $want"
text=$(sed -n "${line}p" "$work/corpus/003_6813c49a55c0ba3d.txt")
[ -n "$(printf '%s' "$text" | tr -d ' \t\r')" ] || fail "line $line is blank"
# For every hit of a query, the line named holds text of the passage.
fs -n 10 --color=never "refugees"
printf '%s\n' "$out" | grep -E '^corpus/.*:[0-9]+$' | while IFS=: read -r path l; do
    t=$(sed -n "${l}p" "$work/$path")
    [ -n "$(printf '%s' "$t" | tr -d ' \t\r')" ] || echo "blank $path:$l"
done > "$work/blank"
[ -s "$work/blank" ] && fail "hits point at blank lines: $(cat "$work/blank")"
true

# Control characters and ANSI escape sequences inside documents never reach
# the terminal raw: not in snippets, not in titles, not in paths, with
# colour on or off. Only fsearch's own colour codes may appear.
rm -rf "$work/esc" "$work/eidx"
mkdir -p "$work/esc"
# title line with an OSC "set window title" and a bell; a body with clear
# screen, cursor moves, CR overwrite, backspaces, DEL and a C1 CSI (U+009B).
printf '\033]0;owned\007Title \033[2Jline\n\nescword one \033[31mred\033[0m \033[H\033[2J two\rthree \010\010\010 four\177 \302\233""31m c1csi escword again.\n' \
    > "$work/esc/a.txt"
printf 'escword in a file whose name is hostile\n' > "$work/esc/$(printf 'n\033[2Jame\rx.txt')"
fs --corpus esc --index eidx/e.db index
expect_status 0
expect_out "2 added"
printf '%s' "$err" | grep -q "$(printf '\033')" && fail "raw ESC in index messages"
esc=$(printf '\033')
for color in always never; do
    fs --corpus esc --index eidx/e.db --color=$color -n 10 escword
    expect_status 0
    # Remove fsearch's own SGR codes; nothing else may be a control byte.
    rest=$(printf '%s' "$out" | sed "s/${esc}\[[0-9;]*m//g" | tr -d '\n')
    printf '%s' "$rest" | LC_ALL=C grep -q '[[:cntrl:]]' &&
        fail "--color=$color: raw control characters reach the terminal"
    printf '%s' "$rest" | grep -q "$(printf '\302\233')" &&
        fail "--color=$color: a raw C1 CSI reaches the terminal"
    # They are shown, escaped, so the user sees something was there.
    printf '%s' "$out" | grep -q '\^\[\[31mred' || fail "--color=$color: ESC not shown as ^["
done
# The same holds for status output and the hostile name.
fs --corpus esc --index eidx/e.db status
printf '%s' "$out$err" | tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]' &&
    fail "raw control characters in status output"
true

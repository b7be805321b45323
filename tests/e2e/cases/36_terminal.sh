# Terminal output: "path:line", the snippet under it; escape codes only on
# a terminal or when asked; control characters of documents escaped; a
# closed stdout ends quietly, with -l and --json too.
fresh
printf 'Quokkaterm \033]0;pwned\007 and \033[2J clear.\n' > "$work/corpus/esc.txt"
fs index -q
fs quokkaterm
expect_status 0
[ "$(printf '%s\n' "$out" | head -1)" = "corpus/esc.txt:1" ] || fail "header"
expect_out "^    Quokkaterm ^\[\]0;pwned^G and ^\[\[2J clear\.$"
expect_no_out "$(printf '\033')"
fs --color=always quokkaterm
expect_out "$(printf '\033')\[35mcorpus/esc.txt$(printf '\033')\[0m:"
expect_no_out "$(printf '\007')"
for args in "-n 50 the" "-l the" "--json -n 50 the" "-C 3 -n 50 the"; do
    (cd "$work" && $runner "$bin" $args 2>"$work/err" | head -1 >/dev/null)
    [ -s "$work/err" ] && fail "closed stdout ($args): $(cat "$work/err")"
done
fresh

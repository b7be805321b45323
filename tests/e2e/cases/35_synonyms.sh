# Synonyms: index/synonyms.txt (next to the index), --synonyms FILE or
# $FSEARCH_SYNONYMS; a bad file is an error naming the line.
fresh
fs index -q
fs -c nanjing
base=$out
[ "$base" -ge 1 ] || fail "nanjing alone: $base"
printf '# place names\nNanking Nanjing\n' > "$work/index/synonyms.txt"
fs -c nanjing
expect_status 0
[ "$out" -gt "$base" ] || fail "index/synonyms.txt not used: $out"
fs -n 1 nanjing
expect_out "Nanking"
rm "$work/index/synonyms.txt"
fs -c nanjing
[ "$out" = "$base" ] || fail "synonyms linger: $out"
printf 'Nanking Nanjing\n' > "$work/syn.txt"
fs --synonyms syn.txt -c nanjing
[ "$out" -gt "$base" ] || fail "--synonyms not used"
(cd "$work" && FSEARCH_SYNONYMS=syn.txt $runner "$bin" -c nanjing >"$work/out" 2>"$work/err")
[ "$(cat "$work/out")" -gt "$base" ] || fail "\$FSEARCH_SYNONYMS not used"
fs --synonyms absent.txt nanjing
expect_status 2
expect_err "^fsearch: cannot read the synonyms file 'absent.txt'"
printf 'ok words\n"unclosed quote\n' > "$work/bad.txt"
fs --synonyms bad.txt nanjing
expect_status 2
expect_err "^fsearch: synonyms file 'bad.txt': line 2: unterminated quote$"

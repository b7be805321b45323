# Odd queries, as the real command answers them: stop words only with OR,
# queries of nothing the tokenizer calls a word, NEAR/ without a number,
# words of other scripts. Each is searched as a user means it, or refused
# with exit 2 and one line naming why (as every malformed query is).
fresh
cat > "$work/corpus/scripts.txt" <<'EOF'
Die Ёлка stood in the hall.

南京大屠杀 是一个历史事件。东京的ファイル。

اللغة العربية جميلة.
EOF
fs index -q
expect_status 0

# Stop words only, with OR: each alternative on its own. They were once
# one phrase, "a the and", which no passage holds (0 hits, exit 1).
fs -c the
the=$out
fs -c 'a OR the OR and'
expect_status 0
[ "$out" -ge "$the" ] 2>/dev/null || fail "a OR the OR and: $out hits, 'the' alone $the"
fs -c '"of a"'
ofa=$out
fs -c '(the who) OR (of a)'
expect_status 0
[ "$out" -ge "$ofa" ] 2>/dev/null || fail "(the who) OR (of a): $out hits, \"of a\" $ofa"
# title: keeps its meaning on a list of stop words (it was dropped).
fs -c 'title:"of the"'
want=$out
fs -c 'title:(of the)'
[ "$out" = "$want" ] || fail "title:(of the): $out hits, title:\"of the\" $want"
# Stop words alone are still one phrase.
fs -c '"to be"'
want=$out
fs -c 'to be'
[ "$out" = "$want" ] || fail "to be: $out hits, \"to be\" $want"

# Nothing the tokenizer calls a word: the message every empty query gets.
# (Each was searched as a string of no token: no hits, exit 1.)
for q in "$(printf '\377')" "$(printf '\377\376 \300\257')" \
    "$(printf '\314\201')" "$(printf '\314\201\314\210\342\203\235')" \
    "$(printf '\342\200\224 \302\277 \343\200\202')" \
    "$(printf '!\001\314\201\377\177')" "$(printf '"\342\200\224"')" \
    "$(printf 'NEAR(\342\200\224)')" "$(printf '\342\200\224 OR \377')"; do
    fs -n 1 -- "$q"
    shown=$(printf '%s' "$q" | od -An -c | tr -s ' ')
    [ "$status" -eq 2 ] || fail "[$shown] exit $status, expected 2"
    [ "$err" = "fsearch: the query has no words to search for" ] ||
        fail "[$shown] message: $err"
    [ -z "$out" ] || fail "[$shown] printed hits"
done
fs -n 1 --json -- "$(printf '\342\200\224')"
[ "$status" -eq 2 ] || fail "em dash, --json: exit $status"
fs -n 1 -l -- "$(printf '\377')"
[ "$status" -eq 2 ] || fail "\\377, -l: exit $status"
# Beside real words such a term is ignored; under AND it hid every hit.
fs -c nanking
want=$out
fs -c -- "$(printf 'nanking AND \342\200\224')"
expect_status 0
[ "$out" = "$want" ] || fail "nanking AND em dash: $out hits, nanking $want"
fs -c -- "$(printf 'nanking AND \377')"
[ "$out" = "$want" ] || fail "nanking AND \\377: $out hits, nanking $want"
fs -n 1 -- "$(printf -- '-\342\200\224')"
expect_status 2
expect_err '^fsearch: the query has no words to search for$'

# NEAR/ without a number is a mistyped operator, like NEAR(a b, x).
fs -n 1 -- 'rabe NEAR/x diary'
expect_status 2
[ "$err" = "fsearch: expected a number after NEAR/ at column 10" ] || fail "NEAR/x: $err"
fs -n 1 -- 'NEAR/'
expect_status 2
expect_err '^fsearch: expected a number after NEAR/ at column 5$'
fs -n 1 -- 'rabe NEAR/2 diary'
[ "$status" -le 1 ] || fail "rabe NEAR/2 diary: exit $status"

# A no-break or ideographic space separates words as a space does (the
# words were one phrase, or "rabe -<no-break space>x" excluded " x").
fs -c 'nanking rabe'
want=$out
fs -c -- "$(printf 'nanking\302\240rabe')"
[ "$out" = "$want" ] || fail "nanking<no-break space>rabe: $out hits, 'nanking rabe' $want"
fs -c -- "$(printf '\343\200\200nanking\343\200\200rabe\343\200\200')"
[ "$out" = "$want" ] || fail "ideographic spaces: $out hits, 'nanking rabe' $want"
fs -c 'nanking -rabe'
want=$out
fs -c -- "$(printf 'nanking\302\240-rabe')"
[ "$out" = "$want" ] || fail "nanking<no-break space>-rabe: $out hits, 'nanking -rabe' $want"
fs -n 1 -- "$(printf '\302\240\343\200\200')"
expect_status 2
expect_err '^fsearch: empty query$'

# Curly quotes (“…”, „…“), as a word processor or a phone types them, make
# a phrase as "..." does; they were read as loose words.
fs -c '"safety zone"'
want=$out
fs -c '“safety zone”'
[ "$out" = "$want" ] || fail "“safety zone”: $out hits, \"safety zone\" $want"
fs -c '„safety zone“'
[ "$out" = "$want" ] || fail "„safety zone“: $out hits, \"safety zone\" $want"
fs -n 1 -- '“”'
expect_status 2
expect_err '^fsearch: the query has no words to search for$'
fs --fuzzy -c 'NEAR(safety zoen, 0)'
[ "$out" = "$want" ] || fail "--fuzzy NEAR(safety zoen, 0): $out hits, \"safety zone\" $want"

# Other scripts: case, accents and width fold; Chinese by characters.
for q in 'ёлка' 'ЕЛКА' 'العَرَبِيَّة' 'ﾌｧｲﾙ' '南京' '"南京 大屠杀"' 'Ёлка OR 南京' \
    'NEAR(南京 历史, 10)' 'title:ёлка'; do
    fs -n 1 --color=never -- "$q"
    expect_status 0
    expect_out '^corpus/scripts.txt:1$'
done
fs -n 1 -- '南京 -ファイル'
expect_status 1

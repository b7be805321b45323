# Hostile queries, table-driven: each ends with its exit status (0 hits,
# 1 none, 2 refused with a message naming the problem), never a crash, a
# hang or an FTS5/SQL error leaking through.
fresh
fs index -q
expect_status 0
cat > "$work/queries" <<'TABLE'
""|2|no words to search for
"|2|no words to search for
(|2|no words to search for
)|2|unmatched '.' at column 1
NOT|2|nothing to exclude after NOT
-|2|no words to search for
*|2|no words to search for
NEAR(|2|no words to search for
path:*.txt|2|only path: filters
-safety|2|
AND OR NOT|2|nothing to exclude
NEAR(safety zone, 99999999999999999999)|0|
title:|1|
a*b*c|1|
((((((((((((((((((((safety))))))))))))))))))))|0|
title:(nanking OR (synopsis AND NOT zebra))|0|
"'); DROP TABLE doc; --|1|
fts MATCH 'x' OR rank MATCH 'y'|1|
safety zone " unclosed|0|
TABLE
while IFS='|' read -r q want msg; do
    (cd "$work" && timeout 60 $runner "$bin" -n 3 -- "$q" >"$work/out" 2>"$work/err")
    status=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
    [ "$status" -eq "$want" ] || fail "query [$q]: exit $status, expected $want"
    [ -n "$msg" ] && { printf '%s' "$err" | grep -q -e "$msg" || fail "query [$q]: stderr lacks /$msg/"; }
    printf '%s' "$err" | grep -qi -e 'sqlite\|fts5\|syntax error' && fail "query [$q]: an SQL error leaked: $err"
done < "$work/queries"
# Control characters, escapes and invalid UTF-8 in a query.
fs -n 3 -- "$(printf 'safety\001\033[2J zone\377\376')"
[ "$status" -le 1 ] || fail "control characters in a query: exit $status"
printf '%s' "$err" | grep -q "$(printf '\033')" && fail "a raw escape from the query reached stderr"
# 10 000 query terms: refused quickly with a clear message, distinct or not.
terms=$(i=0; while [ $i -lt 10000 ]; do printf 'w%d ' $i; i=$((i + 1)); done)
# shellcheck disable=SC2086 # one argument per term, as a shell user would type
(cd "$work" && timeout 60 $runner "$bin" -- $terms >"$work/out" 2>"$work/err")
status=$?
err=$(cat "$work/err")
expect_status 2
expect_err "query too long"
terms=$(i=0; while [ $i -lt 10000 ]; do printf 'safety '; i=$((i + 1)); done)
# shellcheck disable=SC2086
(cd "$work" && timeout 60 $runner "$bin" -- $terms >"$work/out" 2>"$work/err")
status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 2 ] || fail "10 000 x safety: exit $status"
# A 1 MB query (ten 100 KB arguments; one argument may not exceed 128 KB):
# one enormous word each, then a megabyte of words and parentheses.
big=$(head -c 100000 /dev/zero | tr '\0' 'a')
(cd "$work" && timeout 60 $runner "$bin" -- "$big" "$big" "$big" "$big" "$big" \
    "$big" "$big" "$big" "$big" "$big" >"$work/out" 2>"$work/err")
status=$?
expect_status 1
big=$(head -c 100000 /dev/zero | tr '\0' '(')
(cd "$work" && timeout 60 $runner "$bin" -- "$big" "$big" "$big" "$big" "$big" \
    "$big" "$big" "$big" "$big" "$big" safety >"$work/out" 2>"$work/err")
status=$?
err=$(cat "$work/err")
expect_status 2
expect_err "too deeply nested"
big=$(head -c 100000 /dev/zero | tr '\0' '"')
(cd "$work" && timeout 60 $runner "$bin" -- "$big" safety "$big" zone "$big" \
    "$big" "$big" "$big" "$big" "$big" >"$work/out" 2>"$work/err")
status=$?
[ "$status" -le 2 ] || fail "a megabyte of quotes: exit $status"
true

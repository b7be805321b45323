# Odd and hostile queries: each gets a sensible answer (exit 0 with hits,
# or 1 without) or a one-line "fsearch:" error naming the problem (exit 2);
# never a crash, never SQLite's words, never a changed index.
fresh
fs index -q
fs -c nanking
before=$out

# hq QUERY EXPECT: EXPECT is hits (exit 0), none (exit 1), any (0 or 1),
# or a regular expression the error must match (exit 2).
hq() {
    fs -n 3 -- "$1"
    shown=$(printf '%s' "$1" | head -c 40 | tr -d '\000-\037')
    case $status in 0|1|2) ;; *) fail "[$shown] crashed or odd exit $status" ;; esac
    printf '%s' "$err" | grep -q -i -e fts5 -e sqlite -e 'syntax error' \
        -e 'no such' -e 'malformed' -e 'SQL' -e 'parser stack' &&
        fail "[$shown] leaks an SQLite message: $err"
    # Hits are "path:line" lines, snippet lines, "also in" lines, blanks.
    printf '%s\n' "$out" | grep -v -e '^$' -e '^corpus/.*:[0-9][0-9]*$' \
        -e '^    ' | grep -q . && fail "[$shown] odd output: $out"
    case $2 in
    hits) [ "$status" -eq 0 ] || fail "[$shown] exit $status, expected hits" ;;
    none) [ "$status" -eq 1 ] || fail "[$shown] exit $status, expected none" ;;
    any) [ "$status" -le 1 ] || fail "[$shown] exit $status: $err" ;;
    *)
        [ "$status" -eq 2 ] || fail "[$shown] exit $status, expected an error"
        [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "[$shown] not one line: $err"
        printf '%s' "$err" | grep -q -e "^fsearch: $2" || fail "[$shown] error: $err"
        ;;
    esac
}

hq 'safety-zone' hits
hq '"unclosed' any
hq '"unclosed phrase runs to the end' any
hq 'rabe AND' hits
hq 'AND rabe' hits
hq 'U.S.' hits
expect_out '^corpus/002_840e2ab5d48e820c.txt:15$'
hq "don't" any
hq 'didn’t' hits
hq 'C++' any
hq '((' 'the query has no words to search for$'
hq ')' "unmatched ')' at column 1$"
hq 'rabe)' "unmatched ')' at column 5$"
hq '(rabe' hits
hq '())(' "unmatched ')' at column 3$"
hq 'NOT' 'nothing to exclude after NOT at column 1$'
hq 'rabe NOT' 'nothing to exclude after NOT at column 6$'
hq 'NOT rabe' 'nothing to search for: the query only excludes words$'
hq '-rabe' 'nothing to search for: the query only excludes words$'
hq '-' 'the query has no words to search for$'
hq 'rabe -' hits
hq '*' 'the query has no words to search for$'
hq 'rabe*' hits
hq '*rabe' hits
hq 'ra*be' any
hq '"' 'the query has no words to search for$'
hq '""' 'the query has no words to search for$'
hq "''" 'the query has no words to search for$'
hq '' 'empty query$'
hq '   ' 'empty query$'
hq '?!.,;:' 'the query has no words to search for$'
hq 'AND' 'the query has no words to search for$'
hq 'OR OR OR' 'the query has no words to search for$'
hq 'x AND OR y' any
hq 'title:' any
hq 'path:' any
hq 'path:*.txt rabe' hits
hq 'path:[ rabe' any
hq 'path:nowhere rabe' none
hq 'path:*.txt' 'nothing to search for: the query has only path: filters$'
hq 'title:nanking' hits
hq 'NEAR(' 'the query has no words to search for$'
hq 'NEAR(a b, x)' "expected a number after ',' in NEAR at column 9$"
hq 'NEAR(rabe nanking, 50)' hits
hq 'rabe NEAR/2 diary' any
hq 'NEAR/3' 'the query has no words to search for$'
hq "'; DROP TABLE doc; --" any
hq 'body:x' any
hq 'fts:nanking' any
hq '{title}: x' any
hq '{body} : nanking' hits
hq '^x' any
hq '^nanking' hits
hq 'x + y' any
hq '+rabe +diary' any
hq 'rank MATCH bm25' any
hq 'a:b:c' any
hq 'the' hits
hq 'the of a' any
hq 'to be or not to be' any
hq "$(printf 'rabe\001\002\033[31m')" any
hq "$(printf '\001rabe\002 \033')" hits
hq "$(printf '\377\376rabe\300')" hits
hq "$(printf 'nan\342\200king')" any
hq 'Nánjīng' hits
hq '日本 南京' any
hq "$(printf '%070d' 0 | tr 0 '(')rabe" 'too deeply nested: more than 64 parentheses at column 65$'
hq "$(printf '%0100000d' 0 | tr 0 x)" any
hq "$(python3 -c 'print(" ".join(["rabe"] * 10000))')" 'query too long: more than 256 words$'
hq "$(python3 -c 'print(" ".join("w%d" % i for i in range(10000)))')" 'query too long'
hq "$(python3 -c 'print(" OR ".join(["(a AND b)"] * 200))')" 'query too long: more than 256 words$'

# 10 000 words as separate arguments (joined by the command).
(cd "$work" && $runner "$bin" -n 1 $(python3 -c 'print(" ".join(["nanking"] * 10000))') >"$work/out" 2>"$work/err")
status=$?
err=$(cat "$work/err")
expect_status 2
expect_err "^fsearch: query too long: more than 256 words$"
(cd "$work" && $runner "$bin" -n 1 $(python3 -c 'print(" ".join(["nanking"] * 200))') >"$work/out" 2>"$work/err")
status=$?
expect_status 0

# The index is as it was.
fs -c nanking
[ "$out" = "$before" ] || fail "the index changed: $before then $out"

# With no index yet, a search builds it first and says so on stderr.
fresh
fs "safety zone"
expect_status 0
expect_err "no index at index/fsearch.db yet: indexing corpus first"
expect_err "indexed corpus: 4 added"
[ -f "$work/index/fsearch.db" ] || fail "no index file was made"
# Each hit starts with path:line, relative to where the user stands.
first=$(printf '%s\n' "$out" | head -1)
printf '%s' "$first" | grep -Eq '^corpus/[0-9a-z_]+\.txt:[0-9]+$' ||
    fail "first line '$first' is not path:line"
# Ten hits by default.
n=$(printf '%s\n' "$out" | grep -Ec '^corpus/.*:[0-9]+$')
[ "$n" -eq 10 ] || fail "$n hits, expected 10"

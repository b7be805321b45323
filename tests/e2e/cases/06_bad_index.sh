# A file at the index path that is not an fsearch index is reported and
# left untouched; so is an SQLite database of another program.
printf 'hello, not a database\n' > "$work/junk.db"
before=$(cksum < "$work/junk.db")
fs --index junk.db "safety"
expect_status 2
expect_err "not an fsearch index"
[ "$(cksum < "$work/junk.db")" = "$before" ] || fail "junk index file was modified"
fs --index junk.db index
expect_status 2
[ "$(cksum < "$work/junk.db")" = "$before" ] || fail "junk index file was modified by index"
: > "$work/empty.db"
fs --index empty.db "safety"
expect_status 2
expect_err "empty file"
[ -s "$work/empty.db" ] && fail "empty index file was written"
if command -v sqlite3 >/dev/null; then
    sqlite3 "$work/other.sqlite" "CREATE TABLE t(x); INSERT INTO t VALUES(1);"
    before=$(cksum < "$work/other.sqlite")
    fs --index other.sqlite "safety"
    expect_status 2
    expect_err "not an fsearch index"
    [ "$(cksum < "$work/other.sqlite")" = "$before" ] || fail "foreign database modified"
fi
# A truncated index gives a clear error, not a crash.
fs index -q
cp "$work/index/fsearch.db" "$work/trunc.db"
sz=$(wc -c < "$work/trunc.db")
head -c $((sz / 2)) "$work/index/fsearch.db" > "$work/trunc.db"
fs --index trunc.db "safety zone"
[ "$status" -eq 2 ] || fail "truncated index: exit $status, expected 2"
expect_err "^fsearch: "

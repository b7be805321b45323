# 'fsearch index --rebuild' replaces an fsearch index of another format
# version or a damaged one (the user asked for it); without --rebuild such an
# index is refused and left untouched, and a file that is not an fsearch
# index is never replaced, even with --rebuild.
if command -v sqlite3 >/dev/null; then
    fresh
    fs index -q
    expect_status 0
    sqlite3 "$work/index/fsearch.db" "PRAGMA user_version=99;" >/dev/null
    before=$(cksum < "$work/index/fsearch.db")
    fs safety
    expect_status 2
    expect_err "has format 99 but this fsearch reads format [0-9]"
    fs index
    expect_status 2
    expect_err "rebuild it with 'fsearch index --rebuild'"
    [ "$(cksum < "$work/index/fsearch.db")" = "$before" ] || fail "old index modified"
    fs index --rebuild --dry-run
    expect_status 2
    [ "$(cksum < "$work/index/fsearch.db")" = "$before" ] || fail "dry run modified it"
    fs index --rebuild
    expect_status 0
    expect_out "4 added, 0 updated, 0 renamed, 0 removed, 0 unchanged"
    fs safety zone
    expect_status 0
    fs status
    expect_out "^format: *2$"

    # damaged inside: pages overwritten past the header
    fs index -q
    sz=$(wc -c < "$work/index/fsearch.db")
    dd if=/dev/urandom of="$work/index/fsearch.db" bs=4096 seek=2 count=8 \
       conv=notrunc 2>/dev/null
    fs safety zone
    expect_status 2
    expect_err "damaged"
    fs index --rebuild
    expect_status 0
    fs safety zone
    expect_status 0
    expect_out "corpus/"

    # truncated: the header says fsearch, the rest is gone
    head -c 8192 "$work/index/fsearch.db" > "$work/index/t.db"
    fs --index index/t.db safety
    expect_status 2
    fs --index index/t.db index --rebuild
    expect_status 0
    fs --index index/t.db safety zone
    expect_status 0

    # a foreign SQLite database stays, even with --rebuild
    sqlite3 "$work/foreign.db" "CREATE TABLE t(x); INSERT INTO t VALUES(1);"
    before=$(cksum < "$work/foreign.db")
    fs --index foreign.db index --rebuild
    expect_status 2
    expect_err "not an fsearch index"
    [ "$(cksum < "$work/foreign.db")" = "$before" ] || fail "foreign database replaced"
    # and so does a text file
    printf 'my notes\n' > "$work/notes.db"
    fs --index notes.db index --rebuild
    expect_status 2
    [ "$(cat "$work/notes.db")" = "my notes" ] || fail "text file replaced"
fi

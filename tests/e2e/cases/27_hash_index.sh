# A first build makes the passages' hash index (which finds copies for
# "also in") once at its end rather than row by row; a build killed before
# that end leaves it missing: searches still find copies, and the next run,
# even one with nothing to change, makes it.
if command -v sqlite3 >/dev/null; then
    has_index() {
        sqlite3 "$work/index/fsearch.db" \
            "SELECT count(*) FROM sqlite_schema WHERE name = 'passage_hash'"
    }
    fresh
    fs index -q
    expect_status 0
    [ "$(has_index)" = 1 ] || fail "no passage_hash after a first build"
    # What a killed first build leaves behind.
    sqlite3 "$work/index/fsearch.db" "DROP INDEX passage_hash" ||
        fail "cannot drop the index"
    fs -n 20 "China's capital"
    expect_status 0
    expect_out "^    also in: corpus/003_6813c49a55c0ba3d.txt:5$"
    fs index
    expect_status 0
    expect_out "0 added, 0 updated, 0 renamed, 0 removed, 4 unchanged"
    [ "$(has_index)" = 1 ] || fail "a run did not make the missing index"
    fs index --rebuild -q
    expect_status 0
    [ "$(has_index)" = 1 ] || fail "no passage_hash after --rebuild"
    fs -n 20 "China's capital"
    expect_out "^    also in: corpus/003_6813c49a55c0ba3d.txt:5$"
fi

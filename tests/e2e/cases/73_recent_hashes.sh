# A small run (adding a file) puts its passages' hashes in the small index
# passage_hash_recent rather than the big passage_hash; copies are found
# across both, before and after a fold into the big one, and an index made
# before the small one (one whole passage_hash, no `recent` column) is
# searched as it is and remade by its first run that writes.
if command -v sqlite3 >/dev/null; then
    db="$work/index/fsearch.db"
    q() { sqlite3 "$db" "$1"; }
    fresh
    fs index -q
    expect_status 0
    [ "$(q "SELECT count(*) FROM sqlite_schema WHERE name = 'passage_hash_recent'")" = 1 ] ||
        fail "no passage_hash_recent after a first build"
    cp "$work/corpus/003_6813c49a55c0ba3d.txt" "$work/corpus/zz-copy.txt"
    fs index -q
    expect_status 0
    [ "$(q "SELECT count(*) FROM passage WHERE recent IS NOT NULL")" -gt 0 ] ||
        fail "an added file's hashes are not in the small index"
    fs -n 20 "China's capital"
    expect_status 0
    expect_out "^    also in: corpus/zz-copy.txt:5$"
    # the fold moves them; the same copies are found
    export FS_TEST_RECENT_FOLD=1; fs index -q; unset FS_TEST_RECENT_FOLD
    expect_status 0
    rm "$work/corpus/zz-copy.txt"
    cp "$work/corpus/003_6813c49a55c0ba3d.txt" "$work/corpus/zz-copy2.txt"
    export FS_TEST_RECENT_FOLD=1; fs index -q; unset FS_TEST_RECENT_FOLD
    expect_status 0
    [ "$(q "SELECT count(*) FROM passage WHERE recent IS NOT NULL")" = 0 ] ||
        fail "the fold left hashes in the small index"
    fs -n 20 "China's capital"
    expect_out "^    also in: corpus/zz-copy2.txt:5$"
    # an index from before the small one
    q "DROP INDEX passage_hash_recent; DROP INDEX passage_hash;
       CREATE INDEX passage_hash ON passage(hash);
       ALTER TABLE passage DROP COLUMN recent" || fail "cannot make an old index"
    fs -n 20 "China's capital"
    expect_status 0
    expect_out "^    also in: corpus/zz-copy2.txt:5$"
    fs index -q
    expect_status 0
    [ "$(q "SELECT count(*) FROM sqlite_schema WHERE name = 'passage_hash_recent'")" = 0 ] ||
        fail "a run with nothing to do remade the indexes"
    rm "$work/corpus/zz-copy2.txt"
    fs index -q
    expect_status 0
    [ "$(q "SELECT count(*) FROM sqlite_schema WHERE name = 'passage_hash' AND sql LIKE '%recent IS NULL'")" = 1 ] ||
        fail "a run that wrote did not remake passage_hash"
    fs -n 20 "China's capital"
    expect_status 0
    expect_out "^    also in: corpus/003_6813c49a55c0ba3d.txt:5$"
fi

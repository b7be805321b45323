# A search only reads the index: it opens it read-only (and maps it), so it
# never writes the index file, not even the checkpoint that a last closing
# read-write handle does; it still sees what a writer committed to the WAL.
# A closed stdout still ends quietly, though closing a read-only handle
# leaves errno at EBADF.
fresh
printf 'The readonlyquokka lives in the WAL test.\n' > "$work/corpus/ro.txt"
fs index -q
expect_status 0
if command -v python3 >/dev/null; then
    # A writer that commits and dies without closing leaves its frames in
    # the WAL, not in the index file.
    python3 - "$work/index/fsearch.db" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA wal_autocheckpoint=0")
db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('e2e', 'wal')")
os._exit(0)
PY
    [ -s "$work/index/fsearch.db-wal" ] || fail "the writer left no WAL"
    cp "$work/index/fsearch.db" "$work/before.db"
    fs readonlyquokka
    expect_status 0
    expect_out "^corpus/ro.txt:1$"
    cmp -s "$work/index/fsearch.db" "$work/before.db" ||
        fail "a search wrote to the index file"
    [ -s "$work/index/fsearch.db-wal" ] || fail "a search emptied the WAL"
    fs status
    expect_status 0
    # the next index run takes the WAL in
    fs index -q
    expect_status 0
    fs readonlyquokka
    expect_status 0
    rm -f "$work/before.db"
fi
for args in "-n 50 the" "--json -n 50 the" "-l the"; do
    (cd "$work" && $runner "$bin" $args 2>"$work/err" | head -c 10 >/dev/null)
    [ -s "$work/err" ] && fail "closed stdout ($args): $(cat "$work/err")"
done

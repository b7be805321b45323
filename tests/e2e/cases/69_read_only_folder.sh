# A user who may read an index but not write its folder (another user's
# index, a read-only mount) can search it right after an index run, when
# the WAL's side files are gone and cannot be made; nothing is written.
# While an index run holds the lock, or while the WAL of an interrupted run
# holds changes, such a search says why it cannot read instead of
# SQLite's "attempt to write a readonly database".
fresh
fs index -q
expect_status 0
for side in -wal -shm; do
    [ -e "$work/index/fsearch.db$side" ] && fail "an index run left fsearch.db$side"
done
# As root, read as nobody (root writes any folder); otherwise as ourselves.
reader=""
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    reader="setpriv --reuid=nobody --regid=nogroup --clear-groups"
    chmod -R a+rX "$work"
elif [ "$(id -u)" -eq 0 ]; then
    reader=skip
fi
cp "$bin" "$work/fsearch-reader"
chmod 755 "$work/fsearch-reader"
# (Another user cannot write a runner's logs, such as valgrind's: the
# reader then runs bare.)
read_as() {
    (cd "$work" && ${reader:-$runner} ./fsearch-reader "$@" \
        >"$work/out" 2>"$work/err")
    status=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
}
if [ "$reader" != skip ]; then
    chmod 555 "$work/index"
    cp "$work/index/fsearch.db" "$work/before.db"
    read_as -n 1 "safety zone"
    expect_status 0
    expect_out "^corpus/.*\.txt:[0-9]*$"
    expect_out "Safety Zone"
    cmp -s "$work/index/fsearch.db" "$work/before.db" ||
        fail "a search wrote to the index file"
    ls "$work/index" | grep -q -- '-shm\|-wal' && fail "a search made side files"
    read_as --json -n 3 "safety zone"
    expect_status 0
    expect_out '"path"'
    if command -v flock >/dev/null; then
        sh -c 'exec 9<"$1"; flock 9; exec sleep 5' sh "$work/index/fsearch.db.lock" &
        holder=$!
        sleep 0.3
        read_as -n 1 "safety zone"
        expect_status 2
        expect_err "^fsearch: cannot read the index 'index/fsearch.db': an 'fsearch index' run is updating it"
        kill "$holder" 2>/dev/null
        wait "$holder" 2>/dev/null
    fi
    chmod 755 "$work/index"
    if command -v python3 >/dev/null; then
        # committed frames left in the WAL by a writer that died
        python3 - "$work/index/fsearch.db" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA wal_autocheckpoint=0")
db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('e2e', 'wal')")
os._exit(0)
PY
        rm -f "$work/index/fsearch.db-shm"
        chmod -R a+rX "$work/index"
        chmod 555 "$work/index"
        read_as -n 1 "safety zone"
        expect_status 2
        expect_err "interrupted 'fsearch index' run"
        chmod 755 "$work/index"
        fs -n 1 "safety zone"
        expect_status 0
    fi
    chmod 755 "$work/index"
    rm -f "$work/before.db"
fi
rm -f "$work/fsearch-reader"

# Searches keep answering while an index run is under way on a growing
# corpus (exit 0 or 1, never 2, never "database is locked"), and a second
# indexer started meanwhile refuses with a clear message instead of
# corrupting anything.
fresh
fs index -q
expect_status 0
mkdir -p "$work/corpus/grow"
n=0
for f in /usr/share/doc/*/copyright /usr/share/common-licenses/*; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    cp "$f" "$work/corpus/grow/$n.txt"
    [ $n -ge 500 ] && break
done

(cd "$work" && exec $runner "$bin" index -q >"$work/bg.out" 2>"$work/bg.err") &
bg=$!
searches=0
refusals=0
i=0
while kill -0 "$bg" 2>/dev/null && [ $i -lt 400 ]; do
    i=$((i + 1))
    # the corpus grows while it is indexed
    cp "$top/corpus/"*.txt "$work/corpus/grow/" 2>/dev/null
    printf 'late arrival number %s, a wombatfile\n' $i > "$work/corpus/grow/late$i.txt"
    fs -q license
    if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
        fail "search during indexing: exit $status"
        break
    fi
    printf '%s' "$err" | grep -qi "locked\|busy" && fail "search saw a lock: $err"
    searches=$((searches + 1))
    if [ $refusals -eq 0 ]; then
        fs index -q
        if [ "$status" -eq 2 ]; then
            expect_err "another 'fsearch index' is updating"
            refusals=1
        elif kill -0 "$bg" 2>/dev/null; then
            fail "second indexer ran beside the first: exit $status"
        fi
    fi
done
wait "$bg"
bgstatus=$?
[ "$bgstatus" -eq 0 ] || fail "the background indexer failed: $(cat "$work/bg.err")"
[ "$searches" -ge 3 ] || fail "only $searches searches ran during indexing"
[ "$refusals" -eq 1 ] || fail "no second indexer was refused"

# Afterwards an index run picks up the late arrivals and all is consistent.
fs index -q
expect_status 0
fs -n 1000 wombatfile
expect_status 0
[ "$(printf '%s\n' "$out" | grep -c '^corpus/grow/late[0-9]*\.txt:1$')" -eq "$i" ] ||
    fail "expected $i late files found"
fs status
expect_out "^stale files: 0$"

# A held lock is refused at once, with a message naming the index.
if command -v flock >/dev/null; then
    # exec: the pid we kill is the one holding the lock
    sh -c 'exec 9>>"$1"; flock 9; exec sleep 5' sh "$work/index/fsearch.db.lock" &
    holder=$!
    sleep 0.3
    fs index
    expect_status 2
    expect_err "^fsearch: another 'fsearch index' is updating 'index/fsearch.db'"
    fs -q license
    expect_status 0
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null
    fs index -q
    expect_status 0
fi

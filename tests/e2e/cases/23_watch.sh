# 'fsearch index --watch' indexes, then again shortly after files change
# (also in folders made after it started), ignores hidden files and its own
# index, and ends with status 0 on SIGTERM or SIGINT.
if [ "$(uname -s)" = Linux ]; then
    fresh
    # wait_for FILE RE N: until FILE has N lines matching RE (10 s at most)
    wait_for() {
        t=0
        while [ "$(cat "$1" 2>/dev/null | grep -c -e "$2")" -lt "$3" ] && [ $t -lt 100 ]; do
            sleep 0.1
            t=$((t + 1))
        done
        [ $t -lt 100 ]
    }
    (cd "$work" && exec $runner "$bin" index --watch >"$work/w.out" 2>"$work/w.err") &
    watcher=$!
    wait_for "$work/w.err" "watching corpus for changes" 1 || fail "watch did not start: $(cat "$work/w.err")"
    grep -q "^indexed corpus: 4 added" "$work/w.out" || fail "no first run: $(cat "$work/w.out")"

    printf 'The wombatwatch arrived while watching.\n' > "$work/corpus/new.txt"
    found=0
    for t in $(seq 1 100); do
        fs -q wombatwatch
        if [ "$status" -eq 0 ]; then found=1; break; fi
        sleep 0.1
    done
    [ $found -eq 1 ] || fail "new file not found within 10 s: $(cat "$work/w.out")"
    expect_out "^corpus/new.txt:1$"

    # a folder made after the watch started is watched too
    mkdir "$work/corpus/later"
    wait_for "$work/w.out" "^indexed corpus" 3 || fail "no run after mkdir"
    printf 'Deep numbatwatch text.\n' > "$work/corpus/later/deep.txt"
    wait_for "$work/w.out" "^indexed corpus: 1 added" 2 || fail "file in new folder not seen: $(cat "$work/w.out")"
    fs -q numbatwatch
    expect_status 0
    expect_out "^corpus/later/deep.txt:1$"

    # removal
    rm "$work/corpus/new.txt"
    wait_for "$work/w.out" "1 removed" 1 || fail "removal not seen"
    fs -q wombatwatch
    expect_status 1

    # hidden files and idle time start no run
    runs=$(grep -c "^indexed corpus" "$work/w.out")
    printf 'x\n' > "$work/corpus/.hidden"
    sleep 1
    [ "$(grep -c "^indexed corpus" "$work/w.out")" -eq "$runs" ] ||
        fail "a hidden file or the index's own writes started a run"

    kill -TERM "$watcher"
    wait "$watcher"
    status=$?
    expect_status 0

    # an index inside the watched folder does not wake the watcher
    (cd "$work" && exec $runner "$bin" --index corpus/idx.db index --watch -q >"$work/w2.out" 2>&1) &
    watcher=$!
    wait_for "$work/w2.out" "^indexed corpus" 1 || fail "inner watch did not start"
    sleep 1.2
    [ "$(grep -c "^indexed corpus" "$work/w2.out")" -eq 1 ] ||
        fail "the index's own writes started runs: $(cat "$work/w2.out")"
    kill -INT "$watcher"
    wait "$watcher"
    status=$?
    expect_status 0
    rm -f "$work/corpus/idx.db"*

    fs --watch safety
    expect_status 2
    expect_err "--watch goes with 'fsearch index'"
fi

# Stress: several searchers run while an indexer adds, changes, renames and
# removes files, and while a second indexer tries to start. No searcher ever
# fails (exit 2), a second indexer is refused cleanly, and the final index
# finds exactly what a fresh build finds. Bounded to well under a minute.
. "$top/tests/hostile/lib.sh"
rm -rf "$work/conc" "$work/kidx" "$work/kfresh" "$work/kerr"
mkdir -p "$work/conc/sub" "$work/kerr"
nfiles=40
rounds=20
searchers=4
[ -n "$runner" ] && { nfiles=8; rounds=2; searchers=2; }
i=0
while [ $i -lt $nfiles ]; do
    sh "$top/tests/hostile/make_text.sh" $i 20 "File $i stressword$i" > "$work/conc/f$i.txt"
    i=$((i + 1))
done
fs --corpus conc --index kidx/k.db index -q
expect_status 0
rm -f "$work/stress_done"
searcher() {
    n=0
    while [ ! -f "$work/stress_done" ]; do
        for q in "safety zone" "refugees OR massacre" '"the city"' "stressword3" "sta*"; do
            (cd "$work" && timeout 60 $runner "$bin" --corpus conc --index kidx/k.db \
                -q -n 20 -- "$q" >/dev/null 2>"$work/kerr/s$1.err")
            st=$?
            if [ $st -gt 1 ]; then
                echo "searcher $1: '$q' exit $st: $(head -c 300 "$work/kerr/s$1.err")" >> "$work/kerr/failures"
            fi
            n=$((n + 1))
        done
    done
    echo $n > "$work/kerr/count$1"
}
s=0
while [ $s -lt $searchers ]; do
    searcher $s &
    s=$((s + 1))
done
start=$(date +%s)
r=0
while [ $r -lt $rounds ]; do
    j=$r
    while [ $j -lt $nfiles ]; do
        f="$work/conc/f$j.txt"
        case $(((j + r) % 5)) in
        0) rm -f "$f" ;;
        1) sh "$top/tests/hostile/make_text.sh" $((j + 100 * r + 5000)) 20 "Changed $j" > "$f" ;;
        2) [ -f "$f" ] && mv "$f" "$work/conc/sub/m$j-$r.txt" ;;
        3) sh "$top/tests/hostile/make_text.sh" $((j + 100 * r + 9000)) 5 "Added $j" > "$work/conc/n$j-$r.txt" ;;
        4) [ -f "$f" ] && sh "$top/tests/hostile/make_text.sh" $((j + 100 * r + 7000)) 3 >> "$f" ;;
        esac
        j=$((j + 3))
    done
    # Two indexers race: one does the work, the other is refused at once
    # (or runs after it); neither may wait forever, fail otherwise, or
    # damage the index.
    (cd "$work" && timeout 120 $runner "$bin" --corpus conc --index kidx/k.db \
        index >"$work/kerr/i1.out" 2>"$work/kerr/i1.err") &
    p1=$!
    (cd "$work" && timeout 120 $runner "$bin" --corpus conc --index kidx/k.db \
        index >"$work/kerr/i2.out" 2>"$work/kerr/i2.err") &
    p2=$!
    wait $p1
    st1=$?
    wait $p2
    st2=$?
    wait_ok=0
    for k in 1 2; do
        eval "st=\$st$k"
        if [ "$st" -eq 0 ]; then
            wait_ok=1
        elif ! grep -q "another 'fsearch index' is updating" "$work/kerr/i$k.err"; then
            fail "indexer $k: exit $st: $(head -c 300 "$work/kerr/i$k.err")"
        fi
    done
    [ $wait_ok -eq 1 ] || fail "round $r: both indexers refused"
    r=$((r + 1))
done
: > "$work/stress_done"
wait
[ $(($(date +%s) - start)) -lt 120 ] || fail "the stress took $(($(date +%s) - start)) s"
[ -f "$work/kerr/failures" ] && fail "searches failed: $(head -5 "$work/kerr/failures")"
total=0
for c in "$work"/kerr/count*; do total=$((total + $(cat "$c"))); done
[ "$total" -ge "$searchers" ] || fail "only $total searches ran"
# The last index run saw the final folder: it must equal a fresh build.
fs --corpus conc --index kidx/k.db index
expect_status 0
expect_out " 0 added, 0 updated, 0 renamed, 0 removed, "
fs --corpus conc --index kfresh/f.db index -q
expect_status 0
old_ifs=$IFS
IFS='|'
# shellcheck disable=SC2086 # split the query list at '|'
set -- $hostile_queries
IFS=$old_ifs
same_answers conc kidx/k.db kfresh/f.db "$@" stressword3 stressword7 Changed Added
if command -v sqlite3 >/dev/null; then
    for db in kidx/k.db kfresh/f.db; do
        sqlite3 "$work/$db" "SELECT path, size, hash, npassages FROM doc ORDER BY path" > "$work/kerr/$(basename $db).docs"
    done
    cmp -s "$work/kerr/k.db.docs" "$work/kerr/f.db.docs" || fail "the documents differ from a fresh build"
fi
rm -rf "$work/conc" "$work/kidx" "$work/kfresh" "$work/kerr" "$work/stress_done"
true

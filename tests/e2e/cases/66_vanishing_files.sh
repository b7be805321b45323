# Files that vanish, shrink, grow, turn into FIFOs or folders while the
# indexer reads them: every run ends normally (such files are skipped or
# read as they were), none hangs, and once the folder is still, the next
# run leaves an index that finds exactly what a fresh build finds.
. "$top/tests/hostile/lib.sh"
rm -rf "$work/churn" "$work/cidx" "$work/cfresh"
mkdir -p "$work/churn/sub"
nfiles=60
rounds=6
[ -n "$runner" ] && { nfiles=12; rounds=2; }
# Made-up text, different in every file: no two files share a passage, so
# the answers do not depend on which of two copies ranks first.
make_file() {
    sh "$top/tests/hostile/make_text.sh" "$1" 40 "File $1 churnword$1" > "$2"
}
path_of() {
    if [ $(($1 % 3)) -eq 0 ]; then echo "$work/churn/sub/f$1.txt"; else echo "$work/churn/f$1.txt"; fi
}
i=0
while [ $i -lt $nfiles ]; do
    make_file $i "$(path_of $i)"
    i=$((i + 1))
done
fs --corpus churn --index cidx/c.db index -q
expect_status 0
churn() {
    r=0
    while [ $r -lt $rounds ]; do
        j=0
        while [ $j -lt $nfiles ]; do
            f=$(path_of $j)
            rm -rf "$f"
            case $(((j + r) % 7)) in
            0) ;;                                   # gone
            1) : > "$f" ;;                          # empty
            2) sh "$top/tests/hostile/make_text.sh" $((j + 100 * r + 2000)) 2 "rewritten churnword" > "$f" ;;
            3) mkfifo "$f" ;;                       # a FIFO nobody writes
            4) mkdir -p "$f/inner" && make_file $j "$f/inner/x.txt" ;;
            5) make_file $j "$f"; sh "$top/tests/hostile/make_text.sh" $((j + 1000)) 40 >> "$f" ;;
            6) make_file $j "$f" ;;                 # back as it was
            esac
            j=$((j + 1))
        done
        r=$((r + 1))
    done
    : > "$work/churn_done"
}
rm -f "$work/churn_done"
churn &
churn_pid=$!
runs=0
while :; do
    [ -f "$work/churn_done" ] && [ $runs -ge 2 ] && break
    (cd "$work" && timeout 300 $runner "$bin" --corpus churn --index cidx/c.db \
        index >"$work/out" 2>"$work/err")
    status=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
    runs=$((runs + 1))
    [ "$status" -eq 124 ] && { fail "indexing hangs while files change"; break; }
    expect_status 0
    printf '%s' "$err" | grep -v '^fsearch: skipped ' | grep -q . &&
        fail "run $runs: messages other than skips: $(printf '%s' "$err" | grep -v '^fsearch: skipped ' | head -3)"
    [ $runs -ge 200 ] && break
done
wait $churn_pid
# The folder is still now: one more run catches up, and it must equal a
# fresh build of the same folder.
fs --corpus churn --index cidx/c.db index
expect_status 0
fs --corpus churn --index cfresh/f.db index -q
expect_status 0
old_ifs=$IFS
IFS='|'
# shellcheck disable=SC2086 # split the query list at '|'
set -- $hostile_queries
IFS=$old_ifs
same_answers churn cidx/c.db cfresh/f.db "$@" churnword2 churnword5 "rewritten churnword"
fs --corpus churn --index cidx/c.db index
expect_out " 0 added, 0 updated, 0 renamed, 0 removed, "
rm -rf "$work/churn" "$work/cidx" "$work/cfresh"
true

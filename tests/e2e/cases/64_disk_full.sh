# A full disk while indexing (simulated with a file size limit, SIGXFSZ
# ignored so writes fail with EFBIG as on a full disk): the run ends with a
# clear error (exit 2), the old index still answers as before, and the next
# run with room finishes the job.
fresh
chmod u+w "$work/corpus"
fs index -q
expect_status 0
fs -n 5 --color=never "safety zone"
before=$out
sh "$top/tests/hostile/make_big.sh" "$work/corpus/big.txt" 2 diskfullword ||
    fail "make_big.sh failed"
size_before=$(wc -c < "$work/index/fsearch.db")
# 400 blocks: 200 KB (sh, 512-byte blocks) or 400 KB (bash); either is far
# less than 2 MB of new text needs.
(cd "$work" && sh -c 'trap "" XFSZ; ulimit -f 400; exec "$@"' sh \
    $runner "$bin" index >"$work/out" 2>"$work/err")
status=$?
out=$(cat "$work/out")
err=$(cat "$work/err")
expect_status 2
expect_err "^fsearch: cannot write the index"
# The old index is whole and answers exactly as before.
fs -n 5 --color=never "safety zone"
expect_status 0
[ "$out" = "$before" ] || fail "the index answers differently after the failed run"
fs -q diskfullword
expect_status 1
[ "$(wc -c < "$work/index/fsearch.db")" -ge "$size_before" ] || fail "the index file shrank"
if command -v sqlite3 >/dev/null; then
    r=$(sqlite3 "$work/index/fsearch.db" "PRAGMA integrity_check" 2>&1)
    [ "$r" = "ok" ] || fail "integrity_check after the failed run: $r"
fi
# With room again, the next run adds the file.
fs index
expect_status 0
expect_out "1 added, 0 updated, 0 renamed, 0 removed, 4 unchanged"
fs -n 1 diskfullword
expect_status 0
expect_out "^corpus/big.txt:1$"
true

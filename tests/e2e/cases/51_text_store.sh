# Format 2 keeps the passage text compressed in blocks (passage_block): the
# index of the test corpus stores its text in much fewer bytes, a search
# shows the same passage text as before, the sqlite3 shell reads it back
# through the passage_text view with the extension, and a damaged block is
# a clear error, not a crash.
if command -v sqlite3 >/dev/null; then
    fresh
    fs index -q
    expect_status 0
    db=$work/index/fsearch.db
    fs status
    expect_out "^format: *2$"
    r=$(sqlite3 "$db" "SELECT sum(blen) FROM passage;
                       SELECT sum(length(data)) FROM passage_block;")
    text=$(echo $r | cut -d' ' -f1)
    stored=$(echo $r | cut -d' ' -f2)
    # format 1 kept the text as it is: 29 KB here
    [ "$text" -gt 25000 ] || fail "passage text is $text bytes"
    [ $((stored * 10)) -lt $((text * 6)) ] ||
        fail "stored text $stored bytes for $text: not compressed"

    fs --color=never -n 1 "intern ational committee"
    expect_status 0
    expect_out "^    Nanking Intern ational Committee for the Safety Zone conceived November 22 Safety Zone proposal sent to the Japanese authorities, rejected weeks later$"

    ext=$(dirname "$bin")/fsearch_ext
    if [ -f "$ext.so" ] && ! nm -D "$ext.so" 2>/dev/null | grep -q __asan; then
        # every passage's text is its file's bytes at its offset
        n=$(sqlite3 "$db" ".load $ext" "SELECT count(*) FROM passage_text t
              JOIN doc d ON d.id = t.doc_id WHERE t.body = CAST(substr(readfile(
              '$work/corpus/' || d.path), t.off + 1, length(CAST(t.body AS BLOB))) AS TEXT)" 2>&1)
        m=$(sqlite3 "$db" "SELECT count(*) FROM passage")
        [ "$n" = "$m" ] || fail "passage_text: $n of $m passages as in the files"
    fi

    # a damaged block: the search says so and exits 2
    sqlite3 "$db" "UPDATE passage_block SET data = X'01285E0123456789'
                   WHERE id = (SELECT max(id) FROM passage_block);"
    fs --color=never zone
    [ "$status" -eq 2 ] || [ "$status" -eq 0 ] || fail "exit status $status"
    fs --color=never -n 100 safety
    expect_status 2
    expect_err "passage text block"
fi

# The SQLite extension (build/fsearch_ext.so): the sqlite3 shell loads it
# and runs MATCH queries on an index fsearch built, with our tokenizer
# (stems, folded accents), our ranking and FTS5's highlight().
ext=$(dirname "$bin")/fsearch_ext
# sql DB STATEMENT...: run the sqlite3 shell with the extension loaded.
sql() {
    db=$1
    shift
    sqlite3 -bail "$db" ".load $ext" "$@" >"$work/out" 2>"$work/err"
    status=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
}
if ! command -v sqlite3 >/dev/null; then
    fail "no sqlite3 shell (make deps installs it)"
elif [ ! -f "$ext.so" ]; then
    fail "no extension at $ext.so"
elif nm -D "$ext.so" 2>/dev/null | grep -q __asan; then
    : # an ASan build cannot be loaded into the plain sqlite3 shell
else
    fresh
    fs index -q
    expect_status 0
    db=$work/index/fsearch.db

    # Without the extension the index cannot be queried at all.
    sqlite3 "$db" "SELECT count(*) FROM fts WHERE fts MATCH 'safety'" \
        >"$work/out" 2>"$work/err"
    status=$?
    err=$(cat "$work/err")
    [ "$status" -ne 0 ] || fail "MATCH worked without the extension"
    expect_err "no such tokenizer: fsearch"

    sql "$db" "SELECT count(*) FROM fts WHERE fts MATCH 'safety'"
    expect_status 0
    [ "$out" = 14 ] || fail "MATCH 'safety': $out passages, expected 14"

    # fsearch_rank orders as the command does: the same top three. The
    # command shows copies of a passage once ("also in: ..."), so the
    # shell's rows are read past the copies the command listed.
    sql "$db" "SELECT 'corpus/' || d.path || ':' || p.line FROM fts
               JOIN passage p ON p.id = fts.rowid JOIN doc d ON d.id = p.doc_id
               WHERE fts MATCH 'safety' AND rank MATCH 'fsearch_rank(''0'')'
               ORDER BY rank LIMIT 10"
    expect_status 0
    printf '%s\n' "$out" >"$work/sql_rows"
    fs -n 3 --color=never safety
    expect_status 0
    from_cli=$(printf '%s\n' "$out" | grep '^corpus/')
    printf '%s\n' "$out" | sed -n 's/^ *also in: //p' >"$work/copies"
    from_sql=$(grep -v -x -F -f "$work/copies" "$work/sql_rows" | head -3)
    [ "$(printf '%s\n' "$from_cli" | wc -l)" -eq 3 ] &&
        [ "$from_sql" = "$from_cli" ] ||
        fail "top hits differ: sql [$from_sql] cli [$from_cli]"

    # ORDER BY rank (bm25) and highlight() on the original text.
    sql "$db" "SELECT highlight(fts, 1, '[', ']') FROM fts
               WHERE fts MATCH 'safety' ORDER BY rank LIMIT 1"
    expect_status 0
    expect_out "\[Safety\] Zone"

    # The tokenizer stems and folds: executions finds execute/execution.
    sql "$db" "SELECT count(*) FROM fts WHERE fts MATCH 'executions'"
    [ "$out" = 4 ] || fail "MATCH 'executions': $out, expected 4"
    sql "$db" "SELECT (SELECT count(*) FROM fts WHERE fts MATCH 'Nánjīng') =
                      (SELECT count(*) FROM fts WHERE fts MATCH 'nanjing'),
                      (SELECT count(*) FROM fts WHERE fts MATCH 'nanjing') > 0"
    [ "$out" = "1|1" ] || fail "accents are not folded: $out"

    # fsearch_matches: int32 [start, end) pairs of the matched words.
    sql "$db" "SELECT length(fsearch_matches(fts, '0')) % 8,
                      length(fsearch_matches(fts, '0')) > 0
               FROM fts WHERE fts MATCH 'safety' ORDER BY rank LIMIT 1"
    [ "$out" = "0|1" ] || fail "fsearch_matches: $out"

    # A table of one's own with the tokenizer, in another language.
    sql ":memory:" "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='fsearch french');
                    INSERT INTO t VALUES('Les étudiants mangeaient des pommes');
                    INSERT INTO t VALUES('rien à voir');
                    SELECT rowid FROM t WHERE t MATCH 'etudiant';"
    expect_status 0
    [ "$out" = 1 ] || fail "french tokenizer: [$out], expected 1"
    sql ":memory:" "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='fsearch klingon')"
    [ "$status" -ne 0 ] || fail "an unknown stemmer was accepted"

    # The index is still fine for fsearch after the shell read it.
    fs --color=never "safety zone"
    expect_status 0
fi

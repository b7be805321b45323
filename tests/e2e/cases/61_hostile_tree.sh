# A hostile folder shape (tests/hostile/make_tree.sh): deep folders (one
# past PATH_MAX), odd names, link loops, a FIFO and a socket. Indexing
# ends (a FIFO must not hang it), every odd file is either indexed or
# skipped with its reason, and names reach the terminal without raw escapes.
rm -rf "$work/tree" "$work/tidx"
sh "$top/tests/hostile/make_tree.sh" "$work/tree" || fail "make_tree.sh failed"
(cd "$work" && timeout 120 $runner "$bin" --corpus tree --index tidx/t.db index \
    >"$work/out" 2>"$work/err")
status=$?
out=$(cat "$work/out")
err=$(cat "$work/err")
[ "$status" -eq 124 ] && fail "indexing hangs (a FIFO or a loop?)"
expect_status 0
expect_out "8 added"
expect_err "skipped fifo: a named pipe, not a regular file"
expect_err "skipped loop/self: symbolic link loop"
expect_err "skipped loop/up: symbolic link loop"
expect_err "skipped dangling: broken symbolic link"
[ -e /etc/hostname ] && expect_err "skipped outside: symbolic link leading outside the folder"
[ -S "$work/tree/sock" ] && expect_err "skipped sock: a socket, not a regular file"
expect_err "skipped dddddddddddddddd/.*/dddddddddddddddd: path too long"
# One word per odd name; the name printed must point at the file.
for w in deepfolderword spacenameword dashnameword backslashnameword loopword \
         latinnameword newlinenameword escapenameword; do
    fs --corpus tree --index tidx/t.db --color=never -n 5 "$w"
    expect_status 0
    n=$(printf '%s\n' "$out" | LC_ALL=C grep -c '^tree/.*:1$')
    [ "$n" -eq 1 ] || fail "'$w': $n hits, expected 1"
done
fs --corpus tree --index tidx/t.db --color=never toolongpathword
expect_status 1
fs --corpus tree --index tidx/t.db --color=never deepfolderword
expect_out "^tree/deep/d0/d1/.*/d199/bottom.txt:1$"
fs --corpus tree --index tidx/t.db --color=never spacenameword
expect_out "^tree/name with  spaces.txt:1$"
fs --corpus tree --index tidx/t.db --color=never loopword
expect_out "^tree/loop/in.txt:1$"
# A newline or an escape in a name is not printed raw, even with colour.
esc=$(printf '\033')
fs --corpus tree --index tidx/t.db --color=always escapenameword
expect_status 0
printf '%s' "$out" | grep -q "esc${esc}\[31mred" && fail "raw ESC from a file name reached the terminal"
expect_out 'esc^\[\[31mred.txt'
fs --corpus tree --index tidx/t.db --color=never newlinenameword
expect_status 0
[ "$(printf '%s\n' "$out" | grep -c .)" -eq 2 ] ||
    fail "a newline in a name split the hit over more lines"
# The loop entries are remembered as skipped, not as errors, on every run.
fs --corpus tree --index tidx/t.db index
expect_status 0
expect_out "0 added, 0 updated, 0 renamed, 0 removed, 8 unchanged"
true

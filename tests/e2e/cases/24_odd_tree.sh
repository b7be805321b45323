# Odd trees: link loops and links out of the corpus are skipped with a
# reason, a named pipe does not hang the run, names with spaces and newlines
# are indexed and shown escaped, a file 200 folders down is found, and an
# unreadable file is reported and skipped. No progress line in a pipe.
fresh
c="$work/corpus"
mkdir -p "$c/loops"
ln -s .. "$c/loops/up"
ln -s /etc "$c/etc-link"
mkfifo "$c/pipe.txt"
printf 'Spacey kangaroofile words.\n' > "$c/with space.txt"
printf 'Newline platypusfile words.\n' > "$c/new
line.txt"
d="$c"
i=0
while [ $i -lt 200 ]; do d="$d/d"; i=$((i + 1)); done
mkdir -p "$d"
printf 'Bottom echidnafile words.\n' > "$d/bottom.txt"
printf 'Secret dingofile words.\n' > "$c/closed.txt"
chmod 000 "$c/closed.txt"
timeout 20 sh -c 'cd "$1" && exec "$2" index' sh "$work" "$bin" >"$work/out" 2>"$work/err"
status=$?
out=$(cat "$work/out"); err=$(cat "$work/err")
expect_status 0
expect_err "skipped loops/up: symbolic link loop"
expect_err "skipped etc-link: symbolic link leading outside the folder"
expect_err "skipped pipe.txt: a named pipe, not a regular file"
printf '%s' "$err" | grep -q "indexing:" && fail "progress line in a pipe"
if [ "$(id -u)" -ne 0 ]; then
    expect_err "skipped closed.txt: unreadable: Permission denied"
    fs dingofile
    expect_status 1
fi
fs kangaroofile
expect_status 0
expect_out "^corpus/with space.txt:1$"
fs platypusfile
expect_status 0
expect_out "^corpus/new line.txt:1$"  # control characters never reach the terminal
fs echidnafile
expect_status 0
expect_out "^corpus/d/d/d/.*/d/bottom.txt:1$"
# the run is incremental on such a tree too: nothing changed, nothing done
fs index -q
expect_out " 0 added, 0 updated, 0 renamed, 0 removed, [0-9]* unchanged"
chmod 644 "$c/closed.txt"
rm -f "$c/pipe.txt"

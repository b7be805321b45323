# An --index path that goes through a regular file ("notes.txt/x.db",
# "notes.txt/sub/x.db") names the file that is not a folder, exits 2 for
# a search, `index` and `status` alike, and creates nothing: before, SQLite's
# bare "unable to open database file" was all a search said.
mkdir -p "$work/t71"
printf 'not a folder\n' > "$work/t71/notes.txt"
before=$(cksum < "$work/t71/notes.txt")
for ix in t71/notes.txt/x.db t71/notes.txt/sub/x.db "$work/t71/notes.txt/x.db"; do
    for cmd in "safety zone" index status; do
        fs --index "$ix" $cmd
        expect_status 2
        expect_err "^fsearch: cannot use the index path '$ix': '.*t71/notes.txt' is a file, not a folder$"
        printf '%s' "$err" | grep -q "unable to open" && fail "SQLite's bare message"
    done
done
[ "$(cksum < "$work/t71/notes.txt")" = "$before" ] || fail "the file was modified"
[ "$(ls "$work/t71")" = "notes.txt" ] || fail "something was created: $(ls "$work/t71")"
rm -rf "$work/t71"

# When the corpus changed after the last index run, a search says so on
# stderr (a cheap check of the folder and its direct entries) and still
# answers; after 'fsearch index' the note is gone; -q silences it.
fresh
mkdir -p "$work/corpus/sub/deeper"
printf 'A sub folder text about the safety zone.\n' > "$work/corpus/sub/a.txt"
fs index -q
expect_status 0
fs safety
expect_status 0
expect_no_err
sleep 0.05
printf 'Stalequokka arrived after the index.\n' > "$work/corpus/late.txt"
fs safety
expect_status 0
expect_err "^fsearch: the index is older than corpus/ (1 file or folder changed); run 'fsearch index'$"
fs -q safety
expect_status 0
expect_no_err
fs stalequokka
expect_status 1
fs index -q
fs stalequokka
expect_status 0
expect_no_err
# a file added in a subfolder changes the subfolder's time
sleep 0.05
printf 'Another one.\n' > "$work/corpus/sub/b.txt"
fs safety
expect_err "index is older than corpus/ (1 file or folder changed)"
# a removal directly in the root shows in the root's own time
fs index -q
sleep 0.05
rm "$work/corpus/late.txt"
fs safety
expect_err "index is older than corpus/ (1 file or folder changed)"
# edits in place of two files directly in the root count two
fs index -q
sleep 0.05
for f in $(ls "$work"/corpus/*.txt | head -2); do printf 'edited\n' >> "$f"; done
fs safety
expect_status 0
expect_err "index is older than corpus/ (2 files or folders changed)"
fs index -q
fs safety
expect_no_err
# a trailing slash in --corpus is not doubled
sleep 0.05
printf 'x\n' > "$work/corpus/x.txt"
fs --corpus corpus/ safety
expect_err "older than corpus/ (1 file or folder changed)"
fs index -q

# Adding, changing, touching, renaming and removing files updates the index.
fresh
fs index -q
expect_status 0
long="Minnie Vautrin kept a diary at Ginling College through the winter of 1937, writing each night about the women and children who had come to the campus for shelter."
printf '%s\n\nThe xylophonequartz is a test word.\n' "$long" > "$work/corpus/new.txt"
fs index
expect_status 0
expect_out "1 added, 0 updated, 0 renamed, 0 removed, 4 unchanged"
fs xylophonequartz
expect_status 0
expect_out "^corpus/new.txt:3$"
# touch alone re-reads nothing
sleep 0.01; touch "$work/corpus/new.txt"
fs index
expect_out "0 added, 0 updated, 0 renamed, 0 removed, 5 unchanged"
# change
printf '%s Changed.\n\nThe zebracornet replaced it.\n' "$long" > "$work/corpus/new.txt"
fs index
expect_out "0 added, 1 updated"
fs xylophonequartz
expect_status 1
fs zebracornet
expect_status 0
# rename is recognised by content
mkdir -p "$work/corpus/sub"
mv "$work/corpus/new.txt" "$work/corpus/sub/moved.txt"
fs index
expect_out "0 added, 0 updated, 1 renamed, 0 removed"
fs zebracornet
expect_out "^corpus/sub/moved.txt:3$"
# removal
rm "$work/corpus/sub/moved.txt"
fs index
expect_out "0 added, 0 updated, 0 renamed, 1 removed"
fs zebracornet
expect_status 1

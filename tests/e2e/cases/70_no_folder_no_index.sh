# A search (or an index run) with no index yet and no folder to build it
# from says so and makes nothing: an empty index left behind was searched
# silently by every later search in that place.
fs --corpus nowhere --index "$work/none/fsearch.db" "safety"
expect_status 2
expect_err "^fsearch: no index at .*none/fsearch.db yet, and cannot read the folder 'nowhere'"
[ -e "$work/none" ] && fail "an index (or its folder) was made without a corpus"
fs --corpus nowhere --index "$work/none/fsearch.db" "safety"
expect_status 2
fs --corpus nowhere --index "$work/none/fsearch.db" index
expect_status 2
expect_err "^fsearch: cannot read the folder 'nowhere': No such file or directory"
[ -e "$work/none" ] && fail "index made an index without a corpus"
: > "$work/plain"
fs --corpus plain --index "$work/none/fsearch.db" "safety"
expect_status 2
expect_err "cannot read the folder 'plain' to build it from: Not a directory"
[ -e "$work/none" ] && fail "an index was made from a plain file"
rm -f "$work/plain"
true

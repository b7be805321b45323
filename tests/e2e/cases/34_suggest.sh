# "did you mean": a word the index lacks gets the closest indexed words, as
# documents write them, on stderr and in the JSON summary; --fuzzy searches
# them too; known words get none.
fresh
fs index -q
fs nankng
expect_status 1
expect_err "^fsearch: did you mean: nanking?$"
fs "japanesse invasoin"
expect_err "^fsearch: did you mean: japanese, invasion?$"
fs -q nankng
expect_no_err
fs --json nankng
expect_status 1
expect_out '"suggestions":\["nanking"\]'
expect_no_err
fs safety-zome
expect_err "did you mean: safety-zone?"
# Well spelled or unguessable words: no note.
fs "nanking massacre"
expect_status 0
expect_no_err
fs qqqqqqq
expect_status 1
expect_no_err
# --fuzzy also searches the suggestion, and says so.
fs --fuzzy -n 3 nankng massacre
expect_status 0
expect_err "^fsearch: also searched for: nanking$"
expect_out "Nanking"
fs --fuzzy --json -n 1 '"nankng"'
expect_status 1
expect_out '"suggestions":\["nanking"\],"searched_too":\[\]'
# A quoted word is searched exactly as typed, even with --fuzzy: its
# suggestion is a question, not something searched.
fs --fuzzy -n 1 '"nankng"'
expect_status 1
expect_err "^fsearch: did you mean: nanking[?]$"
if printf "%s" "$err" | grep -q "also searched"; then
    fail "a quoted word said to be searched for its suggestion"
fi
fs --fuzzy -n 1 '"nankng" safty zone'
expect_status 0
expect_err "^fsearch: also searched for: safety$"
expect_err "^fsearch: did you mean: nanking[?]$"
fs -c -l "title:reminedr"
expect_status 1
fs --fuzzy -c -l "title:reminedr"
expect_status 0
[ "$out" = 1 ] || fail "title: with --fuzzy: $out files"
expect_err "also searched for: reminder"

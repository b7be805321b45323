# An index run that finds nothing to do writes nothing: the index file keeps
# its bytes and time and no WAL is left with frames in it. A run that finds
# nothing to do but sees the folder changed since (a hidden file added) or
# is given another folder still records itself, so the staleness note and
# `status` stay right. A run that writes leaves no WAL behind either.
fresh
fs index -q
expect_status 0
ix="$work/index/fsearch.db"
same_index() { [ "$(cksum < "$ix") $(stat -c %y "$ix")" = "$1" ]; }
wal_empty() { [ ! -s "$ix-wal" ]; }
before="$(cksum < "$ix") $(stat -c %y "$ix")"
wal_empty || fail "a WAL with frames after a run that wrote"
sleep 0.05
fs index
expect_status 0
expect_out "0 added, 0 updated, 0 renamed, 0 removed, 4 unchanged"
same_index "$before" || fail "a no-change run wrote the index"
wal_empty || fail "a no-change run left a WAL with frames"
fs index -q
same_index "$before" || fail "a second no-change run wrote the index"
# hidden: not indexed, but the root's time moved, which the note shows
sleep 0.05
printf 'x\n' > "$work/corpus/.hidden"
fs safety
expect_err "index is older than corpus/"
fs index
expect_out "0 added, 0 updated, 0 renamed, 0 removed, 4 unchanged"
same_index "$before" && fail "the run did not record the newer walk"
wal_empty || fail "a WAL with frames after a run that wrote"
fs safety
expect_status 0
expect_no_err
# the same files in another folder: recorded as the index's folder
after="$(cksum < "$ix") $(stat -c %y "$ix")"
cp -Rp "$work/corpus" "$work/corpus2"
fs --corpus corpus2 index
expect_out "0 added, 0 updated, 0 renamed, 0 removed, 4 unchanged"
same_index "$after" && fail "the run did not record the new folder"
fs --corpus corpus2 status
expect_out "^corpus: .*/corpus2$"
rm -rf "$work/corpus2"

# Exit statuses as grep: 0 hits, 1 none, 2 trouble, with fsearch: messages.
fs "xylophonequartz"
expect_status 1
[ -z "$out" ] || fail "output for a query with no hits"
fs --no-such-option x
expect_status 2
expect_err "^fsearch: unknown option '--no-such-option'"
fs
expect_status 2
expect_err "fsearch: no query given"
fs -n abc x
expect_status 2
expect_err "fsearch: -n needs a positive number"
fs --color=sometimes x
expect_status 2
fs --help
expect_status 0
expect_out "usage: fsearch"
expect_out "Query language"
fs --version
expect_status 0
expect_out "^fsearch [0-9][0-9.]*$"
fs --corpus nowhere --index "$work/other.db" index
expect_status 2
expect_err "fsearch: cannot read the folder 'nowhere'"
fs --index "$work/absent.db" status
expect_status 2
expect_err "no index at"

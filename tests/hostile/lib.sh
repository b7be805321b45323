# lib.sh - helpers for the e2e hostile cases (sourced by tests/e2e/cases/6*.sh,
# which run inside tests/e2e/run.sh and so have $work, $bin, $runner, fail).

# locations CORPUS INDEX QUERY: every place the query finds, one "path:line"
# a line (hits and their "also in" places alike), sorted, so that indexes
# whose row ids differ compare equal; the exit status is appended last.
locations() {
    (cd "$work" && $runner "$bin" --corpus "$1" --index "$2" --color=never \
        -q -n 100000 -- "$3" >"$work/loc_out" 2>"$work/loc_err")
    loc_status=$?
    sed -n -e 's/^    also in: //p' -e '/^[^ ].*:[0-9][0-9]*$/p' "$work/loc_out" |
        LC_ALL=C sort
    echo "exit $loc_status"
}

# same_answers CORPUS INDEX_A INDEX_B QUERY...: fail unless both indexes
# find the same places for every query.
same_answers() {
    sa_corpus=$1
    sa_a=$2
    sa_b=$3
    shift 3
    for sa_q in "$@"; do
        locations "$sa_corpus" "$sa_a" "$sa_q" > "$work/sa_a"
        locations "$sa_corpus" "$sa_b" "$sa_q" > "$work/sa_b"
        if ! cmp -s "$work/sa_a" "$work/sa_b"; then
            fail "'$sa_q': $sa_a and $sa_b differ: $(diff "$work/sa_a" "$work/sa_b" | head -8 | tr '\n' ' ')"
        fi
    done
}

# A few queries that touch most of the corpus.
hostile_queries="safety zone|refugees|nanking OR nanjing|\"safety zone\"|film -nanking|massac*|rabe|churnword|title:film|path:sub"

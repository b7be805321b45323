#!/bin/sh
# End-to-end tests: run the real fsearch binary on a copy of corpus/ and
# check what a user sees: hits, lines, highlights, messages, exit statuses.
# Each case file in tests/e2e/cases/ is sourced in turn; it uses the helpers
# below. Usage: FSEARCH_BIN=build/fsearch sh tests/e2e/run.sh [case...]
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${FSEARCH_BIN:-$top/build/fsearch}
runner=${RUNNER:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/fsearch-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
passed=0
failed=0
case_failed=0

# fs ARGS...: run fsearch in $work with the test corpus and index; sets
# $out, $err and $status.
fs() {
    (cd "$work" && $runner "$bin" "$@" >"$work/out" 2>"$work/err")
    status=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
}

fail() {
    echo "FAIL [$case_name] $*" >&2
    echo "  stdout: $(printf '%s' "$out" | head -c 600)" >&2
    echo "  stderr: $(printf '%s' "$err" | head -c 600)" >&2
    case_failed=1
}

expect_status() { [ "$status" -eq "$1" ] || fail "exit status $status, expected $1"; }
expect_out() { printf '%s' "$out" | grep -q -e "$1" || fail "stdout lacks /$1/"; }
expect_no_out() { printf '%s' "$out" | grep -q -e "$1" && fail "stdout has /$1/"; }
expect_err() { printf '%s' "$err" | grep -q -e "$1" || fail "stderr lacks /$1/"; }
expect_no_err() { [ -z "$err" ] || fail "stderr not empty"; }

# A fresh corpus copy and no index, for cases that change files.
fresh() {
    rm -rf "$work/corpus" "$work/index"
    cp -R "$top/corpus" "$work/corpus"
    mkdir -p "$work/index"
}

fresh
cases=${*:-$(ls "$top"/tests/e2e/cases/*.sh)}
for case_file in $cases; do
    case_name=$(basename "$case_file" .sh)
    case_failed=0
    out=""
    err=""
    . "$case_file"
    if [ "$case_failed" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# total.sh LOG COMMAND...: run COMMAND (a make of test suites), showing its
# output and keeping a copy in LOG, then add up the suites' closing lines
# ("NAME: N passed, N failed") into one last line, which CI reads:
#   total: N passed, N failed
# A COMMAND that fails with no failed test counted (a build error, a suite
# that died before its line) counts as one failure. Exits as COMMAND did.
set -u
log=$1
shift
mkdir -p "$(dirname "$log")"
rc_file=$log.rc
rm -f "$rc_file"
{ "$@"; echo $? > "$rc_file"; } 2>&1 | tee "$log"
rc=$(cat "$rc_file" 2>/dev/null || echo 1)
rm -f "$rc_file"
awk -v rc="$rc" '
    $1 != "total:" && /^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed/ {
        p += $2; f += $4
    }
    END {
        if (rc != 0 && f == 0)
            f = 1
        printf "total: %d passed, %d failed\n", p, f
    }' "$log"
exit "$rc"

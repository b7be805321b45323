#!/bin/sh
# make_files.sh DIR: write the hostile files of files.tbl into DIR.
# Made at test time, so no odd bytes are committed to the repository.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
mkdir -p "$dir"
grep -v '^#' "$here/files.tbl" | while IFS='|' read -r name fmt query expect; do
    # shellcheck disable=SC2059 # the table holds printf formats
    printf "$fmt" > "$dir/$name"
done

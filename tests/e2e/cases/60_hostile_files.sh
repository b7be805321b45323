# Hostile file contents, table-driven (tests/hostile/files.tbl): each file is
# indexed or skipped as the table says, and its word is found or not.
rm -rf "$work/hostile" "$work/hidx"
sh "$top/tests/hostile/make_files.sh" "$work/hostile" || fail "make_files.sh failed"
fs --corpus hostile --index hidx/h.db index
expect_status 0
index_err=$err
ntbl=$(grep -vc '^#' "$top/tests/hostile/files.tbl")
nskip=$(grep -v '^#' "$top/tests/hostile/files.tbl" | grep -c '|skip:')
expect_out "$((ntbl - nskip)) added, 0 updated, 0 renamed, 0 removed, 0 unchanged, $nskip skipped"
grep -v '^#' "$top/tests/hostile/files.tbl" > "$work/tbl"
while IFS='|' read -r name fmt query expect; do
    fs --corpus hostile --index hidx/h.db -n 5 --color=never -- "$query"
    case $expect in
    hit)
        expect_status 0
        printf '%s\n' "$out" | grep -q "^hostile/$name:[0-9]*\$" ||
            fail "$name: '$query' does not find it"
        ;;
    miss)
        expect_status 1
        printf '%s' "$index_err" | grep -q "skipped $name" &&
            fail "$name: skipped, expected indexed"
        ;;
    skip:*)
        expect_status 1
        printf '%s' "$index_err" | grep -q "^fsearch: skipped $name: ${expect#skip:}" ||
            fail "$name: not skipped as ${expect#skip:}"
        ;;
    *)
        fail "files.tbl: bad expectation '$expect' for $name"
        ;;
    esac
done < "$work/tbl"
# Whatever the bytes, what is printed is valid UTF-8 with no raw control
# character but the newline.
fs --corpus hostile --index hidx/h.db -n 50 --color=never -- zebraquagga OR quaggazebra OR wombatfox OR brulee OR pricequote OR ansiword OR ctrlword OR reversedword OR wombatle OR numbatbe
expect_status 0
printf '%s' "$out" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 || fail "output is not valid UTF-8"
printf '%s' "$out" | tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]' && fail "raw control characters in the output"
# The Latin-1, UTF-16 and NFD words come back as proper UTF-8 text.
fs --corpus hostile --index hidx/h.db -n 1 --color=never brulee
expect_out "Café à la crème brûlée"
fs --corpus hostile --index hidx/h.db -n 1 --color=never wombatle
expect_out "wombatle here"
fs --corpus hostile --index hidx/h.db -n 1 --color=never numbatbe
expect_out "numbatbe hi"
# A second run finds nothing to do: skipped files stay skipped, none re-read.
fs --corpus hostile --index hidx/h.db index
expect_status 0
expect_out "0 added, 0 updated, 0 renamed, 0 removed, $((ntbl - nskip)) unchanged"
true

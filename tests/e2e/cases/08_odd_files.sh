# Binary files are skipped with a reason; Latin-1 text keeps its words.
fresh
printf 'PK\003\004\000\000binary\000stuff' > "$work/corpus/archive.bin"
printf 'Caf\351 cr\350me in Nanjing, \340 la fa\347on.\n' > "$work/corpus/latin1.txt"
printf '\357\273\277Bom marked quokkafile here.\n' > "$work/corpus/bom.txt"
: > "$work/corpus/empty.txt"
mkdir -p "$work/corpus/.git"
printf 'hiddenquokka\n' > "$work/corpus/.git/HEAD"
fs index
expect_status 0
expect_err "skipped archive.bin: binary"
fs --color=always creme
expect_status 0
expect_out "latin1.txt"
expect_out "31mcrème"
fs quokkafile
expect_status 0
fs hiddenquokka
expect_status 1

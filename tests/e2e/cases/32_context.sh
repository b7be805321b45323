# -C N shows N numbered lines of the file before and after the passage,
# as they are in the file, dimmed on a terminal only.
fresh
fs index -q
fs -C 2 -n 1 "Minni Vautrin headmistress"
expect_status 0
f=corpus/001_82aa8027c5d96db3.txt
head=$(printf '%s\n' "$out" | head -1)
[ "$head" = "$f:17" ] || fail "first hit is $head"
l15=$(sed -n 15p "$work/$f" | cut -c1-40)
expect_out "^    15- $l15"
expect_out "^    16- $"
expect_out "^    18- $"
l19=$(sed -n 19p "$work/$f" | cut -c1-40)
expect_out "^    19- $l19"
expect_no_out "^    14- "
expect_no_out "^    20- "
# The snippet sits between the context before and after.
order=$(printf '%s\n' "$out" | grep -n -e '^    1[59]- ' -e 'Vautrin' | cut -d: -f1 | tr '\n' ' ')
[ "$order" = "2 4 6 " ] || fail "context order: $order"
fs --color=always -C 1 -n 1 "Minni Vautrin headmistress"
expect_out "$(printf '\033')\[2m    16- "
# At the start of a file there is nothing before line 1.
fs -C 3 -n 1 "path:001_* synopsis"
expect_status 0
[ "$(printf '%s\n' "$out" | head -1)" = "$f:1" ] || fail "synopsis is not at line 1"
expect_no_out "^    0- "
# That passage holds lines 1-2; context follows from line 3.
expect_no_out "^    2- "
expect_out "^    3- $"
expect_out "^    5- $"
expect_no_out "^    6- "

# A tree of many folders, which the walk reads on two threads: every file
# is found once, a no-change run changes nothing, and adding, removing and
# replacing files deep in it, or whole folders, is seen exactly.
fresh
c="$work/corpus/tree"
i=0
while [ $i -lt 60 ]; do
    j=0
    while [ $j -lt $((i % 5 + 1)) ]; do
        mkdir -p "$c/f$i/g$j/h"
        printf 'Word tree%sx%s here.\n' "$i" "$j" > "$c/f$i/g$j/a.txt"
        printf 'Deep deep%sx%s here.\n' "$i" "$j" > "$c/f$i/g$j/h/b.txt"
        j=$((j + 1))
    done
    printf 'Top top%s here.\n' "$i" > "$c/f$i.txt"   # sorts after f$i/
    printf 'Dash dash%s here.\n' "$i" > "$c/f$i-x.txt" # sorts before f$i/
    i=$((i + 1))
done
mkdir -p "$c/f7/g0/h/loop"
ln -s ../../.. "$c/f7/g0/h/loop/up"
n=$(find "$work/corpus" -type f | wc -l)
fs index -q
expect_status 0
expect_out "$n added, 0 updated, 0 renamed, 0 removed, 0 unchanged, 1 skipped"
fs index -q
expect_out " 0 added, 0 updated, 0 renamed, 0 removed, $n unchanged, 1 skipped"
fs deep59x4
expect_status 0
expect_out "^corpus/tree/f59/g4/h/b.txt:1$"
# one file added deep down, one removed, one changed, a folder removed
printf 'Fresh wombatleaf here.\n' > "$c/f33/g2/h/new.txt"
rm "$c/f12/g1/a.txt"
printf 'Changed tree40x0 and quokkaleaf.\n' > "$c/f40/g0/a.txt"
rm -r "$c/f44"         # 10 files
fs index -q
expect_out " 1 added, 1 updated, 0 renamed, 11 removed, $((n - 12)) unchanged, 1 skipped"
fs wombatleaf
expect_out "^corpus/tree/f33/g2/h/new.txt:1$"
fs quokkaleaf
expect_out "^corpus/tree/f40/g0/a.txt:1$"
fs deep44x0
expect_status 1
fs index -q
expect_out " 0 added, 0 updated, 0 renamed, 0 removed, $((n - 10)) unchanged, 1 skipped"

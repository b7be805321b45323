# Pseudo-relevance feedback: a long question also finds, below the files
# with its words, a file with none of them but with the words that mark its
# best answer; those added words are not highlighted. Keyword queries (up
# to three words) are never widened.
mkdir -p "$work/fb"
printf '%s\n' 'Wing flutter' '' 'The flutter of a swept wing at transonic' \
    'speed was measured: aeroelastic divergence and aeroelastic damping' \
    'were found, an aeroelastic effect.' >"$work/fb/a.txt"
printf '%s\n' 'Tailoring notes' '' \
    'Aeroelastic tailoring delays aeroelastic divergence.' >"$work/fb/b.txt"
printf '%s\n' 'Bread' '' 'Bake the loaf for an hour, then let it cool.' \
    >"$work/fb/c.txt"
fs --corpus fb --index "$work/fb.db" index -q
expect_status 0
fs --corpus fb --index "$work/fb.db" -l \
    "how does the flutter of a swept wing change at transonic speed"
expect_status 0
[ "$out" = "$(printf 'fb/a.txt\nfb/b.txt')" ] || fail "feedback files: $out"
fs --corpus fb --index "$work/fb.db" --json \
    "how does the flutter of a swept wing change at transonic speed"
printf '%s\n' "$out" | grep '"path":"b.txt"' | grep -q '"matches":\[\]' ||
    fail "an added word is highlighted: $out"
fs --corpus fb --index "$work/fb.db" -l "flutter swept wing"
[ "$out" = "fb/a.txt" ] || fail "a keyword query was widened: $out"
# --no-expand searches the typed words only: the file that holds none of
# them is gone, the file with them stays.
fs --corpus fb --index "$work/fb.db" -l --no-expand \
    "how does the flutter of a swept wing change at transonic speed"
expect_status 0
[ "$out" = "fb/a.txt" ] || fail "--no-expand still widened: $out"
# Once ten words are weighed, a word common in the index (here "report",
# in most passages) is counted only until its weight falls below them
# (feedback.c's weigh): it is not added, so the files with only it stay
# out, while a file with only added rare words comes in.
mkdir -p "$work/fb2"
printf '%s\n' 'Glacier survey' '' \
    'The glacier moraine held crevasse serac firn ablation cirque tarn' \
    'esker drumlin nunatak: crevasse serac firn ablation cirque tarn esker' \
    'drumlin nunatak, and one report.' >"$work/fb2/top.txt"
printf '%s\n' 'Field' '' 'An esker and a drumlin nunatak line.' \
    >"$work/fb2/rare.txt"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    printf '%s\n' "Note $i" '' "A report on the harvest of year $i." \
        >"$work/fb2/c$i.txt"
done
fs --corpus fb2 --index "$work/fb2.db" index -q
expect_status 0
fs --corpus fb2 --index "$work/fb2.db" -l \
    "how did the glacier leave its moraine in the valley"
expect_status 0
[ "$out" = "$(printf 'fb2/top.txt\nfb2/rare.txt')" ] ||
    fail "feedback with a common word: $out"

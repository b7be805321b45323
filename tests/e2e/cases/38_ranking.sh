# Ranking: passages with all the words before passages with some; words
# close together before words far apart; a match in the title weighs more.
fresh
fs index -q
fs --json -n 40 "rabe safety refugees"
expect_status 0
printf '%s\n' "$out" > "$work/json"
python3 - "$work/json" <<'PY' || fail "all words first"
import json, sys, re
hits = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")][:-1]
def covered(t):
    t = t.lower()
    return sum(bool(re.search(w, t)) for w in (r"\brabe", r"\bsafety", r"\brefugee"))
cov = [covered(h["title"] + " " + h["text"]) for h in hits]
assert cov == sorted(cov, reverse=True), cov
assert cov[0] == 3 and cov[-1] < 3, cov
PY
# A corpus made for the purpose: same words, near or far, title or not.
mkdir -p "$work/rank"
filler="one two three four five six seven eight nine ten eleven twelve"
printf 'Notes\n\nThe quokka sat there; %s %s %s and then a wombat came.\n' \
    "$filler" "$filler" "$filler" > "$work/rank/far.txt"
printf 'Notes\n\nThe quokka wombat pair sat there; %s %s %s and then left.\n' \
    "$filler" "$filler" "$filler" > "$work/rank/near.txt"
printf 'Numbat notes\n\nA small animal lives here; %s %s, a numbat.\n' \
    "$filler" "$filler" > "$work/rank/title.txt"
printf 'Animal notes\n\nA small animal lives here; %s %s, a numbat.\n' \
    "$filler" "$filler" > "$work/rank/body.txt"
fs --corpus rank --index "$work/rank.db" index -q
fs --corpus rank --index "$work/rank.db" -l "quokka wombat"
expect_status 0
[ "$(printf '%s\n' "$out" | head -1)" = "rank/near.txt" ] || fail "proximity: $out"
fs --corpus rank --index "$work/rank.db" -l numbat
[ "$(printf '%s\n' "$out" | head -1)" = "rank/title.txt" ] || fail "title weight: $out"

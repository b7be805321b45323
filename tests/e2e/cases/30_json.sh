# --json: JSON Lines, one "hit" object per hit and a closing "summary",
# parsed here with Python's json module; the shape is the documented one.
fresh
fs index -q
fs --json -n 3 "China's capital"
expect_status 0
printf '%s\n' "$out" > "$work/json"
python3 - "$work/json" <<'PY' || fail "JSON shape"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
objs = [json.loads(l) for l in lines]
hits, summary = objs[:-1], objs[-1]
assert len(hits) == 3, len(hits)
keys = {"type", "rank", "path", "line", "end_line", "title", "score",
        "snippet", "text", "matches", "also_in"}
for i, h in enumerate(hits):
    assert set(h) == keys, sorted(h)
    assert h["type"] == "hit" and h["rank"] == i + 1
    assert isinstance(h["line"], int) and h["end_line"] >= h["line"] >= 1
    assert isinstance(h["score"], float) or isinstance(h["score"], int)
    text = h["text"].encode("utf-8")
    assert h["matches"], h
    for s, e in h["matches"]:
        word = text[s:e].decode("utf-8").lower()
        assert word in ("china", "china\u2019s", "capital"), word
    assert "\u00abcapital\u00bb" in h["snippet"], h["snippet"]
scores = [h["score"] for h in hits]
assert scores == sorted(scores, reverse=True), scores
first = hits[0]
assert first["path"] == "001_82aa8027c5d96db3.txt" and first["line"] == 13
assert first["also_in"] == [{"path": "003_6813c49a55c0ba3d.txt", "line": 5}]
assert first["snippet"].startswith("\u2026")
assert summary["type"] == "summary" and summary["hits"] == 3
assert summary["suggestions"] == []
assert isinstance(summary["elapsed_ms"], (int, float)) and summary["elapsed_ms"] >= 0
PY
# No hits: only the summary, exit 1.
fs --json xylophonequartz
expect_status 1
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "more than the summary"
expect_out '^{"type":"summary","hits":0,'
# Control characters and quotes in a document are escaped by SQLite's JSON.
printf 'Quokkajson says "hi"\\ \001\033[31m tab\there.\n' > "$work/corpus/ctl.txt"
fs index -q
fs --json quokkajson
expect_status 0
printf '%s\n' "$out" | head -1 > "$work/json"
python3 - "$work/json" <<'PY' || fail "JSON escaping"
import json, sys
h = json.loads(open(sys.argv[1], encoding="utf-8").read())
assert h["text"] == 'Quokkajson says "hi"\\ \x01\x1b[31m tab\there.', repr(h["text"])
assert h["path"] == "ctl.txt"
PY
expect_no_out "$(printf '\033')"

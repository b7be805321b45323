/*
** query_bench.c - in-process query latency of libfsearch: the index is
** opened once, then every query of a file is run RUNS times (after one
** warm-up pass), each time taking the top LIMIT hits with their snippets,
** as the CLI shows them. Prints one line per query (bench_util.h).
**
**   query_bench INDEX QUERIES RUNS [LIMIT]
*/
#include <fsearch.h>

#include "bench_util.h"

/* One search, timed: open the cursor, take up to `limit` hits and read each
** snippet (so lazily built parts are paid for). Returns the hits seen, or
** -1 on error (message printed). */
static long run_query(fsearch *fs, const char *query, unsigned int limit,
                      double *ms_out, size_t *bytes_out)
{
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    fsearch_cursor *cur = NULL;
    const fsearch_hit *hit;
    long nhits = 0;
    size_t bytes = 0;
    double t0 = bench_now_ms();
    so.limit = limit;
    int rc = fsearch_search(&cur, fs, query, &so);
    while (rc == FSEARCH_OK && (rc = fsearch_next(cur, &hit)) == FSEARCH_OK) {
        nhits++;
        bytes += hit->snippet_len + hit->nsnippet_matches;
    }
    *ms_out = bench_now_ms() - t0;
    *bytes_out += bytes;
    fsearch_cursor_free(cur);
    if (rc != FSEARCH_DONE) {
        fprintf(stderr, "query_bench: '%s': %s\n", query, fsearch_errmsg(fs));
        return -1;
    }
    return nhits;
}

int main(int argc, char **argv)
{
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    fsearch *fs = NULL;
    bench_queries q;
    size_t bytes = 0;

    if (argc < 4) {
        fprintf(stderr, "usage: query_bench INDEX QUERIES RUNS [LIMIT]\n");
        return 2;
    }
    int runs = atoi(argv[3]);
    unsigned int limit = argc > 4 ? (unsigned int)atoi(argv[4]) : 10;
    if (runs < 1 || runs > 1000) {
        fprintf(stderr, "query_bench: RUNS must be 1..1000\n");
        return 2;
    }
    bench_read_queries(&q, argv[2]);
    o.flags = FSEARCH_OPEN_READONLY;
    if (fsearch_open(&fs, argv[1], &o) != FSEARCH_OK) {
        fprintf(stderr, "query_bench: %s\n", fsearch_errmsg(fs));
        fsearch_close(fs);
        return 2;
    }

    double *ms = calloc((size_t)q.n * (size_t)runs, sizeof *ms);
    long *hits = calloc((size_t)q.n, sizeof *hits);
    if (!ms || !hits) {
        perror("calloc");
        return 2;
    }
    int status = 0;
    /* Pass 0 warms the page cache and SQLite's; it is not counted. Runs
    ** go round the whole list so that one query's pages do not stay hot
    ** for its next run more than in real use. */
    for (int r = 0; r <= runs && status == 0; r++) {
        for (int i = 0; i < q.n; i++) {
            double t;
            long n = run_query(fs, q.line[i], limit, &t, &bytes);
            if (n < 0) {
                status = 1;
                break;
            }
            hits[i] = n;
            if (r > 0)
                ms[(size_t)i * (size_t)runs + (size_t)(r - 1)] = t;
        }
    }
    if (status == 0)
        for (int i = 0; i < q.n; i++)
            bench_report(ms + (size_t)i * (size_t)runs, runs, hits[i],
                         q.line[i]);
    fprintf(stderr, "query_bench: %zu snippet bytes read\n", bytes);
    free(ms);
    free(hits);
    bench_free_queries(&q);
    fsearch_close(fs);
    return status;
}

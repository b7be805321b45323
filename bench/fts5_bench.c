/*
** fts5_bench.c - in-process query latency of a plain SQLite FTS5 table,
** the peer fsearch is measured against: the top LIMIT rows by FTS5's own
** bm25 rank, each with snippet() of column SNIPCOL, as an application
** using FTS5 directly would run them. Queries are already in FTS5 syntax.
** Prints one line per query (bench_util.h).
**
**   fts5_bench DB TABLE SNIPCOL QUERIES RUNS [LIMIT]
*/
#include <sqlite3.h>

#include "bench_util.h"

static long run_query(sqlite3_stmt *st, const char *query, double *ms_out)
{
    long n = 0;
    double t0 = bench_now_ms();
    sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        (void)sqlite3_column_text(st, 1);
        n++;
    }
    *ms_out = bench_now_ms() - t0;
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : -1;
}

int main(int argc, char **argv)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bench_queries q;
    char sql[512];

    if (argc < 6) {
        fprintf(stderr, "usage: fts5_bench DB TABLE SNIPCOL QUERIES RUNS [LIMIT]\n");
        return 2;
    }
    int snipcol = atoi(argv[3]);
    int runs = atoi(argv[5]);
    int limit = argc > 6 ? atoi(argv[6]) : 10;
    if (runs < 1 || runs > 1000) {
        fprintf(stderr, "fts5_bench: RUNS must be 1..1000\n");
        return 2;
    }
    bench_read_queries(&q, argv[4]);
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "fts5_bench: %s\n", sqlite3_errmsg(db));
        return 2;
    }
    snprintf(sql, sizeof sql,
             "SELECT rowid, snippet(%s, %d, '[', ']', '...', 24) FROM %s "
             "WHERE %s MATCH ?1 ORDER BY rank LIMIT %d",
             argv[2], snipcol, argv[2], argv[2], limit);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "fts5_bench: %s\n", sqlite3_errmsg(db));
        return 2;
    }
    double *ms = calloc((size_t)q.n * (size_t)runs, sizeof *ms);
    long *hits = calloc((size_t)q.n, sizeof *hits);
    if (!ms || !hits) {
        perror("calloc");
        return 2;
    }
    for (int r = 0; r <= runs; r++) {
        for (int i = 0; i < q.n; i++) {
            double t;
            long n = run_query(st, q.line[i], &t);
            if (n < 0) {
                /* A query FTS5 cannot parse counts as 0 hits, timed. */
                if (r == 0)
                    fprintf(stderr, "fts5_bench: '%s': %s\n", q.line[i],
                            sqlite3_errmsg(db));
                n = 0;
            }
            hits[i] = n;
            if (r > 0)
                ms[(size_t)i * (size_t)runs + (size_t)(r - 1)] = t;
        }
    }
    for (int i = 0; i < q.n; i++)
        bench_report(ms + (size_t)i * (size_t)runs, runs, hits[i], q.line[i]);
    free(ms);
    free(hits);
    bench_free_queries(&q);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}

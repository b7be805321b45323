/*
** bench_util.h - what the query timers of bench/ share: reading the query
** file, a monotonic clock, and printing one line per query with the median,
** fastest and slowest of its runs. Header-only (static functions), as each
** timer is a single-file program.
*/
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_MAX_QUERIES 256

typedef struct bench_queries {
    char *line[BENCH_MAX_QUERIES];  /* one query per line, owned */
    int n;
} bench_queries;

/* Read `path`, one query per line (blank lines skipped). Exits on error:
** these are measuring tools, not library code. */
static void bench_read_queries(bench_queries *q, const char *path)
{
    char buf[4096];
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    q->n = 0;
    while (fgets(buf, sizeof buf, f) && q->n < BENCH_MAX_QUERIES) {
        size_t len = strcspn(buf, "\r\n");
        buf[len] = '\0';
        if (len == 0)
            continue;
        q->line[q->n] = (char *)malloc(len + 1);
        if (!q->line[q->n]) {
            perror("malloc");
            exit(2);
        }
        memcpy(q->line[q->n], buf, len + 1);
        q->n++;
    }
    fclose(f);
}

static void bench_free_queries(bench_queries *q)
{
    for (int i = 0; i < q->n; i++)
        free(q->line[i]);
    q->n = 0;
}

static double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int bench_cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Print "median<TAB>min<TAB>max<TAB>hits<TAB>query" for the `runs` times of
** one query; sorts `ms` in place. */
static void bench_report(double *ms, int runs, long hits, const char *query)
{
    qsort(ms, (size_t)runs, sizeof *ms, bench_cmp_double);
    double median = runs % 2 ? ms[runs / 2]
                             : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
    printf("%.3f\t%.3f\t%.3f\t%ld\t%s\n", median, ms[0], ms[runs - 1], hits,
           query);
}

#endif /* BENCH_UTIL_H */

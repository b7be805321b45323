/*
** docrank.c - run judged queries through the fsearch library and write a
** TREC run that ranks documents from their passages, for the relevance
** benchmark (bench/relevance.sh).
**
** Every query goes through fsearch_search(), the default query path that
** `fsearch QUERY` uses, in one process over one index. A document's score
** is built from its passages' scores the way `fsearch -l` does it (see
** doc_score() below); the run lists the documents best first.
**
** usage: docrank INDEX QUERIES.tsv TAG [DEPTH] > RUN
*/
#include <fsearch.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PASSAGES 100000u  /* passages read per query: all of them */

typedef struct doc {
    char *path;        /* as the hit gives it, "0001.txt" */
    double best;       /* best passage score */
    double rest;       /* sum of the other passages' scores */
    int npassages;
    int order;         /* first-seen position: ties keep fsearch's order */
} doc;

typedef struct docs {
    doc *v;
    size_t n, cap;
} docs;

/*
** Document score from passage scores: the best passage decides, and the
** other matching passages of the document add a little, so that among
** documents whose best passages tie, the one that says more about the
** query comes first.
*/
static double doc_score(const doc *d)
{
    return d->best + 0.1 * d->rest;
}

static doc *doc_find(docs *ds, const char *path)
{
    for (size_t i = 0; i < ds->n; i++)
        if (strcmp(ds->v[i].path, path) == 0)
            return &ds->v[i];
    if (ds->n == ds->cap) {
        size_t ncap = ds->cap ? ds->cap * 2 : 256;
        doc *p = realloc(ds->v, ncap * sizeof *p);
        if (!p)
            return NULL;
        ds->v = p;
        ds->cap = ncap;
    }
    doc *d = &ds->v[ds->n];
    memset(d, 0, sizeof *d);
    d->path = strdup(path);
    if (!d->path)
        return NULL;
    d->order = (int)ds->n++;
    return d;
}

static void doc_add(doc *d, double score)
{
    if (d->npassages++ == 0) {
        d->best = score;
    } else if (score > d->best) {
        d->rest += d->best;
        d->best = score;
    } else {
        d->rest += score;
    }
}

static int by_score(const void *a, const void *b)
{
    const doc *x = a, *y = b;
    double sx = doc_score(x), sy = doc_score(y);
    if (sx != sy)
        return sx > sy ? -1 : 1;
    return x->order - y->order;
}

/* "0001.txt" -> "0001": the collection's docid is the file name stem. */
static void print_docid(FILE *out, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    fprintf(out, "%.*s", (int)(dot ? (size_t)(dot - base) : strlen(base)),
            base);
}

static int run_query(fsearch *fs, const char *qid, const char *text,
                     const char *tag, size_t depth, docs *ds)
{
    fsearch_search_options opts = FSEARCH_SEARCH_OPTIONS_INIT;
    opts.limit = MAX_PASSAGES;
    opts.snippet_bytes = 40;
    fsearch_cursor *cur = NULL;
    int rc = fsearch_search(&cur, fs, text, &opts);
    if (rc != FSEARCH_OK) {
        fprintf(stderr, "docrank: query %s: %s\n", qid, fsearch_errmsg(fs));
        return rc == FSEARCH_EQUERY ? 0 : rc;
    }
    const fsearch_hit *hit;
    while ((rc = fsearch_next(cur, &hit)) == FSEARCH_OK) {
        doc *d = doc_find(ds, hit->path);
        if (!d) {
            rc = FSEARCH_ENOMEM;
            break;
        }
        doc_add(d, hit->score);
        /* The same passage in other documents is folded into this hit. */
        for (size_t i = 0; i < hit->nalso_in; i++) {
            doc *o = doc_find(ds, hit->also_in[i].path);
            if (!o) {
                rc = FSEARCH_ENOMEM;
                break;
            }
            doc_add(o, hit->score);
        }
        if (rc != FSEARCH_OK)
            break;
    }
    fsearch_cursor_free(cur);
    if (rc != FSEARCH_DONE) {
        fprintf(stderr, "docrank: query %s: %s\n", qid, fsearch_errmsg(fs));
        return rc;
    }
    qsort(ds->v, ds->n, sizeof *ds->v, by_score);
    for (size_t i = 0; i < ds->n && i < depth; i++) {
        printf("%s Q0 ", qid);
        print_docid(stdout, ds->v[i].path);
        /* The score restates the rank so that score.py, which orders by
        ** score, sees exactly fsearch's order. */
        printf(" %zu %zu %s\n", i + 1, depth - i, tag);
    }
    for (size_t i = 0; i < ds->n; i++)
        free(ds->v[i].path);
    ds->n = 0;
    return FSEARCH_OK;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: docrank INDEX QUERIES.tsv TAG [DEPTH]\n");
        return 2;
    }
    size_t depth = argc == 5 ? (size_t)strtoul(argv[4], NULL, 10) : 1000;
    FILE *in = fopen(argv[2], "r");
    if (!in) {
        perror(argv[2]);
        return 2;
    }
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    o.flags = FSEARCH_OPEN_READONLY;
    fsearch *fs = NULL;
    int rc = fsearch_open(&fs, argv[1], &o);
    if (rc != FSEARCH_OK) {
        fprintf(stderr, "docrank: %s: %s\n", argv[1], fsearch_errmsg(fs));
        fsearch_close(fs);
        fclose(in);
        return 2;
    }
    docs ds = { NULL, 0, 0 };
    char line[8192];
    while (rc == FSEARCH_OK && fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        rc = run_query(fs, line, tab + 1, argv[3], depth, &ds);
    }
    free(ds.v);
    fclose(in);
    fsearch_close(fs);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("docrank: stdout");
        return 2;
    }
    return rc == FSEARCH_OK ? 0 : 2;
}

/*
** index.c - an example of embedding libfsearch: create or update the index
** of a folder, reporting each file through the progress callback, then
** print the run's statistics.
**
**   cc index.c $(pkg-config --cflags --libs fsearch) -o fsearch-index
**   ./fsearch-index index/fsearch.db corpus
*/
#include <fsearch.h>

#include <inttypes.h>
#include <stdio.h>

/* What the callback keeps between calls; it is the payload. */
typedef struct progress {
    unsigned long nevents;       /* calls seen */
    uint64_t last_done;          /* files_done of the last call */
} progress;

/* Called by fsearch_index() for each file it adds, updates, renames,
** removes or skips, and now and then with counters only. Everything in *ev
** is borrowed for the call. Returning non-zero would stop the run. */
static int on_event(const fsearch_event *ev, void *payload)
{
    progress *p = payload;

    p->nevents++;
    p->last_done = ev->files_done;
    switch (ev->kind) {
    case FSEARCH_EVENT_ADDED:
        printf("added %s\n", ev->path);
        break;
    case FSEARCH_EVENT_UPDATED:
        printf("updated %s\n", ev->path);
        break;
    case FSEARCH_EVENT_RENAMED:
        printf("renamed %s -> %s\n", ev->old_path, ev->path);
        break;
    case FSEARCH_EVENT_REMOVED:
        printf("removed %s\n", ev->path);
        break;
    case FSEARCH_EVENT_SKIPPED:
        printf("skipped %s: %s\n", ev->path, ev->reason);
        break;
    default:
        break;              /* PROGRESS, FINISHING, kinds added later */
    }
    return 0;
}

int main(int argc, char **argv)
{
    fsearch *fs = NULL;
    fsearch_options o = FSEARCH_OPTIONS_INIT;
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    fsearch_index_stats stats;
    fsearch_status st;
    progress p = { 0, 0 };
    int rc;

    if (argc != 3) {
        fprintf(stderr, "usage: %s INDEX FOLDER\n", argv[0]);
        return 2;
    }
    o.flags = FSEARCH_OPEN_CREATE;
    io.progress = on_event;
    io.payload = &p;
    rc = fsearch_open(&fs, argv[1], &o);
    if (rc == FSEARCH_OK)
        rc = fsearch_index(fs, argv[2], &io, &stats);
    if (rc == FSEARCH_OK)
        rc = fsearch_stat(fs, &st);
    if (rc == FSEARCH_OK) {
        printf("%" PRIu64 " added, %" PRIu64 " updated, %" PRIu64
               " renamed, %" PRIu64 " removed, %" PRIu64 " unchanged, %"
               PRIu64 " skipped\n", stats.added, stats.updated, stats.renamed,
               stats.removed, stats.unchanged, stats.skipped);
        printf("index: %" PRIu64 " documents, %" PRIu64 " passages, "
               "language %s\n", st.documents, st.passages, st.language);
        printf("progress calls: %lu\n", p.nevents);
    } else {
        fprintf(stderr, "%s: %s (%s)\n", argv[0], fsearch_errmsg(fs),
                fsearch_errstr(rc));
    }
    fsearch_close(fs);
    return rc == FSEARCH_OK ? 0 : 2;
}

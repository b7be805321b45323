/*
** index_cmd.c - `fsearch index` and `fsearch status`: progress on a
** terminal, one summary line at the end, and the facts about an index.
*/
#include "cli.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__GLIBC__) && defined(__linux__)
#include <malloc.h>
#include <sys/mman.h>
#if defined(M_TOP_PAD) && defined(MADV_HUGEPAGE)
#define HAVE_HEAP_HUGE 1
#endif
#endif

#define WATCH_QUIET_MS 200   /* changes settle this long before a run */
#define WATCH_TICK_MS 1000   /* how often a waiting watcher checks for stop */

/* Set by SIGINT/SIGTERM while --watch runs. The CLI's one piece of mutable
** global state: a signal handler has nowhere else to write. */
static volatile sig_atomic_t stop_requested;

typedef struct progress {
    const cli_opts *o;
    int tty;                 /* stderr is a terminal: draw a status line */
    int drawn;               /* a status line is on screen */
    struct timespec start, last;
    unsigned long skipped_shown;
    int finishing;           /* the files are done; a step's line is up */
} progress;

static double since(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) +
           (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void clear_line(progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        p->drawn = 0;
    }
}

static int on_event(const fsearch_event *ev, void *payload)
{
    progress *p = payload;
    if (stop_requested)
        return 1; /* ends the run, keeping what is committed */
    if (p->o->quiet)
        return 0;
    if (ev->kind == FSEARCH_EVENT_SKIPPED) {
        clear_line(p);
        fputs("fsearch: skipped ", stderr);
        cli_put_safe(stderr, ev->path, strlen(ev->path));
        fprintf(stderr, ": %s\n", ev->reason ? ev->reason : "");
        return 0;
    }
    if (!p->tty)
        return 0;
    if (ev->kind == FSEARCH_EVENT_FINISHING) {
        /* The files are done but the run is not: say what it does rather
        ** than leave "0:00 left" standing for seconds. */
        fprintf(stderr, "\r\033[Kindexing: %llu/%llu files, finishing the "
                "index (%s)...", (unsigned long long)ev->files_done,
                (unsigned long long)ev->files_total,
                ev->reason ? ev->reason : "");
        p->drawn = 1;
        p->finishing = 1;
        return 0;
    }
    if (p->finishing)
        return 0; /* the step's line stands until the next step */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (since(&p->last, &now) < 0.1 && ev->files_done < ev->files_total)
        return 0;
    p->last = now;
    double secs = since(&p->start, &now);
    double mbs = secs > 0 ? (double)ev->bytes_done / 1e6 / secs : 0;
    double left = 0;
    if (ev->bytes_done > 0 && ev->bytes_total > ev->bytes_done)
        left = secs * (double)(ev->bytes_total - ev->bytes_done) /
               (double)ev->bytes_done;
    fprintf(stderr, "\r\033[Kindexing: %llu/%llu files, %.1f MB/s, %d:%02d left",
            (unsigned long long)ev->files_done,
            (unsigned long long)ev->files_total, mbs, (int)left / 60,
            (int)left % 60);
    p->drawn = 1;
    return 0;
}

/*
** The heap of the process's main thread in huge pages, its next HEAP_HUGE
** bytes. That thread writes the index, and SQLite's cache is in its heap:
** each 16 KB page it reads lands in fresh memory, four page faults, ~10 us
** each on the bench machine (an added file reads ~200 pages of the index).
** A huge page costs one fault and ~0.15 ms to clear 2 MB. glibc grows the
** heap by HEAP_HUGE at once (M_TOP_PAD), and keeps that much when it
** trims; the grown part is advised for huge pages. Past it (a big build)
** the heap grows as usual. Process-wide, so the command's, not the
** library's; where any of it is missing nothing changes.
*/
#define HEAP_HUGE ((size_t)32 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)

static void heap_in_huge_pages(void)
{
#ifdef HAVE_HEAP_HUGE
    if (mallopt(M_TOP_PAD, (int)HEAP_HUGE) != 1)
        return;
    /* Blocks below the mmap threshold until the heap grows once. */
    void *blk[32];
    int n = 0;
    char *from = sbrk(0);
    while (n < 32 && (char *)sbrk(0) == from && (blk[n] = malloc(16 << 10)))
        n++;
    char *to = sbrk(0);
    while (n > 0)
        free(blk[--n]);
    uintptr_t lo = ((uintptr_t)from + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t hi = (uintptr_t)to & ~(HUGE_PAGE - 1);
    if (from != (char *)-1 && hi > lo)
        madvise((void *)lo, (size_t)(hi - lo), MADV_HUGEPAGE);
#endif
}

/* A watcher between runs: give back the heap a run freed. With M_TOP_PAD
** glibc trims only past HEAP_HUGE, so an idle watcher kept up to 32 MB of
** a run's freed memory (SQLite's cache of a big run, say). The next run's
** heap_in_huge_pages() grows and advises the heap again. */
static void heap_give_back(void)
{
#ifdef HAVE_HEAP_HUGE
    malloc_trim(0);
#endif
}

int cli_index(fsearch *fs, const cli_opts *o, unsigned flags, int announce)
{
    heap_in_huge_pages();
    progress p;
    memset(&p, 0, sizeof p);
    p.o = o;
    p.tty = isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &p.start);
    p.last = p.start;
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    io.flags = flags;
    io.progress = on_event;
    io.payload = &p;
    fsearch_index_stats st;
    int rc = fsearch_index(fs, o->corpus, &io, &st);
    clear_line(&p);
    if (rc != FSEARCH_OK) {
        cli_error("%s", fsearch_errmsg(fs));
        return EXIT_TROUBLE;
    }
    /* After a search-triggered build the summary goes to stderr, so that
    ** stdout holds only hits. */
    FILE *out = announce ? stderr : stdout;
    if (!o->quiet || !announce)
        fprintf(out,
                "%s%s: %llu added, %llu updated, %llu renamed, %llu removed, "
                "%llu unchanged, %llu skipped in %.2f s\n",
                (flags & FSEARCH_INDEX_DRY_RUN) ? "would index " : "indexed ",
                o->corpus, (unsigned long long)st.added,
                (unsigned long long)st.updated,
                (unsigned long long)st.renamed, (unsigned long long)st.removed,
                (unsigned long long)st.unchanged,
                (unsigned long long)st.skipped, st.seconds);
    return EXIT_HITS;
}

static int count_event(const fsearch_event *ev, void *payload)
{
    (void)ev;
    (void)payload;
    return 0;
}

int cli_status(fsearch *fs, const cli_opts *o)
{
    fsearch_status s;
    if (fsearch_stat(fs, &s) != FSEARCH_OK) {
        cli_error("%s", fsearch_errmsg(fs));
        return EXIT_TROUBLE;
    }
    char when[64] = "never";
    if (s.last_update > 0) {
        time_t t = (time_t)s.last_update;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    }
    printf("index:       %s\n", o->index);
    printf("corpus:      %s\n", s.root ? s.root : "(never indexed)");
    printf("documents:   %llu\n", (unsigned long long)s.documents);
    printf("passages:    %llu\n", (unsigned long long)s.passages);
    printf("index size:  %.1f MB\n", (double)s.index_bytes / 1e6);
    printf("language:    %s\n", s.language ? s.language : "?");
    printf("format:      %u\n", s.format_version);
    printf("last update: %s\n", when);

    /* Stale files: what a dry run would change. */
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    io.flags = FSEARCH_INDEX_DRY_RUN;
    io.progress = count_event;
    fsearch_index_stats st;
    if (fsearch_index(fs, o->corpus, &io, &st) != FSEARCH_OK) {
        printf("stale files: unknown (%s)\n", fsearch_errmsg(fs));
        return EXIT_HITS;
    }
    unsigned long long stale = st.added + st.updated + st.renamed + st.removed;
    printf("stale files: %llu%s\n", stale,
           stale ? " (run 'fsearch index')" : "");
    return EXIT_HITS;
}

void cli_stale_note(fsearch *fs, const cli_opts *o)
{
    uint64_t n = 0;
    /* Only a hint: a folder that cannot be read is the index run's
    ** business, not the search's. */
    if (fsearch_index_stale(fs, o->corpus, &n) != FSEARCH_OK || n == 0)
        return;
    size_t len = strlen(o->corpus);
    int slash = len > 0 && o->corpus[len - 1] == '/';
    fputs("fsearch: the index is older than ", stderr);
    cli_put_safe(stderr, o->corpus, len);
    fprintf(stderr, "%s (%llu %s changed); run 'fsearch index'\n",
            slash ? "" : "/", (unsigned long long)n,
            n == 1 ? "file or folder" : "files or folders");
}

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

int cli_watch(fsearch *fs, const cli_opts *o, unsigned flags)
{
    /* No SA_RESTART: a signal must wake the watcher from its wait. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    /* Watch first, so that nothing changed during the first run is lost. */
    fsearch_watch *w = NULL;
    if (fsearch_watch_open(&w, fs, o->corpus) != FSEARCH_OK) {
        cli_error("%s", fsearch_errmsg(fs));
        return EXIT_TROUBLE;
    }
    int status = cli_index(fs, o, flags, 0);
    fflush(stdout);
    heap_give_back();
    if (!o->quiet && !stop_requested) {
        fputs("fsearch: watching ", stderr);
        cli_put_safe(stderr, o->corpus, strlen(o->corpus));
        fputs(" for changes; interrupt to stop\n", stderr);
    }
    /* A failed run (say another indexer held the index) is reported and
    ** the next change tries again; only losing the folder ends the watch. */
    while (!stop_requested) {
        int rc = fsearch_watch_wait(w, WATCH_QUIET_MS, WATCH_TICK_MS);
        if (stop_requested)
            break;
        if (rc == FSEARCH_OK) {
            status = cli_index(fs, o, 0, 0);
            fflush(stdout);
            heap_give_back();
        } else if (rc != FSEARCH_DONE && rc != FSEARCH_EINTR) {
            cli_error("%s", fsearch_errmsg(fs));
            fsearch_watch_free(w);
            return EXIT_TROUBLE;
        }
    }
    fsearch_watch_free(w);
    (void)status;
    return EXIT_HITS;
}

/*
** statring.c - a folder's stats in one io_uring submission (statring.h).
**
** The ring is set up by raw system calls (no liburing): one mapping for
** both queues (IORING_FEAT_SINGLE_MMAP, Linux 5.4) and one for the entries.
** Statx on the ring came with Linux 5.6; an older kernel answers -EINVAL,
** which no stat of a name gives, and the ring is then given up. The kernel
** runs a statx on a worker of its io-wq; the number of such workers is
** capped, so that a walk of a cold tree, where stats wait for the disk,
** does not start hundreds of threads.
*/
#include "statring.h"
#include "alloc.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/io_uring.h>) && __has_include(<linux/stat.h>)
#include <sys/syscall.h>
#if defined(SYS_io_uring_setup) && defined(SYS_io_uring_enter) && \
    defined(SYS_io_uring_register)
#define HAVE_RING 1
#endif
#endif
#endif

#ifdef HAVE_RING
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/stat.h>
#include <sys/mman.h>

#define RING_ENTRIES 256          /* stats submitted at once, at most */
#define RING_WORKERS 4            /* the kernel's workers for them */
#define REGISTER_IOWQ_MAX_WORKERS 19   /* IORING_REGISTER_..., Linux 5.15 */
#define DRAIN_IDLE_MS 10000       /* see drain() */

struct fs_statring {
    int fd;
    unsigned entries;
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
    unsigned *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
    void *rings, *sqe_map;
    size_t nrings, nsqe_map;
    struct statx *sx;             /* one per entry submitted */
    unsigned inflight;            /* submitted, not yet reaped */
    int broken;
    int stranded;                 /* requests may still write into sx */
    unsigned fail_in;             /* tests: the fail_in'th wait fails */
};

fs_statring *fs_statring_new(void)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    int fd = (int)syscall(SYS_io_uring_setup, RING_ENTRIES, &p);
    if (fd < 0)
        return NULL;
    fs_statring *g = fs_calloc(sizeof *g);
    if (!g || !(p.features & IORING_FEAT_SINGLE_MMAP)) {
        fs_free(g);
        close(fd);
        return NULL;
    }
    g->fd = fd;
    g->entries = p.sq_entries;
    size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    g->nrings = sq_len > cq_len ? sq_len : cq_len;
    g->nsqe_map = p.sq_entries * sizeof(struct io_uring_sqe);
    g->rings = mmap(NULL, g->nrings, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
    g->sqe_map = mmap(NULL, g->nsqe_map, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
    g->sx = fs_malloc(p.sq_entries * sizeof *g->sx);
    if (g->rings == MAP_FAILED || g->sqe_map == MAP_FAILED || !g->sx) {
        if (g->rings == MAP_FAILED)
            g->rings = NULL;
        if (g->sqe_map == MAP_FAILED)
            g->sqe_map = NULL;
        fs_statring_free(g);
        return NULL;
    }
    char *r = g->rings;
    g->sq_head = (unsigned *)(r + p.sq_off.head);
    g->sq_tail = (unsigned *)(r + p.sq_off.tail);
    g->sq_mask = (unsigned *)(r + p.sq_off.ring_mask);
    g->sq_array = (unsigned *)(r + p.sq_off.array);
    g->cq_head = (unsigned *)(r + p.cq_off.head);
    g->cq_tail = (unsigned *)(r + p.cq_off.tail);
    g->cq_mask = (unsigned *)(r + p.cq_off.ring_mask);
    g->cqes = (struct io_uring_cqe *)(r + p.cq_off.cqes);
    g->sqes = g->sqe_map;
    /* Bounded work unchanged (0), unbounded (statx) capped. An older
    ** kernel refuses: its default cap is then kept. */
    unsigned max[2] = { 0, RING_WORKERS };
    syscall(SYS_io_uring_register, fd, REGISTER_IOWQ_MAX_WORKERS, max, 2);
    return g;
}

/* Take the completions the kernel has posted. */
static void reap(fs_statring *g, size_t base, fs_statres *out)
{
    unsigned head = *g->cq_head;
    unsigned tail = __atomic_load_n(g->cq_tail, __ATOMIC_ACQUIRE);
    for (; head != tail; head++) {
        const struct io_uring_cqe *c = &g->cqes[head & *g->cq_mask];
        unsigned j = (unsigned)c->user_data;
        const struct statx *x = &g->sx[j];
        fs_statres *o = &out[base + j];
        g->inflight--;
        if (c->res == -EINVAL) {
            /* No statx on this kernel's rings (before 5.6). */
            g->broken = 1;
            continue;
        }
        /* A failed stat is left to the caller's fstatat, whose errno is
        ** the one to trust: io-wq may fail a request for its own reasons
        ** (-ECANCELED when it cannot start a worker). */
        if (c->res < 0)
            continue;
        unsigned need = STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_MTIME;
        if ((x->stx_mask & need) != need)
            continue;             /* the caller asks fstatat */
        o->mode = x->stx_mode;
        o->size = x->stx_size;
        o->mtime_sec = x->stx_mtime.tv_sec;
        o->mtime_nsec = (long)x->stx_mtime.tv_nsec;
        o->done = 1;
    }
    __atomic_store_n(g->cq_head, head, __ATOMIC_RELEASE);
}

/* Entries put in the submission queue that the kernel has not taken. */
static unsigned untaken(const fs_statring *g)
{
    return *g->sq_tail - __atomic_load_n(g->sq_head, __ATOMIC_ACQUIRE);
}

/*
** After a failed io_uring_enter: wait until no request the kernel took is
** still running, reaping their completions into out (base as in reap()).
** Until then a worker of the kernel may write a result into g->sx, and
** (before Linux 5.18 copied them at submission) read a name of the
** caller's: neither may be freed, and closing the ring does not wait (its
** teardown is asynchronous). Waits through io_uring_enter, or if that
** fails too, by watching the completion queue, where the workers post
** without being asked. A request still unfinished after DRAIN_IDLE_MS
** without progress (a hung network file system, where fstatat would hang
** as well) strands its buffer: fs_statring_free() then leaves g->sx
** allocated rather than free it under the kernel. Entries the kernel never
** took stay untaken: the ring is given up.
*/
static void drain(fs_statring *g, size_t base, fs_statres *out)
{
    unsigned idle_ms = 0;
    while (g->inflight > untaken(g)) {
        unsigned before = g->inflight;
        long r = syscall(SYS_io_uring_enter, g->fd, 0,
                         g->inflight - untaken(g), IORING_ENTER_GETEVENTS,
                         NULL, 0);
        int err = r < 0 ? errno : 0;
        reap(g, base, out);
        if (g->inflight < before)
            idle_ms = 0;
        else if (err && err != EINTR) {
            if (++idle_ms > DRAIN_IDLE_MS) {
                g->stranded = 1;
                return;
            }
            struct timespec ms = { 0, 1000000 };
            nanosleep(&ms, NULL);
        }
    }
}

void fs_statring_fail_in(fs_statring *g, unsigned n)
{
    g->fail_in = n;
}

unsigned fs_statring_inflight(const fs_statring *g)
{
    return g->inflight - untaken(g);
}

int fs_statring_stat(fs_statring *g, int dirfd, const char *const *names,
                     size_t n, fs_statres *out)
{
    for (size_t i = 0; i < n; i++)
        memset(&out[i], 0, sizeof out[i]);
    for (size_t base = 0; base < n && !g->broken;) {
        unsigned k = n - base < g->entries ? (unsigned)(n - base) : g->entries;
        unsigned tail = *g->sq_tail;
        /* The kernel's writes are unseen by memory checkers: start from
        ** defined bytes. */
        memset(g->sx, 0, k * sizeof *g->sx);
        for (unsigned j = 0; j < k; j++) {
            unsigned idx = (tail + j) & *g->sq_mask;
            struct io_uring_sqe *e = &g->sqes[idx];
            memset(e, 0, sizeof *e);
            e->opcode = IORING_OP_STATX;
            e->fd = dirfd;
            e->addr = (uint64_t)(uintptr_t)names[base + j];
            e->len = STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_MTIME;
            e->off = (uint64_t)(uintptr_t)&g->sx[j];
            e->statx_flags = AT_SYMLINK_NOFOLLOW;
            e->user_data = j;
            g->sq_array[idx] = idx;
        }
        __atomic_store_n(g->sq_tail, tail + k, __ATOMIC_RELEASE);
        g->inflight += k;
        while (g->inflight > 0) {
            unsigned unsent =
                tail + k - __atomic_load_n(g->sq_head, __ATOMIC_ACQUIRE);
            long r;
            if (g->fail_in && --g->fail_in == 0) {
                /* A test's failure, once the requests are on their way. */
                syscall(SYS_io_uring_enter, g->fd, unsent, 0, 0, NULL, 0);
                errno = EIO;
                r = -1;
            } else {
                r = syscall(SYS_io_uring_enter, g->fd, unsent, g->inflight,
                            IORING_ENTER_GETEVENTS, NULL, 0);
            }
            /* A signal: again. Short of kernel memory (EAGAIN) or of room
            ** for completions (EBUSY): again while some are in flight,
            ** whose completions make room; with none, give up rather than
            ** spin. */
            if (r < 0 && errno != EINTR &&
                ((errno != EAGAIN && errno != EBUSY) ||
                 unsent == g->inflight)) {
                g->broken = 1;
                drain(g, base, out);
                break;
            }
            reap(g, base, out);
        }
        base += k;
    }
    return g->broken ? -1 : 0;
}

void fs_statring_free(fs_statring *g)
{
    if (!g)
        return;
    /* Nothing runs on the ring any more (drain()), unless stranded. */
    close(g->fd);
    if (g->sqe_map)
        munmap(g->sqe_map, g->nsqe_map);
    if (g->rings)
        munmap(g->rings, g->nrings);
    if (!g->stranded)
        fs_free(g->sx);
    fs_free(g);
}

#else /* no io_uring */

fs_statring *fs_statring_new(void)
{
    return NULL;
}

int fs_statring_stat(fs_statring *g, int dirfd, const char *const *names,
                     size_t n, fs_statres *out)
{
    (void)g;
    (void)dirfd;
    (void)names;
    for (size_t i = 0; i < n; i++)
        memset(&out[i], 0, sizeof out[i]);
    return -1;
}

void fs_statring_free(fs_statring *g)
{
    (void)g;
}

void fs_statring_fail_in(fs_statring *g, unsigned n)
{
    (void)g;
    (void)n;
}

unsigned fs_statring_inflight(const fs_statring *g)
{
    (void)g;
    return 0;
}

#endif

/*
** process.c - settings that belong to the whole process, made by the
** command before the library opens anything. The library itself never
** changes SQLite's process-wide configuration: it may share the process
** with an application that has its own.
*/
#include "cli.h"

#include <fcntl.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

void cli_process_setup(void)
{
    /* SQLite counts every allocation (under a mutex) for its memory
    ** statistics and heap limits, which the command never reads: about a
    ** tenth of a one-search process's instructions, mostly while it parses
    ** the schema. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    /* No bulk page-cache allocation per pager (20 pages up front, each
    ** slot's header written, so each a fresh page fault): a search reads
    ** the index mapped and caches a handful of pages, and each temporary
    ** table a statement opens made one too. Pages are allocated one by one
    ** as needed instead; an index run's cache grows past 20 pages anyway. */
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
}

/* ---------------------------------------------------------------------- */
/* SQLite's allocator for a one-search process                             */

/* valgrind's header comes with valgrind itself (Debian's package), so a
** build on a machine that can run `make valgrind` knows when it runs under
** it; without the header the arena is always used. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define FS_UNDER_VALGRIND RUNNING_ON_VALGRIND
#endif
#endif
#ifndef FS_UNDER_VALGRIND
#define FS_UNDER_VALGRIND 0
#endif

/* Blocks up to SMALL bytes come in 16-byte size classes carved from CHUNK
** byte chunks, each class with its own free list; larger ones are glibc's.
** A block is preceded by a 16-byte header holding its size. */
#define SMALL 1024
#define CHUNK (64 << 10)
#define HDR 16

static struct {
    void *free[SMALL / 16 + 1];
    char *next, *end;
    int on;              /* SQLite allocates here */
} arena;

static void *arena_alloc(int n)
{
    if (n <= 0)
        n = 1;
    size_t r = ((size_t)n + 15) & ~(size_t)15;
    char *h;
    if (r <= SMALL) {
        void **f = &arena.free[r / 16];
        if (*f) {
            h = (char *)*f - HDR;
            *f = *(void **)*f;
        } else {
            if ((size_t)(arena.end - arena.next) < r + HDR) {
                char *c = malloc(CHUNK);
                if (!c)
                    return NULL;
                arena.next = c;
                arena.end = c + CHUNK;
            }
            h = arena.next;
            arena.next += r + HDR;
        }
    } else if (!(h = malloc(r + HDR))) {
        return NULL;
    }
    *(size_t *)h = r;
    return h + HDR;
}

static void arena_free(void *p)
{
    if (!p)
        return;
    char *h = (char *)p - HDR;
    size_t r = *(size_t *)h;
    if (r <= SMALL) {
        *(void **)p = arena.free[r / 16];
        arena.free[r / 16] = p;
    } else {
        free(h);
    }
}

static int arena_size(void *p)
{
    return p ? (int)*(size_t *)((char *)p - HDR) : 0;
}

static void *arena_realloc(void *p, int n)
{
    size_t r = ((size_t)(n > 0 ? n : 1) + 15) & ~(size_t)15;
    if (p && (size_t)arena_size(p) >= r && (r > SMALL / 2 ||
                                            (size_t)arena_size(p) == r))
        return p;
    void *q = arena_alloc(n);
    if (q && p) {
        size_t old = (size_t)arena_size(p);
        memcpy(q, p, old < r ? old : r);
        arena_free(p);
    }
    return q;
}

static int arena_roundup(int n)
{
    return (int)(((size_t)(n > 0 ? n : 1) + 15) & ~(size_t)15);
}

static int arena_init(void *unused)
{
    (void)unused;
    return SQLITE_OK;
}

static void arena_shutdown(void *unused)
{
    (void)unused;
}

/* The heap of a one-search process, made present in one go. On a
** paravirtualized guest (the bench machine: a Firecracker VM with PVM)
** each page fault is an exception the hypervisor takes part in, 10-20 us,
** against under 1 us a page for MADV_POPULATE_WRITE over a range: a
** search's ~110 heap faults were ~1.5 ms, populating 1 MB costs ~0.25 ms.
** glibc's heap is one brk range: grown once by HEAP_AHEAD, kept (no trim),
** populated, and every block is carved from it, large ones too (no mmap
** per block, each with its own faults). A search needs 0.5-1.1 MB; past
** HEAP_AHEAD the heap grows and faults as before. Where the advice is
** unknown (kernels before 5.14) the pages fault in on first touch. */
#define HEAP_AHEAD (1 << 20)

static void heap_ahead(void)
{
#ifdef MADV_POPULATE_WRITE
    if (!mallopt(M_MMAP_THRESHOLD, 16 << 20) ||
        !mallopt(M_TRIM_THRESHOLD, 64 << 20))
        return;
    char *p = malloc(HEAP_AHEAD);
    if (!p)
        return;
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    char *start = (char *)((uintptr_t)p & ~(pg - 1));
    free(p);
    char *end = sbrk(0);
    if (end != (char *)-1 && end > start)
        (void)madvise(start, (size_t)(end - start), MADV_POPULATE_WRITE);
#endif
}

/* SQLite's read-only mapping of the index (the only one of 2 MB or more),
** with MADV_HUGEPAGE: a page the kernel must read from storage then comes
** in a 2 MB folio (see cli_index_recache), which later searches map in one
** fault. This VM's host pages out page cache idle for a minute (DAMON), and
** searches read it back: in 4-128 KB folios without the advice, so the
** faults came back too. Cold index, "safety zone": 76 -> 18 ms, and 262 MB
** read instead of 303 (fincore); the next search 21 -> 9.3 ms, 194 -> 147
** faults. */
static void *map_huge(void *addr, size_t len, int prot, int flags, int fd,
                      off_t off)
{
    void *m = mmap(addr, len, prot, flags, fd, off);
#ifdef MADV_HUGEPAGE
    if (m != MAP_FAILED && prot == PROT_READ && len >= ((size_t)2 << 20))
        (void)madvise(m, len, MADV_HUGEPAGE);
#endif
    return m;
}

void cli_process_brief(void)
{
    /* A one-search process maps the index (FSEARCH_OPEN_BRIEF), but the
    ** library can only say so once the handle is open, after the header,
    ** page 1 and the schema's pages were already read into SQLite's cache:
    ** each read a copy into fresh heap pages (four page faults per 16 KB
    ** page, as many as the map takes for a whole 64 KB window). As the
    ** default of every connection opened from now on, they are mapped
    ** from the first read. The library's own pragma then asks the same. */
    sqlite3_config(SQLITE_CONFIG_MMAP_SIZE, (sqlite3_int64)1 << 40,
                   (sqlite3_int64)1 << 40);
    /* The arena: SQLite's ~1 400 allocations of a cheap search (parsing
    ** the schema and the statements, mostly) through glibc's malloc and
    ** free were 14% of its instructions. Not under a sanitizer or valgrind,
    ** which would then no longer see each block. */
#if !defined(__SANITIZE_ADDRESS__)
    static const sqlite3_mem_methods m = {
        arena_alloc, arena_free, arena_realloc, arena_size, arena_roundup,
        arena_init, arena_shutdown, NULL
    };
    if (!FS_UNDER_VALGRIND) {
        heap_ahead();
        arena.on = sqlite3_config(SQLITE_CONFIG_MALLOC, &m) == SQLITE_OK;
    }
#endif
    /* Last: finding the VFS initializes SQLite, after which the settings
    ** above could no longer be made. */
    sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
    if (vfs && vfs->iVersion >= 3 && vfs->xSetSystemCall)
        (void)vfs->xSetSystemCall(vfs, "mmap", (sqlite3_syscall_ptr)map_huge);
}

int cli_process_unwatched(void)
{
    return arena.on;
}

/* ---------------------------------------------------------------------- */
/* The index's cached pages after a build                                  */

/* An index written by SQLite (16 KB writes, then the checkpoint's) sits in
** the kernel's page cache as small folios, so a search's mapping of it
** faults in one 64 KB window at a time (fault-around): ~100 faults a
** search on the bench index, at 10-20 us each on the bench machine. Read
** back through a MADV_HUGEPAGE mapping, the cache holds 2 MB folios
** (where the file system supports large folios: ext4 on 6.x, xfs), which
** a search maps 2 MB at a time: one search per process took ~40% less
** CPU. Done once after a run that wrote the whole index (first build,
** --rebuild): its pages are clean after the close's checkpoint and sync,
** so they are dropped and read again, ~0.2 s for 600 MB from cache-warm
** storage. Only for a regular file that fits well in memory; any failure
** just leaves the cache as it was (or cold: the next search reads it). */
#define RECACHE_MIN ((off_t)8 << 20)

/* The start of the kernel's file `path` into buf[0..size), NUL-terminated:
** 1, or 0 when it cannot be read or is empty. */
static int read_start(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return 1;
}

/* 1 unless the administrator turned transparent huge pages off. */
static int huge_pages_allowed(void)
{
    char buf[128];
    return read_start("/sys/kernel/mm/transparent_hugepage/enabled", buf,
                      sizeof buf) &&
           strstr(buf, "[never]") == NULL;
}

/* The file is read back through a window of RECACHE_WINDOW bytes moved
** along it, each mapped, populated and unmapped in turn: the folios stay
** in the page cache, but the process never holds more than one window, so
** its peak RSS grows by at most RECACHE_WINDOW, not by the size of the index (a
** single mapping of the 600 MB bench index made the build's peak RSS
** 654 MB). */
#define RECACHE_WINDOW ((size_t)4 << 20)

/* Map [off, off + len) of fd asking for huge pages; NULL if refused. */
static void *recache_map(int fd, off_t off, size_t len)
{
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
    if (m == MAP_FAILED)
        return NULL;
    if (madvise(m, len, MADV_HUGEPAGE) != 0) {
        munmap(m, len);
        return NULL;
    }
    return m;
}

void cli_index_recache(const char *path)
{
#if defined(MADV_HUGEPAGE) && defined(MADV_POPULATE_READ)
    if (!huge_pages_allowed())
        return;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st;
    struct sysinfo si;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_size >= RECACHE_MIN && sysinfo(&si) == 0 &&
        (uint64_t)st.st_size <= (uint64_t)si.totalram * si.mem_unit / 4) {
        size_t n = (size_t)st.st_size;
        size_t w = n < RECACHE_WINDOW ? n : RECACHE_WINDOW;
        /* Asked before anything is dropped: where huge pages are refused
        ** for this file the small folios stay as they are. */
        void *m = recache_map(fd, 0, w);
        if (m && fdatasync(fd) == 0 &&
            posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0) {
            size_t off = 0;
            while (m) {
                (void)madvise(m, w, MADV_POPULATE_READ);
                munmap(m, w);
                m = NULL;
                off += w;
                if (off >= n)
                    break;
                w = n - off < RECACHE_WINDOW ? n - off : RECACHE_WINDOW;
                m = recache_map(fd, (off_t)off, w);
            }
        }
        if (m)
            munmap(m, w);
    }
    close(fd);
#else
    (void)path;
#endif
}

/* ---------------------------------------------------------------------- */
/* The command's own code in 2 MB folios                                   */

/* The static command's code and constants are one segment from
** __executable_start to fsearch_huge_end, both on 2 MB boundaries
** (src/cli/hugetext.ld): where the binary's page cache holds 2 MB folios a
** search maps it in 2 faults instead of ~45. The Makefile writes the file
** so, but this VM's host pages out page cache idle for a minute, and the
** kernel reads an executable back in small folios (the exec mapping has no
** huge-page advice), for every process after that. Weak: a link without
** the script (sanitizers, fsearch-dyn) has no fsearch_huge_end. */
extern const char __executable_start[];
extern const char fsearch_huge_end[] __attribute__((weak));
#define HUGE_ALIGN ((uintptr_t)2 << 20)

/* 1 when the first mapping of this process (the lowest: the binary's
** code, as it is not position-independent) is mapped in 2 MB pages
** throughout, or when that cannot be told. Only the first lines of
** /proc/self/smaps are read (~10-40 us). Neither mincore() nor the fault
** count can tell: an exec reads the whole small file into the cache, and
** a process's fault count includes its parent's fork. */
static int text_is_huge(size_t len)
{
    char buf[2048];
    if (!read_start("/proc/self/smaps", buf, sizeof buf))
        return 1;
    const char *f = strstr(buf, "\nFilePmdMapped:");
    if (!f)
        return 1;
    return strtoul(f + 15, NULL, 10) * 1024 >= len;
}

void cli_binary_recache(void)
{
#if defined(MADV_HUGEPAGE) && defined(MADV_PAGEOUT) && defined(MADV_POPULATE_READ)
    const char *start = __executable_start, *end = fsearch_huge_end;
    if (!end || end <= start || (uintptr_t)start % HUGE_ALIGN ||
        (uintptr_t)end % HUGE_ALIGN)
        return;
    size_t len = (size_t)(end - start);
    if (text_is_huge(len) || !huge_pages_allowed())
        return;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    /* With the advice, a fault in the range the cache lacks reads a 2 MB
    ** folio. The small folios go first: those no process maps
    ** (DONTNEED), then those only this process maps (PAGEOUT, which leaves
    ** those another process maps, and refuses a file this user could not
    ** write). The code running here faults its own pages back at once, now
    ** as 2 MB folios; POPULATE_READ brings the rest. Each step may fail and
    ** leave small folios, as before. */
    void *s = (void *)(uintptr_t)start;
    if (madvise(s, len, MADV_HUGEPAGE) == 0 &&
        posix_fadvise(fd, 0, (off_t)len, POSIX_FADV_DONTNEED) == 0 &&
        madvise(s, len, MADV_PAGEOUT) == 0)
        (void)madvise(s, len, MADV_POPULATE_READ);
    close(fd);
#endif
}

/*
** walk.c - a depth-first walk of the corpus folder in index order.
**
** Each folder is read whole (its names, then a stat per file) and sorted,
** with a folder's name compared as "name/", which makes the walk's order
** equal to sorting full paths bytewise. Memory is one sorted listing per
** level of depth, not the tree, plus a bounded number read ahead.
**
** On a warm tree the walk is the kernel's work: a name lookup and a stat per
** file. So a helper thread reads folders ahead, the ones the walk will enter
** next, deepest first. The caller takes a listing the helper has finished,
** or reads the folder itself if the helper has not got to it; while it waits
** for one the helper is reading, it reads the next folder ahead itself. Who
** read a folder changes nothing: the same entries come out, in the same
** order, with the same reasons.
**
** A folder's files are stat'ed in one io_uring submission where the kernel
** allows (statring.h): on the bench's virtual machine most of a stat's cost
** was entering and leaving the kernel, which the ring pays once a folder.
*/
#include "walk.h"
#include "alloc.h"
#include "buf.h"
#include "fsearch.h"
#include "statring.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef FS_HAVE_HUGE_PAGES
#define HAVE_SLABS 1
#endif

/* Read ahead at most this much (about 6 MB at most): with less, the helper
** stopped at the limit while the caller read the folders it needed itself
** (64 folders: the caller did 70% of the work on the full bench slice). */
#define AHEAD_ITEMS 65536        /* entries in listings read ahead */
#define AHEAD_FOLDERS 1024       /* listings read ahead */
#define DENTS_BYTES 32768        /* a folder's entries read at once */
#define RING_MIN 4               /* fewer stats than this: one by one */
#define SLAB_BYTES ((size_t)2 << 20) /* a huge page (slab, below) */
#define SLAB_AFTER 4096          /* entries a reader lists before slabs */
#define TEST_SLAB_BYTES ((size_t)64 << 10) /* FS_WALK_TEST_SLABS */

enum { K_FILE, K_DIR, K_SKIP, K_STAT };

struct job;

/*
** Listings in slabs. Every 4 KB page of fresh memory costs a page fault,
** ~10 us on the bench machine, and the listings of a walk of the full
** slice (their items and names, ~3 MB, read ahead by a second thread,
** whose malloc arena is fresh as well) were ~320 of a no-change run's
** ~530 faults. So once a reader has listed SLAB_AFTER entries (a small
** tree keeps to malloc), it carves its listings from slabs of 2 MB, each
** one mapping advised for a huge page: one fault. A slab is never reused
** piecemeal: it is unmapped when the last listing in it is freed, by
** whichever thread frees it. The walk frees listings about in the order
** it read them, so few slabs are held at once: those of the frames being
** walked and of what is read ahead.
*/
typedef struct slab {
    size_t used;             /* bytes carved, this header included */
    size_t bytes;            /* of the mapping */
    unsigned refs;           /* listings in it, +1 while a reader fills it */
} slab;

typedef struct item {
    const char *name;        /* in the listing's names, NUL-terminated */
    size_t nname;            /* bytes */
    int kind;                /* K_FILE, K_DIR or K_SKIP */
    uint64_t size;           /* K_FILE */
    int64_t mtime_ns;        /* K_FILE */
    const char *skip_reason; /* K_SKIP: static text */
    struct job *job;         /* K_DIR: who reads it; NULL: nobody yet */
    /* (K_STAT: to be stat'ed, while the folder is being read.) */
} item;

/* One folder read whole, sorted. */
typedef struct listing {
    item *items;
    size_t n;
    char *names;             /* every entry's type byte, name and NUL */
    slab *slab;              /* items and names are in it; NULL: malloc'd */
    dev_t dev;               /* the folder itself, to refuse loops */
    ino_t ino;
    int rc;                  /* FSEARCH_OK or FSEARCH_ENOMEM */
    char why[160];           /* not empty: the folder cannot be read */
} listing;

/* A folder read ahead of the caller. Once read, its own folders can be
** read ahead too: the helper is not limited to the folders of the frames. */
typedef struct job {
    int ready;               /* the listing is complete */
    int orphan;              /* its folder was discarded while being read */
    listing l;
    char *rel;               /* the folder's relative path */
    size_t ahead;            /* the next entry to look at for reading ahead */
    struct job *prev, *next; /* the list of ready jobs, oldest first */
} job;

typedef struct frame {
    size_t prefix_len;       /* bytes of w->rel that are this folder's path */
    char *rel;               /* the same path, for reading ahead */
    listing l;
    size_t next;             /* the caller's next entry */
    size_t ahead;            /* the next entry to look at for reading ahead */
} frame;

/* Scratch of one thread reading folders. */
typedef struct reader {
    fs_buf path;             /* root + '/' + folder, then + '/' + entry */
    fs_buf names;            /* the listing's names being collected */
    fs_buf rel;              /* the relative path of a folder to read ahead */
    char *dents;             /* DENTS_BYTES for getdents64 */
    /* Stats through io_uring (statring.h), set up by the first folder
    ** with enough files; each reader is one thread, with its own ring. */
    int ring_tried;
    fs_statring *ring;
    const char **stat_names; /* the names to stat, and their results */
    fs_statres *stat_res;
    size_t names_cap, res_cap;
    slab *slab;              /* the slab listings are carved from */
    size_t listed;           /* entries listed so far */
    size_t slab_bytes;       /* SLAB_BYTES, or less for tests (walk.h) */
    size_t slab_after;       /* SLAB_AFTER, or 0 for tests */
} reader;

struct fs_walk {
    char *root;              /* as given, without trailing '/' */
    char *root_real;         /* realpath of the root */
    int use_ring;            /* stats may go through io_uring */
    size_t nroot_real;
    frame *frames;
    size_t nframes, cap;
    fs_buf rel;              /* current relative path */
    fs_buf full;             /* root + '/' + rel */
    size_t nfull_root;       /* bytes of root + '/' at the start of full */
    char reason[160];        /* for skip reasons that carry errno text */
    reader mine;             /* the caller's scratch */
    /* Reading ahead. While the helper runs, the frames array, the items'
    ** job pointers, each frame's `ahead` and everything below are under mu;
    ** a listing is written only by the thread that claimed it. */
    int threaded;            /* the helper was started */
    pthread_t helper;
    pthread_mutex_t mu;
    pthread_cond_t work;     /* the helper waits here for folders to read */
    pthread_cond_t done;     /* the caller waits here for a listing */
    int stop;                /* the helper is to end */
    int idle;                /* the helper waits for work */
    size_t ahead_items;      /* entries of listings read ahead, not taken */
    size_t ahead_folders;    /* folders claimed ahead, not taken */
    reader theirs;           /* the helper's scratch */
    job *ready_head, *ready_tail; /* read ahead, not taken */
    job taken;               /* marks a folder the caller has taken */
};

static int item_cmp(const void *a, const void *b)
{
    const item *x = a, *y = b;
    /* Compare as if folders had a trailing '/'. */
    size_t n = x->nname < y->nname ? x->nname : y->nname;
    int c = memcmp(x->name, y->name, n);
    if (c)
        return c;
    int cx = x->nname > n ? (unsigned char)x->name[n]
                          : (x->kind == K_DIR ? '/' : 0);
    int cy = y->nname > n ? (unsigned char)y->name[n]
                          : (y->kind == K_DIR ? '/' : 0);
    return cx - cy;
}

/* Drop one reference to the slab s, unmapping it with the last. */
static void slab_put(slab *s)
{
#ifdef HAVE_SLABS
    if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
        fs_unmap_huge(s, s->bytes);
#else
    (void)s;
#endif
}

/* Room for a listing of n items and nnames bytes of names in r's slab,
** zeroed, or NULL: the listing is malloc'd (a small walk so far, a listing
** too big for a slab, no huge pages to be had). */
static char *slab_carve(reader *r, size_t n, size_t nnames, slab **from)
{
    *from = NULL;
#ifdef HAVE_SLABS
    size_t bytes = r->slab_bytes;
    size_t need = n * sizeof(item) + ((nnames + 15) & ~(size_t)15);
    if (r->listed < r->slab_after || need > bytes / 4)
        return NULL;
    if (!r->slab || bytes - r->slab->used < need) {
        slab_put(r->slab);
        r->slab = NULL;
        /* Aligned to its size (a huge page), so that it can be one. */
        char *a = fs_map_huge(bytes, bytes);
        if (!a)
            return NULL;
        r->slab = (slab *)a;
        r->slab->used = 16 * ((sizeof(slab) + 15) / 16);
        r->slab->bytes = bytes;
        r->slab->refs = 1;
    }
    char *p = (char *)r->slab + r->slab->used;
    r->slab->used += need;
    __atomic_add_fetch(&r->slab->refs, 1, __ATOMIC_RELAXED);
    *from = r->slab;
    return p;
#else
    (void)r;
    (void)n;
    (void)nnames;
    return NULL;
#endif
}

/* Free a listing and any folders read ahead from it (never taken, so they
** hold no listings of their own read ahead). */
static void free_listing(const fs_walk *w, listing *l)
{
    for (size_t i = 0; i < l->n; i++) {
        job *j = l->items[i].job;
        if (j && j != &w->taken) {
            free_listing(w, &j->l);
            fs_free(j->rel);
            fs_free(j);
        }
    }
    if (l->slab) {
        slab_put(l->slab);
    } else {
        fs_free(l->items);
        fs_free(l->names);
    }
    l->items = NULL;
    l->names = NULL;
    l->slab = NULL;
    l->n = 0;
}

static void reader_free(reader *r)
{
    fs_buf_free(&r->path);
    fs_buf_free(&r->names);
    fs_buf_free(&r->rel);
    fs_free(r->dents);
    fs_statring_free(r->ring);
    fs_free(r->stat_names);
    fs_free(r->stat_res);
    slab_put(r->slab);
}

#ifdef SYS_getdents64
/* What getdents64 fills the buffer with. */
struct dirent64_linux {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};
#endif

/*
** Collect the entries of the folder open as fd (left open) into r->names: a type byte,
** the name and its NUL each, hidden ones (and "." and "..") left out; *n
** counts them. An error while listing ends the list, as the end would.
** On Linux the entries are read with getdents64 into a buffer the reader
** keeps: fdopendir() costs a stat, two fcntl calls and a 32 KB allocation
** a folder, a tenth of a no-change run's system calls.
*/
static int list_names(reader *r, int fd, size_t *n)
{
    int rc = FSEARCH_OK;
    fs_buf_clear(&r->names);
    *n = 0;
#ifdef SYS_getdents64
    if (!r->dents && !(r->dents = fs_malloc(DENTS_BYTES)))
        return FSEARCH_ENOMEM;
    for (;;) {
        long got = syscall(SYS_getdents64, fd, r->dents, DENTS_BYTES);
        if (got <= 0)
            break;
        for (long off = 0; rc == FSEARCH_OK && off < got;) {
            const struct dirent64_linux *e =
                (const struct dirent64_linux *)(r->dents + off);
            off += e->d_reclen;
            if (e->d_name[0] == '.') /* ".", "..", and hidden entries */
                continue;
            fs_buf_putc(&rc, &r->names, (char)e->d_type);
            fs_buf_append(&rc, &r->names, e->d_name, strlen(e->d_name) + 1);
            ++*n;
        }
        if (rc != FSEARCH_OK)
            break;
    }
#else
    int dfd = dup(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return FSEARCH_OK;
    }
    struct dirent *e;
    while (rc == FSEARCH_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') /* ".", "..", and hidden entries */
            continue;
        fs_buf_putc(&rc, &r->names, (char)e->d_type);
        fs_buf_append(&rc, &r->names, e->d_name, strlen(e->d_name) + 1);
        ++*n;
    }
    closedir(d);
#endif
    return rc;
}

/* Is the resolved `real` path inside the root? */
static int inside_root(const fs_walk *w, const char *real)
{
    if (strncmp(real, w->root_real, w->nroot_real) != 0)
        return 0;
    if (w->nroot_real == 1) /* root is "/" */
        return 1;
    return real[w->nroot_real] == '/' || real[w->nroot_real] == '\0';
}

/* Follow the symbolic link `it` of the folder open as dfd (whose full path
** is r->path) into *st, or set its skip reason. ENOMEM only when the
** link's path cannot be built. */
static int follow_link(const fs_walk *w, reader *r, item *it, struct stat *st)
{
    int rc = FSEARCH_OK;
    size_t base = r->path.n;
    fs_buf_putc(&rc, &r->path, '/');
    fs_buf_append(&rc, &r->path, it->name, it->nname);
    if (rc != FSEARCH_OK)
        return rc;
    char *real = realpath(r->path.p, NULL);
    if (!real)
        it->skip_reason = "broken symbolic link";
    else if (!inside_root(w, real))
        it->skip_reason = "symbolic link leading outside the folder";
    else if (stat(r->path.p, st) != 0)
        it->skip_reason = "broken symbolic link";
    free(real);
    r->path.n = base;
    r->path.p[base] = '\0';
    return FSEARCH_OK;
}

/* Set `it`, an entry of the type readdir() gave, from that type alone, or
** mark it K_STAT: a regular file, a link or an unknown type needs a stat.
** A folder needs none here: opening it gives its identity. */
static void classify_type(unsigned char type, item *it)
{
    it->kind = K_SKIP;
    switch (type) {
    case DT_DIR:
        it->kind = K_DIR;
        break;
    case DT_FIFO:
        it->skip_reason = "a named pipe, not a regular file";
        break;
    case DT_SOCK:
        it->skip_reason = "a socket, not a regular file";
        break;
    case DT_CHR:
    case DT_BLK:
        it->skip_reason = "a device, not a regular file";
        break;
    default: /* DT_REG, DT_LNK, DT_UNKNOWN */
        it->kind = K_STAT;
        break;
    }
}

/* Finish the K_STAT entry `it` of the folder whose path is r->path from
** what its stat gave (err: 0, or the stat's errno). */
static int classify_stat(const fs_walk *w, reader *r, item *it, int err,
                         const struct stat *got)
{
    it->kind = K_SKIP;
    if (err) {
        it->skip_reason = err == ENAMETOOLONG ? "path too long"
                                              : "vanished while walking";
        return FSEARCH_OK;
    }
    struct stat st = *got;
    if (S_ISLNK(st.st_mode)) {
        int rc = follow_link(w, r, it, &st);
        if (rc != FSEARCH_OK || it->skip_reason)
            return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        it->kind = K_DIR;
    } else if (S_ISREG(st.st_mode)) {
        it->kind = K_FILE;
        it->size = (uint64_t)st.st_size;
        it->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL +
                       st.st_mtim.tv_nsec;
    } else if (S_ISFIFO(st.st_mode)) {
        it->skip_reason = "a named pipe, not a regular file";
    } else if (S_ISSOCK(st.st_mode)) {
        it->skip_reason = "a socket, not a regular file";
    } else {
        it->skip_reason = "a device, not a regular file";
    }
    return FSEARCH_OK;
}

/* Stat the K_STAT entry `it` of the folder open as dfd, relative to it: by
** full path, the kernel would walk every folder of the path again. */
static int stat_one(const fs_walk *w, reader *r, int dfd, item *it)
{
    struct stat st;
    if (fstatat(dfd, it->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return classify_stat(w, r, it, errno, NULL);
    return classify_stat(w, r, it, 0, &st);
}

/* Stat the l->items marked K_STAT (nstat of them) of the folder open as
** dfd: through the reader's ring when there are enough of them and a ring
** can be had, else (and for any the ring left undone) one by one. The
** items are the same either way. */
static int stat_items(const fs_walk *w, reader *r, int dfd, listing *l,
                      size_t nstat)
{
    int rc = FSEARCH_OK;
    if (nstat >= RING_MIN && w->use_ring && !r->ring_tried) {
        r->ring_tried = 1;
        r->ring = fs_statring_new();
    }
    /* Short of memory for the two arrays: these go one by one. */
    if (nstat < RING_MIN || !r->ring ||
        fs_grow((void **)&r->stat_names, &r->names_cap, nstat,
                sizeof *r->stat_names) != SQLITE_OK ||
        fs_grow((void **)&r->stat_res, &r->res_cap, nstat,
                sizeof *r->stat_res) != SQLITE_OK) {
        for (size_t i = 0; rc == FSEARCH_OK && i < l->n; i++)
            if (l->items[i].kind == K_STAT)
                rc = stat_one(w, r, dfd, &l->items[i]);
        return rc;
    }
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].kind == K_STAT)
            r->stat_names[k++] = l->items[i].name;
    if (fs_statring_stat(r->ring, dfd, r->stat_names, k, r->stat_res) != 0) {
        fs_statring_free(r->ring);
        r->ring = NULL;
    }
    k = 0;
    for (size_t i = 0; rc == FSEARCH_OK && i < l->n; i++) {
        item *it = &l->items[i];
        if (it->kind != K_STAT)
            continue;
        const fs_statres *s = &r->stat_res[k++];
        if (!s->done) {
            rc = stat_one(w, r, dfd, it);
            continue;
        }
        struct stat st;
        memset(&st, 0, sizeof st);
        st.st_mode = (mode_t)s->mode;
        st.st_size = (off_t)s->size;
        st.st_mtim.tv_sec = (time_t)s->mtime_sec;
        st.st_mtim.tv_nsec = s->mtime_nsec;
        rc = classify_stat(w, r, it, 0, &st);
    }
    return rc;
}

static void folder_error(listing *l, int e)
{
    /* A folder nested past PATH_MAX cannot be named, only skipped. */
    if (e == ENAMETOOLONG)
        snprintf(l->why, sizeof l->why, "path too long");
    else if (e == ENOENT || e == ENOTDIR)
        snprintf(l->why, sizeof l->why, "vanished while walking");
    else
        snprintf(l->why, sizeof l->why, "unreadable folder: %s", strerror(e));
}

/*
** Read and sort the folder `rel` (relative, nrel bytes) into *l, which the
** caller frees with free_listing() whatever the result. Returns FSEARCH_OK
** (l->why says if the folder could not be read) or FSEARCH_ENOMEM, which is
** also left in l->rc. Touches nothing of w but what is fixed at open.
*/
static int read_folder(const fs_walk *w, reader *r, const char *rel,
                       size_t nrel, listing *l)
{
    memset(l, 0, sizeof *l);
    int rc = FSEARCH_OK;
    fs_buf_clear(&r->path);
    fs_buf_puts(&rc, &r->path, w->root);
    if (nrel) {
        fs_buf_putc(&rc, &r->path, '/');
        fs_buf_append(&rc, &r->path, rel, nrel);
    }
    if (rc != FSEARCH_OK)
        return l->rc = rc;
    struct stat st;
    int fd = open(r->path.p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        folder_error(l, errno);
        if (fd >= 0)
            close(fd);
        return FSEARCH_OK;
    }
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    /* Names first, in one block; the items point into it once it stops
    ** growing. */
    size_t n = 0;
    rc = list_names(r, fd, &n);
    r->listed += n;
    char *carved = rc == FSEARCH_OK && n > 0
                       ? slab_carve(r, n, r->names.n, &l->slab)
                       : NULL;
    if (carved) {
        /* The reader keeps its names buffer for the next folder. */
        l->items = (item *)carved;
        l->names = carved + n * sizeof *l->items;
        memcpy(l->names, r->names.p, r->names.n);
    } else if (rc == FSEARCH_OK && n > 0) {
        l->items = fs_calloc(n * sizeof *l->items);
        if (!l->items)
            rc = FSEARCH_ENOMEM;
        else
            l->names = fs_buf_take(&rc, &r->names);
    }
    if (rc == FSEARCH_OK && n > 0) {
        l->n = n;
        const char *p = l->names;
        size_t nstat = 0;
        for (size_t i = 0; i < n; i++) {
            item *it = &l->items[i];
            unsigned char type = (unsigned char)*p++;
            it->name = p;
            it->nname = strlen(p);
            p += it->nname + 1;
            classify_type(type, it);
            nstat += it->kind == K_STAT;
        }
        /* follow_link() appends to the folder's path. */
        rc = stat_items(w, r, fd, l, nstat);
    }
    close(fd);
    if (rc == FSEARCH_OK && n > 1)
        qsort(l->items, n, sizeof *l->items, item_cmp);
    return l->rc = rc;
}

/* ---------------------------------------------------------------------- */
/* Reading ahead                                                           */

/* Would entering the folder of listing l go round in a loop? */
static int is_loop(const fs_walk *w, const listing *l)
{
    for (size_t i = 0; i < w->nframes; i++)
        if (w->frames[i].l.dev == l->dev && w->frames[i].l.ino == l->ino)
            return 1;
    return 0;
}

/* The next folder of listing l after *ahead to read ahead, with its
** relative path (in folder rel) in r->rel; NULL if none or out of memory. */
static item *next_in(reader *r, const char *rel, listing *l, size_t *ahead)
{
    while (l->rc == FSEARCH_OK && *ahead < l->n) {
        item *it = &l->items[(*ahead)++];
        if (it->kind != K_DIR || it->job)
            continue;
        int rc = FSEARCH_OK;
        fs_buf_clear(&r->rel);
        fs_buf_puts(&rc, &r->rel, rel);
        if (rel[0])
            fs_buf_putc(&rc, &r->rel, '/');
        fs_buf_append(&rc, &r->rel, it->name, it->nname);
        return rc == FSEARCH_OK ? it : NULL;
    }
    return NULL;
}

/* The next folder to read ahead: of the frames first, deepest first (the
** walk enters the folders of the deepest frame before those of the frames
** below), then of the folders already read ahead, oldest first. Under mu. */
static item *next_ahead(fs_walk *w, reader *r)
{
    if (w->ahead_items >= AHEAD_ITEMS || w->ahead_folders >= AHEAD_FOLDERS)
        return NULL;
    for (size_t d = w->nframes; d-- > 0;) {
        frame *f = &w->frames[d];
        item *it = next_in(r, f->rel, &f->l, &f->ahead);
        if (it)
            return it;
    }
    for (job *j = w->ready_head; j; j = j->next) {
        item *it = next_in(r, j->rel, &j->l, &j->ahead);
        if (it)
            return it;
    }
    return NULL;
}

/* Read the folder `it` ahead, on reader r. Under mu; unlocks it while
** reading. Returns 0 if there was nothing to read ahead. */
static int read_ahead(fs_walk *w, reader *r)
{
    item *it = next_ahead(w, r);
    if (!it)
        return 0;
    job *j = fs_calloc(sizeof *j);
    if (j && !(j->rel = fs_strndup(r->rel.p, r->rel.n))) {
        fs_free(j);
        j = NULL;
    }
    if (!j)
        return 1; /* the caller will read this one itself */
    it->job = j;
    w->ahead_folders++;
    pthread_mutex_unlock(&w->mu);
    read_folder(w, r, j->rel, r->rel.n, &j->l);
    pthread_mutex_lock(&w->mu);
    if (j->orphan) {
        /* Nothing was read ahead from it: it was not ready. */
        free_listing(w, &j->l);
        fs_free(j->rel);
        fs_free(j);
        w->ahead_folders--;
        return 1;
    }
    j->ready = 1;
    /* A link back to a folder being walked: the caller will skip it, so
    ** read nothing ahead inside it. */
    if (is_loop(w, &j->l))
        j->ahead = j->l.n;
    w->ahead_items += j->l.n;
    j->prev = w->ready_tail;
    if (w->ready_tail)
        w->ready_tail->next = j;
    else
        w->ready_head = j;
    w->ready_tail = j;
    pthread_cond_broadcast(&w->done);
    return 1;
}

static void *helper_main(void *arg)
{
    fs_walk *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop)
        if (!read_ahead(w, &w->theirs)) {
            w->idle = 1;
            pthread_cond_wait(&w->work, &w->mu);
            w->idle = 0;
        }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Wake the helper if it waits and has room to read ahead again: not at
** every folder taken, which would cost a wake-up (two switches) a folder
** once the helper is ahead. Under mu. */
static void nudge(fs_walk *w)
{
    if (w->idle && w->ahead_folders <= AHEAD_FOLDERS / 2 &&
        w->ahead_items <= AHEAD_ITEMS / 2)
        pthread_cond_signal(&w->work);
}

/* Start the helper; without one (no thread to be had) the caller reads
** every folder itself. */
static void start_helper(fs_walk *w)
{
    if (pthread_mutex_init(&w->mu, NULL) != 0)
        return;
    if (pthread_cond_init(&w->work, NULL) == 0) {
        if (pthread_cond_init(&w->done, NULL) == 0) {
            /* Signals stay with the caller's threads: the helper starts
            ** with all of them blocked. */
            sigset_t all, old;
            sigfillset(&all);
            pthread_sigmask(SIG_SETMASK, &all, &old);
            int started = pthread_create(&w->helper, NULL, helper_main, w) == 0;
            pthread_sigmask(SIG_SETMASK, &old, NULL);
            if (started) {
                w->threaded = 1;
                return;
            }
            pthread_cond_destroy(&w->done);
        }
        pthread_cond_destroy(&w->work);
    }
    pthread_mutex_destroy(&w->mu);
}

static void stop_helper(fs_walk *w)
{
    if (!w->threaded)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->helper, NULL);
    w->threaded = 0;
    pthread_cond_destroy(&w->done);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->mu);
}

/* Take the ready job j off the list and the counts. Under mu. */
static void unlink_job(fs_walk *w, job *j)
{
    if (j->prev)
        j->prev->next = j->next;
    else
        w->ready_head = j->next;
    if (j->next)
        j->next->prev = j->prev;
    else
        w->ready_tail = j->prev;
    w->ahead_items -= j->l.n;
    w->ahead_folders--;
}

/* Free the listing l, which will not be entered, and what was read ahead
** from it; a folder still being read is left to its reader. Under mu. */
static void discard(fs_walk *w, listing *l)
{
    for (size_t i = 0; i < l->n; i++) {
        job *j = l->items[i].job;
        if (!j || j == &w->taken)
            continue;
        l->items[i].job = NULL;
        if (!j->ready) {
            j->orphan = 1;
            continue;
        }
        unlink_job(w, j);
        discard(w, &j->l);
        fs_free(j->rel);
        fs_free(j);
    }
    free_listing(w, l);
}

/* The job that read ahead the folder `it` of the top frame (waiting for it
** if need be), taken off the ready list, or NULL: the caller reads it now.
** Either way `it` is marked taken. */
static job *take(fs_walk *w, item *it)
{
    pthread_mutex_lock(&w->mu);
    job *j = it->job;
    it->job = &w->taken;
    /* While the helper reads this one, read the next one ahead. */
    while (j && !j->ready)
        if (!read_ahead(w, &w->mine))
            pthread_cond_wait(&w->done, &w->mu);
    if (j) {
        unlink_job(w, j);
        nudge(w);
    }
    pthread_mutex_unlock(&w->mu);
    return j;
}

/* Make the listing l, of the folder w->rel, the top frame; it is the
** frame's (or freed) whatever the result, and so is j, the job that read
** it ahead, if any. */
static int push_frame(fs_walk *w, listing *l, job *j)
{
    int rc = FSEARCH_OK;
    char *rel = j ? j->rel : NULL;
    size_t ahead = j ? j->ahead : 0;
    fs_free(j);
    if (w->threaded && !rel &&
        !(rel = fs_strndup(w->rel.p ? w->rel.p : "", w->rel.n)))
        rc = FSEARCH_ENOMEM;
    if (w->threaded)
        pthread_mutex_lock(&w->mu);
    if (rc == FSEARCH_OK && w->nframes == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 16;
        frame *p = fs_realloc(w->frames, ncap * sizeof *p);
        if (!p)
            rc = FSEARCH_ENOMEM;
        else {
            w->frames = p;
            w->cap = ncap;
        }
    }
    if (rc == FSEARCH_OK) {
        frame *f = &w->frames[w->nframes++];
        memset(f, 0, sizeof *f);
        f->prefix_len = w->rel.n;
        f->rel = rel;
        f->ahead = ahead;
        f->l = *l;
        if (w->threaded)
            nudge(w);
    } else {
        fs_free(rel);
        if (w->threaded)
            discard(w, l);
        else
            free_listing(w, l);
    }
    if (w->threaded)
        pthread_mutex_unlock(&w->mu);
    return rc;
}

static void pop_frame(fs_walk *w)
{
    if (w->threaded)
        pthread_mutex_lock(&w->mu);
    frame *f = &w->frames[--w->nframes];
    free_listing(w, &f->l);
    fs_free(f->rel);
    if (w->threaded)
        pthread_mutex_unlock(&w->mu);
}

/* ---------------------------------------------------------------------- */

static int use_helper(unsigned flags)
{
    if (flags & FS_WALK_ONE_THREAD)
        return 0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    return ncpu > 1;
}

int fs_walk_open(fs_walk **out, const char *root, unsigned flags, char *err,
                 size_t nerr)
{
    *out = NULL;
    struct stat st;
    if (stat(root, &st) != 0) {
        snprintf(err, nerr, "cannot read the folder '%s': %s", root,
                 strerror(errno));
        return FSEARCH_ENOTFOUND;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, nerr, "'%s' is not a folder", root);
        return FSEARCH_ENOTFOUND;
    }
    fs_walk *w = fs_calloc(sizeof *w);
    if (!w)
        return FSEARCH_ENOMEM;
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    w->root = fs_strndup(root, n);
    w->use_ring = !(flags & FS_WALK_NO_RING);
    int test_slabs = (flags & FS_WALK_TEST_SLABS) != 0;
    w->mine.slab_bytes = w->theirs.slab_bytes =
        test_slabs ? TEST_SLAB_BYTES : SLAB_BYTES;
    w->mine.slab_after = w->theirs.slab_after = test_slabs ? 0 : SLAB_AFTER;
    char *real = realpath(root, NULL);
    if (real) {
        w->root_real = fs_strdup(real);
        free(real);
    }
    int rc = (w->root && w->root_real) ? FSEARCH_OK : FSEARCH_ENOMEM;
    if (rc == FSEARCH_OK) {
        w->nroot_real = strlen(w->root_real);
        fs_buf_reserve(&rc, &w->rel, 256);
        if (rc == FSEARCH_OK)
            w->rel.p[0] = '\0';
        /* The root is written once; each entry rewrites what follows. */
        fs_buf_puts(&rc, &w->full, w->root);
        fs_buf_putc(&rc, &w->full, '/');
        w->nfull_root = w->full.n;
    }
    listing l;
    memset(&l, 0, sizeof l);
    if (rc == FSEARCH_OK)
        rc = read_folder(w, &w->mine, "", 0, &l);
    if (rc == FSEARCH_OK && l.why[0]) {
        snprintf(err, nerr, "cannot read the folder '%s': %s", root, l.why);
        rc = FSEARCH_ENOTFOUND;
    }
    /* The helper starts once the root is listed, with work to do. */
    if (rc == FSEARCH_OK && use_helper(flags))
        start_helper(w);
    if (rc == FSEARCH_OK)
        rc = push_frame(w, &l, NULL);
    else
        free_listing(w, &l);
    if (rc != FSEARCH_OK) {
        fs_walk_free(w);
        return rc;
    }
    *out = w;
    return FSEARCH_OK;
}

int fs_walk_next(fs_walk *w, fs_walk_entry *out)
{
    int rc = FSEARCH_OK;
    while (w->nframes > 0) {
        frame *f = &w->frames[w->nframes - 1];
        if (f->next == f->l.n) {
            pop_frame(w);
            continue;
        }
        item *it = &f->l.items[f->next++];
        w->rel.n = f->prefix_len;
        if (f->prefix_len)
            fs_buf_putc(&rc, &w->rel, '/');
        fs_buf_append(&rc, &w->rel, it->name, it->nname);
        w->full.n = w->nfull_root;
        fs_buf_append(&rc, &w->full, w->rel.p, w->rel.n);
        if (rc != FSEARCH_OK)
            return rc;
        memset(out, 0, sizeof *out);
        out->path = w->rel.p;
        out->full_path = w->full.p;
        if (it->kind == K_DIR) {
            listing l;
            job *j = w->threaded ? take(w, it) : NULL;
            if (j) {
                l = j->l;
                rc = l.rc;
            } else {
                rc = read_folder(w, &w->mine, w->rel.p, w->rel.n, &l);
            }
            if (rc != FSEARCH_OK || l.why[0] || is_loop(w, &l)) {
                if (j) {
                    fs_free(j->rel);
                    fs_free(j);
                }
                if (l.why[0]) {
                    memcpy(w->reason, l.why, sizeof w->reason);
                    out->skip_reason = w->reason;
                } else {
                    out->skip_reason = "symbolic link loop";
                }
                if (w->threaded) {
                    pthread_mutex_lock(&w->mu);
                    discard(w, &l);
                    nudge(w);
                    pthread_mutex_unlock(&w->mu);
                } else {
                    free_listing(w, &l);
                }
                return rc;
            }
            rc = push_frame(w, &l, j);
            if (rc != FSEARCH_OK)
                return rc;
            continue;
        }
        out->size = it->size;
        out->mtime_ns = it->mtime_ns;
        out->skip_reason = it->skip_reason;
        return FSEARCH_OK;
    }
    return FSEARCH_DONE;
}

void fs_walk_free(fs_walk *w)
{
    if (!w)
        return;
    stop_helper(w);
    for (size_t i = 0; i < w->nframes; i++) {
        free_listing(w, &w->frames[i].l);
        fs_free(w->frames[i].rel);
    }
    fs_free(w->frames);
    reader_free(&w->mine);
    reader_free(&w->theirs);
    fs_buf_free(&w->rel);
    fs_buf_free(&w->full);
    fs_free(w->root);
    fs_free(w->root_real);
    fs_free(w);
}

/*
** walk.c - a depth-first walk of the corpus folder in index order.
**
** Each folder level is read whole and sorted, with a folder's name compared
** as "name/", which makes the walk's order equal to sorting full paths
** bytewise. Memory is one sorted listing per level of depth, not the tree.
*/
#include "walk.h"
#include "alloc.h"
#include "buf.h"
#include "fsearch.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct item {
    char *name;              /* entry name; "name/" for folders */
    size_t nname;            /* bytes, without a trailing '/' */
    int is_dir;
    uint64_t size;
    int64_t mtime_ns;
    dev_t dev;
    ino_t ino;
    const char *skip_reason; /* static text or NULL */
} item;

typedef struct frame {
    size_t prefix_len;       /* bytes of w->rel that are this folder's path */
    item *items;
    size_t nitems, next;
    dev_t dev;               /* this folder, to refuse loops */
    ino_t ino;
} frame;

struct fs_walk {
    char *root;              /* as given, without trailing '/' */
    char *root_real;         /* realpath of the root */
    size_t nroot_real;
    frame *frames;
    size_t nframes, cap;
    fs_buf rel;              /* current relative path */
    fs_buf full;             /* root + '/' + rel */
    char reason[512];        /* for skip reasons that carry errno text */
};

static int item_cmp(const void *a, const void *b)
{
    const item *x = a, *y = b;
    /* Compare as if folders had a trailing '/'. */
    size_t n = x->nname < y->nname ? x->nname : y->nname;
    int c = memcmp(x->name, y->name, n);
    if (c)
        return c;
    int cx = x->nname > n ? (unsigned char)x->name[n] : (x->is_dir ? '/' : 0);
    int cy = y->nname > n ? (unsigned char)y->name[n] : (y->is_dir ? '/' : 0);
    return cx - cy;
}

static void free_items(item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fs_free(items[i].name);
    fs_free(items);
}

/* Build the full path of `rel` (relative) into w->full. */
static int set_full(fs_walk *w, const char *rel, size_t nrel)
{
    int rc = FSEARCH_OK;
    fs_buf_clear(&w->full);
    fs_buf_puts(&rc, &w->full, w->root);
    if (nrel) {
        fs_buf_putc(&rc, &w->full, '/');
        fs_buf_append(&rc, &w->full, rel, nrel);
    }
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

/* Fill `it` for the entry `it->name` of the open folder dfd, whose
** relative path is w->rel[0..base). The stat is relative to the folder: by
** full path, the kernel would walk every folder of the path again for each
** file. ENOMEM only when a symbolic link's path cannot be built. */
static int classify(fs_walk *w, int dfd, size_t base, item *it)
{
    struct stat st;
    if (fstatat(dfd, it->name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        /* Folders nested past PATH_MAX cannot be named, only skipped. */
        it->skip_reason = errno == ENAMETOOLONG ? "path too long"
                                                : "vanished while walking";
        return FSEARCH_OK;
    }
    if (S_ISLNK(st.st_mode)) {
        /* Only a link needs its full path, to be resolved. */
        int rc = FSEARCH_OK;
        w->rel.n = base;
        if (base)
            fs_buf_putc(&rc, &w->rel, '/');
        fs_buf_append(&rc, &w->rel, it->name, it->nname);
        if (rc == FSEARCH_OK)
            rc = set_full(w, w->rel.p, w->rel.n);
        w->rel.n = base;
        if (rc != FSEARCH_OK)
            return rc;
        char *real = realpath(w->full.p, NULL);
        if (!real) {
            it->skip_reason = "broken symbolic link";
            return FSEARCH_OK;
        }
        int ok = inside_root(w, real);
        free(real);
        if (!ok) {
            it->skip_reason = "symbolic link leading outside the folder";
            return FSEARCH_OK;
        }
        if (stat(w->full.p, &st) != 0) {
            it->skip_reason = "broken symbolic link";
            return FSEARCH_OK;
        }
    }
    it->dev = st.st_dev;
    it->ino = st.st_ino;
    if (S_ISDIR(st.st_mode)) {
        it->is_dir = 1;
    } else if (S_ISREG(st.st_mode)) {
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

/* Read and sort the folder whose relative path is w->rel into a new frame.
** If it cannot be read, returns FSEARCH_OK with *err_out set to a reason. */
static int push_frame(fs_walk *w, dev_t dev, ino_t ino, const char **err_out)
{
    *err_out = NULL;
    int rc = set_full(w, w->rel.p, w->rel.n);
    if (rc != FSEARCH_OK)
        return rc;
    DIR *d = opendir(w->full.p);
    if (!d) {
        /* A folder nested past PATH_MAX cannot be named, only skipped. */
        if (errno == ENAMETOOLONG)
            snprintf(w->reason, sizeof w->reason, "path too long");
        else
            snprintf(w->reason, sizeof w->reason, "unreadable folder: %s",
                     strerror(errno));
        *err_out = w->reason;
        return FSEARCH_OK;
    }
    item *items = NULL;
    size_t n = 0, cap = 0;
    size_t base = w->rel.n;
    struct dirent *e;
    while (rc == FSEARCH_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') /* ".", "..", and hidden entries */
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            item *p = fs_realloc(items, ncap * sizeof *items);
            if (!p) {
                rc = FSEARCH_ENOMEM;
                break;
            }
            items = p;
            cap = ncap;
        }
        item *it = &items[n];
        memset(it, 0, sizeof *it);
        it->nname = strlen(e->d_name);
        if (!(it->name = fs_strndup(e->d_name, it->nname))) {
            rc = FSEARCH_ENOMEM;
            break;
        }
        n++;
        rc = classify(w, dirfd(d), base, it);
    }
    closedir(d);
    w->rel.n = base;
    if (w->rel.p)
        w->rel.p[base] = '\0';
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
    if (rc != FSEARCH_OK) {
        free_items(items, n);
        return rc;
    }
    if (n > 1)
        qsort(items, n, sizeof *items, item_cmp);
    frame *f = &w->frames[w->nframes++];
    f->prefix_len = base;
    f->items = items;
    f->nitems = n;
    f->next = 0;
    f->dev = dev;
    f->ino = ino;
    return FSEARCH_OK;
}

int fs_walk_open(fs_walk **out, const char *root, char *err, size_t nerr)
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
    }
    const char *why = NULL;
    if (rc == FSEARCH_OK)
        rc = push_frame(w, st.st_dev, st.st_ino, &why);
    if (rc == FSEARCH_OK && why) {
        snprintf(err, nerr, "cannot read the folder '%s': %s", root, why);
        rc = FSEARCH_ENOTFOUND;
    }
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
        if (f->next == f->nitems) {
            free_items(f->items, f->nitems);
            w->nframes--;
            continue;
        }
        item *it = &f->items[f->next++];
        w->rel.n = f->prefix_len;
        if (f->prefix_len)
            fs_buf_putc(&rc, &w->rel, '/');
        fs_buf_append(&rc, &w->rel, it->name, it->nname);
        if (rc == FSEARCH_OK)
            rc = set_full(w, w->rel.p, w->rel.n);
        if (rc != FSEARCH_OK)
            return rc;
        memset(out, 0, sizeof *out);
        out->path = w->rel.p;
        out->full_path = w->full.p;
        if (it->is_dir && !it->skip_reason) {
            int loop = 0;
            for (size_t i = 0; i < w->nframes; i++)
                if (w->frames[i].dev == it->dev && w->frames[i].ino == it->ino)
                    loop = 1;
            if (loop) {
                out->skip_reason = "symbolic link loop";
                return FSEARCH_OK;
            }
            const char *why = NULL;
            rc = push_frame(w, it->dev, it->ino, &why);
            if (rc != FSEARCH_OK)
                return rc;
            if (why) {
                rc = set_full(w, w->rel.p, w->rel.n);
                out->path = w->rel.p;
                out->full_path = w->full.p;
                out->skip_reason = why;
                return rc;
            }
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
    for (size_t i = 0; i < w->nframes; i++)
        free_items(w->frames[i].items, w->frames[i].nitems);
    fs_free(w->frames);
    fs_buf_free(&w->rel);
    fs_buf_free(&w->full);
    fs_free(w->root);
    fs_free(w->root_real);
    fs_free(w);
}

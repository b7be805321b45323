/*
** watch.c - tell when files under the corpus folder change, so that
** `fsearch index --watch` can run the incremental update soon after.
**
** Linux inotify watches one folder at a time, so every folder of the tree
** gets a watch, and folders that appear later get one as their creation is
** seen. Changes are debounced: the caller hears of them once they have been
** quiet for a while, so that copying a thousand files costs one index run.
** Elsewhere than Linux the calls fail with a message.
*/
#include "internal.h"
#include "alloc.h"
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef __linux__

#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | \
                    IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO |             \
                    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |          \
                    IN_DONT_FOLLOW | IN_EXCL_UNLINK)
#define EVENT_BUF (64 * (sizeof(struct inotify_event) + NAME_MAX + 1))

typedef struct wdir {
    int wd;                      /* inotify watch descriptor */
    char *path;                  /* the folder, root-prefixed */
    dev_t dev;                   /* to recognise the index's folder */
    ino_t ino;
} wdir;

struct fsearch_watch {
    fsearch *fs;                 /* for messages; outlives the watcher */
    int fd;                      /* the inotify instance */
    int root_wd;                 /* the root's watch: its loss ends it */
    char *root;
    wdir *dirs;                  /* one per watched folder, unsorted */
    size_t ndirs, cap;
    int has_index_dir;           /* the index lies in a watched tree? */
    dev_t index_dev;             /* the folder holding the index file */
    ino_t index_ino;
    char *index_base;            /* its file name: name, -wal, .lock... */
    fs_buf path;                 /* scratch for building paths */
    _Alignas(struct inotify_event) char events[EVENT_BUF];
};

static wdir *find_wd(fsearch_watch *w, int wd)
{
    for (size_t i = 0; i < w->ndirs; i++)
        if (w->dirs[i].wd == wd)
            return &w->dirs[i];
    return NULL;
}

static void drop_wd(fsearch_watch *w, int wd)
{
    for (size_t i = 0; i < w->ndirs; i++) {
        if (w->dirs[i].wd == wd) {
            fs_free(w->dirs[i].path);
            w->dirs[i] = w->dirs[--w->ndirs];
            return;
        }
    }
}

/* Watch the folder `path` (already stat'ed as st). */
static int add_one(fsearch_watch *w, const char *path, const struct stat *st)
{
    int wd = inotify_add_watch(w->fd, path, WATCH_MASK);
    if (wd < 0) {
        if (errno == ENOSPC)
            return fs_error(w->fs, FSEARCH_EIO,
                            "too many folders to watch under '%s'; raise "
                            "fs.inotify.max_user_watches", w->root);
        if (errno == ENOENT || errno == ENOTDIR || errno == EACCES)
            return FSEARCH_OK; /* gone or closed meanwhile: nothing to see */
        return fs_error(w->fs, FSEARCH_EIO, "cannot watch '%s': %s", path,
                        strerror(errno));
    }
    wdir *d = find_wd(w, wd);
    if (!d) {
        if (w->ndirs == w->cap) {
            size_t ncap = w->cap ? w->cap * 2 : 64;
            wdir *p = fs_realloc(w->dirs, ncap * sizeof *p);
            if (!p)
                return fs_error(w->fs, FSEARCH_ENOMEM, "out of memory");
            w->dirs = p;
            w->cap = ncap;
        }
        d = &w->dirs[w->ndirs++];
        memset(d, 0, sizeof *d);
        d->wd = wd;
    }
    char *copy = fs_strdup(path);
    if (!copy)
        return fs_error(w->fs, FSEARCH_ENOMEM, "out of memory");
    fs_free(d->path); /* a folder moved within the tree keeps its wd */
    d->path = copy;
    d->dev = st->st_dev;
    d->ino = st->st_ino;
    return FSEARCH_OK;
}

/* Watch the folder w->path[0..n) and every non-hidden folder below it.
** Symbolic links are not followed, so the recursion cannot loop. */
static int add_tree(fsearch_watch *w, size_t n)
{
    struct stat st;
    if (lstat(w->path.p, &st) != 0 || !S_ISDIR(st.st_mode))
        return FSEARCH_OK;
    int rc = add_one(w, w->path.p, &st);
    if (rc != FSEARCH_OK)
        return rc;
    DIR *d = opendir(w->path.p);
    if (!d)
        return FSEARCH_OK; /* unreadable: the index run reports it */
    struct dirent *e;
    while (rc == FSEARCH_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
            continue;
        w->path.n = n;
        fs_buf_putc(&rc, &w->path, '/');
        fs_buf_puts(&rc, &w->path, e->d_name);
        if (rc != FSEARCH_OK) {
            rc = fs_error(w->fs, rc, "out of memory");
            break;
        }
        rc = add_tree(w, w->path.n);
    }
    closedir(d);
    w->path.n = n;
    w->path.p[n] = '\0';
    return rc;
}

/* Start from `dir` (a full path) and watch its tree. */
static int add_tree_at(fsearch_watch *w, const char *dir)
{
    int rc = FSEARCH_OK;
    fs_buf_clear(&w->path);
    fs_buf_puts(&rc, &w->path, dir);
    if (rc != FSEARCH_OK)
        return fs_error(w->fs, rc, "out of memory");
    return add_tree(w, w->path.n);
}

/* Does this event concern the index's own files (when the index lies in
** the watched tree)? Those change with every run and must not start one. */
static int is_index_file(const fsearch_watch *w, const wdir *d,
                         const char *name)
{
    return w->has_index_dir && d->dev == w->index_dev &&
           d->ino == w->index_ino &&
           strncmp(name, w->index_base, strlen(w->index_base)) == 0;
}

/* Read what is pending; *changed set when something worth an index run
** happened. New folders get their watches here. */
static int drain(fsearch_watch *w, int *changed)
{
    for (;;) {
        ssize_t n = read(w->fd, w->events, sizeof w->events);
        if (n < 0) {
            if (errno == EAGAIN)
                return FSEARCH_OK;
            if (errno == EINTR)
                return FSEARCH_EINTR;
            return fs_error(w->fs, FSEARCH_EIO, "cannot read changes: %s",
                            strerror(errno));
        }
        for (ssize_t off = 0; off < n;) {
            const struct inotify_event *ev =
                (const struct inotify_event *)(w->events + off);
            off += (ssize_t)(sizeof *ev + ev->len);
            if (ev->mask & IN_Q_OVERFLOW) {
                /* Events were lost: new folders may have been missed. */
                *changed = 1;
                int rc = add_tree_at(w, w->root);
                if (rc != FSEARCH_OK)
                    return rc;
                continue;
            }
            if (ev->mask & IN_IGNORED) {
                if (ev->wd == w->root_wd)
                    return fs_error(w->fs, FSEARCH_ENOTFOUND,
                                    "the folder '%s' is gone", w->root);
                drop_wd(w, ev->wd);
                continue;
            }
            wdir *d = find_wd(w, ev->wd);
            if (!d)
                continue;
            const char *name = ev->len ? ev->name : "";
            if (name[0] == '.' || is_index_file(w, d, name))
                continue; /* hidden entries are not indexed either */
            *changed = 1;
            if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
                int rc = FSEARCH_OK;
                fs_buf_clear(&w->path);
                fs_buf_puts(&rc, &w->path, d->path);
                fs_buf_putc(&rc, &w->path, '/');
                fs_buf_puts(&rc, &w->path, name);
                if (rc != FSEARCH_OK)
                    return fs_error(w->fs, rc, "out of memory");
                /* Files made in it before its watch existed are found by
                ** the index run, which walks everything. */
                rc = add_tree(w, w->path.n);
                if (rc != FSEARCH_OK)
                    return rc;
            }
        }
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fsearch_watch_open(fsearch_watch **out, fsearch *fs, const char *root)
{
    if (!out || !fs)
        return FSEARCH_EINVAL;
    *out = NULL;
    fs_error_clear(fs);
    if (!root || !*root)
        return fs_error(fs, FSEARCH_EINVAL, "no folder given to watch");
    struct stat st;
    if (stat(root, &st) != 0)
        return fs_error(fs, FSEARCH_ENOTFOUND, "cannot watch the folder "
                        "'%s': %s", root, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return fs_error(fs, FSEARCH_ENOTFOUND, "'%s' is not a folder", root);
    fsearch_watch *w = fs_calloc(sizeof *w);
    if (!w)
        return fs_error(fs, FSEARCH_ENOMEM, "out of memory");
    w->fs = fs;
    w->root_wd = -1;
    size_t nroot = strlen(root);
    while (nroot > 1 && root[nroot - 1] == '/')
        nroot--;
    w->root = fs_strndup(root, nroot);
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    int rc = FSEARCH_OK;
    if (!w->root)
        rc = fs_error(fs, FSEARCH_ENOMEM, "out of memory");
    else if (w->fd < 0)
        rc = fs_error(fs, FSEARCH_EIO, "cannot watch files: %s",
                      strerror(errno));
    if (rc == FSEARCH_OK && fs->path) {
        /* Where the index lives, to ignore its own writes. */
        const char *slash = strrchr(fs->path, '/');
        char *dir = slash ? fs_strndup(fs->path, (size_t)(slash - fs->path))
                          : fs_strdup(".");
        w->index_base = fs_strdup(slash ? slash + 1 : fs->path);
        struct stat ist;
        if (!dir || !w->index_base)
            rc = fs_error(fs, FSEARCH_ENOMEM, "out of memory");
        else if (stat(*dir ? dir : "/", &ist) == 0) {
            w->has_index_dir = 1;
            w->index_dev = ist.st_dev;
            w->index_ino = ist.st_ino;
        }
        fs_free(dir);
    }
    if (rc == FSEARCH_OK)
        rc = add_tree_at(w, w->root);
    if (rc == FSEARCH_OK) {
        for (size_t i = 0; i < w->ndirs; i++)
            if (w->dirs[i].dev == st.st_dev && w->dirs[i].ino == st.st_ino)
                w->root_wd = w->dirs[i].wd;
        if (w->root_wd < 0)
            rc = fs_error(fs, FSEARCH_EIO, "cannot watch the folder '%s'",
                          w->root);
    }
    if (rc != FSEARCH_OK) {
        fsearch_watch_free(w);
        return rc;
    }
    *out = w;
    return FSEARCH_OK;
}

int fsearch_watch_wait(fsearch_watch *w, int quiet_ms, int timeout_ms)
{
    if (!w)
        return FSEARCH_EINVAL;
    if (quiet_ms < 0)
        quiet_ms = 0;
    int64_t start = now_ms();
    int64_t first_change = -1;
    int changed = 0;
    for (;;) {
        int64_t now = now_ms();
        int wait_ms;
        if (changed) {
            /* Debounce, but a stream of changes that never pauses is
            ** still reported now and then. */
            int64_t cap = first_change + 10 * (int64_t)quiet_ms - now;
            wait_ms = cap < quiet_ms ? (int)(cap > 0 ? cap : 0) : quiet_ms;
        } else if (timeout_ms < 0) {
            wait_ms = -1;
        } else {
            int64_t left = start + timeout_ms - now;
            wait_ms = left > 0 ? (int)left : 0;
        }
        struct pollfd p = { w->fd, POLLIN, 0 };
        int n = poll(&p, 1, wait_ms);
        if (n < 0) {
            if (errno == EINTR)
                return FSEARCH_EINTR;
            return fs_error(w->fs, FSEARCH_EIO, "cannot wait for changes: %s",
                            strerror(errno));
        }
        if (n == 0) {
            if (changed)
                return FSEARCH_OK;
            return FSEARCH_DONE;
        }
        int was = changed;
        int rc = drain(w, &changed);
        if (rc != FSEARCH_OK)
            return rc;
        if (changed && !was)
            first_change = now_ms();
    }
}

void fsearch_watch_free(fsearch_watch *w)
{
    if (!w)
        return;
    if (w->fd >= 0)
        close(w->fd);
    for (size_t i = 0; i < w->ndirs; i++)
        fs_free(w->dirs[i].path);
    fs_free(w->dirs);
    fs_free(w->root);
    fs_free(w->index_base);
    fs_buf_free(&w->path);
    fs_free(w);
}

#else /* not Linux */

struct fsearch_watch {
    int unused;
};

int fsearch_watch_open(fsearch_watch **out, fsearch *fs, const char *root)
{
    (void)root;
    if (!out || !fs)
        return FSEARCH_EINVAL;
    *out = NULL;
    return fs_error(fs, FSEARCH_ERROR,
                    "watching folders needs Linux (inotify)");
}

int fsearch_watch_wait(fsearch_watch *w, int quiet_ms, int timeout_ms)
{
    (void)w;
    (void)quiet_ms;
    (void)timeout_ms;
    return FSEARCH_EINVAL;
}

void fsearch_watch_free(fsearch_watch *w)
{
    (void)w;
}

#endif

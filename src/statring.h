/*
** statring.h - many stats in one system call, through io_uring.
**
** A walk of a warm tree is one stat per file, and on a virtual machine the
** cost of entering and leaving the kernel is most of a stat's (measured on
** the bench machine: ~1.7 us of a 2.4 us fstatat; a getppid costs the
** same 1.7 us). io_uring takes a folder's stats in one io_uring_enter: the
** kernel runs them on a worker thread of its own, which needs no such
** switch per file and runs beside the thread that asked. Where io_uring is
** missing or refused (old kernels, seccomp filters, io_uring_disabled),
** fs_statring_new() says so and the caller stats one by one: the results
** are the same.
*/
#ifndef FS_STATRING_H
#define FS_STATRING_H

#include <stddef.h>
#include <stdint.h>

typedef struct fs_statring fs_statring;

/* What a stat of one name gave. */
typedef struct fs_statres {
    int done;            /* the rest is filled in: the stat succeeded */
    unsigned mode;       /* st_mode */
    uint64_t size;
    int64_t mtime_sec;
    long mtime_nsec;
} fs_statres;

/* A ring for the calling thread, or NULL when io_uring cannot be had (or
** memory is short): the caller then uses fstatat. */
fs_statring *fs_statring_new(void);

/* Stat names[0..n) relative to the folder open as dirfd, without following
** a last symbolic link (as fstatat with AT_SYMLINK_NOFOLLOW), into out[i].
** An entry without done (its stat failed, or the ring could not tell) is
** left to the caller's fstatat. Returns 0, or -1 when the ring failed and
** is unusable. */
int fs_statring_stat(fs_statring *g, int dirfd, const char *const *names,
                     size_t n, fs_statres *out);

/* Free the ring. A failed fs_statring_stat() has already waited for the
** requests the kernel took, so nothing of theirs is freed under them. */
void fs_statring_free(fs_statring *g);

/* For tests: the n'th wait for completions from now (n >= 1) fails as an
** unexpected error would, after its requests were submitted. */
void fs_statring_fail_in(fs_statring *g, unsigned n);

/* Requests the kernel took and whose completions are not reaped yet. */
unsigned fs_statring_inflight(const fs_statring *g);

#endif

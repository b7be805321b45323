/*
** readonly.c - how a search opens an index it cannot write beside.
**
** A WAL database is read through its -shm file (the WAL index), which the
** first reader creates next to the database. A user who may read the index
** but not write its folder (another user's index, a read-only mount) finds
** no -shm after an index run (the last writer removes both side files) and
** cannot make one, so SQLite refuses the read: "attempt to write a readonly
** database". SQLite reads such a file only as "immutable" (no locks, no
** WAL), which is exact as long as nothing writes it meanwhile.
**
** So the immutable open is chosen only when everything says the file is
** complete and quiet: no -shm and no -wal with content (an empty -wal is
** what a clean close may leave; one with frames holds committed data that
** an immutable read would miss), the folder not writable by us (otherwise
** the normal open works), and no index run holding the index's lock. An
** index run that starts during such a search can at worst make that one
** search fail or miss its changes; the index itself is never touched.
*/
#include "internal.h"
#include "alloc.h"
#include "readonly.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1 if `path` with `suffix` appended names a file of more than `max`
** bytes or one that cannot be looked at (so the caller stays careful). */
static int side_file_present(const char *path, const char *suffix, off_t max)
{
    char side[4096];
    if ((size_t)snprintf(side, sizeof side, "%s%s", path, suffix) >= sizeof side)
        return 1;
    struct stat st;
    if (stat(side, &st) != 0)
        return errno != ENOENT;
    return st.st_size > max;
}

/* 1 if the folder holding `path` lets this process create files in it. */
static int folder_writable(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return access(".", W_OK) == 0;
    if (slash == path)
        return access("/", W_OK) == 0;
    char dir[4096];
    size_t n = (size_t)(slash - path);
    if (n >= sizeof dir)
        return 1;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return access(dir, W_OK) == 0;
}

int fs_readonly_lock_path(char *out, size_t size, const char *path)
{
    return (size_t)snprintf(out, size, "%s.lock", path) < size ? 0 : -1;
}

/* 1 if an index run holds the index's lock (indexer.c takes it exclusive
** for the whole run); 0 if nobody does or there is no lock file. */
static int index_run_active(const char *path)
{
    char lock[4096];
    if (fs_readonly_lock_path(lock, sizeof lock, path) != 0)
        return 1;
    int fd = open(lock, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno != ENOENT;
    int held = flock(fd, LOCK_SH | LOCK_NB) != 0;
    close(fd);                       /* (closing drops our shared lock) */
    return held;
}

/* `path` as an SQLite URI with the immutable parameter: every byte that
** could be read as URI syntax is %-escaped. */
static char *immutable_uri(const char *path)
{
    static const char param[] = "?immutable=1";
    size_t n = strlen(path);
    char *uri = fs_malloc(8 + 3 * n + sizeof param);
    if (!uri)
        return NULL;
    /* "file://" with an empty authority keeps a path that starts with two
    ** slashes from being read as a host name. */
    size_t k = (size_t)sprintf(uri, "%s", path[0] == '/' ? "file://" : "file:");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || strchr("/._-~", c))
            uri[k++] = (char)c;
        else
            k += (size_t)sprintf(uri + k, "%%%02X", c);
    }
    memcpy(uri + k, param, sizeof param);
    return uri;
}

char *fs_readonly_uri(const char *path, int *oom)
{
    *oom = 0;
    if (side_file_present(path, "-shm", -1) ||
        side_file_present(path, "-wal", 0) || folder_writable(path) ||
        index_run_active(path))
        return NULL;
    char *uri = immutable_uri(path);
    *oom = uri == NULL;
    return uri;
}

const char *fs_readonly_blocked(const char *path)
{
    if (side_file_present(path, "-shm", -1) || folder_writable(path))
        return NULL;
    if (index_run_active(path))
        return "an 'fsearch index' run is updating it and this user cannot "
               "write its folder, which reading it during a run needs; "
               "search again when the run is over";
    if (side_file_present(path, "-wal", 0))
        return "it holds the changes of an interrupted 'fsearch index' run, "
               "which only a user who can write its folder can complete "
               "(any fsearch command by such a user does)";
    return NULL;
}

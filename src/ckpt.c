/*
** ckpt.c - the indexer's WAL checkpoints, on a thread of their own.
**
** The writer's connection gets a WAL hook instead of its automatic
** checkpoint: after a commit that leaves CKPT_MIN_BYTES or more in the WAL
** (SQLite's default threshold with 4 KB pages), the hook wakes a thread that runs a
** PASSIVE checkpoint through its own connection. PASSIVE never waits for
** the writer nor stops it: it copies the committed frames no reader still
** needs, while the writer appends the next transaction.
**
** SQLite starts writing the WAL from its beginning again only when a
** transaction begins with every frame already copied. The writer begins its
** next transaction right after a commit, before the thread can have caught
** up, so the WAL would grow for the whole run; fs_ckpt_before_begin() waits
** for the thread once the WAL has passed CKPT_RESTART_BYTES, which bounds
** the file at about that plus one transaction.
**
** The thread and its connection start with the first checkpoint asked for:
** a run that writes less than CKPT_MIN_BYTES (adding a file or two) leaves
** its few frames to the checkpoint at close and pays for neither.
*/
#include "ckpt.h"
#include "alloc.h"

#include <pthread.h>

#define CKPT_MIN_BYTES (4 << 20)       /* WAL worth a checkpoint */
#define CKPT_RESTART_BYTES (32 << 20)  /* WAL at which the writer waits, so
                                       ** that its next transaction starts
                                       ** the WAL over */

struct fs_ckpt {
    sqlite3 *writer;                /* borrowed: the indexer's connection */
    const char *path;               /* the writer's database file */
    sqlite3 *db;                    /* owned: the thread's connection */
    int started;                    /* the thread runs */
    int failed;                     /* it could not start: checkpoints are
                                    ** made on the writer's thread */
    int old_auto;                   /* writer's wal_autocheckpoint before */
    int min_frames, restart_frames; /* the two limits above, in pages */
    pthread_t thread;
    pthread_mutex_t mu;             /* guards what follows */
    pthread_cond_t wake;            /* to the thread: asked or quit moved */
    pthread_cond_t caught_up;       /* to the writer: done reached asked */
    unsigned long asked, done;      /* checkpoints asked for / finished */
    int frames;                     /* WAL frames after the last commit */
    int wait_at;                    /* frames at which before_begin waits */
    int quit;
};

/* The thread: one PASSIVE checkpoint per wake-up while any is asked for;
** then, once told to quit, a last one if asked, and out. */
static void *ckpt_main(void *arg)
{
    fs_ckpt *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (c->done == c->asked && !c->quit)
            pthread_cond_wait(&c->wake, &c->mu);
        if (c->done == c->asked)
            break;
        unsigned long target = c->asked;
        pthread_mutex_unlock(&c->mu);
        /* Best effort, like SQLite's automatic checkpoint: a failure (a
        ** searcher's checkpoint at the same moment) leaves the frames for
        ** the next one. */
        sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE,
                                  NULL, NULL);
        pthread_mutex_lock(&c->mu);
        c->done = target;
        pthread_cond_broadcast(&c->caught_up);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* Open the thread's connection and start the thread. */
static int thread_start(fs_ckpt *c)
{
    int rc = sqlite3_open_v2(c->path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    /* As the writer's handle (fsearch_open): the WAL is synced before a
    ** checkpoint copies it, the database after. */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    if (rc == SQLITE_OK &&
        pthread_create(&c->thread, NULL, ckpt_main, c) != 0)
        rc = SQLITE_ERROR;
    if (rc != SQLITE_OK) {
        sqlite3_close(c->db);
        c->db = NULL;
        return rc;
    }
    c->started = 1;
    return SQLITE_OK;
}

/* The writer's WAL hook, called by SQLite after each commit. */
static int ckpt_hook(void *arg, sqlite3 *db, const char *schema, int frames)
{
    fs_ckpt *c = arg;
    if (frames >= c->min_frames && !c->started && !c->failed &&
        thread_start(c) != SQLITE_OK)
        c->failed = 1;
    if (c->failed) {
        /* What SQLite's own hook would do. */
        if (frames >= c->min_frames)
            sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE,
                                      NULL, NULL);
        return SQLITE_OK;
    }
    pthread_mutex_lock(&c->mu);
    if (frames < c->frames)          /* the WAL was started over */
        c->wait_at = c->restart_frames;
    c->frames = frames;
    if (frames >= c->min_frames) {
        c->asked++;
        pthread_cond_signal(&c->wake);
    }
    pthread_mutex_unlock(&c->mu);
    return SQLITE_OK;
}

int fs_ckpt_start(fs_ckpt **out, sqlite3 *writer)
{
    *out = NULL;
    const char *path = sqlite3_db_filename(writer, "main");
    if (!path || !*path)
        return SQLITE_MISUSE;        /* in memory: nothing to copy */
    fs_ckpt *c = fs_calloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    c->writer = writer;
    c->path = path;
    c->old_auto = 1000;
    int page = 4096;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(writer, "PRAGMA wal_autocheckpoint", -1, &st,
                                NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        c->old_auto = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(writer, "PRAGMA page_size", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_int(st, 0) > 0)
        page = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    c->min_frames = CKPT_MIN_BYTES / page;
    c->restart_frames = c->wait_at = CKPT_RESTART_BYTES / page;
    if (rc != SQLITE_OK) {
        fs_free(c);
        return rc;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->wake, NULL);
    pthread_cond_init(&c->caught_up, NULL);
    sqlite3_wal_hook(writer, ckpt_hook, c);
    *out = c;
    return SQLITE_OK;
}

void fs_ckpt_before_begin(fs_ckpt *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    if (c->frames >= c->wait_at) {
        while (c->done != c->asked)
            pthread_cond_wait(&c->caught_up, &c->mu);
        /* If a searcher's snapshot kept some frames from being copied, the
        ** WAL cannot start over now: wait again only after as many more. */
        c->wait_at = c->frames + c->restart_frames;
    }
    pthread_mutex_unlock(&c->mu);
}

void fs_ckpt_stop(fs_ckpt *c)
{
    if (!c)
        return;
    if (c->started) {
        pthread_mutex_lock(&c->mu);
        c->quit = 1;
        pthread_cond_signal(&c->wake);
        pthread_mutex_unlock(&c->mu);
        pthread_join(c->thread, NULL);
        sqlite3_close(c->db);
    }
    /* Puts SQLite's own hook back in place of ckpt_hook. */
    sqlite3_wal_autocheckpoint(c->writer, c->old_auto);
    pthread_cond_destroy(&c->caught_up);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->mu);
    fs_free(c);
}

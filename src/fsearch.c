/*
** fsearch.c - the handle's life: open (creating or checking the index
** schema and its format version), close, and status.
**
** An index is never modified unless it is ours: a file that is not an SQLite
** database, not an fsearch index, or of another format version is reported
** and left exactly as it was.
*/
#include "internal.h"
#include "alloc.h"
#include "readonly.h"
#include "textstore.h"
#include "tokenizer.h"
#include "tokenizer_fts5.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The schema of format 2. Passages of one document have consecutive ids
** [doc.first_passage, + npassages), so a document's passages are found and
** removed by a rowid range without any scan. Their text is stored
** compressed, in blocks of consecutive passages of one document
** (textstore.h); a block's id is that of its first passage, so the same
** range finds a document's blocks. The FTS5 table keeps no copy of the
** text: its content is the passage_content view, which unpacks it with
** fsearch_text(); passage_text is the passage table with its text. */
static const char schema_sql[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
    "CREATE TABLE doc("
    "  id INTEGER PRIMARY KEY,"
    "  path TEXT NOT NULL UNIQUE,"    /* relative to the root, '/'-separated */
    "  size INTEGER NOT NULL,"        /* bytes on disk when indexed */
    "  mtime INTEGER NOT NULL,"       /* nanoseconds since the epoch */
    "  hash INTEGER NOT NULL,"        /* fs_hash of the file's bytes */
    "  title TEXT NOT NULL,"          /* first non-empty line */
    "  first_passage INTEGER NOT NULL,"
    "  npassages INTEGER NOT NULL);"
    "CREATE INDEX doc_hash ON doc(hash);"
    "CREATE TABLE passage("
    "  id INTEGER PRIMARY KEY,"
    "  doc_id INTEGER NOT NULL,"
    "  line INTEGER NOT NULL,"        /* 1-based first line */
    "  end_line INTEGER NOT NULL,"    /* 1-based last line */
    "  off INTEGER NOT NULL,"         /* byte offset in the file's text */
    "  hash INTEGER NOT NULL,"        /* fs_hash_passage, finds duplicates */
    "  block INTEGER NOT NULL,"       /* passage_block.id holding the text */
    "  boff INTEGER NOT NULL,"        /* where in the block's text */
    "  blen INTEGER NOT NULL,"        /* its length in bytes */
    "  sig BLOB,"                     /* shingles.h's signature; NULL in
                                      ** passages of older indexes */
    "  recent INTEGER);"              /* 1: hash in passage_hash_recent */
    /* Copies are found by hash. Small runs (adding a file) put their
    ** passages' hashes in a small index of their own instead of the big
    ** one, where each new hash lands on a random leaf (a 35 KB file
    ** dirtied ~84 of them); the indexer folds them into the big one
    ** (recent set back to NULL) when the small one grows (indexer.c). */
    "CREATE INDEX passage_hash ON passage(hash) WHERE recent IS NULL;"
    "CREATE INDEX passage_hash_recent ON passage(hash) "
    "WHERE recent IS NOT NULL;"
    "CREATE TABLE passage_block("
    "  id INTEGER PRIMARY KEY,"       /* the id of its first passage */
    "  data BLOB NOT NULL);"          /* textstore.h's stored block */
    "CREATE TABLE passage_dict("
    "  id INTEGER PRIMARY KEY,"       /* the zstd dictionary id */
    "  data BLOB NOT NULL);"          /* the dictionary blocks refer to */
    "CREATE VIEW passage_text(id, doc_id, line, end_line, off, hash, body) AS"
    "  SELECT p.id, p.doc_id, p.line, p.end_line, p.off, p.hash,"
    "         fsearch_text(b.data, p.boff, p.blen)"
    "  FROM passage p JOIN passage_block b ON b.id = p.block;"
    "CREATE VIEW passage_content(id, title, body) AS"
    "  SELECT p.id, d.title, fsearch_text(b.data, p.boff, p.blen)"
    "  FROM passage p JOIN doc d ON d.id = p.doc_id"
    "  JOIN passage_block b ON b.id = p.block;";

int fs_exec(fsearch *fs, const char *sql, const char *what)
{
    int rc = sqlite3_exec(fs->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? FSEARCH_OK : fs_error_sqlite(fs, rc, what);
}

int fs_register_all(sqlite3 *db)
{
    int rc = fs_tokenizer_register(db);
    if (rc == SQLITE_OK)
        rc = fs_rank_register(db);
    if (rc == SQLITE_OK)
        rc = fs_textstore_register(db);
    return rc;
}

/* Read one meta value as a fresh string (NULL if absent). */
static int meta_get(fsearch *fs, const char *key, char **out)
{
    sqlite3_stmt *st = NULL;
    *out = NULL;
    int rc = sqlite3_prepare_v2(fs->db,
                                "SELECT value FROM meta WHERE key = ?1", -1,
                                &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const char *v = (const char *)sqlite3_column_text(st, 0);
            if (v && !(*out = fs_strdup(v)))
                rc = SQLITE_NOMEM;
            else
                rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? FSEARCH_OK
                           : fs_error_sqlite(fs, rc, "cannot read the index");
}

int fs_meta_set(fsearch *fs, const char *key, const char *value)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(fs->db,
                                "INSERT OR REPLACE INTO meta(key, value) "
                                "VALUES(?1, ?2)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? FSEARCH_OK
                             : fs_error_sqlite(fs, rc, "cannot write the index");
}

static int create_schema(fsearch *fs, const char *language)
{
    char sql[256];
    /* 16 KB pages (SQLite's default is 4 KB): a quarter of the pages, WAL
    ** frames and write calls for the same data while indexing; searches
    ** cost the same (FTS5 keeps its own leaves at 4 KB). Only a new file's
    ** page size can be set, before its first table. */
    int rc = fs_exec(fs, "PRAGMA page_size=16384", "cannot create the index");
    if (rc == FSEARCH_OK)
        rc = fs_exec(fs, "PRAGMA journal_mode=WAL", "cannot create the index");
    if (rc == FSEARCH_OK)
        rc = fs_exec(fs, "BEGIN IMMEDIATE", "cannot create the index");
    if (rc != FSEARCH_OK)
        return rc;
    snprintf(sql, sizeof sql,
             "PRAGMA application_id=%d; PRAGMA user_version=%d;",
             FS_APPLICATION_ID, FS_FORMAT_VERSION);
    rc = fs_exec(fs, sql, "cannot create the index");
    if (rc == FSEARCH_OK)
        rc = fs_exec(fs, schema_sql, "cannot create the index");
    if (rc == FSEARCH_OK) {
        /* language was checked by fs_tokenizer_language_ok(): a plain name */
        snprintf(sql, sizeof sql,
                 "CREATE VIRTUAL TABLE fts USING fts5(title, body, "
                 "content='passage_content', content_rowid='id', "
                 "tokenize='fsearch %s');", language);
        rc = fs_exec(fs, sql, "cannot create the index");
    }
    /* FTS5 flushes its pending terms to a new segment when they pass
    ** hashsize (1 MB by default); fewer, larger segments mean less merging
    ** while indexing. The pending terms take a few times that in memory. */
    if (rc == FSEARCH_OK)
        rc = fs_exec(fs, "INSERT INTO fts(fts, rank) VALUES('hashsize', "
                     "8388608)", "cannot create the index");
    if (rc == FSEARCH_OK) {
        char v[16];
        snprintf(v, sizeof v, "%d", FS_FORMAT_VERSION);
        rc = fs_meta_set(fs, "format", v);
    }
    if (rc == FSEARCH_OK)
        rc = fs_meta_set(fs, "language", language);
    if (rc == FSEARCH_OK)
        rc = fs_exec(fs, "COMMIT", "cannot create the index");
    if (rc != FSEARCH_OK)
        sqlite3_exec(fs->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Is the file at `path` something we may open as our index? Returns OK when
** it starts like an SQLite database; a message otherwise. */
static int check_header(fsearch *fs, const char *path)
{
    /* O_NONBLOCK: a FIFO put there since the caller's stat() must not
    ** hold the open. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return fs_error(fs, errno == ENOENT ? FSEARCH_ENOTFOUND : FSEARCH_EIO,
                        "cannot open the index '%s': %s", path,
                        strerror(errno));
    char head[16];
    ssize_t n = read(fd, head, sizeof head);
    int saved = errno;
    close(fd);
    if (n < 0)
        return fs_error(fs, FSEARCH_EIO, "cannot read the index '%s': %s",
                        path, strerror(saved));
    if (n == 0)
        return fs_error(fs, FSEARCH_ECORRUPT,
                        "'%s' is an empty file, not an fsearch index; "
                        "remove it or choose another --index", path);
    if (n < 16 || memcmp(head, "SQLite format 3", 16) != 0)
        return fs_error(fs, FSEARCH_ECORRUPT,
                        "'%s' is not an fsearch index (not an SQLite "
                        "database); remove it or choose another --index",
                        path);
    return FSEARCH_OK;
}

static int pragma_int(fsearch *fs, const char *sql, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(fs->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? FSEARCH_OK
                           : fs_error_sqlite(fs, rc, "cannot read the index");
}

/* Add the column `name` of type `decl` to `passage` unless it has it: a
** column that came within format 2 (no rewrite of the table). */
static int add_passage_column(fsearch *fs, const char *name, const char *decl)
{
    char sql[96];
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, "SELECT %s FROM passage", name);
    int src = sqlite3_prepare_v2(fs->db, sql, -1, &st, NULL);
    sqlite3_finalize(st);
    if (src == SQLITE_OK)
        return FSEARCH_OK;
    if (src == SQLITE_ERROR &&
        strstr(sqlite3_errmsg(fs->db), "no such column")) {
        snprintf(sql, sizeof sql, "ALTER TABLE passage ADD COLUMN %s %s",
                 name, decl);
        return fs_exec(fs, sql, "cannot upgrade the index");
    }
    return fs_error_sqlite(fs, src, "cannot read the index");
}

/* Check that an existing database is an fsearch index we can read. */
static int check_index(fsearch *fs)
{
    int app = 0, version = 0;
    int rc = pragma_int(fs, "PRAGMA application_id", &app);
    if (rc == FSEARCH_OK)
        rc = pragma_int(fs, "PRAGMA user_version", &version);
    if (rc != FSEARCH_OK)
        return rc;
    if (app != FS_APPLICATION_ID)
        return fs_error(fs, FSEARCH_ECORRUPT,
                        "'%s' is an SQLite database but not an fsearch index; "
                        "remove it or choose another --index", fs->path);
    if (version != FS_FORMAT_VERSION)
        return fs_error(fs, FSEARCH_EVERSION,
                        "the index '%s' has format %d but this fsearch reads "
                        "format %d; rebuild it with 'fsearch index --rebuild'",
                        fs->path, version, FS_FORMAT_VERSION);
    rc = meta_get(fs, "language", &fs->language);
    if (rc == FSEARCH_OK && !fs->language)
        rc = fs_error(fs, FSEARCH_ECORRUPT,
                      "the index '%s' is damaged (no language recorded); "
                      "rebuild it with 'fsearch index --rebuild'", fs->path);
    if (rc == FSEARCH_OK && !fs_tokenizer_language_ok(fs->language))
        rc = fs_error(fs, FSEARCH_EVERSION,
                      "the index '%s' uses the stemmer '%s', which this "
                      "build does not have", fs->path, fs->language);
    /* (The root is read by fsearch_stat(), its only reader.) */
    /* Format 2 before passage signatures: the column is added (no
    ** rewrite) so index runs can fill it; old rows keep NULL, read from
    ** their text. Likewise before the small index of recent hashes (NULL:
    ** the hash is in passage_hash); the indexes are remade by the first
    ** run that writes (indexer.c defer_hash_index()). */
    if (rc == FSEARCH_OK && !(fs->flags & FSEARCH_OPEN_READONLY))
        rc = add_passage_column(fs, "sig", "BLOB");
    if (rc == FSEARCH_OK && !(fs->flags & FSEARCH_OPEN_READONLY))
        rc = add_passage_column(fs, "recent", "INTEGER");
    return rc;
}

/* mkdir -p for the folder holding `path`. */
/* When `path` cannot be looked at because one of the folders it goes
** through is something else (stat's ENOTDIR): say which one. SQLite only
** says "unable to open database file", and mkdir only that it exists. */
static int not_a_folder(fsearch *fs, const char *path)
{
    char *dir = fs_strdup(path);
    if (!dir)
        return fs_error(fs, FSEARCH_ENOMEM, "out of memory");
    int rc = FSEARCH_OK;
    for (char *p = dir + 1; *p && rc == FSEARCH_OK; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        struct stat st;
        if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
            rc = fs_error(fs, FSEARCH_EINVAL,
                          "cannot use the index path '%s': '%s' is a file, "
                          "not a folder", path, dir);
        *p = '/';
    }
    fs_free(dir);
    return rc;
}

static int make_parent(fsearch *fs, const char *path)
{
    char *dir = fs_strdup(path);
    if (!dir)
        return fs_error(fs, FSEARCH_ENOMEM, "out of memory");
    char *slash = strrchr(dir, '/');
    int rc = FSEARCH_OK;
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; rc == FSEARCH_OK; p++) {
            if (*p == '/' || *p == '\0') {
                char c = *p;
                *p = '\0';
                if (mkdir(dir, 0777) != 0 && errno != EEXIST)
                    rc = fs_error(fs, FSEARCH_EIO,
                                  "cannot create the folder '%s': %s", dir,
                                  strerror(errno));
                *p = c;
                if (c == '\0')
                    break;
            }
        }
    }
    fs_free(dir);
    return rc;
}

/*
** For FSEARCH_OPEN_RECREATE: delete the index at `path` (and its -wal and
** -shm) when it is an fsearch index this build cannot use, of another
** format version or damaged, so that it is made anew. Whether it is ours is
** read from the file's own header (application_id at byte 68), which works
** even when SQLite cannot open it; anything else is left for the normal open
** to refuse. *exists becomes 0 when the file was removed.
*/
static int remove_if_unusable(fsearch *fs, const char *path, int *exists)
{
    unsigned char head[100];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return FSEARCH_OK;
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    uint32_t app = 0;
    if (n == (ssize_t)sizeof head)
        app = (uint32_t)head[68] << 24 | (uint32_t)head[69] << 16 |
              (uint32_t)head[70] << 8 | head[71];
    if (n != (ssize_t)sizeof head ||
        memcmp(head, "SQLite format 3", 16) != 0 || app != FS_APPLICATION_ID)
        return FSEARCH_OK;

    fsearch_options po = FSEARCH_OPTIONS_INIT;
    fsearch *probe = NULL;
    int rc = fsearch_open(&probe, path, &po);
    int unusable = rc == FSEARCH_EVERSION || rc == FSEARCH_ECORRUPT;
    if (rc == FSEARCH_OK) {
        /* Damage deep inside does not show at open; a quick check is
        ** affordable for an explicit rebuild. */
        sqlite3_stmt *st = NULL;
        int src = sqlite3_prepare_v2(probe->db, "PRAGMA quick_check", -1, &st,
                                     NULL);
        if (src == SQLITE_OK)
            src = sqlite3_step(st);
        const char *v = src == SQLITE_ROW
                            ? (const char *)sqlite3_column_text(st, 0) : NULL;
        unusable = (src & 0xff) == SQLITE_CORRUPT ||
                   (src & 0xff) == SQLITE_NOTADB ||
                   (src == SQLITE_ROW && (!v || strcmp(v, "ok") != 0));
        sqlite3_finalize(st);
    }
    fsearch_close(probe);
    if (rc == FSEARCH_ENOMEM)
        return fs_error(fs, rc, "out of memory");
    if (!unusable)
        return FSEARCH_OK;
    static const char *const suffixes[] = { "", "-wal", "-shm" };
    char side[4096];
    for (size_t i = 0; i < 3; i++) {
        if ((size_t)snprintf(side, sizeof side, "%s%s", path, suffixes[i]) >=
            sizeof side)
            return fs_error(fs, FSEARCH_EINVAL, "the index path is too long");
        if (unlink(side) != 0 && errno != ENOENT)
            return fs_error(fs, FSEARCH_EIO, "cannot remove the old index "
                            "'%s': %s", side, strerror(errno));
    }
    *exists = 0;
    return FSEARCH_OK;
}

int fsearch_open(fsearch **out, const char *index_path,
                 const fsearch_options *opts)
{
    static const fsearch_options defaults = FSEARCH_OPTIONS_INIT;
    if (!out)
        return FSEARCH_EINVAL;
    *out = NULL;
    fsearch *fs = fs_calloc(sizeof *fs);
    if (!fs)
        return FSEARCH_ENOMEM;
    *out = fs;
    if (!opts)
        opts = &defaults;
    if (!index_path || !*index_path)
        return fs_error(fs, FSEARCH_EINVAL, "no index path given");
    if (opts->version != FSEARCH_OPTIONS_VERSION)
        return fs_error(fs, FSEARCH_EINVAL,
                        "unknown fsearch_options version %u", opts->version);
    fs->flags = opts->flags;
    if (!(fs->path = fs_strdup(index_path)))
        return fs_error(fs, FSEARCH_ENOMEM, "out of memory");
    const char *language = opts->language ? opts->language : "english";
    if (!fs_tokenizer_language_ok(language))
        return fs_error(fs, FSEARCH_EINVAL,
                        "unknown stemmer language '%s'", language);

    struct stat st;
    int exists = stat(index_path, &st) == 0;
    if (!exists && errno == ENOTDIR) {
        int rc = not_a_folder(fs, index_path);
        if (rc != FSEARCH_OK)
            return rc;
    }
    int creating = 0;
    if (exists && S_ISDIR(st.st_mode))
        return fs_error(fs, FSEARCH_EINVAL,
                        "the index path '%s' is a folder; give a file path "
                        "such as '%s/fsearch.db'", index_path, index_path);
    /* A FIFO would hold the read of its header (and SQLite's) forever. */
    if (exists && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
        return fs_error(fs, FSEARCH_EINVAL,
                        "the index path '%s' is not a file (a FIFO, a socket "
                        "or a block device)", index_path);
    if (exists && (fs->flags & FSEARCH_OPEN_RECREATE) &&
        (fs->flags & FSEARCH_OPEN_CREATE) &&
        !(fs->flags & FSEARCH_OPEN_READONLY)) {
        int rc = remove_if_unusable(fs, index_path, &exists);
        if (rc != FSEARCH_OK)
            return rc;
    }
    if (exists) {
        int rc = check_header(fs, index_path);
        if (rc != FSEARCH_OK)
            return rc;
    } else if (!(fs->flags & FSEARCH_OPEN_CREATE) ||
               (fs->flags & FSEARCH_OPEN_READONLY)) {
        return fs_error(fs, FSEARCH_ENOTFOUND, "no index at '%s'",
                        index_path);
    } else {
        int rc = make_parent(fs, index_path);
        if (rc != FSEARCH_OK)
            return rc;
        creating = 1;
    }

    int oflags = (fs->flags & FSEARCH_OPEN_READONLY)
                     ? SQLITE_OPEN_READONLY
                     : SQLITE_OPEN_READWRITE | (creating ? SQLITE_OPEN_CREATE : 0);
    int oom = 0;
    char *uri = (fs->flags & FSEARCH_OPEN_READONLY)
                    ? fs_readonly_uri(index_path, &oom) : NULL;
    if (oom)
        return fs_error(fs, FSEARCH_ENOMEM, "out of memory");
    int rc = sqlite3_open_v2(uri ? uri : index_path, &fs->db,
                             oflags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                                 (uri ? SQLITE_OPEN_URI : 0),
                             NULL);
    fs_free(uri);
    int immutable = uri != NULL;
    int frc = FSEARCH_OK;
    if (rc != SQLITE_OK)
        frc = fs_error_sqlite(fs, rc, "cannot open the index");
    if (frc == FSEARCH_OK) {
        sqlite3_busy_timeout(fs->db, 10000);
        /* As fs_register_all(), with the replay the indexer feeds. */
        /* (A read-only handle never writes: plain tokenizers.) */
        rc = fs_tokenizer_register_replay(
            fs->db, (fs->flags & FSEARCH_OPEN_READONLY) ? NULL : &fs->replay);
        if (rc == SQLITE_OK)
            rc = fs_rank_register(fs->db);
        if (rc == SQLITE_OK)
            rc = fs_textstore_register(fs->db);
        if (rc != SQLITE_OK)
            frc = fs_error_sqlite(fs, rc, "cannot set up the tokenizer");
    }
    if (frc == FSEARCH_OK && creating) {
        frc = create_schema(fs, language);
        if (frc == FSEARCH_OK && !(fs->language = fs_strdup(language)))
            frc = fs_error(fs, FSEARCH_ENOMEM, "out of memory");
    } else if (frc == FSEARCH_OK) {
        frc = check_index(fs);
        const char *why = frc == FSEARCH_EIO && !immutable &&
                                  (fs->flags & FSEARCH_OPEN_READONLY)
                              ? fs_readonly_blocked(index_path) : NULL;
        if (why)
            frc = fs_error(fs, FSEARCH_EBUSY, "cannot read the index '%s': %s",
                           index_path, why);
    }
    if (frc != FSEARCH_OK && creating) {
        /* Leave no half-made index behind, whichever step failed: it was
        ** ours alone, and an empty file would be refused as "not an
        ** index" by every later open. */
        char side[4096];
        sqlite3_close(fs->db);
        fs->db = NULL;
        unlink(index_path);
        /* A stale -wal would be replayed into the next index made here. */
        static const char *const suffixes[] = { "-wal", "-shm" };
        for (size_t i = 0; i < 2; i++)
            if ((size_t)snprintf(side, sizeof side, "%s%s", index_path,
                                 suffixes[i]) < sizeof side)
                unlink(side);
    }
    /* (How a commit syncs; a read-only handle never commits.) */
    if (frc == FSEARCH_OK && !(fs->flags & FSEARCH_OPEN_READONLY))
        frc = fs_exec(fs, "PRAGMA synchronous=NORMAL", "cannot open the index");
    /* A search reads posting lists, column sizes and passages all over a
    ** large index: with SQLite's 2 MB default the pages of one search
    ** evicted the next one's, and each miss is a pread (a fifth of a rare
    ** word's time on the full benchmark slice). 32 MB was still short of
    ** the 25 benchmark queries' pages (~40 MB): a single word read ~75
    ** pages again each time (0.3 ms of its 1.2); the cache grows only as
    ** far as pages are read.
    ** A brief handle is different: each page read into the cache is fresh
    ** memory (page faults, zeroing) plus a copy, and nothing is reused
    ** later. Mapped, a page is read in place from the kernel's page cache:
    ** a cheap query's process makes a third fewer page faults. (A mapped
    ** page is parsed again on each visit, which makes repeated searches on
    ** a long-lived handle slower: hence not for every read-only handle.)
    ** SQLite caps the size at its build's limit and reads the rest. */
    if (frc == FSEARCH_OK && (fs->flags & FSEARCH_OPEN_READONLY))
        frc = fs_exec(fs, (fs->flags & FSEARCH_OPEN_BRIEF)
                              ? "PRAGMA mmap_size=1099511627776"
                              : "PRAGMA cache_size=-65536",
                      "cannot open the index");
    return frc;
}

void fsearch_close(fsearch *fs)
{
    if (!fs)
        return;
    fs_stmt_cache_free(fs);
    if (fs->db)
        sqlite3_close_v2(fs->db);
    fs_synonyms_free(fs->synonyms);
    fs_tokenizer_free(fs->tk);
    fs_rank_cache_free(fs->rank_cache);
    fs_free(fs->path);
    fs_free(fs->language);
    fs_free(fs->root);
    fs_free(fs);
}

static int count_rows(fsearch *fs, const char *sql, uint64_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(fs->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = (uint64_t)sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? FSEARCH_OK
                           : fs_error_sqlite(fs, rc, "cannot read the index");
}

int fsearch_stat(fsearch *fs, fsearch_status *out)
{
    if (!fs)
        return FSEARCH_EINVAL;
    if (!out)
        return fs_error(fs, FSEARCH_EINVAL, "fsearch_stat: out is NULL");
    if (!fs->db)
        return fs_error(fs, FSEARCH_EINVAL, "the index is not open");
    memset(out, 0, sizeof *out);
    int rc = count_rows(fs, "SELECT count(*) FROM doc", &out->documents);
    if (rc == FSEARCH_OK)
        rc = count_rows(fs, "SELECT coalesce(sum(npassages), 0) FROM doc",
                        &out->passages);
    uint64_t last = 0;
    if (rc == FSEARCH_OK)
        rc = count_rows(fs, "SELECT coalesce((SELECT CAST(value AS INTEGER) "
                            "FROM meta WHERE key = 'last_update'), 0)", &last);
    if (rc != FSEARCH_OK)
        return rc;
    out->last_update = (int64_t)last;
    struct stat st;
    if (stat(fs->path, &st) == 0)
        out->index_bytes += (uint64_t)st.st_size;
    char wal[4096];
    snprintf(wal, sizeof wal, "%s-wal", fs->path);
    if (stat(wal, &st) == 0)
        out->index_bytes += (uint64_t)st.st_size;
    out->format_version = FS_FORMAT_VERSION;
    out->language = fs->language;
    fs_free(fs->root);
    rc = meta_get(fs, "root", &fs->root);
    out->root = fs->root;
    return rc;
}

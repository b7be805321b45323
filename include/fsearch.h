/*
** fsearch.h - the public interface of libfsearch, a full-text search engine
** for a folder of texts, built on SQLite FTS5.
**
** An index is one SQLite file. fsearch_index() brings it up to date with a
** folder (only what changed is re-read); fsearch_search() returns the best
** passages for a query, ranked, with their file, line and a snippet.
**
** Conventions:
**  - Calls that can fail return an int: FSEARCH_OK (0) on success, a negative
**    FSEARCH_E* code on failure. FSEARCH_DONE is the only positive code.
**  - The message of the last failure lives on the handle: fsearch_errmsg().
**  - What a call hands back through `**out` belongs to the caller until the
**    matching _free/_close. Pointers returned directly, or through
**    `const T **`, are borrowed: valid as long as the call's comment says.
**  - Options structs start with a version field; initialise them with their
**    _INIT macro so fields added later get their defaults.
**  - Threads: one handle (and its cursors) is used by one thread at a time.
**    Several threads, or processes, may each open their own handle on the
**    same index; searches then run while another handle indexes.
**  - The library never prints, never exits and keeps no global mutable state.
*/
#ifndef FSEARCH_H
#define FSEARCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FSEARCH_VERSION "0.1.0"
#define FSEARCH_VERSION_MAJOR 0
#define FSEARCH_VERSION_MINOR 1
#define FSEARCH_VERSION_PATCH 0

/*
** FSEARCH_API marks the library's public functions. libfsearch.so is built
** with -fvisibility=hidden and FSEARCH_BUILD_SHARED, so these calls are all
** it exports; for users of the header it expands to nothing.
*/
#if defined(FSEARCH_BUILD_SHARED) && defined(__GNUC__)
#define FSEARCH_API __attribute__((visibility("default")))
#else
#define FSEARCH_API
#endif

/* Return codes. */
enum fsearch_rc {
    FSEARCH_OK = 0,         /* success */
    FSEARCH_DONE = 1,       /* a cursor has no more hits; not an error */
    FSEARCH_ERROR = -1,     /* an error with no better code (see errmsg) */
    FSEARCH_ENOMEM = -2,    /* out of memory */
    FSEARCH_EIO = -3,       /* a file or the index could not be read or written */
    FSEARCH_ECORRUPT = -4,  /* the index file is damaged or not an fsearch index */
    FSEARCH_EQUERY = -5,    /* the query cannot be understood */
    FSEARCH_EVERSION = -6,  /* the index was made by another format or settings */
    FSEARCH_EBUSY = -7,     /* another process holds the index (e.g. indexing) */
    FSEARCH_EINVAL = -8,    /* a bad argument: NULL, unknown options version... */
    FSEARCH_ENOTFOUND = -9, /* the index or the folder does not exist */
    FSEARCH_EINTR = -10     /* a progress callback asked to stop */
};

typedef struct fsearch fsearch;               /* an open index */
typedef struct fsearch_cursor fsearch_cursor; /* one running search */

/* ====================================================================== */
/* Opening an index                                                        */

#define FSEARCH_OPEN_CREATE   0x1u  /* create the index if it does not exist */
#define FSEARCH_OPEN_READONLY 0x2u  /* never write (searching only) */

#define FSEARCH_OPTIONS_VERSION 1
typedef struct fsearch_options {
    unsigned int version;     /* FSEARCH_OPTIONS_VERSION */
    unsigned int flags;       /* FSEARCH_OPEN_* */
    const char *language;     /* Snowball stemmer used when the index is
                              ** created: "english" (NULL), "french", ...,
                              ** or "none". An existing index keeps its own. */
} fsearch_options;
#define FSEARCH_OPTIONS_INIT { FSEARCH_OPTIONS_VERSION, 0, NULL }

/*
** Open the index at `index_path`. With FSEARCH_OPEN_CREATE a missing index
** (and a missing parent folder) is created; otherwise a missing index is
** FSEARCH_ENOTFOUND. A file that is not an fsearch index, or a damaged one,
** is FSEARCH_ECORRUPT; one of another format version is FSEARCH_EVERSION.
** Such files are never modified.
**
** Like sqlite3_open(), *out receives a handle even on failure (NULL only when
** memory ran out), so that fsearch_errmsg() can say why; the caller always
** passes it to fsearch_close(). opts may be NULL for the defaults.
*/
FSEARCH_API int fsearch_open(fsearch **out, const char *index_path,
                             const fsearch_options *opts);

/* Close the handle and free everything it owns. NULL is a no-op. Cursors
** must be freed before their handle is closed. */
FSEARCH_API void fsearch_close(fsearch *fs);

/* ====================================================================== */
/* Indexing                                                                */

/* What an index run reports through its progress callback. */
enum fsearch_event_kind {
    FSEARCH_EVENT_ADDED = 1,   /* a new file was indexed */
    FSEARCH_EVENT_UPDATED,     /* a changed file was re-indexed */
    FSEARCH_EVENT_RENAMED,     /* a file moved; old_path says from where */
    FSEARCH_EVENT_REMOVED,     /* a file is gone from the folder */
    FSEARCH_EVENT_SKIPPED,     /* a file was not indexed; reason says why */
    FSEARCH_EVENT_PROGRESS     /* periodic: counters only */
};

typedef struct fsearch_event {
    int kind;                 /* enum fsearch_event_kind */
    const char *path;         /* relative to the root; NULL for PROGRESS */
    const char *old_path;     /* RENAMED only */
    const char *reason;       /* SKIPPED only: "binary", "unreadable: ..." */
    uint64_t files_done;      /* files examined so far */
    uint64_t files_total;     /* files found by the walk */
    uint64_t bytes_done;      /* bytes of changed files read so far */
    uint64_t bytes_total;     /* bytes of all changed files to read */
} fsearch_event;

/* Called from inside fsearch_index(); everything in *ev is borrowed for the
** duration of the call. Return 0 to go on, non-zero to stop the run (it then
** ends with FSEARCH_EINTR, keeping what was already committed). */
typedef int (*fsearch_progress_fn)(const fsearch_event *ev, void *payload);

#define FSEARCH_INDEX_REBUILD 0x1u  /* forget the index and read everything */
#define FSEARCH_INDEX_DRY_RUN 0x2u  /* report what would change, change nothing */

#define FSEARCH_INDEX_OPTIONS_VERSION 1
typedef struct fsearch_index_options {
    unsigned int version;         /* FSEARCH_INDEX_OPTIONS_VERSION */
    unsigned int flags;           /* FSEARCH_INDEX_* */
    fsearch_progress_fn progress; /* may be NULL */
    void *payload;                /* handed to progress */
    uint64_t max_file_bytes;      /* larger files are skipped; 0: no limit */
} fsearch_index_options;
#define FSEARCH_INDEX_OPTIONS_INIT \
    { FSEARCH_INDEX_OPTIONS_VERSION, 0, NULL, NULL, 0 }

typedef struct fsearch_index_stats {
    uint64_t added, updated, renamed, removed, unchanged, skipped;
    uint64_t bytes_read;      /* bytes of files tokenized */
    uint64_t passages_added;  /* passages written */
    double seconds;           /* wall time of the run */
} fsearch_index_stats;

/*
** Bring the index up to date with the folder `root`: new files are added,
** changed ones re-indexed, removed ones dropped, moved ones renamed. Work is
** committed in batches, so a run that is killed leaves the index as it was
** after the last batch. stats_out and opts may be NULL.
** Returns FSEARCH_OK, FSEARCH_ENOTFOUND (no such folder), FSEARCH_EBUSY
** (another run holds the index), FSEARCH_EINTR, or another error.
*/
FSEARCH_API int fsearch_index(fsearch *fs, const char *root,
                              const fsearch_index_options *opts,
                              fsearch_index_stats *stats_out);

/* ====================================================================== */
/* Searching                                                               */

#define FSEARCH_SEARCH_OPTIONS_VERSION 1
typedef struct fsearch_search_options {
    unsigned int version;       /* FSEARCH_SEARCH_OPTIONS_VERSION */
    unsigned int limit;         /* hits at most; 0 means 10 */
    unsigned int offset;        /* hits to skip first */
    unsigned int snippet_bytes; /* target snippet length; 0 means 200 */
    unsigned int flags;         /* reserved, 0 */
} fsearch_search_options;
#define FSEARCH_SEARCH_OPTIONS_INIT \
    { FSEARCH_SEARCH_OPTIONS_VERSION, 10, 0, 200, 0 }

typedef struct fsearch_range {
    size_t start, end;          /* byte offsets, [start, end) */
} fsearch_range;

typedef struct fsearch_location {
    const char *path;           /* relative to the indexed root */
    unsigned int line;          /* 1-based line where the passage starts */
} fsearch_location;

typedef struct fsearch_hit {
    unsigned int rank;          /* 1-based, counting the offset */
    const char *path;           /* relative to the indexed root */
    const char *title;          /* the document's first non-empty line */
    unsigned int line;          /* first line of the passage, 1-based */
    unsigned int end_line;      /* last line of the passage, 1-based */
    double score;               /* higher is better; comparable within a search */
    const char *text;           /* the whole passage, UTF-8, NUL-terminated */
    size_t text_len;            /* bytes */
    const fsearch_range *matches; /* matched words in text, in order */
    size_t nmatches;
    const char *snippet;        /* a window of text around the matches */
    size_t snippet_len;         /* bytes */
    const fsearch_range *snippet_matches; /* matched words in snippet */
    size_t nsnippet_matches;
    int snippet_cut_before;     /* 1 if text precedes the snippet */
    int snippet_cut_after;      /* 1 if text follows the snippet */
    const fsearch_location *also_in; /* same passage found elsewhere */
    size_t nalso_in;
} fsearch_hit;

/*
** Start a search. The query language: words (passages with all of them rank
** first, passages with some are still found), "phrases", OR, AND, NOT or
** -word, prefix*, NEAR(a b, N), parentheses, title:word and path:GLOB.
** Returns FSEARCH_OK with a cursor in *out, FSEARCH_EQUERY with a message
** naming the problem (errmsg), or another error. The cursor belongs to the
** caller: fsearch_cursor_free().
*/
FSEARCH_API int fsearch_search(fsearch_cursor **out, fsearch *fs,
                               const char *query,
                               const fsearch_search_options *opts);

/*
** Advance to the next hit: FSEARCH_OK with *hit_out set, FSEARCH_DONE when
** there are no more, or an error. The hit and everything it points to is
** borrowed until the next call on the cursor or its free.
*/
FSEARCH_API int fsearch_next(fsearch_cursor *cur, const fsearch_hit **hit_out);

/* Free a cursor. NULL is a no-op. */
FSEARCH_API void fsearch_cursor_free(fsearch_cursor *cur);

/* ====================================================================== */
/* Status and errors                                                       */

typedef struct fsearch_status {
    uint64_t documents;         /* files in the index */
    uint64_t passages;          /* passages in the index */
    uint64_t index_bytes;       /* size of the index file(s) */
    int64_t last_update;        /* Unix time of the last finished run, or 0 */
    unsigned int format_version;/* of the index file */
    const char *language;       /* stemmer; borrowed until the next call */
    const char *root;           /* folder last indexed; borrowed, may be NULL */
} fsearch_status;

/* Fill *out with facts about the index. */
FSEARCH_API int fsearch_stat(fsearch *fs, fsearch_status *out);

/* The message of the last failure on this handle ("" if none). Borrowed
** until the next call on the handle. NULL handle: a fixed message. */
FSEARCH_API const char *fsearch_errmsg(const fsearch *fs);

/* Fixed text for a return code; never NULL. */
FSEARCH_API const char *fsearch_errstr(int rc);

/* The library's version, e.g. "0.1.0". */
FSEARCH_API const char *fsearch_version(void);

#ifdef __cplusplus
}
#endif

#endif /* FSEARCH_H */

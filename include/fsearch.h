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
**  - Misuse that can be detected is FSEARCH_EINVAL, never a crash: a NULL
**    handle, cursor or required argument, an options struct of an unknown
**    version. The message is on the handle when there is one.
**  - Threads: one handle (and its cursors) is used by one thread at a time.
**    Several threads, or processes, may each open their own handle on the
**    same index; searches then run while another handle indexes. Callbacks
**    run on the calling thread, inside the call, and must not use the
**    handle they were called for (another handle is fine).
**    fsearch_errstr() and fsearch_version() may be called from any thread.
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
#define FSEARCH_OPEN_RECREATE 0x4u  /* with CREATE: an fsearch index of another
                                    ** format version, or a damaged one, is
                                    ** deleted and created anew; a file that is
                                    ** not an fsearch index never is */
#define FSEARCH_OPEN_BRIEF    0x8u  /* with READONLY: the handle serves a search
                                    ** or two and is closed (a command-line
                                    ** run): the index is mapped into memory
                                    ** rather than read into a cache that a
                                    ** short life would never reuse */

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
** Such files are never modified. FSEARCH_EINVAL: a NULL or empty path, a
** path that is a folder, a FIFO or a socket, an unknown options version or
** stemmer language.
**
** Like sqlite3_open(), *out receives a handle even on failure (NULL only when
** memory ran out), so that fsearch_errmsg() can say why; the caller always
** passes it to fsearch_close(). opts may be NULL for the defaults.
*/
FSEARCH_API int fsearch_open(fsearch **out, const char *index_path,
                             const fsearch_options *opts);

/* Close the handle and free everything it owns, including what it lent
** (messages, fsearch_status strings). NULL is a no-op. Cursors must be freed
** before their handle is closed. */
FSEARCH_API void fsearch_close(fsearch *fs);

/* ====================================================================== */
/* Indexing                                                                */

/*
** What an index run reports through its progress callback. Later versions
** may add kinds, always at the end of this list: a callback must ignore a
** kind it does not know (its counters are still valid).
*/
enum fsearch_event_kind {
    FSEARCH_EVENT_ADDED = 1,   /* a new file was indexed */
    FSEARCH_EVENT_UPDATED,     /* a changed file was re-indexed */
    FSEARCH_EVENT_RENAMED,     /* a file moved; old_path says from where */
    FSEARCH_EVENT_REMOVED,     /* a file is gone from the folder */
    FSEARCH_EVENT_SKIPPED,     /* a file was not indexed; reason says why */
    FSEARCH_EVENT_PROGRESS,    /* periodic: counters only */
    FSEARCH_EVENT_FINISHING    /* after the last file, a step that finishes
                               ** the index starts; reason names it */
};

/*
** FINISHING comes once per step, and only for a step the run takes (most
** small runs take none), in this order: "merging" (FTS5's segments into
** one), "hash index" (to find copies of passages; after a first build or a
** rebuild) and
** "word counts" (the tables of "did you mean" and of common words). Each
** may take seconds on a large index; PROGRESS events may come during a
** step. Returning non-zero stops the run there with FSEARCH_EINTR: the
** files are committed, and a later run does the steps left undone.
*/
typedef struct fsearch_event {
    int kind;                 /* enum fsearch_event_kind */
    const char *path;         /* relative to the root; NULL for PROGRESS
                              ** and FINISHING */
    const char *old_path;     /* RENAMED only */
    const char *reason;       /* SKIPPED: why ("binary", "unreadable: ...");
                              ** FINISHING: the step ("merging", ...) */
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
** after the last batch. stats_out and opts may be NULL; opts->progress is
** called on this thread. Only one run at a time may update an index, from
** any process or handle.
** Returns FSEARCH_OK, FSEARCH_ENOTFOUND (no such folder), FSEARCH_EBUSY
** (another run holds the index), FSEARCH_EINTR, FSEARCH_EINVAL (a handle
** opened read-only, REBUILD with DRY_RUN, misuse), or another error.
*/
FSEARCH_API int fsearch_index(fsearch *fs, const char *root,
                              const fsearch_index_options *opts,
                              fsearch_index_stats *stats_out);

/*
** A cheap guess whether the folder `root` changed since the last finished
** index run, for a note before a search. It compares the modification times
** of the folder and of the entries directly in it (at most a few thousand)
** with the time that run started, and looks no deeper: a file changed in
** place inside a subfolder goes unnoticed (fsearch_index() finds every
** change). *nchanged_out gets how many of those entries changed; 0 means the
** index looks current. An index never brought up to date counts every entry.
** Returns FSEARCH_OK, FSEARCH_ENOTFOUND (no such folder) or another error.
*/
FSEARCH_API int fsearch_index_stale(fsearch *fs, const char *root,
                                    uint64_t *nchanged_out);

/* ====================================================================== */
/* Watching a folder                                                       */

typedef struct fsearch_watch fsearch_watch;   /* changes under a folder */

/*
** Watch the folder `root` and every folder below it (hidden ones excepted)
** for files created, changed, moved or removed; folders that appear later are
** watched too. The index file of `fs` is ignored if it lies in the folder.
** Linux only (inotify); elsewhere FSEARCH_ERROR. Messages go on `fs`, which
** must outlive the watcher. *out belongs to the caller: fsearch_watch_free().
*/
FSEARCH_API int fsearch_watch_open(fsearch_watch **out, fsearch *fs,
                                   const char *root);

/*
** Wait until something changed under the folder and then stayed quiet for
** quiet_ms milliseconds (changes that keep coming are reported after at most
** ten times that), or until timeout_ms passed (-1: no limit). Returns
** FSEARCH_OK (changes: time to run fsearch_index()), FSEARCH_DONE (the time
** ran out with no change), FSEARCH_EINTR (a signal arrived) or an error.
*/
FSEARCH_API int fsearch_watch_wait(fsearch_watch *w, int quiet_ms,
                                   int timeout_ms);

/* Stop watching and free the watcher. NULL is a no-op. */
FSEARCH_API void fsearch_watch_free(fsearch_watch *w);

/* ====================================================================== */
/* Searching                                                               */

/* One hit per file, best file first. A file scores as its best passage
** plus a small share of its other passages; the hit shows that passage. */
#define FSEARCH_SEARCH_FILES 0x1u
/* Also search the spellings fsearch_suggestions() proposes. */
#define FSEARCH_SEARCH_FUZZY 0x2u
/* Search only the words typed. By default a question (more than three
** words) is searched twice: the words that characterise its first results
** join it with a small weight (pseudo-relevance feedback), which ranks
** better but costs a second search. */
#define FSEARCH_SEARCH_NO_EXPAND 0x4u
/* Hits carry no snippet and no match ranges (empty snippet, nmatches 0):
** for callers that only list places, as `fsearch -l` does. Finding the
** matched words of a file's best passage costs a lookup per hit. */
#define FSEARCH_SEARCH_NO_SNIPPET 0x8u

#define FSEARCH_SEARCH_OPTIONS_VERSION 1
typedef struct fsearch_search_options {
    unsigned int version;       /* FSEARCH_SEARCH_OPTIONS_VERSION */
    unsigned int limit;         /* hits at most; 0 means 10 */
    unsigned int offset;        /* hits to skip first */
    unsigned int snippet_bytes; /* target snippet length; 0 means 200 */
    unsigned int flags;         /* FSEARCH_SEARCH_* */
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
** naming the problem (errmsg), FSEARCH_EINVAL (misuse), or another error;
** *out is NULL on failure. The cursor belongs to the caller, who frees it
** with fsearch_cursor_free() before closing the handle; several cursors of
** one handle may be open at once.
*/
FSEARCH_API int fsearch_search(fsearch_cursor **out, fsearch *fs,
                               const char *query,
                               const fsearch_search_options *opts);

/*
** Advance to the next hit: FSEARCH_OK with *hit_out set, FSEARCH_DONE when
** there are no more, or an error (message on the cursor's handle). After
** DONE or an error the cursor is finished and keeps returning DONE. The hit
** and everything it points to is borrowed until the next call on the cursor
** or its free; *hit_out is NULL unless FSEARCH_OK.
*/
FSEARCH_API int fsearch_next(fsearch_cursor *cur, const fsearch_hit **hit_out);

/* Free a cursor. NULL is a no-op. */
FSEARCH_API void fsearch_cursor_free(fsearch_cursor *cur);

/*
** Count the hits the cursor has not handed out yet, limit and offset aside
** (on a fresh cursor: all hits; files with FSEARCH_SEARCH_FILES). Copies
** folded into one hit count once. The cursor is used up: fsearch_next()
** then returns FSEARCH_DONE.
*/
FSEARCH_API int fsearch_count(fsearch_cursor *cur, uint64_t *count_out);

/*
** "Did you mean": corrections for query words that the index lacks, or has
** far more rarely than a close spelling, as documents write them
** (lowercased). *words_out gets *count_out words (a NULL-terminated array),
** borrowed until the cursor is freed. Computed on the first call.
*/
FSEARCH_API int fsearch_suggestions(fsearch_cursor *cur,
                                    const char *const **words_out,
                                    size_t *count_out);

/*
** With FSEARCH_SEARCH_FUZZY, the words of fsearch_suggestions() that the
** search really searched too, in the same order and form. A suggestion for
** a word typed in quotes is not among them: quoted words are searched
** exactly as typed. None without the flag, or when the query rewritten
** with them would have been too long to search.
*/
FSEARCH_API int fsearch_fuzzy_words(fsearch_cursor *cur,
                                    const char *const **words_out,
                                    size_t *count_out);

/*
** The current hit as one line of JSON (no newline), borrowed until the next
** call on the cursor:
**   {"type":"hit","rank":1,"path":"a.txt","line":13,"end_line":13,
**    "title":"...","score":212.5,"snippet":"...«capital»...",
**    "text":"...","matches":[[120,127]],"also_in":[{"path":"b.txt","line":5}]}
** snippet marks matched words with U+00AB/U+00BB and cut ends with U+2026;
** matches are byte ranges [start, end) in text. FSEARCH_EINVAL if there is
** no current hit.
*/
FSEARCH_API int fsearch_hit_json(fsearch_cursor *cur, const char **json_out);

/*
** The closing JSON line of a search, borrowed as above:
**   {"type":"summary","hits":3,"elapsed_ms":1.25,"suggestions":["nanking"]}
** hits: hits handed out so far (or `count` if given non-negative, for a
** count-only run); elapsed_ms: since fsearch_search().
*/
FSEARCH_API int fsearch_summary_json(fsearch_cursor *cur, int64_t count,
                                     const char **json_out);

/*
** Up to `lines` lines of the file before and after the current hit's
** passage, read from the indexed folder now (so a file changed since
** indexing may not line up). Each is "" or whole lines with their '\n',
** borrowed until the next call on the cursor. FSEARCH_ENOTFOUND or
** FSEARCH_EIO if the file cannot be read.
*/
FSEARCH_API int fsearch_hit_context(fsearch_cursor *cur, unsigned int lines,
                                    const char **before_out,
                                    const char **after_out);

/*
** Load synonym groups from the file at `path`, used by later searches: one
** group per line, words separated by blanks ("Nanking Nanjing"), multi-word
** entries in double quotes, '#' starts a comment. A query word of a group is
** searched as any word of it. NULL path: no synonyms. FSEARCH_ENOTFOUND if
** there is no such file, FSEARCH_EQUERY naming the bad line; the previous
** synonyms are then kept.
*/
FSEARCH_API int fsearch_set_synonyms(fsearch *fs, const char *path);

/* ====================================================================== */
/* Status and errors                                                       */

typedef struct fsearch_status {
    uint64_t documents;         /* files in the index */
    uint64_t passages;          /* passages in the index */
    uint64_t index_bytes;       /* size of the index file(s) */
    int64_t last_update;        /* Unix time of the last finished run that
                                ** changed the index, or 0 */
    unsigned int format_version;/* of the index file */
    const char *language;       /* stemmer; borrowed until the next call */
    const char *root;           /* folder last indexed; borrowed, may be NULL */
} fsearch_status;

/* Fill *out with facts about the index: FSEARCH_OK, FSEARCH_EINVAL (misuse,
** or a handle whose open failed) or an error reading the index. The strings
** in *out are borrowed until the next call on the handle. */
FSEARCH_API int fsearch_stat(fsearch *fs, fsearch_status *out);

/* The message of the last failure on this handle ("" if none): one line, no
** final period, naming the file or word involved. After a failed
** fsearch_open() it says why. Borrowed until the next call on the handle.
** NULL handle (fsearch_open() ran out of memory): a fixed message. */
FSEARCH_API const char *fsearch_errmsg(const fsearch *fs);

/* Fixed text for a return code, "unknown error code" for others; never
** NULL, never to be freed. */
FSEARCH_API const char *fsearch_errstr(int rc);

/* The library's version, e.g. "0.1.0": that of the library linked, which
** may differ from FSEARCH_VERSION of the header compiled against. Static. */
FSEARCH_API const char *fsearch_version(void);

#ifdef __cplusplus
}
#endif

#endif /* FSEARCH_H */

/*
** prep.h - read, split and tokenize the files to index on a second thread.
**
** The indexer's writer (SQLite, one thread) is fed by a worker that does all
** the work that needs no database: reading, telling binary from text,
** converting to UTF-8, cutting passages, hashing, tokenizing, signing
** (shingles.h: near copies are told apart at search time without their
** text) and compressing them.
** The tokens travel with the passages and are replayed to FTS5 through the
** handle's fs_replay (tokenizer_fts5.h). Files come back in the order they
** were given, as a stream of messages; a big file is cut into several, and
** the queue between the two threads is bounded, so memory does not grow
** with the size of a file or of the corpus.
*/
#ifndef FS_PREP_H
#define FS_PREP_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct fs_prep fs_prep;

/* One passage of a message: where its text and tokens are. */
typedef struct fs_prep_passage {
    size_t text_off, text_len;   /* bytes in msg->text: valid UTF-8 */
    size_t tok_off, tok_len;     /* bytes in msg->toks (fs_replay format) */
    unsigned long line;          /* 1-based first line */
    unsigned long end_line;      /* 1-based last line */
    uint64_t off;                /* byte offset in the file's text */
    uint64_t hash;               /* fs_hash_passage of the text */
    size_t sig_off, sig_len;     /* its shingle signature in msg->sigs */
    /* Its stored text: passages are packed in blocks (textstore.h). The
    ** first passage of a block has block_start and the block's bytes at
    ** msg->zdata[z_off, + z_len); boff is where its text is in the block. */
    int block_start;
    size_t z_off, z_len;
    size_t boff;
} fs_prep_passage;

/* A piece of one file. The first piece of a file has has_start, the last
** has_end (a small file is one piece with both). */
typedef struct fs_prep_msg {
    size_t job;                  /* index into the paths given */
    int has_start, has_end;
    int progress;                /* a big file: report progress after it */
    uint64_t bytes;              /* of the file read so far */
    fs_buf title, title_toks;    /* has_start: the title and its tokens */
    fs_buf text, toks;           /* passages' text and tokens */
    fs_buf zdata;                /* their stored (compressed) blocks */
    fs_buf sigs;                 /* their signatures (shingles.h) */
    fs_prep_passage *pas;
    size_t npas, cap;
    int rc;                      /* has_end: FSEARCH_OK or FSEARCH_ENOMEM */
    const char *reason;          /* has_end: why the file is skipped */
    char why[300];               /* room for a reason with errno text */
    uint64_t hash;               /* has_end: fs_hash of the file's bytes */
    struct fs_prep_msg *next;    /* queue link */
} fs_prep_msg;

/* Flags of fs_prep_start(). */
#define FS_PREP_CUT_ALWAYS 1u   /* for tests: cut a file into messages at
                                ** every chance, as if the writer always
                                ** waited (the passages and blocks are the
                                ** same) */

/*
** Start a worker preparing the files root/paths[0..npaths) in that order.
** `paths` must stay valid until fs_prep_free. The text is packed with the
** index's dictionary dict[0..ndict) (textstore.h); without one (NULL), the
** worker first trains one with id train_id on samples of the files (none
** when train_id is 0 or the samples are too few). Returns FSEARCH_OK,
** FSEARCH_ENOMEM, FSEARCH_EINVAL (language) or FSEARCH_EIO (no thread).
** While the writer waits for a message, a file is handed over in pieces as
** its blocks are ready, so that storing it overlaps preparing the rest
** (the pieces are cut where a block ends anyway: the same blocks).
*/
int fs_prep_start(fs_prep **out, const char *root, const char *language,
                  const char *const *paths, size_t npaths, const void *dict,
                  size_t ndict, unsigned train_id, unsigned flags);

/* The dictionary the worker trained, once: 1 with its bytes moved to out
** (the caller's) and its id in *id, which must be stored in the index with
** the first message's blocks; else 0. Call after fs_prep_next gave a
** message (the worker trains before its first). */
int fs_prep_take_dict(fs_prep *p, fs_buf *out, unsigned *id);

/* The next piece, waiting for it: FSEARCH_OK with *out (the caller's, freed
** with fs_prep_msg_free), or FSEARCH_ENOMEM when the worker ran out of
** memory without a message to say so. */
int fs_prep_next(fs_prep *p, fs_prep_msg **out);

void fs_prep_msg_free(fs_prep_msg *m);

/* Stop the worker (it may be anywhere), wait for it and free everything;
** NULL is a no-op. */
void fs_prep_free(fs_prep *p);

/* Read up to n bytes of fd into p, retrying short and interrupted reads:
** the bytes read (fewer only at the end of the file), or -1 on an error.
** The indexer's hashing shares it with the worker. */
ssize_t fs_read_full(int fd, char *p, size_t n);

#endif

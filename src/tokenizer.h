/*
** tokenizer.h - the fsearch word splitter and folder, usable without SQLite.
**
** Text is cut into words at Unicode category boundaries; each word is
** normalized (NFKC), case-folded, stripped of accents and stemmed with a
** Snowball stemmer. Offsets handed to the callback point into the ORIGINAL
** text, so highlights land on the words as written. tokenizer_fts5.c wraps
** this as the "fsearch" FTS5 tokenizer.
*/
#ifndef FS_TOKENIZER_H
#define FS_TOKENIZER_H

#include <stddef.h>

typedef struct fs_tokenizer fs_tokenizer;

/* Flags for fs_tokenizer_run(). */
enum {
    FS_TOKENIZE_NOSTEM = 0x1   /* fold but do not stem (prefix queries) */
};

/* Tokens longer than this many bytes of folded output are cut to it. */
#define FS_TOKEN_MAX_BYTES 128

/*
** Called once per token. `token` (ntoken bytes, not NUL-terminated) is the
** folded and stemmed form, borrowed for the call. [start, end) is the byte
** range of the word in the original text. Return 0 to go on; any other
** value stops the run and is returned by fs_tokenizer_run().
*/
typedef int (*fs_token_fn)(void *payload, const char *token, int ntoken,
                           int start, int end);

/*
** Create a tokenizer. `language` is a Snowball algorithm name ("english",
** "french", "porter", ...), NULL for "english", or "none" for no stemming.
** Returns FSEARCH_OK with *out set, FSEARCH_EINVAL for an unknown language
** (*out NULL), FSEARCH_ENOMEM. Each tokenizer owns its stemmer and buffers:
** never share one between threads.
*/
int fs_tokenizer_new(fs_tokenizer **out, const char *language);

/* Free a tokenizer; NULL is a no-op. */
void fs_tokenizer_free(fs_tokenizer *t);

/*
** Tokenize text[0..ntext), which need not be valid UTF-8 nor NUL-terminated
** (invalid bytes and NULs separate words). Returns FSEARCH_OK, whatever
** non-zero value the callback returned, or FSEARCH_ENOMEM.
*/
int fs_tokenizer_run(fs_tokenizer *t, int flags, const char *text, int ntext,
                     fs_token_fn fn, void *payload);

/* Is `language` a stemmer this build knows ("none" included)? */
int fs_tokenizer_language_ok(const char *language);

#endif

/*
** tokenizer_fts5.h - the fsearch tokenizer as the FTS5 tokenizer "fsearch".
**
** After fs_tokenizer_register(db), a table declared with
** tokenize = 'fsearch [language]' splits, folds and stems its text with
** tokenizer.c, in documents and queries alike.
*/
#ifndef FS_TOKENIZER_FTS5_H
#define FS_TOKENIZER_FTS5_H

#include <sqlite3.h>
#include <stddef.h>

/*
** Tokens prepared ahead (on the indexer's worker thread) and replayed when
** FTS5 asks to tokenize exactly the same text for a document, so the
** writer thread does not tokenize again. Slot 0 is meant for the title,
** slot 1 for a passage body; a slot whose text is NULL is unused. A text is
** replayed only when its bytes equal the slot's, so a stale slot costs a
** comparison, never a wrong token. Owned by one fsearch handle; the writer
** sets the slots right before an insert and clears them after.
*/
typedef struct fs_replay {
    const char *text[2];          /* the text the tokens were made from */
    int ntext[2];                 /* its bytes */
    const unsigned char *toks[2]; /* the tokens, from fs_replay_put */
    size_t ntoks[2];              /* bytes of toks */
} fs_replay;

/* An fs_token_fn (tokenizer.h) appending a token to the fs_buf payload in
** the replay format; returns FSEARCH_OK or FSEARCH_ENOMEM. */
int fs_replay_put(void *payload, const char *token, int ntoken, int start,
                  int end);

/*
** Register the "fsearch" tokenizer on `db`. Its one optional argument is a
** Snowball language ("english" when absent) or "none"; an unknown language
** or more than one argument makes CREATE VIRTUAL TABLE fail. Returns
** SQLITE_OK, or an SQLite error code (SQLITE_ERROR if this SQLite has no
** FTS5 or too old an fts5_api).
*/
int fs_tokenizer_register(sqlite3 *db);

/* The same, with tokenizers that replay what `replay` holds (which must
** outlive db's tokenizers). */
int fs_tokenizer_register_replay(sqlite3 *db, fs_replay *replay);

#endif

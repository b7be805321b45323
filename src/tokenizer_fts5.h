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

/*
** Register the "fsearch" tokenizer on `db`. Its one optional argument is a
** Snowball language ("english" when absent) or "none"; an unknown language
** or more than one argument makes CREATE VIRTUAL TABLE fail. Returns
** SQLITE_OK, or an SQLite error code (SQLITE_ERROR if this SQLite has no
** FTS5 or too old an fts5_api).
*/
int fs_tokenizer_register(sqlite3 *db);

#endif

/*
** vocabnear.h - the vocabulary grouped the way "did you mean" looks at it:
** by first character and length, one blob of (term, passages) entries per
** group, in the table
**
**   vocab_near(lead BLOB, len INTEGER, terms BLOB, UNIQUE(lead, len))
**
** Only the terms fs_near_wanted() accepts are there.
** `lead` is the term's first UTF-8 character, `len` its length in
** characters (FS_NEAR_LEN_CAP for any longer). A correction is looked for
** among the terms sharing a first character and of a near length: reading
** them as one row per length, and walking each blob in C, costs a small
** part of reading them one SQL row at a time from the vocab table (tens of
** thousands of rows for a common first letter).
**
** The table is made from the vocab table, in the same transaction, each
** time that is rebuilt (vocab.c), so it is as stale as that one and no
** more; suggest.c checks a term with the index before trusting it.
*/
#ifndef FS_VOCABNEAR_H
#define FS_VOCABNEAR_H

#include "internal.h"

/* Lengths of this many characters or more are one group. */
#define FS_NEAR_LEN_CAP 64

/*
** Is term[0..n) one "did you mean" may offer? Not one with a digit (version
** numbers, identifiers: a word typed with a digit is not corrected either),
** nor one longer than 255 bytes. vocab_near holds only these.
*/
int fs_near_wanted(const char *term, int n);

/*
** Fill vocab_near from the vocab table (making it if needed), inside the
** caller's transaction. FSEARCH_OK or an error recorded on fs.
*/
int fs_vocab_near_build(fsearch *fs);

/* Walks the entries of one group's blob, in term order. */
typedef struct fs_near_iter {
    const unsigned char *p;
    const unsigned char *end;
} fs_near_iter;

void fs_near_iter_init(fs_near_iter *it, const void *blob, int nblob);

/*
** The next entry: its term (not NUL-terminated) and passage count. 1 for
** an entry, 0 at the end, SQLITE_CORRUPT if the blob is cut short.
*/
int fs_near_next(fs_near_iter *it, const char **term, int *nterm,
                 sqlite3_int64 *passages);

#endif

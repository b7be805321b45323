/*
** textstore.h - passage text kept compressed, in blocks.
**
** The consecutive passages of a document are stored together as one block
** of at most about FS_TEXTSTORE_BLOCK bytes of text, compressed with zstd
** (a passage alone, some 300 bytes, compresses badly). A passage is then
** (block, offset, length). The prep worker packs blocks; readers get a
** passage back through the SQL function fsearch_text(block, off, len),
** which keeps the last few blocks it unpacked, so the hits of a search that
** share a block unpack it once.
**
** A stored block is one tag byte then the payload: FS_TEXTSTORE_RAW (the
** text itself, when compressing does not make it smaller) or
** FS_TEXTSTORE_ZSTD (one zstd frame with its content size and checksum).
**
** Blocks are small (a few passages) so that a hit unpacks little; what
** makes small blocks compress well, and unpack fast, is a zstd dictionary
** trained on the index's own text when it is first filled, kept in the
** index (passage_dict) and named by id in each frame that uses it.
*/
#ifndef FS_TEXTSTORE_H
#define FS_TEXTSTORE_H

#include "buf.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define FS_TEXTSTORE_BLOCK (2u << 10)  /* text in a block, at most (a bigger
                                       ** passage is a block of its own) */
#define FS_TEXTSTORE_DICT_BYTES (64u << 10)  /* a dictionary, at most */
#define FS_TEXTSTORE_TRAIN_BYTES (2u << 20)  /* text it is trained on */
#define FS_TEXTSTORE_DICT_ID0 32768u   /* first dictionary id (zstd keeps
                                       ** lower ids for a registry) */
#define FS_TEXTSTORE_MAX (64u << 20)   /* text in a block, at most: more
                                       ** means the block is corrupt */
#define FS_TEXTSTORE_RAW 0x00
#define FS_TEXTSTORE_ZSTD 0x01

typedef struct fs_textstore_enc fs_textstore_enc;
typedef struct fs_textstore_dec fs_textstore_dec;

/* A packer (one per thread): FSEARCH_OK or FSEARCH_ENOMEM. */
int fs_textstore_enc_new(fs_textstore_enc **out);
void fs_textstore_enc_free(fs_textstore_enc *e);

/* Pack from now on with the dictionary dict[0..n) (copied). Returns
** FSEARCH_OK, FSEARCH_ENOMEM, or FSEARCH_ECORRUPT (not a dictionary). */
int fs_textstore_enc_use_dict(fs_textstore_enc *e, const void *dict,
                              size_t n);

/*
** Train a dictionary with id `id` on the samples text[0..) of the sizes
** sizes[0..nsizes) (about a block each): FSEARCH_OK with the dictionary
** appended to out, FSEARCH_DONE when the samples are too few or too alike
** to make one (pack without), or FSEARCH_ENOMEM.
*/
int fs_textstore_train(fs_buf *out, unsigned id, const char *text,
                       const size_t *sizes, size_t nsizes);

/* Where an unpacker finds dictionary `id`: its bytes appended to out;
** FSEARCH_OK, FSEARCH_ECORRUPT (no such dictionary) or another code. */
typedef int (*fs_textstore_dict_fn)(void *arg, unsigned id, fs_buf *out);

/* Append the stored form of text[0..n) to out. Returns FSEARCH_OK,
** FSEARCH_ENOMEM or FSEARCH_EINVAL (n above FS_TEXTSTORE_MAX). */
int fs_textstore_pack(fs_textstore_enc *e, fs_buf *out, const char *text,
                      size_t n);

/* An unpacker with a cache of the last few blocks, finding dictionaries with
** find(arg, ...) (NULL: blocks that need one are errors): FSEARCH_OK or
** FSEARCH_ENOMEM. */
int fs_textstore_dec_new(fs_textstore_dec **out, fs_textstore_dict_fn find,
                         void *arg);
void fs_textstore_dec_free(fs_textstore_dec *d);

/*
** The text [off, off + len) of the stored block blob[0..n). *out is
** borrowed: it points into d or into blob, valid until the next call and
** while blob is. Returns FSEARCH_OK, FSEARCH_ENOMEM, or FSEARCH_ECORRUPT
** with *why saying what is wrong (a static string); another code from the
** dictionary finder is passed on.
*/
int fs_textstore_get(fs_textstore_dec *d, const void *blob, size_t n,
                     int64_t off, int64_t len, const char **out,
                     const char **why);

/* Register fsearch_text(block, off, len) on db, with its own unpacker,
** which reads dictionaries from db's passage_dict: an SQLite result code. */
int fs_textstore_register(sqlite3 *db);

#endif

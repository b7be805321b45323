/*
** textstore.h - passage text kept compressed, in blocks.
**
** The consecutive passages of a document are stored together as one block
** of at most about FS_TEXTSTORE_BLOCK bytes of text, compressed with zstd
** (a passage alone, some 300 bytes, compresses badly). A passage is then
** (block, offset, length). The prep worker packs blocks; readers get a
** passage back through the SQL function fsearch_text(block, off, len),
** which keeps the last block it unpacked, so the hits of a search that
** share a block unpack it once.
**
** A stored block is one tag byte then the payload: FS_TEXTSTORE_RAW (the
** text itself, when compressing does not make it smaller) or
** FS_TEXTSTORE_ZSTD (one zstd frame with its content size and checksum).
*/
#ifndef FS_TEXTSTORE_H
#define FS_TEXTSTORE_H

#include "buf.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define FS_TEXTSTORE_BLOCK (8u << 10)  /* text in a block, about (a bigger
                                       ** passage is a block of its own) */
#define FS_TEXTSTORE_MAX (64u << 20)   /* text in a block, at most: more
                                       ** means the block is corrupt */
#define FS_TEXTSTORE_RAW 0x00
#define FS_TEXTSTORE_ZSTD 0x01

typedef struct fs_textstore_enc fs_textstore_enc;
typedef struct fs_textstore_dec fs_textstore_dec;

/* A packer (one per thread): FSEARCH_OK or FSEARCH_ENOMEM. */
int fs_textstore_enc_new(fs_textstore_enc **out);
void fs_textstore_enc_free(fs_textstore_enc *e);

/* Append the stored form of text[0..n) to out. Returns FSEARCH_OK,
** FSEARCH_ENOMEM or FSEARCH_EINVAL (n above FS_TEXTSTORE_MAX). */
int fs_textstore_pack(fs_textstore_enc *e, fs_buf *out, const char *text,
                      size_t n);

/* An unpacker with a one-block cache: FSEARCH_OK or FSEARCH_ENOMEM. */
int fs_textstore_dec_new(fs_textstore_dec **out);
void fs_textstore_dec_free(fs_textstore_dec *d);

/*
** The text [off, off + len) of the stored block blob[0..n). *out is
** borrowed: it points into d or into blob, valid until the next call and
** while blob is. Returns FSEARCH_OK, FSEARCH_ENOMEM, or FSEARCH_ECORRUPT
** with *why saying what is wrong (a static string).
*/
int fs_textstore_get(fs_textstore_dec *d, const void *blob, size_t n,
                     int64_t off, int64_t len, const char **out,
                     const char **why);

/* Register fsearch_text(block, off, len) on db, with its own unpacker:
** an SQLite result code. */
int fs_textstore_register(sqlite3 *db);

#endif

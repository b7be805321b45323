/*
** textstore.c - pack passage text into compressed blocks and get it back.
**
** Packing runs on the indexer's prep worker, never on the SQLite writer.
** Unpacking runs inside the SQL function fsearch_text(), which FTS5 calls
** through the passage_content view (highlight, snippet, 'delete') and
** readers call through the passage_text view. The function's state, a zstd
** context and the last blocks unpacked, belongs to its connection (the
** function's user data), so threads with their own connections share
** nothing. The dictionary a block names is read from the connection's
** passage_dict the first time, then kept.
*/
#include "textstore.h"
#include "alloc.h"
#include "fsearch.h"

#define ZDICT_STATIC_LINKING_ONLY   /* fastCover's parameters */
#define ZSTD_STATIC_LINKING_ONLY    /* ZSTD_createDDict_byReference */
#include <string.h>
#include <zdict.h>
#include <zstd.h>
#include <zstd_errors.h>

#define ZSTD_LEVEL 3   /* level 1 packs a third faster, 6% bigger (50M slice) */

#define TRAIN_MIN (256u << 10)   /* fewer sample bytes make no dictionary */

struct fs_textstore_enc {
    ZSTD_CCtx *cc;
    ZSTD_CDict *cdict;   /* the dictionary packed with, or NULL */
};

/* Blocks unpacked lately, kept: a search's hits and the copies compared
** with them often share blocks (consecutive passages of one file), and
** unpacking one costs as much as a rare word's ranking. A block of more
** than BIG bytes of text (a long passage alone) only ever takes slot 0,
** so the cache holds at most one of them. */
#define SLOTS 8
#define BIG (16 * FS_TEXTSTORE_BLOCK)

typedef struct slot {
    unsigned long used;  /* when last used; 0: empty */
    unsigned char *key;  /* the stored block (a copy) */
    size_t nkey, capkey;
    char *text;          /* its text */
    size_t ntext, captext;
} slot;

struct fs_textstore_dec {
    ZSTD_DCtx *dc;
    fs_textstore_dict_fn find;
    void *find_arg;
    ZSTD_DDict *ddict;   /* the last dictionary needed, or NULL */
    fs_buf dict;         /* its bytes, which ddict refers to */
    unsigned dict_id;    /* its id */
    unsigned long clock; /* uses so far */
    slot slots[SLOTS];
};

int fs_textstore_enc_new(fs_textstore_enc **out)
{
    *out = NULL;
    fs_textstore_enc *e = fs_calloc(sizeof *e);
    if (!e)
        return FSEARCH_ENOMEM;
    e->cc = ZSTD_createCCtx();
    if (!e->cc ||
        ZSTD_isError(ZSTD_CCtx_setParameter(e->cc, ZSTD_c_compressionLevel,
                                            ZSTD_LEVEL)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(e->cc, ZSTD_c_checksumFlag, 1))) {
        fs_textstore_enc_free(e);
        return FSEARCH_ENOMEM;
    }
    *out = e;
    return FSEARCH_OK;
}

void fs_textstore_enc_free(fs_textstore_enc *e)
{
    if (!e)
        return;
    ZSTD_freeCCtx(e->cc);
    ZSTD_freeCDict(e->cdict);
    fs_free(e);
}

int fs_textstore_enc_use_dict(fs_textstore_enc *e, const void *dict,
                              size_t n)
{
    if (ZDICT_getDictID(dict, n) == 0)
        return FSEARCH_ECORRUPT;
    ZSTD_CDict *cd = ZSTD_createCDict(dict, n, ZSTD_LEVEL);
    if (!cd)
        return FSEARCH_ENOMEM;
    if (ZSTD_isError(ZSTD_CCtx_refCDict(e->cc, cd))) {
        ZSTD_freeCDict(cd);
        return FSEARCH_ENOMEM;
    }
    ZSTD_freeCDict(e->cdict);
    e->cdict = cd;
    return FSEARCH_OK;
}

int fs_textstore_train(fs_buf *out, unsigned id, const char *text,
                       const size_t *sizes, size_t nsizes)
{
    size_t total = 0;
    for (size_t i = 0; i < nsizes; i++)
        total += sizes[i];
    if (total < TRAIN_MIN || nsizes < 16 || nsizes > 1000000)
        return FSEARCH_DONE;
    int rc = FSEARCH_OK;
    fs_buf_reserve(&rc, out, FS_TEXTSTORE_DICT_BYTES);
    if (rc != FSEARCH_OK)
        return rc;
    /* fastCover with fixed parameters: a tenth of a second for 2 MB, where
    ** searching for the best ones takes seconds and gains a percent. */
    ZDICT_fastCover_params_t fp;
    memset(&fp, 0, sizeof fp);
    fp.k = 200;
    fp.d = 8;
    fp.f = 20;
    fp.accel = 1;
    fp.splitPoint = 1.0;
    fp.zParams.compressionLevel = ZSTD_LEVEL;
    fp.zParams.dictID = id;
    size_t n = ZDICT_trainFromBuffer_fastCover(out->p + out->n,
                                               FS_TEXTSTORE_DICT_BYTES, text,
                                               sizes, (unsigned)nsizes, fp);
    if (ZDICT_isError(n))
        return ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation
                   ? FSEARCH_ENOMEM : FSEARCH_DONE;
    out->n += n;
    return FSEARCH_OK;
}

int fs_textstore_pack(fs_textstore_enc *e, fs_buf *out, const char *text,
                      size_t n)
{
    if (n > FS_TEXTSTORE_MAX)
        return FSEARCH_EINVAL;
    int rc = FSEARCH_OK;
    size_t bound = ZSTD_compressBound(n);
    fs_buf_reserve(&rc, out, 1 + (bound > n ? bound : n));
    if (rc != FSEARCH_OK)
        return rc;
    unsigned char *dst = (unsigned char *)out->p + out->n;
    size_t z = n ? ZSTD_compress2(e->cc, dst + 1, bound, text, n) : 0;
    if (n && !ZSTD_isError(z) && z < n) {
        dst[0] = FS_TEXTSTORE_ZSTD;
        out->n += 1 + z;
        return FSEARCH_OK;
    }
    /* Too small or too random to gain anything (or an internal failure,
    ** which keeps the text safe all the same). */
    ZSTD_CCtx_reset(e->cc, ZSTD_reset_session_only);
    dst[0] = FS_TEXTSTORE_RAW;
    if (n)
        memcpy(dst + 1, text, n);
    out->n += 1 + n;
    return FSEARCH_OK;
}

int fs_textstore_dec_new(fs_textstore_dec **out, fs_textstore_dict_fn find,
                         void *arg)
{
    *out = fs_calloc(sizeof **out);
    if (!*out)
        return FSEARCH_ENOMEM;
    (*out)->find = find;
    (*out)->find_arg = arg;
    return FSEARCH_OK;
}

void fs_textstore_dec_free(fs_textstore_dec *d)
{
    if (!d)
        return;
    ZSTD_freeDCtx(d->dc);
    ZSTD_freeDDict(d->ddict);
    fs_buf_free(&d->dict);
    for (int i = 0; i < SLOTS; i++) {
        fs_free(d->slots[i].key);
        fs_free(d->slots[i].text);
    }
    fs_free(d);
}

/* Grow *p to hold n bytes (contents not kept). */
static int room(void **p, size_t *cap, size_t n)
{
    if (n <= *cap)
        return FSEARCH_OK;
    void *q = fs_malloc(n);
    if (!q)
        return FSEARCH_ENOMEM;
    fs_free(*p);
    *p = q;
    *cap = n;
    return FSEARCH_OK;
}

/* Make dictionary `id` d's current one. */
static int load_dict(fs_textstore_dec *d, unsigned id, const char **why)
{
    if (d->ddict && d->dict_id == id)
        return FSEARCH_OK;
    if (!d->find) {
        *why = "passage text block: its dictionary is missing";
        return FSEARCH_ECORRUPT;
    }
    fs_buf b = FS_BUF_INIT;
    int rc = d->find(d->find_arg, id, &b);
    if (rc == FSEARCH_OK && ZDICT_getDictID(b.p, b.n) != id)
        rc = FSEARCH_ECORRUPT;
    /* By reference: a copy would be 64 KB more to write and fault in,
    ** a tenth of a one-search process's page faults. */
    ZSTD_DDict *dd = NULL;
    if (rc == FSEARCH_OK && !(dd = ZSTD_createDDict_byReference(b.p, b.n)))
        rc = ZDICT_isError(ZDICT_getDictHeaderSize(b.p, b.n))
                 ? FSEARCH_ECORRUPT   /* (NULL is also a bad dictionary) */
                 : FSEARCH_ENOMEM;
    if (rc == FSEARCH_ECORRUPT)
        *why = "passage text block: its dictionary is missing or damaged";
    if (rc != FSEARCH_OK) {
        fs_buf_free(&b);
        return rc;
    }
    ZSTD_freeDDict(d->ddict);
    fs_buf_free(&d->dict);
    d->dict = b;
    d->ddict = dd;
    d->dict_id = id;
    return FSEARCH_OK;
}

/* The slot to unpack a block of `size` bytes of text into: slot 0 for a
** big one, else an empty or the least recently used other slot. */
static slot *victim(fs_textstore_dec *d, unsigned long long size)
{
    if (size > BIG)
        return &d->slots[0];
    slot *v = &d->slots[1];
    for (int i = 2; i < SLOTS && v->used; i++)
        if (d->slots[i].used < v->used)
            v = &d->slots[i];
    return v;
}

/* Unpack the zstd frame src[0..n) into a slot, remembering src as its
** key; *out is that slot. */
static int unpack(fs_textstore_dec *d, const unsigned char *src, size_t n,
                  slot **out, const char **why)
{
    unsigned long long size = ZSTD_getFrameContentSize(src, n);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
        size > FS_TEXTSTORE_MAX) {
        *why = "passage text block: not a valid zstd frame";
        return FSEARCH_ECORRUPT;
    }
    if (!d->dc && !(d->dc = ZSTD_createDCtx()))
        return FSEARCH_ENOMEM;
    slot *sl = victim(d, size);
    sl->used = 0;   /* until the end */
    if (room((void **)&sl->text, &sl->captext, size ? (size_t)size : 1) !=
            FSEARCH_OK ||
        room((void **)&sl->key, &sl->capkey, n) != FSEARCH_OK)
        return FSEARCH_ENOMEM;
    unsigned id = ZSTD_getDictID_fromFrame(src, n);
    if (id) {
        int rc = load_dict(d, id, why);
        if (rc != FSEARCH_OK)
            return rc;
    }
    size_t got = id ? ZSTD_decompress_usingDDict(d->dc, sl->text,
                                                 (size_t)size, src, n,
                                                 d->ddict)
                    : ZSTD_decompressDCtx(d->dc, sl->text, (size_t)size, src,
                                          n);
    if (ZSTD_isError(got) || got != size) {
        ZSTD_DCtx_reset(d->dc, ZSTD_reset_session_only);
        if (ZSTD_isError(got) &&
            ZSTD_getErrorCode(got) == ZSTD_error_memory_allocation)
            return FSEARCH_ENOMEM;
        *why = "passage text block: damaged (zstd cannot unpack it)";
        return FSEARCH_ECORRUPT;
    }
    sl->ntext = (size_t)size;
    if (n)
        memcpy(sl->key, src, n);
    sl->nkey = n;
    sl->used = ++d->clock;
    *out = sl;
    return FSEARCH_OK;
}

int fs_textstore_get(fs_textstore_dec *d, const void *blob, size_t n,
                     int64_t off, int64_t len, const char **out,
                     const char **why)
{
    *out = NULL;
    *why = NULL;
    const unsigned char *b = blob;
    const char *text;
    size_t ntext;
    if (!b || n == 0) {
        *why = "passage text block: missing or empty";
        return FSEARCH_ECORRUPT;
    }
    if (b[0] == FS_TEXTSTORE_RAW) {
        text = (const char *)b + 1;
        ntext = n - 1;
    } else if (b[0] == FS_TEXTSTORE_ZSTD) {
        /* The same bytes give the same text: comparing them (a few KB) is
        ** far cheaper than unpacking, and cannot be fooled by a reused id. */
        slot *sl = NULL;
        for (int i = 0; i < SLOTS && !sl; i++)
            if (d->slots[i].used && d->slots[i].nkey == n - 1 &&
                memcmp(d->slots[i].key, b + 1, n - 1) == 0)
                sl = &d->slots[i];
        if (sl) {
            sl->used = ++d->clock;
        } else {
            int rc = unpack(d, b + 1, n - 1, &sl, why);
            if (rc != FSEARCH_OK)
                return rc;
        }
        text = sl->text;
        ntext = sl->ntext;
    } else {
        *why = "passage text block: unknown kind";
        return FSEARCH_ECORRUPT;
    }
    if (off < 0 || len < 0 || (uint64_t)off > ntext ||
        (uint64_t)len > ntext - (size_t)off) {
        *why = "passage text: offset or length outside its block";
        return FSEARCH_ECORRUPT;
    }
    *out = ntext ? text + off : "";
    return FSEARCH_OK;
}

/* ---------------------------------------------------------------------- */
/* The SQL function                                                        */

/* fsearch_text(block, off, len): the passage text [off, off + len) of the
** stored block, as TEXT. A damaged block is an SQLITE_CORRUPT error. */
static void text_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    fs_textstore_dec *d = sqlite3_user_data(ctx);
    const void *blob = sqlite3_value_blob(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    const char *text, *why;
    int64_t len = sqlite3_value_int64(argv[2]);
    int rc = fs_textstore_get(d, blob, n, sqlite3_value_int64(argv[1]), len,
                              &text, &why);
    if (rc == FSEARCH_OK) {
        sqlite3_result_text(ctx, text, (int)len, SQLITE_TRANSIENT);
    } else if (rc == FSEARCH_ENOMEM) {
        sqlite3_result_error_nomem(ctx);
    } else {
        sqlite3_result_error(ctx, why ? why : "passage text block: cannot "
                             "be read", -1);
        sqlite3_result_error_code(ctx, SQLITE_CORRUPT);
    }
}

static void dec_destroy(void *p)
{
    fs_textstore_dec_free(p);
}

/* Dictionary `id` from passage_dict in whichever database of the
** connection SQLite finds it first (main, then attached ones): the way for
** an index attached to another database, as the sqlite3 shell does. */
static int find_by_sql(sqlite3 *db, unsigned id, fs_buf *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT data FROM passage_dict WHERE "
                                "id = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
        rc = sqlite3_step(st);
    }
    int frc = FSEARCH_ECORRUPT;
    if (rc == SQLITE_ROW) {
        frc = FSEARCH_OK;
        fs_buf_append(&frc, out, sqlite3_column_blob(st, 0),
                      (size_t)sqlite3_column_bytes(st, 0));
    } else if ((rc & 0xff) == SQLITE_NOMEM) {
        frc = FSEARCH_ENOMEM;
    }
    sqlite3_finalize(st);
    return frc;
}

/* The dictionary finder of the SQL function: passage_dict of its
** connection (arg). */
static int find_in_db(void *arg, unsigned id, fs_buf *out)
{
    /* Read straight into out: a statement's column would be one more copy
    ** of the dictionary, and parsing its SQL is paid by each process. */
    sqlite3_blob *bl = NULL;
    int rc = sqlite3_blob_open(arg, "main", "passage_dict", "data", id, 0,
                               &bl);
    if (rc == SQLITE_ERROR) {
        /* No passage_dict in main: the index is an attached database. */
        sqlite3_blob_close(bl);
        return find_by_sql(arg, id, out);
    }
    int frc = FSEARCH_ECORRUPT;
    if (rc == SQLITE_OK) {
        int n = sqlite3_blob_bytes(bl);
        frc = FSEARCH_OK;
        fs_buf_reserve(&frc, out, (size_t)n);
        if (frc == FSEARCH_OK)
            rc = sqlite3_blob_read(bl, out->p + out->n, n, 0);
        if (frc == FSEARCH_OK && rc == SQLITE_OK) {
            out->n += (size_t)n;
            out->p[out->n] = '\0';
        } else if (frc == FSEARCH_OK) {
            frc = (rc & 0xff) == SQLITE_NOMEM ? FSEARCH_ENOMEM
                                              : FSEARCH_ECORRUPT;
        }
    } else if ((rc & 0xff) == SQLITE_NOMEM) {
        frc = FSEARCH_ENOMEM;
    }
    sqlite3_blob_close(bl);
    return frc;
}

int fs_textstore_register(sqlite3 *db)
{
    fs_textstore_dec *d;
    if (fs_textstore_dec_new(&d, find_in_db, db) != FSEARCH_OK)
        return SQLITE_NOMEM;
    /* SQLite calls dec_destroy on failure too. */
    return sqlite3_create_function_v2(db, "fsearch_text", 3,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC |
                                          SQLITE_INNOCUOUS,
                                      d, text_func, NULL, NULL, dec_destroy);
}

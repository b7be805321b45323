/*
** vocabnear.c - builds and reads the vocab_near table (vocabnear.h).
**
** A group's blob is its entries one after the other, in term order: one
** byte of term length L (1..255), the L bytes of the term, then its passage
** count as 4 bytes, least significant first.
*/
#include "vocabnear.h"
#include "buf.h"

#include <string.h>

#define MAX_TERM 255

int fs_near_wanted(const char *term, int n)
{
    if (n <= 0 || n > MAX_TERM)
        return 0;
    for (int i = 0; i < n; i++)
        if (term[i] >= '0' && term[i] <= '9')
            return 0;
    return 1;
}

/* Characters in s[0..n): bytes that do not continue a UTF-8 sequence. */
static int characters(const unsigned char *s, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += (s[i] & 0xC0) != 0x80;
    return k;
}

/* Bytes of the first UTF-8 character of s[0..n): a lead byte and the
** continuation bytes after it (1 for a stray continuation byte). */
static int first_char(const unsigned char *s, int n)
{
    int k = 1;
    while (k < n && k < 4 && (s[k] & 0xC0) == 0x80)
        k++;
    return k;
}

/* The groups of one first character, being filled. */
typedef struct groups {
    unsigned char lead[4];
    int nlead;
    fs_buf by_len[FS_NEAR_LEN_CAP + 1];     /* [characters], 1..CAP */
} groups;

static int flush(fsearch *fs, sqlite3_stmt *ins, groups *g)
{
    for (int len = 1; len <= FS_NEAR_LEN_CAP; len++) {
        fs_buf *b = &g->by_len[len];
        if (b->n == 0)
            continue;
        sqlite3_bind_blob(ins, 1, g->lead, g->nlead, SQLITE_STATIC);
        sqlite3_bind_int(ins, 2, len);
        sqlite3_bind_blob(ins, 3, b->p, (int)b->n, SQLITE_STATIC);
        int rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        fs_buf_clear(b);
        if (rc != SQLITE_DONE)
            return fs_error_sqlite(fs, rc, "cannot write the index vocabulary");
    }
    return FSEARCH_OK;
}

static void put_entry(int *rc, fs_buf *b, const unsigned char *term, int n,
                      sqlite3_int64 passages)
{
    unsigned char head = (unsigned char)n;
    unsigned char count[4];
    sqlite3_uint64 v = passages < 0 ? 0 : (sqlite3_uint64)passages;
    if (v > 0xFFFFFFFFu)
        v = 0xFFFFFFFFu;
    for (int i = 0; i < 4; i++)
        count[i] = (unsigned char)(v >> (8 * i));
    fs_buf_append(rc, b, &head, 1);
    fs_buf_append(rc, b, term, (size_t)n);
    fs_buf_append(rc, b, count, 4);
}

int fs_vocab_near_build(fsearch *fs)
{
    /* A rowid table with its key in an index: in a WITHOUT ROWID table
    ** each key compared on the way to a group would be read whole, blob
    ** and all. */
    int rc = fs_exec(fs,
                     "DROP TABLE IF EXISTS vocab_near;"
                     "CREATE TABLE vocab_near(lead BLOB NOT NULL, "
                     "len INTEGER NOT NULL, terms BLOB NOT NULL, "
                     "UNIQUE(lead, len));",
                     "cannot write the index vocabulary");
    if (rc != FSEARCH_OK)
        return rc;
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int src = sqlite3_prepare_v2(fs->db, "SELECT term, n FROM vocab", -1,
                                 &sel, NULL);
    if (src == SQLITE_OK)
        src = sqlite3_prepare_v2(fs->db, "INSERT INTO vocab_near(lead, len, "
                                 "terms) VALUES(?1, ?2, ?3)", -1, &ins, NULL);
    if (src != SQLITE_OK) {
        sqlite3_finalize(sel);
        return fs_error_sqlite(fs, src, "cannot write the index vocabulary");
    }
    groups g;
    memset(&g, 0, sizeof g);
    int mem = FSEARCH_OK;
    /* The vocab table is read in term order, so the terms of one first
    ** character come together: one character's groups are held at a time. */
    while ((src = sqlite3_step(sel)) == SQLITE_ROW) {
        const unsigned char *term = sqlite3_column_blob(sel, 0);
        int n = sqlite3_column_bytes(sel, 0);
        if (!term || !fs_near_wanted((const char *)term, n))
            continue;
        int nlead = first_char(term, n);
        if (nlead != g.nlead || memcmp(term, g.lead, (size_t)nlead) != 0) {
            rc = flush(fs, ins, &g);
            if (rc != FSEARCH_OK)
                break;
            memcpy(g.lead, term, (size_t)nlead);
            g.nlead = nlead;
        }
        int len = characters(term, n);
        if (len > FS_NEAR_LEN_CAP)
            len = FS_NEAR_LEN_CAP;
        put_entry(&mem, &g.by_len[len], term, n, sqlite3_column_int64(sel, 1));
        if (mem != FSEARCH_OK) {
            rc = fs_error(fs, mem, "out of memory");
            break;
        }
    }
    if (rc == FSEARCH_OK && src != SQLITE_DONE)
        rc = fs_error_sqlite(fs, src, "cannot read the index vocabulary");
    if (rc == FSEARCH_OK)
        rc = flush(fs, ins, &g);
    for (int len = 0; len <= FS_NEAR_LEN_CAP; len++)
        fs_buf_free(&g.by_len[len]);
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return rc;
}

void fs_near_iter_init(fs_near_iter *it, const void *blob, int nblob)
{
    it->p = blob;
    it->end = it->p ? it->p + (nblob > 0 ? nblob : 0) : NULL;
}

int fs_near_next(fs_near_iter *it, const char **term, int *nterm,
                 sqlite3_int64 *passages)
{
    if (!it->p || it->p >= it->end)
        return 0;
    int n = it->p[0];
    if (n == 0 || it->end - it->p < 1 + n + 4)
        return SQLITE_CORRUPT;
    const unsigned char *c = it->p + 1 + n;
    *term = (const char *)(it->p + 1);
    *nterm = n;
    *passages = (sqlite3_int64)((sqlite3_uint64)c[0] |
                                (sqlite3_uint64)c[1] << 8 |
                                (sqlite3_uint64)c[2] << 16 |
                                (sqlite3_uint64)c[3] << 24);
    it->p = c + 4;
    return 1;
}

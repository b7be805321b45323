/*
** test_prep.c - the indexer's worker: a file handed over in pieces while
** the writer waits must give the same passages, tokens, signatures and
** stored blocks as the file in one piece.
*/
#include "../test.h"
#include "../fixture.h"
#include "alloc.h"
#include "buf.h"
#include "fsearch.h"
#include "prep.h"
#include "textstore.h"

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp_root[256];

/* Everything the writer stores of the files, in order, as one text; the
** number of messages in *nmsg. The caller frees it. */
static char *prepare_all(const char *const *paths, size_t n, unsigned flags,
                         size_t *nmsg)
{
    fs_prep *p = NULL;
    fs_buf out = FS_BUF_INIT;
    int rc = FSEARCH_OK;
    fs_buf_puts(&rc, &out, "");
    *nmsg = 0;
    CHECK_INT(fs_prep_start(&p, tmp_root, "english", paths, n, NULL, 0, 0,
                            flags), FSEARCH_OK);
    if (!p)
        return out.p;
    for (size_t done = 0; done < n;) {
        fs_prep_msg *m = NULL;
        CHECK_INT(fs_prep_next(p, &m), FSEARCH_OK);
        if (!m)
            break;
        ++*nmsg;
        if (m->has_start) {
            fs_buf_printf(&rc, &out, "file %zu title ", m->job);
            fs_buf_append(&rc, &out, m->title.p, m->title.n);
            fs_buf_putc(&rc, &out, '\n');
        }
        for (size_t i = 0; i < m->npas; i++) {
            const fs_prep_passage *pp = &m->pas[i];
            fs_buf_printf(&rc, &out, "pas %lu-%lu off %llu hash %llx boff %zu",
                          pp->line, pp->end_line,
                          (unsigned long long)pp->off,
                          (unsigned long long)pp->hash, pp->boff);
            if (pp->block_start) {
                fs_buf_puts(&rc, &out, " block ");
                for (size_t k = 0; k < pp->z_len; k++)
                    fs_buf_printf(&rc, &out, "%02x",
                                  (unsigned char)m->zdata.p[pp->z_off + k]);
            }
            fs_buf_puts(&rc, &out, "\n text ");
            fs_buf_append(&rc, &out, m->text.p + pp->text_off, pp->text_len);
            fs_buf_puts(&rc, &out, "\n toks ");
            for (size_t k = 0; k < pp->tok_len; k++)
                fs_buf_printf(&rc, &out, "%02x",
                              (unsigned char)m->toks.p[pp->tok_off + k]);
            fs_buf_puts(&rc, &out, "\n sig ");
            for (size_t k = 0; k < pp->sig_len; k++)
                fs_buf_printf(&rc, &out, "%02x",
                              (unsigned char)m->sigs.p[pp->sig_off + k]);
            fs_buf_putc(&rc, &out, '\n');
        }
        if (m->has_end) {
            fs_buf_printf(&rc, &out, "end %zu bytes %llu hash %llx %s\n",
                          m->job, (unsigned long long)m->bytes,
                          (unsigned long long)m->hash,
                          m->reason ? m->reason : "");
            done++;
        }
        fs_prep_msg_free(m);
    }
    fs_prep_free(p);
    CHECK_INT(rc, FSEARCH_OK);
    return out.p;
}

TEST(pieces_same_as_whole)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/fsearch-prep.XXXXXX");
    CHECK(mkdtemp(tmp_root) != NULL);
    /* A licence-like text of ~60 KB: paragraphs of varied lengths, so that
    ** blocks end at varied places; a Latin-1 line (converted, so never a
    ** place to cut); a short file; an empty one. */
    char path[512];
    snprintf(path, sizeof path, "%s/long.txt", tmp_root);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fprintf(f, "  THE TERMS AND CONDITIONS\n\n");
    for (int i = 0; i < 400; i++) {
        fprintf(f, "%d. Section %d of the licence covers copying, "
                   "distribution and modification", i, i * 7 % 13);
        for (int k = 0; k < i % 9; k++)
            fprintf(f, " of the program and works based on it, number %d", k);
        fprintf(f, ".\n");
        if (i % 3 == 0)
            fprintf(f, "\n");
        if (i == 200)
            fprintf(f, "caf\xe9 cr\xe8me br\xfbl\xe9\x65\n\n");
    }
    fclose(f);
    /* Past the size at which a big file is cut anyway (256 KB of text,
    ** twice): those cuts, and so the blocks, stay where they were. */
    snprintf(path, sizeof path, "%s/big.txt", tmp_root);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    for (int i = 0; i < 9000; i++)
        fprintf(f, "line %d of a big file, with words %d%s", i, i * 31 % 97,
                i % 5 == 4 ? "\n\n" : "\n");
    fclose(f);
    CHECK(fixture_write(tmp_root, "short.txt", "one line only\n") == 0);
    CHECK(fixture_write(tmp_root, "empty.txt", "%s", "") == 0);
    const char *paths[] = { "long.txt", "short.txt", "empty.txt", "big.txt",
                            "long.txt" };
    size_t nwhole = 0, npieces = 0;
    char *whole = prepare_all(paths, 5, 0, &nwhole);
    char *pieces = prepare_all(paths, 5, FS_PREP_CUT_ALWAYS, &npieces);
    CHECK_STR(pieces, whole);
    /* The long file went in many pieces, each ending a block. */
    CHECK(npieces >= 20);
    CHECK(nwhole >= 7);
    CHECK(strstr(whole, "caf\xc3\xa9") != NULL);
    fs_free(whole);
    fs_free(pieces);
    fixture_remove(tmp_root);
}

RUN_TESTS("prep", T(pieces_same_as_whole))

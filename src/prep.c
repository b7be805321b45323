/*
** prep.c - the indexer's worker thread: files in, passages and tokens out.
**
** Everything here runs on the worker except fs_prep_start/next/free. The
** worker owns its buffers and its own tokenizer; the only shared state is
** the queue, under one mutex. A file's bytes are hashed as read, so the
** writer learns the content hash without reading the file again.
*/
#include "prep.h"
#include "alloc.h"
#include "fsearch.h"
#include "internal.h"
#include "passage.h"
#include "shingles.h"
#include "text.h"
#include "textstore.h"
#include "tokenizer.h"
#include "tokenizer_fts5.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (1u << 20)          /* bytes read from a file at once */
#define SNIFF_BYTES (64u << 10)        /* bytes looked at to tell binary */
#define MSG_BYTES (256u << 10)         /* text in one message, about */
#define QUEUE_BYTES (4u << 20)         /* text queued, at most (about) */
#define TITLE_MAX 200                  /* bytes of a title */
#define PROGRESS_CHUNKS 8              /* a big file reports progress every
                                       ** this many chunks read */
#define TRAIN_FILES 400                /* files sampled for a dictionary */
#define TRAIN_FILE (32u << 10)         /* bytes sampled from each */
#define CUT_MIN (4u << 10)             /* text in a message cut early, at
                                       ** least (see do_job) */

struct fs_prep {
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    fs_prep_msg *head, *tail;          /* the queue, oldest first */
    size_t queued;                     /* text bytes in the queue */
    int stop;                          /* the writer wants no more */
    int done;                          /* the worker has finished */
    int oom;                           /* ...for lack of memory */
    int waiting;                       /* the writer waits for a message
                                       ** (read without the lock) */
    unsigned flags;                    /* FS_PREP_* */
    /* The worker's own: */
    char *root;
    char *language;                    /* its tokenizer's, made by it */
    fs_buf dict_in;                    /* the index's dictionary, if any */
    int has_dict;
    const char *const *paths;
    size_t npaths;
    fs_tokenizer *tok;
    fs_textstore_enc *enc;
    unsigned train_id;                 /* train a dictionary with this id */
    fs_buf dict;                       /* ...which the writer takes */
    int dict_made;
    fs_buf full, window, clean;
    fs_shingles sh;                    /* a passage's runs, to sign it */
    char *chunk;
};

/* ---------------------------------------------------------------------- */
/* Messages and the queue                                                  */

void fs_prep_msg_free(fs_prep_msg *m)
{
    if (!m)
        return;
    fs_buf_free(&m->title);
    fs_buf_free(&m->title_toks);
    fs_buf_free(&m->text);
    fs_buf_free(&m->toks);
    fs_buf_free(&m->zdata);
    fs_buf_free(&m->sigs);
    fs_free(m->pas);
    fs_free(m);
}

static fs_prep_msg *msg_new(size_t job)
{
    fs_prep_msg *m = fs_calloc(sizeof *m);
    if (m)
        m->job = job;
    return m;
}

/* No block open: the next passage opens one. */
#define NO_BLOCK SIZE_MAX

/* The one rule that groups passages into blocks, for pack_blocks() and for
** the early cuts of prepare_file(), which must agree: a passage of `len`
** bytes joins the open block, of `open` bytes of text (NO_BLOCK: none),
** while the block stays within FS_TEXTSTORE_BLOCK; else it opens the next
** block (alone, it may be longer). */
static int joins_block(size_t open, size_t len)
{
    return open != NO_BLOCK && len <= FS_TEXTSTORE_BLOCK &&
           open <= FS_TEXTSTORE_BLOCK - len;
}

/* Pack m's passages into blocks of consecutive passages (their text is
** consecutive in m->text), as joins_block() groups them. Done here, so the
** writer thread only copies the bytes. Returns FSEARCH_OK, or
** FSEARCH_ENOMEM with no passage left in m (none may reach the writer
** without its block). */
static int pack_blocks(fs_prep *p, fs_prep_msg *m)
{
    int rc = FSEARCH_OK;
    size_t i = 0;
    while (rc == FSEARCH_OK && i < m->npas) {
        size_t start = m->pas[i].text_off, j = i + 1;
        size_t open = m->pas[i].text_len;
        while (j < m->npas && joins_block(open, m->pas[j].text_len))
            open += m->pas[j++].text_len;
        size_t end = m->pas[j - 1].text_off + m->pas[j - 1].text_len;
        size_t z0 = m->zdata.n;
        rc = fs_textstore_pack(p->enc, &m->zdata, m->text.p + start,
                               end - start);
        for (size_t k = i; k < j; k++) {
            m->pas[k].block_start = k == i;
            m->pas[k].boff = m->pas[k].text_off - start;
        }
        m->pas[i].z_off = z0;
        m->pas[i].z_len = m->zdata.n - z0;
        i = j;
    }
    if (rc != FSEARCH_OK) {
        m->npas = 0;
        rc = FSEARCH_ENOMEM;   /* a message's text is far below the max */
    }
    return rc;
}

/* Hand m to the writer, waiting while the queue is full. Returns 0, or -1
** when the writer has stopped (m is freed). */
static int push(fs_prep *p, fs_prep_msg *m)
{
    pthread_mutex_lock(&p->mu);
    while (!p->stop && p->head && p->queued >= QUEUE_BYTES)
        pthread_cond_wait(&p->cv, &p->mu);
    if (p->stop) {
        pthread_mutex_unlock(&p->mu);
        fs_prep_msg_free(m);
        return -1;
    }
    if (p->tail)
        p->tail->next = m;
    else
        p->head = m;
    p->tail = m;
    p->queued += m->text.n + m->toks.n + m->zdata.n;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

int fs_prep_next(fs_prep *p, fs_prep_msg **out)
{
    *out = NULL;
    pthread_mutex_lock(&p->mu);
    while (!p->head && !p->done) {
        __atomic_store_n(&p->waiting, 1, __ATOMIC_RELAXED);
        pthread_cond_wait(&p->cv, &p->mu);
    }
    __atomic_store_n(&p->waiting, 0, __ATOMIC_RELAXED);
    fs_prep_msg *m = p->head;
    if (m) {
        p->head = m->next;
        if (!p->head)
            p->tail = NULL;
        p->queued -= m->text.n + m->toks.n + m->zdata.n;
        m->next = NULL;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    if (!m)
        return FSEARCH_ENOMEM; /* the worker ended early: only for this */
    *out = m;
    return FSEARCH_OK;
}

/* ---------------------------------------------------------------------- */
/* The worker                                                              */

ssize_t fs_read_full(int fd, char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            return -1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Set m->title from the first non-empty line of text[0..n) (or the file's
** name when there is none), and tokenize it. */
static void make_title(fs_prep *p, int *rc, fs_prep_msg *m, const char *text,
                       size_t n, const char *path)
{
    size_t i = 0;
    const char *line = NULL;
    size_t nline = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && text[j] != '\n')
            j++;
        size_t a = i, b = j;
        while (a < b && (unsigned char)text[a] <= ' ')
            a++;
        while (b > a && (unsigned char)text[b - 1] <= ' ')
            b--;
        if (b > a) {
            line = text + a;
            nline = b - a;
            break;
        }
        i = j + 1;
    }
    if (!line) {
        line = strrchr(path, '/');
        line = line ? line + 1 : path;
        nline = strlen(line);
    }
    if (nline > TITLE_MAX) {
        nline = TITLE_MAX;
        while (nline > 0 && ((unsigned char)line[nline] & 0xC0) == 0x80)
            nline--;
    }
    fs_text_to_utf8(rc, &m->title, line, nline);
    if (*rc != FSEARCH_OK)
        return;
    /* A title is one line: control characters become spaces. */
    for (size_t k = 0; k < m->title.n; k++)
        if ((unsigned char)m->title.p[k] < ' ')
            m->title.p[k] = ' ';
    int trc = fs_tokenizer_run(p->tok, 0, m->title.p, (int)m->title.n,
                               fs_replay_put, &m->title_toks);
    if (trc != FSEARCH_OK)
        *rc = FSEARCH_ENOMEM;
}

/* Add one passage (text[0..n), from the file) to m. */
static void add_passage(fs_prep *p, int *rc, fs_prep_msg *m, const char *text,
                        size_t n, const fs_passage *ps, uint64_t file_off)
{
    if (!fs_text_is_clean_utf8(text, n)) {
        fs_buf_clear(&p->clean);
        fs_text_to_utf8(rc, &p->clean, text, n);
        if (*rc != FSEARCH_OK)
            return;
        text = p->clean.p;
        n = p->clean.n;
    }
    if (m->npas == m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 16;
        fs_prep_passage *v = fs_realloc(m->pas, ncap * sizeof *v);
        if (!v) {
            *rc = FSEARCH_ENOMEM;
            return;
        }
        m->pas = v;
        m->cap = ncap;
    }
    fs_prep_passage *pp = &m->pas[m->npas];
    pp->text_off = m->text.n;
    pp->text_len = n;
    pp->tok_off = m->toks.n;
    pp->line = ps->line;
    pp->end_line = ps->end_line;
    pp->off = file_off;
    pp->hash = fs_hash_passage(text, n);
    int src = fs_shingles_make(&p->sh, text, n);
    if (src != FSEARCH_OK) {
        *rc = src;
        return;
    }
    pp->sig_off = m->sigs.n;
    fs_shingles_encode(rc, &m->sigs, &p->sh);
    pp->sig_len = m->sigs.n - pp->sig_off;
    fs_buf_append(rc, &m->text, text, n);
    if (*rc != FSEARCH_OK)
        return;
    if (fs_tokenizer_run(p->tok, 0, text, (int)n, fs_replay_put, &m->toks) !=
        FSEARCH_OK) {
        *rc = FSEARCH_ENOMEM;
        return;
    }
    pp->tok_len = m->toks.n - pp->tok_off;
    m->npas++;
}

/* Open root/path; on failure m->reason says why and -1 is returned. */
static int open_file(fs_prep *p, int *rc, fs_prep_msg *m, const char *path)
{
    fs_buf_clear(&p->full);
    fs_buf_puts(rc, &p->full, p->root);
    fs_buf_putc(rc, &p->full, '/');
    fs_buf_puts(rc, &p->full, path);
    if (*rc != FSEARCH_OK)
        return -1;
    /* O_NONBLOCK: a FIFO that replaced the file must not hang the run. */
    int fd = open(p->full.p, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        snprintf(m->why, sizeof m->why, "unreadable: %s", strerror(errno));
        m->reason = m->why;
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        m->reason = "not a regular file";
        return -1;
    }
    return fd;
}

/* Prepare file `job` as messages. Returns 0, or -1 when the writer has
** stopped or memory ran out before a message could say so. */
static int do_job(fs_prep *p, size_t job)
{
    const char *path = p->paths[job];
    fs_prep_msg *m = msg_new(job);
    if (!m)
        return -1;
    m->has_start = 1;
    int rc = FSEARCH_OK;
    int fd = open_file(p, &rc, m, path);
    if (fd < 0)
        goto end;
    fs_buf_clear(&p->window);
    fs_hasher hs;
    fs_hash_init(&hs);
    ssize_t n = fs_read_full(fd, p->chunk, SNIFF_BYTES);
    if (n < 0) {
        snprintf(m->why, sizeof m->why, "unreadable: %s", strerror(errno));
        m->reason = m->why;
        goto end;
    }
    int kind = fs_text_sniff(p->chunk, (size_t)n);
    if (kind == FS_TEXT_BINARY) {
        m->reason = "binary (its content is not text)";
        goto end;
    }
    fs_hash_update(&hs, p->chunk, (size_t)n);
    char carry[4];
    size_t ncarry = 0;
    if (kind == FS_TEXT_UTF8) {
        size_t skip = 0;
        if (n >= 3 && memcmp(p->chunk, "\xEF\xBB\xBF", 3) == 0)
            skip = 3;
        fs_buf_append(&rc, &p->window, p->chunk + skip, (size_t)n - skip);
    } else {
        size_t use = ((size_t)n - 2) & ~(size_t)1;
        fs_text_utf16_to_utf8(&rc, &p->window, p->chunk + 2, use,
                              kind == FS_TEXT_UTF16BE);
        ncarry = (size_t)n - 2 - use;
        memcpy(carry, p->chunk + 2 + use, ncarry);
    }
    if (rc == FSEARCH_OK)
        make_title(p, &rc, m, p->window.p, p->window.n, path);

    fs_splitter sp;
    fs_splitter_init(&sp);
    size_t pos = 0;            /* start of unconsumed bytes in window */
    uint64_t window_off = 0;   /* text offset of window.p[0] */
    int at_eof = (size_t)n < SNIFF_BYTES;
    uint64_t bytes = (uint64_t)n;
    unsigned nchunks = 0;
    size_t block_len = NO_BLOCK; /* text of m's open block (joins_block) */
    size_t piece_len = 0;      /* text since the last piece cut for size or
                               ** progress: pieces cut early while the
                               ** writer waits leave those cuts (and so the
                               ** blocks) where they were */
    while (rc == FSEARCH_OK) {
        if (!at_eof && p->window.n - pos < READ_CHUNK) {
            if (pos > 0) {
                memmove(p->window.p, p->window.p + pos, p->window.n - pos);
                p->window.n -= pos;
                window_off += pos;
                pos = 0;
            }
            ssize_t got = fs_read_full(fd, p->chunk, READ_CHUNK);
            if (got < 0) {
                snprintf(m->why, sizeof m->why, "unreadable: %s",
                         strerror(errno));
                m->reason = m->why;
                break;
            }
            if (got == 0) {
                at_eof = 1;
                continue;
            }
            bytes += (uint64_t)got;
            if (++nchunks % PROGRESS_CHUNKS == 0) {
                m->progress = 1;
                m->bytes = bytes;
            }
            fs_hash_update(&hs, p->chunk, (size_t)got);
            if (kind == FS_TEXT_UTF8) {
                fs_buf_append(&rc, &p->window, p->chunk, (size_t)got);
            } else {
                fs_buf tmp = FS_BUF_INIT;
                fs_buf_append(&rc, &tmp, carry, ncarry);
                fs_buf_append(&rc, &tmp, p->chunk, (size_t)got);
                if (rc == FSEARCH_OK) {
                    size_t use = tmp.n & ~(size_t)1;
                    if (use >= 2) {
                        unsigned char a = (unsigned char)tmp.p[use - 2];
                        unsigned char b = (unsigned char)tmp.p[use - 1];
                        unsigned hi = kind == FS_TEXT_UTF16BE ? a : b;
                        if (hi >= 0xD8 && hi <= 0xDB)
                            use -= 2;
                    }
                    fs_text_utf16_to_utf8(&rc, &p->window, tmp.p, use,
                                          kind == FS_TEXT_UTF16BE);
                    ncarry = tmp.n - use;
                    memcpy(carry, tmp.p + use, ncarry);
                }
                fs_buf_free(&tmp);
            }
            continue;
        }
        /* Nothing left (the text may have been empty, window.p NULL). */
        if (pos == p->window.n && at_eof)
            break;
        fs_passage ps;
        size_t consumed = 0;
        int found = fs_splitter_next(&sp, p->window.p + pos,
                                     p->window.n - pos, at_eof, &ps,
                                     &consumed);
        const char *text = found ? p->window.p + pos + ps.off : NULL;
        if (found && m->npas > 0 && !joins_block(block_len, ps.len) &&
            m->text.n >= CUT_MIN &&
            ((p->flags & FS_PREP_CUT_ALWAYS) ||
             __atomic_load_n(&p->waiting, __ATOMIC_RELAXED)) &&
            fs_text_is_clean_utf8(text, ps.len)) {
            /* The writer waits, and this passage starts a block of its
            ** own anyway (its text goes in as it is, ps.len bytes): hand
            ** over what is ready, so that the writer stores it while the
            ** rest is prepared. The blocks are the ones a single message
            ** would have made. */
            rc = pack_blocks(p, m);
            if (rc == FSEARCH_OK) {
                int progress = m->progress;
                m->progress = 0;
                m->bytes = bytes;
                if (push(p, m) != 0) {
                    close(fd);
                    return -1;
                }
                if (!(m = msg_new(job))) {
                    close(fd);
                    return -1;
                }
                m->progress = progress;
                block_len = NO_BLOCK;
            }
        }
        if (found && rc == FSEARCH_OK) {
            size_t before = m->npas;
            add_passage(p, &rc, m, text, ps.len, &ps,
                        window_off + pos + ps.off);
            if (m->npas > before) {
                size_t len = m->pas[before].text_len;
                piece_len += len;
                block_len =
                    joins_block(block_len, len) ? block_len + len : len;
            }
        }
        pos += consumed;
        if (!found && at_eof)
            break;
        if (rc == FSEARCH_OK && (piece_len >= MSG_BYTES || m->progress) &&
            (rc = pack_blocks(p, m)) == FSEARCH_OK) {
            /* A big file goes in pieces: the queue stays bounded. */
            m->bytes = bytes;
            if (push(p, m) != 0) {
                close(fd);
                return -1;
            }
            if (!(m = msg_new(job))) {
                close(fd);
                return -1;
            }
            block_len = NO_BLOCK;
            piece_len = 0;
        }
    }
    m->hash = fs_hash_final(&hs);
    m->bytes = bytes;
end:
    if (fd >= 0)
        close(fd);
    if (rc == FSEARCH_OK)
        rc = pack_blocks(p, m);
    else
        m->npas = 0;    /* the writer drops the file: nothing to pack */
    m->has_end = 1;
    m->rc = rc;
    return push(p, m);
}

/* Train the index's dictionary on the first TRAIN_FILE bytes of up to
** TRAIN_FILES of the files, spread over the list, cut into block-sized
** samples at line ends. Any failure just means no dictionary: the text is
** packed without one. */
static void train(fs_prep *p)
{
    fs_buf text = FS_BUF_INIT;
    size_t *sizes = NULL, nsizes = 0, cap = 0;
    int rc = FSEARCH_OK;
    size_t stride = p->npaths / TRAIN_FILES + 1;
    for (size_t i = 0; rc == FSEARCH_OK && i < p->npaths &&
                       text.n < FS_TEXTSTORE_TRAIN_BYTES; i += stride) {
        fs_prep_msg scratch;   /* for open_file's reasons, unused */
        memset(&scratch, 0, sizeof scratch);
        int fd = open_file(p, &rc, &scratch, p->paths[i]);
        if (fd < 0)
            continue;
        ssize_t n = fs_read_full(fd, p->chunk, TRAIN_FILE);
        close(fd);
        if (n <= 0 || fs_text_sniff(p->chunk, (size_t)n) != FS_TEXT_UTF8)
            continue;
        for (size_t a = 0; rc == FSEARCH_OK && a < (size_t)n;) {
            size_t b = a + FS_TEXTSTORE_BLOCK;
            if (b >= (size_t)n) {
                b = (size_t)n;
            } else {
                size_t c = b;
                while (c > a && p->chunk[c - 1] != '\n')
                    c--;
                if (c > a)
                    b = c;
            }
            if (nsizes == cap) {
                size_t ncap = cap ? cap * 2 : 256;
                size_t *v = fs_realloc(sizes, ncap * sizeof *v);
                if (!v) {
                    rc = FSEARCH_ENOMEM;
                    break;
                }
                sizes = v;
                cap = ncap;
            }
            fs_buf_append(&rc, &text, p->chunk + a, b - a);
            sizes[nsizes++] = b - a;
            a = b;
        }
    }
    if (rc == FSEARCH_OK &&
        fs_textstore_train(&p->dict, p->train_id, text.p, sizes, nsizes) ==
            FSEARCH_OK &&
        fs_textstore_enc_use_dict(p->enc, p->dict.p, p->dict.n) == FSEARCH_OK)
        p->dict_made = 1;
    else
        fs_buf_free(&p->dict);
    fs_buf_free(&text);
    fs_free(sizes);
}

int fs_prep_take_dict(fs_prep *p, fs_buf *out, unsigned *id)
{
    if (!p->dict_made)
        return 0;
    p->dict_made = 0;
    *out = p->dict;
    memset(&p->dict, 0, sizeof p->dict);
    *id = p->train_id;
    return 1;
}

/* The tokenizer and the packer (with the index's dictionary, which takes
** a zstd dictionary's making): made here, so that the writer sets itself
** up meanwhile. A damaged dictionary is left out: blocks are packed
** without. */
static int setup(fs_prep *p)
{
    int rc = fs_tokenizer_new(&p->tok, p->language);
    if (rc == FSEARCH_OK)
        rc = fs_textstore_enc_new(&p->enc);
    if (rc == FSEARCH_OK && p->has_dict &&
        fs_textstore_enc_use_dict(p->enc, p->dict_in.p, p->dict_in.n) ==
            FSEARCH_ENOMEM)
        rc = FSEARCH_ENOMEM;
    fs_buf_free(&p->dict_in);
    return rc;
}

static void *worker(void *arg)
{
    fs_prep *p = arg;
    int failed = setup(p) != FSEARCH_OK;
    if (!failed && p->train_id)
        train(p);
    for (size_t i = 0; i < p->npaths && !failed; i++)
        failed = do_job(p, i) != 0;
    pthread_mutex_lock(&p->mu);
    p->done = 1;
    p->oom = failed && !p->stop;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* ---------------------------------------------------------------------- */

int fs_prep_start(fs_prep **out, const char *root, const char *language,
                  const char *const *paths, size_t npaths, const void *dict,
                  size_t ndict, unsigned train_id, unsigned flags)
{
    *out = NULL;
    fs_prep *p = fs_calloc(sizeof *p);
    if (!p)
        return FSEARCH_ENOMEM;
    p->flags = flags;
    p->paths = paths;
    p->npaths = npaths;
    p->root = fs_strdup(root);
    p->chunk = fs_malloc(READ_CHUNK);
    p->language = fs_strdup(language);
    int rc = p->root && p->chunk && p->language ? FSEARCH_OK : FSEARCH_ENOMEM;
    int sync = 0;
    if (rc == FSEARCH_OK && !fs_tokenizer_language_ok(language))
        rc = FSEARCH_EINVAL;
    if (rc == FSEARCH_OK && dict) {
        p->has_dict = 1;
        fs_buf_append(&rc, &p->dict_in, dict, ndict);
    }
    p->train_id = dict ? 0 : train_id;
    if (rc == FSEARCH_OK) {
        sync = 1;
        pthread_mutex_init(&p->mu, NULL);
        pthread_cond_init(&p->cv, NULL);
        if (pthread_create(&p->thread, NULL, worker, p) == 0)
            p->started = 1;
        else
            rc = FSEARCH_EIO;
    }
    if (rc != FSEARCH_OK) {
        if (sync) {
            pthread_mutex_destroy(&p->mu);
            pthread_cond_destroy(&p->cv);
        }
        fs_buf_free(&p->dict_in);
        fs_free(p->language);
        fs_free(p->root);
        fs_free(p->chunk);
        fs_free(p);
        return rc;
    }
    *out = p;
    return FSEARCH_OK;
}

void fs_prep_free(fs_prep *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    while (p->head) {
        fs_prep_msg *m = p->head;
        p->head = m->next;
        fs_prep_msg_free(m);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    fs_tokenizer_free(p->tok);
    fs_textstore_enc_free(p->enc);
    fs_buf_free(&p->dict_in);
    fs_free(p->language);
    fs_buf_free(&p->dict);
    fs_buf_free(&p->full);
    fs_buf_free(&p->window);
    fs_buf_free(&p->clean);
    fs_shingles_free(&p->sh);
    fs_free(p->root);
    fs_free(p->chunk);
    fs_free(p);
}

/*
** fuzz_roundtrip.c - index fuzzed files, search them, change them, index
** again, and check what a user would rely on: every hit names a file that is
** in the folder, its lines exist, its ranges lie inside its text and snippet,
** all text handed out is valid UTF-8, and an updated index finds exactly what
** a fresh build of the same folder finds.
**
** The input is cut into at most MAX_FILES files at each "\n--8<--\n". Each
** input gets its own temporary folder (in /dev/shm when there is one), which
** is removed before returning. Only include/fsearch.h is used.
*/
#include "fsearch.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FILES 4
#define MAX_WORDS 4
#define MAX_WORD_BYTES 24
#define HIT_LIMIT 200       /* hits asked for when comparing indexes */
#define ALSO_IN_MAX 20      /* search.c lists at most this many */
#define MAX_LOCS 4096

static const char marker[] = "\n--8<--\n";

/* The files made from one input; name[i] is relative to the corpus. */
static const char *const file_names[MAX_FILES] = {
    "a.txt", "sub/b.txt", "sub/deeper/c txt", "d"
};

typedef struct files {
    const uint8_t *p[MAX_FILES];
    size_t n[MAX_FILES];
    int count;
} files;

typedef struct loc {
    char path[64];
    unsigned line, end_line;
} loc;

typedef struct locset {
    loc v[MAX_LOCS];
    size_t n;
    int complete;           /* 0 when a limit cut the list short */
} locset;

/* Abort with a reason; libFuzzer then keeps the input as a crash. */
static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_roundtrip: %s%s%s\n", what, detail ? ": " : "",
            detail ? detail : "");
    abort();
}

static int valid_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++) {
            unsigned char d = (unsigned char)s[i + k];
            if ((d & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (d & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

/* Where the marker first occurs in p[0..n), or NULL. */
static const uint8_t *find_marker(const uint8_t *p, size_t n)
{
    size_t nm = sizeof marker - 1;
    for (size_t i = 0; i + nm <= n; i++)
        if (p[i] == '\n' && memcmp(p + i, marker, nm) == 0)
            return p + i;
    return NULL;
}

static void split_input(const uint8_t *data, size_t size, files *f)
{
    size_t nm = sizeof marker - 1;
    f->count = 0;
    while (f->count < MAX_FILES) {
        const uint8_t *m = NULL;
        if (f->count < MAX_FILES - 1)
            m = find_marker(data, size);
        size_t len = m ? (size_t)(m - data) : size;
        f->p[f->count] = data;
        f->n[f->count] = len;
        f->count++;
        if (!m)
            break;
        data += len + nm;
        size -= len + nm;
    }
}

static void join(char *out, size_t nout, const char *a, const char *b)
{
    if ((size_t)snprintf(out, nout, "%s/%s", a, b) >= nout)
        die("path too long", a);
}

/* Write data to dir/name, making the folders on the way. */
static void write_file(const char *dir, const char *name, const uint8_t *p,
                       size_t n, int append)
{
    char path[512];
    join(path, sizeof path, dir, name);
    for (char *s = path + strlen(dir) + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(path, 0777);
            *s = '/';
        }
    }
    int fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC),
                  0666);
    if (fd < 0)
        die("cannot write", path);
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            die("cannot write", path);
        p += w;
        n -= (size_t)w;
    }
    close(fd);
}

/* rm -r, without following symbolic links. */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char child[512];
            join(child, sizeof child, path, e->d_name);
            remove_tree(child);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Up to MAX_WORDS distinct words: runs of ASCII letters or of non-ASCII
** bytes. `recall_ok` says a word is a whole blank-separated token of a file
** the search must find (see must_find). */
typedef struct word {
    char s[MAX_WORD_BYTES + 1];
    int recall_ok;
} word;

static int is_letter(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_blank(uint8_t c)
{
    return c == ' ' || c == '\n' || c == '\t';
}

/* Is the file plain printable ASCII, short enough to be one passage or a
** few uncut ones? Then every blank-separated word in it is searchable. */
static int plain_file(const uint8_t *p, size_t n)
{
    if (n > 1000)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_blank(p[i]) && (p[i] < 0x20 || p[i] > 0x7e))
            return 0;
    return 1;
}

static int is_operator(const char *w)
{
    return strcmp(w, "AND") == 0 || strcmp(w, "OR") == 0 ||
           strcmp(w, "NOT") == 0 || strcmp(w, "NEAR") == 0;
}

static int pick_words(const files *f, word *out)
{
    int n = 0;
    for (int k = 0; k < f->count && n < MAX_WORDS; k++) {
        const uint8_t *p = f->p[k];
        size_t len = f->n[k];
        int plain = plain_file(p, len);
        size_t i = 0;
        while (i < len && n < MAX_WORDS) {
            int ascii = is_letter(p[i]);
            if (!ascii && p[i] < 0x80) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < len && (ascii ? is_letter(p[j]) : p[j] >= 0x80))
                j++;
            size_t wl = j - i;
            if (wl >= 3 && wl <= MAX_WORD_BYTES) {
                word *w = &out[n];
                memcpy(w->s, p + i, wl);
                w->s[wl] = '\0';
                w->recall_ok = plain && ascii && !is_operator(w->s) &&
                               (i == 0 || is_blank(p[i - 1])) &&
                               (j == len || is_blank(p[j]));
                int dup = 0;
                for (int d = 0; d < n; d++)
                    dup |= strcmp(out[d].s, w->s) == 0;
                if (!dup)
                    n++;
            }
            i = j;
        }
    }
    return n;
}

/* The file's bytes as they are on disk now, to check line numbers. */
static unsigned long lines_of(const char *corpus, const char *path)
{
    char full[512];
    join(full, sizeof full, corpus, path);
    FILE *fp = fopen(full, "rb");
    if (!fp)
        die("a hit names a file that is not in the folder", path);
    unsigned long lines = 1;
    int c;
    while ((c = fgetc(fp)) != EOF)
        lines += c == '\n';
    fclose(fp);
    return lines;
}

static void check_hit(const char *corpus, const fsearch_hit *h)
{
    if (!h->path || !h->text || !h->snippet || !h->title)
        die("a hit has a NULL field", NULL);
    if (h->path[0] == '/' || strstr(h->path, "..") || strstr(h->path, "//"))
        die("odd hit path", h->path);
    unsigned long lines = lines_of(corpus, h->path);
    if (h->line < 1 || h->end_line < h->line || h->end_line > lines)
        die("hit lines outside the file", h->path);
    if (!valid_utf8(h->text, h->text_len) ||
        !valid_utf8(h->snippet, h->snippet_len) ||
        !valid_utf8(h->title, strlen(h->title)) ||
        !valid_utf8(h->path, strlen(h->path)))
        die("a hit is not valid UTF-8", h->path);
    if (memchr(h->text, '\0', h->text_len))
        die("a NUL byte inside a hit's text", h->path);
    size_t prev = 0;
    for (size_t i = 0; i < h->nmatches; i++) {
        const fsearch_range *r = &h->matches[i];
        if (r->start >= r->end || r->end > h->text_len || r->start < prev)
            die("a match range outside the text or out of order", h->path);
        prev = r->start;
    }
    prev = 0;
    for (size_t i = 0; i < h->nsnippet_matches; i++) {
        const fsearch_range *r = &h->snippet_matches[i];
        if (r->start >= r->end || r->end > h->snippet_len || r->start < prev)
            die("a snippet range outside the snippet", h->path);
        prev = r->start;
    }
    for (size_t i = 0; i < h->nalso_in; i++) {
        unsigned long n = lines_of(corpus, h->also_in[i].path);
        if (h->also_in[i].line < 1 || h->also_in[i].line > n)
            die("an also_in line outside its file", h->also_in[i].path);
    }
}

static void loc_add(locset *s, const char *path, unsigned line,
                    unsigned end_line)
{
    if (s->n == MAX_LOCS) {
        s->complete = 0;
        return;
    }
    loc *l = &s->v[s->n++];
    snprintf(l->path, sizeof l->path, "%s", path);
    l->line = line;
    l->end_line = end_line;
}

static int loc_cmp(const void *a, const void *b)
{
    const loc *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    if (c)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

/*
** Run `query`, check every hit, and collect the places found (hits and the
** places they are also in) into *s, sorted. Returns the number of hits, or
** -1 when the query is refused (FSEARCH_EQUERY), which is allowed.
*/
static int run_query(fsearch *fs, const char *corpus, const char *query,
                     locset *s)
{
    fsearch_search_options so = FSEARCH_SEARCH_OPTIONS_INIT;
    so.limit = HIT_LIMIT;
    so.snippet_bytes = 80;
    fsearch_cursor *cur = NULL;
    int rc = fsearch_search(&cur, fs, query, &so);
    if (rc == FSEARCH_EQUERY) {
        if (cur)
            die("a refused query returned a cursor", query);
        if (!fsearch_errmsg(fs)[0])
            die("a refused query has no message", query);
        return -1;
    }
    if (rc != FSEARCH_OK)
        die("fsearch_search failed", fsearch_errmsg(fs));
    s->n = 0;
    s->complete = 1;
    const fsearch_hit *h;
    int nhits = 0;
    unsigned rank = 0;
    while ((rc = fsearch_next(cur, &h)) == FSEARCH_OK) {
        check_hit(corpus, h);
        if (h->rank != ++rank)
            die("hit ranks are not 1, 2, 3...", h->path);
        loc_add(s, h->path, h->line, h->end_line);
        if (h->nalso_in >= ALSO_IN_MAX)
            s->complete = 0;
        for (size_t i = 0; i < h->nalso_in; i++)
            loc_add(s, h->also_in[i].path, h->also_in[i].line, 0);
        nhits++;
    }
    if (rc != FSEARCH_DONE)
        die("fsearch_next failed", fsearch_errmsg(fs));
    /* DONE stays DONE. */
    if (fsearch_next(cur, &h) != FSEARCH_DONE || h != NULL)
        die("fsearch_next after DONE", query);
    fsearch_cursor_free(cur);
    if (nhits >= HIT_LIMIT)
        s->complete = 0;
    /* also_in entries carry no end line: compare on path and line only. */
    for (size_t i = 0; i < s->n; i++)
        s->v[i].end_line = 0;
    qsort(s->v, s->n, sizeof s->v[0], loc_cmp);
    return nhits;
}

static fsearch *open_index(const char *path)
{
    fsearch_options fo = FSEARCH_OPTIONS_INIT;
    fo.flags = FSEARCH_OPEN_CREATE;
    fsearch *fs = NULL;
    if (fsearch_open(&fs, path, &fo) != FSEARCH_OK)
        die("fsearch_open failed", fsearch_errmsg(fs));
    return fs;
}

static void index_folder(fsearch *fs, const char *corpus,
                         fsearch_index_stats *st, unsigned flags)
{
    fsearch_index_options io = FSEARCH_INDEX_OPTIONS_INIT;
    io.flags = flags;
    if (fsearch_index(fs, corpus, &io, st) != FSEARCH_OK)
        die("fsearch_index failed", fsearch_errmsg(fs));
}

/* The queries made of the words: each alone, two together, a phrase, a
** prefix, an exclusion and a NEAR. */
static int make_queries(const word *w, int nw, char q[][160], int *recall)
{
    int n = 0;
    for (int i = 0; i < nw; i++) {
        recall[n] = w[i].recall_ok;
        snprintf(q[n++], 160, "%s", w[i].s);
    }
    if (nw >= 2) {
        recall[n] = w[0].recall_ok || w[1].recall_ok;
        snprintf(q[n++], 160, "%s %s", w[0].s, w[1].s);
        recall[n] = 0;
        snprintf(q[n++], 160, "\"%s %s\"", w[0].s, w[1].s);
        recall[n] = 0;
        snprintf(q[n++], 160, "%s -%s", w[0].s, w[1].s);
        recall[n] = 0;
        snprintf(q[n++], 160, "NEAR(%s %s, 3)", w[0].s, w[1].s);
    }
    if (nw >= 1) {
        recall[n] = 0;
        snprintf(q[n++], 160, "%.2s*", w[0].s);
        recall[n] = 0;
        snprintf(q[n++], 160, "title:%s OR path:sub", w[0].s);
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 16))
        return 0;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                       : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[256], corpus[300], db[300], db2[300];
    snprintf(dir, sizeof dir, "%s/fuzz_roundtrip.XXXXXX", base);
    if (!mkdtemp(dir))
        die("mkdtemp failed", dir);
    join(corpus, sizeof corpus, dir, "corpus");
    join(db, sizeof db, dir, "index.db");
    join(db2, sizeof db2, dir, "fresh.db");
    mkdir(corpus, 0777);

    files f;
    split_input(data, size, &f);
    for (int i = 0; i < f.count; i++)
        write_file(corpus, file_names[i], f.p[i], f.n[i], 0);

    word words[MAX_WORDS];
    int nw = pick_words(&f, words);
    char queries[MAX_WORDS + 8][160];
    int recall[MAX_WORDS + 8];
    int nq = make_queries(words, nw, queries, recall);
    static locset a, b;

    /* Round 1: a new index. */
    fsearch *fs = open_index(db);
    fsearch_index_stats st;
    index_folder(fs, corpus, &st, 0);
    if (st.added + st.skipped != (uint64_t)f.count || st.updated ||
        st.removed || st.renamed)
        die("first run stats do not add up", NULL);
    for (int i = 0; i < nq; i++) {
        int n = run_query(fs, corpus, queries[i], &a);
        if (recall[i] && n == 0)
            die("a word of a plain text file is not found", queries[i]);
    }

    /* Round 2: remove the first file, move the second, grow the third,
    ** and bring the index up to date. */
    if (f.count >= 2) {
        char from[512], to[512];
        join(from, sizeof from, corpus, file_names[0]);
        unlink(from);
        join(from, sizeof from, corpus, file_names[1]);
        join(to, sizeof to, corpus, "moved.txt");
        if (rename(from, to) != 0)
            die("rename failed", from);
        if (f.count >= 3)
            write_file(corpus, file_names[2], f.p[0], f.n[0], 1);
        index_folder(fs, corpus, &st, 0);
    }

    /* Round 3: a fresh build of the same folder finds the same places. */
    fsearch *fresh = open_index(db2);
    index_folder(fresh, corpus, NULL, 0);
    for (int i = 0; i < nq; i++) {
        int na = run_query(fs, corpus, queries[i], &a);
        int nb = run_query(fresh, corpus, queries[i], &b);
        if ((na < 0) != (nb < 0))
            die("a query is refused by one index only", queries[i]);
        if (na < 0 || !a.complete || !b.complete)
            continue;
        int same = a.n == b.n;
        for (size_t k = 0; same && k < a.n; k++)
            same = loc_cmp(&a.v[k], &b.v[k]) == 0;
        if (!same)
            die("the updated index and a fresh build differ", queries[i]);
    }
    fsearch_status ss;
    if (fsearch_stat(fs, &ss) != FSEARCH_OK)
        die("fsearch_stat failed", fsearch_errmsg(fs));
    fsearch_status sf;
    if (fsearch_stat(fresh, &sf) != FSEARCH_OK)
        die("fsearch_stat failed", fsearch_errmsg(fresh));
    if (ss.documents != sf.documents || ss.passages != sf.passages)
        die("the updated index and a fresh build differ in size", NULL);
    fsearch_close(fresh);
    fsearch_close(fs);
    remove_tree(dir);
    return 0;
}

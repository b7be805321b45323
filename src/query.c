/*
** query.c - the fsearch query language: read what a user types and turn it
** into an FTS5 MATCH expression that FTS5 always accepts, plus the facts the
** ranking needs (which phrase belongs to which query "group").
**
** THE QUERY LANGUAGE
**
**   safety zone        words. Passages with ANY of them are found; passages
**                      with all of them rank first ("soft" matching).
**   "safety zone"      a phrase: the words next to each other, in order. An
**                      unclosed quote runs to the end of the query. Inside a
**                      phrase, "" stands for one double quote. Curly quotes
**                      (U+201C-U+201E) quote as '"' does.
**   rab*  "safety zo"* a prefix: any word starting so.
**   a OR b             either word; together they count as ONE query word
**                      for the ranking.
**   a AND b            both required. When AND appears in a list of terms,
**                      every term of that list is required.
**   +a b               a is required, b is optional (it helps the ranking).
**   a NOT b   a -b     passages with a but without b. The minus works on a
**                      word, a "phrase" or a (group): -"x y", -(x OR y). It
**                      is an operator only at the start of a term (after a
**                      blank or '(') and when a word, quote or '(' follows:
**                      safety-zone, 1-2 and -- are plain words.
**   shock-sound        a free word with hyphens is searched as its parts
**                      typed apart ("shock" "sound"); passages with them
**                      side by side still rank first. It stays one phrase
**                      when quoted, an operand of OR or NEAR, after + - or
**                      title:, a prefix, or when a part is one character
**                      or a stop word (x-15, e-mail, out-of-date).
**   NEAR(a b "c d", 5) the phrases within 5 words of each other (default
**                      10). Infix form: a NEAR b, a NEAR/5 b; a chain
**                      a NEAR/3 b NEAR/5 c is one NEAR with the largest
**                      distance. Infix NEAR joins only words and phrases
**                      (not title: terms or groups); elsewhere it is
**                      ignored. Inside NEAR(...) no operators or groups.
**   ( ... )            grouping. An unclosed '(' is closed at the end.
**   title:word  title:"a phrase"  title:(...)  title:NEAR(...)
**                      match in the document title only.
**   path:GLOB  path:*.txt  path:"My Notes*"
**                      only files whose path matches the glob; several
**                      path: filters are alternatives. Not a search word.
**
**   Operators are recognised in UPPER case only: or, and, not, near are
**   ordinary words. Blanks (Unicode spaces too: no-break, ideographic),
**   '(', ')' and '"' separate words; anything else belongs to the word
**   (U.S., don't, C++, 10:30, Nánjīng), and the index's tokenizer later
**   splits it the way it splits the documents. A word (or phrase) in which
**   that tokenizer finds no letter or digit is ignored: +++, &, --, an em
**   dash, a lone accent, bytes that are not UTF-8.
**
**   Common English words (the, of, to, ...) are ignored in a soft list of
**   words, because nearly every passage has them. They are kept inside
**   phrases and NEAR, in a list with AND, after + or NOT, after title:, as
**   prefixes, or when FS_QUERY_KEEP_STOPWORDS is given. A query made only of
**   such words keeps them all, and a list of them is searched as one phrase
**   ("to be or not to be", "the who", title:(the who)), while alternatives
**   stay apart: "a OR the" is ("a" OR "the"), "(the who) OR (of a)" is
**   ("the who" OR "of a").
**
**   Synonyms (see fs_synonyms_parse): a bare word found in the synonym list
**   is searched as any word of its group: Nanking -> ("Nanking" OR
**   "Nanjing"), also when excluded. Words in phrases, NEAR or prefixes are
**   not expanded.
**
**   Errors, reported with their column (1-based, in characters) where one
**   applies: an extra ')', NOT with nothing after it, more than 64 nested
**   parentheses, more than 256 words (phrases after synonyms), a malformed
**   NEAR(...) or NEAR/ without a number, an excluded path:, an expression
**   too deep for FTS5's parser (about 15 levels that alternate AND, OR and
**   NOT), and queries with
**   nothing to search for (empty, no letter or digit, only excluded words,
**   only path: filters). Other malformed input is read sensibly: a
**   dangling or doubled AND/OR/NEAR is ignored, () is ignored, a group of
**   exclusions only, "x (-y)", reads as "x -y".
**
** THE TRANSLATION
**
**   Every word or phrase becomes an FTS5 string ("..." with '"' doubled), so
**   no input can inject FTS5 syntax. Juxtaposed terms become OR, required
**   terms AND, exclusions one binary `(positive) NOT (n1 OR n2 ...)` per
**   list. Optional terms next to required ones are kept for the ranking by
**   `R1 AND R2 AND (S1 OR S2 OR R1)`, which matches exactly what R1 AND R2
**   matches. Nested lists joined the same way are spliced into their
**   parent, "a (b (c d))" -> "a" OR "b" OR "c" OR "d", to keep the FTS5
**   parser stack shallow.
**
**   Groups: each term of the top-level list is one group (a list that is
**   alone at the top, as in "(a b c)", is looked into); all phrases inside a
**   term share its group. fs_query.phrase_group gives the group of every
**   FTS5 phrase in FTS5's numbering order, -1 for excluded ones.
**
** Parsing is recursive descent bounded to 64 levels of parentheses, and
** works in one pass over the input into a node array (indices, no pointers),
** so a megabyte of "((((" or of words costs linear time and memory.
*/
#include "query.h"
#include "alloc.h"
#include "buf.h"
#include "fsearch.h"

#include <assert.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#define MAX_DEPTH 64          /* nested parentheses */
#define MAX_PHRASES 256       /* FTS5 phrases in the expression */
#define MAX_PARTS 8           /* a hyphenated word with more stays whole */
#define MAX_TERMS 256         /* suggestion words kept */
#define NEAR_DEFAULT 10       /* tokens */
#define NEAR_MAX 1000000      /* larger distances are clamped */
#define FTS5_STACK_BUDGET 88  /* of FTS5's 100 parser stack entries */
#define FTS5_MAX_OPEN 88      /* '(' open at once: each costs 1 or more */

/* ====================================================================== */
/* Stop words                                                              */

/* Sorted (strcmp order): looked up by binary search. */
static const char *const stop_words[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an",
    "and", "any", "are", "as", "at", "be", "because", "been", "before",
    "being", "below", "between", "both", "but", "by", "can", "could", "did",
    "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is",
    "it", "its", "itself", "just", "me", "more", "most", "my", "myself",
    "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or",
    "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she",
    "should", "so", "some", "such", "than", "that", "the", "their",
    "theirs", "them", "themselves", "then", "there", "these", "they",
    "this", "those", "through", "to", "too", "under", "until", "up", "upon",
    "very", "was", "we", "were", "what", "when", "where", "which", "while",
    "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
    "yourself", "yourselves"
};

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Compare s[0..n) with the NUL-terminated lowercase w, ASCII case-blind. */
static int cmp_ci_z(const char *s, size_t n, const char *w)
{
    size_t i;
    for (i = 0; i < n && w[i]; i++) {
        int d = lower((unsigned char)s[i]) - (unsigned char)w[i];
        if (d)
            return d;
    }
    if (i < n)
        return 1;
    return w[i] ? -1 : 0;
}

int fs_query_is_stop_word(const char *s, size_t n)
{
    size_t lo = 0, hi = sizeof stop_words / sizeof stop_words[0];
    if (n > 10)
        return 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cmp_ci_z(s, n, stop_words[mid]);
        if (c == 0)
            return 1;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

/* ====================================================================== */
/* Synonyms                                                                */

typedef struct syn_word {
    const char *s;            /* into fs_synonyms.text, not NUL-terminated */
    int len;                  /* bytes */
    int group;                /* raw line group, then merged group */
    int order;                /* position in the file */
    int idx;                  /* index in the sorted words (scratch) */
} syn_word;

struct fs_synonyms {
    char *text;               /* copy of the file; words point into it */
    syn_word *words;          /* unique words, sorted case-blind */
    int nwords;
    int *members;             /* word indices, by group, file order inside */
    int *group_first;         /* [ngroups + 1] start of a group in members */
    int ngroups;
};

/* ASCII case-blind order of two byte strings. */
static int cmp_ci(const char *a, size_t na, const char *b, size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        int d = lower((unsigned char)a[i]) - lower((unsigned char)b[i]);
        if (d)
            return d;
    }
    return (na > nb) - (na < nb);
}

static int cmp_syn_text(const void *pa, const void *pb)
{
    const syn_word *a = pa, *b = pb;
    int c = cmp_ci(a->s, (size_t)a->len, b->s, (size_t)b->len);
    if (c)
        return c;
    return (a->order > b->order) - (a->order < b->order);
}

static int cmp_syn_group(const void *pa, const void *pb)
{
    const syn_word *a = pa, *b = pb;
    if (a->group != b->group)
        return (a->group > b->group) - (a->group < b->group);
    return (a->order > b->order) - (a->order < b->order);
}

static int uf_find(int *parent, int x)
{
    int root = x;
    while (parent[root] != root)
        root = parent[root];
    while (parent[x] != root) {
        int next = parent[x];
        parent[x] = root;
        x = next;
    }
    return root;
}

/* fs_grow() for element n (0-based) of an array counted in int: the count
** stays below INT_MAX. SQLITE_OK, or SQLITE_NOMEM with the array as it
** was. */
static int room_for(void **ptr, size_t *cap, int n, size_t elem)
{
    return n < INT_MAX ? fs_grow(ptr, cap, (size_t)n + 1, elem) : SQLITE_NOMEM;
}

void fs_synonyms_free(fs_synonyms *syn)
{
    if (!syn)
        return;
    fs_free(syn->text);
    fs_free(syn->words);
    fs_free(syn->members);
    fs_free(syn->group_first);
    fs_free(syn);
}

static int syn_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ||
           c == '\0';
}

/*
** Read the lines into syn->words (one raw group per line with two or more
** entries). Returns the number of raw groups, or a negative code.
*/
static int syn_read(fs_synonyms *syn, size_t n, size_t *cap, char *err,
                    size_t nerr)
{
    const char *t = syn->text;
    int ngroups = 0, line = 1;
    size_t i = 0;
    while (i < n) {
        int first = syn->nwords;
        while (i < n && t[i] != '\n') {
            size_t start, end;
            if (syn_blank(t[i])) {
                i++;
                continue;
            }
            if (t[i] == '#') {
                while (i < n && t[i] != '\n')
                    i++;
                break;
            }
            if (t[i] == '"') {
                start = ++i;
                while (i < n && t[i] != '"' && t[i] != '\n' && t[i] != '\0')
                    i++;
                if (i >= n || t[i] != '"') {
                    if (err && nerr)
                        snprintf(err, nerr, "line %d: unterminated quote",
                                 line);
                    return FSEARCH_EQUERY;
                }
                end = i++;
            } else {
                start = i;
                while (i < n && !syn_blank(t[i]) && t[i] != '\n' &&
                       t[i] != '"')
                    i++;
                end = i;
            }
            if (end == start)
                continue;
            if (room_for((void **)&syn->words, cap, syn->nwords,
                         sizeof(syn_word)) != SQLITE_OK)
                return FSEARCH_ENOMEM;
            syn_word *w = &syn->words[syn->nwords];
            w->s = t + start;
            w->len = (int)(end - start);
            w->group = ngroups;
            w->order = syn->nwords;
            syn->nwords++;
        }
        if (syn->nwords - first >= 2)
            ngroups++;
        else
            syn->nwords = first;      /* a lone word has no synonym */
        if (i < n) {
            i++;                      /* the '\n' */
            line++;
        }
    }
    return ngroups;
}

/*
** The file format beyond query.h: '#' starts a comment only at the start of
** a word (so "C#" is a word), a NUL byte counts as a blank, a line with a
** single entry is ignored, and lines sharing a word are merged into one
** group (synonymy is transitive). Words are looked up by binary search over
** a case-blind sorted copy; each group lists its words in file order.
*/
int fs_synonyms_parse(fs_synonyms **out, const char *text, size_t n,
                      char *err, size_t nerr)
{
    int rc = FSEARCH_OK, nraw, *parent = NULL;
    size_t cap = 0;
    assert(out);
    *out = NULL;
    if (err && nerr)
        err[0] = '\0';
    if (n >= (size_t)INT_MAX) {
        if (err && nerr)
            snprintf(err, nerr, "synonym file too large");
        return FSEARCH_EQUERY;
    }
    fs_synonyms *syn = fs_calloc(sizeof *syn);
    if (!syn)
        return FSEARCH_ENOMEM;
    syn->text = fs_strndup(text, n);
    if (!syn->text) {
        rc = FSEARCH_ENOMEM;
        goto done;
    }
    nraw = syn_read(syn, n, &cap, err, nerr);
    if (nraw < 0) {
        rc = nraw;
        goto done;
    }

    /* Lines sharing a word are one group: synonymy is transitive. */
    parent = fs_malloc(sizeof(int) * (size_t)(nraw ? nraw : 1));
    syn->group_first = fs_malloc(sizeof(int) * (size_t)(nraw + 1));
    syn->members = fs_malloc(sizeof(int) * (size_t)(syn->nwords + 1));
    if (!parent || !syn->group_first || !syn->members) {
        rc = FSEARCH_ENOMEM;
        goto done;
    }
    for (int g = 0; g < nraw; g++)
        parent[g] = g;
    if (syn->nwords)
        qsort(syn->words, (size_t)syn->nwords, sizeof(syn_word),
              cmp_syn_text);
    for (int i = 1; i < syn->nwords; i++) {
        syn_word *a = &syn->words[i - 1], *b = &syn->words[i];
        if (cmp_ci(a->s, (size_t)a->len, b->s, (size_t)b->len) == 0) {
            int ra = uf_find(parent, a->group), rb = uf_find(parent, b->group);
            if (ra != rb)
                parent[ra > rb ? ra : rb] = ra < rb ? ra : rb;
        }
    }
    /* Keep the first spelling of each word; number groups densely. */
    int nw = 0;
    for (int i = 0; i < syn->nwords; i++) {
        syn_word w = syn->words[i];
        w.group = uf_find(parent, w.group);
        if (nw > 0 && cmp_ci(syn->words[nw - 1].s,
                             (size_t)syn->words[nw - 1].len, w.s,
                             (size_t)w.len) == 0)
            continue;
        syn->words[nw++] = w;
    }
    syn->nwords = nw;
    for (int g = 0; g < nraw; g++)
        parent[g] = -1;
    syn->ngroups = 0;
    for (int i = 0; i < nw; i++) {
        int r = syn->words[i].group;
        if (parent[r] < 0)
            parent[r] = syn->ngroups++;
        syn->words[i].group = parent[r];
    }

    /* Members of each group in file order: sort a copy by (group, order). */
    syn_word *tmp = fs_malloc(sizeof(syn_word) * (size_t)(nw ? nw : 1));
    if (!tmp) {
        rc = FSEARCH_ENOMEM;
        goto done;
    }
    for (int i = 0; i < nw; i++) {
        tmp[i] = syn->words[i];
        tmp[i].idx = i;
    }
    if (nw)
        qsort(tmp, (size_t)nw, sizeof(syn_word), cmp_syn_group);
    for (int g = 0; g <= syn->ngroups; g++)
        syn->group_first[g] = 0;
    for (int i = 0; i < nw; i++) {
        syn->members[i] = tmp[i].idx;
        syn->group_first[tmp[i].group + 1] = i + 1;
    }
    fs_free(tmp);

done:
    fs_free(parent);
    if (rc != FSEARCH_OK) {
        fs_synonyms_free(syn);
        return rc;
    }
    *out = syn;
    return FSEARCH_OK;
}

/* The group of word s[0..n), or -1. */
static int syn_lookup(const fs_synonyms *syn, const char *s, size_t n)
{
    int lo = 0, hi = syn->nwords;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        const syn_word *w = &syn->words[mid];
        int c = cmp_ci(s, n, w->s, (size_t)w->len);
        if (c == 0)
            return w->group;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

/* ====================================================================== */
/* Syntax tree                                                             */

enum node_kind {
    N_WORD,                   /* a word or a "phrase" */
    N_NEAR,                   /* NEAR(...): children are N_WORD */
    N_OR,                     /* a OR b: alternatives */
    N_SEQ                     /* terms side by side; a (group) or the query */
};

enum node_flag {
    F_QUOTED = 0x01,          /* WORD: a quoted phrase (raw, "" pairs) */
    F_PREFIX = 0x02,          /* WORD: ends in '*' */
    F_TITLE = 0x04,           /* title: applies */
    F_REQUIRED = 0x08,        /* +term, or a term with such a member */
    F_NEG = 0x10,             /* excluded by NOT or '-' */
    F_HARD = 0x20,            /* SEQ: has an explicit AND */
    F_LIVE = 0x40,            /* after analysis: produces output */
    F_PART = 0x80,            /* WORD: part of a hyphenated word */
    F_PHRASE = 0x100          /* SEQ: emitted as one phrase of its words */
};

typedef struct qnode {
    int kind;                 /* enum node_kind */
    int flags;                /* enum node_flag */
    int first, last;          /* children, -1 if none */
    int next;                 /* next sibling, -1 at the end */
    int neg_head, neg_tail;   /* SEQ: exclusions to emit, via next_neg */
    int next_neg;
    int group;                /* ranking group of a top-level term */
    int dist;                 /* NEAR: tokens */
    size_t off;               /* WORD: text start; else where it starts */
    size_t len;               /* WORD: text bytes */
    size_t whole_len;         /* first F_PART: bytes of the word as typed */
} qnode;

enum { OP_NONE, OP_AND, OP_OR, OP_NOT, OP_NEAR, OP_BAD };

/* Returned by parse_term() for a term that searches nothing. */
#define NOTHING (-2)

typedef struct parser {
    const char *in;           /* the query */
    size_t n;                 /* bytes */
    size_t pos;               /* byte offset of the next character */
    int qflags;               /* FS_QUERY_* */
    const fs_synonyms *syn;   /* may be NULL */
    int rc;                   /* sticky */
    char *err;
    size_t nerr;

    qnode *nodes;
    int nnodes;
    size_t capnodes;
    int nwords;               /* words counted against MAX_PHRASES */

    fs_buf out;               /* the MATCH expression */
    int *groups;              /* group of each phrase emitted */
    int nphrases;
    size_t capgroups;
    char **paths;
    int npaths;
    size_t cappaths;
    char **terms;
    int nterms;
    size_t capterms;

    int cur_group;            /* group of the phrases being emitted */
    int group_level;          /* SEQ whose terms are the groups */
    int stack_cost;           /* FTS5 parser entries of the open '(' */
    int nopen;                /* '(' emitted and not yet closed */
    int open_cost[FTS5_MAX_OPEN]; /* what each open '(' costs */
} parser;

/* 1-based column, in characters, of byte offset `off`. */
static int column(const parser *p, size_t off)
{
    int col = 1;
    for (size_t i = 0; i < off && i < p->n; i++)
        if (((unsigned char)p->in[i] & 0xC0) != 0x80)
            col++;
    return col;
}

static void fail(parser *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void fail(parser *p, const char *fmt, ...)
{
    if (p->rc != FSEARCH_OK)
        return;
    p->rc = FSEARCH_EQUERY;
    if (p->err && p->nerr) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err, p->nerr, fmt, ap);
        va_end(ap);
    }
}

static int new_node(parser *p, int kind, size_t off)
{
    if (p->rc != FSEARCH_OK)
        return -1;
    if (room_for((void **)&p->nodes, &p->capnodes, p->nnodes,
                 sizeof(qnode)) != SQLITE_OK) {
        p->rc = FSEARCH_ENOMEM;
        return -1;
    }
    qnode *q = &p->nodes[p->nnodes];
    memset(q, 0, sizeof *q);
    q->kind = kind;
    q->first = q->last = q->next = -1;
    q->neg_head = q->neg_tail = q->next_neg = -1;
    q->group = -1;
    q->dist = NEAR_DEFAULT;
    q->off = off;
    return p->nnodes++;
}

static void add_child(parser *p, int parent, int child)
{
    qnode *a = &p->nodes[parent];
    p->nodes[child].next = -1;
    if (a->last < 0)
        a->first = child;
    else
        p->nodes[a->last].next = child;
    a->last = child;
}

/* ====================================================================== */
/* Lexing                                                                  */

static int is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static int is_delim(int c)
{
    return is_blank(c) || c == '(' || c == ')' || c == '"';
}

/*
** Bytes of the blank at s[i] (i < n), 0 if none: an ASCII blank, or a
** Unicode space (categories Zs, Zl, Zp, and U+0085) as pasted text and
** input methods bring them, so that a no-break space or the ideographic
** space of a Japanese keyboard separates words as ' ' does, where it
** once joined them into one phrase.
*/
static size_t blank_len(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80)
        return (size_t)is_blank(c);
    if (c != 0xC2 && c != 0xE1 && c != 0xE2 && c != 0xE3)
        return 0;                     /* no space starts so */
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(n - i), &cp);
    if (k <= 0)
        return 0;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
        return (size_t)k;
    default:
        return cp == 0x85 ? (size_t)k : 0;
    }
}

size_t fs_query_blank_len(const char *s, size_t n, size_t i)
{
    return blank_len(s, n, i);
}

/*
** Bytes of the quotation mark at s[i] (i < n), 0 if none: '"', or one of
** the curly marks word processors and phones type for it (U+201C-U+201E),
** so that a pasted \u201Csafety zone\u201D is the phrase it looks like. Any
** of them closes a phrase any of them opened; only "" stands for a '"'.
*/
static size_t quote_len(const char *s, size_t n, size_t i)
{
    if (s[i] == '"')
        return 1;
    if ((unsigned char)s[i] == 0xE2 && i + 2 < n &&
        (unsigned char)s[i + 1] == 0x80 &&
        (unsigned char)s[i + 2] >= 0x9C && (unsigned char)s[i + 2] <= 0x9E)
        return 3;
    return 0;
}

size_t fs_query_quote_len(const char *s, size_t n, size_t i)
{
    return quote_len(s, n, i);
}

/* The first byte at or after i that is not blank. */
static size_t skip_blanks(const parser *p, size_t i)
{
    size_t k;
    while (i < p->n && (k = blank_len(p->in, p->n, i)) > 0)
        i += k;
    return i;
}

/* Does a blank end just before byte i? */
static int blank_before(const parser *p, size_t i)
{
    for (size_t k = 1; k <= 3 && k <= i; k++)
        if (blank_len(p->in, p->n, i - k) == k)
            return 1;
    return 0;
}

/*
** Will the index's tokenizer find a word in s[0..n)? Its words are runs of
** Unicode letters and numbers (categories L and N); a mark alone folds away
** and an invalid UTF-8 byte separates words (tokenizer.c). A term without
** one would be an FTS5 string of no token, which matches nothing: "\xff",
** a lone accent or an em dash would find nothing and, under AND, hide every
** hit, so such a term is read as punctuation and ignored.
*/
static int has_word_char(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                (c >= 'A' && c <= 'Z'))
                return 1;
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) {
            i++;
            continue;
        }
        i += (size_t)k;
        if (cp == 0x02BC)
            continue;                 /* a letter, but read as apostrophe */
        switch (utf8proc_category(cp)) {
        case UTF8PROC_CATEGORY_LU:
        case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT:
        case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO:
        case UTF8PROC_CATEGORY_ND:
        case UTF8PROC_CATEGORY_NL:
        case UTF8PROC_CATEGORY_NO:
            return 1;
        default:
            break;
        }
    }
    return 0;
}

/* End of the word starting at i; in NEAR(...) a ',' ends it too. */
static size_t word_end(const parser *p, size_t i, int in_near)
{
    while (i < p->n && !is_delim((unsigned char)p->in[i]) &&
           !(in_near && p->in[i] == ',') && !blank_len(p->in, p->n, i) &&
           !quote_len(p->in, p->n, i))
        i++;
    return i;
}

static int word_is(const parser *p, size_t start, size_t end, const char *w)
{
    size_t n = strlen(w);
    return end - start == n && memcmp(p->in + start, w, n) == 0;
}

/* The operator spelled by the word [start, end), OP_NONE if none, OP_BAD
** for NEAR/ not followed by a number. */
static int operator_at(const parser *p, size_t start, size_t end, int *dist)
{
    if (word_is(p, start, end, "AND"))
        return OP_AND;
    if (word_is(p, start, end, "OR"))
        return OP_OR;
    if (word_is(p, start, end, "NOT"))
        return OP_NOT;
    if (word_is(p, start, end, "NEAR")) {
        if (end < p->n && p->in[end] == '(')
            return OP_NONE;           /* NEAR(...) is a term */
        *dist = NEAR_DEFAULT;
        return OP_NEAR;
    }
    if (end - start >= 5 && memcmp(p->in + start, "NEAR/", 5) == 0) {
        /* NEAR/, NEAR/x: meant as the operator, whose distance is wrong. */
        long d = 0;
        if (end - start == 5)
            return OP_BAD;
        for (size_t i = start + 5; i < end; i++) {
            if (p->in[i] < '0' || p->in[i] > '9')
                return OP_BAD;
            if (d < NEAR_MAX)
                d = d * 10 + (p->in[i] - '0');
        }
        *dist = d > NEAR_MAX ? NEAR_MAX : (int)d;
        return OP_NEAR;
    }
    return OP_NONE;
}

/* Count one more search word; fail past the limit. */
static int count_word(parser *p)
{
    if (++p->nwords > MAX_PHRASES) {
        fail(p, "query too long: more than %d words", MAX_PHRASES);
        return -1;
    }
    return 0;
}

/* ====================================================================== */
/* Parsing                                                                 */

static int parse_seq(parser *p, int depth, size_t open_off);

/* Raw body of the phrase whose quote is at p->pos; leaves pos after it. */
static void scan_quoted(parser *p, size_t *start, size_t *len)
{
    size_t q = 0, i;
    p->pos += quote_len(p->in, p->n, p->pos);
    i = p->pos;
    while (i < p->n) {
        if (p->in[i] == '"' && i + 1 < p->n && p->in[i + 1] == '"') {
            i += 2;
            continue;
        }
        if ((q = quote_len(p->in, p->n, i)) > 0)
            break;
        i++;
    }
    *start = p->pos;
    *len = i - p->pos;
    p->pos = i < p->n ? i + q : p->n;
}

/* A "phrase" (optionally followed by '*'). */
static int parse_phrase(parser *p)
{
    size_t start, len;
    int prefix = 0;
    scan_quoted(p, &start, &len);
    while (p->pos < p->n && p->in[p->pos] == '*') {
        prefix = 1;
        p->pos++;
    }
    if (!has_word_char(p->in + start, len))
        return NOTHING;
    if (count_word(p))
        return -1;
    int t = new_node(p, N_WORD, start);
    if (t < 0)
        return -1;
    p->nodes[t].len = len;
    p->nodes[t].flags = F_QUOTED | (prefix ? F_PREFIX : 0);
    return t;
}

/* A bare word ending at `end`; a trailing '*' makes it a prefix. */
static int parse_word(parser *p, size_t end)
{
    size_t start = p->pos, stop = end;
    int prefix = 0;
    p->pos = end;
    while (stop > start && p->in[stop - 1] == '*') {
        stop--;
        prefix = 1;
    }
    if (!has_word_char(p->in + start, stop - start))
        return NOTHING;
    if ((prefix || !fs_query_is_stop_word(p->in + start, stop - start)) &&
        count_word(p))
        return -1;
    int t = new_node(p, N_WORD, start);
    if (t < 0)
        return -1;
    p->nodes[t].len = stop - start;
    p->nodes[t].flags = prefix ? F_PREFIX : 0;
    return t;
}

/* Characters (UTF-8 lead bytes) in s[0..n). */
static size_t nchars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/*
** A free word written with hyphens (shock-sound, re-entry) is searched as
** its parts typed apart, as other engines read it: as one phrase it missed
** every passage writing "shock and sound waves" or "reentry" beside
** "entry", and the ranking still puts the parts side by side first. It
** stays whole when a part is a single character or a stop word (x-15,
** e-mail, out-of-date, state-of-the-art), where the parts alone say
** little, and with more than MAX_PARTS parts. Node `t` becomes the first
** part; the others are new nodes, all in part[]. Returns the number of
** parts (1: not split) or -1 on error.
*/
static int split_word(parser *p, int t, int *part)
{
    size_t off[MAX_PARTS], len[MAX_PARTS];
    const char *s = p->in + p->nodes[t].off;
    size_t n = p->nodes[t].len, i = 0;
    int k = 0;
    part[0] = t;
    if (!memchr(s, '-', n))
        return 1;
    while (i < n) {
        while (i < n && s[i] == '-')
            i++;
        size_t start = i;
        while (i < n && s[i] != '-')
            i++;
        if (i == start)
            break;
        if (k == MAX_PARTS || nchars(s + start, i - start) < 2 ||
            !has_word_char(s + start, i - start) ||
            fs_query_is_stop_word(s + start, i - start))
            return 1;
        off[k] = p->nodes[t].off + start;
        len[k++] = i - start;
    }
    if (k < 2)
        return 1;
    for (int j = 1; j < k; j++) {
        if (count_word(p))
            return -1;
        if ((part[j] = new_node(p, N_WORD, off[j])) < 0)
            return -1;
        p->nodes[part[j]].len = len[j];
        p->nodes[part[j]].flags = F_PART;
    }
    qnode *first = &p->nodes[t];
    /* The word as typed from its first part on: leading '-'s (--ab-cd)
    ** are not part of it, and whole_len is read from the new off. */
    first->whole_len = first->off + first->len - off[0];
    first->off = off[0];
    first->len = len[0];
    first->flags |= F_PART;
    return k;
}

/* Is the next word an operator joining the term before it (OR, NEAR)? */
static int joined_to_next(const parser *p)
{
    size_t i = skip_blanks(p, p->pos);
    int dist, op = operator_at(p, i, word_end(p, i, 0), &dist);
    return op == OP_OR || op == OP_NEAR;
}

/* NEAR(a "b c" d*, N): p->pos is on the 'N'. */
static int parse_near(parser *p)
{
    int t = new_node(p, N_NEAR, p->pos);
    if (t < 0)
        return -1;
    p->pos += 5;                      /* "NEAR(" */
    for (;;) {
        p->pos = skip_blanks(p, p->pos);
        if (p->pos >= p->n)
            break;                    /* unclosed: closed at the end */
        char c = p->in[p->pos];
        int w;
        if (c == ')') {
            p->pos++;
            break;
        }
        if (c == ',') {
            size_t comma = p->pos++;
            long d = 0;
            int ndigits = 0;
            p->pos = skip_blanks(p, p->pos);
            while (p->pos < p->n && p->in[p->pos] >= '0' &&
                   p->in[p->pos] <= '9') {
                if (d < NEAR_MAX)
                    d = d * 10 + (p->in[p->pos] - '0');
                ndigits++;
                p->pos++;
            }
            if (!ndigits) {
                fail(p, "expected a number after ',' in NEAR at column %d",
                     column(p, comma));
                return -1;
            }
            p->nodes[t].dist = d > NEAR_MAX ? NEAR_MAX : (int)d;
            p->pos = skip_blanks(p, p->pos);
            if (p->pos < p->n && p->in[p->pos] != ')') {
                fail(p, "expected ')' to close NEAR at column %d",
                     column(p, p->pos));
                return -1;
            }
            if (p->pos < p->n)
                p->pos++;
            break;
        }
        if (c == '(') {
            fail(p, "NEAR takes only words and phrases: unexpected '(' at "
                 "column %d", column(p, p->pos));
            return -1;
        }
        if (quote_len(p->in, p->n, p->pos)) {
            w = parse_phrase(p);
        } else {
            size_t end = word_end(p, p->pos, 1);
            int dist;
            if (operator_at(p, p->pos, end, &dist) != OP_NONE ||
                word_is(p, p->pos, end, "NEAR")) {
                fail(p, "NEAR takes only words and phrases: unexpected "
                     "%.*s at column %d", (int)(end - p->pos),
                     p->in + p->pos, column(p, p->pos));
                return -1;
            }
            w = parse_word(p, end);
        }
        if (w == -1)
            return -1;
        if (w >= 0)
            add_child(p, t, w);
    }
    if (p->nodes[t].first >= 0)
        return t;
    p->nnodes = t;                    /* NEAR() holds nothing */
    return NOTHING;
}

/*
** One term at p->pos: a word, "phrase", (group), NEAR(...), optionally
** after title:, or a path: filter (collected; NOTHING). `sign` is the '-'
** or '+' already read, or 0. Returns a node, NOTHING or -1 (error).
*/
static int parse_term(parser *p, int depth, int sign, size_t sign_off)
{
    size_t end = word_end(p, p->pos, 0);
    int is_title = 0, t;
    size_t wlen = end - p->pos;
    int then_open = end < p->n &&
                    (quote_len(p->in, p->n, end) || p->in[end] == '(');

    if (wlen >= 6 && cmp_ci(p->in + p->pos, 6, "title:", 6) == 0 &&
        (wlen > 6 || then_open)) {
        is_title = 1;
        p->pos += 6;
        end = word_end(p, p->pos, 0);
    } else if (wlen >= 5 && cmp_ci(p->in + p->pos, 5, "path:", 5) == 0 &&
               (wlen > 5 || (end < p->n && quote_len(p->in, p->n, end)))) {
        size_t start, len;
        if (sign == '-') {
            fail(p, "a path: filter cannot be excluded (column %d)",
                 column(p, sign_off));
            return -1;
        }
        p->pos += 5;
        if (wlen == 5) {
            scan_quoted(p, &start, &len);
        } else {
            start = p->pos;
            len = end - start;
            p->pos = end;
        }
        if (len == 0)
            return NOTHING;
        if (count_word(p))
            return -1;
        if (room_for((void **)&p->paths, &p->cappaths, p->npaths,
                     sizeof(char *)) != SQLITE_OK) {
            p->rc = FSEARCH_ENOMEM;
            return -1;
        }
        /* A quoted glob keeps "" as one '"', as in phrases. */
        char *g = fs_malloc(len + 1);
        if (!g) {
            p->rc = FSEARCH_ENOMEM;
            return -1;
        }
        size_t k = 0;
        for (size_t i = 0; i < len; i++) {
            g[k++] = p->in[start + i];
            if (p->in[start + i] == '"')
                i++;
        }
        g[k] = '\0';
        p->paths[p->npaths++] = g;
        return NOTHING;
    }

    if (p->pos >= p->n) {
        t = NOTHING;
    } else if (p->in[p->pos] == '(') {
        if (depth + 1 > MAX_DEPTH) {
            fail(p, "too deeply nested: more than %d parentheses at column "
                 "%d", MAX_DEPTH, column(p, p->pos));
            return -1;
        }
        size_t open = p->pos++;
        t = parse_seq(p, depth + 1, open);
        if (t >= 0 && p->nodes[t].first < 0) {
            p->nnodes = t;            /* () holds nothing: reuse its node */
            t = NOTHING;
        }
    } else if (quote_len(p->in, p->n, p->pos)) {
        t = parse_phrase(p);
    } else if (word_is(p, p->pos, end, "NEAR") && end < p->n &&
               p->in[end] == '(') {
        t = parse_near(p);
    } else {
        t = parse_word(p, end);
    }
    if (t >= 0) {
        if (is_title)
            p->nodes[t].flags |= F_TITLE;
        if (sign == '-')
            p->nodes[t].flags |= F_NEG;
        else if (sign == '+')
            p->nodes[t].flags |= F_REQUIRED;
    }
    return t;
}

/* May this term be an operand of an infix NEAR? */
static int nearable(const parser *p, int t)
{
    const qnode *q = &p->nodes[t];
    return (q->kind == N_WORD || q->kind == N_NEAR) && !(q->flags & F_TITLE);
}

/* Make `cur` an OR/NEAR node of kind `kind` (if it is not) and add `t`. */
static int merge(parser *p, int kind, int cur, int t)
{
    if (p->nodes[cur].kind != kind) {
        int m = new_node(p, kind, p->nodes[cur].off);
        if (m < 0)
            return -1;
        p->nodes[m].flags = p->nodes[cur].flags & F_REQUIRED;
        p->nodes[m].dist = 0;
        add_child(p, m, cur);
        cur = m;
    }
    p->nodes[cur].flags |= p->nodes[t].flags & F_REQUIRED;
    if (kind == N_NEAR && p->nodes[t].kind == N_NEAR) {
        /* NEAR(a b) NEAR c: one NEAR of all the phrases. */
        int c = p->nodes[t].first;
        while (c >= 0) {
            int next = p->nodes[c].next;
            add_child(p, cur, c);
            c = next;
        }
    } else {
        add_child(p, cur, t);
    }
    return cur;
}

/*
** Terms up to the end or (when open_off is not SIZE_MAX) the ')' closing
** the '(' at open_off. Returns the N_SEQ node or -1.
*/
static int parse_seq(parser *p, int depth, size_t open_off)
{
    int seq = new_node(p, N_SEQ, open_off == (size_t)-1 ? 0 : open_off);
    int cur = -1, npos = 0, op = OP_NONE, near_dist = NEAR_DEFAULT;
    int pend_not = 0;
    size_t not_off = 0;
    if (seq < 0)
        return -1;
    for (;;) {
        p->pos = skip_blanks(p, p->pos);
        if (p->pos >= p->n)
            break;                    /* unclosed '(' closes here */
        int c = (unsigned char)p->in[p->pos];
        if (c == ')') {
            if (open_off == (size_t)-1) {
                fail(p, "unmatched ')' at column %d", column(p, p->pos));
                return -1;
            }
            p->pos++;
            break;
        }
        if (!is_delim(c)) {
            size_t end = word_end(p, p->pos, 0);
            int dist = NEAR_DEFAULT;
            int o = operator_at(p, p->pos, end, &dist);
            if (o == OP_BAD) {
                fail(p, "expected a number after NEAR/ at column %d",
                     column(p, p->pos + 4));
                return -1;
            }
            if (o == OP_NOT) {
                if (!pend_not)
                    not_off = p->pos;
                pend_not = 1;
            } else if (o != OP_NONE) {
                op = o;
                near_dist = dist;
            }
            if (o != OP_NONE) {
                p->pos = end;
                continue;
            }
        }

        /* A '-' or '+' starting a term, before a word, quote or '('. */
        int sign = 0;
        size_t sign_off = p->pos;
        if ((c == '-' || c == '+') && p->pos + 1 < p->n &&
            (p->pos == 0 || blank_before(p, p->pos) ||
             p->in[p->pos - 1] == '(')) {
            int d = (unsigned char)p->in[p->pos + 1];
            if (d != c && d != ')' && !blank_len(p->in, p->n, p->pos + 1)) {
                sign = c;
                p->pos++;
            }
        }
        int t = parse_term(p, depth, sign, sign_off);
        if (t == -1 || p->rc != FSEARCH_OK)
            return -1;
        if (t == NOTHING)
            continue;                 /* pending operators wait for a term */

        /* Only a free word is split: not an operand of OR or NEAR, not
        ** quoted, a prefix, a title: word, required or excluded. */
        int part[MAX_PARTS], nparts = 1;
        part[0] = t;
        if (p->nodes[t].kind == N_WORD && !sign && !pend_not &&
            !(p->nodes[t].flags & (F_QUOTED | F_PREFIX | F_TITLE)) &&
            op != OP_OR && op != OP_NEAR && !joined_to_next(p))
            nparts = split_word(p, t, part);
        if (nparts < 0)
            return -1;
        for (int k = 0; k < nparts; k++) {
            t = part[k];
            qnode *q = &p->nodes[t];
            if (pend_not || (q->flags & F_NEG)) {
                q->flags |= F_NEG;
                q->flags &= ~F_REQUIRED;
                if (cur >= 0) {
                    add_child(p, seq, cur);
                    npos++;
                }
                add_child(p, seq, t);
                cur = -1;
                pend_not = 0;
            } else if (op == OP_OR && cur >= 0) {
                cur = merge(p, N_OR, cur, t);
            } else if (op == OP_NEAR && cur >= 0 && nearable(p, cur) &&
                       nearable(p, t)) {
                cur = merge(p, N_NEAR, cur, t);
                if (cur >= 0 && p->nodes[cur].dist < near_dist)
                    p->nodes[cur].dist = near_dist;
            } else {
                if (op == OP_AND && (cur >= 0 || npos > 0))
                    p->nodes[seq].flags |= F_HARD;
                if (cur >= 0) {
                    add_child(p, seq, cur);
                    npos++;
                }
                cur = t;
            }
            if (cur == -1 && p->rc != FSEARCH_OK)
                return -1;
            op = OP_NONE;
        }
    }
    if (pend_not) {
        fail(p, "nothing to exclude after NOT at column %d",
             column(p, not_off));
        return -1;
    }
    if (cur >= 0)
        add_child(p, seq, cur);
    return seq;
}

/* ====================================================================== */
/* Analysis: stop words, empty terms, exclusions                           */

enum {
    C_NEG = 0x1,              /* inside an exclusion */
    C_KEEP = 0x2              /* stop words kept: the query has only them */
};

static int analyze(parser *p, int id, int seq, int ctx, int keep);

/*
** What a query without content words means. Kind of the positive words
** under `id`: 2 none, 1 only bare stop words (at least one), 0 some other
** word (a term kept whatever it holds: a NEAR, or in a list with AND).
*/
static int stop_only(const parser *p, int id)
{
    const qnode *q = &p->nodes[id];
    int k = 2;
    switch (q->kind) {
    case N_WORD:
        if ((q->flags & (F_QUOTED | F_PREFIX | F_TITLE | F_REQUIRED)) ||
            !fs_query_is_stop_word(p->in + q->off, q->len))
            return 0;
        return 1;
    case N_NEAR:
        return 0;
    default:
        for (int it = q->first; it >= 0; it = p->nodes[it].next) {
            if (p->nodes[it].flags & F_NEG)
                continue;
            int c = stop_only(p, it);
            if (c < k)
                k = c;
        }
        /* AND and + keep what they join. */
        if (k == 1 && ((q->flags & (F_HARD | F_REQUIRED)) != 0))
            return 0;
        return k;
    }
}

/*
** Can the analyzed list s be said as one phrase of its words, in order:
** a list without AND whose positive terms are bare words, or lists of the
** same kind without exclusions or title: of their own? "to be or not to
** be", "the (who)"; not "a OR the", whose alternatives stay apart.
*/
static int says_phrase(const parser *p, int s, int top)
{
    const qnode *q = &p->nodes[s];
    int n = 0;
    if ((q->flags & F_HARD) ||
        (!top && (q->neg_head >= 0 || (q->flags & F_TITLE))))
        return 0;
    for (int it = q->first; it >= 0; it = p->nodes[it].next) {
        const qnode *c = &p->nodes[it];
        if ((c->flags & (F_LIVE | F_NEG)) != F_LIVE)
            continue;
        if (c->flags & F_REQUIRED)
            return 0;
        if (c->kind == N_WORD) {
            if (c->flags & (F_QUOTED | F_PREFIX | F_TITLE))
                return 0;
        } else if (c->kind != N_SEQ || !says_phrase(p, it, 0)) {
            return 0;
        }
        n++;
    }
    return n > 0;
}

static void push_neg(parser *p, int seq, int id)
{
    qnode *s = &p->nodes[seq];
    p->nodes[id].next_neg = -1;
    if (s->neg_tail < 0)
        s->neg_head = id;
    else
        p->nodes[s->neg_tail].next_neg = id;
    s->neg_tail = id;
}

/* Mark live terms of `s`; collect its exclusions. Returns 1 if any live. */
static int analyze_seq(parser *p, int s, int ctx)
{
    int live = 0;
    for (int it = p->nodes[s].first; it >= 0; it = p->nodes[it].next) {
        int fl = p->nodes[it].flags;
        if (fl & F_NEG) {
            if (analyze(p, it, s, ctx | C_NEG, 1))
                push_neg(p, s, it);
        } else {
            int keep = (p->nodes[s].flags & F_HARD) || (fl & F_REQUIRED) ||
                       (ctx & (C_NEG | C_KEEP)) ||
                       (p->qflags & FS_QUERY_KEEP_STOPWORDS);
            if (analyze(p, it, s, ctx, keep))
                live = 1;
        }
    }
    return live;
}

/*
** Decide whether node `id` produces a positive expression. A group with
** only exclusions hands them to `seq`, the list it sits in: "x (-y)" reads
** as "x -y". Stop words not kept are dropped.
*/
static int analyze(parser *p, int id, int seq, int ctx, int keep)
{
    qnode *q = &p->nodes[id];
    int live = 0;
    switch (q->kind) {
    case N_WORD:
        live = (q->flags & (F_QUOTED | F_PREFIX | F_TITLE)) || keep ||
               !fs_query_is_stop_word(p->in + q->off, q->len);
        break;
    case N_NEAR:
        live = q->first >= 0;
        break;
    case N_OR:
        for (int m = q->first; m >= 0; m = p->nodes[m].next)
            if (analyze(p, m, seq, ctx, keep))
                live = 1;
        break;
    case N_SEQ:
        live = analyze_seq(p, id, ctx);
        q = &p->nodes[id];
        if (!live && !(ctx & C_NEG) && q->neg_head >= 0) {
            int n = q->neg_head;
            while (n >= 0) {
                int next = p->nodes[n].next_neg;
                p->nodes[n].flags |= q->flags & F_TITLE;
                push_neg(p, seq, n);
                n = next;
            }
            q->neg_head = q->neg_tail = -1;
        }
        if (live && (ctx & C_KEEP) && says_phrase(p, id, 1))
            p->nodes[id].flags |= F_PHRASE;
        break;
    }
    if (live)
        p->nodes[id].flags |= F_LIVE;
    return live;
}

/* ====================================================================== */
/* Emission                                                                */

static int is_live_pos(const qnode *q)
{
    return (q->flags & (F_LIVE | F_NEG)) == F_LIVE;
}

/* Add the words of text[0..n) (raw: "" is one '"') to the suggestions. */
static void add_terms(parser *p, const char *text, size_t n, int raw)
{
    size_t i = 0;
    while (i < n && p->rc == FSEARCH_OK && p->nterms < MAX_TERMS) {
        size_t b;
        while (i < n && (b = blank_len(text, n, i)) > 0)
            i += b;
        size_t start = i;
        while (i < n && !blank_len(text, n, i))
            i++;
        if (i == start || !has_word_char(text + start, i - start))
            continue;
        char *w = fs_malloc(i - start + 1);
        if (!w) {
            p->rc = FSEARCH_ENOMEM;
            return;
        }
        size_t k = 0;
        for (size_t j = start; j < i; j++) {
            w[k++] = (char)lower((unsigned char)text[j]);
            if (raw && text[j] == '"' && j + 1 < i && text[j + 1] == '"')
                j++;
        }
        w[k] = '\0';
        int dup = 0;
        for (int t = 0; t < p->nterms && !dup; t++)
            dup = strcmp(p->terms[t], w) == 0;
        if (dup) {
            fs_free(w);
            continue;
        }
        if (room_for((void **)&p->terms, &p->capterms, p->nterms,
                     sizeof(char *)) != SQLITE_OK) {
            fs_free(w);
            p->rc = FSEARCH_ENOMEM;
            return;
        }
        p->terms[p->nterms++] = w;
    }
}

/*
** Emit text[0..n) as one FTS5 string, '"' doubled (raw: the text already
** has "" for each '"'). `typed`: the user typed it, so it is a suggestion
** word when positive.
*/
static void emit_lit(parser *p, const char *text, size_t n, int raw,
                     int prefix, int typed)
{
    if (p->rc != FSEARCH_OK)
        return;
    if (p->nphrases >= MAX_PHRASES) {
        fail(p, "query too long: more than %d words", MAX_PHRASES);
        return;
    }
    if (room_for((void **)&p->groups, &p->capgroups, p->nphrases,
                 sizeof(int)) != SQLITE_OK) {
        p->rc = FSEARCH_ENOMEM;
        return;
    }
    p->groups[p->nphrases++] = p->cur_group;

    fs_buf_reserve(&p->rc, &p->out, 2 * n + 4);
    fs_buf_putc(&p->rc, &p->out, '"');
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && text[j] != '"')
            j++;
        fs_buf_append(&p->rc, &p->out, text + i, j - i);
        if (j < n) {
            fs_buf_append(&p->rc, &p->out, "\"\"", 2);
            j += (raw && j + 1 < n && text[j + 1] == '"') ? 2 : 1;
        }
        i = j;
    }
    fs_buf_puts(&p->rc, &p->out, prefix ? "\" *" : "\"");
    if (typed && !prefix && p->cur_group >= 0)
        add_terms(p, text, n, raw);
}

/*
** FTS5 parses the expression with a fixed stack of 100 entries, and a
** '(' costs up to five of them: `expr OR title : (`. Every '(' we emit is
** charged here (a NEAR's own '(' fits in the reserve), so an expression
** FTS5 would reject with "parser stack overflow" is refused up front.
*/
static void open_paren(parser *p)
{
    const char *o = p->out.p;
    size_t n = p->out.n;
    int cost = 1;
    if (n >= 3 && memcmp(o + n - 3, " : ", 3) == 0) {
        cost += 2;                    /* colset COLON */
        n = n >= 8 ? n - 8 : 0;       /* before "title : " */
    }
    if ((n >= 4 && memcmp(o + n - 4, " OR ", 4) == 0) ||
        (n >= 5 && (memcmp(o + n - 5, " AND ", 5) == 0 ||
                    memcmp(o + n - 5, " NOT ", 5) == 0)))
        cost += 2;                    /* expr OP */
    if (p->nopen >= FTS5_MAX_OPEN ||
        p->stack_cost + cost > FTS5_STACK_BUDGET) {
        fail(p, "query too complex: parentheses nested too deeply");
        return;
    }
    p->open_cost[p->nopen++] = cost;
    p->stack_cost += cost;
    fs_buf_putc(&p->rc, &p->out, '(');
}

static void close_paren(parser *p)
{
    if (p->nopen > 0)
        p->stack_cost -= p->open_cost[--p->nopen];
    fs_buf_putc(&p->rc, &p->out, ')');
}

/* A word or phrase, with its synonyms when it is a bare word. The parts
** of a hyphenated word are suggestion words only as the word typed. */
static void emit_word(parser *p, const qnode *q)
{
    const char *s = p->in + q->off;
    int g = -1, typed = !(q->flags & F_PART);
    if (q->whole_len && p->cur_group >= 0)
        add_terms(p, s, q->whole_len, 0);
    if (!(q->flags & (F_QUOTED | F_PREFIX)) && p->syn)
        g = syn_lookup(p->syn, s, q->len);
    if (g < 0 || p->syn->group_first[g + 1] - p->syn->group_first[g] < 2) {
        emit_lit(p, s, q->len, q->flags & F_QUOTED, q->flags & F_PREFIX,
                 typed);
        return;
    }
    open_paren(p);
    emit_lit(p, s, q->len, 0, 0, typed);
    for (int m = p->syn->group_first[g]; m < p->syn->group_first[g + 1];
         m++) {
        const syn_word *w = &p->syn->words[p->syn->members[m]];
        if (cmp_ci(w->s, (size_t)w->len, s, q->len) == 0)
            continue;
        fs_buf_puts(&p->rc, &p->out, " OR ");
        emit_lit(p, w->s, (size_t)w->len, 0, 0, 0);
    }
    close_paren(p);
}

/* How a list's positive terms are joined: a bit set of J_OR, J_AND (both
** for a single term), or J_NONE when it mixes them or excludes something. */
enum { J_NONE = 0, J_OR = 1, J_AND = 2 };

static int seq_join(const parser *p, int s)
{
    int npos = 0, nreq = 0;
    if (p->nodes[s].neg_head >= 0)
        return J_NONE;
    for (int it = p->nodes[s].first; it >= 0; it = p->nodes[it].next) {
        const qnode *q = &p->nodes[it];
        if (is_live_pos(q)) {
            npos++;
            nreq += (q->flags & F_REQUIRED) != 0;
        }
    }
    if (npos == 1)
        return J_OR | J_AND;
    if ((p->nodes[s].flags & F_HARD) || nreq == npos)
        return J_AND;
    return nreq == 0 ? J_OR : J_NONE;
}

static void emit_seq(parser *p, int s, int in_title, int atom);
static void emit_item(parser *p, int id, int in_title);
static void emit_terms(parser *p, int s, int in_title, int req, int join,
                       int *count);

/*
** Emit `id` as one operand of a list joined by `join` (J_OR or J_AND),
** after *count operands. A list of the same kind inside it is spliced in
** without parentheses: "a (b (c d))" is "a" OR "b" OR "c" OR "d", which
** keeps FTS5's parser stack shallow.
*/
static void emit_operand(parser *p, int id, int in_title, int join,
                         int *count)
{
    const qnode *q = &p->nodes[id];
    if (q->kind == N_SEQ && !((q->flags & F_TITLE) && !in_title) &&
        !(q->flags & F_PHRASE) && (seq_join(p, id) & join)) {
        emit_terms(p, id, in_title, -1, join, count);
        return;
    }
    if ((*count)++)
        fs_buf_puts(&p->rc, &p->out, join == J_OR ? " OR " : " AND ");
    emit_item(p, id, in_title);
}

/* Emit one term so that it is an operand of AND/OR/NOT as it stands. */
static void emit_item(parser *p, int id, int in_title)
{
    const qnode *q = &p->nodes[id];
    if (p->rc != FSEARCH_OK)
        return;
    if ((q->flags & F_TITLE) && !in_title) {
        fs_buf_puts(&p->rc, &p->out, "title : ");
        in_title = 1;
    }
    switch (q->kind) {
    case N_WORD:
        emit_word(p, q);
        break;
    case N_NEAR: {
        int c = q->first;
        if (p->nodes[c].next < 0) {
            const qnode *w = &p->nodes[c];
            emit_lit(p, p->in + w->off, w->len, w->flags & F_QUOTED,
                     w->flags & F_PREFIX, 1);
            break;
        }
        fs_buf_puts(&p->rc, &p->out, "NEAR(");
        for (; c >= 0; c = p->nodes[c].next) {
            const qnode *w = &p->nodes[c];
            emit_lit(p, p->in + w->off, w->len, w->flags & F_QUOTED,
                     w->flags & F_PREFIX, 1);
            fs_buf_putc(&p->rc, &p->out, p->nodes[c].next >= 0 ? ' ' : ',');
        }
        fs_buf_printf(&p->rc, &p->out, " %d)", q->dist);
        break;
    }
    case N_OR: {
        int nlive = 0, count = 0;
        for (int m = q->first; m >= 0; m = p->nodes[m].next)
            nlive += (p->nodes[m].flags & F_LIVE) != 0;
        if (nlive > 1)
            open_paren(p);
        for (int m = q->first; m >= 0; m = p->nodes[m].next) {
            if (!(p->nodes[m].flags & F_LIVE))
                continue;
            if (nlive > 1) {
                emit_operand(p, m, in_title, J_OR, &count);
            } else {
                emit_item(p, m, in_title);
            }
        }
        if (nlive > 1)
            close_paren(p);
        break;
    }
    case N_SEQ:
        emit_seq(p, id, in_title, 1);
        break;
    }
}

/* Emit the live positive terms of s whose F_REQUIRED bit is `req` (all
** when req < 0) as operands of a `join` list. */
static void emit_terms(parser *p, int s, int in_title, int req, int join,
                       int *count)
{
    for (int it = p->nodes[s].first; it >= 0; it = p->nodes[it].next) {
        const qnode *q = &p->nodes[it];
        if (!is_live_pos(q))
            continue;
        if (req >= 0 && ((q->flags & F_REQUIRED) != 0) != req)
            continue;
        if (s == p->group_level)
            p->cur_group = q->group;
        emit_operand(p, it, in_title, join, count);
    }
}

/* How many operands emit_terms() will write, splicing included. */
static int operand_count(const parser *p, int s, int in_title, int join)
{
    int n = 0;
    for (int it = p->nodes[s].first; it >= 0; it = p->nodes[it].next) {
        const qnode *q = &p->nodes[it];
        if (!is_live_pos(q))
            continue;
        if (q->kind == N_SEQ && !((q->flags & F_TITLE) && !in_title) &&
            !(q->flags & F_PHRASE) && (seq_join(p, it) & join))
            n += operand_count(p, it, in_title, join);
        else
            n++;
    }
    return n;
}

/* Append the words of the phrase list s (says_phrase), blank-separated. */
static void phrase_words(parser *p, int s, fs_buf *b)
{
    for (int it = p->nodes[s].first; it >= 0; it = p->nodes[it].next) {
        const qnode *q = &p->nodes[it];
        if (!is_live_pos(q))
            continue;
        if (q->kind == N_SEQ) {
            phrase_words(p, it, b);
            continue;
        }
        if (b->n)
            fs_buf_putc(&p->rc, b, ' ');
        fs_buf_append(&p->rc, b, p->in + q->off, q->len);
    }
}

/*
** A list of terms: soft terms joined by OR, required ones by AND, then
** `NOT (exclusions)`. `atom`: wrap in parentheses if it is not one operand.
*/
static void emit_seq(parser *p, int s, int in_title, int atom)
{
    int npos = 0, nreq = 0, nneg = 0, count = 0, join;
    int is_phrase = (p->nodes[s].flags & F_PHRASE) != 0;
    for (int it = p->nodes[s].first; it >= 0; it = p->nodes[it].next) {
        const qnode *q = &p->nodes[it];
        if (is_live_pos(q)) {
            npos++;
            nreq += (q->flags & F_REQUIRED) != 0;
        }
    }
    for (int n = p->nodes[s].neg_head; n >= 0; n = p->nodes[n].next_neg)
        nneg++;
    join = ((p->nodes[s].flags & F_HARD) || nreq == npos) ? J_AND :
           nreq == 0 ? J_OR : J_NONE;
    /* Spliced lists make more operands than terms: count what is written. */
    if (is_phrase)
        npos = 1;
    else if (join != J_NONE)
        npos = operand_count(p, s, in_title, join);
    int composite = npos > 1 || nneg > 0;
    if (atom && composite)
        open_paren(p);
    if (nneg && npos > 1)
        open_paren(p);

    if (is_phrase) {
        fs_buf words = FS_BUF_INIT;
        phrase_words(p, s, &words);
        emit_lit(p, words.p ? words.p : "", words.n, 0, 0, 1);
        fs_buf_free(&words);
    } else if (join != J_NONE) {
        emit_terms(p, s, in_title, -1, join, &count);
    } else {
        /* R1 AND R2 AND (S1 OR S2 OR R1): the soft terms stay in the
        ** expression for the ranking without widening the match. */
        emit_terms(p, s, in_title, 1, J_AND, &count);
        fs_buf_puts(&p->rc, &p->out, " AND ");
        open_paren(p);
        count = 0;
        emit_terms(p, s, in_title, 0, J_OR, &count);
        fs_buf_puts(&p->rc, &p->out, " OR ");
        for (int it = p->nodes[s].first; it >= 0; it = p->nodes[it].next) {
            const qnode *q = &p->nodes[it];
            if (is_live_pos(q) && (q->flags & F_REQUIRED)) {
                if (s == p->group_level)
                    p->cur_group = q->group;
                emit_item(p, it, in_title);
                break;
            }
        }
        close_paren(p);
    }

    if (nneg && npos > 1)
        close_paren(p);
    if (nneg) {
        int saved = p->cur_group;
        count = 0;
        p->cur_group = -1;
        fs_buf_puts(&p->rc, &p->out, " NOT ");
        if (nneg > 1) {
            open_paren(p);
            for (int n = p->nodes[s].neg_head; n >= 0;
                 n = p->nodes[n].next_neg)
                emit_operand(p, n, in_title, J_OR, &count);
            close_paren(p);
        } else {
            emit_item(p, p->nodes[s].neg_head, in_title);
        }
        p->cur_group = saved;
    }
    if (atom && composite)
        close_paren(p);
}

/* Number the top-level terms; returns the number of groups. */
static int assign_groups(parser *p, int *is_strict)
{
    int gl = 0, ngroups = 0, nreq = 0;
    if (p->nodes[0].flags & F_PHRASE) {
        p->group_level = -1;
        *is_strict = 1;
        return 1;
    }
    /* "(a b c)" alone: its terms are the groups. */
    for (;;) {
        int npos = 0, only = -1;
        for (int it = p->nodes[gl].first; it >= 0; it = p->nodes[it].next)
            if (is_live_pos(&p->nodes[it])) {
                npos++;
                only = it;
            }
        if (npos != 1 || p->nodes[only].kind != N_SEQ ||
            (p->nodes[only].flags & F_PHRASE))
            break;
        gl = only;
    }
    p->group_level = gl;
    for (int it = p->nodes[gl].first; it >= 0; it = p->nodes[it].next) {
        qnode *q = &p->nodes[it];
        if (is_live_pos(q)) {
            q->group = ngroups++;
            nreq += (q->flags & F_REQUIRED) != 0;
        }
    }
    *is_strict = ngroups <= 1 || (p->nodes[gl].flags & F_HARD) ||
                 nreq == ngroups;
    return ngroups;
}

/* ====================================================================== */
/* Entry points                                                            */

void fs_query_free(fs_query *q)
{
    if (!q)
        return;
    fs_free(q->match);
    fs_free(q->phrase_group);
    fs_free(q->phrase_weight);
    for (int i = 0; i < q->npaths; i++)
        fs_free(q->paths[i]);
    fs_free(q->paths);
    for (int i = 0; i < q->nterms; i++)
        fs_free(q->terms[i]);
    fs_free(q->terms);
    fs_free(q);
}

/* Why a query with no positive term cannot be searched. */
static void fail_nothing(parser *p)
{
    if (p->nodes[0].neg_head >= 0)
        fail(p, "nothing to search for: the query only excludes words");
    else if (p->npaths > 0)
        fail(p, "nothing to search for: the query has only path: filters");
    else
        fail(p, "the query has no words to search for");
}

int fs_query_parse(fs_query **out, const char *input, int flags,
                   const fs_synonyms *syn, char *err, size_t nerr)
{
    parser p;
    fs_query *q = NULL;
    int ngroups = 0, is_strict = 0, only_stop;

    assert(out && input);
    *out = NULL;
    if (err && nerr)
        err[0] = '\0';
    memset(&p, 0, sizeof p);
    p.in = input;
    p.n = strlen(input);
    p.qflags = flags;
    p.syn = syn;
    p.err = err;
    p.nerr = nerr;
    p.group_level = -1;

    if (skip_blanks(&p, 0) == p.n) {
        fail(&p, "empty query");
        goto done;
    }
    if (parse_seq(&p, 0, (size_t)-1) != 0 || p.rc != FSEARCH_OK)
        goto done;
    /* Stop words only ("to be or not to be", "a OR the"): keep them all,
    ** each soft list of bare words as one phrase. */
    only_stop = !(flags & FS_QUERY_KEEP_STOPWORDS) && stop_only(&p, 0) == 1;
    if (!analyze_seq(&p, 0, only_stop ? C_KEEP : 0))
        fail_nothing(&p);
    else if (only_stop && says_phrase(&p, 0, 1))
        p.nodes[0].flags |= F_PHRASE;
    if (p.rc != FSEARCH_OK)
        goto done;
    ngroups = assign_groups(&p, &is_strict);
    p.cur_group = 0;
    emit_seq(&p, 0, 0, 0);
    if (p.rc != FSEARCH_OK)
        goto done;

    q = fs_calloc(sizeof *q);
    if (!q) {
        p.rc = FSEARCH_ENOMEM;
        goto done;
    }
    q->match = fs_buf_take(&p.rc, &p.out);
    q->phrase_group = p.groups;
    q->nphrases = p.nphrases;
    q->ngroups = ngroups;
    q->paths = p.paths;
    q->npaths = p.npaths;
    q->terms = p.terms;
    q->nterms = p.nterms;
    q->is_strict = is_strict;
    p.groups = NULL;
    p.paths = NULL;
    p.npaths = 0;
    p.terms = NULL;
    p.nterms = 0;
    if (!q->match) {
        fs_query_free(q);
        q = NULL;
        p.rc = FSEARCH_ENOMEM;
    }

done:
    fs_free(p.nodes);
    fs_buf_free(&p.out);
    fs_free(p.groups);
    for (int k = 0; k < p.npaths; k++)
        fs_free(p.paths[k]);
    fs_free(p.paths);
    for (int k = 0; k < p.nterms; k++)
        fs_free(p.terms[k]);
    fs_free(p.terms);
    if (p.rc == FSEARCH_ENOMEM && err && nerr)
        snprintf(err, nerr, "out of memory");
    if (p.rc == FSEARCH_OK)
        *out = q;
    return p.rc;
}

void fs_query_rank_groups(int *rc, fs_buf *out, const fs_query *q)
{
    for (int i = 0; i < q->nphrases; i++) {
        fs_buf_printf(rc, out, "%s%d", i ? " " : "", q->phrase_group[i]);
        if (q->phrase_weight)
            fs_buf_printf(rc, out, ":%.4f", q->phrase_weight[i]);
    }
    fs_buf_putc(rc, out, '\0');
    if (*rc == FSEARCH_OK)
        out->n--;
}

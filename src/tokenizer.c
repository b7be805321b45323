/*
** tokenizer.c - cut text into words, fold them and stem them, without SQLite.
**
** Words are runs of Unicode letters, numbers and marks (apostrophes join two
** of them); scripts written without spaces give one token per character.
** Each word is folded (NFKC, case fold, accents stripped) with utf8proc and
** stemmed with Snowball, while offsets keep pointing into the original text.
*/
#include "tokenizer.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <libstemmer.h>
#include <utf8proc.h>

#include "alloc.h"
#include "fsearch.h"

/* Character classes, as the scanner sees them. */
enum {
    CLS_SEP = 0,    /* anything that ends a word (also invalid bytes) */
    CLS_WORD,       /* letter or number of a script written with spaces */
    CLS_MARK,       /* combining mark: stays in the word or cluster */
    CLS_APOS,       /* apostrophe: joins only between two word characters */
    CLS_SOLO        /* letter of a script without spaces: a token alone */
};

/* Folded tokens at most this long (bytes) are stemmed; longer ones are
** names, hashes or junk that stemming would not help. */
#define STEM_MAX_BYTES 64

/* Only this many bytes of a word's characters other than combining marks
** are folded. The margin over the token size absorbs expansion. Marks do
** not count: folding strips them, and a word written under hundreds of
** them ("Zalgo" text) would otherwise fold to a few letters or to nothing.
** FOLD_MAX_MARKED bounds the bytes folded in all, marks included, and
** with it the fold buffer (4 bytes a code point). */
#define FOLD_MAX_INPUT (8 * FS_TOKEN_MAX_BYTES)
#define FOLD_MAX_MARKED (64 * 1024)

/* Words: NFKC + case fold + no accents. Decompose does the work of COMPAT,
** CASEFOLD and STRIPMARK, and needs COMPOSE (or DECOMPOSE) to split composed
** characters and order marks; reencode reads only COMPOSE, to recompose.
** Both get the same set, as in utf8proc_map(). */
#define WORD_FOLD (UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | \
                   UTF8PROC_STRIPMARK)

/* Characters of scripts without spaces keep their marks: there they are
** vowels, tones or kana voicing (ka/ga), not accents. */
#define SOLO_FOLD (UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD)

/* Snowball costs several times more than the rest of tokenizing, and text
** repeats its words (Zipf), so each tokenizer keeps the stems of recent
** words in a two-way set-associative cache: on English text about 98% of
** the words hit. Words longer than CACHE_WORD_BYTES, which are rare, go to
** the stemmer every time. */
#define CACHE_SLOTS 8192            /* a power of two; 256 KB */
#define CACHE_WORD_BYTES 15         /* makes a slot 32 bytes */
/* A query or a few highlights stem some hundred words: a cache of 8 KB
** serves them, where zeroing 256 KB would cost a tenth of the search.
** Texts get the whole cache after CACHE_GROW stems. */
#define CACHE_FIRST 256             /* slots at first; a power of two */
#define CACHE_GROW 4096

typedef struct stem_slot {
    unsigned char nword;            /* bytes of word; 0: empty slot */
    unsigned char nstem;            /* bytes of stem */
    char word[CACHE_WORD_BYTES];    /* folded word, as given to Snowball */
    char stem[CACHE_WORD_BYTES];    /* what Snowball made of it */
} stem_slot;

struct fs_tokenizer {
    struct sb_stemmer *stemmer;     /* NULL for "none" */
    stem_slot *cache;               /* nslots; NULL without stemmer */
    unsigned nslots;                /* CACHE_FIRST, then CACHE_SLOTS */
    unsigned nstems;                /* stems made, up to CACHE_GROW */
    utf8proc_int32_t *fold;         /* code points, then UTF-8 in place */
    size_t nfold;                   /* capacity of fold, in code points */
    unsigned char ascii[128];       /* CLS_* of each ASCII byte */
    char lower[FS_TOKEN_MAX_BYTES]; /* ASCII word being lower-cased */
};

/* ====================================================================== */
/* Classifying characters                                                  */

static int is_apostrophe(utf8proc_int32_t cp)
{
    return cp == 0x27 || cp == 0x2019 || cp == 0x02BC;
}

/* Scripts written without spaces between words: with no dictionary to cut
** them, one token per character still lets a phrase query find the text. */
static int is_solo(utf8proc_int32_t cp)
{
    if (cp < 0x0E00)
        return 0;
    return (cp >= 0x0E00 && cp <= 0x0EFF)       /* Thai, Lao */
        || (cp >= 0x1000 && cp <= 0x109F)       /* Myanmar */
        || (cp >= 0x1780 && cp <= 0x17FF)       /* Khmer */
        || (cp >= 0x3040 && cp <= 0x30FF)       /* Hiragana, Katakana */
        || (cp >= 0x31F0 && cp <= 0x31FF)       /* Katakana extensions */
        || (cp >= 0x3400 && cp <= 0x4DBF)       /* Han extension A */
        || (cp >= 0x4E00 && cp <= 0x9FFF)       /* Han */
        || (cp >= 0xF900 && cp <= 0xFAFF)       /* Han compatibility */
        || (cp >= 0xFF66 && cp <= 0xFF9F)       /* half-width Katakana */
        || (cp >= 0x20000 && cp <= 0x2FFFF);    /* Han, planes 2 */
}

static int category_class(utf8proc_int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return CLS_WORD;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return CLS_MARK;
    default:
        return CLS_SEP;
    }
}

/*
** Class of the character at s[i] (i < n), a non-ASCII byte. Sets *len to its
** size in bytes and *cp to the code point. An invalid sequence is a
** separator one byte long, so the scan resumes at the very next byte and a
** word right after a bad byte is not lost.
*/
static int classify_utf8(const unsigned char *s, int n, int i, int *len,
                         utf8proc_int32_t *cp)
{
    utf8proc_ssize_t k = utf8proc_iterate(s + i, n - i, cp);
    int cls;

    if (k <= 0) {
        *len = 1;
        *cp = -1;
        return CLS_SEP;
    }
    *len = (int)k;
    if (is_apostrophe(*cp))
        return CLS_APOS;
    cls = category_class(*cp);
    if (cls == CLS_WORD && is_solo(*cp))
        return CLS_SOLO;
    return cls;
}

/* Class of any character at s[i]; the ASCII case costs a table lookup. */
static int classify(const fs_tokenizer *t, const unsigned char *s, int n,
                    int i, int *len, utf8proc_int32_t *cp)
{
    if (s[i] < 0x80) {
        *len = 1;
        *cp = s[i];
        return t->ascii[s[i]];
    }
    return classify_utf8(s, n, i, len, cp);
}

/* ====================================================================== */
/* Finding where words end                                                 */

/*
** End (exclusive byte offset) of the word that starts at s[i] with a word
** character or a mark.
*/
static int word_end(const fs_tokenizer *t, const unsigned char *s, int n,
                    int i)
{
    while (i < n) {
        utf8proc_int32_t cp;
        int len, cls, next, j;

        cls = classify(t, s, n, i, &len, &cp);
        if (cls == CLS_WORD || cls == CLS_MARK) {
            i += len;
            continue;
        }
        if (cls != CLS_APOS)
            break;
        /* An apostrophe at the edge of a word is quoting, not spelling. */
        j = i + len;
        if (j >= n)
            break;
        next = classify(t, s, n, j, &len, &cp);
        if (next != CLS_WORD && next != CLS_MARK)
            break;
        i = j;
    }
    return i;
}

/*
** The fast path for the common case, an all-ASCII word starting at s[i]:
** scan and lower-case it in one pass into t->lower (cut at
** FS_TOKEN_MAX_BYTES; NFKC leaves ASCII alone and case folding is
** lowercasing, so utf8proc would give the same). Returns the word's end and
** sets *ntoken, or returns -1 when a non-ASCII word character or apostrophe
** touches the word, which is then left to word_end() and fold().
*/
static int ascii_word(fs_tokenizer *t, const unsigned char *s, int n, int i,
                      int *ntoken)
{
    int k = 0;

    while (i < n) {
        unsigned int c = s[i];
        int cls;

        if (c >= 0x80) {
            utf8proc_int32_t cp;
            int len;

            cls = classify_utf8(s, n, i, &len, &cp);
            if (cls == CLS_SEP || cls == CLS_SOLO)
                break;
            return -1;
        }
        cls = t->ascii[c];
        if (cls == CLS_APOS) {
            if (i + 1 >= n || s[i + 1] >= 0x80) {
                if (i + 1 < n)
                    return -1;
                break;
            }
            if (t->ascii[s[i + 1]] != CLS_WORD)
                break;
        } else if (cls != CLS_WORD) {
            break;
        }
        if (k < FS_TOKEN_MAX_BYTES)
            t->lower[k++] = (char)(c - 'A' < 26u ? c + ('a' - 'A') : c);
        i++;
    }
    *ntoken = k;
    return i;
}

/*
** End of the cluster that starts with the solo character at s[i]: the
** character plus the marks that follow it. Half-width voicing marks count
** as marks so that half-width kana fold like full-width ones.
*/
static int cluster_end(const fs_tokenizer *t, const unsigned char *s, int n,
                       int i, int len)
{
    i += len;
    while (i < n && s[i] >= 0x80) {
        utf8proc_int32_t cp;
        int cls = classify(t, s, n, i, &len, &cp);

        if (cls != CLS_MARK && cp != 0xFF9E && cp != 0xFF9F)
            break;
        i += len;
    }
    return i;
}

/* ====================================================================== */
/* Folding                                                                 */

/* Curly and modifier apostrophes fold to the ASCII one: "Zone’s" is
** "Zone's", and the English stemmer knows only U+0027. */
static utf8proc_int32_t map_apostrophe(utf8proc_int32_t cp, void *data)
{
    (void)data;
    return (cp == 0x2019 || cp == 0x02BC) ? 0x27 : cp;
}

/* Length of the longest prefix of p[0..n) that is at most max bytes and
** does not end inside a UTF-8 sequence (p is valid UTF-8). */
static int utf8_cut(const char *p, int n, int max)
{
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* How much of the long word s[0..n) (valid UTF-8) fold() reads: whole
** characters, FOLD_MAX_INPUT bytes of them not counting combining marks,
** FOLD_MAX_MARKED bytes at most. */
static int fold_input_len(const unsigned char *s, int n)
{
    int i = 0, plain = 0;
    while (i < n && plain < FOLD_MAX_INPUT) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = s[i] < 0x80 ? 1 : utf8proc_iterate(s + i, n - i,
                                                                 &cp);
        if (k <= 0)
            break;   /* cannot happen on valid UTF-8 */
        if (i + k > FOLD_MAX_MARKED)
            break;
        if (s[i] < 0x80 || category_class(cp) != CLS_MARK)
            plain += (int)k;
        i += (int)k;
    }
    return i;
}

/*
** Fold s[0..n) (valid UTF-8) with `options` into t->fold. On success sets
** *out to the folded UTF-8 (borrowed from t) and returns its length, cut to
** FS_TOKEN_MAX_BYTES; 0 means the word folded to nothing (marks only).
** Returns FSEARCH_ENOMEM if the buffer could not grow.
*/
static int fold(fs_tokenizer *t, const unsigned char *s, int n,
                utf8proc_option_t options, const char **out)
{
    utf8proc_ssize_t ncp, nbytes;

    if (n > FOLD_MAX_INPUT)
        n = fold_input_len(s, n);
    for (;;) {
        /* Keep one slot spare: reencode writes a NUL after the bytes. */
        ncp = utf8proc_decompose_custom(s, n, t->fold,
                                        (utf8proc_ssize_t)t->nfold - 1,
                                        options, map_apostrophe, NULL);
        if (ncp < 0)
            return 0;   /* cannot happen on valid UTF-8: drop the word */
        if ((size_t)ncp < t->nfold)
            break;
        {
            size_t want = t->nfold * 2;
            utf8proc_int32_t *p;

            while (want <= (size_t)ncp)
                want *= 2;
            p = fs_realloc(t->fold, want * sizeof *p);
            if (!p)
                return FSEARCH_ENOMEM;
            t->fold = p;
            t->nfold = want;
        }
    }
    nbytes = utf8proc_reencode(t->fold, ncp, options);
    if (nbytes < 0)
        return 0;
    *out = (const char *)t->fold;
    return utf8_cut(*out, (int)nbytes, FS_TOKEN_MAX_BYTES);
}

/* ====================================================================== */
/* Emitting tokens                                                         */

/* Hash of a word of at most CACHE_WORD_BYTES, from a few overlapping loads
** and its length: a byte-at-a-time hash, or building the key with a short
** memcpy (a store-forwarding stall), costs more than the cache saves. */
static unsigned int word_hash(const char *p, int n)
{
    uint64_t a, b;

    if (n >= 8) {
        memcpy(&a, p, 8);
        memcpy(&b, p + n - 8, 8);
    } else if (n >= 4) {
        uint32_t x, y;

        memcpy(&x, p, 4);
        memcpy(&y, p + n - 4, 4);
        a = x;
        b = y;
    } else {
        a = (unsigned char)p[0];
        b = ((unsigned)(unsigned char)p[n / 2] << 8) | (unsigned char)p[n - 1];
    }
    a = (a ^ (uint64_t)n) * 0x9E3779B97F4A7C15u;
    b = (b ^ (a >> 29)) * 0xC2B2AE3D27D4EB4Fu;
    return (unsigned int)((a ^ b) >> 32);
}

/*
** Stem token[0..n) unless told not to, and hand it to the callback with the
** original range [start, end). Returns the callback's value, or
** FSEARCH_ENOMEM if the stemmer ran out of memory.
*/
static int emit(fs_tokenizer *t, int flags, int stem, const char *token,
                int n, int start, int end, fs_token_fn fn, void *payload)
{
    if (stem && t->stemmer && !(flags & FS_TOKENIZE_NOSTEM)
        && n <= STEM_MAX_BYTES) {
        stem_slot *slot = NULL;
        const sb_symbol *r;
        int nr;

        if (t->nslots < CACHE_SLOTS && ++t->nstems == CACHE_GROW) {
            /* Still the small cache if the large one cannot be had. */
            stem_slot *big = fs_calloc(CACHE_SLOTS * sizeof *big);
            if (big) {
                fs_free(t->cache);
                t->cache = big;
                t->nslots = CACHE_SLOTS;
            }
        }
        if (n <= CACHE_WORD_BYTES) {
            /* Two-way LRU: the pair's first slot is the most recent. */
            slot = &t->cache[word_hash(token, n) & (t->nslots - 2)];
            if (slot[0].nword == n && memcmp(slot[0].word, token, n) == 0)
                return fn(payload, slot[0].stem, slot[0].nstem, start, end);
            if (slot[1].nword == n && memcmp(slot[1].word, token, n) == 0) {
                stem_slot hit = slot[1];

                slot[1] = slot[0];
                slot[0] = hit;
                return fn(payload, slot[0].stem, slot[0].nstem, start, end);
            }
        }
        r = sb_stemmer_stem(t->stemmer, (const sb_symbol *)token, n);
        if (!r)
            return FSEARCH_ENOMEM;
        nr = utf8_cut((const char *)r, sb_stemmer_length(t->stemmer),
                      FS_TOKEN_MAX_BYTES);
        if (slot && nr > 0 && nr <= CACHE_WORD_BYTES) {
            slot[1] = slot[0];
            slot[0].nword = (unsigned char)n;
            slot[0].nstem = (unsigned char)nr;
            memcpy(slot[0].word, token, n);
            memcpy(slot[0].stem, r, nr);
        }
        /* The stem is valid only until the next call: use it now. */
        if (nr > 0) {
            token = (const char *)r;
            n = nr;
        }
    }
    return fn(payload, token, n, start, end);
}

/* Fold and emit the word s[start..end), which has non-ASCII characters. */
static int emit_word(fs_tokenizer *t, int flags, const unsigned char *s,
                     int start, int end, fs_token_fn fn, void *payload)
{
    const char *token;
    int n = fold(t, s + start, end - start, WORD_FOLD, &token);

    if (n <= 0)
        return n;
    return emit(t, flags, 1, token, n, start, end, fn, payload);
}

/* ====================================================================== */
/* The public calls                                                        */

int fs_tokenizer_language_ok(const char *language)
{
    const char **names;

    if (!language)
        return 0;
    if (strcmp(language, "none") == 0)
        return 1;
    for (names = sb_stemmer_list(); *names; names++)
        if (strcmp(*names, language) == 0)
            return 1;
    return 0;
}

int fs_tokenizer_new(fs_tokenizer **out, const char *language)
{
    fs_tokenizer *t;

    assert(out);
    *out = NULL;
    if (!language)
        language = "english";
    if (!fs_tokenizer_language_ok(language))
        return FSEARCH_EINVAL;
    t = fs_calloc(sizeof *t);
    if (!t)
        return FSEARCH_ENOMEM;
    t->nfold = 256;
    t->fold = fs_malloc(t->nfold * sizeof *t->fold);
    if (!t->fold)
        goto nomem;
    if (strcmp(language, "none") != 0) {
        /* The language is known, so NULL here means out of memory. */
        t->stemmer = sb_stemmer_new(language, "UTF_8");
        if (!t->stemmer)
            goto nomem;
        t->cache = fs_calloc(CACHE_FIRST * sizeof *t->cache);
        if (!t->cache)
            goto nomem;
        t->nslots = CACHE_FIRST;
    }
    /* Derived from Unicode categories rather than written by hand, so the
    ** ASCII fast path cannot disagree with the general one. */
    for (int c = 0; c < 128; c++)
        t->ascii[c] = (unsigned char)(c == '\'' ? CLS_APOS : category_class(c));
    *out = t;
    return FSEARCH_OK;

nomem:
    fs_tokenizer_free(t);
    return FSEARCH_ENOMEM;
}

void fs_tokenizer_free(fs_tokenizer *t)
{
    if (!t)
        return;
    sb_stemmer_delete(t->stemmer);
    fs_free(t->cache);
    fs_free(t->fold);
    fs_free(t);
}

int fs_tokenizer_run(fs_tokenizer *t, int flags, const char *text, int ntext,
                     fs_token_fn fn, void *payload)
{
    const unsigned char *s = (const unsigned char *)text;
    int i = 0;

    assert(t && fn && ntext >= 0 && (text || ntext == 0));
    while (i < ntext) {
        utf8proc_int32_t cp;
        int len, cls, end, rc, n;

        if (s[i] < 0x80) {
            if (t->ascii[s[i]] != CLS_WORD) {
                i++;
                continue;
            }
            end = ascii_word(t, s, ntext, i, &n);
            if (end >= 0) {
                rc = emit(t, flags, 1, t->lower, n, i, end, fn, payload);
                if (rc != 0)
                    return rc;
                i = end;
                continue;
            }
        }
        cls = classify(t, s, ntext, i, &len, &cp);
        if (cls == CLS_WORD || cls == CLS_MARK) {
            end = word_end(t, s, ntext, i);
            rc = emit_word(t, flags, s, i, end, fn, payload);
        } else if (cls == CLS_SOLO) {
            const char *token;

            end = cluster_end(t, s, ntext, i, len);
            n = fold(t, s + i, end - i, SOLO_FOLD, &token);
            rc = n > 0 ? emit(t, flags, 0, token, n, i, end, fn, payload) : n;
        } else {
            i += len;
            continue;
        }
        if (rc != 0)
            return rc;
        i = end;
    }
    return FSEARCH_OK;
}

/*
** shingles.c - the 3-word runs of a passage and their stored signature:
** see shingles.h for what makes two passages near copies.
*/
#include "shingles.h"
#include "alloc.h"
#include "internal.h"

#include <string.h>


/* Each byte as the shingle hash folds it: an ASCII letter lower-cased, a
** digit itself, any other ASCII byte 0 (a separator); bytes from 0x80 on
** are themselves, and separator() decides about them. */
static const unsigned char word_fold[256] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73,
    0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b,
    0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
    0x78, 0x79, 0x7a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x81, 0x82, 0x83,
    0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
    0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b,
    0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3,
    0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb,
    0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
    0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3,
    0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb,
    0xfc, 0xfd, 0xfe, 0xff,
};

/* Bytes of the separator at s[i], or 0 if s[i] belongs to a word. ASCII
** letters and digits are word bytes; so is any other non-ASCII character
** except Latin-1 and General Punctuation marks (’ – “ « ...), so a curly
** and a straight apostrophe split words alike. */
static size_t separator(const unsigned char *s, size_t n, size_t i)
{
    unsigned char c = s[i];
    if (c < 0x80)
        return word_fold[c] ? 0 : 1;
    if (c == 0xC2 && i + 1 < n && s[i + 1] >= 0xA0 && s[i + 1] <= 0xBF)
        return 2;
    if (c == 0xE2 && i + 2 < n &&
        (s[i + 1] == 0x80 || (s[i + 1] == 0x81 && s[i + 2] <= 0xAF)))
        return 3;
    if (c == 0xE3 && i + 2 < n && s[i + 1] == 0x80 && s[i + 2] <= 0xBF)
        return 3;
    return 0;
}

/* Sort a[0..n) ascending. Every candidate's runs are sorted, and qsort's
** calls through a comparison function were a sixth of a cheap search:
** quicksort on the values themselves, the smaller side first so the stack
** stays O(log n), insertion sort for short ranges. */
static void sort_u64(uint64_t *a, size_t n)
{
    while (n > 16) {
        uint64_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint64_t pivot = x < y ? (y < z ? y : x < z ? z : x)
                               : (x < z ? x : y < z ? z : y);
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            uint64_t t = a[i];
            a[i++] = a[j];
            a[j--] = t;
        }
        /* [0, j] <= pivot <= [j + 1, n) */
        if (j + 1 < n - j - 1) {
            sort_u64(a, j + 1);
            a += j + 1;
            n -= j + 1;
        } else {
            sort_u64(a + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    for (size_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        size_t k = i;
        while (k > 0 && a[k - 1] > v) {
            a[k] = a[k - 1];
            k--;
        }
        a[k] = v;
    }
}

/* Count the distinct hashes of sh into sh->n and set its signature, with a
** scratch hash set: cheaper than sorting, which only the few pairs whose
** signatures agree need (shingles_sort). 0 is never a key here: it marks a
** free slot, so it is counted apart. */
static int shingles_count(fs_shingles *sh)
{
    size_t need = 16;
    while (need < 2 * sh->nraw)
        need *= 2;
    if (need > sh->ntab) {
        uint64_t *t = fs_realloc(sh->tab, need * sizeof *t);
        if (!t)
            return FSEARCH_ENOMEM;
        sh->tab = t;
        sh->ntab = need;
    }
    memset(sh->tab, 0, need * sizeof *sh->tab);
    sh->nset = need;
    size_t mask = need - 1, n = 0;
    int zero = 0;
    for (size_t j = 0; j < sh->nraw; j++) {
        uint64_t v = sh->h[j];
        if (v == 0) {
            n += !zero;
            zero = 1;
            continue;
        }
        size_t k = (size_t)(v >> 32 ^ v) & mask;
        while (sh->tab[k] && sh->tab[k] != v)
            k = (k + 1) & mask;
        if (sh->tab[k])
            continue;
        sh->tab[k] = v;
        n++;
        unsigned bit = (unsigned)(v % (64 * FS_SIG_WORDS));
        sh->sig[bit / 64] |= 1ULL << (bit % 64);
    }
    if (zero)
        sh->sig[0] |= 1ULL;
    sh->n = n;
    return FSEARCH_OK;
}

/* Sort and dedupe sh's hashes, once. */
static void shingles_sort(fs_shingles *sh)
{
    if (sh->sorted)
        return;
    sort_u64(sh->h, sh->nraw);
    size_t u = 0;
    for (size_t j = 0; j < sh->nraw; j++)
        if (u == 0 || sh->h[u - 1] != sh->h[j])
            sh->h[u++] = sh->h[j];
    sh->sorted = 1;
}

int fs_shingles_make(fs_shingles *sh, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    uint64_t w[3] = { 0, 0, 0 };
    size_t nwords = 0, i = 0;
    sh->n = sh->nraw = sh->nset = 0;
    sh->sorted = 0;
    sh->full = 1;
    sh->bits = 64 * FS_SIG_WORDS;
    memset(sh->sig, 0, sizeof sh->sig);
    while (i < n) {
        /* ASCII bytes are told apart by table, inline: separator() per
        ** byte was a third of the cost of a rare word's search. */
        while (i < n) {
            unsigned char c = s[i];
            size_t k = c < 0x80 ? word_fold[c] == 0 : separator(s, n, i);
            if (k == 0)
                break;
            i += k;
        }
        if (i >= n)
            break;
        uint64_t h = 0xcbf29ce484222325ULL;   /* FNV-1a over folded bytes */
        while (i < n) {
            unsigned char f = word_fold[s[i]];
            if (f == 0 || (f >= 0x80 && separator(s, n, i) != 0))
                break;
            i++;
            h = (h ^ f) * 0x100000001b3ULL;
        }
        w[0] = w[1];
        w[1] = w[2];
        w[2] = h;
        if (++nwords < 3)
            continue;
        if (sh->nraw == sh->cap) {
            size_t ncap = sh->cap ? sh->cap * 2 : 64;
            uint64_t *p = fs_realloc(sh->h, ncap * sizeof *p);
            if (!p)
                return FSEARCH_ENOMEM;
            sh->h = p;
            sh->cap = ncap;
        }
        sh->h[sh->nraw++] = fs_shingles_mix(w[0] ^ fs_shingles_mix(w[1] ^ fs_shingles_mix(w[2])));
    }
    return shingles_count(sh);
}

static unsigned popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

/* The stored width for a set of n distinct runs: about a third of its bits
** set or fewer, so that a run of one passage missing from the other most
** often leaves a bit the other lacks. */
static unsigned sig_bits(size_t n)
{
    unsigned b = 64;
    while (b < 64 * FS_SIG_WORDS && b < 2 * n)
        b *= 2;
    return b;
}

/* Word i of sh's signature folded to `bits` (<= sh->bits): a hash's bit is
** h % bits, and bits divides sh->bits, so the folded set is the OR of the
** wide set's slices. */
static uint64_t sig_word(const fs_shingles *sh, unsigned bits, unsigned i)
{
    uint64_t w = 0;
    for (unsigned j = i; j < sh->bits / 64; j += bits / 64)
        w |= sh->sig[j];
    return w;
}

void fs_shingles_encode(int *rc, fs_buf *out, const fs_shingles *sh)
{
    unsigned char b[10 + 8 * FS_SIG_WORDS];
    size_t k = 0;
    uint64_t v = sh->n;
    do {
        b[k++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    if (sh->n >= 3) {
        unsigned bits = sig_bits(sh->n);
        for (unsigned i = 0; i < bits / 64; i++) {
            uint64_t w = sig_word(sh, bits, i);
            for (int j = 0; j < 8; j++)
                b[k++] = (unsigned char)(w >> (8 * j));
        }
    }
    fs_buf_append(rc, out, b, k);
}

int fs_shingles_decode(fs_shingles *sh, const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t v = 0;
    size_t k = 0;
    sh->n = sh->nraw = 0;
    sh->sorted = sh->full = 0;
    sh->bits = 64;
    memset(sh->sig, 0, sizeof sh->sig);
    for (int shift = 0;; shift += 7) {
        if (k >= n || shift > 63)
            return FSEARCH_ECORRUPT;
        v |= (uint64_t)(b[k] & 0x7f) << shift;
        if (!(b[k++] & 0x80))
            break;
    }
    if (v > ((uint64_t)1 << 40))
        return FSEARCH_ECORRUPT;
    unsigned bits = v >= 3 ? sig_bits((size_t)v) : 0;
    if (n - k != bits / 8)
        return FSEARCH_ECORRUPT;
    for (unsigned i = 0; i < bits / 64; i++, k += 8)
        for (int j = 0; j < 8; j++)
            sh->sig[i] |= (uint64_t)b[k + j] << (8 * j);
    sh->n = (size_t)v;
    if (bits)
        sh->bits = bits;
    return FSEARCH_OK;
}

/* Runs of full set f whose bit in signature-only set g is clear: runs of f
** that g lacks (each counted once: the scratch set holds them distinct;
** a run hashing to 0 is left out, which only makes the count lower). */
static size_t runs_missing(const fs_shingles *f, const fs_shingles *g)
{
    size_t miss = 0;
    for (size_t i = 0; i < f->nset; i++) {
        uint64_t v = f->tab[i];
        if (!v)
            continue;
        unsigned bit = (unsigned)(v % g->bits);
        miss += !((g->sig[bit / 64] >> (bit % 64)) & 1);
    }
    return miss;
}

/* With one side's runs known (a hit's, whose text is read anyway), count
** them one by one against the other's signature: each run whose bit is
** clear is a run the other lacks, so the shared runs are at most f->n less
** those; a bit count undercounts them when runs share a bit. */
static int full_rules_out(const fs_shingles *f, const fs_shingles *g,
                          size_t s_n)
{
    size_t miss = runs_missing(f, g);
    return miss >= f->n || (f->n - miss) * 10 < s_n * 7;
}

int fs_shingles_maybe_near(const fs_shingles *a, const fs_shingles *b)
{
    const fs_shingles *s = a->n <= b->n ? a : b, *l = a->n <= b->n ? b : a;
    if (s->n < 3 || s->n * 2 < l->n)
        return 0;
    /* A run of the smaller set that the larger lacks may leave a bit the
    ** larger has not set; too many such bits rule out 70% shared. Folded
    ** to the narrower width the test still holds: a bit of s's folded set
    ** that l's lacks is still a run of s that l lacks. */
    unsigned bits = s->bits < l->bits ? s->bits : l->bits;
    size_t lone = 0, most = s->n * 3;
    if (s->bits == l->bits) {
        for (unsigned i = 0; i < bits / 64; i++)
            if ((lone += popcount64(s->sig[i] & ~l->sig[i])) * 10 > most)
                return 0;   /* most pairs stop here, after a word or two */
    } else {
        for (unsigned i = 0; i < bits / 64; i++)
            if ((lone += popcount64(sig_word(s, bits, i) &
                                    ~sig_word(l, bits, i))) * 10 > most)
                return 0;
    }
    if (s->full != l->full)
        return !full_rules_out(s->full ? s : l, s->full ? l : s, s->n);
    return 1;
}

int fs_shingles_near(fs_shingles *a, fs_shingles *b)
{
    fs_shingles *s = a->n <= b->n ? a : b, *l = a->n <= b->n ? b : a;
    if (!fs_shingles_maybe_near(s, l) || !s->full || !l->full)
        return 0;
    shingles_sort(s);
    shingles_sort(l);
    size_t i = 0, j = 0, common = 0;
    while (i < s->n && j < l->n) {
        if (s->h[i] == l->h[j]) {
            common++;
            i++;
            j++;
        } else if (s->h[i] < l->h[j]) {
            i++;
        } else {
            j++;
        }
    }
    return common * 10 >= s->n * 7;
}

void fs_shingles_free(fs_shingles *sh)
{
    fs_free(sh->h);
    fs_free(sh->tab);
    sh->h = sh->tab = NULL;
    sh->n = sh->nraw = sh->cap = sh->ntab = sh->nset = 0;
    sh->sorted = sh->full = 0;
}


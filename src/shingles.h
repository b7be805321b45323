/*
** shingles.h - what near-identical passages share: the hashes of their
** 3-word runs ("shingles"), and a compact signature of them stored with
** each passage at index time (prep.c) so that a search tells most passages
** apart without unpacking their text (search.c).
**
** Two passages are near copies when the smaller shares at least 70% of its
** distinct runs with the larger and is at least half its size. The stored
** signature holds the exact count of distinct runs and a bit set of them:
** enough to rule out almost every pair that is not a copy, never enough to
** accept one. Pairs it cannot rule out are compared in full, from text, so
** the decisions are those of the full comparison whatever the signature.
*/
#ifndef FS_SHINGLES_H
#define FS_SHINGLES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Bits of a signature made from text; stored ones are folded narrower. */
#define FS_SIG_WORDS 16

/* What the near-duplicate test knows of a passage. */
typedef struct fs_shingles {
    uint64_t *h;                 /* hashes of 3-word runs: [nraw] as read,
                                 ** or [n] sorted and distinct once sorted */
    size_t n, nraw, cap;         /* n: distinct hashes */
    int sorted;                  /* h is sorted and distinct */
    int full;                    /* made from text: h is there; else only
                                 ** n and sig, from a stored signature */
    unsigned bits;               /* width of sig: 64..1024, a power of 2 */
    uint64_t *tab;               /* [ntab] scratch set that counts them;
                                 ** full: [nset] are them, distinct */
    size_t ntab, nset;
    uint64_t sig[FS_SIG_WORDS];  /* bit (h % bits) set for each hash */
} fs_shingles;

/* A 64-bit mixer (splitmix64's finalizer), also used to hash sets. */
static inline uint64_t fs_shingles_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/*
** The hashes of the 3-word runs of text[0..n) into sh, words compared
** case-blind with punctuation dropped. FSEARCH_OK or FSEARCH_ENOMEM.
*/
int fs_shingles_make(fs_shingles *sh, const char *text, size_t n);

/*
** Append sh's stored signature to out: its count of distinct runs as a
** varint, then (3 runs or more) its bit set folded to the narrowest width
** of at least twice that count (64 to 1024 bits), little-endian.
*/
void fs_shingles_encode(int *rc, fs_buf *out, const fs_shingles *sh);

/*
** Load a stored signature into sh (not full: no hashes). FSEARCH_OK, or
** FSEARCH_ECORRUPT if p[0..n) is not one (sh is then left empty).
*/
int fs_shingles_decode(fs_shingles *sh, const void *p, size_t n);

/*
** Can a and b be near copies, from their counts and signatures alone
** (either may be full or not)? 0 means surely not; 1 means compare them
** in full with fs_shingles_near.
*/
int fs_shingles_maybe_near(const fs_shingles *a, const fs_shingles *b);

/*
** Is one passage a near-identical copy of the other (both full)? Passages
** of fewer than three runs are never near copies (only exact ones). Sorts
** a's and b's hashes the first time they are compared in full.
*/
int fs_shingles_near(fs_shingles *a, fs_shingles *b);

void fs_shingles_free(fs_shingles *sh);

#endif

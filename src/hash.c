/*
** hash.c - a fast 64-bit hash for change detection and duplicate passages.
**
** Not cryptographic: it only has to tell a changed file or a different
** paragraph apart with overwhelming probability, at memory speed. The
** streaming form gives the same value however the bytes are cut into calls.
*/
#include "internal.h"

#include <string.h>

static unsigned long long mix(unsigned long long h)
{
    h ^= h >> 31;
    h *= 0x7fb5d329728ea185ULL;
    h ^= h >> 27;
    h *= 0x81dadef4bc2dd44dULL;
    h ^= h >> 33;
    return h;
}

static unsigned long long step(unsigned long long h, unsigned long long w)
{
    h = (h ^ mix(w)) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

void fs_hash_init(fs_hasher *hs)
{
    hs->h = FS_HASH_SEED;
    hs->ntail = 0;
    hs->total = 0;
}

void fs_hash_update(fs_hasher *hs, const void *p, size_t n)
{
    const unsigned char *s = p;
    hs->total += n;
    if (hs->ntail) {
        while (n && hs->ntail < 8) {
            hs->tail[hs->ntail++] = *s++;
            n--;
        }
        if (hs->ntail < 8)
            return;
        unsigned long long w;
        memcpy(&w, hs->tail, 8);
        hs->h = step(hs->h, w);
        hs->ntail = 0;
    }
    while (n >= 8) {
        unsigned long long w;
        memcpy(&w, s, 8);
        hs->h = step(hs->h, w);
        s += 8;
        n -= 8;
    }
    memcpy(hs->tail, s, n);
    hs->ntail = (unsigned)n;
}

unsigned long long fs_hash_final(const fs_hasher *hs)
{
    unsigned long long w = 0;
    memcpy(&w, hs->tail, hs->ntail);
    return mix(step(hs->h, w ^ hs->total) ^ hs->total);
}

unsigned long long fs_hash_bytes(const void *p, size_t n)
{
    fs_hasher hs;
    fs_hash_init(&hs);
    fs_hash_update(&hs, p, n);
    return fs_hash_final(&hs);
}

unsigned long long fs_hash_passage(const char *text, size_t n)
{
    unsigned char chunk[256];
    size_t k = 0;
    fs_hasher hs;
    fs_hash_init(&hs);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        else if (c < 0x80 &&
                 !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            continue;
        chunk[k++] = c;
        if (k == sizeof chunk) {
            fs_hash_update(&hs, chunk, k);
            k = 0;
        }
    }
    fs_hash_update(&hs, chunk, k);
    return fs_hash_final(&hs);
}

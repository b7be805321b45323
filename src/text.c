/*
** text.c - tell text from binary, and turn any text into clean UTF-8.
**
** The indexer sniffs each file's head here, checks whether its bytes can be
** stored as they are (the common case, so that check is fast), and otherwise
** repairs them: broken UTF-8 is read as Windows-1252, UTF-16 is converted.
*/
#include "text.h"
#include "fsearch.h"

#include <stdint.h>
#include <string.h>

#define REPLACEMENT 0xFFFD

/*
** Windows-1252 for 0x80..0x9F, where it differs from Latin-1. The five
** holes of the code page become U+FFFD rather than C1 controls, which no
** text means.
*/
static const uint16_t cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

int fs_text_sniff(const char *head, size_t n)
{
    const unsigned char *p = (const unsigned char *)head;
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        /* FF FE 00 00 is UTF-32LE, which we do not decode. */
        if (n >= 4 && p[2] == 0 && p[3] == 0)
            return FS_TEXT_BINARY;
        return FS_TEXT_UTF16LE;
    }
    if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF)
        return FS_TEXT_UTF16BE;

    size_t controls = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c >= 0x20 && c != 0x7F)
            continue;
        if (c == 0)
            return FS_TEXT_BINARY;
        if (c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
            c == 0x1B)
            continue;
        controls++;
    }
    /* Some text has a stray control or two; executables are full of them. */
    if (controls * 10 > n)
        return FS_TEXT_BINARY;
    return FS_TEXT_UTF8;
}

/*
** Length (1-4) of the valid UTF-8 sequence at p[0..avail), or 0 when p[0]
** does not start one: overlong forms, surrogates (U+D800..DFFF) and values
** past U+10FFFF are invalid. NUL counts as valid here; callers check it.
*/
static size_t utf8_len(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0; /* continuation byte, or overlong C0/C1 lead */
    if (c < 0xE0) {
        if (avail < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (c < 0xF0) {
        if (avail < 3 || (p[2] & 0xC0) != 0x80)
            return 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xE0)
            lo = 0xA0; /* overlong below U+0800 */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
        if (p[1] < lo || p[1] > hi)
            return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (avail < 4 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xF0)
            lo = 0x90; /* overlong below U+10000 */
        else if (c == 0xF4)
            hi = 0x8F; /* past U+10FFFF */
        if (p[1] < lo || p[1] > hi)
            return 0;
        return 4;
    }
    return 0;
}

/* Are all eight bytes at p ASCII and none of them NUL? */
static int ascii8(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    /* A byte is 0 or >= 0x80 exactly when this sets its high bit. */
    return (((v - ones) | v) & highs) == 0;
}

int fs_text_is_clean_utf8(const char *text, size_t n)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        if (n - i >= 8 && ascii8(p + i)) {
            i += 8;
            continue;
        }
        if (p[i] == 0)
            return 0;
        size_t len = utf8_len(p + i, n - i);
        if (len == 0)
            return 0;
        i += len;
    }
    return 1;
}

static size_t encode_utf8(unsigned char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

void fs_text_to_utf8(int *rc, fs_buf *out, const char *text, size_t n)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t run = 0, i = 0;
    if (n == 0)
        return;
    /* Most input is valid, so one reservation usually covers it all. */
    fs_buf_reserve(rc, out, n);
    while (i < n && *rc == FSEARCH_OK) {
        if (n - i >= 8 && ascii8(p + i)) {
            i += 8;
            continue;
        }
        size_t len = p[i] ? utf8_len(p + i, n - i) : 0;
        if (len) {
            i += len;
            continue;
        }
        /* Copy the valid run before this byte whole, then repair it. */
        fs_buf_append(rc, out, p + run, i - run);
        unsigned char enc[4];
        uint32_t cp;
        if (p[i] == 0)
            cp = ' ';
        else if (p[i] < 0xA0)
            cp = cp1252_high[p[i] - 0x80];
        else
            cp = p[i];
        fs_buf_append(rc, out, enc, encode_utf8(enc, cp));
        i++;
        run = i;
    }
    fs_buf_append(rc, out, p + run, n - run);
}

void fs_text_utf16_to_utf8(int *rc, fs_buf *out, const char *text, size_t n,
                           int big_endian)
{
    const unsigned char *p = (const unsigned char *)text;
    unsigned char chunk[256];
    size_t used = 0, i = 0;
    n &= ~(size_t)1;
    if (n == 0)
        return;
    /* Each 2-byte unit gives at most 3 bytes of UTF-8. */
    fs_buf_reserve(rc, out, n + n / 2);
    while (i < n && *rc == FSEARCH_OK) {
        uint32_t cp = big_endian ? (uint32_t)(p[i] << 8 | p[i + 1])
                                 : (uint32_t)(p[i + 1] << 8 | p[i]);
        i += 2;
        if (cp >= 0xD800 && cp <= 0xDBFF && i < n) {
            uint32_t lo = big_endian ? (uint32_t)(p[i] << 8 | p[i + 1])
                                     : (uint32_t)(p[i + 1] << 8 | p[i]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = REPLACEMENT;
        else if (cp == 0)
            cp = ' '; /* as in fs_text_to_utf8: stored text has no NUL */
        if (used > sizeof chunk - 4) {
            fs_buf_append(rc, out, chunk, used);
            used = 0;
        }
        used += encode_utf8(chunk + used, cp);
    }
    fs_buf_append(rc, out, chunk, used);
}

/* lineedit.c -- a small, non-blocking line editor for terminals.
 *
 * See lineedit.h for the interface.  Input is decoded one byte at a time by
 * a state machine (UTF-8 sequences and escape sequences may be split across
 * le_feed calls); each key edits the buffer and marks the row dirty; the
 * row is redrawn once at the end of le_feed as
 *     "\r" prompt visible-part-of-line "\x1b[K" "\r" "\x1b[<col>C"
 * so a long paste costs one redraw, not one per byte.
 *
 * SPDX-License-Identifier: MIT
 */
#include "lineedit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#define LE_DEFAULT_COLS 80
/* A prompt that leaves fewer columns than this for the line is replaced by
 * a fresh row: editing in two or three columns is useless. */
#define LE_MIN_EDIT_COLS 8
#define LE_SEQ_MAX 16
#define LE_DEFAULT_HISTORY 1000

/* Decoder states: where we are inside a multi-byte key. */
enum { ST_NORMAL, ST_UTF8, ST_ESC, ST_CSI, ST_SS3 };

struct lineedit {
    char *buf;             /* the line being edited, UTF-8, NUL-terminated */
    size_t len;            /* bytes in buf, without the NUL */
    size_t cap;            /* bytes allocated for buf */
    size_t pos;            /* cursor: byte offset on a code point boundary */
    size_t scroll;         /* first shown byte when the line is too wide */
    char *prompt;          /* what le_begin said is left of the line */
    size_t prompt_len;     /* bytes in prompt */
    int prompt_cols;       /* columns the prompt takes on the terminal */
    int cols;              /* terminal width */
    int active;            /* between le_begin and the end of the line */
    int dirty;             /* the row must be redrawn before returning */
    int state;             /* ST_*: decoder state across le_feed calls */
    char seq[LE_SEQ_MAX];  /* parameter bytes of the CSI sequence so far */
    size_t seq_len;        /* bytes in seq */
    int seq_long;          /* parameters overflowed seq: ignore that key */
    uint32_t cp;           /* code point being assembled from UTF-8 */
    int need;              /* UTF-8 continuation bytes still expected */
    int cp_len;            /* length of that UTF-8 sequence (overlongs) */
    int after_cr;          /* last key was a CR Enter: a LF right after it
                              is the same Enter (CR LF from a paste) */
    uint8_t *pend;         /* input that arrived after a line finished */
    size_t pend_off;       /* next unprocessed byte in pend */
    size_t pend_len;       /* bytes stored in pend */
    size_t pend_cap;       /* bytes allocated for pend */
    char **hist;           /* history entries, oldest first */
    size_t hist_len;       /* entries in hist */
    size_t hist_max;       /* limit on hist_len */
    char **edits;          /* this line's edited versions of history entries
                              (index hist_len: the new line), so browsing
                              with Up/Down loses nothing; NULL if unused */
    size_t hist_pos;       /* entry being shown; hist_len = the new line */
    char *kill;            /* text of the last kill, for Ctrl-Y */
    size_t kill_len;       /* bytes in kill */
    char *obuf;            /* drawing assembled during one call */
    size_t olen;           /* bytes in obuf */
    size_t ocap;           /* bytes allocated for obuf */
    void (*out)(void *arg, const char *s, size_t n); /* where drawing goes */
    void *out_arg;         /* first argument of out */
};

/* ---- UTF-8 and column widths ---- */

/* True for a UTF-8 continuation byte. */
static int is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Offset of the code point after the one at i. */
static size_t cp_next(const char *s, size_t len, size_t i)
{
    if (i >= len) return len;
    i++;
    for (int k = 0; k < 3 && i < len && is_cont((unsigned char)s[i]); k++) i++;
    return i;
}

/* Offset of the code point before i. */
static size_t cp_prev(const char *s, size_t i)
{
    if (i == 0) return 0;
    i--;
    for (int k = 0; k < 3 && i > 0 && is_cont((unsigned char)s[i]); k++) i--;
    return i;
}

/* The code point at i (U+FFFD for a malformed sequence); *next gets the
 * offset after it. */
static uint32_t cp_decode(const char *s, size_t len, size_t i, size_t *next)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[i];
    int n;
    uint32_t cp, min;
    *next = i + 1;
    if (c < 0x80) return c;
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; min = 0x10000; }
    else return 0xFFFD;
    for (int k = 1; k <= n; k++) {
        if (i + (size_t)k >= len || !is_cont(u[i + k])) return 0xFFFD;
        cp = (cp << 6) | (u[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    *next = i + 1 + (size_t)n;
    return cp;
}

/* A range of code points [lo, hi]. */
struct cp_range { uint32_t lo, hi; };

/* Combining marks and format characters that take no column (the common
 * blocks; a terminal that disagrees only misplaces the cursor). */
static const struct cp_range zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF},
    {0x05C1, 0x05C2}, {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A},
    {0x064B, 0x065F}, {0x0670, 0x0670}, {0x06D6, 0x06DC}, {0x06DF, 0x06E4},
    {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0900, 0x0902}, {0x093A, 0x093A},
    {0x093C, 0x093C}, {0x0941, 0x0948}, {0x094D, 0x094D}, {0x0951, 0x0957},
    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064},
    {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
    {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xE0100, 0xE01EF},
};

/* East Asian wide and fullwidth characters and emoji: two columns. */
static const struct cp_range double_width[] = {
    {0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23EC},
    {0x23F0, 0x23F0}, {0x23F3, 0x23F3}, {0x25FD, 0x25FE}, {0x2614, 0x2615},
    {0x2648, 0x2653}, {0x267F, 0x267F}, {0x2693, 0x2693}, {0x26A1, 0x26A1},
    {0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5}, {0x26CE, 0x26CE},
    {0x26D4, 0x26D4}, {0x26EA, 0x26EA}, {0x26F2, 0x26F3}, {0x26F5, 0x26F5},
    {0x26FA, 0x26FA}, {0x26FD, 0x26FD}, {0x2705, 0x2705}, {0x270A, 0x270B},
    {0x2728, 0x2728}, {0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755},
    {0x2757, 0x2757}, {0x2795, 0x2797}, {0x27B0, 0x27B0}, {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55}, {0x2E80, 0x303E},
    {0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA000, 0xA4CF},
    {0xA960, 0xA97F}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x16FE0, 0x16FE4},
    {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004},
    {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A},
    {0x1F200, 0x1F251}, {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF},
    {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

/* True when cp is in one of the n sorted ranges r. */
static int in_ranges(uint32_t cp, const struct cp_range *r, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo) hi = mid;
        else if (cp > r[mid].hi) lo = mid + 1;
        else return 1;
    }
    return 0;
}

/* Columns a code point takes on the terminal. */
static int cp_width(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;
    if (cp < 0x300) return 1;
    if (in_ranges(cp, zero_width, sizeof zero_width / sizeof zero_width[0]))
        return 0;
    if (in_ranges(cp, double_width,
                  sizeof double_width / sizeof double_width[0]))
        return 2;
    return 1;
}

/* Columns that s[from..to) takes. */
static int str_cols(const char *s, size_t from, size_t to)
{
    int w = 0;
    size_t i = from;
    while (i < to) {
        size_t next;
        uint32_t cp = cp_decode(s, to, i, &next);
        w += cp_width(cp);
        i = next;
    }
    return w;
}

/* Columns a prompt takes: escape sequences (colours, titles) and control
 * characters take none. */
static int prompt_cols(const char *s, size_t len)
{
    int w = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x1B && i + 1 < len && s[i + 1] == '[') {
            i += 2;
            while (i < len && !((unsigned char)s[i] >= 0x40 &&
                                (unsigned char)s[i] <= 0x7E))
                i++;
            i++;
        } else if (c == 0x1B && i + 1 < len && s[i + 1] == ']') {
            /* an OSC string ends with BEL or ESC \ */
            i += 2;
            while (i < len && s[i] != 0x07 && s[i] != 0x1B) i++;
            i += (i < len && s[i] == 0x1B) ? 2 : 1;
        } else if (c == 0x1B) {
            i += 2;
        } else {
            size_t next;
            w += cp_width(cp_decode(s, len, i, &next));
            i = next;
        }
    }
    return w;
}

/* ---- output ---- */

/* Send what was drawn so far to the output callback. */
static void out_flush(lineedit *le)
{
    if (le->olen && le->out) le->out(le->out_arg, le->obuf, le->olen);
    le->olen = 0;
}

/* Queue terminal output; written at the end of the call. */
static void emit(lineedit *le, const char *s, size_t n)
{
    if (!le->out || n == 0) return;
    if (le->olen + n > le->ocap) {
        size_t cap = le->ocap ? le->ocap : 256;
        while (cap < le->olen + n) cap *= 2;
        char *p = realloc(le->obuf, cap);
        if (!p) {
            out_flush(le);
            le->out(le->out_arg, s, n);
            return;
        }
        le->obuf = p;
        le->ocap = cap;
    }
    memcpy(le->obuf + le->olen, s, n);
    le->olen += n;
}

/* Queue a NUL-terminated string. */
static void emits(lineedit *le, const char *s) { emit(le, s, strlen(s)); }

/* Redraw the prompt and the visible part of the line, and place the
 * cursor.  One column is kept free at the right edge so the terminal never
 * wraps. */
static void redraw(lineedit *le)
{
    int avail = le->cols - le->prompt_cols - 1;
    char tmp[32];
    if (avail < 1) avail = 1;
    if (str_cols(le->buf, 0, le->len) <= avail) {
        le->scroll = 0;
    } else {
        if (le->pos < le->scroll) le->scroll = le->pos;
        while (str_cols(le->buf, le->scroll, le->pos) > avail)
            le->scroll = cp_next(le->buf, le->len, le->scroll);
        /* after a deletion, fill the row again from the left */
        while (le->scroll > 0) {
            size_t prev = cp_prev(le->buf, le->scroll);
            if (str_cols(le->buf, prev, le->len) > avail) break;
            le->scroll = prev;
        }
    }
    size_t end = le->scroll;
    int used = 0;
    while (end < le->len) {
        size_t next;
        int w = cp_width(cp_decode(le->buf, le->len, end, &next));
        if (used + w > avail) break;
        used += w;
        end = next;
    }
    emit(le, "\r", 1);
    emit(le, le->prompt, le->prompt_len);
    emit(le, le->buf + le->scroll, end - le->scroll);
    emits(le, "\x1b[K\r");
    int col = le->prompt_cols + str_cols(le->buf, le->scroll, le->pos);
    if (col > 0) {
        snprintf(tmp, sizeof tmp, "\x1b[%dC", col);
        emits(le, tmp);
    }
    le->dirty = 0;
}

/* ---- the buffer ---- */

/* Room for `extra` more bytes plus the NUL; 0 if out of memory. */
static int reserve(lineedit *le, size_t extra)
{
    if (le->len + extra + 1 <= le->cap) return 1;
    size_t cap = le->cap ? le->cap : 64;
    while (cap < le->len + extra + 1) cap *= 2;
    char *p = realloc(le->buf, cap);
    if (!p) return 0;
    le->buf = p;
    le->cap = cap;
    return 1;
}

/* Insert n bytes at the cursor and move past them. */
static void insert(lineedit *le, const char *s, size_t n)
{
    if (n == 0 || !reserve(le, n)) return;
    memmove(le->buf + le->pos + n, le->buf + le->pos, le->len - le->pos + 1);
    memcpy(le->buf + le->pos, s, n);
    le->len += n;
    le->pos += n;
    le->dirty = 1;
}

/* Delete bytes [from, to); when `save`, they become the kill text. */
static void erase(lineedit *le, size_t from, size_t to, int save)
{
    if (from >= to) return;
    if (save) {
        char *k = malloc(to - from + 1);
        if (k) {
            memcpy(k, le->buf + from, to - from);
            k[to - from] = 0;
            free(le->kill);
            le->kill = k;
            le->kill_len = to - from;
        }
    }
    memmove(le->buf + from, le->buf + to, le->len - to + 1);
    le->len -= to - from;
    if (le->pos >= to) le->pos -= to - from;
    else if (le->pos > from) le->pos = from;
    le->dirty = 1;
}

/* Replace the whole line by s, cursor at the end. */
static void set_line(lineedit *le, const char *s)
{
    size_t n = strlen(s);
    le->len = 0;
    le->pos = 0;
    if (le->buf) le->buf[0] = 0;
    le->scroll = 0;
    insert(le, s, n);
    le->dirty = 1;
}

/* Insert one code point as UTF-8. */
static void insert_cp(lineedit *le, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (char)cp; n = 1; }
    else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    insert(le, u, n);
}

/* ---- motion and killing ---- */

/* Whitespace, for Ctrl-W (which deletes back to whitespace, like a shell). */
static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Part of a word for Alt-B/F/D and Ctrl-Left/Right: anything but spaces
 * and Scheme delimiters, so they move over identifiers. */
static int is_word(char c)
{
    return !is_space(c) && !strchr("()[]{}\"';`,", c);
}

/* Offset of the start of the word before the cursor. */
static size_t word_start(lineedit *le)
{
    size_t i = le->pos;
    while (i > 0 && !is_word(le->buf[i - 1])) i--;
    while (i > 0 && is_word(le->buf[i - 1])) i--;
    return i;
}

/* Offset of the end of the word after the cursor. */
static size_t word_end(lineedit *le)
{
    size_t i = le->pos;
    while (i < le->len && !is_word(le->buf[i])) i++;
    while (i < le->len && is_word(le->buf[i])) i++;
    return i;
}

/* Move the cursor to byte offset p. */
static void move_to(lineedit *le, size_t p)
{
    if (p != le->pos) {
        le->pos = p;
        le->dirty = 1;
    }
}

/* Ctrl-W: delete back over spaces, then over non-spaces. */
static void kill_word_back_space(lineedit *le)
{
    size_t i = le->pos;
    while (i > 0 && is_space(le->buf[i - 1])) i--;
    while (i > 0 && !is_space(le->buf[i - 1])) i--;
    erase(le, i, le->pos, 1);
}

/* ---- history ---- */

/* Forget this line's edited copies of history entries. */
static void drop_edits(lineedit *le)
{
    if (le->edits) {
        for (size_t i = 0; i <= le->hist_len; i++) free(le->edits[i]);
        free(le->edits);
        le->edits = NULL;
    }
    le->hist_pos = le->hist_len;
}

/* Show history entry j (hist_len: the new line), keeping the current
 * text as this line's version of the entry being left. */
static void hist_go(lineedit *le, size_t j)
{
    if (!le->edits) {
        le->edits = calloc(le->hist_len + 1, sizeof *le->edits);
        if (!le->edits) return;
    }
    const char *orig = le->hist_pos < le->hist_len ? le->hist[le->hist_pos]
                                                   : "";
    free(le->edits[le->hist_pos]);
    le->edits[le->hist_pos] = NULL;
    if (strcmp(le->buf ? le->buf : "", orig) != 0)
        le->edits[le->hist_pos] = strdup(le->buf);
    le->hist_pos = j;
    if (le->edits[j]) set_line(le, le->edits[j]);
    else set_line(le, j < le->hist_len ? le->hist[j] : "");
}

int le_history_add(lineedit *le, const char *line)
{
    if (!line || !*line) return 0;
    if (le->hist_len && strcmp(le->hist[le->hist_len - 1], line) == 0)
        return 0;
    char *copy = strdup(line);
    if (!copy) return 0;
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F) *p = ' ';
    if (le->hist_len && strcmp(le->hist[le->hist_len - 1], copy) == 0) {
        free(copy);
        return 0;
    }
    drop_edits(le);
    if (le->hist_len >= le->hist_max) {
        size_t drop = le->hist_len - le->hist_max + 1;
        for (size_t i = 0; i < drop; i++) free(le->hist[i]);
        memmove(le->hist, le->hist + drop,
                (le->hist_len - drop) * sizeof *le->hist);
        le->hist_len -= drop;
    } else {
        char **h = realloc(le->hist, (le->hist_len + 1) * sizeof *h);
        if (!h) {
            free(copy);
            return 0;
        }
        le->hist = h;
    }
    le->hist[le->hist_len++] = copy;
    le->hist_pos = le->hist_len;
    return 1;
}

void le_history_set_max(lineedit *le, size_t max)
{
    if (max < 1) max = 1;
    le->hist_max = max;
    if (le->hist_len > max) {
        drop_edits(le);
        size_t drop = le->hist_len - max;
        for (size_t i = 0; i < drop; i++) free(le->hist[i]);
        memmove(le->hist, le->hist + drop, max * sizeof *le->hist);
        le->hist_len = max;
        le->hist_pos = le->hist_len;
    }
}

size_t le_history_count(const lineedit *le) { return le->hist_len; }

const char *le_history_get(const lineedit *le, size_t i)
{
    return i < le->hist_len ? le->hist[i] : NULL;
}

long le_history_load(lineedit *le, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? 0 : -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long count = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (n == 0) continue;
        count++;
        le_history_add(le, line);
    }
    free(line);
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : count;
}

int le_history_save(const lineedit *le, const char *path)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    if (!tmp) return -1;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0) close(fd);
        free(tmp);
        return -1;
    }
    int bad = 0;
    for (size_t i = 0; i < le->hist_len; i++)
        if (fputs(le->hist[i], f) == EOF || fputc('\n', f) == EOF) bad = 1;
    if (fclose(f) != 0) bad = 1;
    if (!bad && rename(tmp, path) != 0) bad = 1;
    if (bad) unlink(tmp);
    free(tmp);
    return bad ? -1 : 0;
}

int le_history_append(const char *path, const char *line)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    size_t n = strlen(line);
    char *rec = malloc(n + 1);
    int rc = -1;
    if (rec) {
        memcpy(rec, line, n);
        rec[n] = '\n';
        /* one write, so concurrent sessions do not interleave within a line */
        size_t done = 0;
        while (done < n + 1) {
            ssize_t w = write(fd, rec + done, n + 1 - done);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) break;
            done += (size_t)w;
        }
        rc = done == n + 1 ? 0 : -1;
        free(rec);
    }
    if (close(fd) != 0) rc = -1;
    return rc;
}

/* ---- keys ---- */

/* End the line: show it whole with the cursor at its end, print `tail`,
 * and stop editing.  Returns `status`. */
static int finish(lineedit *le, int status, const char *tail)
{
    if (le->pos != le->len || le->dirty) {
        le->pos = le->len;
        redraw(le);
    }
    emits(le, tail);
    le->active = 0;
    le->state = ST_NORMAL;
    drop_edits(le);
    return status;
}

/* A key from a CSI sequence "ESC [ params final". */
static void csi_key(lineedit *le, char final)
{
    int p1 = 0, p2 = 0, *p = &p1;
    if (le->seq_long) return;
    for (size_t i = 0; i < le->seq_len; i++) {
        char c = le->seq[i];
        if (c >= '0' && c <= '9') {
            if (*p < 10000) *p = *p * 10 + (c - '0');
        } else if (c == ';' && p == &p1) {
            p = &p2;
        } else {
            return; /* private or unknown parameters: not a key we know */
        }
    }
    /* modifier 3 is Alt, 5 is Ctrl: word motion */
    int word = p2 == 3 || p2 == 5;
    switch (final) {
    case 'A':
        if (le->hist_pos > 0) hist_go(le, le->hist_pos - 1);
        return;
    case 'B':
        if (le->hist_pos < le->hist_len) hist_go(le, le->hist_pos + 1);
        return;
    case 'C':
        move_to(le, word ? word_end(le) : cp_next(le->buf, le->len, le->pos));
        return;
    case 'D':
        move_to(le, word ? word_start(le) : cp_prev(le->buf, le->pos));
        return;
    case 'H': move_to(le, 0); return;
    case 'F': move_to(le, le->len); return;
    case '~':
        switch (p1) {
        case 1: case 7: move_to(le, 0); return;
        case 4: case 8: move_to(le, le->len); return;
        case 3: erase(le, le->pos, cp_next(le->buf, le->len, le->pos), 0);
            return;
        default: return;
        }
    default:
        return;
    }
}

/* A key from "ESC O final" (cursor keys in application mode). */
static void ss3_key(lineedit *le, char final)
{
    le->seq_len = 0;
    le->seq_long = 0;
    csi_key(le, final);
}

/* Alt-<c>: word commands; other Alt keys are ignored. */
static void meta_key(lineedit *le, unsigned char c)
{
    switch (c) {
    case 'b': move_to(le, word_start(le)); break;
    case 'f': move_to(le, word_end(le)); break;
    case 'd': erase(le, le->pos, word_end(le), 1); break;
    case 0x7F: case 0x08: erase(le, word_start(le), le->pos, 1); break;
    default: break;
    }
}

/* A single-byte key (a control character or ASCII). */
static int plain_key(lineedit *le, unsigned char c)
{
    switch (c) {
    case 0x01: move_to(le, 0); break;                            /* ^A */
    case 0x02: move_to(le, cp_prev(le->buf, le->pos)); break;    /* ^B */
    case 0x03: return finish(le, LE_INTERRUPT, "^C\r\n");        /* ^C */
    case 0x04:                                                   /* ^D */
        if (le->len == 0) return finish(le, LE_EOF, "\r\n");
        erase(le, le->pos, cp_next(le->buf, le->len, le->pos), 0);
        break;
    case 0x05: move_to(le, le->len); break;                      /* ^E */
    case 0x06: move_to(le, cp_next(le->buf, le->len, le->pos)); break;
    case 0x08: case 0x7F:                                        /* BS */
        erase(le, cp_prev(le->buf, le->pos), le->pos, 0);
        break;
    case 0x09: insert(le, "  ", 2); break;                       /* Tab */
    case 0x0A: case 0x0D:                                        /* Enter */
        le->after_cr = c == 0x0D;
        return finish(le, LE_DONE, "\r\n");
    case 0x0B: erase(le, le->pos, le->len, 1); break;            /* ^K */
    case 0x0C:                                                   /* ^L */
        emits(le, "\x1b[H\x1b[2J");
        le->dirty = 1;
        break;
    case 0x0E:                                                   /* ^N */
        if (le->hist_pos < le->hist_len) hist_go(le, le->hist_pos + 1);
        break;
    case 0x10:                                                   /* ^P */
        if (le->hist_pos > 0) hist_go(le, le->hist_pos - 1);
        break;
    case 0x15: erase(le, 0, le->pos, 1); break;                  /* ^U */
    case 0x17: kill_word_back_space(le); break;                  /* ^W */
    case 0x19:                                                   /* ^Y */
        if (le->kill) insert(le, le->kill, le->kill_len);
        break;
    case 0x1A:                                                   /* ^Z */
        if (le->dirty) redraw(le);
        emits(le, "^Z\r\n");
        return LE_SUSPEND;
    case 0x1B: le->state = ST_ESC; break;
    default:
        if (c >= 0x20 && c < 0x7F) {
            char ch = (char)c;
            insert(le, &ch, 1);
        } else if (c >= 0xC2 && c <= 0xF4) {
            le->state = ST_UTF8;
            le->need = c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
            le->cp_len = le->need + 1;
            le->cp = c & (c < 0xE0 ? 0x1F : c < 0xF0 ? 0x0F : 0x07);
        }
        break; /* other control characters and stray bytes are ignored */
    }
    return LE_MORE;
}

/* Process one input byte. */
static int step(lineedit *le, unsigned char c)
{
    int after_cr = le->after_cr;
    le->after_cr = 0;
    switch (le->state) {
    case ST_UTF8:
        if (is_cont(c)) {
            le->cp = (le->cp << 6) | (c & 0x3F);
            if (--le->need == 0) {
                static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
                uint32_t cp = le->cp;
                le->state = ST_NORMAL;
                if (cp >= min[le->cp_len] && cp <= 0x10FFFF &&
                    !(cp >= 0xD800 && cp <= 0xDFFF) && cp >= 0xA0)
                    insert_cp(le, cp);
            }
            return LE_MORE;
        }
        le->state = ST_NORMAL; /* malformed: drop it, take c afresh */
        break;
    case ST_ESC:
        le->state = ST_NORMAL;
        if (c == '[') {
            le->state = ST_CSI;
            le->seq_len = 0;
            le->seq_long = 0;
            return LE_MORE;
        }
        if (c == 'O') {
            le->state = ST_SS3;
            return LE_MORE;
        }
        if (c == 0x1B) {
            le->state = ST_ESC;
            return LE_MORE;
        }
        if (c == 0x7F || c == 0x08 || (c >= 0x20 && c < 0x7F)) {
            meta_key(le, c);
            return LE_MORE;
        }
        break; /* ESC then another control key: the key counts alone */
    case ST_CSI:
        if (c >= 0x20 && c <= 0x3F) {
            if (le->seq_len < LE_SEQ_MAX) le->seq[le->seq_len++] = (char)c;
            else le->seq_long = 1;
            return LE_MORE;
        }
        le->state = ST_NORMAL;
        if (c >= 0x40 && c <= 0x7E) {
            csi_key(le, (char)c);
            return LE_MORE;
        }
        break; /* broken sequence: drop it, take c afresh */
    case ST_SS3:
        le->state = ST_NORMAL;
        if (c >= 0x40 && c <= 0x7E) {
            ss3_key(le, (char)c);
            return LE_MORE;
        }
        break;
    default:
        break;
    }
    if (after_cr && c == 0x0A) return LE_MORE;
    return plain_key(le, c);
}

/* Keep bytes for after the line that just finished. */
static void queue(lineedit *le, const uint8_t *buf, size_t n)
{
    if (n == 0) return;
    if (le->pend_off > 0) {
        memmove(le->pend, le->pend + le->pend_off, le->pend_len - le->pend_off);
        le->pend_len -= le->pend_off;
        le->pend_off = 0;
    }
    if (le->pend_len + n > le->pend_cap) {
        size_t cap = le->pend_cap ? le->pend_cap : 256;
        while (cap < le->pend_len + n) cap *= 2;
        uint8_t *p = realloc(le->pend, cap);
        if (!p) return; /* out of memory: the typed-ahead input is lost */
        le->pend = p;
        le->pend_cap = cap;
    }
    memcpy(le->pend + le->pend_len, buf, n);
    le->pend_len += n;
}

/* ---- public ---- */

lineedit *le_new(void)
{
    lineedit *le = calloc(1, sizeof *le);
    if (!le) return NULL;
    le->cols = LE_DEFAULT_COLS;
    le->hist_max = LE_DEFAULT_HISTORY;
    if (!reserve(le, 0)) {
        free(le);
        return NULL;
    }
    le->buf[0] = 0;
    return le;
}

void le_free(lineedit *le)
{
    if (!le) return;
    drop_edits(le);
    for (size_t i = 0; i < le->hist_len; i++) free(le->hist[i]);
    free(le->hist);
    free(le->buf);
    free(le->prompt);
    free(le->pend);
    free(le->kill);
    free(le->obuf);
    free(le);
}

void le_set_output(lineedit *le,
                   void (*out)(void *arg, const char *s, size_t n), void *arg)
{
    le->out = out;
    le->out_arg = arg;
}

void le_set_width(lineedit *le, int cols)
{
    le->cols = cols > 0 ? cols : LE_DEFAULT_COLS;
}

void le_begin(lineedit *le, const char *prompt, size_t prompt_len)
{
    /* only the text after the last line break is on the cursor's row */
    for (size_t i = prompt_len; i > 0; i--) {
        if (prompt[i - 1] == '\r' || prompt[i - 1] == '\n') {
            prompt += i;
            prompt_len -= i;
            break;
        }
    }
    free(le->prompt);
    le->prompt = malloc(prompt_len + 1);
    if (!le->prompt) prompt_len = 0;
    else if (prompt_len) memcpy(le->prompt, prompt, prompt_len);
    le->prompt_len = prompt_len;
    le->prompt_cols = prompt_cols(le->prompt, prompt_len);
    if (le->prompt_cols + LE_MIN_EDIT_COLS > le->cols) {
        emits(le, "\r\n");
        le->prompt_len = 0;
        le->prompt_cols = 0;
        out_flush(le);
    }
    le->len = 0;
    le->pos = 0;
    le->scroll = 0;
    le->buf[0] = 0;
    le->state = ST_NORMAL;
    le->active = 1;
    le->dirty = 0;
    drop_edits(le);
}

int le_feed(lineedit *le, const uint8_t *buf, size_t n)
{
    int r = LE_MORE;
    size_t i = 0;
    if (le->active) {
        while (r == LE_MORE && le->pend_off < le->pend_len)
            r = step(le, le->pend[le->pend_off++]);
        if (le->pend_off == le->pend_len) le->pend_off = le->pend_len = 0;
        while (r == LE_MORE && i < n) r = step(le, buf[i++]);
        if (r != LE_DONE && r != LE_EOF && r != LE_INTERRUPT && le->dirty)
            redraw(le);
    }
    if (i < n) queue(le, buf + i, n - i);
    out_flush(le);
    return r;
}

size_t le_pending(const lineedit *le) { return le->pend_len - le->pend_off; }

const char *le_line(lineedit *le, size_t *len)
{
    if (len) *len = le->len;
    return le->buf;
}

void le_redraw(lineedit *le)
{
    if (!le->active) return;
    redraw(le);
    out_flush(le);
}

/* test_lineedit.c -- tests of the line editor's state machine
 * (hosts/posix/lineedit.c), driven from memory: byte sequences go in, the
 * resulting line and status are checked, and the drawing is captured.
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -Werror -O2 -D_GNU_SOURCE -Iinclude \
 *            tests/unit/test_lineedit.c hosts/posix/lineedit.c -o /tmp/tle \
 *        && /tmp/tle
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <unistd.h>

#include "../../hosts/posix/lineedit.h"

static int passed, failed;

/* Record one check. */
static void check(int ok, const char *what, int line)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL line %d: %s\n", line, what);
    }
}
#define CHECK(c) check((c), #c, __LINE__)

/* Everything the editor drew since the last reset. */
static char out[1 << 20];
static size_t out_len;

/* Output callback: keep the drawing for inspection. */
static void capture(void *arg, const char *s, size_t n)
{
    (void)arg;
    if (out_len + n > sizeof out - 1) n = sizeof out - 1 - out_len;
    memcpy(out + out_len, s, n);
    out_len += n;
    out[out_len] = 0;
}

/* Forget the captured drawing. */
static void out_reset(void)
{
    out_len = 0;
    out[0] = 0;
}

/* Feed a NUL-terminated string. */
static int feed(lineedit *le, const char *s)
{
    return le_feed(le, (const uint8_t *)s, strlen(s));
}

/* Feed a string one byte per call, to split every sequence; returns the
 * status of the last call. */
static int feed_bytes(lineedit *le, const char *s)
{
    int r = LE_MORE;
    for (size_t i = 0; s[i] && r == LE_MORE; i++)
        r = le_feed(le, (const uint8_t *)s + i, 1);
    return r;
}

/* True when the current line is exactly `want`. */
static int line_is(lineedit *le, const char *want)
{
    size_t len;
    const char *l = le_line(le, &len);
    if (len != strlen(want) || strcmp(l, want) != 0) {
        printf("  line is \"%s\", expected \"%s\"\n", l, want);
        return 0;
    }
    return 1;
}

/* A fresh editor drawing into `out`, with prompt "> ". */
static lineedit *fresh(void)
{
    lineedit *le = le_new();
    le_set_output(le, capture, NULL);
    out_reset();
    le_begin(le, "> ", 2);
    return le;
}

/* Feed `keys` to a fresh editor; true when it ends with LE_DONE and the
 * line `want`.  Then the same, one byte per call. */
static int edit_gives(const char *keys, const char *want)
{
    int ok = 1;
    for (int split = 0; split < 2; split++) {
        lineedit *le = fresh();
        int r = split ? feed_bytes(le, keys) : feed(le, keys);
        if (r != LE_DONE) {
            printf("  status %d for keys, split %d\n", r, split);
            ok = 0;
        } else if (!line_is(le, want)) {
            ok = 0;
        }
        le_free(le);
    }
    return ok;
}

/* True when s is valid UTF-8 without control characters. */
static int clean_utf8(const char *s, size_t len)
{
    size_t i = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (i < len) {
        unsigned char c = u[i];
        int n;
        uint32_t cp;
        if (c < 0x20 || c == 0x7F) return 0;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
        else return 0;
        if (i + (size_t)n >= len) return 0;
        for (int k = 1; k <= n; k++) {
            if ((u[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += (size_t)n + 1;
    }
    return 1;
}

static void test_basic(void)
{
    CHECK(edit_gives("hello\r", "hello"));
    CHECK(edit_gives("hello\n", "hello"));
    CHECK(edit_gives("\r", ""));
    CHECK(edit_gives("a b (c)\r", "a b (c)"));
    CHECK(edit_gives("a\tb\r", "a  b"));
    /* control characters with no binding are ignored */
    CHECK(edit_gives("a\x12\x14\x1c\x1d\x1e\x1f" "b\r", "ab"));

    lineedit *le = fresh();
    CHECK(feed(le, "ab") == LE_MORE);
    CHECK(line_is(le, "ab"));
    CHECK(feed(le, "c") == LE_MORE);
    CHECK(feed(le, "\r") == LE_DONE);
    CHECK(line_is(le, "abc"));
    /* the drawing shows the prompt and the line, and ends the row */
    CHECK(strstr(out, "\r> abc\x1b[K") != NULL);
    CHECK(out_len >= 2 && !strcmp(out + out_len - 2, "\r\n"));
    le_free(le);
}

static void test_motion(void)
{
    CHECK(edit_gives("abc\x1b[D\x1b[DX\r", "aXbc"));
    CHECK(edit_gives("abc\x02\x02X\r", "aXbc"));
    CHECK(edit_gives("abc\x01\x06X\r", "aXbc"));
    CHECK(edit_gives("abc\x01\x1b[CX\r", "aXbc"));
    CHECK(edit_gives("abc\x1b[D\x1b[D\x1b[D\x1b[D\x1b[DX\r", "Xabc"));
    CHECK(edit_gives("abc\x1b[C\x1b[CX\r", "abcX"));
    /* Home and End in every spelling */
    const char *home[] = {"\x1b[H", "\x1bOH", "\x1b[1~", "\x1b[7~", "\x01"};
    const char *end[] = {"\x1b[F", "\x1bOF", "\x1b[4~", "\x1b[8~", "\x05"};
    for (size_t i = 0; i < sizeof home / sizeof home[0]; i++) {
        char keys[64];
        snprintf(keys, sizeof keys, "bc%sa%sd\r", home[i], end[i]);
        CHECK(edit_gives(keys, "abcd"));
    }
    /* application-mode cursor keys */
    CHECK(edit_gives("abc\x1bOD\x1bODX\x1bOCY\r", "aXbYc"));
    /* word motion: Alt-b, Alt-f, Ctrl-Left, Ctrl-Right */
    CHECK(edit_gives("(foo bar)\x1b" "bX\r", "(foo Xbar)"));
    CHECK(edit_gives("(foo bar)\x01\x1b" "fX\r", "(fooX bar)"));
    CHECK(edit_gives("foo bar\x1b[1;5DX\r", "foo Xbar"));
    CHECK(edit_gives("foo bar\x01\x1b[1;5CX\r", "fooX bar"));
}

static void test_deletion(void)
{
    CHECK(edit_gives("abc\x7f\r", "ab"));
    CHECK(edit_gives("abc\x08\x08\r", "a"));
    CHECK(edit_gives("\x7f\x7f" "a\r", "a"));
    CHECK(edit_gives("abc\x01\x1b[3~\r", "bc"));
    CHECK(edit_gives("abc\x1b[3~\r", "abc"));
    CHECK(edit_gives("abc\x01\x1b[3;5~\r", "bc"));
    CHECK(edit_gives("abc\x01\x04\r", "bc"));
    CHECK(edit_gives("abc\x02\x7f\r", "ac"));
}

static void test_kill(void)
{
    CHECK(edit_gives("hello world\x01\x06\x06\x06\x06\x06\x0b\r", "hello"));
    CHECK(edit_gives("hello world\x01\x06\x06\x06\x06\x06\x0b\x19\r",
                     "hello world"));
    CHECK(edit_gives("hello world\x0b\r", "hello world"));
    CHECK(edit_gives("hello world\x02\x02\x02\x02\x02\x15\r", "world"));
    CHECK(edit_gives("hello world\x15\r", ""));
    CHECK(edit_gives("hello world\x15\x19\x19\r", "hello worldhello world"));
    CHECK(edit_gives("foo bar baz\x17\r", "foo bar "));
    CHECK(edit_gives("foo bar  \x17\r", "foo "));
    CHECK(edit_gives("foo (bar\x17\r", "foo "));
    CHECK(edit_gives("\x17" "a\r", "a"));
    CHECK(edit_gives("foo bar baz\x02\x02\x02\x02\x17\r", "foo  baz"));
    /* Alt-d, Alt-Backspace */
    CHECK(edit_gives("foo bar\x01\x1b" "d\r", " bar"));
    CHECK(edit_gives("(foo bar)\x1b\x7f\r", "(foo "));
    CHECK(edit_gives("(foo bar)\x02\x1b\x7f\r", "(foo )"));
}

static void test_utf8(void)
{
    CHECK(edit_gives("caf\xc3\xa9\r", "caf\xc3\xa9"));
    CHECK(edit_gives("a\xe2\x82\xac" "b\r", "a\xe2\x82\xac" "b"));
    CHECK(edit_gives("\xf0\x9f\x98\x80\r", "\xf0\x9f\x98\x80"));
    /* the cursor moves by code point */
    CHECK(edit_gives("a\xe2\x82\xac" "b\x1b[D\x7f\r", "ab"));
    CHECK(edit_gives("a\xe2\x82\xac" "b\x1b[D\x1b[D\x7f\r",
                     "\xe2\x82\xac" "b"));
    CHECK(edit_gives("\xc3\xa9\xc3\xa8\x01\x1b[3~\r", "\xc3\xa8"));
    CHECK(edit_gives("\xf0\x9f\x98\x80x\x02\x02y\r", "y\xf0\x9f\x98\x80x"));
    CHECK(edit_gives("\xe6\x97\xa5\xe6\x9c\xac\x02\x04\r", "\xe6\x97\xa5"));
    /* malformed input is dropped; the byte that broke it counts alone */
    CHECK(edit_gives("\xc3(\r", "("));
    CHECK(edit_gives("a\xff\xfe" "b\r", "ab"));
    CHECK(edit_gives("\xc0\x80x\r", "x"));
    CHECK(edit_gives("\xe0\x80\xafx\r", "x"));          /* overlong */
    CHECK(edit_gives("\xed\xa0\x80x\r", "x"));          /* surrogate */
    CHECK(edit_gives("\xf4\x90\x80\x80x\r", "x"));      /* > U+10FFFF */
    CHECK(edit_gives("\xc2\x85x\r", "x"));              /* C1 control */
    CHECK(edit_gives("\xe2\x82\r", ""));                /* cut by Enter */

    /* a UTF-8 character split over three feeds */
    lineedit *le = fresh();
    CHECK(feed(le, "\xe2") == LE_MORE);
    CHECK(feed(le, "\x82") == LE_MORE);
    CHECK(line_is(le, ""));
    CHECK(feed(le, "\xac\r") == LE_DONE);
    CHECK(line_is(le, "\xe2\x82\xac"));
    le_free(le);
}

static void test_escapes(void)
{
    /* split at every byte is covered by edit_gives; here, by hand */
    lineedit *le = fresh();
    CHECK(feed(le, "abc") == LE_MORE);
    CHECK(feed(le, "\x1b") == LE_MORE);
    CHECK(feed(le, "[") == LE_MORE);
    CHECK(feed(le, "D") == LE_MORE);
    CHECK(feed(le, "X\x1b[") == LE_MORE);
    CHECK(feed(le, "3") == LE_MORE);
    CHECK(feed(le, "~\r") == LE_DONE);
    CHECK(line_is(le, "abX"));
    le_free(le);
    /* unknown sequences are ignored */
    CHECK(edit_gives("a\x1b[99Zb\x1b[?1;2cc\r", "abc"));
    CHECK(edit_gives("a\x1b[<0;1;1Mb\r", "ab"));
    CHECK(edit_gives("a\x1b[2~\x1b[5~\x1b[6~\x1b[15~b\r", "ab"));
    CHECK(edit_gives("a\x1b[1;2;3;4;5;6;7;8;9;10;11;12Xb\r", "ab"));
    CHECK(edit_gives("a\x1bOPb\x1bO~c\r", "abc"));
    CHECK(edit_gives("a\x1bxb\x1b" "1c\r", "abc"));
    /* ESC then a control key: the key works alone */
    CHECK(edit_gives("ab\x1b\r", "ab"));
    CHECK(edit_gives("ab\x1b\x1b[DX\r", "aXb"));
    CHECK(edit_gives("ab\x1b[\x01X\r", "Xab"));
}

static void test_history(void)
{
    lineedit *le = fresh();
    CHECK(le_history_add(le, "one") == 1);
    CHECK(le_history_add(le, "two") == 1);
    CHECK(le_history_add(le, "two") == 0);
    CHECK(le_history_add(le, "") == 0);
    CHECK(le_history_add(le, "three") == 1);
    CHECK(le_history_count(le) == 3);
    CHECK(!strcmp(le_history_get(le, 0), "one"));
    CHECK(le_history_get(le, 3) == NULL);

    le_begin(le, "> ", 2);
    feed(le, "draft");
    feed(le, "\x1b[A");
    CHECK(line_is(le, "three"));
    feed(le, "\x1b[A");
    CHECK(line_is(le, "two"));
    feed(le, "\x1b[B");
    CHECK(line_is(le, "three"));
    feed(le, "\x1b[B");
    CHECK(line_is(le, "draft"));
    feed(le, "\x1b[B");
    CHECK(line_is(le, "draft"));
    feed(le, "\x10\x10\x10\x10\x10");
    CHECK(line_is(le, "one"));
    feed(le, "\x0e");
    CHECK(line_is(le, "two"));
    /* an edited entry keeps its edit while this line is browsed */
    feed(le, "\x7f" "o");
    feed(le, "\x0e\x10");
    CHECK(line_is(le, "two"));
    feed(le, "\x0e\x0e");
    CHECK(line_is(le, "draft"));
    feed(le, "\x10\x10");
    CHECK(line_is(le, "two"));
    feed(le, "\x7f\x7f" "ooo");
    feed(le, "\x10\x0e");
    CHECK(line_is(le, "tooo"));
    CHECK(feed(le, "\r") == LE_DONE);
    CHECK(line_is(le, "tooo"));
    /* the history itself is unchanged */
    CHECK(!strcmp(le_history_get(le, 1), "two"));
    le_history_add(le, "tooo");
    CHECK(le_history_count(le) == 4);
    /* the edits are gone on the next line */
    le_begin(le, "> ", 2);
    feed(le, "\x1b[A\x1b[A");
    CHECK(line_is(le, "three"));
    feed(le, "\x1bOA");
    CHECK(line_is(le, "two"));
    feed(le, "\x1bOB\x1bOB\x1bOB");
    CHECK(line_is(le, ""));
    CHECK(feed(le, "\x10\r") == LE_DONE);
    CHECK(line_is(le, "tooo"));
    le_free(le);

    /* the cap drops the oldest */
    le = fresh();
    le_history_set_max(le, 3);
    le_history_add(le, "a");
    le_history_add(le, "b");
    le_history_add(le, "c");
    le_history_add(le, "d");
    le_history_add(le, "e");
    CHECK(le_history_count(le) == 3);
    CHECK(!strcmp(le_history_get(le, 0), "c"));
    CHECK(!strcmp(le_history_get(le, 2), "e"));
    le_history_set_max(le, 2);
    CHECK(le_history_count(le) == 2);
    CHECK(!strcmp(le_history_get(le, 0), "d"));
    /* control characters never reach the history */
    le_history_add(le, "x\x1b[2Jy\tz");
    CHECK(!strcmp(le_history_get(le, 1), "x [2Jy z"));
    /* Up with an empty history does nothing */
    le_free(le);
    CHECK(edit_gives("a\x1b[A\x1b[Bb\r", "ab"));
}

static void test_history_file(void)
{
    char dir[] = "/tmp/pith-le-XXXXXX";
    char path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/history", dir);
    lineedit *le = fresh();
    CHECK(le_history_load(le, path) == 0); /* no file yet */
    CHECK(le_history_append(path, "(define x 1)") == 0);
    CHECK(le_history_append(path, "(+ x 1)") == 0);
    CHECK(le_history_append(path, "(+ x 1)") == 0);
    CHECK(le_history_load(le, path) == 3);
    CHECK(le_history_count(le) == 2);
    CHECK(!strcmp(le_history_get(le, 1), "(+ x 1)"));
    le_free(le);

    le = fresh();
    le_history_set_max(le, 2);
    for (int i = 0; i < 5; i++) {
        char line[32];
        snprintf(line, sizeof line, "line %d", i);
        le_history_append(path, line);
    }
    CHECK(le_history_load(le, path) == 8);
    CHECK(le_history_count(le) == 2);
    CHECK(!strcmp(le_history_get(le, 0), "line 3"));
    CHECK(le_history_save(le, path) == 0);
    le_free(le);
    le = fresh();
    CHECK(le_history_load(le, path) == 2);
    CHECK(le_history_count(le) == 2);
    CHECK(!strcmp(le_history_get(le, 1), "line 4"));
    CHECK(le_history_load(le, dir) == -1); /* a directory */
    le_free(le);
    unlink(path);
    rmdir(dir);
}

static void test_end_of_line(void)
{
    /* Ctrl-C discards the line */
    lineedit *le = fresh();
    feed(le, "abc");
    out_reset();
    CHECK(feed(le, "\x03") == LE_INTERRUPT);
    CHECK(strstr(out, "^C") != NULL);
    le_begin(le, "> ", 2);
    CHECK(line_is(le, ""));
    CHECK(feed(le, "x\r") == LE_DONE);
    CHECK(line_is(le, "x"));
    /* Ctrl-D: EOF on an empty line, delete otherwise */
    le_begin(le, "> ", 2);
    out_reset();
    CHECK(feed(le, "\x04") == LE_EOF);
    CHECK(strstr(out, "\r\n") != NULL);
    le_begin(le, "> ", 2);
    CHECK(feed(le, "ab\x04") == LE_MORE);
    CHECK(line_is(le, "ab"));
    CHECK(feed(le, "\x02\x04") == LE_MORE);
    CHECK(line_is(le, "a"));
    CHECK(feed(le, "\x04\x04") == LE_MORE);
    CHECK(line_is(le, "a"));
    CHECK(feed(le, "\x7f\x04") == LE_EOF);
    /* Ctrl-Z keeps the line */
    le_begin(le, "> ", 2);
    CHECK(feed(le, "ab\x1a" "c") == LE_SUSPEND);
    CHECK(le_pending(le) == 1);
    le_redraw(le);
    CHECK(feed(le, "\r") == LE_DONE);
    CHECK(line_is(le, "abc"));
    le_free(le);
}

static void test_typeahead(void)
{
    /* several lines in one feed come out one at a time */
    lineedit *le = fresh();
    CHECK(feed(le, "first\rsecond\r\nthird\n") == LE_DONE);
    CHECK(line_is(le, "first"));
    CHECK(le_pending(le) == strlen("second\r\nthird\n"));
    /* while no line is being edited, input is only queued */
    CHECK(feed(le, "fourth") == LE_MORE);
    le_begin(le, "> ", 2);
    CHECK(le_feed(le, NULL, 0) == LE_DONE);
    CHECK(line_is(le, "second"));
    le_begin(le, "> ", 2);
    CHECK(le_feed(le, NULL, 0) == LE_DONE); /* the LF of CR LF is skipped */
    CHECK(line_is(le, "third"));
    le_begin(le, "> ", 2);
    CHECK(le_feed(le, NULL, 0) == LE_MORE);
    CHECK(le_pending(le) == 0);
    CHECK(feed(le, "\r") == LE_DONE);
    CHECK(line_is(le, "fourth"));
    /* CR then LF across feeds is one Enter, too */
    le_begin(le, "> ", 2);
    CHECK(feed(le, "a\r") == LE_DONE);
    le_begin(le, "> ", 2);
    CHECK(feed(le, "\nb\r") == LE_DONE);
    CHECK(line_is(le, "b"));
    /* but two LFs are two lines */
    le_begin(le, "> ", 2);
    CHECK(feed(le, "c\n") == LE_DONE);
    le_begin(le, "> ", 2);
    CHECK(feed(le, "\n") == LE_DONE);
    le_begin(le, "> ", 2);
    CHECK(feed(le, "\n") == LE_DONE);
    CHECK(line_is(le, ""));
    le_free(le);
}

/* The last redraw in `out`: from its last "\r" + prompt to "\x1b[K". */
static const char *last_row(const char *prompt, size_t *len)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\r%s", prompt);
    const char *p = NULL, *q = out;
    while ((q = strstr(q, pat)) != NULL) p = q++;
    if (!p) return NULL;
    const char *e = strstr(p, "\x1b[K");
    if (!e) return NULL;
    *len = (size_t)(e - p) - 1 - strlen(prompt);
    return p + 1 + strlen(prompt);
}

static void test_drawing(void)
{
    size_t n;
    const char *row;
    /* the cursor column after the prompt and the line */
    lineedit *le = fresh();
    feed(le, "abc");
    CHECK(strstr(out, "\x1b[5C") != NULL);
    out_reset();
    feed(le, "\x02");
    CHECK(strstr(out, "\x1b[4C") != NULL);
    le_free(le);
    /* escape codes in the prompt take no columns */
    le = le_new();
    le_set_output(le, capture, NULL);
    out_reset();
    le_begin(le, "\x1b[1m> \x1b[0m", 10);
    feed(le, "abc");
    CHECK(strstr(out, "\x1b[5C") != NULL);
    CHECK(strstr(out, "\r\x1b[1m> \x1b[0m" "abc\x1b[K") != NULL);
    le_free(le);
    /* wide characters take two columns */
    le = fresh();
    feed(le, "\xe6\x97\xa5\xe6\x9c\xac");
    CHECK(strstr(out, "\x1b[6C") != NULL);
    le_free(le);
    /* only the text after the last line break is the prompt */
    le = le_new();
    le_set_output(le, capture, NULL);
    out_reset();
    le_begin(le, "result\n$ ", 9);
    feed(le, "x");
    CHECK(strstr(out, "\r$ x\x1b[K") != NULL);
    CHECK(strstr(out, "result") == NULL);
    le_free(le);
    /* Ctrl-L clears the screen and redraws */
    le = fresh();
    feed(le, "abc");
    out_reset();
    feed(le, "\x0c");
    CHECK(strstr(out, "\x1b[2J") != NULL);
    CHECK(strstr(out, "\r> abc\x1b[K") != NULL);
    CHECK(feed(le, "\r") == LE_DONE);
    CHECK(line_is(le, "abc"));
    le_free(le);
    /* a line wider than the terminal scrolls: the row never overflows */
    le = le_new();
    le_set_output(le, capture, NULL);
    le_set_width(le, 20);
    out_reset();
    le_begin(le, "> ", 2);
    char keys[64];
    for (int i = 0; i < 50; i++) keys[i] = (char)('a' + i % 26);
    keys[50] = 0;
    feed(le, keys);
    row = last_row("> ", &n);
    CHECK(row && n == 17 && !memcmp(row, keys + 33, 17));
    out_reset();
    feed(le, "\x01");
    row = last_row("> ", &n);
    CHECK(row && n == 17 && !memcmp(row, keys, 17));
    out_reset();
    feed(le, "\x05\x7f\x7f\x7f");
    row = last_row("> ", &n);
    CHECK(row && n == 17 && !memcmp(row, keys + 30, 17));
    for (int step = 0; step < 60; step++) {
        out_reset();
        feed(le, "\x1b[D");
        row = last_row("> ", &n);
        CHECK(!row || n <= 17);
    }
    CHECK(feed(le, "\r") == LE_DONE);
    CHECK(line_is(le, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstu"));
    le_free(le);
    /* a prompt that leaves no room starts a fresh row without it */
    le = le_new();
    le_set_output(le, capture, NULL);
    le_set_width(le, 20);
    out_reset();
    le_begin(le, "a long long prompt ", 19);
    CHECK(!strcmp(out, "\r\n"));
    feed(le, "x");
    CHECK(strstr(out, "\rx\x1b[K") != NULL);
    CHECK(strstr(out, "prompt") == NULL);
    le_free(le);
}

/* Random input never breaks the editor or the buffer's UTF-8. */
static void test_random(void)
{
    unsigned seed = 12345;
    lineedit *le = fresh();
    le_set_width(le, 30);
    le_history_add(le, "(define (f x) (* x x))");
    le_history_add(le, "\xe6\x97\xa5\xe6\x9c\xac \xc3\xa9t\xc3\xa9");
    static const char *const pieces[] = {
        "a", "(", " ", "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80",
        "\x1b", "[", "O", "A", "B", "C", "D", "H", "F", "3", "~", ";",
        "\x7f", "\x08", "\x01", "\x02", "\x04", "\x05", "\x06", "\x0b",
        "\x0c", "\x0e", "\x10", "\x15", "\x17", "\x19", "\x09", "\xe2",
        "\x82", "\xff", "\xc3", "\r", "\n", "\x03", "\x1a", "5",
    };
    int bad = 0, lines = 0;
    for (int iter = 0; iter < 200000; iter++) {
        seed = seed * 1103515245u + 12345u;
        const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)];
        int r = feed(le, p);
        size_t len;
        const char *l = le_line(le, &len);
        if (len != strlen(l) || !clean_utf8(l, len)) bad++;
        while (r != LE_MORE) {
            if (r == LE_DONE) {
                lines++;
                le_history_add(le, l);
            }
            if (r != LE_SUSPEND) le_begin(le, "> ", 2);
            r = le_feed(le, NULL, 0);
            l = le_line(le, &len);
            if (len != strlen(l) || !clean_utf8(l, len)) bad++;
        }
    }
    CHECK(bad == 0);
    CHECK(lines > 100);
    le_free(le);
}

int main(void)
{
    test_basic();
    test_motion();
    test_deletion();
    test_kill();
    test_utf8();
    test_escapes();
    test_history();
    test_history_file();
    test_end_of_line();
    test_typeahead();
    test_drawing();
    test_random();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

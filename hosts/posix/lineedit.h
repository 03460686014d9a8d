/* lineedit.h -- a small, non-blocking line editor for terminals.
 *
 * The editor is a pure state machine: the caller feeds it the bytes the
 * terminal sent (in raw mode) whenever they arrive, in pieces of any size,
 * and it answers whether a line is complete.  It draws through an output
 * callback and touches no file descriptor itself, so the POSIX host drives
 * it from its non-blocking console read and tests drive it from memory.
 *
 * Editing is on one terminal row, scrolled horizontally when the prompt
 * and the line do not fit.  The line is UTF-8; the cursor moves by code
 * point.  Keys: printable text, Backspace, Delete, Left/Right, Home/End,
 * Up/Down (history), Ctrl-A B D E F K L N P U W Y, Alt-B/F/D/Backspace,
 * Ctrl-Left/Right, Tab (two spaces), Enter, Ctrl-C, Ctrl-Z.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PITH_LINEEDIT_H
#define PITH_LINEEDIT_H

#include <stddef.h>
#include <stdint.h>

/* Results of le_feed. */
enum {
    LE_MORE = 0,      /* the line is not finished: feed more input */
    LE_DONE = 1,      /* Enter: le_line() holds the line (no newline) */
    LE_EOF = 2,       /* Ctrl-D on an empty line */
    LE_INTERRUPT = 3, /* Ctrl-C: the line was discarded, "^C" printed */
    LE_SUSPEND = 4    /* Ctrl-Z: the caller may stop the process; the line
                         is kept, call le_redraw when it resumes */
};

typedef struct lineedit lineedit;

/* A new editor with an empty history and no output; NULL if out of memory. */
lineedit *le_new(void);
void le_free(lineedit *le);

/* Where drawing goes (NULL: nowhere).  Bytes are terminal output: text and
 * ANSI escape sequences, with explicit "\r\n" line ends. */
void le_set_output(lineedit *le,
                   void (*out)(void *arg, const char *s, size_t n),
                   void *arg);
/* Terminal width in columns (default 80); takes effect at the next redraw. */
void le_set_width(lineedit *le, int cols);

/* Begin editing a new, empty line.  `prompt` is what is already shown on
 * the terminal row left of the cursor (it may contain colour escapes); it
 * is redrawn with the line.  A prompt too wide to leave room for editing
 * makes the editor start on a fresh row with no prompt. */
void le_begin(lineedit *le, const char *prompt, size_t prompt_len);
/* Feed input bytes (buf may be NULL when n is 0).  Returns one of LE_*.
 * Bytes after the key that finished a line are kept, and are processed
 * first by the next le_feed after le_begin: le_pending tells how many. */
int le_feed(lineedit *le, const uint8_t *buf, size_t n);
/* Bytes received but not yet processed (typed ahead of the next line). */
size_t le_pending(const lineedit *le);
/* The line after LE_DONE (or the line so far), NUL-terminated, without
 * newline; valid until the next call that edits. */
const char *le_line(lineedit *le, size_t *len);
/* Draw the prompt and line again, e.g. after other output hid them. */
void le_redraw(lineedit *le);

/* ---- history ---- */

/* Add `line` as the newest entry, unless it is empty or equal to the newest
 * entry; control characters become spaces.  Drops the oldest entry beyond
 * the limit.  Returns 1 when added, 0 when skipped or out of memory. */
int le_history_add(lineedit *le, const char *line);
/* Keep at most `max` entries (default 1000; at least 1). */
void le_history_set_max(lineedit *le, size_t max);
/* Number of entries, and entry i (0 = oldest), or NULL. */
size_t le_history_count(const lineedit *le);
const char *le_history_get(const lineedit *le, size_t i);
/* Add every line of the file at `path` (one entry per line).  Returns the
 * number of non-empty lines in the file (0 if it does not exist), or -1 on
 * another error. */
long le_history_load(lineedit *le, const char *path);
/* Replace the file at `path` by the current history.  0 or -1. */
int le_history_save(const lineedit *le, const char *path);
/* Append one entry to the file at `path` (created with mode 0600).  0 or -1. */
int le_history_append(const char *path, const char *line);

#endif

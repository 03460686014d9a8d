/* posix_host.h -- the POSIX (Linux) host port: a pith_host for a process.
 *
 * It lends the guest memory (mmap), clocks, the console (stdout buffered by
 * the host; stdin read without blocking, through a line editor of our own
 * when stdin and stdout are terminals), the process's arguments and
 * environment, and files.  It has no network, display or input events.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PITH_POSIX_HOST_H
#define PITH_POSIX_HOST_H

#include "../../include/pith/host.h"

typedef struct posix_host posix_host;

/* Create a host.  argv[0..argc) are what the program sees as
 * (command-line): argv[0] is the program/script name.  The strings are
 * copied.  NULL if out of memory. */
posix_host *posix_host_new(int argc, char **argv);
/* The pith_host to pass to pith_open; valid until posix_host_free. */
const pith_host *posix_host_get(posix_host *h);
/* Flush console output, restore the terminal, free everything. */
void posix_host_free(posix_host *h);
/* Line editing on a terminal: enabled by default when stdin and stdout are
 * terminals and TERM is not "dumb"; this turns it off (e.g. --no-edit), or
 * back on (only where it could be on by default). */
void posix_host_set_editing(posix_host *h, int on);
/* File for history (NULL: no history file).  Loaded now, appended as lines
 * are entered, capped at 1000 entries. */
void posix_host_set_history_file(posix_host *h, const char *path);
/* Flush buffered console output (call before exiting the process). */
void posix_host_flush(posix_host *h);
/* Set a function the host calls when the user presses Ctrl-C while editing
 * a line (the pith command passes one that calls pith_interrupt).  Without
 * one, Ctrl-C discards the line and the host prompts again by itself. */
void posix_host_set_interrupt(posix_host *h, void (*fn)(void *arg),
                              void *arg);

#endif

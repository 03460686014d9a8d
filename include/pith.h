/* pith.h -- the embedding API of Pith, an embeddable, image-based Scheme.
 *
 * A program embeds Pith by opening a VM with a host (include/pith/host.h),
 * evaluating code and calling procedures, and reading values back through
 * handles.  docs/embedding.md explains it with examples/embed.c.
 *
 *  - Every VM is independent; many may live in one process.  A VM is used
 *    by one thread at a time.
 *  - Values cross the API as handles (pith_value), which keep their value
 *    alive across garbage collections.  A handle made while a scope is open
 *    is released when the scope ends; pith_persist makes one that lives
 *    until pith_release.
 *  - Functions that run Scheme code return a pith_status.  On PITH_ERROR the
 *    error is described by pith_error_message, pith_error_irritants,
 *    pith_error_location and pith_error_backtrace until the next call that
 *    runs code.  A Scheme error never unwinds through the embedder's frames.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PITH_H
#define PITH_H

#include <stddef.h>
#include <stdint.h>
#include "pith/host.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PITH_VERSION_MAJOR 0
#define PITH_VERSION_MINOR 1
#define PITH_VERSION_PATCH 0
#define PITH_VERSION_STRING "0.1.0"

typedef struct pith_vm pith_vm;

/* A handle to a Scheme value.  0 is never a valid handle (PITH_NONE). */
typedef uint64_t pith_value;
#define PITH_NONE ((pith_value)0)

/* Results of calls that run code. */
typedef enum pith_status {
    PITH_OK = 0,        /* finished; the result is in *result */
    PITH_ERROR = 1,     /* an uncaught error; see pith_error_message */
    PITH_EXIT = 2,      /* the program called exit; see pith_exit_status */
    PITH_YIELD = 3,     /* pith_run's budget is spent: call pith_run again */
    PITH_WAITING = 4,   /* waiting for host I/O: call pith_run after the
                           host's wait (only from pith_run) */
    PITH_BAD_IMAGE = 5, /* pith_open: the image is not valid */
    PITH_NO_MEMORY = 6, /* the host could not lend memory to start */
    PITH_MISUSE = 7     /* a bad argument to the API (wrong VM, bad handle,
                           a call while the VM is busy) */
} pith_status;

/* Options for pith_open.  Zero means "the default" for every member. */
typedef struct pith_options {
    uint32_t size;            /* sizeof(pith_options) */
    const void *image;        /* image bytes; NULL: the built-in boot image */
    size_t image_size;
    size_t heap_limit;        /* bytes of heap the VM may use; 0: no limit */
    size_t nursery_size;      /* bytes of the young generation; 0: 1 MiB */
    int gc_stress;            /* nonzero: collect at every allocation (slow;
                                 for testing) */
    int max_compile_depth;    /* nesting depth the compiler accepts; 0: 400 */
} pith_options;

/* Open a VM on `host`.  On failure returns NULL and, when `status` is not
 * NULL, stores why (PITH_BAD_IMAGE, PITH_NO_MEMORY, PITH_MISUSE) and a
 * message in `err` (NUL-terminated, at most `errcap` bytes). */
pith_vm *pith_open(const pith_host *host, const pith_options *opts,
                   pith_status *status, char *err, size_t errcap);
/* Open a VM on the image in file `path`, read through the host's storage
 * (pith_open with opts->image does the same for an image in memory);
 * then pith_resume continues it.  Fails like pith_open, also with
 * PITH_BAD_IMAGE when the file cannot be read (the message says why). */
pith_vm *pith_load_image(const pith_host *host, const pith_options *opts, const char *path,
                         pith_status *status, char *err, size_t errcap);
/* Close a VM and return all its memory to the host. */
void pith_close(pith_vm *vm);

/* ---- running code ---- */

/* Evaluate every form in `src` (UTF-8) in the interaction environment;
 * *result (may be NULL) receives the value of the last one.  `name` labels
 * source locations in errors (NULL: "<string>"). */
pith_status pith_eval_string(pith_vm *vm, const char *src, const char *name,
                             pith_value *result);
/* Load and run a file through the host's storage, like Scheme `load`. */
pith_status pith_load(pith_vm *vm, const char *path, pith_value *result);
/* Call procedure `proc` with `argc` arguments. */
pith_status pith_call(pith_vm *vm, pith_value proc, int argc,
                      const pith_value *argv, pith_value *result);
/* Look up a global variable of the interaction environment. */
pith_status pith_lookup(pith_vm *vm, const char *name, pith_value *result);
/* Define (or redefine) a global variable of the interaction environment. */
pith_status pith_define(pith_vm *vm, const char *name, pith_value value);

/* Run the REPL on the host's console until end of input or exit. */
pith_status pith_repl(pith_vm *vm);
/* Run an R7RS program file (imports, then a body); an uncaught error
 * returns PITH_ERROR (pith_error_report describes it). */
pith_status pith_run_program(pith_vm *vm, const char *path);

/* Images of a running system (docs/embedding.md, "Images").
 * pith_save_image writes the whole heap to path through the host's
 * storage; a program saves itself with (save-image path) instead.  To
 * resume, open a VM with the image's bytes in pith_options.image, then
 * call pith_resume: it runs the (on-resume ...) thunks and continues the
 * computation that called save-image (which returns the symbol resumed),
 * or calls main (an image of `pith --save-image`); for an image saved by
 * pith_save_image it only runs the thunks.  *result (may be NULL): the
 * value of that computation. */
pith_status pith_save_image(pith_vm *vm, const char *path);
pith_status pith_resume(pith_vm *vm, pith_value *result);

/* Add directory `dir` to the places `import` looks for a library (a
 * library (a b c) is the file a/b/c.sld in one of them): at the front
 * (at_end 0, searched first) or at the end.  PITH_OK, or PITH_NO_MEMORY,
 * or PITH_MISUSE for a NULL or empty dir. */
pith_status pith_add_library_path(pith_vm *vm, const char *dir, int at_end);

/* Profiling.  pith_profile(vm, 1) starts counting (again from zero): every
 * instruction executed, by opcode, and the time spent in each procedure
 * (the clock is read every few thousand procedure calls and the interval
 * charged to the procedure running then); pith_profile(vm, 0) stops and
 * frees the data.  pith_profile_report writes a text report (procedures by
 * time, then opcodes by count) into buf, NUL-terminated, and returns the
 * length it needs, like snprintf. */
pith_status pith_profile(pith_vm *vm, int on);
size_t pith_profile_report(pith_vm *vm, char *buf, size_t cap);

/* Running in slices, for hosts that drive the VM from an event loop:
 * pith_begin_call sets up a call without running it; pith_run runs for at
 * most `budget` steps (-1: no limit) and returns PITH_YIELD when the budget
 * is spent, PITH_WAITING when the program waits for host I/O (the host
 * should call pith_run again once I/O may be ready), or the final status;
 * *result receives the value when it returns PITH_OK. */
pith_status pith_begin_call(pith_vm *vm, pith_value proc, int argc,
                            const pith_value *argv);
pith_status pith_begin_eval(pith_vm *vm, const char *src, const char *name);
pith_status pith_run(pith_vm *vm, int64_t budget, pith_value *result);

/* ---- C primitives ---- */

/* A primitive receives its arguments as handles valid during the call, and
 * stores its result in *result (PITH_NONE means "unspecified").  It returns
 * PITH_OK, or the value of pith_raise to signal an error.  It must not call
 * back into Scheme (pith_call and friends fail with PITH_MISUSE inside it). */
typedef pith_status (*pith_cfunc)(pith_vm *vm, int argc,
                                  const pith_value *argv, pith_value *result,
                                  void *data);
/* Bind `name` in the interaction environment to a primitive taking
 * `min_args` to `max_args` arguments (max_args < 0: any number). */
pith_status pith_define_primitive(pith_vm *vm, const char *name,
                                  pith_cfunc fn, int min_args, int max_args,
                                  void *data);
/* From a primitive: raise an error with `message` and irritants; returns
 * PITH_ERROR for the primitive to return. */
pith_status pith_raise(pith_vm *vm, const char *message, int nirritants,
                       const pith_value *irritants);

/* ---- handles ---- */

/* Scopes: handles made after pith_scope_begin are released by the
 * matching pith_scope_end (scopes nest).  Handles made outside any scope
 * live until pith_close or pith_release. */
typedef uint32_t pith_scope;
pith_scope pith_scope_begin(pith_vm *vm);
void pith_scope_end(pith_vm *vm, pith_scope scope);
/* A persistent handle to the same value; lives until pith_release. */
pith_value pith_persist(pith_vm *vm, pith_value v);
void pith_release(pith_vm *vm, pith_value v);

/* ---- making values (each returns a new handle, PITH_NONE when out of
 * memory) ---- */
pith_value pith_int(pith_vm *vm, int64_t n);
pith_value pith_float(pith_vm *vm, double d);
pith_value pith_bool(pith_vm *vm, int b);
pith_value pith_char(pith_vm *vm, uint32_t codepoint);
pith_value pith_string(pith_vm *vm, const char *utf8, size_t len);
pith_value pith_symbol(pith_vm *vm, const char *utf8);
pith_value pith_null(pith_vm *vm);
pith_value pith_void(pith_vm *vm);
pith_value pith_cons(pith_vm *vm, pith_value car, pith_value cdr);
pith_value pith_vector(pith_vm *vm, size_t n, const pith_value *elts);

/* ---- inspecting values ---- */
typedef enum pith_type {
    PITH_T_OTHER, PITH_T_INT, PITH_T_FLOAT, PITH_T_BOOL, PITH_T_CHAR,
    PITH_T_STRING, PITH_T_SYMBOL, PITH_T_NULL, PITH_T_PAIR, PITH_T_VECTOR,
    PITH_T_PROCEDURE, PITH_T_BYTEVECTOR, PITH_T_VOID, PITH_T_EOF,
    PITH_T_NUMBER /* a number of another kind (bignum, rational...) */
} pith_type;
pith_type pith_type_of(pith_vm *vm, pith_value v);
/* Conversions; *ok (may be NULL) is set to 0 when the value has the wrong
 * type or does not fit. */
int64_t pith_to_int(pith_vm *vm, pith_value v, int *ok);
double pith_to_float(pith_vm *vm, pith_value v, int *ok);
int pith_is_true(pith_vm *vm, pith_value v);
uint32_t pith_to_char(pith_vm *vm, pith_value v, int *ok);
/* UTF-8 of a string or symbol into buf (NUL-terminated when cap > 0);
 * returns the full length in bytes, or -1 for another type. */
long pith_to_utf8(pith_vm *vm, pith_value v, char *buf, size_t cap);
pith_value pith_car(pith_vm *vm, pith_value pair);
pith_value pith_cdr(pith_vm *vm, pith_value pair);
/* Length of a proper list, or -1. */
long pith_list_length(pith_vm *vm, pith_value list);
long pith_vector_length(pith_vm *vm, pith_value v);
pith_value pith_vector_ref(pith_vm *vm, pith_value v, size_t i);
/* The external representation of v as `write` prints it, like
 * pith_to_utf8. */
long pith_write_to_utf8(pith_vm *vm, pith_value v, char *buf, size_t cap);
/* Same object (eq?). */
int pith_eq(pith_vm *vm, pith_value a, pith_value b);

/* ---- limits ---- */

/* Heap limit in bytes (0: none).  Reaching it raises a catchable
 * heap-exhausted error in the program. */
void pith_set_heap_limit(pith_vm *vm, size_t bytes);
/* Fuel: the number of steps (calls and backward jumps) the program may
 * take before a catchable fuel-exhausted error (-1: unlimited). */
void pith_set_fuel(pith_vm *vm, int64_t steps);
/* Ask the running computation to stop with a catchable "interrupted"
 * error.  Safe to call from a signal handler or another thread. */
void pith_interrupt(pith_vm *vm);

/* ---- errors (valid after a call returned PITH_ERROR) ---- */

/* The error's message, without irritants. */
const char *pith_error_message(pith_vm *vm);
/* The error object raised (a handle), or PITH_NONE. */
pith_value pith_error_object(pith_vm *vm);
/* The irritants as a list handle. */
pith_value pith_error_irritants(pith_vm *vm);
/* "file:line:column" of the error, or NULL when unknown. */
const char *pith_error_location(pith_vm *vm);
/* A backtrace, one frame per line, innermost first; "" when none. */
const char *pith_error_backtrace(pith_vm *vm);
/* The whole report as the pith command prints it (message, irritants,
 * location and backtrace). */
const char *pith_error_report(pith_vm *vm);
/* After PITH_EXIT: the status the program passed to exit. */
int pith_exit_status(pith_vm *vm);

/* ---- the built-in boot image ---- */
const void *pith_boot_image(size_t *size);

#ifdef __cplusplus
}
#endif
#endif

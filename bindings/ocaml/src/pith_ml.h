/* pith_ml.h -- the C side of the OCaml bindings (pith_ml.c): a pith_host
 * whose functions call OCaml (through the Cstubs_inverted stubs), and
 * small wrappers that give the OCaml side simple signatures.
 * SPDX-License-Identifier: MIT
 */
#ifndef PITH_ML_H
#define PITH_ML_H
#include <stddef.h>
#include <stdint.h>
#include "pith.h"

/* Open a VM whose host is OCaml host number `host_id`.  args and env are
 * nargs (nenv) NUL-separated strings (argument 0 is the program name; env
 * entries are NAME=VALUE).  has_storage 0: the host lends no storage;
 * has_wait 0: no wait (pith_run then returns PITH_WAITING to OCaml).
 * image: NULL for the boot image.  Returns NULL with *status and err set. */
pith_vm *pith_ml_open(intptr_t host_id, const char *args, int nargs, const char *env, int nenv,
                      const char *features, int has_storage, int has_wait, int interactive,
                      const char *image, size_t image_len, size_t heap_limit, int gc_stress,
                      int *status, char *err, size_t errcap);
/* The same, resuming the image in file `path` (read through the host). */
pith_vm *pith_ml_load_image(intptr_t host_id, const char *args, int nargs, const char *env, int nenv,
                            const char *features, int has_storage, int has_wait, int interactive,
                            const char *path, int *status, char *err, size_t errcap);
/* Close the VM and free its host. */
void pith_ml_close(pith_vm *vm);
/* Bind `name` to OCaml primitive number prim_id of the VM's host. */
int pith_ml_define_primitive(pith_vm *vm, const char *name, intptr_t prim_id, int min_args, int max_args);
/* The host number a VM was opened with (-1 for a NULL vm). */
intptr_t pith_ml_host_id(pith_vm *vm);
/* Results through pointers, for ctypes: each returns the status. */
int pith_ml_eval(pith_vm *vm, const char *src, const char *name, uint64_t *result);
int pith_ml_call(pith_vm *vm, uint64_t proc, int argc, const uint64_t *argv, uint64_t *result);
int pith_ml_lookup(pith_vm *vm, const char *name, uint64_t *result);
int pith_ml_run(pith_vm *vm, int64_t budget, uint64_t *result);
int pith_ml_resume(pith_vm *vm, uint64_t *result);
int pith_ml_load(pith_vm *vm, const char *path, uint64_t *result);
/* A string value from OCaml bytes (which may hold NULs). */
uint64_t pith_ml_string(pith_vm *vm, const char *bytes, size_t len);
/* A string or symbol's UTF-8 into a fresh malloc'd buffer *out of *len
 * bytes (freed by pith_ml_free); 0, or -1 for another type. */
int pith_ml_to_utf8(pith_vm *vm, uint64_t v, char **out, size_t *len);
int pith_ml_write_to_utf8(pith_vm *vm, uint64_t v, char **out, size_t *len);
void pith_ml_free(char *p);
#endif

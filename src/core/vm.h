/* vm.h -- the VM structure and the core's internal interfaces.
 *
 * Conventions (DESIGN.md):
 *  - Every function that can allocate or fail returns an int status
 *    (PITH_OK or PITH_ERROR with the condition in vm->r.exn) that its caller
 *    checks with TRY().  No longjmp.
 *  - A C local holding a heap pointer across an allocation must be
 *    registered with GC_ROOT() inside a GC_SCOPE(): the collector moves
 *    objects and updates the registered locals.
 *  - Stores into heap objects go through pv_store() (the write barrier).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PITH_VM_H
#define PITH_VM_H

#include "../../include/pith.h"
#include <stdarg.h>
#include "value.h"

#define TRY(e) do { int try_s_ = (e); if (try_s_) return try_s_; } while (0)

/* ---- opcodes, declared once (opcodes.def) ---- */
enum {
#define OP(name, extra, doc) OP_##name,
#include "opcodes.def"
#undef OP
    OP_COUNT
};

/* ---- primitives, declared once (prims.def) ---- */
typedef int (*prim_fn)(pith_vm *vm, int argc);
enum {
#define P(cname, sname, min, max, op) PRIM_##cname,
#include "prims.def"
#undef P
    PRIM_BUILTIN_COUNT
};
#define P(cname, sname, min, max, op) int prim_##cname(pith_vm *vm, int argc);
#include "prims.def"
#undef P

/* An embedder-defined primitive (pith_define_primitive). */
typedef struct user_prim {
    pith_cfunc fn;
    void *data;
} user_prim;

/* A chunk of old-generation memory from the host. */
typedef struct chunk {
    struct chunk *next;  /* next chunk of the same space, in allocation order */
    size_t size;         /* bytes of the whole block, this header included */
    uint8_t *start;      /* first object */
    uint8_t *top;        /* end of allocated objects */
    uint8_t *end;        /* end of the block */
} chunk;

/* A growable array of values outside the heap (remembered set, handles). */
typedef struct pvbuf {
    pv *v;
    size_t n, cap;
} pvbuf;

/* The VM's heap roots: every pv member here is traced by the collector.
 * Kept in one struct so the collector and the image writer can walk it. */
typedef struct vm_roots {
    pv symtab;          /* VECTOR: the weak symbol table (open addressing) */
    pv system_env;      /* ENV holding the builtins and the boot code */
    pv interaction_env; /* ENV of the REPL and of pith_eval_string */
    pv files;           /* VECTOR of file names indexed by location file ids */
    pv prims;           /* VECTOR of PRIM objects by index */
    pv halt;            /* CLOSURE whose code is HALT: the C-entry return */
    pv underflow;       /* CLOSURE whose code is UNDERFLOW: segment links */
    pv barrier;         /* CLOSURE whose code is BARRIER: below a raise */
    pv stack;           /* current STACK segment */
    pv spare;           /* an empty STACK kept to avoid re-allocation */
    pv acc;             /* accumulator register */
    pv exn;             /* the pending error condition (status PITH_ERROR) */
    pv ret;             /* a primitive's result */
    pv hooks;           /* VECTOR of Scheme procedures the VM calls: HOOK_* */
    pv winders;         /* dynamic-wind list (Scheme data) */
    pv dynamic;         /* dynamic state: handlers, parameterizations */
    pv oom;             /* preallocated heap-exhausted condition */
    pv last_error;      /* condition reported by the last PITH_ERROR */
    pv result;          /* value of the last finished run */
    pv features;        /* list of cond-expand features */
    pv keywords;        /* VECTOR of interned core-form symbols (KW_*) */
    pv scratch;         /* a temporary for API functions */
    pv nsysfiles;       /* fix: files below this id are Pith's own boot
                           files, left out of error reports */
    pv libpath;         /* (front . back): directory strings import searches
                           before and after the program's directory */
} vm_roots;
#define VM_NROOTS (sizeof(vm_roots) / sizeof(pv))

/* Scheme procedures the VM calls on its own (installed by the boot code). */
enum {
    HOOK_RAISE,        /* (raise condition): the VM signals an error */
    HOOK_EVAL_STRING,  /* (%eval-string string name): pith_eval_string */
    HOOK_LOAD,         /* (load path): pith_load */
    HOOK_REPL,         /* (%repl): pith_repl */
    HOOK_RUN_PROGRAM,  /* (%run-program path): pith_run_program */
    HOOK_RESUME,       /* (%resume): pith_resume, after loading a saved image */
    HOOK_COUNT
};

/* Core-form keywords the compiler recognizes (by symbol). */
#define PITH_KEYWORDS(K) \
    K(QUOTE, "quote") K(IF, "if") K(DEFINE, "define") K(SET, "set!") \
    K(LAMBDA, "lambda") K(BEGIN, "begin") K(LETREC, "letrec") \
    K(LETREC_STAR, "letrec*") K(CASE_LAMBDA, "case-lambda") \
    K(NAMED_LAMBDA, "%named-lambda")
enum {
#define K(n, s) KW_##n,
    PITH_KEYWORDS(K)
#undef K
    KW_COUNT
};

#define TMP_CLASSES 15          /* size classes 2^6 .. 2^20 bytes */

/* An open file of the host's storage behind a file port (port.c). */
typedef struct port_file {
    pv port;          /* the PORT, referred to weakly; 0: a free entry */
    int64_t handle;   /* the host's handle */
    uint8_t *buf;     /* buffer (tmp_alloc), cap bytes */
    size_t cap;
    size_t pos, fill; /* input: unread bytes buf[pos, fill); output: pending buf[0, fill) */
    bool output;
    bool eof;         /* input: the host said end of file */
} port_file;

struct pith_vm {
    uint32_t magic;           /* VM_MAGIC while open: catches stale pointers */
    uint16_t serial;          /* tags handles so another VM's are refused */
    const pith_host *host;    /* what the host lends */
    void *hctx;               /* host->ctx */

    /* heap: young generation (nursery) */
    uint8_t *nursery;         /* start of the nursery block */
    uint8_t *nursery_end;     /* end of the nursery block */
    uint8_t *hp;              /* bump pointer */
    uint8_t *hlimit;          /* allocation limit (== zeroed, or hp under
                                 GC stress so every allocation collects) */
    uint8_t *zeroed;          /* the nursery is zero from here down to its
                                 start wherever it is not in use: memory is
                                 zeroed in steps as allocation reaches it,
                                 so a VM that allocates little touches little */
    size_t nursery_size;      /* bytes */
    /* heap: old generation, a list of chunks */
    chunk *old;               /* first chunk (allocation order) */
    chunk *old_last;          /* chunk being filled */
    size_t old_bytes;         /* bytes of old chunks allocated from the host */
    chunk *spare_chunk;       /* from-space kept for the next major collection */
    size_t old_used;          /* bytes of objects in old chunks */
    size_t major_threshold;   /* collect everything when old_used passes it */
    size_t heap_limit;        /* bytes, 0: none */
    int heap_state;           /* 0 normal, 1 over the limit (reserve in use) */
    pvbuf remset;             /* old objects that may point into the nursery */
    pvbuf weak;               /* during a collection: the weak vectors scanned */
    struct pith_profile *prof; /* profiling data (profile.c), or NULL */
    bool gc_stress;           /* collect at every allocation */
    bool in_gc;               /* re-entrancy guard */
    uint64_t gc_minor, gc_major; /* statistics */
    uint32_t hash_counter;    /* next identity hash */

    /* roots */
    vm_roots r;
    pv *shadow[256];          /* addresses of C locals (GC_ROOT) */
    uint32_t nshadow;
    pv *ranges[8];            /* extra root arrays (the compiler's constants) */
    size_t range_len[8];
    int nranges;
    pvbuf handles;            /* scoped handles (a stack) */
    pvbuf phandles;           /* persistent handles (slots; PV_VOID = free) */
    size_t pfree;             /* a free persistent slot hint */

    /* registers, valid while the interpreter is not running */
    uint32_t sp, fp, pc;      /* stack fill, frame, instruction index */
    int argc;                 /* argument count of the current call */
    size_t argbase;           /* slot index of a primitive's first argument */
    size_t symcount;          /* live entries in r.symtab */
    size_t symused;           /* live + deleted entries */

    /* running */
    int running;              /* an interpreter loop is active */
    int in_prim;              /* inside an embedder primitive */
    int64_t fuel;             /* steps left before fuel-exhausted, -1: none */
    int64_t budget;           /* steps left in this pith_run slice, -1 */
    int fuel_state;           /* 1: fuel-exhausted raised, in the grace */
    bool blocking;            /* %wait may block in the host's wait */
    bool abort_run;           /* %abort: end the run without the raise hook */
    bool console_bol;         /* the last byte written to the console was \n */
    bool suspended;           /* a pith_run slice yielded and is not done */
    volatile int interrupt;   /* set by pith_interrupt */
    int exit_status;          /* after PITH_EXIT */
    int max_depth;            /* compiler nesting limit */
    int next_file;            /* files used in r.files */

    /* primitives */
    user_prim *uprims;        /* embedder primitives, by index - builtins */
    size_t nuprims, capuprims;

    /* open files of file ports (port.c) */
    port_file *files;
    size_t nfiles, capfiles;

    /* temporary buffers (tmp_alloc): freed blocks kept per size class so
     * that printing and bignum work do not go to the host every time */
    void *tmp_free_list[TMP_CLASSES];
    size_t tmp_cached;        /* bytes held on the free lists */

    /* text buffers for the pith_error_* API */
    char *errtext;            /* host memory, errcap bytes */
    size_t errcap;
    int errparts[4];          /* offsets of message, location, trace, report */
};

#define VM_MAGIC 0x50697468u

/* ---- shadow roots ---- */
typedef struct gc_scope_t {
    pith_vm *vm;
    uint32_t n;
} gc_scope_t;
static inline void gc_scope_end(gc_scope_t *s) { s->vm->nshadow = s->n; }
#define GC_SCOPE(vmp) \
    gc_scope_t gc_scope_ __attribute__((cleanup(gc_scope_end), unused)) = {(vmp), (vmp)->nshadow}
void gc_shadow_overflow(pith_vm *vm);  /* panics: a bug */
#define GC_ROOT(x) \
    (gc_scope_.vm->nshadow < 256 ? (void)(gc_scope_.vm->shadow[gc_scope_.vm->nshadow++] = &(x)) \
                                 : gc_shadow_overflow(gc_scope_.vm))
#define GC_ROOT2(a, b) (GC_ROOT(a), GC_ROOT(b))
#define GC_ROOT3(a, b, c) (GC_ROOT(a), GC_ROOT(b), GC_ROOT(c))

/* ---- heap (heap.c, gc.c) ---- */
int heap_init(pith_vm *vm, size_t nursery);
void heap_free(pith_vm *vm);
int gc_collect(pith_vm *vm, size_t need, bool major);
int gc_alloc_slow(pith_vm *vm, int type, size_t words, pv *out);
void gc_remember(pith_vm *vm, pv obj);
void *host_alloc(pith_vm *vm, size_t bytes);
void host_free(pith_vm *vm, void *p, size_t bytes);
/* Short-lived host buffers (printing, bignum scratch, parsing): like
 * host_alloc/host_free, but freed blocks up to 1 MiB are kept for reuse. */
void *tmp_alloc(pith_vm *vm, size_t bytes);
void tmp_free(pith_vm *vm, void *p, size_t bytes);
void tmp_release(pith_vm *vm);  /* return every cached block to the host */

/* ---- ports (port.c) ---- */
int console_out(pith_vm *vm, int stream, const uint8_t *p, size_t n);
int file_error(pith_vm *vm, const char *who, long code, pv name);
int need_storage(pith_vm *vm, const char *who);
int c_path(pith_vm *vm, pv s, const char *who, char *buf, size_t cap);
void port_sweep(pith_vm *vm, pv (*moved)(void *g, pv v), void *g);
void port_close_all(pith_vm *vm);
int pvbuf_push(pith_vm *vm, pvbuf *b, pv v);
void pvbuf_free(pith_vm *vm, pvbuf *b);
uint32_t obj_hash(pith_vm *vm, pv v);  /* identity hash, assigned lazily */

static inline bool in_nursery(pith_vm *vm, pv v) {
    return (uintptr_t)((uint8_t *)(uintptr_t)v - vm->nursery) < vm->nursery_size;
}

/* Allocate an object of `words` payload words, zero-filled. */
static inline int gc_alloc(pith_vm *vm, int type, size_t words, pv *out) {
    size_t bytes = (words + 1) * 8;
    if (words < HDR_MAX_SIZE && (size_t)(vm->hlimit - vm->hp) >= bytes) {
        uint64_t *p = (uint64_t *)vm->hp;
        vm->hp += bytes;
        p[0] = hdr_make(type, words, 0);
        *out = (pv)(uintptr_t)p;
        return PITH_OK;
    }
    return gc_alloc_slow(vm, type, words, out);
}

/* The write barrier: every store into an existing heap object. */
static inline void pv_store(pith_vm *vm, pv obj, pv *slot, pv val) {
    *slot = val;
    if (pv_is_ptr(val) && in_nursery(vm, val) && !in_nursery(vm, obj) &&
        !pv_has_flag(obj, OF_REMEMBERED))
        gc_remember(vm, obj);
}
#define STORE(obj, i, val) pv_store(vm, (obj), &SLOT((obj), (i)), (val))

/* ---- objects (object.c) ---- */
int mk_pair(pith_vm *vm, pv car, pv cdr, pv *out);    /* args rooted inside */
int mk_pair_loc(pith_vm *vm, pv car, pv cdr, pv loc, pv *out);
int mk_vector(pith_vm *vm, size_t n, pv fill, pv *out);
int mk_flonum(pith_vm *vm, double d, pv *out);
int mk_box(pith_vm *vm, pv v, pv *out);
int mk_cell(pith_vm *vm, pv name, pv value, pv *out);
int mk_bytevector(pith_vm *vm, size_t n, pv *out);
int mk_values(pith_vm *vm, size_t n, pv *out);
int mk_condition(pith_vm *vm, const char *kind, pv msg, pv irritants, pv *out);
int mk_list(pith_vm *vm, size_t n, const pv *elts, pv *out);
long list_length(pv l);  /* -1 if improper or circular */
int list_reverse(pith_vm *vm, pv l, pv *out);
bool pv_eqv(pv a, pv b);
int pv_equal(pith_vm *vm, pv a, pv b, bool *out);
int sym_intern(pith_vm *vm, const char *utf8, size_t len, pv *out);
int sym_intern_str(pith_vm *vm, pv str, pv *out);
int sym_gensym(pith_vm *vm, pv name, pv *out);
int sym_table_init(pith_vm *vm);
void sym_table_sweep(pith_vm *vm);  /* after a major collection */
int sym_table_rebuild(pith_vm *vm); /* after loading an image */
static inline bool pv_is_symbol(pv v) { return pv_is(v, T_SYMBOL); }

static inline size_t c_strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

/* ---- strings and characters (string.c) ---- */
int str_new(pith_vm *vm, size_t len, uint32_t fill, pv *out);
/* s must not point into the heap: it is read again after allocating. */
int str_from_utf8(pith_vm *vm, const uint8_t *s, size_t n, pv *out);
static inline int str_from_c(pith_vm *vm, const char *s, pv *out) {
    return str_from_utf8(vm, (const uint8_t *)s, c_strlen(s), out);
}
static inline size_t str_len(pv s) { return (size_t)pv_fix(STR_LEN(s)); }
static inline bool str_wide(pv s) { return pv_is(STR_BUF(s), T_STR32); }
static inline uint32_t str_ref(pv s, size_t i) {
    pv b = STR_BUF(s);
    return pv_is(b, T_STR32) ? ((uint32_t *)pv_raw(b, 0))[i] : ((uint8_t *)pv_raw(b, 0))[i];
}
int str_set(pith_vm *vm, pv s, size_t i, uint32_t c);  /* widens on demand */
int str_substring(pith_vm *vm, pv s, size_t start, size_t end, pv *out);
size_t str_utf8_len(pv s, size_t from, size_t to);
size_t str_to_utf8(pv s, size_t from, size_t to, uint8_t *out); /* no NUL */
uint32_t str_hash(pv s);
bool str_eq(pv a, pv b);
int str_cmp(pv a, pv b);
size_t utf8_encode(uint32_t c, uint8_t *out);
/* Decode one UTF-8 sequence at s[0..n); returns its length (>= 1) and the
 * code point, U+FFFD for an invalid sequence (consuming one byte). */
size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *c);
/* character classes and case (char.c): */
#include "unicode.h"

/* ---- numbers (number.c) ---- */
int num_add(pith_vm *vm, pv a, pv b, pv *out);
int num_sub(pith_vm *vm, pv a, pv b, pv *out);
int num_mul(pith_vm *vm, pv a, pv b, pv *out);
int num_div(pith_vm *vm, pv a, pv b, pv *out);
int num_cmp(pith_vm *vm, pv a, pv b, const char *who, int *out); /* -1/0/1, 2: unordered (NaN) */
bool num_is_number(pv v);
bool num_is_exact(pv v);
bool num_is_integer(pv v);
/* Write a number in `radix` into buf (cap >= 80 for radix 10 flonums);
 * returns the length, or 0 if it does not fit. */
size_t num_format(pith_vm *vm, pv n, int radix, char *buf, size_t cap);
/* Parse the number spelled by str[start, start+n); *out = #f when the text
 * is not a number. */
int num_parse(pith_vm *vm, pv str, size_t start, size_t n, int radix, pv *out);
size_t flo_format(double d, char *buf);  /* shortest round-trip digits */

/* ---- hash tables (hash.c) ---- */
int ht_new(pith_vm *vm, int kind, size_t cap, pv *out);
int ht_data_new(pith_vm *vm, int kind, size_t cap, pv *out);
int port_after_load(pith_vm *vm, pv p);

/* ---- the profiler (profile.c) ---- */
#define POLL_QUANTUM 4096       /* procedure entries between polls (vm.c) */
struct pith_profile;
int profile_start(pith_vm *vm);
void profile_stop(pith_vm *vm);
void profile_sample(pith_vm *vm, pv proc);
void profile_count(pith_vm *vm, int op);
size_t profile_report(pith_vm *vm, char *buf, size_t cap);
void ht_sync(pv ht);
bool ht_after_load(pv ht);   /* image.c: recount an image's table; false if full */
pv ht_get(pith_vm *vm, pv ht, pv key, pv dflt);
int ht_put(pith_vm *vm, pv ht, pv key, pv val);
bool ht_delete(pith_vm *vm, pv ht, pv key);
uint32_t ht_hash(pith_vm *vm, int kind, pv key);

/* ---- environments (env.c) ---- */
int env_new(pith_vm *vm, pv name, pv *out);
pv env_lookup(pith_vm *vm, pv env, pv sym);  /* binding or PV_FALSE */
int env_cell(pith_vm *vm, pv env, pv sym, pv *out);  /* find or create */
int env_define(pith_vm *vm, pv env, pv sym, pv val); /* own cell := val */

/* ---- errors (error.c) ---- */
/* Raise a condition of `kind` with a message and up to 3 irritants
 * (PV_NONE_IRR ends the list).  Always returns PITH_ERROR. */
#define NOIRR ((pv)0)
int err_raise(pith_vm *vm, const char *kind, const char *msg, pv i1, pv i2, pv i3);
int err_type(pith_vm *vm, const char *who, const char *expected, pv got);
int err_range(pith_vm *vm, const char *who, pv got);
int err_arity(pith_vm *vm, pv proc, int argc);
int err_msg(pith_vm *vm, const char *kind, const char *who, const char *msg, pv irritant);
int err_oom(pith_vm *vm);
/* A small formatter into a fixed buffer: %s (C string), %d (int),
 * %ld (long), %zu (size_t); always NUL-terminates; returns the length. */
size_t fmt(char *buf, size_t cap, const char *f, ...);

/* ---- the reader (read.c) ---- */
enum { RD_OK = 0, RD_EOF = 1, RD_INCOMPLETE = 2 };
/* Read one datum from string `src` starting at character *pos; on return
 * *pos is past the datum.  *status: RD_OK, RD_EOF (only whitespace and
 * comments left) or RD_INCOMPLETE (input ended inside a datum).  Syntax
 * errors raise read-error conditions (return PITH_ERROR).  `file` is the
 * location file id; `line`/`col` the position of src[*pos] (updated). */
typedef struct read_state {
    size_t pos;          /* character index in the source */
    int64_t line, col;   /* position of pos (line from 1, column from 0) */
    int file;            /* location file id */
    bool fold_case;      /* #!fold-case is in effect */
    int64_t open_loc;    /* RD_INCOMPLETE: where the unclosed datum began */
} read_state;
int read_datum(pith_vm *vm, pv src, read_state *st, int *status, pv *out);

/* ---- the printer (write.c) ---- */
/* A growable byte buffer in host memory. */
typedef struct obuf {
    uint8_t *p;
    size_t n, cap;
} obuf;
int obuf_put(pith_vm *vm, obuf *o, const void *p, size_t n);
int obuf_reserve(pith_vm *vm, obuf *o, size_t n);
void obuf_free(pith_vm *vm, obuf *o);
/* Append the representation of v (UTF-8) to o; allocates nothing on the
 * heap. */
int write_obuf(pith_vm *vm, pv v, int mode, obuf *o);
enum { WR_DISPLAY = 0, WR_WRITE = 1, WR_SHARED = 2, WR_SIMPLE = 3 };
/* The representation of v as a new string. */
int write_value(pith_vm *vm, pv v, int mode, pv *out_string);

/* ---- compiler (compile.c) ---- */
/* Compile a core form into a CODE object for a procedure of no arguments.
 * `env` resolves free symbols (the stage-0 path); forms from the expander
 * refer to globals through CELLs. */
int compile_toplevel(pith_vm *vm, pv form, pv env, pv *out_code);

/* ---- the interpreter (vm.c) ---- */
int vm_init_stack(pith_vm *vm);
/* Push a call of `proc` with args from a C array of values; the result of
 * the run is stored in vm->r.result. */
int vm_setup_call(pith_vm *vm, pv proc, int argc, const pv *argv);
int vm_run(pith_vm *vm);  /* runs until HALT, error, exit, yield, wait */
int vm_backtrace(pith_vm *vm, int max, pv *out);
int vm_reset(pith_vm *vm);
int err_arity(pith_vm *vm, pv proc, int argc);
/* Call embedder primitive number i (api.c) with the arguments at ARG(). */
int api_call_user_prim(pith_vm *vm, size_t i, int argc);

/* Primitive arguments and results. */
#define ARG(i) (((pv *)pv_raw(vm->r.stack, STK_HDR))[vm->argbase + (i)])
#define RETURN(v) do { vm->r.ret = (v); return PITH_OK; } while (0)

pith_vm *vm_new(const pith_host *host, const pith_options *opts, pith_status *status, char *err, size_t errcap);
int cond_report(pith_vm *vm, pv c, obuf *o, bool with_trace);

/* ---- images (image.c) ---- */
/* trusted: Pith's own boot image, whose bytecode is not verified. */
int image_load(pith_vm *vm, const uint8_t *img, size_t n, bool trusted, char *err, size_t errcap);
/* Serialize the heap reachable from the roots into *out (an empty obuf;
 * the caller frees it). */
typedef struct obuf obuf;
int image_save(pith_vm *vm, obuf *out);
int image_save_file(pith_vm *vm, const char *path, pv name);

/* ---- verifying an untrusted image (verify.c) ---- */
#define VM_LINK_FP 2    /* fp of a stack segment's link frame */
typedef struct verifier verifier;
verifier *verify_begin(pith_vm *vm, uint8_t *base, size_t nwords);
const char *verify_roots(pith_vm *vm);
const char *verify_object(verifier *v, pv o);   /* CODE and CLOSURE */
const char *verify_cont(verifier *v, pv k);     /* a CONT's frames */
void verify_end(verifier *v);

/* ---- boot (boot.c) ---- */
int boot_cold(pith_vm *vm);      /* build the initial heap with no image */
int prims_install(pith_vm *vm);  /* create PRIM objects and bind them */
int prim_lookup_index(const char *name); /* builtin index by Scheme name */
int64_t prim_cell_flags(int index);      /* CELL_FLAGS of a builtin's cell */
const char *prim_name(int index);
extern const struct prim_def { const char *name; prim_fn fn; int min, max, op; } prim_table[];

/* ---- freestanding helpers ---- */
#define MEMCPY __builtin_memcpy
#define MEMSET __builtin_memset
#define MEMMOVE __builtin_memmove
#define MEMCMP __builtin_memcmp

/* Type checks that raise. */
#define CHECK_TYPE(v, t, who, what) \
    do { if (!pv_is((v), (t))) return err_type(vm, (who), (what), (v)); } while (0)

#endif

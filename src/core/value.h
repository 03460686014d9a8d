/* value.h -- tagged values and heap object layouts (DESIGN.md: Values and
 * heap, fixed).
 *
 * A value (pv) is one 64-bit word:
 *   ...xxx1  fixnum, 63-bit two's complement: n = (int64_t)w >> 1
 *   ...x000  pointer to a heap object, 8-byte aligned, never 0
 *   ...0010  special constant: #f #t () eof unspecified ... (payload >> 8)
 *   ...1010  character: Unicode scalar value in bits 8..31
 * Other low-bit patterns are reserved.
 *
 * A heap object starts with a header word:
 *   bit 0       1 (a header; a word with bit 0 clear where a header should
 *               be is a forwarding pointer left by the copying collector)
 *   bits 1..7   type (PITH_TYPES below)
 *   bits 8..13  flags (OF_*)
 *   bits 14..33 identity hash (0: not yet assigned; never an address)
 *   bits 34..63 payload size in words (the header not included)
 * Every payload word is either a tagged value or raw data whose element
 * width the type gives (u8, u32, f64), so an image can be byte-swapped.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PITH_VALUE_H
#define PITH_VALUE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef uint64_t pv;

/* ---- immediates ---- */
#define PV_FALSE      ((pv)0x002)
#define PV_TRUE       ((pv)0x102)
#define PV_NULL       ((pv)0x202)
#define PV_EOF        ((pv)0x302)
#define PV_VOID       ((pv)0x402)  /* the unspecified value */
#define PV_DEFAULT    ((pv)0x502)  /* a missing optional argument */
#define PV_UNBOUND    ((pv)0x602)  /* value of a global cell not yet defined */
#define PV_UNASSIGNED ((pv)0x702)  /* a letrec variable read too early */
#define PV_CHAR_TAG   0x0a

static inline bool pv_is_fix(pv v) { return v & 1; }
static inline bool pv_is_ptr(pv v) { return (v & 7) == 0 && v != 0; }
static inline bool pv_is_char(pv v) { return (v & 0xff) == PV_CHAR_TAG; }
static inline bool pv_is_special(pv v) { return (v & 0xff) == 0x02; }
static inline int64_t pv_fix(pv v) { return (int64_t)v >> 1; }
static inline pv pv_from_fix(int64_t n) { return ((uint64_t)n << 1) | 1; }
static inline uint32_t pv_char(pv v) { return (uint32_t)(v >> 8); }
static inline pv pv_from_char(uint32_t c) { return ((pv)c << 8) | PV_CHAR_TAG; }
static inline pv pv_bool(bool b) { return b ? PV_TRUE : PV_FALSE; }

#define PV_FIX_MAX ((int64_t)0x3fffffffffffffff)
#define PV_FIX_MIN (-PV_FIX_MAX - 1)
static inline bool fix_fits(int64_t n) { return n >= PV_FIX_MIN && n <= PV_FIX_MAX; }

/* ---- types ----
 * X(name, ntagged, rawwidth): ntagged = number of leading tagged payload
 * words (-1: all of them; STACK is special: tagged up to its fill mark),
 * rawwidth = element width in bytes of the raw rest (0: none). */
#define PITH_TYPES(X) \
    X(PAIR,       -1, 0) /* car cdr [loc]: a third word is a source location */ \
    X(VECTOR,     -1, 0) /* elements */ \
    X(STRING,     -1, 0) /* length(fix) storage(STR8|STR32) */ \
    X(STR8,        0, 1) /* characters 0..255, one byte each */ \
    X(STR32,       0, 4) /* characters, 4 bytes each */ \
    X(SYMBOL,     -1, 0) /* name(STRING) hash(fix) */ \
    X(FLONUM,      0, 8) /* an IEEE double */ \
    X(BIGNUM,      1, 8) /* sign*length(fix), 64-bit limbs, least first */ \
    X(RATNUM,     -1, 0) /* numerator denominator */ \
    X(COMPNUM,    -1, 0) /* real imaginary */ \
    X(BYTEVECTOR,  1, 1) /* length(fix), bytes */ \
    X(CLOSURE,    -1, 0) /* code free-variables... */ \
    X(CODE,       -1, 0) /* see CODE_* */ \
    X(INSNS,       1, 4) /* count(fix), 32-bit instruction words */ \
    X(PRIM,       -1, 0) /* see PRIM_* */ \
    X(CONT,       -1, 0) /* see CONT_* */ \
    X(STACK,      -2, 0) /* see STK_*; tagged up to the fill mark */ \
    X(BOX,        -1, 0) /* value */ \
    X(CELL,       -1, 0) /* a global variable: see CELL_* */ \
    X(RECORD,     -1, 0) /* type(RECORD of the rtd) fields... */ \
    X(VALUES,     -1, 0) /* multiple values, not 1 */ \
    X(ENV,        -1, 0) /* a top-level environment: see ENV_* */ \
    X(MACRO,      -1, 0) /* transformer env */ \
    X(IDENT,      -1, 0) /* a renamed identifier: name env stamp */ \
    X(SPECIAL,    -1, 0) /* a core special form: name(symbol) */ \
    X(CONDITION,  -1, 0) /* an error object: see COND_* */ \
    X(HTABLE,     -1, 0) /* a hash table: see HT_* */ \
    X(PORT,       -1, 0) /* see PORT_* */ \
    X(CASELAMBDA, -1, 0) /* name clauses(vector of closures) */ \
    X(PARAMETER,  -1, 0) /* value converter */ \
    X(PROMISE,    -1, 0) /* done?(bool) value-or-thunk */ \
    X(EOFOBJ,     -1, 0) /* unused placeholder, keeps numbering stable */

enum {
    T_NONE = 0,
#define X(n, t, w) T_##n,
    PITH_TYPES(X)
#undef X
    T_COUNT
};

/* ---- headers ---- */
#define HDR_TYPE_SHIFT 1
#define HDR_FLAG_SHIFT 8
#define HDR_HASH_SHIFT 14
#define HDR_SIZE_SHIFT 34
#define HDR_HASH_MASK ((uint64_t)0xfffff)
#define HDR_MAX_SIZE ((uint64_t)1 << 30)

/* Object flags. */
#define OF_IMMUTABLE  0x01  /* a literal or a symbol name: mutators refuse */
#define OF_REMEMBERED 0x02  /* old object in the remembered set */
#define OF_INTERNED   0x04  /* SYMBOL: in the symbol table */
#define OF_FROZEN     0x08  /* STACK: captured by a continuation */
#define OF_FINALIZE   0x10  /* PORT: on the finalization list */
#define OF_WEAK       0x20  /* VECTOR: a weak hash table's data: keys (even
                               slots) do not keep objects alive (gc.c) */

static inline uint64_t hdr_make(int type, uint64_t size, int flags) {
    return 1 | ((uint64_t)type << HDR_TYPE_SHIFT) |
           ((uint64_t)flags << HDR_FLAG_SHIFT) | (size << HDR_SIZE_SHIFT);
}
static inline uint64_t *pv_obj(pv v) { return (uint64_t *)(uintptr_t)v; }
static inline uint64_t pv_hdr(pv v) { return pv_obj(v)[0]; }
static inline int hdr_type(uint64_t h) { return (int)((h >> HDR_TYPE_SHIFT) & 0x7f); }
static inline uint64_t hdr_size(uint64_t h) { return h >> HDR_SIZE_SHIFT; }
static inline int hdr_flags(uint64_t h) { return (int)((h >> HDR_FLAG_SHIFT) & 0x3f); }
static inline int pv_type(pv v) { return pv_is_ptr(v) ? hdr_type(pv_hdr(v)) : T_NONE; }
static inline uint64_t pv_size(pv v) { return hdr_size(pv_hdr(v)); }
static inline bool pv_has_flag(pv v, int f) { return (pv_hdr(v) >> HDR_FLAG_SHIFT) & f; }
static inline void pv_set_flag(pv v, int f) { pv_obj(v)[0] |= (uint64_t)f << HDR_FLAG_SHIFT; }
static inline void pv_clear_flag(pv v, int f) { pv_obj(v)[0] &= ~((uint64_t)f << HDR_FLAG_SHIFT); }
static inline bool pv_is(pv v, int type) { return pv_is_ptr(v) && hdr_type(pv_hdr(v)) == type; }

/* Payload word i of a heap object (as a tagged value slot). */
#define SLOT(v, i) (pv_obj(v)[1 + (i)])
static inline void *pv_raw(pv v, int skip) { return (void *)&pv_obj(v)[1 + skip]; }

/* ---- layouts ---- */
#define CAR(p) SLOT(p, 0)
#define CDR(p) SLOT(p, 1)
#define PAIR_LOC(p) SLOT(p, 2)  /* only when pv_size(p) == 3 */
static inline bool pv_is_pair(pv v) { return pv_is(v, T_PAIR); }

#define STR_LEN(s) SLOT(s, 0)
#define STR_BUF(s) SLOT(s, 1)

#define SYM_NAME(s) SLOT(s, 0)
#define SYM_HASH(s) SLOT(s, 1)

#define BV_LEN(b) SLOT(b, 0)
static inline uint8_t *bv_bytes(pv b) { return (uint8_t *)pv_raw(b, 1); }

static inline double flo_val(pv f) { double d; __builtin_memcpy(&d, pv_raw(f, 0), 8); return d; }

#define CLO_CODE(c) SLOT(c, 0)
#define CLO_FREE(c, i) SLOT(c, 1 + (i))

/* A compiled procedure body. */
enum {
    CODE_INSNS,    /* INSNS */
    CODE_CONSTS,   /* VECTOR of constants */
    CODE_NAME,     /* symbol, string or #f */
    CODE_ARITY,    /* fix: required args; negative -(n+1): n required + rest */
    CODE_NFREE,    /* fix: number of free variables the closure carries */
    CODE_LINES,    /* VECTOR: pc0 loc0 pc1 loc1 ... (fixnums), or #f */
    CODE_LOC,      /* fix: where the lambda was defined, or #f */
    CODE_SIZE
};
#define INSNS_COUNT(i) SLOT(i, 0)
static inline uint32_t *insns_words(pv i) { return (uint32_t *)pv_raw(i, 1); }

/* A primitive implemented in C (or by the VM itself). */
enum {
    PRIM_NAME,     /* symbol */
    PRIM_INDEX,    /* fix: index in the VM's primitive table */
    PRIM_MIN,      /* fix: minimum argument count */
    PRIM_MAX,      /* fix: maximum argument count, -1: any */
    PRIM_SIZE
};

/* A captured continuation: where to return, in a frozen stack segment. */
enum {
    CONT_STACK,    /* STACK (frozen) */
    CONT_SP,       /* fix: stack fill to restore */
    CONT_FP,       /* fix: frame to return into */
    CONT_PC,       /* fix: instruction to resume at */
    CONT_SIZE
};

/* A stack segment.  Slots [0, STK_FILL) hold frames; the bottom frame links
 * to the segment below (DESIGN.md: frames on a segmented heap stack). */
enum {
    STK_FILL,      /* fix: slots in use (saved sp) when not current */
    STK_PREV,      /* STACK below, or #f */
    STK_PREV_SP,   /* fix: sp to restore in STK_PREV on underflow */
    STK_PREV_FP,   /* fix */
    STK_PREV_PC,   /* fix */
    STK_HDR        /* slots start here */
};

#define BOX_VAL(b) SLOT(b, 0)

/* A global variable. */
enum {
    CELL_VALUE,    /* value, or PV_UNBOUND */
    CELL_NAME,     /* symbol */
    CELL_FLAGS,    /* fix: CELLF_* | (opcode << 8) | (arity << 16) */
    CELL_OWNER,    /* ENV that defined it (imports share the cell), or #f */
    CELL_SIZE
};
#define CELLF_CONST 1  /* refuses set! and redefinition (a builtin) */

/* A top-level environment. */
enum {
    ENV_NAME,      /* a name for messages (list or symbol) */
    ENV_TABLE,     /* HTABLE symbol -> CELL | MACRO | SPECIAL */
    ENV_FLAGS,     /* fix */
    ENV_SIZE
};

/* An error object. */
enum {
    COND_KIND,       /* symbol: error, type-error, read-error, file-error ... */
    COND_MESSAGE,    /* string */
    COND_IRRITANTS,  /* list */
    COND_LOC,        /* fix source location or #f */
    COND_TRACE,      /* list of frames (name . loc), innermost first */
    COND_PAYLOAD,    /* anything the raiser attaches */
    COND_SIZE
};

/* A hash table (open addressing, keys and values in one vector). */
enum {
    HT_KIND,       /* fix: HTK_* */
    HT_COUNT,      /* fix: live entries */
    HT_USED,       /* fix: live + deleted entries */
    HT_DATA,       /* VECTOR of 2*capacity: key value key value ... */
    HT_SIZE
};
enum { HTK_EQ, HTK_EQV, HTK_EQUAL, HTK_STRING, HTK_WEAK_EQ };

enum {
    MACRO_PROC,    /* transformer procedure (form rename compare) or (form env) */
    MACRO_ENV,     /* syntactic environment of the definition */
    MACRO_KIND,    /* fix: 0 explicit renaming */
    MACRO_SIZE
};

enum { IDENT_NAME, IDENT_ENV, IDENT_STAMP, IDENT_SIZE };

/* Source locations are fixnums: file index (20 bits), line (28), column (14). */
static inline int64_t loc_make(int64_t file, int64_t line, int64_t col) {
    if (line > 0xfffffff) line = 0xfffffff;
    if (col > 0x3fff) col = 0x3fff;
    return (file << 42) | (line << 14) | col;
}
static inline int64_t loc_file(int64_t l) { return l >> 42; }
static inline int64_t loc_line(int64_t l) { return (l >> 14) & 0xfffffff; }
static inline int64_t loc_col(int64_t l) { return l & 0x3fff; }

#endif

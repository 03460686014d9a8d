/* read.c -- the reader: R7RS external representations to data.
 *
 * It reads from a string (ports hand it their buffered text) and never
 * recurses: open lists, vectors, quote-like prefixes and datum comments are
 * frames on an explicit stack kept in a heap vector, so 100,000 nested
 * parentheses need no C stack.  The first pair of every list read carries
 * its source location (a 3-word pair), which the expander and compiler
 * turn into line tables.  Syntax errors are read-error conditions naming
 * the file, line and column.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

/* Frame kinds on the reader's stack. */
enum { FR_LIST, FR_VECTOR, FR_BYTEVECTOR, FR_QUOTE, FR_COMMENT, FR_LABEL };
/* Dot states of a list frame. */
enum { DOT_NONE, DOT_WANT, DOT_DONE };
#define FRAME_WORDS 5  /* kind, head, tail, loc, state */

typedef struct reader {
    pith_vm *vm;
    read_state *st;
    pv src;          /* the string being read (rooted by the caller) */
    size_t len;      /* its length */
} reader;

static uint32_t peek_at(reader *r, size_t i) {
    return i < r->len ? str_ref(r->src, i) : 0xffffffffu;
}
#define EOFC 0xffffffffu
static uint32_t peek(reader *r) { return peek_at(r, r->st->pos); }
static uint32_t next(reader *r) {
    uint32_t c = peek(r);
    if (c == EOFC) return c;
    r->st->pos++;
    if (c == '\n') {
        r->st->line++;
        r->st->col = 0;
    } else {
        r->st->col++;
    }
    return c;
}

static int64_t here(reader *r) { return loc_make(r->st->file, r->st->line, r->st->col); }

static int rd_error_at(reader *r, int64_t loc, const char *msg, pv irritant) {
    pith_vm *vm = r->vm;
    err_msg(vm, "read-error", 0, msg, irritant ? irritant : PV_FALSE);
    if (!irritant && pv_is(vm->r.exn, T_CONDITION) && vm->r.exn != vm->r.oom)
        SLOT(vm->r.exn, COND_IRRITANTS) = PV_NULL;
    if (pv_is(vm->r.exn, T_CONDITION) && vm->r.exn != vm->r.oom) SLOT(vm->r.exn, COND_LOC) = pv_from_fix(loc);
    return PITH_ERROR;
}

static bool is_delimiter(uint32_t c) {
    return c == EOFC || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
           c == '(' || c == ')' || c == '[' || c == ']' || c == '"' || c == ';' || c == '|' ||
           (c > 127 && char_is_whitespace(c));
}

static bool is_space(uint32_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
           (c > 127 && c != EOFC && char_is_whitespace(c));
}

/* Skip whitespace, line comments and (nested) block comments.  Returns 1
 * at end of input inside a block comment (incomplete). */
static int skip_atmosphere(reader *r, int *incomplete) {
    *incomplete = 0;
    for (;;) {
        uint32_t c = peek(r);
        if (is_space(c)) { next(r); continue; }
        if (c == ';') {
            while ((c = peek(r)) != EOFC && c != '\n') next(r);
            continue;
        }
        if (c == '#' && peek_at(r, r->st->pos + 1) == '|') {
            int64_t start = here(r);
            int depth = 0;
            next(r);
            next(r);
            depth = 1;
            while (depth > 0) {
                c = next(r);
                if (c == EOFC) {
                    *incomplete = 1;
                    (void)start;
                    return PITH_OK;
                }
                if (c == '|' && peek(r) == '#') { next(r); depth--; }
                else if (c == '#' && peek(r) == '|') { next(r); depth++; }
            }
            continue;
        }
        return PITH_OK;
    }
}

/* The stack of open frames. */
typedef struct rstack {
    pv vec;        /* VECTOR of FRAME_WORDS * capacity slots (rooted) */
    size_t n;      /* frames */
} rstack;

static int push_frame(reader *r, rstack *s, int kind, pv head, int64_t loc) {
    pith_vm *vm = r->vm;
    size_t cap = pv_size(s->vec) / FRAME_WORDS;
    if (s->n == cap) {
        pv nv;
        GC_SCOPE(vm);
        GC_ROOT(head);
        TRY(mk_vector(vm, cap * 2 * FRAME_WORDS, PV_FALSE, &nv));
        for (size_t i = 0; i < s->n * FRAME_WORDS; i++) SLOT(nv, i) = SLOT(s->vec, i);
        s->vec = nv;
    }
    pv v = s->vec;
    size_t b = s->n * FRAME_WORDS;
    SLOT(v, b) = pv_from_fix(kind);
    pv_store(vm, v, &SLOT(v, b + 1), head);
    SLOT(v, b + 2) = PV_FALSE;
    SLOT(v, b + 3) = pv_from_fix(loc);
    SLOT(v, b + 4) = pv_from_fix(DOT_NONE);
    s->n++;
    return PITH_OK;
}
#define F_KIND(s) pv_fix(SLOT((s)->vec, ((s)->n - 1) * FRAME_WORDS))
#define F_HEAD(s) SLOT((s)->vec, ((s)->n - 1) * FRAME_WORDS + 1)
#define F_TAIL(s) SLOT((s)->vec, ((s)->n - 1) * FRAME_WORDS + 2)
#define F_LOC(s) pv_fix(SLOT((s)->vec, ((s)->n - 1) * FRAME_WORDS + 3))
#define F_STATE(s) SLOT((s)->vec, ((s)->n - 1) * FRAME_WORDS + 4)

/* Append v to the open list, vector or bytevector frame on top. */
static int frame_append(reader *r, rstack *s, pv v) {
    pith_vm *vm = r->vm;
    pv p;
    GC_SCOPE(vm);
    GC_ROOT(v);
    if (F_HEAD(s) == PV_NULL) {
        TRY(mk_pair_loc(vm, v, PV_NULL, pv_from_fix(F_LOC(s)), &p));
        pv_store(vm, s->vec, &F_HEAD(s), p);
    } else {
        TRY(mk_pair(vm, v, PV_NULL, &p));
        pv t = F_TAIL(s);
        pv_store(vm, t, &CDR(t), p);
    }
    pv_store(vm, s->vec, &F_TAIL(s), p);
    return PITH_OK;
}

/* Parse \x<hex>; (the x already read); 2 at end of input. */
static int read_hex_escape(reader *r, int64_t loc, const char *what, uint32_t *out) {
    uint32_t v = 0;
    int digits = 0;
    for (;;) {
        uint32_t d = next(r);
        if (d == ';') break;
        if (d == EOFC) return 2;
        int dv = (d >= '0' && d <= '9') ? (int)(d - '0')
               : ((d | 0x20) >= 'a' && (d | 0x20) <= 'f') ? (int)((d | 0x20) - 'a' + 10) : -1;
        if (dv < 0 || digits >= 8) return rd_error_at(r, loc, what, 0);
        v = v * 16 + (uint32_t)dv;
        digits++;
    }
    if (!digits || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return rd_error_at(r, loc, what, 0);
    *out = v;
    return PITH_OK;
}

static int read_string_lit(reader *r, pv *out) {
    pith_vm *vm = r->vm;
    int64_t start = here(r);
    next(r);  /* the opening quote */
    /* First pass: find the end and the length, validating escapes. */
    size_t save_pos = r->st->pos;
    int64_t save_line = r->st->line, save_col = r->st->col;
    size_t n = 0;
    uint32_t maxc = 0;
    for (int pass = 0; pass < 2; pass++) {
        pv s = PV_FALSE;
        if (pass == 1) {
            TRY(str_new(vm, n, maxc > 0xff ? 0x100 : 0, &s));
            r->st->pos = save_pos;
            r->st->line = save_line;
            r->st->col = save_col;
        }
        size_t k = 0;
        for (;;) {
            uint32_t c = next(r);
            if (c == EOFC) return 2;  /* incomplete */
            if (c == '"') break;
            if (c == '\\') {
                int64_t eloc = here(r);
                c = next(r);
                switch (c) {
                case 'a': c = 7; break;
                case 'b': c = 8; break;
                case 't': c = 9; break;
                case 'n': c = 10; break;
                case 'r': c = 13; break;
                case '"': case '\\': case '|': break;
                case 'x': case 'X': {
                    int e = read_hex_escape(r, eloc, "bad \\x escape in string (expected hex digits, then ;)", &c);
                    if (e) return e;
                    break;
                }
                case EOFC: return 2;
                default:
                    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                        /* \ <intraline whitespace>* <newline> <intraline whitespace>* */
                        while (c == ' ' || c == '\t') c = next(r);
                        if (c == '\r' && peek(r) == '\n') c = next(r);
                        if (c == EOFC) return 2;
                        if (c != '\n' && c != '\r') return rd_error_at(r, eloc, "bad line continuation in string", 0);
                        while (peek(r) == ' ' || peek(r) == '\t') next(r);
                        continue;
                    }
                    return rd_error_at(r, eloc, "unknown escape in string", pv_from_char(c));
                }
            }
            if (pass == 0) {
                n++;
                if (c > maxc) maxc = c;
            } else {
                str_set(vm, s, k++, c);
            }
        }
        if (pass == 1) *out = s;
    }
    (void)start;
    return PITH_OK;
}

/* Skip a token up to a delimiter; returns its start position. */
static size_t skip_token(reader *r) {
    size_t start = r->st->pos;
    while (!is_delimiter(peek(r))) next(r);
    return start;
}

/* Intern the symbol spelled by src[start, end), case-folded if asked. */
static int make_symbol(reader *r, size_t start, size_t end, bool fold, pv *out) {
    pith_vm *vm = r->vm;
    pv name = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT(name);
    TRY(str_substring(vm, r->src, start, end, &name));
    if (fold)
        for (size_t i = 0; i < end - start; i++) TRY(str_set(vm, name, i, char_foldcase(str_ref(name, i))));
    return sym_intern_str(vm, name, out);
}

/* |symbol with spaces|: two passes, counting then building the name. */
static int read_bar_symbol(reader *r, pv *out) {
    pith_vm *vm = r->vm;
    int64_t loc = here(r);
    next(r);
    size_t pos = r->st->pos;
    int64_t line = r->st->line, col = r->st->col;
    size_t n = 0;
    pv name = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT(name);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            TRY(str_new(vm, n, 0, &name));
            r->st->pos = pos;
            r->st->line = line;
            r->st->col = col;
        }
        size_t k = 0;
        for (;;) {
            uint32_t c = next(r);
            if (c == EOFC) return 2;
            if (c == '|') break;
            if (c == '\\') {
                c = next(r);
                if (c == 'x' || c == 'X') {
                    int s = read_hex_escape(r, loc, "bad \\x escape in |symbol|", &c);
                    if (s) return s;
                } else if (c == 'a') c = 7;
                else if (c == 'b') c = 8;
                else if (c == 't') c = 9;
                else if (c == 'n') c = 10;
                else if (c == 'r') c = 13;
                else if (c == EOFC) return 2;
                else if (c != '|' && c != '\\')
                    return rd_error_at(r, loc, "unknown escape in |symbol|:", pv_from_char(c));
            }
            if (pass == 0) n++;
            else TRY(str_set(vm, name, k++, c));
        }
    }
    return sym_intern_str(vm, name, out);
}

static const struct { const char *name; uint32_t c; } char_names[] = {
    {"alarm", 7}, {"backspace", 8}, {"delete", 127}, {"escape", 27}, {"newline", 10},
    {"null", 0}, {"return", 13}, {"space", 32}, {"tab", 9},
    {"nul", 0}, {"linefeed", 10}, {"altmode", 27}, {"rubout", 127}, {"page", 12},
};

static int read_char_lit(reader *r, pv *out) {
    int64_t loc = here(r);
    next(r);
    next(r);  /* #\ */
    uint32_t c = next(r);
    if (c == EOFC) return 2;
    if (is_delimiter(peek(r))) {
        *out = pv_from_char(c);
        return PITH_OK;
    }
    size_t start = r->st->pos - 1;
    skip_token(r);
    size_t n = r->st->pos - start;
    uint32_t buf[16] = {0};
    for (size_t i = 0; i < n && i < 16; i++) buf[i] = str_ref(r->src, start + i);
    if (n > 16) n = 17;  /* longer than any name */
    if ((buf[0] == 'x' || buf[0] == 'X') && n > 1) {
        uint32_t v = 0;
        bool ok = n <= 9;
        for (size_t i = 1; i < n && ok; i++) {
            uint32_t d = buf[i] | 0x20;
            if (buf[i] >= '0' && buf[i] <= '9') v = v * 16 + (buf[i] - '0');
            else if (d >= 'a' && d <= 'f') v = v * 16 + (d - 'a' + 10);
            else ok = false;
        }
        if (ok && n <= 9) {
            if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
                return rd_error_at(r, loc, "character out of range (not a Unicode scalar value)", 0);
            *out = pv_from_char(v);
            return PITH_OK;
        }
    }
    for (size_t k = 0; k < sizeof char_names / sizeof char_names[0]; k++) {
        const char *nm = char_names[k].name;
        size_t len = c_strlen(nm), i;
        if (len != n) continue;
        for (i = 0; i < n; i++) {
            uint32_t ch = r->st->fold_case ? char_foldcase(buf[i]) : buf[i];
            if (ch != (uint32_t)(unsigned char)nm[i]) break;
        }
        if (i == n) {
            *out = pv_from_char(char_names[k].c);
            return PITH_OK;
        }
    }
    pv name;
    TRY(str_substring(r->vm, r->src, start, r->st->pos, &name));
    return rd_error_at(r, loc, "unknown character name:", name);
}

/* A token that is a number, a boolean, or a symbol. */
static int read_atom(reader *r, pv *out) {
    pith_vm *vm = r->vm;
    int64_t loc = here(r);
    size_t start = skip_token(r), end = r->st->pos, n = end - start;
    pv src = r->src;
    uint32_t c0 = str_ref(src, start);
    if (c0 == '#') {
        /* #t #f #true #false, or a number with a prefix */
        char low[8];
        size_t k;
        for (k = 0; k < n && k < 7; k++) {
            uint32_t c = str_ref(src, start + k);
            low[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c < 128 ? c : '?');
        }
        low[k] = 0;
        if (n == 2 && low[1] == 't') { *out = PV_TRUE; return PITH_OK; }
        if (n == 2 && low[1] == 'f') { *out = PV_FALSE; return PITH_OK; }
        if (n == 5 && !MEMCMP(low, "#true", 5)) { *out = PV_TRUE; return PITH_OK; }
        if (n == 6 && !MEMCMP(low, "#false", 6)) { *out = PV_FALSE; return PITH_OK; }
    }
    bool maybe_num = c0 == '#' || (c0 >= '0' && c0 <= '9') || c0 == '+' || c0 == '-' || c0 == '.';
    if (maybe_num) {
        pv num;
        int s = num_parse(vm, src, start, n, 10, &num);
        if (s) {
            if (pv_is(vm->r.exn, T_CONDITION) && vm->r.exn != vm->r.oom) SLOT(vm->r.exn, COND_LOC) = pv_from_fix(loc);
            return s;
        }
        if (num != PV_FALSE) { *out = num; return PITH_OK; }
        if (c0 == '#') {
            pv tok;
            TRY(str_substring(vm, r->src, start, end, &tok));
            return rd_error_at(r, loc, "bad syntax after #:", tok);
        }
    }
    return make_symbol(r, start, end, r->st->fold_case, out);
}

/* ---- datum labels (#n= and #n#) ----
 * A label's datum may refer to itself: while it is being read, #n# reads as
 * a placeholder (a fresh box), which is replaced everywhere inside the
 * datum once it is complete.  The walk allocates nothing on the heap. */

static bool ph_push(pith_vm *vm, pv **stk, size_t *n, size_t *cap, pv v) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        pv *ns = host_alloc(vm, nc * sizeof(pv));
        if (!ns) return false;
        if (*n) MEMCPY(ns, *stk, *n * sizeof(pv));
        host_free(vm, *stk, *cap * sizeof(pv));
        *stk = ns;
        *cap = nc;
    }
    (*stk)[(*n)++] = v;
    return true;
}

/* Mark x visited; false if it already was.  Open addressing by address. */
static int ph_visit(pith_vm *vm, uint64_t **set, size_t *cap, size_t *n, pv x) {
    if ((*n + 1) * 2 > *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        uint64_t *ns = host_alloc(vm, nc * sizeof(uint64_t));
        if (!ns) return -1;
        MEMSET(ns, 0, nc * sizeof(uint64_t));
        for (size_t i = 0; i < *cap; i++) {
            if (!(*set)[i]) continue;
            size_t h = (size_t)(((*set)[i] >> 3) * 0x9e3779b97f4a7c15ull) & (nc - 1);
            while (ns[h]) h = (h + 1) & (nc - 1);
            ns[h] = (*set)[i];
        }
        host_free(vm, *set, *cap * sizeof(uint64_t));
        *set = ns;
        *cap = nc;
    }
    size_t h = (size_t)((x >> 3) * 0x9e3779b97f4a7c15ull) & (*cap - 1);
    while ((*set)[h]) {
        if ((*set)[h] == x) return 0;
        h = (h + 1) & (*cap - 1);
    }
    (*set)[h] = x;
    (*n)++;
    return 1;
}

/* Replace placeholder ph by val everywhere inside root. */
static int patch_label(pith_vm *vm, pv root, pv ph, pv val) {
    pv *stk = 0;
    size_t n = 0, cap = 0, scap = 0, sn = 0;
    uint64_t *set = 0;
    int st = PITH_OK;
    if (!ph_push(vm, &stk, &n, &cap, root)) return err_oom(vm);
    while (n && !st) {
        pv x = stk[--n];
        if (!pv_is(x, T_PAIR) && !pv_is(x, T_VECTOR)) continue;
        int v = ph_visit(vm, &set, &scap, &sn, x);
        if (v < 0) { st = err_oom(vm); break; }
        if (!v) continue;
        size_t k = pv_is(x, T_PAIR) ? 2 : pv_size(x);
        for (size_t i = 0; i < k; i++) {
            pv e = SLOT(x, i);
            if (e == ph) pv_store(vm, x, &SLOT(x, i), val);
            else if ((pv_is(e, T_PAIR) || pv_is(e, T_VECTOR)) && !ph_push(vm, &stk, &n, &cap, e)) {
                st = err_oom(vm);
                break;
            }
        }
    }
    host_free(vm, stk, cap * sizeof(pv));
    host_free(vm, set, scap * sizeof(uint64_t));
    return st;
}

/* The entry of label n in the alist labels, or #f. */
static pv label_entry(pv labels, int64_t n) {
    for (; pv_is_pair(labels); labels = CDR(labels))
        if (pv_fix(CAR(CAR(labels))) == n) return CAR(labels);
    return PV_FALSE;
}

int read_datum(pith_vm *vm, pv src, read_state *st, int *status, pv *out) {
    reader rd = {vm, st, src, str_len(src)};
    reader *r = &rd;
    rstack stack = {PV_FALSE, 0};
    pv value = PV_FALSE, labels = PV_NULL, ph = PV_FALSE, entry = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(stack.vec, value);
    GC_ROOT3(labels, ph, entry);
    GC_ROOT(rd.src);
    TRY(mk_vector(vm, 16 * FRAME_WORDS, PV_FALSE, &stack.vec));
    *status = RD_OK;
    /* A "#!" script line at the very start of the input. */
    if (st->pos == 0 && st->line == 1 && peek(r) == '#' && peek_at(r, 1) == '!' &&
        (peek_at(r, 2) == '/' || peek_at(r, 2) == ' ')) {
        while (peek(r) != EOFC && peek(r) != '\n') next(r);
    }
    for (;;) {
        int incomplete;
        skip_atmosphere(r, &incomplete);
        if (incomplete) {
            *status = RD_INCOMPLETE;
            st->open_loc = stack.n ? pv_fix(SLOT(stack.vec, 3)) : here(r);
            return PITH_OK;
        }
        uint32_t c = peek(r);
        int64_t loc = here(r);
        st->open_loc = stack.n ? pv_fix(SLOT(stack.vec, 3)) : loc;
        int s = PITH_OK;
        if (c == EOFC) {
            *status = stack.n ? RD_INCOMPLETE : RD_EOF;
            if (stack.n) st->open_loc = pv_fix(SLOT(stack.vec, 3));  /* the outermost frame */
            *out = PV_EOF;
            return PITH_OK;
        }
        if (c == '(' || c == '[') {
            next(r);
            TRY(push_frame(r, &stack, FR_LIST, PV_NULL, loc));
            /* The closing character is kept in the state's high bits. */
            F_STATE(&stack) = pv_from_fix(DOT_NONE | (c == '(' ? 0 : 16));
            continue;
        }
        if (c == ')' || c == ']') {
            next(r);
            if (!stack.n || F_KIND(&stack) == FR_QUOTE || F_KIND(&stack) == FR_COMMENT)
                return rd_error_at(r, loc, c == ')' ? "unexpected )" : "unexpected ]", 0);
            int kind = (int)F_KIND(&stack);
            int state = (int)pv_fix(F_STATE(&stack));
            if (kind == FR_LIST) {
                bool bracket = state & 16;
                if (bracket != (c == ']')) return rd_error_at(r, loc, "mismatched closing parenthesis", 0);
                if ((state & 15) == DOT_WANT) return rd_error_at(r, loc, "missing datum after dot", 0);
                value = F_HEAD(&stack);
            } else {
                if (c != ')') return rd_error_at(r, loc, "mismatched closing parenthesis", 0);
                pv lst = F_HEAD(&stack);
                long len = list_length(lst);
                if (kind == FR_VECTOR) {
                    TRY(mk_vector(vm, (size_t)len, PV_FALSE, &value));
                    lst = F_HEAD(&stack);
                    for (long i = 0; i < len; i++, lst = CDR(lst)) pv_store(vm, value, &SLOT(value, i), CAR(lst));
                } else {
                    TRY(mk_bytevector(vm, (size_t)len, &value));
                    lst = F_HEAD(&stack);
                    for (long i = 0; i < len; i++, lst = CDR(lst)) bv_bytes(value)[i] = (uint8_t)pv_fix(CAR(lst));
                }
            }
            stack.n--;
            goto deliver;
        }
        if (c == '.' && is_delimiter(peek_at(r, r->st->pos + 1))) {
            next(r);
            if (!stack.n || F_KIND(&stack) != FR_LIST || F_HEAD(&stack) == PV_NULL ||
                (pv_fix(F_STATE(&stack)) & 15) != DOT_NONE)
                return rd_error_at(r, loc, "unexpected dot", 0);
            F_STATE(&stack) = pv_from_fix((pv_fix(F_STATE(&stack)) & 16) | DOT_WANT);
            continue;
        }
        if (c == '\'' || c == '`' || c == ',') {
            const char *name = c == '\'' ? "quote" : c == '`' ? "quasiquote" : "unquote";
            next(r);
            if (c == ',' && peek(r) == '@') {
                next(r);
                name = "unquote-splicing";
            }
            pv sym;
            TRY(sym_intern(vm, name, c_strlen(name), &sym));
            TRY(push_frame(r, &stack, FR_QUOTE, sym, loc));
            continue;
        }
        if (c == '"') {
            s = read_string_lit(r, &value);
            if (s == 2) { *status = RD_INCOMPLETE; return PITH_OK; }
            TRY(s);
            pv_set_flag(value, OF_IMMUTABLE);
            goto deliver;
        }
        if (c == '|') {
            s = read_bar_symbol(r, &value);
            if (s == 2) { *status = RD_INCOMPLETE; return PITH_OK; }
            TRY(s);
            goto deliver;
        }
        if (c == '#') {
            uint32_t c1 = peek_at(r, r->st->pos + 1);
            if (c1 == '(') {
                next(r);
                next(r);
                TRY(push_frame(r, &stack, FR_VECTOR, PV_NULL, loc));
                continue;
            }
            if ((c1 == 'u' || c1 == 'U') && peek_at(r, r->st->pos + 2) == '8' && peek_at(r, r->st->pos + 3) == '(') {
                for (int i = 0; i < 4; i++) next(r);
                TRY(push_frame(r, &stack, FR_BYTEVECTOR, PV_NULL, loc));
                continue;
            }
            if (c1 == ';') {
                next(r);
                next(r);
                TRY(push_frame(r, &stack, FR_COMMENT, PV_FALSE, loc));
                continue;
            }
            if (c1 == '\\') {
                s = read_char_lit(r, &value);
                if (s == 2) { *status = RD_INCOMPLETE; return PITH_OK; }
                TRY(s);
                goto deliver;
            }
            if (c1 >= '0' && c1 <= '9') {
                /* #n= defines a datum label, #n# refers to one */
                next(r);
                int64_t n = 0;
                uint32_t d;
                while ((d = peek(r)) >= '0' && d <= '9') {
                    next(r);
                    if (n < 100000000) n = n * 10 + (d - '0');
                }
                if (d == '=') {
                    next(r);
                    if (pv_is_pair(label_entry(labels, n)))
                        return rd_error_at(r, loc, "datum label defined twice:", pv_from_fix(n));
                    TRY(mk_box(vm, pv_from_fix(n), &ph));
                    TRY(mk_pair(vm, pv_from_fix(n), ph, &entry));
                    TRY(mk_pair(vm, entry, labels, &labels));
                    TRY(push_frame(r, &stack, FR_LABEL, pv_from_fix(n), loc));
                    pv_store(vm, stack.vec, &F_TAIL(&stack), ph);
                    continue;
                }
                if (d == '#') {
                    next(r);
                    pv e = label_entry(labels, n);
                    if (!pv_is_pair(e)) return rd_error_at(r, loc, "reference to an undefined datum label:", pv_from_fix(n));
                    value = CDR(e);
                    goto deliver;
                }
                if (d == 0xffffffffu) { *status = RD_INCOMPLETE; return PITH_OK; }
                return rd_error_at(r, loc, "bad datum label (expected #n= or #n#)", 0);
            }
            if (c1 == '!') {
                next(r);
                next(r);
                size_t start = skip_token(r), n = r->st->pos - start;
                static const char fc[] = "fold-case", nfc[] = "no-fold-case";
                bool is_fc = n == 9, is_nfc = n == 12;
                for (size_t i = 0; i < n && (is_fc || is_nfc); i++) {
                    uint32_t ch = str_ref(r->src, start + i);
                    if (is_fc && ch != (uint32_t)fc[i]) is_fc = false;
                    if (is_nfc && ch != (uint32_t)nfc[i]) is_nfc = false;
                }
                if (is_fc) st->fold_case = true;
                else if (is_nfc) st->fold_case = false;
                else return rd_error_at(r, loc, "unknown #! directive (expected #!fold-case or #!no-fold-case)", 0);
                continue;
            }
        }
        s = read_atom(r, &value);
        TRY(s);

    deliver:
        /* Hand the datum to the innermost open frame. */
        for (;;) {
            if (!stack.n) {
                *out = value;
                return PITH_OK;
            }
            int kind = (int)F_KIND(&stack);
            if (kind == FR_QUOTE) {
                pv p;
                TRY(mk_pair(vm, value, PV_NULL, &p));
                TRY(mk_pair_loc(vm, F_HEAD(&stack), p, pv_from_fix(F_LOC(&stack)), &value));
                stack.n--;
                continue;
            }
            if (kind == FR_COMMENT) {
                stack.n--;
                break;
            }
            if (kind == FR_LABEL) {
                pv ph = F_TAIL(&stack);
                if (value == ph) return rd_error_at(r, F_LOC(&stack), "a datum label refers only to itself:", F_HEAD(&stack));
                pv e = label_entry(labels, pv_fix(F_HEAD(&stack)));
                pv_store(vm, e, &CDR(e), value);
                TRY(patch_label(vm, value, F_TAIL(&stack), value));
                stack.n--;
                continue;
            }
            if (kind == FR_LIST) {
                int state = (int)pv_fix(F_STATE(&stack));
                if ((state & 15) == DOT_DONE) return rd_error_at(r, here(r), "more than one datum after dot", 0);
                if ((state & 15) == DOT_WANT) {
                    pv t = F_TAIL(&stack);
                    pv_store(vm, t, &CDR(t), value);
                    F_STATE(&stack) = pv_from_fix((state & 16) | DOT_DONE);
                    break;
                }
                TRY(frame_append(r, &stack, value));
                break;
            }
            if (kind == FR_BYTEVECTOR && (!pv_is_fix(value) || pv_fix(value) < 0 || pv_fix(value) > 255))
                return rd_error_at(r, here(r), "bytevector element is not a byte (0 to 255):", value);
            TRY(frame_append(r, &stack, value));
            break;
        }
    }
}

/* write.c -- the printer: write, display, write-shared, write-simple.
 *
 * Output goes to a byte buffer in host memory; nothing is allocated on the
 * heap while a value is walked, so raw pointers stay valid.  Both the walk
 * that finds cycles (or shared structure) and the printing itself use
 * explicit stacks: a 10^6-element list or 100,000 nested lists print
 * without C recursion.  `write` and `display` label only what forms a
 * cycle (R7RS 6.13.3), `write-shared` everything shared, `write-simple`
 * nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"
#include "number.h"

/* Make room for n more bytes. */
int obuf_reserve(pith_vm *vm, obuf *o, size_t n) {
    if (o->n + n > o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 4096;
        while (ncap < o->n + n) ncap *= 2;
        uint8_t *np = tmp_alloc(vm, ncap);
        if (!np) return err_oom(vm);
        if (o->n) MEMCPY(np, o->p, o->n);
        tmp_free(vm, o->p, o->cap);
        o->p = np;
        o->cap = ncap;
    }
    return PITH_OK;
}

int obuf_put(pith_vm *vm, obuf *o, const void *p, size_t n) {
    if (n == 0) return PITH_OK;
    TRY(obuf_reserve(vm, o, n));
    MEMCPY(o->p + o->n, p, n);
    o->n += n;
    return PITH_OK;
}

void obuf_free(pith_vm *vm, obuf *o) {
    tmp_free(vm, o->p, o->cap);
    o->p = 0;
    o->n = o->cap = 0;
}

static int puts_(pith_vm *vm, obuf *o, const char *s) { return obuf_put(vm, o, s, c_strlen(s)); }

static int put_char(pith_vm *vm, obuf *o, uint32_t c) {
    uint8_t b[4];
    return obuf_put(vm, o, b, utf8_encode(c, b));
}

static int put_hex(pith_vm *vm, obuf *o, uint32_t c) {
    char b[12];
    int k = 0;
    char t[8];
    int n = 0;
    do { int d = (int)(c & 15); t[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10); c >>= 4; } while (c);
    while (n) b[k++] = t[--n];
    return obuf_put(vm, o, b, (size_t)k);
}

static int put_str(pith_vm *vm, obuf *o, pv s) {
    size_t n = str_len(s);
    TRY(obuf_reserve(vm, o, str_utf8_len(s, 0, n)));
    o->n += str_to_utf8(s, 0, n, o->p + o->n);
    return PITH_OK;
}

/* ---- labels: which objects print as #n= / #n# ---- */

enum { LS_NONE = 0, LS_ACTIVE = 1, LS_DONE = 2 };
typedef struct lentry {
    uint64_t key;    /* object address, 0 = empty */
    uint8_t state;   /* LS_* during the walk */
    uint8_t label;   /* needs a label */
    uint8_t printed; /* its #n= has been printed */
    int64_t number;  /* label number, -1 until printed */
} lentry;

typedef struct labels {
    lentry *t;       /* open-addressing table */
    size_t cap, n;
    int64_t next;    /* next label number */
    bool any;        /* some object needs a label */
} labels;

static lentry *lab_find(pith_vm *vm, labels *L, pv x, bool insert) {
    if (insert && (L->n + 1) * 2 > L->cap) {
        size_t ncap = L->cap ? L->cap * 2 : 1024;
        lentry *nt = tmp_alloc(vm, ncap * sizeof(lentry));
        if (!nt) return 0;
        MEMSET(nt, 0, ncap * sizeof(lentry));
        for (size_t i = 0; i < L->cap; i++) {
            if (!L->t[i].key) continue;
            size_t h = (size_t)((L->t[i].key >> 3) * 0x9e3779b97f4a7c15ull) & (ncap - 1);
            while (nt[h].key) h = (h + 1) & (ncap - 1);
            nt[h] = L->t[i];
        }
        tmp_free(vm, L->t, L->cap * sizeof(lentry));
        L->t = nt;
        L->cap = ncap;
    }
    if (!L->cap) return 0;
    size_t h = (size_t)((x >> 3) * 0x9e3779b97f4a7c15ull) & (L->cap - 1);
    while (L->t[h].key) {
        if (L->t[h].key == x) return &L->t[h];
        h = (h + 1) & (L->cap - 1);
    }
    if (!insert) return 0;
    L->t[h].key = x;
    L->t[h].number = -1;
    L->n++;
    return &L->t[h];
}

static bool labelable(pv x) { return pv_is(x, T_PAIR) || pv_is(x, T_VECTOR); }

/* A growable stack of (value, tag) entries in host memory. */
typedef struct wstack {
    pv *v;
    int64_t *tag;
    size_t n, cap;
} wstack;

static int ws_push(pith_vm *vm, wstack *s, pv v, int64_t tag) {
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 256;
        pv *nv = tmp_alloc(vm, ncap * sizeof(pv));
        int64_t *nt = tmp_alloc(vm, ncap * sizeof(int64_t));
        if (!nv || !nt) {
            tmp_free(vm, nv, ncap * sizeof(pv));
            tmp_free(vm, nt, ncap * sizeof(int64_t));
            return err_oom(vm);
        }
        if (s->n) {
            MEMCPY(nv, s->v, s->n * sizeof(pv));
            MEMCPY(nt, s->tag, s->n * sizeof(int64_t));
        }
        tmp_free(vm, s->v, s->cap * sizeof(pv));
        tmp_free(vm, s->tag, s->cap * sizeof(int64_t));
        s->v = nv;
        s->tag = nt;
        s->cap = ncap;
    }
    s->v[s->n] = v;
    s->tag[s->n] = tag;
    s->n++;
    return PITH_OK;
}

static void ws_free(pith_vm *vm, wstack *s) {
    tmp_free(vm, s->v, s->cap * sizeof(pv));
    tmp_free(vm, s->tag, s->cap * sizeof(int64_t));
}

/* Depth-first walk marking objects that need labels: targets of back
 * edges (cycles), or with `shared`, objects reached twice. */
static int find_labels(pith_vm *vm, pv root, bool shared, labels *L, wstack *s) {
    enum { ENTER, EXIT };
    TRY(ws_push(vm, s, root, ENTER));
    while (s->n) {
        s->n--;
        pv x = s->v[s->n];
        int64_t phase = s->tag[s->n];
        if (phase == EXIT) {
            lentry *e = lab_find(vm, L, x, false);
            if (e) e->state = LS_DONE;
            continue;
        }
        if (!labelable(x)) continue;
        lentry *e = lab_find(vm, L, x, true);
        if (!e) return err_oom(vm);
        if (e->state == LS_ACTIVE || (e->state == LS_DONE && shared)) {
            e->label = 1;
            L->any = true;
            continue;
        }
        if (e->state == LS_DONE) continue;
        e->state = LS_ACTIVE;
        TRY(ws_push(vm, s, x, EXIT));
        if (pv_is(x, T_PAIR)) {
            TRY(ws_push(vm, s, CDR(x), ENTER));
            TRY(ws_push(vm, s, CAR(x), ENTER));
        } else {
            for (size_t i = pv_size(x); i-- > 0;) TRY(ws_push(vm, s, SLOT(x, i), ENTER));
        }
    }
    return PITH_OK;
}

/* ---- atoms ---- */

static bool symbol_needs_bars(pv name) {
    size_t n = str_len(name);
    if (n == 0) return true;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = str_ref(name, i);
        /* R7RS 6.13.3: symbols with non-ASCII characters are written
         * with vertical lines */
        if (c <= 32 || c >= 127 || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' ||
            c == '"' || c == ';' || c == '\'' || c == '`' || c == ',' || c == '|' || c == '\\')
            return true;
    }
    uint32_t c0 = str_ref(name, 0);
    if (c0 == '#' || (c0 >= '0' && c0 <= '9')) return true;
    if (n == 1 && c0 == '.') return true;
    if (c0 == '+' || c0 == '-' || c0 == '.') {
        uint32_t c1 = n > 1 ? str_ref(name, 1) : 0;
        if (c1 >= '0' && c1 <= '9') return true;
        if (c1 == '.' && n > 2 && str_ref(name, 2) >= '0' && str_ref(name, 2) <= '9') return true;
        if (c0 != '.') {
            /* +inf.0 -nan.0 +i -i */
            char low[8];
            size_t k;
            for (k = 0; k + 1 < n && k < 6; k++) {
                uint32_t c = str_ref(name, k + 1);
                low[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c < 128 ? c : '?');
            }
            low[k] = 0;
            if (n == 6 && (!MEMCMP(low, "inf.0", 5) || !MEMCMP(low, "nan.0", 5))) return true;
            if (n == 2 && low[0] == 'i') return true;
        }
    }
    return false;
}

static int write_symbol(pith_vm *vm, obuf *o, pv sym, bool write) {
    pv name = SYM_NAME(sym);
    if (!write || !symbol_needs_bars(name)) return put_str(vm, o, name);
    TRY(puts_(vm, o, "|"));
    size_t n = str_len(name);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = str_ref(name, i);
        if (c == '|' || c == '\\') {
            TRY(puts_(vm, o, "\\"));
            TRY(put_char(vm, o, c));
        } else if (c < 32 || c == 127) {
            TRY(puts_(vm, o, "\\x"));
            TRY(put_hex(vm, o, c));
            TRY(puts_(vm, o, ";"));
        } else {
            TRY(put_char(vm, o, c));
        }
    }
    return puts_(vm, o, "|");
}

static int write_string(pith_vm *vm, obuf *o, pv s) {
    TRY(puts_(vm, o, "\""));
    size_t n = str_len(s);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = str_ref(s, i);
        const char *esc = 0;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\t': esc = "\\t"; break;
        case '\r': esc = "\\r"; break;
        case 7: esc = "\\a"; break;
        case 8: esc = "\\b"; break;
        default: break;
        }
        if (esc) TRY(puts_(vm, o, esc));
        else if (c < 32 || c == 127) {
            TRY(puts_(vm, o, "\\x"));
            TRY(put_hex(vm, o, c));
            TRY(puts_(vm, o, ";"));
        } else {
            TRY(put_char(vm, o, c));
        }
    }
    return puts_(vm, o, "\"");
}

static const struct { uint32_t c; const char *name; } char_names[] = {
    {7, "alarm"}, {8, "backspace"}, {127, "delete"}, {27, "escape"}, {10, "newline"},
    {0, "null"}, {13, "return"}, {32, "space"}, {9, "tab"},
};

static int write_char(pith_vm *vm, obuf *o, uint32_t c) {
    TRY(puts_(vm, o, "#\\"));
    for (size_t i = 0; i < sizeof char_names / sizeof char_names[0]; i++)
        if (char_names[i].c == c) return puts_(vm, o, char_names[i].name);
    if (c < 32 || (c >= 127 && c < 160) || (c > 127 && char_is_whitespace(c)) || (c >= 0xd800 && c < 0xe000)) {
        TRY(puts_(vm, o, "x"));
        return put_hex(vm, o, c);
    }
    return put_char(vm, o, c);
}

static int write_name(pith_vm *vm, obuf *o, const char *prefix, pv name, const char *suffix) {
    TRY(puts_(vm, o, prefix));
    if (pv_is_symbol(name)) {
        TRY(puts_(vm, o, " "));
        TRY(put_str(vm, o, SYM_NAME(name)));
    } else if (pv_is(name, T_STRING)) {
        TRY(puts_(vm, o, " "));
        TRY(put_str(vm, o, name));
    }
    return puts_(vm, o, suffix);
}

/* Anything that is not a pair or a vector. */
static int write_atom(pith_vm *vm, obuf *o, pv x, bool write) {
    if (num_is_number(x)) return num_write(vm, x, 10, o);
    if (pv_is_char(x)) return write ? write_char(vm, o, pv_char(x)) : put_char(vm, o, pv_char(x));
    if (pv_is_special(x)) {
        switch (x) {
        case PV_FALSE: return puts_(vm, o, "#f");
        case PV_TRUE: return puts_(vm, o, "#t");
        case PV_NULL: return puts_(vm, o, "()");
        case PV_EOF: return puts_(vm, o, "#<eof>");
        case PV_VOID: return puts_(vm, o, "#<unspecified>");
        case PV_DEFAULT: return puts_(vm, o, "#<default>");
        case PV_UNBOUND: return puts_(vm, o, "#<unbound>");
        case PV_UNASSIGNED: return puts_(vm, o, "#<unassigned>");
        default: return puts_(vm, o, "#<special>");
        }
    }
    if (!pv_is_ptr(x)) return puts_(vm, o, "#<invalid>");
    switch (pv_type(x)) {
    case T_STRING: return write ? write_string(vm, o, x) : put_str(vm, o, x);
    case T_SYMBOL: return write_symbol(vm, o, x, write);
    case T_BYTEVECTOR: {
        TRY(puts_(vm, o, "#u8("));
        size_t n = (size_t)pv_fix(BV_LEN(x));
        for (size_t i = 0; i < n; i++) {
            uint8_t b = bv_bytes(x)[i];
            char d[4];
            int m = 0;
            if (b >= 100) d[m++] = (char)('0' + b / 100);
            if (b >= 10) d[m++] = (char)('0' + b / 10 % 10);
            d[m++] = (char)('0' + b % 10);
            if (i) TRY(puts_(vm, o, " "));
            TRY(obuf_put(vm, o, d, (size_t)m));
        }
        return puts_(vm, o, ")");
    }
    case T_CLOSURE: return write_name(vm, o, "#<procedure", SLOT(CLO_CODE(x), CODE_NAME), ">");
    case T_PRIM: return write_name(vm, o, "#<procedure", SLOT(x, PRIM_NAME), ">");
    case T_CASELAMBDA: return write_name(vm, o, "#<procedure", SLOT(x, 0), ">");
    case T_CONT: return puts_(vm, o, "#<continuation>");
    case T_PARAMETER: return puts_(vm, o, "#<parameter>");
    case T_CODE: return write_name(vm, o, "#<code", SLOT(x, CODE_NAME), ">");
    case T_ENV: return write_name(vm, o, "#<environment", SLOT(x, ENV_NAME), ">");
    case T_CELL: return write_name(vm, o, "#<variable", SLOT(x, CELL_NAME), ">");
    case T_MACRO: return puts_(vm, o, "#<macro>");
    case T_SPECIAL: return write_name(vm, o, "#<syntax", SLOT(x, 0), ">");
    case T_IDENT: {
        pv n = x;
        for (int guard = 0; guard < 1000 && pv_is(n, T_IDENT); guard++) n = SLOT(n, IDENT_NAME);
        return write_name(vm, o, "#<identifier", n, ">");
    }
    case T_HTABLE: return puts_(vm, o, "#<hash-table>");
    case T_PORT: return puts_(vm, o, "#<port>");
    case T_BOX: return puts_(vm, o, "#<box>");
    case T_PROMISE: return puts_(vm, o, "#<promise>");
    case T_VALUES: return puts_(vm, o, "#<values>");
    case T_STACK: return puts_(vm, o, "#<stack>");
    case T_CONDITION: {
        TRY(puts_(vm, o, "#<error "));
        pv m = SLOT(x, COND_MESSAGE);
        if (pv_is(m, T_STRING)) TRY(write_string(vm, o, m));
        return puts_(vm, o, ">");
    }
    case T_RECORD: {
        pv rtd = SLOT(x, 0);
        pv name = pv_is(rtd, T_RECORD) && pv_size(rtd) > 1 ? SLOT(rtd, 1) : PV_FALSE;
        return write_name(vm, o, "#<record", name, ">");
    }
    default: return puts_(vm, o, "#<object>");
    }
}

/* ---- the printing walk ---- */

enum { W_OBJ, W_REST, W_VEC, W_CLOSE, W_DOT };

static int print_label_def(pith_vm *vm, obuf *o, labels *L, lentry *e) {
    char buf[32];
    e->number = L->next++;
    e->printed = 1;
    size_t n = fmt(buf, sizeof buf, "#%ld=", (long)e->number);
    return obuf_put(vm, o, buf, n);
}

static int print_label_ref(pith_vm *vm, obuf *o, lentry *e) {
    char buf[32];
    size_t n = fmt(buf, sizeof buf, "#%ld#", (long)e->number);
    return obuf_put(vm, o, buf, n);
}

static int print(pith_vm *vm, pv root, int mode, obuf *o, labels *L, wstack *s) {
    bool write = mode != WR_DISPLAY;
    TRY(ws_push(vm, s, root, W_OBJ));
    while (s->n) {
        s->n--;
        pv x = s->v[s->n];
        int64_t tag = s->tag[s->n];
        switch (tag & 7) {
        case W_CLOSE:
            TRY(puts_(vm, o, ")"));
            continue;
        case W_REST: {
            /* x is the rest of a list whose elements are being printed. */
            if (x == PV_NULL) {
                TRY(puts_(vm, o, ")"));
                continue;
            }
            lentry *e = L->any && labelable(x) ? lab_find(vm, L, x, false) : 0;
            if (pv_is(x, T_PAIR) && !(e && e->label)) {
                TRY(puts_(vm, o, " "));
                TRY(ws_push(vm, s, CDR(x), W_REST));
                TRY(ws_push(vm, s, CAR(x), W_OBJ));
                continue;
            }
            TRY(puts_(vm, o, " . "));
            TRY(ws_push(vm, s, PV_FALSE, W_CLOSE));
            TRY(ws_push(vm, s, x, W_OBJ));
            continue;
        }
        case W_VEC: {
            size_t i = (size_t)(tag >> 3);
            if (i >= pv_size(x)) {
                TRY(puts_(vm, o, ")"));
                continue;
            }
            if (i) TRY(puts_(vm, o, " "));
            TRY(ws_push(vm, s, x, W_VEC | (int64_t)((i + 1) << 3)));
            TRY(ws_push(vm, s, SLOT(x, i), W_OBJ));
            continue;
        }
        default:
            break;
        }
        /* W_OBJ */
        if (!labelable(x)) {
            TRY(write_atom(vm, o, x, write));
            continue;
        }
        if (L->any) {
            lentry *e = lab_find(vm, L, x, false);
            if (e && e->label) {
                if (e->printed) {
                    TRY(print_label_ref(vm, o, e));
                    continue;
                }
                TRY(print_label_def(vm, o, L, e));
            }
        }
        if (pv_is(x, T_PAIR)) {
            TRY(puts_(vm, o, "("));
            TRY(ws_push(vm, s, CDR(x), W_REST));
            TRY(ws_push(vm, s, CAR(x), W_OBJ));
        } else {
            TRY(puts_(vm, o, "#("));
            TRY(ws_push(vm, s, x, W_VEC));
        }
    }
    return PITH_OK;
}

int write_obuf(pith_vm *vm, pv v, int mode, obuf *o) {
    labels L = {0, 0, 0, 0, false};
    wstack s = {0, 0, 0, 0};
    int st = PITH_OK;
    if (labelable(v) && mode != WR_SIMPLE) {
        st = find_labels(vm, v, mode == WR_SHARED, &L, &s);
        s.n = 0;
    }
    if (!st) st = print(vm, v, mode, o, &L, &s);
    tmp_free(vm, L.t, L.cap * sizeof(lentry));
    ws_free(vm, &s);
    return st;
}

int write_value(pith_vm *vm, pv v, int mode, pv *out) {
    obuf o = {0, 0, 0};
    int st = write_obuf(vm, v, mode, &o);
    if (!st) st = str_from_utf8(vm, o.p, o.n, out);
    obuf_free(vm, &o);
    return st;
}

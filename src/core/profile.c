/* profile.c -- the profiler behind `pith --profile` and pith_profile_*.
 *
 * Two measures, both collected only while profiling is on:
 *  - every instruction executed is counted by opcode (the interpreter
 *    dispatches through a second table whose entries count, then jump to
 *    the real instruction, so a VM that is not profiling pays nothing);
 *  - at each poll (every few thousand procedure entries) the time since
 *    the previous poll, from the host's monotonic clock, is charged to the
 *    procedure running then.  Procedures are told apart by the identity
 *    hash of their code object, which survives collections; the name and
 *    the source location are copied when a procedure is first seen.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

#define PROF_SLOTS 4096

typedef struct prof_proc {
    uint32_t key;        /* identity hash of the CODE, 0: free */
    uint64_t ns, samples;
    int64_t loc;         /* where the lambda is, or -1 */
    bool shown;          /* listed already (while reporting) */
    char name[48];
} prof_proc;

struct pith_profile {
    uint64_t ops[OP_COUNT];
    int64_t last;        /* clock at the previous sample */
    size_t nprocs;
    prof_proc procs[PROF_SLOTS];
};

/* String s as UTF-8 in buf (whole characters only), NUL-terminated. */
static void c_copy(pv s, char *buf, size_t cap) {
    size_t n = str_len(s), k = 0;
    for (size_t j = 0; j < n && k + 5 <= cap; j++) k += utf8_encode(str_ref(s, j), (uint8_t *)buf + k);
    buf[k] = 0;
}

static int64_t now(pith_vm *vm) {
    return vm->host->clock && vm->host->clock->monotonic ? vm->host->clock->monotonic(vm->hctx) : 0;
}

int profile_start(pith_vm *vm) {
    if (!vm->prof) {
        vm->prof = host_alloc(vm, sizeof(struct pith_profile));
        if (!vm->prof) return PITH_NO_MEMORY;
    }
    MEMSET(vm->prof, 0, sizeof(struct pith_profile));
    vm->prof->last = now(vm);
    return PITH_OK;
}

void profile_stop(pith_vm *vm) {
    if (vm->prof) host_free(vm, vm->prof, sizeof(struct pith_profile));
    vm->prof = 0;
}

void profile_count(pith_vm *vm, int op) { vm->prof->ops[op]++; }

/* Charge the time since the last sample to the procedure in `proc`. */
void profile_sample(pith_vm *vm, pv proc) {
    struct pith_profile *p = vm->prof;
    int64_t t = now(vm);
    uint64_t dt = t > p->last ? (uint64_t)(t - p->last) : 0;
    p->last = t;
    if (!pv_is(proc, T_CLOSURE) || !pv_is(CLO_CODE(proc), T_CODE)) return;
    pv code = CLO_CODE(proc);
    uint32_t key = obj_hash(vm, code);
    size_t i = key & (PROF_SLOTS - 1);
    for (size_t probes = 0; probes < PROF_SLOTS; probes++, i = (i + 1) & (PROF_SLOTS - 1)) {
        prof_proc *e = &p->procs[i];
        if (e->key == key) {
            e->ns += dt;
            e->samples++;
            return;
        }
        if (!e->key) {
            if (p->nprocs >= PROF_SLOTS * 3 / 4) return;  /* full: drop */
            p->nprocs++;
            e->key = key;
            e->ns = dt;
            e->samples = 1;
            pv loc = SLOT(code, CODE_LOC);
            e->loc = pv_is_fix(loc) ? pv_fix(loc) : -1;
            pv name = SLOT(code, CODE_NAME);
            if (pv_is(name, T_SYMBOL)) name = SYM_NAME(name);
            if (pv_is(name, T_STRING)) {
                c_copy(name, e->name, sizeof e->name);
            } else {
                fmt(e->name, sizeof e->name, "(anonymous)");
            }
            return;
        }
    }
}

static const char *const op_names[OP_COUNT] = {
#define OP(name, extra, doc) #name,
#include "opcodes.def"
#undef OP
};

/* Append the file:line of loc to buf. */
static size_t put_loc(pith_vm *vm, char *buf, size_t cap, int64_t loc) {
    if (loc < 0) return fmt(buf, cap, "?");
    int64_t f = loc_file(loc);
    pv name = pv_is(vm->r.files, T_VECTOR) && (uint64_t)f < pv_size(vm->r.files) ? SLOT(vm->r.files, f) : PV_FALSE;
    char fn[96];
    fn[0] = 0;
    if (pv_is(name, T_STRING)) c_copy(name, fn, sizeof fn);
    return fmt(buf, cap, "%s:%ld", fn[0] ? fn : "?", (long)loc_line(loc));
}

/* text right-aligned in a field of width w, into out (cap >= w + 1) */
static const char *rjust(char *out, size_t w, const char *text) {
    size_t n = c_strlen(text), k = 0;
    while (n + k < w) out[k++] = ' ';
    MEMCPY(out + k, text, n + 1);
    return out;
}

/* The report: procedures by time, then opcodes by count.  Returns the
 * length it needs (like snprintf). */
size_t profile_report(pith_vm *vm, char *buf, size_t cap) {
    struct pith_profile *p = vm->prof;
    size_t n = 0;
    char a[32], b[32], c[32], t1[32], t2[32], t3[32];
#define PUT(...) do { n += fmt(buf ? buf + (n < cap ? n : cap) : 0, n < cap ? cap - n : 0, __VA_ARGS__); } while (0)
    if (!p) { PUT("profiling is off\n"); return n; }
    uint64_t total = 0;
    for (size_t i = 0; i < PROF_SLOTS; i++) total += p->procs[i].ns;
    PUT("procedures by time (the clock read every %d procedure calls):\n", POLL_QUANTUM);
    PUT("   %%time   seconds  samples  procedure\n");
    for (size_t i = 0; i < PROF_SLOTS; i++) p->procs[i].shown = false;
    for (int rank = 0; rank < 25; rank++) {
        size_t best = PROF_SLOTS;
        for (size_t i = 0; i < PROF_SLOTS; i++)
            if (p->procs[i].key && !p->procs[i].shown && (best == PROF_SLOTS || p->procs[i].ns > p->procs[best].ns)) best = i;
        if (best == PROF_SLOTS) break;
        p->procs[best].shown = true;
        prof_proc *e = &p->procs[best];
        char where[128];
        put_loc(vm, where, sizeof where, e->loc);
        long pct10 = total ? (long)(e->ns * 1000 / total) : 0;
        fmt(t1, sizeof t1, "%ld.%ld", pct10 / 10, pct10 % 10);
        long ms = (long)(e->ns / 1000000u);
        fmt(t2, sizeof t2, "%ld.%ld%ld%ld", ms / 1000, ms / 100 % 10, ms / 10 % 10, ms % 10);
        fmt(t3, sizeof t3, "%ld", (long)e->samples);
        PUT("  %s  %s  %s  %s (%s)\n", rjust(a, 6, t1), rjust(b, 8, t2), rjust(c, 7, t3), e->name, where);
    }
    uint64_t all = 0;
    for (int i = 0; i < OP_COUNT; i++) all += p->ops[i];
    PUT("instructions by opcode (%ld executed):\n", (long)all);
    bool oshown[OP_COUNT];
    MEMSET(oshown, 0, sizeof oshown);
    for (int rank = 0; rank < 20; rank++) {
        int best = -1;
        for (int i = 0; i < OP_COUNT; i++)
            if (!oshown[i] && p->ops[i] && (best < 0 || p->ops[i] > p->ops[best])) best = i;
        if (best < 0) break;
        oshown[best] = true;
        long pct10 = all ? (long)(p->ops[best] * 1000 / all) : 0;
        fmt(t1, sizeof t1, "%ld.%ld%%", pct10 / 10, pct10 % 10);
        fmt(t2, sizeof t2, "%ld", (long)p->ops[best]);
        PUT("  %s  %s  %s\n", rjust(a, 6, t1), rjust(b, 13, t2), op_names[best]);
    }
#undef PUT
    return n;
}

/* main.c -- the `pith` command: a REPL, a program runner, an evaluator.
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "../../include/pith.h"
#include "posix_host.h"

#define EXIT_USAGE 64     /* sysexits EX_USAGE */
#define EXIT_ERROR 70     /* sysexits EX_SOFTWARE: an uncaught error */

static const char usage_text[] =
    "Usage: pith [OPTION]... [FILE [ARG]...]\n"
    "Pith, an embeddable, image-based Scheme (R7RS).\n"
    "\n"
    "With FILE, run it as a program: (command-line) is FILE and the ARGs.\n"
    "Without FILE (and without -e or -p), start the REPL.\n"
    "\n"
    "  -e EXPR           evaluate EXPR (its value is not printed); repeatable\n"
    "  -p EXPR           evaluate EXPR and print its value; repeatable\n"
    "  -l FILE           load FILE first; repeatable\n"
    "  -I DIR            look for libraries in DIR first; repeatable\n"
    "  -i IMAGE [ARG]... resume a saved image; (command-line) is IMAGE and\n"
    "                    the ARGs; the rest of the command line is theirs\n"
    "      --save-image IMAGE FILE  load FILE (a program) and save an image\n"
    "                    that calls its main (or starts the REPL) when\n"
    "                    resumed with -i\n"
    "  -A DIR            look for libraries in DIR last; repeatable\n"
    "      --repl        start the REPL after -e, -p and -l\n"
    "      --no-edit     no line editing in the REPL\n"
    "      --heap-limit=BYTES  stop a program that needs more heap (a\n"
    "                    catchable heap-exhausted error); K, M, G suffixes\n"
    "      --gc-stress   collect garbage at every allocation (slow; testing)\n"
    "      --profile     when the run ends, print on stderr where the time went,\n"
    "                    by procedure, and the instructions run, by opcode\n"
    "  -h, --help        show this help and exit\n"
    "  -v, --version     show the version and exit\n"
    "  --                end of options\n"
    "\n"
    "import finds library (a b) as a/b.sld in the -I directories, then the\n"
    "program's directory (the current one without FILE), then the -A\n"
    "directories, then those in PITH_LIBRARY_PATH (separated by colons).\n"
    "\n"
    "Exit status: 0 on success, the status given to (exit), 70 when an error\n"
    "is not caught, 64 for a bad command line.\n"
    "Documentation: docs/manual.md; embedding: docs/embedding.md.\n";

static pith_vm *the_vm;  /* for the signal handler */

static void on_sigint(int sig) {
    (void)sig;
    if (the_vm) pith_interrupt(the_vm);
}

static void on_edit_interrupt(void *arg) { pith_interrupt((pith_vm *)arg); }

/* A size with an optional K, M or G suffix; 0 when malformed. */
static size_t parse_size(const char *s) {
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) return 0;
    if (*end == 'K' || *end == 'k') v <<= 10, end++;
    else if (*end == 'M' || *end == 'm') v <<= 20, end++;
    else if (*end == 'G' || *end == 'g') v <<= 30, end++;
    return *end ? 0 : (size_t)v;
}

/* The compiler's nesting limit that fits this process's C stack. */
static int compile_depth(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) || rl.rlim_cur == RLIM_INFINITY) return 10000;
    long budget = (long)rl.rlim_cur - 96 * 1024;
#if defined(__SANITIZE_ADDRESS__)
    long d = budget / 2000;   /* AddressSanitizer's frames are about 3 times bigger */
#else
    long d = budget / 700;
#endif
    return d < 100 ? 100 : d > 10000 ? 10000 : (int)d;
}

enum { ACT_EVAL, ACT_PRINT, ACT_LOAD };
typedef struct action {
    int kind;          /* ACT_* */
    const char *arg;   /* the expression or file */
} action;

static int report(pith_vm *vm, posix_host *ph, pith_status s) {
    if (s == PITH_EXIT) return pith_exit_status(vm);
    if (s == PITH_ERROR) {
        posix_host_flush(ph);
        fputs(pith_error_report(vm), stderr);
        return EXIT_ERROR;
    }
    if (s != PITH_OK) {
        posix_host_flush(ph);
        fprintf(stderr, "pith: internal failure (status %d)\n", s);
        return EXIT_ERROR;
    }
    return 0;
}

int main(int argc, char **argv) {
    action acts[256];
    int nacts = 0;
    const char *libdirs[256];
    int libat[256], nlib = 0;
    int repl = 0, edit = 1, stress = 0, profile = 0, i;
    size_t heap_limit = 0;
    const char *image_path = NULL, *save_path = NULL;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) break;
        if (!strcmp(a, "--")) { i++; break; }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage_text, stdout); return 0; }
        if (!strcmp(a, "-v") || !strcmp(a, "--version")) { printf("pith %s\n", PITH_VERSION_STRING); return 0; }
        if (!strcmp(a, "--repl")) { repl = 1; continue; }
        if (!strcmp(a, "--profile")) { profile = 1; continue; }
        if (!strcmp(a, "-i")) {
            if (i + 1 >= argc) { fprintf(stderr, "pith: -i needs an image file\n"); return EXIT_USAGE; }
            image_path = argv[++i];
            break;  /* what follows are the resumed program's arguments */
        }
        if (!strcmp(a, "--save-image")) {
            if (i + 2 >= argc) { fprintf(stderr, "pith: --save-image needs an image file and a program file\n"); return EXIT_USAGE; }
            save_path = argv[++i];
            continue;
        }
        if (!strcmp(a, "--no-edit")) { edit = 0; continue; }
        if (!strcmp(a, "--gc-stress")) { stress = 1; continue; }
        if (!strncmp(a, "--heap-limit=", 13)) {
            heap_limit = parse_size(a + 13);
            if (!heap_limit) { fprintf(stderr, "pith: bad size in %s\n", a); return EXIT_USAGE; }
            continue;
        }
        if (!strcmp(a, "-I") || !strcmp(a, "-A")) {
            if (i + 1 >= argc || !argv[i + 1][0]) { fprintf(stderr, "pith: %s needs a directory\n", a); return EXIT_USAGE; }
            if (nlib == 256) { fprintf(stderr, "pith: too many -I and -A options\n"); return EXIT_USAGE; }
            libat[nlib] = a[1] == 'A';
            libdirs[nlib++] = argv[++i];
            continue;
        }
        if (!strcmp(a, "-e") || !strcmp(a, "-p") || !strcmp(a, "-l")) {
            if (i + 1 >= argc) { fprintf(stderr, "pith: %s needs an argument\n", a); return EXIT_USAGE; }
            if (nacts == 256) { fprintf(stderr, "pith: too many -e, -p and -l options\n"); return EXIT_USAGE; }
            acts[nacts].kind = a[1] == 'e' ? ACT_EVAL : a[1] == 'p' ? ACT_PRINT : ACT_LOAD;
            acts[nacts++].arg = argv[++i];
            continue;
        }
        fprintf(stderr, "pith: unknown option %s (see pith --help)\n", a);
        return EXIT_USAGE;
    }
    const char *program = !image_path && i < argc ? argv[i] : NULL;
    /* The guest sees the program (or image) and its arguments, or just "pith". */
    posix_host *ph = image_path ? posix_host_new(argc - i, argv + i)
                     : program ? posix_host_new(argc - i, argv + i) : posix_host_new(1, argv);
    if (!ph) { fprintf(stderr, "pith: out of memory\n"); return EXIT_ERROR; }
    if (!edit) posix_host_set_editing(ph, 0);
    pith_options opts;
    memset(&opts, 0, sizeof opts);
    opts.size = sizeof opts;
    opts.heap_limit = heap_limit;
    opts.gc_stress = stress || getenv("PITH_GC_STRESS") != NULL;
    opts.max_compile_depth = compile_depth();
    pith_status s;
    char err[300];
    pith_vm *vm = image_path ? pith_load_image(posix_host_get(ph), &opts, image_path, &s, err, sizeof err)
                             : pith_open(posix_host_get(ph), &opts, &s, err, sizeof err);
    if (!vm) {
        if (image_path) fprintf(stderr, "pith: %s: cannot resume: %s\n", image_path, err);
        else fprintf(stderr, "pith: cannot start: %s\n", err);
        posix_host_free(ph);
        return EXIT_ERROR;
    }
    the_vm = vm;
    for (int k = 0; k < nlib; k++)
        if (pith_add_library_path(vm, libdirs[k], libat[k]) != PITH_OK) {
            fprintf(stderr, "pith: out of memory\n");
            pith_close(vm);
            posix_host_free(ph);
            return EXIT_ERROR;
        }
    const char *envpath = getenv("PITH_LIBRARY_PATH");
    if (envpath) {
        char dir[4096];
        for (const char *p = envpath; *p;) {
            const char *colon = strchr(p, ':');
            size_t n = colon ? (size_t)(colon - p) : strlen(p);
            if (n > 0 && n < sizeof dir) {
                memcpy(dir, p, n);
                dir[n] = 0;
                pith_add_library_path(vm, dir, 1);
            }
            p += n;
            if (*p == ':') p++;
        }
    }
    if (profile && pith_profile(vm, 1) != PITH_OK) fprintf(stderr, "pith: no memory to profile\n");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    posix_host_set_interrupt(ph, on_edit_interrupt, vm);

    int status = 0;
    for (int k = 0; k < nacts && !status; k++) {
        pith_scope sc = pith_scope_begin(vm);
        pith_value v;
        if (acts[k].kind == ACT_LOAD) s = pith_load(vm, acts[k].arg, &v);
        else s = pith_eval_string(vm, acts[k].arg, "<command line>", &v);
        status = report(vm, ph, s);
        if (s == PITH_EXIT) goto done;
        if (!status && acts[k].kind == ACT_PRINT) {
            char buf[4096];
            long n = pith_write_to_utf8(vm, v, buf, sizeof buf);
            if (n >= (long)sizeof buf) {
                char *big = malloc((size_t)n + 1);
                if (big) {
                    pith_write_to_utf8(vm, v, big, (size_t)n + 1);
                    printf("%s\n", big);
                    free(big);
                }
            } else if (n >= 0) {
                posix_host_flush(ph);
                printf("%s\n", buf);
            }
            fflush(stdout);
        }
        pith_scope_end(vm, sc);
    }
    if (!status && image_path) {
        s = pith_resume(vm, NULL);
        status = report(vm, ph, s);
    } else if (!status && program && save_path) {
        /* (save-program-image OUT FILE) */
        pith_value proc, args[2];
        s = pith_lookup(vm, "save-program-image", &proc);
        if (s == PITH_OK) {
            args[0] = pith_string(vm, save_path, strlen(save_path));
            args[1] = pith_string(vm, program, strlen(program));
            s = pith_call(vm, proc, 2, args, NULL);
        }
        status = report(vm, ph, s);
    } else if (!status && program) {
        s = pith_run_program(vm, program);
        status = report(vm, ph, s);
    } else if (!status && (repl || nacts == 0)) {
        if (isatty(0) && isatty(1)) {
            const char *home = getenv("HOME");
            if (home) {
                char path[4096];
                snprintf(path, sizeof path, "%s/.pith_history", home);
                posix_host_set_history_file(ph, path);
            }
        }
        s = pith_repl(vm);
        status = report(vm, ph, s);
    }
done:
    if (profile) {
        size_t need = pith_profile_report(vm, NULL, 0);
        char *rep = malloc(need + 1);
        if (rep) {
            pith_profile_report(vm, rep, need + 1);
            posix_host_flush(ph);
            fflush(stdout);
            fprintf(stderr, "%s", rep);
            free(rep);
        }
    }
    the_vm = NULL;
    pith_close(vm);
    posix_host_free(ph);
    return status;
}

/* test_posix_host.c -- tests of the POSIX host (hosts/posix/host.c)
 * through the pith_host it hands out: memory, clocks, process, storage in
 * a temporary directory (including error codes), the console with stdin
 * and stdout redirected to pipes, and wait.
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -Werror -O2 -D_GNU_SOURCE -Iinclude \
 *            tests/unit/test_posix_host.c hosts/posix/host.c \
 *            hosts/posix/lineedit.c -o /tmp/tph && /tmp/tph
 *
 * SPDX-License-Identifier: MIT
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../hosts/posix/posix_host.h"

static int passed, failed;

/* Record one check. */
static void check(int ok, const char *what, int line)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL line %d: %s\n", line, what);
        fflush(stdout);
    }
}
#define CHECK(c) check((c), #c, __LINE__)

static posix_host *ph;      /* the host under test */
static const pith_host *H;  /* its interface */
static void *C;             /* its context */

static void test_memory_clock(void)
{
    CHECK(H->size == sizeof(pith_host));
    CHECK(H->version == PITH_HOST_VERSION);
    CHECK(H->memory && H->clock && H->console && H->process && H->storage);
    CHECK(!H->net && !H->display && !H->input);
    CHECK(H->wait && H->panic);
    uint8_t *p = H->memory->alloc(C, 65536);
    CHECK(p != NULL && ((uintptr_t)p & 15) == 0);
    if (p) {
        memset(p, 0xAB, 65536);
        CHECK(p[65535] == 0xAB);
        H->memory->free(C, p, 65536);
    }
    p = H->memory->alloc(C, 100000); /* not a multiple of the page size */
    CHECK(p != NULL);
    if (p) {
        p[99999] = 1;
        H->memory->free(C, p, 100000);
    }
    CHECK(H->memory->alloc(C, 0) == NULL);
    CHECK(H->memory->alloc(C, SIZE_MAX) == NULL);

    int64_t a = H->clock->monotonic(C), b = H->clock->monotonic(C);
    CHECK(a > 0 && b >= a);
    int64_t w = H->clock->wall(C);
    CHECK(w / 1000000000 - (int64_t)time(NULL) <= 1 &&
          (int64_t)time(NULL) - w / 1000000000 <= 1);
}

static void test_process(void)
{
    CHECK(H->process->arg_count(C) == 2);
    CHECK(!strcmp(H->process->arg(C, 0), "prog"));
    CHECK(!strcmp(H->process->arg(C, 1), "one"));
    CHECK(!strcmp(H->process->arg(C, 2), "two words"));
    CHECK(H->process->arg(C, 3) == NULL);
    CHECK(H->process->arg(C, -1) == NULL);
    setenv("PITH_TEST_VAR", "value=1", 1);
    CHECK(!strcmp(H->process->getenv(C, "PITH_TEST_VAR"), "value=1"));
    CHECK(H->process->getenv(C, "PITH_TEST_NO_SUCH_VAR") == NULL);
    int found = 0, i;
    const char *e;
    for (i = 0; (e = H->process->env_entry(C, i)) != NULL; i++)
        if (!strcmp(e, "PITH_TEST_VAR=value=1")) found = 1;
    CHECK(found);
    CHECK(H->process->env_entry(C, i + 5) == NULL);
    CHECK(H->process->env_entry(C, -1) == NULL);

    /* no arguments at all */
    posix_host *h0 = posix_host_new(0, NULL);
    const pith_host *H0 = posix_host_get(h0);
    CHECK(H0->process->arg_count(H0->ctx) == 0);
    CHECK(H0->process->arg(H0->ctx, 0) == NULL);
    posix_host_free(h0);
}

static void test_storage(void)
{
    const pith_host_storage *S = H->storage;
    char dir[] = "/tmp/pith-host-XXXXXX", a[80], b[80], sub[80], buf[256];
    uint8_t data[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(a, sizeof a, "%s/a.txt", dir);
    snprintf(b, sizeof b, "%s/b.txt", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);

    CHECK(S->exists(C, a) == PITH_HOST_ENOENT);
    int64_t h = S->open(C, a, PITH_OPEN_WRITE);
    CHECK(h >= 0);
    CHECK(S->write(C, h, (const uint8_t *)"hello, world", 12) == 12);
    CHECK(S->write(C, h, (const uint8_t *)"", 0) == 0);
    CHECK(S->file_size(C, h) == 12);
    CHECK(S->close(C, h) == 0);
    CHECK(S->close(C, h) == PITH_HOST_EINVAL);     /* already closed */
    CHECK(S->exists(C, a) == 0);

    h = S->open(C, a, PITH_OPEN_READ);
    CHECK(h >= 0);
    CHECK(S->file_size(C, h) == 12);
    CHECK(S->read(C, h, data, 5) == 5 && !memcmp(data, "hello", 5));
    CHECK(S->seek(C, h, 7) == 0);
    CHECK(S->read(C, h, data, sizeof data) == 5 && !memcmp(data, "world", 5));
    CHECK(S->read(C, h, data, sizeof data) == 0);  /* end of file */
    CHECK(S->seek(C, h, 0) == 0);
    CHECK(S->read(C, h, data, 1) == 1 && data[0] == 'h');
    CHECK(S->seek(C, h, -1) == PITH_HOST_EINVAL);
    CHECK(S->write(C, h, data, 1) < 0);            /* opened for reading */
    CHECK(S->close(C, h) == 0);

    /* append keeps the contents; write truncates */
    h = S->open(C, a, PITH_OPEN_WRITE | PITH_OPEN_APPEND);
    CHECK(h >= 0);
    CHECK(S->write(C, h, (const uint8_t *)"!", 1) == 1);
    CHECK(S->file_size(C, h) == 13);
    CHECK(S->close(C, h) == 0);
    h = S->open(C, b, PITH_OPEN_WRITE | PITH_OPEN_APPEND); /* creates */
    CHECK(h >= 0 && S->close(C, h) == 0);
    h = S->open(C, a, PITH_OPEN_WRITE);
    CHECK(h >= 0 && S->file_size(C, h) == 0);
    CHECK(S->close(C, h) == 0);

    /* bad handles: never one the host did not open for the guest */
    CHECK(S->read(C, 0, data, 1) == PITH_HOST_EINVAL);
    CHECK(S->write(C, 1, data, 1) == PITH_HOST_EINVAL);
    CHECK(S->close(C, 2) == PITH_HOST_EINVAL);
    CHECK(S->file_size(C, -5) == PITH_HOST_EINVAL);
    CHECK(S->seek(C, 1000000, 0) == PITH_HOST_EINVAL);

    /* errors */
    snprintf(buf, sizeof buf, "%s/missing", dir);
    CHECK(S->open(C, buf, PITH_OPEN_READ) == PITH_HOST_ENOENT);
    CHECK(S->remove(C, buf) == PITH_HOST_ENOENT);
    CHECK(S->exists(C, buf) == PITH_HOST_ENOENT);
    snprintf(buf, sizeof buf, "%s/missing/x", dir);
    CHECK(S->open(C, buf, PITH_OPEN_WRITE) == PITH_HOST_ENOENT);
    CHECK(S->open(C, "", PITH_OPEN_READ) == PITH_HOST_ENOENT);
    CHECK(mkdir(sub, 0777) == 0);
    CHECK(S->open(C, sub, PITH_OPEN_READ) == PITH_HOST_EISDIR);
    CHECK(S->open(C, sub, PITH_OPEN_WRITE) == PITH_HOST_EISDIR);
    CHECK(S->open(C, dir, PITH_OPEN_READ) == PITH_HOST_EISDIR);
    CHECK(S->remove(C, sub) == PITH_HOST_EISDIR);
    CHECK(S->exists(C, sub) == 0);
    CHECK(S->open(C, a, 0) == PITH_HOST_EINVAL);
    CHECK(S->open(C, a, PITH_OPEN_APPEND) == PITH_HOST_EINVAL);
    if (geteuid() != 0) { /* root ignores permissions */
        chmod(b, 0);
        CHECK(S->open(C, b, PITH_OPEN_READ) == PITH_HOST_EACCES);
        chmod(b, 0644);
    }

    /* listing: sorted, without . and .., ENOENT past the end */
    long n;
    const char *want[] = {"a.txt", "b.txt", "sub"};
    for (long i = 0; i < 3; i++) {
        n = S->list(C, dir, i, buf, sizeof buf);
        CHECK(n == (long)strlen(want[i]) && !strcmp(buf, want[i]));
    }
    CHECK(S->list(C, dir, 3, buf, sizeof buf) == PITH_HOST_ENOENT);
    CHECK(S->list(C, dir, -1, buf, sizeof buf) == PITH_HOST_EINVAL);
    CHECK(S->list(C, dir, 0, buf, 3) == PITH_HOST_EINVAL); /* too small */
    CHECK(S->list(C, sub, 0, buf, sizeof buf) == PITH_HOST_ENOENT); /* empty */
    snprintf(buf, sizeof buf, "%s/missing", dir);
    CHECK(S->list(C, buf, 0, buf, sizeof buf) == PITH_HOST_ENOENT);
    /* "" is the current directory */
    char cwd[512];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir(dir) == 0);
    CHECK(S->list(C, "", 2, buf, sizeof buf) == 3 && !strcmp(buf, "sub"));
    CHECK(S->exists(C, "a.txt") == 0);
    CHECK(chdir(cwd) == 0);
    /* a listing sees changes when read again from index 0 */
    CHECK(S->remove(C, b) == 0);
    CHECK(S->exists(C, b) == PITH_HOST_ENOENT);
    CHECK(S->list(C, dir, 0, buf, sizeof buf) == 5 && !strcmp(buf, "a.txt"));
    CHECK(S->list(C, dir, 1, buf, sizeof buf) == 3 && !strcmp(buf, "sub"));
    CHECK(S->list(C, dir, 2, buf, sizeof buf) == PITH_HOST_ENOENT);

    /* a FIFO with no writer: reads say AGAIN instead of blocking */
    snprintf(buf, sizeof buf, "%s/fifo", dir);
    CHECK(mkfifo(buf, 0600) == 0);
    h = S->open(C, buf, PITH_OPEN_READ);
    CHECK(h >= 0);
    int wfd = open(buf, O_WRONLY | O_NONBLOCK);
    CHECK(wfd >= 0);
    CHECK(S->read(C, h, data, 4) == PITH_HOST_AGAIN);
    CHECK(write(wfd, "x", 1) == 1);
    CHECK(H->wait(C, H->clock->monotonic(C) + 2000000000LL) == 0);
    CHECK(S->read(C, h, data, 4) == 1 && data[0] == 'x');
    close(wfd);
    CHECK(S->close(C, h) == 0);
    CHECK(S->remove(C, buf) == 0);

    /* leave a file open: posix_host_free closes it */
    CHECK(S->open(C, a, PITH_OPEN_READ) >= 0);

    CHECK(S->remove(C, a) == 0);
    rmdir(sub);
    rmdir(dir);
}

/* Bytes available on fd now (reads them into buf). */
static long drain(int fd, char *buf, size_t cap)
{
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) return 0;
    ssize_t n = read(fd, buf, cap - 1);
    if (n < 0) n = 0;
    buf[n] = 0;
    return n;
}

static void test_console(void)
{
    int in[2], outp[2], errp[2];
    char buf[256];
    uint8_t data[64];
    int save0 = dup(0), save1 = dup(1), save2 = dup(2);
    fflush(stdout);
    CHECK(pipe(in) == 0 && pipe(outp) == 0 && pipe(errp) == 0);
    dup2(in[0], 0);
    dup2(outp[1], 1);
    dup2(errp[1], 2);
    char *argv[] = {"prog"};
    posix_host *h = posix_host_new(1, argv);
    const pith_host *P = posix_host_get(h);
    void *c = P->ctx;
    const pith_host_console *K = P->console;

    int inter = K->interactive(c);
    /* output is buffered (stdout is not a terminal here) until a flush */
    long w1 = K->write(c, 1, (const uint8_t *)"one\n", 4);
    long got1 = drain(outp[0], buf, sizeof buf);
    posix_host_flush(h);
    long got2 = drain(outp[0], buf, sizeof buf);
    int same2 = !strcmp(buf, "one\n");
    /* stderr is not buffered, and flushes stdout first */
    K->write(c, 1, (const uint8_t *)"two", 3);
    long w2 = K->write(c, 2, (const uint8_t *)"err\n", 4);
    long got3 = drain(outp[0], buf, sizeof buf);
    int same3 = !strcmp(buf, "two");
    drain(errp[0], buf, sizeof buf);
    int same4 = !strcmp(buf, "err\n");
    long bad = K->write(c, 3, (const uint8_t *)"x", 1);
    /* a big write goes through in full */
    static uint8_t big[200000];
    memset(big, 'z', sizeof big);
    long wbig = 0, gotbig = 0;
    fcntl(outp[0], F_SETFL, O_NONBLOCK);
    for (int i = 0; i < 3; i++) {
        wbig += K->write(c, 1, big, 20000);
        ssize_t r;
        while ((r = read(outp[0], buf, sizeof buf)) > 0) gotbig += r;
    }
    posix_host_flush(h);
    ssize_t r;
    while ((r = read(outp[0], buf, sizeof buf)) > 0) gotbig += r;

    /* input: AGAIN when empty, data when written, EOF when closed */
    long r1 = K->read(c, data, sizeof data);
    int64_t t0 = P->clock->monotonic(c);
    P->wait(c, t0 + 50000000); /* 50 ms, nothing comes */
    int64_t t1 = P->clock->monotonic(c);
    CHECK(write(in[1], "(+ 1 2)\n", 8) == 8);
    P->wait(c, -1);            /* input is there: returns at once */
    long r2 = K->read(c, data, sizeof data);
    int same5 = r2 == 8 && !memcmp(data, "(+ 1 2)\n", 8);
    CHECK(write(in[1], "abcdef", 6) == 6);
    long r3 = K->read(c, data, 4);
    long r4 = K->read(c, data + 4, 4);
    close(in[1]);
    long r5 = K->read(c, data, sizeof data);
    long r6 = K->read(c, data, sizeof data);
    /* no read pending: wait sleeps until the deadline even though stdin
     * (at end of file) is readable */
    int64_t t2 = P->clock->monotonic(c);
    P->wait(c, t2 + 30000000);
    int64_t t3 = P->clock->monotonic(c);
    posix_host_free(h);

    dup2(save0, 0);
    dup2(save1, 1);
    dup2(save2, 2);
    close(save0);
    close(save1);
    close(save2);
    CHECK(inter == 0);
    CHECK(w1 == 4 && got1 == 0 && got2 == 4 && same2);
    CHECK(w2 == 4 && got3 == 3 && same3 && same4);
    CHECK(bad == PITH_HOST_EINVAL);
    CHECK(wbig == 60000 && gotbig == 60000);
    CHECK(r1 == PITH_HOST_AGAIN);
    CHECK(t1 - t0 >= 50000000 && t1 - t0 < 1000000000);
    CHECK(same5);
    CHECK(r3 == 4 && r4 == 2 && !memcmp(data, "abcdef", 6));
    CHECK(r5 == PITH_HOST_EOF && r6 == PITH_HOST_EOF);
    CHECK(t3 - t2 >= 30000000);
    close(in[0]);
    close(outp[0]);
    close(outp[1]);
    close(errp[0]);
    close(errp[1]);
}

int main(void)
{
    char *argv[] = {"prog", "one", "two words"};
    ph = posix_host_new(3, argv);
    CHECK(ph != NULL);
    if (!ph) return 1;
    H = posix_host_get(ph);
    C = H->ctx;
    test_memory_clock();
    test_process();
    test_storage();
    posix_host_free(ph);
    test_console();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

#!/usr/bin/env bash
# tests/cli/run.sh -- tests of the pith command: options and exit codes, the
# REPL on a pipe, bad input (never a crash), and the interactive REPL under
# tmux.
#
#   bash tests/cli/run.sh PATH/TO/pith
#
# PITH_CLI_TIMES=1 prints the time each check takes (on stderr).
# PITH_TEST_SCALE=small scales the heavy checks down (10^5 instead of 10^6...)
# for the sanitizer + GC-stress build, where everything is much slower.
# Prints one line per failed check (the command and what differed), then
# "N passed, M failed" as its last line; exit status 1 if any check failed.
# Needs bash, coreutils and tmux (installed with apt-get when missing);
# /usr/bin/time is used when present (else peak memory is read from /proc).

set -u
export LC_ALL=C

if [ $# -lt 1 ] || [ ! -x "$1" ] || [ -d "$1" ]; then
    echo "usage: bash tests/cli/run.sh PATH/TO/pith (got: ${1:-nothing})"
    echo "0 passed, 1 failed"
    exit 1
fi
PITH=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

SMALL=0
[ "${PITH_TEST_SCALE:-}" = small ] && SMALL=1
if [ $SMALL = 1 ]; then
    TMO=300              # seconds before a command counts as hung
    N_LIST=100000        # the long list
    N_NEST=10000         # nesting depth of the deep data
    N_DEEP=100000        # non-tail recursion depth
    N_TAIL=10000000      # the plain tail loop
    N_LOOP=1000000       # the other tail loops
    N_ALLOC=100000       # the allocating tail loop
    HEAP=4M              # the heap cap of the heap-exhausted checks
else
    TMO=60
    N_LIST=1000000
    N_NEST=100000
    N_DEEP=1000000
    N_TAIL=100000000
    N_LOOP=10000000
    N_ALLOC=10000000
    HEAP=64M
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/pith-cli.XXXXXX")
SOCK=pith-cli-$$          # a private tmux server, killed at the end
cleanup() {
    env -u TMUX tmux -L "$SOCK" kill-server >/dev/null 2>&1
    rm -rf "$T"
}
trap cleanup EXIT
cp "$HERE"/*.scm "$T"/
mkdir -p "$T/home"

PASS=0
FAIL=0
NAME=""       # the current check
WHY=()        # what went wrong in it
CMD=""        # the command it ran, for the report
OUT="" ERR="" RC=0

# show STRING: one line, quoted, shortened
show() {
    local s=$1
    s=${s//$'\n'/\\n}
    s=${s//$'\t'/\\t}
    [ ${#s} -gt 240 ] && s="${s:0:240}..."
    printf '"%s"' "$s"
}

T0=$(date +%s.%N)
begin() { NAME=$1; WHY=(); CMD=""; T0=$(date +%s.%N); }
why() { WHY+=("$1"); }
end() {
    # PITH_CLI_TIMES=1: the time each check took, on stderr
    [ -n "${PITH_CLI_TIMES:-}" ] && awk -v a="$T0" -v b="$(date +%s.%N)" -v n="$NAME" 'BEGIN { printf "%6.2fs %s\n", b - a, n }' >&2
    if [ ${#WHY[@]} -eq 0 ]; then
        PASS=$((PASS + 1))
    else
        FAIL=$((FAIL + 1))
        local msg="FAIL [$NAME]"
        local c=$CMD
        [ ${#c} -gt 300 ] && c="${c:0:300}..."
        [ -n "$c" ] && msg+=" \$ $c"
        local w
        for w in "${WHY[@]}"; do msg+=" | $w"; done
        printf '%s\n' "$msg"
    fi
}

# readable form of a command: the binary shown as "pith"
fmt_cmd() {
    local s="" a
    for a in "$@"; do
        if [ "$a" = "$PITH" ]; then s+="pith "
        else s+="$(printf '%q' "$a") "; fi
    done
    printf '%s' "${s% }"
}

# slurp FILE into the variable named $2, keeping trailing newlines
slurp() { local s; s=$(tr -d '\000' <"$1"; printf x); printf -v "$2" '%s' "${s%x}"; }

# run [-i STDIN-TEXT] [-s STACK-KB] [-m] CMD... : run CMD in $T under a
# timeout; sets OUT, ERR, RC (and RSS_KB with -m, the peak resident size).
# A crash, a sanitizer report or a hang is recorded against the check.
run() {
    local input="" has_input=0 stack="" measure=0
    while :; do
        case "$1" in
            -i) input=$2; has_input=1; shift 2 ;;
            -s) stack=$2; shift 2 ;;
            -m) measure=1; shift ;;
            *) break ;;
        esac
    done
    CMD=$(fmt_cmd "$@")
    [ -n "$stack" ] && CMD="bash -c 'ulimit -s $stack; $CMD'"
    if [ $has_input = 1 ]; then
        CMD="printf $(printf '%q' "$input") | $CMD"
        printf '%s' "$input" >"$T/.in"
    else
        : >"$T/.in"
    fi
    local pre=()
    RSS_KB=0
    if [ $measure = 1 ]; then
        [ -n "$TIME" ] && pre=("$TIME" -f %M -o "$T/.rss")
        rm -f "$T/.rss"
    fi
    if [ -n "$stack" ]; then
        (cd "$T" && timeout -k 5 "$TMO" bash -c 'ulimit -s '"$stack"' || exit 99; exec "$@"' _ "${pre[@]}" "$@" \
            <"$T/.in" >"$T/.out" 2>"$T/.err")
    elif [ $measure = 1 ] && [ -z "$TIME" ]; then
        (cd "$T" && rss_poll "$T/.rss" "$@" <"$T/.in" >"$T/.out" 2>"$T/.err")
    else
        (cd "$T" && timeout -k 5 "$TMO" "${pre[@]}" "$@" <"$T/.in" >"$T/.out" 2>"$T/.err")
    fi
    RC=$?
    slurp "$T/.out" OUT
    slurp "$T/.err" ERR
    if [ $measure = 1 ]; then
        RSS_KB=$(grep -E '^[0-9]+$' "$T/.rss" 2>/dev/null | tail -1)
        [ -n "$RSS_KB" ] || RSS_KB=0
    fi
    no_crash
}

# a fallback for /usr/bin/time: rss_poll FILE CMD... runs CMD, polls its
# VmHWM (peak resident size) in /proc and writes the last value seen to FILE;
# kills CMD after $TMO seconds (status 124, like timeout).
rss_poll() {
    local file=$1; shift
    "$@" &
    local pid=$! max=0 v end=$((SECONDS + TMO))
    while kill -0 $pid 2>/dev/null; do
        v=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null)
        [ -n "$v" ] && [ "$v" -gt "$max" ] && max=$v
        if [ $SECONDS -ge $end ]; then kill -KILL $pid 2>/dev/null; wait $pid; echo $max >"$file"; return 124; fi
        sleep 0.05
    done
    wait $pid
    local rc=$?
    echo $max >"$file"
    return $rc
}

no_crash() {
    local pat='AddressSanitizer|LeakSanitizer|MemorySanitizer|runtime error:|Segmentation fault|core dumped|pith: panic|internal failure|stack smashing|double free'
    if [[ "$ERR$OUT" =~ $pat ]]; then why "crash report: $(show "$(grep -E -m1 "$pat" "$T/.err" "$T/.out" | head -1)")"; fi
    if [ $RC = 124 ] || [ $RC = 137 ]; then why "timed out after ${TMO}s (hang)"
    elif [ $RC -gt 128 ] && [ $RC -lt 160 ]; then why "killed by signal $((RC - 128))"
    elif [ $RC = 99 ]; then why "ulimit failed"
    fi
}

want_status() { [ "$RC" = "$1" ] || why "status $RC, expected $1"; }
want_status_in() { # want_status_in "0 70"
    local s
    for s in $1; do [ "$RC" = "$s" ] && return; done
    why "status $RC, expected one of: $1"
}
want_out() { [ "$OUT" = "$1" ] || why "stdout $(show "$OUT"), expected $(show "$1")"; }
want_err() { [ "$ERR" = "$1" ] || why "stderr $(show "$ERR"), expected $(show "$1")"; }
want_out_has() { [[ "$OUT" == *"$1"* ]] || why "stdout $(show "$OUT") lacks $(show "$1")"; }
want_err_has() { [[ "$ERR" == *"$1"* ]] || why "stderr $(show "$ERR") lacks $(show "$1")"; }
want_err_re() { [[ "$ERR" =~ $1 ]] || why "stderr $(show "$ERR") does not match /$1/"; }
want_out_re() { [[ "$OUT" =~ $1 ]] || why "stdout $(show "$OUT") does not match /$1/"; }
want_err_empty() { [ -z "$ERR" ] || why "stderr not empty: $(show "$ERR")"; }
want_err_nonempty() { [ -n "$ERR" ] || why "stderr is empty: no error report"; }

# prog NAME TEXT: write a program file into $T
prog() { printf '%s' "$2" >"$T/$1"; }
# rep STRING N: STRING repeated N times (one-character strings only)
rep() { head -c "$2" /dev/zero | tr '\0' "$1"; }

# peak-memory measurement
TIME=""
if [ -x /usr/bin/time ]; then TIME=/usr/bin/time
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null 2>&1; }
    [ -x /usr/bin/time ] && TIME=/usr/bin/time
fi

########################################################################
# 1. The command line and exit codes
########################################################################

begin "1.1 run a program"
run "$PITH" hello.scm
want_status 0; want_out $'hello\n'; want_err_empty
end

begin "1.2 uncaught error: status 70, report with file:line:col on stderr, stdout flushed and nothing more"
run "$PITH" error.scm
want_status 70; want_out $'before\n'
want_err_has "error.scm:4:3"; want_err_has "car: expected a pair, got 5"
end

begin "1.3 uncaught error in a top-level tail call names file, line and column"
prog top-error.scm $'(display "x")\n(newline)\n(error "top-level failure:" 42)\n'
run "$PITH" top-error.scm
want_status 70; want_out $'x\n'
want_err_has "top-level failure: 42"; want_err_has "top-error.scm:3:"
end

begin "1.4 calling a non-procedure at top level: report names file, line and column"
prog top-call.scm $'(define x 5)\n\n(x 3)\n'
run "$PITH" top-call.scm
want_status 70; want_out ""
want_err_has "attempt to call a non-procedure"; want_err_has "top-call.scm:3:"
end

begin "1.5 wrong number of arguments in a tail call: report names file, line and column"
prog top-arity.scm $'(define (f a b) a)\n(f 1)\n'
run "$PITH" top-arity.scm
want_status 70
want_err_has "wrong number of arguments"; want_err_has "top-arity.scm:2:"
end

begin "1.6 (exit) is 0"
run "$PITH" -e '(exit)'
want_status 0; want_out ""; want_err_empty
end
begin "1.7 (exit 3) is 3"
run "$PITH" -e '(exit 3)'
want_status 3; want_out ""; want_err_empty
end
begin "1.8 (exit #f) is 1"
run "$PITH" -e '(exit #f)'
want_status 1; want_out ""; want_err_empty
end
begin "1.9 (exit #t) is 0"
run "$PITH" -e '(exit #t)'
want_status 0; want_out ""; want_err_empty
end

begin "1.10 exit in a program: flushes output, stops the program"
prog exit3.scm $'(display "x")\n(exit 3)\n(display "y")\n'
run "$PITH" exit3.scm
want_status 3; want_out "x"; want_err_empty
end

begin "1.11 exit runs the dynamic-wind after thunks"
run "$PITH" exit-wind.scm
want_status 2; want_out $'in after\n'; want_err_empty
end

begin "1.12 emergency-exit does not run them"
run "$PITH" -e '(dynamic-wind (lambda () #f) (lambda () (emergency-exit 4)) (lambda () (display "after")))'
want_status 4; want_out ""; want_err_empty
end

begin "1.13 -e evaluates without printing"
run "$PITH" -e '(define x (+ 1 2))' -e '(display x)'
want_status 0; want_out "3"; want_err_empty
end

begin "1.14 -p prints the value with write"
run "$PITH" -p '(+ 1 2)' -p '"a\nb"' -p "'(1 \"two\" #\\3 four)"
want_status 0; want_out $'3\n"a\\nb"\n(1 "two" #\\3 four)\n'; want_err_empty
end

begin "1.15 -l loads a file before -p"
run "$PITH" -l lib.scm -p '(triple 14)'
want_status 0; want_out $'42\n'; want_err_empty
end

begin "1.16 several -e, -p in order"
run "$PITH" -e '(display 1)' -e '(display 2)' -p 3 -e '(display 4)'
want_status 0; want_out $'123\n4'; want_err_empty
end

begin "1.17 an error in -e: status 70, the later options are not run"
run "$PITH" -e '(display "a")' -e '(car 1)' -e '(display "no")'
want_status 70; want_out "a"; want_err_has "car: expected a pair, got 1"
end

begin "1.18 exit in -e stops the later options"
run "$PITH" -e '(exit 4)' -e '(display "no")'
want_status 4; want_out ""; want_err_empty
end

begin "1.19 --help"
run "$PITH" --help
want_status 0; want_out_re '[Uu]sage: pith'; want_out_has "--heap-limit"; want_err_empty
end

begin "1.20 -h"
run "$PITH" -h
want_status 0; want_out_re '[Uu]sage: pith'; want_err_empty
end

begin "1.21 --version"
run "$PITH" --version
want_status 0; want_out_re '^pith [0-9]+\.[0-9]+'; want_err_empty
end

begin "1.22 an unknown option is 64 with a message naming it"
run "$PITH" --bogus-option
want_status 64; want_out ""; want_err_has "--bogus-option"
end

begin "1.23 an unknown short option is 64"
run "$PITH" -Z hello.scm
want_status 64; want_out ""; want_err_has "-Z"
end

begin "1.24 -e without its argument is 64"
run "$PITH" -e
want_status 64; want_out ""; want_err_nonempty
end

begin "1.25 a malformed --heap-limit is 64"
run "$PITH" --heap-limit=lots hello.scm
want_status 64; want_out ""; want_err_has "lots"
end

begin "1.26 a missing program file: 70 and a message naming the file"
run "$PITH" no-such-file.scm
want_status 70; want_out ""; want_err_has "no-such-file.scm"
want_err_re '[Nn]o such file|cannot open|not found'
end

begin "1.27 a directory as the program: 70 and a message"
mkdir -p "$T/adir"
run "$PITH" adir
want_status 70; want_out ""; want_err_has "adir"
end

begin "1.28 (command-line) is the file and its arguments, options after FILE included"
run "$PITH" cmdline.scm a "b c" -e --x ""
want_status 0; want_out $'("cmdline.scm" "a" "b c" "-e" "--x" "")\n'; want_err_empty
end

begin "1.29 -- ends the options"
cp "$T/cmdline.scm" "$T/-dash.scm"
run "$PITH" -- -dash.scm 1
want_status 0; want_out $'("-dash.scm" "1")\n'; want_err_empty
end

begin "1.30 a program reads its standard input"
run -i $'hello world\n(1 2)\n' "$PITH" -e '(write (read-line)) (write (read)) (write (eof-object? (read)))'
want_status 0; want_out '"hello world"(1 2)#t'; want_err_empty
end

begin "1.31 raising a non-condition: 70 and the object in the report"
run "$PITH" -e "(raise 'my-object)"
want_status 70; want_out ""; want_err_has "my-object"
end

begin "1.32 error with irritants"
run "$PITH" -e '(error "something failed:" 42 "str")'
want_status 70; want_err_has 'something failed: 42 "str"'
end

begin "1.33 an empty program"
prog empty.scm ""
run "$PITH" empty.scm
want_status 0; want_out ""; want_err_empty
end

begin "1.34 a program of comments only"
prog comments.scm $'; a comment\n#| block\n comment |#\n#;(display "datum comment")\n'
run "$PITH" comments.scm
want_status 0; want_out ""; want_err_empty
end

# ---- programs and libraries (R7RS 5.1, 5.6)
mkdir -p "$T/app/util" "$T/inc/util" "$T/front/util" "$T/envlib/util"
prog app/util/greet.sld $'(define-library (util greet) (export greet) (import (scheme base))\n (begin (define (greet x) (string-append "hello, " x))))\n'
prog app/main.scm $'(import (scheme base) (scheme write) (util greet))\n(display (greet "app"))\n'
prog inc/util/greet.sld $'(define-library (util greet) (export greet) (import (scheme base)) (begin (define (greet x) (string-append "from -I, " x))))\n'
prog front/util/only.sld $'(define-library (util only) (export only-here) (import (scheme base)) (begin (define only-here 7)))\n'
prog envlib/util/env.sld $'(define-library (util env) (export from-env) (import (scheme base)) (begin (define from-env (quote env))))\n'

begin "1.35 an R7RS program sees only what it imports"
prog strict.scm $'(import (only (scheme base) define))\n(define x 1)\n(car x)\n'
run "$PITH" strict.scm
want_status 70; want_err_has "strict.scm:3:"; want_err_has "unbound variable: car"
end

begin "1.36 a program without import sees every name"
prog loose.scm $'(display (exact->inexact 1/2))\n'
run "$PITH" loose.scm
want_status 0; want_out "0.5"
end

begin "1.37 libraries are found in the program's directory"
run "$PITH" app/main.scm
want_status 0; want_out "hello, app"; want_err_empty
end

begin "1.38 -I DIR is searched before the program's directory"
run "$PITH" -I inc app/main.scm
want_status 0; want_out "from -I, app"; want_err_empty
end

begin "1.39 -A DIR is searched after it"
prog app/both.scm $'(import (scheme base) (scheme write) (util greet) (util only))\n(display (list (greet "x") only-here))\n'
run "$PITH" -A inc -A front app/both.scm
want_status 0; want_out '(hello, x 7)'; want_err_empty
end

begin "1.40 PITH_LIBRARY_PATH adds directories"
prog useenv.scm $'(import (scheme base) (scheme write) (util env))\n(display from-env)\n'
run env PITH_LIBRARY_PATH="$T/nowhere:$T/envlib" "$PITH" useenv.scm
want_status 0; want_out "env"; want_err_empty
end

begin "1.41 a missing library: status 70, the name, the file and the path"
prog nolib.scm $'(import (scheme base) (no such lib))\n'
run "$PITH" -I inc nolib.scm
want_status 70; want_err_has "(no such lib)"; want_err_has "no/such/lib.sld"; want_err_has "inc"; want_err_has "nolib.scm:1"
end

begin "1.42 importing one name twice with different bindings is an error"
prog twice.scm $'(import (scheme base) (prefix (util greet) car))\n(import (rename (util greet) (greet car)))\n'
run "$PITH" -I inc twice.scm
want_status 70; want_err_has "car"
end

begin "1.44 ports that become garbage give back their file handles (ulimit -n 64)"
prog manyfiles.scm $'(call-with-output-file "data.txt" (lambda (p) (display "d" p)))\n(let loop ((i 0)) (when (< i 1000) (read-char (open-input-file "data.txt")) (loop (+ i 1))))\n(display "opened 1000")\n'
run bash -c 'ulimit -n 64 && exec "$0" manyfiles.scm' "$PITH"
want_status 0; want_out "opened 1000"; want_err_empty
end

begin "1.45 too many files held open: a file-error, no crash"
prog heldfiles.scm $'(call-with-output-file "data.txt" (lambda (p) (display "d" p)))\n(define kept (quote ()))\n(guard (e ((file-error? e) (display "file-error: ") (display (condition/report-string e))))\n  (let loop ((i 0)) (when (< i 1000) (set! kept (cons (open-input-file "data.txt") kept)) (loop (+ i 1)))))\n'
run bash -c 'ulimit -n 64 && exec "$0" heldfiles.scm' "$PITH"
want_status 0; want_out_has "file-error: "; want_out_has "too many open files"
end

begin "1.46 an invalid UTF-8 sequence at the end of a console line does not hold the line back"
# pith must answer within 2 s; the second line comes only after 3
OUT=$( (printf 'ab\xe0\n'; sleep 3; printf 'second\n') 2>/dev/null | timeout 2 "$PITH" -e '(write (read-line)) (flush-output-port) (exit 0)' 2>&1 )
[ "$OUT" = $'"ab\xef\xbf\xbd"' ] || why "output $(show "$OUT"), expected \"ab\" and U+FFFD at once"
end

begin "1.47 --profile: where the time went and the instructions run, on stderr"
prog prof.scm $'(define (spin n acc) (if (= n 0) acc (spin (- n 1) (+ acc 1))))\n(define (outer k) (if (= k 0) 0 (+ (spin 20000 0) (outer (- k 1)))))\n(display (outer 50))\n'
run "$PITH" --profile prof.scm
want_status 0; want_out "1000000"; want_err_has "procedures by time"; want_err_has "spin (prof.scm:1)"
want_err_has "instructions by opcode"; want_err_has "TCALL"
end

begin "1.43 -e and the REPL can import"
run "$PITH" -I inc -e '(import (util greet))' -p '(greet "e")'
want_status 0; want_out $'"from -I, e"\n'; want_err_empty
end

########################################################################
# 2. The REPL on a pipe: no prompts
########################################################################

begin "2.1 piped REPL: fact 20"
run -i $'(define (fact n) (if (= n 0) 1 (* n (fact (- n 1)))))\n(fact 20)\n' "$PITH"
want_status 0; want_out $'2432902008176640000\n'; want_err_empty
end

begin "2.2 values are printed with write, one per line"
run -i $'"x"\n#\\a\n\'(1 "two" #\\3 four)\n1.5\n\'sym\n(vector 1 "a")\n' "$PITH"
want_status 0; want_out $'"x"\n#\\a\n(1 "two" #\\3 four)\n1.5\nsym\n#(1 "a")\n'; want_err_empty
end

begin "2.3 unspecified values print nothing"
run -i $'(define x 1)\n(set! x 2)\n(if #f #f)\n(display "hi")\n(newline)\n(vector-fill! (make-vector 2) 0)\nx\n' "$PITH"
want_status 0; want_out $'hi\n2\n'; want_err_empty
end

begin "2.4 multiple values print one per line; (values) prints nothing"
run -i $'(values 1 "b" #\\c)\n(values)\n(values 4)\n' "$PITH"
want_status 0; want_out $'1\n"b"\n#\\c\n4\n'; want_err_empty
end

begin "2.5 a datum split over several lines"
run -i $'(+ 1\n   2\n\n   3)\n"a\nb"\n' "$PITH"
want_status 0; want_out $'6\n"a\\nb"\n'; want_err_empty
end

begin "2.6 several datums on one line"
run -i $'1 2 (+ 1 2) "four"\n' "$PITH"
want_status 0; want_out $'1\n2\n3\n"four"\n'; want_err_empty
end

begin "2.7 an error is reported on stderr and the REPL goes on"
run -i $'(car 1)\n(+ 1 1)\n' "$PITH"
want_status 0; want_out $'2\n'; want_err_has "car: expected a pair, got 1"
end

begin "2.8 the REPL goes on after an error raised in a nested call"
run -i $'(define (f x) (vector-ref x 9))\n(f (vector 1))\n(define y 7)\ny\n' "$PITH"
want_status 0; want_out $'7\n'; want_err_has "vector-ref"
end

begin "2.9 an error report in the REPL gives the right line"
run -i $'1\n2\n(car 1)\n' "$PITH"
want_status 0; want_out $'1\n2\n'; want_err_has "car: expected a pair, got 1"
re='<repl>:([0-9]+):'
[[ "$ERR" =~ $re ]] && [ "${BASH_REMATCH[1]}" != 3 ] &&
    why "the report says line ${BASH_REMATCH[1]} of the input, the error is on line 3"
end

begin "2.10 the REPL goes on after a read error (unknown character name)"
run -i $'(+ 1 2)\n#\\foo\n(+ 3 4)\n' "$PITH"
want_status 0; want_out $'3\n7\n'; want_err_has "foo"
end

begin "2.11 the REPL goes on after a stray close parenthesis"
run -i $')\n(+ 1 1)\n' "$PITH"
want_status 0; want_out $'2\n'
end

begin "2.12 end of input: status 0"
run -i $'(+ 1 2)' "$PITH"
want_status 0; want_out $'3\n'; want_err_empty
end

begin "2.13 (exit 5) in the REPL: status 5, the rest not evaluated"
run -i $'(display "a")\n(exit 5)\n(display "b")\n' "$PITH"
want_status 5; want_out "a"; want_err_empty
end

begin "2.14 input ending inside a datum: a clear read error, status 0"
run -i $'(+ 1 2)\n(list 1 2' "$PITH"
want_status 0; want_out $'3\n'; want_err_re 'end of (input|file)'
end

begin "2.15 input ending inside a string: a clear read error, status 0"
run -i $'(+ 1 2)\n"abc' "$PITH"
want_status 0; want_out $'3\n'; want_err_re 'end of (input|file)'
end

begin "2.16 a 100000-character line"
run -i "(string-length \"$(rep a 100000)\")"$'\n' "$PITH"
want_status 0; want_out $'100000\n'; want_err_empty
end

begin "2.17 --repl after -e"
run -i $'(* x 2)\n' "$PITH" -e '(define x 21)' --repl
want_status 0; want_out $'42\n'; want_err_empty
end

begin "2.18 the REPL goes on after heap exhaustion"
run -i $'(define (grow l) (grow (cons (make-vector 10 0) l)))\n(grow \'())\n(+ 1 2)\n' "$PITH" --heap-limit=$HEAP
want_status 0; want_out $'3\n'; want_err_has "heap exhausted"
end

begin "2.19 an uncaught raise in the REPL is reported and the REPL goes on"
run -i $'(raise \'oops)\n(+ 2 2)\n' "$PITH"
want_status 0; want_out $'4\n'; want_err_has "oops"
end

########################################################################
# 3. Bad input: a clear error, never a crash or a hang
########################################################################

bad() { # bad NAME FILE TEXT ERR-REGEX: a program that must fail with 70
    begin "$1"
    prog "$2" "$3"
    run "$PITH" "$2"
    want_status 70; want_err_re "$4"
    end
}

bad "3.1 unterminated string" ustr.scm '(display "abc)' 'read error.*(end of (file|input)|string)'
bad "3.2 unterminated block comment" ucomment.scm $'(display 1)\n#| a comment\n(display 2)\n' 'read error.*(end of (file|input)|comment)'
bad "3.3 an extra close parenthesis" extra.scm $'(display 1))\n' 'read error.*\)'
bad "3.4 a missing close parenthesis" missing.scm $'(display (+ 1 2)\n' 'read error.*(end of (file|input)|not closed)'
bad "3.5 unknown character name" badchar.scm '(display #\foo)' 'read error.*foo'
bad "3.6 a malformed dotted list" baddot.scm "(display '(1 . 2 3))" 'read error'
bad "3.7 a dot without a car" baddot2.scm "(display '( . 1))" 'read error'
bad "3.8 a bad # syntax" badhash.scm '(display #q)' 'read error'
bad "3.9 a bad string escape" badesc.scm '(display "a\qb")' 'read error'
bad "3.10 (car 1)" car1.scm '(car 1)' 'car: expected a pair, got 1'
bad "3.11 vector-ref out of range" vref.scm "(vector-ref '#(1) 5)" 'vector-ref.*(range|index).*5'
bad "3.12 (+ 1 \"a\")" plus.scm '(+ 1 "a")' '\+: expected a number, got "a"'
bad "3.13 calling a non-procedure" nonproc.scm '(5 3)' 'non-procedure.*5'
bad "3.14 too few arguments" arity1.scm $'(define (f a b) a)\n(display (f 1))' 'wrong number of arguments'
bad "3.15 too many arguments" arity2.scm '(display ((lambda (x) x) 1 2))' 'wrong number of arguments'
bad "3.16 a primitive with the wrong number of arguments" arity3.scm '(display (cons 1 2 3))' 'cons.*wrong number of arguments'
bad "3.17 an unbound variable" unbound.scm '(display no-such-variable)' 'no-such-variable'
bad "3.18 division by zero" div0.scm '(display (/ 1 0))' 'division by zero'
bad "3.19 a huge make-vector" hugevec.scm '(display (vector-length (make-vector 1000000000000 0)))' 'make-vector|heap exhausted'
bad "3.20 a huge make-string" hugestr.scm '(display (string-length (make-string 100000000000000)))' 'make-string|heap exhausted'
bad "3.21 a syntax error" badsyntax.scm '(display (if))' 'if'

begin "3.22 invalid UTF-8 and a NUL byte in the source: no crash"
printf '(display "\377\376")\n(display "a\000b")\n(display 1)\n' >"$T/badutf8.scm"
run "$PITH" badutf8.scm
want_status_in "0 70"
end

begin "3.23 binary garbage as a program: an error, no crash"
# deterministic pseudo-random bytes
awk 'BEGIN { x = 12345; for (i = 0; i < 4000; i++) { x = (x * 1103515245 + 12345) % 2147483648; printf "%c", int(x / 65536) % 256 } }' >"$T/garbage.scm"
run "$PITH" garbage.scm
want_status 70; want_err_nonempty
end

# deep nesting, run with a 256 KB C stack: deep data must not recurse in C
begin "3.24 $N_NEST unterminated open parentheses"
rep '(' $N_NEST >"$T/nest-open.scm"
run -s 256 "$PITH" nest-open.scm
want_status 70; want_err_re 'read error.*(end of (file|input)|not closed)'
end

begin "3.25 $N_NEST nested parentheses, closed, evaluated: a clear error"
{ rep '(' $N_NEST; rep ')' $N_NEST; echo; } >"$T/nest-closed.scm"
run -s 256 "$PITH" nest-closed.scm
want_status 70; want_err_re 'nested too deep|non-procedure|empty application|too deep'
end

begin "3.26 a quoted datum of $N_NEST nested lists reads, prints and compares"
{ printf "(define d '"; rep '(' $N_NEST; rep ')' $N_NEST
  printf ")\n(define s (let ((p (open-output-string))) (write d p) (get-output-string p)))\n"
  printf "(display (string-length s)) (newline)\n"
  printf "(display (string=? s (string-append (make-string %d #\\\\() (make-string %d #\\\\))))) (newline)\n" $N_NEST $N_NEST
  printf "(display (equal? d (read (open-input-string s)))) (newline)\n"
} >"$T/nest-quoted.scm"
run -s 256 "$PITH" nest-quoted.scm
want_status 0; want_out "$((2 * N_NEST))"$'\n#t\n#t\n'; want_err_empty
end

begin "3.27 a quoted datum of $N_NEST nested vectors reads and prints"
{ printf "(define s (let ((p (open-output-string))) (write '"
  rep '(' $N_NEST | sed 's/(/#(/g'; rep ')' $N_NEST
  printf " p) (get-output-string p)))\n(display (string-length s)) (newline)\n"
} >"$T/nest-vec.scm"
run -s 256 "$PITH" nest-vec.scm
want_status 0; want_out "$((3 * N_NEST))"$'\n'; want_err_empty
end

begin "3.28 an expression nested $N_NEST deep: a value or a clear error"
{ printf '(display '; rep '(' $N_NEST | sed 's/(/(+ 1 /g'; printf 0; rep ')' $N_NEST; printf ')\n'; } >"$T/nest-expr.scm"
run -s 256 "$PITH" nest-expr.scm
if [ "$RC" = 0 ]; then want_out "$N_NEST"; else want_status 70; want_err_re 'nested too deep|too deep'; fi
end

# the long list: 1..N printed is sum of digit counts + N-1 spaces + 2
digits_upto() { local n=$1 d=1 lo=1 sum=0; while [ $lo -le $n ]; do
    local hi=$((lo * 10 - 1)); [ $hi -gt $n ] && hi=$n
    sum=$((sum + (hi - lo + 1) * d)); d=$((d + 1)); lo=$((lo * 10)); done; echo $sum; }
begin "3.29 a list of $N_LIST elements: write to a string, equal? to a copy, read back"
run "$PITH" big-list.scm $N_LIST
want_status 0; want_out "$(( $(digits_upto $N_LIST) + N_LIST + 1 ))"$'\n#t\n'"$N_LIST"$'\n#t\n'; want_err_empty
end

begin "3.30 heap cap: an ever-growing list stops with heap exhausted"
run "$PITH" --heap-limit=$HEAP heap-grow.scm
want_status 70; want_out ""; want_err_has "heap exhausted"
end

begin "3.31 heap cap: the condition can be caught with guard"
run "$PITH" --heap-limit=$HEAP heap-guard.scm
want_status 0; want_out $'caught\n1000\n'; want_err_empty
end

begin "3.32 deep recursion ($N_DEEP) under ulimit -s 256"
run -s 256 "$PITH" deep-recursion.scm $N_DEEP
want_status 0; want_out "$N_DEEP"$'\n'; want_err_empty
end

begin "3.33 runaway recursion under a heap cap: a clear error"
run -s 256 "$PITH" --heap-limit=$HEAP deep-recursion.scm 1000000000
want_status 70; want_out ""; want_err_re 'heap exhausted|stack'
end

begin "3.34 baseline memory"
run -m "$PITH" -e '(display 1)'
want_status 0; want_out "1"
BASE_KB=$RSS_KB
# (polling /proc may miss a process this short: then the limit is 30 MB)
[ "$BASE_KB" -gt 0 ] || [ -z "$TIME" ] || why "could not measure the peak memory"
end
LIMIT_KB=$((30 * 1024))
[ $((BASE_KB + 25 * 1024)) -gt $LIMIT_KB ] && LIMIT_KB=$((BASE_KB + 25 * 1024))

tail_loop() { # tail_loop NUM KIND N EXPECTED
    begin "$1 tail loop ($2, $3 iterations) in constant memory (< $((LIMIT_KB / 1024)) MB)"
    run -m "$PITH" tail-loops.scm "$2" "$3"
    want_status 0; want_out "$4"$'\n'; want_err_empty
    [ "$RSS_KB" -gt 0 ] || why "could not measure the peak memory"
    [ "$RSS_KB" -lt $LIMIT_KB ] || why "peak RSS ${RSS_KB} KB"
    end
}
tail_loop 3.35 plain $N_TAIL done
tail_loop 3.36 alloc $N_ALLOC 2
tail_loop 3.37 mutual $N_LOOP '#t'
tail_loop 3.38 mixed $N_LOOP $((N_LOOP / 2))
tail_loop 3.39 do $N_LOOP $((N_LOOP * (N_LOOP - 1) / 2))

begin "3.40 a runaway loop is stopped by SIGINT with status 70 and a report"
prog forever.scm '(let loop () (loop))'
run bash -c 'cd "$1" && { "$2" forever.scm & pid=$!; sleep "$3"; kill -INT $pid; wait $pid; }' _ "$T" "$PITH" $((SMALL ? 3 : 1))
want_status 70; want_err_re '[Ii]nterrupt'
end

# (without GC stress even in the sanitizer pass: 100,000 expansion steps
# with a collection at every allocation take minutes)
begin "3.41 a macro that never stops expanding: a syntax error naming the line"
prog runaway-macro.scm $'(define-syntax f (syntax-rules () ((_ x) (f (x)))))\n(display "before")\n(f 1)\n'
run env -u PITH_GC_STRESS "$PITH" runaway-macro.scm
want_status 70; want_out "before"; want_err_has "runaway-macro.scm:3:"; want_err_has "nested too deeply"
end

begin "3.42 circular code (a datum label outside a quote): a syntax error"
prog circular.scm $'(display (quote #0=(a . #0#)))\n(newline)\n(list 1 #1=(list 2 #1#))\n'
run "$PITH" circular.scm
want_status 70; want_out "#0=(a . #0#)"$'\n'; want_err_has "circular.scm:3:"; want_err_has "circular expression"
end

########################################################################
# 5. Images: save a running program, resume it
########################################################################

begin "5.1 a loop that saves on its third iteration resumes with its fourth"
prog loop.scm $'(import (scheme base) (scheme write) (pith image))\n(let loop ((i 1))\n  (when (<= i 5)\n    (display i)\n    (when (= i 3) (display (list (save-image "loop.img"))))\n    (loop (+ i 1))))\n(newline)\n'
run "$PITH" loop.scm
want_status 0; want_out $'123(saved)45\n'; want_err_empty
run "$PITH" -i loop.img
want_status 0; want_out $'(resumed)45\n'; want_err_empty
end

begin "5.2 closures, records, parameters, dynamic-wind, hash tables, bignums, flonums, strings survive"
prog state.scm $'(import (scheme base) (scheme write) (scheme process-context) (pith image) (srfi 69))
(define-record-type point (make-point x y) point? (x point-x) (y point-y))
(define p (make-point 1.5 "λ-δ"))
(define big (expt 3 200))
(define counter (let ((n 0)) (lambda () (set! n (+ n 1)) n)))
(define param (make-parameter 10))
(define t (make-hash-table equal?))
(hash-table-set! t (list 1 "two") (quote found))
(define e (make-hash-table eq?))
(define key (vector 1))
(hash-table-set! e key (quote by-identity))
(define log (quote ()))
(counter)
(define r (parameterize ((param 20))
  (dynamic-wind (lambda () (set! log (cons (quote in) log)))
                (lambda () (list (param) (save-image "state.img")))
                (lambda () (set! log (cons (quote out) log))))))
(write (list r (param) (reverse log) (counter) (point-x p) (point-y p) (= big (expt 3 200))
             (hash-table-ref/default t (list 1 "two") #f) (hash-table-ref/default e key #f)
             (string->symbol "sym") (cdr (command-line))))
(newline)\n'
run "$PITH" state.scm a
want_status 0; want_out $'((20 saved) 10 (in out) 2 1.5 "λ-δ" #t found by-identity sym ("a"))\n'; want_err_empty
run "$PITH" -i state.img b c
want_status 0; want_out $'((20 resumed) 10 (in out) 2 1.5 "λ-δ" #t found by-identity sym ("b" "c"))\n'; want_err_empty
end

begin "5.3 on-resume thunks run in order before the program goes on"
prog hooks.scm $'(import (scheme base) (scheme write) (pith image))\n(on-resume (lambda () (display "first ")))\n(on-resume (lambda () (display "second ")))\n(display (save-image "hooks.img"))\n(newline)\n'
run "$PITH" hooks.scm
want_status 0; want_out $'saved\n'
run "$PITH" -i hooks.img
want_status 0; want_out $'first second resumed\n'; want_err_empty
end

begin "5.4 a resumed image's file ports are closed, with a clear error"
prog files.scm $'(import (scheme base) (scheme write) (scheme file) (pith image) (only (pith) condition/report-string))\n(define out (open-output-file "files-out.txt"))\n(save-image "files.img")\n(write (output-port-open? out))\n(write-string "x" out)\n'
run "$PITH" files.scm
want_status 0; want_out "#t"
run "$PITH" -i files.img
want_status 70; want_out "#f"; want_err_has "files.scm:5:"; want_err_has "open when the image was saved"
end

begin "5.5 a resumed image imports, evaluates and defines macros"
prog evalimg.scm $'(import (scheme base) (scheme write) (scheme eval) (pith image))\n(save-image "eval.img")\n(write (eval (quote (begin (import (srfi 1)) (define-syntax twice (syntax-rules () ((_ x) (list x x)))) (twice (fold + 0 (quote (1 2 3)))))) (environment (quote (scheme base)))))\n(newline)\n'
run "$PITH" evalimg.scm
want_status 0; want_out $'(6 6)\n'
run "$PITH" -i eval.img
want_status 0; want_out $'(6 6)\n'; want_err_empty
end

begin "5.6 the REPL saves and resumes, reading new input"
run -i $'(define x 41)\n(save-image "repl.img")\n(display "not again")\n' "$PITH"
want_status 0; want_out $'saved\nnot again'
run -i $'(+ x 1)\n' "$PITH" -i repl.img
want_status 0; want_out $'resumed\n42\n'; want_err_empty
end

begin "5.7 --save-image FILE: resuming calls main (or starts the REPL)"
prog app.scm $'(import (scheme base) (scheme write) (scheme process-context))\n(define greeting "hello")\n(define (main) (display greeting) (write (cdr (command-line))) (exit 3))\n(display "loaded")\n'
run "$PITH" --save-image app.img app.scm
want_status 0; want_out "loaded"
run "$PITH" -i app.img x y
want_status 3; want_out 'hello("x" "y")'; want_err_empty
prog nomain.scm $'(define y 6)\n'
run "$PITH" --save-image nomain.img nomain.scm
want_status 0
run -i $'(* y 7)\n' "$PITH" -i nomain.img
want_status 0; want_out $'42\n'
end

begin "5.8 a resumed image saves again, and that image resumes"
prog chain.scm $'(import (scheme base) (scheme write) (pith image))\n(define n 0)\n(let loop ()\n  (set! n (+ n 1))\n  (write (list n (save-image "chain.img")))\n  (when (< n 3) (loop)))\n(newline)\n'
run "$PITH" chain.scm
want_status 0; want_out $'(1 saved)(2 saved)(3 saved)\n'
run "$PITH" -i chain.img
want_status 0; want_out $'(3 resumed)\n'
end

begin "5.9 a continuation captured before saving is re-entered after resuming"
prog kont.scm $'(import (scheme base) (scheme write) (pith image))\n(define k #f)\n(define count 0)\n(write (call/cc (lambda (c) (set! k c) 0)))\n(set! count (+ count 1))\n(when (= count 1) (save-image "kont.img"))\n(when (< count 3) (k count))\n(newline)\n'
run "$PITH" kont.scm
want_status 0; want_out $'012\n'
run "$PITH" -i kont.img
want_status 0; want_out $'12\n'; want_err_empty
end

begin "5.10 bad images: a clear message and status 70, never a crash"
run "$PITH" -i nowhere.img
want_status 70; want_err_has "nowhere.img"
run "$PITH" -i loop.scm
want_status 70; want_err_has "not a Pith image"
head -c 100 "$T/loop.img" > "$T/trunc.img"
run "$PITH" -i trunc.img
want_status 70; want_err_has "truncated"
cp "$T/loop.img" "$T/ver.img"; printf '\x07' | dd of="$T/ver.img" bs=1 seek=8 conv=notrunc 2>/dev/null
run "$PITH" -i ver.img
want_status 70; want_err_has "image format version 7, but this Pith reads version 2"
cp "$T/loop.img" "$T/bc.img"; printf '\x09' | dd of="$T/bc.img" bs=1 seek=12 conv=notrunc 2>/dev/null
run "$PITH" -i bc.img
want_status 70; want_err_has "bytecode version 9"
cp "$T/loop.img" "$T/sum.img"; printf '\x55\x66' | dd of="$T/sum.img" bs=1 seek=4000 conv=notrunc 2>/dev/null
run "$PITH" -i sum.img
want_status 70; want_err_has "checksum"
head -c 300000 /dev/urandom > "$T/noise.img"
run "$PITH" -i noise.img
want_status 70; want_err_nonempty
run "$PITH" -i
want_status 64; want_err_has "-i needs an image file"
end

begin "5.11 save-image to a place it cannot write: a file-error"
prog badsave.scm $'(import (scheme base) (scheme write) (pith image))\n(write (guard (e ((file-error? e) (quote file-error))) (save-image "no/such/dir/x.img")))\n'
run "$PITH" badsave.scm
want_status 0; want_out "file-error"; want_err_empty
end

########################################################################
# 4. The interactive REPL under tmux
########################################################################

have_tmux=1
if ! command -v tmux >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q tmux >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q tmux >/dev/null 2>&1; }
    fi
    command -v tmux >/dev/null || have_tmux=0
fi

TW=$((SMALL ? 30 : 10))  # seconds to wait for the screen to show something
tm() { env -u TMUX tmux -L "$SOCK" -f /dev/null "$@"; }
# the pane's text: trailing blanks trimmed, blank lines dropped
pane() { tm capture-pane -p -J -t pith -S -300 2>/dev/null | sed 's/[[:space:]]*$//' | grep -v '^$'; }
cursor_x() { tm display-message -p -t pith '#{cursor_x}' 2>/dev/null; }
# tail_is RE...: the last lines of the pane match these regexes, in order
tail_is() {
    local n=$# lines i=0 re
    mapfile -t lines < <(pane | tail -n "$n")
    [ ${#lines[@]} -eq "$n" ] || return 1
    for re in "$@"; do
        [[ "${lines[$i]}" =~ ^$re$ ]] || return 1
        i=$((i + 1))
    done
}
# prompt_ready: the last line is the prompt and the cursor just after it
prompt_ready() { tail_is '>' && [ "$(cursor_x)" = 2 ]; }
# wait_for CMD...: poll until CMD succeeds; false after $TW seconds
wait_for() {
    local end=$((SECONDS + TW))
    while [ $SECONDS -lt $end ]; do
        "$@" && return 0
        sleep 0.2
    done
    "$@"
}
screen_why() { why "$1; the screen ends with: $(show "$(pane | tail -n 6)")"; }
keys() { tm send-keys -t pith "$@"; }
lit() { tm send-keys -t pith -l "$1"; }

TMUX_CHECKS=(
    "4.1 the prompt \"> \" appears"
    "4.2 (+ 1 2) shows 3"
    "4.3 a multi-line datum shows a continuation prompt"
    "4.4 line editing: Left and Backspace"
    "4.5 line editing: Home and End"
    "4.6 line editing: Ctrl-A, Ctrl-E, Ctrl-K"
    "4.7 history: Up recalls earlier lines"
    "4.8 an error shows a report and a fresh prompt"
    "4.9 Ctrl-C interrupts a running loop, prints a message and prompts again"
    "4.10 the REPL still works after the interrupt"
    "4.11 Ctrl-C while editing gives a fresh prompt at once"
    "4.12 the discarded line is not evaluated and the REPL goes on"
    "4.13 Ctrl-D on an empty line ends the REPL with status 0"
    "4.14 history is saved in ~/.pith_history"
)
if [ $have_tmux = 0 ]; then
    for c in "${TMUX_CHECKS[@]}"; do
        begin "$c"; why "tmux is not installed and could not be installed (apt-get install -y tmux)"; end
    done
elif ! tm new-session -d -s pith -x 120 -y 50 \
        "cd '$T' && env HOME='$T/home' '$PITH'; echo PITH-EXITED:\$?; sleep 600" 2>"$T/.tmuxerr"; then
    for c in "${TMUX_CHECKS[@]}"; do
        begin "$c"; why "tmux new-session failed: $(show "$(cat "$T/.tmuxerr")")"; end
    done
else
    CMD="pith (interactive, in tmux)"
    begin "${TMUX_CHECKS[0]}"; CMD="pith (in tmux)"
    wait_for prompt_ready || screen_why "no \"> \" prompt with the cursor after it"
    end

    begin "${TMUX_CHECKS[1]}"; CMD="type (+ 1 2) Enter"
    lit '(+ 1 2)'; keys Enter
    wait_for tail_is '> \(\+ 1 2\)' 3 '>' || screen_why "expected \"> (+ 1 2)\", \"3\", \">\""
    end

    begin "${TMUX_CHECKS[2]}"; CMD="type (list 1 Enter 2) Enter"
    lit '(list 1'; keys Enter
    wait_for tail_is '> \(list 1' '\.\.\.' || screen_why "no \"...\" continuation prompt"
    lit '2)'; keys Enter
    wait_for tail_is '> \(list 1' '\.\.\. 2\)' '\(1 2\)' '>' || screen_why "expected \"(1 2)\" and a prompt"
    end

    begin "${TMUX_CHECKS[3]}"; CMD="type (+ 1 3) Left Left Left BSpace 10 Enter"
    lit '(+ 1 3)'; keys Left Left Left BSpace; lit '10'; keys Enter
    wait_for tail_is '> \(\+ 10 3\)' 13 '>' || screen_why "expected \"> (+ 10 3)\", \"13\""
    end

    begin "${TMUX_CHECKS[4]}"; CMD="type + 2 2 Home ( End ) Enter"
    lit '+ 2 2'; keys Home; lit '('; keys End; lit ')'; keys Enter
    wait_for tail_is '> \(\+ 2 2\)' 4 '>' || screen_why "expected \"> (+ 2 2)\", \"4\""
    end

    begin "${TMUX_CHECKS[5]}"; CMD="type * 2 5 C-a ( C-e ) xyz Left Left Left C-k Enter"
    lit '* 2 5'; keys C-a; lit '('; keys C-e; lit ')xyz'; keys Left Left Left C-k Enter
    wait_for tail_is '> \(\* 2 5\)' 10 '>' || screen_why "expected \"> (* 2 5)\", \"10\""
    end

    begin "${TMUX_CHECKS[6]}"; CMD="type (* 6 7) Enter (+ 1 1) Enter Up Up Enter"
    lit '(* 6 7)'; keys Enter
    wait_for tail_is 42 '>' || why "(* 6 7) did not give 42"
    lit '(+ 1 1)'; keys Enter
    wait_for tail_is 2 '>' || why "(+ 1 1) did not give 2"
    keys Up; sleep 0.3; keys Up; sleep 0.3
    wait_for tail_is '> \(\* 6 7\)' || screen_why "Up Up did not recall (* 6 7)"
    keys Enter
    wait_for tail_is '> \(\+ 1 1\)' 2 '> \(\* 6 7\)' 42 '>' || screen_why "the recalled line did not run"
    end

    begin "${TMUX_CHECKS[7]}"; CMD="type (car 1) Enter"
    lit '(car 1)'; keys Enter
    wait_for prompt_ready || screen_why "no fresh prompt after the error"
    pane | grep -q 'car: expected a pair, got 1' || screen_why "no error report"
    end

    begin "${TMUX_CHECKS[8]}"; CMD="type (let loop () (loop)) Enter, then Ctrl-C"
    lit '(let loop () (loop))'; keys Enter
    wait_for tail_is '> \(let loop \(\) \(loop\)\)' || why "the loop line did not show"
    sleep 1
    keys C-c
    if wait_for prompt_ready; then
        pane | tail -n 4 | grep -qi 'interrupt' || screen_why "no message about the interrupt"
    else
        screen_why "no prompt after Ctrl-C"
    fi
    end

    begin "${TMUX_CHECKS[9]}"; CMD="type (+ 2 2) Enter after the interrupt"
    lit '(+ 2 2)'; keys Enter
    wait_for tail_is '> \(\+ 2 2\)' 4 '>' || screen_why "expected \"> (+ 2 2)\", \"4\""
    end

    begin "${TMUX_CHECKS[10]}"; CMD="type (+ 9 9, then Ctrl-C"
    lit '(+ 9 9'
    wait_for tail_is '> \(\+ 9 9' || why "the typed text did not show"
    keys C-c
    wait_for prompt_ready || screen_why "no fresh \"> \" prompt (with the cursor after it) after Ctrl-C"
    end

    begin "${TMUX_CHECKS[11]}"; CMD="type (+ 3 3) Enter after Ctrl-C discarded (+ 9 9"
    lit '(+ 3 3)'; keys Enter
    wait_for tail_is 6 '>' || screen_why "expected \"6\" and a prompt"
    pane | grep -qx '18' && screen_why "the discarded (+ 9 9 was evaluated"
    end

    begin "${TMUX_CHECKS[12]}"; CMD="Ctrl-D on an empty line"
    wait_for prompt_ready
    keys C-d
    wait_for tail_is 'PITH-EXITED:[0-9]+' || screen_why "pith did not exit"
    pane | grep -q 'PITH-EXITED:0' || screen_why "pith did not exit with status 0"
    end

    begin "${TMUX_CHECKS[13]}"; CMD="cat \$HOME/.pith_history"
    grep -qxF '(* 6 7)' "$T/home/.pith_history" 2>/dev/null || why "$(show "$(cat "$T/home/.pith_history" 2>&1)") lacks \"(* 6 7)\""
    end
    tm kill-server >/dev/null 2>&1
fi

echo "$PASS passed, $FAIL failed"
[ $FAIL = 0 ]

#!/bin/bash
# check-freestanding.sh -- the core must be freestanding (DESIGN.md, Layers):
# it may include only <stddef.h> <stdint.h> <stdbool.h> <stdarg.h>
# <limits.h> <float.h> <math.h> and its own headers, and call nothing
# outside itself but the allow-list below.
#
#   tools/check-freestanding.sh [OBJECTS...]   check these core objects
#   tools/check-freestanding.sh --self-test    show that a call to printf
#                                              is caught
# Prints what is wrong and exits 1 on a violation.
# SPDX-License-Identifier: MIT
set -u
cd "$(dirname "$0")/.."

# Symbols the core may use from outside itself.
ALLOW='^(memcpy|memmove|memset|memcmp'
# <math.h> elementary functions
ALLOW+='|acos|asin|atan|atan2|ceil|cos|cosh|exp|expm1|fabs|floor|fmod|frexp|ldexp|log|log1p|log2|log10|modf|nearbyint|pow|rint|round|sin|sinh|sqrt|tan|tanh|trunc|cbrt|hypot'
# the compiler's helper routines (libgcc / compiler-rt)
ALLOW+='|__[a-z]+[dt]i[0-9]|__popcount[a-z]+[0-9]|__clz[a-z]+[0-9]|__ctz[a-z]+[0-9]|__[a-z]+[sdt]f[0-9]'
# position-independent code
ALLOW+='|_GLOBAL_OFFSET_TABLE_'
# the boot image, linked from outside the core by libpith (src/lib)
ALLOW+='|pith_boot_image'
ALLOW+=')$'

check_objects() {
    local tmp
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN
    if ! ld -r -o "$tmp/core.o" "$@" 2>"$tmp/err"; then
        echo "check-freestanding: cannot link the core objects:"; cat "$tmp/err"; return 1
    fi
    nm -u "$tmp/core.o" | awk '{print $NF}' | grep -Ev "$ALLOW" > "$tmp/bad"
    if [ -s "$tmp/bad" ]; then
        echo "check-freestanding: the core calls outside its allow-list:"
        sed 's/^/  /' "$tmp/bad"
        return 1
    fi
    return 0
}

check_includes() {
    local bad
    bad=$(grep -n '#include *<' src/core/*.c src/core/*.h |
          grep -Ev '<(stddef|stdint|stdbool|stdarg|limits|float|math)\.h>')
    if [ -n "$bad" ]; then
        echo "check-freestanding: the core includes a header outside the allow-list:"
        echo "$bad" | sed 's/^/  /'
        return 1
    fi
    return 0
}

if [ "${1:-}" = "--self-test" ]; then
    tmp=$(mktemp -d)
    printf '#include <stdio.h>\nvoid f(void) { printf("x"); }\n' > "$tmp/bad.c"
    ${CC:-gcc} -c "$tmp/bad.c" -o "$tmp/bad.o"
    if check_objects "$tmp/bad.o" >/dev/null; then
        echo "check-freestanding: self-test FAILED: a call to printf was not caught"
        rm -rf "$tmp"; exit 1
    fi
    rm -rf "$tmp"
    echo "check-freestanding: self-test passed (printf is caught)"
    exit 0
fi

[ $# -gt 0 ] || set -- build/core/*.o
status=0
check_includes || status=1
check_objects "$@" || status=1
[ $status = 0 ] && echo "check-freestanding: the core is freestanding ($# objects)"
exit $status

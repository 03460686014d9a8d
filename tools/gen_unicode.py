#!/usr/bin/env python3
# gen_unicode.py -- generate src/core/unicode_data.h from the Unicode
# Character Database (UCD).
#
# Usage:  python3 tools/gen_unicode.py [UCD_DIR] [OUTPUT]
#   UCD_DIR defaults to /usr/share/unicode (Debian package `unicode-data`:
#           apt-get install -y unicode-data)
#   OUTPUT  defaults to src/core/unicode_data.h (relative to the repo root)
#
# Reads UnicodeData.txt, PropList.txt, DerivedCoreProperties.txt,
# CaseFolding.txt and SpecialCasing.txt.  Python 3 standard library only.
# The output is committed so that building Pith never needs Python.
#
# Layout of the generated data (see src/core/char.c for the lookups):
#   * Every code point maps, through a three-stage trie, to an index into
#     ucd_records[].  A record holds the general category, the property
#     flags, the decimal digit value and three indices into ucd_deltas[]
#     (simple uppercase, lowercase and case-folding offsets).
#   * Full (multi-character) mappings live in three small tables sorted by
#     code point and searched by bisection; each entry is a key and up to
#     three code points (0 = unused).
#
# SPDX-License-Identifier: MIT

import os
import re
import sys

MAX_CP = 0x10FFFF
NCP = MAX_CP + 1

# General categories; index 0 must be Cn (the default for unassigned).
CATEGORIES = [
    "Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No",
    "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So",
    "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co",
]

# Property flag bits, in the order of the UCD_F_* macros emitted below.
FLAGS = [
    ("ALPHABETIC", "DerivedCoreProperties.txt", "Alphabetic"),
    ("WHITESPACE", "PropList.txt", "White_Space"),
    ("UPPERCASE", "DerivedCoreProperties.txt", "Uppercase"),
    ("LOWERCASE", "DerivedCoreProperties.txt", "Lowercase"),
    ("CASED", "DerivedCoreProperties.txt", "Cased"),
    ("CASE_IGNORABLE", "DerivedCoreProperties.txt", "Case_Ignorable"),
]


def data_lines(path):
    """Yield the ';'-separated, stripped fields of each data line of path."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                yield [x.strip() for x in line.split(";")]


def file_version(path):
    """Return the version from the first-line '# Name-X.Y.Z.txt' header."""
    with open(path, encoding="utf-8") as f:
        m = re.search(r"-(\d+\.\d+\.\d+)\.txt", f.readline())
    return m.group(1) if m else None


def cp_range(field):
    """Parse '0041' or '0041..005A' into (first, last)."""
    if ".." in field:
        a, b = field.split("..")
        return int(a, 16), int(b, 16)
    return int(field, 16), int(field, 16)


def load(ucd):
    cat = [0] * NCP
    digit = [0xF] * NCP            # 0xF: not a decimal digit
    upper = list(range(NCP))
    lower = list(range(NCP))
    fold = list(range(NCP))
    flags = [0] * NCP

    cat_index = {c: i for i, c in enumerate(CATEGORIES)}
    range_first = None
    for f in data_lines(os.path.join(ucd, "UnicodeData.txt")):
        cp = int(f[0], 16)
        name, gc = f[1], cat_index[f[2]]
        if name.endswith(", First>"):
            range_first = cp
            continue
        first = cp
        if name.endswith(", Last>"):
            first = range_first
        for c in range(first, cp + 1):
            cat[c] = gc
        if first == cp:
            if f[2] == "Nd":
                digit[cp] = int(f[6])
            if f[12]:
                upper[cp] = int(f[12], 16)
            if f[13]:
                lower[cp] = int(f[13], 16)

    for bit, (_, fname, prop) in enumerate(FLAGS):
        for f in data_lines(os.path.join(ucd, fname)):
            if f[1] == prop:
                a, b = cp_range(f[0])
                for c in range(a, b + 1):
                    flags[c] |= 1 << bit

    full_fold = {}
    for f in data_lines(os.path.join(ucd, "CaseFolding.txt")):
        cp, status = int(f[0], 16), f[1]
        mapping = [int(x, 16) for x in f[2].split()]
        if status in ("C", "S"):
            fold[cp] = mapping[0]
        if status in ("C", "F"):
            full_fold[cp] = mapping

    full_upper, full_lower = {}, {}
    for f in data_lines(os.path.join(ucd, "SpecialCasing.txt")):
        # code; lower; title; upper; [condition;] -- trailing field empty
        if len(f) > 5 and f[4]:
            continue                 # conditional (language or context)
        cp = int(f[0], 16)
        full_lower[cp] = [int(x, 16) for x in f[1].split()]
        full_upper[cp] = [int(x, 16) for x in f[3].split()]

    # Keep only full mappings that differ from the simple one, so the
    # run-time rule is "special table, else simple mapping".
    def only_special(full, simple):
        return {cp: m for cp, m in full.items() if m != [simple[cp]]}

    specials = (only_special(full_upper, upper),
                only_special(full_lower, lower),
                only_special(full_fold, fold))
    return cat, digit, flags, upper, lower, fold, specials


def split_table(values, shift):
    """Split values into deduplicated blocks of 2**shift entries.

    Returns (index, blocks): index[i] is the start of block i's data in
    blocks, a flat list.  A block is reused when an identical one exists.
    """
    size = 1 << shift
    assert len(values) % size == 0
    seen = {}
    index, blocks = [], []
    for i in range(0, len(values), size):
        blk = tuple(values[i:i + size])
        if blk not in seen:
            seen[blk] = len(blocks)
            blocks.extend(blk)
        index.append(seen[blk])
    return index, blocks


def int_type(values):
    m = max(values)
    if min(values) >= 0:
        for bits in (8, 16, 32):
            if m < (1 << bits):
                return "uint%d_t" % bits, bits // 8
    raise ValueError("no type")


def build_trie(values):
    """Find the smallest three-stage trie for values.

    stage1[c >> (s2+s3)] -> block of stage2 (in units of 2**s2 entries)
    stage2[...]          -> block of stage3 (in units of 2**s3 entries)
    stage3[...]          -> value
    Block starts are stored divided by the block size.
    """
    best = None
    for s3 in range(3, 10):
        idx2, stage3 = split_table(values, s3)
        idx2 = [i >> s3 for i in idx2]
        for s2 in range(2, 10):
            if len(idx2) % (1 << s2):
                continue
            idx1, stage2 = split_table(idx2, s2)
            idx1 = [i >> s2 for i in idx1]
            size = 0
            for t in (idx1, stage2, stage3):
                size += len(t) * int_type(t)[1]
            if best is None or size < best[0]:
                best = (size, s2, s3, idx1, stage2, stage3)
    return best


def c_array(name, ctype, values, per_line=None, fmt="%d"):
    if per_line is None:
        per_line = 16 if "8" in ctype else 12
    out = ["static const %s %s[%d] = {" % (ctype, name, len(values))]
    for i in range(0, len(values), per_line):
        out.append("    " + ", ".join(fmt % v for v in values[i:i + per_line])
                   + ",")
    out.append("};")
    return "\n".join(out)


def main():
    ucd = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_path = (sys.argv[2] if len(sys.argv) > 2
                else os.path.join(root, "src", "core", "unicode_data.h"))

    versions = {file_version(os.path.join(ucd, n)) for n in
                ("DerivedCoreProperties.txt", "PropList.txt",
                 "CaseFolding.txt", "SpecialCasing.txt")}
    versions.discard(None)
    if len(versions) != 1:
        sys.exit("gen_unicode: inconsistent UCD versions: %r" % versions)
    version = versions.pop()

    cat, digit, flags, upper, lower, fold, specials = load(ucd)

    # Case-mapping offsets, shared by all three mappings.
    deltas = sorted({m[c] - c for m in (upper, lower, fold)
                     for c in range(NCP)} - {0})
    deltas.insert(0, 0)
    dindex = {d: i for i, d in enumerate(deltas)}
    assert len(deltas) <= 256

    records, rindex = [], {}
    per_cp = [0] * NCP
    for c in range(NCP):
        rec = (cat[c], flags[c], digit[c], dindex[upper[c] - c],
               dindex[lower[c] - c], dindex[fold[c] - c])
        r = rindex.get(rec)
        if r is None:
            r = rindex[rec] = len(records)
            records.append(rec)
        per_cp[c] = r

    size, s2, s3, stage1, stage2, stage3 = build_trie(per_cp)
    t1, _ = int_type(stage1)
    t2, _ = int_type(stage2)
    t3, _ = int_type(stage3)

    lines = []
    w = lines.append
    w("/* unicode_data.h -- Unicode %s character tables for char.c."
      % version)
    w(" *")
    w(" * GENERATED FILE, DO NOT EDIT.  Produced by tools/gen_unicode.py from")
    w(" * the Unicode Character Database %s (UnicodeData.txt, PropList.txt,"
      % version)
    w(" * DerivedCoreProperties.txt, CaseFolding.txt, SpecialCasing.txt).")
    w(" * To regenerate (Debian: apt-get install -y unicode-data):")
    w(" *     python3 tools/gen_unicode.py /usr/share/unicode"
      " src/core/unicode_data.h")
    w(" *")
    w(" * Constant data only; included by src/core/char.c and nothing else.")
    w(" * Unicode data is (c) Unicode, Inc., under the Unicode License v3.")
    w(" *")
    w(" * SPDX-License-Identifier: MIT")
    w(" */")
    w("#ifndef PITH_UNICODE_DATA_H")
    w("#define PITH_UNICODE_DATA_H")
    w("")
    w("#include <stdint.h>")
    w("")
    w('#define UCD_VERSION "%s"' % version)
    w("")
    w("/* Property flag bits of ucd_record.flags. */")
    for bit, (name, _, prop) in enumerate(FLAGS):
        w("#define UCD_F_%-15s 0x%02xu /* %s */" % (name, 1 << bit, prop))
    w("")
    w("/* Two-letter General_Category codes, indexed by ucd_record.cat. */")
    w("static const char ucd_categories[%d][3] = {" % len(CATEGORIES))
    for i in range(0, len(CATEGORIES), 8):
        w("    " + " ".join('"%s",' % c for c in CATEGORIES[i:i + 8]))
    w("};")
    w("#define UCD_CAT_CS %d /* index of \"Cs\" */" % CATEGORIES.index("Cs"))
    w("#define UCD_CAT_CN %d /* index of \"Cn\" */" % CATEGORIES.index("Cn"))
    w("#define UCD_DIGIT_NONE 15 /* ucd_record.digit when not Nd */")
    w("")
    w("/* Per-code-point record: category, flags, digit value, and indices")
    w(" * into ucd_deltas[] for the simple upper/lower/fold mappings. */")
    w("struct ucd_record {")
    w("    uint8_t cat, flags, digit, upper, lower, fold;")
    w("};")
    w("static const struct ucd_record ucd_records[%d] = {" % len(records))
    for r in records:
        w("    {%d, 0x%02x, %d, %d, %d, %d}," % r)
    w("};")
    w("")
    w("/* Distinct mapping offsets (target - source); entry 0 is 0. */")
    w(c_array("ucd_deltas", "int32_t", deltas, 8))
    w("")
    w("/* Three-stage trie: record index of code point c is")
    w(" *   ucd_stage3[(ucd_stage2[(ucd_stage1[c >> (S2+S3)] << S2)")
    w(" *              + ((c >> S3) & M2)] << S3) + (c & M3)]. */")
    w("#define UCD_SHIFT2 %d" % s2)
    w("#define UCD_SHIFT3 %d" % s3)
    w(c_array("ucd_stage1", t1, stage1))
    w(c_array("ucd_stage2", t2, stage2))
    w(c_array("ucd_stage3", t3, stage3))
    w("")

    names = ("upper", "lower", "fold")
    for name, table in zip(names, specials):
        keys = sorted(table)
        assert all(k <= 0xFFFF for k in keys)
        assert all(len(m) <= 3 and all(0 < x <= 0xFFFF for x in m)
                   for m in table.values())
        w("/* Full %s mappings that differ from the simple one, sorted by"
          % ("case-folding" if name == "fold" else name + "case"))
        w(" * key; each row is {key, m0, m1, m2}, unused slots 0. */")
        w("#define UCD_N_SPECIAL_%s %d" % (name.upper(), len(keys)))
        w("static const uint16_t ucd_special_%s[%d][4] = {"
          % (name, len(keys)))
        for k in keys:
            m = table[k] + [0] * (3 - len(table[k]))
            w("    {0x%04X, 0x%04X, 0x%04X, 0x%04X}," % (k, m[0], m[1], m[2]))
        w("};")
        w("")

    w("#endif /* PITH_UNICODE_DATA_H */")

    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")

    spec_bytes = sum(len(t) * 8 for t in specials)
    total = (size + len(records) * 6 + len(deltas) * 4 + spec_bytes
             + len(CATEGORIES) * 3)
    sys.stderr.write(
        "gen_unicode: Unicode %s -> %s\n"
        "  trie shifts %d/%d: stage1 %d x %s, stage2 %d x %s, stage3 %d x %s"
        " = %d bytes\n"
        "  %d records (%d bytes), %d deltas, specials upper %d lower %d"
        " fold %d (%d bytes)\n  total about %d bytes\n"
        % (version, out_path, s2, s3, len(stage1), t1, len(stage2), t2,
           len(stage3), t3, size, len(records), len(records) * 6, len(deltas),
           len(specials[0]), len(specials[1]), len(specials[2]), spec_bytes,
           total))


if __name__ == "__main__":
    main()

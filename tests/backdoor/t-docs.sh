#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The documentation.  The code shown in docs/backdoor.txt is taken from
# files that the tests build and run (contrib/backdoor/...): every indented
# block that follows a line naming such a file must appear in that file,
# piece by piece ("..." separates the pieces), so the overview cannot
# drift from code that works; the rST pages include those files.  QEMU's
# manual builds with the series' pages and no warning.

. "$(dirname "$0")/lib.sh"

doc=$BACKDOOR_TOP/docs/backdoor.txt
python3 - "$doc" "$BACKDOOR_TOP" <<'PY'
import re
import sys

doc, top = sys.argv[1:]
lines = open(doc, encoding="utf-8").read().split("\n")
checked = 0
i = 0
while i < len(lines):
    m = re.search(r"(contrib/backdoor/\S+\.c)\b", lines[i])
    if not m or lines[i].startswith("    "):
        i += 1
        continue
    path = m.group(1)
    i += 1
    # the block starts after the rest of the paragraph naming the file
    while i < len(lines) and not lines[i].startswith("    "):
        i += 1
    block = []
    while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
        block.append(lines[i][4:])
        i += 1
    while block and not block[-1].strip():
        block.pop()
    src = open(f"{top}/{path}", encoding="utf-8").read()
    pieces, cur = [], []
    for ln in block:
        if ln == "...":
            pieces.append(cur)
            cur = []
        else:
            cur.append(ln)
    pieces.append(cur)
    for n, piece in enumerate(p for p in pieces if p):
        text = "\n".join(piece) + "\n"
        name = f"docs/backdoor.txt shows {path}, piece {n + 1}, verbatim"
        print(("ok - " if text in src else "not ok - ") + name)
        checked += 1
print(("ok - " if checked >= 3 else "not ok - ")
      + f"docs/backdoor.txt has code excerpts to check ({checked})")
PY

# The channel's layout is defined once, in the shared header: the pages
# name its macros and the spec includes it, none repeats its values
python3 - "$BACKDOOR_TOP" <<'PY'
import re
import sys

top = sys.argv[1]
hdr = open(f"{top}/include/backdoor/abi.h",
           encoding="utf-8").read()
defs = dict(re.findall(r"^#define (QEMU_BACKDOOR_\w+)\s+(\S+)", hdr, re.M))
values = {v.rstrip("ULul") for v in defs.values() if v.startswith("0x")}
values.add(f"{int(defs['QEMU_BACKDOOR_PCI_VENDOR'], 16):04x}:"
           f"{int(defs['QEMU_BACKDOOR_PCI_DEVICE'], 16):04x}")
pages = ["docs/backdoor.txt", "docs/devel/backdoor.rst",
         "docs/interop/backdoor-guest.rst", "docs/specs/backdoor.rst",
         "docs/system/devices/backdoor.rst"]
for page in pages:
    text = open(f"{top}/{page}", encoding="utf-8").read()
    found = sorted(v for v in values
                   if re.search(r"(?<![\w.])" + re.escape(v) + r"(?![\w.])",
                                text, re.I))
    print(("ok - " if not found else "not ok - ")
          + f"{page} repeats no value of the layout header"
          + (f" ({', '.join(found)})" if found else ""))
spec = open(f"{top}/docs/specs/backdoor.rst", encoding="utf-8").read()
inc = "literalinclude:: ../../include/backdoor/abi.h"
print(("ok - " if inc in spec else "not ok - ")
      + "docs/specs/backdoor.rst includes the layout header")
unused = [d for d in defs if d not in spec]
print(("ok - " if not unused else "not ok - ")
      + "docs/specs/backdoor.rst names every macro of the header"
      + (f" (not: {', '.join(unused)})" if unused else ""))
PY

# QEMU's manual builds with the series' pages, warnings being errors
# (a docs-only configuration of the main build's tree: nothing compiled)
qb=$(qemu_build main)
if [ -z "$qb" ]; then
    not_ok "the manual builds with -W (no main build)"
    exit 0
fi
src=$(dirname "$qb")/qemu-src
mkdir -p "$T/docs"
if (cd "$T/docs" && "$src/configure" --python=/usr/bin/python3 \
        --target-list=x86_64-softmmu,x86_64-linux-user \
        --without-default-features --disable-download --disable-install-blobs \
        --enable-docs --enable-werror && ninja html) >"$T/docs.log" 2>&1; then
    ok "the manual builds with -W"
    for page in devel/backdoor interop/backdoor-guest specs/backdoor \
            system/devices/backdoor user/main; do
        html=$T/docs/docs/manual/$page.html
        if [ -f "$html" ] && grep -qi "backdoor" "$html"; then
            ok "the manual has $page.html about the backdoor"
        else
            not_ok "the manual has $page.html about the backdoor"
        fi
    done
else
    grep -E "ERROR|rror|arning" "$T/docs.log" | tail -n 10 | sed 's/^/  /'
    not_ok "the manual builds with -W"
fi
exit 0

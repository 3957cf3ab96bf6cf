#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Assemble the QEMU tree the build uses: pristine sources + patches + overlay.

    assemble.py PRISTINE OUT

PRISTINE is an unpacked QEMU 10.0 tree (never modified).  OUT becomes a copy
of it with patches/tarball/*.patch and patches/series/*.patch applied and the
project's new files (the overlay directories below) copied in.

Re-running is cheap and keeps timestamps: only files whose content changed
are rewritten, so ninja rebuilds what the edit touched and nothing more.
Files the previous run added or changed and this run does not are restored
from PRISTINE (or removed).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# repository folders that hold new files at their QEMU paths
OVERLAY_DIRS = ["accel", "backdoor", "contrib", "docs", "hw", "include",
                "linux-user", "tests"]
PATCH_DIRS = ["patches/tarball", "patches/series"]
STATE = ".backdoor-assembled"


def patch_files():
    out = []
    for d in PATCH_DIRS:
        full = os.path.join(REPO, d)
        if os.path.isdir(full):
            out += [os.path.join(full, f) for f in sorted(os.listdir(full))
                    if f.endswith(".patch")]
    return out


def overlay_files():
    out = []
    for d in OVERLAY_DIRS:
        top = os.path.join(REPO, d)
        for root, dirs, files in os.walk(top):
            dirs.sort()
            for f in sorted(files):
                path = os.path.join(root, f)
                out.append(os.path.relpath(path, REPO))
    return out


def touched_by(patch):
    """Paths a unified diff modifies (relative, -p1)."""
    paths = []
    with open(patch, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\+\+\+ b/(\S+)", line)
            if m:
                paths.append(m.group(1))
    return paths


def same(a, b):
    if not os.path.exists(b):
        return False
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    pristine, out = (os.path.abspath(p) for p in sys.argv[1:])

    if not os.path.isfile(os.path.join(out, "VERSION")):
        print(f"==> copying {pristine} to {out}", file=sys.stderr)
        if os.path.exists(out):
            shutil.rmtree(out)
        shutil.copytree(pristine, out, symlinks=True)

    with tempfile.TemporaryDirectory(prefix="bd-assemble-") as stage:
        wanted = set()
        for p in patch_files():
            touched = touched_by(p)
            if not touched:
                continue        # a commit of new files only
            for rel in touched:
                # each QEMU file is changed by one patch, so that a patch
                # is always the diff from the pristine file
                if rel in wanted:
                    sys.exit(f"error: {rel} is changed by two patches")
                dst = os.path.join(stage, rel)
                src = os.path.join(pristine, rel)
                if os.path.exists(src):
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    shutil.copy2(src, dst)
                wanted.add(rel)
            r = subprocess.run(["patch", "-p1", "-s", "--forward",
                                "--no-backup-if-mismatch", "-r", "-",
                                "-d", stage, "-i", p],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
            if r.returncode:
                sys.exit(f"error: {os.path.relpath(p, REPO)} does not apply "
                         f"to {pristine}:\n{r.stdout}")
        for rel in overlay_files():
            if rel in wanted:
                sys.exit(f"error: {rel} is both patched and overlaid")
            dst = os.path.join(stage, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(os.path.join(REPO, rel), dst)
            wanted.add(rel)

        changed = 0
        for rel in sorted(wanted):
            src, dst = os.path.join(stage, rel), os.path.join(out, rel)
            if not same(src, dst):
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                if os.path.exists(dst):
                    os.unlink(dst)
                shutil.copy2(src, dst)
                # a newer mtime than anything built from the old content
                os.utime(dst)
                changed += 1

    state = os.path.join(out, STATE)
    previous = set()
    if os.path.exists(state):
        with open(state, encoding="utf-8") as f:
            previous = {line.strip() for line in f if line.strip()}
    for rel in sorted(previous - wanted):
        dst, src = os.path.join(out, rel), os.path.join(pristine, rel)
        if os.path.exists(src):
            shutil.copy2(src, dst)
            os.utime(dst)
        elif os.path.exists(dst):
            os.unlink(dst)
        changed += 1
    with open(state, "w", encoding="utf-8") as f:
        f.write("".join(rel + "\n" for rel in sorted(wanted)))
    if changed:
        print(f"==> assembled {out}: {changed} file(s) updated", file=sys.stderr)


if __name__ == "__main__":
    main()

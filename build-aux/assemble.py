#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Assemble the QEMU tree the build uses: pristine sources + patches + overlay.

    assemble.py [--refresh] PRISTINE OUT

PRISTINE is an unpacked QEMU tree (never modified).  OUT becomes a copy of
it with patches/tarball/*.patch and patches/series/*.patch applied and the
project's new files (the overlay directories below) copied in.  The
patches are a stack, applied in the order of their names: a patch may
change several QEMU files, and several patches may change one.

The series is kept for more than one QEMU release ("base": 10.0, 10.2;
PRISTINE's VERSION says which).  A patch in patches/qemu-BASE/series/
replaces the patch of the same name in patches/series/ on that base, or
joins the series there (in the order of the names).  A
new file holds the code that differs between bases in blocks

    #ifdef QEMU_BASE_10_0       (or #ifndef)
    ...
    #else
    ...
    #endif

that are resolved as the file is copied: OUT and the mails hold only the
code for their base, and QEMU_BASE_* is never seen by a compiler.

Re-running is cheap and keeps timestamps: only files whose content changed
are rewritten, so ninja rebuilds what the edit touched and nothing more.
Files the previous run added or changed and this run does not are restored
from PRISTINE (or removed).

Edits made in OUT are never overwritten silently.  Each run records in
OUT/.backdoor-manifest.json what OUT holds (the size and mtime of every
file, the hash of every file it wrote); the next run first looks for files
edited, created or deleted in OUT since then whose content differs from
what it would write, and stops with their list.  Then either
--refresh (make refresh) carries them back into the overlay: a new or
edited file of the overlay is copied to its place in the repository, and
the last patch that changes an edited QEMU file is regenerated from OUT,
as the diff from what the patches before it leave (the description
before its first "diff" is kept), like quilt refresh; or
FORCE_ASSEMBLE=1 in the environment discards them.  An edited QEMU file
that no patch changes goes into the patch REFRESH_PATCH names.
"""

import hashlib
import json
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
MANIFEST = ".backdoor-manifest.json"


def qemu_base(tree):
    """The release series ("10.2") of the QEMU tree TREE."""
    with open(os.path.join(tree, "VERSION"), encoding="utf-8") as f:
        return ".".join(f.read().strip().split(".")[:2])


def patch_files(base):
    """The patches for BASE, in order: patches/series/ and patches/tarball/,
    where patches/qemu-BASE/ replaces one of the same name or adds one."""
    out = []
    for d in PATCH_DIRS:
        names = {}
        for top in (os.path.join(REPO, d),
                    os.path.join(REPO, "patches", "qemu-" + base,
                                 os.path.basename(d))):
            if os.path.isdir(top):
                names.update({f: os.path.join(top, f)
                              for f in os.listdir(top)
                              if f.endswith(".patch")})
        out += [names[f] for f in sorted(names)]
    return out


BASE_IF = re.compile(r"^#\s*if(n?)def\s+QEMU_BASE_(\d+)_(\d+)\s*$")
COND_OPEN = re.compile(r"^#\s*if")
COND_ELSE = re.compile(r"^#\s*(else|elif)\b")
COND_END = re.compile(r"^#\s*endif\b")


def resolve_base(text, base, name="?"):
    """TEXT with its QEMU_BASE_* blocks resolved for BASE ("10.2")."""
    out = []
    # one entry per open conditional: None for an ordinary one (its lines
    # are kept), True/False for a QEMU_BASE_ one (whether the current
    # branch is the one kept)
    stack = []
    for line in text.splitlines(keepends=True):
        m = BASE_IF.match(line)
        top = stack[-1] if stack else None
        if m:
            wanted = f"{m.group(2)}.{m.group(3)}" == base
            stack.append(wanted != (m.group(1) == "n"))
            continue
        if COND_OPEN.match(line):
            stack.append(None)
        elif COND_ELSE.match(line) and top is not None:
            if line.lstrip("# \t").startswith("elif"):
                sys.exit(f"error: {name}: #elif in a QEMU_BASE_ block")
            stack[-1] = not top
            continue
        elif COND_END.match(line):
            if not stack:
                sys.exit(f"error: {name}: #endif without #if")
            stack.pop()
            if top is not None:
                continue
        if all(e is not False for e in stack):
            out.append(line)
    if stack:
        sys.exit(f"error: {name}: unterminated #if")
    return "".join(out)


def has_base_blocks(path):
    try:
        with open(path, encoding="utf-8") as f:
            return any(BASE_IF.match(line) for line in f)
    except (UnicodeDecodeError, OSError):
        return False


def copy_resolved(src, dst, base):
    """Copy SRC to DST, resolving its QEMU_BASE_* blocks for BASE."""
    if not has_base_blocks(src):
        shutil.copy2(src, dst)
        return
    with open(src, encoding="utf-8") as f:
        text = resolve_base(f.read(), base, src)
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text)
    shutil.copystat(src, dst)


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


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def snapshot(out):
    """{relative path: [size, mtime_ns]} for every file in OUT."""
    tree = {}
    for root, dirs, files in os.walk(out):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for f in files:
            path = os.path.join(root, f)
            rel = os.path.relpath(path, out)
            if rel in (STATE, MANIFEST):
                continue
            st = os.lstat(path)
            tree[rel] = [st.st_size, st.st_mtime_ns]
    return tree


def same(a, b):
    if not os.path.exists(b):
        return False
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def stage_tree(pristine, stage):
    """Patch and overlay into STAGE the files the assembly owns.

    Returns ({path: patch that changes it}, the set of paths).
    """
    base = qemu_base(pristine)
    owner = {}
    wanted = set()
    for p in patch_files(base):
        touched = touched_by(p)
        if not touched:
            continue        # a commit of new files only
        for rel in touched:
            # a stack: several patches may change one QEMU file, each on
            # top of the ones before it; the last one owns the file for
            # make refresh
            dst = os.path.join(stage, rel)
            src = os.path.join(pristine, rel)
            if rel not in wanted and os.path.exists(src):
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(src, dst)
            wanted.add(rel)
            owner[rel] = p
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
        copy_resolved(os.path.join(REPO, rel), dst, base)
        wanted.add(rel)
    return owner, wanted


def find_edits(pristine, out, stage, wanted):
    """Files of OUT edited by hand since the last assembly.

    A list of (path, "edited" | "new" | "deleted"), leaving out files
    whose content is what this assembly would write anyway.
    """
    try:
        with open(os.path.join(out, MANIFEST), encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return []           # assembled by an older assemble.py
    old, written = manifest["tree"], manifest["written"]
    now = snapshot(out)
    edits = []
    for rel in sorted(now):
        if now[rel] == old.get(rel):
            continue        # untouched since the last assembly
        path = os.path.join(out, rel)
        target = os.path.join(stage if rel in wanted else pristine, rel)
        if os.path.exists(target) and same(target, path):
            continue        # what this assembly writes anyway
        if rel in written:
            if written[rel] != sha256(path):
                edits.append((rel, "edited"))
        elif os.path.exists(os.path.join(pristine, rel)):
            if not same(os.path.join(pristine, rel), path):
                edits.append((rel, "edited"))
        else:
            edits.append((rel, "new"))
    for rel in sorted(set(old) - set(now)):
        if rel in wanted or os.path.exists(os.path.join(pristine, rel)):
            edits.append((rel, "deleted"))
    return edits


def tree_before(pristine, patch, files, where):
    """Into WHERE, FILES as the patches before PATCH leave them."""
    for p in patch_files(qemu_base(pristine)):
        if os.path.samefile(p, patch):
            break
        touched = touched_by(p)
        if not set(touched) & set(files):
            continue
        for rel in touched:
            # the patch's other files too, so that it applies whole
            src, dst = os.path.join(pristine, rel), os.path.join(where, rel)
            if not os.path.exists(dst) and os.path.exists(src):
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(src, dst)
        subprocess.run(["patch", "-p1", "-s", "--forward", "--batch",
                        "--no-backup-if-mismatch", "-r", "-", "-d", where,
                        "-i", p], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for rel in files:
        src, dst = os.path.join(pristine, rel), os.path.join(where, rel)
        if not os.path.exists(dst) and os.path.exists(src):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
    return where


def diff_file(pristine, out, rel):
    old = os.path.join(pristine, rel)
    if not os.path.exists(old):
        old = "/dev/null"
    r = subprocess.run(["diff", "-u", "--label", f"a/{rel}", "--label",
                        f"b/{rel}", old, os.path.join(out, rel)],
                       stdout=subprocess.PIPE, text=True)
    if r.returncode > 1:
        sys.exit(f"error: cannot diff {rel}")
    return f"diff --git a/{rel} b/{rel}\n" + r.stdout


def regenerate(patch, files, pristine, out):
    """Rewrite PATCH as its description plus the diffs of FILES in OUT."""
    with open(patch, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^diff ", text, re.M)
    head = (text[:m.start()] if m else text).rstrip("\n")
    # the diff from what the patches before it leave
    with tempfile.TemporaryDirectory(prefix="bd-refresh-") as before:
        tree_before(pristine, patch, files, before)
        body = "".join(diff_file(before, out, rel) for rel in files)
    with open(patch + ".tmp", "w", encoding="utf-8") as f:
        f.write((head + "\n\n" if head else "") + body)
    os.replace(patch + ".tmp", patch)


def refresh(pristine, out, owner, edits):
    """Carry EDITS back into the overlay; returns what could not be."""
    left = []
    patches = {}
    extra = os.environ.get("REFRESH_PATCH", "")
    for rel, kind in edits:
        src = os.path.join(out, rel)
        top = rel.split("/", 1)[0]
        if kind == "deleted":
            left.append((rel, "deleted: restore it, or remove it from the "
                         "overlay or its patch yourself"))
        elif rel in owner:
            patches.setdefault(owner[rel], touched_by(owner[rel]))
        elif has_base_blocks(os.path.join(REPO, rel)):
            left.append((rel, "its code differs between QEMU releases "
                         "(QEMU_BASE_ blocks): make the edit in the "
                         "repository's copy"))
        elif os.path.exists(os.path.join(REPO, rel)) or (
                kind == "new" and top in OVERLAY_DIRS):
            os.makedirs(os.path.dirname(os.path.join(REPO, rel)),
                        exist_ok=True)
            shutil.copy2(src, os.path.join(REPO, rel))
            print(f"==> {rel}: copied into the overlay"
                  + (" (new: name it in a patch's Files: line)"
                     if kind == "new" else ""), file=sys.stderr)
        elif kind == "edited" and extra:
            patch = os.path.abspath(extra)
            if not os.path.isfile(patch):
                sys.exit(f"error: REFRESH_PATCH={extra}: no such patch")
            patches.setdefault(patch, touched_by(patch)).append(rel)
        elif kind == "edited":
            left.append((rel, "no patch changes it: name the patch to add "
                         "it to with REFRESH_PATCH=patches/series/NNNN-..."))
        else:
            left.append((rel, "new outside the overlay's folders ("
                         + " ".join(OVERLAY_DIRS) + ")"))
    for patch, files in sorted(patches.items()):
        regenerate(patch, files, pristine, out)
        print(f"==> {os.path.relpath(patch, REPO)}: regenerated from "
              f"{out}", file=sys.stderr)
    return left


def main():
    args = sys.argv[1:]
    refreshing = args[:1] == ["--refresh"]
    if refreshing:
        args = args[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    pristine, out = (os.path.abspath(p) for p in args)

    if os.path.isfile(os.path.join(out, "VERSION")) and not same(
            os.path.join(pristine, "VERSION"), os.path.join(out, "VERSION")):
        # another QEMU release: start again from PRISTINE, unless OUT
        # holds edits (checked against the tree it was assembled from)
        try:
            with open(os.path.join(out, MANIFEST), encoding="utf-8") as f:
                old_pristine = json.load(f).get("pristine", "")
        except (OSError, ValueError):
            old_pristine = ""
        if not os.path.isdir(old_pristine) or refreshing:
            sys.exit(f"error: {out} holds another QEMU release than "
                     f"{pristine}; remove it (its edits are not checked)")
        with tempfile.TemporaryDirectory(prefix="bd-assemble-") as stage:
            _, wanted = stage_tree(old_pristine, stage)
            edits = find_edits(old_pristine, out, stage, wanted)
        if edits and os.environ.get("FORCE_ASSEMBLE") != "1":
            sys.exit(f"error: {out} holds edits, and the tree is to be "
                     f"assembled from another QEMU release:\n" +
                     "".join(f"  {kind:8} {rel}\n" for rel, kind in edits) +
                     "Carry them into the overlay first (make refresh, on "
                     "the old release), or 'make FORCE_ASSEMBLE=1'.")
        shutil.rmtree(out)

    if not os.path.isfile(os.path.join(out, "VERSION")):
        if refreshing:
            sys.exit(f"error: {out} is not assembled: nothing to refresh")
        print(f"==> copying {pristine} to {out}", file=sys.stderr)
        if os.path.exists(out):
            shutil.rmtree(out)
        shutil.copytree(pristine, out, symlinks=True)

    with tempfile.TemporaryDirectory(prefix="bd-assemble-") as stage:
        owner, wanted = stage_tree(pristine, stage)
        edits = find_edits(pristine, out, stage, wanted)
        if refreshing:
            left = refresh(pristine, out, owner, edits)
            if left:
                sys.exit("error: not carried into the overlay:\n" +
                         "".join(f"  {rel}: {why}\n" for rel, why in left))
            if not edits:
                print(f"==> {out}: no edits to refresh", file=sys.stderr)
            return
        if edits and os.environ.get("FORCE_ASSEMBLE") != "1":
            sys.exit(f"error: files in {out} were changed since it was "
                     "assembled, and the overlay does not hold the "
                     "changes:\n" +
                     "".join(f"  {kind:8} {rel}\n" for rel, kind in edits) +
                     "Run 'make refresh' to carry the edits into the "
                     "overlay (new files, patches),\nor "
                     "'make FORCE_ASSEMBLE=1' to discard them.")
        changed = 0
        for rel, kind in edits:
            # FORCE_ASSEMBLE=1: back to what the assembly owns
            path = os.path.join(out, rel)
            if rel in wanted:
                continue            # rewritten below
            if kind == "new":
                os.unlink(path)
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                shutil.copy2(os.path.join(pristine, rel), path)
                os.utime(path)
            changed += 1

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
        written = {rel: sha256(os.path.join(stage, rel))
                   for rel in sorted(wanted)}

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
    with open(os.path.join(out, MANIFEST) + ".tmp", "w",
              encoding="utf-8") as f:
        json.dump({"written": written, "tree": snapshot(out),
                   "pristine": pristine}, f)
    os.replace(os.path.join(out, MANIFEST) + ".tmp",
               os.path.join(out, MANIFEST))
    if changed:
        print(f"==> assembled {out}: {changed} file(s) updated", file=sys.stderr)


if __name__ == "__main__":
    main()

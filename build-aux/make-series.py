#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Export the backdoor series as git format-patch mails.

    make-series.py PRISTINE OUTDIR

Commits, on a git copy of the pristine QEMU tree, one commit per file in
patches/series/, in order (on the QEMU release PRISTINE holds: see
assemble.py for patches/qemu-BASE/ and QEMU_BASE_ blocks).  Each such file is

    Subject: the commit's subject
    <blank line>
    the commit message body
    Files: new files the commit adds (paths in this repository, globs;
           DEST=SRC writes an earlier stage of DEST, kept in SRC)
    diff --git ...   (the changes to existing QEMU files, if any)

The MAINTAINERS section for the new files grows with each commit (from
patches/maintainers.txt), so that every patch that adds files also says
who looks after them.  Writes OUTDIR/0000-cover-letter.patch (from
patches/cover-letter.txt) and OUTDIR/NNNN-*.patch, and leaves the git tree
in OUTDIR/qemu.  Fails when a file of the overlay belongs to no commit and
is not listed as project-only in patches/project-only.txt.
"""

import fnmatch
import os
import re
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "build-aux"))
from assemble import (copy_resolved, overlay_files, patch_files,  # noqa: E402
                      qemu_base, resolve_base)


def run(cmd, cwd, **kw):
    return subprocess.run(cmd, cwd=cwd, check=True, text=True, **kw)


def git(tree, *args, **kw):
    return run(["git", "-c", "core.autocrlf=false", "-c", "gc.auto=0", *args],
               tree, **kw)


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [ln.rstrip("\n") for ln in f
                if ln.strip() and not ln.startswith("#")]


def parse(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, sep, diff = text.partition("\ndiff --git ")
    diff = ("diff --git " + diff) if sep else ""
    lines = head.split("\n")
    if not lines[0].startswith("Subject: "):
        sys.exit(f"error: {path}: no Subject: line")
    subject = lines[0][len("Subject: "):]
    body, files = [], []
    for ln in lines[1:]:
        if ln.startswith("Files:"):
            files += ln[len("Files:"):].split()
        else:
            body.append(ln)
    return subject, "\n".join(body).strip() + "\n", files, diff


def expand(patterns, candidates, where):
    out = []
    for pat in patterns:
        hits = [c for c in candidates if fnmatch.fnmatchcase(c, pat)]
        if not hits:
            sys.exit(f"error: {where}: '{pat}' names no file")
        out += [h for h in hits if h not in out]
    return out


def add_to_maintainers(tree, section_head, files):
    path = os.path.join(tree, "MAINTAINERS")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    title = section_head[0]
    entries = sorted(files)
    if "\n" + title + "\n" not in text:
        block = "\n".join(section_head) + "\n"
        block += "".join(f"F: {e}\n" for e in entries) + "\n"
        anchor = "\nEDU\n"
        if anchor not in text:
            sys.exit("error: MAINTAINERS has no EDU section to insert before")
        text = text.replace(anchor, "\n" + block + anchor[1:], 1)
    else:
        start = text.index("\n" + title + "\n") + 1
        end = text.index("\n\n", start)
        lines = text[start:end].split("\n")
        heads = [ln for ln in lines if not ln.startswith("F: ")]
        olds = [ln[3:] for ln in lines if ln.startswith("F: ")]
        fs = sorted(set(olds) | set(entries))
        text = (text[:start] + "\n".join(heads + [f"F: {e}" for e in fs])
                + text[end:])
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    pristine, outdir = (os.path.abspath(p) for p in sys.argv[1:])
    tree = os.path.join(outdir, "qemu")
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    os.makedirs(outdir)
    shutil.copytree(pristine, tree, symlinks=True)
    for junk in (".unpacked", ".backdoor-assembled"):
        if os.path.exists(os.path.join(tree, junk)):
            os.unlink(os.path.join(tree, junk))

    version = open(os.path.join(tree, "VERSION")).read().strip()
    git(tree, "init", "-q", "-b", "master")
    # -f: the tarball holds files QEMU's .gitignore names (subprojects/)
    git(tree, "add", "-A", "-f")
    git(tree, "commit", "-q", "--no-verify", "-m",
        f"QEMU {version} (pristine sources of the build)")
    base = git(tree, "rev-parse", "HEAD",
               stdout=subprocess.PIPE).stdout.strip()

    section = read_lines(os.path.join(REPO, "patches", "maintainers.txt"))
    # file globs; the "text:" lines are for t-series.sh
    project_only = [ln for ln in read_lines(os.path.join(REPO, "patches",
                                                         "project-only.txt"))
                    if not ln.startswith("text:")]
    overlay = overlay_files()
    used = set()
    qbase = qemu_base(pristine)
    for p in patch_files(qbase):
        if os.path.basename(os.path.dirname(p)) != "series":
            continue        # patches/tarball: the build's, not the series'

        name = os.path.relpath(p, REPO)
        subject, body, patterns, diff = parse(p)
        body = resolve_base(body, qbase, name)
        # DEST=SRC: an earlier stage of DEST, kept in SRC, which a later
        # commit replaces with the real file
        staged = [pat.split("=", 1) for pat in patterns if "=" in pat]
        files = expand([pat for pat in patterns if "=" not in pat],
                       overlay, name)
        for rel in files:
            if rel in used:
                sys.exit(f"error: {rel} is in two commits")
            used.add(rel)
        for rel, src in [(f, f) for f in files] + staged:
            dst = os.path.join(tree, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            copy_resolved(os.path.join(REPO, src), dst, qbase)
        files += [rel for rel, _ in staged]
        if diff:
            run(["git", "apply", "--whitespace=nowarn", "-"], tree,
                input=diff)
        if files:
            add_to_maintainers(tree, section, files)
        git(tree, "add", "-A", "-f")
        msg = f"{subject}\n\n{body}"
        git(tree, "commit", "-q", "-s", "--no-verify", "-F", "-", input=msg)

    left = [f for f in overlay if f not in used and
            not any(fnmatch.fnmatchcase(f, pat) for pat in project_only)]
    if left:
        sys.exit("error: files in no commit of the series and not "
                 "project-only:\n  " + "\n  ".join(left))

    git(tree, "format-patch", "-q", "--cover-letter", "-o", outdir,
        f"{base}..HEAD")
    cover = os.path.join(outdir, "0000-cover-letter.patch")
    subject, body, _, _ = parse(os.path.join(REPO, "patches",
                                             "cover-letter.txt"))
    body = resolve_base(body, qbase, "patches/cover-letter.txt")
    with open(cover, encoding="utf-8") as f:
        text = f.read()
    text = text.replace("*** SUBJECT HERE ***", subject)
    text = text.replace("*** BLURB HERE ***", body.rstrip("\n"))
    with open(cover, "w", encoding="utf-8") as f:
        f.write(text)
    for f in sorted(os.listdir(outdir)):
        if f.endswith(".patch"):
            print(os.path.join(outdir, f))


if __name__ == "__main__":
    main()

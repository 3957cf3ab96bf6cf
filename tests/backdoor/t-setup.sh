#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The packages build-aux/setup-host.sh installs for "build" (what
# ./configure installs) are enough to build, checked against a real build:
# everything the main configuration's build used must come from a package
# that the build list installs (itself or through its dependencies, as
# apt-get --no-install-recommends would) or that every Debian system has
# (Essential or Priority required):
#   - the Python packages of pythondeps.toml's "meson" group, which QEMU's
#     configure requires (and those of its "docs" group, for the "all"
#     list: the docs test builds the manual);
#   - what meson found: pkg-config dependencies, programs, ninja, the C
#     compiler (from meson's log), unless QEMU's meson.build asks for them
#     with a "required:" other than true (optional);
#   - the programs the project's own scripts run (make, patch, xz, the
#     x86 option ROMs' compiler).
# And setup-host.sh says what it installs and why before it installs.

. "$(dirname "$0")/lib.sh"

setup=$BACKDOOR_TOP/build-aux/setup-host.sh
qb=$(qemu_build main)
if [ -z "$qb" ]; then
    not_ok "the build list covers what the build used (no main build)"
    exit 0
fi

"$setup" --list build >"$T/build.list"
"$setup" --list all >"$T/all.list"
for l in build all; do
    # shellcheck disable=SC2046 # one package a word
    apt-cache depends --recurse --installed --no-recommends --no-suggests \
        --no-conflicts --no-breaks --no-replaces --no-enhances \
        $(cat "$T/$l.list") 2>/dev/null | grep -v '^ ' | sort -u >"$T/$l.closure"
done
dpkg-query -W -f='${Package} ${Essential} ${Priority}\n' |
    awk '$2 == "yes" || $3 == "required" { print $1 }' >"$T/base"

# the Python QEMU's configure is given (see ./configure), not one in PATH
/usr/bin/python3 - "$qb" "$T" <<'PY'
import glob
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib

qb, tmp = sys.argv[1:]
src = os.path.join(os.path.dirname(qb), "qemu-src")
log = open(os.path.join(qb, "meson-logs", "meson-log.txt"),
           encoding="utf-8", errors="replace").read()


def lines(name):
    return set(open(os.path.join(tmp, name)).read().split())


base = lines("base")
closure = {"build": lines("build.closure") | base,
           "all": lines("all.closure") | base}


def owner(path):
    """The Debian package owning PATH (real path or its /usr-less twin)."""
    cands = [os.path.realpath(path), path]
    for p in list(cands):
        if p.startswith("/usr/"):
            cands.append(p[4:])
    for p in cands:
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        for ln in r.stdout.splitlines():
            if ln.startswith("diversion by "):
                continue
            pkg, _, f = ln.partition(": ")
            if f.strip() == p:
                return pkg.split(":")[0]
    return None


# QEMU's meson files, to tell optional probes from required ones
meson_text = ""
for f in glob.glob(os.path.join(src, "**", "meson.build"), recursive=True):
    if "/subprojects/" not in f:
        meson_text += open(f, encoding="utf-8", errors="replace").read()


def optional(kind, name):
    """True when every probe of NAME has a required: other than true."""
    calls = [m.start() for m in
             re.finditer(r"\b%s\(\s*'%s'" % (kind, re.escape(name)),
                         meson_text)]
    if not calls:
        return False
    for start in calls:
        depth, i = 0, meson_text.index("(", start)
        for j in range(i, len(meson_text)):
            depth += {"(": 1, ")": -1}.get(meson_text[j], 0)
            if depth == 0:
                break
        m = re.search(r"required\s*:\s*([^,)]+)", meson_text[i:j])
        if not m or m.group(1).strip() == "true":
            return False
    return True


needs = []      # (list, what, path or None, package or None)

# Python packages QEMU's configure requires (mkvenv ensuregroup)
deps = tomllib.load(open(os.path.join(src, "pythondeps.toml"), "rb"))
for group, lst in (("meson", "build"), ("docs", "all")):
    for mod in deps[group]:
        what = "python %s (pythondeps.toml, group %s)" % (mod, group)
        try:
            d = importlib.metadata.distribution(mod)
            path = str(d._path)
        except importlib.metadata.PackageNotFoundError:
            needs.append((lst, what, None, None))
            continue
        needs.append((lst, what, path, owner(path)))

# what meson found for the main configuration
found = re.findall(r"^Run-time dependency (\S+) found: YES", log, re.M)
for name in sorted(set(found)):
    r = subprocess.run(["pkg-config", "--path", name], capture_output=True,
                       text=True)
    if r.returncode:
        continue    # not a pkg-config dependency (threads)
    if optional("dependency", name):
        print("# optional in QEMU's meson.build: dependency %s" % name)
        continue
    path = r.stdout.strip()
    needs.append(("build", "meson: dependency %s" % name, path, owner(path)))
progs = {}
for m in re.finditer(r"^Program (\S+) found: YES \(([^ )]+)", log, re.M):
    name, path = m.groups()
    if path.startswith("/usr/") or path.startswith("/bin/"):
        progs[name] = path
    elif "pyvenv/bin/python3" in path:
        progs["python3"] = os.path.realpath(os.path.join(qb, path))
for name, path in sorted(progs.items()):
    if optional("find_program", name):
        print("# optional in QEMU's meson.build: program %s" % name)
        continue
    needs.append(("build", "meson: program %s" % name, path, owner(path)))
m = re.search(r"^Found pkg-config: YES \((\S+)\)", log, re.M)
progs_used = {"pkg-config": m and m.group(1)}
m = re.search(r"^Found ninja\S* at (\S+)", log, re.M)
progs_used["ninja"] = m and m.group(1)
m = re.search(r"^C compiler for the host machine: (.*?) -m64", log, re.M)
for word in (m.group(1).split() if m else ["cc"]):
    progs_used[word] = shutil.which(word)
# the project's scripts: make, fetch (xz), assemble (patch), option ROMs
for word in ("make", "patch", "xz", "i686-linux-gnu-gcc"):
    progs_used[word] = shutil.which(word)
for name, path in progs_used.items():
    needs.append(("build", "program %s" % name, path,
                  owner(path) if path else None))

for lst, what, path, pkg in needs:
    if pkg is None:
        print("not ok - %s: not found on this machine (%s)" % (what, path))
    elif pkg in closure[lst]:
        print("ok - %s: package %s, installed by setup-host.sh %s"
              % (what, pkg, lst))
    else:
        print("not ok - %s: package %s, which setup-host.sh %s does not "
              "install" % (what, pkg, lst))
PY

# setup-host.sh says what it installs and why, before installing: as if
# nothing were installed (dpkg-query and apt-get replaced by stand-ins)
mkdir -p "$T/bin"
printf '#!/bin/sh\nexit 1\n' >"$T/bin/dpkg-query"
printf '#!/bin/sh\necho "APT-GET $*"\n' >"$T/bin/apt-get"
printf '#!/bin/sh\nexec "$@"\n' >"$T/bin/sudo"
printf '#!/bin/sh\necho 0.63.0\n' >"$T/bin/meson"
chmod +x "$T/bin/"*
PATH=$T/bin:$PATH "$setup" build >"$T/setup.out" 2>&1
first=$(grep -n 'APT-GET.* install ' "$T/setup.out" | head -n 1 | cut -d: -f1)
said=$(sed -n "1,${first:-1}p" "$T/setup.out")
bad=
while read -r p; do
    grep -q "^ .*\\b$p\\b.*: ..." <<<"$said" || bad+=" $p"
done <"$T/build.list"
if [ -n "$first" ] && [ -z "$bad" ]; then
    ok "setup-host.sh build names each package it installs, with a reason, first"
else
    sed 's/^/  /' "$T/setup.out" | head -n 20
    not_ok "setup-host.sh build names each package it installs, with a reason, first (missing:${bad:- no install})"
fi
exit 0

# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers that run apt with a private configuration, so that the build
# can read Debian suites the host does not list (the QEMU source from
# Debian 13, meson from bookworm-backports) without touching the user's
# own apt sources.  Sourced by fetch-qemu.sh and setup-host.sh.
#
# The archive addresses are taken from the host's own apt sources at
# run time; nothing here names a host.

BD_CACHE=${BACKDOOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qemu-backdoor}
BD_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

bd_die() {
    echo "error: $*" >&2
    exit 1
}

bd_note() {
    echo "==> $*" >&2
}

# Print "URI SUITE..." lines for every enabled Debian binary source the host
# has, in both the one-line and the deb822 formats.
bd_host_sources() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        awk '$1 == "deb" {
                 i = 2
                 if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                 print $i, $(i + 1)
             }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
             {
                 uris = ""; suites = ""; types = ""; enabled = "yes"
                 for (n = 1; n <= NF; n++) {
                     if ($n ~ /^URIs:/)    { uris = $n;    sub(/^URIs:[ \t]*/, "", uris) }
                     if ($n ~ /^Suites:/)  { suites = $n;  sub(/^Suites:[ \t]*/, "", suites) }
                     if ($n ~ /^Types:/)   { types = $n }
                     if ($n ~ /^Enabled:[ \t]*no/) { enabled = "no" }
                 }
                 if (types ~ /deb( |$)/ && enabled == "yes" && uris != "") {
                     split(uris, u, /[ \t]+/)
                     print u[1], suites
                 }
             }' "$f"
    done
}

# The archive URI the host uses for a suite ending in $1 ("" for the main
# suite, "-security" for security updates).
bd_archive_uri() {
    local want=$1 codename
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    bd_host_sources | awk -v s="$codename$want" '{
        for (i = 2; i <= NF; i++) if ($i == s) { print $1; exit }
    }'
}

# bd_apt_init NAME LINE...: create a private apt configuration under
# $BD_CACHE/apt-NAME with the given sources.list lines and update it.
bd_apt_init() {
    local name=$1 dir
    shift
    dir=$BD_CACHE/apt-$name
    mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
    printf '%s\n' "$@" >"$dir/sources.list"
    BD_APT_OPTS=(
        -o "Dir::Etc::SourceList=$dir/sources.list"
        -o "Dir::Etc::SourceParts=/nonexistent"
        -o "Dir::State::Lists=$dir/lists"
        -o "Dir::Cache=$dir/cache"
        -o "APT::Sandbox::User=root"
        "${BD_APT_ARCH_OPTS[@]}"
    )
    apt-get -q "${BD_APT_OPTS[@]}" update >&2 ||
        bd_die "apt-get update failed for the private '$name' sources"
}

# Options that make apt read another architecture's packages, set by
# bd_host_apt_init ARCH; empty for the host's own.
BD_APT_ARCH_OPTS=()

# bd_host_apt_init [ARCH]: a private configuration ("host-CODENAME") with
# the host's own Debian release: main, updates, security and, on Debian 12,
# bookworm-backports (pinned low by apt, so used only when asked for with
# -t $BD_BACKPORTS).  Sets BD_APT_OPTS, and BD_BACKPORTS to the
# backports suite or "".  With a Debian architecture ARCH other than the
# host's ("arm64"), apt sees that architecture's packages only
# ("host-CODENAME-ARCH"): for apt-get download, never for installing.
bd_host_apt_init() {
    local codename main security lines name arch=${1:-}
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    name=host-$codename
    BD_APT_ARCH_OPTS=()
    if [ -n "$arch" ] && [ "$arch" != "$(dpkg --print-architecture)" ]; then
        name=$name-$arch
        BD_APT_ARCH_OPTS=(-o "APT::Architecture=$arch"
                          -o "APT::Architectures=$arch")
    fi
    main=$(bd_archive_uri "")
    [ -n "$main" ] || bd_die "cannot find the Debian archive in the host's apt sources"
    security=$(bd_archive_uri -security)
    lines=("deb [signed-by=$BD_KEYRING] $main $codename main"
           "deb [signed-by=$BD_KEYRING] $main $codename-updates main")
    [ -n "$security" ] &&
        lines+=("deb [signed-by=$BD_KEYRING] $security $codename-security main")
    BD_BACKPORTS=
    if [ "$codename" = bookworm ]; then
        BD_BACKPORTS=$codename-backports
        lines+=("deb [signed-by=$BD_KEYRING] $main $BD_BACKPORTS main")
    fi
    BD_APT_OPTS=()
    bd_apt_init "$name" "${lines[@]}"
}

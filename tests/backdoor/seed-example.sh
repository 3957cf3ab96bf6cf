#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Extract one of the specification's example files, unchanged:
#
#   seed-example.sh /tmp/my-backdoor-qemu/backdoor.c OUT
#
# The specification (shared/seed/backdoor-2011.txt, beside this
# repository, or $BACKDOOR_SEED) shows each file as a "cat > PATH <<EOF"
# block indented by four spaces.  Exit 2 when the specification is not
# there.

set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
seed=${BACKDOOR_SEED:-$top/../shared/seed/backdoor-2011.txt}
[ -f "$seed" ] || exit 2
awk -v want="$1" '
    $0 ~ "^    cat > " want " <<EOF$" { on = 1; next }
    on && $0 == "    EOF" { exit }
    on { sub(/^    /, ""); print }
' "$seed" >"$2"
[ -s "$2" ] || { echo "no example $1 in $seed" >&2; exit 1; }

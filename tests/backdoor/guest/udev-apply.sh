#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Apply a udev rules file to the PCI devices the way udev would on their
# "add" event, for the test guests, whose busybox initramfs has no udev:
#
#   udev-apply.sh RULES        apply RULES to every /sys/bus/pci/devices/*
#   udev-apply.sh -n RULES     only parse RULES (on any machine)
#
# Knows the keys the project's rules use: ACTION, SUBSYSTEM and ATTR{x}
# matches (== and !=), ATTR{x}= assignments (written to the device's
# attribute) and RUN+= (run with %S and %p replaced, as udev does).  Any
# other key, operator or a malformed line is an error (exit 2), so that a
# rule it would misread fails the test instead of passing it.

parse_only=no
if [ "$1" = -n ]; then
    parse_only=yes
    shift
fi
rules=$1
[ -f "$rules" ] || { echo "udev-apply: no rules file '$rules'" >&2; exit 2; }

# tokens LINE: one KEY OP VALUE a line, tab-separated, or fail
tokens() {
    printf '%s\n' "$1" | sed 's/", */"\n/g' | while IFS= read -r t; do
        key=$(printf '%s' "$t" | sed -n 's/^\([A-Z]*\({[a-z0-9_]*}\)\{0,1\}\)\(==\|!=\|+=\|=\)"\([^"]*\)"$/\1/p')
        op=$(printf '%s' "$t" | sed -n 's/^\([A-Z]*\({[a-z0-9_]*}\)\{0,1\}\)\(==\|!=\|+=\|=\)"\([^"]*\)"$/\3/p')
        val=$(printf '%s' "$t" | sed -n 's/^\([A-Z]*\({[a-z0-9_]*}\)\{0,1\}\)\(==\|!=\|+=\|=\)"\([^"]*\)"$/\4/p')
        case "$key $op" in
        "ACTION =="|"ACTION !="|"SUBSYSTEM =="|"SUBSYSTEM !=") ;;
        "ATTR{"*"} =="|"ATTR{"*"} !="|"ATTR{"*"} ="|"RUN +=") ;;
        *) echo "udev-apply: cannot read '$t'" >&2; return 2 ;;
        esac
        printf '%s\t%s\t%s\n' "$key" "$op" "$val"
    done
}

# the rules' lines without comments and blank lines
lines=$(grep -v '^[[:space:]]*\(#\|$\)' "$rules")
[ -n "$lines" ] || { echo "udev-apply: no rule in $rules" >&2; exit 2; }
echo "$lines" | while IFS= read -r line; do
    tokens "$line" >/dev/null || exit 2
done || exit 2
[ $parse_only = yes ] && exit 0

for dev in /sys/bus/pci/devices/*; do
    devpath=$(readlink -f "$dev")
    devpath=${devpath#/sys}
    echo "$lines" | while IFS= read -r line; do
        # the matches first, then the assignments, as udev does
        match=yes
        while IFS="$(printf '\t')" read -r key op val; do
            case $key in
            ACTION) have=add ;;
            SUBSYSTEM) have=pci ;;
            "ATTR{"*"}")
                a=${key#ATTR\{}
                a=${a%\}}
                have=$(cat "$dev/$a" 2>/dev/null) ;;
            *) continue ;;
            esac
            case $op in
            ==) [ "$have" = "$val" ] || match=no ;;
            !=) [ "$have" != "$val" ] || match=no ;;
            esac
        done <<EOT
$(tokens "$line")
EOT
        [ $match = yes ] || continue
        while IFS="$(printf '\t')" read -r key op val; do
            case "$key $op" in
            "ATTR{"*"} =")
                a=${key#ATTR\{}
                a=${a%\}}
                printf '%s' "$val" >"$dev/$a" || exit 1 ;;
            "RUN +=")
                cmd=$(printf '%s' "$val" | sed "s|%S|/sys|g; s|%p|$devpath|g")
                # udev splits the command at spaces, without a shell
                # shellcheck disable=SC2086
                set -- $cmd
                "$@" || exit 1 ;;
            esac
        done <<EOT
$(tokens "$line")
EOT
    done || exit 1
done

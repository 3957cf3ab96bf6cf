# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sourced by the benchmarks: figures kept as "ROUND KEY VALUE" lines in
# the file $BENCH_OUT, one per run and figure.

# bench_stat KEY [KEY2]: "median min-max" of KEY over the rounds, or of
# the per-round ratio KEY / KEY2; "n/a n/a" when there is none
bench_stat() {
    awk -v a="$1" -v b="${2:-}" '
        { v[$1, $2] = $3; r[$1] = 1 }
        END {
            n = 0
            for (i in r) {
                if (!((i, a) in v) || (b != "" && !((i, b) in v))) continue
                if (b != "" && v[i, b] == 0) continue
                s[++n] = b == "" ? v[i, a] : v[i, a] / v[i, b]
            }
            if (!n) { print "n/a n/a"; exit }
            for (i = 2; i <= n; i++) {          # insertion sort
                x = s[i]
                for (j = i - 1; j >= 1 && s[j] > x; j--) s[j + 1] = s[j]
                s[j + 1] = x
            }
            m = n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
            f = m >= 100 ? "%.0f" : "%.2f"
            printf f " " f "-" f "\n", m, s[1], s[n]
        }' "$BENCH_OUT"
}

# bench_row LABEL KEY [KEY2]: a table row with the median and the spread
bench_row() {
    # shellcheck disable=SC2046 # two words: median and spread
    printf '%-52s %12s %18s\n' "$1" $(bench_stat "$2" "${3:-}")
}

# bench_head TITLE: a table's first line
bench_head() {
    printf '%-52s %12s %18s\n' "$1" median spread
}

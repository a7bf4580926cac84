#!/usr/bin/env bash
# Measures `cargo xtask grade` on a class of N copies (default 30) of a
# correct submission, every lab graded, the way an instructor runs it:
#
#   scripts/bench-grade.sh [N] [--cold]
#
# Each copy is the instructor's labs' src/ (the solutions) with a comment
# added, so every lab of every copy really compiles. With --cold the
# grader's shared target directory is emptied first, so the figure includes
# compiling the dependencies (once). Each copy is graded in the sandbox; then
# the same folder is graded with --unsafe-no-sandbox, to measure what the
# sandbox costs in the same run, and the two grades.csv must be identical.
# XTASK=PATH runs another build of the grader (an older commit's, say) over
# this workspace, for a before/after in the same conditions. JOBS=N grades
# N submissions at once in the sandboxed run (default: the grader's own
# default); the unsandboxed run is always one at a time.
#
# What the sandbox costs is measured like with like, in the same run: the
# class graded sandboxed one at a time (--jobs 1) against the same class
# unsandboxed (always one at a time), both built without debug info (the
# sandbox's builds never have it; the unsandboxed run is given
# CARGO_PROFILE_DEV_DEBUG=0 here).
#
# Last, the floor of any grader that compiles what students wrote: one
# copy's labs rebuilt by cargo on one core (-j1, no debug info, three
# times, the median of their CPU seconds), divided by the cores.
#
# Per submission, two figures: the grader's "grading the submissions took
# T s" divided by N (the class's time per student, however many ran at
# once: the figure that counts), and the mean of each submission's own
# time after the first (its latency: with one job at a time, the same).
set -euo pipefail
cd "$(dirname "$0")/.."
n=30
cold=no
for arg in "$@"; do
    case "$arg" in
        --cold) cold=yes ;;
        *) n=$arg ;;
    esac
done
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT; echo "work: $work"
for i in $(seq -w 1 "$n"); do
    for lab in labs/[0-9]*/; do
        mkdir -p "$work/class/student$i/$lab"
        cp -R "$lab/src" "$work/class/student$i/$lab"
    done
    find "$work/class/student$i" -name '*.rs' -exec sh -c 'printf "// handed in by student %s\n" "$1" >> "$2"' _ "$i" {} \;
done
cargo build -q -p xtask
target=${CARGO_TARGET_DIR:-target}
xtask=${XTASK:-$target/debug/xtask}
if [ "$cold" = yes ]; then
    rm -rf "$target/socket-labs/grade-target" "$target/socket-labs/grade"
fi
# The mean per submission after the first (the first warms the caches),
# from the grader's own "[i/N] id: P/M in T s" lines.
after_first() {
    awk '/: [0-9]+\/[0-9]+ in [0-9.]+ s$/ { c++; if (c > 1) { t = $(NF-1); sum += t; n++ } }
         END { if (n) printf "%.2f", sum / n; else printf "nan" }' "$1"
}
# The class's time per submission, from the grader's progress line
# "grading the submissions took T s, J at a time: S s per submission".
per_submission() {
    sed -n 's/^grading the submissions took .* at a time: \([0-9.]*\) s per submission$/\1/p' "$1"
}
# CPU seconds of everything a command runs, sandboxes included: a
# cpuacct cgroup of its own (cgroup v1, as root). Not the shell's
# `times`: a process reaped inside a sandbox's PID namespace never reaches
# the grader's own accounting (measured: a bwrap'd python's 0.8 s counted
# 0). Unlike wall time it hardly moves with the machine's load. Where no
# such cgroup can be made, the figure is n/a.
cpuacct=/sys/fs/cgroup/cpuacct
cpu_of() { # FILE COMMAND...: runs COMMAND, writes its CPU seconds (or n/a) to FILE
    local file=$1; shift
    local group=$cpuacct/bench-grade-$$-$RANDOM
    if mkdir "$group" 2>/dev/null; then
        (echo "$BASHPID" > "$group/tasks" && "$@")
        # A sandbox's last processes may still be going away: wait (at
        # most 10 s) until the group is empty, so their CPU is counted.
        for _ in $(seq 100); do [ -s "$group/tasks" ] || break; sleep 0.1; done
        awk '{ printf "%.2f", $1 / 1e9 }' "$group/cpuacct.usage" > "$file"
        rmdir "$group"
    else
        "$@"
        echo n/a > "$file"
    fi
}
run() { # NAME ARGS...: grades the class, prints wall and CPU time and the figures per submission
    local name=$1; shift
    local start end cpu
    start=$(date +%s.%N)
    cpu_of "$work/$name.cpu-all" "$xtask" grade "$work/class" --out "$work/$name" --seed 1 "$@" > "$work/$name.out" 2> "$work/$name.log"
    awk -v c="$(cat "$work/$name.cpu-all")" -v n="$n" 'BEGIN { if (c == "n/a") printf "n/a"; else printf "%.2f", c / n }' > "$work/$name.cpu"
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v n="$n" -v m="$(after_first "$work/$name.log")" \
        -v p="$(per_submission "$work/$name.log")" -v l="$(cut -d' ' -f1-3 /proc/loadavg)" \
        -v c="$(cat "$work/$name.cpu")" \
        'BEGIN { printf "wall: %.1f s for %d submissions; per submission: %s s (the class'"'"'s time / N), %s s (each one'"'"'s own, mean after the first), %s CPU-s (everything the grader ran / N); load after: %s\n", e - s, n, (p == "" ? "n/a" : p), m, c, l }'
}
echo "== grading $n copies of a correct submission, sandboxed ($(nproc) cores, cold: $cold)"
run sandboxed ${JOBS:+--jobs "$JOBS"}
echo "== the same folder, sandboxed, one at a time (for the sandbox's cost)"
run sandboxed-1 --jobs 1
echo "== the same folder, --unsafe-no-sandbox (one at a time, no debug info)"
CARGO_PROFILE_DEV_DEBUG=0 run unsandboxed --unsafe-no-sandbox
awk -v a="$(after_first "$work/sandboxed-1.log")" -v b="$(after_first "$work/unsandboxed.log")" \
    'BEGIN { if (b > 0) printf "the sandbox'"'"'s cost, one at a time, each submission'"'"'s own time: sandboxed %.2f s, unsandboxed %.2f s (%.2fx)\n", a, b, a / b }'
awk -v a="$(cat "$work/sandboxed-1.cpu")" -v b="$(cat "$work/unsandboxed.cpu")" \
    'BEGIN { if (b != "n/a" && b > 0) printf "the sandbox'"'"'s cost in CPU per submission: sandboxed %.2f s, unsandboxed %.2f s (%.2fx)\n", a, b, a / b }'
awk -v a="$(per_submission "$work/sandboxed.log")" -v a1="$(per_submission "$work/sandboxed-1.log")" -v b="$(per_submission "$work/unsandboxed.log")" \
    'BEGIN { if (a != "" && b > 0) printf "the class'"'"'s time per submission: sandboxed %.2f s (default jobs), sandboxed one at a time %.2f s, unsandboxed %.2f s\n", a, a1, b }'
echo "== the compile floor: one copy's labs rebuilt on one core (cargo -j1, no debug info)"
floor=$work/floor
mkdir -p "$floor"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$floor"
packages=()
for lab in labs/[0-9]*/; do
    packages+=(--package "$(awk -F'"' '/^name = / { print $2; exit }' "$lab/Cargo.toml")")
done
floor_build() { # builds the copy's labs' programs into its own target, one rustc at a time
    (cd "$floor" && CARGO_TARGET_DIR="$floor/target" CARGO_PROFILE_DEV_DEBUG=0 CARGO_INCREMENTAL=0 \
        cargo build -q -j1 --frozen --offline --bins "${packages[@]}")
}
floor_build # the dependencies, once (not measured)
cpu=()
for round in 1 2 3; do
    find "$floor/labs" -path '*/src/*.rs' -exec sh -c 'printf "// round %s\n" "$1" >> "$2"' _ "$round" {} \;
    cpu_of "$work/floor.cpu" floor_build
    cpu+=("$(cat "$work/floor.cpu")")
done
median=$(printf '%s\n' "${cpu[@]}" | sort -n | sed -n 2p)
awk -v m="$median" -v all="${cpu[*]}" -v c="$(nproc)" \
    'BEGIN { if (m == "n/a") { print "compiling one copy'"'"'s labs: n/a (no cpuacct cgroup could be made: run as root)"; exit }
             printf "compiling one copy'"'"'s labs: %s CPU-s (median of %s): on %d cores no grader that compiles each submission goes under %.2f s per submission before judging it\n", m, all, c, m / c }'
for other in sandboxed-1 unsandboxed; do
    if cmp -s "$work/sandboxed/grades.csv" "$work/$other/grades.csv"; then
        echo "grades.csv of $other is byte-identical to the first run's"
    else
        echo "grades.csv of $other DIFFERS from the first run's:"
        diff "$work/sandboxed/grades.csv" "$work/$other/grades.csv" || true
        exit 1
    fi
done
awk -F, 'NR > 1 && $(NF-1) != $NF { bad++ }
    END { if (bad) { print bad " submission(s) did not get full marks"; exit 1 } else print "every copy got full marks" }' "$work/sandboxed/grades.csv"

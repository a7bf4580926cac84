#!/usr/bin/env bash
# Measures `cargo xtask grade` on a class of N copies (default 30) of a
# correct submission, every lab graded, the way an instructor runs it:
#
#   scripts/bench-grade.sh [N] [--cold]
#
# Each copy is the instructor's labs' src/ (the solutions) with a comment
# added, so every lab of every copy really compiles. With --cold the
# grader's shared target directory is emptied first, so the figure includes
# compiling the dependencies (once). It then grades the same folder a second
# time and checks that grades.csv is byte-identical.
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
trap 'rm -rf "$work"' EXIT
for i in $(seq -w 1 "$n"); do
    for lab in labs/[0-9]*/; do
        mkdir -p "$work/class/student$i/$lab"
        cp -R "$lab/src" "$work/class/student$i/$lab"
    done
    find "$work/class/student$i" -name '*.rs' -exec sh -c 'printf "// handed in by student %s\n" "$1" >> "$2"' _ "$i" {} \;
done
cargo build -q -p xtask
target=${CARGO_TARGET_DIR:-target}
if [ "$cold" = yes ]; then
    rm -rf "$target/socket-labs/grade-target" "$target/socket-labs/grade"
fi
echo "== grading $n copies of a correct submission ($(nproc) cores, cold: $cold)"
start=$(date +%s.%N)
"$target/debug/xtask" grade "$work/class" --out "$work/report1" 2> "$work/log1"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$n" 'BEGIN { printf "wall: %.1f s for %d submissions, %.2f s per submission\n", e - s, n, (e - s) / n }'
awk '/: [0-9]+\/[0-9]+ in [0-9.]+ s$/ { t = $(NF-1); sum += t; c++; if (min == "" || t < min) min = t; if (t > max) max = t }
     END { if (c) printf "per submission (grader'"'"'s own figure): mean %.2f s, min %.2f s, max %.2f s\n", sum / c, min, max }' "$work/log1"

echo "== grading the same folder again (warm)"
start=$(date +%s.%N)
"$target/debug/xtask" grade "$work/class" --out "$work/report2" > /dev/null 2> "$work/log2"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$n" 'BEGIN { printf "wall: %.1f s for %d submissions, %.2f s per submission\n", e - s, n, (e - s) / n }'
if cmp -s "$work/report1/grades.csv" "$work/report2/grades.csv"; then
    echo "grades.csv is byte-identical across the two runs"
else
    echo "grades.csv DIFFERS between the two runs:"
    diff "$work/report1/grades.csv" "$work/report2/grades.csv" || true
    exit 1
fi
awk -F, 'NR > 1 && $(NF-1) != $NF { bad++ }
    END { if (bad) { print bad " submission(s) did not get full marks"; exit 1 } else print "every copy got full marks" }' "$work/report1/grades.csv"

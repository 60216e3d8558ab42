# Shared by the demo scripts (sourced, not run).

# step TEXT: a heading.
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# first N CMD...: runs CMD to the end and shows its first N lines (a pipe into
# head would kill CMD with SIGPIPE, which pipefail turns into a failure).
first() {
    local n=$1 out
    shift
    out=$("$@")
    head -n "$n" <<<"$out"
}

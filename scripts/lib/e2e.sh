# Shared by the end-to-end scripts (source it after `cd` to the repository): a `bosun up` on a
# free loopback port in a temporary data directory, kubectl bound to its kubeconfig, and the
# check helpers. Each check prints `ok` or `FAIL`; `e2e_finish` exits 1 after any failure.
# The including script sets `e2e_name` first.

bosun=${BOSUN:-$(swift build --show-bin-path)/bosun}
[[ -x $bosun ]] || { echo "$e2e_name: FAIL: $bosun is not built (run swift build)" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "$e2e_name: FAIL: kubectl is not on PATH" >&2; exit 1; }
command -v python3 >/dev/null || { echo "$e2e_name: FAIL: python3 is needed to pick a free port" >&2; exit 1; }

work=$(mktemp -d)
data=$work/data
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# kubectl's caches (discovery, and the dispatcher's server version) stay inside the run.
export HOME=$work/home KUBECACHEDIR=$work/kube-cache
mkdir -p "$HOME"
bosun_pid=""
passed=0
failed=0

e2e_cleanup() {
    [[ -n $bosun_pid ]] && kill "$bosun_pid" 2>/dev/null && wait "$bosun_pid" 2>/dev/null
    rm -rf "$work"
}
trap e2e_cleanup EXIT

# start_bosun [ARGS...]: `bosun up` with extra arguments, waited for until /readyz answers.
start_bosun() {
    "$bosun" up --data-dir "$data" --listen "127.0.0.1:$port" "$@" >>"$work/bosun.log" 2>&1 &
    bosun_pid=$!
    for _ in $(seq 1 600); do
        if [[ -f $data/kubeconfig ]] && k get --raw /readyz >/dev/null 2>&1; then return 0; fi
        kill -0 "$bosun_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "$e2e_name: FAIL: bosun up did not become ready" >&2
    cat "$work/bosun.log" >&2
    exit 1
}

k() { timeout 60 kubectl --kubeconfig "$data/kubeconfig" --cache-dir "$KUBECACHEDIR" "$@"; }

e2e_pass() { echo "ok   - $1"; passed=$((passed + 1)); }
e2e_fail() { echo "FAIL - $1"; echo "$2" | sed 's/^/       /'; failed=$((failed + 1)); }

# check DESCRIPTION EXPECTED-SUBSTRING -- COMMAND...: the command succeeds and prints the text.
check() {
    local what=$1 want=$2 out
    shift 3
    if out=$("$@" 2>&1) && [[ $out == *"$want"* ]]; then e2e_pass "$what"
    else e2e_fail "$what: wanted output containing [$want], got:" "$out"; fi
}

# eventually DESCRIPTION EXPECTED-SUBSTRING -- COMMAND...: as check, retried for up to 30 seconds
# (for what controllers do after a command returns).
eventually() {
    local what=$1 want=$2 out
    shift 3
    for _ in $(seq 1 60); do
        if out=$("$@" 2>&1) && [[ $out == *"$want"* ]]; then e2e_pass "$what"; return; fi
        sleep 0.5
    done
    e2e_fail "$what: wanted output containing [$want] within 30s, got:" "$out"
}

# check_fails DESCRIPTION EXPECTED-SUBSTRING -- COMMAND...: the command fails and says the text.
check_fails() {
    local what=$1 want=$2 out
    shift 3
    if ! out=$("$@" 2>&1) && [[ $out == *"$want"* ]]; then e2e_pass "$what"
    else e2e_fail "$what: wanted a failure saying [$want], got:" "$out"; fi
}

# e2e_finish: the summary line; bosun's log and exit 1 after any failure.
e2e_finish() {
    echo "$e2e_name: $passed checks passed, $failed checks failed"
    if ((failed > 0)); then
        echo "---- bosun up's log ----"
        tail -n 200 "$work/bosun.log"
        exit 1
    fi
}

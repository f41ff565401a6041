# Sourced by scripts that drive `bosun up` from Python: a virtual environment under .build (kept
# between runs) with the Python `kubernetes` client and kopf at the versions the API surface was
# recorded against (../shared/reference/kubectl-surface.md). Sets `python` to its interpreter.
# The sourcing script names itself in $venv_user for messages.
venv=${E2E_VENV:-.build/e2e-venv}
if ! "$venv/bin/python" -c 'import kopf, kubernetes' 2>/dev/null; then
    python3 -m venv "$venv" || { echo "${venv_user:-python-venv}: FAIL: python3 -m venv (install python3-venv)" >&2; exit 1; }
    "$venv/bin/pip" install --quiet 'kubernetes==37.0.2' 'kopf==1.45.2' ||
        { echo "${venv_user:-python-venv}: FAIL: pip install kubernetes kopf" >&2; exit 1; }
fi
python=$venv/bin/python

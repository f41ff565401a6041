"""Drives one operator through a Widget workload and times it (scripts/bench/side-by-side).

Usage: widgets.py MODE NAMESPACE COUNT -- OPERATOR-COMMAND...   (KUBECONFIG names the server)

MODE `backlog`: COUNT widgets are created first, then the operator is started; the time runs from
its start until every widget is reconciled (its start-up included, as a restarted operator
meets a cluster). MODE `stream`: the operator is started and proven to be watching (a warm-up
widget in the namespace gets reconciled), then COUNT widgets are created from 8 threads; the time
runs from the first create until every widget is reconciled. The operator's own CPU time
(user and system, start-up included) is reported too: the API server is shared, so the wall
time of a fast operator is bounded by the server's writes, while its CPU time is its own.

A widget is reconciled when its status.observedGeneration equals its generation and a ConfigMap
of its name, owned by it, holds its message. The operator is stopped with SIGINT at the end; the
figures are printed as one JSON object.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

GROUP, VERSION, PLURAL = "example.com", "v1", "widgets"

mode, namespace, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
operator = sys.argv[sys.argv.index("--") + 1:]
config.load_kube_config()
core = client.CoreV1Api()
custom = client.CustomObjectsApi()


def ensure_namespace():
    try:
        core.create_namespace({"metadata": {"name": namespace}})
    except ApiException as error:
        if error.status != 409:
            raise


def create(index, prefix="widget"):
    custom.create_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, {
        "apiVersion": f"{GROUP}/{VERSION}", "kind": "Widget",
        "metadata": {"name": f"{prefix}-{index:05d}"},
        "spec": {"message": f"hello from {prefix} {index}"},
    })


def create_if_served(index, prefix):
    try:
        create(index, prefix)
        return True
    except ApiException as error:
        if error.status != 404:
            raise
        return False


def create_all():
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(create, range(count)))


def is_reconciled(widget):
    return (widget.get("status") or {}).get("observedGeneration") == widget["metadata"].get("generation")


class Reconciled:
    """Names of the widgets whose status records their generation, followed through a watch (a
    poll would load the server and this process as much as the operator under test)."""

    def __init__(self):
        self.names = set()
        self.changed = threading.Condition()
        listed = custom.list_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL)
        self.names = {w["metadata"]["name"] for w in listed["items"] if is_reconciled(w)}
        self.stream = watch.Watch()
        threading.Thread(target=self.follow, args=(listed["metadata"]["resourceVersion"],), daemon=True).start()

    def follow(self, resource_version):
        for event in self.stream.stream(custom.list_namespaced_custom_object, GROUP, VERSION, namespace, PLURAL,
                                        resource_version=resource_version):
            widget = event["object"]
            with self.changed:
                if event["type"] != "DELETED" and is_reconciled(widget):
                    self.names.add(widget["metadata"]["name"])
                self.changed.notify_all()

    def wait_for(self, predicate, timeout):
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self.names), timeout)


def cpu_seconds(pid):
    """User and system CPU time of a running process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def retry_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def owned_configmaps_matching():
    """Widgets' ConfigMaps that are owned by a Widget and hold their widget's message."""
    found = 0
    for cm in core.list_namespaced_config_map(namespace).items:
        owners = cm.metadata.owner_references or []
        if any(o.kind == "Widget" and o.name == cm.metadata.name for o in owners) and (cm.data or {}).get("message", "").startswith("hello from"):
            found += 1
    return found


ensure_namespace()
if mode == "backlog":
    create_all()
    reconciled = Reconciled()
# The operator's log goes to a file: a pipe nobody reads would fill and stop it.
log = tempfile.TemporaryFile(mode="w+")
started = time.perf_counter()
process = subprocess.Popen(operator, stdout=log, stderr=log, text=True)
try:
    if mode == "stream":
        # The operator may be the one that creates the CustomResourceDefinition (Bosun's plugin
        # does on start): until it is served, creates are 404.
        if not retry_until(lambda: create_if_served(0, prefix="warmup"), 60):
            sys.exit("widgets: widgets were never served")
        reconciled = Reconciled()
        if not reconciled.wait_for(lambda names: "warmup-00000" in names, 120):
            sys.exit(f"widgets: the operator never reconciled the warm-up widget: {operator}")
        started = time.perf_counter()
        create_all()
    expected = count + (1 if mode == "stream" else 0)
    if not reconciled.wait_for(lambda names: len(names) >= expected, 900):
        sys.exit(f"widgets: only {len(reconciled.names)} of {expected} widgets reconciled within 900 s")
    elapsed = time.perf_counter() - started
    operator_cpu = cpu_seconds(process.pid)
finally:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.seek(0)
    errors = log.read()
configmaps = owned_configmaps_matching()
if configmaps < expected:
    sys.exit(f"widgets: {configmaps} owned ConfigMaps for {expected} widgets; operator's errors:\n{errors[-2000:]}")
print(json.dumps({"mode": mode, "namespace": namespace, "widgets": count, "seconds": round(elapsed, 3),
                  "widgetsPerSecond": round(count / elapsed, 1), "operatorCPUSeconds": round(operator_cpu, 3)}))

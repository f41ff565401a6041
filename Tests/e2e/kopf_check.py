"""End-to-end check of kopf against a running `bosun up` (KUBECONFIG set by scripts/e2e-python).

Creates the KopfGreeting CRD, runs Tests/e2e/kopf_operator.py with `kopf run --standalone`,
creates, updates and deletes a KopfGreeting and checks what the operator did, then stops kopf with
SIGINT and expects a clean exit. Every check prints `ok` or `FAIL`; exit status 1 if any failed.
Argument: a directory for kopf's log.
"""

import os
import signal
import subprocess
import sys
import time

from kubernetes import client, config
from kubernetes.client.rest import ApiException

NS = "default"
GROUP, VERSION, PLURAL = "e2e.bosun.dev", "v1", "kopfgreetings"
results = {"passed": 0, "failed": 0}


def check(what, condition, detail=""):
    if condition:
        print(f"ok   - {what}")
        results["passed"] += 1
    else:
        print(f"FAIL - {what}{': ' + str(detail) if detail else ''}")
        results["failed"] += 1
    return condition


def eventually(what, predicate, timeout=60.0):
    """Checks that the predicate becomes true (kopf reacts to watch events, so this polls)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except ApiException as error:
            last = f"{error.status} {error.reason}"
        if last is True:
            return check(what, True)
        time.sleep(0.2)
    return check(what, False, f"not true within {timeout}s (last: {last})")


config.load_kube_config()
core = client.CoreV1Api()
ext = client.ApiextensionsV1Api()
custom = client.CustomObjectsApi()
log_dir = sys.argv[1] if len(sys.argv) > 1 else "."

ext.create_custom_resource_definition({
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"{PLURAL}.{GROUP}"},
    "spec": {
        "group": GROUP, "scope": "Namespaced",
        "names": {"plural": PLURAL, "singular": "kopfgreeting", "kind": "KopfGreeting"},
        "versions": [{
            "name": VERSION, "served": True, "storage": True,
            "subresources": {"status": {}},
            "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                "spec": {"type": "object", "properties": {"greeting": {"type": "string"}}},
                "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            }}},
        }],
    },
})

operator_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kopf_operator.py")
log_path = os.path.join(log_dir, "kopf.log")
log = open(log_path, "w")
kopf = subprocess.Popen(
    [sys.executable, "-m", "kopf", "run", "--standalone", "--namespace", NS, "--verbose", operator_path],
    stdout=log, stderr=subprocess.STDOUT)


def greeting():
    return custom.get_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "hello")


def configmap_says(name, key, value):
    return lambda: core.read_namespaced_config_map(name, NS).data.get(key) == value


try:
    custom.create_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, {
        "apiVersion": f"{GROUP}/{VERSION}", "kind": "KopfGreeting",
        "metadata": {"name": "hello"}, "spec": {"greeting": "hello"}})
    eventually("the create handler made the ConfigMap", configmap_says("hello-greeting", "greeting", "hello"))
    eventually("the ConfigMap is owned by the custom resource", lambda: core.read_namespaced_config_map(
        "hello-greeting", NS).metadata.owner_references[0].uid == greeting()["metadata"]["uid"])
    eventually("kopf added its finalizer", lambda: "kopf.zalando.org/KopfFinalizerMarker" in
               greeting()["metadata"].get("finalizers", []))
    eventually("kopf wrote the handler's result into the status (a merge patch of /status)",
               lambda: greeting().get("status", {}).get("created") == {"configmap": "hello-greeting"})
    eventually("kopf recorded the handled state in an annotation", lambda: "kopf.zalando.org/last-handled-configuration"
               in greeting()["metadata"].get("annotations", {}))
    eventually("kopf posted an event about the object", lambda: any(
        e.reason == "Greeted" for e in core.list_namespaced_event(
            NS, field_selector="involvedObject.name=hello,involvedObject.kind=KopfGreeting").items))

    custom.patch_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "hello", {"spec": {"greeting": "bonjour"}})
    eventually("the update handler changed the ConfigMap", configmap_says("hello-greeting", "greeting", "bonjour"))
    eventually("the update handler's result is in the status",
               lambda: greeting().get("status", {}).get("updated/spec.greeting") == {"greeting": "bonjour"})

    custom.delete_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "hello")
    eventually("the delete handler ran before the object went", configmap_says("hello-farewell", "said", "goodbye"))

    def gone():
        try:
            greeting()
            return "still there"
        except ApiException as error:
            return error.status == 404
    eventually("kopf removed its finalizer and the object is gone", gone)
    eventually("the garbage collector deleted the owned ConfigMap", lambda: not core.list_namespaced_config_map(
        NS, field_selector="metadata.name=hello-greeting").items)
finally:
    kopf.send_signal(signal.SIGINT)
    try:
        code = kopf.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kopf.kill()
        code = "did not exit within 30 s"
    log.close()

check("kopf exits cleanly on SIGINT", code == 0, f"exit status {code}")
with open(log_path) as f:
    text = f.read()
check("kopf logged no tracebacks", "Traceback" not in text)
if results["failed"]:
    print("---- kopf's log ----")
    print(text[-20000:])
print(f"kopf: {results['passed']} checks passed, {results['failed']} checks failed")
sys.exit(1 if results["failed"] else 0)

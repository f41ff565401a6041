"""End-to-end checks of the Python `kubernetes` client against a running `bosun up`.

Run by scripts/e2e-python with KUBECONFIG pointing at the kubeconfig `bosun up` wrote (TLS with
its CA, bearer token). Every check prints `ok` or `FAIL`; the exit status is 1 if any failed.
"""

import sys
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
from kubernetes.dynamic import DynamicClient

NS = "default"
results = {"passed": 0, "failed": 0}


def check(what, condition, detail=""):
    if condition:
        print(f"ok   - {what}")
        results["passed"] += 1
    else:
        print(f"FAIL - {what}{': ' + str(detail) if detail else ''}")
        results["failed"] += 1


def run(what, fn):
    """Runs one group of checks; an unexpected exception fails the group instead of the script."""
    try:
        fn()
    except Exception as error:  # noqa: BLE001 — report and go on to the next group
        check(what, False, f"{type(error).__name__}: {error} {getattr(error, 'body', '')}")


def wait_for(what, predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except ApiException:
            value = None
        if value:
            return value
        time.sleep(0.1)
    check(what, False, f"not true within {timeout}s")
    return None


config.load_kube_config()
api = client.ApiClient()
core = client.CoreV1Api(api)
apps = client.AppsV1Api(api)
ext = client.ApiextensionsV1Api(api)
custom = client.CustomObjectsApi(api)


def configmap_crud():
    body = client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="py-cm", labels={"suite": "python", "tier": "a"}),
        data={"greeting": "hello"},
    )
    created = core.create_namespaced_config_map(NS, body)
    check("create a ConfigMap", created.metadata.uid and created.data == {"greeting": "hello"})
    try:
        core.create_namespaced_config_map(NS, body)
        check("creating it again is AlreadyExists", False, "no error")
    except ApiException as error:
        check("creating it again is AlreadyExists", error.status == 409 and "AlreadyExists" in error.body)
    read = core.read_namespaced_config_map("py-cm", NS)
    check("read it back", read.data["greeting"] == "hello")
    read.data["greeting"] = "bonjour"
    replaced = core.replace_namespaced_config_map("py-cm", NS, read)
    check("replace it", replaced.data["greeting"] == "bonjour")
    stale = read  # carries the resourceVersion before the replace
    try:
        core.replace_namespaced_config_map("py-cm", NS, stale)
        check("a replace from a stale resourceVersion is a Conflict", False, "no error")
    except ApiException as error:
        check("a replace from a stale resourceVersion is a Conflict", error.status == 409 and "Conflict" in error.body)
    patched = core.patch_namespaced_config_map("py-cm", NS, {"data": {"patched": "yes"}})
    check("patch it (strategic merge, the client's default for a dict)",
          patched.data == {"greeting": "bonjour", "patched": "yes"}, patched.data)
    jsonpatched = core.patch_namespaced_config_map(
        "py-cm", NS, [{"op": "remove", "path": "/data/patched"}])
    check("patch it with a JSON patch (a list body)", jsonpatched.data == {"greeting": "bonjour"}, jsonpatched.data)
    core.create_namespaced_config_map(NS, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="py-cm-b", labels={"suite": "python", "tier": "b"})))
    core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-other")))
    names = sorted(item.metadata.name for item in
                   core.list_namespaced_config_map(NS, label_selector="suite=python").items)
    check("list with a label selector", names == ["py-cm", "py-cm-b"], names)
    names = [item.metadata.name for item in
             core.list_namespaced_config_map(NS, label_selector="suite=python,tier!=a").items]
    check("list with a set of requirements", names == ["py-cm-b"], names)
    names = [item.metadata.name for item in
             core.list_namespaced_config_map(NS, field_selector="metadata.name=py-other").items]
    check("list with a field selector", names == ["py-other"], names)
    status = core.delete_namespaced_config_map("py-cm", NS, propagation_policy="Background")
    # This client version types the answer of a delete as a plain dict.
    check("delete it (options in the query)", status["status"] == "Success", status)
    try:
        core.read_namespaced_config_map("py-cm", NS)
        check("it is gone: NotFound", False, "still there")
    except ApiException as error:
        check("it is gone: NotFound", error.status == 404)
    core.delete_collection_namespaced_config_map(NS, label_selector="suite=python")
    names = [item.metadata.name for item in core.list_namespaced_config_map(NS, label_selector="suite=python").items]
    check("delete a collection by label", names == [], names)


def deployment_crud():
    labels = {"app": "py-web"}
    body = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="py-web", labels=labels),
        spec=client.V1DeploymentSpec(
            replicas=2,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx:1.25")]),
            ),
        ),
    )
    created = apps.create_namespaced_deployment(NS, body)
    check("create a Deployment", created.spec.replicas == 2 and created.metadata.generation == 1)
    # The Deployment controller writes the status meanwhile: read, change, replace, retried on a
    # Conflict as client-go's RetryOnConflict does.
    for attempt in range(10):
        current = apps.read_namespaced_deployment("py-web", NS)
        current.spec.template.spec.containers[0].image = "nginx:1.26"
        try:
            replaced = apps.replace_namespaced_deployment("py-web", NS, current)
            break
        except ApiException as error:
            if error.status != 409 or attempt == 9:
                raise
    check("replace it: a new generation", replaced.metadata.generation == 2, replaced.metadata.generation)
    scaled = apps.patch_namespaced_deployment_scale("py-web", NS, {"spec": {"replicas": 3}})
    check("patch its scale subresource", scaled.spec.replicas == 3, scaled)
    read = apps.read_namespaced_deployment_scale("py-web", NS)
    check("read its scale", read.spec.replicas == 3 and read.kind == "Scale")
    listed = apps.list_namespaced_deployment(NS, label_selector="app=py-web")
    check("list Deployments by label", [d.metadata.name for d in listed.items] == ["py-web"])
    rs = wait_for("the Deployment controller makes a ReplicaSet", lambda: apps.list_namespaced_replica_set(
        NS, label_selector="app=py-web").items)
    if rs:
        check("the ReplicaSet is owned by the Deployment",
              rs[0].metadata.owner_references[0].uid == created.metadata.uid)
    status = apps.read_namespaced_deployment_status("py-web", NS)
    check("read its status subresource", status.metadata.name == "py-web")
    apps.delete_namespaced_deployment("py-web", NS, propagation_policy="Foreground")
    wait_for("a foreground delete removes the Deployment", lambda: not apps.list_namespaced_deployment(
        NS, field_selector="metadata.name=py-web").items)
    check("its ReplicaSets went first", not apps.list_namespaced_replica_set(NS, label_selector="app=py-web").items)


def watch_with_resume():
    listed = core.list_namespaced_config_map(NS, label_selector="suite=watch")
    start = listed.metadata.resource_version
    for i in range(3):
        core.create_namespaced_config_map(NS, client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name=f"w{i}", labels={"suite": "watch"})))
    seen = []
    last = None
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_config_map, NS, label_selector="suite=watch",
                          resource_version=start, timeout_seconds=10):
        seen.append((event["type"], event["object"].metadata.name))
        last = event["object"].metadata.resource_version
        if len(seen) == 2:
            w.stop()
    check("watch from the list's resourceVersion sees the first changes",
          seen == [("ADDED", "w0"), ("ADDED", "w1")], seen)
    core.patch_namespaced_config_map("w0", NS, {"data": {"k": "v"}})
    core.delete_namespaced_config_map("w1", NS)
    rest = []
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_config_map, NS, label_selector="suite=watch",
                          resource_version=last, timeout_seconds=10, allow_watch_bookmarks=True):
        if event["type"] == "BOOKMARK":
            continue
        rest.append((event["type"], event["object"].metadata.name))
        if len(rest) == 3:
            w.stop()
    check("a watch resumed from the last version: no gap, no duplicate",
          rest == [("ADDED", "w2"), ("MODIFIED", "w0"), ("DELETED", "w1")], rest)
    try:
        list(watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version="1",
                                  timeout_seconds=5))
        expired = False
    except ApiException as error:
        expired = error.status == 410
    # A version older than the store's history is 410 Expired; a young store may still hold it all.
    print(f"note - a watch from resourceVersion 1 {'was 410 Expired' if expired else 'replayed the history'}")
    core.delete_collection_namespaced_config_map(NS, label_selector="suite=watch")


def pod_logs():
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(name="py-hello"),
        spec=client.V1PodSpec(
            node_name="local", restart_policy="Never",
            containers=[client.V1Container(name="hello", image="busybox", command=["sh", "-c", "echo hello"])],
        ),
    )
    core.create_namespaced_pod(NS, pod)
    phase = wait_for("the pod on the local node succeeds", lambda: core.read_namespaced_pod(
        "py-hello", NS).status.phase == "Succeeded")
    if phase:
        check("the pod on the local node succeeds", True)
    try:
        text = core.read_namespaced_pod_log("py-hello", NS)
        check("read the pod's log", text.strip() == "hello", repr(text))
    except ApiException as error:
        check("read the pod's log", False, f"{error.status} {error.body}")
    core.delete_namespaced_pod("py-hello", NS, grace_period_seconds=0)


CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "pywidgets.e2e.bosun.dev"},
    "spec": {
        "group": "e2e.bosun.dev",
        "scope": "Namespaced",
        "names": {"plural": "pywidgets", "singular": "pywidget", "kind": "PyWidget", "shortNames": ["pyw"]},
        "versions": [{
            "name": "v1", "served": True, "storage": True,
            "subresources": {"status": {}},
            "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            }}},
        }],
    },
}


def custom_objects():
    ext.create_custom_resource_definition(CRD)
    established = wait_for("the CRD becomes Established", lambda: any(
        c.type == "Established" and c.status == "True"
        for c in (ext.read_custom_resource_definition("pywidgets.e2e.bosun.dev").status.conditions or [])))
    check("the CRD becomes Established", bool(established))
    args = ("e2e.bosun.dev", "v1", NS, "pywidgets")
    created = custom.create_namespaced_custom_object(*args, {
        "apiVersion": "e2e.bosun.dev/v1", "kind": "PyWidget",
        "metadata": {"name": "w1", "labels": {"color": "blue"}}, "spec": {"size": 1}})
    check("create a custom object", created["spec"] == {"size": 1} and created["metadata"]["uid"])
    got = custom.get_namespaced_custom_object(*args, "w1")
    check("get it", got["metadata"]["name"] == "w1")
    patched = custom.patch_namespaced_custom_object(*args, "w1", {"spec": {"size": 2, "extra": "x"}})
    check("patch it (merge patch)", patched["spec"] == {"size": 2, "extra": "x"}, patched["spec"])
    status = custom.patch_namespaced_custom_object_status(*args, "w1", {"status": {"ready": True}})
    check("patch its status subresource", status["status"] == {"ready": True}, status.get("status"))
    got["spec"] = {"size": 3}
    got["metadata"]["resourceVersion"] = status["metadata"]["resourceVersion"]
    replaced = custom.replace_namespaced_custom_object(*args, "w1", got)
    check("replace it; the status stays", replaced["spec"] == {"size": 3} and replaced["status"] == {"ready": True},
          replaced)
    listed = custom.list_namespaced_custom_object(*args, label_selector="color=blue")
    check("list custom objects by label", [i["metadata"]["name"] for i in listed["items"]] == ["w1"])
    cluster = custom.list_cluster_custom_object("e2e.bosun.dev", "v1", "pywidgets")
    check("list them across namespaces", [i["metadata"]["name"] for i in cluster["items"]] == ["w1"])
    custom.delete_namespaced_custom_object(*args, "w1")
    try:
        custom.get_namespaced_custom_object(*args, "w1")
        check("the deleted custom object is gone", False, "still there")
    except ApiException as error:
        check("the deleted custom object is gone", error.status == 404)


def dynamic_client():
    dyn = DynamicClient(api)
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    check("discovery finds Deployments", deployments.name == "deployments" and deployments.namespaced)
    widgets = dyn.resources.get(api_version="e2e.bosun.dev/v1", kind="PyWidget")
    check("discovery finds the CRD's kind", widgets.name == "pywidgets")
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    cms.create(namespace=NS, body={"apiVersion": "v1", "kind": "ConfigMap",
                                   "metadata": {"name": "dyn", "labels": {"suite": "dyn"}}, "data": {"a": "1"}})
    got = cms.get(name="dyn", namespace=NS)
    check("dynamic get", got.data.a == "1")
    listed = cms.get(namespace=NS, label_selector="suite=dyn")
    check("dynamic list", [i.metadata.name for i in listed.items] == ["dyn"])
    patched = cms.patch(name="dyn", namespace=NS, body={"data": {"b": "2"}},
                        content_type="application/merge-patch+json")
    check("dynamic patch (merge)", dict(patched.data) == {"a": "1", "b": "2"}, patched.data)
    patched = cms.patch(name="dyn", namespace=NS, body={"data": {"c": "3"}})
    check("dynamic patch (its default, strategic merge)", patched.data.c == "3", patched.data)
    created = widgets.create(namespace=NS, body={"apiVersion": "e2e.bosun.dev/v1", "kind": "PyWidget",
                                                 "metadata": {"name": "dw"}, "spec": {"n": 1}})
    patched = widgets.patch(name="dw", namespace=NS, body={"spec": {"n": 2}},
                            content_type="application/merge-patch+json")
    check("dynamic patch of a custom object", patched.spec.n == 2 and created.metadata.uid == patched.metadata.uid)
    cms.delete(name="dyn", namespace=NS)
    widgets.delete(name="dw", namespace=NS)
    ext.delete_custom_resource_definition("pywidgets.e2e.bosun.dev")
    def crd_gone():
        try:
            custom.list_cluster_custom_object("e2e.bosun.dev", "v1", "pywidgets")
            return False
        except ApiException as error:
            return error.status == 404
    check("deleting the CRD stops serving its kind", wait_for("the CRD's kind goes away", crd_gone))

run("ConfigMap CRUD", configmap_crud)
run("Deployment CRUD", deployment_crud)
run("watch with resume", watch_with_resume)
run("pod logs", pod_logs)
run("custom objects", custom_objects)
run("dynamic client", dynamic_client)

print(f"python client: {results['passed']} checks passed, {results['failed']} checks failed")
sys.exit(1 if results["failed"] else 0)

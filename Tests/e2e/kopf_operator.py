"""A small kopf operator for the e2e check (Tests/e2e/kopf_check.py runs it with
`kopf run --standalone`). For each KopfGreeting it keeps a ConfigMap `<name>-greeting` holding
the greeting, reports in the status (through kopf's handler results) and posts events; kopf's
finalizer makes the delete handler run before the object goes.
"""

import kopf
import kubernetes

GROUP, VERSION, PLURAL = "e2e.bosun.dev", "v1", "kopfgreetings"


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_):
    # Short server-side watch timeouts exercise kopf's reconnect from the last resourceVersion.
    settings.watching.server_timeout = 10
    settings.posting.level = 20  # INFO: kopf.info() events are posted
    kubernetes.config.load_kube_config()


def configmap_body(name, greeting):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": f"{name}-greeting"}, "data": {"greeting": greeting}}


@kopf.on.create(GROUP, VERSION, PLURAL)
def created(spec, name, namespace, body, **_):
    core = kubernetes.client.CoreV1Api()
    data = configmap_body(name, spec["greeting"])
    kopf.adopt(data, owner=body)
    core.create_namespaced_config_map(namespace, data)
    kopf.info(body, reason="Greeted", message=f"made {name}-greeting")
    return {"configmap": f"{name}-greeting"}


@kopf.on.update(GROUP, VERSION, PLURAL, field="spec.greeting")
def updated(new, name, namespace, **_):
    core = kubernetes.client.CoreV1Api()
    core.patch_namespaced_config_map(f"{name}-greeting", namespace, {"data": {"greeting": new}})
    return {"greeting": new}


@kopf.on.delete(GROUP, VERSION, PLURAL)
def deleted(name, namespace, **_):
    core = kubernetes.client.CoreV1Api()
    core.create_namespaced_config_map(namespace, {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{name}-farewell"},
        "data": {"said": "goodbye"}})

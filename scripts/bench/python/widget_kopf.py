"""The Widget operator written for kopf: the same behaviour as the Bosun plugin template's
WidgetController (Samples/PluginTemplate/Sources/WidgetPlugin/WidgetController.swift), so the two
can be timed against the same `bosun up` (scripts/bench/side-by-side).

For each Widget (example.com/v1), a ConfigMap of the same name, owned by the widget, holds
`spec.message`; the widget's `status.observedGeneration` records the generation acted on.
Run: kopf run --standalone --namespace NS widget_kopf.py
"""

import kopf
from kubernetes import client, config
from kubernetes.client.rest import ApiException

config.load_kube_config()
core = client.CoreV1Api()


@kopf.on.resume("example.com", "v1", "widgets")
@kopf.on.create("example.com", "v1", "widgets")
@kopf.on.update("example.com", "v1", "widgets", field="spec")
def reconcile(spec, name, namespace, body, meta, patch, **_):
    data = {"message": spec.get("message", "")}
    configmap = {"metadata": {"name": name, "namespace": namespace}, "data": data}
    kopf.adopt(configmap, owner=body)
    try:
        core.create_namespaced_config_map(namespace, configmap)
    except ApiException as error:
        if error.status != 409:
            raise
        current = core.read_namespaced_config_map(name, namespace)
        if current.data != data:
            core.patch_namespaced_config_map(name, namespace, {"data": data})
    patch.status["observedGeneration"] = meta.get("generation")

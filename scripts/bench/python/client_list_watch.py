"""The Python `kubernetes` client's side of the list/watch comparison; its twin is
`bosun bench client-list-watch`, which does the same with BosunKit's remote client.

Lists every pod of a namespace (decoded into V1Pod objects, as the client does by default), then
watches from "now" (no resourceVersion), whose first events replay those pods as ADDED, until all
have arrived. Each is repeated; the best and the median run are printed in seconds as one JSON
object. Usage: client_list_watch.py NAMESPACE [ITERATIONS]   (KUBECONFIG names the server)
"""

import json
import statistics
import sys
import time

from kubernetes import client, config, watch

namespace = sys.argv[1]
iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 5
config.load_kube_config()
core = client.CoreV1Api()

pods = 0
list_times = []
for _ in range(iterations):
    started = time.perf_counter()
    pods = len(core.list_namespaced_pod(namespace).items)
    list_times.append(time.perf_counter() - started)

watch_times = []
for _ in range(iterations):
    started = time.perf_counter()
    added = 0
    stream = watch.Watch()
    for event in stream.stream(core.list_namespaced_pod, namespace):
        if event["type"] == "ADDED":
            added += 1
            if added == pods:
                stream.stop()
                break
    if added != pods:
        sys.exit(f"client_list_watch: the watch ended after {added} of {pods} pods")
    watch_times.append(time.perf_counter() - started)

print(json.dumps({
    "benchmark": "client-list-watch", "client": "python-kubernetes", "pods": pods,
    "listBestSeconds": round(min(list_times), 3), "listMedianSeconds": round(statistics.median_low(list_times), 3),
    "watchBestSeconds": round(min(watch_times), 3), "watchMedianSeconds": round(statistics.median_low(watch_times), 3),
}))

"""How cost grows with size: plots a suite run's growth series (scripts/bench/suite) as one PNG.

Left: a Deployment on 1,000 simulated nodes — seconds to scale up from zero and to roll out a new
image, against its replicas. Right: the scheduler's pods per second from a backlog (every pod created
first; scheduler start to the last bind through the store), against the pods, one line per node count, with kube-scheduler's CI floor
(scheduler_perf SchedulingBasic, 5,000 nodes: 680 pods/s) for reference.
Usage: plot.py RESULTS.jsonl OUT.png
"""

import json
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

results, out = sys.argv[1], sys.argv[2]
runs = [json.loads(line) for line in open(results) if line.startswith("{")]
deployments = sorted((r for r in runs if r.get("benchmark") == "deployment"), key=lambda r: r["replicas"])
scheduling = defaultdict(list)
for r in runs:
    if r.get("benchmark") == "scheduler":
        scheduling[r["nodes"]].append((r["pods"], r["backlogPodsPerSecond"]))

figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
if deployments:
    replicas = [r["replicas"] for r in deployments]
    left.plot(replicas, [r["scaleUpSeconds"] for r in deployments], "o-", label="scale-up 0 → N")
    left.plot(replicas, [r["rolloutSeconds"] for r in deployments], "s-", label="rolling update")
    left.plot([10_000], [5], "k*", markersize=11, label="target: 10,000 in ≤ 5 s")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("replicas (1,000 simulated nodes)")
    left.set_ylabel("seconds until all available")
    left.set_title("Deployment")
    left.grid(True, which="both", alpha=0.3)
    left.legend()
for nodes, points in sorted(scheduling.items()):
    points.sort()
    right.plot([p for p, _ in points], [s for _, s in points], "o-", label=f"{nodes:,} nodes")
right.axhline(680, color="grey", linestyle="--", label="kube-scheduler CI floor (680/s)")
right.axhline(10_000, color="black", linestyle=":", label="target (10,000/s)")
right.set_xscale("log")
right.set_yscale("log")
right.set_xlabel("pods scheduled and bound (all created first)")
right.set_ylabel("pods per second")
right.set_title("Scheduler, default plugins")
right.grid(True, which="both", alpha=0.3)
right.legend(fontsize="small")
machine = runs[0].get("machine", "") if runs else ""
date = runs[0].get("date", "")[:10] if runs else ""
figure.suptitle(f"bosun bench, release build — {machine}, {date}")
figure.tight_layout()
figure.savefig(out, dpi=110)
print(f"plot.py: wrote {out}")

// Bosun's dashboard: lists and then watches the ordinary Kubernetes API with the bearer token, and
// renders aggregates (nodes by condition, pods by phase per node and namespace, workloads by
// ready/desired) so that it stays readable and cheap at a thousand nodes.
//
// The token arrives in the URL's fragment (`#token=...`), which browsers never send to a server;
// it is kept in sessionStorage for this tab only and removed from the address bar at once.
// Everything the page shows comes from API responses and is put into the DOM as text, never as
// markup.
"use strict";

const TOKEN_KEY = "bosun-dashboard-token";
// Tables list every row up to these sizes; beyond them the page shows aggregates only.
const NODE_ROWS = 60;
const WORKLOAD_ROWS = 80;
const EVENT_ROWS = 15;
const EVENTS_KEPT = 500;

// The collections the page keeps, each listed then watched. `keep` reduces an object to the few
// fields the views need, so a thousand nodes and their pods stay small in memory.
const collections = {
  nodes: { path: "/api/v1/nodes", keep: keepNode },
  pods: { path: "/api/v1/pods", keep: keepPod },
  deployments: { path: "/apis/apps/v1/deployments", keep: keepWorkload("Deployment") },
  statefulsets: { path: "/apis/apps/v1/statefulsets", keep: keepWorkload("StatefulSet") },
  daemonsets: { path: "/apis/apps/v1/daemonsets", keep: keepWorkload("DaemonSet") },
  jobs: { path: "/apis/batch/v1/jobs", keep: keepWorkload("Job") },
  cronjobs: { path: "/apis/batch/v1/cronjobs", keep: keepWorkload("CronJob") },
  events: { path: "/api/v1/events", keep: keepEvent },
  // Served only with the gang-scheduling plugin loaded; looked up in discovery first.
  podgroups: { path: "/apis/scheduling.x-k8s.io/v1alpha1/podgroups", keep: keepPodGroup, optional: true },
};

// Browsers open at most six HTTP/1.1 connections to one server, and an open watch holds one. The
// busiest kinds keep a watch open each; the others share one connection, watched in turn for a
// second each from their last resourceVersion (so only changes travel), which leaves a connection
// free for lists.
const OWN_WATCH = ["nodes", "pods", "deployments", "jobs", "events"];
const TURN_SECONDS = 1;

let token = null;
let failedAuth = false;
let renderQueued = false;

// ---- start ----

function start() {
  token = takeToken();
  document.getElementById("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = document.getElementById("signin-token").value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    location.reload();
  });
  if (!token) { showSignIn(""); return; }
  document.getElementById("main").hidden = false;
  connect();
}

function takeToken() {
  const match = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function showSignIn(message) {
  document.getElementById("main").hidden = true;
  document.getElementById("signin").hidden = false;
  document.getElementById("signin-error").textContent = message;
  setState("failed", "signed out");
}

async function connect() {
  try {
    const version = await getJSON("/version");
    document.getElementById("server").textContent =
      `${location.host} · Kubernetes ${version.gitVersion || ""}`;
    const groups = await getJSON("/apis");
    const served = new Set((groups.groups || []).flatMap((g) => (g.versions || []).map((v) => v.groupVersion)));
    const shared = [];
    for (const [name, collection] of Object.entries(collections)) {
      collection.items = new Map();
      collection.synced = false;
      if (collection.optional && !served.has(collection.path.split("/").slice(2, 4).join("/"))) continue;
      collection.enabled = true;
      if (OWN_WATCH.includes(name)) follow(name, collection);
      else shared.push(name);
    }
    followInTurn(shared);
    document.getElementById("podgroups-section").hidden = !collections.podgroups.enabled;
  } catch (error) {
    if (failedAuth) return;
    setState("failed", `cannot reach the API: ${error.message}`);
    setTimeout(connect, 2000);
  }
}

// ---- the API ----

async function request(path) {
  const response = await fetch(path, {
    headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
    cache: "no-store",
    credentials: "omit",
  });
  if (response.status === 401) {
    failedAuth = true;
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn("The API server refused that token (401). Open the URL bosun up printed, or paste DATA-DIR/token.");
    throw new Error("unauthorized");
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).message || message; } catch (_) { /* not a Status */ }
    const error = new Error(message);
    error.code = response.status;
    throw error;
  }
  return response;
}

async function getJSON(path) {
  return (await request(path)).json();
}

// Lists a collection in pages, then watches it from the list's resourceVersion; watches again
// from the last version seen when a watch ends, and lists again after 410 Gone or an error, as
// client-go's reflector does.
async function follow(name, collection) {
  let delay = 500;
  while (!failedAuth) {
    try {
      let version = await list(collection);
      collection.synced = true;
      queueRender();
      for (;;) {
        version = await watch(name, collection, version);
        delay = 500;
      }
    } catch (error) {
      if (failedAuth) return;
      collection.error = error.message;
      queueRender();
      await sleep(delay);
      delay = Math.min(delay * 2, 10000);
    }
  }
}

// The kinds without a watch of their own: each listed, then watched briefly in turn.
async function followInTurn(names) {
  const versions = new Map();
  while (!failedAuth) {
    for (const name of names) {
      const collection = collections[name];
      collection.shared = true;
      try {
        if (!versions.has(name)) {
          versions.set(name, await list(collection));
          collection.synced = true;
          queueRender();
        }
        versions.set(name, await watch(name, collection, versions.get(name), TURN_SECONDS));
      } catch (error) {
        if (failedAuth) return;
        collection.error = error.message;
        versions.delete(name);
        queueRender();
        await sleep(1000);
      }
    }
    if (names.length === 0) return;
  }
}

async function list(collection) {
  const items = new Map();
  let next = "";
  let version = "";
  do {
    const query = `?limit=500${next ? `&continue=${encodeURIComponent(next)}` : ""}`;
    const page = await getJSON(collection.path + query);
    for (const object of page.items || []) items.set(key(object), collection.keep(object));
    next = page.metadata && page.metadata.continue;
    version = page.metadata && page.metadata.resourceVersion;
  } while (next);
  collection.items = items;
  collection.error = null;
  return version;
}

// Reads one watch response to its end; returns the last resourceVersion it saw.
async function watch(name, collection, version, seconds = 240 + Math.floor(Math.random() * 120)) {
  const query = `?watch=true&allowWatchBookmarks=true&timeoutSeconds=${seconds}` +
    `&resourceVersion=${encodeURIComponent(version)}`;
  const response = await request(collection.path + query);
  collection.watching = true;
  queueRender();
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return version;
      buffered += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (!line) continue;
        const event = JSON.parse(line);
        if (event.type === "ERROR") {
          const error = new Error((event.object && event.object.message) || "watch error");
          error.code = event.object && event.object.code;
          throw error;
        }
        version = (event.object.metadata && event.object.metadata.resourceVersion) || version;
        if (event.type === "BOOKMARK") continue;
        apply(name, collection, event);
      }
    }
  } finally {
    collection.watching = false;
  }
}

function apply(name, collection, event) {
  const id = key(event.object);
  if (event.type === "DELETED") collection.items.delete(id);
  else collection.items.set(id, collection.keep(event.object));
  if (name !== "events") {
    const meta = event.object.metadata;
    console.log(`bosun-dashboard: ${event.type} ${name} ${meta.namespace ? meta.namespace + "/" : ""}${meta.name}`);
  }
  queueRender();
}

function key(object) {
  return `${object.metadata.namespace || ""}/${object.metadata.name}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- what the views keep of each object ----

function keepNode(node) {
  const ready = (node.status && node.status.conditions || []).find((c) => c.type === "Ready");
  const allocatable = node.status && node.status.allocatable || {};
  return {
    name: node.metadata.name,
    ready: ready ? ready.status : "Unknown",
    unschedulable: !!(node.spec && node.spec.unschedulable),
    podCapacity: Number(allocatable.pods) || 0,
  };
}

function keepPod(pod) {
  const owner = (pod.metadata.ownerReferences || []).find((o) => o.controller) || null;
  const ready = (pod.status && pod.status.conditions || []).find((c) => c.type === "Ready");
  return {
    namespace: pod.metadata.namespace,
    node: pod.spec && pod.spec.nodeName || "",
    phase: pod.metadata.deletionTimestamp ? "Terminating" : (pod.status && pod.status.phase) || "Pending",
    ready: !!ready && ready.status === "True",
    owner: owner ? `${owner.kind}/${owner.name}` : "",
  };
}

function keepWorkload(kind) {
  return (object) => {
    const spec = object.spec || {};
    const status = object.status || {};
    const base = { kind, namespace: object.metadata.namespace, name: object.metadata.name };
    switch (kind) {
      case "Deployment":
      case "StatefulSet": {
        const desired = spec.replicas === undefined ? 1 : spec.replicas;
        return { ...base, ready: status.readyReplicas || 0, desired, detail: `${status.updatedReplicas || 0} up to date` };
      }
      case "DaemonSet":
        return { ...base, ready: status.numberReady || 0, desired: status.desiredNumberScheduled || 0,
          detail: `${status.currentNumberScheduled || 0} scheduled` };
      case "Job": {
        const conditions = status.conditions || [];
        const finished = conditions.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
        return { ...base, ready: status.succeeded || 0, desired: spec.completions === undefined ? 1 : spec.completions,
          detail: finished ? finished.type : `${status.active || 0} active, ${status.failed || 0} failed`,
          failed: !!finished && finished.type === "Failed" };
      }
      case "CronJob":
        return { ...base, ready: null, desired: null, schedule: spec.schedule, suspended: !!spec.suspend,
          detail: `${spec.suspend ? "suspended" : spec.schedule} · ${(status.active || []).length} active` +
            (status.lastScheduleTime ? ` · last ${age(status.lastScheduleTime)} ago` : "") };
    }
    return base;
  };
}

function keepEvent(event) {
  const involved = event.involvedObject || event.regarding || {};
  return {
    key: key(event),
    type: event.type || "Normal",
    reason: event.reason || "",
    object: `${involved.kind || ""}/${involved.name || ""}`,
    namespace: event.metadata.namespace,
    message: event.message || event.note || "",
    count: event.count || (event.series && event.series.count) || 1,
    time: event.lastTimestamp || event.eventTime || event.firstTimestamp || event.metadata.creationTimestamp || "",
  };
}

function keepPodGroup(group) {
  const status = group.status || {};
  return {
    namespace: group.metadata.namespace,
    name: group.metadata.name,
    minMember: group.spec && group.spec.minMember || 0,
    phase: status.phase || "Pending",
    running: status.running || 0,
    succeeded: status.succeeded || 0,
    failed: status.failed || 0,
  };
}

// ---- rendering ----

// Renders at most every 250 ms, however fast events arrive.
function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => { renderQueued = false; render(); }, 250);
}

function render() {
  if (failedAuth) return;
  const enabled = Object.values(collections).filter((c) => c.enabled);
  const errors = enabled.filter((c) => c.error).map((c) => `${c.path}: ${c.error}`);
  if (errors.length) setState("failed", `reconnecting (${errors[0]})`);
  else if (enabled.every((c) => c.synced && (c.watching || c.shared))) setState("live", "live");
  else setState("connecting", "connecting");

  const nodes = [...collections.nodes.items.values()].sort((a, b) => compareNames(a.name, b.name));
  const pods = [...collections.pods.items.values()];
  const perNode = new Map(nodes.map((n) => [n.name, phaseCounts()]));
  const perNamespace = new Map();
  const unscheduled = phaseCounts();
  for (const pod of pods) {
    const counts = pod.node ? perNode.get(pod.node) || perNode.set(pod.node, phaseCounts()).get(pod.node) : unscheduled;
    counts[pod.phase] = (counts[pod.phase] || 0) + 1;
    counts.total++;
    if (!perNamespace.has(pod.namespace)) perNamespace.set(pod.namespace, phaseCounts());
    const ns = perNamespace.get(pod.namespace);
    ns[pod.phase] = (ns[pod.phase] || 0) + 1;
    ns.total++;
  }
  const workloads = ["deployments", "statefulsets", "daemonsets", "jobs", "cronjobs"]
    .flatMap((name) => [...collections[name].items.values()]);
  const events = [...collections.events.items.values()].sort((a, b) => (a.time < b.time ? 1 : -1));
  // The store keeps every event; the page keeps the newest.
  if (events.length > EVENTS_KEPT) {
    for (const old of events.splice(EVENTS_KEPT)) collections.events.items.delete(old.key);
  }

  replace("summary", renderSummary(nodes, pods, workloads, events));
  replace("nodes", renderNodes(nodes, perNode, unscheduled));
  replace("workloads", renderWorkloads(workloads));
  if (collections.podgroups.enabled) replace("podgroups", renderPodGroups([...collections.podgroups.items.values()]));
  replace("namespaces", renderNamespaces(perNamespace));
  replace("events", renderEvents(events));
  document.body.dataset.rendered = String(Number(document.body.dataset.rendered || 0) + 1);
}

function renderSummary(nodes, pods, workloads, events) {
  const ready = nodes.filter((n) => n.ready === "True").length;
  const cordoned = nodes.filter((n) => n.unschedulable).length;
  const phases = phaseCounts();
  for (const pod of pods) phases[pod.phase] = (phases[pod.phase] || 0) + 1;
  const counted = workloads.filter((w) => w.desired !== null);
  const whole = counted.filter((w) => w.ready >= w.desired).length;
  const warnings = events.filter((e) => e.type === "Warning").length;
  return [
    card("Nodes", `${ready}/${nodes.length}`, `ready${cordoned ? ` · ${cordoned} cordoned` : ""}`, "summary-nodes"),
    card("Pods", String(pods.length), phaseText(phases), "summary-pods"),
    card("Workloads", `${whole}/${counted.length}`, `fully ready · ${workloads.length - counted.length} CronJobs`, "summary-workloads"),
    card("Warnings", String(warnings), `of the ${events.length} newest events`, "summary-warnings"),
  ];
}

function card(title, value, detail, id) {
  return h("div", { class: "card", id }, h("div", { class: "title" }, title), h("div", { class: "value" }, value),
    h("div", { class: "detail" }, detail));
}

function renderNodes(nodes, perNode, unscheduled) {
  const out = [];
  if (nodes.length === 0) return [h("p", { class: "muted" }, "No nodes yet.")];
  // The heat-map: one cell per node, coloured by condition, darker the fuller the node.
  const map = h("div", { class: "heatmap", id: "node-heatmap" });
  for (const node of nodes) {
    const counts = perNode.get(node.name);
    const cell = h("span", { class: `cell ${nodeState(node)}` });
    const load = node.podCapacity ? Math.min(1, counts.total / node.podCapacity) : 0;
    cell.style.opacity = String(0.55 + 0.45 * load);
    cell.title = `${node.name}: ${nodeState(node)}, ${counts.total} pods (${phaseText(counts)})`;
    map.append(cell);
  }
  out.push(map, h("div", { class: "legend" },
    h("span", {}, h("span", { class: "cell" }), "Ready"), h("span", {}, h("span", { class: "cell NotReady" }), "NotReady"),
    h("span", {}, h("span", { class: "cell Unknown" }), "Unknown"), h("span", {}, h("span", { class: "cell Cordoned" }), "cordoned"),
    h("span", {}, "darker: more pods per allocatable pod slot")));
  // A row per node while that is readable; then only the nodes that need attention.
  const attention = nodes.filter((n) => n.ready !== "True" || n.unschedulable);
  const rows = nodes.length <= NODE_ROWS ? nodes : attention.slice(0, NODE_ROWS);
  if (nodes.length > NODE_ROWS) {
    out.push(h("p", { class: "muted" }, `${nodes.length} nodes: ${attention.length} need attention` +
      (attention.length ? " (listed below)" : "") + ". Hover a cell for its node."));
  }
  if (rows.length) {
    out.push(table(["Node", "Status", { label: "Pods", num: true }, "By phase"], rows.map((node) => {
      const counts = perNode.get(node.name);
      return [node.name, statePill(node), { text: String(counts.total), num: true }, phaseNode(counts)];
    }), "node-table"));
  }
  if (unscheduled.total) out.push(h("p", {}, `Not yet scheduled: ${unscheduled.total} pods`));
  return out;
}

function renderWorkloads(workloads) {
  if (workloads.length === 0) return [h("p", { class: "muted" }, "No workloads yet.")];
  const behind = (w) => w.failed || (w.desired !== null && w.ready < w.desired);
  // Workloads that are not whole first, then by kind and name.
  workloads.sort((a, b) => (behind(b) - behind(a)) || a.kind.localeCompare(b.kind) ||
    `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  const rows = workloads.slice(0, WORKLOAD_ROWS).map((w) => [
    w.kind,
    `${w.namespace}/${w.name}`,
    w.desired === null ? h("span", { class: "muted" }, "—") : readyBar(w),
    w.detail || "",
  ]);
  const out = [table(["Kind", "Name", "Ready", "Status"], rows, "workload-table")];
  if (workloads.length > WORKLOAD_ROWS) {
    out.push(h("p", { class: "more" }, `and ${workloads.length - WORKLOAD_ROWS} more` +
      (workloads.slice(WORKLOAD_ROWS).some(behind) ? "" : ", all whole")));
  }
  return out;
}

function readyBar(w) {
  const fraction = w.desired ? Math.min(1, w.ready / w.desired) : 1;
  const fill = h("span");
  fill.style.width = `${Math.round(fraction * 100)}%`;
  if (w.failed) fill.style.background = "var(--bad)";
  else if (fraction < 1) fill.style.background = "var(--warn)";
  return h("span", {}, h("span", { class: "bar" }, fill), `${w.ready}/${w.desired}`);
}

function renderPodGroups(groups) {
  if (groups.length === 0) return [h("p", { class: "muted" }, "No PodGroups.")];
  groups.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  const pill = { Running: "ok", Finished: "ok", Scheduling: "warn", Pending: "idle", Failed: "bad" };
  return [table(["PodGroup", "Phase", { label: "Min", num: true }, { label: "Running", num: true },
    { label: "Succeeded", num: true }, { label: "Failed", num: true }], groups.slice(0, WORKLOAD_ROWS).map((g) => [
    `${g.namespace}/${g.name}`, h("span", { class: `pill ${pill[g.phase] || "idle"}` }, g.phase),
    { text: String(g.minMember), num: true }, { text: String(g.running), num: true },
    { text: String(g.succeeded), num: true }, { text: String(g.failed), num: true },
  ]), "podgroup-table")];
}

function renderNamespaces(perNamespace) {
  if (perNamespace.size === 0) return [h("p", { class: "muted" }, "No pods yet.")];
  const names = [...perNamespace.keys()].sort();
  return [table(["Namespace", { label: "Pods", num: true }, "By phase"], names.map((ns) => {
    const counts = perNamespace.get(ns);
    return [ns, { text: String(counts.total), num: true }, phaseNode(counts)];
  }), "namespace-table")];
}

function renderEvents(events) {
  if (events.length === 0) return [h("p", { class: "muted" }, "No events.")];
  const byReason = new Map();
  for (const e of events.filter((e) => e.type === "Warning")) byReason.set(e.reason, (byReason.get(e.reason) || 0) + e.count);
  const out = [];
  if (byReason.size) {
    out.push(h("p", {}, "Warnings by reason: " + [...byReason].sort((a, b) => b[1] - a[1])
      .map(([reason, count]) => `${reason} ×${count}`).join(", ")));
  }
  out.push(table(["Age", "Type", "Reason", "Object", "Message"], events.slice(0, EVENT_ROWS).map((e) => [
    e.time ? age(e.time) : "",
    h("span", { class: `pill ${e.type === "Warning" ? "warn" : "idle"}` }, e.type),
    e.reason + (e.count > 1 ? ` ×${e.count}` : ""),
    `${e.namespace}/${e.object}`,
    e.message,
  ]), "event-table"));
  return out;
}

// ---- helpers ----

function phaseCounts() { return { total: 0 }; }

const PHASES = ["Running", "Pending", "Succeeded", "Failed", "Terminating", "Unknown"];

function phaseText(counts) {
  const parts = PHASES.filter((p) => counts[p]).map((p) => `${counts[p]} ${p}`);
  return parts.length ? parts.join(", ") : "none";
}

function phaseNode(counts) {
  return h("span", { class: "phases" }, ...PHASES.filter((p) => counts[p]).map((p) => h("span", { class: `phase ${p}` }, `${p} ${counts[p]}`)));
}

function nodeState(node) {
  if (node.ready !== "True") return node.ready === "False" ? "NotReady" : "Unknown";
  return node.unschedulable ? "Cordoned" : "Ready";
}

function statePill(node) {
  const state = nodeState(node);
  return h("span", { class: `pill ${{ Ready: "ok", Cordoned: "warn", NotReady: "bad", Unknown: "idle" }[state]}` }, state);
}

function setState(kind, text) {
  const live = document.getElementById("live");
  live.className = `state ${kind}`;
  live.textContent = text;
}

// Builds an element; children are nodes or strings (always inserted as text).
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

// A table; a header is a label or {label, num}; a cell is text, a node, or {text, num}.
function table(headers, rows, id) {
  const head = h("tr", {}, ...headers.map((c) => h("th", typeof c === "string" ? {} : { class: "num" }, typeof c === "string" ? c : c.label)));
  const body = rows.map((cells) => h("tr", {}, ...cells.map((c) =>
    c !== null && typeof c === "object" && !(c instanceof Node) ? h("td", c.num ? { class: "num" } : {}, c.text) : h("td", {}, c))));
  return h("table", { id }, h("thead", {}, head), h("tbody", {}, ...body));
}

function replace(id, children) {
  document.getElementById(id).replaceChildren(...children);
}

// Names with numbers sort as people expect: sim-node-2 before sim-node-10.
function compareNames(a, b) {
  return a.localeCompare(b, undefined, { numeric: true });
}

function age(timestamp) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

start();

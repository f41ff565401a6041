import BosunKit

/// The apps and batch kinds, as upstream's `printDeployment`, `printReplicaSet`,
/// `printStatefulSet`, `printDaemonSet`, `printJob`, `printCronJob` and
/// `printControllerRevision` print them.
enum WorkloadPrinters {
    /// A row of cells given in parts (the literal cells, then the template's containers...).
    static func joined(_ parts: [JSONValue]...) -> TableRow {
        TableRow(cells: parts.flatMap { $0 })
    }

    static func age(_ object: JSONValue, _ now: Time) -> JSONValue {
        .string(HumanDuration.since(object[path: ["metadata", "creationTimestamp"]], now: now))
    }

    static let deployment = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Ready", type: "string", description: "Number of the pod with ready state"),
            TableColumn(name: "Up-to-date", type: "integer",
                        description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
            TableColumn(name: "Available", type: "integer",
                        description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
            .age, .containers, .images,
            .selector("Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
        ],
        row: { d, now in
            joined([
                .string(d.name), .string("\(d.int("status", "readyReplicas"))/\(d.int("spec", "replicas"))"),
                .number(.int(d.int("status", "updatedReplicas"))), .number(.int(d.int("status", "availableReplicas"))),
                age(d, now),
            ], PrinterHelpers.containerCells(d[path: ["spec", "template", "spec"]]),
               [.string(PrinterHelpers.selectorString(d[path: ["spec", "selector"]]))])
        })

    static let replicaSet = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Desired", type: "integer", description: "Replicas is the number of desired pods."),
            TableColumn(name: "Current", type: "integer", description: "Replicas is the most recently observed number of non-terminating pods."),
            TableColumn(name: "Ready", type: "integer", description: "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
            .age, .containers, .images,
            .selector("Selector is a label query over pods that should match the replica count."),
        ],
        row: { rs, now in
            joined([
                .string(rs.name), .number(.int(rs.int("spec", "replicas"))), .number(.int(rs.int("status", "replicas"))),
                .number(.int(rs.int("status", "readyReplicas"))), age(rs, now),
            ], PrinterHelpers.containerCells(rs[path: ["spec", "template", "spec"]]),
               [.string(PrinterHelpers.selectorString(rs[path: ["spec", "selector"]]))])
        })

    static let statefulSet = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Ready", type: "string", description: "Number of the pod with ready state"),
            .age, .containers, .images,
        ],
        row: { s, now in
            joined([.string(s.name), .string("\(s.int("status", "readyReplicas"))/\(s.int("spec", "replicas"))"), age(s, now)],
                   PrinterHelpers.containerCells(s[path: ["spec", "template", "spec"]]))
        })

    static let daemonSet = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Desired", type: "integer", description: "The total number of nodes that should be running the daemon pod."),
            TableColumn(name: "Current", type: "integer", description: "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
            TableColumn(name: "Ready", type: "integer", description: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
            TableColumn(name: "Up-to-date", type: "integer", description: "The total number of nodes that are running updated daemon pod"),
            TableColumn(name: "Available", type: "integer", description: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
            TableColumn(name: "Node Selector", type: "string", description: "NodeSelector is a selector which must be true for the pod to fit on a node."),
            .age, .containers, .images,
            .selector("A label query over pods that are managed by the daemon set."),
        ],
        row: { ds, now in
            joined([
                .string(ds.name), .number(.int(ds.int("status", "desiredNumberScheduled"))),
                .number(.int(ds.int("status", "currentNumberScheduled"))), .number(.int(ds.int("status", "numberReady"))),
                .number(.int(ds.int("status", "updatedNumberScheduled"))), .number(.int(ds.int("status", "numberAvailable"))),
                .string(PrinterHelpers.formatLabels(ds[path: ["spec", "template", "spec", "nodeSelector"]])), age(ds, now),
            ], PrinterHelpers.containerCells(ds[path: ["spec", "template", "spec"]]),
               [.string(PrinterHelpers.selectorString(ds[path: ["spec", "selector"]]))])
        })

    static let job = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Status", type: "string", description: "Status of the job."),
            TableColumn(name: "Completions", type: "string", description: "The completion status of the job."),
            TableColumn(name: "Duration", type: "string", description: "Time required to complete the job."),
            .age, .containers, .images,
            .selector("A label query over pods that should match the pod count."),
        ],
        row: { job, now in
            let succeeded = job.int("status", "succeeded")
            let completions: String
            if let wanted = job[path: ["spec", "completions"]]?.int64Value {
                completions = "\(succeeded)/\(wanted)"
            } else if let parallelism = job[path: ["spec", "parallelism"]]?.int64Value, parallelism > 1 {
                completions = "\(succeeded)/1 of \(parallelism)"
            } else {
                completions = "\(succeeded)/1"
            }
            var duration = ""
            if let started = try? Time(rfc3339: job.string("status", "startTime")) {
                let end = (try? Time(rfc3339: job.string("status", "completionTime"))) ?? now
                duration = HumanDuration.format(started.duration(to: end))
            }
            let status: String
            if PrinterHelpers.hasTrueCondition(job, "Complete") { status = "Complete" }
            else if PrinterHelpers.hasTrueCondition(job, "Failed") { status = "Failed" }
            else if job.isDeleting { status = "Terminating" }
            else if PrinterHelpers.hasTrueCondition(job, "Suspended") { status = "Suspended" }
            else if PrinterHelpers.hasTrueCondition(job, "FailureTarget") { status = "FailureTarget" }
            else if PrinterHelpers.hasTrueCondition(job, "SuccessCriteriaMet") { status = "SuccessCriteriaMet" }
            else { status = "Running" }
            return joined([.string(job.name), .string(status), .string(completions), .string(duration), age(job, now)],
                          PrinterHelpers.containerCells(job[path: ["spec", "template", "spec"]]),
                          [.string(PrinterHelpers.selectorString(job[path: ["spec", "selector"]]))])
        })

    static let cronJob = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Schedule", type: "string", description: "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
            TableColumn(name: "Timezone", type: "string", description: "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
            TableColumn(name: "Suspend", type: "boolean", description: "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions."),
            TableColumn(name: "Active", type: "integer", description: "A list of pointers to currently running jobs."),
            TableColumn(name: "Last Schedule", type: "string", description: "Information when was the last time the job was successfully scheduled."),
            .age, .containers, .images,
            .selector("A label query over pods that should match the pod count."),
        ],
        row: { cj, now in
            let last = cj[path: ["status", "lastScheduleTime"]].map { HumanDuration.since($0, now: now) } ?? "<none>"
            let zone = cj[path: ["spec", "timeZone"]]?.stringValue ?? "<none>"
            let jobSpec = cj[path: ["spec", "jobTemplate", "spec"]]
            return joined([
                .string(cj.name), .string(cj.string("spec", "schedule")), .string(zone),
                .string(PrinterHelpers.boolPointer(cj[path: ["spec", "suspend"]])),
                .number(.int(Int64(cj.array("status", "active").count))), .string(last), age(cj, now),
            ], PrinterHelpers.containerCells(jobSpec?[path: ["template", "spec"]]),
               [.string(PrinterHelpers.selectorString(jobSpec?["selector"]))])
        })

    static let controllerRevision = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Controller", type: "string", description: "Controller of the object"),
            TableColumn(name: "Revision", type: "integer", description: "Revision indicates the revision of the state represented by Data."),
            .age,
        ],
        row: { cr, now in
            joined([.string(cr.name), .string(PrinterHelpers.controllerName(cr)), .number(.int(cr.int("revision"))), age(cr, now)])
        })
}

import BosunKit
import BosunRuntime
import BosunStore
import NIOHTTP1

extension ResourceHandler {
    /// `GET pods/NAME/log`: the container's output as `text/plain`, read from the node's
    /// ``PodLogSource`` (the local process node). Pods on simulated nodes run no processes and
    /// have an empty log. Errors are kube-apiserver's and the kubelet's: `400` for a missing or
    /// unknown container, a pod not yet scheduled, or a container that has not started.
    func log(_ r: ResourceRequest, _ name: String) throws(APIError) -> APIResponse {
        let stored = try store.get(r.resource, namespace: r.namespace, name: name)
        let pod: JSONValue
        do { pod = try JSONParser.parse(stored.bytes) } catch { throw APIError.internal("pod \(name): \(error)") }
        let containers = pod.array("spec", "containers").map { $0.string("name") }
        let others = (pod.array("spec", "initContainers") + pod.array("spec", "ephemeralContainers")).map { $0.string("name") }
        let container: String
        if let asked = r.query["container"], !asked.isEmpty {
            guard (containers + others).contains(asked) else {
                throw APIError.badRequest("container \(asked) is not valid for pod \(name)")
            }
            container = asked
        } else if containers.count == 1 {
            container = containers[0]
        } else {
            throw APIError.badRequest("a container name must be specified for pod \(name), choose one of: [\(containers.joined(separator: " "))]")
        }
        let query = try logQuery(r, pod: name, container: container)
        let follow = try RequestOptions.bool(r.query, "follow") ?? false
        let nodeName = pod.string("spec", "nodeName")
        guard !nodeName.isEmpty else {
            throw APIError.badRequest("container \"\(container)\" in pod \"\(name)\" is waiting to start: ContainerCreating")
        }
        guard let source = podLogs, source.nodeName == nodeName else {
            // A simulated node's containers are simulated: they write nothing.
            return APIResponse(status: .ok, contentType: MediaType.text, body: .bytes([]))
        }
        let missing = query.previous
            ? APIError.badRequest("previous terminated container \"\(container)\" in pod \"\(name)\" not found")
            : APIError.badRequest("container \"\(container)\" in pod \"\(name)\" is waiting to start: ContainerCreating")
        if !follow {
            guard let bytes = source.read(query) else { throw missing }
            return APIResponse(status: .ok, contentType: MediaType.text, body: .bytes(bytes))
        }
        guard let stream = source.follow(query) else { throw missing }
        return APIResponse(status: .ok, contentType: MediaType.text, body: .stream { writer in
            let reading = Task {
                for await piece in stream {
                    try await writer.write(piece)
                }
            }
            writer.onEnd { reading.cancel() }
            try await withTaskCancellationHandler {
                try await reading.value
            } onCancel: {
                reading.cancel()
            }
        })
    }

    private func logQuery(_ r: ResourceRequest, pod: String, container: String) throws(APIError) -> PodLogQuery {
        var query = PodLogQuery(namespace: r.namespace ?? "", pod: pod, container: container)
        query.previous = try RequestOptions.bool(r.query, "previous") ?? false
        query.timestamps = try RequestOptions.bool(r.query, "timestamps") ?? false
        query.tailLines = try positive(r, "tailLines", allowZero: true)
        query.limitBytes = try positive(r, "limitBytes", allowZero: false)
        let sinceSeconds = try positive(r, "sinceSeconds", allowZero: false)
        let sinceTime = r.query["sinceTime"].flatMap { $0.isEmpty ? nil : $0 }
        if sinceSeconds != nil && sinceTime != nil {
            throw APIError.invalid(kind: "PodLogOptions", group: "", name: "", [
                .forbidden(FieldPath.root, "at most one of `sinceTime` or `sinceSeconds` may be specified")
            ])
        }
        if let sinceSeconds { query.sinceTime = clock.now().advanced(by: .seconds(-sinceSeconds)) }
        if let sinceTime {
            do { query.sinceTime = try Time(rfc3339: sinceTime) } catch {
                throw APIError.badRequest("sinceTime: invalid value \"\(sinceTime)\": \(error)")
            }
        }
        return query
    }

    private func positive(_ r: ResourceRequest, _ name: String, allowZero: Bool) throws(APIError) -> Int? {
        guard let text = r.query[name], !text.isEmpty else { return nil }
        guard let value = Int(text), value > 0 || (allowZero && value == 0) else {
            throw APIError.invalid(kind: "PodLogOptions", group: "", name: "", [
                .invalid(FieldPath.root.child(name), text, allowZero ? "must be greater than or equal to 0" : "must be greater than 0")
            ])
        }
        return value
    }
}

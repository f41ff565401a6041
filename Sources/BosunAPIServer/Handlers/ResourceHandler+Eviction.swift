import BosunKit
import BosunStore
import NIOHTTP1

extension ResourceHandler {
    /// `POST pods/NAME/eviction` (policy/v1 `Eviction`): a delete of the pod with the eviction's
    /// `deleteOptions`, answered `201` with a `Status` of `Success` as kube-apiserver's
    /// EvictionREST does. Upstream refuses an eviction with `429 TooManyRequests` when a
    /// PodDisruptionBudget does not allow it; Bosun serves no PDBs, so every eviction is allowed.
    func evict(_ r: ResourceRequest, _ name: String) async throws(APIError) -> APIResponse {
        let write = try RequestOptions.write(r.query, kind: "CreateOptions")
        let body = try BodyDecoding.object(r.request, protobuf: true).object
        let kind = body["kind"]?.stringValue ?? ""
        guard kind.isEmpty || kind == "Eviction" else {
            throw APIError.badRequest("the body of the request must be an Eviction, not \(kind)")
        }
        if let bodyName = body[path: ["metadata", "name"]]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("name in URL does not match name in Eviction object")
        }
        var options = DeleteOptions()
        if let value = body["deleteOptions"], !value.isNull {
            do { options = try DeleteOptions(json: value) } catch {
                throw APIError.badRequest("the body of the request could not be decoded as Eviction: \(error)")
            }
        }
        var writeOptions = write
        if !(options.dryRun ?? []).isEmpty { writeOptions.dryRun = true }
        _ = try await store.delete(r.resource, namespace: r.namespace, name: name, options: options, writeOptions: writeOptions)
        return .json(JSONWriter.encode(Status(status: "Success", code: 201)), status: .created)
    }
}

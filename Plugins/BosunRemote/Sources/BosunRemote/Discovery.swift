import BosunKit
import NIOHTTP1

/// The resources a server serves, from the legacy discovery documents (`/api`, `/api/<v>`,
/// `/apis`, `/apis/<g>/<v>`): every server has them, from Kubernetes 1.0 on. One descriptor per
/// group and resource, at the group's preferred version.
struct RemoteDiscovery {
    let transport: HTTPTransport

    func resources() async throws -> [ResourceDescriptor] {
        var result: [ResourceDescriptor] = []
        let core = try await document("/api")
        if let version = core["versions"]?.arrayValue?.first?.stringValue {
            result += try await resources(group: "", version: version, path: "/api/" + version)
        }
        let groups = try await document("/apis")
        for group in groups["groups"]?.arrayValue ?? [] {
            guard let name = group["name"]?.stringValue,
                  let version = group["preferredVersion"]?["version"]?.stringValue
                    ?? group["versions"]?.arrayValue?.first?["version"]?.stringValue
            else { continue }
            result += try await resources(group: name, version: version, path: "/apis/" + name + "/" + version)
        }
        return result
    }

    /// The resources of one `APIResourceList`; `plural/sub` entries become the subresources of
    /// their resource.
    private func resources(group: String, version: String, path: String) async throws -> [ResourceDescriptor] {
        let list: JSONObject
        do { list = try await document(path) } catch let error as APIError where error.code == 404 || error.code == 503 {
            // A group version that went away between the two requests, or an aggregated API
            // that is down: discovery goes on without it, as client-go's does.
            return []
        }
        let entries = list["resources"]?.arrayValue ?? []
        var subresources: [String: [String]] = [:]
        for entry in entries {
            guard let name = entry["name"]?.stringValue, let slash = name.firstIndex(of: "/") else { continue }
            subresources[String(name[..<slash]), default: []].append(String(name[name.index(after: slash)...]))
        }
        return entries.compactMap { entry -> ResourceDescriptor? in
            guard let plural = entry["name"]?.stringValue, !plural.contains("/"),
                  let kind = entry["kind"]?.stringValue
            else { return nil }
            let singular = entry["singularName"]?.stringValue ?? ""
            return ResourceDescriptor(
                group: group, version: version, kind: kind, plural: plural, singular: singular.isEmpty ? nil : singular,
                namespaced: entry["namespaced"]?.boolValue ?? false,
                shortNames: entry["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                categories: entry["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                subresources: subresources[plural] ?? [])
        }
    }

    private func document(_ path: String) async throws -> JSONObject {
        try ReceivedObjects.tree(try await transport.send(.GET, path).body)
    }
}

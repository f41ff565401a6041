import BosunKit

/// The three patch types over a document: the first byte picks the type (and, for strategic
/// merge, the kind's schema), the rest is `document \0 patch`, both JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPatch(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    let selector = data[0]
    let rest = UnsafeBufferPointer(start: data + 1, count: size - 1)
    guard let split = rest.firstIndex(of: 0),
          let document = try? JSONParser.parse(rest[..<split]),
          let patch = try? JSONParser.parse(rest[(split + 1)...])
    else { return 0 }
    let kinds = ["Pod", "Deployment", "StatefulSet", "Service", "ConfigMap", "Job", "Node", "Scale"]
    switch selector % 3 {
    case 0:
        _ = try? JSONPatch.apply(patch, to: document)
    case 1:
        if (try? JSONMergePatch.validate(patch)) != nil {
            let merged = JSONMergePatch.apply(patch, to: document)
            // The diff of a merge, applied again, lands on the same document (one without
            // repeated keys: a stored object never has them, and which one a merge touches is
            // not defined).
            let diff = JSONMergePatch.diff(from: document, to: merged)
            if case .object = document, !hasRepeatedKeys(document), !hasRepeatedKeys(patch), JSONMergePatch.apply(diff, to: document) != merged {
                fatalError("merge diff does not round-trip")
            }
        }
    default:
        _ = try? StrategicMergePatch.apply(patch, to: document, type: kinds[Int(selector / 3) % kinds.count])
    }
    return 0
}

private func hasRepeatedKeys(_ value: JSONValue) -> Bool {
    switch value {
    case .object(let object):
        return Set(object.members.map(\.key)).count != object.members.count || object.members.contains { hasRepeatedKeys($0.value) }
    case .array(let items):
        return items.contains(where: hasRepeatedKeys)
    default:
        return false
    }
}

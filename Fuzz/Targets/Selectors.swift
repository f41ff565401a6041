import BosunKit

/// Label and field selectors: the first byte picks which; a selector that parses is matched
/// against a few label sets and fields, and its string form parses to the same selector.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSelectors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    let labels: [[String: String]] = [[:], ["app": "web"], ["app": "db", "tier": "back", "x.io/y": "1"]]
    if data[0] % 2 == 0 {
        guard let selector = try? Selector.parse(text) else { return 0 }
        for set in labels { _ = selector.matches(set) }
        guard let again = try? Selector.parse(selector.description) else {
            fatalError("label selector \(selector.description) (from \(text.debugDescription)) does not parse")
        }
        for set in labels where again.matches(set) != selector.matches(set) {
            fatalError("label selector \(text.debugDescription) changes meaning through its string form")
        }
    } else {
        guard let selector = try? FieldSelector.parse(text) else { return 0 }
        _ = selector.matches(["metadata.name": "p", "spec.nodeName": "n", "status.phase": "Running"])
        _ = try? selector.validate(forKind: "Pod")
    }
    return 0
}

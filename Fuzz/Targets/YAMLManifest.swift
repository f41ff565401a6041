import BosunKit
import BosunManifests

/// Manifest text as `bosun apply -f` and `bosun validate` read it: a YAML stream (or JSON), through
/// Bosun's own YAML-to-JSON conversion (anchors, merge keys, YAML 1.1 scalars, duplicate keys,
/// limits) over libyaml. Invariant: every document read, written back as YAML by ``YAMLWriter``
/// (what `bosun validate -o yaml` prints), reads again to the same JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAMLManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // Small limits keep each execution fast; the limits themselves are part of what is fuzzed.
    let limits = ManifestReader.Limits(maxInputBytes: 1 << 16, maxDocumentBytes: 1 << 15, maxDepth: 64)
    guard let documents = try? ManifestReader.read(bytes: bytes, source: "fuzz", limits: limits) else { return 0 }
    for document in documents {
        let yaml: String
        do {
            yaml = try YAMLWriter.string(for: document.value)
        } catch {
            fatalError("a document read could not be written as YAML (\(error)): \(document.value)")
        }
        let again: [ManifestDocument]
        do {
            again = try ManifestReader.read(yaml, source: "again", limits: .default)
        } catch {
            fatalError("YAML written for a document did not read back (\(error)):\n\(yaml)")
        }
        guard again.count == 1, again[0].value == document.value else {
            fatalError("YAML written for a document read back differently:\n\(yaml)\nfirst: \(document.value)\nagain: \(again.map(\.value))")
        }
    }
    return 0
}

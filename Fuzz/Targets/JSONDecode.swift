import BosunKit

/// Manifest JSON: parse, decode as the kind it names (every built-in kind), encode, and decode
/// the encoding again. Invariant: what decoded once decodes again from its own encoding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let value = try? JSONParser.parse(bytes),
          let object = try? UnstructuredObject(json: value),
          let typed = try? KindRegistry.shared.decodeTyped(object) ?? nil
    else { return 0 }
    let encoded = typed.jsonValue()
    guard let again = try? UnstructuredObject(json: encoded), (try? KindRegistry.shared.decodeTyped(again)) != nil else {
        fatalError("a decoded \(object.kind) did not decode from its own encoding: \(String(decoding: JSONWriter.encode(encoded), as: UTF8.self))")
    }
    return 0
}

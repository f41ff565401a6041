import BosunKit

/// Quantities: one that parses prints canonically, and the canonical form parses to the same
/// amount.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuantity(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let quantity = try? Quantity(parsing: text) else { return 0 }
    let canonical = quantity.description
    guard let again = try? Quantity(parsing: canonical) else {
        fatalError("canonical form \(canonical.debugDescription) of \(text.debugDescription) does not parse")
    }
    if again != quantity { fatalError("\(text.debugDescription) → \(canonical) changes the amount") }
    _ = quantity.scaledValue(-3)
    _ = quantity.scaledValue(0)
    return 0
}

import Testing

@testable import BosunKit

/// `JSONWriter.isExact` promises that decoding what was written gives back the value that wrote
/// it; the object store returns typed writes without decoding them on that promise.
@Suite("Exact encoding")
struct ExactEncodingTests {
    func isExact(_ value: some JSONEncodable) -> Bool {
        var writer = JSONWriter()
        value.encode(to: &writer)
        return writer.isExact
    }

    @Test func timesWithFractionsOrZeroAreInexact() {
        #expect(isExact(Time(secondsSinceEpoch: 1_700_000_000)))
        #expect(!isExact(Time(secondsSinceEpoch: 1_700_000_000, nanoseconds: 1)))
        #expect(!isExact(Time.zero))
        #expect(isExact(MicroTime(secondsSinceEpoch: 1_700_000_000, nanoseconds: 123_000)))
        #expect(!isExact(MicroTime(secondsSinceEpoch: 1_700_000_000, nanoseconds: 123_001)))
    }

    @Test func nonFiniteNumbersAndUnknownFieldsAreInexact() {
        #expect(isExact(1.5))
        #expect(!isExact(Double.nan))
        #expect(isExact(Pod(metadata: ObjectMeta(name: "p"))))
        #expect(!isExact(Pod(metadata: ObjectMeta(name: "p"), unknownFields: ["extra": 1])))
        #expect(!isExact(Pod(metadata: ObjectMeta(name: "p"), unknownFields: JSONObject())))
    }

    /// For each quantity, `printsExactly` must say whether parsing its canonical text gives back
    /// the same amount in the same format.
    @Test(arguments: [
        "0", "1", "100m", "1.5", "1n", "1500m", "2e3", "1e21", "1Ki", "1536Mi", "64Mi", "1Gi", "8Ei", "12e6", "5e0",
        "9999999999999999999999",
    ])
    func quantityExactness(_ text: String) throws {
        let parsed = try Quantity(parsing: text)
        var candidates = [parsed]
        for format in Quantity.Format.allCases {
            var q = parsed
            q.format = format
            candidates.append(q)
        }
        candidates += [Quantity(scaled: 15, scale: -10), Quantity(1025, format: .binarySI), Quantity(0, format: .binarySI),
                       Quantity(Int64.max, format: .binarySI).multiplied(by: 2)]
        for q in candidates {
            let back = try Quantity(parsing: q.description)
            let roundTrips = back == q && back.format == q.format
            // Values beyond 64 bits are left to the slow path: never claimed exact wrongly.
            if q.printsExactly { #expect(roundTrips, "\(q) (\(q.format)) claimed exact") }
            if case .word = q.amount.magnitude, roundTrips { #expect(q.printsExactly, "\(q) (\(q.format)) round-trips") }
        }
    }
}

@Suite("Field paths")
struct FieldPathTests {
    @Test func deepPathsPrintAndCompareAlike() {
        let built = FieldPath("spec.template.spec").child("containers").index(0).child("ports").index(2).child("hostPort")
        #expect(built.description == "spec.template.spec.containers[0].ports[2].hostPort")
        let fromComponents = FieldPath([.field("spec"), .field("template"), .field("spec"), .field("containers"), .index(0),
                                        .field("ports"), .index(2), .field("hostPort")])
        #expect(built == fromComponents)
        #expect(built.hashValue == fromComponents.hashValue)
        #expect(built.count == 8 && built.components == fromComponents.components)
        #expect(built != FieldPath("spec.template.spec").child("containers").index(0).child("ports").index(2).child("containerPort"))
        #expect(FieldPath("metadata").key("app").description == "metadata[app]")
        #expect(FieldPath("").components.isEmpty && FieldPath.root == FieldPath())
    }

    @Test func siblingsShareTheirParent() {
        let container = FieldPath("spec.containers").index(3)
        #expect(container.child("name").description == "spec.containers[3].name")
        #expect(container.child("image").description == "spec.containers[3].image")
        #expect(container.child("a.b").description == "spec.containers[3].a.b")
    }
}

@Suite("UIDs")
struct UIDTests {
    @Test func randomVersion4UUIDs() {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let uid = UID.random()
            let bytes = Array(uid.utf8)
            #expect(bytes.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { bytes[$0] == UInt8(ascii: "-") })
            #expect(bytes[14] == UInt8(ascii: "4"))
            #expect("89ab".utf8.contains(bytes[19]))
            #expect(uid.allSatisfy { "0123456789abcdef-".contains($0) })
            seen.insert(uid)
        }
        #expect(seen.count == 10_000)
    }
}

extension PodSpec {
    /// Writes the spec's JSON: the generated members, or the JSON written lately for a spec with
    /// the same storage (see ``PodSpecMemo``) — every pod a controller makes from one template,
    /// once admission has given them one defaulted spec. A pod's spec is most of its JSON.
    public func encode(to writer: inout JSONWriter) {
        let memo = writer.dropsUnknownFields ? Self.encodingsWithoutUnknownFields : Self.encodings
        let dropsUnknownFields = writer.dropsUnknownFields
        writer.raw(writtenBy: memo.value(for: self) {
            var own = JSONWriter(reservingCapacity: 512)
            own.dropsUnknownFields = dropsUnknownFields
            encodeMembers(to: &own)
            return own
        })
    }

    /// Specs' JSON, by storage, as written with and without their unknown members.
    private static let encodings = PodSpecMemo<JSONWriter>()
    private static let encodingsWithoutUnknownFields = PodSpecMemo<JSONWriter>()
}

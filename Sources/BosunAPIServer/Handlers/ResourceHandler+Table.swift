import BosunKit
import BosunStore
import NIOHTTP1

extension ResourceHandler {
    /// How to answer as a `meta.k8s.io` Table, when the client prefers one (kubectl get):
    /// the version it asked for, the kind's printer, and what each row carries (`includeObject`,
    /// `Metadata` by default as kube-apiserver's).
    func tableEncoding(_ r: ResourceRequest) throws(APIError) -> TableEncoding? {
        guard let version = AcceptHeader(r.request.headers.first(name: "accept")).preferredTableVersion else { return nil }
        let include: IncludeObject
        switch r.query["includeObject"] {
        case nil, ""?: include = .metadata
        case let value?:
            guard let parsed = IncludeObject(rawValue: value) else {
                throw APIError.badRequest("includeObject: Unsupported value: \"\(value)\": supported values: \"None\", \"Metadata\", \"Object\"")
            }
            include = parsed
        }
        return TableEncoding(version: version, include: include, printer: TablePrinters.printer(for: r.descriptor, store: store))
    }
}

extension ObjectEncoding {
    /// A watch event whose object is a Table of the one changed object (`kubectl get -w`); the
    /// columns ride on every event, so a client that joins a stream late still reads its rows.
    /// A bookmark is a Table without rows that carries the version to resume from.
    static func tableWatchEvent(_ event: StoreEvent, table: TableEncoding, now: Time, into bytes: inout [UInt8]) {
        let objects = event.type == .bookmark ? [] : event.object.map { [$0] } ?? []
        let encoded = table.encode(objects, resourceVersion: event.resourceVersion, now: now)
        var w = JSONWriter(reservingCapacity: encoded.count + 32)
        w.objectStart()
        w.field("type", event.type.rawValue)
        w.key("object")
        w.raw(encoded)
        w.objectEnd()
        bytes.append(contentsOf: w.bytes)
        bytes.append(UInt8(ascii: "\n"))
    }
}

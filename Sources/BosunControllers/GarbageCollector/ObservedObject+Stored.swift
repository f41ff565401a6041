import BosunRuntime

extension ObservedObject {
    /// What the graph needs of a stored object of `kind`. The store already extracted the uid,
    /// owner uids, finalizers and deletion state; only an object with owners has its metadata
    /// parsed, and only its metadata — a pod's spec and status are most of its bytes.
    init(_ stored: StoredObject, kind: GraphKind) {
        self.init(
            uid: stored.uid, kind: kind, namespace: stored.key.namespace, name: stored.key.name,
            owners: stored.ownerUIDs.isEmpty ? [] : Self.ownerReferences(of: stored),
            beingDeleted: stored.isDeleting, finalizers: stored.finalizers)
    }

    /// The object's `metadata.ownerReferences`, parsed alone: its labels, annotations and the
    /// rest of its metadata are skipped over, not parsed.
    static func ownerReferences(of stored: StoredObject) -> [OwnerReference] {
        let bytes = stored.bytes
        guard let range = ObjectBytes.memberValue(["metadata", "ownerReferences"], in: bytes),
              let references = (try? JSONParser.parse(bytes[range]))?.arrayValue else { return [] }
        return references.compactMap { try? OwnerReference(json: $0) }
    }
}

/// Reading parts of an object's JSON without parsing all of it.
enum ObjectBytes {
    /// Where the value at `path` lies (`["metadata", "ownerReferences"]`: a member of a member
    /// of the top-level object), if the object has one.
    static func memberValue(_ path: [String], in bytes: [UInt8]) -> Range<Int>? {
        var range = 0..<bytes.count
        for key in path {
            guard let found = memberValue(key, in: bytes, objectAt: range.lowerBound) else { return nil }
            range = found
        }
        return range
    }

    /// Where the value of the member `key` of the object starting at `objectStart` lies, if
    /// the object has one.
    static func memberValue(_ key: String, in bytes: [UInt8], objectAt objectStart: Int = 0) -> Range<Int>? {
        let wanted = Array(key.utf8)
        var i = skipSpace(bytes, objectStart)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        while true {
            i = skipSpace(bytes, i)
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            guard let keyEnd = stringEnd(bytes, i) else { return nil }
            let isWanted = bytes[(i + 1)..<(keyEnd - 1)].elementsEqual(wanted)
            i = skipSpace(bytes, keyEnd)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            let start = skipSpace(bytes, i + 1)
            guard let end = valueEnd(bytes, start) else { return nil }
            if isWanted { return start..<end }
            i = skipSpace(bytes, end)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ",") else { return nil }
            i += 1
        }
    }

    private static func skipSpace(_ bytes: [UInt8], _ start: Int) -> Int {
        var i = start
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        return i
    }

    /// Just past the closing quote of the string starting at `start`.
    private static func stringEnd(_ bytes: [UInt8], _ start: Int) -> Int? {
        var i = start + 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        return nil
    }

    /// Just past the value starting at `start`: a string, or a balanced object or array, or a
    /// scalar up to the next delimiter.
    private static func valueEnd(_ bytes: [UInt8], _ start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(bytes, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard let end = stringEnd(bytes, i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default:
                    break
                }
                i += 1
            }
            return nil
        default:
            var i = start
            while i < bytes.count, bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: "}") { i += 1 }
            return i
        }
    }
}

import BosunStore

// etcd's v3 messages that the backend sends and reads (`etcdserverpb` in etcd's api/etcdserverpb/
// rpc.proto, `mvccpb` in api/mvccpb/kv.proto), by their field numbers there. Written by hand
// rather than generated: the backend uses a dozen messages, and reading a response straight
// into the store's values spares an intermediate copy of every value.

/// A response message, read from its bytes by ``ProtobufReader``.
protocol EtcdResponse: Sendable {
    init(_ reader: inout ProtobufReader) throws(ProtobufError)
}

/// `RangeRequest`: the keys in `[key, rangeEnd)` (or `key` alone), at `revision` (0: newest).
struct EtcdRangeRequest {
    var key: [UInt8]
    var rangeEnd: [UInt8] = []
    var limit: Int64 = 0
    var revision: Int64 = 0
    var keysOnly = false

    func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        encode(into: &writer)
        return writer.bytes
    }

    func encode(into writer: inout ProtobufWriter) {
        writer.bytes(1, key)
        writer.bytes(2, rangeEnd)
        writer.int64(3, limit)
        writer.int64(4, revision)
        writer.bool(8, keysOnly)
    }
}

/// `RangeResponse`: the header's revision, the key-values and whether more are left.
struct EtcdRangeResponse: EtcdResponse {
    var revision: Int64 = 0
    var kvs: [StoredValue] = []
    var more = false

    init(_ reader: inout ProtobufReader) throws(ProtobufError) {
        while let (field, wireType) = try reader.next() {
            switch field {
            case 1: revision = try reader.message(EtcdMessages.headerRevision)
            case 2: kvs.append(try reader.message(EtcdMessages.keyValue))
            case 3: more = try reader.bool()
            default: try reader.skip(wireType)
            }
        }
    }
}

/// `TxnRequest` for a store transaction: every comparison on `mod_revision` (etcd compares a
/// missing key's as 0, so 0 means "must not exist", as kube-apiserver creates), then every
/// write; when a comparison fails, etcd reads the compared keys instead, to say which one.
enum EtcdTxnRequest {
    static func encoded(_ transaction: StorageTransaction) -> [UInt8] {
        let valueBytes = transaction.writes.reduce(0) { sum, write in
            if case .put(_, let value) = write { sum + value.count } else { sum }
        }
        var writer = ProtobufWriter(capacity: valueBytes + 128 * (transaction.writes.count + transaction.comparisons.count))
        for comparison in transaction.comparisons {
            writer.message(1) { compare in
                // result EQUAL (0) is the default; target MOD (2).
                compare.int64(2, 2)
                compare.bytes(3, comparison.key)
                compare.int64(6, comparison.modRevision, always: true)
            }
        }
        for write in transaction.writes {
            writer.message(2) { op in
                switch write {
                case .put(let key, let value):
                    op.message(2) { put in
                        put.bytes(1, key)
                        put.bytes(2, value)
                    }
                case .delete(let key):
                    op.message(3) { delete in delete.bytes(1, key) }
                }
            }
        }
        for comparison in transaction.comparisons {
            writer.message(3) { op in
                op.message(1) { EtcdRangeRequest(key: Array(comparison.key.utf8), keysOnly: true).encode(into: &$0) }
            }
        }
        return writer.bytes
    }
}

/// `TxnResponse`: the header's revision, whether the comparisons held, and the key-values each
/// range operation of the branch taken read (empty for its other operations).
struct EtcdTxnResponse: EtcdResponse {
    var revision: Int64 = 0
    var succeeded = false
    var ranges: [[StoredValue]] = []

    init(_ reader: inout ProtobufReader) throws(ProtobufError) {
        while let (field, wireType) = try reader.next() {
            switch field {
            case 1: revision = try reader.message(EtcdMessages.headerRevision)
            case 2: succeeded = try reader.bool()
            case 3:
                ranges.append(try reader.message { (op: inout ProtobufReader) throws(ProtobufError) -> [StoredValue] in
                    var kvs: [StoredValue] = []
                    while let (field, wireType) = try op.next() {
                        if field == 1 {
                            kvs = try op.message { (range: inout ProtobufReader) throws(ProtobufError) in try EtcdRangeResponse(&range).kvs }
                        } else {
                            try op.skip(wireType)
                        }
                    }
                    return kvs
                })
            default: try reader.skip(wireType)
            }
        }
    }
}

/// `CompactionRequest`.
struct EtcdCompactionRequest {
    var revision: Int64

    func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.int64(1, revision)
        return writer.bytes
    }
}

/// `CompactionResponse`: only its header, which the backend does not read.
struct EtcdHeaderOnlyResponse: EtcdResponse {
    init(_ reader: inout ProtobufReader) throws(ProtobufError) {
        while let (_, wireType) = try reader.next() { try reader.skip(wireType) }
    }
}

/// `WatchRequest` with a `WatchCreateRequest`: every event in `[key, rangeEnd)` from `startRevision`.
struct EtcdWatchCreateRequest {
    var key: [UInt8]
    var rangeEnd: [UInt8]
    var startRevision: Int64

    func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.message(1) { create in
            create.bytes(1, key)
            create.bytes(2, rangeEnd)
            create.int64(3, startRevision)
        }
        return writer.bytes
    }
}

/// `WatchResponse`: what the backend reads of it (its header and watch id are skipped: one
/// watch per stream, and each event carries its revision).
struct EtcdWatchResponse: EtcdResponse {
    enum Event: Sendable {
        case put(StoredValue)
        /// A deleted key, with the deletion's revision as `modRevision`.
        case delete(StoredValue)

        var value: StoredValue {
            switch self {
            case .put(let value), .delete(let value): value
            }
        }
    }

    var canceled = false
    var compactRevision: Int64 = 0
    var cancelReason = ""
    var events: [Event] = []

    init(_ reader: inout ProtobufReader) throws(ProtobufError) {
        while let (field, wireType) = try reader.next() {
            switch field {
            case 4: canceled = try reader.bool()
            case 5: compactRevision = try reader.int64()
            case 6: cancelReason = try reader.string()
            case 11: events.append(try reader.message(Self.event))
            default: try reader.skip(wireType)
            }
        }
    }

    /// `mvccpb.Event`: type 1 (PUT 0, DELETE 1), kv 2.
    private static func event(_ reader: inout ProtobufReader) throws(ProtobufError) -> Event {
        var deleted = false
        var value = StoredValue(key: "", value: [], createRevision: 0, modRevision: 0)
        while let (field, wireType) = try reader.next() {
            switch field {
            case 1: deleted = try reader.int64() == 1
            case 2: value = try reader.message(EtcdMessages.keyValue)
            default: try reader.skip(wireType)
            }
        }
        return deleted ? .delete(value) : .put(value)
    }
}

enum EtcdMessages {
    /// `ResponseHeader`'s revision (field 3).
    static func headerRevision(_ reader: inout ProtobufReader) throws(ProtobufError) -> Int64 {
        var revision: Int64 = 0
        while let (field, wireType) = try reader.next() {
            if field == 3 { revision = try reader.int64() } else { try reader.skip(wireType) }
        }
        return revision
    }

    /// `mvccpb.KeyValue`: key 1, create_revision 2, mod_revision 3, value 5.
    static func keyValue(_ reader: inout ProtobufReader) throws(ProtobufError) -> StoredValue {
        var value = StoredValue(key: "", value: [], createRevision: 0, modRevision: 0)
        while let (field, wireType) = try reader.next() {
            switch field {
            case 1: value.key = try reader.string()
            case 2: value.createRevision = try reader.int64()
            case 3: value.modRevision = try reader.int64()
            case 5: value.value = try reader.bytes()
            default: try reader.skip(wireType)
            }
        }
        return value
    }

    /// The end of the range of every key starting with `prefix` (etcd's `clientv3.GetPrefixRangeEnd`).
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]   // every key
    }
}

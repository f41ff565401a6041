import BosunKit
import BosunStore
import Foundation

/// The JSON gateway's encoding: keys and values are base64, 64-bit integers are strings.
enum EtcdJSON {
    static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }

    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    static func bytes(_ base64: String?) -> [UInt8] {
        guard let base64, let data = Data(base64Encoded: base64) else { return [] }
        return [UInt8](data)
    }

    static func string(_ base64: String?) -> String {
        String(decoding: bytes(base64), as: UTF8.self)
    }

    /// An int64 field, which the gateway writes as a string and leaves out when zero.
    static func int(_ value: JSONValue?) -> Int64 {
        if let text = value?.stringValue { return Int64(text) ?? 0 }
        return value?.int64Value ?? 0
    }

    /// The end of the range of every key starting with `prefix` (etcd's `clientv3.GetPrefixRangeEnd`).
    static func prefixEnd(_ prefix: String) -> [UInt8] {
        var end = Array(prefix.utf8)
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]   // every key
    }

    /// A key-value as the gateway writes it (`kv` of a range or a watch event).
    static func storedValue(_ kv: JSONObject) -> StoredValue {
        StoredValue(key: string(kv["key"]?.stringValue), value: bytes(kv["value"]?.stringValue),
                    createRevision: int(kv["create_revision"]), modRevision: int(kv["mod_revision"]))
    }

    /// The revision in an answer's header.
    static func headerRevision(_ answer: JSONObject) -> Int64 {
        int(answer["header"]?["revision"])
    }
}

@testable import BosunEtcd
import BosunStore
import Testing

@Suite("etcd's protobuf messages: the wire format, written and read")
struct EtcdMessagesTests {
    @Test("varints round-trip at their length boundaries, negative int64s as ten bytes")
    func varints() throws {
        for value: Int64 in [1, 127, 128, 16_383, 16_384, Int64(Int32.max), .max, -1, .min] {
            var writer = ProtobufWriter()
            writer.int64(4, value)
            let bytes = writer.bytes
            let read = try bytes.withUnsafeBytes { buffer -> (Int, Int64) in
                var reader = ProtobufReader(buffer)
                let (field, wireType) = try #require(try reader.next())
                #expect(wireType == .varint)
                return (field, try reader.int64())
            }
            #expect(read.0 == 4)
            #expect(read.1 == value)
            if value < 0 { #expect(bytes.count == 11) }
        }
    }

    @Test("a RangeRequest is the bytes protobuf gives it: fields in number order, defaults left out")
    func rangeRequestBytes() {
        let request = EtcdRangeRequest(key: Array("/a".utf8), rangeEnd: Array("/b".utf8), limit: 300, keysOnly: true)
        // key (1, bytes), range_end (2, bytes), limit (3, varint 300 = ac 02), keys_only (8, true).
        #expect(request.encoded() == [0x0a, 2, 0x2f, 0x61, 0x12, 2, 0x2f, 0x62, 0x18, 0xac, 0x02, 0x40, 1])
        #expect(EtcdRangeRequest(key: [0x61]).encoded() == [0x0a, 1, 0x61])
    }

    @Test("a create's Txn compares mod_revision 0 explicitly (a oneof member) and reads the key on failure")
    func createTxnBytes() {
        let bytes = EtcdTxnRequest.encoded(.create("k", [0x76]))
        let compare: [UInt8] = [0x10, 2, 0x1a, 1, 0x6b, 0x30, 0]                  // target MOD, key, mod_revision 0
        let success: [UInt8] = [0x12, 6, 0x0a, 1, 0x6b, 0x12, 1, 0x76]             // request_put {key, value}
        let failure: [UInt8] = [0x0a, 5, 0x0a, 1, 0x6b, 0x40, 1]                   // request_range {key, keys_only}
        #expect(bytes == [0x0a, UInt8(compare.count)] + compare + [0x12, UInt8(success.count)] + success
            + [0x1a, UInt8(failure.count)] + failure)
    }

    @Test("a TxnResponse is read with its header revision and each range's key-values; unknown fields are skipped")
    func txnResponse() throws {
        var kv = ProtobufWriter()
        kv.bytes(1, "/registry/a")
        kv.int64(2, 7)
        kv.int64(3, 9)
        kv.int64(4, 2)
        kv.bytes(5, [1, 2, 3])
        var answer = ProtobufWriter()
        answer.message(1) { header in
            header.int64(1, 12_345)       // cluster_id
            header.int64(3, 42)           // revision
            header.int64(4, 3)            // raft_term
        }
        answer.bool(2, false)
        answer.message(3) { op in
            op.message(1) { range in
                range.message(2) { $0 = kv }
                range.int64(4, 1)
            }
        }
        answer.message(3) { op in op.message(2) { _ in } }   // a put's response: no key-values
        answer.bytes(99, [0xde, 0xad])                       // a field of a newer etcd
        let response = try answer.bytes.withUnsafeBytes { buffer in
            var reader = ProtobufReader(buffer)
            return try EtcdTxnResponse(&reader)
        }
        #expect(response.revision == 42)
        #expect(!response.succeeded)
        #expect(response.ranges == [[StoredValue(key: "/registry/a", value: [1, 2, 3], createRevision: 7, modRevision: 9)], []])
    }

    @Test("a message cut short fails with an error instead of reading past its end")
    func truncated() {
        var writer = ProtobufWriter()
        writer.bytes(1, Array(repeating: 0x61, count: 10))
        for cut in [1, 5, 11] {
            let bytes = Array(writer.bytes.prefix(cut))
            #expect(throws: ProtobufError.self) {
                try bytes.withUnsafeBytes { buffer in
                    var reader = ProtobufReader(buffer)
                    _ = try EtcdRangeResponse(&reader)
                }
            }
        }
        // A varint that never ends.
        #expect(throws: ProtobufError.self) {
            try [UInt8](repeating: 0xff, count: 12).withUnsafeBytes { buffer in
                var reader = ProtobufReader(buffer)
                _ = try reader.varint()
            }
        }
    }

    @Test("the end of a prefix's range is the prefix with its last byte raised, as clientv3 computes it")
    func prefixEnd() {
        #expect(EtcdMessages.prefixEnd(Array("/registry/".utf8)) == Array("/registry0".utf8))
        #expect(EtcdMessages.prefixEnd([0x61, 0xff]) == [0x62])
        #expect(EtcdMessages.prefixEnd([0xff, 0xff]) == [0])
    }
}

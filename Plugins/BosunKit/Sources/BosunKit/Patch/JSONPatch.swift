/// JSON Patch (RFC 6902, `application/json-patch+json`) as kube-apiserver applies it, which is
/// evanphx/json-patch v4.12 behind `handlers/patch.go`.
///
/// Operations run in order and the first failure aborts the whole patch; since this is a pure
/// function, nothing is partially applied. Pointers follow ``JSONPointer`` (kube-apiserver's
/// reading: `Atoi` indices, negative indices from the end, `-` appends for `add`).
///
/// Errors: a patch body that is not an array of objects is 400 (`BadRequest`); more than
/// ``maxOperations`` operations is 413; any operation that cannot apply — including a failed
/// `test` — is 422 (`Invalid`), with evanphx's wording in ``PatchError/message``.
///
/// Behaviour kept from upstream where it is looser than the RFC: `add` and `replace` without a
/// `value` store `null`; `test` of a missing member against `null` succeeds; `replace` of the
/// whole document (`""`) with a scalar is ignored; `add`/`remove` of the whole document fail.
public enum JSONPatch {
    /// kube-apiserver's `maxJSONPatchOperations`.
    public static let maxOperations = 10_000

    /// Applies `patch` (a JSON array of operations) to `document`.
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws(PatchError) -> JSONValue {
        let operations: [JSONValue]
        switch patch {
        case .null: operations = []
        case .array(let items): operations = items
        default:
            throw .badRequest("json: cannot unmarshal \(GoValueFormat.jsonKind(patch)) into Go value of type jsonpatch.Patch")
        }
        for op in operations {
            switch op {
            case .object, .null: continue
            default:
                throw .badRequest("json: cannot unmarshal \(GoValueFormat.jsonKind(op)) into Go value of type jsonpatch.Operation")
            }
        }
        if operations.count > maxOperations {
            throw PatchError(code: 413, reason: "RequestEntityTooLarge",
                             message: "Request entity too large: The allowed maximum operations in a JSON patch is \(maxOperations), got \(operations.count)")
        }
        guard document.isJSONContainer else {
            throw .unprocessable("json: cannot unmarshal \(GoValueFormat.jsonKind(document)) into Go value of type map[string]*jsonpatch.lazyNode")
        }
        var doc = document
        for op in operations {
            let operation = Operation(op.objectValue ?? JSONObject())
            do {
                try operation.apply(to: &doc)
            } catch {
                throw .unprocessable(error.message)
            }
        }
        return doc
    }
}

/// One operation object, read leniently the way evanphx's `Operation` map is.
private struct Operation {
    let fields: JSONObject

    init(_ fields: JSONObject) { self.fields = fields }

    /// `op`, or `unknown` when absent or not a string.
    var kind: String { fields["op"]?.stringValue ?? "unknown" }

    /// `value`; an absent value stores `null` like evanphx's nil node.
    var value: JSONValue { fields["value"] ?? .null }
    var hasValue: Bool { if let v = fields["value"], !v.isNull { true } else { false } }

    func string(_ name: String, missing: String) -> Result<String, PointerError> {
        switch fields[name] {
        case nil, .null?: return .failure(.missing(missing))
        case .string(let s)?: return .success(s)
        case let other?:
            return .failure(PointerError(message: "json: cannot unmarshal \(GoValueFormat.jsonKind(other)) into Go value of type string", cause: .syntax))
        }
    }

    var path: Result<String, PointerError> { string("path", missing: "operation missing path field") }
    var from: Result<String, PointerError> { string("from", missing: "operation, missing from field") }

    func apply(to doc: inout JSONValue) throws(PointerError) {
        switch kind {
        case "add": try add(&doc)
        case "remove": try remove(&doc)
        case "replace": try replace(&doc)
        case "move": try move(&doc)
        case "test": try test(doc)
        case "copy": try copy(&doc)
        default: throw PointerError(message: "Unexpected kind: \(kind)", cause: .syntax)
        }
    }

    private static func fail(_ message: String) -> PointerError { PointerError(message: message, cause: .syntax) }

    private func add(_ doc: inout JSONValue) throws(PointerError) {
        guard case .success(let path) = path else { throw .missing("add operation failed to decode path") }
        try Self.insert(value, at: path, in: &doc, missing: "add operation does not apply: doc is missing path: \"\(path)\"",
                        context: "error in add for path: '\(path)'")
    }

    private static func insert(_ value: JSONValue, at path: String, in doc: inout JSONValue,
                               missing: String, context: String) throws(PointerError) {
        guard let (parents, last) = JSONPointer.split(path) else { throw .missing(missing) }
        let done: Void? = try JSONPointer.withParent(&doc, parents, last) { (c, k) throws(PointerError) in
            do throws(PointerError) { try JSONPointer.add(&c, k, value) } catch { throw error.wrapped(context) }
        }
        if done == nil { throw .missing(missing) }
    }

    private func remove(_ doc: inout JSONValue) throws(PointerError) {
        guard case .success(let path) = path else { throw .missing("remove operation failed to decode path") }
        guard let (parents, last) = JSONPointer.split(path) else {
            throw .missing("remove operation does not apply: doc is missing path: \"\(path)\"")
        }
        let done: Void? = try JSONPointer.withParent(&doc, parents, last) { (c, k) throws(PointerError) in
            do throws(PointerError) { try JSONPointer.remove(&c, k) } catch { throw error.wrapped("error in remove for path: '\(path)'") }
        }
        if done == nil { throw .missing("remove operation does not apply: doc is missing path: \"\(path)\"") }
    }

    private func replace(_ doc: inout JSONValue) throws(PointerError) {
        let path: String
        switch self.path {
        case .success(let p): path = p
        case .failure(let e): throw e.wrapped("replace operation failed to decode path")
        }
        if path.isEmpty {
            // evanphx replaces the whole document with an object or array and silently ignores
            // anything else (its error wraps a nil error).
            if value.isJSONContainer { doc = value }
            return
        }
        let value = self.value
        guard let (parents, last) = JSONPointer.split(path) else {
            throw .missing("replace operation does not apply: doc is missing path: \(path)")
        }
        let done: Void? = try JSONPointer.withParent(&doc, parents, last) { (c, k) throws(PointerError) in
            guard case .success = JSONPointer.get(c, k) else {
                throw .missing("replace operation does not apply: doc is missing key: \(path)")
            }
            do throws(PointerError) { try JSONPointer.set(&c, k, value) } catch { throw error.wrapped("error in remove for path: '\(path)'") }
        }
        if done == nil { throw .missing("replace operation does not apply: doc is missing path: \(path)") }
    }

    private func move(_ doc: inout JSONValue) throws(PointerError) {
        let from: String
        switch self.from {
        case .success(let f): from = f
        case .failure(let e): throw e.wrapped("move operation failed to decode from")
        }
        guard let (fromParents, fromLast) = JSONPointer.split(from) else {
            throw .missing("move operation does not apply: doc is missing from path: \(from)")
        }
        let taken: JSONValue? = try JSONPointer.withParent(&doc, fromParents, fromLast) { (c, k) throws(PointerError) in
            let value: JSONValue
            switch JSONPointer.get(c, k) {
            case .success(let v): value = v
            case .failure(let e): throw e.wrapped("error in move for path: '\(k)'")
            }
            do throws(PointerError) { try JSONPointer.remove(&c, k) } catch { throw error.wrapped("error in move for path: '\(k)'") }
            return value
        }
        guard let value = taken else { throw .missing("move operation does not apply: doc is missing from path: \(from)") }
        let path: String
        switch self.path {
        case .success(let p): path = p
        case .failure(let e): throw e.wrapped("move operation failed to decode path")
        }
        try Self.insert(value, at: path, in: &doc, missing: "move operation does not apply: doc is missing destination path: \(path)",
                        context: "error in move for path: '\(path)'")
    }

    private func copy(_ doc: inout JSONValue) throws(PointerError) {
        let from: String
        switch self.from {
        case .success(let f): from = f
        case .failure(let e): throw e.wrapped("copy operation failed to decode from")
        }
        guard let (parents, last) = JSONPointer.split(from), let parent = Self.resolve(doc, parents) else {
            throw .missing("copy operation does not apply: doc is missing from path: \(from)")
        }
        let value: JSONValue
        switch JSONPointer.get(parent, last) {
        case .success(let v): value = v
        case .failure(let e): throw e.wrapped("error in copy for from: '\(from)'")
        }
        guard case .success(let path) = path else { throw .missing("copy operation failed to decode path") }
        try Self.insert(value, at: path, in: &doc, missing: "copy operation does not apply: doc is missing destination path: \(path)",
                        context: "error while adding value during copy")
    }

    private func test(_ doc: JSONValue) throws(PointerError) {
        let path: String
        switch self.path {
        case .success(let p): path = p
        case .failure(let e): throw e.wrapped("test operation failed to decode path")
        }
        let failed = PointerError(message: "testing value \(path) failed: test failed", cause: .syntax)
        if path.isEmpty {
            if doc == value { return }
            throw failed
        }
        guard let (parents, last) = JSONPointer.split(path), let parent = Self.resolve(doc, parents) else {
            throw .missing("test operation does not apply: is missing path: \(path)")
        }
        let current: JSONValue
        switch JSONPointer.get(parent, last) {
        case .success(let v): current = v
        case .failure(let e) where e.cause == .missing: current = .null
        case .failure(let e): throw e.wrapped("error in test for path: '\(path)'")
        }
        if current.isNull {
            // A missing or null member matches only a null (or absent) value.
            if hasValue { throw failed }
            return
        }
        if fields["value"] == nil || current != value { throw failed }
    }

    /// Read-only `findObject`: the container holding the last token, or `nil`.
    private static func resolve(_ doc: JSONValue, _ parents: ArraySlice<Substring>) -> JSONValue? {
        var node = doc
        for token in parents {
            guard case .success(let child) = JSONPointer.get(node, JSONPointer.decode(token)), child.isJSONContainer else {
                return nil
            }
            node = child
        }
        guard node.isJSONContainer else { return nil }
        return node
    }
}

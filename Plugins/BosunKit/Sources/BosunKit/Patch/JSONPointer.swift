/// An error from resolving or editing a JSON Pointer location, worded as evanphx/json-patch v4
/// words it (`errors.Wrapf` chains: `context: cause`).
struct PointerError: Error {
    enum Cause { case missing, invalidIndex, syntax }
    var message: String
    var cause: Cause

    static func missing(_ context: String) -> PointerError {
        PointerError(message: context + ": missing value", cause: .missing)
    }

    static func invalidIndex(_ index: Int) -> PointerError {
        PointerError(message: "Unable to access invalid index: \(index): invalid index referenced", cause: .invalidIndex)
    }

    /// Prefixes the message as `errors.Wrapf(err, context)` does, keeping the cause.
    func wrapped(_ context: String) -> PointerError {
        PointerError(message: context + ": " + message, cause: cause)
    }
}

/// RFC 6901 JSON Pointers as kube-apiserver's JSON patch library (evanphx/json-patch v4.12) reads
/// them.
///
/// That reading differs from the RFC at the edges, and Bosun follows kube-apiserver: array indices
/// are parsed with Go's `strconv.Atoi`, so leading zeros (`/a/01`) and a sign are accepted, and
/// negative indices count from the end (`SupportNegativeIndices` defaults to true); text before the
/// first `/` is ignored. `~1` decodes to `/` and `~0` to `~`, left to right.
enum JSONPointer {
    /// Splits `path` into its parent tokens (still escaped) and its last token (decoded); `nil`
    /// when the path has no `/` (evanphx's `findObject` then reports a missing path).
    static func split(_ path: String) -> (parents: ArraySlice<Substring>, last: String)? {
        let tokens = path.split(separator: "/", omittingEmptySubsequences: false)
        guard tokens.count >= 2 else { return nil }
        return (tokens[1..<(tokens.count - 1)], decode(tokens[tokens.count - 1]))
    }

    /// Decodes a reference token: `~1` → `/`, then `~0` → `~`, scanning left to right.
    static func decode(_ token: Substring) -> String {
        guard token.contains("~") else { return String(token) }
        var out = ""
        var it = token.makeIterator()
        var pending: Character? = it.next()
        while let c = pending {
            pending = it.next()
            if c == "~", let n = pending, n == "0" || n == "1" {
                out.append(n == "1" ? "/" : "~")
                pending = it.next()
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Go's `strconv.Atoi`, with its error text.
    static func atoi(_ s: String) -> Result<Int, PointerError> {
        if let v = GoFormat.parseInt64(s) { return .success(Int(v)) }
        var digits = s.utf8[...]
        if let f = digits.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { digits = digits.dropFirst() }
        let rangeError = !digits.isEmpty && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let why = rangeError ? "value out of range" : "invalid syntax"
        return .failure(PointerError(message: "strconv.Atoi: parsing \(GoFormat.quoted(s)): \(why)", cause: .syntax))
    }

    // MARK: Container operations (evanphx's partialDoc / partialArray)

    /// The value at `key` of a container (`get`); a JSON `null` member is returned as `.null`.
    static func get(_ container: JSONValue, _ key: String) -> Result<JSONValue, PointerError> {
        switch container {
        case .object(let object):
            for member in object.members where member.key == key { return .success(member.value) }
            return .failure(.missing("unable to get nonexistent key: \(key)"))
        case .array(let array):
            switch existingIndex(key, count: array.count) {
            case .success(let i): return .success(array[i])
            case .failure(let e): return .failure(e)
            }
        default:
            return .failure(.missing("unable to get nonexistent key: \(key)"))
        }
    }

    /// An index of an existing element: `Atoi`, negatives from the end, in range.
    static func existingIndex(_ key: String, count: Int) -> Result<Int, PointerError> {
        switch atoi(key) {
        case .failure(let e): return .failure(e)
        case .success(var i):
            if i < 0 {
                if i < -count { return .failure(.invalidIndex(i)) }
                i += count
            }
            if i >= count { return .failure(.invalidIndex(i)) }
            return .success(i)
        }
    }

    /// `add`: sets an object member, or inserts into an array (`-` appends).
    static func add(_ container: inout JSONValue, _ key: String, _ value: JSONValue) throws(PointerError) {
        switch container {
        case .object(var object):
            container = .null
            object[key] = value
            container = .object(object)
        case .array(var array):
            if key == "-" {
                container = .null
                array.append(value)
                container = .array(array)
                return
            }
            var i: Int
            switch atoi(key) {
            case .success(let v): i = v
            case .failure(let e): throw e.wrapped("value was not a proper array index: '\(key)'")
            }
            let size = array.count + 1
            if i >= size { throw .invalidIndex(i) }
            if i < 0 {
                if i < -size { throw .invalidIndex(i) }
                i += size
            }
            container = .null
            array.insert(value, at: i)
            container = .array(array)
        default:
            throw .missing("unable to get nonexistent key: \(key)")
        }
    }

    /// `set` (used by `replace` after `get` succeeded).
    static func set(_ container: inout JSONValue, _ key: String, _ value: JSONValue) throws(PointerError) {
        switch container {
        case .object(var object):
            container = .null
            object[key] = value
            container = .object(object)
        case .array(var array):
            let i: Int
            switch existingIndex(key, count: array.count) {
            case .success(let v): i = v
            case .failure(let e): throw e
            }
            container = .null
            array[i] = value
            container = .array(array)
        default:
            throw .missing("unable to get nonexistent key: \(key)")
        }
    }

    /// `remove`.
    static func remove(_ container: inout JSONValue, _ key: String) throws(PointerError) {
        switch container {
        case .object(var object):
            guard let i = object.members.firstIndex(where: { $0.key == key }) else {
                throw .missing("unable to remove nonexistent key: \(key)")
            }
            container = .null
            object.members.remove(at: i)
            container = .object(object)
        case .array(var array):
            let i: Int
            switch existingIndex(key, count: array.count) {
            case .success(let v): i = v
            case .failure(let e): throw e
            }
            container = .null
            array.remove(at: i)
            container = .array(array)
        default:
            throw .missing("unable to remove nonexistent key: \(key)")
        }
    }

    /// Walks `parents` from `node` and runs `body` on the container holding the last token, in
    /// place. Returns `nil` when a parent is missing, `null` or not a container (evanphx's
    /// `findObject` returning nil).
    static func withParent<R>(
        _ node: inout JSONValue, _ parents: ArraySlice<Substring>, _ last: String,
        _ body: (inout JSONValue, String) throws(PointerError) -> R
    ) throws(PointerError) -> R? {
        guard let token = parents.first else {
            switch node {
            case .object, .array: return try body(&node, last)
            default: return nil
            }
        }
        let key = decode(token)
        switch node {
        case .object(var object):
            guard let i = object.members.firstIndex(where: { $0.key == key }) else { return nil }
            var child = object.members[i].value
            guard child.isJSONContainer else { return nil }
            object.members[i].value = .null
            node = .null
            defer {
                object.members[i].value = child
                node = .object(object)
            }
            return try withParent(&child, parents.dropFirst(), last, body)
        case .array(var array):
            guard case .success(let i) = existingIndex(key, count: array.count) else { return nil }
            var child = array[i]
            guard child.isJSONContainer else { return nil }
            array[i] = .null
            node = .null
            defer {
                array[i] = child
                node = .array(array)
            }
            return try withParent(&child, parents.dropFirst(), last, body)
        default:
            return nil
        }
    }
}

extension JSONValue {
    /// Whether this is an object or an array.
    var isJSONContainer: Bool {
        switch self {
        case .object, .array: true
        default: false
        }
    }
}

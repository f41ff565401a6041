import BosunKit

/// A manifest document decoded as far as this process can: a typed value when its kind is
/// registered (the built-in kinds, and kinds plugins register), otherwise unstructured.
public enum ManifestObject: Sendable {
    case typed(any Resource)
    case unstructured(UnstructuredObject)

    public var groupVersionKind: GroupVersionKind {
        switch self {
        case .typed(let r): type(of: r).resource.groupVersionKind
        case .unstructured(let u): u.groupVersionKind
        }
    }

    public var name: String {
        switch self {
        case .typed(let r): r.metadata.name ?? r.metadata.generateName ?? ""
        case .unstructured(let u): u.name
        }
    }

    /// The object's JSON form.
    public var jsonValue: JSONValue {
        switch self {
        case .typed(let r): r.jsonValue()
        case .unstructured(let u): .object(u.object)
        }
    }
}

extension ManifestDocument {
    /// Decodes the document into its registered Swift type, or keeps it unstructured when the
    /// kind is not registered. A decoding failure names the document, line and field.
    public func decode(using registry: KindRegistry = .shared) throws(ManifestError) -> ManifestObject {
        let object: UnstructuredObject
        do { object = try UnstructuredObject(json: value) } catch { throw ManifestError(error, in: self) }
        do {
            if let typed = try registry.decodeTyped(object) { return .typed(typed) }
        } catch {
            throw ManifestError(error, in: self)
        }
        return .unstructured(object)
    }

    /// The line of a field, for messages about a decoded object (validation errors).
    public func line(of field: FieldPath) -> Int? {
        let path: [JSONDecodingError.PathComponent] = field.components.map { c in
            switch c {
            case .field(let f): .key(f)
            case .key(let k): .key(k)
            case .index(let i): .index(i)
            }
        }
        return location(of: path)?.line
    }
}

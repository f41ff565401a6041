import BosunKit

/// What a list or watch asks for, as Kubernetes' `metav1.ListOptions`.
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: Selector
    public var fieldSelector: FieldSelector
    /// For lists: at most this many items, then a `continue` token. 0 means all.
    public var limit: Int
    public var continueToken: String?
    /// For watches: changes after this version; `nil` or `"0"` starts with the current state.
    public var resourceVersion: String?
    public var allowWatchBookmarks: Bool
    /// For watches from "now" (`resourceVersion` unset): send the current objects as ADDED first.
    public var sendInitialEvents: Bool?

    public init(
        labelSelector: Selector = .everything, fieldSelector: FieldSelector = .everything, limit: Int = 0,
        continueToken: String? = nil, resourceVersion: String? = nil, allowWatchBookmarks: Bool = false,
        sendInitialEvents: Bool? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.sendInitialEvents = sendInitialEvents
    }

    func matches(_ object: StoredObject) -> Bool {
        (labelSelector.isEmpty || labelSelector.matches(object.labels))
            && (fieldSelector.isEmpty || Self.matches(fieldSelector, object.fields))
    }
}

extension ListOptions {
    static func matches(_ selector: FieldSelector, _ fields: SelectableFields) -> Bool {
        selector.matches(field: { fields[$0] })
    }
}

/// A page of a list: the objects, the store's resourceVersion at the list, and how to go on.
public struct ObjectList: Sendable {
    public var items: [StoredObject]
    public var resourceVersion: Int64
    public var continueToken: String?
    public var remainingItemCount: Int64?

    public init(items: [StoredObject], resourceVersion: Int64, continueToken: String? = nil, remainingItemCount: Int64? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}

/// Options for writes.
public struct WriteOptions: Sendable, Hashable {
    /// `dryRun=All`: admission runs, nothing is stored.
    public var dryRun: Bool
    public var fieldManager: String?
    /// What to do about members a built-in kind does not define (they are never stored).
    public var fieldValidation: FieldValidation
    /// In-process only, for the cached client: the object being updated as the caller read it
    /// from a cache that holds exactly what the store wrote, at the resourceVersion it carries.
    /// A typed update takes it for the stored object, instead of decoding its JSON, when its uid
    /// and resourceVersion are the stored object's. Not part of the options' identity.
    package var readBase: (any Sendable)?

    public init(dryRun: Bool = false, fieldManager: String? = nil, fieldValidation: FieldValidation = .warn) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
    }

    public static func == (a: WriteOptions, b: WriteOptions) -> Bool {
        a.dryRun == b.dryRun && a.fieldManager == b.fieldManager && a.fieldValidation == b.fieldValidation
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(dryRun)
        hasher.combine(fieldManager)
        hasher.combine(fieldValidation)
    }
}

/// The `fieldValidation` of a write: kube-apiserver drops the members a built-in kind does not
/// define, and either says nothing about them, warns, or refuses the write.
public enum FieldValidation: String, Sendable, Hashable, CaseIterable {
    case ignore = "Ignore"
    /// The server's default: a `Warning` per unknown member, for the request's ``WriteWarnings``.
    case warn = "Warn"
    /// What kubectl sends: 400 `Deployment in version "v1" cannot be handled as a Deployment:
    /// strict decoding error: unknown field "spec.replica"`.
    case strict = "Strict"
}

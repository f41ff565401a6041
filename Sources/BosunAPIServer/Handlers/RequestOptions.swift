import BosunKit
import BosunStore

/// The query parameters of Kubernetes requests (`metav1.ListOptions`, `CreateOptions`,
/// `PatchOptions`, `DeleteOptions`), parsed and checked as kube-apiserver does.
enum RequestOptions {
    /// `labelSelector`, `fieldSelector`, `limit`, `continue`, `resourceVersion`,
    /// `allowWatchBookmarks`, `sendInitialEvents` for a list or watch of `kind`.
    static func list(_ query: QueryParameters, kind: String) throws(APIError) -> ListOptions {
        var options = ListOptions()
        if let text = query["labelSelector"], !text.isEmpty {
            do { options.labelSelector = try Selector.parse(text) } catch { throw APIError.badRequest(error.message) }
        }
        if let text = query["fieldSelector"], !text.isEmpty {
            do {
                options.fieldSelector = try FieldSelector.parse(text).validated(forKind: kind)
            } catch {
                throw APIError.badRequest(error.message)
            }
        }
        if let text = query["limit"], !text.isEmpty {
            guard let limit = Int(text), limit >= 0 else { throw invalidParameter("limit", text) }
            options.limit = limit
        }
        if let token = query["continue"], !token.isEmpty { options.continueToken = token }
        if let version = query["resourceVersion"], !version.isEmpty { options.resourceVersion = version }
        options.allowWatchBookmarks = try bool(query, "allowWatchBookmarks") ?? false
        options.sendInitialEvents = try bool(query, "sendInitialEvents")
        if options.continueToken != nil, let version = options.resourceVersion, version != "0" {
            throw APIError.badRequest("specifying resource version is not allowed when using continue")
        }
        return options
    }

    /// Whether the request is a watch: `watch=true|1` (any value Go's `strconv.ParseBool` takes).
    static func isWatch(_ query: QueryParameters) throws(APIError) -> Bool {
        try bool(query, "watch") ?? false
    }

    /// `timeoutSeconds` for a watch, if given.
    static func timeoutSeconds(_ query: QueryParameters) throws(APIError) -> Int64? {
        guard let text = query["timeoutSeconds"], !text.isEmpty else { return nil }
        guard let seconds = Int64(text), seconds >= 0 else { throw invalidParameter("timeoutSeconds", text) }
        return seconds
    }

    /// `dryRun`, `fieldManager`, `fieldValidation` of a create, update or patch; `kind` names
    /// the options type in errors (`CreateOptions`, `UpdateOptions`, `PatchOptions`).
    static func write(_ query: QueryParameters, kind: String) throws(APIError) -> WriteOptions {
        var errors: FieldErrorList = []
        let dryRun = query.all("dryRun")
        for value in dryRun where value != "All" {
            errors.append(.notSupported("dryRun", value, supported: ["All"]))
        }
        let manager = query["fieldManager"]
        if let manager, manager.count > 128 {
            errors.append(.tooLong("fieldManager", maxLength: 128))
        }
        if let validation = query["fieldValidation"], !validation.isEmpty,
           !["Ignore", "Warn", "Strict"].contains(validation) {
            errors.append(.notSupported("fieldValidation", validation, supported: ["Ignore", "Warn", "Strict"]))
        }
        if !errors.isEmpty { throw APIError.invalid(kind: kind, group: "meta.k8s.io", name: "", errors) }
        return WriteOptions(dryRun: !dryRun.isEmpty, fieldManager: manager.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// `force` of an apply patch; only apply patches may set it.
    static func force(_ query: QueryParameters, patchType: PatchType) throws(APIError) -> Bool {
        let force = try bool(query, "force") ?? false
        if force && patchType != .apply {
            throw APIError.invalid(kind: "PatchOptions", group: "meta.k8s.io", name: "", [
                .forbidden("force", "may not be specified for non-apply patch")
            ])
        }
        return force
    }

    /// DeleteOptions from the query (the Python client's way), then from the body (kubectl's),
    /// which wins where both say something — kube-apiserver decodes them in that order.
    static func delete(_ request: APIRequest) throws(APIError) -> (DeleteOptions, WriteOptions) {
        var options = DeleteOptions()
        let query = request.query
        if let text = query["gracePeriodSeconds"], !text.isEmpty {
            guard let grace = Int64(text) else { throw invalidParameter("gracePeriodSeconds", text) }
            options.gracePeriodSeconds = grace
        }
        if let policy = query["propagationPolicy"], !policy.isEmpty { options.propagationPolicy = policy }
        options.orphanDependents = try bool(query, "orphanDependents")
        let dryRun = query.all("dryRun")
        if !dryRun.isEmpty { options.dryRun = dryRun }
        if request.body.contains(where: { !isJSONSpace($0) }) {
            let value = try BodyDecoding.options(request)
            let body: DeleteOptions
            do { body = try DeleteOptions(json: value) } catch {
                throw APIError.badRequest("the body of the request could not be decoded as DeleteOptions: \(error)")
            }
            if let grace = body.gracePeriodSeconds { options.gracePeriodSeconds = grace }
            if let policy = body.propagationPolicy { options.propagationPolicy = policy }
            if let orphan = body.orphanDependents { options.orphanDependents = orphan }
            if let preconditions = body.preconditions { options.preconditions = preconditions }
            if let dryRun = body.dryRun { options.dryRun = dryRun }
        }
        for value in options.dryRun ?? [] where value != "All" {
            throw APIError.invalid(kind: "DeleteOptions", group: "meta.k8s.io", name: "", [
                .notSupported("dryRun", value, supported: ["All"])
            ])
        }
        return (options, WriteOptions(dryRun: !(options.dryRun ?? []).isEmpty))
    }

    /// A boolean parameter as Go's `strconv.ParseBool` reads it; an empty value is absent.
    static func bool(_ query: QueryParameters, _ name: String) throws(APIError) -> Bool? {
        guard let text = query[name], !text.isEmpty else { return nil }
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: throw invalidParameter(name, text)
        }
    }

    private static func invalidParameter(_ name: String, _ value: String) -> APIError {
        APIError.badRequest("invalid value \"\(value)\" for parameter \(name)")
    }

    private static func isJSONSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }
}

/// The media types the server reads and writes.
enum MediaType {
    static let json = "application/json"
    static let yaml = "application/yaml"
    /// Container logs, as the kubelet streams them.
    static let text = "text/plain"
    /// The Prometheus text exposition format.
    static let prometheusText = "text/plain; version=0.0.4; charset=utf-8"
    /// What client-go requires on an aggregated discovery answer to recognise it
    /// (`ContentTypeIsGVK`): exactly this, parameters in this order.
    static let aggregatedDiscovery = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
}

/// One entry of an `Accept` header: `type/subtype;param=value;...;q=0.5`.
struct MediaRange: Sendable, Hashable {
    var type: String
    var subtype: String
    /// Parameters other than `q`, names lower-cased.
    var parameters: [String: String]
    var quality: Double

    init?(_ text: Substring) {
        let parts = text.split(separator: ";").map(Self.trimmed)
        guard let full = parts.first, let slash = full.firstIndex(of: "/") else { return nil }
        type = full[..<slash].lowercased()
        subtype = full[full.index(after: slash)...].lowercased()
        parameters = [:]
        quality = 1
        for parameter in parts.dropFirst() {
            guard let eq = parameter.firstIndex(of: "=") else { continue }
            let name = Self.trimmed(parameter[..<eq]).lowercased()
            var value = Self.trimmed(parameter[parameter.index(after: eq)...])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            if name == "q" { quality = Double(value) ?? 1 } else { parameters[name] = String(value) }
        }
    }

    /// `text` without the spaces and tabs around it (HTTP's optional whitespace).
    private static func trimmed(_ text: Substring) -> Substring {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = text.utf8.firstIndex(where: { !blank($0) }), let last = text.utf8.lastIndex(where: { !blank($0) }) else {
            return ""
        }
        return text[first...last]
    }

    /// Whether this range admits a plain `application/json` answer (`application/json`,
    /// `application/*`, `*/*`, with no parameters asking for another shape such as a Table).
    var acceptsPlainJSON: Bool {
        guard quality > 0 else { return false }
        let typeMatches = type == "*" || (type == "application" && (subtype == "*" || subtype == "json"))
        let shaped = parameters.keys.contains { $0 == "as" || $0 == "g" || $0 == "v" }
        return typeMatches && !shaped
    }

    /// `v1` or `v1beta1` when this range asks for a `meta.k8s.io` Table in JSON.
    var tableVersion: String? {
        guard quality > 0, type == "application", subtype == "json", parameters["as"] == "Table",
              parameters["g"] == "meta.k8s.io", let version = parameters["v"], version == "v1" || version == "v1beta1"
        else { return nil }
        return version
    }

    /// Whether this range asks for aggregated discovery, apidiscovery.k8s.io/v2.
    var isAggregatedDiscoveryV2: Bool {
        type == "application" && subtype == "json" && parameters["g"] == "apidiscovery.k8s.io"
            && parameters["v"] == "v2" && parameters["as"] == "APIGroupDiscoveryList" && quality > 0
    }
}

/// What an `Accept` header allows the server to answer.
struct AcceptHeader: Sendable {
    var ranges: [MediaRange]

    private static let anything = [MediaRange("*/*")!]
    private static let json = [MediaRange(Substring(MediaType.json))!]

    /// A missing or empty header accepts anything.
    init(_ header: String?) {
        switch header {
        case nil, ""?: ranges = Self.anything
        // What most clients send with every request: parsed once.
        case MediaType.json?: ranges = Self.json
        case let text?:
            ranges = text.split(separator: ",").compactMap(MediaRange.init)
            if ranges.isEmpty { ranges = Self.anything }
        }
    }

    /// Whether a plain JSON answer is acceptable. Every client the server targets lists JSON as
    /// a fallback after protobuf or Table; one that accepts only those gets 406.
    var acceptsJSON: Bool { ranges.contains { $0.acceptsPlainJSON } }

    /// The `meta.k8s.io` version of the Table asked for (`v1` or `v1beta1`) when a Table is
    /// preferred over plain JSON — kubectl lists the Tables first and JSON last.
    var preferredTableVersion: String? {
        guard let table = ranges.firstIndex(where: { $0.tableVersion != nil }) else { return nil }
        if let plain = ranges.firstIndex(where: \.acceptsPlainJSON), plain < table { return nil }
        return ranges[table].tableVersion
    }

    /// Whether aggregated discovery (v2) is preferred over a plain JSON answer: it is, when
    /// asked for at all, as kube-apiserver serves the first range it can.
    var prefersAggregatedDiscovery: Bool {
        guard let aggregated = ranges.firstIndex(where: \.isAggregatedDiscoveryV2) else { return false }
        guard let plain = ranges.firstIndex(where: \.acceptsPlainJSON) else { return true }
        return aggregated < plain
    }
}

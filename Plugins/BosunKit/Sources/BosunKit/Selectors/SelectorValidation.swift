// Label key and value checks for selectors (delegating to Validation, one implementation of
// IsQualifiedName and IsValidLabelValue), and the `field.Error` / aggregate formatting
// that labels.NewRequirement reports through.

enum SelectorValidation {
    // MARK: Checks

    /// `IsQualifiedName`, as labels.NewRequirement checks keys.
    static func labelKeyErrors(_ key: String) -> [String] { Validation.isQualifiedName(key) }

    /// `IsValidLabelValue`.
    static func labelValueErrors(_ value: String) -> [String] { Validation.isValidLabelValue(value) }

    // MARK: field.Error formatting

    /// `field.Invalid(path, value, detail).Error()`.
    static func invalid(_ path: String, _ value: String, _ detail: String) -> String {
        path + ": Invalid value: " + goQuoted(value) + ": " + detail
    }

    /// `field.Invalid` for a list of strings (rendered as JSON, as upstream does).
    static func invalid(_ path: String, _ values: [String], _ detail: String) -> String {
        path + ": Invalid value: [" + values.map(goQuoted).joined(separator: ",") + "]: " + detail
    }

    /// `utilerrors.NewAggregate(...).Error()`: one message as is, several deduplicated in brackets.
    static func aggregate(_ messages: [String]) -> String? {
        var seen = Set<String>()
        let unique = messages.filter { seen.insert($0).inserted }
        switch unique.count {
        case 0: return nil
        case 1: return unique[0]
        default: return "[" + unique.joined(separator: ", ") + "]"
        }
    }

    static func goQuoted(_ s: String) -> String { GoFormat.quoted(s) }

    static func parseInt64(_ s: String) -> Int64? { GoFormat.parseInt64(s) }
}

extension String {
    /// Byte-wise ordering, as Go compares strings.
    @inline(__always)
    func bytewiseLess(_ other: String) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }
}

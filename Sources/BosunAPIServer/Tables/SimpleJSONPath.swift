import BosunKit
import Foundation

/// The JSONPath of a CRD's `additionalPrinterColumns`: a chain of `.field`, `[n]`, `[*]` and
/// `[?(@.field=="value")]` steps from the object, as the apiextensions validation allows them
/// (a path that does not start with `.` or holds anything else is rejected at CRD creation).
struct SimpleJSONPath: Sendable {
    enum Step: Sendable {
        case field(String)
        case index(Int)
        case all
        case filter(path: [String], value: String)
    }

    var steps: [Step]

    init?(_ text: String) {
        var rest = Substring(text.hasPrefix("{") && text.hasSuffix("}") ? String(text.dropFirst().dropLast()) : text)
        steps = []
        while let first = rest.first {
            if first == "." {
                rest.removeFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { return nil }
                steps.append(.field(String(name)))
                rest = rest.dropFirst(name.count)
            } else if first == "[" {
                guard let close = Self.closingBracket(rest) else { return nil }
                let inner = rest[rest.index(after: rest.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                rest = rest[rest.index(after: close)...]
                if inner == "*" {
                    steps.append(.all)
                } else if let index = Int(inner) {
                    steps.append(.index(index))
                } else if inner.hasPrefix("?(@."), inner.hasSuffix(")"), let eq = inner.range(of: "==") {
                    let field = inner[inner.index(inner.startIndex, offsetBy: 4)..<eq.lowerBound].trimmingCharacters(in: .whitespaces)
                    var value = inner[eq.upperBound..<inner.index(before: inner.endIndex)].trimmingCharacters(in: .whitespaces)
                    guard value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote
                    else { return nil }
                    value = String(value.dropFirst().dropLast())
                    steps.append(.filter(path: field.split(separator: ".").map(String.init), value: value))
                } else if inner.count >= 2, let quote = inner.first, quote == "'" || quote == "\"", inner.last == quote {
                    steps.append(.field(String(inner.dropFirst().dropLast())))
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
    }

    /// Every value the path reaches, in document order.
    func results(in value: JSONValue) -> [JSONValue] {
        var current = [value]
        for step in steps {
            current = current.flatMap { v -> [JSONValue] in
                switch step {
                case .field(let name): return v[name].map { [$0] } ?? []
                case .index(let i):
                    guard let items = v.arrayValue else { return [] }
                    let at = i < 0 ? items.count + i : i
                    return items.indices.contains(at) ? [items[at]] : []
                case .all: return v.arrayValue ?? v.objectValue?.members.map(\.value) ?? []
                case .filter(let path, let expected):
                    return (v.arrayValue ?? []).filter { item in
                        guard let found = item[path: path] else { return false }
                        return (found.stringValue ?? found.description) == expected
                    }
                }
            }
        }
        return current
    }

    private static func closingBracket(_ text: Substring) -> Substring.Index? {
        var quote: Character?
        for index in text.indices.dropFirst() {
            let c = text[index]
            if let q = quote { if c == q { quote = nil } } else if c == "'" || c == "\"" { quote = c } else if c == "]" { return index }
        }
        return nil
    }
}

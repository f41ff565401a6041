import BosunKit

/// A custom resource's Table: NAME, then its version's `additionalPrinterColumns` (AGE of
/// `.metadata.creationTimestamp` when it declares none), as the apiextensions table convertor
/// builds it: `date` cells become ages, a path that finds nothing is an empty cell.
enum CustomResourcePrinter {
    struct Column: Sendable {
        var definition: TableColumn
        var path: SimpleJSONPath?
    }

    static func printer(crd: JSONValue, version: String) -> TablePrinter {
        let served = crd.array("spec", "versions").first { $0.string("name") == version }
        var declared = (served?.array("additionalPrinterColumns") ?? []).map { c in
            Column(definition: TableColumn(name: c.string("name"), type: c.string("type"), format: c.string("format"),
                                           description: c.string("description"), priority: Int(c.int("priority"))),
                   path: SimpleJSONPath(c.string("jsonPath")))
        }
        if declared.isEmpty {
            declared = [Column(definition: TableColumn(name: "Age", type: "date", description: TableColumn.age.description),
                              path: SimpleJSONPath(".metadata.creationTimestamp"))]
        }
        let columns = declared
        return TablePrinter(columns: [.name] + columns.map(\.definition)) { object, now in
            TableRow(cells: [.string(object.name)] + columns.map { cell($0, object, now) })
        }
    }

    private static func cell(_ column: Column, _ object: JSONValue, _ now: Time) -> JSONValue {
        guard let value = column.path?.results(in: object).first, !value.isNull else { return .null }
        if column.definition.type == "date", let text = value.stringValue {
            return .string(HumanDuration.since(.string(text), now: now))
        }
        switch value {
        case .string, .number, .bool: return value
        default: return .string(value.description)
        }
    }
}

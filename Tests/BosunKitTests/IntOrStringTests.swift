import Testing

@testable import BosunKit

@Suite struct IntOrStringTests {
    @Test func literals() {
        let port: IntOrString = 8080
        let name: IntOrString = "http"
        #expect(port == .int(8080))
        #expect(name == .string("http"))
        #expect(port != name)
        #expect(Set<IntOrString>([1, 1, "1"]).count == 2)
    }

    @Test func jsonRoundTrip() throws {
        #expect(IntOrString.int(93).jsonString() == "93")
        #expect(IntOrString.int(-1).jsonString() == "-1")
        #expect(IntOrString.string("76").jsonString() == "\"76\"")
        #expect(IntOrString.string("25%").jsonString() == "\"25%\"")
        #expect(try IntOrString(jsonString: "93") == .int(93))
        #expect(try IntOrString(jsonString: "\"76\"") == .string("76"))
        #expect(try IntOrString(jsonString: "\"\"") == .string(""))
        #expect(try IntOrString(jsonString: "2147483647") == .int(.max))
        #expect(try IntOrString(jsonString: "-2147483648") == .int(.min))
        for value: IntOrString in [0, 1, -7, .int(.max), "", "http", "25%", "\"quoted\""] {
            #expect(try IntOrString(jsonString: value.jsonString()) == value)
        }
    }

    @Test(arguments: ["2147483648", "1.5", "true", "null", "[]", "{}"])
    func rejectsNonIntegerJSON(_ json: String) {
        #expect(throws: JSONError.self) { try IntOrString(jsonString: json) }
    }

    @Test func decodeErrorMessages() {
        do {
            _ = try IntOrString(json: .bool(true))
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "expected integer or string, got boolean true")
        }
        do {
            _ = try IntOrString(json: .number(.int(1 << 40)))
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "value 1099511627776 does not fit in a 32-bit integer")
        }
    }

    @Test func insideObjects() throws {
        let spec = try [String: IntOrString](jsonString: #"{"maxSurge": "25%", "maxUnavailable": 0}"#)
        #expect(spec["maxSurge"] == "25%")
        #expect(spec["maxUnavailable"] == 0)
        #expect(spec.jsonString() == #"{"maxSurge":"25%","maxUnavailable":0}"#)
    }

    @Test func descriptionAndIntValue() {
        #expect(IntOrString.int(42).description == "42")
        #expect(IntOrString.int(-3).description == "-3")
        #expect(IntOrString.string("http").description == "http")
        #expect(IntOrString.int(42).intValue == 42)
        #expect(IntOrString.string("17").intValue == 17)
        #expect(IntOrString.string("+17").intValue == 17)
        #expect(IntOrString.string("-17").intValue == -17)
        #expect(IntOrString.string("http").intValue == 0)
        #expect(IntOrString.string("").intValue == 0)
    }

    @Test func parsing() {
        #expect(IntOrString(parsing: "80") == .int(80))
        #expect(IntOrString(parsing: "-80") == .int(-80))
        #expect(IntOrString(parsing: "http") == .string("http"))
        #expect(IntOrString(parsing: "25%") == .string("25%"))
        #expect(IntOrString(parsing: "") == .string(""))
        #expect(IntOrString(parsing: "4294967296") == .string("4294967296"))
    }

    // Upstream TestGetIntFromIntOrPercent / TestGetScaledValueFromIntOrPercent.
    @Test(arguments: [
        (IntOrString.int(123), 0, false, 123), (.string("90%"), 100, true, 90), (.string("90%"), 95, true, 86),
        (.string("90%"), 95, false, 85), (.string("%"), 0, false, 0), (.string("25%"), 10, true, 3),
        (.string("25%"), 10, false, 2), (.string("0%"), 10, true, 0), (.string("100%"), 7, false, 7),
        (.string("-10%"), 15, true, -1), (.string("-10%"), 15, false, -2), (.string("33%"), 3, true, 1),
        (.string("33%"), 3, false, 0), (.string("+50%"), 9, true, 5), (.int(-5), 100, true, -5),
    ] as [(IntOrString, Int, Bool, Int)])
    func scaledValue(_ value: IntOrString, _ total: Int, _ roundUp: Bool, _ expect: Int) throws {
        if case .string("%") = value {
            // A bare "%" has no number: upstream's Atoi error.
            #expect(throws: IntOrStringError("invalid value \"%\": strconv.Atoi: parsing \"\": invalid syntax")) {
                try value.scaledValue(total: total, roundUp: roundUp)
            }
            return
        }
        #expect(try value.scaledValue(total: total, roundUp: roundUp) == expect)
    }

    @Test func scaledValueErrors() {
        #expect(throws: IntOrStringError("invalid type: string is not a percentage")) {
            try IntOrString.string("90").scaledValue(total: 100, roundUp: true)
        }
        let notPercent = IntOrStringError("invalid type: string is not a percentage")
        #expect(notPercent.description == "invalid value for IntOrString: invalid type: string is not a percentage")
        #expect(throws: IntOrStringError("invalid value \"#%\": strconv.Atoi: parsing \"#\": invalid syntax")) {
            try IntOrString.string("#%").scaledValue(total: 100, roundUp: true)
        }
        #expect(throws: IntOrStringError("invalid value \"1.5%\": strconv.Atoi: parsing \"1.5\": invalid syntax")) {
            try IntOrString.string("1.5%").scaledValue(total: 100, roundUp: false)
        }
        #expect(
            throws: IntOrStringError(
                "invalid value \"99999999999999999999%\": strconv.Atoi: parsing \"99999999999999999999\": value out of range")
        ) {
            try IntOrString.string("99999999999999999999%").scaledValue(total: 100, roundUp: false)
        }
        #expect(throws: IntOrStringError("invalid value \"\\\"x\\\"%\": strconv.Atoi: parsing \"\\\"x\\\"\": invalid syntax")) {
            try IntOrString.string("\"x\"%").scaledValue(total: 1, roundUp: false)
        }
    }

    @Test func scaledValueSaturatesInsteadOfTrapping() throws {
        #expect(try IntOrString.string("9223372036854775807%").scaledValue(total: .max, roundUp: true) == .max)
        #expect(try IntOrString.string("-9223372036854775808%").scaledValue(total: .max, roundUp: false) == .min)
    }
}

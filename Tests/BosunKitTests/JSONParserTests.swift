import Testing

@testable import BosunKit

@Suite("JSON parser")
struct JSONParserTests {
    @Test func parsesEveryValueKind() throws {
        let v = try JSONParser.parse(#"{"a":[1,-2,3.5,1e3,true,false,null,"x\n\u00e9\ud83d\ude00"],"b":{}}"#)
        #expect(v["a"] == [1, -2, 3.5, 1000.0, true, false, nil, "x\né😀"])
        #expect(v["b"] == .object(JSONObject()))
    }

    @Test func keepsKeyOrderButComparesAsJSON() throws {
        let a = try JSONParser.parse(#"{"z":1,"a":2}"#)
        let b = try JSONParser.parse(#"{"a":2,"z":1.0}"#)
        #expect(a == b)
        #expect(a.objectValue?.keys == ["z", "a"])
        #expect(a.description == #"{"z":1,"a":2}"#)
    }

    @Test func integersStayExactBeyondDoublePrecision() throws {
        let v = try JSONParser.parse("[9007199254740993, -9223372036854775808, 18446744073709551616]")
        #expect(v.arrayValue?[0].int64Value == 9_007_199_254_740_993)
        #expect(v.arrayValue?[1].int64Value == .min)
        #expect(v.arrayValue?[2].doubleValue == 18_446_744_073_709_551_616)
    }

    @Test(arguments: [
        ("{", "unexpected end of input in object"),
        ("[1,]", "unexpected character ']'"),
        ("{\"a\" 1}", "expected ':' after object key"),
        ("\"abc", "unterminated string"),
        ("tru", "unexpected end of input"),
        ("01", "unexpected data after the top-level value"),
        ("1.", "invalid number: no digits after '.'"),
        ("\"\\x\"", "invalid escape sequence"),
        ("\"a\u{01}\"", "control character in string"),
        ("{} {}", "unexpected data after the top-level value"),
    ])
    func rejectsMalformedText(text: String, message: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try JSONParser.parse("{\n  \"a\": 1,\n  \"b\": ]\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 8)
            #expect(error.description == "invalid JSON at line 3, column 8: unexpected character ']'")
        }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
    }

    @Test func deepNestingFailsCleanly() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        do {
            _ = try JSONParser.parse(deep)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "nesting deeper than 1000 levels")
        }
    }

    @Test func writerEscapesAndRoundTrips() throws {
        let original: JSONValue = ["s": "quote \" backslash \\ newline \n tab \t bell \u{07} é", "n": -12, "d": 0.25]
        let text = original.description
        #expect(text.contains(#"\u0007"#))
        #expect(try JSONParser.parse(text) == original)
    }
}

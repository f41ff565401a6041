import Testing

@testable import BosunKit

// Cases follow upstream k8s.io/apimachinery/pkg/labels/selector_test.go and
// pkg/apis/meta/v1/helpers_test.go.

@Suite("Label selectors")
struct LabelSelectorTests {
    private func parse(_ s: String) throws -> Selector { try Selector.parse(s) }

    private func parseError(_ s: String) -> String? {
        do {
            _ = try Selector.parse(s)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(
        "good strings round-trip through description",
        arguments: ["x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5"])
    func goodStringsRoundTrip(_ input: String) throws {
        let selector = try parse(input)
        #expect(selector.description == input.replacingSpaces())
    }

    @Test("bad strings are rejected", arguments: ["x=a||y=b", "x==a==b", "!x=a", "x<a"])
    func badStrings(_ input: String) {
        #expect(parseError(input) != nil)
    }

    @Test func deterministicParse() throws {
        #expect(try parse("x=a,a=x").description == parse("a=x,x=a").description)
        #expect(try parse("x=a,a=x") == parse("a=x,x=a"))
    }

    @Test func everythingAndNothing() throws {
        #expect(Selector.everything.matches(["x": "y"]))
        #expect(Selector.everything.matches([:]))
        #expect(Selector.everything.isEmpty)
        #expect(!Selector.nothing.matches(["x": "y"]))
        #expect(!Selector.nothing.matches([:]))
        #expect(!Selector.nothing.isEmpty)
        #expect(Selector.nothing.isNothing)
        #expect(Selector.nothing.description == "")
        #expect(Selector.nothing != Selector.everything)
        #expect(Selector.nothing.adding([LabelRequirement(unchecked: "a", operator: .exists, values: [])]).isNothing)
        #expect(try parse("") == Selector.everything)
    }

    @Test func selectorMatches() throws {
        let cases: [(String, [String: String], Bool)] = [
            ("", ["x": "y"], true),
            ("x=y", ["x": "y"], true),
            ("x=y,z=w", ["x": "y", "z": "w"], true),
            ("x!=y,z!=w", ["x": "z", "z": "a"], true),
            ("notin=in", ["notin": "in"], true),
            ("x", ["x": "z"], true),
            ("!x", ["y": "z"], true),
            ("x>1", ["x": "2"], true),
            ("x<1", ["x": "0"], true),
            ("x=z", [:], false),
            ("x=y", ["x": "z"], false),
            ("x=y,z=w", ["x": "w", "z": "w"], false),
            ("x!=y,z!=w", ["x": "z", "z": "w"], false),
            ("x", ["y": "z"], false),
            ("!x", ["x": "z"], false),
            ("x>1", ["x": "0"], false),
            ("x<1", ["x": "2"], false),
            ("x>1", ["x": "v2"], false),
            ("x>1", [:], false),
            ("x<1", ["x": "-5"], true),
            ("x in (a,b)", ["x": "b"], true),
            ("x in (a,b)", [:], false),
            ("x notin (a,b)", [:], true),
            ("x notin (a,b)", ["x": "a"], false),
            ("x in ()", ["x": ""], true),
            ("x in ()", ["y": "baz"], false),
        ]
        for (selector, labels, expected) in cases {
            #expect(try parse(selector).matches(labels) == expected, "\(selector) against \(labels)")
            #expect(try parse(selector).matches(label: { labels[$0] }) == expected)
        }
        let labelset = ["foo": "bar", "baz": "blah"]
        #expect(try parse("foo=bar").matches(labelset))
        #expect(try parse("baz=blah").matches(labelset))
        #expect(try parse("foo=bar,baz=blah").matches(labelset))
        #expect(try !parse("foo=blah").matches(labelset))
        #expect(try !parse("baz=bar").matches(labelset))
        #expect(try !parse("foo=bar,foobar=bar,baz=blah").matches(labelset))
    }

    @Test func setSelectors() {
        let labelset = ["foo": "bar", "baz": "blah"]
        #expect(Selector(set: [:]).matches(labelset))
        #expect(Selector(set: [:]).isEmpty)
        #expect(Selector(set: ["foo": "bar"]).matches(labelset))
        #expect(Selector(set: ["foo": "bar", "baz": "blah"]).matches(labelset))
        #expect(!Selector(set: ["foo": "=blah"]).matches(labelset))
        #expect(Selector(set: ["b": "2", "a": "1"]).description == "a=1,b=2")
    }

    @Test func requirementConstructor() {
        let cases: [(String, LabelRequirement.Operator, [String], Bool)] = [
            ("x", .in, [], false),
            ("x", .notIn, [], false),
            ("x", .in, ["foo"], true),
            ("x", .notIn, ["foo"], true),
            ("x", .exists, [], true),
            ("x", .doesNotExist, [], true),
            ("1foo", .in, ["bar"], true),
            ("1234", .in, ["bar"], true),
            ("y", .gt, ["1"], true),
            ("z", .lt, ["6"], true),
            ("foo", .gt, ["bar"], false),
            ("barz", .lt, ["blah"], false),
            (String(repeating: "a", count: 254), .exists, [], false),
            ("x", .exists, ["a"], false),
            ("x", .equals, ["a", "b"], false),
            ("x", .gt, ["1", "2"], false),
            ("example.com/x", .exists, [], true),
            ("Example.com/x", .exists, [], false),
            ("/x", .exists, [], false),
            ("a/b/c", .exists, [], false),
            ("x", .equals, [String(repeating: "v", count: 64)], false),
            ("x", .equals, [""], true),
        ]
        for (key, op, values, success) in cases {
            let result = Result { () throws(SelectorError) in try LabelRequirement(key: key, operator: op, values: values) }
            #expect(((try? result.get()) != nil) == success, "\(key) \(op) \(values)")
        }
    }

    @Test func requirementErrorsNameTheProblem() throws {
        #expect(throws: SelectorError("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty")) {
            try LabelRequirement(key: "x", operator: .in, values: [])
        }
        #expect(throws: SelectorError(
            "values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value must be an integer")) {
            try LabelRequirement(key: "foo", operator: .gt, values: ["bar"])
        }
        #expect(throws: SelectorError(
            "values: Invalid value: [\"a\"]: values set must be empty for exists and does not exist")) {
            try LabelRequirement(key: "x", operator: .exists, values: ["a"])
        }
        // Several problems are aggregated in brackets.
        do {
            _ = try LabelRequirement(key: "-x", operator: .equals, values: ["a", "b"])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("[key: Invalid value: \"-x\": name part must consist of"))
            #expect(error.message.contains(", values: Invalid value: [\"a\",\"b\"]: exact-match compatibility requires one single value]"))
        }
        // Key errors are upstream's texts.
        do {
            _ = try LabelRequirement(key: "Bad_Prefix/name", operator: .exists, values: [])
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "key: Invalid value: \"Bad_Prefix/name\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
        }
        do {
            _ = try LabelRequirement(key: "x", operator: .equals, values: ["-bad"])
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "values[0][x]: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
        }
    }

    @Test func toString() throws {
        func r(_ key: String, _ op: LabelRequirement.Operator, _ values: [String]) throws -> LabelRequirement {
            try LabelRequirement(key: key, operator: op, values: values)
        }
        #expect(try Selector([r("x", .in, ["def", "abc"]), r("y", .notIn, ["jkl"]), r("z", .exists, [])]).description
            == "x in (abc,def),y notin (jkl),z")
        #expect(try Selector([r("x", .notIn, ["abc", "def"]), r("y", .notEquals, ["jkl"]), r("z", .doesNotExist, [])])
            .description == "x notin (abc,def),y!=jkl,!z")
        #expect(try Selector([r("x", .notIn, ["abc"]), r("y", .in, ["jkl", "mno"]), r("z", .notIn, [""])]).description
            == "x notin (abc),y in (jkl,mno),z notin ()")
        #expect(try Selector([r("x", .equals, ["abc"]), r("y", .doubleEquals, ["jkl"]), r("z", .notEquals, ["a"]),
            r("z", .exists, [])]).description == "x=abc,y==jkl,z!=a,z")
        #expect(try Selector([r("x", .gt, ["2"]), r("y", .lt, ["8"]), r("z", .exists, [])]).description == "x>2,y<8,z")
        // The in-memory order of values is kept; only the output is sorted.
        #expect(try r("x", .in, ["b", "a"]).values == ["b", "a"])
    }

    @Test func requirementSelectorMatching() throws {
        func r(_ key: String, _ op: LabelRequirement.Operator, _ values: [String]) throws -> LabelRequirement {
            try LabelRequirement(key: key, operator: op, values: values)
        }
        #expect(try Selector([r("x", .in, ["foo"]), r("y", .notIn, ["alpha"])]).matches(["x": "foo", "y": "baz"]))
        #expect(try !Selector([r("x", .in, ["foo"]), r("y", .in, ["alpha"])]).matches(["x": "foo", "y": "baz"]))
        #expect(try Selector([r("x", .notIn, [""]), r("y", .exists, [])]).matches(["y": ""]))
        #expect(try Selector([r("x", .doesNotExist, []), r("y", .exists, [])]).matches(["y": ""]))
        #expect(try !Selector([r("x", .notIn, [""]), r("y", .doesNotExist, [])]).matches(["y": ""]))
        #expect(try !Selector([r("x", .in, [""])]).matches(["y": "baz"]))
        #expect(try Selector([r("z", .gt, ["1"])]).matches(["z": "2"]))
        #expect(try !Selector([r("z", .gt, ["1"])]).matches(["z": "v2"]))
    }

    @Test func setSelectorParser() throws {
        // (input, expected canonical description or nil when invalid)
        let cases: [(String, String?)] = [
            ("", ""),
            ("\rx", "x"),
            ("this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash"),
            ("this-is-another-dns.domain.com/key-with-dash in (so,what)",
             "this-is-another-dns.domain.com/key-with-dash in (so,what)"),
            ("0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)", "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)"),
            ("foo  in\t (abc)", "foo in (abc)"),
            ("x notin\n (abc)", "x notin (abc)"),
            ("x  notin\t\t\t(abc,def)", "x notin (abc,def)"),
            ("x in (abc,def)", "x in (abc,def)"),
            ("x in (abc,)", "x in (,abc)"),
            ("x in ()", "x in ()"),
            ("x notin (abc,def),bar,z in (),w", "bar,w,x notin (abc,def),z in ()"),
            ("x,y in (a)", "x,y in (a)"),
            ("x=a", "x=a"),
            ("x>1", "x>1"),
            ("x<7", "x<7"),
            ("x=a,y!=b", "x=a,y!=b"),
            ("x=a,y!=b,z in (h,i,j)", "x=a,y!=b,z in (h,i,j)"),
            ("x=a||y=b", nil),
            ("x,,y", nil),
            (",x,y", nil),
            ("x nott in (y)", nil),
            ("x notin ( )", "x notin ()"),
            ("x notin (, a)", "x notin (,a)"),
            ("a in (xyz),", nil),
            ("a in (xyz)b notin ()", nil),
            ("a ", "a"),
            ("a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"),
            ("a in (xyz abc)", nil),
            ("a notin(", nil),
            ("a (", nil),
            ("(", nil),
            ("x in (a,,b)", "x in (,a,b)"),
            ("x in (b,a,b)", "x in (a,b)"),
            ("in in (in)", "in in (in)"),
            ("x=in", "x=in"),
        ]
        for (input, expected) in cases {
            if let expected {
                #expect(try parse(input).description == expected, "\(input)")
            } else {
                #expect(parseError(input) != nil, "\(input) should not parse")
            }
        }
        // Parsed values are sorted and deduplicated; "x notin (abc,,def)" holds the empty value.
        let selector = try parse("x notin (def,abc,,abc)")
        #expect(selector.requirements == [LabelRequirement(unchecked: "x", operator: .notIn, values: ["", "abc", "def"])])
    }

    @Test func parseErrorMessages() {
        #expect(parseError("x==a==b") == "found '==', expected: ',' or 'end of string'")
        #expect(parseError("!x=a") == "found '=', expected: ',' or 'end of string'")
        #expect(parseError("x,,y") == "found ',', expected: identifier after ','")
        #expect(parseError(",x") == "found ',', expected: !, identifier, or 'end of string'")
        #expect(parseError("a in (xyz),") == "found '', expected: identifier after ','")
        #expect(parseError("x nott in (y)") == "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt")
        #expect(parseError("a in (xyz abc)") == "unable to parse requirement: found 'abc', expected: ',' or ')'")
        #expect(parseError("a notin(") == "unable to parse requirement: found '', expected: ',', ')' or identifier")
        #expect(parseError("a in x") == "unable to parse requirement: found 'x' expected: '('")
        #expect(parseError("a in (x,") == "unable to parse requirement: found '', expected: ',', or identifier")
        #expect(parseError("x=(") == "unable to parse requirement: found '(', expected: identifier")
        #expect(parseError("!") == "unable to parse requirement: found '', expected: identifier")
        #expect(parseError("x<a") == "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer")
        #expect(parseError("x>-1")?.hasPrefix("unable to parse requirement: values[0][x]: Invalid value: \"-1\": a valid label must be") == true)
        let badKey = parseError("-x=a")
        #expect(badKey?.hasPrefix("unable to parse requirement: key: Invalid value: \"-x\": name part must consist of alphanumeric characters") == true)
        let longName = parseError(String(repeating: "k", count: 64))
        #expect(longName?.contains("name part must be no more than 63 characters") == true)
        #expect(parseError("x=a b") == "found 'b', expected: ',' or 'end of string'")
    }

    @Test func requiresExactMatch() throws {
        #expect(try parse("a=b").requiresExactMatch("a") == "b")
        #expect(try parse("a==b").requiresExactMatch("a") == "b")
        #expect(try parse("a in (b)").requiresExactMatch("a") == "b")
        #expect(try parse("a in (b,c)").requiresExactMatch("a") == nil)
        #expect(try parse("a!=b").requiresExactMatch("a") == nil)
        #expect(try parse("x=y").requiresExactMatch("a") == nil)
        #expect(Selector.nothing.requiresExactMatch("a") == nil)
    }

    @Test func adding() throws {
        let base = try Selector([LabelRequirement(key: "key", operator: .in, values: ["value"])])
        let more = try base.adding([LabelRequirement(key: "a", operator: .equals, values: ["value2"])])
        #expect(more.requirements.map(\.key) == ["a", "key"])
        #expect(more.description == "a=value2,key in (value)")
    }

    // MARK: Struct form (metav1.LabelSelectorAsSelector)

    @Test func structFormEmptyIsEverything() throws {
        #expect(try Selector(matchLabels: nil, matchExpressions: nil) == .everything)
        #expect(try Selector(matchLabels: [:], matchExpressions: []).isEmpty)
    }

    @Test func structFormCompiles() throws {
        let selector = try Selector(
            matchLabels: ["foo": "bar", "baz": "blah"],
            matchExpressions: [
                (key: "tier", operator: "In", values: ["fe", "be"]),
                (key: "env", operator: "NotIn", values: ["prod"]),
                (key: "gpu", operator: "Exists", values: []),
                (key: "legacy", operator: "DoesNotExist", values: []),
            ])
        #expect(selector.description == "baz=blah,env notin (prod),foo=bar,gpu,!legacy,tier in (be,fe)")
        #expect(selector.matches(["foo": "bar", "baz": "blah", "tier": "fe", "gpu": "1"]))
        #expect(!selector.matches(["foo": "bar", "baz": "blah", "tier": "fe", "gpu": "1", "env": "prod"]))
        #expect(!selector.matches(["foo": "bar", "baz": "blah", "tier": "fe", "gpu": "1", "legacy": ""]))
        #expect(!selector.matches(["foo": "bar", "baz": "blah", "tier": "qa", "gpu": "1"]))
        #expect(!selector.matches(["foo": "bar", "baz": "blah", "tier": "fe"]))
        // Values keep their given order in memory.
        #expect(selector.requirements.last?.values == ["fe", "be"])
    }

    @Test func structFormErrors() {
        #expect(throws: SelectorError("\"Foo\" is not a valid label selector operator")) {
            try Selector(matchLabels: nil, matchExpressions: [(key: "a", operator: "Foo", values: [])])
        }
        #expect(throws: SelectorError("\"in\" is not a valid label selector operator")) {
            try Selector(matchLabels: nil, matchExpressions: [(key: "a", operator: "in", values: ["x"])])
        }
        #expect(throws: SelectorError("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty")) {
            try Selector(matchLabels: nil, matchExpressions: [(key: "a", operator: "In", values: [])])
        }
        #expect(throws: SelectorError("values: Invalid value: [\"x\"]: values set must be empty for exists and does not exist")) {
            try Selector(matchLabels: nil, matchExpressions: [(key: "a", operator: "Exists", values: ["x"])])
        }
        #expect(throws: SelectorError.self) {
            try Selector(matchLabels: ["bad key": "v"], matchExpressions: nil)
        }
        #expect(throws: SelectorError.self) {
            try Selector(matchLabels: ["k": "bad value"], matchExpressions: nil)
        }
    }

    @Test func apiTypeCompiles() throws {
        let api = LabelSelector(
            matchExpressions: [
                LabelSelectorRequirement(key: "tier", operator: "In", values: ["fe"]),
                LabelSelectorRequirement(key: "gpu", operator: "Exists"),
            ],
            matchLabels: ["app": "web"])
        let selector = try api.compiled()
        #expect(selector.description == "app=web,gpu,tier in (fe)")
        #expect(selector.matches(["app": "web", "gpu": "", "tier": "fe"]))
        #expect(try LabelSelector().compiled() == .everything)
        #expect(try Selector(compiling: nil) == .nothing)
        #expect(try Selector(compiling: LabelSelector()) == .everything)
        #expect(throws: SelectorError("\"Foo\" is not a valid label selector operator")) {
            try LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "a", operator: "Foo")]).compiled()
        }
        #expect(throws: SelectorError("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty")) {
            try LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "a", operator: "NotIn")]).compiled()
        }
    }

    @Test func parseIntLikeGo() {
        #expect(SelectorValidation.parseInt64("42") == 42)
        #expect(SelectorValidation.parseInt64("+42") == 42)
        #expect(SelectorValidation.parseInt64("-42") == -42)
        #expect(SelectorValidation.parseInt64("9223372036854775807") == .max)
        #expect(SelectorValidation.parseInt64("-9223372036854775808") == .min)
        #expect(SelectorValidation.parseInt64("9223372036854775808") == nil)
        #expect(SelectorValidation.parseInt64("") == nil)
        #expect(SelectorValidation.parseInt64("-") == nil)
        #expect(SelectorValidation.parseInt64("1a") == nil)
        #expect(SelectorValidation.parseInt64(" 1") == nil)
    }

    @Test func matchingManyObjects() throws {
        // A smoke test of the hot path: 150k label sets against a mixed selector.
        let selector = try parse("app=web,tier in (fe,be),!canary,version>2")
        var labels: [[String: String]] = []
        for i in 0..<150_000 {
            labels.append(["app": i % 2 == 0 ? "web" : "db", "tier": i % 3 == 0 ? "fe" : "qa", "version": String(i % 5)])
        }
        let matched = labels.reduce(0) { $0 + (selector.matches($1) ? 1 : 0) }
        #expect(matched == (0..<150_000).filter { $0 % 2 == 0 && $0 % 3 == 0 && $0 % 5 > 2 }.count)
    }
}

extension String {
    fileprivate func replacingSpaces() -> String { String(filter { $0 != " " }) }
}

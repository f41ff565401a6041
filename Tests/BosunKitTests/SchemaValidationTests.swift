import Testing
@testable import BosunKit

/// Schemas and objects written as JSON, and the messages `CustomResourceSchema.validate` returns.
enum SchemaTestSupport {
    static func schema(_ json: String) throws -> CustomResourceSchema {
        CustomResourceSchema(try JSONSchemaProps(jsonString: json))
    }

    static func value(_ json: String) throws -> JSONValue { try JSONParser.parse(json) }

    static func messages(_ schema: CustomResourceSchema, _ json: String) throws -> [String] {
        schema.validate(try value(json)).map(\.description)
    }

    /// `{"type":"object","properties":{"spec":{"type":"object","properties":{<name>: <property>}}}}`.
    static func specSchema(_ name: String, _ property: String, required: [String] = []) throws -> CustomResourceSchema {
        let req = required.isEmpty ? "" : #","required":["# + required.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        return try schema(#"{"type":"object","properties":{"spec":{"type":"object","properties":{""#
                          + name + #"":"# + property + "}" + req + "}}}")
    }
}

@Suite struct SchemaKeywordTests {
    typealias S = SchemaTestSupport

    @Test func typeMismatch() throws {
        let schema = try S.specSchema("replicas", #"{"type":"integer"}"#)
        #expect(try S.messages(schema, #"{"spec":{"replicas":"3"}}"#) == [
            #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
        ])
        #expect(try S.messages(schema, #"{"spec":{"replicas":3}}"#).isEmpty)
        let error = try #require(schema.validate(try S.value(#"{"spec":{"replicas":"3"}}"#)).first)
        #expect(error.field == FieldPath("spec.replicas"))
        #expect(error.kind == .typeInvalid)
        // An integral float is an integer (swag.IsFloat64AJSONInteger); 2.5 is not.
        #expect(try S.messages(schema, #"{"spec":{"replicas":2.0}}"#).isEmpty)
        #expect(try S.messages(schema, #"{"spec":{"replicas":2.5}}"#) == [
            #"spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number""#,
        ])
        #expect(try S.messages(schema, #"{"spec":[]}"#) == [
            #"spec: Invalid value: "array": spec in body must be of type object: "array""#,
        ])
    }

    @Test func required() throws {
        let schema = try S.schema(#"""
            {"type":"object","required":["spec"],"properties":{"spec":{"type":"object","required":["cronSpec","image"],
             "properties":{"cronSpec":{"type":"string"},"image":{"type":"string"}}}}}
            """#)
        #expect(try S.messages(schema, #"{"spec":{"image":"x"}}"#) == ["spec.cronSpec: Required value"])
        #expect(try S.messages(schema, #"{"spec":{}}"#) == ["spec.cronSpec: Required value", "spec.image: Required value"])
        #expect(try S.messages(schema, #"{"kind":"CronTab"}"#) == ["spec: Required value"])
        // A present null satisfies `required` (the type check reports it instead).
        #expect(try S.messages(schema, #"{"spec":{"image":"x","cronSpec":null}}"#) == [
            #"spec.cronSpec: Invalid value: "null": spec.cronSpec in body must be of type string: "null""#,
        ])
    }

    @Test func enumValues() throws {
        let size = try S.specSchema("size", #"{"type":"string","enum":["small","large"]}"#)
        #expect(try S.messages(size, #"{"spec":{"size":"huge"}}"#) == [
            #"spec.size: Unsupported value: "huge": supported values: "small", "large""#,
        ])
        #expect(try S.messages(size, #"{"spec":{"size":"large"}}"#).isEmpty)
        #expect(try S.messages(size, #"{"spec":{"size":true}}"#) == [
            #"spec.size: Invalid value: "boolean": spec.size in body must be of type string: "boolean""#,
            #"spec.size: Unsupported value: true: supported values: "small", "large""#,
        ])
        let count = try S.specSchema("n", #"{"type":"integer","enum":[1,2]}"#)
        #expect(try S.messages(count, #"{"spec":{"n":"x"}}"#) == [
            #"spec.n: Invalid value: "string": spec.n in body must be of type integer: "string""#,
            #"spec.n: Unsupported value: "x": supported values: "1", "2""#,
        ])
        #expect(try S.messages(count, #"{"spec":{"n":2.0}}"#).isEmpty)  // float64 converts to int64
        #expect(try S.messages(count, #"{"spec":{"n":3}}"#) == [#"spec.n: Unsupported value: 3: supported values: "1", "2""#])
        let nullable = try S.specSchema("mode", #"{"type":"string","nullable":true,"enum":["a"]}"#)
        #expect(try S.messages(nullable, #"{"spec":{"mode":null}}"#) == [#"spec.mode: Unsupported value: "null": supported values: "a""#])
    }

    @Test func numericBounds() throws {
        let replicas = try S.specSchema("replicas", #"{"type":"integer","minimum":1,"maximum":10}"#)
        #expect(try S.messages(replicas, #"{"spec":{"replicas":20}}"#) == [
            "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10",
        ])
        #expect(try S.messages(replicas, #"{"spec":{"replicas":0}}"#) == [
            "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
        ])
        #expect(try S.messages(replicas, #"{"spec":{"replicas":10}}"#).isEmpty)
        let exclusive = try S.specSchema("n", #"{"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":2.5,"exclusiveMaximum":true}"#)
        #expect(try S.messages(exclusive, #"{"spec":{"n":2.5}}"#) == ["spec.n: Invalid value: 2.5: spec.n in body should be less than 2.5"])
        #expect(try S.messages(exclusive, #"{"spec":{"n":0}}"#) == ["spec.n: Invalid value: 0: spec.n in body should be greater than 0"])
        // Integers are compared with the bound truncated to int64, floats with the float bound.
        let half = try S.specSchema("n", #"{"type":"number","maximum":2.5}"#)
        #expect(try S.messages(half, #"{"spec":{"n":3}}"#) == ["spec.n: Invalid value: 3: spec.n in body should be less than or equal to 2"])
        let big = try S.specSchema("n", #"{"type":"number","maximum":1000000}"#)
        #expect(try S.messages(big, #"{"spec":{"n":2.5e6}}"#) == [
            "spec.n: Invalid value: 2.5e+06: spec.n in body should be less than or equal to 1e+06",
        ])
    }

    @Test func multipleOf() throws {
        let five = try S.specSchema("n", #"{"type":"integer","multipleOf":5}"#)
        #expect(try S.messages(five, #"{"spec":{"n":7}}"#) == ["spec.n: Invalid value: 7: spec.n in body should be a multiple of 5"])
        #expect(try S.messages(five, #"{"spec":{"n":-15}}"#).isEmpty)
        let half = try S.specSchema("n", #"{"type":"number","multipleOf":0.5}"#)
        #expect(try S.messages(half, #"{"spec":{"n":1.5}}"#).isEmpty)
        #expect(try S.messages(half, #"{"spec":{"n":0.75}}"#) == [
            "spec.n: Invalid value: 0.75: spec.n in body should be a multiple of 0.5",
        ])
    }

    @Test func pattern() throws {
        let schema = try S.specSchema("name", #"{"type":"string","pattern":"^[a-z]+$"}"#)
        #expect(try S.messages(schema, #"{"spec":{"name":"x1"}}"#) == [
            #"spec.name: Invalid value: "x1": spec.name in body should match '^[a-z]+$'"#,
        ])
        #expect(try S.messages(schema, #"{"spec":{"name":"abc"}}"#).isEmpty)
        // Go's `$` is the end of the text, not "before a final newline".
        #expect(try S.messages(schema, #"{"spec":{"name":"abc\n"}}"#).count == 1)
        let invalid = try S.specSchema("name", #"{"type":"string","pattern":"+"}"#)
        #expect(try S.messages(invalid, #"{"spec":{"name":"foo"}}"#) == [
            "spec.name: Invalid value: \"\": spec.name in body should match '+, but pattern is invalid: error parsing regexp: missing argument to repetition operator: `+`'",
        ])
    }

    @Test func stringLengths() throws {
        let schema = try S.specSchema("name", #"{"type":"string","minLength":3,"maxLength":5,"pattern":"^[a-z]+$"}"#)
        #expect(try S.messages(schema, #"{"spec":{"name":"abcdefg"}}"#) == ["spec.name: Too long: may not be more than 5 bytes"])
        #expect(try S.messages(schema, #"{"spec":{"name":"ab"}}"#) == [
            #"spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long"#,
        ])
        // Only the first failing string keyword is reported.
        #expect(try S.messages(schema, #"{"spec":{"name":"AB"}}"#).count == 1)
        // Lengths count characters (runes), not bytes.
        let five = try S.specSchema("name", #"{"type":"string","maxLength":5}"#)
        #expect(try S.messages(five, #"{"spec":{"name":"héllo"}}"#).isEmpty)
        let one = try S.specSchema("c", #"{"type":"string","maxLength":1}"#)
        #expect(try S.messages(one, #"{"spec":{"c":"ab"}}"#) == ["spec.c: Too long: may not be more than 1 byte"])
    }

    @Test func arrays() throws {
        let schema = try S.specSchema("ports", #"{"type":"array","minItems":2,"maxItems":3,"items":{"type":"integer"}}"#)
        #expect(try S.messages(schema, #"{"spec":{"ports":[80]}}"#) == [
            "spec.ports: Invalid value: 1: spec.ports in body should have at least 2 items",
        ])
        #expect(try S.messages(schema, #"{"spec":{"ports":[1,2,3,4]}}"#) == ["spec.ports: Too many: 4: must have at most 3 items"])
        #expect(try S.messages(schema, #"{"spec":{"ports":[80,"http"]}}"#) == [
            #"spec.ports[1]: Invalid value: "string": spec.ports[1] in body must be of type integer: "string""#,
        ])
        #expect(schema.validate(try S.value(#"{"spec":{"ports":[80,"http"]}}"#)).first?.field
                == FieldPath("spec").child("ports").index(1))
    }

    @Test func objects() throws {
        let labels = try S.specSchema("labels", #"{"type":"object","minProperties":1,"maxProperties":2,"additionalProperties":{"type":"string"}}"#)
        #expect(try S.messages(labels, #"{"spec":{"labels":{}}}"#) == [
            "spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties",
        ])
        #expect(try S.messages(labels, #"{"spec":{"labels":{"a":"1","b":"2","c":"3"}}}"#) == [
            "spec.labels: Too many: 3: must have at most 2 items",
        ])
        #expect(try S.messages(labels, #"{"spec":{"labels":{"a":1}}}"#) == [
            #"spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer""#,
        ])
    }

    @Test func nullable() throws {
        let strict = try S.schema(#"{"properties":{"field":{"type":"object"}}}"#)
        #expect(try S.messages(strict, #"{"field":null}"#) == [
            #"field: Invalid value: "null": field in body must be of type object: "null""#,
        ])
        #expect(try S.messages(strict, #"{"field":42}"#) == [
            #"field: Invalid value: "integer": field in body must be of type object: "integer""#,
        ])
        let nullable = try S.schema(#"{"properties":{"field":{"type":"object","nullable":true}}}"#)
        #expect(try S.messages(nullable, #"{"field":null}"#).isEmpty)
        #expect(try S.messages(nullable, #"{"field":1.2}"#) == [
            #"field: Invalid value: "number": field in body must be of type object: "number""#,
        ])
        let untyped = try S.schema(#"{"properties":{"field":{"nullable":true}}}"#)
        for v in ["null", "\"foo\"", "42", "true", "[]", "{}"] { #expect(try S.messages(untyped, #"{"field":"# + v + "}").isEmpty) }
    }

    @Test func intOrString() throws {
        let schema = try S.schema(#"{"properties":{"field":{"x-kubernetes-int-or-string":true}}}"#)
        #expect(try S.messages(schema, #"{"field":42}"#).isEmpty)
        #expect(try S.messages(schema, #"{"field":"25%"}"#).isEmpty)
        #expect(try S.messages(schema, #"{"field":1.2}"#) == [
            #"field: Invalid value: "number": field in body must be of type integer,string: "number""#,
        ])
        #expect(try S.messages(schema, #"{"field":null}"#) == [
            #"field: Invalid value: "null": field in body must be of type integer,string: "null""#,
        ])
    }

    @Test func formats() throws {
        let email = try S.specSchema("email", #"{"type":"string","format":"email"}"#)
        #expect(try S.messages(email, #"{"spec":{"email":"nope"}}"#) == [
            #"spec.email: Invalid value: "nope": spec.email in body must be of type email: "nope""#,
        ])
        #expect(try S.messages(email, #"{"spec":{"email":"ops@example.com"}}"#).isEmpty)
        // With a format, a non-string value is reported against the format (kube-openapi quirk).
        #expect(try S.messages(email, #"{"spec":{"email":5}}"#) == [
            #"spec.email: Invalid value: "int64": spec.email in body must be of type email: "int64""#,
        ])
        let unsupported = try S.specSchema("x", #"{"type":"string","format":"not-a-format"}"#)
        #expect(try S.messages(unsupported, #"{"spec":{"x":"anything"}}"#).isEmpty)
        let dateTime = try S.specSchema("at", #"{"type":"string","format":"date-time"}"#)
        #expect(try S.messages(dateTime, #"{"spec":{"at":"2024-05-01T10:00:00Z"}}"#).isEmpty)
        #expect(try S.messages(dateTime, #"{"spec":{"at":"2024-13-01T10:00:00Z"}}"#) == [
            #"spec.at: Invalid value: "2024-13-01T10:00:00Z": spec.at in body must be of type date-time: "2024-13-01T10:00:00Z""#,
        ])
    }

    @Test(arguments: [
        ("ipv4", "10.0.0.1", true), ("ipv4", "010.0.0.1", true), ("ipv4", "10.0.0", false), ("ipv4", "::1", false),
        ("ipv6", "::1", true), ("ipv6", "fe80::1:2", true), ("ipv6", "1.2.3.4", false),
        ("cidr", "10.0.0.0/8", true), ("cidr", "10.0.0.0/33", false), ("cidr", "fd00::/64", true),
        ("mac", "00:1a:2b:3c:4d:5e", true), ("mac", "001a.2b3c.4d5e", true), ("mac", "00:1a:2b", false),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", true), ("uuid", "123", false),
        ("uuid4", "123e4567-e89b-42d3-a456-426614174000", true), ("uuid4", "123e4567-e89b-12d3-a456-426614174000", false),
        ("hostname", "example.com", true), ("hostname", "-bad.com", false),
        ("uri", "https://example.com/a?b=c", true), ("uri", "/relative/path", true), ("uri", "relative", false),
        ("date", "2024-02-29", true), ("date", "2023-02-29", false), ("date", "2024-1-01", false),
        ("duration", "1h30m", true), ("duration", "3 days", true), ("duration", "soon", false),
        ("byte", "aGVsbG8=", true), ("byte", "not base64!", false),
        ("quantity", "500m", true), ("quantity", "1.5Gi", true), ("quantity", "lots", false),
        ("isbn10", "0321751043", true), ("isbn13", "978-0321751041", true), ("isbn", "1234567890", false),
        ("creditcard", "4111 1111 1111 1111", true), ("creditcard", "4111 1111 1111 1112", false),
        ("ssn", "123-45-6789", true), ("hexcolor", "#ffaa00", true), ("rgbcolor", "rgb(255, 0, 10)", true),
        ("bsonobjectid", "507f1f77bcf86cd799439011", true), ("password", "anything", true),
    ])
    func formatCheckers(format: String, value: String, valid: Bool) throws {
        let schema = try S.specSchema("v", #"{"type":"string","format":""# + format + #""}"#)
        #expect(try S.messages(schema, #"{"spec":{"v":"# + GoRender.jsonString(value) + "}}").isEmpty == valid)
    }

    @Test func composition() throws {
        // Upstream's "nullable, x-kubernetes-int-or-string and user-provided anyOf" case.
        let anyOf = try S.schema(#"""
            {"properties":{"field":{"nullable":true,"x-kubernetes-int-or-string":true,
             "anyOf":[{"type":"integer"},{"type":"string"}]}}}
            """#)
        #expect(try S.messages(anyOf, #"{"field":null}"#).isEmpty)
        #expect(try S.messages(anyOf, #"{"field":42}"#).isEmpty)
        #expect(try Set(S.messages(anyOf, #"{"field":true}"#)) == [
            #": Invalid value: "": "field" must validate at least one schema (anyOf)"#,
            #"field: Invalid value: "boolean": field in body must be of type integer,string: "boolean""#,
            #"field: Invalid value: "boolean": field in body must be of type integer: "boolean""#,
        ])
        let allOf = try S.schema(#"""
            {"properties":{"field":{"nullable":true,"x-kubernetes-int-or-string":true,
             "allOf":[{"anyOf":[{"type":"integer"},{"type":"string"}]}]}}}
            """#)
        #expect(try Set(S.messages(allOf, #"{"field":[]}"#)) == [
            #": Invalid value: "": "field" must validate all the schemas (allOf). None validated"#,
            #": Invalid value: "": "field" must validate at least one schema (anyOf)"#,
            #"field: Invalid value: "array": field in body must be of type integer,string: "array""#,
            #"field: Invalid value: "array": field in body must be of type integer: "array""#,
        ])
        let oneOf = try S.specSchema("x", #"{"type":"string","oneOf":[{"maxLength":5},{"pattern":"^a"}]}"#)
        #expect(try S.messages(oneOf, #"{"spec":{"x":"bcd"}}"#).isEmpty)
        #expect(try S.messages(oneOf, #"{"spec":{"x":"abc"}}"#) == [
            #": Invalid value: "": "spec.x" must validate one and only one schema (oneOf). Found 2 valid alternatives"#,
        ])
        #expect(try S.messages(oneOf, #"{"spec":{"x":"bcdefgh"}}"#) == [
            #": Invalid value: "": "spec.x" must validate one and only one schema (oneOf). Found none valid"#,
            "spec.x: Too long: may not be more than 5 bytes",
        ])
        let not = try S.specSchema("x", #"{"type":"string","not":{"enum":["forbidden"]}}"#)
        #expect(try S.messages(not, #"{"spec":{"x":"forbidden"}}"#) == [
            #": Invalid value: "": "spec.x" must not validate the schema (not)"#,
        ])
    }

    @Test func everyErrorAtOnce() throws {
        let schema = try S.schema(#"""
            {"type":"object","properties":{"spec":{"type":"object","required":["image"],"properties":{
              "replicas":{"type":"integer","maximum":10},"size":{"type":"string","enum":["small"]},"image":{"type":"string"}}}}}
            """#)
        #expect(try S.messages(schema, #"{"spec":{"replicas":11,"size":"big"}}"#) == [
            "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10",
            #"spec.size: Unsupported value: "big": supported values: "small""#,
            "spec.image: Required value",
        ])
    }

    @Test func metadataRulesDeclaredInTheSchema() throws {
        let schema = try S.schema(#"{"type":"object","properties":{"metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":5}}}}}"#)
        #expect(try S.messages(schema, #"{"metadata":{"name":"too-long-name","namespace":"default"}}"#) == [
            "metadata.name: Too long: may not be more than 5 bytes",
        ])
        #expect(try S.messages(schema, #"{"apiVersion":"a/v1","kind":"K","metadata":{"name":"ok"}}"#).isEmpty)
    }
}

@Suite struct SchemaStructuralCheckTests {
    typealias S = SchemaTestSupport

    @Test func listTypeSet() throws {
        let schema = try S.specSchema("tags", #"{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}"#)
        #expect(try S.messages(schema, #"{"spec":{"tags":["a","b","a","a","b"]}}"#) == [
            #"spec.tags[2]: Duplicate value: "a""#, #"spec.tags[4]: Duplicate value: "b""#,
        ])
        #expect(try S.messages(schema, #"{"spec":{"tags":["a","b"]}}"#).isEmpty)
        // Scalars compare as Go values: int64 1 and float64 1.0 differ.
        let numbers = try S.specSchema("n", #"{"type":"array","x-kubernetes-list-type":"set","items":{"type":"number"}}"#)
        #expect(try S.messages(numbers, #"{"spec":{"n":[1,1.0]}}"#).isEmpty)
    }

    @Test func listTypeMap() throws {
        let schema = try S.specSchema("ports", #"""
            {"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
             "items":{"type":"object","properties":{"name":{"type":"string"},"port":{"type":"integer"}}}}
            """#)
        #expect(try S.messages(schema, #"{"spec":{"ports":[{"name":"http","port":80},{"name":"http","port":81}]}}"#) == [
            #"spec.ports[1]: Duplicate value: map[string]interface {}{"name":"http"}"#,
        ])
        #expect(try S.messages(schema, #"{"spec":{"ports":[{"port":80},{"port":81}]}}"#) == [
            "spec.ports[1]: Duplicate value: map[string]interface {}{}",
        ])
        let twoKeys = try S.specSchema("ports", #"""
            {"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name","protocol"],
             "items":{"type":"object","properties":{"name":{"type":"string"},"protocol":{"type":"string"}}}}
            """#)
        let ports = #"{"spec":{"ports":[{"name":"a","protocol":"TCP"},{"name":"a","protocol":"UDP"},{"protocol":"TCP","name":"a"}]}}"#
        #expect(try S.messages(twoKeys, ports) == [
            #"spec.ports[2]: Duplicate value: map[string]interface {}{"name":"a", "protocol":"TCP"}"#,
        ])
    }

    @Test func embeddedResource() throws {
        let schema = try S.specSchema("template", #"""
            {"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}
            """#)
        #expect(try S.messages(schema, #"{"spec":{"template":{"metadata":{"name":"x"}}}}"#) == [
            "spec.template.apiVersion: Required value", "spec.template.kind: Required value",
        ])
        #expect(try S.messages(schema, #"{"spec":{"template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}}}"#).isEmpty)
        let badKind = try S.messages(schema, #"{"spec":{"template":{"apiVersion":"a/b/c","kind":"Not_Valid"}}}"#)
        #expect(badKind.count == 2)
        #expect(badKind.first == #"spec.template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c"#)
        #expect(badKind.last?.hasPrefix(#"spec.template.kind: Invalid value: "Not_Valid": may have mixed case, but should otherwise match: "#) == true)
    }
}

@Suite struct CronTabSchemaTests {
    typealias S = SchemaTestSupport

    static func docsSchema() throws -> CustomResourceSchema {
        let crd = try CustomResourceDefinition(jsonString: Fixtures.crontabCRD)
        return try #require(CustomResourceSchema(crd: crd, version: "v1"))
    }

    /// Samples/manifests/crontab.yaml.
    static let goodCronTab = #"""
        {"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"my-new-cron-object"},
         "spec":{"cronSpec":"* * * * */5","image":"my-awesome-cron-image"}}
        """#

    @Test func docsCronTabValidates() throws {
        let schema = try Self.docsSchema()
        #expect(try S.messages(schema, Self.goodCronTab).isEmpty)
        #expect(try S.messages(schema, #"{"apiVersion":"stable.example.com/v1","kind":"CronTab","spec":{"cronSpec":5,"replicas":"many"}}"#) == [
            #"spec.cronSpec: Invalid value: "integer": spec.cronSpec in body must be of type string: "integer""#,
            #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
        ])
        #expect(CustomResourceSchema(crd: try CustomResourceDefinition(jsonString: Fixtures.crontabCRD), version: "v2") == nil)
    }

    @Test func docsValidationExample() throws {
        // The CRD docs' "Validation" section: a cron pattern and 1 ≤ replicas ≤ 10.
        let schema = try S.schema(#"""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "cronSpec":{"type":"string","pattern":"^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$"},
              "image":{"type":"string"},
              "replicas":{"type":"integer","minimum":1,"maximum":10}}}}}
            """#)
        #expect(try S.messages(schema, Self.goodCronTab).isEmpty)
        let bad = #"{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"my-new-cron-object"},"spec":{"cronSpec":"* * * *","image":"my-awesome-cron-image","replicas":15}}"#
        #expect(try S.messages(schema, bad) == [
            #"spec.cronSpec: Invalid value: "* * * *": spec.cronSpec in body should match '^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$'"#,
            "spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10",
        ])
    }

    @Test func validationIsFast() throws {
        let schema = try S.schema(#"""
            {"type":"object","properties":{"spec":{"type":"object","required":["cronSpec"],"properties":{
              "cronSpec":{"type":"string","pattern":"^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$"},
              "image":{"type":"string","maxLength":253},"size":{"type":"string","enum":["small","large"]},
              "replicas":{"type":"integer","minimum":1,"maximum":10},
              "env":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"value":{"type":"string"}}}},
              "labels":{"type":"object","additionalProperties":{"type":"string"}}}}}}
            """#)
        let object = try S.value(#"""
            {"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c","namespace":"default"},
             "spec":{"cronSpec":"*/5 * * * *","image":"registry.example.com/cron:1.2.3","size":"small","replicas":3,
                     "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"labels":{"app":"cron","tier":"batch"}}}
            """#)
        #expect(schema.validate(object).isEmpty)
        let rounds = 2000
        let clock = ContinuousClock()
        let elapsed = clock.measure { for _ in 0..<rounds { _ = schema.validate(object) } }
        let perCall = elapsed / rounds
        // Microseconds in release builds; a generous bound keeps unoptimized test builds green.
        #expect(perCall < .milliseconds(1), "validate took \(perCall) per call")
    }
}

@Suite struct SchemaGoRenderingTests {
    @Test func floatsPrintLikeGo() {
        #expect(GoRender.float(1e6) == "1e+06")
        #expect(GoRender.float(100000) == "100000")
        #expect(GoRender.float(0.0001) == "0.0001")
        #expect(GoRender.float(0.00001) == "1e-05")
        #expect(GoRender.float(1.5) == "1.5")
        #expect(GoRender.float(-2.5) == "-2.5")
        #expect(GoRender.float(123456789) == "1.23456789e+08")
        #expect(GoRender.float(0) == "0")
        #expect(GoRender.jsonFloat(1e21) == "1e+21")
        #expect(GoRender.jsonFloat(1e-7) == "1e-7")  // encoding/json trims "e-07"
        #expect(GoRender.jsonFloat(1e20) == "100000000000000000000")
    }

    @Test func valuesPrintLikeFieldErrors() throws {
        let v = try SchemaTestSupport.value(#"{"b":[1,2.5,"x",null],"a":true}"#)
        #expect(GoRender.badValue(v) == #"map[string]interface {}{"a":true, "b":[]interface {}{1, 2.5, "x", interface {}(nil)}}"#)
        #expect(GoRender.json(try SchemaTestSupport.value(#"{"b":"<&>","a":1.0}"#)) == #"{"a":1,"b":"\u003c\u0026\u003e"}"#)
    }
}

@Suite struct GoRegexTests {
    func matches(_ pattern: String, _ text: String) throws -> Bool { try GoRegex(pattern).matches(text) }

    @Test func goSemantics() throws {
        #expect(try matches("^[a-z]+$", "abc"))
        #expect(try !matches("^[a-z]+$", "abc\n"))          // `$` is \z without (?m)
        #expect(try matches("(?m)^b$", "a\nb\nc"))
        #expect(try !matches(".", "\n"))                    // `.` excludes \n unless (?s)
        #expect(try matches("(?s).", "\n"))
        #expect(try matches("[^a]", "\n"))                  // negated classes include \n
        #expect(try !matches(#"^\d+$"#, "١٢"))              // \d is ASCII
        #expect(try matches(#"^\p{L}+$"#, "héllo"))
        #expect(try matches("(?i)ABC", "xabcx"))
        #expect(try matches("(?i)k", "\u{212A}"))           // Kelvin sign folds to k
        #expect(try matches(#"\bfoo\b"#, "a foo b"))
        #expect(try !matches(#"\bfoo\b"#, "afoob"))
        #expect(try matches(#"\Qa.b\E"#, "a.b"))
        #expect(try !matches(#"\Qa.b\E"#, "axb"))
        #expect(try matches("[[:alpha:]]+", "x"))
        #expect(try matches("^a{2,3}$", "aaa"))
        #expect(try !matches("^a{2,3}$", "aaaa"))
        #expect(try matches("a{,2}", "a{,2}"))               // not a repeat: literal braces
        #expect(try matches(#"\x41\101"#, "AA"))
        #expect(try matches("^$", ""))
        #expect(try matches(#"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$"#, "*/5 * * * *"))
        #expect(try !matches(#"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$"#, "* * * *"))
    }

    @Test(arguments: [
        ("+", "error parsing regexp: missing argument to repetition operator: `+`"),
        ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
        ("(a", "error parsing regexp: missing closing ): `(a`"),
        ("a)", "error parsing regexp: unexpected ): `a)`"),
        ("[a", "error parsing regexp: missing closing ]: `[a`"),
        ("[z-a]", "error parsing regexp: invalid character class range: `z-a`"),
        (#"\1"#, #"error parsing regexp: invalid escape sequence: `\1`"#),
        (#"\Z"#, #"error parsing regexp: invalid escape sequence: `\Z`"#),
        ("(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
        ("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
    ])
    func goSyntaxErrors(pattern: String, message: String) {
        #expect(throws: GoRegexError.self) { try GoRegex(pattern) }
        do { _ = try GoRegex(pattern) } catch { #expect(error.description == message) }
    }
}

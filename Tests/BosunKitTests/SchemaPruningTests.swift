import Testing
@testable import BosunKit

@Suite struct SchemaPruningTests {
    typealias S = SchemaTestSupport

    static let schemaJSON = #"""
        {"type":"object","properties":{
          "spec":{"type":"object","properties":{
            "name":{"type":"string"},
            "ports":{"type":"array","items":{"type":"object","properties":{"port":{"type":"integer"}}}},
            "labels":{"type":"object","additionalProperties":{"type":"object","properties":{"v":{"type":"string"}}}},
            "config":{"type":"object","x-kubernetes-preserve-unknown-fields":true,
                      "properties":{"known":{"type":"object","properties":{"a":{"type":"string"}}}}},
            "template":{"type":"object","x-kubernetes-embedded-resource":true,
                        "properties":{"spec":{"type":"object","properties":{"x":{"type":"string"}}}}}}},
          "status":{"type":"object","properties":{"ready":{"type":"boolean"}}}}}
        """#

    @Test func prunesUnknownFieldsAtEveryLevel() throws {
        let schema = try S.schema(Self.schemaJSON)
        let object = try S.value(#"""
            {"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t","whatever":{"kept":true}},
             "extra":1,"spec":{"name":"n","bogus":true,"ports":[{"port":80,"junk":"x"},{"junk":2}],
             "labels":{"a":{"v":"1","drop":0}}},"status":{"ready":true,"phase":"x"}}
            """#)
        #expect(schema.prune(object) == (try S.value(#"""
            {"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t","whatever":{"kept":true}},
             "spec":{"name":"n","ports":[{"port":80},{}],"labels":{"a":{"v":"1"}}},"status":{"ready":true}}
            """#)))
    }

    @Test func reportsPrunedPaths() throws {
        let schema = try S.schema(Self.schemaJSON)
        let object = try S.value(#"{"extra":1,"spec":{"bogus":true,"ports":[{"junk":"x"}],"labels":{"a":{"drop":0}}}}"#)
        let (_, unknown) = schema.pruneReportingUnknownFields(object)
        #expect(unknown == ["extra", "spec.bogus", "spec.labels.a.drop", "spec.ports[0].junk"])
    }

    @Test func preserveUnknownFieldsKeepsUnknownButPrunesKnown() throws {
        let schema = try S.schema(Self.schemaJSON)
        let object = try S.value(#"{"spec":{"config":{"anything":{"deep":[1,{"x":2}]},"known":{"a":"1","b":"2"}}}}"#)
        #expect(schema.prune(object) == (try S.value(#"{"spec":{"config":{"anything":{"deep":[1,{"x":2}]},"known":{"a":"1"}}}}"#)))
        // Without a schema, nothing is pruned.
        #expect(CustomResourceSchema(nil as CustomResourceValidation?).prune(object) == object)
    }

    @Test func embeddedResourceKeepsTypeAndObjectMeta() throws {
        let schema = try S.schema(Self.schemaJSON)
        let object = try S.value(#"""
            {"spec":{"template":{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"a":"b"}},"spec":{"x":"1","y":"2"},"other":1}}}
            """#)
        #expect(schema.prune(object) == (try S.value(#"""
            {"spec":{"template":{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"a":"b"}},"spec":{"x":"1"}}}}
            """#)))
    }

    @Test func cronTabPruning() throws {
        let schema = try CronTabSchemaTests.docsSchema()
        let object = try S.value(#"""
            {"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c"},
             "spec":{"cronSpec":"* * * * */5","image":"img","someRandomField":42}}
            """#)
        let (pruned, unknown) = schema.pruneReportingUnknownFields(object)
        #expect(pruned == (try S.value(#"""
            {"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c"},"spec":{"cronSpec":"* * * * */5","image":"img"}}
            """#)))
        #expect(unknown == ["spec.someRandomField"])
    }

    @Test func keepsDocumentOrder() throws {
        let schema = try S.schema(Self.schemaJSON)
        let pruned = schema.prune(try S.value(#"{"status":{"ready":true},"x":1,"spec":{"name":"n"},"kind":"K"}"#))
        #expect(pruned.objectValue?.keys == ["status", "spec", "kind"])
    }
}

@Suite struct SchemaDefaultingTests {
    typealias S = SchemaTestSupport

    static let schemaJSON = #"""
        {"type":"object","properties":{"spec":{"type":"object","default":{},"properties":{
          "replicas":{"type":"integer","default":1},
          "mode":{"type":"string","default":"auto"},
          "note":{"type":"string","nullable":true,"default":"n"},
          "strategy":{"type":"object","default":{"type":"Rolling"},"properties":{
            "type":{"type":"string"},"maxSurge":{"type":"integer","default":25}}},
          "ports":{"type":"array","items":{"type":"object","default":{"port":80},"properties":{
            "port":{"type":"integer"},"protocol":{"type":"string","default":"TCP"}}}},
          "limits":{"type":"object","additionalProperties":{"type":"string","default":"1"}}}}}}
        """#

    @Test func defaultsAbsentFieldsRecursively() throws {
        let schema = try S.schema(Self.schemaJSON)
        // `spec` is defaulted to {} and then its own properties are defaulted, including inside
        // the defaulted `strategy`.
        #expect(schema.applyDefaults(try S.value(#"{"kind":"K"}"#)) == (try S.value(#"""
            {"kind":"K","spec":{"mode":"auto","note":"n","replicas":1,"strategy":{"type":"Rolling","maxSurge":25}}}
            """#)))
        #expect(schema.applyDefaults(try S.value(#"{"spec":{"replicas":3,"mode":"manual"}}"#)) == (try S.value(#"""
            {"spec":{"replicas":3,"mode":"manual","note":"n","strategy":{"type":"Rolling","maxSurge":25}}}
            """#)))
    }

    @Test func defaultsInsideArraysAndMaps() throws {
        let schema = try S.schema(Self.schemaJSON)
        let object = try S.value(#"{"spec":{"ports":[{"port":8080},null,{"port":443,"protocol":"UDP"}],"limits":{"cpu":null,"mem":"2"}}}"#)
        let defaulted = schema.applyDefaults(object)
        #expect(defaulted["spec"]?["ports"] == (try S.value(#"""
            [{"port":8080,"protocol":"TCP"},{"port":80,"protocol":"TCP"},{"port":443,"protocol":"UDP"}]
            """#)))
        #expect(defaulted["spec"]?["limits"] == (try S.value(#"{"cpu":"1","mem":"2"}"#)))
    }

    @Test func nullHandling() throws {
        let schema = try S.schema(Self.schemaJSON)
        // A non-nullable null is replaced by the default; a nullable null is kept.
        let defaulted = schema.applyDefaults(try S.value(#"{"spec":{"replicas":null,"note":null}}"#))
        #expect(defaulted["spec"]?["replicas"] == 1)
        #expect(defaulted["spec"]?["note"] == .null)
        // Non-nullable nulls without a default are pruned before defaulting.
        let nulls = try S.schema(#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string","nullable":true},"c":{"type":"string","default":"x"}}}}}"#)
        #expect(nulls.pruneNonNullableNulls(try S.value(#"{"spec":{"a":null,"b":null,"c":null}}"#)) == (try S.value(#"{"spec":{"b":null,"c":null}}"#)))
        #expect(nulls.normalize(try S.value(#"{"spec":{"a":null,"b":null,"c":null,"d":1}}"#)) == (try S.value(#"{"spec":{"b":null,"c":"x"}}"#)))
    }

    @Test func normalizePrunesThenDefaultsThenValidates() throws {
        let schema = try S.schema(#"""
            {"type":"object","properties":{"spec":{"type":"object","required":["size"],"properties":{
              "size":{"type":"string","enum":["small","large"],"default":"small"},
              "replicas":{"type":"integer","maximum":10,"default":1}}}}}
            """#)
        let object = schema.normalize(try S.value(#"{"apiVersion":"a/v1","kind":"K","metadata":{"name":"x"},"spec":{"unknown":true}}"#))
        #expect(object == (try S.value(#"{"apiVersion":"a/v1","kind":"K","metadata":{"name":"x"},"spec":{"replicas":1,"size":"small"}}"#)))
        #expect(schema.validate(object).isEmpty)
    }
}

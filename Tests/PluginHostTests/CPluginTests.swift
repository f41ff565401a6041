import BosunHost
import BosunKit
import BosunPluginHost
import BosunRuntime
import Foundation
import Logging
import Testing

/// Plugins written in C against `Plugins/include/bosun_plugin.h`, compiled here with `cc` and
/// loaded as `bosun up --plugin` loads them; their hooks are called through libffi.
@Suite("C plugins")
struct CPluginTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let header = repository.appendingPathComponent("Plugins/include")

    /// Compiles C source against the plugin header into a shared library.
    static func compile(_ source: URL, named name: String, in dir: URL) throws -> String {
        let so = dir.appendingPathComponent("lib\(name).so")
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        cc.arguments = ["-shared", "-fPIC", "-Wall", "-Werror", "-I", header.path, "-o", so.path, source.path]
        try cc.run()
        cc.waitUntilExit()
        try #require(cc.terminationStatus == 0, "cc failed on \(source.path)")
        return so.path
    }

    static func compile(source: String, named name: String, in dir: URL) throws -> String {
        let c = dir.appendingPathComponent(name + ".c")
        try source.write(to: c, atomically: true, encoding: .utf8)
        return try compile(c, named: name, in: dir)
    }

    static func sample(in dir: URL) throws -> String {
        try compile(repository.appendingPathComponent("Samples/CPlugin/c_sample_plugin.c"), named: "c_sample_plugin", in: dir)
    }

    static func deployment(_ name: String, labels: [String: String]? = nil, privileged: Bool = false) -> Deployment {
        Deployment(
            metadata: ObjectMeta(labels: labels, name: name, namespace: "default"),
            spec: DeploymentSpec(
                selector: LabelSelector(matchLabels: ["app": name]),
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: ["app": name, "team": "template-only"]),
                    spec: PodSpec(containers: [Container(
                        name: "web", image: "nginx:1.27",
                        securityContext: privileged ? SecurityContext(privileged: true) : nil)]))))
    }

    @Test("the sample's mutating hook labels Deployments through a JSON merge patch; its validating hook refuses privileged ones")
    func sampleHooks() async throws {
        let dir = try PluginFixtures.directory()
        let env = try await TestEnvironment.start()
        let path = try Self.sample(in: dir)
        let report = await PluginHost.load(paths: [path], store: env.store, manager: env.manager, logger: Logger(label: "test"))
        #expect(report.failures.isEmpty)
        #expect(report.loaded.map(\.info.name) == ["c-sample"])
        #expect(report.loaded.first?.hooks == ["team-label.c-sample.bosun.dev", "deny-privileged.c-sample.bosun.dev"])

        let labelled = try await env.api.create(Self.deployment("web"))
        #expect(labelled.metadata.labels == ["team": "unassigned"])
        let owned = try await env.api.create(Self.deployment("api", labels: ["team": "payments"]))
        #expect(owned.metadata.labels == ["team": "payments"])

        await #expect {
            _ = try await env.api.create(Self.deployment("root", privileged: true))
        } throws: { error in
            (error as? APIError)?.code == 400 && (error as? APIError)?.message
                == #"admission webhook "deny-privileged.c-sample.bosun.dev" denied the request: privileged containers are not allowed (CREATE refused by the C sample plugin)"#
        }
        #expect(try await env.api.getIfPresent(Deployment.self, namespace: "default", name: "root") == nil)

        // Updates pass through the validating hook too (the mutating one is for creates only).
        var escalated = owned
        escalated.spec.template.spec?.containers[0].securityContext = SecurityContext(privileged: true)
        await #expect {
            _ = try await env.api.update(escalated)
        } throws: { error in
            (error as? APIError)?.message.contains("(UPDATE refused by the C sample plugin)") == true
        }
    }

    @Test("a hook reads the store through the host's get_object, a libffi closure bound to the plugin")
    func hostServices() async throws {
        let dir = try PluginFixtures.directory()
        let env = try await TestEnvironment.start()
        _ = try await env.api.create(ConfigMap(metadata: ObjectMeta(name: "limits", namespace: "default"), data: ["max": "3"]))
        let path = try Self.compile(source: """
            #include <stdlib.h>
            #include <string.h>
            #include "bosun_plugin.h"
            static const bosun_host *host;
            /* Refuses a ConfigMap named "blocked" unless a ConfigMap "limits" exists in its namespace. */
            static const bosun_arg args[] = { BOSUN_ARG_NAMESPACE, BOSUN_ARG_NAME, BOSUN_ARG_RESULT };
            int check(const char *ns, const char *name, char **result) {
                if (strcmp(name, "blocked") != 0) return 0;
                char *limits = host->get_object("", "configmaps", ns, "limits");
                if (limits && strstr(limits, "\\"max\\":\\"3\\"")) { free(limits); return 0; }
                free(limits);
                *result = strdup("no limits in this namespace");
                return 1;
            }
            static const bosun_hook hooks[] = {{ "needs-limits.test", BOSUN_HOOK_VALIDATING, "", "configmaps",
                BOSUN_OP_CREATE, "check", args, 3, NULL }};
            static const bosun_c_plugin plugin = { BOSUN_C_PLUGIN_ABI_VERSION, "needs-limits", "0.1", hooks, 1 };
            const bosun_c_plugin *bosun_c_plugin_entry(const bosun_host *h) { host = h; h->log(BOSUN_LOG_INFO, "hello"); return &plugin; }
            """, named: "needs_limits", in: dir)
        let report = await PluginHost.load(paths: [path], store: env.store, manager: env.manager, logger: Logger(label: "test"))
        #expect(report.failures.isEmpty)

        _ = try await env.api.create(ConfigMap(metadata: ObjectMeta(name: "blocked", namespace: "default")))
        _ = try await env.api.create(Namespace(metadata: ObjectMeta(name: "bare")))
        await #expect {
            _ = try await env.api.create(ConfigMap(metadata: ObjectMeta(name: "blocked", namespace: "bare")))
        } throws: { error in
            (error as? APIError)?.message == #"admission webhook "needs-limits.test" denied the request: no limits in this namespace"#
        }
    }

    @Test("C plugins that cannot load are refused with what to fix")
    func failures() async throws {
        let dir = try PluginFixtures.directory()
        let env = try await TestEnvironment.start()
        func plugin(_ name: String, abi: String = "BOSUN_C_PLUGIN_ABI_VERSION", hooks: String, entryReturnsNull: Bool = false) throws -> String {
            try Self.compile(source: """
                #include <stddef.h>
                #include "bosun_plugin.h"
                int allow(void) { return 0; }
                static const bosun_arg args[] = { BOSUN_ARG_RESULT };
                static const bosun_hook hooks[] = { \(hooks) };
                static const bosun_c_plugin plugin = { \(abi), "\(name)", "0.1", hooks, sizeof hooks / sizeof hooks[0] };
                const bosun_c_plugin *bosun_c_plugin_entry(const bosun_host *h) { (void)h; return \(entryReturnsNull ? "h ? NULL : &plugin" : "&plugin"); }
                """, named: name, in: dir)
        }
        let good = #"{ "allow.test", BOSUN_HOOK_VALIDATING, "", "configmaps", BOSUN_OP_CREATE, "allow", args, 1, NULL }"#
        let future = try plugin("future", abi: "7", hooks: good)
        let missing = try plugin("missing", hooks: #"{ "missing.test", BOSUN_HOOK_VALIDATING, "", "configmaps", BOSUN_OP_CREATE, "nowhere", args, 1, NULL }"#)
        let noOps = try plugin("noops", hooks: #"{ "noops.test", BOSUN_HOOK_MUTATING, "", "configmaps", 0, "allow", args, 1, NULL }"#)
        let first = try plugin("first", hooks: good)
        let second = try plugin("second", hooks: good)
        let refusing = try plugin("refusing", hooks: good, entryReturnsNull: true)

        let report = await PluginHost.load(
            paths: [future, missing, noOps, first, second, refusing], store: env.store, manager: env.manager, logger: Logger(label: "test"))
        #expect(report.loaded.map(\.info.name) == ["first"])
        #expect(report.failures.map(\.description) == [
            "plugin \"future\" (\(future)): the plugin speaks C plugin ABI v7, this host speaks v1; rebuild it against the host's Plugins/include/bosun_plugin.h",
            "plugin \"missing\" (\(missing)): hook \"missing.test\": the library does not export its function \"nowhere\"",
            "plugin \"noops\" (\(noOps)): hook \"noops.test\": operations must be BOSUN_OP_CREATE, BOSUN_OP_UPDATE or both",
            "plugin \"second\" (\(second)): registering its admission hooks failed: a validating admission hook named \"allow.test\" is already registered",
            "plugin \(refusing): bosun_c_plugin_entry returned NULL: the plugin refused to load (its log says why)",
        ])
    }
}

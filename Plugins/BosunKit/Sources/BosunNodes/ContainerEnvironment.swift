import BosunKit
import BosunRuntime
import Foundation

/// The environment a kubelet gives a container, resolved as its `makeEnvironmentVariables`
/// does: first `envFrom` (each ConfigMap's or Secret's keys, with the source's `prefix`), then
/// `env` in order — literal values with their `$(VAR)` references expanded against what is
/// defined so far, `valueFrom` read from the pod (``DownwardAPI``), its container's resources, a
/// ConfigMap key or a Secret key. A later definition of a name replaces an earlier one.
///
/// A ConfigMap or Secret that does not exist, or a key it does not have, keeps the container from
/// starting (``ContainerConfigError``, the kubelet's `CreateContainerConfigError`) unless the
/// reference is `optional`, in which case the variable (or the whole `envFrom` source) is left
/// out. `envFrom` keys that are not valid variable names are skipped, and reported as the
/// Warning event `InvalidEnvironmentVariableNames`. Service links (`enableServiceLinks`) are not
/// added: Bosun has no service proxy for them to point at.
public struct ContainerEnvironment: Sendable, Hashable {
    /// An event the kubelet records while resolving.
    public struct Warning: Sendable, Hashable {
        public var reason: String
        public var message: String

        public init(reason: String, message: String) {
            self.reason = reason
            self.message = message
        }
    }

    /// The container's variables by name.
    public var variables: [String: String]
    /// Events to record on the pod.
    public var warnings: [Warning]

    public init(variables: [String: String] = [:], warnings: [Warning] = []) {
        self.variables = variables
        self.warnings = warnings
    }

    /// Where the values of a pod's containers come from, besides the pod itself.
    public struct Context: Sendable {
        /// The node's IPs (`status.hostIP`, `status.hostIPs`).
        public var hostIPs: [String]
        /// The pod's IPs (`status.podIP`, `status.podIPs`).
        public var podIPs: [String]
        /// The node's allocatable resources: a `limits.*` reference to a container without
        /// that limit gets the node's, as the kubelet defaults it.
        public var nodeAllocatable: [String: Quantity]
        /// Reads ConfigMaps and Secrets of the pod's namespace.
        public var client: any Client

        public init(hostIPs: [String], podIPs: [String], nodeAllocatable: [String: Quantity] = [:], client: any Client) {
            self.hostIPs = hostIPs
            self.podIPs = podIPs
            self.nodeAllocatable = nodeAllocatable
            self.client = client
        }
    }

    /// Resolves the environment of `container` (one of `pod`'s containers or init containers).
    public static func resolve(_ container: Container, in pod: Pod, context: Context) async throws(ContainerConfigError) -> ContainerEnvironment {
        var reader = ObjectReader(namespace: pod.metadata.namespace ?? "default", client: context.client)
        var result = ContainerEnvironment()
        for source in container.envFrom ?? [] {
            let prefix = source.prefix ?? ""
            let data: [String: String]
            let description: String
            if let reference = source.configMapRef {
                let name = reference.name ?? ""
                guard let configMap = try await reader.configMap(name, optional: reference.optional ?? false) else { continue }
                data = configMap.data ?? [:]
                description = "configMap \(reader.namespace)/\(name)"
            } else if let reference = source.secretRef {
                let name = reference.name ?? ""
                guard let secret = try await reader.secret(name, optional: reference.optional ?? false) else { continue }
                data = (secret.data ?? [:]).mapValues(Self.decode)
                description = "secret \(reader.namespace)/\(name)"
            } else {
                continue
            }
            var invalid: [String] = []
            for (key, value) in data {
                let name = prefix + key
                guard isValidName(name) else {
                    invalid.append(name)
                    continue
                }
                result.variables[name] = value
            }
            if !invalid.isEmpty {
                result.warnings.append(Warning(
                    reason: "InvalidEnvironmentVariableNames",
                    message: "Keys [\(invalid.sorted().joined(separator: ", "))] from the EnvFrom \(description) were skipped since they are considered invalid environment variable names."))
            }
        }
        for variable in container.env ?? [] {
            var value = variable.value ?? ""
            if !value.isEmpty {
                let defined = result.variables
                value = EnvVarExpansion.expand(value, with: defined)
            } else if let source = variable.valueFrom {
                guard let resolved = try await resolve(source, for: container, in: pod, context: context, reader: &reader) else { continue }
                value = resolved
            }
            result.variables[variable.name] = value
        }
        return result
    }

    /// `command` followed by `args`, each with its `$(VAR)` references expanded.
    public func commandLine(of container: Container) -> [String] {
        ((container.command ?? []) + (container.args ?? [])).map { EnvVarExpansion.expand($0, with: variables) }
    }

    /// An exec probe's command, expanded as the kubelet does: against the container's literal
    /// `env` values only (`ExpandContainerCommandOnlyStatic`).
    public static func probeCommand(_ command: [String], of container: Container) -> [String] {
        var literal: [String: String] = [:]
        for variable in container.env ?? [] { literal[variable.name] = variable.value ?? "" }
        return command.map { EnvVarExpansion.expand($0, with: literal) }
    }

    /// The value of one `valueFrom`; `nil` when an optional reference finds nothing.
    private static func resolve(
        _ source: EnvVarSource, for container: Container, in pod: Pod, context: Context, reader: inout ObjectReader
    ) async throws(ContainerConfigError) -> String? {
        if let field = source.fieldRef {
            do {
                return try DownwardAPI.fieldValue(field.fieldPath, of: pod, hostIPs: context.hostIPs, podIPs: context.podIPs)
            } catch {
                throw ContainerConfigError(message: error.message)
            }
        }
        if let resource = source.resourceFieldRef {
            do {
                return try DownwardAPI.resourceValue(resource, container: container, in: pod, nodeAllocatable: context.nodeAllocatable)
            } catch {
                throw ContainerConfigError(message: error.message)
            }
        }
        if let reference = source.configMapKeyRef {
            let name = reference.name ?? "", optional = reference.optional ?? false
            guard let configMap = try await reader.configMap(name, optional: optional) else { return nil }
            guard let value = configMap.data?[reference.key] else {
                if optional { return nil }
                throw ContainerConfigError(message: "couldn't find key \(reference.key) in ConfigMap \(reader.namespace)/\(name)")
            }
            return value
        }
        if let reference = source.secretKeyRef {
            let name = reference.name ?? "", optional = reference.optional ?? false
            guard let secret = try await reader.secret(name, optional: optional) else { return nil }
            guard let value = secret.data?[reference.key] else {
                if optional { return nil }
                throw ContainerConfigError(message: "couldn't find key \(reference.key) in Secret \(reader.namespace)/\(name)")
            }
            return decode(value)
        }
        return ""
    }

    /// Secret data is base64 in the API; the variable gets the bytes.
    private static func decode(_ encoded: String) -> String {
        guard let data = Data(base64Encoded: encoded) else { return encoded }
        return String(decoding: data, as: UTF8.self)
    }

    /// Kubernetes 1.32's rule for envFrom keys (`RelaxedEnvironmentVariableValidation`, on by
    /// default): not empty, printable ASCII, no `=`.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "=") }
    }
}

/// Why a container cannot be created: the kubelet's `CreateContainerConfigError`, whose message
/// is the container's waiting message.
public struct ContainerConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(message: String) { self.message = message }

    /// The waiting reason a container gets.
    public static let reason = "CreateContainerConfigError"

    public var description: String { message }
}

/// Reads each ConfigMap and Secret once per resolution, as the kubelet keeps them in a map.
private struct ObjectReader {
    let namespace: String
    let client: any Client
    var configMaps: [String: ConfigMap?] = [:]
    var secrets: [String: Secret?] = [:]

    init(namespace: String, client: any Client) {
        self.namespace = namespace
        self.client = client
    }

    /// The ConfigMap, or `nil` when it does not exist and the reference is optional.
    mutating func configMap(_ name: String, optional: Bool) async throws(ContainerConfigError) -> ConfigMap? {
        let found: ConfigMap?
        if let cached = configMaps[name] {
            found = cached
        } else {
            found = try await fetch(ConfigMap.self, name)
            configMaps[name] = .some(found)
        }
        if found == nil && !optional { throw ContainerConfigError(message: "configmap \"\(name)\" not found") }
        return found
    }

    mutating func secret(_ name: String, optional: Bool) async throws(ContainerConfigError) -> Secret? {
        let found: Secret?
        if let cached = secrets[name] {
            found = cached
        } else {
            found = try await fetch(Secret.self, name)
            secrets[name] = .some(found)
        }
        if found == nil && !optional { throw ContainerConfigError(message: "secret \"\(name)\" not found") }
        return found
    }

    private func fetch<T: Resource>(_ type: T.Type, _ name: String) async throws(ContainerConfigError) -> T? {
        do {
            return try await client.getIfPresent(type, namespace: namespace, name: name)
        } catch {
            throw ContainerConfigError(message: String(describing: error))
        }
    }
}

/// Binds through a closure the host provides (the store's `pods/binding` subresource, say).
public struct DefaultBinder: BindPlugin {
    public typealias BindFunction = @Sendable (_ pod: Pod, _ nodeName: String) async throws -> Void
    public static let pluginName = "DefaultBinder"
    public var name: String { Self.pluginName }
    let bindFunction: BindFunction

    public init(bind: @escaping BindFunction) { bindFunction = bind }

    public func bind(_ state: CycleState, _ pod: PodInfo, nodeName: String) async -> PluginStatus {
        do {
            try await bindFunction(pod.pod, nodeName)
            return .success
        } catch {
            return .error("binding rejected: \(error)")
        }
    }
}

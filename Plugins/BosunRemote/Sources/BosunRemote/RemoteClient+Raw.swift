import NIOHTTP1

extension RemoteClient {
    /// `GET path` (`/version`, `/readyz?verbose`, ...) with the client's credentials, as
    /// `kubectl get --raw` does: the body of a 2xx answer; any other answer throws its
    /// ``APIError`` (a non-JSON body, such as `/readyz`'s failing report, is its message).
    public func getRaw(_ path: String, query: [(String, String)] = []) async throws -> [UInt8] {
        try await transport.send(.GET, path, query: query).body
    }
}

import Logging
import NIOCore
import NIOHTTP1

/// One line per request, with its latency, as kube-apiserver's `httplog` writes: method, path
/// and query, status, time to the end of the response (the whole stream, for watches), client.
enum RequestLog {
    static func record(
        _ logger: Logger, head: HTTPRequestHead, status: HTTPResponseStatus, latency: Duration,
        remote: SocketAddress?
    ) {
        let milliseconds = Double(latency.components.seconds) * 1000 + Double(latency.components.attoseconds) / 1e15
        logger.info("\(head.method.rawValue) \(head.uri) \(status.code)", metadata: [
            "latency_ms": "\((milliseconds * 1000).rounded() / 1000)",
            "user_agent": "\(head.headers.first(name: "user-agent") ?? "")",
            "client": "\(remote?.ipAddress ?? "")",
        ])
    }
}

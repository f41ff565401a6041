import BosunAPIServer
import BosunKit
import CoreMetrics
import NIOHTTP1
import Testing

@Suite("API server: /metrics")
struct MetricsTests {
    @Test("counters, gauges and histograms in the Prometheus text format, names made legal, labels escaped")
    func exposition() {
        let metrics = PrometheusTextMetrics()
        Counter(label: "jobs_total", dimensions: [("queue", "a\"b")], factory: metrics).increment(by: 3)
        Gauge(label: "depth", factory: metrics).record(7)
        Gauge(label: "depth", factory: metrics).record(4)
        let timer = Timer(label: "reconcile.time-seconds", dimensions: [("controller", "rs")], factory: metrics)
        timer.recordNanoseconds(30_000_000)
        timer.recordNanoseconds(2_000_000_000)
        let text = metrics.render()
        #expect(text.contains("# TYPE jobs_total counter\njobs_total{queue=\"a\\\"b\"} 3\n"))
        #expect(text.contains("# TYPE depth gauge\ndepth 4\n"))
        #expect(text.contains("# TYPE reconcile_time_seconds histogram\n"))
        #expect(text.contains("reconcile_time_seconds_bucket{controller=\"rs\",le=\"0.025\"} 0\n"))
        #expect(text.contains("reconcile_time_seconds_bucket{controller=\"rs\",le=\"0.05\"} 1\n"))
        #expect(text.contains("reconcile_time_seconds_bucket{controller=\"rs\",le=\"+Inf\"} 2\n"))
        #expect(text.contains("reconcile_time_seconds_sum{controller=\"rs\"} 2.03\n"))
        #expect(text.contains("reconcile_time_seconds_count{controller=\"rs\"} 2\n"))
    }

    @Test("/metrics needs the token and counts requests by verb, resource and code")
    func endpoint() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        _ = try await client.request(.GET, "/api/v1/namespaces/default/configmaps")
        _ = try await client.request(.GET, "/api/v1/namespaces/default/configmaps/missing")
        _ = try await client.request(.POST, "/api/v1/namespaces/default/configmaps", json: Fixtures.configMap("a"))
        let response = try await client.request(.GET, "/metrics", accept: "text/plain;version=0.0.4")
        #expect(response.status == 200 && response.headers.first(name: "content-type") == "text/plain; version=0.0.4; charset=utf-8")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains("apiserver_request_total{verb=\"LIST\",resource=\"configmaps\",subresource=\"\",code=\"200\"} 1\n"))
        #expect(text.contains("apiserver_request_total{verb=\"GET\",resource=\"configmaps\",subresource=\"\",code=\"404\"} 1\n"))
        #expect(text.contains("apiserver_request_total{verb=\"POST\",resource=\"configmaps\",subresource=\"\",code=\"201\"} 1\n"))
        #expect(text.contains("apiserver_request_duration_seconds_count{verb=\"LIST\",resource=\"configmaps\",subresource=\"\"} 1\n"))
        let anonymous = try await server.client(token: "")
        #expect(try await anonymous.request(.GET, "/metrics").status == 401)
        await anonymous.close()
        await client.close()
        await server.stop()
    }
}

import Metrics

/// What the server counts, through swift-metrics: `muster serve` sends it to
/// Prometheus at `/metrics`; with no metrics system (the tests) it goes nowhere.
enum ServerMetrics {
    /// WebSockets open now, and sessions live now (set every tick).
    static let connections = Gauge(label: "muster_connections")
    static let sessions = Gauge(label: "muster_sessions_live")
    /// WebSockets open now that compress (permessage-deflate, asked for with `/ws?compress`).
    static let compressedConnections = Gauge(label: "muster_compressed_connections")
    /// Events written to the data file, and how long each commit took (fsync included).
    static let eventsCommitted = Counter(label: "muster_events_committed_total")
    static let commitFailures = Counter(label: "muster_commit_failures_total")
    static let commitDuration = Timer(label: "muster_commit_seconds")
    /// WebSocket frames and their bytes written to sockets.
    static let framesSent = Counter(label: "muster_frames_sent_total")
    static let bytesSent = Counter(label: "muster_bytes_sent_total")
    /// Connections closed because their queue filled (their clients resume with `since`).
    static let slowClosed = Counter(label: "muster_slow_connections_closed_total")
    /// Commands refused for coming too fast.
    static let rateLimited = Counter(label: "muster_commands_rate_limited_total")

    /// Hellos refused, by the error code the client was sent.
    static func helloRefused(_ reason: String) {
        Counter(label: "muster_hellos_refused_total", dimensions: [("reason", reason)]).increment()
    }
}

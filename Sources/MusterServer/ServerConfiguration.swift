import Foundation
import MusterCore
import MusterDocuments

/// How `muster serve` runs.
public struct ServerConfiguration: Sendable {
    /// Address to listen on: `127.0.0.1`, `::1`, `0.0.0.0`.
    public var host: String
    public var port: Int
    /// The address members use (`https://muster.example.cn`); also the only
    /// origin allowed to open a WebSocket. Nil: the request's own `Host`.
    public var baseURL: String?
    /// The folder with the page (`index.html` …).
    public var webRoot: String
    /// A folder of JavaScript libraries served at `/vendor` (the big screen's
    /// QR code); nil serves none (the screen then shows the address).
    public var vendorRoot: String?

    /// A socket that has not said a valid hello by then is closed.
    public var helloTimeoutSeconds = 10
    /// Silence before a client is pinged, and before it is given up on.
    public var pingAfterSeconds = 15
    public var hangUpAfterSeconds = 30
    /// Outgoing frames a connection may have waiting behind a socket that takes no
    /// more before it is closed as too slow; four times this however its client reads.
    public var queueLimit = 1024
    /// Events each live session keeps for clients resuming with `since`; one
    /// further behind gets a full welcome. Its own setting: it bounds memory per
    /// session, while `queueLimit` bounds memory per connection.
    public var replayWindow = 512
    /// Commands a connection may send at once, and per second after that.
    public var commandBurst = 20.0
    public var commandsPerSecond = 10.0
    /// Hellos one network address may say at once; they refill at a thirtieth
    /// of this a second. 60: a village's members all joining from the office Wi-Fi.
    public var hellosPerAddress = HelloLimiter.defaultPerAddress
    /// Devices one member may have in a session at once (a phone, a laptop, a spare).
    public var maxDevicesPerMember = 3
    /// Open connections (page, exports and WebSockets alike) one network
    /// address may hold; a county office behind one address needs many.
    public var maxConnectionsPerAddress = 1024
    /// HTTPS and WSS with this certificate and key (PEM files); nil: plain HTTP.
    public var tls: TLSFiles?

    public struct TLSFiles: Sendable {
        public var certificate: String
        public var key: String

        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// Where `/metrics` listens (loopback by default), and what it answers:
    /// the Prometheus text the metrics system renders. Either nil: no `/metrics`.
    public var metricsListen: (host: String, port: Int)? = ("127.0.0.1", 9464)
    public var metricsText: (@Sendable () -> [UInt8])?

    /// With TLS: a plain HTTP listener that sends everyone to `baseURL`
    /// (someone typing the address without https://).
    public var redirectHTTP: (host: String, port: Int)?

    /// Reverse proxies in front of this server (their addresses): for them,
    /// the client's address is the last one X-Forwarded-For names.
    public var trustedProxies: Set<String> = []

    /// Largest frame a client may send.
    public var maxFrameBytes = 64 * 1024

    /// The defaults, listening on 127.0.0.1:8080 with the page in `web/`.
    public static let standard = ServerConfiguration(host: "127.0.0.1", port: 8080, baseURL: nil, webRoot: "web")

    public init(host: String, port: Int, baseURL: String?, webRoot: String) {
        self.host = host
        self.port = port
        self.baseURL = baseURL
        self.webRoot = webRoot
    }

    /// Where typed cities are on the red-flag map: the web folder's `geo/places.tsv`
    /// (none there: every member is listed as not placed).
    var places: PlaceTable {
        (try? PlaceTable(contentsOf: URL(fileURLWithPath: webRoot).appendingPathComponent("geo/places.tsv"))) ?? PlaceTable(tsv: "")
    }

    /// The origin (`scheme://host[:port]`) of `baseURL`, lower-cased.
    var allowedOrigin: String? {
        guard let baseURL else { return nil }
        let lowered = baseURL.lowercased()
        guard let schemeEnd = lowered.range(of: "://") else { return nil }
        let rest = lowered[schemeEnd.upperBound...]
        let hostPart = rest.prefix { $0 != "/" }
        return String(lowered[..<schemeEnd.upperBound]) + hostPart
    }
}

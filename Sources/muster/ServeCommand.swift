import ArgumentParser
import Foundation
import CoreMetrics
import Logging
import Prometheus
import MusterCore
import MusterServer
import MusterStore

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the live server: the page, the WebSocket, the exports.",
        discussion: """
            Members open their link in a browser; the secretary's link opens the console.
            Stop with Ctrl-C: what was sent is saved first, and phones reconnect by themselves when it runs again.
            """)

    @Option(help: "Address and port to listen on. 127.0.0.1 keeps it on this computer; 0.0.0.0 opens it to the network.")
    var listen = "127.0.0.1:8080"

    @Option(help: "The address members use to reach this server, e.g. https://muster.example.cn. Only pages from it may connect.")
    var baseURL: String?

    @Option(help: "The folder with the page.")
    var web: String?

    @Option(help: .hidden)
    var helloTimeout = ServerConfiguration.standard.helloTimeoutSeconds

    @Option(help: .hidden)
    var keepalive = ServerConfiguration.standard.pingAfterSeconds

    @Option(help: .hidden)
    var queueLimit = ServerConfiguration.standard.queueLimit

    @Option(help: .hidden)
    var commandsPerSecond = ServerConfiguration.standard.commandsPerSecond

    @Option(help: .hidden)
    var replayWindow = ServerConfiguration.standard.replayWindow

    @Option(help: "Open connections one network address may hold (a county office behind one address needs many).")
    var maxConnectionsPerAddress = ServerConfiguration.standard.maxConnectionsPerAddress

    @Option(help: "Devices one network address may connect at once (then a thirtieth of that a second).")
    var hellosPerAddress = ServerConfiguration.standard.hellosPerAddress

    @Option(help: "Serve HTTPS and WSS with this certificate (PEM; a full chain from the CA). Needs --tls-key.")
    var tlsCert: String?

    @Option(help: "The certificate's private key (PEM). SIGHUP loads both files again after a renewal.")
    var tlsKey: String?

    @Option(help: "With TLS: also listen for plain HTTP here (e.g. 0.0.0.0:80) and send everyone to --base-url.")
    var redirectHTTP: String?

    @Option(help: "A reverse proxy in front of Muster (its address, e.g. 127.0.0.1): per-phone limits then use the address it forwards (X-Forwarded-For). Repeatable.")
    var trustedProxy: [String] = []

    @Option(help: "Where Prometheus reads /metrics: HOST:PORT (loopback unless you open it), or off.")
    var metricsListen = "127.0.0.1:9464"

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "How the log on standard error is written: text, or json (one object a line).")
    var logFormat = LogFormat.text

    @OptionGroup var store: StoreOptions

    func validate() throws {
        _ = try place()
    }

    /// Where to listen and what to serve, or why the arguments do not say.
    private func place() throws -> (host: String, port: Int, webRoot: String) {
        guard let (host, port) = Self.parse(listen) else {
            throw ValidationError("--listen takes HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080")
        }
        guard let webRoot = web ?? Self.defaultWebRoot() else {
            throw ValidationError("cannot find the page's folder; pass --web PATH")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        for file in [tlsCert, tlsKey].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: file) {
            throw ValidationError("cannot read \(file)")
        }
        if let redirectHTTP {
            guard Self.parse(redirectHTTP) != nil else { throw ValidationError("--redirect-http takes HOST:PORT, e.g. 0.0.0.0:80") }
            guard tlsCert != nil, baseURL?.hasPrefix("https://") == true else {
                throw ValidationError("--redirect-http needs --tls-cert, --tls-key and an https:// --base-url to send people to")
            }
        }
        guard metricsListen == "off" || Self.parse(metricsListen) != nil else {
            throw ValidationError("--metrics-listen takes HOST:PORT, e.g. 127.0.0.1:9464, or off")
        }
        return (host, port, webRoot)
    }

    func run() throws {
        let signals = SignalWaiter(blocking: [SIGINT, SIGTERM, SIGHUP])
        let (host, port, webRoot) = try place()
        let format = logFormat
        LoggingSystem.bootstrap { label in
            format == .json ? JSONLogHandler(label: label) as any LogHandler : StreamLogHandler.standardError(label: label)
        }
        Self.setFileLimit()
        var configuration = ServerConfiguration(host: host, port: port, baseURL: baseURL, webRoot: webRoot)
        configuration.vendorRoot = Self.debianJavaScript
        configuration.helloTimeoutSeconds = helloTimeout
        configuration.pingAfterSeconds = keepalive
        configuration.hangUpAfterSeconds = keepalive * 2
        configuration.queueLimit = queueLimit
        configuration.commandsPerSecond = commandsPerSecond
        configuration.replayWindow = replayWindow
        configuration.maxConnectionsPerAddress = maxConnectionsPerAddress
        configuration.hellosPerAddress = hellosPerAddress
        configuration.commandBurst = max(20, commandsPerSecond * 2)
        if let tlsCert, let tlsKey { configuration.tls = .init(certificate: tlsCert, key: tlsKey) }
        configuration.metricsListen = Self.parse(metricsListen).map { (host: $0.0, port: $0.1) }
        configuration.metricsText = Self.prometheus()
        configuration.trustedProxies = Set(trustedProxy)
        configuration.redirectHTTP = redirectHTTP.flatMap(Self.parse).map { (host: $0.0, port: $0.1) }
        let scheme = configuration.tls == nil ? "http" : "https"
        let database = try reportingErrors { try store.open().withLookupConnection() }
        let server = try reportingErrors { try LWSServer(configuration: configuration, database: database, wallClock: Instant.now) }
        server.onListening = { port in
            // Written straight to the file descriptor, so a script reading the pipe sees it at once.
            FileHandle.standardOutput.write(
                Data("Muster is serving on \(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)\n".utf8))
        }
        // The process ends here, after a stop or when `run()` returns: the database is closed
        // first, its log folded into the file; after a stop, the kernel closes the sockets
        // (see `exitAfterStop`).
        let finish: () -> Never = {
            do {
                try database.close()
            } catch {
                Logger(label: "muster").warning("the database's log was not folded into its file (nothing is lost): \(error)")
            }
            print("Muster stopped; everything acknowledged is saved.")
            Foundation.exit(0)
        }
        server.exitAfterStop = finish
        signals.start { number in
            if number == SIGHUP { server.reloadCertificatesSoon() } else { server.stop() }
        }
        try reportingErrors { try server.run() }
        finish()
    }

    /// swift-metrics into a Prometheus registry; returns what `/metrics` answers.
    static func prometheus() -> @Sendable () -> [UInt8] {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Commits take a millisecond or so with fsync; a slow disk shows in the upper buckets.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1),
        ]
        MetricsSystem.bootstrap(factory)
        return { registry.emitToBuffer() }
    }

    static func parse(_ listen: String) -> (String, Int)? {
        var host: Substring
        var port: Substring
        if listen.hasPrefix("[") {
            guard let close = listen.firstIndex(of: "]") else { return nil }
            host = listen[listen.index(after: listen.startIndex)..<close]
            port = listen[listen.index(after: close)...].drop { $0 == ":" }
        } else {
            guard let colon = listen.lastIndex(of: ":") else { return nil }
            host = listen[..<colon]
            port = listen[listen.index(after: colon)...]
        }
        guard !host.isEmpty, let number = Int(port), (0...65535).contains(number) else { return nil }
        return (String(host), number)
    }

    /// `web/` here, or beside the checkout the binary was built in.
    static func defaultWebRoot() -> String? {
        let here = FileManager.default.currentDirectoryPath + "/web"
        var candidates = [here]
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<4 {
            url.deleteLastPathComponent()
            candidates.append(url.appendingPathComponent("web").path)
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/index.html") }
    }

    /// Debian's `node-qrcode-generator` folder, served at `/vendor` for the big
    /// screen's QR code; nil when it is not installed (the screen then shows the address).
    static var debianJavaScript: String? {
        let folder = "/usr/share/javascript/qrcode-generator"
        return FileManager.default.fileExists(atPath: folder + "/qrcode.js") ? folder : nil
    }

    /// Each member is a socket: the open-file limit goes as high as allowed, within
    /// `LWSServer.maxOpenFiles` (lowered to it where it stood higher; see there why).
    static func setFileLimit() {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        limit.rlim_cur = LWSServer.openFileLimit(hard: limit.rlim_max)
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }
}

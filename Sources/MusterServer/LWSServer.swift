import CLibWebSockets
import Foundation
import MusterCore
import MusterStore
import Synchronization

/// The libwebsockets shell: HTTP and WebSocket on one port.
///
/// `run()` creates the lws context and services it on the calling thread,
/// which from then on is the only thread that touches lws or the
/// switchboard. Other threads (the store writer, the clock, the signal
/// waiter) talk to it through the `Mailbox` and `lws_cancel_service`.
/// lws's per-connection data holds only a connection number; the Swift
/// objects live in `connections`, found by it.
public final class LWSServer: @unchecked Sendable {
    // @unchecked: after `run()` starts, everything but `mailbox` and
    // `stopFlag` is touched only on the service thread.
    let configuration: ServerConfiguration
    let mailbox = Mailbox()
    private let writer: StoreWriter
    let switchboard: Switchboard
    var connections = ConnectionTable<LWSConnection>()
    /// HTTP answers waiting for their writeable callback, by request number.
    var httpResponses: [Int: HTTPResponse] = [:]
    /// Requests still open, by request number: an answer rendered off-thread finds its connection here.
    var httpWaiting: [Int: OpaquePointer] = [:]
    var httpHeadersSent: Set<Int> = []
    /// Requests whose browser takes gzip; see `httpReady`.
    var httpTakesGzip: Set<Int> = []
    /// Where answers are gzipped, off the service thread.
    let httpCompressor = DispatchQueue(label: "muster-http-gzip", qos: .utility)
    /// POSTs whose bodies are still arriving, by request number.
    var httpBodies: [Int: Switchboard.HTTPRequest] = [:]
    let exports: ExportService
    let desk: BranchDesk
    var caps: ConnectionCaps
    var keepalive: Keepalive
    /// A ping's payload, one byte (lws 4.1 passes on no empty pong), with the room lws needs before it.
    let pingBuffer: UnsafeMutablePointer<UInt8> = {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Int(muster_lws_pre) + 1)
        buffer.initialize(repeating: UInt8(ascii: "k"), count: Int(muster_lws_pre) + 1)
        return buffer
    }()
    var nextRequest = 1
    /// Frames and bytes written since the loop last told the metrics: counted
    /// here, as a metric's atomic add for every frame showed in `perf`.
    var sent = (frames: 0, bytes: 0)
    /// Set when events went to the writer in this pass of the loop (see `awaitCommit`).
    private var commitAwaited = false
    private let stopFlag = Atomic<Bool>(false)
    private var stopDeadline: ContinuousClock.Instant?
    /// At a stop, the connections not yet sent their 1001 (see `sendCloseFrame`).
    var closeFramesOwed = Set<ConnectionID>()
    /// How lws opens the page's files: gzipped where the browser takes it.
    let pageFiles = PageFileOperations()
    /// Open sockets that compress (see `LWSServer+Compression`).
    var compressedConnections = 0
    /// The lws context while `run()` runs (service thread only).
    private(set) var context: OpaquePointer?
    /// The libwebsockets this binary is linked against, read from the library itself.
    public static var libraryVersion: String { String(cString: lws_get_library_version()) }

    /// The most descriptors a server runs with (the systemd unit's `LimitNOFILE`).
    public static let maxOpenFiles: rlim_t = 65536

    /// The open-file limit a server should set before `run()`, given the hard limit: every
    /// member is a socket, so as many as allowed, but at most `maxOpenFiles`, even where the
    /// limit already stands higher. lws 4.1 sizes its descriptor table by the limit and, as
    /// Debian builds it (with its debug checks), walks the whole table at every close: at a
    /// container's usual 1,048,576 that is about 0.6 ms a disconnect, six seconds of a stalled
    /// loop when 10,000 members leave at once; at 65,536, about 0.04 ms (`bench/close_scan.c`).
    public static func openFileLimit(hard: rlim_t) -> rlim_t { min(hard, maxOpenFiles) }

    /// Called on the service thread once the port is open.
    public var onListening: (@Sendable (Int) -> Void)?
    /// Set by a process that ends when its server stops (`muster serve`): called once the
    /// store has everything and every connection has been sent its 1001 (or the stop's
    /// three seconds are up), in place of closing each socket through lws, and the kernel
    /// closes them as the process exits. lws 4.1, as Debian builds it, walks its whole
    /// table of sockets at every close: closing 10,000 took most of a second of a restart.
    /// Unset (tests, which run servers in-process), `run()` closes them and returns.
    public var exitAfterStop: (() -> Never)?
    /// The `/metrics` listener, if there is one (service thread only).
    var metricsVhost: OpaquePointer?

    /// - Parameter wallClock: the system's wall clock, read once at start; Muster's
    ///   time then follows the monotonic clock (`ServerClock`).
    public init(
        configuration: ServerConfiguration, database: MusterDatabase, wallClock: @escaping @Sendable () -> Instant
    ) throws {
        self.configuration = configuration
        writer = StoreWriter(database: database, mailbox: mailbox)
        exports = ExportService(store: database, mailbox: mailbox)
        desk = BranchDesk(store: database, mailbox: mailbox, places: configuration.places)
        caps = ConnectionCaps(maxPerAddress: configuration.maxConnectionsPerAddress)
        keepalive = Keepalive(
            pingAfterSeconds: configuration.pingAfterSeconds, hangUpAfterSeconds: configuration.hangUpAfterSeconds,
            tickMicroseconds: Int(Self.tickMicroseconds))
        let boot = RandomSource.system.identifier("X") as Identifier<DeviceTag>
        let clock = ServerClock(wall: wallClock)
        switchboard = try Switchboard(
            store: database, clock: clock.now, bootID: String(boot.rawValue.dropFirst().prefix(6)), limits: configuration)
        precondition(muster_lws_pre <= Frame.headroom, "lws needs \(muster_lws_pre) bytes before a frame")
        switchboard.wallClockStep = clock.wallClockStep
        // Sessions the previous server left under way: their recovery waits in the writer's queue.
        perform(try switchboard.start())
    }

    deinit { pingBuffer.deallocate() }

    /// Asks the server to stop: it commits what is queued, closes every
    /// socket with 1001 and returns from `run()`. Safe from any thread.
    public func stop() {
        guard !stopFlag.exchange(true, ordering: .sequentiallyConsistent) else { return }
        mailbox.post(.stop)
    }

    /// Serves until `stop()`. Throws if the port cannot be opened.
    public func run() throws {
        lws_set_log_level(LLL_ERR | LLL_WARN, musterLWSLog)
        var cStrings: [UnsafeMutablePointer<CChar>] = []
        func keep(_ string: String) -> UnsafeMutablePointer<CChar> {
            let copy = strdup(string)!
            cStrings.append(copy)
            return copy
        }
        defer { cStrings.forEach { free($0) } }

        let protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        defer { protocols.deallocate() }
        protocols[0] = lws_protocols()
        protocols[0].name = UnsafePointer(keep("muster"))
        protocols[0].callback = musterCallback
        // A connection's or a request's number: see `established`.
        protocols[0].per_session_data_size = MemoryLayout<Int>.size
        // Messages arrive in pieces of at most this; we join them up to maxFrameBytes. Small: commands
        // are, and lws allocates it for every connection (and sets the socket's send buffer from it).
        protocols[0].rx_buffer_size = 1024
        // Frames go to the kernel whole, not in rx_buffer_size pieces (lws's default when this is 0).
        protocols[0].tx_packet_size = 64 * 1024
        protocols[1] = lws_protocols()
        // permessage-deflate, taken only where a client asks (`agreeToExtension`).
        let extensions = UnsafeMutablePointer<lws_extension>.allocate(capacity: 2)
        defer { extensions.deallocate() }
        extensions[0] = lws_extension(
            name: UnsafePointer(keep("permessage-deflate")), callback: lws_extension_callback_pm_deflate,
            client_offer: UnsafePointer(keep("permessage-deflate; client_max_window_bits")))
        extensions[1] = lws_extension()

        // "/healthz", "/sessions" and "/api" are answered in the callback; "/screen" is the
        // big screen's page, "/office" the branch's and "/me" a member's own record (one page, two
        // views), "/map" the red-flag map; "/vendor" is Debian's QR code library; "/" serves web/.
        var mountList: [(path: String, origin: String?, def: String?)] = [
            ("/sessions", nil, nil), ("/healthz", nil, nil), ("/api", nil, nil),
            ("/screen", configuration.webRoot, "screen.html"), ("/office", configuration.webRoot, "office.html"),
            ("/me", configuration.webRoot, "office.html"), ("/map", configuration.webRoot, "map.html"),
        ]
        if let vendor = configuration.vendorRoot { mountList.append(("/vendor", vendor, nil)) }
        mountList.append(("/", configuration.webRoot, "index.html"))
        let mounts = UnsafeMutablePointer<lws_http_mount>.allocate(capacity: mountList.count)
        defer { mounts.deallocate() }
        // The map's table of places (geo/places.tsv): a type lws does not know, which it refuses with 415.
        let tsv = UnsafeMutablePointer<lws_protocol_vhost_options>.allocate(capacity: 1)
        defer { tsv.deallocate() }
        tsv.initialize(to: lws_protocol_vhost_options())
        tsv.pointee.name = UnsafePointer(keep(".tsv"))
        tsv.pointee.value = UnsafePointer(keep("text/tab-separated-values; charset=utf-8"))
        for (index, entry) in mountList.enumerated() {
            mounts[index] = lws_http_mount()
            if index + 1 < mountList.count { mounts[index].mount_next = UnsafePointer(mounts + index + 1) }
            mounts[index].mountpoint = UnsafePointer(keep(entry.path))
            mounts[index].mountpoint_len = UInt8(entry.path.utf8.count)
            if let origin = entry.origin {
                mounts[index].origin = UnsafePointer(keep(PageFileOperations.origin(origin)))
                mounts[index].origin_protocol = UInt8(LWSMPRO_FILE.rawValue)
                mounts[index].extra_mimetypes = UnsafePointer(tsv)
                if let def = entry.def { mounts[index].def = UnsafePointer(keep(def)) }
                // The page's files are kept by the browser and checked at each use (its ETag
                // answered with 304): a phone that loads the page again downloads headers, not
                // the page. lws's default is no-store, every file whole every time.
                mounts[index].cache_max_age = 1
                mounts[index].cache_reusable = 1
                mounts[index].cache_revalidate = 1
            } else {
                mounts[index].origin_protocol = UInt8(LWSMPRO_CALLBACK.rawValue)
                mounts[index].protocol = UnsafePointer(keep("muster"))
            }
        }

        // No validity timers in lws (zeros): `Keepalive` pings and hangs up, see there why. lws keeps
        // the pointer for the vhosts' lifetime, so it lives on the heap until the context is gone.
        let retry = UnsafeMutablePointer<lws_retry_bo_t>.allocate(capacity: 1)
        retry.initialize(to: lws_retry_bo_t())
        defer { retry.deallocate() }

        var info = lws_context_creation_info()
        info.port = Int32(configuration.port)
        info.iface = UnsafePointer(keep(configuration.host))
        info.protocols = UnsafePointer(protocols)
        info.extensions = UnsafePointer(extensions)
        info.mounts = UnsafePointer(mounts)
        info.fops = pageFiles.operations
        info.options = muster_lws_option_validate_utf8
        if let tls = configuration.tls {
            info.options |= muster_lws_option_tls
            info.ssl_cert_filepath = UnsafePointer(keep(tls.certificate))
            info.ssl_private_key_filepath = UnsafePointer(keep(tls.key))
            // HTTP/1.1 only: WebSockets over HTTP/2 streams are a path the shell is not built or tested for.
            info.alpn = UnsafePointer(keep("http/1.1"))
        }
        let everyResponseHeaders = Self.everyResponseHeaders(tls: configuration.tls != nil)
        // Security headers (and Vary) on every response, the page's and ours alike. lws's canned set
        // forbids inline styles, which the printable minutes need (a self-contained file).
        let headerList = UnsafeMutablePointer<lws_protocol_vhost_options>.allocate(capacity: everyResponseHeaders.count)
        defer { headerList.deallocate() }
        for (index, (name, value)) in everyResponseHeaders.enumerated() {
            headerList[index] = lws_protocol_vhost_options()
            headerList[index].name = UnsafePointer(keep(name))
            headerList[index].value = UnsafePointer(keep(value))
            if index + 1 < everyResponseHeaders.count { headerList[index].next = UnsafePointer(headerList + index + 1) }
        }
        info.headers = UnsafePointer(headerList)
        info.user = Unmanaged.passUnretained(self).toOpaque()
        info.retry_and_idle_policy = UnsafePointer(retry)
        info.options |= muster_lws_option_explicit_vhosts
        info.vhost_name = UnsafePointer(keep("default"))

        guard let context = lws_create_context(&info) else {
            throw ServerError.cannotListen(host: configuration.host, port: configuration.port)
        }
        guard lws_create_vhost(context, &info) != nil else {
            lws_context_destroy(context)
            throw ServerError.cannotListen(host: configuration.host, port: configuration.port)
        }
        let extraMounts = UnsafeMutablePointer<lws_http_mount>.allocate(capacity: 2)
        defer { extraMounts.deallocate() }
        listenForMetrics(context, info, extraMounts, keep)
        try redirectToHTTPS(context, info, extraMounts + 1, keep)
        let contextBits = Int(bitPattern: UnsafeRawPointer(context))
        mailbox.setWake { lws_cancel_service(OpaquePointer(bitPattern: contextBits)) }
        // What the previous server left under way is recovered (through the writer) before anyone is served.
        writer.commitQueued()
        drainMailbox()
        writer.start()
        // Every exit path, in order: the writer commits what is queued and stops
        // posting; nobody can wake the context any more; only then does it go.
        defer {
            writer.stopAndFlush()
            mailbox.setWake(nil)
            lws_context_destroy(context)
        }
        let timer = UnsafeMutablePointer<muster_timer_t>.allocate(capacity: 1)
        timer.initialize(to: muster_timer_t())
        timer.pointee.owner = Unmanaged.passUnretained(self).toOpaque()
        self.context = context
        defer {
            // Runs before the defer above: the timer leaves lws's list, then its memory goes.
            lws_sul_cancel(&timer.pointee.sul)
            timer.deallocate()
            self.context = nil
        }
        lws_sul_schedule(context, 0, &timer.pointee.sul, musterTick, Self.tickMicroseconds)
        let port = Int(lws_get_vhost_listen_port(lws_get_vhost_by_name(context, "default")))
        switchboard.recordGauges()
        switchboard.logger.info("listening", metadata: ["address": "\(configuration.host)", "port": "\(port)"])
        onListening?(port)

        while true {
            if lws_service(context, 0) < 0 { break }
            if sent.frames > 0 { countSent() }
            if commitAwaited { awaitCommit() }
            guard let stopDeadline else { continue }
            if connections.isEmpty || ContinuousClock.now > stopDeadline { break }
            if closeFramesOwed.isEmpty, exitAfterStop != nil { break }
        }
        switchboard.logger.info("stopped; everything acknowledged is saved")
        if isStopping, let exitAfterStop { exitAfterStop() }
    }

    /// Four times a second: roll-call windows close on time, replaced links
    /// are noticed, presence is reconciled after a failed commit.
    static let tickMicroseconds: lws_usec_t = 250_000
    static let ticksPerSecond = Int(1_000_000 / tickMicroseconds)

    /// lws's timer fired on the service thread: tick, and schedule the next.
    func tick(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>) {
        perform(switchboard.handle(.tick))
        keepalive.advance()
        if keepalive.now % Self.ticksPerSecond == 0 { checkKeepalive() }
        guard let context else { return }
        lws_sul_schedule(context, 0, sul, musterTick, Self.tickMicroseconds)
    }

    /// How long the loop waits for a commit before it goes back to `poll()`.
    static let commitWaitSeconds = 0.002

    /// Events went to the writer in the pass just served. Their commit takes a fraction of a
    /// millisecond; going back to `poll()` for it costs a pass over every socket, two in fact
    /// (poll scans them all as it sleeps and again as the writer wakes it): about 1.3 ms each at
    /// 5,000 members (`perf`). So the loop waits for the commit here, a little, and what it
    /// releases goes out in the next pass. A slower disk only means the usual wake.
    private func awaitCommit() {
        commitAwaited = false
        if mailbox.waitBriefly(seconds: Self.commitWaitSeconds) { drainMailbox() }
    }

    private func countSent() {
        ServerMetrics.framesSent.increment(by: Int64(sent.frames))
        ServerMetrics.bytesSent.increment(by: Int64(sent.bytes))
        sent = (0, 0)
    }

    // MARK: Mailbox (service thread)

    func drainMailbox() {
        for message in mailbox.drain() {
            if case .stop = message {
                // Everyone present leaves on the record and is to be closed with 1001; then the
                // writer commits that and what was queued, and the acks go out before the closes.
                stopDeadline = .now + .seconds(3)
                perform(switchboard.handle(.stop))
                writer.stopAndFlush()
                for flushed in mailbox.drain() { deliver(flushed) }
            } else {
                deliver(message)
            }
        }
    }

    private func deliver(_ message: MailboxMessage) {
        switch message {
        case .httpReady(let request, let response): httpReady(request, response)
        case .reloadCertificates: reloadCertificates()
        case .stop: break  // handled by drainMailbox, once
        case .committed, .commitFailed, .tick: perform(switchboard.handle(message))
        }
    }

    var isStopping: Bool { stopDeadline != nil }

    /// Carries out what the switchboard decided, in order.
    func perform(_ actions: [ServerAction]) {
        for action in actions {
            switch action {
            case .send(let frame, let connection): send(frame, to: connection)
            case .broadcast(let frame, let connections): broadcast(frame, to: connections)
            case .close(let connection, let code, let reason): close(connection, code: code, reason: reason)
            case .submit(let batch, let generation):
                writer.submit(batch, generation: generation)
                commitAwaited = true
            case .linkOpened(let member): writer.noteLinkOpened(member, at: switchboard.clock())
            }
        }
    }
}

public enum ServerError: Error, CustomStringConvertible {
    case cannotListen(host: String, port: Int)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port): "cannot listen on \(host):\(port) (in use, or not an address of this machine)"
        }
    }
}

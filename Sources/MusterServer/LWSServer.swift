import CLibWebSockets
import Foundation
import MusterCore
import MusterStore
import Synchronization

/// The libwebsockets shell: HTTP and WebSocket on one port.
///
/// `run()` creates the lws context and services it on the calling thread,
/// which from then on is the only thread that touches lws or the
/// switchboard. Other threads (the store writer, the clock, signal
/// handlers) talk to it through the `Mailbox` and `lws_cancel_service`.
/// lws's per-connection data holds only a connection number; the Swift
/// objects live in `connections`, keyed by it.
public final class LWSServer: @unchecked Sendable {
    // @unchecked: after `run()` starts, everything but `mailbox` and
    // `stopFlag` is touched only on the service thread.
    let configuration: ServerConfiguration
    let mailbox = Mailbox()
    private let writer: StoreWriter
    let switchboard: Switchboard
    var connections: [ConnectionID: LWSConnection] = [:]
    private var nextConnection: ConnectionID = 1
    /// HTTP answers waiting for their writeable callback, by request number.
    var httpResponses: [Int: HTTPResponse] = [:]
    /// Requests still open, by request number: an answer rendered off-thread finds its connection here.
    var httpWaiting: [Int: OpaquePointer] = [:]
    var httpHeadersSent: Set<Int> = []
    let exports: ExportService
    var caps: ConnectionCaps
    var nextRequest = 1
    private let stopFlag = Atomic<Bool>(false)
    private var stopDeadline: ContinuousClock.Instant?
    /// The lws context while `run()` runs (service thread only).
    private var context: OpaquePointer?
    let utcOffsetSeconds = TimeZone.current.secondsFromGMT()
    /// Called on the service thread once the port is open.
    public var onListening: (@Sendable (Int) -> Void)?

    /// - Parameter wallClock: the system's wall clock, read once at start; Muster's
    ///   time then follows the monotonic clock (`ServerClock`).
    public init(
        configuration: ServerConfiguration, database: MusterDatabase, wallClock: @escaping @Sendable () -> Instant
    ) throws {
        self.configuration = configuration
        writer = StoreWriter(database: database, mailbox: mailbox)
        exports = ExportService(store: database, mailbox: mailbox)
        caps = ConnectionCaps(maxPerAddress: configuration.maxConnectionsPerAddress)
        let boot = RandomSource.system.identifier("X") as Identifier<DeviceTag>
        let clock = ServerClock(wall: wallClock)
        switchboard = try Switchboard(
            store: database, writer: writer, clock: clock.now, bootID: String(boot.rawValue.dropFirst().prefix(6)),
            commandBurst: configuration.commandBurst, commandsPerSecond: configuration.commandsPerSecond,
            replayWindow: configuration.replayWindow, maxDevicesPerMember: configuration.maxDevicesPerMember,
            hellosPerAddress: configuration.hellosPerAddress)
        precondition(muster_lws_pre <= Frame.headroom, "lws needs \(muster_lws_pre) bytes before a frame")
        switchboard.sink = self
        switchboard.wallClockStep = clock.wallClockStep
    }

    /// Asks the server to stop: it commits what is queued, closes every
    /// socket with 1001 and returns from `run()`. Safe from any thread.
    public func stop() {
        guard !stopFlag.exchange(true, ordering: .sequentiallyConsistent) else { return }
        mailbox.post(.stop)
    }

    /// Serves until `stop()`. Throws if the port cannot be opened.
    public func run() throws {
        lws_set_log_level(LLL_ERR | LLL_WARN, nil)
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
        protocols[0].per_session_data_size = MemoryLayout<Int>.size
        // Messages arrive in pieces of at most this; we join them up to maxFrameBytes.
        protocols[0].rx_buffer_size = 16 * 1024
        protocols[1] = lws_protocols()

        // "/healthz" and "/sessions" are answered in the callback; "/screen" is the
        // big screen's page; "/vendor" is Debian's QR code library; "/" serves web/.
        var mountList: [(path: String, origin: String?, def: String?)] = [
            ("/sessions", nil, nil), ("/healthz", nil, nil), ("/screen", configuration.webRoot, "screen.html"),
        ]
        if let vendor = configuration.vendorRoot { mountList.append(("/vendor", vendor, nil)) }
        mountList.append(("/", configuration.webRoot, "index.html"))
        let mounts = UnsafeMutablePointer<lws_http_mount>.allocate(capacity: mountList.count)
        defer { mounts.deallocate() }
        for (index, entry) in mountList.enumerated() {
            mounts[index] = lws_http_mount()
            if index + 1 < mountList.count { mounts[index].mount_next = UnsafePointer(mounts + index + 1) }
            mounts[index].mountpoint = UnsafePointer(keep(entry.path))
            mounts[index].mountpoint_len = UInt8(entry.path.utf8.count)
            if let origin = entry.origin {
                mounts[index].origin = UnsafePointer(keep(origin))
                mounts[index].origin_protocol = UInt8(LWSMPRO_FILE.rawValue)
                if let def = entry.def { mounts[index].def = UnsafePointer(keep(def)) }
            } else {
                mounts[index].origin_protocol = UInt8(LWSMPRO_CALLBACK.rawValue)
                mounts[index].protocol = UnsafePointer(keep("muster"))
            }
        }

        var retry = lws_retry_bo_t()
        retry.secs_since_valid_ping = UInt16(configuration.pingAfterSeconds)
        retry.secs_since_valid_hangup = UInt16(configuration.hangUpAfterSeconds)

        var info = lws_context_creation_info()
        info.port = Int32(configuration.port)
        info.iface = UnsafePointer(keep(configuration.host))
        info.protocols = UnsafePointer(protocols)
        info.mounts = UnsafePointer(mounts)
        info.options = muster_lws_option_validate_utf8
        // Security headers on every response, the page's and ours alike. lws's canned set
        // forbids inline styles, which the printable minutes need (a self-contained file).
        let headerList = UnsafeMutablePointer<lws_protocol_vhost_options>.allocate(capacity: Self.securityHeaders.count)
        defer { headerList.deallocate() }
        for (index, (name, value)) in Self.securityHeaders.enumerated() {
            headerList[index] = lws_protocol_vhost_options()
            headerList[index].name = UnsafePointer(keep(name))
            headerList[index].value = UnsafePointer(keep(value))
            if index + 1 < Self.securityHeaders.count { headerList[index].next = UnsafePointer(headerList + index + 1) }
        }
        info.headers = UnsafePointer(headerList)
        info.user = Unmanaged.passUnretained(self).toOpaque()

        let context: OpaquePointer? = withUnsafePointer(to: &retry) { retryPointer in
            info.retry_and_idle_policy = retryPointer
            return lws_create_context(&info)
        }
        guard let context else {
            throw ServerError.cannotListen(host: configuration.host, port: configuration.port)
        }
        let contextBits = Int(bitPattern: UnsafeRawPointer(context))
        mailbox.setWake { lws_cancel_service(OpaquePointer(bitPattern: contextBits)) }
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
        onListening?(Int(lws_get_vhost_listen_port(lws_get_vhost_by_name(context, "default"))))

        while true {
            if lws_service(context, 0) < 0 { break }
            if let stopDeadline, connections.isEmpty || ContinuousClock.now > stopDeadline { break }
        }
    }

    /// Four times a second: roll-call windows close on time, replaced links
    /// are noticed, presence is reconciled after a failed commit.
    static let tickMicroseconds: lws_usec_t = 250_000

    /// lws's timer fired on the service thread: tick, and schedule the next.
    func tick(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>) {
        switchboard.handle(.tick)
        guard let context else { return }
        lws_sul_schedule(context, 0, sul, musterTick, Self.tickMicroseconds)
    }

    /// Scripts only from this server, no framing, no sniffing, no referrer
    /// carrying a link's path; styles may be inline (the minutes are one file).
    static let securityHeaders: [(String, String)] = [
        (
            "content-security-policy:",
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        ),
        ("x-content-type-options:", "nosniff"),
        ("x-frame-options:", "DENY"),
        ("referrer-policy:", "no-referrer"),
    ]

    // MARK: Mailbox (service thread)

    func drainMailbox() {
        for message in mailbox.drain() {
            if case .stop = message {
                // Commit what is queued and send its acks, then close everyone with 1001.
                writer.stopAndFlush()
                for flushed in mailbox.drain() { deliver(flushed) }
                switchboard.handle(.stop)
                stopDeadline = .now + .seconds(3)
            } else {
                deliver(message)
            }
        }
    }

    private func deliver(_ message: MailboxMessage) {
        switch message {
        case .httpReady(let request, let response): httpReady(request, response)
        case .stop: break  // handled by drainMailbox, once
        case .committed, .commitFailed, .tick: switchboard.handle(message)
        }
    }

    var isStopping: Bool { stopDeadline != nil }

    // MARK: Connections (service thread)

    func established(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?) {
        let id = nextConnection
        nextConnection += 1
        user?.storeBytes(of: id, as: Int.self)
        connections[id] = LWSConnection(id: id, wsi: wsi)
        lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, Int32(configuration.helloTimeoutSeconds))
        var address = [CChar](repeating: 0, count: 64)
        let peer = lws_get_peer_simple(wsi, &address, address.count).map { String(cString: $0) } ?? ""
        switchboard.opened(id, address: peer)
        if isStopping { close(id, code: .goingAway, reason: "server restarting") }
    }

    func connection(_ user: UnsafeMutableRawPointer?) -> LWSConnection? {
        guard let id = user?.load(as: Int.self) else { return nil }
        return connections[id]
    }

    func receive(_ connection: LWSConnection, _ input: UnsafeMutableRawPointer?, _ length: Int) {
        let wsi = connection.wsi
        if lws_is_first_fragment(wsi) != 0 {
            connection.incoming.removeAll(keepingCapacity: true)
            connection.discardingMessage = false
        }
        guard !connection.discardingMessage, connection.closeNow == nil, connection.closeAfterDrain == nil else { return }
        if lws_frame_is_binary(wsi) != 0 {
            connection.discardingMessage = true
            send(ServerMessage.error(id: nil, .badRequest, "only text frames are accepted"), to: connection.id)
            close(connection.id, code: .unsupportedData, reason: "text frames only")
            return
        }
        if connection.incoming.count + length > configuration.maxFrameBytes {
            connection.discardingMessage = true
            connection.incoming.removeAll()
            send(ServerMessage.error(id: nil, .tooLarge, "a message may be at most 64 KiB"), to: connection.id)
            close(connection.id, code: .messageTooBig, reason: "too large")
            return
        }
        if let input, length > 0 {
            connection.incoming.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        }
        guard lws_is_final_fragment(wsi) != 0, lws_remaining_packet_payload(wsi) == 0 else { return }
        let message = connection.incoming
        connection.incoming.removeAll(keepingCapacity: true)
        switchboard.received(message, from: connection.id)
    }

    /// Writes one frame (lws's rule: one write per writeable callback).
    /// Returns false when the connection is to close now.
    func writeable(_ connection: LWSConnection) -> Bool {
        if let close = connection.closeNow {
            closeReason(connection.wsi, close.code, close.reason)
            return false
        }
        guard let frame = connection.dequeue() else {
            if let close = connection.closeAfterDrain {
                closeReason(connection.wsi, close.code, close.reason)
                return false
            }
            return true
        }
        let count = frame.count
        // Written in place: the frame keeps LWS_PRE bytes free before its payload.
        let written = lws_write(connection.wsi, frame.payload.assumingMemoryBound(to: UInt8.self), count, LWS_WRITE_TEXT)
        guard written >= count else { return false }
        if connection.queued > 0 || connection.closeAfterDrain != nil {
            lws_callback_on_writable(connection.wsi)
        }
        return true
    }

    func closed(_ user: UnsafeMutableRawPointer?) {
        guard let id = user?.load(as: Int.self), connections.removeValue(forKey: id) != nil else { return }
        switchboard.closed(id)
    }

    private func closeReason(_ wsi: OpaquePointer, _ code: CloseCode, _ reason: String) {
        var bytes = Array(reason.utf8.prefix(120))
        lws_close_reason(wsi, lws_close_status(rawValue: UInt32(code.rawValue)), &bytes, bytes.count)
    }
}

extension LWSServer: ConnectionSink {
    func send(_ frame: Frame, to id: ConnectionID) {
        guard let connection = connections[id], connection.closeNow == nil else { return }
        guard connection.queued < configuration.queueLimit else {
            // Too far behind: drop it now; its client resumes with `since` and loses nothing.
            connection.dropQueue()
            connection.closeNow = (.policyViolation, "too slow")
            lws_callback_on_writable(connection.wsi)
            return
        }
        connection.enqueue(frame)
        if connection.queued == 1 { lws_callback_on_writable(connection.wsi) }
    }

    func close(_ id: ConnectionID, code: CloseCode, reason: String) {
        guard let connection = connections[id], connection.closeAfterDrain == nil else { return }
        connection.closeAfterDrain = (code, reason)
        lws_callback_on_writable(connection.wsi)
    }

    func helloAccepted(_ id: ConnectionID) {
        guard let connection = connections[id] else { return }
        lws_set_timeout(connection.wsi, NO_PENDING_TIMEOUT, 0)
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

/// lws's timer callback: the sul is the first field of a `muster_timer_t`.
func musterTick(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul else { return }
    let timer = UnsafeMutableRawPointer(sul).assumingMemoryBound(to: muster_timer_t.self)
    guard let owner = timer.pointee.owner else { return }
    Unmanaged<LWSServer>.fromOpaque(owner).takeUnretainedValue().tick(sul)
}

/// The one C callback lws calls for everything; it finds the server through
/// the context's user pointer and hands over to it.
func musterCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let pointer = lws_context_user(context) else {
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
    let server = Unmanaged<LWSServer>.fromOpaque(pointer).takeUnretainedValue()
    switch reason {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        server.drainMailbox()
        return 0
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        return server.confirmUpgrade(wsi)
    case LWS_CALLBACK_ESTABLISHED:
        server.established(wsi, user)
        return 0
    case LWS_CALLBACK_RECEIVE:
        if let connection = server.connection(user) { server.receive(connection, input, length) }
        return 0
    case LWS_CALLBACK_SERVER_WRITEABLE:
        guard let connection = server.connection(user) else { return 0 }
        return server.writeable(connection) ? 0 : -1
    case LWS_CALLBACK_CLOSED:
        server.closed(user)
        return 0
    case LWS_CALLBACK_HTTP:
        return server.http(wsi, user)
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if let request = user?.load(as: Int.self), server.httpResponses[request] != nil {
            return server.httpWriteable(wsi, user)
        }
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL, LWS_CALLBACK_CLOSED_HTTP:
        server.httpDone(user)
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        return server.acceptConnection(user) ? 0 : 1
    case LWS_CALLBACK_WSI_CREATE:
        server.caps.created(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(wsi))))
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    case LWS_CALLBACK_WSI_DESTROY:
        server.caps.destroyed(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(wsi))))
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
        return server.filterRequest(wsi)
    default:
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
}

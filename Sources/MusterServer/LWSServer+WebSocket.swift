import CLibWebSockets
import MusterCore

/// The WebSocket side of the shell: connections arriving, frames in, frames
/// out one per writeable callback, closings. Everything here runs on the
/// service thread.
extension LWSServer {
    // MARK: Connections (service thread)

    func established(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?) {
        let compressed = user?.load(as: Int.self) == Self.compressionAgreed
        let connection = connections.add {
            LWSConnection(id: $0, wsi: wsi, heardAt: keepalive.now, compressed: compressed)
        }
        if compressed { startCompressing(connection) }
        let id = connection.id
        // The id in lws's per-connection data; the connection itself in the wsi's own pointer for
        // lws's callbacks: no lookup per frame written, and no visit to the per-connection data,
        // which lws keeps apart (a wait for memory in every writeable callback, `perf annotate`).
        // `connections` keeps it alive until `closed`, lws's last callback for this socket.
        user?.storeBytes(of: id, as: Int.self)
        lws_set_opaque_user_data(wsi, Unmanaged.passUnretained(connection).toOpaque())
        var address = [CChar](repeating: 0, count: 64)
        let peer = lws_get_peer_simple(wsi, &address, address.count).map { String(cString: $0) } ?? ""
        switchboard.opened(id, address: clientAddress(wsi, peer: peer))
        if isStopping { close(id, code: .goingAway, reason: "server restarting") }
    }

    /// The phone's address: the peer's, or, when the peer is a proxy this
    /// server was told to trust, the last address its X-Forwarded-For names.
    func clientAddress(_ wsi: OpaquePointer, peer: String) -> String {
        let bare = peer.hasPrefix("::ffff:") ? String(peer.dropFirst(7)) : peer
        guard configuration.trustedProxies.contains(bare),
            let forwarded = header(wsi, WSI_TOKEN_X_FORWARDED_FOR)?.split(separator: ",").last
        else { return peer }
        let client = forwarded.trimmingCharacters(in: .whitespaces)
        return client.isEmpty ? peer : client
    }

    /// The WebSocket connection behind a wsi, lent to `body` without a retain
    /// (an atomic write to an object seldom in cache, for every frame written).
    @discardableResult
    func withConnection<Result>(_ wsi: OpaquePointer, _ body: (LWSConnection) -> Result) -> Result? {
        guard let pointer = lws_get_opaque_user_data(wsi) else { return nil }
        return Unmanaged<LWSConnection>.fromOpaque(pointer)._withUnsafeGuaranteedRef(body)
    }

    func receive(_ connection: LWSConnection, _ input: UnsafeMutableRawPointer?, _ length: Int) {
        let wsi = connection.wsi
        connection.heard(at: keepalive.now)
        if lws_is_first_fragment(wsi) != 0 {
            connection.incoming.removeAll(keepingCapacity: true)
            connection.discardingMessage = false
        }
        guard !connection.discardingMessage, !connection.closingNow, connection.closeAfterDrain == nil else { return }
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
        perform(switchboard.received(message, from: connection.id))
    }

    /// At most this many frames go out in one writeable callback, so one
    /// connection's backlog cannot keep the others waiting.
    static let framesPerWriteable = 16

    /// Writes what is queued: one frame, and more while the socket takes
    /// them (lws's rule: a second write in a callback only if the pipe is
    /// not choked). A secretary's event and its ack leave together, not a
    /// `poll()` pass over every socket apart. Returns false when the
    /// connection is to close now.
    func writeable(_ connection: LWSConnection) -> Bool {
        guard !connection.closeSent else { return true }
        if connection.closingNow, let close = connection.closeNow {
            closeReason(connection.wsi, close.code, close.reason)
            return false
        }
        connection.socketFull = false
        // lws calls back only once it has compressed all of the last frame (it drains the rest first).
        connection.beingCompressed = nil
        if connection.pingDue {
            connection.pingDue = false
            guard lws_write(connection.wsi, pingBuffer + Int(muster_lws_pre), 1, LWS_WRITE_PING) >= 1 else { return false }
            if connection.queued > 0 || connection.drainingToClose {
                lws_callback_on_writable(connection.wsi)
            }
            return true
        }
        var written = 0
        while let frame = connection.dequeue() {
            let count = frame.count
            // Written in place: the frame keeps LWS_PRE bytes free before its payload.
            guard lws_write(connection.wsi, frame.payload.assumingMemoryBound(to: UInt8.self), count, LWS_WRITE_TEXT) >= count
            else { return false }
            written += 1
            sent.frames += 1
            sent.bytes += count
            // lws compresses a long frame in pieces over the next passes, reading it as it goes (its pipe
            // is "choked" meanwhile, which ends this loop): kept alive until the next callback.
            if connection.compressed { connection.beingCompressed = frame }
            if connection.queued == 0 || written == Self.framesPerWriteable { break }
            if lws_send_pipe_choked(connection.wsi) != 0 {
                connection.socketFull = true
                break
            }
        }
        if written == 0, connection.drainingToClose, let close = connection.closeAfterDrain {
            if isStopping { return sendCloseFrame(connection, close.code, close.reason) }
            closeReason(connection.wsi, close.code, close.reason)
            return false
        }
        if connection.queued > 0 || connection.drainingToClose {
            lws_callback_on_writable(connection.wsi)
        }
        return true
    }

    func closed(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?) {
        guard let id = user?.load(as: Int.self), let connection = connections.remove(id) else { return }
        if connection.compressed { stopCompressing() }
        lws_set_opaque_user_data(wsi, nil)
        closeFramesOwed.remove(id)
        perform(switchboard.closed(id))
    }

    /// Once a second: pings the quiet sockets, drops the silent ones.
    func checkKeepalive() {
        for connection in connections.all {
            switch keepalive.verdict(lastHeard: connection.lastHeard, pinged: connection.pinged) {
            case .fine: break
            case .ping:
                connection.pinged = true
                connection.pingDue = true
                lws_callback_on_writable(connection.wsi)
            case .hangUp:
                // Nobody is listening at the other end: no close handshake to wait for.
                lws_set_timeout(connection.wsi, PENDING_TIMEOUT_WS_PONG_CHECK_GET_PONG, LWS_TO_KILL_ASYNC)
            }
        }
    }

    func closeReason(_ wsi: OpaquePointer, _ code: CloseCode, _ reason: String) {
        var bytes = Self.closeReasonBytes(reason)
        lws_close_reason(wsi, lws_close_status(rawValue: UInt32(code.rawValue)), &bytes, bytes.count)
    }

    /// A close frame's reason as sent, whoever sends it: a control frame carries at most
    /// 125 bytes, the code's two among them.
    static func closeReasonBytes(_ reason: String) -> [UInt8] { Array(reason.utf8.prefix(120)) }
}

/// The transport's side of `ServerAction`.
extension LWSServer {
    func send(_ frame: Frame, to id: ConnectionID) {
        guard let connection = connections[id] else { return }
        send(frame, to: connection)
    }

    /// How many connections ahead a broadcast asks for their memory.
    static let lookahead = 4

    /// One frame to many. A broadcast to thousands walks thousands of objects
    /// nobody touched since the last one, and lws's state for each: at 1,000
    /// members each was a wait for memory, most of the cost of `send` and of
    /// `lws_callback_on_writable` (`perf annotate`). So the connections are
    /// found first, and each one's memory is asked for a few sends ahead.
    func broadcast(_ frame: Frame, to ids: [ConnectionID]) {
        // Unretained (`connections` keeps them): a retain is an atomic write, which would wait
        // for each object's memory in this first pass and undo the point.
        let targets = ids.compactMap { connections[$0].map(Unmanaged.passUnretained) }
        for index in targets.indices {
            // The object two steps ahead; lws's state one step ahead, found through the object.
            if index + 2 * Self.lookahead < targets.count {
                muster_prefetch(targets[index + 2 * Self.lookahead].toOpaque())
            }
            if index + Self.lookahead < targets.count {
                muster_prefetch(UnsafeRawPointer(targets[index + Self.lookahead]._withUnsafeGuaranteedRef(\.wsi)))
            }
            targets[index]._withUnsafeGuaranteedRef { send(frame, to: $0) }
        }
    }

    private func send(_ frame: Frame, to connection: LWSConnection) {
        guard !connection.closingNow, !connection.closeSent else { return }
        guard !connection.isTooSlow(limit: configuration.queueLimit) else {
            // Too far behind: drop it now; its client resumes with `since` and loses nothing.
            switchboard.logger.warning(
                "closed a connection too slow to take its frames", metadata: ["queued": "\(connection.queued)"])
            ServerMetrics.slowClosed.increment()
            connection.dropQueue()
            connection.closeNow = (.policyViolation, "too slow")
            lws_callback_on_writable(connection.wsi)
            // Its socket may never be writable again (a full send buffer): then lws drops it in 2 s.
            lws_set_timeout(connection.wsi, PENDING_TIMEOUT_CLOSE_SEND, 2)
            return
        }
        connection.enqueue(frame)
        if connection.queued == 1 { lws_callback_on_writable(connection.wsi) }
    }

    func close(_ id: ConnectionID, code: CloseCode, reason: String) {
        guard let connection = connections[id], connection.closeAfterDrain == nil else { return }
        connection.closeAfterDrain = (code, reason)
        if isStopping { closeFramesOwed.insert(id) }
        lws_callback_on_writable(connection.wsi)
    }

    /// At a stop, a connection whose frames are all written is sent its close frame here, and
    /// its socket is left open: to the kernel as the process exits (`exitAfterStop`), or to
    /// lws when its client answers or the context goes. lws's own close (`lws_close_reason`)
    /// would send it, wait for the client's answer and close the socket, and each close
    /// walks lws's whole socket table. Returns false when the write failed.
    func sendCloseFrame(_ connection: LWSConnection, _ code: CloseCode, _ reason: String) -> Bool {
        closeFramesOwed.remove(connection.id)
        connection.closeSent = true
        let payload = [UInt8(code.rawValue >> 8), UInt8(code.rawValue & 0xff)] + Self.closeReasonBytes(reason)
        var frame = [UInt8](repeating: 0, count: Int(muster_lws_pre)) + payload
        return frame.withUnsafeMutableBufferPointer { buffer in
            lws_write(connection.wsi, buffer.baseAddress! + Int(muster_lws_pre), payload.count, muster_lws_write_close)
                >= payload.count
        }
    }

}

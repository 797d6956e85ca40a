import CLibWebSockets
import DequeModule

/// One WebSocket, as the shell sees it: lws's handle, the frames waiting to
/// go out, and a partly received message. Lives on the service thread only.
///
/// What every broadcast and every writeable callback reads comes first, so
/// that it shares the object's first cache line: at 5,000 members a
/// broadcast is a pass over 5,000 of these, and each line not in cache costs
/// more than the rest of the work (`perf annotate` of `send`).
final class LWSConnection {
    let wsi: OpaquePointer
    /// The oldest waiting frame, and the ones behind it. Most connections wait
    /// for one frame at a time, which then costs no visit to a queue's storage.
    /// A written frame leaves at once: a member's welcome is not kept alive
    /// behind the frames that follow it.
    private var first: Frame?
    private var later = Deque<Frame>()
    private(set) var queued = 0
    /// Whether `closeNow` and `closeAfterDrain` are set, read for every frame
    /// without their reasons, and whether a ping waits for the writeable
    /// callback: all in the first cache line.
    private(set) var closingNow = false
    private(set) var drainingToClose = false
    var pingDue = false
    /// Whether the stop's close frame went out: nothing more is written to it.
    var closeSent = false
    /// Whether the socket took no more at the last writeable callback (lws's
    /// "pipe choked"): its client is not keeping up. A callback is itself a sign
    /// the socket takes frames again, and clears it.
    var socketFull = false
    /// When set, the connection closes at the next writeable callback, queue or not.
    var closeNow: (code: CloseCode, reason: String)? {
        didSet { closingNow = closeNow != nil }
    }
    /// When set, the connection closes with this once its queue is empty.
    var closeAfterDrain: (code: CloseCode, reason: String)? {
        didSet { drainingToClose = closeAfterDrain != nil }
    }
    let id: ConnectionID
    /// A message arriving in fragments.
    var incoming: [UInt8] = []
    /// Set once the rest of the current message is to be thrown away.
    var discardingMessage = false
    /// The keepalive tick it was last heard from at, and whether it was pinged since.
    var lastHeard: Int
    var pinged = false
    /// Whether lws compresses what is written to it (permessage-deflate, asked for with `/ws?compress`).
    let compressed: Bool
    /// The frame lws is compressing: it reads the frame while it sends the message in pieces.
    var beingCompressed: Frame?

    init(id: ConnectionID, wsi: OpaquePointer, heardAt tick: Int, compressed: Bool = false) {
        self.id = id
        self.wsi = wsi
        lastHeard = tick
        self.compressed = compressed
    }

    /// Anything arrived from it (a message, a pong).
    func heard(at tick: Int) {
        lastHeard = tick
        pinged = false
    }

    func enqueue(_ frame: Frame) {
        if queued == 0 { first = frame } else { later.append(frame) }
        queued += 1
    }

    func dequeue() -> Frame? {
        // Moved out, not copied: a retain and a release less for every frame written.
        guard let frame = first.take() else { return nil }
        queued -= 1
        if queued > 0 { first = later.popFirst() }
        return frame
    }

    /// How many times `limit` frames may wait on a socket that still takes them.
    static let burstAllowance = 4

    /// Whether it is too far behind to keep: `limit` frames waiting while its socket
    /// takes no more. A burst the server made itself is not held against a client
    /// that reads (a commit after a slow flush of the disk releases every event and
    /// ack it held at once); `burstAllowance` × `limit` bounds the queue however it reads.
    func isTooSlow(limit: Int) -> Bool {
        queued >= limit && (socketFull || queued >= limit * Self.burstAllowance)
    }

    func dropQueue() {
        first = nil
        later = Deque()
        queued = 0
    }
}

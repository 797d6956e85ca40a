import CLibWebSockets
import DequeModule

/// One WebSocket, as the shell sees it: lws's handle, the frames waiting to
/// go out, and a partly received message. Lives on the service thread only.
final class LWSConnection {
    let id: ConnectionID
    let wsi: OpaquePointer
    /// Waiting frames. A written frame leaves at once: a member's welcome is
    /// not kept alive behind the frames that follow it.
    private var queue = Deque<Frame>()
    /// A message arriving in fragments.
    var incoming: [UInt8] = []
    /// Set once the rest of the current message is to be thrown away.
    var discardingMessage = false
    /// When set, the connection closes with this once its queue is empty.
    var closeAfterDrain: (code: CloseCode, reason: String)?
    /// When set, the connection closes at the next writeable callback, queue or not.
    var closeNow: (code: CloseCode, reason: String)?
    /// The keepalive tick it was last heard from at, whether it was pinged
    /// since, and whether that ping still waits for its writeable callback.
    var lastHeard: Int
    var pinged = false
    var pingDue = false

    init(id: ConnectionID, wsi: OpaquePointer, heardAt tick: Int) {
        self.id = id
        self.wsi = wsi
        lastHeard = tick
    }

    /// Anything arrived from it (a message, a pong).
    func heard(at tick: Int) {
        lastHeard = tick
        pinged = false
    }

    var queued: Int { queue.count }

    func enqueue(_ frame: Frame) { queue.append(frame) }

    func dequeue() -> Frame? { queue.popFirst() }

    func dropQueue() { queue.removeAll() }
}

import MusterCore
import MusterStore

/// A plain number for each WebSocket; lws's per-connection data holds only this.
public typealias ConnectionID = Int

/// WebSocket close codes the server uses.
public enum CloseCode: UInt16, Sendable {
    case normal = 1000
    case goingAway = 1001
    case unsupportedData = 1003
    case policyViolation = 1008
    case messageTooBig = 1009
}

/// What the switchboard and its hubs decide, for the lws shell to carry out
/// (tests carry them out by hand). Deciding does no I/O: no socket is
/// written and nothing is committed until an action is performed.
enum ServerAction {
    /// Queue a frame; the transport closes a connection whose queue is too long.
    case send(Frame, to: ConnectionID)
    /// Queue one frame for many connections (an event every member gets): one action, not thousands.
    case broadcast(Frame, to: [ConnectionID])
    /// Close after what is queued has been written.
    case close(ConnectionID, code: CloseCode, reason: String)
    /// Hand events to the store writer; the outcome comes back through the mailbox.
    case submit(EventBatch, generation: Int)
    /// A member's current link was used for the first time: noted off this thread, in batches.
    case linkOpened(MemberID)
}

/// Actions in the order they were decided. Consecutive sends of one frame
/// become one `broadcast`.
struct ServerActions {
    private var decided: [ServerAction] = []
    /// Sends of one frame not yet in `decided`.
    private var run: (frame: Frame, to: [ConnectionID])?

    /// The actions so far, in order.
    var list: [ServerAction] {
        guard let run else { return decided }
        return decided + [Self.action(run)]
    }

    mutating func send(_ frame: Frame, to connection: ConnectionID) {
        send(frame, to: CollectionOfOne(connection))
    }

    /// `frame` to each of `connections`: joins the run of the same frame, or starts one.
    mutating func send(_ frame: Frame, to connections: some Collection<ConnectionID>) {
        guard !connections.isEmpty else { return }
        if run?.frame === frame {
            run!.to.append(contentsOf: connections)
        } else {
            flush()
            run = (frame, Array(connections))
        }
    }

    mutating func close(_ connection: ConnectionID, code: CloseCode, reason: String) {
        append(.close(connection, code: code, reason: reason))
    }

    mutating func append(_ action: ServerAction) {
        flush()
        decided.append(action)
    }

    mutating func append(contentsOf other: ServerActions) {
        flush()
        decided += other.list
    }

    /// Returns the actions and starts a new list.
    mutating func take() -> [ServerAction] {
        flush()
        defer { decided = [] }
        return decided
    }

    private mutating func flush() {
        guard let run else { return }
        self.run = nil
        decided.append(Self.action(run))
    }

    private static func action(_ run: (frame: Frame, to: [ConnectionID])) -> ServerAction {
        run.to.count == 1 ? .send(run.frame, to: run.to[0]) : .broadcast(run.frame, to: run.to)
    }
}

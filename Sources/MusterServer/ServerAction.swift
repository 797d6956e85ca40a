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
    /// Close after what is queued has been written.
    case close(ConnectionID, code: CloseCode, reason: String)
    /// Hand events to the store writer; the outcome comes back through the mailbox.
    case submit(EventBatch, generation: Int)
}

/// Actions in the order they were decided.
struct ServerActions {
    private(set) var list: [ServerAction] = []

    mutating func send(_ frame: Frame, to connection: ConnectionID) { list.append(.send(frame, to: connection)) }

    mutating func close(_ connection: ConnectionID, code: CloseCode, reason: String) {
        list.append(.close(connection, code: code, reason: reason))
    }

    mutating func append(_ action: ServerAction) { list.append(action) }
    mutating func append(contentsOf other: ServerActions) { list += other.list }

    /// Returns the actions and starts a new list.
    mutating func take() -> [ServerAction] {
        defer { list = [] }
        return list
    }
}

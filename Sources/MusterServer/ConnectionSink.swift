import MusterCore

/// A plain number for each WebSocket; lws's per-connection data holds only this.
public typealias ConnectionID = Int

/// WebSocket close codes the server uses.
public enum CloseCode: UInt16, Sendable {
    case goingAway = 1001
    case unsupportedData = 1003
    case policyViolation = 1008
    case messageTooBig = 1009
}

/// What the switchboard asks of the transport. The lws shell implements it;
/// tests can record it.
protocol ConnectionSink: AnyObject {
    /// Queues a frame; the transport closes a connection whose queue is too long.
    func send(_ frame: Frame, to connection: ConnectionID)
    func close(_ connection: ConnectionID, code: CloseCode, reason: String)
    /// The connection said a valid hello: stop its hello timer.
    func helloAccepted(_ connection: ConnectionID)
}

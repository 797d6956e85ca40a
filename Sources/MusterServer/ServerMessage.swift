import Foundation
import MusterCore

/// Frames the server sends, already serialized: each is encoded once and
/// shared by every connection that gets it.
///
/// The bytes sit after `headroom` spare bytes, where lws writes the
/// WebSocket header (its `LWS_PRE` rule), so a frame goes out to every
/// socket without a copy. Only the service thread writes there, one frame
/// at a time, which is what makes the sharing safe.
public final class Frame: @unchecked Sendable {
    /// `LWS_PRE` in lws 4.1; the shell checks it at start.
    static let headroom = 16
    private let storage: UnsafeMutableRawBufferPointer
    let count: Int

    init(_ bytes: [UInt8]) {
        count = bytes.count
        storage = .allocate(byteCount: Self.headroom + bytes.count, alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        bytes.withUnsafeBytes { source in
            guard let base = source.baseAddress else { return }
            (storage.baseAddress! + Self.headroom).copyMemory(from: base, byteCount: bytes.count)
        }
    }

    deinit { storage.deallocate() }

    /// The payload, with `headroom` writable bytes before it (service thread only).
    var payload: UnsafeMutableRawPointer { storage.baseAddress! + Self.headroom }

    public var bytes: [UInt8] { Array(UnsafeRawBufferPointer(start: payload, count: count)) }

    var text: String { String(decoding: UnsafeRawBufferPointer(start: payload, count: count), as: UTF8.self) }
}

enum ServerMessage {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static func encode(_ value: some Encodable) -> Frame { Frame(json(value)) }

    /// `value` as JSON: through `FrameEncoder`, or `JSONEncoder` for what that does not handle.
    static func json(_ value: some Encodable) -> [UInt8] {
        if let bytes = try? FrameEncoder().encode(value) { return bytes }
        do {
            return Array(try encoder.encode(value))
        } catch {
            preconditionFailure("cannot encode \(value): \(error)")
        }
    }

    struct You: Encodable {
        /// Who the welcome is for: a host, a member, or a big screen (a watch credential).
        enum Role: String, Encodable {
            case host, member, screen
        }

        var member: MemberID
        var role: Role
        var name: String
        var device: DeviceID
    }

    private struct Welcome: Encodable {
        var type = "welcome"
        var protocolVersion = 2
        var you: You
        /// The session this welcome, and every event after it, belongs to.
        var session: SessionID
        var seq: Int
        var resumed: Bool
        var state: SessionSnapshot?
        /// Hosts only: the watch credential that opens the big screen (`/screen/#t=…`).
        var screen: String?
        /// Hosts only: members whose browser reported it cannot run the page.
        var unsupported: [UnsupportedBrowser]?
    }

    static func welcome(
        you: You, session: SessionID, seq: Int, state: SessionSnapshot?, screen: String? = nil,
        unsupported: [UnsupportedBrowser] = []
    ) -> Frame {
        encode(
            Welcome(
                you: you, session: session, seq: seq, resumed: state == nil, state: state, screen: screen,
                unsupported: unsupported.isEmpty ? nil : unsupported))
    }

    /// A member whose browser cannot run the page, and that browser (its user agent).
    struct UnsupportedBrowser: Encodable {
        var member: MemberID
        var name: String
        var browser: String
    }

    private struct Unsupported: Encodable {
        var type = "unsupported"
        var member: MemberID
        var name: String
        var browser: String
    }

    /// To hosts: a member's browser cannot run the page.
    static func unsupported(_ report: UnsupportedBrowser) -> Frame {
        encode(Unsupported(member: report.member, name: report.name, browser: report.browser))
    }

    private struct EventMessage: Encodable {
        var type = "event"
        var seq: Int
        var at: Instant
        var event: WireEvent
        /// The quorum after this event, so clients need not count.
        var quorum: Quorum
        /// Attendance lines this event changed, so clients need not derive them.
        var attendance: [AttendanceRecord]?
        /// The session's own fields after an event that changed them (opened, started, ended, locked).
        var session: SessionSnapshot.Info?
        /// The name of who opened a thread or posted (members have no roster to look it up in).
        var names: [MemberID: String]?
    }

    static func event(
        seq: Int, at: Instant, event: WireEvent, quorum: Quorum, attendance: [AttendanceRecord]?,
        session: SessionSnapshot.Info? = nil, names: [MemberID: String]? = nil
    ) -> Frame {
        encode(
            EventMessage(
                seq: seq, at: at, event: event, quorum: quorum, attendance: attendance, session: session, names: names))
    }

    /// What members and screens get instead of others' joins, leaves, answers
    /// and ballots: the counts as they stand after event `seq`.
    private struct Counts: Encodable {
        var type = "counts"
        var seq: Int
        var quorum: Quorum
        /// The open roll call's answers so far.
        var rollcall: RollCall?
        /// The open vote's ballots so far.
        var vote: Vote?
        /// For hosts: the attendance lines that changed since their last frame.
        var attendance: [AttendanceRecord]?

        struct RollCall: Encodable {
            var rollcall: RollCallID
            var answeredCount: Int
        }

        struct Vote: Encodable {
            var vote: VoteID
            var cast: Int
        }
    }

    static func counts(seq: Int, state: SessionState, attendance: [AttendanceRecord]? = nil) -> Frame {
        let vote = state.votes.last.flatMap { $0.isOver ? nil : Counts.Vote(vote: $0.id, cast: $0.voters.count) }
        return encode(
            Counts(
                seq: seq, quorum: state.quorum,
                rollcall: state.openRollCall.map { .init(rollcall: $0.id, answeredCount: $0.answered.count) }, vote: vote,
                attendance: attendance))
    }

    private struct Ack: Encodable {
        var type = "ack"
        var id: String
        var seq: Int
    }

    static func ack(id: String, seq: Int) -> Frame { encode(Ack(id: id, seq: seq)) }

    /// Connect again to `/ws?compress` and say hello there: nothing was done for this hello.
    /// Made at each use: lws writes into a frame's headroom, and servers in one process are many threads.
    static var compress: Frame { Frame(Array(#"{"type":"compress"}"#.utf8)) }

    /// Something the server tells hosts about itself, not about the session.
    enum NoticeCode: String, Encodable {
        /// A commit failed (disk full, the file locked): what was done since the last save is undone.
        case saveFailed = "save_failed"
        /// Saving works again.
        case saveRecovered = "save_recovered"
    }

    private struct Notice: Encodable {
        var type = "notice"
        var code: NoticeCode
        var message: String
    }

    static func notice(_ code: NoticeCode, _ message: String) -> Frame { encode(Notice(code: code, message: message)) }

    private struct ErrorMessage: Encodable {
        var type = "error"
        var id: String?
        var code: CommandError.Code
        var message: String
    }

    static func error(id: String?, _ code: CommandError.Code, _ message: String) -> Frame {
        encode(ErrorMessage(id: id, code: code, message: message))
    }

    static func error(id: String?, _ error: CommandError) -> Frame { Self.error(id: id, error.code, error.message) }
}

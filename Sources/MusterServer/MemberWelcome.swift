import MusterCore

/// Members' and screens' full welcomes, assembled from two parts: what is
/// the same for all of them (the session, the text, threads, posts and
/// their authors' names), serialized once until an event members are sent
/// whole changes it, and their own part (their line, the quorum, roll calls
/// and votes as they may see them), serialized for each. Seating 10,000
/// serialized the oath 10,000 times; now once.
struct MemberWelcome {
    /// The shared part's JSON members (no braces), and the seq of the last event that changed it.
    private var shared: (changedAt: Int, members: ArraySlice<UInt8>)?

    private struct Shared: Encodable {
        var session: SessionSnapshot.Info
        var names: [MemberID: String]
        var text: SessionSnapshot.Text?
        var threads: [SessionSnapshot.ThreadView]
        var posts: [SessionSnapshot.PostView]
    }

    private struct Own: Encodable {
        var roster: [AttendanceRecord]
        var quorum: Quorum
        var rollcall: SessionSnapshot.RollCallView?
        var rollcalls: [SessionSnapshot.RollCallView]
        var votes: [SessionSnapshot.VoteView]
    }

    /// The welcome of `you` at `seq` with `state` (a member's snapshot);
    /// `changedAt` is the seq of the last event that changed the shared part.
    ///
    mutating func frame(
        you: ServerMessage.You, session: SessionID, seq: Int, state: SessionSnapshot, changedAt: Int
    ) -> Frame {
        if shared?.changedAt != changedAt {
            let part = Shared(
                session: state.session, names: state.names, text: state.text, threads: state.threads, posts: state.posts)
            shared = (changedAt, Self.members(part))
        }
        let own = Own(
            roster: state.roster, quorum: state.quorum, rollcall: state.rollcall, rollcalls: state.rollcalls,
            votes: state.votes)
        var bytes = Array(#"{"type":"welcome","protocolVersion":2,"you":"#.utf8)
        bytes.reserveCapacity(shared!.members.count + 512)
        bytes += ServerMessage.json(you)
        bytes += Array(#","session":"#.utf8)
        JSONText.append(session.rawValue, to: &bytes)
        bytes += Array(#","seq":\#(seq),"resumed":false,"state":{"#.utf8)
        bytes += shared!.members
        bytes.append(UInt8(ascii: ","))
        bytes += Self.members(own)
        bytes += Array("}}".utf8)
        return Frame(bytes)
    }

    /// An object's members: its JSON without the braces.
    private static func members(_ value: some Encodable) -> ArraySlice<UInt8> { ServerMessage.json(value).dropFirst().dropLast() }
}

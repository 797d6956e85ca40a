/// A member's standing in the organisation, which decides whether they vote.
public enum MemberStatus: String, Codable, Sendable, CaseIterable {
    /// A full member: counted in the quorum and may vote.
    case full
    /// A probationary member: attends, speaks, does not vote.
    case probationary
    /// A guest: attends, does not vote, is not counted in the quorum.
    case guest

    public var votes: Bool { self == .full }
}

/// One person on a session's roster, as frozen when the session opened.
///
/// Later changes to the branch (a member moving city, a new member) do not
/// reach a session already open: its record stays what it was.
public struct RosterEntry: Codable, Sendable, Hashable {
    public var id: MemberID
    public var name: String
    public var status: MemberStatus
    public var city: String?
    /// Secretaries host the branch's sessions.
    public var secretary: Bool
    /// Their branch, in a lesson for many branches (each branch files its own sheet); nil in a branch's own session.
    public var branch: BranchID?

    public init(
        id: MemberID, name: String, status: MemberStatus = .full, city: String? = nil,
        secretary: Bool = false, branch: BranchID? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.city = city
        self.secretary = secretary
        self.branch = branch
    }
}

/// Who is acting on a session, as the server authenticated them.
public struct Caller: Sendable, Hashable {
    public enum Role: String, Codable, Sendable {
        /// Runs the session: a secretary of the branch.
        case host
        /// Takes part in it.
        case member
    }

    public var member: MemberID
    public var role: Role

    public init(member: MemberID, role: Role) {
        self.member = member
        self.role = role
    }

    public static func host(_ member: MemberID) -> Caller { Caller(member: member, role: .host) }
    public static func member(_ member: MemberID) -> Caller { Caller(member: member, role: .member) }
}

/// Where a member attends from.
public enum AttendanceMode: String, Codable, Sendable, CaseIterable {
    /// From their own device, wherever they are.
    case remote
    /// In the room, ticked by the secretary.
    case onsite
}

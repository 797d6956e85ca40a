import MusterCore

/// The connections following one session, indexed the ways a broadcast
/// needs: by who is behind each, hosts apart, and by member, so an arrival
/// (sent only to the member concerned and counted for everyone else) costs
/// O(1), not a pass over thousands of connections.
struct Audience {
    private(set) var viewers: [ConnectionID: Viewer] = [:]
    private(set) var hosts: Set<ConnectionID> = []
    private var byMember: [MemberID: Set<ConnectionID>] = [:]

    var isEmpty: Bool { viewers.isEmpty }
    var connections: Dictionary<ConnectionID, Viewer>.Keys { viewers.keys }

    mutating func add(_ connection: ConnectionID, _ viewer: Viewer) {
        viewers[connection] = viewer
        if viewer.role == .host { hosts.insert(connection) }
        byMember[viewer.member, default: []].insert(connection)
    }

    mutating func remove(_ connection: ConnectionID) {
        guard let viewer = viewers.removeValue(forKey: connection) else { return }
        hosts.remove(connection)
        byMember[viewer.member]?.remove(connection)
        if byMember[viewer.member]?.isEmpty == true { byMember[viewer.member] = nil }
    }

    /// The connections of `member`.
    func connections(of member: MemberID) -> Set<ConnectionID> { byMember[member] ?? [] }

    /// Whether a member or screen follows that is not one of `member`'s own
    /// devices (`member` may be a host, whose devices are not in the crowd).
    func hasCrowd(besides member: MemberID) -> Bool {
        viewers.count - hosts.count > connections(of: member).subtracting(hosts).count
    }
}

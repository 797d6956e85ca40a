import MusterCore

/// Budgets for saying `hello`, per network address and per member, so one
/// link (or one script) cannot seat a crowd or hammer the token lookup.
///
/// The address budget is generous: a village office's members may all join
/// from one Wi-Fi behind one address. A member's budget allows a few
/// reconnects in a row (a phone on a bad network), not a loop.
public struct HelloLimiter: Sendable {
    /// 60 in a burst: a village's members all joining from the office Wi-Fi.
    public static let defaultPerAddress = 60
    /// A burst and its refill: a thirtieth of the burst a second.
    var perAddress: (burst: Double, perSecond: Double)
    var perMember: (burst: Double, perSecond: Double) = (6, 0.5)
    private var addresses: [String: TokenBucket] = [:]
    private var members: [MemberID: TokenBucket] = [:]

    /// - Parameter perAddress: hellos one network address may say in a burst.
    init(perAddress: Int = Self.defaultPerAddress) {
        self.perAddress = (Double(perAddress), max(1, Double(perAddress) / 30))
    }

    /// Takes one hello from `address`; false when it is over its budget.
    mutating func allow(address: String, at now: Instant) -> Bool {
        addresses[address, default: TokenBucket(capacity: perAddress.burst, perSecond: perAddress.perSecond)].take(at: now)
    }

    /// Takes one hello for `member`; false when it is over its budget.
    mutating func allow(member: MemberID, at now: Instant) -> Bool {
        members[member, default: TokenBucket(capacity: perMember.burst, perSecond: perMember.perSecond)].take(at: now)
    }

    /// Forgets buckets that have refilled, so the tables do not grow without bound.
    mutating func prune(at now: Instant) {
        addresses = addresses.filter { !$0.value.isFull(at: now) }
        members = members.filter { !$0.value.isFull(at: now) }
    }
}

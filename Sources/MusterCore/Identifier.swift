/// A typed identifier: a string that the compiler will not let you mix up
/// with an identifier of another kind (a `MemberID` is never a `VoteID`).
///
/// Encodes as a bare JSON string, so the wire form stays `"member":"M…"`.
public struct Identifier<Tag>: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible, ExpressibleByStringInterpolation, CodingKeyRepresentable
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    // As a dictionary key it encodes as a JSON object key (`{"M1": …}`), not as an array of pairs.
    public var codingKey: any CodingKey { rawValue.codingKey }
    public init?<T: CodingKey>(codingKey: T) { self.init(rawValue: codingKey.stringValue) }
    public var description: String { rawValue }
}

public enum BranchTag {}
public enum MemberTag {}
public enum SessionTag {}
public enum DeviceTag {}
public enum RollCallTag {}
public enum ThreadTag {}
public enum PostTag {}
public enum VoteTag {}
public enum OrganisationTag {}

public typealias BranchID = Identifier<BranchTag>
public typealias MemberID = Identifier<MemberTag>
public typealias SessionID = Identifier<SessionTag>
/// One connected device (browser tab) of a member; the server names it.
public typealias DeviceID = Identifier<DeviceTag>
public typealias RollCallID = Identifier<RollCallTag>
public typealias ThreadID = Identifier<ThreadTag>
public typealias PostID = Identifier<PostTag>
public typealias VoteID = Identifier<VoteTag>
/// A county's, a township's or a village's organisation, above branches.
public typealias OrganisationID = Identifier<OrganisationTag>

extension Identifier {
    /// The identifier the session machine gives the `ordinal`-th item (1-based)
    /// of a kind: `R1`, `T2`, `P17`, `V1`. Dense and replay-stable.
    static func numbered(_ prefix: Character, _ ordinal: Int) -> Self {
        Self("\(prefix)\(ordinal)")
    }

    /// The 0-based index of an identifier made by `numbered`, if it is one.
    func index(prefix: Character) -> Int? {
        guard rawValue.first == prefix, let number = Int(rawValue.dropFirst()), number >= 1,
            "\(prefix)\(number)" == rawValue
        else { return nil }
        return number - 1
    }
}

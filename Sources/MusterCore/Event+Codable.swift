/// The protocol's name of each kind of event: the one list the coder, the
/// store and the tests use. Raw values are the wire names.
public enum EventKind: String, Sendable, CaseIterable {
    case sessionOpened = "session.opened"
    case sessionStarted = "session.started"
    case sessionEnded = "session.ended"
    case sessionCancelled = "session.cancelled"
    case sessionReplanned = "session.replanned"
    case sessionLocked = "session.locked"
    case memberJoined = "member.joined"
    case memberLeft = "member.left"
    case memberOnSite = "member.onsite"
    case memberExcused = "member.excused"
    case memberMoved = "member.moved"
    case rollCallStarted = "rollcall.started"
    case rollCallAnswered = "rollcall.answered"
    case rollCallClosed = "rollcall.closed"
    case textSet = "text.set"
    case textAdvanced = "text.advanced"
    case threadOpened = "thread.opened"
    case postAdded = "post.added"
    case postHidden = "post.hidden"
    case voteOpened = "vote.opened"
    case voteCast = "vote.cast"
    case voteClosed = "vote.closed"
    case voteVoided = "vote.voided"
}

extension Event: Codable {
    /// What kind of event this is.
    public var eventKind: EventKind {
        switch self {
        case .sessionOpened: .sessionOpened
        case .sessionStarted: .sessionStarted
        case .sessionEnded: .sessionEnded
        case .sessionCancelled: .sessionCancelled
        case .sessionReplanned: .sessionReplanned
        case .sessionLocked: .sessionLocked
        case .memberJoined: .memberJoined
        case .memberLeft: .memberLeft
        case .memberOnSite: .memberOnSite
        case .memberExcused: .memberExcused
        case .memberMoved: .memberMoved
        case .rollCallStarted: .rollCallStarted
        case .rollCallAnswered: .rollCallAnswered
        case .rollCallClosed: .rollCallClosed
        case .textSet: .textSet
        case .textAdvanced: .textAdvanced
        case .threadOpened: .threadOpened
        case .postAdded: .postAdded
        case .postHidden: .postHidden
        case .voteOpened: .voteOpened
        case .voteCast: .voteCast
        case .voteClosed: .voteClosed
        case .voteVoided: .voteVoided
        }
    }

    /// The protocol's name of this kind of event (`text.advanced`).
    public var kind: String { eventKind.rawValue }

    private enum KindKey: String, CodingKey { case kind }

    // The payload's fields sit beside `kind` in one flat object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: KindKey.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case .sessionStarted, .sessionEnded: break
        case .sessionCancelled(let payload): try payload.encode(to: encoder)
        case .sessionReplanned(let payload): try payload.encode(to: encoder)
        case .sessionOpened(let payload): try payload.encode(to: encoder)
        case .sessionLocked(let payload): try payload.encode(to: encoder)
        case .memberJoined(let payload): try payload.encode(to: encoder)
        case .memberLeft(let payload): try payload.encode(to: encoder)
        case .memberOnSite(let payload): try payload.encode(to: encoder)
        case .memberExcused(let payload): try payload.encode(to: encoder)
        case .memberMoved(let payload): try payload.encode(to: encoder)
        case .rollCallStarted(let payload): try payload.encode(to: encoder)
        case .rollCallAnswered(let payload): try payload.encode(to: encoder)
        case .rollCallClosed(let payload): try payload.encode(to: encoder)
        case .textSet(let payload): try payload.encode(to: encoder)
        case .textAdvanced(let payload): try payload.encode(to: encoder)
        case .threadOpened(let payload): try payload.encode(to: encoder)
        case .postAdded(let payload): try payload.encode(to: encoder)
        case .postHidden(let payload): try payload.encode(to: encoder)
        case .voteOpened(let payload): try payload.encode(to: encoder)
        case .voteCast(let payload): try payload.encode(to: encoder)
        case .voteClosed(let payload): try payload.encode(to: encoder)
        case .voteVoided(let payload): try payload.encode(to: encoder)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: KindKey.self)
        let name = try container.decode(String.self, forKey: .kind)
        guard let kind = EventKind(rawValue: name) else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown event kind \(name)")
        }
        switch kind {
        case .sessionOpened: self = .sessionOpened(try .init(from: decoder))
        case .sessionStarted: self = .sessionStarted
        case .sessionEnded: self = .sessionEnded
        case .sessionCancelled: self = .sessionCancelled(try .init(from: decoder))
        case .sessionReplanned: self = .sessionReplanned(try .init(from: decoder))
        case .sessionLocked: self = .sessionLocked(try .init(from: decoder))
        case .memberJoined: self = .memberJoined(try .init(from: decoder))
        case .memberLeft: self = .memberLeft(try .init(from: decoder))
        case .memberOnSite: self = .memberOnSite(try .init(from: decoder))
        case .memberExcused: self = .memberExcused(try .init(from: decoder))
        case .memberMoved: self = .memberMoved(try .init(from: decoder))
        case .rollCallStarted: self = .rollCallStarted(try .init(from: decoder))
        case .rollCallAnswered: self = .rollCallAnswered(try .init(from: decoder))
        case .rollCallClosed: self = .rollCallClosed(try .init(from: decoder))
        case .textSet: self = .textSet(try .init(from: decoder))
        case .textAdvanced: self = .textAdvanced(try .init(from: decoder))
        case .threadOpened: self = .threadOpened(try .init(from: decoder))
        case .postAdded: self = .postAdded(try .init(from: decoder))
        case .postHidden: self = .postHidden(try .init(from: decoder))
        case .voteOpened: self = .voteOpened(try .init(from: decoder))
        case .voteCast: self = .voteCast(try .init(from: decoder))
        case .voteClosed: self = .voteClosed(try .init(from: decoder))
        case .voteVoided: self = .voteVoided(try .init(from: decoder))
        }
    }
}

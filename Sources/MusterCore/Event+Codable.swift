extension Event: Codable {
    /// The protocol's name of each kind of event.
    public var kind: String {
        switch self {
        case .sessionOpened: "session.opened"
        case .sessionStarted: "session.started"
        case .sessionEnded: "session.ended"
        case .sessionLocked: "session.locked"
        case .memberJoined: "member.joined"
        case .memberLeft: "member.left"
        case .memberOnSite: "member.onsite"
        case .memberExcused: "member.excused"
        case .memberMoved: "member.moved"
        case .rollCallStarted: "rollcall.started"
        case .rollCallAnswered: "rollcall.answered"
        case .rollCallClosed: "rollcall.closed"
        case .textSet: "text.set"
        case .textAdvanced: "text.advanced"
        case .threadOpened: "thread.opened"
        case .postAdded: "post.added"
        case .postHidden: "post.hidden"
        case .voteOpened: "vote.opened"
        case .voteCast: "vote.cast"
        case .voteClosed: "vote.closed"
        }
    }

    private enum KindKey: String, CodingKey { case kind }

    // The payload's fields sit beside `kind` in one flat object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: KindKey.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case .sessionStarted, .sessionEnded: break
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
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: KindKey.self)
        let kind = try container.decode(String.self, forKey: .kind)
        switch kind {
        case "session.opened": self = .sessionOpened(try .init(from: decoder))
        case "session.started": self = .sessionStarted
        case "session.ended": self = .sessionEnded
        case "session.locked": self = .sessionLocked(try .init(from: decoder))
        case "member.joined": self = .memberJoined(try .init(from: decoder))
        case "member.left": self = .memberLeft(try .init(from: decoder))
        case "member.onsite": self = .memberOnSite(try .init(from: decoder))
        case "member.excused": self = .memberExcused(try .init(from: decoder))
        case "member.moved": self = .memberMoved(try .init(from: decoder))
        case "rollcall.started": self = .rollCallStarted(try .init(from: decoder))
        case "rollcall.answered": self = .rollCallAnswered(try .init(from: decoder))
        case "rollcall.closed": self = .rollCallClosed(try .init(from: decoder))
        case "text.set": self = .textSet(try .init(from: decoder))
        case "text.advanced": self = .textAdvanced(try .init(from: decoder))
        case "thread.opened": self = .threadOpened(try .init(from: decoder))
        case "post.added": self = .postAdded(try .init(from: decoder))
        case "post.hidden": self = .postHidden(try .init(from: decoder))
        case "vote.opened": self = .voteOpened(try .init(from: decoder))
        case "vote.cast": self = .voteCast(try .init(from: decoder))
        case "vote.closed": self = .voteClosed(try .init(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container, debugDescription: "unknown event kind \(kind)")
        }
    }
}

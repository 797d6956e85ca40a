import Foundation
import MusterCore

/// A frame from a client, decoded and checked: `hello` or `cmd`.
enum ClientMessage: Equatable {
    /// `watch`: a screen that follows the session without counting as a device (hosts only).
    /// `canCompress`: the socket did not ask for compression, and the client will connect again asking if told.
    case hello(token: String, session: SessionID?, since: Int?, watch: Bool, canCompress: Bool = false)
    case command(ClientCommand)
    /// A page that cannot run in this browser, reporting it with the member's token: nothing is recorded.
    case unsupported(token: String, browser: String)

    /// Why a frame could not be understood; the id is echoed whenever the frame had a readable one.
    struct Malformed: Error, Equatable {
        var id: String?
        var message: String
    }

    /// Every field any message may carry; which ones matter depends on `type` and `cmd`.
    /// Each is read on its own, so a wrong one is named, with the message's `id`
    /// (read first, so an error can always name the command it answers). One
    /// pass over the JSON: a crowd's hellos are thousands a second.
    private struct Fields: Decodable {
        var type: String?
        var id: String?
        /// The first field of the wrong type, if any.
        var wrong: WrongField?
        var token: String?
        var session: String?
        var since: Int?
        var watch: Bool?
        var canCompress: Bool?
        var cmd: String?
        var locked: Bool?
        var member: String?
        var present: Bool?
        var reason: String?
        var seconds: Int?
        var title: String?
        var lines: [String]?
        var line: Int?
        var rollcall: String?
        var thread: String?
        var body: String?
        var replyTo: String?
        var post: String?
        var question: String?
        var options: [String]?
        var secret: Bool?
        var vote: String?
        var choice: String?
        var city: String?
        var browser: String?
        var oath: Bool?
        var sessionKind: String?
        var startsAt: String?
        var graceSeconds: Int?

        private enum CodingKeys: String, CodingKey {
            case type, id, browser, token, session, since, watch, canCompress, cmd, locked, member, present, reason, seconds, title, lines, line, rollcall, thread, body, replyTo, post, question, options, secret, vote, choice, city, oath, sessionKind, startsAt, graceSeconds
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try? container.decodeIfPresent(String.self, forKey: .type)
            id = try? container.decodeIfPresent(String.self, forKey: .id)
            var wrong: WrongField?
            func read<T: Decodable>(_ key: CodingKeys) -> T? {
                do {
                    return try container.decodeIfPresent(T.self, forKey: key)
                } catch {
                    if wrong == nil { wrong = WrongField(name: key.stringValue, expected: T.self) }
                    return nil
                }
            }
            token = read(.token)
            session = read(.session)
            since = read(.since)
            watch = read(.watch)
            canCompress = read(.canCompress)
            cmd = read(.cmd)
            locked = read(.locked)
            member = read(.member)
            present = read(.present)
            reason = read(.reason)
            seconds = read(.seconds)
            title = read(.title)
            lines = read(.lines)
            line = read(.line)
            rollcall = read(.rollcall)
            thread = read(.thread)
            body = read(.body)
            replyTo = read(.replyTo)
            post = read(.post)
            question = read(.question)
            options = read(.options)
            secret = read(.secret)
            vote = read(.vote)
            choice = read(.choice)
            city = read(.city)
            browser = read(.browser)
            oath = read(.oath)
            sessionKind = read(.sessionKind)
            startsAt = read(.startsAt)
            graceSeconds = read(.graceSeconds)
            self.wrong = wrong
        }
    }

    /// A field of the wrong type (`"line":"three"`, `"line":2.5`).
    private struct WrongField: Error {
        var name: String
        var expected: Any.Type
    }

    static func decode(_ bytes: [UInt8]) throws(Malformed) -> ClientMessage {
        let fields: Fields
        do {
            fields = try JSONDecoder().decode(Fields.self, from: Data(bytes))
        } catch {
            throw Malformed(id: nil, message: "not a protocol message: malformed JSON (a message is one JSON object)")
        }
        let id = fields.id.flatMap { $0.isEmpty || $0.count > 64 ? nil : $0 }
        if let wrong = fields.wrong { throw Malformed(id: id, message: Self.explain(wrong)) }
        switch fields.type {
        case "hello":
            guard let token = fields.token, !token.isEmpty else { throw Malformed(id: nil, message: "hello needs a token") }
            if let since = fields.since, since < 0 { throw Malformed(id: nil, message: "since cannot be negative") }
            if fields.since != nil, fields.session == nil {
                throw Malformed(id: nil, message: "since needs the session it counts in (\"session\")")
            }
            return .hello(
                token: token, session: fields.session.map { SessionID($0) }, since: fields.since,
                watch: fields.watch ?? false, canCompress: fields.canCompress ?? false)
        case "unsupported":
            guard let token = fields.token, !token.isEmpty else { throw Malformed(id: nil, message: "unsupported needs a token") }
            return .unsupported(token: token, browser: String((fields.browser ?? "").prefix(200)))
        case "cmd":
            guard let id else { throw Malformed(id: nil, message: "a command needs an id of 1 to 64 characters") }
            guard let name = fields.cmd else { throw Malformed(id: id, message: "a command needs a cmd") }
            guard let known = CommandName(rawValue: name), !known.isServerOnly else {
                throw Malformed(id: id, message: "unknown command \"\(name)\"")
            }
            do {
                return .command(
                    ClientCommand(id: id, session: fields.session.map { SessionID($0) }, action: try action(known, fields)))
            } catch {
                throw Malformed(id: id, message: "\(name) needs \(error.name)")
            }
        case let type:
            throw Malformed(id: id, message: type.map { "unknown message type \"\($0)\"" } ?? "a message needs a type")
        }
    }

    private struct MissingField: Error { var name: String }

    private static func action(_ name: CommandName, _ f: Fields) throws(MissingField) -> ClientCommand.Action {
        func need<T>(_ value: T?, _ field: String) throws(MissingField) -> T {
            guard let value else { throw MissingField(name: field) }
            return value
        }
        let command: Command
        switch name {
        case .open: return .openSession
        case .start: command = .start
        case .end: command = .end
        case .cancel: command = .cancel(reason: try need(f.reason, "reason"))
        case .replan:
            var start: Instant?
            if let text = f.startsAt {
                guard let instant = Instant(iso8601: text, defaultOffsetSeconds: nil) else {
                    throw MissingField(name: "startsAt as a time with its offset, like 2026-11-28T19:30:00+08:00")
                }
                start = instant
            }
            command = .replan(Replan(title: f.title, kind: f.sessionKind, scheduledStart: start, graceSeconds: f.graceSeconds))
        case .lock: command = .lock(try need(f.locked, "locked"))
        case .markOnSite:
            command = .markOnSite(member: MemberID(try need(f.member, "member")), present: try need(f.present, "present"))
        case .excuse:
            command = .excuse(member: MemberID(try need(f.member, "member")), reason: try need(f.reason, "reason"))
        case .startRollCall: command = .startRollCall(seconds: try need(f.seconds, "seconds"))
        case .answerRollCall: command = .answerRollCall(f.rollcall.map { RollCallID($0) })
        case .closeRollCall: command = .closeRollCall
        case .setText:
            // `"oath": true`: the built-in Party oath, which only the server keeps.
            command =
                f.oath == true
                ? .setText(title: SharedText.partyOath.title, lines: SharedText.partyOath.lines)
                : .setText(title: try need(f.title, "title"), lines: try need(f.lines, "lines"))
        case .advanceText: command = .advanceText(line: try need(f.line, "line"))
        case .openThread: command = .openThread(title: try need(f.title, "title"))
        case .addPost:
            command = .addPost(
                thread: ThreadID(try need(f.thread, "thread")), body: try need(f.body, "body"),
                replyTo: f.replyTo.map { PostID($0) })
        case .hidePost: command = .hidePost(PostID(try need(f.post, "post")))
        case .openVote:
            command = .openVote(question: try need(f.question, "question"), options: f.options, secret: f.secret ?? false)
        case .castVote: command = .castVote(VoteID(try need(f.vote, "vote")), choice: try need(f.choice, "choice"))
        case .closeVote: command = .closeVote(VoteID(try need(f.vote, "vote")))
        case .moveCity: command = .moveCity(try need(f.city, "city"))
        case .join, .leave: preconditionFailure("server-only commands are refused before this")
        }
        return .command(command)
    }

    /// Names the field that is wrong, and what it should be.
    private static func explain(_ wrong: WrongField) -> String {
        "\"\(wrong.name)\" must be \(describe(wrong.expected))"
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is [String].Type: "an array of strings"
        default: "of another type"
        }
    }
}

/// A command as a client sent it: what to do, and what it was made for.
struct ClientCommand: Equatable {
    /// The client's id, echoed in the ack or error.
    var id: String
    /// The session the command was made for; a command for another session is refused.
    var session: SessionID?
    var action: Action

    enum Action: Equatable {
        /// `session.open`: the server freezes the branch's roster as it is now.
        case openSession
        case command(Command)
    }

    var name: CommandName {
        switch action {
        case .openSession: .open
        case .command(let command): command.name
        }
    }
}

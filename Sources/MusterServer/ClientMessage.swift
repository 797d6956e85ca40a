import Foundation
import MusterCore

/// A frame from a client, decoded and checked: `hello` or `cmd`.
enum ClientMessage: Equatable {
    /// `watch`: a screen that follows the session without counting as a device (hosts only).
    case hello(token: String, session: SessionID?, since: Int?, watch: Bool)
    case command(id: String, Command)

    /// Why a frame could not be understood; the id is echoed when it was readable.
    struct Malformed: Error, Equatable {
        var id: String?
        var message: String
    }

    /// Every field any message may carry; which ones matter depends on `type` and `cmd`.
    private struct Fields: Decodable {
        var type: String
        var token: String?
        var session: String?
        var since: Int?
        var watch: Bool?
        var id: String?
        var cmd: String?
        var locked: Bool?
        var member: String?
        var present: Bool?
        var reason: String?
        var seconds: Int?
        var title: String?
        var lines: [String]?
        var line: Int?
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
    }

    static func decode(_ bytes: [UInt8]) throws(Malformed) -> ClientMessage {
        let fields: Fields
        do {
            fields = try JSONDecoder().decode(Fields.self, from: Data(bytes))
        } catch {
            throw Malformed(id: nil, message: "not a protocol message: \(Self.explain(error))")
        }
        switch fields.type {
        case "hello":
            guard let token = fields.token, !token.isEmpty else { throw Malformed(id: nil, message: "hello needs a token") }
            if let since = fields.since, since < 0 { throw Malformed(id: nil, message: "since cannot be negative") }
            return .hello(token: token, session: fields.session.map { SessionID($0) }, since: fields.since, watch: fields.watch ?? false)
        case "cmd":
            guard let id = fields.id, !id.isEmpty, id.count <= 64 else {
                throw Malformed(id: nil, message: "a command needs an id of 1 to 64 characters")
            }
            guard let name = fields.cmd else { throw Malformed(id: id, message: "a command needs a cmd") }
            do {
                return .command(id: id, try command(name, fields))
            } catch let missing as MissingField {
                throw Malformed(id: id, message: "\(name) needs \(missing.name)")
            } catch {
                throw Malformed(id: id, message: "\(error)")
            }
        default:
            throw Malformed(id: fields.id, message: "unknown message type \"\(fields.type)\"")
        }
    }

    private struct MissingField: Error { var name: String }
    private struct UnknownCommand: Error, CustomStringConvertible {
        var name: String
        var description: String { "unknown command \"\(name)\"" }
    }

    private static func command(_ name: String, _ f: Fields) throws -> Command {
        func need<T>(_ value: T?, _ field: String) throws -> T {
            guard let value else { throw MissingField(name: field) }
            return value
        }
        switch name {
        case "session.open": return .open(roster: [])  // the server fills in the branch's roster
        case "session.start": return .start
        case "session.end": return .end
        case "session.lock": return .lock(try need(f.locked, "locked"))
        case "member.onsite":
            return .markOnSite(member: MemberID(try need(f.member, "member")), present: try need(f.present, "present"))
        case "member.excuse":
            return .excuse(member: MemberID(try need(f.member, "member")), reason: try need(f.reason, "reason"))
        case "rollcall.start": return .startRollCall(seconds: try need(f.seconds, "seconds"))
        case "rollcall.answer": return .answerRollCall
        case "rollcall.close": return .closeRollCall
        case "text.set": return .setText(title: try need(f.title, "title"), lines: try need(f.lines, "lines"))
        case "text.advance": return .advanceText(line: try need(f.line, "line"))
        case "thread.open": return .openThread(title: try need(f.title, "title"))
        case "post.add":
            return .addPost(
                thread: ThreadID(try need(f.thread, "thread")), body: try need(f.body, "body"),
                replyTo: f.replyTo.map { PostID($0) })
        case "post.hide": return .hidePost(PostID(try need(f.post, "post")))
        case "vote.open":
            return .openVote(question: try need(f.question, "question"), options: f.options, secret: f.secret ?? false)
        case "vote.cast": return .castVote(VoteID(try need(f.vote, "vote")), choice: try need(f.choice, "choice"))
        case "vote.close": return .closeVote(VoteID(try need(f.vote, "vote")))
        case "me.city": return .moveCity(try need(f.city, "city"))
        default: throw UnknownCommand(name: name)
        }
    }

    private static func explain(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context): "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "malformed JSON"
        }
    }
}

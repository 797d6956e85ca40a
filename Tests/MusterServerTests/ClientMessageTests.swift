import MusterCore
import Testing

@testable import MusterServer

@Suite struct ClientMessageTests {
    func decode(_ json: String) throws(ClientMessage.Malformed) -> ClientMessage {
        try ClientMessage.decode(Array(json.utf8))
    }

    @Test func helloCarriesTheTokenAndOptionalSessionAndSince() throws {
        #expect(try decode(#"{"type":"hello","token":"abc"}"#) == .hello(token: "abc", session: nil, since: nil, watch: false))
        #expect(
            try decode(#"{"type":"hello","token":"abc","session":"S1","since":41,"watch":true}"#)
                == .hello(token: "abc", session: "S1", since: 41, watch: true))
        #expect(
            try decode(#"{"type":"hello","token":"abc","canCompress":true}"#)
                == .hello(token: "abc", session: nil, since: nil, watch: false, canCompress: true))
    }

    @Test func commandsMapToTheCore() throws {
        func command(_ id: String, _ command: Command, session: SessionID? = nil) -> ClientMessage {
            .command(ClientCommand(id: id, session: session, action: .command(command)))
        }
        #expect(try decode(#"{"type":"cmd","id":"c7","cmd":"text.advance","line":3}"#) == command("c7", .advanceText(line: 3)))
        #expect(
            try decode(#"{"type":"cmd","id":"c8","cmd":"vote.open","question":"通过？"}"#)
                == command("c8", .openVote(question: "通过？", options: nil, secret: false)))
        #expect(
            try decode(#"{"type":"cmd","id":"c9","cmd":"post.add","thread":"T1","body":"好","replyTo":"P2"}"#)
                == command("c9", .addPost(thread: "T1", body: "好", replyTo: "P2")))
        #expect(try decode(#"{"type":"cmd","id":"c","cmd":"me.city","city":"深圳"}"#) == command("c", .moveCity("深圳")))
        #expect(
            try decode(#"{"type":"cmd","id":"c","cmd":"session.open","session":"S2"}"#)
                == .command(ClientCommand(id: "c", session: "S2", action: .openSession)))
    }

    /// A tap is bound to what it was made for: the session, and the roll call it answers.
    @Test func commandsCarryWhatTheyWereMadeFor() throws {
        #expect(
            try decode(#"{"type":"cmd","id":"c1","cmd":"rollcall.answer","session":"S1","rollcall":"R2"}"#)
                == .command(ClientCommand(id: "c1", session: "S1", action: .command(.answerRollCall("R2")))))
    }

    /// Every client command the protocol names decodes, and the server-only ones are refused.
    @Test(arguments: CommandName.allCases)
    func everyCommandNameIsKnownToTheDecoder(name: CommandName) {
        let json = #"{"type":"cmd","id":"c","cmd":"\#(name.rawValue)"}"#
        do {
            let message = try decode(json)
            guard case .command(let command) = message else {
                Issue.record("not a command: \(message)")
                return
            }
            #expect(command.name == name)
        } catch {
            if name.isServerOnly {
                #expect(error.message.contains("unknown command"))
            } else {
                #expect(error.message.contains("\(name.rawValue) needs"), "\(error.message)")
            }
        }
    }

    /// A readable id comes back even when a field has the wrong type, and the message names the field.
    @Test(arguments: [
        (#"{"type":"cmd","id":"x","cmd":"text.advance","line":"three"}"#, "line"),
        (#"{"type":"cmd","id":"x","cmd":"text.advance","line":2.5}"#, "line"),
        (#"{"type":"cmd","id":"x","cmd":"text.set","title":"t","lines":[1]}"#, "lines"),
        (#"{"type":"cmd","id":"x","cmd":"session.lock","locked":"yes"}"#, "locked"),
        (#"{"type":"hello","id":"x","token":"abc","canCompress":"yes"}"#, "canCompress"),
    ])
    func aMistypedFieldIsNamedAndTheIdKept(json: String, field: String) {
        do {
            _ = try decode(json)
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.id == "x")
            #expect(error.message.contains("\"\(field)\""), "\(error.message)")
        }
    }

    @Test(arguments: [
        (#"not json"#, nil as String?),
        (#"{"type":"hello"}"#, nil),
        (#"{"type":"hello","token":"t","since":-1}"#, nil),
        (#"{"type":"cmd","cmd":"session.start"}"#, nil),
        (#"{"type":"cmd","id":"x","cmd":"text.advance"}"#, "x"),
        (#"{"type":"cmd","id":"x","cmd":"text.advance","line":"3"}"#, "x"),
        (#"{"type":"hello","token":"t","since":4}"#, nil),
        (#"{"type":"cmd","id":"j","cmd":"member.join"}"#, "j"),
        (#"{"type":"cmd","id":"y","cmd":"nope"}"#, "y"),
        (#"{"type":"shout","id":"z"}"#, "z"),
    ])
    func malformedMessagesAreExplained(json: String, id: String?) {
        do {
            _ = try decode(json)
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.id == id)
            #expect(!error.message.isEmpty)
        }
    }
}

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
    }

    @Test func commandsMapToTheCore() throws {
        #expect(try decode(#"{"type":"cmd","id":"c7","cmd":"text.advance","line":3}"#) == .command(id: "c7", .advanceText(line: 3)))
        #expect(
            try decode(#"{"type":"cmd","id":"c8","cmd":"vote.open","question":"通过？"}"#)
                == .command(id: "c8", .openVote(question: "通过？", options: nil, secret: false)))
        #expect(
            try decode(#"{"type":"cmd","id":"c9","cmd":"post.add","thread":"T1","body":"好","replyTo":"P2"}"#)
                == .command(id: "c9", .addPost(thread: "T1", body: "好", replyTo: "P2")))
        #expect(try decode(#"{"type":"cmd","id":"c","cmd":"me.city","city":"深圳"}"#) == .command(id: "c", .moveCity("深圳")))
    }

    @Test(arguments: [
        (#"not json"#, nil as String?),
        (#"{"type":"hello"}"#, nil),
        (#"{"type":"hello","token":"t","since":-1}"#, nil),
        (#"{"type":"cmd","cmd":"session.start"}"#, nil),
        (#"{"type":"cmd","id":"x","cmd":"text.advance"}"#, "x"),
        (#"{"type":"cmd","id":"x","cmd":"text.advance","line":"3"}"#, nil),
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

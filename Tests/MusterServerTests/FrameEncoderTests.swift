import Foundation
import MusterCore
import Testing

@testable import MusterServer

/// `FrameEncoder` must say exactly what `JSONEncoder` says (keys perhaps in
/// another order), for every frame the server sends, and hand back to
/// `JSONEncoder` what it does not handle.
@Suite struct FrameEncoderTests {
    func parsed(_ bytes: [UInt8]) throws -> NSObject {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as? NSObject)
    }

    func expectSame(_ value: some Encodable, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fast = try FrameEncoder().encode(value)
        let foundation = Array(try ServerMessage.encoder.encode(value))
        #expect(try parsed(fast) == parsed(foundation), "\(String(decoding: fast, as: UTF8.self))", sourceLocation: sourceLocation)
    }

    /// A meeting with every kind of event, as a board records it.
    func meeting() throws -> Board {
        let board = try Board(memberCount: 4)
        let host = board.connect(board.host.token)
        let phones = board.members.map { board.connect($0.token) }
        board.command("session.open", from: host)
        board.command("session.start", from: host)
        board.command("session.lock", from: host, ["locked": true])
        board.command("member.excuse", from: host, ["member": board.members[3].member.id.rawValue, "reason": "病假 \"住院\"\n"])
        board.command("member.onsite", from: host, ["member": board.members[2].member.id.rawValue, "present": true])
        board.command("me.city", from: phones[0], ["city": "鹤岗\\市"])
        board.command("text.set", from: host, ["title": "誓词", "lines": ["我志愿加入中国共产党，", "拥护党的纲领"]])
        board.command("text.advance", from: host, ["line": 1])
        let thread = board.command("thread.open", from: host, ["title": "学习体会 </script>"])
        _ = thread
        board.command("rollcall.start", from: host, ["seconds": 60])
        board.command("rollcall.answer", from: phones[0])
        board.command("rollcall.close", from: host)
        board.command("vote.open", from: host, ["question": "通过？", "secret": true])
        board.command("vote.open", from: host, ["question": "公开", "options": ["同意", "反对"]])
        board.clock.advance(seconds: 90)
        board.command("session.end", from: host)
        return board
    }

    @Test func everyStoredEventIsWrittenAsJSONEncoderWritesIt() throws {
        let board = try meeting()
        let events = try board.store.events(board.session)
        let kinds = Set(events.map(\.occurrence.event.kind))
        #expect(kinds.count >= 12, "the meeting holds most kinds of event: \(kinds.sorted())")
        for stored in events {
            try expectSame(stored.occurrence.event)
            try expectSame(WireEvent.whole(stored.occurrence.event))
        }
    }

    @Test func welcomesSnapshotsAndCountsAreWrittenAsJSONEncoderWritesThem() throws {
        let board = try meeting()
        let hub = try #require(board.switchboard.hubs[board.session])
        let now = board.clock.read()
        let member = board.members[0].member.id
        try expectSame(hub.state.snapshot(for: .host, viewer: board.host.member.id, asOf: now))
        try expectSame(hub.state.snapshot(for: .member, viewer: member, asOf: now))
        try expectSame(hub.state.attendance(asOf: now))
        try expectSame(hub.state.quorum)
        try expectSame(["names": hub.state.snapshot(for: .member, viewer: member, asOf: now).names])
        // And what the board's devices were sent, frame by frame, parses as JSON.
        for (_, frame) in board.sink.sent { _ = try parsed(Array(frame.utf8)) }
    }

    @Test(arguments: ["", "张三", #"引号"和\反斜杠"#, "line\nbreak\ttab\r\u{1}\u{1F}\u{7F}", "😀", "a/b"])
    func stringsIntegersBooleansAndNil(_ text: String) throws {
        struct Sample: Encodable {
            var text: String
            var nothing: String?
            var numbers: [Int64] = [0, -1, .max, .min]
            var small: [UInt8] = [0, 255]
            var big: [UInt64] = [.max, 10_000_000_000_000_000_000]
            var ints = [7, 10, 99, 100, -100, Int.max - 1]
            var flags = [true, false]
            var nested = [["a": 1], [:]]
            var optionals: [Int?] = [1, nil]
        }
        try expectSame(Sample(text: text))
        try expectSame(text)
        try expectSame([text: text])
    }

    @Test func whatItDoesNotHandleGoesToJSONEncoder() throws {
        struct Measured: Encodable { var seconds = 1.5 }
        struct Dated: Encodable { var at = Date(timeIntervalSince1970: 0) }
        struct Nested: Encodable {
            enum Keys: String, CodingKey { case outer, inner }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var inner = container.nestedContainer(keyedBy: Keys.self, forKey: .outer)
                try inner.encode(1, forKey: .inner)
            }
        }
        #expect(throws: FrameEncoder.Unsupported.self) { try FrameEncoder().encode(Measured()) }
        #expect(throws: FrameEncoder.Unsupported.self) { try FrameEncoder().encode(Dated()) }
        #expect(throws: FrameEncoder.Unsupported.self) { try FrameEncoder().encode(Nested()) }
        #expect(try parsed(ServerMessage.json(Measured())) == parsed(Array(#"{"seconds":1.5}"#.utf8)))
        #expect(try parsed(ServerMessage.json(Nested())) == parsed(Array(#"{"outer":{"inner":1}}"#.utf8)))
    }
}

import Foundation
import MusterCore
import Testing

@Suite struct EventCodingTests {
    static let everyKind: [Event] = [
        .sessionOpened(.init(roster: Scene.roster)),
        .sessionStarted,
        .sessionEnded,
        .sessionCancelled(.init(reason: "改期到下周")),
        .sessionReplanned(Replan(title: "十二月党课", kind: "lesson", scheduledStart: Scene.time(3600), graceSeconds: 600)),
        .sessionLocked(.init(locked: true)),
        .memberJoined(.init(member: "M01", device: "D1", mode: .remote)),
        .memberLeft(.init(member: "M01", device: "D1")),
        .memberOnSite(.init(member: "M02", present: true)),
        .memberExcused(.init(member: "M03", reason: "病假")),
        .memberMoved(.init(member: "M04", city: "广州")),
        .rollCallStarted(.init(rollcall: "R1", seconds: 60, closesAt: Scene.time(60))),
        .rollCallAnswered(.init(rollcall: "R1", member: "M01")),
        .rollCallClosed(.init(rollcall: "R1", answered: ["M01"], missing: ["M02"])),
        .textSet(.init(title: "誓词", lines: ["一", "二"])),
        .textAdvanced(.init(line: 1)),
        .threadOpened(.init(thread: "T1", title: "议题", by: "M00")),
        .postAdded(.init(post: "P1", thread: "T1", by: "M01", body: "好", replyTo: nil)),
        .postAdded(.init(post: "P2", thread: "T1", by: "M01", body: "好", replyTo: "P1")),
        .postHidden(.init(post: "P1")),
        .voteOpened(.init(vote: "V1", question: "通过？", options: ["赞成", "反对"], secret: true, expected: 13, present: 7, threshold: 7)),
        .voteCast(.init(vote: "V1", member: "M01", choice: nil)),
        .voteCast(.init(vote: "V1", member: "M01", choice: "赞成")),
        .voteClosed(.init(vote: "V1", tally: [.init(choice: "赞成", count: 7)], passed: true, expected: 13, present: 8, cast: 7, threshold: 7)),
        .voteVoided(.init(vote: "V2", reason: .serverRestarted)),
    ]

    @Test(arguments: everyKind)
    func everyEventRoundTripsThroughJSON(event: Event) throws {
        let data = try JSONEncoder().encode(event)
        #expect(try JSONDecoder().decode(Event.self, from: data) == event)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["kind"] as? String == event.kind)
    }

    @Test func kindsAreTheProtocolNames() {
        #expect(Set(Self.everyKind.map(\.eventKind)) == Set(EventKind.allCases))
    }

    @Test func theWireFormIsFlat() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(Event.textAdvanced(.init(line: 3)))
        #expect(String(decoding: data, as: UTF8.self) == #"{"kind":"text.advanced","line":3}"#)
        let cast = try JSONEncoder().encode(Event.voteCast(.init(vote: "V1", member: "M01", choice: nil)))
        #expect(!String(decoding: cast, as: UTF8.self).contains("choice"))
    }

    @Test func unknownKindsAndMissingFieldsAreErrors() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Event.self, from: Data(#"{"kind":"nope"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Event.self, from: Data(#"{"kind":"text.advanced"}"#.utf8)) }
    }
}

@Suite struct InstantTests {
    @Test func formatsAsUTCWithMilliseconds() {
        #expect(Instant(millisecondsSince1970: 1_795_514_400_123).iso8601 == "2026-11-24T10:00:00.123Z")
        #expect(Instant(millisecondsSince1970: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Instant(millisecondsSince1970: -1).iso8601 == "1969-12-31T23:59:59.999Z")
        #expect(Instant(millisecondsSince1970: 253_402_300_799_999).iso8601 == "9999-12-31T23:59:59.999Z")
        #expect(Instant(millisecondsSince1970: 253_402_300_800_000).iso8601 == "10000-01-01T00:00:00.000Z")
    }

    @Test func readsBackWhatItWrites() {
        // Spread over years 0001 to 9999 and every millisecond digit (a fixed walk, no randomness).
        var value: Int64 = -62_135_596_800_000
        while value < 253_402_300_799_999 {
            let instant = Instant(millisecondsSince1970: value)
            #expect(Instant(iso8601: instant.iso8601) == instant, "\(instant.iso8601)")
            value += 7_777_777_777_777 + value % 997
        }
    }

    @Test func parsesZonesAndFractions() {
        let utc = Instant(iso8601: "2026-11-24T10:00:00.123Z")
        #expect(utc?.millisecondsSince1970 == 1_795_514_400_123)
        #expect(Instant(iso8601: "2026-11-24T18:00:00+08:00") == Instant(iso8601: "2026-11-24T10:00:00Z"))
        #expect(Instant(iso8601: "2026-11-24T18:00+08:00") == Instant(iso8601: "2026-11-24T10:00:00Z"))
        #expect(Instant(iso8601: "2026-11-24 18:00", defaultOffsetSeconds: 8 * 3600) == Instant(iso8601: "2026-11-24T10:00Z"))
        #expect(Instant(iso8601: "2028-02-29T00:00:00Z") != nil)
    }

    @Test(arguments: ["", "2026-11-24", "2026-13-01T00:00Z", "2026-02-30T00:00Z", "2026-11-24T24:00Z", "2026-11-24T10:00:00Zjunk", "2026-11-24T10:00:00"])
    func rejectsWhatIsNotATime(text: String) {
        #expect(Instant(iso8601: text, defaultOffsetSeconds: nil) == nil)
    }

    @Test func roundTripsEveryMillisecondItFormats() {
        for ms in stride(from: Int64(-86_400_000 * 800), to: 86_400_000 * 40_000, by: 86_399_997) {
            let instant = Instant(millisecondsSince1970: ms)
            #expect(Instant(iso8601: instant.iso8601) == instant)
        }
    }
}

/// An attendance line is written field by field (see its `encode(to:)`):
/// every property must reach the JSON, and read back the same.
@Suite struct AttendanceRecordCodingTests {
    static var full: [String: Any] { [
        "member": "M01", "name": "张\"三\"", "memberStatus": "probationary", "status": "left_early", "late": true,
        "mode": "onsite", "presentNow": false, "devices": 2, "firstJoin": "2026-11-24T10:01:01.000Z",
        "lastLeave": "2026-11-24T11:00:00.500Z", "secondsPresent": 3539, "rollCallsAnswered": 1, "rollCallsHeld": 2,
        "excuse": "病假", "city": "鹤岗",
    ] }

    func roundTrip(_ object: [String: Any]) throws -> (line: AttendanceRecord, written: NSDictionary) {
        let line = try JSONDecoder().decode(AttendanceRecord.self, from: JSONSerialization.data(withJSONObject: object))
        let json = try JSONEncoder().encode(line)
        let written = try #require(try JSONSerialization.jsonObject(with: json) as? NSDictionary)
        #expect(try JSONDecoder().decode(AttendanceRecord.self, from: json) == line)
        return (line, written)
    }

    @Test func everyPropertyIsWrittenAsItIsRead() throws {
        let (line, written) = try roundTrip(Self.full)
        #expect(written == NSDictionary(dictionary: Self.full))
        let properties = Set(Mirror(reflecting: line).children.compactMap(\.label))
        #expect(Set(Self.full.keys) == properties, "the sample names every property")
    }

    @Test func absentOptionalsAreLeftOut() throws {
        var object = Self.full
        for key in ["mode", "firstJoin", "lastLeave", "excuse", "city"] { object[key] = nil }
        let (_, written) = try roundTrip(object)
        #expect(written == NSDictionary(dictionary: object))
    }
}

import Testing

@testable import MusterServer

/// A connection's queue of frames waiting for the socket: in order, and a
/// written frame is let go at once (a member's welcome is not kept alive
/// behind the frames that follow it).
@Suite struct ConnectionQueueTests {
    let connection = LWSConnection(id: 1, wsi: OpaquePointer(bitPattern: 0x10)!, heardAt: 0)

    @Test func framesGoOutInOrderAndAreLetGoOnceWritten() {
        weak var welcome: Frame?
        do {
            let first = Frame(Array(#"{"type":"welcome"}"#.utf8))
            welcome = first
            connection.enqueue(first)
        }
        for n in 1...100 { connection.enqueue(Frame(Array("\(n)".utf8))) }
        #expect(connection.dequeue()?.text == #"{"type":"welcome"}"#)
        #expect(welcome == nil, "the queue no longer holds a written frame")
        for n in 1...100 { #expect(connection.dequeue()?.text == "\(n)") }
        #expect(connection.dequeue() == nil)
        #expect(connection.queued == 0)
        connection.enqueue(Frame(Array("again".utf8)))
        #expect(connection.queued == 1 && connection.dequeue()?.text == "again")
    }

    /// Frames arriving while others are being written, as a slow phone sees them.
    @Test func interleavedSendsAndWritesKeepTheOrder() {
        var written: [String] = []
        var sent = 0
        for burst in [1, 3, 0, 2, 5, 1] {
            for _ in 0..<burst {
                sent += 1
                connection.enqueue(Frame(Array("\(sent)".utf8)))
            }
            if let frame = connection.dequeue() { written.append(frame.text) }
        }
        while let frame = connection.dequeue() { written.append(frame.text) }
        #expect(written == (1...sent).map(String.init))
        #expect(connection.queued == 0)
    }

    /// Too slow means frames waiting on a socket that takes no more; a burst on one
    /// that still takes them is bounded apart, at four times the limit.
    @Test func tooSlowIsJudgedByTheSocketNotByABurst() {
        for n in 1...8 { connection.enqueue(Frame(Array("\(n)".utf8))) }
        #expect(!connection.isTooSlow(limit: 9), "under the limit")
        #expect(!connection.isTooSlow(limit: 8), "at the limit, but the socket takes frames")
        connection.socketFull = true
        #expect(connection.isTooSlow(limit: 8), "at the limit on a full socket")
        #expect(!connection.isTooSlow(limit: 9))
        connection.socketFull = false
        for n in 9...31 { connection.enqueue(Frame(Array("\(n)".utf8))) }
        #expect(!connection.isTooSlow(limit: 8), "31 waiting: a burst under four times the limit")
        connection.enqueue(Frame(Array("32".utf8)))
        #expect(connection.isTooSlow(limit: 8), "32 waiting: four times the limit, however it reads")
    }

    @Test func aDroppedQueueIsEmptyAndStartsAgain() {
        for n in 1...5 { connection.enqueue(Frame(Array("\(n)".utf8))) }
        connection.dropQueue()
        #expect(connection.queued == 0 && connection.dequeue() == nil)
        connection.enqueue(Frame(Array("after".utf8)))
        #expect(connection.dequeue()?.text == "after" && connection.dequeue() == nil)
    }
}

/// Consecutive sends of one frame travel as one broadcast; the order of
/// everything decided is kept.
@Suite struct ServerActionsTests {
    @Test func sendsOfOneFrameBecomeOneBroadcastInOrder() {
        let event = Frame(Array("event".utf8))
        let ack = Frame(Array("ack".utf8))
        var actions = ServerActions()
        actions.send(ack, to: 9)
        for connection in 1...3 { actions.send(event, to: connection) }
        actions.close(2, code: .goingAway, reason: "bye")
        actions.send(event, to: 4)
        let described = actions.take().map { action -> String in
            switch action {
            case .send(let frame, let connection): "send \(frame.text) \(connection)"
            case .broadcast(let frame, let connections): "broadcast \(frame.text) \(connections)"
            case .close(let connection, _, _): "close \(connection)"
            case .submit: "submit"
            case .linkOpened(let member): "link opened \(member)"
            }
        }
        #expect(described == ["send ack 9", "broadcast event [1, 2, 3]", "close 2", "send event 4"])
        #expect(actions.take().isEmpty)
    }
}

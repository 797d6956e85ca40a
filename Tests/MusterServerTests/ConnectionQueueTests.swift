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
}

import Testing

@testable import MusterServer

/// The shell's open sockets by id: an id finds its own connection and,
/// once that closed, nothing, though its slot holds another by then.
@Suite struct ConnectionTableTests {
    final class Socket {
        let id: ConnectionID
        init(id: ConnectionID) { self.id = id }
    }

    @Test func anIdFindsItsOwnConnectionUntilItCloses() {
        var table = ConnectionTable<Socket>()
        let sockets = (0..<5).map { _ in table.add(Socket.init) }
        #expect(Set(sockets.map(\.id)).count == 5)
        for socket in sockets { #expect(table[socket.id] === socket) }
        #expect(table.remove(sockets[2].id) === sockets[2])
        #expect(table[sockets[2].id] == nil)
        #expect(table.remove(sockets[2].id) == nil, "closed once, not twice")
        #expect(table.count == 4)
        #expect(Set(table.all.map(\.id)) == Set(sockets.map(\.id)).subtracting([sockets[2].id]))
    }

    @Test func aClosedIdDoesNotFindTheConnectionInItsSlotNow() {
        var table = ConnectionTable<Socket>()
        let gone = table.add(Socket.init)
        table.add(Socket.init)
        table.remove(gone.id)
        let next = table.add(Socket.init)
        #expect(next.id != gone.id)
        #expect(table[gone.id] == nil, "a frame for the closed socket goes nowhere")
        #expect(table.remove(gone.id) == nil)
        #expect(table[next.id] === next)
        #expect(table.count == 2)
    }

    @Test func idsNoTableGaveFindNothing() {
        var table = ConnectionTable<Socket>()
        let socket = table.add(Socket.init)
        for id in [0, -1, socket.id + 1, socket.id ^ (1 << 40), Int.max, Int.min] {
            #expect(table[id] == nil, "\(id)")
            #expect(table.remove(id) == nil, "\(id)")
        }
        #expect(table.count == 1 && !table.isEmpty)
        table.remove(socket.id)
        #expect(table.isEmpty && Array(table.all).isEmpty)
    }
}

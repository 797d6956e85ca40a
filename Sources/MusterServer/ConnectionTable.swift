/// The shell's open WebSockets by `ConnectionID`, found by an array index
/// rather than a hash.
///
/// A broadcast to N members looks up N ids; a dictionary's hashing and probe
/// were 140 of a frame's 2,400 user-space instructions (callgrind, 1,000
/// members). Here an id is a slot in a contiguous array and a serial number:
/// a slot is reused once its connection closes, and an id of the closed one
/// then finds nothing, as it would in a dictionary.
struct ConnectionTable<Connection: AnyObject> {
    private struct Slot {
        var id: ConnectionID
        var connection: Connection?
    }

    /// Slots held by a connection and slots free, side by side; the id is
    /// read from here, not from the connection, whose memory a broadcast asks
    /// for ahead of its turn.
    private var slots: [Slot] = []
    private var free: [Int] = []
    private var serial = 0
    private(set) var count = 0

    /// Slots below 2³², serials above: ids stay unique for the life of the process.
    private static var slotBits: Int { 32 }
    private static var slotMask: Int { (1 << slotBits) - 1 }

    var isEmpty: Bool { count == 0 }

    /// Seats a connection made with its new id.
    @discardableResult
    mutating func add(_ make: (ConnectionID) -> Connection) -> Connection {
        serial += 1
        let slot = free.popLast() ?? slots.count
        let id = serial << Self.slotBits | slot
        let connection = make(id)
        if slot == slots.count {
            slots.append(Slot(id: id, connection: connection))
        } else {
            slots[slot] = Slot(id: id, connection: connection)
        }
        count += 1
        return connection
    }

    subscript(id: ConnectionID) -> Connection? {
        let slot = id & Self.slotMask
        guard id > 0, slot < slots.count, slots[slot].id == id else { return nil }
        return slots[slot].connection
    }

    /// Takes the connection out; its id finds nothing from now on.
    @discardableResult
    mutating func remove(_ id: ConnectionID) -> Connection? {
        guard let connection = self[id] else { return nil }
        let slot = id & Self.slotMask
        slots[slot] = Slot(id: 0, connection: nil)
        free.append(slot)
        count -= 1
        return connection
    }

    /// The connections, in no particular order.
    var all: some Sequence<Connection> { slots.lazy.compactMap(\.connection) }
}

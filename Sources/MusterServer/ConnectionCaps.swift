/// Open TCP connections per network address, so one address cannot hold
/// the server's sockets (idle HTTP connections, a loop opening WebSockets).
///
/// lws reports an accepted socket (with its address) just before it creates
/// the socket's connection object, on the same thread: the address is
/// remembered between the two, then kept per connection until it is destroyed.
struct ConnectionCaps {
    var maxPerAddress: Int
    private var open: [String: Int] = [:]
    private var addressOf: [UInt: String] = [:]
    private var accepted: String?

    init(maxPerAddress: Int) { self.maxPerAddress = maxPerAddress }

    /// A socket from `address` was accepted: false to drop it, it has too many already.
    mutating func accept(from address: String) -> Bool {
        guard open[address, default: 0] < maxPerAddress else { return false }
        accepted = address
        return true
    }

    /// lws made the connection object for the socket just accepted (or another kind: ignored).
    mutating func created(_ connection: UInt) {
        guard let address = accepted else { return }
        accepted = nil
        addressOf[connection] = address
        open[address, default: 0] += 1
    }

    mutating func destroyed(_ connection: UInt) {
        guard let address = addressOf.removeValue(forKey: connection) else { return }
        let count = open[address, default: 1] - 1
        open[address] = count > 0 ? count : nil
    }
}

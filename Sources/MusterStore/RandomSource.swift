import MusterCore
import Synchronization

/// Where the store gets its randomness: the system's secure generator in
/// production, a seeded one in tests so ids and tokens repeat.
public struct RandomSource: Sendable {
    private let nextWord: @Sendable () -> UInt64

    public init(_ nextWord: @escaping @Sendable () -> UInt64) {
        self.nextWord = nextWord
    }

    /// The operating system's cryptographically secure generator (getrandom on Linux).
    public static let system = RandomSource {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }

    /// A repeatable sequence for tests. Not for tokens anyone relies on.
    public static func seeded(_ seed: UInt64) -> RandomSource {
        let state = Mutex(seed)
        return RandomSource {
            state.withLock { state in
                // SplitMix64: a tiny, well-distributed generator.
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
        }
    }

    public func bytes(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            withUnsafeBytes(of: nextWord()) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }

    /// A new identifier such as `M3K7Q9ZD2AB`: a kind letter and ten
    /// Crockford base-32 characters (50 random bits), short enough to read
    /// out over the phone. Identifiers are not secrets; tokens are.
    public func identifier<Tag>(_ prefix: Character) -> Identifier<Tag> {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        let word = nextWord()
        let characters = (0..<10).map { alphabet[Int((word >> (UInt64($0) * 5)) & 31)] }
        return Identifier("\(prefix)\(String(characters))")
    }
}

import Foundation

/// Writes `Encodable` values as JSON bytes in one pass, for the frames the
/// server sends thousands of times a second in a join storm.
///
/// Foundation's `JSONEncoder` builds a tree of boxed values and dictionaries
/// and then serializes it: measured with callgrind, a member's arrival spent
/// about a third of its instructions there. This encoder writes each value
/// as it is encoded, in the order encoded. It handles what Muster's frames
/// use: keyed containers (also several on one encoder, as a flat event does),
/// unkeyed containers, single values, strings, integers, booleans and nil.
/// Anything else (nested or super encoders, floating point, `Date`, `Data`,
/// `URL`, `Decimal`) throws `Unsupported`, and `ServerMessage` falls back to
/// `JSONEncoder` for that value: the output is always what `JSONEncoder`
/// would say, keys perhaps in another order.
struct FrameEncoder {
    struct Unsupported: Error {
        var what: String
    }

    /// The value as JSON.
    func encode(_ value: some Encodable) throws -> [UInt8] {
        let writer = Writer()
        try writer.write(value, root: true)
        return writer.bytes
    }

    /// One value being written: what it opened, and how many members or elements it has so far.
    fileprivate struct Level {
        enum Kind { case none, keyed, unkeyed, single }
        var kind = Kind.none
        var count = 0
    }

    fileprivate final class Writer: Encoder {
        /// The output and the values being written, behind a pointer: a class's stored
        /// properties pay a dynamic exclusivity check on every access, which was a third of
        /// the cost of each member written.
        struct State {
            var bytes: [UInt8] = []
            var levels: [Level] = []
        }

        let state: UnsafeMutablePointer<State>
        var bytes: [UInt8] { state.pointee.bytes }
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init() {
            state = .allocate(capacity: 1)
            state.initialize(to: State())
            state.pointee.bytes.reserveCapacity(512)
        }

        deinit {
            state.deinitialize(count: 1)
            state.deallocate()
        }

        /// Writes `value` as one JSON value: whatever containers it opens are closed after it.
        func write<T: Encodable>(_ value: T, root: Bool = false) throws {
            // `JSONEncoder` writes these its own way; a type comparison, not a cast, for speed.
            if T.self == Date.self || T.self == Data.self || T.self == URL.self || T.self == Decimal.self {
                throw Unsupported(what: "\(T.self)")
            }
            state.pointee.levels.append(Level())
            try value.encode(to: self)
            let level = state.pointee.levels.removeLast()
            switch level.kind {
            case .keyed: state.pointee.bytes.append(UInt8(ascii: "}"))
            case .unkeyed: state.pointee.bytes.append(UInt8(ascii: "]"))
            case .single: break
            case .none:
                if root { throw Unsupported(what: "a value that encodes nothing") }
                state.pointee.bytes += [UInt8(ascii: "{"), UInt8(ascii: "}")]
            }
        }

        /// Opens the current value as `kind` (an object or array may be asked for again).
        func open(_ kind: Level.Kind) throws -> Int {
            let depth = state.pointee.levels.count - 1
            switch (state.pointee.levels[depth].kind, kind) {
            case (.none, .keyed): state.pointee.bytes.append(UInt8(ascii: "{"))
            case (.none, .unkeyed): state.pointee.bytes.append(UInt8(ascii: "["))
            case (.none, .single): break
            case (.keyed, .keyed): break
            default: throw Unsupported(what: "a value opened as \(state.pointee.levels[depth].kind) and then \(kind)")
            }
            state.pointee.levels[depth].kind = kind
            return depth
        }

        /// Before a member or element of the value at `depth`: checks it is the one being written, adds a comma.
        func next(at depth: Int) throws {
            guard depth >= 0, depth == state.pointee.levels.count - 1 else {
                throw Unsupported(what: "writing to a container that is not the innermost")
            }
            if state.pointee.levels[depth].count > 0 { state.pointee.bytes.append(UInt8(ascii: ",")) }
            state.pointee.levels[depth].count += 1
        }

        /// Before an object's member: its comma and key.
        func key(_ key: some CodingKey, at depth: Int) throws {
            try next(at: depth)
            JSONText.append(key.stringValue, to: &state.pointee.bytes)
            state.pointee.bytes.append(UInt8(ascii: ":"))
        }

        // The values themselves, once `key` or `next` has placed them.
        func null() { state.pointee.bytes.append(contentsOf: "null".utf8) }
        func bool(_ value: Bool) { state.pointee.bytes.append(contentsOf: (value ? "true" : "false").utf8) }
        func string(_ value: String) { JSONText.append(value, to: &state.pointee.bytes) }
        func integer(_ value: some BinaryInteger) { JSONText.append(value, to: &state.pointee.bytes) }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            // `Encoder` cannot throw here: a misuse is remembered and thrown at the first write.
            let depth = (try? open(.keyed)) ?? -1
            return KeyedEncodingContainer(Keyed<Key>(writer: self, depth: depth))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            Elements(writer: self, depth: (try? open(.unkeyed)) ?? -1)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            Elements(writer: self, depth: (try? open(.single)) ?? -1)
        }
    }

    private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let writer: Writer
        let depth: Int
        var codingPath: [any CodingKey] { [] }

        /// The writer, once the member's key is written.
        private func at(_ key: Key) throws -> Writer {
            try writer.key(key, at: depth)
            return writer
        }

        mutating func encodeNil(forKey key: Key) throws { try at(key).null() }
        mutating func encode(_ value: Bool, forKey key: Key) throws { try at(key).bool(value) }
        mutating func encode(_ value: String, forKey key: Key) throws { try at(key).string(value) }
        mutating func encode(_ value: Int, forKey key: Key) throws { try at(key).integer(value) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { try at(key).integer(value) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { try at(key).integer(value) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try at(key).integer(value) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { try at(key).integer(value) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { try at(key).integer(value) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { try at(key).integer(value) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { try at(key).integer(value) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { try at(key).integer(value) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { try at(key).integer(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { throw Unsupported(what: "Double") }
        mutating func encode(_ value: Float, forKey key: Key) throws { throw Unsupported(what: "Float") }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try at(key).write(value) }
        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(writer: writer, depth: -1))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            Elements(writer: writer, depth: -1)
        }
        mutating func superEncoder() -> any Encoder { Unusable() }
        mutating func superEncoder(forKey key: Key) -> any Encoder { Unusable() }
    }

    /// An array's elements, or a single value (one element, no brackets): the same writes.
    private struct Elements: UnkeyedEncodingContainer, SingleValueEncodingContainer {
        let writer: Writer
        let depth: Int
        var codingPath: [any CodingKey] { [] }
        var count: Int { depth >= 0 && depth < writer.state.pointee.levels.count ? writer.state.pointee.levels[depth].count : 0 }

        /// The writer, once the element's comma is written.
        private func next() throws -> Writer {
            try writer.next(at: depth)
            return writer
        }

        mutating func encodeNil() throws { try next().null() }
        mutating func encode(_ value: Bool) throws { try next().bool(value) }
        mutating func encode(_ value: String) throws { try next().string(value) }
        mutating func encode(_ value: Int) throws { try next().integer(value) }
        mutating func encode(_ value: Int8) throws { try next().integer(value) }
        mutating func encode(_ value: Int16) throws { try next().integer(value) }
        mutating func encode(_ value: Int32) throws { try next().integer(value) }
        mutating func encode(_ value: Int64) throws { try next().integer(value) }
        mutating func encode(_ value: UInt) throws { try next().integer(value) }
        mutating func encode(_ value: UInt8) throws { try next().integer(value) }
        mutating func encode(_ value: UInt16) throws { try next().integer(value) }
        mutating func encode(_ value: UInt32) throws { try next().integer(value) }
        mutating func encode(_ value: UInt64) throws { try next().integer(value) }
        mutating func encode(_ value: Double) throws { throw Unsupported(what: "Double") }
        mutating func encode(_ value: Float) throws { throw Unsupported(what: "Float") }
        mutating func encode<T: Encodable>(_ value: T) throws { try next().write(value) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(writer: writer, depth: -1))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { Elements(writer: writer, depth: -1) }
        mutating func superEncoder() -> any Encoder { Unusable() }
    }

    /// What a nested or super encoder gets: every use throws, so the value falls back to `JSONEncoder`.
    private struct Unusable: Encoder {
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Keyed<Key>(writer: Writer(), depth: -1))
        }
        func unkeyedContainer() -> any UnkeyedEncodingContainer { Elements(writer: Writer(), depth: -1) }
        func singleValueContainer() -> any SingleValueEncodingContainer { Elements(writer: Writer(), depth: -1) }
    }
}

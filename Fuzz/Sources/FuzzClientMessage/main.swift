@testable import MusterServer

/// Any bytes a client can send: decoded into a message, or refused with an
/// explanation; never a crash, and a refusal keeps an id only if one was sent.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    do {
        _ = try ClientMessage.decode(bytes)
    } catch {
        precondition(!error.message.isEmpty, "a refusal must say why")
    }
    return 0
}

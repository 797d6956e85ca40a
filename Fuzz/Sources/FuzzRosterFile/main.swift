import Foundation
import MusterStore

/// Any file a secretary can upload as a roster: parsed into rows, or refused
/// naming the line; never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    do {
        let rows = try RosterFile.parse(data)
        for row in rows { precondition(!row.member.name.isEmpty, "a row without a name was accepted") }
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    return 0
}

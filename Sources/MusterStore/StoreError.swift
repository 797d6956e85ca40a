/// Why the store refused a request. Every refusal leaves the database as it was.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownBranch(String)
    case unknownMember(String)
    case unknownSession(String)
    case duplicateBranch(name: String)
    case duplicateMember(name: String, branch: String)
    case invalid(String)
    /// A roster file line that cannot be imported; lines count from 1, the header included.
    case rosterLine(Int, String)
    /// The event log does not continue where the store expects (a bug, or two writers).
    case sequenceGap(session: String, expected: Int, got: Int)
    /// A session's log cannot be replayed from this event on: it is set aside, named.
    case damaged(session: String, seq: Int, problem: String)
    /// The data file cannot be created or opened.
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownBranch(let branch): "There is no branch \"\(branch)\". `muster branch list` shows the branches."
        case .unknownMember(let member): "There is no member \"\(member)\"."
        case .unknownSession(let session): "There is no session \"\(session)\"."
        case .duplicateBranch(let name): "A branch named \"\(name)\" already exists."
        case .duplicateMember(let name, let branch):
            "\"\(name)\" is already on the roster of \(branch). Two people with the same name? Add something to tell them apart, such as 张伟（东村）."
        case .invalid(let message): message
        case .rosterLine(let line, let message): "Line \(line): \(message). Nothing was imported."
        case .sequenceGap(let session, let expected, let got):
            "Session \(session): expected event \(expected), got \(got)."
        case .damaged(let session, let seq, let problem):
            "Session \(session)'s record is damaged at event \(seq) (\(problem)); it cannot be shown or exported until it is repaired."
        case .cannotOpen(let path, let reason): "Cannot open the data file \(path): \(reason)."
        }
    }
}

import Dispatch
import Foundation
import MusterCore
import MusterDocuments
import MusterStore

/// The branch's office in the browser: a secretary's roster, links, plans
/// and the record of changes, over `/api/…` (see docs/http-api.md).
///
/// Work runs off the service thread, one request at a time, as the exports
/// do: a write waits for its fsync without holding up a meeting's frames.
/// Every change lands in the branch's audit log in its own transaction.
final class BranchDesk: Sendable {
    private let store: MusterDatabase
    private let mailbox: Mailbox
    private let queue = DispatchQueue(label: "muster-branch-desk")
    /// Where typed cities are on the map (`web/geo/places.tsv`).
    private let places: PlaceTable

    /// One authorized request: the secretary is known and of this branch.
    struct Job: Sendable {
        var request: Int
        var method: String
        /// The path after `/api/`, split at slashes.
        var path: [String]
        var body: [UInt8]
        /// `?preview=1`: check a roster file and show it, change nothing.
        var preview: Bool
        /// Who asks: a secretary, any member (for `/api/me` only), or an office holder (`/api/map`).
        var caller: Caller
        /// The server's time when it came: a session is not planned in the past.
        var now: Instant
        /// `?lang=en`: the sheets in English.
        var language: DocumentLanguage = .zh
    }

    /// Someone with a link into the office API.
    enum Caller: Sendable {
        case member(Member)
        case officeHolder(OfficeHolder)
    }

    init(store: MusterDatabase, mailbox: Mailbox, places: PlaceTable) {
        self.store = store
        self.mailbox = mailbox
        self.places = places
    }

    func handle(_ job: Job) {
        queue.async { [store, mailbox, places] in
            mailbox.post(.httpReady(job.request, Self.response(job, store: store, places: places)))
        }
    }

    static func response(_ job: Job, store: MusterDatabase, places: PlaceTable) -> HTTPResponse {
        do {
            switch job.caller {
            case .member(let member):
                return try BranchOffice(store: store, caller: member, places: places).answer(job)
            case .officeHolder(let holder):
                // An office reads what is below it (the map, 三会一课) and plans lessons for it; it changes no branch's records.
                if job.path == ["lessons"] {
                    guard job.method == "POST" else { throw OfficeError(status: 405, message: "/api/lessons takes POST, not \(job.method)") }
                    return try .encoded(
                        SessionLine(
                            SessionPlanning.lesson(
                                BranchOffice.decode(PlanFields.self, job.body), for: holder, store: store, now: job.now)),
                        status: 201)
                }
                guard job.path == ["map"] || job.path.first == "dashboard" else {
                    throw OfficeError(
                        status: 403, message: "an office link reads /api/map and /api/dashboard and plans lessons; the branches' own pages are their secretaries'")
                }
                guard job.method == "GET" else { throw OfficeError(status: 405, message: "this address takes GET, not \(job.method)") }
                if job.path == ["map"] { return try .encoded(MemberMap.organisation(holder.organisationId, store: store, places: places)) }
                let tree = try store.tree(of: holder.organisationId)
                return try DashboardReport.answer(
                    job.path, branches: tree.branches, organisations: [tree.root] + tree.below, store: store, now: job.now,
                    language: job.language)
            }
        } catch let error as StoreError {
            switch error {
            case .unknownMember, .unknownSession, .unknownBranch: return .problem(404, error.description)
            case .duplicateBranch, .duplicateMember: return .problem(409, error.description)
            case .invalid, .rosterLine: return .problem(400, error.description)
            default: return .problem(500, "cannot read or save the branch's records")
            }
        } catch let error as OfficeError {
            return .problem(error.status, error.message)
        } catch is DecodingError {
            return .problem(400, "the body is not the JSON this address takes (see docs/http-api.md)")
        } catch {
            return .problem(500, "cannot read or save the branch's records")
        }
    }
}

/// A refusal with its HTTP status.
struct OfficeError: Error {
    var status: Int
    var message: String
}

/// What each address does, for the caller's branch: a secretary's, or a member's own record.
struct BranchOffice {
    let store: MusterDatabase
    let caller: Member
    let places: PlaceTable

    /// The addresses under `/api/`.
    enum Route: Equatable {
        case home, me, audit, map, dashboard, members, member(String), relink(String), retire(String), roster, sessions

        init?(_ path: [String]) {
            switch path.count {
            case 1:
                switch path[0] {
                case "branch": self = .home
                case "me": self = .me
                case "audit": self = .audit
                case "map": self = .map
                case "dashboard": self = .dashboard
                case "members": self = .members
                case "roster": self = .roster
                case "sessions": self = .sessions
                default: return nil
                }
            case 2 where path[0] == "dashboard": self = .dashboard
            case 2 where path[0] == "members": self = .member(path[1])
            case 3 where path[0] == "members" && path[2] == "relink": self = .relink(path[1])
            case 3 where path[0] == "members" && path[2] == "retire": self = .retire(path[1])
            default: return nil
            }
        }

        /// The one method each address takes.
        var method: String {
            switch self {
            case .home, .me, .audit, .map, .dashboard: "GET"
            case .members, .member, .relink, .retire, .roster, .sessions: "POST"
            }
        }
    }

    func answer(_ job: BranchDesk.Job) throws -> HTTPResponse {
        let address = "/api/" + job.path.joined(separator: "/")
        guard let route = Route(job.path) else { throw OfficeError(status: 404, message: "there is no \(address)") }
        guard caller.secretary || route == .me else { throw OfficeError(status: 403, message: "only the branch's secretary can do this") }
        guard route.method == job.method else {
            throw OfficeError(status: 405, message: "\(address) takes \(route.method), not \(job.method)")
        }
        switch route {
        case .home: return try .encoded(home())
        case .me: return try .encoded(MemberRecord.of(caller, store: store, now: job.now))
        case .audit: return try .encoded(store.auditLog(branch: caller.branchId).map(AuditLine.init))
        case .map: return try .encoded(MemberMap.branch(store.branch(caller.branchId.rawValue), store: store, places: places))
        case .dashboard:
            return try DashboardReport.answer(
                job.path, branches: [store.branch(caller.branchId.rawValue)], organisations: [], store: store, now: job.now,
                language: job.language)
        case .members:
            let fields = try Self.decode(MemberFields.self, job.body)
            let status = try memberStatus(fields.status) ?? .full
            let new = NewMember(name: fields.name ?? "", status: status, city: fields.city, phone: fields.phone)
            let issued = try store.addMember(branch: caller.branchId.rawValue, new, by: caller.id)
            return try .encoded(IssuedLinkLine(issued), status: 201)
        case .member(let id):
            let fields = try Self.decode(MemberFields.self, job.body)
            let member = try ownMember(id)
            let edited = try store.editMember(
                member.id, name: fields.name, status: memberStatus(fields.status), city: fields.city, phone: fields.phone,
                by: caller.id)
            return try .encoded(MemberLine(edited))
        case .relink(let id):
            let member = try ownMember(id)
            return try .encoded(IssuedLinkLine(store.relink(member: member.id, by: caller.id)))
        case .retire(let id):
            let member = try ownMember(id)
            guard member.id != caller.id else {
                throw OfficeError(status: 409, message: "a secretary cannot take themselves off the roster")
            }
            let fields = try Self.decode(LeavingFields.self, job.body)
            guard let reason = fields.reason.flatMap(LeavingReason.init) else {
                throw StoreError.invalid("reason is transferred (转出) or deceased (去世).")
            }
            return try .encoded(MemberLine(store.retire(member.id, reason: reason, by: caller.id)))
        case .roster:
            let decoded = try RosterFile.decode(Data(job.body))
            let rows = try RosterFile.parse(text: decoded.text)
            if job.preview {
                return try .encoded(RosterPreview(encoding: decoded.encoding.rawValue, rows: rows.map(PreviewLine.init)))
            }
            let issued = try store.importRoster(branch: caller.branchId.rawValue, rows, by: caller.id)
            return try .encoded(issued.map(IssuedLinkLine.init), status: 201)
        case .sessions:
            return try .encoded(SessionLine(plan(Self.decode(PlanFields.self, job.body), now: job.now)), status: 201)
        }
    }

    /// A member of the caller's branch; any other is "not found", as if it did not exist.
    private func ownMember(_ id: String) throws -> Member {
        guard let member = try store.member(MemberID(id)), member.branchId == caller.branchId else {
            throw StoreError.unknownMember(id)
        }
        return member
    }

    private func memberStatus(_ text: String?) throws -> MemberStatus? {
        guard let text else { return nil }
        guard let status = RosterFile.memberStatus(text) else {
            throw StoreError.invalid("\"\(text)\" is not a status; use full, probationary or guest (正式, 预备, 列席).")
        }
        return status
    }

    /// A JSON body as `type`; an empty body is an empty object.
    static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(body.isEmpty ? Array("{}".utf8) : body))
    }

    private func plan(_ fields: PlanFields, now: Instant) throws -> SessionSetup {
        try SessionPlanning.plan(fields, branch: caller.branchId, store: store, now: now, by: caller.id)
    }

    private func home() throws -> Home {
        let branch = try store.branch(caller.branchId.rawValue)
        return Home(
            branch: BranchLine(branch), you: MemberLine(caller),
            sessions: try SessionLine.sessions(of: branch.id, in: store).map(SessionLine.init),
            members: try store.members(branch: branch.id.rawValue).map(MemberLine.init),
            formerMembers: try store.formerMembers(branch: branch.id.rawValue).map(MemberLine.init))
    }
}

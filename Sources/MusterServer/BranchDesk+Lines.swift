import Foundation
import MusterCore
import MusterStore

// What `/api/…` reads and writes (docs/http-api.md). Never a token hash; a
// token only where a link was just issued, the one time it is shown.

struct Home: Encodable {
    var branch: BranchLine
    var you: MemberLine
    /// Newest first: planned ones at the top, then the live one, then the past.
    var sessions: [SessionLine]
    var members: [MemberLine]
    /// Those who left the roster (transferred out, died): in past records, not in new sessions.
    var formerMembers: [MemberLine]
}

struct BranchLine: Encodable {
    var id: String
    var name: String
    var timeZone: String
    var rules: String

    init(_ branch: Branch) {
        id = branch.id.rawValue
        name = branch.name
        timeZone = branch.timeZone
        rules = branch.rules.rawValue
    }
}

struct MemberLine: Encodable {
    var id: String
    var name: String
    var status: String
    var city: String?
    var secretary: Bool
    var leftAt: Instant?
    /// `transferred` or `deceased`.
    var leftReason: String?
    /// Whether their current link has been used at all: the secretary chases those who have not.
    var linkOpened: Bool
    var phone: String?

    init(_ member: Member) {
        id = member.id.rawValue
        name = member.name
        status = member.status.rawValue
        city = member.city
        secretary = member.secretary
        leftAt = member.leftAt
        leftReason = member.leftReason?.rawValue
        linkOpened = member.linkOpenedAt != nil
        phone = member.phone
    }
}

/// A member and their new link's token: shown once, never again without a relink.
struct IssuedLinkLine: Encodable {
    var member: MemberLine
    var token: String

    init(_ issued: IssuedLink) {
        member = MemberLine(issued.member)
        token = issued.token
    }
}

struct SessionLine: Encodable {
    var id: String
    var title: String
    var kind: String
    var startsAt: Instant
    /// `planned`, `open` (opened, not ended), `ended` or `cancelled`.
    var phase: String
    /// Why it was called off (`cancelled`).
    var cancelReason: String?
    var openedAt: Instant?
    var textTitle: String?
    /// The branch that runs it: another branch's, for a lesson an organisation holds for many.
    var hostBranch: String
    /// A lesson for every branch under an organisation.
    var lesson: Bool

    init(_ setup: SessionSetup, _ summary: SessionSummary? = nil) {
        id = setup.id.rawValue
        hostBranch = setup.branch.rawValue
        lesson = setup.organisation != nil
        title = setup.title
        kind = setup.kind
        startsAt = setup.scheduledStart
        openedAt = summary?.openedAt
        cancelReason = summary?.cancelReason
        phase =
            if cancelReason != nil { "cancelled" }
            else if summary?.ended == true { "ended" }
            else if summary?.openedAt != nil { "open" }
            else { "planned" }
        textTitle = setup.text?.title
    }

    /// The branch's sessions and the lessons organisations above it held for it too, newest first.
    static func sessions(of branch: BranchID, in store: MusterDatabase) throws -> [(setup: SessionSetup, summary: SessionSummary?)] {
        let own = try store.sessionSummaries(branch: branch)
        let lessons = try store.lessonSummaries(for: branch)
        let summaries = Dictionary((own + lessons).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let setups = try store.sessions(branch: branch.rawValue) + lessons.map { try store.sessionSetup($0.id) }
        return setups.sorted { $0.scheduledStart > $1.scheduledStart }.map { ($0, summaries[$0.id]) }
    }
}

struct AuditLine: Encodable {
    var at: Instant
    var actor: String?
    var action: String
    var subject: String
    var detail: String

    init(_ entry: AuditEntry) {
        at = entry.at
        actor = entry.actor?.rawValue
        action = entry.action
        subject = entry.subject
        detail = entry.detail
    }
}

struct RosterPreview: Encodable {
    /// `UTF-8` or `GB18030` (a GBK file from Excel or WPS).
    var encoding: String
    var rows: [PreviewLine]
}

struct PreviewLine: Encodable {
    var line: Int
    var name: String
    var status: String
    var city: String?
    var secretary: Bool

    init(_ row: RosterRow) {
        line = row.line
        name = row.member.name
        status = row.member.status.rawValue
        city = row.member.city
        secretary = row.member.secretary
    }
}

/// A member's fields as a secretary fills them in; absent ones stay as they are.
struct MemberFields: Decodable {
    var name: String?
    var status: String?
    var city: String?
    var phone: String?
}

/// Why a member leaves the roster.
struct LeavingFields: Decodable {
    var reason: String?
}

/// A session being planned. `startsAt` is the branch's local time
/// (2026-11-28T19:30) unless it carries an offset.
struct PlanFields: Decodable {
    var title: String?
    var kind: String?
    var startsAt: String?
    var graceSeconds: Int?
    var oath: Bool?
    var text: PastedText?
    /// A lesson (`POST /api/lessons`): the branch that runs it, and the organisation whose
    /// branches attend (the office's own if absent).
    var hostBranch: String?
    var organisation: String?

    struct PastedText: Decodable {
        var title: String?
        var body: String?
    }
}

extension HTTPResponse {
    static func encoded(_ value: some Encodable, status: Int = 200) throws -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return HTTPResponse(status: status, contentType: "application/json; charset=utf-8", body: Array(try encoder.encode(value)))
    }
}

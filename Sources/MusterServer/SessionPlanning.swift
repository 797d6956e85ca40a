import Foundation
import MusterCore
import MusterStore

/// Planning a session from the office API: a secretary's for their branch
/// (`POST /api/sessions`), or an office's lesson for every branch under it,
/// hosted by one of them (`POST /api/lessons`).
enum SessionPlanning {
    /// A session of `branch` (for `organisation`'s branches, a lesson) as `fields` describe it.
    static func plan(
        _ fields: PlanFields, branch: BranchID, organisation: OrganisationID? = nil, store: MusterDatabase, now: Instant,
        by actor: MemberID?, note: String? = nil
    ) throws -> SessionSetup {
        let zone = try store.timeZone(ofBranch: branch)
        guard let starts = fields.startsAt, let startsAt = BranchTime.parse(starts, in: zone) else {
            throw StoreError.invalid("startsAt is needed, written like 2026-11-28T19:30 (the branch's time).")
        }
        guard startsAt >= now.adding(seconds: -3600) else {
            throw StoreError.invalid("\(starts) is in the past: plan a session for a time to come.")
        }
        var text: SharedText?
        if fields.oath == true { text = .partyOath }
        if let pasted = fields.text {
            text = SharedText(title: pasted.title ?? "", pasted: pasted.body ?? "")
        }
        let kind = fields.kind ?? (organisation == nil ? "branch-meeting" : "lesson")
        guard SessionSetup.kinds.contains(kind) else {
            throw StoreError.invalid("\"\(kind)\" is not a kind of session; use one of \(SessionSetup.kinds.joined(separator: ", ")).")
        }
        return try store.addSession(
            branch: branch.rawValue, title: fields.title ?? "", kind: kind, startsAt: startsAt,
            graceSeconds: fields.graceSeconds ?? SessionSetup.defaultGraceSeconds, text: text,
            organisation: organisation?.rawValue, by: actor, note: note)
    }

    /// An office holder's lesson: for their organisation or one below it (`organisation`), hosted by
    /// `hostBranch`, a branch under that organisation.
    static func lesson(_ fields: PlanFields, for holder: OfficeHolder, store: MusterDatabase, now: Instant) throws -> SessionSetup {
        let tree = try store.tree(of: holder.organisationId)
        let organisation = try fields.organisation.map { id in
            guard let found = ([tree.root] + tree.below).first(where: { $0.id.rawValue == id }) else {
                throw StoreError.invalid("\(id) is not your organisation or one below it.")
            }
            return found.id
        } ?? holder.organisationId
        guard let host = fields.hostBranch, let branch = tree.branches(under: organisation).first(where: { $0.id.rawValue == host })
        else {
            throw StoreError.invalid("hostBranch is needed: the id of a branch under the organisation, whose secretary runs the lesson.")
        }
        return try plan(fields, branch: branch.id, organisation: organisation, store: store, now: now, by: nil, note: holder.name)
    }
}

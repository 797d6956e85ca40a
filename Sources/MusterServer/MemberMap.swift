import MusterCore
import MusterDocuments
import MusterStore

/// `GET /api/map`: where the members are, for the red-flag map. A branch's
/// secretary sees their branch; an office holder every branch below their
/// organisation. Every member in scope is in `members`; those whose city is
/// missing or names no place are in `unplaced` too (never dropped silently).
struct MemberMap: Encodable {
    var scope: Scope
    var organisations: [OrganisationLine]
    var branches: [Place]
    var members: [Pin]
    /// Placed members per city, most first.
    var cities: [City]
    var unplaced: [Pin]

    struct Scope: Encodable {
        var kind: String
        var name: String
        var level: String?
    }

    struct OrganisationLine: Encodable {
        var id: String
        var name: String
        var level: String
        var parent: String?
    }

    /// A branch, and the organisation it belongs to (for the filters).
    struct Place: Encodable {
        var id: String
        var name: String
        var organisation: String?
    }

    struct Pin: Encodable {
        var id: String
        var name: String
        var branch: String
        var city: String?
        var place: PlaceTable.Place?
    }

    struct City: Encodable {
        var code: String
        var name: String
        var x: Double
        var y: Double
        var count: Int
    }

    init(scope: Scope, organisations: [Organisation], branches: [Branch], members: [Member], places: PlaceTable) {
        self.scope = scope
        self.organisations = organisations.map {
            OrganisationLine(id: $0.id.rawValue, name: $0.name, level: $0.level.rawValue, parent: $0.parentId?.rawValue)
        }
        self.branches = branches.map { Place(id: $0.id.rawValue, name: $0.name, organisation: $0.organisationId?.rawValue) }
        self.members = members.map { member in
            Pin(id: member.id.rawValue, name: member.name, branch: member.branchId.rawValue, city: member.city,
                place: member.city.flatMap(places.place))
        }
        unplaced = self.members.filter { $0.place == nil }
        var counts: [String: City] = [:]
        for pin in self.members {
            guard let place = pin.place else { continue }
            counts[place.code, default: City(code: place.code, name: place.name, x: place.x, y: place.y, count: 0)].count += 1
        }
        cities = counts.values.sorted { ($0.count, $1.name) > ($1.count, $0.name) }
    }

    /// A secretary's own branch.
    static func branch(_ branch: Branch, store: MusterDatabase, places: PlaceTable) throws -> MemberMap {
        MemberMap(
            scope: Scope(kind: "branch", name: branch.name, level: nil), organisations: [], branches: [branch],
            members: try store.currentMembers(of: [branch.id]), places: places)
    }

    /// Everything below an office holder's organisation.
    static func organisation(_ id: OrganisationID, store: MusterDatabase, places: PlaceTable) throws -> MemberMap {
        let tree = try store.tree(of: id)
        return MemberMap(
            scope: Scope(kind: "organisation", name: tree.root.name, level: tree.root.level.rawValue),
            organisations: [tree.root] + tree.below, branches: tree.branches,
            members: try store.currentMembers(of: tree.branches.map(\.id)), places: places)
    }
}

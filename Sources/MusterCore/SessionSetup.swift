/// What a session is, as the secretary planned it, before anything happened.
public struct SessionSetup: Codable, Sendable, Hashable {
    public var id: SessionID
    public var branch: BranchID
    public var title: String
    /// What kind of meeting: one of `kinds`.
    public var kind: String
    public var scheduledStart: Instant
    /// How long after the start a first join still counts as on time.
    public var graceSeconds: Int
    public var rules: VotingRules
    /// The text to read together, if chosen in advance.
    public var text: SharedText?
    /// Set for a lesson the organisation holds for every branch under it (a township's
    /// 空中课堂): `branch` hosts it, its roster is the members of all those branches,
    /// each line with its branch, and it holds no votes. Nil for a branch's own session.
    public var organisation: OrganisationID?

    /// Five minutes: long enough for a phone on a slow network to get in,
    /// short enough that "late" still means something.
    public static let defaultGraceSeconds = 300
    /// The kinds of session a branch holds (三会一课 and the theme day): theme-day 主题党日,
    /// branch-meeting 支部党员大会, committee 支部委员会, group-meeting 党小组会, lesson 党课,
    /// oath (a swearing-in), other.
    public static let kinds = ["theme-day", "branch-meeting", "committee", "group-meeting", "lesson", "oath", "other"]

    public init(
        id: SessionID, branch: BranchID, title: String, kind: String = "branch-meeting",
        scheduledStart: Instant, graceSeconds: Int = SessionSetup.defaultGraceSeconds,
        rules: VotingRules = .branchWork, text: SharedText? = nil, organisation: OrganisationID? = nil
    ) {
        self.id = id
        self.branch = branch
        self.title = title
        self.kind = kind
        self.scheduledStart = scheduledStart
        self.graceSeconds = graceSeconds
        self.rules = rules
        self.text = text
        self.organisation = organisation
    }
}

/// A text read together: a title and its lines.
public struct SharedText: Codable, Sendable, Hashable {
    public var title: String
    public var lines: [String]

    public init(title: String, lines: [String]) {
        self.title = title
        self.lines = lines
    }

    /// A text within the limits everyone can read on a phone: title and lines
    /// trimmed, blank lines dropped, 1–1000 lines of at most 500 characters.
    /// The one check for a text, whether set live or planned with a session.
    public static func checked(title: String, lines: [String]) throws(CommandError) -> SharedText {
        let title = title.trimmingWhitespace()
        guard !title.isEmpty else { throw .badRequest("the title is empty") }
        guard title.count <= FieldLimits.title else {
            throw .tooLarge("the title is longer than \(FieldLimits.title) characters")
        }
        let kept = lines.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        guard FieldLimits.lines.contains(kept.count) else {
            throw kept.isEmpty ? .badRequest("the text has no lines") : .tooLarge("the text has more than 1000 lines")
        }
        guard kept.allSatisfy({ $0.count <= FieldLimits.line }) else {
            throw .tooLarge("a line is longer than \(FieldLimits.line) characters")
        }
        return SharedText(title: title, lines: kept)
    }

    /// Splits pasted text into lines, dropping blank ones.
    public init(title: String, pasted: String) {
        self.title = title
        self.lines = pasted.split(whereSeparator: \.isNewline)
            .map { $0.trimmingWhitespace() }
            .filter { !$0.isEmpty }
    }

    /// The oath taken on joining the Communist Party of China (Constitution, Article 6).
    public static let partyOath = SharedText(
        title: "入党誓词",
        lines: [
            "我志愿加入中国共产党，",
            "拥护党的纲领，",
            "遵守党的章程，",
            "履行党员义务，",
            "执行党的决定，",
            "严守党的纪律，",
            "保守党的秘密，",
            "对党忠诚，",
            "积极工作，",
            "为共产主义奋斗终身，",
            "随时准备为党和人民牺牲一切，",
            "永不叛党。",
        ])
}

extension StringProtocol {
    /// The text without leading or trailing spaces, tabs or newlines (full-width spaces included).
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}

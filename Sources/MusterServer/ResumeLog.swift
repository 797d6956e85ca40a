import MusterCore

/// The last events of a session, as frames, for clients that resume with
/// `since`: a ring of at most `capacity` events. A client further behind
/// gets a full welcome instead; memory per session stays bounded however
/// long the meeting runs.
struct ResumeLog {
    let capacity: Int
    private var ring: [EventFrames] = []
    /// Index in `ring` of the oldest event kept, once the ring is full.
    private var oldest = 0
    /// The seq of the last event appended (0: none).
    private(set) var lastSeq = 0

    /// - Parameter seq: the seq of the event before the first one appended.
    init(capacity: Int, after seq: Int = 0) {
        precondition(capacity > 0, "a resume log keeps at least one event")
        self.capacity = capacity
        lastSeq = seq
        ring.reserveCapacity(min(capacity, 1024))
    }

    /// The seq of the oldest event kept.
    var firstSeq: Int { lastSeq - ring.count + 1 }

    var count: Int { ring.count }

    /// Appends the next event's frames (its seq is `lastSeq + 1`), dropping the oldest when full.
    mutating func append(_ frames: EventFrames) {
        lastSeq += 1
        if ring.count < capacity {
            ring.append(frames)
        } else {
            ring[oldest] = frames
            oldest = (oldest + 1) % capacity
        }
    }

    /// The frames after `since` for `viewer`, or nil when they are not all
    /// kept; `counted` names the members whose events were left out (the
    /// viewer gets those as counts).
    func frames(after since: Int, for viewer: Viewer) -> (frames: [Frame], counted: Set<MemberID>)? {
        guard since >= 0, since <= lastSeq, since + 1 >= firstSeq else { return nil }
        var frames: [Frame] = []
        var counted: Set<MemberID> = []
        for seq in ((since + 1)...max(since + 1, lastSeq)).prefix(lastSeq - since) {
            let event = self[seq]
            if let frame = event.frame(for: viewer) {
                frames.append(frame)
            } else if let member = event.concerning {
                counted.insert(member)
            }
        }
        return (frames, counted)
    }

    /// Changes a kept event's frames (a post hidden after it was added); no-op if it is gone.
    mutating func update(seq: Int, _ change: (inout EventFrames) -> Void) {
        guard seq >= firstSeq, seq <= lastSeq else { return }
        change(&ring[index(of: seq)])
    }

    private subscript(seq: Int) -> EventFrames { ring[index(of: seq)] }

    private func index(of seq: Int) -> Int { (oldest + (seq - firstSeq)) % ring.count }
}

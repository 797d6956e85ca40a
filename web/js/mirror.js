// The page's copy of the session: `welcome.state`, kept current event by
// event. It decides nothing: attendance lines and the quorum come with the
// events; members get others' arrivals as `counts` (docs/protocol.md).

export class Mirror {
  constructor() {
    this.you = null;
    this.seq = null;
    this.state = null;
    /** Server time minus this device's time, from the latest event (for countdowns). */
    this.skew = 0;
  }

  /**
   * Takes any frame from the server. Returns false when an event was out of
   * step: the copy is dropped, and the caller reconnects for a full picture.
   */
  receive(message) {
    if (message.type === 'welcome') this.welcome(message);
    if (message.type === 'counts') return this.counts(message);
    if (message.type === 'unsupported') {
      this.unsupported = { ...this.unsupported, [message.member]: { name: message.name, browser: message.browser } };
      return true;
    }
    if (message.type !== 'event') return true;
    this.skew = Date.parse(message.at) - Date.now();
    if (this.event(message)) return true;
    this.seq = null;
    this.state = null;
    return false;
  }

  welcome(message) {
    this.you = message.you;
    /** Hosts: the big screen's watch-only credential. */
    if (message.screen) this.screen = message.screen;
    /** Hosts: members whose browser cannot run the page, with the browser. */
    this.unsupported = {};
    for (const report of message.unsupported || []) this.unsupported[report.member] = report;
    if (!message.resumed || !this.state || this.state.session.id !== message.session) {
      this.state = message.state;
      this.index();
    }
    this.seq = message.seq;
  }

  /**
   * Applies one `event` frame. Returns false if it was out of step (not
   * after the last one: counted events are skipped, so seqs are not dense).
   */
  event(message) {
    if (!this.state || message.seq <= this.seq) return false;
    this.seq = message.seq;
    const s = this.state;
    const e = message.event;
    const at = message.at;
    s.quorum = message.quorum;
    if (message.names) s.names = { ...s.names, ...message.names };
    if (message.attendance) {
      if (e.kind === 'session.opened') {
        s.roster = message.attendance;
        this.index();
      } else {
        this.replaceLines(message.attendance);
      }
    }
    if (message.session) s.session = message.session;  // phase, times and lock, as the server has them
    switch (e.kind) {
      case 'rollcall.started': {
        const call = { rollcall: e.rollcall, startedAt: at, closesAt: e.closesAt, answered: [], answeredCount: 0 };
        s.rollcall = call;
        s.rollcalls.push({ ...call, answered: [] });
        break;
      }
      case 'rollcall.answered':
        for (const call of this.calls(e.rollcall)) { call.answered.push(e.member); call.answeredCount += 1; }
        break;
      case 'rollcall.closed': {
        s.rollcall = null;
        const call = s.rollcalls.find((r) => r.rollcall === e.rollcall);
        if (call) {
          Object.assign(call, {
            closedAt: at, answered: e.answered, missing: e.missing,
            answeredCount: e.answeredCount ?? e.answered.length, missingCount: e.missingCount ?? e.missing.length,
          });
        }
        break;
      }
      case 'text.set': s.text = { title: e.title, lines: e.lines, current: 0 }; break;
      case 'text.advanced': if (s.text) s.text.current = e.line; break;
      case 'thread.opened': s.threads.push({ thread: e.thread, title: e.title, by: e.by, at }); break;
      case 'post.added':
        s.posts.push({ post: e.post, thread: e.thread, by: e.by, body: e.body, replyTo: e.replyTo ?? null, at, hidden: e.hidden ?? false });
        break;
      case 'post.hidden': {
        const post = s.posts.find((p) => p.post === e.post);
        if (post) {
          post.hidden = true;
          if (this.you?.role !== 'host') delete post.body;
        }
        break;
      }
      case 'vote.opened':
        s.votes.push({
          vote: e.vote, question: e.question, options: e.options, secret: e.secret, openedAt: at,
          expected: e.expected, present: e.present, threshold: e.threshold, voters: [], cast: 0,
          choices: e.secret ? undefined : {}, result: null,
        });
        break;
      case 'vote.cast': {
        const vote = s.votes.find((v) => v.vote === e.vote);
        if (vote) {
          vote.voters.push(e.member);
          vote.cast += 1;
          if (e.choice !== undefined && vote.choices) vote.choices[e.member] = e.choice;
        }
        break;
      }
      case 'vote.closed': {
        const vote = s.votes.find((v) => v.vote === e.vote);
        if (vote) { const { kind, ...result } = e; vote.result = result; }
        break;
      }
      case 'vote.voided': {
        const vote = s.votes.find((v) => v.vote === e.vote);
        if (vote) vote.void = e.reason;
        break;
      }
      case 'member.joined': case 'member.left': case 'member.onsite': case 'member.excused': case 'member.moved':
        break;  // their attendance lines came with the event
      default:
        // A session's own events bring its fields in `message.session` (above); another kind
        // this page does not know: start again from a full picture.
        return e.kind.startsWith('session.');
    }
    return true;
  }

  /** Roll call `id`, open and in the list (the welcome sends it as two objects). */
  calls(id) {
    const s = this.state;
    return [s.rollcall, s.rollcalls.find((r) => r.rollcall === id)].filter((call) => call?.rollcall === id);
  }

  /** Replaces only the lines sent; the rest stay the same objects, and are not redrawn. */
  replaceLines(lines) {
    for (const line of lines) {
      const at = this.rows.get(line.member);
      if (at !== undefined) this.state.roster[at] = line;
    }
  }

  /** Counts of events not sent one by one, as of `seq` (hosts: with the changed lines). */
  counts(message) {
    const s = this.state;
    if (!s || message.seq < this.seq) return false;
    this.seq = message.seq;
    s.quorum = message.quorum;
    if (message.attendance) this.replaceLines(message.attendance);
    if (message.rollcall) {
      for (const call of this.calls(message.rollcall.rollcall)) call.answeredCount = message.rollcall.answeredCount;
    }
    if (message.vote) {
      const vote = s.votes.find((v) => v.vote === message.vote.vote);
      if (vote) vote.cast = message.vote.cast;
    }
    return true;
  }

  /** Where each member's line is in the roster. */
  index() {
    this.rows = new Map((this.state?.roster ?? []).map((line, i) => [line.member, i]));
  }

  line(member) {
    const at = this.rows?.get(member);
    return at === undefined ? null : this.state.roster[at];
  }

  name(member) {
    return this.line(member)?.name ?? this.state?.names?.[member] ?? member;
  }

  mine() {
    return this.line(this.you?.member);
  }

  openVote() {
    const votes = this.state ? this.state.votes : [];
    const last = votes[votes.length - 1];
    return last && !last.result && !last.void ? last : null;
  }
}

// The connection (docs/protocol.md): reconnects with backoff and `since`; an
// outbox keeps a tap made offline until answered (a resend is known by its id).

export class Connection {
  /**
   * @param {object} options
   * @param {string} options.token  the link's token
   * @param {string} [options.session]
   * @param {boolean} [options.watch]  a screen that should not count as a device
   * @param {(message: object) => void} options.onMessage  every frame from the server
   * @param {(status: string) => void} options.onStatus  'connecting' | 'online' | 'offline'
   * @param {() => number|null} options.lastSeq  the last seq applied, for resuming
   * @param {(dropped: object[]) => void} [options.onDropped]  taps dropped as made for what is over
   * @param {(message: object) => boolean} [options.isStale]  after a welcome: is a waiting tap for what is over?
   */
  constructor(options) {
    this.options = options;
    this.socket = null;
    this.welcomed = false;
    this.attempt = 0;
    this.stopped = false;
    this.storageKey = 'muster.outbox.' + options.token.slice(0, 8);
    // Sent the roster: compressed (docs/protocol.md).
    this.packKey = 'muster.compress.' + options.token.slice(0, 8);
    this.outbox = JSON.parse(localStorage.getItem(this.storageKey) || '[]');
    this.counter = 0;
    /** The last welcome's session: every command is bound to it. */
    this.session = null;
    addEventListener('online', () => this.reconnectNow());
    addEventListener('offline', () => this.drop());
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && !this.socket) this.reconnectNow();
    });
  }

  start() { this.connect(); }

  get pending() { return this.outbox.length; }

  /** Sends a command now, or as soon as the connection is back. Returns its id. */
  send(cmd, fields = {}) {
    const id = `${Date.now().toString(36)}-${(++this.counter).toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
    const message = { type: 'cmd', id, cmd, session: this.session, ...fields };
    this.outbox.push(message);
    this.save();
    if (this.welcomed) this.socket.send(JSON.stringify(message));
    this.options.onStatus(this.status());
    return id;
  }

  status() {
    if (this.welcomed) return 'online';
    return this.attempt === 0 ? 'connecting' : 'offline';
  }

  connect() {
    if (this.stopped || this.socket) return;
    if (navigator.onLine === false) { this.retryLater(); return; }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const pack = this.options.watch || this.packed || localStorage.getItem(this.packKey) ? '?compress' : '';
    const socket = new WebSocket(`${scheme}//${location.host}/ws${pack}`);
    this.socket = socket;
    socket.onopen = () => {
      const hello = { type: 'hello', token: this.options.token };
      // A resume is only ever into the session this page was following.
      const session = this.session ?? this.options.session;
      if (session) hello.session = session;
      if (this.options.watch) hello.watch = true;
      if (!pack) hello.canCompress = true;
      const since = this.options.lastSeq();
      if (session && since !== null && since !== undefined) hello.since = since;
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = (frame) => {
      let message;
      try { message = JSON.parse(frame.data); } catch { return; }
      if (message.type === 'compress') {
        this.packed = this.again = true;
        localStorage.setItem(this.packKey, 1);
        return;
      }
      if (message.type === 'welcome') {
        this.welcomed = true;
        this.attempt = 0;
        if (message.you?.role === 'host') localStorage.setItem(this.packKey, 1);
        else localStorage.removeItem(this.packKey);
        this.session = message.session;
        this.options.onMessage(message);
        this.dropStale(message.session);
        for (const waiting of this.outbox) socket.send(JSON.stringify(waiting));
        this.options.onStatus('online');
        return;
      }
      if ((message.type === 'ack' || message.type === 'error') && message.id) {
        this.outbox = this.outbox.filter((m) => m.id !== message.id);
        this.save();
      }
      if (message.type === 'error' && !message.id && ['unauthorized', 'not_found', 'forbidden'].includes(message.code) && !this.welcomed) {
        this.stopped = true;
      }
      this.options.onMessage(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.welcomed = false;
      if (!this.again) return this.retryLater();
      this.again = false;
      this.connect();
    };
  }

  /** Drops, and reports, taps made for another session or a roll call now over. */
  dropStale(session) {
    const isStale = this.options.isStale ?? (() => false);
    const dropped = this.outbox.filter((m) => (m.session && m.session !== session) || isStale(m));
    if (!dropped.length) return;
    this.outbox = this.outbox.filter((m) => !dropped.includes(m));
    this.save();
    this.options.onDropped?.(dropped);
  }

  /** The network went away: stop trusting the socket, keep taps in the outbox. */
  drop() {
    if (!this.socket) return;
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    socket.onclose = null;
    socket.close();
    this.retryLater();
  }

  retryLater() {
    if (this.stopped) return;
    this.attempt += 1;
    this.options.onStatus('offline');
    // 0.5 s, 1 s, 2 s … up to 10 s, with jitter so a village's phones do not all return at once.
    const delay = Math.min(10000, 500 * 2 ** Math.min(this.attempt - 1, 5)) * (0.75 + Math.random() / 2);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    clearTimeout(this.timer);
    if (!this.socket) this.connect();
  }

  save() { localStorage.setItem(this.storageKey, JSON.stringify(this.outbox)); }
}

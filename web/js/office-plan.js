// A planned session changed or called off from the office page, and times in
// the branch's zone. The change goes as the meeting's own command
// (session.replan, session.cancel: docs/protocol.md), sent by the secretary
// as a watching host, so every page already open on the session shows it.

/** Milliseconds `zone`'s clocks are ahead of UTC at `date`. */
function zoneOffset(zone, date) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(date);
  const p = Object.fromEntries(parts.map((part) => [part.type, Number(part.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - date.getTime();
}

/** `2030-12-01T19:30`, read on the branch's clocks, as an instant (ISO, UTC). */
export function instantOf(local, zone) {
  const guess = Date.parse(`${local}:00Z`);
  const first = guess - zoneOffset(zone, new Date(guess));
  return new Date(guess - zoneOffset(zone, new Date(first))).toISOString();
}

/** An instant as the branch's clocks show it, for a `datetime-local` field. */
export function localOf(iso, zone) {
  const at = new Date(iso);
  return new Date(at.getTime() + zoneOffset(zone, at)).toISOString().slice(0, 16);
}

/** Sends one command to `session` as its host, watching (not counted present); resolves on its ack. */
export function command(token, session, cmd, fields) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`);
    const id = `office-${Date.now()}`;
    const done = (error, answer) => {
      clearTimeout(timer);
      socket.onclose = null;
      socket.close();
      if (error) reject(error); else resolve(answer);
    };
    const timer = setTimeout(() => done(new Error('timeout')), 10000);
    socket.onopen = () => socket.send(JSON.stringify({ type: 'hello', token, session, watch: true }));
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'welcome') socket.send(JSON.stringify({ type: 'cmd', id, session, cmd, ...fields }));
      else if (message.type === 'ack' && message.id === id) done(null, message);
      else if (message.type === 'error' && (message.id === id || !message.id)) done(new Error(message.message || message.code));
    };
    socket.onclose = () => done(new Error('closed'));
  });
}

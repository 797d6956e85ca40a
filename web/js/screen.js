// The big screen for the projector: no controls, large type, readable from
// the back of the room. Opened from the console with a watch-only credential
// (`w.…`): it follows the session and can do nothing else.

import { Connection } from './connection.js';
import { Mirror } from './mirror.js';
import { t, lang, setLang, languageReady } from './i18n.js';
import { html, raw, patch } from './view.js';
import { secondsLeft, resultLine } from './member.js';

const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('t');
if (params.get('lang')) setLang(params.get('lang')).then(() => draw());
const root = document.getElementById('screen');
const mirror = new Mirror();
let status = 'connecting';

/** The QR code of the page's address, made once: the address does not change. */
function qr() {
  if (qr.markup) return qr.markup;
  const address = `${location.origin}/`;
  if (typeof globalThis.qrcode !== 'function') return html`<p class="address">${address}</p>`;
  const code = globalThis.qrcode(0, 'M');
  code.addData(address);
  code.make();
  qr.markup = html`<div class="qr" data-testid="screen-qr">${raw(code.createSvgTag({ cellSize: 6, margin: 2, scalable: true }))}</div><p class="address">${address}</p>`;
  return qr.markup;
}

function draw() {
  const s = mirror.state;
  if (!s) { patch(root, html`<p class="waiting" data-testid="connection-status" data-status="${status}">${t(status)}</p>`); return; }
  const text = s.text;
  const call = s.rollcall;
  const vote = s.votes[s.votes.length - 1];
  patch(root, html`
    <header><h1>${s.session.title}</h1><span class="status ${status}" data-testid="connection-status" data-status="${status}">${t(status)}</span></header>
    <div class="stage">
      <p class="line" data-testid="current-line">${text ? text.lines[text.current] : ''}</p>
      <p class="next">${text?.lines[text.current + 1] ?? ''}</p>
    </div>
    <footer>
      <div class="count" data-key="quorum" data-testid="screen-quorum"><b>${s.quorum.present}<small> / ${s.quorum.expected}</small></b><span>${t('present')} / ${t('expected')}</span></div>
      ${call ? html`<div class="count" data-key="rollcall" data-testid="screen-rollcall"><b data-countdown>${secondsLeft(call, mirror.skew)}</b><span>${t('rollcall')} · ${call.answeredCount} ${t('answered')}</span></div>` : ''}
      ${vote ? html`<div class="vote" data-key="vote">${vote.question}${vote.result ? raw(resultLine(vote.result)) : html`<p>${vote.cast} / ${vote.present}</p>`}</div>` : ''}
      <div class="join" data-key="join">${raw(qr())}<span>${t('scanToJoin')}</span></div>
    </footer>`);
}

let scheduled = false;
/** Draws once per animation frame however many messages arrive in it. */
function render() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => { scheduled = false; draw(); });
}

if (token) {
  const connection = new Connection({
    token, watch: true, lastSeq: () => mirror.seq,
    onStatus: (next) => { status = next; render(); },
    onMessage: (message) => {
      if (!mirror.receive(message)) connection.drop();
      render();
    },
  });
  connection.start();
}
setInterval(() => {
  const call = mirror.state?.rollcall;
  root.querySelectorAll('[data-countdown]').forEach((el) => { if (call) el.textContent = secondsLeft(call, mirror.skew); });
}, 1000);
document.documentElement.lang = lang() === 'en' ? 'en' : 'zh-CN';
languageReady.then(() => draw());
draw();

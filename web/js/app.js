// The page: member view for a member's link, the console for a secretary's.
// It renders what the server sends and keeps no rules of its own.

import { Connection } from './connection.js';
import { Mirror } from './mirror.js';
import { t, lang, setLang, bigText, setBigText, languageReady } from './i18n.js';
import { html, raw, patch, clock } from './view.js';
import * as member from './member.js';

/** The console's modules, loaded for a secretary only: a member's phone never downloads them. */
let host = null;
let drawRoster = null;
async function loadConsole() {
  if (loadConsole.started) return;
  loadConsole.started = true;
  [host, { drawRoster }] = await Promise.all([import('./console.js'), import('./roster.js')]);
  render();
}

// The modules loaded and ran: from here on an error is a bug, not a browser too old (see guard.js).
if (window.musterStarted) window.musterStarted();

const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('t');
const root = document.getElementById('app');
const mirror = new Mirror();
let status = 'connecting';
let syncedAt = null;
let notice = null;
/** The server's word on saving (hosts only): set while commits fail. */
let saveTrouble = null;
let connection = null;

function draw() {
  const s = mirror.state;
  const isHost = mirror.you?.role === 'host';
  document.title = s ? `${s.session.title} · Muster` : 'Muster';
  const header = html`<header class="bar">
    <div class="title">${s ? s.session.title : 'Muster'} ${s ? html`<span class="phase ${s.session.phase}">${t('phase_' + s.session.phase)}</span>` : ''}</div>
    <div class="tools"><span class="status ${status}" data-testid="connection-status" data-status="${status}">${t(status)}</span>
    <button class="lang" data-action="big" data-testid="big-switch" aria-pressed="${bigText()}">${t(bigText() ? 'bigOff' : 'bigOn')}</button>
    <button class="lang" data-action="lang" data-testid="lang-switch">${t('lang')}</button></div></header>`;
  let body;
  if (!token) body = html`<main><p class="card">${t('noToken')}</p></main>`;
  else if (!s || (mirror.you?.role === 'host' && !host)) {
    // Refused before any welcome: say why in words a member understands.
    const why = !notice ? t('connecting') : notice.code === 'not_found' ? t('noSession') : t('err_' + notice.code);
    body = html`<main><p class="card" data-testid="refused">${why}</p></main>`;
  }
  else {
    const stale = status !== 'online';
    const pending = connection?.pending ?? 0;
    const banner = stale
      ? html`<p class="banner offline" data-key="banner">${t('stale', { time: clock(syncedAt) })}${pending ? ' · ' + t('pending', { n: pending }) : ''}</p>`
      : pending ? html`<p class="banner" data-key="banner">${t('pending', { n: pending })}</p>` : '';
    const saving = isHost && saveTrouble ? html`<p class="banner error" role="alert" data-key="saving" data-testid="save-failed">${t('saveFailed')}</p>` : '';
    const toast = notice ? html`<p class="banner error" role="alert" data-key="notice" data-testid="notice" data-code="${notice.code}" title="${notice.message}">${t('err_' + notice.code, { n: notice.n })}</p>` : '';
    const outbox = connection?.outbox ?? [];
    const shared = [member.textSection(mirror, { big: !isHost }), member.rollcallSection(mirror, mirror.skew, outbox), member.voteSection(mirror, outbox)];
    const columns = isHost
      ? html`<div class="cols"><div>${raw(host.controls(mirror))}${raw(member.textSection(mirror))}${raw(host.textControls(mirror))}
            ${raw(host.rollcallControls(mirror, mirror.skew))}${raw(host.voteControls(mirror))}${raw(member.voteSection(mirror, outbox))}
            ${raw(host.threadControls(mirror))}${raw(member.threadsSection(mirror, { host: true }))}</div>
          <div>${raw(host.unsupportedSection(mirror))}${raw(host.rosterSection(mirror))}${raw(host.exportLinks())}</div></div>`
      : html`${s.session.cancelReason ? html`<p class="card" data-testid="cancelled">${t('cancelled', { r: s.session.cancelReason })}</p>` : ''}${shared.map(raw)}${raw(member.mySection(mirror))}${raw(member.threadsSection(mirror))}`;
    body = html`<main class="${stale ? 'stale' : ''} ${isHost ? 'host' : 'member'}">${raw(banner)}${raw(saving)}${raw(toast)}${raw(columns)}</main>`;
  }
  patch(root, header + body);
  const tbody = root.querySelector('[data-island=roster]');
  if (tbody && s && drawRoster) {
    const started = performance.now();
    const filter = root.querySelector('[data-keep=roster-filter]')?.value.trim() ?? '';
    const live = s.session.phase === 'open' || s.session.phase === 'started';
    drawRoster(tbody, s.roster, { live, filter, language: lang() });
    timing.roster = Math.max(timing.roster, performance.now() - started);
  }
}

/** The longest draw so far and its roster part, in ms (read by `bench/console.py`). */
const timing = { draws: 0, longest: 0, roster: 0 };
globalThis.musterTiming = timing;

let scheduled = false;
/** Draws once per animation frame however many messages arrive in it. */
function render() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    const started = performance.now();
    draw();
    timing.draws += 1;
    timing.longest = Math.max(timing.longest, performance.now() - started);
  });
}

function onMessage(message) {
  if (!mirror.receive(message)) connection.drop();  // out of step: start again from a full picture
  switch (message.type) {
    case 'welcome':
      if (notice?.code !== 'stale_taps') notice = null;
      if (message.you.role === 'host') loadConsole();
      break;
    case 'notice':
      saveTrouble = message.code === 'save_failed' ? message : null;
      break;
    case 'error':
      notice = message;
      clearTimeout(onMessage.timer);
      onMessage.timer = setTimeout(() => { notice = null; render(); }, 6000);
      break;
    default: break;
  }
  render();
}

function onStatus(next) {
  if (next === 'online') syncedAt = new Date().toISOString();
  if (status === 'online' && next !== 'online') syncedAt = new Date().toISOString();
  status = next;
  render();
}

function send(cmd, fields) {
  connection.send(cmd, fields);
  render();
}

root.addEventListener('click', async (event) => {
  const target = event.target.closest('[data-action], [data-reply]');
  if (!target) return;
  if (target.dataset.reply) {
    const form = root.querySelector(`form[data-thread="${target.dataset.thread}"]`);
    form.elements.replyTo.value = target.dataset.reply;
    form.elements.body.focus();
    return;
  }
  const d = target.dataset;
  const s = mirror.state;
  switch (d.action) {
    case 'lang': setLang(lang() === 'zh' ? 'en' : 'zh').then(render); render(); break;
    case 'big': setBigText(!bigText()); render(); break;
    case 'rollcall.answer': if (s.rollcall) send('rollcall.answer', { rollcall: s.rollcall.rollcall }); break;
    case 'vote.cast': send('vote.cast', { vote: d.vote, choice: d.choice }); break;
    case 'post.hide': send('post.hide', { post: d.post }); break;
    case 'session.open': case 'session.start': case 'rollcall.close': send(d.action); break;
    case 'session.lock': send('session.lock', { locked: d.locked === 'true' }); break;
    case 'session.end': if (confirm(t('confirmEnd'))) send('session.end'); break;
    case 'vote.close': send('vote.close', { vote: d.vote }); break;
    case 'text.prev': step(-1); break;
    case 'text.next': step(1); break;
    case 'member.excuse': case 'session.cancel': {  // both ask why
      const reason = prompt(t(d.member ? 'excusePrompt' : 'cancelPrompt'))?.trim();
      if (reason) send(d.action, d.member ? { member: d.member, reason } : { reason });
      break;
    }
    case 'member.onsite': send('member.onsite', { member: d.member, present: target.checked }); break;
    case 'text.oath': send('text.set', { oath: true }); break;  // the server keeps the oath's words

    // The big screen gets a watch-only credential, never the secretary's own link.
    case 'screen': if (mirror.screen) open(`/screen/#t=${encodeURIComponent(mirror.screen)}`, '_blank'); break;
    case 'export':  // loaded when first asked for: the console's first load stays small
      try {
        await (await import('./files.js')).download(token, s.session.id, d.path);
      } catch (error) {
        notice = { code: error.message === '403' ? 'forbidden' : 'internal', message: '' };
        render();
      }
      break;
    default: break;
  }
});

// The city field offers the map's places (web/geo/places.tsv), loaded once it is first used.
root.addEventListener('focusin', (event) => { if (event.target.list?.id === 'places') import('./places.js').then((m) => m.offer(event.target.list)); });

root.addEventListener('input', (event) => {
  if (event.target.dataset.keep === 'roster-filter') render();
});

root.addEventListener('submit', (event) => {
  const form = event.target.closest('form[data-form]');
  if (!form) return;
  event.preventDefault();
  const f = form.elements;
  switch (form.dataset.form) {
    case 'me.city': send('me.city', { city: f.city.value.trim() }); break;
    case 'post.add': {
      const fields = { thread: form.dataset.thread, body: f.body.value.trim() };
      if (f.replyTo.value) fields.replyTo = f.replyTo.value;
      send('post.add', fields);
      break;
    }
    case 'rollcall.start': send('rollcall.start', { seconds: Number(f.seconds.value) }); break;
    case 'text.set': send('text.set', { title: f.title.value.trim(), lines: f.lines.value.split('\n') }); break;
    case 'thread.open': send('thread.open', { title: f.title.value.trim() }); break;
    case 'vote.open': send('vote.open', { question: f.question.value.trim(), secret: f.secret.checked }); break;
    default: return;
  }
  form.querySelectorAll('[data-keep]').forEach((input) => {
    if (input.type !== 'number' && input.type !== 'checkbox') input.value = '';
  });
});

function step(delta) {
  const text = mirror.state?.text;
  if (!text) return;
  const line = text.current + delta;
  if (line >= 0 && line < text.lines.length) send('text.advance', { line });
}

addEventListener('keydown', (event) => {
  if (mirror.you?.role !== 'host' || ['INPUT', 'TEXTAREA'].includes(document.activeElement?.tagName)) return;
  if (event.key === 'ArrowRight' || event.key === 'ArrowDown' || event.key === 'PageDown') { step(1); event.preventDefault(); }
  if (event.key === 'ArrowLeft' || event.key === 'ArrowUp' || event.key === 'PageUp') { step(-1); event.preventDefault(); }
});

languageReady.then(render);

setInterval(() => {
  const call = mirror.state?.rollcall;
  if (!call) return;
  root.querySelectorAll('[data-countdown]').forEach((el) => {
    el.textContent = t('secondsLeft', { s: member.secondsLeft(call, mirror.skew) });
  });
}, 1000);

if (token) {
  connection = new Connection({
    token, session: params.get('s') || undefined, onMessage, onStatus, lastSeq: () => mirror.seq,
    // A 到 for a roll call closed since (a reload, a fresh welcome).
    isStale: (m) => m.cmd === 'rollcall.answer' && mirror.state && mirror.state.rollcall?.rollcall !== m.rollcall,
    onDropped: (dropped) => {
      notice = { code: 'stale_taps', message: '', n: dropped.length };
      clearTimeout(onMessage.timer);
      onMessage.timer = setTimeout(() => { notice = null; render(); }, 10000);
      render();
    },
  });
  connection.start();
}
draw();
// Another link opened in the same tab means another person or session: start afresh.
addEventListener('hashchange', () => location.reload());

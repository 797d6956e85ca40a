// The branch office, for a secretary's link (/office/): the sessions planned,
// live and past (with their sheets), planning one, the roster, members' links
// (copy, QR, printable slips) and the log of changes. At /me/, for any
// member: their own record, session by session. It speaks the office API
// (docs/http-api.md) and renders what the server answers.

import { lang, setLang, languageReady } from './i18n.js';
import { html, raw, patch } from './view.js';
import { words } from './office-words.js';
import { command, instantOf, localOf } from './office-plan.js';
import { download, readText } from './files.js';

const KINDS = ['theme-day', 'branch-meeting', 'committee', 'group-meeting', 'lesson', 'oath', 'other'];
const STATUSES = ['full', 'probationary', 'guest'];

function w(key, values = {}) {
  const phrase = words[lang()][key] ?? words.zh[key] ?? key;
  return phrase.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

const token = new URLSearchParams(location.hash.slice(1)).get('t');
const root = document.getElementById('office');
/** /me/: a member's own record rather than the office. */
const mine = location.pathname.startsWith('/me');
let home = null;
/** The member's own record (/me/). */
let record = null;
let changes = [];
/** Links just issued: their tokens exist only here, until this page closes. */
let issued = [];
/** A roster file checked by the server and not yet imported: its bytes and rows. */
let pending = null;
let editing = null;
/** The planned session being changed here. */
let replanning = null;
let message = null;

async function api(method, path, { json, file } = {}) {
  const headers = { Authorization: `Bearer ${token}` };
  let body;
  if (file) { body = file; headers['Content-Type'] = 'text/csv'; }
  else if (json) { body = JSON.stringify(json); headers['Content-Type'] = 'application/json'; }
  else if (method === 'POST') body = '';
  const response = await fetch(`/api/${path}`, { method, headers, body });
  const answer = await response.json().catch(() => ({ error: `${response.status}` }));
  if (!response.ok) throw new Error(answer.error);
  return answer;
}

/** Loads the branch again after a change, and says how it went. */
async function act(work, success) {
  try {
    const result = await work();
    message = success ? { ok: true, text: success(result) } : null;
    await load();
  } catch (error) {
    message = { ok: false, text: error.message };
    draw();
  }
}

async function load() {
  if (mine) record = await api('GET', 'me');
  else {
    [home, changes] = await Promise.all([api('GET', 'branch'), api('GET', 'audit')]);
    // A secretary: the console opened from here is sent the roster, compressed from its first visit (connection.js).
    localStorage.setItem('muster.compress.' + token.slice(0, 8), 1);
  }
  draw();
}

/** A time in the branch's zone, as the office reads it. */
function when(iso) {
  return new Intl.DateTimeFormat(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: (home || record).branch.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(new Date(iso));
}

const linkOf = (t) => `${location.origin}/#t=${t}`;
const kindName = (kind) => w('kind_' + kind.replace(/-/g, '_'));
const options = (values, label, chosen) => values.map((v) => html`<option value="${v}" ${v === chosen ? 'selected' : ''}>${label(v)}</option>`);

function sessionsCard() {
  const rows = home.sessions.map((s) => html`<tr data-key="s-${s.id}" data-session="${s.id}">
    <td><b>${s.title}</b><br><span class="small muted">${kindName(s.kind)} · ${when(s.startsAt)}${s.lesson ? ` · ${w('lesson')}` : ''}</span></td>
    <td><span class="phase ${s.phase}">${w('phase_' + s.phase)}</span>${s.cancelReason ? html`<br><span class="small">${s.cancelReason}</span>` : ''}</td>
    <td class="actions">${s.phase === 'cancelled' ? '' : s.hostBranch !== home.branch.id
      ? (s.phase === 'ended' ? html`<button class="small" data-action="export" data-path="attendance.csv" data-session="${s.id}" data-testid="export-csv">${w('csv')}</button>
        <button class="small" data-action="export" data-path="attendance.xlsx" data-session="${s.id}" data-testid="export-xlsx">${w('xlsx')}</button>` : '')
      : s.phase === 'ended'
      ? html`<button class="small" data-action="export" data-path="minutes.html" data-session="${s.id}">${w('minutes')}</button>
        <button class="small" data-action="export" data-path="attendance.csv" data-session="${s.id}" data-testid="export-csv">${w('csv')}</button>
        <button class="small" data-action="export" data-path="attendance.xlsx" data-session="${s.id}" data-testid="export-xlsx">${w('xlsx')}</button>`
      : html`<a href="/#t=${token}&s=${s.id}">${w('current')}</a>${s.phase === 'planned' ? html`
        <button class="small" data-action="replan" data-session="${s.id}" data-testid="replan">${w('replan')}</button>
        <button class="small" data-action="cancel" data-session="${s.id}" data-testid="cancel">${w('cancelIt')}</button>` : ''}`}</td></tr>
    ${replanning === s.id ? html`<tr data-key="e-${s.id}"><td colspan="3"><form class="grid" data-form="replan" data-session="${s.id}" data-testid="replan-form">
      <label>${w('sTitle')}<input data-keep name="title" value="${s.title}" required maxlength="200"></label>
      <label>${w('kind')}<select data-keep name="kind">${options(KINDS, kindName, s.kind)}</select></label>
      <label>${w('starts', { z: home.branch.timeZone })}<input data-keep name="startsAt" type="datetime-local" value="${localOf(s.startsAt, home.branch.timeZone)}" required></label>
      <div class="actions"><button class="small">${w('save')}</button><button class="small" type="button" data-action="replan-cancel">${w('cancel')}</button></div>
      </form></td></tr>` : ''}`);
  return html`<section class="card" data-key="sessions" data-testid="office-sessions"><h2>${w('sessions')}</h2>
    ${rows.length ? html`<table><tbody>${rows}</tbody></table>` : html`<p class="muted">${w('none')}</p>`}</section>`;
}

function planCard() {
  return html`<section class="card" data-key="plan"><h2>${w('plan')}</h2>
    <form class="grid" data-form="plan" data-testid="plan-form">
      <label>${w('sTitle')}<input data-keep name="title" required maxlength="200"></label>
      <label>${w('kind')}<select data-keep name="kind">${options(KINDS, kindName, 'theme-day')}</select></label>
      <label>${w('starts', { z: home.branch.timeZone })}<input data-keep name="startsAt" type="datetime-local" required></label>
      <label>${w('text')}<select data-keep name="text">${options(['none', 'oath', 'paste'], (v) => w({ none: 'textNone', oath: 'textOath', paste: 'textPaste' }[v]), 'none')}</select></label>
      <label>${w('textFile')}<input data-keep name="file" type="file" accept=".txt,text/plain"></label>
      <label>${w('textTitle')}<input data-keep name="textTitle" maxlength="200"></label>
      <label class="wide">${w('textBody')}<textarea data-keep name="textBody" rows="3"></textarea></label>
      <button data-testid="plan-submit">${w('planIt')}</button></form></section>`;
}

function memberRow(m) {
  if (editing === m.id) {
    return html`<tr data-key="m-${m.id}"><td colspan="4"><form class="grid" data-form="edit" data-member="${m.id}">
      <input data-keep name="name" value="${m.name}" required><select data-keep name="status">${options(STATUSES, w, m.status)}</select>
      <input data-keep name="city" value="${m.city ?? ''}" placeholder="${w('city')}">
      <input data-keep name="phone" type="tel" value="${m.phone ?? ''}" placeholder="${w('phone')}">
      <div class="actions"><button class="small">${w('save')}</button><button class="small" type="button" data-action="edit-cancel">${w('cancel')}</button>
      ${['transferred', 'deceased'].map((r) => html`<button class="small" type="button" data-action="leave" data-reason="${r}" data-member="${m.id}" data-name="${m.name}" data-testid="leave-${r}">${w(r)}</button>`)}</div>
      </form></td></tr>`;
  }
  return html`<tr data-key="m-${m.id}" data-member="${m.id}"><td>${m.name}${m.secretary ? html` <span class="badge">${w('secretary')}</span>` : ''}
    ${m.linkOpened ? '' : html`<br><span class="badge unopened" data-testid="unopened">${w('unopened')}</span>`}</td>
    <td>${w(m.status)}</td><td>${m.city ?? ''}${m.phone ? html`<br><span class="small muted">${m.phone}</span>` : ''}</td>
    <td class="actions"><button class="small" data-action="edit" data-member="${m.id}">${w('edit')}</button>
    <button class="small" data-action="relink" data-member="${m.id}" data-name="${m.name}" data-testid="relink">${w('relink')}</button></td></tr>`;
}

function rosterCard() {
  const preview = pending && html`<div data-testid="roster-preview"><p>${w('previewOf', {
    n: pending.rows.length, a: pending.rows[0]?.line ?? '', b: pending.rows[pending.rows.length - 1]?.line ?? '', e: pending.encoding })}</p>
    <table><tbody>${pending.rows.map((r) => html`<tr><td class="muted">${r.line}</td><td>${r.name}</td><td>${w(r.status)}</td><td>${r.city ?? ''}</td></tr>`)}</tbody></table>
    <div class="actions"><button data-action="import" data-testid="import-confirm">${w('importIt', { n: pending.rows.length })}</button>
    <button data-action="import-cancel">${w('cancel')}</button></div></div>`;
  const unopened = home.members.filter((m) => !m.linkOpened).length;
  return html`<section class="card" data-key="roster"><h2>${w('roster')} <span class="muted">${home.members.length}</span></h2>
    ${unopened ? html`<p class="small" data-testid="unopened-count">${w('unopenedCount', { n: unopened })}</p>` : ''}
    <form class="grid" data-form="add" data-testid="add-member">
      <label>${w('name')}<input data-keep name="name" required maxlength="200"></label>
      <label>${w('status')}<select data-keep name="status">${options(STATUSES, w, 'full')}</select></label>
      <label>${w('city')}<input data-keep name="city" maxlength="100"></label>
      <label>${w('phone')}<input data-keep name="phone" type="tel" maxlength="20"></label>
      <button>${w('add')}</button></form>
    <p><label>${w('importFile')} <input data-keep type="file" accept=".csv,text/csv" data-action-change="preview" data-testid="roster-file"></label></p>
    ${preview || ''}
    <table data-testid="roster-table"><tbody>${home.members.map(memberRow)}</tbody></table>
    ${home.formerMembers.length ? html`<details data-testid="former"><summary>${w('former')} <span class="muted">${home.formerMembers.length}</span></summary>
      <table><tbody>${home.formerMembers.map((m) => html`<tr data-key="f-${m.id}"><td>${m.name}</td><td>${w(m.leftReason)}</td><td class="small muted">${when(m.leftAt)}</td></tr>`)}</tbody></table></details>` : ''}</section>`;
}

/** A QR code of a member's link, drawn by Debian's QR library. */
function qr(link) {
  if (typeof globalThis.qrcode !== 'function') return '';
  const code = globalThis.qrcode(0, 'M');
  code.addData(link);
  code.make();
  return raw(code.createSvgTag({ cellSize: 4, margin: 2, scalable: true }));
}

function issuedCard() {
  if (!issued.length) return '';
  return html`<section class="card issued" data-key="issued" data-testid="issued"><h2 class="no-print">${w('issued')}</h2>
    <div class="actions no-print"><button data-action="print" data-testid="print-slips">${w('print')}</button><button data-action="issued-close">${w('close')}</button></div>
    <div class="slips">${issued.map((i) => html`<div class="slip" data-testid="slip" data-member="${i.member.id}">
      <div class="name">${i.member.name}</div><div class="qr">${qr(linkOf(i.token))}</div>
      <div class="link" data-testid="slip-link">${linkOf(i.token)}</div>
      <button class="small no-print" data-action="copy" data-link="${linkOf(i.token)}">${w('copy')}</button></div>`)}</div></section>`;
}

function logCard() {
  const names = new Map(home.members.map((m) => [m.id, m.name]));
  return html`<section class="card" data-key="log"><details><summary><b>${w('log')}</b></summary>
    <ul data-testid="audit">${changes.slice(0, 50).map((c) => html`<li><span class="small muted">${when(c.at)} · ${c.actor ? names.get(c.actor) ?? c.actor : w('cli')}</span><br>${c.detail}</li>`)}</ul></details></section>`;
}

function recordCard() {
  const items = record.sessions.map(({ session: s, attendance: a, minutes }) => html`<tr data-key="r-${s.id}" data-session="${s.id}">
    <td><b>${s.title}</b><br><span class="small muted">${kindName(s.kind)} · ${when(s.startsAt)}${s.lesson ? ` · ${w('lesson')}` : ''}</span></td>
    <td>${a ? html`<span class="badge ${a.status}">${w('st_' + a.status)}</span><br><span class="small">${w('presentMin', {
      m: Math.floor(a.secondsPresent / 60) })} · ${w('rollcalls', { a: a.rollCallsAnswered, h: a.rollCallsHeld })}</span>`
      : html`<span class="phase ${s.phase}">${w('phase_' + s.phase)}</span>`}</td>
    <td>${minutes ? html`<button class="small" data-action="export" data-path="minutes.html" data-session="${s.id}" data-testid="read-minutes">${w('minutesRead')}</button>` : ''}</td></tr>`);
  return html`<section class="card" data-key="record" data-testid="my-record"><h2>${w('myTitle')}</h2>
    ${items.length ? html`<table><tbody>${items}</tbody></table>` : html`<p class="muted">${w('none')}</p>`}</section>`;
}

function draw() {
  const heading = mine ? (record ? `${record.member.name} · ${w('myTitle')}` : w('myTitle')) : `${home ? home.branch.name : 'Muster'} · ${w('title')}`;
  const bar = html`<header class="bar"><div class="title">${heading}</div>
    <div class="tools">${token && !mine ? html`<a class="lang" href="/map/#t=${token}" data-testid="office-map">${w('map')}</a>` : ''}${token ? html`<a class="lang" href="/#t=${token}">${w('back')}</a>` : ''}
    <button class="lang" data-action="lang" data-testid="lang-switch">${w('lang')}</button></div></header>`;
  let body;
  if (!token) body = html`<p class="card">${w('noToken')}</p>`;
  else if (mine && record) body = html`${recordCard()}`;
  else if (!home) body = html`<p class="card" data-testid="office-status">${message ? message.text : w('loading')}</p>`;
  else {
    const note = message && html`<p class="banner ${message.ok ? '' : 'error'}" role="alert" data-key="message" data-testid="office-message">${message.text}</p>`;
    body = html`${note || ''}${issuedCard()}<div class="cols"><div>${sessionsCard()}${planCard()}</div><div>${rosterCard()}${logCard()}</div></div>`;
  }
  document.title = `${mine ? w('myTitle') : w('title')} · Muster`;
  patch(root, html`${bar}<main class="office host">${body}</main>`);
}

root.addEventListener('click', async (event) => {
  const target = event.target.closest('[data-action]');
  if (!target) return;
  const d = target.dataset;
  switch (d.action) {
    case 'lang': await setLang(lang() === 'zh' ? 'en' : 'zh'); draw(); break;
    case 'export':
      try { await download(token, d.session, d.path); } catch (error) { message = { ok: false, text: error.message }; draw(); }
      break;
    case 'edit': editing = d.member; draw(); break;
    case 'edit-cancel': editing = null; draw(); break;
    case 'relink':
      if (confirm(w('confirmRelink', { n: d.name }))) {
        await act(async () => { issued = [await api('POST', `members/${d.member}/relink`)]; });
      }
      break;
    case 'import': {
      const file = pending.file;
      pending = null;
      await act(async () => { issued = await api('POST', 'roster', { file }); return issued.length; }, (n) => w('imported', { n }));
      break;
    }
    case 'import-cancel': pending = null; draw(); break;
    case 'replan': replanning = d.session; draw(); break;
    case 'replan-cancel': replanning = null; draw(); break;
    case 'cancel': {
      const reason = prompt(w('cancelWhy'))?.trim();
      if (reason) await act(() => command(token, d.session, 'session.cancel', { reason }), () => w('cancelledIt'));
      break;
    }
    case 'leave':
      if (confirm(w('confirmLeave', { n: d.name, r: w(d.reason) }))) {
        editing = null;
        await act(() => api('POST', `members/${d.member}/retire`, { json: { reason: d.reason } }), () => w('left', { n: d.name }));
      }
      break;
    case 'print': print(); break;
    case 'issued-close': issued = []; draw(); break;
    case 'copy':
      await navigator.clipboard?.writeText(d.link).catch(() => {});
      target.textContent = w('copied');
      break;
    default: break;
  }
});

root.addEventListener('change', async (event) => {
  const input = event.target;
  if (input.dataset.actionChange === 'preview' && input.files[0]) {
    const file = await input.files[0].arrayBuffer();
    input.value = '';
    try {
      const answer = await api('POST', 'roster?preview=1', { file });
      pending = { file, rows: answer.rows, encoding: answer.encoding };
      message = null;
    } catch (error) {
      pending = null;
      message = { ok: false, text: error.message };
    }
    draw();
  } else if (input.name === 'file' && input.files[0]) {
    const form = input.form;
    form.elements.textBody.value = await readText(input.files[0]);
    if (!form.elements.textTitle.value) form.elements.textTitle.value = input.files[0].name.replace(/\.txt$/i, '');
    form.elements.text.value = 'paste';
  }
});

root.addEventListener('submit', async (event) => {
  const form = event.target.closest('form[data-form]');
  if (!form) return;
  event.preventDefault();
  const f = form.elements;
  const clear = () => form.querySelectorAll('input:not([type=file]), textarea').forEach((input) => { input.value = ''; });
  switch (form.dataset.form) {
    case 'plan': {
      const plan = { title: f.title.value.trim(), kind: f.kind.value, startsAt: f.startsAt.value };
      if (f.text.value === 'oath') plan.oath = true;
      if (f.text.value === 'paste') plan.text = { title: f.textTitle.value.trim(), body: f.textBody.value };
      await act(async () => { const s = await api('POST', 'sessions', { json: plan }); clear(); return s; }, (s) => w('planned', { t: s.title }));
      break;
    }
    case 'add': {
      const fields = { name: f.name.value.trim(), status: f.status.value, city: f.city.value.trim(), phone: f.phone.value.trim() };
      await act(async () => { issued = [await api('POST', 'members', { json: fields })]; clear(); return fields.name; }, (n) => w('added', { n }));
      break;
    }
    case 'replan': {
      const fields = { title: f.title.value.trim(), sessionKind: f.kind.value, startsAt: instantOf(f.startsAt.value, home.branch.timeZone) };
      await act(async () => { await command(token, form.dataset.session, 'session.replan', fields); replanning = null; }, () => w('edited'));
      break;
    }
    case 'edit': {
      const fields = { name: f.name.value.trim(), status: f.status.value, city: f.city.value.trim(), phone: f.phone.value.trim() };
      await act(async () => { await api('POST', `members/${form.dataset.member}`, { json: fields }); editing = null; }, () => w('edited'));
      break;
    }
    default: break;
  }
});

draw();
if (token) languageReady.then(load).catch((error) => { message = { ok: false, text: error.message }; draw(); });
// Another link opened in this tab (only the part after # changed): start again as its holder.
addEventListener('hashchange', () => location.reload());

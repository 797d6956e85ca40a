// The secretary's console: run the session, the roster, roll calls, the text, threads, votes, exports.

import { t } from './i18n.js';
import { html, raw } from './view.js';
import { secondsLeft } from './member.js';
import { statusCounts } from './roster.js';

export function controls(mirror) {
  const { phase, locked } = mirror.state.session;
  const buttons = [];
  if (phase === 'scheduled') {
    buttons.push(html`<button data-action="session.open" data-testid="session-open">${t('sessionOpen')}</button>`);
    buttons.push(html`<button data-action="session.cancel" data-testid="session-cancel">${t('cancelSession')}</button>`);
  }
  if (phase === 'open') buttons.push(html`<button data-action="session.start" data-testid="session-start">${t('sessionStart')}</button>`);
  if (phase === 'open' || phase === 'started') {
    buttons.push(html`<button data-action="session.lock" data-locked="${!locked}">${locked ? t('unlock') : t('lock')}</button>`);
    buttons.push(html`<button class="danger" data-action="session.end" data-testid="session-end">${t('sessionEnd')}</button>`);
  }
  return html`<section class="card console" data-key="controls"><h2>${t('console')}</h2><div class="row wrap">${buttons}
    <button data-action="screen" data-testid="open-screen">${t('bigScreen')}</button>
    <a href="/office/${location.hash}" data-testid="office-link">${t('office')}</a></div>${phase === 'scheduled' ? '' : raw(quorumLine(mirror))}</section>`;
}

export function quorumLine(mirror) {
  const q = mirror.state.quorum;
  return html`<p class="quorum ${q.met ? 'met' : 'not'}" data-testid="quorum">
    <b>${q.met ? t('quorumMet') : t('quorumNot')}</b> · ${t('quorum', { p: q.present, e: q.expected, r: q.required })}</p>`;
}

/** Members whose browser cannot run the page: the secretary can call them. */
export function unsupportedSection(mirror) {
  const members = Object.keys(mirror.unsupported || {});
  if (!members.length) return '';
  return html`<section class="card warn" data-key="unsupported" data-testid="unsupported-browsers"><h2>${t('tooOldTitle')}</h2>
    <ul>${members.map((member) => html`<li data-member="${member}"><strong>${mirror.unsupported[member].name}</strong> · ${t('tooOldLine')}
      <span class="small muted">${mirror.unsupported[member].browser}</span></li>`)}</ul></section>`;
}

export function rosterSection(mirror) {
  const lines = mirror.state.roster;
  const counts = statusCounts(lines);
  const shown = ['present', 'late', 'left_early', 'excused', 'absent'].filter((status) => counts[status]);
  return html`<section class="card roster" data-key="roster"><h2>${t('roster')} <span class="muted">${lines.length}</span></h2>
    <p class="small" data-testid="roster-counts">${t('presentNow')} ${counts.online}${shown.map((status) => html` · ${t('status_' + status)} ${counts[status]}`)}</p>
    ${lines.length > 20 ? html`<input type="search" data-keep="roster-filter" data-testid="roster-filter" placeholder="${t('rosterFilter')}">` : ''}
    <table><tbody data-island="roster"></tbody></table></section>`;
}

export function rollcallControls(mirror, skew) {
  if (mirror.state.session.phase !== 'started') return '';
  const call = mirror.state.rollcall;
  if (call) {
    return html`<section class="card" data-key="rollcall-controls"><h2>${t('rollcall')} <span data-countdown>${t('secondsLeft', { s: secondsLeft(call, skew) })}</span></h2>
      <p>${call.answeredCount} / ${mirror.state.roster.length}</p>
      <button data-action="rollcall.close">${t('closeRollcall')}</button></section>`;
  }
  return html`<section class="card" data-key="rollcall-controls"><h2>${t('rollcall')}</h2><form data-form="rollcall.start" class="row">
    <input data-keep="rollcall-seconds" name="seconds" type="number" min="10" max="600" value="60"> ${t('seconds')}
    <button data-testid="rollcall-start">${t('startRollcall')}</button></form></section>`;
}

export function textControls(mirror) {
  const phase = mirror.state.session.phase;
  if (phase !== 'open' && phase !== 'started') return '';
  const text = mirror.state.text;
  return html`<section class="card" data-key="text-controls"><div class="row stepper">
      <button data-action="text.prev" data-testid="text-prev" ${!text || text.current === 0 ? 'disabled' : ''}>◀ ${t('prev')}</button>
      <button data-action="text.next" data-testid="text-next" ${!text || text.current >= text.lines.length - 1 ? 'disabled' : ''}>${t('next')} ▶</button>
    </div>
    <details><summary>${t('setText')}</summary><form data-form="text.set">
      <p><button type="button" data-action="text.oath">${t('oathTemplate')}</button></p>
      <input data-keep="text-title" name="title" placeholder="${t('textTitle')}" maxlength="200" required>
      <textarea data-keep="text-lines" name="lines" rows="6" placeholder="${t('pasteHere')}" required></textarea>
      <button>${t('setText')}</button></form></details></section>`;
}

export function threadControls(mirror) {
  const phase = mirror.state.session.phase;
  if (phase !== 'open' && phase !== 'started') return '';
  return html`<section class="card" data-key="thread-controls"><form data-form="thread.open" class="row">
    <input data-keep="thread-title" name="title" maxlength="200" placeholder="${t('threadTitle')}" required>
    <button>${t('openThread')}</button></form></section>`;
}

export function voteControls(mirror) {
  if (mirror.state.session.phase !== 'started') return '';
  const open = mirror.openVote();
  if (open) {
    return html`<section class="card" data-key="vote-controls"><h2>${t('vote')}: ${open.question}</h2>
      <p>${open.cast} / ${mirror.state.quorum.present}</p>
      <button data-action="vote.close" data-vote="${open.vote}">${t('closeVote')}</button></section>`;
  }
  const q = mirror.state.quorum;
  return html`<section class="card" data-key="vote-controls"><h2>${t('vote')}</h2><form data-form="vote.open">
    <input data-keep="vote-question" name="question" maxlength="500" placeholder="${t('question')}" required>
    <label class="small"><input type="checkbox" name="secret" data-keep="vote-secret"> ${t('secretBallot')}</label>
    <button data-testid="vote-open" ${q.met ? '' : 'disabled'}>${t('openVote')}</button>
    ${q.met ? '' : html`<p class="muted small" data-testid="vote-open-reason">${t('noQuorumReason')}</p>`}
  </form></section>`;
}

export function exportLinks() {
  // WeChat's own browser cannot save files: the exports would fail without a word.
  if (/MicroMessenger/i.test(navigator.userAgent)) {
    return html`<section class="card" data-key="exports"><h2>${t('exports')}</h2>
      <p data-testid="wechat-export">${t('wechatExport')}</p></section>`;
  }
  return html`<section class="card" data-key="exports"><h2>${t('exports')}</h2><div class="row wrap">
    <button data-action="export" data-path="minutes.html">${t('minutes')}</button>
    <button data-action="export" data-path="attendance.csv">${t('attendanceCsv')}</button>
    <button data-action="export" data-path="attendance.json">${t('attendanceJson')}</button>
    <button data-action="export" data-path="log.json">${t('eventLog')}</button></div></section>`;
}

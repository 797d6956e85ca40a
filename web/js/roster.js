// The console's roster, row by row: with 2,000 or 10,000 members an update
// touches the rows whose lines changed, not the table. The mirror replaces a
// line object when the server sends it anew, so an unchanged line is the
// same object and its row is left alone.

import { t } from './i18n.js';
import { html, update } from './view.js';

/** Per table body: each member's line as last drawn, and its row. */
const drawn = new WeakMap();

function row(line, live) {
  return html`<tr data-testid="member-row" data-member="${line.member}" class="${line.presentNow ? 'here' : ''}">
    <td><span class="dot" title="${line.presentNow ? t('presentNow') : t('away')}"></span>${line.name}
      <span class="muted small">${t('member_' + line.memberStatus)}${line.city ? ' · ' + line.city : ''}</span></td>
    <td><span class="badge ${line.status}">${t('status_' + line.status)}</span>
      ${line.mode ? html`<span class="muted small">${t('mode_' + line.mode)}</span>` : ''}
      ${line.devices > 1 ? html`<span class="muted small" data-testid="device-count">${t('devices', { n: line.devices })}</span>` : ''}
      ${line.excuse ? html`<span class="muted small" title="${line.excuse}">${line.excuse}</span>` : ''}</td>
    <td>${live ? html`<label class="small"><input type="checkbox" data-action="member.onsite" data-member="${line.member}" ${line.mode === 'onsite' && line.presentNow ? 'checked' : ''}> ${t('inRoom')}</label>
      <button class="small" data-action="member.excuse" data-member="${line.member}">${t('excuse')}</button>` : ''}</td>
  </tr>`;
}

function matches(line, filter) {
  return !filter || line.name.includes(filter) || (line.city ?? '').includes(filter) || t('status_' + line.status) === filter;
}

/**
 * Brings `tbody` in line with `lines`: rows whose line changed are updated
 * in place, the rest untouched; `filter` (a name, a city or a status) hides rows.
 */
export function drawRoster(tbody, lines, { live, filter, language }) {
  let state = drawn.get(tbody);
  if (!state || state.rows.size !== lines.length || state.live !== live || state.language !== language) {
    // First draw, a new roster, or every row changes: build the table in one go.
    const template = document.createElement('template');
    template.innerHTML = lines.map((line) => String(row(line, live))).join('');
    tbody.replaceChildren(template.content);
    state = { rows: new Map(), live, language, filter: null };
    Array.from(tbody.children).forEach((tr, i) => state.rows.set(lines[i].member, { line: lines[i], tr }));
    drawn.set(tbody, state);
  } else {
    for (const line of lines) {
      const entry = state.rows.get(line.member);
      if (!entry || entry.line === line) continue;
      update(entry.tr, row(line, live));
      entry.line = line;
      if (state.filter) entry.tr.hidden = !matches(line, state.filter);
    }
  }
  if (state.filter !== filter) {
    state.filter = filter;
    for (const { line, tr } of state.rows.values()) tr.hidden = !matches(line, filter);
  }
}

/** How many members are in each attendance status, and online now. */
export function statusCounts(lines) {
  const counts = { online: 0 };
  for (const line of lines) {
    counts[line.status] = (counts[line.status] ?? 0) + 1;
    if (line.presentNow) counts.online += 1;
  }
  return counts;
}

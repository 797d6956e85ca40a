// The console's roster, row by row: with 2,000 or 10,000 members an update
// touches the rows whose lines changed, not the table. The mirror replaces a
// line object when the server sends it anew, so an unchanged line is the
// same object and its row is left alone. A row is made once from a template
// and then filled field by field: no markup is parsed in a join storm.

import { t } from './i18n.js';

/** Per table body: each member's line as last drawn, and its row. */
const drawn = new WeakMap();

const shape = document.createElement('template');
shape.innerHTML = `<tr data-testid="member-row"><td><span class="dot"></span><span></span>
  <span class="muted small"></span></td><td><span class="badge"></span> <span class="muted small"></span>
  <span class="muted small" data-testid="device-count"></span> <span class="muted small"></span></td><td></td></tr>`;

function makeRow(line, live) {
  const tr = shape.content.firstElementChild.cloneNode(true);
  tr.dataset.member = line.member;
  if (live) {
    const actions = tr.cells[2];
    actions.innerHTML = `<label class="small"><input type="checkbox" data-action="member.onsite"> </label>
      <button class="small" data-action="member.excuse"></button>`;
    actions.querySelector('input').dataset.member = line.member;
    actions.querySelector('label').append(t('inRoom'));
    const excuse = actions.querySelector('button');
    excuse.dataset.member = line.member;
    excuse.textContent = t('excuse');
  }
  fill(tr, line);
  return tr;
}

/** Writes `line` into its row, field by field. */
function fill(tr, line) {
  const [who, state] = tr.cells;
  const [dot, name, about] = who.children;
  const [badge, mode, devices, excuse] = state.children;
  tr.className = line.presentNow ? 'here' : '';
  dot.title = line.presentNow ? t('presentNow') : t('away');
  name.textContent = line.name;
  about.textContent = t('member_' + line.memberStatus) + (line.city ? ' · ' + line.city : '');
  badge.className = `badge ${line.status}`;
  badge.textContent = t('status_' + line.status);
  mode.textContent = line.mode ? t('mode_' + line.mode) : '';
  devices.textContent = line.devices > 1 ? t('devices', { n: line.devices }) : '';
  devices.hidden = !(line.devices > 1);
  excuse.textContent = line.excuse ?? '';
  excuse.title = line.excuse ?? '';
  const onsite = tr.cells[2].querySelector('input');
  if (onsite) onsite.checked = line.mode === 'onsite' && line.presentNow;
}

function matches(line, filter) {
  return !filter || line.name.includes(filter) || (line.city ?? '').includes(filter) || t('status_' + line.status) === filter;
}

/**
 * Brings `tbody` in line with `lines`: rows whose line changed are filled
 * again, the rest untouched; `filter` (a name, a city or a status) hides rows.
 */
export function drawRoster(tbody, lines, { live, filter, language }) {
  let state = drawn.get(tbody);
  if (!state || state.rows.size !== lines.length || state.live !== live || state.language !== language) {
    // First draw, a new roster, the lobby opened or closed, another language: every row anew.
    state = { rows: new Map(), live, language, filter: null };
    const rows = lines.map((line) => {
      const tr = makeRow(line, live);
      state.rows.set(line.member, { line, tr });
      return tr;
    });
    tbody.textContent = '';
    tbody.append(...rows);
    drawn.set(tbody, state);
  } else {
    for (const line of lines) {
      const entry = state.rows.get(line.member);
      if (!entry || entry.line === line) continue;
      fill(entry.tr, line);
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

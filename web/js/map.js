// The red-flag map (/map/): China's whole territory with a red flag for each
// member at the city they are in now, the count per city, and every member
// whose city could not be placed. A secretary's link shows their branch; an
// office's link every branch below it, with filters by branch and by
// organisation. It reads GET /api/map (docs/http-api.md) every few seconds,
// so a member reporting a new city moves their flag without a reload.

import { lang, setLang, languageReady } from './i18n.js';
import { html, patch } from './view.js';

const words = {
  zh: {
    title: '流动党员分布图', loading: '正在载入…', lang: 'EN', noToken: '请打开发给您的专属链接。',
    all: '全部', branch: '支部', organisation: '组织', members: '{n} 名党员', placed: '{n} 人已标注，分布在 {c} 个城市',
    cities: '各城市人数', city: '城市', count: '人数', unplaced: '未能标注的党员', noCity: '未填写城市',
    typed: '填写的是「{c}」', none: '全部已标注。', level_county: '县（区）', level_township: '乡镇（街道）', level_village: '村（社区）',
    back: '返回',
    cadence: '三会一课', kind_committee: '支部委员会（本月）', kind_group_meeting: '党小组会（本月）', kind_branch_meeting: '支部党员大会（本季度）',
    kind_lesson: '党课（本季度）', rate: '出席率', missed: '最近三次均缺席', done: '已开', due: '待开', overdue: '逾期未开',
    sheetBranches: '各支部 (Excel)', sheetMembers: '党员出席 (Excel)', csv: 'CSV',
    byMonth: '每月召开次数', month: '月份', short_committee: '支委会', short_group_meeting: '党小组会', short_branch_meeting: '党员大会', short_lesson: '党课',
    people: '党员出席情况', name: '姓名', attended: '出席 / 应到', excused: '请假', yes: '是',
    lessonTitle: '安排联合党课', lessonFor: '参加的组织（其下各支部）', host: '主持支部（由其书记主持）', title_: '标题', starts: '开始时间',
    oath: '重温入党誓词', plan: '安排', planned: '已安排：{t}。各支部党员的链接会在开课时进入。',
  },
  en: {
    title: 'Where members are', loading: 'Loading…', lang: '中文', noToken: 'Open the personal link you were sent.',
    all: 'All', branch: 'Branch', organisation: 'Organisation', members: '{n} members', placed: '{n} on the map, in {c} cities',
    cities: 'Members per city', city: 'City', count: 'Members', unplaced: 'Members not on the map', noCity: 'no city given',
    typed: 'typed "{c}"', none: 'Every member is on the map.', level_county: 'County', level_township: 'Township', level_village: 'Village',
    back: 'Back',
    cadence: 'Three meetings and a lesson', kind_committee: 'Committee (month)', kind_group_meeting: 'Party group (month)',
    kind_branch_meeting: 'Assembly (quarter)', kind_lesson: 'Party lesson (quarter)', rate: 'Attendance', missed: 'Missed the last three',
    done: 'held', due: 'due', overdue: 'overdue', sheetBranches: 'Branches (Excel)', sheetMembers: 'Members (Excel)', csv: 'CSV',
    byMonth: 'Held each month', month: 'Month', short_committee: 'Committee', short_group_meeting: 'Party group', short_branch_meeting: 'Assembly', short_lesson: 'Lesson',
    people: "Members' attendance", name: 'Name', attended: 'Attended / expected', excused: 'Excused', yes: 'yes',
    lessonTitle: 'Plan a lesson for many branches', lessonFor: 'For (every branch under it)', host: 'Hosted by (its secretary runs it)',
    title_: 'Title', starts: 'Starts', oath: 'Read the Party oath', plan: 'Plan', planned: 'Planned: {t}. Members of each branch come by their own links.',
  },
};

function w(key, values = {}) {
  const phrase = words[lang()][key] ?? words.zh[key] ?? key;
  return phrase.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

const token = new URLSearchParams(location.hash.slice(1)).get('t');
const root = document.getElementById('map-page');
const REFRESH_MS = 4000;
let map = null;
/** 三会一课 per branch (GET /api/dashboard): read once, it replays every session held. */
let dashboard = null;
/** How the last lesson planned here went. */
let notice = null;
let outline = null;
let problem = null;
const chosen = { branch: '', organisation: '' };

async function load() {
  try {
    const response = await fetch('/api/map', { headers: { Authorization: `Bearer ${token}` } });
    const answer = await response.json().catch(() => ({ error: `${response.status}` }));
    if (!response.ok) throw new Error(answer.error);
    map = answer;
    problem = null;
  } catch (error) {
    problem = error.message;
  }
  draw();
}

/** The branches an organisation holds, its own and those of every organisation below it. */
function branchesUnder(organisation) {
  const inside = new Set([organisation]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const o of map.organisations) if (o.parent && inside.has(o.parent) && !inside.has(o.id)) { inside.add(o.id); grew = true; }
  }
  return new Set(map.branches.filter((b) => inside.has(b.organisation)).map((b) => b.id));
}

/** Which branches the filters chosen (organisation, branch) show: a test, made once per drawing. */
function inView() {
  const kept = chosen.organisation ? branchesUnder(chosen.organisation) : null;
  return (branch) => (!kept || kept.has(branch)) && (!chosen.branch || branch === chosen.branch);
}

function shown() {
  const shows = inView();
  return map.members.filter((m) => shows(m.branch));
}

/** Flags of one city stand side by side in a small spiral around it, so each can be seen and counted. */
function flags(members) {
  // On a phone the map is a third as wide: flags twice as big there, to be seen and tapped.
  const size = window.innerWidth < 761 ? 2 : 1;
  const seen = new Map();
  return members.filter((m) => m.place).map((m) => {
    const n = seen.get(m.place.code) || 0;
    seen.set(m.place.code, n + 1);
    const angle = n * 2.4;
    const radius = (n ? 3 + 2.2 * Math.sqrt(n) : 0) * size;
    const x = (m.place.x + radius * Math.cos(angle)).toFixed(1);
    const y = (m.place.y + radius * Math.sin(angle)).toFixed(1);
    return html`<g class="flag" data-key="f-${m.id}" data-member="${m.id}" data-city="${m.place.name}" transform="translate(${x} ${y}) scale(${size})">
      <title>${m.name} · ${m.place.name}</title><line class="pole" x1="0" y1="0" x2="0" y2="-14"></line>
      <path class="cloth" d="M0 -14h10l-3 3.5l3 3.5h-10z"></path></g>`;
  });
}

function counts(members) {
  const byCity = new Map();
  for (const m of members) {
    if (!m.place) continue;
    const city = byCity.get(m.place.code) || { ...m.place, count: 0 };
    city.count += 1;
    byCity.set(m.place.code, city);
  }
  return [...byCity.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, 'zh'));
}

function mapCard(members, cities) {
  const labels = cities.filter((c) => c.count > 1).map((c) => html`<text class="count" x="${(c.x + 8).toFixed(1)}" y="${(c.y + 4).toFixed(1)}">${c.count}</text>`);
  const view = outline ? outline.viewBox : '0 0 1000 1157';
  return html`<div class="card map-card"><div class="stack" data-testid="map">
    <div data-island="outline" class="outline"></div>
    <svg class="china overlay" viewBox="${view}" aria-label="${w('title')}" data-testid="flags">${flags(members)}${labels}</svg></div></div>`;
}

function filtersCard() {
  const branchOptions = map.branches.map((b) => html`<option value="${b.id}" ${b.id === chosen.branch ? 'selected' : ''}>${b.name}</option>`);
  const orgOptions = map.organisations.map((o) => html`<option value="${o.id}" ${o.id === chosen.organisation ? 'selected' : ''}>${o.name}（${w('level_' + o.level)}）</option>`);
  return html`<div class="filters">
    ${map.organisations.length ? html`<label>${w('organisation')}<br><select data-filter="organisation" data-testid="filter-organisation"><option value="">${w('all')}</option>${orgOptions}</select></label>` : ''}
    ${map.branches.length > 1 ? html`<label>${w('branch')}<br><select data-filter="branch" data-testid="filter-branch"><option value="">${w('all')}</option>${branchOptions}</select></label>` : ''}
  </div>`;
}

function sideCard(summary, members, cities) {
  const branchName = new Map(map.branches.map((b) => [b.id, b.name]));
  const missing = members.filter((m) => !m.place);
  const rows = cities.map((c) => html`<tr data-key="c-${c.code}"><td>${c.name}</td><td class="n">${c.count}</td></tr>`);
  const lost = missing.map((m) => html`<li data-key="u-${m.id}" data-member="${m.id}">${m.name} · ${branchName.get(m.branch) || ''} · ${m.city ? w('typed', { c: m.city }) : w('noCity')}</li>`);
  return html`<div>${summary}
    <div class="card"><h2>${w('unplaced')} (${missing.length})</h2>
      ${missing.length ? html`<ul class="unplaced" data-testid="unplaced">${lost}</ul>` : html`<p data-testid="unplaced-none">${w('none')}</p>`}</div>
    <div class="card"><h2>${w('cities')}</h2><table data-testid="city-counts"><tr><th>${w('city')}</th><th class="n">${w('count')}</th></tr>${rows}</table></div>
  </div>`;
}

function cadenceCard() {
  if (!dashboard) return '';
  const shows = inView();
  const lines = dashboard.branches.filter((b) => shows(b.id));
  const kinds = dashboard.branches[0]?.dashboard.cadence.map((c) => c.kind) || [];
  const rows = lines.map((b) => html`<tr data-key="d-${b.id}" data-branch="${b.id}"><td>${b.name}</td>
    ${b.dashboard.cadence.map((c) => html`<td><span class="standing ${c.standing}" data-kind="${c.kind}">${w(c.standing)}</span></td>`)}
    <td class="n">${b.dashboard.attendanceRate == null ? '—' : `${Math.round(b.dashboard.attendanceRate * 100)}%`}</td>
    <td class="n">${b.dashboard.members.filter((m) => m.missedLastThree).length}</td></tr>`);
  const sheet = (name, label) => html`<button data-action="sheet" data-sheet="${name}.xlsx">${label}</button> <button data-action="sheet" data-sheet="${name}.csv">${w('csv')}</button>`;
  // Sessions held, month by month, summed over the branches shown.
  const months = (lines[0]?.dashboard.heldByMonth || []).map((m, i) => {
    const held = (kind) => lines.reduce((sum, b) => sum + (b.dashboard.heldByMonth[i]?.byKind[kind] || 0), 0);
    return html`<tr data-key="m-${m.month}" data-month="${m.month}"><td>${m.month}</td>${kinds.map((k) => html`<td class="n" data-kind="${k}">${held(k) || ''}</td>`)}</tr>`;
  });
  // Each member's attendance, branch by branch, for whoever must be called.
  const people = lines.map((b) => html`<details data-key="p-${b.id}" data-branch="${b.id}"><summary>${b.name}</summary><table>
    <tr><th>${w('name')}</th><th class="n">${w('attended')}</th><th class="n">${w('excused')}</th><th>${w('missed')}</th></tr>
    ${b.dashboard.members.map((m) => html`<tr data-member="${m.member}" class="${m.missedLastThree ? 'missed' : ''}"><td>${m.name}</td><td class="n">${m.attended} / ${m.expected}</td><td class="n">${m.excused || ''}</td><td>${m.missedLastThree ? w('yes') : ''}</td></tr>`)}</table></details>`);
  return html`<div class="card" data-key="cadence"><h2>${w('cadence')}</h2>
    <div class="scroll"><table data-testid="cadence"><tr><th>${w('branch')}</th>${kinds.map((k) => html`<th>${w('kind_' + k.replace(/-/g, '_'))}</th>`)}<th class="n">${w('rate')}</th><th class="n">${w('missed')}</th></tr>${rows}</table></div>
    <h3>${w('byMonth')}</h3><div class="scroll"><table data-testid="held-by-month"><tr><th>${w('month')}</th>${kinds.map((k) => html`<th class="n">${w('short_' + k.replace(/-/g, '_'))}</th>`)}</tr>${months}</table></div>
    <h3>${w('people')}</h3><div data-testid="member-attendance">${people}</div>
    <p class="actions">${sheet('branches', w('sheetBranches'))} ${sheet('members', w('sheetMembers'))}</p></div>`;
}

/** An office plans a lesson for the branches under it (POST /api/lessons). */
function lessonCard() {
  if (map.scope.kind !== 'organisation') return '';
  const under = chosen.lessonFor || map.organisations[0]?.id;
  const hosts = map.branches.filter((b) => branchesUnder(under).has(b.id));
  return html`<div class="card" data-key="lesson"><h2>${w('lessonTitle')}</h2>
    <form class="lesson" data-form="lesson" data-testid="lesson-form">
      <label>${w('lessonFor')}<br><select name="organisation" data-filter="lessonFor">${map.organisations.map((o) => html`<option value="${o.id}" ${o.id === under ? 'selected' : ''}>${o.name}</option>`)}</select></label>
      <label>${w('host')}<br><select name="hostBranch">${hosts.map((b) => html`<option value="${b.id}">${b.name}</option>`)}</select></label>
      <label>${w('title_')}<br><input data-keep name="title" required maxlength="200"></label>
      <label>${w('starts')}<br><input data-keep name="startsAt" type="datetime-local" required></label>
      <label><input type="checkbox" name="oath" checked> ${w('oath')}</label>
      <button>${w('plan')}</button></form>
    ${notice ? html`<p class="banner ${notice.ok ? '' : 'error'}" role="alert" data-testid="lesson-message">${notice.text}</p>` : ''}</div>`;
}

function draw() {
  const heading = map ? `${map.scope.name} · ${w('title')}` : w('title');
  const bar = html`<header class="bar"><div class="title">${heading}</div>
    <div class="tools"><button class="lang" data-action="lang" data-testid="lang-switch">${w('lang')}</button></div></header>`;
  let body;
  if (!token) body = html`<p class="card">${w('noToken')}</p>`;
  else if (!map) body = html`<p class="card" data-testid="map-status">${problem || w('loading')}</p>`;
  else {
    const members = shown();
    const cities = counts(members);
    const placed = members.filter((m) => m.place).length;
    const summary = html`<div class="card"><p data-testid="map-summary"><strong>${w('members', { n: members.length })}</strong> · ${w('placed', { n: placed, c: cities.length })}</p>${filtersCard()}</div>`;
    body = html`<div class="layout">${mapCard(members, cities)}${sideCard(summary, members, cities)}</div>${cadenceCard()}${lessonCard()}`;
  }
  document.title = `${w('title')} · Muster`;
  patch(root, html`${bar}<main class="map-page host">${body}</main>`);
  // The outline is 75 KB of path: put in once, then left alone by every redraw.
  const island = root.querySelector('[data-island="outline"]');
  if (outline && island && !island.firstChild) island.innerHTML = outline.svg;
}

root.addEventListener('click', async (event) => {
  const target = event.target.closest('[data-action]');
  if (target?.dataset.action === 'lang') { await setLang(lang() === 'zh' ? 'en' : 'zh'); draw(); }
  if (target?.dataset.action === 'sheet') {
    const { save } = await import('./files.js');
    const name = target.dataset.sheet;
    await save(token, `/api/dashboard/${name}${lang() === 'en' ? '?lang=en' : ''}`, name).catch((error) => { problem = error.message; draw(); });
  }
});

root.addEventListener('submit', async (event) => {
  const form = event.target.closest('form[data-form="lesson"]');
  if (!form) return;
  event.preventDefault();
  const f = form.elements;
  const lesson = { organisation: f.organisation.value, hostBranch: f.hostBranch.value, title: f.title.value.trim(), startsAt: f.startsAt.value, oath: f.oath.checked };
  const response = await fetch('/api/lessons', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(lesson) });
  const answer = await response.json().catch(() => ({ error: `${response.status}` }));
  notice = response.ok ? { ok: true, text: w('planned', { t: answer.title }) } : { ok: false, text: answer.error };
  if (response.ok) { f.title.value = ''; f.startsAt.value = ''; }
  draw();
});

root.addEventListener('change', (event) => {
  const filter = event.target.dataset.filter;
  if (!filter) return;
  chosen[filter] = event.target.value;
  if (filter === 'organisation') chosen.branch = '';
  draw();
});

async function loadOutline() {
  const svg = await (await fetch('/geo/china.svg')).text();
  const viewBox = (svg.match(/viewBox="([^"]+)"/) || [])[1] || '0 0 1000 1157';
  outline = { svg: svg.replace('<svg ', '<svg class="china" aria-hidden="true" '), viewBox };
}

draw();
if (token) {
  languageReady.then(() => Promise.all([loadOutline(), load()])).then(draw);
  fetch('/api/dashboard', { headers: { Authorization: `Bearer ${token}` } })
    .then((response) => (response.ok ? response.json() : null)).then((answer) => { dashboard = answer; draw(); }).catch(() => {});
  // Where members are changes when one reports a new city: look again every few seconds while shown.
  setInterval(() => { if (document.visibilityState === 'visible') load(); }, REFRESH_MS);
}
// Another link opened in this tab (only the part after # changed): start again as its holder.
addEventListener('hashchange', () => location.reload());

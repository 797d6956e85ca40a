// What everyone sees: the text, the roll call, the vote, the discussion, their own record.

import { t } from './i18n.js';
import { clock, html, raw } from './view.js';

export function textSection(mirror, { big = false } = {}) {
  const text = mirror.state.text;
  if (!text) return html`<section class="card text" data-key="text"><p class="muted">${t('noText')}</p></section>`;
  const i = text.current;
  return html`<section class="card text ${big ? 'big' : ''}" data-key="text" aria-live="polite">
    <h2>${t('text')} · ${text.title} <span class="muted">${i + 1}/${text.lines.length}</span></h2>
    <p class="line near">${text.lines[i - 1] ?? ''}</p>
    <p class="line current" data-testid="current-line">${text.lines[i]}</p>
    <p class="line near">${text.lines[i + 1] ?? ''}</p>
  </section>`;
}

export function secondsLeft(rollcall, skew) {
  return Math.max(0, Math.ceil((Date.parse(rollcall.closesAt) - (Date.now() + skew)) / 1000));
}

/** Commands tapped but not yet answered by the server (the outbox). */
function waiting(pending, cmd, test = () => true) {
  return pending.some((message) => message.cmd === cmd && test(message));
}

export function rollcallSection(mirror, skew, pending = []) {
  const call = mirror.state.rollcall;
  const me = mirror.you.member;
  if (!call) {
    const last = mirror.state.rollcalls[mirror.state.rollcalls.length - 1];
    if (!last?.missing) return '';
    return html`<section class="card" data-key="rollcall"><p class="muted">${t('rollcallClosed', { a: last.answeredCount, m: last.missingCount })}</p></section>`;
  }
  const done = call.answered.includes(me);
  const sent = !done && waiting(pending, 'rollcall.answer');
  const onRoster = mirror.state.roster.some((line) => line.member === me);
  return html`<section class="card rollcall" data-key="rollcall">
    <h2>${t('rollcall')} <span class="countdown" data-countdown>${t('secondsLeft', { s: secondsLeft(call, skew) })}</span></h2>
    ${onRoster ? (done || sent
      ? html`<p class="done">✓ ${t('answered')}${sent ? html` <span class="muted small">${t('waiting')}</span>` : ''}</p>`
      : html`<button class="huge" data-action="rollcall.answer" data-testid="rollcall-answer">${t('here')}</button>`) : ''}
  </section>`;
}

export function resultLine(result) {
  return html`<p class="result ${result.passed ? 'passed' : 'failed'}">${result.passed ? t('passed') : t('failed')}</p>
    <ul class="tally">${result.tally.map((row) => html`<li><span>${row.choice}</span><b>${row.count}</b></li>`)}</ul>
    <p class="muted">${t('tally', { t: result.threshold, e: result.expected, p: result.present, c: result.cast })}</p>`;
}

export function voteSection(mirror, pending = []) {
  const vote = mirror.state.votes[mirror.state.votes.length - 1];
  if (!vote) return '';
  const me = mirror.mine();
  const mine = pending.find((message) => message.cmd === 'vote.cast' && message.vote === vote.vote);
  const voted = vote.voters.includes(mirror.you.member) || Boolean(mine);
  const mayVote = me && me.memberStatus === 'full' && me.presentNow;
  let body;
  if (vote.void) body = html`<p class="result failed" data-testid="vote-void">${t('void_' + vote.void)}</p>`;
  else if (vote.result) body = resultLine(vote.result);
  else if (voted) {
    const choice = vote.choices?.[mirror.you.member] ?? (vote.secret ? null : mine?.choice);
    body = html`<p class="done">✓ ${t('voted')}${choice ? ` · ${choice}` : ''}${mine ? html` <span class="muted small">${t('waiting')}</span>` : ''}</p>`;
  }
  else if (mayVote) {
    body = html`<div class="choices">${vote.options.map((option) =>
      html`<button class="big" data-action="vote.cast" data-vote="${vote.vote}" data-choice="${option}" data-testid="vote-choice">${option}</button>`)}</div>`;
  } else body = html`<p class="muted">${t('cannotVote')}</p>`;
  return html`<section class="card vote" data-key="vote"><h2>${t('vote')}</h2>
    <p class="question">${vote.question}</p>
    <p class="muted small">${vote.secret ? t('secret') : t('open')}</p>${raw(body)}</section>`;
}

export function mySection(mirror) {
  const me = mirror.mine();
  if (!me) return '';
  const parts = [t('status_' + me.status)];
  if (me.presentNow && me.firstJoin) parts.push(t('since', { t: clock(me.firstJoin) }));
  parts.push(t('minutes', { m: Math.floor(me.secondsPresent / 60) }));
  parts.push(t('rollcallsAnswered', { a: me.rollCallsAnswered, h: me.rollCallsHeld }));
  return html`<section class="card mine" data-key="mine" data-testid="my-attendance"><h2>${t('me')}</h2>
    <p><span class="badge ${me.status}">${parts[0]}</span> ${parts.slice(1).join(' · ')}</p>
    <p class="muted small">${me.excuse ? me.excuse + ' · ' : ''}${me.city ?? ''}</p>
    <p><a href="/me/${location.hash}" target="_blank" rel="noopener" data-testid="my-record-link">${t('myRecord')}</a></p>
    <details><summary>${t('city')}</summary>
      <form data-form="me.city" class="row"><input data-keep="city" name="city" maxlength="100" placeholder="${t('cityPlaceholder')}" list="places" required><datalist id="places" data-island="places"></datalist><button>${t('save')}</button></form>
    </details></section>`;
}

export function threadsSection(mirror, { host = false } = {}) {
  const { threads, posts } = mirror.state;
  if (!threads.length) return '';
  return html`<section class="card threads" data-key="threads"><h2>${t('threads')}</h2>${threads.map((thread) => html`
    <article class="thread" data-key="${thread.thread}"><h3>${thread.title}</h3>
      ${posts.filter((p) => p.thread === thread.thread).map((p) => html`
        <div class="post ${p.hidden ? 'hidden' : ''} ${p.replyTo ? 'reply' : ''}" data-key="${p.post}">
          <b>${mirror.name(p.by)}</b>${p.replyTo ? html` <span class="muted small">${t('replyTo', { who: mirror.name(posts.find((q) => q.post === p.replyTo)?.by) })}</span>` : ''}
          <p>${p.body ?? t('hidden')}${p.hidden && p.body ? html` <em class="muted">${t('hidden')}</em>` : ''}</p>
          ${host && !p.hidden ? html`<button class="small" data-action="post.hide" data-post="${p.post}">${t('hide')}</button>` : ''}
          ${!p.hidden && mirror.state.session.phase !== 'ended' ? html`<button class="link small" data-reply="${p.post}" data-thread="${thread.thread}">${t('reply')}</button>` : ''}
        </div>`)}
      ${mirror.state.session.phase !== 'ended' ? html`<form data-form="post.add" data-thread="${thread.thread}" data-key="form" class="row">
        <input data-keep="post-${thread.thread}" name="body" maxlength="2000" placeholder="${t('post')}" required>
        <input type="hidden" name="replyTo" data-keep="reply-${thread.thread}"><button>${t('send')}</button></form>` : ''}
    </article>`)}</section>`;
}

import { lang } from './i18n.js';

// Small helpers for building the page from strings safely.

const escapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML. */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => escapes[c]);
}

/** Markup that is already safe: what `html` returns, and what `raw` marks. */
class Markup {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

/** `html` tagged template: interpolated values are escaped unless they are markup. */
export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => {
    out += (Array.isArray(value) ? value.map(unwrap).join('') : unwrap(value)) + strings[i + 1];
  });
  return new Markup(out);
}

export function raw(text) { return text instanceof Markup ? text : new Markup(String(text ?? '')); }

function unwrap(value) {
  if (value instanceof Markup) return value.text;
  if (value === false || value === null || value === undefined) return '';
  return esc(value);
}

/**
 * Makes an element's content match `markup`, changing only what differs, so
 * what people are doing survives: an open `<details>`, typed text, a row or
 * QR code that did not change. Children with `data-key` are matched by key,
 * others by place; a `data-island`'s content is left to its own code.
 */
export function patch(element, markup) {
  const template = document.createElement('template');
  template.innerHTML = String(markup);
  morphChildren(element, template.content);
}

function keyOf(node) {
  return node.nodeType === Node.ELEMENT_NODE ? node.getAttribute('data-key') : null;
}

function sameKind(a, b) {
  return a.nodeType === b.nodeType && a.nodeName === b.nodeName
    && (a.nodeName !== 'INPUT' || a.type === b.getAttribute('type') || (!b.hasAttribute('type') && a.type === 'text'));
}

function morphChildren(parent, next) {
  const old = Array.from(parent.childNodes);
  const byKey = new Map();
  const unkeyed = [];
  for (const node of old) {
    const key = keyOf(node);
    if (key) byKey.set(key, node); else unkeyed.push(node);
  }
  let place = 0;
  const wanted = Array.from(next.childNodes).map((fresh) => {
    const key = keyOf(fresh);
    const match = key ? byKey.get(key) : unkeyed[place++];
    if (key) byKey.delete(key);
    if (!match || !sameKind(match, fresh)) return fresh;
    morph(match, fresh);
    return match;
  });
  const kept = new Set(wanted);
  for (const node of old) if (!kept.has(node)) node.remove();
  let cursor = parent.firstChild;
  for (const node of wanted) {
    if (node === cursor) cursor = cursor.nextSibling;
    else parent.insertBefore(node, cursor);
  }
}

function morph(node, fresh) {
  if (node.nodeType !== Node.ELEMENT_NODE) {
    if (node.nodeValue !== fresh.nodeValue) node.nodeValue = fresh.nodeValue;
    return;
  }
  // What the person controls: a <details>' open state, a kept field's value.
  const keep = node.hasAttribute('data-keep');
  for (const { name, value } of Array.from(fresh.attributes)) {
    if (node.getAttribute(name) !== value && !(name === 'open' && node.nodeName === 'DETAILS')) node.setAttribute(name, value);
  }
  for (const { name } of Array.from(node.attributes)) {
    if (!fresh.hasAttribute(name) && !(name === 'open' && node.nodeName === 'DETAILS')) node.removeAttribute(name);
  }
  if (node.nodeName === 'INPUT' && !keep) {
    // The server's word wins over a tap it has not confirmed.
    node.checked = fresh.hasAttribute('checked');
  }
  if (node.nodeName === 'TEXTAREA' && keep) return;
  // An island's content is kept by its own code (the console's roster).
  if (node.hasAttribute('data-island')) return;
  morphChildren(node, fresh);
}

/** 14:03, in the viewer's own time zone, 24-hour in both languages. */
export function clock(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleTimeString(lang() === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false });
}

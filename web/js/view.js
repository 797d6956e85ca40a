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
 * Replaces an element's content, keeping what people are typing: inputs
 * marked `data-keep` keep their value, and the focused one its cursor.
 */
export function patch(element, markup) {
  const kept = new Map();
  element.querySelectorAll('[data-keep]').forEach((input) => {
    kept.set(input.dataset.keep, { value: input.value, checked: input.checked });
  });
  const focused = document.activeElement?.dataset?.keep;
  const selection = focused ? [document.activeElement.selectionStart, document.activeElement.selectionEnd] : null;
  element.innerHTML = String(markup);
  element.querySelectorAll('[data-keep]').forEach((input) => {
    const was = kept.get(input.dataset.keep);
    if (!was) return;
    if (input.type === 'checkbox') input.checked = was.checked;
    else input.value = was.value;
    if (input.dataset.keep === focused) {
      input.focus();
      try { input.setSelectionRange(...selection); } catch { /* not a text input */ }
    }
  });
}

/** 14:03, in the viewer's own time zone, 24-hour in both languages. */
export function clock(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleTimeString(lang() === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false });
}

// api.js: the PocketBase client, the custom routes, and API errors as
// messages for people.
import PocketBase from '/vendor/pocketbase.es.mjs';
import { h, set } from './dom.js';

export const pb = new PocketBase(location.origin);
// views load several lists at once; the SDK would cancel same-key requests
pb.autoCancellation(false);

/** me is the signed-in user record, or null. */
export function me() {
  return pb.authStore.isValid ? pb.authStore.record : null;
}

/** isInstructor tells whether the signed-in user is an instructor. */
export function isInstructor() {
  return me()?.role === 'instructor';
}

/** get calls a custom GET route. */
export function get(path, query) {
  return pb.send(path, { method: 'GET', query });
}

/** post calls a custom POST route with a JSON body. */
export function post(path, body = {}) {
  return pb.send(path, { method: 'POST', body });
}

/** put calls a custom PUT route with a JSON body. */
export function put(path, body = {}) {
  return pb.send(path, { method: 'PUT', body });
}

/** filter builds a safely quoted filter expression. */
export function filter(expr, params) {
  return pb.filter(expr, params);
}

/** anyOf is a filter matching field against any of ids. */
export function anyOf(field, ids) {
  if (!ids.length) return 'id = "-"';
  return ids.map((v, i) => pb.filter(`${field} = {:v${i}}`, { [`v${i}`]: v })).join(' || ');
}

/**
 * errorInfo turns an SDK error into {status, message, code, fields}: the
 * API's own message, its data.code, and per-field messages from data.
 */
export function errorInfo(err) {
  const status = err?.status ?? 0;
  const body = err?.response || {};
  const data = body.data || {};
  const fields = {};
  for (const [name, value] of Object.entries(data)) {
    if (value && typeof value === 'object' && typeof value.message === 'string') fields[name] = value.message;
  }
  let message = body.message || err?.message || 'Something went wrong.';
  if (status === 0) message = 'The server could not be reached. Check your connection and try again.';
  if (status === 429 && !body.message) message = 'Too many requests; wait a moment and try again.';
  return { status, message, code: typeof data.code === 'string' ? data.code : '', fields };
}

/**
 * showError writes an API error into an alert element: the message and a
 * list of per-field messages that have no form field to sit beside.
 */
export function showError(box, err, { shownFields = [] } = {}) {
  const info = errorInfo(err);
  const rest = Object.entries(info.fields).filter(([name]) => !shownFields.includes(name));
  set(box, h('p', { text: info.message }),
    rest.length ? h('ul', {}, rest.map(([name, msg]) => h('li', {}, h('strong', { text: `${name}: ` }), msg))) : null);
  box.hidden = false;
  box.dataset.code = info.code;
  return info;
}

/** hideError empties and hides an alert element. */
export function hideError(box) {
  set(box);
  box.hidden = true;
  delete box.dataset.code;
}

/** errorBox is an empty, hidden alert element for API errors. */
export function errorBox(extraClass = '') {
  return h('div', { class: `error ${extraClass}`.trim(), role: 'alert', hidden: true });
}

// forms.js: labelled form fields with their own error line, and showing
// an API 400's per-field messages beside the fields they name.
import { h, id as uid } from './dom.js';
import { showError, hideError, errorInfo } from './api.js';

/**
 * field is a labelled control: kind is 'input' (with type), 'textarea' or
 * 'select' (with options [[value, label]]). Returns the wrapper element,
 * with .control and .errorEl.
 */
export function field(label, name, { kind = 'input', type = 'text', value = '', options = [], hint = '', ...attrs } = {}) {
  const controlId = uid(name);
  const errId = `${controlId}-error`;
  const hintId = hint ? `${controlId}-hint` : null;
  let control;
  if (kind === 'textarea') control = h('textarea', { id: controlId, name, ...attrs });
  else if (kind === 'select') {
    control = h('select', { id: controlId, name, ...attrs },
      options.map(([v, l]) => h('option', { value: v, text: l })));
  } else control = h('input', { id: controlId, name, type, ...attrs });
  if (type === 'checkbox') control.checked = !!value;
  else control.value = value ?? '';
  control.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  const errorEl = h('p', { id: errId, class: 'field-error', hidden: true });
  const wrap = type === 'checkbox'
    ? h('div', { class: 'field checkbox' }, control, h('label', { for: controlId, text: label }), hint ? h('p', { id: hintId, class: 'hint', text: hint }) : null, errorEl)
    : h('div', { class: 'field' }, h('label', { for: controlId, text: label }), control, hint ? h('p', { id: hintId, class: 'hint', text: hint }) : null, errorEl);
  wrap.control = control;
  wrap.errorEl = errorEl;
  wrap.dataset.field = name;
  return wrap;
}

/** clearFieldErrors hides every field error of a form and its alert. */
export function clearFieldErrors(form, alertBox) {
  form.querySelectorAll('.field-error').forEach((p) => { p.textContent = ''; p.hidden = true; });
  form.querySelectorAll('[aria-invalid]').forEach((c) => c.removeAttribute('aria-invalid'));
  if (alertBox) hideError(alertBox);
}

/**
 * showFormError shows an API error: its message in the alert box and each
 * per-field message under the field of that name (the rest in the box).
 */
export function showFormError(form, alertBox, err) {
  const info = errorInfo(err);
  const shown = [];
  let first = null;
  for (const [name, message] of Object.entries(info.fields)) {
    const wrap = form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
    if (!wrap) continue;
    const p = wrap.querySelector('.field-error');
    p.textContent = message;
    p.hidden = false;
    const control = wrap.querySelector('input, select, textarea');
    control?.setAttribute('aria-invalid', 'true');
    first = first || control;
    shown.push(name);
  }
  showError(alertBox, err, { shownFields: shown });
  first?.focus();
  return info;
}

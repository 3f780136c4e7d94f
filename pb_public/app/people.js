// people.js: finding someone by name to add them (invite to a group, make
// a teaching assistant): GET /api/users/search 300 ms after typing stops,
// from 2 characters, with an action button per person found.
import { get, showError, hideError } from './api.js';
import { h, set, debounce, id as uid } from './dom.js';
import { avatar } from './account.js';

/**
 * peopleSearch is a labelled search field with its status line and result
 * list. query adds parameters to the search (excludeGroup), keep filters
 * what it found, and act(user) runs the action; its button then says done.
 * Errors go to box.
 */
export function peopleSearch({ idPrefix, label, query = {}, keep = () => true, actionText, actionLabel, doneText, act, box }) {
  const inputId = uid(idPrefix);
  const input = h('input', { id: inputId, type: 'search', autocomplete: 'off', placeholder: 'Type a name', 'aria-controls': `${inputId}-results` });
  const results = h('ul', { id: `${inputId}-results`, class: 'search-results', 'aria-live': 'polite' });
  const status = h('p', { class: 'muted hint', 'aria-live': 'polite' });
  let seq = 0;
  const search = debounce(async () => {
    const q = input.value.trim();
    hideError(box);
    if (q.length < 2) { set(results); status.textContent = q ? 'Type at least 2 characters.' : ''; return; }
    const mySeq = ++seq;
    status.textContent = 'Searching…';
    try {
      const { items } = await get('/api/users/search', { q, limit: 8, ...query });
      if (mySeq !== seq) return;
      const found = items.filter(keep);
      status.textContent = found.length ? '' : 'Nobody found.';
      set(results, found.map((u) => h('li', {}, avatar({ ...u, collectionName: 'users' }, 24), h('span', { class: 'name', text: u.name }),
        h('button', { type: 'button', class: 'small primary', 'aria-label': actionLabel(u), onclick: async (e) => {
          hideError(box);
          const button = e.currentTarget;
          try {
            await act(u);
            button.replaceWith(h('span', { class: 'ok', text: doneText }));
          } catch (ex) { showError(box, ex); }
        } }, actionText))));
    } catch (ex) { if (mySeq === seq) { status.textContent = ''; showError(box, ex); } }
  }, 300);
  input.addEventListener('input', search);
  return { field: h('div', { class: 'field' }, h('label', { for: inputId, text: label }), input), status, results, inputId };
}

// prefs.js: the notification preferences page (channels, categories,
// per-type overrides from the server's catalog, digest, quiet hours, time
// zone) and a test notification.
import { pb, me, get, post, filter, errorBox, showError, hideError } from './api.js';
import { h, set } from './dom.js';
import { field, clearFieldErrors, showFormError } from './forms.js';

const CATEGORIES = [
  ['progress', 'Progress', 'Lessons, videos and course completion'],
  ['course', 'Courses', 'Enrollments, new lessons and live sessions'],
  ['assessment', 'Assessments', 'New, due and graded work'],
  ['community', 'Community', 'Study groups, direct messages and office hours'],
  ['system', 'Account', 'Payments and account notices'],
];

/** prefsView is /preferences. */
export async function prefsView(root) {
  const alertBox = errorBox();
  const saved = h('p', { class: 'ok', role: 'status' });
  root.append(h('h1', { text: 'Notification preferences' }), alertBox);
  let prefs;
  let catalog;
  try {
    [prefs, catalog] = await Promise.all([
      pb.collection('notification_preferences').getFirstListItem(filter('user = {:me}', { me: me().id })),
      get('/api/notifications/types'),
    ]);
  } catch (e) { showError(alertBox, e); return; }

  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  if (prefs.timezone && !zones.includes(prefs.timezone)) zones.unshift(prefs.timezone);
  const f = {
    inAppEnabled: field('Show notifications in the app', 'inAppEnabled', { type: 'checkbox', value: prefs.inAppEnabled }),
    emailEnabled: field('Send me email', 'emailEnabled', { type: 'checkbox', value: prefs.emailEnabled }),
    emailDigest: field('Email timing', 'emailDigest', { kind: 'select', value: prefs.emailDigest || 'daily', options: [['immediate', 'Right away'], ['daily', 'Daily digest'], ['weekly', 'Weekly digest'], ['off', 'Never']] }),
    quietHoursStart: field('Quiet hours from', 'quietHoursStart', { type: 'time', value: prefs.quietHoursStart, hint: 'Leave both empty for no quiet hours.' }),
    quietHoursEnd: field('Quiet hours until', 'quietHoursEnd', { type: 'time', value: prefs.quietHoursEnd }),
    quietHoursUrgent: field('Let urgent notifications through during quiet hours', 'quietHoursUrgent', { type: 'checkbox', value: prefs.quietHoursUrgent }),
    timezone: field('Time zone', 'timezone', { kind: 'select', value: prefs.timezone || '', options: [['', `My profile's time zone (${me().timezone || 'UTC'})`], ...zones.map((z) => [z, z])] }),
  };
  const cats = prefs.categories && typeof prefs.categories === 'object' ? structuredClone(prefs.categories) : {};
  const catBoxes = {};
  const table = h('table', { class: 'categories' },
    h('caption', { text: 'What to hear about, and where' }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Category' }), h('th', { scope: 'col', text: 'In the app' }), h('th', { scope: 'col', text: 'By email' }))),
    h('tbody', {}, CATEGORIES.map(([key, label, desc]) => {
      const cell = (channel, text) => {
        const cur = cats[key]?.[channel];
        const box = h('input', { type: 'checkbox', name: `${key}.${channel}`, checked: cur !== false, 'aria-label': `${label}: ${text}` });
        catBoxes[`${key}.${channel}`] = box;
        return h('td', {}, box);
      };
      return h('tr', {}, h('th', { scope: 'row' }, h('span', { text: label }), h('span', { class: 'hint', text: desc })), cell('inApp', 'in the app'), cell('email', 'by email'));
    })));
  const categoriesField = h('div', { class: 'field', dataset: { field: 'categories' } }, table, h('p', { class: 'field-error', hidden: true }));
  const byType = typeOverrides(catalog, prefs.types, (key, channel) => catBoxes[`${key}.${channel}`]?.checked !== false);
  for (const box of Object.values(catBoxes)) box.addEventListener('change', byType.refresh);
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save preferences');
  const form = h('form', { class: 'stack', novalidate: true },
    h('fieldset', {}, h('legend', { text: 'Channels' }), f.inAppEnabled, f.emailEnabled, f.emailDigest),
    h('fieldset', {}, h('legend', { text: 'Categories' }), categoriesField),
    h('fieldset', { id: 'type-overrides' }, h('legend', { text: 'By type' }),
      h('p', { class: 'hint', text: 'A type follows its category unless you choose otherwise here.' }), byType.el),
    h('fieldset', {}, h('legend', { text: 'Quiet hours' }), h('div', { class: 'grid' }, f.quietHoursStart, f.quietHoursEnd, f.timezone), f.quietHoursUrgent),
    h('div', { class: 'actions' }, submit, saved));
  root.append(form);

  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFieldErrors(form, alertBox);
    saved.textContent = '';
    const categories = {};
    for (const [key] of CATEGORIES) {
      categories[key] = { ...(cats[key] || {}), inApp: catBoxes[`${key}.inApp`].checked, email: catBoxes[`${key}.email`].checked };
    }
    const data = {
      inAppEnabled: f.inAppEnabled.control.checked,
      emailEnabled: f.emailEnabled.control.checked,
      emailDigest: f.emailDigest.control.value,
      quietHoursStart: f.quietHoursStart.control.value,
      quietHoursEnd: f.quietHoursEnd.control.value,
      quietHoursUrgent: f.quietHoursUrgent.control.checked,
      timezone: f.timezone.control.value,
      categories,
      types: byType.value(),
    };
    submit.disabled = true;
    try {
      prefs = await pb.collection('notification_preferences').update(prefs.id, data);
      saved.textContent = 'Preferences saved.';
    } catch (ex) { showFormError(form, alertBox, ex); } finally { submit.disabled = false; }
  };

  // a test notification, to see the preferences at work
  const testBox = errorBox();
  const testResult = h('p', { role: 'status' });
  const prio = field('Priority', 'priority', { kind: 'select', value: 'normal', options: [['low', 'Low'], ['normal', 'Normal'], ['high', 'High'], ['urgent', 'Urgent']] });
  const testForm = h('form', { class: 'stack card', 'aria-labelledby': 'test-h' },
    h('h2', { id: 'test-h', text: 'Try it' }), prio, testBox,
    h('button', { type: 'submit' }, 'Send me a test notification'), testResult);
  testForm.onsubmit = async (e) => {
    e.preventDefault();
    hideError(testBox);
    testResult.textContent = '';
    try {
      const res = await post('/api/notifications/test', { priority: prio.control.value });
      testResult.textContent = res.held ? 'Held until your quiet hours end.' : res.notification ? 'Sent.' : 'Not shown: your preferences turn it off.';
    } catch (ex) { showError(testBox, ex); }
  };
  root.append(testForm);
  set(saved);
}

const CHOICES = [['', 'As category'], ['on', 'On'], ['off', 'Off']];

/**
 * typeOverrides is the per-type part of the page: one group per category
 * (open when it holds an override), a row per type of the server's
 * catalog with a choice per channel: as its category, on or off. Mandatory
 * types are locked on. value() is the types JSON to save: only the choices
 * made (an entry the server ignores, on a mandatory type, is kept as it was).
 */
function typeOverrides(catalog, stored, categoryOn) {
  const saved = stored && typeof stored === 'object' ? stored : {};
  const selects = []; // [type, channel, select]
  const inherits = []; // [category, channel, option]
  const labels = Object.fromEntries(CATEGORIES.map(([key, label]) => [key, label]));
  const groups = [...new Set(catalog.map((t) => t.category))];
  const el = h('div', { class: 'type-groups' }, groups.map((category) => {
    const types = catalog.filter((t) => t.category === category);
    const overridden = types.some((t) => !t.mandatory && saved[t.type] && Object.keys(saved[t.type]).length);
    const label = labels[category] || category;
    return h('details', { class: 'type-group', open: overridden, dataset: { category } },
      h('summary', { text: `${label} (${types.length})` }),
      h('table', { class: 'types' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Type' }), h('th', { scope: 'col', text: 'In the app' }), h('th', { scope: 'col', text: 'By email' }))),
        h('tbody', {}, types.map((t) => {
          const cell = (channel, text) => {
            if (t.mandatory || (channel === 'inApp' && t.emailOnly)) {
              const fixed = t.emailOnly && channel === 'inApp' ? 'Never (email only)' : 'Always on';
              return h('td', { dataset: { label: text } }, h('select', { disabled: true, 'aria-label': `${t.label}: ${text}`, dataset: { type: t.type, channel } },
                h('option', { text: fixed })));
            }
            const cur = saved[t.type]?.[channel];
            const value = cur === true ? 'on' : cur === false ? 'off' : '';
            const select = h('select', { 'aria-label': `${t.label}: ${text}`, dataset: { type: t.type, channel } },
              CHOICES.map(([v, l]) => h('option', { value: v, text: l })));
            select.value = value;
            selects.push([t.type, channel, select]);
            inherits.push([t.category, channel, select.options[0]]);
            return h('td', { dataset: { label: text } }, select);
          };
          return h('tr', { dataset: { type: t.type, locked: t.mandatory ? 'true' : null } },
            h('th', { scope: 'row' }, h('span', { text: t.label }),
              t.description ? h('span', { class: 'hint', text: t.description }) : null,
              t.mandatory ? h('span', { class: 'hint locked', text: 'Always sent: this notice cannot be turned off.' }) : null),
            cell('inApp', 'in the app'), cell('email', 'by email'));
        }))));
  }));
  const refresh = () => {
    for (const [category, channel, option] of inherits) {
      option.textContent = `As category (${categoryOn(category, channel) ? 'on' : 'off'})`;
    }
  };
  refresh();
  const value = () => {
    const types = {};
    for (const t of catalog) {
      if (t.mandatory && saved[t.type]) types[t.type] = saved[t.type];
    }
    for (const [type, channel, select] of selects) {
      if (!select.value) continue;
      types[type] = { ...(types[type] || {}), [channel]: select.value === 'on' };
    }
    return types;
  };
  return { el, refresh, value };
}

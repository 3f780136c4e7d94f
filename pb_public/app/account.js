// account.js: signing up (a student, in the browser's time zone), asking
// for a password reset, and the profile page: name, avatar, time zone,
// direct messages and password. Emails (verification, reset) go through
// PocketBase's own flows and studyhall's outbox, so they arrive only where
// SMTP is set up; the pages say so.
import { pb, me, get, post, errorBox, showError, hideError } from './api.js';
import { h, set, append } from './dom.js';
import { field, clearFieldErrors, showFormError } from './forms.js';

/** browserZone is the browser's IANA time zone, or UTC. */
export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** zoneField is a time zone picker, the given zone selected. */
function zoneField(value) {
  let zones = [];
  try { zones = Intl.supportedValuesOf('timeZone'); } catch { zones = []; }
  if (!zones.includes('UTC')) zones = ['UTC', ...zones];
  if (value && !zones.includes(value)) zones = [value, ...zones];
  return field('Time zone', 'timezone', { kind: 'select', options: zones.map((z) => [z, z]), value,
    hint: 'Quiet hours, digests and reminders follow this zone.' });
}

/** signUpView is /signup: a new student account, then signed in. */
export function signUpView(root, _params, _ctx, { onSignedIn } = {}) {
  const alertBox = errorBox();
  const name = field('Name', 'name', { autocomplete: 'name', required: true, maxlength: 100 });
  const email = field('Email', 'email', { type: 'email', autocomplete: 'email', required: true });
  const password = field('Password', 'password', { type: 'password', autocomplete: 'new-password', required: true, minlength: 8, hint: 'At least 8 characters.' });
  const confirm = field('Repeat the password', 'passwordConfirm', { type: 'password', autocomplete: 'new-password', required: true });
  const zone = zoneField(browserZone());
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create account');
  const form = h('form', { class: 'stack card signin', id: 'signup-form', novalidate: true, 'aria-labelledby': 'signup-h' },
    h('h1', { id: 'signup-h', text: 'Create your studyhall account' }), alertBox, name, email, password, confirm, zone, submit,
    h('p', { class: 'muted' }, 'Already have an account? ', h('a', { href: '/signin', text: 'Sign in' })));
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFieldErrors(form, alertBox);
    submit.disabled = true;
    try {
      const data = {
        name: name.control.value.trim(), email: email.control.value.trim(), password: password.control.value,
        passwordConfirm: confirm.control.value, timezone: zone.control.value,
      };
      await pb.collection('users').create(data);
      // a verification email, where the server can send mail; signing in
      // does not wait for it
      pb.collection('users').requestVerification(data.email).catch(() => {});
      await pb.collection('users').authWithPassword(data.email, data.password);
      await onSignedIn?.();
    } catch (ex) {
      showFormError(form, alertBox, ex);
      submit.disabled = false;
    }
  };
  root.append(form);
}

/** resetView is /reset-password: asks PocketBase to email a reset link. */
export function resetView(root) {
  const alertBox = errorBox();
  const email = field('Email', 'email', { type: 'email', autocomplete: 'email', required: true });
  const done = h('p', { role: 'status', class: 'muted', id: 'reset-state' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Email me a reset link');
  const form = h('form', { class: 'stack card signin', novalidate: true, 'aria-labelledby': 'reset-h' },
    h('h1', { id: 'reset-h', text: 'Reset your password' }), alertBox, email, submit, done,
    h('p', {}, h('a', { href: '/signin', text: 'Back to sign in' })));
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFieldErrors(form, alertBox);
    submit.disabled = true;
    try {
      await pb.collection('users').requestPasswordReset(email.control.value.trim());
      done.textContent = 'If an account uses this address, a reset link is on its way. It can only arrive where the server has email set up.';
    } catch (ex) { showFormError(form, alertBox, ex); } finally { submit.disabled = false; }
  };
  root.append(form);
}

/** avatarURL is a user's avatar thumbnail, or '' when they have none. */
export function avatarURL(user, thumb = '64x64') {
  return user?.avatar ? pb.files.getURL(user, user.avatar, { thumb }) : '';
}

/** avatar is a small round picture of a user, or their initial. */
export function avatar(user, size = 24) {
  const url = avatarURL(user, '64x64');
  const name = user?.name || '?';
  return url
    ? h('img', { class: 'avatar', src: url, alt: '', width: size, height: size, loading: 'lazy' })
    : h('span', { class: 'avatar avatar-initial', 'aria-hidden': 'true', text: name.trim().charAt(0).toUpperCase() || '?' });
}

/** profileView is /profile: the signed-in user's own settings. */
export async function profileView(root, _params, _ctx, { onChanged } = {}) {
  const user = await pb.collection('users').getOne(me().id);
  const alertBox = errorBox();
  const picture = h('div', { class: 'avatar-preview', id: 'avatar-preview' }, avatar(user, 64));
  const name = field('Name', 'name', { value: user.name, required: true, maxlength: 100, autocomplete: 'name' });
  const file = field('Avatar', 'avatar', { type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp', hint: 'A square picture works best; up to 5 MB.' });
  const removeAvatar = h('button', { type: 'button', hidden: !user.avatar }, 'Remove avatar');
  const zone = zoneField(user.timezone || 'UTC');
  const dms = field('Let people I share no course or group with message me', 'allowDirectMessages', { type: 'checkbox', value: user.allowDirectMessages });
  const saved = h('p', { role: 'status', class: 'muted', id: 'profile-state' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save profile');
  const form = h('form', { class: 'stack card', id: 'profile-form', novalidate: true, 'aria-labelledby': 'profile-h' },
    h('h2', { id: 'profile-h', text: 'Profile' }), alertBox, picture, name, file, removeAvatar, zone, dms, submit, saved);

  const show = (record) => {
    set(picture, avatar(record, 64));
    removeAvatar.hidden = !record.avatar;
    pb.authStore.save(pb.authStore.token, record);
    onChanged?.(record);
  };
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFieldErrors(form, alertBox);
    saved.textContent = '';
    submit.disabled = true;
    try {
      const data = new FormData();
      data.append('name', name.control.value.trim());
      data.append('timezone', zone.control.value);
      data.append('allowDirectMessages', dms.control.checked ? 'true' : 'false');
      if (file.control.files[0]) data.append('avatar', file.control.files[0]);
      const updated = await pb.collection('users').update(me().id, data);
      file.control.value = '';
      show(updated);
      saved.textContent = 'Saved.';
    } catch (ex) { showFormError(form, alertBox, ex); } finally { submit.disabled = false; }
  };
  removeAvatar.onclick = async () => {
    try { show(await pb.collection('users').update(me().id, { avatar: null })); } catch (ex) { showError(alertBox, ex); }
  };

  append(root, [h('h1', { text: 'Your account' }), form, calendarCard(), passwordForm(user), verifyNote(user)]);
}

/**
 * calendarCard is the personal calendar feed: its private link in both
 * forms (https to paste into a calendar app, webcal to open one), a Copy
 * button for each, and a new link that revokes the old one.
 */
function calendarCard() {
  const alertBox = errorBox();
  const state = h('p', { role: 'status', class: 'muted', id: 'calendar-state' });
  const linkField = (label, name) => {
    const input = h('input', { id: `calendar-${name}`, name, type: 'text', readonly: true, spellcheck: 'false', 'aria-describedby': 'calendar-hint' });
    const copy = h('button', { type: 'button', class: 'small', id: `calendar-copy-${name}`, 'aria-label': `Copy the ${label.toLowerCase()}` }, 'Copy');
    copy.onclick = async () => {
      hideError(alertBox);
      try {
        await navigator.clipboard.writeText(input.value);
        state.textContent = 'Link copied.';
      } catch {
        input.select(); // no clipboard access: leave it selected to copy by hand
        state.textContent = 'Press Ctrl+C (or ⌘C) to copy the selected link.';
      }
    };
    return { input, el: h('div', { class: 'field' }, h('label', { for: input.id, text: label }), h('div', { class: 'copy-row' }, input, copy)) };
  };
  const https = linkField('Feed address', 'url');
  const webcal = linkField('Calendar app address (webcal)', 'webcal');
  const open = h('a', { id: 'calendar-open', href: '#' }, 'Subscribe in your calendar app');
  const renew = h('button', { type: 'button', id: 'calendar-renew' }, 'Make a new link');
  const show = ({ url, webcalUrl }) => {
    https.input.value = url;
    webcal.input.value = webcalUrl;
    open.href = webcalUrl;
  };
  renew.onclick = async () => {
    if (!confirm('Make a new link? Calendars subscribed with the old link stop updating until you add the new one.')) return;
    hideError(alertBox);
    renew.disabled = true;
    try {
      show(await post('/api/calendar/token'));
      state.textContent = 'New link made. The old link no longer works.';
    } catch (e) { showError(alertBox, e); } finally { renew.disabled = false; }
  };
  get('/api/calendar/token').then(show, (e) => showError(alertBox, e));
  return h('section', { class: 'stack card', id: 'calendar-card', 'aria-labelledby': 'calendar-h' },
    h('h2', { id: 'calendar-h', text: 'Calendar feed' }),
    h('p', { id: 'calendar-hint', class: 'hint', text: 'Your live sessions and your courses’ office hours, in Google Calendar, Apple Calendar or Outlook: subscribe with this private link. Anyone who has it can read your calendar; if it leaks, make a new link.' }),
    alertBox, https.el, webcal.el, h('p', {}, open), h('div', { class: 'actions' }, renew), state);
}

/** passwordForm changes the password; PocketBase then wants a new sign-in, done here. */
function passwordForm(user) {
  const alertBox = errorBox();
  const old = field('Current password', 'oldPassword', { type: 'password', autocomplete: 'current-password', required: true });
  const password = field('New password', 'password', { type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const confirm = field('Repeat the new password', 'passwordConfirm', { type: 'password', autocomplete: 'new-password', required: true });
  const done = h('p', { role: 'status', class: 'muted', id: 'password-state' });
  const submit = h('button', { type: 'submit' }, 'Change password');
  const form = h('form', { class: 'stack card', id: 'password-form', novalidate: true, 'aria-labelledby': 'pw-h' },
    h('h2', { id: 'pw-h', text: 'Password' }), alertBox, old, password, confirm, submit, done);
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFieldErrors(form, alertBox);
    done.textContent = '';
    submit.disabled = true;
    try {
      await pb.collection('users').update(user.id, {
        oldPassword: old.control.value, password: password.control.value, passwordConfirm: confirm.control.value,
      });
      // a new password ends every session: sign in again with it
      await pb.collection('users').authWithPassword(user.email, password.control.value);
      form.reset();
      done.textContent = 'Password changed. Other devices will have to sign in again.';
    } catch (ex) { showFormError(form, alertBox, ex); } finally { submit.disabled = false; }
  };
  return form;
}

/** verifyNote offers a verification email to an unverified user. */
function verifyNote(user) {
  if (user.verified) return null;
  const box = errorBox();
  const state = h('span', { role: 'status', class: 'muted' });
  const send = h('button', { type: 'button' }, 'Send a verification email');
  send.onclick = async () => {
    hideError(box);
    send.disabled = true;
    try {
      await pb.collection('users').requestVerification(user.email);
      state.textContent = ' Sent, where the server has email set up.';
    } catch (ex) { showError(box, ex); send.disabled = false; }
  };
  return h('section', { class: 'card', 'aria-label': 'Email verification' },
    h('p', { text: 'Your email address is not verified yet.' }), box, send, state);
}

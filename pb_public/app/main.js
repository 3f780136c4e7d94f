// main.js: the app shell: sign-in and sign-out, the header (navigation,
// presence, notification bell), the connection banner, and the routes.
import { pb, me, errorBox, showError, hideError } from './api.js';
import { h } from './dom.js';
import { route, start, navigate, startRealtime, stopRealtime, onConnectionChange } from './router.js';
import { field } from './forms.js';
import { startNotifications, stopNotifications, notificationList, refreshUnread } from './notifications.js';
import { startPresence, stopPresence } from './presence.js';
import { chatView, refreshChatBadge } from './chat.js';
import { sessionsView, sessionView, sessionFormView } from './sessions.js';
import { officeHoursView } from './officehours.js';
import { groupsView, groupView } from './groups.js';
import { prefsView } from './prefs.js';
import { dashboardView } from './dashboard.js';
import { coursesView, courseView, lessonView, assessmentView, submissionView, studentProgressView, receiptView } from './courses.js';
import { signUpView, resetView, profileView } from './account.js';

const shell = {
  header: document.getElementById('topbar'),
  main: document.getElementById('main'),
  bell: document.getElementById('bell'),
  panel: document.getElementById('notif-panel'),
  presence: document.getElementById('presence-select'),
  presenceError: document.getElementById('presence-error'),
  userName: document.getElementById('user-name'),
  signOut: document.getElementById('sign-out'),
  banner: document.getElementById('conn-banner'),
};

let sessionStarted = false;
let signingIn = false; // this tab's sign-in form is starting the session itself
let chatBadgeTimer = null;

// --- sign-in

function signInView(root) {
  const alertBox = errorBox();
  const email = field('Email', 'identity', { type: 'email', autocomplete: 'username', required: true });
  const password = field('Password', 'password', { type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'stack card signin', 'aria-labelledby': 'signin-h' },
    h('h1', { id: 'signin-h', text: 'Sign in to studyhall' }), alertBox, email, password, submit,
    h('p', { class: 'muted' }, h('a', { href: '/signup', text: 'Create an account' }), ' · ', h('a', { href: '/reset-password', text: 'Forgot your password?' })));
  form.onsubmit = async (e) => {
    e.preventDefault();
    hideError(alertBox);
    submit.disabled = true;
    signingIn = true;
    try {
      await pb.collection('users').authWithPassword(email.control.value.trim(), password.control.value);
      const next = new URLSearchParams(location.search).get('next');
      await startSession();
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (ex) {
      showError(alertBox, ex);
      password.control.select();
    } finally {
      signingIn = false;
      submit.disabled = false;
    }
  };
  root.append(form);
}

/** signedIn starts the session after a sign-in or sign-up on this tab. */
async function signedIn() {
  signingIn = true;
  try {
    await startSession();
    navigate('/', { replace: true });
  } finally {
    signingIn = false;
  }
}

async function startSession() {
  if (sessionStarted || !me()) return;
  sessionStarted = true;
  shell.header.hidden = false;
  shell.userName.textContent = me().name;
  shell.userName.title = me().role === 'instructor' ? 'Instructor' : 'Student';
  document.body.dataset.role = me().role;
  try {
    await startRealtime();
    await Promise.all([startNotifications(shell.bell, shell.panel), startPresence(shell.presence, shell.presenceError)]);
  } catch (err) {
    console.error('realtime start', err);
  }
  refreshChatBadge();
  chatBadgeTimer = setInterval(refreshChatBadge, 30_000);
}

async function endSession() {
  sessionStarted = false;
  clearInterval(chatBadgeTimer);
  stopNotifications();
  stopPresence();
  await stopRealtime();
  shell.header.hidden = true;
  shell.banner.hidden = true;
  delete document.body.dataset.role;
}

shell.signOut.onclick = async () => {
  pb.authStore.clear(); // the authStore change below ends the session
};

// another tab signed out (or in): follow it
pb.authStore.onChange(async (token) => {
  if (!token && sessionStarted) {
    await endSession();
    navigate('/signin', { replace: true });
  } else if (token && !sessionStarted && !signingIn && location.pathname === '/signin') {
    await startSession();
    navigate('/', { replace: true });
  }
});

onConnectionChange((connected) => {
  shell.banner.hidden = connected;
  if (connected) { refreshUnread(); refreshChatBadge(); }
});

// --- routes

route('/signin', signInView, { title: 'Sign in', auth: false });
route('/signup', (root, params, ctx) => signUpView(root, params, ctx, { onSignedIn: signedIn }), { title: 'Create an account', auth: false });
route('/reset-password', resetView, { title: 'Reset your password', auth: false });
route('/', dashboardView, { title: 'Dashboard' });
route('/notifications', notificationsPage, { title: 'Notifications' });
route('/preferences', prefsView, { title: 'Preferences' });
route('/chat', chatView, { title: 'Chat' });
route('/chat/:roomId', chatView, { title: 'Chat' });
route('/live-sessions', sessionsView, { title: 'Live sessions' });
route('/live-sessions/new', sessionFormView, { title: 'New live session', instructor: true });
route('/live-sessions/:id/edit', sessionFormView, { title: 'Edit live session', instructor: true });
route('/live-sessions/:id', sessionView, { title: 'Live session' });
route('/office-hours', officeHoursView, { title: 'Office hours' });
route('/study-groups', groupsView, { title: 'Study groups' });
route('/study-groups/:id', groupView, { title: 'Study group' });

function notificationsPage(root, _params, ctx) {
  const tabs = { inbox: 'Inbox', archived: 'Archived' };
  let view = new URLSearchParams(location.search).get('view') === 'archived' ? 'archived' : 'inbox';
  root.append(h('h1', { text: 'Notifications' }),
    h('nav', { class: 'tabs', 'aria-label': 'Notification folders' }, Object.entries(tabs).map(([k, label]) =>
      h('a', { href: k === 'inbox' ? '/notifications' : '/notifications?view=archived', 'aria-current': k === view ? 'page' : null }, label))),
    notificationList({ limit: 50, view, onCleanup: (fn) => ctx.onCleanup(fn) }));
}

route('/courses', coursesView, { title: 'Courses' });
route('/courses/:id', courseView, { title: 'Course' });
route('/courses/:id/lessons/:lessonId', lessonView, { title: 'Lesson' });
route('/courses/:id/assessments/:assessmentId', assessmentView, { title: 'Assessment' });
route('/courses/:id/assessments/:assessmentId/submissions/:submissionId', submissionView, { title: 'Submission' });
route('/courses/:id/students/:studentId', studentProgressView, { title: 'Student progress', instructor: true });
route('/payments/:id', receiptView, { title: 'Receipt' });
route('/profile', (root, params, ctx) => profileView(root, params, ctx, { onChanged: (u) => { shell.userName.textContent = u.name; } }), { title: 'Your account' });

function authGuard(match, path) {
  if (match && match.auth === false) return me() && (path === '/signin' || path === '/signup') ? '/' : null;
  if (!me()) return `/signin${path && path !== '/' ? `?next=${encodeURIComponent(path + location.search)}` : ''}`;
  if (match?.instructor && me().role !== 'instructor') return '/live-sessions';
  return null;
}

// --- boot

(async () => {
  if (pb.authStore.isValid) {
    try {
      await pb.collection('users').authRefresh(); // a fresh token and the current role
    } catch (err) {
      if (err?.status === 401 || err?.status === 403 || err?.status === 404) pb.authStore.clear();
    }
  }
  if (me()) await startSession();
  await start(shell.main, authGuard);
})();

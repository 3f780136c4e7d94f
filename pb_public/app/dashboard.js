// dashboard.js: the home page: upcoming and live sessions, classmates
// online, and shortcuts.
import { pb, me, isInstructor, get, filter, errorBox, showError } from './api.js';
import { h, set } from './dom.js';
import { presenceDot } from './presence.js';
import { sessionCard } from './sessions.js';
import { messageButton } from './chat.js';

/** dashboardView is /. */
export async function dashboardView(root, _params, ctx) {
  const err = errorBox();
  const sessionsEl = h('ul', { class: 'cards' });
  const onlineEl = h('ul', { class: 'people' });
  root.append(h('h1', { text: `Welcome, ${me().name || 'there'}` }), err,
    h('div', { class: 'two-col' },
      h('section', { 'aria-labelledby': 'dash-s' }, h('div', { class: 'page-head' }, h('h2', { id: 'dash-s', text: 'Upcoming sessions' }),
        h('a', { href: '/live-sessions' }, 'All sessions')), sessionsEl),
      h('section', { 'aria-labelledby': 'dash-o' }, h('h2', { id: 'dash-o', text: isInstructor() ? 'Students online' : 'Classmates online' }), onlineEl)),
    h('section', { class: 'shortcuts', 'aria-label': 'Shortcuts' },
      h('a', { href: '/office-hours', class: 'button' }, 'Office hours'),
      h('a', { href: '/study-groups', class: 'button' }, 'Study groups'),
      h('a', { href: '/chat', class: 'button' }, 'Chat'),
      h('a', { href: '/preferences', class: 'button' }, 'Notification preferences')));

  const loadSessions = async () => {
    const items = await pb.collection('live_sessions').getList(1, 6, { filter: 'status = "live" || status = "scheduled"', sort: '-status,scheduledStart', expand: 'course' });
    set(sessionsEl, items.items.length ? items.items.map(sessionCard) : h('li', { class: 'empty muted', text: 'No sessions coming up.' }));
  };
  const loadOnline = async () => {
    // the courses the user takes or teaches
    let courseIds;
    if (isInstructor()) {
      courseIds = (await pb.collection('courses').getFullList({ filter: filter('instructor = {:me}', { me: me().id }), fields: 'id' })).map((c) => c.id);
    } else {
      courseIds = (await pb.collection('enrollments').getFullList({ filter: filter('student = {:me} && status != "dropped"', { me: me().id }), fields: 'course' })).map((e) => e.course);
    }
    const people = new Map();
    for (const courseId of courseIds.slice(0, 10)) {
      const { items } = await get('/api/presence/online', { course: courseId });
      for (const u of items) if (u.id !== me().id) people.set(u.id, u);
    }
    set(onlineEl, people.size ? [...people.values()].map((u) => h('li', { dataset: { user: u.id } },
      h('span', { class: 'name', text: u.name }), presenceDot(u.id, u.status), u.activity ? h('span', { class: 'activity muted', text: u.activity }) : null,
      h('span', { class: 'row-actions' }, messageButton(u.id, u.name))))
      : h('li', { class: 'empty muted', text: 'Nobody else is online right now.' }));
  };
  const load = async () => {
    try { await Promise.all([loadSessions(), loadOnline()]); } catch (e) { showError(err, e); }
  };
  await load();
  await ctx.subscribe('live_sessions', '*', () => loadSessions().catch(() => {}));
  let timer = null;
  ctx.onCleanup(() => clearTimeout(timer));
  await ctx.subscribe('presence', '*', () => { clearTimeout(timer); timer = setTimeout(() => loadOnline().catch(() => {}), 500); });
  ctx.onReconnect(load);
}

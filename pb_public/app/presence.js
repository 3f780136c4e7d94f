// presence.js: everyone's presence as dots that update themselves, the
// status selector in the header, and the heartbeat every 60 s.
import { pb, me, post, put, anyOf, errorInfo } from './api.js';
import { h, set } from './dom.js';
import { onReconnectGlobal } from './router.js';

const statuses = new Map();
const lastSeen = new Map(); // userId -> Date, for users who show as offline
const LABELS = { online: 'Online', away: 'Away', busy: 'Busy', offline: 'Offline', invisible: 'Invisible' };
let unsubscribe = null;
let heartbeatTimer = null;
let activity = '';
let lastInput = Date.now();

/** presenceDot shows a user's status and follows its changes. */
export function presenceDot(userId, status) {
  if (status) statuses.set(userId, status);
  const el = h('span', { class: 'presence', dataset: { presenceUser: userId } });
  paint(el, statuses.get(userId) || 'offline');
  return el;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** seenAgo says how long ago a date was: "5 minutes ago", "yesterday". */
export function seenAgo(date, now = Date.now()) {
  const minutes = Math.round((date.getTime() - now) / 60_000);
  if (minutes > -1) return 'just now';
  if (minutes > -60) return relative.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours > -24) return relative.format(hours, 'hour');
  return relative.format(Math.round(hours / 24), 'day');
}

function paint(el, status) {
  el.dataset.status = status;
  const seen = status === 'offline' ? lastSeen.get(el.dataset.presenceUser) : null;
  const label = seen ? `Last seen ${seenAgo(seen)}` : LABELS[status] || status;
  set(el, h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'presence-label', text: label }));
}

/** update records what a presence row says (its lastSeen when the user shows offline). */
function update(userId, status, seen) {
  statuses.set(userId, status);
  const at = seen ? new Date(String(seen).replace(' ', 'T')) : null;
  if (at && !Number.isNaN(at.getTime())) lastSeen.set(userId, at);
  document.querySelectorAll(`[data-presence-user="${CSS.escape(userId)}"]`).forEach((el) => paint(el, status));
}

/** loadPresence fetches the statuses of users and repaints their dots. */
export async function loadPresence(userIds) {
  const ids = [...new Set(userIds)].filter(Boolean);
  if (!ids.length) return;
  const rows = await pb.collection('presence').getFullList({ filter: anyOf('user', ids), fields: 'user,status,lastSeen' });
  const seen = new Set();
  for (const row of rows) { update(row.user, row.status, row.lastSeen); seen.add(row.user); }
  for (const id of ids) if (!seen.has(id)) update(id, 'offline');
}

/** setActivity is what the next heartbeat says the user is doing. */
export function setActivity(text) {
  activity = String(text || '').slice(0, 100);
}

/** startPresence subscribes to presence, fills the selector and beats. */
export async function startPresence(select, errorEl) {
  ['mousemove', 'keydown', 'touchstart', 'scroll'].forEach((t) => window.addEventListener(t, () => { lastInput = Date.now(); }, { passive: true }));
  unsubscribe = await pb.collection('presence').subscribe('*', (e) => update(e.record.user, e.record.status, e.record.lastSeen));
  onReconnectGlobal(() => loadPresence([...statuses.keys()]).catch(() => {}));

  try {
    const mine = await pb.collection('presence').getFirstListItem(pb.filter('user = {:id}', { id: me().id }));
    select.value = mine.manualStatus || 'online';
  } catch { select.value = 'online'; }
  select.onchange = async () => {
    errorEl.hidden = true;
    try {
      const row = await put('/api/presence/status', { status: select.value });
      update(row.user, row.status);
    } catch (err) {
      errorEl.textContent = errorInfo(err).message;
      errorEl.hidden = false;
    }
  };
  heartbeat();
  heartbeatTimer = setInterval(heartbeat, 60_000);
}

async function heartbeat() {
  if (!pb.authStore.isValid) return;
  const active = document.visibilityState === 'visible' && Date.now() - lastInput < 5 * 60_000;
  try {
    await post('/api/presence/heartbeat', { activity, active });
  } catch { /* the next beat tries again */ }
}

/** stopPresence ends the heartbeat and the subscription (sign-out). */
export function stopPresence() {
  clearInterval(heartbeatTimer);
  heartbeatTimer = null;
  if (unsubscribe) unsubscribe().catch(() => {});
  unsubscribe = null;
  statuses.clear();
  lastSeen.clear();
}

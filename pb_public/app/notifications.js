// notifications.js: the bell with its badge of unseen notifications
// (opening it sees what it shows; read stays per notification), the inbox
// (read, read all, archive), toasts, desktop alerts for urgent and high
// notices while the tab is hidden (opt-in), and the realtime feed that
// keeps every tab in sync (create and update events of the notifications
// collection).
import { pb, get, post, errorBox, showError, hideError } from './api.js';
import { h, set, fmtDateTime, debounce } from './dom.js';
import { navigate, onReconnectGlobal } from './router.js';

const listeners = new Set(); // (action, record) => void
let unsubscribe = null;
let bell = null;
let panel = null;
let disposePanelList = null; // ends the open bell panel's list
const seen = new Set(); // ids already toasted
let newest = ''; // the newest notification's created time seen so far

/** onNotification tells fn of every create and update event. */
export function onNotification(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** startNotifications wires the bell and subscribes to the inbox. */
export async function startNotifications(bellButton, panelEl) {
  bell = bellButton;
  panel = panelEl;
  bell.onclick = () => togglePanel();
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !panel.hidden) togglePanel(false); });
  document.addEventListener('click', (e) => {
    if (!panel.hidden && !panel.contains(e.target) && !bell.contains(e.target)) togglePanel(false);
  });
  unsubscribe = await pb.collection('notifications').subscribe('*', (e) => {
    if (e.action === 'create') {
      if (seen.has(e.record.id)) return; // one toast per notification, even if an event comes twice
      seen.add(e.record.id);
      if (e.record.created > newest) newest = e.record.created;
      if (!e.record.archivedAt && !e.record.readAt) toast(e.record);
    }
    refreshUnreadSoon();
    listeners.forEach((fn) => fn(e.action, e.record));
  });
  onReconnectGlobal(catchUp);
  try {
    const latest = await pb.collection('notifications').getList(1, 1, { sort: '-created', fields: 'id,created' });
    if (latest.items[0] && latest.items[0].created > newest) newest = latest.items[0].created;
  } catch { /* then a reconnect catches up from now on */ }
  await refreshUnread();
}

// what arrived while the connection was down: toasts for the notifications
// delivered meanwhile, then fresh lists and counts
async function catchUp() {
  refreshUnread();
  listeners.forEach((fn) => fn('reload', null));
  if (!newest) return;
  try {
    const missed = await pb.collection('notifications').getList(1, 5, {
      filter: pb.filter('created > {:t} && readAt = "" && archivedAt = ""', { t: newest }), sort: 'created',
    });
    for (const n of missed.items) {
      if (n.created > newest) newest = n.created;
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      toast(n);
    }
  } catch { /* the next reconnect tries again */ }
}

/** stopNotifications ends the subscription (sign-out). */
export function stopNotifications() {
  if (unsubscribe) unsubscribe().catch(() => {});
  unsubscribe = null;
  refreshUnreadSoon.cancel();
  listeners.clear();
  seen.clear();
  newest = '';
  if (panel) togglePanel(false);
  document.getElementById('toasts')?.replaceChildren();
}

/** refreshUnread asks the server for the unread count and shows it. */
export async function refreshUnread() {
  if (!bell) return null;
  try {
    const { count, unseen = count } = await get('/api/notifications/unread-count');
    const badge = bell.querySelector('.badge');
    badge.textContent = unseen > 99 ? '99+' : String(unseen);
    badge.hidden = unseen === 0;
    bell.dataset.unread = String(count);
    bell.dataset.unseen = String(unseen);
    bell.setAttribute('aria-label', `Notifications, ${unseen ? `${unseen} new` : 'none new'}, ${count || 'none'} unread`);
    return count;
  } catch { return null; /* kept as it was; the next event or reconnect retries */ }
}

// a burst of events (read all publishes one update per record) asks once
const refreshUnreadSoon = debounce(refreshUnread, 100);

function togglePanel(open = panel.hidden) {
  disposePanelList?.();
  disposePanelList = null;
  panel.hidden = !open;
  bell.setAttribute('aria-expanded', String(open));
  if (!open) { set(panel); return; }
  const list = notificationList({ limit: 10, compact: true, onNavigate: () => togglePanel(false), onCleanup: (fn) => { disposePanelList = fn; }, onLoaded: markSeen });
  set(panel,
    h('div', { class: 'panel-head' },
      h('h2', { id: 'notif-panel-title', text: 'Notifications' }),
      desktopToggle(),
      h('a', { href: '/notifications', onclick: () => togglePanel(false) }, 'See all')),
    list);
  panel.setAttribute('aria-labelledby', 'notif-panel-title');
  list.querySelector('button')?.focus();
}

/** markSeen tells the server the user has seen the notifications shown. */
function markSeen(records) {
  const ids = records.filter((n) => !n.seenAt).map((n) => n.id);
  if (ids.length) post('/api/notifications/seen', { ids }).then(refreshUnreadSoon).catch(() => {});
}

// --- desktop alerts

const DESKTOP_KEY = 'studyhall.desktopAlerts';

/** desktopOn tells whether this browser opted in and may show alerts. */
function desktopOn() {
  return localStorage.getItem(DESKTOP_KEY) === '1' && 'Notification' in window && Notification.permission === 'granted';
}

/** desktopToggle is the panel's opt-in switch for desktop alerts. */
function desktopToggle() {
  if (!('Notification' in window)) return null;
  const state = h('span', { class: 'muted small', role: 'status' });
  const button = h('button', { type: 'button', class: 'small ghost', id: 'desktop-alerts', 'aria-pressed': String(desktopOn()) });
  const paint = () => {
    button.textContent = desktopOn() ? 'Desktop alerts: on' : 'Desktop alerts: off';
    button.setAttribute('aria-pressed', String(desktopOn()));
    state.textContent = Notification.permission === 'denied' ? 'Blocked in this browser' : '';
  };
  button.onclick = async () => {
    if (desktopOn()) localStorage.removeItem(DESKTOP_KEY);
    else if ((await Notification.requestPermission()) === 'granted') localStorage.setItem(DESKTOP_KEY, '1');
    paint();
  };
  paint();
  return h('span', { class: 'desktop-alerts' }, button, state);
}

/** desktopAlert shows an urgent or high notice outside the hidden tab. */
function desktopAlert(record) {
  if (document.visibilityState !== 'hidden' || !desktopOn()) return;
  if (record.priority !== 'urgent' && record.priority !== 'high') return;
  const alert = new Notification(record.title, { body: record.message || '', tag: record.id });
  alert.onclick = () => { window.focus(); alert.close(); openAction(record); };
}

/** openAction follows a notification's action and marks it read. */
function openAction(record, after) {
  if (!record.readAt) post(`/api/notifications/${record.id}/read`).catch(() => {});
  after?.();
  const url = record.actionUrl || '/';
  if (/^\//.test(url) && !url.startsWith('//')) navigate(url);
}

// --- toasts

/** toast shows a notification for a while; urgent and high ones warn. */
export function toast(record) {
  const box = document.getElementById('toasts');
  const warning = record.priority === 'urgent' || record.priority === 'high';
  const el = h('div', { class: `toast${warning ? ' toast-warning' : ''}`, role: warning ? 'alert' : 'status', dataset: { id: record.id, priority: record.priority } });
  const close = () => el.remove();
  set(el,
    h('div', { class: 'toast-body' },
      h('strong', { class: 'toast-title', text: record.title }),
      record.message ? h('p', { class: 'toast-message', text: record.message }) : null),
    h('div', { class: 'toast-actions' },
      record.actionUrl ? h('button', { type: 'button', class: 'primary small', onclick: () => openAction(record, close) }, record.actionText || 'Open') : null,
      h('button', { type: 'button', class: 'ghost small', 'aria-label': `Dismiss: ${record.title}`, onclick: close }, '×')));
  box.append(el);
  if (record.id) desktopAlert(record);
  while (box.children.length > 4) box.firstElementChild.remove();
  setTimeout(close, warning ? 20_000 : 10_000);
}

/** toastText shows a plain message from the app itself. */
export function toastText(text, warning = false) {
  toast({ id: '', title: text, message: '', priority: warning ? 'high' : 'normal' });
}

// --- the inbox list

/**
 * notificationList is a live list of the latest notifications with read,
 * archive and "mark all read"; view 'archived' shows the archived ones.
 * onCleanup is given the function that stops the list's live updates.
 */
export function notificationList({ limit = 30, compact = false, view = 'inbox', onNavigate, onCleanup, onLoaded } = {}) {
  const root = h('section', { class: `notif-list${compact ? ' compact' : ''}`, 'aria-label': 'Notification list' });
  const err = errorBox();
  const items = h('ul', { class: 'items' });
  const readAll = h('button', { type: 'button', class: 'small', onclick: async () => {
    hideError(err);
    // the update events refresh the count too; this covers a realtime connection that is down
    try { await post('/api/notifications/read-all'); await load(); refreshUnreadSoon(); } catch (e) { showError(err, e); }
  } }, 'Mark all read');
  root.append(h('div', { class: 'toolbar' }, view === 'inbox' ? readAll : null), err, items);

  const byId = new Map();
  const row = (n) => {
    const li = h('li', { class: `notif${n.readAt ? '' : ' unread'}`, dataset: { id: n.id, priority: n.priority } });
    const actions = h('div', { class: 'notif-actions' });
    if (n.actionUrl) actions.append(h('button', { type: 'button', class: 'small primary', onclick: () => openAction(n, onNavigate) }, n.actionText || 'Open'));
    if (!n.readAt) actions.append(h('button', { type: 'button', class: 'small', 'aria-label': `Mark read: ${n.title}`, onclick: () => act(n, 'read') }, 'Mark read'));
    if (!n.archivedAt) actions.append(h('button', { type: 'button', class: 'small ghost', 'aria-label': `Archive: ${n.title}`, onclick: () => act(n, 'archive') }, 'Archive'));
    set(li,
      h('div', { class: 'notif-main' },
        h('span', { class: `prio prio-${n.priority}`, text: n.priority === 'normal' || n.priority === 'low' ? '' : n.priority }),
        h('strong', { class: 'notif-title', text: n.title }),
        n.message ? h('p', { class: 'notif-message', text: n.message }) : null,
        h('time', { datetime: n.created, text: fmtDateTime(n.created) })),
      actions);
    return li;
  };
  const paint = (records) => {
    byId.clear();
    set(items, records.length ? records.map((n) => { const li = row(n); byId.set(n.id, li); return li; })
      : h('li', { class: 'empty', text: view === 'archived' ? 'No archived notifications.' : 'You are all caught up.' }));
  };
  const act = async (n, what) => {
    hideError(err);
    try { await post(`/api/notifications/${n.id}/${what}`); } catch (e) { showError(err, e); }
  };
  const load = async () => {
    try {
      const res = await pb.collection('notifications').getList(1, limit, {
        filter: view === 'archived' ? 'archivedAt != ""' : 'archivedAt = ""', sort: '-created',
      });
      paint(res.items);
      onLoaded?.(res.items);
    } catch (e) { showError(err, e); }
  };
  onCleanup?.(onNotification((action, record) => {
    if (action === 'reload') { load(); return; }
    const inView = view === 'archived' ? !!record.archivedAt : !record.archivedAt;
    const existing = byId.get(record.id);
    if (existing) {
      if (inView) { const li = row(record); existing.replaceWith(li); byId.set(record.id, li); }
      else { existing.remove(); byId.delete(record.id); if (!items.children.length) load(); }
    } else if (inView) {
      if (action === 'create' && view === 'inbox') {
        items.querySelector('.empty')?.remove();
        const li = row(record); byId.set(record.id, li); items.prepend(li);
      } else load();
    }
  }));
  load();
  return root;
}

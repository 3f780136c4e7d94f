// router.js: client-side routes on the History API (the server falls back
// to index.html for any unknown path), and the view context that ties a
// view's subscriptions, timers and reconnect handlers to its lifetime.
import { pb } from './api.js';
import { h, set } from './dom.js';

const routes = [];
let current = null; // the active view context
let outlet = null;
let guard = () => null;

/** route adds a path pattern such as '/live-sessions/:id'. */
export function route(pattern, view, { title = '', auth = true, instructor = false } = {}) {
  const names = [];
  const re = new RegExp('^' + pattern.replace(/:([a-zA-Z]+)/g, (_, n) => { names.push(n); return '([^/]+)'; }) + '/?$');
  routes.push({ re, names, view, title, auth, instructor });
}

/** start renders the current URL into el and follows links and history. */
export function start(el, authGuard) {
  outlet = el;
  guard = authGuard;
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a[href]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
    if (a.pathname.startsWith('/api/') || a.pathname.startsWith('/_/')) return;
    e.preventDefault();
    navigate(a.pathname + a.search);
  });
  window.addEventListener('popstate', () => render());
  return render();
}

/** navigate goes to a path inside the app. */
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState({}, '', path);
  else history.pushState({}, '', path);
  return render();
}

async function render() {
  const path = location.pathname;
  let match = null;
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) {
      const params = {};
      r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
      match = { ...r, params };
      break;
    }
  }
  const redirect = guard(match, path);
  if (redirect && redirect !== path) return navigate(redirect, { replace: true });

  if (current) current.dispose();
  const ctx = new ViewContext();
  current = ctx;
  set(outlet);
  document.querySelectorAll('nav a[data-nav]').forEach((a) => {
    const active = a.dataset.nav === '/' ? path === '/' : path.startsWith(a.dataset.nav);
    if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  if (!match) {
    document.title = 'Not found · studyhall';
    outlet.append(h('h1', { tabindex: '-1', text: 'Page not found' }),
      h('p', {}, 'There is nothing at this address. ', h('a', { href: '/' }, 'Back to the dashboard')));
    focusHeading();
    return;
  }
  document.title = (match.title ? match.title + ' · ' : '') + 'studyhall';
  try {
    await match.view(outlet, match.params, ctx);
  } catch (err) {
    if (!ctx.alive) return;
    console.error(err);
    outlet.append(h('div', { class: 'error', role: 'alert' }, h('p', { text: err?.response?.message || err?.message || 'This page could not be loaded.' })));
  }
  if (ctx.alive) focusHeading();
}

function focusHeading() {
  const h1 = outlet.querySelector('h1');
  if (h1 && !outlet.contains(document.activeElement)) {
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: true });
  }
}

// --- view context

const reconnectHandlers = new Set();
let connectedOnce = false;
let realtimeStarted = false;
const connectionListeners = new Set();

/** onConnectionChange is told true when realtime connects, false when lost. */
export function onConnectionChange(fn) {
  connectionListeners.add(fn);
}

/**
 * startRealtime watches the realtime connection: the SDK reconnects and
 * re-sends every subscription by itself; on each reconnect the views
 * reload what they may have missed.
 */
export async function startRealtime() {
  if (realtimeStarted) return;
  realtimeStarted = true;
  pb.realtime.onDisconnect = (active) => {
    if (active.length) connectionListeners.forEach((fn) => fn(false));
  };
  await pb.realtime.subscribe('PB_CONNECT', () => {
    // how many times realtime (re)connected, for tests and debugging
    document.documentElement.dataset.realtimeConnects = String(Number(document.documentElement.dataset.realtimeConnects || 0) + 1);
    connectionListeners.forEach((fn) => fn(true));
    if (connectedOnce) reconnectHandlers.forEach((fn) => { try { fn(); } catch (err) { console.error(err); } });
    connectedOnce = true;
  });
}

/** stopRealtime ends every subscription (sign-out). */
export async function stopRealtime() {
  realtimeStarted = false;
  connectedOnce = false;
  reconnectHandlers.clear();
  try { await pb.realtime.unsubscribe(); } catch { /* already closed */ }
}

/** onReconnectGlobal registers a handler for the app's lifetime. */
export function onReconnectGlobal(fn) {
  reconnectHandlers.add(fn);
  return () => reconnectHandlers.delete(fn);
}

/** ViewContext owns what a view started, all undone when it goes away. */
export class ViewContext {
  constructor() {
    this.alive = true;
    this.cleanups = [];
  }

  onCleanup(fn) {
    if (!this.alive) { fn(); return; }
    this.cleanups.push(fn);
  }

  onReconnect(fn) {
    reconnectHandlers.add(fn);
    this.onCleanup(() => reconnectHandlers.delete(fn));
  }

  interval(fn, ms) {
    const t = setInterval(fn, ms);
    this.onCleanup(() => clearInterval(t));
  }

  /** subscribe to record events of a collection (topic '*' or an id). */
  async subscribe(collection, topic, cb, options) {
    const unsub = await pb.collection(collection).subscribe(topic, (e) => { if (this.alive) cb(e); }, options);
    this.onCleanup(() => unsub().catch(() => {}));
    return unsub;
  }

  /** subscribeTopic subscribes to a custom realtime topic (chat/ROOM). */
  async subscribeTopic(topic, cb) {
    const unsub = await pb.realtime.subscribe(topic, (e) => { if (this.alive) cb(e); });
    this.onCleanup(() => unsub().catch(() => {}));
    return unsub;
  }

  /** child is a context that ends with this one or earlier. */
  child() {
    const c = new ViewContext();
    this.onCleanup(() => c.dispose());
    return c;
  }

  dispose() {
    if (!this.alive) return;
    this.alive = false;
    for (const fn of this.cleanups.splice(0).reverse()) {
      try { fn(); } catch (err) { console.error(err); }
    }
  }
}

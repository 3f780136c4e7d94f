// chat.js: the chat page (rooms with unread counts) and the room panel used
// by the chat page, live sessions, study groups and office hours: messages
// over the chat/ROOM topic, typing over chat/ROOM/typing, edit within 15
// minutes, delete. Message bodies are only ever set as text.
import { pb, me, get, post, errorBox, showError, hideError, filter, errorInfo } from './api.js';
import { h, set, id as uid, fmtTime, fmtDateTime, parseDate } from './dom.js';
import { navigate } from './router.js';
import { toastText } from './notifications.js';

const EDIT_WINDOW_MS = 15 * 60 * 1000;
const names = new Map(); // user id -> name

async function nameOf(userId) {
  if (names.has(userId)) return names.get(userId);
  try {
    const u = await pb.collection('users').getOne(userId, { fields: 'id,name' });
    names.set(userId, u.name);
    return u.name;
  } catch {
    return 'Someone';
  }
}

/** chatUnread is {roomId: count} for the signed-in user. */
export async function chatUnread() {
  try {
    const res = await get('/api/chat/unread');
    return res.rooms || {};
  } catch {
    return {};
  }
}

/** refreshChatBadge shows the total of unread messages beside Chat. */
export async function refreshChatBadge() {
  if (!document.getElementById('chat-badge')) return;
  paintChatBadge(await chatUnread());
}

/** paintChatBadge shows the total of rooms ({roomId: count}) beside Chat. */
function paintChatBadge(rooms) {
  const badge = document.getElementById('chat-badge');
  if (!badge) return;
  const total = Object.values(rooms).reduce((a, b) => a + b, 0);
  badge.textContent = String(total);
  badge.hidden = total === 0;
  badge.setAttribute('aria-label', `${total} unread`);
}

/** chatView is /chat and /chat/:roomId. */
export async function chatView(root, params, ctx) {
  const err = errorBox();
  const list = h('ul', { class: 'room-list' });
  const pane = h('div', { class: 'room-pane' });
  root.append(h('h1', { text: 'Chat' }), err, h('div', { class: 'chat-layout' },
    h('nav', { class: 'rooms', 'aria-label': 'Chat rooms' }, list), pane));

  let rooms = [];
  const loadRooms = async () => {
    try {
      const [items, unread] = await Promise.all([
        pb.collection('chat_rooms').getFullList({ sort: '-lastMessageAt,-created' }),
        chatUnread(),
      ]);
      rooms = items;
      paintChatBadge(unread);
      set(list, rooms.length ? rooms.map((r) => {
        const count = unread[r.id] || 0;
        return h('li', {},
          h('a', { href: `/chat/${r.id}`, 'aria-current': r.id === params.roomId ? 'page' : null, dataset: { room: r.id } },
            h('span', { class: 'room-name', text: r.name || r.type }),
            h('span', { class: 'room-type', text: r.type.replace('_', ' ') }),
            count ? h('span', { class: 'badge', 'aria-label': `${count} unread`, text: String(count) }) : null));
      }) : h('li', { class: 'empty', text: 'No conversations yet. Join a live session or a study group to chat.' }));
    } catch (e) { showError(err, e); }
  };
  await loadRooms();
  ctx.onReconnect(loadRooms);
  ctx.interval(loadRooms, 30_000);

  if (params.roomId) {
    const room = rooms.find((r) => r.id === params.roomId);
    if (!room) {
      set(pane, h('p', { class: 'muted', text: 'This conversation does not exist or you are not part of it.' }));
      return;
    }
    await mountChat(pane, room, ctx, { onRead: loadRooms });
  } else {
    set(pane, h('p', { class: 'muted', text: 'Choose a conversation.' }));
  }
}

/**
 * mountChat shows one room in el: its latest messages, new ones live, the
 * typing indicator, and a composer. room is a chat_rooms record or an id.
 */
export async function mountChat(el, room, parentCtx, { title, onRead } = {}) {
  const ctx = parentCtx.child();
  const roomId = typeof room === 'string' ? room : room.id;
  const roomName = title || (typeof room === 'object' ? room.name : '') || 'Chat';
  const myId = me().id;
  const headingId = uid('chat');
  const err = errorBox();
  const log = h('ol', { class: 'messages', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-labelledby': headingId });
  const typingEl = h('p', { class: 'typing', 'aria-live': 'polite' });
  const inputId = uid('msg');
  const input = h('textarea', { id: inputId, name: 'body', rows: '2', maxlength: '5000', required: true, placeholder: 'Write a message…' });
  const sendBtn = h('button', { type: 'submit', class: 'primary' }, 'Send');
  const form = h('form', { class: 'composer' },
    h('label', { for: inputId, class: 'visually-hidden', text: `Message to ${roomName}` }), input, sendBtn);
  set(el, h('section', { class: 'chat', dataset: { room: roomId } },
    h('h2', { id: headingId, text: roomName }), log, typingEl, err, form));

  const rows = new Map(); // message id -> li
  const row = (m) => {
    const mine = m.sender === myId;
    const li = h('li', { class: `msg${mine ? ' mine' : ''}${m.deletedAt ? ' deleted' : ''}`, dataset: { id: m.id } });
    const who = h('span', { class: 'sender', text: mine ? 'You' : (m.expand?.sender?.name || names.get(m.sender) || '…') });
    if (!mine && !m.expand?.sender && !names.has(m.sender)) nameOf(m.sender).then((n) => { who.textContent = n; });
    if (m.expand?.sender) names.set(m.sender, m.expand.sender.name);
    const body = m.deletedAt ? h('p', { class: 'body muted', text: 'Message deleted' }) : h('p', { class: 'body', text: m.body });
    const meta = h('span', { class: 'meta' }, h('time', { datetime: m.created, title: fmtDateTime(m.created), text: fmtTime(m.created) }),
      m.editedAt && !m.deletedAt ? ' · edited' : '');
    const actions = h('span', { class: 'msg-actions' });
    if (mine && !m.deletedAt) {
      if (Date.now() - (parseDate(m.created)?.getTime() || 0) < EDIT_WINDOW_MS) {
        actions.append(h('button', { type: 'button', class: 'link small', 'aria-label': 'Edit message', onclick: () => startEdit(m, li) }, 'Edit'));
      }
      actions.append(h('button', { type: 'button', class: 'link small', 'aria-label': 'Delete message', onclick: () => remove(m) }, 'Delete'));
    }
    set(li, h('div', { class: 'msg-head' }, who, meta, actions), body);
    return li;
  };
  const put = (m, action) => {
    const existing = rows.get(m.id);
    if (action === 'delete') { existing?.remove(); rows.delete(m.id); return; }
    const li = row(m);
    if (existing) existing.replaceWith(li);
    else {
      log.querySelector('.empty')?.remove();
      log.append(li);
      log.scrollTop = log.scrollHeight;
    }
    rows.set(m.id, li);
  };
  const startEdit = (m, li) => {
    const editId = uid('edit');
    const box = h('textarea', { id: editId, rows: '2', maxlength: '5000', value: m.body });
    const editErr = errorBox();
    const f = h('form', { class: 'edit' }, h('label', { for: editId, class: 'visually-hidden', text: 'Edit message' }), box,
      h('button', { type: 'submit', class: 'small primary' }, 'Save'),
      h('button', { type: 'button', class: 'small', onclick: () => put(m) }, 'Cancel'), editErr);
    f.onsubmit = async (e) => {
      e.preventDefault();
      try {
        const saved = await pb.collection('chat_messages').update(m.id, { body: box.value }, { expand: 'sender' });
        put(saved);
      } catch (ex) { showError(editErr, ex); }
    };
    li.querySelector('.body').replaceWith(f);
    box.focus();
  };
  const remove = async (m) => {
    hideError(err);
    try { put(await post(`/api/chat/messages/${m.id}/delete`)); } catch (e) { showError(err, e); }
  };

  const markRead = async () => {
    try { await post(`/api/chat/rooms/${roomId}/read`); onRead ? onRead() : refreshChatBadge(); } catch { /* not essential */ }
  };
  const load = async () => {
    try {
      const res = await pb.collection('chat_messages').getList(1, 50, { filter: filter('room = {:room}', { room: roomId }), sort: '-created,-id', expand: 'sender' });
      rows.clear();
      set(log);
      const items = res.items.reverse();
      if (!items.length) log.append(h('li', { class: 'empty muted', text: 'No messages yet. Say hello!' }));
      items.forEach((m) => put(m));
      markRead();
    } catch (e) { showError(err, e); }
  };

  // typing: others' indicators, expiring by themselves if the "false" is lost
  const typers = new Map(); // userId -> {name, timer}
  const paintTyping = () => {
    const who = [...typers.values()].map((t) => t.name);
    typingEl.textContent = who.length === 0 ? '' : who.length === 1 ? `${who[0]} is typing…` : `${who.join(', ')} are typing…`;
  };
  await ctx.subscribeTopic(`chat/${roomId}/typing`, (e) => {
    if (!e || e.userId === myId) return;
    clearTimeout(typers.get(e.userId)?.timer);
    if (e.typing) {
      typers.set(e.userId, { name: e.name || 'Someone', timer: setTimeout(() => { typers.delete(e.userId); paintTyping(); }, 8000) });
    } else typers.delete(e.userId);
    paintTyping();
  });
  await ctx.subscribeTopic(`chat/${roomId}`, (e) => {
    if (!e?.record) return;
    put(e.record, e.action);
    if (e.action === 'create' && e.record.sender !== myId) {
      const t = typers.get(e.record.sender);
      if (t) { clearTimeout(t.timer); typers.delete(e.record.sender); paintTyping(); }
      if (document.visibilityState === 'visible') markRead();
    }
  });
  ctx.onReconnect(load);
  await load();

  // my typing: one "true" every 3 s at most while typing, "false" when done
  let typingSentAt = 0;
  let idleTimer = null;
  const sendTyping = (typing) => post(`/api/chat/rooms/${roomId}/typing`, { typing }).catch(() => {});
  const stopTyping = () => {
    clearTimeout(idleTimer);
    if (typingSentAt) { typingSentAt = 0; sendTyping(false); }
  };
  input.addEventListener('input', () => {
    if (!input.value.trim()) { stopTyping(); return; }
    if (Date.now() - typingSentAt > 3000) { typingSentAt = Date.now(); sendTyping(true); }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stopTyping, 4000);
  });
  input.addEventListener('blur', stopTyping);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  ctx.onCleanup(() => { clearTimeout(idleTimer); typers.forEach((t) => clearTimeout(t.timer)); if (typingSentAt) sendTyping(false); });

  form.onsubmit = async (e) => {
    e.preventDefault();
    const body = input.value;
    if (!body.trim()) return;
    hideError(err);
    sendBtn.disabled = true;
    try {
      const m = await pb.collection('chat_messages').create({ room: roomId, sender: myId, body }, { expand: 'sender' });
      put(m);
      input.value = '';
      typingSentAt = 0;
      clearTimeout(idleTimer);
    } catch (ex) {
      showError(err, ex);
    } finally {
      sendBtn.disabled = false;
      input.focus();
    }
  };
  return ctx;
}

/**
 * chatSlot keeps a room's chat in el while there is a room to show:
 * show(roomId) mounts it once, show('') ends it and shows placeholder.
 */
export function chatSlot(el, parentCtx, { title, placeholder }) {
  let ctx = null;
  return async (roomId) => {
    if (roomId && !ctx) {
      ctx = parentCtx.child();
      await mountChat(el, roomId, ctx, { title });
    } else if (!roomId) {
      ctx?.dispose();
      ctx = null;
      set(el, h('p', { class: 'muted', text: placeholder }));
    }
  };
}

/** messageButton opens (or creates) the direct room with a user. */
export function messageButton(userId, name) {
  const btn = h('button', { type: 'button', class: 'small', 'aria-label': `Message ${name}` }, 'Message');
  btn.onclick = async () => {
    btn.disabled = true;
    try {
      const room = await post('/api/chat/direct', { userId });
      navigate(`/chat/${room.id}`);
    } catch (err) {
      toastText(errorInfo(err).message, true);
    } finally {
      btn.disabled = false;
    }
  };
  return btn;
}

// chat.js: the chat page (rooms with unread counts) and the room panel used
// by the chat page, live sessions, study groups and office hours: messages
// over the chat/ROOM topic, typing over chat/ROOM/typing, replies with the
// quoted line, older history paged in on scroll, edit within 15 minutes,
// delete, and removal by the room's moderators. Message bodies are only
// ever set as text.
// Over 400 lines: the room view with its history paging, replies, typing and moderation, which share one state.
import { pb, me, get, post, errorBox, showError, hideError, filter, errorInfo } from './api.js';
import { h, set, id as uid, fmtTime, fmtDateTime, parseDate } from './dom.js';
import { navigate } from './router.js';
import { toastText } from './notifications.js';
import { avatar } from './account.js';

const EDIT_WINDOW_MS = 15 * 60 * 1000;
/** PAGE is how many messages one history request brings. */
const PAGE = 50;

// users seen in chat: topic events carry records without expand, so
// senders are looked up once and kept
const users = new Map(); // user id -> {id, collectionId, collectionName, name, avatar}
const pendingUsers = new Map(); // user id -> Promise of the user

function rememberUser(u) {
  if (u?.id) users.set(u.id, { id: u.id, collectionId: u.collectionId, collectionName: u.collectionName || 'users', name: u.name, avatar: u.avatar });
}

/** userOf is a chat user ({name, avatar, ...}), fetched once. */
function userOf(userId) {
  if (users.has(userId)) return Promise.resolve(users.get(userId));
  if (!pendingUsers.has(userId)) {
    pendingUsers.set(userId, pb.collection('users').getOne(userId, { fields: 'id,collectionId,collectionName,name,avatar' })
      .then((u) => { rememberUser(u); return users.get(userId); })
      .catch(() => ({ id: userId, name: 'Someone' }))
      .finally(() => pendingUsers.delete(userId)));
  }
  return pendingUsers.get(userId);
}

/** tombstoneText is what stands for a deleted message. */
function tombstoneText(m) {
  return m.removedByModerator ? 'Message removed by a moderator' : 'Message deleted';
}

/** firstLine is a message's first line, cut to a quote's length. */
function firstLine(body) {
  const line = String(body || '').split('\n').find((l) => l.trim()) || '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
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
 * mountChat shows one room in el: its latest messages, older ones paged in
 * as the reader scrolls up, new ones live, the typing indicator, and a
 * composer that can answer a message. room is a chat_rooms record or an id.
 */
export async function mountChat(el, room, parentCtx, { title, onRead } = {}) {
  const ctx = parentCtx.child();
  const roomId = typeof room === 'string' ? room : room.id;
  const roomName = title || (typeof room === 'object' ? room.name : '') || 'Chat';
  const myId = me().id;
  rememberUser(me());
  const headingId = uid('chat');
  const err = errorBox();
  const olderBtn = h('button', { type: 'button', class: 'link small load-older', hidden: true }, 'Load older messages');
  const top = h('li', { class: 'history-top muted', 'aria-live': 'polite' }, olderBtn);
  const log = h('ol', { class: 'messages', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-labelledby': headingId });
  const typingEl = h('p', { class: 'typing', 'aria-live': 'polite' });
  const inputId = uid('msg');
  const input = h('textarea', { id: inputId, name: 'body', rows: '2', maxlength: '5000', required: true, placeholder: 'Write a message…' });
  const sendBtn = h('button', { type: 'submit', class: 'primary' }, 'Send');
  const replyBar = h('div', { class: 'reply-bar', hidden: true });
  const form = h('form', { class: 'composer' },
    h('label', { for: inputId, class: 'visually-hidden', text: `Message to ${roomName}` }), input, sendBtn);
  set(el, h('section', { class: 'chat', dataset: { room: roomId } },
    h('h2', { id: headingId, text: roomName }), log, typingEl, err, replyBar, form));

  const messages = new Map(); // message id -> record, those shown and those quoted
  const rows = new Map(); // message id -> li, those shown
  let oldest = null; // {created, id} of the oldest message shown
  let hasOlder = false;
  let loadingOlder = false;
  let replyingTo = null;
  // whether the caller may remove others' messages: the server decides
  // (the room's moderators), this only offers the button
  let moderator = false;

  // who: an avatar and a name that fill in once the user is known
  const who = (userId, mine) => {
    const pic = h('span', { class: 'msg-avatar' }, avatar(users.get(userId) || { name: '?' }, 24));
    const name = h('span', { class: 'sender', text: mine ? 'You' : (users.get(userId)?.name || '…') });
    if (!users.has(userId)) {
      userOf(userId).then((u) => { set(pic, avatar(u, 24)); if (!mine) name.textContent = u.name || 'Someone'; });
    }
    return { pic, name };
  };

  const quote = (m) => {
    if (!m.replyTo) return null;
    const q = h('blockquote', { class: 'quote', dataset: { quotes: m.replyTo } });
    const fill = (orig) => {
      if (!orig) { set(q, h('span', { class: 'muted', text: 'Reply to an earlier message' })); return; }
      const from = users.get(orig.sender)?.name || (orig.sender === myId ? 'You' : '…');
      set(q, h('span', { class: 'quote-sender', text: orig.sender === myId ? 'You' : from }), ': ',
        orig.deletedAt ? h('em', { class: 'muted', text: tombstoneText(orig) }) : h('span', { class: 'quote-text', text: firstLine(orig.body) }));
      if (!users.has(orig.sender)) userOf(orig.sender).then(() => fill(orig));
    };
    const orig = messages.get(m.replyTo);
    if (orig) fill(orig);
    else {
      fill(null);
      pb.collection('chat_messages').getOne(m.replyTo, { expand: 'sender' })
        .then((o) => { rememberUser(o.expand?.sender); messages.set(o.id, o); fill(o); })
        .catch(() => {});
    }
    return q;
  };

  const row = (m) => {
    const mine = m.sender === myId;
    if (m.expand?.sender) rememberUser(m.expand.sender);
    const li = h('li', { class: `msg${mine ? ' mine' : ''}${m.deletedAt ? ' deleted' : ''}${m.removedByModerator ? ' moderated' : ''}`, dataset: { id: m.id } });
    const { pic, name } = who(m.sender, mine);
    const body = m.deletedAt ? h('p', { class: 'body muted', text: tombstoneText(m) }) : h('p', { class: 'body', text: m.body });
    const meta = h('span', { class: 'meta' }, h('time', { datetime: m.created, title: fmtDateTime(m.created), text: fmtTime(m.created) }),
      m.editedAt && !m.deletedAt ? ' · edited' : '');
    const actions = h('span', { class: 'msg-actions' });
    if (!m.deletedAt) {
      actions.append(h('button', { type: 'button', class: 'link small', 'aria-label': 'Reply to this message', onclick: () => startReply(m) }, 'Reply'));
      if (mine) {
        if (Date.now() - (parseDate(m.created)?.getTime() || 0) < EDIT_WINDOW_MS) {
          actions.append(h('button', { type: 'button', class: 'link small', 'aria-label': 'Edit message', onclick: () => startEdit(m, li) }, 'Edit'));
        }
        actions.append(h('button', { type: 'button', class: 'link small', 'aria-label': 'Delete message', onclick: () => remove(m) }, 'Delete'));
      } else if (moderator) {
        actions.append(h('button', { type: 'button', class: 'link small danger', 'aria-label': `Remove message by ${users.get(m.sender)?.name || 'this member'}`, onclick: () => remove(m) }, 'Remove'));
      }
    }
    set(li, pic, h('div', { class: 'msg-main' }, h('div', { class: 'msg-head' }, name, meta, actions), quote(m), body));
    return li;
  };

  // redraw repaints a shown message and the replies that quote it
  const redraw = (m) => {
    const existing = rows.get(m.id);
    if (existing) {
      const li = row(m);
      existing.replaceWith(li);
      rows.set(m.id, li);
    }
    for (const [rid, r] of rows) {
      if (messages.get(rid)?.replyTo === m.id) {
        const li = row(messages.get(rid));
        r.replaceWith(li);
        rows.set(rid, li);
      }
    }
  };

  // put shows a message live: new ones at the bottom, changes in place
  const put = (m, action) => {
    if (action === 'delete') {
      rows.get(m.id)?.remove();
      rows.delete(m.id);
      messages.delete(m.id);
      return;
    }
    const known = rows.has(m.id);
    messages.set(m.id, m);
    if (known || action === 'update') { redraw(m); return; }
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    log.querySelector('.empty')?.remove();
    const li = row(m);
    log.append(li);
    rows.set(m.id, li);
    if (atBottom || m.sender === myId) log.scrollTop = log.scrollHeight;
  };

  const paintTop = () => {
    olderBtn.hidden = !hasOlder;
    top.dataset.state = hasOlder ? 'more' : 'start';
    if (!hasOlder && rows.size) set(top, h('span', { text: 'Start of the conversation' }));
    else set(top, olderBtn);
  };

  const startReply = (m) => {
    replyingTo = m;
    const name = m.sender === myId ? 'yourself' : (users.get(m.sender)?.name || 'a message');
    set(replyBar, h('span', { class: 'muted', text: 'Replying to ' }), h('strong', { text: name }), ': ',
      h('span', { class: 'quote-text', text: firstLine(m.body) }), ' ',
      h('button', { type: 'button', class: 'link small', 'aria-label': 'Cancel the reply', onclick: cancelReply }, 'Cancel'));
    replyBar.hidden = false;
    input.focus();
  };
  const cancelReply = () => { replyingTo = null; set(replyBar); replyBar.hidden = true; };

  const startEdit = (m, li) => {
    const editId = uid('edit');
    const box = h('textarea', { id: editId, rows: '2', maxlength: '5000', value: m.body });
    const editErr = errorBox();
    const f = h('form', { class: 'edit' }, h('label', { for: editId, class: 'visually-hidden', text: 'Edit message' }), box,
      h('button', { type: 'submit', class: 'small primary' }, 'Save'),
      h('button', { type: 'button', class: 'small', onclick: () => redraw(m) }, 'Cancel'), editErr);
    f.onsubmit = async (e) => {
      e.preventDefault();
      try {
        const saved = await pb.collection('chat_messages').update(m.id, { body: box.value }, { expand: 'sender' });
        put(saved, 'update');
      } catch (ex) { showError(editErr, ex); }
    };
    li.querySelector('.body').replaceWith(f);
    box.focus();
  };
  const remove = async (m) => {
    hideError(err);
    try { put(await post(`/api/chat/messages/${m.id}/delete`), 'update'); } catch (e) { showError(err, e); }
  };

  const markRead = async () => {
    try { await post(`/api/chat/rooms/${roomId}/read`); onRead ? onRead() : refreshChatBadge(); } catch { /* not essential */ }
  };

  // history: the latest page, then the page before the oldest shown, by
  // (created, id) so that messages sent meanwhile shift nothing
  const page = (before) => {
    let f = filter('room = {:room}', { room: roomId });
    if (before) f += ' && ' + filter('(created < {:c} || (created = {:c} && id < {:id}))', { c: before.created, id: before.id });
    return pb.collection('chat_messages').getList(1, PAGE, { filter: f, sort: '-created,-id', expand: 'sender', skipTotal: true });
  };
  const load = async () => {
    try {
      const res = await page(null);
      rows.clear();
      set(log, top);
      const items = res.items.reverse();
      hasOlder = res.items.length === PAGE;
      oldest = items[0] ? { created: items[0].created, id: items[0].id } : null;
      if (!items.length) log.append(h('li', { class: 'empty muted', text: 'No messages yet. Say hello!' }));
      items.forEach((m) => put(m, 'create'));
      paintTop();
      log.scrollTop = log.scrollHeight;
      markRead();
    } catch (e) { showError(err, e); }
  };
  const loadOlder = async () => {
    if (!hasOlder || loadingOlder || !oldest) return;
    loadingOlder = true;
    olderBtn.disabled = true;
    try {
      const res = await page(oldest);
      const items = res.items.reverse().filter((m) => !rows.has(m.id));
      hasOlder = res.items.length === PAGE;
      if (items.length) oldest = { created: items[0].created, id: items[0].id };
      // keep what the reader looks at where it is
      const fromBottom = log.scrollHeight - log.scrollTop;
      const lis = items.map((m) => { messages.set(m.id, m); const li = row(m); rows.set(m.id, li); return li; });
      top.after(...lis);
      paintTop();
      log.scrollTop = log.scrollHeight - fromBottom;
    } catch (e) { showError(err, e); } finally {
      loadingOlder = false;
      olderBtn.disabled = false;
    }
  };
  get(`/api/chat/rooms/${roomId}/moderation`).then((res) => {
    moderator = !!res.moderator;
    if (moderator) for (const id of [...rows.keys()]) redraw(messages.get(id));
  }).catch(() => {});
  olderBtn.onclick = loadOlder;
  log.addEventListener('scroll', () => { if (log.scrollTop < 60) loadOlder(); }, { passive: true });

  // typing: others' indicators, expiring by themselves if the "false" is lost
  const typers = new Map(); // userId -> {name, timer}
  const paintTyping = () => {
    const names = [...typers.values()].map((t) => t.name);
    typingEl.textContent = names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
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
    if (e.key === 'Escape' && replyingTo) cancelReply();
  });
  ctx.onCleanup(() => { clearTimeout(idleTimer); typers.forEach((t) => clearTimeout(t.timer)); if (typingSentAt) sendTyping(false); });

  form.onsubmit = async (e) => {
    e.preventDefault();
    const body = input.value;
    if (!body.trim()) return;
    hideError(err);
    sendBtn.disabled = true;
    try {
      const data = { room: roomId, sender: myId, body };
      if (replyingTo) data.replyTo = replyingTo.id;
      const m = await pb.collection('chat_messages').create(data, { expand: 'sender' });
      put(m, 'create');
      input.value = '';
      cancelReply();
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

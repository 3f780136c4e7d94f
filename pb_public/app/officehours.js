// officehours.js: office hours. Students see open slots, join a queue with
// a question and follow their place live (office_hours_queue/<entryId>);
// instructors manage their slots and run the live queue: admit, complete
// with notes, cancel.
import { pb, me, isInstructor, post, filter, errorBox, showError, hideError } from './api.js';
import { h, set, fmtDuration, fmtDateTime, id as uid } from './dom.js';
import { field, clearFieldErrors, showFormError } from './forms.js';
import { presenceDot, loadPresence } from './presence.js';
import { avatar } from './account.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function slotWhen(s) {
  return `${DAYS[s.dayOfWeek] || '?'} ${s.startTime}–${s.endTime} (${s.timezone || 'UTC'})`;
}

function openBadge(s) {
  return h('span', { class: `status ${s.isOpen ? 'status-live' : 'status-ended'}`, text: s.isOpen ? 'Open now' : 'Closed' });
}

/** officeHoursView is /office-hours. */
export async function officeHoursView(root, params, ctx) {
  root.append(h('h1', { text: 'Office hours' }));
  if (isInstructor()) return instructorView(root, ctx);
  return studentView(root, ctx);
}

// --- students

async function studentView(root, ctx) {
  const err = errorBox();
  const mineEl = h('div', { class: 'my-entries', 'aria-live': 'polite' });
  const slotsEl = h('ul', { class: 'cards' });
  root.append(err,
    h('section', { 'aria-labelledby': 'myq-h' }, h('h2', { id: 'myq-h', text: 'Your place in line' }), mineEl),
    h('section', { 'aria-labelledby': 'slots-h' }, h('h2', { id: 'slots-h', text: 'Office hours' }), slotsEl));

  const entries = new Map(); // id -> entry
  const watched = new Set();

  const paintEntries = () => {
    const list = [...entries.values()].sort((a, b) => (b.created > a.created ? 1 : -1));
    const active = list.filter((e) => e.status === 'waiting' || e.status === 'admitted');
    const recent = list.filter((e) => e.status === 'completed' || e.status === 'cancelled').slice(0, 3);
    set(mineEl, [...active, ...recent].length ? h('ul', { class: 'cards' }, [...active, ...recent].map(entryCard))
      : h('p', { class: 'muted', text: 'You are not in any queue.' }));
  };
  const entryCard = (e) => {
    const who = e.expand?.instructor?.name || 'your instructor';
    const li = h('li', { class: `card entry entry-${e.status}`, dataset: { id: e.id, status: e.status } });
    if (e.status === 'waiting') {
      li.append(h('p', { class: 'position' }, h('strong', { text: `Position ${e.position}` }), ` in ${who}'s queue`),
        h('p', { class: 'wait', text: e.position === 1 ? "You're next." : `Estimated wait: about ${fmtDuration(e.estimatedWaitSeconds)}` }),
        e.question ? h('p', { class: 'muted', text: `Your question: ${e.question}` }) : null,
        h('button', { type: 'button', onclick: () => cancel(e) }, 'Leave the queue'));
    } else if (e.status === 'admitted') {
      li.append(h('p', { class: 'admitted' }, h('strong', { text: "It's your turn!" }), ` ${who} admitted you.`),
        e.chatRoom ? h('a', { href: `/chat/${e.chatRoom}`, class: 'button primary' }, `Chat with ${who}`) : null,
        e.expand?.officeHours?.meetingUrl ? h('a', { href: e.expand.officeHours.meetingUrl, class: 'button meeting-link', target: '_blank', rel: 'noopener noreferrer' }, 'Join the meeting') : null,
        h('button', { type: 'button', onclick: () => cancel(e) }, 'End the visit'));
    } else if (e.status === 'completed') {
      li.append(h('p', {}, h('strong', { text: 'Visit complete' }), ` · ${fmtDuration(e.durationSeconds)} with ${who}`),
        e.instructorNotes ? h('p', { class: 'notes' }, h('strong', { text: 'Notes: ' }), e.instructorNotes) : null);
    } else {
      li.append(h('p', {}, h('strong', { text: 'Cancelled' }), ` · ${fmtDateTime(e.cancelledAt || e.updated)}`));
    }
    return li;
  };
  const watch = async (entry) => {
    if (watched.has(entry.id)) return;
    watched.add(entry.id);
    await ctx.subscribe('office_hours_queue', entry.id, (ev) => {
      const prev = entries.get(ev.record.id);
      entries.set(ev.record.id, { ...ev.record, expand: prev?.expand });
      paintEntries();
    });
  };
  const cancel = async (e) => {
    hideError(err);
    try { const res = await post(`/api/office-hours/queue/${e.id}/cancel`); entries.set(res.id, { ...res, expand: e.expand }); paintEntries(); } catch (ex) { showError(err, ex); }
  };

  const loadEntries = async () => {
    const res = await pb.collection('office_hours_queue').getList(1, 20, { filter: filter('student = {:me}', { me: me().id }), sort: '-created', expand: 'instructor,officeHours' });
    entries.clear();
    for (const e of res.items) entries.set(e.id, e);
    paintEntries();
    for (const e of res.items) if (e.status === 'waiting' || e.status === 'admitted') await watch(e);
  };
  const loadSlots = async () => {
    const slots = await pb.collection('office_hours').getFullList({ filter: 'active = true', expand: 'instructor,course', sort: 'dayOfWeek,startTime' });
    set(slotsEl, slots.length ? slots.map(slotCard) : h('li', { class: 'empty muted', text: 'No office hours are offered yet.' }));
  };
  const slotCard = (s) => {
    const li = h('li', { class: 'card slot', dataset: { id: s.id } },
      h('div', { class: 'card-head' }, avatar(s.expand?.instructor || { name: 'Instructor' }, 24), h('strong', { class: 'card-title', text: s.expand?.instructor?.name || 'Instructor' }), openBadge(s)),
      h('p', { class: 'muted', text: slotWhen(s) }),
      s.expand?.course ? h('p', { text: s.expand.course.title }) : null,
      s.location ? h('p', { text: `Where: ${s.location}` }) : null,
      s.description ? h('p', { text: s.description }) : null);
    if (s.isOpen) {
      const qId = uid('question');
      const q = h('textarea', { id: qId, name: 'question', rows: '2', maxlength: '500' });
      const fErr = errorBox();
      const btn = h('button', { type: 'submit', class: 'primary' }, 'Join the queue');
      const form = h('form', { class: 'stack' }, h('div', { class: 'field' }, h('label', { for: qId, text: 'Your question (optional)' }), q), fErr, btn);
      form.onsubmit = async (ev) => {
        ev.preventDefault();
        hideError(fErr);
        btn.disabled = true;
        try {
          const entry = await post(`/api/office-hours/${s.id}/queue`, { question: q.value });
          entries.set(entry.id, { ...entry, expand: { instructor: s.expand?.instructor, officeHours: s } });
          q.value = '';
          paintEntries();
          await watch(entry);
        } catch (ex) { showError(fErr, ex); } finally { btn.disabled = false; }
      };
      li.append(form);
    }
    return li;
  };
  const load = async () => {
    try { await Promise.all([loadEntries(), loadSlots()]); } catch (e) { showError(err, e); }
  };
  await load();
  ctx.onReconnect(load);
  ctx.interval(() => loadSlots().catch(() => {}), 60_000); // slots open and close with the clock
}

// --- instructors

async function instructorView(root, ctx) {
  const err = errorBox();
  const queueEl = h('div', { class: 'queue', 'aria-live': 'polite' });
  const slotsEl = h('ul', { class: 'cards' });
  root.append(err,
    h('section', { 'aria-labelledby': 'q-h' }, h('h2', { id: 'q-h', text: 'Your queue' }), queueEl),
    h('section', { 'aria-labelledby': 's-h' }, h('h2', { id: 's-h', text: 'Your office hours' }), slotsEl),
    slotForm(() => loadSlots()));
  const editor = h('div', { id: 'slot-editor' });
  root.append(editor);

  const entries = new Map();
  const paintQueue = () => {
    const list = [...entries.values()].filter((e) => e.status === 'waiting' || e.status === 'admitted')
      .sort((a, b) => (a.status === b.status ? a.position - b.position : a.status === 'admitted' ? -1 : 1));
    set(queueEl, list.length ? h('ol', { class: 'queue-list' }, list.map(queueRow)) : h('p', { class: 'muted', text: 'Nobody is waiting.' }));
  };
  const queueRow = (e) => {
    const name = e.expand?.student?.name || 'Student';
    const li = h('li', { class: `card entry entry-${e.status}`, dataset: { id: e.id, status: e.status } },
      h('div', { class: 'card-head' }, avatar(e.expand?.student || { name }, 24), h('strong', { class: 'card-title', text: name }), presenceDot(e.student),
        h('span', { class: 'status', text: e.status === 'waiting' ? `#${e.position} · waiting` : 'Admitted' })),
      e.question ? h('p', { class: 'question', text: e.question }) : null);
    const rowErr = errorBox();
    if (e.status === 'waiting') {
      li.append(h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'aria-label': `Admit ${name}`, onclick: () => act(e, 'admit', {}, rowErr) }, 'Admit'),
        h('button', { type: 'button', 'aria-label': `Remove ${name} from the queue`, onclick: () => act(e, 'cancel', {}, rowErr) }, 'Remove')), rowErr);
    } else {
      const notes = field('Notes on this visit', 'instructorNotes', { kind: 'textarea', rows: '2', maxlength: '5000' });
      const share = field('Share the notes with the student', 'notesShared', { type: 'checkbox' });
      const f = h('form', { class: 'stack' }, notes, share, rowErr, h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', 'aria-label': `Complete the visit with ${name}` }, 'Complete visit'),
        e.chatRoom ? h('a', { href: `/chat/${e.chatRoom}`, class: 'button' }, 'Open chat') : null));
      f.onsubmit = (ev) => { ev.preventDefault(); act(e, 'complete', { instructorNotes: notes.control.value, notesShared: share.control.checked }, rowErr); };
      li.append(f);
    }
    return li;
  };
  const act = async (e, what, body, box) => {
    hideError(box);
    try {
      const res = await post(`/api/office-hours/queue/${e.id}/${what}`, body);
      entries.set(res.id, { ...res, expand: e.expand });
      paintQueue();
    } catch (ex) { showError(box, ex); }
  };
  const loadQueue = async () => {
    const items = await pb.collection('office_hours_queue').getFullList({
      filter: filter('instructor = {:me} && (status = "waiting" || status = "admitted")', { me: me().id }), expand: 'student', sort: 'position',
    });
    entries.clear();
    for (const e of items) entries.set(e.id, e);
    paintQueue();
    loadPresence(items.map((e) => e.student)).catch(() => {});
  };
  const names = new Map();
  await ctx.subscribe('office_hours_queue', '*', async (ev) => {
    const prev = entries.get(ev.record.id);
    let expand = prev?.expand;
    if (!expand) {
      const sid = ev.record.student;
      if (!names.has(sid)) {
        try { names.set(sid, await pb.collection('users').getOne(sid, { fields: 'id,collectionId,collectionName,name,avatar' })); } catch { names.set(sid, { name: 'Student' }); }
      }
      expand = { student: names.get(sid) };
    }
    entries.set(ev.record.id, { ...ev.record, expand });
    paintQueue();
  });

  const loadSlots = async () => {
    const slots = await pb.collection('office_hours').getFullList({ filter: filter('instructor = {:me}', { me: me().id }), sort: 'dayOfWeek,startTime', expand: 'course' });
    set(slotsEl, slots.length ? slots.map((s) => {
      const box = errorBox();
      const toggle = async (what) => {
        hideError(box);
        try { await post(`/api/office-hours/${s.id}/${what}`); await loadSlots(); await loadQueue(); } catch (ex) { showError(box, ex); }
      };
      const change = async (data) => {
        hideError(box);
        try { await pb.collection('office_hours').update(s.id, data); await loadSlots(); } catch (ex) { showError(box, ex); }
      };
      const remove = async () => {
        if (!confirm(`Delete the office hours ${slotWhen(s)}? Anyone waiting leaves the queue.`)) return;
        hideError(box);
        try { await pb.collection('office_hours').delete(s.id); await load(); } catch (ex) { showError(box, ex); }
      };
      return h('li', { class: 'card slot', dataset: { id: s.id } },
        h('div', { class: 'card-head' }, h('strong', { class: 'card-title', text: slotWhen(s) }), openBadge(s)),
        s.expand?.course ? h('p', { text: s.expand.course.title }) : null,
        s.location ? h('p', { text: `Where: ${s.location}` }) : null,
        s.active ? null : h('p', { class: 'muted', text: 'Inactive' }),
        h('div', { class: 'actions' }, s.isOpen
          ? h('button', { type: 'button', onclick: () => toggle('close') }, 'Close now')
          : h('button', { type: 'button', onclick: () => toggle('open') }, 'Open now'),
        h('button', { type: 'button', onclick: () => { set(editor, slotForm(() => { set(editor); loadSlots(); }, s)); editor.scrollIntoView(); } }, 'Edit'),
        h('button', { type: 'button', onclick: () => change({ active: !s.active }) }, s.active ? 'Deactivate' : 'Activate'),
        h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete')), box);
    }) : h('li', { class: 'empty muted', text: 'You hold no office hours yet.' }));
  };
  const load = async () => {
    try { await Promise.all([loadQueue(), loadSlots()]); } catch (e) { showError(err, e); }
  };
  await load();
  ctx.onReconnect(load);
  ctx.interval(() => loadSlots().catch(() => {}), 60_000);
}

/** slotForm adds office hours, or edits slot when it is given. */
function slotForm(onSaved, slot = null) {
  const alertBox = errorBox();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const fields = {
    dayOfWeek: field('Day', 'dayOfWeek', { kind: 'select', value: String(slot ? slot.dayOfWeek : new Date().getDay()), options: DAYS.map((d, i) => [String(i), d]) }),
    startTime: field('From', 'startTime', { type: 'time', value: slot?.startTime || '14:00' }),
    endTime: field('To', 'endTime', { type: 'time', value: slot?.endTime || '16:00' }),
    timezone: field('Time zone', 'timezone', { value: slot?.timezone || zone, hint: 'An IANA zone such as Europe/London.' }),
    location: field('Location', 'location', { maxlength: '200', value: slot?.location || '' }),
    meetingUrl: field('Meeting link', 'meetingUrl', { type: 'url', value: slot?.meetingUrl || '' }),
    description: field('Description', 'description', { kind: 'textarea', rows: '2', value: slot?.description || '' }),
  };
  const headId = slot ? 'slot-edit-h' : 'slot-form-h';
  const form = h('form', { class: 'stack card', novalidate: true, 'aria-labelledby': headId },
    h('h2', { id: headId, text: slot ? 'Edit office hours' : 'Add office hours' }), alertBox, h('div', { class: 'grid' }, Object.values(fields)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, slot ? 'Save changes' : 'Add office hours'),
      slot ? h('button', { type: 'button', onclick: () => onSaved() }, 'Cancel') : null));
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFieldErrors(form, alertBox);
    const data = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.control.value]));
    data.dayOfWeek = Number(data.dayOfWeek);
    try {
      if (slot) await pb.collection('office_hours').update(slot.id, data);
      else { await pb.collection('office_hours').create({ ...data, instructor: me().id, active: true }); form.reset(); }
      onSaved();
    } catch (ex) { showFormError(form, alertBox, ex); }
  };
  return form;
}

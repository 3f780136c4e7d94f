// officehours.js: office hours. Students see open slots, join a queue with
// a question, edit it while they wait, and follow their place live
// (office_hours_queue/<entryId>), with the queue's pause and announcements
// (office_hours/*). The staff (the instructor, and the TAs of a slot's
// course) run each live queue: pause and resume, announce, admit one or
// several together, complete with notes, cancel; instructors also manage
// their slots.
// Over 400 lines: the student's and the staff's views of the same live queue.
import { pb, me, isInstructor, post, filter, anyOf, errorBox, showError, hideError } from './api.js';
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

/** officeHoursView is /office-hours: the instructor's queues and slots; a
 * TA's queues of their courses above their own place in line; a student's
 * place in line and the slots open to them. */
export async function officeHoursView(root, params, ctx) {
  root.append(h('h1', { text: 'Office hours' }));
  const staffOf = await pb.collection('course_staff').getFullList({ filter: filter('user = {:me}', { me: me().id }) }).catch(() => []);
  const courses = staffOf.map((r) => r.course);
  if (isInstructor()) return staffView(root, ctx, { instructor: true, courses });
  if (courses.length) await staffView(root, ctx, { instructor: false, courses });
  return studentView(root, ctx, courses);
}

/** pausedBanner tells a waiting student that the staff paused the queue. */
function pausedBanner(slot) {
  return slot?.pausedAt ? h('p', { class: 'queue-paused', role: 'status', text: 'The queue is paused for now. You keep your place.' }) : null;
}

/** announcementLine shows the staff's latest announcement to a queue. */
function announcementLine(slot) {
  if (!slot?.announcement) return null;
  const at = fmtDateTime(slot.announcedAt);
  return h('p', { class: 'queue-announcement', role: 'status' }, h('strong', { text: 'Announcement: ' }), slot.announcement,
    at ? h('span', { class: 'muted', text: ` · ${at}` }) : null);
}

// --- students

async function studentView(root, ctx, staffCourses = []) {
  const err = errorBox();
  const mineEl = h('div', { class: 'my-entries', 'aria-live': 'polite' });
  const slotsEl = h('ul', { class: 'cards' });
  root.append(err,
    h('section', { 'aria-labelledby': 'myq-h' }, h('h2', { id: 'myq-h', text: 'Your place in line' }), mineEl),
    h('section', { 'aria-labelledby': 'slots-h' }, h('h2', { id: 'slots-h', text: 'Office hours' }), slotsEl));

  const entries = new Map(); // id -> entry
  const slots = new Map(); // id -> slot, kept live
  const watched = new Set();
  const editing = new Map(); // entry id -> the question being written

  const slotOf = (e) => slots.get(e.officeHours) || e.expand?.officeHours;
  const paintEntries = () => {
    const list = [...entries.values()].sort((a, b) => (b.created > a.created ? 1 : -1));
    const active = list.filter((e) => e.status === 'waiting' || e.status === 'admitted');
    const recent = list.filter((e) => e.status === 'completed' || e.status === 'cancelled').slice(0, 3);
    set(mineEl, [...active, ...recent].length ? h('ul', { class: 'cards' }, [...active, ...recent].map(entryCard))
      : h('p', { class: 'muted', text: 'You are not in any queue.' }));
  };
  const entryCard = (e) => {
    const who = e.expand?.instructor?.name || 'your instructor';
    const slot = slotOf(e);
    const li = h('li', { class: `card entry entry-${e.status}`, dataset: { id: e.id, status: e.status } });
    if (e.status === 'waiting') {
      li.append(h('p', { class: 'position' }, h('strong', { text: `Position ${e.position}` }), ` in ${who}'s queue`),
        h('p', { class: 'wait', text: e.position === 1 ? "You're next." : `Estimated wait: about ${fmtDuration(e.estimatedWaitSeconds)}` }),
        pausedBanner(slot), announcementLine(slot), questionBlock(e),
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
  // a waiting student's question, and its editor
  const questionBlock = (e) => {
    if (!editing.has(e.id)) {
      return h('div', { class: 'question-block' },
        e.question ? h('p', { class: 'muted question', text: `Your question: ${e.question}` }) : null,
        h('button', { type: 'button', class: 'small', onclick: () => { editing.set(e.id, e.question || ''); paintEntries(); } },
          e.question ? 'Edit your question' : 'Add a question'));
    }
    const qId = uid('edit-question');
    const q = h('textarea', { id: qId, name: 'question', rows: '2', maxlength: '500', oninput: () => editing.set(e.id, q.value) });
    q.value = editing.get(e.id);
    const fErr = errorBox();
    const form = h('form', { class: 'stack question-form' },
      h('div', { class: 'field' }, h('label', { for: qId, text: 'Your question' }), q), fErr,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary small' }, 'Save question'),
        h('button', { type: 'button', class: 'small', onclick: () => { editing.delete(e.id); paintEntries(); } }, 'Cancel')));
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      hideError(fErr);
      try {
        const res = await post(`/api/office-hours/queue/${e.id}/question`, { question: q.value });
        editing.delete(e.id);
        entries.set(res.id, { ...res, expand: e.expand });
        paintEntries();
      } catch (ex) { showError(fErr, ex); }
    };
    return form;
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
    const list = await pb.collection('office_hours').getFullList({ filter: 'active = true', expand: 'instructor,course', sort: 'dayOfWeek,startTime' });
    slots.clear();
    for (const s of list) slots.set(s.id, s);
    paintSlots();
    paintEntries();
  };
  const paintSlots = () => {
    const list = [...slots.values()].filter((s) => s.active).sort((a, b) => (a.dayOfWeek - b.dayOfWeek) || (a.startTime < b.startTime ? -1 : 1));
    set(slotsEl, list.length ? list.map(slotCard) : h('li', { class: 'empty muted', text: 'No office hours are offered yet.' }));
  };
  const slotCard = (s) => {
    const li = h('li', { class: 'card slot', dataset: { id: s.id, paused: s.pausedAt ? 'true' : 'false' } },
      h('div', { class: 'card-head' }, avatar(s.expand?.instructor || { name: 'Instructor' }, 24), h('strong', { class: 'card-title', text: s.expand?.instructor?.name || 'Instructor' }), openBadge(s)),
      h('p', { class: 'muted', text: slotWhen(s) }),
      s.expand?.course ? h('p', { text: s.expand.course.title }) : null,
      s.location ? h('p', { text: `Where: ${s.location}` }) : null,
      s.description ? h('p', { text: s.description }) : null,
      s.isOpen ? announcementLine(s) : null);
    if (s.course && staffCourses.includes(s.course)) {
      li.append(h('p', { class: 'muted', text: 'You help run this queue.' }));
    } else if (s.isOpen && s.pausedAt) {
      li.append(h('p', { class: 'queue-paused', text: 'The queue is paused: nobody new can join until the staff resume it.' }));
    } else if (s.isOpen) {
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
  // a slot's pause, announcement and opening arrive live
  await ctx.subscribe('office_hours', '*', (ev) => {
    const prev = slots.get(ev.record.id);
    if (ev.action === 'delete') slots.delete(ev.record.id);
    else slots.set(ev.record.id, { ...ev.record, expand: prev?.expand });
    paintSlots();
    paintEntries();
  });
  const load = async () => {
    try { await Promise.all([loadEntries(), loadSlots()]); } catch (e) { showError(err, e); }
  };
  await load();
  ctx.onReconnect(load);
  ctx.interval(() => loadSlots().catch(() => {}), 60_000); // slots open and close with the clock
}

// --- staff: the instructor, and the TAs of a slot's course

async function staffView(root, ctx, { instructor, courses = [] }) {
  const err = errorBox();
  const queuesEl = h('div', { class: 'queues', 'aria-live': 'polite' });
  const headId = instructor ? 'q-h' : 'taq-h';
  root.append(err, h('section', { 'aria-labelledby': headId, class: 'staff-queues' },
    h('h2', { id: headId, text: instructor ? 'Your queue' : 'Queues you help run' }), queuesEl));
  const slotsEl = h('ul', { class: 'cards' });
  const editor = h('div', { id: 'slot-editor' });
  if (instructor) {
    root.append(h('section', { 'aria-labelledby': 's-h' }, h('h2', { id: 's-h', text: 'Your office hours' }), slotsEl),
      slotForm(() => loadSlots()), editor);
  }

  const entries = new Map(); // id -> entry of a queue the caller runs
  const slots = new Map(); // id -> slot the caller runs
  const selected = new Set(); // waiting entries picked for a grouped admit
  const drafts = new Map(); // entry id -> visit notes being written
  const panels = new Map(); // slot id -> its panel, kept across repaints so forms keep their text
  const runs = (s) => s.active && ((instructor && s.instructor === me().id) || courses.includes(s.course));

  const paintQueues = () => {
    const active = [...entries.values()].filter((e) => e.student !== me().id && (e.status === 'waiting' || e.status === 'admitted'));
    const bySlot = new Map();
    for (const e of active) {
      if (!bySlot.has(e.officeHours)) bySlot.set(e.officeHours, []);
      bySlot.get(e.officeHours).push(e);
    }
    const shown = [...slots.values()].filter((s) => s.isOpen || s.pausedAt || bySlot.has(s.id))
      .sort((a, b) => (a.dayOfWeek - b.dayOfWeek) || (a.startTime < b.startTime ? -1 : 1));
    const orphans = [...bySlot.keys()].filter((id) => !slots.has(id));
    const els = shown.map((s) => queuePanel(s, bySlot.get(s.id) || []));
    for (const id of orphans) els.push(queuePanel({ id, orphan: true }, bySlot.get(id)));
    for (const id of [...panels.keys()]) if (!shown.some((s) => s.id === id) && !orphans.includes(id)) panels.delete(id);
    set(queuesEl, els.length ? els : h('p', { class: 'muted', text: 'Nobody is waiting.' }));
  };

  // queuePanel is one slot's live queue with its staff controls
  const queuePanel = (slot, list) => {
    let panel = panels.get(slot.id);
    if (!panel) {
      panel = { box: errorBox(), announceInput: null };
      const inputId = uid('announce');
      panel.announceInput = h('input', { id: inputId, name: 'message', maxlength: '280', placeholder: 'Back in 5 minutes', autocomplete: 'off' });
      panel.announceForm = h('form', { class: 'announce-form' },
        h('label', { for: inputId, text: 'Announcement to everyone waiting' }),
        h('div', { class: 'inline' }, panel.announceInput, h('button', { type: 'submit', class: 'small' }, 'Post announcement')));
      panel.announceForm.onsubmit = async (ev) => {
        ev.preventDefault();
        hideError(panel.box);
        try {
          const res = await post(`/api/office-hours/${slot.id}/announce`, { message: panel.announceInput.value });
          panel.announceInput.value = '';
          updateSlot(res);
        } catch (ex) { showError(panel.box, ex); }
      };
      panel.el = h('article', { class: 'card queue-panel', dataset: { slot: slot.id } });
      panels.set(slot.id, panel);
    }
    const rows = list.sort((a, b) => (a.status === b.status ? a.position - b.position : a.status === 'admitted' ? -1 : 1));
    const picked = rows.filter((e) => e.status === 'waiting' && selected.has(e.id));
    panel.el.dataset.paused = slot.pausedAt ? 'true' : 'false';
    const slotAction = async (what) => {
      hideError(panel.box);
      try { updateSlot(await post(`/api/office-hours/${slot.id}/${what}`)); if (what === 'close') await loadQueue(); } catch (ex) { showError(panel.box, ex); }
    };
    set(panel.el,
      h('div', { class: 'card-head' },
        h('strong', { class: 'card-title', text: slot.orphan ? 'Earlier office hours' : slotWhen(slot) }),
        slot.orphan ? null : h('span', { class: 'badges' }, openBadge(slot), slot.pausedAt ? h('span', { class: 'status status-paused', text: 'Paused' }) : null)),
      slot.expand?.course ? h('p', { class: 'muted', text: slot.expand.course.title }) : null,
      slot.orphan ? null : [
        announcementLine(slot),
        h('div', { class: 'actions queue-controls' },
          slot.pausedAt
            ? h('button', { type: 'button', class: 'primary', onclick: () => slotAction('resume') }, 'Resume the queue')
            : h('button', { type: 'button', onclick: () => slotAction('pause') }, 'Pause the queue'),
          slot.instructor === me().id ? null : (slot.isOpen
            ? h('button', { type: 'button', onclick: () => slotAction('close') }, 'Close now')
            : h('button', { type: 'button', onclick: () => slotAction('open') }, 'Open now'))),
        panel.announceForm],
      panel.box,
      rows.length ? h('ol', { class: 'queue-list' }, rows.map((e) => queueRow(e, panel.box)))
        : h('p', { class: 'muted', text: 'Nobody is waiting.' }),
      rows.some((e) => e.status === 'waiting') ? h('div', { class: 'actions group-admit' },
        h('button', {
          type: 'button', class: 'primary', disabled: picked.length < 2,
          onclick: () => admitGroup(slot, picked, panel.box),
        }, picked.length >= 2 ? `Admit together (${picked.length})` : 'Admit together'),
        h('span', { class: 'muted', text: 'Select students with the same question to admit them into one chat.' })) : null);
    return panel.el;
  };
  const queueRow = (e, box) => {
    const name = e.expand?.student?.name || 'Student';
    const li = h('li', { class: `card entry entry-${e.status}`, dataset: { id: e.id, status: e.status } },
      h('div', { class: 'card-head' },
        e.status === 'waiting' ? h('input', {
          type: 'checkbox', class: 'pick', 'aria-label': `Select ${name}`, checked: selected.has(e.id),
          onchange: (ev) => { if (ev.target.checked) selected.add(e.id); else selected.delete(e.id); paintQueues(); },
        }) : null,
        avatar(e.expand?.student || { name }, 24), h('strong', { class: 'card-title', text: name }), presenceDot(e.student),
        h('span', { class: 'status', text: e.status === 'waiting' ? `#${e.position} · waiting` : 'Admitted' })),
      e.question ? h('p', { class: 'question', text: e.question }) : null);
    if (e.status === 'waiting') {
      li.append(h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'aria-label': `Admit ${name}`, onclick: () => act(e, 'admit', {}, box) }, 'Admit'),
        h('button', { type: 'button', 'aria-label': `Remove ${name} from the queue`, onclick: () => act(e, 'cancel', {}, box) }, 'Remove')));
    } else {
      const notes = field('Notes on this visit', 'instructorNotes', { kind: 'textarea', rows: '2', maxlength: '5000', value: drafts.get(e.id) || '' });
      notes.control.addEventListener('input', () => drafts.set(e.id, notes.control.value));
      const share = field('Share the notes with the student', 'notesShared', { type: 'checkbox' });
      const rowErr = errorBox();
      const f = h('form', { class: 'stack' }, notes, share, rowErr, h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', 'aria-label': `Complete the visit with ${name}` }, 'Complete visit'),
        e.chatRoom ? h('a', { href: `/chat/${e.chatRoom}`, class: 'button' }, 'Open chat') : null));
      f.onsubmit = async (ev) => {
        ev.preventDefault();
        if (await act(e, 'complete', { instructorNotes: notes.control.value, notesShared: share.control.checked }, rowErr)) drafts.delete(e.id);
      };
      li.append(f);
    }
    return li;
  };
  const act = async (e, what, body, box) => {
    hideError(box);
    try {
      const res = await post(`/api/office-hours/queue/${e.id}/${what}`, body);
      selected.delete(e.id);
      entries.set(res.id, { ...res, expand: e.expand });
      paintQueues();
      return true;
    } catch (ex) { showError(box, ex); return false; }
  };
  const admitGroup = async (slot, picked, box) => {
    hideError(box);
    try {
      const res = await post(`/api/office-hours/${slot.id}/admit-group`, { entryIds: picked.map((e) => e.id) });
      for (const item of res.items) {
        selected.delete(item.id);
        entries.set(item.id, { ...item, expand: entries.get(item.id)?.expand });
      }
      paintQueues();
    } catch (ex) { showError(box, ex); }
  };
  const updateSlot = (s) => {
    const prev = slots.get(s.id);
    if (!runs(s)) slots.delete(s.id);
    else slots.set(s.id, { ...s, expand: s.expand || prev?.expand });
    paintQueues();
  };
  const loadQueue = async () => {
    const items = await pb.collection('office_hours_queue').getFullList({
      filter: filter('student != {:me} && (status = "waiting" || status = "admitted")', { me: me().id }), expand: 'student', sort: 'position',
    });
    entries.clear();
    for (const e of items) entries.set(e.id, e);
    for (const id of [...selected]) if (!entries.has(id)) selected.delete(id);
    paintQueues();
    loadPresence(items.map((e) => e.student)).catch(() => {});
  };
  const loadRun = async () => {
    const mine = instructor ? filter('instructor = {:me}', { me: me().id }) : '';
    const assisted = courses.length ? anyOf('course', courses) : '';
    const list = await pb.collection('office_hours').getFullList({
      filter: [mine, assisted].filter(Boolean).map((f) => `(${f})`).join(' || '), expand: 'course', sort: 'dayOfWeek,startTime',
    });
    slots.clear();
    for (const s of list) if (runs(s)) slots.set(s.id, s);
    paintQueues();
    if (instructor) paintSlots(list.filter((s) => s.instructor === me().id));
  };
  const names = new Map();
  await ctx.subscribe('office_hours_queue', '*', async (ev) => {
    if (ev.record.student === me().id) return; // the caller's own place in another queue
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
    if (ev.record.status !== 'waiting') selected.delete(ev.record.id);
    paintQueues();
  });
  // pause, announcements and opening of the slots, also by the other staff
  await ctx.subscribe('office_hours', '*', (ev) => {
    if (ev.action === 'delete') { slots.delete(ev.record.id); paintQueues(); return; }
    if (runs(ev.record) || slots.has(ev.record.id)) updateSlot(ev.record);
  });

  const loadSlots = () => loadRun();
  const paintSlots = (list) => {
    set(slotsEl, list.length ? list.map((s) => {
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
        s.maxVisitsPerDay ? h('p', { class: 'muted', text: `At most ${s.maxVisitsPerDay} visit${s.maxVisitsPerDay === 1 ? '' : 's'} per student a day` }) : null,
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
    try { await Promise.all([loadQueue(), loadRun()]); } catch (e) { showError(err, e); }
  };
  await load();
  ctx.onReconnect(load);
  ctx.interval(() => loadRun().catch(() => {}), 60_000);
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
    maxVisitsPerDay: field('Visits per student per day', 'maxVisitsPerDay', { type: 'number', min: '0', max: '100', step: '1', value: String(slot?.maxVisitsPerDay || 0), hint: '0 for no limit.' }),
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
    data.maxVisitsPerDay = Number(data.maxVisitsPerDay || 0);
    try {
      if (slot) await pb.collection('office_hours').update(slot.id, data);
      else { await pb.collection('office_hours').create({ ...data, instructor: me().id, active: true }); form.reset(); }
      onSaved();
    } catch (ex) { showFormError(form, alertBox, ex); }
  };
  return form;
}

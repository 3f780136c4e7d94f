// sessions.js: live sessions: the list, the room (join and leave, the
// attendees with presence, the session chat, the full-session message and
// its waitlist, the place in line kept live), and the instructor's create
// (once or weekly), edit, start, end, cancel and attendance download with
// errors shown beside each field.
// Over 400 lines: the sessions list, calendar, room, waitlist and forms, which share their cards.
import { pb, me, isInstructor, get, post, filter, errorBox, showError, hideError } from './api.js';
import { h, set, fmtDateTime, fmtTime, fmtDuration, toLocalInput, parseDate } from './dom.js';
import { field, clearFieldErrors, showFormError } from './forms.js';
import { navigate } from './router.js';
import { presenceDot, setActivity } from './presence.js';
import { chatSlot } from './chat.js';
import { avatar } from './account.js';

const STATUS_LABELS = { scheduled: 'Scheduled', live: 'Live now', ended: 'Ended', cancelled: 'Cancelled' };

function statusBadge(status) {
  return h('span', { class: `status status-${status}`, text: STATUS_LABELS[status] || status });
}

/** seatsText is "12 / 20 seats taken", with the waitlist when there is one. */
function seatsText(s) {
  return `${s.attendeeCount} / ${s.capacity} seats taken` + (s.waitlistCount ? ` · ${s.waitlistCount} waiting` : '');
}

/** downloadCSV fetches an export with the signed-in user's token and saves it. */
async function downloadCSV(path, filename) {
  const res = await fetch(path, { headers: { Authorization: pb.authStore.token } });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw Object.assign(new Error(body.message || 'The download failed.'), { status: res.status, response: body });
  }
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** sessionCard is one session in a list. */
export function sessionCard(s) {
  return h('li', { class: 'card session-card', dataset: { id: s.id, status: s.status } },
    h('div', { class: 'card-head' }, h('a', { href: `/live-sessions/${s.id}`, class: 'card-title', text: s.title }), statusBadge(s.status)),
    h('p', { class: 'muted' }, fmtDateTime(s.scheduledStart), ` · ${s.durationMinutes} min`,
      s.expand?.course ? ` · ${s.expand.course.title}` : s.visibility === 'public' ? ' · public' : ''),
    h('p', { class: 'seats', text: seatsText(s) }));
}

/** sessionsView is /live-sessions. */
export async function sessionsView(root, _params, ctx) {
  const err = errorBox();
  const live = h('ul', { class: 'cards' });
  const upcoming = h('ul', { class: 'cards' });
  const past = h('ul', { class: 'cards' });
  root.append(h('div', { class: 'page-head' }, h('h1', { text: 'Live sessions' }),
    isInstructor() ? h('a', { href: '/live-sessions/new', class: 'button primary' }, 'New session') : null),
  err,
  h('section', { 'aria-labelledby': 'live-h' }, h('h2', { id: 'live-h', text: 'Live now' }), live),
  h('section', { 'aria-labelledby': 'up-h' }, h('h2', { id: 'up-h', text: 'Upcoming' }), upcoming),
  h('section', { 'aria-labelledby': 'past-h' }, h('h2', { id: 'past-h', text: 'Past and cancelled' }), past));
  const calendar = monthCalendar();
  root.append(calendar.el);

  const load = async () => {
    try {
      const items = await pb.collection('live_sessions').getFullList({ sort: 'scheduledStart', expand: 'course' });
      const fill = (ul, list, empty) => set(ul, list.length ? list.map(sessionCard) : h('li', { class: 'empty muted', text: empty }));
      fill(live, items.filter((s) => s.status === 'live'), 'No session is live right now.');
      fill(upcoming, items.filter((s) => s.status === 'scheduled'), 'Nothing scheduled.');
      fill(past, items.filter((s) => s.status === 'ended' || s.status === 'cancelled').reverse().slice(0, 20), 'None yet.');
      calendar.show(items);
    } catch (e) { showError(err, e); }
  };
  await load();
  await ctx.subscribe('live_sessions', '*', load);
  ctx.onReconnect(load);
}

/** sessionView is /live-sessions/:id: the room. */
export async function sessionView(root, { id }, ctx) {
  const err = errorBox();
  const head = h('div', { class: 'page-head' });
  const details = h('div', { class: 'session-details' });
  const actions = h('div', { class: 'actions' });
  const attendeesList = h('ul', { class: 'people' });
  const attendance = h('div', { class: 'attendance' });
  const chatEl = h('div', { class: 'session-chat' });
  root.append(head, details, err, actions,
    h('div', { class: 'two-col' },
      h('section', { 'aria-labelledby': 'att-h' }, h('h2', { id: 'att-h', text: 'In the session' }), attendeesList, attendance),
      chatEl));

  let session = null;
  let joined = false;
  let recordingNote = '';
  let myRow = null; // the caller's attendance row: seated, waiting, or gone
  const showChat = chatSlot(chatEl, ctx, { title: 'Session chat', placeholder: 'Join the session to chat.' });
  const mine = () => session && session.instructor === me().id;
  const waitingAt = () => (myRow && !myRow.active ? myRow.waitlistPosition || 0 : 0);
  const loadMyRow = async () => {
    try {
      myRow = await pb.collection('live_session_attendees').getFirstListItem(filter('session = {:id} && user = {:me}', { id, me: me().id }));
    } catch (e) {
      if (e?.status !== 404) showError(err, e);
      myRow = null;
    }
  };

  const loadAttendees = async () => {
    try {
      const { items } = await get(`/api/live-sessions/${id}/attendees`);
      set(attendeesList, items.length ? items.map((a) => h('li', { dataset: { user: a.id } }, avatar({ ...a, collectionName: 'users' }, 24), h('span', { class: 'name', text: a.name }), presenceDot(a.id, a.status)))
        : h('li', { class: 'empty muted', text: 'Nobody has joined yet.' }));
      joined = items.some((a) => a.id === me().id);
    } catch (e) { showError(err, e); }
    if (mine()) loadAttendance();
  };
  const loadAttendance = async () => {
    try {
      const rows = await pb.collection('live_session_attendees').getFullList({ filter: filter('session = {:id}', { id }), expand: 'user', sort: 'joinedAt' });
      set(attendance, h('h3', { text: 'Attendance' }), rows.length ? h('table', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Student' }), h('th', { scope: 'col', text: 'Here now' }), h('th', { scope: 'col', text: 'Time attended' }))),
        h('tbody', {}, rows.map((r) => h('tr', {}, h('td', { text: r.expand?.user?.name || r.user }), h('td', { text: r.active ? 'Yes' : r.waitlistPosition ? `Waiting (no. ${r.waitlistPosition})` : 'No' }), h('td', { text: fmtDuration(r.attendedSeconds) })))))
        : h('p', { class: 'muted', text: 'No attendance yet.' }));
    } catch (e) { showError(err, e); }
  };

  const act = async (what, body) => {
    hideError(err);
    try {
      const row = await post(`/api/live-sessions/${id}/${what}`, body);
      if (what === 'join' || what === 'leave') myRow = row;
      await load();
    } catch (e) {
      const info = showError(err, e);
      if (info.code === 'session_full') {
        err.classList.add('full');
        await load(); // the waitlist button
      }
    }
  };

  const paint = () => {
    set(head, h('h1', { text: session.title }), statusBadge(session.status));
    set(details,
      session.startedAt
        ? h('p', {}, h('strong', { text: 'Started: ' }), fmtDateTime(session.startedAt), ` · ${session.durationMinutes} min`, session.endedAt ? ` · ended ${fmtDateTime(session.endedAt)}` : '')
        : h('p', {}, h('strong', { text: 'Starts: ' }), fmtDateTime(session.scheduledStart), ` · ${session.durationMinutes} min`),
      session.expand?.course ? h('p', {}, h('strong', { text: 'Course: ' }), session.expand.course.title) : null,
      h('p', { class: 'seats', text: seatsText(session) }),
      session.series ? h('p', { class: 'muted', text: 'Part of a weekly series.' }) : null,
      session.description ? h('p', { class: 'description', text: session.description }) : null,
      session.meetingUrl && (joined || mine()) && /^https?:\/\//i.test(session.meetingUrl)
        ? h('p', {}, h('a', { href: session.meetingUrl, target: '_blank', rel: 'noopener noreferrer' }, 'Open the meeting link')) : null,
      session.status === 'ended' && mine() ? recordingForm(session, recordingNote, (saved) => { session = { ...saved, expand: session.expand }; recordingNote = 'Recording link saved.'; paint(); })
        : session.recordingUrl && /^https?:\/\//i.test(session.recordingUrl)
          ? h('p', { id: 'session-recording' }, h('a', { href: session.recordingUrl, target: '_blank', rel: 'noopener noreferrer' }, 'Watch the recording')) : null);
    set(actions);
    const open = session.status === 'scheduled' || session.status === 'live';
    if (!mine() && open) {
      const full = session.attendeeCount >= session.capacity || session.waitlistCount > 0;
      if (joined) {
        actions.append(h('button', { type: 'button', onclick: () => act('leave') }, 'Leave session'));
      } else if (waitingAt()) {
        actions.append(h('p', { id: 'waitlist-position', class: 'waitlist', role: 'status', dataset: { position: String(waitingAt()) } },
          h('strong', { text: `You are number ${waitingAt()} on the waitlist.` }), ' You will be seated as soon as a seat is free.'),
        h('button', { type: 'button', onclick: () => act('leave') }, 'Leave the waitlist'));
      } else {
        // at a full session a seat may still free before the click, so
        // both: a plain join (refused while full) and a place in line
        actions.append(h('button', { type: 'button', class: full ? '' : 'primary', onclick: () => act('join') }, 'Join session'));
        if (full) {
          actions.append(h('button', { type: 'button', class: 'primary', onclick: () => act('join', { waitlist: true }) }, 'Join the waitlist'),
            h('p', { class: 'muted', text: 'This session is full: join the waitlist to be seated as soon as a seat is free.' }));
        }
      }
    }
    if (mine()) {
      if (session.status === 'scheduled') {
        actions.append(h('button', { type: 'button', class: 'primary', onclick: () => act('start') }, 'Start session'),
          h('a', { href: `/live-sessions/${id}/edit`, class: 'button' }, 'Edit'),
          h('button', { type: 'button', class: 'danger', onclick: () => { if (confirm('Cancel this session? Students will be told.')) act('cancel'); } }, 'Cancel session'));
      }
      if (session.status === 'live') actions.append(h('button', { type: 'button', class: 'danger', onclick: () => act('end') }, 'End session'));
      actions.append(h('button', { type: 'button', onclick: async () => {
        hideError(err);
        try { await downloadCSV(`/api/live-sessions/${id}/attendance.csv`, `attendance-${id}.csv`); } catch (e) { showError(err, e); }
      } }, 'Download attendance (CSV)'));
      if (session.series && session.status === 'scheduled') {
        actions.append(h('button', { type: 'button', class: 'danger', onclick: async () => {
          if (!confirm('Delete this and every later scheduled session of the weekly series? Past sessions stay.')) return;
          hideError(err);
          try { await pb.collection('live_session_series').delete(session.series); navigate('/live-sessions'); } catch (e) { showError(err, e); }
        } }, 'Delete the series'));
      }
      if (session.status === 'scheduled' || session.status === 'cancelled') {
        actions.append(h('button', { type: 'button', class: 'danger', onclick: async () => {
          if (!confirm('Delete this session for good?')) return;
          hideError(err);
          try { await pb.collection('live_sessions').delete(id); navigate('/live-sessions'); } catch (e) { showError(err, e); }
        } }, 'Delete session'));
      }
    }
    actions.append(addToCalendarLink(id, err));
    setActivity(joined || mine() ? `In session: ${session.title}` : '');
  };

  // everything that follows from session: attendees, the page, the chat
  const refresh = async () => {
    await loadAttendees();
    if (myRow?.active) joined = true;
    paint();
    await showChat((joined || mine()) && session.chatRoom);
  };
  const load = async () => {
    try {
      session = await pb.collection('live_sessions').getOne(id, { expand: 'course' });
    } catch (e) { set(head, h('h1', { text: 'Live session' })); showError(err, e); return; }
    if (!mine()) await loadMyRow();
    await refresh();
  };
  await load();
  if (!session) return;
  // the caller's own row: a new place in line, or the seat that came free
  await ctx.subscribe('live_session_attendees', '*', async (e) => {
    if (e.record.session !== id || e.record.user !== me().id) return;
    const promoted = waitingAt() && e.record.active;
    myRow = e.action === 'delete' ? null : e.record;
    if (promoted) hideError(err);
    await refresh();
  });
  await ctx.subscribe('live_sessions', id, async (e) => {
    if (e.action === 'delete') { navigate('/live-sessions'); return; }
    session = { ...e.record, expand: session.expand };
    await refresh();
  });
  ctx.onReconnect(load);
  ctx.onCleanup(() => setActivity(''));
}

/**
 * addToCalendarLink downloads the session's .ics. The route wants the
 * sign-in token, which a plain link would not send, so the click fetches
 * it with the token and saves the answer under the server's file name.
 */
function addToCalendarLink(id, errBox) {
  const path = `/api/live-sessions/${encodeURIComponent(id)}/ics`;
  const link = h('a', { href: path, id: 'session-ics', class: 'button', download: 'live-session.ics' }, 'Add to calendar');
  link.onclick = async (e) => {
    e.preventDefault();
    hideError(errBox);
    try {
      const res = await fetch(path, { headers: { Authorization: pb.authStore.token } });
      if (!res.ok) {
        const response = await res.json().catch(() => ({}));
        throw Object.assign(new Error(response.message || 'The calendar file could not be made.'), { status: res.status, response });
      }
      const name = /filename="?([^";]+)"?/.exec(res.headers.get('Content-Disposition') || '')?.[1] || 'live-session.ics';
      const url = URL.createObjectURL(await res.blob());
      const save = h('a', { href: url, download: name, hidden: true });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (ex) { showError(errBox, ex); }
  };
  return link;
}

/**
 * recordingForm is the owner's "Recording" field on an ended session: the
 * one thing the server still lets them change once it is over.
 */
function recordingForm(session, note, onSaved) {
  const alertBox = errorBox();
  const saved = h('p', { class: 'ok', role: 'status', text: note });
  const url = field('Recording', 'recordingUrl', { type: 'url', value: session.recordingUrl || '', placeholder: 'https://…', hint: 'Attendees see this link on the session page.' });
  const submit = h('button', { type: 'submit' }, 'Save the recording link');
  const form = h('form', { id: 'session-recording', class: 'stack card', novalidate: true }, url, alertBox, h('div', { class: 'actions' }, submit, saved));
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFieldErrors(form, alertBox);
    saved.textContent = '';
    submit.disabled = true;
    try {
      const record = await pb.collection('live_sessions').update(session.id, { recordingUrl: url.control.value.trim() });
      onSaved(record);
    } catch (ex) {
      showFormError(form, alertBox, ex);
      submit.disabled = false;
    }
  };
  return form;
}

/** sessionFormView is /live-sessions/new and /live-sessions/:id/edit. */
export async function sessionFormView(root, { id }) {
  const editing = !!id;
  let session = null;
  const alertBox = errorBox();
  root.append(h('h1', { text: editing ? 'Edit live session' : 'New live session' }), alertBox);
  const courses = await pb.collection('courses').getFullList({ filter: filter('instructor = {:me}', { me: me().id }), sort: 'title' });
  if (editing) {
    try { session = await pb.collection('live_sessions').getOne(id); } catch (e) { showError(alertBox, e); return; }
  }
  const startDefault = new Date(Date.now() + 24 * 3600e3);
  startDefault.setMinutes(0, 0, 0);
  const fields = {
    title: field('Title', 'title', { value: session?.title || '', maxlength: '200' }),
    description: field('Description', 'description', { kind: 'textarea', value: session?.description || '', rows: '3' }),
    course: field('Course', 'course', { kind: 'select', value: session ? session.course : courses[0]?.id || '', options: [['', 'No course (public session)'], ...courses.map((c) => [c.id, c.title])] }),
    visibility: field('Who can see it', 'visibility', { kind: 'select', value: session?.visibility || 'course', options: [['course', 'Students of the course'], ['public', 'Every signed-in user']] }),
    scheduledStart: field('Starts at', 'scheduledStart', { type: 'datetime-local', value: toLocalInput(session?.scheduledStart || startDefault), hint: 'In your own time zone.' }),
    durationMinutes: field('Duration (minutes)', 'durationMinutes', { type: 'number', value: session?.durationMinutes ?? 60, min: '1', max: '1440' }),
    capacity: field('Capacity (seats)', 'capacity', { type: 'number', value: session?.capacity ?? 100, min: '1', max: '10000' }),
    meetingUrl: field('Meeting link', 'meetingUrl', { type: 'url', value: session?.meetingUrl || '', placeholder: 'https://…' }),
  };
  // a new session may repeat weekly: the server makes one session a week,
  // at the same local time, up to the end date (at most 52)
  const repeat = editing ? null : {
    weekly: field('Repeat every week', 'repeatWeekly', { type: 'checkbox', value: false, hint: 'Same weekday and time each week, in your time zone.' }),
    endsOn: field('Repeat until', 'endsOn', { type: 'date', hint: 'The last day a session may fall on; at most 52 sessions.' }),
  };
  if (repeat) {
    repeat.endsOn.hidden = true;
    repeat.weekly.control.addEventListener('change', () => { repeat.endsOn.hidden = !repeat.weekly.control.checked; });
  }
  const submit = h('button', { type: 'submit', class: 'primary' }, editing ? 'Save changes' : 'Create session');
  // the browser's own checks stay off: the server's per-field messages are the ones shown
  const form = h('form', { class: 'stack', novalidate: true }, Object.values(fields), repeat ? [repeat.weekly, repeat.endsOn] : null, h('div', { class: 'actions' }, submit,
    h('a', { href: editing ? `/live-sessions/${id}` : '/live-sessions', class: 'button' }, 'Back')));
  root.append(form);
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFieldErrors(form, alertBox);
    const v = (name) => fields[name].control.value;
    const start = v('scheduledStart') ? new Date(v('scheduledStart')) : null;
    const data = {
      title: v('title'),
      description: v('description'),
      course: v('course'),
      visibility: v('visibility'),
      scheduledStart: start && !Number.isNaN(start.getTime()) ? start.toISOString() : '',
      durationMinutes: v('durationMinutes') === '' ? null : Number(v('durationMinutes')),
      capacity: v('capacity') === '' ? null : Number(v('capacity')),
      meetingUrl: v('meetingUrl'),
    };
    if (!editing) data.instructor = me().id;
    submit.disabled = true;
    if (repeat?.weekly.control.checked) {
      try {
        const pad = (n) => String(n).padStart(2, '0');
        const local = start && !Number.isNaN(start.getTime()) ? start : null;
        const series = await pb.collection('live_session_series').create({
          instructor: me().id, title: data.title, description: data.description, course: data.course, visibility: data.visibility,
          durationMinutes: data.durationMinutes, capacity: data.capacity, meetingUrl: data.meetingUrl,
          daysOfWeek: local ? [local.getDay()] : [],
          startTime: local ? `${pad(local.getHours())}:${pad(local.getMinutes())}` : '',
          startsOn: local ? `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}` : '',
          endsOn: repeat.endsOn.control.value,
          timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || '',
        });
        const first = await pb.collection('live_sessions').getFirstListItem(filter('series = {:s}', { s: series.id }), { sort: 'scheduledStart' });
        navigate(`/live-sessions/${first.id}`);
      } catch (ex) {
        // the series' own field names, shown beside the fields they come from
        const fields = ex?.response?.data;
        if (fields) {
          for (const [from, to] of [['startTime', 'scheduledStart'], ['startsOn', 'scheduledStart'], ['daysOfWeek', 'scheduledStart']]) {
            if (fields[from] && !fields[to]) fields[to] = fields[from];
            delete fields[from];
          }
        }
        showFormError(form, alertBox, ex);
      } finally {
        submit.disabled = false;
      }
      return;
    }
    try {
      const saved = editing ? await pb.collection('live_sessions').update(id, data) : await pb.collection('live_sessions').create(data);
      navigate(`/live-sessions/${saved.id}`);
    } catch (ex) {
      showFormError(form, alertBox, ex);
    } finally {
      submit.disabled = false;
    }
  };
}

/**
 * monthCalendar is a month grid of sessions in the viewer's zone, weeks
 * from Monday, with the previous and next month a click away.
 */
function monthCalendar() {
  let sessions = [];
  const today = new Date();
  let month = new Date(today.getFullYear(), today.getMonth(), 1);
  const title = h('h2', { id: 'cal-h' });
  const grid = h('div', { class: 'calendar-grid', role: 'grid', 'aria-labelledby': 'cal-h' });
  const monthName = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });
  const dayName = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
  const go = (delta) => { month = new Date(month.getFullYear(), month.getMonth() + delta, 1); paint(); };
  const el = h('section', { class: 'calendar', id: 'sessions-calendar', 'aria-labelledby': 'cal-h' },
    h('div', { class: 'page-head' }, title, h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'small', 'aria-label': 'Previous month', onclick: () => go(-1) }, '‹'),
      h('button', { type: 'button', class: 'small', onclick: () => { month = new Date(today.getFullYear(), today.getMonth(), 1); paint(); } }, 'Today'),
      h('button', { type: 'button', class: 'small', 'aria-label': 'Next month', onclick: () => go(1) }, '›'))),
    grid);
  const key = (d) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
  const paint = () => {
    title.textContent = monthName.format(month);
    const byDay = new Map();
    for (const s of sessions) {
      const start = parseDate(s.scheduledStart);
      if (!start) continue;
      const k = key(start);
      if (!byDay.has(k)) byDay.set(k, []);
      byDay.get(k).push(s);
    }
    const first = new Date(month);
    first.setDate(1 - ((month.getDay() + 6) % 7)); // back to Monday
    const cells = [];
    for (let i = 0; i < 7; i++) {
      const d = new Date(first); d.setDate(first.getDate() + i);
      cells.push(h('div', { class: 'calendar-head', role: 'columnheader', text: dayName.format(d) }));
    }
    for (let i = 0; i < 42; i++) {
      const d = new Date(first); d.setDate(first.getDate() + i);
      if (i >= 35 && d.getMonth() !== month.getMonth()) break;
      const list = byDay.get(key(d)) || [];
      cells.push(h('div', { class: `calendar-day${d.getMonth() === month.getMonth() ? '' : ' other-month'}${key(d) === key(today) ? ' today' : ''}`, role: 'gridcell', dataset: { date: key(d) } },
        h('span', { class: 'calendar-date', text: String(d.getDate()) }),
        list.map((s) => h('a', { href: `/live-sessions/${s.id}`, class: `calendar-event status-${s.status}`, title: `${fmtTime(s.scheduledStart)} ${s.title}` },
          h('span', { class: 'calendar-time', text: fmtTime(s.scheduledStart) }), ` ${s.title}`))));
    }
    set(grid, cells);
  };
  paint();
  return { el, show: (items) => { sessions = items; paint(); } };
}

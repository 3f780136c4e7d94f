// courses.js: the LMS core in the web app: the course list, a course's
// page (lessons with the caller's progress, assessments, its live
// sessions, office hours, study groups and classmates online), a lesson,
// an assessment with its submission, the instructor's grading view and a
// student's progress. The API rules decide who sees what; a course the
// caller may not see (a draft, one they left) says so instead of a blank.
// Over 400 lines: the course pages, which share their loaders and "not available" handling.
import { pb, me, get, filter, errorBox, showError, hideError } from './api.js';
import { h, set, append, fmtDateTime, parseDate } from './dom.js';
import { field, clearFieldErrors, showFormError } from './forms.js';
import { presenceDot } from './presence.js';
import { peopleSearch } from './people.js';
import { sessionCard } from './sessions.js';

const coursePath = (courseId) => `/courses/${courseId}`;
const lessonPath = (courseId, lessonId) => `${coursePath(courseId)}/lessons/${lessonId}`;
const assessmentPath = (courseId, assessmentId) => `${coursePath(courseId)}/assessments/${assessmentId}`;

/** notAvailable replaces a page whose record the caller may not see. */
function notAvailable(root, what, why, back = { href: '/courses', text: 'Back to your courses' }) {
  set(root, h('div', { class: 'card not-available', dataset: { state: 'not-available' } },
    h('h1', { text: `${what} is not available` }), h('p', { text: why }),
    h('p', {}, h('a', { href: back.href, text: back.text }))));
}

/** loadOr404 loads a record, or shows "not available" and answers null. */
async function loadOr404(root, load, what, why, back) {
  try {
    return await load();
  } catch (err) {
    if (err?.status === 404 || err?.status === 403) {
      notAvailable(root, what, why, back);
      return null;
    }
    throw err;
  }
}

const teaches = (course) => course.instructor === me().id;

/** coursesView is /courses: what the caller teaches or takes, and what else is open. */
export async function coursesView(root, _params, ctx) {
  const err = errorBox();
  const teaching = h('ul', { class: 'cards', id: 'courses-teaching' });
  const enrolled = h('ul', { class: 'cards', id: 'courses-enrolled' });
  const open = h('ul', { class: 'cards', id: 'courses-open' });
  append(root, [h('h1', { text: 'Courses' }), err,
    me().role === 'instructor' ? h('section', { 'aria-labelledby': 'c-t' }, h('h2', { id: 'c-t', text: 'Teaching' }), teaching) : null,
    h('section', { 'aria-labelledby': 'c-e' }, h('h2', { id: 'c-e', text: 'Enrolled' }), enrolled),
    h('section', { 'aria-labelledby': 'c-o' }, h('h2', { id: 'c-o', text: 'Open for enrollment' }), open)]);

  const card = (course, extra) => h('li', { class: 'card', dataset: { id: course.id } },
    h('div', { class: 'card-head' }, h('a', { href: coursePath(course.id), class: 'card-title', text: course.title }),
      course.published ? null : h('span', { class: 'status', text: 'Draft' })),
    course.description ? h('p', { class: 'muted clamp', text: course.description }) : null, extra);

  const load = async () => {
    try {
      const [courses, enrollments] = await Promise.all([
        pb.collection('courses').getFullList({ sort: 'title' }),
        pb.collection('enrollments').getFullList({ filter: filter('student = {:me}', { me: me().id }) }),
      ]);
      const statusOf = new Map(enrollments.map((e) => [e.course, e]));
      const taught = courses.filter(teaches);
      set(teaching, taught.length ? taught.map((c) => card(c)) : h('li', { class: 'empty muted', text: 'You teach no course yet.' }));
      const mine = courses.filter((c) => statusOf.get(c.id) && statusOf.get(c.id).status !== 'dropped');
      set(enrolled, mine.length ? mine.map((c) => card(c, h('p', { class: 'muted', text: statusOf.get(c.id).status === 'completed' ? 'Completed' : 'Enrolled' })))
        : h('li', { class: 'empty muted', text: 'You are not enrolled in any course.' }));
      const others = courses.filter((c) => c.published && !teaches(c) && (!statusOf.get(c.id) || statusOf.get(c.id).status === 'dropped'));
      set(open, others.length ? others.map((c) => card(c, enrollButton(c, statusOf.get(c.id), err, load)))
        : h('li', { class: 'empty muted', text: 'No other course is open.' }));
    } catch (e) { showError(err, e); }
  };
  await load();
  ctx.onReconnect(load);
}

/** enrollButton enrolls the caller, or brings a dropped enrollment back. */
function enrollButton(course, enrollment, err, done) {
  const button = h('button', { type: 'button', class: 'primary' }, enrollment ? 'Rejoin' : 'Enroll');
  button.onclick = async () => {
    button.disabled = true;
    try {
      if (enrollment) await pb.collection('enrollments').update(enrollment.id, { status: 'active' });
      else await pb.collection('enrollments').create({ course: course.id });
      await done();
    } catch (e) { showError(err, e); button.disabled = false; }
  };
  return button;
}

/** courseView is /courses/:id. */
export async function courseView(root, { id }, ctx) {
  const course = await loadOr404(root, () => pb.collection('courses').getOne(id, { expand: 'instructor' }),
    'This course', 'It is not published, or it does not exist.');
  if (!course) return;
  const err = errorBox();
  const owner = teaches(course);
  const enrollment = owner ? null : await pb.collection('enrollments')
    .getFirstListItem(filter('course = {:c} && student = {:me}', { c: id, me: me().id })).catch(() => null);
  append(root, [h('div', { class: 'page-head' }, h('h1', { text: course.title }),
    course.published ? null : h('span', { class: 'status', text: 'Draft' })),
  h('p', { class: 'muted', text: `Taught by ${course.expand?.instructor?.name || 'an instructor'}` }),
  course.description ? h('p', { class: 'prose', text: course.description }) : null, err]);

  if (!owner && (!enrollment || enrollment.status === 'dropped')) {
    append(root, [h('div', { class: 'card', dataset: { state: enrollment ? 'dropped' : 'not-enrolled' } },
      h('p', { text: enrollment ? 'You left this course, so its lessons and assessments are not available to you.' : 'Enroll to see its lessons and assessments.' }),
      enrollButton(course, enrollment, err, () => courseViewReload(root, id, ctx)))]);
    return;
  }

  const lessonsEl = h('ol', { class: 'lessons', id: 'course-lessons' });
  const assessmentsEl = h('ul', { class: 'cards', id: 'course-assessments' });
  const sessionsEl = h('ul', { class: 'cards' });
  const hoursEl = h('ul', { class: 'plain' });
  const groupsEl = h('ul', { class: 'plain' });
  const onlineEl = h('ul', { class: 'people' });
  const studentsEl = h('table', { class: 'table', id: 'course-students' });
  append(root, [h('div', { class: 'two-col' },
    h('div', {},
      h('section', { 'aria-labelledby': 'cl-h' }, h('h2', { id: 'cl-h', text: 'Lessons' }), lessonsEl),
      h('section', { 'aria-labelledby': 'ca-h' }, h('h2', { id: 'ca-h', text: 'Assessments' }), assessmentsEl),
      owner ? h('section', { 'aria-labelledby': 'cs-h' }, h('h2', { id: 'cs-h', text: 'Students' }), studentsEl) : null,
      owner ? staffCard(id) : null),
    h('div', {},
      h('section', { 'aria-labelledby': 'co-h' }, h('h2', { id: 'co-h', text: owner ? 'Students online' : 'Classmates online' }), onlineEl),
      h('section', { 'aria-labelledby': 'cse-h' }, h('h2', { id: 'cse-h', text: 'Live sessions' }), sessionsEl),
      h('section', { 'aria-labelledby': 'coh-h' }, h('h2', { id: 'coh-h', text: 'Office hours' }), hoursEl),
      h('section', { 'aria-labelledby': 'cg-h' }, h('h2', { id: 'cg-h', text: 'Study groups' }), groupsEl)))]);

  const empty = (text) => h('li', { class: 'empty muted', text });
  const load = async () => {
    try {
      const [lessons, progress, assessments, submissions, sessions, hours, groups, online] = await Promise.all([
        pb.collection('lessons').getFullList({ filter: filter('course = {:c}', { c: id }), sort: 'order,created' }),
        pb.collection('lesson_progress').getFullList({ filter: filter('course = {:c} && student = {:me}', { c: id, me: me().id }) }),
        pb.collection('assessments').getFullList({ filter: filter('course = {:c}', { c: id }), sort: 'dueAt,created' }),
        pb.collection('submissions').getFullList({ filter: filter('assessment.course = {:c} && student = {:me}', { c: id, me: me().id }) }),
        pb.collection('live_sessions').getFullList({ filter: filter('course = {:c} && (status = "live" || status = "scheduled")', { c: id }), sort: 'scheduledStart' }),
        pb.collection('office_hours').getFullList({ filter: filter('instructor = {:i} && active = true', { i: course.instructor }), sort: 'dayOfWeek,startTime' }),
        pb.collection('study_groups').getFullList({ filter: filter('course = {:c} && active = true', { c: id }), sort: 'name' }),
        get('/api/presence/online', { course: id }),
      ]);
      const done = new Map(progress.map((p) => [p.lesson, p]));
      set(lessonsEl, lessons.length ? lessons.map((l) => h('li', { dataset: { id: l.id, done: done.get(l.id)?.completedAt ? 'true' : 'false' } },
        h('a', { href: lessonPath(id, l.id), text: l.title }), l.published ? null : h('span', { class: 'status', text: 'Draft' }),
        done.get(l.id)?.completedAt ? h('span', { class: 'done', text: ' ✓ done' }) : null)) : empty('No lessons yet.'));
      const mySubmission = new Map(submissions.map((s) => [s.assessment, s]));
      set(assessmentsEl, assessments.length ? assessments.map((a) => {
        const s = mySubmission.get(a.id);
        const state = s?.gradedAt ? `Graded: ${s.score} / ${a.maxScore}` : s ? 'Submitted' : a.dueAt ? `Due ${fmtDateTime(a.dueAt)}` : 'No due date';
        return h('li', { class: 'card', dataset: { id: a.id } }, h('a', { href: assessmentPath(id, a.id), class: 'card-title', text: a.title }),
          h('p', { class: 'muted', text: owner ? (a.published ? 'Published' : 'Draft') : state }));
      }) : empty('No assessments yet.'));
      set(sessionsEl, sessions.length ? sessions.map(sessionCard) : empty('No session scheduled.'));
      const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
      set(hoursEl, hours.length ? hours.map((o) => h('li', {}, h('a', { href: '/office-hours', text: `${days[o.dayOfWeek]} ${o.startTime}–${o.endTime} (${o.timezone})` })))
        : empty('No office hours.'));
      set(groupsEl, groups.length ? groups.map((g) => h('li', {}, h('a', { href: `/study-groups/${g.id}`, text: g.name }), ` · ${g.memberCount} members`))
        : empty('No study group yet.'));
      const people = online.items.filter((u) => u.id !== me().id);
      set(onlineEl, people.length ? people.map((u) => h('li', { dataset: { user: u.id } }, h('span', { class: 'name', text: u.name }), presenceDot(u.id, u.status)))
        : empty('Nobody else is online.'));
      if (owner) await loadStudents(studentsEl, id, lessons.filter((l) => l.published).length);
    } catch (e) { showError(err, e); }
  };
  await load();
  await ctx.subscribe('lesson_progress', '*', () => load());
  ctx.onReconnect(load);
}

/**
 * staffCard is the course owner's "Teaching assistants" card: the TAs
 * (course_staff) with a Remove button each, and a search by name to add
 * one. TAs run the course's office-hours queues.
 */
function staffCard(courseId) {
  const listEl = h('ul', { class: 'staff-list', id: 'course-staff' });
  const box = errorBox();
  let staff = [];
  const load = async () => {
    staff = await pb.collection('course_staff').getFullList({ filter: filter('course = {:c}', { c: courseId }), expand: 'user', sort: 'created' });
    set(listEl, staff.length ? staff.map((r) => h('li', { dataset: { user: r.user } },
      h('span', { class: 'name', text: r.expand?.user?.name || 'A user' }), h('span', { class: 'status', text: 'TA' }),
      h('button', { type: 'button', class: 'small', 'aria-label': `Remove ${r.expand?.user?.name || 'this TA'}`, onclick: async () => {
        hideError(box);
        try { await pb.collection('course_staff').delete(r.id); await load(); } catch (ex) { showError(box, ex); }
      } }, 'Remove')))
      : h('li', { class: 'empty muted', text: 'No teaching assistants yet.' }));
  };
  const search = peopleSearch({
    idPrefix: 'ta-search', label: 'Add a teaching assistant by name', box,
    keep: (u) => !staff.some((r) => r.user === u.id),
    actionText: 'Add', actionLabel: (u) => `Add ${u.name} as a teaching assistant`, doneText: 'Added',
    act: async (u) => {
      await pb.collection('course_staff').create({ course: courseId, user: u.id });
      await load();
    },
  });
  load().catch((ex) => showError(box, ex));
  return h('section', { class: 'card', 'aria-labelledby': 'cta-h', id: 'course-tas' },
    h('h2', { id: 'cta-h', text: 'Teaching assistants' }),
    h('p', { class: 'muted', text: 'Teaching assistants run the office-hours queues of this course with you. They do not edit the course.' }),
    listEl, box, search.field, search.status, search.results);
}

function courseViewReload(root, id, ctx) {
  set(root);
  return courseView(root, { id }, ctx);
}

/** loadStudents fills the instructor's table of students and their progress. */
async function loadStudents(table, courseId, publishedLessons) {
  const [enrollments, progress] = await Promise.all([
    pb.collection('enrollments').getFullList({ filter: filter('course = {:c}', { c: courseId }), expand: 'student' }),
    pb.collection('lesson_progress').getFullList({ filter: filter('course = {:c} && completedAt != ""', { c: courseId }) }),
  ]);
  const count = new Map();
  for (const p of progress) count.set(p.student, (count.get(p.student) || 0) + 1);
  set(table, h('thead', {}, h('tr', {}, h('th', { text: 'Student' }), h('th', { text: 'Status' }), h('th', { text: 'Lessons done' }))),
    h('tbody', {}, enrollments.length ? enrollments.map((e) => h('tr', { dataset: { student: e.student } },
      h('td', {}, h('a', { href: `${coursePath(courseId)}/students/${e.student}`, text: e.expand?.student?.name || 'A student' })),
      h('td', { text: e.status }), h('td', { text: `${count.get(e.student) || 0} / ${publishedLessons}` })))
      : h('tr', {}, h('td', { colspan: 3, class: 'muted', text: 'Nobody is enrolled yet.' }))));
}

/** lessonView is /courses/:id/lessons/:lessonId: read it, mark it done. */
export async function lessonView(root, { id, lessonId }, ctx) {
  const lesson = await loadOr404(root, () => pb.collection('lessons').getOne(lessonId, { expand: 'course' }),
    'This lesson', 'It is not published yet, or you are not enrolled in its course.', { href: coursePath(id), text: 'Back to the course' });
  if (!lesson) return;
  const err = errorBox();
  const state = h('p', { class: 'lesson-state', role: 'status' });
  const actions = h('div', { class: 'actions' });
  append(root, [h('p', {}, h('a', { href: coursePath(lesson.course), text: `← ${lesson.expand?.course?.title || 'Course'}` })),
    h('h1', { text: lesson.title }), err,
    h('article', { class: 'prose lesson-content', text: lesson.content || 'This lesson has no text.' }), state, actions]);
  if (lesson.expand?.course?.instructor === me().id) {
    state.textContent = 'You teach this course: students mark their progress here.';
    return;
  }
  let progress = await pb.collection('lesson_progress')
    .getFirstListItem(filter('lesson = {:l} && student = {:me}', { l: lessonId, me: me().id })).catch(() => null);
  const save = async (data, button) => {
    button.disabled = true;
    try {
      progress = progress
        ? await pb.collection('lesson_progress').update(progress.id, data)
        : await pb.collection('lesson_progress').create({ lesson: lessonId, ...data });
      render();
    } catch (e) { showError(err, e); button.disabled = false; }
  };
  const render = () => {
    const doneAt = parseDate(progress?.completedAt);
    state.textContent = doneAt ? `Completed ${fmtDateTime(doneAt)}.` : 'Not completed yet.';
    state.dataset.done = doneAt ? 'true' : 'false';
    const video = lesson.hasVideo && !progress?.videoCompletedAt
      ? h('button', { type: 'button', onclick: (e) => save({ videoCompletedAt: new Date().toISOString() }, e.currentTarget) }, 'I watched the video') : null;
    const complete = doneAt ? null
      : h('button', { type: 'button', class: 'primary', onclick: (e) => save({ completedAt: new Date().toISOString() }, e.currentTarget) }, 'Mark lesson complete');
    set(actions, video, complete);
  };
  render();
  ctx.onReconnect(async () => {
    progress = await pb.collection('lesson_progress').getOne(progress?.id || '-').catch(() => progress);
    render();
  });
}

/** assessmentView is /courses/:id/assessments/:assessmentId. */
export async function assessmentView(root, { id, assessmentId }, ctx) {
  const assessment = await loadOr404(root, () => pb.collection('assessments').getOne(assessmentId, { expand: 'course' }),
    'This assessment', 'It is not published yet, or you are not enrolled in its course.', { href: coursePath(id), text: 'Back to the course' });
  if (!assessment) return;
  const err = errorBox();
  append(root, [h('p', {}, h('a', { href: coursePath(assessment.course), text: `← ${assessment.expand?.course?.title || 'Course'}` })),
    h('h1', { text: assessment.title }),
    h('p', { class: 'muted', text: `${assessment.dueAt ? `Due ${fmtDateTime(assessment.dueAt)} · ` : ''}Out of ${assessment.maxScore}` }),
    assessment.description ? h('p', { class: 'prose', text: assessment.description }) : null, err]);
  const body = h('div', {});
  append(root, [body]);

  if (assessment.expand?.course?.instructor === me().id) {
    const load = async () => {
      const submissions = await pb.collection('submissions').getFullList({ filter: filter('assessment = {:a}', { a: assessmentId }), expand: 'student', sort: 'submittedAt' });
      set(body, h('h2', { text: 'Submissions' }), h('table', { class: 'table', id: 'submissions' },
        h('thead', {}, h('tr', {}, h('th', { text: 'Student' }), h('th', { text: 'Submitted' }), h('th', { text: 'Grade' }))),
        h('tbody', {}, submissions.length ? submissions.map((s) => h('tr', { dataset: { id: s.id } },
          h('td', {}, h('a', { href: `${assessmentPath(id, assessmentId)}/submissions/${s.id}`, text: s.expand?.student?.name || 'A student' })),
          h('td', { text: fmtDateTime(s.submittedAt) }), h('td', { text: s.gradedAt ? `${s.score} / ${assessment.maxScore}` : 'To grade' })))
          : h('tr', {}, h('td', { colspan: 3, class: 'muted', text: 'No submission yet.' })))));
    };
    try { await load(); } catch (e) { showError(err, e); }
    await ctx.subscribe('submissions', '*', () => load().catch(() => {}));
    ctx.onReconnect(load);
    return;
  }

  let submission = await pb.collection('submissions')
    .getFirstListItem(filter('assessment = {:a} && student = {:me}', { a: assessmentId, me: me().id })).catch(() => null);
  const render = () => {
    set(body, gradeCard(submission, assessment));
    if (submission?.gradedAt) return;
    const alertBox = errorBox();
    const content = field('Your answer', 'content', { kind: 'textarea', value: submission?.content || '', rows: 8, required: true });
    const submit = h('button', { type: 'submit', class: 'primary' }, submission ? 'Update submission' : 'Submit');
    const form = h('form', { class: 'stack card', id: 'submission-form', novalidate: true }, alertBox, content, submit);
    form.onsubmit = async (e) => {
      e.preventDefault();
      clearFieldErrors(form, alertBox);
      submit.disabled = true;
      try {
        const data = { content: content.control.value };
        const first = !submission;
        submission = submission ? await pb.collection('submissions').update(submission.id, data)
          : await pb.collection('submissions').create({ assessment: assessmentId, ...data });
        render();
        if (first) await watch();
      } catch (ex) { showFormError(form, alertBox, ex); submit.disabled = false; }
    };
    body.append(form);
  };
  // the grade arrives live once the instructor saves it
  const watch = () => ctx.subscribe('submissions', submission.id, (e) => { submission = e.record; render(); });
  render();
  if (submission) await watch();
}

/** gradeCard shows a submission's state, grade and feedback to its student. */
function gradeCard(submission, assessment) {
  if (!submission) return h('p', { class: 'muted', id: 'submission-state', text: 'You have not submitted yet.' });
  return h('div', { class: 'card', id: 'submission-state', dataset: { graded: submission.gradedAt ? 'true' : 'false' } },
    h('p', { text: `Submitted ${fmtDateTime(submission.submittedAt)}.` }),
    submission.gradedAt ? h('p', { class: 'grade' }, h('strong', { text: `Grade: ${submission.score} / ${assessment.maxScore}` })) : h('p', { class: 'muted', text: 'Not graded yet.' }),
    submission.feedback ? h('blockquote', { class: 'feedback', text: submission.feedback }) : null);
}

/** submissionView is the grading view: /courses/:id/assessments/:aid/submissions/:sid. */
export async function submissionView(root, { id, assessmentId, submissionId }) {
  const submission = await loadOr404(root, () => pb.collection('submissions').getOne(submissionId, { expand: 'student,assessment,assessment.course' }),
    'This submission', 'Only its student and the course\'s instructor can see it.', { href: assessmentPath(id, assessmentId), text: 'Back to the assessment' });
  if (!submission) return;
  const assessment = submission.expand.assessment;
  append(root, [h('p', {}, h('a', { href: assessmentPath(assessment.course, assessment.id), text: `← ${assessment.title}` })),
    h('h1', { text: `${submission.expand?.student?.name || 'A student'}'s submission` }),
    h('article', { class: 'prose card', text: submission.content })]);
  if (assessment.expand?.course?.instructor !== me().id) {
    append(root, [gradeCard(submission, assessment)]);
    return;
  }
  const alertBox = errorBox();
  const score = field(`Score (out of ${assessment.maxScore})`, 'score', { type: 'number', min: 0, max: assessment.maxScore, step: 'any', value: submission.gradedAt ? submission.score : '', required: true });
  const feedback = field('Feedback', 'feedback', { kind: 'textarea', rows: 5, value: submission.feedback || '' });
  const saved = h('p', { class: 'muted', role: 'status', id: 'grade-state', text: submission.gradedAt ? `Graded ${fmtDateTime(submission.gradedAt)}.` : '' });
  const submit = h('button', { type: 'submit', class: 'primary' }, submission.gradedAt ? 'Update grade' : 'Save grade');
  const form = h('form', { class: 'stack card', id: 'grade-form', novalidate: true }, h('h2', { text: 'Grade' }), alertBox, score, feedback, submit, saved);
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFieldErrors(form, alertBox);
    submit.disabled = true;
    try {
      const updated = await pb.collection('submissions').update(submissionId, { score: Number(score.control.value), feedback: feedback.control.value });
      saved.textContent = `Graded ${fmtDateTime(updated.gradedAt)}.`;
    } catch (ex) { showFormError(form, alertBox, ex); } finally { submit.disabled = false; }
  };
  append(root, [form]);
}

/** studentProgressView is /courses/:id/students/:studentId, for the instructor. */
export async function studentProgressView(root, { id, studentId }) {
  const course = await loadOr404(root, () => pb.collection('courses').getOne(id), 'This course', 'It is not published, or it does not exist.');
  if (!course) return;
  if (!teaches(course)) {
    notAvailable(root, 'This page', 'Only the course\'s instructor sees a student\'s progress.', { href: coursePath(id), text: 'Back to the course' });
    return;
  }
  const student = await pb.collection('users').getOne(studentId).catch(() => null);
  const [lessons, progress, submissions] = await Promise.all([
    pb.collection('lessons').getFullList({ filter: filter('course = {:c} && published = true', { c: id }), sort: 'order,created' }),
    pb.collection('lesson_progress').getFullList({ filter: filter('course = {:c} && student = {:s}', { c: id, s: studentId }) }),
    pb.collection('submissions').getFullList({ filter: filter('assessment.course = {:c} && student = {:s}', { c: id, s: studentId }), expand: 'assessment' }),
  ]);
  const done = new Map(progress.map((p) => [p.lesson, p]));
  append(root, [h('p', {}, h('a', { href: coursePath(id), text: `← ${course.title}` })),
    h('h1', { text: `${student?.name || 'A student'}: progress` }),
    h('p', { class: 'muted', text: `${progress.filter((p) => p.completedAt).length} of ${lessons.length} lessons completed` }),
    h('ol', { class: 'lessons', id: 'student-lessons' }, lessons.map((l) => h('li', { dataset: { done: done.get(l.id)?.completedAt ? 'true' : 'false' } },
      h('span', { text: l.title }), done.get(l.id)?.completedAt ? h('span', { class: 'done', text: ` ✓ ${fmtDateTime(done.get(l.id).completedAt)}` }) : null))),
    h('h2', { text: 'Submissions' }),
    h('ul', { class: 'plain' }, submissions.length ? submissions.map((s) => h('li', {},
      h('a', { href: `${assessmentPath(id, s.assessment)}/submissions/${s.id}`, text: s.expand?.assessment?.title || 'Assessment' }),
      s.gradedAt ? ` · ${s.score} / ${s.expand?.assessment?.maxScore}` : ' · to grade')) : h('li', { class: 'muted', text: 'None yet.' }))]);
}

/** receiptView is /payments/:id: a payment's receipt. */
export async function receiptView(root, { id }) {
  const payment = await loadOr404(root, () => pb.collection('payments').getOne(id, { expand: 'course,user' }),
    'This receipt', 'Only the payer and the course\'s instructor can see it.', { href: '/', text: 'Back to the dashboard' });
  if (!payment) return;
  const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: payment.currency }).format(payment.amount);
  append(root, [h('h1', { text: payment.status === 'refunded' ? 'Refund' : 'Receipt' }),
    h('dl', { class: 'card receipt', id: 'receipt' },
      h('dt', { text: 'Receipt number' }), h('dd', { text: payment.receiptNumber || '—' }),
      h('dt', { text: 'Course' }), h('dd', {}, payment.expand?.course ? h('a', { href: coursePath(payment.course), text: payment.expand.course.title }) : 'A course no longer offered'),
      h('dt', { text: 'Amount' }), h('dd', { text: money }),
      h('dt', { text: 'Status' }), h('dd', { text: payment.status === 'refunded' ? 'Refunded' : 'Paid' }),
      h('dt', { text: 'Date' }), h('dd', { text: fmtDateTime(payment.updated || payment.created) }),
      payment.expand?.user ? [h('dt', { text: 'Paid by' }), h('dd', { text: payment.expand.user.name })] : null)]);
}

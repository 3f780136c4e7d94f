// Notification links, per-type preferences and the recording link in
// headless Chromium against a real studyhall: the demo users get one
// notification of each trigger a client can fire, and every distinct route
// pattern among their actionUrls (read from pb_public/app/main.js, as
// router.js reads them) opens a real page for its recipient; a per-type
// override survives a reload while mandatory types stay locked; an ended
// session's instructor adds the recording, which its students see live.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server, launchBrowser, newUserPage, shot, pageErrors, repo, PASSWORD } from './helpers.js';

// Every pattern the catalog's links must reach here. '/courses' is the
// weekly summary's, a Monday job no client can fire: it is opened as such.
const EXPECTED = [
  '/courses', '/courses/:id', '/courses/:id/lessons/:lessonId', '/courses/:id/assessments/:assessmentId',
  '/courses/:id/assessments/:assessmentId/submissions/:submissionId', '/courses/:id/students/:studentId',
  '/payments/:id', '/live-sessions/:id', '/study-groups/:id', '/chat/:roomId', '/notifications', '/profile',
];

// What a page whose heading is generic must show besides: the direct
// message that led there.
const CONTENT = { '/chat/:roomId': 'A word about your quiz?' };

/** webRoutes are the route('...') patterns of the web app, matched as router.js does. */
function webRoutes() {
  const src = readFileSync(join(repo, 'pb_public', 'app', 'main.js'), 'utf8');
  const routes = [...src.matchAll(/^route\('([^']+)'/gm)].map(([, pattern]) =>
    ({ pattern, re: new RegExp('^' + pattern.replace(/:([a-zA-Z]+)/g, '([^/]+)') + '/?$') }));
  assert.ok(routes.length >= 10, 'the route() calls of main.js were found');
  return routes;
}

describe('studyhall links: every notification opens its page; per-type preferences; recordings', { timeout: 120_000 }, () => {
  const server = new Server();
  let browser;
  const pages = new Map(); // email → {context, page}
  let teacher; // REST clients
  let student;
  let courseId;

  const pageOf = async (email) => {
    if (!pages.has(email)) pages.set(email, await newUserPage(browser, server, email));
    return pages.get(email).page;
  };

  before(async () => {
    await server.start();
    browser = await launchBrowser();
    teacher = await server.login('instructor@studyhall.test');
    student = await server.login('student@studyhall.test');
    const courses = await teacher.call('GET', `/api/collections/courses/records?filter=${encodeURIComponent(`instructor="${teacher.user.id}"`)}`);
    courseId = courses.items[0].id;
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server.stop();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  });

  it('opens a real page for every route pattern among the notification links', async (t) => {
    const noor = await server.login('student2@studyhall.test');
    const admin = await superuser(server);
    const now = new Date().toISOString();

    // what clients fire, each telling someone: lesson, progress, assessment, submission, grade,
    // payment, session, group invitation, direct message, test, a password change, office hours
    const lesson = await teacher.call('POST', '/api/collections/lessons/records', { course: courseId, title: 'Links: lines', content: 'y = mx + b', order: 60, published: true });
    await student.call('POST', '/api/collections/lesson_progress/records', { lesson: lesson.id, student: student.user.id, completedAt: now });
    const assessment = await teacher.call('POST', '/api/collections/assessments/records', {
      course: courseId, title: 'Links: quiz', maxScore: 10, published: true, dueAt: new Date(Date.now() + 7 * 86400_000).toISOString().replace('T', ' '),
    });
    const submission = await student.call('POST', '/api/collections/submissions/records', { assessment: assessment.id, student: student.user.id, content: 'The slope is 3.' });
    await teacher.call('PATCH', `/api/collections/submissions/records/${submission.id}`, { score: 7, feedback: 'Close.' });
    await admin('POST', '/api/collections/payments/records', { user: student.user.id, course: courseId, amount: 20, currency: 'EUR', status: 'succeeded' });
    await teacher.call('POST', '/api/collections/live_sessions/records', {
      instructor: teacher.user.id, course: courseId, title: 'Links: session', scheduledStart: new Date(Date.now() + 86400_000).toISOString(),
    });
    const group = await student.call('POST', '/api/collections/study_groups/records', { name: 'Links: group', visibility: 'private' });
    await student.call('POST', `/api/study-groups/${group.id}/invite`, { userId: noor.user.id });
    const room = await teacher.call('POST', '/api/chat/direct', { userId: student.user.id });
    await teacher.call('POST', '/api/collections/chat_messages/records', { room: room.id, sender: teacher.user.id, body: 'A word about your quiz?' });
    await student.call('POST', '/api/notifications/test', { priority: 'normal' });
    await changePasswordTwice(server, 'student2@studyhall.test', noor.user.id);
    const slot = await teacher.call('POST', '/api/collections/office_hours/records', { dayOfWeek: 2, startTime: '06:00', endTime: '07:00', timezone: 'UTC', location: 'Room 3' });
    await teacher.call('POST', `/api/office-hours/${slot.id}/open`, {});
    const entry = await student.call('POST', `/api/office-hours/${slot.id}/queue`, { question: 'Where do links lead?' });
    await teacher.call('POST', `/api/office-hours/queue/${entry.id}/admit`, {});

    // every link of every demo user's inbox, by route pattern
    const routes = webRoutes();
    const byPattern = new Map([['/courses', { email: 'student@studyhall.test', url: '/courses', type: 'weekly_progress_summary' }]]);
    const users = [['student@studyhall.test', student], ['instructor@studyhall.test', teacher], ['student2@studyhall.test', await server.login('student2@studyhall.test')]];
    for (const [email, client] of users) {
      const inbox = await client.call('GET', '/api/collections/notifications/records?perPage=500&sort=created');
      for (const n of inbox.items) {
        if (!n.actionUrl) assert.fail(`${n.type} for ${email} has no actionUrl`);
        const path = n.actionUrl.split(/[?#]/)[0];
        const route = routes.find((r) => r.re.test(path));
        assert.ok(route, `${n.type}: ${n.actionUrl} is no route of the web app`);
        if (!byPattern.has(route.pattern)) byPattern.set(route.pattern, { email, url: n.actionUrl, type: n.type });
      }
    }
    for (const pattern of EXPECTED) assert.ok(byPattern.has(pattern), `no notification led to ${pattern}`);

    for (const [pattern, { email, url, type }] of byPattern) {
      const page = await pageOf(email);
      await page.goto(url);
      const h1 = page.locator('#main h1[tabindex="-1"]'); // focused once the view has loaded
      await h1.waitFor();
      const heading = (await h1.textContent()).trim();
      const what = `${pattern} (${type} of ${email}: ${url})`;
      assert.ok(heading && heading !== 'Page not found', `${what}: heading "${heading}"`);
      // the pages' "not available" states (a draft or left course, a record the caller may not see)
      const unavailable = page.locator('#main [data-state="not-available"], #main [data-state="dropped"], #main [data-state="not-enrolled"]');
      if (await unavailable.count()) assert.fail(`${what}: shows "${await unavailable.first().textContent()}"`);
      assert.equal(await page.locator('#main .error:not([hidden])').count(), 0, `${what}: shows an error`);
      assert.ok(!/not part of this web app/i.test(await page.locator('#main').textContent()), `${what}: a placeholder`);
      if (CONTENT[pattern]) await page.locator('#main', { hasText: CONTENT[pattern] }).waitFor();
      t.diagnostic(`${pattern} → "${heading}"`);
    }
    await shot(await pageOf('student@studyhall.test'), '40-link-chat');
  });

  it('keeps a per-type override across a reload, and locks the mandatory types', async () => {
    const s = await pageOf('student@studyhall.test');
    await s.goto('/preferences');
    const progress = s.locator('#type-overrides details[data-category=progress]');
    await progress.locator('summary').click();
    const lessonEmail = s.getByLabel('Lesson completed: by email');
    assert.equal(await lessonEmail.inputValue(), '', 'follows its category at first');
    assert.equal(await lessonEmail.locator('option').first().textContent(), 'As category (on)');
    await lessonEmail.selectOption('off');
    await s.getByLabel('Video finished: in the app').selectOption('on');
    await s.getByRole('checkbox', { name: 'Progress: by email' }).uncheck();
    assert.equal(await s.getByLabel('Video finished: by email').locator('option').first().textContent(), 'As category (off)');
    await s.getByRole('checkbox', { name: 'Progress: by email' }).check();

    const system = s.locator('#type-overrides details[data-category=system]');
    await system.locator('summary').click();
    for (const label of ['Password changed', 'Payment receipt', 'Refund confirmation']) {
      for (const channel of ['in the app', 'by email']) {
        const locked = s.getByLabel(`${label}: ${channel}`);
        assert.ok(await locked.isDisabled(), `${label} ${channel} is locked`);
        assert.deepEqual(await locked.locator('option').allTextContents(), ['Always on'], `${label} ${channel} cannot be turned off`);
      }
      await system.locator(`tr[data-type][data-locked=true]`, { hasText: label }).getByText('cannot be turned off').waitFor();
    }
    assert.ok(await s.getByLabel('Account deleted: in the app').isDisabled());
    await s.getByRole('button', { name: 'Save preferences' }).click();
    await s.getByText('Preferences saved.').waitFor();
    await shot(s, '41-preferences-types');
    await s.setViewportSize({ width: 390, height: 844 });
    await shot(s, '41-preferences-types-phone');
    await s.setViewportSize({ width: 1280, height: 860 });

    await s.reload();
    await s.locator('#type-overrides details[data-category=progress][open]').waitFor(); // open: it holds overrides
    assert.equal(await s.getByLabel('Lesson completed: by email').inputValue(), 'off');
    assert.equal(await s.getByLabel('Video finished: in the app').inputValue(), 'on');
    assert.equal(await s.getByLabel('Lesson completed: in the app').inputValue(), '');
    const prefs = await student.call('GET', `/api/collections/notification_preferences/records?filter=${encodeURIComponent(`user="${student.user.id}"`)}`);
    assert.deepEqual(prefs.items[0].types, { lesson_completed: { email: false }, video_completed: { inApp: true } });
    assert.ok(await s.getByLabel('Password changed: by email').isDisabled(), 'still locked after the reload');
  });

  it('lets the instructor add the recording of an ended session, which its students see live', async () => {
    const t = await pageOf('instructor@studyhall.test');
    const s = await pageOf('student@studyhall.test');
    const session = await teacher.call('POST', '/api/collections/live_sessions/records', {
      instructor: teacher.user.id, course: courseId, title: 'Links: recorded', scheduledStart: new Date(Date.now() + 3600_000).toISOString(),
    });
    await teacher.call('POST', `/api/live-sessions/${session.id}/start`, {});
    await teacher.call('POST', `/api/live-sessions/${session.id}/end`, {});

    await s.goto(`/live-sessions/${session.id}`);
    await s.locator('h1', { hasText: 'Links: recorded' }).waitFor();
    assert.equal(await s.getByLabel('Recording').count(), 0, 'only the instructor edits it');
    await t.goto(`/live-sessions/${session.id}`);
    const form = t.locator('form#session-recording');
    await form.getByLabel('Recording').fill('not a link');
    await form.getByRole('button', { name: 'Save the recording link' }).click();
    await form.locator('[data-field=recordingUrl] .field-error:not([hidden])').waitFor();
    await form.getByLabel('Recording').fill('https://video.example.edu/links-recorded');
    await form.getByRole('button', { name: 'Save the recording link' }).click();
    await t.getByText('Recording link saved.').waitFor();
    await shot(t, '42-recording-instructor');

    const link = s.getByRole('link', { name: 'Watch the recording' });
    await link.waitFor(); // the update arrives live
    assert.equal(await link.getAttribute('href'), 'https://video.example.edu/links-recorded');
    await shot(s, '43-recording-student');
    const refused = await fetch(`${server.url}/api/collections/live_sessions/records/${session.id}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json', authorization: teacher.token }, body: JSON.stringify({ title: 'Renamed' }),
    });
    assert.equal(refused.status, 409, 'nothing but the recording changes once it has ended');
  });
});

/** changePasswordTwice changes a demo user's password and back: two password_changed notices. */
async function changePasswordTwice(server, email, userId) {
  const other = 'another-password-1';
  for (const [from, to] of [[PASSWORD, other], [other, PASSWORD]]) {
    const auth = await fetch(`${server.url}/api/collections/users/auth-with-password`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: email, password: from }),
    }).then((r) => r.json());
    const res = await fetch(`${server.url}/api/collections/users/records/${userId}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json', authorization: auth.token },
      body: JSON.stringify({ oldPassword: from, password: to, passwordConfirm: to }),
    });
    assert.equal(res.status, 200, `password change of ${email}`);
  }
}

/** superuser signs in as the demo superuser and returns a REST caller. */
async function superuser(server) {
  const res = await fetch(`${server.url}/api/collections/_superusers/auth-with-password`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'admin@studyhall.test', password: PASSWORD }),
  });
  const { token } = await res.json();
  return async (method, path, data) => {
    const r = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: token }, body: JSON.stringify(data) });
    const body = await r.json();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(body)}`);
    return body;
  };
}

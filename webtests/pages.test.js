// The course pages, accounts and management views in headless Chromium
// against a real studyhall: a lesson reached from its notification and
// marked done (the instructor sees it live), a submission graded with a
// toast back to the student, a receipt, sign-up in a time zone whose quiet
// hours hold a notification, the profile with an avatar, a group's
// settings and invitations, office-hours slots edited, deactivated and
// deleted with the meeting link shown to the admitted student, the
// sessions' month calendar, the calendar feed copied from the profile,
// chat (older history paged in on scroll, a reply with its quoted line,
// avatars beside senders, a moderator's removal seen live by another
// member), a session's waitlist, and office hours run by a teaching
// assistant (added on the course page) while the waiting student sees the
// announcement and the paused banner live.
// Over 400 lines: one suite on one server, so the pages share a build and a seed (the web tests must stay fast).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Server, launchBrowser, newUserPage, watchErrors, shot, sleep, pageErrors, PASSWORD } from './helpers.js';

const TOAST_TIMEOUT = 5000;

// a 1x1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('studyhall pages: courses, accounts, group settings, slots, calendars, chat', { timeout: 300_000 }, () => {
  const server = new Server();
  let browser;
  let instructor;
  let student;
  let teacher; // REST client of the instructor
  let courseId;

  before(async () => {
    await server.start();
    browser = await launchBrowser();
    teacher = await server.login('instructor@studyhall.test');
    const courses = await teacher.call('GET', `/api/collections/courses/records?filter=${encodeURIComponent(`instructor="${teacher.user.id}"`)}`);
    courseId = courses.items[0].id;
    instructor = await newUserPage(browser, server, 'instructor@studyhall.test');
    student = await newUserPage(browser, server, 'student@studyhall.test');
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server.stop();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  });

  it('lists courses and shows the course page with lessons, progress and classmates', async () => {
    const s = student.page;
    await s.getByRole('link', { name: 'Courses' }).click();
    await s.locator('#courses-enrolled .card-title', { hasText: 'Algebra I' }).click();
    await s.locator('h1', { hasText: 'Algebra I' }).waitFor();
    await s.locator('#course-lessons li[data-id]').first().waitFor(); // the demo course's lessons
    await shot(s, '20-course-student');
    await shot(instructor.page, '20-dashboard-instructor');
  });

  it('leads from the new-lesson notification to the lesson, and the instructor sees it done live', async () => {
    const s = student.page;
    const t = instructor.page;
    await t.goto(`/courses/${courseId}`);
    await t.locator('#course-students').waitFor();
    const column = () => t.$$eval('#course-students tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent).join('|'));
    const before = await column();

    const lesson = await teacher.call('POST', '/api/collections/lessons/records', {
      course: courseId, title: 'Slopes and intercepts', content: 'A line is y = mx + b.\nm is the slope.', order: 50, published: true,
    });
    const toast = s.locator('.toast', { hasText: 'Slopes and intercepts' });
    await toast.waitFor({ timeout: TOAST_TIMEOUT });
    await toast.getByRole('button').first().click();
    await s.waitForURL(new RegExp(`/courses/${courseId}/lessons/${lesson.id}$`));
    await s.locator('h1', { hasText: 'Slopes and intercepts' }).waitFor();
    await s.getByRole('button', { name: 'Mark lesson complete' }).click();
    await s.locator('.lesson-state[data-done=true]').waitFor();
    await shot(s, '21-lesson-done');

    // the instructor's table moves without a reload
    await t.waitForFunction((b) => [...document.querySelectorAll('#course-students tbody tr td:nth-child(3)')]
      .map((td) => td.textContent).join('|') !== b, before);
    await shot(t, '22-course-instructor');
  });

  it('takes a submission, lets the instructor grade it, and tells the student', async () => {
    const s = student.page;
    const t = instructor.page;
    const assessment = await teacher.call('POST', '/api/collections/assessments/records', {
      course: courseId, title: 'Quiz: slopes', description: 'Find the slope of y = 3x + 2.', maxScore: 10, published: true,
      dueAt: new Date(Date.now() + 7 * 86400_000).toISOString().replace('T', ' '),
    });
    const created = s.locator('.toast', { hasText: 'Quiz: slopes' });
    await created.waitFor({ timeout: TOAST_TIMEOUT });
    await created.getByRole('button').first().click();
    await s.waitForURL(new RegExp(`/assessments/${assessment.id}$`));
    await s.getByLabel('Your answer').fill('The slope is 3.');
    await s.getByRole('button', { name: 'Submit' }).click();
    await s.locator('#submission-state', { hasText: 'Not graded yet.' }).waitFor();

    await t.goto(`/courses/${courseId}/assessments/${assessment.id}`);
    await t.locator('#submissions a').first().click();
    await t.locator('article', { hasText: 'The slope is 3.' }).waitFor();
    await t.getByLabel('Score (out of 10)').fill('11');
    await t.getByRole('button', { name: 'Save grade' }).click();
    await t.locator('[data-field=score] .field-error:not([hidden])').waitFor(); // over the maximum
    await t.getByLabel('Score (out of 10)').fill('9');
    await t.getByLabel('Feedback').fill('Right; show the working next time.');
    await t.getByRole('button', { name: 'Save grade' }).click();
    await t.locator('#grade-state', { hasText: 'Graded' }).waitFor();
    await shot(t, '23-grading');

    await s.locator('.toast', { hasText: 'graded' }).first().waitFor({ timeout: TOAST_TIMEOUT });
    await s.locator('#submission-state[data-graded=true]', { hasText: '9 / 10' }).waitFor();
    await s.locator('.feedback', { hasText: 'show the working' }).waitFor();
    await shot(s, '24-graded');
  });

  it('shows a receipt from its notification, and "not available" for a draft course', async () => {
    const s = student.page;
    const admin = await superuser(server);
    const payment = await admin('POST', '/api/collections/payments/records', {
      user: await studentId(s), course: courseId, amount: 49.5, currency: 'EUR', status: 'succeeded',
    });
    const toast = s.locator('.toast', { hasText: 'Payment received' });
    await toast.first().waitFor({ timeout: TOAST_TIMEOUT });
    await toast.first().getByRole('button').first().click();
    await s.waitForURL(new RegExp(`/payments/${payment.id}$`));
    await s.locator('#receipt', { hasText: '49.50' }).waitFor();
    await shot(s, '25-receipt');

    const draft = await teacher.call('POST', '/api/collections/courses/records', { title: 'Draft course', published: false });
    await s.goto(`/courses/${draft.id}`);
    await s.locator('[data-state=not-available]', { hasText: 'not available' }).waitFor();
    await s.goto(`/payments/${'x'.repeat(15)}`);
    await s.locator('[data-state=not-available]').waitFor();
  });

  it('signs up in a time zone, whose quiet hours then hold a notification', async () => {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 390, height: 844 }, timezoneId: 'Asia/Tokyo' });
    context.setDefaultTimeout(10000);
    const page = await context.newPage();
    watchErrors(page, 'signup');
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Create an account' }).click();
    assert.equal(await page.getByLabel('Time zone').inputValue(), 'Asia/Tokyo', 'prefilled from the browser');
    await page.getByLabel('Name').fill('Kei');
    await page.getByLabel('Email').fill('kei@studyhall.test');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('[data-field=password] .field-error:not([hidden])').waitFor();
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('h1', { hasText: 'Welcome, Kei' }).waitFor();
    await shot(page, '26-signed-up-phone');

    const kei = await server.login('kei@studyhall.test');
    assert.equal(kei.user.timezone, 'Asia/Tokyo');
    // quiet hours around now on Tokyo's clock: a test notification is held
    const tokyo = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const clock = (d) => tokyo.format(d);
    const prefs = await kei.call('GET', `/api/collections/notification_preferences/records?filter=${encodeURIComponent(`user="${kei.user.id}"`)}`);
    const pref = prefs.items[0];
    assert.equal(pref.timezone, '', 'no zone of their own: the account zone applies');
    await kei.call('PATCH', `/api/collections/notification_preferences/records/${pref.id}`, {
      quietHoursStart: clock(new Date(Date.now() - 3600_000)), quietHoursEnd: clock(new Date(Date.now() + 3600_000)), quietHoursUrgent: false,
    });
    await kei.call('POST', '/api/notifications/test', { priority: 'normal' });
    const count = await kei.call('GET', '/api/notifications/unread-count');
    assert.equal(count.held, 1, 'held by quiet hours in Tokyo');
    assert.equal(count.count, 0);
    await context.close();
  });

  it('saves the profile: name, avatar and time zone', async () => {
    const s = student.page;
    await s.locator('#user-name').click();
    await s.locator('h1', { hasText: 'Your account' }).waitFor();
    await s.getByLabel('Name').fill('   ');
    await s.getByRole('button', { name: 'Save profile' }).click();
    await s.locator('[data-field=name] .field-error:not([hidden])').waitFor();
    await s.getByLabel('Name').fill('Sam Student');
    await s.getByLabel('Avatar').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
    await s.getByLabel('Time zone').selectOption('Europe/Paris');
    await s.getByRole('button', { name: 'Save profile' }).click();
    await s.locator('#profile-state', { hasText: 'Saved.' }).waitFor();
    await s.locator('#avatar-preview img[src*="thumb=64x64"]').waitFor();
    await s.locator('#user-name', { hasText: 'Sam Student' }).waitFor();
    await shot(s, '27-profile');
    const me = await server.login('student@studyhall.test');
    assert.equal(me.user.timezone, 'Europe/Paris');
    assert.ok(me.user.avatar, 'the avatar is stored');
  });

  it('lets a group admin edit settings and revoke an invitation, and an invitee accept on the group page', async () => {
    const s = student.page;
    const owner = await server.login('student@studyhall.test');
    const noor = await server.login('student2@studyhall.test');
    const kenji = await server.login('student3@studyhall.test');
    const group = await owner.call('POST', '/api/collections/study_groups/records', { name: 'Proof club', visibility: 'private' });
    await owner.call('POST', `/api/study-groups/${group.id}/invite`, { userId: noor.user.id });
    await owner.call('POST', `/api/study-groups/${group.id}/invite`, { userId: kenji.user.id });

    await s.goto(`/study-groups/${group.id}`);
    await s.locator('#pending-invitations li', { hasText: kenji.user.name }).waitFor();
    await s.getByRole('button', { name: `Revoke the invitation of ${kenji.user.name}` }).click();
    await s.locator('#pending-invitations li', { hasText: kenji.user.name }).waitFor({ state: 'detached' });
    const settings = s.locator('#group-settings');
    await settings.getByLabel('Name').fill(' ');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.locator('[data-field=name] .field-error:not([hidden])').waitFor();
    await settings.getByLabel('Name').fill('Proof club (Tuesdays)');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await s.locator('h1', { hasText: 'Proof club (Tuesdays)' }).waitFor();
    await shot(s, '28-group-settings');

    const invitee = await newUserPage(browser, server, 'student2@studyhall.test');
    await invitee.page.goto(`/study-groups/${group.id}`);
    await invitee.page.locator('.invited').waitFor();
    await shot(invitee.page, '29-group-invited');
    await invitee.page.getByRole('button', { name: 'Accept' }).click();
    await invitee.page.getByRole('button', { name: 'Leave group' }).waitFor();
    const members = await owner.call('GET', `/api/collections/study_group_members/records?filter=${encodeURIComponent(`group="${group.id}"`)}`);
    assert.equal(members.totalItems, 2, 'the owner and the invitee who accepted');
    const kenjiInv = await owner.call('GET', `/api/collections/study_group_invitations/records?filter=${encodeURIComponent(`group="${group.id}" && invitee="${kenji.user.id}"`)}`);
    assert.equal(kenjiInv.items[0].status, 'revoked');
    await invitee.context.close();
  });

  it('edits, deactivates and deletes a slot, and shows the meeting link and presence in the queue', async () => {
    const s = student.page;
    const t = instructor.page;
    const slot = await teacher.call('POST', '/api/collections/office_hours/records', {
      dayOfWeek: 1, startTime: '06:00', endTime: '07:00', timezone: 'UTC', location: 'Room 1', meetingUrl: 'https://meet.example.edu/ada',
    });
    await teacher.call('POST', `/api/office-hours/${slot.id}/open`);

    await s.goto('/office-hours');
    const card = s.locator(`.slot[data-id="${slot.id}"]`);
    await card.getByRole('button', { name: 'Join the queue' }).click();
    await s.locator('.entry[data-status=waiting]').first().waitFor();

    await t.goto('/office-hours');
    const row = t.locator('.queue-list .entry[data-status=waiting]').last();
    await row.locator('[data-presence-user]').waitFor();
    assert.equal(await row.locator('[data-presence-user]').getAttribute('data-status'), 'online', 'the waiting student shows online');
    await row.getByRole('button', { name: /^Admit/ }).click();
    const meeting = s.locator('.entry[data-status=admitted] a.meeting-link');
    await meeting.waitFor({ timeout: TOAST_TIMEOUT });
    assert.equal(await meeting.getAttribute('href'), 'https://meet.example.edu/ada');
    await shot(s, '30-admitted-meeting-link');

    const mine = t.locator(`.slot[data-id="${slot.id}"]`);
    await mine.getByRole('button', { name: 'Edit' }).click();
    const editor = t.locator('#slot-editor form');
    await editor.getByLabel('Location').fill('Room 2');
    await editor.getByLabel('To').fill('05:00'); // before the start: refused beside the field
    await editor.getByRole('button', { name: 'Save changes' }).click();
    await editor.locator('.field-error:not([hidden])').first().waitFor();
    await editor.getByLabel('To').fill('07:30');
    await editor.getByRole('button', { name: 'Save changes' }).click();
    await mine.getByText('Where: Room 2').waitFor();
    await mine.getByRole('button', { name: 'Deactivate' }).click();
    await mine.getByText('Inactive').waitFor();
    t.once('dialog', (d) => d.accept());
    await mine.getByRole('button', { name: 'Delete' }).click();
    await mine.waitFor({ state: 'detached' });
    await shot(t, '31-slots');
  });

  it('shows the sessions in a month calendar', async () => {
    const s = student.page;
    await s.goto('/live-sessions');
    const calendar = s.locator('#sessions-calendar');
    await calendar.locator('.calendar-event').first().waitFor();
    const title = await calendar.locator('h2').textContent();
    await calendar.getByRole('button', { name: 'Next month' }).click();
    assert.notEqual(await calendar.locator('h2').textContent(), title);
    await calendar.getByRole('button', { name: 'Today' }).click();
    assert.equal(await calendar.locator('h2').textContent(), title);
    await shot(s, '32-calendar');
    await s.setViewportSize({ width: 390, height: 844 });
    await shot(s, '33-calendar-phone');
    await s.setViewportSize({ width: 1280, height: 860 });
  });

  it('counts unseen on the badge until the bell is opened, and alerts on the desktop when hidden', async () => {
    const s = student.page;
    const me = await server.login('student@studyhall.test');
    await s.goto('/');
    await me.call('POST', '/api/notifications/test', { priority: 'normal' });
    await s.waitForFunction(() => Number(document.querySelector('#bell').dataset.unseen) > 0);
    const unread = Number(await s.locator('#bell').getAttribute('data-unread'));
    await s.locator('#bell').click();
    await s.locator('#notif-panel .notif').first().waitFor();
    await s.waitForFunction(() => document.querySelector('#bell').dataset.unseen === '0');
    assert.equal(await s.locator('#bell .badge').isHidden(), true, 'nothing new once seen');
    assert.equal(Number(await s.locator('#bell').getAttribute('data-unread')), unread, 'seeing is not reading');

    // desktop alerts: opted in, the tab hidden, a high notice shows one
    await student.context.grantPermissions(['notifications']);
    await s.locator('#desktop-alerts').click();
    await s.locator('#desktop-alerts[aria-pressed=true]').waitFor();
    await s.locator('#bell').click(); // close the panel
    await s.evaluate(() => {
      window.__alerts = [];
      const Real = window.Notification;
      class Recording { constructor(title, options) { window.__alerts.push({ title, ...options }); } close() {} }
      Recording.permission = Real.permission;
      Recording.requestPermission = () => Real.requestPermission();
      window.Notification = Recording;
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    });
    await me.call('POST', '/api/notifications/test', { priority: 'normal' });
    await me.call('POST', '/api/notifications/test', { priority: 'high' });
    await s.waitForFunction(() => window.__alerts.length > 0, null, { timeout: TOAST_TIMEOUT });
    await sleep(300);
    const alerts = await s.evaluate(() => window.__alerts);
    assert.equal(alerts.length, 1, 'only the high notice alerts');
    await s.evaluate(() => { delete document.visibilityState; });
  });

  it('copies the calendar feed link from the profile, and the feed holds the student\'s session', async () => {
    // the operator has set the app's public URL (Settings → Application): this server
    const su = await superuser(server);
    await su('PATCH', '/api/settings', { meta: { appURL: server.url } });
    const s = student.page;
    await student.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await s.goto('/profile');
    await s.getByRole('heading', { name: 'Calendar feed' }).waitFor();
    await s.waitForFunction(() => document.querySelector('#calendar-url')?.value.startsWith('http'));
    assert.match(await s.inputValue('#calendar-webcal'), /^webcal:\/\/127\.0\.0\.1:\d+\/api\/calendar\/.+\.ics$/);
    await s.getByRole('button', { name: 'Copy the feed address' }).click();
    await s.locator('#calendar-state', { hasText: 'Link copied.' }).waitFor();
    const copied = await s.evaluate(() => navigator.clipboard.readText());
    assert.ok(copied.startsWith(`${server.url}/api/calendar/`), copied);
    await shot(s, '34-profile-calendar-feed');

    // a calendar app fetches it: no sign-in, the student's session in it
    const feed = await fetch(copied);
    assert.equal(feed.status, 200);
    assert.equal(feed.headers.get('content-type'), 'text/calendar; charset=utf-8');
    const body = await feed.text();
    assert.match(body, /^BEGIN:VCALENDAR\r\n/);
    assert.match(body, /\r\nSUMMARY:Algebra I: live Q&A\r\n/);

    // a new link: the old one stops working
    s.once('dialog', (d) => d.accept());
    await s.getByRole('button', { name: 'Make a new link' }).click();
    await s.locator('#calendar-state', { hasText: 'New link made.' }).waitFor();
    const renewed = await s.inputValue('#calendar-url');
    assert.notEqual(renewed, copied);
    assert.equal((await fetch(copied)).status, 400);
    assert.equal((await fetch(renewed)).status, 200);

    // a session page's "Add to calendar" saves its .ics
    const sessions = await teacher.call('GET', `/api/collections/live_sessions/records?filter=${encodeURIComponent('title="Algebra I: live Q&A"')}`);
    await s.goto(`/live-sessions/${sessions.items[0].id}`);
    const [download] = await Promise.all([s.waitForEvent('download'), s.getByRole('link', { name: 'Add to calendar' }).click()]);
    assert.equal(download.suggestedFilename(), 'algebra-i-live-q-a.ics');
    const ics = await readFile(await download.path(), 'utf8');
    assert.match(ics, /\r\nUID:live-session-[a-z0-9]+@studyhall\r\n/);
    assert.match(ics, /\r\nSUMMARY:Algebra I: live Q&A\r\n/);
  });

  it('pages chat history in on scroll, replies with the quoted line, shows avatars, and a moderator removal live', async () => {
    // the demo's live session room: Noor is in it, Sam joins; Sam's
    // avatar is uploaded as the profile page does (multipart); then 64
    // messages of history and Sam's question
    const HISTORY = 64;
    const sam = await server.login('student@studyhall.test');
    const noor = await server.login('student2@studyhall.test');
    const sessions = await teacher.call('GET', `/api/collections/live_sessions/records?filter=${encodeURIComponent('status="live"')}`);
    const session = sessions.items[0];
    const roomId = session.chatRoom;
    await sam.call('POST', `/api/live-sessions/${session.id}/join`, {});
    const form = new FormData();
    form.append('avatar', new Blob([PNG], { type: 'image/png' }), 'sam.png');
    const res = await fetch(`${server.url}/api/collections/users/records/${sam.user.id}`, { method: 'PATCH', headers: { authorization: sam.token }, body: form });
    assert.equal(res.status, 200, await res.text());
    // say posts a message, waiting out the per-user limit when it answers 429
    const say = async (client, text) => {
      for (;;) {
        try {
          return await client.call('POST', '/api/collections/chat_messages/records', { room: roomId, sender: client.user.id, body: text });
        } catch (e) {
          if (!String(e.message).includes(': 429 ')) throw e;
          await sleep(250);
        }
      }
    };
    const speakers = [teacher, sam, noor];
    for (let i = 1; i <= HISTORY; i++) await say(speakers[i % 3], `History ${i}`);
    const samMessage = await say(sam, 'Is the slope of y = 3x + 1 equal to 3?');

    const n = await newUserPage(browser, server, 'student2@studyhall.test');
    const t = await newUserPage(browser, server, 'instructor@studyhall.test');
    const page = n.page;
    await page.goto(`/chat/${roomId}`);
    const log = page.locator('.chat .messages');
    await log.locator(`li.msg[data-id="${samMessage.id}"]`).waitFor();

    // the latest 50 only; scrolling to the top brings the 15 before them
    assert.equal(await log.locator('li.msg').count(), 50);
    // Sam's question and History 64 down to 16
    assert.equal(await log.locator('li.msg .body', { hasText: /^History 16$/ }).count(), 1);
    assert.equal(await log.locator('li.msg .body', { hasText: /^History 15$/ }).count(), 0);
    const ids = () => log.locator('li.msg').evaluateAll((lis) => lis.map((li) => li.dataset.id));
    const anchor = await ids().then((all) => all[0]);
    await log.evaluate((el) => { el.scrollTop = 0; });
    await log.locator('li.msg .body', { hasText: /^History 1$/ }).waitFor();
    const all = await ids();
    assert.equal(new Set(all).size, all.length, 'no message twice');
    const bodies = await log.locator('li.msg .body').allTextContents();
    for (let i = 1; i <= HISTORY; i++) assert.equal(bodies.filter((b) => b === `History ${i}`).length, 1, `History ${i} once`);
    // the reader stays where they were: the message that was on top is still in view
    const stillThere = await page.evaluate((id) => {
      const list = document.querySelector('.chat .messages');
      const li = list.querySelector(`li.msg[data-id="${id}"]`);
      return li.offsetTop >= list.scrollTop - 5 && li.offsetTop <= list.scrollTop + list.clientHeight;
    }, anchor);
    assert.ok(stillThere, 'the scroll position is kept when older messages come in');
    await log.locator('.history-top', { hasText: 'Start of the conversation' }).waitFor();

    // Sam's avatar beside his message, as a 64x64 thumbnail that loads
    const samRow = log.locator(`li.msg[data-id="${samMessage.id}"]`);
    const img = samRow.locator('img.avatar');
    await img.waitFor();
    assert.match(await img.getAttribute('src'), /\/api\/files\/.+\/sam_\w+\.png\?thumb=64x64$/);
    await page.waitForFunction((id) => document.querySelector(`li.msg[data-id="${id}"] img.avatar`)?.naturalWidth > 0, samMessage.id);

    // Noor answers Sam: the reply shows the quoted line
    await samRow.getByRole('button', { name: 'Reply to this message' }).click();
    await page.locator('.reply-bar', { hasText: 'Sam Student' }).waitFor();
    await page.getByLabel(/^Message to/).fill('Yes: m = 3.');
    await page.getByRole('button', { name: 'Send' }).click();
    const reply = log.locator('li.msg.mine', { hasText: 'Yes: m = 3.' });
    await reply.locator('.quote', { hasText: 'Sam Student: Is the slope of y = 3x + 1 equal to 3?' }).waitFor();
    await shot(page, '40-chat-reply-desktop');

    // the instructor moderates the session room: Remove on Sam's message
    await t.page.goto(`/chat/${roomId}`);
    const tRow = t.page.locator(`.chat li.msg[data-id="${samMessage.id}"]`);
    await tRow.getByRole('button', { name: 'Remove message by Sam Student' }).click();
    await tRow.locator('.body', { hasText: 'removed by a moderator' }).waitFor();

    // Noor sees it live: the message and the quote in her reply
    await samRow.locator('.body', { hasText: 'Message removed by a moderator' }).waitFor();
    await reply.locator('.quote', { hasText: 'removed by a moderator' }).waitFor();
    assert.equal(await samRow.locator('.body').textContent(), 'Message removed by a moderator');
    assert.equal(await samRow.getByRole('button', { name: 'Reply to this message' }).count(), 0);
    await shot(page, '41-chat-moderated-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await sleep(200);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the chat scrolls sideways by ${overflow}px on a phone`);
    await shot(page, '41-chat-moderated-phone');

    // a member is no moderator: no Remove on others' messages
    assert.equal(await page.getByRole('button', { name: /^Remove message by/ }).count(), 0);
    await n.context.close();
    await t.context.close();
  });

  it('puts a student on the waitlist of a full session, moves them up live, then seats them', async () => {
    const s = student.page;
    const seated = await server.login('student2@studyhall.test');
    const ahead = await server.login('student3@studyhall.test');
    const session = await teacher.call('POST', '/api/collections/live_sessions/records', {
      instructor: teacher.user.id, course: courseId, title: 'Full house', capacity: 1,
      scheduledStart: new Date(Date.now() + 3 * 3600e3).toISOString(),
    });
    await seated.call('POST', `/api/live-sessions/${session.id}/join`, {});
    await ahead.call('POST', `/api/live-sessions/${session.id}/join`, { waitlist: true });

    await s.goto(`/live-sessions/${session.id}`);
    await s.getByText('This session is full: join the waitlist').waitFor();
    await s.getByRole('button', { name: 'Join the waitlist' }).click();
    await s.locator('#waitlist-position[data-position="2"]').waitFor();
    await shot(s, '34-waitlist');

    // the one ahead gives up: number 1, without a reload
    await ahead.call('POST', `/api/live-sessions/${session.id}/leave`, {});
    await s.locator('#waitlist-position[data-position="1"]', { hasText: 'number 1' }).waitFor();

    // the seat comes free: the notice's toast and the seat, without a reload
    await seated.call('POST', `/api/live-sessions/${session.id}/leave`, {});
    await s.locator('.toast', { hasText: 'You have a seat' }).waitFor({ timeout: TOAST_TIMEOUT });
    await s.getByRole('button', { name: 'Leave session' }).waitFor();
    assert.equal(await s.locator('#waitlist-position').count(), 0);
    await shot(s, '35-waitlist-seated');
  });

  it('lets the instructor add a teaching assistant on the course page', async () => {
    const t = instructor.page;
    await t.goto(`/courses/${courseId}`);
    const card = t.locator('#course-tas');
    await card.getByText('No teaching assistants yet.').waitFor();
    await card.getByLabel('Add a teaching assistant by name').fill('Noor');
    await card.getByRole('button', { name: 'Add Noor Haddad as a teaching assistant' }).click();
    await card.locator('#course-staff li', { hasText: 'Noor Haddad' }).waitFor();
    await shot(t, '40-course-teaching-assistants');
  });

  it('lets a TA run the queue: the student sees the announcement and the pause live, and the TA admits', async () => {
    // a student with no visit yet (Sam had one in the slot test above)
    const email = 'lee.park@studyhall.test';
    const res = await fetch(`${server.url}/api/collections/users/records`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD, passwordConfirm: PASSWORD, name: 'Lee Park' }),
    });
    assert.equal(res.status, 200, await res.text());
    const lee = await newUserPage(browser, server, email);
    const ta = await newUserPage(browser, server, 'student2@studyhall.test'); // Noor Haddad, the course's TA
    const s = lee.page;
    const a = ta.page;
    const live = { timeout: TOAST_TIMEOUT };

    await s.goto('/office-hours');
    const demo = s.locator('.slot', { hasText: 'Maths building' });
    await demo.getByLabel('Your question (optional)').fill('How do I complete the square?');
    await demo.getByRole('button', { name: 'Join the queue' }).click();
    await s.locator('.entry-waiting .position', { hasText: 'Position 2' }).waitFor(); // the seed queued Kenji first

    await a.goto('/office-hours');
    await a.locator('h2', { hasText: 'Queues you help run' }).waitFor();
    const panel = a.locator('.queue-panel', { hasText: 'Lee Park' });
    await panel.waitFor();

    // an announcement: live in the student's view, and a notice
    await panel.getByLabel('Announcement to everyone waiting').fill('Back in 5 minutes.');
    await panel.getByRole('button', { name: 'Post announcement' }).click();
    await s.locator('.entry-waiting .queue-announcement', { hasText: 'Back in 5 minutes.' }).waitFor(live);
    await s.locator('.toast', { hasText: 'Announcement from Noor Haddad' }).waitFor(live);

    // paused: the banner shows without a reload, and goes on resume
    await panel.getByRole('button', { name: 'Pause the queue' }).click();
    await s.locator('.entry-waiting .queue-paused').waitFor(live);
    await panel.locator('.status-paused').waitFor();
    await shot(s, '41-queue-paused-announcement');
    await shot(a, '42-ta-queue');
    await panel.getByRole('button', { name: 'Resume the queue' }).click();
    await s.locator('.entry-waiting .queue-paused').waitFor({ state: 'detached', ...live });

    // the student edits their question; the TA sees it live
    await s.getByRole('button', { name: 'Edit your question' }).click();
    await s.getByLabel('Your question', { exact: true }).fill('How do I find the vertex instead?');
    await s.getByRole('button', { name: 'Save question' }).click();
    await s.locator('.entry-waiting .question', { hasText: 'find the vertex' }).waitFor();
    await panel.locator('.entry', { hasText: 'Lee Park' }).locator('.question', { hasText: 'find the vertex' }).waitFor(live);

    // the TA admits Kenji: the student moves up live; then the student
    await panel.getByRole('button', { name: 'Admit Kenji Sato' }).click();
    await s.locator('.entry-waiting .position', { hasText: 'Position 1' }).waitFor(live);
    await panel.getByRole('button', { name: 'Admit Lee Park' }).click();
    await s.locator('.entry-admitted', { hasText: "It's your turn!" }).waitFor(live);

    // the "It's your turn" toast opens the visit's chat
    const toast = s.locator('.toast', { hasText: 'Noor Haddad admitted you' });
    await toast.waitFor(live);
    await toast.getByRole('button', { name: 'Open chat' }).click();
    await s.waitForURL(/\/chat\/[a-z0-9]+$/);
    const roomId = new URL(s.url()).pathname.split('/').pop();
    const chatLink = a.locator('.entry-admitted', { hasText: 'Lee Park' }).getByRole('link', { name: 'Open chat' });
    assert.equal(await chatLink.getAttribute('href'), `/chat/${roomId}`);
    await lee.context.close();
    await ta.context.close();
  });

  it('fits every page to a phone-width screen', async () => {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 390, height: 844 } });
    context.setDefaultTimeout(10000);
    const page = await context.newPage();
    watchErrors(page, 'phone');
    await page.goto('/signin');
    await page.getByLabel('Email').fill('student@studyhall.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('h1', { hasText: 'Welcome' }).waitFor();
    const lessons = await teacher.call('GET', `/api/collections/lessons/records?perPage=1&filter=${encodeURIComponent(`course="${courseId}"`)}`);
    const pages = [['/courses', 'courses'], [`/courses/${courseId}`, 'course'], [`/courses/${courseId}/lessons/${lessons.items[0].id}`, 'lesson'],
      ['/profile', 'profile'], ['/preferences', 'preferences'], ['/live-sessions', 'sessions'], ['/office-hours', 'office-hours'],
      ['/study-groups', 'groups'], ['/notifications', 'notifications']];
    for (const [path, name] of pages) {
      await page.goto(path);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
      assert.equal(wide, false, `${path} scrolls sideways at phone width`);
      await shot(page, `50-phone-${name}`);
    }
    await context.close();
  });
});

async function studentId(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('pocketbase_auth') || '{}').record?.id);
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
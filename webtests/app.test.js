// The web app end to end in headless Chromium against a real studyhall:
// an instructor and a student, each in their own browser context, walk
// every feature; what one does reaches the other live.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Server, launchBrowser, newUserPage, watchErrors, shot, sleep, pageErrors, shotsDir, PASSWORD } from './helpers.js';

// Notification toasts come live within a second or two; the bound leaves
// room for a loaded CI machine, and the app has no polling to hide a lost
// realtime event behind.
const TOAST_TIMEOUT = 5000;

const SCRIPT = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';

describe('studyhall web app', { timeout: 240_000 }, () => {
  const server = new Server();
  let browser;
  let instructor; // {context, page}
  let student;
  let sessionId = '';

  before(async () => {
    rmSync(shotsDir, { recursive: true, force: true });
    await server.start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server.stop();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  });

  it('shows the API error on a wrong password, then signs both users in', async () => {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(10000);
    const page = await context.newPage();
    watchErrors(page, 'signin');
    await page.goto('/live-sessions');
    await page.waitForURL(/\/signin\?next=%2Flive-sessions$/);
    await page.getByLabel('Email').fill('student@studyhall.test');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[role=alert]', { hasText: 'Failed to authenticate.' }).waitFor();
    await shot(page, '01-signin-error');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('h1', { hasText: 'Live sessions' }).waitFor(); // back where they were going
    await context.close();

    instructor = await newUserPage(browser, server, 'instructor@studyhall.test');
    student = await newUserPage(browser, server, 'student@studyhall.test');
    await shot(student.page, '02-dashboard-student');
  });

  it('validates the session form per field, and the new session reaches the student as a toast, the bell and other tabs', async () => {
    const s = student.page;
    const t = instructor.page;
    const tab2 = await student.context.newPage();
    watchErrors(tab2, 'student tab 2');
    await tab2.goto('/notifications');
    await tab2.locator('h1', { hasText: 'Notifications' }).waitFor();
    const before = Number(await s.locator('#bell').getAttribute('data-unread'));

    await t.goto('/live-sessions/new');
    await t.getByLabel('Title').fill('Graphs, live');
    await t.getByLabel('Capacity (seats)').fill('0');
    await t.getByRole('button', { name: 'Create session' }).click();
    await t.locator('[data-field=capacity] .field-error:not([hidden])').waitFor();
    assert.equal(await t.getByLabel('Capacity (seats)').getAttribute('aria-invalid'), 'true');
    await t.locator('.error[role=alert]:not([hidden])', { hasText: 'Failed to create record.' }).waitFor();
    await shot(t, '03-session-form-errors');
    await t.getByLabel('Capacity (seats)').fill('5');
    await t.getByRole('button', { name: 'Create session' }).click();
    await t.waitForURL(/\/live-sessions\/[a-z0-9]{15}$/);
    sessionId = t.url().split('/').pop();

    const toast = s.locator('.toast', { hasText: 'New live session: Graphs, live' });
    await toast.waitFor({ timeout: TOAST_TIMEOUT });
    await s.waitForFunction((n) => Number(document.querySelector('#bell').dataset.unread) === n, before + 1);
    await tab2.locator('.notif.unread', { hasText: 'New live session: Graphs, live' }).waitFor({ timeout: TOAST_TIMEOUT });
    await shot(s, '04-toast-and-badge');

    // read it from the bell's panel: the other tab follows
    await s.locator('#bell').click();
    await s.getByRole('button', { name: 'Mark read: New live session: Graphs, live' }).click();
    await tab2.locator('.notif:not(.unread)', { hasText: 'New live session: Graphs, live' }).waitFor();
    await tab2.waitForFunction((n) => Number(document.querySelector('#bell').dataset.unread) === n, before);
    await shot(s, '05-bell-panel');
    // archive it in the other tab: it leaves the inbox
    await tab2.getByRole('button', { name: 'Archive: New live session: Graphs, live' }).click();
    await tab2.locator('.notif', { hasText: 'New live session: Graphs, live' }).waitFor({ state: 'detached' });
    await s.keyboard.press('Escape');

    // starting it is a high-priority notice: a warning toast with its action
    await t.getByRole('button', { name: 'Start session' }).click();
    await t.locator('.status', { hasText: 'Live now' }).first().waitFor();
    const live = s.locator('.toast.toast-warning', { hasText: 'Live now: Graphs, live' });
    await live.waitFor({ timeout: TOAST_TIMEOUT });
    assert.equal(await live.getAttribute('role'), 'alert');
    await shot(s, '06-warning-toast');
    await live.getByRole('button', { name: 'Join now' }).click();
    await s.waitForURL(`**/live-sessions/${sessionId}`);

    // read all, from the other tab
    await tab2.getByRole('button', { name: 'Mark all read' }).click();
    await s.waitForFunction(() => document.querySelector('#bell').dataset.unread === '0');
    assert.equal(await s.locator('#bell .badge').isHidden(), true);
    await tab2.close();
  });

  it('runs a live session: join, attendees, chat with typing, a script shown as text, edit and delete', async () => {
    const s = student.page;
    const t = instructor.page;
    await s.locator('h1', { hasText: 'Graphs, live' }).waitFor();
    await s.getByRole('button', { name: 'Join session' }).click();
    await s.getByRole('button', { name: 'Leave session' }).waitFor();
    await s.locator('.people li', { hasText: 'Sam Student' }).waitFor();
    await s.locator('.chat h2', { hasText: 'Session chat' }).waitFor();

    await t.reload();
    await t.locator('.people li', { hasText: 'Sam Student' }).waitFor();
    await t.locator('.attendance td', { hasText: 'Sam Student' }).waitFor();
    await t.locator('.chat h2', { hasText: 'Session chat' }).waitFor();

    const box = s.getByLabel('Message to Session chat');
    await box.click();
    await box.pressSequentially('Hello', { delay: 40 });
    await t.locator('.typing', { hasText: 'Sam Student is typing…' }).waitFor();
    await shot(t, '07-typing-indicator');
    await box.fill(SCRIPT);
    await s.getByRole('button', { name: 'Send' }).click();
    await t.locator('.msg .body').filter({ hasText: SCRIPT }).waitFor();
    assert.equal(await t.locator('.msg .body').last().textContent(), SCRIPT);
    assert.equal(await t.evaluate(() => window.__xss), undefined);
    assert.equal(await s.evaluate(() => window.__xss), undefined);
    assert.equal(await t.locator('.messages img, .messages script').count(), 0);
    await t.locator('.typing', { hasText: 'typing' }).waitFor({ state: 'hidden' }).catch(() => {});
    assert.equal(((await t.locator('.typing').textContent()) || '').includes('Sam Student'), false, 'typing ends with the message');

    // the instructor answers; then the student edits and deletes their message
    const tbox = t.getByLabel('Message to Session chat');
    await tbox.fill('Welcome, Sam!');
    await tbox.press('Enter');
    await s.locator('.msg .body', { hasText: 'Welcome, Sam!' }).waitFor();
    const mine = s.locator('.msg.mine').filter({ hasText: SCRIPT });
    await mine.getByRole('button', { name: 'Edit message' }).click();
    await s.getByRole('textbox', { name: 'Edit message' }).fill('Hello everyone (edited)');
    await s.getByRole('button', { name: 'Save' }).click();
    await t.locator('.msg', { hasText: 'Hello everyone (edited)' }).filter({ hasText: 'edited' }).waitFor();
    await s.locator('.msg.mine', { hasText: 'Hello everyone (edited)' }).getByRole('button', { name: 'Delete message' }).click();
    await t.locator('.msg.deleted', { hasText: 'Message deleted' }).waitFor();
    await shot(t, '08-session-room-instructor');
    await shot(s, '09-session-room-student');

    // the instructor ends it: the student's room follows without a reload
    await t.getByRole('button', { name: 'End session' }).click();
    await s.locator('h1 + .status', { hasText: 'Ended' }).waitFor();
    assert.equal(await s.getByRole('button', { name: 'Leave session' }).count(), 0);
    await t.locator('.attendance td', { hasText: 'No' }).waitFor(); // attendance closed
  });

  it('shows the full-session message when the last seat is taken', async () => {
    const s = student.page;
    const t = instructor.page;
    // the instructor brings the seeded Q&A down to one seat through the edit form
    await t.goto('/live-sessions');
    await t.getByRole('link', { name: 'Algebra I: live Q&A', exact: true }).click();
    await t.getByRole('link', { name: 'Edit' }).click();
    await t.getByLabel('Capacity (seats)').fill('1');
    await t.getByRole('button', { name: 'Save changes' }).click();
    await t.locator('.seats', { hasText: '0 / 1 seats taken' }).waitFor();
    const qaId = t.url().split('/').pop();

    // another student takes the seat
    const noor = await server.login('student2@studyhall.test');
    await noor.call('POST', `/api/live-sessions/${qaId}/join`);

    await s.goto(`/live-sessions/${qaId}`);
    await s.locator('.seats', { hasText: '1 / 1 seats taken' }).waitFor();
    await s.getByRole('button', { name: 'Join session' }).click();
    const alert = s.locator('.error[role=alert]', { hasText: 'This session is full.' });
    await alert.waitFor();
    assert.equal(await alert.getAttribute('data-code'), 'session_full');
    await shot(s, '10-session-full');

    // the instructor cancels it: the student is told at once, the page follows
    t.once('dialog', (d) => d.accept());
    await t.getByRole('button', { name: 'Cancel session' }).click();
    await t.locator('.status', { hasText: 'Cancelled' }).waitFor();
    await s.locator('.toast.toast-warning', { hasText: 'Session cancelled: Algebra I: live Q&A' }).waitFor({ timeout: TOAST_TIMEOUT });
    await s.locator('h1 + .status', { hasText: 'Cancelled' }).waitFor();
    assert.equal(await s.getByRole('button', { name: 'Join session' }).count(), 0);
  });

  it('runs office hours: join with a question, a live position, admit, complete with notes', async () => {
    const s = student.page;
    const t = instructor.page;
    await s.goto('/office-hours');
    await s.getByLabel('Your question (optional)').fill('How do I find the vertex of a parabola?');
    await s.getByRole('button', { name: 'Join the queue' }).click();
    await s.locator('.entry-waiting .position', { hasText: 'Position 2' }).waitFor(); // the seed queued Kenji first
    await s.locator('.entry-waiting .wait', { hasText: 'Estimated wait' }).waitFor();

    await t.goto('/office-hours');
    await t.locator('.queue-list .entry', { hasText: 'Sam Student' }).waitFor();
    // a slot that ends before it starts is refused, with the reason beside the field
    await t.getByLabel('From', { exact: true }).fill('15:00');
    await t.getByLabel('To', { exact: true }).fill('14:00');
    await t.getByRole('button', { name: 'Add office hours' }).click();
    await t.locator('[data-field=endTime] .field-error:not([hidden])', { hasText: 'Must be later than the start time.' }).waitFor();
    await shot(t, '11-office-hours-queue');
    await t.getByRole('button', { name: 'Admit Kenji Sato' }).click();
    await s.locator('.entry-waiting .position', { hasText: 'Position 1' }).waitFor(); // live, no reload
    await shot(s, '12-office-hours-position');

    await t.getByRole('button', { name: 'Complete the visit with Kenji Sato' }).click();
    await t.getByRole('button', { name: 'Admit Sam Student' }).click();
    await s.locator('.entry-admitted', { hasText: "It's your turn!" }).waitFor();
    await s.locator('.toast', { hasText: 'admitted you' }).waitFor({ timeout: TOAST_TIMEOUT });
    await s.locator('.entry-admitted').getByRole('link', { name: 'Chat with Ada Lovelace' }).waitFor();

    const visit = t.locator('.entry-admitted', { hasText: 'Sam Student' });
    await visit.getByLabel('Notes on this visit').fill('Complete the square, then read off the vertex.');
    await visit.getByLabel('Share the notes with the student').check();
    await visit.getByRole('button', { name: 'Complete the visit with Sam Student' }).click();
    await s.locator('.entry-completed', { hasText: 'Visit complete' }).waitFor();
    await s.locator('.entry-completed .notes', { hasText: 'Complete the square' }).waitFor();
    await shot(s, '13-office-hours-complete');
  });

  it('runs study groups: decline, create with field errors, invite through search, accept, members with presence', async () => {
    const s = student.page;
    const t = instructor.page;
    await s.goto('/study-groups');
    await s.getByRole('button', { name: 'Decline the invitation to Exam prep' }).click(); // the seed's invitation
    await s.locator('.invite', { hasText: 'Exam prep' }).waitFor({ state: 'detached' });
    await s.locator('.invitations', { hasText: 'No pending invitations.' }).waitFor();
    await s.getByRole('button', { name: 'Create group' }).click();
    await s.locator('[data-field=name] .field-error:not([hidden])').waitFor();
    await s.getByLabel('Name', { exact: true }).fill('Parabola club');
    await s.getByLabel('Description').fill('Vertex form, every Friday.');
    await s.getByRole('button', { name: 'Create group' }).click();
    await s.locator('h1', { hasText: 'Parabola club' }).waitFor();

    const search = s.getByLabel('Search people by name');
    await search.fill('A');
    await sleep(500);
    assert.equal(await s.locator('.search-results li').count(), 0, 'one character does not search');
    await search.fill('Ada');
    await s.getByRole('button', { name: 'Invite Ada Lovelace' }).click();
    await s.locator('.search-results .ok', { hasText: 'Invited' }).waitFor();
    await shot(s, '14-group-invite');

    await t.locator('.toast', { hasText: 'Invitation to Parabola club' }).waitFor({ timeout: TOAST_TIMEOUT });
    await t.goto('/study-groups');
    await t.getByRole('button', { name: 'Accept the invitation to Parabola club' }).click();
    await t.locator('h1', { hasText: 'Parabola club' }).waitFor();
    await t.locator('.people li', { hasText: 'Sam Student' }).locator('.presence[data-status=online]').waitFor();

    // the student turns busy in the header: the instructor sees it live
    await s.getByLabel('Status').selectOption('busy');
    await t.locator('.people li', { hasText: 'Sam Student' }).locator('.presence[data-status=busy]').waitFor();
    await t.locator('.chat h2', { hasText: 'Group chat' }).waitFor();
    await shot(t, '15-group-page');
    await s.getByLabel('Status').selectOption('online');
    await t.locator('.people li', { hasText: 'Sam Student' }).locator('.presence[data-status=online]').waitFor();
  });

  it('opens a direct chat from the dashboard, with unread counts and a notification for the other side', async () => {
    const s = student.page;
    const t = instructor.page;
    await t.goto('/live-sessions'); // not in the room: the message becomes a notification
    await s.goto('/');
    await s.getByRole('button', { name: 'Message Ada Lovelace' }).click();
    await s.waitForURL(/\/chat\/[a-z0-9]{15}$/);
    const roomId = s.url().split('/').pop();
    const box = s.getByLabel(/^Message to /);
    await box.fill('Hi Ada, one question about quadratics.');
    await box.press('Enter');
    await s.locator('.msg.mine', { hasText: 'one question about quadratics' }).waitFor();

    await t.locator('.toast', { hasText: 'New message from Sam Student' }).waitFor({ timeout: TOAST_TIMEOUT });
    await t.goto('/chat');
    const link = t.locator(`.room-list a[data-room="${roomId}"]`);
    await link.locator('.badge', { hasText: '1' }).waitFor();
    await shot(t, '16-chat-rooms-unread');
    await link.click();
    await t.locator('.msg', { hasText: 'one question about quadratics' }).waitFor();
    await t.locator(`.room-list a[data-room="${roomId}"] .badge`).waitFor({ state: 'detached' });
  });

  it('saves notification preferences, which survive a reload', async () => {
    const s = student.page;
    await s.goto('/preferences');
    await s.getByLabel('Quiet hours from').fill('22:30');
    await s.getByLabel('Quiet hours until').fill('06:45');
    await s.getByLabel('Email timing').selectOption('weekly');
    await s.getByLabel('Community: by email').uncheck();
    await s.getByLabel('Time zone', { exact: true }).selectOption('Europe/Paris');
    await s.getByRole('button', { name: 'Save preferences' }).click();
    await s.locator('[role=status]', { hasText: 'Preferences saved.' }).waitFor();
    await shot(s, '17-preferences');
    await s.reload();
    await s.locator('h1', { hasText: 'Notification preferences' }).waitFor();
    assert.equal(await s.getByLabel('Quiet hours from').inputValue(), '22:30');
    assert.equal(await s.getByLabel('Quiet hours until').inputValue(), '06:45');
    assert.equal(await s.getByLabel('Email timing').inputValue(), 'weekly');
    assert.equal(await s.getByLabel('Community: by email').isChecked(), false);
    assert.equal(await s.getByLabel('Community: in the app').isChecked(), true);
    assert.equal(await s.getByLabel('Time zone', { exact: true }).inputValue(), 'Europe/Paris');

    // and no quiet hours again: the tests after this one expect their
    // notices at whatever hour they run (22:30-06:45 in Paris holds them)
    await s.getByLabel('Quiet hours from').fill('');
    await s.getByLabel('Quiet hours until').fill('');
    await s.getByRole('button', { name: 'Save preferences' }).click();
    await s.locator('[role=status]', { hasText: 'Preferences saved.' }).waitFor();
    await s.reload();
    await s.locator('h1', { hasText: 'Notification preferences' }).waitFor();
    assert.equal(await s.getByLabel('Quiet hours from').inputValue(), '');
  });

  it('reconnects after the server restarts and keeps receiving notifications', async () => {
    const s = student.page;
    await s.goto('/');
    await s.locator('h1', { hasText: 'Welcome' }).waitFor();
    const connects = Number(await s.evaluate(() => document.documentElement.dataset.realtimeConnects));
    await server.stopProcess();
    await s.locator('#conn-banner', { hasText: 'Reconnecting' }).waitFor();
    await shot(s, '18-reconnecting');
    await server.spawn();
    await s.waitForFunction((n) => Number(document.documentElement.dataset.realtimeConnects) > n, connects, { timeout: 15000 });
    await s.locator('#conn-banner').waitFor({ state: 'hidden' });
    const ada = await server.login('instructor@studyhall.test');
    const course = (await ada.call('GET', '/api/collections/courses/records?perPage=1')).items[0];
    const start = new Date(Date.now() + 3 * 24 * 3600e3).toISOString();
    await ada.call('POST', '/api/collections/live_sessions/records', {
      instructor: ada.user.id, course: course.id, title: 'After the restart', scheduledStart: start, visibility: 'course',
    });
    await s.locator('.toast', { hasText: 'New live session: After the restart' }).waitFor({ timeout: TOAST_TIMEOUT });
    await s.locator('.cards li', { hasText: 'After the restart' }).waitFor(); // the dashboard list is live again too
  });

  it('fits a phone-width screen and signs out', async () => {
    const s = student.page;
    await s.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [['/', '19-phone-dashboard'], [`/live-sessions/${sessionId}`, '20-phone-session'], ['/office-hours', '21-phone-office-hours']]) {
      await s.goto(path);
      await s.locator('h1').first().waitFor();
      await sleep(300);
      const overflow = await s.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${path} scrolls sideways by ${overflow}px on a phone`);
      await shot(s, name);
    }
    await s.getByRole('button', { name: 'Sign out' }).click();
    await s.locator('h1', { hasText: 'Sign in to studyhall' }).waitFor();
    assert.equal(await s.locator('#topbar').isHidden(), true);
  });
});

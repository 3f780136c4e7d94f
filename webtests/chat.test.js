// Chat in headless Chromium against a real studyhall, in the demo's live
// session room: older history paged in on scroll, a reply showing the
// quoted line, avatars beside the senders, and a moderator (the session's
// instructor) removing a student's message, seen live on another member's
// page as "removed by a moderator".
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, newUserPage, shot, pageErrors, sleep } from './helpers.js';

// a 1x1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const HISTORY = 64; // messages seeded before anyone opens the room

describe('studyhall chat: history, replies, avatars, moderation', { timeout: 120_000 }, () => {
  const server = new Server();
  let browser;
  let teacher; // REST clients
  let sam;
  let noor;
  let roomId;
  let samMessage; // the message the moderator removes

  // say posts a message, waiting out the per-user limit when it answers 429
  const say = async (client, body) => {
    for (;;) {
      try {
        return await client.call('POST', '/api/collections/chat_messages/records', { room: roomId, sender: client.user.id, body });
      } catch (e) {
        if (!String(e.message).includes(': 429 ')) throw e;
        await sleep(250);
      }
    }
  };

  before(async () => {
    await server.start();
    browser = await launchBrowser();
    teacher = await server.login('instructor@studyhall.test');
    sam = await server.login('student@studyhall.test');
    noor = await server.login('student2@studyhall.test'); // already in the live session
    const sessions = await teacher.call('GET', `/api/collections/live_sessions/records?filter=${encodeURIComponent('status="live"')}`);
    const session = sessions.items[0];
    roomId = session.chatRoom;
    await sam.call('POST', `/api/live-sessions/${session.id}/join`, {});

    // Sam's avatar, uploaded as the profile page does (multipart)
    const form = new FormData();
    form.append('avatar', new Blob([PNG], { type: 'image/png' }), 'sam.png');
    const res = await fetch(`${server.url}/api/collections/users/records/${sam.user.id}`, { method: 'PATCH', headers: { authorization: sam.token }, body: form });
    assert.equal(res.status, 200, await res.text());

    const speakers = [teacher, sam, noor];
    for (let i = 1; i <= HISTORY; i++) await say(speakers[i % 3], `History ${i}`);
    samMessage = await say(sam, 'Is the slope of y = 3x + 1 equal to 3?');
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server.stop();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  });

  it('pages older history in on scroll, replies with the quoted line, shows avatars, and a moderator removal live', async () => {
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
});

// groups.js: study groups: browse, create, join, invitations (accept,
// decline), the group page with members and their presence, invitations
// with a search of people to invite, and the group chat.
import { pb, me, get, post, filter, errorBox, showError, hideError } from './api.js';
import { h, set } from './dom.js';
import { field, clearFieldErrors, showFormError } from './forms.js';
import { navigate } from './router.js';
import { presenceDot, loadPresence } from './presence.js';
import { chatSlot, messageButton } from './chat.js';
import { peopleSearch } from './people.js';
import { avatar } from './account.js';

/** groupsView is /study-groups. */
export async function groupsView(root, _params, ctx) {
  const err = errorBox();
  const invitesEl = h('div', { class: 'invitations', 'aria-live': 'polite' });
  const listEl = h('ul', { class: 'cards' });
  root.append(h('h1', { text: 'Study groups' }), err,
    h('section', { 'aria-labelledby': 'inv-h' }, h('h2', { id: 'inv-h', text: 'Invitations' }), invitesEl),
    h('section', { 'aria-labelledby': 'groups-h' }, h('h2', { id: 'groups-h', text: 'Groups' }), listEl),
    createForm());

  const loadInvites = async () => {
    const invites = await pb.collection('study_group_invitations').getFullList({
      filter: filter('invitee = {:me} && status = "pending"', { me: me().id }), expand: 'group,inviter', sort: '-created',
    });
    set(invitesEl, invites.length ? h('ul', { class: 'cards' }, invites.map((inv) => {
      const box = errorBox();
      const name = inv.expand?.group?.name || 'a study group';
      const respond = async (what) => {
        hideError(box);
        try { await post(`/api/study-group-invitations/${inv.id}/${what}`); if (what === 'accept') navigate(`/study-groups/${inv.group}`); else await load(); } catch (ex) { showError(box, ex); }
      };
      return h('li', { class: 'card invite', dataset: { id: inv.id } },
        h('p', {}, h('strong', { text: inv.expand?.inviter?.name || 'Someone' }), ' invited you to ', h('strong', { text: name })),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'primary', 'aria-label': `Accept the invitation to ${name}`, onclick: () => respond('accept') }, 'Accept'),
          h('button', { type: 'button', 'aria-label': `Decline the invitation to ${name}`, onclick: () => respond('decline') }, 'Decline')), box);
    })) : h('p', { class: 'muted', text: 'No pending invitations.' }));
  };
  const loadGroups = async () => {
    const [groups, memberships] = await Promise.all([
      pb.collection('study_groups').getFullList({ sort: 'name', expand: 'course' }),
      pb.collection('study_group_members').getFullList({ filter: filter('user = {:me}', { me: me().id }), fields: 'group,role' }),
    ]);
    const mine = new Map(memberships.map((m) => [m.group, m.role]));
    set(listEl, groups.length ? groups.map((g) => {
      const box = errorBox();
      const join = async () => {
        hideError(box);
        try { await post(`/api/study-groups/${g.id}/join`); navigate(`/study-groups/${g.id}`); } catch (ex) { showError(box, ex); }
      };
      const full = g.maxMembers && g.memberCount >= g.maxMembers;
      return h('li', { class: 'card group', dataset: { id: g.id } },
        h('div', { class: 'card-head' }, h('a', { href: `/study-groups/${g.id}`, class: 'card-title', text: g.name }),
          h('span', { class: 'status', text: g.visibility === 'private' ? 'Private' : 'Public' })),
        g.description ? h('p', { text: g.description }) : null,
        h('p', { class: 'muted', text: `${g.memberCount}${g.maxMembers ? ` / ${g.maxMembers}` : ''} members${g.expand?.course ? ` · ${g.expand.course.title}` : ''}` }),
        mine.has(g.id) ? h('p', { class: 'member-badge', text: mine.get(g.id) === 'admin' ? 'You are an admin' : 'You are a member' })
          : g.visibility === 'public' ? h('button', { type: 'button', class: 'primary', disabled: !!full, 'aria-label': `Join ${g.name}`, onclick: join }, full ? 'Full' : 'Join') : null,
        box);
    }) : h('li', { class: 'empty muted', text: 'No study groups yet. Create the first one!' }));
  };
  const load = async () => {
    try { await Promise.all([loadInvites(), loadGroups()]); } catch (e) { showError(err, e); }
  };
  await load();
  await ctx.subscribe('study_group_invitations', '*', () => loadInvites().catch(() => {}));
  ctx.onReconnect(load);
}

function createForm() {
  const alertBox = errorBox();
  const fields = {
    name: field('Name', 'name', { maxlength: '100' }),
    description: field('Description', 'description', { kind: 'textarea', rows: '2' }),
    visibility: field('Visibility', 'visibility', { kind: 'select', value: 'public', options: [['public', 'Public: anyone can join'], ['private', 'Private: by invitation']] }),
    maxMembers: field('Member limit (optional)', 'maxMembers', { type: 'number', min: '2' }),
  };
  const form = h('form', { class: 'stack card', novalidate: true, 'aria-labelledby': 'new-group-h' },
    h('h2', { id: 'new-group-h', text: 'Create a study group' }), alertBox, Object.values(fields),
    h('button', { type: 'submit', class: 'primary' }, 'Create group'));
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFieldErrors(form, alertBox);
    const data = {
      name: fields.name.control.value,
      description: fields.description.control.value,
      visibility: fields.visibility.control.value,
    };
    if (fields.maxMembers.control.value !== '') data.maxMembers = Number(fields.maxMembers.control.value);
    try {
      const g = await pb.collection('study_groups').create(data);
      navigate(`/study-groups/${g.id}`);
    } catch (ex) { showFormError(form, alertBox, ex); }
  };
  return form;
}

/** groupView is /study-groups/:id. */
export async function groupView(root, { id }, ctx) {
  const err = errorBox();
  const head = h('div', { class: 'page-head' });
  const info = h('div', {});
  const membersEl = h('ul', { class: 'people' });
  const onlineEl = h('p', { class: 'muted', 'aria-live': 'polite' });
  const inviteEl = h('div', {});
  const actions = h('div', { class: 'actions' });
  const chatEl = h('div', {});
  root.append(head, info, err, actions, h('div', { class: 'two-col' },
    h('div', {}, h('section', { 'aria-labelledby': 'mem-h' }, h('h2', { id: 'mem-h', text: 'Members' }), onlineEl, membersEl), inviteEl),
    chatEl));

  let group = null;
  let myRole = '';
  const showChat = chatSlot(chatEl, ctx, { title: 'Group chat', placeholder: 'Members chat here.' });
  const load = async () => {
    hideError(err);
    try {
      group = await pb.collection('study_groups').getOne(id, { expand: 'course' });
    } catch (e) { set(head, h('h1', { text: 'Study group' })); showError(err, e); return; }
    const members = await pb.collection('study_group_members').getFullList({ filter: filter('group = {:id}', { id }), expand: 'user', sort: 'joinedAt' });
    myRole = members.find((m) => m.user === me().id)?.role || '';
    set(head, h('h1', { text: group.name }), h('span', { class: 'status', text: group.visibility === 'private' ? 'Private' : 'Public' }));
    set(info, group.description ? h('p', { text: group.description }) : null,
      h('p', { class: 'muted', text: `${group.memberCount}${group.maxMembers ? ` / ${group.maxMembers}` : ''} members${group.expand?.course ? ` · ${group.expand.course.title}` : ''}` }));
    set(membersEl, members.map((m) => {
      const name = m.expand?.user?.name || 'Member';
      const li = h('li', { dataset: { user: m.user } }, avatar(m.expand?.user || { name }, 24), h('span', { class: 'name', text: m.user === me().id ? `${name} (you)` : name }),
        m.role === 'admin' ? h('span', { class: 'role', text: 'admin' }) : null, presenceDot(m.user),
        m.user !== me().id ? messageButton(m.user, name) : null);
      if (myRole === 'admin' && m.user !== me().id && m.user !== group.owner) {
        const box = errorBox();
        const to = m.role === 'admin' ? 'member' : 'admin';
        li.append(h('span', { class: 'row-actions' },
          h('button', { type: 'button', class: 'small', 'aria-label': `${to === 'admin' ? 'Make' : 'Remove admin role of'} ${name}${to === 'admin' ? ' an admin' : ''}`, onclick: () => memberAct(`/api/study-groups/${id}/members/${m.user}/role`, { role: to }, box) }, to === 'admin' ? 'Make admin' : 'Make member'),
          h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove ${name} from the group`, onclick: () => memberAct(`/api/study-groups/${id}/members/${m.user}/remove`, {}, box) }, 'Remove')), box);
      }
      return li;
    }));
    loadPresence(members.map((m) => m.user)).catch(() => {});
    get(`/api/study-groups/${id}/online`).then((o) => { onlineEl.textContent = `${o.online} of ${o.members} online`; }).catch(() => {});

    set(actions);
    const invitation = myRole ? null : await pb.collection('study_group_invitations')
      .getFirstListItem(filter('group = {:id} && invitee = {:me} && status = "pending"', { id, me: me().id })).catch(() => null);
    if (myRole) actions.append(h('button', { type: 'button', onclick: leave }, 'Leave group'));
    else if (invitation) {
      actions.append(h('p', { class: 'invited', text: 'You are invited to this group.' }),
        h('button', { type: 'button', class: 'primary', onclick: () => answer(invitation, 'accept') }, 'Accept'),
        h('button', { type: 'button', onclick: () => answer(invitation, 'decline') }, 'Decline'));
    } else if (group.visibility === 'public') actions.append(h('button', { type: 'button', class: 'primary', onclick: join }, 'Join group'));
    set(inviteEl, myRole ? inviteForm(id) : null, myRole === 'admin' ? settingsForm(group, load) : null,
      myRole === 'admin' ? await pendingInvitations(id, load) : null);

    await showChat(myRole && group.chatRoom);
  };
  const memberAct = async (path, body, box) => {
    hideError(box);
    try { await post(path, body); await load(); } catch (ex) { showError(box, ex); }
  };
  const answer = async (invitation, verb) => {
    hideError(err);
    try {
      await post(`/api/study-group-invitations/${invitation.id}/${verb}`);
      if (verb === 'decline') navigate('/study-groups'); else await load();
    } catch (ex) { showError(err, ex); }
  };
  const join = async () => {
    hideError(err);
    try { await post(`/api/study-groups/${id}/join`); await load(); } catch (ex) { showError(err, ex); }
  };
  const leave = async () => {
    hideError(err);
    try { await post(`/api/study-groups/${id}/leave`); navigate('/study-groups'); } catch (ex) { showError(err, ex); }
  };
  await load();
  if (!group) return;
  await ctx.subscribe('study_groups', id, () => load().catch(() => {}));
  ctx.onReconnect(load);
}

/** inviteForm finds people by name to invite to the group. */
function inviteForm(groupId) {
  const box = errorBox();
  const search = peopleSearch({
    idPrefix: 'invite', label: 'Search people by name', query: { excludeGroup: groupId }, box,
    actionText: 'Invite', actionLabel: (u) => `Invite ${u.name}`, doneText: 'Invited',
    act: (u) => post(`/api/study-groups/${groupId}/invite`, { userId: u.id }),
  });
  return h('section', { class: 'card', 'aria-labelledby': `${search.inputId}-h` }, h('h2', { id: `${search.inputId}-h`, text: 'Invite someone' }),
    search.field, search.status, box, search.results);
}

/** settingsForm lets a group's admins edit its name, description, visibility and size. */
function settingsForm(group, done) {
  const alertBox = errorBox();
  const name = field('Name', 'name', { value: group.name, required: true, maxlength: 100 });
  const description = field('Description', 'description', { kind: 'textarea', rows: 3, value: group.description || '' });
  const visibility = field('Who can find it', 'visibility', { kind: 'select', value: group.visibility,
    options: [['public', 'Public: anyone can join'], ['private', 'Private: by invitation']] });
  const maxMembers = field('Member limit', 'maxMembers', { type: 'number', min: 0, value: group.maxMembers || '', hint: 'Empty for no limit.' });
  const saved = h('p', { role: 'status', class: 'muted' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save settings');
  const form = h('form', { class: 'stack card', id: 'group-settings', novalidate: true, 'aria-labelledby': 'gs-h' },
    h('h2', { id: 'gs-h', text: 'Group settings' }), alertBox, name, description, visibility, maxMembers, submit, saved);
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFieldErrors(form, alertBox);
    submit.disabled = true;
    try {
      await pb.collection('study_groups').update(group.id, {
        name: name.control.value.trim(), description: description.control.value, visibility: visibility.control.value,
        maxMembers: maxMembers.control.value === '' ? 0 : Number(maxMembers.control.value),
      });
      saved.textContent = 'Saved.';
      await done();
    } catch (ex) { showFormError(form, alertBox, ex); } finally { submit.disabled = false; }
  };
  return form;
}

/** pendingInvitations lists the group's open invitations, each revocable. */
async function pendingInvitations(groupId, done) {
  const items = await pb.collection('study_group_invitations').getFullList({
    filter: filter('group = {:g} && status = "pending"', { g: groupId }), expand: 'invitee', sort: 'created',
  }).catch(() => []);
  const box = errorBox();
  return h('section', { class: 'card', id: 'pending-invitations', 'aria-labelledby': 'pi-h' }, h('h2', { id: 'pi-h', text: 'Pending invitations' }), box,
    h('ul', { class: 'plain' }, items.length ? items.map((inv) => h('li', { dataset: { id: inv.id } },
      h('span', { class: 'name', text: inv.expand?.invitee?.name || 'Someone' }), ' ',
      h('button', { type: 'button', class: 'small', 'aria-label': `Revoke the invitation of ${inv.expand?.invitee?.name || 'someone'}`, onclick: async () => {
        hideError(box);
        try { await post(`/api/study-group-invitations/${inv.id}/revoke`); await done(); } catch (ex) { showError(box, ex); }
      } }, 'Revoke'))) : h('li', { class: 'muted', text: 'None.' })));
}

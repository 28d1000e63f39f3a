// Invitation state changes when someone else acts at the same moment. Each test lets a competing
// change commit just before the service's first write, the worst moment for a "read, then write"
// service: the invitation must never end up both accepted and revoked, nor accepted twice.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acceptInvitation,
  createInvitation,
  isOpen,
  isPending,
  listOpenInvitations,
  renewInvitation,
  revokeInvitation,
} from '../../src/auth/invitations.js';
import { PASSWORD, createTestApp, setupOrganisation, type TestApp } from '../helpers/app.js';

/** Runs `competitor` once, right before the service's first UPDATE (or INSERT, when asked). */
class BeforeFirstUpdate implements KyselyPlugin {
  private done = false;
  constructor(
    private readonly competitor: () => void,
    private readonly kind: RootOperationNode['kind'] = 'UpdateQueryNode',
  ) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (!this.done && args.node.kind === this.kind) {
      this.done = true;
      this.competitor();
    }
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

describe('invitation state changes', () => {
  let t: TestApp;
  let invitationId: number;
  let token: string;
  beforeEach(async () => {
    t = await createTestApp();
    await setupOrganisation(t.app);
    const made = await createInvitation(t.app.db, { email: 'chloe@example.com', role: 'member', locale: 'en', invitedBy: 1 });
    if (!made.ok) throw new Error(made.problem);
    invitationId = made.invitation.id;
    token = made.token;
  });
  afterEach(async () => t.close());

  const row = () => t.app.db.selectFrom('invitations').selectAll().where('id', '=', invitationId).executeTakeFirstOrThrow();
  const audit = (action: string) => t.app.db.selectFrom('audit_log').select('id').where('action', '=', action).execute();
  // What another request commits: written straight to SQLite, outside the service.
  const acceptedElsewhere = () => t.app.sqlite.prepare('UPDATE invitations SET accepted_at = ? WHERE id = ?').run(Date.now(), invitationId);
  const revokedElsewhere = () => t.app.sqlite.prepare('UPDATE invitations SET revoked_at = ? WHERE id = ?').run(Date.now(), invitationId);

  it('does not revoke an invitation accepted a moment before', async () => {
    const db = t.app.db.withPlugin(new BeforeFirstUpdate(acceptedElsewhere));
    expect(await revokeInvitation(db, invitationId, 1)).toBeNull();
    const after = await row();
    expect(after.accepted_at).not.toBeNull();
    expect(after.revoked_at).toBeNull();
    expect(await audit('invitation.revoke')).toEqual([]);
  });

  it('does not accept an invitation revoked a moment before, and creates no account', async () => {
    const db = t.app.db.withPlugin(new BeforeFirstUpdate(revokedElsewhere));
    const result = await acceptInvitation(db, token, { name: 'Chloé', password: PASSWORD, locale: 'en' });
    expect(result).toEqual({ ok: false, problem: 'revoked' });
    const after = await row();
    expect(after.revoked_at).not.toBeNull();
    expect(after.accepted_at).toBeNull();
    expect(await t.app.db.selectFrom('users').select('id').where('email', '=', 'chloe@example.com').execute()).toEqual([]);
    expect(await audit('invitation.accept')).toEqual([]);
  });

  it('accepts once when two acceptances meet', async () => {
    const db = t.app.db.withPlugin(new BeforeFirstUpdate(acceptedElsewhere));
    const result = await acceptInvitation(db, token, { name: 'Chloé', password: PASSWORD, locale: 'en' });
    expect(result).toEqual({ ok: false, problem: 'accepted' });
    expect(await t.app.db.selectFrom('users').select('id').where('email', '=', 'chloe@example.com').execute()).toEqual([]);
  });

  it('makes no new link for an invitation accepted a moment before', async () => {
    const db = t.app.db.withPlugin(new BeforeFirstUpdate(acceptedElsewhere));
    const before = await row();
    expect(await renewInvitation(db, invitationId, 1)).toBeNull();
    expect((await row()).token_hash).toEqual(before.token_hash);
    expect(await audit('invitation.resend')).toEqual([]);
  });

  it('answers "already invited" when another admin invited the same address a moment before', async () => {
    const now = Date.now();
    const invitedElsewhere = () =>
      t.app.sqlite
        .prepare('INSERT INTO invitations (email, role, locale, token_hash, invited_by, created_at, expires_at, last_sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run('dan@example.com', 'member', 'en', Buffer.alloc(32, 7), 1, now, now + 60_000, now);
    const db = t.app.db.withPlugin(new BeforeFirstUpdate(invitedElsewhere, 'InsertQueryNode'));
    expect(await createInvitation(db, { email: 'dan@example.com', role: 'admin', locale: 'fr', invitedBy: 1 })).toEqual({ ok: false, problem: 'alreadyInvited' });
    // (The competitor here shares the connection, so its row went with the rollback; a real one would stay.)
    expect(await t.app.db.selectFrom('invitations').select('id').where('role', '=', 'admin').execute()).toEqual([]);
    expect(await audit('invitation.create')).toHaveLength(1);
  });

  it('revokes, accepts and renews normally when nobody else acts', async () => {
    expect((await renewInvitation(t.app.db, invitationId, 1))?.invitation.id).toBe(invitationId);
    expect((await revokeInvitation(t.app.db, invitationId, 1))?.revoked_at).toEqual(expect.any(Number));
    expect(await revokeInvitation(t.app.db, invitationId, 1)).toBeNull();
    expect(await audit('invitation.revoke')).toHaveLength(1);
  });
});

describe('open and pending invitations', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
    await setupOrganisation(t.app);
  });
  afterEach(async () => t.close());

  it('are defined once: open = neither accepted nor revoked; pending = open and not expired', async () => {
    const now = Date.now();
    const base = { role: 'member' as const, locale: 'en' as const, invited_by: 1, created_at: now, last_sent_at: now };
    const states = {
      pending: { expires_at: now + 1000, accepted_at: null, revoked_at: null },
      expired: { expires_at: now - 1000, accepted_at: null, revoked_at: null },
      accepted: { expires_at: now + 1000, accepted_at: now, revoked_at: null },
      revoked: { expires_at: now + 1000, accepted_at: null, revoked_at: now },
    };
    for (const [state, columns] of Object.entries(states)) {
      await t.app.db
        .insertInto('invitations')
        .values({ ...base, ...columns, email: `${state}@example.com`, token_hash: Buffer.from(state.padEnd(32, '.')) })
        .execute();
    }
    const emails = async (where: typeof isOpen) =>
      (await t.app.db.selectFrom('invitations').select('email').where(where).orderBy('email').execute()).map((r) => r.email);
    expect(await emails(isOpen)).toEqual(['expired@example.com', 'pending@example.com']);
    expect(await emails(isPending(now))).toEqual(['pending@example.com']);
    expect(await listOpenInvitations(t.app.db)).toMatchObject({ total: 2 });
  });

  it('lists at most the cap, newest first, and counts them all; never hands out token hashes', async () => {
    for (let i = 0; i < 5; i++) {
      await createInvitation(t.app.db, { email: `person${i}@example.com`, role: 'member', locale: 'en', invitedBy: 1 }, Date.now() + i);
    }
    const { invitations, total } = await listOpenInvitations(t.app.db, 3);
    expect(total).toBe(5);
    expect(invitations.map((i) => i.email)).toEqual(['person4@example.com', 'person3@example.com', 'person2@example.com']);
    expect(Object.keys(invitations[0]!).sort()).toEqual(['email', 'expires_at', 'id', 'role']);
  });
});

// The plugin's migrations on a database made by an earlier version: a polls migration added later
// (004) sorts before the surveys' 101, already applied there; it must run all the same, with its
// backfill, and so must the surveys' 102.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePlugin } from '../../../src/plugins/runtime.js';
import pollsPlugin from '../index.js';
import { createSurvey, findSurvey } from '../surveys/service.js';
import { optionIds, pollsWorld, type PollsWorld } from './polls-helpers.js';

describe('a database that ran the plugin’s migrations before 004 and 102 were written', () => {
  let w: PollsWorld;
  beforeAll(async () => {
    w = await pollsWorld();
  });
  afterAll(async () => w.t.close());

  // The plugin merges two parts' migrations (polls 0xx, surveys 1xx): a new polls migration (004)
  // sorts BEFORE surveys' 101, which such a database has run already. Kysely's Migrator refuses that
  // by default ("corrupted migrations"): plugins' migrations are run allowing it.
  it('applies 004-polls-anonymous-respondents and 102-surveys-slice-by on top of 001–003 and 101', async () => {
    const anonymous = await w.addPoll(w.bruno, w.team, { mode: 'anonymous' });
    const [monday] = (await optionIds(w.app, anonymous)) as [number];
    for (const voter of w.voters.slice(0, 3)) expect((await w.post(`/polls/${anonymous}/vote`, { option: String(monday) }, voter)).statusCode).toBe(303);
    const identified = await createSurvey(w.app.db, w.bruno.id, { title: 'Before 102', intro: '', audience: 'everyone', spaceId: null, departments: [], sites: [], anonymous: false, sliceBy: null, startsAt: null, endsAt: null }, []);
    // The database as it was at 4f3da77..48c42f8: no record of 004 and 102, nor their columns.
    await sql`delete from plugin_polls_migrations where name in ('004-polls-anonymous-respondents', '102-surveys-slice-by')`.execute(w.app.db);
    await sql`alter table polls_polls drop column anonymous_respondents`.execute(w.app.db);
    await sql`alter table polls_survey_surveys drop column slice_by`.execute(w.app.db);
    const applied = await migratePlugin(w.app.db, pollsPlugin);
    expect(applied).toEqual(['004-polls-anonymous-respondents', '102-surveys-slice-by']);
    const row = await w.app.db
      .withTables<{ polls_polls: { content_id: number; anonymous_respondents: number } }>()
      .selectFrom('polls_polls')
      .select('anonymous_respondents')
      .where('content_id', '=', anonymous)
      .executeTakeFirstOrThrow();
    expect(row.anonymous_respondents).toBe(3);
    expect((await findSurvey(w.app.db, identified))?.sliceBy).toBeNull();
  });
});

// Surveys' pure parts: translations (same keys in fr and en, French typography), templates in both
// languages, who may create for each setting value, a survey's state over time.
import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../../src/policy/index.js';
import { messages } from '../surveys/messages.js';
import { mayCreate } from '../surveys/routes.js';
import { surveyState, type Survey } from '../surveys/service.js';
import { TEMPLATE_IDS, template } from '../surveys/templates.js';

const entries = (node: unknown, prefix = ''): Array<[string, string]> =>
  typeof node === 'string'
    ? [[prefix, node]]
    : Object.entries(node as Record<string, unknown>).flatMap(([key, value]) => entries(value, prefix ? `${prefix}.${key}` : key));

describe('surveys: translations', () => {
  it('French and English have the same keys', () => {
    const keys = (tree: unknown) => entries(tree).map(([key]) => key).sort();
    expect(keys(messages.fr)).toEqual(keys(messages.en));
  });

  it('French uses a narrow no-break space before ; : ! ?, typographic apostrophes, no-break spaces inside « »', () => {
    const french = [
      ...entries(messages.fr).map(([, text]) => text),
      ...TEMPLATE_IDS.flatMap((id) => {
        const t = template(id, 'fr')!;
        return [t.title, t.intro, ...t.questions.flatMap((q) => [q.text, q.section, ...q.options])];
      }),
    ];
    for (const text of french) {
      expect(text, text).not.toMatch(/'/);
      expect(text, text).not.toMatch(/[^\u202f][;:!?]/);
      expect(text, text).not.toMatch(/«(?!\u00a0)|(?<!\u00a0)»/);
    }
  });
});

describe('surveys: templates', () => {
  it('each template exists in French and English, with the same questions’ shapes', () => {
    for (const id of ['event', 'idea', 'dialogue']) {
      const fr = template(id, 'fr')!;
      const en = template(id, 'en')!;
      expect(fr.title).not.toBe(en.title);
      expect(fr.questions.map((q) => [q.type, q.required, q.options.length])).toEqual(en.questions.map((q) => [q.type, q.required, q.options.length]));
      expect(fr.questions.length).toBeGreaterThan(2);
    }
    expect(template('event', 'de')?.title).toBe('Organising the event');
    expect(template('nope', 'en')).toBe(null);
  });
});

describe('surveys: who may create', () => {
  const viewer = (role: Viewer['role'], spaceRoles: Array<[number, 'admin' | 'member']> = []) => ({ id: 1, role, spaceRoles: new Map(spaceRoles) }) as unknown as Viewer;
  it('follows each setting value', () => {
    const member = viewer('member');
    const spaceAdmin = viewer('member', [[7, 'admin']]);
    const editor = viewer('editor');
    const admin = viewer('admin');
    expect([member, spaceAdmin, editor, admin].map((v) => mayCreate(v, 'editors'))).toEqual([false, false, true, true]);
    expect([member, spaceAdmin, editor, admin].map((v) => mayCreate(v, 'admins'))).toEqual([false, false, false, true]);
    expect([member, spaceAdmin, editor, admin].map((v) => mayCreate(v, 'spaceAdmins'))).toEqual([false, true, true, true]);
    // A space admin: only for their own space's audience.
    expect(mayCreate(spaceAdmin, 'spaceAdmins', 'space', 7)).toBe(true);
    expect(mayCreate(spaceAdmin, 'spaceAdmins', 'space', 8)).toBe(false);
    expect(mayCreate(spaceAdmin, 'spaceAdmins', 'everyone', null)).toBe(false);
    expect(mayCreate(editor, 'admins', 'everyone', null)).toBe(false);
  });
});

describe('surveys: state', () => {
  const base = { openedAt: null, startsAt: null, endsAt: 1000 } as unknown as Survey;
  it('draft, scheduled, open, closed', () => {
    expect(surveyState(base, 10)).toBe('draft');
    expect(surveyState({ ...base, openedAt: 5, startsAt: 100 }, 50)).toBe('scheduled');
    expect(surveyState({ ...base, openedAt: 5, startsAt: 100 }, 100)).toBe('open');
    expect(surveyState({ ...base, openedAt: 5, startsAt: 100 }, 1000)).toBe('closed');
  });
});

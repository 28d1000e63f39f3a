// Where a notification email leads: the same place as the in-app entry.
import { describe, expect, it } from 'vitest';
import { linkOf } from '../../src/features/email-notifications/mail-content.js';
import { hrefOf } from '../../src/features/notifications/describe.js';

const URL = 'https://intranet.example.com';
const cases = [
  { type: 'mention', contentId: 7, commentId: 12, spaceId: null },
  { type: 'reply', contentId: 7, commentId: null, spaceId: null },
  { type: 'content-reported', contentId: 7, commentId: 3, spaceId: 2 },
  { type: 'space-request', contentId: null, commentId: null, spaceId: 4 },
  { type: 'space-invitation', contentId: null, commentId: null, spaceId: 4 },
  { type: 'space-request-approved', contentId: null, commentId: null, spaceId: 4 },
];

describe('email links', () => {
  it('lead where the in-app entry leads, as absolute links', () => {
    for (const n of cases) expect(linkOf(URL, n), n.type).toBe(`${URL}${hrefOf(n)}`);
    expect(linkOf(URL, cases[3]!)).toBe(`${URL}/spaces/4/members`);
    expect(linkOf(URL, cases[0]!)).toBe(`${URL}/content/7#comment-12`);
  });
});

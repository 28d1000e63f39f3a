// Closes polls whose closing date has come, every minute, and invites each one's author to post the
// outcome ("you said / we did") with the plugin's 'poll-outcome' notification (../notifications.ts).
import type { PluginJob } from '../../../src/plugins/contract.js';
import { forgetPluginNotifications, notifyFromPlugin } from '../../../src/notifications/plugin-types.js';
import { POLL_OUTCOME } from '../notification-names.js';
import { closeDuePolls } from './service.js';

export const jobs: PluginJob[] = [
  {
    name: 'close-due-polls',
    next: (now) => now + 60_000,
    async run({ db, now }) {
      // The polls just closed whose outcome is still to post.
      const closed = await closeDuePolls(db, now);
      if (closed.length === 0) return;
      const authors = await db.selectFrom('content').select(['id', 'author_id', 'space_id']).where('id', 'in', closed).where('author_id', 'is not', null).execute();
      await db.transaction().execute(async (trx) => {
        // A poll closed before, reopened, closed again: one invitation.
        for (const poll of authors) await forgetPluginNotifications(trx, 'polls', { subjectId: poll.id, name: POLL_OUTCOME });
        await notifyFromPlugin(
          trx,
          'polls',
          POLL_OUTCOME,
          authors.map((poll) => ({ userId: poll.author_id!, subjectId: poll.id, contentId: poll.id, spaceId: poll.space_id })),
          now,
        );
      });
    },
  },
];

// What the polls part adds to Hameau's pages: "New poll" beside "Publish" in a space's composer.
import type { Slots } from '../../../src/plugins/contract.js';
import { mayCreatePoll } from './routes.js';

export const slots: Slots = {
  composerActions: [
    {
      label: (t) => t('plugins.polls.poll.composerAction'),
      href: (space) => `/polls/new?space=${space!.id}`,
      // In a space, for whoever the setting `pollCreators` lets create polls there (the form checks the same).
      visible: (viewer, space, plugin) => space !== null && mayCreatePoll(viewer, space, plugin.settings.pollCreators),
    },
  ],
};

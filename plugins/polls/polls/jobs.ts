// Closes polls whose closing date has come, every minute.
import type { PluginJob } from '../../../src/plugins/contract.js';
import { closeDuePolls } from './service.js';

export const jobs: PluginJob[] = [
  {
    name: 'close-due-polls',
    next: (now) => now + 60_000,
    async run({ db, now }) {
      await closeDuePolls(db, now);
    },
  },
];

// The surveys part's place in the core's pages: "Surveys" in the main navigation, for every signed-in person.
import type { Slots } from '../../../src/plugins/contract.js';

export const slots: Slots = {
  navigation: [{ label: (t) => t('plugins.polls.survey.nav'), href: '/polls/surveys', activePrefix: '/polls/surveys' }],
};

// The names of the plugin's notification types (notifications.ts), apart so that the parts can use
// them without importing the types' code (which imports the parts).
export const SURVEY_REMINDER = 'survey-reminder';
export const POLL_OUTCOME = 'poll-outcome';

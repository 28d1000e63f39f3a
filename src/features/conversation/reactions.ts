// The fixed set of reactions, in the order every reaction bar shows them. Stored in reactions.reaction
// by key; the label is a message of the locale files, the emoji is only decoration.

export interface Reaction {
  key: ReactionKey;
  emoji: string;
  /** Locale key of its name ("Like"), read by screen readers and shown on the who-reacted page. */
  label: string;
}

export const REACTION_KEYS = ['like', 'heart', 'party', 'idea', 'wow'] as const;
export type ReactionKey = (typeof REACTION_KEYS)[number];

export const REACTIONS: readonly Reaction[] = [
  { key: 'like', emoji: '👍', label: 'conversation.reactions.names.like' },
  { key: 'heart', emoji: '❤️', label: 'conversation.reactions.names.heart' },
  { key: 'party', emoji: '🎉', label: 'conversation.reactions.names.party' },
  { key: 'idea', emoji: '💡', label: 'conversation.reactions.names.idea' },
  { key: 'wow', emoji: '😮', label: 'conversation.reactions.names.wow' },
];

export function isReactionKey(value: unknown): value is ReactionKey {
  return typeof value === 'string' && (REACTION_KEYS as readonly string[]).includes(value);
}


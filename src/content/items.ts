// What a feed card and a permalink page receive for one content item: the content row, the kind's
// data, and everything the content model attaches to it, loaded for a whole page of items at once.
// `loadItems` is a fixed number of queries whatever the number of items (no N+1).
import type { Millis, SpaceVisibility } from '../db/schema.js';
import type { ContentSubject } from '../policy/subjects.js';
import type { ContentKind } from './kinds.js';
import type { Topic } from './markdown.js';

export interface PersonRef {
  id: number;
  name: string;
  /** False for a deactivated member: shown, but not linked as someone to reach. */
  active: boolean;
}

export interface AttachmentRef {
  id: number;
  originalName: string;
  mimeType: string;
  sizeBytes: number;
  isImage: boolean;
  width: number | null;
  height: number | null;
  hasPreview: boolean;
  purpose: 'file' | 'cover' | 'space-image';
}

export interface ReactionCount {
  reaction: string;
  count: number;
  /** The viewer reacted so. */
  mine: boolean;
}

export interface ContentItem<Data = unknown> {
  id: number;
  /** What the policy decides on: pass it to `it.can('content.edit', it.item.subject)`. */
  subject: ContentSubject;
  kind: ContentKind<Data>;
  data: Data;
  author: PersonRef | null;
  space: { id: number; name: string; visibility: SpaceVisibility };
  createdAt: Millis;
  publishedAt: Millis | null;
  editedAt: Millis | null;
  pinnedUntil: Millis | null;
  hiddenReason: string | null;
  /** Reactions in the fixed order of the reaction set, only those with a count. */
  reactions: ReactionCount[];
  commentCount: number;
  attachments: AttachmentRef[];
  topics: Topic[];
  /** For a must-read: when the viewer confirmed it, or null. */
  confirmedAt: Millis | null;
  /** Published since the viewer's previous visit to the feed. */
  isNew: boolean;
  /** Pinned (until a date still to come). */
  isPinned: boolean;
}

// What the rules about spaces, content and comments need to know about the thing acted on.
// Queries build these from rows (src/content/subjects.ts, src/features/spaces/queries.ts).
import type { Millis, SpaceVisibility } from '../db/schema.js';

export interface SpaceSubject {
  id: number;
  visibility: SpaceVisibility;
}

export interface ContentSubject {
  id: number;
  kind: string;
  authorId: number | null;
  space: SpaceSubject;
  /** Null for a draft; in the future while scheduled. */
  publishedAt: Millis | null;
  deletedAt: Millis | null;
  hiddenAt: Millis | null;
  mustRead: boolean;
  commentsEnabled: boolean;
  /** Its kind is switched off (its plugin disabled, or off in this space): nobody sees it until it is on again. */
  kindOff: boolean;
}

export interface CommentSubject {
  id: number;
  authorId: number | null;
  deletedAt: Millis | null;
  hiddenAt: Millis | null;
  content: ContentSubject;
}

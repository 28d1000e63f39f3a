// Row types of the core tables, as Kysely sees them. Migrations in migrations/ create them.
import type { ColumnType, Generated, Selectable } from 'kysely';

/** Milliseconds since the epoch, UTC. */
export type Millis = number;

export type Locale = 'fr' | 'en';
/** Organisation role: editors also publish news; admins run the organisation. */
export type Role = 'admin' | 'editor' | 'member';
export type SpaceVisibility = 'company' | 'open' | 'private';
export type SpaceRole = 'admin' | 'member';
/** Who may create spaces (admin setting). */
export type SpaceCreation = 'everyone' | 'admins';
/** 'erased': the person's data was erased (src/features/members/erase-service.ts); the row stays for what they wrote. */
export type UserStatus = 'active' | 'deactivated' | 'erased';

export interface OrganisationTable {
  id: ColumnType<1, 1, never>;
  name: string;
  default_locale: Locale;
  /** IANA time zone in which dates are shown and emails are dated, e.g. "Europe/Paris". */
  time_zone: string;
  created_at: ColumnType<Millis, Millis, never>;
  updated_at: Millis;
  space_creation: Generated<SpaceCreation>;
  /** 1 when any member may post in the company space; 0 when only editors and admins may. */
  member_posts_in_company: Generated<number>;
  /** Default digest frequency (email notifications). */
  digest_frequency: Generated<DigestFrequency>;
  /** Quiet hours: start and end in minutes after midnight (organisation's time zone), and weekends (0/1). */
  quiet_start: Generated<number>;
  quiet_end: Generated<number>;
  quiet_weekends: Generated<number>;
  /** The organisation's stage of the method: 1, 2 or 3 (the plugins' stage packs move it). */
  stage: Generated<number>;
  /** The logo's stored file under DATA_DIR/brand ("<32 hex>.webp"); null without a logo (migration 0010). */
  logo_file: ColumnType<string | null, string | null | undefined, string | null>;
  /** "#rrggbb", applied by /brand.css; null: Hameau's own colours. */
  brand_colour: ColumnType<string | null, string | null | undefined, string | null>;
  /** The privacy core's minimum group size k, 3..10, default 5 (migration 0011; src/privacy). */
  privacy_min_group: Generated<number>;
}

export interface AppSecretTable {
  name: string;
  value: Buffer;
}

export interface UserTable {
  id: Generated<number>;
  email: string;
  name: string;
  sort_name: string;
  password_hash: string;
  role: Role;
  locale: Locale | null;
  status: Generated<UserStatus>;
  created_at: ColumnType<Millis, Millis, never>;
  updated_at: Millis;
  password_changed_at: Millis;
  deactivated_at: Millis | null;
  // Profile (migration 0004-people; src/features/people).
  job_title: ColumnType<string | null, string | null | undefined, string | null>;
  department_id: ColumnType<number | null, number | null | undefined, number | null>;
  site_id: ColumnType<number | null, number | null | undefined, number | null>;
  manager_id: ColumnType<number | null, number | null | undefined, number | null>;
  phone: ColumnType<string | null, string | null | undefined, string | null>;
  /** Plain text; line breaks kept when shown. */
  bio: ColumnType<string | null, string | null | undefined, string | null>;
  /** Stored file name of the resized photo under DATA_DIR/photos. */
  photo_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Comma-separated language names as typed ("Français, English"). */
  languages: ColumnType<string | null, string | null | undefined, string | null>;
  /** job_title folded like sort_name (the directory's search). */
  job_title_sort: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SessionTable {
  id: string;
  secret_hash: Buffer;
  user_id: number;
  created_at: ColumnType<Millis, Millis, never>;
  last_verified_at: Millis;
  user_agent: string;
}

export interface InvitationTable {
  id: Generated<number>;
  email: string;
  role: Role;
  locale: Locale;
  token_hash: Buffer;
  invited_by: number | null;
  created_at: ColumnType<Millis, Millis, never>;
  expires_at: Millis;
  last_sent_at: Millis;
  accepted_at: Millis | null;
  accepted_user_id: number | null;
  revoked_at: Millis | null;
  /** JSON InvitationProfile (src/features/people/profile-on-accept.ts): given to the person on acceptance. */
  profile: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PasswordResetTable {
  id: Generated<number>;
  user_id: number;
  token_hash: Buffer;
  created_at: ColumnType<Millis, Millis, never>;
  expires_at: Millis;
  used_at: Millis | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_id: number | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  /** JSON: what changed, before and after. Never secrets. */
  details: string;
  created_at: ColumnType<Millis, Millis, never>;
}

/** Fixed-window counters of the rate limits (src/http/rate-limit-counters.ts). */
export interface RateLimitCounterTable {
  limit_name: string;
  /** SHA-256 of what is counted (an email, an address block, a user id): nothing kept in clear. */
  key_hash: Buffer;
  count: number;
  window_ends_at: Millis;
}

export interface SpaceTable {
  id: Generated<number>;
  name: string;
  sort_name: string;
  description: Generated<string>;
  visibility: SpaceVisibility;
  created_by: number | null;
  created_at: ColumnType<Millis, Millis, never>;
  updated_at: Millis;
}

export interface SpaceMemberTable {
  space_id: number;
  user_id: number;
  role: SpaceRole;
  joined_at: Millis;
}

export interface SpaceRequestTable {
  space_id: number;
  user_id: number;
  kind: 'request' | 'invitation';
  created_by: number | null;
  created_at: Millis;
}

/** One row per feed item, whatever its kind; the kind's own table holds the rest. */
export interface ContentTable {
  id: Generated<number>;
  kind: string;
  space_id: number;
  author_id: number | null;
  created_at: ColumnType<Millis, Millis, never>;
  updated_at: Millis;
  /** Null for a draft; in the future for a scheduled item. */
  published_at: Millis | null;
  edited_at: Millis | null;
  pinned_until: Millis | null;
  must_read: Generated<number>;
  comments_enabled: Generated<number>;
  deleted_at: Millis | null;
  deleted_by: number | null;
  hidden_at: Millis | null;
  hidden_by: number | null;
  hidden_reason: string | null;
}

export interface NewsArticleTable {
  content_id: number;
  title: string;
  body: string;
  body_html: string;
  /** The first words of the text without markup (RenderedMarkdown.summary), for cards. */
  summary: string;
  category: string | null;
  /** 1: a must-read an admin marked urgent; its emails ignore quiet hours. */
  urgent: Generated<number>;
}

export interface PostTable {
  content_id: number;
  body: string;
  body_html: string;
  /** The first words of the text without markup (RenderedMarkdown.summary): the post's title. */
  summary: string;
}

export interface CommentTable {
  id: Generated<number>;
  content_id: number;
  parent_id: number | null;
  author_id: number | null;
  body: string;
  body_html: string;
  created_at: ColumnType<Millis, Millis, never>;
  edited_at: Millis | null;
  deleted_at: Millis | null;
  deleted_by: number | null;
  hidden_at: Millis | null;
  hidden_by: number | null;
  hidden_reason: string | null;
}

export type AttachmentPurpose = 'file' | 'cover' | 'space-image';

export interface AttachmentTable {
  id: Generated<number>;
  uploader_id: number | null;
  storage_key: string;
  original_name: string;
  mime_type: string;
  size_bytes: number;
  is_image: number;
  width: number | null;
  height: number | null;
  has_preview: Generated<number>;
  content_id: number | null;
  comment_id: number | null;
  space_id: number | null;
  purpose: Generated<AttachmentPurpose>;
  created_at: ColumnType<Millis, Millis, never>;
}

export interface ReactionTable {
  content_id: number;
  user_id: number;
  reaction: string;
  created_at: Millis;
}

export interface MentionTable {
  id: Generated<number>;
  content_id: number;
  comment_id: number | null;
  user_id: number;
  created_at: Millis;
}

export interface TopicTable {
  id: Generated<number>;
  slug: string;
  label: string;
  created_at: Millis;
}

export interface ContentTopicTable {
  topic_id: number;
  content_id: number;
}

export interface ReadConfirmationTable {
  content_id: number;
  user_id: number;
  confirmed_at: Millis;
}

export interface MustReadReminderTable {
  id: Generated<number>;
  content_id: number;
  sent_by: number | null;
  sent_at: Millis;
  recipient_count: number;
}

export type ReportStatus = 'open' | 'dismissed' | 'hidden' | 'deleted';

export interface ReportTable {
  id: Generated<number>;
  content_id: number;
  comment_id: number | null;
  reporter_id: number | null;
  reason: string;
  created_at: Millis;
  status: Generated<ReportStatus>;
  decided_by: number | null;
  decided_at: Millis | null;
  decision_note: string | null;
}

export interface ContentFollowTable {
  content_id: number;
  user_id: number;
  /** 'following', or 'unfollowed': an explicit choice nothing automatic overrides. */
  state: 'following' | 'unfollowed';
  updated_at: Millis;
}

export interface SpaceFollowTable {
  space_id: number;
  user_id: number;
  created_at: Millis;
}

export interface NotificationTable {
  id: Generated<number>;
  user_id: number;
  type: string;
  actor_id: number | null;
  content_id: number | null;
  comment_id: number | null;
  space_id: number | null;
  created_at: Millis;
  read_at: Millis | null;
  /** Email delivery (src/features/email-notifications): null until the dispatcher decides. */
  email_state: ColumnType<EmailState | null, EmailState | null | undefined, EmailState | null>;
  email_at: ColumnType<Millis | null, Millis | null | undefined, Millis | null>;
  /** A plugin's notification (migration 0012): its plugin, the plugin's object it is about, when it stops being shown. */
  plugin_id: ColumnType<string | null, string | null | undefined, string | null>;
  subject_id: ColumnType<number | null, number | null | undefined, number | null>;
  expires_at: ColumnType<Millis | null, Millis | null | undefined, Millis | null>;
}

/** What became of a notification by email: null = not decided yet. */
export type EmailState = 'queued' | 'sent' | 'digest' | 'digested' | 'skipped';
export type DigestFrequency = 'daily' | 'weekly' | 'never';
/** How a type of notification is emailed. */
export type EmailChoice = 'immediate' | 'digest' | 'off';
export type JobState = 'pending' | 'running' | 'done' | 'failed';

/** Durable background work (src/jobs). */
export interface JobTable {
  id: Generated<number>;
  type: string;
  /** JSON. */
  payload: string;
  key: string | null;
  state: JobState;
  run_at: Millis;
  attempts: Generated<number>;
  max_attempts: number;
  last_error: string | null;
  locked_until: Millis | null;
  created_at: ColumnType<Millis, Millis, never>;
  updated_at: Millis;
}

/** A person's choice for one notification type (without a row: the organisation's default). */
export interface NotificationPreferenceTable {
  user_id: number;
  type: string;
  in_app: number;
  email: EmailChoice;
}

/** The organisation's default for one notification type (without a row: the built-in one). */
export interface NotificationDefaultTable {
  type: string;
  in_app: number;
  email: EmailChoice;
}

/** A person's digest frequency and own quiet hours (nulls: the organisation's). */
export interface NotificationSettingTable {
  user_id: number;
  digest_frequency: DigestFrequency | null;
  quiet_start: number | null;
  quiet_end: number | null;
  quiet_weekends: number | null;
  updated_at: Millis;
}

export interface CharterVersionTable {
  id: Generated<number>;
  body: string;
  body_html: string;
  published_by: number | null;
  published_at: Millis;
}

export interface CharterAcceptanceTable {
  version_id: number;
  user_id: number;
  accepted_at: Millis;
}

export interface FeedVisitTable {
  user_id: number;
  current_visit_at: Millis;
  previous_visit_at: Millis | null;
}

export interface DepartmentTable {
  id: Generated<number>;
  name: string;
  sort_name: string;
}

export interface SiteTable {
  id: Generated<number>;
  name: string;
  sort_name: string;
}

export interface SkillTable {
  id: Generated<number>;
  label: string;
  /** The label folded like sort_name ("gestion de projet"). */
  slug: string;
}

export interface UserSkillTable {
  user_id: number;
  skill_id: number;
}

export type ProfileFieldType = 'text' | 'choice' | 'date' | 'link';

export interface ProfileFieldTable {
  id: Generated<number>;
  label: string;
  type: ProfileFieldType;
  /** JSON array of strings (a choice field's options). */
  options: Generated<string>;
  in_directory: Generated<number>;
  position: Generated<number>;
  created_at: ColumnType<Millis, Millis, never>;
}

export interface ProfileValueTable {
  user_id: number;
  field_id: number;
  value: string;
}

export interface PeopleImportTable {
  id: string;
  created_by: number;
  data: string;
  created_at: Millis;
  expires_at: Millis;
}

/** What one row of the full-text index is (migration 0007-search; src/search). Its id is the index's rowid. */
export interface SearchEntryTable {
  id: Generated<number>;
  /** The source that computed the row: 'content', 'comment', 'space', 'person', or a plugin's. */
  source: string;
  /** The source's id of the thing: a content id, a comment id, a space id, a user id... */
  key: number;
  /** What results are grouped by: a content kind ('news', 'post'...), 'comment', 'space', 'person'. */
  kind: string;
  content_id: number | null;
  comment_id: number | null;
  space_id: number | null;
  user_id: number | null;
}

/** Things whose text changed since the index was brought up to date (written by triggers). */
export interface SearchQueueTable {
  source: string;
  key: number;
}

/** Content kinds whose existing items were queued once for the index. */
export interface SearchKindTable {
  kind: string;
}

export interface PluginStateTable {
  id: string;
  enabled: Generated<number>;
  /** JSON object of the saved settings. */
  settings: Generated<string>;
  enabled_at: Millis | null;
  enabled_by: number | null;
  purged_at: Millis | null;
  updated_at: Millis;
}

export interface PluginSpaceOffTable {
  plugin_id: string;
  space_id: number;
  switched_by: number | null;
  switched_at: Millis;
}

/** Kinds hidden everywhere (space_id 0) or in one space, because their plugin is off there. */
export interface ContentKindOffTable {
  kind: string;
  space_id: number;
}

/** Plugins that are off everywhere (space 0) or in one space: their notifications are hidden (migration 0012). */
export interface PluginOffTable {
  plugin_id: string;
  space_id: number;
}

export interface Database {
  plugin_state: PluginStateTable;
  plugin_space_off: PluginSpaceOffTable;
  content_kinds_off: ContentKindOffTable;
  plugins_off: PluginOffTable;
  organisation: OrganisationTable;
  app_secret: AppSecretTable;
  users: UserTable;
  sessions: SessionTable;
  invitations: InvitationTable;
  password_resets: PasswordResetTable;
  audit_log: AuditLogTable;
  rate_limit_counters: RateLimitCounterTable;
  spaces: SpaceTable;
  space_members: SpaceMemberTable;
  space_requests: SpaceRequestTable;
  content: ContentTable;
  news_articles: NewsArticleTable;
  posts: PostTable;
  comments: CommentTable;
  attachments: AttachmentTable;
  reactions: ReactionTable;
  mentions: MentionTable;
  topics: TopicTable;
  content_topics: ContentTopicTable;
  read_confirmations: ReadConfirmationTable;
  must_read_reminders: MustReadReminderTable;
  reports: ReportTable;
  notifications: NotificationTable;
  jobs: JobTable;
  notification_preferences: NotificationPreferenceTable;
  notification_defaults: NotificationDefaultTable;
  notification_settings: NotificationSettingTable;
  content_follows: ContentFollowTable;
  space_follows: SpaceFollowTable;
  charter_versions: CharterVersionTable;
  charter_acceptances: CharterAcceptanceTable;
  feed_visits: FeedVisitTable;
  departments: DepartmentTable;
  sites: SiteTable;
  skills: SkillTable;
  user_skills: UserSkillTable;
  profile_fields: ProfileFieldTable;
  profile_values: ProfileValueTable;
  people_imports: PeopleImportTable;
  search_entries: SearchEntryTable;
  search_queue: SearchQueueTable;
  search_kinds: SearchKindTable;
}

export type User = Selectable<UserTable>;
export type Organisation = Selectable<OrganisationTable>;
export type Session = Selectable<SessionTable>;
export type Invitation = Selectable<InvitationTable>;
export type Space = Selectable<SpaceTable>;
export type Content = Selectable<ContentTable>;
export type Comment = Selectable<CommentTable>;
export type Attachment = Selectable<AttachmentTable>;

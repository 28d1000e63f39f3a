// Row types of the core tables, as Kysely sees them. Migrations in migrations/ create them.
import type { ColumnType, Generated, Selectable } from 'kysely';

/** Milliseconds since the epoch, UTC. */
export type Millis = number;

export type Locale = 'fr' | 'en';
export type Role = 'admin' | 'member';
export type UserStatus = 'active' | 'deactivated';

export interface OrganisationTable {
  id: ColumnType<1, 1, never>;
  name: string;
  default_locale: Locale;
  /** IANA time zone in which dates are shown and emails are dated, e.g. "Europe/Paris". */
  time_zone: string;
  created_at: ColumnType<Millis, Millis, never>;
  updated_at: Millis;
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

export interface Database {
  organisation: OrganisationTable;
  app_secret: AppSecretTable;
  users: UserTable;
  sessions: SessionTable;
  invitations: InvitationTable;
  password_resets: PasswordResetTable;
  audit_log: AuditLogTable;
  rate_limit_counters: RateLimitCounterTable;
}

export type User = Selectable<UserTable>;
export type Organisation = Selectable<OrganisationTable>;
export type Session = Selectable<SessionTable>;
export type Invitation = Selectable<InvitationTable>;

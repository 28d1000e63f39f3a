// Environment variables -> one typed, validated configuration object.
// Every variable is documented in README.md ("Configuration"); keep both in step.
import path from 'node:path';

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Absolute URL where users reach Hameau, without a trailing slash. Used in emails and for CSRF. */
  publicUrl: string;
  /** True when publicUrl is https: cookies are then marked Secure. */
  secureCookies: boolean;
  smtpUrl: string | null;
  smtpFrom: string;
  logLevel: LogLevel;
  sqliteSynchronous: SqliteSynchronous;
  /** Trust X-Forwarded-* headers from a reverse proxy (needed for correct client IPs in rate limits). */
  trustProxy: boolean;
  /** Cache compiled templates; off only in `npm run dev`. */
  cacheTemplates: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const SYNCHRONOUS: readonly SqliteSynchronous[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

type Env = Record<string, string | undefined>;

/**
 * Reads the configuration from environment variables and reports every bad value at once.
 *
 * @example
 * const config = loadConfig(process.env); // throws ConfigError listing each problem
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };

  let port = 3000;
  const rawPort = value('PORT');
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) {
      problems.push(`PORT must be a whole number from 1 to 65535 (got "${rawPort}").`);
    }
  }

  const host = value('HOST') ?? '0.0.0.0';

  const dataDir = path.resolve(cwd, value('DATA_DIR') ?? './data');

  let publicUrl = `http://localhost:${port}`;
  const rawPublicUrl = value('PUBLIC_URL');
  if (rawPublicUrl !== undefined) {
    try {
      const url = new URL(rawPublicUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      if (url.search || url.hash) throw new Error('query');
      publicUrl = url.toString().replace(/\/+$/, '');
    } catch {
      problems.push(
        `PUBLIC_URL must be an absolute http or https address such as https://intranet.example.com (got "${rawPublicUrl}").`,
      );
    }
  }

  const smtpUrl = value('SMTP_URL') ?? null;
  if (smtpUrl !== null) {
    try {
      const url = new URL(smtpUrl);
      if (!['smtp:', 'smtps:'].includes(url.protocol)) throw new Error('protocol');
    } catch {
      problems.push('SMTP_URL must look like smtp://user:password@mail.example.com:587 or smtps://… (value hidden).');
    }
  }

  let smtpFrom = value('SMTP_FROM') ?? `Hameau <no-reply@${safeHostname(publicUrl)}>`;
  if (!/^[^<>]*<?[^\s@<>]+@[^\s@<>]+>?$/.test(smtpFrom)) {
    problems.push(`SMTP_FROM must be an email address, optionally with a name: "Hameau <hameau@example.com>" (got "${smtpFrom}").`);
    smtpFrom = 'Hameau <no-reply@localhost>';
  }

  const rawLogLevel = (value('LOG_LEVEL') ?? 'info').toLowerCase();
  const logLevel = LOG_LEVELS.find((l) => l === rawLogLevel);
  if (!logLevel) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${rawLogLevel}").`);

  const rawSync = (value('SQLITE_SYNCHRONOUS') ?? 'NORMAL').toUpperCase();
  const sqliteSynchronous = SYNCHRONOUS.find((s) => s === rawSync);
  if (!sqliteSynchronous) {
    problems.push(`SQLITE_SYNCHRONOUS must be one of ${SYNCHRONOUS.join(', ')} (got "${rawSync}").`);
  }

  const trustProxy = parseBoolean(value('TRUST_PROXY'), 'TRUST_PROXY', false, problems);

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port,
    host,
    dataDir,
    publicUrl,
    secureCookies: publicUrl.startsWith('https:'),
    smtpUrl,
    smtpFrom,
    logLevel: logLevel ?? 'info',
    sqliteSynchronous: sqliteSynchronous ?? 'NORMAL',
    trustProxy,
    cacheTemplates: env.HAMEAU_DEV !== '1',
  };
}

function parseBoolean(raw: string | undefined, name: string, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  problems.push(`${name} must be true or false (got "${raw}").`);
  return fallback;
}

function safeHostname(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return 'localhost';
  }
}

// Environment variables -> one typed, validated configuration object.
// Every variable is documented in README.md ("Configuration"); keep both in step.
import { isIP } from 'node:net';
import path from 'node:path';

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/**
 * Which X-Forwarded-For entries to believe: none (false), or those added by these proxy
 * addresses, networks or named ranges. Fastify's `trustProxy` takes either as it is.
 */
export type TrustProxy = false | string[];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Absolute URL where users reach Hameau (an origin: no path, no trailing slash). Used in emails and for CSRF. */
  publicUrl: string;
  /** False when PUBLIC_URL was not set and publicUrl is the localhost default. */
  publicUrlConfigured: boolean;
  /** True when publicUrl is https: cookies are then marked Secure. */
  secureCookies: boolean;
  smtpUrl: string | null;
  smtpFrom: string;
  logLevel: LogLevel;
  sqliteSynchronous: SqliteSynchronous;
  /** The reverse proxies whose X-Forwarded-For entries give the client's address (for rate limits and logs). */
  trustProxy: TrustProxy;
  /** Largest file a member may upload (UPLOAD_MAX_MB, default 20). */
  uploadMaxBytes: number;
  /** Cache compiled templates; off only in `npm run dev`. */
  cacheTemplates: boolean;
  /** HAMEAU_PLUGINS: the plugins enabled, fixed by the deployment (the admin page shows them locked); null: admins decide. */
  pinnedPlugins: string[] | null;
}

/** Every problem found in the environment at once, each naming its variable. */
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
    let url: URL | null = null;
    try {
      url = new URL(rawPublicUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      if (url.search || url.hash) throw new Error('query');
    } catch {
      url = null;
      problems.push(
        `PUBLIC_URL must be an absolute http or https address such as https://intranet.example.com (got "${rawPublicUrl}").`,
      );
    }
    // Routes, static files and cookies all live at "/": a sub-path would give links that lead nowhere.
    if (url && url.pathname !== '/') {
      problems.push(
        `PUBLIC_URL must be the root address of Hameau, without a path: every page and file is served from "/", so give Hameau a host name of its own, such as https://intranet.example.com (got "${rawPublicUrl}").`,
      );
    } else if (url) {
      publicUrl = url.origin;
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

  const trustProxy = parseTrustProxy(value('TRUST_PROXY'), problems);

  let uploadMaxMb = 20;
  const rawUploadMax = value('UPLOAD_MAX_MB');
  if (rawUploadMax !== undefined) {
    uploadMaxMb = Number(rawUploadMax);
    if (!/^\d+$/.test(rawUploadMax) || uploadMaxMb < 1 || uploadMaxMb > 1024) {
      problems.push(`UPLOAD_MAX_MB must be a whole number of megabytes from 1 to 1024 (got "${rawUploadMax}").`);
    }
  }

  let pinnedPlugins: string[] | null = null;
  const rawPlugins = value('HAMEAU_PLUGINS');
  if (rawPlugins !== undefined) {
    const ids = rawPlugins.toLowerCase() === 'none' ? [] : rawPlugins.split(',').map((id) => id.trim()).filter((id) => id !== '');
    const wrong = ids.filter((id) => !/^[a-z][a-z0-9-]{1,39}$/.test(id));
    if (wrong.length > 0) {
      problems.push(`HAMEAU_PLUGINS must be a comma-separated list of plugin ids such as polls,links (lowercase letters, digits and dashes), or "none" (got "${rawPlugins}").`);
    } else pinnedPlugins = [...new Set(ids)];
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port,
    host,
    dataDir,
    publicUrl,
    publicUrlConfigured: rawPublicUrl !== undefined,
    secureCookies: publicUrl.startsWith('https:'),
    smtpUrl,
    smtpFrom,
    logLevel: logLevel ?? 'info',
    sqliteSynchronous: sqliteSynchronous ?? 'NORMAL',
    trustProxy,
    uploadMaxBytes: uploadMaxMb * 1024 * 1024,
    cacheTemplates: env.HAMEAU_DEV !== '1',
    pinnedPlugins,
  };
}

/** Ranges Fastify (proxy-addr) knows by name: 127.0.0.0/8 and ::1, link-local, private networks. */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];
const TRUST_PROXY_EXAMPLES =
  'TRUST_PROXY=127.0.0.1 for a proxy on the same machine, TRUST_PROXY=10.0.0.2 for one elsewhere, TRUST_PROXY=172.16.0.0/12,fd00::/8 for a network of them';

/**
 * TRUST_PROXY: a comma-separated list of proxy addresses, networks (CIDR) or named ranges.
 * `true` is refused: it would believe the first X-Forwarded-For entry, which any client writes
 * as it likes, and so could take a fresh address for every attempt. A number of hops is refused
 * too: it cannot tell the proxy from a client that reaches Hameau's port directly and writes its
 * own header, which is why Fastify 5.12 ignores hop counts (trusting nothing at all).
 */
function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  if (raw === undefined) return false;
  const lower = raw.toLowerCase();
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  if (['true', 'yes', 'on'].includes(lower)) {
    problems.push(
      `TRUST_PROXY cannot be "true": Hameau would believe any address written in X-Forwarded-For, a header every client can set, and rate limits could be dodged. Write the address of your reverse proxy instead: ${TRUST_PROXY_EXAMPLES} (got "${raw}").`,
    );
    return false;
  }
  if (/^\d+$/.test(raw)) {
    problems.push(
      `TRUST_PROXY takes the addresses of your reverse proxies, not a number of them: a count cannot tell the proxy from a client that connects to Hameau directly and writes its own X-Forwarded-For. Write ${TRUST_PROXY_EXAMPLES} (got "${raw}").`,
    );
    return false;
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  if (entries.every(isProxyAddress)) return entries;
  problems.push(
    `TRUST_PROXY must be a comma-separated list of the addresses or networks of your reverse proxies: ${TRUST_PROXY_EXAMPLES} (got "${raw}").`,
  );
  return false;
}

/** An IP address, a network in CIDR notation, or one of proxy-addr's named ranges. */
function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.includes(entry.toLowerCase())) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** True for an address only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (lower === 'localhost' || lower.endsWith('.localhost') || lower === '::1') return true;
  const ipv4 = lower.startsWith('::ffff:') ? lower.slice('::ffff:'.length) : lower;
  return isIP(ipv4) === 4 && ipv4.startsWith('127.');
}

/**
 * Settings that start Hameau but probably not the way it was meant to run; logged at start.
 *
 * @example
 * for (const warning of startupWarnings(config)) app.log.warn(warning);
 */
export function startupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (!config.publicUrlConfigured && !isLoopbackHost(config.host)) {
    warnings.push(
      `PUBLIC_URL is not set, so links in emails and the links shown to admins (invitations, password links) point to ${config.publicUrl}, which works only on this machine. Set PUBLIC_URL to the address people type to reach Hameau, such as https://intranet.example.com.`,
    );
  }
  return warnings;
}

function safeHostname(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return 'localhost';
  }
}

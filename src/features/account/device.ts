// A readable name for the device behind a session ("Firefox on Windows"), from its User-Agent.
import Bowser from 'bowser';
import type { Translate } from '../../i18n/index.js';

/**
 * A name people recognise for a session's device, from its User-Agent.
 *
 * @example
 * describeDevice('Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0', t) // "Firefox on Linux"
 */
export function describeDevice(userAgent: string, t: Translate): string {
  if (!userAgent) return t('sessions.unknownDevice');
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name;
  const os = parsed.os.name;
  if (browser && os) return t('sessions.deviceOn', { browser, os });
  // Bowser names what it does not recognise "" (not undefined).
  return browser || os || t('sessions.unknownDevice');
}

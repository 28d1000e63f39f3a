// A readable name for the device behind a session ("Firefox on Windows"), from its User-Agent.
import Bowser from 'bowser';
import type { Translate } from '../../i18n/index.js';

export function describeDevice(userAgent: string, t: Translate): string {
  if (!userAgent) return t('sessions.unknownDevice');
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name;
  const os = parsed.os.name;
  if (browser && os) return t('sessions.deviceOn', { browser, os });
  // Bowser names what it does not recognise "" (not undefined).
  return browser || os || t('sessions.unknownDevice');
}

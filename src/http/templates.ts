// The template engine: Eta, with the paths of included templates resolved once.
import path from 'node:path';
import { Eta } from 'eta';
import { isInside } from '../plugins/loader.js';

/**
 * Eta for the views directory, with `autoEscape`. With `cache` (production), each include's path is
 * resolved once per (including template, included path): Eta resolves it on every call otherwise (a
 * JSON key and path joins), and a feed page makes about 140 includes.
 *
 * Eta gives each include `{ ...it, ...data }`: templates pass only what they add,
 * `include('/content/card', { item })`, never `{ ...it, item }` (that would copy `it` twice).
 *
 * @example
 * await app.register(view, { engine: { eta: createTemplateEngine(viewsDir, true) }, templates: viewsDir });
 */
export function createTemplateEngine(views: string, cache: boolean, pluginViews: ReadonlyMap<string, string> = new Map()): Eta {
  const eta = new Eta({ views, cache, autoEscape: true });
  const resolveInViews = eta.resolvePath.bind(eta);
  // "/plugins/<id>/<name>" is plugins/<id>/views/<name>.eta (the plugin's own folder; never outside it).
  const resolve = (template: string, options?: { filepath?: string }): string => {
    const match = /^\/+plugins\/([a-z][a-z0-9-]*)\/(.+)$/.exec(template);
    const root = match ? pluginViews.get(match[1]!) : undefined;
    if (!match || !root) return resolveInViews(template, options);
    const file = path.resolve(root, match[2]!.endsWith('.eta') ? match[2]! : `${match[2]!}.eta`);
    if (!isInside(file, root)) throw new Error(`Template '${template}' is not in the plugin's views`);
    return file;
  };
  eta.resolvePath = resolve;
  if (!cache) return eta;
  const resolved = new Map<string, string>();
  eta.resolvePath = (template: string, options?: { filepath?: string }) => {
    const key = `${options?.filepath ?? ''}\u0000${template}`;
    let found = resolved.get(key);
    if (found === undefined) {
      found = resolve(template, options);
      resolved.set(key, found);
    }
    return found;
  };
  return eta;
}

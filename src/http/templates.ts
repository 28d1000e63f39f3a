// The template engine: Eta, with the paths of included templates resolved once.
import { Eta } from 'eta';

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
export function createTemplateEngine(views: string, cache: boolean): Eta {
  const eta = new Eta({ views, cache, autoEscape: true });
  if (!cache) return eta;
  const resolve = eta.resolvePath.bind(eta);
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

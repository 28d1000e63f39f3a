// Markdown typed by people, rendered once on the server when saved: raw HTML off, links only to
// http, https and mailto, outside links marked rel="noopener nofollow ugc", no images (a remote image
// would tell its server who read the page; files are attached instead). @mentions and #topics become
// links and are collected, so the caller can record them.
import type { Kysely } from 'kysely';
import { createRequire } from 'node:module';
import type markdownItModule from 'markdown-it';
import type { MarkdownIt, StateInline, Token } from 'markdown-it';
import { sortName } from '../auth/users.js';
import type { Database } from '../db/schema.js';

type MarkdownItFactory = typeof markdownItModule;

/** 'article': news and the usage charter (headings, tables...). 'short': posts and comments. */
export type MarkdownPreset = 'article' | 'short';

export interface Topic {
  /** Folded: "#Sécurité" and "#securite" are one topic. */
  slug: string;
  /** As typed the first time, for display. */
  label: string;
}

export interface RenderedMarkdown {
  html: string;
  /**
   * The first words of the text without markup (mentions as "@Name", topics as "#label"), at most
   * SUMMARY_LENGTH characters: what cards and lists show, stored with the text so that reading
   * never parses markdown.
   */
  summary: string;
  /** Active users mentioned, each once, in order of appearance. */
  mentionedUserIds: number[];
  topics: Topic[];
}

interface RenderEnv {
  [key: string | symbol]: unknown;
  /** Users who may be mentioned, by id, and by folded name for "@[Name]" typed without an id. */
  users: Map<number, string>;
  byName: Map<string, number>;
  mentioned: number[];
  topics: Topic[];
}

/** Longest stored summary, in characters (cut at a word, with an ellipsis). */
export const SUMMARY_LENGTH = 280;

const SAFE_PROTOCOL = /^(https?:|mailto:)/i;
/** A topic: a letter, then letters, digits, "_" or "-"; 50 at most. */
const TOPIC = /^#(\p{L}[\p{L}\p{N}_-]{0,49})/u;
/** "@[Name](42)" as the autocomplete writes it, or "@[Name]" typed by hand. */
const MENTION = /^@\[([^\]\n]{1,100})\](?:\((\d{1,10})\))?/;

/** Folds a topic for comparison and URLs: lower case, no accents. */
export function topicSlug(label: string): string {
  return label.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function mentionRule(state: StateInline, silent: boolean): boolean {
  if (state.src.charCodeAt(state.pos) !== 0x40 /* @ */) return false;
  const match = MENTION.exec(state.src.slice(state.pos));
  if (!match) return false;
  const env = state.env as unknown as RenderEnv;
  const typedName = match[1]!.trim();
  const id = match[2] !== undefined ? Number(match[2]) : env.byName.get(sortName(typedName));
  const name = id === undefined ? undefined : env.users.get(id);
  if (id === undefined || name === undefined) return false;
  if (!silent) {
    const open = state.push('mention_open', 'a', 1);
    open.attrSet('href', `/people/${id}`);
    open.attrSet('class', 'mention');
    const text = state.push('text', '', 0);
    text.content = `@${name}`;
    state.push('mention_close', 'a', -1);
    if (!env.mentioned.includes(id)) env.mentioned.push(id);
  }
  state.pos += match[0].length;
  return true;
}

function topicRule(state: StateInline, silent: boolean): boolean {
  if (state.src.charCodeAt(state.pos) !== 0x23 /* # */) return false;
  // Only at the start of a word: "page#anchor" and "C#" are not topics.
  const before = state.pos > 0 ? state.src[state.pos - 1]! : ' ';
  if (!/[\s(]/u.test(before)) return false;
  const match = TOPIC.exec(state.src.slice(state.pos));
  if (!match) return false;
  const label = match[1]!;
  const slug = topicSlug(label);
  if (!silent) {
    const env = state.env as unknown as RenderEnv;
    const open = state.push('topic_open', 'a', 1);
    open.attrSet('href', `/topics/${encodeURIComponent(slug)}`);
    open.attrSet('class', 'topic');
    const text = state.push('text', '', 0);
    text.content = `#${label}`;
    state.push('topic_close', 'a', -1);
    if (!env.topics.some((t) => t.slug === slug)) env.topics.push({ slug, label });
  }
  state.pos += match[0].length;
  return true;
}

function createRenderer(markdownIt: MarkdownItFactory, preset: MarkdownPreset): MarkdownIt {
  const md = markdownIt('default', { html: false, linkify: true, typographer: false, breaks: preset === 'short' });
  md.disable(['image']);
  if (preset === 'short') md.disable(['heading', 'lheading', 'table', 'hr']);
  md.validateLink = (url) => SAFE_PROTOCOL.test(url.trim());
  md.inline.ruler.before('link', 'mention', mentionRule);
  md.inline.ruler.before('link', 'topic', topicRule);
  const renderToken = md.renderer.renderToken.bind(md.renderer);
  md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
    const token = tokens[idx]!;
    if (!String(token.attrGet('href') ?? '').startsWith('mailto:')) token.attrSet('rel', 'noopener nofollow ugc');
    return self.renderToken(tokens, idx, options);
  };
  md.renderer.rules.mention_open = (tokens, idx, options) => renderToken(tokens, idx, options);
  md.renderer.rules.topic_open = (tokens, idx, options) => renderToken(tokens, idx, options);
  return md;
}

let loaded: Record<MarkdownPreset, MarkdownIt> | undefined;

/**
 * The two renderers, made on first use: reading pages never parses markdown (what they show was
 * rendered when saved), so a process that only serves pages never loads markdown-it (a few MB).
 */
function renderer(preset: MarkdownPreset): MarkdownIt {
  if (loaded === undefined) {
    const markdownIt = createRequire(import.meta.url)('markdown-it') as MarkdownItFactory;
    loaded = { article: createRenderer(markdownIt, 'article'), short: createRenderer(markdownIt, 'short') };
  }
  return loaded[preset];
}

/** Ids and names that a text may mention, found with one query. */
async function mentionableUsers(db: Kysely<Database>, source: string): Promise<Pick<RenderEnv, 'users' | 'byName'>> {
  const ids = new Set<number>();
  const names = new Set<string>();
  for (const match of source.matchAll(/@\[([^\]\n]{1,100})\](?:\((\d{1,10})\))?/g)) {
    if (match[2] !== undefined) ids.add(Number(match[2]));
    else names.add(sortName(match[1]!.trim()));
  }
  if (ids.size === 0 && names.size === 0) return { users: new Map(), byName: new Map() };
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name', 'sort_name'])
    .where('status', '=', 'active')
    .where((eb) =>
      eb.or([
        ...(ids.size > 0 ? [eb('id', 'in', [...ids])] : []),
        ...(names.size > 0 ? [eb('sort_name', 'in', [...names])] : []),
      ]),
    )
    .execute();
  const users = new Map(rows.map((r) => [r.id, r.name]));
  // A name typed by hand mentions someone only when it is unambiguous.
  const byName = new Map<string, number>();
  const seen = new Set<string>();
  for (const row of rows) {
    if (!names.has(row.sort_name)) continue;
    if (seen.has(row.sort_name)) byName.delete(row.sort_name);
    else byName.set(row.sort_name, row.id);
    seen.add(row.sort_name);
  }
  return { users, byName };
}

/**
 * Renders what someone typed to safe HTML, and says whom it mentions and which topics it names.
 *
 * @example
 * const { html, mentionedUserIds, topics } = await renderMarkdown(db, 'Hello @[Alice](3) #news', 'short');
 */
export async function renderMarkdown(db: Kysely<Database>, source: string, preset: MarkdownPreset): Promise<RenderedMarkdown> {
  const env: RenderEnv = { ...(await mentionableUsers(db, source)), mentioned: [], topics: [] };
  const md = renderer(preset);
  // Parsed once for both the HTML and the summary.
  const tokens = md.parse(source, env);
  const html = md.renderer.render(tokens, md.options, env);
  return { html, summary: excerpt(textOf(tokens), SUMMARY_LENGTH), mentionedUserIds: env.mentioned, topics: env.topics };
}

/** The words of parsed markdown, without its markup. */
function textOf(tokens: readonly Token[]): string {
  const words: string[] = [];
  for (const token of tokens) {
    if (token.type === 'inline') {
      for (const child of token.children ?? []) {
        if (child.type === 'text' || child.type === 'code_inline') words.push(child.content);
        else if (child.type === 'softbreak' || child.type === 'hardbreak') words.push(' ');
      }
      words.push(' ');
    } else if (token.type === 'code_block' || token.type === 'fence') {
      words.push(token.content, ' ');
    }
  }
  return words.join('').replace(/\s+/g, ' ').trim();
}

/**
 * The words of a markdown text without its markup, for excerpts, search and notifications.
 *
 * @example
 * plainText('**Hello** [world](https://example.org)') // "Hello world"
 */
export function plainText(source: string): string {
  const env: RenderEnv = { users: new Map(), byName: new Map(), mentioned: [], topics: [] };
  return textOf(renderer('article').parse(source, env));
}

/** The first `length` characters of a text, cut at a word, with an ellipsis when cut. */
export function excerpt(text: string, length: number): string {
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > length * 0.6 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

// The bench's floor: the least a Fastify + Eta server can do to answer a page of a given size. It
// renders a feed page (layout, header, cards through includes, dates formatted, text escaped) from
// data held in memory: no database, no session, no security headers, no i18n. Hameau's figures are
// read as a ratio to this one, measured on the same machine in the same run, so that a slower
// machine does not read as a slower Hameau. Part of the bench, not of Hameau.
//
//   node --import tsx test/bench/floor.ts --port 3999 --bytes 48000
//
// It picks how many cards make a page of about --bytes bytes, pads the rest with a comment so the
// page has exactly that size, prints one JSON line ({"port", "bytes", "cards"}) and serves GET /.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import view from '@fastify/view';
import { Eta } from 'eta';
import Fastify from 'fastify';

const viewsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'floor-views');

const BODIES = [
  '<p>Bonjour à toutes et à tous, petit point sur Atlas : la recette est terminée et la mise en production est prévue jeudi. Merci à <a href="/people/12" class="mention">@Camille Martin</a> pour son aide précieuse.</p>',
  '<p>Qui serait partant pour un déjeuner d’équipe vendredi ? On pensait au restaurant en face du bureau.</p>\n<p>Au programme :</p>\n<ul>\n<li>tour de table des projets</li>\n<li>questions diverses</li>\n</ul>',
  '<p>Le compte rendu de la réunion est disponible : <a href="https://docs.example.com/cr/2024-03" rel="noopener nofollow ugc">le compte rendu</a>.</p>',
  '<p>Comme annoncé lors de la dernière plénière, nous avons travaillé ces derniers mois avec les représentants du personnel pour faire évoluer nos pratiques.</p>\n<h2>Ce qui change</h2>\n<p>Le nouveau dispositif entre en vigueur au premier jour du mois prochain. Les managers ont reçu un guide détaillé.</p>',
  '<p>Quick update on Atlas: testing is done and we go live on Thursday. <a href="/topics/release" class="topic">#Release</a></p>',
];
const SPACES = [
  { id: 1, name: 'Coopérative Hameau' },
  { id: 2, name: 'Équipe commerciale' },
  { id: 3, name: 'Comité de direction' },
  { id: 4, name: 'Support client' },
  { id: 5, name: 'Running club' },
];
const PEOPLE = ['Hélène Rousseau', 'Thomas Girard', 'Sébastien Gérard', 'Amelia Wright', 'Karim Muller', 'Léa Fontaine'];
const REACTIONS = [
  { name: 'like', emoji: '👍' },
  { name: 'heart', emoji: '❤️' },
  { name: 'party', emoji: '🎉' },
];

interface Card {
  id: number;
  title: string | null;
  author: { id: number; name: string };
  space: { id: number; name: string };
  publishedAt: number;
  bodyHtml: string;
  topics: string[];
  reactions: { name: string; emoji: string; count: number; mine: boolean }[];
  commentCount: number;
}

/** In-memory cards, like a feed page's, different enough that nothing is the same twice in a row. */
function makeCards(count: number): Card[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    id: 100_000 - i,
    title: i % 10 === 3 ? `Nouvelle politique de télétravail (${i})` : null,
    author: { id: 10 + (i % PEOPLE.length), name: PEOPLE[i % PEOPLE.length]! },
    space: SPACES[i % SPACES.length]!,
    publishedAt: now - i * 3_600_000,
    bodyHtml: BODIES[i % BODIES.length]!,
    topics: i % 4 === 0 ? ['securite', 'rse'] : [],
    reactions: REACTIONS.slice(0, 1 + (i % REACTIONS.length)).map((r, j) => ({ ...r, count: (i * 7 + j * 3) % 23, mine: j === 0 && i % 3 === 0 })),
    commentCount: (i * 5) % 17,
  }));
}

const dateFormat = new Intl.DateTimeFormat('fr', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Paris' });

export async function buildFloor(targetBytes: number) {
  const app = Fastify({ logger: false });
  await app.register(view, {
    engine: { eta: new Eta({ views: viewsDir, cache: true, autoEscape: true }) },
    templates: viewsDir,
    production: true,
  });
  const allCards = makeCards(1000);
  let cards = allCards.slice(0, 20);
  let padding = '';
  app.get('/', async (_request, reply) => {
    reply.type('text/html; charset=utf-8');
    const html = await reply.viewAsync(
      'feed',
      {
        title: 'Accueil',
        organisation: 'Coopérative Hameau',
        user: 'Thomas Girard',
        spaces: SPACES,
        cards,
        next: cards.at(-1)?.id ?? 0,
        formatDate: (ms: number) => dateFormat.format(ms),
      },
      { layout: 'layout' },
    );
    return reply.send(padding === '' ? html : `${html}${padding}`);
  });
  const size = async () => Buffer.byteLength((await app.inject({ url: '/' })).body);

  // The largest number of cards that fits, then a comment to reach the exact size.
  let low = 0;
  let high = allCards.length;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    cards = allCards.slice(0, mid);
    if ((await size()) <= targetBytes) low = mid;
    else high = mid - 1;
  }
  cards = allCards.slice(0, low);
  const missing = targetBytes - (await size());
  if (missing >= 8) padding = `<!--${' '.repeat(missing - 7)}-->`;
  return { app, cards: cards.length, bytes: await size() };
}

async function main() {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '0' }, bytes: { type: 'string', default: '40000' }, host: { type: 'string', default: '127.0.0.1' } },
  });
  const { app, cards, bytes } = await buildFloor(Number(values.bytes));
  await app.listen({ port: Number(values.port), host: values.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : Number(values.port);
  process.stdout.write(`${JSON.stringify({ port, bytes, cards })}\n`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`Floor server failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}

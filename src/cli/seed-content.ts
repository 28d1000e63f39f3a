// What `npm run seed` writes: a deterministic, realistic organisation (people with French and English
// names, open and private spaces with their members and admins, two years of posts and news articles
// with comments, replies, reactions, mentions, topics, must-reads and pins). Everything here is
// generated from one random seed and the moment of seeding (`now`): the same parameters, seed and
// `now` make the same rows. Seeded at another moment, the content still covers the two years before
// it, with the same counts and distributions, but the draws that depend on the calendar (weekends,
// "the last two weeks") change some rows.
//
// Writing goes through better-sqlite3 prepared statements in large transactions; markdown is
// rendered with the real renderer (src/content/markdown.ts), once per text template, and the
// templates are reused: rendering 400,000 texts one by one would take most of the seed's time.
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { sortName } from '../auth/users.js';
import { renderMarkdown, type MarkdownPreset, type Topic } from '../content/markdown.js';
import type { Database, Locale, Role } from '../db/schema.js';
import { REACTION_KEYS } from '../features/conversation/reactions.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** The conversation feature's fixed set of reactions, mostly likes. */
const SEED_REACTIONS: readonly string[] = REACTION_KEYS;
const REACTION_SHARES: Record<string, number> = { like: 60, heart: 14, party: 11, idea: 9 };
const REACTION_WEIGHTS = SEED_REACTIONS.map((key) => REACTION_SHARES[key] ?? 6);

// ---------------------------------------------------------------------------------------------
// Random numbers: mulberry32, small and good enough for test data; seeded, so runs repeat.

export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** A number in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Exponential with this mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** `count` distinct items (or all of them), in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = [...items];
    const n = Math.min(count, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  }
}

/** Picks indexes in proportion to their weights (binary search over the running sum). */
class Weighted {
  private readonly cumulative: Float64Array;

  constructor(weights: ArrayLike<number>) {
    this.cumulative = new Float64Array(weights.length);
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      total += weights[i]!;
      this.cumulative[i] = total;
    }
  }

  get size(): number {
    return this.cumulative.length;
  }

  pick(rng: Random): number {
    const total = this.cumulative[this.cumulative.length - 1] ?? 0;
    const target = rng.next() * total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.cumulative[mid]! > target) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}

/** Splits `total` into whole shares proportional to `weights`, none above `cap`, summing to `total` when the caps allow it. */
function allocate(rng: Random, weights: number[], total: number, cap: (index: number) => number): number[] {
  const shares = new Array<number>(weights.length).fill(0);
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0 || total === 0) return shares;
  let given = 0;
  for (let i = 0; i < weights.length; i++) {
    const expected = (total * weights[i]!) / sum;
    const share = Math.min(cap(i), Math.floor(expected) + (rng.chance(expected - Math.floor(expected)) ? 1 : 0));
    shares[i] = share;
    given += share;
  }
  // Rounding and caps leave a few over or under: settle them one at a time, by weight.
  const picker = new Weighted(weights);
  for (let tries = 0; given !== total && tries < total * 20 + 1000; tries++) {
    const i = picker.pick(rng);
    if (given < total && shares[i]! < cap(i)) {
      shares[i]! += 1;
      given += 1;
    } else if (given > total && shares[i]! > 0) {
      shares[i]! -= 1;
      given -= 1;
    }
  }
  return shares;
}

/** A moment during office hours (Paris), mostly on weekdays, between `from` and `to`. */
function officeTime(rng: Random, from: number, to: number): number {
  if (to - from < 2 * DAY) return Math.floor(from + rng.next() * (to - from));
  const day = new Date(from + rng.next() * (to - from));
  const weekday = day.getUTCDay();
  if ((weekday === 0 || weekday === 6) && rng.chance(0.85)) day.setUTCDate(day.getUTCDate() + (weekday === 0 ? 1 : 2));
  day.setUTCHours(6 + rng.int(0, 11), rng.int(0, 59), rng.int(0, 59), rng.int(0, 999));
  return Math.min(to, Math.max(from, day.getTime()));
}

// ---------------------------------------------------------------------------------------------
// Word banks.

const FR_FIRST = [
  'Camille', 'Louis', 'Léa', 'Hugo', 'Chloé', 'Gabriel', 'Manon', 'Arthur', 'Inès', 'Jules', 'Emma', 'Raphaël', 'Zoé',
  'Adam', 'Alice', 'Lucas', 'Jade', 'Nathan', 'Louise', 'Théo', 'Sarah', 'Maël', 'Lina', 'Paul', 'Rose', 'Sacha', 'Anna',
  'Tom', 'Juliette', 'Noé', 'Agathe', 'Mathis', 'Élise', 'Baptiste', 'Margaux', 'Clément', 'Océane', 'Antoine', 'Pauline',
  'Maxime', 'Hélène', 'François', 'Amélie', 'Benoît', 'Cécile', 'Joël', 'Gaëlle', 'Loïc', 'Anaïs', 'Thérèse', 'Yannick',
  'Sébastien', 'Aurélie', 'Grégoire', 'Mélanie', 'Jérôme', 'Séverine', 'Karim', 'Nadia', 'Yasmine', 'Mehdi', 'Fatoumata',
  'Moussa', 'Aïcha', 'Minh', 'Ana', 'João', 'Giulia', 'Marie-Claire', 'Jean-Baptiste', 'Anne-Sophie', 'Pierre-Yves',
];
const FR_LAST = [
  'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent',
  'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard', 'André', 'Mercier',
  'Dupont', 'Lambert', 'Bonnet', 'François', 'Legrand', 'Garnier', 'Faure', 'Rousseau', 'Blanc', 'Guérin', 'Muller', 'Henry',
  'Roussel', 'Nicolas', 'Perrin', 'Morin', 'Mathieu', 'Clément', 'Gauthier', 'Dumont', 'Lopez', 'Fontaine', 'Chevalier',
  'Robin', 'Masson', 'Gérard', 'Nguyen', 'Boyer', 'Denis', 'Lemaire', 'Duval', 'Joly', 'Roche', 'Noël', 'Meyer', 'Meunier',
  'Marchand', 'Dufour', 'Blanchard', 'Barbier', 'Brun', 'Dumas', 'Brunet', 'Schmitt', 'Leroux', 'Colin', 'Renard', 'Arnaud',
  'Caron', 'Aubert', 'Giraud', 'Leclerc', 'Vidal', 'Bourgeois', 'Renaud', 'Lemoine', 'Picard', 'Gaillard', 'Lacroix', 'Fabre',
  'Dupuis', 'Olivier', 'Da Silva', 'Hubert', 'Rivière', 'Le Gall', 'Guillaume', 'Moulin', 'Berger', 'Lecomte', 'Ménard',
  'Fleury', 'Deschamps', 'Carpentier', 'Maillard', 'Aubry', 'Le Roux', 'Renault', 'Prévost', 'Poirier', 'Charpentier',
  'Huet', 'Baron', 'Carré', 'Breton', 'Rémy', 'Schneider', 'Benhamou', 'Haddad', 'Traoré', 'Diallo', 'Ferreira', 'Rossi',
];
const EN_FIRST = [
  'Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava', 'Jack', 'Mia', 'Charlie', 'Grace', 'Thomas', 'Lily', 'James', 'Emily',
  'William', 'Sophie', 'Henry', 'Olivia', 'Daniel', 'Hannah', 'Samuel', 'Chloe', 'Joseph', 'Ella', 'Ethan', 'Ruby', 'Ryan',
  'Megan', 'Liam', 'Zoe', 'Aidan', 'Priya', 'Raj', 'Aisha', 'Kwame', 'Mei', 'Siobhan', 'Rhys', 'Fiona', 'Callum',
];
const EN_LAST = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright', 'Thompson', 'Evans',
  'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Patel', 'Khan', 'Lewis', 'Phillips', 'Mason',
  'Mitchell', 'Cox', 'Ward', 'Hughes', 'Turner', 'Baker', 'Harris', 'Carter', 'Murphy', 'O’Brien', 'Kelly', 'Campbell',
  'Stewart', 'Anderson', 'Scott', 'Cooper', 'King', 'Lee', 'Chen', 'Singh', 'Okafor', 'MacDonald', 'Fitzgerald',
];

const SPACE_BANK: { name: string; private: boolean; description: string }[] = [
  { name: 'Marketing', private: false, description: 'Campagnes, salons et supports de communication.' },
  { name: 'Équipe commerciale', private: false, description: 'Opportunités, rendez-vous clients et retours du terrain.' },
  { name: 'Support client', private: false, description: 'Tickets, astuces et retours des clients.' },
  { name: 'Ressources humaines', private: false, description: 'Congés, formation, recrutement : les infos RH.' },
  { name: 'Informatique', private: false, description: 'Matériel, comptes, pannes et nouveaux outils.' },
  { name: 'Finance', private: false, description: 'Notes de frais, budgets et clôtures.' },
  { name: 'Logistique', private: false, description: 'Expéditions, stocks et entrepôt.' },
  { name: 'Qualité', private: false, description: 'Audits, procédures et amélioration continue.' },
  { name: 'R&D', private: false, description: 'Prototypes, essais et veille technique.' },
  { name: 'Product', private: false, description: 'Roadmap, specs and release notes.' },
  { name: 'Engineering', private: false, description: 'Architecture, code reviews and on-call.' },
  { name: 'Design', private: false, description: 'UX research, mock-ups and the design system.' },
  { name: 'Data', private: false, description: 'Dashboards, reporting and data quality.' },
  { name: 'Site de Lyon', private: false, description: 'La vie du site de Lyon.' },
  { name: 'Site de Nantes', private: false, description: 'La vie du site de Nantes.' },
  { name: 'Bureau de Bordeaux', private: false, description: 'Nouvelles du bureau de Bordeaux.' },
  { name: 'London office', private: false, description: 'News from the London team.' },
  { name: 'Nouveaux arrivants', private: false, description: 'Bienvenue ! Posez ici toutes vos questions.' },
  { name: 'Running club', private: false, description: 'Sorties du mardi midi et courses solidaires.' },
  { name: 'Club lecture', private: false, description: 'Un livre par mois, une discussion par mois.' },
  { name: 'Covoiturage', private: false, description: 'Trajets domicile-travail partagés.' },
  { name: 'Afterwork', private: false, description: 'Les sorties après le travail.' },
  { name: 'Photo club', private: false, description: 'Share your best shots.' },
  { name: 'Jardin partagé', private: false, description: 'Le potager sur le toit.' },
  { name: 'Bien-être au travail', private: false, description: 'Yoga, ergonomie et pauses actives.' },
  { name: 'Développement durable', private: false, description: 'Nos actions RSE, petites et grandes.' },
  { name: 'Sécurité au travail', private: false, description: 'Consignes, exercices et retours d’expérience.' },
  { name: 'Formation', private: false, description: 'Catalogue, inscriptions et retours de formation.' },
  { name: 'Innovation', private: false, description: 'Idées, hackathons et expérimentations.' },
  { name: 'Customer success', private: false, description: 'Onboarding, renewals and customer stories.' },
  { name: 'Sales EMEA', private: false, description: 'Pipeline and wins across Europe.' },
  { name: 'Communication interne', private: false, description: 'Ce qui se passe dans l’entreprise.' },
  { name: 'Événements', private: false, description: 'Séminaires, fêtes et journées portes ouvertes.' },
  { name: 'Petites annonces', private: false, description: 'À donner, à vendre, à prêter.' },
  { name: 'Entraide informatique', private: false, description: 'Un souci avec votre poste ? On s’entraide.' },
  { name: 'Projet Atlas', private: false, description: 'Le nouveau portail client.' },
  { name: 'Projet Boréal', private: false, description: 'Refonte de l’application mobile.' },
  { name: 'Migration ERP', private: false, description: 'Le passage au nouvel ERP, étape par étape.' },
  { name: 'Refonte du site web', private: false, description: 'Nouveau site, nouvelle image.' },
  { name: 'Accessibilité', private: false, description: 'Rendre nos produits utilisables par tous.' },
  { name: 'Open source', private: false, description: 'What we use, what we give back.' },
  { name: 'Cuisine & recettes', private: false, description: 'Les recettes de la cantine… et les vôtres.' },
  { name: 'Vélo au travail', private: false, description: 'Itinéraires, réparations et forfait mobilité.' },
  { name: 'Parents au travail', private: false, description: 'Astuces et entraide entre parents.' },
  { name: 'Book club', private: false, description: 'One book a month, in English.' },
  { name: 'Comité de direction', private: true, description: 'Ordres du jour et relevés de décisions.' },
  { name: 'CSE', private: true, description: 'Travaux des élus du CSE.' },
  { name: 'Managers', private: true, description: 'Entre managers : pratiques, questions, entraide.' },
  { name: 'Paie', private: true, description: 'Préparation et contrôle de la paie.' },
  { name: 'Recrutement', private: true, description: 'Postes ouverts, candidats et entretiens.' },
  { name: 'Juridique', private: true, description: 'Contrats, litiges et conformité.' },
  { name: 'Leadership team', private: true, description: 'Strategy, hiring plans and board preparation.' },
  { name: 'Projet Orion', private: true, description: 'Projet confidentiel : ne rien partager à l’extérieur.' },
  { name: 'Budget 2027', private: true, description: 'Construction du budget de l’an prochain.' },
  { name: 'Incidents de sécurité', private: true, description: 'Suivi des incidents et plans d’action.' },
  { name: 'Audit interne', private: true, description: 'Missions d’audit en cours.' },
  { name: 'Négociations annuelles', private: true, description: 'NAO : calendrier et propositions.' },
];
const CODENAMES = ['Altaïr', 'Bora', 'Cassiopée', 'Delta', 'Écume', 'Falcon', 'Granit', 'Hélios', 'Iroise', 'Jade', 'Kestrel', 'Lynx', 'Mistral', 'Nova', 'Opale', 'Phénix', 'Quartz', 'Rubis', 'Sirocco', 'Tramontane', 'Ulysse', 'Vega', 'Zéphyr'];

const TOPICS = [
  'Sécurité', 'Télétravail', 'RSE', 'Onboarding', 'Recrutement', 'Qualité', 'Innovation', 'Clients', 'Produit', 'Formation',
  'Santé', 'Événement', 'Afterwork', 'Cybersécurité', 'Budget', 'Vivatech', 'Accessibilité', 'Écologie', 'Mobilité',
  'Déménagement', 'Release', 'Hiring', 'Kudos', 'Roadmap', 'Offsite', 'Wellbeing', 'OKR', 'Support', 'Sales', 'Data',
  'Cantine', 'Parking', 'Sport', 'Charity', 'Hackathon', 'Anniversaire', 'Bienvenue', 'Welcome', 'Retex', 'Incident',
];
const PROJECTS = ['Atlas', 'Boréal', 'Orion', 'la migration ERP', 'le nouveau site', 'l’appli mobile', 'la refonte du CRM', 'Hermès', 'Pégase', 'Kairos'];
const EN_PROJECTS = ['Atlas', 'Boreal', 'Orion', 'the ERP migration', 'the new website', 'the mobile app', 'the CRM rebuild', 'Hermes', 'Pegasus', 'Kairos'];
const DAYS_FR = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'lundi prochain', 'demain', 'la semaine prochaine', 'jeudi matin', 'vendredi après-midi'];
const DAYS_EN = ['on Monday', 'on Tuesday', 'on Wednesday', 'on Thursday', 'on Friday', 'next Monday', 'tomorrow', 'next week', 'on Thursday morning'];
const TIMES = ['9 h 30', '10 h', '11 h', '12 h 30', '14 h', '15 h 30', '16 h', '17 h'];
const ROOMS = ['Mont-Blanc', 'Vercors', 'Loire', 'Garonne', 'Océan', 'Belvédère', 'Agora', 'Atelier 3'];
const LINKS = [
  ['le compte rendu', 'https://docs.example.com/cr/2024-03'],
  ['le tableau de suivi', 'https://tableau.example.com/projets'],
  ['la documentation', 'https://wiki.example.com/doc'],
  ['le formulaire d’inscription', 'https://forms.example.com/inscription'],
  ['the slides', 'https://slides.example.com/q3-review'],
  ['the release notes', 'https://wiki.example.com/releases'],
  ['this article', 'https://www.example.org/blog/remote-work'],
  ['the dashboard', 'https://dash.example.com/support'],
] as const;

const FR_POST = [
  'Bonjour à toutes et à tous, petit point sur {project} : la recette est terminée et la mise en production est prévue {day}.',
  'Merci à {person} pour son aide précieuse sur le dossier {project} cette semaine.',
  'Qui serait partant pour un déjeuner d’équipe {day} ? On pensait au restaurant en face du bureau.',
  'Le compte rendu de la réunion est disponible : {link}.',
  'Rappel : la salle {room} est réservée toute la matinée {day} pour la formation.',
  'Nous avons signé un nouveau client dans le secteur de la santé, bravo à toute l’équipe commerciale !',
  'Quelqu’un aurait-il un adaptateur USB-C vers HDMI à prêter pour la démo de cet après-midi ?',
  'Retour d’expérience sur {project} : on a appris beaucoup, notamment sur la **préparation des tests**.',
  'La machine à café du deuxième étage est de nouveau en panne, le technicien passe {day}.',
  'Je partage un article intéressant sur le télétravail et la productivité : {link}.',
  'Bienvenue à {person} qui rejoint l’équipe aujourd’hui ! N’hésitez pas à passer dire bonjour.',
  'Les inscriptions pour la course solidaire sont ouvertes jusqu’à {day}.',
  'Point d’étape : 80 % des tickets du sprint sont fermés, il reste surtout des corrections mineures.',
  'Pensez à poser vos congés d’été avant la fin du mois, merci !',
  'Le nouveau planning des astreintes est en ligne, vérifiez vos créneaux.',
  'J’ai mis à jour la documentation de {project}, vos relectures sont les bienvenues.',
  'Petite victoire du jour : le temps de réponse du support est passé sous les deux heures.',
  'Atelier {topic} {day} à {time}, en salle {room} et en visio.',
  'On cherche deux volontaires pour tenir le stand au salon {day}.',
  'Les photos de la soirée d’équipe sont sur le drive partagé.',
  'Attention, le parking sera fermé {day} pour des travaux de marquage.',
  'Est-ce que quelqu’un connaît un bon outil pour dessiner des schémas d’architecture ?',
  'Un grand merci à l’équipe logistique pour la livraison en temps record.',
  'La démo de {project} aura lieu {day} à {time}, venez nombreux.',
  'Nous testons une nouvelle organisation des réunions : 25 minutes au lieu d’une heure.',
  'Je serai en déplacement chez un client {day}, joignable par téléphone.',
  'Les chiffres du trimestre sont encourageants, le détail sera présenté à la plénière.',
  'Quelqu’un a trouvé un badge près de l’accueil, il vous attend à la réception.',
  'Nouvelle version de l’application mobile disponible, pensez à la mettre à jour.',
  'Session de questions-réponses avec la direction {day} : envoyez vos questions à l’avance.',
  'La collecte de jouets pour l’association du quartier continue jusqu’à vendredi.',
  'Merci de ne pas laisser de vaisselle dans l’évier de la cuisine commune 🙏',
  'On a passé l’audit sans aucune non-conformité majeure, bravo à tous ! {topic}',
  'Rappel sécurité : verrouillez votre poste quand vous quittez votre bureau.',
  'Grosse journée pour {project} : la migration des données s’est bien passée, quelques lenteurs à surveiller.',
  '{person}, tu peux regarder la demande du client Dupont quand tu as un moment ?',
  'Les badges pour le nouveau bâtiment seront distribués {day} à partir de {time}.',
  'Le séminaire aura lieu au bord du lac cette année 🌊 Plus d’infos bientôt !',
  'Quelqu’un a des retours sur la formation *Gestion du temps* ?',
  'Pour info, le wifi invité change de mot de passe chaque lundi.',
];
const EN_POST = [
  'Quick update on {project}: testing is done and we go live {day}.',
  'Huge thanks to {person} for jumping in on {project} this week.',
  'Anyone up for a team lunch {day}? Thinking of the place across the street.',
  'Meeting notes are here: {link}.',
  'Reminder: room {room} is booked all morning {day} for training.',
  'We just closed a new customer in healthcare, well done to the whole sales team!',
  'Does anyone have a USB-C to HDMI adapter I could borrow for this afternoon’s demo?',
  'Lessons learned from {project}: the biggest one was to **start testing earlier**.',
  'Sharing an interesting read on remote work and focus: {link}.',
  'Please welcome {person}, who joins the team today!',
  'Sprint check-in: 80% of tickets are closed, mostly small fixes left.',
  'The new on-call rota is online, please check your slots.',
  'I updated the {project} docs, reviews welcome.',
  'Small win of the day: support first response time is now under two hours.',
  '{topic} workshop {day} at 2 pm in room {room} and online.',
  'We need two volunteers to staff the booth at the trade show {day}.',
  'Photos from the team party are on the shared drive.',
  'Heads up: the car park is closed {day} for resurfacing.',
  'Any recommendations for a good diagramming tool?',
  'The {project} demo is {day} at 4 pm, come along!',
  'I’m at a customer site {day}, reachable by phone.',
  'Q3 numbers look good, details at the all-hands.',
  'New mobile app version is out, please update.',
  'Q&A with the leadership team {day}: send your questions in advance.',
  'Please don’t leave dishes in the shared kitchen sink 🙏',
  '{person}, could you have a look at the Smith account request when you have a minute?',
  'Big day for {project}: the data migration went well, a few slow pages to watch.',
  'Has anyone taken the *Time management* course? Worth it?',
];
const FR_LIST_INTRO = ['Au programme :', 'Ce qu’il faut retenir :', 'Les prochaines étapes :', 'Pour rappel :'];
const EN_LIST_INTRO = ['On the agenda:', 'Key points:', 'Next steps:', 'As a reminder:'];
const FR_LIST = [
  'tour de table des projets', 'présentation des résultats', 'questions diverses', 'valider le budget avec la finance',
  'mettre à jour la documentation', 'prévenir les clients concernés', 'planifier la formation des équipes', 'tester sur mobile',
  'relire le contrat', 'préparer la démo', 'choisir le traiteur', 'réserver la salle', 'envoyer les invitations',
];
const EN_LIST = [
  'project round-table', 'results presentation', 'any other business', 'sign off the budget with finance',
  'update the documentation', 'tell the customers affected', 'plan team training', 'test on mobile', 'review the contract',
  'prepare the demo', 'book the caterer',
];

const FR_TITLES = [
  'Résultats du trimestre : une croissance solide', 'Nouvelle politique de télétravail', 'Bienvenue aux nouveaux arrivants de {month}',
  'Déménagement du siège : le calendrier', 'Séminaire annuel : toutes les informations', 'Mise à jour de la charte informatique',
  'Campagne de vaccination contre la grippe', 'Entretiens annuels : mode d’emploi', 'Lancement du projet {project}',
  'Exercice d’évacuation {day}', 'Résultats de l’enquête interne', 'Nouveaux tickets restaurant dématérialisés',
  'Forfait mobilités durables : comment en bénéficier', 'Cybersécurité : attention aux courriels frauduleux',
  'Fermeture des bureaux pendant les fêtes', 'Bilan carbone : où en sommes-nous ?', 'Notre nouveau partenaire logistique',
  'Le comité RSE recrute', 'Intéressement : les montants de l’année', 'Travaux dans le bâtiment B',
];
const EN_TITLES = [
  'Quarterly results: solid growth', 'Our new hybrid work policy', 'Welcome to our {month} starters', 'Office move: the timeline',
  'Annual offsite: everything you need to know', 'Updated IT acceptable use policy', 'Performance reviews: how they work this year',
  'Launching {project}', 'Fire drill {day}', 'Employee survey results', 'Phishing alert: what to look out for',
  'Office closure over the holidays', 'Our carbon footprint: where we stand', 'Meet our new logistics partner',
];
const MONTHS_FR = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'septembre', 'octobre', 'novembre'];
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'September', 'October', 'November'];
const FR_HEADINGS = [
  'Ce qui change', 'Pourquoi ce changement', 'Le calendrier', 'Qui est concerné', 'Comment faire', 'Les chiffres clés',
  'Questions fréquentes', 'Et ensuite ?', 'En pratique', 'Contacts', 'Ce que nous avons appris', 'Merci à tous',
];
const EN_HEADINGS = ['What changes', 'Why', 'Timeline', 'Who is affected', 'How to', 'Key figures', 'FAQ', 'What next', 'In practice', 'Contacts'];
const FR_ARTICLE = [
  'Comme annoncé lors de la dernière plénière, nous avons travaillé ces derniers mois avec les représentants du personnel pour faire évoluer nos pratiques.',
  'Cette évolution concerne l’ensemble des salariés, quel que soit leur site de rattachement.',
  'Les managers ont reçu un guide détaillé et organiseront un point avec leur équipe dans les deux semaines.',
  'Le nouveau dispositif entre en vigueur au premier jour du mois prochain.',
  'Nous avons reçu plus de trois cents réponses à l’enquête, merci pour votre participation.',
  'Les résultats montrent une forte attente sur la formation et sur l’équilibre entre vie professionnelle et vie personnelle.',
  'Un espace dédié regroupe les documents de référence et les réponses aux questions les plus fréquentes.',
  'Le chiffre d’affaires progresse de 12 % sur un an, porté par les nouveaux contrats signés au printemps.',
  'La marge reste stable malgré la hausse du coût de l’énergie.',
  'Les travaux dureront environ six semaines ; l’accès au parking sera partiellement réduit.',
  'Nous vous remercions par avance pour votre compréhension et votre patience pendant cette période.',
  'Pour toute question, vos interlocuteurs habituels aux ressources humaines restent disponibles.',
  'Chaque équipe pourra adapter l’organisation à ses contraintes, dans le cadre fixé par l’accord.',
  'Un premier bilan sera présenté au comité de direction à la fin du semestre.',
  'Les inscriptions se font en ligne avant la date limite ; les places sont limitées.',
  'La sécurité de nos systèmes est l’affaire de tous : un courriel suspect se signale, il ne s’ouvre pas.',
  'Le transport est organisé au départ de chaque site ; les horaires précis vous seront communiqués par courriel.',
  'Nous avons choisi ce partenaire pour la qualité de son service et ses engagements environnementaux.',
];
const EN_ARTICLE = [
  'As announced at the last all-hands, we have spent the past months working with staff representatives on this change.',
  'It applies to everyone, whichever office you work from.',
  'Managers have received a detailed guide and will go through it with their teams within two weeks.',
  'The new arrangement starts on the first day of next month.',
  'We received more than three hundred answers to the survey: thank you for taking part.',
  'Revenue is up 12% year on year, driven by the contracts signed in the spring.',
  'The works will last about six weeks; access to the car park will be partly restricted.',
  'Thank you in advance for your patience during this period.',
  'Your usual HR contacts remain available for any question.',
  'A first review will be presented to the leadership team at the end of the half.',
  'Security is everyone’s job: report a suspicious email, do not open it.',
  'We chose this partner for the quality of its service and its environmental commitments.',
];
const FR_COMMENTS = [
  'Merci pour le partage !', 'Super nouvelle 🎉', 'Bravo à toute l’équipe !', 'Je suis partant(e) 🙋', 'Très bonne initiative.',
  'Est-ce que la session sera enregistrée ?', 'Merci {person} 👏', 'Je transmets à mon équipe.', 'Top, merci pour l’info.',
  'On peut avoir le lien vers la présentation ?', 'Je confirme, ça marche de mon côté.', 'Quelle est la date limite ?',
  'Félicitations 🎉🎉', 'Est-ce que ça concerne aussi le site de Lyon ?', 'Bonne idée, on en parle à la prochaine réunion ?',
  'Je ne pourrai pas être là, quelqu’un peut prendre des notes ?', 'Enfin ! 😄', 'Merci pour ce récapitulatif très clair.',
  '{person} tu as vu ça ?', 'Je m’inscris !', 'Attention, la salle est déjà réservée ce jour-là.', 'Bienvenue 👋',
  'Je peux aider si besoin.', 'C’est noté, merci.', 'Une petite coquille dans le deuxième paragraphe, sinon parfait.',
  'Est-ce qu’il y aura une version en anglais ?', 'Génial, j’attendais ça depuis longtemps.', 'Merci, c’est très utile !',
  'Question : comment faire pour les personnes à temps partiel ?', 'Retour très positif de notre côté aussi.',
  'On a eu le même souci la semaine dernière, c’est résolu depuis.', 'Super travail {person} !',
];
const EN_COMMENTS = [
  'Thanks for sharing!', 'Great news 🎉', 'Well done everyone!', 'Count me in 🙋', 'Great initiative.', 'Will it be recorded?',
  'Thanks {person} 👏', 'Passing this on to my team.', 'Can we get the link to the slides?', 'Works for me.',
  'What’s the deadline?', 'Congratulations 🎉', 'Does this also apply to the London office?', 'I can’t make it, could someone take notes?',
  'Finally! 😄', 'Very clear summary, thanks.', '{person} have you seen this?', 'Signed up!', 'Welcome aboard 👋',
  'Happy to help if needed.', 'Noted, thanks.', 'Brilliant, been waiting for this.', 'Same issue here last week, fixed since.',
];
const CATEGORIES = ['Vie de l’entreprise', 'Ressources humaines', 'Informatique', 'Sécurité', 'Événements', 'Produit', 'Clients', 'Company news', 'People', null];
const HIDDEN_REASONS = ['Propos contraires à la charte d’utilisation', 'Information confidentielle publiée par erreur', 'Spam', 'Off-topic advertising'];

// ---------------------------------------------------------------------------------------------
// The organisation in memory, then in SQLite.

export interface SeedParameters {
  users: number;
  spaces: number;
  items: number;
  comments: number;
  reactions: number;
  invitations: number;
  randomSeed: number;
  now: number;
}

export interface SeedPerson {
  id: number;
  name: string;
  email: string;
  role: Role;
  locale: Locale | null;
  english: boolean;
  createdAt: number;
  deactivatedAt: number | null;
  /** How much this person posts and comments (a few write a lot, most write little). */
  activity: number;
}

interface SeedSpace {
  id: number;
  name: string;
  visibility: 'company' | 'open' | 'private';
  description: string;
  createdAt: number;
  /** Ids of members (not for the company space: everyone is in it). */
  members: number[];
  admins: Set<number>;
  popularity: number;
}

interface TextTemplate {
  title?: string;
  category?: string | null;
  body: string;
  html: string;
  /** The stored summary (RenderedMarkdown.summary). */
  summary: string;
  mentions: number[];
  topics: Topic[];
}

interface SeedItem {
  id: number;
  kind: 'news' | 'post';
  space: SeedSpace;
  authorId: number;
  createdAt: number;
  publishedAt: number | null;
  editedAt: number | null;
  pinnedUntil: number | null;
  mustRead: boolean;
  commentsEnabled: boolean;
  deletedAt: number | null;
  hiddenAt: number | null;
  hiddenReason: string | null;
  text: TextTemplate;
}

interface SeedComment {
  contentId: number;
  parent: SeedComment | null;
  authorId: number;
  createdAt: number;
  seq: number;
  text: TextTemplate;
  edited: boolean;
  deleted: boolean;
  hidden: boolean;
  id?: number;
}

/** The seeded people: the first is an admin (SEED_ADMIN_EMAIL), the second a plain member (SEED_MEMBER_EMAIL) for the bench. */
export function makePeople(rng: Random, count: number, now: number, fixedEmails: { admin: string; member: string }): SeedPerson[] {
  const people: SeedPerson[] = [];
  const emails = new Set<string>();
  for (let i = 0; i < count; i++) {
    const id = i + 1;
    const english = rng.chance(0.3);
    const name = i === 0 ? 'Hélène Rousseau' : i === 1 ? 'Thomas Girard' : english ? `${rng.pick(EN_FIRST)} ${rng.pick(EN_LAST)}` : `${rng.pick(FR_FIRST)} ${rng.pick(FR_LAST)}`;
    let email: string;
    if (i === 0) email = fixedEmails.admin;
    else if (i === 1) email = fixedEmails.member;
    else {
      const local = sortName(name).replace(/[^a-z0-9]+/g, '.').replace(/^\.|\.$/g, '');
      email = `${local}@example.com`;
      for (let n = 2; emails.has(email); n++) email = `${local}${n}@example.com`;
    }
    emails.add(email);
    const role: Role = i === 0 || (i > 2 && rng.chance(0.004)) ? 'admin' : i === 2 || (i > 2 && rng.chance(0.03)) ? 'editor' : 'member';
    // Most people were there before the content starts (two years ago); some joined since.
    const createdAt = i < 3 || rng.chance(0.85) ? now - 2 * YEAR - Math.floor(rng.next() * YEAR) : now - Math.floor(rng.next() * 2 * YEAR);
    const deactivatedAt = i > 2 && rng.chance(0.02) ? Math.max(createdAt + DAY, now - rng.int(1, 180) * DAY) : null;
    people.push({
      id,
      name,
      email,
      role,
      locale: english ? (rng.chance(0.8) ? 'en' : null) : rng.chance(0.4) ? 'fr' : null,
      english,
      createdAt,
      deactivatedAt,
      activity: i < 2 ? 1 : Math.exp(rng.normal() * 1.1),
    });
  }
  return people;
}

/** Inserts the people (all with the same password hash). */
export function insertPeople(sqlite: SQLite.Database, people: SeedPerson[], passwordHash: string, now: number): void {
  const insert = sqlite.prepare(
    `insert into users (id, email, name, sort_name, password_hash, role, locale, status, created_at, updated_at, password_changed_at, deactivated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  sqlite.transaction(() => {
    for (const p of people) {
      insert.run(p.id, p.email, p.name, sortName(p.name), passwordHash, p.role, p.locale, p.deactivatedAt === null ? 'active' : 'deactivated', p.createdAt, now, p.createdAt, p.deactivatedAt);
    }
  })();
}

/** Who may write at time `t`: had joined and was not yet deactivated. */
function presentAt(person: SeedPerson, t: number): boolean {
  return person.createdAt <= t && (person.deactivatedAt === null || person.deactivatedAt > t);
}

function makeSpaces(rng: Random, count: number, people: SeedPerson[], companyName: string, now: number, benchMemberId: number): SeedSpace[] {
  const company: SeedSpace = {
    id: 1,
    name: companyName,
    visibility: 'company',
    description: '',
    createdAt: now - 3 * YEAR,
    members: [],
    admins: new Set(),
    popularity: 0,
  };
  const bank = rng.sample(SPACE_BANK, SPACE_BANK.length);
  const spaces: SeedSpace[] = [company];
  const usedNames = new Set<string>();
  for (let i = 0; i < count; i++) {
    const base = bank[i % bank.length]!;
    let name = i < bank.length ? base.name : `Projet ${rng.pick(CODENAMES)}`;
    for (let n = 2; usedNames.has(name); n++) name = `Projet ${rng.pick(CODENAMES)} ${n}`;
    usedNames.add(name);
    const isPrivate = i < bank.length ? base.private : rng.chance(0.3);
    spaces.push({
      id: i + 2,
      name,
      visibility: isPrivate ? 'private' : 'open',
      description: i < bank.length ? base.description : 'Un projet au long cours.',
      createdAt: now - 2 * YEAR - rng.int(1, 300) * DAY,
      members: [],
      admins: new Set(),
      // A few big spaces, many small ones; private spaces stay smaller.
      popularity: (isPrivate ? 0.3 : 1) / Math.pow(i + 1, 0.8),
    });
  }
  const others = spaces.slice(1);
  if (others.length === 0) return spaces;
  const picker = new Weighted(others.map((s) => s.popularity));
  const memberSets = others.map(() => new Set<number>());
  for (const person of people) {
    if (person.id === benchMemberId) continue;
    const wanted = Math.max(1, Math.min(others.length, Math.round(5 + rng.normal() * 2)));
    for (let tries = 0, joined = 0; joined < wanted && tries < wanted * 10; tries++) {
      const index = picker.pick(rng);
      if (memberSets[index]!.has(person.id)) continue;
      memberSets[index]!.add(person.id);
      joined++;
    }
  }
  // The bench's member: in five spaces (two private when there are), the biggest ones, never an admin.
  const open = others.map((s, i) => ({ s, i })).filter((x) => x.s.visibility === 'open').slice(0, 3);
  const closed = others.map((s, i) => ({ s, i })).filter((x) => x.s.visibility === 'private').slice(0, 2);
  for (const { i } of [...open, ...closed]) memberSets[i]!.add(benchMemberId);

  others.forEach((space, i) => {
    const members = memberSets[i]!;
    const activeMembers = [...members].filter((id) => id !== benchMemberId && people[id - 1]!.deactivatedAt === null);
    if (activeMembers.length === 0) {
      members.add(1);
      activeMembers.push(1);
    }
    for (const id of rng.sample(activeMembers, rng.int(1, Math.min(3, activeMembers.length)))) space.admins.add(id);
    space.members = [...members].sort((a, b) => a - b);
  });
  return spaces;
}

/** Renders `count` texts with the real markdown renderer; items then reuse them. */
async function renderTemplates(
  db: Kysely<Database>,
  count: number,
  preset: MarkdownPreset,
  write: () => { title?: string; category?: string | null; body: string },
): Promise<TextTemplate[]> {
  const templates: TextTemplate[] = [];
  for (let i = 0; i < count; i++) {
    const source = write();
    const rendered = await renderMarkdown(db, source.body, preset);
    templates.push({ ...source, html: rendered.html, summary: rendered.summary, mentions: rendered.mentionedUserIds, topics: rendered.topics });
  }
  return templates;
}

function makeWriters(rng: Random, people: SeedPerson[]) {
  const mentionable = people.filter((p) => p.deactivatedAt === null);
  const fill = (sentence: string, english: boolean): string =>
    sentence
      .replaceAll('{project}', () => rng.pick(english ? EN_PROJECTS : PROJECTS))
      .replaceAll('{day}', () => rng.pick(english ? DAYS_EN : DAYS_FR))
      .replaceAll('{time}', () => rng.pick(TIMES))
      .replaceAll('{room}', () => rng.pick(ROOMS))
      .replaceAll('{month}', () => rng.pick(english ? MONTHS_EN : MONTHS_FR))
      .replaceAll('{topic}', () => `#${rng.pick(TOPICS)}`)
      .replaceAll('{person}', () => {
        const p = rng.pick(mentionable);
        return `@[${p.name}](${p.id})`;
      })
      .replaceAll('{link}', () => {
        const [label, url] = rng.pick(LINKS);
        return `[${label}](${url})`;
      });
  const paragraph = (bank: readonly string[], english: boolean, sentences: number) =>
    Array.from({ length: sentences }, () => fill(rng.pick(bank), english)).join(' ');
  const list = (english: boolean) =>
    `${rng.pick(english ? EN_LIST_INTRO : FR_LIST_INTRO)}\n\n${rng
      .sample(english ? EN_LIST : FR_LIST, rng.int(2, 4))
      .map((line) => `- ${line}`)
      .join('\n')}`;

  return {
    post: () => {
      const english = rng.chance(0.25);
      const blocks = Array.from({ length: rng.int(1, 3) }, () => paragraph(english ? EN_POST : FR_POST, english, rng.int(1, 3)));
      if (rng.chance(0.15)) blocks.splice(1, 0, list(english));
      if (rng.chance(0.2)) blocks.push(Array.from({ length: rng.int(1, 2) }, () => `#${rng.pick(TOPICS)}`).join(' '));
      return { body: blocks.join('\n\n') };
    },
    article: () => {
      const english = rng.chance(0.2);
      const title = fill(rng.pick(english ? EN_TITLES : FR_TITLES), english);
      const bank = english ? EN_ARTICLE : FR_ARTICLE;
      const blocks = [paragraph(bank, english, rng.int(2, 3))];
      for (const heading of rng.sample(english ? EN_HEADINGS : FR_HEADINGS, rng.int(2, 4))) {
        blocks.push(`## ${heading}`, paragraph(bank, english, rng.int(2, 4)));
        if (rng.chance(0.35)) blocks.push(list(english));
      }
      blocks.push(
        english
          ? `Questions? Ask ${fill('{person}', true)} or read ${fill('{link}', true)}.`
          : `Des questions ? Contactez ${fill('{person}', false)} ou consultez ${fill('{link}', false)}.`,
      );
      if (rng.chance(0.5)) blocks.push(`#${rng.pick(TOPICS)}`);
      return { title, category: rng.pick(CATEGORIES), body: blocks.join('\n\n') };
    },
    comment: () => {
      const english = rng.chance(0.25);
      const bank = english ? EN_COMMENTS : FR_COMMENTS;
      const body = rng.chance(0.2) ? `${fill(rng.pick(bank), english)} ${fill(rng.pick(bank), english)}` : fill(rng.pick(bank), english);
      return { body };
    },
  };
}

export interface ContentCounts {
  [table: string]: number;
}

/**
 * Writes spaces, memberships, content, comments, reactions and what hangs off them, for people
 * already inserted. Returns the phases' durations in milliseconds.
 */
export async function seedContent(
  db: Kysely<Database>,
  sqlite: SQLite.Database,
  params: SeedParameters,
  people: SeedPerson[],
  organisationName: string,
  benchMemberId: number,
): Promise<Record<string, number>> {
  const rng = new Random(params.randomSeed * 7919 + 17);
  const now = params.now;
  const timings: Record<string, number> = {};
  let phaseStart = performance.now();
  const phase = (name: string) => {
    const t = performance.now();
    timings[name] = Math.round(t - phaseStart);
    phaseStart = t;
  };

  // Spaces and memberships.
  const spaces = makeSpaces(rng, params.spaces, people, organisationName, now, benchMemberId);
  const insertSpace = sqlite.prepare('insert into spaces (id, name, sort_name, description, visibility, created_by, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)');
  const insertMember = sqlite.prepare('insert into space_members (space_id, user_id, role, joined_at) values (?, ?, ?, ?)');
  const insertRequest = sqlite.prepare('insert into space_requests (space_id, user_id, kind, created_by, created_at) values (?, ?, ?, ?, ?)');
  sqlite.transaction(() => {
    for (const space of spaces) {
      const creator = space.visibility === 'company' ? 1 : [...space.admins][0]!;
      insertSpace.run(space.id, space.name, sortName(space.name), space.description, space.visibility, space.visibility === 'company' ? null : creator, space.createdAt, space.createdAt);
      for (const userId of space.members) {
        insertMember.run(space.id, userId, space.admins.has(userId) ? 'admin' : 'member', Math.max(space.createdAt, people[userId - 1]!.createdAt) + rng.int(0, 30) * DAY);
      }
      if (space.visibility === 'private') {
        const members = new Set(space.members);
        const outsiders = people.filter((p) => !members.has(p.id) && p.deactivatedAt === null && p.role !== 'admin');
        for (const [n, p] of rng.sample(outsiders, rng.int(0, 2)).entries()) {
          const kind = n === 0 && rng.chance(0.3) ? 'invitation' : 'request';
          insertRequest.run(space.id, p.id, kind, kind === 'invitation' ? [...space.admins][0]! : p.id, now - rng.int(1, 20) * DAY);
        }
      }
    }
  })();
  phase('spaces');

  // Texts: a few hundred of each, rendered by the real renderer, reused by the items.
  const writers = makeWriters(rng, people);
  const postTexts = await renderTemplates(db, Math.min(800, Math.max(20, Math.ceil(params.items / 100))), 'short', writers.post);
  const articleTexts = await renderTemplates(db, Math.min(200, Math.max(10, Math.ceil(params.items / 300))), 'article', writers.article);
  const commentTexts = await renderTemplates(db, Math.min(600, Math.max(20, Math.ceil(params.comments / 300))), 'short', writers.comment);
  const charterSource =
    '# Charte d’utilisation\n\nHameau est l’intranet de toute l’équipe. En l’utilisant, chacun s’engage à :\n\n- rester courtois et bienveillant ;\n- ne pas publier d’information confidentielle dans un espace ouvert ;\n- respecter la vie privée de ses collègues ;\n- signaler tout contenu contraire à cette charte.\n\nLes administrateurs peuvent masquer un contenu qui ne la respecte pas.';
  const charter = await renderMarkdown(db, charterSource, 'article');
  phase('render');

  // Items: about 10% news articles, the rest posts, over the last two years, ids in time order.
  const byId = (id: number) => people[id - 1]!;
  const publishers = people.filter((p) => p.role !== 'member');
  const everyone = new Weighted(people.map((p) => p.activity));
  const spaceAuthors = new Map(spaces.slice(1).map((s) => [s.id, { ids: s.members, picker: new Weighted(s.members.map((id) => byId(id).activity)) }]));
  const otherSpaces = spaces.slice(1);
  const spacePicker = otherSpaces.length > 0 ? new Weighted(otherSpaces.map((s) => s.popularity)) : null;
  const chooseAuthor = (pool: { ids: number[]; picker: Weighted } | null, t: number, fallback: number[]): number => {
    for (let tries = 0; tries < 20; tries++) {
      const id = pool ? pool.ids[pool.picker.pick(rng)]! : people[everyone.pick(rng)]!.id;
      if (presentAt(byId(id), t)) return id;
    }
    return fallback.find((id) => presentAt(byId(id), t)) ?? fallback[0] ?? 1;
  };

  const spacePublishers = new Map(otherSpaces.map((s) => [s.id, s.members.filter((id) => byId(id).role !== 'member')]));
  const newsSpaces = otherSpaces.filter((s) => spacePublishers.get(s.id)!.length > 0);
  const newsSpacePicker = newsSpaces.length > 0 ? new Weighted(newsSpaces.map((s) => s.popularity)) : null;
  const articleCount = Math.round(params.items * 0.1);
  const start = now - 2 * YEAR;
  const items: Omit<SeedItem, 'id'>[] = [];
  for (let i = 0; i < params.items; i++) {
    const news = i < articleCount;
    const space = news
      ? rng.chance(0.7) || !newsSpacePicker
        ? spaces[0]!
        : newsSpaces[newsSpacePicker.pick(rng)]!
      : rng.chance(0.25) || !spacePicker
        ? spaces[0]!
        : otherSpaces[spacePicker.pick(rng)]!;
    let publishedAt: number | null = officeTime(rng, start, now - 10 * MINUTE);
    let createdAt = news ? publishedAt - rng.int(0, 48) * HOUR : publishedAt;
    // Articles: a few drafts and a few scheduled for the coming weeks.
    if (news && rng.chance(0.005)) {
      createdAt = now - rng.int(1, 20) * DAY;
      publishedAt = null;
    } else if (news && rng.chance(0.003)) {
      createdAt = now - rng.int(1, 10) * DAY;
      publishedAt = now + rng.int(1, 30) * DAY;
    }
    const when = publishedAt ?? createdAt;
    let authorId: number;
    if (news) {
      // The policy's 'news.publish': editors where they belong, admins anywhere (here: where they belong).
      const pool = space.visibility === 'company' ? publishers.map((p) => p.id) : spacePublishers.get(space.id)!;
      const present = pool.filter((id) => presentAt(byId(id), createdAt) && presentAt(byId(id), Math.min(when, now)));
      authorId = rng.pick(present.length > 0 ? present : pool);
    } else {
      authorId = chooseAuthor(space.visibility === 'company' ? null : spaceAuthors.get(space.id)!, when, [...space.admins]);
    }
    const live = publishedAt !== null && publishedAt <= now;
    // Soft-deleted items are recent: Hameau purges them 30 days after deletion (at start, then
    // hourly), so older ones would be gone. 20 days leaves room for the bench's 7-day cache.
    const deleted = live && publishedAt! > now - 20 * DAY && rng.chance(0.05);
    const hidden = live && !deleted && rng.chance(0.001);
    items.push({
      kind: news ? 'news' : 'post',
      space,
      authorId,
      createdAt,
      publishedAt,
      editedAt: live && rng.chance(0.04) ? Math.min(now, publishedAt! + Math.floor(rng.exponential(6 * HOUR))) : null,
      pinnedUntil: null,
      mustRead: false,
      commentsEnabled: !(news && rng.chance(0.03)),
      deletedAt: deleted ? Math.min(now - MINUTE, publishedAt! + Math.floor(rng.exponential(DAY))) : null,
      hiddenAt: hidden ? Math.min(now, publishedAt! + Math.floor(rng.exponential(DAY))) : null,
      hiddenReason: hidden ? rng.pick(HIDDEN_REASONS) : null,
      text: rng.pick(news ? articleTexts : postTexts),
    });
  }
  const sortTime = (item: Omit<SeedItem, 'id'>) => (item.publishedAt !== null && item.publishedAt <= now ? item.publishedAt : item.createdAt);
  items.sort((a, b) => sortTime(a) - sortTime(b));
  const content: SeedItem[] = items.map((item, index) => ({ ...item, id: index + 1 }));
  const isLive = (item: SeedItem) => item.publishedAt !== null && item.publishedAt <= now && item.deletedAt === null && item.hiddenAt === null;

  // Must-reads and pins: company-space news; the most recent must-reads are still unconfirmed by many.
  const companyNews = content.filter((item) => item.kind === 'news' && item.space.id === 1 && isLive(item));
  const mustReads: SeedItem[] = [];
  if (companyNews.length > 0) {
    const recent = companyNews.filter((item) => item.publishedAt! > now - 14 * DAY).slice(-3);
    const older = rng.sample(companyNews.filter((item) => item.publishedAt! <= now - 14 * DAY), Math.max(0, Math.max(3, Math.round(articleCount / 700)) - recent.length));
    for (const item of [...older, ...recent]) {
      item.mustRead = true;
      item.commentsEnabled = true;
      mustReads.push(item);
    }
    // Oldest first: the last two are the newest, which the bench's member has not confirmed.
    mustReads.sort((a, b) => a.publishedAt! - b.publishedAt!);
    // Three pinned now (among the 40 newest), ten whose pin ran out long ago.
    for (const item of rng.sample(companyNews.filter((i) => !i.mustRead).slice(-40), 3)) item.pinnedUntil = now + rng.int(30, 365) * DAY;
    const unpinnedOld = companyNews.filter((i) => i.pinnedUntil === null && i.publishedAt! < now - 30 * DAY);
    for (const item of rng.sample(unpinnedOld, 10)) item.pinnedUntil = item.publishedAt! + 14 * DAY;
  }
  // One recent company-space post with exactly 50 comments, for the bench's permalink page.
  const featured = params.comments >= 50 ? [...content].reverse().find((item) => item.kind === 'post' && item.space.id === 1 && isLive(item) && item.publishedAt! < now - DAY) ?? null : null;

  const insertContent = sqlite.prepare(
    `insert into content (id, kind, space_id, author_id, created_at, updated_at, published_at, edited_at, pinned_until, must_read, comments_enabled, deleted_at, deleted_by, hidden_at, hidden_by, hidden_reason)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertPost = sqlite.prepare('insert into posts (content_id, body, body_html, summary) values (?, ?, ?, ?)');
  const insertArticle = sqlite.prepare('insert into news_articles (content_id, title, body, body_html, summary, category) values (?, ?, ?, ?, ?, ?)');
  const insertMention = sqlite.prepare('insert into mentions (content_id, comment_id, user_id, created_at) values (?, ?, ?, ?)');
  const insertTopic = sqlite.prepare('insert into topics (slug, label, created_at) values (?, ?, ?) on conflict (slug) do nothing');
  const topicId = sqlite.prepare<[string], { id: number }>('select id from topics where slug = ?');
  const insertContentTopic = sqlite.prepare('insert or ignore into content_topics (topic_id, content_id) values (?, ?)');
  const insertNotification = sqlite.prepare('insert into notifications (user_id, type, actor_id, content_id, comment_id, space_id, created_at, read_at) values (?, ?, ?, ?, ?, ?, ?, ?)');

  const memberSets = new Map(spaces.map((s) => [s.id, new Set(s.members)]));
  const sees = (userId: number, space: SeedSpace) => space.visibility !== 'private' || memberSets.get(space.id)!.has(userId) || byId(userId).role === 'admin';
  const readAt = (created: number) => (created < now - 7 * DAY || rng.chance(0.5) ? Math.min(now, created + Math.floor(rng.exponential(DAY))) : null);
  const topicIds = new Map<string, number>();

  sqlite.transaction(() => {
    for (const item of content) {
      const updatedAt = item.editedAt ?? item.publishedAt ?? item.createdAt;
      insertContent.run(
        item.id, item.kind, item.space.id, item.authorId, item.createdAt, Math.max(item.createdAt, Math.min(updatedAt, now)), item.publishedAt,
        item.editedAt, item.pinnedUntil, item.mustRead ? 1 : 0, item.commentsEnabled ? 1 : 0,
        item.deletedAt, item.deletedAt === null ? null : item.authorId, item.hiddenAt, item.hiddenAt === null ? null : 1, item.hiddenReason,
      );
      if (item.kind === 'news') insertArticle.run(item.id, item.text.title!, item.text.body, item.text.html, item.text.summary, item.text.category ?? null);
      else insertPost.run(item.id, item.text.body, item.text.html, item.text.summary);
      const at = item.publishedAt ?? item.createdAt;
      for (const userId of item.text.mentions) {
        insertMention.run(item.id, null, userId, item.createdAt);
        if (userId !== item.authorId && item.publishedAt !== null && sees(userId, item.space)) {
          insertNotification.run(userId, 'mention', item.authorId, item.id, null, null, Math.min(at, now), readAt(Math.min(at, now)));
        }
      }
      for (const topic of item.text.topics) {
        let id = topicIds.get(topic.slug);
        if (id === undefined) {
          insertTopic.run(topic.slug, topic.label, item.createdAt);
          id = topicId.get(topic.slug)!.id;
          topicIds.set(topic.slug, id);
        }
        insertContentTopic.run(id, item.id);
      }
    }
  })();
  phase('content');

  // Must-read confirmations and their notifications; the bench's member has not confirmed the two newest.
  const insertConfirmation = sqlite.prepare('insert into read_confirmations (content_id, user_id, confirmed_at) values (?, ?, ?)');
  const active = people.filter((p) => p.deactivatedAt === null);
  sqlite.transaction(() => {
    mustReads.forEach((item, index) => {
      const recent = item.publishedAt! > now - 14 * DAY;
      for (const person of active) {
        if (person.createdAt > item.publishedAt! || person.id === item.authorId) continue;
        const skip = person.id === benchMemberId && index >= mustReads.length - 2;
        const confirmedAt = !skip && rng.chance(recent ? 0.5 : 0.93) ? Math.min(now, item.publishedAt! + Math.floor(rng.exponential(DAY))) : null;
        if (confirmedAt !== null) insertConfirmation.run(item.id, person.id, confirmedAt);
        insertNotification.run(person.id, 'must-read', item.authorId, item.id, null, null, item.publishedAt!, confirmedAt ?? (recent ? null : item.publishedAt! + 2 * DAY));
      }
    });
  })();
  phase('must-reads');

  // Comments: a long tail (most items have a few, some have hundreds), a quarter are replies.
  const audiences = new Map<number, number[]>();
  const activeIds = active.map((p) => p.id);
  for (const space of spaces) {
    audiences.set(space.id, space.visibility === 'company' ? activeIds : space.members.filter((id) => byId(id).deactivatedAt === null));
  }
  const audienceFor = (item: SeedItem): number[] => {
    const members = audiences.get(item.space.id)!;
    // Open spaces are read (and commented on) by a few people who are not members.
    if (item.space.visibility === 'open' && rng.chance(0.15)) return activeIds;
    return members.length > 0 ? members : [item.authorId];
  };
  const commentable = content.filter((item) => item.publishedAt !== null && item.publishedAt <= now && item.commentsEnabled && item !== featured);
  const heat = (item: SeedItem) => (item.kind === 'news' ? 2 : 1) * (item.space.id === 1 ? 1.5 : 1) * (item.mustRead ? 4 : 1);
  const commentShares = allocate(
    rng,
    commentable.map((item) => Math.exp(rng.normal() * 1.1) * heat(item)),
    Math.max(0, params.comments - (featured ? 50 : 0)),
    () => 300,
  );
  const comments: SeedComment[] = [];
  let seq = 0;
  const writeComments = (item: SeedItem, count: number, replies: number | null) => {
    const audience = audienceFor(item);
    const topLevel: SeedComment[] = [];
    for (let j = 0; j < count; j++) {
      const isReply = topLevel.length > 0 && (replies === null ? rng.chance(0.25) : j >= count - replies);
      const parent = isReply ? rng.pick(topLevel) : null;
      const after = parent ? parent.createdAt : item.publishedAt!;
      const createdAt = Math.min(now - MINUTE, after + Math.floor(rng.exponential(parent ? 3 * HOUR : DAY)));
      let authorId = rng.pick(audience);
      for (let tries = 0; tries < 5 && !presentAt(byId(authorId), createdAt); tries++) authorId = rng.pick(audience);
      const comment: SeedComment = {
        contentId: item.id,
        parent,
        authorId,
        createdAt: Math.max(createdAt, after),
        seq: seq++,
        text: rng.pick(commentTexts),
        edited: rng.chance(0.03),
        deleted: replies === null && rng.chance(0.01),
        hidden: replies === null && rng.chance(0.002),
      };
      comments.push(comment);
      if (!parent) topLevel.push(comment);
    }
  };
  commentable.forEach((item, i) => {
    if (commentShares[i]! > 0) writeComments(item, commentShares[i]!, null);
  });
  if (featured) writeComments(featured, 50, 12);
  // Ids in time order, as they would be; a reply never comes before its parent (same time: made after it).
  comments.sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq);

  const insertComment = sqlite.prepare(
    `insert into comments (id, content_id, parent_id, author_id, body, body_html, created_at, edited_at, deleted_at, deleted_by, hidden_at, hidden_by, hidden_reason)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  sqlite.transaction(() => {
    comments.forEach((comment, index) => {
      comment.id = index + 1;
      const item = content[comment.contentId - 1]!;
      const later = (mean: number) => Math.min(now, comment.createdAt + Math.floor(rng.exponential(mean)));
      insertComment.run(
        comment.id, comment.contentId, comment.parent?.id ?? null, comment.authorId, comment.text.body, comment.text.html, comment.createdAt,
        comment.edited ? later(HOUR) : null,
        comment.deleted ? later(DAY) : null, comment.deleted ? comment.authorId : null,
        comment.hidden ? later(DAY) : null, comment.hidden ? 1 : null, comment.hidden ? rng.pick(HIDDEN_REASONS) : null,
      );
      for (const userId of comment.text.mentions) {
        insertMention.run(comment.contentId, comment.id, userId, comment.createdAt);
        if (userId !== comment.authorId && sees(userId, item.space)) {
          insertNotification.run(userId, 'mention', comment.authorId, comment.contentId, comment.id, null, comment.createdAt, readAt(comment.createdAt));
        }
      }
    });
  })();
  phase('comments');

  // Reactions: unique per (item, reaction, person), most of them likes, recent and news items get more.
  const reactable = content.filter((item) => item.publishedAt !== null && item.publishedAt <= now);
  const reactionPicker = new Weighted(REACTION_WEIGHTS);
  const reactionShares = allocate(
    rng,
    reactable.map((item) => Math.exp(rng.normal()) * heat(item) * (item.kind === 'news' ? 1.5 : 1)),
    params.reactions,
    (i) => Math.min(400, Math.floor(audiences.get(reactable[i]!.space.id)!.length * SEED_REACTIONS.length * 0.3)),
  );
  const insertReaction = sqlite.prepare('insert into reactions (content_id, user_id, reaction, created_at) values (?, ?, ?, ?)');
  sqlite.transaction(() => {
    reactable.forEach((item, i) => {
      const wanted = reactionShares[i]!;
      if (wanted === 0) return;
      const audience = audiences.get(item.space.id)!.length > 0 ? audiences.get(item.space.id)! : [item.authorId];
      const seen = new Set<number>();
      for (let tries = 0; seen.size < wanted && tries < wanted * 20; tries++) {
        const userId = rng.pick(audience);
        const reaction = reactionPicker.pick(rng);
        const key = userId * SEED_REACTIONS.length + reaction;
        if (seen.has(key)) continue;
        seen.add(key);
        insertReaction.run(item.id, userId, SEED_REACTIONS[reaction]!, Math.min(now, item.publishedAt! + Math.floor(rng.exponential(DAY))));
      }
    });
  })();
  phase('reactions');

  // The usage charter (everyone accepted it), and when each person last looked at the feed.
  sqlite.transaction(() => {
    const charterAt = now - 400 * DAY;
    sqlite.prepare('insert into charter_versions (id, body, body_html, published_by, published_at) values (1, ?, ?, 1, ?)').run(
      charterSource,
      charter.html,
      charterAt,
    );
    const accept = sqlite.prepare('insert into charter_acceptances (version_id, user_id, accepted_at) values (1, ?, ?)');
    const visit = sqlite.prepare('insert into feed_visits (user_id, current_visit_at, previous_visit_at) values (?, ?, ?)');
    for (const person of active) {
      accept.run(person.id, Math.max(charterAt, person.createdAt) + rng.int(0, 5) * DAY);
      const current = person.id === benchMemberId ? now - HOUR : now - Math.floor(rng.exponential(2 * DAY));
      visit.run(person.id, current, person.id === benchMemberId ? now - 2 * DAY : current - Math.floor(rng.exponential(3 * DAY)) - HOUR);
    }
  })();
  phase('charter and visits');
  return timings;
}

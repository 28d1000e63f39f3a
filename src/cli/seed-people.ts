// The seed's profiles (src/cli/seed.ts): departments, sites, job titles, a manager tree without
// loops, skills, phones and languages for the seeded people, so that the directory and the search
// benches run on realistic data. Its own random stream (derived from --random-seed), so adding it
// changes none of the other seeded rows; the same seed gives the same profiles.
import type SQLite from 'better-sqlite3';
import { sortName } from '../auth/users.js';
import { Random, type SeedPerson } from './seed-content.js';

const DEPARTMENTS: ReadonlyArray<{ name: string; jobs: readonly string[]; skills: readonly string[] }> = [
  { name: 'Direction', jobs: ['Directrice générale', 'Directeur adjoint', 'Assistante de direction', 'Chargé de mission'], skills: ['Stratégie', 'Négociation', 'Management'] },
  { name: 'Finance', jobs: ['Comptable', 'Contrôleuse de gestion', 'Trésorier', 'Analyste financier', 'Responsable paie'], skills: ['Excel', 'Comptabilité', 'Fiscalité', 'SAP', 'Contrôle de gestion'] },
  { name: 'Ressources humaines', jobs: ['Chargée de recrutement', 'Responsable formation', 'Gestionnaire RH', 'Juriste social'], skills: ['Recrutement', 'Droit du travail', 'Formation', 'Entretiens annuels'] },
  { name: 'Informatique', jobs: ['Développeuse', 'Administrateur systèmes', 'Cheffe de projet informatique', 'Technicien support', 'Architecte logiciel'], skills: ['TypeScript', 'SQL', 'Linux', 'Réseaux', 'Sécurité informatique', 'Python'] },
  { name: 'Commercial', jobs: ['Commercial terrain', 'Chargée de clientèle', 'Responsable grands comptes', 'Assistant commercial'], skills: ['Prospection', 'Négociation', 'CRM', 'Anglais commercial'] },
  { name: 'Marketing', jobs: ['Chargée de communication', 'Graphiste', 'Responsable marketing', 'Community manager'], skills: ['Rédaction', 'Photoshop', 'Réseaux sociaux', 'Événementiel'] },
  { name: 'Production', jobs: ['Opérateur de production', 'Cheffe d’équipe', 'Technicien de maintenance', 'Responsable qualité', 'Ingénieur méthodes'], skills: ['Lean', 'Maintenance', 'Qualité', 'Sécurité', 'Soudure', 'Électricité'] },
  { name: 'Logistique', jobs: ['Cariste', 'Responsable entrepôt', 'Gestionnaire des stocks', 'Acheteuse'], skills: ['Gestion des stocks', 'CACES', 'Achats', 'Transport'] },
  { name: 'Juridique', jobs: ['Juriste', 'Responsable conformité'], skills: ['Contrats', 'RGPD', 'Droit des sociétés'] },
  { name: 'Recherche et développement', jobs: ['Ingénieure R&D', 'Technicien de laboratoire', 'Designer produit'], skills: ['Prototypage', 'CAO', 'Chimie', 'Gestion de projet'] },
];
const SITES = ['Lyon', 'Paris', 'Nantes', 'Lille', 'Grenoble', 'Télétravail'];
const COMMON_SKILLS = ['Gestion de projet', 'Anglais', 'Excel', 'Prise de parole', 'Premiers secours', 'Espagnol', 'Allemand'];
const LANGUAGES_FR = ['Français'];
const MORE_LANGUAGES = ['English', 'Español', 'Deutsch', 'Italiano', 'Português', 'العربية', '中文'];

/**
 * Writes the profiles of `people` (ids as inserted by insertPeople). The manager tree: the first
 * person (the admin) at the top, one head per department reporting to her, then every other person
 * reports to someone of their department placed before them in the order, so there is no loop.
 */
export function seedProfiles(sqlite: SQLite.Database, people: readonly SeedPerson[], randomSeed: number): { departments: number; sites: number; skills: number } {
  const rng = new Random((randomSeed * 2654435761 + 0x5eed) >>> 0);
  const insertList = (table: 'departments' | 'sites') => sqlite.prepare(`insert into ${table} (name, sort_name) values (?, ?)`);
  const departmentIds = DEPARTMENTS.map((d) => Number(insertList('departments').run(d.name, sortName(d.name)).lastInsertRowid));
  const siteIds = SITES.map((s) => Number(insertList('sites').run(s, sortName(s)).lastInsertRowid));

  const skillIds = new Map<string, number>();
  const insertSkill = sqlite.prepare('insert into skills (label, slug) values (?, ?)');
  const skillId = (label: string) => {
    let id = skillIds.get(sortName(label));
    if (id === undefined) {
      id = Number(insertSkill.run(label, sortName(label)).lastInsertRowid);
      skillIds.set(sortName(label), id);
    }
    return id;
  };

  const update = sqlite.prepare(
    'update users set job_title = ?, job_title_sort = ?, department_id = ?, site_id = ?, manager_id = ?, phone = ?, languages = ?, bio = ? where id = ?',
  );
  const addSkill = sqlite.prepare('insert or ignore into user_skills (user_id, skill_id) values (?, ?)');
  const membersOf = new Map<number, number[]>();
  // Sites weighted: most people at the two big sites.
  const siteWeights = [0.35, 0.3, 0.12, 0.1, 0.08, 0.05];
  const pickSite = () => {
    let r = rng.next();
    for (let i = 0; i < siteWeights.length; i++) if ((r -= siteWeights[i]!) < 0) return siteIds[i]!;
    return siteIds[0]!;
  };
  people.forEach((person, index) => {
    const d = index === 0 ? 0 : index <= DEPARTMENTS.length ? index - 1 : rng.int(0, DEPARTMENTS.length - 1);
    const department = DEPARTMENTS[d]!;
    const colleagues = membersOf.get(d) ?? [];
    // The admin at the top; the first of each department reports to her; the others to an earlier
    // colleague, mostly among the first ones (a few managers, each with a team).
    const manager = index === 0 ? null : colleagues.length === 0 ? people[0]!.id : colleagues[Math.floor(Math.pow(rng.next(), 2.5) * Math.min(colleagues.length, 12))]!;
    colleagues.push(person.id);
    membersOf.set(d, colleagues);
    const job = index === 0 ? 'Directrice générale' : colleagues.length === 1 ? `Responsable ${department.name.toLocaleLowerCase('fr')}` : rng.pick(department.jobs);
    const phone = rng.chance(0.8) ? `+33 ${rng.int(1, 9)} ${String(rng.int(0, 99)).padStart(2, '0')} ${String(rng.int(0, 99)).padStart(2, '0')} ${String(rng.int(0, 99)).padStart(2, '0')} ${String(rng.int(0, 99)).padStart(2, '0')}` : null;
    const languages = person.english ? ['English', ...(rng.chance(0.5) ? ['Français'] : [])] : [...LANGUAGES_FR, ...(rng.chance(0.6) ? rng.sample(MORE_LANGUAGES, rng.int(1, 2)) : [])];
    const bio = rng.chance(0.3) ? `${job}.\nÀ votre écoute pour toute question.` : null;
    const site = pickSite();
    update.run(job, sortName(job), departmentIds[d]!, site, manager, phone, languages.join(', '), bio, person.id);
    const skills = [...rng.sample(department.skills, rng.int(1, Math.min(3, department.skills.length))), ...(rng.chance(0.5) ? rng.sample(COMMON_SKILLS, rng.int(1, 2)) : [])];
    for (const label of skills) addSkill.run(person.id, skillId(label));
  });
  return { departments: departmentIds.length, sites: siteIds.length, skills: skillIds.size };
}

// Survey templates to start from, in French and English: the new survey takes the texts of its
// creator's language. Each is a title, an introduction and questions (the creator edits them after).
import type { QuestionInput } from './service.js';

export const TEMPLATE_IDS = ['event', 'idea', 'dialogue'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

interface Template {
  title: string;
  intro: string;
  questions: QuestionInput[];
}

const q = (type: QuestionInput['type'], text: string, required: boolean, options: string[] = [], section = ''): QuestionInput => ({
  section,
  type,
  text,
  required,
  options,
  minChoices: null,
  maxChoices: null,
});

const TEMPLATES: Record<'fr' | 'en', Record<TemplateId, Template>> = {
  fr: {
    event: {
      title: 'Organisation de l’événement',
      intro: 'Aidez-nous à organiser un événement qui convienne au plus grand nombre.',
      questions: [
        q('single', 'Quel format préférez-vous\u202f?', true, ['Petit-déjeuner', 'Déjeuner', 'Afterwork'], 'Format'),
        q('multiple', 'Quels jours vous conviennent\u202f?', true, ['Lundi', 'Mardi', 'Mercredi', 'Jeudi', 'Vendredi'], 'Format'),
        q('scale', 'Quelle importance a cet événement pour vous\u202f?', false, [], 'Attentes'),
        q('long', 'Qu’aimeriez-vous y trouver\u202f?', false, [], 'Attentes'),
      ],
    },
    idea: {
      title: 'Pertinence de l’idée',
      intro: 'Dites-nous si cette idée répond à un vrai besoin avant de la mettre en œuvre.',
      questions: [
        q('scale', 'Cette idée répond-elle à un besoin de votre travail\u202f?', true),
        q('single', 'L’utiliseriez-vous\u202f?', true, ['Oui, souvent', 'De temps en temps', 'Rarement', 'Jamais']),
        q('nps', 'Recommanderiez-vous cette idée à un ou une collègue\u202f?', false),
        q('long', 'Qu’est-ce qui la rendrait plus utile\u202f?', false),
      ],
    },
    dialogue: {
      title: 'Qualité du dialogue',
      intro: 'Comment se passent les échanges dans l’équipe\u202f? Vos réponses aident à les améliorer.',
      questions: [
        q('scale', 'Vous sentez-vous écouté ou écoutée\u202f?', true),
        q('scale', 'Les informations utiles vous parviennent-elles à temps\u202f?', true),
        q('single', 'Osez-vous exprimer un désaccord\u202f?', true, ['Toujours', 'Souvent', 'Parfois', 'Jamais']),
        q('long', 'Que faudrait-il changer en priorité\u202f?', false),
      ],
    },
  },
  en: {
    event: {
      title: 'Organising the event',
      intro: 'Help us organise an event that suits as many people as possible.',
      questions: [
        q('single', 'Which format do you prefer?', true, ['Breakfast', 'Lunch', 'After work'], 'Format'),
        q('multiple', 'Which days suit you?', true, ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'], 'Format'),
        q('scale', 'How much does this event matter to you?', false, [], 'Expectations'),
        q('long', 'What would you like to find there?', false, [], 'Expectations'),
      ],
    },
    idea: {
      title: 'Relevance of the idea',
      intro: 'Tell us whether this idea meets a real need before we put it into practice.',
      questions: [
        q('scale', 'Does this idea meet a need in your work?', true),
        q('single', 'Would you use it?', true, ['Yes, often', 'From time to time', 'Rarely', 'Never']),
        q('nps', 'Would you recommend this idea to a colleague?', false),
        q('long', 'What would make it more useful?', false),
      ],
    },
    dialogue: {
      title: 'Quality of dialogue',
      intro: 'How do conversations go in the team? Your answers help improve them.',
      questions: [
        q('scale', 'Do you feel listened to?', true),
        q('scale', 'Does useful information reach you in time?', true),
        q('single', 'Do you dare to disagree?', true, ['Always', 'Often', 'Sometimes', 'Never']),
        q('long', 'What should change first?', false),
      ],
    },
  },
};

export function template(id: string, locale: string): Template | null {
  if (!(TEMPLATE_IDS as readonly string[]).includes(id)) return null;
  return TEMPLATES[locale === 'fr' ? 'fr' : 'en'][id as TemplateId];
}

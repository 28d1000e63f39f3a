// The password rules people meet when they choose a password: long enough, counted the way they
// count, not a well-known password in disguise, not their own name or email. No composition rules.
import { dictionary } from '@zxcvbn-ts/language-common';
import { describe, expect, it } from 'vitest';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '../../src/auth/password-policy.js';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.js';

const ALICE = { email: 'alice.martin@example.com', name: 'Alice Martin' };

/** A varied passphrase of exactly `length` characters (code points), with accents and emoji. */
function passphrase(length: number): string {
  const words = ['forêt', 'château', 'lune', 'vélo', '🌲', 'rivière', 'hibou', 'crêpe', 'orage', 'ciel', 'Noël', 'île'];
  const characters: string[] = [];
  for (let i = 0; characters.length < length; i++) characters.push(...`${words[i % words.length]}${i} `);
  return characters.slice(0, length).join('');
}

describe('password policy: length', () => {
  it('asks for at least 12 and at most 256 characters', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(PASSWORD_MAX_LENGTH).toBe(256);
    expect(passwordProblem(passphrase(11))).toBe('validation.passwordTooShort');
    expect(passwordProblem(passphrase(12))).toBeNull();
    expect(passwordProblem(passphrase(256))).toBeNull();
    expect(passwordProblem(passphrase(257))).toBe('validation.passwordTooLong');
    expect(passwordProblem('')).toBe('validation.passwordTooShort');
  });

  it('counts an emoji as one character, not as the two code units JavaScript sees', () => {
    const elevenEmoji = '🦊🐻🐼🐨🐯🦁🐮🐷🐸🐵🐔';
    expect(elevenEmoji.length).toBe(22);
    expect(passwordProblem(elevenEmoji)).toBe('validation.passwordTooShort');
    expect(passwordProblem(`${elevenEmoji}🐧`)).toBeNull();
  });

  it('counts an accented letter as one character', () => {
    expect(passwordProblem('élève à Noël')).toBeNull(); // 12 characters
    expect(passwordProblem('élève à Noë')).toBe('validation.passwordTooShort'); // 11
    // 257 accented characters are too many, however many bytes they take.
    expect(passwordProblem(passphrase(256) + 'é')).toBe('validation.passwordTooLong');
  });

  it('accepts long passphrases with accents, spaces and any script', () => {
    for (const password of [
      'cheval agrafe pile correcte',
      'été à la plage sous le soleil',
      'Żółta łódź pływa po jeziorze',
      'Ça ne se devine pas, ça !',
      'der Bär tanzt im Schnee',
      'ليلة هادئة في المدينة',
      '富士山に登るのは楽しい日曜日',
    ]) {
      expect(passwordProblem(password, ALICE), password).toBeNull();
    }
  });

  it('imposes no composition rule (no digit, capital or symbol needed)', () => {
    expect(passwordProblem('some quiet winter morning')).toBeNull();
    expect(passwordProblem('somequietwintermorning')).toBeNull();
  });
});

describe('password policy: well-known passwords', () => {
  const common = dictionary['passwords-common'] as string[];

  it('refuses passwords from the common list, whatever their case', () => {
    const longCommon = common.filter((p) => [...p].length >= PASSWORD_MIN_LENGTH).slice(0, 50);
    expect(longCommon.length).toBe(50);
    for (const password of longCommon) {
      expect(passwordProblem(password), password).toBe('validation.passwordCommon');
      expect(passwordProblem(password.toUpperCase()), password).toBe('validation.passwordCommon');
    }
    expect(passwordProblem('qwerty123456')).toBe('validation.passwordCommon');
    expect(passwordProblem('1q2w3e4r5t6y')).toBe('validation.passwordCommon');
  });

  it.each([
    'password1234',
    'Password1234!',
    '1234password',
    '!!!dragon!!!!',
    'iloveyou2024',
    'Sunshine123456',
    'monkey123456',
    'azerty123456',
    'soleil123456',
  ])('refuses a common password padded with digits or symbols (%s)', (password) => {
    expect(passwordProblem(password)).toBe('validation.passwordCommon');
  });

  it.each([
    'aaaaaaaaaaaa',
    '............',
    'abababababab',
    'abcabcabcabc',
    'passwordpassword',
    'qwertyqwerty',
    'dragondragondragon',
    '😀😀😀😀😀😀😀😀😀😀😀😀',
  ])('refuses one character or a common word repeated (%s)', (password) => {
    expect(passwordProblem(password)).toBe('validation.passwordCommon');
  });

  it.each([
    '123456789012',
    '098765432109',
    '345678901234',
    'abcdefghijkl',
    'zyxwvutsrqpo',
    'qwertyuiopas',
    'azertyuiopqs',
    'sqpoiuytreza',
    'lkjhgfdsapoiu',
  ])('refuses a run of consecutive keys or digits (%s)', (password) => {
    expect(passwordProblem(password)).toBe('validation.passwordCommon');
  });

  it('accepts ordinary passwords that merely contain a common word', () => {
    expect(passwordProblem('my dragon sleeps in the attic')).toBeNull();
    expect(passwordProblem('password manager is my friend')).toBeNull();
    expect(passwordProblem('soleil de minuit à Tromsø')).toBeNull();
  });
});

describe('password policy: personal passwords', () => {
  it.each([
    ['the email address', 'alice.martin@example.com'],
    ['the email address in capitals', 'ALICE.MARTIN@EXAMPLE.COM'],
    ['the part of the email before @', 'alice.martin'],
    ['the name', 'Alice Martin'],
    ['the name in capitals', 'ALICE MARTIN'],
  ])('refuses %s', (_label, password) => {
    expect([...password].length).toBeGreaterThanOrEqual(PASSWORD_MIN_LENGTH);
    expect(passwordProblem(password, ALICE)).toBe('validation.passwordPersonal');
  });

  it('refuses the name written without its spaces', () => {
    const person = { name: 'Jean-Baptiste Durand', email: 'jb@example.com' };
    expect(passwordProblem('jean-baptistedurand', person)).toBe('validation.passwordPersonal');
    expect(passwordProblem('Jean-Baptiste  Durand', person)).toBe('validation.passwordPersonal');
  });

  it('refuses an accented name, whatever its case', () => {
    expect(passwordProblem('ÉLODIE DUPRÉ-NOËL', { name: 'Élodie Dupré-Noël', email: 'elodie@example.com' })).toBe('validation.passwordPersonal');
  });

  it('accepts the same password for someone else', () => {
    expect(passwordProblem('Alice Martin', { name: 'Bob Smith', email: 'bob@example.com' })).toBeNull();
    expect(passwordProblem('alice.martin@example.com', { name: 'Bob Smith', email: 'bob@example.com' })).toBeNull();
  });
});

describe('passwords that are the person themselves', () => {
  it('refuses the name or email with digits or punctuation around it, accents included', () => {
    const person = { email: 'elodie.durand@example.com', name: 'Élodie Durand' };
    expect(passwordProblem('élodiedurand2024!', person)).toBe('validation.passwordPersonal');
    expect(passwordProblem('Elodie.Durand1234', person)).toBe('validation.passwordPersonal');
    expect(passwordProblem('elodie.durand@example.com', person)).toBe('validation.passwordPersonal');
    expect(passwordProblem('élodie aime le café noir', person)).toBeNull();
  });

  it('treats a composed and a decomposed accent as the same password', async () => {
    const composed = 'café crème au lait'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const hash = await hashPassword(composed);
    expect(await verifyPassword(hash, decomposed)).toBe(true);
    expect(await verifyPassword(hash, 'cafe creme au lait')).toBe(false);
  });
});

describe('passwords made of the organisation’s or the product’s name', () => {
  it('are refused, alone or with digits and punctuation around them', () => {
    expect(passwordProblem('Hameau2026!!!', {})).toBe('validation.passwordPersonal');
    expect(passwordProblem('coopérative des tilleuls 1', { organisation: 'Coopérative des Tilleuls' })).toBe('validation.passwordPersonal');
    expect(passwordProblem('les tilleuls fleurissent en juin', { organisation: 'Coopérative des Tilleuls' })).toBeNull();
  });
});

// What people do again and again in the journeys: set up the organisation, invite a colleague, join
// with the link, sign in, and read what the page says back. Each step goes through the pages, the way
// a person would, and finds things by their label and role.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export interface Person {
  name: string;
  email: string;
  password: string;
}

export interface Administrator extends Person {
  organisation: string;
}

/** The people of Les Tilleuls, the organisation most journeys set up: its administrator and two colleagues. */
export const TILLEULS: { admin: Administrator; dominique: Person; sacha: Person } = {
  admin: { organisation: 'Les Tilleuls', name: 'Camille Martin', email: 'camille.martin@tilleuls.example', password: 'lilac kettle harbour 1987' },
  dominique: { name: 'Dominique Petit', email: 'dominique.petit@tilleuls.example', password: 'seven rivers under moonlight' },
  sacha: { name: 'Sacha Lefèvre', email: 'sacha.lefevre@tilleuls.example', password: 'orange tram beyond the hill' },
};

/** Waits for the page's main heading: boosted navigation swaps the body, so the URL alone says little. */
export async function waitForHeading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name, exact: typeof name === 'string' }).waitFor();
}

/**
 * Waits until a status message (the note that answers what was just done, such as "The article is
 * published.") says `text`. A page may hold other live regions, empty until something happens.
 */
export async function expectStatusMessage(page: Page, text: string): Promise<void> {
  await page.getByRole('status').filter({ hasText: text }).first().waitFor();
}

/** The path of the page as it is now (the address bar, without the origin). */
export function pathOf(page: Page): string {
  return new URL(page.url()).pathname;
}

/**
 * The brand-new Hameau's setup page, filled in by its first administrator, in English; ends on the
 * home page, signed in.
 */
export async function setUpOrganisation(page: Page, baseUrl: string, admin: Administrator): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await waitForHeading(page, 'Welcome to Hameau');
  await page.getByLabel('Organisation name').fill(admin.organisation);
  await page.getByLabel('Default language').selectOption({ label: 'English' });
  await page.getByLabel('Full name').fill(admin.name);
  await page.getByLabel('Email address').fill(admin.email);
  await page.getByLabel('New password').fill(admin.password);
  await page.getByLabel('Repeat the password').fill(admin.password);
  await page.getByRole('button', { name: 'Create the organisation' }).click();
  await waitForHeading(page, `Hello, ${admin.name}`);
}

/** Opens Administration → Members and roles from the main navigation. */
export async function openMembersAdministration(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Administration' }).click();
  await waitForHeading(page, 'Administration');
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Members and roles' }).click();
  await waitForHeading(page, 'Members and roles');
}

/**
 * An administrator invites a colleague from Administration → Members. No email is set up in the
 * tests, so the page hands over the link, which this returns.
 */
export async function inviteColleague(page: Page, email: string): Promise<string> {
  if (pathOf(page) !== '/admin/members') await openMembersAdministration(page);
  const invitePanel = page.getByRole('region', { name: 'Invite a colleague' });
  await invitePanel.getByLabel('Email address').fill(email);
  await invitePanel.getByRole('button', { name: 'Invite' }).click();
  await expectStatusMessage(page, `Invitation created for ${email}.`);
  return invitePanel.getByLabel('Invitation link').inputValue();
}

/** The colleague opens the invitation link (in English) and joins; ends on their home page, signed in. */
export async function joinWithInvitation(page: Page, invitationLink: string, organisation: string, person: Person): Promise<void> {
  await page.goto(invitationLink);
  await waitForHeading(page, `Join ${organisation}`);
  await page.getByLabel('Full name').fill(person.name);
  await page.getByLabel('New password').fill(person.password);
  await page.getByLabel('Repeat the password').fill(person.password);
  await page.getByRole('button', { name: 'Join' }).click();
  await waitForHeading(page, `Hello, ${person.name}`);
}

/** Signs in from the sign-in page (in English); ends on the home page. */
export async function signIn(page: Page, baseUrl: string, organisation: string, person: Person): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await waitForHeading(page, `Sign in to ${organisation}`);
  await page.getByLabel('Email address').fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitForHeading(page, `Hello, ${person.name}`);
  expect(pathOf(page)).toBe('/');
}

/** Follows a link of the main navigation ("Home", "Spaces", "Administration"). */
export async function goTo(page: Page, linkName: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: linkName, exact: true }).click();
}

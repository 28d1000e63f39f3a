// Profile photos: the type is read from the bytes (an SVG or HTML file named .jpg is refused), a photo
// is cropped and resized to a 256 px square WebP without metadata, stored under a random name, served
// only to signed-in people while a profile uses it; replacing or removing one deletes the old file.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html, mainText } from '../helpers/app.js';
import { samplePng } from '../helpers/attachments.js';
import { createCast, type Cast } from '../helpers/conversation.js';
import { postMultipart, userRow } from '../helpers/people.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

/** A 400x300 JPEG carrying EXIF (camera and a GPS-like comment). */
async function jpegWithExif(): Promise<Buffer> {
  return sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .jpeg()
    .withMetadata({ exif: { IFD0: { Make: 'SpyCam', Model: 'Model X', ImageDescription: 'Secret place 48.85N 2.35E' } } })
    .toBuffer();
}

const upload = (who: 'member' | 'admin' | 'outsider', userId: number, filename: string, content: Buffer | string, contentType = 'image/jpeg') =>
  postMultipart(c, `/people/${userId}/photo`, who, {}, [{ field: 'photo', filename, content, contentType }]);

const photosDir = () => path.join(c.t.dataDir, 'photos');
const storedPhotos = () => (fs.existsSync(photosDir()) ? fs.readdirSync(photosDir()) : []);

describe('profile photos', () => {
  it('resizes a JPEG to a square WebP without its metadata, under a random name', async () => {
    const original = await jpegWithExif();
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const response = await upload('member', c.ids.member, 'me.jpg', original);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/people/${c.ids.member}/edit`);
    const key = (await userRow(c.app, c.ids.member)).photo_id!;
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(storedPhotos()).toEqual([`${key}.webp`]);
    const stored = fs.readFileSync(path.join(photosDir(), `${key}.webp`));
    const metadata = await sharp(stored).metadata();
    expect(metadata).toMatchObject({ format: 'webp', width: 256, height: 256 });
    expect(metadata.exif).toBeUndefined();
    expect(stored.includes(Buffer.from('SpyCam'))).toBe(false);

    // Shown on the profile and in the directory, served to any signed-in person.
    const profile = html(await c.get(`/people/${c.ids.member}`, 'outsider'));
    expect(profile.querySelector(`img[src="/people/photos/${key}"]`)).not.toBe(null);
    expect(html(await c.get('/people', 'outsider')).querySelector(`img[src="/people/photos/${key}"]`)).not.toBe(null);
    const served = await c.get(`/people/photos/${key}`, 'outsider');
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/webp');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['cache-control']).toContain('private');
    expect(served.rawPayload.equals(stored)).toBe(true);
    // Not to visitors, nor to a deactivated person's old session.
    for (const who of [null, 'gone'] as const) {
      const refused = await c.get(`/people/photos/${key}`, who);
      expect(refused.statusCode).toBe(303);
      expect(refused.headers.location).toMatch(/^\/login/);
    }
  });

  it('refuses SVG and HTML files whatever their name or claimed type, and files that are not images', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>';
    const page = '<!doctype html><html><script>alert(1)</script></html>';
    for (const [name, content, type] of [['me.svg', svg, 'image/svg+xml'], ['me.jpg', svg, 'image/jpeg'], ['me.jpg', page, 'image/jpeg'], ['me.png', 'just text', 'image/png']] as const) {
      const response = await upload('member', c.ids.member, name, Buffer.from(content), type);
      expect(response.statusCode, name).toBe(422);
      expect(mainText(response)).toContain('This file is not a JPEG, PNG, WebP or GIF image.');
    }
    const broken = await upload('member', c.ids.member, 'me.png', (await samplePng()).subarray(0, 60), 'image/png');
    expect(broken.statusCode).toBe(422);
    expect((await userRow(c.app, c.ids.member)).photo_id).toBe(null);
    expect(storedPhotos()).toEqual([]);
    const none = await postMultipart(c, `/people/${c.ids.member}/photo`, 'member', {}, []);
    expect(none.statusCode).toBe(422);
    expect(mainText(none)).toContain('Choose a photo to upload.');
  });

  it('replaces and removes photos, deleting the old files; unknown or unused keys are 404', async () => {
    await upload('member', c.ids.member, 'a.png', await samplePng(300, 300), 'image/png');
    const first = (await userRow(c.app, c.ids.member)).photo_id!;
    await upload('member', c.ids.member, 'b.png', await samplePng(100, 500), 'image/png');
    const second = (await userRow(c.app, c.ids.member)).photo_id!;
    expect(second).not.toBe(first);
    expect(storedPhotos()).toEqual([`${second}.webp`]);
    expect((await c.get(`/people/photos/${first}`, 'member')).statusCode).toBe(404);
    const removed = await c.post(`/people/${c.ids.member}/photo/remove`, 'member');
    expect(removed.statusCode).toBe(303);
    expect((await userRow(c.app, c.ids.member)).photo_id).toBe(null);
    expect(storedPhotos()).toEqual([]);
    for (const key of [second, '../../etc/passwd', 'abc', '0123456789ABCDEF0123456789ABCDEF']) {
      expect((await c.get(`/people/photos/${encodeURIComponent(key)}`, 'member')).statusCode, key).toBe(404);
    }
  });

  it('lets admins set anyone\'s photo (audited), and nobody else', async () => {
    expect((await upload('outsider', c.ids.member, 'a.png', await samplePng(), 'image/png')).statusCode).toBe(403);
    expect((await upload('admin', c.ids.member, 'a.png', await samplePng(), 'image/png')).statusCode).toBe(303);
    expect((await userRow(c.app, c.ids.member)).photo_id).not.toBe(null);
    expect(await c.app.db.selectFrom('audit_log').select(['action', 'subject_id']).where('action', 'like', 'profile.%').execute()).toEqual([{ action: 'profile.photo', subject_id: String(c.ids.member) }]);
  });
});

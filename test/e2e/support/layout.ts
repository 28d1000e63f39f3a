// Checks on how a page is laid out, as a person would notice them.
// Functions passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import type { Page } from 'playwright-core';

/**
 * Throws when the page is wider than the window, so that a person on a phone would have to
 * scroll sideways to read it. Names the widest elements to make the culprit easy to find.
 */
export async function expectNoHorizontalScroll(page: Page, where: string): Promise<void> {
  const overflow = await page.evaluate(() => {
    const viewportWidth = document.documentElement.clientWidth;
    const pageWidth = document.documentElement.scrollWidth;
    if (pageWidth <= viewportWidth) return null;
    const tooWide = Array.from(document.body.querySelectorAll('*'))
      .filter((element) => element.getBoundingClientRect().right > viewportWidth + 1)
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.className && typeof element.className === 'string' ? `.${element.className.trim().split(/\s+/).join('.')}` : ''} (right edge ${Math.round(element.getBoundingClientRect().right)}px)`);
    return { viewportWidth, pageWidth, tooWide };
  });
  if (overflow) {
    throw new Error(
      `The ${where} scrolls sideways at ${overflow.viewportWidth}px wide: it is ${overflow.pageWidth}px wide.\n  Too wide: ${overflow.tooWide.join(', ')}`,
    );
  }
}

// Runs before each browser test file: without Chromium, the file stops at once with the one line
// that says how to get it, rather than starting a server and failing every test the same way.
import { findChromium } from './chromium.js';

findChromium();

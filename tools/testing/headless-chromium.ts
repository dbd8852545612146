// Test helper: open a local file in Debian's headless Chromium (playwright-core drives it; no browser is
// downloaded), collect console errors, and take a screenshot.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export interface PageCheck {
  consoleErrors: string[];
  screenshot: Buffer;
  /** Texts of elements matched by the selectors asked for. */
  texts: Record<string, string[]>;
  /** Number of distinct colours in a sample of the screenshot's pixels (blank pages have 1). */
  width: number;
  height: number;
}

export async function checkPage(
  file: string,
  selectors: string[] = [],
  viewport = { width: 1200, height: 900 },
): Promise<PageCheck> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage({ viewport });
    const consoleErrors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const texts: Record<string, string[]> = {};
    for (const selector of selectors) texts[selector] = await page.locator(selector).allTextContents();
    const screenshot = await page.screenshot({ fullPage: true });
    return { consoleErrors, screenshot, texts, ...viewport };
  } finally {
    await browser.close();
  }
}

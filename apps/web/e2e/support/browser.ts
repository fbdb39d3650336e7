// Debian's Chromium driven by playwright-core (no browser download).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireHostTool } from '../../../../scripts/lib/host-packages.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `extraArgs`: e.g. --host-resolver-rules to reach 127.0.0.1 by a name that is not a secure context. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if (!process.env.CHROMIUM_PATH) requireHostTool(CHROMIUM); // names the Debian package
  else if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at CHROMIUM_PATH=${CHROMIUM}.`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

/** The text Monaco holds (what a user sees in the composer's YAML pane). */
export async function yamlText(p: Page): Promise<string> {
  return p.evaluate(() => (window as unknown as { monaco?: { editor: { getModels(): { getValue(): string }[] } } }).monaco?.editor.getModels()[0]?.getValue() ?? '');
}

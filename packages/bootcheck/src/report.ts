// Pure and browser-safe: the boot check report of a build (stored as JSON in Build.bootCheck,
// served by GET /api/v1/builds/:id, shown on the build page): one entry per boot-checked artifact
// format and the build's overall verdict, the worst of them (docs/pipeline.md "Boot verdicts").

import type { BootExpectations } from './expectations';
import type { ContainerStatus } from './consoleProtocol';
import type { ExpectationResult, Verdict } from './verdict';
import type { BootTimeline } from './timeline';

export type { ExpectationResult, Verdict } from './verdict';
export type { ConsoleLine } from './verdict';

export const VERDICTS: readonly Verdict[] = ['failed', 'booted', 'verified', 'not checked'];

/** The boot check of one artifact format (kernel+initrd: the kernel, initrd and cmdline files together). */
export interface ArtifactBootReport {
  format: string;
  /** The artifact that was booted (kernel+initrd: the initrd), named as in the build's artifacts. */
  artifact: string;
  /** Every artifact of this format; all of them "did not boot" when the verdict is failed. */
  artifacts: string[];
  verdict: Verdict;
  /** One sentence: quotes the console line that decided it, or why it was not checked. */
  message: string;
  expectations: ExpectationResult[];
  /** Our init's per-container table (empty for any other init). */
  containers: ContainerStatus[];
  durationMs: number | null;
  /** Where the boot's time went (absent for reports from before it, and when nothing was booted). */
  timeline?: BootTimeline;
  /** The whole serial console, published with the build's artifacts (NAME.console.txt); null when nothing was booted. */
  consoleName: string | null;
}

export interface BootCheckReport {
  /** Worst over the checked artifacts (failed < booted < verified); `not checked` when none was booted. */
  verdict: Verdict;
  message: string;
  /** What the user asked for (normalised), null when nothing. */
  requested: BootExpectations | null;
  /** The results of the artifact that decided the verdict (the worst; the first of equals). */
  expectations: ExpectationResult[];
  artifacts: ArtifactBootReport[];
}

// Lower is worse. `not checked` is not a judgement: it only decides when nothing was checked.
const RANK: Record<Verdict, number> = { failed: 0, booted: 1, verified: 2, 'not checked': 3 };

/** The artifact whose verdict is the build's: the worst checked one, else the first. */
export function decidingArtifact(artifacts: ArtifactBootReport[]): ArtifactBootReport | undefined {
  let worst: ArtifactBootReport | undefined;
  for (const a of artifacts) if (!worst || RANK[a.verdict] < RANK[worst.verdict]) worst = a;
  return worst;
}

/** The build's report from its artifacts' reports. */
export function buildReport(requested: BootExpectations | null | undefined, artifacts: ArtifactBootReport[], notCheckedReason = 'no artifact of this build boots on its own'): BootCheckReport {
  const d = decidingArtifact(artifacts);
  const checked = artifacts.filter((a) => a.verdict !== 'not checked');
  let message: string;
  if (!d) message = `not checked: ${notCheckedReason}`;
  else if (d.verdict === 'not checked') message = `not checked: ${d.message}`;
  else message = checked.length > 1 ? `${d.format}: ${d.message}` : d.message;
  return {
    verdict: d?.verdict ?? 'not checked',
    message,
    requested: requested ?? null,
    expectations: d?.expectations ?? [],
    artifacts,
  };
}

/** The console file published for a booted artifact. */
export function consoleFileName(artifact: string): string {
  return `${artifact}.console.txt`;
}

/** Artifact format of the published console files (kept apart from the build outputs in the API). */
export const CONSOLE_FORMAT = 'boot-console';

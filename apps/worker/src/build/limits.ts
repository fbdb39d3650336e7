// The build limits as the worker enforces them: which setting raises each limit the engine (or
// this worker) names, and the message a build fails with, which names both the limit and the
// setting. The engine knows no server settings; this table is where they meet.

import { LimitError, type BuildLimits, type LimitName } from '@oscompose/engine';
import type { BuildLimitSettings } from '../config';

interface LimitInfo {
  setting: string;
  unit: 'bytes' | 'entries' | 'seconds';
  /** What the user can do short of asking the operator. */
  advice: string;
}

export const LIMIT_SETTINGS: Partial<Record<LimitName, LimitInfo>> = {
  'build-bytes': {
    setting: 'OSCOMPOSE_BUILD_MAX_UNPACKED_BYTES',
    unit: 'bytes',
    advice: 'use fewer or smaller images',
  },
  'image-bytes': {
    setting: 'OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES',
    unit: 'bytes',
    advice: 'use a smaller image',
  },
  'image-entries': {
    setting: 'OSCOMPOSE_IMAGE_MAX_ENTRIES',
    unit: 'entries',
    advice: 'use an image with fewer files',
  },
  'artifact-bytes': {
    setting: 'OSCOMPOSE_BUILD_MAX_ARTIFACT_BYTES',
    unit: 'bytes',
    advice: 'build fewer formats at once, or a smaller system',
  },
  'build-seconds': {
    setting: 'OSCOMPOSE_BUILD_MAX_SECONDS',
    unit: 'seconds',
    advice: 'build fewer formats at once, or a smaller system',
  },
};

/** What the engine's image provider is given. */
export function engineLimits(s: BuildLimitSettings): BuildLimits {
  return { maxImageBytes: s.imageUnpackedBytes, maxImageEntries: s.imageEntries, maxBuildBytes: s.buildUnpackedBytes };
}

function human(n: number, unit: LimitInfo['unit']): string {
  if (unit !== 'bytes') return `${n} ${unit}`;
  for (const [u, f] of [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= f) return `${Number((n / f).toFixed(2))} ${u}`;
  }
  return `${n} bytes`;
}

/**
 * The message a build fails with when it ran into a limit:
 * "Build limit exceeded (OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES = 4 GiB): image …, layer …: the image
 * decompresses to more than … bytes (the limit per image …). Use a smaller image, or ask the
 * operator to raise OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES."
 */
export function limitMessage(err: { limit: LimitName; max: number; message: string }): string {
  const info = LIMIT_SETTINGS[err.limit];
  if (!info) return `Limit exceeded: ${err.message}.`;
  return `Build limit exceeded (${info.setting} = ${human(err.max, info.unit)}): ${err.message}. ${info.advice[0]!.toUpperCase()}${info.advice.slice(1)}, or ask the operator to raise ${info.setting}.`;
}

/** The LimitError in an error's cause chain (or the abort reason), if any. */
export function findLimitError(err: unknown, signal?: AbortSignal): LimitError | undefined {
  if (signal?.aborted && isLimit(signal.reason)) return signal.reason;
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (isLimit(e)) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isLimit(v: unknown): v is LimitError {
  return v instanceof LimitError || (!!v && typeof v === 'object' && (v as { name?: unknown }).name === 'LimitError' && typeof (v as { limit?: unknown }).limit === 'string');
}

export function wallTimeError(seconds: number): LimitError {
  return new LimitError('build-seconds', seconds, `the build ran for more than ${seconds} s (the limit per build) and was stopped`);
}

export function artifactBytesError(total: number, max: number): LimitError {
  return new LimitError('artifact-bytes', max, `the build's artifacts add up to ${total} bytes or more, over the limit of ${max} bytes per build; nothing was published`);
}

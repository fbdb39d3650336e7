// The Engine interface over the real @oscompose/engine (resolve, build, formats) and
// @oscompose/bootcheck (QEMU boot of kernel+initrd, ISO, disk). Loaded lazily so a worker
// starts (and reports what is missing) even while one of them is incomplete. Every spec is a
// user's: parsed in server mode (no host files), built with sources 'none', images fetched under
// the team's registry policy (docs/security.md) — the web app checks the same, this is the
// second line for a spec that reached the queue some other way.

import path from 'node:path';
import { mkdir, readFile } from 'node:fs/promises';
import { SpecError, parseSpec } from '@oscompose/spec';
import { stringify } from 'yaml';
import { bootTargets } from './bootTargets';
import type { BootResult, Engine, RegistryPolicy, ResolvedSpec } from './engine';
import { UserError } from './classify';
import type { BuildLimits } from '@oscompose/engine';

export interface RealEngineOptions {
  cacheDir: string;
  imageStores: string[];
  insecureRegistries?: string[];
  arch?: string;
  /** QEMU boot timeout per artifact. */
  bootTimeoutMs?: number;
  /** What flattening may decompress, per image and per build (each build gets its own budget). */
  limits?: BuildLimits;
}

type EngineModule = Record<string, unknown>;

// Literal specifiers, so the worker bundle (scripts/lib/bundle.mjs) compiles both packages in.
const modules = {
  '@oscompose/engine': () => import('@oscompose/engine'),
  '@oscompose/bootcheck': () => import('@oscompose/bootcheck'),
};

async function load(name: keyof typeof modules): Promise<EngineModule> {
  return (await modules[name]()) as unknown as EngineModule;
}

function need<T>(mod: EngineModule, name: string, pkg: string): T {
  const v = mod[name];
  if (typeof v !== 'function') throw new Error(`${pkg} does not export ${name}(); the worker needs it (update ${pkg}).`);
  return v as T;
}

export async function createRealEngine(opts: RealEngineOptions): Promise<Engine> {
  const engine = await load('@oscompose/engine');
  if (typeof engine.ENGINE_VERSION !== 'string') throw new Error('@oscompose/engine does not export ENGINE_VERSION; the build cache key needs it.');
  const version = engine.ENGINE_VERSION;
  const listFormats = need<() => string[]>(engine, 'listFormats', '@oscompose/engine');
  const qemuDiskFormat = need<(file: string) => 'raw' | 'qcow2' | 'vpc' | 'vmdk'>(engine, 'qemuDiskFormat', '@oscompose/engine');
  const ukiBootDisk = need<(uki: string, workDir: string) => Promise<string>>(engine, 'ukiBootDisk', '@oscompose/engine');
  const availableFormats = need<(formats: unknown[]) => { name: string }[]>(engine, 'availableFormats', '@oscompose/engine');
  const getFormat = need<(n: string) => { boot?: { medium: string; firmware: 'bios' | 'efi' } } | undefined>(engine, 'getFormat', '@oscompose/engine');
  const resolveImages = need<(spec: unknown, images: unknown, o: unknown) => Promise<unknown>>(engine, 'resolveImages', '@oscompose/engine');
  const pinSpec = need<(spec: unknown, resolved: unknown) => unknown>(engine, 'pinSpec', '@oscompose/engine');
  const defaultImageProvider = need<(o: unknown) => Promise<unknown>>(engine, 'defaultImageProvider', '@oscompose/engine');
  const build = need<(o: unknown) => Promise<{ artifacts: { format: string; name: string; path: string; size: number; sha256: string }[] }>>(
    engine,
    'build',
    '@oscompose/engine',
  );

  const providerFor = (signal: AbortSignal, policy: RegistryPolicy) =>
    defaultImageProvider({
      cacheDir: opts.cacheDir,
      imageStores: opts.imageStores,
      pull: false,
      arch: opts.arch ?? 'amd64',
      insecureRegistries: opts.insecureRegistries ?? [],
      signal,
      // No ~/.docker/config.json: the worker host's own logins are not for its users' specs.
      registry: { policy, dockerConfig: false },
      limits: opts.limits,
    });

  return {
    version,
    // Only what this host's tools can write (an ISO needs xorriso, qcow2 qemu-img, …).
    formats: () => availableFormats(listFormats().map((n) => getFormat(n))).map((f) => f.name),

    async resolve(specText, { signal, onEvent, registries }): Promise<ResolvedSpec> {
      const parsed = parseSpec(specText, { server: true });
      if (!parsed.spec) throw new SpecError(parsed.problems);
      const images = await providerFor(signal, registries);
      const resolved = pinSpec(parsed.spec, await resolveImages(parsed.spec, images, { signal, onEvent }));
      return { text: stringify(resolved, { lineWidth: 0 }), spec: resolved };
    },

    async build({ resolved, formats, outDir, name, signal, onEvent, registries }) {
      const images = await providerFor(signal, registries);
      const result = await build({
        spec: resolved.spec,
        // Never a host file, whatever spec reaches this point.
        sources: 'none',
        formats,
        outDir,
        name,
        cacheDir: opts.cacheDir,
        imageStores: opts.imageStores,
        arch: opts.arch ?? 'amd64',
        insecureRegistries: opts.insecureRegistries ?? [],
        images,
        signal,
        onEvent,
      });
      const cmdlineFile = result.artifacts.find((a) => a.format === 'kernel+initrd' && a.name.endsWith('-cmdline'))?.path;
      const cmdline = cmdlineFile ? (await readFile(cmdlineFile, 'utf8')).trim() : '';
      const { boot, notBootChecked } = bootTargets(formats, result.artifacts, { bootOf: (f) => getFormat(f)?.boot, qemuDiskFormat, cmdline });
      return { artifacts: result.artifacts, boot, notBootChecked };
    },

    async bootCheck(target, { signal, workDir }): Promise<BootResult> {
      let mod: EngineModule;
      try {
        mod = await load('@oscompose/bootcheck');
      } catch (err) {
        return { ok: false, error: `the boot check is not available here (${(err as Error).message})` };
      }
      const bootCheck = need<(t: unknown, o: unknown) => Promise<BootResult>>(mod, 'bootCheck', '@oscompose/bootcheck');
      const bootDir = path.join(workDir, target.format.replace(/[^a-z0-9-]/gi, '_'));
      let input: unknown;
      if (target.kernel) input = { kernel: target.kernel, initrd: target.initrd, cmdline: target.cmdline ?? '' };
      else if (target.iso) input = { iso: target.iso, firmware: target.firmware };
      else if (target.uki) {
        try {
          await mkdir(bootDir, { recursive: true });
          input = { disk: await ukiBootDisk(target.uki, bootDir), firmware: 'efi', format: 'raw' };
        } catch (err) {
          if (signal.aborted) throw err;
          return { ok: false, error: `could not wrap the UKI in an EFI boot disk: ${(err as Error).message}` };
        }
      } else input = { disk: target.disk, firmware: target.firmware, format: target.diskFormat ?? 'raw' };
      try {
        const r = await bootCheck(input, { signal, timeoutMs: opts.bootTimeoutMs, workDir: bootDir });
        return { ok: Boolean(r.ok), bootComplete: r.bootComplete, durationMs: r.durationMs, containers: r.containers, console: typeof r.console === 'string' ? r.console : undefined, http: r.http, error: r.error };
      } catch (err) {
        if (signal.aborted) throw err;
        if ((err as { name?: string }).name === 'BootCheckError' || /qemu/i.test((err as Error).message)) {
          return { ok: false, error: (err as Error).message };
        }
        throw err;
      }
    },
  };
}


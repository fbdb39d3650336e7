// `oscompose build [options] FILE...`: LinuxKit's `build` (same flags, same artifact names).
import { copyFile, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { defaultCacheDir } from '../../cache/blob-cache';
import { build } from '../../build';
import { listFormats } from '../../outputs/index';
import { byteCount, list, parse } from '../args';
import { EXIT, UsageError, type Command } from '../command';
import { progressPrinter } from '../progress';

export const buildCommand: Command = {
  name: 'build',
  usage: `Usage: oscompose build [options] FILE... (several files are merged in order)

Options:
  -f, --format FORMAT      output format, repeatable or comma-separated (default kernel+initrd)
                           one of: ${listFormats().join(', ')}
      --dir DIR            directory for the artifacts (default: current directory)
      --name NAME          artifact base name (default: first file's name without .yml)
  -o, --output FILE        with one format writing one file: write it to FILE ("-" = stdout)
      --cache DIR          blob and section cache (default $OSCOMPOSE_CACHE or ~/.cache/oscompose)
      --image-store DIR    OCI image layout to look images up in first, repeatable
                           (default $OSCOMPOSE_IMAGE_STORE)
      --pull               always resolve images from their registry
      --arch ARCH          image architecture (default amd64)
      --insecure-registry HOST  allow plain HTTP to HOST, repeatable
      --no-section-cache   recompress every section (also OSCOMPOSE_NO_SECTION_CACHE=1)
      --compression gzip|zstd   initramfs compression (default gzip)
      --compression-level N     gzip 1-9 (default 5), zstd 1-19 (default 3)
      --hardlinks symlink|keep  LinuxKit turns hard links into symlinks in the initrd (default)
      --max-image-bytes N  most bytes one image may decompress to, e.g. 8G; a layer crossing it
                           fails the build as it streams (default $OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES or 4G)
      --no-sbom            write no SBOM into the image (default: the merged SPDX SBOM of its
                           images at sbom.spdx.json, as LinuxKit does)
      --sbom-output PATH   where the SBOM goes in the image (default sbom.spdx.json)
  -q, --quiet              print only the artifacts
      --json               print the result (artifacts with size and sha256) as JSON`,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      format: { type: 'string', short: 'f', multiple: true },
      dir: { type: 'string' },
      name: { type: 'string' },
      output: { type: 'string', short: 'o' },
      cache: { type: 'string' },
      'image-store': { type: 'string', multiple: true },
      pull: { type: 'boolean' },
      arch: { type: 'string' },
      'insecure-registry': { type: 'string', multiple: true },
      'no-section-cache': { type: 'boolean' },
      compression: { type: 'string' },
      'compression-level': { type: 'string' },
      hardlinks: { type: 'string' },
      'max-image-bytes': { type: 'string' },
      'no-sbom': { type: 'boolean' },
      'sbom-output': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      json: { type: 'boolean' },
      // accepted for LinuxKit command lines, no effect here
      docker: { type: 'boolean' },
      'decompress-kernel': { type: 'boolean' },
      // the SBOM's time is SOURCE_DATE_EPOCH here; LinuxKit's wall-clock option has no effect
      'sbom-current-time': { type: 'boolean' },
    });
    if (!positionals.length) throw new UsageError('build needs at least one spec file');
    const formats = list(values.format);
    const compression = values.compression ?? 'gzip';
    if (!['gzip', 'zstd'].includes(compression)) throw new UsageError(`--compression must be gzip or zstd, not "${compression}"`);
    const hardlinks = values.hardlinks ?? 'symlink';
    if (!['symlink', 'keep'].includes(hardlinks)) throw new UsageError(`--hardlinks must be symlink or keep, not "${hardlinks}"`);
    const maxImage = values['max-image-bytes'] ?? io.env.OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES;
    const maxImageBytes = maxImage ? byteCount(maxImage, values['max-image-bytes'] ? '--max-image-bytes' : 'OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES') : undefined;
    const stores = values['image-store'] ?? (io.env.OSCOMPOSE_IMAGE_STORE ? [io.env.OSCOMPOSE_IMAGE_STORE] : []);
    const toStdout = values.output === '-';
    const printer = progressPrinter(io.stderr, values.quiet || toStdout);
    const specFiles = positionals.map((p) => resolve(io.cwd, p));
    const res = await build({
      specFiles,
      formats,
      outDir: resolve(io.cwd, values.dir ?? '.'),
      name: values.name ?? basename(positionals[0]!, extname(positionals[0]!)),
      cacheDir: values.cache ? resolve(io.cwd, values.cache) : defaultCacheDir(io.env),
      imageStores: stores.map((s) => resolve(io.cwd, s)),
      pull: values.pull,
      arch: values.arch,
      insecureRegistries: values['insecure-registry'],
      sectionCache: values['no-section-cache'] || io.env.OSCOMPOSE_NO_SECTION_CACHE === '1' ? false : true,
      // Reproducible timestamps, as linuxkit and the Debian tools read them (default 0).
      sourceDateEpoch: io.env.SOURCE_DATE_EPOCH ? Number(io.env.SOURCE_DATE_EPOCH) : 0,
      compression: compression as 'gzip' | 'zstd',
      compressionLevel: values['compression-level'] ? Number(values['compression-level']) : undefined,
      hardlinks: hardlinks as 'symlink' | 'keep',
      ...(maxImageBytes ? { limits: { maxImageBytes } } : {}),
      sbom: values['no-sbom'] ? false : values['sbom-output'],
      signal: io.signal,
      onEvent: (e) => printer.event(e),
    });
    printer.done();
    if (values.output) {
      if (res.artifacts.length !== 1) throw new UsageError(`-o needs exactly one artifact, but the formats wrote ${res.artifacts.length}`);
      const a = res.artifacts[0]!;
      if (toStdout) {
        const { createReadStream } = await import('node:fs');
        await new Promise<void>((ok, fail) => createReadStream(a.path).on('error', fail).on('end', ok).pipe(io.stdout, { end: false }));
        await rm(a.path);
        return EXIT.ok;
      }
      const dest = resolve(io.cwd, values.output);
      await rename(a.path, dest).catch(async () => {
        await copyFile(a.path, dest);
        await rm(a.path);
      });
      a.path = dest;
      a.name = basename(dest);
      a.size = (await stat(dest)).size;
    }
    if (values.json) io.stdout.write(`${JSON.stringify({ artifacts: res.artifacts, sections: res.sections }, null, 2)}\n`);
    else for (const a of res.artifacts) io.stdout.write(`${a.path}  ${a.size}  sha256:${a.sha256}\n`);
    return EXIT.ok;
  },
};

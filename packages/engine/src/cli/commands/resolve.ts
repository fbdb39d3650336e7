// `oscompose resolve FILE...`: the (merged) spec with every image reference pinned to its digest.
import { resolve as resolvePath } from 'node:path';
import { stringify } from 'yaml';
import { defaultCacheDir } from '../../cache/blob-cache';
import { loadSpec } from '../../build';
import { defaultImageProvider, pinSpec, resolveImages } from '../../inputs';
import { parse } from '../args';
import { EXIT, UsageError, type Command } from '../command';

export const resolveCommand: Command = {
  name: 'resolve',
  usage: `Usage: oscompose resolve [options] FILE...

Options:
      --cache DIR, --image-store DIR, --pull, --arch ARCH, --insecure-registry HOST  as for build
      --json               print JSON instead of YAML`,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      cache: { type: 'string' },
      'image-store': { type: 'string', multiple: true },
      pull: { type: 'boolean' },
      arch: { type: 'string' },
      'insecure-registry': { type: 'string', multiple: true },
      json: { type: 'boolean' },
    });
    if (!positionals.length) throw new UsageError('resolve needs at least one spec file');
    const spec = await loadSpec({ specFiles: positionals.map((p) => resolvePath(io.cwd, p)) });
    const stores = values['image-store'] ?? (io.env.OSCOMPOSE_IMAGE_STORE ? [io.env.OSCOMPOSE_IMAGE_STORE] : []);
    const images = await defaultImageProvider({
      cacheDir: values.cache ? resolvePath(io.cwd, values.cache) : defaultCacheDir(io.env),
      imageStores: stores.map((s) => resolvePath(io.cwd, s)),
      pull: values.pull ?? false,
      arch: values.arch ?? 'amd64',
      insecureRegistries: values['insecure-registry'] ?? [],
      signal: io.signal,
    });
    const resolved = pinSpec(spec, await resolveImages(spec, images, { signal: io.signal }));
    io.stdout.write(values.json ? `${JSON.stringify(resolved, null, 2)}\n` : stringify(resolved, { lineWidth: 0 }));
    return EXIT.ok;
  },
};

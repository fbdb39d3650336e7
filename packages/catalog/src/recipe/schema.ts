// The recipe format: one YAML file per starter image in packages/catalog/recipes/. A recipe says
// which Debian packages to take files from, which paths to keep, extra files, and the image
// config (including the org.mobyproject.config label LinuxKit images carry).

import { z } from 'zod';

const mode = z
  .union([z.number().int(), z.string().regex(/^0?[0-7]{3,4}$/)])
  .transform((m) => (typeof m === 'number' ? m : parseInt(m, 8)))
  .refine((m) => m >= 0 && m <= 0o7777, 'mode must be between 0000 and 7777');

const relPath = z
  .string()
  .min(1)
  .transform((p) => p.replace(/^\/+/, '').replace(/\/+$/, ''))
  .refine((p) => p !== '' && !p.split('/').includes('..'), 'paths stay inside the image (no "..")');

export const RecipeFileSchema = z
  .object({
    path: relPath,
    /** Literal content. */
    contents: z.string().optional(),
    /** A file next to the recipe (relative to recipes/). */
    source: z.string().optional(),
    /** Make a symlink to this target instead of a file. */
    symlink: z.string().optional(),
    directory: z.boolean().optional(),
    mode: mode.optional(),
    uid: z.number().int().nonnegative().default(0),
    gid: z.number().int().nonnegative().default(0),
  })
  .strict()
  .refine((f) => [f.contents !== undefined, f.source !== undefined, f.symlink !== undefined, f.directory === true].filter(Boolean).length === 1, {
    message: 'a file entry needs exactly one of contents, source, symlink or directory: true',
  });

export const ImageConfigSchema = z
  .object({
    Cmd: z.array(z.string()).optional(),
    Entrypoint: z.array(z.string()).optional(),
    Env: z.array(z.string()).optional(),
    WorkingDir: z.string().optional(),
    User: z.string().optional(),
    Labels: z.record(z.string(), z.string()).optional(),
    ExposedPorts: z.record(z.string(), z.object({}).strict()).optional(),
  })
  .strict();

export const KINDS = ['kernel', 'init', 'onboot', 'service', 'onshutdown'] as const;

export const KernelSchema = z
  .object({
    /** Debian package (or metapackage, followed one level) with /boot/vmlinuz-* and modules. */
    package: z.string(),
    /** tag → module names (dependencies are added) or "all". */
    moduleSets: z.record(z.string(), z.union([z.array(z.string()), z.literal('all')])),
  })
  .strict();

export const RecipeSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"'),
    kind: z.enum(KINDS),
    title: z.string(),
    description: z.string(),
    /** Image tags to write (the first is the one compositions use). Kernel recipes tag per module set. */
    tags: z.array(z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/)).min(1).optional(),
    /** Catalog tags (search keywords), not image tags. */
    keywords: z.array(z.string()).default([]),
    packages: z.array(z.string()).default([]),
    /** Globs of paths to keep from the packages (`*` within a segment, `**` across); default all. */
    keep: z.array(z.string()).optional(),
    /** Globs dropped after keep (docs, man pages…). */
    drop: z.array(z.string()).default([]),
    /** Directories next to the recipe copied into the image root as they are. */
    trees: z.array(z.string()).default([]),
    files: z.array(RecipeFileSchema).default([]),
    config: ImageConfigSchema.default({}),
    /** LinuxKit's org.mobyproject.config label: the defaults a spec entry gets for this image. */
    mobyConfig: z.record(z.string(), z.unknown()).optional(),
    kernel: KernelSchema.optional(),
  })
  .strict()
  .refine((r) => (r.kind === 'kernel') === (r.kernel !== undefined), { message: 'kernel recipes (and only they) have a kernel: section', path: ['kernel'] })
  .refine((r) => r.kind === 'kernel' || (r.tags?.length ?? 0) > 0, { message: 'tags: at least one image tag', path: ['tags'] });

export type Recipe = z.output<typeof RecipeSchema>;
export type RecipeFile = z.output<typeof RecipeFileSchema>;

// How spec YAML is read and written. LinuxKit reads specs with go-yaml v2, which follows
// YAML 1.1: `yes`/`no`/`on`/`off` are booleans, `0644` is octal, `<<` merges maps. We do the
// same so a spec means what it means to `linuxkit build`. Two 1.1 features go-yaml does not
// have are left out: base-60 numbers (`1:30`) and timestamps, which stay strings.
import type { DocumentOptions, ParseOptions, SchemaOptions, ToStringOptions } from 'yaml';

type Tags = Exclude<SchemaOptions['customTags'], undefined | null>;

const withoutGoYamlExtras = ((tags: Tags extends ((t: infer T) => unknown) ? T : never) =>
  (tags as { format?: string; tag?: string }[]).filter(
    (t) => t.format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp',
  )) as SchemaOptions['customTags'];

export const YAML_VERSION = '1.1' as const;

export const parseOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  version: YAML_VERSION,
  merge: true,
  customTags: withoutGoYamlExtras,
  prettyErrors: true,
  uniqueKeys: true,
  strict: true,
};

/** For text the edit API writes: same schema (so `"yes"` stays quoted), block style, no folding. */
export const stringifyOptions: DocumentOptions & SchemaOptions & ToStringOptions = {
  version: YAML_VERSION,
  merge: true,
  customTags: withoutGoYamlExtras,
  indent: 2,
  lineWidth: 0,
  minContentWidth: 0,
};

// Byte-for-byte: on every good corpus spec, an edit followed by its inverse gives back the file
// exactly, comments and formatting included; the parts an edit does not touch never change.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SpecDocument, imageSections, type ImageSection } from '@oscompose/spec';

const dir = new URL('./corpus/good/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();

describe.each(files)('%s', (file) => {
  const text = readFileSync(new URL(file, dir), 'utf8');
  const spec = SpecDocument.parse(text).spec!;
  const entries: [ImageSection, number][] = imageSections.flatMap((s) => (spec[s] ?? []).map((_, i) => [s, i] as [ImageSection, number]));

  it('adding a field and removing it again restores the file', () => {
    for (const [section, i] of entries) {
      const field = (['cgroupsPath', 'hostname', 'cwd'] as const).find((f) => spec[section]![i]![f] === undefined);
      if (!field) continue;
      const d = SpecDocument.parse(text).setField([section, i, field], `/test/${i}`);
      expect(d.spec?.[section]?.[i]?.[field]).toBe(`/test/${i}`);
      expect(d.unsetField([section, i, field]).toString()).toBe(text);
    }
  });

  it('moving an entry and moving it back restores the file', () => {
    for (const [section, i] of entries) {
      const n = spec[section]!.length;
      if (n < 2) continue;
      const to = i === n - 1 ? 0 : n - 1;
      if (/^\s*- &/m.test(text)) {
        // Moving an anchored entry below its alias (or the alias above it) would break the YAML:
        // the edit is refused and the text stays as it was.
        const d = SpecDocument.parse(text);
        expect(() => d.moveImage(section, i, to)).toThrow(/would break the YAML/);
        expect(d.toString()).toBe(text);
        continue;
      }
      const d = SpecDocument.parse(text).moveImage(section, i, to);
      expect(d.spec?.[section]?.[to]?.name).toBe(spec[section]![i]!.name);
      expect(d.moveImage(section, to, i).toString()).toBe(text);
    }
  });

  it('adding an entry and removing it again restores the file', () => {
    for (const section of imageSections) {
      const n = spec[section]?.length ?? 0;
      for (const at of n ? [0, n] : []) {
        const d = SpecDocument.parse(text).addImage(section, { name: 'probe', image: 'busybox:1.36', command: ['/bin/true'] }, at);
        expect(d.spec?.[section]?.[at]?.name).toBe('probe');
        expect(d.removeImage(section, at).toString()).toBe(text);
      }
    }
  });

  it('changing a scalar and changing it back restores the file', () => {
    for (const [section, i] of entries) {
      const original = spec[section]![i]!.image;
      const d = SpecDocument.parse(text).setField([section, i, 'image'], 'example/other:1');
      expect(d.spec?.[section]?.[i]?.image).toBe('example/other:1');
      expect(d.setField([section, i, 'image'], original).toString()).toBe(text);
    }
  });
});

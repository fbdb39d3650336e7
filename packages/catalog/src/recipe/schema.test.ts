import { describe, expect, it } from 'vitest';
import { loadRecipes, parseRecipe } from './load';
import { RecipeError } from '../errors';

const HELLO = `
name: hello
kind: onboot
title: hello
description: prints a line
tags: ["0.1"]
packages: [busybox-static]
keep: [bin/busybox]
files:
  - { path: /bin/sh, symlink: busybox }
  - { path: etc/motd, contents: "hi\\n", mode: "0600" }
config:
  Cmd: [/bin/busybox, echo, hi]
mobyConfig: { readonly: true }
`;

describe('recipe schema', () => {
  it('accepts a recipe and normalises paths and octal modes', () => {
    const r = parseRecipe(HELLO);
    expect(r.files[0]).toMatchObject({ path: 'bin/sh', symlink: 'busybox' });
    expect(r.files[1]!.mode).toBe(0o600);
    expect(r.mobyConfig).toEqual({ readonly: true });
  });

  it('names the recipe and the field when something is wrong', () => {
    const bad = HELLO.replace('kind: onboot', 'kind: daemon');
    expect(() => parseRecipe(bad, 'hello.yml')).toThrow(RecipeError);
    expect(() => parseRecipe(bad, 'hello.yml')).toThrow(/recipe hello.yml: .*kind/);
  });

  it('refuses paths that leave the image and files with two sources', () => {
    expect(() => parseRecipe(HELLO.replace('etc/motd', '../etc/motd'))).toThrow(/no "\.\."/);
    expect(() => parseRecipe(HELLO.replace('contents: "hi\\n"', 'contents: "hi", symlink: x'))).toThrow(/exactly one of/);
  });

  it('requires a kernel section exactly for kernel recipes', () => {
    expect(() => parseRecipe(HELLO.replace('kind: onboot', 'kind: kernel'))).toThrow(/kernel/);
  });

  it('every recipe in the repository validates, and its file is named after it', async () => {
    const recipes = await loadRecipes();
    expect(recipes.map((r) => r.name)).toEqual(expect.arrayContaining(['kernel', 'init', 'runc', 'getty', 'dhcpcd', 'sysctl', 'sshd', 'httpd', 'hello']));
  });
});

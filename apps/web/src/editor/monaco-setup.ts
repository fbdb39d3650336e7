// Bundles Monaco and monaco-yaml into our own assets (never a CDN) and wires their web workers.
// Import this module for its side effect before rendering @monaco-editor/react's <Editor>.
'use client';
import * as monaco from 'monaco-editor';
import { loader } from '@monaco-editor/react';
import { configureMonacoYaml, type MonacoYaml, type MonacoYamlOptions } from 'monaco-yaml';

declare global {
  interface Window {
    MonacoEnvironment?: monaco.Environment;
  }
}

window.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === 'yaml') {
      return new Worker(new URL('monaco-yaml/yaml.worker', import.meta.url), { type: 'module' });
    }
    return new Worker(new URL('monaco-editor/esm/vs/editor/editor.worker', import.meta.url), { type: 'module' });
  },
};

// Without this @monaco-editor/react would fetch Monaco from jsdelivr.
loader.config({ monaco });
// Tests and power users read the editor through the usual global.
(window as unknown as { monaco: typeof monaco }).monaco = monaco;

export const SPEC_MODEL_URI = 'file:///linuxkit.yml';
let yamlHandle: MonacoYaml | undefined;

/** Points monaco-yaml at the spec JSON Schema (completion, hover docs, squiggles). Idempotent. */
export function configureSpecSchema(schema: object | null): MonacoYaml {
  const options: MonacoYamlOptions = {
    enableSchemaRequest: false,
    hover: true,
    completion: true,
    validate: true,
    schemas: schema
      ? [{ uri: 'https://oscompose.local/schema/linuxkit.schema.json', fileMatch: [SPEC_MODEL_URI, '*.yml', '*.yaml'], schema: schema as never }]
      : [],
  };
  if (yamlHandle) {
    void yamlHandle.update(options);
  } else {
    yamlHandle = configureMonacoYaml(monaco, options);
  }
  return yamlHandle;
}

export { monaco };

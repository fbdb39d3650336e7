// Checks the schema cannot express: unique names, one kind per file, octal modes, bind and
// image reference syntax, volume names and the volumes containers bind.
import type { Spec } from './schema';

export interface Finding {
  path: (string | number)[];
  message: string;
  severity?: 'error' | 'warning';
  /** Point at the key rather than the value. */
  onKey?: boolean;
}

export function checkSemantics(_spec: Spec): Finding[] {
  return [];
}

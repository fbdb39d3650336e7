// A build's SBOM (the SPDX 2.3 document the engine wrote into its image, published by the worker
// as NAME.spdx.json): served as JSON to whoever may read the build, with the download headers.

import { SBOM_FORMAT } from '@oscompose/engine';
import type { Caller } from '../auth/caller';
import { serveBuildDocument } from './buildDocument';

export function getBuildSbom(caller: Caller, buildId: string, req: Request): Promise<Response> {
  return serveBuildDocument({ format: SBOM_FORMAT, contentType: 'application/spdx+json', missingCode: 'no_sbom', what: 'SBOM' }, caller, buildId, req);
}

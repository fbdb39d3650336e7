// A build's size breakdown (NAME.contents.json: bytes per initramfs section → directory and the
// largest files, counted by the engine as it wrote the initramfs, published by the worker beside
// the artifacts): served as JSON to whoever may read the build, with the download headers.

import { CONTENTS_FORMAT } from '@oscompose/engine';
import type { Caller } from '../auth/caller';
import { serveBuildDocument } from './buildDocument';

export function getBuildContents(caller: Caller, buildId: string, req: Request): Promise<Response> {
  return serveBuildDocument({ format: CONTENTS_FORMAT, contentType: 'application/json', missingCode: 'no_contents', what: 'size breakdown' }, caller, buildId, req);
}

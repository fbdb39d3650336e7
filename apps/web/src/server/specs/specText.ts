// The spec text every route accepts: YAML, at most MAX_SPEC_BYTES (the parser refuses more, in
// bytes; this refuses it by characters before anything else runs), with a message that says so.
import { MAX_SPEC_BYTES } from '@oscompose/spec';
import { z } from 'zod';

export const SpecText = z.string().max(MAX_SPEC_BYTES, `the spec is larger than ${MAX_SPEC_BYTES} bytes (1 MiB), the most a spec may have; put large file contents into an image`);

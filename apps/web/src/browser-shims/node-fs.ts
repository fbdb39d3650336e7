// Browser stand-in for node:fs/promises. @oscompose/spec's index also exports its file-reading
// validate helper; the composer only uses the pure parts, so the browser bundle gets this instead.
function unavailable(): never {
  throw new Error('File access is not available in the browser.');
}
export const readFile = unavailable;
export const writeFile = unavailable;
export const access = unavailable;
export const stat = unavailable;
export default { readFile, writeFile, access, stat };

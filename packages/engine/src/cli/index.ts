// @oscompose/engine/cli: the `oscompose` commands that talk to a server, as functions (argv in,
// exit code out), for the tests that drive the CLI against the web app's real handlers.
export { runSubmit, type SubmitIo } from './submit';
export { runLogin, type LoginIo } from './login';
export { runPush } from './push';

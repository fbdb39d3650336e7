// @oscompose/worker/testing: the pipeline harness (real worker processes over a test's database,
// Redis and image store), the builds API in front of it, and the worker's config, for the tests
// of the worker, the web app's attack tests and the scripts.
export * from './harness';
export * from './api';
export { loadWorkerConfig, WorkerEnv } from '../../config';

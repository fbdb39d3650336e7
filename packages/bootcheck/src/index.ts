// @oscompose/bootcheck: boot an artifact in QEMU and read what our init reports.
export { bootCheck, freePort, type BootCheckOptions, type BootCheckResult, type HttpCheck } from './bootCheck';
export { parseConsole, parseEvent, bootProblems, type ConsoleEvent, type ConsoleSummary, type ContainerStatus, type ContainerPhase } from './consoleProtocol';
export { qemuArgs, withSerialConsole, type BootTarget, type PortForward } from './qemuArgs';

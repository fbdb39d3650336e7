// @oscompose/bootcheck: boot an artifact in QEMU and give it a verdict from its serial console.
export { bootCheck, qemuAvailable, type BootCheckOptions, type BootCheckResult, type HttpCheck } from './bootCheck';
export { parseConsole, parseEvent, bootProblems, stripTerminalEscapes, type ConsoleEvent, type ConsoleSummary, type ContainerStatus, type ContainerPhase } from './consoleProtocol';
export { qemuArgs, withSerialConsole, type BootTarget, type PortForward } from './qemuArgs';
export { startVm, VmStartError, type Vm, type VmOptions } from './vm';
export { ConsoleLines, decide, isPanic, OUR_INIT_EXPECTATION, type BootObservation, type ConsoleLine, type Decision, type ExpectationResult, type Verdict, type VerdictOptions } from './verdict';
export * from './expectations';
export { bootTimeline, type BootTimeline, type TimelineSpan, type TimelinePhase } from './timeline';
export { buildReport, consoleFileName, decidingArtifact, CONSOLE_FORMAT, VERDICTS, type ArtifactBootReport, type BootCheckReport } from './report';

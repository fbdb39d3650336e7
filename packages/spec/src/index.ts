// @oscompose/spec: LinuxKit YAML specs — schema and types, parsing with line/column problems,
// image references, merging, the comment-preserving edit API and the validate command's core.
export * from './schema';
export { parseSpec, parseServerSpec, MAX_SPEC_BYTES, type ParseResult, type ParseOptions } from './parse';
export { SpecError, formatProblem, formatProblems, sortProblems, hasErrors, type SpecProblem } from './problems';
export { parseReference, referenceProblem, ImageReferenceError, DEFAULT_REGISTRY, type ImageReference } from './reference';
export { fieldsAt, schemaAt } from './fields';
export { mergeSpecs, parseSpecs, originOf, type SpecInput, type ParseSpecsResult } from './merge';
export { serverFindings, hostFileMessage } from './server';
export { checkSemantics, bindProblem, rlimitProblem, CAPABILITIES, RLIMITS, type Finding, type CheckScope } from './semantic';
export { SpecDocument } from './edit';
export { specJsonSchema, specJsonSchemaText, SPEC_SCHEMA_ID } from './jsonSchema';
export { validateFiles, type ValidateOptions, type ValidateResult } from './validate';
export { parseImageLabel, MOBY_CONFIG_LABEL, type LabelResult } from './label';
export { parseOptions as yamlParseOptions, stringifyOptions as yamlStringifyOptions, YAML_VERSION } from './yamlOptions';
export { linesOf } from './parse';

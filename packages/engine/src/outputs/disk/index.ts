// The disk output formats (ISO, raw, qcow2, VHD, VMDK, kernel+squashfs, UKI) and the host-tool
// checks the CLI and workers use to say what is missing and which formats this host can build.
import type { OutputFormat } from '../types';
import { qcow2BiosFormat, qcow2EfiFormat, vhdFormat, vmdkFormat } from './convert';
import { isoBiosFormat, isoEfiFormat } from './iso';
import { rawBiosFormat, rawEfiFormat } from './raw';
import { kernelSquashfsFormat } from './squashfs';
import { availableFormats as availableOf, missingTools as missingOf, type MissingTool } from './tools';
import { ukiFormat } from './uki';

export const diskFormats: OutputFormat[] = [
  isoBiosFormat,
  isoEfiFormat,
  rawBiosFormat,
  rawEfiFormat,
  qcow2BiosFormat,
  qcow2EfiFormat,
  vhdFormat,
  vmdkFormat,
  kernelSquashfsFormat,
  ukiFormat,
];

/** Missing host tools for these formats (default: all disk formats), with their Debian package. */
export function missingTools(formats: OutputFormat[] = diskFormats): MissingTool[] {
  return missingOf(formats);
}

/** The formats this host can build (default: out of the disk formats). */
export function availableFormats(formats: OutputFormat[] = diskFormats): OutputFormat[] {
  return availableOf(formats);
}

export { describeMissing, DiskImageError, locateTool, TOOLS, type MissingTool } from './tools';
export { buildUki } from './uki';
export { qemuDiskFormat, ukiBootDisk } from './boot-media';

// Joins class names, dropping falsy ones (the tiny part of `clsx` we need).
export function cx(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(' ');
}

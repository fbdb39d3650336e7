/** Root of the paths of an `org.mobyproject.config` label, so messages can name it. */
export const LABEL_ROOT = 'org.mobyproject.config';

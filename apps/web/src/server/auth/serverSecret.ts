// The key material for encrypted registry credentials: OSCOMPOSE_SECRET, else the session secret.
import { webConfig } from '../config';

export function serverSecret(): string {
  return webConfig().serverSecret;
}

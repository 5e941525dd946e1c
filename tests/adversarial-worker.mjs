// Workers do not inherit the tsx loader: register it here, then run the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./adversarial-worker.ts');

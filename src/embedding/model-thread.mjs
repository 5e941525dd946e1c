// Entry of the model's worker thread when the project runs from TypeScript sources
// (`node --import tsx`, vitest): workers do not inherit the tsx loader, so register it here,
// then run the TypeScript worker beside this file.
import { register } from 'tsx/esm/api';

register();
await import('./model-thread.ts');

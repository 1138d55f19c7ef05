// Entry of the extraction worker thread: plain JavaScript, so it loads however the parent was
// started; it registers tsx in this thread, then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');

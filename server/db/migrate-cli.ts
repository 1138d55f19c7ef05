import { openDatabase } from './client';
import { migrate } from './migrate';

const db = await openDatabase();
const applied = await migrate(db);
process.stdout.write(JSON.stringify({ applied }) + '\n');
await db.close();

// Where the shared datasets are: ../shared/data beside the checkout (as on the developers' machines and in
// CI), or MARS2_DATA.
import { join, resolve } from 'node:path';

export const SHARED_DATA = resolve(process.env.MARS2_DATA ?? join(__dirname, '..', '..', '..', 'shared', 'data'));

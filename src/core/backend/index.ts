export { readBackend, chooseDownRevision } from './backend.js';
export type { Backend, Numbering } from './backend.js';
export { renderRevisionFile, nextRevisionId, slugify, alembicRevisionId } from './revision-file.js';
export type { RevisionFile, RevisionFileInput } from './revision-file.js';
export type { Revision, RevisionHabits } from './revision.js';

export { renderAlembic } from './alembic.js';
export { renderSql, DEFAULT_LOCK_TIMEOUT } from './sql.js';
export type { AlembicBody, RenderStyle, SqlScript, SqlStatement } from './types.js';
